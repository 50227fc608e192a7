# SPDX-License-Identifier: LGPL-2.1-or-later
"""``Lt.nn.utils``: clip_grad_norm_, clip_grad_value_, parameters_to_vector
and vector_to_parameters, as torch.nn.utils (PyTorch 1.13 writes them in
Python over tensor ops too), and the initialisers of ``Lt.nn.init`` that
compose ops: eye_, dirac_, trunc_normal_, sparse_.

Part of gi/overrides/_lt/nn.py, which imports this file at its end and adds
``utils`` to ``Lt.nn`` and INIT to ``Lt.nn.init``.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Iterable, Mapping

from .common import Tensor, namespace
from .common import RuntimeError_, TypeError_, ValueError_
from .nn import _GITensor


class _LtProxy:
    """The overridden Lt (Lt.no_grad, Lt.stack, ...), looked up when used:
    this file is imported while Lt.py is still being imported."""

    def __getattr__(self, name):
        from gi.repository import Lt as lt
        return getattr(lt, name)


Lt = _LtProxy()


def _tensors(parameters):
    if isinstance(parameters, _GITensor):
        return [parameters]
    return list(parameters)


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Any = None) -> Tensor:
    """Scales the gradients of `parameters` in place so that their joint
    norm (the norm of the norms) is at most `max_norm`; returns the norm
    they had."""
    grads = [p.grad for p in _tensors(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not grads:
        return Lt.tensor(0.0)
    with Lt.no_grad():
        if norm_type == math.inf:
            norms = [g.detach().abs().max() for g in grads]
            total = norms[0] if len(norms) == 1 else Lt.stack(norms).max()
        else:
            total = Lt.stack([g.detach().norm(norm_type) for g in grads]).norm(norm_type)
        value = total.item()
        if error_if_nonfinite and (math.isnan(value) or math.isinf(value)):
            raise RuntimeError_('The total norm of order %s for gradients from `parameters` is '
                               'non-finite, so it cannot be clipped. To disable this error and '
                               'scale the gradients by the non-finite norm anyway, set '
                               '`error_if_nonfinite=False`' % norm_type)
        coef = max_norm / (total + 1e-6)
        coef = coef.clamp(max=1.0)
        for g in grads:
            g.detach().mul_(coef.to(dtype=g.dtype))
    return total


def clip_grad_value_(parameters: Any, clip_value: float, foreach: Any = None) -> None:
    """Clamps the gradients of `parameters` to [-clip_value, clip_value]
    in place."""
    clip_value = float(clip_value)
    with Lt.no_grad():
        for p in _tensors(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one vector (a new
    tensor that records autograd)."""
    vec = [p.view(-1) for p in parameters]
    if not vec:
        raise RuntimeError_('parameters_to_vector: no parameters (torch.cat() of an empty list)')
    return Lt.cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copies consecutive slices of `vec` into the parameters, in place."""
    if not isinstance(vec, _GITensor):
        raise TypeError_('expected Tensor, but got: {}'.format(type(vec).__name__))
    params = list(parameters)
    need = sum(p.numel() for p in params)
    if vec.dim() != 1 or vec.numel() != need:
        raise RuntimeError_('vector_to_parameters: the vector has shape %s, the parameters %d '
                           'elements' % (list(vec.shape), need))
    pointer = 0
    with Lt.no_grad():
        for p in params:
            n = p.numel()
            p.copy_(vec[pointer:pointer + n].view(*p.shape))
            pointer += n


utils = namespace('Lt.nn.utils', 'torch.nn.utils for libtensor: gradient clipping and '
                  'parameter vectors.', {
                      'clip_grad_norm_': clip_grad_norm_, 'clip_grad_norm': clip_grad_norm_,
                      'clip_grad_value_': clip_grad_value_,
                      'parameters_to_vector': parameters_to_vector,
                      'vector_to_parameters': vector_to_parameters,
                  })


# ---------------------------------------------------------------------------
# nn.init: the initialisers that compose ops


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix, in place, for a 2-D tensor."""
    if tensor.dim() != 2:
        raise ValueError_('Only tensors with 2 dimensions are supported')
    rows, cols = tensor.shape
    with Lt.no_grad():
        tensor.zero_()
        for i in range(min(rows, cols)):
            tensor[i, i] = 1.0
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """The Dirac delta, in place, for a 3-, 4- or 5-D convolution weight:
    each output channel (per group) passes its input channel through."""
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError_('Only tensors with 3, 4, or 5 dimensions are supported')
    groups = operator.index(groups)
    sizes = list(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError_('dim 0 must be divisible by groups')
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    centre = [s // 2 for s in sizes[2:]]
    with Lt.no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min_dim):
                tensor[(g * out_per_group + d, d, *centre)] = 1.0
    return tensor


def trunc_normal_(tensor: Tensor, mean: float = 0., std: float = 1., a: float = -2.,
                  b: float = 2.) -> Tensor:
    """Values from N(mean, std²) truncated to [a, b], in place: drawn from
    the normal distribution and redrawn where they fell outside (the same
    distribution as PyTorch's inverse-CDF method, not the same numbers)."""
    mean, std, a, b = float(mean), float(std), float(a), float(b)
    if not a < b:
        raise ValueError_('trunc_normal_: a (%s) must be less than b (%s)' % (a, b))
    with Lt.no_grad():
        out = Lt.empty(*tensor.shape, dtype=tensor.dtype)
        normal_out = Lt.nn.init.normal_
        normal_out(out, mean, std)
        for _ in range(1000):
            bad = (out < a).logical_or(out > b)
            if not bad.any().item():
                break
            fresh = Lt.empty(*tensor.shape, dtype=tensor.dtype)
            normal_out(fresh, mean, std)
            out = Lt.where(bad, fresh, out)
        else:
            out = out.clamp(a, b)      # [a, b] holds almost no mass: as torch, clamp
        tensor.copy_(out)
    return tensor


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01) -> Tensor:
    """A 2-D tensor drawn from N(0, std²) with a fraction `sparsity` of each
    column set to zero, in place."""
    if tensor.dim() != 2:
        raise ValueError_('Only tensors with 2 dimensions are supported')
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(float(sparsity) * rows))
    with Lt.no_grad():
        Lt.nn.init.normal_(tensor, 0.0, float(std))
        for c in range(cols):
            for r in Lt.randperm(rows).tolist()[:num_zeros]:
                tensor[r, c] = 0.0
    return tensor


INIT: Mapping[str, Any] = {
    'eye_': eye_, 'dirac_': dirac_, 'trunc_normal_': trunc_normal_, 'sparse_': sparse_,
}
