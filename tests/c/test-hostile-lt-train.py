#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile options and files against the built lt-train, one probe each:
checkpoints and outputs that are folders, empty names, read-only places,
FIFOs, links and devices; data folders that do not exist or hold FIFOs
and empty files; a file size limit; a learning rate that makes the loss
diverge; a second Ctrl-C while a write is blocked. lt-train must say what
is wrong before training when it can, never hang, never destroy a link,
a FIFO or a device, and exit non-zero on failure.

Usage: test-hostile-lt-train.py LT_TRAIN FIXTURE_SCRIPT
Prints TAP.
"""

import array
import fcntl
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import termios
import threading
import time
import traceback

LT_TRAIN, FIXTURES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
NO_NETWORK = 'http://127.0.0.1:9/cifar-10-binary.tar.gz'
WATCHDOG_S = 120

tmp = tempfile.mkdtemp(prefix='lt-hostile-train-')
os.chmod(tmp, 0o755)            # the unprivileged probes read the data too
results = []

LSAN_SUPPRESSIONS = os.path.join(tmp, 'lsan.supp')
with open(LSAN_SUPPRESSIONS, 'w') as f:
    f.write('leak:libfontconfig.so\n')


def env(**extra):
    e = dict(os.environ)
    e['LC_ALL'] = 'C.UTF-8'
    e.pop('LANGUAGE', None)
    e['LT_CIFAR10_URL'] = NO_NETWORK
    e['LT_FASHION_MNIST_ROOT'] = os.path.join(tmp, 'no-fashion-mnist-here')
    e['LSAN_OPTIONS'] = 'suppressions=%s:print_suppressions=0' % LSAN_SUPPRESSIONS
    e.update(extra)
    return e


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def test(fn):
    results.append(fn)
    return fn


def as_nobody():
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)


def lt_train(args, preexec_fn=None, **extra):
    """Runs lt-train; a hang fails the probe (the process is killed)."""
    try:
        return subprocess.run([LT_TRAIN] + args, capture_output=True, text=True,
                              timeout=WATCHDOG_S, env=env(**extra), cwd=tmp,
                              preexec_fn=preexec_fn)
    except subprocess.TimeoutExpired:
        raise AssertionError('lt-train hung (no answer in %d s)' % WATCHDOG_S)


_data = {}


def cifar(name='data'):
    """A small CIFAR-10 folder (40 training images, 10 test images)."""
    if name not in _data:
        root = os.path.join(tmp, name)
        subprocess.run([sys.executable, FIXTURES, '--cifar', root, '--train', '8', '--test',
                        '10'], check=True)
        for dirpath, dirs, files in os.walk(root):
            os.chmod(dirpath, 0o755)
            for f in files:
                os.chmod(os.path.join(dirpath, f), 0o644)
        _data[name] = root
    return _data[name]


def common(data=None):
    return ['--data', data or cifar(), '--epochs', '1', '--batch-size', '10', '--workers', '0']


def trained(r):
    """Whether lt-train got as far as training (a loss line or an epoch's)."""
    return 'Finished Training' in r.stdout or 'Epoch 1:' in r.stderr


def refused_before_training(r, *words):
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check(not trained(r), 'trained before failing: ' + r.stderr)
    for w in words:
        check(w in r.stderr, '%r is not in the message: %s' % (w, r.stderr))


def read_fifo(path, into):
    """Reads a FIFO to its end in a thread (opened without waiting, so
    lt-train finds a reader)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)

    def run():
        import select
        select.select([fd], [], [])
        os.set_blocking(fd, True)
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            into.append(b)
        os.close(fd)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


# Checkpoints

@test
def checkpoint_is_a_folder():
    folder = os.path.join(tmp, 'ckpt-folder')
    os.makedirs(folder)
    r = lt_train(common() + ['--checkpoint', folder])
    refused_before_training(r, '--checkpoint', folder, 'folder')


@test
def checkpoint_empty_name():
    r = lt_train(common() + ['--checkpoint', ''])
    refused_before_training(r, '--checkpoint', 'empty name')


@test
def checkpoint_in_read_only_folder():
    folder = os.path.join(tmp, 'read-only')
    os.makedirs(folder)
    os.chmod(folder, 0o555)
    path = os.path.join(folder, 'ckpt.safetensors')
    r = lt_train(common() + ['--checkpoint', path], preexec_fn=as_nobody)
    refused_before_training(r, '--checkpoint', path, 'Permission denied')


@test
def checkpoint_fifo_with_resume():
    fifo = os.path.join(tmp, 'ckpt.fifo')
    os.mkfifo(fifo)
    r = lt_train(common() + ['--checkpoint', fifo, '--resume'])
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check('FIFO' in r.stderr and fifo in r.stderr, r.stderr)
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), 'the FIFO is gone')


@test
def checkpoint_keeps_its_mode_and_link():
    real = os.path.join(tmp, 'kept.safetensors')
    link = os.path.join(tmp, 'kept-link.safetensors')
    r = lt_train(common() + ['--checkpoint', real])
    check(r.returncode == 0, r.stderr)
    os.chmod(real, 0o600)
    os.symlink('kept.safetensors', link)
    before = os.stat(real).st_mtime_ns
    r = lt_train(common() + ['--checkpoint', link])
    check(r.returncode == 0, r.stderr)
    check(os.path.islink(link), 'the link was replaced')
    check(stat.S_IMODE(os.stat(real).st_mode) == 0o600,
          'mode %o' % stat.S_IMODE(os.stat(real).st_mode))
    check(os.stat(real).st_mtime_ns != before, 'the file behind the link was not written')


@test
def checkpoint_on_a_full_disk():
    path = os.path.join(tmp, 'full.safetensors')
    r = lt_train(common() + ['--checkpoint', path])
    check(r.returncode == 0, r.stderr)
    with open(path, 'rb') as f:
        before = f.read()

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
    r = lt_train(common() + ['--checkpoint', path], preexec_fn=small_files)
    check(r.returncode == 1, 'exit %d (%s): %s' % (r.returncode, 'killed by signal %d'
                                                    % -r.returncode if r.returncode < 0 else '',
                                                    r.stderr))
    check('File too large' in r.stderr and path in r.stderr, r.stderr)
    with open(path, 'rb') as f:
        check(f.read() == before, 'the previous checkpoint changed')
    check(not [n for n in os.listdir(tmp) if n.startswith('.full.safetensors.tmp')],
          os.listdir(tmp))


@test
def second_ctrl_c_while_a_write_is_blocked():
    # The checkpoint goes to a FIFO whose reader never reads: the write
    # blocks once the pipe is full. The first Ctrl-C cannot stop the run
    # there; the second ends lt-train.
    fifo = os.path.join(tmp, 'stuck.fifo')
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        p = subprocess.Popen([LT_TRAIN] + common() + ['--checkpoint', fifo, '--epochs', '3'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env(), cwd=tmp)
        # Until the pipe holds bytes (the checkpoint is being written), or
        # lt-train ends
        deadline = time.monotonic() + WATCHDOG_S
        while p.poll() is None and time.monotonic() < deadline:
            n = array.array('i', [0])
            fcntl.ioctl(reader, termios.FIONREAD, n)
            if n[0] >= 4096:
                break
            time.sleep(0.05)
        if p.poll() is not None:
            raise AssertionError('lt-train ended: %s' % p.communicate()[1])
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        time.sleep(1)
        check(p.poll() is None, 'a blocked write ended after one Ctrl-C?')
        p.send_signal(signal.SIGINT)
        try:
            out, err = p.communicate(timeout=WATCHDOG_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise AssertionError('a second Ctrl-C did not end lt-train')
        check(p.returncode == -signal.SIGINT, 'exit %d: %s' % (p.returncode, err))
        check('Ctrl-C again' in err and 'interrupted again' in err, err)
        check(stat.S_ISFIFO(os.lstat(fifo).st_mode), 'the FIFO is gone')
    finally:
        os.close(reader)


# Outputs

@test
def loss_csv_through_symlink():
    real, link = os.path.join(tmp, 'curve.csv'), os.path.join(tmp, 'curve-link.csv')
    with open(real, 'w') as f:
        f.write('old\n')
    os.chmod(real, 0o640)
    os.symlink('curve.csv', link)
    r = lt_train(common() + ['--log-interval', '1', '--loss-csv', link])
    check(r.returncode == 0, r.stderr)
    check(os.path.islink(link), 'the link was replaced')
    with open(real) as f:
        check(f.readline() == 'epoch,iteration,running_loss\n', 'not the curve')
    check(stat.S_IMODE(os.stat(real).st_mode) == 0o640, 'mode changed')


@test
def loss_csv_to_fifo():
    fifo = os.path.join(tmp, 'curve.fifo')
    os.mkfifo(fifo)
    got = []
    t = read_fifo(fifo, got)
    r = lt_train(common() + ['--log-interval', '1', '--loss-csv', fifo])
    t.join(WATCHDOG_S)
    check(r.returncode == 0, r.stderr)
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), 'the FIFO was replaced')
    text = b''.join(got).decode()
    check(text.startswith('epoch,iteration,running_loss\n') and text.count('\n') == 5, text)


@test
def loss_csv_to_stdout_through_link():
    # A link into /proc/self/fd/1, as /dev/stdout is: written in place.
    link = os.path.join(tmp, 'stdout.csv')
    os.symlink('/proc/self/fd/1', link)
    r = lt_train(common() + ['--log-interval', '1', '--loss-csv', link])
    check(r.returncode == 0, r.stderr)
    check(os.path.islink(link), 'the link was replaced')
    check('epoch,iteration,running_loss\n1,1,' in r.stdout, r.stdout)


@test
def loss_plot_to_fifo():
    fifo = os.path.join(tmp, 'plot-fifo.png')
    os.mkfifo(fifo)
    got = []
    t = read_fifo(fifo, got)
    r = lt_train(common() + ['--loss-plot', fifo])
    t.join(WATCHDOG_S)
    check(r.returncode == 0, r.stderr)
    check(stat.S_ISFIFO(os.lstat(fifo).st_mode), 'the FIFO was replaced')
    check(b''.join(got).startswith(b'\x89PNG\r\n\x1a\n'), 'not a PNG')


@test
def loss_csv_to_a_full_device():
    if os.geteuid() == 0:
        dev = os.path.join(tmp, 'full')
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    else:
        dev = '/dev/full'
    ino = os.stat(dev).st_ino
    r = lt_train(common() + ['--loss-csv', dev])
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check('No space left' in r.stderr and '--loss-csv' in r.stderr, r.stderr)
    check(stat.S_ISCHR(os.stat(dev).st_mode) and os.stat(dev).st_ino == ino,
          'the device was replaced')


@test
def graph_into_a_missing_folder():
    path = os.path.join(tmp, 'no', 'such', 'graph.dot')
    r = lt_train(common() + ['--graph', path])
    refused_before_training(r, '--graph', path)


@test
def loss_plot_over_a_read_only_file():
    path = os.path.join(tmp, 'frozen.png')
    with open(path, 'wb') as f:
        f.write(b'keep me')
    os.chmod(path, 0o444)
    os.chmod(tmp, 0o777)
    try:
        r = lt_train(common() + ['--loss-plot', path], preexec_fn=as_nobody)
    finally:
        os.chmod(tmp, 0o755)
    refused_before_training(r, '--loss-plot', path)
    with open(path, 'rb') as f:
        check(f.read() == b'keep me', 'the file changed')


# Data

@test
def data_folder_that_does_not_exist():
    missing = os.path.join(tmp, 'not', 'there')
    r = lt_train(['--data', missing, '--epochs', '1'])
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check(missing in r.stderr and 'No such file' in r.stderr, r.stderr)
    check(not os.path.exists(os.path.join(tmp, 'not')), 'lt-train created the folder')


@test
def data_folder_that_is_a_file():
    path = os.path.join(tmp, 'plain-file')
    with open(path, 'w') as f:
        f.write('x')
    r = lt_train(['--data', path, '--epochs', '1'])
    check(r.returncode == 1 and 'not a folder' in r.stderr, r.stderr)


def fashion(name, replace=None, kind='fifo'):
    root = os.path.join(tmp, name)
    subprocess.run([sys.executable, FIXTURES, '--fashion', root, '--train', '8', '--test', '10'],
                   check=True)
    if replace:
        path = os.path.join(root, replace)
        os.unlink(path)
        if kind == 'fifo':
            os.mkfifo(path)
        else:
            os.mkdir(path)
        return root, path
    return root, None


@test
def fashion_mnist_file_is_a_fifo():
    root, path = fashion('fashion-fifo', 'train-images-idx3-ubyte.gz', 'fifo')
    empty = os.path.join(tmp, 'empty-data-1')
    os.makedirs(empty)
    r = lt_train(['--data', empty, '--dataset', 'fashion-mnist', '--epochs', '1'],
                 LT_FASHION_MNIST_ROOT=root)
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check('FIFO' in r.stderr and path in r.stderr, r.stderr)


@test
def fashion_mnist_file_is_a_folder():
    root, path = fashion('fashion-folder', 't10k-labels-idx1-ubyte.gz', 'folder')
    empty = os.path.join(tmp, 'empty-data-2')
    os.makedirs(empty)
    r = lt_train(['--data', empty, '--dataset', 'fashion-mnist', '--epochs', '1'],
                 LT_FASHION_MNIST_ROOT=root)
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check('folder' in r.stderr and path in r.stderr, r.stderr)


@test
def cifar_empty_test_batch():
    root = os.path.join(tmp, 'cifar-empty-test')
    shutil.copytree(cifar(), root)
    path = os.path.join(root, 'cifar-10-batches-bin', 'test_batch.bin')
    open(path, 'wb').close()
    r = lt_train(common(root))
    refused_before_training(r, path, 'byte offset 0')


# Training

@test
def loss_that_diverges():
    r = lt_train(common() + ['--lr', '1e38', '--epochs', '2'])
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check('Finished Training' not in r.stdout, r.stdout)
    check('the loss diverged at step' in r.stderr and '--lr' in r.stderr, r.stderr)


def main():
    failed = 0
    print('1..%d' % len(results))
    for n, fn in enumerate(results, 1):
        start = time.monotonic()
        try:
            fn()
            print('ok %d %s (%.1f s)' % (n, fn.__name__, time.monotonic() - start))
        except Exception:
            failed += 1
            print('not ok %d %s' % (n, fn.__name__))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


main()
