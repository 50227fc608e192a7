/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The kernels of lt-cuda-kernels-math.cu on the emulated device, where the
 * op harness (test-ops, OH_DEVICE=cuda) cannot reach them or cannot see
 * enough:
 * - the random and range kernels give the CPU backend's bits exactly for
 *   the same generator state (Philox by element index), through the op
 *   itself and through the creation functions;
 * - an out-of-range class target of nll_loss is recorded in the device's
 *   error word and raised as a GError at the next synchronisation, once.
 */

#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

static void
use_emulated (void)
{
  g_unsetenv ("LT_CUDA_SYNC");
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
}

static LtTensor *
to_host (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  LtTensor *h = lt_tensor_to_device (t, LT_DEVICE_CPU, &error);

  g_assert_no_error (error);
  return h;
}

/* The bytes of two tensors of one shape and dtype, the second on the device */
static void
assert_same_bits (LtTensor *cpu, LtTensor *dev, const char *what)
{
  g_autoptr(LtTensor) h = to_host (dev);
  gsize nbytes = (gsize) cpu->numel * lt_dtype_get_element_size (cpu->dtype);

  g_assert_cmpint (lt_tensor_get_device (dev), ==, LT_DEVICE_CUDA);
  g_assert_cmpint (h->numel, ==, cpu->numel);
  g_assert_true (lt_tensor_is_contiguous (cpu) && lt_tensor_is_contiguous (h));
  if (nbytes && memcmp (_lt_tensor_data (cpu), _lt_tensor_data (h), nbytes) != 0)
    {
      gsize es = lt_dtype_get_element_size (cpu->dtype);

      for (gint64 i = 0; i < cpu->numel; i++)
        if (memcmp ((char *) _lt_tensor_data (cpu) + i * es, (char *) _lt_tensor_data (h) + i * es,
                    es) != 0)
          g_error ("%s: element %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                   " differs between the CPU and the device (%s)",
                   what, i, cpu->numel, lt_dtype_get_name (cpu->dtype));
    }
}

/* Runs @op with @params into a new tensor of @n elements on both backends
 * and compares the bits. */
static void
run_both (LtOp op, LtDType dt, gint64 n, const LtOpParams *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) cpu = _lt_tensor_new_empty (&n, 1, dt, LT_DEVICE_CPU, &error);
  g_autoptr(LtTensor) dev = _lt_tensor_new_empty (&n, 1, dt, LT_DEVICE_CUDA, &error);
  g_autofree char *what = NULL;

  g_assert_no_error (error);
  g_assert_true (_lt_run (op, cpu, NULL, NULL, 0, params, &error));
  g_assert_no_error (error);
  g_assert_true (_lt_run (op, dev, NULL, NULL, 0, params, &error));
  g_assert_no_error (error);
  what = g_strdup_printf ("%s of %" G_GINT64_FORMAT, _lt_op_table[op].name, n);
  assert_same_bits (cpu, dev, what);
}

static const gint64 lengths[] = { 0, 1, 2, 3, 5, 7, 1001, 70001 };

static void
test_random_bits (void)
{
  struct
  {
    LtOp    op;
    LtDType dt;
    double  a, b;
  } cases[] = {
    { LT_OP_UNIFORM, LT_DTYPE_FLOAT32, -2, 3 },
    { LT_OP_UNIFORM, LT_DTYPE_FLOAT64, 0, 1 },
    { LT_OP_NORMAL, LT_DTYPE_FLOAT32, 0, 1 },
    { LT_OP_NORMAL, LT_DTYPE_FLOAT64, 1.5, 0.25 },
    { LT_OP_RANDINT, LT_DTYPE_INT64, -5, 17 },
    { LT_OP_RANDINT, LT_DTYPE_INT32, 0, 1000 },
    { LT_OP_RANDINT, LT_DTYPE_UINT8, 0, 256 },
    { LT_OP_RANDINT, LT_DTYPE_INT8, -128, 128 },
    { LT_OP_RANDINT, LT_DTYPE_FLOAT32, -3, 3 },
    { LT_OP_RANDINT, LT_DTYPE_BOOL, 0, 2 },
    /* above 2^32: two values per block, 64 bits each */
    { LT_OP_RANDINT, LT_DTYPE_INT64, -1099511627776.0, 1099511627776.0 },
    { LT_OP_RANDINT, LT_DTYPE_FLOAT64, 0, 8589934592.0 },
  };

  use_emulated ();
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (guint k = 0; k < G_N_ELEMENTS (lengths); k++)
      {
        LtOpParams p = { .random = { 0x9e3779b97f4a7c15ull + c, 12345 + 7 * k, cases[c].a,
                                     cases[c].b } };

        run_both (cases[c].op, cases[c].dt, lengths[k], &p);
      }
}

static void
test_randperm_bits (void)
{
  const LtDType dts[] = { LT_DTYPE_INT64, LT_DTYPE_INT32, LT_DTYPE_FLOAT32 };
  const gint64  ns[] = { 0, 1, 2, 3, 5, 64, 1000, 4097 };

  use_emulated ();
  for (guint d = 0; d < G_N_ELEMENTS (dts); d++)
    for (guint k = 0; k < G_N_ELEMENTS (ns); k++)
      {
        LtOpParams p = { .random = { 42 + k, 3 * d, 0, 0 } };

        run_both (LT_OP_RANDPERM, dts[d], ns[k], &p);
      }
}

static void
test_range_bits (void)
{
  const LtDType dts[] = { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT64, LT_DTYPE_INT64, LT_DTYPE_INT32,
                          LT_DTYPE_INT16,   LT_DTYPE_UINT8,   LT_DTYPE_BOOL };
  const double  ranges[][3] = {
     { -3.5, 0.25, 0 }, { 5, -3, 0 }, { 0.1, 0.7, 0 }, { -1, 0, 2 }, { 10, 0, -7.3 },
  };

  use_emulated ();
  for (guint d = 0; d < G_N_ELEMENTS (dts); d++)
    for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
      for (guint k = 0; k < G_N_ELEMENTS (lengths); k++)
        {
          LtOpParams p = { .range = { ranges[r][0], ranges[r][1], ranges[r][2] } };

          run_both (LT_OP_ARANGE, dts[d], lengths[k], &p);
          run_both (LT_OP_LINSPACE, dts[d], lengths[k], &p);
        }
}

/* The creation functions that keep their model's device draw on it, from
 * the same generator: the same seed gives the CPU's values. */
static void
test_random_like (void)
{
  const LtDType dts[] = { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT64 };

  use_emulated ();
  for (guint d = 0; d < G_N_ELEMENTS (dts); d++)
    {
      g_autoptr(GError) error = NULL;
      gint64 shape[2] = { 37, 11 };
      g_autoptr(LtTensor) model = lt_zeros (shape, 2, dts[d], &error);
      g_autoptr(LtTensor) model_dev = lt_tensor_to_device (model, LT_DEVICE_CUDA, &error);
      g_autoptr(LtTensor) u_cpu = NULL;
      g_autoptr(LtTensor) u_dev = NULL;
      g_autoptr(LtTensor) n_cpu = NULL;
      g_autoptr(LtTensor) n_dev = NULL;

      g_assert_no_error (error);
      lt_manual_seed (2024);
      u_cpu = lt_rand_like (model, &error);
      n_cpu = lt_randn_like (model, &error);
      lt_manual_seed (2024);
      u_dev = lt_rand_like (model_dev, &error);
      n_dev = lt_randn_like (model_dev, &error);
      g_assert_no_error (error);
      assert_same_bits (u_cpu, u_dev, "rand_like");
      assert_same_bits (n_cpu, n_dev, "randn_like");
    }
}

static LtTensor *
cuda_from (const double *v, gint64 *shape, gsize ndim, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 1;
  g_autoptr(LtTensor) host = NULL;
  LtTensor *t;

  for (gsize d = 0; d < ndim; d++)
    n *= shape[d];
  host = lt_tensor_new_from_doubles (v, (gsize) n, shape, ndim, dt, &error);
  g_assert_no_error (error);
  t = lt_tensor_to_device (host, LT_DEVICE_CUDA, &error);
  g_assert_no_error (error);
  return t;
}

/* A class target out of [0, C) is found by the kernel: the op returns (it
 * is queued), the GError comes at the next synchronisation, and only once. */
static void
test_nll_target_error (void)
{
  const double xv[] = { -1, -2, -3, -4, -5, -6, -7, -8 };
  g_autoptr(GError) error = NULL;
  gint64 xs[2] = { 2, 4 }, ts[1] = { 2 };
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) bad = NULL;
  g_autoptr(LtTensor) good = NULL;
  g_autoptr(LtTensor) l = NULL;
  g_autoptr(LtTensor) h = NULL;
  double value = 0;

  use_emulated ();
  x = cuda_from (xv, xs, 2, LT_DTYPE_FLOAT32);
  bad = cuda_from ((double[]){ 1, 7 }, ts, 1, LT_DTYPE_INT64);
  l = lt_nll_loss (x, bad, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (l);
  h = lt_tensor_to_device (l, LT_DEVICE_CPU, &error);
  g_assert_null (h);
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "target 7 is out of bounds"));
  g_assert_nonnull (strstr (error->message, "[0, 4)"));
  g_assert_nonnull (strstr (error->message, "found by nll_loss on cuda:0"));
  g_clear_error (&error);
  g_clear_object (&l);

  /* reported once: the next op and copy are clean */
  good = cuda_from ((double[]){ 1, -100 }, ts, 1, LT_DTYPE_INT64);
  l = lt_nll_loss (x, good, NULL, -100, LT_REDUCTION_SUM, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_item (l, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (value, ==, 2);
  g_clear_object (&l);
}

/* With LT_CUDA_SYNC=1 the op itself fails; a negative target other than
 * ignore_index is out of range too. */
static void
test_nll_target_error_sync (void)
{
  const double xv[] = { -1, -2, -3, -4, -5, -6, -7, -8 };
  g_autoptr(GError) error = NULL;
  gint64 xs[2] = { 2, 4 }, ts[1] = { 2 };
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) neg = NULL;
  g_autoptr(LtTensor) l = NULL;

  g_setenv ("LT_CUDA_SYNC", "1", TRUE);
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
  x = cuda_from (xv, xs, 2, LT_DTYPE_FLOAT64);
  neg = cuda_from ((double[]){ -3, 0 }, ts, 1, LT_DTYPE_INT64);
  l = lt_nll_loss (x, neg, NULL, -100, LT_REDUCTION_NONE, &error);
  g_assert_null (l);
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "nll_loss: target -3 is out of bounds"));
  g_unsetenv ("LT_CUDA_SYNC");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The CUDA backend's random, range and nll_loss kernels on the emulated "
                  "device against the CPU backend");
  g_test_add_func ("/cuda/math/random-bits", test_random_bits);
  g_test_add_func ("/cuda/math/randperm-bits", test_randperm_bits);
  g_test_add_func ("/cuda/math/range-bits", test_range_bits);
  g_test_add_func ("/cuda/math/random-like", test_random_like);
  g_test_add_func ("/cuda/math/nll-target-error", test_nll_target_error);
  g_test_add_func ("/cuda/math/nll-target-error-sync", test_nll_target_error_sync);
  return g_test_run ();
}
