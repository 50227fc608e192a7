/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The interpolation modes built on tables of weights beside the others:
 * "area" (adaptive average pooling, through lt_interpolate() and the
 * Upsample layer) and the antialiased bilinear and bicubic resampling
 * (lt_interpolate_full()). Values worked out by hand, the weights of each
 * output summing to 1, float64 gradcheck, the layer's
 * recompute_scale_factor, and the errors. The Python suite
 * (test_interpolate_reference.py) compares every case with PyTorch.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

static void
test_area (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtUpsample) area =
               lt_upsample_new ((gint64[]){ 2 }, 1, NULL, 0, "area", FALSE, &error);
  g_autoptr(LtTensor) x = iota ((gint64[]){ 1, 1, 4, 4 }, 4, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) w = iota ((gint64[]){ 1, 1, 3 }, 3, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) r = NULL;
  /* the means of 2 x 2 blocks; of the overlapping windows [0, 2) and
   * [1, 3) of a 3-wide input */
  const double want[4] = { 2.5, 4.5, 10.5, 12.5 }, want_w[2] = { 0.5, 1.5 };

  g_assert_no_error (error);
  y = lt_module_forward (LT_MODULE (area), x, &error);
  g_assert_no_error (error);
  assert_shape (y, (gint64[]){ 1, 1, 2, 2 }, 4);
  assert_values (y, want, 4);
  r = lt_interpolate (w, "area", (gint64[]){ 2 }, 1, NULL, 0, FALSE, &error);
  g_assert_no_error (error);
  assert_values (r, want_w, 2);
}

static LtTensor *
aa (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y =
    lt_interpolate_full (in[0], data, (gint64[]){ 3, 2 }, 2, NULL, 0, FALSE, TRUE, &error);

  g_assert_no_error (error);
  return y;
}

static LtTensor *
area5d (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_interpolate (in[0], "area", (gint64[]){ 2, 3, 2 }, 3, NULL, 0, FALSE, &error);

  g_assert_no_error (error);
  return y;
}

static void
test_antialias (void)
{
  g_autoptr(GError) error = NULL;
  const char *modes[2] = { "bilinear", "bicubic" };

  for (guint m = 0; m < 2; m++)
    {
      /* a constant image stays constant: each output's weights sum to 1 */
      g_autoptr(LtTensor) c = lt_full ((gint64[]){ 1, 2, 7, 9 }, 4, 3.0, LT_DTYPE_FLOAT64, &error);
      g_autoptr(LtTensor) y = NULL;
      g_autoptr(LtTensor) x = NULL;
      double three[6 * 2];

      g_assert_no_error (error);
      y = lt_interpolate_full (c, modes[m], (gint64[]){ 3, 2 }, 2, NULL, 0, FALSE, TRUE, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (three); i++)
        three[i] = 3.0;
      assert_values_tol (y, three, 12, 1e-12);
      x = lt_randn ((gint64[]){ 1, 2, 6, 5 }, 4, LT_DTYPE_FLOAT64, &error);
      g_assert_no_error (error);
      g_assert_true (lt_tensor_set_requires_grad (x, TRUE, NULL));
      g_assert_true (lt_gradcheck (aa, (gpointer) modes[m], &x, 1, 1e-6, 1e-5, 1e-3, &error));
      g_assert_no_error (error);
    }
  {
    g_autoptr(LtTensor) x = lt_randn ((gint64[]){ 1, 1, 4, 5, 3 }, 5, LT_DTYPE_FLOAT64, &error);

    g_assert_no_error (error);
    g_assert_true (lt_tensor_set_requires_grad (x, TRUE, NULL));
    g_assert_true (lt_gradcheck (area5d, NULL, &x, 1, 1e-6, 1e-5, 1e-3, &error));
    g_assert_no_error (error);
  }
}

static void
test_recompute_scale_factor (void)
{
  g_autoptr(GError) error = NULL;
  /* scale 1.7 on 3 gives 5 outputs; "linear" on the values 0, 1, 2 gives
   * each output's source coordinate s (d + 0.5) - 0.5, clamped to [0, 2],
   * with s = 1 / 1.7, or recomputed from the sizes, 3 / 5 */
  g_autoptr(LtUpsample) up =
               lt_upsample_new (NULL, 0, (double[]){ 1.7 }, 1, "linear", FALSE, &error);
  g_autoptr(LtTensor) x = iota ((gint64[]){ 1, 1, 3 }, 3, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) plain = NULL;
  g_autoptr(LtTensor) recomputed = NULL;
  double by_factor[5], by_sizes[5];

  for (guint d = 0; d < 5; d++)
    {
      by_factor[d] = CLAMP ((d + 0.5) / 1.7 - 0.5, 0.0, 2.0);
      by_sizes[d] = CLAMP ((d + 0.5) * 3.0 / 5.0 - 0.5, 0.0, 2.0);
    }
  g_assert_no_error (error);
  g_assert_false (lt_upsample_get_recompute_scale_factor (up));
  plain = lt_module_forward (LT_MODULE (up), x, &error);
  g_assert_no_error (error);
  assert_values_tol (plain, by_factor, 5, 1e-12);
  lt_upsample_set_recompute_scale_factor (up, TRUE);
  g_assert_true (lt_upsample_get_recompute_scale_factor (up));
  recomputed = lt_module_forward (LT_MODULE (up), x, &error);
  g_assert_no_error (error);
  assert_values_tol (recomputed, by_sizes, 5, 1e-12);
  g_assert_cmpfloat (fabs (by_factor[1] - by_sizes[1]), >, 1e-3);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = iota ((gint64[]){ 1, 1, 3 }, 3, LT_DTYPE_FLOAT64);

  g_assert_null (lt_interpolate (w, "area", (gint64[]){ 2 }, 1, NULL, 0, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "align_corners"));
  g_clear_error (&error);
  g_assert_null (
    lt_interpolate_full (w, "linear", (gint64[]){ 2 }, 1, NULL, 0, FALSE, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "antialias"));
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/interpolate-modes/area", test_area);
  g_test_add_func ("/interpolate-modes/antialias", test_antialias);
  g_test_add_func ("/interpolate-modes/recompute-scale-factor", test_recompute_scale_factor);
  g_test_add_func ("/interpolate-modes/errors", test_errors);
  return g_test_run ();
}
