#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The tutorial's Net, libtensor against PyTorch 1.13, with the same weights.

Both networks of the tutorial (shared/seed/): the 1-channel Net of the
"Neural networks" section (F.max_pool2d with (2, 2) and 2, num_flat_features)
and the 3-channel CIFAR-10 Net of "Training a classifier" (an nn.MaxPool2d
module, x.view(-1, 16 * 5 * 5)), written once and built on torch and on Lt
(`from gi.repository import Lt as torch`: Lt.nn, Lt.nn.functional,
Lt.optim).

PyTorch makes its network with its own initialisation and writes the
weights to a safetensors file (safetensors.torch.save_file, from the source
root's .venv when this interpreter lacks the package); the Lt network loads that file (lt_module_load, strict). Then,
with the same inputs:

- the outputs, the CrossEntropyLoss and MSELoss values (the tutorial's
  target = arange(1, 11) for a single image; a random target for a batch)
  and the gradient of every parameter agree within float32 tolerance;
- 5 steps of each optimizer (SGD with momentum, SGD with Nesterov momentum,
  Adam, AdamW, RMSprop), each step zero_grad, forward, loss, backward,
  step on a batch of its own, give parameters that agree within float32
  tolerance.

Fails with what to install when PyTorch, numpy or safetensors cannot be
imported.
"""

import os
import sys
import tempfile
import unittest

from harness import main, require, require_from_venv, tutorial_net

require_from_venv('safetensors.torch')
torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')
import safetensors.torch  # noqa: E402

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

torch.set_num_threads(1)
rng = np.random.default_rng(20241127)

print('# weights written by safetensors.torch.save_file (%s)' % sys.executable, flush=True)


def make_net(lib, channels):
    """The tutorial's Net on `lib` (torch or Lt), from examples/tutorial_net.py:
    channels 1 is the nn section's, 3 the CIFAR-10 classifier's."""
    nets = tutorial_net()
    return (nets.nn_net(lib) if channels == 1 else nets.classifier_net(lib))()


NAMES = ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias',
         'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']


def np_of(t):
    """float64 numpy copy of a torch or Lt tensor (or of an array)"""
    if isinstance(t, np.ndarray):
        return t.astype(np.float64)
    if isinstance(t, torch.Tensor):
        return t.detach().numpy().astype(np.float64)
    return np.array(t.detach().numpy(), dtype=np.float64)


def write_weights(net, path):
    """torch's state_dict to a safetensors file"""
    state = net.state_dict()
    assert list(state) == NAMES
    safetensors.torch.save_file({k: v.contiguous() for k, v in state.items()}, path)


class NetReference(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='lt-net-reference-')

    def tearDown(self):
        self.tmp.cleanup()

    def nets(self, channels, seed):
        """A torch Net, and an Lt Net loaded from the file torch wrote"""
        torch.manual_seed(seed)
        tnet = make_net(torch, channels)
        path = os.path.join(self.tmp.name, 'net-%d-%d.safetensors' % (channels, seed))
        write_weights(tnet, path)
        lnet = make_net(Lt, channels)
        self.assertTrue(lnet.load(path, True))
        # the same numbers, bit for bit
        ln = dict(lnet.named_parameters())
        self.assertEqual(list(ln), NAMES)
        for name, p in tnet.named_parameters():
            np.testing.assert_array_equal(np_of(ln[name]), np_of(p), err_msg=name)
        return tnet, lnet

    def assert_close(self, ours, ref, what, rtol=2e-5, atol_scale=2e-6):
        """float32 results: within rtol, and an absolute slack relative to the
        largest magnitude of the reference (sums of many terms cancel)"""
        ours = np_of(ours)
        ref = np_of(ref)
        self.assertEqual(ours.shape, ref.shape, what)
        atol = atol_scale * max(np.max(np.abs(ref)), 1e-30) if ref.size else 0
        np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol, err_msg=what)

    def inputs(self, batch, channels):
        x = rng.standard_normal((batch, channels, 32, 32)).astype(np.float32)
        return torch.from_numpy(x.copy()), Lt.tensor(x)

    def check_grads(self, tnet, lnet, what):
        ln = dict(lnet.named_parameters())
        for name, p in tnet.named_parameters():
            g = ln[name].grad
            self.assertIsNotNone(g, '%s: %s has no gradient' % (what, name))
            self.assertIsNotNone(p.grad)
            # a check that can fail: the gradient is not all zeros
            self.assertGreater(np.abs(np_of(p.grad)).max(), 0, name)
            self.assertEqual(tuple(g.shape), tuple(p.grad.shape), name)
            self.assert_close(g, p.grad, '%s: %s.grad' % (what, name), rtol=1e-4, atol_scale=1e-5)

    def forward_backward(self, channels, batch, seed):
        what = '%d-channel Net, batch %d' % (channels, batch)
        tnet, lnet = self.nets(channels, seed)
        tx, lx = self.inputs(batch, channels)
        tout = tnet(tx)
        lout = lnet(lx)
        self.assertEqual(tuple(lout.shape), (batch, 10))
        self.assert_close(lout, tout, what + ': output')

        # CrossEntropyLoss
        labels = rng.integers(0, 10, batch)
        tloss = torch.nn.CrossEntropyLoss()(tout, torch.from_numpy(labels))
        lloss = Lt.nn.CrossEntropyLoss()(lout, Lt.tensor(labels))
        self.assert_close(lloss, tloss, what + ': CrossEntropyLoss')
        tnet.zero_grad()
        lnet.zero_grad()
        tloss.backward()
        lloss.backward()
        self.check_grads(tnet, lnet, what + ', CrossEntropyLoss')

        # MSELoss: the tutorial's arange(1, 11) target for one image
        if batch == 1:
            target = np.arange(1, 11, dtype=np.float32).reshape(1, -1)
        else:
            target = rng.standard_normal((batch, 10)).astype(np.float32)
        tout = tnet(tx)
        lout = lnet(lx)
        tloss = torch.nn.MSELoss()(tout, torch.from_numpy(target))
        lloss = Lt.nn.MSELoss()(lout, Lt.tensor(target))
        self.assert_close(lloss, tloss, what + ': MSELoss')
        tnet.zero_grad()
        lnet.zero_grad()
        tloss.backward()
        lloss.backward()
        self.check_grads(tnet, lnet, what + ', MSELoss')

    def test_nn_section_net(self):
        self.forward_backward(1, 1, seed=1)
        self.forward_backward(1, 5, seed=2)

    def test_cifar_net(self):
        self.forward_backward(3, 4, seed=3)
        self.forward_backward(3, 16, seed=4)

    def optimizer_steps(self, channels, make_optimizer, name, scale_free):
        """5 steps of the same optimizer on both sides; the gradients at each
        step, then the parameters. Adam, AdamW and RMSprop divide each
        gradient by its running magnitude, so every element moves by about
        lr a step (10 lr at RMSprop's first) whatever its gradient: with
        PyTorch's eps of 1e-8 a gradient that float32 rounding leaves at
        1e-9 on one side and -1e-9 on the other (a sum that cancels) would
        move its weight by 10 lr in opposite directions, and the next steps
        would differ everywhere. Their eps here is 1e-6, under which such
        noise moves a weight by 1e-3 lr at most; their parameters are held
        to 1e-2 lr a step (the gradients agree within 1e-3, and a step moves
        an element by 10 lr at most), SGD's to float32 tolerance."""
        tnet, lnet = self.nets(channels, seed=10 + channels)
        topt = make_optimizer(torch, tnet)
        lopt = make_optimizer(Lt, lnet)
        lr = topt.param_groups[0]['lr']
        tcrit = torch.nn.CrossEntropyLoss()
        lcrit = Lt.nn.CrossEntropyLoss()
        ln = dict(lnet.named_parameters())
        steps = 5
        for step in range(steps):
            tx, lx = self.inputs(4, channels)
            labels = rng.integers(0, 10, 4)
            topt.zero_grad()
            lopt.zero_grad()
            tloss = tcrit(tnet(tx), torch.from_numpy(labels))
            lloss = lcrit(lnet(lx), Lt.tensor(labels))
            self.assert_close(lloss, tloss, '%s, step %d: loss' % (name, step + 1), rtol=1e-4)
            tloss.backward()
            lloss.backward()
            for pname, p in tnet.named_parameters():
                self.assert_close(ln[pname].grad, p.grad, '%s, step %d: %s.grad'
                                  % (name, step + 1, pname), rtol=1e-3, atol_scale=1e-4)
            topt.step()
            lopt.step()
        torch.manual_seed(10 + channels)
        initial = dict(make_net(torch, channels).named_parameters())
        moved = 0.0
        for pname, p in tnet.named_parameters():
            ref, ours = np_of(p), np_of(ln[pname])
            moved = max(moved, np.abs(ref - np_of(initial[pname])).max())
            what = '%s after %d steps: %s' % (name, steps, pname)
            if scale_free:
                np.testing.assert_allclose(ours, ref, rtol=1e-4, atol=1e-2 * lr * steps,
                                           err_msg=what)
            else:
                self.assert_close(ours, ref, what, rtol=1e-4, atol_scale=1e-5)
        # the steps did move the parameters
        self.assertGreater(moved, 1e-4, name)

    def test_optimizers(self):
        optimizers = [
            ('SGD momentum', lambda lib, net: lib.optim.SGD(net.parameters(), lr=0.01,
                                                            momentum=0.9), False),
            ('SGD nesterov', lambda lib, net: lib.optim.SGD(net.parameters(), lr=0.01,
                                                            momentum=0.9, nesterov=True), False),
            ('Adam', lambda lib, net: lib.optim.Adam(net.parameters(), lr=1e-3, eps=1e-6), True),
            ('AdamW', lambda lib, net: lib.optim.AdamW(net.parameters(), lr=1e-3, eps=1e-6,
                                                       weight_decay=0.01), True),
            ('RMSprop', lambda lib, net: lib.optim.RMSprop(net.parameters(), lr=1e-3, eps=1e-6),
             True),
        ]
        for channels in (1, 3):
            for name, make, scale_free in optimizers:
                with self.subTest(optimizer=name, channels=channels):
                    self.optimizer_steps(channels, make, '%s (%d-channel Net)' % (name, channels),
                                         scale_free)


if __name__ == '__main__':
    main(verbosity=2)
