#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Python API details checked side by side with PyTorch 1.13:
- `from_numpy` while an exception unwinds: a tensor over a numpy array
  freed then used to call a Python release callback, which Python refuses
  while an exception is set (SystemError replaced the user's exception);
  the memory now keeps a GObject owner (lt_tensor_new_wrap_owned) and no
  Python code runs when it is freed;
- 0-dim bool tensors as indices (`x[torch.tensor(True)]`), read and
  assigned, as Python's True and False;
- `Tensor.detach_()`: in place, returning the tensor, refused on views.
"""

import gc
import sys
import unittest

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')


class Owner:
    """A context manager that keeps what it makes on itself: freed only
    when the interpreter drops it while the exception unwinds."""

    def __init__(self, lib):
        self.lib = lib

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.t = self.lib.from_numpy(np.arange(4.0))
        self.view = self.t[1:3]
        return False


class TestFromNumpyWhileUnwinding(unittest.TestCase):

    def test_freed_while_an_exception_unwinds(self):
        """The user's exception reaches the caller, not a SystemError
        (this failed before the fix, as PyTorch never does)."""
        for lib in (torch, Lt):
            with self.subTest(lib=lib.__name__):
                with self.assertRaises(KeyError) as cm:
                    with Owner(lib):
                        raise KeyError('mine')
                self.assertEqual(cm.exception.args, ('mine',))
                self.assertIsNone(cm.exception.__cause__)

    def test_freed_in_a_finalizer_while_unwinding(self):
        class Holder:
            def __init__(self):
                self.t = Lt.from_numpy(np.ones(3))

        def fails():
            [Holder() for _ in range(3)]
            raise ValueError('as written')

        with self.assertRaises(ValueError) as cm:
            fails()
        self.assertEqual(str(cm.exception), 'as written')

    def test_memory_lives_as_long_as_a_view(self):
        """The array lives while a tensor or view uses it, and goes when
        none does (the owner's reference is dropped once)."""
        a = np.arange(6.0).reshape(2, 3)
        base = sys.getrefcount(a)
        t = Lt.from_numpy(a)
        self.assertGreater(sys.getrefcount(a), base)
        v = t[1]
        del t
        gc.collect()
        a[1, 2] = 50.0
        np.testing.assert_array_equal(v.numpy(), [3.0, 4.0, 50.0])
        v.add_(1)
        np.testing.assert_array_equal(a[1], [4.0, 5.0, 51.0])
        del v
        gc.collect()
        self.assertEqual(sys.getrefcount(a), base)

    def test_array_kept_alive_alone(self):
        """The tensor alone keeps the array (no other reference)."""
        t = Lt.from_numpy(np.arange(5, dtype=np.int64) * 3)
        gc.collect()
        self.assertEqual(t.tolist(), [0, 3, 6, 9, 12])


class TestZeroDimBoolMask(unittest.TestCase):

    def both(self, fn):
        x = np.arange(12.0).reshape(3, 4)
        ref = fn(torch, torch.tensor(x))
        got = fn(Lt, Lt.tensor(x))
        return got, ref

    def assert_same(self, got, ref):
        self.assertEqual(list(got.shape), list(ref.shape))
        np.testing.assert_array_equal(got.numpy(), ref.numpy())

    def test_read(self):
        cases = {
            'true': lambda m, x: x[m.tensor(True)],
            'false': lambda m, x: x[m.tensor(False)],
            'true, int': lambda m, x: x[m.tensor(True), 1],
            'int, true': lambda m, x: x[1, m.tensor(True)],
            'slice, false': lambda m, x: x[:, m.tensor(False)],
            'ellipsis, true': lambda m, x: x[..., m.tensor(True)],
            'scalar': lambda m, x: x[0, 0][m.tensor(True)],
            'scalar false': lambda m, x: x[0, 0][m.tensor(False)],
        }
        for name, fn in cases.items():
            with self.subTest(name):
                self.assert_same(*self.both(fn))

    def test_assign(self):
        def assign(value, more=()):
            def fn(m, x):
                x[(m.tensor(value),) + more] = -1
                return x
            return fn
        for value in (True, False):
            for more in ((), (1,), (slice(None), 2)):
                with self.subTest(value=value, more=more):
                    self.assert_same(*self.both(assign(value, more)))

    def test_gradient(self):
        xt = torch.arange(6.0).reshape(2, 3).requires_grad_()
        xl = Lt.tensor(xt.detach().numpy()).requires_grad_()
        for x, m in ((xt, torch), (xl, Lt)):
            (x[m.tensor(True)] * 2).sum().backward()
        np.testing.assert_array_equal(xl.grad.numpy(), xt.grad.numpy())


class TestDetachInPlace(unittest.TestCase):

    def test_as_torch(self):
        for m in (torch, Lt):
            with self.subTest(lib=m.__name__):
                x = m.ones(3, requires_grad=True)
                y = x * 2
                s = y.sum()
                self.assertIs(y.detach_(), y)
                self.assertFalse(y.requires_grad)
                self.assertIsNone(y.grad_fn)
                self.assertTrue(y.is_leaf)
                # the graph recorded before still runs
                s.backward()
                np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])
                # and what is computed from y afterwards has no history
                self.assertFalse((y * 3).requires_grad)
                # a leaf that requires grad
                w = m.ones(2, requires_grad=True)
                self.assertIs(w.detach_(), w)
                self.assertFalse(w.requires_grad)

    def test_views_refused_as_torch(self):
        for m in (torch, Lt):
            x = m.ones(3, requires_grad=True)
            for name, view in (('slice', lambda: (x * 2)[1:]), ('view', lambda: x.view(3)),
                               ('plain', lambda: m.ones(4)[1:])):
                with self.subTest(lib=m.__name__, view=name):
                    v = view()
                    with self.assertRaises(RuntimeError) as cm:
                        v.detach_()
                    self.assertIn("detach views in-place", str(cm.exception))
                    if m is Lt:
                        self.assertIsInstance(cm.exception, GLib.Error)


if __name__ == '__main__':
    main()
