#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Lt.distributed, Lt.nn.parallel.DistributedDataParallel and
Lt.utils.data.distributed.DistributedSampler from Python, on every rank of
an mpirun job (tests/distributed/mpi-launch.py runs it on 2 and 3 ranks).

- The collectives (all_reduce with each ReduceOp, sums of small integers
  wrapping around, broadcast, all_gather,
  all_gather_into_tensor, reduce_scatter, reduce_scatter_tensor, barrier,
  and their async_op forms) against their definitions in numpy: every rank
  draws every rank's random input from the rank's seed.
- DDP training of the tutorial's classifier, fed by a DataLoader with a
  DistributedSampler, for a few steps: its parameters equal those of one
  process training on the global batches (the union of the ranks'
  batches), also with gradient accumulation under no_sync.
- The sampler takes num_replicas and rank from the group; the ranks'
  shards are disjoint and cover the dataset.

A rank that passes writes $LT_TEST_RESULT_DIR/rank-R.ok (as the C tests'
dist_pass); mpi-launch.py requires one per rank.
"""

import os
import sys
import traceback

import numpy as np

import gi
gi.require_version('Lt', '1.0')
from gi.repository import GLib, Lt  # noqa: E402

sys.path.insert(0, os.path.join(os.environ['LT_SOURCE_DIR'], 'examples'))
from tutorial_net import classifier_net  # noqa: E402

dist = Lt.distributed
ReduceOp = dist.ReduceOp
DTYPES = {'float32': Lt.float32, 'float64': Lt.float64, 'int64': Lt.int64, 'int32': Lt.int32,
          'int16': Lt.int16, 'int8': Lt.int8, 'uint8': Lt.uint8, 'bool': Lt.bool}
rank = size = None


def inputs(shape, dtype, salt):
    """Every rank's input (numpy), the same on every rank."""
    out = []
    for r in range(size):
        rng = np.random.RandomState(1000 * salt + r)
        if dtype == 'bool':
            out.append(rng.rand(*shape) < 0.5)
        elif dtype.startswith('float'):
            out.append(rng.randn(*shape).astype(dtype))
        else:
            # the whole range: sums wrap around as C's and torch's do
            # (Open MPI's AVX reductions saturate 8- and 16-bit ones)
            info = np.iinfo(dtype)
            lo, hi = (-2**40, 2**40) if info.bits == 64 else (int(info.min), int(info.max) + 1)
            out.append(rng.randint(lo, hi, shape, dtype=np.int64).astype(dtype))
    return out


def assert_equal(got, want, what, exact=True):
    got = got.numpy()
    if got.shape != want.shape or got.dtype != want.dtype:
        raise AssertionError('%s: %s %s, want %s %s' % (what, got.shape, got.dtype, want.shape,
                                                        want.dtype))
    if exact:
        np.testing.assert_array_equal(got, want, err_msg=what)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=what)


def test_identity():
    assert dist.is_available() and dist.is_mpi_available() and dist.is_initialized()
    assert rank == int(os.environ['OMPI_COMM_WORLD_RANK']), rank
    assert size == int(os.environ['OMPI_COMM_WORLD_SIZE']), size
    assert dist.get_backend() == 'mpi'


def test_all_reduce():
    salt = 1
    for dtype in DTYPES:
        for n in (0, 1, 13, 100003):
            salt += 1
            xs = inputs((n,), dtype, salt)
            ops = {'sum': ReduceOp.SUM, 'max': ReduceOp.MAX, 'min': ReduceOp.MIN}
            if dtype.startswith('float'):
                ops['avg'] = ReduceOp.AVG
            for name, op in ops.items():
                t = Lt.from_numpy(xs[rank].copy())
                if name == 'sum':
                    want = np.any(xs, axis=0) if dtype == 'bool' else \
                        np.sum(xs, axis=0, dtype=xs[0].dtype)
                elif name == 'max':
                    want = np.max(xs, axis=0) if n else xs[0]
                elif name == 'min':
                    want = np.min(xs, axis=0) if n else xs[0]
                else:
                    want = (np.sum(xs, axis=0, dtype=np.float64) / size).astype(dtype)
                w = dist.all_reduce(t, op=op, async_op=(n == 13))
                if w is not None:
                    w.wait()
                    assert w.is_completed()
                assert_equal(t, want.astype(xs[0].dtype),
                             'all_reduce %s %s of %d' % (name, dtype, n),
                             exact=not dtype.startswith('float'))


def test_broadcast():
    for dtype in DTYPES:
        for src in range(size):
            xs = inputs((3, 5), dtype, 50 + src)
            t = Lt.from_numpy(xs[rank].copy())
            dist.broadcast(t, src=src)
            assert_equal(t, xs[src], 'broadcast %s from %d' % (dtype, src))


def test_all_gather():
    for dtype in DTYPES:
        xs = inputs((4, 3), dtype, 70)
        out = [Lt.zeros(4, 3, dtype=DTYPES[dtype]) for _ in range(size)]
        dist.all_gather(out, Lt.from_numpy(xs[rank].copy()))
        for r in range(size):
            assert_equal(out[r], xs[r], 'all_gather %s, part %d' % (dtype, r))
        flat = Lt.zeros(size * 4, 3, dtype=DTYPES[dtype])
        w = dist.all_gather_into_tensor(flat, Lt.from_numpy(xs[rank].copy()), async_op=True)
        w.wait()
        assert_equal(flat, np.concatenate(xs), 'all_gather_into_tensor %s' % dtype)
    try:
        dist.all_gather([Lt.zeros(2)], Lt.zeros(2)) if size != 1 else None
    except ValueError as e:
        assert 'tensor_list has 1 tensors for %d ranks' % size in str(e), e
    else:
        raise AssertionError('all_gather took a list of the wrong length')


def test_reduce_scatter():
    for dtype in ('float32', 'float64', 'int64'):
        xs = inputs((size, 7), dtype, 90)
        out = Lt.zeros(7, dtype=DTYPES[dtype])
        dist.reduce_scatter(out, [Lt.from_numpy(xs[rank][r].copy()) for r in range(size)],
                            op=ReduceOp.SUM)
        want = np.sum(xs, axis=0, dtype=xs[0].dtype)[rank]
        assert_equal(out, want, 'reduce_scatter %s' % dtype, exact=dtype == 'int64')
        out = Lt.zeros(7, dtype=DTYPES[dtype])
        dist.reduce_scatter_tensor(out, Lt.from_numpy(xs[rank].reshape(-1).copy()),
                                   op=ReduceOp.MAX)
        assert_equal(out, np.max(xs, axis=0)[rank], 'reduce_scatter_tensor max %s' % dtype)


def test_barrier_and_errors():
    dist.barrier()
    dist.barrier(async_op=True).wait()
    try:
        dist.all_reduce(Lt.zeros(2), op='median')
    except ValueError as e:
        assert 'unknown reduce op' in str(e), e
    else:
        raise AssertionError('a reduce op that does not exist was taken')
    try:
        dist.all_reduce(Lt.zeros(2, dtype=Lt.int64), op=ReduceOp.AVG)
    except GLib.Error as e:
        assert 'int64' in e.message, e.message
    else:
        raise AssertionError('AVG of int64 tensors was taken')


def test_sampler_shards():
    data = list(range(101))
    s = Lt.utils.data.distributed.DistributedSampler(data, shuffle=True, seed=4)
    assert (s.num_replicas, s.rank) == (size, rank)
    mine = Lt.tensor(list(s), dtype=Lt.int64)
    out = [Lt.zeros(len(s), dtype=Lt.int64) for _ in range(size)]
    dist.all_gather(out, mine)
    union = [i for t in out for i in t.tolist()]
    # padded: the first (size - 101 % size) % size items are read twice
    assert sorted(set(union)) == data, 'the shards do not cover the dataset'
    assert len(union) == len(s) * size == -(-101 // size) * size


def make_net(seed):
    Lt.manual_seed(seed)
    return classifier_net(Lt)()


def flat(net):
    return np.concatenate([p.detach().numpy().ravel() for p in net.parameters()])


def train_and_compare(micro_batches):
    per_rank, steps = 4, 3
    n = per_rank * size * steps * micro_batches
    Lt.manual_seed(77)
    images = Lt.randn(n, 3, 32, 32)
    labels = Lt.randint(0, 10, (n,))
    dataset = Lt.utils.data.TensorDataset(images, labels)
    criterion = Lt.nn.CrossEntropyLoss()

    ref = make_net(1234)
    ref_opt = Lt.optim.SGD(ref.parameters(), lr=0.01, momentum=0.9)
    net = make_net(1234 + rank)             # rank 0's parameters must come by broadcast
    ddp = Lt.nn.parallel.DistributedDataParallel(net, bucket_cap_mb=0.05)
    assert ddp.module is net
    np.testing.assert_array_equal(flat(net), flat(ref))
    opt = Lt.optim.SGD(ddp.parameters(), lr=0.01, momentum=0.9)
    sampler = Lt.utils.data.distributed.DistributedSampler(dataset, shuffle=True, seed=11)
    loader = Lt.utils.data.DataLoader(dataset, batch_size=per_rank, sampler=sampler)
    shards = [list(Lt.utils.data.distributed.DistributedSampler(
        dataset, num_replicas=size, rank=r, shuffle=True, seed=11)) for r in range(size)]

    batches = iter(loader)
    for step in range(steps):
        for j in range(micro_batches):
            b = step * micro_batches + j
            x, y = next(batches)
            rows = [i for r in range(size) for i in shards[r][b * per_rank:(b + 1) * per_rank]]
            assert y.tolist() == labels[shards[rank][b * per_rank:(b + 1) * per_rank]].tolist()
            idx = Lt.tensor(rows, dtype=Lt.int64)
            (criterion(ref(images[idx]), labels[idx]) / micro_batches).backward()
            if j < micro_batches - 1:
                with ddp.no_sync():
                    (criterion(ddp(x), y) / micro_batches).backward()
            else:
                (criterion(ddp(x), y) / micro_batches).backward()
        ref_opt.step()
        opt.step()
        ref_opt.zero_grad()
        opt.zero_grad()
    got, want = flat(net), flat(ref)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6,
                               err_msg='DDP on %d ranks against one process' % size)
    assert not np.array_equal(want, flat(make_net(1234))), 'the training moved nothing'
    every = [Lt.zeros(got.size, dtype=Lt.float32) for _ in range(size)]
    dist.all_gather(every, Lt.from_numpy(got.astype(np.float32)))
    for r in range(size):
        np.testing.assert_array_equal(every[r].numpy(), got, err_msg='rank %d differs' % r)


def test_ddp():
    train_and_compare(1)


def test_ddp_no_sync():
    train_and_compare(2)


def main():
    global rank, size
    Lt.set_num_threads(1)
    dist.init_process_group('mpi', timeout=120)
    rank, size = dist.get_rank(), dist.get_world_size()
    failed = 0
    for name, fn in list(globals().items()):
        if name.startswith('test_') and callable(fn):
            try:
                fn()
                print('rank %d: ok - %s' % (rank, name), flush=True)
            except Exception:  # noqa: BLE001 - report every test
                failed += 1
                print('rank %d: not ok - %s' % (rank, name), flush=True)
                traceback.print_exc()
    dist.destroy_process_group()
    try:
        dist.get_rank()
    except RuntimeError:
        pass
    else:
        failed += 1
        print('rank %d: not ok - get_rank after destroy_process_group' % rank)
    if failed == 0:
        with open(os.path.join(os.environ['LT_TEST_RESULT_DIR'], 'rank-%d.ok' % rank), 'w'):
            pass
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
