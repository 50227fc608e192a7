#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reference suite for the products, scans and rearranging ops
(ops/lt-scan.c, ops/lt-rearrange.c, gi/overrides/_lt/ops_extra.py), side
by side with PyTorch: values, result dtypes, gradients, autograd node names
and the errors of the same bad inputs (test_reference.py has the
machinery): prod, cumsum, cumprod, logsumexp, norm, dist, tril, triu, flip,
roll, repeat, repeat_interleave, diag, diagonal, trace, outer, cross and
div with rounding_mode."""

import math

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi  # noqa: E402
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

from test_reference import TORCH_ERRORS, ReferenceCase, arr  # noqa: E402

INT_DTYPES = ('int64', 'int32', 'int16', 'int8', 'uint8')
ZEROS = np.array([[1.5, 0, -2, 0.5], [0, 2, 0, 3], [-1, 0.5, 2, -1.5]])


def node_name(t):
    return type(t.grad_fn).__name__ if isinstance(t, torch.Tensor) else t.grad_fn.name()


class OpsCase(ReferenceCase):
    count = 0

    def both(self, fn, *args, **kwargs):
        OpsCase.count += 1
        return super().both(fn, *args, **kwargs)

    def same_error(self, fn, *args, what=''):
        """Both raise, and Lt's error is an instance of torch's class."""
        OpsCase.count += 1
        th_args = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        lt_args = [Lt.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        with self.assertRaises(TORCH_ERRORS) as th:
            fn(torch, *th_args)
        with self.assertRaises(type(th.exception), msg=what) as lt:
            fn(Lt, *lt_args)
        self.assertIsInstance(lt.exception, GLib.Error, what)

    def same_node(self, fn, *args, what=''):
        OpsCase.count += 1
        r = [fn(m, *[m.tensor(a, requires_grad=True) for a in args]) for m in (torch, Lt)]
        self.assertEqual(node_name(r[1]), node_name(r[0]), what)


class TestScans(OpsCase):

    def test_prod(self):
        for dt in ('float32', 'float64'):
            x = arr((3, 4, 5), dt)
            self.both(lambda m, t: t.prod(), x, grad=True, what='prod %s' % dt)
            for dim in (0, 1, -1):
                for keepdim in (False, True):
                    self.both(lambda m, t: m.prod(t, dim, keepdim), x, grad=True,
                              what='prod(%d, %s) %s' % (dim, keepdim, dt))
        for dt in INT_DTYPES + ('bool',):
            self.both(lambda m, t: t.prod(), arr((3, 4), dt, -2, 3), what='prod %s' % dt)
            self.both(lambda m, t: t.prod(1), arr((3, 4), dt, -2, 3), what='prod(1) %s' % dt)
        self.both(lambda m, t: t.prod(dtype=m.float64), arr((3, 4), 'int32'), what='dtype=')
        self.both(lambda m, t: t.prod(0), np.zeros((0, 3), 'float32'), what='empty')
        self.both(lambda m, t: t.prod(0), np.array(2.5), what='0-dim')

    def test_prod_zeros(self):
        """The gradient where elements are zero (one, two, none in a line)."""
        self.both(lambda m, t: t.prod(), ZEROS[0], grad=True, what='one zero')
        self.both(lambda m, t: t.prod(), ZEROS[1], grad=True, what='two zeros')
        for dim in (0, 1):
            self.both(lambda m, t: t.prod(dim), ZEROS, grad=True, what='prod(%d) zeros' % dim)
            self.both(lambda m, t: t.cumprod(dim), ZEROS, grad=True,
                      what='cumprod(%d) zeros' % dim)

    def test_cumsum_cumprod(self):
        for name in ('cumsum', 'cumprod'):
            for dt in ('float32', 'float64'):
                x = arr((3, 4, 5), dt)
                for dim in (0, 1, 2, -1):
                    self.both(lambda m, t: getattr(t, name)(dim), x, grad=True,
                              what='%s(%d) %s' % (name, dim, dt))
                    self.both(lambda m, t: getattr(m, name)(t, dim=dim), x,
                              what='Lt.%s %s' % (name, dt))
            for dt in INT_DTYPES + ('bool',):
                self.both(lambda m, t: getattr(t, name)(1), arr((3, 4), dt, -2, 3),
                          what='%s %s' % (name, dt))
            self.both(lambda m, t: getattr(t, name)(0, dtype=m.float64), arr((4,), 'int64'),
                      what='%s dtype=' % name)
            self.both(lambda m, t: getattr(t, name)(0), np.array(1.5), grad=True,
                      what='%s 0-dim' % name)
            self.both(lambda m, t: getattr(t, name)(1).T, arr((5, 3), 'float64').T, grad=True,
                      what='%s transposed' % name)
            self.same_error(lambda m, t: getattr(t, name)(2), arr((3, 4)))
            self.same_node(lambda m, t: getattr(t, name)(0), arr((3,), 'float64'))

    def test_inplace_and_out(self):
        x = arr((3, 4), 'float64')
        self.both(lambda m, t: t.clone().cumsum_(1), x)
        self.both(lambda m, t: t.clone().cumprod_(0), x)
        self.both(lambda m, t: m.cumsum(t, 1, out=m.zeros(3, 4, dtype=m.float64)), x)
        self.both(lambda m, t: m.prod(t, 1, out=m.zeros(3, dtype=m.float64)), x)

    def test_logsumexp(self):
        for dt in ('float32', 'float64'):
            x = arr((3, 4, 5), dt)
            for dim in (0, -1, (0, 2), [1]):
                for keepdim in (False, True):
                    self.both(lambda m, t: m.logsumexp(t, dim, keepdim), x, grad=True,
                              what='logsumexp(%s, %s) %s' % (dim, keepdim, dt))
        big = np.array([[1000., 1001, 999], [-np.inf] * 3, [np.inf, 0, 1], [-1000, -1001, 3]],
                       'float32')
        self.both(lambda m, t: t.logsumexp(1), big, what='large and infinite')
        self.both(lambda m, t: t.logsumexp(0), arr((3, 4), 'int32'), what='int32')
        self.both(lambda m, t: t.logsumexp(0), np.zeros((0, 3), 'float32'), what='empty')
        self.same_error(lambda m, t: t.logsumexp(3), arr((3, 4)))
        self.same_error(lambda m, t: t.logsumexp((0, 0)), arr((3, 4)))
        self.same_node(lambda m, t: t.logsumexp(1), arr((3, 4), 'float64'))


class TestNorms(OpsCase):

    def test_norm(self):
        x = arr((3, 4, 5), 'float64')
        for p in (0, 1, 2, 3, 0.5, -1, math.inf, -math.inf, 'fro', None):
            for dim in (None, 0, -1, (0, 1), (0, 2), [2, 1]):
                if p in ('fro', None) and dim is None:
                    continue
                for keepdim in (False, True):
                    self.both(lambda m, t: t.norm(p, dim, keepdim), x, grad=p not in (0, 0.5, -1),
                              what='norm(%r, %s, %s)' % (p, dim, keepdim))
            self.both(lambda m, t: m.norm(t, p), x, grad=p not in (0, 0.5, -1),
                      what='Lt.norm(%r)' % (p,))
        self.both(lambda m, t: t.norm(dim=(0, 1, 2), p=2), x, grad=True, what='3 dims p=2')
        self.both(lambda m, t: t.norm(2, 1, dtype=m.float64), arr((3, 4), 'float32'),
                  what='dtype=')
        self.same_error(lambda m, t: t.norm(), arr((3, 4), 'int64'))
        self.same_error(lambda m, t: t.norm(p='fro', dim=(0, 1, 2)), arr((2, 3, 4)))
        self.same_error(lambda m, t: t.norm(p='foo'), arr((2, 3)))
        self.same_error(lambda m, t: t.norm(2, 5), arr((2, 3)))

    def test_dist(self):
        a, b = arr((3, 4), 'float64'), arr((4,), 'float64')
        for p in (0, 1, 2, 3.5, math.inf, -math.inf):
            self.both(lambda m, x, y: m.dist(x, y, p), a, b, grad=p != 0, what='dist p=%r' % p)
            self.both(lambda m, x, y: x.dist(y, p=p), a, b, what='x.dist p=%r' % p)
        self.both(lambda m, x, y: m.dist(x, y), a, a.copy(), grad=True, what='dist 0')
        self.same_error(lambda m, x, y: m.dist(x, y), arr((3, 4)), arr((5,)))


class TestRearrange(OpsCase):

    def test_tril_triu(self):
        for name in ('tril', 'triu'):
            for k in (-2, -1, 0, 1, 3):
                self.both(lambda m, t: getattr(t, name)(k), arr((4, 5), 'float64'), grad=True,
                          what='%s(%d)' % (name, k))
                self.both(lambda m, t: getattr(m, name)(t, diagonal=k), arr((2, 3, 4)),
                          grad=True, what='batched %s(%d)' % (name, k))
            for dt in INT_DTYPES + ('bool',):
                self.both(lambda m, t: getattr(t, name)(), arr((3, 3), dt), what=name + dt)
            self.both(lambda m, t: getattr(t.clone(), name + '_')(1), arr((3, 4)))
            self.same_error(lambda m, t: getattr(t, name)(), arr((3,)))
            self.same_node(lambda m, t: getattr(t, name)(), arr((3, 3), 'float64'))

    def test_flip_roll(self):
        x = arr((2, 3, 4), 'float64')
        for dims in ((0,), (2, 0), [-1], (0, 1, 2)):
            self.both(lambda m, t: t.flip(dims), x, grad=True, what='flip %s' % (dims,))
            self.both(lambda m, t: m.flip(t, dims), x, what='Lt.flip %s' % (dims,))
        self.both(lambda m, t: t.flip(0, 1), x, what='flip(0, 1)')
        self.both(lambda m, t: t.fliplr(), arr((3, 4)), what='fliplr')
        self.both(lambda m, t: t.flipud(), arr((3, 4)), what='flipud')
        for shifts, dims in ((1, 0), (-5, 2), ((1, 2), (0, 2)), (7, None), (-3, None),
                             ((2, -1), (-1, 1))):
            self.both(lambda m, t: t.roll(shifts, dims), x, grad=True,
                      what='roll(%s, %s)' % (shifts, dims))
        self.both(lambda m, t: m.roll(t, 1), arr((5,), 'int32'), what='roll int')
        self.same_error(lambda m, t: t.flip(0, 0), x)
        self.same_error(lambda m, t: t.flip(3), x)
        self.same_error(lambda m, t: t.roll(1, (0, 1)), x)
        self.same_error(lambda m, t: t.roll((1, 2), 0), x)
        for name, f in (('flip', lambda m, t: t.flip(0)), ('roll', lambda m, t: t.roll(1, 0))):
            self.same_node(f, arr((3, 2), 'float64'), what=name)

    def test_repeat(self):
        for sizes in ((2, 1), (1, 3), (2, 2, 3), (0, 2), (1, 1)):
            self.both(lambda m, t: t.repeat(*sizes), arr((2, 3), 'float64'), grad=True,
                      what='repeat%s' % (sizes,))
        self.both(lambda m, t: t.repeat((2, 2)), arr((3,), 'int16'), what='repeat tuple')
        self.both(lambda m, t: t.T.repeat(2, 1), arr((3, 2), 'float64'), grad=True,
                  what='repeat transposed')
        self.same_error(lambda m, t: t.repeat(2), arr((2, 3)))
        self.same_node(lambda m, t: t.repeat(2, 1), arr((2, 3), 'float64'))

    def test_repeat_interleave(self):
        x = arr((2, 3), 'float64')
        self.both(lambda m, t: t.repeat_interleave(2), x, grad=True, what='flattened')
        self.both(lambda m, t: t.repeat_interleave(3, dim=1), x, grad=True, what='dim 1')
        self.both(lambda m, t: t.repeat_interleave(m.tensor([1, 0, 2]), dim=-1), x, grad=True,
                  what='tensor repeats')
        self.both(lambda m, t: m.repeat_interleave(t, m.tensor([2, 1]), dim=0), x,
                  what='Lt.repeat_interleave')
        self.both(lambda m, t: m.repeat_interleave(t), np.array([2, 0, 3]), what='repeats only')
        self.same_error(lambda m, t: t.repeat_interleave(-1), x)
        self.same_error(lambda m, t: t.repeat_interleave(m.tensor([1, 2]), dim=1), x)
        self.same_node(lambda m, t: t.repeat_interleave(2), arr((3,), 'float64'))

    def test_diag_diagonal_trace(self):
        x = arr((4, 5), 'float64')
        for k in (-5, -1, 0, 2, 6):
            self.both(lambda m, t: t.diagonal(k), x, grad=True, what='diagonal(%d)' % k)
            if -5 < k < 6:
                # torch 1.13 fails on a diagonal wholly outside the matrix
                self.both(lambda m, t: t.diag(k), x, grad=True, what='diag(%d) of a matrix' % k)
            self.both(lambda m, t: m.diag(t, k), arr((3,), 'float64'), grad=True,
                      what='diag(%d) of a vector' % k)
        self.both(lambda m, t: t.diagonal(1, 0, 2), arr((3, 2, 4), 'float64'), grad=True,
                  what='diagonal of dims 0, 2')
        self.both(lambda m, t: m.diagonal(t, -1, dim1=-1, dim2=0), arr((3, 2, 4), 'float64'),
                  grad=True, what='diagonal of dims -1, 0')
        self.both(lambda m, t: t.trace(), x, grad=True, what='trace')
        self.both(lambda m, t: m.trace(t), arr((3, 3), 'int32'), what='trace int32')
        self.same_error(lambda m, t: t.diag(), arr((2, 2, 2)))
        self.same_error(lambda m, t: t.diagonal(), arr((3,)))
        self.same_error(lambda m, t: t.diagonal(0, 1, 1), arr((3, 3)))
        self.same_error(lambda m, t: t.trace(), arr((3,)))
        self.same_node(lambda m, t: t.diagonal(), arr((3, 3), 'float64'))
        # the diagonal is a view: writes reach the matrix
        for m in (torch, Lt):
            t = m.zeros(3, 3)
            t.diagonal().fill_(1)
            self.assertEqual(t.sum().item(), 3)

    def test_outer_cross(self):
        a, b = arr((3,), 'float64'), arr((4,), 'float64')
        self.both(lambda m, x, y: m.outer(x, y), a, b, grad=True, what='outer')
        self.both(lambda m, x, y: x.ger(y), a, b, what='ger')
        self.both(lambda m, x, y: m.outer(x, y), arr((3,), 'int32'), arr((2,), 'float32'),
                  what='outer promotes')
        self.same_error(lambda m, x, y: m.outer(x, y), arr((2, 3)), arr((3,)))
        u, v = arr((4, 3), 'float64'), arr((4, 3), 'float64')
        self.both(lambda m, x, y: m.cross(x, y, dim=1), u, v, grad=True, what='cross dim 1')
        self.both(lambda m, x, y: x.cross(y), u, v, grad=True, what='cross default dim')
        self.both(lambda m, x, y: m.cross(x, y, dim=0), arr((3, 5), 'float64'),
                  arr((3, 5), 'float64'), grad=True, what='cross dim 0')
        self.both(lambda m, x, y: m.cross(x, y, dim=-1), arr((2, 1, 3), 'float64'),
                  arr((1, 4, 3), 'float64'), grad=True, what='cross broadcast')
        self.same_error(lambda m, x, y: m.cross(x, y), arr((2, 2)), arr((2, 2)))
        self.same_error(lambda m, x, y: m.cross(x, y, dim=5), arr((3, 3)), arr((3, 3)))


class TestDivRounding(OpsCase):

    def test_values(self):
        a = np.array([7, -7, 7, -7, 0, 5, -5, 1], 'int64')
        b = np.array([2, 2, -2, -2, 3, 5, 3, -3], 'int64')
        for mode in (None, 'trunc', 'floor'):
            for dt in INT_DTYPES:
                x, y = a.astype(dt), b.astype(dt)
                if dt == 'uint8':
                    x, y = np.abs(a).astype(dt), np.abs(b).astype(dt)
                self.both(lambda m, s, t: m.div(s, t, rounding_mode=mode), x, y,
                          what='div %s %s' % (mode, dt))
            fa = np.array([7.5, -7.5, 1, -1, 0, 3, -0.5, 1e10], 'float32')
            fb = np.array([2, 2, 0.1, 0.3, 2, -0.7, 4, 3], 'float32')
            self.both(lambda m, s, t: s.div(t, rounding_mode=mode), fa, fb, grad=True,
                      what='float div %s' % mode)
            self.both(lambda m, s: m.div(s, 2.5, rounding_mode=mode), a.astype('int8'),
                      what='int8 / 2.5 %s' % mode)
            self.both(lambda m, s: s.divide(-3, rounding_mode=mode), a, what='divide %s' % mode)
            self.both(lambda m, s, t: s.clone().div_(t, rounding_mode=mode),
                      fa.astype('float64'), fb.astype('float64'), what='div_ %s' % mode)

    def test_division_by_zero(self):
        for mode in ('trunc', 'floor'):
            self.both(lambda m, s: m.div(s, 0., rounding_mode=mode),
                      np.array([5., -5, 0], 'float32'), what='float / 0 %s' % mode)
            self.same_error(lambda m, s: m.div(s, 0, rounding_mode=mode), np.array([5, -5]))
        self.same_error(lambda m, s: m.div(s, 2, rounding_mode='round'), np.array([5, -5]))


class TestEinsum(OpsCase):

    def test_equations(self):
        f = 'float64'
        cases = [
            ('ij,jk->ik', [(3, 4), (4, 5)]), ('ij,jk', [(3, 4), (4, 5)]),
            ('bij,bjk->bik', [(2, 3, 4), (2, 4, 5)]), ('i,i->', [(4,), (4,)]),
            ('i,j->ij', [(3,), (4,)]), ('ii->i', [(4, 4)]), ('ii', [(4, 4)]),
            ('ij->ji', [(3, 4)]), ('ij->', [(3, 4)]), ('ijk->kji', [(2, 3, 4)]),
            ('iij->ij', [(3, 3, 2)]), ('...ij,...jk->...ik', [(2, 3, 4), (4, 5)]),
            ('...ij->...ji', [(2, 3, 4)]), ('b...,b...->b', [(2, 3, 4), (2, 3, 4)]),
            ('ij,jk,kl->il', [(2, 3), (3, 4), (4, 5)]),
            ('ab,bc,cd,de->ae', [(2, 3), (3, 2), (2, 4), (4, 3)]),
            ('bn,anm,bm->ba', [(2, 3), (4, 3, 5), (2, 5)]), ('i,ij,j', [(3,), (3, 4), (4,)]),
            ('Ab,bA->A', [(3, 4), (4, 3)]), ('ij,ij->ij', [(3, 4), (3, 4)]),
            ('i j , j k -> i k', [(3, 4), (4, 2)]),
        ]
        for eq, shapes in cases:
            xs = [arr(sh, f) for sh in shapes]
            self.both(lambda m, *ts: m.einsum(eq, *ts), *xs, grad=True, what='einsum %r' % eq)
        self.both(lambda m, a, b: m.einsum('ij,jk->ik', [a, b]), arr((2, 3)), arr((3, 2)),
                  what='einsum list')

    def test_errors(self):
        self.same_error(lambda m, a, b: m.einsum('ij,jk->ik', a, b), arr((3, 4)), arr((5, 2)))
        self.same_error(lambda m, a: m.einsum('ij,jk->ik', a), arr((3, 4)))
        self.same_error(lambda m, a: m.einsum('ijk->i', a), arr((3, 4)))
        self.same_error(lambda m, a: m.einsum('ij->iz', a), arr((3, 4)))
        self.same_error(lambda m, a: m.einsum('ij->ii', a), arr((3, 4)))
        self.same_error(lambda m, a: m.einsum('ii->i', a), arr((3, 4)))


def tearDownModule():
    print('%d comparisons with torch' % OpsCase.count)


if __name__ == '__main__':
    main()
