#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reference suite for the tensor ops PyTorch's tutorials reach for
beyond the basics, side by side with PyTorch: values, result dtypes,
gradients, autograd node names and the errors of the same bad inputs
(test_reference.py has the machinery).  The math functions (ops/lt-math.c,
gi/overrides/_lt/math.py): rounding, the inverse and hyperbolic
trigonometric functions, erf, logarithms and powers of other bases,
reciprocal, square, the bitwise ops, clamp with tensor bounds, the in-place
forms of every pointwise function of one input; the in-place view ops
(ops/lt-shape-inplace.c)."""

import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi  # noqa: E402
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

from test_reference import TORCH_ERRORS, ReferenceCase, arr  # noqa: E402

# name: keyword arguments of arr() giving inputs inside the domain
FLOAT_RESULT = {
    'log1p': {'low': -0.9, 'high': 3}, 'expm1': {}, 'asin': {'low': -0.95, 'high': 0.95},
    'acos': {'low': -0.95, 'high': 0.95}, 'atan': {}, 'sinh': {}, 'cosh': {}, 'asinh': {},
    'acosh': {'low': 1.1, 'high': 4}, 'atanh': {'low': -0.95, 'high': 0.95},
    'tan': {'low': -1.2, 'high': 1.2}, 'erf': {}, 'erfc': {}, 'log2': {'positive': True},
    'log10': {'positive': True}, 'exp2': {}, 'reciprocal': {'positive': True},
}
ROUNDING = ('ceil', 'floor', 'round', 'trunc')
ALIASES = {'arcsin': 'asin', 'arccos': 'acos', 'arctan': 'atan', 'arcsinh': 'asinh',
           'arccosh': 'acosh', 'arctanh': 'atanh', 'fix': 'trunc', 'negative': 'neg',
           'absolute': 'abs'}
# every pointwise function of one input that has an in-place form
INPLACE = ('neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh',
           'sigmoid', 'relu', 'logical_not', 'frac', 'square') + ROUNDING + tuple(FLOAT_RESULT)
DOMAIN = dict(FLOAT_RESULT, log={'positive': True}, sqrt={'positive': True},
              rsqrt={'positive': True})
INT_DTYPES = ('int64', 'int32', 'int16', 'int8', 'uint8')


def node_name(t):
    return type(t.grad_fn).__name__ if isinstance(t, torch.Tensor) else t.grad_fn.name()


class TestUnary(ReferenceCase):

    def test_float_result(self):
        for name, kw in FLOAT_RESULT.items():
            for dt in ('float32', 'float64'):
                with self.subTest(op=name, dtype=dt):
                    self.both(lambda m, t: getattr(t, name)(), arr((3, 5), dt, **kw), grad=True,
                              what='%s %s' % (name, dt))
                    self.both(lambda m, t: getattr(m, name)(t), arr((4,), dt, **kw),
                              what='Lt.%s %s' % (name, dt))
            for dt in INT_DTYPES + ('bool',):
                with self.subTest(op=name, dtype=dt):
                    self.both(lambda m, t: getattr(t, name)(), arr((3, 5), dt, positive=True),
                              what='%s %s' % (name, dt))

    def test_outside_the_domain(self):
        x = np.array([-2, -1, -0.5, 0, 0.5, 1, 2, np.inf, -np.inf, np.nan], dtype='float64')
        for name in FLOAT_RESULT:
            with self.subTest(op=name):
                self.both(lambda m, t: getattr(t, name)(), x, what='%s domain' % name)

    def test_rounding(self):
        halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -0.0, 3.7, -3.7, np.nan, np.inf],
                          dtype='float32')
        for name in ROUNDING + ('frac',):
            with self.subTest(op=name):
                self.both(lambda m, t: getattr(t, name)(), halves, what='%s halves' % name)
                self.both(lambda m, t: getattr(t, name)(), arr((3, 4), 'float64', -5, 5),
                          grad=True, what='%s float64' % name)
            for dt in INT_DTYPES + ('bool',):
                with self.subTest(op=name, dtype=dt):
                    self.both(lambda m, t: getattr(t, name)(), arr((5,), dt),
                              what='%s %s' % (name, dt))
        x = arr((2, 5), 'float32', -20, 20)
        for d in (1, 2, -1):
            with self.subTest(decimals=d):
                self.both(lambda m, t: t.round(decimals=d), x, what='round(decimals=%d)' % d)
                self.both(lambda m, t: m.round(t, decimals=d), x, what='Lt.round(decimals)')

    def test_square(self):
        for dt in ('float32', 'float64') + INT_DTYPES + ('bool',):
            with self.subTest(dtype=dt):
                self.both(lambda m, t: t.square(), arr((3, 4), dt), grad=True,
                          what='square %s' % dt)
                self.both(lambda m, t: m.square(t), arr((3,), dt), what='Lt.square %s' % dt)

    def test_aliases(self):
        for alias, name in ALIASES.items():
            kw = DOMAIN.get(name, {})
            with self.subTest(alias=alias):
                self.both(lambda m, t: getattr(t, alias)(), arr((4,), **kw), grad=True,
                          what=alias)
                self.both(lambda m, t: getattr(m, alias)(t), arr((4,), **kw), what='Lt.' + alias)

    def test_node_names(self):
        x = arr((3,), low=1.1, high=1.4)
        for name in tuple(FLOAT_RESULT) + ROUNDING + ('frac', 'square'):
            with self.subTest(op=name):
                names = [node_name(getattr(m.tensor(x, requires_grad=True), name)())
                         for m in (torch, Lt)]
                self.assertEqual(names[1], names[0])

    def test_inplace(self):
        """x.op_() returns x, writes the values torch writes, and a float
        result in an integer tensor is an error in both."""
        for name in INPLACE:
            kw = DOMAIN.get(name, {})
            for dt in ('float32', 'float64'):
                with self.subTest(op=name, dtype=dt):
                    def fn(m, t):
                        y = t.clone()
                        r = getattr(y, name + '_')()
                        self.assertIs(r, y)
                        return y
                    # torch has no in-place derivative of asinh_, acosh_, atanh_
                    self.both(fn, arr((3, 4), dt, **kw), what='%s_ %s' % (name, dt),
                              grad=name not in ('logical_not', 'asinh', 'acosh', 'atanh'))
            with self.subTest(op=name, dtype='int64'):
                self.both(lambda m, t: getattr(t.clone(), name + '_')(),
                          arr((5,), 'int64', positive=True), what='%s_ int64' % name)
        for alias in ('arcsin', 'negative', 'fix'):
            self.both(lambda m, t: getattr(t.clone(), alias + '_')(), arr((4,), low=-0.9, high=0.9),
                      what=alias + '_')
        self.both(lambda m, t: t.clone().round_(decimals=1), arr((5,), low=-9, high=9),
                  what='round_(decimals=1)')

    def test_inplace_on_a_view(self):
        """An in-place function through a transposed view writes the base;
        after another op, the gradient flows through both."""
        def fn(m, t):
            y = t.clone()
            y.t().sin_()
            return y
        self.both(fn, arr((3, 4)), what='sin_ of a view')

        def fn2(m, t):
            y = t * 2
            y.erf_()
            return y
        self.both(fn2, arr((5,)), grad=True, what='erf_ after mul')


class TestBitwise(ReferenceCase):

    OPS = {'and': lambda a, b: a & b, 'or': lambda a, b: a | b, 'xor': lambda a, b: a ^ b,
           'bitwise_and': lambda a, b: a.bitwise_and(b),
           'bitwise_or': lambda a, b: a.bitwise_or(b),
           'bitwise_xor': lambda a, b: a.bitwise_xor(b)}
    DTYPES = INT_DTYPES + ('bool', 'float32')

    def test_dtype_matrix(self):
        for name, op in self.OPS.items():
            for da in self.DTYPES:
                for db in self.DTYPES:
                    with self.subTest(op=name, a=da, b=db):
                        self.both(lambda m, x, y: op(x, y), arr((3, 4), da, -100, 100),
                                  arr((4,), db, -100, 100), what='%s(%s, %s)' % (name, da, db))

    def test_numbers_and_functions(self):
        x = arr((2, 3), 'int32', -50, 50)
        for v in (3, -1, True):
            self.both(lambda m, t: t & v, x, what='& %r' % v)
            self.both(lambda m, t: v | t, x, what='%r |' % v)
            self.both(lambda m, t: t ^ v, x, what='^ %r' % v)
        self.both(lambda m, t: t & 2.5, x, what='& 2.5')
        b = arr((5,), 'bool')
        self.both(lambda m, t: t & True, b, what='bool & True')
        self.both(lambda m, t: t ^ True, b, what='bool ^ True')
        for name in ('bitwise_and', 'bitwise_or', 'bitwise_xor'):
            self.both(lambda m, t, u: getattr(m, name)(t, u), x, arr((3,), 'int64'),
                      what='Lt.' + name)

    def test_not(self):
        for dt in self.DTYPES:
            with self.subTest(dtype=dt):
                self.both(lambda m, t: ~t, arr((3, 4), dt, -100, 100), what='~ %s' % dt)
                self.both(lambda m, t: t.bitwise_not(), arr((3, 4), dt, -100, 100),
                          what='bitwise_not %s' % dt)
                self.both(lambda m, t: m.bitwise_not(t), arr((4,), dt, -100, 100),
                          what='Lt.bitwise_not %s' % dt)

    def test_inplace(self):
        for dt in INT_DTYPES + ('bool',):
            with self.subTest(dtype=dt):
                def fn(m, t, u):
                    y = t.clone()
                    y &= u
                    y |= t
                    y ^= u
                    return y
                self.both(fn, arr((3, 4), dt, -100, 100), arr((4,), dt, -100, 100),
                          what='&= |= ^= %s' % dt)
                for name in ('bitwise_and_', 'bitwise_or_', 'bitwise_xor_', 'bitwise_not_'):
                    def fn2(m, t, u):
                        y = t.clone()
                        r = getattr(y, name)(u) if name != 'bitwise_not_' else y.bitwise_not_()
                        self.assertIs(r, y)
                        return y
                    self.both(fn2, arr((3, 4), dt, -100, 100), arr((4,), dt, -100, 100),
                              what='%s %s' % (name, dt))
        # int into bool in place, float operands: errors in both
        self.both(lambda m, t, u: t.clone().bitwise_and_(u), arr((3,), 'bool'),
                  arr((3,), 'int64'), what='bitwise_and_ int into bool')
        self.both(lambda m, t: t.clone().bitwise_not_(), arr((3,)), what='bitwise_not_ float')


class TestClampTensor(ReferenceCase):

    def test_bounds(self):
        x = arr((4, 5))
        lo, hi = arr((5,), low=-1, high=0), arr((4, 1), low=0, high=1)
        self.both(lambda m, t, a, b: t.clamp(a, b), x, lo, hi, grad=True, what='clamp(lo, hi)')
        self.both(lambda m, t, a: t.clamp(min=a), x, lo, grad=True, what='clamp(min=lo)')
        self.both(lambda m, t, b: t.clamp(max=b), x, hi, grad=True, what='clamp(max=hi)')
        self.both(lambda m, t, a, b: m.clamp(t, a, b), x, lo, hi, grad=True, what='Lt.clamp')
        self.both(lambda m, t, a, b: t.clip(a, b), x, lo, hi, grad=True, what='clip')
        # crossed bounds (max wins), broadcasting of x itself (torch 1.13's
        # backward fails there: values only), a rank-0 bound
        self.both(lambda m, t, a, b: t.clamp(b, a), x, lo, hi, grad=True, what='crossed')
        self.both(lambda m, t, a, b: t.clamp(a, b), arr((5,)), arr((3, 5), low=-1, high=0),
                  arr(()), what='broadcast x')
        self.both(lambda m, t, a, b: t.clamp(a, b), x, arr((5,)), arr(()), grad=True,
                  what='rank-0 bound')
        self.both(lambda m, t, a: t.clamp(max=a), x, arr((5,), 'bool'), what='bool bound')

    def test_node_and_dtypes(self):
        x = arr((3,))
        names = [node_name(m.tensor(x, requires_grad=True).clamp(m.zeros(3), m.ones(3)))
                 for m in (torch, Lt)]
        self.assertEqual(names[1], names[0])
        self.both(lambda m, t, a: t.clamp(min=a), arr((3, 4), 'int64'), arr((4,), 'int64'),
                  what='int64')
        self.both(lambda m, t, a: t.clamp(min=a), arr((3, 4), 'int32'), arr((4,), 'float32'),
                  what='int32 with float bounds')
        self.both(lambda m, t, a: t.clamp(min=a), arr((3, 4)), arr((4,), 'float64'),
                  what='float32 with float64 bounds')

    def test_inplace(self):
        def fn(m, t, a, b):
            y = t * 1
            r = y.clamp_(a, b)
            self.assertIs(r, y)
            return y
        self.both(fn, arr((4, 5)), arr((5,), low=-1, high=0), arr((4, 1), low=0, high=1),
                  grad=True, what='clamp_(lo, hi)')
        self.both(lambda m, t, a: t.clone().clamp_(min=a), arr((3,), 'int64'),
                  arr((3,), 'float32'), what='clamp_ float bounds into int64')
        self.both(lambda m, t, a: t.clone().clamp_(min=a), arr((3,)), arr((2, 3)),
                  what='clamp_ bounds broadcasting self')


class TestInplaceViews(ReferenceCase):

    CASES = [
        ('unsqueeze_(0)', (3, 4), lambda t: t.unsqueeze_(0)),
        ('unsqueeze_(-1)', (3, 4), lambda t: t.unsqueeze_(-1)),
        ('squeeze_()', (3, 1, 4, 1), lambda t: t.squeeze_()),
        ('squeeze_(1)', (3, 1, 4), lambda t: t.squeeze_(1)),
        ('squeeze_(0) of size 3', (3, 4), lambda t: t.squeeze_(0)),
        ('transpose_(0, 1)', (3, 4), lambda t: t.transpose_(0, 1)),
        ('transpose_(0, -1)', (2, 3, 4), lambda t: t.transpose_(0, -1)),
    ]

    def test_values_and_gradients(self):
        for name, shape, op in self.CASES:
            with self.subTest(op=name):
                def fn(m, t):
                    y = t * 2
                    r = op(y)
                    self.assertIs(r, y)
                    self.assertEqual(tuple(y.stride()), tuple(
                        op(t.detach().clone() * 2).stride()))
                    return y.contiguous() * y.contiguous()
                self.both(fn, arr(shape), grad=True, what=name)

    def test_node_names(self):
        for name, shape, op in self.CASES:
            with self.subTest(op=name):
                names = [type(op(m.ones(*shape, requires_grad=True) * 1).grad_fn).__name__
                         if m is torch else op(m.ones(*shape, requires_grad=True) * 1)
                         .grad_fn.name() for m in (torch, Lt)]
                self.assertEqual(names[1], names[0])

    def test_view_of_a_tensor_that_requires_grad(self):
        def fn(m, t):
            y = t * 3
            v = y[1]
            v.unsqueeze_(0)
            return v * v
        self.both(fn, arr((3, 4)), grad=True, what='unsqueeze_ of a view')


class TestVarStd(ReferenceCase):

    def test_correction_and_dims(self):
        x = arr((4, 3, 5), 'float64')
        for name in ('var', 'std'):
            # torch 1.13 takes correction only beside dim (None: every dim)
            for kw in ({}, {'unbiased': False}, {'dim': None, 'correction': 0},
                       {'dim': None, 'correction': 2},
                       {'dim': 1}, {'dim': (0, 2)}, {'dim': [-1], 'keepdim': True},
                       {'dim': (0, 2), 'correction': 0, 'keepdim': True},
                       {'dim': 1, 'unbiased': False},
                       {'dim': None, 'keepdim': True, 'correction': 3}):
                with self.subTest(op=name, **kw):
                    self.both(lambda m, t: getattr(t, name)(**kw), x, grad=True,
                              what='%s %r' % (name, kw))
                    self.both(lambda m, t: getattr(m, name)(t, **kw), x,
                              what='Lt.%s %r' % (name, kw))
        self.both(lambda m, t: t.var(1, True, True), arr((3, 4)), grad=True,
                  what='var positional')
        self.both(lambda m, t: t.std(0, correction=5), arr((3, 4)), what='std with N <= correction')
        self.both(lambda m, t: t.var(), arr((3,), 'int64'), what='var of ints')


class TestErrors(unittest.TestCase):
    """The same bad inputs raise in both; Lt's message names the op."""

    BAD = [
        ('frac of int', lambda m: m.tensor([1, 2]).frac()),
        ('frac of bool', lambda m: m.tensor([True]).frac()),
        ('ceil of bool', lambda m: m.tensor([True]).ceil()),
        ('round of bool', lambda m: m.tensor([True]).round()),
        ('log1p_ of int', lambda m: m.tensor([1, 2]).log1p_()),
        ('reciprocal_ of int', lambda m: m.tensor([1, 2]).reciprocal_()),
        ('square_ of bool', lambda m: m.tensor([True]).square_()),
        ('bitwise_and of float', lambda m: m.ones(2).bitwise_and(m.ones(2, dtype=m.int64))),
        ('bitwise_not of float', lambda m: m.ones(2).bitwise_not()),
        ('bitwise_xor shapes', lambda m: m.ones(2, dtype=m.int64) ^ m.ones(3, dtype=m.int64)),
        ('clamp shapes', lambda m: m.ones(2, 3).clamp(m.zeros(2))),
        ('unsqueeze_ dim', lambda m: m.ones(2, 3).unsqueeze_(3)),
        ('squeeze_ dim', lambda m: m.ones(2, 3).squeeze_(2)),
        ('transpose_ dim', lambda m: m.ones(2, 3).transpose_(0, 2)),
        ('unsqueeze_ of a leaf', lambda m: m.ones(2, requires_grad=True).unsqueeze_(0)),
    ]

    def test_bad_inputs(self):
        for name, fn in self.BAD:
            with self.subTest(case=name):
                th_err = lt_err = None
                try:
                    fn(torch)
                except TORCH_ERRORS as e:
                    th_err = e
                try:
                    fn(Lt)
                except GLib.Error as e:
                    lt_err = e
                self.assertIsNotNone(th_err, '%s: torch does not raise; fix the case' % name)
                self.assertIsNotNone(lt_err, '%s: torch raises %s: %s, Lt does not raise'
                                     % (name, type(th_err).__name__, th_err))
                op = name.split()[0]
                self.assertTrue(lt_err.message.startswith(op + ': '),
                                '%s: the message names the op: %s' % (name, lt_err.message))


if __name__ == '__main__':
    main(verbosity=1)
