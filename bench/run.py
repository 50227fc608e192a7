#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs libtensor's benchmarks beside PyTorch and prints one table of ratios.

Builds nothing: give it a build folder where `ninja` has built bench-ops and
the typelib. Each repetition runs BUILD/bench/bench-ops (C),
bench/bench_torch.py (PyTorch, and libtensor through plain GI) and
bench/bench_torch.py --only tinypy (libtensor through the Python overrides,
with the source root and the build root in PYTHONPATH: `x + y` by the
overrides' C method, gi/overrides/_lt/_fast, and by the pure-Python one), in
alternating order, as separate processes. With --clock cpu the Python
processes time the per-op overhead by their thread's CPU time (bench-ops,
the C column, by wall time). The table gives, per workload, the median and
the min-max range over the repetitions of each throughput, and of the ratio
ours / theirs computed within each repetition (> 1: libtensor is faster;
for the per-op overhead in ns the ratio is theirs / ours, so > 1 still means
libtensor is faster).

    /usr/bin/python3 bench/run.py build-bench --reps 5

Writes the raw records and the summary to bench/results/<date>-<time>.json.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

from bench_common import build_env, build_type, cpu_model, fmt, run_json_lines, stats

HERE = os.path.dirname(os.path.abspath(__file__))


def summarise(records):
    """Groups records by workload; per implementation the list of values
    over the repetitions (in repetition order)."""
    by = {}
    for r in records:
        key = (r['bench'], r['op'], r['n'], r['layout'], r['threads'])
        by.setdefault(key, {}).setdefault(r['impl'], {})[r['rep']] = r
    return by


def ratio_stats(a, b, invert=False):
    """Per-repetition ratios a/b (b/a if invert) for the repetitions both have."""
    reps = sorted(set(a) & set(b))
    vals = []
    for rep in reps:
        x, y = a[rep]['value'], b[rep]['value']
        if x > 0 and y > 0:
            vals.append(y / x if invert else x / y)
    return stats(vals)


BENCH_ORDER = {'tiny': 0, 'ew': 1, 'mix': 2, 'mm': 3}
OP_ORDER = {'add': 0, 'mul': 1, 'relu': 2, 'sum': 3}


def table(by):
    rows = []
    for key in sorted(by, key=lambda k: (BENCH_ORDER.get(k[0], 9), k[2], k[3],
                                         OP_ORDER.get(k[1], 9), k[4])):
        bench, op, n, layout, threads = key
        impls = by[key]

        def vals(impl):
            return stats([r['value'] for r in impls.get(impl, {}).values()])

        def cpu(impl):
            s = stats([r.get('cpu_per_wall', 0) for r in impls.get(impl, {}).values()])
            return '%.2f' % s[0] if s else '-'

        unit = next(iter(next(iter(impls.values())).values()))['unit']
        row = dict(bench=bench, op=op, n=n, layout=layout, threads=threads, unit=unit)
        if bench == 'tiny':
            row['lt'] = vals('lt')
            row['lt_gi'] = vals('lt-gi')
            row['lt_py'] = vals('lt-py')
            row['lt_pyc'] = vals('lt-pyc')
            row['torch'] = vals('torch')
            row['ratio_torch'] = ratio_stats(impls.get('lt', {}), impls.get('torch', {}), invert=True)
            row['ratio_gi_torch'] = ratio_stats(impls.get('lt-gi', {}), impls.get('torch', {}),
                                                invert=True)
            row['ratio_py_torch'] = ratio_stats(impls.get('lt-py', {}), impls.get('torch', {}),
                                                invert=True)
            row['ratio_pyc_torch'] = ratio_stats(impls.get('lt-pyc', {}), impls.get('torch', {}),
                                                 invert=True)
        else:
            row['lt'] = vals('lt')
            row['torch'] = vals('torch')
            row['ratio_torch'] = ratio_stats(impls.get('lt', {}), impls.get('torch', {}))
            if bench == 'mm':
                row['cblas'] = vals('cblas')
                row['ratio_cblas'] = ratio_stats(impls.get('lt', {}), impls.get('cblas', {}))
        row['cpu_lt'] = cpu('lt')
        row['cpu_torch'] = cpu('torch')
        rows.append(row)
    return rows


def print_table(rows, out):
    def line(cells, widths):
        out.write('| ' + ' | '.join(c.ljust(w) for c, w in zip(cells, widths)) + ' |\n')

    groups = [
        ('tiny', 'Per-op overhead: 2x2 add incl. creating and releasing the result (ns per call, lower is better; ratio = torch / ours)',
         ['thr', 'Lt, C', 'Lt, Python x.add(y) (GI)', 'Lt, Python x + y (overrides)',
          'Lt, Python x + y (overrides, C methods)', 'torch, x + y',
          'torch/Lt-C', 'torch/Lt-GI', 'torch/Lt-py', 'torch/Lt-pyc'],
         lambda r: [str(r['threads']), fmt(r['lt']), fmt(r['lt_gi']), fmt(r['lt_py']),
                    fmt(r['lt_pyc']), fmt(r['torch']), fmt(r['ratio_torch']),
                    fmt(r['ratio_gi_torch']), fmt(r['ratio_py_torch']),
                    fmt(r['ratio_pyc_torch'])]),
        ('ew', 'Elementwise and sum, float32 (GB/s; ratio = ours / torch)',
         ['op', 'n', 'layout', 'thr', 'Lt', 'torch', 'Lt/torch', 'cpu/wall Lt', 'cpu/wall torch'],
         lambda r: [r['op'], '%.0e' % r['n'], r['layout'], str(r['threads']), fmt(r['lt']),
                    fmt(r['torch']), fmt(r['ratio_torch']), r['cpu_lt'], r['cpu_torch']]),
        ('mix', 'Our loops and OpenBLAS taking turns: (1e6 add, 256^2 mm) rounds per second (ratio = ours / torch)',
         ['thr', 'Lt', 'torch', 'Lt/torch', 'cpu/wall Lt', 'cpu/wall torch'],
         lambda r: [str(r['threads']), fmt(r['lt']), fmt(r['torch']), fmt(r['ratio_torch']),
                    r['cpu_lt'], r['cpu_torch']]),
        ('mm', 'mm, float32 squares (GFLOP/s; Lt/sgemm goal >= 0.90)',
         ['n', 'thr', 'Lt mm', 'cblas_sgemm', 'torch.mm', 'Lt/sgemm', 'Lt/torch', 'cpu/wall Lt', 'cpu/wall torch'],
         lambda r: [str(r['n']), str(r['threads']), fmt(r['lt']), fmt(r.get('cblas')),
                    fmt(r['torch']), fmt(r.get('ratio_cblas')), fmt(r['ratio_torch']),
                    r['cpu_lt'], r['cpu_torch']]),
    ]
    for bench, title, head, cells in groups:
        sel = [r for r in rows if r['bench'] == bench]
        if not sel:
            continue
        body = [cells(r) for r in sel]
        widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
        out.write('\n%s\n\n' % title)
        line(head, widths)
        out.write('|' + '|'.join('-' * (w + 2) for w in widths) + '|\n')
        for b in body:
            line(b, widths)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('build', nargs='?', default='build-bench',
                   help='meson build folder (default: build-bench)')
    p.add_argument('--reps', type=int, default=5, help='repetitions of each run (default 5)')
    p.add_argument('--only', default='tiny,ew,mix,mm',
                   help='comma-separated benches: tiny,ew,mix,mm')
    p.add_argument('--threads', default='1,2', help='thread counts (default 1,2)')
    p.add_argument('--min-time', type=float, default=0.25,
                   help='seconds per measurement in each run (default 0.25)')
    p.add_argument('--quick', action='store_true', help='a smoke run: small sizes, short times')
    p.add_argument('--clock', choices=('wall', 'cpu'), default='wall',
                   help='what times the per-op overhead in the Python processes (default wall)')
    p.add_argument('--output', help='JSON file to write (default bench/results/<date>-<time>.json)')
    args = p.parse_args()

    build = os.path.abspath(args.build)
    exe = os.path.join(build, 'bench', 'bench-ops')
    if not os.access(exe, os.X_OK):
        sys.exit('bench/run.py: %s not found: build first (ninja -C %s)' % (exe, args.build))

    # Each side sets its own thread counts; none from the caller's environment.
    env = build_env(build, overrides=False)

    common = ['--only', args.only, '--threads', args.threads, '--min-time', str(args.min_time),
              '--clock', args.clock]
    if args.quick:
        common.append('--quick')
    c_cmd = [exe, '--only=' + args.only, '--threads=' + args.threads,
             '--min-time=%g' % args.min_time] + (['--quick'] if args.quick else [])
    py_cmd = ['/usr/bin/python3', os.path.join(HERE, 'bench_torch.py')] + common
    # `x + y` through the Python overrides, in a process of its own: with the
    # overrides loaded even the plain GI calls return the override's class.
    py_over_cmd = None
    py_over_env = dict(env)
    if 'tiny' in args.only.split(','):
        py_over_cmd = ['/usr/bin/python3', os.path.join(HERE, 'bench_torch.py'),
                       '--only', 'tinypy', '--threads', args.threads,
                       '--min-time', str(args.min_time), '--clock', args.clock] + (
                           ['--quick'] if args.quick else [])
        py_over_env['PYTHONPATH'] = os.path.dirname(HERE) + ':' + build + (
            ':' + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
        py_over_env.pop('LT_PYTHON_NO_FAST', None)

    def log(msg):
        sys.stderr.write(msg + '\n')
        sys.stderr.flush()

    started = datetime.datetime.now()
    log('bench/run.py: %d repetitions, build %s (%s), %s' % (args.reps, args.build,
                                                             build_type(build), cpu_model()))
    records = []
    for rep in range(args.reps):
        order = [('bench-ops', c_cmd, env), ('bench_torch.py', py_cmd, env)]
        if py_over_cmd:
            order.append(('bench_torch.py tinypy', py_over_cmd, py_over_env))
        for name, cmd, cmd_env in (order if rep % 2 == 0 else order[::-1]):
            records += run_json_lines(name, cmd, cmd_env, rep, log)

    torch_version = subprocess.run(['/usr/bin/python3', '-c', 'import torch; print(torch.__version__)'],
                                   stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    meta = dict(date=started.isoformat(timespec='seconds'), cpu=cpu_model(),
                cores=os.cpu_count(), build=args.build, buildtype=build_type(build),
                reps=args.reps, threads=args.threads, min_time=args.min_time, quick=args.quick,
                clock=args.clock,
                torch=torch_version, python=platform.python_version(),
                load_before=os.getloadavg())
    rows = table(summarise(records))

    out = sys.stdout
    out.write('libtensor vs PyTorch %s: %s, %s cores, build %s (%s), %d repetitions, %s\n'
              % (torch_version, meta['cpu'], meta['cores'], args.build, meta['buildtype'],
                 args.reps, meta['date']))
    out.write('Cells: median [min-max] over the repetitions; ratios are computed within each '
              'repetition.\n')
    print_table(rows, out)

    path = args.output or os.path.join(HERE, 'results', started.strftime('%Y%m%d-%H%M%S') + '.json')
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(meta=meta, summary=rows, records=records), f, indent=1)
    log('\nwrote %s' % path)


if __name__ == '__main__':
    main()
