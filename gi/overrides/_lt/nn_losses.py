# SPDX-License-Identifier: LGPL-2.1-or-later
"""Losses and functional forms of ``Lt.nn`` composed of tensor ops in
Python: ``F.binary_cross_entropy``, ``F.smooth_l1_loss``, ``F.huber_loss``,
``F.kl_div``, ``F.cosine_embedding_loss``, ``F.margin_ranking_loss``,
``F.cosine_similarity``, ``F.normalize``, ``F.pad`` (constant), and the
loss modules BCELoss, SmoothL1Loss, HuberLoss, KLDivLoss,
CosineEmbeddingLoss, MarginRankingLoss over them.

Their values and gradients are PyTorch 1.13's; their autograd graphs are
made of the ops they compose (not PyTorch's single loss nodes), and the
modules are Python subclasses of nn.Module (usable from Python, not from C
or JavaScript).

Part of gi/overrides/_lt/nn.py, which imports this file at its end and adds
MEMBERS to ``Lt.nn`` and FUNCTIONAL to ``Lt.nn.functional``.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any, Mapping, Sequence

from .common import Tensor
from .common import NotImplementedError_, RuntimeError_, TypeError_, ValueError_
from .nn import Module, _reduction


class _LtProxy:
    """The overridden Lt, looked up when used: this file is imported while
    Lt.py is still being imported."""

    def __getattr__(self, name):
        from gi.repository import Lt as lt
        return getattr(lt, name)


Lt = _LtProxy()


def _as(t, like):
    if not isinstance(t, Lt.Tensor):
        t = Lt.tensor(t, dtype=like.dtype)
    return t


def _check_same_size(name, input, target):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError_('Using a target size (%s) that is different to the input size (%s) '
                         'is deprecated. Please ensure they have the same size.'
                         % (list(target.shape), list(input.shape)))


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = 'mean') -> Tensor:
    """-(t log x + (1 - t) log(1 - x)) with the logarithms clamped at -100,
    as PyTorch's (lt_binary_cross_entropy)."""
    target = _as(target, input)
    _check_same_size('binary_cross_entropy', input, target)
    return Lt.binary_cross_entropy(input, target, weight,
                                   _reduction(reduction, size_average, reduce))


def smooth_l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = 'mean',
                   beta: float = 1.0) -> Tensor:
    target = _as(target, input)
    return Lt.smooth_l1_loss(input, target, _reduction(reduction, size_average, reduce),
                             float(beta))


def huber_loss(input: Tensor, target: Any, reduction: str = 'mean',
               delta: float = 1.0) -> Tensor:
    target = _as(target, input)
    return Lt.huber_loss(input, target, _reduction(reduction), float(delta))


def kl_div(input: Tensor, target: Any, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = 'mean',
           log_target: bool = False) -> Tensor:
    """target * (log target - input), with 0 where target is 0; with
    log_target, exp(target) * (target - input) (lt_kl_div)."""
    target = _as(target, input)
    if reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.")
    if reduction == 'batchmean':
        if size_average is not None or reduce is not None:
            return Lt.kl_div(input, target, _reduction('sum', size_average, reduce),
                             bool(log_target))
        loss = Lt.kl_div(input, target, Lt.Reduction.SUM, bool(log_target))
        return loss / (input.shape[0] if input.dim() > 0 else 1)
    return Lt.kl_div(input, target, _reduction(reduction, size_average, reduce),
                     bool(log_target))


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    return Lt.cosine_similarity(x1, x2, operator.index(dim), float(eps))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = 'mean') -> Tensor:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin)
    where it is -1 (lt_cosine_embedding_loss)."""
    target = _as(target, input1)
    return Lt.cosine_embedding_loss(input1, input2, target, float(margin),
                                    _reduction(reduction, size_average, reduce))


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = 'mean') -> Tensor:
    target = _as(target, input1)
    return Lt.margin_ranking_loss(input1, input2, target, float(margin),
                                  _reduction(reduction, size_average, reduce))


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    if out is not None:
        raise NotImplementedError_('normalize: out= is not supported')
    denom = input.norm(float(p), dim=operator.index(dim), keepdim=True).clamp(min=float(eps))
    return input / denom


def pad(input: Tensor, pad: Sequence[int], mode: str = 'constant',
        value: float | None = None) -> Tensor:
    """Padding (or cropping, for negative sizes) of the last len(pad) / 2
    dimensions: pad = (left, right, top, bottom, ...); mode "constant",
    or "reflect", "replicate" and "circular" (lt_pad)."""
    pad = [operator.index(v) for v in pad]
    if mode != 'constant':
        if mode not in ('reflect', 'replicate', 'circular'):
            raise NotImplementedError_('Unrecognised padding mode %s' % (mode,))
        if value is not None:
            raise RuntimeError_('Padding mode "{}" doesn\'t take in value argument'.format(mode))
        return Lt.pad(input, pad, mode, 0.0)
    if len(pad) % 2 or len(pad) // 2 > input.dim():
        raise ValueError_('Padding length must be divisible by 2 and at most twice the number of '
                         'dimensions of the input')
    value = 0.0 if value is None else float(value)
    out = input
    for k in range(len(pad) // 2):
        dim = input.dim() - 1 - k
        left, right = pad[2 * k], pad[2 * k + 1]
        size = out.shape[dim]
        if left < 0 or right < 0:
            start = max(-left, 0)
            stop = size - max(-right, 0)
            if stop < start:
                raise RuntimeError_('pad: the input of size %d along dim %d cannot be cropped '
                                   'by %d and %d' % (size, dim, -left, -right))
            out = out.narrow(dim, start, stop - start)
            left, right = max(left, 0), max(right, 0)
        parts = []
        for n in (left, None, right):
            if n is None:
                parts.append(out)
            elif n > 0:
                shape = list(out.shape)
                shape[dim] = n
                parts.append(Lt.full(shape, value, dtype=out.dtype))
        if len(parts) > 1:
            out = Lt.cat(parts, dim)
    return out


def _loss_class(name, fn, doc, defaults, args):
    """A loss module over fn: its constructor takes `defaults` (PyTorch's
    keyword arguments) and its forward the tensors `args`."""

    def __init__(self, *a, **kw):
        Module.__init__(self)
        opts = dict(defaults)
        names = list(defaults)
        for i, v in enumerate(a):
            opts[names[i]] = v
        for k, v in kw.items():
            if k not in opts:
                raise TypeError_('%s got an unexpected keyword argument %r' % (name, k))
            opts[k] = v
        sa, rd = opts.pop('size_average', None), opts.pop('reduce', None)
        if sa is not None or rd is not None:
            r = _reduction(opts.get('reduction', 'mean'), sa, rd)
            opts['reduction'] = {Lt.Reduction.MEAN: 'mean', Lt.Reduction.SUM: 'sum',
                                 Lt.Reduction.NONE: 'none'}[r]
        self._opts = opts

    def forward(self, *tensors):
        if len(tensors) != args:
            raise TypeError_('%s.forward takes %d tensors, got %d' % (name, args, len(tensors)))
        return fn(*tensors, **self._opts)

    def extra_repr(self):
        return ''

    def __getattr__(self, key):
        opts = self.__dict__.get('_opts', {})
        if key in opts:
            return opts[key]
        return Module.__getattr__(self, key)

    cls = type(name, (Module,), {'__init__': __init__, 'forward': forward, '__doc__': doc,
                                 '__getattr__': __getattr__, '__module__': 'Lt.nn'})
    return cls


BCELoss = _loss_class('BCELoss', binary_cross_entropy,
                      "``nn.BCELoss(weight=None, reduction='mean')`` on probabilities.",
                      {'weight': None, 'size_average': None, 'reduce': None,
                       'reduction': 'mean'}, 2)
SmoothL1Loss = _loss_class('SmoothL1Loss', smooth_l1_loss,
                           "``nn.SmoothL1Loss(reduction='mean', beta=1.0)``.",
                           {'size_average': None, 'reduce': None, 'reduction': 'mean',
                            'beta': 1.0}, 2)
HuberLoss = _loss_class('HuberLoss', huber_loss, "``nn.HuberLoss(reduction='mean', delta=1.0)``.",
                        {'reduction': 'mean', 'delta': 1.0}, 2)
KLDivLoss = _loss_class('KLDivLoss', kl_div,
                        "``nn.KLDivLoss(reduction='mean', log_target=False)`` on "
                        "log-probabilities.",
                        {'size_average': None, 'reduce': None, 'reduction': 'mean',
                         'log_target': False}, 2)
CosineEmbeddingLoss = _loss_class('CosineEmbeddingLoss', cosine_embedding_loss,
                                  "``nn.CosineEmbeddingLoss(margin=0.0, reduction='mean')``.",
                                  {'margin': 0.0, 'size_average': None, 'reduce': None,
                                   'reduction': 'mean'}, 3)
MarginRankingLoss = _loss_class('MarginRankingLoss', margin_ranking_loss,
                                "``nn.MarginRankingLoss(margin=0.0, reduction='mean')``.",
                                {'margin': 0.0, 'size_average': None, 'reduce': None,
                                 'reduction': 'mean'}, 3)

MEMBERS: Mapping[str, Any] = {
    'BCELoss': BCELoss, 'SmoothL1Loss': SmoothL1Loss, 'HuberLoss': HuberLoss,
    'KLDivLoss': KLDivLoss, 'CosineEmbeddingLoss': CosineEmbeddingLoss,
    'MarginRankingLoss': MarginRankingLoss,
}

FUNCTIONAL: Mapping[str, Any] = {
    'binary_cross_entropy': binary_cross_entropy, 'smooth_l1_loss': smooth_l1_loss,
    'huber_loss': huber_loss, 'kl_div': kl_div, 'cosine_similarity': cosine_similarity,
    'cosine_embedding_loss': cosine_embedding_loss, 'margin_ranking_loss': margin_ranking_loss,
    'normalize': normalize, 'pad': pad,
}
