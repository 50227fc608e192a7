# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tensors from Python values for the ``Lt`` overrides: ``Lt.tensor``,
``Lt.zeros`` and the other constructors with torch's signatures,
``Lt.Tensor(5, 3)`` and ``Lt.FloatTensor`` and friends, and the numpy
bridge's ``Lt.from_numpy`` (the tensor shares the array's memory).

Part of gi/overrides/Lt.py, which imports every public name from here.
"""

from __future__ import annotations

import builtins
import numbers
import operator
from typing import Any

from gi.repository import GObject

from .common import (DeviceLike, DTypeLike, Lt, Number, Shape, Tensor, error, exporter,
                     loaded_numpy)
from .common import TypeError_, ValueError_
from .types import (_D, _DTYPE_BY_NAME, _DTYPE_TENSOR_NAME, _DTYPE_NAME, _NP_TO_DTYPE,
                       _all, _any, _dtype, _flatten_data, _float, _int, _is_bool,
                       _is_number, _shape_args, _size_and_dtype, _sum, _wrap_number, Size)

_GITensor = Lt.Tensor

__all__ = []
_export = exporter(__all__)


# ---------------------------------------------------------------------------
# Python values as operands

def _operand(v):
    """Tensor for a binary operator's other side, or None when it is not one
    (the operator then returns NotImplemented)."""
    if isinstance(v, _GITensor):
        return v
    if _is_number(v):
        return _wrap_number(v)
    np = loaded_numpy()
    if np is not None and isinstance(v, np.ndarray):
        return tensor(v)
    return None


def _as_tensor(v, name='argument'):
    t = _operand(v)
    if t is None:
        if isinstance(v, (list, tuple)):
            return tensor(v)
        raise TypeError_('%s must be a Tensor or a number, not %s'
                        % (name, builtins.type(v).__name__))
    return t


def _index_tensor(v):
    if isinstance(v, _GITensor):
        return v
    return tensor(v, dtype=_D.INT64)



def _rebuild_tensor(data, shape, dtype_name, requires_grad):
    t = _GITensor.new_from_data(data, shape, _DTYPE_BY_NAME[dtype_name])
    if requires_grad:
        t.set_requires_grad(True)
    return t



_empty_array = None


def _empty_data_ptr():
    global _empty_array
    import numpy as np
    if _empty_array is None:
        _empty_array = np.empty(8, dtype=np.uint8)
    return _empty_array.ctypes.data


# ---------------------------------------------------------------------------
# Creation


def _finish(t, device=None, requires_grad=False):
    if device is not None:
        t = t.to(device=device)
    if requires_grad:
        t.set_requires_grad(True)
    return t


@_export
def tensor(data: Any, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
           requires_grad: bool = False) -> Tensor:
    """A tensor holding a copy of data (nested lists, numbers, an ndarray or a
    tensor): ints give int64, floats float32, bools bool."""
    dt = _dtype(dtype)
    if isinstance(data, _GITensor):
        t = _GITensor.clone(data.detach())
        if dt is not None and dt != t.get_dtype():
            t = t.to_dtype(dt)
        return _finish(t, device=device, requires_grad=requires_grad)
    np = loaded_numpy()
    if np is not None and isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data, copy=True, order='C')
        if arr.dtype.kind == 'f' and arr.dtype != np.float32 and arr.dtype != np.float64:
            arr = arr.astype(np.float32)
        t = from_numpy(arr)
        if dt is not None and dt != t.get_dtype():
            t = t.to_dtype(dt)
        return _finish(t, device=device, requires_grad=requires_grad)
    flat, shape, kind = _flatten_data(data)
    if dt is None:
        dt = {'float': _D.FLOAT32, 'int': _D.INT64, 'bool': _D.BOOL}[kind]
    if kind == 'float':
        t = _GITensor.new_from_doubles(flat, shape, dt)
    else:
        t = _GITensor.new_from_int64s([_int(v) for v in flat], shape, dt)
    return _finish(t, device=device, requires_grad=requires_grad)


@_export
def as_tensor(data: Any, dtype: DTypeLike | None = None,
              device: DeviceLike | None = None) -> Tensor:
    """Like tensor(), but without copying when data already is a tensor or a
    writable ndarray of a supported type (a read-only one is copied)."""
    if dtype is None and device is None:
        if isinstance(data, _GITensor):
            return data
        np = loaded_numpy()
        if np is not None and isinstance(data, np.ndarray) and data.dtype.isnative and \
                data.dtype.str[1:] in _NP_TO_DTYPE and _all(s >= 0 for s in data.strides) and \
                data.flags.writeable:
            return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def _legacy_new(dt, args, kwargs):
    """``Lt.Tensor(5, 3)`` (uninitialised), ``Lt.Tensor([1, 2])`` (data),
    ``Lt.FloatTensor(...)`` and friends."""
    device_ = kwargs.pop('device', None)
    if kwargs:
        raise TypeError_('unexpected keyword arguments %s' % list(kwargs))
    np = loaded_numpy()
    if len(args) == 1 and not isinstance(args[0], Size) and \
            (isinstance(args[0], (list, tuple)) or
             (np is not None and isinstance(args[0], np.ndarray))):
        return tensor(args[0], dtype=dt, device=device_)
    if len(args) == 1 and isinstance(args[0], _GITensor):
        return args[0].to(dt)
    shape = _shape_args(args) if args else [0]
    return _finish(Lt.empty(shape, dt), device=device_)


def _legacy_type(dt):
    def new(*args: Any, **kwargs: Any) -> Tensor:
        return _legacy_new(dt, args, kwargs)
    new.__name__ = _DTYPE_TENSOR_NAME[dt]
    new.__doc__ = 'A %s tensor, as torch.%s: from sizes (uninitialised) or data.' \
        % (_DTYPE_NAME[dt], _DTYPE_TENSOR_NAME[dt])
    return new


FloatTensor = _export(_legacy_type(_D.FLOAT32))
DoubleTensor = _export(_legacy_type(_D.FLOAT64))
LongTensor = _export(_legacy_type(_D.INT64))
IntTensor = _export(_legacy_type(_D.INT32))
ShortTensor = _export(_legacy_type(_D.INT16))
CharTensor = _export(_legacy_type(_D.INT8))
ByteTensor = _export(_legacy_type(_D.UINT8))
BoolTensor = _export(_legacy_type(_D.BOOL))


def _creator(gi_fn, name, default_dtype):
    def create(*size: Any, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
               requires_grad: bool = False, out: Tensor | None = None) -> Tensor:
        shape, dt = _size_and_dtype(size)
        dt = _dtype(dtype, default_dtype if dt is None else dt)
        t = _finish(gi_fn(shape, dt), device=device, requires_grad=requires_grad)
        if out is not None:
            out.copy_(t)
            return out
        return t
    create.__name__ = name
    create.__doc__ = ('%s(*size, dtype=None, device=None, requires_grad=False): as '
                      'torch.%s' % (name, name))
    return create


zeros = _export(_creator(Lt.zeros, 'zeros', _D.FLOAT32))
ones = _export(_creator(Lt.ones, 'ones', _D.FLOAT32))
empty = _export(_creator(Lt.empty, 'empty', _D.FLOAT32))
rand = _export(_creator(Lt.rand, 'rand', _D.FLOAT32))
randn = _export(_creator(Lt.randn, 'randn', _D.FLOAT32))


def _infer_dtype(value):
    if _is_bool(value):
        return _D.BOOL
    if isinstance(value, numbers.Integral):
        return _D.INT64
    return _D.FLOAT32


@_export
def full(size: Shape, fill_value: Number, dtype: DTypeLike | None = None,
         device: DeviceLike | None = None, requires_grad: bool = False) -> Tensor:
    shape = _shape_args((size,))
    if isinstance(fill_value, _GITensor):
        fill_value = fill_value.item()
    dt = _dtype(dtype, _infer_dtype(fill_value))
    return _finish(Lt.full(shape, _float(fill_value), dt), device=device,
                   requires_grad=requires_grad)


@_export
def randint(*args: Any, size: Shape | None = None, dtype: DTypeLike | None = None,
            device: DeviceLike | None = None, requires_grad: bool = False) -> Tensor:
    """randint(high, size), randint(low, high, size) as torch; also the C
    signature randint(low, high, shape, dtype)."""
    args = list(args)
    if args and isinstance(args[-1], _D):
        positional = args.pop()
        dtype = positional if dtype is None else dtype
    if size is None:
        if not args or not isinstance(args[-1], (list, tuple)):
            raise TypeError_('randint() missing the size argument')
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError_('randint() takes (high, size) or (low, high, size)')
    t = Lt.randint(operator.index(low), operator.index(high), _shape_args((size,)),
                   _dtype(dtype, _D.INT64))
    return _finish(t, device=device, requires_grad=requires_grad)


@_export
def randperm(n: int, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
             requires_grad: bool = False) -> Tensor:
    t = Lt.randperm(operator.index(n), _dtype(dtype, _D.INT64))
    return _finish(t, device=device, requires_grad=requires_grad)


@_export
def arange(start: Number, end: Number | None = None, step: Number = 1,
           dtype: DTypeLike | None = None, device: DeviceLike | None = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if isinstance(dtype, _D) or dtype is not None:
        dt = _dtype(dtype)
    elif _all(isinstance(v, numbers.Integral) and not _is_bool(v)
              for v in (start, end, step)):
        dt = _D.INT64
    else:
        dt = _D.FLOAT32
    t = Lt.arange(_float(start), _float(end), _float(step), dt)
    return _finish(t, device=device, requires_grad=requires_grad)


@_export
def linspace(start: Number, end: Number | None, steps: int, dtype: DTypeLike | None = None,
             device: DeviceLike | None = None, requires_grad: bool = False) -> Tensor:
    t = Lt.linspace(_float(start), _float(end), operator.index(steps),
                    _dtype(dtype, _D.FLOAT32))
    return _finish(t, device=device, requires_grad=requires_grad)


@_export
def eye(n: int, m: int | None = None, dtype: DTypeLike | None = None,
        device: DeviceLike | None = None, requires_grad: bool = False) -> Tensor:
    n = operator.index(n)
    m = n if m is None else operator.index(m)
    if n < 0 or m < 0:
        # the C layer reads -1 columns as "as many as rows"
        raise error('eye: the number of rows (%d) and of columns (%d) must not be negative'
                    % (n, m), Lt.Error.SHAPE)
    t = Lt.eye(n, m, _dtype(dtype, _D.FLOAT32))
    return _finish(t, device=device, requires_grad=requires_grad)


def _like(gi_fn, name):
    def like(input: Tensor, dtype: DTypeLike | None = None, device: DeviceLike | None = None,
             requires_grad: bool = False) -> Tensor:
        dt = _dtype(dtype)
        if dt is None or dt == input.get_dtype():
            t = gi_fn(input)
        else:
            t = globals()[name](list(input.get_shape()), dtype=dt)
        dev = device if device is not None else \
            (None if input.get_device() == t.get_device() == Lt.Device.CPU else input.device)
        return _finish(t, device=dev, requires_grad=requires_grad)
    like.__name__ = name + '_like'
    return like


zeros_like = _export(_like(Lt.zeros_like, 'zeros'))
ones_like = _export(_like(Lt.ones_like, 'ones'))
empty_like = _export(_like(Lt.empty_like, 'empty'))
rand_like = _export(_like(Lt.rand_like, 'rand'))
randn_like = _export(_like(Lt.randn_like, 'randn'))


@_export
def full_like(input: Tensor, fill_value: Number, dtype: DTypeLike | None = None,
              device: DeviceLike | None = None, requires_grad: bool = False) -> Tensor:
    return full(list(input.get_shape()), fill_value,
                dtype=_dtype(dtype, input.get_dtype()),
                device=device if device is not None else input.device,
                requires_grad=requires_grad)


# ---------------------------------------------------------------------------
# numpy bridge


class _ArrayOwner(GObject.Object):
    """The owner given to lt_tensor_new_wrap_owned(): holds the array; the
    memory keeps a reference on it (PyGObject then keeps this wrapper and
    its array alive) until no tensor uses the memory.  No Python code runs
    when that happens (a release callback would, and Python refuses to
    call one while an exception unwinds: SystemError)."""

    # A module outside gi.overrides: PyGObject registers a GType of its own
    # only for classes defined elsewhere.
    __module__ = 'lt_numpy'
    __gtype_name__ = 'LtPyArrayOwner'

    def __init__(self, array):
        super().__init__()
        self.array = array


@_export
def from_numpy(ndarray: Any) -> Tensor:
    """A tensor sharing ndarray's memory: writes through either show in the
    other, and the array lives as long as any tensor uses it.  A read-only
    array (a read-only np.memmap, np.frombuffer() over bytes, a broadcast
    view) is refused: the tensor's in-place operations would write into
    memory that must not change; copy it first."""
    import numpy as np
    if not isinstance(ndarray, np.ndarray):
        raise TypeError_('expected np.ndarray (got %s)' % builtins.type(ndarray).__name__)
    a = ndarray
    if not a.flags.writeable:
        raise ValueError_('from_numpy: the array is read-only (such as a read-only np.memmap, '
                         'np.frombuffer() over bytes, or a broadcast view), and a tensor made '
                         'by from_numpy shares its memory, so in-place operations on the '
                         'tensor would write into it. Copy it first: '
                         'Lt.from_numpy(array.copy()), or Lt.tensor(array), which copies')
    dt = _NP_TO_DTYPE.get(a.dtype.str[1:]) if a.dtype.isnative else None
    if dt is None:
        raise TypeError_("can't convert np.ndarray of type %s. The only supported types "
                        "are: float64, float32, int64, int32, int16, int8, uint8, and bool."
                        % a.dtype)
    itemsize = a.itemsize
    if _any(s < 0 for s in a.strides):
        raise ValueError_('At least one stride in the given numpy array is negative, and '
                         'tensors with negative strides are not currently supported. '
                         '(You can probably work around this by making a copy of your '
                         'array with array.copy().)')
    if _any(s % itemsize for s in a.strides):
        raise ValueError_('given numpy array strides not a multiple of the element byte '
                         'size. Copy the numpy array to reallocate the memory.')
    if a.size == 0:
        n_bytes = 0
    else:
        n_bytes = (_sum((n - 1) * s for n, s in zip(a.shape, a.strides)) + 1) * itemsize
    ptr = a.__array_interface__['data'][0]
    if ptr == 0:
        ptr = _empty_data_ptr()
    strides = [s // itemsize for s in a.strides]
    return _GITensor.new_wrap_owned(ptr, n_bytes, list(a.shape), strides, dt,
                                    _ArrayOwner(a))

