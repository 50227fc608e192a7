#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Data-parallel training on this machine: the tutorial's CIFAR-10 step
(BUILD/bench/bench-dist) in 2 processes of 1 thread (mpirun, gradients
all-reduced by DistributedDataParallel) against 1 process of 2 threads, at
global batches 64 and 256, alternating, --reps times.

Prints, per configuration and batch, median [min-max] over the
repetitions of images/s, ms per step and (2 processes) the share of the
step time spent waiting on communication; writes
bench/results/dist-<date>-<time>.json.

Usage: run_dist.py BUILD [--reps N] [--steps N] [--batch 64,256] [--output FILE]
"""

import argparse
import datetime
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import build_env, cpu_model, fmt, run_json_lines, stats  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('build')
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--batch', default='64,256')
    ap.add_argument('--output')
    a = ap.parse_args()
    exe = os.path.join(a.build, 'bench', 'bench-dist')
    mpirun = shutil.which('mpirun')
    if not os.path.exists(exe) or mpirun is None:
        sys.exit('run_dist.py: needs %s (ninja -C %s) and mpirun (openmpi-bin)' % (exe, a.build))
    env = build_env(a.build, overrides=False)
    common = ['--batch', a.batch, '--steps', str(a.steps)]
    root = ['--allow-run-as-root'] if os.geteuid() == 0 else []
    configs = {
        '1 process x 2 threads': [exe, '--threads', '2'] + common,
        '2 processes x 1 thread': [mpirun, '-np', '2', '--bind-to', 'none'] + root +
                                  [exe, '--threads', '1'] + common,
    }
    recs = []
    for rep in range(a.reps):
        order = list(configs.items())
        if rep % 2:
            order.reverse()
        for name, cmd in order:
            for r in run_json_lines(name, cmd, env, rep, lambda s: print(s, file=sys.stderr)):
                r['config'] = name
                recs.append(r)

    print('# %s, %d repetitions of %d steps; median [min-max]' % (cpu_model(), a.reps, a.steps))
    print('# %-24s %6s %22s %22s %22s' % ('configuration', 'batch', 'images/s', 'ms/step',
                                          'comm wait share'))
    for name in configs:
        for b in sorted({r['batch'] for r in recs}):
            rs = [r for r in recs if r['config'] == name and r['batch'] == b]
            wait = stats(100 * r['comm_wait_share'] for r in rs) if 'processes' in name \
                else None
            print('# %-24s %6d %22s %22s %22s' % (
                name, b, fmt(stats(r['images_per_s'] for r in rs)),
                fmt(stats(r['ms_per_step'] for r in rs)),
                (fmt(wait) + ' %') if wait else '-'))
    out = a.output or os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results',
                                   datetime.datetime.now().strftime('dist-%Y%m%d-%H%M%S.json'))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump({'cpu': cpu_model(), 'steps': a.steps, 'records': recs}, f, indent=1)
    print('# written to %s' % out)


if __name__ == '__main__':
    main()
