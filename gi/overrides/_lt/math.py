# SPDX-License-Identifier: LGPL-2.1-or-later
"""Math methods of tensors for the ``Lt`` overrides: the in-place forms
(``x.ceil_()``, ``x.sin_()``, ...) that return the tensor as torch's do,
``round(decimals=)``, the bitwise ops and their operators, and their
torch aliases (``arcsin``, ``fix``, ...).  The out-of-place functions
(``x.ceil()``, ``x.erf()``, ...) are the C library's methods as they are.

Part of gi/overrides/Lt.py, whose Tensor class inherits TensorMath and
exports FUNCTIONS as module-level functions (``Lt.erf(x)``).
"""

from __future__ import annotations

import operator

from .common import Lt
from .creation import _as_tensor, _operand

_GITensor = Lt.Tensor

__all__ = []

# The pointwise functions of one input with an in-place form in C.
UNARY = ('neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid',
         'relu', 'logical_not', 'ceil', 'floor', 'trunc', 'frac', 'log1p', 'expm1', 'asin',
         'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'tan', 'erf', 'erfc',
         'log2', 'log10', 'exp2', 'reciprocal', 'square', 'bitwise_not')

# torch's other names for them
ALIASES = {'negative': 'neg', 'absolute': 'abs', 'arcsin': 'asin', 'arccos': 'acos',
           'arctan': 'atan', 'arcsinh': 'asinh', 'arccosh': 'acosh', 'arctanh': 'atanh',
           'fix': 'trunc'}

# Module-level functions (Lt.erf(x), ...) over the methods below
FUNCTIONS = UNARY[12:] + tuple(ALIASES) + ('round', 'bitwise_and', 'bitwise_or',
                                           'bitwise_xor')


def _unary_(name):
    gi_fn = getattr(_GITensor, name + '_')

    def m(self):
        gi_fn(self)
        return self

    m.__name__ = name + '_'
    m.__doc__ = 'x.%s_(): x.%s() written into x; returns x' % (name, name)
    return m


def _bitwise(name):
    gi_fn = getattr(_GITensor, name)

    def m(self, other):
        return gi_fn(self, _as_tensor(other, 'other'))

    m.__name__ = name
    return m


def _bitwise_(name):
    gi_fn = getattr(_GITensor, name + '_')

    def m(self, other):
        gi_fn(self, _as_tensor(other, 'other'))
        return self

    m.__name__ = name + '_'
    return m


def _operator(name, reflected=False):
    gi_fn = getattr(_GITensor, name)

    def op(self, other):
        o = _operand(other)
        if o is None:
            return NotImplemented
        return gi_fn(o, self) if reflected else gi_fn(self, o)

    return op


def _ioperator(name):
    gi_fn = getattr(_GITensor, name + '_')

    def op(self, other):
        o = _operand(other)
        if o is None:
            return NotImplemented
        gi_fn(self, o)
        return self

    return op


class TensorMath:
    """The math methods of Lt.Tensor."""

    __slots__ = ()

    for _name in UNARY:
        locals()[_name + '_'] = _unary_(_name)
    for _name, _target in ALIASES.items():
        locals()[_name] = (lambda t: lambda self: getattr(self, t)())(_target)
        locals()[_name + '_'] = (lambda t: lambda self: getattr(self, t + '_')())(_target)
    for _name in ('bitwise_and', 'bitwise_or', 'bitwise_xor'):
        locals()[_name] = _bitwise(_name)
        locals()[_name + '_'] = _bitwise_(_name)
    del _name, _target

    def round(self, decimals: int = 0):
        """Rounds to the nearest integer, halves to even; with decimals, to
        that many decimal places (x * 10^d rounded, then divided back, as
        torch)."""
        decimals = operator.index(decimals)
        if decimals == 0:
            return _GITensor.round(self)
        scale = 10.0 ** decimals
        return _GITensor.round(self * scale) / scale

    def round_(self, decimals: int = 0):
        decimals = operator.index(decimals)
        if decimals == 0:
            _GITensor.round_(self)
        else:
            scale = 10.0 ** decimals
            self.mul_(scale)
            _GITensor.round_(self)
            self.div_(scale)
        return self

    __and__ = _operator('bitwise_and')
    __or__ = _operator('bitwise_or')
    __xor__ = _operator('bitwise_xor')
    __rand__ = _operator('bitwise_and', True)
    __ror__ = _operator('bitwise_or', True)
    __rxor__ = _operator('bitwise_xor', True)
    __iand__ = _ioperator('bitwise_and')
    __ior__ = _ioperator('bitwise_or')
    __ixor__ = _ioperator('bitwise_xor')

    def __invert__(self):
        return _GITensor.bitwise_not(self)
