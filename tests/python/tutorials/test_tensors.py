#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch's "Tensors" tutorial (beginner_source/basics/tensorqs_tutorial.py,
PyTorch 1.13's tutorials) run to the end with libtensor, and side by side
with PyTorch 1.13: the same code (a function of the module it is given)
prints the same text with both, `Lt.` where PyTorch prints `torch.`,
except the random numbers.

Lines changed from the tutorial, and why:
- `import torch` -> `from gi.repository import Lt as torch` (here: the
  module is the function's argument, so the same lines run with both).

Everything else runs as written: creation from data, numpy and other
tensors, `rand_like (dtype=)`, shapes as tuples, `.device`, indexing and
slice assignment, `cat`, `@`, `.T`, `matmul`/`mul` with `out=`, `.item
()`, in-place `add_`, and the memory `numpy ()` and `from_numpy ()`
share both ways.
"""

import unittest

from tutorial_common import main, printed, require

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
real_torch = require('torch', 'python3-torch')


def tensors(torch):
    # ----- the tutorial, from here on -----
    data = [[1, 2],[3, 4]]
    x_data = torch.tensor(data)

    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)

    x_ones = torch.ones_like(x_data) # retains the properties of x_data
    print(f"Ones Tensor: \n {x_ones} \n")

    x_rand = torch.rand_like(x_data, dtype=torch.float) # overrides the datatype of x_data
    print(f"Random Tensor: \n {x_rand} \n")

    shape = (2,3,)
    rand_tensor = torch.rand(shape)
    ones_tensor = torch.ones(shape)
    zeros_tensor = torch.zeros(shape)

    print(f"Random Tensor: \n {rand_tensor} \n")
    print(f"Ones Tensor: \n {ones_tensor} \n")
    print(f"Zeros Tensor: \n {zeros_tensor}")

    tensor = torch.rand(3,4)

    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")

    # We move our tensor to the GPU if available
    if torch.cuda.is_available():
        tensor = tensor.to("cuda")

    tensor = torch.ones(4, 4)
    print(f"First row: {tensor[0]}")
    print(f"First column: {tensor[:, 0]}")
    print(f"Last column: {tensor[..., -1]}")
    tensor[:,1] = 0
    print(tensor)

    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1)

    # This computes the matrix multiplication between two tensors. y1, y2, y3 will have the same value
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)

    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)


    # This computes the element-wise product. z1, z2, z3 will have the same value
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)

    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)

    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item))

    print(f"{tensor} \n")
    tensor.add_(5)
    print(tensor)

    t = torch.ones(5)
    print(f"t: {t}")
    n = t.numpy()
    print(f"n: {n}")

    t.add_(1)
    print(f"t: {t}")
    print(f"n: {n}")

    n = np.ones(5)
    t = torch.from_numpy(n)

    np.add(n, 1, out=n)
    print(f"t: {t}")
    print(f"n: {n}")
    # ----- end of the tutorial -----
    return locals()


def without_random(text):
    """The printed text less the blocks that follow 'Random Tensor:'."""
    blocks = text.split('\n \n')
    return '\n \n'.join(b for b in blocks if 'Random Tensor' not in b)


class TestTensors(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.lt, cls.lt_out = printed(tensors, Lt)
        cls.ref, cls.ref_out = printed(tensors, real_torch)
        print(cls.lt_out)

    def test_prints_as_pytorch(self):
        self.assertEqual(without_random(self.lt_out),
                         without_random(self.ref_out).replace('torch.', 'Lt.'))
        self.assertIn('Shape of tensor: Lt.Size([3, 4])\n', self.lt_out)
        self.assertIn('Device tensor is stored on: cpu\n', self.lt_out)
        self.assertIn('12.0 <class \'float\'>\n', self.lt_out)

    def test_random_tensors(self):
        for name in ('x_rand', 'rand_tensor'):
            lt = self.lt[name]
            self.assertEqual(lt.dtype, Lt.float32)
            a = lt.numpy()
            self.assertTrue(((a >= 0) & (a < 1)).all(), name)
        self.assertEqual(tuple(self.lt['rand_tensor'].shape), (2, 3))
        self.assertEqual(self.lt['x_rand'].shape, self.lt['x_data'].shape)

    def test_values(self):
        for name in ('x_data', 'x_np', 'x_ones', 'ones_tensor', 'zeros_tensor', 'tensor',
                     't1', 'y1', 'y2', 'y3', 'z1', 'z2', 'z3', 'agg', 't'):
            lt, ref = self.lt[name], self.ref[name]
            self.assertEqual(str(lt.dtype), str(ref.dtype).replace('torch.', 'Lt.'), name)
            np.testing.assert_array_equal(lt.numpy(), ref.numpy(), err_msg=name)
        # numpy() and from_numpy() share memory
        np.testing.assert_array_equal(self.lt['n'], np.full(5, 2.0))
        np.testing.assert_array_equal(self.lt['t'].numpy(), np.full(5, 2.0))


if __name__ == '__main__':
    main()
