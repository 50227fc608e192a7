#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The floating-point work of a training step that the benches count from
the layer shapes (bench/bench_common.py StepFlops, one function per
network: bench_nets.FLOPS, bench_common.tutorial_flops,
bench_conv_torch.cnn_flops) against an independent count: forward hooks on
the PyTorch model, built from the same definitions, read the multiply-adds
of every nn.Conv2d, nn.Linear and nn.LSTM from the tensors that pass
through them, and whether their input needs a gradient, during a real
forward pass.
"""

import os
import sys
import unittest

from harness import main, require

torch = require('torch', 'python3-torch')

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'bench'))
import bench_common  # noqa: E402
import bench_conv_torch  # noqa: E402
import bench_nets  # noqa: E402


def hooked_flops(model, inputs):
    """Runs model(inputs) with hooks; returns (forward, backward) FLOPs by
    the convention of StepFlops: 2 per multiply-add forward, 2 more for
    the weight's gradient, 2 more for the input's where it needs one."""
    counts = {'forward': 0, 'backward': 0}

    def add(macs, input_grad):
        counts['forward'] += 2 * macs
        counts['backward'] += 2 * macs * (2 if input_grad else 1)

    def conv_hook(m, inp, out):
        add(out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1],
            inp[0].requires_grad)

    def linear_hook(m, inp, out):
        add(out.numel() * m.in_features, inp[0].requires_grad)

    def lstm_hook(m, inp, out):
        x = inp[0]
        positions = x.shape[0] * x.shape[1]
        h = m.hidden_size
        for layer in range(m.num_layers):
            fin = m.input_size if layer == 0 else h
            add(positions * 4 * h * fin, x.requires_grad or layer > 0)
            add(positions * 4 * h * h, True)

    hooks = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        elif isinstance(m, torch.nn.LSTM):
            hooks.append(m.register_forward_hook(lstm_hook))
    model(inputs)
    for h in hooks:
        h.remove()
    return counts['forward'], counts['backward']


class TestStepFlops(unittest.TestCase):

    def check(self, counted, model, inputs):
        fwd, bwd = hooked_flops(model, inputs)
        self.assertGreater(fwd, 0)
        self.assertEqual(counted.forward, fwd)
        self.assertEqual(counted.backward, bwd)
        self.assertEqual(counted.total, fwd + bwd)

    def test_nets(self):
        torch.manual_seed(0)
        for net in sorted(bench_nets.NETS):
            for batch in (1, 3):
                with self.subTest(net=net, batch=batch):
                    tr = bench_nets.Trainer(torch, net, batch)
                    self.check(bench_nets.FLOPS[net](batch), tr.net, tr.inputs)

    def test_tutorial(self):
        net = bench_common.tutorial_net().classifier_net(torch)()
        for batch in (1, 4):
            with self.subTest(batch=batch):
                self.check(bench_common.tutorial_flops(batch), net,
                           torch.randn(batch, 3, 32, 32))

    def test_cnn(self):
        net = bench_conv_torch.cnn()
        for batch in (1, 5):
            with self.subTest(batch=batch):
                self.check(bench_conv_torch.cnn_flops(batch), net,
                           torch.rand(batch, 1, 28, 28))

    def test_known_counts(self):
        # ResNet-20's forward by hand: the first convolution, 6 of 16 -> 16
        # channels on 32x32, a strided and 5 others on 16x16 and on 8x8 (the
        # same count each), the classifier: 40.55 million multiply-adds
        macs = (3 * 16 * 9 * 32 * 32 + 6 * 16 * 16 * 9 * 32 * 32
                + 2 * (16 * 32 * 9 * 16 * 16 + 5 * 32 * 32 * 9 * 16 * 16) + 64 * 10)
        self.assertEqual(bench_nets.resnet20_flops(1).forward, 2 * macs)
        self.assertEqual(bench_nets.mlp_flops(1).forward, 2 * (784 * 512 + 512 * 256 + 256 * 10))
        # the first layer on the data: no input gradient
        self.assertEqual(bench_nets.mlp_flops(1).backward,
                         2 * (784 * 512 + 2 * 512 * 256 + 2 * 256 * 10))

    def test_rates(self):
        peak = dict(peak_gflops=200.0, per_core_gflops=100.0)
        r = bench_common.flop_rates(4e9, 0.1, 0.2, peak)
        self.assertAlmostEqual(r['step_gflops'], 40.0)
        self.assertAlmostEqual(r['peak_share'], 0.2)
        self.assertAlmostEqual(r['peak_share_cpu'], 0.2)
        self.assertNotIn('peak_share', bench_common.flop_rates(4e9, 0.1, 0.2, None))


if __name__ == '__main__':
    main()
