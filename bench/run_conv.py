#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the conv2d benchmark beside PyTorch and prints tables of ratios.

Builds nothing: give it a build folder where `ninja` has built
bench/bench-conv. Each repetition runs, as separate processes and in
alternating order, BUILD/bench/bench-conv (C) and bench/bench_conv_torch.py
(PyTorch), over the same table of shapes (`bench-conv --list`), forward,
grad-input and grad-weight, and the training step of the CNN of "What is
torch.nn really?".

Cells are the median [min-max] over the repetitions; ratios are computed
within each repetition, then summarised the same way. Speed-ups are
torch's time / ours (> 1: libtensor is faster). The CNN step's
floating-point work, counted from the layer shapes
(bench_conv_torch.cnn_flops), gives its GFLOP/s and its share of the FMA
peak that bench/bench-peak measures once per run (by wall time, of the
row's thread count's peak; by CPU time, of one core's peak per busy
core-second).

    /usr/bin/python3 bench/run_conv.py build-bench --reps 3

Writes the raw records and the summary to bench/results/conv-<date>-<time>.json.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

from bench_common import (add_flop_rates, build_env, build_type, cpu_model, fmt, peak_gflops,
                          peak_line, run_json_lines, share, stats)
from bench_conv_torch import cnn_flops

HERE = os.path.dirname(os.path.abspath(__file__))


def md_table(out, title, head, body):
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(head)]
    out.write('\n%s\n\n' % title)
    out.write('| ' + ' | '.join(h.ljust(w) for h, w in zip(head, widths)) + ' |\n')
    out.write('|' + '|'.join('-' * (w + 2) for w in widths) + '|\n')
    for b in body:
        out.write('| ' + ' | '.join(c.ljust(w) for c, w in zip(b, widths)) + ' |\n')


def report(records, shapes, threads, out, peaks):
    """The conv table (one row per shape, op and thread count) and the CNN
    table; returns the summary."""
    by = {}
    for r in records:
        key = (r['bench'], r['shape'], r['op'], r['threads'])
        by.setdefault(key, {}).setdefault(r['impl'], {})[r['rep']] = r

    def speedups(key, invert, field='value'):
        lt, th = by.get(key, {}).get('lt', {}), by.get(key, {}).get('torch', {})
        out = []
        for rep in sorted(set(lt) & set(th)):
            a, b = lt[rep][field], th[rep][field]
            if a > 0 and b > 0:
                out.append(a / b if invert else b / a)
        return stats(out)

    summary = dict(conv=[], cnn=[])
    body = []
    for s in shapes:
        for op in ('fwd', 'gi', 'gw'):
            for t in threads:
                key = ('conv', s['shape'], op, t)
                if key not in by:
                    continue
                lt = stats(r['value'] for r in by[key].get('lt', {}).values())
                th = stats(r['value'] for r in by[key].get('torch', {}).values())
                gf = stats(r['gflops'] for r in by[key].get('lt', {}).values())
                sp = speedups(key, False)
                cp = speedups(key, False, 'cpu_median_s')
                body.append([s['shape'], op, str(t), fmt(lt), fmt(th), fmt(gf), fmt(sp), fmt(cp)])
                summary['conv'].append(dict(shape=s['shape'], op=op, threads=t, lt_ms=lt,
                                            torch_ms=th, lt_gflops=gf, speedup=sp,
                                            cpu_speedup=cp))
    if body:
        md_table(out, 'conv2d, float32 (ms per call; speed-up = torch / Lt, > 1: libtensor is faster; '
                 'fwd: forward with bias, gi: grad input, gw: grad weight and bias; CPU-time ratio: '
                 'torch\'s process CPU time per call over ours, the fairer figure on 1 thread when '
                 'other processes take the cores)',
                 ['shape', 'op', 'thr', 'Lt ms', 'torch ms', 'Lt GFLOP/s', 'speed-up', 'CPU-time ratio'],
                 body)
    rows = [r for r in summary['conv'] if r['speedup']]
    if rows:
        worst = sorted(rows, key=lambda r: r['speedup'][0])[:5]
        out.write('\nSlowest rows (median speed-up): %s\n'
                  % '; '.join('%s %s thr=%d: %.3g' % (r['shape'], r['op'], r['threads'],
                                                       r['speedup'][0]) for r in worst))
        below = [r for r in rows if r['speedup'][0] < 1.0]
        out.write('Rows below PyTorch\'s speed: %d of %d\n' % (len(below), len(rows)))

    body = []
    for t in threads:
        key = ('cnn', 'torch.nn CNN 28x28', 'train', t)
        if key not in by:
            continue
        lt = stats(r['value'] for r in by[key].get('lt', {}).values())
        th = stats(r['value'] for r in by[key].get('torch', {}).values())
        sp = speedups(key, True)
        cp = speedups(key, False, 'cpu_median_s')
        lt_recs = list(by[key].get('lt', {}).values())
        th_recs = list(by[key].get('torch', {}).values())
        body.append([str(t), fmt(lt), fmt(th), fmt(sp), fmt(cp),
                     fmt(stats(r.get('step_gflops') for r in lt_recs)),
                     fmt(stats(r.get('step_gflops') for r in th_recs)),
                     share(lt_recs, 'peak_share'), share(th_recs, 'peak_share'),
                     share(lt_recs, 'peak_share_cpu'), share(th_recs, 'peak_share_cpu')])
        summary['cnn'].append(dict(
            threads=t, lt_img_s=lt, torch_img_s=th, speedup=sp, cpu_speedup=cp,
            lt_gflops=stats(r.get('step_gflops') for r in lt_recs),
            torch_gflops=stats(r.get('step_gflops') for r in th_recs),
            lt_peak_share=stats(r.get('peak_share') for r in lt_recs),
            torch_peak_share=stats(r.get('peak_share') for r in th_recs),
            lt_peak_share_cpu=stats(r.get('peak_share_cpu') for r in lt_recs),
            torch_peak_share_cpu=stats(r.get('peak_share_cpu') for r in th_recs)))
    if body:
        md_table(out, 'Training step of the CNN of "What is torch.nn really?" (images/s; '
                 'speed-up = Lt / torch; GFLOP/s of the step\'s products, counted from the '
                 'layer shapes, and their share of the FMA peak). ' + peak_line(peaks),
                 ['thr', 'Lt img/s', 'torch img/s', 'speed-up', 'CPU-time ratio',
                  'Lt GFLOP/s', 'torch GFLOP/s', 'Lt % peak', 'torch % peak',
                  'Lt % peak (CPU)', 'torch % peak (CPU)'], body)
    return summary


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('build', nargs='?', default='build-bench',
                   help='meson build folder (default: build-bench)')
    p.add_argument('--reps', type=int, default=3, help='repetitions (default 3)')
    p.add_argument('--threads', default='1,2', help='thread counts (default 1,2)')
    p.add_argument('--only', default='conv,cnn', help='comma-separated benches: conv,cnn')
    p.add_argument('--shapes', default='', help="only these shapes (names, ';')")
    p.add_argument('--min-time', type=float, default=0.2,
                   help='seconds per measurement in each run (default 0.2)')
    p.add_argument('--cnn-batch', type=int, default=64, help='batch of the CNN step (default 64)')
    p.add_argument('--output', help='JSON file to write (default bench/results/conv-<date>-<time>.json)')
    args = p.parse_args()

    build = os.path.abspath(args.build)
    exe = os.path.join(build, 'bench', 'bench-conv')
    if not os.access(exe, os.X_OK):
        sys.exit('bench/run_conv.py: %s not found: build first (ninja -C %s)' % (exe, args.build))
    env = build_env(build, overrides=False)
    common = ['--threads=' + args.threads, '--only=' + args.only,
              '--min-time=%g' % args.min_time, '--cnn-batch=%d' % args.cnn_batch]
    if args.shapes:
        common.append('--shapes=' + args.shapes)
    c_cmd = [exe] + common
    torch_cmd = ['/usr/bin/python3', os.path.join(HERE, 'bench_conv_torch.py'), exe] + common

    def log(msg):
        sys.stderr.write(msg + '\n')
        sys.stderr.flush()

    listing = subprocess.run([exe, '--list'], check=True, stdout=subprocess.PIPE,
                             universal_newlines=True, env=env).stdout
    shapes = [json.loads(line) for line in listing.splitlines() if line.startswith('{')]
    threads = [int(v) for v in args.threads.split(',') if v]

    peaks = peak_gflops(build, threads) if 'cnn' in args.only.split(',') else {}
    log(peak_line(peaks))
    started = datetime.datetime.now()
    load_before = os.getloadavg()
    log('bench/run_conv.py: %d repetitions, build %s (%s), %s, load %.2f'
        % (args.reps, args.build, build_type(build), cpu_model(), load_before[0]))
    records = []
    order = [('bench-conv', c_cmd), ('bench_conv_torch.py', torch_cmd)]
    for rep in range(args.reps):
        for name, cmd in (order if rep % 2 == 0 else order[::-1]):
            records += run_json_lines(name, cmd, env, rep, log)

    torch_version = subprocess.run(['/usr/bin/python3', '-c', 'import torch; print(torch.__version__)'],
                                   stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()
    meta = dict(date=started.isoformat(timespec='seconds'), cpu=cpu_model(), cores=os.cpu_count(),
                build=args.build, buildtype=build_type(build), reps=args.reps,
                threads=args.threads, min_time=args.min_time, torch=torch_version,
                python=platform.python_version(), load_before=load_before,
                load_after=os.getloadavg(), peaks=peaks)
    out = sys.stdout
    out.write('conv2d and the torch.nn CNN step, libtensor vs PyTorch %s: %s, %s cores, build %s '
              '(%s), %d repetitions, %s, load average %.2f before / %.2f after\n'
              % (torch_version, meta['cpu'], meta['cores'], args.build, meta['buildtype'],
                 args.reps, meta['date'], load_before[0], meta['load_after'][0]))
    out.write('Cells: median [min-max] over the repetitions; ratios are computed within each '
              'repetition.\n')
    cnn_records = [r for r in records if r['bench'] == 'cnn']
    add_flop_rates(cnn_records, lambda r: cnn_flops(args.cnn_batch).total, peaks)
    summary = report(records, shapes, threads, out, peaks)

    path = args.output or os.path.join(HERE, 'results',
                                       'conv-' + started.strftime('%Y%m%d-%H%M%S') + '.json')
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(dict(meta=meta, summary=summary, records=records), f, indent=1)
    log('\nwrote %s' % path)


if __name__ == '__main__':
    main()
