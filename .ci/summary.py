#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sums meson's test logs for .ci/run and closes with "N passed, N failed".

    summary.py [--failed WHAT]... LOG.json...

Every test in the logs counts once per log (a test run in two setups counts
twice); a test skipped as a whole is neither passed nor failed. Each --failed WHAT is a step that failed outside meson's tests (a
build, the format check) and counts as one failure.

Skips: a test may skip only for absent hardware, a GPU or a display. A
skip is reported by a line holding `# SKIP <kind>: <reason>` (GLib's TAP
output of g_test_skip, the Python tests' harness.py, or a test that prints
it and exits 77), and its kind must be `GPU` or `display`. Any other skip
fails: one with another reason, a test meson marks skipped without such a
line, and unittest skips beyond the lines printed ("OK (skipped=N)").
"""

import argparse
import collections
import json
import re
import sys

ALLOWED_KINDS = ('GPU', 'display')
SKIP_LINE = re.compile(r'#\s*SKIP\b:?\s*(.*)$', re.IGNORECASE)
UNITTEST_SKIPPED = re.compile(r'^(?:OK|FAILED) \(.*\bskipped=(\d+)', re.MULTILINE)


def skips_of(record):
    """The reasons of the skips one test reported, and how many skips it
    made without a reason line."""
    out = (record.get('stdout') or '') + '\n' + (record.get('stderr') or '')
    reasons = []
    for line in out.splitlines():
        m = SKIP_LINE.search(line)
        if m:
            reasons.append(m.group(1).strip())
    unexplained = 0
    if record.get('result') == 'SKIP' and not reasons:
        unexplained = 1
    for m in UNITTEST_SKIPPED.finditer(out):
        unexplained += max(0, int(m.group(1)) - len(reasons))
    return reasons, unexplained


def allowed(reason):
    kind = reason.split(':', 1)[0].strip()
    return ':' in reason and kind in ALLOWED_KINDS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--failed', action='append', default=[],
                    help='a step that failed outside the test logs')
    ap.add_argument('logs', nargs='*')
    args = ap.parse_args()

    passed = failed = 0
    skip_kinds = collections.Counter()
    failures = []
    for path in args.logs:
        run = path.split('/')[0]
        try:
            with open(path) as f:
                records = [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            failures.append('%s: no test log (the build or the setup failed)' % path)
            continue
        for r in records:
            name = '%s: %s' % (run, r.get('name'))
            res = r.get('result')
            reasons, unexplained = skips_of(r)
            bad_skip = False
            for reason in reasons:
                if allowed(reason):
                    skip_kinds[reason.split(':', 1)[0].strip()] += 1
                    print('skipped: %s: %s' % (name, reason))
                else:
                    skip_kinds['not allowed'] += 1
                    bad_skip = True
                    failures.append('%s: a skip that is not for a GPU or a display: %s'
                                    % (name, reason))
            if unexplained:
                skip_kinds['not allowed'] += unexplained
                bad_skip = True
                failures.append('%s: %d skip(s) without a "# SKIP GPU: ..." or '
                                '"# SKIP display: ..." line' % (name, unexplained))
            if res not in ('OK', 'EXPECTEDFAIL', 'SKIP'):
                failed += 1
                failures.append('%s (%s)' % (name, res))
            elif bad_skip:
                failed += 1
            elif res != 'SKIP':
                passed += 1
    for what in args.failed:
        failed += 1
        failures.append(what)

    for f in failures:
        print('failed: ' + f)
    n_skips = sum(skip_kinds.values())
    detail = ', '.join('%d %s' % (n, k) for k, n in sorted(skip_kinds.items()))
    print('%d skipped%s' % (n_skips, ' (%s)' % detail if detail else ''))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
