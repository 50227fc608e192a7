/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The layers (nn/): forward results against loops written here from each
 * layer's formula, shapes, parameter registration order and names, the
 * printed forms (the expected strings are PyTorch 1.13's print() of the
 * same modules), default initialisation bounds and determinism under
 * lt_manual_seed(), the init functions against their formulas, Sequential,
 * train/eval effects on Dropout and BatchNorm, apply, moving to an absent
 * device, argument errors, and gradcheck of Linear and of composed modules.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

#define PAIR(a, b) ((const gint64[]) { a, b })

/* Helpers */

static void
assert_module_prints (gpointer    module,
                      const char *want)
{
  g_autofree char *got = lt_module_to_string (LT_MODULE (module));

  g_assert_cmpstr (got, ==, want);
}

static LtTensor *
randn (const gint64 *shape,
       gsize         n_dims,
       LtDType       dtype)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_randn (shape, n_dims, dtype, &error);

  g_assert_no_error (error);
  return t;
}

static LtTensor *
forward (gpointer  module,
         LtTensor *input)
{
  g_autoptr(GError) error = NULL;
  LtTensor *out = lt_module_forward (LT_MODULE (module), input, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static LtTensor *
param (gpointer    module,
       const char *name)
{
  LtTensor *p = lt_module_get_parameter (LT_MODULE (module), name);

  g_assert_nonnull (p);
  return p;
}

static void
assert_names (LtStateDict        *sd,
              const char *const  *want)
{
  guint n = lt_state_dict_get_n_tensors (sd);

  g_assert_cmpuint (n, ==, g_strv_length ((char **) want));
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (lt_state_dict_get_name (sd, i), ==, want[i]);
}

/* A C network: modules registered in its init, forward chaining them. */

#define TEST_TYPE_NET (test_net_get_type ())
G_DECLARE_FINAL_TYPE (TestNet, test_net, TEST, NET, LtModule)

struct _TestNet
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (TestNet, test_net, LT_TYPE_MODULE)

static LtTensor *
test_net_forward (LtModule *module,
                  LtTensor *input,
                  GError  **error)
{
  const char *order[] = { "conv1", "bn1", "act", "pool", "flat", "fc1" };
  g_autoptr(LtTensor) x = g_object_ref (input);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      LtTensor *next = lt_module_forward (lt_module_get_child (module, order[i]), x, error);

      if (next == NULL)
        return NULL;
      g_object_unref (x);
      x = next;
    }
  return g_steal_pointer (&x);
}

static void
test_net_class_init (TestNetClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = test_net_forward;
}

static void
test_net_init (TestNet *self)
{
}

static TestNet *
test_net_new (void)
{
  g_autoptr(GError) error = NULL;
  TestNet *net = g_object_new (TEST_TYPE_NET, NULL);
  LtModule *m = LT_MODULE (net);
  g_autoptr(LtConv2d) conv1 = lt_conv2d_new (1, 4, PAIR (3, 3), NULL, PAIR (1, 1), NULL, 1, TRUE,
                                             &error);
  g_autoptr(LtBatchNorm2d) bn1 = lt_batch_norm2d_new (4, 1e-5, 0.1, TRUE, TRUE, &error);
  g_autoptr(LtReLU) act = lt_relu_new (FALSE);
  g_autoptr(LtMaxPool2d) pool = lt_max_pool2d_new (DIMS (2), NULL, 0, NULL, 0, NULL, 0, FALSE,
                                                   &error);
  g_autoptr(LtFlatten) flat = lt_flatten_new (1, -1);
  g_autoptr(LtLinear) fc1 = lt_linear_new (4 * 4 * 4, 3, TRUE, &error);

  g_assert_no_error (error);
  g_assert_true (lt_module_register_module (m, "conv1", LT_MODULE (conv1), &error));
  g_assert_true (lt_module_register_module (m, "bn1", LT_MODULE (bn1), &error));
  g_assert_true (lt_module_register_module (m, "act", LT_MODULE (act), &error));
  g_assert_true (lt_module_register_module (m, "pool", LT_MODULE (pool), &error));
  g_assert_true (lt_module_register_module (m, "flat", LT_MODULE (flat), &error));
  g_assert_true (lt_module_register_module (m, "fc1", LT_MODULE (fc1), &error));
  g_assert_no_error (error);
  return net;
}

/* Linear */

static void
test_linear_forward (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear *fc = lt_linear_new (4, 3, TRUE, &error);
  g_autoptr(LtTensor) x = randn (DIMS (2, 4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) x3 = randn (DIMS (5, 2, 4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y3 = NULL;
  g_autofree double *xv = NULL, *wv = NULL, *bv = NULL;
  double want[6];
  gsize n;

  g_assert_no_error (error);
  g_assert_cmpint (lt_linear_get_in_features (fc), ==, 4);
  g_assert_cmpint (lt_linear_get_out_features (fc), ==, 3);
  assert_shape (param (fc, "weight"), DIMS (3, 4));
  assert_shape (param (fc, "bias"), DIMS (3));
  g_assert_true (lt_tensor_get_requires_grad (param (fc, "weight")));
  g_assert_true (lt_tensor_get_is_parameter (param (fc, "bias")));

  y = forward (fc, x);
  assert_shape (y, DIMS (2, 3));
  xv = values (x, &n);
  wv = values (param (fc, "weight"), &n);
  bv = values (param (fc, "bias"), &n);
  for (guint i = 0; i < 2; i++)
    for (guint o = 0; o < 3; o++)
      {
        want[i * 3 + o] = bv[o];
        for (guint k = 0; k < 4; k++)
          want[i * 3 + o] += xv[i * 4 + k] * wv[o * 4 + k];
      }
  assert_values_rel (y, want, 6, 1e-5);

  /* (*, in_features) inputs keep their leading dimensions */
  y3 = forward (fc, x3);
  assert_shape (y3, DIMS (5, 2, 3));
}

static void
test_linear_no_bias (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear *fc = lt_linear_new (3, 2, FALSE, &error);
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  autofinal LtStateDict *named = NULL;
  g_autofree double *wv = NULL;
  gsize n;

  g_assert_no_error (error);
  g_assert_null (lt_module_get_parameter (LT_MODULE (fc), "bias"));
  named = lt_module_named_parameters (LT_MODULE (fc));
  assert_names (named, (const char *[]) { "weight", NULL });
  assert_module_prints (fc, "Linear(in_features=3, out_features=2, bias=False)");

  x = lt_tensor_new_from_doubles (VALS (1, 2, 3), DIMS (1, 3), LT_DTYPE_FLOAT32, &error);
  y = forward (fc, x);
  wv = values (param (fc, "weight"), &n);
  assert_values_rel (y, (double[]) { wv[0] + 2 * wv[1] + 3 * wv[2], wv[3] + 2 * wv[4] + 3 * wv[5] },
                     2, 1e-5);
}

static void
check_uniform_bound (LtTensor *t,
                     double    bound)
{
  gsize n;
  g_autofree double *v = values (t, &n);
  double lo = INFINITY, hi = -INFINITY;

  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpfloat (fabs (v[i]), <=, bound * (1 + 1e-6));
      lo = MIN (lo, v[i]);
      hi = MAX (hi, v[i]);
    }
  /* Enough draws spread over the range (not all zero, not a narrower law). */
  if (n >= 100)
    {
      g_assert_cmpfloat (hi, >, 0.8 * bound);
      g_assert_cmpfloat (lo, <, -0.8 * bound);
    }
}

static void
test_linear_init (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear *a = NULL;
  autofinal LtLinear *b = NULL;
  autofinal LtLinear *c = NULL;
  g_autofree double *av = NULL, *bv = NULL, *cv = NULL, *abias = NULL, *bbias = NULL;
  gsize n, nb;

  /* PyTorch: kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) */
  lt_manual_seed (42);
  a = lt_linear_new (400, 120, TRUE, &error);
  g_assert_no_error (error);
  check_uniform_bound (param (a, "weight"), 1 / sqrt (400.0));
  check_uniform_bound (param (a, "bias"), 1 / sqrt (400.0));

  lt_manual_seed (42);
  b = lt_linear_new (400, 120, TRUE, &error);
  lt_manual_seed (43);
  c = lt_linear_new (400, 120, TRUE, &error);
  g_assert_no_error (error);
  av = values (param (a, "weight"), &n);
  bv = values (param (b, "weight"), &n);
  cv = values (param (c, "weight"), &n);
  g_assert_cmpmem (av, n * sizeof (double), bv, n * sizeof (double));
  g_assert_true (memcmp (av, cv, n * sizeof (double)) != 0);
  abias = values (param (a, "bias"), &nb);
  bbias = values (param (b, "bias"), &nb);
  g_assert_cmpmem (abias, nb * sizeof (double), bbias, nb * sizeof (double));
  /* the bias comes from the stream after the weight: not a copy of it */
  g_assert_true (memcmp (abias, av, nb * sizeof (double)) != 0);
}

/* Conv2d */

static void
test_conv2d_forward (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtConv2d *conv =
    lt_conv2d_new (2, 3, PAIR (3, 2), PAIR (2, 1), PAIR (1, 0), NULL, 1, TRUE, &error);
  g_autoptr(LtTensor) x = randn (DIMS (2, 2, 5, 4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *xv = NULL, *wv = NULL, *bv = NULL, *yv = NULL;
  gsize n;
  /* OH = (5 + 2 - 3) / 2 + 1 = 3, OW = (4 - 2) / 1 + 1 = 3 */
  const gint64 OH = 3, OW = 3;

  g_assert_no_error (error);
  assert_shape (param (conv, "weight"), DIMS (3, 2, 3, 2));
  y = forward (conv, x);
  assert_shape (y, DIMS (2, 3, 3, 3));
  xv = values (x, &n);
  wv = values (param (conv, "weight"), &n);
  bv = values (param (conv, "bias"), &n);
  yv = values (y, &n);
  for (gint64 b = 0; b < 2; b++)
    for (gint64 o = 0; o < 3; o++)
      for (gint64 i = 0; i < OH; i++)
        for (gint64 j = 0; j < OW; j++)
          {
            double s = bv[o];

            for (gint64 c = 0; c < 2; c++)
              for (gint64 ki = 0; ki < 3; ki++)
                for (gint64 kj = 0; kj < 2; kj++)
                  {
                    gint64 yi = i * 2 - 1 + ki, xj = j + kj;

                    if (yi < 0 || yi >= 5 || xj < 0 || xj >= 4)
                      continue;
                    s += wv[((o * 2 + c) * 3 + ki) * 2 + kj] * xv[((b * 2 + c) * 5 + yi) * 4 + xj];
                  }
            g_assert_cmpfloat_with_epsilon (yv[((b * 3 + o) * OH + i) * OW + j], s,
                                            1e-4 * MAX (1, fabs (s)));
          }
}

static void
test_conv2d_init (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtConv2d *conv = NULL;
  autofinal LtConv2d *grouped = NULL;

  /* fan_in = in_channels / groups * kH * kW */
  conv = lt_conv2d_new (6, 16, PAIR (5, 5), NULL, NULL, NULL, 1, TRUE, &error);
  g_assert_no_error (error);
  check_uniform_bound (param (conv, "weight"), 1 / sqrt (6 * 25.0));
  check_uniform_bound (param (conv, "bias"), 1 / sqrt (6 * 25.0));
  grouped = lt_conv2d_new (8, 4, PAIR (3, 3), NULL, NULL, NULL, 2, FALSE, &error);
  g_assert_no_error (error);
  assert_shape (param (grouped, "weight"), DIMS (4, 4, 3, 3));
  check_uniform_bound (param (grouped, "weight"), 1 / sqrt (4 * 9.0));
  g_assert_null (lt_module_get_parameter (LT_MODULE (grouped), "bias"));
}

/* Printed forms: the strings are PyTorch 1.13's str() of the same modules. */

static void
test_print (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear *linear = lt_linear_new (400, 120, TRUE, &error);
  autofinal LtConv2d *conv = lt_conv2d_new (1, 6, PAIR (5, 5), NULL, NULL, NULL, 1, TRUE, &error);
  autofinal LtConv2d *conv_full =
    lt_conv2d_new (4, 8, PAIR (3, 5), PAIR (2, 1), PAIR (1, 2), PAIR (2, 3), 2, FALSE, &error);
  autofinal LtMaxPool2d *maxpool =
    lt_max_pool2d_new (DIMS (2), DIMS (2), NULL, 0, NULL, 0, FALSE, &error);
  autofinal LtMaxPool2d *maxpool_t =
    lt_max_pool2d_new (DIMS (2, 2), NULL, 0, NULL, 0, NULL, 0, FALSE, &error);
  autofinal LtMaxPool2d *maxpool_mixed =
    lt_max_pool2d_new (DIMS (3), DIMS (2, 1), DIMS (1), NULL, 0, TRUE, &error);
  autofinal LtAvgPool2d *avgpool =
    lt_avg_pool2d_new (DIMS (2), NULL, 0, NULL, 0, FALSE, TRUE, 0, &error);
  autofinal LtAvgPool2d *avgpool_t =
    lt_avg_pool2d_new (DIMS (2, 3), DIMS (1), DIMS (1, 0), FALSE, TRUE, 0, &error);
  autofinal LtAdaptiveAvgPool2d *adaptive = lt_adaptive_avg_pool2d_new (DIMS (5, 7), &error);
  autofinal LtAdaptiveAvgPool2d *adaptive_i = lt_adaptive_avg_pool2d_new (DIMS (1), &error);
  autofinal LtAdaptiveAvgPool2d *adaptive_none = lt_adaptive_avg_pool2d_new (DIMS (-1, 7), &error);
  autofinal LtReLU              *relu = lt_relu_new (FALSE);
  autofinal LtReLU              *relu_ip = lt_relu_new (TRUE);
  autofinal LtLeakyReLU         *leaky = lt_leaky_relu_new (0.01, FALSE);
  autofinal LtLeakyReLU         *leaky2 = lt_leaky_relu_new (0.2, TRUE);
  autofinal LtSigmoid           *sigmoid = lt_sigmoid_new ();
  autofinal LtTanh              *tanh_ = lt_tanh_new ();
  autofinal LtSoftmax           *softmax = lt_softmax_new (1);
  autofinal LtLogSoftmax        *log_softmax = lt_log_softmax_new (-1);
  autofinal LtFlatten           *flatten = lt_flatten_new (1, -1);
  autofinal LtDropout           *dropout = lt_dropout_new (0.5, FALSE, &error);
  autofinal LtDropout           *dropout2 = lt_dropout_new (0.25, TRUE, &error);
  autofinal LtBatchNorm2d       *bn2 = lt_batch_norm2d_new (16, 1e-5, 0.1, TRUE, TRUE, &error);
  autofinal LtBatchNorm1d       *bn1 = lt_batch_norm1d_new (32, 1e-3, -1, FALSE, FALSE, &error);

  g_assert_no_error (error);
  assert_module_prints (linear, "Linear(in_features=400, out_features=120, bias=True)");
  assert_module_prints (conv, "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))");
  assert_module_prints (conv_full, "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 1), "
                                   "padding=(1, 2), dilation=(2, 3), groups=2, bias=False)");
  assert_module_prints (maxpool, "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                                 "ceil_mode=False)");
  assert_module_prints (maxpool_t, "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, "
                                   "dilation=1, ceil_mode=False)");
  assert_module_prints (maxpool_mixed, "MaxPool2d(kernel_size=3, stride=(2, 1), padding=1, "
                                       "dilation=1, ceil_mode=True)");
  assert_module_prints (avgpool, "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  assert_module_prints (avgpool_t, "AvgPool2d(kernel_size=(2, 3), stride=1, padding=(1, 0))");
  assert_module_prints (adaptive, "AdaptiveAvgPool2d(output_size=(5, 7))");
  assert_module_prints (adaptive_i, "AdaptiveAvgPool2d(output_size=1)");
  assert_module_prints (adaptive_none, "AdaptiveAvgPool2d(output_size=(None, 7))");
  assert_module_prints (relu, "ReLU()");
  assert_module_prints (relu_ip, "ReLU(inplace=True)");
  assert_module_prints (leaky, "LeakyReLU(negative_slope=0.01)");
  assert_module_prints (leaky2, "LeakyReLU(negative_slope=0.2, inplace=True)");
  assert_module_prints (sigmoid, "Sigmoid()");
  assert_module_prints (tanh_, "Tanh()");
  assert_module_prints (softmax, "Softmax(dim=1)");
  assert_module_prints (log_softmax, "LogSoftmax(dim=-1)");
  assert_module_prints (flatten, "Flatten(start_dim=1, end_dim=-1)");
  assert_module_prints (dropout, "Dropout(p=0.5, inplace=False)");
  assert_module_prints (dropout2, "Dropout(p=0.25, inplace=True)");
  assert_module_prints (bn2, "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, "
                             "track_running_stats=True)");
  assert_module_prints (bn1, "BatchNorm1d(32, eps=0.001, momentum=None, affine=False, "
                             "track_running_stats=False)");
}

static void
test_print_containers (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear     *l1 = lt_linear_new (784, 128, TRUE, &error);
  autofinal LtReLU       *relu = lt_relu_new (FALSE);
  autofinal LtDropout    *drop = lt_dropout_new (0.2, FALSE, &error);
  autofinal LtLinear     *l2 = lt_linear_new (128, 10, TRUE, &error);
  autofinal LtLogSoftmax *lsm = lt_log_softmax_new (1);
  LtModule *mods[] = { LT_MODULE (l1), LT_MODULE (relu), LT_MODULE (drop), LT_MODULE (l2),
                       LT_MODULE (lsm) };
  autofinal LtSequential *seq = lt_sequential_new (mods, G_N_ELEMENTS (mods));
  autofinal LtSequential *empty = lt_sequential_new (NULL, 0);
  autofinal LtConv2d *conv = lt_conv2d_new (3, 6, PAIR (5, 5), NULL, NULL, NULL, 1, TRUE, &error);
  autofinal LtBatchNorm2d *bn = lt_batch_norm2d_new (6, 1e-5, 0.1, TRUE, TRUE, &error);
  autofinal LtMaxPool2d   *pool =
    lt_max_pool2d_new (DIMS (2), DIMS (2), NULL, 0, NULL, 0, FALSE, &error);
  LtModule *fmods[] = { LT_MODULE (conv), LT_MODULE (bn), LT_MODULE (relu), LT_MODULE (pool) };
  autofinal LtSequential *features = lt_sequential_new (fmods, G_N_ELEMENTS (fmods));
  autofinal LtFlatten    *flat = lt_flatten_new (1, -1);
  autofinal LtLinear     *classifier = lt_linear_new (6 * 14 * 14, 10, TRUE, &error);
  autofinal LtSequential *nested = lt_sequential_new (NULL, 0);

  g_assert_no_error (error);
  assert_module_prints (seq,
                        "Sequential(\n"
                        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
                        "  (1): ReLU()\n"
                        "  (2): Dropout(p=0.2, inplace=False)\n"
                        "  (3): Linear(in_features=128, out_features=10, bias=True)\n"
                        "  (4): LogSoftmax(dim=1)\n"
                        ")");
  assert_module_prints (empty, "Sequential()");

  /* nn.Sequential(OrderedDict([('features', ...), ('flat', ...), ('classifier', ...)])) */
  g_assert_true (lt_module_register_module (LT_MODULE (nested), "features", LT_MODULE (features),
                                            &error));
  g_assert_true (lt_module_register_module (LT_MODULE (nested), "flat", LT_MODULE (flat), &error));
  g_assert_true (lt_module_register_module (LT_MODULE (nested), "classifier",
                                            LT_MODULE (classifier), &error));
  assert_module_prints (nested,
                        "Sequential(\n"
                        "  (features): Sequential(\n"
                        "    (0): Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))\n"
                        "    (1): BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, "
                        "track_running_stats=True)\n"
                        "    (2): ReLU()\n"
                        "    (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                        "ceil_mode=False)\n"
                        "  )\n"
                        "  (flat): Flatten(start_dim=1, end_dim=-1)\n"
                        "  (classifier): Linear(in_features=1176, out_features=10, bias=True)\n"
                        ")");
}

/* Pooling */

static void
test_pooling (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = NULL;
  autofinal LtMaxPool2d *maxpool =
    lt_max_pool2d_new (DIMS (2), NULL, 0, NULL, 0, NULL, 0, FALSE, &error);
  autofinal LtAvgPool2d *avgpool =
    lt_avg_pool2d_new (DIMS (2), NULL, 0, NULL, 0, FALSE, TRUE, 0, &error);
  autofinal LtAdaptiveAvgPool2d *adaptive = lt_adaptive_avg_pool2d_new (DIMS (1, 2), &error);
  autofinal LtAdaptiveAvgPool2d *keep_h = lt_adaptive_avg_pool2d_new (DIMS (-1, 1), &error);
  g_autoptr(LtTensor) y1 = NULL;
  g_autoptr(LtTensor) y2 = NULL;
  g_autoptr(LtTensor) y3 = NULL;
  g_autoptr(LtTensor) y4 = NULL;
  double xv[16];

  g_assert_no_error (error);
  for (guint i = 0; i < 16; i++)
    xv[i] = (i * 7) % 16;     /* a permutation of 0..15 */
  x = lt_tensor_new_from_doubles (xv, 16, DIMS (1, 1, 4, 4), LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);

  y1 = forward (maxpool, x);
  assert_shape (y1, DIMS (1, 1, 2, 2));
  y2 = forward (avgpool, x);
  y3 = forward (adaptive, x);
  assert_shape (y3, DIMS (1, 1, 1, 2));
  y4 = forward (keep_h, x);
  assert_shape (y4, DIMS (1, 1, 4, 1));
  {
    double mx[4], av[4], ad[2] = { 0, 0 }, kh[4] = { 0, 0, 0, 0 };

    for (guint i = 0; i < 2; i++)
      for (guint j = 0; j < 2; j++)
        {
          double m = -INFINITY, s = 0;

          for (guint a = 0; a < 2; a++)
            for (guint b = 0; b < 2; b++)
              {
                double v = xv[(2 * i + a) * 4 + 2 * j + b];
                m = MAX (m, v);
                s += v;
              }
          mx[i * 2 + j] = m;
          av[i * 2 + j] = s / 4;
        }
    for (guint r = 0; r < 4; r++)
      for (guint c = 0; c < 4; c++)
        {
          ad[c / 2] += xv[r * 4 + c] / 8;
          kh[r] += xv[r * 4 + c] / 4;
        }
    assert_values_rel (y1, mx, 4, 0);
    assert_values_rel (y2, av, 4, 1e-6);
    assert_values_rel (y3, ad, 2, 1e-6);
    assert_values_rel (y4, kh, 4, 1e-6);
  }
}

/* Activations and Flatten */

static void
test_activations (void)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { -2, -0.5, 0, 0.5, 3, -1 };
  g_autoptr(LtTensor) x = lt_tensor_new_from_doubles (xv, 6, DIMS (2, 3), LT_DTYPE_FLOAT64,
                                                      &error);
  autofinal LtReLU       *relu = lt_relu_new (FALSE);
  autofinal LtLeakyReLU  *leaky = lt_leaky_relu_new (0.1, FALSE);
  autofinal LtSigmoid    *sig = lt_sigmoid_new ();
  autofinal LtTanh       *th = lt_tanh_new ();
  autofinal LtSoftmax    *sm = lt_softmax_new (1);
  autofinal LtLogSoftmax *lsm = lt_log_softmax_new (0);
  g_autoptr(LtTensor) y = NULL;
  double want[6];

  g_assert_no_error (error);
  y = forward (relu, x);
  for (guint i = 0; i < 6; i++)
    want[i] = MAX (0, xv[i]);
  assert_values_rel (y, want, 6, 0);
  g_clear_object (&y);

  y = forward (leaky, x);
  for (guint i = 0; i < 6; i++)
    want[i] = xv[i] > 0 ? xv[i] : 0.1 * xv[i];
  assert_values_rel (y, want, 6, 1e-12);
  g_clear_object (&y);

  y = forward (sig, x);
  for (guint i = 0; i < 6; i++)
    want[i] = 1 / (1 + exp (-xv[i]));
  assert_values_rel (y, want, 6, 1e-12);
  g_clear_object (&y);

  y = forward (th, x);
  for (guint i = 0; i < 6; i++)
    want[i] = tanh (xv[i]);
  assert_values_rel (y, want, 6, 1e-12);
  g_clear_object (&y);

  y = forward (sm, x);
  for (guint r = 0; r < 2; r++)
    {
      double s = 0;

      for (guint c = 0; c < 3; c++)
        s += exp (xv[r * 3 + c]);
      for (guint c = 0; c < 3; c++)
        want[r * 3 + c] = exp (xv[r * 3 + c]) / s;
    }
  assert_values_rel (y, want, 6, 1e-12);
  g_clear_object (&y);

  y = forward (lsm, x);
  for (guint c = 0; c < 3; c++)
    {
      double s = log (exp (xv[c]) + exp (xv[3 + c]));

      want[c] = xv[c] - s;
      want[3 + c] = xv[3 + c] - s;
    }
  assert_values_rel (y, want, 6, 1e-12);
  g_clear_object (&y);

  /* ReLU(inplace=True) returns its input, rectified */
  {
    autofinal LtReLU *ip = lt_relu_new (TRUE);
    g_autoptr(LtTensor) z = lt_tensor_clone (x, &error);

    y = forward (ip, z);
    g_assert_true (y == z);
    for (guint i = 0; i < 6; i++)
      want[i] = MAX (0, xv[i]);
    assert_values_rel (z, want, 6, 0);
    g_clear_object (&y);
  }
}

static void
test_flatten (void)
{
  g_autoptr(LtTensor) x = randn (DIMS (2, 3, 4, 5), LT_DTYPE_FLOAT32);
  autofinal LtFlatten *all = lt_flatten_new (1, -1);
  autofinal LtFlatten *mid = lt_flatten_new (1, 2);
  g_autoptr(LtTensor) a = forward (all, x);
  g_autoptr(LtTensor) b = forward (mid, x);
  gsize n1, n2;
  g_autofree double *xv = values (x, &n1);
  g_autofree double *av = values (a, &n2);

  assert_shape (a, DIMS (2, 60));
  assert_shape (b, DIMS (2, 12, 5));
  g_assert_cmpmem (xv, n1 * sizeof (double), av, n2 * sizeof (double));
  g_assert_cmpint (lt_flatten_get_start_dim (mid), ==, 1);
  g_assert_cmpint (lt_flatten_get_end_dim (mid), ==, 2);
}

/* Sequential and registration */

static void
test_sequential (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear     *l1 = lt_linear_new (3, 4, TRUE, &error);
  autofinal LtTanh       *act = lt_tanh_new ();
  autofinal LtLinear     *l2 = lt_linear_new (4, 2, TRUE, &error);
  LtModule *mods[] = { LT_MODULE (l1), LT_MODULE (act) };
  autofinal LtSequential *seq = lt_sequential_new (mods, 2);
  autofinal LtSequential *empty = lt_sequential_new (NULL, 0);
  g_autoptr(LtTensor) x = randn (DIMS (5, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) h2 = NULL;
  g_autoptr(LtTensor) want = NULL;
  g_autoptr(LtTensor) got = NULL;
  g_autoptr(LtTensor) same = NULL;
  autofinal LtStateDict *named = NULL;
  g_autoptr(GPtrArray) params = NULL;
  gsize n;
  g_autofree double *wv = NULL;

  g_assert_no_error (error);
  g_assert_true (lt_sequential_append (seq, LT_MODULE (l2), &error));
  g_assert_cmpuint (lt_module_get_n_children (LT_MODULE (seq)), ==, 3);
  {
    const char *name;

    g_assert_true (lt_module_get_child_at (LT_MODULE (seq), 2, &name) == LT_MODULE (l2));
    g_assert_cmpstr (name, ==, "2");
  }
  g_assert_true (lt_module_get_child (LT_MODULE (seq), "1") == LT_MODULE (act));

  h = forward (l1, x);
  h2 = forward (act, h);
  want = forward (l2, h2);
  got = forward (seq, x);
  assert_shape (got, DIMS (5, 2));
  wv = values (want, &n);
  assert_values_rel (got, wv, n, 1e-6);

  named = lt_module_named_parameters (LT_MODULE (seq));
  assert_names (named, (const char *[]) { "0.weight", "0.bias", "2.weight", "2.bias", NULL });
  params = lt_module_parameters (LT_MODULE (seq));
  g_assert_cmpuint (params->len, ==, 4);
  g_assert_true (g_ptr_array_index (params, 0) == param (l1, "weight"));
  g_assert_cmpint (lt_module_count_parameters (LT_MODULE (seq), FALSE), ==, 3 * 4 + 4 + 4 * 2 + 2);

  /* an empty Sequential passes its input through */
  same = forward (empty, x);
  g_assert_true (same == x);

  /* a chain cannot contain itself */
  g_assert_false (lt_sequential_append (seq, LT_MODULE (seq), &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static void
test_registration (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestNet     *net = test_net_new ();
  LtModule *m = LT_MODULE (net);
  autofinal LtStateDict *named = lt_module_named_parameters (m);
  autofinal LtStateDict *buffers = lt_module_named_buffers (m);
  autofinal LtStateDict *state = lt_module_state_dict (m);
  g_autoptr(GPtrArray) all = lt_module_modules (m);
  g_autoptr(LtTensor) x = randn (DIMS (2, 1, 8, 8), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) extra = randn (DIMS (3), LT_DTYPE_FLOAT32);
  g_auto(GStrv) pnames = NULL;
  g_auto(GStrv) bnames = NULL;

  /* PyTorch's names for the same structure */
  assert_names (named, (const char *[]) { "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias",
                                          "fc1.weight", "fc1.bias", NULL });
  assert_names (buffers, (const char *[]) { "bn1.running_mean", "bn1.running_var",
                                            "bn1.num_batches_tracked", NULL });
  assert_names (state, (const char *[]) { "conv1.weight", "conv1.bias", "bn1.weight", "bn1.bias",
                                          "bn1.running_mean", "bn1.running_var",
                                          "bn1.num_batches_tracked", "fc1.weight", "fc1.bias",
                                          NULL });
  g_assert_cmpuint (all->len, ==, 7);
  g_assert_true (g_ptr_array_index (all, 0) == net);
  assert_module_prints (net,
                        "TestNet(\n"
                        "  (conv1): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), "
                        "padding=(1, 1))\n"
                        "  (bn1): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, "
                        "track_running_stats=True)\n"
                        "  (act): ReLU()\n"
                        "  (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
                        "ceil_mode=False)\n"
                        "  (flat): Flatten(start_dim=1, end_dim=-1)\n"
                        "  (fc1): Linear(in_features=64, out_features=3, bias=True)\n"
                        ")");

  y = forward (net, x);
  assert_shape (y, DIMS (2, 3));

  /* dotted look-ups */
  g_assert_true (lt_module_get_parameter (m, "conv1.bias") ==
                 lt_module_get_parameter (lt_module_get_child (m, "conv1"), "bias"));
  g_assert_nonnull (lt_module_get_buffer (m, "bn1.running_var"));
  g_assert_null (lt_module_get_parameter (m, "conv1.nothing"));
  g_assert_null (lt_module_get_child (m, "nothing.conv1"));

  /* own names, registration order; a parameter after the children still
   * comes first in the names (PyTorch lists a module's own before its
   * children's) */
  g_assert_true (lt_module_register_parameter (m, "scale", extra, &error));
  g_clear_object (&named);
  named = lt_module_named_parameters (m);
  g_assert_cmpstr (lt_state_dict_get_name (named, 0), ==, "scale");
  pnames = lt_module_get_parameter_names (m);
  g_assert_cmpstrv (pnames, ((const char *[]) { "scale", NULL }));
  bnames = lt_module_get_buffer_names (LT_MODULE (lt_module_get_child (m, "bn1")));
  g_assert_cmpstrv (bnames, ((const char *[]) { "running_mean", "running_var",
                                                "num_batches_tracked", NULL }));

  /* names are unique across parameters, buffers and children */
  g_assert_false (lt_module_register_buffer (m, "conv1", extra, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lt_module_register_parameter (m, "a.b", extra, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* removal */
  g_assert_true (lt_module_remove (m, "scale"));
  g_assert_false (lt_module_remove (m, "scale"));
  g_assert_true (lt_module_remove (m, "act"));
  g_assert_null (lt_module_get_child (m, "act"));
  g_assert_cmpuint (lt_module_get_n_children (m), ==, 5);
}

static void
count_module (LtModule *module,
              gpointer  user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, (gpointer) lt_module_get_type_name (module));
}

static void
fill_linear (LtModule *module,
             gpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  if (LT_IS_LINEAR (module))
    {
      g_assert_true (lt_init_constant_ (lt_module_get_parameter (module, "weight"), 0.5, &error));
      g_assert_true (lt_init_zeros_ (lt_module_get_parameter (module, "bias"), &error));
    }
}

static void
test_apply (void)
{
  autofinal TestNet *net = test_net_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  g_autofree double *w = NULL;
  gsize n;

  lt_module_apply (LT_MODULE (net), count_module, seen);
  /* children first, then the module itself */
  g_assert_cmpuint (seen->len, ==, 7);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "Conv2d");
  g_assert_cmpstr (g_ptr_array_index (seen, 5), ==, "Linear");
  g_assert_cmpstr (g_ptr_array_index (seen, 6), ==, "TestNet");

  lt_module_apply (LT_MODULE (net), fill_linear, NULL);
  w = values (lt_module_get_parameter (LT_MODULE (net), "fc1.weight"), &n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (w[i], ==, 0.5);
  /* still a leaf that requires grad: the fill was not recorded */
  g_assert_true (lt_tensor_is_leaf (lt_module_get_parameter (LT_MODULE (net), "fc1.weight")));
}

static void
test_train_eval (void)
{
  autofinal TestNet *net = test_net_new ();
  LtModule *bn = lt_module_get_child (LT_MODULE (net), "bn1");
  gboolean prop;

  g_assert_true (lt_module_is_training (LT_MODULE (net)));
  g_assert_true (lt_module_is_training (bn));
  lt_module_eval (LT_MODULE (net));
  g_assert_false (lt_module_is_training (LT_MODULE (net)));
  g_assert_false (lt_module_is_training (bn));
  g_object_get (bn, "training", &prop, NULL);
  g_assert_false (prop);
  /* the property sets one module only */
  g_object_set (LT_MODULE (net), "training", TRUE, NULL);
  g_assert_true (lt_module_is_training (LT_MODULE (net)));
  g_assert_false (lt_module_is_training (bn));
  lt_module_train (LT_MODULE (net), TRUE);
  g_assert_true (lt_module_is_training (bn));
}

static void
test_to_device (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestNet *net = test_net_new ();
  LtModule *m = LT_MODULE (net);
  LtTensor *w = lt_module_get_parameter (m, "conv1.weight");
  LtTensor *rm = lt_module_get_buffer (m, "bn1.running_mean");
  guintptr wdata = lt_tensor_get_data_ptr (w), rdata = lt_tensor_get_data_ptr (rm);
  g_autoptr(LtTensor) probe = lt_zeros (DIMS (1), LT_DTYPE_FLOAT32, NULL);
  g_autoptr(LtTensor) on_cuda = lt_tensor_to_device (probe, LT_DEVICE_CUDA, NULL);

  if (on_cuda != NULL)
    {
      skip_gpu ("a CUDA device works here; this test checks the error without one");
      return;
    }
  g_assert_false (lt_module_to_device (m, LT_DEVICE_CUDA, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DEVICE);
  /* nothing moved */
  g_assert_cmpint (lt_tensor_get_device (w), ==, LT_DEVICE_CPU);
  g_assert_cmpint (lt_tensor_get_device (rm), ==, LT_DEVICE_CPU);
  g_assert_true (lt_tensor_get_data_ptr (w) == wdata);
  g_assert_true (lt_tensor_get_data_ptr (rm) == rdata);
  /* the CPU is always there */
  g_clear_error (&error);
  g_assert_true (lt_module_to_device (m, LT_DEVICE_CPU, &error));
  g_assert_no_error (error);
  g_assert_true (lt_tensor_get_data_ptr (w) == wdata);
}

/* Dropout and BatchNorm: training vs evaluation */

static void
test_dropout (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtDropout *drop = lt_dropout_new (0.25, FALSE, &error);
  g_autoptr(LtTensor) x = lt_ones (DIMS (4000), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) e = NULL;
  g_autofree double *av = NULL, *bv = NULL, *ev = NULL;
  gsize n, zeros = 0;

  g_assert_no_error (error);
  lt_manual_seed (5);
  a = forward (drop, x);
  lt_manual_seed (5);
  b = forward (drop, x);
  av = values (a, &n);
  bv = values (b, &n);
  g_assert_cmpmem (av, n * sizeof (double), bv, n * sizeof (double));
  for (gsize i = 0; i < n; i++)
    {
      if (av[i] == 0)
        zeros++;
      else
        g_assert_cmpfloat_with_epsilon (av[i], 1 / 0.75, 1e-6);
    }
  /* 1000 expected; 6 standard deviations is about 164 */
  g_assert_cmpuint (zeros, >, 836);
  g_assert_cmpuint (zeros, <, 1164);

  lt_module_eval (LT_MODULE (drop));
  e = forward (drop, x);
  ev = values (e, &n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (ev[i], ==, 1);
  g_assert_cmpfloat (lt_dropout_get_p (drop), ==, 0.25);
}

static void
test_batch_norm1d (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtBatchNorm1d *bn = lt_batch_norm1d_new (3, 1e-5, 0.1, TRUE, TRUE, &error);
  LtModule *m = LT_MODULE (bn);
  const double xv[] = { 1, 2, -1, 3, 0, 4, 5, 1, 0, -2, 7, 2 };     /* (4, 3) */
  g_autoptr(LtTensor) x = lt_tensor_new_from_doubles (xv, 12, DIMS (4, 3), LT_DTYPE_FLOAT32,
                                                      &error);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) z = NULL;
  double mean[3] = { 0 }, var[3] = { 0 }, want[12], rm[3], rv[3];
  gint64 count;

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    {
      for (guint r = 0; r < 4; r++)
        mean[c] += xv[r * 3 + c] / 4;
      for (guint r = 0; r < 4; r++)
        var[c] += (xv[r * 3 + c] - mean[c]) * (xv[r * 3 + c] - mean[c]) / 4;   /* biased */
    }

  /* training: the batch's statistics; running ones updated with the
   * unbiased variance */
  y = forward (bn, x);
  for (guint r = 0; r < 4; r++)
    for (guint c = 0; c < 3; c++)
      want[r * 3 + c] = (xv[r * 3 + c] - mean[c]) / sqrt (var[c] + 1e-5);
  assert_values_rel (y, want, 12, 1e-5);
  for (guint c = 0; c < 3; c++)
    {
      rm[c] = 0.9 * 0 + 0.1 * mean[c];
      rv[c] = 0.9 * 1 + 0.1 * var[c] * 4 / 3;
    }
  assert_values_rel (lt_module_get_buffer (m, "running_mean"), rm, 3, 1e-6);
  assert_values_rel (lt_module_get_buffer (m, "running_var"), rv, 3, 1e-6);
  g_assert_true (lt_tensor_item_int64 (lt_module_get_buffer (m, "num_batches_tracked"), &count,
                                       &error));
  g_assert_cmpint (count, ==, 1);

  /* evaluation: the running statistics, nothing updated */
  lt_module_eval (m);
  z = forward (bn, x);
  for (guint r = 0; r < 4; r++)
    for (guint c = 0; c < 3; c++)
      want[r * 3 + c] = (xv[r * 3 + c] - rm[c]) / sqrt (rv[c] + 1e-5);
  assert_values_rel (z, want, 12, 1e-5);
  assert_values_rel (lt_module_get_buffer (m, "running_mean"), rm, 3, 1e-6);
  g_assert_true (lt_tensor_item_int64 (lt_module_get_buffer (m, "num_batches_tracked"), &count,
                                       &error));
  g_assert_cmpint (count, ==, 1);

  /* 3-D input (N, C, L) is accepted, 4-D is not */
  {
    g_autoptr(LtTensor) x3 = randn (DIMS (2, 3, 5), LT_DTYPE_FLOAT32);
    g_autoptr(LtTensor) y3 = forward (bn, x3);
    g_autoptr(LtTensor) x4 = randn (DIMS (2, 3, 5, 5), LT_DTYPE_FLOAT32);

    assert_shape (y3, DIMS (2, 3, 5));
    g_assert_null (lt_module_forward (m, x4, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "expected 2D or 3D input (got 4D input)"));
  }
}

static void
test_batch_norm2d (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtBatchNorm2d *bn = lt_batch_norm2d_new (2, 1e-5, -1, FALSE, TRUE, &error);
  autofinal LtBatchNorm2d *nostats = lt_batch_norm2d_new (2, 1e-5, 0.1, TRUE, FALSE, &error);
  LtModule *m = LT_MODULE (bn);
  g_autoptr(LtTensor) x1 = randn (DIMS (3, 2, 4, 4), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) x2 = randn (DIMS (3, 2, 4, 4), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) y2 = NULL;
  g_autoptr(LtTensor) e = NULL;
  autofinal LtStateDict *state = NULL;
  g_autofree double *v1 = NULL, *v2 = NULL, *yv = NULL;
  double m1[2] = { 0 }, m2[2] = { 0 }, want[2];
  gsize n;

  g_assert_no_error (error);
  /* affine=False: no parameters; the running buffers are float32 */
  g_assert_null (lt_module_get_parameter (m, "weight"));
  g_assert_cmpint (lt_module_count_parameters (m, FALSE), ==, 0);
  g_assert_true (lt_batch_norm2d_get_momentum (bn) < 0);

  v1 = values (x1, &n);
  v2 = values (x2, &n);
  for (guint b = 0; b < 3; b++)
    for (guint c = 0; c < 2; c++)
      for (guint k = 0; k < 16; k++)
        {
          m1[c] += v1[(b * 2 + c) * 16 + k] / 48;
          m2[c] += v2[(b * 2 + c) * 16 + k] / 48;
        }
  {
    g_autoptr(LtTensor) x1f = lt_tensor_to_dtype (x1, LT_DTYPE_FLOAT32, &error);
    g_autoptr(LtTensor) x2f = lt_tensor_to_dtype (x2, LT_DTYPE_FLOAT32, &error);

    y = forward (bn, x1f);
    y2 = forward (bn, x2f);
  }
  /* momentum None: the running mean is the cumulative average */
  for (guint c = 0; c < 2; c++)
    want[c] = (m1[c] + m2[c]) / 2;
  assert_values_rel (lt_module_get_buffer (m, "running_mean"), want, 2, 1e-5);

  /* each channel of the output has mean 0 in training mode */
  yv = values (y, &n);
  for (guint c = 0; c < 2; c++)
    {
      double s = 0;

      for (guint b = 0; b < 3; b++)
        for (guint k = 0; k < 16; k++)
          s += yv[(b * 2 + c) * 16 + k];
      g_assert_cmpfloat (fabs (s / 48), <, 1e-5);
    }

  /* without running statistics, eval mode still normalises by the batch */
  state = lt_module_state_dict (LT_MODULE (nostats));
  assert_names (state, (const char *[]) { "weight", "bias", NULL });
  lt_module_eval (LT_MODULE (nostats));
  {
    g_autoptr(LtTensor) x1f = lt_tensor_to_dtype (x1, LT_DTYPE_FLOAT32, &error);

    e = forward (nostats, x1f);
    g_clear_pointer (&yv, g_free);
    yv = values (e, &n);
    for (guint c = 0; c < 2; c++)
      {
        double s = 0;

        for (guint b = 0; b < 3; b++)
          for (guint k = 0; k < 16; k++)
            s += yv[(b * 2 + c) * 16 + k];
        g_assert_cmpfloat (fabs (s / 48), <, 1e-5);
      }
  }

  {
    g_autoptr(LtTensor) x3 = randn (DIMS (3, 2, 4), LT_DTYPE_FLOAT32);

    g_assert_null (lt_module_forward (m, x3, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "expected 4D input (got 3D input)"));
  }
}

/* Initialisation functions */

static void
test_init_functions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) w = lt_empty (DIMS (64, 32, 3, 3), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) v = lt_empty (DIMS (10), LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) i = lt_zeros (DIMS (4, 4), LT_DTYPE_INT64, &error);
  gint64 fan_in, fan_out;
  g_autofree double *wv = NULL;
  gsize n;
  double s = 0, ss = 0, std;

  g_assert_no_error (error);
  /* gains: torch.nn.init.calculate_gain */
  g_assert_cmpfloat (lt_init_calculate_gain ("linear", 0, &error), ==, 1);
  g_assert_cmpfloat (lt_init_calculate_gain ("conv2d", 0, &error), ==, 1);
  g_assert_cmpfloat (lt_init_calculate_gain ("sigmoid", 0, &error), ==, 1);
  g_assert_cmpfloat_with_epsilon (lt_init_calculate_gain ("tanh", 0, &error), 5.0 / 3, 1e-15);
  g_assert_cmpfloat_with_epsilon (lt_init_calculate_gain ("relu", 0, &error), sqrt (2), 1e-15);
  g_assert_cmpfloat_with_epsilon (lt_init_calculate_gain ("leaky_relu", 0.2, &error),
                                  sqrt (2 / 1.04), 1e-15);
  g_assert_cmpfloat (lt_init_calculate_gain ("selu", 0, &error), ==, 0.75);
  g_assert_no_error (error);
  g_assert_cmpfloat (lt_init_calculate_gain ("swish", 0, &error), ==, 0);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* fans: (out, in, k...) */
  g_assert_true (lt_init_calculate_fan_in_and_fan_out (w, &fan_in, &fan_out, &error));
  g_assert_cmpint (fan_in, ==, 32 * 9);
  g_assert_cmpint (fan_out, ==, 64 * 9);
  g_assert_false (lt_init_calculate_fan_in_and_fan_out (v, &fan_in, &fan_out, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (lt_init_kaiming_uniform_ (v, 0, NULL, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (lt_init_xavier_normal_ (v, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (lt_init_kaiming_normal_ (w, 0, "fan_middle", NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lt_init_uniform_ (i, 0, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);
  g_assert_false (lt_init_normal_ (v, 0, -1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* kaiming_uniform_ (relu, fan_out): bound = sqrt(2) * sqrt(3 / fan_out) */
  g_assert_true (lt_init_kaiming_uniform_ (w, 0, "fan_out", "relu", &error));
  g_assert_no_error (error);
  check_uniform_bound (w, sqrt (2.0) * sqrt (3.0 / (64 * 9)));

  /* xavier_uniform_: bound = gain * sqrt(6 / (fan_in + fan_out)) */
  g_assert_true (lt_init_xavier_uniform_ (w, 2, &error));
  check_uniform_bound (w, 2 * sqrt (6.0 / (32 * 9 + 64 * 9)));

  /* kaiming_normal_: std = gain / sqrt(fan_in) */
  g_assert_true (lt_init_kaiming_normal_ (w, 0, "fan_in", "relu", &error));
  wv = values (w, &n);
  for (gsize k = 0; k < n; k++)
    {
      s += wv[k];
      ss += wv[k] * wv[k];
    }
  std = sqrt (2.0 / (32 * 9));
  /* 18432 draws: the sample mean is within 5 standard errors, the sample
   * standard deviation within 3% */
  g_assert_cmpfloat (fabs (s / n), <, 5 * std / sqrt (n));
  g_assert_cmpfloat_with_epsilon (sqrt (ss / n), std, 0.03 * std);
  g_clear_pointer (&wv, g_free);

  /* xavier_normal_ */
  g_assert_true (lt_init_xavier_normal_ (w, 1, &error));
  wv = values (w, &n);
  s = ss = 0;
  for (gsize k = 0; k < n; k++)
    {
      s += wv[k];
      ss += wv[k] * wv[k];
    }
  std = sqrt (2.0 / (32 * 9 + 64 * 9));
  g_assert_cmpfloat_with_epsilon (sqrt (ss / n), std, 0.03 * std);
  g_clear_pointer (&wv, g_free);

  /* normal_ and uniform_ */
  g_assert_true (lt_init_normal_ (w, 3, 0.5, &error));
  wv = values (w, &n);
  s = 0;
  for (gsize k = 0; k < n; k++)
    s += wv[k];
  g_assert_cmpfloat (fabs (s / n - 3), <, 5 * 0.5 / sqrt (n));
  g_clear_pointer (&wv, g_free);
  g_assert_true (lt_init_uniform_ (w, -2, -1, &error));
  wv = values (w, &n);
  for (gsize k = 0; k < n; k++)
    {
      g_assert_cmpfloat (wv[k], >=, -2);
      g_assert_cmpfloat (wv[k], <=, -1);
    }
  g_clear_pointer (&wv, g_free);

  /* constants */
  g_assert_true (lt_init_ones_ (v, &error));
  assert_values_rel (v, (double[]) { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 10, 0);
  g_assert_true (lt_init_zeros_ (v, &error));
  assert_values_rel (v, (double[]) { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 10, 0);
  g_assert_true (lt_init_constant_ (v, -0.25, &error));
  assert_values_rel (v, (double[]) { -.25, -.25, -.25, -.25, -.25, -.25, -.25, -.25, -.25, -.25 },
                     10, 0);
  g_assert_no_error (error);
}

static void
test_init_no_grad (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear *fc = lt_linear_new (5, 4, TRUE, &error);
  LtTensor *w = param (fc, "weight");
  guint version = lt_tensor_get_version (w);
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autofree double *av = NULL, *bv = NULL;
  gsize n;

  /* in place on a leaf that requires grad, with recording on outside */
  g_assert_true (lt_init_xavier_uniform_ (w, 1, &error));
  g_assert_no_error (error);
  g_assert_true (lt_tensor_is_leaf (w));
  g_assert_null (lt_tensor_get_grad_fn (w));
  g_assert_true (lt_tensor_get_requires_grad (w));
  g_assert_cmpuint (lt_tensor_get_version (w), >, version);

  /* seeded */
  lt_manual_seed (11);
  g_assert_true (lt_init_normal_ (w, 0, 1, &error));
  a = lt_tensor_clone (w, &error);
  lt_manual_seed (11);
  g_assert_true (lt_init_normal_ (w, 0, 1, &error));
  b = lt_tensor_clone (w, &error);
  av = values (a, &n);
  bv = values (b, &n);
  g_assert_cmpmem (av, n * sizeof (double), bv, n * sizeof (double));
}

/* Errors */

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear *fc = lt_linear_new (4, 3, TRUE, &error);
  g_autoptr(LtTensor) bad = randn (DIMS (2, 5), LT_DTYPE_FLOAT32);

  g_assert_no_error (error);
  g_assert_null (lt_linear_new (-1, 3, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_conv2d_new (3, 6, PAIR (5, 5), NULL, NULL, NULL, 2, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "divisible by groups"));
  g_clear_error (&error);
  g_assert_null (lt_conv2d_new (3, 6, PAIR (0, 5), NULL, NULL, NULL, 1, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_conv2d_new (3, 6, PAIR (3, 3), PAIR (1, 0), NULL, NULL, 1, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_conv2d_new (3, 6, PAIR (3, 3), NULL, PAIR (-1, 0), NULL, 1, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_max_pool2d_new (NULL, 0, NULL, 0, NULL, 0, NULL, 0, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_max_pool2d_new (DIMS (2, 2, 2), NULL, 0, NULL, 0, NULL, 0, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_avg_pool2d_new (DIMS (2), DIMS (0), NULL, 0, FALSE, TRUE, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_adaptive_avg_pool2d_new (DIMS (-2), &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_dropout_new (1.5, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "between 0 and 1, but got 1.5"));
  g_clear_error (&error);
  g_assert_null (lt_batch_norm2d_new (-3, 1e-5, 0.1, TRUE, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* a wrong input shape is the functional form's error, passed on */
  g_assert_null (lt_module_forward (LT_MODULE (fc), bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);

  /* a module without forward */
  {
    autofinal LtModule *bare = g_object_new (LT_TYPE_MODULE, NULL);

    g_assert_null (lt_module_forward (bare, bad, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED);
  }
}

/* Gradients */

static LtTensor *
linear_fn (LtTensor **in,
           gsize      n,
           gpointer   data)
{
  LtModule *m = data;

  lt_module_register_parameter (m, "weight", in[1], NULL);
  lt_module_register_parameter (m, "bias", in[2], NULL);
  return lt_module_forward (m, in[0], NULL);
}

static void
test_gradcheck_linear (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtLinear *fc = lt_linear_new (3, 2, TRUE, &error);
  LtTensor *in[3];

  in[0] = randn (DIMS (4, 3), LT_DTYPE_FLOAT64);
  in[1] = randn (DIMS (2, 3), LT_DTYPE_FLOAT64);
  in[2] = randn (DIMS (2), LT_DTYPE_FLOAT64);
  for (guint i = 0; i < 3; i++)
    g_assert_true (lt_tensor_set_requires_grad (in[i], TRUE, &error));
  g_assert_true (lt_gradcheck (linear_fn, fc, in, 3, 1e-6, 1e-5, 1e-3, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_object_unref (in[i]);
}

/* Sequential (Conv2d, Tanh, MaxPool2d, Flatten, Linear, Sigmoid) with
 * its parameters taken from the inputs */
static LtTensor *
composed_fn (LtTensor **in,
             gsize      n,
             gpointer   data)
{
  LtModule *m = data;
  LtModule *conv = lt_module_get_child (m, "0");
  LtModule *fc = lt_module_get_child (m, "4");

  lt_module_register_parameter (conv, "weight", in[1], NULL);
  lt_module_register_parameter (conv, "bias", in[2], NULL);
  lt_module_register_parameter (fc, "weight", in[3], NULL);
  lt_module_register_parameter (fc, "bias", in[4], NULL);
  return lt_module_forward (m, in[0], NULL);
}

static void
test_gradcheck_composed (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtConv2d *conv =
    lt_conv2d_new (2, 3, PAIR (3, 3), NULL, PAIR (1, 1), NULL, 1, TRUE, &error);
  autofinal LtTanh      *th = lt_tanh_new ();
  autofinal LtMaxPool2d *pool =
    lt_max_pool2d_new (DIMS (2), NULL, 0, NULL, 0, NULL, 0, FALSE, &error);
  autofinal LtFlatten    *flat = lt_flatten_new (1, -1);
  autofinal LtLinear     *fc = lt_linear_new (3 * 2 * 2, 2, TRUE, &error);
  autofinal LtSigmoid    *sig = lt_sigmoid_new ();
  LtModule *mods[] = { LT_MODULE (conv), LT_MODULE (th), LT_MODULE (pool), LT_MODULE (flat),
                       LT_MODULE (fc), LT_MODULE (sig) };
  autofinal LtSequential *seq = lt_sequential_new (mods, G_N_ELEMENTS (mods));
  LtTensor *in[5];

  g_assert_no_error (error);
  in[0] = randn (DIMS (2, 2, 4, 4), LT_DTYPE_FLOAT64);
  in[1] = randn (DIMS (3, 2, 3, 3), LT_DTYPE_FLOAT64);
  in[2] = randn (DIMS (3), LT_DTYPE_FLOAT64);
  in[3] = randn (DIMS (2, 12), LT_DTYPE_FLOAT64);
  in[4] = randn (DIMS (2), LT_DTYPE_FLOAT64);
  for (guint i = 0; i < 5; i++)
    g_assert_true (lt_tensor_set_requires_grad (in[i], TRUE, &error));
  g_assert_true (lt_gradcheck (composed_fn, seq, in, 5, 1e-6, 1e-5, 1e-3, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 5; i++)
    g_object_unref (in[i]);
}

/* The C network trains: its parameters receive gradients and zero_grad
 * clears them. */
static void
test_backward_through_net (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestNet *net = test_net_new ();
  g_autoptr(LtTensor) x = randn (DIMS (2, 1, 8, 8), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = forward (net, x);
  g_autoptr(LtTensor) loss = lt_tensor_sum (y, &error);
  g_autoptr(GPtrArray) params = lt_module_parameters (LT_MODULE (net));

  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < params->len; i++)
    g_assert_nonnull (lt_tensor_get_grad (g_ptr_array_index (params, i)));
  lt_module_zero_grad (LT_MODULE (net), FALSE);
  for (guint i = 0; i < params->len; i++)
    {
      gsize n;
      g_autofree double *g = values (lt_tensor_get_grad (g_ptr_array_index (params, i)), &n);

      for (gsize k = 0; k < n; k++)
        g_assert_cmpfloat (g[k], ==, 0);
    }
  lt_module_zero_grad (LT_MODULE (net), TRUE);
  for (guint i = 0; i < params->len; i++)
    g_assert_null (lt_tensor_get_grad (g_ptr_array_index (params, i)));
}

static void
test_finalize (void)
{
  TestNet *net = test_net_new ();
  LtLinear *fc = g_object_ref (LT_LINEAR (lt_module_get_child (LT_MODULE (net), "fc1")));
  LtTensor *w = g_object_ref (lt_module_get_parameter (LT_MODULE (fc), "weight"));

  g_assert_finalize_object (net);
  g_assert_finalize_object (fc);
  g_assert_finalize_object (w);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Layers, init, containers and their printed forms");

  g_test_add_func ("/nn/linear/forward", test_linear_forward);
  g_test_add_func ("/nn/linear/no-bias", test_linear_no_bias);
  g_test_add_func ("/nn/linear/init", test_linear_init);
  g_test_add_func ("/nn/conv2d/forward", test_conv2d_forward);
  g_test_add_func ("/nn/conv2d/init", test_conv2d_init);
  g_test_add_func ("/nn/print/layers", test_print);
  g_test_add_func ("/nn/print/containers", test_print_containers);
  g_test_add_func ("/nn/pooling", test_pooling);
  g_test_add_func ("/nn/activations", test_activations);
  g_test_add_func ("/nn/flatten", test_flatten);
  g_test_add_func ("/nn/sequential", test_sequential);
  g_test_add_func ("/nn/module/registration", test_registration);
  g_test_add_func ("/nn/module/apply", test_apply);
  g_test_add_func ("/nn/module/train-eval", test_train_eval);
  g_test_add_func ("/nn/module/to-device", test_to_device);
  g_test_add_func ("/nn/module/backward", test_backward_through_net);
  g_test_add_func ("/nn/module/finalize", test_finalize);
  g_test_add_func ("/nn/dropout", test_dropout);
  g_test_add_func ("/nn/batch-norm/1d", test_batch_norm1d);
  g_test_add_func ("/nn/batch-norm/2d", test_batch_norm2d);
  g_test_add_func ("/nn/init/functions", test_init_functions);
  g_test_add_func ("/nn/init/no-grad", test_init_no_grad);
  g_test_add_func ("/nn/errors", test_errors);
  g_test_add_func ("/nn/gradcheck/linear", test_gradcheck_linear);
  g_test_add_func ("/nn/gradcheck/composed", test_gradcheck_composed);

  return g_test_run ();
}
