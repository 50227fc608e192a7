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
the tutorial's printed form, keyword arguments like torch's, and a numpy
bridge that shares memory both ways.  Module-level functions take torch's
signatures (``Lt.zeros(2, 3, dtype=Lt.float64)``) and still accept the
introspected ones (``Lt.zeros([2, 3], Lt.DType.FLOAT64)``).  Every function
of the C library stays reachable through the introspection module, and
errors from the library arrive as ``GLib.Error`` in the ``Lt.Error`` domain.
"""

import builtins
import collections
import functools
import numbers
import operator
import sys

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

Lt = get_introspection_module('Lt')

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


def _export(obj, name=None):
    __all__.append(name or obj.__name__)
    return obj


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
            raise TypeError('unknown dtype name %r' % d) from None
    np = sys.modules.get('numpy')
    if np is not None:
        try:
            return _NP_TO_DTYPE[np.dtype(d).str.lstrip('<>=|')]
        except (TypeError, KeyError):
            pass
    raise TypeError('expected an Lt.DType, got %r' % (d,))


_NP_TO_DTYPE = {
    'f4': _D.FLOAT32, 'f8': _D.FLOAT64, 'i8': _D.INT64, 'i4': _D.INT32,
    'i2': _D.INT16, 'i1': _D.INT8, 'u1': _D.UINT8, 'b1': _D.BOOL,
}


class device:
    """Where a tensor lives: ``Lt.device('cpu')``, ``Lt.device('cuda:0')``."""

    __slots__ = ('type', 'index')

    def __init__(self, type, index=None):
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
            raise TypeError('device() expects a string such as "cpu" or "cuda:0"')
        name, sep, idx = type.partition(':')
        if name not in ('cpu', 'cuda'):
            raise RuntimeError('Expected one of cpu, cuda device type at start of '
                               'device string: %s' % type)
        if sep:
            if index is not None:
                raise RuntimeError('device string %r already names an index' % type)
            try:
                index = _int(idx)
            except ValueError:
                raise RuntimeError('Invalid device string: %r' % type) from None
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


# ---------------------------------------------------------------------------
# Errors

def _error(code, message):
    return GLib.Error.new_literal(Lt.error_quark(), message, code)


# ---------------------------------------------------------------------------
# Lt.Size

class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``Lt.Size([5, 3])``."""

    def __new__(cls, sizes=()):
        return super().__new__(cls, (operator.index(s) for s in sizes))

    def __repr__(self):
        return 'Lt.Size([%s])' % ', '.join(str(s) for s in self)

    __str__ = __repr__

    def __getitem__(self, key):
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

    def numel(self):
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
    np = sys.modules.get('numpy')
    return np is not None and isinstance(v, np.bool_)


def _is_number(v):
    return _is_bool(v) or (isinstance(v, numbers.Real) and not isinstance(v, Tensor))


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


def _operand(v):
    """Tensor for a binary operator's other side, or None when it is not one
    (the operator then returns NotImplemented)."""
    if isinstance(v, _GITensor):
        return v
    if _is_number(v):
        return _wrap_number(v)
    np = sys.modules.get('numpy')
    if np is not None and isinstance(v, np.ndarray):
        return tensor(v)
    return None


def _as_tensor(v, name='argument'):
    t = _operand(v)
    if t is None:
        if isinstance(v, (list, tuple)):
            return tensor(v)
        raise TypeError('%s must be a Tensor or a number, not %s'
                        % (name, builtins.type(v).__name__))
    return t


def _index_tensor(v):
    if isinstance(v, _GITensor):
        return v
    return tensor(v, dtype=_D.INT64)


def _shape_args(args, name='size'):
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Lt.Size(...))``."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = args[0]
    try:
        return [operator.index(a) for a in args]
    except TypeError:
        raise TypeError('%s must be a sequence of integers, got %r'
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
    np = sys.modules.get('numpy')

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
                    raise ValueError('only one element tensors can be converted to '
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
                raise TypeError("%s(): can't convert %s to a number"
                                % (name, builtins.type(v).__name__))
            return
        if not is_seq(v):
            raise ValueError('%s(): expected a sequence at dimension %d (got %s)'
                             % (name, depth, builtins.type(v).__name__))
        if len(v) != shape[depth]:
            raise ValueError('%s(): expected sequence of length %d at dim %d (got %d)'
                             % (name, shape[depth], depth, len(v)))
        for e in v:
            walk(e, depth + 1)

    walk(data, 0)
    kind = 'float' if 'float' in kinds else 'int' if 'int' in kinds else \
        'bool' if 'bool' in kinds else 'float'
    return flat, shape, kind


# ---------------------------------------------------------------------------
# Gradient functions

@override
class GradFn(Lt.GradFn):
    """An autograd node, as torch's ``grad_fn``: ``name()``, ``next_functions``."""

    def name(self):
        return self.get_name()

    @property
    def next_functions(self):
        n = self.get_n_next_functions()
        return tuple(tuple(self.get_next_function(i)) for i in range(n))

    @property
    def variable(self):
        """The leaf tensor of an AccumulateGrad node."""
        return self.get_variable()

    def __repr__(self):
        return '<%s object at %#x>' % (self.get_name(), id(self))

    __str__ = __repr__


__all__.append('GradFn')


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


def _binary(name):
    gi_fn = getattr(_GITensor, name)

    def op(self, other):
        o = _operand(other)
        if o is None:
            return NotImplemented
        return gi_fn(self, o)

    def rop(self, other):
        o = _operand(other)
        if o is None:
            return NotImplemented
        return gi_fn(o, self)

    return op, rop


def _inplace(name):
    gi_fn = getattr(_GITensor, name + '_')

    def iop(self, other):
        o = _operand(other)
        if o is None:
            return NotImplemented
        gi_fn(self, o)
        return self

    return iop


def _method(name):
    """A torch-style method taking a tensor or a number."""
    gi_fn = getattr(_GITensor, name)

    def m(self, other):
        return gi_fn(self, _as_tensor(other, 'other'))

    m.__name__ = name
    return m


def _method_(name):
    gi_fn = getattr(_GITensor, name + '_')

    def m(self, other):
        gi_fn(self, _as_tensor(other, 'other'))
        return self

    m.__name__ = name + '_'
    return m


def _unary_(name):
    gi_fn = getattr(_GITensor, name + '_')

    def m(self):
        gi_fn(self)
        return self

    m.__name__ = name + '_'
    return m


def _to_dim_list(dim):
    if isinstance(dim, (list, tuple)):
        return [operator.index(d) for d in dim]
    return None


@override
class Tensor(Lt.Tensor):
    """A tensor, with torch's Python interface.

    ``Lt.Tensor(5, 3)`` makes an uninitialised 5x3 float32 tensor (as the
    tutorial's first line); ``Lt.Tensor([1, 2])`` makes one from data.
    """

    __array_priority__ = 1000

    def __new__(cls, *args, **kwargs):
        return _legacy_new(_D.FLOAT32, args, kwargs)

    def __init__(self, *args, **kwargs):
        # The tensor was made by __new__ (or by C); nothing to set up.
        pass

    # -- printing -----------------------------------------------------------

    def __repr__(self):
        return self.to_string()

    __str__ = __repr__

    def __format__(self, spec):
        if spec and self.numel() == 1:
            return format(self.item(), spec)
        return format(str(self), spec)

    # -- metadata -----------------------------------------------------------

    __hash__ = object.__hash__

    def size(self, dim=None):
        if dim is None:
            return Size(self.get_shape())
        return self.get_size(operator.index(dim))

    @property
    def shape(self):
        return Size(self.get_shape())

    @property
    def dtype(self):
        return self.get_dtype()

    @property
    def device(self):
        if self.get_device() == Lt.Device.CUDA:
            return device('cuda', 0)
        return device('cpu')

    @property
    def is_cuda(self):
        return self.get_device() == Lt.Device.CUDA

    @property
    def ndim(self):
        return self.get_n_dims()

    def dim(self):
        return self.get_n_dims()

    ndimension = dim

    def nelement(self):
        return self.numel()

    def element_size(self):
        return self.get_element_size()

    def stride(self, dim=None):
        strides = tuple(self.get_strides())
        if dim is None:
            return strides
        n = len(strides)
        dim = operator.index(dim)
        if not -n <= dim < _max(n, 1):
            raise _error(Lt.Error.INDEX, 'stride: dimension %d is out of range for a '
                         'tensor with %d dimensions' % (dim, n))
        return strides[dim]

    def storage_offset(self):
        return self.get_storage_offset()

    def data_ptr(self):
        return self.get_data_ptr()

    def type(self, dtype=None, non_blocking=False):
        if dtype is None:
            return self.get_type_name()
        return self.to(_dtype(dtype))

    def type_as(self, other):
        return self.to(other.get_dtype())

    # -- autograd state -----------------------------------------------------

    @property
    def requires_grad(self):
        return self.get_requires_grad()

    @requires_grad.setter
    def requires_grad(self, value):
        self.set_requires_grad(_bool(value))

    def requires_grad_(self, requires_grad=True):
        _GITensor.requires_grad_(self, _bool(requires_grad))
        return self

    @property
    def grad(self):
        return self.get_grad()

    @grad.setter
    def grad(self, value):
        self.set_grad(value)

    @grad.deleter
    def grad(self):
        self.set_grad(None)

    @property
    def grad_fn(self):
        return self.get_grad_fn()

    @property
    def is_leaf(self):
        return _GITensor.is_leaf(self)

    @property
    def retains_grad(self):
        return self.get_retains_grad()

    def retain_grad(self):
        _GITensor.retain_grad(self)

    @property
    def data(self):
        """The same data without autograd history (a detached alias)."""
        return self.detach()

    def backward(self, gradient=None, retain_graph=None, create_graph=False,
                 inputs=None):
        if create_graph:
            raise NotImplementedError('backward: create_graph (higher-order '
                                      'gradients) is not supported')
        if inputs is not None:
            raise NotImplementedError('backward: inputs= is not supported')
        if gradient is not None and not isinstance(gradient, _GITensor):
            gradient = tensor(gradient, dtype=self.get_dtype())
        _GITensor.backward(self, gradient, _bool(retain_graph))

    def register_hook(self, hook):
        hook_id = _GITensor.register_hook(self, hook)
        return _RemovableHandle(self, hook_id)

    def detach_(self):
        raise NotImplementedError('detach_: use detach(), which returns an alias')

    # -- conversions to Python ----------------------------------------------

    def item(self):
        dt = self.get_dtype()
        if dt in _FLOATING:
            return _GITensor.item(self)[1]
        v = _GITensor.item_int64(self)[1]
        return _bool(v) if dt == _D.BOOL else v

    def tolist(self):
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
            raise ValueError('only one element tensors can be converted to Python '
                             'scalars (%s of a tensor of shape %s)'
                             % (what, list(self.get_shape())))
        return self.item()

    def __float__(self):
        return _float(self._one_element('float()'))

    def __int__(self):
        return _int(self._one_element('int()'))

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError('Boolean value of Tensor with %s values is ambiguous'
                               % ('no' if self.numel() == 0 else 'more than one'))
        return _bool(self.item())

    def __index__(self):
        if self.get_dtype() in _FLOATING or self.numel() != 1:
            raise TypeError('only integer tensors of a single element can be '
                            'converted to an index')
        return _int(self.item())

    def __len__(self):
        if self.get_n_dims() == 0:
            raise TypeError('len() of a 0-d tensor')
        return self.get_shape()[0]

    def __iter__(self):
        if self.get_n_dims() == 0:
            raise TypeError('iteration over a 0-d tensor')
        return (self.select(0, i) for i in range(self.get_shape()[0]))

    def __contains__(self, element):
        o = _operand(element)
        if o is None:
            raise RuntimeError('Tensor.__contains__ only supports Tensor or scalar, '
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
            raise TypeError("can't convert %s device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first."
                            % self.device)
        if self.get_requires_grad():
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
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

    def numpy(self):
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

    def __invert__(self):
        if self.get_dtype() != _D.BOOL:
            raise _error(Lt.Error.DTYPE, 'bitwise_not: only bool tensors are supported, '
                         'not %s' % _DTYPE_NAME[self.get_dtype()])
        return self.logical_not()

    def _logical(self, other, fn, name):
        o = _operand(other)
        if o is None:
            return NotImplemented
        if self.get_dtype() != _D.BOOL or o.get_dtype() != _D.BOOL:
            raise _error(Lt.Error.DTYPE, '%s: only bool tensors are supported' % name)
        return fn(self, o)

    def __and__(self, other):
        return self._logical(other, _GITensor.logical_and, 'bitwise_and')

    def __or__(self, other):
        return self._logical(other, _GITensor.logical_or, 'bitwise_or')

    def __xor__(self, other):
        return self._logical(other, _GITensor.ne, 'bitwise_xor')

    __rand__ = __and__
    __ror__ = __or__
    __rxor__ = __xor__

    # -- arithmetic methods -------------------------------------------------

    def add(self, other, alpha=1, out=None):
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

    def add_(self, other, alpha=1):
        o = _as_tensor(other, 'other')
        if alpha != 1:
            _GITensor.add_scaled_(self, o, _float(alpha))
        else:
            _GITensor.add_(self, o)
        return self

    def sub(self, other, alpha=1):
        o = _as_tensor(other, 'other')
        if alpha != 1:
            return _GITensor.add_scaled(self, o, -_float(alpha))
        return _GITensor.sub(self, o)

    def sub_(self, other, alpha=1):
        o = _as_tensor(other, 'other')
        if alpha != 1:
            _GITensor.add_scaled_(self, o, -_float(alpha))
        else:
            _GITensor.sub_(self, o)
        return self

    subtract = sub

    def div(self, other, rounding_mode=None):
        o = _as_tensor(other, 'other')
        if rounding_mode is None:
            return _GITensor.div(self, o)
        if rounding_mode == 'floor':
            return _GITensor.floor_divide(self, o)
        raise NotImplementedError("div: rounding_mode=%r is not supported "
                                  "(None and 'floor' are)" % (rounding_mode,))

    def div_(self, other, rounding_mode=None):
        o = _as_tensor(other, 'other')
        if rounding_mode is None:
            _GITensor.div_(self, o)
        elif rounding_mode == 'floor':
            _GITensor.floor_divide_(self, o)
        else:
            raise NotImplementedError("div_: rounding_mode=%r is not supported"
                                      % (rounding_mode,))
        return self

    divide = true_divide = div
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

    def rsub(self, other, alpha=1):
        return _as_tensor(other, 'other').sub(self, alpha=alpha)

    for _name in ('neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos',
                  'tanh', 'sigmoid', 'relu'):
        locals()[_name + '_'] = _unary_(_name)
    del _name

    def negative(self):
        return _GITensor.neg(self)

    def absolute(self):
        return _GITensor.abs(self)

    def square(self):
        return _GITensor.mul(self, self)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, _GITensor) or isinstance(max, _GITensor):
            r = self
            if min is not None:
                r = r.maximum(min)
            if max is not None:
                r = r.minimum(max)
            return r
        return _GITensor.clamp(self, -_INF if min is None else _float(min),
                               _INF if max is None else _float(max))

    def clamp_(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("clamp_: at least one of 'min' or 'max' must not be None")
        _GITensor.clamp_(self, -_INF if min is None else _float(min),
                         _INF if max is None else _float(max))
        return self

    clip = clamp
    clip_ = clamp_

    def clamp_min(self, min):
        return self.clamp(min=min)

    def clamp_max(self, max):
        return self.clamp(max=max)

    def where(self, condition, other):
        return where(condition, self, other)

    def masked_fill(self, mask, value):
        return _GITensor.masked_fill(self, mask, _float(value))

    def masked_fill_(self, mask, value):
        _GITensor.masked_fill_(self, mask, _float(value))
        return self

    def logical_and(self, other):
        return _GITensor.logical_and(self, _as_tensor(other, 'other'))

    def logical_or(self, other):
        return _GITensor.logical_or(self, _as_tensor(other, 'other'))

    def equal(self, other):
        return equal(self, other)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return allclose(self, other, rtol, atol, equal_nan)

    # -- reductions ---------------------------------------------------------

    def sum(self, dim=None, keepdim=False, dtype=None):
        t = self if dtype is None else self.to(_dtype(dtype))
        if dim is None:
            r = _GITensor.sum(t)
            return r.view([1] * t.get_n_dims()) if keepdim else r
        dims = _to_dim_list(dim)
        if dims is not None:
            return _GITensor.sum_dims(t, dims, _bool(keepdim))
        return _GITensor.sum_dim(t, operator.index(dim), _bool(keepdim))

    def mean(self, dim=None, keepdim=False, dtype=None):
        t = self if dtype is None else self.to(_dtype(dtype))
        if dim is None:
            r = _GITensor.mean(t)
            return r.view([1] * t.get_n_dims()) if keepdim else r
        dims = _to_dim_list(dim)
        if dims is not None:
            return _GITensor.mean_dims(t, dims, _bool(keepdim))
        return _GITensor.mean_dim(t, operator.index(dim), _bool(keepdim))

    def max(self, dim=None, keepdim=False):
        if isinstance(dim, _GITensor):
            return _GITensor.maximum(self, dim)
        if dim is None:
            return _GITensor.max(self)
        values, indices = _GITensor.max_dim(self, operator.index(dim), _bool(keepdim))
        return _MaxResult(values, indices)

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, _GITensor):
            return _GITensor.minimum(self, dim)
        if dim is None:
            return _GITensor.min(self)
        values, indices = _GITensor.min_dim(self, operator.index(dim), _bool(keepdim))
        return _MinResult(values, indices)

    def amax(self, dim=None, keepdim=False):
        return self.max() if dim is None else self.max(dim, keepdim).values

    def amin(self, dim=None, keepdim=False):
        return self.min() if dim is None else self.min(dim, keepdim).values

    def argmax(self, dim=None, keepdim=False):
        if dim is None:
            return _GITensor.argmax(self)
        return _GITensor.argmax_dim(self, operator.index(dim), _bool(keepdim))

    def argmin(self, dim=None, keepdim=False):
        if dim is None:
            return _GITensor.argmin(self)
        return _GITensor.argmin_dim(self, operator.index(dim), _bool(keepdim))

    def var(self, dim=None, unbiased=True, keepdim=False):
        if isinstance(dim, _bool):          # var(unbiased), the C signature
            dim, unbiased = None, dim
        if dim is None:
            return _GITensor.var(self, _bool(unbiased))
        return _GITensor.var_dim(self, operator.index(dim), _bool(unbiased), _bool(keepdim))

    def std(self, dim=None, unbiased=True, keepdim=False):
        if isinstance(dim, _bool):
            dim, unbiased = None, dim
        if dim is None:
            return _GITensor.std(self, _bool(unbiased))
        return _GITensor.std_dim(self, operator.index(dim), _bool(unbiased), _bool(keepdim))

    def norm(self, p='fro', dim=None, keepdim=False):
        if p == 'fro' or p is None:
            p = 2.0
        elif isinstance(p, str):
            raise NotImplementedError('norm: p=%r is not supported' % p)
        if dim is None:
            return _GITensor.norm(self, _float(p))
        dims = _to_dim_list(dim)
        if dims is not None:
            if len(dims) != 1:
                raise NotImplementedError('norm: only one dimension at a time')
            dim = dims[0]
        return _GITensor.norm_dim(self, _float(p), operator.index(dim), _bool(keepdim))

    def all(self, dim=None, keepdim=False):
        if dim is None:
            return _GITensor.all(self)
        nz = _GITensor.ne(self, Lt.scalar_int(0)).to_dtype(_D.INT64)
        n = self.get_size(operator.index(dim))
        return _GITensor.eq(nz.sum(dim, keepdim), Lt.scalar_int(n))

    def any(self, dim=None, keepdim=False):
        if dim is None:
            return _GITensor.any(self)
        nz = _GITensor.ne(self, Lt.scalar_int(0)).to_dtype(_D.INT64)
        return _GITensor.gt(nz.sum(dim, keepdim), Lt.scalar_int(0))

    def softmax(self, dim, dtype=None):
        t = self if dtype is None else self.to(_dtype(dtype))
        return _GITensor.softmax(t, operator.index(dim))

    def log_softmax(self, dim, dtype=None):
        t = self if dtype is None else self.to(_dtype(dtype))
        return _GITensor.log_softmax(t, operator.index(dim))

    # -- linear algebra -----------------------------------------------------

    def addmm(self, mat1, mat2, beta=1, alpha=1):
        return _GITensor.addmm(self, mat1, mat2, _float(beta), _float(alpha))

    def dot(self, other):
        return _GITensor.mul(self, other).sum()

    def mv(self, vec):
        return _GITensor.matmul(self, vec)

    # -- shapes and views ---------------------------------------------------

    def view(self, *shape):
        return _GITensor.view(self, _shape_args(shape, 'shape'))

    def view_as(self, other):
        return _GITensor.view(self, other.get_shape())

    def reshape(self, *shape):
        return _GITensor.reshape(self, _shape_args(shape, 'shape'))

    def reshape_as(self, other):
        return _GITensor.reshape(self, other.get_shape())

    def flatten(self, start_dim=0, end_dim=-1):
        return _GITensor.flatten(self, start_dim, end_dim)

    def permute(self, *dims):
        return _GITensor.permute(self, _shape_args(dims, 'dims'))

    def t_(self):
        _GITensor.t_(self)
        return self

    @property
    def T(self):
        n = self.get_n_dims()
        if n <= 2:
            return self.t()
        return _GITensor.permute(self, list(range(n - 1, -1, -1)))

    def squeeze(self, dim=None):
        if dim is None:
            return _GITensor.squeeze(self)
        return _GITensor.squeeze_dim(self, operator.index(dim))

    def expand(self, *sizes):
        sizes = _shape_args(sizes)
        shape = self.get_shape()
        lead = len(sizes) - len(shape)
        sizes = [shape[i - lead] if s == -1 and i >= lead else s
                 for i, s in enumerate(sizes)]
        return _GITensor.expand(self, sizes)

    def repeat(self, *sizes):
        sizes = _shape_args(sizes)
        n = self.get_n_dims()
        if len(sizes) < n:
            raise _error(Lt.Error.SHAPE, 'repeat: %d repeats given for a tensor with %d '
                         'dimensions' % (len(sizes), n))
        shape = [1] * (len(sizes) - n) + list(self.get_shape())
        t = _GITensor.reshape(self, shape)
        inter, expd, final = [], [], []
        for r, s in zip(sizes, shape):
            inter += [1, s]
            expd += [r, s]
            final.append(r * s)
        t = _GITensor.reshape(t, inter)
        return _GITensor.reshape(_GITensor.expand(t, expd), final)

    def unbind(self, dim=0):
        return tuple(self.select(dim, i) for i in range(self.get_size(dim)))

    def split(self, split_size, dim=0):
        n = self.get_size(dim)
        if isinstance(split_size, (list, tuple)):
            out, start = [], 0
            for s in split_size:
                out.append(self.narrow(dim, start, s))
                start += s
            if start != n:
                raise _error(Lt.Error.SHAPE, 'split: the sizes add up to %d but the '
                             'dimension has %d' % (start, n))
            return tuple(out)
        split_size = operator.index(split_size)
        if split_size <= 0:
            raise _error(Lt.Error.INVALID_ARGUMENT, 'split: the size must be positive')
        return tuple(self.narrow(dim, s, _min(split_size, n - s))
                     for s in range(0, n, split_size))

    def chunk(self, chunks, dim=0):
        n = self.get_size(dim)
        size = -(-n // chunks) if chunks > 0 else 0
        return self.split(_max(size, 1), dim)

    # -- dtype and device ---------------------------------------------------

    def to(self, *args, **kwargs):
        dt = kwargs.pop('dtype', None)
        dev = kwargs.pop('device', None)
        copy = kwargs.pop('copy', False)
        kwargs.pop('non_blocking', None)
        if kwargs:
            raise TypeError('to() got unexpected keyword arguments %s' % list(kwargs))
        for a in args:
            if isinstance(a, _GITensor):
                dt, dev = a.get_dtype(), a.get_device()
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
        dev = _lt_device(dev)
        if dev is not None and dev != r.get_device():
            r = _GITensor.to_device(r, dev)
        dt = _dtype(dt)
        if dt is not None and dt != r.get_dtype():
            r = _GITensor.to_dtype(r, dt)
        if copy and r is self:
            r = _GITensor.clone(self)
        return r

    def cuda(self, device=None, non_blocking=False):
        return self.to('cuda')

    def cpu(self):
        return self.to('cpu')

    def float(self):
        return self.to(_D.FLOAT32)

    def double(self):
        return self.to(_D.FLOAT64)

    def long(self):
        return self.to(_D.INT64)

    def int(self):
        return self.to(_D.INT32)

    def short(self):
        return self.to(_D.INT16)

    def char(self):
        return self.to(_D.INT8)

    def byte(self):
        return self.to(_D.UINT8)

    def bool(self):
        return self.to(_D.BOOL)

    # -- copies and fills ---------------------------------------------------

    def copy_(self, src, non_blocking=False):
        _GITensor.copy_(self, _as_tensor(src, 'src'))
        return self

    def fill_(self, value):
        _GITensor.fill_(self, _float(value))
        return self

    def zero_(self):
        _GITensor.zero_(self)
        return self

    def new_empty(self, *size, dtype=None, requires_grad=False):
        return empty(*size, dtype=_dtype(dtype, self.get_dtype()),
                     device=self.get_device(), requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        return zeros(*size, dtype=_dtype(dtype, self.get_dtype()),
                     device=self.get_device(), requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        return ones(*size, dtype=_dtype(dtype, self.get_dtype()),
                    device=self.get_device(), requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False):
        return full(size, fill_value, dtype=_dtype(dtype, self.get_dtype()),
                    device=self.get_device(), requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad=False):
        return tensor(data, dtype=_dtype(dtype, self.get_dtype()),
                      device=self.get_device(), requires_grad=requires_grad)

    # -- indexing methods ---------------------------------------------------

    def index_select(self, dim, index):
        return _GITensor.index_select(self, operator.index(dim), _index_tensor(index))

    def index_add_(self, dim, index, source, alpha=1):
        if alpha != 1:
            source = source * alpha
        _GITensor.index_add_(self, operator.index(dim), _index_tensor(index), source)
        return self

    def gather(self, dim, index):
        return _GITensor.gather(self, operator.index(dim), _index_tensor(index))

    def scatter_add(self, dim, index, src):
        return _GITensor.scatter_add(self, operator.index(dim), _index_tensor(index), src)

    def scatter_add_(self, dim, index, src):
        _GITensor.scatter_add_(self, operator.index(dim), _index_tensor(index), src)
        return self

    def masked_select(self, mask):
        return _GITensor.masked_select(self, mask)

    def masked_scatter(self, mask, source):
        return _GITensor.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask, source):
        _GITensor.copy_(self, _GITensor.masked_scatter(self, mask, source))
        return self

    def one_hot(self, num_classes=-1):
        return _GITensor.one_hot(self, num_classes)

    # -- __getitem__ / __setitem__ ------------------------------------------

    def _index_basic(self, key):
        """Applies ints, slices, None and Ellipsis as views; returns the view
        and the advanced indices left, as (dim in the view, index tensor)."""
        if not isinstance(key, tuple):
            key = (key,)
        ndim = self.get_n_dims()
        items = []
        consumed = 0
        n_ellipsis = 0
        for k in key:
            if k is None or k is Ellipsis or _is_bool(k):
                if k is Ellipsis:
                    n_ellipsis += 1
                items.append(_bool(k) if _is_bool(k) else k)
                continue
            if isinstance(k, slice):
                items.append(k)
                consumed += 1
                continue
            if isinstance(k, numbers.Integral):
                items.append(_int(k))
                consumed += 1
                continue
            if not isinstance(k, _GITensor):
                try:
                    k = tensor(k)
                except (TypeError, ValueError):
                    raise IndexError('only integers, slices (`:`), ellipsis (`...`), '
                                     'None and long or bool tensors are valid indices '
                                     '(got %s)' % builtins.type(k).__name__) from None
                if k.numel() == 0:
                    k = k.to_dtype(_D.INT64)
            dt = k.get_dtype()
            if dt == _D.BOOL:
                items.append(('mask', k))
                consumed += _max(k.get_n_dims(), 0)
            elif dt in _FLOATING:
                raise IndexError('tensors used as indices must be long, int, byte or '
                                 'bool tensors (got %s)' % _DTYPE_NAME[dt])
            elif k.get_n_dims() == 0:
                items.append(_int(k.item()))
                consumed += 1
            else:
                items.append(('index', k))
                consumed += 1
        if n_ellipsis > 1:
            raise IndexError('an index can only have a single ellipsis (...)')
        if consumed > ndim:
            raise _error(Lt.Error.INDEX, 'index: too many indices for a tensor of '
                         'dimension %d' % ndim)

        t = self
        d = 0
        adv = []
        touched = False
        for k in items:
            if k is Ellipsis:
                d += ndim - consumed
            elif k is None or k is True:
                t = t.unsqueeze(d)
                d += 1
                touched = True
            elif k is False:
                t = _GITensor.slice(t.unsqueeze(d), d, 0, 0, 1)
                d += 1
                touched = True
            elif isinstance(k, _int):
                t = t.select(d, k)
                touched = True
            elif isinstance(k, slice):
                step = 1 if k.step is None else operator.index(k.step)
                if step <= 0:
                    raise ValueError('step must be greater than zero')
                size = t.get_shape()[d]
                start, stop, _ = k.indices(size)
                if (start, stop, step) != (0, size, 1):
                    t = _GITensor.slice(t, d, start, _max(stop, start), step)
                    touched = True
                d += 1
            elif k[0] == 'mask':
                adv.append((d, k[1]))
                d += k[1].get_n_dims()
            else:
                adv.append((d, k[1]))
                d += 1
        if not touched and not adv:
            # x[...], x[:]: a new alias of the same storage
            t = _GITensor.view(t, t.get_shape())
        return t, adv

    @staticmethod
    def _expand_masks(t, adv):
        """Bool masks -> one long index tensor per dimension they cover."""
        out = []
        for d, idx in adv:
            if idx.get_dtype() != _D.BOOL:
                out.append((d, idx))
                continue
            k = idx.get_n_dims()
            mshape = list(idx.get_shape())
            tshape = list(t.get_shape()[d:d + k])
            if mshape != tshape:
                raise _error(Lt.Error.SHAPE, 'index: the mask of shape %s does not match '
                             'the indexed shape %s at dimension %d' % (mshape, tshape, d))
            if k == 0:
                raise NotImplementedError('index: 0-dim bool masks are not supported')
            import numpy as np
            nz = np.nonzero(np.asarray(_GITensor.contiguous(idx.detach())))
            for j in range(k):
                out.append((d + j, from_numpy(np.ascontiguousarray(nz[j], dtype=np.int64))))
        return out

    @staticmethod
    def _broadcast_shape(shapes):
        n = _max(len(s) for s in shapes)
        out = []
        for i in range(n):
            sizes = {s[i - n + len(s)] for s in shapes if i - n + len(s) >= 0} - {1}
            if len(sizes) > 1:
                raise _error(Lt.Error.SHAPE, 'index: shape mismatch: indexing tensors '
                             'of shapes %s cannot be broadcast together'
                             % [list(s) for s in shapes])
            out.append(sizes.pop() if sizes else 1)
        return out

    def __getitem__(self, key):
        t, adv = self._index_basic(key)
        if not adv:
            return t
        if len(adv) == 1 and adv[0][0] == 0 and adv[0][1].get_dtype() == _D.BOOL:
            mask = adv[0][1]
            k = mask.get_n_dims()
            shape = list(t.get_shape())
            if list(mask.get_shape()) == shape[:k]:
                if k < len(shape):
                    m = _GITensor.view(mask, shape[:k] + [1] * (len(shape) - k))
                    return _GITensor.reshape(_GITensor.masked_select(t, m),
                                             [-1] + shape[k:])
                return _GITensor.masked_select(t, mask)
        adv = self._expand_masks(t, adv)
        shape = list(t.get_shape())
        if len(adv) == 1:
            d, idx = adv[0]
            if idx.get_dtype() != _D.INT64:
                idx = idx.to_dtype(_D.INT64)
            idx = where(_GITensor.lt(idx, Lt.scalar_int(0)),
                        _GITensor.add(idx, Lt.scalar_int(shape[d])), idx)
            r = _GITensor.index_select(t, d, _GITensor.reshape(idx, [-1]))
            ishape = list(idx.get_shape())
            if ishape != [r.get_shape()[d]]:
                r = _GITensor.reshape(r, shape[:d] + ishape + shape[d + 1:])
            return r
        dims = [d for d, _ in adv]
        bshape = self._broadcast_shape([list(i.get_shape()) for _, i in adv])
        others = [i for i in range(len(shape)) if i not in dims]
        linear = None
        stride = 1
        for d, idx in reversed(adv):
            n = shape[d]
            idx = idx.to_dtype(_D.INT64) if idx.get_dtype() != _D.INT64 else idx
            bad = _GITensor.logical_or(_GITensor.ge(idx, Lt.scalar_int(n)),
                                       _GITensor.lt(idx, Lt.scalar_int(-n)))
            if _GITensor.any(bad).item():
                raise _error(Lt.Error.INDEX, 'index: an index is out of range for '
                             'dimension %d of size %d' % (d, n))
            idx = where(_GITensor.lt(idx, Lt.scalar_int(0)),
                        _GITensor.add(idx, Lt.scalar_int(n)), idx)
            term = _GITensor.mul(idx, Lt.scalar_int(stride))
            linear = term if linear is None else _GITensor.add(linear, term)
            stride *= n
        linear = _GITensor.contiguous(_GITensor.expand(linear, bshape)) \
            if list(linear.get_shape()) != bshape else linear
        tp = _GITensor.permute(t, dims + others)
        tp = _GITensor.reshape(tp, [stride] + [shape[i] for i in others])
        r = _GITensor.index_select(tp, 0, _GITensor.reshape(linear, [-1]))
        r = _GITensor.reshape(r, bshape + [shape[i] for i in others])
        first = dims[0]
        if dims == list(range(first, first + len(dims))) and first > 0:
            nb = len(bshape)
            n_after = len(others) - first
            perm = [nb + i for i in range(first)] + list(range(nb)) + \
                [nb + first + j for j in range(n_after)]
            r = _GITensor.permute(r, perm)
        return r

    def __setitem__(self, key, value):
        t, adv = self._index_basic(key)
        if not adv:
            if isinstance(value, _GITensor):
                _GITensor.copy_(t, value)
            elif _is_number(value):
                _GITensor.fill_(t, _float(value))
            else:
                _GITensor.copy_(t, tensor(value, dtype=self.get_dtype()))
            return
        if len(adv) == 1 and adv[0][0] == 0 and adv[0][1].get_dtype() == _D.BOOL and \
                list(adv[0][1].get_shape()) == list(t.get_shape()):
            mask = adv[0][1]
            if _is_number(value):
                _GITensor.masked_fill_(t, mask, _float(value))
                return
            value = _as_tensor(value, 'value')
            if value.numel() == 1:
                _GITensor.masked_fill_(t, mask, _float(value.item()))
            else:
                _GITensor.copy_(t, _GITensor.masked_scatter(t, mask, value))
            return
        adv = self._expand_masks(t, adv)
        import numpy as np
        shape = list(t.get_shape())
        arrays = np.broadcast_arrays(*[np.asarray(_GITensor.contiguous(i.detach()))
                                       for _, i in adv])
        bshape = list(arrays[0].shape)
        dims = [d for d, _ in adv]
        first = dims[0]
        adjacent = dims == list(range(first, first + len(dims)))
        number = _is_number(value)
        if not number:
            value = _as_tensor(value, 'value')
            others = [shape[i] for i in range(len(shape)) if i not in dims]
            if adjacent:
                rshape = others[:first] + bshape + others[first:]
            else:
                rshape = bshape + others
            value = value.expand(rshape)
        order = sorted(range(len(dims)), key=lambda j: -dims[j])
        for pos in np.ndindex(*bshape):
            sub = t
            for j in order:
                sub = sub.select(dims[j], _int(arrays[j][pos]))
            if number:
                _GITensor.fill_(sub, _float(value))
            else:
                vkey = ((slice(None),) * first + pos) if adjacent else pos
                _GITensor.copy_(sub, value[vkey] if vkey else value)


def _rebuild_tensor(data, shape, dtype_name, requires_grad):
    t = _GITensor.new_from_data(data, shape, _DTYPE_BY_NAME[dtype_name])
    if requires_grad:
        t.set_requires_grad(True)
    return t


__all__.append('Tensor')

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
def tensor(data, dtype=None, device=None, requires_grad=False):
    """A tensor holding a copy of data (nested lists, numbers, an ndarray or a
    tensor): ints give int64, floats float32, bools bool."""
    dt = _dtype(dtype)
    if isinstance(data, _GITensor):
        t = _GITensor.clone(data.detach())
        if dt is not None and dt != t.get_dtype():
            t = t.to_dtype(dt)
        return _finish(t, device=device, requires_grad=requires_grad)
    np = sys.modules.get('numpy')
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
def as_tensor(data, dtype=None, device=None):
    """Like tensor(), but without copying when data already is a tensor or an
    ndarray of a supported type."""
    if dtype is None and device is None:
        if isinstance(data, _GITensor):
            return data
        np = sys.modules.get('numpy')
        if np is not None and isinstance(data, np.ndarray) and data.dtype.isnative and \
                data.dtype.str[1:] in _NP_TO_DTYPE and _all(s >= 0 for s in data.strides):
            return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def _legacy_new(dt, args, kwargs):
    """``Lt.Tensor(5, 3)`` (uninitialised), ``Lt.Tensor([1, 2])`` (data),
    ``Lt.FloatTensor(...)`` and friends."""
    device_ = kwargs.pop('device', None)
    if kwargs:
        raise TypeError('unexpected keyword arguments %s' % list(kwargs))
    np = sys.modules.get('numpy')
    if len(args) == 1 and not isinstance(args[0], Size) and \
            (isinstance(args[0], (list, tuple)) or
             (np is not None and isinstance(args[0], np.ndarray))):
        return tensor(args[0], dtype=dt, device=device_)
    if len(args) == 1 and isinstance(args[0], _GITensor):
        return args[0].to(dt)
    shape = _shape_args(args) if args else [0]
    return _finish(Lt.empty(shape, dt), device=device_)


def _legacy_type(dt):
    def new(*args, **kwargs):
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
    def create(*size, dtype=None, device=None, requires_grad=False, out=None):
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
def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    shape = _shape_args((size,))
    if isinstance(fill_value, _GITensor):
        fill_value = fill_value.item()
    dt = _dtype(dtype, _infer_dtype(fill_value))
    return _finish(Lt.full(shape, _float(fill_value), dt), device=device,
                   requires_grad=requires_grad)


@_export
def randint(*args, size=None, dtype=None, device=None, requires_grad=False):
    """randint(high, size), randint(low, high, size) as torch; also the C
    signature randint(low, high, shape, dtype)."""
    args = list(args)
    if args and isinstance(args[-1], _D):
        positional = args.pop()
        dtype = positional if dtype is None else dtype
    if size is None:
        if not args or not isinstance(args[-1], (list, tuple)):
            raise TypeError('randint() missing the size argument')
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError('randint() takes (high, size) or (low, high, size)')
    t = Lt.randint(operator.index(low), operator.index(high), _shape_args((size,)),
                   _dtype(dtype, _D.INT64))
    return _finish(t, device=device, requires_grad=requires_grad)


@_export
def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
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
def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    t = Lt.linspace(_float(start), _float(end), operator.index(steps),
                    _dtype(dtype, _D.FLOAT32))
    return _finish(t, device=device, requires_grad=requires_grad)


@_export
def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    t = Lt.eye(operator.index(n), operator.index(n if m is None else m),
               _dtype(dtype, _D.FLOAT32))
    return _finish(t, device=device, requires_grad=requires_grad)


def _like(gi_fn, name):
    def like(input, dtype=None, device=None, requires_grad=False):
        dt = _dtype(dtype)
        if dt is None or dt == input.get_dtype():
            t = gi_fn(input)
        else:
            t = globals()[name](list(input.get_shape()), dtype=dt)
        dev = device if device is not None else \
            (None if input.get_device() == t.get_device() else input.get_device())
        return _finish(t, device=dev, requires_grad=requires_grad)
    like.__name__ = name + '_like'
    return like


zeros_like = _export(_like(Lt.zeros_like, 'zeros'))
ones_like = _export(_like(Lt.ones_like, 'ones'))
empty_like = _export(_like(Lt.empty_like, 'empty'))
rand_like = _export(_like(Lt.rand_like, 'rand'))
randn_like = _export(_like(Lt.randn_like, 'randn'))


@_export
def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return full(list(input.get_shape()), fill_value,
                dtype=_dtype(dtype, input.get_dtype()),
                device=device if device is not None else input.get_device(),
                requires_grad=requires_grad)


# ---------------------------------------------------------------------------
# numpy bridge


class _ArrayKeeper:
    """The release callable given to lt_tensor_new_wrap(): holds the array
    until no tensor uses its memory."""

    __slots__ = ('array',)

    def __init__(self, array):
        self.array = array

    def __call__(self, *user_data):
        self.array = None


@_export
def from_numpy(ndarray):
    """A tensor sharing ndarray's memory: writes through either show in the
    other, and the array lives as long as any tensor uses it."""
    import numpy as np
    if not isinstance(ndarray, np.ndarray):
        raise TypeError('expected np.ndarray (got %s)' % builtins.type(ndarray).__name__)
    a = ndarray
    dt = _NP_TO_DTYPE.get(a.dtype.str[1:]) if a.dtype.isnative else None
    if dt is None:
        raise TypeError("can't convert np.ndarray of type %s. The only supported types "
                        "are: float64, float32, int64, int32, int16, int8, uint8, and bool."
                        % a.dtype)
    itemsize = a.itemsize
    if _any(s < 0 for s in a.strides):
        raise ValueError('At least one stride in the given numpy array is negative, and '
                         'tensors with negative strides are not currently supported. '
                         '(You can probably work around this by making a copy of your '
                         'array with array.copy().)')
    if _any(s % itemsize for s in a.strides):
        raise ValueError('given numpy array strides not a multiple of the element byte '
                         'size. Copy the numpy array to reallocate the memory.')
    if a.size == 0:
        n_bytes = 0
    else:
        n_bytes = (_sum((n - 1) * s for n, s in zip(a.shape, a.strides)) + 1) * itemsize
    ptr = a.__array_interface__['data'][0]
    if ptr == 0:
        ptr = _empty_data_ptr()
    strides = [s // itemsize for s in a.strides]
    return _GITensor.new_wrap(ptr, n_bytes, list(a.shape), strides, dt,
                              _ArrayKeeper(a), None)


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
    def fn(input, *args, out=None, **kwargs):
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
_EXPORTS['add'] = _fn_add
_EXPORTS['sub'] = _EXPORTS['subtract'] = _fn_sub
_EXPORTS['multiply'] = _EXPORTS['mul']
_EXPORTS['divide'] = _EXPORTS['div']

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
def where(condition, input, other):
    """Elements of input where condition holds, of other elsewhere; either may be
    a number."""
    return Lt.where(condition, _as_tensor(input, 'input'), _as_tensor(other, 'other'))


@_export
def cat(tensors, dim=0, out=None):
    r = Lt.cat(list(tensors), operator.index(dim))
    if out is not None:
        out.copy_(r)
        return out
    return r


concat = _export(cat, 'concat')


@_export
def stack(tensors, dim=0, out=None):
    r = Lt.stack(list(tensors), operator.index(dim))
    if out is not None:
        out.copy_(r)
        return out
    return r


@_export
def is_tensor(obj):
    return isinstance(obj, _GITensor)


@_export
def equal(input, other):
    """True when both tensors have the same shape and the same elements."""
    if list(input.get_shape()) != list(other.get_shape()):
        return False
    return _bool(_GITensor.eq(input, other).all().item())


@_export
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    other = _as_tensor(other, 'other')
    a = input.detach().double()
    b = other.detach().double()
    diff = (a - b).abs()
    ok = diff <= (b.abs() * rtol + atol)
    if equal_nan:
        ok = ok.logical_or(_GITensor.logical_and(a.ne(a), b.ne(b)))
    return _bool(ok.all().item())


@_export
def manual_seed(seed):
    """Seeds the generator (Philox): the same stream on every device and for
    every thread count."""
    Lt.manual_seed(operator.index(seed) & 0xFFFFFFFFFFFFFFFF)


@_export
def get_default_dtype():
    return _D.FLOAT32


@_export
def set_num_threads(n):
    Lt.set_num_threads(operator.index(n))


@_export
def get_num_threads():
    return Lt.get_num_threads()


# ---------------------------------------------------------------------------
# Gradient mode


class _GradMode:
    _mode = None

    def __enter__(self):
        self._prev = Lt.set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        Lt.set_grad_enabled(self._prev)
        return False

    def __call__(self, func):
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = Lt.set_grad_enabled(mode)
            try:
                return func(*args, **kwargs)
            finally:
                Lt.set_grad_enabled(prev)
        return wrapper


class no_grad(_GradMode):
    """``with Lt.no_grad():`` or ``@Lt.no_grad()``: operations record no
    autograd history (lt_set_grad_enabled)."""

    _mode = False

    def __new__(cls, func=None, *user_data):
        if func is not None and user_data:
            # the C signature lt_no_grad(func, user_data): run func now
            with no_grad():
                func(*user_data)
            return None
        self = super().__new__(cls)
        if func is not None:
            return self(func)
        return self


class enable_grad(_GradMode):
    """``with Lt.enable_grad():`` records history again inside a no_grad block."""

    _mode = True

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None:
            return self(func)
        return self


class set_grad_enabled(_GradMode):
    """Sets grad mode now; as a context manager, restores it on exit."""

    def __init__(self, mode):
        self._mode = _bool(mode)
        self._prev = Lt.set_grad_enabled(self._mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        Lt.set_grad_enabled(self._prev)
        return False


inference_mode = no_grad
__all__ += ['no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode']


@_export
def is_grad_enabled():
    return Lt.is_grad_enabled()


# ---------------------------------------------------------------------------
# Namespaces


class _Namespace:
    def __init__(self, name, **members):
        self.__name__ = name
        self.__dict__.update(members)

    def __repr__(self):
        return '<namespace %s>' % self.__name__


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


cuda = _Namespace(
    'Lt.cuda',
    is_available=_cuda_is_available,
    device_count=lambda: 1 if _cuda_is_available() else 0,
    current_device=lambda: 0,
    manual_seed=manual_seed,
    manual_seed_all=manual_seed,
    synchronize=lambda device=None: None,
)


def _variable(data, requires_grad=False, volatile=False):
    """The tutorial's ``Variable(t, requires_grad=True)``: a tensor is its own
    Variable; this sets requires_grad on a detached alias."""
    t = data.detach()
    if requires_grad:
        t.set_requires_grad(True)
    return t


def _autograd_backward(tensors, grad_tensors=None, retain_graph=None):
    if isinstance(tensors, _GITensor):
        tensors = [tensors]
        grad_tensors = [grad_tensors]
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    for t, g in zip(tensors, grad_tensors):
        t.backward(g, retain_graph=retain_graph)


def _gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """torch.autograd.gradcheck: finite differences in float64 against the
    analytic gradient of func(*inputs) (lt_gradcheck)."""
    if isinstance(inputs, _GITensor):
        inputs = (inputs,)
    return Lt.gradcheck(lambda tensors, *user_data: func(*tensors), None, list(inputs),
                        _float(eps), _float(atol), _float(rtol))


autograd = _Namespace(
    'Lt.autograd',
    Variable=_variable,
    backward=_autograd_backward,
    gradcheck=_gradcheck,
    no_grad=no_grad,
    enable_grad=enable_grad,
    set_grad_enabled=set_grad_enabled,
)

__all__ += ['Size', 'device', 'cuda', 'autograd']
from . import lt_nn as _lt_nn  # noqa: E402,F401 - attaches Lt.nn (nn, nn.functional, nn.init)
from . import lt_optim as _lt_optim  # noqa: E402,F401 - attaches Lt.optim (optimizers, lr_scheduler)
from . import lt_data as _lt_data  # noqa: E402,F401 - attaches Lt.utils, Lt.transforms, Lt.datasets
