/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-dist-backend-private.h"
#include "core/lt-error.h"

/*
 * The NCCL backend's answer in builds without it: "nccl" is a known
 * backend with a clear error. The communication itself
 * (lt-dist-nccl-cuda.c: NCCL bootstrapped through MPI, collectives on a
 * stream polled through events) needs tensors in GPU memory, which only
 * the CUDA backend makes, and MPI; it replaces this file in builds that
 * have both and the toolkit's NCCL (libtensor/meson.build).
 */

#define NO_CUDA                                                                                    \
  "NCCL is not built into this libtensor: it needs the CUDA backend (nvcc and the CUDA "           \
  "toolkit's NCCL) and MPI, which bootstraps it"

static gpointer
nccl_init (int *rank, int *size, GError **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               NO_CUDA " (use the \"mpi\" backend for CPU tensors)");
  return NULL;
}

static gboolean
nccl_check_tensor (gpointer comm, LtTensor *tensor, const char *op, GError **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, "%s: " NO_CUDA " (this tensor is on %s)", op,
               lt_device_get_name (tensor->storage->device));
  return FALSE;
}

static gpointer
nccl_start (gpointer comm, const LtDistCall *call, GError **error)
{
  g_set_error_literal (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, NO_CUDA);
  return NULL;
}

static gboolean
nccl_test (gpointer comm, gpointer request, gboolean *done, GError **error)
{
  g_set_error_literal (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, NO_CUDA);
  return FALSE;
}

static void
nccl_free_request (gpointer request)
{
}

static void
nccl_finalize (gpointer comm)
{
}

static const LtDistBackend nccl_backend = {
  .name = "nccl",
  .init = nccl_init,
  .check_tensor = nccl_check_tensor,
  .start = nccl_start,
  .test = nccl_test,
  .free_request = nccl_free_request,
  .finalize = nccl_finalize,
  .abandon = nccl_finalize,
};

const LtDistBackend *
_lt_dist_nccl_backend (void)
{
  return &nccl_backend;
}
