#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes small datasets in the real formats, for lt-train's tests.

  make-train-fixtures.py --cifar DIR [--train N] [--test N]
      DIR/cifar-10-batches-bin/: data_batch_1..5.bin with N records each,
      test_batch.bin with the test records, batches.meta.txt. A record is
      1 label byte + 1024 R + 1024 G + 1024 B bytes (32x32, row-major), the
      binary version's layout.
  make-train-fixtures.py --fashion DIR [--train N] [--test N]
      DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz: IDX files
      (magic 00 00 08 <ndim>, big-endian u32 dimensions, then the bytes),
      gzipped as Debian's dataset-fashion-mnist ships them.

Record i (counted from 0 within its set) has the label labels(i), and its
pixels are the label's colour plus deterministic noise, so a network can
learn something. The labels of the test set's first records are
printed one per line with --print-test-labels K.
"""

import argparse
import gzip
import os
import random
import struct

CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog',
                 'horse', 'ship', 'truck']


def label(i, train):
    # Every class appears, in an order that is not sorted.
    return (i * 7 + (0 if train else 3)) % 10


def noise_table(base, spread):
    """Byte b -> base + (b % (2 spread + 1)) - spread, clamped to 0..255."""
    return bytes(max(0, min(255, base + b % (2 * spread + 1) - spread)) for b in range(256))


def cifar_record(i, train, rng):
    lab = label(i, train)
    base = [(lab * 25) % 256, (lab * 97) % 256, (255 - lab * 25) % 256]
    planes = [rng.randbytes(1024).translate(noise_table(base[c], 40)) for c in range(3)]
    return bytes([lab]) + b''.join(planes)


def write_cifar(root, n_train, n_test):
    folder = os.path.join(root, 'cifar-10-batches-bin')
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(0)
    for b in range(5):
        with open(os.path.join(folder, 'data_batch_%d.bin' % (b + 1)), 'wb') as f:
            for r in range(n_train):
                f.write(cifar_record(b * n_train + r, True, rng))
    with open(os.path.join(folder, 'test_batch.bin'), 'wb') as f:
        for r in range(n_test):
            f.write(cifar_record(r, False, rng))
    with open(os.path.join(folder, 'batches.meta.txt'), 'w') as f:
        f.write('\n'.join(CIFAR_CLASSES) + '\n\n')


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


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cifar', metavar='DIR')
    p.add_argument('--fashion', metavar='DIR')
    p.add_argument('--train', type=int, default=8, help='CIFAR: records per data batch; '
                   'Fashion-MNIST: training images')
    p.add_argument('--test', type=int, default=20)
    p.add_argument('--print-test-labels', type=int, default=0, metavar='K')
    args = p.parse_args()
    if args.cifar:
        write_cifar(args.cifar, args.train, args.test)
    if args.fashion:
        write_fashion(args.fashion, args.train, args.test)
    for i in range(args.print_test_labels):
        print(label(i, False))


if __name__ == '__main__':
    main()
