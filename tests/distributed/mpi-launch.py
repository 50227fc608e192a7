#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a test program under mpirun and tells whether every rank passed.

Usage: mpi-launch.py [--recovery] [--expect-lost RANK] MPIRUN NP PROGRAM [ARGS...]

Launches `MPIRUN -np NP PROGRAM ARGS` as the distributed tests need it on
this machine: --oversubscribe when NP exceeds the cores,
--allow-run-as-root when run as root, --bind-to none (the suite's tests
share the cores). Each rank's output goes to its own file and is printed
here, rank by rank, once the job ends.

Every rank reports for itself: the test programs write
$LT_TEST_RESULT_DIR/rank-R.ok when they pass (tests/distributed/
dist-helpers.c), and this script requires one per rank. With --recovery
mpirun gets --enable-recovery, so that the other ranks live on when one
dies, and then exits with 0 whatever the ranks did: the .ok files are the
only verdict. --expect-lost RANK names a rank the test kills: it must not
report, every other rank must.

Exit status: 0 when every expected rank passed, 1 otherwise.
"""

import os
import shutil
import subprocess
import sys
import tempfile


def main(argv):
    recovery = False
    lost = set()
    while argv and argv[0].startswith('--'):
        opt = argv.pop(0)
        if opt == '--recovery':
            recovery = True
        elif opt == '--expect-lost':
            lost.add(int(argv.pop(0)))
        else:
            print('mpi-launch: unknown option %s' % opt, file=sys.stderr)
            return 2
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mpirun, np_, program, args = argv[0], int(argv[1]), argv[2], argv[3:]

    work = tempfile.mkdtemp(prefix='lt-mpi-')
    try:
        results = os.path.join(work, 'results')
        outputs = os.path.join(work, 'out')
        os.mkdir(results)
        cmd = [mpirun, '-np', str(np_), '--bind-to', 'none', '--output-filename', outputs + ':nocopy']
        if np_ > (os.cpu_count() or 1):
            cmd.append('--oversubscribe')
        if os.geteuid() == 0:
            cmd.append('--allow-run-as-root')
        if recovery:
            cmd.append('--enable-recovery')
        env = dict(os.environ)
        env['LT_TEST_RESULT_DIR'] = results
        cmd += [program] + args
        print('# ' + ' '.join(cmd), flush=True)
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        launcher_out = proc.stdout.decode(errors='replace')

        # --output-filename DIR writes DIR/1/rank.R/{stdout,stderr}
        for r in range(np_):
            for stream in ('stdout', 'stderr'):
                path = None
                for root, _dirs, files in os.walk(outputs):
                    if os.path.basename(root) == 'rank.%d' % r and stream in files:
                        path = os.path.join(root, stream)
                if path:
                    with open(path, errors='replace') as f:
                        text = f.read()
                    if text.strip():
                        print('# ---- rank %d %s ----' % (r, stream))
                        sys.stdout.write(text if text.endswith('\n') else text + '\n')
        if launcher_out.strip():
            print('# ---- mpirun ----')
            sys.stdout.write(launcher_out)

        ok = True
        if not recovery and proc.returncode != 0:
            print('mpi-launch: mpirun exited with %d' % proc.returncode)
            ok = False
        for r in range(np_):
            passed = os.path.exists(os.path.join(results, 'rank-%d.ok' % r))
            if r in lost and passed:
                print('mpi-launch: rank %d was to be killed, yet it passed' % r)
                ok = False
            elif r not in lost and not passed:
                print('mpi-launch: rank %d did not pass' % r)
                ok = False
        print('mpi-launch: %s (%d ranks%s)' % ('every rank passed' if ok else 'FAILED', np_,
                                                 ', lost as expected: %s' % sorted(lost)
                                                 if lost else ''))
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
