/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-sgd.h"
#include "lt-optimizer-private.h"
#include "core/lt-error.h"
#include "ops/lt-ops-private.h"
#include "backends/lt-backend-private.h"
#include "ops/lt-multi-tensor-private.h"

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

/* One launch for the parameters whose buffers exist and one for those
 * whose buffers start now (the first step), each as sgd_fused. */
static gboolean
sgd_multi_run (const double *v,
               gboolean      first,
               GPtrArray    *params,
               GPtrArray    *grads,
               GPtrArray    *bufs,
               GError      **error)
{
  gboolean          momentum = v[MOMENTUM] != 0;
  LtMultiTensorArgs args = {
    .kind = LT_MULTI_SGD,
    .n = params->len,
    .lists = { (LtTensor **) params->pdata, (LtTensor **) grads->pdata,
               momentum ? (LtTensor **) bufs->pdata : NULL },
    .maximize = v[MAXIMIZE] != 0,
    .nesterov = v[NESTEROV] != 0,
    .first = first,
    .has_momentum = momentum,
    .lr = v[LR],
    .weight_decay = v[WEIGHT_DECAY],
    .momentum = v[MOMENTUM],
    .dampening = v[DAMPENING],
  };

  if (!_lt_multi_tensor_run (&args, error))
    return FALSE;
  for (guint i = 0; i < args.n; i++)
    {
      _lt_tensor_bump_version (args.lists[0][i]);
      if (momentum && !first)
        _lt_tensor_bump_version (args.lists[2][i]);
    }
  return TRUE;
}

static gboolean
sgd_multi (LtOptimizer *optimizer, guint group, GPtrArray *params, GPtrArray *grads, GError **error)
{
  const double *v = _lt_optimizer_group_values (optimizer, group);
  gboolean      momentum = v[MOMENTUM] != 0;
  g_autoptr(GPtrArray) p_old = g_ptr_array_new ();
  g_autoptr(GPtrArray) g_old = g_ptr_array_new ();
  g_autoptr(GPtrArray) b_old = g_ptr_array_new ();
  g_autoptr(GPtrArray) p_new = g_ptr_array_new ();
  g_autoptr(GPtrArray) g_new = g_ptr_array_new ();
  g_autoptr(GPtrArray) b_new = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (params, i), *grad = g_ptr_array_index (grads, i);
      LtTensor *buf = NULL;

      if (momentum)
        buf = lt_state_dict_lookup (lt_optimizer_get_state (optimizer, p), "momentum_buffer");
      if (momentum && buf == NULL)
        {
          /* the buffer starts as the update, clone(d_p) */
          if ((buf = lt_empty_like (grad, error)) == NULL)
            return FALSE;
          g_ptr_array_add (p_new, p);
          g_ptr_array_add (g_new, grad);
          g_ptr_array_add (b_new, buf);
          continue;
        }
      g_ptr_array_add (p_old, p);
      g_ptr_array_add (g_old, grad);
      g_ptr_array_add (b_old, buf);
    }
  if (!sgd_multi_run (v, FALSE, p_old, g_old, b_old, error) ||
      !sgd_multi_run (v, TRUE, p_new, g_new, b_new, error))
    return FALSE;
  for (guint i = 0; i < p_new->len; i++)
    lt_state_dict_insert (lt_optimizer_get_state (optimizer, g_ptr_array_index (p_new, i)),
                          "momentum_buffer", g_ptr_array_index (b_new, i));
  return TRUE;
}

static gboolean
lt_sgd_step (LtOptimizer *optimizer, GError **error)
{
  static const char *const state_names[] = { "momentum_buffer", NULL };

  return _lt_optimizer_step_multi (optimizer, state_names, sgd_multi, error);
}

static void
lt_sgd_class_init (LtSGDClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = lt_sgd_update;
  LT_OPTIMIZER_CLASS (klass)->step = lt_sgd_step;
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
