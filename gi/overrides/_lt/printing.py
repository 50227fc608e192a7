# SPDX-License-Identifier: LGPL-2.1-or-later
"""How a tensor prints: PyTorch's current form by default,

    tensor([[1., 2.]], requires_grad=True)
    tensor([1, 2], dtype=Lt.int32, grad_fn=<AddBackward0>)

and the older form of the tutorial (lt_tensor_to_string(), the layout of
PyTorch 0.3: the values, then ``[Lt.FloatTensor of size 2x2]``) when
``Lt.set_printoptions(legacy=True)`` asks for it.

The current form follows the rules of PyTorch 1.13's printing: one number
format for the whole tensor (or for the items a summary keeps), chosen
from the nonzero finite values: integral values as ``1.`` with the width
of the widest; scientific notation when the largest magnitude is over 1e8
or more than 1000 times the smallest (or, for non-integral values, the
smallest is under 1e-4); fixed point with `precision` decimals otherwise.
A tensor of more than `threshold` elements is summarised: `edgeitems`
leading and trailing items of every dimension longer than twice that,
with ``...`` between.  Rows wrap at `linewidth`.
"""

from __future__ import annotations

import math
from typing import Any

from .common import ValueError_, Lt, exporter
from .types import _D, _DTYPE_NAME, _FLOATING

__all__: list[str] = []
export = exporter(__all__)


class _Options:
    precision = 4
    threshold: float = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode: bool | None = None
    legacy = False


OPTIONS = _Options()

_PROFILES = {
    'default': dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    'short': dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    'full': dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


@export
def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None,
                     legacy: bool | None = None) -> None:
    """torch.set_printoptions: digits after the point (`precision`, 4),
    the number of elements from which a tensor is summarised
    (`threshold`, 1000), the items kept at each end of a summarised
    dimension (`edgeitems`, 3), the width of a line (`linewidth`, 80),
    `profile` ('default', 'short', 'full') and `sci_mode` (True, False or
    None: chosen from the values).  `legacy=True` prints tensors in the
    tutorial's older form (``[Lt.FloatTensor of size 2x2]``), `legacy=False`
    in PyTorch's current form again; None leaves it as it is."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError_("set_printoptions: profile must be 'default', 'short' or "
                             "'full', not %r" % (profile,))
        for k, v in _PROFILES[profile].items():
            setattr(OPTIONS, k, v)
    if precision is not None:
        OPTIONS.precision = int(precision)
    if threshold is not None:
        OPTIONS.threshold = threshold
    if edgeitems is not None:
        OPTIONS.edgeitems = int(edgeitems)
    if linewidth is not None:
        OPTIONS.linewidth = int(linewidth)
    OPTIONS.sci_mode = sci_mode
    if legacy is not None:
        OPTIONS.legacy = bool(legacy)


@export
def get_printoptions() -> dict[str, Any]:
    """The options set_printoptions() sets, as a dict."""
    return {k: getattr(OPTIONS, k) for k in
            ('precision', 'threshold', 'edgeitems', 'linewidth', 'sci_mode', 'legacy')}


def _flat(values):
    if isinstance(values, list):
        for v in values:
            yield from _flat(v)
    else:
        yield values


class _Formatter:
    """One number format for every value of a tensor."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        p = OPTIONS.precision
        if not floating:
            for v in values:
                self.width = max(self.width, len(str(v)))
            return
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if not finite:
            return      # zeros, nan and inf: sci_mode does not apply
        if finite:
            mags = [abs(v) for v in finite]
            lo, hi = min(mags), max(mags)
            self.int_mode = all(v == math.ceil(v) for v in finite)
            if self.int_mode:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            if self.sci_mode:
                texts = ('{:.{}e}'.format(v, p) for v in finite)
                self.width = max(len(t) for t in texts)
            elif self.int_mode:
                self.width = max(len('{:.0f}'.format(v)) + 1 for v in finite)
            else:
                self.width = max(len('{:.{}f}'.format(v, p)) for v in finite)
        if OPTIONS.sci_mode is not None:
            self.sci_mode = OPTIONS.sci_mode

    def format(self, v):
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = '{:{}.{}e}'.format(v, self.width, OPTIONS.precision)
        elif self.int_mode:
            text = '{:.0f}'.format(v)
            if math.isfinite(v):
                text += '.'
        else:
            text = '{:.{}f}'.format(v, OPTIONS.precision)
        return ' ' * (self.width - len(text)) + text


def _summarised(values, shape, edge):
    """The nested lists `values` (of `shape`) with only `edge` items at
    each end of a dimension longer than 2 * edge; the cut is marked by
    None."""
    if not shape:
        return values
    n = shape[0]
    if n > 2 * edge:
        items = values[:edge] + [None] + values[n - edge:]
    else:
        items = values
    return [None if v is None else _summarised(v, shape[1:], edge) for v in items]


def _kept(t, edge):
    """The items that a summary of tensor `t` keeps, as nested lists with
    None where items are left out, read without reading the rest."""
    if t.dim() == 0:
        return t.item()
    n = t.size(0)
    if n > 2 * edge:
        idx = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        idx = range(n)
    if t.dim() == 1:
        values = t.tolist()
        return [None if i is None else values[i] for i in idx]
    return [None if i is None else _kept(t.select(0, i), edge) for i in idx]


def _text(values, ndim, indent, fmt, summarise):
    """The bracketed text of nested lists `values` of `ndim` dimensions."""
    if ndim == 0:
        return fmt.format(values)
    if ndim == 1:
        items = [' ...' if v is None else fmt.format(v) for v in values]
        per_line = max(1, int(math.floor((OPTIONS.linewidth - indent) / (fmt.width + 2))))
        lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'
    parts = ['...' if v is None else _text(v, ndim - 1, indent + 1, fmt, summarise)
             for v in values]
    return '[' + (',' + '\n' * (ndim - 1) + ' ' * (indent + 1)).join(parts) + ']'


def _dtype_text(dtype):
    return 'Lt.' + _DTYPE_NAME.get(dtype, str(dtype))


def _add_suffixes(text, suffixes, indent):
    out = [text]
    last = len(text) - text.rfind('\n') + 1
    for suffix in suffixes:
        # Lines break where torch's would: its dtypes are spelled
        # 'torch.float64', 3 characters longer than 'Lt.float64'.
        width = len(suffix) + (3 if suffix.startswith('dtype=Lt.') else 0)
        if last + width + 2 > OPTIONS.linewidth:
            out.append(',\n' + ' ' * indent + suffix)
            last = indent + width
        else:
            out.append(', ' + suffix)
            last += width + 2
    out.append(')')
    return ''.join(out)


def grad_fn_name(t) -> str | None:
    node = t.get_grad_fn() if hasattr(t, 'get_grad_fn') else None
    return node.get_name() if node is not None else None


def tensor_repr(t) -> str:
    """repr() of tensor `t` as the print options say."""
    if OPTIONS.legacy:
        return t.to_string()
    prefix = 'tensor('
    indent = len(prefix)
    suffixes = []
    cuda = t.get_device() == Lt.Device.CUDA
    if cuda:
        suffixes.append("device='cuda:0'")
    dtype = t.get_dtype()
    shape = tuple(t.get_shape())
    n = t.numel()
    if n == 0:
        if len(shape) != 1:
            suffixes.append('size=%s' % (shape,))
        if dtype != _D.FLOAT32:
            suffixes.append('dtype=' + _dtype_text(dtype))
        text = '[]'
    else:
        if dtype not in (_D.FLOAT32, _D.INT64, _D.BOOL):
            suffixes.append('dtype=' + _dtype_text(dtype))
        src = t.detach()
        if cuda:
            src = src.to('cpu')
        floating = dtype in _FLOATING
        summarise = n > OPTIONS.threshold
        edge = OPTIONS.edgeitems
        values = _kept(src, edge) if summarise else src.tolist()
        if dtype == _D.BOOL:
            values = _as_bool(values)
        flat = [v for v in _flat(values) if v is not None]
        fmt = _Formatter(flat, floating)
        text = _text(values, len(shape), indent, fmt, summarise)
    name = grad_fn_name(t)
    if name is not None:
        suffixes.append('grad_fn=<%s>' % name)
    elif t.get_requires_grad():
        suffixes.append('requires_grad=True')
    text = _add_suffixes(prefix + text, suffixes, indent)
    if t.get_is_parameter():
        return 'Parameter containing:\n' + text
    return text


def _as_bool(values):
    if isinstance(values, list):
        return [None if v is None else _as_bool(v) for v in values]
    return bool(values)
