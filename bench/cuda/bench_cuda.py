#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch's side of the GPU figures of bench/cuda/run.sh, and the report.

  bench_cuda.py torch --out FILE [--device cuda|cpu] [--smoke]
      times on PyTorch what bench-cuda (bench/cuda/bench-cuda.c) times on
      libtensor, writing the same JSON lines: the tutorial's training step
      (its Net, CrossEntropyLoss, SGD lr 0.001 momentum 0.9,
      zero_grad(set_to_none=False), TF32 off) at each batch, latency (one
      step, then torch.cuda.synchronize) and throughput (--steps steps,
      then one synchronisation); sgemm 4096 as torch.mm with TF32 off
      (cuBLAS's own sgemm, reached through PyTorch); out = a + b on 1e8
      float32 elements. Warm-up first; medians and ranges over --repeats.

  bench_cuda.py report --ours FILE --torch FILE --steps FILE --out RESULTS.md
                       [--emulated]
      writes RESULTS.md: the card's name, driver and memory bandwidth (peak
      from the device attributes: memory clock x bus width x 2), each
      figure of both sides and their ratio, the results of run.sh's steps,
      and whether each goal of the issue is met. --emulated marks a dry run
      on the emulated device: its figures are not GPU figures.
"""

import argparse
import ctypes
import ctypes.util
import datetime
import glob
import json
import os
import statistics
import subprocess
import sys
import time


def emit(out, bench, what, n, times, per_call, unit):
    times = sorted(times)
    med = statistics.median(times)
    row = {
        'impl': 'torch', 'bench': bench, 'what': what, 'n': n,
        'median_s': med, 'min_s': times[0], 'max_s': times[-1], 'repeats': len(times),
        'value': per_call / med, 'value_min': per_call / times[-1],
        'value_max': per_call / times[0], 'unit': unit,
    }
    out.write(json.dumps(row) + '\n')
    out.flush()
    print('# %-6s %-10s n=%-9d %12.4g %-8s median %.4g ms [%.4g, %.4g]' % (
        bench, what, n, per_call / med, unit, med * 1e3, times[0] * 1e3, times[-1] * 1e3))


def run_torch(args):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim

    dev = torch.device(args.device)
    cuda = dev.type == 'cuda'
    if cuda and not torch.cuda.is_available():
        print('bench_cuda: PyTorch sees no CUDA device', file=sys.stderr)
        return 1
    # like with like: no TF32 on either side (cuBLAS's default math)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    def sync():
        if cuda:
            torch.cuda.synchronize()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    smoke = args.smoke
    repeats = args.repeats or (3 if smoke else 15)
    steps = args.steps or (2 if smoke else 20)
    warmup = 1 if smoke else 10
    batches = [int(b) for b in (args.batches or ('2,4' if smoke else '4,64,256,1024')).split(',')]
    if cuda:
        print('# device: %s (PyTorch %s)' % (torch.cuda.get_device_name(0), torch.__version__))
    else:
        print('# device: cpu (PyTorch %s; not a GPU figure)' % torch.__version__)
    with open(args.out, 'w') as out:
        for batch in batches:
            torch.manual_seed(1)
            net = Net().to(dev)
            criterion = nn.CrossEntropyLoss()
            optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
            inputs = torch.randn(batch, 3, 32, 32, device=dev)
            labels = torch.randint(0, 10, (batch,), device=dev)

            def step():
                optimizer.zero_grad(set_to_none=False)
                loss = criterion(net(inputs), labels)
                loss.backward()
                optimizer.step()
                return loss

            for _ in range(warmup):
                step()
            sync()
            lat = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                step()
                sync()
                lat.append(time.perf_counter() - t0)
            thr = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                for _ in range(steps):
                    loss = step()
                sync()
                thr.append((time.perf_counter() - t0) / steps)
            value = loss.item()
            if not 0 < value < 100:
                print('bench_cuda: implausible loss %g at batch %d' % (value, batch),
                      file=sys.stderr)
                return 1
            emit(out, 'step', 'latency', batch, lat, 1.0, 'steps/s')
            emit(out, 'step', 'throughput', batch, thr, float(batch), 'images/s')

        def time_binary(fn, a, b, inner):
            for _ in range(2):
                fn(a, b)
            sync()
            ts = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                for _ in range(inner):
                    fn(a, b)
                sync()
                ts.append((time.perf_counter() - t0) / inner)
            return ts

        n = 64 if smoke else 4096
        a = torch.randn(n, n, device=dev)
        b = torch.randn(n, n, device=dev)
        emit(out, 'sgemm', 'mm', n, time_binary(torch.mm, a, b, 1 if smoke else 10),
             2.0 * n ** 3 / 1e9, 'GFLOP/s')
        del a, b
        n = 100000 if smoke else 100000000
        a = torch.randn(n, device=dev)
        b = torch.randn(n, device=dev)
        emit(out, 'add', 'add', n, time_binary(torch.add, a, b, 1 if smoke else 10),
             12.0 * n / 1e9, 'GB/s')
    return 0


# ---- the report ----

def read_rows(path):
    rows = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith('{'):
                    r = json.loads(line)
                    rows[(r['bench'], r['what'], r['n'])] = r
    return rows


def cudart_attribute(attr):
    """cudaDeviceGetAttribute (attr, device 0) through the CUDA runtime that
    is there, or None."""
    names = ['libcudart.so', 'libcudart.so.13', 'libcudart.so.12']
    paths = glob.glob('/usr/local/cuda/lib64/libcudart.so*')
    for p in names + paths:
        try:
            lib = ctypes.CDLL(p)
        except OSError:
            continue
        value = ctypes.c_int(0)
        if lib.cudaDeviceGetAttribute(ctypes.byref(value), attr, 0) == 0:
            return value.value
    return None


def card_facts(emulated):
    facts = {'name': None, 'driver': None, 'memory': None, 'peak_gbs': None}
    if emulated:
        return facts
    try:
        out = subprocess.run(['nvidia-smi', '--query-gpu=name,driver_version,memory.total',
                              '--format=csv,noheader'], capture_output=True, text=True,
                             timeout=20).stdout.strip().splitlines()
        if out:
            parts = [p.strip() for p in out[0].split(',')]
            facts['name'], facts['driver'], facts['memory'] = parts[0], parts[1], parts[2]
    except (OSError, subprocess.SubprocessError):
        pass
    # cudaDevAttrMemoryClockRate (kHz) = 36, cudaDevAttrGlobalMemoryBusWidth (bits) = 37
    clock, width = cudart_attribute(36), cudart_attribute(37)
    if clock and width:
        facts['peak_gbs'] = 2.0 * clock * 1e3 * (width / 8) / 1e9
        facts['clock_khz'], facts['bus_bits'] = clock, width
    return facts


def fmt(v):
    return '%.4g' % v if v is not None else 'n/a'


def report(args):
    ours, torch_rows = read_rows(args.ours), read_rows(args.torch)
    facts = card_facts(args.emulated)
    steps = []
    if args.steps and os.path.exists(args.steps):
        with open(args.steps) as f:
            steps = [line.rstrip('\n').split('\t', 1) for line in f if '\t' in line]
    lines = []
    w = lines.append
    w('# libtensor on a GPU: bench/cuda/run.sh')
    w('')
    if args.emulated:
        w('**Emulated dry run (`bench/cuda/run.sh --dry-run`) on the build machine: no GPU took '
          'part. The "libtensor" figures are the emulated device (kernels run on the host CPU) and '
          'the "PyTorch" figures are PyTorch on the CPU, at smoke sizes. They are NOT GPU figures '
          'and say nothing about the goals; they show that the command, its programs and this '
          'report work end to end.**')
        w('')
    w('- Date: %s' % datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))
    w('- Card: %s' % (facts['name'] or ('emulated device' if args.emulated else 'unknown')))
    w('- Driver: %s; memory: %s' % (facts['driver'] or 'n/a', facts['memory'] or 'n/a'))
    if facts['peak_gbs']:
        w('- Peak memory bandwidth from the device attributes: %.0f GB/s (memory clock %d kHz x '
          '%d-bit bus x 2)' % (facts['peak_gbs'], facts['clock_khz'], facts['bus_bits']))
    w('- sgemm: ours through libtensor (cuBLAS sgemm, default math, no TF32); PyTorch\'s as '
      'torch.mm with allow_tf32 = False, i.e. cuBLAS\'s own sgemm timed through PyTorch')
    w('- Timing: after warm-up; median [fastest, slowest] over the repeats; step latency is one '
      'step then a synchronisation; images/s from steps run back to back')
    w('')
    w('## Steps of run.sh')
    w('')
    if steps:
        w('| step | result |')
        w('| --- | --- |')
        for result, name in steps:
            w('| %s | %s |' % (name, result))
        n_fail = sum(1 for r, _ in steps if r != 'ok' and not r.startswith('skipped'))
        n_skip = sum(1 for r, _ in steps if r.startswith('skipped'))
        w('')
        w('%d passed, %d failed, %d skipped (exit 77: no GPU for them)' % (
            len(steps) - n_fail - n_skip, n_fail, n_skip))
    else:
        w('(no step results recorded)')
    w('')
    w('## Figures')
    w('')
    w('| bench | case | libtensor | PyTorch | libtensor / PyTorch |')
    w('| --- | --- | --- | --- | --- |')
    keys = sorted(set(ours) | set(torch_rows),
                  key=lambda k: (['step', 'sgemm', 'add'].index(k[0]) if k[0] in
                                 ('step', 'sgemm', 'add') else 9, k[1], k[2]))
    goals = []
    for k in keys:
        o, t = ours.get(k), torch_rows.get(k)
        if k[1] == 'latency':
            def cell(r):
                return ('%s ms [%s, %s]' % (fmt(r['median_s'] * 1e3), fmt(r['min_s'] * 1e3),
                                            fmt(r['max_s'] * 1e3))) if r else 'n/a'
            ratio = o['median_s'] / t['median_s'] if o and t else None
            w('| step latency | batch %d | %s | %s | %s (time; lower is better) |' % (
                k[2], cell(o), cell(t), fmt(ratio)))
            if k[2] == 4:
                goals.append(('batch-4 step latency at most PyTorch\'s', ratio is not None and
                              ratio <= 1.0, '%s of PyTorch\'s' % fmt(ratio)))
        else:
            def cell(r):
                return ('%s %s [%s, %s]' % (fmt(r['value']), r['unit'], fmt(r['value_min']),
                                            fmt(r['value_max']))) if r else 'n/a'
            ratio = o['value'] / t['value'] if o and t else None
            label = {'throughput': 'images/s', 'mm': 'sgemm', 'add': 'add'}.get(k[1], k[1])
            w('| %s | n=%d | %s | %s | %s |' % (label, k[2], cell(o), cell(t), fmt(ratio)))
            if k[1] == 'throughput' and k[2] in (256, 1024):
                goals.append(('images/s at batch %d at least PyTorch\'s' % k[2],
                              ratio is not None and ratio >= 1.0, '%s x PyTorch\'s' % fmt(ratio)))
            if k[0] == 'add' and o:
                share = o['value'] / facts['peak_gbs'] if facts['peak_gbs'] else None
                w('| add against the peak bandwidth | n=%d | %s of peak | %s of peak | |' % (
                    k[2], fmt(share),
                    fmt(t['value'] / facts['peak_gbs']) if t and facts['peak_gbs'] else 'n/a'))
    w('')
    w('## Goals of the issue')
    w('')
    if steps:
        n_fail = sum(1 for r, _ in steps if r != 'ok' and not r.startswith('skipped'))
        goals.insert(0, ('every CUDA test passes', n_fail == 0, '%d failed' % n_fail))
    for name, met, how in goals:
        if args.emulated:
            w('- %s: not judged (emulated dry run; %s)' % (name, how))
        else:
            w('- %s: %s (%s)' % (name, 'met' if met else 'NOT met', how))
    if not goals:
        w('- (no figures: nothing to judge)')
    text = '\n'.join(lines) + '\n'
    with open(args.out, 'w') as f:
        f.write(text)
    print(text)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)
    t = sub.add_parser('torch')
    t.add_argument('--out', required=True)
    t.add_argument('--device', default='cuda')
    t.add_argument('--smoke', action='store_true')
    t.add_argument('--batches')
    t.add_argument('--repeats', type=int, default=0)
    t.add_argument('--steps', type=int, default=0)
    r = sub.add_parser('report')
    r.add_argument('--ours')
    r.add_argument('--torch')
    r.add_argument('--steps')
    r.add_argument('--out', required=True)
    r.add_argument('--emulated', action='store_true')
    args = p.parse_args()
    return run_torch(args) if args.cmd == 'torch' else report(args)


if __name__ == '__main__':
    sys.exit(main())
