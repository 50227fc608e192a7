# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the ``Lt`` overrides share: the introspection module, the override
decorator, GLib.Error in the Lt domain, namespaces such as ``Lt.nn``, the
public names of each module, and the Python exceptions that cross C inside
a GLib.Error.

Imported by gi/overrides/Lt.py and every module of this package while
PyGObject loads the overrides; nothing here depends on them.
"""

from __future__ import annotations

import re
import sys
import threading
import types
from typing import Any, Callable, NoReturn, Sequence, Tuple, TypeVar, Union

from gi.repository import GLib
# While PyGObject loads the overrides, gi.repository.Lt is the proxy module
# that the overrides fill (PyGObject's load_overrides puts it there).
from gi.repository import Lt as _proxy

from ...module import get_introspection_module

Lt = get_introspection_module('Lt')
GITensor = Lt.Tensor
FAILED = Lt.Error.FAILED

T = TypeVar('T')

# The types the public functions' hints name: documentation for readers and
# editors (the modules use `from __future__ import annotations`, so nothing
# evaluates or checks them at run time).
Tensor = Lt.Tensor                        # the override class derives from it
Number = Union[int, float, bool]
TensorLike = Union[Lt.Tensor, Number, Sequence[Any]]     # what operators accept
DTypeLike = Union[Lt.DType, str, type]    # Lt.float32, 'float32', float
DeviceLike = Union[Lt.Device, str, Any]   # 'cpu', 'cuda:0', Lt.device('cpu')
Shape = Union[int, Sequence[int]]
IntPair = Union[int, Tuple[int, int]]


def exporter(names: list[str]) -> Callable[..., Any]:
    """A decorator that adds what it decorates (or `name`) to `names`, a
    module's ``__all__``: ``export = exporter(__all__)``, then ``@export``
    or ``export(obj, 'name')``."""
    def export(obj: T, name: str | None = None) -> T:
        names.append(name or obj.__name__)
        return obj
    return export


def override(cls: type[T]) -> type[T]:
    """gi.overrides.override() for a class defined outside Lt.py: objects of
    the GType made in C come to Python as ``cls``, and Lt.<Name> is
    ``cls``."""
    cls.__info__.get_g_type().pytype = cls
    setattr(_proxy, cls.__name__, cls)
    return cls


def error(message: str, code: int = FAILED) -> GLib.Error:
    """A GLib.Error in the Lt.Error domain (FAILED unless `code` says), of
    the class that error_class() picks."""
    return GLib.Error.new_literal(Lt.error_quark(), message, code)


# ---------------------------------------------------------------------------
# GLib.Error in the Lt domain as the exceptions PyTorch raises.
#
# PyGObject makes every GError it raises by calling GLib.Error (message,
# domain, code); its __new__ is replaced below so that an error of the Lt
# domain is made as a class deriving from GLib.Error and from the builtin
# exception that PyTorch 1.13 raises for the same call: IndexError for an
# index or dimension out of range, ValueError for a bad argument of a
# module, optimizer, loader or transform, NotImplementedError for a
# missing kernel, OSError for a file, RuntimeError (GLib.Error itself, a
# RuntimeError) for the rest.  `except IndexError` and `except GLib.Error`
# both catch them; errors of other domains are made as before.

_LT_DOMAIN = GLib.quark_to_string(Lt.error_quark())
_GError = GLib.Error
_E = Lt.Error


def _lt_error_type(name: str, base: type, default_code: Any) -> type:
    """A class deriving from GLib.Error and `base`; raised from Python
    (``raise ValueError_('...')``) it is an Lt-domain error of
    `default_code`."""
    def __init__(self, message: str = 'unknown error', domain: str = _LT_DOMAIN,
                 code: int = int(default_code)) -> None:
        _GError.__init__(self, message, domain, code)
    return type(name, (_GError, base), {
        '__init__': __init__, '__module__': 'gi.repository.Lt',
        '__doc__': 'A GLib.Error of the Lt domain that is also %s.' % base.__name__})


IndexError_ = _lt_error_type('IndexError', IndexError, _E.INDEX)
TypeError_ = _lt_error_type('TypeError', TypeError, _E.INVALID_ARGUMENT)
ValueError_ = _lt_error_type('ValueError', ValueError, _E.INVALID_ARGUMENT)
NotImplementedError_ = _lt_error_type('NotImplementedError', NotImplementedError,
                                      _E.NOT_SUPPORTED)
OSError_ = _lt_error_type('OSError', OSError, _E.IO)
FileNotFoundError_ = _lt_error_type('FileNotFoundError', FileNotFoundError, _E.IO)
# GLib.Error is a RuntimeError already; this one says so by its name.
RuntimeError_ = _lt_error_type('RuntimeError', RuntimeError, _E.FAILED)
# torch.linalg.LinAlgError: a matrix a linear algebra op cannot factor
LinAlgError_ = _lt_error_type('LinAlgError', RuntimeError, _E.LINALG)

# Ops whose index errors PyTorch raises as RuntimeError (an index value
# out of range, not a dimension), unless the message is about a dimension.
_INDEX_RUNTIME_OPS = frozenset((
    'gather', 'scatter', 'scatter_', 'scatter_add', 'scatter_add_', 'one_hot', 'permute',
    'narrow', 'index_add', 'index_add_', 'subset'))
_DIM_OUT_OF_RANGE = re.compile(r'dimension -?\d+ out of range')
# Ops whose shape errors PyTorch raises as ValueError (the losses that
# compare the batch sizes of input and target).
_SHAPE_VALUE_OPS = frozenset((
    'cross_entropy', 'nll_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits',
    'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss'))
# Bad arguments that PyTorch raises as ValueError although the name is an
# op's, and classes whose bad arguments it raises as RuntimeError.
_INVALID_VALUE_OPS = frozenset(('dropout', 'random_split', 'DataLoader', 'normalize'))
_INVALID_RUNTIME_OPS = frozenset(('Linear', 'Conv2d.forward', 'Linear.forward'))


def error_op(message: str) -> str:
    """The op (or class) a library error message names: the text before
    its first ': ' ('index_select: index 7 is out of range ...')."""
    head, sep, _ = message.partition(': ')
    return head if sep and ' ' not in head.strip() else ''


def error_class(code: int, message: str) -> type:
    """The class of an Lt-domain GLib.Error with `code` and `message`:
    GLib.Error itself (a RuntimeError) or a class deriving from it and
    from the exception PyTorch 1.13 raises for the same call."""
    op = error_op(message)
    if code == _E.INDEX:
        if op in _INDEX_RUNTIME_OPS and not _DIM_OUT_OF_RANGE.search(message):
            return _GError
        return IndexError_
    if code == _E.SHAPE:
        return ValueError_ if op in _SHAPE_VALUE_OPS else _GError
    if code == _E.INVALID_ARGUMENT:
        if op in _INVALID_RUNTIME_OPS:
            return _GError
        if op in _INVALID_VALUE_OPS or op[:1].isupper():
            return ValueError_      # a module's, optimizer's or transform's argument
        return _GError
    if code == _E.NOT_SUPPORTED:
        return NotImplementedError_
    if code == _E.LINALG:
        return LinAlgError_
    if code == _E.IO:
        if 'No such file' in message or 'does not exist' in message:
            return FileNotFoundError_
        return OSError_
    return _GError


def crosses_c(err: GLib.Error) -> bool:
    """Whether `err`, raised in Python code that C calls, comes back to the
    Python caller as the same class when it crosses C as a plain GError
    (PyGObject makes a new GLib.Error of its domain, code and message):
    true for an error of another domain and for one whose class
    error_class() picks again; false for one raised from Python as a class
    its code does not give (a TypeError_, or a ValueError_ of an op
    whose bad arguments are RuntimeErrors), which must be carried
    (carry()) to reach the caller as raised."""
    if err.domain != _LT_DOMAIN:
        return True
    cls = type(err)
    if cls is RuntimeError_:
        cls = _GError
    return cls is error_class(err.code, err.message)


def _gerror_new(cls: type, *args: Any, **kwargs: Any) -> BaseException:
    if cls is _GError and len(args) >= 3 and args[1] == _LT_DOMAIN:
        cls = error_class(args[2], str(args[0]))
    if issubclass(cls, OSError):
        return OSError.__new__(cls, *args[:1])
    return RuntimeError.__new__(cls, *args)


_GError.__new__ = staticmethod(_gerror_new)


def namespace(name: str, doc: str, members: dict[str, Any]) -> types.ModuleType:
    """A module-like namespace such as ``Lt.nn`` or ``Lt.cuda``, holding
    `members`, with ``__all__`` listing the public ones."""
    ns = types.ModuleType(name, doc)
    for k, v in members.items():
        setattr(ns, k, v)
    ns.__all__ = sorted(k for k in members if not k.startswith('_'))
    return ns


def callable_name(fn: Any) -> str:
    """How an error message names a Python callable."""
    return getattr(fn, '__qualname__', None) or getattr(fn, '__name__', None) or \
        type(fn).__name__


def loaded_numpy() -> types.ModuleType | None:
    """numpy if the program has imported it, else None: the overrides
    accept numpy values without importing numpy themselves (which would
    cost every program that does not use it)."""
    return sys.modules.get('numpy')


# ---------------------------------------------------------------------------
# Exceptions raised by Python code that C runs (forwards, losses, datasets,
# transforms), perhaps on another thread (a loader's worker, the
# trainer's), kept by the message of the GLib.Error that carries them
# through C, so the caller who gets that GLib.Error raises the original
# exception itself.

# Two threads may carry exceptions with the same message at once (two
# loader workers whose transform fails alike): each message keeps a list,
# and a take prefers the entry of its own thread (Python code that calls C
# that calls Python, on one thread), else the oldest.

_carried: dict[str, list[tuple[int, BaseException]]] = {}
_carried_lock = threading.Lock()
_CARRIED_MAX = 64


def remember_carried(message: str, exc: BaseException) -> None:
    """Keeps `exc` as the exception the GLib.Error with `message` carries."""
    with _carried_lock:
        if sum(len(v) for v in _carried.values()) >= _CARRIED_MAX:
            _carried.clear()      # never taken: their GLib.Errors were dropped
        _carried.setdefault(message, []).append((threading.get_ident(), exc))


def take_carried(err: GLib.Error) -> BaseException | None:
    """The Python exception the GLib.Error `err` carries, or None."""
    me = threading.get_ident()
    with _carried_lock:
        for message, entries in _carried.items():
            if message in err.message:
                i = next((i for i, (tid, _) in enumerate(entries) if tid == me), 0)
                exc = entries.pop(i)[1]
                if not entries:
                    del _carried[message]
                return exc
    return None


def carry(where: str, exc: BaseException) -> GLib.Error:
    """The GLib.Error that carries `exc`, raised by Python code that C
    called at `where`, through C: "<where>: <ExceptionType>: <text>"."""
    text = str(exc)
    message = '%s: %s%s' % (where, type(exc).__name__, ': ' + text if text else '')
    remember_carried(message, exc)
    return error(message)


def reraise_carried(err: GLib.Error) -> NoReturn:
    """Raises the Python exception that the GLib.Error `err` carries, that
    same object (as PyTorch lets a forward's or a dataset's exception
    through), or `err` when it carries none."""
    cause = take_carried(err)
    if cause is None:
        raise err
    # Raised outside the caller's except clause: the carrier is not its
    # context.
    raise cause from cause.__cause__
