#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The workloads of bench-ops.c in PyTorch, plus the per-op overhead of
libtensor called from Python through GObject-Introspection.

  mm    float32 squares: GFLOP/s of torch.mm
  ew    add, mul, relu and the full sum over float32 tensors, contiguous and
        transposed (the input is the .t() of a 2-D tensor), in GB/s counted as
        bench-ops.c counts them (add, mul: 12 bytes per element; relu: 8;
        sum: 4)
  mix   x + y over 1e6 elements followed by a 256 x 256 mm, repeated
  tiny  2 x 2 `x + y` in torch, and `x.add(y)` on Lt tensors through
        gi.repository.Lt (needs GI_TYPELIB_PATH and LD_LIBRARY_PATH pointing at
        a build's libtensor/ folder; skipped with a note otherwise)
  tinypy  2 x 2 `x + y` on Lt tensors through the Python overrides
        (gi/overrides/Lt.py, found when PYTHONPATH holds the source root):
        `lt-pyc` with the overrides' C methods (gi/overrides/_lt/_fast, found
        when PYTHONPATH also holds the build root), `lt-py` with the pure-Python
        method put back on the class for the measurement
  tinyops  more per-op overheads through the overrides (x * 2.0, x + 1, -x,
        x[1], item()), lt-pyc, lt-py and torch, one thread

--clock cpu times the tiny benches by the calling thread's CPU time
(CLOCK_THREAD_CPUTIME_ID), which other processes on a loaded machine do not
inflate; the default, wall, by time.perf_counter.

Threads: torch.set_num_threads(n) for each n. PyTorch 1.13 from Debian links
OpenBLAS through the generic BLAS interface, and set_num_threads() does not
reach OpenBLAS: its mm uses OpenBLAS's own thread count whatever n is. The
`cpu_per_wall` field of each record (process CPU time over wall time while
measuring) shows how many cores were actually kept busy.

Output: one JSON object per line on stdout, then a table whose lines begin
with '#'. Run with /usr/bin/python3.
"""

import argparse
import json
import statistics
import sys
import time

import torch


MIN_TIME = 0.25
RECORDS = []


CPU_PER_WALL = [0.0]


TINY_CLOCK = [time.perf_counter]


def measure(fn, warmup=2, min_calls=5, min_time=None, clock=time.perf_counter):
    """Median and minimum seconds per call of fn() by `clock`, after
    warm-up calls. Also keeps the process CPU time over the wall time of the
    timed calls (how many cores were busy, spinning threads included)."""
    min_time = MIN_TIME if min_time is None else min_time
    for _ in range(warmup):
        fn()
    times = []
    cpu0 = time.process_time()
    start = time.perf_counter()
    while (time.perf_counter() - start < min_time or len(times) < min_calls) and len(times) < 100000:
        t0 = clock()
        fn()
        times.append(clock() - t0)
    CPU_PER_WALL[0] = (time.process_time() - cpu0) / (time.perf_counter() - start)
    return statistics.median(times), min(times), len(times)


def emit(impl, bench, op, n, layout, threads, unit, value, median_s, min_s, calls, **extra):
    rec = dict(suite='py', impl=impl, bench=bench, op=op, n=n, layout=layout,
               threads=threads, unit=unit, value=value, median_s=median_s,
               min_s=min_s, cpu_per_wall=CPU_PER_WALL[0], calls=calls)
    rec.update(extra)
    RECORDS.append(rec)
    print(json.dumps(rec), flush=True)


def bench_mm(threads, quick):
    sizes = [64, 128, 256, 512, 1024, 2048]
    if quick:
        sizes = sizes[:5]
    torch.manual_seed(0)
    for n in sizes:
        a = torch.rand(n, n)
        b = torch.rand(n, n)
        flop = 2.0 * n ** 3
        for t in threads:
            torch.set_num_threads(t)
            torch.mm(a, b)
            med, mn, calls = measure(lambda: torch.mm(a, b), warmup=1, min_calls=3)
            emit('torch', 'mm', 'mm', n, 'contiguous', t, 'GFLOP/s', flop / med * 1e-9,
                 med, mn, calls)


def ew_bytes(op, n):
    return {'add': 12.0, 'mul': 12.0, 'relu': 8.0, 'sum': 4.0}[op] * n


def bench_ew(threads, quick):
    dims = [(1000, 1000), (2000, 5000)]
    ops = {
        'add': lambda x, y: x + y,
        'mul': lambda x, y: x * y,
        'relu': lambda x, y: torch.relu(x),
        'sum': lambda x, y: x.sum(),
    }
    torch.manual_seed(0)
    for rows, cols in dims:
        for transposed in (False, True):
            n = rows * cols
            bx = torch.rand(rows, cols)
            by = torch.rand(rows, cols)
            x = bx.t() if transposed else bx
            y = by.t() if transposed else by
            for t in threads:
                torch.set_num_threads(t)
                for name, fn in ops.items():
                    med, mn, calls = measure(lambda: fn(x, y), min_calls=3 if quick else 5)
                    emit('torch', 'ew', name, n, 'transposed' if transposed else 'contiguous',
                         t, 'GB/s', ew_bytes(name, n) / med * 1e-9, med, mn, calls)


def bench_mix(threads):
    torch.manual_seed(0)
    x, y = torch.rand(1000, 1000), torch.rand(1000, 1000)
    a, b = torch.rand(256, 256), torch.rand(256, 256)

    def run():
        for _ in range(4):
            x + y
            torch.mm(a, b)

    for t in threads:
        torch.set_num_threads(t)
        med, mn, calls = measure(run)
        emit('torch', 'mix', 'add+mm', 1000000, 'contiguous', t, 'rounds/s', 4.0 / med,
             med, mn, calls)


TINY_BATCH = 1000


def tiny(impl, x, y, fn, t, op='add'):
    def run():
        for _ in range(TINY_BATCH):
            fn(x, y)

    med, mn, calls = measure(run, warmup=20, min_calls=200, clock=TINY_CLOCK[0])
    emit(impl, 'tiny', op, 4, 'contiguous', t, 'ns', med / TINY_BATCH * 1e9,
         med / TINY_BATCH, mn / TINY_BATCH, calls * TINY_BATCH)


def import_lt():
    try:
        import gi
        gi.require_version('Lt', '1.0')
        from gi.repository import Lt
        return Lt
    except (ImportError, ValueError) as e:
        print('# note: gi.repository.Lt not found (%s); set GI_TYPELIB_PATH and '
              'LD_LIBRARY_PATH to a build\'s libtensor/ folder' % e, flush=True)
        return None


def lt_pair(Lt):
    return (Lt.Tensor.new_from_doubles([0.1, 0.2, 0.3, 0.4], [2, 2], Lt.DType.FLOAT32),
            Lt.Tensor.new_from_doubles([0.5, 0.6, 0.7, 0.8], [2, 2], Lt.DType.FLOAT32))


def bench_tiny(threads):
    torch.manual_seed(0)
    tx, ty = torch.rand(2, 2), torch.rand(2, 2)
    Lt = import_lt()
    if Lt is not None:
        lx, ly = lt_pair(Lt)
    for t in threads:
        torch.set_num_threads(t)
        tiny('torch', tx, ty, lambda a, b: a + b, t)
        if Lt is not None:
            Lt.set_num_threads(t)
            tiny('lt-gi', lx, ly, lambda a, b: a.add(b), t)


def bench_tiny_overrides(threads):
    Lt = import_lt()
    if Lt is None:
        return
    lx, ly = lt_pair(Lt)
    if not hasattr(type(lx), '__add__'):
        print('# note: the Python overrides of Lt are not loaded (put the source root in '
              'PYTHONPATH); no `x + y` measurement', flush=True)
        return
    overrides = sys.modules['gi.overrides.Lt']
    cls = type(lx)
    fast_add = cls.__dict__['__add__']
    python_add = getattr(overrides, '_python_methods', {}).get('__add__')
    if python_add is None:
        print('# note: the overrides\' C methods are not loaded (build gi/overrides/_lt/_fast '
              'and put the build root in PYTHONPATH, and unset LT_PYTHON_NO_FAST); no lt-pyc '
              'measurement', flush=True)
    for t in threads:
        Lt.set_num_threads(t)
        if python_add is None:
            tiny('lt-py', lx, ly, lambda a, b: a + b, t)
            continue
        tiny('lt-pyc', lx, ly, lambda a, b: a + b, t)
        cls.__add__ = python_add
        try:
            tiny('lt-py', lx, ly, lambda a, b: a + b, t)
        finally:
            cls.__add__ = fast_add


def bench_tiny_ops(threads):
    """More per-op overheads through the overrides, each by the C methods
    (lt-pyc), by the Python methods put back on the class (lt-py) and in
    torch, one thread: x * 2.0, x + 1, -x, x[1] and item()."""
    Lt = import_lt()
    if Lt is None:
        return
    overrides = sys.modules.get('gi.overrides.Lt')
    python = getattr(overrides, '_python_methods', {})
    cls = Lt.Tensor
    fast = {name: cls.__dict__[name] for name in python}
    lx, _ = lt_pair(Lt)
    ls = Lt.Tensor.new_from_doubles([1.5], [], Lt.DType.FLOAT32)
    tx, ts = torch.rand(2, 2), torch.tensor(1.5)
    cases = [('mul2.0', lambda a, b: a * 2.0, lx, tx), ('add1', lambda a, b: a + 1, lx, tx),
             ('neg', lambda a, b: -a, lx, tx), ('index1', lambda a, b: a[1], lx, tx),
             ('item', lambda a, b: a.item(), ls, ts)]
    torch.set_num_threads(1)
    Lt.set_num_threads(1)
    for op, fn, lt_in, torch_in in cases:
        tiny('torch', torch_in, None, fn, 1, op)
        if not python:
            tiny('lt-py', lt_in, None, fn, 1, op)
            continue
        tiny('lt-pyc', lt_in, None, fn, 1, op)
        for name, method in python.items():
            setattr(cls, name, method)
        try:
            tiny('lt-py', lt_in, None, fn, 1, op)
        finally:
            for name, method in fast.items():
                setattr(cls, name, method)


def print_table():
    print('# %-6s %-5s %-6s %9s %-11s %3s %12s %-9s %7s %5s' %
          ('impl', 'bench', 'op', 'n', 'layout', 'thr', 'value', 'unit', 'calls', 'cpu/w'))
    for r in RECORDS:
        print('# %-6s %-5s %-6s %9d %-11s %3d %12.4g %-9s %7d %5.2f' %
              (r['impl'], r['bench'], r['op'], r['n'], r['layout'], r['threads'],
               r['value'], r['unit'], r['calls'], r['cpu_per_wall']))


def main():
    global MIN_TIME
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--only', default='mm,ew,mix,tiny',
                   help='comma-separated benches (mm,ew,mix,tiny)')
    p.add_argument('--threads', default='1,2', help='comma-separated thread counts')
    p.add_argument('--min-time', type=float, default=MIN_TIME,
                   help='seconds per measurement')
    p.add_argument('--quick', action='store_true', help='a smoke run')
    p.add_argument('--clock', choices=('wall', 'cpu'), default='wall',
                   help='what times the tiny benches: wall time or this thread\'s CPU time')
    args = p.parse_args()
    TINY_CLOCK[0] = time.thread_time if args.clock == 'cpu' else time.perf_counter
    MIN_TIME = min(args.min_time, 0.05) if args.quick else args.min_time
    threads = [max(int(t), 1) for t in args.threads.split(',')]
    only = args.only.split(',')

    print('# torch %s, default threads %d, %s' %
          (torch.__version__, torch.get_num_threads(), sys.version.split()[0]), flush=True)
    if 'tiny' in only:
        bench_tiny(threads)
    if 'tinypy' in only:
        bench_tiny_overrides(threads)
    if 'tinyops' in only:
        bench_tiny_ops(threads)
    if 'ew' in only:
        bench_ew(threads, args.quick)
    if 'mix' in only:
        bench_mix(threads)
    if 'mm' in only:
        bench_mm(threads, args.quick)
    print_table()


if __name__ == '__main__':
    main()
