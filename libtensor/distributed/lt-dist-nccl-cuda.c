/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include <cuda_runtime.h>
#include <nccl.h>

#include "lt-dist-backend-private.h"
#include "backends/lt-backend-private.h"
#include "core/lt-error.h"

/*
 * The NCCL backend: collectives between CUDA tensors, GPU to GPU (NVLink
 * within a node, InfiniBand or sockets between nodes), as PyTorch's
 * "nccl" process groups.
 *
 * It is built into the library with the CUDA backend (LT_HAVE_NCCL), which
 * is what makes CUDA tensors, and MPI; in builds without the CUDA backend
 * meson compiles this file alone, against the CUDA toolkit's nccl.h when it
 * is found, to keep it building (libtensor/meson.build,
 * "lt-dist-nccl-check"), and lt-dist-nccl.c answers for "nccl".
 *
 * The CUDA backend must run on a GPU: its emulated device
 * (LT_CUDA_EMULATE=1) keeps tensors in host memory, which NCCL cannot
 * reach, and init says so. Each rank works on cuda:local_rank (modulo the
 * node's devices; _lt_dist_nccl_pick_device): its tensors must be there,
 * and a tensor on another device is a GError naming both.
 *
 * - Bootstrap and host exchanges through MPI: NCCL needs its unique id on
 *   every rank before it can talk, and the process group's own exchanges
 *   at initialisation are in host memory (LtDistCall.host); both go
 *   through the MPI backend, on the same mpirun job.
 * - One GPU per process: the local rank's (OMPI_COMM_WORLD_LOCAL_RANK,
 *   SLURM_LOCALID or LOCAL_RANK, modulo the GPUs of the node).
 * - Every collective is enqueued on the backend's own non-blocking stream
 *   and followed by an event; test() polls the event, and
 *   ncclCommGetAsyncError() for a failure of the communicator (a peer's
 *   network gone). Nothing blocks: the process group gives a collective up
 *   at its deadline (and the liveness channel names a lost peer), then
 *   abandon() aborts the communicator, which ends the kernels waiting on
 *   it.
 * - NCCL has no 16-bit integers: int16 tensors are refused by
 *   check_tensor(); bool travels as uint8 (the group makes SUM "any").
 */

typedef struct
{
  const LtDistBackend *mpi;
  gpointer             mpi_comm; /* bootstrap and host exchanges */
  ncclComm_t           comm;
  cudaStream_t         stream;
  int                  device;
  void                *scratch; /* one float on the device: barriers */
} NcclComm;

typedef struct
{
  gpointer    host; /* a request of the MPI backend, or NULL */
  cudaEvent_t done;
} NcclRequest;

static void
set_nccl_error (GError **error, const char *call, ncclResult_t rc)
{
  g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s failed: %s (NCCL error %d)", call,
               ncclGetErrorString (rc), (int) rc);
}

static void
set_cuda_error (GError **error, const char *call, cudaError_t rc)
{
  g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, "%s failed: %s (CUDA error %d)", call,
               cudaGetErrorString (rc), (int) rc);
}

/* Runs a host exchange through the MPI backend to its end (bootstrap
 * only, before the group's progress thread polls with a deadline). */
static gboolean
host_call (NcclComm *self, const LtDistCall *call, GError **error)
{
  gpointer request = self->mpi->start (self->mpi_comm, call, error);
  gboolean done = FALSE;

  if (request == NULL)
    return FALSE;
  while (!done)
    {
      if (!self->mpi->test (self->mpi_comm, request, &done, error))
        return FALSE;
      if (!done)
        g_usleep (100);
    }
  self->mpi->free_request (request);
  return TRUE;
}

static void
nccl_comm_free (NcclComm *self, gboolean abort_nccl)
{
  if (self->comm)
    {
      if (abort_nccl)
        ncclCommAbort (self->comm);
      else
        ncclCommDestroy (self->comm);
    }
  if (self->scratch)
    cudaFree (self->scratch);
  if (self->stream)
    cudaStreamDestroy (self->stream);
  if (self->mpi_comm)
    {
      if (abort_nccl)
        self->mpi->abandon (self->mpi_comm);
      else
        self->mpi->finalize (self->mpi_comm);
    }
  g_free (self);
}

static gpointer
nccl_init (int *rank, int *size, GError **error)
{
  NcclComm        *self = g_new0 (NcclComm, 1);
  const LtBackend *cuda;
  ncclUniqueId     id;
  LtDistCall       bcast = { 0 };
  cudaError_t      crc;
  ncclResult_t     nrc;

  /* The rank's device, cuda:local_rank, which the CUDA backend makes
   * current; its tensors must be in GPU memory before anything starts */
  cuda = _lt_dist_nccl_pick_device (*rank, &self->device, error);
  if (cuda == NULL)
    {
      g_free (self);
      return NULL;
    }
  if (cuda->memory_is_host && cuda->memory_is_host ())
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "nccl: the CUDA backend runs on the emulated device (LT_CUDA_EMULATE; this "
                   "rank's is cuda:%d), whose tensors are in host memory, which NCCL cannot "
                   "reach; use a GPU, or the \"mpi\" backend with CPU tensors",
                   self->device);
      g_free (self);
      return NULL;
    }
  self->mpi = _lt_dist_mpi_backend ();
  self->mpi_comm = self->mpi->init (rank, size, error);
  if (self->mpi_comm == NULL)
    {
      g_prefix_error (error, "nccl: bootstrapping through MPI: ");
      g_free (self);
      return NULL;
    }
  if ((crc = cudaSetDevice (self->device)) != cudaSuccess ||
      (crc = cudaStreamCreateWithFlags (&self->stream, cudaStreamNonBlocking)) != cudaSuccess ||
      (crc = cudaMalloc (&self->scratch, sizeof (float))) != cudaSuccess)
    {
      set_cuda_error (error, "nccl: preparing the GPU", crc);
      nccl_comm_free (self, TRUE);
      return NULL;
    }

  /* Rank 0's unique id to every rank, through MPI */
  if (*rank == 0 && (nrc = ncclGetUniqueId (&id)) != ncclSuccess)
    {
      set_nccl_error (error, "ncclGetUniqueId", nrc);
      nccl_comm_free (self, TRUE);
      return NULL;
    }
  bcast.kind = LT_DIST_BROADCAST;
  bcast.dtype = LT_DTYPE_UINT8;
  bcast.recv = &id;
  bcast.count = sizeof id;
  bcast.root = 0;
  bcast.host = TRUE;
  if (!host_call (self, &bcast, error))
    {
      g_prefix_error (error, "nccl: sending the unique id: ");
      nccl_comm_free (self, TRUE);
      return NULL;
    }
  nrc = ncclCommInitRank (&self->comm, *size, id, *rank);
  if (nrc != ncclSuccess)
    {
      self->comm = NULL;
      set_nccl_error (error, "ncclCommInitRank", nrc);
      nccl_comm_free (self, TRUE);
      return NULL;
    }
  return self;
}

static gboolean
nccl_type (LtDType dtype, ncclDataType_t *out)
{
  switch (dtype)
    {
      case LT_DTYPE_FLOAT32:
        *out = ncclFloat32;
        return TRUE;
      case LT_DTYPE_FLOAT64:
        *out = ncclFloat64;
        return TRUE;
      case LT_DTYPE_INT64:
        *out = ncclInt64;
        return TRUE;
      case LT_DTYPE_INT32:
        *out = ncclInt32;
        return TRUE;
      case LT_DTYPE_INT8:
        *out = ncclInt8;
        return TRUE;
      case LT_DTYPE_UINT8:
      case LT_DTYPE_BOOL:
        *out = ncclUint8;
        return TRUE;
      default:
        return FALSE;
    }
}

static ncclRedOp_t
nccl_op (LtReduceOp op)
{
  switch (op)
    {
      case LT_REDUCE_OP_MAX:
        return ncclMax;
      case LT_REDUCE_OP_MIN:
        return ncclMin;
      case LT_REDUCE_OP_SUM:
      default:
        return ncclSum;
    }
}

static gboolean
nccl_check_tensor (gpointer comm, LtTensor *tensor, const char *op, GError **error)
{
  NcclComm      *self = comm;
  ncclDataType_t type;

  if (!_lt_dist_nccl_check_device (tensor, self->device, op, error))
    return FALSE;
  if (!nccl_type (tensor->dtype, &type))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: NCCL has no %s type (it reduces float32, float64, int64, int32, int8, "
                   "uint8 and bool tensors)",
                   op, lt_dtype_get_name (tensor->dtype));
      return FALSE;
    }
  return TRUE;
}

static gpointer
nccl_start (gpointer comm, const LtDistCall *call, GError **error)
{
  NcclComm      *self = comm;
  NcclRequest   *request;
  ncclDataType_t type = ncclUint8;
  ncclResult_t   rc = ncclSuccess;
  cudaError_t    crc;
  const char    *name = "";
  size_t         count = (size_t) call->count;

  if (call->host)
    {
      gpointer host = self->mpi->start (self->mpi_comm, call, error);

      if (host == NULL)
        return NULL;
      request = g_new0 (NcclRequest, 1);
      request->host = host;
      return request;
    }
  if (call->kind != LT_DIST_BARRIER && !nccl_type (call->dtype, &type))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE, "NCCL has no %s type",
                   lt_dtype_get_name (call->dtype));
      return NULL;
    }
  if ((crc = cudaSetDevice (self->device)) != cudaSuccess)
    {
      set_cuda_error (error, "cudaSetDevice", crc);
      return NULL;
    }
  switch (call->kind)
    {
      case LT_DIST_ALL_REDUCE:
        name = "ncclAllReduce";
        rc = ncclAllReduce (call->recv, call->recv, count, type, nccl_op (call->op), self->comm,
                            self->stream);
        break;
      case LT_DIST_BROADCAST:
        name = "ncclBroadcast";
        rc =
          ncclBroadcast (call->recv, call->recv, count, type, call->root, self->comm, self->stream);
        break;
      case LT_DIST_ALL_GATHER:
        name = "ncclAllGather";
        rc = ncclAllGather (call->send, call->recv, count, type, self->comm, self->stream);
        break;
      case LT_DIST_REDUCE_SCATTER:
        name = "ncclReduceScatter";
        rc = ncclReduceScatter (call->send, call->recv, count, type, nccl_op (call->op), self->comm,
                                self->stream);
        break;
      case LT_DIST_BARRIER:
        /* NCCL has none: an all_reduce of one float does */
        name = "ncclAllReduce (barrier)";
        rc = ncclAllReduce (self->scratch, self->scratch, 1, ncclFloat32, ncclSum, self->comm,
                            self->stream);
        break;
      default:
        g_assert_not_reached ();
    }
  if (rc != ncclSuccess)
    {
      set_nccl_error (error, name, rc);
      return NULL;
    }
  request = g_new0 (NcclRequest, 1);
  if ((crc = cudaEventCreateWithFlags (&request->done, cudaEventDisableTiming)) != cudaSuccess ||
      (crc = cudaEventRecord (request->done, self->stream)) != cudaSuccess)
    {
      set_cuda_error (error, "cudaEventRecord", crc);
      g_free (request);
      return NULL;
    }
  return request;
}

static gboolean
nccl_test (gpointer comm, gpointer req, gboolean *done, GError **error)
{
  NcclComm    *self = comm;
  NcclRequest *request = req;
  ncclResult_t async = ncclSuccess, rc;
  cudaError_t  crc;

  if (request->host)
    return self->mpi->test (self->mpi_comm, request->host, done, error);
  crc = cudaEventQuery (request->done);
  if (crc == cudaSuccess)
    {
      *done = TRUE;
      return TRUE;
    }
  if (crc != cudaErrorNotReady)
    {
      set_cuda_error (error, "cudaEventQuery", crc);
      return FALSE;
    }
  /* Not done: has the communicator failed (a peer unreachable)? */
  rc = ncclCommGetAsyncError (self->comm, &async);
  if (rc != ncclSuccess)
    {
      set_nccl_error (error, "ncclCommGetAsyncError", rc);
      return FALSE;
    }
  if (async != ncclSuccess && async != ncclInProgress)
    {
      set_nccl_error (error, "the NCCL communicator", async);
      return FALSE;
    }
  *done = FALSE;
  return TRUE;
}

static void
nccl_free_request (gpointer req)
{
  NcclRequest *request = req;

  if (request->host)
    _lt_dist_mpi_backend ()->free_request (request->host);
  else
    cudaEventDestroy (request->done);
  g_free (request);
}

static void
nccl_finalize (gpointer comm)
{
  nccl_comm_free (comm, FALSE);
}

static void
nccl_abandon (gpointer comm)
{
  nccl_comm_free (comm, TRUE);
}

static const LtDistBackend nccl_backend = {
  .name = "nccl",
  .init = nccl_init,
  .check_tensor = nccl_check_tensor,
  .start = nccl_start,
  .test = nccl_test,
  .free_request = nccl_free_request,
  .finalize = nccl_finalize,
  .abandon = nccl_abandon,
};

const LtDistBackend *
_lt_dist_nccl_backend (void)
{
  return &nccl_backend;
}
