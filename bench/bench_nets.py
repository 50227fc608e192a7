#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Training steps of three common networks, on PyTorch or on libtensor
through its Python overrides, from the same lines (the networks are
written once on a torch-like namespace):

- resnet20: the CIFAR ResNet-20 of He et al. (3 stages of 3 basic blocks,
  16/32/64 channels, BatchNorm after every convolution, option A
  shortcuts: stride-2 subsampling and zero channels), on 3x32x32 random
  images, 10 classes;
- mlp: 784 -> 512 -> 256 -> 10 with ReLU, on random 784-feature rows;
- lstm: a language-model step: embedding (10,000 words, 200 features), a
  2-layer LSTM of 200 units over 35 steps, a linear decoder, cross
  entropy over every position (the shapes of PyTorch's word_language_model
  example, "small").

One step: zero_grad, forward, loss, backward, SGD (lr 0.01, momentum
0.9). Prints JSON lines: the median seconds of a step and its CPU time
(timed single steps after warm-up ones, at least --min-time seconds), and
the process's peak resident memory (ru_maxrss) after the timing. Run one
(network, batch, threads) per process for a peak memory of its own;
bench/run_nets.py does, alternating the two libraries.

    /usr/bin/python3 bench/bench_nets.py --impl torch --net resnet20 --batch 32 --threads 1
"""

import argparse
import json
import resource
import statistics
import sys
import time
from types import ModuleType

from bench_common import StepFlops

# ResNet-20's stages: (channels, stride of the first block); 3 blocks each
RESNET_STAGES, RESNET_BLOCKS = ((16, 1), (32, 2), (64, 2)), 3

def resnet20(torch: ModuleType) -> type:
    nn = torch.nn
    F = torch.nn.functional

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.stride = stride
            self.pad = cout - cin

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            short = x
            if self.stride != 1 or self.pad:
                # option A: every other pixel, the new channels zero
                short = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad // 2, self.pad // 2))
            return F.relu(out + short)

    class ResNet20(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 16, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(16)
            blocks = []
            cin = 16
            for cout, stride in RESNET_STAGES:
                for i in range(RESNET_BLOCKS):
                    blocks.append(Block(cin, cout, stride if i == 0 else 1))
                    cin = cout
            self.blocks = nn.Sequential(*blocks)
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            x = F.relu(self.bn(self.conv(x)))
            x = self.blocks(x)
            x = F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)
            return self.fc(x)

    return ResNet20


def resnet20_flops(batch: int) -> StepFlops:
    """A training step of ResNet-20 on 3x32x32 images (StepFlops's
    convention; the option A shortcuts have no products)."""
    f = StepFlops(batch)
    size = f.conv2d(3, 16, 3, 32, padding=1, input_grad=False)
    cin = 16
    for cout, stride in RESNET_STAGES:
        for i in range(RESNET_BLOCKS):
            size = f.conv2d(cin, cout, 3, size, stride=stride if i == 0 else 1, padding=1)
            size = f.conv2d(cout, cout, 3, size, padding=1)
            cin = cout
    f.linear(cin, 10)
    return f


MLP_SIZES = (784, 512, 256, 10)


def mlp(torch: ModuleType) -> type:
    nn = torch.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            # 784 -> 512 -> ReLU -> 256 -> ReLU -> 10
            layers = []
            for fin, fout in zip(MLP_SIZES, MLP_SIZES[1:]):
                layers += [nn.Linear(fin, fout), nn.ReLU()]
            self.net = nn.Sequential(*layers[:-1])

        def forward(self, x):
            return self.net(x)

    return MLP


def mlp_flops(batch: int) -> StepFlops:
    f = StepFlops(batch)
    for i, (fin, fout) in enumerate(zip(MLP_SIZES, MLP_SIZES[1:])):
        f.linear(fin, fout, input_grad=i > 0)
    return f


VOCAB, EMB, HIDDEN, LAYERS, SEQ = 10000, 200, 200, 2, 35


def lstm_lm(torch: ModuleType) -> type:
    nn = torch.nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(VOCAB, EMB)
            self.rnn = nn.LSTM(EMB, HIDDEN, LAYERS)
            self.dec = nn.Linear(HIDDEN, VOCAB)

        def forward(self, x):
            out, _ = self.rnn(self.emb(x))
            return self.dec(out).reshape(-1, VOCAB)

    return LM


def lstm_flops(batch: int) -> StepFlops:
    """The LSTM's input and recurrent products at every step and layer, and
    the decoder at every position (the embedding is a gather: no
    products)."""
    f = StepFlops(batch)
    f.lstm(EMB, HIDDEN, LAYERS, SEQ)
    f.linear(HIDDEN, VOCAB, rows=SEQ)
    return f


NETS = {'resnet20': resnet20, 'mlp': mlp, 'lstm': lstm_lm}
# The floating-point work of a training step, StepFlops(batch).total
FLOPS = {'resnet20': resnet20_flops, 'mlp': mlp_flops, 'lstm': lstm_flops}


def load(impl):
    if impl == 'torch':
        import torch
        return torch
    import gi
    gi.require_version('Lt', '1.0')
    from gi.repository import Lt
    return Lt


class Trainer:
    def __init__(self, torch, net, batch, seed=0):
        torch.manual_seed(seed)
        self.net = NETS[net](torch)()
        self.criterion = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.01, momentum=0.9)
        if net == 'resnet20':
            self.inputs = torch.randn(batch, 3, 32, 32)
            self.labels = torch.randint(0, 10, (batch,))
        elif net == 'mlp':
            self.inputs = torch.randn(batch, 784)
            self.labels = torch.randint(0, 10, (batch,))
        else:
            # (sequence, batch) word indices; the targets the next words
            self.inputs = torch.randint(0, VOCAB, (SEQ, batch))
            self.labels = torch.randint(0, VOCAB, (SEQ * batch,))
        self.last_loss = None

    def step(self):
        self.optimizer.zero_grad()
        loss = self.criterion(self.net(self.inputs), self.labels)
        loss.backward()
        self.optimizer.step()
        self.last_loss = loss.item()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--impl', choices=('torch', 'lt'), default='torch')
    p.add_argument('--net', choices=sorted(NETS), required=True)
    p.add_argument('--batch', type=int, required=True)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--min-time', type=float, default=2.0)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--min-calls', type=int, default=5)
    args = p.parse_args()
    torch = load(args.impl)
    torch.set_num_threads(args.threads)
    tr = Trainer(torch, args.net, args.batch)
    for _ in range(args.warmup):
        tr.step()
    times, cpu = [], []
    start = time.perf_counter()
    while time.perf_counter() - start < args.min_time or len(times) < args.min_calls:
        c0 = time.process_time()
        t0 = time.perf_counter()
        tr.step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if not (tr.last_loss == tr.last_loss) or tr.last_loss > 1e4:
        sys.exit('bench_nets.py: implausible loss %r' % tr.last_loss)
    med = statistics.median(times)
    rec = dict(suite='nets', impl=args.impl, net=args.net, batch=args.batch,
               threads=args.threads, median_s=med, min_s=min(times),
               cpu_median_s=statistics.median(cpu), calls=len(times),
               items_per_s=args.batch / med,
               peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
               last_loss=tr.last_loss)
    print(json.dumps(rec), flush=True)


if __name__ == '__main__':
    main()
