/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The loss modules over the composed losses (nn/lt-loss-composite.c):
 * BCELoss, SmoothL1Loss, HuberLoss, KLDivLoss (batch-mean, log-target),
 * CosineEmbeddingLoss and MarginRankingLoss (lt_loss_compute_pair). Each
 * module's loss equals its function's under every reduction, batch-mean is
 * the sum over the batch size, the options are properties, the gradient
 * flows, and the errors (a pair loss through lt_loss_compute(), a loss of
 * one input through lt_loss_compute_pair(), a negative beta, an integer
 * weight) name the loss. The functions' values are checked in
 * test-losses-composite, the modules against PyTorch in the Python suite.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

static GRand *rng;

static const LtReduction reductions[] = { LT_REDUCTION_NONE, LT_REDUCTION_MEAN, LT_REDUCTION_SUM };

static LtTensor *
rand_tensor (const gint64 *shape, gsize nd, double lo, double hi)
{
  g_autofree double *v = random_values (rng, shape_numel (shape, nd), lo, hi);

  return tensor_of_shape (v, shape, nd, LT_DTYPE_FLOAT64);
}

static void
assert_same (LtTensor *got, LtTensor *want)
{
  gsize              n = 0;
  g_autofree double *w = values (want, &n);

  g_assert_nonnull (got);
  assert_shape (got, lt_tensor_get_shape (want, NULL), lt_tensor_get_n_dims (want));
  assert_allclose (got, w, n, 1e-14, 1e-14);
}

static void
test_one_input_losses (void)
{
  const gint64 shape[2] = { 4, 5 }, wshape[1] = { 5 };
  g_autoptr(LtTensor) p = rand_tensor (shape, 2, 0.01, 0.99);
  g_autoptr(LtTensor) q = rand_tensor (shape, 2, 0.0, 1.0);
  g_autoptr(LtTensor) a = rand_tensor (shape, 2, -2.0, 2.0);
  g_autoptr(LtTensor) b = rand_tensor (shape, 2, -2.0, 2.0);
  g_autoptr(LtTensor) w = rand_tensor (wshape, 1, 0.0, 1.0);

  for (guint r = 0; r < G_N_ELEMENTS (reductions); r++)
    {
      LtReduction red = reductions[r];
      g_autoptr(GError) error = NULL;
      g_autoptr(LtBCELoss) bce = lt_bce_loss_new (w, red, &error);
      g_autoptr(LtSmoothL1Loss) sl1 = lt_smooth_l1_loss_new (red, 0.5);
      g_autoptr(LtHuberLoss) hub = lt_huber_loss_new (red, 1.5);
      g_autoptr(LtKLDivLoss) kl = lt_kl_div_loss_new (red, FALSE, FALSE);
      g_autoptr(LtKLDivLoss) kll = lt_kl_div_loss_new (red, FALSE, TRUE);
      g_autoptr(LtTensor) y1 = NULL;
      g_autoptr(LtTensor) y2 = NULL;
      g_autoptr(LtTensor) y3 = NULL;
      g_autoptr(LtTensor) y4 = NULL;
      g_autoptr(LtTensor) y5 = NULL;
      g_autoptr(LtTensor) r1 = NULL;
      g_autoptr(LtTensor) r2 = NULL;
      g_autoptr(LtTensor) r3 = NULL;
      g_autoptr(LtTensor) r4 = NULL;
      g_autoptr(LtTensor) r5 = NULL;

      g_assert_no_error (error);
      y1 = lt_loss_compute (LT_LOSS (bce), p, q, &error);
      r1 = lt_binary_cross_entropy (p, q, w, red, &error);
      y2 = lt_loss_compute (LT_LOSS (sl1), a, b, &error);
      r2 = lt_smooth_l1_loss (a, b, red, 0.5, &error);
      y3 = lt_loss_compute (LT_LOSS (hub), a, b, &error);
      r3 = lt_huber_loss (a, b, red, 1.5, &error);
      y4 = lt_loss_compute (LT_LOSS (kl), a, q, &error);
      r4 = lt_kl_div (a, q, red, FALSE, &error);
      y5 = lt_loss_compute (LT_LOSS (kll), a, b, &error);
      r5 = lt_kl_div (a, b, red, TRUE, &error);
      g_assert_no_error (error);
      assert_same (y1, r1);
      assert_same (y2, r2);
      assert_same (y3, r3);
      assert_same (y4, r4);
      assert_same (y5, r5);
      g_assert_true (lt_module_get_buffer (LT_MODULE (bce), "weight") == w);
      g_assert_cmpint (lt_loss_get_reduction (LT_LOSS (hub)), ==, red);
    }
}

static void
test_kl_batch_mean (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 shape[3] = { 4, 3, 2 };
  g_autoptr(LtTensor) x = rand_tensor (shape, 3, -2.0, 0.0);
  g_autoptr(LtTensor) t = rand_tensor (shape, 3, 0.0, 1.0);
  /* the reduction is not read with batch-mean */
  g_autoptr(LtKLDivLoss) kl = lt_kl_div_loss_new (LT_REDUCTION_NONE, TRUE, FALSE);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) sum = lt_kl_div (x, t, LT_REDUCTION_SUM, FALSE, &error);
  gboolean batch_mean = FALSE, log_target = TRUE;

  g_assert_no_error (error);
  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, NULL));
  y = lt_loss_compute (LT_LOSS (kl), x, t, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_n_dims (y), ==, 0);
  g_assert_cmpfloat_with_epsilon (item (y), item (sum) / 4, 1e-14);
  g_object_get (kl, "batch-mean", &batch_mean, "log-target", &log_target, NULL);
  g_assert_true (batch_mean);
  g_assert_false (log_target);
  g_assert_true (lt_kl_div_loss_get_batch_mean (kl));
  /* d/dx of -t x / 4 is -t / 4 */
  g_assert_true (lt_tensor_backward (y, NULL, FALSE, &error));
  g_assert_no_error (error);
  {
    gsize              n = 0;
    g_autofree double *tv = values (t, &n);

    for (gsize i = 0; i < n; i++)
      tv[i] = -tv[i] / 4;
    assert_allclose (lt_tensor_get_grad (x), tv, n, 1e-14, 1e-14);
  }
}

static void
test_pair_losses (void)
{
  const gint64 shape[2] = { 4, 5 }, vshape[1] = { 4 };
  const double sign[4] = { 1, -1, 1, -1 };
  g_autoptr(LtTensor) x1 = rand_tensor (shape, 2, -1.0, 1.0);
  g_autoptr(LtTensor) x2 = rand_tensor (shape, 2, -1.0, 1.0);
  g_autoptr(LtTensor) s1 = rand_tensor (vshape, 1, -1.0, 1.0);
  g_autoptr(LtTensor) s2 = rand_tensor (vshape, 1, -1.0, 1.0);
  g_autoptr(LtTensor) y = tensor_of (sign, 4, vshape, 1, LT_DTYPE_FLOAT64);

  for (guint r = 0; r < G_N_ELEMENTS (reductions); r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtCosineEmbeddingLoss) ce = lt_cosine_embedding_loss_new (0.2, reductions[r]);
      g_autoptr(LtMarginRankingLoss) mr = lt_margin_ranking_loss_new (0.5, reductions[r]);
      g_autoptr(LtTensor) a = lt_loss_compute_pair (LT_LOSS (ce), x1, x2, y, &error);
      g_autoptr(LtTensor) ra = lt_cosine_embedding_loss (x1, x2, y, 0.2, reductions[r], &error);
      g_autoptr(LtTensor) b = lt_loss_compute_pair (LT_LOSS (mr), s1, s2, y, &error);
      g_autoptr(LtTensor) rb = lt_margin_ranking_loss (s1, s2, y, 0.5, reductions[r], &error);
      double margin = 0;

      g_assert_no_error (error);
      assert_same (a, ra);
      assert_same (b, rb);
      g_object_get (mr, "margin", &margin, NULL);
      g_assert_cmpfloat (margin, ==, 0.5);
      g_assert_cmpfloat (lt_cosine_embedding_loss_get_margin (ce), ==, 0.2);
    }
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 shape[1] = { 3 };
  const double iv[3] = { 1, 2, 3 };
  g_autoptr(LtTensor) x = rand_tensor (shape, 1, 0.1, 0.9);
  g_autoptr(LtTensor) iw = tensor_of (iv, 3, shape, 1, LT_DTYPE_INT64);
  g_autoptr(LtMarginRankingLoss) mr = lt_margin_ranking_loss_new (0, LT_REDUCTION_MEAN);
  g_autoptr(LtSmoothL1Loss) neg = lt_smooth_l1_loss_new (LT_REDUCTION_MEAN, -1.0);
  g_autoptr(LtHuberLoss) zero = lt_huber_loss_new (LT_REDUCTION_MEAN, 0.0);
  g_autoptr(LtBCELoss) bce = lt_bce_loss_new (NULL, LT_REDUCTION_MEAN, &error);
  g_autoptr(LtBCELoss) bad = NULL;
  g_autoptr(LtTensor) y = NULL;

  g_assert_no_error (error);
  y = lt_loss_compute (LT_LOSS (mr), x, x, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "MarginRankingLoss takes two inputs and a target"));
  g_clear_error (&error);
  y = lt_loss_compute_pair (LT_LOSS (bce), x, x, x, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "BCELoss takes an input and a target"));
  g_clear_error (&error);
  y = lt_loss_compute (LT_LOSS (neg), x, x, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "beta"));
  g_clear_error (&error);
  y = lt_loss_compute (LT_LOSS (zero), x, x, &error);
  g_assert_null (y);
  g_assert_nonnull (strstr (error->message, "delta"));
  g_clear_error (&error);
  bad = lt_bce_loss_new (iw, LT_REDUCTION_MEAN, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_assert_nonnull (strstr (error->message, "BCELoss: weight must be floating point"));
  g_clear_error (&error);
  /* printed as PyTorch prints them */
  {
    g_autofree char *s = lt_module_to_string (LT_MODULE (mr));

    g_assert_cmpstr (s, ==, "MarginRankingLoss()");
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (7);
  g_test_add_func ("/loss-modules/one-input", test_one_input_losses);
  g_test_add_func ("/loss-modules/kl-batch-mean", test_kl_batch_mean);
  g_test_add_func ("/loss-modules/pair", test_pair_losses);
  g_test_add_func ("/loss-modules/errors", test_errors);
  rc = g_test_run ();
  g_rand_free (rng);
  return rc;
}
