# SPDX-License-Identifier: LGPL-2.1-or-later
"""``Lt.optim``: torch.optim for libtensor, on the C optimizers (LtOptimizer,
LtSGD, LtAdam, LtAdamW, LtRMSprop, LtAdagrad, LtAdadelta, LtAdamax,
LtNAdam, LtRAdam) and schedules (LtStepLR, ...).

Loaded by gi/overrides/Lt.py.  Training reads as with torch::

    from gi.repository import Lt as torch
    optim = torch.optim

    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        optimizer.zero_grad()
        loss_fn(net(x), y).backward()
        optimizer.step()
        scheduler.step()

The optimizer objects are the C ones: ``step()`` runs the update in C (the
formulas of PyTorch 1.13, with grad mode off) and C code such as an
LtLRScheduler takes them as they are.  ``optimizer.param_groups`` is a list
of dict-like views of the C groups: reading or assigning
``group['lr']`` reads or sets the C option.  ``state_dict()`` gives
PyTorch's structure (``{'state': {0: {'momentum_buffer': t}},
'param_groups': [{..., 'params': [0, 1]}]}``); ``load_state_dict()`` takes
that or an ``Lt.StateDict`` (as written by ``Lt.Optimizer.state_dict`` in C
and saved as safetensors).

A new optimizer subclasses ``optim.Optimizer``, passes its defaults to
``super().__init__(params, defaults)`` and either overrides
``do_update(self, group, param, grad, state)`` (called from C for every
parameter with a gradient; ``state`` is the parameter's Lt.StateDict) or
``step()`` in Python.
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Any, Callable, Iterable, Mapping

from gi.repository import GLib, GObject

from .autograd import enable_grad
from .common import Lt, namespace, override
from .common import NotImplementedError_, RuntimeError_, TypeError_, ValueError_

_GITensor = Lt.Tensor
_gi_add_param_group = Lt.Optimizer.add_param_group
_gi_step = Lt.Optimizer.step
_gi_zero_grad = Lt.Optimizer.zero_grad
_gi_state_dict = Lt.Optimizer.state_dict
_gi_load_state_dict = Lt.Optimizer.load_state_dict
_gi_get_params = Lt.Optimizer.get_params
_gi_get_state = Lt.Optimizer.get_state

__all__ = ['optim']


class _RequiredParameter:
    """The default of an option every group must give (torch.optim.optimizer.required)."""

    def __repr__(self):
        return '<required parameter>'


required = _RequiredParameter()

# Keys of PyTorch's param groups that configure its implementation, not the
# update: accepted and kept in Python.
_TORCH_ONLY = ('foreach', 'capturable', 'differentiable', 'fused')


def _typename(v):
    return type(v).__module__ + '.' + type(v).__name__


def _show(v):
    """A value as PyTorch shows it in repr(optimizer)."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return str(v)


class _ParamGroup:
    """A view of one C parameter group as PyTorch's dict: options read and
    set the C values; "params" lists the tensors; other keys stay in Python."""

    __slots__ = ('_opt', '_index')

    def __init__(self, optimizer, index):
        self._opt = optimizer
        self._index = index

    def _extra(self):
        return self._opt._py_extra(self._index)

    def _has_betas(self):
        return self._opt.has_option('beta1') and self._opt.has_option('beta2')

    def keys(self):
        names = [n for n in self._opt.list_options() if not (self._has_betas() and n in
                                                             ('beta1', 'beta2'))]
        if self._has_betas():
            names.insert(1, 'betas')
        return names + list(self._extra().keys()) + ['params']

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def __contains__(self, key):
        return key in self.keys()

    def __getitem__(self, key):
        opt, i = self._opt, self._index
        if key == 'params':
            return list(_gi_get_params(opt, i))
        if key == 'betas' and self._has_betas():
            return (opt.get_option(i, 'beta1'), opt.get_option(i, 'beta2'))
        if isinstance(key, str) and opt.has_option(key):
            v = opt.get_option(i, key)
            return bool(v) if opt.option_is_boolean(key) else v
        return self._extra()[key]

    def __setitem__(self, key, value):
        opt, i = self._opt, self._index
        if key == 'params':
            raise TypeError_('the parameters of a group cannot be replaced; use add_param_group()')
        if key == 'betas' and self._has_betas():
            b1, b2 = value
            opt.set_option(i, 'beta1', float(b1))
            opt.set_option(i, 'beta2', float(b2))
            return
        if isinstance(key, str) and opt.has_option(key):
            if opt.option_is_boolean(key):
                value = bool(value)
            elif not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise TypeError_('param group option %r must be a number, got %s'
                                % (key, type(value).__name__))
            opt.set_option(i, key, float(value))
            return
        self._extra()[key] = value

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def values(self):
        return [self[k] for k in self.keys()]

    def to_dict(self):
        return dict(self.items())

    def __eq__(self, other):
        if isinstance(other, _ParamGroup):
            other = other.to_dict()
        return self.to_dict() == other

    def __repr__(self):
        return repr(self.to_dict())


def _param_list(params):
    if isinstance(params, _GITensor):
        return [params]
    if isinstance(params, set):
        raise TypeError_('optimizer parameters need to be organized in ordered collections, but '
                        'the ordering of tensors in sets will change between runs. Please use '
                        'a list instead.')
    params = list(params)
    for p in params:
        if not isinstance(p, _GITensor):
            raise TypeError_('optimizer can only optimize Tensors, but one of the params is '
                            + _typename(p))
    return params


@override
class Optimizer(Lt.Optimizer):
    """The base class of optimizers, as ``torch.optim.Optimizer``."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any] | None = None) -> None:
        GObject.Object.__init__(self)
        self._init_optimizer(params, defaults or {})

    def _init_optimizer(self, params, defaults):
        if isinstance(params, _GITensor):
            raise TypeError_('params argument given to the optimizer should be an iterable of '
                            'Tensors or dicts, but got ' + _typename(params))
        self._py_defaults = {}
        for name, value in defaults.items():
            if name == 'betas' and self.has_option('beta1'):
                b1, b2 = value
                self.set_default('beta1', float(b1))
                self.set_default('beta2', float(b2))
            elif name == 'betas' and not self.has_option('beta1'):
                b1, b2 = value
                self.install_option('beta1', float(b1), False)
                self.install_option('beta2', float(b2), False)
            elif value is required:
                self._py_defaults[name] = value
            elif self.has_option(name):
                self.set_default(name, float(value))
            elif isinstance(value, (bool, numbers.Real)) and name not in _TORCH_ONLY:
                self.install_option(name, float(value), isinstance(value, bool))
            else:
                self._py_defaults[name] = value
        groups = list(params)
        if not groups:
            raise ValueError_('optimizer got an empty parameter list')
        if not isinstance(groups[0], dict):
            groups = [{'params': groups}]
        for g in groups:
            self.add_param_group(g)

    # Python-side data (also for objects made in C, where __init__ did not run)

    def _py_extra(self, index):
        d = self.__dict__.setdefault('_py_groups_extra', {})
        return d.setdefault(index, {})

    @property
    def defaults(self) -> dict[str, Any]:
        out = {}
        for name in self.list_options():
            v = self.get_default(name)
            out[name] = bool(v) if self.option_is_boolean(name) else v
        if 'beta1' in out and 'beta2' in out:
            out['betas'] = (out.pop('beta1'), out.pop('beta2'))
        out.update(self.__dict__.get('_py_defaults', {}))
        return out

    @property
    def param_groups(self) -> list[Any]:
        return [_ParamGroup(self, i) for i in range(self.get_n_param_groups())]

    @property
    def state(self) -> Any:
        """``optimizer.state[param]``: the state tensors of each parameter."""
        out = {}
        for g in range(self.get_n_param_groups()):
            for p in _gi_get_params(self, g):
                st = _gi_get_state(self, p)
                if st is not None and st.get_n_tensors():
                    out[p] = {st.get_name(k): st.get_tensor(k) for k in range(st.get_n_tensors())}
        return out

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Adds a group (a dict with 'params' and optional options)."""
        if not isinstance(param_group, dict):
            raise TypeError_('param group must be a dict')
        params = _param_list(param_group['params'])
        options = {k: v for k, v in param_group.items() if k != 'params'}
        pydefaults = self.__dict__.get('_py_defaults', {})
        for name, default in pydefaults.items():
            if default is required and name not in options:
                raise ValueError_("parameter group didn't specify a value of required "
                                 "optimization parameter " + name)
        # check the values before the group exists
        for k, v in options.items():
            if k == 'betas' and self.has_option('beta1'):
                if len(v) != 2 or not all(isinstance(b, numbers.Real) for b in v):
                    raise TypeError_('betas must be a pair of numbers')
            elif self.has_option(k) and not self.option_is_boolean(k):
                if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v):
                    raise TypeError_('param group option %r must be a finite number, got %r'
                                    % (k, v))
        _gi_add_param_group(self, params)
        group = _ParamGroup(self, self.get_n_param_groups() - 1)
        for name, default in pydefaults.items():
            if default is not required:
                group._extra().setdefault(name, default)
        for k, v in options.items():
            group[k] = v

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Clears the gradients: zeros (PyTorch 1.13's default) or None."""
        _gi_zero_grad(self, bool(set_to_none))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter with a gradient; returns closure()'s loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        _gi_step(self)
        return loss

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's structure: {'state': {index: {name: tensor}}, 'param_groups': [...]}"""
        sd = _gi_state_dict(self)
        state = {}
        for k in range(sd.get_n_tensors()):
            _, index, name = sd.get_name(k).split('.', 2)
            state.setdefault(int(index), {})[name] = sd.get_tensor(k)
        groups = json.loads(sd.get_metadata('param_groups'))
        for i, g in enumerate(groups):
            if 'betas' in g:
                g['betas'] = tuple(g['betas'])
            extra = self._py_extra(i)
            for k, v in extra.items():
                g.setdefault(k, v)
            params = g.pop('params')
            g['params'] = params
        return {'state': state, 'param_groups': groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restores options and state from state_dict() (or an Lt.StateDict)."""
        if isinstance(state_dict, Lt.StateDict):
            _gi_load_state_dict(self, state_dict)
            return
        sd = Lt.StateDict.new()
        groups = []
        extras = []
        for g in state_dict['param_groups']:
            c, extra = {}, {}
            for k, v in g.items():
                if k == 'params' or k == 'betas' or self.has_option(k):
                    c[k] = list(v) if k in ('params', 'betas') else v
                else:
                    extra[k] = v
            groups.append(c)
            extras.append(extra)
        for index, st in state_dict['state'].items():
            for name, t in st.items():
                if not isinstance(t, _GITensor):
                    t = Lt.scalar_tensor(float(t), Lt.DType.FLOAT32)
                sd.insert('state.%d.%s' % (int(index), name), t)
        sd.set_metadata('param_groups', json.dumps(groups))
        _gi_load_state_dict(self, sd)
        for i, extra in enumerate(extras):
            self._py_extra(i).update(extra)

    def __repr__(self):
        # torch's layout: every line ends with a newline, a group starts with one
        s = type(self).__name__ + ' ('
        for i, group in enumerate(self.param_groups):
            s += '\nParameter Group %d\n' % i
            for key in sorted(group.keys()):
                if key != 'params':
                    s += '    %s: %s\n' % (key, _show(group[key]))
        return s + ')'


def _check_nonneg(what, value):
    if not value >= 0.0:
        raise ValueError_('Invalid %s: %s' % (what, value))


@override
class SGD(Lt.SGD):
    """``optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0,
    nesterov=False, *, maximize=False)``."""

    def __init__(self, params: Iterable[Any], lr: float = required, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False) -> None:
        if lr is not required:
            _check_nonneg('learning rate', lr)
        _check_nonneg('momentum value', momentum)
        _check_nonneg('weight_decay value', weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError_('Nesterov momentum requires a momentum and zero dampening')
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
            nesterov=nesterov, maximize=maximize, foreach=foreach,
            differentiable=differentiable))


def _check_adam(lr, betas, eps, weight_decay):
    _check_nonneg('learning rate', lr)
    _check_nonneg('epsilon value', eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError_('Invalid beta parameter at index 0: {}'.format(betas[0]))
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError_('Invalid beta parameter at index 1: {}'.format(betas[1]))
    _check_nonneg('weight_decay value', weight_decay)


@override
class Adam(Lt.Adam):
    """``optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=0, amsgrad=False, *, maximize=False)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable,
            differentiable=differentiable, fused=fused))


@override
class AdamW(Lt.AdamW):
    """``optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=1e-2, amsgrad=False, *, maximize=False)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
            maximize=maximize, foreach=foreach, capturable=capturable))


@override
class RMSprop(Lt.RMSprop):
    """``optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
    momentum=0, centered=False, maximize=False)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg('learning rate', lr)
        _check_nonneg('epsilon value', eps)
        _check_nonneg('momentum value', momentum)
        _check_nonneg('weight_decay value', weight_decay)
        _check_nonneg('alpha value', alpha)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
            centered=centered, foreach=foreach, maximize=maximize,
            differentiable=differentiable))


@override
class Adagrad(Lt.Adagrad):
    """``optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0,
    initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        _check_nonneg('learning rate', lr)
        _check_nonneg('lr_decay value', lr_decay)
        _check_nonneg('weight_decay value', weight_decay)
        _check_nonneg('initial_accumulator_value value', initial_accumulator_value)
        _check_nonneg('epsilon value', eps)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value, foreach=foreach,
            maximize=maximize))


@override
class Adadelta(Lt.Adadelta):
    """``optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0,
    foreach=None, *, maximize=False)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        _check_nonneg('learning rate', lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError_('Invalid rho value: {}'.format(rho))
        _check_nonneg('epsilon value', eps)
        _check_nonneg('weight_decay value', weight_decay)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
            foreach=foreach))


@override
class Adamax(Lt.Adamax):
    """``optim.Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=0, foreach=None, *, maximize=False)``."""

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
            maximize=maximize))


@override
class NAdam(Lt.NAdam):
    """``optim.NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=0, momentum_decay=4e-3, foreach=None)``."""

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 foreach: bool | None = None) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        _check_nonneg('momentum_decay value', momentum_decay)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
            momentum_decay=momentum_decay, foreach=foreach))


@override
class RAdam(Lt.RAdam):
    """``optim.RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
    weight_decay=0, foreach=None)``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach))


@override
class LBFGS(Lt.LBFGS):
    """``optim.LBFGS(params, lr=1, max_iter=20, max_eval=None,
    tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
    line_search_fn=None)``; ``step(closure)`` returns the closure's first
    loss.  The line search ``'strong_wolfe'`` is the C option
    ``strong_wolfe``."""

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        if line_search_fn not in (None, 'strong_wolfe'):
            raise RuntimeError_("only 'strong_wolfe' is supported")
        _check_nonneg('learning rate', lr)
        GObject.Object.__init__(self)
        Optimizer._init_optimizer(self, params, dict(
            lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change, history_size=history_size,
            strong_wolfe=line_search_fn == 'strong_wolfe'))
        self._py_defaults['line_search_fn'] = line_search_fn
        self._py_extra(0)['line_search_fn'] = line_search_fn
        if self.get_n_param_groups() != 1:
            raise ValueError_("LBFGS doesn't support per-parameter options (parameter groups)")

    def step(self, closure: Callable[[], Any]) -> Any:
        """Up to max_iter iterations, calling closure() (grad mode on) to
        re-evaluate the model; returns the loss of its first call."""
        if closure is None:
            raise TypeError_("LBFGS.step() missing 1 required positional argument: 'closure'")
        results, failure = [], []

        def call(_data=None):
            if failure:
                return False, 0.0
            try:
                with enable_grad():
                    loss = closure()
                results.append(loss)
                return True, float(loss)
            except BaseException as e:  # re-raised below, as the caller's own
                failure.append(e)
                return False, 0.0

        try:
            self.step_with_closure(call, None)
        except GLib.Error:
            if failure:
                raise failure[0] from None
            raise
        if failure:
            raise failure[0]
        return results[0] if results else None


# The Python API of the base class on the library's optimizers (final C
# types: their Python classes cannot derive from Optimizer's).
for _cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, LBFGS):
    for _name in ('_py_extra', 'defaults', 'param_groups', 'state', 'add_param_group',
                  'zero_grad', 'step', 'state_dict', 'load_state_dict', '__repr__'):
        if _name not in _cls.__dict__:
            setattr(_cls, _name, Optimizer.__dict__[_name])
del _cls, _name


# ---------------------------------------------------------------------------
# Learning-rate schedules

class _LRScheduler:
    """The base of schedules written in Python, as torch's ``_LRScheduler``:
    subclasses set their fields, call ``super().__init__(optimizer)`` and
    write ``get_lr()`` from ``self.last_epoch`` and ``group['lr']``."""

    def __init__(self, optimizer: Any, last_epoch: int = -1, verbose: bool = False) -> None:
        if not isinstance(optimizer, Lt.Optimizer):
            raise TypeError_('{} is not an Optimizer'.format(type(optimizer).__name__))
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault('initial_lr', group['lr'])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if 'initial_lr' not in group:
                    raise KeyError("param 'initial_lr' is not specified in param_groups[{}] "
                                   "when resuming an optimizer".format(i))
        self.base_lrs = [group['initial_lr'] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.verbose = verbose
        self._step_count = 0
        self.step()

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
        else:
            self.last_epoch = epoch
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group['lr'] = lr
        self._last_lr = [group['lr'] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != 'optimizer'}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        self.__dict__.update(state_dict)


class _CScheduler:
    """A schedule computed in C (an Lt.LRScheduler), with torch's methods."""

    def __init__(self, optimizer: Any, last_epoch: int, make: Callable[[], Any]) -> None:
        if not isinstance(optimizer, Lt.Optimizer):
            raise TypeError_('{} is not an Optimizer'.format(type(optimizer).__name__))
        if last_epoch != -1:
            raise ValueError_('resuming a schedule (last_epoch=%r) is not supported; make it '
                             'with last_epoch=-1' % (last_epoch,))
        self.optimizer = optimizer
        self._failures = []
        self.scheduler = self._call(make)

    def _call(self, fn):
        """fn(), re-raising as it is an exception a Python callback of the
        schedule raised meanwhile."""
        try:
            out = fn()
        except GLib.Error:
            if self._failures:
                raise self._failures.pop() from None
            raise
        if self._failures:
            raise self._failures.pop()
        return out

    def _callback(self, fn):
        """A C callback that calls fn, keeping its exception for _call."""
        def call(*args):
            try:
                return float(fn(*args))
            except BaseException as e:  # re-raised by _call, as the caller's own
                self._failures.append(e)
                return math.nan
        return call

    def _n(self):
        n = 0
        while (n < self.optimizer.get_n_param_groups()
               and not math.isnan(self.scheduler.get_base_lr(n))):
            n += 1
        return n

    @property
    def last_epoch(self) -> int:
        return self.scheduler.get_last_epoch()

    @last_epoch.setter
    def last_epoch(self, value: int) -> None:
        self.scheduler.set_last_epoch(int(value))

    @property
    def base_lrs(self) -> list[float]:
        return [self.scheduler.get_base_lr(i) for i in range(self._n())]

    def step(self, epoch: int | None = None) -> None:
        """The next epoch, or ``epoch`` (torch's deprecated ``step(epoch)``:
        the closed form where the schedule has one)."""
        if epoch is None:
            self._call(self.scheduler.step)
        else:
            self._call(lambda: self.scheduler.step_to(int(epoch)))

    def _initial_step(self) -> None:
        self.step()

    def get_last_lr(self) -> list[float]:
        return [self.scheduler.get_last_lr(i) for i in range(self._n())]

    def state_dict(self) -> dict[str, Any]:
        return {'last_epoch': self.last_epoch, 'base_lrs': self.base_lrs,
                '_last_lr': self.get_last_lr()}


def _per_group(name, optimizer, value):
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError_('expected {} values for {}, got {}'.format(
                len(optimizer.param_groups), name, len(value)))
        return [float(v) for v in value]
    return [float(value)]


class StepLR(_CScheduler):
    """``lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)``."""

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.StepLR.new(optimizer, int(step_size), float(gamma)))


class MultiStepLR(_CScheduler):
    """``lr_scheduler.MultiStepLR(optimizer, milestones, gamma=0.1)``."""

    def __init__(self, optimizer: Any, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        self.milestones = [int(m) for m in milestones]
        self.gamma = gamma
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.MultiStepLR.new(optimizer, self.milestones, float(gamma)))


class CosineAnnealingLR(_CScheduler):
    """``lr_scheduler.CosineAnnealingLR(optimizer, T_max, eta_min=0)``."""

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.CosineAnnealingLR.new(optimizer, int(T_max),
                                                          float(eta_min)))


class LambdaLR(_CScheduler):
    """``lr_scheduler.LambdaLR(optimizer, lr_lambda)``: lr = base_lr *
    lr_lambda(epoch); one function or one per group."""

    def __init__(self, optimizer: Any, lr_lambda: Any, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        cb = self._callback(lambda group, epoch: self.lr_lambdas[group](epoch))
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.LambdaLR.new(optimizer, cb))


class MultiplicativeLR(_CScheduler):
    """``lr_scheduler.MultiplicativeLR(optimizer, lr_lambda)``: lr = lr *
    lr_lambda(epoch) after epoch 0."""

    def __init__(self, optimizer: Any, lr_lambda: Any, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        cb = self._callback(lambda group, epoch: self.lr_lambdas[group](epoch))
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.MultiplicativeLR.new(optimizer, cb))


def _lambdas(optimizer, lr_lambda):
    n = optimizer.get_n_param_groups() if isinstance(optimizer, Lt.Optimizer) else 0
    if not isinstance(lr_lambda, (list, tuple)):
        return [lr_lambda] * n
    if len(lr_lambda) != n:
        raise ValueError_('Expected {} lr_lambdas, but got {}'.format(n, len(lr_lambda)))
    return list(lr_lambda)


class ExponentialLR(_CScheduler):
    """``lr_scheduler.ExponentialLR(optimizer, gamma)``."""

    def __init__(self, optimizer: Any, gamma: float, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.ExponentialLR.new(optimizer, float(gamma)))


class LinearLR(_CScheduler):
    """``lr_scheduler.LinearLR(optimizer, start_factor=1/3, end_factor=1.0,
    total_iters=5)``."""

    def __init__(self, optimizer: Any, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1, verbose: bool = False) -> None:
        if start_factor > 1.0 or start_factor < 0:
            raise ValueError_('Starting multiplicative factor expected to be between 0 and 1.')
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError_('Ending multiplicative factor expected to be between 0 and 1.')
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.LinearLR.new(optimizer, float(start_factor),
                                                 float(end_factor), int(total_iters)))


class CosineAnnealingWarmRestarts(_CScheduler):
    """``lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0, T_mult=1,
    eta_min=0)``."""

    def __init__(self, optimizer: Any, T_0: int, T_mult: int = 1, eta_min: float = 0,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError_('Expected positive integer T_0, but got {}'.format(T_0))
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError_('Expected integer T_mult >= 1, but got {}'.format(T_mult))
        self.T_0, self.T_mult, self.eta_min = T_0, T_mult, eta_min
        super().__init__(optimizer, last_epoch,
                         lambda: Lt.CosineAnnealingWarmRestarts.new(optimizer, T_0, T_mult,
                                                                    float(eta_min)))

    def step(self, epoch: int | None = None) -> None:
        if epoch is not None and epoch < 0:
            raise ValueError_('Expected non-negative epoch, but got {}'.format(epoch))
        super().step(epoch)


class OneCycleLR(_CScheduler):
    """``lr_scheduler.OneCycleLR(optimizer, max_lr, total_steps=None,
    epochs=None, steps_per_epoch=None, pct_start=0.3, anneal_strategy='cos',
    cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
    div_factor=25., final_div_factor=1e4, three_phase=False)``."""

    def __init__(self, optimizer: Any, max_lr: Any, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = 'cos',
                 cycle_momentum: bool = True, base_momentum: float = 0.85,
                 max_momentum: float = 0.95, div_factor: float = 25.,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1, verbose: bool = False) -> None:
        if not isinstance(optimizer, Lt.Optimizer):
            raise TypeError_('{} is not an Optimizer'.format(type(optimizer).__name__))
        if total_steps is None and epochs is None and steps_per_epoch is None:
            raise ValueError_('You must define either total_steps OR (epochs AND steps_per_epoch)')
        elif total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError_('Expected positive integer total_steps, but got {}'
                                 .format(total_steps))
        else:
            if epochs <= 0 or not isinstance(epochs, int):
                raise ValueError_('Expected positive integer epochs, but got {}'.format(epochs))
            if steps_per_epoch <= 0 or not isinstance(steps_per_epoch, int):
                raise ValueError_('Expected positive integer steps_per_epoch, but got {}'
                                 .format(steps_per_epoch))
            total_steps = epochs * steps_per_epoch
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError_('Expected float between 0 and 1 pct_start, but got {}'
                             .format(pct_start))
        if anneal_strategy not in ('cos', 'linear'):
            raise ValueError_("anneal_strategy must by one of 'cos' or 'linear', instead got {}"
                             .format(anneal_strategy))
        if isinstance(base_momentum, (list, tuple)) or isinstance(max_momentum, (list, tuple)):
            raise NotImplementedError_('OneCycleLR: momenta per group are not supported; give '
                                      'one base_momentum and one max_momentum')
        self.total_steps = total_steps
        self.cycle_momentum = cycle_momentum
        max_lrs = _per_group('max_lr', optimizer, max_lr)
        if cycle_momentum and 'momentum' not in optimizer.defaults \
                and 'betas' not in optimizer.defaults:
            raise ValueError_('optimizer must support momentum with `cycle_momentum` option '
                             'enabled')
        super().__init__(optimizer, last_epoch, lambda: Lt.OneCycleLR.new(
            optimizer, max_lrs, total_steps, float(pct_start), anneal_strategy,
            bool(cycle_momentum), float(base_momentum), float(max_momentum),
            float(div_factor), float(final_div_factor), bool(three_phase)))

    def step(self, epoch: int | None = None) -> None:
        step_num = self.last_epoch + 1 if epoch is None else epoch
        if step_num > self.total_steps:
            raise ValueError_('Tried to step {} times. The specified number of total steps is {}'
                             .format(step_num + 1, self.total_steps))
        super().step(epoch)


class CyclicLR(_CScheduler):
    """``lr_scheduler.CyclicLR(optimizer, base_lr, max_lr, step_size_up=2000,
    step_size_down=None, mode='triangular', gamma=1., scale_fn=None,
    scale_mode='cycle', cycle_momentum=True, base_momentum=0.8,
    max_momentum=0.9)``."""

    def __init__(self, optimizer: Any, base_lr: Any, max_lr: Any, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = 'triangular',
                 gamma: float = 1., scale_fn: Callable[[Any], float] | None = None,
                 scale_mode: str = 'cycle', cycle_momentum: bool = True,
                 base_momentum: float = 0.8, max_momentum: float = 0.9, last_epoch: int = -1,
                 verbose: bool = False) -> None:
        if not isinstance(optimizer, Lt.Optimizer):
            raise TypeError_('{} is not an Optimizer'.format(type(optimizer).__name__))
        if mode not in ('triangular', 'triangular2', 'exp_range') and scale_fn is None:
            raise ValueError_('mode is invalid and scale_fn is None')
        if cycle_momentum and 'momentum' not in optimizer.defaults:
            raise ValueError_('optimizer must support momentum with `cycle_momentum` option '
                             'enabled')
        if isinstance(base_momentum, (list, tuple)) or isinstance(max_momentum, (list, tuple)):
            raise NotImplementedError_('CyclicLR: momenta per group are not supported; give '
                                      'one base_momentum and one max_momentum')
        self.max_lrs = (list(max_lr) if isinstance(max_lr, (list, tuple))
                        else [max_lr] * len(optimizer.param_groups))
        self.mode, self.gamma, self.cycle_momentum = mode, gamma, cycle_momentum
        self.scale_mode = scale_mode if scale_fn is not None else (
            'iterations' if mode == 'exp_range' else 'cycle')
        c_mode = mode if scale_fn is None else 'triangular'
        super().__init__(optimizer, last_epoch, lambda: Lt.CyclicLR.new(
            optimizer, _per_group('base_lr', optimizer, base_lr),
            _per_group('max_lr', optimizer, max_lr), float(step_size_up),
            float(step_size_down) if step_size_down is not None else 0.0, c_mode, float(gamma),
            bool(cycle_momentum), float(base_momentum), float(max_momentum)))
        if scale_fn is not None:
            self._scale_fn_custom = scale_fn
            self.scheduler.set_scale_fn(self._callback(lambda x, _data=None: scale_fn(int(x))),
                                        None, scale_mode == 'cycle')


class SequentialLR(_CScheduler):
    """``lr_scheduler.SequentialLR(optimizer, schedulers, milestones)``:
    the schedules (of this module, on ``optimizer``) one after another."""

    def __init__(self, optimizer: Any, schedulers: list[Any], milestones: list[int],
                 last_epoch: int = -1, verbose: bool = False) -> None:
        for i, sched in enumerate(schedulers):
            if not isinstance(sched, _CScheduler):
                raise TypeError_('SequentialLR: schedulers[%d] is a %s; it chains the schedules '
                                'of Lt.optim.lr_scheduler' % (i, type(sched).__name__))
            if sched.optimizer is not optimizer:
                raise ValueError_(
                    'Sequential Schedulers expects all schedulers to belong to the same '
                    'optimizer, but got schedulers at index {} to be different than the '
                    'optimizer passed in.'.format(i))
        if len(milestones) != len(schedulers) - 1:
            raise ValueError_(
                'Sequential Schedulers expects number of schedulers provided to be one more '
                'than the number of milestone points, but got number of schedulers {} and the '
                'number of milestones to be equal to {}'.format(len(schedulers),
                                                                len(milestones)))
        self._schedulers = list(schedulers)
        self._milestones = [int(m) for m in milestones]
        super().__init__(optimizer, last_epoch, lambda: Lt.SequentialLR.new(
            optimizer, [s.scheduler for s in schedulers], self._milestones))
        for s in self._schedulers:          # their Python callbacks' exceptions
            s._failures = self._failures

    def step(self) -> None:  # type: ignore[override]
        self._call(self.scheduler.step)


class ReduceLROnPlateau:
    """``lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=0.1,
    patience=10, threshold=1e-4, threshold_mode='rel', cooldown=0, min_lr=0,
    eps=1e-8)``; ``step(metrics)`` once per epoch."""

    def __init__(self, optimizer: Any, mode: str = 'min', factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = 'rel',
                 cooldown: int = 0, min_lr: Any = 0, eps: float = 1e-8,
                 verbose: bool = False) -> None:
        if factor >= 1.0:
            raise ValueError_('Factor should be < 1.0.')
        if not isinstance(optimizer, Lt.Optimizer):
            raise TypeError_('{} is not an Optimizer'.format(type(optimizer).__name__))
        if isinstance(min_lr, (list, tuple)) and len(min_lr) != len(optimizer.param_groups):
            raise ValueError_('expected {} min_lrs, got {}'.format(len(optimizer.param_groups),
                                                                 len(min_lr)))
        if mode not in ('min', 'max'):
            raise ValueError_('mode ' + mode + ' is unknown!')
        if threshold_mode not in ('rel', 'abs'):
            raise ValueError_('threshold mode ' + threshold_mode + ' is unknown!')
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode, self.cooldown, self.eps = (threshold, threshold_mode,
                                                                        cooldown, eps)
        self.min_lrs = _per_group('min_lr', optimizer, min_lr)
        self.scheduler = Lt.ReduceLROnPlateau.new(optimizer, mode == 'max', float(factor),
                                                  int(patience), float(threshold),
                                                  threshold_mode == 'abs', int(cooldown),
                                                  self.min_lrs, float(eps))
        if len(self.min_lrs) == 1:
            self.min_lrs = self.min_lrs * len(optimizer.param_groups)
        self._last_lr = [g['lr'] for g in optimizer.param_groups]

    def step(self, metrics: Any, epoch: int | None = None) -> None:
        if epoch is not None:
            raise ValueError_('step(metrics, epoch) is deprecated in PyTorch and not supported')
        self.scheduler.step(float(metrics))
        self._last_lr = [g['lr'] for g in self.optimizer.param_groups]

    @property
    def last_epoch(self) -> int:
        return self.scheduler.get_last_epoch()

    @property
    def best(self) -> float:
        return self.scheduler.get_best()

    @property
    def num_bad_epochs(self) -> int:
        return self.scheduler.get_num_bad_epochs()

    @property
    def cooldown_counter(self) -> int:
        return self.scheduler.get_cooldown_counter()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def get_last_lr(self) -> list[float]:
        return self._last_lr


lr_scheduler = namespace('Lt.optim.lr_scheduler', 'torch.optim.lr_scheduler for libtensor.', {
    '_LRScheduler': _LRScheduler, 'LRScheduler': _LRScheduler, 'StepLR': StepLR,
    'MultiStepLR': MultiStepLR, 'CosineAnnealingLR': CosineAnnealingLR, 'LambdaLR': LambdaLR,
    'MultiplicativeLR': MultiplicativeLR, 'ExponentialLR': ExponentialLR, 'LinearLR': LinearLR,
    'CosineAnnealingWarmRestarts': CosineAnnealingWarmRestarts, 'OneCycleLR': OneCycleLR,
    'CyclicLR': CyclicLR, 'SequentialLR': SequentialLR, 'ReduceLROnPlateau': ReduceLROnPlateau,
})

optim = namespace('Lt.optim', 'torch.optim for libtensor.', {
    'Optimizer': Optimizer, 'SGD': SGD, 'Adam': Adam, 'AdamW': AdamW, 'RMSprop': RMSprop,
    'Adagrad': Adagrad, 'Adadelta': Adadelta, 'Adamax': Adamax, 'NAdam': NAdam, 'RAdam': RAdam,
    'LBFGS': LBFGS,
    'lr_scheduler': lr_scheduler, 'required': required,
})
