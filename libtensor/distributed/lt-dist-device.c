/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "lt-dist-backend-private.h"
#include "backends/lt-backend-private.h"
#include "core/lt-error.h"

/*
 * The CUDA device of a rank of an NCCL process group: cuda:local_rank,
 * modulo the devices of the node, as torchrun's LOCAL_RANK convention.
 * Kept apart from the NCCL calls so that the choice is the same in every
 * build and testable without a GPU.
 */

int
_lt_dist_local_rank (int rank)
{
  static const char *const names[] = { "OMPI_COMM_WORLD_LOCAL_RANK", "MV2_COMM_WORLD_LOCAL_RANK",
                                       "SLURM_LOCALID", "LOCAL_RANK" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *v = g_getenv (names[i]);

      if (v && *v)
        return atoi (v);
    }
  return rank;
}

const struct _LtBackend *
_lt_dist_nccl_pick_device (int rank, int *device, GError **error)
{
  const LtBackend *cuda = _lt_backend_get (LT_DEVICE_CUDA, error);
  int              n, local;

  if (cuda == NULL)
    {
      g_prefix_error (error, "nccl: ");
      return NULL;
    }
  n = cuda->device_count ? cuda->device_count () : 1;
  local = _lt_dist_local_rank (rank);
  if (n <= 0 || local < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "nccl: rank %d (local rank %d) has no CUDA device (%d on this node)", rank,
                   local, n);
      return NULL;
    }
  *device = local % n;
  cuda = _lt_backend_get (_lt_device_make (LT_DEVICE_CUDA, *device), error);
  if (cuda == NULL)
    g_prefix_error (error, "nccl: rank %d (local rank %d): ", rank, local);
  return cuda;
}

gboolean
_lt_dist_nccl_check_device (LtTensor *tensor, int device, const char *op, GError **error)
{
  LtDevice want = _lt_device_make (LT_DEVICE_CUDA, device);

  if (_lt_device_type (tensor->storage->device) != LT_DEVICE_CUDA)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "%s: the NCCL backend works on CUDA tensors, this one is on %s (use the "
                   "\"mpi\" backend for CPU tensors)",
                   op, _lt_device_name (tensor->storage->device));
      return FALSE;
    }
  if (tensor->storage->device != want)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "%s: expected the tensor on the process group's device %s (this rank's local "
                   "rank), found it on %s",
                   op, _lt_device_name (want), _lt_device_name (tensor->storage->device));
      return FALSE;
    }
  return TRUE;
}
