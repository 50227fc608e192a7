# SPDX-License-Identifier: LGPL-2.1-or-later
"""Reductions, scans and rearranging ops of tensors for the ``Lt``
overrides, spelt as torch spells them: ``prod``, ``cumsum``, ``cumprod``,
``logsumexp``, ``norm``, ``dist``, ``tril``, ``triu``, ``flip``, ``roll``,
``repeat``, ``repeat_interleave``, ``diag``, ``diagonal``, ``trace``,
``outer``, ``cross``, ``einsum`` and ``div`` with ``rounding_mode``
(ops/lt-scan.c, ops/lt-rearrange.c, ops/lt-einsum.c do the work).

Part of gi/overrides/Lt.py, whose Tensor class inherits TensorExtra and
exports FUNCTIONS as module-level functions (``Lt.cumsum(x, 0)``).
"""

from __future__ import annotations

import builtins
import operator
from typing import Sequence

from .common import DTypeLike, Lt, Tensor, TensorLike, TypeError_, error
from .creation import _as_tensor, tensor
from .types import _D, _bool, _dtype, _float, _is_bool

_GITensor = Lt.Tensor

__all__ = []

_INTEGER = (_D.INT64, _D.INT32, _D.INT16, _D.INT8, _D.UINT8)


def _dims(dim) -> list[int]:
    """An int or a sequence of ints as a list of ints."""
    if isinstance(dim, (list, tuple)):
        return [operator.index(d) for d in dim]
    return [operator.index(dim)]


def _varargs(args, name) -> list[int]:
    """x.flip(0, 1), x.flip([0, 1]), x.flip((0, 1)) and x.repeat(Size)."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        return [operator.index(a) for a in args[0]]
    try:
        return [operator.index(a) for a in args]
    except TypeError:
        raise TypeError_('%s(): arguments must be ints or one sequence of ints, not %r'
                        % (name, args)) from None


def _out(r, out):
    if out is None:
        return r
    out.copy_(r)
    return out


def _with_dtype(t, dtype):
    return t if dtype is None else t.to(_dtype(dtype))


def _inplace(self, r):
    _GITensor.copy_(self, r)
    return self


class TensorExtra:
    """The reductions, scans and rearranging methods of Lt.Tensor."""

    __slots__ = ()

    # -- products, scans, norms ---------------------------------------------

    def prod(self, dim: int | None = None, keepdim: bool = False, *,
             dtype: DTypeLike | None = None) -> Tensor:
        t = _with_dtype(self, dtype)
        if dim is None:
            r = _GITensor.prod(t)
            return r.view([1] * t.get_n_dims()) if keepdim else r
        return _GITensor.prod_dim(t, operator.index(dim), _bool(keepdim))

    def cumsum(self, dim: int, *, dtype: DTypeLike | None = None) -> Tensor:
        return _GITensor.cumsum(_with_dtype(self, dtype), operator.index(dim))

    def cumsum_(self, dim: int, *, dtype: DTypeLike | None = None) -> Tensor:
        return _inplace(self, self.cumsum(dim, dtype=dtype))

    def cumprod(self, dim: int, *, dtype: DTypeLike | None = None) -> Tensor:
        return _GITensor.cumprod(_with_dtype(self, dtype), operator.index(dim))

    def cumprod_(self, dim: int, *, dtype: DTypeLike | None = None) -> Tensor:
        return _inplace(self, self.cumprod(dim, dtype=dtype))

    def logsumexp(self, dim: int | Sequence[int], keepdim: bool = False) -> Tensor:
        return _GITensor.logsumexp(self, _dims(dim), _bool(keepdim))

    def norm(self, p: float | str | None = 'fro', dim: int | Sequence[int] | None = None,
             keepdim: bool = False, dtype: DTypeLike | None = None) -> Tensor:
        t = _with_dtype(self, dtype)
        if p is None or p == 'fro':
            if dim is not None and len(_dims(dim)) > 2:
                raise error('norm: the Frobenius norm takes at most 2 dimensions, not %d'
                            % len(_dims(dim)))
            p = 2.0
        elif isinstance(p, str):
            raise error("norm: p=%r: the orders are numbers and 'fro'" % (p,))
        dims = [] if dim is None else _dims(dim)
        return _GITensor.norm_dims(t, _float(p), dims, _bool(keepdim))

    def dist(self, other: TensorLike, p: float = 2) -> Tensor:
        return _GITensor.dist(self, _as_tensor(other, 'other'), _float(p))

    # -- rearranging --------------------------------------------------------

    def tril(self, diagonal: int = 0) -> Tensor:
        return _GITensor.tril(self, operator.index(diagonal))

    def tril_(self, diagonal: int = 0) -> Tensor:
        return _inplace(self, self.tril(diagonal))

    def triu(self, diagonal: int = 0) -> Tensor:
        return _GITensor.triu(self, operator.index(diagonal))

    def triu_(self, diagonal: int = 0) -> Tensor:
        return _inplace(self, self.triu(diagonal))

    def flip(self, *dims: int | Sequence[int]) -> Tensor:
        return _GITensor.flip(self, _varargs(dims, 'flip'))

    def fliplr(self) -> Tensor:
        return _GITensor.flip(self, [1])

    def flipud(self) -> Tensor:
        return _GITensor.flip(self, [0])

    def roll(self, shifts: int | Sequence[int],
             dims: int | Sequence[int] | None = None) -> Tensor:
        return _GITensor.roll(self, _dims(shifts), [] if dims is None else _dims(dims))

    def repeat(self, *sizes: int | Sequence[int]) -> Tensor:
        return _GITensor.repeat(self, _varargs(sizes, 'repeat'))

    def repeat_interleave(self, repeats: int | Tensor, dim: int | None = None, *,
                          output_size: int | None = None) -> Tensor:
        r = repeats if isinstance(repeats, _GITensor) else tensor(operator.index(repeats))
        out = _GITensor.repeat_interleave(self, r, 0 if dim is None else operator.index(dim),
                                          dim is None)
        if output_size is not None and out.get_size(0 if dim is None else dim) != output_size:
            raise error('repeat_interleave: output_size %d is not the size of the result, %d'
                        % (output_size, out.get_size(0 if dim is None else dim)))
        return out

    def diag(self, diagonal: int = 0) -> Tensor:
        return _GITensor.diag(self, operator.index(diagonal))

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _GITensor.diagonal(self, operator.index(offset), operator.index(dim1),
                                  operator.index(dim2))

    def trace(self) -> Tensor:
        return _GITensor.trace(self)

    def outer(self, vec2: TensorLike) -> Tensor:
        return _GITensor.outer(self, _as_tensor(vec2, 'vec2'))

    ger = outer

    def cross(self, other: TensorLike, dim: int | None = None) -> Tensor:
        other = _as_tensor(other, 'other')
        if dim is None:
            # the first dim of size 3 of the broadcast shape (torch.cross's default)
            n = builtins.max(self.get_n_dims(), other.get_n_dims())
            shape = [1] * n
            for t in (self, other):
                k = t.get_n_dims()
                for i in range(k):
                    shape[n - k + i] = builtins.max(shape[n - k + i], t.get_size(i))
            dim = next((i for i, s in enumerate(shape) if s == 3), None)
            if dim is None:
                raise error('cross: no dimension of size 3 in the inputs')
        return _GITensor.cross(self, other, operator.index(dim))

    # -- division with rounding ---------------------------------------------

    def div(self, other: TensorLike, *, rounding_mode: str | None = None) -> Tensor:
        return _div(self, other, rounding_mode)

    def div_(self, other: TensorLike, *, rounding_mode: str | None = None) -> Tensor:
        r = _div(self, other, rounding_mode)
        if self.dtype in _INTEGER + (_D.BOOL,) and r.dtype not in _INTEGER + (_D.BOOL,):
            raise error("div_: the result type %s can't be cast to the tensor's type %s"
                        % (r.dtype.value_nick, self.dtype.value_nick))
        if rounding_mode is None:
            _GITensor.div_(self, _as_tensor(other, 'other'))
            return self
        return _inplace(self, r)

    divide = true_divide = div
    divide_ = div_


def _div(a, other, rounding_mode):
    b = _as_tensor(other, 'other')
    if rounding_mode is None:
        return _GITensor.div(a, b)
    if rounding_mode not in ('trunc', 'floor'):
        raise error("div: rounding_mode must be None, 'trunc' or 'floor', not %r"
                    % (rounding_mode,))
    q = _GITensor.floor_divide(a, b)
    if q.dtype in _INTEGER or _is_bool(q.dtype):
        if rounding_mode == 'floor':
            return q
        # truncation: one more where the division was not exact and the
        # signs differ (floor went down past zero)
        r = _GITensor.remainder(a, b)
        zero = Lt.scalar_int(0)
        inexact = _GITensor.ne(r, zero)
        signs = _GITensor.ne(_GITensor.lt(a, zero), _GITensor.lt(b, zero))
        fix = _GITensor.logical_and(inexact, signs).to_dtype(q.dtype)
        return _GITensor.add(q, fix)
    if rounding_mode == 'trunc':
        return _GITensor.trunc(_GITensor.div(a, b))
    if _GITensor.get_requires_grad(q) or not (a.requires_grad or b.requires_grad):
        return q
    # floor_divide has no gradient; torch gives zeros: add a zero that
    # carries one (floor's gradient is zero; clamp keeps infinities out)
    zero_grad = _GITensor.clamp(_GITensor.floor(_GITensor.div(a, b)), 0.0, 0.0)
    return _GITensor.add(q, zero_grad)


# -- module-level functions --------------------------------------------------

def einsum(equation: str, *operands: Tensor | Sequence[Tensor]) -> Tensor:
    """torch.einsum(equation, *operands), or with the operands in one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    if not isinstance(equation, str):
        raise TypeError_('einsum(): the equation must be a str, not %s'
                        % type(equation).__name__)
    return Lt.einsum(equation, [_as_tensor(o, 'operand') for o in operands])


def prod(input: TensorLike, dim: int | None = None, keepdim: bool = False, *,
         dtype: DTypeLike | None = None, out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').prod(dim, keepdim, dtype=dtype), out)


def cumsum(input: TensorLike, dim: int, *, dtype: DTypeLike | None = None,
           out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').cumsum(dim, dtype=dtype), out)


def cumprod(input: TensorLike, dim: int, *, dtype: DTypeLike | None = None,
            out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').cumprod(dim, dtype=dtype), out)


def logsumexp(input: TensorLike, dim: int | Sequence[int], keepdim: bool = False, *,
              out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').logsumexp(dim, keepdim), out)


def norm(input: TensorLike, p: float | str | None = 'fro', dim: int | Sequence[int] | None = None,
         keepdim: bool = False, out: Tensor | None = None,
         dtype: DTypeLike | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').norm(p, dim, keepdim, dtype), out)


def dist(input: TensorLike, other: TensorLike, p: float = 2) -> Tensor:
    return _as_tensor(input, 'input').dist(other, p)


def tril(input: TensorLike, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').tril(diagonal), out)


def triu(input: TensorLike, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').triu(diagonal), out)


def flip(input: TensorLike, dims: Sequence[int]) -> Tensor:
    return _as_tensor(input, 'input').flip(dims)


def fliplr(input: TensorLike) -> Tensor:
    return _as_tensor(input, 'input').fliplr()


def flipud(input: TensorLike) -> Tensor:
    return _as_tensor(input, 'input').flipud()


def roll(input: TensorLike, shifts: int | Sequence[int],
         dims: int | Sequence[int] | None = None) -> Tensor:
    return _as_tensor(input, 'input').roll(shifts, dims)


def repeat_interleave(input: TensorLike, repeats: int | Tensor | None = None,
                      dim: int | None = None, *, output_size: int | None = None) -> Tensor:
    if repeats is None:
        # torch.repeat_interleave(repeats): position i repeated repeats[i] times
        r = _as_tensor(input, 'repeats')
        if r.get_n_dims() > 1:
            raise error('repeat_interleave: repeats must have 0 or 1 dimension, not %d'
                        % r.get_n_dims())
        n = r.numel()
        idx = _GITensor.to_device(Lt.arange(0, n, 1, _D.INT64), r.get_device())
        return idx.repeat_interleave(r, 0, output_size=output_size)
    return _as_tensor(input, 'input').repeat_interleave(repeats, dim, output_size=output_size)


def diag(input: TensorLike, diagonal: int = 0, *, out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').diag(diagonal), out)


def diagonal(input: TensorLike, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    return _as_tensor(input, 'input').diagonal(offset, dim1, dim2)


def trace(input: TensorLike) -> Tensor:
    return _as_tensor(input, 'input').trace()


def outer(input: TensorLike, vec2: TensorLike, *, out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').outer(vec2), out)


def cross(input: TensorLike, other: TensorLike, dim: int | None = None, *,
          out: Tensor | None = None) -> Tensor:
    return _out(_as_tensor(input, 'input').cross(other, dim), out)


def div(input: TensorLike, other: TensorLike, *, rounding_mode: str | None = None,
        out: Tensor | None = None) -> Tensor:
    return _out(_div(_as_tensor(input, 'input'), other, rounding_mode), out)


FUNCTIONS = {f.__name__: f for f in (
    prod, cumsum, cumprod, logsumexp, norm, dist, tril, triu, flip, fliplr, flipud, roll,
    repeat_interleave, diag, diagonal, trace, outer, cross, div, einsum)}
FUNCTIONS.update(ger=outer, divide=div, true_divide=div)
