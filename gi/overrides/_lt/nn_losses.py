# SPDX-License-Identifier: LGPL-2.1-or-later
"""Losses and functional forms of ``Lt.nn`` composed of tensor ops in
Python: ``F.binary_cross_entropy``, ``F.smooth_l1_loss``, ``F.huber_loss``,
``F.kl_div``, ``F.cosine_embedding_loss``, ``F.margin_ranking_loss``,
``F.cosine_similarity``, ``F.normalize``, ``F.pad`` (constant), and the
loss modules BCELoss, SmoothL1Loss, HuberLoss, KLDivLoss,
CosineEmbeddingLoss, MarginRankingLoss: the overrides of the C loss
modules (libtensor/nn/lt-loss-composite.c) over the same C functions.

Their values and gradients are PyTorch 1.13's; their autograd graphs are
made of the ops they compose (not PyTorch's single loss nodes).

Part of gi/overrides/_lt/nn.py, which imports this file at its end and adds
MEMBERS to ``Lt.nn`` and FUNCTIONAL to ``Lt.nn.functional``.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any, Mapping, Sequence

from .common import Lt as Lt_, Tensor, override
from .common import NotImplementedError_, RuntimeError_, ValueError_
from .nn import _LossMixin, _REDUCTION_NAMES, _module_base, _reduction


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


_KL_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def kl_div(input: Tensor, target: Any, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = 'mean',
           log_target: bool = False) -> Tensor:
    """target * (log target - input), with 0 where target is 0; with
    log_target, exp(target) * (target - input) (lt_kl_div)."""
    target = _as(target, input)
    if reduction == 'mean':
        warnings.warn(_KL_MEAN_WARNING)
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


def _legacy(reduction, size_average, reduce):
    return _reduction(reduction, size_average, reduce)


@override
class BCELoss(_LossMixin, _module_base(Lt_.BCELoss)):
    """``nn.BCELoss(weight=None, reduction='mean')`` on probabilities (the C
    LtBCELoss)."""

    def __new__(cls, weight=None, size_average=None, reduce=None, reduction='mean'):
        return Lt_.BCELoss.new(weight, _legacy(reduction, size_average, reduce))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def forward(self, input: Tensor, target: Any) -> Tensor:
        target = _as(target, input)
        _check_same_size('binary_cross_entropy', input, target)
        return self.compute(input, target)

    weight = property(lambda self: self.get_buffer('weight'))


@override
class SmoothL1Loss(_LossMixin, _module_base(Lt_.SmoothL1Loss)):
    """``nn.SmoothL1Loss(reduction='mean', beta=1.0)`` (the C LtSmoothL1Loss)."""

    def __new__(cls, size_average=None, reduce=None, reduction='mean', beta=1.0):
        return Lt_.SmoothL1Loss.new(_legacy(reduction, size_average, reduce), float(beta))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    beta = property(lambda self: self.get_beta())


@override
class HuberLoss(_LossMixin, _module_base(Lt_.HuberLoss)):
    """``nn.HuberLoss(reduction='mean', delta=1.0)`` (the C LtHuberLoss)."""

    def __new__(cls, reduction='mean', delta=1.0):
        return Lt_.HuberLoss.new(_reduction(reduction), float(delta))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    delta = property(lambda self: self.get_delta())


@override
class KLDivLoss(_LossMixin, _module_base(Lt_.KLDivLoss)):
    """``nn.KLDivLoss(reduction='mean', log_target=False)`` on
    log-probabilities (the C LtKLDivLoss); reduction='batchmean' is its
    batch-mean property."""

    def __new__(cls, size_average=None, reduce=None, reduction='mean', log_target=False):
        if (size_average is None and reduce is None) and reduction == 'batchmean':
            return Lt_.KLDivLoss.new(Lt_.Reduction.SUM, True, bool(log_target))
        return Lt_.KLDivLoss.new(_legacy(reduction, size_average, reduce), False,
                                 bool(log_target))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def forward(self, input: Tensor, target: Any) -> Tensor:
        if self.reduction == 'mean':
            warnings.warn(_KL_MEAN_WARNING)
        return self.compute(input, _as(target, input))

    @property
    def reduction(self) -> str:
        if self.get_batch_mean():
            return 'batchmean'
        return _REDUCTION_NAMES[self.get_reduction()]

    log_target = property(lambda self: self.get_log_target())


class _PairLossMixin(_LossMixin):
    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return self.compute_pair(input1, input2, _as(target, input1))

    margin = property(lambda self: self.get_margin())


@override
class CosineEmbeddingLoss(_PairLossMixin, _module_base(Lt_.CosineEmbeddingLoss)):
    """``nn.CosineEmbeddingLoss(margin=0.0, reduction='mean')`` (the C
    LtCosineEmbeddingLoss)."""

    def __new__(cls, margin=0.0, size_average=None, reduce=None, reduction='mean'):
        return Lt_.CosineEmbeddingLoss.new(float(margin), _legacy(reduction, size_average, reduce))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class MarginRankingLoss(_PairLossMixin, _module_base(Lt_.MarginRankingLoss)):
    """``nn.MarginRankingLoss(margin=0.0, reduction='mean')`` (the C
    LtMarginRankingLoss)."""

    def __new__(cls, margin=0.0, size_average=None, reduce=None, reduction='mean'):
        return Lt_.MarginRankingLoss.new(float(margin), _legacy(reduction, size_average, reduce))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


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
