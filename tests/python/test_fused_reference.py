#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The fused cross-entropy (one kernel forward, one backward) side by side
with PyTorch 1.13 (/usr/bin/python3's torch): F.cross_entropy and
nn.CrossEntropyLoss with class-index targets over (N, C), (N, C, d...)
and (C) inputs, class weights, ignore_index and every reduction, in
float32 and float64: values, gradients, the graph's node names, and the
error of a class out of range (the same builtin class as torch's); the
same on the CUDA backend's emulated device, where a class out of range is
raised at the next synchronisation."""

import os
import unittest

os.environ.setdefault('LT_CUDA_EMULATE', '1')

from harness import main, require  # noqa: E402
from pairs import OnDevice  # noqa: E402

import gi  # noqa: E402
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')
TF = require('torch.nn.functional', 'python3-torch')

nn = Lt.nn
F = Lt.nn.functional

SHAPES = [(5, 4), (3, 4, 2, 3), (2, 3, 5), (7,), (0, 4)]


def targets(rng, shape, ignore):
    C = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])
    t = rng.integers(0, C, size=tshape)
    if ignore is not None and t.ndim > 0 and t.size > 1:
        t.flat[1::3] = ignore
    return t.astype(np.int64), C


class CrossEntropy(OnDevice, unittest.TestCase):
    def test_values_and_grads(self):
        rng = np.random.default_rng(3)
        for shape in SHAPES:
            for dtype in (np.float32, np.float64):
                for weighted in (False, True):
                    for ignore in (None, 2):
                        for red in ('mean', 'sum', 'none'):
                            with self.subTest(shape=shape, dtype=dtype, weighted=weighted,
                                              ignore=ignore, red=red):
                                self.check(rng, shape, dtype, weighted, ignore, red)

    def check(self, rng, shape, dtype, weighted, ignore, red):
        x = (rng.standard_normal(shape) * 4).astype(dtype)
        t, C = targets(rng, shape, ignore)
        w = rng.uniform(0.2, 2, size=C).astype(dtype) if weighted else None
        ii = -100 if ignore is None else ignore
        xl = self.lt(x, True)
        xt = torch.tensor(x, requires_grad=True)
        yl = F.cross_entropy(xl, self.lt(t), weight=None if w is None else self.lt(w),
                             ignore_index=ii, reduction=red)
        yt = TF.cross_entropy(xt, torch.tensor(t), weight=None if w is None else torch.tensor(w),
                              ignore_index=ii, reduction=red)
        tol = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(self.back(yl), yt.detach().numpy(), rtol=tol, atol=tol)
        if x.size == 0:
            return
        g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
        yl.backward(self.lt(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_allclose(self.back(xl.grad), xt.grad.numpy(), rtol=tol, atol=tol)

    def test_module_and_graph(self):
        rng = np.random.default_rng(5)
        x = rng.standard_normal((4, 10)).astype(np.float32)
        t = np.array([1, 0, 9, 3])
        crit = nn.CrossEntropyLoss()
        xl = self.lt(x, True)
        loss = crit(xl, self.lt(t))
        xt = torch.tensor(x, requires_grad=True)
        tloss = torch.nn.CrossEntropyLoss()(xt, torch.tensor(t))
        self.assertEqual(loss.grad_fn.name(), tloss.grad_fn.name())
        self.assertEqual(loss.grad_fn.next_functions[0][0].name(),
                         tloss.grad_fn.next_functions[0][0].name())
        loss.backward()
        tloss.backward()
        np.testing.assert_allclose(self.back(xl.grad), xt.grad.numpy(), rtol=1e-6, atol=1e-7)

    def test_class_out_of_range(self):
        x = np.zeros((3, 4), dtype=np.float32)
        for bad in (4, -2):
            t = np.array([0, bad, 1])
            with self.assertRaises(IndexError) as theirs:
                TF.cross_entropy(torch.tensor(x), torch.tensor(t))
            with self.assertRaises(type(theirs.exception)) as ours:
                # a device raises it at the next synchronisation
                float(F.cross_entropy(self.lt(x), self.lt(t)))
            self.assertIn(str(bad), str(ours.exception))
            self.assertIn('cross_entropy', str(ours.exception))


@unittest.skipUnless(Lt.cuda.is_available(), 'built without the CUDA backend')
class CrossEntropyCuda(CrossEntropy):
    device = 'cuda'


if __name__ == '__main__':
    main()
