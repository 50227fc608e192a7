/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cuda-private.h"

/*
 * The fake runtime of the tests: the emulated device, with the failures a
 * GPU can have injected on request (LtCudaFakeConfig): cudaMalloc out of
 * memory at the Nth call, a launch that loses the context of the device
 * it runs on (every later call about that device fails, as CUDA's sticky
 * errors do; the other devices go on) and a launch that fails on its own.
 * It counts mallocs, frees and launches, so tests can check that a
 * training loop's steady state makes no cudaMalloc.
 */

#define STICKY LT_CU_ERR_ILLEGAL_ADDRESS
#define LAUNCH_OUT_OF_RESOURCES 701

static GMutex            lock;
static LtCudaFakeConfig  config;
static LtCudaFakeCounts  counts;
static guint             mallocs_seen, launches_seen;
static gboolean          lost[LT_MAX_DEVICE_INDEX]; /* the devices whose context is lost */
static _Thread_local int fake_current;              /* the calling thread's device */

/* Whether the calling thread's current device is lost */
static gboolean
is_lost (void)
{
  gboolean r;

  g_mutex_lock (&lock);
  r = lost[fake_current];
  g_mutex_unlock (&lock);
  return r;
}

static const LtCudaRuntime *
emu (void)
{
  return _lt_cuda_runtime_emulated ();
}

static int
fake_device_count (int *n)
{
  return emu ()->device_count (n);
}

static int
fake_device_name (int device, char *buf, size_t len)
{
  return emu ()->device_name (device, buf, len);
}

static int
fake_mem_get_info (size_t *f, size_t *t)
{
  if (is_lost ())
    return STICKY;
  return emu ()->mem_get_info (f, t);
}

static int
fake_malloc (void **ptr, size_t nbytes)
{
  int   status;
  guint k;

  g_mutex_lock (&lock);
  if (lost[fake_current])
    {
      g_mutex_unlock (&lock);
      return STICKY;
    }
  k = ++mallocs_seen;
  if (config.fail_malloc_at && k >= config.fail_malloc_at &&
      k < config.fail_malloc_at + MAX (config.fail_malloc_times, 1))
    {
      g_mutex_unlock (&lock);
      *ptr = NULL;
      return LT_CU_ERR_MEMORY_ALLOCATION;
    }
  g_mutex_unlock (&lock);
  status = emu ()->malloc (ptr, nbytes);
  if (status == LT_CU_OK)
    {
      g_mutex_lock (&lock);
      counts.n_malloc++;
      counts.bytes_in_use += nbytes;
      g_mutex_unlock (&lock);
    }
  return status;
}

static int
fake_free (void *ptr)
{
  size_t f0, f1, t;
  int    status;

  /* memory is given back even after the context was lost (the process
   * keeps its host memory), and the status says so */
  emu ()->mem_get_info (&f0, &t);
  status = emu ()->free (ptr);
  emu ()->mem_get_info (&f1, &t);
  g_mutex_lock (&lock);
  if (ptr)
    counts.n_free++;
  counts.bytes_in_use -= MIN (counts.bytes_in_use, f1 - f0);
  if (lost[fake_current])
    status = STICKY;
  g_mutex_unlock (&lock);
  return status;
}

static int
fake_memcpy_async (void *dst, const void *src, size_t n, LtCudaCopyKind kind, void *stream)
{
  if (is_lost ())
    return STICKY;
  return emu ()->memcpy_async (dst, src, n, kind, stream);
}

static int
fake_memset_async (void *dst, int value, size_t n, void *stream)
{
  if (is_lost ())
    return STICKY;
  return emu ()->memset_async (dst, value, n, stream);
}

static int
fake_stream_create (void **stream)
{
  return emu ()->stream_create (stream);
}

static int
fake_stream_synchronize (void *stream)
{
  if (is_lost ())
    return STICKY;
  g_mutex_lock (&lock);
  counts.n_sync++;
  g_mutex_unlock (&lock);
  return emu ()->stream_synchronize (stream);
}

static int
fake_set_device (int device)
{
  gboolean was_lost;
  int      status;

  if (device < 0 || device >= LT_MAX_DEVICE_INDEX)
    return LT_CU_ERR_INVALID_VALUE;
  g_mutex_lock (&lock);
  was_lost = lost[device];
  g_mutex_unlock (&lock);
  /* the thread's device changes either way (so frees reach the memory of
   * the device they belong to); a lost one answers with its sticky error */
  fake_current = device;
  status = emu ()->set_device (device);
  return was_lost ? STICKY : status;
}

static int
fake_memcpy_peer_async (void       *dst,
                        int         dst_device,
                        const void *src,
                        int         src_device,
                        size_t      n,
                        void       *stream)
{
  gboolean either;

  g_mutex_lock (&lock);
  either = (dst_device >= 0 && dst_device < LT_MAX_DEVICE_INDEX && lost[dst_device]) ||
           (src_device >= 0 && src_device < LT_MAX_DEVICE_INDEX && lost[src_device]);
  g_mutex_unlock (&lock);
  if (either)
    return STICKY;
  return emu ()->memcpy_peer_async (dst, dst_device, src, src_device, n, stream);
}

static int
fake_host_alloc (void **ptr, size_t n)
{
  if (is_lost ())
    return STICKY;
  return emu ()->host_alloc (ptr, n);
}

static int
fake_host_free (void *ptr)
{
  return emu ()->host_free (ptr);
}

static int
fake_get_last_error (void)
{
  return is_lost () ? STICKY : LT_CU_OK;
}

static const char *
fake_error_string (int status)
{
  return emu ()->error_string (status);
}

/* Every launch passes here first: the injected failures, or 0 to go on. */
int
_lt_cuda_fake_launch_gate (void)
{
  guint k;
  int   status = LT_CU_OK;

  g_mutex_lock (&lock);
  if (lost[fake_current])
    status = STICKY;
  else
    {
      k = ++launches_seen;
      counts.n_launch++;
      if (config.sticky_at_launch && k == config.sticky_at_launch)
        {
          lost[fake_current] = TRUE;
          status = STICKY;
        }
      else if (config.fail_launch_at && k == config.fail_launch_at)
        status = LAUNCH_OUT_OF_RESOURCES;
    }
  g_mutex_unlock (&lock);
  return status;
}

/* lt-cuda-kernels.cu's launchers, as the other kernel files' in
 * lt-cuda-fake-kernels.c: the gate, then the emulated device's */
#define GATED(fn, PARAMS, ARGS)                                                                    \
  static int fake_##fn PARAMS                                                                      \
  {                                                                                                \
    int status = _lt_cuda_fake_launch_gate ();                                                     \
    if (status != LT_CU_OK)                                                                        \
      return status;                                                                               \
    return emu ()->kernels->fn ARGS;                                                               \
  }

GATED (fill, (void *s, const LtCuIter *it, double v, int64_t bits), (s, it, v, bits))
GATED (copy, (void *s, const LtCuIter *it), (s, it))
GATED (unary, (void *s, const LtCuIter *it, int op, double a, double b), (s, it, op, a, b))
GATED (binary, (void *s, const LtCuIter *it, int op, LtCuErrorWord *err), (s, it, op, err))
GATED (where, (void *s, const LtCuIter *it), (s, it))
GATED (reduce, (void *s, const LtCuReduce *r, int op), (s, r, op))
GATED (softmax, (void *s, const LtCuSoftmax *x), (s, x))
GATED (gemm, (void *s, const LtCuGemm *g), (s, g))
GATED (sgd,
       (void           *s,
        const LtCuIter *it,
        double          lr,
        double          mom,
        double          damp,
        double          wd,
        int             nesterov,
        int             maximize,
        int             first),
       (s, it, lr, mom, damp, wd, nesterov, maximize, first))

static const LtCuKernels fake_kernels = {
  fake_fill,   fake_copy,    fake_unary, fake_binary, fake_where,
  fake_reduce, fake_softmax, fake_gemm,  fake_sgd,
};

static const LtCudaRuntime fake = {
  .name = "fake",
  .device_count = fake_device_count,
  .device_name = fake_device_name,
  .set_device = fake_set_device,
  .mem_get_info = fake_mem_get_info,
  .malloc = fake_malloc,
  .free = fake_free,
  .memcpy_async = fake_memcpy_async,
  .memset_async = fake_memset_async,
  .memcpy_peer_async = fake_memcpy_peer_async,
  .host_alloc = fake_host_alloc,
  .host_free = fake_host_free,
  .stream_create = fake_stream_create,
  .stream_synchronize = fake_stream_synchronize,
  .get_last_error = fake_get_last_error,
  .error_string = fake_error_string,
  .kernels = &fake_kernels,
  .blas_gemm = NULL,
  /* the other kernel files' launchers, behind the same gate */
  .math_kernels = &_lt_cuda_fake_math_kernels,
  .index_kernels = &_lt_cuda_fake_index_kernels,
  .scan_kernels = &_lt_cuda_fake_scan_kernels,
  .fused_kernels = &_lt_cuda_fake_fused_kernels,
  .linalg_kernels = &_lt_cuda_fake_linalg_kernels,
};

const LtCudaRuntime *
_lt_cuda_runtime_fake (const LtCudaFakeConfig *cfg)
{
  g_mutex_lock (&lock);
  config = *cfg;
  mallocs_seen = launches_seen = 0;
  memset (lost, 0, sizeof lost);
  counts.n_malloc = counts.n_free = counts.n_launch = counts.n_sync = 0;
  g_mutex_unlock (&lock);
  _lt_cuda_emulated_set_capacity (cfg->capacity ? cfg->capacity : (gsize) 1 << 30);
  return &fake;
}

void
_lt_cuda_fake_arm (const LtCudaFakeConfig *cfg)
{
  g_mutex_lock (&lock);
  config.fail_malloc_at = cfg->fail_malloc_at;
  config.fail_malloc_times = cfg->fail_malloc_times;
  config.sticky_at_launch = cfg->sticky_at_launch;
  config.fail_launch_at = cfg->fail_launch_at;
  mallocs_seen = launches_seen = 0;
  g_mutex_unlock (&lock);
}

void
_lt_cuda_fake_get_counts (LtCudaFakeCounts *out)
{
  g_mutex_lock (&lock);
  *out = counts;
  g_mutex_unlock (&lock);
}
