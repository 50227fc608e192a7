/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "optim-cases.h"

#include <string.h>

#include "core/lt-tensor-private.h"

static LtTensor *
contiguous_on_host (LtTensor *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) h = lt_tensor_to_device (t, LT_DEVICE_CPU, &error);
  LtTensor *c;

  g_assert_no_error (error);
  c = lt_tensor_contiguous (h, &error);
  g_assert_no_error (error);
  return c;
}

void
assert_same_bits (LtTensor *a, LtTensor *b, const char *what)
{
  g_autoptr(LtTensor) ca = contiguous_on_host (a);
  g_autoptr(LtTensor) cb = contiguous_on_host (b);
  gsize es = lt_dtype_get_element_size (ca->dtype);

  g_assert_cmpint (ca->dtype, ==, cb->dtype);
  g_assert_cmpint (ca->numel, ==, cb->numel);
  for (gint64 i = 0; i < ca->numel; i++)
    if (memcmp ((char *) _lt_tensor_data (ca) + i * es, (char *) _lt_tensor_data (cb) + i * es,
                es) != 0)
      g_error ("%s: element %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " differs: %.17g and %.17g",
               what, i, ca->numel,
               _lt_load_double ((char *) _lt_tensor_data (ca) + i * es, ca->dtype),
               _lt_load_double ((char *) _lt_tensor_data (cb) + i * es, cb->dtype));
}

LtOptimizer *
optim_case_new (const OptCase *c, GPtrArray *params)
{
  g_autoptr(GError) error = NULL;
  LtOptimizer *opt = NULL;

  switch (c->kind)
    {
      case OPT_SGD: /* a = momentum, b = dampening */
        opt =
          LT_OPTIMIZER (lt_sgd_new (params, c->lr, c->a, c->b, c->weight_decay, c->flag, &error));
        break;
      case OPT_ADAM: /* a, b = betas, c = eps */
        opt = LT_OPTIMIZER (
          lt_adam_new (params, c->lr, c->a, c->b, c->c, c->weight_decay, c->flag, &error));
        break;
      case OPT_ADAMW:
        opt = LT_OPTIMIZER (
          lt_adamw_new (params, c->lr, c->a, c->b, c->c, c->weight_decay, c->flag, &error));
        break;
      case OPT_RMSPROP: /* a = alpha, b = momentum, c = eps */
        opt = LT_OPTIMIZER (
          lt_rmsprop_new (params, c->lr, c->a, c->c, c->weight_decay, c->b, c->flag, &error));
        break;
    }
  g_assert_no_error (error);
  if (c->maximize)
    g_assert_true (lt_optimizer_set_option (opt, 0, "maximize", 1, &error));
  g_assert_no_error (error);
  return opt;
}

const OptCase opt_cases[] = {
  { "sgd", OPT_SGD, 0.1, 0, 0, 0, 0, FALSE, FALSE, { NULL } },
  { "sgd-momentum-dampening-decay",
    OPT_SGD,
    0.1,
    0.9,
    0.1,
    0,
    0.01,
    FALSE,
    FALSE,
    { "momentum_buffer", NULL } },
  { "sgd-nesterov-maximize",
    OPT_SGD,
    0.05,
    0.9,
    0,
    0,
    0.01,
    TRUE,
    TRUE,
    { "momentum_buffer", NULL } },
  { "adam", OPT_ADAM, 1e-2, 0.9, 0.999, 1e-8, 0, FALSE, FALSE, { "exp_avg", "exp_avg_sq", NULL } },
  { "adam-amsgrad-decay-maximize",
    OPT_ADAM,
    1e-2,
    0.8,
    0.99,
    1e-6,
    0.1,
    TRUE,
    TRUE,
    { "exp_avg", "exp_avg_sq", "max_exp_avg_sq", NULL } },
  { "adamw",
    OPT_ADAMW,
    1e-2,
    0.9,
    0.999,
    1e-8,
    0.05,
    FALSE,
    FALSE,
    { "exp_avg", "exp_avg_sq", NULL } },
  { "adamw-amsgrad",
    OPT_ADAMW,
    1e-2,
    0.9,
    0.999,
    1e-8,
    0.01,
    TRUE,
    FALSE,
    { "exp_avg", "exp_avg_sq", "max_exp_avg_sq", NULL } },
  { "rmsprop", OPT_RMSPROP, 1e-2, 0.99, 0, 1e-8, 0, FALSE, FALSE, { "square_avg", NULL } },
  { "rmsprop-centered-momentum-decay",
    OPT_RMSPROP,
    1e-2,
    0.9,
    0.9,
    1e-6,
    0.01,
    TRUE,
    FALSE,
    { "square_avg", "grad_avg", "momentum_buffer", NULL } },
  { "rmsprop-momentum-maximize",
    OPT_RMSPROP,
    1e-2,
    0.95,
    0.5,
    1e-8,
    0,
    FALSE,
    TRUE,
    { "square_avg", "momentum_buffer", NULL } },
};

const guint n_opt_cases = G_N_ELEMENTS (opt_cases);
