#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""lt-train under mpirun (on small CIFAR-10 files from
tests/make-train-fixtures.py):

- rank 0 prints the tutorial's lines and the per-process and global batch;
  the other ranks print nothing on stdout; rank 0 alone writes the
  checkpoint;
- a distributed run of 2 epochs stopped after the first and resumed from
  its checkpoint (every rank reads it) ends with the same checkpoint, bit
  for bit, as a run of 2 epochs without a stop, on 2 ranks and on 3;
- a checkpoint that some ranks do not see (nodes without a shared file
  system) makes every rank refuse to start;
- a rank killed (SIGKILL) in the middle of training: every other rank ends
  with an error naming it (rank and pid) within --timeout, and the last
  checkpoint loads (a run resumes from it).

Usage: test-dist-lt-train.py MPIRUN LT_TRAIN FIXTURE_SCRIPT
Prints TAP.
"""

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import traceback

MPIRUN, LT_TRAIN, FIXTURES = (os.path.abspath(a) for a in sys.argv[1:4])
tmp = tempfile.mkdtemp(prefix='lt-dist-train-')
results = []


def env():
    e = dict(os.environ)
    e['LC_ALL'] = 'C.UTF-8'
    e.pop('LANGUAGE', None)
    e['LT_CIFAR10_URL'] = 'http://127.0.0.1:9/cifar-10-binary.tar.gz'
    e['LT_FASHION_MNIST_ROOT'] = os.path.join(tmp, 'no-fashion-mnist-here')
    return e


def mpirun_cmd(np_, outputs, recovery=False):
    cmd = [MPIRUN, '-np', str(np_), '--bind-to', 'none', '--output-filename', outputs + ':nocopy']
    if np_ > (os.cpu_count() or 1):
        cmd.append('--oversubscribe')
    if os.geteuid() == 0:
        cmd.append('--allow-run-as-root')
    if recovery:
        cmd.append('--enable-recovery')
    return cmd


def rank_output(outputs, r, stream):
    for root, _dirs, files in os.walk(outputs):
        if os.path.basename(root) == 'rank.%d' % r and stream in files:
            with open(os.path.join(root, stream), errors='replace') as f:
                return f.read()
    return ''


def run(np_, args, name, recovery=False):
    outputs = os.path.join(tmp, 'out-' + name)
    proc = subprocess.run(mpirun_cmd(np_, outputs, recovery) + [LT_TRAIN] + args, env=env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=240)
    out = [(rank_output(outputs, r, 'stdout'), rank_output(outputs, r, 'stderr'))
           for r in range(np_)]
    return proc.returncode, proc.stdout.decode(errors='replace'), out


def dump(out):
    for r, (o, e) in enumerate(out):
        print('# ---- rank %d stdout ----\n# ' % r + o.replace('\n', '\n# '))
        print('# ---- rank %d stderr ----\n# ' % r + e.replace('\n', '\n# '))


def tensors(path):
    """A safetensors file's tensors: name -> (dtype, shape, bytes)."""
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n])
    body = blob[8 + n:]
    return {k: (v['dtype'], v['shape'], body[v['data_offsets'][0]:v['data_offsets'][1]])
            for k, v in header.items() if k != '__metadata__'}


def check(name, fn):
    try:
        fn()
        results.append((True, name, ''))
    except Exception:  # noqa: BLE001 - every failure is reported
        results.append((False, name, traceback.format_exc()))


def data(name, per_batch):
    d = os.path.join(tmp, name)
    subprocess.run([sys.executable, FIXTURES, '--cifar', d, '--train', str(per_batch),
                    '--test', '20'], check=True)
    return d


SMALL = None


def test_output_and_resume(np_):
    d = SMALL
    common = ['--data', d, '-b', '4', '-w', '0', '--log-interval', '2', '-s', '3']
    whole = os.path.join(tmp, 'whole-%d.safetensors' % np_)
    rc, launcher, out = run(np_, common + ['-e', '2', '-c', whole], 'whole-%d' % np_)
    if rc != 0:
        dump(out)
        raise AssertionError('mpirun exited with %d: %s' % (rc, launcher))
    o0, e0 = out[0]
    assert 'Finished Training' in o0 and 'Accuracy of the network on the 20 test images' in o0
    want = 'Distributed over %d processes: 4 images per process and mini-batch, a global ' \
           'batch of %d' % (np_, 4 * np_)
    assert want in e0, e0
    # 40 images: each rank reads ceil(40 / np) of them an epoch
    per_rank = -(-40 // np_)
    last = (per_rank + 3) // 4
    assert '[2, %5d] loss:' % (last - last % 2) in o0, o0
    for r in range(1, np_):
        assert out[r][0] == '', 'rank %d printed on stdout: %r' % (r, out[r][0])
        assert 'Training on' not in out[r][1], out[r][1]

    part = os.path.join(tmp, 'part-%d.safetensors' % np_)
    rc, launcher, out = run(np_, common + ['-e', '1', '-c', part], 'first-%d' % np_)
    assert rc == 0, launcher
    rc, launcher, out = run(np_, common + ['-e', '2', '-c', part, '--resume'],
                            'resumed-%d' % np_)
    if rc != 0:
        dump(out)
        raise AssertionError('the resumed run failed: %s' % launcher)
    assert 'Resuming from %s: epoch 2, after mini-batch 0' % part in out[0][1], out[0][1]
    a, b = tensors(whole), tensors(part)
    assert sorted(a) == sorted(b), (sorted(a), sorted(b))
    assert any(k.startswith('model.module.') for k in a), sorted(a)
    for k in a:
        assert a[k] == b[k], '%s differs between the resumed and the whole run' % k


def test_checkpoint_not_everywhere():
    # A checkpoint that rank 1 does not see (as on nodes that share no
    # file system; here, mpirun's MPMD form gives it another path): both
    # ranks refuse to start rather than train different models.
    d = SMALL
    ck = os.path.join(tmp, 'only-rank0.safetensors')
    common = ['--data', d, '-b', '4', '-w', '0', '-e', '1', '--resume']
    rc, launcher, out = run(2, common + ['-c', ck], 'make-only-rank0')
    assert rc == 0 and os.path.exists(ck), launcher
    outputs = os.path.join(tmp, 'out-not-everywhere')
    cmd = mpirun_cmd(1, outputs)
    cmd += [LT_TRAIN] + common + ['-e', '2', '-c', ck, ':', '-np', '1', LT_TRAIN] + common + \
        ['-e', '2', '-c', os.path.join(tmp, 'nowhere.safetensors')]
    proc = subprocess.run(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=120)
    out = [(rank_output(outputs, r, 'stdout'), rank_output(outputs, r, 'stderr'))
           for r in range(2)]
    assert proc.returncode != 0, 'mpirun succeeded'
    for r in range(2):
        e = out[r][1]
        if 'lt-train: --resume: the processes would start at different steps' not in e or \
                'is missing or differs on some of them' not in e:
            dump(out)
            raise AssertionError('rank %d did not refuse' % r)
        assert 'Finished Training' not in out[r][0], out[r][0]


def rank_pids(mpirun_pid):
    """The ranks' pids by rank: mpirun's children, by OMPI_COMM_WORLD_RANK."""
    pids = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                ppid = int(f.read().rsplit(')', 1)[1].split()[1])
            if ppid != mpirun_pid:
                continue
            with open('/proc/%s/environ' % entry, 'rb') as f:
                for var in f.read().split(b'\0'):
                    if var.startswith(b'OMPI_COMM_WORLD_RANK='):
                        pids[int(var.split(b'=')[1])] = int(entry)
        except (OSError, ValueError, IndexError):
            pass
    return pids


def test_killed_rank():
    np_, victim = 3, 1
    d = data('big', 200)            # 1000 images: 84 mini-batches per rank and epoch
    ck = os.path.join(tmp, 'killed.safetensors')
    outputs = os.path.join(tmp, 'out-killed')
    cmd = mpirun_cmd(np_, outputs, recovery=True) + [
        LT_TRAIN, '--data', d, '-b', '4', '-w', '0', '-e', '1000', '-c', ck, '--timeout', '30']
    proc = subprocess.Popen(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not os.path.exists(ck) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert os.path.exists(ck), 'no checkpoint after the first epoch'
        pids = rank_pids(proc.pid)
        assert sorted(pids) == list(range(np_)), pids
        os.kill(pids[victim], 9)
        killed_at = time.monotonic()
        launcher = proc.communicate(timeout=90)[0].decode(errors='replace')
        elapsed = time.monotonic() - killed_at
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = [(rank_output(outputs, r, 'stdout'), rank_output(outputs, r, 'stderr'))
           for r in range(np_)]
    for r in range(np_):
        if r == victim:
            continue
        e = out[r][1]
        if 'rank %d' % victim not in e or 'pid %d' % pids[victim] not in e:
            dump(out)
            raise AssertionError('rank %d did not name the lost rank %d (pid %d): %s'
                                 % (r, victim, pids[victim], launcher))
        assert 'lt-train: training failed: ' in e, e
        print('# rank %d, %.1f s after the kill: %s' % (r, elapsed, e.strip().splitlines()[-1]))
    # the survivors ended well within the timeout (a loose bound: no hang)
    assert elapsed < 60, elapsed
    # the last checkpoint loads: a run resumes from it (and, its epochs
    # done, evaluates and ends)
    rc, launcher, out2 = run(2, ['--data', d, '-b', '4', '-w', '0', '-e', '1', '-c', ck,
                                 '--resume'], 'after-kill')
    if rc != 0:
        dump(out2)
        raise AssertionError('resuming from the checkpoint failed: %s' % launcher)
    assert 'Resuming from %s' % ck in out2[0][1], out2[0][1]
    assert 'Finished Training' in out2[0][0], out2[0][0]


def main():
    global SMALL
    try:
        SMALL = data('small', 8)
        check('rank 0 prints, resuming continues exactly (2 ranks)',
              lambda: test_output_and_resume(2))
        check('rank 0 prints, resuming continues exactly (3 ranks)',
              lambda: test_output_and_resume(3))
        check('a checkpoint some ranks do not see is refused by all',
              test_checkpoint_not_everywhere)
        check('a rank killed mid-training is named by the others; the checkpoint loads',
              test_killed_rank)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print('1..%d' % len(results))
    for i, (ok, name, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, name))
        if detail:
            print('# ' + detail.replace('\n', '\n# '))
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
