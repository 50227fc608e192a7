#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Data loading throughput: batches of 64 CIFAR-shaped images through
ToTensor + Normalize + RandomCrop(32, padding=4) + RandomHorizontalFlip,
with libtensor (LtCifar10 + LtDataLoader, worker threads) and with
torchvision's CIFAR-10 item path under torch's DataLoader (worker
processes), on the same generated images in the same run.

    /usr/bin/python3 bench/bench_data.py BUILD [--images 10000] [--reps 5]

The images are random bytes written in CIFAR-10's binary layout
(cifar-10-batches-bin/test_batch.bin: label byte + 1024 R + 1024 G + 1024 B
per record) to a temporary folder; libtensor reads that file, torchvision's
side holds the same pixels as its CIFAR10 class does (an (N, 32, 32, 3)
uint8 array, each item made a PIL image before the transforms).  One
measurement is one whole shuffled epoch, timed from iter() to the last
batch; images/s = images / seconds.  Reports the median and [min-max] over
the repetitions and the ratios of the medians, and for libtensor the
process's CPU time over wall time (how many cores it kept busy).
"""

import argparse
import json
import os
import statistics
import tempfile
import time

from bench_common import reexec_with, stats


def write_cifar(root, n, seed=0):
    import numpy as np
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 10, n).astype(np.uint8)
    pixels = rng.randint(0, 256, (n, 3072)).astype(np.uint8)
    folder = os.path.join(root, 'cifar-10-batches-bin')
    os.makedirs(folder, exist_ok=True)
    records = np.concatenate([labels[:, None], pixels], axis=1)
    records.tofile(os.path.join(folder, 'test_batch.bin'))
    with open(os.path.join(folder, 'batches.meta.txt'), 'w') as f:
        f.write('\n'.join(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog',
                           'horse', 'ship', 'truck']) + '\n')
    # torchvision's CIFAR10 holds (N, 32, 32, 3) and int labels
    return pixels.reshape(n, 3, 32, 32).transpose(0, 2, 3, 1).copy(), labels.tolist()


def epoch_time(loader):
    """Seconds for one epoch, the images read, and this process's CPU time
    over that wall time (worker threads included; not torch's worker
    processes)."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    n = 0
    for images, labels in loader:
        n += images.shape[0]
    dt = time.perf_counter() - t0
    return dt, n, (time.process_time() - c0) / dt


def lt_side(root, workers):
    import gi
    gi.require_version('Lt', '1.0')
    from gi.repository import Lt
    T = Lt.transforms
    tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
                    T.RandomCrop(32, padding=4), T.RandomHorizontalFlip()])
    ds = Lt.datasets.CIFAR10(root, train=False, transform=tf)
    return Lt.utils.data.DataLoader(ds, batch_size=64, shuffle=True, num_workers=workers)


def torch_side(data, targets, workers):
    import torch
    import torchvision.transforms as tvt
    from PIL import Image

    class CifarLike(torch.utils.data.Dataset):
        """torchvision.datasets.CIFAR10's __getitem__ on in-memory data."""

        def __init__(self, data, targets, transform):
            self.data, self.targets, self.transform = data, targets, transform

        def __len__(self):
            return len(self.data)

        def __getitem__(self, index):
            img, target = self.data[index], self.targets[index]
            img = Image.fromarray(img)
            return self.transform(img), target

    tf = tvt.Compose([tvt.ToTensor(), tvt.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
                      tvt.RandomCrop(32, padding=4), tvt.RandomHorizontalFlip()])
    return torch.utils.data.DataLoader(CifarLike(data, targets, tf), batch_size=64,
                                       shuffle=True, num_workers=workers)


def fmt(values):
    m, lo, hi = stats(values)
    return '%.0f [%.0f-%.0f]' % (m, lo, hi)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('build', help='the build folder (holding libtensor/Lt-1.0.typelib)')
    ap.add_argument('--images', type=int, default=10000)
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--torch-reps', type=int, default=3)
    ap.add_argument('--workers', default='0,2')
    ap.add_argument('--output', help='write the measurements as JSON here')
    args = ap.parse_args()
    reexec_with(args.build)

    import torch
    import torchvision
    torch.set_num_threads(1)
    workers = [int(w) for w in args.workers.split(',')]
    results = {'lt': {w: [] for w in workers}, 'torch': {w: [] for w in workers}}
    cpu_wall = {w: [] for w in workers}
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory() as root:
        data, targets = write_cifar(root, args.images)
        loaders = {}
        for w in workers:
            loaders['lt', w] = lt_side(root, w)
            loaders['torch', w] = torch_side(data, targets, w)
        # warm-up: one epoch each (page cache, first allocations)
        for loader in loaders.values():
            epoch_time(loader)
        for rep in range(max(args.reps, args.torch_reps)):
            order = list(loaders.items())
            if rep % 2:
                order.reverse()
            for (side, w), loader in order:
                if side == 'lt' and rep >= args.reps:
                    continue
                if side == 'torch' and rep >= args.torch_reps:
                    continue
                dt, n, cpu = epoch_time(loader)
                assert n == args.images, n
                results[side][w].append(n / dt)
                if side == 'lt':
                    cpu_wall[w].append(cpu)
                print('# rep %d %-5s workers=%d: %.0f images/s, cpu/wall %.2f'
                      % (rep, side, w, n / dt, cpu), flush=True)

    load_after = os.getloadavg()
    print()
    print('torch %s, torchvision %s, %d images, batch 64, %d cores; load average %.2f '
          'before, %.2f after' % (torch.__version__, torchvision.__version__, args.images,
                                  os.cpu_count(), load_before[0], load_after[0]))
    print()
    print('| workers | Lt images/s | Lt cpu/wall | Lt images per CPU-second | '
          'torchvision images/s | Lt/torchvision |')
    print('|---------|-------------|-------------|--------------------------|'
          '----------------------|----------------|')
    for w in workers:
        lt, tv = results['lt'][w], results['torch'][w]
        per_cpu = [r / c for r, c in zip(lt, cpu_wall[w])]
        print('| %d | %s | %.2f | %s | %s | %.1f |'
              % (w, fmt(lt), statistics.median(cpu_wall[w]), fmt(per_cpu), fmt(tv),
                 statistics.median(lt) / statistics.median(tv)))
    if args.output:
        with open(args.output, 'w') as f:
            json.dump({'images': args.images, 'results': results, 'cpu_wall': cpu_wall,
                       'load': [load_before, load_after]}, f, indent=1)


if __name__ == '__main__':
    main()
