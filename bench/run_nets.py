#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs bench/bench_nets.py on libtensor and on PyTorch, side by side, and
prints one table: the training steps of a CIFAR ResNet-20 with BatchNorm
(batch 32 and 128), a 3-layer MLP on 784 features (batch 64 and 1024) and
an LSTM language-model step (batch 32, sequence 35), on 1 and 2 threads.

Builds nothing: give it a build folder with the typelib and the library
(`BUILD/libtensor`). Every (network, batch, threads) runs as its own
process, once per library and repetition, the two libraries in
alternating order; the peak resident memory is that process's. Cells are
the median [min-max] over the repetitions; ratios are computed within each
repetition: speed-up = torch's seconds per step / ours (> 1: libtensor is
faster), by wall time and by CPU time. Each row's floating-point work
is counted from the layer shapes (bench_nets.FLOPS) and divided by the
step time (GFLOP/s) and by the FMA peak bench/bench-peak measures once per
run (% of peak: by wall time, of the row's thread count's peak; by CPU
time, of one core's peak per busy core-second).

    /usr/bin/python3 bench/run_nets.py build-bench --reps 3

Writes the records and the table to bench/results/nets-<date>-<time>.json.
"""

import argparse
import datetime
import json
import os
import platform
import sys

from bench_common import (add_flop_rates, build_env, build_type, cpu_model, fmt, peak_gflops,
                          peak_line, run_json_lines, share, stats)
from bench_nets import FLOPS

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = (('resnet20', 32), ('resnet20', 128), ('mlp', 64), ('mlp', 1024), ('lstm', 32))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('build')
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--threads', default='1,2')
    p.add_argument('--nets', default=','.join(sorted({n for n, _ in CASES})))
    p.add_argument('--min-time', type=float, default=2.0)
    p.add_argument('--output')
    args = p.parse_args()
    threads = [int(t) for t in args.threads.split(',') if t]
    nets = args.nets.split(',')
    env = build_env(args.build)
    script = os.path.join(HERE, 'bench_nets.py')
    peaks = peak_gflops(args.build, threads)
    sys.stderr.write(peak_line(peaks) + '\n')
    records = []
    for rep in range(args.reps):
        for net, batch in CASES:
            if net not in nets:
                continue
            for t in threads:
                order = ('lt', 'torch') if (rep + t) % 2 == 0 else ('torch', 'lt')
                for impl in order:
                    cmd = [sys.executable, script, '--impl', impl, '--net', net, '--batch',
                           str(batch), '--threads', str(t), '--min-time', str(args.min_time)]
                    if net == 'lstm':
                        # seconds a step on libtensor: fewer calls
                        cmd += ['--warmup', '1', '--min-calls', '3', '--min-time', '0']
                    records += run_json_lines('%s %s b%d t%d' % (impl, net, batch, t), cmd, env,
                                              rep, lambda s: sys.stderr.write(s + '\n'))
    add_flop_rates(records, lambda r: FLOPS[r['net']](r['batch']).total, peaks)
    by = {}
    for r in records:
        by.setdefault((r['net'], r['batch'], r['threads']), {}).setdefault(r['impl'], {})[
            r['rep']] = r
    head = ('net', 'batch', 'thr', 'Lt items/s', 'torch items/s', 'speed-up (wall)',
            'CPU-time ratio', 'Lt peak RSS MiB', 'torch peak RSS MiB', 'GFLOP a step',
            'Lt GFLOP/s', 'torch GFLOP/s', 'Lt % peak', 'torch % peak', 'Lt % peak (CPU)',
            'torch % peak (CPU)')
    rows = []
    for net, batch in CASES:
        for t in threads:
            cell = by.get((net, batch, t))
            if not cell:
                continue
            lt, th = cell.get('lt', {}), cell.get('torch', {})
            reps = sorted(set(lt) & set(th))
            rows.append((net, str(batch), str(t),
                         fmt(stats(lt[r]['items_per_s'] for r in reps)),
                         fmt(stats(th[r]['items_per_s'] for r in reps)),
                         fmt(stats(th[r]['median_s'] / lt[r]['median_s'] for r in reps)),
                         fmt(stats(th[r]['cpu_median_s'] / lt[r]['cpu_median_s'] for r in reps
                                   if lt[r]['cpu_median_s'] > 0)),
                         fmt(stats(lt[r]['peak_rss_mib'] for r in reps)),
                         fmt(stats(th[r]['peak_rss_mib'] for r in reps)),
                         '%.4g' % (FLOPS[net](batch).total * 1e-9),
                         fmt(stats(lt[r]['step_gflops'] for r in reps)),
                         fmt(stats(th[r]['step_gflops'] for r in reps)),
                         share([lt[r] for r in reps], 'peak_share'),
                         share([th[r] for r in reps], 'peak_share'),
                         share([lt[r] for r in reps], 'peak_share_cpu'),
                         share([th[r] for r in reps], 'peak_share_cpu')))
    out = sys.stdout
    out.write('\n%s, %s, build type %s, %d repetitions, load average %.2f\n%s\n\n'
              % (cpu_model(), platform.platform(), build_type(args.build), args.reps,
                 os.getloadavg()[0], peak_line(peaks)))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(head)]
    out.write('| ' + ' | '.join(h.ljust(w) for h, w in zip(head, widths)) + ' |\n')
    out.write('|' + '|'.join('-' * (w + 2) for w in widths) + '|\n')
    for r in rows:
        out.write('| ' + ' | '.join(c.ljust(w) for c, w in zip(r, widths)) + ' |\n')
    path = args.output or os.path.join(
        HERE, 'results', 'nets-%s.json' % datetime.datetime.now().strftime('%Y%m%d-%H%M%S'))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(cpu=cpu_model(), peaks=peaks, load_after=os.getloadavg(), records=records,
                       table=[head] + rows), f, indent=1)


if __name__ == '__main__':
    main()
