/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-dist-backend-private.h"
#include "core/lt-error.h"

/* The only file that knows which communication backends were built. */

gboolean
_lt_dist_backend_built (const char *name)
{
  if (g_strcmp0 (name, "mpi") == 0)
    return LT_HAVE_MPI;
  if (g_strcmp0 (name, "nccl") == 0)
    return LT_HAVE_NCCL;
  return FALSE;
}

const LtDistBackend *
_lt_dist_backend_lookup (const char *name, GError **error)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (g_strcmp0 (lower, "mpi") == 0)
    {
#if LT_HAVE_MPI
      return _lt_dist_mpi_backend ();
#else
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "init_process_group: libtensor was built without MPI (install "
                   "libopenmpi-dev and configure with -Dmpi=enabled)");
      return NULL;
#endif
    }
  if (g_strcmp0 (lower, "nccl") == 0)
    return _lt_dist_nccl_backend ();
  if (g_strcmp0 (lower, "gloo") == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "init_process_group: libtensor has no \"gloo\" backend: use \"mpi\" for CPU "
                   "tensors (under mpirun) or \"nccl\" for CUDA tensors");
      return NULL;
    }
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "init_process_group: unknown backend \"%s\" (known: \"mpi\", \"nccl\")", name);
  return NULL;
}
