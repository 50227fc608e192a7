# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python benchmark scripts in bench/ share: the machine's
description, the environment that runs a build's library, running a
benchmark program that prints JSON lines, and the median [min-max]
summaries of repeated measurements.

The tutorial's network itself comes from examples/tutorial_net.py
(tutorial_net() below), as in the examples and the tests.

StepFlops counts the floating-point work of a training step from the
layer shapes, and peak_gflops() runs bench-peak for the FMA peak the step
rates are divided by (bench/README.md, "FMA peak").
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from types import ModuleType
from typing import Any, Callable, Iterable

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The thread counts each side sets itself: none from the caller's environment.
THREAD_VARIABLES = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'LT_NUM_THREADS',
                    'MKL_NUM_THREADS')


def cpu_model() -> str:
    """The processor's model name, from /proc/cpuinfo."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def build_type(build: str) -> str:
    """The meson buildtype of the build folder `build`."""
    try:
        with open(os.path.join(build, 'meson-info', 'intro-buildoptions.json')) as f:
            for opt in json.load(f):
                if opt['name'] == 'buildtype':
                    return opt['value']
    except (OSError, ValueError, KeyError):
        pass
    return 'unknown'


def build_env(build: str, overrides: bool = True) -> dict[str, str]:
    """The environment of a program that uses the library and typelib of
    the build folder `build`, with no thread counts from the caller; with
    `overrides`, Python finds the source tree's overrides and the build's
    C methods for them, gi/overrides/_lt/_fast (PYTHONPATH), without, no
    PYTHONPATH at all (the bare introspected API)."""
    libdir = os.path.join(os.path.abspath(build), 'libtensor')
    env = dict(os.environ)
    for var in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH'):
        env[var] = libdir + (':' + env[var] if env.get(var) else '')
    if overrides:
        env['PYTHONPATH'] = SOURCE_ROOT + os.pathsep + os.path.abspath(build)
    else:
        env.pop('PYTHONPATH', None)
    for var in THREAD_VARIABLES:
        env.pop(var, None)
    return env


def reexec_with(build: str) -> None:
    """Runs the calling script again in build_env(build), once."""
    if os.environ.get('LT_BENCH_CHILD') == '1':
        return
    env = build_env(build)
    env['LT_BENCH_CHILD'] = '1'
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def run_json_lines(name: str, cmd: list[str], env: dict[str, str], rep: int,
                   log: Callable[[str], Any], notes: set[str] | None = None) -> list[dict]:
    """Runs a benchmark program that prints one JSON record a line; returns
    the records, each with its repetition number. Lines "# note ..." go to
    `notes` (or to `log`). A failing program ends the script."""
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit('%s: %s failed with status %d'
                 % (os.path.basename(sys.argv[0]), ' '.join(cmd), proc.returncode))
    recs = []
    for line in proc.stdout.splitlines():
        if line.startswith('{'):
            r = json.loads(line)
            r['rep'] = rep
            recs.append(r)
        elif line.startswith('# note'):
            if notes is None:
                log(line)
            else:
                notes.add(line[len('# note '):])
    log('  rep %d: %s: %d records in %.0f s' % (rep, name, len(recs), time.time() - t0))
    return recs


def stats(values: Iterable[float | None]) -> tuple[float, float, float] | None:
    """(median, min, max) of the values that are not None, or None."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def fmt(s: tuple[float, float, float] | None, digits: int = 3) -> str:
    """A stats() triple as "median [min-max]" with `digits` significant
    digits ("-" for None)."""
    if s is None:
        return '-'
    med, lo, hi = s

    def f(v):
        if abs(v) >= 10 ** digits:
            return '%.0f' % v
        return ('%.' + str(digits) + 'g') % v
    return '%s [%s-%s]' % (f(med), f(lo), f(hi))


class StepFlops:
    """The floating-point operations of one training step (forward and
    backward) of a network, counted from its layer shapes, layer by layer
    in the order of the forward pass.

    Convention: a product of M multiply-adds (a convolution: N x Cout x
    OH x OW x Cin/groups x kH x kW; a linear layer: rows x in x out; an
    LSTM layer: steps x batch x 4 hidden x (in + hidden), its input and its
    recurrent product) costs 2 M in the forward pass and 2 M for each of
    the two backward products, the gradient of the weight and the gradient
    of the input, less the latter where the input needs none (the first
    layer on the data): 6 M, or 4 M. Elementwise work (biases, activations,
    BatchNorm, pooling, the loss, the optimizer) and gathers (Embedding)
    are left out: they are a few percent of the total for these networks
    and run at memory speed, not at the FMA peak.
    """

    def __init__(self, batch: int):
        self.batch = batch
        self.forward = 0
        self.backward = 0

    @property
    def total(self) -> int:
        return self.forward + self.backward

    def product(self, macs: int, input_grad: bool = True) -> None:
        """A product of `macs` multiply-adds; `input_grad`: its input
        needs a gradient."""
        self.forward += 2 * macs
        self.backward += (4 if input_grad else 2) * macs

    def conv2d(self, cin: int, cout: int, k: int, size: int, stride: int = 1,
               padding: int = 0, groups: int = 1, input_grad: bool = True) -> int:
        """A square convolution on `size` x `size` images; returns the
        output's size."""
        out = (size + 2 * padding - k) // stride + 1
        self.product(self.batch * cout * out * out * (cin // groups) * k * k, input_grad)
        return out

    def linear(self, fin: int, fout: int, rows: int = 1, input_grad: bool = True) -> None:
        """A linear layer on `rows` rows per item of the batch."""
        self.product(self.batch * rows * fin * fout, input_grad)

    def lstm(self, fin: int, hidden: int, layers: int, steps: int,
             input_grad: bool = True) -> None:
        """A stacked LSTM over `steps` steps: per layer and step, the input
        product (4 hidden x in) and the recurrent one (4 hidden x hidden)."""
        for layer in range(layers):
            self.product(steps * self.batch * 4 * hidden * (fin if layer == 0 else hidden),
                         input_grad or layer > 0)
            self.product(steps * self.batch * 4 * hidden * hidden)


def tutorial_flops(batch: int) -> StepFlops:
    """The training step of the tutorial's CIFAR-10 network
    (examples/tutorial_net.py classifier_net: 3x32x32 images)."""
    f = StepFlops(batch)
    size = f.conv2d(3, 6, 5, 32, input_grad=False) // 2   # conv1, pool
    size = f.conv2d(6, 16, 5, size) // 2                   # conv2, pool
    f.linear(16 * size * size, 120)
    f.linear(120, 84)
    f.linear(84, 10)
    return f


def peak_gflops(build: str, threads: Iterable[int]) -> dict[int, dict]:
    """Runs BUILD/bench/bench-peak once for the thread counts `threads`;
    returns, per thread count, its record of the widest instruction set
    (bench-peak.c), with "peak_gflops": the thread count times the peak of
    one core (its work over its own CPU time, what other processes on the
    cores do not change) and "per_core_gflops" that peak. {} without the
    program."""
    exe = os.path.join(build, 'bench', 'bench-peak')
    threads = sorted(set(threads))
    if not os.access(exe, os.X_OK) or not threads:
        return {}
    out = subprocess.run([exe, '--threads=' + ','.join(map(str, threads))], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    peaks = {}
    for line in out.splitlines():
        if line.startswith('{'):
            r = json.loads(line)
            if r['widest']:
                r['per_core_gflops'] = r['gflops_per_core_cpu']
                r['peak_gflops'] = r['threads'] * r['gflops_per_core_cpu']
                peaks[r['threads']] = r
    return peaks


def flop_rates(flops: float, median_s: float, cpu_s: float, peak: dict | None) -> dict:
    """A step of `flops` operations that took `median_s` seconds and
    `cpu_s` seconds of process CPU time: its GFLOP/s, its share of the FMA
    peak of its thread count (`peak`, a peak_gflops() record) by wall time,
    and the share of one core's peak each busy core-second reaches (by CPU
    time: what other processes on the cores change least)."""
    r = dict(step_gflop=flops * 1e-9,
             step_gflops=flops / median_s * 1e-9 if median_s > 0 else None)
    if peak and r['step_gflops'] is not None:
        r['peak_share'] = r['step_gflops'] / peak['peak_gflops']
        r['peak_share_cpu'] = (flops / cpu_s * 1e-9 / peak['per_core_gflops']
                               if cpu_s > 0 else None)
    return r


def add_flop_rates(records: Iterable[dict], flops_of: Callable[[dict], float | None],
                   peaks: dict[int, dict]) -> None:
    """Adds flop_rates() to every record (with "median_s", "cpu_median_s"
    and "threads") whose work flops_of(record) counts (None: not a
    step)."""
    for r in records:
        flops = flops_of(r)
        if flops:
            r.update(flop_rates(flops, r['median_s'], r['cpu_median_s'], peaks.get(r['threads'])))


def share(records: Iterable[dict], field: str) -> str:
    """The records' `field` (a share of the peak) as percent, "median
    [min-max]"."""
    return fmt(stats(r[field] * 100 if r.get(field) is not None else None for r in records))


def peak_line(peaks: dict[int, dict]) -> str:
    """One line naming the FMA peak the shares are of."""
    if not peaks:
        return 'FMA peak: not measured (no step rows, or no bench/bench-peak in the build)'
    any_r = next(iter(peaks.values()))
    return ('FMA peak (bench-peak, float32 %s, %d lanes, work over CPU time): %s; '
            'shares by wall time are of the peak of the row\'s thread count, shares by CPU '
            'time of one core\'s peak'
            % (any_r['isa'], any_r['lanes'],
               ', '.join('%d thread%s %.0f GFLOP/s' % (t, 's' if t > 1 else '', r['peak_gflops'])
                         for t, r in sorted(peaks.items()))))


def tutorial_net() -> ModuleType:
    """examples/tutorial_net.py: the tutorial's networks on torch or Lt."""
    examples = os.path.join(SOURCE_ROOT, 'examples')
    if examples not in sys.path:
        sys.path.insert(0, examples)
    return importlib.import_module('tutorial_net')
