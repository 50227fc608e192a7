# SPDX-License-Identifier: LGPL-2.1-or-later
"""dtypes, devices, sizes and Python values for the ``Lt`` overrides.

Part of gi/overrides/Lt.py (which imports every public name from here):
``Lt.float32`` and the other dtypes with torch's names and printed forms,
``Lt.device``, ``Lt.Size``, and the reading of Python numbers, shapes and
nested lists that the tensor constructors and operators share.  Of the
other override modules it uses only common.py.
"""

from __future__ import annotations

import builtins
import numbers
import operator
import sys
from typing import Any

from .common import Lt, Tensor, loaded_numpy
from .common import RuntimeError_, TypeError_, ValueError_

_GITensor = Lt.Tensor

# The module exports names that shadow builtins (Lt.float, Lt.max, Lt.sum...).
# They are served by __getattr__ below, so inside this file the builtins keep
# their meaning; these aliases make that explicit.
_int = builtins.int
_float = builtins.float
_bool = builtins.bool
_max = builtins.max
_min = builtins.min
_sum = builtins.sum
_all = builtins.all
_any = builtins.any

_INF = _float('inf')

__all__ = []


# ---------------------------------------------------------------------------
# dtypes and devices

_D = Lt.DType
float32 = _D.FLOAT32
float64 = _D.FLOAT64
int64 = _D.INT64
int32 = _D.INT32
int16 = _D.INT16
int8 = _D.INT8
uint8 = _D.UINT8
double = float64
long = int64
short = int16
bool_ = _D.BOOL

_DTYPE_NAME = {
    _D.FLOAT32: 'float32', _D.FLOAT64: 'float64', _D.INT64: 'int64',
    _D.INT32: 'int32', _D.INT16: 'int16', _D.INT8: 'int8',
    _D.UINT8: 'uint8', _D.BOOL: 'bool',
}
_DTYPE_TENSOR_NAME = {
    _D.FLOAT32: 'FloatTensor', _D.FLOAT64: 'DoubleTensor',
    _D.INT64: 'LongTensor', _D.INT32: 'IntTensor', _D.INT16: 'ShortTensor',
    _D.INT8: 'CharTensor', _D.UINT8: 'ByteTensor', _D.BOOL: 'BoolTensor',
}
_FLOATING = (_D.FLOAT32, _D.FLOAT64)
_NP_TYPESTR = {
    _D.FLOAT32: '<f4', _D.FLOAT64: '<f8', _D.INT64: '<i8', _D.INT32: '<i4',
    _D.INT16: '<i2', _D.INT8: '|i1', _D.UINT8: '|u1', _D.BOOL: '|b1',
}
if sys.byteorder == 'big':
    _NP_TYPESTR = {k: v.replace('<', '>') for k, v in _NP_TYPESTR.items()}

_DTYPE_BY_NAME = {}
for _dt, _n in _DTYPE_NAME.items():
    _DTYPE_BY_NAME[_n] = _dt
    _DTYPE_BY_NAME['Lt.' + _n] = _dt
    _DTYPE_BY_NAME['torch.' + _n] = _dt
    _DTYPE_BY_NAME[_DTYPE_TENSOR_NAME[_dt]] = _dt
    _DTYPE_BY_NAME['Lt.' + _DTYPE_TENSOR_NAME[_dt]] = _dt
    _DTYPE_BY_NAME['torch.' + _DTYPE_TENSOR_NAME[_dt]] = _dt
for _n, _dt in (('float', _D.FLOAT32), ('double', _D.FLOAT64),
                ('long', _D.INT64), ('int', _D.INT32), ('short', _D.INT16)):
    _DTYPE_BY_NAME[_n] = _dt
    _DTYPE_BY_NAME['Lt.' + _n] = _dt
    _DTYPE_BY_NAME['torch.' + _n] = _dt
del _dt, _n


def _dtype_repr(self):
    return 'Lt.' + _DTYPE_NAME.get(self, '<unknown dtype>')


# torch prints dtypes as ``torch.float32``; ours print as ``Lt.float32``.
_D.__repr__ = _dtype_repr
_D.__str__ = _dtype_repr
_D.is_floating_point = property(lambda self: self in _FLOATING)
_D.itemsize = property(lambda self: Lt.dtype_get_element_size(self))


def _dtype(d, default=None):
    """Turns a dtype given any way torch accepts into an Lt.DType."""
    if d is None:
        return default
    if isinstance(d, _D):
        return d
    if d is _float:
        return _D.FLOAT64
    if d is _int:
        return _D.INT64
    if d is _bool:
        return _D.BOOL
    if isinstance(d, str):
        try:
            return _DTYPE_BY_NAME[d]
        except KeyError:
            raise TypeError_('unknown dtype name %r' % d) from None
    np = loaded_numpy()
    if np is not None:
        try:
            return _NP_TO_DTYPE[np.dtype(d).str.lstrip('<>=|')]
        except (TypeError, KeyError):
            pass
    raise TypeError_('expected an Lt.DType, got %r' % (d,))


_NP_TO_DTYPE = {
    'f4': _D.FLOAT32, 'f8': _D.FLOAT64, 'i8': _D.INT64, 'i4': _D.INT32,
    'i2': _D.INT16, 'i1': _D.INT8, 'u1': _D.UINT8, 'b1': _D.BOOL,
}


class device:
    """Where a tensor lives: ``Lt.device('cpu')``, ``Lt.device('cuda:0')``."""

    __slots__ = ('type', 'index')

    def __init__(self, type: Any, index: Tensor | None = None) -> None:
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, Lt.Device):
            self.type = 'cuda' if type == Lt.Device.CUDA else 'cpu'
            self.index = index
            return
        if isinstance(type, numbers.Integral) and not isinstance(type, _bool):
            self.type, self.index = 'cuda', _int(type)
            return
        if not isinstance(type, str):
            raise TypeError_('device() expects a string such as "cpu" or "cuda:0"')
        name, sep, idx = type.partition(':')
        if name not in ('cpu', 'cuda'):
            raise RuntimeError_('Expected one of cpu, cuda device type at start of '
                               'device string: %s' % type)
        if sep:
            if index is not None:
                raise RuntimeError_('device string %r already names an index' % type)
            try:
                index = _int(idx)
            except ValueError:
                raise RuntimeError_('Invalid device string: %r' % type) from None
        self.type = name
        self.index = index

    @property
    def _lt(self):
        return Lt.Device.CUDA if self.type == 'cuda' else Lt.Device.CPU

    def __eq__(self, other):
        if isinstance(other, device):
            return self.type == other.type and self.index == other.index
        return NotImplemented

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else '%s:%d' % (self.type, self.index)

    def __repr__(self):
        if self.index is None:
            return "device(type='%s')" % self.type
        return "device(type='%s', index=%d)" % (self.type, self.index)


def _lt_device(d):
    if d is None:
        return None
    if isinstance(d, Lt.Device):
        return d
    return device(d)._lt


# The CUDA device that 'cuda' without an index means (torch.cuda.set_device)
_current_cuda = [0]


def _device_pair(d):
    """(Lt.Device, index) of a device-like: 'cuda' is the current CUDA
    device, 'cpu' has index 0."""
    if isinstance(d, Lt.Device):
        return d, (_current_cuda[0] if d == Lt.Device.CUDA else 0)
    d = device(d)
    if d.type == 'cpu':
        if d.index not in (None, 0, -1):
            raise RuntimeError_('Invalid device: the CPU device takes no index, got %s' % d)
        return Lt.Device.CPU, 0
    return Lt.Device.CUDA, (_current_cuda[0] if d.index is None else d.index)


def _to_device(t, d):
    """t on the device-like d (t itself when it is there)."""
    kind, index = _device_pair(d)
    if t.get_device() == kind and (kind == Lt.Device.CPU or t.get_device_index() == index):
        return t
    return Lt.Tensor.to_device_index(t, kind, index)


def _device_of(t):
    """The device of tensor t, with its index."""
    if t.get_device() == Lt.Device.CUDA:
        return device('cuda', t.get_device_index())
    return device('cpu')


# ---------------------------------------------------------------------------
# Lt.Size

class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``Lt.Size([5, 3])``."""

    def __new__(cls, sizes=()):
        return super().__new__(cls, (operator.index(s) for s in sizes))

    def __repr__(self):
        return 'Lt.Size([%s])' % ', '.join(str(s) for s in self)

    __str__ = __repr__

    def __getitem__(self, key: Any) -> Any:
        r = super().__getitem__(key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __reduce__(self):
        return (Size, (tuple(self),))



# ---------------------------------------------------------------------------
# Python values -> tensors

def _is_bool(v):
    if isinstance(v, _bool):
        return True
    np = loaded_numpy()
    return np is not None and isinstance(v, np.bool_)


def _is_number(v):
    return _is_bool(v) or (isinstance(v, numbers.Real) and not isinstance(v, _GITensor))


def _wrap_number(v):
    """A Python number as a 0-dim tensor that promotes like torch's wrapped
    numbers: ints with lt_scalar_int, floats with lt_scalar."""
    if _is_bool(v):
        return Lt.scalar_tensor(1.0 if v else 0.0, _D.BOOL)
    if isinstance(v, numbers.Integral):
        return Lt.scalar_int(_int(v))
    if isinstance(v, numbers.Real):
        return Lt.scalar(_float(v))
    return None



def _shape_args(args, name='size'):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Lt.Size(...))``."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = args[0]
    try:
        return [operator.index(a) for a in args]
    except TypeError:
        raise TypeError_('%s must be a sequence of integers, got %r'
                        % (name, tuple(args))) from None


def _size_and_dtype(args):
    """Creation arguments: sizes, then optionally a dtype (the introspected
    signature ``Lt.zeros([2, 3], Lt.DType.FLOAT32)``)."""
    args = list(args)
    dt = None
    if args and isinstance(args[-1], _D):
        dt = args.pop()
    return _shape_args(args), dt


def _flatten_data(data, name='tensor'):
    """Nested lists -> (flat values, shape, kind) where kind is the widest of
    'bool' < 'int' < 'float'."""
    np = loaded_numpy()

    def is_seq(v):
        if isinstance(v, (list, tuple)):
            return True
        if isinstance(v, _GITensor):
            return v.get_n_dims() > 0
        return np is not None and isinstance(v, np.ndarray) and v.ndim > 0

    shape = []
    probe = data
    while is_seq(probe):
        n = len(probe)
        shape.append(n)
        if n == 0:
            break
        probe = probe[0]
    flat = []
    kinds = set()

    def walk(v, depth):
        if depth == len(shape):
            if np is not None and isinstance(v, np.ndarray):
                v = v.item()
            if isinstance(v, _GITensor):
                if v.numel() != 1:
                    raise ValueError_('only one element tensors can be converted to '
                                     'Python scalars')
                dt = v.get_dtype()
                v = v.item()
                kinds.add('float' if dt in _FLOATING else
                          'bool' if dt == _D.BOOL else 'int')
                flat.append(v)
                return
            if _is_bool(v):
                kinds.add('bool')
                flat.append(_bool(v))
            elif isinstance(v, numbers.Integral):
                kinds.add('int')
                flat.append(_int(v))
            elif isinstance(v, numbers.Real):
                kinds.add('float')
                flat.append(_float(v))
            else:
                raise TypeError_("%s(): can't convert %s to a number"
                                % (name, builtins.type(v).__name__))
            return
        if not is_seq(v):
            raise ValueError_('%s(): expected a sequence at dimension %d (got %s)'
                             % (name, depth, builtins.type(v).__name__))
        if len(v) != shape[depth]:
            raise ValueError_('%s(): expected sequence of length %d at dim %d (got %d)'
                             % (name, shape[depth], depth, len(v)))
        for e in v:
            walk(e, depth + 1)

    walk(data, 0)
    kind = 'float' if 'float' in kinds else 'int' if 'int' in kinds else \
        'bool' if 'bool' in kinds else 'float'
    return flat, shape, kind


__all__ += ['Size', 'device']
