#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python overrides of Lt.Tensor: operators, indexing and views,
printing, sizes, conversions, dtypes and devices, autograd state, and errors
as GLib.Error.  Expected values come from Python arithmetic on the same data
(or from numpy), never from our own output."""

import copy
import gc
import math
import operator
import pickle
import unittest

from harness import main, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

np = require('numpy', 'python3-numpy')


def nested_map(fn, *lists):
    if isinstance(lists[0], list):
        return [nested_map(fn, *xs) for xs in zip(*lists)]
    return fn(*lists)


class TestOverridesLoaded(unittest.TestCase):

    def test_override_classes(self):
        self.assertTrue(Lt.Tensor.__module__.startswith('gi.overrides'))
        self.assertIs(type(Lt.ones(2)), Lt.Tensor)
        self.assertIs(type(Lt.ones(2, requires_grad=True).__mul__(2).grad_fn), Lt.GradFn)

    def test_introspected_functions_reachable(self):
        intro = Lt._introspection_module
        t = intro.zeros([2, 3], Lt.DType.FLOAT64)
        self.assertIsInstance(t, Lt.Tensor)
        self.assertEqual(t.get_shape(), [2, 3])
        ok, v = intro.Tensor.item(intro.scalar(2.5))
        self.assertTrue(ok)
        self.assertEqual(v, 2.5)

    def test_introspected_signatures_still_work(self):
        self.assertEqual(Lt.zeros([2, 3], Lt.DType.INT32).dtype, Lt.int32)
        self.assertEqual(Lt.full([2], 4.0, Lt.DType.FLOAT64).tolist(), [4.0, 4.0])
        self.assertEqual(Lt.arange(0, 3, 1, Lt.DType.INT64).tolist(), [0, 1, 2])
        self.assertEqual(Lt.cat([Lt.ones(1), Lt.zeros(1)], 0).tolist(), [1.0, 0.0])
        self.assertEqual(Lt.ones(2, 3).view([3, 2]).shape, (3, 2))
        self.assertEqual(Lt.ones(2, 3).permute([1, 0]).shape, (3, 2))

    def test_all_lists_overrides(self):
        import gi.overrides.Lt as ov
        for name in ('Tensor', 'GradFn', 'tensor', 'zeros', 'no_grad', 'from_numpy', 'Size',
                     'float32', 'float', 'bool', 'max', 'sum', 'cuda', 'device'):
            self.assertIn(name, ov.__all__)
            self.assertTrue(hasattr(Lt, name), name)


class TestCreation(unittest.TestCase):

    def test_tensor_5_3_uninitialised(self):
        x = Lt.Tensor(5, 3)
        self.assertEqual(x.size(), (5, 3))
        self.assertEqual(x.dtype, Lt.float32)
        self.assertEqual(x.type(), 'Lt.FloatTensor')
        self.assertEqual(Lt.Tensor().shape, (0,))
        self.assertEqual(Lt.Tensor(Lt.Size([2, 4])).shape, (2, 4))

    def test_legacy_constructors_from_data(self):
        self.assertEqual(Lt.Tensor([1, 2]).dtype, Lt.float32)
        self.assertEqual(Lt.Tensor([1, 2]).tolist(), [1.0, 2.0])
        self.assertEqual(Lt.FloatTensor([0.5]).dtype, Lt.float32)
        self.assertEqual(Lt.DoubleTensor([0.1]).dtype, Lt.float64)
        self.assertEqual(Lt.DoubleTensor([0.1]).item(), 0.1)
        self.assertEqual(Lt.LongTensor([[1], [2]]).tolist(), [[1], [2]])
        self.assertEqual(Lt.LongTensor([1]).dtype, Lt.int64)
        self.assertEqual(Lt.ByteTensor(3).dtype, Lt.uint8)
        self.assertEqual(Lt.BoolTensor([1, 0]).tolist(), [True, False])

    def test_tensor_infers(self):
        cases = [([[1, 2], [3, 4]], Lt.int64, (2, 2)), ([1.5, 2], Lt.float32, (2,)),
                 ([True, False], Lt.bool, (2,)), ([True, 2], Lt.int64, (2,)),
                 (3, Lt.int64, ()), (2.5, Lt.float32, ()), ([], Lt.float32, (0,)),
                 ([[[1.0]]], Lt.float32, (1, 1, 1)), (((1, 2), (3, 4)), Lt.int64, (2, 2))]
        for data, dtype, shape in cases:
            with self.subTest(data=data):
                t = Lt.tensor(data)
                self.assertEqual(t.dtype, dtype)
                self.assertEqual(t.shape, shape)
        self.assertEqual(Lt.tensor([[1, 2], [3, 4]]).tolist(), [[1, 2], [3, 4]])
        self.assertEqual(Lt.tensor(2 ** 62).item(), 2 ** 62)
        self.assertEqual(Lt.tensor([1.7, -1.7], dtype=Lt.int64).tolist(), [1, -1])
        self.assertEqual(Lt.tensor([1, 2], dtype=Lt.float64).dtype, Lt.float64)
        self.assertEqual(Lt.tensor([Lt.tensor(1.5), 2.5]).tolist(), [1.5, 2.5])
        t = Lt.tensor([1.0, 2.0], requires_grad=True)
        self.assertTrue(t.requires_grad and t.is_leaf)

    def test_tensor_ragged_raises(self):
        with self.assertRaises(ValueError):
            Lt.tensor([[1, 2], [3]])
        with self.assertRaises(TypeError):
            Lt.tensor(['a'])

    def test_tensor_copies(self):
        a = Lt.ones(3)
        b = Lt.tensor(a)
        b.add_(1)
        self.assertEqual(a.tolist(), [1.0] * 3)

    def test_sizes_given_every_way(self):
        for fn in (Lt.zeros, Lt.ones, Lt.empty, Lt.rand, Lt.randn):
            with self.subTest(fn=fn.__name__):
                self.assertEqual(fn(2, 3).shape, (2, 3))
                self.assertEqual(fn((2, 3)).shape, (2, 3))
                self.assertEqual(fn([2, 3]).shape, (2, 3))
                self.assertEqual(fn(Lt.Size([2, 3])).shape, (2, 3))
                self.assertEqual(fn(4).shape, (4,))
                self.assertEqual(fn(2, 3, dtype=Lt.float64).dtype, Lt.float64)
                self.assertTrue(fn(2, requires_grad=True).requires_grad)
        self.assertEqual(Lt.zeros(2, 2).tolist(), [[0.0, 0.0], [0.0, 0.0]])
        self.assertEqual(Lt.ones(3, dtype=Lt.int64).tolist(), [1, 1, 1])
        self.assertEqual(Lt.zeros(()).shape, ())

    def test_full_arange_linspace_eye(self):
        self.assertEqual(Lt.full((2,), 7).dtype, Lt.int64)
        self.assertEqual(Lt.full((2,), 7.5).tolist(), [7.5, 7.5])
        self.assertEqual(Lt.full((2,), True).dtype, Lt.bool)
        self.assertEqual(Lt.arange(5).tolist(), list(range(5)))
        self.assertEqual(Lt.arange(5).dtype, Lt.int64)
        self.assertEqual(Lt.arange(2, 11, 3).tolist(), list(range(2, 11, 3)))
        self.assertEqual(Lt.arange(0, 1, 0.25).tolist(), [0.0, 0.25, 0.5, 0.75])
        self.assertEqual(Lt.arange(0, 1, 0.25).dtype, Lt.float32)
        self.assertEqual(Lt.arange(3, dtype=Lt.float64).dtype, Lt.float64)
        self.assertEqual(Lt.linspace(0, 1, 5).tolist(), [0.0, 0.25, 0.5, 0.75, 1.0])
        self.assertEqual(Lt.eye(3).tolist(), [[float(i == j) for j in range(3)]
                                              for i in range(3)])
        self.assertEqual(Lt.eye(2, 3).shape, (2, 3))

    def test_random(self):
        Lt.manual_seed(42)
        a = Lt.rand(1000)
        Lt.manual_seed(42)
        b = Lt.rand(1000)
        self.assertEqual(a.tolist(), b.tolist())
        Lt.manual_seed(43)
        self.assertNotEqual(Lt.rand(1000).tolist(), a.tolist())
        self.assertTrue(0.0 <= a.min().item() and a.max().item() < 1.0)
        self.assertAlmostEqual(a.mean().item(), 0.5, delta=0.05)
        n = Lt.randn(10000)
        self.assertAlmostEqual(n.mean().item(), 0.0, delta=0.05)
        self.assertAlmostEqual(n.std().item(), 1.0, delta=0.05)
        r = Lt.randint(3, 7, (2000,))
        self.assertEqual(r.dtype, Lt.int64)
        self.assertEqual(sorted(set(r.tolist())), [3, 4, 5, 6])
        self.assertEqual(Lt.randint(5, (2, 2)).shape, (2, 2))
        self.assertEqual(Lt.randint(0, 5, [3], Lt.DType.INT32).dtype, Lt.int32)

    def test_like(self):
        x = Lt.ones(2, 3, dtype=Lt.float64)
        for fn in (Lt.zeros_like, Lt.ones_like, Lt.empty_like, Lt.rand_like, Lt.randn_like):
            with self.subTest(fn=fn.__name__):
                y = fn(x)
                self.assertEqual((y.shape, y.dtype), ((2, 3), Lt.float64))
                self.assertEqual(fn(x, dtype=Lt.float32).dtype, Lt.float32)
        self.assertEqual(Lt.zeros_like(x).tolist(), [[0.0] * 3] * 2)
        self.assertEqual(Lt.full_like(x, 2).tolist(), [[2.0] * 3] * 2)


class TestOperators(unittest.TestCase):

    A = [[1.5, -2.0, 3.0], [0.25, 4.0, -1.0]]
    B = [[2.0, 0.5, -3.0], [1.0, -4.0, 8.0]]

    def test_binary_with_tensors(self):
        a, b = Lt.tensor(self.A), Lt.tensor(self.B)
        for op in (operator.add, operator.sub, operator.mul, operator.truediv,
                   operator.pow):
            with self.subTest(op=op.__name__):
                want = nested_map(lambda x, y: op(x, y) if op is not operator.pow
                                  else (math.nan if x < 0 and y != int(y) else op(x, y)),
                                  self.A, self.B)
                got = op(a, b).tolist()
                for gr, wr in zip(got, want):
                    for g, w in zip(gr, wr):
                        if math.isnan(w):
                            self.assertTrue(math.isnan(g))
                        else:
                            self.assertAlmostEqual(g, w, places=4)

    def test_numbers_and_reflected(self):
        a = Lt.tensor(self.A)
        for v in (2, 0.5, -3):
            for op in (operator.add, operator.sub, operator.mul, operator.truediv):
                with self.subTest(op=op.__name__, v=v):
                    want = nested_map(lambda x: op(x, v), self.A)
                    rwant = nested_map(lambda x: op(v, x), self.A)
                    for g, w in zip(sum(op(a, v).tolist(), []), sum(want, [])):
                        self.assertAlmostEqual(g, w, places=5)
                    for g, w in zip(sum(op(v, a).tolist(), []), sum(rwant, [])):
                        self.assertAlmostEqual(g, w, places=4)
        self.assertEqual((2 ** Lt.arange(5)).tolist(), [2 ** k for k in range(5)])
        self.assertEqual((Lt.arange(5) ** 2).tolist(), [k ** 2 for k in range(5)])

    def test_int_semantics(self):
        i = Lt.tensor([7, -7, 5], dtype=Lt.int32)
        self.assertEqual((i + 2).dtype, Lt.int32)
        self.assertEqual((i + 2).tolist(), [9, -5, 7])
        self.assertEqual((i * 2.5).dtype, Lt.float32)
        self.assertEqual((i / 2).dtype, Lt.float32)
        self.assertEqual((i / 2).tolist(), [3.5, -3.5, 2.5])
        self.assertEqual((i // 2).tolist(), [7 // 2, -7 // 2, 5 // 2])
        self.assertEqual((i % 3).tolist(), [7 % 3, -7 % 3, 5 % 3])
        self.assertEqual((20 // i).tolist(), [20 // 7, 20 // -7, 20 // 5])
        self.assertEqual((20 % i).tolist(), [20 % 7, 20 % -7, 20 % 5])
        self.assertEqual((Lt.tensor([True, False]) + True).dtype, Lt.bool)
        self.assertEqual((Lt.tensor([True, False]) + 1).dtype, Lt.int64)
        self.assertEqual((Lt.ones(2, dtype=Lt.float64) + 1).dtype, Lt.float64)
        big = Lt.tensor([2 ** 40])
        self.assertEqual((big + 1).item(), 2 ** 40 + 1)

    def test_unary(self):
        a = Lt.tensor(self.A)
        self.assertEqual((-a).tolist(), nested_map(operator.neg, self.A))
        self.assertEqual(abs(a).tolist(), nested_map(abs, self.A))
        self.assertIs(+a, a)
        m = Lt.tensor([True, False])
        self.assertEqual((~m).tolist(), [False, True])
        self.assertEqual((m & Lt.tensor([True, True])).tolist(), [True, False])
        self.assertEqual((m | Lt.tensor([False, True])).tolist(), [True, True])
        self.assertEqual((m ^ Lt.tensor([True, True])).tolist(), [False, True])

    def test_matmul(self):
        a, b = Lt.tensor(self.A), Lt.tensor(self.B)
        want = [[sum(x * y for x, y in zip(r, c)) for c in self.B] for r in self.A]
        got = (a @ b.T).tolist()
        for gr, wr in zip(got, want):
            for g, w in zip(gr, wr):
                self.assertAlmostEqual(g, w, places=4)
        self.assertEqual((a @ b.t()).shape, (2, 2))

    def test_comparisons(self):
        a, b = Lt.tensor(self.A), Lt.tensor(self.B)
        for op in (operator.eq, operator.ne, operator.lt, operator.le, operator.gt,
                   operator.ge):
            with self.subTest(op=op.__name__):
                r = op(a, b)
                self.assertEqual(r.dtype, Lt.bool)
                self.assertEqual(r.tolist(), nested_map(op, self.A, self.B))
                self.assertEqual(op(a, 1.0).tolist(), nested_map(lambda x: op(x, 1.0), self.A))
                self.assertEqual(op(1.0, a).tolist(), nested_map(lambda x: op(1.0, x), self.A))
        self.assertFalse(a == None)  # noqa: E711 - the operator must not raise
        self.assertTrue(a != 'text')

    def test_hash_is_identity(self):
        a, b = Lt.ones(2), Lt.ones(2)
        s = {a, b}
        self.assertEqual(len(s), 2)
        self.assertIn(a, s)
        self.assertEqual(hash(a), hash(a))
        d = {a: 1}
        self.assertEqual(d[a], 1)

    def test_inplace_operators(self):
        x = Lt.tensor([1.0, 2.0, 3.0])
        alias = x
        ptr = x.data_ptr()
        x += 1
        x *= 3
        x -= 2
        x /= 4
        self.assertIs(x, alias)
        self.assertEqual(x.data_ptr(), ptr)
        self.assertEqual(x.tolist(), [((v + 1) * 3 - 2) / 4 for v in (1.0, 2.0, 3.0)])
        i = Lt.tensor([5, 9])
        j = i
        i //= 2
        i %= 3
        self.assertIs(i, j)
        self.assertEqual(i.tolist(), [(5 // 2) % 3, (9 // 2) % 3])
        v = Lt.zeros(2, 3)
        row = v[1]
        row += 5
        self.assertEqual(v.tolist(), [[0.0] * 3, [5.0] * 3])

    def test_inplace_methods_return_self(self):
        x = Lt.zeros(2, 2)
        for call in (lambda t: t.add_(1), lambda t: t.sub_(0.5), lambda t: t.mul_(4),
                     lambda t: t.div_(2), lambda t: t.pow_(2), lambda t: t.fill_(3),
                     lambda t: t.clamp_(max=2), lambda t: t.exp_(), lambda t: t.zero_(),
                     lambda t: t.copy_(Lt.ones(2)), lambda t: t.t_(),
                     lambda t: t.masked_fill_(Lt.tensor([True, False]), 9),
                     lambda t: t.add_(Lt.ones(2, 2), alpha=2)):
            self.assertIs(call(x), x)
        self.assertEqual(x.tolist(), [[11.0, 3.0], [11.0, 3.0]])
        y = Lt.tensor([1.0, 2.0])
        y.add_(Lt.tensor([1.0, 1.0]), alpha=-3)
        self.assertEqual(y.tolist(), [-2.0, -1.0])

    def test_add_out_and_alpha(self):
        x, y = Lt.tensor([1.0, 2.0]), Lt.tensor([10.0, 20.0])
        out = Lt.Tensor(2)
        r = Lt.add(x, y, out=out)
        self.assertIs(r, out)
        self.assertEqual(out.tolist(), [11.0, 22.0])
        self.assertEqual(Lt.add(x, y, alpha=2).tolist(), [21.0, 42.0])
        self.assertEqual(x.sub(y, alpha=0.5).tolist(), [-4.0, -8.0])
        self.assertEqual(x.add(1).tolist(), [2.0, 3.0])


class TestReductionsAndKeywords(unittest.TestCase):

    D = [[3.0, 1.0, 4.0], [1.0, 5.0, 9.0]]

    def test_sum_mean(self):
        t = Lt.tensor(self.D)
        self.assertEqual(t.sum().item(), sum(map(sum, self.D)))
        self.assertEqual(t.sum(dim=1).tolist(), [sum(r) for r in self.D])
        self.assertEqual(t.sum(0, keepdim=True).shape, (1, 3))
        self.assertEqual(t.sum(dim=(0, 1)).item(), 23.0)
        for g, w in zip(t.mean(1).tolist(), [sum(r) / 3 for r in self.D]):
            self.assertAlmostEqual(g, w, places=6)
        self.assertEqual(Lt.sum(t, 0).tolist(), [4.0, 6.0, 13.0])
        self.assertAlmostEqual(Lt.mean(t).item(), 23.0 / 6, places=6)

    def test_max_min(self):
        t = Lt.tensor(self.D)
        self.assertEqual(t.max().item(), 9.0)
        self.assertEqual(Lt.min(t).item(), 1.0)
        r = t.max(dim=1)
        self.assertEqual(r.values.tolist(), [4.0, 9.0])
        self.assertEqual(r.indices.tolist(), [2, 2])
        values, indices = Lt.max(t, 0)
        self.assertEqual(values.tolist(), [3.0, 5.0, 9.0])
        self.assertEqual(indices.tolist(), [0, 1, 1])
        self.assertEqual(Lt.min(t, 1, keepdim=True)[0].shape, (2, 1))
        self.assertEqual(t.argmax().item(), 5)
        self.assertEqual(t.argmax(dim=0).tolist(), [0, 1, 1])
        self.assertEqual(Lt.max(t, Lt.full((3,), 4.0)).tolist(), [[4.0, 4.0, 4.0],
                                                                  [4.0, 5.0, 9.0]])

    def test_var_std_norm(self):
        row = self.D[1]
        m = sum(row) / 3
        var_u = sum((v - m) ** 2 for v in row) / 2
        t = Lt.tensor(self.D)
        self.assertAlmostEqual(t[1].var().item(), var_u, places=5)
        self.assertAlmostEqual(t[1].var(unbiased=False).item(), var_u * 2 / 3, places=5)
        self.assertAlmostEqual(t.std(1)[1].item(), math.sqrt(var_u), places=5)
        self.assertAlmostEqual(t.norm().item(), math.sqrt(sum(v * v for r in self.D for v in r)),
                               places=4)
        self.assertEqual(t.norm(p=1, dim=1).tolist(), [8.0, 15.0])

    def test_softmax(self):
        t = Lt.tensor([[1.0, 2.0, 3.0]])
        e = [math.exp(v) for v in (1.0, 2.0, 3.0)]
        for g, w in zip(t.softmax(1)[0].tolist(), [v / sum(e) for v in e]):
            self.assertAlmostEqual(g, w, places=6)
        for g, w in zip(t.log_softmax(dim=-1)[0].tolist(), [math.log(v / sum(e)) for v in e]):
            self.assertAlmostEqual(g, w, places=5)

    def test_shape_methods(self):
        t = Lt.arange(24).view(2, 3, 4)
        self.assertEqual(t.view(6, 4).shape, (6, 4))
        self.assertEqual(t.view((4, 6)).shape, (4, 6))
        self.assertEqual(t.view(-1, t.size(2)).shape, (6, 4))
        self.assertEqual(t.reshape(4, -1).shape, (4, 6))
        self.assertEqual(t.permute(2, 0, 1).shape, (4, 2, 3))
        self.assertEqual(t.transpose(0, 2).shape, (4, 3, 2))
        self.assertEqual(t.unsqueeze(0).shape, (1, 2, 3, 4))
        self.assertEqual(t[:, :1].squeeze().shape, (2, 4))
        self.assertEqual(t[:, :1].squeeze(dim=1).shape, (2, 4))
        self.assertEqual(t[:1].expand(5, 3, 4).shape, (5, 3, 4))
        self.assertEqual(t[:1].expand(5, -1, -1).shape, (5, 3, 4))
        self.assertEqual(t.flatten(1).shape, (2, 12))
        self.assertEqual(t.T.shape, (4, 3, 2))
        self.assertEqual(t.repeat(1, 2, 1).shape, (2, 6, 4))
        self.assertEqual(Lt.tensor([1, 2]).repeat(2, 2).tolist(), [[1, 2, 1, 2], [1, 2, 1, 2]])
        self.assertEqual([c.shape for c in t.chunk(2, 2)], [(2, 3, 2), (2, 3, 2)])
        self.assertEqual([s.shape for s in t.split([1, 3], dim=2)], [(2, 3, 1), (2, 3, 3)])
        self.assertEqual(len(t.unbind(1)), 3)
        m = Lt.arange(6.0).view(2, 3)
        self.assertTrue(m.t().is_contiguous() is False)
        self.assertTrue(m.t().contiguous().is_contiguous())
        self.assertIs(m.t_(), m)
        self.assertEqual(m.shape, (3, 2))

    def test_index_methods(self):
        t = Lt.tensor([[1.0, 2.0], [3.0, 4.0]])
        self.assertEqual(t.gather(1, Lt.tensor([[1], [0]])).tolist(), [[2.0], [3.0]])
        self.assertEqual(t.index_select(0, [1, 1]).tolist(), [[3.0, 4.0], [3.0, 4.0]])
        self.assertEqual(t.masked_fill(t > 2, 0).tolist(), [[1.0, 2.0], [0.0, 0.0]])
        self.assertEqual(t.masked_select(t > 1.5).tolist(), [2.0, 3.0, 4.0])
        self.assertEqual(Lt.zeros(2, 2).scatter_add(1, Lt.tensor([[1], [1]]), t[:, :1]).tolist(),
                         [[0.0, 1.0], [0.0, 3.0]])
        self.assertEqual(Lt.tensor([0, 2]).one_hot(3).tolist(), [[1, 0, 0], [0, 0, 1]])
        self.assertEqual(Lt.where(t > 2, t, 0.0).tolist(), [[0.0, 0.0], [3.0, 4.0]])
        self.assertEqual(t.clamp(min=2).tolist(), [[2.0, 2.0], [3.0, 4.0]])
        self.assertEqual(t.clamp(max=2).tolist(), [[1.0, 2.0], [2.0, 2.0]])
        self.assertEqual(Lt.cat([t, t], dim=1).shape, (2, 4))
        self.assertEqual(Lt.stack([t, t]).shape, (2, 2, 2))


class TestIndexing(unittest.TestCase):

    def setUp(self):
        self.rows = [[10 * r + c for c in range(5)] for r in range(4)]
        self.x = Lt.tensor(self.rows, dtype=Lt.float32)

    def test_ints_and_slices(self):
        x, rows = self.x, self.rows
        self.assertEqual(x[1].tolist(), rows[1])
        self.assertEqual(x[-1].tolist(), rows[-1])
        self.assertEqual(x[1, 2].item(), rows[1][2])
        self.assertEqual(x[:, 1].tolist(), [r[1] for r in rows])
        for s in (slice(None, None, 2), slice(1, None, 3), slice(-3, -1), slice(3, 1),
                  slice(0, 100), slice(None, None, 7)):
            with self.subTest(s=s):
                self.assertEqual(x[s].tolist(), rows[s])
                self.assertEqual(x[:, s].tolist(), [r[s] for r in rows])
                self.assertEqual(x[s, s].tolist(), [r[s] for r in rows[s]])

    def test_negative_step_raises_like_torch(self):
        with self.assertRaises(ValueError):
            self.x[::-1]

    def test_none_and_ellipsis(self):
        x = self.x
        self.assertEqual(x[None].shape, (1, 4, 5))
        self.assertEqual(x[:, None].shape, (4, 1, 5))
        self.assertEqual(x[..., None].shape, (4, 5, 1))
        self.assertEqual(x[..., 2].tolist(), [r[2] for r in self.rows])
        self.assertEqual(x[None, ..., None, 1:3].shape, (1, 4, 1, 2))
        self.assertEqual(x[...].shape, (4, 5))
        self.assertEqual(Lt.tensor(5.0)[None].shape, (1,))
        self.assertEqual(Lt.tensor(5.0)[...].item(), 5.0)
        with self.assertRaises(IndexError):
            x[..., ...]

    def test_basic_indexing_gives_views(self):
        x = Lt.zeros(4, 5)
        x[:, 1].fill_(7)
        x[2][3] = 9
        x[::2, 4] += 1
        v = x[1:3, ::2]
        v.mul_(0).add_(5)
        want = [[0.0, 7.0, 0.0, 0.0, 1.0], [5.0, 7.0, 5.0, 0.0, 5.0],
                [5.0, 7.0, 5.0, 9.0, 5.0], [0.0, 7.0, 0.0, 0.0, 0.0]]
        self.assertEqual(x.tolist(), want)
        for key in (1, (slice(None), 1), (Ellipsis, 2), (None, 0), slice(1, 3),
                    (slice(None), slice(None, None, 2))):
            with self.subTest(key=key):
                self.assertTrue(x[key].shares_storage(x))
        alias = x[:]
        self.assertIsNot(alias, x)
        self.assertTrue(alias.shares_storage(x))
        col = x[:, 1]
        self.assertEqual(col.stride(), (5,))
        self.assertEqual(col.storage_offset(), 1)

    def test_advanced_indexing(self):
        x, rows = self.x, self.rows
        self.assertEqual(x[[0, 2]].tolist(), [rows[0], rows[2]])
        self.assertEqual(x[Lt.tensor([3, -4])].tolist(), [rows[3], rows[0]])
        self.assertEqual(x[:, [4, 0]].tolist(), [[r[4], r[0]] for r in rows])
        self.assertEqual(x[[0, 3], [1, 2]].tolist(), [rows[0][1], rows[3][2]])
        self.assertEqual(x[Lt.tensor([True, False, False, True])].tolist(), [rows[0], rows[3]])
        self.assertEqual(x[x > 30].tolist(), [v for r in rows for v in r if v > 30])
        self.assertEqual(x[Lt.tensor([1, 2], dtype=Lt.int32)].tolist(), rows[1:3])
        self.assertEqual(x[Lt.tensor([[0], [1]])].shape, (2, 1, 5))
        self.assertFalse(x[[0, 2]].shares_storage(x))
        with self.assertRaises(IndexError):
            x[Lt.tensor([0.5])]

    def test_advanced_indexing_like_numpy(self):
        a = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
        t = Lt.from_numpy(a.copy())
        keys = [([0, 2], slice(None), [1, 4]), (slice(None), [[0], [3]], [1, 2]),
                (1, [0, 3]), (Ellipsis, [4, 4, 0]), ([2, 0], [1, 3], [0, 4]),
                (a[:, :, 0] > 20,), (slice(1, 3), a[0, :, 0] > 4)]
        for k, key in enumerate(keys):
            with self.subTest(key=k):
                lkey = tuple(Lt.from_numpy(np.ascontiguousarray(i))
                             if isinstance(i, np.ndarray) else i for i in key)
                np.testing.assert_array_equal(t[lkey].numpy(), a[key])

    def test_setitem(self):
        x = Lt.zeros(3, 4)
        x[0] = 1
        x[1, :] = Lt.tensor([1.0, 2.0, 3.0, 4.0])
        x[2, ::2] = 5.5
        x[:, 3] = Lt.tensor(7.0)
        self.assertEqual(x.tolist(), [[1.0, 1.0, 1.0, 7.0], [1.0, 2.0, 3.0, 7.0],
                                      [5.5, 0.0, 5.5, 7.0]])
        x[x > 4] = -1
        self.assertEqual(x.tolist(), [[1.0, 1.0, 1.0, -1.0], [1.0, 2.0, 3.0, -1.0],
                                      [-1.0, 0.0, -1.0, -1.0]])
        x[[0, 2], 1] = Lt.tensor([8.0, 9.0])
        self.assertEqual([r[1] for r in x.tolist()], [8.0, 2.0, 9.0])
        x[Lt.tensor([False, True, False])] = 0
        self.assertEqual(x[1].tolist(), [0.0] * 4)
        x[...] = [1, 2, 3, 4]
        self.assertEqual(x.tolist(), [[1.0, 2.0, 3.0, 4.0]] * 3)

    def test_len_iter_contains(self):
        x = self.x
        self.assertEqual(len(x), 4)
        self.assertEqual([r.tolist() for r in x], self.rows)
        self.assertIn(31, x)
        self.assertNotIn(99, x)
        with self.assertRaises(TypeError):
            len(Lt.tensor(1.0))
        with self.assertRaises(TypeError):
            iter(Lt.tensor(1.0))
        shared = list(x)[1]
        shared.fill_(0)
        self.assertEqual(x[1].tolist(), [0.0] * 5)


class TestPrinting(unittest.TestCase):
    """The tutorial's form, behind Lt.set_printoptions(legacy=True)
    (test_print_reference.py checks the default, PyTorch's current form)."""

    def setUp(self):
        Lt.set_printoptions(legacy=True)

    def tearDown(self):
        Lt.set_printoptions(legacy=False)

    def test_tutorial_forms(self):
        # the tutorial prints torch.ones(5) and ones(2, 2) exactly so (with Lt. for torch.)
        self.assertEqual(str(Lt.ones(5)), ' 1\n 1\n 1\n 1\n 1\n[Lt.FloatTensor of size 5]\n')
        self.assertEqual(repr(Lt.ones(2, 2)), ' 1  1\n 1  1\n[Lt.FloatTensor of size 2x2]\n')
        self.assertEqual(repr(Lt.ones(2, 2) + 2), ' 3  3\n 3  3\n[Lt.FloatTensor of size 2x2]\n')

    def test_repr_is_to_string(self):
        for t in (Lt.rand(5, 3), Lt.tensor([1, 2]), Lt.tensor(True), Lt.zeros(0),
                  Lt.randn(3, 3, dtype=Lt.float64)):
            self.assertEqual(repr(t), t.to_string())
            self.assertEqual(str(t), t.to_string())

    def test_type_lines(self):
        for dtype, name in ((Lt.float32, 'FloatTensor'), (Lt.float64, 'DoubleTensor'),
                            (Lt.int64, 'LongTensor'), (Lt.int32, 'IntTensor'),
                            (Lt.uint8, 'ByteTensor'), (Lt.bool, 'BoolTensor')):
            t = Lt.zeros(5, 3, dtype=dtype)
            self.assertTrue(str(t).endswith('[Lt.%s of size 5x3]\n' % name), str(t))
            self.assertEqual(t.type(), 'Lt.' + name)

    def test_format(self):
        self.assertEqual('%.2f' % Lt.tensor(2.345), '2.35')   # via __float__
        self.assertEqual('{:.1f}'.format(Lt.tensor([1.25])), '1.2')
        self.assertEqual('{}'.format(Lt.ones(1)), str(Lt.ones(1)))


class TestSizeAndConversions(unittest.TestCase):

    def test_size(self):
        x = Lt.rand(5, 3)
        s = x.size()
        self.assertIsInstance(s, tuple)
        self.assertIsInstance(s, Lt.Size)
        self.assertEqual(s, (5, 3))
        self.assertEqual(repr(s), 'Lt.Size([5, 3])')
        self.assertEqual(str(s), 'Lt.Size([5, 3])')
        self.assertEqual(s[1:], (3,))
        self.assertIsInstance(s[1:], Lt.Size)
        self.assertEqual(s.numel(), 15)
        self.assertEqual(x.size(0), 5)
        self.assertEqual(x.size(-1), 3)
        self.assertEqual(x.size(dim=1), 3)
        self.assertEqual(x.shape, s)
        self.assertEqual(Lt.tensor(1.0).size(), ())
        self.assertEqual(repr(Lt.Size([])), 'Lt.Size([])')
        with self.assertRaises(GLib.Error):
            x.size(2)
        self.assertEqual(x.dim(), 2)
        self.assertEqual(x.ndim, 2)
        self.assertEqual(x.numel(), 15)
        self.assertEqual(x.stride(), (3, 1))
        self.assertEqual(x.element_size(), 4)

    def test_item_and_scalars(self):
        self.assertEqual(Lt.tensor(2.5).item(), 2.5)
        self.assertIsInstance(Lt.tensor(3).item(), int)
        self.assertIsInstance(Lt.tensor(3.0).item(), float)
        self.assertIs(Lt.tensor(True).item(), True)
        self.assertEqual(Lt.tensor([[7]]).item(), 7)
        self.assertEqual(float(Lt.tensor([1.5])), 1.5)
        self.assertEqual(int(Lt.tensor(2.9)), 2)
        self.assertFalse(bool(Lt.tensor(0.0)))
        self.assertTrue(bool(Lt.tensor([3])))
        self.assertEqual(operator.index(Lt.tensor(4)), 4)
        self.assertEqual(['a', 'b', 'c'][Lt.tensor(2)], 'c')
        with self.assertRaises(TypeError):
            operator.index(Lt.tensor(2.0))
        with self.assertRaises(ValueError):
            float(Lt.ones(2))
        with self.assertRaises(RuntimeError):
            bool(Lt.ones(2))
        with self.assertRaises(GLib.Error):
            Lt.ones(2).item()

    def test_tolist(self):
        self.assertEqual(Lt.tensor([[1, 2, 3], [4, 5, 6]]).tolist(), [[1, 2, 3], [4, 5, 6]])
        self.assertEqual(Lt.tensor([[1, 2, 3], [4, 5, 6]]).t().tolist(),
                         [[1, 4], [2, 5], [3, 6]])
        self.assertEqual(Lt.tensor([True, False]).tolist(), [True, False])
        self.assertIs(type(Lt.tensor([True]).tolist()[0]), bool)
        self.assertIs(type(Lt.tensor([1]).tolist()[0]), int)
        self.assertEqual(Lt.tensor(0.25).tolist(), 0.25)
        self.assertEqual(Lt.zeros(2, 0).tolist(), [[], []])
        self.assertEqual(Lt.arange(8).view(2, 2, 2).tolist(),
                         [[[0, 1], [2, 3]], [[4, 5], [6, 7]]])

    def test_dtypes(self):
        self.assertEqual(Lt.float, Lt.float32)
        self.assertEqual(Lt.double, Lt.float64)
        self.assertEqual(Lt.long, Lt.int64)
        self.assertEqual(Lt.int, Lt.int32)
        self.assertEqual(Lt.bool, Lt.DType.BOOL)
        self.assertEqual(repr(Lt.float32), 'Lt.float32')
        self.assertEqual(str(Lt.int64), 'Lt.int64')
        self.assertTrue(Lt.float64.is_floating_point)
        self.assertFalse(Lt.uint8.is_floating_point)
        x = Lt.ones(2)
        for conv, dtype in ((x.double, Lt.float64), (x.long, Lt.int64), (x.int, Lt.int32),
                            (x.bool, Lt.bool), (x.byte, Lt.uint8), (x.char, Lt.int8),
                            (x.short, Lt.int16), (x.float, Lt.float32)):
            self.assertEqual(conv().dtype, dtype)
        self.assertEqual(x.to(Lt.float64).dtype, Lt.float64)
        self.assertEqual(x.to(dtype=Lt.int64).dtype, Lt.int64)
        self.assertEqual(x.type(Lt.int16).dtype, Lt.int16)
        self.assertEqual(x.type('Lt.DoubleTensor').dtype, Lt.float64)
        self.assertEqual(x.type('torch.LongTensor').dtype, Lt.int64)
        self.assertIs(x.to(Lt.float32), x)
        self.assertEqual(Lt.tensor([1.9, -1.9]).long().tolist(), [1, -1])
        self.assertEqual(x.type_as(Lt.ones(1, dtype=Lt.int8)).dtype, Lt.int8)

    def test_device(self):
        x = Lt.ones(2)
        self.assertEqual(x.device, Lt.device('cpu'))
        self.assertEqual(str(x.device), 'cpu')
        self.assertEqual(repr(x.device), "device(type='cpu')")
        self.assertFalse(x.is_cuda)
        self.assertIs(x.cpu(), x)
        self.assertIs(x.to('cpu'), x)
        self.assertEqual(str(Lt.device('cuda:1')), 'cuda:1')
        self.assertFalse(Lt.cuda.is_available())
        self.assertEqual(Lt.cuda.device_count(), 0)
        for move in (lambda: x.cuda(), lambda: x.to('cuda'), lambda: x.to(Lt.device('cuda')),
                     lambda: Lt.zeros(2, device='cuda')):
            with self.assertRaises(GLib.Error) as cm:
                move()
            self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.DEVICE))
            self.assertIn('CUDA', cm.exception.message)
        with self.assertRaises(RuntimeError):
            Lt.device('tpu')


class TestAutogradState(unittest.TestCase):

    def test_requires_grad_and_leaves(self):
        x = Lt.ones(2, 2)
        self.assertFalse(x.requires_grad)
        x.requires_grad = True
        self.assertTrue(x.requires_grad)
        self.assertTrue(x.is_leaf)
        y = x + 2
        self.assertFalse(y.is_leaf)
        self.assertTrue(y.requires_grad)
        z = Lt.zeros(3)
        self.assertIs(z.requires_grad_(), z)
        self.assertTrue(z.requires_grad)
        z.requires_grad_(False)
        self.assertFalse(z.requires_grad)

    def test_grad_fn(self):
        x = Lt.ones(2, 2, requires_grad=True)
        y = x + 2
        self.assertIsNone(x.grad_fn)
        self.assertEqual(y.grad_fn.name(), 'AddBackward0')
        self.assertRegex(repr(y.grad_fn), r'^<AddBackward0 object at 0x[0-9a-f]+>$')
        nf = y.grad_fn.next_functions
        self.assertIsInstance(nf, tuple)
        self.assertEqual(len(nf), 2)
        self.assertEqual(nf[0][0].name(), 'AccumulateGrad')
        self.assertEqual(nf[0][1], 0)
        self.assertEqual(nf[1], (None, 0))
        self.assertIs(nf[0][0].variable, x)
        z = (y * y).mean()
        self.assertEqual(z.grad_fn.name(), 'MeanBackward0')
        self.assertEqual(z.grad_fn.next_functions[0][0].name(), 'MulBackward0')

    def test_backward_and_grad(self):
        x = Lt.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        self.assertEqual(x.grad.tolist(), [2.0, 4.0, 6.0])
        (x * 3).backward([1.0, 0.5, 0.0])
        self.assertEqual(x.grad.tolist(), [5.0, 5.5, 6.0])
        x.grad.zero_()
        (x * 3).backward(Lt.tensor([1.0, 1.0, 1.0]))
        self.assertEqual(x.grad.tolist(), [3.0] * 3)
        x.grad = None
        self.assertIsNone(x.grad)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        self.assertEqual(x.grad.tolist(), [4.0, 8.0, 12.0])
        with self.assertRaises(GLib.Error) as cm:
            y.backward()
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.AUTOGRAD))

    def test_hooks(self):
        x = Lt.ones(3, requires_grad=True)
        y = x * 2
        seen = []

        def hook(g):
            seen.append(g.tolist())
            return g * 10
        handle = y.register_hook(hook)
        y.sum().backward()
        self.assertEqual(seen, [[1.0, 1.0, 1.0]])
        self.assertEqual(x.grad.tolist(), [20.0] * 3)
        handle.remove()
        x.grad = None
        y = x * 2
        y.register_hook(lambda g: None)
        y.sum().backward()
        self.assertEqual(x.grad.tolist(), [2.0] * 3)

    def test_post_accumulate_grad_hook(self):
        # as torch 2.1's register_post_accumulate_grad_hook: after .grad is
        # accumulated, with what earlier passes left there
        x = Lt.ones(2, requires_grad=True)
        seen = []
        handle = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        self.assertEqual(seen, [[3.0, 3.0], [6.0, 6.0]])
        handle.remove()
        (x * 3).sum().backward()
        self.assertEqual(len(seen), 2)
        err = KeyError('gone')

        def bad(p):
            raise err
        x.register_post_accumulate_grad_hook(bad)
        with self.assertRaises(KeyError) as cm:
            x.sum().backward()
        self.assertIs(cm.exception, err)
        with self.assertRaises(GLib.Error) as cm:
            (x * 2).register_post_accumulate_grad_hook(bad)
        self.assertTrue(cm.exception.matches(Lt.error_quark(), Lt.Error.AUTOGRAD))

    def test_no_grad(self):
        x = Lt.ones(2, requires_grad=True)
        with Lt.no_grad():
            self.assertFalse(Lt.is_grad_enabled())
            y = x * 2
            with Lt.enable_grad():
                self.assertTrue((x * 2).requires_grad)
        self.assertTrue(Lt.is_grad_enabled())
        self.assertFalse(y.requires_grad)
        self.assertIsNone(y.grad_fn)

        @Lt.no_grad()
        def f():
            return x * 2
        self.assertFalse(f().requires_grad)
        self.assertTrue(Lt.is_grad_enabled())
        Lt.set_grad_enabled(False)
        self.assertFalse(Lt.is_grad_enabled())
        Lt.set_grad_enabled(True)
        with Lt.set_grad_enabled(False):
            self.assertFalse(Lt.is_grad_enabled())
        self.assertTrue(Lt.is_grad_enabled())
        try:
            with Lt.no_grad():
                raise KeyError('inside')
        except KeyError:
            pass
        self.assertTrue(Lt.is_grad_enabled())

    def test_detach_data_clone(self):
        x = Lt.ones(3, requires_grad=True)
        for alias in (x.detach(), x.data):
            self.assertFalse(alias.requires_grad)
            self.assertTrue(alias.shares_storage(x))
        x.data.mul_(2)
        self.assertEqual(x.tolist(), [2.0] * 3)
        c = x.clone()
        self.assertFalse(c.shares_storage(x))
        self.assertEqual(c.grad_fn.name(), 'CloneBackward0')
        d = copy.deepcopy(x)
        self.assertTrue(d.requires_grad and d.is_leaf)
        self.assertFalse(d.shares_storage(x))

    def test_gradcheck(self):
        x = Lt.rand(3, dtype=Lt.float64, requires_grad=True)
        w = Lt.rand(3, 2, dtype=Lt.float64, requires_grad=True)
        self.assertTrue(Lt.autograd.gradcheck(lambda a, b: (a @ b).tanh().sum(), (x, w)))

    def test_pickle(self):
        x = Lt.arange(6.0).view(2, 3).t()
        y = pickle.loads(pickle.dumps(x))
        self.assertEqual(y.tolist(), x.tolist())
        self.assertEqual(y.dtype, x.dtype)
        self.assertEqual(pickle.loads(pickle.dumps(Lt.tensor([True]))).dtype, Lt.bool)


class TestErrors(unittest.TestCase):

    def test_broadcast_error_message(self):
        with self.assertRaises(GLib.Error) as cm:
            Lt.rand(5, 3) + Lt.rand(4)
        e = cm.exception
        self.assertEqual(e.message, 'add: shapes [5, 3] and [4] cannot be broadcast')
        self.assertTrue(e.matches(Lt.error_quark(), Lt.Error.SHAPE))
        with self.assertRaises(GLib.Error) as cm:
            Lt.add(Lt.rand(5, 3), Lt.rand(4))
        self.assertEqual(cm.exception.message, 'add: shapes [5, 3] and [4] cannot be broadcast')
        with self.assertRaises(GLib.Error) as cm:
            Lt.rand(5, 3).mul_(Lt.rand(2, 5, 3))
        self.assertIn('mul', cm.exception.message)

    def test_errors_name_op_and_shapes(self):
        cases = [
            (lambda: Lt.ones(2, 3) @ Lt.ones(4, 2), 'mm', '[2, 3]', Lt.Error.SHAPE),
            (lambda: Lt.ones(2, 3, 4) @ Lt.ones(5, 2), 'matmul', '[5, 2]', Lt.Error.SHAPE),
            (lambda: Lt.ones(2, 3).view(4), 'view', '[2, 3]', Lt.Error.SHAPE),
            (lambda: Lt.ones(2, 3)[5], 'select', 'size 2', Lt.Error.INDEX),
            (lambda: Lt.cat([Lt.ones(2, 3), Lt.ones(2, 4)]), 'cat', '[2, 4]', Lt.Error.SHAPE),
            (lambda: Lt.ones(2, 3).sum(5), 'sum', '', Lt.Error.INDEX),
            (lambda: Lt.ones(3, dtype=Lt.int64).add_(0.5), 'add', '', Lt.Error.DTYPE),
        ]
        for fn, op, shape, code in cases:
            with self.subTest(op=op):
                with self.assertRaises(GLib.Error) as cm:
                    fn()
                self.assertTrue(cm.exception.message.startswith(op), cm.exception.message)
                self.assertIn(shape, cm.exception.message)
                self.assertEqual(cm.exception.code, int(code), cm.exception.message)

    def test_python_type_errors(self):
        with self.assertRaises(TypeError):
            Lt.ones(2) + 'x'
        with self.assertRaises(TypeError):
            Lt.ones(2).add(object())
        with self.assertRaises(TypeError):
            Lt.zeros('a')


if __name__ == '__main__':
    gc.collect()
    main(verbosity=1)
