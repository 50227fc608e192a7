/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-loss.h"
#include "lt-fused-private.h"
#include "backends/lt-backend-private.h"

/*
 * Losses: ops with a node of their own. The forward
 * composes public ops with grad mode off, then records one node
 * (MseLossBackward0, NllLossBackward0, ...) whose backward rule below
 * follows PyTorch 1.13's derivatives (tools/autograd/derivatives.yaml and
 * aten/src/ATen/native/Loss.cpp, LossNLL.cpp), so any
 * backend with the public ops runs them. nll_loss, on the hot path of
 * classification training, runs one kernel forward (LT_OP_NLL_LOSS) and one
 * backward (LT_OP_NLL_LOSS_GRAD) where the backend has them, and the same
 * computation in public ops where it has not.
 */

gboolean
_lt_loss_check_reduction (const char *op, LtReduction reduction, GError **error)
{
  if (reduction != LT_REDUCTION_NONE && reduction != LT_REDUCTION_MEAN &&
      reduction != LT_REDUCTION_SUM)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: %d is not a reduction (none, mean or sum)", op, (int) reduction);
      return FALSE;
    }
  return TRUE;
}

gboolean
_lt_loss_check_float (const char *op, const char *what, LtTensor *t, GError **error)
{
  if (!_lt_dtype_is_float (t->dtype))
    {
      g_autofree char *s = LT_SHAPE_STR (t);
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the %s must be floating point, not %s (shape %s)", op, what,
                   lt_dtype_get_name (t->dtype), s);
      return FALSE;
    }
  return TRUE;
}

/* Checks that @w broadcasts to @x's shape. */
gboolean
_lt_loss_check_broadcasts_to (const char *op,
                              const char *what,
                              LtTensor   *w,
                              LtTensor   *x,
                              GError    **error)
{
  gint64 shape[LT_MAX_DIMS];
  guint n;

  if (!_lt_shape_broadcast (w->shape, w->ndim, x->shape, x->ndim, shape, &n) ||
      !_lt_shape_equal (shape, n, x->shape, x->ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (w);
      g_autofree char *s2 = LT_SHAPE_STR (x);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: the %s of shape %s does not broadcast to the input's shape %s", op,
                   what, s1, s2);
      return FALSE;
    }
  return TRUE;
}

LtTensor *
_lt_loss_reduce (LtTensor *elem, LtReduction reduction, GError **error)
{
  switch (reduction)
    {
    case LT_REDUCTION_SUM:
      return lt_tensor_sum (elem, error);
    case LT_REDUCTION_MEAN:
      return lt_tensor_mean (elem, error);
    case LT_REDUCTION_NONE:
    default:
      return g_object_ref (elem);
    }
}

/* mse_loss, l1_loss */

static LtTensor *
pointwise_loss (LtOp         op,
                LtTensor    *input,
                LtTensor    *target,
                LtReduction  reduction,
                GError     **error)
{
  const char *name = _lt_op_table[op].name;
  LtTensor *both[2] = { input, target };
  gint64 shape[LT_MAX_DIMS];
  guint n;
  LtDType dt;
  g_autoptr(LtTensor) diff = NULL;
  g_autoptr(LtTensor) elem = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;
  gboolean prev;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  if (!_lt_loss_check_reduction (name, reduction, error))
    return NULL;
  dt = _lt_result_type (both, 2);
  if (!_lt_dtype_is_float (dt))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: expected floating-point input and target, got %s and %s", name,
                   lt_dtype_get_name (input->dtype), lt_dtype_get_name (target->dtype));
      return NULL;
    }
  if (!_lt_shape_broadcast (input->shape, input->ndim, target->shape, target->ndim, shape, &n))
    {
      g_autofree char *s1 = LT_SHAPE_STR (target);
      g_autofree char *s2 = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: the target's shape %s does not broadcast with the input's shape %s",
                   name, s1, s2);
      return NULL;
    }
  prev = lt_set_grad_enabled (FALSE);
  diff = lt_tensor_sub (input, target, error);
  if (diff)
    elem = op == LT_OP_MSE_LOSS ? lt_tensor_mul (diff, diff, error) : lt_tensor_abs (diff, error);
  out = elem ? _lt_loss_reduce (elem, reduction, error) : NULL;
  lt_set_grad_enabled (prev);
  if (out == NULL)
    return NULL;
  node = _lt_autograd_record (op, both, 2);
  if (node)
    {
      node->params.loss.reduction = reduction;
      _lt_autograd_save_args (node, both, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_mse_loss:
 * @input: a floating-point tensor
 * @target: a tensor whose shape broadcasts with @input's
 * @reduction: how to combine the squared errors
 * @error: return location for a #GError
 *
 * Computes the squared error `(input - target)^2`, as
 * `torch.nn.functional.mse_loss()`: the mean (or sum) over all elements,
 * or every element with %LT_REDUCTION_NONE. As in PyTorch, @target
 * broadcasts against @input (a (10) target against a (1, 10) output), and
 * an integer target is promoted to the input's type. The node is
 * `MseLossBackward0`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_mse_loss (LtTensor    *input,
             LtTensor    *target,
             LtReduction  reduction,
             GError     **error)
{
  return pointwise_loss (LT_OP_MSE_LOSS, input, target, reduction, error);
}

/**
 * lt_l1_loss:
 * @input: a floating-point tensor
 * @target: a tensor whose shape broadcasts with @input's
 * @reduction: how to combine the absolute errors
 * @error: return location for a #GError
 *
 * Computes the absolute error `|input - target|`, as
 * `torch.nn.functional.l1_loss()`, reduced as @reduction says. The node is
 * `L1LossBackward0`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_l1_loss (LtTensor    *input,
            LtTensor    *target,
            LtReduction  reduction,
            GError     **error)
{
  return pointwise_loss (LT_OP_L1_LOSS, input, target, reduction, error);
}

/* d loss / d input of a pointwise loss: factor * d(elem)/d(diff) * g */
static gboolean
pointwise_loss_backward (LtGradFn  *node,
                         LtTensor  *g,
                         LtTensor **gi,
                         gboolean   squared,
                         GError   **error)
{
  LT_SAVED (input, ARG0);
  LT_SAVED (target, ARG1);
  double norm = squared ? 2.0 : 1.0;
  g_autoptr(LtTensor) diff = lt_tensor_sub (input, target, error);
  g_autoptr(LtTensor) d = NULL;
  g_autoptr(LtTensor) gs = NULL;
  g_autoptr(LtTensor) gx = NULL;

  if (diff == NULL)
    return FALSE;
  if (node->params.loss.reduction == LT_REDUCTION_MEAN && diff->numel > 0)
    norm /= (double) diff->numel;
  /* mse: norm * (input - target) * grad; l1: sign(input - target) * grad / n */
  d = squared ? g_object_ref (diff) : lt_tensor_sign (diff, error);
  gs = d ? lt_tensor_mul_scalar (g, norm, error) : NULL;
  gx = gs ? lt_tensor_mul (d, gs, error) : NULL;
  if (gx == NULL)
    return FALSE;
  if (LT_NEEDS (1) && (gi[1] = lt_tensor_neg (gx, error)) == NULL)
    return FALSE;
  if (LT_NEEDS (0))
    gi[0] = g_steal_pointer (&gx);
  return TRUE;
}

gboolean
_lt_backward_mse_loss (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return pointwise_loss_backward (node, g, gi, TRUE, error);
}

gboolean
_lt_backward_l1_loss (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return pointwise_loss_backward (node, g, gi, FALSE, error);
}

/* nll_loss */

/* Checks a class-index target against @input (N, C, d1, ...) or (C), and
 * a class weight; returns the target as int64. */
static LtTensor *
check_class_target (const char *op,
                    LtTensor   *input,
                    LtTensor   *target,
                    LtTensor   *weight,
                    GError    **error)
{
  gint64 expect[LT_MAX_DIMS];
  guint n = 0;
  gint64 classes;

  if (input->ndim == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected an input of shape [C] or [N, C, ...] (1 or more dimensions), "
                   "got a 0-dim tensor", op);
      return NULL;
    }
  classes = input->ndim == 1 ? input->shape[0] : input->shape[1];
  for (guint d = 0; d < input->ndim; d++)
    if (d != (input->ndim == 1 ? 0u : 1u))
      expect[n++] = input->shape[d];
  if (!lt_dtype_is_integral (target->dtype, FALSE))
    {
      g_autofree char *s1 = LT_SHAPE_STR (target);
      g_autofree char *s2 = _lt_shape_to_string (expect, n);
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: expected a target of class indices (int64) of shape %s, got %s of "
                   "shape %s", op, s2, lt_dtype_get_name (target->dtype), s1);
      return NULL;
    }
  if (!_lt_shape_equal (target->shape, target->ndim, expect, n))
    {
      g_autofree char *s1 = LT_SHAPE_STR (target);
      g_autofree char *s2 = _lt_shape_to_string (expect, n);
      g_autofree char *s3 = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected a target of shape %s for an input of shape %s, got %s", op,
                   s2, s3, s1);
      return NULL;
    }
  if (weight)
    {
      if (weight->ndim != 1 || weight->shape[0] != classes)
        {
          g_autofree char *s = LT_SHAPE_STR (weight);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "%s: the class weight must have one element per class (%" G_GINT64_FORMAT
                       "), got shape %s", op, classes, s);
          return NULL;
        }
      if (!_lt_loss_check_float (op, "class weight", weight, error))
        return NULL;
    }
  return _lt_cast (target, LT_DTYPE_INT64, error);
}

/* The message of a class index out of range */
static void
set_target_error (GError    **error,
                  const char *op,
                  gint64      target,
                  gint64      classes,
                  gint64      ignore_index)
{
  g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
               "%s: target %" G_GINT64_FORMAT " is out of bounds: class indices must be in "
               "[0, %" G_GINT64_FORMAT ") or equal ignore_index (%" G_GINT64_FORMAT ")", op,
               target, classes, ignore_index);
}

/* nll_loss with public ops, for backends without the kernel; @x2 is
 * (N, C, ...), @t2 (N, ...) int64. */
static LtTensor *
nll_forward_composed (const char  *op,
                      LtTensor    *x2,
                      LtTensor    *t2,
                      LtTensor    *w,
                      gint64       ignore_index,
                      LtReduction  reduction,
                      LtTensor   **total,
                      GError     **error)
{
  gint64 classes = x2->shape[1];
  g_autoptr(LtTensor) ign = lt_scalar_int (ignore_index);
  g_autoptr(LtTensor) ignored = NULL;
  g_autoptr(LtTensor) safe = NULL;
  g_autoptr(LtTensor) index = NULL;
  g_autoptr(LtTensor) picked = NULL;
  g_autoptr(LtTensor) picked2 = NULL;
  g_autoptr(LtTensor) weights = NULL;
  g_autoptr(LtTensor) elem = NULL;
  g_autoptr(LtTensor) loss = NULL;
  g_autoptr(LtTensor) sum = NULL;

  ignored = lt_tensor_eq (t2, ign, error);
  safe = ignored ? lt_tensor_masked_fill (t2, ignored, 0, error) : NULL;
  if (safe == NULL)
    return NULL;
  if (safe->numel > 0)
    {
      g_autoptr(LtTensor) lo = lt_tensor_min (safe, error);
      g_autoptr(LtTensor) hi = lo ? lt_tensor_max (safe, error) : NULL;
      gint64 vlo, vhi;

      if (hi == NULL || !lt_tensor_item_int64 (lo, &vlo, error) ||
          !lt_tensor_item_int64 (hi, &vhi, error))
        return NULL;
      if (vlo < 0 || vhi >= classes)
        {
          set_target_error (error, op, vlo < 0 ? vlo : vhi, classes, ignore_index);
          return NULL;
        }
    }
  index = lt_tensor_unsqueeze (safe, 1, error);
  picked2 = index ? lt_tensor_gather (x2, 1, index, error) : NULL;
  picked = picked2 ? lt_tensor_squeeze_dim (picked2, 1, error) : NULL;
  if (picked == NULL)
    return NULL;
  if (w)
    {
      g_autoptr(LtTensor) flat = lt_tensor_reshape (safe, (gint64[]) { -1 }, 1, error);
      g_autoptr(LtTensor) wflat = flat ? lt_tensor_index_select (w, 0, flat, error) : NULL;
      g_autoptr(LtTensor) wp = wflat ? lt_tensor_reshape (wflat, safe->shape, safe->ndim,
                                                          error) : NULL;

      weights = wp ? lt_tensor_masked_fill (wp, ignored, 0, error) : NULL;
    }
  else
    {
      g_autoptr(LtTensor) valid = lt_tensor_logical_not (ignored, error);

      weights = valid ? lt_tensor_to_dtype (valid, x2->dtype, error) : NULL;
    }
  elem = weights ? lt_tensor_mul (picked, weights, error) : NULL;
  loss = elem ? lt_tensor_neg (elem, error) : NULL;
  *total = loss ? lt_tensor_sum (weights, error) : NULL;
  if (*total == NULL)
    return NULL;
  switch (reduction)
    {
    case LT_REDUCTION_NONE:
      return g_steal_pointer (&loss);
    case LT_REDUCTION_SUM:
      return lt_tensor_sum (loss, error);
    case LT_REDUCTION_MEAN:
    default:
      /* the weighted mean: divided by the weights of the counted targets */
      sum = lt_tensor_sum (loss, error);
      return sum ? lt_tensor_div (sum, *total, error) : NULL;
    }
}

/* The loss of nll, grad mode off, with the backend's kernel when it has
 * one. @x2 is (N, C, ...), @t2 (N, ...) int64, @w (C) of x2's dtype or
 * NULL; @total receives the total weight of the counted targets. */
static LtTensor *
nll_forward (const char  *op,
             LtTensor    *x2,
             LtTensor    *t2,
             LtTensor    *w,
             gint64       ignore_index,
             LtReduction  reduction,
             LtTensor   **total,
             GError     **error)
{
  LtOpParams p = { .loss = { .reduction = reduction, .ignore_index = ignore_index } };
  g_autoptr(LtTensor) xc = NULL;
  g_autoptr(LtTensor) tc = NULL;
  g_autoptr(LtTensor) wc = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtTensor *in[3];

  if (!_lt_backend_supports_op (x2->storage->device, LT_OP_NLL_LOSS, x2->dtype))
    return nll_forward_composed (op, x2, t2, w, ignore_index, reduction, total, error);
  if (!_lt_check_devices (op, (LtTensor *[]) { x2, t2, w }, w ? 3 : 2, error))
    return NULL;
  xc = _lt_contiguous (x2, error);
  tc = xc ? _lt_contiguous (t2, error) : NULL;
  wc = tc && w ? _lt_contiguous (w, error) : NULL;
  if (tc == NULL || (w && wc == NULL))
    return NULL;
  out = reduction == LT_REDUCTION_NONE
          ? _lt_tensor_new_empty (t2->shape, t2->ndim, x2->dtype, x2->storage->device, error)
          : _lt_tensor_new_empty (NULL, 0, x2->dtype, x2->storage->device, error);
  *total = out ? _lt_tensor_new_empty (NULL, 0, x2->dtype, x2->storage->device, error) : NULL;
  if (*total == NULL)
    return NULL;
  in[0] = xc, in[1] = tc, in[2] = wc;
  if (!_lt_run (LT_OP_NLL_LOSS, out, *total, in, 3, &p, error))
    {
      g_prefix_error (error, "%s: ", op);
      g_clear_object (total);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* nll_loss with its node; @total_out (nullable) receives the total weight
 * of the counted targets. */
static LtTensor *
nll_loss_full (const char  *op,
               LtTensor    *input,
               LtTensor    *target,
               LtTensor    *weight,
               gint64       ignore_index,
               LtReduction  reduction,
               LtTensor   **total_out,
               GError     **error)
{
  g_autoptr(LtTensor) t = NULL;
  g_autoptr(LtTensor) t2 = NULL;
  g_autoptr(LtTensor) x2 = NULL;
  g_autoptr(LtTensor) w = NULL;
  g_autoptr(LtTensor) total = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;
  gboolean prev;

  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !_lt_loss_check_float (op, "input", input, error))
    return NULL;
  t = check_class_target (op, input, target, weight, error);
  if (t == NULL)
    return NULL;
  prev = lt_set_grad_enabled (FALSE);
  /* (C) with a 0-dim target is one sample: (1, C) and (1) */
  if (input->ndim == 1)
    {
      x2 = lt_tensor_unsqueeze (input, 0, error);
      t2 = x2 ? lt_tensor_unsqueeze (t, 0, error) : NULL;
    }
  else
    {
      x2 = g_object_ref (input);
      t2 = g_object_ref (t);
    }
  w = t2 && weight ? _lt_cast (weight, input->dtype, error) : NULL;
  if (t2 && (weight == NULL || w))
    out = nll_forward (op, x2, t2, w, ignore_index, reduction, &total, error);
  lt_set_grad_enabled (prev);
  if (out == NULL)
    return NULL;
  if (reduction == LT_REDUCTION_NONE && input->ndim == 1)
    {
      /* the target's shape: a 0-dim loss for a (C) input (out is a new
       * contiguous tensor) */
      LtTensor *o = _lt_alias_shape (out, t->shape, t->ndim);

      g_object_unref (out);
      out = o;
    }
  node = _lt_autograd_record (LT_OP_NLL_LOSS, &input, 1);
  if (node)
    {
      node->params.loss.reduction = reduction;
      node->params.loss.ignore_index = ignore_index;
      _lt_autograd_save_args (node, (LtTensor *[]){ x2, t2, w }, 3, NULL);
      _lt_autograd_set_outputs (node, out, total);
    }
  if (total_out)
    *total_out = g_steal_pointer (&total);
  return g_steal_pointer (&out);
}

/**
 * lt_nll_loss:
 * @input: log-probabilities of shape (N, C), (N, C, d1, d2, ...) or (C)
 * @target: class indices (int64) of shape (N), (N, d1, d2, ...) or ()
 * @weight: (nullable): a weight per class, of shape (C)
 * @ignore_index: a target value that counts for nothing (PyTorch's
 *   default: -100)
 * @reduction: how to combine the losses of the samples
 * @error: return location for a #GError
 *
 * Computes the negative log-likelihood loss `-weight[t] * input[n, t]`, as
 * `torch.nn.functional.nll_loss()`. With %LT_REDUCTION_MEAN the sum is
 * divided by the sum of the weights of the targets that are not ignored
 * (NaN when every target is ignored). Its node is `NllLossBackward0`; the
 * weight is not differentiated, as in PyTorch.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 *   for a target of the wrong type or shape or a class index out of range
 */
LtTensor *
lt_nll_loss (LtTensor    *input,
             LtTensor    *target,
             LtTensor    *weight,
             gint64       ignore_index,
             LtReduction  reduction,
             GError     **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  return nll_loss_full ("nll_loss", input, target, weight, ignore_index, reduction, NULL,
                        error);
}

gboolean
_lt_backward_nll_loss (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* grad_input[n, t[n]] = -weight[t[n]] * grad (/ total weight for mean), 0 for
   * ignored targets (even when the total weight is 0) */
  LT_SAVED (t2, ARG1);
  LT_SAVED_OPTIONAL (w, ARG2);
  LT_SAVED (total, AUX);
  const LtTensorMeta *in = &node->input_meta[0];
  gint64 shape2[LT_MAX_DIMS];
  guint n2 = in->ndim;
  g_autoptr(LtTensor) gw = NULL;
  g_autoptr(LtTensor) grad2 = NULL;

  if (!LT_NEEDS (0))
    return TRUE;
  if (in->ndim == 1)
    {
      shape2[0] = 1;
      shape2[1] = in->shape[0];
      n2 = 2;
    }
  else
    memcpy (shape2, in->shape, in->ndim * sizeof (gint64));
  if (node->params.loss.reduction == LT_REDUCTION_NONE)
    gw = lt_tensor_reshape (g, t2->shape, t2->ndim, error);
  else if (node->params.loss.reduction == LT_REDUCTION_MEAN)
    gw = lt_tensor_div (g, total, error);
  else
    gw = g_object_ref (g);
  if (gw == NULL)
    return FALSE;

  if (!(gw->requires_grad && _lt_creating_graph ()) &&
      _lt_backend_supports_op (in->device, LT_OP_NLL_LOSS_GRAD, in->dtype))
    {
      g_autoptr(LtTensor) gc = _lt_cast (gw, in->dtype, error);
      g_autoptr(LtTensor) gcc = gc ? _lt_contiguous (gc, error) : NULL;
      LtTensor *kin[3] = { gcc, t2, w };

      grad2 = gcc ? _lt_tensor_new_empty (shape2, n2, in->dtype, in->device, error) : NULL;
      if (grad2 == NULL || !_lt_run (LT_OP_NLL_LOSS_GRAD, grad2, NULL, kin, 3, &node->params,
                                     error))
        return FALSE;
    }
  else
    {
      g_autoptr(LtTensor) ign = lt_scalar_int (node->params.loss.ignore_index);
      g_autoptr(LtTensor) ignored = lt_tensor_eq (t2, ign, error);
      g_autoptr(LtTensor) safe = ignored ? lt_tensor_masked_fill (t2, ignored, 0, error) : NULL;
      g_autoptr(LtTensor) weights = NULL;
      g_autoptr(LtTensor) gsrc = NULL;
      g_autoptr(LtTensor) index = NULL;
      g_autoptr(LtTensor) src = NULL;
      g_autoptr(LtTensor) zeros = NULL;

      if (safe == NULL)
        return FALSE;
      if (w)
        {
          g_autoptr(LtTensor) flat = lt_tensor_reshape (safe, (gint64[]) { -1 }, 1, error);
          g_autoptr(LtTensor) wflat = flat ? lt_tensor_index_select (w, 0, flat, error) : NULL;

          weights = wflat ? lt_tensor_reshape (wflat, safe->shape, safe->ndim, error) : NULL;
        }
      else
        weights = lt_ones (safe->shape, safe->ndim, in->dtype, error);
      gsrc = weights ? lt_tensor_mul (weights, gw, error) : NULL;
      if (gsrc == NULL || !lt_tensor_neg_ (gsrc, error) ||
          !lt_tensor_masked_fill_ (gsrc, ignored, 0, error))
        return FALSE;
      index = lt_tensor_unsqueeze (safe, 1, error);
      src = index ? lt_tensor_unsqueeze (gsrc, 1, error) : NULL;
      zeros = src ? lt_zeros (shape2, n2, in->dtype, error) : NULL;
      grad2 = zeros ? lt_tensor_scatter_add (zeros, 1, index, src, error) : NULL;
      if (grad2 == NULL)
        return FALSE;
    }
  gi[0] = lt_tensor_reshape (grad2, in->shape, in->ndim, error);
  return gi[0] != NULL;
}

/* cross_entropy */

/* The class weight as (1, C, 1, ...) to broadcast against @x, or (C). */
static LtTensor *
class_weight_view (LtTensor *weight,
                   LtTensor *x,
                   GError  **error)
{
  gint64 shape[LT_MAX_DIMS];
  guint class_dim = x->ndim == 1 ? 0 : 1;

  for (guint d = 0; d < x->ndim; d++)
    shape[d] = d == class_dim ? weight->shape[0] : 1;
  return lt_tensor_reshape (weight, shape, x->ndim, error);
}

/* Class probabilities as targets (PyTorch's cross_entropy_loss_prob_target) */
static LtTensor *
cross_entropy_probs (LtTensor    *logp,
                     LtTensor    *target,
                     LtTensor    *weight,
                     LtReduction  reduction,
                     double       label_smoothing,
                     GError     **error)
{
  gint class_dim = logp->ndim == 1 ? 0 : 1;
  gint64 classes = logp->shape[class_dim];
  g_autoptr(LtTensor) t = NULL;
  g_autoptr(LtTensor) prod = NULL;
  g_autoptr(LtTensor) s = NULL;

  if (label_smoothing > 0)
    {
      g_autoptr(LtTensor) ts = lt_tensor_mul_scalar (target, 1 - label_smoothing, error);

      t = ts ? lt_tensor_add_scalar (ts, label_smoothing / (double) classes, error) : NULL;
    }
  else
    t = g_object_ref (target);
  prod = t ? lt_tensor_mul (logp, t, error) : NULL;
  if (prod && weight)
    {
      g_autoptr(LtTensor) wv = class_weight_view (weight, logp, error);
      g_autoptr(LtTensor) pw = wv ? lt_tensor_mul (prod, wv, error) : NULL;

      g_clear_object (&prod);
      prod = g_steal_pointer (&pw);
    }
  if (prod == NULL)
    return NULL;
  switch (reduction)
    {
    case LT_REDUCTION_NONE:
      s = lt_tensor_sum_dim (prod, class_dim, FALSE, error);
      return s ? lt_tensor_neg (s, error) : NULL;
    case LT_REDUCTION_SUM:
      s = lt_tensor_sum (prod, error);
      return s ? lt_tensor_neg (s, error) : NULL;
    case LT_REDUCTION_MEAN:
    default:
      {
        /* -(sum) / (numel / C); NaN for an empty batch */
        g_autoptr(LtTensor) ns = NULL;

        s = lt_tensor_sum (prod, error);
        ns = s ? lt_tensor_neg (s, error) : NULL;
        if (ns == NULL)
          return NULL;
        if (logp->numel == 0)
          return lt_tensor_mul_scalar (ns, NAN, error);
        return lt_tensor_div_scalar (ns, (double) (logp->numel / classes), error);
      }
    }
}

/**
 * lt_cross_entropy:
 * @input: unnormalised scores (logits) of shape (N, C), (N, C, d1, ...) or (C)
 * @target: class indices (int64) of shape (N), (N, d1, ...) or (), or class
 *   probabilities of @input's shape
 * @weight: (nullable): a weight per class, of shape (C)
 * @ignore_index: a target value that counts for nothing (PyTorch's
 *   default: -100); class-index targets only
 * @reduction: how to combine the losses of the samples
 * @label_smoothing: in [0, 1]: the share of the target moved to a uniform
 *   distribution over the classes (PyTorch's default: 0)
 * @error: return location for a #GError
 *
 * Computes the cross entropy between the softmax of @input and @target, as
 * `torch.nn.functional.cross_entropy()`: `log_softmax` along the class
 * dimension, then lt_nll_loss(), with PyTorch's label-smoothing formula
 * `(1 - ls) * nll + ls / C * smooth` where `smooth` is the (class-weighted)
 * sum of `-log_softmax` over the classes, reduced like the loss. The
 * log-softmax subtracts the maximum, so large logits do not overflow.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 *   for a target of the wrong type or shape or a class out of range
 */
LtTensor *
lt_cross_entropy (LtTensor    *input,
                  LtTensor    *target,
                  LtTensor    *weight,
                  gint64       ignore_index,
                  LtReduction  reduction,
                  double       label_smoothing,
                  GError     **error)
{
  const char *op = "cross_entropy";
  g_autoptr(LtTensor) total = NULL;
  g_autoptr(LtTensor) ignored = NULL;
  g_autoptr(LtTensor) logp = NULL;
  g_autoptr(LtTensor) nll = NULL;
  g_autoptr(LtTensor) wv = NULL;
  g_autoptr(LtTensor) prod = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) smooth = NULL;
  g_autoptr(LtTensor) masked = NULL;
  g_autoptr(LtTensor) ret = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  gint class_dim;
  gint64 classes;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !_lt_loss_check_float (op, "input", input, error))
    return NULL;
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: label_smoothing must be between 0.0 and 1.0, got %g", op,
                   label_smoothing);
      return NULL;
    }
  if (input->ndim == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected an input of shape [C] or [N, C, ...] (1 or more "
                   "dimensions), got a 0-dim tensor", op);
      return NULL;
    }
  class_dim = input->ndim == 1 ? 0 : 1;
  classes = input->shape[class_dim];

  /* Class probabilities: a target of the input's shape */
  if (_lt_shape_equal (target->shape, target->ndim, input->shape, input->ndim) &&
      _lt_dtype_is_float (target->dtype))
    {
      if (ignore_index >= 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "%s: ignore_index is not supported for class-probability targets", op);
          return NULL;
        }
      if (weight && (weight->ndim != 1 || weight->shape[0] != classes))
        {
          g_autofree char *sw = LT_SHAPE_STR (weight);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "%s: the class weight must have one element per class (%"
                       G_GINT64_FORMAT "), got shape %s", op, classes, sw);
          return NULL;
        }
      if (weight && !_lt_loss_check_float (op, "class weight", weight, error))
        return NULL;
      logp = lt_tensor_log_softmax (input, class_dim, error);
      return logp ? cross_entropy_probs (logp, target, weight, reduction, label_smoothing,
                                         error) : NULL;
    }
  if (_lt_dtype_is_float (target->dtype))
    {
      gint64 expect[LT_MAX_DIMS];
      guint n = 0;
      g_autofree char *st = LT_SHAPE_STR (target);
      g_autofree char *si = LT_SHAPE_STR (input);
      g_autofree char *se = NULL;

      for (guint d = 0; d < input->ndim; d++)
        if (d != (guint) class_dim)
          expect[n++] = input->shape[d];
      se = _lt_shape_to_string (expect, n);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected a target of class indices (int64) of shape %s or of class "
                   "probabilities (floating point) of the input's shape %s, got %s of shape %s",
                   op, se, si, lt_dtype_get_name (target->dtype), st);
      return NULL;
    }

  /* Class indices: validate before computing anything */
  {
    g_autoptr(LtTensor) t = check_class_target (op, input, target, weight, error);

    if (t == NULL)
      return NULL;
    /* one kernel each way where the backend has it (ops/lt-fused-loss.c) */
    if (_lt_cross_entropy_fused_applies (input, weight, label_smoothing))
      return _lt_cross_entropy_fused (input, t, weight, ignore_index, reduction, error);
  }
  logp = lt_tensor_log_softmax (input, class_dim, error);
  nll = logp ? nll_loss_full (op, logp, target, weight, ignore_index, reduction, &total,
                              error) : NULL;
  if (nll == NULL || label_smoothing <= 0)
    return g_steal_pointer (&nll);

  /* PyTorch's cross_entropy_loss_label_smoothing */
  if (weight)
    {
      g_autoptr(LtTensor) wc = _lt_cast (weight, logp->dtype, error);

      wv = wc ? class_weight_view (wc, logp, error) : NULL;
      prod = wv ? lt_tensor_mul (logp, wv, error) : NULL;
    }
  else
    prod = g_object_ref (logp);
  s = prod ? lt_tensor_sum_dim (prod, class_dim, FALSE, error) : NULL;
  smooth = s ? lt_tensor_neg (s, error) : NULL;
  if (smooth == NULL)
    return NULL;
  {
    /* the ignored targets count for nothing (target's shape, as smooth's) */
    g_autoptr(LtTensor) ign = lt_scalar_int (ignore_index);

    ignored = lt_tensor_eq (target, ign, error);
    masked = ignored ? lt_tensor_masked_fill (smooth, ignored, 0, error) : NULL;
  }
  if (masked == NULL)
    return NULL;
  switch (reduction)
    {
    case LT_REDUCTION_NONE:
      ret = g_object_ref (masked);
      break;
    case LT_REDUCTION_SUM:
      ret = lt_tensor_sum (masked, error);
      break;
    case LT_REDUCTION_MEAN:
    default:
      {
        g_autoptr(LtTensor) ms = lt_tensor_sum (masked, error);

        ret = ms ? lt_tensor_div (ms, total, error) : NULL;
      }
      break;
    }
  a = ret ? lt_tensor_mul_scalar (nll, 1 - label_smoothing, error) : NULL;
  b = a ? lt_tensor_mul_scalar (ret, label_smoothing / (double) classes, error) : NULL;
  return b ? lt_tensor_add (a, b, error) : NULL;
}

/* binary_cross_entropy_with_logits */

/* log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)), stably */
static LtTensor *
log_sigmoid (LtTensor *x,
             GError  **error)
{
  g_autoptr(LtTensor) ax = lt_tensor_abs (x, error);
  g_autoptr(LtTensor) na = ax ? lt_tensor_neg (ax, error) : NULL;
  g_autoptr(LtTensor) ex = na ? lt_tensor_exp (na, error) : NULL;
  g_autoptr(LtTensor) e = NULL;
  g_autoptr(LtTensor) l = NULL;
  g_autoptr(LtTensor) m = NULL;

  /* out of place: exp's saved output must stay as it was for a backward
   * rule run under create_graph */
  e = ex ? lt_tensor_add_scalar (ex, 1, error) : NULL;
  if (e == NULL)
    return NULL;
  l = lt_tensor_log (e, error);
  m = l ? lt_tensor_minimum_scalar (x, 0, error) : NULL;
  return m ? lt_tensor_sub (m, l, error) : NULL;
}

/* PyTorch's binary_cross_entropy_with_logits, before the class weight:
 * (1 - t) * x + lw * (log(exp(-m) + exp(-x - m)) + m), m = max(-x, 0),
 * lw = (pos_weight - 1) * t + 1 */
static LtTensor *
bce_unweighted (LtTensor *x,
                LtTensor *t,
                LtTensor *pos_weight,
                GError  **error)
{
  g_autoptr(LtTensor) negx = lt_tensor_neg (x, error);
  g_autoptr(LtTensor) max_val = negx ? lt_tensor_clamp (negx, 0, INFINITY, error) : NULL;
  g_autoptr(LtTensor) omt = max_val ? lt_tensor_rsub_scalar (t, 1, error) : NULL;
  g_autoptr(LtTensor) a = omt ? lt_tensor_mul (omt, x, error) : NULL;
  g_autoptr(LtTensor) nm = a ? lt_tensor_neg (max_val, error) : NULL;
  g_autoptr(LtTensor) e1 = nm ? lt_tensor_exp (nm, error) : NULL;
  g_autoptr(LtTensor) d2 = e1 ? lt_tensor_sub (negx, max_val, error) : NULL;
  g_autoptr(LtTensor) e2 = d2 ? lt_tensor_exp (d2, error) : NULL;
  g_autoptr(LtTensor) sum = e2 ? lt_tensor_add (e1, e2, error) : NULL;
  g_autoptr(LtTensor) lse = NULL;

  /* out of place: exp's saved outputs must stay as they were (create_graph) */
  if (sum == NULL)
    return NULL;
  lse = lt_tensor_log (sum, error);
  if (lse == NULL)
    return NULL;
  if (pos_weight)
    {
      g_autoptr(LtTensor) pm1 = lt_tensor_sub_scalar (pos_weight, 1, error);
      g_autoptr(LtTensor) lw = pm1 ? lt_tensor_mul (pm1, t, error) : NULL;
      g_autoptr(LtTensor) prod = NULL;

      if (lw == NULL || !lt_tensor_add_scalar_ (lw, 1, error) ||
          !lt_tensor_add_ (lse, max_val, error))
        return NULL;
      prod = lt_tensor_mul (lw, lse, error);
      return prod ? lt_tensor_add (a, prod, error) : NULL;
    }
  if (!lt_tensor_add_ (a, max_val, error) || !lt_tensor_add_ (a, lse, error))
    return NULL;
  return g_steal_pointer (&a);
}

/**
 * lt_binary_cross_entropy_with_logits:
 * @input: logits, any shape
 * @target: probabilities (floating point) of @input's shape
 * @weight: (nullable): a weight that broadcasts to @input's shape
 * @pos_weight: (nullable): a weight of the positive examples, broadcasting
 *   to @input's shape (one per class along the last dimension)
 * @reduction: how to combine the losses of the elements
 * @error: return location for a #GError
 *
 * Computes the binary cross entropy of `sigmoid(input)` against @target, as
 * `torch.nn.functional.binary_cross_entropy_with_logits()`, in PyTorch's
 * stable form: `(1 - t) x + lw (log(exp(-m) + exp(-x - m)) + m)` with
 * `m = max(-x, 0)` and `lw = (pos_weight - 1) t + 1`, times @weight. Large
 * logits give finite losses. Its node is
 * `BinaryCrossEntropyWithLogitsBackward0`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_binary_cross_entropy_with_logits (LtTensor    *input,
                                     LtTensor    *target,
                                     LtTensor    *weight,
                                     LtTensor    *pos_weight,
                                     LtReduction  reduction,
                                     GError     **error)
{
  const char *op = "binary_cross_entropy_with_logits";
  LtTensor *inputs[4] = { input, target, weight, pos_weight };
  g_autoptr(LtTensor) t = NULL;
  g_autoptr(LtTensor) w = NULL;
  g_autoptr(LtTensor) pw = NULL;
  g_autoptr(LtTensor) loss = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;
  gboolean prev;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (pos_weight == NULL || LT_IS_TENSOR (pos_weight), NULL);
  if (!_lt_loss_check_reduction (op, reduction, error) ||
      !_lt_loss_check_float (op, "input", input, error) ||
      !_lt_loss_check_float (op, "target", target, error))
    return NULL;
  if (!_lt_shape_equal (target->shape, target->ndim, input->shape, input->ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (target);
      g_autofree char *s2 = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: the target's shape %s must be the same as the input's shape %s", op,
                   s1, s2);
      return NULL;
    }
  if (weight && (!_lt_loss_check_float (op, "weight", weight, error) ||
                 !_lt_loss_check_broadcasts_to (op, "weight", weight, input, error)))
    return NULL;
  if (pos_weight && (!_lt_loss_check_float (op, "pos_weight", pos_weight, error) ||
                     !_lt_loss_check_broadcasts_to (op, "pos_weight", pos_weight, input, error)))
    return NULL;

  prev = lt_set_grad_enabled (FALSE);
  t = _lt_cast (target, input->dtype, error);
  w = t && weight ? _lt_cast (weight, input->dtype, error) : NULL;
  pw = t && pos_weight ? _lt_cast (pos_weight, input->dtype, error) : NULL;
  if (t && (weight == NULL || w) && (pos_weight == NULL || pw))
    loss = bce_unweighted (input, t, pw, error);
  if (loss && w && !lt_tensor_mul_ (loss, w, error))
    g_clear_object (&loss);
  out = loss ? _lt_loss_reduce (loss, reduction, error) : NULL;
  lt_set_grad_enabled (prev);
  if (out == NULL)
    return NULL;
  node = _lt_autograd_record (LT_OP_BCE_WITH_LOGITS, inputs, 4);
  if (node)
    {
      node->params.loss.reduction = reduction;
      _lt_autograd_save_args (node, (LtTensor *[]){ input, t, w, pw }, 4, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

gboolean
_lt_backward_bce_with_logits (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  LT_SAVED (t, ARG1);
  LT_SAVED_OPTIONAL (w, ARG2);
  LT_SAVED_OPTIONAL (pw, ARG3);
  g_autoptr(LtTensor) gs = NULL;
  double norm = 1.0;

  if (node->params.loss.reduction == LT_REDUCTION_MEAN && x->numel > 0)
    norm = 1.0 / (double) x->numel;
  /* grad * weight / n, shared by every input */
  gs = lt_tensor_mul_scalar (g, norm, error);
  if (gs && w)
    {
      g_autoptr(LtTensor) gsw = lt_tensor_mul (gs, w, error);

      g_clear_object (&gs);
      gs = g_steal_pointer (&gsw);
    }
  if (gs == NULL)
    return FALSE;

  if (LT_NEEDS (0))
    {
      /* pos_weight: ((pw t + 1 - t) sigmoid(x) - pw t) grad; else (sigmoid(x) - t) grad */
      g_autoptr(LtTensor) sig = lt_tensor_sigmoid (x, error);
      g_autoptr(LtTensor) d = NULL;

      if (sig == NULL)
        return FALSE;
      if (pw)
        {
          g_autoptr(LtTensor) pt = lt_tensor_mul (pw, t, error);
          g_autoptr(LtTensor) c = pt ? lt_tensor_add_scalar (pt, 1, error) : NULL;
          g_autoptr(LtTensor) cs = NULL;

          if (c == NULL || !lt_tensor_sub_ (c, t, error))
            return FALSE;
          cs = lt_tensor_mul (c, sig, error);
          d = cs ? lt_tensor_sub (cs, pt, error) : NULL;
        }
      else
        d = lt_tensor_sub (sig, t, error);
      if (d == NULL || (gi[0] = lt_tensor_mul (d, gs, error)) == NULL)
        return FALSE;
    }
  if (LT_NEEDS (1))
    {
      /* pos_weight: (log_sigmoid(-x) - pw log_sigmoid(x)) grad; else -x grad */
      g_autoptr(LtTensor) d = NULL;

      if (pw)
        {
          g_autoptr(LtTensor) negx = lt_tensor_neg (x, error);
          g_autoptr(LtTensor) lsn = negx ? log_sigmoid (negx, error) : NULL;
          g_autoptr(LtTensor) ls = lsn ? log_sigmoid (x, error) : NULL;
          g_autoptr(LtTensor) pls = ls ? lt_tensor_mul (ls, pw, error) : NULL;

          d = pls ? lt_tensor_sub (lsn, pls, error) : NULL;
        }
      else
        d = lt_tensor_neg (x, error);
      if (d == NULL || (gi[1] = lt_tensor_mul (d, gs, error)) == NULL)
        return FALSE;
    }
  if (LT_NEEDS (2) || LT_NEEDS (3))
    {
      /* d/d weight: the unweighted loss; d/d pos_weight: -t log_sigmoid(x) weight */
      g_autoptr(LtTensor) gn = lt_tensor_mul_scalar (g, norm, error);

      if (gn == NULL)
        return FALSE;
      if (LT_NEEDS (2))
        {
          g_autoptr(LtTensor) l = bce_unweighted (x, t, pw, error);

          if (l == NULL || (gi[2] = lt_tensor_mul (l, gn, error)) == NULL)
            return FALSE;
        }
      if (LT_NEEDS (3))
        {
          g_autoptr(LtTensor) ls = log_sigmoid (x, error);
          g_autoptr(LtTensor) tl = ls ? lt_tensor_mul (t, ls, error) : NULL;

          if (tl == NULL || !lt_tensor_neg_ (tl, error) || (gi[3] = lt_tensor_mul (tl, gs, error)) == NULL)
            return FALSE;
        }
    }
  return TRUE;
}
