/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-rmsprop.h"
#include "lt-optimizer-private.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-multi-tensor-private.h"

/**
 * LtRMSprop:
 *
 * RMSprop, as `torch.optim.RMSprop` (PyTorch 1.13's single-tensor update):
 *
 * |[
 * g = grad (negated with "maximize"), + weight_decay * param when weight_decay != 0
 * square_avg = alpha * square_avg + (1 - alpha) * g * g
 * centered: grad_avg = alpha * grad_avg + (1 - alpha) * g
 *           avg = sqrt(square_avg - grad_avg * grad_avg) + eps
 * else:     avg = sqrt(square_avg) + eps
 * momentum > 0: buf = momentum * buf + g / avg; param = param - lr * buf
 * else:         param = param - lr * g / avg
 * ]|
 *
 * Options: "lr", "alpha", "eps", "weight_decay", "momentum", "centered",
 * "maximize". State: "step", "square_avg", "momentum_buffer" with
 * momentum, "grad_avg" when centered.
 */
struct _LtRMSprop
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtRMSprop, lt_rmsprop, LT_TYPE_OPTIMIZER)

enum { LR, ALPHA, EPS, WEIGHT_DECAY, MOMENTUM, CENTERED, MAXIMIZE, N_OPTIONS };

static const LtOptimizerOptionSpec options[N_OPTIONS] = {
  [LR] = { "lr", FALSE },
  [ALPHA] = { "alpha", FALSE },
  [EPS] = { "eps", FALSE },
  [WEIGHT_DECAY] = { "weight_decay", FALSE },
  [MOMENTUM] = { "momentum", FALSE },
  [CENTERED] = { "centered", TRUE },
  [MAXIMIZE] = { "maximize", TRUE },
};

static gboolean
lt_rmsprop_update (LtOptimizer *optimizer,
                   guint        group,
                   LtTensor    *param,
                   LtTensor    *grad,
                   LtStateDict *state,
                   GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double lr = v[LR], alpha = v[ALPHA], eps = v[EPS], weight_decay = v[WEIGHT_DECAY];
  double momentum = v[MOMENTUM], step;
  LtTensor *square_avg;
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) avg = NULL;

  square_avg = _lt_optimizer_state_zeros (state, "square_avg", param, error);
  if (square_avg == NULL || !_lt_optimizer_count_step (state, &step, error))
    return FALSE;

  g = _lt_optimizer_grad_with_decay (param, grad, v[MAXIMIZE] != 0, weight_decay, error);
  if (g == NULL)
    return FALSE;

  /* square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha) */
  if (!lt_tensor_mul_scalar_ (square_avg, alpha, error) ||
      !_lt_optimizer_addcmul_ (square_avg, g, g, 1 - alpha, error))
    return FALSE;

  if (v[CENTERED] != 0)
    {
      /* grad_avg.mul_(alpha).add_(grad, alpha=1 - alpha);
       * avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_() */
      LtTensor *grad_avg = _lt_optimizer_state_zeros (state, "grad_avg", param, error);
      g_autoptr(LtTensor) ga2 = NULL;

      if (grad_avg == NULL || !lt_tensor_mul_scalar_ (grad_avg, alpha, error) ||
          !lt_tensor_add_scaled_ (grad_avg, g, 1 - alpha, error))
        return FALSE;
      ga2 = lt_tensor_mul_scalar (grad_avg, -1, error);
      if (ga2 == NULL || !lt_tensor_mul_ (ga2, grad_avg, error))
        return FALSE;
      avg = lt_tensor_add (square_avg, ga2, error);
      if (avg == NULL || !lt_tensor_sqrt_ (avg, error))
        return FALSE;
    }
  else
    avg = lt_tensor_sqrt (square_avg, error);
  if (avg == NULL || !lt_tensor_add_scalar_ (avg, eps, error))
    return FALSE;

  if (momentum > 0)
    {
      /* buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr) */
      LtTensor *buf = _lt_optimizer_state_zeros (state, "momentum_buffer", param, error);
      g_autoptr(LtTensor) q = buf ? lt_tensor_div (g, avg, error) : NULL;

      return q && lt_tensor_mul_scalar_ (buf, momentum, error) && lt_tensor_add_ (buf, q, error) &&
             lt_tensor_add_scaled_ (param, buf, -lr, error);
    }
  else
    {
      /* param.addcdiv_(grad, avg, value=-lr) */
      return _lt_optimizer_addcdiv_ (param, g, avg, -lr, error);
    }
}

/* lt_rmsprop_update over a whole group, in one launch */
static gboolean
rmsprop_multi (LtOptimizer *optimizer,
               guint        group,
               GPtrArray   *params,
               GPtrArray   *grads,
               GError     **error)
{
  const double         *v = _lt_optimizer_group_values (optimizer, group);
  gboolean              centered = v[CENTERED] != 0, momentum = v[MOMENTUM] > 0;
  guint                 n = params->len;
  g_autofree LtTensor **lists = g_new0 (LtTensor *, 5 * n);
  LtMultiTensorArgs     args = {
        .kind = LT_MULTI_RMSPROP,
        .n = n,
        .maximize = v[MAXIMIZE] != 0,
        .centered = centered,
        .has_momentum = momentum,
        .lr = v[LR],
        .weight_decay = v[WEIGHT_DECAY],
        .momentum = v[MOMENTUM],
        .beta2 = v[ALPHA],
        .eps = v[EPS],
  };

  for (guint i = 0; i < n; i++)
    {
      LtTensor    *p = g_ptr_array_index (params, i);
      LtStateDict *state = lt_optimizer_get_state (optimizer, p);
      double       step;

      lists[i] = p;
      lists[n + i] = g_ptr_array_index (grads, i);
      if (!(lists[2 * n + i] = _lt_optimizer_state_zeros (state, "square_avg", p, error)) ||
          !_lt_optimizer_count_step (state, &step, error) ||
          (centered &&
           !(lists[3 * n + i] = _lt_optimizer_state_zeros (state, "grad_avg", p, error))) ||
          (momentum &&
           !(lists[4 * n + i] = _lt_optimizer_state_zeros (state, "momentum_buffer", p, error))))
        return FALSE;
    }
  for (guint l = 0; l < 5; l++)
    args.lists[l] = lists + l * n;
  if (!centered)
    args.lists[3] = NULL;
  if (!momentum)
    args.lists[4] = NULL;
  if (!_lt_multi_tensor_run (&args, error))
    return FALSE;
  for (guint k = 0; k < n; k++)
    for (guint l = 0; l < 5; l++)
      if (l != 1 && args.lists[l])
        _lt_tensor_bump_version (args.lists[l][k]);
  return TRUE;
}

static gboolean
lt_rmsprop_step (LtOptimizer *optimizer, GError **error)
{
  static const char *const state_names[] = { "square_avg", "grad_avg", "momentum_buffer", NULL };

  return _lt_optimizer_step_multi (optimizer, state_names, rmsprop_multi, error);
}

static void
lt_rmsprop_class_init (LtRMSpropClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_rmsprop_update;
  LT_OPTIMIZER_CLASS (klass)->step = lt_rmsprop_step;
}

static void
lt_rmsprop_init (LtRMSprop *self)
{
  /* PyTorch's defaults */
  static const double defaults[N_OPTIONS] = { 1e-2, 0.99, 1e-8, 0, 0, 0, 0 };

  _lt_optimizer_install_options (LT_OPTIMIZER (self), options + 1, defaults + 1, N_OPTIONS - 1);
  lt_optimizer_set_default (LT_OPTIMIZER (self), "lr", defaults[LR], NULL);
}

/**
 * lt_rmsprop_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate (PyTorch's default: 0.01)
 * @alpha: the smoothing constant (default: 0.99)
 * @eps: added to the denominator (default: 1e-8)
 * @weight_decay: the L2 penalty (default: 0)
 * @momentum: the momentum factor (default: 0)
 * @centered: whether to normalise by an estimate of the gradient's
 *   variance (default: %FALSE)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.RMSprop(params, lr, alpha, eps, weight_decay,
 * momentum, centered)`.
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list or a negative argument
 */
LtRMSprop *
lt_rmsprop_new (GPtrArray *params,
                double     lr,
                double     alpha,
                double     eps,
                double     weight_decay,
                double     momentum,
                gboolean   centered,
                GError   **error)
{
  g_autoptr(LtRMSprop) self = NULL;
  double defaults[N_OPTIONS] = { lr, alpha, eps, weight_decay, momentum, centered != 0, 0 };
  const char *what = NULL;
  double value = 0;

  if (!(lr >= 0))
    what = "learning rate", value = lr;
  else if (!(eps >= 0))
    what = "epsilon value", value = eps;
  else if (!(momentum >= 0))
    what = "momentum value", value = momentum;
  else if (!(weight_decay >= 0))
    what = "weight_decay value", value = weight_decay;
  else if (!(alpha >= 0))
    what = "alpha value", value = alpha;
  if (what)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "RMSprop: invalid %s: %g", what,
                   value);
      return NULL;
    }
  self = g_object_new (LT_TYPE_RMSPROP, NULL);
  for (guint i = 0; i < N_OPTIONS; i++)
    if (!lt_optimizer_set_default (LT_OPTIMIZER (self), options[i].name, defaults[i], error))
      return NULL;
  if (!_lt_optimizer_init_params (LT_OPTIMIZER (self), "RMSprop", params, error))
    return NULL;
  return g_steal_pointer (&self);
}
