#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The workloads of bench_train.c in PyTorch: one training step of the
tutorial's CIFAR-10 network, conv2d at its shapes, and the peak resident
memory of a training run.

  step   milliseconds per step (zero_grad, forward, loss, backward, SGD step
         on a fixed random batch), batches 4, 64, 256
  conv   torch.nn.functional.conv2d at the network's two shapes, forward
         (under no_grad) and backward (conv1: weight and bias gradients;
         conv2: also the input's), GFLOP/s counted as bench_train.c counts
  rss    (--rss) builds the network, trains --steps steps, prints the
         process's peak resident memory (ru_maxrss) and its resident memory
         before the network was made; run it in a process of its own

--impl lt runs the same Python code on libtensor through its Python
overrides (`from gi.repository import Lt as torch`; needs GI_TYPELIB_PATH,
LD_LIBRARY_PATH and the source root in PYTHONPATH): the training step as a
Python user of libtensor writes it.

Threads: torch.set_num_threads(n). PyTorch 1.13 from Debian reaches
OpenBLAS through the generic BLAS interface and set_num_threads() does not
reach it (its linear layers may run on 2 threads whatever n is); the
`cpu_per_wall` field (process CPU time over wall time of the timed calls)
shows how many cores were busy.

Output: one JSON object per line on stdout, then lines beginning with '#'.
Run with /usr/bin/python3.
"""

import argparse
import json
import resource
import statistics
import sys
import time

from bench_common import tutorial_net

MIN_TIME = 1.0


def measure(fn, prepare=None, warmup=5, min_calls=10):
    """Median and minimum seconds of single timed calls of fn() (after an
    untimed prepare() each), and the CPU time over the wall time of the
    timed calls."""
    for _ in range(warmup):
        if prepare:
            prepare()
        fn()
    times = []
    cpu_times = []
    start = time.perf_counter()
    while (time.perf_counter() - start < MIN_TIME or len(times) < min_calls) and len(times) < 100000:
        if prepare:
            prepare()
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    return timing_of(times, cpu_times)


def timing_of(times, cpu_times):
    return dict(median_s=statistics.median(times), min_s=min(times), calls=len(times),
                cpu_median_s=statistics.median(cpu_times),
                cpu_per_wall=sum(cpu_times) / sum(times) if sum(times) > 0 else 0.0)


def emit(impl, bench, op, n, threads, unit, value, timing=None, **extra):
    rec = dict(suite='py', impl=impl, bench=bench, op=op, n=n, threads=threads, unit=unit,
               value=value)
    if timing:
        rec.update(timing)
    rec.update(extra)
    print(json.dumps(rec), flush=True)
    if timing:
        print('# %-6s %-16s n=%-5d thr=%d %10.4g %-8s (%d calls, cpu/wall %.2f)'
              % (bench, op, n, threads, value, unit, timing['calls'], timing['cpu_per_wall']),
              flush=True)


def load(impl):
    if impl == 'torch':
        import torch
        return torch
    import gi
    gi.require_version('Lt', '1.0')
    from gi.repository import Lt
    return Lt


def make_net(torch):
    # The tutorial's network, as written there (examples/tutorial_net.py)
    return tutorial_net().classifier_net(torch)()


class Trainer:
    def __init__(self, torch, batch, seed=0):
        torch.manual_seed(seed)
        self.net = make_net(torch)
        self.criterion = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.001, momentum=0.9)
        self.inputs = torch.randn(batch, 3, 32, 32)
        self.labels = torch.randint(0, 10, (batch,))
        self.last_loss = None

    def step(self):
        # PyTorch 1.13's zero_grad() zeroes the gradients (set_to_none=False)
        self.optimizer.zero_grad()
        outputs = self.net(self.inputs)
        loss = self.criterion(outputs, self.labels)
        loss.backward()
        self.optimizer.step()
        self.last_loss = loss.item()


# Each network trains at most this many steps from its initialisation
# (see bench_train.c: momentum buffers behind dead ReLUs turn subnormal
# after about 760 steps on the same data)
STEPS_PER_NET = 200


def bench_step(torch, impl, batches, threads):
    for t in threads:
        torch.set_num_threads(t)
        for b in batches:
            times = []
            cpu_times = []
            start = time.perf_counter()
            rnd = 0
            while time.perf_counter() - start < MIN_TIME or len(times) < 10:
                tr = Trainer(torch, b, seed=rnd)
                rnd += 1
                for _ in range(5):
                    tr.step()
                for _ in range(STEPS_PER_NET):
                    if time.perf_counter() - start >= MIN_TIME and len(times) >= 10:
                        break
                    c0 = time.process_time()
                    t0 = time.perf_counter()
                    tr.step()
                    times.append(time.perf_counter() - t0)
                    cpu_times.append(time.process_time() - c0)
            if not 0 < tr.last_loss < 100:
                sys.exit('bench_train_torch.py: implausible loss %r' % tr.last_loss)
            timing = timing_of(times, cpu_times)
            emit(impl, 'step', 'train', b, t, 'ms', timing['median_s'] * 1e3, timing)


def bench_conv(torch, impl, batches, threads):
    F = torch.nn.functional
    layers = [('conv1', 3, 32, 6, False), ('conv2', 6, 14, 16, True)]
    for t in threads:
        torch.set_num_threads(t)
        for n in batches:
            for name, c, h, o, input_grad in layers:
                oh = h - 4
                flops = 2.0 * n * o * oh * oh * c * 25
                x = torch.randn(n, c, h, h)
                w = torch.randn(o, c, 5, 5)
                b = torch.randn(o)
                gy = torch.randn(n, o, oh, oh)
                with torch.no_grad():
                    timing = measure(lambda: F.conv2d(x, w, b))
                emit(impl, 'conv', name + '-fwd', n, t, 'GFLOP/s', flops / timing['median_s'] * 1e-9,
                     timing)
                x.requires_grad_(input_grad)
                w.requires_grad_(True)
                b.requires_grad_(True)
                state = {}

                def prepare():
                    x.grad = w.grad = b.grad = None
                    state['y'] = F.conv2d(x, w, b)

                def backward():
                    state['y'].backward(gy)

                timing = measure(backward, prepare)
                emit(impl, 'conv', name + '-bwd', n, t, 'GFLOP/s',
                     (2 if input_grad else 1) * flops / timing['median_s'] * 1e-9, timing)


def current_rss_mib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return -1.0


def bench_rss(torch, impl, batch, steps, threads):
    torch.set_num_threads(threads)
    before = current_rss_mib()
    tr = Trainer(torch, batch)
    t0 = time.perf_counter()
    for _ in range(steps):
        tr.step()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    emit(impl, 'rss', 'train', batch, threads, 'MiB', peak, rss_before_mib=before, steps=steps,
         seconds=time.perf_counter() - t0, last_loss=tr.last_loss)


def main():
    global MIN_TIME
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--impl', choices=('torch', 'lt'), default='torch')
    p.add_argument('--batch', default='4,64,256')
    p.add_argument('--threads', default='1,2')
    p.add_argument('--only', default='step,conv')
    p.add_argument('--min-time', type=float, default=MIN_TIME)
    p.add_argument('--rss', action='store_true',
                   help='train --steps steps of the first batch size, print the peak RSS')
    p.add_argument('--steps', type=int, default=50)
    args = p.parse_args()
    MIN_TIME = args.min_time
    batches = [int(v) for v in args.batch.split(',') if v]
    threads = [int(v) for v in args.threads.split(',') if v]
    impl = 'torch' if args.impl == 'torch' else 'lt-py'
    torch = load(args.impl)
    if args.rss:
        bench_rss(torch, impl, batches[0], args.steps, threads[0])
        return
    only = args.only.split(',')
    if 'conv' in only:
        bench_conv(torch, impl, batches, threads)
    if 'step' in only:
        bench_step(torch, impl, batches, threads)


if __name__ == '__main__':
    main()
