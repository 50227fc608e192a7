# SPDX-License-Identifier: LGPL-2.1-or-later
"""The containers of ``Lt.nn``: Identity, ModuleList, ModuleDict,
ParameterList and ParameterDict, over the C modules of
libtensor/nn/lt-containers.c.

Part of gi/overrides/_lt/nn.py, which imports this file at its end and
adds these classes to ``Lt.nn``.  Their modules and parameters are the C
module's own children and parameters, so an owner's named_parameters(),
state_dict() and print(net) give PyTorch's names ("layers.0.weight",
"params.0")::

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
            self.scales = nn.ParameterList([nn.Parameter(torch.ones(4))
                                            for _ in range(3)])

        def forward(self, x):
            for layer, s in zip(self.layers, self.scales):
                x = layer(x) * s
            return x
"""

from __future__ import annotations

import collections.abc
import operator
from typing import Any, Iterable, Iterator, Mapping

from .common import Lt, override
from .common import IndexError_, TypeError_, ValueError_
from .nn import Module, Parameter, _GITensor, _gi_register_module, _gi_register_parameter, \
    _is_module, _module_base

_gi_module_list_append = Lt.ModuleList.append
_gi_parameter_list_append = Lt.ParameterList.append


def _list_index(idx, n, what):
    i = operator.index(idx)
    if not -n <= i < n:
        raise IndexError_('index %d is out of range' % i)
    return i + n if i < 0 else i


def _check_module(m):
    if not _is_module(m):
        raise TypeError_('%s is not a Module subclass' % type(m).__name__)
    return m


def _as_parameter(v):
    """What a parameter container stores: a Parameter as it is, a tensor as
    a new Parameter sharing its memory (as torch 1.13 does)."""
    if isinstance(v, Parameter):
        return v
    if isinstance(v, _GITensor):
        return Parameter(v)
    raise TypeError_("cannot assign '%s' object to a parameter container (Lt.nn.Parameter or "
                    "tensor required)" % type(v).__name__)


def _register_parameter(owner, name, p):
    # the C module makes a parameter require grad; keep a frozen one frozen
    rg = p.requires_grad
    _gi_register_parameter(owner, name, p)
    if not rg:
        p.requires_grad_(False)


@override
class Identity(_module_base(Lt.Identity)):
    """``nn.Identity(*args, **kwargs)``: returns its input; the arguments
    are ignored, as PyTorch's are."""

    def __new__(cls, *args, **kwargs):
        return Lt.Identity.new()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def forward(self, input: Any) -> Any:
        return input


@override
class ModuleList(_module_base(Lt.ModuleList)):
    """``nn.ModuleList(modules=None)``: modules in a list, named "0", "1",
    ...; indexing, slicing, iteration, append, extend, insert, del."""

    def __new__(cls, modules=None):
        mods = [] if modules is None else [_check_module(m) for m in modules]
        return Lt.ModuleList.new(mods)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def _modules_list(self):
        return [m for _, m in self.named_children()]

    def _renumber(self, mods):
        for name, _ in list(self.named_children()):
            self.remove(name)
        for m in mods:
            _gi_module_list_append(self, m)

    def __len__(self) -> int:
        return self.get_n_children()

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules_list())

    def __getitem__(self, idx):
        mods = self._modules_list()
        if isinstance(idx, slice):
            return ModuleList(mods[idx])
        return mods[_list_index(idx, len(mods), 'ModuleList')]

    def __setitem__(self, idx, module):
        i = _list_index(idx, len(self), 'ModuleList')
        _gi_register_module(self, str(i), _check_module(module))

    def __delitem__(self, idx):
        mods = self._modules_list()
        if isinstance(idx, slice):
            del mods[idx]
        else:
            del mods[_list_index(idx, len(mods), 'ModuleList')]
        self._renumber(mods)

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList(self._modules_list() + list(other))

    def append(self, module: Module) -> ModuleList:
        _gi_module_list_append(self, _check_module(module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        if not isinstance(modules, collections.abc.Iterable):
            raise TypeError_('ModuleList.extend should be called with an iterable, but got '
                            + type(modules).__name__)
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        mods = self._modules_list()
        mods.insert(operator.index(index), _check_module(module))
        self._renumber(mods)

    def pop(self, key: int = -1) -> Module:
        v = self[key]
        del self[key]
        return v


@override
class ModuleDict(_module_base(Lt.ModuleDict)):
    """``nn.ModuleDict(modules=None)``: modules by name, in insertion
    order; a dict's methods."""

    def __new__(cls, modules=None):
        m = Lt.ModuleDict.new()
        if modules is not None:
            m.update(modules)
        return m

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getitem__(self, key: str) -> Module:
        m = self.get_child(key) if isinstance(key, str) and '.' not in key else None
        if m is None:
            raise KeyError(key)
        return m

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _check_module(module))

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.remove(key)

    def __len__(self) -> int:
        return self.get_n_children()

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def keys(self) -> list[str]:
        return [k for k, _ in self.named_children()]

    def items(self) -> list[tuple[str, Module]]:
        return list(self.named_children())

    def values(self) -> list[Module]:
        return [m for _, m in self.named_children()]

    def pop(self, key: str) -> Module:
        v = self[key]
        del self[key]
        return v

    def clear(self) -> None:
        for k in self.keys():
            self.remove(k)

    def update(self, modules: Any) -> None:
        if isinstance(modules, (collections.OrderedDict, ModuleDict, collections.abc.Mapping)):
            for k, v in modules.items():
                self[k] = v
            return
        if not isinstance(modules, collections.abc.Iterable):
            raise TypeError_('ModuleDict.update should be called with an iterable of key/value '
                            'pairs, but got ' + type(modules).__name__)
        for j, kv in enumerate(modules):
            if not isinstance(kv, collections.abc.Iterable) or len(kv) != 2:
                raise ValueError_('ModuleDict update sequence element #%d should be an iterable '
                                 'of length 2' % j)
            self[kv[0]] = kv[1]


@override
class ParameterList(_module_base(Lt.ParameterList)):
    """``nn.ParameterList(values=None)``: parameters in a list, named "0",
    "1", ...; a tensor becomes a Parameter sharing its memory."""

    def __new__(cls, values=None):
        m = Lt.ParameterList.new([])
        if values is not None:
            m.extend(values)
        return m

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def _params(self):
        return [self.get_parameter(n) for n in self.get_parameter_names()]

    def __len__(self) -> int:
        return len(self.get_parameter_names())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._params())

    def __getitem__(self, idx):
        ps = self._params()
        if isinstance(idx, slice):
            return ParameterList(ps[idx])
        return ps[_list_index(idx, len(ps), 'ParameterList')]

    def __setitem__(self, idx, value):
        i = _list_index(idx, len(self), 'ParameterList')
        _register_parameter(self, str(i), _as_parameter(value))

    def __iadd__(self, values):
        return self.extend(values)

    def append(self, value: Any) -> ParameterList:
        p = _as_parameter(value)
        rg = p.requires_grad
        _gi_parameter_list_append(self, p)
        if not rg:
            p.requires_grad_(False)
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        if not isinstance(values, collections.abc.Iterable) or isinstance(values, _GITensor):
            raise TypeError_('ParameterList.extend should be called with an iterable, but got '
                            + type(values).__name__)
        for v in values:
            self.append(v)
        return self


@override
class ParameterDict(_module_base(Lt.ParameterDict)):
    """``nn.ParameterDict(parameters=None)``: parameters by name, in
    insertion order; a dict's methods; a tensor becomes a Parameter sharing
    its memory."""

    def __new__(cls, parameters=None):
        m = Lt.ParameterDict.new()
        if parameters is not None:
            m.update(parameters)
        return m

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str) or key not in self.get_parameter_names():
            raise KeyError(key)
        return self.get_parameter(key)

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError_('ParameterDict keys must be strings, got %s' % type(key).__name__)
        _register_parameter(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.remove(key)

    def __len__(self) -> int:
        return len(self.get_parameter_names())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return key in self.get_parameter_names()

    def keys(self) -> list[str]:
        return list(self.get_parameter_names())

    def items(self) -> list[tuple[str, Any]]:
        return [(k, self.get_parameter(k)) for k in self.keys()]

    def values(self) -> list[Any]:
        return [self.get_parameter(k) for k in self.keys()]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def pop(self, key: str) -> Any:
        v = self[key]
        del self[key]
        return v

    def clear(self) -> None:
        for k in self.keys():
            self.remove(k)

    def update(self, parameters: Any) -> None:
        if isinstance(parameters, (collections.abc.Mapping, ParameterDict)):
            items = parameters.items()
            if not isinstance(parameters, (collections.OrderedDict, ParameterDict)):
                items = sorted(items)   # torch sorts a plain dict's keys
            for k, v in items:
                self[k] = v
            return
        if not isinstance(parameters, collections.abc.Iterable):
            raise TypeError_('ParametersDict.update should be called with an iterable of '
                            'key/value pairs, but got ' + type(parameters).__name__)
        for j, kv in enumerate(parameters):
            if not isinstance(kv, collections.abc.Iterable) or len(kv) != 2:
                raise ValueError_('ParameterDict update sequence element #%d should be an '
                                 'iterable of length 2' % j)
            self[kv[0]] = kv[1]


MEMBERS: Mapping[str, Any] = {
    'Identity': Identity, 'ModuleList': ModuleList, 'ModuleDict': ModuleDict,
    'ParameterList': ParameterList, 'ParameterDict': ParameterDict,
}
