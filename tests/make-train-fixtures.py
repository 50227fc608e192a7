#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes small datasets in the real formats, for the tests that train.

  make-train-fixtures.py OUT [--train-per-batch N] [--test N] [--seed S] [--stamp FILE]
      The tutorial's classifier (examples/blitz.*, tests/examples,
      tests/python/test_tutorial_full.py, tests/js/test-tutorial-full.js):
      OUT/cifar-10-batches-bin/ with N records in each data batch (default
      40) and 40 test records (--test). The labels go round the ten classes,
      shuffled; each class has its own colour and stripe direction, plus
      noise, so a network learns them in two epochs. The same seed gives
      the same bytes. --stamp FILE is written when done (for build systems).
  make-train-fixtures.py --cifar DIR [--train N] [--test N]
      lt-train's tests (tests/c/test-lt-train.py): DIR/cifar-10-batches-bin/
      with N records in each data batch (default 8) and 20 test records.
  make-train-fixtures.py --fashion DIR [--train N] [--test N]
      DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz: IDX files
      (magic 00 00 08 <ndim>, big-endian u32 dimensions, then the bytes),
      gzipped as Debian's dataset-fashion-mnist ships them; N training
      images (default 8) and 20 test images.

For --cifar and --fashion, record i (counted from 0 within its set) has
the label label(i), and its pixels are the label's colour plus
deterministic noise, so a network can learn something; --print-test-labels
K prints the labels of the test set's first K records, one per line.

CIFAR-10 files are the binary version's: data_batch_1.bin ..
data_batch_5.bin, test_batch.bin, and batches.meta.txt (the ten class
names, one a line, then a blank line, as the real file). A record is 1
label byte, then 1024 red, 1024 green and 1024 blue bytes (32x32,
row-major). Needs only Python's standard library.
"""

import argparse
import gzip
import os
import random
import struct
import sys

CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog',
                 'horse', 'ship', 'truck']
SIDE = 32
PIXELS = SIDE * SIDE
RECORD = 1 + 3 * PIXELS


def write_cifar_files(root, train_batches, test_batch):
    """root/cifar-10-batches-bin/ with the five data batches (bytes each),
    the test batch and the class names; returns the folder."""
    folder = os.path.join(root, 'cifar-10-batches-bin')
    os.makedirs(folder, exist_ok=True)
    assert len(train_batches) == 5
    files = [('data_batch_%d.bin' % (b + 1), data) for b, data in enumerate(train_batches)]
    files.append(('test_batch.bin', test_batch))
    for name, data in files:
        assert len(data) % RECORD == 0
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(data)
    with open(os.path.join(folder, 'batches.meta.txt'), 'w') as f:
        f.write(''.join(name + '\n' for name in CIFAR_CLASSES) + '\n')
    return folder


# The tutorial's classifier: striped images, shuffled labels.

def striped_image(label, rng):
    """3 planes of 1024 bytes for one image of class @label."""
    base = (40 + 20 * label, 220 - 18 * label, 60 + (label * 73) % 160)
    vertical = label % 2 == 0
    period = 2 + label // 2
    planes = bytearray()
    for c in range(3):
        for y in range(SIDE):
            for x in range(SIDE):
                stripe = 30 if ((x if vertical else y) // period) % 2 else -30
                v = base[c] + stripe + rng.randint(-25, 25)
                planes.append(min(255, max(0, v)))
    return bytes(planes)


def striped_records(n, rng):
    labels = [i % len(CIFAR_CLASSES) for i in range(n)]
    rng.shuffle(labels)
    out = bytearray()
    for lab in labels:
        out.append(lab)
        out += striped_image(lab, rng)
    return bytes(out)


def write_tutorial_cifar(root, n_train, n_test, seed):
    rng = random.Random(seed)
    train = [striped_records(n_train, rng) for _ in range(5)]
    test = striped_records(n_test, rng)
    return write_cifar_files(root, train, test)


# lt-train's tests: labels from a formula, coloured noise.

def label(i, train):
    # Every class appears, in an order that is not sorted.
    return (i * 7 + (0 if train else 3)) % 10


def noise_table(base, spread):
    """Byte b -> base + (b % (2 spread + 1)) - spread, clamped to 0..255."""
    return bytes(max(0, min(255, base + b % (2 * spread + 1) - spread)) for b in range(256))


def cifar_record(i, train, rng):
    lab = label(i, train)
    base = [(lab * 25) % 256, (lab * 97) % 256, (255 - lab * 25) % 256]
    planes = [rng.randbytes(PIXELS).translate(noise_table(base[c], 40)) for c in range(3)]
    return bytes([lab]) + b''.join(planes)


def write_cifar(root, n_train, n_test):
    rng = random.Random(0)
    train = [b''.join(cifar_record(b * n_train + r, True, rng) for r in range(n_train))
             for b in range(5)]
    test = b''.join(cifar_record(r, False, rng) for r in range(n_test))
    write_cifar_files(root, train, test)


def idx(dims, data):
    head = struct.pack('>BBBB', 0, 0, 8, len(dims)) + b''.join(struct.pack('>I', d) for d in dims)
    return head + data


def write_fashion(root, n_train, n_test):
    os.makedirs(root, exist_ok=True)
    rng = random.Random(1)
    for prefix, n, train in (('train', n_train, True), ('t10k', n_test, False)):
        labels = bytes(label(i, train) for i in range(n))
        images = b''.join(rng.randbytes(28 * 28).translate(noise_table(labels[i] * 25, 30))
                          for i in range(n))
        with gzip.open(os.path.join(root, prefix + '-images-idx3-ubyte.gz'), 'wb') as f:
            f.write(idx([n, 28, 28], images))
        with gzip.open(os.path.join(root, prefix + '-labels-idx1-ubyte.gz'), 'wb') as f:
            f.write(idx([n], labels))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('out', nargs='?',
                   help="the folder to hold the tutorial classifier's cifar-10-batches-bin/")
    p.add_argument('--train-per-batch', type=int, default=40,
                   help='OUT: records in each of the 5 training files (default 40)')
    p.add_argument('--seed', type=int, default=0, help='OUT: the random seed (default 0)')
    p.add_argument('--stamp', help='OUT: a file to write when done (for build systems)')
    p.add_argument('--cifar', metavar='DIR', help="lt-train's CIFAR-10 in DIR")
    p.add_argument('--fashion', metavar='DIR', help="lt-train's Fashion-MNIST in DIR")
    p.add_argument('--train', type=int, default=8, help='--cifar: records per data batch; '
                   '--fashion: training images (default 8)')
    p.add_argument('--test', type=int, default=None,
                   help='test records (default 40 for OUT, 20 for --cifar and --fashion)')
    p.add_argument('--print-test-labels', type=int, default=0, metavar='K',
                   help="print the labels of --cifar's and --fashion's first K test records")
    args = p.parse_args(argv)

    if args.out is not None:
        if args.cifar or args.fashion:
            p.error("OUT (the tutorial's fixture) does not go with --cifar or --fashion")
        n_test = 40 if args.test is None else args.test
        if args.train_per_batch <= 0 or n_test <= 0:
            p.error('the record counts must be positive')
        folder = write_tutorial_cifar(args.out, args.train_per_batch, n_test, args.seed)
        if args.stamp:
            with open(args.stamp, 'w') as f:
                f.write('%s\n' % folder)
        return 0

    n_test = 20 if args.test is None else args.test
    if args.cifar:
        write_cifar(args.cifar, args.train, n_test)
    if args.fashion:
        write_fashion(args.fashion, args.train, n_test)
    for i in range(args.print_test_labels):
        print(label(i, False))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
