/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The autograd API a PyTorch user reaches for beyond backward(): module
 * hooks (forward pre-hooks, forward hooks, full backward hooks),
 * lt_autograd_grad and lt_tensor_backward_full (higher-order gradients).
 * Expected values are worked out from the layer's own weights.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

/* -- module hooks -------------------------------------------------------- */

typedef struct
{
  guint     calls;
  guint     destroyed;
  LtTensor *seen_input;
  LtTensor *seen_output;
  gboolean  fail;
} HookLog;

static void
hook_log_destroyed (gpointer data)
{
  ((HookLog *) data)->destroyed++;
}

static LtTensor *
pre_double (LtModule *module, LtTensor *input, gpointer user_data, GError **error)
{
  HookLog *log = user_data;

  log->calls++;
  if (log->fail)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_FAILED, "refused by the test");
      return NULL;
    }
  return lt_tensor_mul_scalar (input, 2, error);
}

static LtTensor *
post_add_one (LtModule *module,
              LtTensor *input,
              LtTensor *output,
              gpointer  user_data,
              GError  **error)
{
  HookLog *log = user_data;

  log->calls++;
  g_set_object (&log->seen_input, input);
  return lt_tensor_add_scalar (output, 1, error);
}

static LtTensor *
backward_times_ten (LtModule *module,
                    LtTensor *grad_input,
                    LtTensor *grad_output,
                    gpointer  user_data,
                    GError  **error)
{
  HookLog *log = user_data;

  log->calls++;
  g_set_object (&log->seen_input, grad_input);
  g_set_object (&log->seen_output, grad_output);
  if (grad_input == NULL)
    return NULL;
  return lt_tensor_mul_scalar (grad_input, 10, error);
}

static void
hook_log_clear (HookLog *log)
{
  g_clear_object (&log->seen_input);
  g_clear_object (&log->seen_output);
}

static void
test_module_forward_hooks (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtLinear) lin = lt_linear_new (3, 2, TRUE, &error);
  g_autoptr(LtTensor) x = iota ((gint64[]){ 4, 3 }, 2, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) x2 = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) plain = NULL, want = NULL, hooked = NULL, after = NULL;
  g_autofree double *w = NULL;
  HookLog            pre = { 0 }, post = { 0 };
  guint              pre_id, post_id;
  gsize              n;

  g_assert_no_error (error);
  plain = lt_module_forward (LT_MODULE (lin), x2, &error);
  g_assert_no_error (error);
  want = lt_tensor_add_scalar (plain, 1, &error);
  pre_id =
    lt_module_register_forward_pre_hook (LT_MODULE (lin), pre_double, &pre, hook_log_destroyed);
  post_id =
    lt_module_register_forward_hook (LT_MODULE (lin), post_add_one, &post, hook_log_destroyed);
  g_assert_cmpuint (pre_id, !=, 0);
  g_assert_cmpuint (post_id, !=, pre_id);
  hooked = lt_module_forward (LT_MODULE (lin), x, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pre.calls, ==, 1);
  g_assert_cmpuint (post.calls, ==, 1);
  /* the forward hook sees the input the pre-hook made */
  w = values (x2, &n);
  assert_values (post.seen_input, w, n);
  g_free (w);
  w = values (want, &n);
  assert_values (hooked, w, n);

  /* a failing pre-hook fails the forward, naming the module */
  pre.fail = TRUE;
  g_assert_null (lt_module_forward (LT_MODULE (lin), x, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, ": a forward pre-hook failed: refused by the test"));
  g_clear_error (&error);

  g_assert_true (lt_module_remove_hook (LT_MODULE (lin), pre_id));
  g_assert_false (lt_module_remove_hook (LT_MODULE (lin), pre_id));
  g_assert_cmpuint (pre.destroyed, ==, 1);
  g_assert_true (lt_module_remove_hook (LT_MODULE (lin), post_id));
  g_assert_cmpuint (post.destroyed, ==, 1);
  after = lt_module_forward (LT_MODULE (lin), x2, &error);
  g_assert_no_error (error);
  g_free (w);
  w = values (plain, &n);
  assert_values (after, w, n);
  hook_log_clear (&post);
}

static void
test_module_backward_hook (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtLinear) lin = lt_linear_new (3, 2, TRUE, &error);
  g_autoptr(LtTensor) x = iota ((gint64[]){ 4, 3 }, 2, LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = NULL, loss = NULL;
  g_autofree double *wv = NULL;
  double             want_in[12], want_x[12], ones[8];
  HookLog            log = { 0 };
  gsize              n;

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  lt_module_register_full_backward_hook (LT_MODULE (lin), backward_times_ten, &log,
                                         hook_log_destroyed);
  y = lt_module_forward (LT_MODULE (lin), x, &error);
  g_assert_no_error (error);
  loss = lt_tensor_sum (y, &error);
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.calls, ==, 1);

  /* d sum(x W^T + b) / dx = ones (4, 2) W: each row is W's column sums */
  wv = values (lt_module_get_parameter (LT_MODULE (lin), "weight"), &n);
  for (guint i = 0; i < 4; i++)
    for (guint j = 0; j < 3; j++)
      {
        want_in[i * 3 + j] = wv[j] + wv[3 + j];
        want_x[i * 3 + j] = 10 * want_in[i * 3 + j];
      }
  for (guint i = 0; i < 8; i++)
    ones[i] = 1;
  assert_values_tol (log.seen_output, ones, 8, 1e-6);
  assert_values_tol (log.seen_input, want_in, 12, 1e-5);
  /* what the hook returned flowed on to the input */
  assert_values_tol (lt_tensor_get_grad (x), want_x, 12, 1e-4);
  hook_log_clear (&log);

  /* an input that needs no gradient: the hook gets NULL for it */
  g_clear_object (&y);
  g_clear_object (&loss);
  g_assert_true (lt_tensor_set_requires_grad (x, FALSE, &error));
  y = lt_module_forward (LT_MODULE (lin), x, &error);
  loss = lt_tensor_sum (y, &error);
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (log.calls, ==, 2);
  g_assert_null (log.seen_input);
  assert_values_tol (log.seen_output, ones, 8, 1e-6);
  hook_log_clear (&log);

  /* the module's hooks are freed with it */
  g_clear_object (&y);
  g_clear_object (&loss);
  g_clear_object (&lin);
  g_assert_cmpuint (log.destroyed, ==, 1);
}

/* -- lt_autograd_grad and lt_tensor_backward_full ------------------------ */

static void
test_autograd_grad (void)
{
  g_autoptr(GError) error = NULL;
  double xv[3] = { 1, 2, 3 };
  g_autoptr(LtTensor) x = tensor_of (xv, 3, (gint64[]){ 3 }, 1, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) u = tensor_of (xv, 3, (gint64[]){ 3 }, 1, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) cube = NULL, y = NULL, g1 = NULL;
  g_autoptr(GPtrArray) first = NULL, second = NULL, unused = NULL;
  LtTensor *wrt[2];
  double    want1[3], want2[3];

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (u, TRUE, &error));
  cube = lt_tensor_pow_scalar (x, 3, &error);
  y = lt_tensor_sum (cube, &error);
  g_assert_no_error (error);

  /* d/dx sum x^3 = 3 x^2, with a history (create_graph); .grad untouched */
  first = lt_autograd_grad (&y, 1, NULL, 0, &x, 1, TRUE, TRUE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 1);
  for (guint i = 0; i < 3; i++)
    {
      want1[i] = 3 * xv[i] * xv[i];
      want2[i] = 6 * xv[i];
    }
  assert_values (g_ptr_array_index (first, 0), want1, 3);
  g_assert_true (lt_tensor_get_requires_grad (g_ptr_array_index (first, 0)));
  g_assert_null (lt_tensor_get_grad (x));

  /* and again: 6 x */
  g1 = lt_tensor_sum (g_ptr_array_index (first, 0), &error);
  second = lt_autograd_grad (&g1, 1, NULL, 0, &x, 1, FALSE, FALSE, FALSE, &error);
  g_assert_no_error (error);
  assert_values (g_ptr_array_index (second, 0), want2, 3);
  g_assert_false (lt_tensor_get_requires_grad (g_ptr_array_index (second, 0)));

  /* an input the output does not depend on */
  wrt[0] = x;
  wrt[1] = u;
  g_assert_null (lt_autograd_grad (&y, 1, NULL, 0, wrt, 2, TRUE, FALSE, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "inputs[1] was not used"));
  g_clear_error (&error);
  unused = lt_autograd_grad (&y, 1, NULL, 0, wrt, 2, TRUE, FALSE, TRUE, &error);
  g_assert_no_error (error);
  g_assert_null (g_ptr_array_index (unused, 1));
  assert_values (g_ptr_array_index (unused, 0), want1, 3);
}

static void
test_backward_full (void)
{
  g_autoptr(GError) error = NULL;
  double xv[2] = { 2, -1 }, yv[2] = { 3, 5 };
  g_autoptr(LtTensor) x = tensor_of (xv, 2, (gint64[]){ 2 }, 1, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) y = tensor_of (yv, 2, (gint64[]){ 2 }, 1, LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) xx = NULL, xxy = NULL, z = NULL, gs = NULL;
  double want_x[2], want_y[2];

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  g_assert_true (lt_tensor_set_requires_grad (y, TRUE, &error));
  xx = lt_tensor_mul (x, x, &error);
  xxy = lt_tensor_mul (xx, y, &error);
  z = lt_tensor_sum (xxy, &error);

  /* only x gets a gradient: 2 x y, with a history */
  g_assert_true (lt_tensor_backward_full (z, NULL, TRUE, TRUE, &x, 1, &error));
  g_assert_no_error (error);
  g_assert_null (lt_tensor_get_grad (y));
  for (guint i = 0; i < 2; i++)
    {
      want_x[i] = 2 * xv[i] * yv[i];
      want_y[i] = 2 * xv[i];
    }
  assert_values (lt_tensor_get_grad (x), want_x, 2);
  g_assert_true (lt_tensor_get_requires_grad (lt_tensor_get_grad (x)));

  /* d/dy sum (2 x y) = 2 x */
  gs = lt_tensor_sum (lt_tensor_get_grad (x), &error);
  g_assert_true (lt_tensor_backward_full (gs, NULL, FALSE, FALSE, &y, 1, &error));
  g_assert_no_error (error);
  assert_values (lt_tensor_get_grad (y), want_y, 2);

  /* an input that does not require grad */
  g_assert_true (lt_tensor_set_requires_grad (y, FALSE, &error));
  g_assert_false (lt_tensor_backward_full (z, NULL, TRUE, FALSE, &y, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);

  /* x's gradient has a history that holds x (as PyTorch's does after
   * create_graph): clearing it breaks the cycle */
  g_assert_true (lt_tensor_set_grad (x, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/autograd-api/module/forward-hooks", test_module_forward_hooks);
  g_test_add_func ("/autograd-api/module/backward-hook", test_module_backward_hook);
  g_test_add_func ("/autograd-api/grad/higher-order", test_autograd_grad);
  g_test_add_func ("/autograd-api/grad/backward-full", test_backward_full);
  return g_test_run ();
}
