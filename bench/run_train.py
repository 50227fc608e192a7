#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the training-step benchmark beside PyTorch and prints tables of ratios.

Builds nothing: give it a build folder where `ninja` has built
bench/bench-train (and the typelib, for --lt-py). Each repetition runs, as
separate processes and in alternating order, BUILD/bench/bench-train (C)
and bench/bench_train_torch.py (PyTorch), and with --lt-py the same Python
training code on libtensor through its Python overrides. Then, in processes
of their own, each side trains --rss-steps steps of batch 64 and reports
its peak resident memory.

Cells are the median [min-max] over the repetitions; ratios are computed
within each repetition, then summarised the same way. Speed-ups are
torch / ours (> 1: libtensor is faster). The step's floating-point work,
counted from the layer shapes (bench_common.tutorial_flops), gives its
GFLOP/s and its share of the FMA peak that bench/bench-peak measures once
per run (by wall time, of the row's thread count's peak; by CPU time, of
one core's peak per busy core-second).

    /usr/bin/python3 bench/run_train.py build-bench --reps 5

Writes the raw records and the summary to bench/results/train-<date>-<time>.json.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

from bench_common import (add_flop_rates, build_env, build_type, cpu_model, fmt, peak_gflops,
                          peak_line, run_json_lines, share, stats, tutorial_flops)

HERE = os.path.dirname(os.path.abspath(__file__))

# issue 3: speed-up over PyTorch 1.13 required, and the goal, per batch
TARGETS = {4: (2.0, 4.0), 64: (1.0, 2.0), 256: (1.0, 2.0)}


def index(records):
    """(bench, op, n, threads) -> impl -> rep -> record"""
    by = {}
    for r in records:
        key = (r['bench'], r['op'], r['n'], r['threads'])
        by.setdefault(key, {}).setdefault(r['impl'], {})[r['rep']] = r
    return by


def values(by, key, impl, field='value'):
    return [r[field] for r in by.get(key, {}).get(impl, {}).values()]


def ratios(a, b, invert=False):
    """Per-repetition a/b (b/a if invert), over the repetitions both have."""
    out = []
    for rep in sorted(set(a) & set(b)):
        x, y = a[rep]['value'], b[rep]['value']
        if x > 0 and y > 0:
            out.append(y / x if invert else x / y)
    return stats(out)


def cpu(by, key, impl):
    s = stats(values(by, key, impl, 'cpu_per_wall'))
    return '%.2f' % s[0] if s else '-'


def md_table(out, title, head, body):
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(head)]
    out.write('\n%s\n\n' % title)
    out.write('| ' + ' | '.join(h.ljust(w) for h, w in zip(head, widths)) + ' |\n')
    out.write('|' + '|'.join('-' * (w + 2) for w in widths) + '|\n')
    for b in body:
        out.write('| ' + ' | '.join(c.ljust(w) for c, w in zip(b, widths)) + ' |\n')


def report(by, out, lt_py, peaks):
    summary = dict(step=[], flops=[], threads=[], conv=[], sgemm=[], rss=[])
    keys = sorted(by)

    # Training step
    body = []
    for key in [k for k in keys if k[0] == 'step']:
        _, _, n, thr = key
        imp = by[key]
        speed = ratios(imp.get('lt', {}), imp.get('torch', {}), invert=True)
        req, goal = TARGETS.get(n, (None, None))
        verdict = '-'
        if speed and req and thr == 1:
            verdict = ('goal met' if speed[0] >= goal else 'required met' if speed[0] >= req
                       else 'NOT met') + ' (>= %gx, goal %gx)' % (req, goal)
        row = dict(batch=n, threads=thr, lt=stats(values(by, key, 'lt')),
                   torch=stats(values(by, key, 'torch')), speedup=speed, verdict=verdict,
                   cpu_lt=cpu(by, key, 'lt'), cpu_torch=cpu(by, key, 'torch'))
        cells = [str(n), str(thr), fmt(row['lt']), fmt(row['torch']), fmt(speed), verdict,
                 row['cpu_lt'], row['cpu_torch']]
        if lt_py:
            row['lt_py'] = stats(values(by, key, 'lt-py'))
            row['speedup_py'] = ratios(imp.get('lt-py', {}), imp.get('torch', {}), invert=True)
            cells[6:6] = [fmt(row['lt_py']), fmt(row['speedup_py'])]
            cells.append(cpu(by, key, 'lt-py'))
        summary['step'].append(row)
        body.append(cells)
    head = ['batch', 'thr', 'Lt (C)', 'torch', 'torch/Lt', 'issue 3 (1 thread)',
            'cpu/wall Lt', 'cpu/wall torch']
    if lt_py:
        head[6:6] = ['Lt (Python)', 'torch/Lt-py']
        head.append('cpu/wall Lt-py')
    md_table(out, 'Training step, ms per step (lower is better; torch/Lt > 1: libtensor is faster)',
             head, body)

    # The step's GFLOP/s and share of the FMA peak
    body = []
    impls = ('lt', 'lt-py', 'torch') if lt_py else ('lt', 'torch')
    for key in [k for k in keys if k[0] == 'step']:
        _, _, n, thr = key
        row = dict(batch=n, threads=thr, gflop=tutorial_flops(n).total * 1e-9)
        cells = [str(n), str(thr), '%.4g' % row['gflop']]
        for impl in impls:
            recs = list(by[key].get(impl, {}).values())
            row[impl] = dict(gflops=stats(r.get('step_gflops') for r in recs),
                             peak_share=stats(r.get('peak_share') for r in recs),
                             peak_share_cpu=stats(r.get('peak_share_cpu') for r in recs))
            cells += [fmt(row[impl]['gflops']), share(recs, 'peak_share'),
                      share(recs, 'peak_share_cpu')]
        summary['flops'].append(row)
        body.append(cells)
    if body:
        md_table(out, 'Training step, floating-point work (StepFlops, bench/bench_common.py) '
                 'and the share of the FMA peak. ' + peak_line(peaks),
                 ['batch', 'thr', 'GFLOP a step']
                 + [impl + h for impl in impls
                    for h in (' GFLOP/s', ' % peak', ' % peak (CPU)')], body)

    # 2 threads against 1
    body = []
    for key in [k for k in keys if k[0] == 'step' and k[3] == 1]:
        n = key[2]
        for impl in ('lt', 'torch'):
            one = by.get(('step', 'train', n, 1), {}).get(impl, {})
            for thr in sorted({k[3] for k in keys if k[0] == 'step' and k[2] == n and k[3] > 1}):
                many = by.get(('step', 'train', n, thr), {}).get(impl, {})
                s = ratios(many, one, invert=True)
                summary['threads'].append(dict(batch=n, impl=impl, threads=thr, speedup=s))
                body.append([str(n), impl, '%d vs 1' % thr, fmt(s)])
    if body:
        md_table(out, 'Threads: step time on 1 thread over step time on N (> 1: N threads are faster)',
                 ['batch', 'impl', 'threads', '1-thread / N-thread time'], body)

    # sgemm peak
    peak = {}
    body = []
    for key in [k for k in keys if k[0] == 'sgemm']:
        s = stats(values(by, key, 'lt'))
        peak.setdefault(key[3], []).append(s[0])
        summary['sgemm'].append(dict(n=key[2], threads=key[3], gflops=s))
        body.append([str(key[2]), str(key[3]), fmt(s), cpu(by, key, 'lt')])
    if body:
        md_table(out, 'cblas_sgemm peak, float32 squares (GFLOP/s)',
                 ['n', 'thr', 'cblas_sgemm', 'cpu/wall'], body)
    peak = {t: max(v) for t, v in peak.items()}

    # conv
    body = []
    for key in [k for k in keys if k[0] == 'conv']:
        _, op, n, thr = key
        imp = by[key]
        lt = stats(values(by, key, 'lt'))
        of_peak = stats([v / peak[thr] for v in values(by, key, 'lt')]) if thr in peak else None
        row = dict(op=op, batch=n, threads=thr, lt=lt, torch=stats(values(by, key, 'torch')),
                   lt_over_torch=ratios(imp.get('lt', {}), imp.get('torch', {})),
                   lt_over_peak=of_peak)
        summary['conv'].append(row)
        body.append([op, str(n), str(thr), fmt(lt), fmt(row['torch']), fmt(of_peak),
                     fmt(row['lt_over_torch']), cpu(by, key, 'lt'), cpu(by, key, 'torch')])
    if body:
        md_table(out, 'conv2d at the network\'s shapes (GFLOP/s; Lt/peak: over the best '
                 'cblas_sgemm rate of the same thread count)',
                 ['op', 'batch', 'thr', 'Lt', 'torch', 'Lt/sgemm peak', 'Lt/torch',
                  'cpu/wall Lt', 'cpu/wall torch'], body)

    # rss
    body = []
    for key in [k for k in keys if k[0] == 'rss']:
        imp = by[key]
        for impl in ('lt', 'lt-py', 'torch'):
            if impl not in imp:
                continue
            peak_s = stats(values(by, key, impl))
            before = stats(values(by, key, impl, 'rss_before_mib'))
            row = dict(impl=impl, batch=key[2], threads=key[3], peak=peak_s, before=before)
            if impl != 'torch':
                row['torch_over_ours'] = ratios(imp.get(impl, {}), imp.get('torch', {}),
                                                invert=True)
            summary['rss'].append(row)
            body.append([impl, str(key[2]), str(key[3]), fmt(peak_s), fmt(before),
                         fmt(row.get('torch_over_ours'))])
    if body:
        md_table(out, 'Peak resident memory of a training run (MiB, ru_maxrss; "before": '
                 'resident before the network is made)',
                 ['impl', 'batch', 'thr', 'peak RSS', 'RSS before', 'torch / ours'], body)
    return summary


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('build', nargs='?', default='build-bench',
                   help='meson build folder (default: build-bench)')
    p.add_argument('--reps', type=int, default=5, help='repetitions (default 5)')
    p.add_argument('--batch', default='4,64,256', help='batch sizes (default 4,64,256)')
    p.add_argument('--threads', default='1,2', help='thread counts (default 1,2)')
    p.add_argument('--only', default='step,conv,sgemm,rss',
                   help='comma-separated benches: step,conv,sgemm,rss')
    p.add_argument('--min-time', type=float, default=1.0,
                   help='seconds per measurement in each run (default 1)')
    p.add_argument('--rss-steps', type=int, default=50, help='steps of the memory runs (default 50)')
    p.add_argument('--lt-py', action='store_true',
                   help='also run the Python training code on libtensor (through its overrides)')
    p.add_argument('--output', help='JSON file to write (default bench/results/train-<date>-<time>.json)')
    args = p.parse_args()

    build = os.path.abspath(args.build)
    exe = os.path.join(build, 'bench', 'bench-train')
    if not os.access(exe, os.X_OK):
        sys.exit('bench/run_train.py: %s not found: build first (ninja -C %s)' % (exe, args.build))

    env = build_env(build, overrides=False)
    py_env = build_env(build)

    only = args.only.split(',')
    timed = ','.join(b for b in only if b in ('step', 'conv', 'sgemm'))
    c_cmd = [exe, '--only=' + timed, '--batch=' + args.batch, '--threads=' + args.threads,
             '--min-time=%g' % args.min_time]
    torch_script = os.path.join(HERE, 'bench_train_torch.py')
    py_common = ['--batch', args.batch, '--threads', args.threads, '--min-time', str(args.min_time)]
    torch_cmd = ['/usr/bin/python3', torch_script,
                 '--only', ','.join(b for b in only if b in ('step', 'conv'))] + py_common
    ltpy_cmd = ['/usr/bin/python3', torch_script, '--impl', 'lt', '--only', 'step'] + py_common

    def log(msg):
        sys.stderr.write(msg + '\n')
        sys.stderr.flush()

    started = datetime.datetime.now()
    load_before = os.getloadavg()
    log('bench/run_train.py: %d repetitions, build %s (%s), %s, load %.2f'
        % (args.reps, args.build, build_type(build), cpu_model(), load_before[0]))
    threads = [int(t) for t in args.threads.split(',') if t]
    peaks = peak_gflops(build, threads) if 'step' in only else {}
    log(peak_line(peaks))
    notes = set()
    records = []
    for rep in range(args.reps):
        order = []
        if timed:
            order.append(('bench-train', c_cmd, env))
        if 'step' in only or 'conv' in only:
            order.append(('bench_train_torch.py', torch_cmd, env))
        if args.lt_py and 'step' in only:
            order.append(('bench_train_torch.py --impl lt', ltpy_cmd, py_env))
        if 'rss' in only:
            rss = ['--batch=64', '--threads=1', '--steps=%d' % args.rss_steps]
            order.append(('bench-train --rss', [exe, '--rss'] + rss, env))
            order.append(('bench_train_torch.py --rss',
                          ['/usr/bin/python3', torch_script, '--rss'] + rss, env))
            if args.lt_py:
                order.append(('bench_train_torch.py --impl lt --rss',
                              ['/usr/bin/python3', torch_script, '--impl', 'lt', '--rss'] + rss,
                              py_env))
        for name, cmd, cmd_env in (order if rep % 2 == 0 else order[::-1]):
            records += run_json_lines(name, cmd, cmd_env, rep, log, notes)

    torch_version = subprocess.run(['/usr/bin/python3', '-c', 'import torch; print(torch.__version__)'],
                                   stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    meta = dict(date=started.isoformat(timespec='seconds'), cpu=cpu_model(), cores=os.cpu_count(),
                build=args.build, buildtype=build_type(build), reps=args.reps, batch=args.batch,
                threads=args.threads, min_time=args.min_time, torch=torch_version,
                python=platform.python_version(), load_before=load_before,
                load_after=os.getloadavg(), notes=sorted(notes), peaks=peaks)

    out = sys.stdout
    out.write('Training step of the tutorial\'s CIFAR-10 network, libtensor vs PyTorch %s: %s, '
              '%s cores, build %s (%s), %d repetitions, %s, load average %.2f before / %.2f after\n'
              % (torch_version, meta['cpu'], meta['cores'], args.build, meta['buildtype'],
                 args.reps, meta['date'], load_before[0], meta['load_after'][0]))
    for n in sorted(notes):
        out.write('Note: %s\n' % n)
    out.write('Cells: median [min-max] over the repetitions; ratios are computed within each '
              'repetition.\n')
    add_flop_rates(records,
                   lambda r: tutorial_flops(r['n']).total if r['bench'] == 'step' else None, peaks)
    summary = report(index(records), out, args.lt_py, peaks)

    path = args.output or os.path.join(HERE, 'results',
                                       'train-' + started.strftime('%Y%m%d-%H%M%S') + '.json')
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(meta=meta, summary=summary, records=records), f, indent=1)
    log('\nwrote %s' % path)


if __name__ == '__main__':
    main()
