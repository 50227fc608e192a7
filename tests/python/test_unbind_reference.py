#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tensor.unbind and Lt.unbind (lt_tensor_unbind) side by side with
PyTorch 1.13's: the slices, views of the input, one UnbindBackward0 node
for all of them, the gradient where only some slices are used (zeros for
the others) or one twice, hooks and retain_grad on one slice,
torch.autograd.grad with respect to slices, and the errors."""

import unittest

from harness import main, require
from pairs import both, npy

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

torch.set_num_threads(1)
rng = np.random.default_rng(20261206)


class Case(unittest.TestCase):
    def close(self, lt, t):
        self.assertEqual(tuple(lt.shape), tuple(t.shape))
        np.testing.assert_allclose(npy(lt), npy(t), rtol=1e-12, atol=1e-12)


class Values(Case):
    def test_slices(self):
        for shape, dim in (((3, 4, 5), 0), ((3, 4, 5), 1), ((3, 4, 5), -1), ((1, 3), 0),
                           ((4,), 0), ((2, 0, 3), 1), ((2, 0, 3), 0), ((2, 3), -2)):
            a = rng.standard_normal(shape)
            t, lt = both(a)
            for ours, theirs in ((lt.unbind(dim), t.unbind(dim)),
                                 (Lt.unbind(lt, dim), torch.unbind(t, dim))):
                self.assertIsInstance(ours, tuple)
                self.assertEqual(len(ours), len(theirs), (shape, dim))
                for o, r in zip(ours, theirs):
                    self.close(o, r)
                    self.assertTrue(o.shares_storage(lt))

    def test_non_contiguous(self):
        a = rng.standard_normal((4, 6))
        t, lt = both(a)
        for o, r in zip(lt.t()[:, ::2].unbind(1), t.t()[:, ::2].unbind(1)):
            self.close(o, r)

    def test_default_dim(self):
        t, lt = both(rng.standard_normal((2, 3)))
        self.assertEqual(len(lt.unbind()), len(t.unbind()))

    def test_errors(self):
        _, lt = both(rng.standard_normal((3, 4)))
        for dim in (2, -3):
            with self.assertRaises(IndexError):
                torch.zeros(3, 4).unbind(dim)
            with self.assertRaises(IndexError) as cm:
                lt.unbind(dim)
            self.assertTrue(cm.exception.matches(Lt.Error.quark(), Lt.Error.INDEX))
        with self.assertRaises(IndexError):
            torch.tensor(1.0).unbind(0)
        with self.assertRaises(IndexError) as cm:
            Lt.tensor(1.0).unbind(0)
        self.assertTrue(cm.exception.matches(Lt.Error.quark(), Lt.Error.INDEX))


class Gradients(Case):
    def run_both(self, shape, dim, fn):
        a = rng.standard_normal(shape)
        t, lt = both(a, requires_grad=True)
        y_t = fn(t.unbind(dim), torch)
        y_lt = fn(lt.unbind(dim), Lt)
        self.close(y_lt, y_t)
        y_t.sum().backward()
        y_lt.sum().backward()
        self.close(lt.grad, t.grad)
        return t, lt

    def test_grad_fn(self):
        t, lt = both(rng.standard_normal((3, 2)), requires_grad=True)
        ours, theirs = lt.unbind(0), t.unbind(0)
        self.assertEqual(ours[0].grad_fn.name(), type(theirs[0].grad_fn).__name__)
        self.assertEqual(ours[0].grad_fn.name(), 'UnbindBackward0')
        y, r = ours[0] * ours[2], theirs[0] * theirs[2]
        self.assertEqual([(f.name(), n) for f, n in y.grad_fn.next_functions],
                         [(type(f).__name__, n) for f, n in r.grad_fn.next_functions])

    def test_some_used(self):
        self.run_both((4, 3), 0, lambda o, m: m.stack([o[2] * 2.0, o[0] * o[0]]))
        self.run_both((2, 5, 3), 1, lambda o, m: o[4] * 3.0)
        self.run_both((3, 4), -1, lambda o, m: m.stack([o[1], o[1] * o[3], o[1]]))

    def test_all_used(self):
        self.run_both((5, 2, 3), 0, lambda o, m: m.stack([x * (i + 1.0) for i, x in enumerate(o)]))

    def test_hooks_and_retain_grad(self):
        a = rng.standard_normal((3, 2))
        results = []
        for lib, mk in ((torch, lambda: torch.tensor(a, requires_grad=True)),
                        (Lt, lambda: Lt.tensor(a.tolist(), dtype=Lt.float64,
                                               requires_grad=True))):
            x = mk()
            o = x.unbind(0)
            seen = []
            o[2].register_hook(lambda g: seen.append(npy(g).copy()) or g * 2.0)
            o[2].retain_grad()
            y = (o[0] * 3.0 + o[2] * o[2]).sum()
            y.backward()
            results.append((npy(x.grad), seen, npy(o[2].grad)))
        (gt, st, g2t), (gl, sl, g2l) = results
        np.testing.assert_allclose(gl, gt, rtol=1e-12)
        np.testing.assert_allclose(sl[0], st[0], rtol=1e-12)
        self.assertEqual(len(sl), 1)
        np.testing.assert_allclose(g2l, g2t, rtol=1e-12)

    def test_autograd_grad(self):
        a = rng.standard_normal((3, 4))
        t, lt = both(a, requires_grad=True)
        ot, ol = t.unbind(1), lt.unbind(1)
        yt, yl = (ot[1] * ot[1]).sum(), (ol[1] * ol[1]).sum()
        rt = torch.autograd.grad(yt, [ot[1], ot[0]], allow_unused=True, retain_graph=True)
        rl = Lt.autograd.grad(yl, [ol[1], ol[0]], allow_unused=True, retain_graph=True)
        self.close(rl[0], rt[0])
        self.assertIsNone(rt[1])
        self.assertIsNone(rl[1])
        rt = torch.autograd.grad(yt, [t], create_graph=True)[0]
        rl = Lt.autograd.grad(yl, [lt], create_graph=True)[0]
        self.close(rl, rt)
        # through the stacked gradient again
        g2t = torch.autograd.grad((rt * rt).sum(), [t])[0]
        g2l = Lt.autograd.grad((rl * rl).sum(), [lt])[0]
        self.close(g2l, g2t)

    def test_inplace_refused(self):
        t, lt = both(rng.standard_normal((3, 2)), requires_grad=True)
        with self.assertRaises(RuntimeError):
            (t * 2.0).unbind(0)[0].mul_(2.0)
        with self.assertRaises(GLib.Error) as cm:
            (lt * 2.0).unbind(0)[0].mul_(2.0)
        self.assertTrue(cm.exception.matches(Lt.Error.quark(), Lt.Error.AUTOGRAD))


if __name__ == '__main__':
    main()
