#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A Conv2d then a ReLU in nn.Sequential, which libtensor runs fused (the
convolution's kernels store relu(v) after the bias), side by side with
PyTorch 1.13 (/usr/bin/python3's torch): the output and the gradients of
the input, weight and bias within tolerance of torch's, and bit for bit
those of libtensor's own Conv2d and ReLU called one after the other; the
graph's node names as torch's (ReluBackward0 over ConvolutionBackward0).
Float32 and float64; groups, stride 2, depthwise, no bias, a padding
mode; the same on the CUDA backend's emulated device."""

import collections
import os
import unittest

os.environ.setdefault('LT_CUDA_EMULATE', '1')

from harness import main, require  # noqa: E402
from pairs import OnDevice  # noqa: E402

import gi  # noqa: E402
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

np = require('numpy', 'python3-numpy')
torch = require('torch', 'python3-torch')
tnn = require('torch.nn', 'python3-torch')

nn = Lt.nn

# Conv2d's arguments and the image size
CASES = [
    (dict(in_channels=3, out_channels=6, kernel_size=5), 12),
    (dict(in_channels=4, out_channels=6, kernel_size=3, padding=1, groups=2), 7),
    (dict(in_channels=3, out_channels=5, kernel_size=3, stride=2, padding=1), 9),
    (dict(in_channels=6, out_channels=6, kernel_size=3, padding=1, groups=6), 8),
    (dict(in_channels=3, out_channels=4, kernel_size=3, bias=False), 6),
    (dict(in_channels=3, out_channels=4, kernel_size=3, padding=1, padding_mode='reflect'), 6),
    (dict(in_channels=8, out_channels=8, kernel_size=3, padding=1), 10),
]


class ConvRelu(OnDevice, unittest.TestCase):
    def same_bits(self, a, b, what):
        a, b = self.back(a), self.back(b)
        self.assertEqual(a.shape, b.shape, what)
        self.assertEqual(a.tobytes(), b.tobytes(), what)

    def layer(self, theirs, kw):
        conv = nn.Conv2d(**kw)
        if theirs[0].weight.dtype == torch.float64:
            conv.double()
        sd = collections.OrderedDict((k, Lt.tensor(v.detach().numpy()))
                                     for k, v in theirs[0].state_dict().items())
        result = conv.load_state_dict(sd)
        self.assertFalse(result.missing_keys or result.unexpected_keys, result)
        if self.device != 'cpu':
            conv.to(self.device)
        return conv

    def test_against_torch(self):
        rng = np.random.default_rng(7)
        for kw, size in CASES:
            for dtype in (np.float32, np.float64):
                with self.subTest(kw=kw, dtype=dtype):
                    self.check(rng, kw, size, dtype)

    def check(self, rng, kw, size, dtype):
        tdt = torch.float32 if dtype == np.float32 else torch.float64
        torch.manual_seed(3)
        theirs = tnn.Sequential(tnn.Conv2d(**kw), tnn.ReLU()).to(tdt)
        ours = nn.Sequential(self.layer(theirs, kw), nn.ReLU())
        conv, relu = self.layer(theirs, kw), nn.ReLU()
        x = rng.standard_normal((2, kw['in_channels'], size, size)).astype(dtype)
        xt = torch.tensor(x, requires_grad=True)
        yt = theirs(xt)
        xa, xb = self.lt(x, True), self.lt(x, True)
        ya = ours(xa)
        yb = relu(conv(xb))
        g = rng.standard_normal(tuple(yt.shape)).astype(dtype)
        yt.backward(torch.tensor(g))
        ya.backward(self.lt(g))
        yb.backward(self.lt(g))

        self.assertEqual(ya.grad_fn.name(), yt.grad_fn.name())
        self.assertEqual(ya.grad_fn.next_functions[0][0].name(),
                         yt.grad_fn.next_functions[0][0].name())
        tol = 1e-4 if dtype == np.float32 else 1e-10
        np.testing.assert_allclose(self.back(ya), yt.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(self.back(xa.grad), xt.grad.numpy(), rtol=tol, atol=tol)
        names = ['weight'] + (['bias'] if kw.get('bias', True) else [])
        for name in names:
            np.testing.assert_allclose(self.back(getattr(ours[0], name).grad),
                                       getattr(theirs[0], name).grad.numpy(),
                                       rtol=tol, atol=tol, err_msg=name)
        # libtensor's fused pair and its modules one by one: the same bits
        self.same_bits(ya, yb, 'the output')
        self.same_bits(xa.grad, xb.grad, "the input's gradient")
        for name in names:
            self.same_bits(getattr(ours[0], name).grad, getattr(conv, name).grad, name)


@unittest.skipUnless(Lt.cuda.is_available(), 'built without the CUDA backend')
class ConvReluCuda(ConvRelu):
    device = 'cuda'


if __name__ == '__main__':
    main()
