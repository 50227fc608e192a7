/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The losses composed of public ops (ops/lt-loss-composite.c):
 * binary_cross_entropy, smooth_l1_loss, huber_loss, kl_div,
 * cosine_similarity, cosine_embedding_loss and margin_ranking_loss. Values
 * against references written here as loops over doubles from PyTorch's
 * formulas, float64 gradcheck of each under every reduction, the clamped
 * logarithms of binary cross entropy at 0 and 1, and the errors for bad
 * shapes, dtypes and arguments (the Python suite compares the same losses
 * with PyTorch's).
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

static GRand *rng;

static const LtReduction reductions[] = {
  LT_REDUCTION_NONE, LT_REDUCTION_MEAN, LT_REDUCTION_SUM
};

typedef enum
{
  K_BCE,
  K_BCE_WEIGHT,
  K_SMOOTH_L1,
  K_HUBER,
  K_KL,
  K_KL_LOG,
  K_COSINE_SIMILARITY,
  K_COSINE_EMBEDDING,
  K_MARGIN_RANKING,
  K_N
} Kind;

typedef struct
{
  Kind        kind;
  LtReduction reduction;
  double      arg;
  LtTensor   *extra; /* the weight or target that is not checked */
} Call;

static LtTensor *
run (LtTensor  **in,
     const Call *c,
     GError    **error)
{
  switch (c->kind)
    {
    case K_BCE:
      return lt_binary_cross_entropy (in[0], in[1], NULL, c->reduction, error);
    case K_BCE_WEIGHT:
      return lt_binary_cross_entropy (in[0], in[1], c->extra, c->reduction, error);
    case K_SMOOTH_L1:
      return lt_smooth_l1_loss (in[0], in[1], c->reduction, c->arg, error);
    case K_HUBER:
      return lt_huber_loss (in[0], in[1], c->reduction, c->arg, error);
    case K_KL:
      return lt_kl_div (in[0], in[1], c->reduction, FALSE, error);
    case K_KL_LOG:
      return lt_kl_div (in[0], in[1], c->reduction, TRUE, error);
    case K_COSINE_SIMILARITY:
      return lt_cosine_similarity (in[0], in[1], (gint64) c->arg, 1e-8, error);
    case K_COSINE_EMBEDDING:
      return lt_cosine_embedding_loss (in[0], in[1], c->extra, c->arg, c->reduction, error);
    case K_MARGIN_RANKING:
      return lt_margin_ranking_loss (in[0], in[1], c->extra, c->arg, c->reduction, error);
    case K_N:
    default:
      g_assert_not_reached ();
    }
}

static LtTensor *
gc_run (LtTensor **in,
        gsize      n,
        gpointer   data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = run (in, data, &error);

  g_assert_no_error (error);
  return y;
}

static LtTensor *
leaf (const double *v,
      const gint64 *shape,
      gsize         n_dims)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = tensor_of_shape (v, shape, n_dims, LT_DTYPE_FLOAT64);

  g_assert_true (lt_tensor_set_requires_grad (t, TRUE, &error));
  return t;
}

/* The reference of @n losses reduced as @r */
static double
reduce_ref (const double *loss,
            gsize         n,
            LtReduction   r)
{
  double s = 0;

  for (gsize i = 0; i < n; i++)
    s += loss[i];
  return r == LT_REDUCTION_MEAN ? s / (double) n : s;
}

static void
check_against (LtTensor     *y,
               const double *loss,
               gsize         n,
               LtReduction   r)
{
  if (r == LT_REDUCTION_NONE)
    assert_allclose (y, loss, n, 1e-12, 1e-12);
  else
    {
      double want = reduce_ref (loss, n, r);

      assert_allclose (y, &want, 1, 1e-12, 1e-12);
    }
}

static double
clamped_log_ref (double x)
{
  return x > 0 ? MAX (log (x), -100) : -100;
}

/* Every loss: values against its formula, gradients by gradcheck */
static void
test_values_and_gradients (void)
{
  enum { R = 4, C = 6, N = R * C };
  g_autoptr(GError) error = NULL;
  g_autofree double *p = random_values (rng, N, 0.05, 0.95);
  g_autofree double *q = random_values (rng, N, 0, 1);
  g_autofree double *a = random_values (rng, N, -2, 2);
  g_autofree double *b = random_values (rng, N, -2, 2);
  g_autofree double *w = random_values (rng, C, 0.5, 1.5);
  const double sign[R] = { 1, -1, 1, -1 };

  for (guint ri = 0; ri < G_N_ELEMENTS (reductions); ri++)
    for (Kind k = 0; k < K_N; k++)
      {
        LtReduction r = reductions[ri];
        gboolean probs = k == K_BCE || k == K_BCE_WEIGHT || k == K_KL;
        g_autoptr(LtTensor) x1 = leaf (probs ? p : a, DIMS (R, C));
        g_autoptr(LtTensor) x2 = leaf (probs ? q : b, DIMS (R, C));
        g_autoptr(LtTensor) wt = tensor_of_shape (w, DIMS (C), LT_DTYPE_FLOAT64);
        g_autoptr(LtTensor) st = tensor_of_shape (sign, DIMS (R), LT_DTYPE_FLOAT64);
        g_autoptr(LtTensor) y = NULL;
        Call c = { k, r, 0.7, NULL };
        LtTensor *in[2] = { x1, x2 };
        double loss[N];
        gsize n = N;

        if (k == K_BCE_WEIGHT)
          c.extra = wt;
        else if (k == K_COSINE_EMBEDDING)
          c.extra = st, c.arg = 0.1, n = R;
        else if (k == K_MARGIN_RANKING)
          {
            /* scores: the first column of each input, one per row */
            g_clear_object (&x1);
            g_clear_object (&x2);
            x1 = leaf (a, DIMS (R));
            x2 = leaf (b, DIMS (R));
            in[0] = x1, in[1] = x2;
            c.extra = st, c.arg = 0.3, n = R;
          }
        else if (k == K_COSINE_SIMILARITY)
          c.arg = -1, n = R;
        if (k == K_COSINE_SIMILARITY && r != LT_REDUCTION_NONE)
          continue;

        for (gsize i = 0; i < n; i++)
          {
            double x = (probs ? p : a)[i], t = (probs ? q : b)[i], d = fabs (x - t);

            switch (k)
              {
              case K_BCE:
              case K_BCE_WEIGHT:
                loss[i] = -(t * clamped_log_ref (x) + (1 - t) * clamped_log_ref (1 - x));
                if (k == K_BCE_WEIGHT)
                  loss[i] *= w[i % C];
                break;
              case K_SMOOTH_L1:
                loss[i] = d < c.arg ? 0.5 * d * d / c.arg : d - 0.5 * c.arg;
                break;
              case K_HUBER:
                loss[i] = d < c.arg ? 0.5 * d * d : c.arg * (d - 0.5 * c.arg);
                break;
              case K_KL:
                loss[i] = t > 0 ? t * (log (t) - x) : 0;
                break;
              case K_KL_LOG:
                loss[i] = exp (t) * (t - x);
                break;
              case K_COSINE_SIMILARITY:
              case K_COSINE_EMBEDDING:
                {
                  double dot = 0, n1 = 0, n2 = 0, cos;

                  for (guint j = 0; j < C; j++)
                    {
                      dot += a[i * C + j] * b[i * C + j];
                      n1 += a[i * C + j] * a[i * C + j];
                      n2 += b[i * C + j] * b[i * C + j];
                    }
                  if (k == K_COSINE_SIMILARITY)
                    loss[i] = dot / sqrt (MAX (n1 * n2, 1e-16));
                  else
                    {
                      cos = dot / sqrt ((n1 + 1e-12) * (n2 + 1e-12));
                      loss[i] = sign[i] > 0 ? 1 - cos : MAX (cos - c.arg, 0);
                    }
                }
                break;
              case K_MARGIN_RANKING:
                loss[i] = MAX (-sign[i] * (a[i] - b[i]) + c.arg, 0);
                break;
              case K_N:
              default:
                g_assert_not_reached ();
              }
          }
        y = run (in, &c, &error);
        g_assert_no_error (error);
        check_against (y, loss, n, r);
        g_assert_true (lt_gradcheck (gc_run, &c, in, 2, 1e-6, 1e-5, 1e-3, &error));
        g_assert_no_error (error);
      }
}

/* Probabilities of exactly 0 and 1: the logarithms clamp at -100 and the
 * gradient stays finite */
static void
test_bce_clamped (void)
{
  const double xv[] = { 0, 1, 0.5, 0, 1 }, tv[] = { 0, 1, 1, 1, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = leaf (xv, DIMS (5));
  g_autoptr(LtTensor) t = tensor_of_shape (tv, DIMS (5), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) y = lt_binary_cross_entropy (x, t, NULL, LT_REDUCTION_NONE, &error);
  g_autoptr(LtTensor) s = NULL;
  g_autofree double *g = NULL;
  gsize n;

  g_assert_no_error (error);
  assert_values (y, VALS (0, 0, log (2), 100, 100));
  s = lt_tensor_sum (y, &error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g = lt_tensor_to_doubles (lt_tensor_get_grad (x), &n, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    g_assert_true (isfinite (g[i]));
}

static void
expect_error (LtTensor  *y,
              GError    *error,
              gint       code,
              const char *part)
{
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, code);
  g_assert_nonnull (strstr (error->message, part));
}

/* Runs @y = @expr and checks it failed with @code and a message that
 * contains @part. */
#define EXPECT_ERROR(expr, code, part)                                                              \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_autoptr(GError) error = NULL;                                                                \
    g_autoptr(LtTensor) y = (expr);                                                                \
                                                                                                   \
    expect_error (y, error, code, part);                                                           \
  }                                                                                                \
  G_STMT_END

static void
test_errors (void)
{
  g_autoptr(LtTensor) x = lt_rand (DIMS (3, 4), LT_DTYPE_FLOAT32, NULL);
  g_autoptr(LtTensor) x5 = lt_rand (DIMS (3, 5), LT_DTYPE_FLOAT32, NULL);
  g_autoptr(LtTensor) big = lt_full (DIMS (3, 4), 1.5, LT_DTYPE_FLOAT32, NULL);
  g_autoptr(LtTensor) ints = lt_zeros (DIMS (3, 4), LT_DTYPE_INT64, NULL);
  g_autoptr(LtTensor) t3 = lt_ones (DIMS (3), LT_DTYPE_FLOAT32, NULL);
  g_autoptr(LtTensor) t4 = lt_ones (DIMS (4), LT_DTYPE_FLOAT32, NULL);
  g_autoptr(LtTensor) r3 = lt_rand (DIMS (3), LT_DTYPE_FLOAT32, NULL);

  EXPECT_ERROR (lt_binary_cross_entropy (big, x, NULL, LT_REDUCTION_MEAN, &error),
                LT_ERROR_INVALID_ARGUMENT, "between 0 and 1");
  EXPECT_ERROR (lt_binary_cross_entropy (x, x5, NULL, LT_REDUCTION_MEAN, &error), LT_ERROR_SHAPE,
                "[3, 5]");
  EXPECT_ERROR (lt_binary_cross_entropy (x, ints, NULL, LT_REDUCTION_MEAN, &error), LT_ERROR_DTYPE,
                "int64");
  EXPECT_ERROR (lt_binary_cross_entropy (x, x, t3, LT_REDUCTION_MEAN, &error), LT_ERROR_SHAPE,
                "does not broadcast");
  EXPECT_ERROR (lt_binary_cross_entropy (x, x, NULL, (LtReduction) 7, &error),
                LT_ERROR_INVALID_ARGUMENT, "not a reduction");
  EXPECT_ERROR (lt_smooth_l1_loss (x, x, LT_REDUCTION_MEAN, -1, &error), LT_ERROR_INVALID_ARGUMENT,
                "beta");
  EXPECT_ERROR (lt_smooth_l1_loss (x, x5, LT_REDUCTION_MEAN, 1, &error), LT_ERROR_SHAPE,
                "smooth_l1_loss");
  EXPECT_ERROR (lt_huber_loss (x, x, LT_REDUCTION_MEAN, 0, &error), LT_ERROR_INVALID_ARGUMENT,
                "delta");
  EXPECT_ERROR (lt_huber_loss (ints, ints, LT_REDUCTION_MEAN, 1, &error), LT_ERROR_DTYPE,
                "huber_loss");
  EXPECT_ERROR (lt_kl_div (ints, x, LT_REDUCTION_SUM, FALSE, &error), LT_ERROR_DTYPE, "kl_div");
  EXPECT_ERROR (lt_cosine_similarity (x, x, 2, 1e-8, &error), LT_ERROR_INDEX, "dimension 2");
  EXPECT_ERROR (lt_cosine_embedding_loss (x, x, t4, 0, LT_REDUCTION_MEAN, &error), LT_ERROR_SHAPE,
                "must be [3]");
  EXPECT_ERROR (lt_cosine_embedding_loss (x, x5, t3, 0, LT_REDUCTION_MEAN, &error),
                LT_ERROR_SHAPE, "input2");
  EXPECT_ERROR (lt_margin_ranking_loss (r3, r3, x, 0, LT_REDUCTION_MEAN, &error), LT_ERROR_SHAPE,
                "same number of dimensions");
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The losses composed of public ops: values against their formulas, float64 "
                  "gradcheck, clamped logarithms, errors");
  rng = g_rand_new_with_seed (20261206);
  g_test_add_func ("/losses/composite/values-and-gradients", test_values_and_gradients);
  g_test_add_func ("/losses/composite/bce-clamped", test_bce_clamped);
  g_test_add_func ("/losses/composite/errors", test_errors);
  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
