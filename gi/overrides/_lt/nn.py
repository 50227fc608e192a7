# SPDX-License-Identifier: LGPL-2.1-or-later
"""``Lt.nn``: torch.nn for libtensor, on the C modules (LtModule and its layers).

Part of gi/overrides/Lt.py, which exports its ``nn`` as ``Lt.nn`` (with
``Lt.nn.functional`` and ``Lt.nn.init``)::

    from gi.repository import Lt as torch
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.fc1 = nn.Linear(6 * 14 * 14, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            return self.fc1(x.view(-1, 6 * 14 * 14))

A Python subclass of ``nn.Module`` is a GObject subclass of LtModule: its
``forward`` is the C class's forward virtual method, so C code (an
LtSequential holding it, lt_module_forward()) calls it too.  Attributes that
are modules or parameters are registered with the C module in assignment
order, which gives PyTorch's parameter names, ``print(net)`` text and
state_dict keys.  An exception raised in a Python forward reaches C as a
GError ("ValueError: ..." in the Lt.Error domain, code FAILED); ``net(x)``
raises it as GLib.Error with the original exception as its ``__cause__``.
"""

from __future__ import annotations

import collections
import collections.abc
import numbers
import operator
import threading
import warnings
from typing import Any, Callable, Iterator, Mapping

from gi.repository import GLib

from .common import (DeviceLike, DTypeLike, IntPair, Lt, Tensor, TensorLike, carry, error,
                     namespace, override, take_carried)
from .common import crosses_c
from .common import IndexError_, NotImplementedError_, TypeError_, ValueError_
from .creation import _as_tensor, as_tensor, empty
from .types import _device_of, _device_pair, _dtype, device

_GITensor = Lt.Tensor
_GIModule = Lt.Module
_gi_forward = Lt.Module.forward
_gi_register_parameter = Lt.Module.register_parameter
_gi_register_buffer = Lt.Module.register_buffer
_gi_register_module = Lt.Module.register_module
_gi_train = Lt.Module.train
_gi_zero_grad = Lt.Module.zero_grad
_gi_state_dict = Lt.Module.state_dict
_gi_load_state_dict = Lt.Module.load_state_dict


def _pair(v, name):
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            v = (v[0], v[0])
        if len(v) != 2:
            raise ValueError_('%s must be an int or a pair of ints, got %r' % (name, v))
        return [operator.index(v[0]), operator.index(v[1])]
    v = operator.index(v)
    return [v, v]


def _int_or_pair(v, name):
    """A size as given: [k] for an int (printed as an int), [a, b] for a
    tuple (printed as a tuple), [] for None."""
    if v is None:
        return []
    if isinstance(v, (tuple, list)):
        if len(v) not in (1, 2):
            raise ValueError_('%s must be an int or a pair of ints, got %r' % (name, v))
        if len(v) == 1:
            return [operator.index(v[0])] * 2
        return [operator.index(x) for x in v]
    return [operator.index(v)]


_REDUCTIONS = {'mean': Lt.Reduction.MEAN, 'sum': Lt.Reduction.SUM,
               'none': Lt.Reduction.NONE} if hasattr(Lt, 'Reduction') else {}


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        # torch's legacy arguments
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = 'none' if not reduce else ('mean' if size_average else 'sum')
    try:
        return _REDUCTIONS[reduction]
    except KeyError:
        raise ValueError_('%s is not a valid value for reduction' % (reduction,)) from None


def _tensor_type_name(v):
    if isinstance(v, _GITensor):
        return 'Lt.' + v.get_type_name().rsplit('.', 1)[-1]
    return type(v).__name__


# ---------------------------------------------------------------------------
# Parameter


class _ParameterMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _GITensor) and obj.get_is_parameter()


class Parameter(metaclass=_ParameterMeta):
    """``nn.Parameter(t)``: a leaf tensor sharing t's memory, marked as a
    module parameter and requiring grad; assigning it to a module attribute
    registers it.  ``isinstance(x, nn.Parameter)`` tells parameters apart."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if not isinstance(data, _GITensor):
            raise TypeError_('Parameter: expected a tensor, got %s' % type(data).__name__)
        p = data.detach()
        p.set_is_parameter(True)
        if requires_grad:
            p.set_requires_grad(True)
        return p


# ---------------------------------------------------------------------------
# Module

# The forward call state of the current thread: which module's __call__ may
# get a non-tensor result back, the results passed around C, the exception
# being carried through C as a GError.
_tls = threading.local()
_MISSING = object()


def _state():
    st = _tls.__dict__
    if 'depth' not in st:
        _tls.depth = 0
        _tls.want_any = None
        _tls.result = _MISSING
        _tls.pending = None
    return _tls


def _module_name(module):
    try:
        return module.get_type_name()
    except Exception:
        return type(module).__name__


def _carry(module, exc):
    """A Python exception raised in forward, as the GLib.Error that carries
    it through C; the exception is kept to be chained or re-raised."""
    _state().pending = exc
    # remembered too, for a caller on another thread (the trainer's run())
    return carry('%s.forward' % _module_name(module), exc)


def _call_forward(fn, self, input):
    st = _state()
    want_any = st.want_any is self
    st.want_any = None
    try:
        out = fn(self, input)
    except GLib.Error as e:
        if crosses_c(e):
            raise
        raise _carry(self, e) from None
    except BaseException as e:  # noqa: B902 - everything must cross C as a GError
        raise _carry(self, e) from None
    if isinstance(out, _GITensor):
        return out
    if want_any:
        st.result = out
        return input
    raise error('%s.forward returned %s, not a tensor'
                 % (_module_name(self), type(out).__name__))


def _do_forward(self, input):
    return _call_forward(lambda s, x: s.forward(x), self, input)


def _wrap_do_forward(user_fn):
    def do_forward(self, input):
        return _call_forward(user_fn, self, input)
    do_forward.__name__ = 'do_forward'
    do_forward.__doc__ = user_fn.__doc__
    return do_forward


def _do_extra_repr(self):
    try:
        text = self.extra_repr()
    except Exception as e:
        return '<extra_repr raised %s: %s>' % (type(e).__name__, e)
    return str(text) if text else ''


_IncompatibleKeysBase = collections.namedtuple('IncompatibleKeys',
                                               ['missing_keys', 'unexpected_keys'])


class _IncompatibleKeys(_IncompatibleKeysBase):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


def _is_module(v):
    return isinstance(v, _GIModule)


@override
class Module(Lt.Module):
    """The base class of networks, as ``torch.nn.Module``.

    Subclass it, call ``super().__init__()``, assign layers and
    ``nn.Parameter`` objects to attributes, and write ``forward``.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith('gi.overrides.'):
            return              # the layers of this file keep their C methods
        # The forward virtual method of the new GType: PyGObject hooks up
        # do_* methods found in the class's own dict.
        if 'do_forward' in cls.__dict__:
            cls.do_forward = _wrap_do_forward(cls.__dict__['do_forward'])
        elif 'forward' in cls.__dict__:
            cls.do_forward = _do_forward
        if 'extra_repr' in cls.__dict__ and 'do_extra_repr' not in cls.__dict__:
            cls.do_extra_repr = _do_extra_repr

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    # -- calling --------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) != 1 or kwargs or not isinstance(args[0], _GITensor):
            # Several inputs: Python only (the C method takes one tensor).
            return self.forward(*args, **kwargs)
        x = args[0]
        st = _state()
        if st.depth == 0:
            st.pending = None   # left by an exception some forward caught
        st.depth += 1
        st.want_any = self
        pending = None
        try:
            out = _gi_forward(self, x)
        except GLib.Error as err:
            pending = st.pending
            if st.depth == 1:
                st.pending = None
            if pending is None:
                raise
            take_carried(err)       # raised here, not by another thread
        finally:
            st.depth -= 1
            st.want_any = None
        if pending is not None:
            # The forward's own exception, that same object, raised outside
            # the except clause so that the carrier is not its context.
            raise pending from pending.__cause__
        result, st.result = st.result, _MISSING
        if result is not _MISSING and out is x:
            return result
        return out

    # -- attributes -------------------------------------------------------------

    def _own_names(self):
        try:
            params = self.get_parameter_names()
            buffers = self.get_buffer_names()
            children = [self.get_child_at(i)[1] for i in range(self.get_n_children())]
        except (TypeError, RuntimeError):     # not initialised yet
            return (), (), ()
        return params, buffers, children

    def __setattr__(self, name, value):
        if _is_module(value) or isinstance(value, Parameter):
            self.__dict__.pop(name, None)
            params, buffers, children = self._own_names()
            if _is_module(value):
                if name in params or name in buffers:
                    self.remove(name)
                try:
                    _gi_register_module(self, name, value)
                except (TypeError, RuntimeError):
                    raise AttributeError('cannot assign module before Module.__init__() call') \
                        from None
            else:
                if name in children or name in buffers:
                    self.remove(name)
                rg = value.requires_grad
                try:
                    _gi_register_parameter(self, name, value)
                except (TypeError, RuntimeError):
                    raise AttributeError('cannot assign parameters before Module.__init__() '
                                         'call') from None
                if not rg:      # nn.Parameter(t, requires_grad=False) stays frozen
                    value.requires_grad_(False)
            return
        params, buffers, children = self._own_names()
        if name in params:
            if value is not None:
                raise TypeError_("cannot assign '%s' as parameter '%s' (Lt.nn.Parameter or None "
                                "expected)" % (_tensor_type_name(value), name))
            _gi_register_parameter(self, name, None)
            return
        if name in children:
            if value is not None:
                raise TypeError_("cannot assign '%s' as child module '%s' (Lt.nn.Module or None "
                                "expected)" % (_tensor_type_name(value), name))
            self.remove(name)
        elif name in buffers:
            if value is not None and not isinstance(value, _GITensor):
                raise TypeError_("cannot assign '%s' as buffer '%s' (Lt.Tensor or None expected)"
                                % (_tensor_type_name(value), name))
            _gi_register_buffer(self, name, value)
            return
        super().__setattr__(name, value)

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        try:
            child = self.get_child(name) if '.' not in name else None
        except (TypeError, RuntimeError):
            raise AttributeError("'%s' object has no attribute '%s'"
                                 % (type(self).__name__, name)) from None
        if child is not None:
            return child
        p = self.get_parameter(name)
        if p is not None:
            return p
        b = self.get_buffer(name)
        if b is not None:
            return b
        params, buffers, _ = self._own_names()
        if name in params or name in buffers:
            return None
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    def __delattr__(self, name):
        if name not in self.__dict__ and self.remove(name):
            return
        super().__delattr__(name)

    def __dir__(self):
        params, buffers, children = self._own_names()
        return sorted(set(super().__dir__()) | set(params) | set(buffers) | set(children))

    # -- printing ---------------------------------------------------------------

    def __repr__(self):
        return self.to_string()

    __str__ = __repr__

    def _get_name(self):
        return self.get_type_name()

    def extra_repr(self) -> str:
        """The text between the parentheses of the printed form (PyTorch's
        extra_repr); override it in a subclass to print settings."""
        if type(self).__module__ == __name__ and self.get_n_children() == 0:
            text = self.to_string()
            return text[len(self.get_type_name()) + 1:-1]
        return ''

    # -- registration -----------------------------------------------------------

    def register_parameter(self, name: str, param: Tensor | None) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError_("cannot assign '%s' object to parameter '%s' (Lt.nn.Parameter or "
                            "None required)" % (_tensor_type_name(param), name))
        rg = param is not None and param.requires_grad
        _gi_register_parameter(self, name, param)
        if param is not None and not rg:
            param.requires_grad_(False)

    def register_buffer(self, name: str, tensor: Tensor, persistent: bool = True) -> None:
        if not persistent:
            raise NotImplementedError_('register_buffer: non-persistent buffers are not supported')
        if tensor is not None and not isinstance(tensor, _GITensor):
            raise TypeError_("cannot assign '%s' object to buffer '%s' (Lt.Tensor or None "
                            "required)" % (type(tensor).__name__, name))
        self.__dict__.pop(name, None)
        _gi_register_buffer(self, name, tensor)

    def add_module(self, name: str, module: Any) -> None:
        if module is not None and not _is_module(module):
            raise TypeError_('%s is not a Module subclass' % type(module).__name__)
        self.__dict__.pop(name, None)
        _gi_register_module(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        if target == '':
            return self
        m = self.get_child(target)
        if m is None:
            raise AttributeError('%s has no submodule %r' % (self._get_name(), target))
        return m

    # -- iteration --------------------------------------------------------------

    def named_parameters(self, prefix: str = '', recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        prefix = prefix + '.' if prefix else ''
        if recurse:
            sd = Lt.Module.named_parameters(self)
            for i in range(sd.get_n_tensors()):
                yield prefix + sd.get_name(i), sd.get_tensor(i)
        else:
            for name in self.get_parameter_names():
                p = self.get_parameter(name)
                if p is not None:
                    yield prefix + name, p

    def parameters(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = '', recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        prefix = prefix + '.' if prefix else ''
        if recurse:
            sd = Lt.Module.named_buffers(self)
            for i in range(sd.get_n_tensors()):
                yield prefix + sd.get_name(i), sd.get_tensor(i)
        else:
            for name in self.get_buffer_names():
                b = self.get_buffer(name)
                if b is not None:
                    yield prefix + name, b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for i in range(self.get_n_children()):
            child, name = self.get_child_at(i)
            yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def named_modules(self, memo: Any = None, prefix: str = '',
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(memo, prefix + ('.' if prefix else '') + name,
                                           remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def __hash__(self):
        return object.__hash__(self)

    # -- state ----------------------------------------------------------------

    def zero_grad(self, set_to_none: bool = False) -> None:
        _gi_zero_grad(self, set_to_none)

    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise ValueError_('training mode is expected to be boolean')
        _gi_train(self, mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    @property
    def training(self) -> bool:
        return self.get_property('training')

    @training.setter
    def training(self, value: bool) -> None:
        self.set_property('training', bool(value))

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn: Callable[..., Any]) -> Module:
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        dev = kwargs.pop('device', None)
        dt = kwargs.pop('dtype', None)
        kwargs.pop('non_blocking', None)
        if kwargs:
            raise TypeError_('to() got unexpected keyword arguments %s' % list(kwargs))
        for a in args:
            if isinstance(a, _GITensor):
                dev, dt = _device_of(a), a.get_dtype()
            elif isinstance(a, (Lt.Device, device)) or (
                    isinstance(a, str) and a.partition(':')[0] in ('cpu', 'cuda')):
                dev = a
            elif isinstance(a, bool):
                pass
            else:
                dt = a
        if dev is not None:
            Lt.Module.to_device_index(self, *_device_pair(dev))
        if dt is not None:
            self._to_dtype(_dtype(dt))
        return self

    def cuda(self, device: DeviceLike | None = None) -> Module:
        if device is None:
            return self.to('cuda')
        return self.to(device if not isinstance(device, int) else 'cuda:%d' % device)

    def cpu(self) -> Module:
        return self.to('cpu')

    def _to_dtype(self, dt):
        if dt not in (Lt.DType.FLOAT32, Lt.DType.FLOAT64):
            raise TypeError_('nn.Module.to only accepts floating point dtypes, but got %r' % dt)
        for m in self.modules():
            for name in m.get_parameter_names():
                p = m.get_parameter(name)
                if p is not None and p.get_dtype() != dt:
                    q = Parameter(p.detach().to(dtype=dt), requires_grad=p.requires_grad)
                    _gi_register_parameter(m, name, q)
            for name in m.get_buffer_names():
                b = m.get_buffer(name)
                if b is not None and b.is_floating_point() and b.get_dtype() != dt:
                    _gi_register_buffer(m, name, b.to(dtype=dt))
        return self

    def float(self) -> Module:
        return self._to_dtype(Lt.DType.FLOAT32)

    def double(self) -> Module:
        return self._to_dtype(Lt.DType.FLOAT64)

    def state_dict(self, destination: Any = None, prefix: str = '',
                   keep_vars: bool = False) -> collections.OrderedDict[str, Tensor]:
        if destination is None:
            destination = collections.OrderedDict()
        sd = _gi_state_dict(self)
        for i in range(sd.get_n_tensors()):
            t = sd.get_tensor(i)
            destination[prefix + sd.get_name(i)] = t if keep_vars else t.detach()
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> Any:
        if isinstance(state_dict, Lt.StateDict):
            sd = state_dict
        else:
            sd = Lt.StateDict.new()
            for name, t in state_dict.items():
                if not isinstance(t, _GITensor):
                    t = as_tensor(t)
                sd.insert(name, t)
        r = _gi_load_state_dict(self, sd, strict)
        if isinstance(r, tuple) and len(r) == 3:
            r = r[1:]
        missing, unexpected = r
        return _IncompatibleKeys(list(missing or []), list(unexpected or []))

    def num_parameters(self, trainable_only: bool = False) -> int:
        return self.count_parameters(trainable_only)


def _module_base(gi_class):
    """Lt.<Layer>: the introspected class, whose parent is the Module
    override above (introspected classes find their parent through the
    override module)."""
    assert issubclass(gi_class, Module), gi_class
    return gi_class


# ---------------------------------------------------------------------------
# Layers


def _device_dtype(m, device, dtype):
    if dtype is not None:
        m._to_dtype(_dtype(dtype))
    if device is not None:
        m.to(device)
    return m


@override
class Linear(_module_base(Lt.Linear)):
    """``nn.Linear(in_features, out_features, bias=True)``: y = x W^T + b."""

    def __new__(cls, in_features, out_features, bias=True, device=None, dtype=None):
        m = Lt.Linear.new(operator.index(in_features), operator.index(out_features), bool(bias))
        return _device_dtype(m, device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    in_features = property(lambda self: self.get_in_features())
    out_features = property(lambda self: self.get_out_features())


@override
class Conv2d(_module_base(Lt.Conv2d)):
    """``nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    dilation=1, groups=1, bias=True)``; sizes are ints or pairs."""

    def __new__(cls, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        from .nn_conv import _padding_args, _set_padding
        padding, pstr = _padding_args('Conv2d', padding_mode, padding, stride, 2)
        m = Lt.Conv2d.new(operator.index(in_channels), operator.index(out_channels),
                          _pair(kernel_size, 'kernel_size'), _pair(stride, 'stride'),
                          _pair(padding, 'padding'), _pair(dilation, 'dilation'),
                          operator.index(groups), bool(bias))
        return _device_dtype(_set_padding(m, padding_mode, pstr), device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    in_channels = property(lambda self: self.get_in_channels())
    out_channels = property(lambda self: self.get_out_channels())
    kernel_size = property(lambda self: tuple(self.get_kernel_size()))
    stride = property(lambda self: tuple(self.get_stride()))
    padding = property(lambda self: tuple(self.get_padding()))
    dilation = property(lambda self: tuple(self.get_dilation()))
    groups = property(lambda self: self.get_groups())
    padding_mode = property(lambda self: Lt.conv_get_padding_mode(self))


@override
class MaxPool2d(_module_base(Lt.MaxPool2d)):
    """``nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1,
    ceil_mode=False)``; sizes are ints or pairs and print as given."""

    def __new__(cls, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                ceil_mode=False):
        if return_indices:
            raise NotImplementedError_('MaxPool2d: return_indices=True is not supported; use '
                                      'Lt.nn.functional.max_pool2d(..., return_indices=True)')
        return Lt.MaxPool2d.new(_int_or_pair(kernel_size, 'kernel_size'),
                                _int_or_pair(stride, 'stride'),
                                _int_or_pair(padding, 'padding'),
                                _int_or_pair(dilation, 'dilation'), bool(ceil_mode))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class AvgPool2d(_module_base(Lt.AvgPool2d)):
    """``nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)``."""

    def __new__(cls, kernel_size, stride=None, padding=0, ceil_mode=False,
                count_include_pad=True, divisor_override=None):
        return Lt.AvgPool2d.new(_int_or_pair(kernel_size, 'kernel_size'),
                                _int_or_pair(stride, 'stride'),
                                _int_or_pair(padding, 'padding'), bool(ceil_mode),
                                bool(count_include_pad),
                                0 if divisor_override is None else
                                operator.index(divisor_override))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


def _adaptive_size(output_size):
    """output_size as the C layer takes it: -1 for None (the input's size);
    a negative size is refused, as torch does."""
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise ValueError_('output_size must be an int or a pair, got %r' % (output_size,))
        sizes = [-1 if v is None else operator.index(v) for v in output_size]
        given = [v for v in output_size if v is not None]
    else:
        sizes = [-1 if output_size is None else operator.index(output_size)]
        given = [] if output_size is None else [output_size]
    if any(operator.index(v) < 0 for v in given):
        raise error('adaptive_avg_pool2d: the output size %r must not be negative (None keeps '
                    'the input\'s size)' % (output_size,), Lt.Error.INVALID_ARGUMENT)
    return sizes


@override
class AdaptiveAvgPool2d(_module_base(Lt.AdaptiveAvgPool2d)):
    """``nn.AdaptiveAvgPool2d(output_size)``: an int, a pair, None keeps the
    input's size."""

    def __new__(cls, output_size):
        return Lt.AdaptiveAvgPool2d.new(_adaptive_size(output_size))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class ReLU(_module_base(Lt.ReLU)):
    """``nn.ReLU(inplace=False)``."""

    def __new__(cls, inplace=False):
        return Lt.ReLU.new(bool(inplace))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    inplace = property(lambda self: self.get_inplace())


@override
class LeakyReLU(_module_base(Lt.LeakyReLU)):
    """``nn.LeakyReLU(negative_slope=0.01, inplace=False)``."""

    def __new__(cls, negative_slope=0.01, inplace=False):
        return Lt.LeakyReLU.new(float(negative_slope), bool(inplace))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    negative_slope = property(lambda self: self.get_negative_slope())
    inplace = property(lambda self: self.get_inplace())


@override
class Sigmoid(_module_base(Lt.Sigmoid)):
    """``nn.Sigmoid()``."""

    def __new__(cls):
        return Lt.Sigmoid.new()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class Tanh(_module_base(Lt.Tanh)):
    """``nn.Tanh()``."""

    def __new__(cls):
        return Lt.Tanh.new()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


def _explicit_dim(dim, name):
    if dim is None:
        raise TypeError_('%s: pass dim explicitly (the implicit choice of PyTorch is deprecated)'
                        % name)
    return operator.index(dim)


@override
class Softmax(_module_base(Lt.Softmax)):
    """``nn.Softmax(dim)``."""

    def __new__(cls, dim=None):
        return Lt.Softmax.new(_explicit_dim(dim, 'Softmax'))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    dim = property(lambda self: self.get_dim())


@override
class LogSoftmax(_module_base(Lt.LogSoftmax)):
    """``nn.LogSoftmax(dim)``."""

    def __new__(cls, dim=None):
        return Lt.LogSoftmax.new(_explicit_dim(dim, 'LogSoftmax'))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    dim = property(lambda self: self.get_dim())


@override
class Flatten(_module_base(Lt.Flatten)):
    """``nn.Flatten(start_dim=1, end_dim=-1)``."""

    def __new__(cls, start_dim=1, end_dim=-1):
        return Lt.Flatten.new(operator.index(start_dim), operator.index(end_dim))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    start_dim = property(lambda self: self.get_start_dim())
    end_dim = property(lambda self: self.get_end_dim())


@override
class Dropout(_module_base(Lt.Dropout)):
    """``nn.Dropout(p=0.5, inplace=False)``: zeroes elements with probability
    p in training mode (drawn from Lt.manual_seed's generator) and scales
    the others by 1 / (1 - p); the identity in eval mode."""

    def __new__(cls, p=0.5, inplace=False):
        return Lt.Dropout.new(float(p), bool(inplace))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    p = property(lambda self: self.get_p())
    inplace = property(lambda self: self.get_inplace())


def _batch_norm_class(gi_class, doc):
    class BatchNorm(_module_base(gi_class)):
        __doc__ = doc

        def __new__(cls, num_features, eps=1e-05, momentum=0.1, affine=True,
                    track_running_stats=True, device=None, dtype=None):
            m = gi_class.new(operator.index(num_features), float(eps),
                             -1.0 if momentum is None else float(momentum), bool(affine),
                             bool(track_running_stats))
            return _device_dtype(m, device, dtype)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        num_features = property(lambda self: self.get_num_features())
        eps = property(lambda self: self.get_eps())
        momentum = property(lambda self: (None if self.get_momentum() < 0
                                          else self.get_momentum()))
        affine = property(lambda self: self.get_affine())
        track_running_stats = property(lambda self: self.get_track_running_stats())

    BatchNorm.__name__ = BatchNorm.__qualname__ = gi_class.__name__
    return override(BatchNorm)


BatchNorm1d = _batch_norm_class(
    Lt.BatchNorm1d, '``nn.BatchNorm1d(num_features, eps=1e-05, momentum=0.1, affine=True, '
    'track_running_stats=True)`` over (N, C) or (N, C, L) inputs.')
BatchNorm2d = _batch_norm_class(
    Lt.BatchNorm2d, '``nn.BatchNorm2d(num_features, eps=1e-05, momentum=0.1, affine=True, '
    'track_running_stats=True)`` over (N, C, H, W) inputs.')


@override
class Sequential(_module_base(Lt.Sequential)):
    """``nn.Sequential(m1, m2, ...)`` or ``nn.Sequential(OrderedDict(...))``:
    each module's output is the next one's input."""

    def __new__(cls, *args):
        if len(args) == 1 and isinstance(args[0], collections.abc.Mapping):
            seq = Lt.Sequential.new([])
            for name, module in args[0].items():
                seq.add_module(name, module)
            return seq
        for m in args:
            if not _is_module(m):
                raise TypeError_('%s is not a Module subclass' % type(m).__name__)
        return Lt.Sequential.new(list(args))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __len__(self) -> int:
        return self.get_n_children()

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self.children()))

    def __getitem__(self, idx: int | slice) -> Module:
        items = list(self.named_children())
        if isinstance(idx, slice):
            return Sequential(collections.OrderedDict(items[idx]))
        i = operator.index(idx)
        if not -len(items) <= i < len(items):
            raise IndexError_('index %d is out of range' % i)
        return items[i][1]

    def append(self, module: Any) -> Sequential:
        Lt.Sequential.append(self, module)
        return self


# ---------------------------------------------------------------------------
# Loss modules: the C losses (LtLoss), called as criterion(output, target)

_REDUCTION_NAMES = {v: k for k, v in _REDUCTIONS.items()}


class _LossMixin:
    def forward(self, input, target):
        return self.compute(input, _as_tensor(target, 'target'))

    @property
    def reduction(self):
        return _REDUCTION_NAMES[self.get_reduction()]

    @reduction.setter
    def reduction(self, value):
        self.set_reduction(_reduction(value))


@override
class MSELoss(_LossMixin, _module_base(Lt.MSELoss)):
    """``nn.MSELoss(reduction='mean')``: mean of (input - target)^2; a target
    broadcasts against the input as in PyTorch."""

    def __new__(cls, size_average=None, reduce=None, reduction='mean'):
        return Lt.MSELoss.new(_reduction(reduction, size_average, reduce))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class L1Loss(_LossMixin, _module_base(Lt.L1Loss)):
    """``nn.L1Loss(reduction='mean')``: mean of |input - target|."""

    def __new__(cls, size_average=None, reduce=None, reduction='mean'):
        return Lt.L1Loss.new(_reduction(reduction, size_average, reduce))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class NLLLoss(_LossMixin, _module_base(Lt.NLLLoss)):
    """``nn.NLLLoss(weight=None, ignore_index=-100, reduction='mean')`` on
    log-probabilities and class indices."""

    def __new__(cls, weight=None, size_average=None, ignore_index=-100, reduce=None,
                reduction='mean'):
        return Lt.NLLLoss.new(weight, operator.index(ignore_index),
                              _reduction(reduction, size_average, reduce))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return self.compute(input, target)

    ignore_index = property(lambda self: self.get_ignore_index())


@override
class CrossEntropyLoss(_LossMixin, _module_base(Lt.CrossEntropyLoss)):
    """``nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean',
    label_smoothing=0.0)`` on logits and class indices (or probabilities)."""

    def __new__(cls, weight=None, size_average=None, ignore_index=-100, reduce=None,
                reduction='mean', label_smoothing=0.0):
        return Lt.CrossEntropyLoss.new(weight, operator.index(ignore_index),
                                       _reduction(reduction, size_average, reduce),
                                       float(label_smoothing))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def forward(self, input: Tensor, target: TensorLike) -> Tensor:
        return self.compute(input, target)

    ignore_index = property(lambda self: self.get_ignore_index())
    label_smoothing = property(lambda self: self.get_label_smoothing())


@override
class BCEWithLogitsLoss(_LossMixin, _module_base(Lt.BCEWithLogitsLoss)):
    """``nn.BCEWithLogitsLoss(weight=None, reduction='mean', pos_weight=None)``."""

    def __new__(cls, weight=None, size_average=None, reduce=None, reduction='mean',
                pos_weight=None):
        return Lt.BCEWithLogitsLoss.new(weight, pos_weight,
                                        _reduction(reduction, size_average, reduce))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


# ---------------------------------------------------------------------------
# nn.functional


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        input.relu_()
        return input
    return _GITensor.relu(input)


def relu_(input: Tensor) -> Tensor:
    return relu(input, inplace=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    out = Lt.leaky_relu(input, float(negative_slope))
    if inplace:
        input.copy_(out)
        return input
    return out


def sigmoid(input: Tensor) -> Tensor:
    return _GITensor.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return _GITensor.tanh(input)


def _softmax_dim(name, ndim):
    warnings.warn('Implicit dimension choice for %s has been deprecated. Change the call to '
                  'include dim=X as an argument.' % name, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: DTypeLike | None = None) -> Tensor:
    if dim is None:
        dim = _softmax_dim('softmax', input.get_n_dims())
    if dtype is not None:
        input = input.to(dtype=dtype)
    return _GITensor.softmax(input, operator.index(dim))


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: DTypeLike | None = None) -> Tensor:
    if dim is None:
        dim = _softmax_dim('log_softmax', input.get_n_dims())
    if dtype is not None:
        input = input.to(dtype=dtype)
    return _GITensor.log_softmax(input, operator.index(dim))


def max_pool2d(input: Tensor, kernel_size: IntPair, stride: IntPair | None = None,
               padding: IntPair = 0, dilation: IntPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor:
    k = _pair(kernel_size, 'kernel_size')
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else _pair(stride, 'stride')
    r = Lt.max_pool2d(input, k, s, _pair(padding, 'padding'), _pair(dilation, 'dilation'),
                      bool(ceil_mode))
    out, indices = r if isinstance(r, tuple) else (r, None)
    return (out, indices) if return_indices else out


def avg_pool2d(input: Tensor, kernel_size: IntPair, stride: IntPair | None = None,
               padding: IntPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    k = _pair(kernel_size, 'kernel_size')
    s = k if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else _pair(stride, 'stride')
    if divisor_override is not None and operator.index(divisor_override) == 0:
        # the C layer reads 0 as "none"
        raise error('avg_pool2d: divisor_override must not be zero', Lt.Error.INVALID_ARGUMENT)
    return Lt.avg_pool2d(input, k, s, _pair(padding, 'padding'), bool(ceil_mode),
                         bool(count_include_pad),
                         0 if divisor_override is None else operator.index(divisor_override))


def adaptive_avg_pool2d(input: Tensor, output_size: IntPair) -> Tensor:
    size = _adaptive_size(output_size)
    if len(size) == 1:
        size = size * 2
    shape = input.get_shape()
    size = [shape[len(shape) - 2 + i] if v < 0 else v for i, v in enumerate(size)]
    return Lt.adaptive_avg_pool2d(input, size)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntPair = 1,
           padding: IntPair = 0, dilation: IntPair = 1, groups: int = 1) -> Tensor:
    from .nn_conv import _functional_padding
    input, padding = _functional_padding(input, weight, padding, stride, dilation, 2, 'conv2d')
    return Lt.conv2d(input, weight, bias, _pair(stride, 'stride'), _pair(padding, 'padding'),
                     _pair(dilation, 'dilation'), operator.index(groups))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    return Lt.linear(input, weight, bias)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError_('dropout probability has to be between 0 and 1, but got %s' % p)
    out = Lt.dropout(input, float(p), bool(training))
    if inplace and out is not input:
        input.copy_(out)
        return input
    return out


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-05) -> Tensor:
    return Lt.batch_norm(input, running_mean, running_var, weight, bias, bool(training),
                         float(momentum), float(eps))


def mse_loss(input: Tensor, target: TensorLike, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = 'mean') -> Tensor:
    return Lt.mse_loss(input, _as_tensor(target, 'target'),
                       _reduction(reduction, size_average, reduce))


def l1_loss(input: Tensor, target: TensorLike, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = 'mean') -> Tensor:
    return Lt.l1_loss(input, _as_tensor(target, 'target'),
                      _reduction(reduction, size_average, reduce))


def nll_loss(input: Tensor, target: TensorLike, weight: Tensor | None = None,
             size_average: bool | None = None, ignore_index: int = -100, reduce: bool | None = None,
             reduction: str = 'mean') -> Tensor:
    return Lt.nll_loss(input, target, weight, operator.index(ignore_index),
                       _reduction(reduction, size_average, reduce))


def cross_entropy(input: Tensor, target: TensorLike, weight: Tensor | None = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = 'mean',
                  label_smoothing: float = 0.0) -> Tensor:
    return Lt.cross_entropy(input, target, weight, operator.index(ignore_index),
                            _reduction(reduction, size_average, reduce), float(label_smoothing))


def binary_cross_entropy_with_logits(input: Tensor, target: TensorLike,
                                     weight: Tensor | None = None, size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = 'mean',
                                     pos_weight: Tensor | None = None) -> Tensor:
    return Lt.binary_cross_entropy_with_logits(input, _as_tensor(target, 'target'), weight,
                                               pos_weight,
                                               _reduction(reduction, size_average, reduce))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    return _GITensor.one_hot(tensor, operator.index(num_classes))


# ---------------------------------------------------------------------------
# nn.init


def _gerror_to_value_error(fn, *args):
    try:
        return fn(*args)
    except GLib.Error as e:
        if e.matches(Lt.error_quark(), Lt.Error.SHAPE) or \
           e.matches(Lt.error_quark(), Lt.Error.INVALID_ARGUMENT):
            raise ValueError_(e.message) from None
        raise


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    if param is None:
        param = 0.01
    elif isinstance(param, bool) or not isinstance(param, numbers.Real):
        raise ValueError_('negative_slope {} not a valid number'.format(param))
    return _gerror_to_value_error(Lt.init_calculate_gain, nonlinearity, float(param))


def _calculate_fan_in_and_fan_out(tensor):
    r = _gerror_to_value_error(Lt.init_calculate_fan_in_and_fan_out, tensor)
    if len(r) == 3:
        r = r[1:]
    return tuple(r)


def uniform_(tensor: Tensor, a: float = 0., b: float = 1.) -> Tensor:
    Lt.init_uniform_(tensor, float(a), float(b))
    return tensor


def normal_(tensor: Tensor, mean: float = 0., std: float = 1.) -> Tensor:
    Lt.init_normal_(tensor, float(mean), float(std))
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    Lt.init_constant_(tensor, float(val))
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    Lt.init_zeros_(tensor)
    return tensor


def ones_(tensor: Tensor) -> Tensor:
    Lt.init_ones_(tensor)
    return tensor


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = 'fan_in',
                     nonlinearity: str = 'leaky_relu') -> Tensor:
    _gerror_to_value_error(Lt.init_kaiming_uniform_, tensor, float(a), mode, nonlinearity)
    return tensor


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = 'fan_in',
                    nonlinearity: str = 'leaky_relu') -> Tensor:
    _gerror_to_value_error(Lt.init_kaiming_normal_, tensor, float(a), mode, nonlinearity)
    return tensor


def xavier_uniform_(tensor: Tensor, gain: float = 1.) -> Tensor:
    _gerror_to_value_error(Lt.init_xavier_uniform_, tensor, float(gain))
    return tensor


def xavier_normal_(tensor: Tensor, gain: float = 1.) -> Tensor:
    _gerror_to_value_error(Lt.init_xavier_normal_, tensor, float(gain))
    return tensor


def orthogonal_(tensor: Tensor, gain: float = 1) -> Tensor:
    _gerror_to_value_error(Lt.init_orthogonal_, tensor, float(gain))
    return tensor


# ---------------------------------------------------------------------------
# The namespaces

functional = namespace('Lt.nn.functional', 'torch.nn.functional for libtensor.', {
    'relu': relu, 'relu_': relu_, 'leaky_relu': leaky_relu, 'sigmoid': sigmoid,
    'tanh': tanh, 'softmax': softmax, 'log_softmax': log_softmax, 'max_pool2d': max_pool2d,
    'avg_pool2d': avg_pool2d, 'adaptive_avg_pool2d': adaptive_avg_pool2d, 'conv2d': conv2d,
    'linear': linear, 'dropout': dropout, 'batch_norm': batch_norm, 'mse_loss': mse_loss,
    'l1_loss': l1_loss, 'nll_loss': nll_loss, 'cross_entropy': cross_entropy,
    'binary_cross_entropy_with_logits': binary_cross_entropy_with_logits,
    'one_hot': one_hot,
})

init = namespace('Lt.nn.init', 'torch.nn.init for libtensor: in place, under no_grad, '
                  'drawn from Lt.manual_seed\'s generator.', {
                      'calculate_gain': calculate_gain,
                      '_calculate_fan_in_and_fan_out': _calculate_fan_in_and_fan_out,
                      'uniform_': uniform_, 'normal_': normal_, 'constant_': constant_,
                      'zeros_': zeros_, 'ones_': ones_, 'kaiming_uniform_': kaiming_uniform_,
                      'kaiming_normal_': kaiming_normal_, 'xavier_uniform_': xavier_uniform_,
                      'xavier_normal_': xavier_normal_, 'orthogonal_': orthogonal_,
                  })

nn = namespace('Lt.nn', 'torch.nn for libtensor: modules, layers, losses, init.', {
    'Module': Module, 'Parameter': Parameter, 'Linear': Linear, 'Conv2d': Conv2d,
    'MaxPool2d': MaxPool2d, 'AvgPool2d': AvgPool2d, 'AdaptiveAvgPool2d': AdaptiveAvgPool2d,
    'ReLU': ReLU, 'LeakyReLU': LeakyReLU, 'Sigmoid': Sigmoid, 'Tanh': Tanh,
    'Softmax': Softmax, 'LogSoftmax': LogSoftmax, 'Flatten': Flatten, 'Dropout': Dropout,
    'BatchNorm1d': BatchNorm1d, 'BatchNorm2d': BatchNorm2d, 'Sequential': Sequential,
    'MSELoss': MSELoss, 'L1Loss': L1Loss, 'NLLLoss': NLLLoss,
    'CrossEntropyLoss': CrossEntropyLoss, 'BCEWithLogitsLoss': BCEWithLogitsLoss,
    'functional': functional, 'init': init,
})

# The containers (nn_containers.py) and the newer layers (nn_layers.py), in
# files of their own, which import this one.
from . import nn_containers as _nn_containers  # noqa: E402
from . import nn_layers as _nn_layers  # noqa: E402
from . import nn_utils as _nn_utils  # noqa: E402
from . import nn_losses as _nn_losses  # noqa: E402
from . import nn_conv as _nn_conv  # noqa: E402
from . import nn_rnn as _nn_rnn  # noqa: E402

for _part, _ns in ((_nn_containers.MEMBERS, nn), (_nn_layers.MEMBERS, nn),
                   (_nn_layers.FUNCTIONAL, functional), (_nn_utils.INIT, init),
                   ({'utils': _nn_utils.utils}, nn), (_nn_losses.MEMBERS, nn),
                   (_nn_losses.FUNCTIONAL, functional), (_nn_conv.MEMBERS, nn),
                   (_nn_conv.FUNCTIONAL, functional), (_nn_rnn.MEMBERS, nn)):
    for _name, _member in _part.items():
        setattr(_ns, _name, _member)
    _ns.__all__ = sorted(set(_ns.__all__) | set(_part))

_nn_utils.utils.rnn = _nn_rnn.rnn
_nn_utils.utils.__all__ = sorted(set(_nn_utils.utils.__all__) | {'rnn'})

__all__ = ['nn']
