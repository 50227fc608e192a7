/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's indexing kernels on the emulated device: an index out
 * of range is found on the device, recorded in the error word and raised as
 * a GError naming the op, the index and the size at the next
 * synchronisation (or at once with LT_CUDA_SYNC=1); the device stays
 * usable. (Their values against the CPU are the op harness's:
 * test-ops-cuda.)
 */

#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"

static LtTensor *
cuda_tensor (const double *v, gint64 n, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) host = lt_tensor_new_from_doubles (v, n, &n, 1, dt, &error);
  LtTensor *t;

  g_assert_no_error (error);
  t = lt_tensor_to_device (host, LT_DEVICE_CUDA, &error);
  g_assert_no_error (error);
  return t;
}

/* The message of the error raised at the next synchronisation */
static void
assert_raised_at_sync (LtError code, const char *expect)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (lt_cuda_synchronize (&error));
  g_assert_error (error, LT_ERROR, code);
  if (strstr (error->message, expect) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expect, error->message);
  g_clear_error (&error);
  /* raised once: the device is usable and the word is clear */
  g_assert_true (lt_cuda_synchronize (&error));
  g_assert_no_error (error);
}

static void
setup (void)
{
  g_unsetenv ("LT_CUDA_SYNC");
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
}

static void
test_index_select (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) i = NULL;
  g_autoptr(LtTensor) y = NULL;

  setup ();
  x = cuda_tensor ((double[]){ 1, 2, 3, 4 }, 4, LT_DTYPE_FLOAT32);
  i = cuda_tensor ((double[]){ 0, 7, 1 }, 3, LT_DTYPE_INT64);
  y = lt_tensor_index_select (x, 0, i, &error);
  g_assert_no_error (error); /* queued: nothing has synchronised */
  g_assert_nonnull (y);
  assert_raised_at_sync (LT_ERROR_INDEX,
                         "index_select: index 7 is out of bounds for a dimension of size 4");
}

static void
test_index_add (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) i = NULL;
  g_autoptr(LtTensor) s = NULL;

  setup ();
  x = cuda_tensor ((double[]){ 1, 2, 3 }, 3, LT_DTYPE_FLOAT64);
  i = cuda_tensor ((double[]){ -1, 2 }, 2, LT_DTYPE_INT64);
  s = cuda_tensor ((double[]){ 5, 6 }, 2, LT_DTYPE_FLOAT64);
  g_assert_true (lt_tensor_index_add_ (x, 0, i, s, &error));
  g_assert_no_error (error);
  assert_raised_at_sync (LT_ERROR_INDEX,
                         "index_add: index -1 is out of bounds for a dimension of size 3");
}

static void
test_gather_scatter (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) i = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) z = NULL;

  setup ();
  x = cuda_tensor ((double[]){ 1, 2, 3 }, 3, LT_DTYPE_INT32);
  i = cuda_tensor ((double[]){ 2, 3 }, 2, LT_DTYPE_INT64);
  y = lt_tensor_gather (x, 0, i, &error);
  g_assert_no_error (error);
  assert_raised_at_sync (LT_ERROR_INDEX,
                         "gather: index 3 is out of bounds for a dimension of size 3");
  z = lt_tensor_scatter_add (x, 0, i, y, &error);
  g_assert_no_error (error);
  assert_raised_at_sync (LT_ERROR_INDEX,
                         "scatter_add: index 3 is out of bounds for a dimension of size 3");
}

/* LT_CUDA_SYNC=1: the op itself fails, naming the class and the count */
static void
test_one_hot_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) ok = NULL;

  setup ();
  g_setenv ("LT_CUDA_SYNC", "1", TRUE);
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  x = cuda_tensor ((double[]){ 0, 5, 1 }, 3, LT_DTYPE_INT64);
  y = lt_tensor_one_hot (x, 4, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_assert_nonnull (
    strstr (error->message, "one_hot: index 5 is out of bounds for a dimension of size 4"));
  g_clear_error (&error);
  ok = lt_tensor_one_hot (x, 6, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
  g_unsetenv ("LT_CUDA_SYNC");
}

/* A mask selecting more elements than the source holds */
static void
test_masked_scatter_count (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) m = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) y = NULL;

  setup ();
  x = cuda_tensor ((double[]){ 1, 2, 3, 4 }, 4, LT_DTYPE_FLOAT32);
  m = cuda_tensor ((double[]){ 1, 0, 1, 1 }, 4, LT_DTYPE_BOOL);
  s = cuda_tensor ((double[]){ 9, 8 }, 2, LT_DTYPE_FLOAT32);
  y = lt_tensor_masked_scatter (x, m, s, &error);
  g_assert_no_error (error);
  assert_raised_at_sync (LT_ERROR_SHAPE,
                         "masked_scatter: the mask selects 3 elements but the source has only 2");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cuda/index/index-select", test_index_select);
  g_test_add_func ("/cuda/index/index-add", test_index_add);
  g_test_add_func ("/cuda/index/gather-scatter", test_gather_scatter);
  g_test_add_func ("/cuda/index/one-hot-sync", test_one_hot_sync);
  g_test_add_func ("/cuda/index/masked-scatter-count", test_masked_scatter_count);
  return g_test_run ();
}
