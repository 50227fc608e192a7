#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes a small CIFAR-10 in the binary format of the real one, for the
tests of the tutorial's classifier (examples/blitz.*, the full tutorial
tests):

    make-cifar-fixture.py OUT [--train-per-batch N] [--test N] [--seed S] [--stamp FILE]

makes OUT/cifar-10-batches-bin/ with data_batch_1.bin .. data_batch_5.bin
(N records each, default 40), test_batch.bin (default 40 records) and
batches.meta.txt (the ten class names, one a line, as the real file).
Every record is 1 label byte then 1024 red, 1024 green and 1024 blue bytes
(32x32, row-major), as in the real files.

The labels go round the ten classes (shuffled), so every class has test
images; each class has its own colour and stripe direction, plus noise,
so a network can learn them.  The same seed gives the same bytes.
Needs only Python's standard library.
"""

import argparse
import os
import random
import sys

CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship',
           'truck']
SIDE = 32
PIXELS = SIDE * SIDE
RECORD = 1 + 3 * PIXELS


def image(label, rng):
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


def records(n, rng):
    labels = [i % len(CLASSES) for i in range(n)]
    rng.shuffle(labels)
    out = bytearray()
    for label in labels:
        out.append(label)
        out += image(label, rng)
    assert len(out) == n * RECORD
    return bytes(out)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out', help='the folder to hold cifar-10-batches-bin/')
    parser.add_argument('--train-per-batch', type=int, default=40,
                        help='records in each of the 5 training files (default 40)')
    parser.add_argument('--test', type=int, default=40, help='test records (default 40)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--stamp', help='a file to touch when done (for build systems)')
    args = parser.parse_args(argv)
    if args.train_per_batch <= 0 or args.test <= 0:
        parser.error('the record counts must be positive')

    rng = random.Random(args.seed)
    folder = os.path.join(args.out, 'cifar-10-batches-bin')
    os.makedirs(folder, exist_ok=True)
    files = [('data_batch_%d.bin' % b, args.train_per_batch) for b in range(1, 6)]
    files.append(('test_batch.bin', args.test))
    for name, n in files:
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(records(n, rng))
    with open(os.path.join(folder, 'batches.meta.txt'), 'w') as f:
        f.write(''.join(name + '\n' for name in CLASSES) + '\n')
    if args.stamp:
        with open(args.stamp, 'w') as f:
            f.write('%s\n' % folder)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
