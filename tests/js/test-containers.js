// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The containers of nn (libtensor/nn/lt-containers.c) from gjs: a
// JavaScript network holding an Lt.ModuleList, an Lt.ModuleDict, an
// Lt.ParameterList and an Lt.ParameterDict, with PyTorch's parameter
// names, printed form and gradients; Lt.Identity. Run with `gjs -m`;
// exits 1 when a check fails.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';

import Lt, {tensor, toArray} from '../../gi/js/lt.js';
import {assert, assertEqual, assertThrows, test, run} from './harness.js';

const F32 = Lt.DType.FLOAT32;

const Net = GObject.registerClass(class Net extends Lt.Module {
    constructor() {
        super();
        this.register_module('layers', Lt.ModuleList.new([Lt.Linear.new(3, 3, true),
            Lt.Linear.new(3, 2, true)]));
        const heads = Lt.ModuleDict.new();
        heads.register_module('act', Lt.ReLU.new(false));
        heads.register_module('skip', Lt.Identity.new());
        this.register_module('heads', heads);
        this.register_module('scales', Lt.ParameterList.new([Lt.ones([3], F32),
            Lt.ones([2], F32)]));
        const extra = Lt.ParameterDict.new();
        extra.register_parameter('shift', Lt.zeros([2], F32));
        this.register_module('extra', extra);
    }

    vfunc_forward(x) {
        const layers = this.get_child('layers');
        const scales = this.get_child('scales');
        let h = layers.get_child('0').forward(x).mul(scales.get_parameter('0'));
        h = this.get_child('heads').get_child('act').forward(h);
        h = layers.get_child('1').forward(h).mul(scales.get_parameter('1'));
        h = this.get_child('heads').get_child('skip').forward(h);
        return h.add(this.get_child('extra').get_parameter('shift'));
    }
});

function names(sd) {
    const out = [];
    for (let i = 0; i < sd.get_n_tensors(); i++)
        out.push(sd.get_name(i));
    return out;
}

test('PyTorch parameter names through the containers', () => {
    Lt.manual_seed(0);
    const net = new Net();
    assertEqual(names(net.named_parameters()), ['layers.0.weight', 'layers.0.bias',
        'layers.1.weight', 'layers.1.bias', 'scales.0', 'scales.1', 'extra.shift'],
    'named_parameters');
    assertEqual(names(net.state_dict()), names(net.named_parameters()), 'state_dict');
    assertEqual(net.count_parameters(false), 12 + 8 + 3 + 2 + 2, 'count');
});

test('printed as PyTorch prints them', () => {
    const net = new Net();
    assertEqual(net.get_child('scales').to_string(),
        'ParameterList(\n    (0): Parameter containing: [Lt.float32 of size 3]\n' +
        '    (1): Parameter containing: [Lt.float32 of size 2]\n)', 'ParameterList');
    assertEqual(net.get_child('extra').to_string(),
        'ParameterDict(  (shift): Parameter containing: [Lt.FloatTensor of size 2])',
        'ParameterDict');
    assertEqual(net.get_child('heads').to_string(),
        'ModuleDict(\n  (act): ReLU()\n  (skip): Identity()\n)', 'ModuleDict');
});

test('gradients reach the parameters of every container', () => {
    const net = new Net();
    const x = Lt.randn([4, 3], F32);
    net.forward(x).sum().backward(null, false);
    for (const name of ['layers.0.weight', 'layers.1.bias', 'scales.0', 'scales.1',
        'extra.shift']) {
        const sd = net.named_parameters();
        const p = sd.get_tensor(names(sd).indexOf(name));
        assert(p.get_grad() !== null, `${name} has a gradient`);
    }
    const sd = net.named_parameters();
    // d(sum)/d(shift) is the batch size for each output
    assertEqual(toArray(sd.get_tensor(names(sd).indexOf('extra.shift')).get_grad()), [4, 4],
        'shift gradient');
});

test('Identity returns its input; a container has no forward', () => {
    const x = tensor([1, 2, 3]);
    const id = Lt.Identity.new();
    assertEqual(toArray(id.forward(x)), [1, 2, 3], 'identity');
    assertThrows(() => Lt.ModuleList.new([]).forward(x),
        e => e instanceof GLib.Error && e.matches(Lt.Error, Lt.Error.NOT_SUPPORTED) &&
            e.message.includes('ModuleList'), 'ModuleList.forward');
    assertThrows(() => Lt.ParameterList.new([tensor([1, 2])]),
        e => e instanceof GLib.Error && e.matches(Lt.Error, Lt.Error.DTYPE), 'integer parameter');
});

test('append numbers the entries', () => {
    const list = Lt.ModuleList.new([]);
    list.append(Lt.Tanh.new());
    list.append(Lt.Sigmoid.new());
    assertEqual(list.to_string(), 'ModuleList(\n  (0): Tanh()\n  (1): Sigmoid()\n)', 'modules');
    const params = Lt.ParameterList.new([]);
    params.append(Lt.zeros([2, 2], F32));
    assertEqual(params.get_parameter_names(), ['0'], 'parameters');
    assert(params.get_parameter('0').get_requires_grad(), 'requires grad');
});

run();
