/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-cuda.h"
#include "lt-error.h"
#include "backends/lt-backend-private.h"
#include "backends/lt-device-private.h"

/*
 * torch.cuda's questions, answered by the backend of LT_DEVICE_CUDA through
 * the registry (which alone knows whether it was built). Without a driver,
 * a device or the backend, CUDA is unavailable and lt_cuda_init() says why;
 * the library works on the CPU either way.
 */

static const LtBackend *
cuda_backend (GError **error)
{
  return _lt_backend_get (LT_DEVICE_CUDA, error);
}

/* The backend with device @index current */
static const LtBackend *
device_backend (int index, GError **error)
{
  LtDevice d;

  if (!_lt_device_from_index (LT_DEVICE_CUDA, index, &d, error))
    return NULL;
  return _lt_backend_get (d, error);
}

/**
 * lt_cuda_is_available:
 *
 * Whether CUDA tensors can be made, as `torch.cuda.is_available()`: the
 * CUDA backend was built and found a device (or the emulated device, with
 * `LT_CUDA_EMULATE=1` in the environment). lt_cuda_init() says why not.
 *
 * Returns: %TRUE when the CUDA backend has a device
 */
gboolean
lt_cuda_is_available (void)
{
  return cuda_backend (NULL) != NULL;
}

/**
 * lt_cuda_init:
 * @error: return location for a #GError
 *
 * Starts the CUDA backend now instead of at its first use, as
 * `torch.cuda.init()`.
 *
 * Returns: %TRUE on success, %FALSE with @error set (%LT_ERROR_DEVICE)
 *   saying why CUDA is unavailable
 */
gboolean
lt_cuda_init (GError **error)
{
  return cuda_backend (error) != NULL;
}

/**
 * lt_cuda_device_count:
 *
 * The number of CUDA devices, as `torch.cuda.device_count()`.
 *
 * Returns: the number of devices; 0 when CUDA is unavailable
 */
int
lt_cuda_device_count (void)
{
  const LtBackend *b = cuda_backend (NULL);

  return b && b->device_count ? b->device_count () : 0;
}

/**
 * lt_cuda_get_device_name:
 * @device: the device's index, from 0
 * @error: return location for a #GError
 *
 * The name of a CUDA device, as `torch.cuda.get_device_name()`.
 *
 * Returns: (transfer full) (nullable): the name, or %NULL with @error set
 */
char *
lt_cuda_get_device_name (int device, GError **error)
{
  const LtBackend *b = cuda_backend (error);
  char            *name = NULL;

  if (b == NULL)
    return NULL;
  if (device < 0 || device >= b->device_count ())
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, "cuda:%d: there are %d CUDA devices", device,
                   b->device_count ());
      return NULL;
    }
  if (!b->device_name (device, &name, error))
    return NULL;
  return name;
}

/**
 * lt_cuda_mem_get_info:
 * @free_bytes: (out): the device's free memory in bytes
 * @total_bytes: (out): the device's memory in bytes
 * @error: return location for a #GError
 *
 * The memory of CUDA device 0, as `torch.cuda.mem_get_info()`.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
lt_cuda_mem_get_info (gsize *free_bytes, gsize *total_bytes, GError **error)
{
  const LtBackend *b = cuda_backend (error);

  *free_bytes = *total_bytes = 0;
  return b != NULL && b->memory_info (free_bytes, total_bytes, error);
}

static void
stats (guint64 *allocated, guint64 *reserved, guint64 *peak)
{
  const LtBackend *b = cuda_backend (NULL);

  *allocated = *reserved = *peak = 0;
  if (b && b->memory_stats)
    b->memory_stats (allocated, reserved, peak);
}

/**
 * lt_cuda_memory_allocated:
 *
 * The bytes of device memory that tensors hold, as
 * `torch.cuda.memory_allocated()` (sizes rounded up to the allocator's
 * 512-byte unit).
 *
 * Returns: the bytes in use; 0 when CUDA is unavailable
 */
guint64
lt_cuda_memory_allocated (void)
{
  guint64 a, r, p;

  stats (&a, &r, &p);
  return a;
}

/**
 * lt_cuda_memory_reserved:
 *
 * The bytes of device memory that the caching allocator holds, in use or
 * cached, as `torch.cuda.memory_reserved()`.
 *
 * Returns: the bytes reserved; 0 when CUDA is unavailable
 */
guint64
lt_cuda_memory_reserved (void)
{
  guint64 a, r, p;

  stats (&a, &r, &p);
  return r;
}

/**
 * lt_cuda_max_memory_allocated:
 *
 * The most bytes tensors held at once, as
 * `torch.cuda.max_memory_allocated()`.
 *
 * Returns: the peak; 0 when CUDA is unavailable
 */
guint64
lt_cuda_max_memory_allocated (void)
{
  guint64 a, r, p;

  stats (&a, &r, &p);
  return p;
}

/**
 * lt_cuda_empty_cache:
 *
 * Gives the device memory that the caching allocator holds unused back to
 * the driver, as `torch.cuda.empty_cache()`. Tensors keep theirs.
 */
void
lt_cuda_empty_cache (void)
{
  const LtBackend *b = cuda_backend (NULL);

  if (b && b->empty_cache)
    b->empty_cache ();
}

/**
 * lt_cuda_synchronize:
 * @error: return location for a #GError
 *
 * Waits for the work queued on the CUDA device, as
 * `torch.cuda.synchronize()`, and reports what failed there: a kernel's
 * error, or a data-dependent error the kernels recorded (an integer
 * division by zero).
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
lt_cuda_synchronize (GError **error)
{
  const LtBackend *b = cuda_backend (error);

  return b != NULL && (b->synchronize == NULL || b->synchronize (error));
}

/**
 * lt_cuda_device_mem_get_info:
 * @device: the device's index, from 0
 * @free_bytes: (out): the device's free memory in bytes
 * @total_bytes: (out): the device's memory in bytes
 * @error: return location for a #GError
 *
 * The memory of CUDA device @device, as `torch.cuda.mem_get_info(device)`.
 *
 * Returns: %TRUE on success, %FALSE with @error set (%LT_ERROR_DEVICE for
 *   an index past the devices there are)
 */
gboolean
lt_cuda_device_mem_get_info (int device, gsize *free_bytes, gsize *total_bytes, GError **error)
{
  const LtBackend *b = device_backend (device, error);

  *free_bytes = *total_bytes = 0;
  return b != NULL && b->memory_info (free_bytes, total_bytes, error);
}

/**
 * lt_cuda_device_memory_stats:
 * @device: the device's index, from 0
 * @allocated: (out): the bytes tensors hold on the device
 * @reserved: (out): the bytes the caching allocator holds there
 * @max_allocated: (out): the most bytes tensors held there at once
 * @error: return location for a #GError
 *
 * The caching allocator's figures for CUDA device @device, as
 * `torch.cuda.memory_allocated(device)`, `memory_reserved(device)` and
 * `max_memory_allocated(device)` (lt_cuda_memory_allocated() and its
 * siblings are these for device 0).
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
lt_cuda_device_memory_stats (int      device,
                             guint64 *allocated,
                             guint64 *reserved,
                             guint64 *max_allocated,
                             GError **error)
{
  const LtBackend *b = device_backend (device, error);

  *allocated = *reserved = *max_allocated = 0;
  if (b == NULL)
    return FALSE;
  if (b->memory_stats)
    b->memory_stats (allocated, reserved, max_allocated);
  return TRUE;
}

/**
 * lt_cuda_device_synchronize:
 * @device: the device's index, from 0
 * @error: return location for a #GError
 *
 * Waits for the work queued on CUDA device @device, as
 * `torch.cuda.synchronize(device)`, and reports what failed there, as
 * lt_cuda_synchronize() does for device 0.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
lt_cuda_device_synchronize (int device, GError **error)
{
  const LtBackend *b = device_backend (device, error);

  return b != NULL && (b->synchronize == NULL || b->synchronize (error));
}
