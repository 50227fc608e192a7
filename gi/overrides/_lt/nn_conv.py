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


_PADDING_MODES = ('zeros', 'reflect', 'replicate', 'circular')


def _padding_args(cls, padding_mode, padding, stride, n):
    """PyTorch's checks of padding_mode and a string padding: (the numeric
    padding to build the layer with, the string or None)."""
    if padding_mode not in _PADDING_MODES:
        raise ValueError_("padding_mode must be one of {}, but got padding_mode='{}'"
                         .format(set(_PADDING_MODES), padding_mode))
    if not isinstance(padding, str):
        return padding, None
    if padding not in ('same', 'valid'):
        raise ValueError_('Invalid padding string {!r}, should be one of {}'
                         .format(padding, {'valid', 'same'}))
    strides = stride if isinstance(stride, (tuple, list)) else (stride,) * n
    if padding == 'same' and any(s != 1 for s in strides):
        raise ValueError_("padding='same' is not supported for strided convolutions")
    return 0, padding


def _set_padding(m, padding_mode, pstr):
    if padding_mode != 'zeros' or pstr is not None:
        Lt.conv_set_padding_mode(m, padding_mode, pstr)
    return m


def _functional_padding(input, weight, padding, stride, dilation, n, name):
    """A string padding of F.conv1d / F.conv2d: the input (padded first
    when "same" is asymmetric) and the numeric padding."""
    if not isinstance(padding, str):
        return input, padding
    _padding_args(name, 'zeros', padding, stride, n)
    if padding == 'valid':
        return input, 0
    dil = dilation if isinstance(dilation, (tuple, list)) else (dilation,) * n
    ks = tuple(weight.shape[2:])
    lefts, rights = [], []
    for k, d in zip(ks, dil):
        total = d * (k - 1)
        lefts.append(total // 2)
        rights.append(total - total // 2)
    if lefts == rights:
        return input, tuple(lefts) if n > 1 else lefts[0]
    pad = []
    for left, right in zip(reversed(lefts), reversed(rights)):
        pad += [left, right]
    return Lt.pad(input, pad, 'constant', 0.0), 0


@override
class Conv1d(_module_base(Lt.Conv1d)):
    """``nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    dilation=1, groups=1, bias=True)``; sizes are ints or tuples of one."""

    def __new__(cls, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        padding, pstr = _padding_args('Conv1d', padding_mode, padding, stride, 1)
        m = Lt.Conv1d.new(operator.index(in_channels), operator.index(out_channels),
                          _single(kernel_size, 'kernel_size'), _single(stride, 'stride'),
                          _single(padding, 'padding'), _single(dilation, 'dilation'),
                          operator.index(groups), bool(bias))
        return _device_dtype(_set_padding(m, padding_mode, pstr), device, dtype)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    padding_mode = property(lambda self: Lt.conv_get_padding_mode(self))


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
    input, padding = _functional_padding(input, weight, padding, stride, dilation, 1, 'conv1d')
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
