# SPDX-License-Identifier: LGPL-2.1-or-later
"""The newer layers of ``Lt.nn`` and their functional forms: GELU, SiLU,
ELU, Softplus, Hardtanh, PReLU, Dropout2d, Embedding (the C layers of
libtensor/nn/lt-nonlinear.c, lt-dropout.c and lt-embedding.c) with
PyTorch's arguments, and ``F.gelu``, ``F.silu``, ``F.elu``, ``F.celu``,
``F.selu``, ``F.softplus``, ``F.hardtanh``, ``F.relu6``, ``F.prelu``,
``F.dropout2d``, ``F.embedding``; Upsample (lt-upsample.c) and
``F.interpolate`` (every mode, antialias included); LayerNorm and
GroupNorm (lt-normalization.c) and ``F.layer_norm``, ``F.group_norm``.

Part of gi/overrides/_lt/nn.py, which imports this file at its end and adds
MEMBERS to ``Lt.nn`` and FUNCTIONAL to ``Lt.nn.functional``.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Mapping, Sequence

from .common import Lt, Tensor, override
from .common import NotImplementedError_, ValueError_
from .nn import _device_dtype, _module_base

# SELU's constants, as PyTorch's
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _inplace(input, out, inplace):
    if inplace:
        input.copy_(out)
        return input
    return out


@override
class GELU(_module_base(Lt.GELU)):
    """``nn.GELU(approximate='none')``: x Φ(x), or its tanh approximation."""

    def __new__(cls, approximate='none'):
        return Lt.GELU.new(approximate)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    approximate = property(lambda self: self.get_approximate())


@override
class SiLU(_module_base(Lt.SiLU)):
    """``nn.SiLU(inplace=False)``: x sigmoid(x)."""

    def __new__(cls, inplace=False):
        return Lt.SiLU.new(bool(inplace))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class ELU(_module_base(Lt.ELU)):
    """``nn.ELU(alpha=1.0, inplace=False)``."""

    def __new__(cls, alpha=1.0, inplace=False):
        return Lt.ELU.new(float(alpha), bool(inplace))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    alpha = property(lambda self: self.get_alpha())


@override
class Softplus(_module_base(Lt.Softplus)):
    """``nn.Softplus(beta=1, threshold=20)``: log(1 + exp(beta x)) / beta."""

    def __new__(cls, beta=1, threshold=20):
        return Lt.Softplus.new(float(beta), float(threshold))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class Hardtanh(_module_base(Lt.Hardtanh)):
    """``nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False)``."""

    def __new__(cls, min_val=-1.0, max_val=1.0, inplace=False):
        return Lt.Hardtanh.new(float(min_val), float(max_val), bool(inplace))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class PReLU(_module_base(Lt.PReLU)):
    """``nn.PReLU(num_parameters=1, init=0.25)``: learned negative slopes,
    one for all channels or one per channel (dim 1)."""

    def __new__(cls, num_parameters=1, init=0.25, device=None, dtype=None):
        m = Lt.PReLU.new(operator.index(num_parameters), float(init))
        return _device_dtype(m, device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class Dropout2d(_module_base(Lt.Dropout2d)):
    """``nn.Dropout2d(p=0.5, inplace=False)``: zeroes whole channels."""

    def __new__(cls, p=0.5, inplace=False):
        return Lt.Dropout2d.new(float(p), bool(inplace))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


def _padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    padding_idx = operator.index(padding_idx)
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError('Padding_idx must be within num_embeddings')
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


@override
class Embedding(_module_base(Lt.Embedding)):
    """``nn.Embedding(num_embeddings, embedding_dim, padding_idx=None,
    max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False,
    _weight=None)``; ``Embedding.from_pretrained(embeddings, freeze=True,
    ...)``."""

    def __new__(cls, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                device=None, dtype=None):
        if scale_grad_by_freq or sparse:
            raise NotImplementedError_('Embedding: scale_grad_by_freq and sparse are not '
                                      'supported')
        n = operator.index(num_embeddings)
        pad = _padding_idx(padding_idx, n)
        m = Lt.Embedding.new(n, operator.index(embedding_dim),
                             -(2 ** 63) if pad is None else pad,
                             -1.0 if max_norm is None else float(max_norm), float(norm_type))
        if _weight is not None:
            from .nn import Parameter
            if tuple(_weight.shape) != (n, embedding_dim):
                raise AssertionError('Shape of weight does not match num_embeddings and '
                                     'embedding_dim')
            m.weight = Parameter(_weight)
        return _device_dtype(m, device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    num_embeddings = property(lambda self: self.get_num_embeddings())
    embedding_dim = property(lambda self: self.get_embedding_dim())
    padding_idx = property(lambda self: (None if self.get_padding_idx() < 0
                                         else self.get_padding_idx()))
    max_norm = property(lambda self: (None if self.get_max_norm() != self.get_max_norm()
                                      else self.get_max_norm()))

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError('Embeddings parameter is expected to be 2-dimensional')
        rows, cols = embeddings.shape
        m = cls(rows, cols, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=embeddings)
        m.weight.requires_grad_(not freeze)
        return m


_INTERP_MODES = ('nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear',
                 'area')
_ALIGN_CORNERS_MSG = ('align_corners option can only be set with the interpolating modes: '
                      'linear | bilinear | bicubic | trilinear')


def _sizes(v, conv):
    if isinstance(v, (tuple, list)):
        return [conv(x) for x in v]
    return [conv(v)]


@override
class Upsample(_module_base(Lt.Upsample)):
    """``nn.Upsample(size=None, scale_factor=None, mode='nearest',
    align_corners=None, recompute_scale_factor=None)`` for (N, C, d1[, d2[,
    d3]]) inputs, with the modes of :func:`interpolate`."""

    def __new__(cls, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None):
        if mode not in _INTERP_MODES:
            raise NotImplementedError_('Upsample: mode %r is not supported (%s)'
                                      % (mode, ', '.join(_INTERP_MODES)))
        if align_corners is not None and (mode.startswith('nearest') or mode == 'area'):
            raise ValueError_(_ALIGN_CORNERS_MSG)
        if recompute_scale_factor and size is not None:
            raise ValueError_('recompute_scale_factor is not meaningful with an explicit size.')
        m = Lt.Upsample.new([] if size is None else _sizes(size, operator.index),
                            [] if scale_factor is None else _sizes(scale_factor, float),
                            mode, bool(align_corners))
        m.set_recompute_scale_factor(bool(recompute_scale_factor))
        return m

    recompute_scale_factor = property(lambda self: self.get_recompute_scale_factor() or None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


# ---------------------------------------------------------------------------
# Functional forms


def gelu(input: Tensor, approximate: str = 'none') -> Tensor:
    return Lt.gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return _inplace(input, Lt.silu(input), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _inplace(input, Lt.elu(input, float(alpha), 1.0, 1.0), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _inplace(input, Lt.celu(input, float(alpha)), inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    return _inplace(input, Lt.elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def softplus(input: Tensor, beta: float = 1, threshold: float = 20) -> Tensor:
    return Lt.softplus(input, float(beta), float(threshold))


def hardtanh(input: Tensor, min_val: float = -1., max_val: float = 1.,
             inplace: bool = False) -> Tensor:
    return _inplace(input, Lt.hardtanh(input, float(min_val), float(max_val)), inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    return Lt.prelu(input, weight)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError_('dropout probability has to be between 0 and 1, but got %s' % p)
    out = Lt.dropout2d(input, float(p), bool(training))
    if inplace and out is not input:
        input.copy_(out)
        return input
    return out


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    if scale_grad_by_freq or sparse:
        raise NotImplementedError_('embedding: scale_grad_by_freq and sparse are not supported')
    pad = _padding_idx(padding_idx, weight.shape[0])
    if max_norm is not None:
        weight.embedding_renorm_(input, float(max_norm), float(norm_type))
    return Lt.embedding(weight, input, -1 if pad is None else pad)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = 'nearest', align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """``F.interpolate`` as PyTorch 1.13: modes "nearest", "nearest-exact"
    and "area" (3-D to 5-D inputs), "linear" (3-D), "bilinear" and
    "bicubic" (4-D, antialiased or not) and "trilinear" (5-D), by size or
    scale factor (:func:`Lt.interpolate_full`)."""
    if mode not in _INTERP_MODES:
        raise NotImplementedError_('interpolate: mode %r is not supported (%s)'
                                  % (mode, ', '.join(_INTERP_MODES)))
    if mode.startswith('nearest') or mode == 'area':
        if align_corners is not None:
            raise ValueError_(_ALIGN_CORNERS_MSG)
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    shape = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError_('only one of size or scale_factor should be defined')
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError_('Input and output must have the same number of spatial '
                                  'dimensions, but got input with spatial dimensions of %s and '
                                  'output size of %s.' % (shape, size))
            out = [operator.index(v) for v in size]
        else:
            out = [operator.index(size)] * dim
    elif scale_factor is not None:
        out = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError_('Input and scale_factor must have the same number of spatial '
                                  'dimensions, but got input with spatial dimensions of %s and '
                                  'scale_factor of shape %s.' % (shape, scale_factor))
            scales = [float(v) for v in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
    else:
        raise ValueError_('either size or scale_factor should be defined')
    if recompute_scale_factor and size is not None:
        raise ValueError_('recompute_scale_factor is not meaningful with an explicit size.')
    if antialias:
        if not (mode in ('bilinear', 'bicubic') and input.dim() == 4):
            raise ValueError_('Anti-alias option is only supported for bilinear and bicubic '
                              'modes')
    need = {'linear': 3, 'bilinear': 4, 'bicubic': 4, 'trilinear': 5}.get(mode)
    if input.dim() not in (3, 4, 5) or (mode == 'bicubic' and input.dim() != 4):
        raise NotImplementedError_(
            'Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for the modes: '
            'nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got %s)'
            % (input.dim(), mode))
    if need is not None and input.dim() != need:
        raise NotImplementedError_('Got %dD input, but %s mode needs %dD input'
                                   % (input.dim(), mode, need))
    if out is None:
        out = [int(math.floor(float(n) * sc)) for n, sc in zip(shape, scales)]
        if recompute_scale_factor:
            scales = None
    sc = [0.0] * dim if scales is None else scales
    if antialias or mode == 'area':
        # area: adaptive average pooling to the size, which alone counts
        return Lt.interpolate_full(input, mode, out, [0.0] * dim if mode == 'area' else sc,
                                   bool(align_corners), bool(antialias))
    if input.dim() == 4 and mode == 'bilinear':
        return Lt.interpolate_bilinear2d(input, out[0], out[1], bool(align_corners), sc[0], sc[1])
    if input.dim() == 4 and mode == 'nearest':
        return Lt.interpolate_nearest2d(input, out[0], out[1], sc[0], sc[1])
    return Lt.interpolate(input, mode, out, sc, bool(align_corners))


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = 'nearest',
             align_corners: bool | None = None) -> Tensor:
    """``F.upsample``: :func:`interpolate` with the same modes."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def _shape_tuple(normalized_shape):
    if isinstance(normalized_shape, int) or hasattr(normalized_shape, '__index__'):
        return (operator.index(normalized_shape),)
    return tuple(operator.index(d) for d in normalized_shape)


@override
class LayerNorm(_module_base(Lt.LayerNorm)):
    """``nn.LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True)``:
    normalises over the last dims, then scales and shifts elementwise."""

    def __new__(cls, normalized_shape, eps=1e-05, elementwise_affine=True, device=None,
                dtype=None):
        shape = _shape_tuple(normalized_shape)
        m = Lt.LayerNorm.new(list(shape), float(eps), bool(elementwise_affine))
        return _device_dtype(m, device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    normalized_shape = property(lambda self: tuple(self.get_normalized_shape()))
    eps = property(lambda self: self.get_eps())
    elementwise_affine = property(lambda self: self.get_elementwise_affine())


@override
class GroupNorm(_module_base(Lt.GroupNorm)):
    """``nn.GroupNorm(num_groups, num_channels, eps=1e-05, affine=True)``:
    normalises each group of channels of each sample, then scales and
    shifts each channel."""

    def __new__(cls, num_groups, num_channels, eps=1e-05, affine=True, device=None,
                dtype=None):
        m = Lt.GroupNorm.new(operator.index(num_groups), operator.index(num_channels),
                             float(eps), bool(affine))
        return _device_dtype(m, device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    num_groups = property(lambda self: self.get_num_groups())
    num_channels = property(lambda self: self.get_num_channels())
    eps = property(lambda self: self.get_eps())
    affine = property(lambda self: self.get_affine())


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-05) -> Tensor:
    """``F.layer_norm``."""
    return Lt.layer_norm(input, list(_shape_tuple(normalized_shape)), weight, bias, float(eps))


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-05) -> Tensor:
    """``F.group_norm``."""
    return Lt.group_norm(input, operator.index(num_groups), weight, bias, float(eps))


MEMBERS: Mapping[str, Any] = {
    'GELU': GELU, 'SiLU': SiLU, 'ELU': ELU, 'Softplus': Softplus, 'Hardtanh': Hardtanh,
    'PReLU': PReLU, 'Dropout2d': Dropout2d, 'Embedding': Embedding, 'Upsample': Upsample,
    'LayerNorm': LayerNorm, 'GroupNorm': GroupNorm,
}

FUNCTIONAL: Mapping[str, Any] = {
    'gelu': gelu, 'silu': silu, 'elu': elu, 'celu': celu, 'selu': selu, 'softplus': softplus,
    'hardtanh': hardtanh, 'relu6': relu6, 'prelu': prelu, 'dropout2d': dropout2d,
    'embedding': embedding, 'interpolate': interpolate, 'upsample': upsample,
    'layer_norm': layer_norm, 'group_norm': group_norm,
}
