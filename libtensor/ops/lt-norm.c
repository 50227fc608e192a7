/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-norm.h"
#include "lt-batch-norm-private.h"

/*
 * Layer and group normalisation, as ATen's native_layer_norm and
 * native_group_norm: one kernel normalises each row of the contiguous
 * input viewed as (rows, D) and scales and shifts it by channel
 * (LtNormParams); its second output, each row's mean and 1 / std, is what
 * the backward rule reads. The rule runs one kernel, norm_grad, for the
 * input's gradient and the weight's and bias's.
 */

static gboolean
check_float (const char *op, LtTensor *input, GError **error)
{
  if (input->dtype != LT_DTYPE_FLOAT32 && input->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: expected a float32 or float64 input, got %s", op,
                   lt_dtype_get_name (input->dtype));
      return FALSE;
    }
  return TRUE;
}

/* @weight's or @bias's shape must be @shape, its dtype the input's */
static gboolean
check_affine (const char   *op,
              const char   *what,
              LtTensor     *t,
              LtTensor     *input,
              const gint64 *shape,
              guint         ndim,
              GError      **error)
{
  if (t == NULL)
    return TRUE;
  if (t->ndim != ndim || memcmp (t->shape, shape, ndim * sizeof (gint64)) != 0)
    {
      g_autofree char *s1 = LT_SHAPE_STR (t);
      g_autofree char *s2 = _lt_shape_to_string (shape, ndim);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: the %s has shape %s, expected %s", op,
                   what, s1, s2);
      return FALSE;
    }
  if (t->dtype != input->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the %s is %s but the input is %s; they must have the same dtype", op, what,
                   lt_dtype_get_name (t->dtype), lt_dtype_get_name (input->dtype));
      return FALSE;
    }
  return TRUE;
}

/* Runs @op's kernel and records its node; the checks are done. */
static LtTensor *
norm_run (LtOp op, LtTensor *input, LtTensor *weight, LtTensor *bias, LtOpParams *p, GError **error)
{
  LtTensor *ts[3] = { input, weight, bias };
  LtTensor *dev[3];
  guint     n_dev = 0;
  gint64    sshape[2] = { 2, p->norm.rows };
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) cw = NULL;
  g_autoptr(LtTensor) cb = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) stats = NULL;
  LtTensor *kin[3];
  LtGradFn *node;

  for (guint i = 0; i < 3; i++)
    if (ts[i])
      dev[n_dev++] = ts[i];
  if (!_lt_check_devices (_lt_op_table[op].name, dev, n_dev, error))
    return NULL;
  if ((cx = _lt_contiguous (input, error)) == NULL)
    return NULL;
  if (weight && (cw = _lt_contiguous (weight, error)) == NULL)
    return NULL;
  if (bias && (cb = _lt_contiguous (bias, error)) == NULL)
    return NULL;
  out =
    _lt_tensor_new_empty (input->shape, input->ndim, input->dtype, input->storage->device, error);
  stats =
    out ? _lt_tensor_new_empty (sshape, 2, input->dtype, input->storage->device, error) : NULL;
  kin[0] = cx;
  kin[1] = cw;
  kin[2] = cb;
  if (stats == NULL || !_lt_run (op, out, stats, kin, 3, p, error))
    return NULL;
  node = _lt_autograd_record (op, ts, 3);
  if (node)
    {
      node->params = *p;
      _lt_autograd_save_args (node, kin, 3, NULL);
      _lt_autograd_set_outputs (node, out, stats);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_layer_norm:
 * @input: a float32 or float64 tensor whose last dims are @normalized_shape
 * @normalized_shape: (array length=n_dims): the trailing shape normalised
 *   over
 * @n_dims: the number of dims of @normalized_shape
 * @weight: (nullable): the scale, of shape @normalized_shape, or %NULL
 * @bias: (nullable): the shift, of shape @normalized_shape, or %NULL
 * @eps: added to the variance (PyTorch's default is 1e-5)
 * @error: return location for a #GError
 *
 * Normalises each slice of @input over its last @n_dims dims to mean 0 and
 * variance 1 (the biased variance), then scales it by @weight and shifts
 * it by @bias elementwise, as `torch.nn.functional.layer_norm()`. The node
 * is a `NativeLayerNormBackward0`; it gives the gradients of @input,
 * @weight and @bias.
 *
 * Errors: an integer input (%LT_ERROR_DTYPE), an input whose shape does
 * not end with @normalized_shape, a weight or bias of another shape
 * (%LT_ERROR_SHAPE), a weight or bias of another dtype (%LT_ERROR_DTYPE), a
 * negative @eps (%LT_ERROR_INVALID_ARGUMENT).
 *
 * Returns: (transfer full) (nullable): the normalised tensor, of @input's
 *   shape, or %NULL with @error set
 */
LtTensor *
lt_layer_norm (LtTensor     *input,
               const gint64 *normalized_shape,
               gsize         n_dims,
               LtTensor     *weight,
               LtTensor     *bias,
               double        eps,
               GError      **error)
{
  LtOpParams p;
  gint64     rows = 1, D = 1;
  guint      lead;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (normalized_shape != NULL || n_dims == 0, NULL);
  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);

  if (!check_float ("layer_norm", input, error))
    return NULL;
  if (n_dims < 1 || n_dims > input->ndim ||
      memcmp (input->shape + input->ndim - n_dims, normalized_shape, n_dims * sizeof (gint64)) != 0)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2 = _lt_shape_to_string (normalized_shape, (guint) n_dims);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "layer_norm: the input of shape %s does not end with the normalized shape %s",
                   s1, s2);
      return NULL;
    }
  if (!check_affine ("layer_norm", "weight", weight, input, normalized_shape, (guint) n_dims,
                     error) ||
      !check_affine ("layer_norm", "bias", bias, input, normalized_shape, (guint) n_dims, error))
    return NULL;
  if (!(eps >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "layer_norm: eps (%g) must not be negative", eps);
      return NULL;
    }
  lead = input->ndim - (guint) n_dims;
  for (guint d = 0; d < input->ndim; d++)
    {
      if (d < lead)
        rows *= input->shape[d];
      else
        D *= input->shape[d];
    }
  memset (&p, 0, sizeof p);
  p.norm.rows = rows;
  p.norm.D = D;
  p.norm.groups = 1;
  p.norm.channels = D;
  p.norm.inner = 1;
  p.norm.eps = eps;
  return norm_run (LT_OP_LAYER_NORM, input, weight, bias, &p, error);
}

/**
 * lt_group_norm:
 * @input: a float32 or float64 tensor (N, C, *)
 * @num_groups: the number of groups the C channels are split into
 * @weight: (nullable): the scale per channel, (C), or %NULL
 * @bias: (nullable): the shift per channel, (C), or %NULL
 * @eps: added to the variance (PyTorch's default is 1e-5)
 * @error: return location for a #GError
 *
 * Normalises each group of `C / num_groups` consecutive channels of each
 * sample, over those channels and the trailing dims, to mean 0 and
 * variance 1 (the biased variance), then scales and shifts each channel,
 * as `torch.nn.functional.group_norm()`. The node is a
 * `NativeGroupNormBackward0`; it gives the gradients of @input, @weight and
 * @bias.
 *
 * Errors: an integer input (%LT_ERROR_DTYPE), an input with fewer than 2
 * dims, channels that @num_groups does not divide, a weight or bias that is
 * not (C) (%LT_ERROR_SHAPE), a weight or bias of another dtype
 * (%LT_ERROR_DTYPE), a @num_groups below 1 or a negative @eps
 * (%LT_ERROR_INVALID_ARGUMENT).
 *
 * Returns: (transfer full) (nullable): the normalised tensor, of @input's
 *   shape, or %NULL with @error set
 */
LtTensor *
lt_group_norm (LtTensor *input,
               gint64    num_groups,
               LtTensor *weight,
               LtTensor *bias,
               double    eps,
               GError  **error)
{
  LtOpParams p;
  gint64     N, C, inner = 1;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);

  if (!check_float ("group_norm", input, error))
    return NULL;
  if (num_groups < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "group_norm: num_groups (%" G_GINT64_FORMAT ") must be positive", num_groups);
      return NULL;
    }
  if (input->ndim < 2)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "group_norm: expected an input (N, C, *) of at least 2 dims, got shape %s", s);
      return NULL;
    }
  N = input->shape[0];
  C = input->shape[1];
  if (C % num_groups != 0)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "group_norm: the input of shape %s has %" G_GINT64_FORMAT
                   " channels, which %" G_GINT64_FORMAT " groups do not divide",
                   s, C, num_groups);
      return NULL;
    }
  if (!check_affine ("group_norm", "weight", weight, input, &C, 1, error) ||
      !check_affine ("group_norm", "bias", bias, input, &C, 1, error))
    return NULL;
  if (!(eps >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "group_norm: eps (%g) must not be negative", eps);
      return NULL;
    }
  for (guint d = 2; d < input->ndim; d++)
    inner *= input->shape[d];
  memset (&p, 0, sizeof p);
  p.norm.rows = N * num_groups;
  p.norm.D = C / num_groups * inner;
  p.norm.groups = num_groups;
  p.norm.channels = C;
  p.norm.inner = inner;
  p.norm.eps = eps;
  return norm_run (LT_OP_GROUP_NORM, input, weight, bias, &p, error);
}

/* The rule of layer_norm, group_norm and batch_norm: @grad_op (norm_grad,
 * batch_norm_grad) gives dx, and the weight's and bias's gradients as the
 * two rows of its second output, from the saved input, weight and
 * statistics. */
gboolean
_lt_backward_norm_rows (LtGradFn *node, LtTensor *g, LtTensor **gi, LtOp grad_op, GError **error)
{
  const LtTensorMeta *xm = &node->input_meta[0];
  const LtNormParams *p = &node->params.norm;
  gboolean            affine = LT_NEEDS (1) || LT_NEEDS (2);
  gint64              ashape[2] = { 2, p->channels };
  LT_SAVED (x, ARG0);
  LT_SAVED_OPTIONAL (w, ARG1);
  LT_SAVED (stats, AUX);
  g_autoptr(LtTensor) gc = NULL;
  g_autoptr(LtTensor) gcc = NULL;
  g_autoptr(LtTensor) dx = NULL;
  g_autoptr(LtTensor) ga = NULL;
  LtTensor *kin[4], *nt[3];

  if ((gc = _lt_cast (g, xm->dtype, error)) == NULL || (gcc = _lt_contiguous (gc, error)) == NULL)
    return FALSE;
  dx = _lt_tensor_new_empty (xm->shape, xm->ndim, xm->dtype, xm->device, error);
  if (dx == NULL)
    return FALSE;
  if (affine && (ga = _lt_tensor_new_empty (ashape, 2, xm->dtype, xm->device, error)) == NULL)
    return FALSE;
  kin[0] = gcc;
  kin[1] = x;
  kin[2] = stats;
  kin[3] = w;
  if (!_lt_run (grad_op, dx, ga, kin, 4, &node->params, error))
    return FALSE;
  /* no double backward yet: a graph through these gradients is an error */
  nt[0] = g;
  nt[1] = x;
  nt[2] = w;
  if (LT_NEEDS (0))
    {
      _lt_autograd_not_twice (node, dx, nt, 3);
      gi[0] = g_steal_pointer (&dx);
    }
  for (guint i = 1; i < 3; i++)
    if (LT_NEEDS (i))
      {
        const LtTensorMeta *m = &node->input_meta[i];
        g_autoptr(LtTensor) row = lt_tensor_select (ga, 0, i - 1, error);

        if (row == NULL || (gi[i] = lt_tensor_reshape (row, m->shape, m->ndim, error)) == NULL)
          return FALSE;
        _lt_autograd_not_twice (node, gi[i], nt, 3);
      }
  return TRUE;
}

/* Backward rule of layer_norm and group_norm */
gboolean
_lt_backward_layer_group_norm (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return _lt_backward_norm_rows (node, g, gi, LT_OP_NORM_GRAD, error);
}
