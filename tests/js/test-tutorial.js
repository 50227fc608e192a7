// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The tutorial's Tensors and Autograd sections from gjs, with methods in
// place of Python's operators: x.add(y) for x + y, x.select(1, 1) for
// x[:, 1], x.mul_scalar(2) for x * 2. Run with `gjs -m`; exits 1 when a
// check fails.

import GLib from 'gi://GLib';

import Lt, {tensor, toArray, toTypedArray, noGrad, size} from '../../gi/js/lt.js';
import {AssertionError, assert, assertEqual, flat, test, run} from './harness.js';

const F32 = Lt.DType.FLOAT32;

/* Fails unless fn throws a GLib.Error in Lt.Error with this code whose
 * message contains every needle; returns the error. */
function assertThrowsLt(code, fn, what, needles = []) {
    try {
        fn();
    } catch (e) {
        assert(e instanceof GLib.Error, `${what}: threw ${e}, not a GLib.Error`);
        assert(e.matches(Lt.Error, code),
            `${what}: error ${e.domain}:${e.code} '${e.message}' is not Lt.Error code ${code}`);
        for (const n of needles)
            assert(e.message.includes(n), `${what}: message '${e.message}' lacks '${n}'`);
        return e;
    }
    throw new AssertionError(`${what}: no error thrown`);
}

/* ---- Tensors ---- */

test('empty 5x3 (torch.Tensor(5, 3))', () => {
    const x = Lt.empty([5, 3], F32);
    assertEqual(size(x), [5, 3], 'shape');
    assertEqual(x.get_dtype(), F32, 'dtype');
    assert(x.to_string().endsWith('[Lt.FloatTensor of size 5x3]\n'), `to_string: ${x}`);
    assert(`${x}`.endsWith('[Lt.FloatTensor of size 5x3]\n'), 'template string uses to_string()');
});

test('rand 5x3 and its size', () => {
    Lt.manual_seed(7);
    const x = Lt.rand([5, 3], F32);
    assertEqual(size(x), [5, 3], 'x.size()');
    assertEqual(x.get_size(0), 5, 'x.size(0)');
    assertEqual(x.get_size(-1), 3, 'x.size(-1)');
    assertEqual(x.numel(), 15, 'numel');
    const v = flat(x);
    assert(v.every(e => e >= 0 && e < 1), `rand values in [0, 1): ${v}`);
    assert(new Set(v).size > 1, 'rand values differ');
    const lines = x.to_string().split('\n');
    assertEqual(lines.length, 7, 'five rows, the type line and a final newline');
    assertEqual(lines[5], '[Lt.FloatTensor of size 5x3]', 'type line');
    for (let i = 0; i < 5; i++)
        assert(/^( +\d\.\d{4}){3}$/.test(lines[i]), `row ${i} in the tutorial's form: '${lines[i]}'`);

    /* The same seed gives the same stream. */
    Lt.manual_seed(7);
    assertEqual(flat(Lt.rand([5, 3], F32)), v, 'manual_seed repeats the stream');
});

test('addition: x.add(y), add_out into a result, y.add_(x)', () => {
    const x = Lt.rand([5, 3], F32);
    const y = Lt.rand([5, 3], F32);
    const xv = flat(x), yv = flat(y);
    const want = xv.map((a, i) => Math.fround(a + yv[i]));

    /* Syntax 1 and 2: x + y, torch.add(x, y) */
    assertEqual(flat(x.add(y)), want, 'x.add(y)');

    /* An output tensor: torch.add(x, y, out=result) */
    const result = Lt.empty([5, 3], F32);
    assert(x.add_out(y, result), 'add_out returns true');
    assertEqual(flat(result), want, 'result');

    /* In place: y.add_(x) */
    const version = y.get_version();
    assert(y.add_(x), 'add_ returns true');
    assertEqual(flat(y), want, 'y after add_');
    assert(y.get_version() > version, 'add_ bumps the version');
    assertEqual(flat(x), xv, 'x unchanged');
});

test('x[:, 1] is a view: writing through it changes x', () => {
    const x = Lt.rand([5, 3], F32);
    const before = toArray(x);
    const col = x.select(1, 1);
    assertEqual(size(col), [5], 'shape of x[:, 1]');
    assertEqual(toArray(col), before.map(r => r[1]), 'values of x[:, 1]');
    assert(col.shares_storage(x), 'shares storage');
    assert(col.to_string().endsWith('[Lt.FloatTensor of size 5]\n'), 'type line');

    assert(col.fill_(7), 'fill_');
    const after = toArray(x);
    for (let i = 0; i < 5; i++) {
        assertEqual(after[i][1], 7, `x[${i}, 1] written through the view`);
        assertEqual([after[i][0], after[i][2]], [before[i][0], before[i][2]],
            `x[${i}, 0] and x[${i}, 2] unchanged`);
    }
});

test('ones(5) and add_scalar_(1)', () => {
    const a = Lt.ones([5], F32);
    assertEqual(a.to_string(), ' 1\n 1\n 1\n 1\n 1\n[Lt.FloatTensor of size 5]\n', 'print(a)');
    assert(a.add_scalar_(1), 'add_scalar_');
    assertEqual(toArray(a), [2, 2, 2, 2, 2], 'a after add_(1)');
    assertEqual(a.to_string(), ' 2\n 2\n 2\n 2\n 2\n[Lt.FloatTensor of size 5]\n', 'print(a)');
});

test('typed-array access to the data', () => {
    const t = tensor([[1.5, -2.25], [3.0, 1e-3]]);
    const bytes = t.to_bytes();
    assertEqual(bytes.get_size(), 16, 'four float32 elements');
    const u8 = bytes.toArray();
    const f = new Float32Array(u8.buffer, u8.byteOffset, 4);
    assertEqual(Array.from(f), [1.5, -2.25, 3.0, Math.fround(1e-3)], 'Float32Array over the bytes');

    /* toArray() shares the GBytes' memory: two arrays see one another. */
    const again = new Float32Array(bytes.toArray().buffer, u8.byteOffset, 4);
    f[0] = 10;
    assertEqual(again[0], 10, 'second view over the same bytes');
    /* The bytes are a copy of the tensor's elements. */
    assertEqual(flat(t)[0], 1.5, 'tensor unchanged by writes to the copy');

    /* A non-contiguous view reads in row-major order. */
    assertEqual(Array.from(toTypedArray(t.t())), [1.5, 3.0, -2.25, Math.fround(1e-3)], 't().to_bytes()');
});

/* ---- Autograd ---- */

test('autograd: out = mean(3 (x + 2)^2), x.grad is 4.5', () => {
    const x = Lt.ones([2, 2], F32);
    x.set_requires_grad(true);
    assert(x.requires_grad && x.is_leaf && x.grad_fn === null, 'x is a leaf requiring grad');
    assertEqual(x.to_string(), ' 1  1\n 1  1\n[Lt.FloatTensor of size 2x2]\n', 'print(x)');

    const y = x.add_scalar(2);
    assertEqual(y.to_string(), ' 3  3\n 3  3\n[Lt.FloatTensor of size 2x2]\n', 'print(y)');
    assertEqual(y.grad_fn.get_name(), 'AddBackward0', 'y.grad_fn');
    assertEqual(`${y.grad_fn}`, '<AddBackward0>', 'y.grad_fn printed');
    assert(!y.is_leaf, 'y is not a leaf');

    const z = y.mul(y).mul_scalar(3);
    const out = z.mean();
    assertEqual(toArray(z), [[27, 27], [27, 27]], 'z');
    assertEqual(z.grad_fn.get_name(), 'MulBackward0', 'z.grad_fn');
    assertEqual(toArray(out), 27, 'out');
    assertEqual(size(out), [], 'out is 0-dim');
    assertEqual(out.grad_fn.get_name(), 'MeanBackward0', 'out.grad_fn');

    out.backward(null, false);
    /* d(out)/dx_i = 3/2 (x_i + 2) = 4.5 at x_i = 1 */
    assertEqual(toArray(x.grad), [[4.5, 4.5], [4.5, 4.5]], 'x.grad');
    assert(x.grad.to_string().includes(' 4.5000  4.5000\n'), `print(x.grad): ${x.grad}`);
    assert(y.grad === null, 'a non-leaf keeps no grad');

    /* Without retain_graph the saved tensors are gone. */
    assertThrowsLt(Lt.Error.AUTOGRAD, () => out.backward(null, false), 'second backward');
});

test('autograd: doubling loop and y.backward(gradients)', () => {
    Lt.manual_seed(3);
    const x = Lt.randn([3], F32);
    x.set_requires_grad(true);
    const xv = flat(x);

    let y = x.mul_scalar(2);
    let k = 1;
    while (toArray(y.norm(2)) < 1000) {
        y = y.mul_scalar(2);
        k++;
    }
    const scale = 2 ** k;
    assertEqual(flat(y), xv.map(v => v * scale), `y = x * 2^${k}`);
    const norm = Math.hypot(...xv) * scale;
    assert(norm >= 1000 && norm / 2 < 1000, `the loop stops at the first norm >= 1000: ${norm}`);
    assertEqual(y.grad_fn.get_name(), 'MulBackward0', 'y.grad_fn');

    /* A non-scalar output needs a gradient. */
    assertThrowsLt(Lt.Error.AUTOGRAD, () => y.backward(null, false), 'backward of a vector without gradient');

    const gradients = tensor([0.1, 1.0, 0.0001]);
    y.backward(gradients, false);
    assertEqual(flat(x.grad), [0.1, 1.0, 0.0001].map(g => Math.fround(g) * scale),
        `x.grad = 2^${k} * [0.1, 1.0, 0.0001]`);
});

test('errors are GLib.Error in the Lt.Error domain', () => {
    const x = Lt.rand([5, 3], F32);
    const before = flat(x);
    const e = assertThrowsLt(Lt.Error.SHAPE, () => x.add(Lt.ones([4], F32)), 'add [5, 3] + [4]',
        ['add', '[5, 3]', '[4]']);
    assertEqual(e.domain, Lt.error_quark(), 'domain quark');
    assert(e instanceof Lt.Error, 'gjs gives the error the domain\'s class');
    assertThrowsLt(Lt.Error.SHAPE, () => x.add_(Lt.ones([4], F32)), 'add_ [5, 3] + [4]');
    assertEqual(flat(x), before, 'x unchanged by the failed add_');

    assertThrowsLt(Lt.Error.INDEX, () => x.select(1, 3), 'x[:, 3]');
    assertThrowsLt(Lt.Error.INDEX, () => x.select(2, 0), 'select on dim 2 of a matrix');
    assertThrowsLt(Lt.Error.SHAPE, () => x.view([4, 4]), 'view 5x3 as 4x4');
    assertThrowsLt(Lt.Error.SHAPE, () => x.t().view([15]), 'view of a transposed tensor');
    assertThrowsLt(Lt.Error.DTYPE, () => Lt.ones([2], Lt.DType.INT64).set_requires_grad(true),
        'integer tensor requiring grad');
});

test('no-grad with Lt.no_grad(callback)', () => {
    const x = Lt.ones([2], F32);
    x.set_requires_grad(true);
    let y = null, inside = null;
    Lt.no_grad(() => {
        inside = Lt.is_grad_enabled();
        y = x.mul_scalar(2);
    });
    assertEqual(inside, false, 'grad mode off inside');
    assert(Lt.is_grad_enabled(), 'grad mode back on');
    assert(!y.requires_grad && y.grad_fn === null, 'nothing recorded');
    assert(x.mul_scalar(2).requires_grad, 'recorded again outside');
});

test('no-grad with the noGrad() helper', () => {
    const x = Lt.ones([2], F32);
    x.set_requires_grad(true);
    const y = noGrad(() => x.add_scalar(1));
    assert(!y.requires_grad && y.grad_fn === null, 'nothing recorded');
    assert(Lt.is_grad_enabled(), 'grad mode back on');

    let caught = null;
    try {
        noGrad(() => {
            throw new Error('boom');
        });
    } catch (e) {
        caught = e;
    }
    assertEqual(caught?.message, 'boom', 'the exception passes through');
    assert(Lt.is_grad_enabled(), 'grad mode restored after the exception');

    /* Updating a parameter in place, as an optimiser does. */
    const w = tensor([1.0, 2.0], {requiresGrad: true});
    w.mul(w).sum().backward(null, false);
    noGrad(() => w.sub_(w.grad.mul_scalar(0.25)));
    assertEqual(toArray(w), [0.5, 1.0], 'w -= 0.25 * grad under noGrad');
    assert(w.is_leaf && w.grad_fn === null, 'w still a leaf');
});

test('a hook registered from JS replaces the gradient', () => {
    const x = tensor([1.0, 2.0, 3.0], {requiresGrad: true});
    const seen = [];
    const id = x.register_hook(g => {
        seen.push(toArray(g));
        return g.mul_scalar(10);
    });
    assert(id > 0, 'hook id');
    /* d/dx sum(x^2) = 2x */
    x.mul(x).sum().backward(null, false);
    assertEqual(seen, [[2, 4, 6]], 'the hook saw the gradient');
    assertEqual(toArray(x.grad), [20, 40, 60], 'the replacement is accumulated');

    assert(x.remove_hook(id), 'remove_hook');
    x.grad.zero_();
    x.mul(x).sum().backward(null, false);
    assertEqual(toArray(x.grad), [2, 4, 6], 'no hook after removal');

    /* A hook on an intermediate tensor changes what flows to the leaves;
     * returning null keeps the gradient. */
    const a = tensor([1.0, -1.0], {requiresGrad: true});
    const b = a.mul_scalar(3);
    b.register_hook(g => g.neg());
    const c = a.mul_scalar(1);
    c.register_hook(() => null);
    b.add(c).sum().backward(null, false);
    assertEqual(toArray(a.grad), [-2, -2], 'hooked -3 from b plus untouched 1 from c');
});

run({tap: true});
