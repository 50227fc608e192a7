# SPDX-License-Identifier: LGPL-2.1-or-later
"""Index-producing and index-writing ops of tensors for the ``Lt``
overrides, spelt as torch spells them: ``nonzero``, ``argwhere``,
``where`` with one argument, ``take``, ``count_nonzero``, ``index_put``,
``index_put_``, ``scatter``, ``scatter_``, the float classifiers
(``isnan``, ``isinf``, ``isfinite``, ``isposinf``, ``isneginf``),
``randint_like`` and the in-place spellings torch has for the comparison,
arithmetic and logical ops (``eq_``, ``clamp_min_``, ``multiply_``, ...).

nonzero, take, index_put(_) and scatter(_) (with reduce= too) are C ops
(Lt.Tensor.nonzero, take, index_put_, scatter_); the others compose public
Lt ops, so the in-place ones bump the version counter and refuse a leaf that
requires grad as copy_ does.

Part of gi/overrides/Lt.py, whose Tensor class inherits TensorIndexOps and
exports FUNCTIONS as module-level functions (``Lt.nonzero(x)``).
"""

from __future__ import annotations

import operator
from typing import Any, Sequence

from .common import Lt, Number, Tensor, TensorLike, TypeError_, error
from .creation import _as_tensor, _index_tensor, full, randint, tensor
from .types import _D, _FLOATING, _INF, _bool, _dtype, _float, _int, _is_number

_GITensor = Lt.Tensor

__all__ = []


def _inplace(self, r):
    _GITensor.copy_(self, r)
    return self


class TensorIndexOps:
    """The index ops and extra in-place methods of Lt.Tensor."""

    __slots__ = ()

    # -- reading indices ----------------------------------------------------

    def nonzero(self, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
        if not as_tuple:
            return _GITensor.nonzero(self)
        t = self if self.get_n_dims() else _GITensor.reshape(self, [1])
        r = _GITensor.nonzero(t)
        return tuple(_GITensor.select(r, 1, d) for d in range(t.get_n_dims()))

    def argwhere(self) -> Tensor:
        return self.nonzero()

    def take(self, index: Tensor) -> Tensor:
        return _GITensor.take(self, _index_tensor(index))

    def count_nonzero(self, dim: int | Sequence[int] | None = None) -> Tensor:
        mask = _GITensor.ne(self, Lt.scalar_int(0)) if self.get_dtype() != _D.BOOL else self
        if dim is None:
            return mask.sum()
        return mask.sum(dim)

    # -- writing through indices -------------------------------------------

    def index_put_(self, indices: Sequence[Tensor], values: TensorLike,
                   accumulate: bool = False) -> Tensor:
        _GITensor.index_put_(self, _put_indices(indices), _put_values(self, values),
                             _bool(accumulate))
        return self

    def index_put(self, indices: Sequence[Tensor], values: TensorLike,
                  accumulate: bool = False) -> Tensor:
        return _GITensor.index_put(self, _put_indices(indices), _put_values(self, values),
                                   _bool(accumulate))

    def scatter(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> Tensor:
        return _scatter(self, dim, index, src, value, reduce)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
                 reduce: str | None = None) -> Tensor:
        return _scatter(self, dim, index, src, value, reduce, inplace=True)

    # -- float classifiers --------------------------------------------------

    def isnan(self) -> Tensor:
        if self.get_dtype() not in _FLOATING:
            return full(list(self.get_shape()), 0, dtype=_D.BOOL)
        return _GITensor.ne(self, self)

    def isinf(self) -> Tensor:
        if self.get_dtype() not in _FLOATING:
            return full(list(self.get_shape()), 0, dtype=_D.BOOL)
        return _GITensor.eq(_GITensor.abs(self), Lt.scalar(_INF))

    def isposinf(self) -> Tensor:
        if self.get_dtype() not in _FLOATING:
            return full(list(self.get_shape()), 0, dtype=_D.BOOL)
        return _GITensor.eq(self, Lt.scalar(_INF))

    def isneginf(self) -> Tensor:
        if self.get_dtype() not in _FLOATING:
            return full(list(self.get_shape()), 0, dtype=_D.BOOL)
        return _GITensor.eq(self, Lt.scalar(-_INF))

    def isfinite(self) -> Tensor:
        if self.get_dtype() not in _FLOATING:
            return full(list(self.get_shape()), 1, dtype=_D.BOOL)
        return _GITensor.logical_not(_GITensor.logical_or(self.isnan(), self.isinf()))

    # -- in-place spellings -------------------------------------------------

    def eq_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.eq(other))

    def ne_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.ne(other))

    def lt_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.lt(other))

    def le_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.le(other))

    def gt_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.gt(other))

    def ge_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.ge(other))

    greater_ = gt_
    greater_equal_ = ge_
    less_ = lt_
    less_equal_ = le_
    not_equal_ = ne_

    def clamp_min_(self, min: Number) -> Tensor:
        return self.clamp_(min=min)

    def clamp_max_(self, max: Number) -> Tensor:
        return self.clamp_(max=max)

    def subtract_(self, other: TensorLike, *, alpha: Number = 1) -> Tensor:
        return self.sub_(other, alpha=alpha)

    def multiply_(self, other: TensorLike) -> Tensor:
        return self.mul_(other)

    def true_divide_(self, other: TensorLike) -> Tensor:
        return self.div_(other)

    def sgn_(self) -> Tensor:
        return self.sign_()

    def logical_and_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.logical_and(other))

    def logical_or_(self, other: TensorLike) -> Tensor:
        return _inplace(self, self.logical_or(other))

    def logical_xor_(self, other: TensorLike) -> Tensor:
        a = _GITensor.ne(self, Lt.scalar_int(0)) if self.get_dtype() != _D.BOOL else self
        o = _as_tensor(other, 'other')
        b = _GITensor.ne(o, Lt.scalar_int(0)) if o.get_dtype() != _D.BOOL else o
        return _inplace(self, _GITensor.ne(a, b))

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: Number = 1,
               alpha: Number = 1) -> Tensor:
        return _inplace(self, self.addmm(mat1, mat2, beta=beta, alpha=alpha))

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        if not lambd >= 0:
            raise error('exponential_: expects lambd >= 0 (got %r)' % (lambd,),
                        Lt.Error.INVALID_ARGUMENT)
        u = _draw(self, 'exponential_', generator)
        if not lambd:
            return _inplace(self, full(list(self.get_shape()), _INF, dtype=self.get_dtype()))
        return _inplace(self, _GITensor.mul(_GITensor.log1p(_GITensor.neg(u)),
                                            Lt.scalar(-1.0 / _float(lambd))))

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        if not 0 < p < 1:
            raise error('geometric_: expects 0 < p < 1 (got %r)' % (p,),
                        Lt.Error.INVALID_ARGUMENT)
        import math
        u = _draw(self, 'geometric_', generator)
        r = _GITensor.ceil(_GITensor.mul(_GITensor.log1p(_GITensor.neg(u)),
                                         Lt.scalar(1.0 / math.log1p(-_float(p)))))
        return _inplace(self, _GITensor.clamp(r, 1.0, _INF))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *,
                    generator: Any = None) -> Tensor:
        _positive('log_normal_', 'std', std)
        n = _draw(self, 'log_normal_', generator).normal_(mean, std, generator=generator)
        return _inplace(self, _GITensor.exp(n))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *,
                generator: Any = None) -> Tensor:
        import math
        u = _draw(self, 'cauchy_', generator)
        t = _GITensor.tan(_GITensor.mul(_GITensor.sub(u, Lt.scalar(0.5)), Lt.scalar(math.pi)))
        return _inplace(self, _GITensor.add(_GITensor.mul(t, Lt.scalar(_float(sigma))),
                                            Lt.scalar(_float(median))))

    def random_(self, from_: int = 0, to: int | None = None, **kwargs: Any) -> Tensor:
        if 'from' in kwargs:
            from_ = kwargs.pop('from')
        if kwargs:
            raise TypeError_('random_(): unexpected keyword arguments %s' % sorted(kwargs))
        return _random_(self, from_, to)


def _put_indices(indices):
    if isinstance(indices, _GITensor):
        raise TypeError_('index_put_(): indices must be a tuple of tensors, not a tensor')
    return [_index_tensor(i) for i in indices]


def _put_values(self, values):
    """values as a tensor; a number takes self's dtype (torch wants a tensor)."""
    if isinstance(values, _GITensor):
        return values
    if _is_number(values):
        return tensor(values, dtype=self.get_dtype())
    return _as_tensor(values, 'values')


_RANDOM_TOP = {_D.FLOAT32: 2 ** 24, _D.FLOAT64: 2 ** 53, _D.INT64: 2 ** 63 - 1,
               _D.INT32: 2 ** 31 - 1, _D.INT16: 2 ** 15 - 1, _D.INT8: 2 ** 7 - 1,
               _D.UINT8: 2 ** 8 - 1, _D.BOOL: 1}


def _draw(self, name, generator):
    """A float tensor of self's shape, uniform in [0, 1) (refusing integer self)."""
    if self.get_dtype() not in _FLOATING:
        raise error('%s: expects a floating point tensor (got %s)' % (name, self.dtype),
                    Lt.Error.DTYPE)
    u = full(list(self.get_shape()), 0, dtype=self.get_dtype())
    return u.uniform_(generator=generator)


def _positive(name, what, v):
    if not v > 0:
        raise error('%s: expects %s > 0 (got %r)' % (name, what, v), Lt.Error.INVALID_ARGUMENT)


def _random_(self, from_=0, to=None):
    """Fills self with integers drawn uniformly from [from_, to); from_ alone
    is the top, none gives [0, the largest integer the dtype holds exactly]."""
    if to is None:
        if from_ != 0:
            from_, to = 0, from_
        else:
            top = _RANDOM_TOP.get(self.get_dtype(), 2 ** 24)
            to = top + 1 if top < 2 ** 63 - 1 else top
    if _int(to) <= _int(from_):
        raise error('random_: expects from < to (got from=%d, to=%d)' % (from_, to),
                    Lt.Error.INVALID_ARGUMENT)
    return _inplace(self, randint(_int(from_), _int(to), tuple(self.get_shape()),
                                  dtype=self.get_dtype()))


def _scatter(self, dim, index, src, value, reduce, inplace=False):
    if src is None and value is None:
        raise TypeError_('scatter(): takes src (a tensor) or value (a number)')
    if src is not None and value is not None:
        raise TypeError_('scatter(): takes src or value, not both')
    if src is not None and not isinstance(src, _GITensor):
        value, src = src, None
    d = operator.index(dim)
    idx = _index_tensor(index)
    if src is None:
        src = full(list(idx.get_shape()), _float(value), dtype=self.get_dtype(),
                   device=self.device)
    if reduce is not None and not isinstance(reduce, str):
        raise TypeError_('scatter(): reduce must be a string, not %s' % type(reduce).__name__)
    if inplace:
        _GITensor.scatter_(self, d, idx, src, reduce)
        return self
    return _GITensor.scatter(self, d, idx, src, reduce)


def nonzero(input: TensorLike, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The coordinates of the nonzero elements of input: an int64 (n, ndim)
    tensor, or a tuple of ndim int64 vectors with as_tuple=True."""
    return TensorIndexOps.nonzero(_as_tensor(input, 'input'), as_tuple=as_tuple)


def randint_like(input: TensorLike, low: int = 0, high: int | None = None, *,
                 dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high) of input's shape and (unless dtype is
    given) dtype; randint_like(x, high) as torch reads it."""
    if high is None:
        low, high = 0, low
    t = _as_tensor(input, 'input')
    dt = t.get_dtype() if dtype is None else _dtype(dtype)
    r = randint(_int(low), _int(high), tuple(t.get_shape()), dtype=dt)
    if requires_grad:
        r.requires_grad_(True)
    return r


def argwhere(input: TensorLike) -> Tensor:
    """The coordinates of input's nonzero elements as an int64 (n, ndim) tensor."""
    return TensorIndexOps.argwhere(_as_tensor(input, 'input'))


def take(input: TensorLike, index: Tensor) -> Tensor:
    """Elements of input, read as one dimension, at index (of index's shape)."""
    return TensorIndexOps.take(_as_tensor(input, 'input'), index)


def count_nonzero(input: TensorLike, dim: int | Sequence[int] | None = None) -> Tensor:
    """How many elements of input are nonzero, in all or along dim (int64)."""
    return TensorIndexOps.count_nonzero(_as_tensor(input, 'input'), dim)


def index_put(input: TensorLike, indices: Sequence[Tensor], values: TensorLike,
              accumulate: bool = False) -> Tensor:
    """A copy of input with values written (or added) at indices."""
    return TensorIndexOps.index_put(_as_tensor(input, 'input'), indices, values, accumulate)


def index_put_(input: Tensor, indices: Sequence[Tensor], values: TensorLike,
               accumulate: bool = False) -> Tensor:
    """Writes (or adds) values into input at indices; returns input."""
    return TensorIndexOps.index_put_(input, indices, values, accumulate)


def scatter(input: TensorLike, dim: int, index: Tensor, src: Any = None, *,
            value: Any = None, reduce: str | None = None) -> Tensor:
    """A copy of input with src (a tensor or a number) written, added or
    multiplied in along dim at index."""
    return _scatter(_as_tensor(input, 'input'), dim, index, src, value, reduce)


def isnan(input: TensorLike) -> Tensor:
    """Where input is NaN (bool)."""
    return TensorIndexOps.isnan(_as_tensor(input, 'input'))


def isinf(input: TensorLike) -> Tensor:
    """Where input is plus or minus infinity (bool)."""
    return TensorIndexOps.isinf(_as_tensor(input, 'input'))


def isposinf(input: TensorLike) -> Tensor:
    """Where input is plus infinity (bool)."""
    return TensorIndexOps.isposinf(_as_tensor(input, 'input'))


def isneginf(input: TensorLike) -> Tensor:
    """Where input is minus infinity (bool)."""
    return TensorIndexOps.isneginf(_as_tensor(input, 'input'))


def isfinite(input: TensorLike) -> Tensor:
    """Where input is neither NaN nor infinite (bool)."""
    return TensorIndexOps.isfinite(_as_tensor(input, 'input'))


FUNCTIONS = {f.__name__: f for f in (
    nonzero, argwhere, take, count_nonzero, index_put, index_put_, scatter, isnan, isinf,
    isposinf, isneginf, isfinite, randint_like)}
