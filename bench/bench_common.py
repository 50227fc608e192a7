# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python benchmark scripts in bench/ share: the machine's
description, the environment that runs a build's library, running a
benchmark program that prints JSON lines, and the median [min-max]
summaries of repeated measurements.

The tutorial's network itself comes from examples/tutorial_net.py
(tutorial_net() below), as in the examples and the tests.
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


def tutorial_net() -> ModuleType:
    """examples/tutorial_net.py: the tutorial's networks on torch or Lt."""
    examples = os.path.join(SOURCE_ROOT, 'examples')
    if examples not in sys.path:
        sys.path.insert(0, examples)
    return importlib.import_module('tutorial_net')
