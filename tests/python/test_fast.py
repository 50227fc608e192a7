#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Tensor methods in C (gi/overrides/_lt/_fast.c) against the Python
methods they replace.

With LT_PYTHON_NO_FAST unset the extension must be built and in use (a
missing or broken build fails here, it does not fall back in silence),
and every C method must give what its Python method gives for a matrix
of operands: tensors of several dtypes and shapes, Python ints, floats
and bools, ints beyond int64, numpy values, lists, None, strings:
the same result (values, dtype, shape, autograd node) or the same
exception (class and message), NotImplemented included.  Backward
through the C operators, backward() raising a hook's own exception and
reference counts are checked too.

With LT_PYTHON_NO_FAST=1 (the `-nofast` tests) the extension must be
left out and the Python methods in place.
"""

import ctypes
import os
import sys
import unittest

from harness import main, require

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')

import gi  # noqa: E402
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

_overrides = sys.modules['gi.overrides.Lt']
NO_FAST = os.environ.get('LT_PYTHON_NO_FAST', '') not in ('', '0')

BINARY = ['__add__', '__radd__', '__sub__', '__rsub__', '__mul__', '__rmul__',
          '__truediv__', '__rtruediv__', '__floordiv__', '__rfloordiv__', '__mod__',
          '__rmod__', '__pow__', '__rpow__', '__matmul__', '__rmatmul__',
          '__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__']
INPLACE = ['__iadd__', '__isub__', '__imul__', '__itruediv__', '__ifloordiv__',
           '__imod__', '__ipow__']


def tensors():
    """Tensors of several dtypes and shapes (new ones on every call: the
    in-place operators change them)."""
    return [
        Lt.tensor([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]]),
        Lt.tensor([2.0, 3.0, -4.0], dtype=Lt.float64),
        Lt.tensor([[3, -7, 2], [5, 1, -4]]),
        Lt.tensor([1, 2, 3], dtype=Lt.int32),
        Lt.tensor([True, False, True]),
        Lt.tensor([4, 0, 9], dtype=Lt.uint8),
        Lt.tensor(2.5),
        Lt.tensor(3),
        Lt.tensor([[1.0, 2.0], [3.0, 4.0]]),
        Lt.tensor([1.0, 2.0, 3.0, 4.0]),
        Lt.zeros(0, 3),
    ]


def others():
    """Right-hand operands: the tensors, then what is not a tensor."""
    return tensors() + [
        2, -3, 0, 7, 2.5, -0.5, 0.0, float('inf'), float('nan'), True, False,
        2 ** 70, -2 ** 63, 2 ** 63 - 1,
        np.float64(1.5), np.int64(3), np.bool_(True), np.array([1.0, 2.0, 3.0]),
        [1.0, 2.0, 3.0], None, 'text', object(),
    ]


def outcome(fn, *args):
    """What fn(*args) gives, in a form two paths can be compared by: the
    result tensor's dtype, shape, values and autograd node, a Python value,
    NotImplemented, or the exception's class and message."""
    try:
        r = fn(*args)
    except Exception as e:  # noqa: BLE001 - the classes are compared
        return ('raise', type(e), str(e))
    if isinstance(r, Lt.Tensor):
        values = [repr(v) for v in np.asarray(r.detach()).ravel().tolist()]
        gf = r.grad_fn
        return ('tensor', r.get_dtype(), tuple(r.get_shape()), tuple(values),
                type(gf).__name__ if gf is not None else None, r.requires_grad)
    if r is NotImplemented:
        return ('NotImplemented',)
    return ('value', type(r), repr(r))


class Mode(unittest.TestCase):
    def test_mode(self):
        if NO_FAST:
            self.assertIsNone(_overrides._fast)
            self.assertEqual(_overrides._python_methods, {})
            self.assertEqual(type(Lt.Tensor.__dict__['__add__']).__name__, 'function')
        else:
            self.assertIsNotNone(_overrides._fast,
                                 'the extension gi/overrides/_lt/_fast was not imported: '
                                 'build it (ninja) and put the build root in PYTHONPATH')
            for name in _overrides._fast.names():
                self.assertEqual(type(Lt.Tensor.__dict__[name]).__name__, 'method_descriptor',
                                 name)
            self.assertEqual(sorted(_overrides._python_methods),
                             sorted(_overrides._fast.names()))
            self.assertTrue(set(BINARY + INPLACE + ['__neg__', '__getitem__', 'item',
                                                    'backward'])
                            <= set(_overrides._fast.names()))

    def test_operators_work(self):
        # in both modes: the operators as a program uses them
        x = Lt.tensor([[1.0, 2.0], [3.0, 4.0]])
        self.assertEqual((x + 1).tolist(), [[2.0, 3.0], [4.0, 5.0]])
        self.assertEqual((1 - x).tolist(), [[0.0, -1.0], [-2.0, -3.0]])
        self.assertEqual((2 ** x).tolist(), [[2.0, 4.0], [8.0, 16.0]])
        self.assertEqual((x @ x).tolist(), [[7.0, 10.0], [15.0, 22.0]])
        self.assertEqual((-x)[1].tolist(), [-3.0, -4.0])
        self.assertEqual(x[-1][0].item(), 3.0)
        y = x.clone()
        y += 1
        y *= x
        self.assertEqual(y.tolist(), [[2.0, 6.0], [12.0, 20.0]])
        self.assertEqual((x > 2).tolist(), [[False, False], [True, True]])
        self.assertIs((x > 2)[1][1].item(), True)
        self.assertIsInstance(Lt.tensor([3])[0].item(), int)


class SamePath(unittest.TestCase):
    """The C methods against the Python ones (with the extension only:
    with LT_PYTHON_NO_FAST there are no C methods, and main() leaves this
    class out)."""

    def check(self, name, make_self, other, inplace=False):
        py = _overrides._python_methods[name]
        c = getattr(Lt.Tensor, name)
        a = make_self()
        expect = outcome(py, a, other)
        b = make_self()
        got = outcome(c, b, other)
        self.assertEqual(got, expect, '%s(%r, %r)' % (name, a, other))
        if inplace:
            # the operand itself changed the same way (or not at all)
            self.assertEqual(outcome(lambda t: t.clone(), b), outcome(lambda t: t.clone(), a))

    def test_binary(self):
        n = len(tensors())
        for name in BINARY:
            for i in range(n):
                for j, other in enumerate(others()):
                    self.check(name, lambda: tensors()[i], other)

    def test_inplace(self):
        n = len(tensors())
        for name in INPLACE:
            for i in range(n):
                for j in range(len(others())):
                    other = others()[j]
                    self.check(name, lambda: tensors()[i], other, inplace=True)

    def test_inplace_returns_self(self):
        x = Lt.tensor([1.0, 2.0])
        y = x
        y += 1
        self.assertIs(y, x)
        self.assertIs(Lt.Tensor.__imul__(x, 2), x)

    def test_neg_item_getitem(self):
        keys = [0, 1, -1, -2, 2, 5, -6, 2 ** 70, True, False, None, Ellipsis, slice(1, None),
                (0, 1), [0, 1], np.int64(1), Lt.tensor(1), 1.5, 'a']
        for t in tensors():
            self.assertEqual(outcome(Lt.Tensor.__neg__, t),
                             outcome(_overrides._python_methods['__neg__'], t))
            self.assertEqual(outcome(Lt.Tensor.item, t),
                             outcome(_overrides._python_methods['item'], t))
            for k in keys:
                self.assertEqual(outcome(Lt.Tensor.__getitem__, t, k),
                                 outcome(_overrides._python_methods['__getitem__'], t, k),
                                 '%r[%r]' % (t, k))

    def test_item_types(self):
        self.assertIs(type(Lt.tensor([2.5]).item()), float)
        self.assertIs(type(Lt.tensor(7).item()), int)
        self.assertIs(Lt.tensor(True).item(), True)
        self.assertEqual(Lt.tensor(2 ** 62).item(), 2 ** 62)
        with self.assertRaises(RuntimeError) as c:
            Lt.tensor([1.0, 2.0]).item()
        self.assertIsInstance(c.exception, GLib.Error)
        with self.assertRaises(TypeError):
            Lt.Tensor.item(Lt.tensor(1.0), 1)

    def test_errors_are_library_classes(self):
        x = Lt.tensor([[1.0, 2.0, 3.0]])
        with self.assertRaises(RuntimeError) as c:
            x + Lt.tensor([1.0, 2.0])
        self.assertIsInstance(c.exception, GLib.Error)
        self.assertEqual(c.exception.domain, 'lt-error-quark')
        with self.assertRaises(IndexError) as c:
            x[3]
        self.assertIsInstance(c.exception, GLib.Error)
        with self.assertRaises(TypeError):
            x + None
        with self.assertRaises(TypeError):
            None - x

    def test_backward(self):
        def run(backward):
            x = Lt.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
            w = Lt.tensor([0.5, 2.0], requires_grad=True)
            y = (x * w + 1) / 2 - x ** 2
            z = (-y)[1] @ w + (2 - y).sum()
            backward(z)
            return x.grad.tolist(), w.grad.tolist()

        fast = run(Lt.Tensor.backward)
        slow = run(_overrides._python_methods['backward'])
        self.assertEqual(fast, slow)
        # and PyTorch's
        x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
        w = torch.tensor([0.5, 2.0], requires_grad=True)
        y = (x * w + 1) / 2 - x ** 2
        ((-y)[1] @ w + (2 - y).sum()).backward()
        for got, want in zip(fast, (x.grad.tolist(), w.grad.tolist())):
            np.testing.assert_allclose(got, want, rtol=1e-6)
        # with arguments: the Python method's keywords
        x = Lt.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward(retain_graph=True)
        self.assertEqual(x.grad.tolist(), [2.0, 4.0])
        y = x * 3
        y.backward(Lt.tensor([1.0, 1.0]))
        self.assertEqual(x.grad.tolist(), [5.0, 7.0])
        y = x * 3
        y.backward([1.0, 2.0], None, False, None)
        self.assertEqual(x.grad.tolist(), [8.0, 13.0])

    def test_backward_errors(self):
        for backward in (Lt.Tensor.backward, _overrides._python_methods['backward']):
            x = Lt.tensor([1.0, 2.0], requires_grad=True)
            with self.assertRaises(RuntimeError) as c:
                backward(x * 2)      # not a scalar
            self.assertIsInstance(c.exception, GLib.Error)

            class HookError(Exception):
                pass

            def hook(g):
                raise HookError('from the hook')

            x = Lt.tensor([1.0, 2.0], requires_grad=True)
            y = x * 2
            y.register_hook(hook)
            with self.assertRaises(HookError) as c:
                backward(y.sum())
            self.assertEqual(str(c.exception), 'from the hook')
            self.assertIsNone(c.exception.__context__)

    def test_reference_counts(self):
        x = Lt.tensor([[1.0, 2.0], [3.0, 4.0]])
        y = Lt.tensor([1.0, 2.0])
        f = 2.5
        big = 2 ** 70
        before = [sys.getrefcount(v) for v in (x, y, f, big)]
        for _ in range(200):
            x + y
            3 - x
            x * f
            -x
            x[1]
            x[0][1].item()
            try:
                x + Lt.tensor([1.0, 2.0, 3.0])
            except GLib.Error:
                pass
            try:
                x + big
            except OverflowError:
                pass
            x.__add__(None)
            z = x.clone()
            z += y
            z -= 1
        self.assertEqual([sys.getrefcount(v) for v in (x, y, f, big)], before)

    def test_results_are_released(self):
        # the GObject itself is finalized: the wrapper took the reference
        # the library returned and holds no other
        x = Lt.tensor([1.0, 2.0])
        for make in (lambda: x + 1, lambda: -x, lambda: x[0], lambda: 2.5 / x):
            finalized = []
            r = make()
            r.weak_ref(lambda: finalized.append(True))
            del r
            self.assertEqual(finalized, [True])

    def test_no_leaks(self):
        # malloc's bytes in use after many calls of every path (operands
        # wrapped and released, results, GErrors and their messages): a
        # tensor or a GError left behind per call would add megabytes
        libc = ctypes.CDLL(None)

        class MallInfo2(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in (
                'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks',
                'uordblks', 'fordblks', 'keepcost')]

        libc.mallinfo2.restype = MallInfo2
        x = Lt.tensor([[1.0, 2.0], [3.0, 4.0]])
        y = Lt.tensor([1.0, 2.0])
        bad = Lt.tensor([1.0, 2.0, 3.0])

        def calls():
            x + y
            3 - x
            x * 2.5
            x / True
            -x
            x[1][0].item()
            z = x.clone()
            z += 1
            z **= y
            try:
                x + bad
            except GLib.Error:
                pass
            try:
                x[7]
            except IndexError:
                pass

        for _ in range(200):
            calls()
        before = libc.mallinfo2().uordblks
        n = 5000
        for _ in range(n):
            calls()
        grown = libc.mallinfo2().uordblks - before
        self.assertLess(grown, n * 32, 'malloc grew by %d bytes over %d rounds' % (grown, n))


if NO_FAST:
    del SamePath

if __name__ == '__main__':
    main()
