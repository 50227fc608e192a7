#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the built lt-train on small generated datasets (CIFAR-10's binary
format and Fashion-MNIST's gzipped IDX files, from
tests/make-train-fixtures.py) and checks what it prints against the
tutorial's formats, its options, its exit statuses, Ctrl-C and resuming.

Usage: test-lt-train.py LT_TRAIN FIXTURE_SCRIPT
Prints TAP.
"""

import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import xml.etree.ElementTree as ElementTree

LT_TRAIN, FIXTURES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
# The translations built beside lt-train (BUILD/po/<lang>/LC_MESSAGES/)
LOCALEDIR = os.path.join(os.path.dirname(os.path.dirname(LT_TRAIN)), 'po')

# The tutorial's class names (classes = ('plane', 'car', ...)) and
# torchvision's FashionMNIST.classes.
CIFAR_CLASSES = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
                   'Sneaker', 'Bag', 'Ankle boot']

# print('[%d, %5d] loss: %.3f' % (epoch + 1, i + 1, running_loss / 2000))
LOG_LINE = re.compile(r'^\[(\d+), ([ \d]{5})\] loss: (\d+\.\d{3})$')
ACCURACY = re.compile(r'^Accuracy of the network on the (\d+) test images: (\d+) %$')

# No test may reach the network: downloads go to a closed local port.
NO_NETWORK = 'http://127.0.0.1:9/cifar-10-binary.tar.gz'

tmp = tempfile.mkdtemp(prefix='lt-train-test-')
results = []

# Under AddressSanitizer: fontconfig (under the pictures' text) keeps
# caches it never frees, and graphviz 2.42's dot layout loses the virtual
# nodes of clusters (--plots' graph); neither is lt-train's leak. The
# suppressions are the renderer tests' (tests/c/lsan-render.supp).
LSAN_SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lsan-render.supp')
# Full stacks where graphviz lays out, so that the suppression sees the
# library that leaked
FULL_STACKS = 'detect_leaks=1:fast_unwind_on_malloc=0'


def env(**extra):
    e = dict(os.environ)
    # English messages unless a test asks for a language
    e['LC_ALL'] = 'C.UTF-8'
    e.pop('LANGUAGE', None)
    e['LT_CIFAR10_URL'] = NO_NETWORK
    e['LT_FASHION_MNIST_ROOT'] = os.path.join(tmp, 'no-fashion-mnist-here')
    e['LSAN_OPTIONS'] = 'suppressions=%s:print_suppressions=0' % LSAN_SUPPRESSIONS
    e.update(extra)
    return e


def fixtures(*args):
    subprocess.run([sys.executable, FIXTURES] + list(args), check=True)


def lt_train(args, timeout=120, **extra):
    return subprocess.run([LT_TRAIN] + args, capture_output=True, text=True, timeout=timeout,
                          env=env(**extra), cwd=tmp)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def test(fn):
    results.append(fn)
    return fn


def tutorial_lines(out, n_classes_names, n_test, batch, labels=None, epochs=1, per_epoch=None,
                   interval=None):
    """Checks stdout: log lines, Finished Training, GroundTruth, Predicted,
    the accuracy lines in the tutorial's formats. Returns (log lines, per-class %)."""
    lines = out.splitlines()
    logs = [l for l in lines if l.startswith('[')]
    for l in logs:
        m = LOG_LINE.match(l)
        check(m, 'not a tutorial loss line: %r' % l)
        check(m.group(2) == '%5d' % int(m.group(2)), 'iteration not %%5d: %r' % l)
    if per_epoch is not None:
        want = ['[%d, %5d]' % (e, i) for e in range(1, epochs + 1)
                for i in range(interval, per_epoch + 1, interval)]
        check([l[:len(w)] for l, w in zip(logs, want)] == want and len(logs) == len(want),
              'log lines %r, not %r' % (logs, want))
    i = lines.index('Finished Training')
    check(all(l.startswith('[') for l in lines[:i]), 'something before Finished Training')
    gt, pred = lines[i + 1], lines[i + 2]
    check(gt.startswith('GroundTruth:  '), gt)
    check(pred.startswith('Predicted:  '), pred)
    names = n_classes_names
    for line, head in ((gt, 'GroundTruth: '), (pred, 'Predicted: ')):
        # print(head, ' '.join('%5s' % classes[j] for j in range(batch)))
        rest = line[len(head) + 1:]
        words = []
        pos = 0
        for _ in range(batch):
            for n in sorted(names, key=len, reverse=True):
                w = '%5s' % n
                if rest.startswith(w, pos):
                    words.append(n)
                    pos += len(w) + 1
                    break
            else:
                raise AssertionError('not %%5s class names: %r' % line)
        check(pos == len(rest) + 1, 'extra text in %r' % line)
        if labels is not None and head == 'GroundTruth: ':
            check(words == [names[k] for k in labels], 'ground truth %r, not labels %r' %
                  (words, labels))
    m = ACCURACY.match(lines[i + 3])
    check(m, 'not the accuracy line: %r' % lines[i + 3])
    check(int(m.group(1)) == n_test, 'test image count %s, not %d' % (m.group(1), n_test))
    overall = int(m.group(2))
    per_class = []
    for k, name in enumerate(names):
        line = lines[i + 4 + k]
        m = re.match(r'^Accuracy of (.{5,}): ([ \d]{2,3}) %$', line)
        check(m and m.group(1) == '%5s' % name, 'not "Accuracy of %%5s: %%2d %%": %r' % line)
        check(m.group(2) == '%2d' % int(m.group(2)), 'not %%2d: %r' % line)
        per_class.append(int(m.group(2)))
    check(len(lines) == i + 4 + len(names), 'lines after the per-class accuracy: %r' %
          lines[i + 4 + len(names):])
    return logs, overall, per_class


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    check(head[:8] == b'\x89PNG\r\n\x1a\n', '%s is not a PNG' % path)
    return struct.unpack('>II', head[16:24])


def png_pixels(path):
    """The pixels of a PNG as a numpy array of 0xRRGGBB (alpha dropped)."""
    import gi
    gi.require_version('GdkPixbuf', '2.0')
    from gi.repository import GdkPixbuf
    import numpy

    pb = GdkPixbuf.Pixbuf.new_from_file(path)
    w, h, n = pb.get_width(), pb.get_height(), pb.get_n_channels()
    rows = numpy.frombuffer(pb.get_pixels(), numpy.uint8)
    rows = numpy.pad(rows, (0, h * pb.get_rowstride() - rows.size))
    px = rows.reshape(h, pb.get_rowstride())[:, :w * n].reshape(h, w, n).astype(numpy.uint32)
    return ((px[:, :, 0] << 16) | (px[:, :, 1] << 8) | px[:, :, 2]).ravel()


def svg_elements(path):
    root = ElementTree.parse(path).getroot()
    check(root.tag.endswith('svg'), '%s: root %s' % (path, root.tag))
    return sum(1 for _ in root.iter())


def cifar(name, train=8, test=20):
    root = os.path.join(tmp, name)
    fixtures('--cifar', root, '--train', str(train), '--test', str(test))
    return root


def test_labels(k):
    out = subprocess.run([sys.executable, FIXTURES, '--print-test-labels', str(k)], check=True,
                         capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


@test
def help_documents_options():
    r = lt_train(['--help'])
    check(r.returncode == 0, 'exit %d' % r.returncode)
    for opt in ('--epochs', '--batch-size', '--lr', '--momentum', '--optimizer', '--workers',
                '--device', '--dataset', '--data', '--checkpoint', '--resume', '--seed',
                '--grid', '--loss-csv', '--loss-plot', '--graph', '--plots', 'sgd', 'adam', 'adamw',
                'rmsprop', 'cifar10', 'fashion-mnist', 'Ctrl-C', 'Exit status', 'confusion.png'):
        check(opt in r.stdout, '%s is not in --help' % opt)


@test
def bad_options_exit_2():
    data = cifar('bad-options-data')
    for args in (['--epochs', '0'], ['--epochs', 'two'], ['--batch-size', '-1'],
                 ['--lr', 'fast'], ['--lr', '0'], ['--momentum', '-0.5'],
                 ['--optimizer', 'lbfgs'], ['--device', 'tpu'], ['--dataset', 'imagenet'],
                 ['--workers', '1000'], ['--seed', 'x'], ['--no-such-option'],
                 ['--optimizer', 'adam', '--momentum', '0.5'], ['extra-argument']):
        r = lt_train(args + ['--data', data])
        check(r.returncode == 2, '%s: exit %d, not 2' % (args, r.returncode))
        err = r.stderr.splitlines()
        check(len(err) == 1 and err[0].startswith('lt-train: '),
              '%s: not a one-line error: %r' % (args, r.stderr))
        check(r.stdout == '', '%s: printed %r' % (args, r.stdout))
    r = lt_train(['--optimizer', 'lbfgs'])
    check('sgd, adam, adamw, rmsprop' in r.stderr, r.stderr)


@test
def messages_in_chinese_tutorial_lines_as_printed():
    """With LANGUAGE=zh_CN lt-train's own messages are in Chinese (from the
    build's zh_CN.mo); the tutorial's lines stay as the tutorial prints
    them."""
    zh = dict(LANGUAGE='zh_CN', LT_LOCALEDIR=LOCALEDIR)
    check(os.path.exists(os.path.join(LOCALEDIR, 'zh_CN', 'LC_MESSAGES', 'libtensor.mo')),
          'no zh_CN.mo in ' + LOCALEDIR)
    r = lt_train(['--epochs', 'two'], **zh)
    check(r.returncode == 2, 'exit %d' % r.returncode)
    check(r.stderr.strip() == 'lt-train：--epochs：需要一个不小于 1 的整数，而不是“two”'
          '（参见 lt-train --help）', r.stderr)
    r = lt_train(['--help'], **zh)
    check(r.returncode == 0 and '训练的 epoch 数（默认 2）' in r.stdout and '退出状态' in r.stdout,
          r.stdout)
    data = cifar('zh-data', train=8, test=20)
    r = lt_train(['--data', data, '--epochs', '1', '--log-interval', '2', '--workers', '0'], **zh)
    check(r.returncode == 0, 'exit %d: %s' % (r.returncode, r.stderr))
    tutorial_lines(r.stdout, CIFAR_CLASSES, 20, 4, test_labels(4), epochs=1, per_epoch=10,
                   interval=2)
    check('来自 %s 的 CIFAR-10' % data in r.stderr and '平均损失' in r.stderr, r.stderr)
    # and English without LANGUAGE
    r = lt_train(['--epochs', 'two'], LT_LOCALEDIR=LOCALEDIR)
    check('expected a whole number of at least 1, not "two"' in r.stderr, r.stderr)


@test
def cifar10_run_prints_the_tutorial_lines():
    data = cifar('run-data', train=8, test=20)      # 40 training images: 10 mini-batches
    grid, csv = os.path.join(tmp, 'grid.png'), os.path.join(tmp, 'loss.csv')
    plot, dot = os.path.join(tmp, 'loss.png'), os.path.join(tmp, 'graph.dot')
    r = lt_train(['--data', data, '--epochs', '2', '--log-interval', '2', '--workers', '0',
                  '--seed', '3', '--grid', grid, '--loss-csv', csv, '--loss-plot', plot,
                  '--graph', dot])
    check(r.returncode == 0, 'exit %d: %s' % (r.returncode, r.stderr))
    logs, overall, per_class = tutorial_lines(r.stdout, CIFAR_CLASSES, 20, 4, test_labels(4),
                                              epochs=2, per_epoch=10, interval=2)
    # The test set has every class twice: per-class percentages are 0, 50
    # or 100, and the overall one is their mean, as counts.
    check(all(p in (0, 50, 100) for p in per_class), per_class)
    check(overall == sum(p * 2 // 100 for p in per_class) * 100 // 20,
          'overall %d %% does not match the classes %r' % (overall, per_class))
    check('CIFAR-10 from ' + data in r.stderr, r.stderr)

    # The loss curve file has the printed numbers
    rows = open(csv).read().splitlines()
    check(rows[0] == 'epoch,iteration,running_loss', rows[0])
    check(len(rows) == 1 + len(logs), 'CSV rows %d, log lines %d' % (len(rows) - 1, len(logs)))
    for row, log in zip(rows[1:], logs):
        e, i, loss = row.split(',')
        check('[%d, %5d] loss: %.3f' % (int(e), int(i), float(loss)) == log, (row, log))
    # make_grid(4 images of 32x32, nrow=8, padding=2): 4 * 34 + 2 by 36
    check(png_size(grid) == (138, 36), 'grid %r' % (png_size(grid),))
    check(png_size(plot) == (720, 432), 'plot %r' % (png_size(plot),))
    text = open(dot).read()
    check(text.startswith('digraph') and '->' in text, text[:200])
    # the parameters are named and grouped by the module that made them
    for want in ('conv1.weight', 'fc3.bias', 'label="conv1"', 'label="pool"'):
        check(want in text, 'no %s in the graph' % want)
    # the shapes on the edges, and every node's gradient norm
    check('label="(4, 6, 28, 28)"' in text, 'no edge shapes in the graph')
    check(text.count('\u2016\u2207\u2016') == text.count('fillcolor'),
          'not every node shows its gradient norm')


@test
def plots_are_drawn():
    data = cifar('plots-data', train=8, test=20)
    plots = os.path.join(tmp, 'plots', 'run-1')      # made with its parents
    graph_svg, loss_svg = os.path.join(tmp, 'graph.svg'), os.path.join(tmp, 'loss.svg')
    r = lt_train(['--data', data, '--epochs', '2', '--log-interval', '2', '--workers', '0',
                  '--plots', plots, '--graph', graph_svg, '--loss-plot', loss_svg],
                 ASAN_OPTIONS=FULL_STACKS)
    check(r.returncode == 0, 'exit %d: %s' % (r.returncode, r.stderr))
    names = ['confusion.png', 'graph.png', 'graph.svg', 'grid.png', 'loss.png', 'loss.svg']
    check(sorted(os.listdir(plots)) == names, sorted(os.listdir(plots)))
    check(png_size(os.path.join(plots, 'loss.png')) == (800, 500), 'loss.png size')
    # 16 training images of 32x32 at 2x, 8 per row, with their labels
    w, h = png_size(os.path.join(plots, 'grid.png'))
    check(w >= 8 * 68 and h >= 2 * 68 + 2 * 20, 'grid.png %dx%d' % (w, h))
    for name in ('graph.png', 'confusion.png'):
        w, h = png_size(os.path.join(plots, name))
        check(w >= 300 and h >= 300, '%s %dx%d' % (name, w, h))

    def share(name, rgb):
        pixels = png_pixels(os.path.join(plots, name))
        return float((pixels == rgb).mean()), len(set(pixels.tolist()))

    # the run's colour (Okabe-Ito blue) draws the curves
    blue, colours = share('loss.png', 0x0072b2)
    check(blue > 0.002 and colours > 20, 'loss.png: %.4f blue, %d colours' % (blue, colours))
    # the parameters' boxes (light blue) and the loss's (light green)
    params, colours = share('graph.png', 0xc6def5)
    check(params > 0.01 and share('graph.png', 0xcdeeb4)[0] > 0.001,
          'graph.png: %.4f parameter colour' % params)
    # the confusion matrix's cells and bars in the accent colour
    accent, colours = share('confusion.png', 0x3584e4)
    check(accent > 0.005, 'confusion.png: %.4f accent' % accent)
    # the images: many colours
    _, colours = share('grid.png', 0)
    check(colours > 1000, 'grid.png has %d colours' % colours)
    for path in (os.path.join(plots, 'loss.svg'), os.path.join(plots, 'graph.svg'), graph_svg,
                 loss_svg):
        n = svg_elements(path)
        check(n > 50, '%s has %d elements' % (path, n))

    # A folder that cannot be made: a message before any training, exit
    # status 1
    blocker = os.path.join(tmp, 'plots-blocker')
    open(blocker, 'w').close()
    r = lt_train(['--data', data, '--epochs', '1', '--log-interval', '2', '--workers', '0',
                  '--plots', os.path.join(blocker, 'sub')])
    check(r.returncode == 1 and '--plots' in r.stderr and 'plots-blocker' in r.stderr,
          'exit %d: %s' % (r.returncode, r.stderr))
    check('Finished Training' not in r.stdout and 'Epoch 1' not in r.stderr,
          'trained before finding out: ' + r.stderr)


@test
def fallback_to_fashion_mnist():
    fashion = os.path.join(tmp, 'fashion')
    fixtures('--fashion', fashion, '--train', '24', '--test', '10')
    empty = os.path.join(tmp, 'fallback-data')
    os.makedirs(empty)
    r = lt_train(['--data', empty, '--epochs', '1', '--log-interval', '3', '--workers', '1'],
                 LT_FASHION_MNIST_ROOT=fashion)
    check(r.returncode == 0, 'exit %d: %s' % (r.returncode, r.stderr))
    said = [l for l in r.stderr.splitlines() if 'falling back to Fashion-MNIST' in l]
    check(len(said) == 1 and 'CIFAR-10' in said[0], r.stderr)
    check(not any('downloading' in l.lower() for l in r.stderr.splitlines()
                  if l not in said), 'announced a download that did not start: ' + r.stderr)
    check('padded to 32x32' in r.stderr and '1 channel' in r.stderr, r.stderr)
    tutorial_lines(r.stdout, FASHION_CLASSES, 10, 4, epochs=1, per_epoch=6, interval=3)

    # Asked for by name
    r = lt_train(['--data', empty, '--dataset', 'fashion-mnist', '--epochs', '1',
                  '--batch-size', '5'], LT_FASHION_MNIST_ROOT=fashion)
    check(r.returncode == 0, 'exit %d: %s' % (r.returncode, r.stderr))
    check('falling back' not in r.stderr, r.stderr)
    tutorial_lines(r.stdout, FASHION_CLASSES, 10, 5)


@test
def missing_data_exits_1():
    empty = os.path.join(tmp, 'missing-data')
    os.makedirs(empty)
    start = time.monotonic()
    r = lt_train(['--data', empty, '--epochs', '1'])
    check(r.returncode == 1, 'exit %d' % r.returncode)
    check(r.stdout == '', r.stdout)
    for words in ('cifar-10-binary.tar.gz', 'dataset-fashion-mnist', 'apt-get install', empty):
        check(words in r.stderr, '%r is not in the message: %s' % (words, r.stderr))
    check(time.monotonic() - start < 60, 'too slow to give up')
    r = lt_train(['--data', empty, '--dataset', 'cifar10'])
    check(r.returncode == 1 and 'cifar-10-binary.tar.gz' in r.stderr, r.stderr)


@test
def device_cuda_without_a_device_exits_1():
    # No GPU here and no emulated device: --device cuda says why; auto
    # falls back to the CPU
    data = cifar('device-data', train=2, test=4)
    args = ['--data', data, '--epochs', '1', '--workers', '0', '--seed', '1']
    r = lt_train(args + ['--device', 'cuda'], LT_CUDA_EMULATE='0')
    if r.returncode == 0:
        return  # a machine with a GPU
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check('--device cuda: no CUDA device: CUDA is not available' in r.stderr, r.stderr)
    check(r.stdout == '', r.stdout)
    r = lt_train(args + ['--device', 'auto'], LT_CUDA_EMULATE='0')
    check(r.returncode == 0, 'exit %d: %s' % (r.returncode, r.stderr))
    check('batch size 4, CPU' in r.stderr, r.stderr)


@test
def device_cuda_on_the_emulated_device_trains_as_the_cpu():
    # The emulated CUDA device runs the same run as the CPU: every op of
    # the tutorial's network has a CUDA kernel; the losses agree to the
    # printed digits within float32 rounding of the different summation
    # orders, and the tutorial's lines are all there.
    data = cifar('emulated-data', train=8, test=20)
    args = ['--data', data, '--epochs', '1', '--log-interval', '2', '--workers', '0',
            '--seed', '3']
    r_cpu = lt_train(args + ['--device', 'cpu'])
    r_gpu = lt_train(args + ['--device', 'cuda'], LT_CUDA_EMULATE='1')
    check(r_cpu.returncode == 0, 'cpu: exit %d: %s' % (r_cpu.returncode, r_cpu.stderr))
    check(r_gpu.returncode == 0, 'cuda: exit %d: %s' % (r_gpu.returncode, r_gpu.stderr))
    check('batch size 4, CUDA' in r_gpu.stderr, r_gpu.stderr)
    tutorial_lines(r_gpu.stdout, CIFAR_CLASSES, 20, 4, test_labels(4), epochs=1, per_epoch=10,
                   interval=2)
    losses = [[float(LOG_LINE.match(l).group(3)) for l in r.stdout.splitlines()
               if l.startswith('[')] for r in (r_cpu, r_gpu)]
    check(len(losses[0]) == 5 and len(losses[1]) == 5, losses)
    check(all(abs(a - b) <= 0.0015 for a, b in zip(*losses)), 'losses differ: %r' % (losses,))


@test
def device_cuda_index_trains_on_that_device():
    # --device cuda:1 on two emulated devices runs the CPU's run on cuda:1;
    # an index past the devices exits 1 naming it
    data = cifar('index-data', train=8, test=20)
    args = ['--data', data, '--epochs', '1', '--log-interval', '2', '--workers', '0',
            '--seed', '3']
    r_cpu = lt_train(args + ['--device', 'cpu'])
    r_gpu = lt_train(args + ['--device', 'cuda:1'], LT_CUDA_EMULATE='2')
    check(r_gpu.returncode == 0, 'cuda:1: exit %d: %s' % (r_gpu.returncode, r_gpu.stderr))
    check('batch size 4, CUDA' in r_gpu.stderr, r_gpu.stderr)
    losses = [[float(LOG_LINE.match(l).group(3)) for l in r.stdout.splitlines()
               if l.startswith('[')] for r in (r_cpu, r_gpu)]
    check(len(losses[0]) == 5 and len(losses[1]) == 5, losses)
    check(all(abs(a - b) <= 0.0015 for a, b in zip(*losses)), 'losses differ: %r' % (losses,))
    r = lt_train(args + ['--device', 'cuda:2'], LT_CUDA_EMULATE='2')
    check(r.returncode == 1, 'exit %d: %s' % (r.returncode, r.stderr))
    check('--device cuda:2: no such CUDA device: cuda:2: invalid device index' in r.stderr,
          r.stderr)
    r = lt_train(args + ['--device', 'cuda:x'])
    check(r.returncode != 0 and 'cuda:x' in r.stderr, r.stderr)


def interrupt(args, after_lines):
    """Starts lt-train, sends SIGINT once it printed @after_lines loss
    lines; returns (exit status, stdout, stderr)."""
    p = subprocess.Popen([LT_TRAIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env(), cwd=tmp)
    seen = []
    while len(seen) < after_lines:
        line = p.stdout.readline()
        if not line:
            break
        seen.append(line)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    return p.returncode, ''.join(seen) + out, err


@test
def sigint_writes_the_checkpoint_and_resume_continues_exactly():
    # 600 images in batches of 50: 12 mini-batches an epoch, 4 loss lines
    data = cifar('resume-data', train=120, test=20)
    common = ['--data', data, '--batch-size', '50', '--log-interval', '3', '--workers', '2',
              '--seed', '11', '--lr', '0.01']
    ck = os.path.join(tmp, 'ck', 'train.safetensors')

    full = lt_train(common + ['--epochs', '3'])
    check(full.returncode == 0, full.stderr)
    full_logs = [l for l in full.stdout.splitlines() if l.startswith('[')]
    check(len(full_logs) == 12, full.stdout)

    # Stopped after the 2nd line (mini-batch 6 of 36)
    rc, out, err = interrupt(common + ['--epochs', '3', '--checkpoint', ck], 2)
    check(rc == 0, 'exit %d after SIGINT: %s' % (rc, err))
    check('Finished Training' not in out, 'the run ended before the SIGINT: ' + out)
    check(os.path.exists(ck), 'no checkpoint at ' + ck)
    check('checkpoint written to ' + ck in err, err)
    first = [l for l in out.splitlines() if l.startswith('[')]
    check(first == full_logs[:len(first)], 'before the stop: %r' % first)

    r = lt_train(common + ['--epochs', '3', '--checkpoint', ck, '--resume'])
    check(r.returncode == 0, r.stderr)
    check('Resuming from ' + ck in r.stderr, r.stderr)
    rest = [l for l in r.stdout.splitlines() if l.startswith('[')]
    check(first + rest == full_logs, 'stop + resume printed %r, not %r' % (first + rest,
                                                                         full_logs))
    # The same model at the end: the same predictions and accuracies
    tail = r.stdout[r.stdout.index('Finished Training'):]
    check(tail == full.stdout[full.stdout.index('Finished Training'):], tail)

    # --resume without a checkpoint starts from the beginning
    r = lt_train(common + ['--epochs', '1', '--checkpoint', os.path.join(tmp, 'none.st'),
                           '--resume'])
    check(r.returncode == 0 and 'starting from the beginning' in r.stderr, r.stderr)


@test
def sigint_without_checkpoint_option_uses_the_data_folder():
    data = cifar('sigint-data', train=60, test=20)
    rc, out, err = interrupt(['--data', data, '--batch-size', '10', '--log-interval', '1',
                              '--epochs', '50'], 1)
    default = os.path.join(data, 'lt-train-checkpoint.safetensors')
    check(rc == 0, 'exit %d: %s' % (rc, err))
    check(os.path.exists(default), 'no checkpoint at ' + default)
    check(default in err, err)


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
