#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The tutorial's "Neural networks" section, written as a user would write it
with `from gi.repository import Lt as torch`: define Net by subclassing
nn.Module, print it (compared with PyTorch 1.13's print of the same class;
the tutorial shows the older "Linear (400 -> 120)" form), list its
parameters, run a (1, 1, 32, 32) input, backward a random gradient, take the
MSE loss against arange(1, 11), look at conv1.bias.grad before and after
backward, and update the weights by hand and with SGD."""

import contextlib
import io
import unittest

from harness import main, require, tutorial_net

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt as torch  # noqa: E402

# The tutorial prints tensors in PyTorch 0.3's form, as these tests check.
torch.set_printoptions(legacy=True)

np = require('numpy', 'python3-numpy')

nn = torch.nn
F = torch.nn.functional
Variable = torch.autograd.Variable

# PyTorch 1.13's print(net) for the tutorial's Net
TORCH_TEXT = ('Net(\n'
              '  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))\n'
              '  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))\n'
              '  (fc1): Linear(in_features=400, out_features=120, bias=True)\n'
              '  (fc2): Linear(in_features=120, out_features=84, bias=True)\n'
              '  (fc3): Linear(in_features=84, out_features=10, bias=True)\n'
              ')')


# The tutorial's class (examples/tutorial_net.py), on Lt here and on
# PyTorch to compare.
Net = tutorial_net().nn_net(torch)


def printed(obj):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print(obj)
    return out.getvalue()


class TestNeuralNetworks(unittest.TestCase):

    def setUp(self):
        torch.manual_seed(0)
        self.net = Net()

    def test_define_and_print(self):
        self.assertEqual(printed(self.net), TORCH_TEXT + '\n')
        real_torch = require('torch', 'python3-torch')
        real = tutorial_net().nn_net(real_torch)()
        self.assertEqual(str(self.net), str(real))

    def test_parameters(self):
        params = list(self.net.parameters())
        self.assertEqual(len(params), 10)
        self.assertEqual(params[0].size(), torch.Size([6, 1, 5, 5]))  # conv1's .weight
        self.assertEqual(printed(params[0].size()), 'Lt.Size([6, 1, 5, 5])\n')
        self.assertEqual([tuple(p.size()) for p in params],
                         [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,),
                          (84, 120), (84,), (10, 84), (10,)])
        self.assertTrue(all(p.requires_grad and p.is_leaf for p in params))

    def test_forward_and_backward(self):
        input = Variable(torch.randn(1, 1, 32, 32))
        out = self.net(input)
        self.assertEqual(out.size(), torch.Size([1, 10]))
        text = printed(out)
        self.assertTrue(text.endswith('[Lt.FloatTensor of size 1x10]\n\n'), text)

        self.net.zero_grad()
        grad = torch.randn(1, 10)
        out.backward(grad)
        # the last layer's bias receives the gradient given
        np.testing.assert_allclose(self.net.fc3.bias.grad.numpy(), grad.numpy()[0], rtol=1e-6)
        for p in self.net.parameters():
            self.assertEqual(p.grad.size(), p.size())

        # torch.nn only supports mini-batches: one sample gets a fake batch dimension
        sample = torch.randn(1, 32, 32)
        self.assertEqual(self.net(sample.unsqueeze(0)).size(), torch.Size([1, 10]))

    def test_loss(self):
        input = Variable(torch.randn(1, 1, 32, 32))
        output = self.net(input)
        target = Variable(torch.arange(1, 11, dtype=torch.float32))  # a dummy target
        criterion = nn.MSELoss()
        loss = criterion(output, target)
        want = ((output.detach().numpy()[0] - np.arange(1, 11)) ** 2).mean()
        self.assertAlmostEqual(loss.item(), want, places=4)
        self.assertEqual(loss.grad_fn.name(), 'MseLossBackward0')

        self.net.zero_grad()     # zeroes the gradient buffers of all parameters
        before = self.net.conv1.bias.grad
        if before is not None:
            self.assertEqual(before.abs().sum().item(), 0)
        loss.backward()
        after = self.net.conv1.bias.grad
        self.assertEqual(after.size(), torch.Size([6]))
        self.assertGreater(after.abs().sum().item(), 0)
        text = printed(after)
        self.assertTrue(text.endswith('[Lt.FloatTensor of size 6]\n\n'), text)
        self.net.zero_grad()
        self.assertEqual(self.net.conv1.bias.grad.abs().sum().item(), 0)

    def test_update_weights(self):
        input = torch.randn(1, 1, 32, 32)
        target = torch.arange(1, 11, dtype=torch.float32)
        criterion = nn.MSELoss()

        # by hand: weight = weight - learning_rate * gradient
        self.net.zero_grad()
        criterion(self.net(input), target).backward()
        learning_rate = 0.01
        before = [f.detach().clone() for f in self.net.parameters()]
        for f in self.net.parameters():
            f.data.sub_(f.grad.data * learning_rate)
        for b, f in zip(before, self.net.parameters()):
            np.testing.assert_allclose(f.detach().numpy(),
                                       (b - f.grad * learning_rate).numpy(), rtol=1e-6,
                                       atol=1e-8)
            self.assertFalse(torch.equal(b, f.detach()))

        # with an optimizer
        optim = getattr(torch, 'optim', None)
        if optim is not None:
            optimizer = optim.SGD(self.net.parameters(), lr=0.01)
        else:
            optimizer = torch.SGD.new(list(self.net.parameters()), 0.01, 0, 0, 0, False)
        optimizer.zero_grad()   # zero the gradient buffers
        output = self.net(input)
        loss = criterion(output, target)
        loss.backward()
        before = [f.detach().clone() for f in self.net.parameters()]
        optimizer.step()        # does the update
        for b, f in zip(before, self.net.parameters()):
            np.testing.assert_allclose(f.detach().numpy(), (b - f.grad * 0.01).numpy(),
                                       rtol=1e-6, atol=1e-8)
        self.assertFalse(torch.equal(before[0], self.net.conv1.weight.detach()))
        self.assertLess(criterion(self.net(input), target).item(), loss.item())


if __name__ == '__main__':
    main(verbosity=1)
