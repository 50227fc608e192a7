// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The whole 60 minute blitz (shared/seed/) from gjs, with methods in place
// of operators: tensors, typed-array views of tensor memory (the numpy
// bridge of JavaScript: no copy, both ways), autograd, the network, its
// loss and updates, and the CIFAR-10 classifier trained on a generated
// CIFAR-10 in the real binary format (tests/make-train-fixtures.py),
// its loaders read with for...of. The numbers are checked against
// independent sources: arithmetic (4.5; 2^k times the gradient), the bytes
// of the fixture's files, and argmax and counts computed here in JS. Run
// with `gjs -m`; exits 1 when a check fails.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';

import Lt, {tensor, toArray, toTypedArray, typedArrayView, item, noGrad, size, batches}
    from '../../gi/js/lt.js';
import {assert, assertEqual, assertClose, assertThrows, flat, test, run} from './harness.js';
import {Net} from '../../examples/tutorial-net.js';

const F32 = Lt.DType.FLOAT32;

/* ---- What is PyTorch? ---- */

test('tensors: construct, size, operations, indexing', () => {
    Lt.manual_seed(0);
    // x = torch.Tensor(5, 3)
    let x = Lt.empty([5, 3], F32);
    assert(`${x}`.endsWith('[Lt.FloatTensor of size 5x3]\n'), `${x}`);
    // x = torch.rand(5, 3); x.size()
    x = Lt.rand([5, 3], F32);
    assertEqual(size(x), [5, 3], 'size');
    assert(flat(x).every(v => v >= 0 && v < 1), 'rand in [0, 1)');

    const y = Lt.rand([5, 3], F32);
    const want = flat(x).map((v, i) => Math.fround(v + flat(y)[i]));
    assertEqual(flat(x.add(y)), want, 'x + y');
    const result = Lt.empty([5, 3], F32);
    x.add_out(y, result);                   // torch.add(x, y, out=result)
    assertEqual(flat(result), want, 'out=result');
    y.add_(x);                              // y.add_(x)
    assertEqual(flat(y), want, 'y.add_(x)');

    // x[:, 1], a view: rows of a tensor with for...of
    const column = x.select(1, 1);
    assertEqual(flat(column), toArray(x).map(row => row[1]), 'x[:, 1]');
    x.select(0, 2).fill_(7);
    assertEqual(item(column.select(0, 2)), 7, 'the column is a view');
    let rows = 0;
    for (const row of x) {
        assertEqual(size(row), [3], 'a row');
        rows++;
    }
    assertEqual(rows, 5, 'for...of over the rows');
});

test('typed-array views share the tensor memory both ways (the numpy bridge)', () => {
    // a = torch.ones(5); b = a.numpy()
    const a = Lt.ones([5], F32);
    const b = typedArrayView(a);
    assert(b instanceof Float32Array, 'a Float32Array');
    assertEqual(Array.from(b), [1, 1, 1, 1, 1], 'b');
    // a.add_(1): b changes with it
    a.add_scalar_(1);
    assertEqual(Array.from(b), [2, 2, 2, 2, 2], 'b after a.add_(1)');
    // and the tensor sees writes through the view
    b[0] = -3;
    assertEqual(flat(a), [-3, 2, 2, 2, 2], 'a after b[0] = -3');
    // a copy keeps its values
    const copy = toTypedArray(a);
    a.zero_();
    assertEqual(Array.from(copy), [-3, 2, 2, 2, 2], 'the copy');
    assertEqual(Array.from(b), [0, 0, 0, 0, 0], 'the view');

    // every element type; the view keeps the memory alive after the tensor
    const types = [
        [Lt.DType.FLOAT64, Float64Array], [Lt.DType.INT64, BigInt64Array],
        [Lt.DType.INT32, Int32Array], [Lt.DType.INT16, Int16Array], [Lt.DType.INT8, Int8Array],
        [Lt.DType.UINT8, Uint8Array], [Lt.DType.BOOL, Uint8Array],
    ];
    for (const [dtype, Type] of types) {
        const view = typedArrayView(Lt.arange(0, 4, 1, dtype === Lt.DType.BOOL ? Lt.DType.INT64 : dtype)
            .to_dtype(dtype));
        imports.system.gc();
        assert(view instanceof Type, `${Type.name} for dtype ${dtype}`);
        const want = dtype === Lt.DType.BOOL ? [0, 1, 1, 1] : [0, 1, 2, 3];
        assertEqual(Array.from(view, Number), want, `view of dtype ${dtype}`);
    }

    // a non-contiguous tensor cannot be viewed: the error says why
    assertThrows(() => typedArrayView(Lt.ones([2, 3], F32).t()),
        e => assert(e.matches?.(Lt.Error, Lt.Error.INVALID_ARGUMENT) &&
                    e.message.includes('not contiguous'), `${e}`),
        'transposed view');
    // from an array to a tensor: a copy
    const t = tensor(new Float64Array([1, 2]));
    assertEqual(t.get_dtype(), Lt.DType.FLOAT64, 'a Float64Array gives float64');
});

test('CUDA tensors: moving to the GPU says why it cannot', () => {
    const x = Lt.rand([5, 3], F32);
    let cuda = null;
    try {
        cuda = x.to_device(Lt.Device.CUDA);
    } catch (e) {
        assert(e.matches(Lt.Error, Lt.Error.DEVICE), `${e}`);
        assert(/cuda/i.test(e.message), e.message);
    }
    if (cuda !== null)
        assertEqual(flat(cuda.add(cuda).to_device(Lt.Device.CPU)), flat(x.add(x)), 'x + x on the GPU');
});

/* ---- Autograd ---- */

test('autograd: 4.5 and the doubling loop', () => {
    // x = Variable(torch.ones(2, 2), requires_grad=True)
    const x = Lt.ones([2, 2], F32);
    x.set_requires_grad(true);
    const y = x.add_scalar(2);
    assertEqual(`${y.grad_fn}`, '<AddBackward0>', 'y.grad_fn');
    const z = y.mul(y).mul_scalar(3);
    const out = z.mean();
    assertEqual(`${z}`, ' 27  27\n 27  27\n[Lt.FloatTensor of size 2x2]\n', 'print(z)');
    out.backward(null, false);
    // d(out)/dx = 3/2 (x + 2) = 4.5
    assertEqual(toArray(x.grad), [[4.5, 4.5], [4.5, 4.5]], 'x.grad');
    assertEqual(`${x.grad}`, ' 4.5000  4.5000\n 4.5000  4.5000\n[Lt.FloatTensor of size 2x2]\n',
        'print(x.grad)');

    for (let seed = 0; seed < 3; seed++) {
        Lt.manual_seed(seed);
        const v = Lt.randn([3], F32);
        v.set_requires_grad(true);
        let w = v.mul_scalar(2);
        let k = 1;
        while (noGrad(() => item(w.norm(2))) < 1000) {
            w = w.mul_scalar(2);
            k++;
        }
        const gradients = tensor([0.1, 1.0, 0.0001], {dtype: F32});
        w.backward(gradients, false);
        // y = x * 2^k, so x.grad = 2^k * gradients (exact in float32)
        assertEqual(flat(v.grad), [0.1, 1.0, 0.0001].map(g => Math.fround(g) * 2 ** k),
            `x.grad with seed ${seed}`);
        if (seed === 0)
            assertEqual(k, 10, 'ten doublings with seed 0, as the tutorial');
    }

    // with torch.no_grad():
    assert(x.pow_scalar(2).requires_grad, 'recorded');
    Lt.no_grad(() => assert(!x.pow_scalar(2).requires_grad, 'not recorded in no_grad'));
});

/* ---- Neural networks ---- */

// class Net(nn.Module): examples/tutorial-net.js

// PyTorch 1.13's print(net) for the tutorial's Net
const NET_TEXT = `Net(
  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
  (fc1): Linear(in_features=400, out_features=120, bias=True)
  (fc2): Linear(in_features=120, out_features=84, bias=True)
  (fc3): Linear(in_features=84, out_features=10, bias=True)
)`;

test('neural networks: define, parameters, loss, backprop, update', () => {
    Lt.manual_seed(0);
    const net = new Net();
    assertEqual(`${net}`, NET_TEXT, 'print(net)');
    const params = net.parameters();
    assertEqual(params.length, 10, 'len(params)');
    assertEqual(size(params[0]), [6, 1, 5, 5], "conv1's .weight");

    const input = Lt.randn([1, 1, 32, 32], F32);
    const out = net.forward(input);
    assert(`${out}`.endsWith('[Lt.FloatTensor of size 1x10]\n'), `${out}`);
    net.zero_grad(false);
    const grad = Lt.randn([1, 10], F32);
    out.backward(grad, false);
    assertEqual(flat(net.fc3.get_parameter('bias').grad), flat(grad), 'fc3.bias.grad');

    // the loss, against its definition computed here
    const output = net.forward(input);
    const target = Lt.arange(1, 11, 1, F32);
    const criterion = Lt.MSELoss.new(Lt.Reduction.MEAN);
    const loss = criterion.compute(output, target);
    const want = flat(output).reduce((s, v, i) => s + (v - (i + 1)) ** 2, 0) / 10;
    assert(Math.abs(item(loss) - want) < 1e-4 * want, `loss ${item(loss)}, want ${want}`);

    // loss.grad_fn -> linear -> the bias of fc3
    const names = [];
    for (let fn = loss.grad_fn; fn !== null; fn = fn.get_n_next_functions() > 0 ? fn.get_next_function(0)[0] : null)
        names.push(fn.get_name());
    assertEqual(names, ['MseLossBackward0', 'AddmmBackward0', 'AccumulateGrad'], 'the grad_fn chain');

    // conv1.bias.grad before and after backward
    const bias = net.conv1.get_parameter('bias');
    net.zero_grad(false);
    assertEqual(flat(bias.grad), [0, 0, 0, 0, 0, 0], 'conv1.bias.grad before backward');
    loss.backward(null, false);
    assert(flat(bias.grad).some(v => v !== 0), 'conv1.bias.grad after backward');

    // weight = weight - learning_rate * gradient, by hand
    const before = params.map(p => flat(p));
    const grads = params.map(p => flat(p.grad));
    for (const f of net.parameters())
        f.detach().sub_(f.grad.detach().mul_scalar(0.01));
    params.forEach((p, i) => assertClose(flat(p),
        before[i].map((v, j) => Math.fround(v - Math.fround(grads[i][j] * Math.fround(0.01)))),
        1e-7, `parameter ${i} after the update`));

    // and with SGD, through a typed-array view of a parameter
    const optimizer = Lt.SGD.new(net.parameters(), 0.01, 0, 0, 0, false);
    optimizer.zero_grad(false);
    const loss2 = criterion.compute(net.forward(input), target);
    loss2.backward(null, false);
    const w = typedArrayView(net.fc3.get_parameter('weight'));
    const w0 = Array.from(w), g0 = flat(net.fc3.get_parameter('weight').grad);
    optimizer.step();
    assertClose(Array.from(w), w0.map((v, i) => v - 0.01 * g0[i]), 1e-6, 'fc3.weight after step');
    assert(item(criterion.compute(net.forward(input), target)) < item(loss2), 'the loss went down');
});

/* ---- Training a classifier ---- */

const classes = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function makeFixture() {
    const source = GLib.getenv('LT_SOURCE_DIR') ??
        GLib.build_filenamev([GLib.path_get_dirname(System.programPath ?? '.'), '..', '..']);
    const script = GLib.build_filenamev([source, 'tests', 'make-train-fixtures.py']);
    const dir = GLib.dir_make_tmp('lt-tutorial-js-XXXXXX');
    const python = '/usr/bin/python3';
    const [, , stderr, status] = GLib.spawn_sync(null, [python, script, dir], null,
        GLib.SpawnFlags.DEFAULT, null);
    if (status !== 0)
        throw new Error(`${script} failed: ${new TextDecoder().decode(stderr)}`);
    return dir;
}

function removeTree(file) {
    if (file.query_file_type(Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null) ===
        Gio.FileType.DIRECTORY) {
        const children = file.enumerate_children('standard::name',
            Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
        for (let info; (info = children.next_file(null)) !== null;)
            removeTree(file.get_child(info.get_name()));
        children.close(null);
    }
    file.delete(null);
}

/* (labels, uint8 records) of a fixture file, read here */
function readRecords(root, name) {
    const [, bytes] = GLib.file_get_contents(
        GLib.build_filenamev([root, 'cifar-10-batches-bin', name]));
    const n = bytes.length / 3073;
    const labels = [];
    for (let i = 0; i < n; i++)
        labels.push(bytes[i * 3073]);
    return {labels, bytes};
}

/* width and height from a PNG's IHDR, after its signature */
function pngSize(path) {
    const [, data] = GLib.file_get_contents(path);
    assertEqual(Array.from(data.slice(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
        'PNG signature');
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return [view.getUint32(16), view.getUint32(20)];
}

test('training a classifier on a CIFAR-10 fixture', () => {
    const root = makeFixture();
    try {
        Lt.manual_seed(0);
        // 1. Loading and normalizing CIFAR10
        const transform = Lt.Compose.new([
            Lt.ToTensor.new(),
            Lt.Normalize.new([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]),
        ]);
        const trainset = Lt.Cifar10.new(root, true, transform, null, false, null);
        const testset = Lt.Cifar10.new(root, false, transform, null, false, null);
        const trainloader = Lt.DataLoader.new(trainset, 4, true, false, 2);
        const testloader = Lt.DataLoader.new(testset, 4, true, false, 2);

        const test = readRecords(root, 'test_batch.bin');
        assertEqual(testset.get_length(), test.labels.length, 'test images');
        assertEqual(trainset.get_length(), 200, 'training images');
        for (const i of [0, 13]) {
            const [, image, label] = testset.get_item(i);
            assertEqual(item(label), test.labels[i], `label ${i}`);
            const raw = Array.from(test.bytes.slice(i * 3073 + 1, (i + 1) * 3073));
            assertClose(Array.from(typedArrayView(image.contiguous())),
                raw.map(v => (v / 255 - 0.5) / 0.5), 1e-6, `image ${i} normalized to [-1, 1]`);
        }

        // show some training images: make_grid, saved as a picture
        const [images, labels] = batches(trainloader).next().value;
        assertEqual(size(images), [4, 3, 32, 32], 'a batch of images');
        const grid = Lt.make_grid(images, 8, 2, false, null, false, 0);
        assertEqual(size(grid), [3, 36, 138], 'make_grid of 4 images');
        const png = GLib.build_filenamev([root, 'batch.png']);
        Lt.save_image(grid.div_scalar(2).add_scalar(0.5), png, 8, 2, false, null, false, 0);
        assertEqual(pngSize(png), [138, 36], 'the picture');
        const line = toArray(labels).map(j => classes[j].padStart(5)).join(' ');
        assert(/^( {2}(car|cat|dog)| (bird|deer|frog|ship)|plane|horse|truck)( ( {2}(car|cat|dog)| (bird|deer|frog|ship)|plane|horse|truck)){3}$/.test(line), line);

        // 2.-3. the network, its loss and optimizer
        const net = new Net(3);
        assert(`${net}`.startsWith('Net(\n  (conv1): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))\n' +
            '  (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n'),
        `${net}`);
        const criterion = Lt.CrossEntropyLoss.new(null, -100, Lt.Reduction.MEAN, 0);
        const optimizer = Lt.SGD.new(net.parameters(), 0.001, 0.9, 0, 0, false);

        // 4. train: 10 epochs of 50 mini-batches, the running loss every 25
        const lines = [];
        const losses = [];
        for (let epoch = 0; epoch < 10; epoch++) {
            let runningLoss = 0.0;
            let i = 0;
            for (const [inputs, targets] of trainloader) {
                optimizer.zero_grad(false);
                const loss = criterion.compute(net.forward(inputs), targets);
                loss.backward(null, false);
                optimizer.step();
                runningLoss += item(loss);
                if (i % 25 === 24) {
                    lines.push(`[${epoch + 1}, ${String(i + 1).padStart(5)}] loss: ` +
                        `${(runningLoss / 25).toFixed(3)}`);
                    losses.push(runningLoss / 25);
                    runningLoss = 0.0;
                }
                i++;
            }
            assertEqual(i, 50, `mini-batches in epoch ${epoch + 1}`);
        }
        assertEqual(lines.length, 20, 'loss lines');
        assertEqual(lines[0].slice(0, 10), '[1,    25]', 'the first line');
        assert(/^\[10, {4}50\] loss: \d+\.\d{3}$/.test(lines[19]), lines[19]);
        assert(Math.abs(losses[0] - Math.log(10)) < 0.05, `chance at the start: ${losses[0]}`);
        assert(Math.max(losses[18], losses[19]) < losses[0] - 0.3, `it learned: ${lines}`);

        // 5. test: the predictions are the argmax of the outputs, computed here
        const [testImages] = batches(testloader).next().value;
        const outputs = toArray(net.forward(testImages));
        const predicted = flat(net.forward(testImages).max_dim(1, false)[1]);
        assertEqual(predicted, outputs.map(row => row.indexOf(Math.max(...row))), 'torch.max(outputs, 1)');

        // accuracy, overall and per class
        const classCorrect = new Array(10).fill(0), classTotal = new Array(10).fill(0);
        noGrad(() => {
            for (const [inputs, targets] of testloader) {
                const rows = toArray(net.forward(inputs));
                toArray(targets).forEach((label, i) => {
                    const p = rows[i].indexOf(Math.max(...rows[i]));
                    classCorrect[label] += p === label ? 1 : 0;
                    classTotal[label] += 1;
                });
            }
        });
        const perClass = test.labels.reduce((t, l) => {
            t[l]++;
            return t;
        }, new Array(10).fill(0));
        assertEqual(classTotal, perClass, 'test images per class');
        const correct = classCorrect.reduce((a, b) => a + b, 0);
        assert(correct > 0.3 * test.labels.length, `accuracy ${correct} of ${test.labels.length}`);
    } finally {
        removeTree(Gio.File.new_for_path(root));
    }
});

test('errors: shapes named, exceptions in a JS forward reach the caller', () => {
    assertThrows(() => Lt.rand([5, 3], F32).add(Lt.rand([4], F32)),
        e => {
            assert(e.matches(Lt.Error, Lt.Error.SHAPE), `${e}`);
            assert(e.message.includes('add') && e.message.includes('[5, 3]') &&
                   e.message.includes('[4]'), e.message);
        }, 'a shape mistake');
    assertThrows(() => new Net(3).forward(Lt.randn([1, 1, 32, 32], F32)),
        e => assert(e.matches(Lt.Error, Lt.Error.SHAPE) && e.message.includes('conv2d'), `${e}`),
        '1-channel images into the 3-channel network');
    const net = new Net();
    for (const caller of [net, Lt.Sequential.new([Lt.ReLU.new(false), net])]) {
        assertThrows(() => caller.forward(Lt.randn([32, 32], F32)),
            e => {
                assert(e instanceof RangeError, `got ${e}, not the RangeError`);
                assertEqual(e.message, 'Net takes (N, C, H, W) images, not 2 dimensions', 'message');
            }, 'an exception in vfunc_forward');
    }
});

run({tap: true});
