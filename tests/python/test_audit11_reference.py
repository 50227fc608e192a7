#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Items of the PyTorch API that had no side-by-side test: the functional
smooth_l1_loss, huber_loss and cosine_embedding_loss (values and
gradients for each reduction) and a user's Sampler subclass given to a
DataLoader, beside PyTorch 1.13.
"""

import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

torch.set_num_threads(1)
rng = np.random.default_rng(20261213)
TF, LF = torch.nn.functional, Lt.nn.functional


def both(a, requires_grad=False):
    a = np.asarray(a, dtype=np.float64)
    return (torch.tensor(a, requires_grad=requires_grad),
            Lt.tensor(a.tolist(), dtype=Lt.float64, requires_grad=requires_grad))


def npy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach().tolist()).reshape(tuple(x.shape))


class FunctionalLosses(unittest.TestCase):
    def close(self, t, lt):
        self.assertEqual(tuple(lt.shape), tuple(t.shape))
        np.testing.assert_allclose(npy(lt), npy(t), rtol=1e-10, atol=1e-12)

    def run_loss(self, tf, lf, shapes, **kw):
        for reduction in ('mean', 'sum', 'none'):
            pairs = [both(rng.standard_normal(s), requires_grad=True) for s in shapes]
            rt = tf(*[p[0] for p in pairs], reduction=reduction, **kw)
            rl = lf(*[p[1] for p in pairs], reduction=reduction, **kw)
            self.close(rt, rl)
            w = rng.standard_normal(tuple(rt.shape))
            (rt * torch.tensor(w)).sum().backward()
            (rl * Lt.tensor(w.tolist(), dtype=Lt.float64).reshape(tuple(rt.shape))).sum() \
                .backward()
            for t, lt in pairs:
                self.close(t.grad, lt.grad)

    def test_smooth_l1(self):
        self.run_loss(TF.smooth_l1_loss, LF.smooth_l1_loss, [(4, 3), (4, 3)])
        self.run_loss(TF.smooth_l1_loss, LF.smooth_l1_loss, [(4, 3), (4, 3)], beta=0.5)

    def test_huber(self):
        self.run_loss(TF.huber_loss, LF.huber_loss, [(5, 2), (5, 2)])
        self.run_loss(TF.huber_loss, LF.huber_loss, [(5, 2), (5, 2)], delta=0.3)

    def test_cosine_embedding(self):
        y = rng.choice([-1.0, 1.0], size=6)
        for reduction in ('mean', 'sum', 'none'):
            (t1, l1), (t2, l2) = (both(rng.standard_normal((6, 4)), True) for _ in range(2))
            ty, ly = both(y)
            rt = TF.cosine_embedding_loss(t1, t2, ty, margin=0.2, reduction=reduction)
            rl = LF.cosine_embedding_loss(l1, l2, ly, margin=0.2, reduction=reduction)
            self.close(rt, rl)
            rt.sum().backward()
            rl.sum().backward()
            self.close(t1.grad, l1.grad)
            self.close(t2.grad, l2.grad)


class UserSampler(unittest.TestCase):
    def test_subclass_in_loader(self):
        def make(base):
            class EveryOther(base):
                def __init__(self, n):
                    self.n = n

                def __iter__(self):
                    return iter(range(0, self.n, 2))

                def __len__(self):
                    return (self.n + 1) // 2
            return EveryOther

        data = np.arange(10, dtype=np.float64).reshape(5, 2)
        td = torch.utils.data.TensorDataset(torch.tensor(data))
        ld = Lt.utils.data.TensorDataset(Lt.tensor(data.tolist(), dtype=Lt.float64))
        tl = torch.utils.data.DataLoader(td, batch_size=2,
                                         sampler=make(torch.utils.data.Sampler)(5))
        ll = Lt.utils.data.DataLoader(ld, batch_size=2,
                                      sampler=make(Lt.utils.data.Sampler)(5))
        self.assertEqual(len(ll), len(tl))
        for (bt,), (bl,) in zip(tl, ll):
            np.testing.assert_array_equal(npy(bl), npy(bt))


if __name__ == '__main__':
    main()
