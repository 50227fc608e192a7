# SPDX-License-Identifier: LGPL-2.1-or-later
"""The parts of the ``Lt`` overrides (private: gi/overrides/Lt.py, the
module PyGObject loads, imports them and exports their public names).

- common.py: what the others share (the introspection module, the override
  decorator, GLib.Error in the Lt domain, namespaces, carried exceptions);
- types.py: dtypes, ``Lt.device``, ``Lt.Size``, reading Python values;
- creation.py: ``Lt.tensor``, ``Lt.zeros``..., ``Lt.from_numpy``;
- indexing.py: ``x[...]`` and ``x[...] = v``;
- printing.py: ``repr()`` of a tensor, ``Lt.set_printoptions``;
- serialization.py: ``Lt.save`` and ``Lt.load`` (safetensors, torch's .pt);
- math.py: in-place math methods, bitwise operators, torch's aliases;
- ops_extra.py: prod, cumsum, cumprod, logsumexp, norm, dist, tril, triu,
  flip, roll, repeat, repeat_interleave, diag, diagonal, trace, outer,
  cross, einsum, div(rounding_mode=);
- index_ops.py: nonzero, argwhere, where(cond), take, count_nonzero,
  index_put, scatter (src, value, reduce=), isnan/isinf/isfinite/isposinf/
  isneginf, randint_like and the extra in-place spellings (eq_, clamp_min_,
  multiply_, logical_xor_, addmm_, random_, ...);
- autograd.py: ``grad_fn`` nodes, ``Lt.no_grad``, ``Lt.autograd``;
- nn.py, optim.py, data.py: ``Lt.nn``, ``Lt.optim``, ``Lt.utils``,
  ``Lt.transforms``, ``Lt.datasets``;
- train.py: ``Lt.Trainer`` taking those Python objects;
- _fast.c (built as the extension module _fast): the hottest Tensor
  methods in C, which Lt.py puts on the class when the module imports.

Uninstalled, _fast is built into <build>/gi/overrides/_lt/: the package's
path takes in every gi/overrides/_lt/ folder on sys.path, so that with
the build root in PYTHONPATH beside the source root the module is found.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
