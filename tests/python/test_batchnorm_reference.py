#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""BatchNorm side by side with PyTorch 1.13 (/usr/bin/python3's torch): on
the CPU, F.batch_norm and nn.BatchNorm1d/2d run one fused kernel a
direction (ops/lt-batch-norm.c). The outputs, the gradients of the input,
weight and bias, the running statistics after training steps (the
unbiased variance, momentum and the cumulative average), evaluation with
the running statistics, the node's name; float32 and float64, with and
without the affine parameters."""

import unittest

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')
tnn = require('torch.nn', 'python3-torch')
TF = require('torch.nn.functional', 'python3-torch')

F = Lt.nn.functional
TOL = {torch.float32: (2e-5, 2e-5), torch.float64: (1e-11, 1e-11)}
LT_DTYPE = {torch.float32: Lt.float32, torch.float64: Lt.float64}


def to_torch(t):
    return torch.from_numpy(np.array(t.detach().numpy(), copy=True))


def to_lt(t):
    return Lt.tensor(t.detach().numpy())


class BatchNormReference(unittest.TestCase):
    def close(self, ours, theirs, dt, what):
        rtol, atol = TOL[dt]
        got = to_torch(ours)
        self.assertEqual(tuple(got.shape), tuple(theirs.shape), what)
        self.assertTrue(torch.allclose(got.to(theirs.dtype), theirs.detach(), rtol=rtol,
                                       atol=atol),
                        '%s: max difference %g' % (what, (got - theirs.detach()).abs().max()))

    def test_functional(self):
        gen = torch.Generator().manual_seed(3)
        for dt in (torch.float32, torch.float64):
            for shape in ((6, 4), (5, 3, 7), (4, 3, 6, 5), (2, 16, 9, 9)):
                C = shape[1]
                for affine in (True, False):
                    for training in (True, False):
                        what = '%s %s affine=%s training=%s' % (dt, shape, affine, training)
                        # far from mean 0, variance 1: the statistics matter
                        x_t = (torch.randn(shape, generator=gen, dtype=dt) * 3 + 5)
                        x_t.requires_grad_(True)
                        w_t = torch.randn(C, generator=gen, dtype=dt).requires_grad_(True)
                        b_t = torch.randn(C, generator=gen, dtype=dt).requires_grad_(True)
                        rm_t = torch.randn(C, generator=gen, dtype=dt)
                        rv_t = torch.rand(C, generator=gen, dtype=dt) + 0.5
                        dy_t = torch.randn(shape, generator=gen, dtype=dt)
                        x, w, b = to_lt(x_t), to_lt(w_t), to_lt(b_t)
                        rm, rv, dy = to_lt(rm_t), to_lt(rv_t), to_lt(dy_t)
                        for t in (x, w, b):
                            t.requires_grad_(True)
                        y_t = TF.batch_norm(x_t, rm_t, rv_t, w_t if affine else None,
                                            b_t if affine else None, training, 0.1, 1e-5)
                        y = F.batch_norm(x, rm, rv, w if affine else None,
                                         b if affine else None, training, 0.1, 1e-5)
                        self.assertEqual(y.grad_fn.name(), 'NativeBatchNormBackward0', what)
                        self.close(y, y_t, dt, what + ' output')
                        self.close(rm, rm_t, dt, what + ' running_mean')
                        self.close(rv, rv_t, dt, what + ' running_var')
                        y_t.backward(dy_t)
                        y.backward(dy)
                        self.close(x.grad, x_t.grad, dt, what + ' input grad')
                        if affine:
                            self.close(w.grad, w_t.grad, dt, what + ' weight grad')
                            self.close(b.grad, b_t.grad, dt, what + ' bias grad')

    def test_module_steps(self):
        """BatchNorm2d over training steps and then in evaluation, momentum
        0.1 and None (the cumulative average)"""
        gen = torch.Generator().manual_seed(4)
        for dt in (torch.float32, torch.float64):
            for momentum in (0.1, None):
                theirs = tnn.BatchNorm2d(8, momentum=momentum).to(dt)
                ours = Lt.nn.BatchNorm2d(8, momentum=momentum, dtype=LT_DTYPE[dt])
                for step in range(4):
                    x_t = torch.randn(3, 8, 5, 5, generator=gen, dtype=dt) * 2 + step
                    self.close(ours(to_lt(x_t)), theirs(x_t), dt, 'step %d' % step)
                for name in ('running_mean', 'running_var'):
                    self.close(getattr(ours, name), getattr(theirs, name), dt, name)
                ours.eval()
                theirs.eval()
                x_t = torch.randn(2, 8, 4, 4, generator=gen, dtype=dt)
                self.close(ours(to_lt(x_t)), theirs(x_t), dt, 'evaluation')

    def test_gradcheck(self):
        """float64 gradcheck of the fused kernels, training and evaluation"""
        gen = torch.Generator().manual_seed(5)
        for training in (True, False):
            x_t = torch.randn(3, 2, 3, 2, generator=gen, dtype=torch.float64) * 2 + 1
            w_t = torch.randn(2, generator=gen, dtype=torch.float64)
            b_t = torch.randn(2, generator=gen, dtype=torch.float64)
            rm, rv = to_lt(torch.zeros(2, dtype=torch.float64)), to_lt(
                torch.ones(2, dtype=torch.float64) * 1.5)
            ins = [to_lt(t) for t in (x_t, w_t, b_t)]

            def f(*a):
                return F.batch_norm(a[0], rm, rv, a[1], a[2], training, 0.0, 1e-5)
            for t in ins:
                t.requires_grad_(True)
            self.assertTrue(Lt.autograd.gradcheck(f, ins), 'training=%s' % training)


if __name__ == '__main__':
    main()
