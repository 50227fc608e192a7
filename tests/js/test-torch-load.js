// SPDX-License-Identifier: LGPL-2.1-or-later
//
// PyTorch's .pt files from JavaScript: Lt.torch_load() on files that
// Debian's PyTorch wrote (tests/fuzz/corpus/torch, made by
// tests/fuzz/make-corpus.py) gives the tensors by name and the structure
// as JSON; a file whose pickle calls os.system is refused with an error
// naming it. Run with `gjs -m`; exits 1 when a check fails.

import GLib from 'gi://GLib';

import Lt, {toArray} from '../../gi/js/lt.js';
import {assert, assertEqual, assertThrows, test, run} from './harness.js';

const corpus = GLib.build_filenamev([GLib.getenv('LT_SOURCE_DIR'), 'tests', 'fuzz', 'corpus',
    'torch']);

test('a state dict of torch.save', () => {
    const [sd, structure] = Lt.torch_load(GLib.build_filenamev([corpus, 'gen-state-dict.pt']));
    const names = [];
    for (let i = 0; i < sd.get_n_tensors(); i++)
        names.push(sd.get_name(i));
    assertEqual(names, ['0.weight', '0.bias', '2.weight', '2.bias'], 'names');
    assertEqual(sd.lookup('0.weight').get_shape(), [2, 3], 'shape');
    const parsed = JSON.parse(structure);
    assertEqual(parsed.dict[0], ['0.weight', {tensor: '0.weight'}], 'structure');
    assertEqual(parsed.ordered, true, 'an OrderedDict');
});

test('views, half and containers, both formats', () => {
    for (const name of ['gen-mixed.pt', 'gen-mixed-legacy.pt']) {
        const [sd, structure] = Lt.torch_load(GLib.build_filenamev([corpus, name]));
        assertEqual(toArray(sd.lookup('view')), [[2, 3, 4], [5, 6, 7]], `${name}: view`);
        assertEqual(toArray(sd.lookup('half')), [1.5, -2, 65504], `${name}: half`);
        const nested = JSON.parse(structure).dict.find(([k]) => k === 'nested')[1];
        assertEqual(nested.dict[0][1].slice(0, 4), [1, 2.5, null, 's'], `${name}: nested`);
    }
});

test('os.system is refused', () => {
    const path = GLib.build_filenamev([corpus, 'gen-os-system.pt']);
    assertThrows(() => Lt.torch_load(path),
        e => e.matches(Lt.Error, Lt.Error.FORMAT) && e.message.includes('posix.system') &&
            e.message.includes(path),
        'a FORMAT error naming posix.system and the file');
});

run();
