# SPDX-License-Identifier: LGPL-2.1-or-later
"""Random generators for the ``Lt`` overrides: ``Lt.Generator`` (torch's
``torch.Generator``: manual_seed, seed, initial_seed, get_state,
set_state) and the random functions that take ``generator=``: ``rand``,
``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial`` and the tensor methods ``normal_``, ``uniform_``,
``bernoulli``, ``bernoulli_`` and ``multinomial``.

A generator is a seed and an offset into the Philox counter space like the
global one (``Lt.manual_seed``); while a call runs with ``generator=g``,
the C library draws from ``g`` on the calling thread
(lt_generator_push/pop), so two generators seeded alike give the same
streams and the global generator does not move.

Part of gi/overrides/Lt.py, which exports __all__ and whose Tensor class
inherits TensorRandom.
"""

from __future__ import annotations

import contextlib
import operator
import struct
from typing import Any, Iterator

from ...overrides import override
from . import creation as _creation
from .common import Lt, TypeError_, error
from .types import _D, _float, _shape_args, device as _device

_GITensor = Lt.Tensor

__all__ = ['Generator', 'rand', 'randn', 'randint', 'randperm', 'normal', 'bernoulli',
           'multinomial']


@override
class Generator(Lt.Generator):
    """torch.Generator: a random stream of its own, passed as ``generator=``."""

    __module__ = 'gi.overrides.Lt'     # PyGObject's override() reads the namespace here

    def __init__(self, device: Any = 'cpu') -> None:
        Lt.Generator.__init__(self)
        self.device = _device(device) if isinstance(device, str) else device

    def manual_seed(self, seed: int) -> 'Generator':
        """Seeds the generator and restarts its stream; returns it."""
        Lt.Generator.manual_seed(self, operator.index(seed) % (1 << 64))
        return self

    def seed(self) -> int:
        """Seeds the generator from the system's entropy; returns the seed."""
        return Lt.Generator.seed(self)

    def initial_seed(self) -> int:
        return Lt.Generator.initial_seed(self)

    def get_state(self) -> Any:
        """The state as a uint8 tensor (16 bytes: the seed and the offset)."""
        seed, offset = Lt.Generator.get_state(self)
        data = struct.pack('<QQ', seed, offset)
        return _creation.tensor(list(data), dtype=_D.UINT8)

    def set_state(self, new_state: Any) -> 'Generator':
        """Restores a state that get_state() gave; returns the generator."""
        if not isinstance(new_state, _GITensor) or new_state.get_dtype() != _D.UINT8 \
                or new_state.numel() != 16:
            raise error('set_state: expected the uint8 tensor of 16 elements that '
                        'get_state() gives, not %r' % (new_state,), Lt.Error.INVALID_ARGUMENT)
        seed, offset = struct.unpack('<QQ', bytes(int(b) for b in new_state.tolist()))
        Lt.Generator.set_state(self, seed, offset)
        return self


@contextlib.contextmanager
def drawing(generator: Any) -> Iterator[None]:
    """Runs the body drawing from `generator` (None: the global one)."""
    if generator is None:
        yield
        return
    if not isinstance(generator, Lt.Generator):
        raise TypeError_('generator must be an Lt.Generator, not %s' % type(generator).__name__)
    generator.push()
    try:
        yield
    finally:
        generator.pop()


def _with_generator(fn):
    def wrapped(*args: Any, generator: Generator | None = None, **kwargs: Any) -> Any:
        with drawing(generator):
            return fn(*args, **kwargs)
    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = (fn.__doc__ or '') + '\n\ngenerator: an Lt.Generator to draw from.'
    return wrapped


rand = _with_generator(_creation.rand)
randn = _with_generator(_creation.randn)
randint = _with_generator(_creation.randint)
randperm = _with_generator(_creation.randperm)


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
    """torch.normal: normal(mean_tensor, std_tensor), normal(mean_tensor,
    std), normal(mean, std_tensor) elementwise, or normal(mean, std, size)."""
    with drawing(generator):
        if isinstance(mean, _GITensor) or isinstance(std, _GITensor):
            like = mean if isinstance(mean, _GITensor) else std
            if isinstance(mean, _GITensor) and isinstance(std, _GITensor):
                like = mean + std * 0
            noise = Lt.randn_like(like)
            return noise * std + mean
        if size is None:
            raise TypeError_('normal() with a number mean and std needs a size')
        t = _creation.randn(*_shape_args((size,)), dtype=dtype, device=device)
        t = t * _float(std) + _float(mean)
        return t.requires_grad_(requires_grad) if requires_grad else t


def bernoulli(input: Any, p: Any = None, *, generator: Generator | None = None) -> Any:
    """torch.bernoulli: 1 with the probability in each element of input
    (or p, a number), else 0."""
    return input.bernoulli(p, generator=generator)


def multinomial(input: Any, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Any:
    """torch.multinomial: category indices drawn with probabilities
    proportional to the rows of input."""
    return input.multinomial(num_samples, replacement, generator=generator)


class TensorRandom:
    """The random methods of Lt.Tensor that take generator=."""

    def bernoulli(self, p: Any = None, *, generator: Generator | None = None) -> Any:
        with drawing(generator):
            if p is None:
                return _GITensor.bernoulli(self)
            probs = Lt.full(list(self.get_shape()), _float(p), self.get_dtype())
            return _GITensor.bernoulli(probs)

    def bernoulli_(self, p: Any = 0.5, *, generator: Generator | None = None) -> Any:
        if isinstance(p, _GITensor):
            probs = p.expand(*self.shape).to(self.get_dtype()) \
                if p.get_dtype() != self.get_dtype() else p.expand(*self.shape)
        else:
            probs = Lt.full(list(self.get_shape()), _float(p), self.get_dtype())
        with drawing(generator):
            self.copy_(_GITensor.bernoulli(probs))
        return self

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Generator | None = None) -> Any:
        with drawing(generator):
            return _GITensor.multinomial(self, operator.index(num_samples), bool(replacement))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *,
                generator: Generator | None = None) -> Any:
        with drawing(generator):
            Lt.init_normal_(self, _float(mean), _float(std))
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Generator | None = None,
                 **kwargs: Any) -> Any:
        a = kwargs.pop('from', a)
        b = kwargs.pop('to', b)
        if kwargs:
            raise TypeError_('uniform_() got unexpected arguments %s' % ', '.join(kwargs))
        with drawing(generator):
            Lt.init_uniform_(self, _float(a), _float(b))
        return self
