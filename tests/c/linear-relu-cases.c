/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "linear-relu-cases.h"

#include "core/lt-tensor-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "ops/lt-fused-private.h"
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

LtSequential *
tutorial_sequential (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 k5[2] = { 5, 5 }, two[1] = { 2 };
  LtModule           *m[12];
  LtSequential       *seq;

  m[0] = LT_MODULE (lt_conv2d_new (3, 6, k5, NULL, NULL, NULL, 1, TRUE, &error));
  g_assert_no_error (error);
  m[1] = LT_MODULE (lt_relu_new (FALSE));
  m[2] = LT_MODULE (lt_max_pool2d_new (two, 1, two, 1, NULL, 0, NULL, 0, FALSE, &error));
  g_assert_no_error (error);
  m[3] = LT_MODULE (lt_conv2d_new (6, 16, k5, NULL, NULL, NULL, 1, TRUE, &error));
  g_assert_no_error (error);
  m[4] = LT_MODULE (lt_relu_new (FALSE));
  m[5] = LT_MODULE (lt_max_pool2d_new (two, 1, two, 1, NULL, 0, NULL, 0, FALSE, &error));
  g_assert_no_error (error);
  m[6] = LT_MODULE (lt_flatten_new (1, -1));
  m[7] = LT_MODULE (lt_linear_new (400, 120, TRUE, &error));
  g_assert_no_error (error);
  m[8] = LT_MODULE (lt_relu_new (FALSE));
  m[9] = LT_MODULE (lt_linear_new (120, 84, TRUE, &error));
  g_assert_no_error (error);
  m[10] = LT_MODULE (lt_relu_new (FALSE));
  m[11] = LT_MODULE (lt_linear_new (84, 10, TRUE, &error));
  g_assert_no_error (error);
  seq = lt_sequential_new (m, G_N_ELEMENTS (m));
  for (guint i = 0; i < G_N_ELEMENTS (m); i++)
    g_object_unref (m[i]);
  return seq;
}

static LtSequential *
conv_relu_sequential (LtDevice device, LtDType dtype, const ConvReluCase *c, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  gint64        ks[2] = { c->k, c->k }, st[2] = { c->stride, c->stride };
  gint64        pd[2] = { c->padding, c->padding };
  LtModule     *m[2];
  LtSequential *seq;

  lt_manual_seed (seed);
  m[0] = LT_MODULE (lt_conv2d_new (c->C, c->O, ks, st, pd, NULL, c->groups, c->bias, &error));
  g_assert_no_error (error);
  if (c->padding_mode)
    g_assert_true (lt_conv_set_padding_mode (m[0], c->padding_mode, NULL, &error));
  g_assert_no_error (error);
  m[1] = LT_MODULE (lt_relu_new (FALSE));
  if (dtype != LT_DTYPE_FLOAT32)
    for (guint i = 0; i < 2; i++)
      {
        const char *name = i ? "bias" : "weight";
        LtTensor   *p = lt_module_get_parameter (m[0], name);
        g_autoptr(LtTensor) d = p ? lt_tensor_to_dtype (p, dtype, &error) : NULL;
        g_autoptr(LtTensor) v = d ? lt_tensor_detach (d) : NULL;

        g_assert_no_error (error);
        if (v)
          g_assert_true (lt_module_register_parameter (m[0], name, v, &error));
        g_assert_no_error (error);
      }
  seq = lt_sequential_new (m, 2);
  g_object_unref (m[0]);
  g_object_unref (m[1]);
  g_assert_true (lt_module_to_device (LT_MODULE (seq), device, &error));
  g_assert_no_error (error);
  return seq;
}

/* The nodes reachable from @fn, depth first: "name@module" each */
static void
graph_signature (LtGradFn *fn, GString *s)
{
  const char *module;

  if (fn == NULL)
    {
      g_string_append (s, "-;");
      return;
    }
  module = lt_grad_fn_get_module (fn);
  g_string_append_printf (s, "%s@%s(", lt_grad_fn_get_name (fn), module ? module : "");
  for (guint i = 0; i < lt_grad_fn_get_n_next_functions (fn); i++)
    graph_signature (lt_grad_fn_get_next_function (fn, i, NULL), s);
  g_string_append (s, ");");
}

static LtTensor *
keep_output (LtModule *m, LtTensor *in, LtTensor *out, gpointer data, GError **error)
{
  return NULL;
}

gboolean
conv_relu_check (LtDevice device, LtDType dtype, const ConvReluCase *c, guint64 seed)
{
  g_autoptr(GError) error = NULL;
  gboolean unbatched = c->N < 0;
  gint64   N = unbatched ? 1 : c->N;
  gint64   OH = (c->H + 2 * c->padding - c->k) / c->stride + 1;
  gint64   OW = (c->W + 2 * c->padding - c->k) / c->stride + 1;
  gint64   xs[4] = { N, c->C, c->H, c->W }, os[4] = { N, c->O, OH, OW };
  g_autoptr(LtSequential) whole = conv_relu_sequential (device, dtype, c, seed);
  g_autoptr(LtSequential) split = conv_relu_sequential (device, dtype, c, seed);
  g_autoptr(GPtrArray) pw = lt_module_parameters (LT_MODULE (whole));
  g_autoptr(GPtrArray) ps = lt_module_parameters (LT_MODULE (split));
  g_autoptr(LtOptimizer) ow = NULL;
  g_autoptr(LtOptimizer) osp = NULL;
  guint64  runs = _lt_conv2d_relu_runs ();
  gboolean fused;

  /* a forward hook on the ReLU (keeping its output) leaves that
   * Sequential unfused, its modules run one by one in their scopes */
  lt_module_register_forward_hook (lt_module_get_child_at (LT_MODULE (split), 1, NULL), keep_output,
                                   NULL, NULL);
  ow = LT_OPTIMIZER (lt_sgd_new (pw, 0.05, 0.9, 0, 0, FALSE, &error));
  osp = LT_OPTIMIZER (lt_sgd_new (ps, 0.05, 0.9, 0, 0, FALSE, &error));
  g_assert_no_error (error);
  for (guint step = 0; step < 3; step++)
    {
      g_autoptr(LtTensor) x32 = NULL;
      g_autoptr(LtTensor) w32 = NULL;
      g_autoptr(LtTensor) xh = NULL;
      g_autoptr(LtTensor) wh = NULL;
      g_autoptr(GString) gw = g_string_new (NULL);
      g_autoptr(GString) gs = g_string_new (NULL);
      Run       a = { NULL }, b = { NULL };
      LtGradFn *relu, *conv;

      lt_manual_seed (seed + 100 + step);
      x32 = lt_randn (unbatched ? xs + 1 : xs, unbatched ? 3 : 4, LT_DTYPE_FLOAT32, &error);
      w32 = lt_randn (unbatched ? os + 1 : os, unbatched ? 3 : 4, LT_DTYPE_FLOAT32, &error);
      g_assert_no_error (error);
      xh = lt_tensor_to_dtype (x32, dtype, &error);
      wh = lt_tensor_to_dtype (w32, dtype, &error);
      g_assert_no_error (error);

      run (LT_MODULE (whole), TRUE, xh, wh, device, &a);
      run (LT_MODULE (split), TRUE, xh, wh, device, &b);
      assert_same_bits (a.out, b.out, "conv+relu: the output, fused and unfused");
      assert_same_bits (a.dx, b.dx, "conv+relu: the input's gradient, fused and unfused");
      for (guint i = 0; i < a.grads->len; i++)
        assert_same_bits (g_ptr_array_index (a.grads, i), g_ptr_array_index (b.grads, i),
                          "conv+relu: a parameter's gradient, fused and unfused");

      /* the graph: the ReLU's node in its scope over the convolution's */
      relu = lt_tensor_get_grad_fn (a.out);
      g_assert_cmpstr (lt_grad_fn_get_name (relu), ==, "ReluBackward0");
      g_assert_cmpstr (lt_grad_fn_get_module (relu), ==, "1");
      conv = lt_grad_fn_get_next_function (relu, 0, NULL);
      g_assert_cmpstr (lt_grad_fn_get_name (conv), ==, "ConvolutionBackward0");
      g_assert_cmpstr (lt_grad_fn_get_module (conv), ==, "0");
      graph_signature (relu, gw);
      graph_signature (lt_tensor_get_grad_fn (b.out), gs);
      g_assert_cmpstr (gw->str, ==, gs->str);
      run_clear (&a);
      run_clear (&b);

      g_assert_true (lt_optimizer_step (ow, &error));
      g_assert_true (lt_optimizer_step (osp, &error));
      g_assert_no_error (error);
      for (guint i = 0; i < pw->len; i++)
        assert_same_bits (g_ptr_array_index (pw, i), g_ptr_array_index (ps, i),
                          "conv+relu: a parameter after a step, fused and unfused");
    }
  fused = _lt_conv2d_relu_runs () > runs;
  return fused;
}
