#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.linalg against PyTorch 1.13's torch.linalg on the same numpy inputs:
inv, solve, det, slogdet, cholesky, eigh, eigvalsh, svd, svdvals, qr,
lstsq, pinv, matrix_rank, norm, matrix_norm and vector_norm, the older
spellings (torch.det, torch.inverse, x.det(), torch.svd, ...), float32
and float64, batches; the gradients (and second derivatives through
create_graph) against torch's; the exception types (LinAlgError a
RuntimeError, and a GLib.Error).

Where a factor's signs are LAPACK's choice (eigenvectors, singular
vectors, Q and R), the comparison is of what does not depend on them: the
values that are unique, the reconstructions, |entries| for distinct
eigen/singular values, and losses built from sign-free products.
"""

import math
import os
import subprocess
import sys
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


def mats(*shape, diag=0.0):
    a = rng.uniform(-1, 1, size=shape)
    if diag:
        n = min(shape[-2:])
        a[..., range(n), range(n)] += diag
    return a


def spd(*shape):
    x = rng.uniform(-1, 1, size=shape)
    return x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])


def sym(*shape):
    x = rng.uniform(-1, 1, size=shape)
    return x + np.swapaxes(x, -1, -2)


def tol(dtype):
    return (1e-9, 1e-9) if dtype == 'float64' else (2e-4, 2e-4)


class Case(unittest.TestCase):
    def close(self, t, lt, dtype='float64', abs_=False):
        COMPARED[0] += 1
        self.assertEqual(tuple(lt.shape), tuple(t.shape))
        self.assertEqual(str(lt.dtype).split('.')[-1], str(t.dtype).split('.')[-1])
        a, b = npy(lt), npy(t)
        if abs_:
            a, b = np.abs(a), np.abs(b)
        rtol, atol = tol(dtype)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)

    def grads(self, ft, flt, *arrays, create_graph=False):
        """The gradients of ft and flt (a scalar loss of the inputs) match
        torch's; with create_graph, so do those of the gradients' sum."""
        ts, lts = zip(*(both(a, requires_grad=True) for a in arrays))
        lt_out, t_out = flt(*lts), ft(*ts)
        self.close(t_out, lt_out)
        if not create_graph:
            t_out.backward()
            lt_out.backward()
            for t, lt in zip(ts, lts):
                self.close(t.grad, lt.grad)
            return
        tg = torch.autograd.grad(t_out, ts, create_graph=True)
        lg = Lt.autograd.grad(lt_out, lts, create_graph=True)
        for t, lt in zip(tg, lg):
            self.close(t, lt)
        tgg = torch.autograd.grad(sum((g * g).sum() for g in tg), ts)
        lgg = Lt.autograd.grad(sum((g * g).sum() for g in lg), lts)
        for t, lt in zip(tgg, lgg):
            COMPARED[0] += 1
            np.testing.assert_allclose(npy(lt), npy(t), rtol=1e-6, atol=1e-8)

    def raises_like(self, fn_t, fn_lt):
        COMPARED[0] += 1
        with self.assertRaises(Exception) as ct:
            fn_t()
        with self.assertRaises(Exception) as cl:
            fn_lt()
        if isinstance(ct.exception, torch.linalg.LinAlgError):
            self.assertIsInstance(cl.exception, Lt.linalg.LinAlgError)
        else:
            self.assertNotIsInstance(cl.exception, Lt.linalg.LinAlgError)
            self.assertIsInstance(cl.exception, type(ct.exception),
                                  'torch raised %r, Lt %r' % (ct.exception, cl.exception))
        self.assertIsInstance(cl.exception, RuntimeError)
        self.assertIsInstance(cl.exception, GLib.Error)
        return str(ct.exception), str(cl.exception)


class Solvers(Case):
    def test_inv_solve_det_slogdet(self):
        for dtype in ('float64', 'float32'):
            for shape in ((3, 3), (2, 4, 4), (2, 1, 2, 2), (0, 3, 3), (2, 0, 0)):
                t, lt = both(mats(*shape, diag=2.0), dtype)
                self.close(torch.linalg.inv(t), Lt.linalg.inv(lt), dtype)
                self.close(torch.inverse(t), Lt.inverse(lt), dtype)
                self.close(t.inverse(), lt.inverse(), dtype)
                self.close(torch.linalg.det(t), Lt.linalg.det(lt), dtype)
                self.close(torch.det(t), Lt.det(lt), dtype)
                self.close(t.det(), lt.det(), dtype)
                ts, ls = torch.linalg.slogdet(t), Lt.linalg.slogdet(lt)
                self.assertEqual(type(ls).__name__, type(ts).__name__)
                self.close(ts.sign, ls.sign, dtype)
                self.close(ts.logabsdet, ls.logabsdet, dtype)
                ts, ls = t.slogdet(), lt.slogdet()
                self.close(ts[1], ls[1], dtype)
                self.close(torch.logdet(t), Lt.logdet(lt), dtype)
                n = shape[-1]
                tb, lb = both(mats(*shape[:-1], 2), dtype)
                self.close(torch.linalg.solve(t, tb), Lt.linalg.solve(lt, lb), dtype)
                tv, lv = both(mats(*shape[:-1]), dtype)
                self.close(torch.linalg.solve(t, tv), Lt.linalg.solve(lt, lv), dtype)
                tr, lr = both(mats(3, n), dtype)
                self.close(torch.linalg.solve(t, tr, left=False),
                           Lt.linalg.solve(lt, lr, left=False), dtype)
        # broadcast batches
        t, lt = both(mats(1, 3, 3, diag=2.0))
        tb, lb = both(mats(4, 1, 3, 2))
        self.close(torch.linalg.solve(t, tb), Lt.linalg.solve(lt, lb))

    def test_singular(self):
        a = np.array([[1., 2, 3], [2, 4, 6], [1, 0, 1]])
        t, lt = both(a)
        self.close(torch.linalg.det(t), Lt.linalg.det(lt))
        self.close(torch.linalg.slogdet(t).logabsdet, Lt.linalg.slogdet(lt).logabsdet)
        msg_t, msg_lt = self.raises_like(lambda: torch.linalg.inv(t), lambda: Lt.linalg.inv(lt))
        self.assertIn('linalg.inv: The diagonal element', msg_lt)
        self.assertIn('singular', msg_lt)
        self.raises_like(lambda: torch.linalg.solve(t, t), lambda: Lt.linalg.solve(lt, lt))
        tb, lb = both(np.stack([np.eye(3), a]))
        _, msg = self.raises_like(lambda: torch.linalg.inv(tb), lambda: Lt.linalg.inv(lb))
        self.assertIn('(Batch element 1)', msg)
        try:
            Lt.linalg.inv(lt)
        except torch.linalg.LinAlgError:
            self.fail('an Lt error is not a torch class')
        except Lt.linalg.LinAlgError as e:
            self.assertTrue(e.matches(Lt.error_quark(), Lt.Error.LINALG))

    def test_errors(self):
        t, lt = both(np.zeros((2, 3)))
        ti, li = both(np.zeros((2, 2)), 'int64')
        tv, lv = both(np.zeros(3))
        for name in ('inv', 'det', 'slogdet', 'cholesky', 'eigh'):
            for tx, lx in ((t, lt), (ti, li), (tv, lv)):
                self.raises_like(lambda: getattr(torch.linalg, name)(tx),
                                 lambda: getattr(Lt.linalg, name)(lx))
        for name in ('svd', 'qr', 'svdvals', 'pinv', 'matrix_rank'):
            for tx, lx in ((ti, li), (tv, lv)):
                self.raises_like(lambda: getattr(torch.linalg, name)(tx),
                                 lambda: getattr(Lt.linalg, name)(lx))
        t3, l3 = both(np.eye(3))
        t4, l4 = both(np.ones(4))
        self.raises_like(lambda: torch.linalg.solve(t3, t4), lambda: Lt.linalg.solve(l3, l4))
        self.raises_like(lambda: torch.linalg.qr(t3, mode='x'), lambda: Lt.linalg.qr(l3, mode='x'))
        self.raises_like(lambda: torch.linalg.eigh(t3, UPLO='x'),
                         lambda: Lt.linalg.eigh(l3, UPLO='x'))
        tn, ln = both(np.array([[1., 2], [2, 1]]))
        self.raises_like(lambda: torch.linalg.cholesky(tn), lambda: Lt.linalg.cholesky(ln))

    def test_grads(self):
        for cg in (False, True):
            a = mats(2, 3, 3, diag=2.0)
            b = mats(2, 3, 2)
            self.grads(lambda x: (torch.linalg.inv(x) ** 2).sum(),
                       lambda x: (Lt.linalg.inv(x) ** 2).sum(), a, create_graph=cg)
            self.grads(lambda x, y: (torch.linalg.solve(x, y) ** 2).sum(),
                       lambda x, y: (Lt.linalg.solve(x, y) ** 2).sum(), a, b, create_graph=cg)
            self.grads(lambda x: torch.linalg.det(x).sum(),
                       lambda x: Lt.linalg.det(x).sum(), a, create_graph=cg)
            self.grads(lambda x: torch.linalg.slogdet(x).logabsdet.sum(),
                       lambda x: Lt.linalg.slogdet(x).logabsdet.sum(), a, create_graph=cg)


class Decompositions(Case):
    def test_cholesky(self):
        for dtype in ('float64', 'float32'):
            for shape in ((3, 3), (2, 4, 4), (0, 2, 2)):
                t, lt = both(spd(*shape), dtype)
                self.close(torch.linalg.cholesky(t), Lt.linalg.cholesky(lt), dtype)
                self.close(torch.linalg.cholesky(t, upper=True),
                           Lt.linalg.cholesky(lt, upper=True), dtype)
                self.close(torch.cholesky(t), Lt.cholesky(lt), dtype)
                self.close(t.cholesky(upper=True), lt.cholesky(upper=True), dtype)
        for cg in (False, True):
            self.grads(lambda x: (torch.linalg.cholesky(x @ x.transpose(-2, -1) + 3 * torch.eye(3)) ** 2).sum(),
                       lambda x: (Lt.linalg.cholesky(x @ x.transpose(-2, -1) + 3 * Lt.eye(3, dtype=Lt.float64))
                                  ** 2).sum(), mats(2, 3, 3), create_graph=cg)

    def test_eigh(self):
        for dtype in ('float64', 'float32'):
            for shape in ((4, 4), (2, 3, 3), (1, 1)):
                a = sym(*shape)
                t, lt = both(a, dtype)
                for uplo in ('L', 'U'):
                    tr, lr = torch.linalg.eigh(t, UPLO=uplo), Lt.linalg.eigh(lt, UPLO=uplo)
                    self.assertEqual(type(lr).__name__, type(tr).__name__)
                    self.close(tr.eigenvalues, lr.eigenvalues, dtype)
                    self.close(tr.eigenvectors, lr.eigenvectors, dtype, abs_=True)
                    self.close(torch.linalg.eigvalsh(t, uplo), Lt.linalg.eigvalsh(lt, uplo), dtype)
                    rec = lr.eigenvectors @ (lr.eigenvalues.unsqueeze(-1) * lr.eigenvectors.transpose(-2, -1))
                    self.close(tr.eigenvectors @ (tr.eigenvalues.unsqueeze(-1) * tr.eigenvectors.transpose(-2, -1)),
                               rec, dtype)
        for cg in (False, True):
            def f(lib, mod):
                def loss(x):
                    w, v = mod.eigh(x + x.transpose(-2, -1))
                    return (v * v * w.unsqueeze(-2)).sum() + (w ** 3).sum()
                return loss
            self.grads(f(torch, torch.linalg), f(Lt, Lt.linalg), mats(2, 3, 3), create_graph=cg)

    def test_svd(self):
        for dtype in ('float64', 'float32'):
            for shape in ((4, 3), (3, 5), (2, 3, 3), (0, 2, 3)):
                t, lt = both(mats(*shape), dtype)
                for full in (True, False):
                    tr, lr = torch.linalg.svd(t, full), Lt.linalg.svd(lt, full)
                    self.assertEqual(type(lr).__name__, type(tr).__name__)
                    self.assertEqual(tuple(lr.U.shape), tuple(tr.U.shape))
                    self.assertEqual(tuple(lr.Vh.shape), tuple(tr.Vh.shape))
                    self.close(tr.S, lr.S, dtype)
                    k = min(shape[-2:])
                    self.close(tr.U[..., :k], lr.U[..., :k], dtype, abs_=True)
                    self.close(tr.Vh[..., :k, :], lr.Vh[..., :k, :], dtype, abs_=True)
                    rec = (lr.U[..., :k] * lr.S.unsqueeze(-2)) @ lr.Vh[..., :k, :]
                    self.close(t, rec, dtype)
                self.close(torch.linalg.svdvals(t), Lt.linalg.svdvals(lt), dtype)
                to, lo = torch.svd(t), Lt.svd(lt)
                self.assertEqual(type(lo).__name__, type(to).__name__)
                self.close(to.V, lo.V, dtype, abs_=True)
                self.close(t.svd(some=False).U, lt.svd(some=False).U, dtype, abs_=True)
        for shape in ((4, 3), (3, 4), (3, 3)):
            for cg in (False, True):
                def f(mod):
                    def loss(x):
                        u, s, vh = mod.svd(x, full_matrices=False)
                        return (u @ vh).sum() + (u * u * s.unsqueeze(-2)).sum() + (s ** 2).sum()
                    return loss
                self.grads(f(torch.linalg), f(Lt.linalg), mats(*shape), create_graph=cg)

    def test_qr(self):
        for dtype in ('float64', 'float32'):
            for shape in ((4, 3), (3, 5), (2, 3, 3)):
                t, lt = both(mats(*shape), dtype)
                for mode in ('reduced', 'complete', 'r'):
                    tr, lr = torch.linalg.qr(t, mode), Lt.linalg.qr(lt, mode)
                    self.assertEqual(type(lr).__name__, type(tr).__name__)
                    self.close(tr.Q, lr.Q, dtype, abs_=True)
                    self.close(tr.R, lr.R, dtype, abs_=True)
                    if mode != 'r':
                        self.close(t, lr.Q @ lr.R, dtype)
                to, lo = torch.qr(t), Lt.qr(lt)
                self.assertEqual(type(lo).__name__, type(to).__name__)
                self.close(to.R, lo.R, dtype, abs_=True)
        for shape in ((4, 3), (3, 3), (3, 5)):
            for cg in (False, True):
                def f(mod):
                    def loss(x):
                        q, r = mod.qr(x)
                        return (q.sum(-2) ** 2).sum() + (r * r * r).sum()
                    return loss
                self.grads(f(torch.linalg), f(Lt.linalg), mats(*shape, diag=1.0),
                           create_graph=cg)
        t, lt = both(mats(4, 3), requires_grad=True)
        self.raises_like(lambda: torch.linalg.qr(t, 'r').R.sum().backward(),
                         lambda: Lt.linalg.qr(lt, 'r').R.sum().backward())


class Compositions(Case):
    def test_pinv_lstsq_rank(self):
        for dtype in ('float64', 'float32'):
            for shape in ((4, 3), (3, 5), (2, 3, 3)):
                a = mats(*shape)
                t, lt = both(a, dtype)
                self.close(torch.linalg.pinv(t), Lt.linalg.pinv(lt), dtype)
                self.close(torch.pinverse(t), Lt.pinverse(lt), dtype)
                self.close(torch.linalg.matrix_rank(t), Lt.linalg.matrix_rank(lt))
                tb, lb = both(mats(*shape[:-1], 2), dtype)
                tr, lr = torch.linalg.lstsq(t, tb), Lt.linalg.lstsq(lt, lb)
                self.assertEqual(type(lr).__name__, type(tr).__name__)
                self.close(tr.solution, lr.solution, dtype)
                self.close(tr.rank, lr.rank)
                self.close(tr.residuals, lr.residuals, dtype)
                self.close(tr.singular_values, lr.singular_values, dtype)
            s = sym(4, 4)
            t, lt = both(s, dtype)
            self.close(torch.linalg.pinv(t, hermitian=True), Lt.linalg.pinv(lt, hermitian=True),
                       dtype)
        # rank-deficient: rank and pseudo-inverse
        low = mats(5, 2) @ mats(2, 4)
        t, lt = both(low)
        self.close(torch.linalg.matrix_rank(t), Lt.linalg.matrix_rank(lt))
        self.close(torch.linalg.matrix_rank(t, hermitian=False, atol=1.0, rtol=0.0),
                   Lt.linalg.matrix_rank(lt, atol=1.0, rtol=0.0))
        self.close(torch.linalg.pinv(t), Lt.linalg.pinv(lt))
        tb, lb = both(mats(5, 2))
        self.close(torch.linalg.lstsq(t, tb).rank, Lt.linalg.lstsq(lt, lb).rank)
        for cg in (False, True):
            self.grads(lambda x: (torch.linalg.pinv(x) ** 2).sum(),
                       lambda x: (Lt.linalg.pinv(x) ** 2).sum(), mats(4, 3), create_graph=cg)
            self.grads(lambda x, y: (torch.linalg.lstsq(x, y).solution ** 2).sum(),
                       lambda x, y: (Lt.linalg.lstsq(x, y).solution ** 2).sum(),
                       mats(4, 3), mats(4, 2), create_graph=cg)

    def test_norms(self):
        for dtype in ('float64', 'float32'):
            a = mats(2, 3, 4)
            t, lt = both(a, dtype)
            for ord in ('fro', 'nuc', 2, -2, 1, -1, math.inf, -math.inf):
                for dim in ((-2, -1), (0, 2), (2, 1)):
                    for keepdim in (False, True):
                        self.close(torch.linalg.matrix_norm(t, ord, dim, keepdim),
                                   Lt.linalg.matrix_norm(lt, ord, dim, keepdim), dtype)
                        self.close(torch.linalg.norm(t, ord, dim, keepdim),
                                   Lt.linalg.norm(lt, ord, dim, keepdim), dtype)
            for ord in (2, 1, 0, 3.5, math.inf, -math.inf):
                for dim in (None, 1, (0, 2)):
                    self.close(torch.linalg.vector_norm(t, ord, dim),
                               Lt.linalg.vector_norm(lt, ord, dim), dtype)
                self.close(torch.linalg.norm(t[0, 0], ord), Lt.linalg.norm(lt[0, 0], ord), dtype)
            self.close(torch.linalg.norm(t), Lt.linalg.norm(lt), dtype)
            self.close(torch.linalg.norm(t, dim=-1), Lt.linalg.norm(lt, dim=-1), dtype)
            self.close(torch.linalg.norm(t[0], 'nuc'), Lt.linalg.norm(lt[0], 'nuc'), dtype)
        for cg in (False, True):
            for ord in ('fro', 'nuc', 2, -2, 1, math.inf):
                # squared, for second derivatives that are not 0 almost everywhere
                self.grads(lambda x: (torch.linalg.matrix_norm(x, ord) ** 2).sum(),
                           lambda x: (Lt.linalg.matrix_norm(x, ord) ** 2).sum(), mats(2, 3, 4),
                           create_graph=cg)
            self.grads(lambda x: torch.linalg.vector_norm(x, 3.0, -1).sum(),
                       lambda x: Lt.linalg.vector_norm(x, 3.0, -1).sum(), mats(2, 3),
                       create_graph=cg)
        t, lt = both(mats(3, 3))
        self.raises_like(lambda: torch.linalg.matrix_norm(t, 'bad'),
                         lambda: Lt.linalg.matrix_norm(lt, 'bad'))
        ti, li = both(np.ones((2, 2)), 'int64')
        self.raises_like(lambda: torch.linalg.vector_norm(ti), lambda: Lt.linalg.vector_norm(li))

    def test_out_and_driver(self):
        t, lt = both(mats(3, 3, diag=2.0))
        lo = (Lt.tensor(0.0, dtype=Lt.float64), Lt.tensor(0.0, dtype=Lt.float64))
        tr = torch.linalg.slogdet(t, out=(torch.empty((), dtype=torch.float64),
                                          torch.empty((), dtype=torch.float64)))
        lr = Lt.linalg.slogdet(lt, out=lo)
        self.assertIs(lr.sign, lo[0])
        self.close(tr.logabsdet, lo[1])
        self.raises_like(lambda: torch.linalg.svd(t, driver='gesvd'),
                         lambda: Lt.linalg.svd(lt, driver='gesvd'))

    def test_grad_fn_names(self):
        t, lt = both(mats(3, 3, diag=2.0), requires_grad=True)
        for name in ('inv', 'det', 'solve'):
            args_t, args_lt = ((t, t), (lt, lt)) if name == 'solve' else ((t,), (lt,))
            self.assertEqual(getattr(Lt.linalg, name)(*args_lt).grad_fn.name(),
                             type(getattr(torch.linalg, name)(*args_t).grad_fn).__name__)


# On the CUDA device (the emulated backend when the build has CUDA): every
# op gives the CPU's results (the signs of eigenvectors and singular
# vectors compared through what does not depend on them), its gradient
# too, and a singular matrix is the CPU's LinAlgError with its message.
_CUDA_SCRIPT = '''
import gi
import numpy as np
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt
if not Lt.cuda.is_available():
    print('no-cuda')
    raise SystemExit(0)
rng = np.random.default_rng(7)
n_checked = [0]


def npy(x):
    return np.asarray(x.cpu().tolist()).reshape(tuple(x.shape))


def close(a, b, dtype, abs_=False):
    assert str(a.device).startswith('cuda'), a.device
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    x, y = npy(a), npy(b)
    if abs_:
        x, y = np.abs(x), np.abs(y)
    tol = 1e-10 if dtype == 'float64' else 1e-4
    np.testing.assert_allclose(x, y, rtol=tol, atol=tol)
    n_checked[0] += 1


def pair(a, dtype, transpose=False):
    c = Lt.tensor(np.asarray(a).tolist(), dtype=getattr(Lt, dtype))
    if a.size == 0:
        c = c.reshape(a.shape)
    if transpose:
        c = c.transpose(-2, -1)
    return c.to('cuda'), c


L = Lt.linalg
for dtype in ('float32', 'float64'):
    for shape in ((3, 3), (4, 2, 5, 5), (0, 3, 3), (2, 0, 0)):
        for tr in (False, True):
            a = rng.uniform(-1, 1, size=shape) + 2 * np.eye(shape[-1])
            b = rng.uniform(-1, 1, size=shape[:-1] + (2,))
            g, c = pair(a, dtype, tr)
            gb, cb = pair(b, dtype)
            close(L.inv(g), L.inv(c), dtype)
            close(L.solve(g, gb), L.solve(c, cb), dtype)
            close(L.det(g), L.det(c), dtype)
            for x, y in zip(L.slogdet(g), L.slogdet(c)):
                close(x, y, dtype)
            s = a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])
            g, c = pair(s, dtype, tr)
            close(L.cholesky(g), L.cholesky(c), dtype)
            close(L.cholesky(g, upper=True), L.cholesky(c, upper=True), dtype)
            for uplo in ('L', 'U'):
                (wg, vg), (wc, vc) = L.eigh(g, UPLO=uplo), L.eigh(c, UPLO=uplo)
                close(wg, wc, dtype)
                close(vg * vg, vc * vc, dtype)
                close((vg * wg.unsqueeze(-2)) @ vg.transpose(-2, -1), g, dtype)
    for shape in ((4, 3), (2, 3, 5), (3, 3), (0, 2, 3), (3, 0), (0, 4)):
        for tr in (False, True):
            a = rng.uniform(-1, 1, size=shape)
            g, c = pair(a, dtype, tr)
            for full in (False, True):
                (ug, sg, vg), (uc, sc, vc) = L.svd(g, full), L.svd(c, full)
                k = sg.shape[-1]
                close(sg, sc, dtype)
                close(ug[..., :k], uc[..., :k], dtype, abs_=True)
                close(vg[..., :k, :], vc[..., :k, :], dtype, abs_=True)
                # the full factors' other columns: any orthonormal basis of
                # the same space (its projector is unique)
                ur, vr = ug[..., k:], vg[..., k:, :]
                close(ur @ ur.transpose(-2, -1), uc[..., k:] @ uc[..., k:].transpose(-2, -1),
                      dtype)
                close(vr.transpose(-2, -1) @ vr,
                      vc[..., k:, :].transpose(-2, -1) @ vc[..., k:, :], dtype)
                close((ug[..., :k] * sg.unsqueeze(-2)) @ vg[..., :k, :], g, dtype)
            for mode in ('reduced', 'complete', 'r'):
                (qg, rg), (qc, rc) = L.qr(g, mode), L.qr(c, mode)
                close(rg, rc, dtype)
                close(qg, qc, dtype)
            close(L.pinv(g), L.pinv(c), dtype)
            gb, cb = pair(rng.uniform(-1, 1, size=shape[:-1] + (2,)), dtype)
            lg, lc = L.lstsq(g.transpose(-2, -1) if tr else g, gb), \
                L.lstsq(c.transpose(-2, -1) if tr else c, cb)
            for x, y in zip(lg, lc):
                close(x, y, dtype)
            close(L.matrix_norm(g, 'nuc'), L.matrix_norm(c, 'nuc'), dtype)

# gradients through the decompositions, on the device, against the CPU's
a = rng.uniform(-1, 1, size=(2, 3, 3)) + np.eye(3)
for f in (lambda x: L.inv(x).sum(), lambda x: L.det(x).sum(),
          lambda x: L.slogdet(x)[1].sum(), lambda x: (L.svd(x)[1] ** 2).sum(),
          lambda x: L.eigh(x + x.transpose(-2, -1))[0].pow(3).sum(),
          lambda x: L.cholesky(x @ x.transpose(-2, -1) + 3 * Lt.eye(3, device=x.device)).sum(),
          lambda x: (L.qr(x)[1] ** 2).sum()):
    g, c = pair(a, 'float64')
    g.requires_grad_(True)
    c.requires_grad_(True)
    f(g).backward()
    f(c).backward()
    close(g.grad, c.grad, 'float64')

# a singular matrix: the CPU's error, type and message
sing = np.zeros((3, 2, 2))
sing[0] = np.eye(2)
sing[2] = np.eye(2)
for f in (L.inv, lambda x: L.solve(x, x), L.cholesky):
    msgs = []
    for x in pair(sing, 'float64'):
        try:
            f(x)
            x.sum().item()
        except L.LinAlgError as e:
            assert isinstance(e, GLib.Error) and isinstance(e, RuntimeError), e
            msgs.append(str(e))
        else:
            raise AssertionError('no error on ' + str(x.device))
    assert msgs[0] == msgs[1] and '(Batch element 1)' in msgs[0], msgs
    n_checked[0] += 1
print('ok', n_checked[0])
'''


class Device(Case):
    def test_cuda_equals_cpu(self):
        env = dict(os.environ, LT_CUDA_EMULATE='1')
        r = subprocess.run([sys.executable, '-c', _CUDA_SCRIPT], env=env, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        if r.stdout.strip() == 'no-cuda':
            self.skipTest('no CUDA backend in this build')
        out = r.stdout.split()
        self.assertEqual(out[0], 'ok', r.stdout)
        COMPARED[0] += int(out[1])
        self.assertGreater(int(out[1]), 500)


if __name__ == '__main__':
    import atexit
    atexit.register(lambda: print('# %d comparisons with torch' % COMPARED[0]))
    main()
