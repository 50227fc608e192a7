#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The numpy bridge: t.numpy(), np.asarray(t) and Lt.from_numpy(a) share
memory both ways for every dtype, and each side keeps the other alive."""

import gc
import os
import subprocess
import sys
import textwrap
import unittest
import weakref

from harness import main, require

np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

DTYPES = [('float32', Lt.float32), ('float64', Lt.float64), ('int64', Lt.int64),
          ('int32', Lt.int32), ('int16', Lt.int16), ('int8', Lt.int8),
          ('uint8', Lt.uint8), ('bool', Lt.bool)]


def sample(np_dtype, shape=(3, 4)):
    n = int(np.prod(shape))
    if np_dtype == 'bool':
        return (np.arange(n) % 3 == 0).reshape(shape)
    return (np.arange(n) % 7 + 1).astype(np_dtype).reshape(shape)


def other_value(np_dtype):
    return True if np_dtype == 'bool' else 42


class TestTensorToNumpy(unittest.TestCase):

    def test_every_dtype(self):
        for name, dtype in DTYPES:
            with self.subTest(dtype=name):
                want = sample(name)
                t = Lt.tensor(want.tolist(), dtype=dtype)
                a = t.numpy()
                self.assertEqual(a.dtype, np.dtype(name))
                self.assertEqual(a.shape, (3, 4))
                np.testing.assert_array_equal(a, want)
                self.assertTrue(np.shares_memory(a, np.asarray(t)))
                self.assertEqual(a.__array_interface__['data'][0], t.data_ptr())

    def test_shares_memory_both_ways(self):
        for name, dtype in DTYPES:
            with self.subTest(dtype=name):
                t = Lt.zeros(2, 3, dtype=dtype)
                a = t.numpy()
                a[1, 2] = other_value(name)
                self.assertEqual(t[1, 2].item(), other_value(name))
                t.fill_(1)
                np.testing.assert_array_equal(a, np.ones((2, 3), dtype=name))

    def test_tutorial_add_(self):
        a = Lt.ones(5)
        b = a.numpy()
        a.add_(1)
        np.testing.assert_array_equal(b, np.full(5, 2.0, np.float32))

    def test_asarray_without_copy(self):
        t = Lt.arange(12.0).view(3, 4)
        a = np.asarray(t)
        self.assertIs(a.base, t)
        self.assertTrue(np.shares_memory(a, t.numpy()))
        a[0, 0] = -5
        self.assertEqual(t[0, 0].item(), -5.0)
        self.assertTrue(a.flags.writeable)

    def test_views_keep_their_strides(self):
        t = Lt.arange(24.0).view(4, 6)
        base = t.numpy()
        for view, want in ((t.t(), base.T), (t[:, 1], base[:, 1]), (t[1::2, ::3], base[1::2, ::3]),
                           (t[None, 2], base[None, 2]),
                           (t[:1].expand(3, 6), np.broadcast_to(base[:1], (3, 6)))):
            with self.subTest(shape=tuple(view.shape)):
                a = view.numpy()
                np.testing.assert_array_equal(a, want)
                self.assertTrue(np.shares_memory(a, base))
                # strides of dimensions of size 1 do not matter
                self.assertEqual([s for s, n in zip(a.strides, a.shape) if n > 1],
                                 [s for s, n in zip(want.strides, want.shape) if n > 1])

    def test_zero_size_and_zero_dim(self):
        self.assertEqual(Lt.zeros(0, 3).numpy().shape, (0, 3))
        z = Lt.tensor(2.5).numpy()
        self.assertEqual(z.shape, ())
        self.assertEqual(z[()], 2.5)

    def test_requires_grad_refuses(self):
        t = Lt.ones(2, requires_grad=True)
        with self.assertRaises(RuntimeError):
            t.numpy()
        with self.assertRaises(RuntimeError):
            np.asarray(t)
        np.testing.assert_array_equal(t.detach().numpy(), [1.0, 1.0])


class TestNumpyToTensor(unittest.TestCase):

    def test_every_dtype(self):
        for name, dtype in DTYPES:
            with self.subTest(dtype=name):
                a = sample(name)
                t = Lt.from_numpy(a)
                self.assertEqual(t.dtype, dtype)
                self.assertEqual(t.shape, a.shape)
                self.assertEqual(t.tolist(), a.tolist())
                self.assertEqual(t.data_ptr(), a.__array_interface__['data'][0])

    def test_shares_memory_both_ways(self):
        for name, dtype in DTYPES:
            with self.subTest(dtype=name):
                a = np.zeros((2, 3), dtype=name)
                t = Lt.from_numpy(a)
                a[0, 1] = other_value(name)
                self.assertEqual(t[0, 1].item(), other_value(name))
                t[1] = 1
                np.testing.assert_array_equal(a[1], np.ones(3, dtype=name))
                self.assertTrue(np.shares_memory(t.numpy(), a))

    def test_tutorial_double(self):
        a = np.ones(5)
        b = Lt.from_numpy(a)
        np.add(a, 1, out=a)
        self.assertEqual(b.dtype, Lt.float64)
        self.assertEqual(b.tolist(), [2.0] * 5)
        self.assertEqual(str(b), 'tensor([2., 2., 2., 2., 2.], dtype=Lt.float64)')

    def test_strided_arrays(self):
        base = np.arange(60, dtype=np.float32).reshape(5, 12)
        for a in (base[:, 1::3], base.T, base[1:4, 2:9:2].T, base[::2],
                  np.broadcast_to(base[0], (3, 12))):
            with self.subTest(shape=a.shape, strides=a.strides):
                if not a.flags.writeable:
                    # A read-only view (broadcast_to) is not shared: as_tensor copies it.
                    with self.assertRaises(ValueError):
                        Lt.from_numpy(a)
                    self.assertEqual(Lt.as_tensor(a).tolist(), a.tolist())
                    continue
                t = Lt.from_numpy(a)
                self.assertEqual(t.tolist(), a.tolist())
                self.assertEqual(t.stride(), tuple(s // 4 for s in a.strides))
                before = a.copy()
                t.mul_(2)
                np.testing.assert_array_equal(a, before * 2)
                np.testing.assert_array_equal(a, np.asarray(t))

    def test_zero_size_and_zero_dim(self):
        t = Lt.from_numpy(np.zeros((0, 4), np.int64))
        self.assertEqual(t.shape, (0, 4))
        self.assertEqual(t.sum().item(), 0)
        s = Lt.from_numpy(np.array(3.5))
        self.assertEqual(s.shape, ())
        self.assertEqual(s.item(), 3.5)

    def test_refusals(self):
        with self.assertRaises(ValueError):
            Lt.from_numpy(np.arange(5.0)[::-1])
        with self.assertRaises(TypeError):
            Lt.from_numpy(np.zeros(3, np.complex64))
        with self.assertRaises(TypeError):
            Lt.from_numpy(np.zeros(3, '>f4'))
        with self.assertRaises(TypeError):
            Lt.from_numpy([1.0, 2.0])
        odd = np.zeros(16, np.uint8)[1:13].view(np.float32)   # misaligned
        try:
            t = Lt.from_numpy(odd)
        except GLib.Error as e:
            self.assertTrue(e.matches(Lt.error_quark(), Lt.Error.INVALID_ARGUMENT))
        else:
            self.assertEqual(t.tolist(), odd.tolist())

    def test_tensor_copies(self):
        a = np.ones(3, np.float32)
        t = Lt.tensor(a)
        a[0] = 5
        self.assertEqual(t.tolist(), [1.0] * 3)
        self.assertEqual(Lt.tensor(np.arange(3)).dtype, Lt.int64)
        self.assertEqual(Lt.as_tensor(a).data_ptr(), a.__array_interface__['data'][0])

    def test_autograd_on_shared_memory(self):
        a = np.array([1.0, 2.0, 3.0])
        x = Lt.from_numpy(a).requires_grad_()
        (x * x).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), 2 * a)

    def test_mixed_operators(self):
        t = Lt.ones(3)
        r = t + np.arange(3, dtype=np.float32)
        self.assertIsInstance(r, Lt.Tensor)
        self.assertEqual(r.tolist(), [1.0, 2.0, 3.0])
        r = np.arange(3, dtype=np.float32) * t
        self.assertIsInstance(r, Lt.Tensor)


class TestLifetimes(unittest.TestCase):

    def test_array_outlives_tensor(self):
        for name, _ in DTYPES:
            with self.subTest(dtype=name):
                t = Lt.ones(4, 5, dtype=Lt.float64).to(getattr(Lt, name if name != 'bool'
                                                                else 'bool'))
                t[2] = 0
                a = t.numpy()
                want = a.copy()
                ref = weakref.ref(t)
                del t
                gc.collect()
                self.assertIsNotNone(ref(), 'the array keeps the tensor alive')
                junk = [Lt.full((4, 5), 9.0) for _ in range(20)]    # reuse freed memory
                np.testing.assert_array_equal(a, want)
                del a, junk
                gc.collect()
                self.assertIsNone(ref(), 'the tensor is freed with its last array')

    def test_tensor_outlives_array(self):
        for name, _ in DTYPES:
            with self.subTest(dtype=name):
                a = sample(name, (6, 5))
                want = a.tolist()
                t = Lt.from_numpy(a)
                ref = weakref.ref(a)
                del a
                gc.collect()
                self.assertIsNotNone(ref(), 'the tensor keeps the array alive')
                junk = [np.full((6, 5), 77, dtype=name) for _ in range(20)]
                self.assertEqual(t.tolist(), want)
                view = t[1:, ::2]
                del t
                gc.collect()
                self.assertIsNotNone(ref(), 'a view keeps the array alive')
                self.assertEqual(view.tolist(), [r[::2] for r in want[1:]])
                del view, junk
                gc.collect()
                self.assertIsNone(ref(), 'the array is released with the last tensor')

    def test_derived_tensors_keep_storage(self):
        a = np.arange(10.0)
        ref = weakref.ref(a)
        t = Lt.from_numpy(a)
        d = t.detach()
        a2 = np.asarray(d[2:])
        del a, t, d
        gc.collect()
        self.assertIsNotNone(ref())
        np.testing.assert_array_equal(a2, np.arange(2.0, 10.0))
        del a2
        gc.collect()
        self.assertIsNone(ref())

    def test_released_inside_a_c_call(self):
        """The last reference can drop inside the library (backward frees the
        saved tensors with the GIL released): the array is released then."""
        a = np.array([1.0, 2.0, 3.0], dtype=np.float32)
        ref = weakref.ref(a)
        w = Lt.ones(3, requires_grad=True)
        y = (w * Lt.from_numpy(a)).sum()    # only the graph holds the wrapper
        del a
        gc.collect()
        self.assertIsNotNone(ref())
        y.backward()
        gc.collect()
        self.assertIsNone(ref())
        self.assertEqual(w.grad.tolist(), [1.0, 2.0, 3.0])

    def test_round_trip(self):
        a = np.arange(6, dtype=np.int32)
        b = Lt.from_numpy(a).numpy()
        self.assertTrue(np.shares_memory(a, b))
        c = Lt.from_numpy(b)
        c.add_(10)
        np.testing.assert_array_equal(a, np.arange(10, 16))

    def test_interpreter_exit(self):
        """Tensors over arrays (and arrays over tensors) alive at exit shut
        down cleanly."""
        script = textwrap.dedent('''
            import gi
            gi.require_version('Lt', '1.0')
            from gi.repository import Lt
            import numpy as np
            keep = Lt.from_numpy(np.arange(1000.0))
            view = keep[10:]
            arr = Lt.ones(100).numpy()
            graph = (Lt.from_numpy(np.ones(4)).requires_grad_() * 2).sum()
            print(view[0].item() + arr.sum())
        ''')
        r = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                           env=os.environ, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), '110.0')
        self.assertEqual(r.stderr.strip(), '')


if __name__ == '__main__':
    main(verbosity=1)
