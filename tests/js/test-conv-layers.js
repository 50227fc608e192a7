// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Conv1d and ConvTranspose2d (libtensor/nn/lt-conv1d.c,
// lt-conv-transpose2d.c) and their ops from gjs: values worked out by hand,
// shapes, printed forms, gradients and errors. Run with `gjs -m`; exits 1
// when a check fails.

import Lt, {tensor, size} from '../../gi/js/lt.js';
import {assertEqual, assertThrows, flat, test, run} from './harness.js';

test('conv1d: windows of two, stride 1, padding 1', () => {
    const F32 = {dtype: Lt.DType.FLOAT32};
    const y = Lt.conv1d(tensor([[[1, 2, 3]]], F32), tensor([[[1, 10]]], F32), tensor([0.5]),
        1, 1, 1, 1);
    // windows [0 1] [1 2] [2 3] [3 0]
    assertEqual(flat(y), [10.5, 21.5, 32.5, 3.5], 'values');
    assertEqual(size(y), [1, 1, 4], 'shape');
});

test('conv_transpose2d: each pixel spreads the filter, stride 2', () => {
    const x = tensor([[[[1, 2]]]], {requiresGrad: true});
    const w = tensor([[[[1, 2], [3, 4]]]], {requiresGrad: true});
    const y = Lt.conv_transpose2d(x, w, null, [2, 2], null, null, null, 1);
    assertEqual(size(y), [1, 1, 2, 4], 'shape');
    assertEqual(flat(y), [1, 2, 2, 4, 3, 4, 6, 8], 'values');
    assertEqual(y.get_grad_fn().get_name(), 'ConvolutionBackward0', 'node');
    y.sum().backward(null, false);
    assertEqual(flat(x.get_grad()), [10, 10], 'input gradient: the filter summed');
    assertEqual(flat(w.get_grad()), [3, 3, 3, 3], 'weight gradient: the input summed');
});

test('layers: shapes and printed forms as PyTorch', () => {
    const c1 = Lt.Conv1d.new(2, 4, 3, 2, 1, 1, 2, false);
    assertEqual(`${c1}`, 'Conv1d(2, 4, kernel_size=(3,), stride=(2,), padding=(1,), groups=2, ' +
        'bias=False)', 'Conv1d');
    assertEqual(size(c1.forward(Lt.randn([5, 2, 9], Lt.DType.FLOAT32))), [5, 4, 5], 'Conv1d out');
    const ct = Lt.ConvTranspose2d.new(4, 2, [3, 3], [2, 2], [1, 1], [1, 1], 1, true, null);
    assertEqual(`${ct}`, 'ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2), ' +
        'padding=(1, 1), output_padding=(1, 1))', 'ConvTranspose2d');
    assertEqual(size(ct.get_parameter('weight')), [4, 2, 3, 3], 'weight shape');
    assertEqual(size(ct.forward(Lt.randn([3, 4, 5, 6], Lt.DType.FLOAT32))), [3, 2, 10, 12],
        'ConvTranspose2d out');
});

test('errors name the op', () => {
    assertThrows(() => Lt.ConvTranspose2d.new(2, 2, [3, 3], [1, 1], null, [1, 1], 1, true, null),
        e => e.message.includes('output_padding'), 'output padding past the stride');
    assertThrows(() => Lt.conv_transpose2d(Lt.randn([1, 3, 4, 4], Lt.DType.FLOAT32),
        Lt.randn([4, 2, 3, 3], Lt.DType.FLOAT32), null, null, null, null, null, 1),
    e => e.message.startsWith('conv_transpose2d:'), 'channels');
});

run();
