// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Data loading from JavaScript: a dataset and a transform implemented in
// JS (LtDataset, LtTransform), read by an LtDataLoader with for...of
// (gi/js/lt.js), shuffled reproducibly; a failing item throws from the
// loop. Run with `gjs -m`; exits 1 when a check fails.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';

import Lt, {batches, toArray} from '../../gi/js/lt.js';
import {assert, assertEqual, test, run} from './harness.js';

// Item i: a (1, 2, 2) float image filled with i, label i % 3; item
// `failAt` throws a GLib.Error.
const Squares = GObject.registerClass({
    Implements: [Lt.Dataset],
}, class Squares extends GObject.Object {
    constructor(n, failAt = -1, transform = null) {
        super();
        this.n = n;
        this.failAt = failAt;
        this.transform = transform;
    }

    vfunc_get_length() {
        return this.n;
    }

    vfunc_get_item(index) {
        if (index === this.failAt)
            throw new GLib.Error(Lt.error_quark(), Lt.Error.IO, `item ${index} is missing`);
        let input = Lt.full([1, 2, 2], index, Lt.DType.FLOAT32);
        if (this.transform)
            input = this.transform.apply(input);
        return [true, input, Lt.scalar_int(index % 3)];
    }
});

// A transform in JS: doubles its input.
const Double = GObject.registerClass({
    Implements: [Lt.Transform],
}, class Double extends GObject.Object {
    vfunc_apply(input) {
        return input.mul_scalar(2);
    }
});

test('for...of reads every batch in order', () => {
    const loader = Lt.DataLoader.new(new Squares(10), 4, false, false, 0);
    assertEqual(loader.get_length(), 3, 'len');
    const seen = [];
    const sizes = [];
    for (const [inputs, labels] of loader) {
        const shape = inputs.get_shape();
        sizes.push(shape[0]);
        assertEqual(shape.slice(1), [1, 2, 2], 'item shape');
        assertEqual(labels.get_dtype(), Lt.DType.INT64, 'label dtype');
        const values = toArray(inputs);
        const ls = toArray(labels);
        values.forEach((img, k) => {
            seen.push(img[0][0][0]);
            assertEqual(ls[k], img[0][0][0] % 3, 'label of item');
        });
    }
    assertEqual(sizes, [4, 4, 2], 'batch sizes');
    assertEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'items');
});

test('a JS transform runs inside the dataset', () => {
    const loader = Lt.DataLoader.new(new Squares(3, -1, new Double()), 3, false, false, 0);
    const [[inputs]] = [...batches(loader)];
    assertEqual(toArray(inputs).map(img => img[0][1][1]), [0, 2, 4], 'doubled');
});

test('shuffling is reproducible by seed and covers every item', () => {
    const loader = Lt.DataLoader.new(new Squares(20), 5, true, true, 0);
    const epoch = () => {
        const order = [];
        for (const [inputs] of loader)
            toArray(inputs).forEach(img => order.push(img[0][0][0]));
        return order;
    };
    Lt.manual_seed(3);
    const a = epoch(), b = epoch();
    Lt.manual_seed(3);
    const c = epoch();
    assertEqual([...a].sort((x, y) => x - y), [...Array(20).keys()], 'a permutation');
    assertEqual(a, c, 'same seed, same order');
    assert(JSON.stringify(a) !== JSON.stringify(b), 'a new order every epoch');
});

test('breaking out of a loop and looping again starts a new epoch', () => {
    const loader = Lt.DataLoader.new(new Squares(8), 2, false, false, 0);
    for (const [inputs] of loader) {
        assertEqual(toArray(inputs)[0][0][0][0], 0, 'first');
        break;
    }
    let n = 0;
    for (const _ of loader)
        n++;
    assertEqual(n, 4, 'a whole epoch');
});

test('a failing item throws from the loop', () => {
    const loader = Lt.DataLoader.new(new Squares(10, 6), 4, false, false, 0);
    let n = 0;
    let caught = null;
    try {
        for (const _ of loader)
            n++;
    } catch (e) {
        caught = e;
    }
    assertEqual(n, 1, 'batches before the failure');
    assert(caught !== null, 'an exception');
    assert(caught.matches(Lt.Error, Lt.Error.IO), `Lt.Error.IO, got ${caught}`);
    assert(caught.message.includes('item 6 is missing'), caught.message);
});

run();
