/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Custom autograd functions written in C (LtFunction subclasses): one
 * with several outputs (sin, cos and a non-differentiable one), whose
 * backward gets a gradient per output, zeros for the unused and the
 * non-differentiable outputs; gradcheck and gradgradcheck through it; a
 * saved output under create_graph; and the errors. */
#include <math.h>

#include <libtensor.h>

#include "test-helpers.h"

struct _TestSinCos
{
  LtFunction parent_instance;

  double   seen[3][3]; /* the gradients its backward got */
  guint    n_seen;
  gboolean save_output; /* saves sin(x) and reads it back */
};

#define TEST_TYPE_SIN_COS (test_sin_cos_get_type ())
G_DECLARE_FINAL_TYPE (TestSinCos, test_sin_cos, TEST, SIN_COS, LtFunction)
G_DEFINE_FINAL_TYPE (TestSinCos, test_sin_cos, LT_TYPE_FUNCTION)

static LtTensor *
sin_cos_forward (LtFunction    *fn,
                 LtFunctionCtx *ctx,
                 LtTensor     **inputs,
                 guint          n_inputs,
                 GError       **error)
{
  TestSinCos *self = TEST_SIN_COS (fn);
  g_autoptr(LtTensor) s = lt_tensor_sin (inputs[0], error);
  g_autoptr(LtTensor) c = s ? lt_tensor_cos (inputs[0], error) : NULL;
  g_autoptr(LtTensor) d = c ? lt_tensor_mul_scalar (inputs[0], 2, error) : NULL;
  LtTensor *outs[3] = { s, c, d };
  LtTensor *saved[2] = { inputs[0], s };

  if (d == NULL)
    return NULL;
  lt_function_ctx_save_for_backward (ctx, saved, self->save_output ? 2 : 1);
  lt_function_ctx_mark_non_differentiable (ctx, d);
  lt_function_ctx_set_outputs (ctx, outs, 3);
  return g_object_ref (s);
}

static gboolean
sin_cos_backward_outputs (LtFunction    *fn,
                          LtFunctionCtx *ctx,
                          LtTensor     **grads,
                          guint          n_grads,
                          GError       **error)
{
  TestSinCos *self = TEST_SIN_COS (fn);
  g_autoptr(GPtrArray) saved = lt_function_ctx_get_saved_tensors (ctx, error);
  LtTensor *x;
  g_autoptr(LtTensor) sin_x = NULL;
  g_autoptr(LtTensor) cos_x = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) g = NULL;

  g_assert_cmpuint (n_grads, ==, 3);
  if (saved == NULL)
    return FALSE;
  for (guint k = 0; k < 3 && lt_tensor_numel (grads[k]) == 3; k++)
    {
      gsize              n = 0;
      g_autofree double *v = values (grads[k], &n);

      memcpy (self->seen[k], v, sizeof self->seen[k]);
    }
  self->n_seen++;
  x = g_ptr_array_index (saved, 0);
  /* d/dx: gs cos x - gc sin x (sin x read back from the saved output
   * when it was saved, so that it carries its history under
   * create_graph) */
  sin_x = saved->len > 1 ? g_object_ref (g_ptr_array_index (saved, 1)) : lt_tensor_sin (x, error);
  cos_x = sin_x ? lt_tensor_cos (x, error) : NULL;
  a = cos_x ? lt_tensor_mul (grads[0], cos_x, error) : NULL;
  b = a ? lt_tensor_mul (grads[1], sin_x, error) : NULL;
  g = b ? lt_tensor_sub (a, b, error) : NULL;
  return g && lt_function_ctx_set_grad_input (ctx, 0, g, error);
}

static void
test_sin_cos_class_init (TestSinCosClass *klass)
{
  LT_FUNCTION_CLASS (klass)->forward = sin_cos_forward;
  LT_FUNCTION_CLASS (klass)->backward_outputs = sin_cos_backward_outputs;
}

static void
test_sin_cos_init (TestSinCos *self)
{
}

static const double xs[3] = { 0.5, -1.0, 2.0 };

static LtTensor *
leaf (void)
{
  gint64    n = 3;
  LtTensor *x = tensor_of (xs, 3, &n, 1, LT_DTYPE_FLOAT64);

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, NULL));
  return x;
}

static void
test_function_outputs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestSinCos) fn = g_object_new (TEST_TYPE_SIN_COS, NULL);
  g_autoptr(LtTensor) x = leaf ();
  g_autoptr(GPtrArray) outs = lt_function_apply_outputs (LT_FUNCTION (fn), &x, 1, &error);
  g_autoptr(LtTensor) loss = NULL;
  double want_s[3], want_c[3], want_d[3], want_g[3];

  g_assert_no_error (error);
  g_assert_cmpuint (outs->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      want_s[i] = sin (xs[i]);
      want_c[i] = cos (xs[i]);
      want_d[i] = 2 * xs[i];
      want_g[i] = -sin (xs[i]);
    }
  assert_values_tol (g_ptr_array_index (outs, 0), want_s, 3, 1e-15);
  assert_values_tol (g_ptr_array_index (outs, 1), want_c, 3, 1e-15);
  assert_values_tol (g_ptr_array_index (outs, 2), want_d, 3, 0);
  g_assert_true (lt_tensor_get_requires_grad (g_ptr_array_index (outs, 0)));
  g_assert_true (lt_tensor_get_requires_grad (g_ptr_array_index (outs, 1)));
  g_assert_false (lt_tensor_get_requires_grad (g_ptr_array_index (outs, 2)));
  g_assert_null (lt_tensor_get_grad_fn (g_ptr_array_index (outs, 2)));
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (g_ptr_array_index (outs, 1))), ==,
                   "TestSinCosBackward");

  /* only cos is used: the backward gets zeros for sin and for 2x */
  loss = lt_tensor_sum (g_ptr_array_index (outs, 1), &error);
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fn->n_seen, ==, 1);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpfloat (fn->seen[0][i], ==, 0);
      g_assert_cmpfloat (fn->seen[1][i], ==, 1);
      g_assert_cmpfloat (fn->seen[2][i], ==, 0);
    }
  assert_values_tol (lt_tensor_get_grad (x), want_g, 3, 1e-15);

  /* apply() refuses a forward with several outputs */
  g_assert_null (lt_function_apply (LT_FUNCTION (fn), &x, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static LtTensor *
both_outputs (LtTensor **inputs, gsize n_inputs, gpointer user_data)
{
  g_autoptr(TestSinCos) fn = g_object_new (TEST_TYPE_SIN_COS, NULL);
  g_autoptr(GPtrArray) outs = NULL;
  g_autoptr(LtTensor) sq = NULL;

  fn->save_output = GPOINTER_TO_INT (user_data);
  outs = lt_function_apply_outputs (LT_FUNCTION (fn), inputs, (guint) n_inputs, NULL);
  g_assert_nonnull (outs);
  /* sin(x)^2 + 3 cos(x): both outputs reach the loss */
  sq = lt_tensor_mul (g_ptr_array_index (outs, 0), g_ptr_array_index (outs, 0), NULL);
  {
    g_autoptr(LtTensor) c3 = lt_tensor_mul_scalar (g_ptr_array_index (outs, 1), 3, NULL);

    return lt_tensor_add (sq, c3, NULL);
  }
}

static void
test_function_outputs_gradcheck (void)
{
  for (int save = 0; save < 2; save++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = leaf ();

      g_assert_true (
        lt_gradcheck (both_outputs, GINT_TO_POINTER (save), &x, 1, 1e-6, 1e-5, 1e-3, &error));
      g_assert_no_error (error);
      g_assert_true (
        lt_gradgradcheck (both_outputs, GINT_TO_POINTER (save), &x, 1, 1e-6, 1e-5, 1e-3, &error));
      g_assert_no_error (error);
    }
}

static void
test_function_outputs_no_grad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TestSinCos) fn = g_object_new (TEST_TYPE_SIN_COS, NULL);
  g_autoptr(LtTensor) x = leaf ();
  gboolean prev = lt_set_grad_enabled (FALSE);
  g_autoptr(GPtrArray) outs = lt_function_apply_outputs (LT_FUNCTION (fn), &x, 1, &error);

  lt_set_grad_enabled (prev);
  g_assert_no_error (error);
  for (guint k = 0; k < outs->len; k++)
    g_assert_false (lt_tensor_get_requires_grad (g_ptr_array_index (outs, k)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Custom autograd functions with several outputs, in C");
  g_test_add_func ("/function/outputs/backward", test_function_outputs);
  g_test_add_func ("/function/outputs/gradcheck", test_function_outputs_gradcheck);
  g_test_add_func ("/function/outputs/no-grad", test_function_outputs_no_grad);
  return g_test_run ();
}
