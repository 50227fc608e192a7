/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend without a GPU: the real runtime on this machine (no
 * device: CUDA is unavailable and says why), the emulated device
 * (lt-cuda-runtime-emulated.c) and the fake runtime with injected failures
 * (lt-cuda-runtime-fake.c): the caching allocator (size classes, splitting
 * and merging, statistics, empty_cache, no cudaMalloc in a training loop's
 * steady state), out-of-memory recovery, sticky errors, failed launches,
 * the device-side error word and LT_CUDA_SYNC, the sentinel bytes after
 * every emulated buffer, and the launch shim's __syncthreads. /cuda/faults/
 * injects a failed launch, a lost context and an out-of-memory at each
 * launch and allocation of ops of lt-cuda-kernels-math.cu,
 * lt-cuda-kernels-index.cu, lt-cuda-kernels-scan.cu,
 * lt-cuda-kernels-linalg.cu (linalg_inv, linalg_svd, batch_norm and its
 * backward) and lt-cuda-kernels-fused.cu (cross_entropy and its
 * backward): the GError names the op, a lost context marks the device
 * unusable, after a plain failure the op works again, and nothing but the
 * inputs stays allocated.
 *
 * Each test picks its runtime with _lt_cuda_backend_set_runtime, which
 * resets the device.
 */

#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-op-private.h"
#include "ops/lt-rnn-private.h"

static LtTensor *
cuda_from (const double *v, gsize n, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  gint64 shape[1] = { (gint64) n };
  g_autoptr(LtTensor) host = lt_tensor_new_from_doubles (v, n, shape, 1, dt, &error);
  LtTensor *t;

  g_assert_no_error (error);
  t = lt_tensor_to_device (host, LT_DEVICE_CUDA, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device (t), ==, LT_DEVICE_CUDA);
  return t;
}

static double
host_value (LtTensor *t, gint64 k, GError **error)
{
  g_autoptr(LtTensor) h = lt_tensor_to_device (t, LT_DEVICE_CPU, error);

  if (h == NULL)
    return NAN;
  return _lt_load_double ((const guint8 *) h->storage->data +
                            (h->offset + k) * lt_dtype_get_element_size (h->dtype),
                          h->dtype);
}

static void
use_fake (const LtCudaFakeConfig *config)
{
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_fake (config));
}

/* No GPU on this machine: the real runtime finds no device. */
static void
test_unavailable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  int n = 0;

  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_real ());
  if (_lt_cuda_runtime_real ()->device_count (&n) == LT_CU_OK && n > 0)
    {
      /* a GPU machine: the same calls succeed */
      g_assert_true (lt_cuda_is_available ());
      g_assert_cmpint (lt_cuda_device_count (), ==, n);
      return;
    }
  g_assert_false (lt_cuda_is_available ());
  g_assert_cmpint (lt_cuda_device_count (), ==, 0);
  g_assert_false (lt_cuda_init (&error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "CUDA is not available"));
  g_assert_nonnull (strstr (error->message, "LT_CUDA_EMULATE=1"));
  g_clear_error (&error);

  /* .cuda () is a GError, and the CPU goes on working */
  x = lt_tensor_new_from_doubles ((double[]){ 1, 2 }, 2, (gint64[]){ 2 }, 1, LT_DTYPE_FLOAT32,
                                  &error);
  g_assert_no_error (error);
  g_assert_null (lt_tensor_to_device (x, LT_DEVICE_CUDA, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "CUDA is not available"));
  g_clear_error (&error);
  y = lt_tensor_add (x, x, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (host_value (y, 1, NULL), ==, 4);
}

static void
test_emulated_roundtrip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) c = NULL;
  g_autofree char *name = NULL;
  gsize            free_bytes = 0, total = 0;

  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  g_assert_true (lt_cuda_is_available ());
  g_assert_cmpint (lt_cuda_device_count (), ==, 1);
  name = lt_cuda_get_device_name (0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (name, "Emulated"));
  g_assert_null (lt_cuda_get_device_name (1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_clear_error (&error);
  g_assert_true (lt_cuda_mem_get_info (&free_bytes, &total, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (free_bytes, <=, total);
  g_assert_cmpuint (total, >, 0);

  a = cuda_from ((double[]){ 1, 2, 3 }, 3, LT_DTYPE_FLOAT32);
  b = cuda_from ((double[]){ 10, 20, 30 }, 3, LT_DTYPE_FLOAT32);
  c = lt_tensor_mul (a, b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device (c), ==, LT_DEVICE_CUDA);
  g_assert_cmpfloat (host_value (c, 2, &error), ==, 90);
  g_assert_no_error (error);
  g_assert_true (lt_cuda_synchronize (&error));
  g_assert_no_error (error);
}

/* An op that mixes devices is a GError naming both. */
static void
test_mixed_devices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) c = NULL;

  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  a = cuda_from ((double[]){ 1, 2 }, 2, LT_DTYPE_FLOAT32);
  h = lt_tensor_new_from_doubles ((double[]){ 1, 2 }, 2, (gint64[]){ 2 }, 1, LT_DTYPE_FLOAT32,
                                  &error);
  g_assert_no_error (error);
  c = lt_tensor_add (a, h, &error);
  g_assert_null (c);
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "cuda"));
  g_assert_nonnull (strstr (error->message, "cpu"));
}

/* Freed blocks are cached: the same sizes again make no cudaMalloc, and a
 * segment's blocks sit side by side and merge back when freed. */
static void
test_alloc_cache (void)
{
  LtCudaFakeConfig config = { 0 };
  LtCudaFakeCounts counts;
  LtCudaAllocStats st;
  g_autoptr(GError) error = NULL;
  gpointer p1, p2, p3;

  use_fake (&config);
  g_assert_true (lt_cuda_init (&error));
  g_assert_no_error (error);
  _lt_cuda_fake_get_counts (&counts);
  g_assert_cmpuint (counts.n_malloc, ==, 1); /* the error word */

  p1 = _lt_cuda_alloc (100, &error);
  p2 = _lt_cuda_alloc (1000, &error);
  p3 = _lt_cuda_alloc (512, &error);
  g_assert_no_error (error);
  /* one 2 MiB segment of the small pool, split in 512-byte units */
  g_assert_true ((guint8 *) p2 == (guint8 *) p1 + 512);
  g_assert_true ((guint8 *) p3 == (guint8 *) p2 + 1024);
  _lt_cuda_alloc_get_stats (&st);
  g_assert_cmpuint (st.allocated, ==, 512 + 1024 + 512);
  g_assert_cmpuint (st.reserved, ==, 2 << 20);
  g_assert_cmpuint (st.n_device_malloc, ==, 1);
  g_assert_cmpuint (lt_cuda_memory_allocated (), ==, 2048);
  g_assert_cmpuint (lt_cuda_memory_reserved (), ==, 2 << 20);

  /* freeing the middle block, then its neighbours, merges all three with
   * the rest of the segment: the best fit for 2048 bytes is p1 again */
  _lt_cuda_free (p2);
  g_assert_true (_lt_cuda_alloc (1000, &error) == p2);
  _lt_cuda_free (p2);
  _lt_cuda_free (p1);
  _lt_cuda_free (p3);
  _lt_cuda_alloc_get_stats (&st);
  g_assert_cmpuint (st.allocated, ==, 0);
  g_assert_cmpuint (st.peak_allocated, ==, 2048);
  g_assert_cmpuint (lt_cuda_max_memory_allocated (), ==, 2048);
  p1 = _lt_cuda_alloc (2048, &error);
  g_assert_no_error (error);
  g_assert_true (_lt_cuda_alloc (1, &error) == (guint8 *) p1 + 2048);
  _lt_cuda_free ((guint8 *) p1 + 2048);
  _lt_cuda_free (p1);

  /* a large request: a 20 MiB segment of the large pool */
  p1 = _lt_cuda_alloc (3 << 20, &error);
  g_assert_no_error (error);
  _lt_cuda_alloc_get_stats (&st);
  g_assert_cmpuint (st.reserved, ==, (2 << 20) + (20 << 20));
  _lt_cuda_free (p1);
  _lt_cuda_fake_get_counts (&counts);
  g_assert_cmpuint (counts.n_malloc, ==, 3);
  g_assert_cmpuint (counts.n_free, ==, 0);

  /* empty_cache gives both wholly free segments back */
  lt_cuda_empty_cache ();
  _lt_cuda_alloc_get_stats (&st);
  g_assert_cmpuint (st.reserved, ==, 0);
  _lt_cuda_fake_get_counts (&counts);
  g_assert_cmpuint (counts.n_free, ==, 2);
}

/* A training loop's steady state makes no cudaMalloc or cudaFree. */
static void
test_steady_state (void)
{
  LtCudaFakeConfig config = { 0 };
  LtCudaFakeCounts before, after;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(LtSGD) sgd = NULL;
  double w0[6] = { 0.1, -0.2, 0.3, 0.4, -0.5, 0.6 };
  double first_loss = 0, loss = 0;

  use_fake (&config);
  {
    g_autoptr(LtTensor) hw = lt_tensor_new_from_doubles (w0, 6, (gint64[]){ 3, 2 }, 2,
                                                          LT_DTYPE_FLOAT32, &error);
    g_autoptr(LtTensor) hx = lt_tensor_new_from_doubles (
      (double[]){ 1, 2, 3, 4, 5, 6, 7, 8 }, 8, (gint64[]){ 4, 2 }, 2, LT_DTYPE_FLOAT32, &error);
    g_autoptr(LtTensor) hy =
                 lt_tensor_new_from_doubles ((double[]){ 1, 0, 1, 2, 3, 1, 0, 2, 1, 1, 2, 0 }, 12,
                                             (gint64[]){ 4, 3 }, 2, LT_DTYPE_FLOAT32, &error);
    g_assert_no_error (error);
    w = lt_tensor_to_device (hw, LT_DEVICE_CUDA, &error);
    x = lt_tensor_to_device (hx, LT_DEVICE_CUDA, &error);
    y = lt_tensor_to_device (hy, LT_DEVICE_CUDA, &error);
    g_assert_no_error (error);
  }
  g_assert_true (lt_tensor_set_requires_grad (w, TRUE, &error));
  g_ptr_array_add (params, w);
  sgd = lt_sgd_new (params, 0.01, 0.9, 0, 0, FALSE, &error);
  g_assert_no_error (error);

  for (int step = 0; step < 8; step++)
    {
      g_autoptr(LtTensor) wt = lt_tensor_transpose (w, 0, 1, &error);
      g_autoptr(LtTensor) out = lt_tensor_mm (x, wt, &error);
      g_autoptr(LtTensor) d = lt_tensor_sub (out, y, &error);
      g_autoptr(LtTensor) sq = lt_tensor_mul (d, d, &error);
      g_autoptr(LtTensor) l = lt_tensor_mean (sq, &error);

      g_assert_no_error (error);
      if (step == 3)
        _lt_cuda_fake_get_counts (&before);
      lt_optimizer_zero_grad (LT_OPTIMIZER (sgd), FALSE);
      g_assert_true (lt_tensor_backward (l, NULL, FALSE, &error));
      g_assert_no_error (error);
      g_assert_true (lt_optimizer_step (LT_OPTIMIZER (sgd), &error));
      g_assert_no_error (error);
      loss = host_value (l, 0, &error);
      g_assert_no_error (error);
      if (step == 0)
        first_loss = loss;
    }
  _lt_cuda_fake_get_counts (&after);
  g_assert_cmpfloat (loss, <, first_loss);
  g_assert_cmpuint (after.n_launch, >, before.n_launch);
  g_assert_cmpuint (after.n_malloc, ==, before.n_malloc);
  g_assert_cmpuint (after.n_free, ==, before.n_free);
}

/* Out of memory: the cache is given back and the allocation tried again. */
static void
test_oom_retry (void)
{
  LtCudaFakeConfig config = { .capacity = 48 << 20 };
  g_autoptr(GError) error = NULL;
  LtCudaAllocStats st;
  gpointer         a, b;

  use_fake (&config);
  g_assert_true (lt_cuda_init (&error));
  /* a 20 MiB segment, freed into the cache; then a 40 MiB request, which
   * fits only once the cache is given back */
  a = _lt_cuda_alloc (4 << 20, &error);
  g_assert_no_error (error);
  _lt_cuda_free (a);
  b = _lt_cuda_alloc (40 << 20, &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);
  _lt_cuda_alloc_get_stats (&st);
  g_assert_cmpuint (st.n_oom_retries, ==, 1);
  g_assert_cmpuint (st.reserved, ==, 40 << 20);
  _lt_cuda_free (b);
}

/* Past the device's memory: a GError naming the sizes; the next
 * allocation works. */
static void
test_oom_error_real (void)
{
  LtCudaFakeConfig config = { .capacity = 64 << 20 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) small = NULL;
  gint64    shape[1] = { 25 << 20 };
  LtTensor *big;

  use_fake (&config);
  big = _lt_tensor_new_empty (shape, 1, LT_DTYPE_FLOAT32, LT_DEVICE_CUDA, &error);
  g_assert_null (big);
  g_assert_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY);
  g_assert_nonnull (strstr (error->message, "tried to allocate 104857600 bytes"));
  g_assert_nonnull (strstr (error->message, "67108864"));
  g_clear_error (&error);
  small = cuda_from ((double[]){ 1, 2 }, 2, LT_DTYPE_FLOAT32);
  g_assert_cmpfloat (host_value (small, 1, &error), ==, 2);
  g_assert_no_error (error);
}

/* Injected: cudaMalloc fails twice (the first try and the retry). */
static void
test_oom_injected (void)
{
  LtCudaFakeConfig config = { .fail_malloc_at = 2, .fail_malloc_times = 2 };
  g_autoptr(GError) error = NULL;
  gpointer p;

  use_fake (&config);
  g_assert_true (lt_cuda_init (&error)); /* malloc 1: the error word */
  g_assert_null (_lt_cuda_alloc (1000, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY);
  g_assert_nonnull (strstr (error->message, "tried to allocate 1000 bytes"));
  g_clear_error (&error);
  p = _lt_cuda_alloc (1000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  _lt_cuda_free (p);
}

/* A sticky error marks the device unusable, with a message; no abort. */
static void
test_sticky (void)
{
  LtCudaFakeConfig config = { .sticky_at_launch = 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) c = NULL;
  g_autoptr(LtTensor) d = NULL;

  use_fake (&config);
  a = cuda_from ((double[]){ 1, 2 }, 2, LT_DTYPE_FLOAT32);
  b = lt_tensor_add (a, a, &error); /* launch 1 */
  g_assert_no_error (error);
  c = lt_tensor_mul (a, a, &error); /* launch 2: lost */
  g_assert_null (c);
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  g_assert_nonnull (strstr (error->message, "illegal memory access"));
  g_assert_nonnull (strstr (error->message, "unusable"));
  g_clear_error (&error);
  d = lt_tensor_add (a, a, &error);
  g_assert_null (d);
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  g_assert_nonnull (strstr (error->message, "unusable after an earlier error"));
  g_clear_error (&error);
  g_assert_true (isnan (host_value (b, 0, &error)));
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
}

/* A launch that fails on its own: a GError, and the next op works. */
static void
test_launch_failure (void)
{
  LtCudaFakeConfig config = { .fail_launch_at = 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) c = NULL;

  use_fake (&config);
  a = cuda_from ((double[]){ 1, 2 }, 2, LT_DTYPE_FLOAT32);
  b = lt_tensor_add (a, a, &error);
  g_assert_null (b);
  g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
  g_assert_nonnull (strstr (error->message, "add"));
  g_assert_nonnull (strstr (error->message, "too many resources"));
  g_clear_error (&error);
  c = lt_tensor_add (a, a, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (host_value (c, 1, &error), ==, 4);
}

/* An integer division by zero is recorded on the device and raised at the
 * next synchronisation (here: the copy to the host), once. */
static void
test_error_word (void)
{
  LtCudaFakeConfig config = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) q = NULL;

  g_unsetenv ("LT_CUDA_SYNC");
  use_fake (&config);
  a = cuda_from ((double[]){ 7, 8, 9 }, 3, LT_DTYPE_INT64);
  z = cuda_from ((double[]){ 2, 0, 3 }, 3, LT_DTYPE_INT64);
  q = lt_tensor_floor_divide (a, z, &error);
  g_assert_no_error (error); /* queued: nothing has synchronised */
  g_assert_nonnull (q);
  host_value (q, 0, &error);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "floor_divide: integer division by zero (of 8"));
  g_clear_error (&error);
  /* reported once */
  g_assert_cmpfloat (host_value (q, 2, &error), ==, 3);
  g_assert_no_error (error);
}

/* LT_CUDA_SYNC=1: every op synchronises, so the op itself fails. */
static void
test_sync_every_op (void)
{
  LtCudaFakeConfig config = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) q = NULL;

  g_setenv ("LT_CUDA_SYNC", "1", TRUE);
  use_fake (&config);
  a = cuda_from ((double[]){ 7, 8 }, 2, LT_DTYPE_INT32);
  z = cuda_from ((double[]){ 0, 1 }, 2, LT_DTYPE_INT32);
  q = lt_tensor_remainder (a, z, &error);
  g_assert_null (q);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "remainder: integer division by zero (of 7"));
  g_unsetenv ("LT_CUDA_SYNC");
}

/* The emulated device's sentinel bytes catch a write past a buffer. */
static void
test_sentinel (void)
{
  const LtCudaRuntime *rt = _lt_cuda_runtime_emulated ();
  gsize                before = _lt_cuda_emulated_n_corrupted ();
  void                *p = NULL;

  g_assert_cmpint (rt->malloc (&p, 100), ==, LT_CU_OK);
  g_assert_cmpint (rt->memset_async (p, 1, 100, NULL), ==, LT_CU_OK);
  g_assert_cmpint (rt->free (p), ==, LT_CU_OK);
  g_assert_cmpuint (_lt_cuda_emulated_n_corrupted (), ==, before);
  g_assert_cmpint (rt->malloc (&p, 100), ==, LT_CU_OK);
  g_assert_cmpint (rt->memset_async (p, 1, 101, NULL), ==, LT_CU_OK);
  g_assert_cmpint (rt->free (p), ==, LT_CU_ERR_ILLEGAL_ADDRESS);
  g_assert_cmpuint (_lt_cuda_emulated_n_corrupted (), ==, before + 1);
}

/* The shim's __syncthreads: a block reduction over a long row (fibers)
 * and many short rows (plain threads) give the exact sums. */
static void
test_shim_reduce (void)
{
  g_autoptr(GError) error = NULL;
  gint64             n = 100003;
  g_autofree double *v = g_new (double, n);
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) m = NULL;
  double want = 0;

  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  for (gint64 i = 0; i < n; i++)
    {
      v[i] = (double) (i % 17) - 8;
      want += v[i];
    }
  v[n / 2] = 1000;
  want += 1000 - ((double) ((n / 2) % 17) - 8);
  x = cuda_from (v, n, LT_DTYPE_INT64);
  s = lt_tensor_sum (x, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (host_value (s, 0, &error), ==, want);
  m = lt_tensor_argmax (x, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (host_value (m, 0, &error), ==, n / 2);
}

/* ---- failures in the middle of the ops of every kernel file ---- */

/* An op of one kernel file, run on device inputs */
typedef LtTensor *(*FaultRun) (LtTensor **in, GError **error);

typedef struct
{
  const char *path;
  const char *name; /* the op of the kernel file */
  guint       n_in;
  gint64      shape[3][4];
  guint       ndim[3];
  LtDType     dtype[3];
  FaultRun    run;
  gboolean    mid_alloc; /* its scratch comes from the runtime: an OOM inside the kernel */
} FaultCase;

static LtTensor *
run_erf (LtTensor **in, GError **error)
{
  return lt_tensor_erf (in[0], error);
}

static LtTensor *
run_layer_norm (LtTensor **in, GError **error)
{
  gint64 shape[1] = { in[0]->shape[1] };

  return lt_layer_norm (in[0], shape, 1, NULL, NULL, 1e-5, error);
}

static LtTensor *
run_masked_select (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) mask = lt_tensor_gt_scalar (in[0], 0, error);

  return mask ? lt_tensor_masked_select (in[0], mask, error) : NULL;
}

static LtTensor *
run_conv2d (LtTensor **in, GError **error)
{
  static const gint64 one[2] = { 1, 1 };

  return lt_conv2d (in[0], in[1], in[2], one, one, one, 1, error);
}

static LtTensor *
run_index_select (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) idx = lt_tensor_argmax_dim (in[0], 1, FALSE, error);

  return idx ? lt_tensor_index_select (in[0], 0, idx, error) : NULL;
}

static LtTensor *
run_sort (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) idx = NULL;

  return lt_tensor_sort (in[0], -1, TRUE, TRUE, &idx, error);
}

static LtTensor *
run_kthvalue (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) idx = NULL;

  return lt_tensor_kthvalue (in[0], 7, -1, FALSE, &idx, error);
}

static LtTensor *
run_unique (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) inverse = NULL;
  g_autoptr(LtTensor) counts = NULL;

  return lt_tensor_unique (in[0], TRUE, &inverse, &counts, error);
}

static LtTensor *
run_cumsum (LtTensor **in, GError **error)
{
  return lt_tensor_cumsum (in[0], 0, error);
}

static LtTensor *
run_lstm_cell (LtTensor **in, GError **error)
{
  return _lt_lstm_cell_fused (in[0], in[1], in[2], error);
}

static LtTensor *
run_linalg_inv (LtTensor **in, GError **error)
{
  return lt_linalg_inv (in[0], error);
}

static LtTensor *
run_linalg_svd (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) vh = NULL;

  return lt_linalg_svd (in[0], FALSE, &s, &vh, error);
}

/* training: the batch statistics, and in[1], in[2] as the running ones */
static LtTensor *
run_batch_norm (LtTensor **in, GError **error)
{
  return lt_batch_norm (in[0], in[1], in[2], NULL, NULL, TRUE, 0.1, 1e-5, error);
}

/* The gradient of sum (@y) by @inputs[0] (and the others), without
 * accumulating into .grad: dx, or NULL */
static LtTensor *
grad_of_sum (LtTensor *y, LtTensor **inputs, guint n_inputs, GError **error)
{
  g_autoptr(LtTensor) loss = y ? lt_tensor_sum (y, error) : NULL;
  g_autoptr(GPtrArray) grads = NULL;

  if (loss == NULL)
    return NULL;
  grads = lt_autograd_grad (&loss, 1, NULL, 0, inputs, n_inputs, FALSE, FALSE, FALSE, error);
  return grads ? g_object_ref (g_ptr_array_index (grads, 0)) : NULL;
}

/* x, weight and bias need gradients; no running statistics */
static LtTensor *
run_batch_norm_backward (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) y = NULL;

  for (guint i = 0; i < 3; i++)
    if (!lt_tensor_set_requires_grad (in[i], TRUE, error))
      return NULL;
  y = lt_batch_norm (in[0], NULL, NULL, in[1], in[2], TRUE, 0.1, 1e-5, error);
  return grad_of_sum (y, in, 3, error);
}

/* class-index targets in [0, C): the argmax of each row */
static LtTensor *
cross_entropy_of (LtTensor *x, GError **error)
{
  g_autoptr(LtTensor) target = lt_tensor_argmax_dim (x, 1, FALSE, error);

  return target ? lt_cross_entropy (x, target, NULL, -100, LT_REDUCTION_MEAN, 0.0, error) : NULL;
}

static LtTensor *
run_cross_entropy (LtTensor **in, GError **error)
{
  return cross_entropy_of (in[0], error);
}

static LtTensor *
run_cross_entropy_backward (LtTensor **in, GError **error)
{
  g_autoptr(LtTensor) loss = NULL;

  if (!lt_tensor_set_requires_grad (in[0], TRUE, error))
    return NULL;
  loss = cross_entropy_of (in[0], error);
  return grad_of_sum (loss, in, 1, error);
}

static const FaultCase fault_cases[] = {
  { "erf", "erf", 1, { { 300 } }, { 1 }, { LT_DTYPE_FLOAT32 }, run_erf, FALSE },
  { "layer_norm",
    "layer_norm",
    1,
    { { 4, 50 } },
    { 2 },
    { LT_DTYPE_FLOAT64 },
    run_layer_norm,
    FALSE },
  /* the prefix sums' scratch (11.2 MB) is a segment of its own */
  { "masked_select",
    "masked_select",
    1,
    { { 1400000 } },
    { 1 },
    { LT_DTYPE_FLOAT32 },
    run_masked_select,
    TRUE },
  /* im2col's columns (4.7 MB), then the product, then the bias */
  { "conv2d",
    "conv2d",
    3,
    { { 2, 16, 64, 64 }, { 16, 16, 3, 3 }, { 16 } },
    { 4, 4, 1 },
    { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT32 },
    run_conv2d,
    TRUE },
  { "index_select",
    "index_select",
    1,
    { { 30, 20 } },
    { 2 },
    { LT_DTYPE_FLOAT64 },
    run_index_select,
    FALSE },
  /* the keys and positions (1.3 MB) from the large pool; tiles, then merges */
  { "sort", "sort", 1, { { 2, 20000 } }, { 2 }, { LT_DTYPE_FLOAT32 }, run_sort, TRUE },
  { "kthvalue", "kthvalue", 1, { { 3, 20000 } }, { 2 }, { LT_DTYPE_FLOAT64 }, run_kthvalue, TRUE },
  { "unique", "unique", 1, { { 5000 } }, { 1 }, { LT_DTYPE_INT64 }, run_unique, FALSE },
  { "cumsum", "cumsum", 1, { { 40, 3 } }, { 2 }, { LT_DTYPE_FLOAT64 }, run_cumsum, FALSE },
  { "lstm_cell",
    "lstm_cell",
    3,
    { { 5, 32 }, { 5, 32 }, { 5, 8 } },
    { 2, 2, 2 },
    { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT32 },
    run_lstm_cell,
    FALSE },
  /* lt-cuda-kernels-linalg.cu: the decompositions' scratch (1.3 MB, a
   * segment of the large pool) is the kernel's own allocation */
  { "linalg_inv",
    "linalg_inv",
    1,
    { { 4000, 4, 4 } },
    { 3 },
    { LT_DTYPE_FLOAT64 },
    run_linalg_inv,
    TRUE },
  { "linalg_svd",
    "linalg_svd",
    1,
    { { 4000, 6, 4 } },
    { 3 },
    { LT_DTYPE_FLOAT32 },
    run_linalg_svd,
    TRUE },
  { "batch_norm",
    "batch_norm",
    3,
    { { 8, 3, 10, 10 }, { 3 }, { 3 } },
    { 4, 1, 1 },
    { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT32 },
    run_batch_norm,
    FALSE },
  { "batch_norm_backward",
    "batch_norm_grad",
    3,
    { { 8, 3, 10, 10 }, { 3 }, { 3 } },
    { 4, 1, 1 },
    { LT_DTYPE_FLOAT64, LT_DTYPE_FLOAT64, LT_DTYPE_FLOAT64 },
    run_batch_norm_backward,
    FALSE },
  /* lt-cuda-kernels-fused.cu */
  { "cross_entropy",
    "cross_entropy",
    1,
    { { 64, 10 } },
    { 2 },
    { LT_DTYPE_FLOAT32 },
    run_cross_entropy,
    FALSE },
  { "cross_entropy_backward",
    "cross_entropy_grad",
    1,
    { { 64, 10 } },
    { 2 },
    { LT_DTYPE_FLOAT64 },
    run_cross_entropy_backward,
    FALSE },
};

/* The case's inputs on a fresh fake device: values with ties and both
 * signs (unique: few distinct values) */
static void
fault_inputs (const FaultCase *fc, LtTensor **in)
{
  const LtCudaFakeConfig none = { 0 };

  use_fake (&none);
  for (guint i = 0; i < fc->n_in; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) host = NULL;
      g_autofree double *v = NULL;
      gint64             n = 1;

      for (guint d = 0; d < fc->ndim[i]; d++)
        n *= fc->shape[i][d];
      v = g_new (double, n);
      for (gint64 k = 0; k < n; k++)
        v[k] = fc->dtype[i] == LT_DTYPE_INT64 ? (double) ((k * 7919) % 97)
                                              : (double) ((k * 7919) % 1009) / 500.0 - 1.0;
      host = lt_tensor_new_from_doubles (v, n, fc->shape[i], fc->ndim[i], fc->dtype[i], &error);
      g_assert_no_error (error);
      in[i] = lt_tensor_to_device (host, LT_DEVICE_CUDA, &error);
      g_assert_no_error (error);
    }
}

/* @message names @name: "name: ..." or "cuda:0: name failed" */
static gboolean
names (const char *message, const char *name)
{
  g_autofree char *a = g_strdup_printf ("%s: ", name);
  g_autofree char *b = g_strdup_printf ("cuda:0: %s failed", name);

  return g_str_has_prefix (message, a) || strstr (message, b) != NULL;
}

/* The op that failed, of the ops the case's front end runs, is named */
static void
assert_names_an_op (const FaultCase *fc, const char *what, guint k, const char *message)
{
  for (guint op = 0; op < LT_OP_COUNT; op++)
    if (names (message, _lt_op_table[op].name))
      return;
  g_error ("%s, %s %u: the error names no op: %s", fc->path, what, k, message);
}

/* Everything the op left on the device is given back: the blocks handed
 * out are the inputs' alone */
static void
assert_no_device_leak (gsize baseline)
{
  LtCudaAllocStats st;

  _lt_cuda_alloc_get_stats (&st);
  g_assert_cmpuint (st.allocated, ==, baseline);
}

static gsize
allocated_now (void)
{
  LtCudaAllocStats st;

  _lt_cuda_alloc_get_stats (&st);
  return st.allocated;
}

static void
free_inputs (const FaultCase *fc, LtTensor **in)
{
  for (guint i = 0; i < fc->n_in; i++)
    g_clear_object (&in[i]);
}

/* A launch that fails on its own, at each launch of the case in turn: a
 * GError naming the op that failed (the case's own, or one its front end
 * runs), nothing left allocated, and the op works once the failure has
 * passed. Returns the case's launches; @own counts the failures of the
 * case's own op. */
static guint
fault_launch_sweep (const FaultCase *fc, guint *own)
{
  for (guint k = 1;; k++)
    {
      LtTensor              *in[3] = { NULL };
      LtCudaFakeConfig       cfg = { .fail_launch_at = k };
      const LtCudaFakeConfig none = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) y = NULL;
      g_autoptr(LtTensor) again = NULL;
      gsize base;

      g_assert_cmpuint (k, <, 64);
      fault_inputs (fc, in);
      base = allocated_now ();
      _lt_cuda_fake_arm (&cfg);
      y = fc->run (in, &error);
      if (y != NULL)
        {
          g_assert_no_error (error);
          g_clear_object (&y);
          assert_no_device_leak (base);
          free_inputs (fc, in);
          g_assert_cmpuint (k, >, 1);
          return k - 1;
        }
      g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
      assert_names_an_op (fc, "launch", k, error->message);
      *own += names (error->message, fc->name);
      g_assert_nonnull (strstr (error->message, "too many resources"));
      g_clear_error (&error);
      assert_no_device_leak (base);
      _lt_cuda_fake_arm (&none);
      again = fc->run (in, &error);
      g_assert_no_error (error);
      g_assert_nonnull (again);
      g_clear_object (&again);
      assert_no_device_leak (base);
      free_inputs (fc, in);
    }
}

/* The context lost at each launch of the op: a GError naming the op that
 * says the device is unusable, which every later op repeats; nothing left
 * allocated */
static void
fault_sticky_sweep (const FaultCase *fc, guint n_launches, guint *own)
{
  for (guint k = 1; k <= n_launches; k++)
    {
      LtTensor        *in[3] = { NULL };
      LtCudaFakeConfig cfg = { .sticky_at_launch = k };
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) y = NULL;
      g_autoptr(LtTensor) next = NULL;
      gsize base;

      fault_inputs (fc, in);
      base = allocated_now ();
      _lt_cuda_fake_arm (&cfg);
      y = fc->run (in, &error);
      g_assert_null (y);
      g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
      assert_names_an_op (fc, "sticky at launch", k, error->message);
      *own += names (error->message, fc->name);
      g_assert_nonnull (strstr (error->message, "unusable until the process restarts"));
      g_clear_error (&error);
      assert_no_device_leak (base);
      next = lt_tensor_neg (in[0], &error);
      g_assert_null (next);
      g_assert_error (error, LT_ERROR, LT_ERROR_CUDA);
      g_assert_nonnull (strstr (error->message, "unusable after an earlier error"));
      free_inputs (fc, in);
    }
}

/* cudaMalloc out of memory (the first try and the retry) at each of the
 * op's allocations: an out-of-memory GError, named after the op where the
 * allocation is the kernel's own scratch; nothing left allocated; the op
 * works once the memory is back */
static void
fault_oom_sweep (const FaultCase *fc)
{
  guint named = 0;

  for (guint k = 1;; k++)
    {
      LtTensor              *in[3] = { NULL };
      LtCudaFakeConfig       cfg = { .fail_malloc_at = k, .fail_malloc_times = 2 };
      const LtCudaFakeConfig none = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) y = NULL;
      g_autoptr(LtTensor) again = NULL;
      gsize base;

      g_assert_cmpuint (k, <, 64);
      fault_inputs (fc, in);
      base = allocated_now ();
      _lt_cuda_fake_arm (&cfg);
      y = fc->run (in, &error);
      if (y != NULL)
        {
          g_assert_no_error (error);
          g_clear_object (&y);
          assert_no_device_leak (base);
          free_inputs (fc, in);
          break;
        }
      g_assert_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY);
      g_assert_nonnull (strstr (error->message, "out of memory"));
      g_test_message ("%s, out of memory at allocation %u: %s", fc->path, k, error->message);
      named += names (error->message, fc->name);
      g_clear_error (&error);
      assert_no_device_leak (base);
      _lt_cuda_fake_arm (&none);
      again = fc->run (in, &error);
      g_assert_no_error (error);
      g_clear_object (&again);
      assert_no_device_leak (base);
      free_inputs (fc, in);
    }
  if (fc->mid_alloc)
    g_assert_cmpuint (named, >, 0);
}

static void
test_fault_case (gconstpointer data)
{
  const FaultCase *fc = data;
  guint            own_launch = 0, own_sticky = 0;
  guint            n_launches = fault_launch_sweep (fc, &own_launch);

  fault_sticky_sweep (fc, n_launches, &own_sticky);
  fault_oom_sweep (fc);
  /* some launch of the sweep was the case's own op's */
  g_assert_cmpuint (own_launch, >, 0);
  g_assert_cmpuint (own_sticky, >, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The CUDA backend on the emulated device and the fake runtime");
  g_test_add_func ("/cuda/unavailable", test_unavailable);
  g_test_add_func ("/cuda/emulated/roundtrip", test_emulated_roundtrip);
  g_test_add_func ("/cuda/emulated/mixed-devices", test_mixed_devices);
  g_test_add_func ("/cuda/emulated/sentinel", test_sentinel);
  g_test_add_func ("/cuda/emulated/shim-reduce", test_shim_reduce);
  g_test_add_func ("/cuda/alloc/cache", test_alloc_cache);
  g_test_add_func ("/cuda/alloc/steady-state", test_steady_state);
  g_test_add_func ("/cuda/oom/retry", test_oom_retry);
  g_test_add_func ("/cuda/oom/error", test_oom_error_real);
  g_test_add_func ("/cuda/oom/injected", test_oom_injected);
  g_test_add_func ("/cuda/errors/sticky", test_sticky);
  g_test_add_func ("/cuda/errors/launch-failure", test_launch_failure);
  g_test_add_func ("/cuda/errors/error-word", test_error_word);
  g_test_add_func ("/cuda/errors/sync-every-op", test_sync_every_op);
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cuda/faults/%s", fault_cases[i].path);

      g_test_add_data_func (path, &fault_cases[i], test_fault_case);
    }
  return g_test_run ();
}
