// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The tutorial's "Neural networks" section from gjs: Net is a GObject
// subclass of Lt.Module whose vfunc_forward is the tutorial's forward; its
// printed form is compared with PyTorch 1.13's print(net) of the same
// network. Then the parameters, a forward pass, backward with a random
// gradient, the MSE loss against arange(1, 11), conv1.bias.grad before and
// after backward, the manual update and SGD, and exceptions thrown in a
// JavaScript forward reaching C. Run with `gjs -m`; exits 1 when a check
// fails.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';

import Lt, {item, noGrad, size} from '../../gi/js/lt.js';
import {Net} from '../../examples/tutorial-net.js';
import {AssertionError, assert, assertEqual, flat, test, run} from './harness.js';

const F32 = Lt.DType.FLOAT32;

// PyTorch 1.13's print(net) for the tutorial's Net
const TORCH_TEXT = `Net(
  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (fc1): Linear(in_features=400, out_features=120, bias=True)
  (fc2): Linear(in_features=120, out_features=84, bias=True)
  (fc3): Linear(in_features=84, out_features=10, bias=True)
)`;

/* class Net(nn.Module): examples/tutorial-net.js */

test('define the network and print it', () => {
    const net = new Net();
    assertEqual(`${net}`, TORCH_TEXT, 'print(net)');
    assertEqual(net.to_string(), TORCH_TEXT, 'lt_module_to_string');
    assert(net.training, 'a new module trains');
});

test('the learnable parameters', () => {
    const net = new Net();
    const params = net.parameters();
    assertEqual(params.length, 10, 'len(params)');
    assertEqual(size(params[0]), [6, 1, 5, 5], "conv1's .weight");
    const named = net.named_parameters();
    const names = [];
    for (let i = 0; i < named.get_n_tensors(); i++)
        names.push(named.get_name(i));
    assertEqual(names, ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias',
        'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias'],
    'PyTorch names, registration order');
    assert(params.every(p => p.get_requires_grad()), 'parameters require grad');
});

test('forward, zero_grad, backward with a random gradient', () => {
    Lt.manual_seed(0);
    const net = new Net();
    const input = Lt.randn([1, 1, 32, 32], F32);
    const out = net.forward(input);
    assertEqual(size(out), [1, 10], 'out is 1x10');
    assert(`${out}`.endsWith('[Lt.FloatTensor of size 1x10]\n'), `printed ${out}`);

    net.zero_grad(false);
    const grad = Lt.randn([1, 10], F32);
    out.backward(grad, false);
    // the last layer's bias receives the gradient given
    const gb = flat(net.fc3.get_parameter('bias').grad), gg = flat(grad);
    gb.forEach((v, i) => assert(Math.abs(v - gg[i]) < 1e-6, `fc3.bias.grad[${i}]`));
    for (const p of net.parameters())
        assertEqual(size(p.grad), size(p), 'every parameter has a gradient of its shape');
});

test('loss, conv1.bias.grad before and after backward, weight updates', () => {
    Lt.manual_seed(1);
    const net = new Net();
    const input = Lt.randn([1, 1, 32, 32], F32);
    const output = net.forward(input);
    const target = Lt.arange(1, 11, 1, F32);    // a dummy target
    const criterion = Lt.MSELoss.new(Lt.Reduction.MEAN);
    const loss = criterion.compute(output, target);
    const o = flat(output);
    const want = o.reduce((s, v, i) => s + (v - (i + 1)) ** 2, 0) / 10;
    assert(Math.abs(item(loss) - want) < 1e-4 * want, `loss ${item(loss)} vs ${want}`);

    net.zero_grad(false);
    const bias = net.get_parameter('conv1.bias');
    if (bias.grad !== null)
        assert(flat(bias.grad).every(v => v === 0), 'conv1.bias.grad before backward is zero');
    loss.backward(null, false);
    assertEqual(size(bias.grad), [6], 'conv1.bias.grad has 6 values');
    assert(flat(bias.grad).some(v => v !== 0), 'conv1.bias.grad after backward is not zero');

    // weight = weight - learning_rate * gradient
    const lr = 0.01;
    const before = flat(bias);
    const g = flat(bias.grad);
    noGrad(() => {
        for (const f of net.parameters())
            f.sub_(f.grad.mul_scalar(lr));
    });
    flat(bias).forEach((v, i) => assert(Math.abs(v - (before[i] - lr * g[i])) < 1e-7,
        `manual update of conv1.bias[${i}]`));

    // optimizer = optim.SGD(net.parameters(), lr=0.01)
    const optimizer = Lt.SGD.new(net.parameters(), lr, 0, 0, 0, false);
    optimizer.zero_grad(false);
    const loss2 = criterion.compute(net.forward(input), target);
    loss2.backward(null, false);
    const w0 = flat(net.fc1.get_parameter('weight'));
    const g0 = flat(net.fc1.get_parameter('weight').grad);
    optimizer.step();
    const w1 = flat(net.fc1.get_parameter('weight'));
    assert(w1.some((v, i) => v !== w0[i]), 'SGD changes the weights');
    w1.forEach((v, i) => assert(Math.abs(v - (w0[i] - lr * g0[i])) < 1e-7, `SGD step [${i}]`));
    const loss3 = criterion.compute(net.forward(input), target);
    assert(item(loss3) < item(loss2), 'a step against the gradient lowers the loss');
});

/* Exceptions thrown in a JavaScript forward */

const Failing = GObject.registerClass(class Failing extends Lt.Module {
    vfunc_forward(x) {
        if (x.get_n_dims() === 0)
            throw new GLib.Error(Lt.Error, Lt.Error.SHAPE, 'Failing: a 0-dim input');
        throw new TypeError(`cannot use a ${x.get_n_dims()}-dim input`);
    }
});

test('an exception in vfunc_forward reaches C as a GError', () => {
    const failing = new Failing();
    // lt_module_forward() sets "returned no tensor and no error" (Lt.Error
    // FAILED) when a forward fails without a GError; the TypeError coming
    // back shows that C received one for it
    for (const caller of [failing, Lt.Sequential.new([Lt.ReLU.new(false), failing])]) {
        try {
            caller.forward(Lt.ones([2, 3], F32));
            throw new AssertionError('no exception');
        } catch (e) {
            assert(e instanceof TypeError, `got ${e}, not the TypeError`);
            assert(!(e instanceof GLib.Error && e.matches(Lt.Error, Lt.Error.FAILED)),
                'C got no GError');
            assertEqual(e.message, 'cannot use a 2-dim input', 'message');
        }
    }
    // a GLib.Error keeps its domain and code through C
    try {
        Lt.Sequential.new([failing]).forward(Lt.scalar(1));
        throw new AssertionError('no exception');
    } catch (e) {
        assert(e instanceof GLib.Error && e.matches(Lt.Error, Lt.Error.SHAPE), `got ${e}`);
        assertEqual(e.message, 'Failing: a 0-dim input', 'message');
    }
    // the modules still work afterwards
    assertEqual(size(new Net().forward(Lt.randn([1, 1, 32, 32], F32))), [1, 10], 'net still runs');
});

run({tap: true});
