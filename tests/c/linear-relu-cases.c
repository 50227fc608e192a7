/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "linear-relu-cases.h"

#include "core/lt-tensor-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "optim-cases.h"

typedef struct
{
  LtTensor  *out;
  LtTensor  *dx;
  GPtrArray *grads;
} Run;

static void
run_clear (Run *r)
{
  g_clear_object (&r->out);
  g_clear_object (&r->dx);
  g_clear_pointer (&r->grads, g_ptr_array_unref);
}

static LtTensor *
on (LtTensor *t, LtDevice device)
{
  g_autoptr(GError) error = NULL;
  LtTensor *d = lt_tensor_to_device (t, device, &error);

  g_assert_no_error (error);
  return d;
}

/* forward (through @seq or its children one by one), then backward of
 * sum (out * w) */
static void
run (LtModule *seq, gboolean whole, LtTensor *xh, LtTensor *wh, LtDevice device, Run *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = on (xh, device);
  g_autoptr(LtTensor) w = on (wh, device);
  g_autoptr(LtTensor) p = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(GPtrArray) params = lt_module_parameters (seq);

  for (guint i = 0; i < params->len; i++)
    g_assert_true (lt_tensor_set_grad (g_ptr_array_index (params, i), NULL, &error));
  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  if (whole)
    r->out = lt_module_forward (seq, x, &error);
  else
    {
      LtTensor *h = g_object_ref (x);

      for (guint i = 0; i < lt_module_get_n_children (seq) && h; i++)
        {
          LtTensor *next = lt_module_forward (lt_module_get_child_at (seq, i, NULL), h, &error);

          g_object_unref (h);
          h = next;
        }
      r->out = h;
    }
  g_assert_no_error (error);
  p = lt_tensor_mul (r->out, w, &error);
  s = p ? lt_tensor_sum (p, &error) : NULL;
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
  g_assert_no_error (error);
  r->dx = g_object_ref (lt_tensor_get_grad (x));
  r->grads = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *g = lt_tensor_get_grad (g_ptr_array_index (params, i));

      g_assert_nonnull (g);
      g_ptr_array_add (r->grads, g_object_ref (g));
    }
}

void
sequential_same_bits (LtModule *seq, LtTensor *xh, LtTensor *wh, LtDevice device)
{
  Run fused = { NULL }, plain = { NULL };

  run (seq, TRUE, xh, wh, device, &fused);
  run (seq, FALSE, xh, wh, device, &plain);
  assert_same_bits (fused.out, plain.out, "the output, fused and module by module");
  assert_same_bits (fused.dx, plain.dx, "the input's gradient, fused and module by module");
  for (guint i = 0; i < fused.grads->len; i++)
    assert_same_bits (g_ptr_array_index (fused.grads, i), g_ptr_array_index (plain.grads, i),
                      "a parameter's gradient, fused and module by module");
  run_clear (&fused);
  run_clear (&plain);
}

gboolean
linear_relu_check (LtDevice device, gint64 N, gint64 K, gint64 C, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  gint64    xs[2] = { N, K }, os[2] = { N, 3 };
  LtModule *m[3];
  g_autoptr(LtSequential) seq = NULL;
  g_autoptr(LtTensor) xh = NULL;
  g_autoptr(LtTensor) wh = NULL;
  Run       fused = { NULL }, plain = { NULL };
  LtGradFn *relu, *gemm;
  gboolean  was_fused;

  lt_manual_seed (seed);
  m[0] = LT_MODULE (lt_linear_new (K, C, TRUE, &error));
  m[1] = LT_MODULE (lt_relu_new (FALSE));
  m[2] = LT_MODULE (lt_linear_new (C, 3, TRUE, &error));
  g_assert_no_error (error);
  seq = lt_sequential_new (m, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (m[i]);
  g_assert_true (lt_module_to_device (LT_MODULE (seq), device, &error));
  g_assert_no_error (error);
  xh = lt_randn (xs, 2, LT_DTYPE_FLOAT32, &error);
  wh = lt_randn (os, 2, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);

  run (LT_MODULE (seq), TRUE, xh, wh, device, &fused);
  run (LT_MODULE (seq), FALSE, xh, wh, device, &plain);
  assert_same_bits (fused.out, plain.out, "the output, fused and module by module");
  assert_same_bits (fused.dx, plain.dx, "the input's gradient, fused and module by module");
  for (guint i = 0; i < fused.grads->len; i++)
    assert_same_bits (g_ptr_array_index (fused.grads, i), g_ptr_array_index (plain.grads, i),
                      "a parameter's gradient, fused and module by module");

  /* the graph: fc2's AddmmBackward0 over the ReLU's node over fc1's */
  gemm = lt_tensor_get_grad_fn (fused.out);
  g_assert_cmpstr (lt_grad_fn_get_name (gemm), ==, "AddmmBackward0");
  relu = lt_grad_fn_get_next_function (gemm, 1, NULL);
  g_assert_cmpstr (lt_grad_fn_get_name (relu), ==, "ReluBackward0");
  g_assert_cmpstr (lt_grad_fn_get_module (relu), ==, "1");
  was_fused = relu->op == LT_OP_LINEAR_RELU;
  gemm = lt_grad_fn_get_next_function (relu, 0, NULL);
  g_assert_cmpstr (lt_grad_fn_get_name (gemm), ==, "AddmmBackward0");
  g_assert_cmpstr (lt_grad_fn_get_module (gemm), ==, "0");
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (gemm), ==, 3);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_grad_fn_get_next_function (gemm, 0, NULL)), ==,
                   "AccumulateGrad");
  g_assert_cmpstr (lt_grad_fn_get_name (lt_grad_fn_get_next_function (gemm, 2, NULL)), ==,
                   "TBackward0");
  g_assert_cmpstr (lt_grad_fn_get_module (lt_grad_fn_get_next_function (gemm, 2, NULL)), ==, "0");
  run_clear (&fused);
  run_clear (&plain);
  return was_fused;
}
