#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sorting and selection against PyTorch 1.13: sort, argsort, msort, topk,
kthvalue, median, mode and unique, as functions and methods, on the same
numpy inputs: values, indices, the named tuples, gradients, autograd node
names and the exception types.

Where equal elements make PyTorch's choice of index an implementation
detail (topk, kthvalue and median pick among ties by a partial sort), the
values must match and each index must point at an element holding its
value; everywhere else (sort is stable in both; mode takes the last
position) the indices must match exactly.
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
rng = np.random.default_rng(20261206)
COMPARED = [0]


def distinct(*shape):
    """Values without ties."""
    n = int(np.prod(shape))
    return (rng.permutation(n).astype('float64') / 7 - 3).reshape(shape)


def grid(*shape):
    """Small integers: many ties."""
    return rng.integers(-3, 4, size=shape).astype('float64')


class Case(unittest.TestCase):
    def same(self, t, lt):
        """The same shape, dtype name and values (NaN where NaN)."""
        COMPARED[0] += 1
        self.assertEqual(tuple(lt.shape), tuple(t.shape))
        self.assertEqual(str(lt.dtype).split('.')[-1], str(t.dtype).split('.')[-1])
        np.testing.assert_array_equal(npy(lt), npy(t))

    def same_pair(self, t, lt, exact_indices=True, dim=-1, x=None):
        self.same(t.values, lt.values)
        if exact_indices:
            self.same(t.indices, lt.indices)
        else:
            # each index holds its value (torch's pick among ties is its own)
            COMPARED[0] += 1
            self.assertEqual(tuple(lt.indices.shape), tuple(t.indices.shape))
            xs = npy(x)
            idx = npy(lt.indices).astype('int64')
            vals = npy(lt.values)
            if xs.ndim == 0:
                np.testing.assert_array_equal(xs, vals)
                return
            if idx.ndim < xs.ndim:
                idx = np.expand_dims(idx, dim)
                vals = np.expand_dims(vals, dim)
            np.testing.assert_array_equal(np.take_along_axis(xs, idx, axis=dim), vals)

    def raises_like(self, fn_t, fn_lt):
        COMPARED[0] += 1
        with self.assertRaises(Exception) as ct:
            fn_t()
        with self.assertRaises(Exception) as cl:
            fn_lt()
        self.assertIsInstance(cl.exception, type(ct.exception),
                              'torch raised %r, Lt %r' % (ct.exception, cl.exception))
        self.assertIsInstance(cl.exception, GLib.Error)


class Sort(Case):
    def test_sort_dims_orders_dtypes(self):
        for data in (distinct(4, 5), grid(4, 5), grid(3, 4, 5)):
            for dtype in ('float64', 'float32', 'int64', 'int32', 'uint8'):
                a = data if dtype != 'uint8' else data + 3
                t, lt = both(a, dtype)
                for dim in range(-a.ndim, a.ndim):
                    for desc in (False, True):
                        self.same_pair(torch.sort(t, dim, desc), Lt.sort(lt, dim, desc))
                        self.same_pair(t.sort(dim=dim, descending=desc, stable=True),
                                       lt.sort(dim=dim, descending=desc, stable=True))
                        self.same(torch.argsort(t, dim, desc), Lt.argsort(lt, dim, desc))
                        self.same(t.argsort(dim=dim, descending=desc, stable=True),
                                  lt.argsort(dim=dim, descending=desc, stable=True))
                self.same(torch.msort(t), Lt.msort(lt))
                self.same(t.msort(), lt.msort())

    def test_sort_nan_bool_rank0_empty_transposed(self):
        nan = float('nan')
        t, lt = both([3, 1, nan, 1, 2, nan, 3])
        for desc in (False, True):
            self.same_pair(t.sort(descending=desc), lt.sort(descending=desc))
        t, lt = both([True, False, True, False], 'bool')
        self.same_pair(t.sort(), lt.sort())
        self.same_pair(t.sort(descending=True), lt.sort(descending=True))
        t, lt = both(5.0)
        self.same_pair(t.sort(), lt.sort())
        self.same_pair(t.sort(0), lt.sort(0))
        t, lt = both(np.zeros((0, 3)))
        self.same_pair(t.sort(0), lt.sort(0))
        self.same_pair(t.sort(1), lt.sort(1))
        t, lt = both(grid(5, 6))
        self.same_pair(t.t().sort(1), lt.t().sort(1))
        self.same_pair(t[:, ::2].sort(0, True), lt[:, ::2].sort(0, True))

    def test_named_tuples(self):
        t, lt = both(distinct(3, 4))
        for name, ft, fl in (('sort', lambda x: x.sort(), lambda x: x.sort()),
                             ('topk', lambda x: x.topk(2), lambda x: x.topk(2)),
                             ('kthvalue', lambda x: x.kthvalue(2), lambda x: x.kthvalue(2)),
                             ('median', lambda x: x.median(1), lambda x: x.median(1)),
                             ('mode', lambda x: x.mode(), lambda x: x.mode())):
            rt, rl = ft(t), fl(lt)
            COMPARED[0] += 1
            self.assertEqual(type(rl).__name__, type(rt).__name__)
            self.assertEqual(len(rl), len(rt))
            self.same(rt.values, rl.values)
            values, indices = rl
            self.assertIs(values, rl.values)
            self.assertIs(indices, rl[1])
            self.assertIs(getattr(Lt.return_types, name), type(rl))


class Select(Case):
    def test_topk(self):
        for data, exact in ((distinct(4, 6), True), (grid(4, 6), False)):
            t, lt = both(data)
            for dim in (0, 1, -1):
                n = data.shape[dim]
                for k in (0, 1, 3, n):
                    if k > n:
                        continue
                    for largest in (True, False):
                        self.same_pair(torch.topk(t, k, dim, largest),
                                       Lt.topk(lt, k, dim, largest), exact, dim, t)
                        self.same_pair(t.topk(k, dim=dim, largest=largest, sorted=True),
                                       lt.topk(k, dim=dim, largest=largest, sorted=True),
                                       exact, dim, t)
        t, lt = both([3, float('nan'), 1, 5])
        self.same_pair(t.topk(2), lt.topk(2))
        self.same_pair(t.topk(2, largest=False), lt.topk(2, largest=False))

    def test_kthvalue(self):
        for data, exact in ((distinct(5, 4), True), (grid(5, 4), False)):
            t, lt = both(data)
            for dim in (0, 1, -1):
                for k in range(1, data.shape[dim] + 1):
                    for keepdim in (False, True):
                        self.same_pair(torch.kthvalue(t, k, dim, keepdim),
                                       Lt.kthvalue(lt, k, dim, keepdim), exact, dim, t)
        t, lt = both([3, float('nan'), 1, 5])
        for k in range(1, 5):
            self.same_pair(t.kthvalue(k), lt.kthvalue(k))

    def test_median(self):
        for data, exact in ((distinct(5, 4), True), (distinct(4, 6), True),
                            (grid(5, 4), False), (grid(3, 4, 6), False)):
            t, lt = both(data)
            self.same(torch.median(t), Lt.median(lt))
            self.same(t.median(), lt.median())
            for dim in range(-data.ndim, data.ndim):
                for keepdim in (False, True):
                    self.same_pair(torch.median(t, dim, keepdim), Lt.median(lt, dim, keepdim),
                                   exact, dim, t)
        nan = float('nan')
        t, lt = both([[1, nan, 3, nan], [2, 1, 0, 5], [nan, 0, 0, 0]])
        self.same(t.median(), lt.median())
        self.same_pair(t.median(1), lt.median(1))
        self.same_pair(t.median(0), lt.median(0), False, 0, t)
        for dtype in ('int64', 'int32', 'float32'):
            t, lt = both(grid(4, 5), dtype)
            self.same(t.median(), lt.median())
            self.same_pair(t.median(0), lt.median(0), False, 0, t)
        t, lt = both(np.zeros((0, 3)))
        self.same(t.median(), lt.median())

    def test_mode(self):
        for data in (grid(5, 7), grid(3, 4, 6), distinct(4, 5)):
            for dtype in ('float64', 'int64', 'float32'):
                t, lt = both(data, dtype)
                for dim in range(-data.ndim, data.ndim):
                    for keepdim in (False, True):
                        self.same_pair(torch.mode(t, dim, keepdim), Lt.mode(lt, dim, keepdim))
                self.same_pair(t.mode(), lt.mode())
        t, lt = both(5.0)
        self.same_pair(t.mode(), lt.mode())
        self.same_pair(t.kthvalue(1), lt.kthvalue(1))
        self.same_pair(t.median(0), lt.median(0))
        self.same_pair(t.topk(1), lt.topk(1))


class Unique(Case):
    def test_unique(self):
        for data in (grid(4, 5), grid(30), distinct(3, 4), np.array(2.0), np.zeros((0, 2))):
            for dtype in ('float64', 'float32', 'int64', 'int8'):
                t, lt = both(data, dtype)
                self.same(torch.unique(t), Lt.unique(lt))
                self.same(t.unique(sorted=True), lt.unique(sorted=True))
                for inv in (False, True):
                    for cnt in (False, True):
                        rt = torch.unique(t, return_inverse=inv, return_counts=cnt)
                        rl = Lt.unique(lt, return_inverse=inv, return_counts=cnt)
                        if not (inv or cnt):
                            rt, rl = (rt,), (rl,)
                        COMPARED[0] += 1
                        self.assertEqual(len(rl), len(rt))
                        for a, b in zip(rt, rl):
                            self.same(a, b)
        t, lt = both([True, False, True], 'bool')
        self.same(t.unique(), lt.unique())
        # torch records a node whose backward raises NotImplementedError;
        # Lt's result has no history at all
        t, lt = both(grid(3, 4), requires_grad=True)
        self.assertFalse(lt.unique().requires_grad)
        self.assertIsNone(lt.unique().grad_fn)

    def test_unique_dim(self):
        rows = np.array([[1, 2, 1], [0, 5, 0], [1, 2, 1], [0, 5, -1], [1, 2, 1]])
        for data in (rows, rows.T, grid(6, 2), grid(3, 2, 4), np.zeros((3, 2)), np.ones(1),
                     grid(9), np.zeros((0, 3)), rng.integers(0, 2, size=(7, 3))):
            for dim in range(-data.ndim, data.ndim):
                if any(s == 0 for d, s in enumerate(data.shape) if d != dim % data.ndim):
                    continue
                for dtype in ('float64', 'float32', 'int64', 'int8', 'uint8'):
                    t, lt = both(data, dtype)
                    for sort in (True, False):
                        for inv in (False, True):
                            for cnt in (False, True):
                                rt = torch.unique(t, sort, inv, cnt, dim=dim)
                                rl = lt.unique(sort, inv, cnt, dim=dim)
                                if not (inv or cnt):
                                    rt, rl = (rt,), (rl,)
                                COMPARED[0] += 1
                                self.assertEqual(len(rl), len(rt))
                                for a, b in zip(rt, rl):
                                    self.same(a, b)
        t, lt = both(rng.integers(0, 2, size=(6, 2)), 'bool')
        for dim in (0, 1):
            rt = torch.unique(t, return_inverse=True, return_counts=True, dim=dim)
            rl = Lt.unique(lt, return_inverse=True, return_counts=True, dim=dim)
            for a, b in zip(rt, rl):
                self.same(a, b)
        # -0.0 and 0.0 are the same value
        t, lt = both([[0.0, 1.0], [-0.0, 1.0]])
        self.same(t.unique(dim=0), lt.unique(dim=0))
        t, lt = both(grid(3, 4), requires_grad=True)
        self.assertFalse(lt.unique(dim=1).requires_grad)
        self.assertIsNone(lt.unique(dim=1).grad_fn)

    def test_unique_dim_errors(self):
        t, lt = both(grid(3, 4))
        te, le = both(np.zeros((2, 0)))
        ts, ls = both(np.array(3.0))
        for ft, fl in ((lambda: t.unique(dim=2), lambda: lt.unique(dim=2)),
                       (lambda: t.unique(dim=-3), lambda: lt.unique(dim=-3)),
                       (lambda: te.unique(dim=0), lambda: le.unique(dim=0)),
                       (lambda: ts.unique(dim=0), lambda: ls.unique(dim=0))):
            self.raises_like(ft, fl)


class Gradients(Case):
    def grad_like(self, fn, data):
        """fn(m, x) -> a tensor; (its values * w).sum() backward on both."""
        t, lt = both(data, requires_grad=True)
        yt, yl = fn(torch, t), fn(Lt, lt)
        self.same(yt.detach(), yl.detach())
        COMPARED[0] += 1
        self.assertEqual(yl.grad_fn.name(), type(yt.grad_fn).__name__)
        w = rng.standard_normal(tuple(yt.shape))
        (yt * torch.tensor(w)).sum().backward()
        (yl * Lt.tensor(w.tolist(), dtype=Lt.float64)).sum().backward()
        COMPARED[0] += 1
        np.testing.assert_allclose(npy(lt.grad), npy(t.grad), rtol=1e-12, atol=1e-12)

    def test_gradients(self):
        d = distinct(4, 5)
        for dim in (0, 1, -1):
            self.grad_like(lambda m, x: m.sort(x, dim).values, d)
            self.grad_like(lambda m, x: x.sort(dim=dim, descending=True, stable=True).values, d)
            self.grad_like(lambda m, x: m.msort(x), d)
            self.grad_like(lambda m, x: m.topk(x, 2, dim).values, d)
            self.grad_like(lambda m, x: m.topk(x, 3, dim, largest=False).values, d)
            for keepdim in (False, True):
                self.grad_like(lambda m, x: m.kthvalue(x, 2, dim, keepdim).values, d)
                self.grad_like(lambda m, x: m.median(x, dim, keepdim).values, d)
                self.grad_like(lambda m, x: m.mode(x, dim, keepdim).values, d)
        self.grad_like(lambda m, x: m.median(x), d)
        # ties: median over everything shares the gradient among equal elements
        self.grad_like(lambda m, x: m.median(x), np.array([[1., 2., 2.], [2., 3., 0.]]))
        self.grad_like(lambda m, x: m.median(x), np.array([1., float('nan'), 0., float('nan')]))
        self.grad_like(lambda m, x: m.mode(x, 1).values, grid(4, 9))
        self.grad_like(lambda m, x: m.sort(x, 1).values, grid(4, 9))

    def test_second_order(self):
        t, lt = both(distinct(3, 4), requires_grad=True)
        for m, x in ((torch, t), (Lt, lt)):
            y = (m.sort(x, 1).values ** 3).sum()
            g, = m.autograd.grad(y, x, create_graph=True)
            g.sum().backward()
        COMPARED[0] += 1
        np.testing.assert_allclose(npy(lt.grad), npy(t.grad), rtol=1e-12)


class Errors(Case):
    def test_errors(self):
        t, lt = both(distinct(3, 4))
        te, le = both(np.zeros((0, 3)))
        tb, lb = both([True, False], 'bool')
        for ft, fl in (
                (lambda: t.topk(5), lambda: lt.topk(5)),
                (lambda: t.topk(-1), lambda: lt.topk(-1)),
                (lambda: t.kthvalue(5), lambda: lt.kthvalue(5)),
                (lambda: t.kthvalue(0), lambda: lt.kthvalue(0)),
                (lambda: t.sort(2), lambda: lt.sort(2)),
                (lambda: t.argsort(-3), lambda: lt.argsort(-3)),
                (lambda: t.topk(1, 3), lambda: lt.topk(1, 3)),
                (lambda: t.median(2), lambda: lt.median(2)),
                (lambda: t.mode(2), lambda: lt.mode(2)),
                (lambda: te.median(0), lambda: le.median(0)),
                (lambda: te.mode(0), lambda: le.mode(0)),
                (lambda: te.kthvalue(1, 0), lambda: le.kthvalue(1, 0)),
                (lambda: tb.topk(1), lambda: lb.topk(1)),
                (lambda: tb.kthvalue(1), lambda: lb.kthvalue(1)),
                (lambda: tb.median(), lambda: lb.median())):
            self.raises_like(ft, fl)


if __name__ == '__main__':
    import atexit
    atexit.register(lambda: print('# %d comparisons with torch' % COMPARED[0]))
    main()
