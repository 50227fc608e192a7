/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A Conv2d then a ReLU in an LtSequential on the CPU (nn/lt-sequential-fuse.c,
 * _lt_conv2d_relu () in ops/lt-conv.c): the convolution's kernels store
 * relu (v) after the bias (LtConvParams.relu), so the fused pair gives the
 * output, the gradients and, after steps of SGD, the parameters of the
 * modules run one by one bit for bit, with the same graph and module
 * scopes (linear-relu-cases.c), in float32 and float64, through each of
 * the CPU's paths: the columns (wide rows and unfolded, groups, stride 2,
 * no bias), Winograd (forced on) and the depthwise kernels, on one thread
 * and two; meson runs it again for the AVX2 and baseline builds of the
 * kernels (LT_CPU_ISA). Also: float64 gradcheck of the fused op, NaN
 * passing as relu passes it, the cases that stay unfused, and the forward
 * without grad mode.
 */

#include <math.h>

#include <libtensor.h>

#include "backends/cpu/lt-cpu-private.h"
#include "core/lt-tensor-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "ops/lt-fused-private.h"
#include "linear-relu-cases.h"
#include "optim-cases.h"

/* N, C, H, W, O, k, stride, padding, groups, bias, padding mode */
static const ConvReluCase cases[] = {
  /* the tutorial's conv1 and conv2 (columns, wide rows) */
  { 4, 3, 32, 32, 6, 5, 1, 0, 1, TRUE, NULL },
  { 4, 6, 14, 14, 16, 5, 1, 0, 1, TRUE, NULL },
  /* groups, stride 2 (phases of wide rows), unfolded columns (stride 3
   * with a 2-tap filter misses a phase), no bias */
  { 2, 4, 7, 9, 6, 3, 1, 1, 2, TRUE, NULL },
  { 3, 3, 9, 8, 5, 3, 2, 1, 1, TRUE, NULL },
  { 2, 3, 10, 11, 4, 2, 3, 0, 1, TRUE, NULL },
  { 2, 3, 6, 6, 4, 3, 1, 0, 1, FALSE, NULL },
  /* depthwise, at strides 1 and 2, with and without a bias */
  { 2, 6, 9, 9, 6, 3, 1, 1, 6, TRUE, NULL },
  { 3, 5, 8, 7, 5, 3, 2, 1, 5, FALSE, NULL },
  /* a padding mode through lt_pad, an unbatched image, an empty batch */
  { 2, 3, 6, 7, 4, 3, 1, 1, 1, TRUE, "reflect" },
  { -1, 3, 6, 5, 4, 3, 1, 1, 1, TRUE, NULL },
  { 0, 3, 6, 5, 4, 3, 1, 1, 1, TRUE, NULL },
};

/* 3x3 at stride 1: Winograd when forced on, the columns when off */
static const ConvReluCase wino_cases[] = {
  { 2, 8, 8, 9, 8, 3, 1, 1, 1, TRUE, NULL },
  { 1, 9, 7, 6, 10, 3, 1, 0, 1, FALSE, NULL },
  { 2, 8, 5, 5, 8, 3, 1, 2, 1, TRUE, NULL },
};

static void
test_paths (gconstpointer data)
{
  LtDType dt = GPOINTER_TO_INT (data);

  for (int threads = 1; threads <= 2; threads++)
    {
      lt_set_num_threads (threads);
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        g_assert_true (conv_relu_check (LT_DEVICE_CPU, dt, &cases[i], 30 + i));
    }
  lt_set_num_threads (1);
}

static void
test_winograd (gconstpointer data)
{
  LtDType dt = GPOINTER_TO_INT (data);

  for (int mode = 1; mode >= 0; mode--)
    {
      guint64 before = _lt_cpu_conv_winograd_calls ();

      _lt_cpu_conv_set_winograd (mode);
      for (guint i = 0; i < G_N_ELEMENTS (wino_cases); i++)
        g_assert_true (conv_relu_check (LT_DEVICE_CPU, dt, &wino_cases[i], 60 + i));
      /* forced on: each forward and grad input of each of the 2 x 3 steps */
      if (mode == 1)
        g_assert_cmpuint (_lt_cpu_conv_winograd_calls () - before, >=,
                          2 * 3 * G_N_ELEMENTS (wino_cases));
      else
        g_assert_cmpuint (_lt_cpu_conv_winograd_calls (), ==, before);
    }
  _lt_cpu_conv_set_winograd (-1);
}

/* The depthwise cases take the direct kernels */
static void
test_depthwise_applies (void)
{
  LtConvParams        p = { { 1, 1 }, { 1, 1 }, { 1, 1 }, 6, { 0, 0 }, TRUE };
  static const gint64 xs[4] = { 2, 6, 9, 9 }, ws[4] = { 6, 1, 3, 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_zeros (xs, 4, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) w = lt_zeros (ws, 4, LT_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  g_assert_true (_lt_cpu_conv_depthwise_applies (x, w, &p));
  p.stride[0] = p.stride[1] = 2;
  g_assert_true (_lt_cpu_conv_depthwise_applies (x, w, &p));
}

typedef struct
{
  gint64 stride, padding, groups;
} GcConv;

static LtTensor *
gc_conv_relu (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  const GcConv *c = data;
  gint64        st[2] = { c->stride, c->stride }, pd[2] = { c->padding, c->padding };
  LtTensor     *y =
    _lt_conv2d_relu (in[0], in[1], n > 2 ? in[2] : NULL, st, pd, NULL, c->groups, &error);

  g_assert_no_error (error);
  return y;
}

/* float64 gradcheck of the fused op, through the columns, Winograd and the
 * depthwise kernels, with and without a bias */
static void
test_gradcheck (void)
{
  static const struct
  {
    gint64 xs[4], ws[4];
    GcConv c;
    int    wino;
  } gc[] = {
    { { 2, 3, 5, 6 }, { 4, 3, 3, 3 }, { 1, 1, 1 }, 0 },
    { { 1, 8, 4, 4 }, { 8, 8, 3, 3 }, { 1, 1, 1 }, 1 },
    { { 2, 4, 5, 5 }, { 6, 2, 3, 3 }, { 2, 1, 2 }, 0 },
    { { 2, 3, 5, 4 }, { 3, 1, 3, 3 }, { 1, 0, 3 }, 0 },
  };
  g_autoptr(GError) error = NULL;

  lt_manual_seed (77);
  for (guint i = 0; i < G_N_ELEMENTS (gc); i++)
    for (int bias = 0; bias < 2; bias++)
      {
        g_autoptr(LtTensor) x = lt_randn (gc[i].xs, 4, LT_DTYPE_FLOAT64, &error);
        g_autoptr(LtTensor) w = lt_randn (gc[i].ws, 4, LT_DTYPE_FLOAT64, &error);
        g_autoptr(LtTensor) b = lt_randn (gc[i].ws, 1, LT_DTYPE_FLOAT64, &error);
        LtTensor *in[3] = { x, w, b };
        guint64   before = _lt_cpu_conv_winograd_calls ();

        g_assert_no_error (error);
        for (guint k = 0; k < 3; k++)
          g_assert_true (lt_tensor_set_requires_grad (in[k], TRUE, &error));
        _lt_cpu_conv_set_winograd (gc[i].wino);
        g_assert_true (lt_gradcheck (gc_conv_relu, (gpointer) &gc[i].c, in, bias ? 3 : 2, 1e-6,
                                     1e-5, 1e-3, &error));
        g_assert_no_error (error);
        if (gc[i].wino)
          g_assert_cmpuint (_lt_cpu_conv_winograd_calls (), >, before);
      }
  _lt_cpu_conv_set_winograd (-1);
}

/* NaN passes relu (v < 0 is false for it), in the fused kernels as in
 * relu's; negatives become +0 */
static void
test_nan (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 xs[4] = { 1, 1, 2, 3 }, k1[2] = { 1, 1 };
  const double        xv[6] = { NAN, -1.5, 0.0, 2.0, -0.0, -INFINITY };
  g_autoptr(LtConv2d) conv = lt_conv2d_new (1, 1, k1, NULL, NULL, NULL, 1, TRUE, &error);
  g_autoptr(LtReLU) relu = lt_relu_new (FALSE);
  LtModule *m[2] = { LT_MODULE (conv), LT_MODULE (relu) };
  g_autoptr(LtSequential) seq = lt_sequential_new (m, 2);
  g_autoptr(LtTensor) x = lt_tensor_new_from_doubles (xv, 6, xs, 4, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) y2 = NULL;
  guint64 runs = _lt_conv2d_relu_runs ();

  g_assert_no_error (error);
  y = lt_module_forward (LT_MODULE (seq), x, &error);
  h = y ? lt_module_forward (LT_MODULE (conv), x, &error) : NULL;
  y2 = h ? lt_module_forward (LT_MODULE (relu), h, &error) : NULL;
  g_assert_no_error (error);
  assert_same_bits (y, y2, "relu of NaN, -1.5, 0, 2, -0, -inf: fused and module by module");
  g_assert_true (isnan (_lt_load_double (_lt_tensor_data (y), y->dtype)));
  g_assert_cmpuint (_lt_conv2d_relu_runs (), >, runs);
}

static LtTensor *
keep_output (LtModule *m, LtTensor *in, LtTensor *out, gpointer data, GError **error)
{
  return NULL;
}

/* Whether Sequential (@conv, @relu) ran fused on a (2, 3, 5, 5) batch */
static gboolean
ran_fused (LtModule *conv, LtModule *relu, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  static const gint64 xs[4] = { 2, 3, 5, 5 };
  LtModule           *m[2] = { conv, relu };
  g_autoptr(LtSequential) seq = lt_sequential_new (m, 2);
  g_autoptr(LtTensor) x = lt_randn (xs, 4, dt, &error);
  g_autoptr(LtTensor) y = NULL;
  guint64 runs = _lt_conv2d_relu_runs ();

  g_assert_no_error (error);
  y = lt_module_forward (LT_MODULE (seq), x, &error);
  if (dt == LT_DTYPE_FLOAT32)
    g_assert_no_error (error);
  return _lt_conv2d_relu_runs () > runs;
}

static void
test_unfused_cases (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 k3[2] = { 3, 3 };

  /* fused */
  {
    g_autoptr(LtConv2d) c = lt_conv2d_new (3, 4, k3, NULL, NULL, NULL, 1, TRUE, &error);
    g_autoptr(LtReLU) r = lt_relu_new (FALSE);

    g_assert_true (ran_fused (LT_MODULE (c), LT_MODULE (r), LT_DTYPE_FLOAT32));
  }
  /* a forward hook on the Conv2d must see its output, one on the ReLU
   * its input */
  for (int which = 0; which < 2; which++)
    {
      g_autoptr(LtConv2d) c = lt_conv2d_new (3, 4, k3, NULL, NULL, NULL, 1, TRUE, &error);
      g_autoptr(LtReLU) r = lt_relu_new (FALSE);

      lt_module_register_forward_hook (which ? LT_MODULE (r) : LT_MODULE (c), keep_output, NULL,
                                       NULL);
      g_assert_false (ran_fused (LT_MODULE (c), LT_MODULE (r), LT_DTYPE_FLOAT32));
    }
  /* an in-place ReLU */
  {
    g_autoptr(LtConv2d) c = lt_conv2d_new (3, 4, k3, NULL, NULL, NULL, 1, TRUE, &error);
    g_autoptr(LtReLU) r = lt_relu_new (TRUE);

    g_assert_false (ran_fused (LT_MODULE (c), LT_MODULE (r), LT_DTYPE_FLOAT32));
  }
  /* an input of another dtype than the layer's: unfused, with the
   * convolution's own error */
  {
    g_autoptr(LtConv2d) c = lt_conv2d_new (3, 4, k3, NULL, NULL, NULL, 1, TRUE, &error);
    g_autoptr(LtReLU) r = lt_relu_new (FALSE);

    g_assert_false (ran_fused (LT_MODULE (c), LT_MODULE (r), LT_DTYPE_FLOAT64));
  }
  g_assert_no_error (error);
}

/* Without grad mode: the fused forward, no nodes, the same values */
static void
test_no_grad (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 xs[4] = { 3, 2, 6, 6 }, k3[2] = { 3, 3 };
  g_autoptr(LtConv2d) c = lt_conv2d_new (2, 5, k3, NULL, NULL, NULL, 1, TRUE, &error);
  g_autoptr(LtReLU) r = lt_relu_new (FALSE);
  LtModule *m[2] = { LT_MODULE (c), LT_MODULE (r) };
  g_autoptr(LtSequential) seq = lt_sequential_new (m, 2);
  g_autoptr(LtTensor) x = lt_randn (xs, 4, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) y2 = NULL;
  guint64  runs = _lt_conv2d_relu_runs ();
  gboolean prev;

  prev = lt_set_grad_enabled (FALSE);
  y = lt_module_forward (LT_MODULE (seq), x, &error);
  h = y ? lt_module_forward (LT_MODULE (c), x, &error) : NULL;
  y2 = h ? lt_module_forward (LT_MODULE (r), h, &error) : NULL;
  lt_set_grad_enabled (prev);
  g_assert_no_error (error);
  g_assert_cmpuint (_lt_conv2d_relu_runs (), ==, runs + 1);
  g_assert_null (lt_tensor_get_grad_fn (y));
  assert_same_bits (y, y2, "the output without grad mode, fused and module by module");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("A Conv2d then a ReLU in a Sequential, fused, on the CPU");
  g_test_add_data_func ("/nn/fused/conv-relu/paths/float32", GINT_TO_POINTER (LT_DTYPE_FLOAT32),
                        test_paths);
  g_test_add_data_func ("/nn/fused/conv-relu/paths/float64", GINT_TO_POINTER (LT_DTYPE_FLOAT64),
                        test_paths);
  g_test_add_data_func ("/nn/fused/conv-relu/winograd/float32", GINT_TO_POINTER (LT_DTYPE_FLOAT32),
                        test_winograd);
  g_test_add_data_func ("/nn/fused/conv-relu/winograd/float64", GINT_TO_POINTER (LT_DTYPE_FLOAT64),
                        test_winograd);
  g_test_add_func ("/nn/fused/conv-relu/depthwise-applies", test_depthwise_applies);
  g_test_add_func ("/nn/fused/conv-relu/gradcheck", test_gradcheck);
  g_test_add_func ("/nn/fused/conv-relu/nan", test_nan);
  g_test_add_func ("/nn/fused/conv-relu/unfused-cases", test_unfused_cases);
  g_test_add_func ("/nn/fused/conv-relu/no-grad", test_no_grad);
  return g_test_run ();
}
