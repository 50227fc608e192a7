/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The paths that a language model's step takes through the library and
 * that are shaped for speed: the sums over outer dims of a block whose
 * inner dim is contiguous (a bias's gradient, backends/cpu/lt-cpu-reduce.c
 * reads whole rows for them), matmul of a batch of matrices by one matrix
 * or vector (the batch folded into the rows of one mm, ops/lt-linalg.c)
 * and linear over a contiguous input of more than two dims (one addmm,
 * nn/lt-functional.c). Values against float64 references written here as
 * loops, the same bits on 1 and 2 threads, and float64 gradcheck of the
 * folded products.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

static GRand *rng;

/* A tensor of @shape with random values in [-1, 1], and its values */
static LtTensor *
random_tensor (const gint64 *shape, gsize ndim, LtDType dtype, double **vals)
{
  gint64 n = shape_numel (shape, ndim);

  *vals = random_values (rng, n, -1, 1);
  return tensor_of (*vals, (gsize) n, shape, ndim, dtype);
}

typedef struct
{
  gint64 shape[3];
  guint  ndim;
  gint   dims[3];
  guint  n_dims;
  gint   perm[3]; /* the input is permuted by this first (non-contiguous) */
} SumCase;

/* The sum over @dims of (values of a contiguous @shape tensor, permuted by
 * @perm), as loops; the output is the permuted shape without @dims. */
static double *
sum_ref (const double *v, const SumCase *c, gint64 *n_out)
{
  gint64   ps[3] = { 1, 1, 1 }, st[3] = { 0, 0, 0 }, cs[3], nk = 1;
  gboolean red[3] = { FALSE, FALSE, FALSE };
  double  *out;

  /* strides of the contiguous tensor, then those of its permutation */
  cs[c->ndim - 1] = 1;
  for (guint d = c->ndim - 1; d-- > 0;)
    cs[d] = cs[d + 1] * c->shape[d + 1];
  for (guint d = 0; d < c->ndim; d++)
    {
      ps[d] = c->shape[c->perm[d]];
      st[d] = cs[c->perm[d]];
    }
  for (guint i = 0; i < c->n_dims; i++)
    red[c->dims[i]] = TRUE;
  for (guint d = 0; d < c->ndim; d++)
    if (!red[d])
      nk *= ps[d];
  out = g_new0 (double, nk);
  for (gint64 i0 = 0; i0 < ps[0]; i0++)
    for (gint64 i1 = 0; i1 < (c->ndim > 1 ? ps[1] : 1); i1++)
      for (gint64 i2 = 0; i2 < (c->ndim > 2 ? ps[2] : 1); i2++)
        {
          gint64 idx[3] = { i0, i1, i2 }, o = 0, xo = 0;

          for (guint d = 0; d < c->ndim; d++)
            {
              xo += idx[d] * st[d];
              if (!red[d])
                o = o * ps[d] + idx[d];
            }
          out[o] += v[xo];
        }
  *n_out = nk;
  return out;
}

static const SumCase sum_cases[] = {
  /* column sums over more than one block of columns, and a remainder */
  { { 7, 1100 }, 2, { 0 }, 1, { 0, 1 } },
  /* two outer dims reduced, then one outer dim kept */
  { { 5, 3, 600 }, 3, { 0, 1 }, 2, { 0, 1, 2 } },
  { { 5, 3, 600 }, 3, { 0 }, 1, { 0, 1, 2 } },
  /* a permuted input whose inner dim is still contiguous */
  { { 4, 6, 40 }, 3, { 1 }, 1, { 1, 0, 2 } },
  /* a transposed matrix: its inner dim is not contiguous (strided walks) */
  { { 9, 30 }, 2, { 0 }, 1, { 1, 0 } },
};

static void
test_sum_columns (void)
{
  const LtDType dtypes[] = { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT64 };
  int           nt0 = lt_get_num_threads ();

  for (gsize ci = 0; ci < G_N_ELEMENTS (sum_cases); ci++)
    for (gsize di = 0; di < G_N_ELEMENTS (dtypes); di++)
      for (int mean = 0; mean < 2; mean++)
        {
          const SumCase     *c = &sum_cases[ci];
          g_autofree double *v = NULL;
          g_autoptr(LtTensor) x0 = random_tensor (c->shape, c->ndim, dtypes[di], &v);
          g_autoptr(LtTensor) x = lt_tensor_permute (x0, c->perm, c->ndim, NULL);
          g_autoptr(LtTensor) s1 = NULL;
          g_autoptr(LtTensor) s2 = NULL;
          g_autofree double *want = NULL;
          g_autofree double *got1 = NULL;
          g_autofree double *got2 = NULL;
          gint64             nk, nr = 1;
          gsize              n1, n2;
          GError            *error = NULL;

          g_assert_nonnull (x);
          want = sum_ref (v, c, &nk);
          for (guint i = 0; i < c->n_dims; i++)
            nr *= c->shape[c->perm[c->dims[i]]];
          if (mean)
            for (gint64 k = 0; k < nk; k++)
              want[k] /= (double) nr;
          lt_set_num_threads (1);
          s1 = mean ? lt_tensor_mean_dims (x, c->dims, c->n_dims, FALSE, &error)
                    : lt_tensor_sum_dims (x, c->dims, c->n_dims, FALSE, &error);
          g_assert_no_error (error);
          lt_set_num_threads (2);
          s2 = mean ? lt_tensor_mean_dims (x, c->dims, c->n_dims, FALSE, &error)
                    : lt_tensor_sum_dims (x, c->dims, c->n_dims, FALSE, &error);
          g_assert_no_error (error);
          g_assert_cmpint (lt_tensor_numel (s1), ==, nk);
          assert_allclose (s1, want, (gsize) nk, dtypes[di] == LT_DTYPE_FLOAT32 ? 1e-6 : 1e-13,
                           1e-6);
          /* the same bits whatever the thread count */
          got1 = values (s1, &n1);
          got2 = values (s2, &n2);
          g_assert_cmpuint (n1, ==, n2);
          g_assert_cmpmem (got1, n1 * sizeof (double), got2, n2 * sizeof (double));
        }
  lt_set_num_threads (nt0);
}

/* a (B..., M, K) @ (K, N) or (K) product, as loops */
static double *
matmul_ref (const double *a, const double *b, gint64 rows, gint64 K, gint64 N)
{
  double *out = g_new0 (double, rows *N);

  for (gint64 r = 0; r < rows; r++)
    for (gint64 j = 0; j < N; j++)
      for (gint64 k = 0; k < K; k++)
        out[r * N + j] += a[r * K + k] * b[k * N + j];
  return out;
}

static LtTensor *
matmul_fn (LtTensor **in, gsize n, gpointer data)
{
  return lt_tensor_matmul (in[0], in[1], NULL);
}

static LtTensor *
linear_fn (LtTensor **in, gsize n, gpointer data)
{
  return lt_linear (in[0], in[1], n > 2 ? in[2] : NULL, NULL);
}

static void
test_matmul_fold (void)
{
  const LtDType dtypes[] = { LT_DTYPE_FLOAT32, LT_DTYPE_FLOAT64 };

  for (gsize di = 0; di < G_N_ELEMENTS (dtypes); di++)
    {
      g_autofree double *va = NULL;
      g_autofree double *vb = NULL;
      g_autofree double *vc = NULL;
      g_autoptr(LtTensor) a = random_tensor (DIMS (2, 3, 4, 5), dtypes[di], &va);
      g_autoptr(LtTensor) b = random_tensor (DIMS (5, 6), dtypes[di], &vb);
      g_autoptr(LtTensor) c = random_tensor (DIMS (5), dtypes[di], &vc);
      g_autoptr(LtTensor) ab = lt_tensor_matmul (a, b, NULL);
      g_autoptr(LtTensor) ac = lt_tensor_matmul (a, c, NULL);
      g_autofree double *want_ab = matmul_ref (va, vb, 24, 5, 6);
      g_autofree double *want_ac = matmul_ref (va, vc, 24, 5, 1);
      double             tol = dtypes[di] == LT_DTYPE_FLOAT32 ? 1e-5 : 1e-12;

      assert_shape (ab, DIMS (2, 3, 4, 6));
      assert_allclose (ab, want_ab, 24 * 6, tol, tol);
      assert_shape (ac, DIMS (2, 3, 4));
      assert_allclose (ac, want_ac, 24, tol, tol);
    }

  /* a non-contiguous batch (its fold copies), and the gradients */
  {
    g_autofree double *va = NULL;
    g_autofree double *vb = NULL;
    g_autoptr(LtTensor) a0 = random_tensor (DIMS (4, 3, 5), LT_DTYPE_FLOAT64, &va);
    g_autoptr(LtTensor) a = lt_tensor_transpose (a0, 0, 1, NULL);
    g_autoptr(LtTensor) b = random_tensor (DIMS (5, 2), LT_DTYPE_FLOAT64, &vb);
    g_autofree double *vv = NULL;
    g_autoptr(LtTensor) v = random_tensor (DIMS (5), LT_DTYPE_FLOAT64, &vv);
    g_autoptr(LtTensor) e = lt_empty (DIMS (0, 3, 5), LT_DTYPE_FLOAT64, NULL);
    g_autoptr(LtTensor) ee = lt_tensor_matmul (e, b, NULL);
    g_autoptr(LtTensor) bad = lt_zeros (DIMS (4, 2), LT_DTYPE_FLOAT64, NULL);
    LtTensor *in[2] = { a, b };
    GError   *error = NULL;

    assert_shape (ee, DIMS (0, 3, 2));
    g_assert_true (lt_tensor_set_requires_grad (a0, TRUE, NULL));
    g_assert_true (lt_tensor_set_requires_grad (b, TRUE, NULL));
    g_assert_true (lt_tensor_set_requires_grad (v, TRUE, NULL));
    g_assert_true (lt_gradcheck (matmul_fn, NULL, in, 2, 1e-6, 1e-8, 1e-6, &error));
    g_assert_no_error (error);
    in[1] = v;
    g_assert_true (lt_gradcheck (matmul_fn, NULL, in, 2, 1e-6, 1e-8, 1e-6, &error));
    g_assert_no_error (error);
    g_assert_null (lt_tensor_matmul (a, bad, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "cannot be multiplied"));
    g_clear_error (&error);
  }
}

static void
test_linear_fold (void)
{
  g_autofree double *vx = NULL;
  g_autofree double *vw = NULL;
  g_autofree double *vb = NULL;
  g_autoptr(LtTensor) x = random_tensor (DIMS (3, 4, 5), LT_DTYPE_FLOAT64, &vx);
  g_autoptr(LtTensor) w = random_tensor (DIMS (6, 5), LT_DTYPE_FLOAT64, &vw);
  g_autoptr(LtTensor) b = random_tensor (DIMS (6), LT_DTYPE_FLOAT64, &vb);
  g_autoptr(LtTensor) xt = lt_tensor_transpose (x, 0, 1, NULL);
  g_autoptr(LtTensor) y = lt_linear (x, w, b, NULL);
  g_autofree double *want = g_new0 (double, 12 * 6);
  LtTensor          *in[3] = { x, w, b };
  GError            *error = NULL;

  for (gint64 r = 0; r < 12; r++)
    for (gint64 j = 0; j < 6; j++)
      {
        want[r * 6 + j] = vb[j];
        for (gint64 k = 0; k < 5; k++)
          want[r * 6 + j] += vx[r * 5 + k] * vw[j * 5 + k];
      }
  assert_shape (y, DIMS (3, 4, 6));
  assert_allclose (y, want, 12 * 6, 1e-12, 1e-12);
  for (gsize i = 0; i < 3; i++)
    g_assert_true (lt_tensor_set_requires_grad (in[i], TRUE, NULL));
  /* contiguous (one addmm) and not (matmul, then the bias) */
  g_assert_true (lt_gradcheck (linear_fn, NULL, in, 3, 1e-6, 1e-8, 1e-6, &error));
  g_assert_no_error (error);
  in[0] = xt;
  g_assert_true (lt_gradcheck (linear_fn, NULL, in, 3, 1e-6, 1e-8, 1e-6, &error));
  g_assert_no_error (error);
  /* and the bias's gradient is the column sums of the output's */
  {
    g_autoptr(LtTensor) y2 = lt_linear (x, w, b, NULL);
    g_autoptr(LtTensor) s = lt_tensor_sum (y2, NULL);
    LtTensor *gb;
    double    ones[6] = { 12, 12, 12, 12, 12, 12 };

    g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
    g_assert_no_error (error);
    gb = lt_tensor_get_grad (b);
    g_assert_nonnull (gb);
    assert_allclose (gb, ones, 6, 0, 1e-12);
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (12);
  g_test_add_func ("/fold/sum-columns", test_sum_columns);
  g_test_add_func ("/fold/matmul", test_matmul_fold);
  g_test_add_func ("/fold/linear", test_linear_fold);
  rc = g_test_run ();
  g_rand_free (rng);
  return rc;
}
