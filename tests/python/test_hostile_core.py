#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile inputs against the core ops and autograd from Python: hooks that
raise or return the wrong thing, threads sharing parameters, sizes that
overflow, bad arguments that torch refuses. Each probe compares with what
torch 1.13 does with the same input (torch raises: we raise; torch computes:
we compute the same), and is one test method."""

import threading
import unittest

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

import torch  # noqa: E402


def is_lt_error(e, code):
    return isinstance(e, GLib.Error) and e.matches(Lt.error_quark(), code)


class TestHooks(unittest.TestCase):
    """A hook that raises fails backward() with its own exception, as in
    torch (the same object); one that returns a non-tensor raises TypeError."""

    def test_hook_exception_is_raised_by_backward(self):
        x = Lt.ones(3, requires_grad=True)
        y = x * 2
        err = ValueError('bad gradient')

        def hook(g):
            raise err
        y.register_hook(hook)
        with self.assertRaises(ValueError) as cm:
            y.sum().backward()
        self.assertIs(cm.exception, err)
        # the pass stopped before the leaf
        self.assertIsNone(x.grad)

    def test_leaf_hook_exception(self):
        x = Lt.ones(2, requires_grad=True)

        class Custom(Exception):
            pass

        def hook(g):
            raise Custom('leaf')
        x.register_hook(hook)
        with self.assertRaises(Custom):
            (x * 3).sum().backward()
        with self.assertRaises(Custom):
            x.backward(Lt.ones(2))
        self.assertIsNone(x.grad)

    def test_hook_returns_non_tensor(self):
        x = Lt.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: 5)
        with self.assertRaises(TypeError) as cm:
            y.sum().backward()
        self.assertIn("returned 'int'", str(cm.exception))
        # torch: TypeError too
        tx = torch.ones(3, requires_grad=True)
        ty = tx * 2
        ty.register_hook(lambda g: 5)
        with self.assertRaises(TypeError):
            ty.sum().backward()

    def test_hook_keyboard_interrupt(self):
        x = Lt.ones(3, requires_grad=True)
        y = x * 2

        def hook(g):
            raise KeyboardInterrupt
        y.register_hook(hook)
        with self.assertRaises(KeyboardInterrupt):
            y.sum().backward()

    def test_hook_changes_dtype(self):
        x = Lt.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g.double())
        with self.assertRaises(GLib.Error) as cm:
            y.sum().backward()
        self.assertTrue(is_lt_error(cm.exception, Lt.Error.AUTOGRAD))
        self.assertIn('float64', cm.exception.message)
        tx = torch.ones(3, requires_grad=True)
        ty = tx * 2
        ty.register_hook(lambda g: g.double())
        with self.assertRaises(RuntimeError):
            ty.sum().backward()

    def test_hook_changes_shape(self):
        x = Lt.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g[:2])
        with self.assertRaises(GLib.Error) as cm:
            y.sum().backward()
        self.assertTrue(is_lt_error(cm.exception, Lt.Error.AUTOGRAD))

    def test_hook_exception_after_success(self):
        # a hook that fails once leaves the graph usable (retain_graph)
        x = Lt.ones(2, requires_grad=True)
        y = x * 2
        calls = []

        def hook(g):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError('first time')
        y.register_hook(hook)
        s = y.sum()
        with self.assertRaises(RuntimeError):
            s.backward(retain_graph=True)
        s.backward()
        self.assertEqual(x.grad.tolist(), [2.0, 2.0])


class TestShapes(unittest.TestCase):
    """Sizes near 2^63: refused with a GLib.Error naming the op where torch
    refuses; the right sizes where Python's own sequences have one."""

    def test_view_overflow(self):
        for f in (lambda: Lt.zeros(0).view(2 ** 32, 2 ** 32),
                  lambda: Lt.zeros(0).reshape(2 ** 62, 8),
                  lambda: Lt.zeros(0).view(-1, 2 ** 32, 2 ** 32)):
            with self.assertRaises(GLib.Error) as cm:
                f()
            self.assertTrue(is_lt_error(cm.exception, Lt.Error.SHAPE), cm.exception)
        with self.assertRaises(RuntimeError):
            torch.zeros(0).view(2 ** 32, 2 ** 32)

    def test_expand_overflow(self):
        with self.assertRaises(GLib.Error) as cm:
            Lt.ones(1).expand(2 ** 40, 2 ** 40)
        self.assertIn('expand', cm.exception.message)
        with self.assertRaises(GLib.Error):
            Lt.ones(2).repeat(2 ** 40, 2 ** 40)

    def test_slice_huge_step(self):
        x = Lt.arange(10)
        for start in range(10):
            self.assertEqual(x[start::2 ** 63 - 1].tolist(), list(range(10))[start::2 ** 63 - 1])
        self.assertEqual(x[3:9:2 ** 62].tolist(), [3])
        m = Lt.arange(30).view(10, 3)
        self.assertEqual(m[8::2 ** 63 - 2].tolist(), [[24, 25, 26]])

    def test_cat_keeps_rows(self):
        x = Lt.arange(10)
        c = Lt.cat([x[8::2 ** 63 - 1], Lt.arange(3)])
        self.assertEqual(c.tolist(), [8, 0, 1, 2])

    def test_conv_huge_stride(self):
        x = Lt.ones(1, 1, 3, 3)
        w = Lt.ones(1, 1, 2, 2)
        y = Lt.nn.functional.conv2d(x, w, stride=2 ** 63 - 1)
        ty = torch.nn.functional.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2),
                                        stride=2 ** 63 - 1)
        self.assertEqual(y.tolist(), ty.tolist())


class TestArguments(unittest.TestCase):
    """Arguments torch 1.13 refuses are refused (a GLib.Error in the Lt.Error
    domain naming the op); the ones it accepts give what it gives."""

    def assert_refused(self, lt_fn, torch_fn, op):
        with self.assertRaises(GLib.Error) as cm:
            lt_fn()
        self.assertTrue(cm.exception.matches(Lt.error_quark(), cm.exception.code))
        self.assertIn(op, cm.exception.message)
        with self.assertRaises((RuntimeError, ValueError, IndexError)):
            torch_fn()

    def test_chunk(self):
        for n in (0, -1):
            self.assert_refused(lambda: Lt.arange(6).chunk(n), lambda: torch.arange(6).chunk(n),
                                'chunk')
        for n in (1, 4, 6, 100):
            self.assertEqual([c.tolist() for c in Lt.arange(6).chunk(n)],
                             [c.tolist() for c in torch.arange(6).chunk(n)])

    def test_split(self):
        self.assert_refused(lambda: Lt.arange(6).split([-1, 7]),
                            lambda: torch.arange(6).split([-1, 7]), 'split')
        self.assert_refused(lambda: Lt.arange(6).split([2, 2]),
                            lambda: torch.arange(6).split([2, 2]), 'split')
        self.assert_refused(lambda: Lt.arange(6).split(0), lambda: torch.arange(6).split(0),
                            'split')
        self.assertEqual([c.shape for c in Lt.zeros(0).split(0)],
                         [Lt.Size(c.shape) for c in torch.zeros(0).split(0)])

    def test_one_hot(self):
        t = Lt.tensor([1, 2])
        self.assert_refused(lambda: Lt.nn.functional.one_hot(t, -5),
                            lambda: torch.nn.functional.one_hot(torch.tensor([1, 2]), -5),
                            'one_hot')
        self.assertEqual(Lt.nn.functional.one_hot(t).tolist(),
                         torch.nn.functional.one_hot(torch.tensor([1, 2])).tolist())

    def test_repeat(self):
        self.assert_refused(lambda: Lt.ones(2).repeat(-1), lambda: torch.ones(2).repeat(-1),
                            'repeat')
        self.assertEqual(Lt.ones(2).repeat(0).shape, Lt.Size([0]))

    def test_eye(self):
        self.assert_refused(lambda: Lt.eye(3, -5), lambda: torch.eye(3, -5), 'eye')
        self.assert_refused(lambda: Lt.eye(3, -1), lambda: torch.eye(3, -1), 'eye')
        self.assertEqual(Lt.eye(2, 3).tolist(), torch.eye(2, 3).tolist())

    def test_randperm(self):
        self.assert_refused(lambda: Lt.randperm(-1), lambda: torch.randperm(-1), 'randperm')
        self.assertEqual(sorted(Lt.randperm(5).tolist()), list(range(5)))

    def test_arange_linspace(self):
        self.assert_refused(lambda: Lt.arange(0, 10, 0), lambda: torch.arange(0, 10, 0),
                            'arange')
        self.assert_refused(lambda: Lt.arange(0, 10, -1), lambda: torch.arange(0, 10, -1),
                            'arange')
        self.assert_refused(lambda: Lt.arange(0, float('nan')),
                            lambda: torch.arange(0, float('nan')), 'arange')
        self.assert_refused(lambda: Lt.linspace(0, 1, -1), lambda: torch.linspace(0, 1, -1),
                            'linspace')

    def test_pooling(self):
        x = Lt.ones(1, 1, 4, 4)
        tx = torch.ones(1, 1, 4, 4)
        F, TF = Lt.nn.functional, torch.nn.functional
        self.assert_refused(lambda: F.adaptive_avg_pool2d(x, -1),
                            lambda: TF.adaptive_avg_pool2d(tx, -1), 'adaptive_avg_pool2d')
        self.assert_refused(lambda: F.avg_pool2d(x, 2, divisor_override=0),
                            lambda: TF.avg_pool2d(tx, 2, divisor_override=0), 'avg_pool2d')
        self.assertEqual(F.adaptive_avg_pool2d(x, (None, 2)).shape,
                         Lt.Size(TF.adaptive_avg_pool2d(tx, (None, 2)).shape))
        self.assertEqual(F.avg_pool2d(x, 2, divisor_override=-2).tolist(),
                         TF.avg_pool2d(tx, 2, divisor_override=-2).tolist())

    def test_clamp_min_above_max(self):
        x = [1.0, 2.0, 3.0]
        self.assertEqual(Lt.tensor(x).clamp(min=3, max=1).tolist(),
                         torch.tensor(x).clamp(min=3, max=1).tolist())

    def test_print_int64_exactly(self):
        for v in (2 ** 62 + 1, -2 ** 63, 123456789, 2 ** 53 + 1):
            self.assertIn(str(v), str(Lt.tensor([v, 1])))
            self.assertEqual(Lt.tensor([v]).item(), v)


class TestThreads(unittest.TestCase):

    def test_backward_threads_shared_parameter(self):
        w = Lt.tensor([1.0, 2.0, 3.0], requires_grad=True)
        errors = []
        n_threads, n_passes = 4, 50

        def work(scale):
            try:
                for _ in range(n_passes):
                    (w * w * scale).sum().backward()
            except Exception as e:  # noqa: B902 - reported below
                errors.append(e)
        threads = [threading.Thread(target=work, args=(k + 1,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        factor = 2 * n_passes * sum(k + 1 for k in range(n_threads))
        self.assertEqual(w.grad.tolist(), [factor * 1.0, factor * 2.0, factor * 3.0])


if __name__ == '__main__':
    unittest.main(verbosity=1)
