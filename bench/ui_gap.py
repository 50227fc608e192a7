#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How long lt-viewer's main loop waits at most while training runs.

Runs the viewer's responsiveness test (`test-lt-viewer -p
/viewer/train/responsive`, through `meson test` so that it gets its
display, fixtures and settings) several times and prints the longest gap
between the ticks of a 5 ms main-loop timer during two seconds of
training with the views switching, with and without the time other
processes held the CPUs (the test's UiGapMeter), as the median
[min-max] over the runs. The goal is 50 ms.

    /usr/bin/python3 bench/ui_gap.py BUILD --runs 5
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

GAP = re.compile(r'(\d+) ticks, longest gap ([\d.]+) ms \(([\d.]+) ms without waiting for a CPU\)')


def one_run(build, setup):
    cmd = ['meson', 'test', '-C', build, '--verbose', '--test-args=-p /viewer/train/responsive']
    if setup:
        cmd += ['--setup', setup]
    cmd.append('test-lt-viewer')
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    m = GAP.search(out.stdout + out.stderr)
    if out.returncode != 0 or m is None:
        sys.exit('the responsiveness test failed or printed no gap:\n' + out.stdout[-2000:] + out.stderr[-2000:])
    return int(m.group(1)), float(m.group(2)), float(m.group(3))


def cell(values):
    return '%.1f [%.1f-%.1f]' % (statistics.median(values), min(values), max(values))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('build')
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--setup', default='', help="meson test setup, e.g. 'headless'")
    args = p.parse_args()
    runs = [one_run(args.build, args.setup) for _ in range(args.runs)]
    print('load average before the last run: %.2f' % os.getloadavg()[0])
    print('| runs | ticks | longest gap ms | without waiting for a CPU ms | goal ms |')
    print('|---|---|---|---|---|')
    print('| %d | %s | %s | %s | 50 |' % (len(runs), cell([r[0] for r in runs]),
                                          cell([r[1] for r in runs]), cell([r[2] for r in runs])))


if __name__ == '__main__':
    main()
