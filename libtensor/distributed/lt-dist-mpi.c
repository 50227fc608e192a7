/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <mpi.h>

#include "lt-dist-backend-private.h"
#include "core/lt-error.h"

/*
 * The MPI backend: CPU tensors, any MPI-3 library (Debian's Open MPI 4.1
 * is the one tested). Every call comes from the process group's progress
 * thread, one at a time: MPI_THREAD_SERIALIZED is enough, whichever thread
 * initialised MPI.
 *
 * The group works on its own duplicate of MPI_COMM_WORLD with
 * MPI_ERRORS_RETURN, so an MPI error is a GError, not an abort, and only
 * non-blocking collectives (MPI_Iallreduce, ...) polled with MPI_Test: a
 * blocking call could wait for ever on a lost peer (Open MPI 4.1 has no
 * ULFM), a polled one is given up at its deadline. MPI is initialised by
 * the first group (never when the library is loaded) and finalised at
 * process exit unless a peer was lost.
 */

typedef struct
{
  MPI_Comm comm;
} Comm;

/* MPI_Init was ours: MPI_Finalize at exit is ours too. */
static gboolean initialised_here;

/* MPI_SUM of 8- and 16-bit integers as C (and PyTorch) add them: modulo
 * 2^bits. Open MPI 4.1's AVX reductions (its op/avx component, chosen on
 * any x86 with AVX) add them with saturation instead (255 + 1 = 255), so
 * these types get an op of their own. */
static MPI_Op wrapping_sum = MPI_OP_NULL;

static void
wrapping_sum_fn (void *in, void *inout, int *len, MPI_Datatype *type)
{
  int n = *len;

  if (*type == MPI_UINT8_T || *type == MPI_INT8_T)
    {
      const guint8 *a = in;
      guint8       *b = inout;

      for (int i = 0; i < n; i++)
        b[i] = (guint8) (a[i] + b[i]);
    }
  else
    {
      const guint16 *a = in;
      guint16       *b = inout;

      for (int i = 0; i < n; i++)
        b[i] = (guint16) (a[i] + b[i]);
    }
}

static void
set_mpi_error (GError **error, const char *call, int rc)
{
  char text[MPI_MAX_ERROR_STRING] = "";
  int  len = 0;

  MPI_Error_string (rc, text, &len);
  g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s failed: %s (MPI error %d)", call, text, rc);
}

static gpointer
mpi_init (int *rank, int *size, GError **error)
{
  int   initialised = 0, finalised = 0, provided = MPI_THREAD_SINGLE, rc;
  Comm *self;

  MPI_Initialized (&initialised);
  MPI_Finalized (&finalised);
  if (finalised)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "MPI was finalised in this process: it cannot be initialised again");
      return NULL;
    }
  if (!initialised)
    {
      rc = MPI_Init_thread (NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
      if (rc != MPI_SUCCESS)
        {
          set_mpi_error (error, "MPI_Init_thread", rc);
          return NULL;
        }
      initialised_here = TRUE;
    }
  else
    MPI_Query_thread (&provided);
  if (provided < MPI_THREAD_SERIALIZED)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "the MPI library gives thread level %d; libtensor needs "
                   "MPI_THREAD_SERIALIZED (%d): its progress thread makes the calls%s",
                   provided, MPI_THREAD_SERIALIZED,
                   initialised ? " (MPI was initialised before, with a lower level)" : "");
      return NULL;
    }

  if (wrapping_sum == MPI_OP_NULL)
    {
      rc = MPI_Op_create (wrapping_sum_fn, 1, &wrapping_sum);
      if (rc != MPI_SUCCESS)
        {
          set_mpi_error (error, "MPI_Op_create", rc);
          return NULL;
        }
    }

  self = g_new0 (Comm, 1);
  rc = MPI_Comm_dup (MPI_COMM_WORLD, &self->comm);
  if (rc == MPI_SUCCESS)
    rc = MPI_Comm_set_errhandler (self->comm, MPI_ERRORS_RETURN);
  if (rc == MPI_SUCCESS)
    rc = MPI_Comm_rank (self->comm, rank);
  if (rc == MPI_SUCCESS)
    rc = MPI_Comm_size (self->comm, size);
  if (rc != MPI_SUCCESS)
    {
      set_mpi_error (error, "MPI_Comm_dup (MPI_COMM_WORLD)", rc);
      g_free (self);
      return NULL;
    }
  return self;
}

static MPI_Datatype
mpi_type (LtDType dtype)
{
  switch (dtype)
    {
      case LT_DTYPE_FLOAT32:
        return MPI_FLOAT;
      case LT_DTYPE_FLOAT64:
        return MPI_DOUBLE;
      case LT_DTYPE_INT64:
        return MPI_INT64_T;
      case LT_DTYPE_INT32:
        return MPI_INT32_T;
      case LT_DTYPE_INT16:
        return MPI_INT16_T;
      case LT_DTYPE_INT8:
        return MPI_INT8_T;
      case LT_DTYPE_UINT8:
      case LT_DTYPE_BOOL: /* 0 or 1 in a byte: any and all are MAX and MIN */
        return MPI_UINT8_T;
      default:
        return MPI_DATATYPE_NULL;
    }
}

static MPI_Op
mpi_op (LtReduceOp op, LtDType dtype)
{
  if (op == LT_REDUCE_OP_SUM &&
      (dtype == LT_DTYPE_UINT8 || dtype == LT_DTYPE_INT8 || dtype == LT_DTYPE_INT16))
    return wrapping_sum;
  switch (op)
    {
      case LT_REDUCE_OP_MAX:
        return MPI_MAX;
      case LT_REDUCE_OP_MIN:
        return MPI_MIN;
      case LT_REDUCE_OP_SUM:
      default:
        return MPI_SUM;
    }
}

static gboolean
mpi_check_tensor (gpointer comm, LtTensor *tensor, const char *op, GError **error)
{
  if (tensor->storage->device != LT_DEVICE_CPU)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "%s: the MPI backend works on CPU tensors, this one is on %s (use the "
                   "\"nccl\" backend for CUDA tensors)",
                   op, lt_device_get_name (tensor->storage->device));
      return FALSE;
    }
  if (tensor->numel > G_MAXINT)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: %" G_GINT64_FORMAT " elements are more than MPI's counts hold (%d); "
                   "split the tensor",
                   op, tensor->numel, G_MAXINT);
      return FALSE;
    }
  if (mpi_type (tensor->dtype) == MPI_DATATYPE_NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE, "%s: the MPI backend has no type for %s", op,
                   lt_dtype_get_name (tensor->dtype));
      return FALSE;
    }
  return TRUE;
}

static gpointer
mpi_start (gpointer comm, const LtDistCall *call, GError **error)
{
  Comm        *self = comm;
  MPI_Request *request = g_new (MPI_Request, 1);
  MPI_Datatype type = mpi_type (call->dtype);
  int          count = (int) call->count;
  const char  *name = "";
  int          rc = MPI_SUCCESS;

  switch (call->kind)
    {
      case LT_DIST_ALL_REDUCE:
        name = "MPI_Iallreduce";
        rc = MPI_Iallreduce (MPI_IN_PLACE, call->recv, count, type, mpi_op (call->op, call->dtype),
                             self->comm, request);
        break;
      case LT_DIST_BROADCAST:
        name = "MPI_Ibcast";
        rc = MPI_Ibcast (call->recv, count, type, call->root, self->comm, request);
        break;
      case LT_DIST_ALL_GATHER:
        name = "MPI_Iallgather";
        rc = MPI_Iallgather (call->send, count, type, call->recv, count, type, self->comm, request);
        break;
      case LT_DIST_REDUCE_SCATTER:
        name = "MPI_Ireduce_scatter_block";
        rc = MPI_Ireduce_scatter_block (call->send, call->recv, count, type,
                                        mpi_op (call->op, call->dtype), self->comm, request);
        break;
      case LT_DIST_BARRIER:
        name = "MPI_Ibarrier";
        rc = MPI_Ibarrier (self->comm, request);
        break;
      default:
        g_assert_not_reached ();
    }
  if (rc != MPI_SUCCESS)
    {
      set_mpi_error (error, name, rc);
      g_free (request);
      return NULL;
    }
  return request;
}

static gboolean
mpi_test (gpointer comm, gpointer request, gboolean *done, GError **error)
{
  int flag = 0;
  int rc = MPI_Test (request, &flag, MPI_STATUS_IGNORE);

  if (rc != MPI_SUCCESS)
    {
      set_mpi_error (error, "MPI_Test", rc);
      return FALSE;
    }
  *done = flag != 0;
  return TRUE;
}

static void
mpi_free_request (gpointer request)
{
  g_free (request);
}

static void
mpi_finalize (gpointer comm)
{
  Comm *self = comm;

  MPI_Comm_free (&self->comm);
  g_free (self);
}

static void
mpi_abandon (gpointer comm)
{
  /* MPI_Comm_free could wait on the lost peer: the communicator (and its
   * requests) stay as they are for the life of the process. */
  static GPtrArray *kept;

  if (kept == NULL)
    kept = g_ptr_array_new ();
  g_ptr_array_add (kept, comm);
}

void
_lt_dist_mpi_at_exit (gboolean failed)
{
  int finalised = 0;

  MPI_Finalized (&finalised);
  /* After a lost peer MPI_Finalize might wait for it: the process ends
   * without (mpirun --enable-recovery accepts that). */
  if (initialised_here && !finalised && !failed)
    MPI_Finalize ();
}

static const LtDistBackend mpi_backend = {
  .name = "mpi",
  .init = mpi_init,
  .check_tensor = mpi_check_tensor,
  .start = mpi_start,
  .test = mpi_test,
  .free_request = mpi_free_request,
  .finalize = mpi_finalize,
  .abandon = mpi_abandon,
};

const LtDistBackend *
_lt_dist_mpi_backend (void)
{
  return &mpi_backend;
}
