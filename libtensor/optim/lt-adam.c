/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-adam.h"
#include "lt-optimizer-private.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-shape.h"
#include "ops/lt-multi-tensor-private.h"

/*
 * Adam and AdamW share one update, PyTorch 1.13's _single_tensor_adam and
 * _single_tensor_adamw (torch/optim/adam.py, adamw.py) operation for
 * operation; they differ in where the weight decay goes.
 */

enum { LR, BETA1, BETA2, EPS, WEIGHT_DECAY, AMSGRAD, MAXIMIZE, N_OPTIONS };

static const LtOptimizerOptionSpec options[N_OPTIONS] = {
  [LR] = { "lr", FALSE },
  [BETA1] = { "beta1", FALSE },
  [BETA2] = { "beta2", FALSE },
  [EPS] = { "eps", FALSE },
  [WEIGHT_DECAY] = { "weight_decay", FALSE },
  [AMSGRAD] = { "amsgrad", TRUE },
  [MAXIMIZE] = { "maximize", TRUE },
};

static gboolean
adam_update (LtOptimizer *optimizer,
             guint        group,
             LtTensor    *param,
             LtTensor    *grad,
             LtStateDict *state,
             gboolean     decoupled,
             GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double lr = v[LR], beta1 = v[BETA1], beta2 = v[BETA2], eps = v[EPS];
  double weight_decay = v[WEIGHT_DECAY];
  double step, bias_correction1, bias_correction2, step_size, bias_correction2_sqrt;
  LtTensor *exp_avg, *exp_avg_sq;
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) denom = NULL;

  /* lazy state: step, exp_avg, exp_avg_sq (and max_exp_avg_sq) */
  exp_avg = _lt_optimizer_state_zeros (state, "exp_avg", param, error);
  exp_avg_sq = exp_avg ? _lt_optimizer_state_zeros (state, "exp_avg_sq", param, error) : NULL;
  if (exp_avg_sq == NULL || !_lt_optimizer_count_step (state, &step, error))
    return FALSE;

  /* Adam adds the decay to the gradient; AdamW decays the parameter
   * itself: param.mul_(1 - lr * weight_decay) */
  g = _lt_optimizer_grad_with_decay (param, grad, v[MAXIMIZE] != 0, decoupled ? 0 : weight_decay,
                                     error);
  if (g == NULL || (decoupled && !lt_tensor_mul_scalar_ (param, 1 - lr * weight_decay, error)))
    return FALSE;

  /* exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1);
   * exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2) */
  if (!lt_tensor_mul_scalar_ (exp_avg, beta1, error) ||
      !lt_tensor_add_scaled_ (exp_avg, g, 1 - beta1, error) ||
      !lt_tensor_mul_scalar_ (exp_avg_sq, beta2, error) ||
      !_lt_optimizer_addcmul_ (exp_avg_sq, g, g, 1 - beta2, error))
    return FALSE;

  bias_correction1 = 1 - pow (beta1, step);
  bias_correction2 = 1 - pow (beta2, step);
  step_size = lr / bias_correction1;
  bias_correction2_sqrt = sqrt (bias_correction2);

  if (v[AMSGRAD] != 0)
    {
      /* torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq) */
      LtTensor *max_sq = _lt_optimizer_state_zeros (state, "max_exp_avg_sq", param, error);
      g_autoptr(LtTensor) m = max_sq ? lt_tensor_maximum (max_sq, exp_avg_sq, error) : NULL;

      if (m == NULL || !lt_tensor_copy_ (max_sq, m, error))
        return FALSE;
      denom = lt_tensor_sqrt (max_sq, error);
    }
  else
    denom = lt_tensor_sqrt (exp_avg_sq, error);
  /* denom = (sqrt / bias_correction2_sqrt).add_(eps) */
  if (denom == NULL || !lt_tensor_div_scalar_ (denom, bias_correction2_sqrt, error) ||
      !lt_tensor_add_scalar_ (denom, eps, error))
    return FALSE;
  /* param.addcdiv_(exp_avg, denom, value=-step_size) */
  return _lt_optimizer_addcdiv_ (param, exp_avg, denom, -step_size, error);
}

/* adam_update over a whole group: the state as there, then one launch for
 * the parameters at each step count (all of them but after a state dict
 * was loaded into part of a group). */
static gboolean
adam_multi (LtOptimizer *optimizer,
            guint        group,
            GPtrArray   *params,
            GPtrArray   *grads,
            gboolean     decoupled,
            GError     **error)
{
  const double         *v = _lt_optimizer_group_values (optimizer, group);
  gboolean              amsgrad = v[AMSGRAD] != 0;
  guint                 n = params->len;
  g_autofree LtTensor **lists = g_new0 (LtTensor *, 5 * n);
  g_autofree double    *steps = g_new0 (double, n);
  g_autofree gboolean  *done = g_new0 (gboolean, n);

  for (guint i = 0; i < n; i++)
    {
      LtTensor    *p = g_ptr_array_index (params, i);
      LtStateDict *state = lt_optimizer_get_state (optimizer, p);
      LtTensor    *ea = _lt_optimizer_state_zeros (state, "exp_avg", p, error);
      LtTensor    *eas = ea ? _lt_optimizer_state_zeros (state, "exp_avg_sq", p, error) : NULL;
      LtTensor    *mx = NULL;

      if (eas == NULL || !_lt_optimizer_count_step (state, &steps[i], error) ||
          (amsgrad && (mx = _lt_optimizer_state_zeros (state, "max_exp_avg_sq", p, error)) == NULL))
        return FALSE;
      lists[i] = p;
      lists[n + i] = g_ptr_array_index (grads, i);
      lists[2 * n + i] = ea;
      lists[3 * n + i] = eas;
      lists[4 * n + i] = mx;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree LtTensor **run = NULL;
      double                step = steps[i];
      LtMultiTensorArgs     args = {
            .kind = LT_MULTI_ADAM,
            .maximize = v[MAXIMIZE] != 0,
            .decoupled = decoupled,
            .amsgrad = amsgrad,
            .lr = v[LR],
            .weight_decay = v[WEIGHT_DECAY],
            .beta1 = v[BETA1],
            .beta2 = v[BETA2],
            .eps = v[EPS],
            .step_size = v[LR] / (1 - pow (v[BETA1], step)),
            .bias_correction2_sqrt = sqrt (1 - pow (v[BETA2], step)),
      };

      if (done[i])
        continue;
      run = g_new0 (LtTensor *, 5 * n);
      for (guint j = i; j < n; j++)
        if (!done[j] && steps[j] == step)
          {
            for (guint l = 0; l < 5; l++)
              run[l * n + args.n] = lists[l * n + j];
            args.n++;
            done[j] = TRUE;
          }
      for (guint l = 0; l < 5; l++)
        args.lists[l] = run + l * n;
      if (!amsgrad)
        args.lists[4] = NULL;
      if (!_lt_multi_tensor_run (&args, error))
        return FALSE;
      for (guint k = 0; k < args.n; k++)
        for (guint l = 0; l < 5; l++)
          if (l != 1 && args.lists[l])
            _lt_tensor_bump_version (args.lists[l][k]);
    }
  return TRUE;
}

static const char *const adam_state_names[] = { "exp_avg", "exp_avg_sq", "max_exp_avg_sq", NULL };

static gboolean
check_args (const char *type,
            double      lr,
            double      beta1,
            double      beta2,
            double      eps,
            double      weight_decay,
            GError    **error)
{
  const char *what = NULL;
  double value = 0;

  if (!(lr >= 0))
    what = "learning rate", value = lr;
  else if (!(eps >= 0))
    what = "epsilon value", value = eps;
  else if (!(beta1 >= 0 && beta1 < 1))
    what = "beta parameter at index 0", value = beta1;
  else if (!(beta2 >= 0 && beta2 < 1))
    what = "beta parameter at index 1", value = beta2;
  else if (!(weight_decay >= 0))
    what = "weight_decay value", value = weight_decay;
  if (what)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "%s: invalid %s: %g", type, what,
                   value);
      return FALSE;
    }
  return TRUE;
}

/* Installs the options with PyTorch's defaults (AdamW: weight_decay 0.01). */
static void
adam_install_options (LtOptimizer *self,
                      double       weight_decay)
{
  const double defaults[N_OPTIONS] = { 1e-3, 0.9, 0.999, 1e-8, weight_decay, 0, 0 };

  _lt_optimizer_install_options (self, options + 1, defaults + 1, N_OPTIONS - 1);
}

static gboolean
adam_init (LtOptimizer *self,
           const char  *type,
           GPtrArray   *params,
           double       lr,
           double       beta1,
           double       beta2,
           double       eps,
           double       weight_decay,
           gboolean     amsgrad,
           GError     **error)
{
  double defaults[N_OPTIONS] = { lr, beta1, beta2, eps, weight_decay, amsgrad != 0, 0 };

  if (!check_args (type, lr, beta1, beta2, eps, weight_decay, error))
    return FALSE;
  for (guint i = 0; i < N_OPTIONS; i++)
    if (!lt_optimizer_set_default (self, options[i].name, defaults[i], error))
      return FALSE;
  return _lt_optimizer_init_params (self, type, params, error);
}

/* Adam */

/**
 * LtAdam:
 *
 * Adam, as `torch.optim.Adam` (PyTorch 1.13's single-tensor update):
 *
 * |[
 * step += 1
 * g = grad (negated with "maximize"), + weight_decay * param when weight_decay != 0
 * exp_avg = beta1 * exp_avg + (1 - beta1) * g
 * exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g
 * step_size = lr / (1 - beta1^step)
 * v = max(max_exp_avg_sq, exp_avg_sq) with amsgrad (kept), else exp_avg_sq
 * param = param - step_size * exp_avg / (sqrt(v) / sqrt(1 - beta2^step) + eps)
 * ]|
 *
 * Options: "lr", "beta1", "beta2" (PyTorch's pair "betas"), "eps",
 * "weight_decay", "amsgrad", "maximize". State: "step", "exp_avg",
 * "exp_avg_sq", and "max_exp_avg_sq" with amsgrad.
 */
struct _LtAdam
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtAdam, lt_adam, LT_TYPE_OPTIMIZER)

static gboolean
lt_adam_update (LtOptimizer *optimizer,
                guint        group,
                LtTensor    *param,
                LtTensor    *grad,
                LtStateDict *state,
                GError     **error)
{
  return adam_update (optimizer, group, param, grad, state, FALSE, error);
}

static gboolean
lt_adam_multi (LtOptimizer *optimizer,
               guint        group,
               GPtrArray   *params,
               GPtrArray   *grads,
               GError     **error)
{
  return adam_multi (optimizer, group, params, grads, FALSE, error);
}

static gboolean
lt_adam_step (LtOptimizer *optimizer, GError **error)
{
  return _lt_optimizer_step_multi (optimizer, adam_state_names, lt_adam_multi, error);
}

static void
lt_adam_class_init (LtAdamClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_adam_update;
  LT_OPTIMIZER_CLASS (klass)->step = lt_adam_step;
}

static void
lt_adam_init (LtAdam *self)
{
  adam_install_options (LT_OPTIMIZER (self), 0);
}

/**
 * lt_adam_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate (PyTorch's default: 0.001)
 * @beta1: the decay of the first moment (default: 0.9)
 * @beta2: the decay of the second moment (default: 0.999)
 * @eps: added to the denominator (default: 1e-8)
 * @weight_decay: the L2 penalty, added to the gradient (default: 0)
 * @amsgrad: whether to use the AMSGrad variant (default: %FALSE)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.Adam(params, lr, betas=(beta1, beta2), eps,
 * weight_decay, amsgrad)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or an argument out of range
 */
LtAdam *
lt_adam_new (GPtrArray *params,
             double     lr,
             double     beta1,
             double     beta2,
             double     eps,
             double     weight_decay,
             gboolean   amsgrad,
             GError   **error)
{
  g_autoptr(LtAdam) self = g_object_new (LT_TYPE_ADAM, NULL);

  if (!adam_init (LT_OPTIMIZER (self), "Adam", params, lr, beta1, beta2, eps, weight_decay,
                  amsgrad, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* AdamW */

/**
 * LtAdamW:
 *
 * Adam with decoupled weight decay, as `torch.optim.AdamW` (PyTorch 1.13's
 * single-tensor update): the same as #LtAdam, except that the parameter is
 * first multiplied by `1 - lr * weight_decay` instead of the decay being
 * added to the gradient. PyTorch's default weight_decay is 0.01.
 */
struct _LtAdamW
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtAdamW, lt_adamw, LT_TYPE_OPTIMIZER)

static gboolean
lt_adamw_update (LtOptimizer *optimizer,
                 guint        group,
                 LtTensor    *param,
                 LtTensor    *grad,
                 LtStateDict *state,
                 GError     **error)
{
  return adam_update (optimizer, group, param, grad, state, TRUE, error);
}

static gboolean
lt_adamw_multi (LtOptimizer *optimizer,
                guint        group,
                GPtrArray   *params,
                GPtrArray   *grads,
                GError     **error)
{
  return adam_multi (optimizer, group, params, grads, TRUE, error);
}

static gboolean
lt_adamw_step (LtOptimizer *optimizer, GError **error)
{
  return _lt_optimizer_step_multi (optimizer, adam_state_names, lt_adamw_multi, error);
}

static void
lt_adamw_class_init (LtAdamWClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->step = lt_adamw_step;
  LT_OPTIMIZER_CLASS (klass)->update = lt_adamw_update;
}

static void
lt_adamw_init (LtAdamW *self)
{
  adam_install_options (LT_OPTIMIZER (self), 1e-2);
}

/**
 * lt_adamw_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate (PyTorch's default: 0.001)
 * @beta1: the decay of the first moment (default: 0.9)
 * @beta2: the decay of the second moment (default: 0.999)
 * @eps: added to the denominator (default: 1e-8)
 * @weight_decay: the decoupled weight decay (default: 0.01)
 * @amsgrad: whether to use the AMSGrad variant (default: %FALSE)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.AdamW(params, lr, betas=(beta1, beta2), eps,
 * weight_decay, amsgrad)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or an argument out of range
 */
LtAdamW *
lt_adamw_new (GPtrArray *params,
              double     lr,
              double     beta1,
              double     beta2,
              double     eps,
              double     weight_decay,
              gboolean   amsgrad,
              GError   **error)
{
  g_autoptr(LtAdamW) self = g_object_new (LT_TYPE_ADAMW, NULL);

  if (!adam_init (LT_OPTIMIZER (self), "AdamW", params, lr, beta1, beta2, eps, weight_decay,
                  amsgrad, error))
    return NULL;
  return g_steal_pointer (&self);
}
