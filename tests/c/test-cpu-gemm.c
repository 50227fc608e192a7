/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CPU backend's float32 matrix products on each side of the rule that
 * picks between its own kernels and OpenBLAS (backends/cpu/lt-cpu-blas.c):
 * every side (ours forced, OpenBLAS forced, the rule of generic OpenBLAS
 * cores, the rule) over shapes at the rule's boundaries, in the three
 * layouts of a linear layer (x @ W^T, g @ W, g^T @ x), lt_tensor_mm and
 * lt_tensor_addmm against a float64 reference within float32's error
 * bound, addmm with beta = alpha = 1 bit for bit mm then the add (a
 * Linear fused with its ReLU relies on it), on one thread and two; and
 * that each forced side is the one that ran.
 */

#include <float.h>
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "backends/cpu/lt-cpu-private.h"

typedef enum
{
  FWD,
  GI,
  GW
} Layout;

typedef struct
{
  gint64 M, N, K;
} Shape;

/* At and around the bounds of the rule: rows on AVX2 OpenBLAS cores
 * (AVX2_MAX_M = 8), multiply-adds on AVX-512 ones (WIDE_MIN_FMAS = 2^20,
 * WIDE_MAX_FMAS = 2^23) and columns (WIDE_MIN_N = 32), B in L2
 * (SMALL_MAX_B = 262144 elements; an A stored by columns too), odd sizes
 * for the kernels' masks, the tutorial's fc3 at batch 4, a product large
 * enough for the pool */
static const Shape shapes[] = {
  { 8, 33, 129 },    { 9, 33, 129 },  { 15, 64, 1024 }, { 16, 64, 1024 },  { 127, 64, 1024 },
  { 128, 64, 1024 }, { 64, 31, 600 }, { 64, 32, 600 },  { 3, 512, 512 },   { 5, 513, 512 },
  { 512, 7, 512 },   { 513, 7, 512 }, { 4, 10, 84 },    { 100, 120, 400 },
};

static float *
random_floats (gint64 n, GRand *rng)
{
  float *v = g_new (float, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (rng, -1, 1);
  return v;
}

static LtTensor *
tensor_2d (const float *data, gint64 rows, gint64 cols)
{
  gint64 shape[2] = { rows, cols };
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_data (data, (gsize) (rows * cols) * sizeof (float), shape, 2,
                                         LT_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  return t;
}

static LtTensor *
transposed (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  LtTensor *v = lt_tensor_t (t, &error);

  g_assert_no_error (error);
  return v;
}

/* The float64 sums of A B and of |A| |B| */
static void
reference (const Shape *s, const float *A, const float *B, double *sum, double *abs_sum)
{
  for (gint64 i = 0; i < s->M; i++)
    for (gint64 j = 0; j < s->N; j++)
      {
        double acc = 0, abs_acc = 0;

        for (gint64 k = 0; k < s->K; k++)
          {
            double p = (double) A[i * s->K + k] * B[k * s->N + j];

            acc += p;
            abs_acc += fabs (p);
          }
        sum[i * s->N + j] = acc;
        abs_sum[i * s->N + j] = abs_acc;
      }
}

/* y (M, N) = alpha A B + beta bias against the float64 sums, within
 * float32's bound for a sum of K products (K u sum |a b| for the product,
 * one rounding more for each of alpha, beta and the add) */
static void
assert_close (LtTensor     *y,
              const Shape  *s,
              const double *sum,
              const double *abs_sum,
              const float  *bias,
              double        alpha,
              double        beta,
              const char   *what)
{
  const float *out = (const float *) lt_tensor_get_data_ptr (y);

  g_assert_true (lt_tensor_is_contiguous (y));
  for (gint64 i = 0; i < s->M; i++)
    for (gint64 j = 0; j < s->N; j++)
      {
        gint64 e = i * s->N + j;
        double ref = alpha * sum[e] + (bias != NULL ? beta * bias[j] : 0);
        double tol = (s->K + 3) * (FLT_EPSILON / 2) *
                     (fabs (alpha) * abs_sum[e] + (bias != NULL ? fabs (beta * bias[j]) : 0));

        if (!(fabs (out[e] - ref) <= tol))
          g_error ("%s (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ") [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   "]: %.9g, float64 %.9g (tolerance %.3g)",
                   what, s->M, s->N, s->K, i, j, out[e], ref, tol);
      }
}

/* One shape in one layout under each side */
static void
check_one (const Shape *s, Layout layout, GRand *rng)
{
  static const int         modes[] = { 1, 0, 2, -1 };
  static const char *const names[] = { "x @ W^T", "g @ W", "g^T @ x" };
  g_autofree float        *A = random_floats (s->M * s->K, rng); /* A (M, K) */
  g_autofree float        *B = random_floats (s->K * s->N, rng); /* B (K, N) */
  g_autofree float        *bias = random_floats (s->N, rng);
  g_autofree float        *stored_a = g_new (float, MAX (s->M * s->K, 1));
  g_autofree float        *stored_b = g_new (float, MAX (s->K * s->N, 1));
  g_autoptr(LtTensor) ta = NULL, tb = NULL, a = NULL, b = NULL, tbias = NULL;
  g_autofree double *sum = g_new (double, MAX (s->M * s->N, 1));
  g_autofree double *abs_sum = g_new (double, MAX (s->M * s->N, 1));
  g_autoptr(GError) error = NULL;
  gint64 shape_n[1] = { s->N };

  /* A and B stored as the layer stores them: x (M, K) and W (N, K) for
   * the forward, g (M, K) and W (K, N) for the grad input, g (K, M) and x
   * (K, N) for the weight's gradient */
  for (gint64 i = 0; i < s->M; i++)
    for (gint64 k = 0; k < s->K; k++)
      stored_a[layout == GW ? k * s->M + i : i * s->K + k] = A[i * s->K + k];
  for (gint64 k = 0; k < s->K; k++)
    for (gint64 j = 0; j < s->N; j++)
      stored_b[layout == FWD ? j * s->K + k : k * s->N + j] = B[k * s->N + j];
  if (layout == GW)
    {
      ta = tensor_2d (stored_a, s->K, s->M);
      a = transposed (ta);
    }
  else
    a = tensor_2d (stored_a, s->M, s->K);
  if (layout == FWD)
    {
      tb = tensor_2d (stored_b, s->N, s->K);
      b = transposed (tb);
    }
  else
    b = tensor_2d (stored_b, s->K, s->N);
  tbias = lt_tensor_new_from_data (bias, (gsize) s->N * sizeof (float), shape_n, 1,
                                   LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);

  reference (s, A, B, sum, abs_sum);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      int mode = modes[m];
      g_autoptr(LtTensor) y = NULL, y2 = NULL, y3 = NULL;
      g_autofree char *what =
        g_strdup_printf ("%s, side %d, %d threads", names[layout], mode, lt_get_num_threads ());
      guint64      before = _lt_cpu_small_gemm_calls (), ran;
      gboolean     own_expected;
      const float *p, *q;

      _lt_cpu_set_small_gemm (mode);
      y = lt_tensor_mm (a, b, &error);
      g_assert_no_error (error);
      y2 = lt_tensor_addmm (tbias, a, b, 1, 1, &error);
      g_assert_no_error (error);
      y3 = lt_tensor_addmm (tbias, a, b, -0.5, 2, &error);
      g_assert_no_error (error);
      ran = _lt_cpu_small_gemm_calls () - before;
      _lt_cpu_set_small_gemm (-1);

      assert_close (y, s, sum, abs_sum, NULL, 1, 0, what);
      assert_close (y2, s, sum, abs_sum, bias, 1, 1, what);
      assert_close (y3, s, sum, abs_sum, bias, 2, -0.5, what);
      p = (const float *) lt_tensor_get_data_ptr (y);
      q = (const float *) lt_tensor_get_data_ptr (y2);
      for (gint64 i = 0; i < s->M * s->N; i++)
        {
          float added = p[i] + bias[i % s->N];

          if (memcmp (&added, &q[i], sizeof (float)) != 0)
            g_error ("%s: addmm [%" G_GINT64_FORMAT "] %.9g is not mm then the add, %.9g", what, i,
                     q[i], added);
        }

      /* the side that ran: ours forced runs every layout here on ours
       * (where this build and CPU have them); OpenBLAS forced, none; the
       * rule of generic cores, ours where B (and an A stored by columns)
       * fits; the rule, one side for the three calls */
      own_expected = _lt_cpu_isa () != LT_CPU_ISA_BASE;
      if (mode == 0)
        own_expected = FALSE;
      else if (mode == 2)
        own_expected =
          own_expected && s->K * s->N <= 256 * 1024 && (layout != GW || s->M * s->K <= 256 * 1024);
      if (mode >= 0)
        g_assert_cmpuint (ran, ==, own_expected ? 3 : 0);
      else
        g_assert_true (ran == 0 || ran == 3);
    }
}

static void
test_sides (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);

  for (int threads = 1; threads <= 2; threads++)
    {
      lt_set_num_threads (threads);
      for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
        for (int layout = FWD; layout <= GW; layout++)
          check_one (&shapes[i], layout, rng);
    }
  lt_set_num_threads (1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Float32 products on the CPU: our kernels and OpenBLAS at the rule's bounds");
  g_test_add_func ("/cpu/gemm/sides", test_sides);
  return g_test_run ();
}
