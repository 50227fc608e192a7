/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A Linear then a ReLU in an LtSequential on the CPU (nn/lt-sequential-fuse.c,
 * ops/lt-fused-linear.c): the fused path gives the output and gradients of
 * the modules run one by one, bit for bit, with PyTorch's graph and module
 * scopes (linear-relu-cases.c), at the tutorial's shapes and odd ones, on
 * one thread and two, and in the tutorial's whole network; and the cases
 * that stay unfused do (hooks, an in-place ReLU, one out feature, no
 * bias). Float64 through the op itself is the op harness's.
 */

#include <libtensor.h>

#include "core/lt-tensor-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "linear-relu-cases.h"
#include "optim-cases.h"

static void
test_bits (void)
{
  /* N, K, C: the tutorial's fc1 and fc2 at batch 4 and 64, one sample,
   * odd sizes, a batch long enough to split over the threads and to go
   * through BLAS instead of the small products, an empty batch */
  static const gint64 shapes[][3] = {
    { 4, 400, 120 }, { 64, 120, 84 }, { 1, 3, 2 },      { 3, 5, 7 },
    { 300, 9, 5 },   { 257, 33, 65 }, { 96, 700, 400 }, { 0, 4, 3 },
  };

  for (int threads = 1; threads <= 2; threads++)
    {
      lt_set_num_threads (threads);
      for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
        g_assert_true (
          linear_relu_check (LT_DEVICE_CPU, shapes[i][0], shapes[i][1], shapes[i][2], 10 + i));
    }
}

/* The tutorial's network as one Sequential (conv1, relu, pool, conv2,
 * relu, pool, flatten, fc1, relu, fc2, relu, fc3): fc1 and fc2 fused, the
 * same bits as its modules one by one, at batch 4 and an odd batch */
static void
test_tutorial_net (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 k5[2] = { 5, 5 }, two[1] = { 2 };
  static const gint64 batches[] = { 4, 7 };
  LtModule           *m[12];
  g_autoptr(LtSequential) seq = NULL;

  lt_manual_seed (3);
  m[0] = LT_MODULE (lt_conv2d_new (3, 6, k5, NULL, NULL, NULL, 1, TRUE, &error));
  m[1] = LT_MODULE (lt_relu_new (FALSE));
  m[2] = LT_MODULE (lt_max_pool2d_new (two, 1, two, 1, NULL, 0, NULL, 0, FALSE, &error));
  g_assert_no_error (error);
  m[3] = LT_MODULE (lt_conv2d_new (6, 16, k5, NULL, NULL, NULL, 1, TRUE, &error));
  m[4] = LT_MODULE (lt_relu_new (FALSE));
  m[5] = LT_MODULE (lt_max_pool2d_new (two, 1, two, 1, NULL, 0, NULL, 0, FALSE, &error));
  g_assert_no_error (error);
  m[6] = LT_MODULE (lt_flatten_new (1, -1));
  m[7] = LT_MODULE (lt_linear_new (400, 120, TRUE, &error));
  m[8] = LT_MODULE (lt_relu_new (FALSE));
  m[9] = LT_MODULE (lt_linear_new (120, 84, TRUE, &error));
  m[10] = LT_MODULE (lt_relu_new (FALSE));
  m[11] = LT_MODULE (lt_linear_new (84, 10, TRUE, &error));
  g_assert_no_error (error);
  seq = lt_sequential_new (m, G_N_ELEMENTS (m));
  for (guint i = 0; i < G_N_ELEMENTS (m); i++)
    g_object_unref (m[i]);
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      gint64 xs[4] = { batches[b], 3, 32, 32 }, os[2] = { batches[b], 10 };
      g_autoptr(LtTensor) x = lt_randn (xs, 4, LT_DTYPE_FLOAT32, &error);
      g_autoptr(LtTensor) w = lt_randn (os, 2, LT_DTYPE_FLOAT32, &error);
      g_autoptr(LtTensor) out = NULL;
      LtGradFn *fn;

      g_assert_no_error (error);
      sequential_same_bits (LT_MODULE (seq), x, w, LT_DEVICE_CPU);
      /* fc2's ReLU ran fused */
      out = lt_module_forward (LT_MODULE (seq), x, &error);
      g_assert_no_error (error);
      fn = lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (out), 1, NULL);
      g_assert_cmpint (fn->op, ==, LT_OP_LINEAR_RELU);
      g_assert_cmpstr (lt_grad_fn_get_module (fn), ==, "10");
    }
}

static LtTensor *
keep_output (LtModule *m, LtTensor *in, LtTensor *out, gpointer data, GError **error)
{
  return NULL;
}

/* The ReLU's node of Sequential (Linear (4, C), ReLU) over a (2, 4) batch */
static LtGradFn *
relu_node (LtModule *linear, LtModule *relu, LtTensor **out)
{
  g_autoptr(GError) error = NULL;
  static const gint64 xs[2] = { 2, 4 };
  LtModule           *m[2] = { linear, relu };
  g_autoptr(LtSequential) seq = lt_sequential_new (m, 2);
  g_autoptr(LtTensor) x = lt_randn (xs, 2, LT_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  *out = lt_module_forward (LT_MODULE (seq), x, &error);
  g_assert_no_error (error);
  return lt_tensor_get_grad_fn (*out);
}

static void
test_unfused_cases (void)
{
  g_autoptr(GError) error = NULL;
  LtTensor *out = NULL;
  LtGradFn *fn;

  /* fused */
  {
    g_autoptr(LtLinear) l = lt_linear_new (4, 3, TRUE, &error);
    g_autoptr(LtReLU) r = lt_relu_new (FALSE);

    fn = relu_node (LT_MODULE (l), LT_MODULE (r), &out);
    g_assert_cmpint (fn->op, ==, LT_OP_LINEAR_RELU);
    g_clear_object (&out);
  }
  /* a forward hook on the Linear must see its output */
  {
    g_autoptr(LtLinear) l = lt_linear_new (4, 3, TRUE, &error);
    g_autoptr(LtReLU) r = lt_relu_new (FALSE);

    lt_module_register_forward_hook (LT_MODULE (l), keep_output, NULL, NULL);
    fn = relu_node (LT_MODULE (l), LT_MODULE (r), &out);
    g_assert_cmpint (fn->op, ==, LT_OP_RELU);
    g_clear_object (&out);
  }
  /* ... and one on the ReLU */
  {
    g_autoptr(LtLinear) l = lt_linear_new (4, 3, TRUE, &error);
    g_autoptr(LtReLU) r = lt_relu_new (FALSE);

    lt_module_register_forward_hook (LT_MODULE (r), keep_output, NULL, NULL);
    fn = relu_node (LT_MODULE (l), LT_MODULE (r), &out);
    g_assert_cmpint (fn->op, ==, LT_OP_RELU);
    g_clear_object (&out);
  }
  /* an in-place ReLU */
  {
    g_autoptr(LtLinear) l = lt_linear_new (4, 3, TRUE, &error);
    g_autoptr(LtReLU) r = lt_relu_new (TRUE);

    fn = relu_node (LT_MODULE (l), LT_MODULE (r), &out);
    g_assert_cmpint (fn->op, !=, LT_OP_LINEAR_RELU);
    g_clear_object (&out);
  }
  /* one out feature, and no bias */
  for (int bias = 0; bias < 2; bias++)
    {
      g_autoptr(LtLinear) l = lt_linear_new (4, bias ? 1 : 3, bias, &error);
      g_autoptr(LtReLU) r = lt_relu_new (FALSE);

      fn = relu_node (LT_MODULE (l), LT_MODULE (r), &out);
      g_assert_cmpint (fn->op, ==, LT_OP_RELU);
      g_clear_object (&out);
    }
  g_assert_no_error (error);
}

/* Without grad mode: the fused forward, no nodes, the same values */
static void
test_no_grad (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 xs[2] = { 5, 6 };
  g_autoptr(LtLinear) l = lt_linear_new (6, 4, TRUE, &error);
  g_autoptr(LtReLU) r = lt_relu_new (FALSE);
  LtModule *m[2] = { LT_MODULE (l), LT_MODULE (r) };
  g_autoptr(LtSequential) seq = lt_sequential_new (m, 2);
  g_autoptr(LtTensor) x = lt_randn (xs, 2, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) y2 = NULL;
  gboolean prev;

  prev = lt_set_grad_enabled (FALSE);
  y = lt_module_forward (LT_MODULE (seq), x, &error);
  h = y ? lt_module_forward (LT_MODULE (l), x, &error) : NULL;
  y2 = h ? lt_module_forward (LT_MODULE (r), h, &error) : NULL;
  lt_set_grad_enabled (prev);
  g_assert_no_error (error);
  g_assert_null (lt_tensor_get_grad_fn (y));
  assert_same_bits (y, y2, "the output without grad mode, fused and module by module");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("A Linear then a ReLU in a Sequential, fused, on the CPU");
  g_test_add_func ("/nn/fused/linear-relu/bits", test_bits);
  g_test_add_func ("/nn/fused/linear-relu/tutorial-net", test_tutorial_net);
  g_test_add_func ("/nn/fused/linear-relu/unfused-cases", test_unfused_cases);
  g_test_add_func ("/nn/fused/linear-relu/no-grad", test_no_grad);
  return g_test_run ();
}
