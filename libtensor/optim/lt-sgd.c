/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-sgd.h"
#include "lt-optimizer-private.h"
#include "core/lt-error.h"
#include "ops/lt-ops-private.h"
#include "backends/lt-backend-private.h"

/**
 * LtSGD:
 *
 * Stochastic gradient descent with optional momentum, as `torch.optim.SGD`
 * (PyTorch 1.13's single-tensor update, operation for operation):
 *
 * |[
 * d_p = grad (negated with "maximize")
 * if weight_decay != 0:  d_p = d_p + weight_decay * param
 * if momentum != 0:
 *     buf = clone(d_p) at the first step, else buf = momentum * buf + (1 - dampening) * d_p
 *     d_p = d_p + momentum * buf if nesterov else buf
 * param = param - lr * d_p
 * ]|
 *
 * Options: "lr", "momentum", "dampening", "weight_decay", "nesterov",
 * "maximize". State: "momentum_buffer" when momentum is used.
 */
struct _LtSGD
{
  LtOptimizer parent_instance;
};

G_DEFINE_FINAL_TYPE (LtSGD, lt_sgd, LT_TYPE_OPTIMIZER)

enum { LR, MOMENTUM, DAMPENING, WEIGHT_DECAY, NESTEROV, MAXIMIZE, N_OPTIONS };

static const LtOptimizerOptionSpec options[N_OPTIONS] = {
  [LR] = { "lr", FALSE },
  [MOMENTUM] = { "momentum", FALSE },
  [DAMPENING] = { "dampening", FALSE },
  [WEIGHT_DECAY] = { "weight_decay", FALSE },
  [NESTEROV] = { "nesterov", TRUE },
  [MAXIMIZE] = { "maximize", TRUE },
};

/* Whether the fused kernel can update @param in place from @grad (and @buf). */
static gboolean
can_fuse (LtTensor *param,
          LtTensor *grad,
          LtTensor *buf)
{
  LtDevice device = param->storage->device;

  if (!_lt_dtype_is_float (param->dtype) || grad->dtype != param->dtype ||
      grad->storage->device != device ||
      !_lt_shape_equal (grad->shape, grad->ndim, param->shape, param->ndim) ||
      lt_tensor_shares_storage (param, grad) ||
      !_lt_backend_supports_op (device, LT_OP_SGD_UPDATE, param->dtype))
    return FALSE;
  if (buf && (buf->dtype != param->dtype || buf->storage->device != device ||
              !_lt_shape_equal (buf->shape, buf->ndim, param->shape, param->ndim) ||
              lt_tensor_shares_storage (buf, param) || lt_tensor_shares_storage (buf, grad)))
    return FALSE;
  /* every element of the outputs at its own address */
  for (guint d = 0; d < param->ndim; d++)
    if (param->shape[d] > 1 && (param->strides[d] == 0 || (buf && buf->strides[d] == 0)))
      return FALSE;
  return TRUE;
}

/* The whole update in one kernel (LT_OP_SGD_UPDATE). */
static gboolean
sgd_fused (const double *v,
           LtTensor     *param,
           LtTensor     *grad,
           LtTensor     *buf,
           LtStateDict  *state,
           GError      **error)
{
  g_autoptr(LtTensor) new_buf = NULL;
  LtOpParams p = { .optim = {
    .lr = v[LR], .momentum = v[MOMENTUM], .dampening = v[DAMPENING],
    .weight_decay = v[WEIGHT_DECAY], .nesterov = v[NESTEROV] != 0,
    .maximize = v[MAXIMIZE] != 0, .first = FALSE,
  } };

  if (v[MOMENTUM] != 0 && buf == NULL)
    {
      /* the first step: the buffer starts as the update, clone(d_p) */
      new_buf = lt_empty_like (grad, error);
      if (new_buf == NULL)
        return FALSE;
      buf = new_buf;
      p.optim.first = TRUE;
    }
  if (!_lt_run (LT_OP_SGD_UPDATE, param, v[MOMENTUM] != 0 ? buf : NULL, &grad, 1, &p, error))
    return FALSE;
  _lt_tensor_bump_version (param);
  if (new_buf)
    lt_state_dict_insert (state, "momentum_buffer", new_buf);
  else if (v[MOMENTUM] != 0)
    _lt_tensor_bump_version (buf);
  return TRUE;
}

static gboolean
lt_sgd_update (LtOptimizer *optimizer,
               guint        group,
               LtTensor    *param,
               LtTensor    *grad,
               LtStateDict *state,
               GError     **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  double momentum = v[MOMENTUM], dampening = v[DAMPENING], weight_decay = v[WEIGHT_DECAY];
  g_autoptr(LtTensor) d_p = NULL;
  LtTensor *state_buf = momentum != 0 ? lt_state_dict_lookup (state, "momentum_buffer") : NULL;

  if (can_fuse (param, grad, state_buf))
    return sgd_fused (v, param, grad, state_buf, state, error);

  /* the same update with one op per step, for what the kernel does not take */
  d_p = _lt_optimizer_grad_with_decay (param, grad, v[MAXIMIZE] != 0, weight_decay, error);
  if (d_p == NULL)
    return FALSE;
  if (momentum != 0)
    {
      LtTensor *buf = lt_state_dict_lookup (state, "momentum_buffer");

      if (buf == NULL)
        {
          g_autoptr(LtTensor) b = lt_tensor_clone (d_p, error);

          if (b == NULL)
            return FALSE;
          lt_state_dict_insert (state, "momentum_buffer", b);
          buf = b;
        }
      else if (!lt_tensor_mul_scalar_ (buf, momentum, error) ||
               !lt_tensor_add_scaled_ (buf, d_p, 1 - dampening, error))
        return FALSE;
      if (v[NESTEROV] != 0)
        {
          LtTensor *t = lt_tensor_add_scaled (d_p, buf, momentum, error);

          if (t == NULL)
            return FALSE;
          g_object_unref (d_p);
          d_p = t;
        }
      else
        g_set_object (&d_p, buf);
    }
  return lt_tensor_add_scaled_ (param, d_p, -v[LR], error);
}

static void
lt_sgd_class_init (LtSGDClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_sgd_update;
}

static void
lt_sgd_init (LtSGD *self)
{
  /* PyTorch's defaults; lr has none there (it is required) */
  static const double defaults[N_OPTIONS] = { 1e-3, 0, 0, 0, 0, 0 };

  _lt_optimizer_install_options (LT_OPTIMIZER (self), options + 1, defaults + 1, N_OPTIONS - 1);
}

/**
 * lt_sgd_new:
 * @params: (element-type LtTensor): the parameters to optimize (one group)
 * @lr: the learning rate
 * @momentum: the momentum factor (PyTorch's default: 0)
 * @dampening: the dampening of the momentum (default: 0)
 * @weight_decay: the L2 penalty (default: 0)
 * @nesterov: whether to use Nesterov momentum (default: %FALSE)
 * @error: return location for a #GError
 *
 * Creates `torch.optim.SGD(params, lr, momentum, dampening, weight_decay,
 * nesterov)`. More groups can be added with lt_optimizer_add_param_group().
 *
 * Returns: (transfer full) (nullable): the optimizer, or %NULL with @error
 *   set for an empty parameter list, a negative lr, momentum or
 *   weight_decay, or Nesterov momentum without momentum or with dampening
 */
LtSGD *
lt_sgd_new (GPtrArray *params,
            double     lr,
            double     momentum,
            double     dampening,
            double     weight_decay,
            gboolean   nesterov,
            GError   **error)
{
  g_autoptr(LtSGD) self = NULL;
  double defaults[N_OPTIONS] = { lr, momentum, dampening, weight_decay, nesterov != 0, 0 };

  if (!(lr >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "SGD: invalid learning rate: %g",
                   lr);
      return NULL;
    }
  if (!(momentum >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "SGD: invalid momentum value: %g",
                   momentum);
      return NULL;
    }
  if (!(weight_decay >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "SGD: invalid weight_decay value: %g", weight_decay);
      return NULL;
    }
  if (nesterov && (momentum <= 0 || dampening != 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "SGD: Nesterov momentum requires a momentum and zero dampening");
      return NULL;
    }
  self = g_object_new (LT_TYPE_SGD, NULL);
  for (guint i = 0; i < N_OPTIONS; i++)
    if (!lt_optimizer_set_default (LT_OPTIMIZER (self), options[i].name, defaults[i], error))
      return NULL;
  if (!_lt_optimizer_init_params (LT_OPTIMIZER (self), "SGD", params, error))
    return NULL;
  return g_steal_pointer (&self);
}
