# SPDX-License-Identifier: LGPL-2.1-or-later
"""Indexing of tensors for the ``Lt`` overrides: ``x[...]`` and
``x[...] = v`` as torch has them.

Ints, slices (with steps), None, Ellipsis and bools give views of the same
storage, as torch's basic indexing does; lists and integer or bool tensors
(advanced indexing) give copies when read and write through when assigned.
Part of gi/overrides/Lt.py, whose Tensor class inherits TensorIndexing.
"""

from __future__ import annotations

import builtins
import numbers
import operator
from typing import Any

from .common import Lt, Tensor, error
from .common import IndexError_, ValueError_
from .creation import _as_tensor, tensor
from .types import (_D, _DTYPE_NAME, _FLOATING, _bool, _float, _int, _is_bool, _is_number,
                    _max)

_GITensor = Lt.Tensor

__all__ = []


class TensorIndexing:
    """``__getitem__`` and ``__setitem__`` of Lt.Tensor."""

    __slots__ = ()

    def _index_basic(self, key):
        """Applies ints, slices, None and Ellipsis as views; returns the view
        and the advanced indices left, as (dim in the view, index tensor)."""
        if not isinstance(key, tuple):
            key = (key,)
        ndim = self.get_n_dims()
        items = []
        consumed = 0
        n_ellipsis = 0
        for k in key:
            if isinstance(k, range):
                k = list(k)
            if k is None or k is Ellipsis or _is_bool(k):
                if k is Ellipsis:
                    n_ellipsis += 1
                items.append(_bool(k) if _is_bool(k) else k)
                continue
            if isinstance(k, slice):
                items.append(k)
                consumed += 1
                continue
            if isinstance(k, numbers.Integral):
                items.append(_int(k))
                consumed += 1
                continue
            if not isinstance(k, _GITensor):
                try:
                    k = tensor(k)
                except (TypeError, ValueError):
                    raise IndexError_('only integers, slices (`:`), ellipsis (`...`), '
                                     'None and long or bool tensors are valid indices '
                                     '(got %s)' % builtins.type(k).__name__) from None
                if k.numel() == 0:
                    k = k.to_dtype(_D.INT64)
            dt = k.get_dtype()
            if dt == _D.BOOL and k.get_n_dims() == 0:
                # a 0-dim mask is Python's True or False: a new dimension
                # of size 1 or 0, as torch treats both
                items.append(_bool(k.item()))
            elif dt == _D.BOOL:
                items.append(('mask', k))
                consumed += _max(k.get_n_dims(), 0)
            elif dt in _FLOATING:
                raise IndexError_('tensors used as indices must be long, int, byte or '
                                 'bool tensors (got %s)' % _DTYPE_NAME[dt])
            elif k.get_n_dims() == 0:
                items.append(_int(k.item()))
                consumed += 1
            else:
                items.append(('index', k))
                consumed += 1
        if n_ellipsis > 1:
            raise IndexError_('an index can only have a single ellipsis (...)')
        if consumed > ndim:
            if ndim == 0:
                # the tutorial's loss.data[0], written when losses had one dimension
                raise error('index: invalid index of a 0-dim tensor; use '
                            'tensor.item() to get its value as a Python number', Lt.Error.INDEX)
            raise error('index: too many indices for a tensor of '
                        'dimension %d' % ndim, Lt.Error.INDEX)

        t = self
        d = 0
        adv = []
        touched = False
        for k in items:
            if k is Ellipsis:
                d += ndim - consumed
            elif k is None or k is True:
                t = t.unsqueeze(d)
                d += 1
                touched = True
            elif k is False:
                t = _GITensor.slice(t.unsqueeze(d), d, 0, 0, 1)
                d += 1
                touched = True
            elif isinstance(k, _int):
                t = t.select(d, k)
                touched = True
            elif isinstance(k, slice):
                step = 1 if k.step is None else operator.index(k.step)
                if step <= 0:
                    raise ValueError_('step must be greater than zero')
                size = t.get_shape()[d]
                start, stop, _ = k.indices(size)
                if (start, stop, step) != (0, size, 1):
                    t = _GITensor.slice(t, d, start, _max(stop, start), step)
                    touched = True
                d += 1
            elif k[0] == 'mask':
                adv.append((d, k[1]))
                d += k[1].get_n_dims()
            else:
                adv.append((d, k[1]))
                d += 1
        if not touched and not adv:
            # x[...], x[:]: a new alias of the same storage
            t = _GITensor.view(t, t.get_shape())
        return t, adv

    @staticmethod
    def _adv_layout(t, adv):
        """How the index tensors of adv sit in t: the dimensions they cover
        (a mask covers as many as it has), the others, and whether the
        covered ones are adjacent (then torch keeps the result's indexed
        dimensions where they were, else it puts them first)."""
        covered = []
        for d, idx in adv:
            n = _max(idx.get_n_dims(), 1) if idx.get_dtype() == _D.BOOL else 1
            covered.extend(range(d, d + n))
        others = [i for i in range(t.get_n_dims()) if i not in covered]
        first = covered[0]
        adjacent = covered == list(range(first, first + len(covered)))
        nb = _max([1 if i.get_dtype() == _D.BOOL else i.get_n_dims() for _, i in adv])
        return covered, others, adjacent, nb

    def __getitem__(self, key: Any) -> Tensor:
        t, adv = self._index_basic(key)
        if not adv:
            return t
        if len(adv) == 1 and adv[0][0] == 0 and adv[0][1].get_dtype() == _D.BOOL:
            mask = adv[0][1]
            k = mask.get_n_dims()
            shape = list(t.get_shape())
            if list(mask.get_shape()) == shape[:k]:
                if k < len(shape):
                    m = _GITensor.view(mask, shape[:k] + [1] * (len(shape) - k))
                    return _GITensor.reshape(_GITensor.masked_select(t, m),
                                             [-1] + shape[k:])
                return _GITensor.masked_select(t, mask)
        covered, others, adjacent, nb = self._adv_layout(t, adv)
        tp = t if covered[0] == 0 and adjacent else _GITensor.permute(t, covered + others)
        r = _GITensor.index(tp, [i for _, i in adv])
        first = covered[0]
        if adjacent and first > 0:
            # the indexed dimensions go back where they were
            perm = [nb + i for i in range(first)] + list(range(nb)) + \
                [nb + j for j in range(first, len(others))]
            r = _GITensor.permute(r, perm)
        return r

    def __setitem__(self, key, value):
        t, adv = self._index_basic(key)
        if not adv:
            if isinstance(value, _GITensor):
                _GITensor.copy_(t, value)
            elif _is_number(value):
                _GITensor.fill_(t, _float(value))
            else:
                _GITensor.copy_(t, tensor(value, dtype=self.get_dtype()))
            return
        if len(adv) == 1 and adv[0][0] == 0 and adv[0][1].get_dtype() == _D.BOOL and \
                list(adv[0][1].get_shape()) == list(t.get_shape()):
            mask = adv[0][1]
            if _is_number(value):
                _GITensor.masked_fill_(t, mask, _float(value))
                return
            value = _as_tensor(value, 'value')
            if value.numel() == 1:
                _GITensor.masked_fill_(t, mask, _float(value.item()))
            else:
                _GITensor.copy_(t, _GITensor.masked_scatter(t, mask, value))
            return
        covered, others, adjacent, nb = self._adv_layout(t, adv)
        first = covered[0]
        tp = t if first == 0 and adjacent else _GITensor.permute(t, covered + others)
        if not isinstance(value, _GITensor):
            # numbers and lists take self's dtype and device; a tensor must
            # have them, as in torch
            value = tensor(value, dtype=self.get_dtype(), device=self.device)
        rank = nb + len(others)
        while value.get_n_dims() > rank and value.get_shape()[0] == 1:
            value = _GITensor.select(value, 0, 0)
        if adjacent and first > 0 and value.get_n_dims() <= rank:
            # value is laid out as the result of t[key]: move the indexed
            # dimensions first, as they are in tp
            value = _GITensor.view(value, [1] * (rank - value.get_n_dims()) +
                                   list(value.get_shape()))
            value = _GITensor.permute(value, list(range(first, first + nb)) +
                                      list(range(first)) + list(range(first + nb, rank)))
        _GITensor.index_put_(tp, [i for _, i in adv], value, False)
