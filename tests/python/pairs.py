# SPDX-License-Identifier: LGPL-2.1-or-later
"""The same values as a torch tensor and as an Lt tensor, and either one as
a numpy array: what the reference tests compare side by side."""

from harness import require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi  # noqa: E402
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402


def both(a, dtype='float64', requires_grad=False):
    """(torch tensor, Lt tensor) of the array-like `a` as `dtype`."""
    a = np.asarray(a, dtype=dtype)
    t = torch.tensor(a, requires_grad=requires_grad)
    lt = Lt.tensor(a.tolist(), dtype=getattr(Lt, dtype), requires_grad=requires_grad)
    if a.size == 0:
        lt = lt.reshape(a.shape)
    return t, lt


def npy(x):
    """A torch or Lt tensor's values as a numpy array of its shape."""
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.detach().tolist()).reshape(tuple(x.shape))


class OnDevice:
    """A test case's tensors on its class's `device` ('cpu', or 'cuda' in a
    subclass that runs the same tests on the CUDA backend)."""

    device = 'cpu'

    def lt(self, a, requires_grad=False):
        """The Lt tensor of the array-like `a` on the case's device."""
        t = Lt.tensor(a)
        if self.device != 'cpu':
            t = t.to(self.device)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def back(self, t):
        """An Lt tensor's values, wherever it is, as a numpy array."""
        return np.array(t.detach().cpu().numpy(), copy=True)
