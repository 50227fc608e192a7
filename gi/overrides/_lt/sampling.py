# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python side of ``Lt.utils.data``: samplers, ``default_collate``,
``ConcatDataset``, ``IterableDataset``, ``get_worker_info`` and the loader
that ``DataLoader`` uses when it is given what the C loader (LtDataLoader,
which stacks (input, target) pairs) does not do: a ``collate_fn``, a
``sampler`` or ``batch_sampler`` written in Python, a ``worker_init_fn``,
``batch_size=None``, an iterable dataset, or items that are not (input,
target) pairs (tuples of any length, dicts, nested containers, numbers,
strings).

That loader follows torch.utils.data's order of work: the batch sampler
gives lists of indices, the items are fetched with ``dataset[i]`` and
``collate_fn`` makes the batch.  ``num_workers`` threads fetch batches
ahead, in order; each runs ``worker_init_fn(worker_id)`` first (once, with
``persistent_workers``, else at every epoch).  An exception raised in a
dataset, ``collate_fn`` or ``worker_init_fn`` reaches the caller of
``next()`` as that same exception.

The random samplers draw from the global generator (``Lt.manual_seed``);
their orders differ from torch's for the same seed.
"""

from __future__ import annotations

import bisect
import collections.abc
import itertools
import math
import numbers
import queue
import threading
from typing import Any, Callable, Iterator

from .common import Lt, TypeError_, ValueError_, loaded_numpy
from .common import IndexError_, RuntimeError_

_GITensor = Lt.Tensor

__all__ = ['Sampler', 'SequentialSampler', 'RandomSampler', 'SubsetRandomSampler',
           'WeightedRandomSampler', 'BatchSampler', 'default_collate', 'ConcatDataset',
           'IterableDataset', 'get_worker_info', 'PyLoader']


class Sampler:
    """The base of samplers, as torch.utils.data.Sampler: ``__iter__``
    gives indices (or lists of indices, for a batch sampler)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _randperm(n, generator):
    from .generator import randperm
    return [int(i) for i in randperm(n, generator=generator).tolist()]


def _uniform(n, generator=None):
    from .generator import rand
    return [float(u) for u in rand(n, generator=generator).tolist()] if n else []


class RandomSampler(Sampler):
    """A random permutation of the indices, or ``num_samples`` indices drawn
    with replacement, as torch.utils.data.RandomSampler."""

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None, generator: Any = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError_('replacement should be a boolean value, but got replacement={}'
                            .format(self.replacement))
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError_('num_samples should be a positive integer value, but got '
                             'num_samples={}'.format(self.num_samples))

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        if self.replacement:
            return iter(min(int(u * n), n - 1) for u in _uniform(self.num_samples, self.generator))
        out = []
        for _ in range(self.num_samples // n):
            out += _randperm(n, self.generator)
        out += _randperm(n, self.generator)[:self.num_samples % n]
        return iter(out)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order."""

    def __init__(self, indices: Any, generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[Any]:
        for i in _randperm(len(self.indices), self.generator):
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to
    ``weights``, with or without replacement."""

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or \
                num_samples <= 0:
            raise ValueError_('num_samples should be a positive integer value, but got '
                             'num_samples={}'.format(num_samples))
        if not isinstance(replacement, bool):
            raise ValueError_('replacement should be a boolean value, but got replacement={}'
                             .format(replacement))
        if isinstance(weights, _GITensor):
            weights = weights.tolist()
        w = [float(x) for x in weights]
        if len(w) == 0 or any(not math.isfinite(x) or x < 0 for x in w) or sum(w) <= 0:
            raise RuntimeError_('WeightedRandomSampler: weights must be finite, non-negative '
                               'and not all zero')
        if not replacement and num_samples > sum(1 for x in w if x > 0):
            raise RuntimeError_('WeightedRandomSampler: cannot draw %d samples without '
                               'replacement from %d categories of non-zero weight'
                               % (num_samples, sum(1 for x in w if x > 0)))
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        w = list(self.weights)
        out = []
        if self.replacement:
            cum = list(itertools.accumulate(w))
            for u in _uniform(self.num_samples, self.generator):
                out.append(min(bisect.bisect_right(cum, u * cum[-1]), len(w) - 1))
            return iter(out)
        for u in _uniform(self.num_samples, self.generator):
            cum = list(itertools.accumulate(w))
            i = min(bisect.bisect_right(cum, u * cum[-1]), len(w) - 1)
            while w[i] == 0:          # u * total fell on the end of a zero run
                i -= 1
            out.append(i)
            w[i] = 0.0
        return iter(out)

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler`` (the last one
    shorter unless ``drop_last``)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError_('batch_size should be a positive integer value, but got '
                             'batch_size={}'.format(batch_size))
        if not isinstance(drop_last, bool):
            raise ValueError_('drop_last should be a boolean value, but got drop_last={}'
                             .format(drop_last))
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[Any]]:
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else \
            (n + self.batch_size - 1) // self.batch_size


def default_convert(data: Any) -> Any:
    """What the loader gives for an item when batch_size is None: numpy
    arrays become tensors, containers are converted inside."""
    np = loaded_numpy()
    if np is not None and isinstance(data, np.ndarray) and data.dtype.kind in 'biuf':
        from .creation import tensor
        return tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()}) \
            if not isinstance(data, dict) else {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, '_fields'):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch: list[Any]) -> Any:
    """A batch from a list of items, as torch.utils.data.default_collate:
    tensors (and numpy arrays) are stacked along a new first dimension,
    floats give a float64 tensor, ints an int64 tensor, strings a list,
    and dicts, named tuples, tuples and lists are collated field by field
    (tuples give lists)."""
    from .creation import tensor
    elem = batch[0]
    np = loaded_numpy()
    if isinstance(elem, _GITensor):
        return Lt.stack(batch, 0)
    if np is not None and isinstance(elem, (np.ndarray, np.generic)) and \
            not isinstance(elem, (np.str_, np.bytes_)):
        if elem.dtype.kind not in 'biuf':
            raise TypeError_('default_collate: batch must contain tensors, numpy arrays, '
                            'numbers, dicts or lists; found numpy dtype %s' % elem.dtype)
        if isinstance(elem, np.ndarray) and elem.ndim > 0:
            return Lt.stack([tensor(b) for b in batch], 0)
        return tensor(np.array(batch))
    if isinstance(elem, bool):
        return tensor(batch)
    if isinstance(elem, float):
        return tensor(batch, dtype=Lt.DType.FLOAT64)
    if isinstance(elem, numbers.Integral):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(out) if not isinstance(elem, dict) or type(elem) is not dict \
                else out
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError_('each element in list of batch should be of equal size')
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        try:
            return type(elem)([default_collate(samples) for samples in transposed])
        except TypeError:
            return [default_collate(samples) for samples in transposed]
    raise TypeError_('default_collate: batch must contain tensors, numpy arrays, numbers, '
                    'dicts or lists; found {}'.format(type(elem)))


class ConcatDataset:
    """The datasets one after another, as torch.utils.data.ConcatDataset."""

    @staticmethod
    def cumsum(sequence: list[Any]) -> list[int]:
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets: Any) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError('datasets should not be an empty iterable')
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError('ConcatDataset does not support IterableDataset')
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError_('absolute value of index should not exceed dataset length')
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        if dataset_idx >= len(self.datasets):
            raise IndexError_('index %d is out of range for a dataset of %d items'
                             % (idx, len(self)))
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset:
    """The base of datasets read as a stream (``__iter__``), as
    torch.utils.data.IterableDataset.  With ``num_workers`` > 0 every
    worker reads its own copy of the stream: split the work in
    ``__iter__`` with ``get_worker_info()``, as with torch."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError

    def __add__(self, other: Any) -> Any:
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Iterable datasets one after another."""

    def __init__(self, datasets: Any) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d


class WorkerInfo:
    """What ``get_worker_info()`` gives in a worker: ``id``,
    ``num_workers``, ``seed`` and ``dataset``."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        return 'WorkerInfo(%s)' % ', '.join('%s=%r' % kv for kv in self.__dict__.items()
                                            if kv[0] != 'dataset')


_worker = threading.local()


def get_worker_info() -> WorkerInfo | None:
    """In a loader's worker, the worker's WorkerInfo; elsewhere None."""
    return getattr(_worker, 'info', None)


class _Fail:
    def __init__(self, exc):
        self.exc = exc


_DONE = object()


class _Worker:
    """A thread that runs jobs (callables) from its own queue, after
    worker_init_fn(worker_id)."""

    def __init__(self, loader, wid, seed):
        self.jobs = queue.Queue()
        self.thread = threading.Thread(target=self._run, args=(loader, wid, seed), daemon=True,
                                       name='lt-loader-worker-%d' % wid)
        self.init_failure = None
        self.thread.start()

    def _run(self, loader, wid, seed):
        _worker.info = WorkerInfo(id=wid, num_workers=loader.num_workers, seed=seed,
                                  dataset=loader.dataset)
        if loader.worker_init_fn is not None:
            try:
                loader.worker_init_fn(wid)
            except BaseException as e:  # re-raised by next(), as it is
                self.init_failure = e
        while True:
            job = self.jobs.get()
            if job is None:
                return
            fn, out = job
            if self.init_failure is not None:
                out.put(_Fail(self.init_failure))
                continue
            try:
                out.put(fn())
            except BaseException as e:  # re-raised by next(), as it is
                out.put(_Fail(e))

    def stop(self):
        self.jobs.put(None)


class PyLoader:
    """The loader of DataLoader when the C one does not fit (see the module
    docstring)."""

    def __init__(self, dataset, batch_size, shuffle, sampler, batch_sampler, num_workers,
                 collate_fn, drop_last, worker_init_fn, generator, persistent_workers,
                 prefetch_factor):
        self.dataset = dataset
        self.num_workers = num_workers
        self.worker_init_fn = worker_init_fn
        self.persistent_workers = persistent_workers
        self.prefetch = max(1, (prefetch_factor or 2)) * max(1, num_workers)
        self.generator = generator
        self.iterable = isinstance(dataset, IterableDataset)
        if self.iterable:
            if shuffle or sampler is not None or batch_sampler is not None:
                raise ValueError_('DataLoader with IterableDataset: expected unspecified '
                                 'shuffle, sampler and batch_sampler options')
            self.sampler = None
            self.batch_sampler = None
        else:
            if sampler is None:
                sampler = RandomSampler(dataset, generator=generator) if shuffle \
                    else SequentialSampler(dataset)
            self.sampler = sampler
            if batch_sampler is None and batch_size is not None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
            self.batch_sampler = batch_sampler
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.auto_collation = batch_size is not None or self.batch_sampler is not None
        if collate_fn is None:
            collate_fn = default_collate if self.auto_collation else default_convert
        self.collate_fn = collate_fn
        self._workers = None
        self._epoch = 0

    def __len__(self) -> int:
        if self.iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    # the work, as jobs

    def _fetch_map(self, indices):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[indices])
        items = []
        try:
            for i in indices:
                items.append(self.dataset[i])
        except BaseException:
            # The items die here, not while the exception unwinds: a tensor
            # made from a numpy array releases it through a Python callback,
            # which PyGObject cannot run with an exception pending (it would
            # replace the exception with a SystemError).
            items.clear()
            raise
        return self.collate_fn(items)

    def _index_jobs(self):
        source = self.batch_sampler if self.batch_sampler is not None else self.sampler
        for indices in source:
            yield lambda indices=indices: self._fetch_map(indices)

    def _stream_batches(self):
        """The batches of an iterable dataset, read where this runs."""
        it = iter(self.dataset)
        if not self.auto_collation:
            for item in it:
                yield self.collate_fn(item)
            return
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)

    # epochs

    def _start_workers(self):
        # the workers' seeds, from the global generator (torch's base_seed + id)
        base = int(_uniform(1)[0] * 2 ** 31)
        return [_Worker(self, w, base + w) for w in range(self.num_workers)]

    def _stop_workers(self, workers):
        for w in workers:
            w.stop()

    def __iter__(self) -> Iterator[Any]:
        self._epoch += 1
        if self.num_workers == 0:
            if self.iterable:
                return self._stream_batches()
            return (job() for job in self._index_jobs())
        if self.persistent_workers:
            if self._workers is None:
                self._workers = self._start_workers()
            workers = self._workers
        else:
            workers = self._start_workers()
        return self._threaded(workers, not self.persistent_workers)

    def _threaded(self, workers, stop_after):
        try:
            if self.iterable:
                yield from self._threaded_streams(workers)
            else:
                yield from self._threaded_jobs(workers)
        finally:
            if stop_after:
                self._stop_workers(workers)

    def _threaded_jobs(self, workers):
        """Jobs dealt to the workers in turn, up to prefetch ahead, results
        in order."""
        jobs = self._index_jobs()
        pending = collections.deque()
        k = 0
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.prefetch:
                try:
                    job = next(jobs)
                except StopIteration:
                    exhausted = True
                    break
                out = queue.Queue(maxsize=1)
                workers[k % len(workers)].jobs.put((job, out))
                k += 1
                pending.append(out)
            if not pending:
                return
            result = pending.popleft().get()
            if isinstance(result, _Fail):
                raise result.exc
            yield result

    def _threaded_streams(self, workers):
        """Each worker reads its own copy of the stream; batches are taken
        from the workers in turn, as torch's."""
        outs = []
        for w in workers:
            out = queue.Queue(maxsize=self.prefetch)

            def run(out=out):
                for batch in self._stream_batches():
                    out.put(batch)
                return _DONE
            # the worker puts run()'s _DONE, or its exception, after the batches
            w.jobs.put((run, out))
            outs.append(out)
        live = list(outs)
        while live:
            for out in list(live):
                result = out.get()
                if result is _DONE:
                    live.remove(out)
                    continue
                if isinstance(result, _Fail):
                    raise result.exc
                yield result

    def close(self):
        if self._workers is not None:
            self._stop_workers(self._workers)
            self._workers = None
