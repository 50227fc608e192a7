/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lt-backend-private.h"

/*
 * The only place that knows which backends were built. LT_BACKEND=cpu in the
 * environment hides every other backend (useful to run a program that asks
 * for "auto" on the CPU only).
 */

static gboolean
backend_allowed (const char *name)
{
  const char *env = g_getenv ("LT_BACKEND");

  if (env == NULL || *env == '\0')
    return TRUE;
  return strcmp (env, name) == 0 || strcmp (name, "cpu") == 0;
}

const LtBackend *
_lt_backend_get_cpu (void)
{
  return _lt_cpu_backend_get ();
}

const LtBackend *
_lt_backend_get (LtDevice  device,
                 GError  **error)
{
  switch (_lt_device_type (device))
    {
    case LT_DEVICE_CPU:
      return _lt_cpu_backend_get ();
    case LT_DEVICE_CUDA:
#if LT_HAVE_CUDA
      /* the index becomes the calling thread's current CUDA device */
      if (backend_allowed ("cuda"))
        return _lt_cuda_backend_get_device (_lt_device_index (device), error);
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "the CUDA backend is hidden by LT_BACKEND=%s", g_getenv ("LT_BACKEND"));
      return NULL;
#else
      (void) backend_allowed;
      g_set_error_literal (error, LT_ERROR, LT_ERROR_DEVICE,
                           "cuda: this libtensor was built without the CUDA backend "
                           "(configure with -Dcuda=enabled on a machine with the CUDA toolkit)");
      return NULL;
#endif
    default:
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, "unknown device %d", (int) device);
      return NULL;
    }
}

gboolean
_lt_backend_supports_op (LtDevice device,
                         LtOp     op,
                         LtDType  dtype)
{
  const LtBackend *backend = _lt_backend_get (device, NULL);

  if (backend == NULL || backend->kernels[op] == NULL)
    return FALSE;
  return backend->supports_op ? backend->supports_op (op, dtype) : TRUE;
}

void
_lt_backends_set_num_threads (int n_threads)
{
  const LtBackend *cpu = _lt_cpu_backend_get ();

  if (cpu->set_num_threads)
    cpu->set_num_threads (n_threads);
}

int
_lt_backends_get_num_threads (void)
{
  const LtBackend *cpu = _lt_cpu_backend_get ();

  return cpu->get_num_threads ? cpu->get_num_threads () : 1;
}
