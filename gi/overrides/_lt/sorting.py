# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sorting and selection methods of tensors for the ``Lt`` overrides:
``sort``, ``argsort``, ``msort``, ``topk``, ``kthvalue``, ``median``,
``mode`` and ``unique`` with torch's arguments and torch's results (the
pairs as named tuples with ``values`` and ``indices``, like
``torch.return_types``).

Part of gi/overrides/Lt.py, whose Tensor class inherits TensorSorting and
exports FUNCTIONS as module-level functions (``Lt.sort(x)``).
"""

from __future__ import annotations

import collections
import operator
from typing import Any

from .common import Lt
from .types import _bool

_GITensor = Lt.Tensor

__all__ = ['return_types']

# torch.return_types: (values, indices) pairs named after their function
_Sort = collections.namedtuple('sort', ('values', 'indices'))
_Topk = collections.namedtuple('topk', ('values', 'indices'))
_Kthvalue = collections.namedtuple('kthvalue', ('values', 'indices'))
_Median = collections.namedtuple('median', ('values', 'indices'))
_Mode = collections.namedtuple('mode', ('values', 'indices'))


class _ReturnTypes:
    """Lt.return_types: the named tuples of the functions that return
    values and indices, as torch.return_types."""
    sort = _Sort
    topk = _Topk
    kthvalue = _Kthvalue
    median = _Median
    mode = _Mode


return_types = _ReturnTypes()

# Module-level functions (Lt.sort(x), ...) over the methods below
FUNCTIONS = ('sort', 'argsort', 'msort', 'topk', 'kthvalue', 'median', 'mode', 'unique')


class TensorSorting:
    """The sorting and selection methods of Lt.Tensor."""

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        """Sorted values along dim and where they came from, as
        torch.sort: a named tuple (values, indices). The sort is stable;
        NaN sorts as the largest value."""
        values, indices = _GITensor.sort(self, operator.index(dim), _bool(descending),
                                         _bool(stable))
        return _Sort(values, indices)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """The positions that sort the tensor along dim (torch.argsort)."""
        return _GITensor.argsort(self, operator.index(dim), _bool(descending), _bool(stable))

    def msort(self) -> Any:
        """Sorted along the first dimension (torch.msort)."""
        return _GITensor.msort(self)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The k largest (or smallest) elements along dim with their
        positions, as torch.topk: a named tuple (values, indices). They
        always come in order."""
        values, indices = _GITensor.topk(self, operator.index(k), operator.index(dim),
                                         _bool(largest), _bool(sorted))
        return _Topk(values, indices)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """The k-th smallest element along dim with its position, as
        torch.kthvalue: a named tuple (values, indices)."""
        values, indices = _GITensor.kthvalue(self, operator.index(k), operator.index(dim),
                                             _bool(keepdim))
        return _Kthvalue(values, indices)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The lower median: of every element (a tensor) without dim, else
        along dim with its position, a named tuple (values, indices), as
        torch.median. NaN when there is a NaN."""
        if dim is None:
            return _GITensor.median(self)
        values, indices = _GITensor.median_dim(self, operator.index(dim), _bool(keepdim))
        return _Median(values, indices)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """The most frequent value along dim (the smallest on a tie) and its
        last position, as torch.mode: a named tuple (values, indices)."""
        values, indices = _GITensor.mode(self, operator.index(dim), _bool(keepdim))
        return _Mode(values, indices)

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: int | None = None) -> Any:
        """The distinct values, flattened and in ascending order, as
        torch.unique; with return_inverse, each element's position among
        them, and with return_counts, how many elements have each. With
        dim, the distinct slices along dim in lexicographic order, the
        inverse and counts of the slices."""
        if dim is None:
            values, inverse, counts = _GITensor.unique(self, _bool(sorted))
        else:
            values, inverse, counts = _GITensor.unique_dim(self, operator.index(dim),
                                                           _bool(sorted))
        if return_inverse and return_counts:
            return values, inverse, counts
        if return_inverse:
            return values, inverse
        if return_counts:
            return values, counts
        return values
