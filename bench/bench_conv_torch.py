#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The workloads of bench-conv.c in PyTorch: conv2d over the same table of
shapes (read from `bench-conv --list`), and the training step of the CNN
of "What is torch.nn really?".

  conv  fwd: F.conv2d with a bias under no_grad; gi: the backward pass of a
        convolution whose input alone requires grad; gw: the backward pass
        of one whose weight and bias require grad. The forward that records
        the graph is untimed. Milliseconds per call.
  cnn   one SGD step (zero_grad, forward, cross_entropy, backward, step; lr
        0.1, momentum 0.9) of the tutorial's Sequential CNN on 28 x 28
        images; images per second.

Threads: torch.set_num_threads(n) (oneDNN's OpenMP threads follow it).
Output: one JSON object per line, then lines beginning with '#'.
Run with /usr/bin/python3.
"""

import argparse
import json
import subprocess

import torch
import torch.nn.functional as F

from bench_train_torch import measure as _measure
import bench_train_torch
from bench_common import StepFlops


def emit(bench, shape, op, threads, unit, value, gflops, timing):
    rec = dict(suite='py', impl='torch', bench=bench, shape=shape, op=op, threads=threads,
               unit=unit, value=value, gflops=gflops)
    rec.update(timing)
    print(json.dumps(rec), flush=True)
    print('# %-4s %-24s %-3s thr=%d %10.4g %-8s %8.4g GFLOP/s (%d calls, cpu/wall %.2f)'
          % (bench, shape, op, threads, value, unit, gflops, timing['calls'],
             timing['cpu_per_wall']), flush=True)


def measure(fn, prepare=None):
    return _measure(fn, prepare, warmup=2, min_calls=5)


def out_size(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def bench_conv(shapes, threads, only_shapes):
    for c in shapes:
        if only_shapes and c['shape'] not in only_shapes:
            continue
        torch.manual_seed(1)
        oh = out_size(c['H'], c['k'], c['s'], c['p'], c['d'])
        ow = out_size(c['W'], c['k'], c['s'], c['p'], c['d'])
        flops = c['gflop'] * 1e9
        x = torch.randn(c['N'], c['C'], c['H'], c['W'])
        w = torch.randn(c['O'], c['C'] // c['groups'], c['k'], c['k'])
        b = torch.randn(c['O'])
        gy = torch.randn(c['N'], c['O'], oh, ow)
        kw = dict(stride=c['s'], padding=c['p'], dilation=c['d'], groups=c['groups'])
        state = {}

        def prepare():
            x.grad = w.grad = b.grad = None
            state['y'] = F.conv2d(x, w, b, **kw)

        def backward():
            state['y'].backward(gy)

        for t in threads:
            torch.set_num_threads(t)
            x.requires_grad_(False)
            w.requires_grad_(False)
            b.requires_grad_(False)
            with torch.no_grad():
                tm = measure(lambda: F.conv2d(x, w, b, **kw))
            emit('conv', c['shape'], 'fwd', t, 'ms', tm['median_s'] * 1e3,
                 flops / tm['median_s'] * 1e-9, tm)
            x.requires_grad_(True)
            tm = measure(backward, prepare)
            emit('conv', c['shape'], 'gi', t, 'ms', tm['median_s'] * 1e3,
                 flops / tm['median_s'] * 1e-9, tm)
            x.requires_grad_(False)
            x.grad = None
            w.requires_grad_(True)
            b.requires_grad_(True)
            tm = measure(backward, prepare)
            emit('conv', c['shape'], 'gw', t, 'ms', tm['median_s'] * 1e3,
                 flops / tm['median_s'] * 1e-9, tm)
            state.clear()


def cnn():
    # "What is torch.nn really?", its nn.Sequential version (the Lambda
    # layers as a view of the batch and Flatten)
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.AvgPool2d(4), nn.Flatten())


def cnn_flops(batch):
    """A training step of cnn() (and of bench-conv.c's CNN, the same
    layers) on 1x28x28 images, StepFlops's convention."""
    f = StepFlops(batch)
    size = 28
    for i, (cin, cout) in enumerate(((1, 16), (16, 16), (16, 10))):
        size = f.conv2d(cin, cout, 3, size, stride=2, padding=1, input_grad=i > 0)
    return f


def bench_cnn(batch, threads):
    for t in threads:
        torch.set_num_threads(t)
        torch.manual_seed(0)
        model = cnn()
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        xb = torch.rand(batch, 1, 28, 28)
        yb = torch.randint(0, 10, (batch,))
        last = {}

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            last['loss'] = loss.item()

        tm = _measure(step, warmup=5, min_calls=10)
        if not 0 < last['loss'] < 100:
            raise SystemExit('bench_conv_torch.py: implausible loss %r' % last['loss'])
        emit('cnn', 'torch.nn CNN 28x28', 'train', t, 'img/s', batch / tm['median_s'], 0, tm)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('bench_conv', help='the bench-conv program (for its table of shapes)')
    p.add_argument('--threads', default='1,2')
    p.add_argument('--only', default='conv,cnn')
    p.add_argument('--shapes', default='', help="only these shapes (names, ';')")
    p.add_argument('--min-time', type=float, default=0.2)
    p.add_argument('--cnn-batch', type=int, default=64)
    args = p.parse_args()
    bench_train_torch.MIN_TIME = args.min_time
    out = subprocess.run([args.bench_conv, '--list'], check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    shapes = [json.loads(line) for line in out.splitlines() if line.startswith('{')]
    threads = [int(v) for v in args.threads.split(',') if v]
    only = args.only.split(',')
    only_shapes = [s for s in args.shapes.split(';') if s]
    if 'conv' in only:
        bench_conv(shapes, threads, only_shapes)
    if 'cnn' in only:
        bench_cnn(args.cnn_batch, threads)


if __name__ == '__main__':
    main()
