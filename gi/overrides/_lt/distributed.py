# SPDX-License-Identifier: LGPL-2.1-or-later
"""Data-parallel training from Python, with torch's spellings:
``Lt.distributed`` (torch.distributed over LtProcessGroup),
``Lt.nn.parallel.DistributedDataParallel`` and, in data.py,
``Lt.utils.data.distributed.DistributedSampler``.

Part of gi/overrides/Lt.py, which exports ``distributed`` and hangs
``parallel`` on ``Lt.nn``.  Run the script under mpirun::

    mpirun -np 2 /usr/bin/python3 train.py

    import gi; gi.require_version('Lt', '1.0'); from gi.repository import Lt
    dist = Lt.distributed
    dist.init_process_group('mpi')
    net = Lt.nn.parallel.DistributedDataParallel(Net())
    sampler = Lt.utils.data.distributed.DistributedSampler(trainset)
    loader = Lt.utils.data.DataLoader(trainset, batch_size=4, sampler=sampler)
    ...
    dist.destroy_process_group()

A lost peer or a collective past the timeout raises ``GLib.Error``
(Lt.Error.PEER_LOST naming the rank, or TIMED_OUT) on every surviving
rank.  Only the default group exists: ``group=`` accepts None or that
group.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any, Callable, Iterator, Sequence

from .common import Lt, Tensor, namespace, override
from .common import RuntimeError_, ValueError_
from .nn import _module_base, nn

__all__ = ['distributed']

_DEFAULT_TIMEOUT = datetime.timedelta(seconds=Lt.DISTRIBUTED_DEFAULT_TIMEOUT)


class ReduceOp:
    """How all_reduce and reduce_scatter combine the ranks' tensors, as
    torch.distributed.ReduceOp."""
    SUM = Lt.ReduceOp.SUM
    AVG = Lt.ReduceOp.AVG
    MAX = Lt.ReduceOp.MAX
    MIN = Lt.ReduceOp.MIN


class Backend:
    """The names of the backends, as torch.distributed.Backend."""
    MPI = 'mpi'
    NCCL = 'nccl'
    GLOO = 'gloo'


def _group(group):
    pg = Lt.ProcessGroup.get_default()
    if pg is None:
        raise RuntimeError_('Default process group has not been initialized, please make sure '
                           'to call init_process_group.')
    if group is not None and group != pg:
        raise ValueError_('only the default process group exists (group=None)')
    return pg


def _op(op):
    if isinstance(op, Lt.ReduceOp):
        return op
    try:
        return Lt.ReduceOp(int(op))
    except (TypeError, ValueError):
        raise ValueError_('unknown reduce op %r: use Lt.distributed.ReduceOp' % (op,)) from None


class _Work:
    """The handle of an async_op collective, as torch's Work: wait() blocks
    until it completes (and raises its GLib.Error), is_completed()."""

    def __init__(self, work: Lt.Work, then: Callable[[], None] | None = None) -> None:
        self._work = work
        self._then = then

    def wait(self, timeout: Any = None) -> bool:
        self._work.wait()
        if self._then is not None:
            then, self._then = self._then, None
            then()
        return True

    def is_completed(self) -> bool:
        return self._work.is_completed()

    def is_success(self) -> bool:
        return self._work.is_completed()


def _run(work, async_op, then=None):
    w = _Work(work, then)
    if async_op:
        return w
    w.wait()
    return None


def is_available() -> bool:
    """True when this build has a backend that can run here (MPI)."""
    return bool(Lt.distributed_is_available('mpi'))


def is_mpi_available() -> bool:
    return bool(Lt.distributed_is_available('mpi'))


def is_nccl_available() -> bool:
    return bool(Lt.distributed_is_available('nccl'))


def is_gloo_available() -> bool:
    return False


def is_initialized() -> bool:
    return bool(Lt.distributed_is_initialized())


def is_torchelastic_launched() -> bool:
    return False


def init_process_group(backend: str = 'mpi', init_method: str | None = None,
                       timeout: datetime.timedelta = _DEFAULT_TIMEOUT, world_size: int = -1,
                       rank: int = -1, store: Any = None, group_name: str = '',
                       pg_options: Any = None) -> None:
    """Joins the processes of the job, from mpirun's environment: backend
    'mpi' (CPU tensors) or 'nccl' (CUDA tensors).  world_size and rank,
    when given, must be mpirun's; timeout (a timedelta or seconds) bounds
    every collective."""
    if init_method not in (None, 'env://'):
        raise ValueError_('init_process_group: init_method %r is not supported: the processes '
                         'come from mpirun' % (init_method,))
    if store is not None:
        raise ValueError_('init_process_group: store is not supported: the processes come '
                         'from mpirun')
    seconds = timeout.total_seconds() if isinstance(timeout, datetime.timedelta) \
        else float(timeout)
    Lt.init_process_group(str(backend).lower(), seconds)
    pg = Lt.ProcessGroup.get_default()
    for name, want, have in (('world_size', world_size, pg.get_size()),
                             ('rank', rank, pg.get_rank())):
        if int(want) >= 0 and int(want) != have:
            Lt.destroy_process_group()
            raise ValueError_('init_process_group: %s=%d, but mpirun started this process with '
                             '%s %d' % (name, int(want), name, have))


def destroy_process_group(group: Any = None) -> None:
    _group(group)
    Lt.destroy_process_group()


def get_rank(group: Any = None) -> int:
    return _group(group).get_rank()


def get_world_size(group: Any = None) -> int:
    return _group(group).get_size()


def get_backend(group: Any = None) -> str:
    return _group(group).get_backend()


def all_reduce(tensor: Tensor, op: Any = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> _Work | None:
    """Reduces `tensor` over the ranks in place: every rank gets the
    result."""
    return _run(_group(group).all_reduce_async(tensor, _op(op)), async_op)


def broadcast(tensor: Tensor, src: int, group: Any = None,
              async_op: bool = False) -> _Work | None:
    """Copies rank `src`'s `tensor` into every rank's."""
    return _run(_group(group).broadcast_async(tensor, int(src)), async_op)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor, group: Any = None,
                           async_op: bool = False) -> _Work | None:
    """Every rank's `input_tensor`, rank by rank, into `output_tensor` (of
    world_size times its elements)."""
    return _run(_group(group).all_gather_async(output_tensor, input_tensor), async_op)


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None,
               async_op: bool = False) -> _Work | None:
    """Rank r's `tensor` into `tensor_list[r]`, on every rank."""
    pg = _group(group)
    if len(tensor_list) != pg.get_size():
        raise ValueError_('all_gather: tensor_list has %d tensors for %d ranks'
                         % (len(tensor_list), pg.get_size()))
    for t in tensor_list:
        if tuple(t.shape) != tuple(tensor.shape) or t.dtype != tensor.dtype:
            raise ValueError_('all_gather: tensor_list holds a %s %s tensor for a %s %s input'
                             % (tuple(t.shape), t.dtype, tuple(tensor.shape), tensor.dtype))
    out = Lt.empty([pg.get_size()] + list(tensor.shape), dtype=tensor.dtype)

    def scatter():
        for r, t in enumerate(tensor_list):
            t.copy_(out[r])

    return _run(pg.all_gather_async(out, tensor.contiguous()), async_op, scatter)


def reduce_scatter_tensor(output: Tensor, input: Tensor, op: Any = ReduceOp.SUM,
                          group: Any = None, async_op: bool = False) -> _Work | None:
    """Reduces every rank's `input` and gives rank r the r-th of
    world_size equal parts."""
    return _run(_group(group).reduce_scatter_async(output, input, _op(op)), async_op)


def reduce_scatter(output: Tensor, input_list: Sequence[Tensor], op: Any = ReduceOp.SUM,
                   group: Any = None, async_op: bool = False) -> _Work | None:
    """Reduces `input_list[r]` over the ranks into rank r's `output`."""
    pg = _group(group)
    if len(input_list) != pg.get_size():
        raise ValueError_('reduce_scatter: input_list has %d tensors for %d ranks'
                         % (len(input_list), pg.get_size()))
    flat = Lt.stack(list(input_list), 0)
    return _run(pg.reduce_scatter_async(output, flat, _op(op)), async_op)


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> _Work | None:
    """Returns when every rank has called barrier."""
    return _run(_group(group).barrier_async(), async_op)


distributed = namespace('Lt.distributed', 'torch.distributed for libtensor (MPI; NCCL with '
                        'the CUDA backend).', {
                            'ReduceOp': ReduceOp, 'Backend': Backend, 'Work': _Work,
                            'is_available': is_available, 'is_mpi_available': is_mpi_available,
                            'is_nccl_available': is_nccl_available,
                            'is_gloo_available': is_gloo_available,
                            'is_initialized': is_initialized,
                            'is_torchelastic_launched': is_torchelastic_launched,
                            'init_process_group': init_process_group,
                            'destroy_process_group': destroy_process_group,
                            'get_rank': get_rank, 'get_world_size': get_world_size,
                            'get_backend': get_backend, 'all_reduce': all_reduce,
                            'broadcast': broadcast, 'all_gather': all_gather,
                            'all_gather_into_tensor': all_gather_into_tensor,
                            'reduce_scatter': reduce_scatter,
                            'reduce_scatter_tensor': reduce_scatter_tensor,
                            'barrier': barrier,
                        })


@override
class DistributedDataParallel(_module_base(Lt.DistributedDataParallel)):
    """``nn.parallel.DistributedDataParallel(module)``: each rank trains its
    copy of `module` on its shard of the batch; after backward every rank
    holds the gradients averaged over the ranks, reduced in buckets of
    bucket_cap_mb while backward runs.  Parameters and buffers are
    broadcast from rank 0 at construction.  ``with ddp.no_sync():``
    accumulates gradients locally.  Every parameter must get a gradient in
    each synchronised backward (find_unused_parameters is not
    supported)."""

    def __new__(cls, module, device_ids=None, output_device=None, dim=0,
                broadcast_buffers=True, process_group=None, bucket_cap_mb=25,
                find_unused_parameters=False, check_reduction=False,
                gradient_as_bucket_view=False, static_graph=False):
        if device_ids not in (None, [], [0]) or output_device not in (None, 0):
            raise ValueError_('DistributedDataParallel: device_ids and output_device are for one '
                             'device per process; leave them out')
        if int(dim) != 0:
            raise ValueError_('DistributedDataParallel: dim=%d: only the batch dimension 0 is '
                             'supported' % int(dim))
        if find_unused_parameters:
            raise ValueError_('DistributedDataParallel: find_unused_parameters is not supported: '
                             'every parameter that requires grad must get a gradient')
        pg = _group(process_group)
        ddp = Lt.DistributedDataParallel.new(module, pg, float(bucket_cap_mb))
        ddp.set_broadcast_buffers(bool(broadcast_buffers))
        return ddp

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    @property
    def module(self) -> Any:
        return self.get_module()

    @property
    def process_group(self) -> Any:
        return self.get_process_group()

    @property
    def require_backward_grad_sync(self) -> bool:
        return self.get_require_backward_grad_sync()

    @require_backward_grad_sync.setter
    def require_backward_grad_sync(self, value: bool) -> None:
        self.set_require_backward_grad_sync(bool(value))

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Within it, forward and backward accumulate gradients locally; the
        first synchronised backward after it averages the sums."""
        old = self.get_require_backward_grad_sync()
        self.set_require_backward_grad_sync(False)
        try:
            yield
        finally:
            self.set_require_backward_grad_sync(old)


parallel = namespace('Lt.nn.parallel', 'torch.nn.parallel for libtensor.',
                     {'DistributedDataParallel': DistributedDataParallel})
nn.parallel = parallel
nn.__all__ = sorted(set(nn.__all__) | {'parallel'})
