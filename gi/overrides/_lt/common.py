# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the ``Lt`` overrides share: the introspection module, the override
decorator, GLib.Error in the Lt domain, namespaces such as ``Lt.nn``, the
public names of each module, and the Python exceptions that cross C inside
a GLib.Error.

Imported by gi/overrides/Lt.py and every module of this package while
PyGObject loads the overrides; nothing here depends on them.
"""

from __future__ import annotations

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
    """A GLib.Error in the Lt.Error domain (FAILED unless `code` says)."""
    return GLib.Error.new_literal(Lt.error_quark(), message, code)


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
# through C, so the caller who gets that GLib.Error can chain the original
# exception.

_carried: dict[str, BaseException] = {}
_carried_lock = threading.Lock()


def remember_carried(message: str, exc: BaseException) -> None:
    """Keeps `exc` as the exception the GLib.Error with `message` carries."""
    with _carried_lock:
        if len(_carried) > 64:
            _carried.clear()
        _carried[message] = exc


def take_carried(err: GLib.Error) -> BaseException | None:
    """The Python exception the GLib.Error `err` carries, or None."""
    with _carried_lock:
        for message, exc in list(_carried.items()):
            if message in err.message:
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
    """Raises the GLib.Error `err` with the Python exception it carries as
    its __cause__; a KeyboardInterrupt or SystemExit it carries is raised
    itself."""
    cause = take_carried(err)
    if cause is not None and not isinstance(cause, Exception):
        raise cause
    if cause is not None:
        raise err from cause
    raise err
