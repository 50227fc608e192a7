# SPDX-License-Identifier: LGPL-2.1-or-later
"""Autograd for the ``Lt`` overrides: ``grad_fn`` nodes as torch shows them
(``name()``, ``next_functions``), ``with Lt.no_grad():`` and the other
gradient modes, and ``Lt.autograd`` (``Variable``, ``backward``,
``gradcheck``).

Part of gi/overrides/Lt.py, which imports every public name from here.
"""

from __future__ import annotations

import functools
import threading

from gi.repository import GLib

from .common import Lt, Tensor, exporter, namespace, override, take_carried
from .common import NotImplementedError_, RuntimeError_, TypeError_
from . import function as _function
from .types import _bool, _float

_GITensor = Lt.Tensor

__all__ = []
_export = exporter(__all__)


# ---------------------------------------------------------------------------
# Gradient functions

@override
class GradFn(Lt.GradFn):
    """An autograd node, as torch's ``grad_fn``: ``name()``, ``next_functions``."""

    def name(self) -> str:
        return self.get_name()

    @property
    def next_functions(self) -> tuple[tuple[GradFn | None, int], ...]:
        n = self.get_n_next_functions()
        return tuple(tuple(self.get_next_function(i)) for i in range(n))

    @property
    def previous_functions(self) -> tuple[tuple[GradFn | None, int], ...]:
        """next_functions under the name of the tutorial's PyTorch
        (``loss.creator.previous_functions[0][0]``)."""
        return self.next_functions

    @property
    def variable(self) -> Tensor | None:
        """The leaf tensor of an AccumulateGrad node."""
        return self.get_variable()

    def __repr__(self):
        return '<%s object at %#x>' % (self.get_name(), id(self))

    __str__ = __repr__


__all__.append('GradFn')




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

    def __init__(self, mode: bool) -> None:
        self._mode = _bool(mode)
        self._prev = Lt.set_grad_enabled(self._mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        Lt.set_grad_enabled(self._prev)
        return False


_inference = threading.local()


class inference_mode(_GradMode):
    """``with Lt.inference_mode():`` or ``@Lt.inference_mode()``: no
    autograd history, as no_grad; ``inference_mode(False)`` changes
    nothing. Tensors made inside are ordinary tensors (torch marks them
    as inference tensors, which autograd refuses later)."""

    def __init__(self, mode: bool = True) -> None:
        self._inference = _bool(mode)

    def __enter__(self):
        self._prev_depth = getattr(_inference, 'depth', 0)
        _inference.depth = self._prev_depth + 1 if self._inference else 0
        self._prev = Lt.set_grad_enabled(False) if self._inference else None
        return self

    def __exit__(self, *exc):
        _inference.depth = self._prev_depth
        if self._prev is not None:
            Lt.set_grad_enabled(self._prev)
        return False

    def __call__(self, func):
        mode = self._inference

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)
        return wrapper


__all__ += ['no_grad', 'enable_grad', 'set_grad_enabled', 'inference_mode']


@_export
def is_inference_mode_enabled() -> bool:
    return getattr(_inference, 'depth', 0) > 0


@_export
def is_grad_enabled() -> bool:
    return Lt.is_grad_enabled()




def _variable(data, requires_grad=False, volatile=False):
    """The tutorial's ``Variable(t, requires_grad=True)``: a tensor is its own
    Variable; this sets requires_grad on a detached alias."""
    t = data.detach()
    if requires_grad:
        t.set_requires_grad(True)
    return t


def _autograd_backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
                       grad_variables=None, inputs=None):
    if isinstance(tensors, _GITensor):
        tensors = [tensors]
        grad_tensors = [grad_tensors]
    if grad_tensors is None:
        grad_tensors = grad_variables
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    if isinstance(grad_tensors, _GITensor):
        grad_tensors = [grad_tensors]
    if retain_graph is None:
        retain_graph = create_graph
    # one pass per output with the graph kept until the last
    for k, (t, g) in enumerate(zip(tensors, grad_tensors)):
        t.backward(g, retain_graph=retain_graph or k < len(tensors) - 1,
                   create_graph=create_graph, inputs=inputs)


def _tensors(value, what):
    if isinstance(value, _GITensor):
        return [value]
    value = list(value)
    for v in value:
        if not isinstance(v, _GITensor):
            raise TypeError_('grad: %s must be tensors, not %s' % (what, type(v).__name__))
    return value


def _grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
          only_inputs=True, allow_unused=False, is_grads_batched=False):
    """torch.autograd.grad: the gradients of outputs (weighted by
    grad_outputs) with respect to inputs, as a tuple, leaving every .grad
    as it is (lt_autograd_grad)."""
    outputs = _tensors(outputs, 'outputs')
    inputs = _tensors(inputs, 'inputs')
    if is_grads_batched:
        raise NotImplementedError_('grad: is_grads_batched is not supported')
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, _GITensor):
        grad_outputs = [grad_outputs]
    else:
        grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError_('grad requires one grad_output per output: got %d grad_outputs '
                           'and %d outputs' % (len(grad_outputs), len(outputs)))
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            raise RuntimeError_('element %d of tensors does not require grad and does not '
                               'have a grad_fn' % i)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError_('One of the differentiated Tensors does not require grad')
    for i, (o, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if o.numel() != 1:
                raise RuntimeError_('grad can be implicitly created only for scalar outputs')
            grad_outputs[i] = Lt.ones_like(o)
    if retain_graph is None:
        retain_graph = create_graph
    try:
        result = Lt.autograd_grad(outputs, grad_outputs, inputs, _bool(retain_graph),
                                  _bool(create_graph), _bool(allow_unused))
    except GLib.Error as err:
        carried = take_carried(err)
        if carried is None:
            if 'was not used in the graph' in err.message:
                raise RuntimeError_('One of the differentiated Tensors appears to not have '
                                   'been used in the graph. Set allow_unused=True if this is '
                                   'the desired behavior.') from None
            raise
    else:
        return tuple(result)
    raise carried


def _gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """torch.autograd.gradcheck: finite differences in float64 against the
    analytic gradient of func(*inputs) (lt_gradcheck)."""
    if isinstance(inputs, _GITensor):
        inputs = (inputs,)
    return Lt.gradcheck(lambda tensors, *user_data: func(*tensors), None, list(inputs),
                        _float(eps), _float(atol), _float(rtol))


def _gradgradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """torch.autograd.gradgradcheck: second derivatives of func(*inputs)
    against finite differences of its first derivatives (lt_gradgradcheck)."""
    if isinstance(inputs, _GITensor):
        inputs = (inputs,)
    return Lt.gradgradcheck(lambda tensors, *user_data: func(*tensors), None, list(inputs),
                            _float(eps), _float(atol), _float(rtol))


autograd = namespace('Lt.autograd', 'torch.autograd for libtensor.', {
    'Variable': _variable,
    'backward': _autograd_backward,
    'grad': _grad,
    'Function': _function.Function,
    'function': _function,
    'gradcheck': _gradcheck,
    'gradgradcheck': _gradgradcheck,
    'no_grad': no_grad,
    'enable_grad': enable_grad,
    'set_grad_enabled': set_grad_enabled,
    'inference_mode': inference_mode,
})

__all__.append('autograd')
