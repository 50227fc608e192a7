# SPDX-License-Identifier: LGPL-2.1-or-later
"""Conv1d and ConvTranspose2d of ``Lt.nn`` (the C layers of
libtensor/nn/lt-conv1d.c and lt-conv-transpose2d.c) with PyTorch's
arguments, and ``F.conv1d`` and ``F.conv_transpose2d``.

Part of gi/overrides/_lt/nn.py, which imports this file at its end and adds
MEMBERS to ``Lt.nn`` and FUNCTIONAL to ``Lt.nn.functional``.
"""

from __future__ import annotations

import operator
from typing import Any, Mapping, Tuple, Union

from .common import IntPair, Lt, Tensor, override
from .common import NotImplementedError_, ValueError_
from .nn import _device_dtype, _module_base, _pair


def _single(v, name):
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise ValueError_('%s must be an int or a tuple of one int, got %r' % (name, v))
        v = v[0]
    return operator.index(v)


def _zeros_padding(cls, padding_mode, padding):
    if padding_mode != 'zeros':
        raise NotImplementedError_("%s: padding_mode %r is not supported (only 'zeros')"
                                  % (cls, padding_mode))
    if isinstance(padding, str):
        if padding != 'valid':
            raise NotImplementedError_('%s: padding=%r is not supported' % (cls, padding))
        return 0
    return padding


@override
class Conv1d(_module_base(Lt.Conv1d)):
    """``nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    dilation=1, groups=1, bias=True)``; sizes are ints or tuples of one."""

    def __new__(cls, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        padding = _zeros_padding('Conv1d', padding_mode, padding)
        m = Lt.Conv1d.new(operator.index(in_channels), operator.index(out_channels),
                          _single(kernel_size, 'kernel_size'), _single(stride, 'stride'),
                          _single(padding, 'padding'), _single(dilation, 'dilation'),
                          operator.index(groups), bool(bias))
        return _device_dtype(m, device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


@override
class ConvTranspose2d(_module_base(Lt.ConvTranspose2d)):
    """``nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1,
    padding=0, output_padding=0, groups=1, bias=True, dilation=1)``; sizes
    are ints or pairs."""

    def __new__(cls, in_channels, out_channels, kernel_size, stride=1, padding=0,
                output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros',
                device=None, dtype=None):
        if padding_mode != 'zeros':
            raise ValueError_('Only "zeros" padding mode is supported for ConvTranspose2d')
        m = Lt.ConvTranspose2d.new(operator.index(in_channels), operator.index(out_channels),
                                   _pair(kernel_size, 'kernel_size'), _pair(stride, 'stride'),
                                   _pair(padding, 'padding'),
                                   _pair(output_padding, 'output_padding'),
                                   operator.index(groups), bool(bias),
                                   _pair(dilation, 'dilation'))
        return _device_dtype(m, device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


IntSingle = Union[int, Tuple[int]]


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntSingle = 1,
           padding: IntSingle | str = 0, dilation: IntSingle = 1, groups: int = 1) -> Tensor:
    padding = _zeros_padding('conv1d', 'zeros', padding)
    return Lt.conv1d(input, weight, bias, _single(stride, 'stride'),
                     _single(padding, 'padding'), _single(dilation, 'dilation'),
                     operator.index(groups))


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntPair = 1, padding: IntPair = 0, output_padding: IntPair = 0,
                     groups: int = 1, dilation: IntPair = 1) -> Tensor:
    return Lt.conv_transpose2d(input, weight, bias, _pair(stride, 'stride'),
                               _pair(padding, 'padding'),
                               _pair(output_padding, 'output_padding'),
                               _pair(dilation, 'dilation'), operator.index(groups))


MEMBERS: Mapping[str, Any] = {'Conv1d': Conv1d, 'ConvTranspose2d': ConvTranspose2d}

FUNCTIONAL: Mapping[str, Any] = {'conv1d': conv1d, 'conv_transpose2d': conv_transpose2d}
