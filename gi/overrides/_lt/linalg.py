# SPDX-License-Identifier: LGPL-2.1-or-later
"""``Lt.linalg``, torch.linalg for libtensor: ``inv``, ``solve``, ``det``,
``slogdet``, ``cholesky``, ``eigh``, ``eigvalsh``, ``svd``, ``svdvals``,
``qr``, ``lstsq``, ``pinv``, ``matrix_rank``, ``norm``, ``matrix_norm``,
``vector_norm`` and ``LinAlgError``, with torch's arguments and torch's
results (named tuples where torch returns them, also in
``Lt.return_types``); and the older spellings torch keeps: ``Lt.det``,
``Lt.logdet``, ``Lt.slogdet``, ``Lt.inverse``, ``Lt.pinverse``,
``Lt.svd`` (U, S, V), ``Lt.qr`` and ``Lt.cholesky``, also as tensor
methods (``x.det()``, ``x.inverse()``, ...).

The work is done in C (ops/lt-linalg-lapack.c over LAPACK,
ops/lt-linalg-norms.c); a singular matrix, one that is not
positive-definite or a decomposition that does not converge raises
``Lt.linalg.LinAlgError``, a RuntimeError as torch.linalg.LinAlgError is.

Part of gi/overrides/Lt.py, whose Tensor class inherits TensorLinalg and
exports FUNCTIONS as module-level functions.
"""

from __future__ import annotations

import collections
import math
import operator
from typing import Any, Sequence

from .common import LinAlgError_, Lt, Tensor, TensorLike, TypeError_, error, namespace
from .creation import _as_tensor
from .sorting import return_types
from .types import _bool, _dtype

_GITensor = Lt.Tensor

__all__ = ['linalg']

# torch.return_types of the decompositions
_Slogdet = collections.namedtuple('linalg_slogdet', ('sign', 'logabsdet'))
_Eigh = collections.namedtuple('linalg_eigh', ('eigenvalues', 'eigenvectors'))
_Svd = collections.namedtuple('linalg_svd', ('U', 'S', 'Vh'))
_Qr = collections.namedtuple('linalg_qr', ('Q', 'R'))
_Lstsq = collections.namedtuple('linalg_lstsq', ('solution', 'residuals', 'rank',
                                                 'singular_values'))
_OldSlogdet = collections.namedtuple('slogdet', ('sign', 'logabsdet'))
_OldSvd = collections.namedtuple('svd', ('U', 'S', 'V'))
_OldQr = collections.namedtuple('qr', ('Q', 'R'))

for _t in (_Slogdet, _Eigh, _Svd, _Qr, _Lstsq, _OldSlogdet, _OldSvd, _OldQr):
    setattr(type(return_types), _t.__name__, _t)
del _t


def _out(r, out):
    if out is None:
        return r
    out.copy_(r)
    return out


def _out_tuple(r, out):
    """A named tuple of results, copied into the tensors of `out` when given."""
    if out is None:
        return r
    if len(out) != len(r):
        raise error('out: expected %d tensors, got %d' % (len(r), len(out)),
                    Lt.Error.INVALID_ARGUMENT)
    for o, v in zip(out, r):
        o.copy_(v)
    return type(r)(*out)


def _no_driver(name, driver):
    if driver is not None:
        raise error('%s: keyword argument `driver=` is only supported on CUDA inputs with '
                    'cuSOLVER backend.' % name, Lt.Error.INVALID_ARGUMENT)


def _t(x):
    return _as_tensor(x, 'A')


def _mT(x):
    return x.transpose(-2, -1)


def _tol(v) -> float:
    """atol/rtol: None -> NAN (the C default), a number, or a 0-dim tensor."""
    if v is None:
        return math.nan
    if isinstance(v, _GITensor):
        return float(v.item())
    return float(v)


def _ord_str(ord) -> str | None:
    """An order as the C functions take it: 'fro', 'nuc', or a number's text."""
    if ord is None or isinstance(ord, str):
        return ord
    v = float(ord)
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return repr(int(v)) if v == int(v) else repr(v)


def _dims(dim) -> list[int]:
    if dim is None:
        return []
    if isinstance(dim, (list, tuple)):
        return [operator.index(d) for d in dim]
    return [operator.index(dim)]


def _with_dtype(x, dtype):
    return x if dtype is None else x.to(_dtype(dtype))


def inv(A: TensorLike, *, out: Tensor | None = None) -> Tensor:
    """The inverse of each square matrix, as torch.linalg.inv."""
    return _out(Lt.linalg_inv(_t(A)), out)


def solve(A: TensorLike, B: TensorLike, *, left: bool = True,
          out: Tensor | None = None) -> Tensor:
    """X with A X = B (left) or X A = B, as torch.linalg.solve."""
    A, B = _t(A), _as_tensor(B, 'B')
    if _bool(left):
        return _out(Lt.linalg_solve(A, B), out)
    return _out(_mT(Lt.linalg_solve(_mT(A), _mT(B))), out)


def det(A: TensorLike, *, out: Tensor | None = None) -> Tensor:
    """The determinant of each square matrix, as torch.linalg.det."""
    return _out(Lt.linalg_det(_t(A)), out)


def slogdet(A: TensorLike, *, out: Any = None) -> Any:
    """(sign, logabsdet) of each determinant, as torch.linalg.slogdet."""
    sign, logabsdet = Lt.linalg_slogdet(_t(A))
    return _out_tuple(_Slogdet(sign, logabsdet), out)


def cholesky(A: TensorLike, *, upper: bool = False, out: Tensor | None = None) -> Tensor:
    """The Cholesky factor, as torch.linalg.cholesky."""
    return _out(Lt.linalg_cholesky(_t(A), _bool(upper)), out)


def _uplo(UPLO) -> str:
    if not isinstance(UPLO, str):
        raise error("linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got %r" % (UPLO,),
                    Lt.Error.INVALID_ARGUMENT)
    return UPLO


def eigh(A: TensorLike, UPLO: str = 'L', *, out: Any = None) -> Any:
    """(eigenvalues, eigenvectors) of symmetric matrices, as torch.linalg.eigh."""
    w, v = Lt.linalg_eigh(_t(A), _uplo(UPLO))
    return _out_tuple(_Eigh(w, v), out)


def eigvalsh(A: TensorLike, UPLO: str = 'L', *, out: Tensor | None = None) -> Tensor:
    """The eigenvalues of symmetric matrices, as torch.linalg.eigvalsh."""
    return _out(Lt.linalg_eigvalsh(_t(A), _uplo(UPLO)), out)


def svd(A: TensorLike, full_matrices: bool = True, *, driver: str | None = None,
        out: Any = None) -> Any:
    """(U, S, Vh), as torch.linalg.svd."""
    _no_driver('linalg.svd', driver)
    u, s, vh = Lt.linalg_svd(_t(A), _bool(full_matrices))
    return _out_tuple(_Svd(u, s, vh), out)


def svdvals(A: TensorLike, *, driver: str | None = None, out: Tensor | None = None) -> Tensor:
    """The singular values, as torch.linalg.svdvals."""
    _no_driver('linalg.svdvals', driver)
    return _out(Lt.linalg_svdvals(_t(A)), out)


def qr(A: TensorLike, mode: str = 'reduced', *, out: Any = None) -> Any:
    """(Q, R), as torch.linalg.qr."""
    q, r = Lt.linalg_qr(_t(A), mode)
    return _out_tuple(_Qr(q, r), out)


def lstsq(A: TensorLike, B: TensorLike, rcond: float | None = None, *,
          driver: str | None = None) -> Any:
    """(solution, residuals, rank, singular_values), as torch.linalg.lstsq
    on the CPU with its drivers 'gelsy' (the default), 'gels', 'gelsd' and
    'gelss', each giving the outputs torch's gives (the others empty)."""
    if driver is not None and not isinstance(driver, str):
        raise TypeError_('linalg.lstsq(): driver must be a string, not %s'
                         % type(driver).__name__)
    x, res, rank, sv = Lt.linalg_lstsq_driver(_t(A), _as_tensor(B, 'B'),
                                              math.nan if rcond is None else float(rcond),
                                              driver)
    return _Lstsq(x, res, rank, sv)


def pinv(A: TensorLike, rcond: float | None = None, hermitian: bool = False, *,
         atol: Any = None, rtol: Any = None, out: Tensor | None = None) -> Tensor:
    """The pseudo-inverse, as torch.linalg.pinv (rcond is the older name of rtol)."""
    if rcond is not None and rtol is None:
        rtol = rcond
    return _out(Lt.linalg_pinv(_t(A), _tol(atol), _tol(rtol), _bool(hermitian)), out)


def matrix_rank(A: TensorLike, tol: float | None = None, hermitian: bool = False, *,
                atol: Any = None, rtol: Any = None, out: Tensor | None = None) -> Tensor:
    """The number of singular values above the tolerance, as
    torch.linalg.matrix_rank (tol is the older name of atol)."""
    if tol is not None and atol is None:
        atol = tol
    return _out(Lt.linalg_matrix_rank(_t(A), _tol(atol), _tol(rtol), _bool(hermitian)), out)


def vector_norm(x: TensorLike, ord: float = 2, dim: int | Sequence[int] | None = None,
                keepdim: bool = False, *, dtype: Any = None,
                out: Tensor | None = None) -> Tensor:
    """Vector norms, as torch.linalg.vector_norm."""
    x = _with_dtype(_as_tensor(x, 'x'), dtype)
    return _out(Lt.linalg_vector_norm(x, float(ord), _dims(dim), _bool(keepdim)), out)


def matrix_norm(A: TensorLike, ord: Any = 'fro', dim: Sequence[int] = (-2, -1),
                keepdim: bool = False, *, dtype: Any = None,
                out: Tensor | None = None) -> Tensor:
    """Matrix norms ('fro', 'nuc', 2, -2, 1, -1, inf, -inf), as
    torch.linalg.matrix_norm."""
    d = _dims(dim)
    if len(d) != 2:
        raise error('linalg.matrix_norm: dim must be a 2-tuple. Got %s' % (dim,),
                    Lt.Error.INVALID_ARGUMENT)
    A = _with_dtype(_t(A), dtype)
    return _out(Lt.linalg_matrix_norm(A, _ord_str(ord), d[0], d[1], _bool(keepdim)), out)


def norm(A: TensorLike, ord: Any = None, dim: int | Sequence[int] | None = None,
         keepdim: bool = False, *, dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """Vector or matrix norms, as torch.linalg.norm."""
    A = _with_dtype(_t(A), dtype)
    return _out(Lt.linalg_norm(A, _ord_str(ord), _dims(dim), _bool(keepdim)), out)


linalg = namespace('Lt.linalg', 'torch.linalg for libtensor.', {
    'inv': inv, 'solve': solve, 'det': det, 'slogdet': slogdet, 'cholesky': cholesky,
    'eigh': eigh, 'eigvalsh': eigvalsh, 'svd': svd, 'svdvals': svdvals, 'qr': qr,
    'lstsq': lstsq, 'pinv': pinv, 'matrix_rank': matrix_rank, 'norm': norm,
    'matrix_norm': matrix_norm, 'vector_norm': vector_norm, 'LinAlgError': LinAlgError_,
})


class TensorLinalg:
    """The linear algebra methods of Lt.Tensor, as torch's."""

    def det(self) -> Tensor:
        """The determinant, as torch.Tensor.det."""
        return Lt.linalg_det(self)

    def logdet(self) -> Tensor:
        """log (det), NaN for a negative determinant, as torch.Tensor.logdet."""
        sign, logabsdet = Lt.linalg_slogdet(self)
        return logabsdet.masked_fill(sign.lt(0), math.nan)

    def slogdet(self) -> Any:
        """(sign, logabsdet), as torch.Tensor.slogdet."""
        sign, logabsdet = Lt.linalg_slogdet(self)
        return _OldSlogdet(sign, logabsdet)

    def inverse(self) -> Tensor:
        """The inverse, as torch.Tensor.inverse."""
        return Lt.linalg_inv(self)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        """The pseudo-inverse, as torch.Tensor.pinverse."""
        return Lt.linalg_pinv(self, math.nan, float(rcond), False)

    def cholesky(self, upper: bool = False) -> Tensor:
        """The Cholesky factor, as torch.Tensor.cholesky."""
        return Lt.linalg_cholesky(self, _bool(upper))

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """(U, S, V) with A = U diag (S) V^T, as torch.Tensor.svd."""
        u, s, vh = Lt.linalg_svd(self, not _bool(some))
        return _OldSvd(u, s, _mT(vh))

    def qr(self, some: bool = True) -> Any:
        """(Q, R), as torch.Tensor.qr."""
        q, r = Lt.linalg_qr(self, 'reduced' if _bool(some) else 'complete')
        return _OldQr(q, r)


# Module-level functions (Lt.det(x), ...) over the methods above
FUNCTIONS = ('det', 'logdet', 'slogdet', 'inverse', 'pinverse', 'cholesky', 'svd', 'qr')
