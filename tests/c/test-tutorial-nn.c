/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tutorial's "Neural networks" section (the 60 minute blitz,
 * shared/seed/), in C: Net is a subclass of LtModule whose forward is the
 * tutorial's; its printed form is compared with PyTorch 1.13's print(net)
 * of the same network (the tutorial shows the older "Linear (400 -> 120)"
 * form); then the parameters, a forward pass, backward with a random
 * gradient, the MSE loss against arange(1, 11), conv1.bias.grad before and
 * after backward, and weight updates with the tutorial's manual rule and
 * with SGD.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"
#include "../../viewer/cli/lt-train-net.h"

/* class Net(nn.Module): the tutorial's, from viewer/cli/lt-train-net.c */
static LtTrainNet *
net_new (void)
{
  g_autoptr(GError) error = NULL;
  LtTrainNet *net = lt_train_net_new_nn (&error);

  g_assert_no_error (error);
  return net;
}

/* Helpers */

static gboolean
all_zero (LtTensor *t)
{
  gsize n;
  g_autofree double *v = values (t, &n);

  for (gsize i = 0; i < n; i++)
    if (v[i] != 0)
      return FALSE;
  return TRUE;
}

/* The section, step by step */

static void
test_define (void)
{
  autofinal LtTrainNet *net = net_new ();
  g_autofree char *text = lt_module_to_string (LT_MODULE (net));
  g_autoptr(GPtrArray) params = lt_module_parameters (LT_MODULE (net));
  autofinal LtStateDict   *named = lt_module_named_parameters (LT_MODULE (net));
  static const char *const names[] = {
    "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
    "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
  };

  /* print(net): PyTorch 1.13's text */
  g_assert_cmpstr (text, ==,
                   "Net(\n"
                   "  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))\n"
                   "  (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))\n"
                   "  (fc1): Linear(in_features=400, out_features=120, bias=True)\n"
                   "  (fc2): Linear(in_features=120, out_features=84, bias=True)\n"
                   "  (fc3): Linear(in_features=84, out_features=10, bias=True)\n"
                   ")");

  /* params = list(net.parameters()); len(params) == 10;
   * params[0].size() == (6, 1, 5, 5) */
  g_assert_cmpuint (params->len, ==, 10);
  assert_shape (g_ptr_array_index (params, 0), DIMS (6, 1, 5, 5));
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpstr (lt_state_dict_get_name (named, i), ==, names[i]);
      g_assert_true (lt_state_dict_get_tensor (named, i) == g_ptr_array_index (params, i));
    }
  g_assert_cmpint (lt_module_count_parameters (LT_MODULE (net), FALSE), ==,
                   6 * 25 + 6 + 16 * 6 * 25 + 16 + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10);
}

static void
test_forward_backward (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtTrainNet *net = net_new ();
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) grad = NULL;
  g_autoptr(GPtrArray) params = lt_module_parameters (LT_MODULE (net));

  lt_manual_seed (1);
  /* input = Variable(torch.randn(1, 1, 32, 32)); out = net(input) */
  input = lt_randn (DIMS (1, 1, 32, 32), LT_DTYPE_FLOAT32, &error);
  out = lt_module_forward (LT_MODULE (net), input, &error);
  g_assert_no_error (error);
  assert_shape (out, DIMS (1, 10));
  g_assert_nonnull (lt_tensor_get_grad_fn (out));

  /* net.zero_grad(); out.backward(torch.randn(1, 10)) */
  lt_module_zero_grad (LT_MODULE (net), FALSE);
  grad = lt_randn (DIMS (1, 10), LT_DTYPE_FLOAT32, &error);
  g_assert_true (lt_tensor_backward (out, grad, FALSE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (params, i);
      LtTensor *g = lt_tensor_get_grad (p);
      guint nd, gnd;
      const gint64 *ps = lt_tensor_get_shape (p, &nd);
      const gint64 *gs;

      g_assert_nonnull (g);
      gs = lt_tensor_get_shape (g, &gnd);
      g_assert_cmpmem (ps, nd * sizeof (gint64), gs, gnd * sizeof (gint64));
    }
  /* fc3.bias's gradient is the gradient given: d out / d b = identity */
  {
    gsize n1, n2;
    g_autofree double *gb = values (lt_tensor_get_grad (lt_module_get_parameter (LT_MODULE (net),
                                                                                 "fc3.bias")),
                                    &n1);
    g_autofree double *gg = values (grad, &n2);

    g_assert_cmpuint (n1, ==, n2);
    for (gsize i = 0; i < n1; i++)
      g_assert_cmpfloat_with_epsilon (gb[i], gg[i], 1e-6);
  }
}

static void
test_loss_and_update (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtTrainNet *net = net_new ();
  LtModule *m = LT_MODULE (net);
  g_autoptr(LtTensor) input = NULL;
  g_autoptr(LtTensor) output = NULL;
  g_autoptr(LtTensor) target = NULL;
  autofinal LtMSELoss *criterion = lt_mse_loss_new (LT_REDUCTION_MEAN);
  g_autoptr(LtTensor) loss = NULL;
  g_autoptr(GPtrArray) params = lt_module_parameters (m);
  autofinal LtSGD   *sgd = NULL;
  LtTensor *bias = lt_module_get_parameter (m, "conv1.bias");
  g_autofree double *out_v = NULL, *before = NULL, *after = NULL, *after_sgd = NULL;
  double want = 0, lv, lr = 0.01;
  gsize n, nb;

  lt_manual_seed (2);
  input = lt_randn (DIMS (1, 1, 32, 32), LT_DTYPE_FLOAT32, &error);
  output = lt_module_forward (m, input, &error);
  /* target = Variable(torch.arange(1, 11)): a float target of shape (10,),
   * broadcast against the (1, 10) output */
  target = lt_arange (1, 11, 1, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  loss = lt_loss_compute (LT_LOSS (criterion), output, target, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lt_tensor_get_n_dims (loss), ==, 0);
  out_v = values (output, &n);
  for (guint i = 0; i < 10; i++)
    want += (out_v[i] - (i + 1)) * (out_v[i] - (i + 1)) / 10;
  g_assert_true (lt_tensor_item (loss, &lv, &error));
  g_assert_cmpfloat_with_epsilon (lv, want, 1e-5 * want);

  /* net.zero_grad(); conv1.bias.grad is zero before backward ... */
  lt_module_zero_grad (m, FALSE);
  if (lt_tensor_get_grad (bias) != NULL)
    g_assert_true (all_zero (lt_tensor_get_grad (bias)));
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  /* ... and not after */
  g_assert_nonnull (lt_tensor_get_grad (bias));
  assert_shape (lt_tensor_get_grad (bias), DIMS (6));
  g_assert_false (all_zero (lt_tensor_get_grad (bias)));
  lt_module_zero_grad (m, FALSE);
  g_assert_true (all_zero (lt_tensor_get_grad (bias)));
  /* the graph was freed by the first backward */
  g_assert_false (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_clear_error (&error);

  /* for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate) */
  {
    g_autoptr(LtTensor) out2 = lt_module_forward (m, input, &error);
    g_autoptr(LtTensor) loss2 = lt_loss_compute (LT_LOSS (criterion), out2, target, &error);

    lt_module_zero_grad (m, FALSE);
    g_assert_true (lt_tensor_backward (loss2, NULL, FALSE, &error));
  }
  before = values (bias, &nb);
  {
    gboolean prev = lt_set_grad_enabled (FALSE);

    for (guint i = 0; i < params->len; i++)
      {
        LtTensor *p = g_ptr_array_index (params, i);
        g_autoptr(LtTensor) step = lt_tensor_mul_scalar (lt_tensor_get_grad (p), lr, &error);

        g_assert_true (lt_tensor_sub_ (p, step, &error));
      }
    lt_set_grad_enabled (prev);
  }
  g_assert_no_error (error);
  after = values (bias, &nb);
  {
    g_autofree double *g = values (lt_tensor_get_grad (bias), &nb);

    for (gsize i = 0; i < nb; i++)
      g_assert_cmpfloat_with_epsilon (after[i], before[i] - lr * g[i], 1e-7);
    g_assert_true (memcmp (before, after, nb * sizeof (double)) != 0);
  }

  /* optimizer = optim.SGD(net.parameters(), lr=0.01); the training step */
  sgd = lt_sgd_new (params, lr, 0, 0, 0, FALSE, &error);
  g_assert_no_error (error);
  {
    g_autoptr(LtTensor) out3 = NULL;
    g_autoptr(LtTensor) loss3 = NULL;
    g_autofree double *g = NULL;
    double l3, l4;

    lt_optimizer_zero_grad (LT_OPTIMIZER (sgd), FALSE);
    out3 = lt_module_forward (m, input, &error);
    loss3 = lt_loss_compute (LT_LOSS (criterion), out3, target, &error);
    g_assert_true (lt_tensor_backward (loss3, NULL, FALSE, &error));
    g_assert_true (lt_optimizer_step (LT_OPTIMIZER (sgd), &error));
    g_assert_no_error (error);
    after_sgd = values (bias, &nb);
    g = values (lt_tensor_get_grad (bias), &nb);
    for (gsize i = 0; i < nb; i++)
      g_assert_cmpfloat_with_epsilon (after_sgd[i], after[i] - lr * g[i], 1e-7);
    g_assert_true (memcmp (after, after_sgd, nb * sizeof (double)) != 0);

    /* a small step against the gradient lowers this loss */
    g_assert_true (lt_tensor_item (loss3, &l3, &error));
    g_clear_object (&out3);
    out3 = lt_module_forward (m, input, &error);
    g_clear_object (&loss3);
    loss3 = lt_loss_compute (LT_LOSS (criterion), out3, target, &error);
    g_assert_true (lt_tensor_item (loss3, &l4, &error));
    g_assert_cmpfloat (l4, <, l3);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The tutorial's neural-network section, in C");

  g_test_add_func ("/tutorial/nn/define", test_define);
  g_test_add_func ("/tutorial/nn/forward-backward", test_forward_backward);
  g_test_add_func ("/tutorial/nn/loss-and-update", test_loss_and_update);

  return g_test_run ();
}
