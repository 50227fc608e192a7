# SPDX-License-Identifier: LGPL-2.1-or-later
"""``Lt.autograd.Function``: custom autograd functions written as PyTorch
writes them (static ``forward(ctx, ...)`` and ``backward(ctx, ...)``,
``Function.apply``), on the C type LtFunction, whose node runs the
Python backward.

Part of gi/overrides/Lt.py (through autograd.py's ``Lt.autograd``).
"""

from __future__ import annotations

from typing import Any, Callable

from gi.repository import GLib

from .common import Lt, carry, take_carried
from .common import NotImplementedError_, RuntimeError_, TypeError_

_GITensor = Lt.Tensor

__all__ = ['Function', 'FunctionCtx', 'once_differentiable']


class FunctionCtx:
    """The ``ctx`` of a custom function: ``save_for_backward``,
    ``saved_tensors``, ``needs_input_grad``, ``mark_non_differentiable``;
    any other attribute is the user's."""

    def __init__(self, c_ctx: Any, positions: dict[int, int], n_args: int) -> None:
        self._c = c_ctx
        self._positions = positions     # argument position -> C input index
        self._n_args = n_args
        self._saved_none = ()

    def save_for_backward(self, *tensors: Any) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, _GITensor):
                raise TypeError_('save_for_backward can only save variables, but argument %d '
                                'is not a Variable' % tensors.index(t))
        self._saved_none = tuple(i for i, t in enumerate(tensors) if t is None)
        self._n_saved = len(tensors)
        self._c.save_for_backward([t for t in tensors if t is not None])

    @property
    def saved_tensors(self) -> tuple:
        try:
            got = list(self._c.get_saved_tensors())
        except GLib.Error as err:
            raise RuntimeError_(err.message) from None
        if not self._saved_none:
            return tuple(got)
        it = iter(got)
        return tuple(None if i in self._saved_none else next(it)
                     for i in range(self._n_saved))

    @property
    def needs_input_grad(self) -> tuple:
        return tuple(self._c.needs_input_grad(self._positions[i]) if i in self._positions
                     else False for i in range(self._n_args))

    def mark_non_differentiable(self, *outputs: Any) -> None:
        for o in outputs:
            self._c.mark_non_differentiable(o)

    def mark_dirty(self, *tensors: Any) -> None:
        raise NotImplementedError_('mark_dirty: in-place custom functions are not supported; '
                                  'return a new tensor')

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)


class _Applied(Lt.Function):
    """One call of a Function subclass: the C function whose forward and
    backward are the subclass's static methods."""

    # A module outside gi.overrides: PyGObject registers a GType of its own
    # (with do_forward and do_backward as its virtual methods) only for
    # classes defined elsewhere.
    __module__ = 'lt_autograd'
    __gtype_name__ = 'LtPyFunction'

    def __init__(self, cls, args):
        super().__init__(name=cls.__name__)
        self._cls = cls
        self._args = args
        self._positions = {}
        self._ctx = None
        self._result = None

    def do_forward(self, c_ctx, inputs, *n_inputs):
        ctx = FunctionCtx(c_ctx, self._positions, len(self._args))
        self._ctx = ctx
        try:
            out = self._cls.forward(ctx, *self._args)
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise carry('%s.forward' % self._cls.__name__, e) from None
        if isinstance(out, _GITensor):
            return out
        if isinstance(out, tuple) and any(isinstance(o, _GITensor) for o in out):
            # several outputs: the tensors go to C, the rest stay here
            self._result = out
            tensors = [o for o in out if isinstance(o, _GITensor)]
            self._tensor_positions = [i for i, o in enumerate(out) if isinstance(o, _GITensor)]
            c_ctx.set_outputs(tensors)
            return tensors[0]
        raise carry('%s.forward' % self._cls.__name__, TypeError_(
            'a custom Function must return a tensor or a tuple with tensors (got %s)'
            % type(out).__name__))

    def do_backward_outputs(self, c_ctx, grad_outputs, *n_outputs):
        name = self._cls.__name__ + 'Backward'
        grad_outputs = list(grad_outputs)
        if self._result is not None:
            # one gradient per element of the tuple forward returned: None
            # for what was not a tensor
            by_pos = dict(zip(self._tensor_positions, grad_outputs))
            grad_outputs = [by_pos.get(i) for i in range(len(self._result))]
        try:
            grads = self._cls.backward(self._ctx, *grad_outputs)
        except BaseException as e:  # noqa: B902 - everything must cross C as a GError
            raise carry(name, e) from None
        if not isinstance(grads, tuple):
            grads = (grads,)
        n = len(self._args)
        if len(grads) != n:
            raise carry(name, RuntimeError_(
                'function %s returned an incorrect number of gradients (expected %d, got %d)'
                % (name, n, len(grads))))
        for i, g in enumerate(grads):
            if i not in self._positions:
                if g is not None:
                    raise carry(name, RuntimeError_(
                        'function %s returned a gradient different than None at position %d, '
                        'but the corresponding forward input was not a Variable'
                        % (name, i + 1)))
                continue
            if g is not None and not isinstance(g, _GITensor):
                raise carry(name, TypeError_(
                    'function %s returned a %s as the gradient at position %d; expected a '
                    'tensor or None' % (name, type(g).__name__, i + 1)))
            try:
                c_ctx.set_grad_input(self._positions[i], g)
            except GLib.Error as err:
                raise carry(name, RuntimeError_(err.message)) from None
        return True


class Function:
    """Base of custom autograd functions, as ``torch.autograd.Function``::

        class Exp(Lt.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                result = i.exp()
                ctx.save_for_backward(result)
                return result

            @staticmethod
            def backward(ctx, grad_output):
                result, = ctx.saved_tensors
                return grad_output * result

        y = Exp.apply(x)

    forward gets the arguments of ``apply`` (tensors and other values) and
    returns one tensor or a tuple (of tensors and other values); backward
    gets one gradient per output (zeros for an output no gradient reached
    or marked non-differentiable, None for one that is not a tensor) and
    returns one gradient (or None) per argument. An exception either raises reaches the caller of ``apply``
    or of ``backward()`` as that exception."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError_('You must implement the forward function for custom '
                                  'autograd.Function.')

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError_('You must implement either the backward or vjp method for '
                                  'your custom autograd.Function to use it with backward '
                                  'mode AD.')

    @classmethod
    def apply(cls, *args: Any) -> Any:
        fn = _Applied(cls, args)
        tensors = []
        for i, a in enumerate(args):
            if isinstance(a, _GITensor):
                fn._positions[i] = len(tensors)
                tensors.append(a)
        try:
            outs = Lt.Function.apply_outputs(fn, tensors)
        except GLib.Error as err:
            carried = take_carried(err)
            if carried is None:
                raise
            raise carried from None
        if fn._result is None:
            return outs[0]
        it = iter(outs)
        return tuple(next(it) if isinstance(o, _GITensor) else o for o in fn._result)


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """torch.autograd.function.once_differentiable: kept as is (a backward
    made of differentiable ops can be differentiated again here)."""
    return fn
