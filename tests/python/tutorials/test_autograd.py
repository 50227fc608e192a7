#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch's "Automatic Differentiation with torch.autograd" tutorial
(beginner_source/basics/autogradqs_tutorial.py, PyTorch 1.13's
tutorials) run to the end with libtensor, and side by side with PyTorch
1.13 on the same weights: the same code (a function of the module it is
given) prints the same text with both, except the addresses in `<AddBackward0 object at 0x...>`, and the gradients agree.
Its last part is the Jacobian-vector product: `out.backward
(torch.ones_like (out), retain_graph=True)` (backward's `gradient`
argument), called twice to show that gradients accumulate, then after
`inp.grad.zero_ ()`.

Lines changed from the tutorial, and why:
- `import torch` -> `from gi.repository import Lt as torch` (here: the
  module is the function's argument, so the same lines run with both).
- `w = torch.randn(5, 3, requires_grad=True)` and `b = torch.randn(3,
  requires_grad=True)` take the values the test gives them
  (`torch.tensor(W, requires_grad=True)`): the two libraries draw
  different random numbers, and the side-by-side check needs the same
  weights.
"""

import re
import unittest

from tutorial_common import main, printed, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
real_torch = require('torch', 'python3-torch')

W = np.random.default_rng(11).standard_normal((5, 3)).astype(np.float32)
B = np.random.default_rng(12).standard_normal(3).astype(np.float32)


def autograd(torch):
    # ----- the tutorial, from here on -----
    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    w = torch.tensor(W, requires_grad=True)  # torch.randn(5, 3, requires_grad=True)
    b = torch.tensor(B, requires_grad=True)  # torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w)+b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")

    loss.backward()
    print(w.grad)
    print(b.grad)

    z = torch.matmul(x, w)+b
    print(z.requires_grad)

    with torch.no_grad():
        z = torch.matmul(x, w)+b
    print(z.requires_grad)

    z = torch.matmul(x, w)+b
    z_det = z.detach()
    print(z_det.requires_grad)

    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp+1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nSecond call\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\nCall after zeroing gradients\n{inp.grad}")
    # ----- end of the tutorial -----
    return locals()


def without_addresses(text):
    return re.sub(r' object at 0x[0-9a-f]+>', ' object>', text)


class TestAutograd(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.lt, cls.lt_out = printed(autograd, Lt)
        cls.ref, cls.ref_out = printed(autograd, real_torch)
        print(cls.lt_out)

    def test_prints_as_pytorch(self):
        lt_lines = without_addresses(self.lt_out).splitlines()
        ref_lines = without_addresses(self.ref_out).replace('torch.', 'Lt.').splitlines()
        # The same weights: the same text, line for line.
        self.assertEqual(lt_lines, ref_lines)
        self.assertEqual(lt_lines[0], 'Gradient function for z = <AddBackward0 object>')
        self.assertEqual(lt_lines[1], 'Gradient function for loss = '
                                      '<BinaryCrossEntropyWithLogitsBackward0 object>')
        self.assertEqual(lt_lines[2 + 5 + 1:2 + 5 + 1 + 3], ['True', 'False', 'False'])
        self.assertIn('First call\ntensor([[4., 2., 2., 2., 2.],', self.lt_out)
        self.assertIn('Second call\ntensor([[8., 4., 4., 4., 4.],', self.lt_out)
        self.assertIn('Call after zeroing gradients\ntensor([[4., 2., 2., 2., 2.],',
                      self.lt_out)

    def test_gradients(self):
        for name in ('w', 'b', 'inp'):
            np.testing.assert_allclose(self.lt[name].grad.numpy(), self.ref[name].grad.numpy(),
                                       rtol=1e-5, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(self.lt['loss'].item(), self.ref['loss'].item(), rtol=1e-6)


if __name__ == '__main__':
    main()
