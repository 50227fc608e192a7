#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Accuracy on real data (issue 5): the tutorial's network, adapted to
1x28x28, trained on Fashion-MNIST with the tutorial's recipe by lt-train
and by PyTorch 1.13 in the same run; test accuracy, seconds per epoch and
the loss curves of both.

  ours   BUILD/viewer/lt-train --dataset fashion-mnist --epochs 2 --workers 0
         --seed S --log-interval 200 --loss-csv FILE, with LT_NUM_THREADS=1.
         Its 28x28 images are padded to 32x32 (zeros on the uint8 image,
         before ToTensor and Normalize), so the tutorial's network fits with
         a 1-channel first convolution.
  torch  bench/accuracy_torch.py: the same network, transform (Pad(2),
         ToTensor, Normalize((0.5,), (0.5,))), recipe and evaluation, with
         torch.set_num_threads(1); once as it is ("torch") and once with
         OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 as well
         ("torch-1t"), since set_num_threads() does not reach the OpenBLAS
         that Debian's PyTorch calls.

Each seed runs all of them, in an order that rotates from seed to seed.
Before every run the script waits (up to --max-wait seconds) for the
1-minute load average to drop to --max-load, and records it.

Seconds per epoch are the training loop's (the test set's evaluation after
each epoch is timed apart); cpu/wall is the whole process's CPU time over
its wall time (getrusage of the child), and for torch also that of its
training loops alone.

Writes bench/results/accuracy-<date>-<time>.json (every number), one CSV
of loss curves per seed (impl, seed, interval, epoch, iteration, step,
running_loss; the running loss every 200 mini-batches, and every 2000 as
the tutorial prints it) and a PNG of the first seed's curves side by side
(--png, default bench/results/accuracy-<...>.png). Prints the tables of
bench/README.md's "Accuracy on real data" section.

  /usr/bin/python3 bench/accuracy.py build-acc --seeds 0,1,2
  /usr/bin/python3 bench/accuracy.py --plot RESULTS.json --png OUT.png
"""

import argparse
import csv
import datetime
import gzip
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(HERE)
FASHION = '/usr/share/datasets/fashion-mnist'
FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
         't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')
STEPS_PER_EPOCH = 15000
FINE, COARSE = 200, 2000
IMPLS = ('lt', 'torch', 'torch-1t')
LABELS = {'lt': 'libtensor (lt-train)', 'torch': 'PyTorch 1.13',
          'torch-1t': 'PyTorch 1.13, OMP/OPENBLAS_NUM_THREADS=1'}


def loadavg():
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def wait_quiet(max_load, max_wait):
    """Waits while the 1-minute load average is above max_load (at most
    max_wait seconds); returns (load when starting, seconds waited)."""
    start = time.monotonic()
    load = loadavg()
    while load > max_load and time.monotonic() - start < max_wait:
        time.sleep(5)
        load = loadavg()
    return load, time.monotonic() - start


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def torch_root(tmp):
    """torchvision's layout (root/FashionMNIST/raw/, uncompressed) made from
    Debian's package."""
    raw = os.path.join(tmp, 'FashionMNIST', 'raw')
    os.makedirs(raw, exist_ok=True)
    for name in FILES:
        src = os.path.join(FASHION, name + '.gz')
        with gzip.open(src, 'rb') as fi, open(os.path.join(raw, name), 'wb') as fo:
            shutil.copyfileobj(fi, fo)
    return tmp


def coarse_from_fine(fine):
    """The running loss every 2000 mini-batches from the one every 200 (ten
    consecutive windows of an epoch)."""
    out = []
    by_epoch = {}
    for e, it, loss in fine:
        by_epoch.setdefault(e, {})[it] = loss
    for e in sorted(by_epoch):
        windows = by_epoch[e]
        for it in range(COARSE, max(windows) + 1, COARSE):
            parts = [windows.get(it - k * FINE) for k in range(COARSE // FINE)]
            if None not in parts:
                out.append([e, it, sum(parts) / len(parts)])
    return out


EPOCH_RE = re.compile(r'^Epoch (\d+): mean loss ([\d.]+), test accuracy ([\d.]+) %, ([\d.]+) s '
                      r'\(training ([\d.]+) s, test ([\d.]+) s\)')


def run_lt(build, seed, epochs, tmp):
    lt_train = os.path.join(build, 'viewer', 'lt-train')
    csv_path = os.path.join(tmp, 'lt-loss-%d.csv' % seed)
    data = os.path.join(tmp, 'lt-data')        # empty: the Debian package is used
    os.makedirs(data, exist_ok=True)
    # the epoch lines parsed below are lt-train's untranslated ones
    env = dict(os.environ, LT_NUM_THREADS='1', LC_ALL='C.UTF-8')
    env.pop('LANGUAGE', None)
    env.pop('LT_FASHION_MNIST_ROOT', None)
    cmd = [lt_train, '--dataset', 'fashion-mnist', '--epochs', str(epochs), '--workers', '0',
           '--seed', str(seed), '--log-interval', str(FINE), '--loss-csv', csv_path,
           '--data', data]
    c0, t0 = child_cpu(), time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall, cpu = time.perf_counter() - t0, child_cpu() - c0
    if r.returncode != 0:
        sys.exit('lt-train failed (%d): %s' % (r.returncode, r.stderr))
    rows = []
    for line in r.stderr.splitlines():
        m = EPOCH_RE.match(line)
        if m:
            rows.append(dict(epoch=int(m.group(1)), accuracy=float(m.group(3)),
                             epoch_s=float(m.group(4)), train_s=float(m.group(5)),
                             test_s=float(m.group(6))))
    if len(rows) != epochs:
        sys.exit('lt-train: expected %d epoch lines in:\n%s' % (epochs, r.stderr))
    m = re.search(r'Accuracy of the network on the (\d+) test images: (\d+) %', r.stdout)
    if not m or int(m.group(2)) != int(rows[-1]['accuracy'] + 1e-9):
        sys.exit('lt-train: the accuracy line does not match the epoch line:\n' + r.stdout)
    with open(csv_path) as f:
        fine = [[int(d['epoch']), int(d['iteration']), float(d['running_loss'])]
                for d in csv.DictReader(f)]
    return dict(impl='lt', seed=seed, epochs=rows, accuracy=rows[-1]['accuracy'],
                fine=fine, coarse=coarse_from_fine(fine), wall_s=wall, cpu_s=cpu,
                cpu_per_wall=cpu / wall, command=' '.join(['LT_NUM_THREADS=1'] + cmd[:1] +
                                                          cmd[1:]))


def run_torch(impl, seed, epochs, root):
    env = dict(os.environ)
    prefix = []
    if impl == 'torch-1t':
        for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
            env[k] = '1'
            prefix.append(k + '=1')
    cmd = ['/usr/bin/python3', os.path.join(HERE, 'accuracy_torch.py'), '--root', root,
           '--seed', str(seed), '--epochs', str(epochs), '--threads', '1']
    c0, t0 = child_cpu(), time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall, cpu = time.perf_counter() - t0, child_cpu() - c0
    if r.returncode != 0:
        sys.exit('accuracy_torch.py failed (%d): %s' % (r.returncode, r.stderr))
    res = json.loads(r.stdout.strip().splitlines()[-1])
    for e in res['epochs']:
        e['epoch_s'] = e['train_s'] + e['test_s']
    res.update(impl=impl, wall_s=wall, cpu_s=cpu, cpu_per_wall=cpu / wall,
               train_cpu_per_wall=sum(e['train_cpu_s'] for e in res['epochs']) /
               sum(e['train_s'] for e in res['epochs']),
               command=' '.join(prefix + cmd))
    return res


# Summaries

def med_range(values, fmt='%.3g'):
    if not values:
        return '-'
    if len(values) == 1:
        return fmt % values[0]
    return '%s [%s-%s]' % (fmt % statistics.median(values), fmt % min(values), fmt % max(values))


def table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: '| ' + ' | '.join(str(x).ljust(w) for x, w in zip(r, widths)) + ' |'
    out = [line(header), '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    out += [line(r) for r in rows]
    return '\n'.join(out)


def per_epoch_train(run):
    return statistics.median(e['train_s'] for e in run['epochs'])


def report(results):
    runs = results['runs']
    impls = [i for i in IMPLS if any(r['impl'] == i for r in runs)]
    seeds = sorted({r['seed'] for r in runs})
    out = []

    rows = []
    for r in sorted(runs, key=lambda r: (r['seed'], r['order'])):
        rows.append([r['impl'], r['seed'], r['order'], '%.2f' % r['accuracy'],
                     ' / '.join('%.2f' % e['train_s'] for e in r['epochs']),
                     ' / '.join('%.2f' % e['test_s'] for e in r['epochs']),
                     '%.1f' % r['wall_s'], '%.2f' % r['cpu_per_wall'],
                     '%.2f' % r['train_cpu_per_wall'] if 'train_cpu_per_wall' in r else '-',
                     '%.2f' % r['load_before'], '%.2f' % r['load_after']])
    out.append('Every run (training seconds of epoch 1 / 2; test: the evaluation after each '
               'epoch; cpu/wall of the whole process, and of torch\'s training loops; load: '
               'the 1-minute load average before and after the run)\n')
    out.append(table(['impl', 'seed', 'order', 'test acc %', 'train s (ep 1 / 2)',
                      'test s (ep 1 / 2)', 'process wall s', 'cpu/wall', 'cpu/wall train',
                      'load before', 'load after'], rows))

    rows = []
    for impl in impls:
        rs = [r for r in runs if r['impl'] == impl]
        rows.append([LABELS[impl], len(rs), med_range([r['accuracy'] for r in rs], '%.2f'),
                     med_range([per_epoch_train(r) for r in rs], '%.2f'),
                     med_range([statistics.median(e['test_s'] for e in r['epochs'])
                                for r in rs], '%.2f'),
                     med_range([r['cpu_per_wall'] for r in rs], '%.2f')])
    out.append('\nSummary (median [min-max] over the seeds; s/epoch: the training loop of one '
               'epoch, the median of the two)\n')
    out.append(table(['impl', 'runs', 'test accuracy %', 's/epoch (training)',
                      'test s/epoch', 'cpu/wall'], rows))

    rows = []
    for ref in [i for i in impls if i != 'lt']:
        diffs, speed = [], []
        for s in seeds:
            a = [r for r in runs if r['seed'] == s and r['impl'] == 'lt']
            b = [r for r in runs if r['seed'] == s and r['impl'] == ref]
            if a and b:
                diffs.append(a[0]['accuracy'] - b[0]['accuracy'])
                speed.append(per_epoch_train(b[0]) / per_epoch_train(a[0]))
        lt_acc = [r['accuracy'] for r in runs if r['impl'] == 'lt']
        ref_acc = [r['accuracy'] for r in runs if r['impl'] == ref]
        if not diffs:
            continue
        rows.append([LABELS[ref], med_range(diffs, '%+.2f'),
                     '%+.2f' % (statistics.median(lt_acc) - statistics.median(ref_acc)),
                     med_range(speed, '%.2f')])
    out.append('\nlibtensor against PyTorch, seed by seed (accuracy: ours minus theirs, in '
               'points; speed-up: their s/epoch over ours)\n')
    out.append(table(['against', 'accuracy difference (same seed)',
                      'difference of the medians', 'speed-up'], rows))
    return '\n'.join(out)


# The picture

def draw(results, png, seed=None):
    import cairo

    runs = results['runs']
    if seed is None:
        seed = min(r['seed'] for r in runs)
    panels = [r for impl in ('lt', 'torch-1t', 'torch') for r in runs
              if r['impl'] == impl and r['seed'] == seed]
    # ours and one PyTorch run (the one with every thread setting at 1 when
    # there is one)
    panels = panels[:2]
    W, H = 1200, 470
    pw = W // len(panels)
    left, right, top, bottom = 60, 18, 62, 50
    ymax = 0
    xmax = max(max((e - 1) * STEPS_PER_EPOCH + it for e, it, _ in r['fine']) for r in panels)
    for r in panels:
        ymax = max([ymax] + [v for _, _, v in r['fine']] + [v for _, _, v in r['coarse']])
    ymax = (int(ymax * 1.05 / 0.25) + 1) * 0.25
    xmax = (int(xmax / 5000) + (xmax % 5000 > 0)) * 5000

    surface = cairo.ImageSurface(cairo.FORMAT_RGB24, W, H)
    cr = cairo.Context(surface)
    cr.set_source_rgb(1, 1, 1)
    cr.paint()
    cr.select_font_face('sans-serif', cairo.FONT_SLANT_NORMAL, cairo.FONT_WEIGHT_NORMAL)

    colours = {'lt': (0.12, 0.39, 0.71), 'torch': (0.84, 0.37, 0.0),
               'torch-1t': (0.84, 0.37, 0.0)}
    for k, r in enumerate(panels):
        x0 = k * pw
        other = panels[1 - k] if len(panels) == 2 else None

        def px(step):
            return x0 + left + step / xmax * (pw - left - right)

        def py(v):
            return top + (1 - v / ymax) * (H - top - bottom)

        cr.set_line_width(1)
        cr.set_font_size(11)
        for i in range(int(round(ymax / 0.25)) + 1):
            v = i * 0.25
            cr.set_source_rgb(0.88, 0.88, 0.88)
            cr.move_to(x0 + left, int(py(v)) + 0.5)
            cr.line_to(x0 + pw - right, int(py(v)) + 0.5)
            cr.stroke()
            cr.set_source_rgb(0.2, 0.2, 0.2)
            cr.move_to(x0 + left - 34, py(v) + 4)
            cr.show_text('%.2f' % v)
        for step in range(0, xmax + 1, 5000):
            cr.set_source_rgb(0.88, 0.88, 0.88)
            cr.move_to(int(px(step)) + 0.5, top)
            cr.line_to(int(px(step)) + 0.5, H - bottom)
            cr.stroke()
            cr.set_source_rgb(0.2, 0.2, 0.2)
            text = '%d' % step
            cr.move_to(px(step) - cr.text_extents(text).width / 2, H - bottom + 15)
            cr.show_text(text)
        # the epoch boundary
        cr.set_source_rgb(0.5, 0.5, 0.5)
        cr.set_dash([4, 4])
        cr.move_to(int(px(STEPS_PER_EPOCH)) + 0.5, top)
        cr.line_to(int(px(STEPS_PER_EPOCH)) + 0.5, H - bottom)
        cr.stroke()
        cr.set_dash([])
        cr.set_source_rgb(0, 0, 0)
        cr.rectangle(x0 + left + 0.5, top + 0.5, pw - left - right - 1, H - top - bottom - 1)
        cr.stroke()
        cr.set_source_rgb(0.2, 0.2, 0.2)
        text = 'mini-batches (batch 4; epoch 2 from %d)' % STEPS_PER_EPOCH
        cr.move_to(x0 + left + (pw - left - right - cr.text_extents(text).width) / 2, H - 14)
        cr.show_text(text)

        rgb = colours[r['impl']]
        # the other library's tutorial curve, for comparison
        if other is not None:
            cr.set_source_rgb(0.55, 0.55, 0.55)
            cr.set_line_width(1.5)
            cr.set_dash([5, 3])
            for i, (e, it, v) in enumerate(other['coarse']):
                (cr.line_to if i else cr.move_to)(px((e - 1) * STEPS_PER_EPOCH + it), py(v))
            cr.stroke()
            cr.set_dash([])
        # every 200 mini-batches, light
        cr.set_source_rgba(*rgb, 0.45)
        cr.set_line_width(1)
        for i, (e, it, v) in enumerate(r['fine']):
            (cr.line_to if i else cr.move_to)(px((e - 1) * STEPS_PER_EPOCH + it), py(v))
        cr.stroke()
        # every 2000, as the tutorial prints it
        cr.set_source_rgb(*rgb)
        cr.set_line_width(2.5)
        for i, (e, it, v) in enumerate(r['coarse']):
            (cr.line_to if i else cr.move_to)(px((e - 1) * STEPS_PER_EPOCH + it), py(v))
        cr.stroke()
        for e, it, v in r['coarse']:
            cr.arc(px((e - 1) * STEPS_PER_EPOCH + it), py(v), 3.5, 0, 6.2832)
            cr.fill()

        cr.set_source_rgb(0, 0, 0)
        cr.set_font_size(15)
        cr.move_to(x0 + left, 22)
        cr.show_text(LABELS[r['impl']])
        cr.set_font_size(12)
        cr.set_source_rgb(0.2, 0.2, 0.2)
        cr.move_to(x0 + left, 42)
        cr.show_text('seed %d: test accuracy %.2f %%, %.2f s per epoch (training, 1 thread)'
                     % (r['seed'], r['accuracy'], per_epoch_train(r)))
        # legend
        lx, ly = x0 + pw - right - 268, top + 18
        items = [(rgb, 2.5, None, 'running loss, every 2000 mini-batches'),
                 (rgb + (0.45,), 1, None, 'every 200')]
        if other is not None:
            items.append(((0.55, 0.55, 0.55), 1.5, [5, 3],
                          '%s, every 2000' % ('PyTorch' if other['impl'] != 'lt'
                                              else 'libtensor')))
        cr.set_source_rgb(1, 1, 1)
        cr.rectangle(lx - 8, ly - 14, 270, 18 * len(items) + 8)
        cr.fill()
        for j, (c, w, dash, text) in enumerate(items):
            y = ly + 18 * j
            (cr.set_source_rgba if len(c) == 4 else cr.set_source_rgb)(*c)
            cr.set_line_width(w)
            cr.set_dash(dash or [])
            cr.move_to(lx, y - 4)
            cr.line_to(lx + 26, y - 4)
            cr.stroke()
            cr.set_dash([])
            cr.set_source_rgb(0.1, 0.1, 0.1)
            cr.move_to(lx + 32, y)
            cr.show_text(text)
    surface.flush()
    tmp = png + '.part'
    surface.write_to_png(tmp)
    os.replace(tmp, png)


def write_csv(results, path, seed):
    with open(path + '.part', 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['impl', 'seed', 'interval', 'epoch', 'iteration', 'step', 'running_loss'])
        for r in results['runs']:
            if r['seed'] != seed:
                continue
            for interval, curve in ((COARSE, r['coarse']), (FINE, r['fine'])):
                for e, it, v in curve:
                    w.writerow([r['impl'], seed, interval, e, it,
                                (e - 1) * STEPS_PER_EPOCH + it, '%.6f' % v])
    os.replace(path + '.part', path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('build', nargs='?', help='the build folder (with viewer/lt-train)')
    ap.add_argument('--seeds', default='0,1,2')
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--impls', default=','.join(IMPLS))
    ap.add_argument('--max-load', type=float, default=1.0)
    ap.add_argument('--max-wait', type=float, default=900,
                    help='seconds to wait for the load to drop before a run (then it runs '
                    'anyway; the load is recorded)')
    ap.add_argument('--output', help='results JSON (default bench/results/accuracy-<time>.json)')
    ap.add_argument('--png', help='the loss curves of the first seed (PNG)')
    ap.add_argument('--plot', metavar='RESULTS', help='only redraw the PNG (and the tables) '
                    'from a results JSON')
    args = ap.parse_args()

    if args.plot:
        with open(args.plot) as f:
            results = json.load(f)
        print(report(results))
        if args.png:
            draw(results, args.png)
        return

    if not args.build:
        ap.error('the build folder is needed')
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    os.makedirs(os.path.join(HERE, 'results'), exist_ok=True)
    base = os.path.join(HERE, 'results', 'accuracy-' + stamp)
    output = args.output or base + '.json'
    png = args.png or base + '.png'
    seeds = [int(s) for s in args.seeds.split(',')]
    impls = [i for i in args.impls.split(',') if i]
    for i in impls:
        if i not in IMPLS:
            ap.error('--impls: %s is not one of %s' % (i, ', '.join(IMPLS)))

    with open('/proc/cpuinfo') as f:
        model = next((l.split(':', 1)[1].strip() for l in f if l.startswith('model name')), '?')
    results = dict(date=stamp, cpu=model, cores=os.cpu_count(), seeds=seeds,
                   epochs=args.epochs, max_load=args.max_load, runs=[])
    with tempfile.TemporaryDirectory(prefix='lt-accuracy-') as tmp:
        root = torch_root(tmp)
        for k, seed in enumerate(seeds):
            order = impls[k % len(impls):] + impls[:k % len(impls)]
            for n, impl in enumerate(order):
                load, waited = wait_quiet(args.max_load, args.max_wait)
                print('# seed %d, %s: load %.2f (waited %.0f s)' % (seed, impl, load, waited),
                      file=sys.stderr, flush=True)
                if impl == 'lt':
                    r = run_lt(args.build, seed, args.epochs, tmp)
                else:
                    r = run_torch(impl, seed, args.epochs, root)
                r.update(order=n + 1, load_before=load, waited_s=waited,
                         load_after=loadavg())
                print('# %s seed %d: accuracy %.2f %%, training s/epoch %s, cpu/wall %.2f'
                      % (impl, seed, r['accuracy'],
                         ' '.join('%.2f' % e['train_s'] for e in r['epochs']),
                         r['cpu_per_wall']), file=sys.stderr, flush=True)
                results['runs'].append(r)
                with open(output + '.part', 'w') as f:
                    json.dump(results, f, indent=1)
                os.replace(output + '.part', output)
    for seed in seeds:
        write_csv(results, '%s-seed%d.csv' % (base, seed), seed)
    draw(results, png)
    print(report(results))
    print('\nwrote %s, %s-seed*.csv, %s' % (output, base, png))


if __name__ == '__main__':
    main()
