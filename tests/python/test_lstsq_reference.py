#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.linalg.lstsq with each of PyTorch 1.13's CPU drivers (gelsy, gels,
gelsd, gelss) beside torch.linalg.lstsq: the solution, the residuals, the
rank and the singular values each driver gives (empty where torch's are),
for tall, wide, batched, vector and rank-deficient inputs, the solution's
gradient, and the errors.
"""

import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

torch.set_num_threads(1)
rng = np.random.default_rng(20261212)
DRIVERS = ('gelsy', 'gels', 'gelsd', 'gelss')


def both(a, dtype='float64', requires_grad=False):
    a = np.asarray(a, dtype=dtype)
    t = torch.tensor(a, requires_grad=requires_grad)
    lt = Lt.tensor(a.tolist(), dtype=getattr(Lt, dtype), requires_grad=requires_grad)
    return t, lt


def npy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach().tolist()).reshape(tuple(x.shape))


class Lstsq(unittest.TestCase):
    def same(self, t, lt, tol=1e-9):
        self.assertEqual(tuple(lt.shape), tuple(t.shape))
        self.assertEqual(str(lt.dtype).split('.')[-1], str(t.dtype).split('.')[-1])
        np.testing.assert_allclose(npy(lt).astype(np.float64), npy(t).astype(np.float64),
                                   rtol=tol, atol=tol)

    def check(self, a, b, drivers=DRIVERS, rcond=None, dtype='float64'):
        ta, la = both(a, dtype)
        tb, lb = both(b, dtype)
        tol = 1e-9 if dtype == 'float64' else 2e-4
        for d in drivers:
            with self.subTest(driver=d, shape=a.shape):
                tr = torch.linalg.lstsq(ta, tb, rcond=rcond, driver=d)
                lr = Lt.linalg.lstsq(la, lb, rcond=rcond, driver=d)
                for name in ('solution', 'residuals', 'rank', 'singular_values'):
                    self.same(getattr(tr, name), getattr(lr, name), tol)

    def test_tall(self):
        self.check(rng.standard_normal((6, 3)), rng.standard_normal((6, 2)))
        self.check(rng.standard_normal((5, 2)), rng.standard_normal(5))
        self.check(rng.standard_normal((6, 3)), rng.standard_normal((6, 2)), dtype='float32')

    def test_wide_and_square(self):
        self.check(rng.standard_normal((2, 4)), rng.standard_normal((2, 3)))
        self.check(rng.standard_normal((3, 3)), rng.standard_normal((3, 1)))

    def test_batched(self):
        self.check(rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2)))
        self.check(rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5)))

    def test_rank_deficient(self):
        # gels assumes full rank (LAPACK's answer is then undefined): the others only
        a = rng.standard_normal((6, 3))
        a[:, 2] = a[:, 0] - a[:, 1]
        self.check(a, rng.standard_normal((6, 2)), drivers=('gelsy', 'gelsd', 'gelss'))
        self.check(a, rng.standard_normal((6, 2)), drivers=('gelsd', 'gelss'), rcond=1e-3)

    def test_grad(self):
        for d in DRIVERS:
            ta, la = both(rng.standard_normal((5, 3)), requires_grad=True)
            tb, lb = both(rng.standard_normal((5, 2)), requires_grad=True)
            (torch.linalg.lstsq(ta, tb, driver=d).solution ** 2).sum().backward()
            (Lt.linalg.lstsq(la, lb, driver=d).solution ** 2).sum().backward()
            self.same(ta.grad, la.grad)
            self.same(tb.grad, lb.grad)

    def test_errors(self):
        ta, la = both(rng.standard_normal((4, 2)))
        tb, lb = both(rng.standard_normal((4, 1)))
        with self.assertRaises(RuntimeError):
            torch.linalg.lstsq(ta, tb, driver='qr')
        with self.assertRaises(RuntimeError) as cm:
            Lt.linalg.lstsq(la, lb, driver='qr')
        self.assertIsInstance(cm.exception, GLib.Error)
        tb3, lb3 = both(rng.standard_normal((3, 1)))
        with self.assertRaises(RuntimeError):
            torch.linalg.lstsq(ta, tb3, driver='gelsd')
        with self.assertRaises(RuntimeError):
            Lt.linalg.lstsq(la, lb3, driver='gelsd')


if __name__ == '__main__':
    main()
