# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for the ``Lt`` namespace (libtensor).

They make the tensor core feel like PyTorch from Python::

    from gi.repository import Lt as torch

    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    out = (y * y * 3).mean()
    out.backward()
    print(x.grad)

Lt.Tensor gains Python operators, indexing (views where torch gives views),
PyTorch's printed form (the tutorial's older one with
``Lt.set_printoptions(legacy=True)``), keyword arguments like torch's, and a numpy
bridge that shares memory both ways.  Module-level functions take torch's
signatures (``Lt.zeros(2, 3, dtype=Lt.float64)``) and still accept the
introspected ones (``Lt.zeros([2, 3], Lt.DType.FLOAT64)``).  Every function
of the C library stays reachable through the introspection module, and
errors from the library arrive as ``GLib.Error`` in the ``Lt.Error`` domain.

The overrides are split by subject; this file is the entry point that
PyGObject loads and holds the Tensor class and the functions over tensors.
The other parts are the private package gi/overrides/_lt/ (its
__init__.py lists them); this file exports their public names.
"""

from __future__ import annotations

import builtins
import collections
import operator
from typing import Any, Callable, Iterator, Sequence

from gi.repository import GLib

from ..overrides import override
from ._lt import autograd as _lt_autograd
from ._lt import creation as _lt_creation
from ._lt import printing as _lt_printing
from ._lt import serialization as _lt_serialization
from ._lt import types as _lt_types
from ._lt.autograd import *  # noqa: F401,F403 - GradFn, no_grad, autograd, ...
from ._lt.autograd import GradFn
from ._lt.common import (DeviceLike, DTypeLike, Lt, Number, Shape, TensorLike, error,
                         remember_carried, take_carried,
                         namespace)
from ._lt.common import NotImplementedError_, RuntimeError_, TypeError_, ValueError_
from ._lt.creation import *  # noqa: F401,F403 - tensor, zeros, ..., from_numpy
from ._lt.creation import (_as_tensor, _empty_data_ptr, _index_tensor, _legacy_new, _operand,
                           _rebuild_tensor, empty, full, ones, tensor, zeros)
from ._lt.indexing import TensorIndexing as _TensorIndexing
from ._lt.printing import *  # noqa: F401,F403 - set_printoptions, get_printoptions
from ._lt.serialization import *  # noqa: F401,F403 - save, load
from ._lt.math import FUNCTIONS as _MATH_FUNCTIONS
from ._lt.math import TensorMath as _TensorMath
from ._lt.ops_extra import FUNCTIONS as _EXTRA_FUNCTIONS
from ._lt.ops_extra import TensorExtra as _TensorExtra
from ._lt.index_ops import FUNCTIONS as _INDEX_FUNCTIONS
from ._lt.index_ops import TensorIndexOps as _TensorIndexOps
from ._lt.sorting import FUNCTIONS as _SORTING_FUNCTIONS
from ._lt.sorting import TensorSorting as _TensorSorting
from ._lt.sorting import return_types  # noqa: F401 - Lt.return_types
from ._lt.linalg import FUNCTIONS as _LINALG_FUNCTIONS
from ._lt.linalg import TensorLinalg as _TensorLinalg
from ._lt.linalg import linalg  # noqa: F401 - Lt.linalg
from ._lt import generator as _lt_generator
from ._lt.generator import *  # noqa: F401,F403 - Generator; rand, randn, ... with generator=
from ._lt.generator import TensorRandom as _TensorRandom
from ._lt.types import *  # noqa: F401,F403 - Size, device
from ._lt.types import (_D, _DTYPE_BY_NAME, _DTYPE_NAME, _FLOATING, _NP_TYPESTR, _bool, _dtype,
                        _float, _INF, _int, _is_bool, _lt_device, _max, _min, _shape_args, Size,
                        _current_cuda, _device_of, _device_pair, _to_device,
                        bool_, device, float32, float64, int8, int16, int32, int64, uint8)

_GITensor = Lt.Tensor

# The public names of the parts, then this file's.
__all__ = (_lt_types.__all__ + _lt_creation.__all__ + _lt_autograd.__all__
           + _lt_printing.__all__ + _lt_serialization.__all__ + ['return_types']
           + [n for n in _lt_generator.__all__ if n not in _lt_creation.__all__])


def _export(obj, name=None):
    __all__.append(name or obj.__name__)
    return obj


# ---------------------------------------------------------------------------
# Tensor

_MaxResult = collections.namedtuple('max', ('values', 'indices'))
_MinResult = collections.namedtuple('min', ('values', 'indices'))


class _RemovableHandle:
    """What ``Tensor.register_hook`` returns: ``handle.remove()``."""

    def __init__(self, tensor, hook_id):
        self._tensor = tensor
        self.id = hook_id

    def remove(self):
        if self._tensor is not None:
            _GITensor.remove_hook(self._tensor, self.id)
            self._tensor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _hook_name(hook):
    return getattr(hook, '__qualname__', None) or type(hook).__name__


def _carry_hook(hook, exc):
    """The GLib.Error that carries exc, raised by a gradient hook, through
    C; backward() takes exc back and raises it."""
    text = str(exc)
    message = 'hook %s raised %s%s' % (_hook_name(hook), type(exc).__name__,
                                       ': ' + text if text else '')
    remember_carried(message, exc)
    return error(message)


def _c_hook(hook):
    """hook as lt_tensor_register_hook() calls it: whatever it raises, or a
    result that is neither a tensor nor None, fails the backward pass."""
    def c_hook(grad, *user_data):
        try:
            result = hook(grad)
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise _carry_hook(hook, e) from None
        if result is None or isinstance(result, _GITensor):
            return result
        raise _carry_hook(hook, TypeError_("expected a tensor or None, but hook '%s' returned "
                                          "'%s'" % (_hook_name(hook), type(result).__name__)))
    return c_hook


def _c_post_accumulate_hook(hook):
    """hook as lt_tensor_register_post_accumulate_grad_hook() calls it: it
    gets the tensor; whatever it raises fails the backward pass."""
    def c_hook(tensor, *user_data):
        try:
            hook(tensor)
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise _carry_hook(hook, e) from None
        return True
    return c_hook


def _binary(name):
    gi_fn = getattr(_GITensor, name)

    def op(self: Tensor, other: TensorLike) -> Tensor:
        o = _operand(other)
        if o is None:
            return NotImplemented
        return gi_fn(self, o)

    def rop(self: Tensor, other: TensorLike) -> Tensor:
        o = _operand(other)
        if o is None:
            return NotImplemented
        return gi_fn(o, self)

    return op, rop


def _inplace(name):
    gi_fn = getattr(_GITensor, name + '_')

    def iop(self: Tensor, other: TensorLike) -> Tensor:
        o = _operand(other)
        if o is None:
            return NotImplemented
        gi_fn(self, o)
        return self

    return iop


def _method(name):
    """A torch-style method taking a tensor or a number."""
    gi_fn = getattr(_GITensor, name)

    def m(self: Tensor, other: TensorLike) -> Tensor:
        return gi_fn(self, _as_tensor(other, 'other'))

    m.__name__ = name
    return m


def _method_(name):
    gi_fn = getattr(_GITensor, name + '_')

    def m(self: Tensor, other: TensorLike) -> Tensor:
        gi_fn(self, _as_tensor(other, 'other'))
        return self

    m.__name__ = name + '_'
    return m


def _to_dim_list(dim):
    if isinstance(dim, (list, tuple)):
        return [operator.index(d) for d in dim]
    return None


@override
class Tensor(_TensorIndexing, _TensorMath, _TensorExtra, _TensorSorting, _TensorRandom,
             _TensorLinalg, _TensorIndexOps, Lt.Tensor):
    """A tensor, with torch's Python interface.

    ``Lt.Tensor(5, 3)`` makes an uninitialised 5x3 float32 tensor (as the
    tutorial's first line); ``Lt.Tensor([1, 2])`` makes one from data.
    Indexing (``x[...]``, ``x[...] = v``) comes from TensorIndexing
    (lt_indexing.py).
    """

    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        return _legacy_new(_D.FLOAT32, args, kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The tensor was made by __new__ (or by C); nothing to set up.
        pass

    # -- printing -----------------------------------------------------------

    def __repr__(self):
        return _lt_printing.tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if spec and self.numel() == 1:
            return format(self.item(), spec)
        return format(str(self), spec)

    # -- metadata -----------------------------------------------------------

    __hash__ = object.__hash__

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self.get_shape())
        return self.get_size(operator.index(dim))

    @property
    def shape(self) -> Size:
        return Size(self.get_shape())

    @property
    def dtype(self) -> Lt.DType:
        return self.get_dtype()

    @property
    def device(self) -> device:
        return _device_of(self)

    @property
    def is_cuda(self) -> bool:
        return self.get_device() == Lt.Device.CUDA

    @property
    def ndim(self) -> int:
        return self.get_n_dims()

    def dim(self) -> int:
        return self.get_n_dims()

    ndimension = dim

    def nelement(self) -> int:
        return self.numel()

    def element_size(self) -> int:
        return self.get_element_size()

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        strides = tuple(self.get_strides())
        if dim is None:
            return strides
        n = len(strides)
        dim = operator.index(dim)
        if not -n <= dim < _max(n, 1):
            raise error('stride: dimension %d is out of range for a '
                        'tensor with %d dimensions' % (dim, n), Lt.Error.INDEX)
        return strides[dim]

    def storage_offset(self) -> int:
        return self.get_storage_offset()

    def data_ptr(self) -> int:
        return self.get_data_ptr()

    def type(self, dtype: DTypeLike | None = None, non_blocking: bool = False) -> Tensor | str:
        if dtype is None:
            return self.get_type_name()
        return self.to(_dtype(dtype))

    def type_as(self, other: TensorLike) -> Tensor:
        return self.to(other.get_dtype())

    # -- autograd state -----------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        return self.get_requires_grad()

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.set_requires_grad(_bool(value))

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        _GITensor.requires_grad_(self, _bool(requires_grad))
        return self

    @property
    def grad(self) -> Tensor | None:
        return self.get_grad()

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        self.set_grad(value)

    @grad.deleter
    def grad(self) -> None:
        self.set_grad(None)

    @property
    def grad_fn(self) -> GradFn | None:
        return self.get_grad_fn()

    @property
    def creator(self) -> GradFn | None:
        """grad_fn under the name of the tutorial's PyTorch (``y.creator``)."""
        return self.get_grad_fn()

    @property
    def is_leaf(self) -> bool:
        return _GITensor.is_leaf(self)

    @property
    def retains_grad(self) -> bool:
        return self.get_retains_grad()

    def retain_grad(self) -> None:
        _GITensor.retain_grad(self)

    @property
    def data(self) -> Tensor:
        """The same data without autograd history (a detached alias)."""
        return self.detach()

    def backward(self, gradient: TensorLike | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        if gradient is not None and not isinstance(gradient, _GITensor):
            gradient = tensor(gradient, dtype=self.get_dtype())
        create_graph = _bool(create_graph)
        if retain_graph is None:
            retain_graph = create_graph
        if isinstance(inputs, _GITensor):
            inputs = [inputs]
        elif inputs is not None:
            inputs = list(inputs)
            if not inputs:
                raise RuntimeError_("'inputs' argument to backward() cannot be empty.")
        try:
            if create_graph or inputs is not None:
                _GITensor.backward_full(self, gradient, _bool(retain_graph), create_graph,
                                        inputs)
            else:
                _GITensor.backward(self, gradient, _bool(retain_graph))
            return
        except GLib.Error as err:
            carried = take_carried(err)
            if carried is None:
                raise
        # A hook's exception, raised itself (as torch does), outside the
        # except clause so that it does not gain the carrier as context.
        raise carried

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> _RemovableHandle:
        hook_id = _GITensor.register_hook(self, _c_hook(hook))
        return _RemovableHandle(self, hook_id)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]
                                           ) -> _RemovableHandle:
        hook_id = _GITensor.register_post_accumulate_grad_hook(self,
                                                               _c_post_accumulate_hook(hook))
        return _RemovableHandle(self, hook_id)

    def detach_(self) -> Tensor:
        _GITensor.detach_(self)
        return self

    # -- conversions to Python ----------------------------------------------

    def item(self) -> Number:
        dt = self.get_dtype()
        if dt in _FLOATING:
            return _GITensor.item(self)[1]
        v = _GITensor.item_int64(self)[1]
        return _bool(v) if dt == _D.BOOL else v

    def tolist(self) -> Any:
        dt = self.get_dtype()
        if dt in _FLOATING:
            flat = self.to_doubles()
        elif dt == _D.BOOL:
            flat = [_bool(v) for v in self.to_int64s()]
        else:
            flat = self.to_int64s()
        shape = self.get_shape()
        if not shape:
            return flat[0]

        def nest(start, d):
            if d == len(shape) - 1:
                return list(flat[start:start + shape[d]])
            step = 1
            for s in shape[d + 1:]:
                step *= s
            return [nest(start + i * step, d + 1) for i in range(shape[d])]

        return nest(0, 0)

    def _one_element(self, what):
        if self.numel() != 1:
            raise ValueError_('only one element tensors can be converted to Python '
                             'scalars (%s of a tensor of shape %s)'
                             % (what, list(self.get_shape())))
        return self.item()

    def __float__(self):
        return _float(self._one_element('float()'))

    def __int__(self):
        return _int(self._one_element('int()'))

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError_('Boolean value of Tensor with %s values is ambiguous'
                               % ('no' if self.numel() == 0 else 'more than one'))
        return _bool(self.item())

    def __index__(self):
        if self.get_dtype() in _FLOATING or self.numel() != 1:
            raise TypeError_('only integer tensors of a single element can be '
                            'converted to an index')
        return _int(self.item())

    def __len__(self) -> int:
        if self.get_n_dims() == 0:
            raise TypeError_('len() of a 0-d tensor')
        return self.get_shape()[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.get_n_dims() == 0:
            raise TypeError_('iteration over a 0-d tensor')
        return (self.select(0, i) for i in range(self.get_shape()[0]))

    def __contains__(self, element):
        o = _operand(element)
        if o is None:
            raise RuntimeError_('Tensor.__contains__ only supports Tensor or scalar, '
                               'but you passed in a %s' % builtins.type(element).__name__)
        return _bool(_GITensor.eq(self, o).any().item())

    def __deepcopy__(self, memo):
        r = _GITensor.clone(self.detach())
        if self.get_requires_grad() and _GITensor.is_leaf(self):
            r.set_requires_grad(True)
        g = self.get_grad()
        if g is not None:
            r.set_grad(_GITensor.clone(g))
        memo[id(self)] = r
        return r

    def __reduce_ex__(self, protocol):
        data = _GITensor.to_bytes(self.detach())
        return (_rebuild_tensor, (bytes(data.get_data()), list(self.get_shape()),
                                  _DTYPE_NAME[self.get_dtype()],
                                  self.get_requires_grad() and _GITensor.is_leaf(self)))

    # -- numpy --------------------------------------------------------------

    @property
    def __array_interface__(self):
        if self.get_device() != Lt.Device.CPU:
            raise TypeError_("can't convert %s device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first."
                            % self.device)
        if self.get_requires_grad():
            raise RuntimeError_("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        es = self.get_element_size()
        ptr = self.get_data_ptr()
        if ptr == 0:
            ptr = _empty_data_ptr()
        return {
            'version': 3,
            'shape': tuple(self.get_shape()),
            'typestr': _NP_TYPESTR[self.get_dtype()],
            'strides': tuple(s * es for s in self.get_strides()),
            'data': (ptr, False),
        }

    def numpy(self) -> Any:
        import numpy as np
        return np.asarray(self)

    # -- operators ----------------------------------------------------------

    __add__, __radd__ = _binary('add')
    __sub__, __rsub__ = _binary('sub')
    __mul__, __rmul__ = _binary('mul')
    __truediv__, __rtruediv__ = _binary('div')
    __floordiv__, __rfloordiv__ = _binary('floor_divide')
    __mod__, __rmod__ = _binary('remainder')
    __pow__, __rpow__ = _binary('pow')
    __matmul__, __rmatmul__ = _binary('matmul')
    __eq__, _req = _binary('eq')
    __ne__, _rne = _binary('ne')
    __lt__, _rlt = _binary('lt')
    __le__, _rle = _binary('le')
    __gt__, _rgt = _binary('gt')
    __ge__, _rge = _binary('ge')
    __iadd__ = _inplace('add')
    __isub__ = _inplace('sub')
    __imul__ = _inplace('mul')
    __itruediv__ = _inplace('div')
    __ifloordiv__ = _inplace('floor_divide')
    __imod__ = _inplace('remainder')
    __ipow__ = _inplace('pow')
    del _req, _rne, _rlt, _rle, _rgt, _rge

    def __neg__(self):
        return self.neg()

    def __pos__(self):
        return self

    def __abs__(self):
        return _GITensor.abs(self)

    # &, |, ^, ~ and the in-place and math methods: _lt/math.py

    # -- arithmetic methods -------------------------------------------------

    def add(self, other: TensorLike, alpha: Number = 1, out: Tensor | None = None) -> Tensor:
        o = _as_tensor(other, 'other')
        if out is not None:
            if alpha != 1:
                out.copy_(_GITensor.add_scaled(self, o, _float(alpha)))
            else:
                _GITensor.add_out(self, o, out)
            return out
        if alpha != 1:
            return _GITensor.add_scaled(self, o, _float(alpha))
        return _GITensor.add(self, o)

    def add_(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        o = _as_tensor(other, 'other')
        if alpha != 1:
            _GITensor.add_scaled_(self, o, _float(alpha))
        else:
            _GITensor.add_(self, o)
        return self

    def sub(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        o = _as_tensor(other, 'other')
        if alpha != 1:
            return _GITensor.add_scaled(self, o, -_float(alpha))
        return _GITensor.sub(self, o)

    def sub_(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        o = _as_tensor(other, 'other')
        if alpha != 1:
            _GITensor.add_scaled_(self, o, -_float(alpha))
        else:
            _GITensor.sub_(self, o)
        return self

    subtract = sub

    # div, div_ (rounding_mode=): TensorExtra (_lt/ops_extra.py)
    mul = _method('mul')
    mul_ = _method_('mul')
    multiply = mul
    pow = _method('pow')
    pow_ = _method_('pow')
    floor_divide = _method('floor_divide')
    floor_divide_ = _method_('floor_divide')
    remainder = _method('remainder')
    remainder_ = _method_('remainder')
    eq = _method('eq')
    ne = _method('ne')
    lt = _method('lt')
    le = _method('le')
    gt = _method('gt')
    ge = _method('ge')
    maximum = _method('maximum')
    minimum = _method('minimum')

    def rsub(self, other: TensorLike, alpha: Number = 1) -> Tensor:
        return _as_tensor(other, 'other').sub(self, alpha=alpha)

    def negative(self) -> Tensor:
        return _GITensor.neg(self)

    def absolute(self) -> Tensor:
        return _GITensor.abs(self)

    def clamp(self, min: Number | None = None, max: Number | None = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError_("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, _GITensor) or isinstance(max, _GITensor):
            return _GITensor.clamp_tensor(self, None if min is None else _as_tensor(min, 'min'),
                                          None if max is None else _as_tensor(max, 'max'))
        return _GITensor.clamp(self, -_INF if min is None else _float(min),
                               _INF if max is None else _float(max))

    def clamp_(self, min: Number | None = None, max: Number | None = None) -> Tensor:
        if min is None and max is None:
            raise RuntimeError_("clamp_: at least one of 'min' or 'max' must not be None")
        if isinstance(min, _GITensor) or isinstance(max, _GITensor):
            _GITensor.clamp_tensor_(self, None if min is None else _as_tensor(min, 'min'),
                                    None if max is None else _as_tensor(max, 'max'))
            return self
        _GITensor.clamp_(self, -_INF if min is None else _float(min),
                         _INF if max is None else _float(max))
        return self

    clip = clamp
    clip_ = clamp_

    def clamp_min(self, min: Number | None) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Number | None) -> Tensor:
        return self.clamp(max=max)

    def where(self, condition: Tensor, other: TensorLike) -> Tensor:
        return where(condition, self, other)

    def masked_fill(self, mask: Tensor, value: Number) -> Tensor:
        return _GITensor.masked_fill(self, mask, _float(value))

    def masked_fill_(self, mask: Tensor, value: Number) -> Tensor:
        _GITensor.masked_fill_(self, mask, _float(value))
        return self

    def logical_and(self, other: TensorLike) -> Tensor:
        return _GITensor.logical_and(self, _as_tensor(other, 'other'))

    def logical_or(self, other: TensorLike) -> Tensor:
        return _GITensor.logical_or(self, _as_tensor(other, 'other'))

    def equal(self, other: TensorLike) -> bool:
        return equal(self, other)

    def allclose(self, other: TensorLike, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        return allclose(self, other, rtol, atol, equal_nan)

    # -- reductions ---------------------------------------------------------

    def sum(self, dim: int | Sequence[int] | None = None, keepdim: bool = False,
            dtype: DTypeLike | None = None) -> Tensor:
        t = self if dtype is None else self.to(_dtype(dtype))
        if dim is None:
            r = _GITensor.sum(t)
            return r.view([1] * t.get_n_dims()) if keepdim else r
        dims = _to_dim_list(dim)
        if dims is not None:
            return _GITensor.sum_dims(t, dims, _bool(keepdim))
        return _GITensor.sum_dim(t, operator.index(dim), _bool(keepdim))

    def mean(self, dim: int | Sequence[int] | None = None, keepdim: bool = False,
             dtype: DTypeLike | None = None) -> Tensor:
        t = self if dtype is None else self.to(_dtype(dtype))
        if dim is None:
            r = _GITensor.mean(t)
            return r.view([1] * t.get_n_dims()) if keepdim else r
        dims = _to_dim_list(dim)
        if dims is not None:
            return _GITensor.mean_dims(t, dims, _bool(keepdim))
        return _GITensor.mean_dim(t, operator.index(dim), _bool(keepdim))

    def max(self, dim: int | None = None, keepdim: bool = False) -> Tensor | tuple[Tensor, Tensor]:
        if isinstance(dim, _GITensor):
            return _GITensor.maximum(self, dim)
        if dim is None:
            return _GITensor.max(self)
        values, indices = _GITensor.max_dim(self, operator.index(dim), _bool(keepdim))
        return _MaxResult(values, indices)

    def min(self, dim: int | None = None, keepdim: bool = False) -> Tensor | tuple[Tensor, Tensor]:
        if isinstance(dim, _GITensor):
            return _GITensor.minimum(self, dim)
        if dim is None:
            return _GITensor.min(self)
        values, indices = _GITensor.min_dim(self, operator.index(dim), _bool(keepdim))
        return _MinResult(values, indices)

    def amax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return self.max() if dim is None else self.max(dim, keepdim).values

    def amin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return self.min() if dim is None else self.min(dim, keepdim).values

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            return _GITensor.argmax(self)
        return _GITensor.argmax_dim(self, operator.index(dim), _bool(keepdim))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            return _GITensor.argmin(self)
        return _GITensor.argmin_dim(self, operator.index(dim), _bool(keepdim))

    def _var_std(self, gi_fn, dim, unbiased, keepdim, correction):
        if isinstance(dim, _bool):          # var(unbiased), the C signature
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if _bool(unbiased) else 0
        dims = ([] if dim is None else _to_dim_list(dim) if isinstance(dim, (list, tuple))
                else [operator.index(dim)])
        return gi_fn(self, dims, _float(correction), _bool(keepdim))

    def var(self, dim: int | Sequence[int] | None = None, unbiased: bool = True,
            keepdim: bool = False, *, correction: Number | None = None) -> Tensor:
        return self._var_std(_GITensor.var_correction, dim, unbiased, keepdim, correction)

    def std(self, dim: int | Sequence[int] | None = None, unbiased: bool = True,
            keepdim: bool = False, *, correction: Number | None = None) -> Tensor:
        return self._var_std(_GITensor.std_correction, dim, unbiased, keepdim, correction)

    # norm, prod, cumsum, logsumexp, ...: TensorExtra (_lt/ops_extra.py)

    def all(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            return _GITensor.all(self)
        nz = _GITensor.ne(self, Lt.scalar_int(0)).to_dtype(_D.INT64)
        n = self.get_size(operator.index(dim))
        return _GITensor.eq(nz.sum(dim, keepdim), Lt.scalar_int(n))

    def any(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            return _GITensor.any(self)
        nz = _GITensor.ne(self, Lt.scalar_int(0)).to_dtype(_D.INT64)
        return _GITensor.gt(nz.sum(dim, keepdim), Lt.scalar_int(0))

    def softmax(self, dim: int, dtype: DTypeLike | None = None) -> Tensor:
        t = self if dtype is None else self.to(_dtype(dtype))
        return _GITensor.softmax(t, operator.index(dim))

    def log_softmax(self, dim: int, dtype: DTypeLike | None = None) -> Tensor:
        t = self if dtype is None else self.to(_dtype(dtype))
        return _GITensor.log_softmax(t, operator.index(dim))

    # -- linear algebra -----------------------------------------------------

    def addmm(self, mat1: Tensor, mat2: Tensor, beta: Number = 1, alpha: Number = 1) -> Tensor:
        return _GITensor.addmm(self, mat1, mat2, _float(beta), _float(alpha))

    def dot(self, other: TensorLike) -> Tensor:
        return _GITensor.mul(self, other).sum()

    def mv(self, vec: Tensor) -> Tensor:
        return _GITensor.matmul(self, vec)

    # -- shapes and views ---------------------------------------------------

    def view(self, *shape: Any) -> Tensor:
        return _GITensor.view(self, _shape_args(shape, 'shape'))

    def view_as(self, other: TensorLike) -> Tensor:
        return _GITensor.view(self, other.get_shape())

    def reshape(self, *shape: Any) -> Tensor:
        return _GITensor.reshape(self, _shape_args(shape, 'shape'))

    def reshape_as(self, other: TensorLike) -> Tensor:
        return _GITensor.reshape(self, other.get_shape())

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _GITensor.flatten(self, start_dim, end_dim)

    def permute(self, *dims: Any) -> Tensor:
        return _GITensor.permute(self, _shape_args(dims, 'dims'))

    def t_(self) -> Tensor:
        _GITensor.t_(self)
        return self

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        _GITensor.transpose_(self, operator.index(dim0), operator.index(dim1))
        return self

    def unsqueeze_(self, dim: int) -> Tensor:
        _GITensor.unsqueeze_(self, operator.index(dim))
        return self

    def squeeze_(self, dim: int | None = None) -> Tensor:
        if dim is None:
            _GITensor.squeeze_(self)
        else:
            _GITensor.squeeze_dim_(self, operator.index(dim))
        return self

    @property
    def T(self) -> Tensor:
        n = self.get_n_dims()
        if n <= 2:
            return self.t()
        return _GITensor.permute(self, list(range(n - 1, -1, -1)))

    def squeeze(self, dim: int | None = None) -> Tensor:
        if dim is None:
            return _GITensor.squeeze(self)
        return _GITensor.squeeze_dim(self, operator.index(dim))

    def expand(self, *sizes: Any) -> Tensor:
        sizes = _shape_args(sizes)
        shape = self.get_shape()
        lead = len(sizes) - len(shape)
        sizes = [shape[i - lead] if s == -1 and i >= lead else s
                 for i, s in enumerate(sizes)]
        return _GITensor.expand(self, sizes)

    # repeat: TensorExtra (_lt/ops_extra.py)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """Every slice along dim, as views sharing one UnbindBackward0 node
        (lt_tensor_unbind)."""
        return tuple(_GITensor.unbind(self, operator.index(dim)))

    def split(self, split_size: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        n = self.get_size(dim)
        if isinstance(split_size, (list, tuple)):
            sizes = [operator.index(s) for s in split_size]
            if any(s < 0 for s in sizes):
                raise error('split: the sizes %s must not be negative' % (sizes,),
                            Lt.Error.INVALID_ARGUMENT)
            if builtins.sum(sizes) != n:
                raise error('split: the sizes %s add up to %d but the dimension has %d'
                            % (sizes, builtins.sum(sizes), n), Lt.Error.SHAPE)
            out, start = [], 0
            for s in sizes:
                out.append(self.narrow(dim, start, s))
                start += s
            return tuple(out)
        split_size = operator.index(split_size)
        if split_size == 0 and n == 0:
            return (self.narrow(dim, 0, 0),)
        if split_size <= 0:
            raise error('split: the size must be positive, not %d (0 only for a dimension '
                        'of size 0)' % split_size, Lt.Error.INVALID_ARGUMENT)
        return tuple(self.narrow(dim, s, _min(split_size, n - s))
                     for s in range(0, n, split_size))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        chunks = operator.index(chunks)
        if chunks <= 0:
            raise error('chunk: the number of chunks must be positive, not %d' % chunks,
                        Lt.Error.INVALID_ARGUMENT)
        n = self.get_size(dim)
        size = -(-n // chunks)
        return self.split(_max(size, 1), dim)

    # -- dtype and device ---------------------------------------------------

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        dt = kwargs.pop('dtype', None)
        dev = kwargs.pop('device', None)
        copy = kwargs.pop('copy', False)
        kwargs.pop('non_blocking', None)
        if kwargs:
            raise TypeError_('to() got unexpected keyword arguments %s' % list(kwargs))
        for a in args:
            if isinstance(a, _GITensor):
                dt, dev = a.get_dtype(), _device_of(a)
            elif isinstance(a, (_D, builtins.type)) or (isinstance(a, str) and
                                                       a in _DTYPE_BY_NAME):
                dt = a
            elif isinstance(a, (str, device, Lt.Device)):
                dev = a
            elif _is_bool(a):
                pass                    # non_blocking
            else:
                dt = a
        r = self
        if dev is not None:
            r = _to_device(r, dev)
        dt = _dtype(dt)
        if dt is not None and dt != r.get_dtype():
            r = _GITensor.to_dtype(r, dt)
        if copy and r is self:
            r = _GITensor.clone(self)
        return r

    def cuda(self, device: DeviceLike | None = None, non_blocking: bool = False) -> Tensor:
        if device is None:
            return self.to('cuda')
        return self.to(device if not isinstance(device, int) else 'cuda:%d' % device)

    def cpu(self) -> Tensor:
        return self.to('cpu')

    def float(self) -> Tensor:
        return self.to(_D.FLOAT32)

    def double(self) -> Tensor:
        return self.to(_D.FLOAT64)

    def long(self) -> Tensor:
        return self.to(_D.INT64)

    def int(self) -> Tensor:
        return self.to(_D.INT32)

    def short(self) -> Tensor:
        return self.to(_D.INT16)

    def char(self) -> Tensor:
        return self.to(_D.INT8)

    def byte(self) -> Tensor:
        return self.to(_D.UINT8)

    def bool(self) -> Tensor:
        return self.to(_D.BOOL)

    # -- copies and fills ---------------------------------------------------

    def copy_(self, src: Tensor, non_blocking: bool = False) -> Tensor:
        _GITensor.copy_(self, _as_tensor(src, 'src'))
        return self

    def fill_(self, value: Number) -> Tensor:
        _GITensor.fill_(self, _float(value))
        return self

    def zero_(self) -> Tensor:
        _GITensor.zero_(self)
        return self

    def new_empty(self, *size: Any, dtype: DTypeLike | None = None,
                  requires_grad: bool = False) -> Tensor:
        return empty(*size, dtype=_dtype(dtype, self.get_dtype()),
                     device=self.get_device(), requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: DTypeLike | None = None,
                  requires_grad: bool = False) -> Tensor:
        return zeros(*size, dtype=_dtype(dtype, self.get_dtype()),
                     device=self.get_device(), requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: DTypeLike | None = None,
                 requires_grad: bool = False) -> Tensor:
        return ones(*size, dtype=_dtype(dtype, self.get_dtype()),
                    device=self.get_device(), requires_grad=requires_grad)

    def new_full(self, size: Shape, fill_value: Number, dtype: DTypeLike | None = None,
                 requires_grad: bool = False) -> Tensor:
        return full(size, fill_value, dtype=_dtype(dtype, self.get_dtype()),
                    device=self.get_device(), requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: DTypeLike | None = None,
                   requires_grad: bool = False) -> Tensor:
        return tensor(data, dtype=_dtype(dtype, self.get_dtype()),
                      device=self.get_device(), requires_grad=requires_grad)

    # -- indexing methods ---------------------------------------------------

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _GITensor.index_select(self, operator.index(dim), _index_tensor(index))

    def index_add_(self, dim: int, index: Tensor, source: Tensor, alpha: Number = 1) -> Tensor:
        if alpha != 1:
            source = source * alpha
        _GITensor.index_add_(self, operator.index(dim), _index_tensor(index), source)
        return self

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return _GITensor.gather(self, operator.index(dim), _index_tensor(index))

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _GITensor.scatter_add(self, operator.index(dim), _index_tensor(index), src)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        _GITensor.scatter_add_(self, operator.index(dim), _index_tensor(index), src)
        return self

    def masked_select(self, mask: Tensor) -> Tensor:
        return _GITensor.masked_select(self, mask)

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        return _GITensor.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        _GITensor.copy_(self, _GITensor.masked_scatter(self, mask, source))
        return self

    def one_hot(self, num_classes: int = -1) -> Tensor:
        return _GITensor.one_hot(self, num_classes)


# ---------------------------------------------------------------------------
# Functions over tensors


def _fn_add(input, other, alpha=1, out=None):
    return _as_tensor(input, 'input').add(other, alpha=alpha, out=out)


def _fn_sub(input, other, alpha=1, out=None):
    r = _as_tensor(input, 'input').sub(other, alpha=alpha)
    if out is not None:
        out.copy_(r)
        return out
    return r


def _simple(name):
    def fn(input: TensorLike, *args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:
        r = getattr(_as_tensor(input, 'input'), name)(*args, **kwargs)
        if out is not None:
            out.copy_(r)
            return out
        return r
    fn.__name__ = name
    fn.__doc__ = 'Lt.%s(input, ...): as input.%s(...)' % (name, name)
    return fn


_EXPORTS = {}
for _name in ('mul', 'div', 'true_divide', 'pow', 'floor_divide', 'remainder', 'eq', 'ne',
              'lt', 'le', 'gt', 'ge', 'maximum', 'minimum', 'neg', 'negative', 'abs',
              'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid',
              'relu', 'clamp', 'clip', 'logical_not', 'logical_and', 'logical_or',
              'sum', 'mean', 'max', 'min', 'argmax', 'argmin', 'var', 'std', 'norm',
              'all', 'any', 'softmax', 'log_softmax', 'matmul', 'mm', 'bmm', 'addmm',
              'dot', 'mv', 'transpose', 't', 'flatten', 'reshape', 'squeeze',
              'unsqueeze', 'permute', 'narrow', 'select', 'gather', 'scatter_add',
              'index_select', 'masked_select', 'masked_fill', 'masked_scatter',
              'one_hot', 'detach', 'clone', 'numel', 'split', 'chunk', 'unbind',
              'square'):
    _EXPORTS[_name] = _simple(_name)
del _name
for _name in _MATH_FUNCTIONS + _SORTING_FUNCTIONS + _LINALG_FUNCTIONS:
    _EXPORTS[_name] = _simple(_name)
del _name
_EXPORTS['add'] = _fn_add
_EXPORTS['sub'] = _EXPORTS['subtract'] = _fn_sub
_EXPORTS['multiply'] = _EXPORTS['mul']
_EXPORTS['divide'] = _EXPORTS['div']
_EXPORTS.update(_EXTRA_FUNCTIONS)
_EXPORTS.update(_INDEX_FUNCTIONS)

# dtype aliases, served by __getattr__ so they do not shadow builtins here
_EXPORTS.update({
    'float32': float32, 'float': float32, 'float64': float64, 'double': float64,
    'int64': int64, 'long': int64, 'int32': int32, 'int': int32, 'int16': int16,
    'short': int16, 'int8': int8, 'uint8': uint8, 'bool': bool_,
})


def __getattr__(name):
    try:
        return _EXPORTS[name]
    except KeyError:
        raise AttributeError("module %r has no attribute %r" % (__name__, name)) from None


__all__.extend(_EXPORTS)


@_export
def where(condition: Tensor, input: Tensor | None = None,
          other: TensorLike | None = None) -> Tensor | tuple[Tensor, ...]:
    """Elements of input where condition holds, of other elsewhere; either may be
    a number. where(condition) alone is nonzero(condition, as_tuple=True)."""
    if input is None and other is None:
        return _as_tensor(condition, 'condition').nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError_('where(): takes condition alone, or condition, input and other')
    return Lt.where(condition, _as_tensor(input, 'input'), _as_tensor(other, 'other'))


@_export
def cat(tensors: Sequence[Tensor], dim: int = 0, out: Tensor | None = None) -> Tensor:
    r = Lt.cat(list(tensors), operator.index(dim))
    if out is not None:
        out.copy_(r)
        return out
    return r


concat = _export(cat, 'concat')


@_export
def stack(tensors: Sequence[Tensor], dim: int = 0, out: Tensor | None = None) -> Tensor:
    r = Lt.stack(list(tensors), operator.index(dim))
    if out is not None:
        out.copy_(r)
        return out
    return r


@_export
def is_tensor(obj: Any) -> bool:
    return isinstance(obj, _GITensor)


@_export
def equal(input: Tensor, other: TensorLike) -> bool:
    """True when both tensors have the same shape and the same elements."""
    if list(input.get_shape()) != list(other.get_shape()):
        return False
    return _bool(_GITensor.eq(input, other).all().item())


@_export
def allclose(input: Tensor, other: TensorLike, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    other = _as_tensor(other, 'other')
    a = input.detach().double()
    b = other.detach().double()
    diff = (a - b).abs()
    ok = diff <= (b.abs() * rtol + atol)
    if equal_nan:
        ok = ok.logical_or(_GITensor.logical_and(a.ne(a), b.ne(b)))
    return _bool(ok.all().item())


@_export
def manual_seed(seed: int) -> None:
    """Seeds the generator (Philox): the same stream on every device and for
    every thread count."""
    Lt.manual_seed(operator.index(seed) & 0xFFFFFFFFFFFFFFFF)


@_export
def get_default_dtype() -> Lt.DType:
    return _D.FLOAT32


@_export
def set_num_threads(n: int) -> None:
    Lt.set_num_threads(operator.index(n))


@_export
def get_num_threads() -> int:
    return Lt.get_num_threads()



# ---------------------------------------------------------------------------
# Namespaces


def _cuda_is_available():
    """True when this build has the CUDA backend and a GPU answers."""
    fn = getattr(Lt, 'cuda_is_available', None)
    if fn is not None:
        return _bool(fn())
    try:
        Lt.scalar(0.0).to_device(Lt.Device.CUDA)
    except GLib.Error:
        return False
    return True


def _cuda_index(d=None):
    """The CUDA index of a device-like (None: the current device)."""
    if d is None:
        return _current_cuda[0]
    kind, index = _device_pair(d if not isinstance(d, int) else 'cuda:%d' % d)
    if kind != Lt.Device.CUDA:
        raise ValueError_('Expected a cuda device, but got: %s' % device(d))
    return index


def _cuda_mem_get_info(device=None):
    ok, free, total = Lt.cuda_device_mem_get_info(_cuda_index(device))
    return (free, total)


def _cuda_stat(k):
    def stat(device: DeviceLike | int | None = None) -> int:
        return Lt.cuda_device_memory_stats(_cuda_index(device))[1 + k]
    return stat


def _cuda_set_device(device: DeviceLike | int) -> None:
    """Makes device the one that 'cuda' without an index means, as
    torch.cuda.set_device (a negative index changes nothing)."""
    index = device if isinstance(device, int) else _cuda_index(device)
    if index < 0:
        return
    n = Lt.cuda_device_count()
    if index >= n:
        raise error('cuda:%d: invalid device index: there %s %d CUDA device%s'
                    % (index, 'is' if n == 1 else 'are', n, '' if n == 1 else 's'),
                    Lt.Error.DEVICE)
    _current_cuda[0] = index


cuda = namespace('Lt.cuda', 'torch.cuda for libtensor.', {
    'is_available': _cuda_is_available,
    'init': lambda: Lt.cuda_init(),
    'device_count': lambda: Lt.cuda_device_count(),
    'current_device': lambda: _current_cuda[0],
    'set_device': _cuda_set_device,
    'get_device_name': lambda device=None: Lt.cuda_get_device_name(_cuda_index(device)),
    'mem_get_info': _cuda_mem_get_info,
    'memory_allocated': _cuda_stat(0),
    'memory_reserved': _cuda_stat(1),
    'max_memory_allocated': _cuda_stat(2),
    'empty_cache': lambda: Lt.cuda_empty_cache(),
    'manual_seed': manual_seed,
    'manual_seed_all': manual_seed,
    'synchronize': lambda device=None: Lt.cuda_device_synchronize(_cuda_index(device)),
})


__all__ += ['Tensor', 'cuda', 'linalg']

# The parts over the Tensor class, imported once it exists (PyGObject copies
# what __all__ names to gi.repository.Lt).
from ._lt.nn import nn  # noqa: E402 - nn, nn.functional, nn.init
from ._lt import hooks as _lt_hooks  # noqa: E402,F401 - Module's hooks
from ._lt.optim import optim  # noqa: E402 - optimizers, lr_scheduler
from ._lt.data import datasets, transforms, utils  # noqa: E402
from ._lt.train import Trainer  # noqa: E402 - taking Python loaders and criteria
from ._lt.distributed import distributed  # noqa: E402 - and nn.parallel
from ._lt.vision import backends  # noqa: E402 - backends.cudnn, backends.mps

__all__ += ['nn', 'optim', 'utils', 'transforms', 'datasets', 'Trainer', 'distributed',
            'backends']


# ---------------------------------------------------------------------------
# The hottest Tensor methods in C (_lt/_fast.c): the operators, unary minus,
# x[i] with an int, item() and backward() without arguments.  Each C method
# calls the Python method it replaces for the operands it does not handle.
# Without the module (not built, or LT_PYTHON_NO_FAST=1 in the environment)
# the Python methods above stay.

def _backward_error(err):
    """The exception backward() raises for the GLib.Error `err`: the hook's
    own exception that it carries, else err."""
    carried = take_carried(err)
    return err if carried is None else carried


def _load_fast():
    import os
    if os.environ.get('LT_PYTHON_NO_FAST', '') not in ('', '0'):
        return None
    try:
        from ._lt import _fast
    except ImportError:
        return None
    _python_methods.update((name, getattr(Tensor, name)) for name in _fast.names())
    _fast.install(Tensor, _GITensor, _backward_error)
    return _fast


# The Python methods that the C ones replaced, by name (empty without
# _fast): the tests compare both paths.
_python_methods = {}
_fast = _load_fast()
