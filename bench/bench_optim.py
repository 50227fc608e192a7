#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The optimizer step alone, libtensor beside PyTorch in the same run:
SGD with momentum, Adam, AdamW and centered RMSprop with momentum over the
parameters of the tutorial's classifier (62,006 elements in 10 tensors)
and of a 784-1024-1024-10 MLP (1.86 million in 6), gradients set once,
1 thread. The same Python lines run on both libraries; libtensor steps a
group of parameters in one multi-tensor update
(backends/cpu/lt-cpu-multi-tensor.c), PyTorch 1.13 one parameter at a time
(its default on the CPU) and, in its own column, with foreach=True.

    /usr/bin/python3 bench/bench_optim.py BUILD [--reps 7]

Cells are microseconds a step, median [min-max] over the repetitions, by
the process's CPU time (the machine is shared: CPU time is the steadier
clock on a loaded machine; wall time is in the JSON records). Ratios:
torch / libtensor (> 1: libtensor is faster), per repetition.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from bench_common import build_env, cpu_model, fmt, stats

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = {
    'tutorial': [(6, 3, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,),
                 (10, 84), (10,)],
    'mlp': [(1024, 784), (1024,), (1024, 1024), (1024,), (10, 1024), (10,)],
}
OPTIMIZERS = {
    'sgd-momentum': lambda optim, ps, **kw: optim.SGD(ps, lr=0.01, momentum=0.9, **kw),
    'adam': lambda optim, ps, **kw: optim.Adam(ps, lr=1e-3, **kw),
    'adamw': lambda optim, ps, **kw: optim.AdamW(ps, lr=1e-3, weight_decay=0.01, **kw),
    'rmsprop-centered': lambda optim, ps, **kw: optim.RMSprop(ps, lr=1e-3, momentum=0.9,
                                                               centered=True, **kw),
}


def child(impl, shapes, opt_name, foreach, min_time):
    """Times one optimizer in this process; prints one JSON line."""
    if impl == 'torch':
        import torch
    else:
        import gi
        gi.require_version('Lt', '1.0')
        from gi.repository import Lt as torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    params = []
    for shape in SHAPES[shapes]:
        p = torch.randn(*shape).requires_grad_()
        p.grad = torch.randn(*shape)
        params.append(p)
    kw = {'foreach': True} if foreach else {}
    opt = OPTIMIZERS[opt_name](torch.optim, params, **kw)
    for _ in range(20):
        opt.step()
    n = 0
    c0, t0 = time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < min_time or n < 50:
        opt.step()
        n += 1
    print(json.dumps({'cpu_us': (time.process_time() - c0) / n * 1e6,
                      'wall_us': (time.perf_counter() - t0) / n * 1e6, 'steps': n}))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('build', nargs='?')
    p.add_argument('--reps', type=int, default=7)
    p.add_argument('--min-time', type=float, default=0.3)
    p.add_argument('--child', nargs=4, metavar=('IMPL', 'SHAPES', 'OPT', 'FOREACH'))
    p.add_argument('--output')
    args = p.parse_args()
    if args.child:
        impl, shapes, opt, foreach = args.child
        child(impl, shapes, opt, foreach == '1', args.min_time)
        return
    if not args.build:
        p.error('give the build folder')
    env = build_env(args.build)
    env['LT_NUM_THREADS'] = env['OMP_NUM_THREADS'] = '1'
    columns = (('lt', '0'), ('torch', '0'), ('torch', '1'))
    records = []
    for rep in range(args.reps):
        for shapes in SHAPES:
            for opt in OPTIMIZERS:
                cols = columns if rep % 2 == 0 else tuple(reversed(columns))
                for impl, foreach in cols:
                    out = subprocess.run(
                        [sys.executable, __file__, '--child', impl, shapes, opt, foreach,
                         '--min-time', str(args.min_time)],
                        env=env, check=True, capture_output=True, text=True).stdout
                    rec = json.loads(out.strip().splitlines()[-1])
                    rec.update(rep=rep, impl=impl, foreach=foreach == '1', shapes=shapes, opt=opt)
                    records.append(rec)
        print('rep %d of %d done' % (rep + 1, args.reps), file=sys.stderr)

    def cell(shapes, opt, impl, foreach):
        return {r['rep']: r['cpu_us'] for r in records
                if (r['shapes'], r['opt'], r['impl'], r['foreach']) == (shapes, opt, impl, foreach)}

    print('CPU: %s; 1 thread; %d repetitions; microseconds a step (CPU time), '
          'median [min-max]' % (cpu_model(), args.reps))
    print()
    print('| parameters | optimizer | libtensor | torch | torch foreach | torch / lt | '
          'torch foreach / lt |')
    print('|---|---|---|---|---|---|---|')
    for shapes in SHAPES:
        for opt in OPTIMIZERS:
            lt = cell(shapes, opt, 'lt', False)
            th = cell(shapes, opt, 'torch', False)
            tf = cell(shapes, opt, 'torch', True)
            print('| %s | %s | %s | %s | %s | %s | %s |' % (
                shapes, opt, fmt(stats(lt.values())), fmt(stats(th.values())),
                fmt(stats(tf.values())), fmt(stats(th[k] / lt[k] for k in lt), 2),
                fmt(stats(tf[k] / lt[k] for k in lt), 2)))
    if args.output:
        with open(args.output, 'w') as f:
            json.dump(records, f, indent=1)


if __name__ == '__main__':
    main()
