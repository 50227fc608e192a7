// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The JavaScript helper module gi/js/lt.js: tensor() and its torch-like
// type inference, toArray(), toTypedArray(), size(), noGrad() and the
// toString() methods. Run with `gjs -m`; exits 1 when a check fails.

import GLib from 'gi://GLib';
import GiLt from 'gi://Lt?version=1.0';

import Lt, {Lt as NamedLt, tensor, toArray, toTypedArray, noGrad, size} from '../../gi/js/lt.js';
import {assert, assertEqual, assertThrows, test, run} from './harness.js';

const {FLOAT32, FLOAT64, INT64, INT32, INT16, INT8, UINT8, BOOL} = Lt.DType;

const isLtError = code => e => e instanceof GLib.Error && e.matches(Lt.Error, code);

test('the module re-exports Lt', () => {
    assert(Lt === GiLt, 'default export is the gi module');
    assert(NamedLt === GiLt, 'named export is the gi module');
});

test('tensor(): shape from the nesting', () => {
    assertEqual(size(tensor([[1, 2, 3], [4, 5, 6]])), [2, 3], '2x3');
    assertEqual(size(tensor([[[1], [2]]])), [1, 2, 1], '1x2x1');
    assertEqual(size(tensor(5)), [], 'a number is 0-dim');
    assertEqual(size(tensor([])), [0], '[] is size 0');
    assertEqual(size(tensor([[], []])), [2, 0], '2x0');
    assertEqual(size(tensor([[[]]])), [1, 1, 0], '1x1x0, as torch');
    assertEqual(toArray(tensor([[1, 2, 3], [4, 5, 6]]).select(1, 2)), [3, 6], 'row-major order');
});

test('tensor(): dtype inferred as torch.tensor() does', () => {
    assertEqual(tensor([1, 2, 3]).get_dtype(), INT64, 'integers -> int64');
    assertEqual(tensor([1, 2.5]).get_dtype(), FLOAT32, 'a fraction -> float32');
    assertEqual(tensor([1, NaN]).get_dtype(), FLOAT32, 'NaN -> float32');
    assertEqual(tensor([Infinity]).get_dtype(), FLOAT32, 'Infinity -> float32');
    assertEqual(tensor([true, false]).get_dtype(), BOOL, 'booleans -> bool');
    assertEqual(tensor([true, 2]).get_dtype(), INT64, 'booleans and integers -> int64');
    assertEqual(tensor([true, 0.5]).get_dtype(), FLOAT32, 'booleans and floats -> float32');
    assertEqual(tensor([]).get_dtype(), FLOAT32, 'empty -> float32');
    assertEqual(tensor(7).get_dtype(), INT64, '0-dim integer');
    assertEqual(tensor(2 ** 53).get_dtype(), FLOAT32, 'beyond 2^53 counts as a float');
    assertEqual(toArray(tensor([2 ** 53 - 1, -(2 ** 53 - 1)])), [2 ** 53 - 1, -(2 ** 53 - 1)],
        'int64 exact up to 2^53');
    assertEqual(toArray(tensor([true, 2])), [1, 2], 'true counts as 1');
});

test('tensor(): typed arrays give their element type', () => {
    const cases = [
        [new Float32Array([1, 2]), FLOAT32],
        [new Float64Array([1, 2]), FLOAT64],
        [new Int32Array([1, -2]), INT32],
        [new Int16Array([1, -2]), INT16],
        [new Int8Array([1, -2]), INT8],
        [new Uint8Array([1, 255]), UINT8],
        [new BigInt64Array([1n, -2n]), INT64],
    ];
    for (const [data, dtype] of cases) {
        const t = tensor(data);
        assertEqual(t.get_dtype(), dtype, data.constructor.name);
        assertEqual(toArray(t), Array.from(data, Number), `${data.constructor.name} values`);
    }
    assertEqual(toArray(tensor([new Float64Array([0.5, 1]), [2, 3]])), [[0.5, 1], [2, 3]],
        'typed arrays nest like arrays');
});

test('tensor(): an explicit dtype wins', () => {
    assertEqual(tensor([1, 2], {dtype: FLOAT64}).get_dtype(), FLOAT64, 'dtype value');
    assertEqual(tensor([1, 2], {dtype: 'int32'}).get_dtype(), INT32, 'dtype name');
    assertEqual(tensor(new Float32Array([1]), {dtype: UINT8}).get_dtype(), UINT8, 'over a typed array');
    assertEqual(toArray(tensor([1.7, -1.7], {dtype: INT64})), [1, -1], 'floats truncate toward zero');
    assertEqual(toArray(tensor([0, 2, -1], {dtype: BOOL})), [false, true, true], 'nonzero is true');
    assertEqual(toArray(tensor([0.1], {dtype: FLOAT64})), [0.1], 'float64 keeps 0.1');
    assertEqual(toArray(tensor([0.1])), [Math.fround(0.1)], 'float32 rounds 0.1');
    assertThrows(() => tensor([1], {dtype: 'float128'}), isLtError(Lt.Error.DTYPE), 'unknown name');
});

test('tensor(): bad input', () => {
    const shape = isLtError(Lt.Error.SHAPE);
    const e = assertThrows(() => tensor([[1, 2], [3]]), shape, 'short row');
    assert(e.message.includes('[1]') && e.message.includes('[2, 2]'), `message names the place: ${e.message}`);
    assertThrows(() => tensor([[1, 2], 3]), shape, 'scalar where a row belongs');
    assertThrows(() => tensor([1, [2]]), shape, 'row where a scalar belongs');
    assertThrows(() => tensor(['a']), e2 => e2 instanceof TypeError, 'a string');
    assertThrows(() => tensor([null]), e2 => e2 instanceof TypeError, 'null');
    assertThrows(() => tensor({length: 1}), e2 => e2 instanceof TypeError, 'not an array');
});

test('tensor(): requiresGrad', () => {
    const x = tensor([1.5, 2.5], {requiresGrad: true});
    assert(x.requires_grad && x.is_leaf, 'requires grad');
    const i = tensor([1, 2], {requiresGrad: true});
    assertEqual(i.get_dtype(), FLOAT32, 'integer data that requires grad is float32');
    assert(i.requires_grad, 'and requires grad');
    assert(!tensor([1.5]).requires_grad, 'off by default');
    assertThrows(() => tensor([1], {dtype: INT64, requiresGrad: true}), isLtError(Lt.Error.DTYPE),
        'an int64 tensor cannot require grad');
});

test('toArray(): nested values back, per dtype', () => {
    assertEqual(toArray(tensor([[1, 2], [3, 4]], {dtype: FLOAT32})), [[1, 2], [3, 4]], 'float32');
    assertEqual(toArray(tensor([[1, 2], [3, 4]], {dtype: UINT8})), [[1, 2], [3, 4]], 'uint8');
    assertEqual(toArray(tensor([true, false])), [true, false], 'bool gives booleans');
    assertEqual(toArray(tensor(2.5)), 2.5, '0-dim gives a bare number');
    assertEqual(toArray(tensor(false)), false, '0-dim bool gives a bare boolean');
    assertEqual(toArray(Lt.zeros([2, 0], FLOAT32)), [[], []], '2x0');
    assertEqual(toArray(tensor([[1, 2, 3], [4, 5, 6]]).t()), [[1, 4], [2, 5], [3, 6]], 'a transposed view');
    assertEqual(toArray(tensor([[1, 2], [3, 4]]).select(1, 0)), [1, 3], 'a strided view');
});

test('toTypedArray(): a copy in the element type', () => {
    const f = toTypedArray(tensor([[1.5, 2], [3, 4]], {dtype: FLOAT32}));
    assert(f instanceof Float32Array, 'Float32Array');
    assertEqual(Array.from(f), [1.5, 2, 3, 4], 'float32 values');
    assert(toTypedArray(tensor([1.5], {dtype: FLOAT64})) instanceof Float64Array, 'Float64Array');
    const big = toTypedArray(tensor([2 ** 40, -3]));
    assert(big instanceof BigInt64Array, 'BigInt64Array for int64');
    assertEqual(Array.from(big, String), [String(2n ** 40n), '-3'], 'int64 values');
    const b = toTypedArray(tensor([true, false, true]));
    assert(b instanceof Uint8Array, 'Uint8Array for bool');
    assertEqual(Array.from(b), [1, 0, 1], 'bool as bytes');
    assertEqual(toTypedArray(Lt.zeros([0], FLOAT32)).length, 0, 'empty');

    const t = tensor([1.5, 2.5]);
    const copy = toTypedArray(t);
    copy[0] = 9;
    assertEqual(toArray(t), [1.5, 2.5], 'writes to the copy leave the tensor alone');
});

test('size()', () => {
    const x = Lt.zeros([5, 3], FLOAT32);
    assertEqual(size(x), [5, 3], 'the shape');
    assert(Array.isArray(size(x)), 'an Array');
    assertEqual(size(x, 0), 5, 'dim 0');
    assertEqual(size(x, -1), 3, 'dim -1');
    assertEqual(size(tensor(1)), [], '0-dim');
    assertThrows(() => size(x, 2), isLtError(Lt.Error.INDEX), 'dim out of range');
});

test('toString(): the tutorial form for print() and template strings', () => {
    const x = tensor([[1, 2], [3, 4]], {dtype: FLOAT32});
    const want = ' 1  2\n 3  4\n[Lt.FloatTensor of size 2x2]\n';
    assertEqual(x.to_string(), want, 'to_string()');
    assertEqual(x.toString(), want, 'toString()');
    assertEqual(`${x}`, want, 'template string');
    assertEqual(String(x), want, 'String()');
    assertEqual(`${tensor([1, 2])}`, ' 1\n 2\n[Lt.LongTensor of size 2]\n', 'int64');

    const y = tensor([1.0, 2.0], {requiresGrad: true}).mul_scalar(2);
    assertEqual(`${y.grad_fn}`, '<MulBackward0>', 'grad_fn');
});

test('noGrad()', () => {
    const x = tensor([1.5], {requiresGrad: true});
    assertEqual(noGrad(() => 42), 42, 'returns what fn returns');
    const y = noGrad(() => x.mul(x));
    assert(!y.requires_grad, 'nothing recorded inside');
    assert(Lt.is_grad_enabled(), 'on again after');

    noGrad(() => {
        noGrad(() => assert(!Lt.is_grad_enabled(), 'off in the inner scope'));
        assert(!Lt.is_grad_enabled(), 'still off after the inner scope');
    });
    assert(Lt.is_grad_enabled(), 'on after nested scopes');

    assertThrows(() => noGrad(() => {
        throw new Error('inner');
    }), e => e.message === 'inner', 'exceptions pass through');
    assert(Lt.is_grad_enabled(), 'restored after an exception');

    const prev = Lt.set_grad_enabled(false);
    try {
        noGrad(() => 0);
        assert(!Lt.is_grad_enabled(), 'stays off when it was off before');
    } finally {
        Lt.set_grad_enabled(prev);
    }
});

test('a throwing gradient hook fails backward() with its own exception', () => {
    const x = tensor([1, 2, 3], {dtype: FLOAT32, requiresGrad: true});
    const err = new RangeError('bad gradient');
    const y = x.mul_scalar(2);
    y.register_hook(() => {
        throw err;
    });
    assertThrows(() => y.sum().backward(), e => e === err, 'the same exception object');
    assert(x.grad === null, 'nothing reached the leaf');

    const z = x.mul_scalar(2);
    z.register_hook(() => 5);
    assertThrows(() => z.sum().backward(null, false), e => e instanceof TypeError,
        'a hook returning a number');

    /* a leaf's hook, and a hook that throws a GLib.Error */
    const gerr = new GLib.Error(Lt.error_quark(), Lt.Error.FAILED, 'leaf hook failed');
    x.register_hook(() => {
        throw gerr;
    });
    assertThrows(() => x.mul_scalar(3).sum().backward(), e => e === gerr, 'a leaf hook');
    assert(x.grad === null, 'still nothing accumulated');

    /* hooks that behave still work through the override */
    const a = tensor([1, 2], {dtype: FLOAT32, requiresGrad: true});
    const b = a.mul_scalar(2);
    b.register_hook(g => g.mul_scalar(10));
    b.sum().backward();
    assertEqual(toArray(a.grad), [20, 20], 'replacement gradient');
});

run({tap: true});
