/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The kernels of lt-cuda-kernels-linalg.cu on the emulated device, where the
 * op harness (test-ops-cuda) does not look:
 * - batch_norm forward and backward, training and evaluation, against the
 *   CPU backend: outputs, the three gradients and the running statistics
 *   the front end updates, with channels longer than one block of threads;
 * - a singular matrix (inv, solve) or one not positive-definite (cholesky)
 *   is recorded on the device and raised at the next synchronisation with
 *   the CPU's GError (code and message, the first failing batch element),
 *   once;
 * - the Jacobi methods on bigger matrices and on the hard cases: repeated
 *   eigenvalues, a rank-deficient matrix (the orthonormal completion of U),
 *   full_matrices of a wide and a tall matrix.
 */

#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "backends/cuda/lt-cuda-private.h"
#include "core/lt-tensor-private.h"

static void
use_emulated (void)
{
  g_unsetenv ("LT_CUDA_SYNC");
  _lt_cuda_backend_set_runtime (_lt_cuda_runtime_emulated ());
}

static LtTensor *
to_device (LtTensor *t, LtDevice device)
{
  g_autoptr(GError) error = NULL;
  LtTensor *d = lt_tensor_to_device (t, device, &error);

  g_assert_no_error (error);
  return d;
}

/* Values uniform in [-1, 1] (+ @diag on the diagonal of the last two dims) */
static LtTensor *
random_tensor (GRand *rng, const gint64 *shape, guint ndim, LtDType dt, double diag)
{
  g_autoptr(GError) error = NULL;
  gint64             n = 1;
  g_autofree double *v = NULL;
  LtTensor          *t;

  for (guint d = 0; d < ndim; d++)
    n *= shape[d];
  v = g_new (double, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    {
      v[i] = g_rand_double_range (rng, -1, 1);
      if (ndim >= 2 && (i / shape[ndim - 1]) % shape[ndim - 2] == i % shape[ndim - 1])
        v[i] += diag;
    }
  t = lt_tensor_new_from_doubles (v, n, shape, ndim, dt, &error);
  g_assert_no_error (error);
  return t;
}

/* The values of @t (any device) as doubles */
static double *
values_of (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) h = to_device (t, LT_DEVICE_CPU);
  g_autoptr(LtTensor) c = lt_tensor_contiguous (h, &error);
  g_autoptr(LtTensor) d = c ? lt_tensor_to_dtype (c, LT_DTYPE_FLOAT64, &error) : NULL;
  double *v = g_new (double, MAX (t->numel, 1));

  g_assert_no_error (error);
  memcpy (v, _lt_tensor_data (d), (gsize) t->numel * sizeof (double));
  return v;
}

/* max |a - b| over the elements of two tensors of one shape */
static double
max_diff (LtTensor *a, LtTensor *b)
{
  g_autofree double *x = values_of (a);
  g_autofree double *y = values_of (b);
  double             m = 0;

  g_assert_cmpint (a->numel, ==, b->numel);
  for (gint64 i = 0; i < a->numel; i++)
    m = MAX (m, fabs (x[i] - y[i]));
  return m;
}

/* batch_norm on the CPU and on the device from the same values: y, the
 * running statistics, the gradients of sum (y * g) */
static void
batch_norm_case (GRand *rng, const gint64 *shape, guint ndim, LtDType dt, gboolean training)
{
  g_autoptr(GError) error = NULL;
  gint64    C = shape[1];
  double    tol = dt == LT_DTYPE_FLOAT64 ? 1e-13 : 2e-6;
  LtTensor *t[2][6]; /* x, w, b, running mean, running var, g */
  LtTensor *y[2], *loss[2];

  t[0][0] = random_tensor (rng, shape, ndim, dt, 0);
  t[0][1] = random_tensor (rng, &C, 1, dt, 0);
  t[0][2] = random_tensor (rng, &C, 1, dt, 0);
  t[0][3] = random_tensor (rng, &C, 1, dt, 0);
  t[0][4] = lt_tensor_add_scalar (t[0][1], 2.0, &error); /* positive */
  t[0][5] = random_tensor (rng, shape, ndim, dt, 0);
  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    t[1][i] = to_device (t[0][i], LT_DEVICE_CUDA);
  for (guint d = 0; d < 2; d++)
    {
      g_autoptr(LtTensor) prod = NULL;

      for (guint i = 0; i < 3; i++)
        g_assert_true (lt_tensor_set_requires_grad (t[d][i], TRUE, &error));
      y[d] =
        lt_batch_norm (t[d][0], t[d][3], t[d][4], t[d][1], t[d][2], training, 0.1, 1e-5, &error);
      g_assert_no_error (error);
      prod = lt_tensor_mul (y[d], t[d][5], &error);
      loss[d] = lt_tensor_sum (prod, &error);
      g_assert_no_error (error);
      g_assert_true (lt_tensor_backward (loss[d], NULL, FALSE, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (lt_tensor_get_device (y[1]), ==, LT_DEVICE_CUDA);
  g_test_message ("batch_norm %s %s: y %g, running %g %g, grads %g %g %g", lt_dtype_get_name (dt),
                  training ? "training" : "evaluation", max_diff (y[0], y[1]),
                  max_diff (t[0][3], t[1][3]), max_diff (t[0][4], t[1][4]),
                  max_diff (lt_tensor_get_grad (t[0][0]), lt_tensor_get_grad (t[1][0])),
                  max_diff (lt_tensor_get_grad (t[0][1]), lt_tensor_get_grad (t[1][1])),
                  max_diff (lt_tensor_get_grad (t[0][2]), lt_tensor_get_grad (t[1][2])));
  g_assert_cmpfloat (max_diff (y[0], y[1]), <=, tol * 10);
  /* the running statistics: the same update of the same statistics */
  g_assert_cmpfloat (max_diff (t[0][3], t[1][3]), <=, tol);
  g_assert_cmpfloat (max_diff (t[0][4], t[1][4]), <=, tol);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpfloat (max_diff (lt_tensor_get_grad (t[0][i]), lt_tensor_get_grad (t[1][i])), <=,
                       tol * 10 * (i ? shape[0] * 16 : 1));
  for (guint d = 0; d < 2; d++)
    {
      for (guint i = 0; i < 6; i++)
        g_object_unref (t[d][i]);
      g_object_unref (y[d]);
      g_object_unref (loss[d]);
    }
}

static void
test_batch_norm (void)
{
  static const gint64 shapes[][4] = { { 4, 3, 5, 5 }, { 6, 3, 1, 1 }, { 8, 2, 16, 20 } };
  static const guint  ndims[] = { 4, 2, 4 };
  g_autoptr(GRand) rng = g_rand_new_with_seed (10);

  use_emulated ();
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint dt = 0; dt < 2; dt++)
      for (guint training = 0; training < 2; training++)
        batch_norm_case (rng, shapes[s], ndims[s], dt ? LT_DTYPE_FLOAT64 : LT_DTYPE_FLOAT32,
                         training);
}

typedef enum
{
  BAD_INV,
  BAD_SOLVE,
  BAD_CHOLESKY,
} Bad;

static LtTensor *
run_bad (Bad which, LtTensor *a, GError **error)
{
  switch (which)
    {
      case BAD_INV:
        return lt_linalg_inv (a, error);
      case BAD_SOLVE:
        return lt_linalg_solve (a, a, error);
      default:
        return lt_linalg_cholesky (a, FALSE, error);
    }
}

/* Batches whose matrices 1 and 2 (of 3) are singular, and one matrix
 * alone: the device's error, at the copy to the host, is the CPU's */
static void
test_data_errors (void)
{
  /* identity, zero, [[1, 2], [2, 1]] (singular for neither inv nor solve,
   * but not positive-definite) */
  const double v3[] = { 1, 0, 0, 1, 0, 0, 0, 0, 1, 2, 2, 1 };
  const double v1[] = { 4, 2, 2, -1 };
  gint64       s3[3] = { 3, 2, 2 }, s1[2] = { 2, 2 };

  use_emulated ();
  for (Bad which = BAD_INV; which <= BAD_CHOLESKY; which++)
    for (guint k = 0; k < 2; k++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GError) cpu_error = NULL;
        g_autoptr(LtTensor) a = lt_tensor_new_from_doubles (k ? v1 : v3, k ? 4 : 12, k ? s1 : s3,
                                                             k ? 2 : 3, LT_DTYPE_FLOAT64, &error);
        g_autoptr(LtTensor) da = to_device (a, LT_DEVICE_CUDA);
        g_autoptr(LtTensor) cpu = NULL;
        g_autoptr(LtTensor) dev = NULL;
        g_autoptr(LtTensor) h = NULL;
        g_autoptr(LtTensor) again = NULL;

        if (which != BAD_CHOLESKY && k == 1)
          continue; /* v1 is invertible */
        cpu = run_bad (which, a, &cpu_error);
        g_assert_null (cpu);
        g_assert_error (cpu_error, LT_ERROR, LT_ERROR_LINALG);
        /* queued without a synchronisation: the op returns */
        dev = run_bad (which, da, &error);
        g_assert_no_error (error);
        g_assert_nonnull (dev);
        h = lt_tensor_to_device (dev, LT_DEVICE_CPU, &error);
        g_assert_null (h);
        g_assert_error (error, LT_ERROR, LT_ERROR_LINALG);
        g_test_message ("%s", error->message);
        g_assert_cmpstr (error->message, ==, cpu_error->message);
        g_assert_true (k || strstr (error->message, "(Batch element 1)") != NULL);
        g_clear_error (&error);
        /* raised once */
        again = to_device (dev, LT_DEVICE_CPU);
        g_assert_nonnull (again);
      }
}

/* A (n x n) = V diag (w) V^T, V orthonormal, on the device */
static void
check_eigh (LtTensor *a, double tol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) v = NULL;
  g_autoptr(LtTensor) w = lt_linalg_eigh (a, NULL, &v, &error);
  g_autoptr(LtTensor) w3 = w ? lt_tensor_unsqueeze (w, -2, &error) : NULL;
  g_autoptr(LtTensor) vw = w3 ? lt_tensor_mul (v, w3, &error) : NULL;
  g_autoptr(LtTensor) vt = vw ? lt_tensor_transpose (v, -2, -1, &error) : NULL;
  g_autoptr(LtTensor) back = vt ? lt_tensor_matmul (vw, vt, &error) : NULL;
  g_autoptr(LtTensor) vtv = back ? lt_tensor_matmul (vt, v, &error) : NULL;
  g_autoptr(LtTensor) eye = vtv ? lt_eye (a->shape[0], -1, a->dtype, &error) : NULL;
  g_autofree double *wv = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_device (v), ==, LT_DEVICE_CUDA);
  wv = values_of (w);
  for (gint64 i = 1; i < w->numel; i++)
    g_assert_cmpfloat (wv[i - 1], <=, wv[i]);
  g_assert_cmpfloat (max_diff (back, a), <=, tol);
  g_assert_cmpfloat (max_diff (vtv, eye), <=, tol);
}

/* A (m x n) = U diag (S) Vh with orthonormal factors (full_matrices too) */
static void
check_svd (LtTensor *a, gboolean full, double tol)
{
  g_autoptr(GError) error = NULL;
  gint64 m = a->shape[0], n = a->shape[1], k = MIN (m, n);
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) vh = NULL;
  g_autoptr(LtTensor) u = lt_linalg_svd (a, full, &s, &vh, &error);
  g_autoptr(LtTensor) uk = u ? lt_tensor_narrow (u, 1, 0, k, &error) : NULL;
  g_autoptr(LtTensor) vk = uk ? lt_tensor_narrow (vh, 0, 0, k, &error) : NULL;
  g_autoptr(LtTensor) us = vk ? lt_tensor_mul (uk, s, &error) : NULL;
  g_autoptr(LtTensor) back = us ? lt_tensor_matmul (us, vk, &error) : NULL;
  g_autoptr(LtTensor) ut = back ? lt_tensor_transpose (u, 0, 1, &error) : NULL;
  g_autoptr(LtTensor) utu = ut ? lt_tensor_matmul (ut, u, &error) : NULL;
  g_autoptr(LtTensor) vt = utu ? lt_tensor_transpose (vh, 0, 1, &error) : NULL;
  g_autoptr(LtTensor) vvt = vt ? lt_tensor_matmul (vh, vt, &error) : NULL;
  g_autoptr(LtTensor) eu = vvt ? lt_eye (u->shape[1], -1, a->dtype, &error) : NULL;
  g_autoptr(LtTensor) ev = eu ? lt_eye (vh->shape[0], -1, a->dtype, &error) : NULL;
  g_autofree double *sv = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (u->shape[1], ==, full ? m : k);
  g_assert_cmpint (vh->shape[0], ==, full ? n : k);
  sv = values_of (s);
  for (gint64 i = 1; i < k; i++)
    g_assert_cmpfloat (sv[i - 1], >=, sv[i]);
  g_assert_cmpfloat (max_diff (back, a), <=, tol);
  g_assert_cmpfloat (max_diff (utu, eu), <=, tol);
  g_assert_cmpfloat (max_diff (vvt, ev), <=, tol);
}

static void
test_jacobi (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (11);
  g_autoptr(GError) error = NULL;

  use_emulated ();
  for (guint dti = 0; dti < 2; dti++)
    {
      LtDType dt = dti ? LT_DTYPE_FLOAT64 : LT_DTYPE_FLOAT32;
      double  tol = dti ? 1e-11 : 2e-4;
      gint64  sq[2] = { 24, 24 }, tall[2] = { 12, 5 }, wide[2] = { 5, 12 }, col[2] = { 12, 1 };
      g_autoptr(LtTensor) x = random_tensor (rng, sq, 2, dt, 0);
      g_autoptr(LtTensor) xt = lt_tensor_transpose (x, 0, 1, &error);
      g_autoptr(LtTensor) sym = lt_tensor_add (x, xt, &error);
      g_autoptr(LtTensor) dsym = to_device (sym, LT_DEVICE_CUDA);
      g_autoptr(LtTensor) dx = to_device (x, LT_DEVICE_CUDA);
      /* I + c c^T: the eigenvalue 1 repeated 23 times */
      g_autoptr(LtTensor) c = random_tensor (rng, col, 2, dt, 0);
      g_autoptr(LtTensor) ct = lt_tensor_transpose (c, 0, 1, &error);
      g_autoptr(LtTensor) cct = lt_tensor_matmul (c, ct, &error);
      g_autoptr(LtTensor) eye = lt_eye (12, -1, dt, &error);
      g_autoptr(LtTensor) rep = lt_tensor_add (eye, cct, &error);
      g_autoptr(LtTensor) drep = to_device (rep, LT_DEVICE_CUDA);
      /* rank 2: a tall and a wide product of rank-2 factors; and zero */
      g_autoptr(LtTensor) f1 = random_tensor (rng, (gint64[]){ 12, 2 }, 2, dt, 0);
      g_autoptr(LtTensor) f2 = random_tensor (rng, (gint64[]){ 2, 5 }, 2, dt, 0);
      g_autoptr(LtTensor) low = lt_tensor_matmul (f1, f2, &error);
      g_autoptr(LtTensor) dlow = to_device (low, LT_DEVICE_CUDA);
      g_autoptr(LtTensor) dlowt = lt_tensor_transpose (dlow, 0, 1, &error);
      g_autoptr(LtTensor) zero = lt_zeros (tall, 2, dt, &error);
      g_autoptr(LtTensor) dzero = to_device (zero, LT_DEVICE_CUDA);
      g_autoptr(LtTensor) dtall = NULL;
      g_autoptr(LtTensor) dwide = NULL;

      g_assert_no_error (error);
      {
        g_autoptr(LtTensor) ht = random_tensor (rng, tall, 2, dt, 0);
        g_autoptr(LtTensor) hw = random_tensor (rng, wide, 2, dt, 0);

        dtall = to_device (ht, LT_DEVICE_CUDA);
        dwide = to_device (hw, LT_DEVICE_CUDA);
      }
      check_eigh (dsym, tol * 24);
      check_eigh (drep, tol * 12);
      for (guint full = 0; full < 2; full++)
        {
          check_svd (dx, full, tol * 24);
          check_svd (dtall, full, tol * 12);
          check_svd (dwide, full, tol * 12);
          check_svd (dlow, full, tol * 12);
          check_svd (dlowt, full, tol * 12);
          check_svd (dzero, full, tol);
        }
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The CUDA backend's batch_norm and linear algebra kernels on the emulated "
                  "device: against the CPU backend, the deferred errors, the Jacobi methods' "
                  "hard cases");
  g_test_add_func ("/cuda/linalg/batch-norm", test_batch_norm);
  g_test_add_func ("/cuda/linalg/data-errors", test_data_errors);
  g_test_add_func ("/cuda/linalg/jacobi", test_jacobi);
  return g_test_run ();
}
