# SPDX-License-Identifier: LGPL-2.1-or-later
"""Module hooks for the ``Lt`` overrides, as torch's:
``module.register_forward_pre_hook``, ``register_forward_hook`` and
``register_full_backward_hook``, each returning a handle with
``remove()``.

The hooks live in C (lt_module_register_*_hook), so a C container such as
``nn.Sequential`` runs them for Python hooks and JavaScript hooks alike;
this file adapts torch's signatures (inputs and gradients as tuples) and
carries an exception a hook raises through C to the caller.

Part of gi/overrides/Lt.py, which imports it after ``Lt.nn``.
"""

from __future__ import annotations

from typing import Any, Callable

from .common import Lt, callable_name, carry
from .common import RuntimeError_, TypeError_
from .nn import Module, _state

_GITensor = Lt.Tensor
_GIModule = Lt.Module

__all__: list[str] = []


class RemovableHandle:
    """What a module's ``register_*_hook`` returns: ``handle.remove()``
    (or a ``with`` block that removes the hook at its end)."""

    def __init__(self, module, hook_id):
        self._module = module
        self.id = hook_id

    def remove(self) -> None:
        if self._module is not None:
            _GIModule.remove_hook(self._module, self.id)
            self._module = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _carry(hook, what, exc, forward):
    """exc, raised by `hook`, as the GLib.Error that carries it through C.
    A forward's caller (Module.__call__) chains it; backward() raises it."""
    if forward:
        _state().pending = exc
    return carry('%s hook %s' % (what, callable_name(hook)), exc)


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _one_tensor(hook, what, value, forward):
    """The tensor a hook's result stands for (None to keep what it got)."""
    if value is None or isinstance(value, _GITensor):
        return value
    if isinstance(value, tuple) and len(value) == 1 and \
            (value[0] is None or isinstance(value[0], _GITensor)):
        return value[0]
    raise _carry(hook, what, TypeError_(
        "%s hook '%s' returned %s; the module takes one tensor, so return one tensor, a "
        "tuple of one, or None" % (what, callable_name(hook), type(value).__name__)), forward)


def register_forward_pre_hook(self: Module, hook: Callable[..., Any]) -> RemovableHandle:
    """hook(module, input) runs before forward, with the input as a tuple;
    it may return a replacement input (a tensor or a tuple of one)."""
    def c_hook(module, x, *user_data):
        try:
            result = hook(module, (x,))
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise _carry(hook, 'forward pre-', e, True) from None
        return _one_tensor(hook, 'forward pre-', result, True)
    return RemovableHandle(self, _GIModule.register_forward_pre_hook(self, c_hook))


def register_forward_hook(self: Module, hook: Callable[..., Any]) -> RemovableHandle:
    """hook(module, input, output) runs after forward, with the input as a
    tuple; it may return a replacement output."""
    def c_hook(module, x, out, *user_data):
        try:
            result = hook(module, (x,), out)
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise _carry(hook, 'forward', e, True) from None
        return _one_tensor(hook, 'forward', result, True)
    return RemovableHandle(self, _GIModule.register_forward_hook(self, c_hook))


def register_full_backward_hook(self: Module, hook: Callable[..., Any]) -> RemovableHandle:
    """hook(module, grad_input, grad_output) runs during backward with both
    as tuples (None for an input that needs no gradient); it may return a
    replacement grad_input tuple."""
    def c_hook(module, grad_input, grad_output, *user_data):
        try:
            result = hook(module, (grad_input,), (grad_output,))
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise _carry(hook, 'backward', e, False) from None
        if result is None:
            return None
        result = _as_tuple(result)
        if len(result) != 1:
            raise _carry(hook, 'backward', RuntimeError_(
                "hook '%s' has returned an incorrect number of values (got %d, but expected "
                "1)" % (callable_name(hook), len(result))), False)
        if result[0] is not None and not isinstance(result[0], _GITensor):
            raise _carry(hook, 'backward', TypeError_(
                "expected a tensor or None, but hook '%s' returned '%s'"
                % (callable_name(hook), type(result[0]).__name__)), False)
        return result[0]
    return RemovableHandle(self, _GIModule.register_full_backward_hook(self, c_hook))


Module.register_forward_pre_hook = register_forward_pre_hook
Module.register_forward_hook = register_forward_hook
Module.register_full_backward_hook = register_full_backward_hook
