#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.utils.data.distributed.DistributedSampler against torch 1.13's, in
one process (num_replicas and rank given).

Without shuffle the indices of every rank equal torch's for lengths 0 to
13, 1 to 5 replicas, drop_last on and off (padding by repeating the start,
or cutting the tail). With shuffle the permutation is libtensor's (Philox),
not torch's (Mersenne twister): torch.randperm is made to return
libtensor's permutation of that seed and epoch, and then every rank's
indices equal torch's too; the permutations are checked for what makes
them useful (a permutation, the same for a seed and epoch, another for
another epoch or seed). A DataLoader given the sampler reads its indices
in order and reshuffles each epoch."""

import unittest
from unittest import mock

from harness import main, require

torch = require('torch', 'python3-torch')
tdd = require('torch.utils.data.distributed', 'python3-torch')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

DS = Lt.utils.data.distributed.DistributedSampler


def torch_indices(n, replicas, rank, shuffle, seed, epoch, drop_last, perm=None):
    s = tdd.DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=shuffle,
                               seed=seed, drop_last=drop_last)
    s.set_epoch(epoch)
    if perm is None:
        return list(s), len(s)
    with mock.patch.object(torch, 'randperm', lambda k, generator=None: torch.tensor(perm)):
        return list(s), len(s)


def lt_indices(n, replicas, rank, shuffle, seed, epoch, drop_last):
    s = DS(range(n), num_replicas=replicas, rank=rank, shuffle=shuffle, seed=seed,
           drop_last=drop_last)
    s.set_epoch(epoch)
    return list(s), len(s)


class TestAgainstTorch(unittest.TestCase):

    def test_in_order(self):
        for n in range(0, 14):
            for replicas in range(1, 6):
                for drop_last in (False, True):
                    for rank in range(replicas):
                        with self.subTest(n=n, replicas=replicas, rank=rank,
                                          drop_last=drop_last):
                            want = torch_indices(n, replicas, rank, False, 0, 0, drop_last)
                            got = lt_indices(n, replicas, rank, False, 0, 0, drop_last)
                            self.assertEqual(got, want)

    def test_shuffled_padding_and_tail(self):
        for n in (1, 2, 5, 7, 12, 31):
            for seed, epoch in ((0, 0), (17, 3)):
                perm, _ = lt_indices(n, 1, 0, True, seed, epoch, False)
                for replicas in (1, 2, 3, 4, 8):
                    for drop_last in (False, True):
                        for rank in range(replicas):
                            with self.subTest(n=n, replicas=replicas, rank=rank,
                                              drop_last=drop_last, seed=seed, epoch=epoch):
                                want = torch_indices(n, replicas, rank, True, seed, epoch,
                                                     drop_last, perm)
                                got = lt_indices(n, replicas, rank, True, seed, epoch,
                                                 drop_last)
                                self.assertEqual(got, want)

    def test_permutations(self):
        n = 1000
        p00, _ = lt_indices(n, 1, 0, True, 0, 0, False)
        self.assertEqual(sorted(p00), list(range(n)))
        self.assertNotEqual(p00, list(range(n)))
        self.assertEqual(lt_indices(n, 1, 0, True, 0, 0, False)[0], p00)
        p01, _ = lt_indices(n, 1, 0, True, 0, 1, False)
        p10, _ = lt_indices(n, 1, 0, True, 1, 0, False)
        self.assertEqual(sorted(p01), list(range(n)))
        self.assertNotEqual(p01, p00)
        self.assertNotEqual(p10, p00)
        # seed + epoch, as torch's generator seed
        self.assertEqual(lt_indices(n, 1, 0, True, 1, 1, False)[0],
                         lt_indices(n, 1, 0, True, 0, 2, False)[0])

    def test_disjoint_shards(self):
        for n, replicas in ((1000, 3), (999, 3), (10, 4)):
            shards = [lt_indices(n, replicas, r, True, 5, 2, True)[0] for r in range(replicas)]
            union = [i for s in shards for i in s]
            self.assertEqual(len(union), len(set(union)))
            self.assertEqual(len(union), n - n % replicas)


class TestSamplerObject(unittest.TestCase):

    def test_attributes(self):
        s = DS(range(10), num_replicas=3, rank=2, shuffle=False, seed=9, drop_last=True)
        self.assertEqual((s.num_replicas, s.rank, s.shuffle, s.seed, s.drop_last),
                         (3, 2, False, 9, True))
        self.assertEqual((len(s), s.num_samples, s.total_size, s.epoch), (3, 3, 9, 0))
        s.set_epoch(4)
        self.assertEqual(s.epoch, 4)

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, r'rank should be in the interval \[0, 2\]'):
            DS(range(10), num_replicas=3, rank=3)
        with self.assertRaisesRegex(GLib.Error, 'no default process group'):
            DS(range(10))
        with self.assertRaisesRegex(GLib.Error, r'invalid rank 4.*\[0, 1\]'):
            Lt.DistributedSampler.new(2, 4, True, 0, False)


class TestWithDataLoader(unittest.TestCase):

    def read_epoch(self, loader):
        return [int(i) for inputs, _ in loader for i in inputs.tolist()]

    def test_loader_reads_the_shard(self):
        n = 23
        # (input, target) pairs: the C loader, which moves the sampler's epoch
        data = Lt.utils.data.TensorDataset(Lt.arange(n), Lt.arange(n))
        for drop_last in (False, True):
            s = DS(data, num_replicas=3, rank=1, shuffle=True, seed=3, drop_last=drop_last)
            loader = Lt.utils.data.DataLoader(data, batch_size=4, sampler=s)
            self.assertEqual(len(loader), (len(s) + 3) // 4)
            e0 = self.read_epoch(loader)
            e1 = self.read_epoch(loader)
            # the loader's epochs 0 and 1: the sampler's permutations of them
            self.assertEqual(e0, lt_indices(n, 3, 1, True, 3, 0, drop_last)[0])
            self.assertEqual(e1, lt_indices(n, 3, 1, True, 3, 1, drop_last)[0])
            self.assertNotEqual(e0, e1)
            # set_epoch pins the epoch, as torch's loops use it
            s.set_epoch(0)
            self.assertEqual(self.read_epoch(loader), e0)
            self.assertEqual(self.read_epoch(loader), e0)

    def test_resume_mid_epoch(self):
        # A loader resumed from another's position (a checkpoint) reads
        # the rest of the same shuffled shard.
        n = 41
        data = Lt.utils.data.TensorDataset(Lt.arange(n), Lt.arange(n))

        def loader():
            s = DS(data, num_replicas=2, rank=1, shuffle=True, seed=8)
            return Lt.utils.data.DataLoader(data, batch_size=3, sampler=s)._loader

        def rest(c):
            out = []
            while True:
                _, x, _ = c.next()
                if x is None:
                    return out
                out += [int(i) for i in x.tolist()]

        a = loader()
        rest(a)                          # epoch 0
        a.reset()
        first = [int(i) for i in a.next()[1].tolist()] + [int(i) for i in a.next()[1].tolist()]
        pos = a.get_position()
        want = rest(a)
        self.assertEqual(first + want, lt_indices(n, 2, 1, True, 8, 1, False)[0])
        b = loader()
        b.set_position(*pos)
        self.assertEqual(rest(b), want)

    def test_sampler_and_shuffle(self):
        data = Lt.utils.data.TensorDataset(Lt.arange(5), Lt.arange(5))
        s = DS(data, num_replicas=1, rank=0)
        with self.assertRaisesRegex(ValueError, 'mutually exclusive with shuffle'):
            Lt.utils.data.DataLoader(data, batch_size=2, shuffle=True, sampler=s)
        # a sampler written in Python: torch's loop, in Python
        self.assertEqual(self.read_epoch(Lt.utils.data.DataLoader(data, batch_size=2,
                                                                  sampler=[4, 0, 2])), [4, 0, 2])

    def test_c_loader_refuses_shuffle(self):
        data = Lt.utils.data.TensorDataset(Lt.arange(5), Lt.arange(5))
        loader = Lt.DataLoader.new(Lt.utils.data.DataLoader(data)._dataset, 2, True, False, 0)
        with self.assertRaisesRegex(GLib.Error, 'a sampler and shuffle exclude each other'):
            loader.set_sampler(Lt.DistributedSampler.new(1, 0, True, 0, False))


if __name__ == '__main__':
    main()
