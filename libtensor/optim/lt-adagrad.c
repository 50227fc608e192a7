/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-adagrad.h"
#include "lt-optimizer-private.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"

/*
 * Adagrad and Adadelta, PyTorch 1.13's _single_tensor_adagrad and
 * _single_tensor_adadelta (torch/optim/adagrad.py, adadelta.py) operation
 * for operation.
 */

/* Sets the defaults of @self from @values (one per option of @specs). */
static gboolean
set_defaults (LtOptimizer                 *self,
              const LtOptimizerOptionSpec *specs,
              const double                *values,
              guint                        n,
              GError                     **error)
{
  for (guint i = 0; i < n; i++)
    if (!lt_optimizer_set_default (self, specs[i].name, values[i], error))
      return FALSE;
  return TRUE;
}

/* Adagrad */

/**
 * LtAdagrad:
 *
 * Adagrad, as `torch.optim.Adagrad` (PyTorch 1.13's single-tensor update):
 *
 * |[
 * step += 1
 * g = grad (negated with "maximize"), + weight_decay * param when weight_decay != 0
 * clr = lr / (1 + (step - 1) * lr_decay)
 * sum = sum + g * g            (sum starts at initial_accumulator_value)
 * param = param - clr * g / (sqrt(sum) + eps)
 * ]|
 *
 * Options: "lr", "lr_decay", "eps", "weight_decay",
 * "initial_accumulator_value", "maximize". State: "step", "sum".
 */
struct _LtAdagrad
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtAdagrad, lt_adagrad, LT_TYPE_OPTIMIZER)

enum
{
  AG_LR,
  AG_LR_DECAY,
  AG_EPS,
  AG_WEIGHT_DECAY,
  AG_INITIAL,
  AG_MAXIMIZE,
  AG_N_OPTIONS
};

static const LtOptimizerOptionSpec adagrad_options[AG_N_OPTIONS] = {
  [AG_LR] = { "lr", FALSE },
  [AG_LR_DECAY] = { "lr_decay", FALSE },
  [AG_EPS] = { "eps", FALSE },
  [AG_WEIGHT_DECAY] = { "weight_decay", FALSE },
  [AG_INITIAL] = { "initial_accumulator_value", FALSE },
  [AG_MAXIMIZE] = { "maximize", TRUE },
};

static gboolean
lt_adagrad_update (LtOptimizer *optimizer,
                   guint        group,
                   LtTensor    *param,
                   LtTensor    *grad,
                   LtStateDict *state,
                   GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double        step, clr;
  LtTensor     *sum = lt_state_dict_lookup (state, "sum");
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) std = NULL;

  if (sum == NULL)
    {
      /* torch.full_like(p, initial_accumulator_value) */
      g_autoptr(LtTensor) s = lt_full_like (param, v[AG_INITIAL], error);

      if (s == NULL)
        return FALSE;
      lt_state_dict_insert (state, "sum", s);
      sum = s;
    }
  if (!_lt_optimizer_count_step (state, &step, error))
    return FALSE;
  g = _lt_optimizer_grad_with_decay (param, grad, v[AG_MAXIMIZE] != 0, v[AG_WEIGHT_DECAY], error);
  if (g == NULL)
    return FALSE;
  clr = v[AG_LR] / (1 + (step - 1) * v[AG_LR_DECAY]);
  /* state_sum.addcmul_(grad, grad, value=1); std = state_sum.sqrt().add_(eps);
   * param.addcdiv_(grad, std, value=-clr) */
  if (!_lt_optimizer_addcmul_ (sum, g, g, 1, error))
    return FALSE;
  std = lt_tensor_sqrt (sum, error);
  return std && lt_tensor_add_scalar_ (std, v[AG_EPS], error) &&
         _lt_optimizer_addcdiv_ (param, g, std, -clr, error);
}

static void
lt_adagrad_class_init (LtAdagradClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_adagrad_update;
}

static void
lt_adagrad_init (LtAdagrad *self)
{
  /* PyTorch's defaults */
  static const double defaults[AG_N_OPTIONS] = { 1e-2, 0, 1e-10, 0, 0, 0 };

  _lt_optimizer_install_options (LT_OPTIMIZER (self), adagrad_options + 1, defaults + 1,
                                 AG_N_OPTIONS - 1);
  lt_optimizer_set_default (LT_OPTIMIZER (self), "lr", defaults[AG_LR], NULL);
}

/**
 * lt_adagrad_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate (PyTorch's default: 0.01)
 * @lr_decay: the decay of the learning rate per step (default: 0)
 * @weight_decay: the L2 penalty (default: 0)
 * @initial_accumulator_value: the starting value of the sums of squares
 *   (default: 0)
 * @eps: added to the denominator (default: 1e-10)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.Adagrad(params, lr, lr_decay, weight_decay,
 * initial_accumulator_value, eps)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or a negative argument
 */
LtAdagrad *
lt_adagrad_new (GPtrArray *params,
                double     lr,
                double     lr_decay,
                double     weight_decay,
                double     initial_accumulator_value,
                double     eps,
                GError   **error)
{
  g_autoptr(LtAdagrad) self = NULL;
  double defaults[AG_N_OPTIONS] = { lr, lr_decay, eps, weight_decay, initial_accumulator_value, 0 };
  const char *what = NULL;
  double      value = 0;

  if (!(lr >= 0))
    what = "learning rate", value = lr;
  else if (!(lr_decay >= 0))
    what = "lr_decay value", value = lr_decay;
  else if (!(weight_decay >= 0))
    what = "weight_decay value", value = weight_decay;
  else if (!(initial_accumulator_value >= 0))
    what = "initial_accumulator_value value", value = initial_accumulator_value;
  else if (!(eps >= 0))
    what = "epsilon value", value = eps;
  if (!_lt_optimizer_check_arg ("Adagrad", what, value, error))
    return NULL;
  self = g_object_new (LT_TYPE_ADAGRAD, NULL);
  if (!set_defaults (LT_OPTIMIZER (self), adagrad_options, defaults, AG_N_OPTIONS, error) ||
      !_lt_optimizer_init_params (LT_OPTIMIZER (self), "Adagrad", params, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Adadelta */

/**
 * LtAdadelta:
 *
 * Adadelta, as `torch.optim.Adadelta` (PyTorch 1.13's single-tensor
 * update):
 *
 * |[
 * g = grad (negated with "maximize"), + weight_decay * param when weight_decay != 0
 * square_avg = rho * square_avg + (1 - rho) * g * g
 * delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
 * acc_delta = rho * acc_delta + (1 - rho) * delta * delta
 * param = param - lr * delta
 * ]|
 *
 * Options: "lr", "rho", "eps", "weight_decay", "maximize". State: "step",
 * "square_avg", "acc_delta".
 */
struct _LtAdadelta
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtAdadelta, lt_adadelta, LT_TYPE_OPTIMIZER)

enum
{
  AD_LR,
  AD_RHO,
  AD_EPS,
  AD_WEIGHT_DECAY,
  AD_MAXIMIZE,
  AD_N_OPTIONS
};

static const LtOptimizerOptionSpec adadelta_options[AD_N_OPTIONS] = {
  [AD_LR] = { "lr", FALSE },
  [AD_RHO] = { "rho", FALSE },
  [AD_EPS] = { "eps", FALSE },
  [AD_WEIGHT_DECAY] = { "weight_decay", FALSE },
  [AD_MAXIMIZE] = { "maximize", TRUE },
};

static gboolean
lt_adadelta_update (LtOptimizer *optimizer,
                    guint        group,
                    LtTensor    *param,
                    LtTensor    *grad,
                    LtStateDict *state,
                    GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double        rho = v[AD_RHO], eps = v[AD_EPS], step;
  LtTensor     *square_avg, *acc_delta;
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) std = NULL;
  g_autoptr(LtTensor) delta = NULL;

  square_avg = _lt_optimizer_state_zeros (state, "square_avg", param, error);
  acc_delta = square_avg ? _lt_optimizer_state_zeros (state, "acc_delta", param, error) : NULL;
  if (acc_delta == NULL || !_lt_optimizer_count_step (state, &step, error))
    return FALSE;
  g = _lt_optimizer_grad_with_decay (param, grad, v[AD_MAXIMIZE] != 0, v[AD_WEIGHT_DECAY], error);
  if (g == NULL)
    return FALSE;
  /* square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho);
   * std = square_avg.add(eps).sqrt_();
   * delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad) */
  if (!lt_tensor_mul_scalar_ (square_avg, rho, error) ||
      !_lt_optimizer_addcmul_ (square_avg, g, g, 1 - rho, error))
    return FALSE;
  std = lt_tensor_add_scalar (square_avg, eps, error);
  if (std == NULL || !lt_tensor_sqrt_ (std, error))
    return FALSE;
  delta = lt_tensor_add_scalar (acc_delta, eps, error);
  if (delta == NULL || !lt_tensor_sqrt_ (delta, error) || !lt_tensor_div_ (delta, std, error) ||
      !lt_tensor_mul_ (delta, g, error))
    return FALSE;
  /* acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho);
   * param.add_(delta, alpha=-lr) */
  return lt_tensor_mul_scalar_ (acc_delta, rho, error) &&
         _lt_optimizer_addcmul_ (acc_delta, delta, delta, 1 - rho, error) &&
         lt_tensor_add_scaled_ (param, delta, -v[AD_LR], error);
}

static void
lt_adadelta_class_init (LtAdadeltaClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_adadelta_update;
}

static void
lt_adadelta_init (LtAdadelta *self)
{
  /* PyTorch's defaults */
  static const double defaults[AD_N_OPTIONS] = { 1.0, 0.9, 1e-6, 0, 0 };

  _lt_optimizer_install_options (LT_OPTIMIZER (self), adadelta_options + 1, defaults + 1,
                                 AD_N_OPTIONS - 1);
  lt_optimizer_set_default (LT_OPTIMIZER (self), "lr", defaults[AD_LR], NULL);
}

/**
 * lt_adadelta_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the factor of the update (PyTorch's default: 1.0)
 * @rho: the decay of the running averages (default: 0.9)
 * @eps: added inside the square roots (default: 1e-6)
 * @weight_decay: the L2 penalty (default: 0)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.Adadelta(params, lr, rho, eps, weight_decay)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or an argument out of range
 */
LtAdadelta *
lt_adadelta_new (GPtrArray *params,
                 double     lr,
                 double     rho,
                 double     eps,
                 double     weight_decay,
                 GError   **error)
{
  g_autoptr(LtAdadelta) self = NULL;
  double      defaults[AD_N_OPTIONS] = { lr, rho, eps, weight_decay, 0 };
  const char *what = NULL;
  double      value = 0;

  if (!(lr >= 0))
    what = "learning rate", value = lr;
  else if (!(rho >= 0 && rho <= 1))
    what = "rho value", value = rho;
  else if (!(eps >= 0))
    what = "epsilon value", value = eps;
  else if (!(weight_decay >= 0))
    what = "weight_decay value", value = weight_decay;
  if (!_lt_optimizer_check_arg ("Adadelta", what, value, error))
    return NULL;
  self = g_object_new (LT_TYPE_ADADELTA, NULL);
  if (!set_defaults (LT_OPTIMIZER (self), adadelta_options, defaults, AD_N_OPTIONS, error) ||
      !_lt_optimizer_init_params (LT_OPTIMIZER (self), "Adadelta", params, error))
    return NULL;
  return g_steal_pointer (&self);
}
