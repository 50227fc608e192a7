/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lt-cuda-private.h"

/*
 * The emulated device (LT_CUDA_EMULATE=1): device memory is host memory,
 * every buffer followed by sentinel bytes that are checked when it is
 * freed (a kernel writing past its buffer is caught there); the stream is
 * the calling thread, so every call completes before it returns; kernels
 * are lt-cuda-kernels.cu and lt-cuda-kernels-math.cu compiled for the host
 * (_lt_cu_kernels_emulated, _lt_cu_math_kernels_emulated).
 * The device has a fixed capacity, so running out of memory behaves as on
 * a GPU. LT_CUDA_EMULATE=N gives N devices, each with its own capacity;
 * the current device is the calling thread's (as cudaSetDevice's), and
 * every buffer remembers the device it was allocated on. Page-locked host
 * buffers are host memory too, marked so that they are told apart.
 */

#define HEADER 64 /* keeps the buffer 64-byte aligned */
#define SENTINEL 64
#define SENTINEL_BYTE 0xA5

typedef struct
{
  gsize   nbytes;
  guint64 magic;
  int     device;
} Header;

#define MAGIC G_GUINT64_CONSTANT (0x4c54435544414d45)
#define HOST_MAGIC G_GUINT64_CONSTANT (0x4c5450494e4e4544)
#define MAX_DEVICES 16

static GMutex            lock;
static gsize             capacity = (gsize) 8 << 30;
static gsize             in_use[MAX_DEVICES];
static gsize             n_corrupted;
static gsize             n_host_buffers;
static int               n_devices_set;
static _Thread_local int current;

void
_lt_cuda_emulated_set_device_count (int n)
{
  g_atomic_int_set (&n_devices_set, CLAMP (n, 0, MAX_DEVICES));
}

gsize
_lt_cuda_emulated_n_host_buffers (void)
{
  gsize n;

  g_mutex_lock (&lock);
  n = n_host_buffers;
  g_mutex_unlock (&lock);
  return n;
}

static int
n_devices (void)
{
  const char *env = g_getenv ("LT_CUDA_EMULATE");
  int         n = g_atomic_int_get (&n_devices_set);

  if (n > 0)
    return n;
  n = env ? atoi (env) : 1;
  return CLAMP (n, 1, MAX_DEVICES);
}

void
_lt_cuda_emulated_set_capacity (size_t cap)
{
  g_mutex_lock (&lock);
  capacity = cap ? cap : (gsize) 8 << 30;
  g_mutex_unlock (&lock);
}

gsize
_lt_cuda_emulated_n_corrupted (void)
{
  return g_atomic_pointer_get (&n_corrupted);
}

static int
emu_device_count (int *n)
{
  *n = n_devices ();
  return LT_CU_OK;
}

static int
emu_device_name (int device, char *buf, size_t len)
{
  if (device < 0 || device >= n_devices ())
    return LT_CU_ERR_INVALID_VALUE;
  if (device == 0)
    g_strlcpy (buf, "Emulated CUDA device (host memory)", len);
  else
    g_snprintf (buf, len, "Emulated CUDA device %d (host memory)", device);
  return LT_CU_OK;
}

static int
emu_set_device (int device)
{
  if (device < 0 || device >= n_devices ())
    return LT_CU_ERR_INVALID_VALUE;
  current = device;
  return LT_CU_OK;
}

static int
emu_mem_get_info (size_t *free_bytes, size_t *total_bytes)
{
  g_mutex_lock (&lock);
  *free_bytes = capacity - MIN (in_use[current], capacity);
  *total_bytes = capacity;
  g_mutex_unlock (&lock);
  return LT_CU_OK;
}

static int
emu_malloc (void **ptr, size_t nbytes)
{
  Header *h;
  guint8 *p;

  int device = current;

  g_mutex_lock (&lock);
  if (nbytes > capacity || in_use[device] > capacity - nbytes)
    {
      g_mutex_unlock (&lock);
      *ptr = NULL;
      return LT_CU_ERR_MEMORY_ALLOCATION;
    }
  in_use[device] += nbytes;
  g_mutex_unlock (&lock);
  p = g_try_malloc (HEADER + nbytes + SENTINEL);
  if (p == NULL)
    {
      g_mutex_lock (&lock);
      in_use[device] -= nbytes;
      g_mutex_unlock (&lock);
      *ptr = NULL;
      return LT_CU_ERR_MEMORY_ALLOCATION;
    }
  h = (Header *) p;
  h->nbytes = nbytes;
  h->magic = MAGIC;
  h->device = device;
  /* fresh device memory is garbage, not zeros */
  memset (p + HEADER, 0xCB, nbytes);
  memset (p + HEADER + nbytes, SENTINEL_BYTE, SENTINEL);
  *ptr = p + HEADER;
  return LT_CU_OK;
}

static int
emu_free (void *ptr)
{
  guint8  *p;
  Header  *h;
  gboolean intact = TRUE;

  if (ptr == NULL)
    return LT_CU_OK;
  p = (guint8 *) ptr - HEADER;
  h = (Header *) p;
  if (h->magic != MAGIC)
    return LT_CU_ERR_INVALID_VALUE;
  for (gsize i = 0; i < SENTINEL; i++)
    intact &= p[HEADER + h->nbytes + i] == SENTINEL_BYTE;
  g_mutex_lock (&lock);
  in_use[h->device] -= h->nbytes;
  if (!intact)
    n_corrupted++;
  g_mutex_unlock (&lock);
  h->magic = 0;
  g_free (p);
  /* a write past a buffer is what a GPU reports as an illegal address */
  return intact ? LT_CU_OK : LT_CU_ERR_ILLEGAL_ADDRESS;
}

static int
emu_memcpy_async (void *dst, const void *src, size_t nbytes, LtCudaCopyKind kind, void *stream)
{
  (void) kind;
  (void) stream;
  if (nbytes)
    memmove (dst, src, nbytes);
  return LT_CU_OK;
}

static int
emu_memset_async (void *dst, int value, size_t nbytes, void *stream)
{
  (void) stream;
  memset (dst, value, nbytes);
  return LT_CU_OK;
}

static int
emu_memcpy_peer_async (void       *dst,
                       int         dst_device,
                       const void *src,
                       int         src_device,
                       size_t      nbytes,
                       void       *stream)
{
  const Header *hd = (const Header *) ((const guint8 *) dst - HEADER);
  const Header *hs = (const Header *) ((const guint8 *) src - HEADER);

  (void) stream;
  /* device pointers are found by their header (a block the caching
   * allocator split off is not at a buffer's start: only whole buffers are
   * checked) that they are on the devices the copy names */
  if (dst_device < 0 || dst_device >= n_devices () || src_device < 0 ||
      src_device >= n_devices () || (hd->magic == MAGIC && hd->device != dst_device) ||
      (hs->magic == MAGIC && hs->device != src_device))
    return LT_CU_ERR_INVALID_VALUE;
  if (nbytes)
    memmove (dst, src, nbytes);
  return LT_CU_OK;
}

static int
emu_host_alloc (void **ptr, size_t nbytes)
{
  guint8 *p = g_try_malloc (HEADER + MAX (nbytes, 1));
  Header *h = (Header *) p;

  if (p == NULL)
    {
      *ptr = NULL;
      return LT_CU_ERR_MEMORY_ALLOCATION;
    }
  h->nbytes = nbytes;
  h->magic = HOST_MAGIC;
  h->device = -1;
  g_mutex_lock (&lock);
  n_host_buffers++;
  g_mutex_unlock (&lock);
  *ptr = p + HEADER;
  return LT_CU_OK;
}

static int
emu_host_free (void *ptr)
{
  guint8 *p;
  Header *h;

  if (ptr == NULL)
    return LT_CU_OK;
  p = (guint8 *) ptr - HEADER;
  h = (Header *) p;
  /* cudaFreeHost of a pointer cudaHostAlloc did not give */
  if (h->magic != HOST_MAGIC)
    return LT_CU_ERR_INVALID_VALUE;
  h->magic = 0;
  g_mutex_lock (&lock);
  n_host_buffers--;
  g_mutex_unlock (&lock);
  g_free (p);
  return LT_CU_OK;
}

static int
emu_stream_create (void **stream)
{
  /* one stream per device, told apart by address */
  static int the_streams[MAX_DEVICES];

  *stream = &the_streams[current];
  return LT_CU_OK;
}

static int
emu_stream_synchronize (void *stream)
{
  (void) stream;
  return LT_CU_OK;
}

static int
emu_get_last_error (void)
{
  return LT_CU_OK;
}

static const char *
emu_error_string (int status)
{
  switch (status)
    {
      case LT_CU_OK:
        return "no error";
      case LT_CU_ERR_INVALID_VALUE:
        return "invalid argument";
      case LT_CU_ERR_MEMORY_ALLOCATION:
        return "out of memory";
      case LT_CU_ERR_INSUFFICIENT_DRIVER:
        return "CUDA driver version is insufficient for CUDA runtime version";
      case LT_CU_ERR_NO_DEVICE:
        return "no CUDA-capable device is detected";
      case LT_CU_ERR_ILLEGAL_ADDRESS:
        return "an illegal memory access was encountered";
      case LT_CU_ERR_LAUNCH_FAILURE:
        return "unspecified launch failure";
      case 701:
        return "too many resources requested for launch";
      case LT_CU_UNSUPPORTED:
        return "no kernel for these types";
      default:
        return "unknown error";
    }
}

static const LtCudaRuntime emulated = {
  .name = "emulated",
  .device_count = emu_device_count,
  .device_name = emu_device_name,
  .set_device = emu_set_device,
  .mem_get_info = emu_mem_get_info,
  .malloc = emu_malloc,
  .free = emu_free,
  .memcpy_async = emu_memcpy_async,
  .memset_async = emu_memset_async,
  .memcpy_peer_async = emu_memcpy_peer_async,
  .host_alloc = emu_host_alloc,
  .host_free = emu_host_free,
  .stream_create = emu_stream_create,
  .stream_synchronize = emu_stream_synchronize,
  .get_last_error = emu_get_last_error,
  .error_string = emu_error_string,
  .kernels = &_lt_cu_kernels_emulated,
  .blas_gemm = NULL,
  .math_kernels = &_lt_cu_math_kernels_emulated,
  .index_kernels = &_lt_cu_index_kernels_emulated,
  .scan_kernels = &_lt_cu_scan_kernels_emulated,
  .fused_kernels = &_lt_cu_fused_kernels_emulated,
  .linalg_kernels = &_lt_cu_linalg_kernels_emulated,
};

const LtCudaRuntime *
_lt_cuda_runtime_emulated (void)
{
  return &emulated;
}

gboolean
_lt_cuda_status_is_sticky (int status)
{
  /* cudaErrorIllegalAddress .. cudaErrorLaunchFailure and the other
   * errors that lose the context (CUDA's runtime API documentation) */
  switch (status)
    {
      case 700: /* illegal address */
      case 710: /* device-side assert */
      case 714: /* hardware stack error */
      case 715: /* illegal instruction */
      case 716: /* misaligned address */
      case 717: /* invalid address space */
      case 718: /* invalid pc */
      case 719: /* launch failure */
      case 999: /* unknown */
        return TRUE;
      default:
        return FALSE;
    }
}
