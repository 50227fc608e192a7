#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.utils.data's datasets, samplers and loader side by side with
torch.utils.data (PyTorch 1.13), wherever torch's result does not depend
on its random generator:

- TensorDataset with any number of tensors, indexed by integers, slices,
  lists and index tensors; ConcatDataset (negative indices, out of range).
- SequentialSampler, BatchSampler (drop_last), SubsetRandomSampler and
  RandomSampler (the same set of indices; replacement and num_samples),
  WeightedRandomSampler (zero weights never drawn; without replacement,
  no repeats), their errors.
- default_collate on tensors, numpy arrays, floats (float64), ints,
  strings, dicts, named tuples, tuples and nested containers.
- DataLoader with collate_fn=, sampler= (a Python one), batch_sampler=,
  batch_size=None, drop_last, items that are 3-tuples, dicts or nested,
  an IterableDataset (with workers splitting it by get_worker_info), and
  worker_init_fn= / persistent_workers= with threads: the same batches as
  torch's, in the same order, for any num_workers; an exception from a
  dataset, a collate_fn or a worker_init_fn reaches the caller as it is.
"""

import collections
import threading
import unittest

from harness import main, require

torch = require('torch', 'python3-torch')
np = require('numpy', 'python3-numpy')

import gi
gi.require_version('Lt', '1.0')
from gi.repository import Lt  # noqa: E402

L = Lt.utils.data
T = torch.utils.data


def to_np(x):
    """A batch as plain Python/numpy, the same for ours and torch's."""
    if isinstance(x, torch.Tensor):
        return ('tensor', str(x.dtype).replace('torch.', ''), x.numpy().tolist())
    if isinstance(x, Lt.Tensor):
        return ('tensor', str(x.get_dtype()).split('.')[-1].replace('Lt.', '').lower()
                .replace('dtype', ''), x.numpy().tolist())
    if isinstance(x, dict):
        return {k: to_np(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, '_fields'):
        return (type(x).__name__,) + tuple(to_np(v) for v in x)
    if isinstance(x, (list, tuple)):
        return [to_np(v) for v in x]
    return x


Point = collections.namedtuple('Point', 'x y')


class Items:
    """A dataset of items of a given structure, built from numbers."""

    def __init__(self, n, kind, lib):
        self.n, self.kind, self.lib = n, kind, lib

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        a = np.arange(6, dtype='float32').reshape(2, 3) + i
        t = torch.tensor(a) if self.lib is torch else Lt.tensor(a)
        if self.kind == 'triple':
            return t, i, float(i) / 2
        if self.kind == 'dict':
            return {'image': t, 'label': i, 'name': 'item%d' % i}
        if self.kind == 'nested':
            return {'pair': (t, i), 'meta': {'w': float(i), 'tags': ['a', 'b']}}
        if self.kind == 'namedtuple':
            return Point(t, i)
        if self.kind == 'numpy':
            return a, np.int64(i)
        raise AssertionError(self.kind)


class Stream:
    """An iterable dataset of 0..n-1 (each worker reads its share)."""

    def __init__(self, n, info):
        self.n, self.info = n, info

    def __iter__(self):
        w = self.info()
        start, step = (0, 1) if w is None else (w.id, w.num_workers)
        return iter(range(start, self.n, step))


class LtStream(Stream, L.IterableDataset):
    def __init__(self, n):
        Stream.__init__(self, n, L.get_worker_info)


class TorchStream(Stream, T.IterableDataset):
    def __init__(self, n):
        Stream.__init__(self, n, T.get_worker_info)


class DatasetsTest(unittest.TestCase):
    def test_tensor_dataset(self):
        a = np.arange(30, dtype='float32').reshape(10, 3)
        b = np.arange(10)
        c = np.arange(10, dtype='float64') * 0.5
        ours = L.TensorDataset(Lt.from_numpy(a), Lt.from_numpy(b), Lt.from_numpy(c))
        theirs = T.TensorDataset(torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c))
        self.assertEqual(len(ours), len(theirs))
        for index in (0, 7, -1, slice(2, 8, 3), slice(None, 4), slice(-3, None)):
            self.assertEqual(to_np(ours[index]), to_np(theirs[index]), index)
        self.assertEqual(to_np(ours[Lt.from_numpy(np.array([4, 1, 1]))]),
                         to_np(theirs[torch.tensor([4, 1, 1])]))
        self.assertEqual(to_np(ours[[0, 9]]), to_np(theirs[[0, 9]]))
        one = L.TensorDataset(Lt.from_numpy(a))
        self.assertEqual(to_np(one[3]), to_np(T.TensorDataset(torch.from_numpy(a))[3]))
        with self.assertRaises(ValueError):
            L.TensorDataset(Lt.from_numpy(a), Lt.from_numpy(b[:5]))

    def test_concat_dataset(self):
        parts_l = [L.TensorDataset(Lt.from_numpy(np.arange(n, dtype='float32')),
                                   Lt.from_numpy(np.arange(n))) for n in (3, 5, 2)]
        parts_t = [T.TensorDataset(torch.arange(n, dtype=torch.float32), torch.arange(n))
                   for n in (3, 5, 2)]
        ours, theirs = L.ConcatDataset(parts_l), T.ConcatDataset(parts_t)
        self.assertEqual(len(ours), 10)
        self.assertEqual(ours.cumulative_sizes, theirs.cumulative_sizes)
        for i in list(range(10)) + [-1, -10]:
            self.assertEqual(to_np(ours[i]), to_np(theirs[i]), i)
        for bad in (10, -11):
            with self.assertRaises((IndexError, ValueError)):
                theirs[bad]
            with self.assertRaises((IndexError, ValueError)):
                ours[bad]
        self.assertEqual(len(parts_l[0] + parts_l[1]), 8)
        with self.assertRaises(AssertionError):
            L.ConcatDataset([])
        # through the loader, in order
        got = [to_np(b) for b in L.DataLoader(ours, batch_size=4)]
        want = [to_np(b) for b in T.DataLoader(theirs, batch_size=4)]
        self.assertEqual(got, want)


class SamplersTest(unittest.TestCase):
    def test_sequential_and_batch(self):
        data = list(range(11))
        self.assertEqual(list(L.SequentialSampler(data)), list(T.SequentialSampler(data)))
        for bs, drop in ((3, False), (3, True), (11, False), (20, True), (1, False)):
            ours = L.BatchSampler(L.SequentialSampler(data), bs, drop)
            theirs = T.BatchSampler(T.SequentialSampler(data), bs, drop)
            self.assertEqual(list(ours), list(theirs))
            self.assertEqual(len(ours), len(theirs))
        for bad in (dict(batch_size=0, drop_last=False), dict(batch_size=2, drop_last=1)):
            with self.assertRaises(ValueError):
                T.BatchSampler(data, **bad)
            with self.assertRaises(ValueError):
                L.BatchSampler(data, **bad)

    def test_random_samplers(self):
        data = list(range(13))
        Lt.manual_seed(3)
        perm = list(L.RandomSampler(data))
        self.assertEqual(sorted(perm), data)
        self.assertEqual(len(L.RandomSampler(data)), 13)
        drawn = list(L.RandomSampler(data, replacement=True, num_samples=40))
        self.assertEqual(len(drawn), 40)
        self.assertTrue(all(0 <= i < 13 for i in drawn))
        longer = list(L.RandomSampler(data, num_samples=30))
        self.assertEqual(len(longer), 30)
        self.assertEqual(sorted(longer[:26]), sorted(data * 2))
        with self.assertRaises(ValueError):
            L.RandomSampler(data, num_samples=0)
        with self.assertRaises(TypeError):
            L.RandomSampler(data, replacement=1)
        # the same seed, the same order
        Lt.manual_seed(9)
        a = list(L.RandomSampler(data))
        Lt.manual_seed(9)
        self.assertEqual(a, list(L.RandomSampler(data)))
        sub = [2, 5, 7, 11]
        self.assertEqual(sorted(L.SubsetRandomSampler(sub)), sub)
        self.assertEqual(len(L.SubsetRandomSampler(sub)), 4)

    def test_weighted_random_sampler(self):
        w = [0.0, 1.0, 3.0, 0.0, 2.0]
        Lt.manual_seed(1)
        drawn = list(L.WeightedRandomSampler(w, 600))
        self.assertEqual(len(drawn), 600)
        self.assertEqual(set(drawn), {1, 2, 4})
        counts = np.bincount(drawn, minlength=5) / 600
        np.testing.assert_allclose(counts, np.array(w) / 6, atol=0.07)
        once = list(L.WeightedRandomSampler(Lt.from_numpy(np.array(w)), 3, replacement=False))
        self.assertEqual(sorted(once), [1, 2, 4])
        with self.assertRaises(RuntimeError):
            list(L.WeightedRandomSampler(w, 4, replacement=False))
        for bad in (dict(num_samples=0), dict(num_samples=2, replacement=1)):
            with self.assertRaises(ValueError):
                T.WeightedRandomSampler(w, **bad)
            with self.assertRaises(ValueError):
                L.WeightedRandomSampler(w, **bad)


class CollateTest(unittest.TestCase):
    def test_default_collate(self):
        for kind in ('triple', 'dict', 'nested', 'namedtuple', 'numpy'):
            with self.subTest(kind):
                ours = L.default_collate([Items(4, kind, Lt)[i] for i in range(3)])
                theirs = T.default_collate([Items(4, kind, torch)[i] for i in range(3)])
                self.assertEqual(to_np(ours), to_np(theirs))
        self.assertEqual(to_np(L.default_collate([1.5, 2.0])),
                         to_np(T.default_collate([1.5, 2.0])))
        self.assertEqual(L.default_collate(['a', 'b']), T.default_collate(['a', 'b']))
        with self.assertRaises(RuntimeError):
            L.default_collate([[1, 2], [1]])
        with self.assertRaises(TypeError):
            L.default_collate([object()])


class LoaderTest(unittest.TestCase):
    def both(self, kind=None, dataset=None, **kw):
        make_l = kw.pop('lt', {})
        make_t = kw.pop('torch', {})
        ds_l = dataset[0] if dataset else Items(10, kind, Lt)
        ds_t = dataset[1] if dataset else Items(10, kind, torch)
        for workers in (0, 2, 3):
            with self.subTest(kind=kind, num_workers=workers, **{k: str(v) for k, v in kw.items()}):
                ours = L.DataLoader(ds_l, num_workers=workers, **kw, **make_l)
                theirs = T.DataLoader(ds_t, num_workers=0, **kw, **make_t)
                got = [to_np(b) for b in ours]
                want = [to_np(b) for b in theirs]
                self.assertEqual(got, want)
                self.assertEqual(len(ours), len(theirs))
                # a second epoch reads the same
                self.assertEqual([to_np(b) for b in ours], want)

    def test_structures(self):
        for kind in ('triple', 'dict', 'nested', 'namedtuple', 'numpy'):
            self.both(kind, batch_size=4)
        self.both('dict', batch_size=3, drop_last=True)

    def test_collate_fn(self):
        def collate(batch):
            return {'n': len(batch), 'labels': [b[1] for b in batch]}
        self.both('triple', batch_size=4, collate_fn=collate)

    def test_samplers(self):
        class Every3:                   # a Python sampler
            def __iter__(self):
                return iter([9, 0, 3, 6])

            def __len__(self):
                return 4
        self.both('triple', batch_size=3, sampler=Every3())
        self.both('triple', lt=dict(batch_sampler=L.BatchSampler(L.SequentialSampler(range(10)),
                                                                    4, True)),
                  torch=dict(batch_sampler=T.BatchSampler(T.SequentialSampler(range(10)), 4,
                                                          True)))
        self.both('triple', batch_sampler=[[1, 2], [5], [9, 8, 7]])
        self.both('triple', batch_size=None)
        with self.assertRaises(ValueError):
            L.DataLoader(Items(3, 'triple', Lt), batch_sampler=[[0]], batch_size=2)
        with self.assertRaises(ValueError):
            L.DataLoader(Items(3, 'triple', Lt), sampler=[0], shuffle=True)

    def test_pairs_keep_the_c_loader(self):
        a = np.arange(20, dtype='float32').reshape(10, 2)
        b = np.arange(10)
        ours = L.DataLoader(L.TensorDataset(Lt.from_numpy(a), Lt.from_numpy(b)), batch_size=4)
        self.assertIsNotNone(ours._loader)
        theirs = T.DataLoader(T.TensorDataset(torch.from_numpy(a), torch.from_numpy(b)),
                              batch_size=4)
        self.assertEqual([to_np(list(x)) for x in ours], [to_np(x) for x in theirs])
        # one tensor: torch's 1-lists
        self.both(dataset=(L.TensorDataset(Lt.from_numpy(a)),
                           T.TensorDataset(torch.from_numpy(a))), batch_size=3)

    def test_iterable_dataset(self):
        for bs in (None, 1, 4):
            got = [to_np(b) for b in L.DataLoader(LtStream(10), batch_size=bs)]
            want = [to_np(b) for b in T.DataLoader(TorchStream(10), batch_size=bs)]
            self.assertEqual(got, want)
        # workers read their share; batches come from the workers in turn
        for workers in (2, 3):
            got = [to_np(b) for b in L.DataLoader(LtStream(11), batch_size=2,
                                                  num_workers=workers)]
            want = [to_np(b) for b in T.DataLoader(TorchStream(11), batch_size=2,
                                                   num_workers=workers)]
            self.assertEqual(got, want)
        with self.assertRaises(ValueError):
            L.DataLoader(LtStream(3), shuffle=True)

    def test_worker_init_fn_and_persistent_workers(self):
        seen = []
        lock = threading.Lock()

        def init(wid):
            info = L.get_worker_info()
            with lock:
                seen.append((wid, info.id, info.num_workers, threading.get_ident()))
        ds = Items(8, 'triple', Lt)
        loader = L.DataLoader(ds, batch_size=2, num_workers=2, worker_init_fn=init)
        for _ in range(2):
            self.assertEqual(len(list(loader)), 4)
        self.assertEqual(sorted((w, i, n) for w, i, n, _ in seen),
                         [(0, 0, 2), (0, 0, 2), (1, 1, 2), (1, 1, 2)])
        self.assertIsNone(L.get_worker_info())
        seen.clear()
        loader = L.DataLoader(ds, batch_size=2, num_workers=2, worker_init_fn=init,
                              persistent_workers=True)
        for _ in range(3):
            self.assertEqual(len(list(loader)), 4)
        self.assertEqual(sorted(w for w, *_ in seen), [0, 1])       # once per worker
        loader.close()
        with self.assertRaises(ValueError):
            L.DataLoader(ds, persistent_workers=True)

    def test_exceptions_reach_the_caller(self):
        class Boom(Exception):
            pass

        class Bad(Items):
            def __getitem__(self, i):
                if i == 5:
                    raise Boom('item 5')
                return super().__getitem__(i)

        def bad_collate(batch):
            raise Boom('collate')

        def bad_init(wid):
            raise Boom('init')
        for workers in (0, 2):
            with self.assertRaises(Boom):
                list(L.DataLoader(Bad(10, 'dict', Lt), batch_size=2, num_workers=workers))
            with self.assertRaises(Boom):
                list(L.DataLoader(Items(4, 'triple', Lt), collate_fn=bad_collate,
                                  num_workers=workers))
        with self.assertRaises(Boom):
            list(L.DataLoader(Items(4, 'triple', Lt), num_workers=2, worker_init_fn=bad_init))


if __name__ == '__main__':
    main()
