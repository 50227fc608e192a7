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
from .creation import _as_tensor, from_numpy, tensor
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
    def _expand_masks(t, adv):
        """Bool masks -> one long index tensor per dimension they cover."""
        out = []
        for d, idx in adv:
            if idx.get_dtype() != _D.BOOL:
                out.append((d, idx))
                continue
            k = idx.get_n_dims()
            mshape = list(idx.get_shape())
            tshape = list(t.get_shape()[d:d + k])
            if mshape != tshape:
                raise error('index: the mask of shape %s does not match '
                            'the indexed shape %s at dimension %d' % (mshape, tshape, d),
                            Lt.Error.SHAPE)
            import numpy as np
            nz = np.nonzero(np.asarray(_GITensor.contiguous(idx.detach())))
            for j in range(k):
                out.append((d + j, from_numpy(np.ascontiguousarray(nz[j], dtype=np.int64))))
        return out

    @staticmethod
    def _broadcast_shape(shapes):
        n = _max(len(s) for s in shapes)
        out = []
        for i in range(n):
            sizes = {s[i - n + len(s)] for s in shapes if i - n + len(s) >= 0} - {1}
            if len(sizes) > 1:
                raise error('index: shape mismatch: indexing tensors '
                            'of shapes %s cannot be broadcast together'
                            % [list(s) for s in shapes], Lt.Error.SHAPE)
            out.append(sizes.pop() if sizes else 1)
        return out

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
        adv = self._expand_masks(t, adv)
        shape = list(t.get_shape())
        if len(adv) == 1:
            d, idx = adv[0]
            if idx.get_dtype() != _D.INT64:
                idx = idx.to_dtype(_D.INT64)
            idx = Lt.where(_GITensor.lt(idx, Lt.scalar_int(0)),
                        _GITensor.add(idx, Lt.scalar_int(shape[d])), idx)
            r = _GITensor.index_select(t, d, _GITensor.reshape(idx, [-1]))
            ishape = list(idx.get_shape())
            if ishape != [r.get_shape()[d]]:
                r = _GITensor.reshape(r, shape[:d] + ishape + shape[d + 1:])
            return r
        dims = [d for d, _ in adv]
        bshape = self._broadcast_shape([list(i.get_shape()) for _, i in adv])
        others = [i for i in range(len(shape)) if i not in dims]
        linear = None
        stride = 1
        for d, idx in reversed(adv):
            n = shape[d]
            idx = idx.to_dtype(_D.INT64) if idx.get_dtype() != _D.INT64 else idx
            bad = _GITensor.logical_or(_GITensor.ge(idx, Lt.scalar_int(n)),
                                       _GITensor.lt(idx, Lt.scalar_int(-n)))
            if _GITensor.any(bad).item():
                raise error('index: an index is out of range for '
                            'dimension %d of size %d' % (d, n), Lt.Error.INDEX)
            idx = Lt.where(_GITensor.lt(idx, Lt.scalar_int(0)),
                        _GITensor.add(idx, Lt.scalar_int(n)), idx)
            term = _GITensor.mul(idx, Lt.scalar_int(stride))
            linear = term if linear is None else _GITensor.add(linear, term)
            stride *= n
        linear = _GITensor.contiguous(_GITensor.expand(linear, bshape)) \
            if list(linear.get_shape()) != bshape else linear
        tp = _GITensor.permute(t, dims + others)
        tp = _GITensor.reshape(tp, [stride] + [shape[i] for i in others])
        r = _GITensor.index_select(tp, 0, _GITensor.reshape(linear, [-1]))
        r = _GITensor.reshape(r, bshape + [shape[i] for i in others])
        first = dims[0]
        if dims == list(range(first, first + len(dims))) and first > 0:
            nb = len(bshape)
            n_after = len(others) - first
            perm = [nb + i for i in range(first)] + list(range(nb)) + \
                [nb + first + j for j in range(n_after)]
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
        adv = self._expand_masks(t, adv)
        import numpy as np
        shape = list(t.get_shape())
        arrays = np.broadcast_arrays(*[np.asarray(_GITensor.contiguous(i.detach()))
                                       for _, i in adv])
        bshape = list(arrays[0].shape)
        dims = [d for d, _ in adv]
        first = dims[0]
        adjacent = dims == list(range(first, first + len(dims)))
        number = _is_number(value)
        if not number:
            value = _as_tensor(value, 'value')
            others = [shape[i] for i in range(len(shape)) if i not in dims]
            if adjacent:
                rshape = others[:first] + bshape + others[first:]
            else:
                rshape = bshape + others
            value = value.expand(rshape)
        order = sorted(range(len(dims)), key=lambda j: -dims[j])
        for pos in np.ndindex(*bshape):
            sub = t
            for j in order:
                sub = sub.select(dims[j], _int(arrays[j][pos]))
            if number:
                _GITensor.fill_(sub, _float(value))
            else:
                vkey = ((slice(None),) * first + pos) if adjacent else pos
                _GITensor.copy_(sub, value[vkey] if vkey else value)

