/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Conv1d and ConvTranspose2d from C (libtensor/nn/lt-conv1d.c,
 * lt-conv-transpose2d.c): the printed forms, as PyTorch 1.13 prints the
 * same modules (the strings below are torch's own), parameter and output
 * shapes, PyTorch's initialisation bound and errors. The op harness
 * (tests/c/test-ops-conv.c) checks conv_transpose2d's values and gradients
 * against a float64 reference; tests/python/test_nn_reference.py compares
 * the layers with torch side by side.
 */

#include <math.h>

#include <libtensor.h>

#define PAIR(a, b) ((const gint64[]){ (a), (b) })

static void
assert_repr (gpointer module, const char *want)
{
  g_autofree char *s = lt_module_to_string (LT_MODULE (module));

  g_assert_cmpstr (s, ==, want);
  g_object_unref (module);
}

static void
test_printed (void)
{
  g_autoptr(GError) error = NULL;

  assert_repr (lt_conv1d_new (3, 4, 3, 1, 0, 1, 1, TRUE, &error),
               "Conv1d(3, 4, kernel_size=(3,), stride=(1,))");
  assert_repr (lt_conv1d_new (4, 6, 2, 2, 1, 2, 2, TRUE, &error),
               "Conv1d(4, 6, kernel_size=(2,), stride=(2,), padding=(1,), dilation=(2,), "
               "groups=2)");
  assert_repr (lt_conv1d_new (2, 3, 4, 3, 2, 1, 1, FALSE, &error),
               "Conv1d(2, 3, kernel_size=(4,), stride=(3,), padding=(2,), bias=False)");
  assert_repr (lt_conv_transpose2d_new (3, 4, PAIR (3, 3), NULL, NULL, NULL, 1, TRUE, NULL, &error),
               "ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(1, 1))");
  assert_repr (lt_conv_transpose2d_new (4, 6, PAIR (3, 2), PAIR (2, 3), PAIR (1, 1), PAIR (1, 2), 2,
                                        TRUE, NULL, &error),
               "ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(2, 3), padding=(1, 1), "
               "output_padding=(1, 2), groups=2)");
  assert_repr (lt_conv_transpose2d_new (2, 3, PAIR (2, 2), NULL, PAIR (1, 0), PAIR (1, 1), 1, FALSE,
                                        PAIR (2, 2), &error),
               "ConvTranspose2d(2, 3, kernel_size=(2, 2), stride=(1, 1), padding=(1, 0), "
               "dilation=(2, 2), output_padding=(1, 1), bias=False)");
  g_assert_no_error (error);
}

static void
assert_shape (LtTensor *t, guint nd, const gint64 *want)
{
  guint         n;
  const gint64 *shape = lt_tensor_get_shape (t, &n);

  g_assert_cmpuint (n, ==, nd);
  for (guint i = 0; i < nd; i++)
    g_assert_cmpint (shape[i], ==, want[i]);
}

/* Parameter shapes as PyTorch's, values within its bound
 * 1/sqrt(fan_in), and the outputs' shapes */
static void
test_shapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtConv1d) c1 = lt_conv1d_new (4, 6, 3, 2, 1, 1, 2, TRUE, &error);
  g_autoptr(LtConvTranspose2d) ct = lt_conv_transpose2d_new (
    4, 6, PAIR (3, 3), PAIR (2, 2), PAIR (1, 1), PAIR (1, 1), 2, TRUE, NULL, &error);
  g_autoptr(LtTensor) x1 = lt_randn ((gint64[]){ 5, 4, 9 }, 3, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) x2 = lt_randn ((gint64[]){ 2, 4, 5, 6 }, 4, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y1 = NULL;
  g_autoptr(LtTensor) y2 = NULL;
  LtTensor          *w;
  double             bound, maxabs = 0;
  g_autofree double *v = NULL;
  gsize              n = 0;

  g_assert_no_error (error);
  assert_shape (lt_module_get_parameter (LT_MODULE (c1), "weight"), 3, (gint64[]){ 6, 2, 3 });
  assert_shape (lt_module_get_parameter (LT_MODULE (c1), "bias"), 1, (gint64[]){ 6 });
  w = lt_module_get_parameter (LT_MODULE (ct), "weight");
  assert_shape (w, 4, (gint64[]){ 4, 3, 3, 3 });
  assert_shape (lt_module_get_parameter (LT_MODULE (ct), "bias"), 1, (gint64[]){ 6 });
  /* fan_in = out_channels / groups * kH * kW, the weight's second size */
  bound = 1 / sqrt (3 * 3 * 3);
  v = lt_tensor_to_doubles (w, &n, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    maxabs = MAX (maxabs, fabs (v[i]));
  g_assert_cmpfloat (maxabs, <=, bound);
  g_assert_cmpfloat (maxabs, >, bound / 2);

  y1 = lt_module_forward (LT_MODULE (c1), x1, &error);
  g_assert_no_error (error);
  assert_shape (y1, 3, (gint64[]){ 5, 6, 5 });
  y2 = lt_module_forward (LT_MODULE (ct), x2, &error);
  g_assert_no_error (error);
  assert_shape (y2, 4, (gint64[]){ 2, 6, 10, 12 });
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y2)), ==, "ConvolutionBackward0");
}

static void
expect_error (gpointer module, GError **error, const char *prefix)
{
  g_assert_null (module);
  g_assert_error (*error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_str_has_prefix ((*error)->message, prefix));
  g_clear_error (error);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;

  expect_error (lt_conv1d_new (3, 4, 3, 1, 0, 1, 2, TRUE, &error), &error, "Conv1d: ");
  expect_error (lt_conv1d_new (2, 4, 0, 1, 0, 1, 1, TRUE, &error), &error, "Conv1d: ");
  expect_error (lt_conv1d_new (2, 4, 3, 1, -1, 1, 1, TRUE, &error), &error, "Conv1d: ");
  expect_error (
    lt_conv_transpose2d_new (3, 2, PAIR (2, 2), NULL, NULL, NULL, 2, TRUE, NULL, &error), &error,
    "ConvTranspose2d: ");
  /* an output padding not below the stride nor the dilation */
  expect_error (lt_conv_transpose2d_new (2, 2, PAIR (3, 3), PAIR (2, 2), NULL, PAIR (0, 2), 1, TRUE,
                                         NULL, &error),
                &error, "ConvTranspose2d: ");
  expect_error (
    lt_conv_transpose2d_new (2, 2, PAIR (3, 0), NULL, NULL, NULL, 1, TRUE, NULL, &error), &error,
    "ConvTranspose2d: ");
  {
    /* the layer's input of the wrong channels */
    g_autoptr(LtConvTranspose2d) ct = lt_conv_transpose2d_new (4, 2, PAIR (3, 3), NULL, NULL, NULL,
                                                                1, TRUE, NULL, &error);
    g_autoptr(LtTensor) x = lt_randn ((gint64[]){ 1, 3, 4, 4 }, 4, LT_DTYPE_FLOAT32, &error);
    g_autoptr(LtTensor) y = NULL;

    g_assert_no_error (error);
    y = lt_module_forward (LT_MODULE (ct), x, &error);
    g_assert_null (y);
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
    g_assert_true (g_str_has_prefix (error->message, "conv_transpose2d: "));
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Conv1d and ConvTranspose2d: printed forms, shapes, errors");
  lt_manual_seed (0);
  g_test_add_func ("/nn-conv/printed", test_printed);
  g_test_add_func ("/nn-conv/shapes", test_shapes);
  g_test_add_func ("/nn-conv/errors", test_errors);
  return g_test_run ();
}
