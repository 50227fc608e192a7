/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-adamax.h"
#include "lt-optimizer-private.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"

/*
 * Adamax, NAdam and RAdam: PyTorch 1.13's _single_tensor_adamax,
 * _single_tensor_nadam and _single_tensor_radam (torch/optim/adamax.py,
 * nadam.py, radam.py) operation for operation. Their options start with
 * "lr", "beta1", "beta2" (PyTorch's pair "betas"), "eps", "weight_decay".
 */

enum
{
  LR,
  BETA1,
  BETA2,
  EPS,
  WEIGHT_DECAY,
  EXTRA
};

/* Adamax: "maximize"; NAdam: "momentum_decay"; RAdam: nothing more. */
static const LtOptimizerOptionSpec adamax_options[] = {
  { "lr", FALSE },  { "beta1", FALSE },        { "beta2", FALSE },
  { "eps", FALSE }, { "weight_decay", FALSE }, { "maximize", TRUE },
};
static const LtOptimizerOptionSpec nadam_options[] = {
  { "lr", FALSE },  { "beta1", FALSE },        { "beta2", FALSE },
  { "eps", FALSE }, { "weight_decay", FALSE }, { "momentum_decay", FALSE },
};
static const LtOptimizerOptionSpec radam_options[] = {
  { "lr", FALSE },  { "beta1", FALSE },        { "beta2", FALSE },
  { "eps", FALSE }, { "weight_decay", FALSE },
};

static void
install (LtOptimizer *self, const LtOptimizerOptionSpec *specs, const double *defaults, guint n)
{
  _lt_optimizer_install_options (self, specs + 1, defaults + 1, n - 1);
  lt_optimizer_set_default (self, "lr", defaults[LR], NULL);
}

/* Checks the arguments as PyTorch does, sets the defaults and adds the
 * parameters. @extra_what names the check of the option after
 * weight_decay (non-negative), or is NULL. */
static gboolean
init_common (LtOptimizer                 *self,
             const char                  *type,
             const LtOptimizerOptionSpec *specs,
             const double                *values,
             guint                        n,
             const char                  *extra_what,
             GPtrArray                   *params,
             GError                     **error)
{
  const char *what = NULL;
  double      value = 0;

  if (!(values[LR] >= 0))
    what = "learning rate", value = values[LR];
  else if (!(values[EPS] >= 0))
    what = "epsilon value", value = values[EPS];
  else if (!(values[BETA1] >= 0 && values[BETA1] < 1))
    what = "beta parameter at index 0", value = values[BETA1];
  else if (!(values[BETA2] >= 0 && values[BETA2] < 1))
    what = "beta parameter at index 1", value = values[BETA2];
  else if (!(values[WEIGHT_DECAY] >= 0))
    what = "weight_decay value", value = values[WEIGHT_DECAY];
  else if (extra_what && !(values[EXTRA] >= 0))
    what = extra_what, value = values[EXTRA];
  if (!_lt_optimizer_check_arg (type, what, value, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!lt_optimizer_set_default (self, specs[i].name, values[i], error))
      return FALSE;
  return _lt_optimizer_init_params (self, type, params, error);
}

/* exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1) */
static gboolean
first_moment (LtTensor *exp_avg, LtTensor *g, double beta1, GError **error)
{
  return lt_tensor_mul_scalar_ (exp_avg, beta1, error) &&
         lt_tensor_add_scaled_ (exp_avg, g, 1 - beta1, error);
}

/* exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2) */
static gboolean
second_moment (LtTensor *exp_avg_sq, LtTensor *g, double beta2, GError **error)
{
  return lt_tensor_mul_scalar_ (exp_avg_sq, beta2, error) &&
         _lt_optimizer_addcmul_ (exp_avg_sq, g, g, 1 - beta2, error);
}

/* Adamax */

/**
 * LtAdamax:
 *
 * Adamax (Adam over the infinity norm), as `torch.optim.Adamax` (PyTorch
 * 1.13's single-tensor update):
 *
 * |[
 * step += 1
 * g = grad (negated with "maximize"), + weight_decay * param when weight_decay != 0
 * exp_avg = beta1 * exp_avg + (1 - beta1) * g
 * exp_inf = max(beta2 * exp_inf, |g| + eps)
 * param = param - lr / (1 - beta1^step) * exp_avg / exp_inf
 * ]|
 *
 * Options: "lr", "beta1", "beta2", "eps", "weight_decay", "maximize".
 * State: "step", "exp_avg", "exp_inf".
 */
struct _LtAdamax
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtAdamax, lt_adamax, LT_TYPE_OPTIMIZER)

static gboolean
lt_adamax_update (LtOptimizer *optimizer,
                  guint        group,
                  LtTensor    *param,
                  LtTensor    *grad,
                  LtStateDict *state,
                  GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double        step, clr;
  LtTensor     *exp_avg, *exp_inf;
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) norm = NULL;
  g_autoptr(LtTensor) m = NULL;

  exp_avg = _lt_optimizer_state_zeros (state, "exp_avg", param, error);
  exp_inf = exp_avg ? _lt_optimizer_state_zeros (state, "exp_inf", param, error) : NULL;
  if (exp_inf == NULL || !_lt_optimizer_count_step (state, &step, error))
    return FALSE;
  g = _lt_optimizer_grad_with_decay (param, grad, v[EXTRA] != 0, v[WEIGHT_DECAY], error);
  if (g == NULL || !first_moment (exp_avg, g, v[BETA1], error))
    return FALSE;
  /* torch.amax(cat([exp_inf.mul_(beta2), grad.abs().add_(eps)]), 0, out=exp_inf) */
  norm = lt_tensor_abs (g, error);
  if (norm == NULL || !lt_tensor_add_scalar_ (norm, v[EPS], error) ||
      !lt_tensor_mul_scalar_ (exp_inf, v[BETA2], error))
    return FALSE;
  m = lt_tensor_maximum (exp_inf, norm, error);
  if (m == NULL || !lt_tensor_copy_ (exp_inf, m, error))
    return FALSE;
  /* param.addcdiv_(exp_avg, exp_inf, value=-clr) */
  clr = v[LR] / (1 - pow (v[BETA1], step));
  return _lt_optimizer_addcdiv_ (param, exp_avg, exp_inf, -clr, error);
}

static void
lt_adamax_class_init (LtAdamaxClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_adamax_update;
}

static void
lt_adamax_init (LtAdamax *self)
{
  static const double defaults[] = { 2e-3, 0.9, 0.999, 1e-8, 0, 0 };

  install (LT_OPTIMIZER (self), adamax_options, defaults, G_N_ELEMENTS (adamax_options));
}

/**
 * lt_adamax_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate (PyTorch's default: 0.002)
 * @beta1: the decay of the first moment (default: 0.9)
 * @beta2: the decay of the infinity norm (default: 0.999)
 * @eps: added to the norm (default: 1e-8)
 * @weight_decay: the L2 penalty (default: 0)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.Adamax(params, lr, betas=(beta1, beta2), eps,
 * weight_decay)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or an argument out of range
 */
LtAdamax *
lt_adamax_new (GPtrArray *params,
               double     lr,
               double     beta1,
               double     beta2,
               double     eps,
               double     weight_decay,
               GError   **error)
{
  g_autoptr(LtAdamax) self = g_object_new (LT_TYPE_ADAMAX, NULL);
  const double values[] = { lr, beta1, beta2, eps, weight_decay, 0 };

  if (!init_common (LT_OPTIMIZER (self), "Adamax", adamax_options, values,
                    G_N_ELEMENTS (adamax_options), NULL, params, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* NAdam */

/**
 * LtNAdam:
 *
 * Adam with Nesterov momentum, as `torch.optim.NAdam` (PyTorch 1.13's
 * single-tensor update):
 *
 * |[
 * step += 1
 * g = grad, + weight_decay * param when weight_decay != 0
 * mu = beta1 * (1 - 0.5 * 0.96^(step * momentum_decay)), mu_next the same at step + 1
 * mu_product = mu_product * mu      (a float32 scalar, as PyTorch's)
 * exp_avg, exp_avg_sq as Adam's
 * denom = sqrt(exp_avg_sq / (1 - beta2^step)) + eps
 * param = param - lr (1 - mu) / (1 - mu_product) * g / denom
 *               - lr mu_next / (1 - mu_product * mu_next) * exp_avg / denom
 * ]|
 *
 * Options: "lr", "beta1", "beta2", "eps", "weight_decay", "momentum_decay".
 * State: "step", "mu_product", "exp_avg", "exp_avg_sq".
 */
struct _LtNAdam
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtNAdam, lt_nadam, LT_TYPE_OPTIMIZER)

static gboolean
lt_nadam_update (LtOptimizer *optimizer,
                 guint        group,
                 LtTensor    *param,
                 LtTensor    *grad,
                 LtStateDict *state,
                 GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double        beta1 = v[BETA1], momentum_decay = v[EXTRA];
  double        step, mu, mu_next, prod, prod_next, bias_correction2;
  LtTensor     *mu_product, *exp_avg, *exp_avg_sq;
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) next = NULL;
  g_autoptr(LtTensor) denom = NULL;

  mu_product = lt_state_dict_lookup (state, "mu_product");
  if (mu_product == NULL)
    {
      g_autoptr(LtTensor) one = lt_scalar_tensor (1.0, LT_DTYPE_FLOAT32);

      lt_state_dict_insert (state, "mu_product", one);
      mu_product = one;
    }
  exp_avg = _lt_optimizer_state_zeros (state, "exp_avg", param, error);
  exp_avg_sq = exp_avg ? _lt_optimizer_state_zeros (state, "exp_avg_sq", param, error) : NULL;
  if (exp_avg_sq == NULL || !_lt_optimizer_count_step (state, &step, error))
    return FALSE;
  bias_correction2 = 1 - pow (v[BETA2], step);
  g = _lt_optimizer_grad_with_decay (param, grad, FALSE, v[WEIGHT_DECAY], error);
  if (g == NULL)
    return FALSE;
  mu = beta1 * (1. - 0.5 * pow (0.96, step * momentum_decay));
  mu_next = beta1 * (1. - 0.5 * pow (0.96, (step + 1) * momentum_decay));
  /* mu_product *= mu; mu_product_next = mu_product * mu * mu_next (the
   * tensor's float32 arithmetic) */
  if (!lt_tensor_mul_scalar_ (mu_product, mu, error))
    return FALSE;
  next = lt_tensor_mul_scalar (mu_product, mu, error);
  if (next == NULL || !lt_tensor_mul_scalar_ (next, mu_next, error) ||
      !lt_tensor_item (mu_product, &prod, error) || !lt_tensor_item (next, &prod_next, error))
    return FALSE;
  if (!first_moment (exp_avg, g, beta1, error) || !second_moment (exp_avg_sq, g, v[BETA2], error))
    return FALSE;
  /* denom = exp_avg_sq.div(bias_correction2).sqrt().add_(eps) */
  denom = lt_tensor_div_scalar (exp_avg_sq, bias_correction2, error);
  if (denom == NULL || !lt_tensor_sqrt_ (denom, error) ||
      !lt_tensor_add_scalar_ (denom, v[EPS], error))
    return FALSE;
  return _lt_optimizer_addcdiv_ (param, g, denom, -v[LR] * (1. - mu) / (1. - prod), error) &&
         _lt_optimizer_addcdiv_ (param, exp_avg, denom, -v[LR] * mu_next / (1. - prod_next), error);
}

static void
lt_nadam_class_init (LtNAdamClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_nadam_update;
}

static void
lt_nadam_init (LtNAdam *self)
{
  static const double defaults[] = { 2e-3, 0.9, 0.999, 1e-8, 0, 4e-3 };

  install (LT_OPTIMIZER (self), nadam_options, defaults, G_N_ELEMENTS (nadam_options));
}

/**
 * lt_nadam_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate (PyTorch's default: 0.002)
 * @beta1: the decay of the first moment (default: 0.9)
 * @beta2: the decay of the second moment (default: 0.999)
 * @eps: added to the denominator (default: 1e-8)
 * @weight_decay: the L2 penalty (default: 0)
 * @momentum_decay: the momentum decay psi (default: 0.004)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.NAdam(params, lr, betas=(beta1, beta2), eps,
 * weight_decay, momentum_decay)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or an argument out of range
 */
LtNAdam *
lt_nadam_new (GPtrArray *params,
              double     lr,
              double     beta1,
              double     beta2,
              double     eps,
              double     weight_decay,
              double     momentum_decay,
              GError   **error)
{
  g_autoptr(LtNAdam) self = g_object_new (LT_TYPE_NADAM, NULL);
  const double values[] = { lr, beta1, beta2, eps, weight_decay, momentum_decay };

  if (!init_common (LT_OPTIMIZER (self), "NAdam", nadam_options, values,
                    G_N_ELEMENTS (nadam_options), "momentum_decay value", params, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* RAdam */

/**
 * LtRAdam:
 *
 * Rectified Adam, as `torch.optim.RAdam` (PyTorch 1.13's single-tensor
 * update):
 *
 * |[
 * step += 1
 * g = grad, + weight_decay * param when weight_decay != 0
 * exp_avg, exp_avg_sq as Adam's
 * rho_inf = 2 / (1 - beta2) - 1
 * rho_t = rho_inf - 2 step beta2^step / (1 - beta2^step)
 * rho_t > 5: rect = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
 *            param = param - lr * exp_avg / (1 - beta1^step)
 *                              * sqrt(1 - beta2^step) / (sqrt(exp_avg_sq) + eps) * rect
 * else:      param = param - lr * exp_avg / (1 - beta1^step)
 * ]|
 *
 * Options: "lr", "beta1", "beta2", "eps", "weight_decay". State: "step",
 * "exp_avg", "exp_avg_sq".
 */
struct _LtRAdam
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtRAdam, lt_radam, LT_TYPE_OPTIMIZER)

static gboolean
lt_radam_update (LtOptimizer *optimizer,
                 guint        group,
                 LtTensor    *param,
                 LtTensor    *grad,
                 LtStateDict *state,
                 GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double        beta2 = v[BETA2], step, bias_correction1, bias_correction2, rho_inf, rho_t;
  LtTensor     *exp_avg, *exp_avg_sq;
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) corrected = NULL;

  exp_avg = _lt_optimizer_state_zeros (state, "exp_avg", param, error);
  exp_avg_sq = exp_avg ? _lt_optimizer_state_zeros (state, "exp_avg_sq", param, error) : NULL;
  if (exp_avg_sq == NULL || !_lt_optimizer_count_step (state, &step, error))
    return FALSE;
  bias_correction1 = 1 - pow (v[BETA1], step);
  bias_correction2 = 1 - pow (beta2, step);
  g = _lt_optimizer_grad_with_decay (param, grad, FALSE, v[WEIGHT_DECAY], error);
  if (g == NULL || !first_moment (exp_avg, g, v[BETA1], error) ||
      !second_moment (exp_avg_sq, g, beta2, error))
    return FALSE;
  /* bias_corrected_exp_avg = exp_avg / bias_correction1, times lr */
  corrected = lt_tensor_div_scalar (exp_avg, bias_correction1, error);
  if (corrected == NULL || !lt_tensor_mul_scalar_ (corrected, v[LR], error))
    return FALSE;
  rho_inf = 2 / (1 - beta2) - 1;
  rho_t = rho_inf - 2 * step * pow (beta2, step) / bias_correction2;
  if (rho_t > 5.)
    {
      double rect =
        sqrt ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
      /* adaptive_lr = math.sqrt(bias_correction2) / exp_avg_sq.sqrt().add_(eps) */
      g_autoptr(LtTensor) denom = lt_tensor_sqrt (exp_avg_sq, error);
      g_autoptr(LtTensor) adaptive = NULL;

      if (denom == NULL || !lt_tensor_add_scalar_ (denom, v[EPS], error))
        return FALSE;
      adaptive = lt_full_like (denom, sqrt (bias_correction2), error);
      if (adaptive == NULL || !lt_tensor_div_ (adaptive, denom, error) ||
          !lt_tensor_mul_ (corrected, adaptive, error) ||
          !lt_tensor_mul_scalar_ (corrected, rect, error))
        return FALSE;
    }
  /* param.add_(..., alpha=-1.0) */
  return lt_tensor_add_scaled_ (param, corrected, -1.0, error);
}

static void
lt_radam_class_init (LtRAdamClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_radam_update;
}

static void
lt_radam_init (LtRAdam *self)
{
  static const double defaults[] = { 1e-3, 0.9, 0.999, 1e-8, 0 };

  install (LT_OPTIMIZER (self), radam_options, defaults, G_N_ELEMENTS (radam_options));
}

/**
 * lt_radam_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate (PyTorch's default: 0.001)
 * @beta1: the decay of the first moment (default: 0.9)
 * @beta2: the decay of the second moment (default: 0.999)
 * @eps: added to the denominator (default: 1e-8)
 * @weight_decay: the L2 penalty (default: 0)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.RAdam(params, lr, betas=(beta1, beta2), eps,
 * weight_decay)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or an argument out of range
 */
LtRAdam *
lt_radam_new (GPtrArray *params,
              double     lr,
              double     beta1,
              double     beta2,
              double     eps,
              double     weight_decay,
              GError   **error)
{
  g_autoptr(LtRAdam) self = g_object_new (LT_TYPE_RADAM, NULL);
  const double values[] = { lr, beta1, beta2, eps, weight_decay };

  if (!init_common (LT_OPTIMIZER (self), "RAdam", radam_options, values,
                    G_N_ELEMENTS (radam_options), NULL, params, error))
    return NULL;
  return g_steal_pointer (&self);
}
