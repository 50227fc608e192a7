#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The C ops behind nonzero, take, index_put(_), x[...] = v with index
tensors and scatter(_) with reduce=, side by side with PyTorch 1.13:
values, gradients (take, index_put with and without accumulate, x[i, j]
read and assigned, scatter) and the exception classes of their errors.
"""

import unittest

from harness import main, require
from pairs import both, npy

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

torch.set_num_threads(1)
rng = np.random.default_rng(20261211)


def dname(x):
    return str(x.dtype).split('.')[-1]


class Case(unittest.TestCase):
    def same(self, t, lt):
        if isinstance(t, tuple):
            self.assertIsInstance(lt, tuple)
            self.assertEqual(len(lt), len(t))
            for a, b in zip(t, lt):
                self.same(a, b)
            return
        self.assertEqual(tuple(lt.shape), tuple(t.shape))
        self.assertEqual(dname(lt), dname(t))
        np.testing.assert_allclose(npy(lt).astype(np.float64), npy(t).astype(np.float64),
                                   rtol=1e-12, atol=1e-12)

    def raises_both(self, exc, tf, lf):
        with self.assertRaises(exc):
            tf()
        with self.assertRaises(exc) as cm:
            lf()
        self.assertIsInstance(cm.exception, GLib.Error)


class Nonzero(Case):
    def test_values(self):
        a = rng.integers(-1, 2, size=(3, 4, 2)).astype(np.float64)
        a[0, 0, 0] = -0.0
        a[1, 1, 1] = np.nan
        for dtype in ('float64', 'float32', 'int64', 'int16', 'uint8', 'bool'):
            t, lt = both(np.nan_to_num(a, nan=3) if dtype != 'float64' else a, dtype)
            self.same(t.nonzero(), lt.nonzero())
            self.same(t.nonzero(as_tuple=True), lt.nonzero(as_tuple=True))
            self.same(torch.nonzero(t), Lt.nonzero(lt))
            self.same(torch.argwhere(t), Lt.argwhere(lt))
            self.same(torch.where(t), Lt.where(lt))

    def test_strided_and_empty(self):
        t, lt = both(rng.integers(0, 2, size=(4, 3)))
        self.same(t.t().nonzero(), lt.t().nonzero())
        self.same(t[::2].nonzero(as_tuple=True), lt[::2].nonzero(as_tuple=True))
        for a in (np.zeros((0, 3)), np.array(0.0), np.array(2.0), np.zeros((2, 2))):
            t, lt = both(a)
            lt = lt.reshape(a.shape)
            self.same(t.nonzero(), lt.nonzero())
            self.same(t.nonzero(as_tuple=True), lt.nonzero(as_tuple=True))


class Take(Case):
    def test_values_and_grad(self):
        a = rng.standard_normal((3, 4))
        idx = np.array([[0, -1, 5], [5, 11, -12]])
        t, lt = both(a, requires_grad=True)
        ti, li = both(idx, 'int64')
        rt, rl = t.take(ti), lt.take(li)
        self.same(rt, rl)
        self.same(torch.take(t, ti), Lt.take(lt, li))
        w = rng.standard_normal(idx.shape)
        (rt * torch.tensor(w)).sum().backward()
        (rl * Lt.tensor(w.tolist(), dtype=Lt.float64)).sum().backward()
        self.same(t.grad, lt.grad)
        self.assertEqual(rl.grad_fn.name(), type(rt.grad_fn).__name__)

    def test_strided(self):
        t, lt = both(rng.standard_normal((4, 5)))
        ti, li = both([[0, 7], [-1, 3]], 'int64')
        self.same(t.t().take(ti), lt.t().take(li))
        self.same(t[:, ::2].take(ti), lt[:, ::2].take(li))

    def test_errors(self):
        t, lt = both(np.zeros((2, 3)))
        for bad in ([6], [-7]):
            ti, li = both(bad, 'int64')
            self.raises_both(IndexError, lambda: t.take(ti), lambda: lt.take(li))
        ti, li = both([1.0], 'float32')
        self.raises_both(RuntimeError, lambda: t.take(ti), lambda: lt.take(li))


class IndexPut(Case):
    def test_grad(self):
        a = rng.standard_normal((4, 3))
        for acc in (False, True):
            t, lt = both(a, requires_grad=True)
            tv, lv = both(rng.standard_normal((3,)), requires_grad=True)
            idx = [2, 0, 2] if acc else [2, 0, 3]
            ti, li = both(idx, 'int64')
            tj, lj = both([1, 1, -1], 'int64')
            rt = (t * 1).index_put_((ti, tj), tv, accumulate=acc)
            rl = (lt * 1).index_put_((li, lj), lv, accumulate=acc)
            self.same(rt, rl)
            w = rng.standard_normal((4, 3))
            (rt * torch.tensor(w)).sum().backward()
            (rl * Lt.tensor(w.tolist(), dtype=Lt.float64)).sum().backward()
            self.same(t.grad, lt.grad)
            self.same(tv.grad, lv.grad)

    def test_rows_broadcast_mask(self):
        t, lt = both(rng.standard_normal((4, 3, 2)))
        ti, li = both([[3], [0]], 'int64')
        tj, lj = both([0, 2, 1], 'int64')
        tv, lv = both(rng.standard_normal((3, 2)))
        self.same(t.index_put((ti, tj), tv), lt.index_put((li, lj), lv))
        self.same(t.index_put((ti, tj), tv, accumulate=True),
                  lt.index_put((li, lj), lv, accumulate=True))
        tm, lm = both(rng.integers(0, 2, size=(4, 3)), 'bool')
        self.same(t.index_put((tm,), torch.tensor(7.0, dtype=torch.float64)),
                  lt.index_put((lm,), 7.0))
        ti1, li1 = both([1, 1, 3], 'int64')
        tv1, lv1 = both(rng.standard_normal((3, 2)))
        self.same(t.index_put((ti1,), tv1, accumulate=True),
                  lt.index_put((li1,), lv1, accumulate=True))

    def test_errors(self):
        t, lt = both(np.zeros((2, 3)))
        ti, li = both([2], 'int64')
        one = torch.tensor(1.0, dtype=torch.float64)
        self.raises_both(IndexError, lambda: t.index_put_((ti,), one),
                         lambda: lt.index_put_((li,), 1.0))
        ti, li = both([-3], 'int64')
        self.raises_both(IndexError, lambda: t.index_put((ti,), one),
                         lambda: lt.index_put((li,), 1.0))
        ti, li = both([0], 'int64')
        self.raises_both(IndexError, lambda: t.index_put_((ti, ti, ti), one),
                         lambda: lt.index_put_((li, li, li), 1.0))
        tf, lf = both([1.0])
        self.raises_both(IndexError, lambda: t.index_put_((tf,), one),
                         lambda: lt.index_put_((lf,), 1.0))
        ta, la = both([0, 1], 'int64')
        tb, lb = both([0, 1, 2], 'int64')
        self.raises_both(IndexError, lambda: t.index_put_((ta, tb), one),
                         lambda: lt.index_put_((la, lb), 1.0))
        tm, lm = both([True, False, True], 'bool')
        self.raises_both(IndexError, lambda: t.index_put_((tm,), one),
                         lambda: lt.index_put_((lm,), 1.0))
        tv, lv = both(np.ones(2))
        self.raises_both(RuntimeError, lambda: t.index_put_((ti,), tv),
                         lambda: lt.index_put_((li,), lv))
        tv, lv = both(np.ones(3), 'float32')
        self.raises_both(RuntimeError, lambda: t.index_put_((ti,), tv),
                         lambda: lt.index_put_((li,), lv))
        # nothing was written by the failed calls
        self.same(t, lt)


class SetItem(Case):
    def cases(self):
        a = rng.standard_normal((4, 5, 3))
        yield (slice(None), [0, 4, -1]), (4, 3, 3)
        yield ([1, 3], slice(None), [2, 0]), (2, 5)
        yield (slice(1, 3), [4, 0], [[1], [2]]), (2, 2, 2)
        yield ([[0, 1], [2, 3]], [0, 1]), (2, 2, 3)
        yield (np.array([True, False, True, True]), 1), (3,)
        yield (Ellipsis, [2, 1]), (4, 5, 2)
        yield (0, [1, 2], slice(None, None, 2)), (2, 2)
        del a

    def test_assign(self):
        a = rng.standard_normal((4, 5, 3))
        for key, vshape in self.cases():
            tkey = tuple(torch.tensor(k) if isinstance(k, np.ndarray) else k for k in key)
            lkey = tuple(Lt.tensor(k.tolist(), dtype=Lt.bool) if isinstance(k, np.ndarray)
                         else k for k in key)
            v = rng.standard_normal(vshape)
            for value in (v, v[..., :1], 2.5):
                t, lt = both(a)
                if isinstance(value, float):
                    t[tkey] = value
                    lt[lkey] = value
                else:
                    t[tkey] = torch.tensor(value)
                    lt[lkey] = Lt.tensor(value.tolist(), dtype=Lt.float64)
                self.same(t, lt)
                self.same(t[tkey], lt[lkey])

    def test_grad_through_setitem_and_getitem(self):
        a = rng.standard_normal((4, 5))
        t, lt = both(a, requires_grad=True)
        tv, lv = both(rng.standard_normal((2,)), requires_grad=True)
        xt, xl = t * 2, lt * 2
        xt[[0, 3], [1, -1]] = tv
        xl[[0, 3], [1, -1]] = lv
        yt, yl = xt[[1, 1, 3], 2:], xl[[1, 1, 3], 2:]
        self.same(yt, yl)
        w = rng.standard_normal((4, 5))
        ((xt * torch.tensor(w)).sum() + yt.sum()).backward()
        ((xl * Lt.tensor(w.tolist(), dtype=Lt.float64)).sum() + yl.sum()).backward()
        self.same(t.grad, lt.grad)
        self.same(tv.grad, lv.grad)

    def test_values_dtype(self):
        t, lt = both(np.arange(6).reshape(2, 3), 'int64')
        t[[0, 1], [2, 0]] = 2.7
        lt[[0, 1], [2, 0]] = 2.7
        self.same(t, lt)
        tv, lv = both([2.7, -1.2], 'float32')

        def tset():
            t[[0, 1], [2, 0]] = tv

        def lset():
            lt[[0, 1], [2, 0]] = lv
        self.raises_both(RuntimeError, tset, lset)

    def test_errors(self):
        t, lt = both(np.zeros((2, 3)))
        with self.assertRaises(IndexError):
            t[[0, 2], [0, 0]] = 1.0
        with self.assertRaises(IndexError):
            lt[[0, 2], [0, 0]] = 1.0
        with self.assertRaises(IndexError):
            lt[[0, 1], [5, 0]]
        with self.assertRaises(IndexError):
            t[[0, 1], [5, 0]]
        # torch wrote the coordinates before the bad one; Lt writes nothing
        self.same(torch.zeros(2, 3, dtype=torch.float64), lt)


class ScatterReduce(Case):
    def test_values(self):
        a = rng.standard_normal((4, 5))
        idx = rng.integers(0, 4, size=(3, 5))
        for red in ('add', 'multiply'):
            for dtype in ('float64', 'float32', 'int64', 'int32'):
                t, lt = both(a * 3, dtype)
                ts, ls = both(rng.standard_normal((3, 6)) * 3, dtype)
                ti, li = both(idx, 'int64')
                self.same(t.scatter(0, ti, ts, reduce=red), lt.scatter(0, li, ls, reduce=red))
                self.same(t.scatter(0, ti, 2, reduce=red), lt.scatter(0, li, 2, reduce=red))
                t.scatter_(0, ti, ts, reduce=red)
                self.assertIs(lt.scatter_(0, li, ls, reduce=red), lt)
                self.same(t, lt)
        t, lt = both(a)
        ti, li = both(rng.integers(0, 4, size=(4, 2)), 'int64')
        ts, ls = both(rng.standard_normal((4, 2)))
        self.same(t.t().scatter(1, ti.t(), ts.t(), reduce='multiply'),
                  lt.t().scatter(1, li.t(), ls.t(), reduce='multiply'))
        self.same(torch.scatter(t, 1, ti, ts, reduce='add'),
                  Lt.scatter(lt, 1, li, ls, reduce='add'))

    def test_grad(self):
        t, lt = both(rng.standard_normal((3, 4)), requires_grad=True)
        ts, ls = both(rng.standard_normal((2, 4)), requires_grad=True)
        ti, li = both([[0, 1, 2, 0], [2, 0, 1, 1]], 'int64')
        rt, rl = t.scatter(0, ti, ts), lt.scatter(0, li, ls)
        self.same(rt, rl)
        w = rng.standard_normal((3, 4))
        (rt * torch.tensor(w)).sum().backward()
        (rl * Lt.tensor(w.tolist(), dtype=Lt.float64)).sum().backward()
        self.same(t.grad, lt.grad)
        self.same(ts.grad, ls.grad)
        # with reduce, the backward pass refuses in both
        for red in ('add', 'multiply'):
            rt = t.scatter(0, ti, ts, reduce=red)
            rl = lt.scatter(0, li, ls, reduce=red)
            self.raises_both(RuntimeError, lambda: rt.sum().backward(),
                             lambda: rl.sum().backward())

    def test_errors(self):
        t, lt = both(np.zeros((2, 3)))
        ti, li = both([[0, 2]], 'int64')
        ts, ls = both([[1.0, 2.0]])
        self.raises_both(RuntimeError, lambda: t.scatter(0, ti, ts, reduce='multiply'),
                         lambda: lt.scatter(0, li, ls, reduce='multiply'))
        ti, li = both([[0, 1]], 'int64')
        self.raises_both(RuntimeError, lambda: t.scatter(0, ti, ts, reduce='mean'),
                         lambda: lt.scatter(0, li, ls, reduce='mean'))
        self.raises_both(RuntimeError, lambda: t.scatter(0, ti, ts.float(), reduce='add'),
                         lambda: lt.scatter(0, li, ls.float(), reduce='add'))


if __name__ == '__main__':
    main()
