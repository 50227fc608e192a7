/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The autograd API a PyTorch user reaches for beyond backward(): module
 * hooks (forward pre-hooks, forward hooks, full backward hooks).
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/autograd-api/module/forward-hooks", test_module_forward_hooks);
  g_test_add_func ("/autograd-api/module/backward-hook", test_module_backward_hook);
  return g_test_run ();
}
