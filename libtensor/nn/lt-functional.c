/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-functional.h"
#include "core/lt-tensor-private.h"
#include "autograd/lt-autograd.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-reduce.h"
#include "ops/lt-linalg.h"
#include "ops/lt-shape.h"
#include "ops/lt-batch-norm-private.h"

/*
 * Functional forms without kernels of their own: each is composed of
 * differentiable public ops, so autograd needs no extra rule.
 */

/**
 * lt_linear:
 * @input: a tensor of shape (*, in_features)
 * @weight: the weight, of shape (out_features, in_features)
 * @bias: (nullable): the bias, of shape (out_features)
 * @error: return location for a #GError
 *
 * Computes `input @ weight^T + bias`, as `torch.nn.functional.linear()`:
 * one addmm for a 2-D input with a bias (the node `AddmmBackward0`), or
 * a contiguous input of more dimensions folded to 2-D, a matmul then an
 * add otherwise.
 *
 * Returns: (transfer full) (nullable): the output, of shape
 *   (*, out_features), or %NULL with @error set when the shapes do not fit
 */
LtTensor *
lt_linear (LtTensor *input,
           LtTensor *weight,
           LtTensor *bias,
           GError  **error)
{
  g_autoptr(LtTensor) wt = NULL;
  g_autoptr(LtTensor) out = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);
  if (weight->ndim != 2 || input->ndim == 0 ||
      input->shape[input->ndim - 1] != weight->shape[1])
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2 = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "linear: an input of shape %s does not fit a weight of shape %s (expected "
                   "a weight of shape [out_features, in_features] and an input of shape "
                   "[*, in_features])", s1, s2);
      return NULL;
    }
  if (bias && (bias->ndim != 1 || bias->shape[0] != weight->shape[0]))
    {
      g_autofree char *s1 = LT_SHAPE_STR (bias);
      g_autofree char *s2 = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "linear: a bias of shape %s does not fit a weight of shape %s (expected "
                   "[%" G_GINT64_FORMAT "])", s1, s2, weight->shape[0]);
      return NULL;
    }
  wt = lt_tensor_t (weight, error);
  if (wt == NULL)
    return NULL;
  if (input->ndim == 2 && bias)
    return lt_tensor_addmm (bias, input, wt, 1.0, 1.0, error);
  if (input->ndim > 2 && bias && lt_tensor_is_contiguous (input))
    {
      /* the leading dims folded into the rows of one addmm (views) */
      gint64 shape[LT_MAX_DIMS];
      g_autoptr(LtTensor) x2 = NULL;
      g_autoptr(LtTensor) y2 = NULL;

      shape[0] = 1;
      for (guint i = 0; i + 1 < input->ndim; i++)
        shape[0] *= input->shape[i];
      shape[1] = input->shape[input->ndim - 1];
      if ((x2 = lt_tensor_reshape (input, shape, 2, error)) == NULL ||
          (y2 = lt_tensor_addmm (bias, x2, wt, 1.0, 1.0, error)) == NULL)
        return NULL;
      memcpy (shape, input->shape, sizeof (gint64) * (input->ndim - 1));
      shape[input->ndim - 1] = weight->shape[0];
      return lt_tensor_reshape (y2, shape, input->ndim, error);
    }
  out = lt_tensor_matmul (input, wt, error);
  if (out == NULL || bias == NULL)
    return g_steal_pointer (&out);
  return lt_tensor_add (out, bias, error);
}

/**
 * lt_dropout:
 * @input: a floating-point tensor
 * @p: the probability of zeroing an element, in [0, 1]
 * @training: %FALSE to return @input unchanged (evaluation mode)
 * @error: return location for a #GError
 *
 * Zeroes each element with probability @p and scales the others by
 * `1 / (1 - p)`, as `torch.nn.functional.dropout()`. The mask comes from
 * the global generator (lt_manual_seed()), so a seed fixes it. When not
 * training, or when @p is 0, the result is @input itself.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for a probability out of range
 */
LtTensor *
lt_dropout (LtTensor *input,
            double    p,
            gboolean  training,
            GError  **error)
{
  g_autoptr(LtTensor) u = NULL;
  g_autoptr(LtTensor) keep = NULL;
  g_autoptr(LtTensor) noise = NULL;
  gboolean prev;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!(p >= 0.0 && p <= 1.0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "dropout: the probability has to be between 0 and 1, but got %g", p);
      return NULL;
    }
  if (!lt_tensor_is_floating_point (input))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "dropout: the input must be floating point, not %s",
                   lt_dtype_get_name (lt_tensor_get_dtype (input)));
      return NULL;
    }
  if (!training || p == 0.0)
    return g_object_ref (input);
  if (p == 1.0)
    {
      g_autoptr(LtTensor) zero = lt_scalar_tensor (0.0, lt_tensor_get_dtype (input));

      return lt_tensor_mul (input, zero, error);
    }
  /* noise = bernoulli(1 - p) / (1 - p); out = input * noise */
  prev = lt_set_grad_enabled (FALSE);
  u = lt_rand_like (input, error);
  keep = u ? lt_tensor_lt_scalar (u, 1.0 - p, error) : NULL;
  noise = keep ? lt_tensor_to_dtype (keep, lt_tensor_get_dtype (input), error) : NULL;
  if (noise && !lt_tensor_div_scalar_ (noise, 1.0 - p, error))
    g_clear_object (&noise);
  lt_set_grad_enabled (prev);
  if (noise == NULL)
    return NULL;
  return lt_tensor_mul (input, noise, error);
}

/**
 * lt_dropout2d:
 * @input: a floating-point tensor (N, C, ...) of at least two dimensions
 * @p: the probability of zeroing a whole channel, in [0, 1]
 * @training: apply dropout; when %FALSE @input is returned unchanged
 * @error: return location for a #GError
 *
 * Zeroes whole channels (`input[n, c]`) with probability @p, drawn from
 * the global generator, and scales the others by `1 / (1 - p)`, as
 * `torch.nn.functional.dropout2d()` (on a 3-D input, (N, C, L), channel by
 * channel as PyTorch 1.13 does).
 *
 * Returns: (transfer full) (nullable): the result (@input itself, with a
 *   new reference, when not training or @p is 0), or %NULL with @error set
 *   for a @p out of range, an integer input or fewer than two dimensions
 */
LtTensor *
lt_dropout2d (LtTensor *input, double p, gboolean training, GError **error)
{
  g_autoptr(LtTensor) corner = NULL;
  g_autoptr(LtTensor) u = NULL;
  g_autoptr(LtTensor) keep = NULL;
  g_autoptr(LtTensor) noise = NULL;
  gboolean prev;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!(p >= 0.0 && p <= 1.0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "dropout2d: the probability has to be between 0 and 1, but got %g", p);
      return NULL;
    }
  if (!lt_tensor_is_floating_point (input) || lt_tensor_get_n_dims (input) < 2)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR,
                   lt_tensor_is_floating_point (input) ? LT_ERROR_SHAPE : LT_ERROR_DTYPE,
                   "dropout2d: the input must be floating point with at least 2 dimensions "
                   "(N, C, ...), not %s of shape %s",
                   lt_dtype_get_name (lt_tensor_get_dtype (input)), s);
      return NULL;
    }
  if (!training || p == 0.0)
    return g_object_ref (input);
  /* one draw per (n, c): the noise has shape (N, C, 1, ...) */
  prev = lt_set_grad_enabled (FALSE);
  corner = g_object_ref (input);
  for (guint d = 2; corner && d < lt_tensor_get_n_dims (input); d++)
    {
      LtTensor *next = lt_tensor_narrow (corner, (gint) d, 0, MIN (1, input->shape[d]), error);

      g_object_unref (corner);
      corner = next;
    }
  u = corner ? lt_rand_like (corner, error) : NULL;
  keep = u ? lt_tensor_lt_scalar (u, 1.0 - p, error) : NULL;
  noise = keep ? lt_tensor_to_dtype (keep, lt_tensor_get_dtype (input), error) : NULL;
  if (noise && p < 1.0 && !lt_tensor_div_scalar_ (noise, 1.0 - p, error))
    g_clear_object (&noise);
  lt_set_grad_enabled (prev);
  if (noise == NULL)
    return NULL;
  return lt_tensor_mul (input, noise, error);
}

/* @t of shape (C) as (1, C, 1, ...) against an input of @ndim dims */
static LtTensor *
channel_view (LtTensor *t,
              guint     ndim,
              GError  **error)
{
  gint64 shape[LT_MAX_DIMS];

  for (guint d = 0; d < ndim; d++)
    shape[d] = d == 1 ? -1 : 1;
  return lt_tensor_reshape (t, shape, ndim, error);
}

static gboolean
check_channels (const char *what,
                LtTensor   *t,
                gint64      channels,
                GError    **error)
{
  if (t && lt_tensor_numel (t) != channels)
    {
      g_autofree char *s = LT_SHAPE_STR (t);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "batch_norm: %s should contain %" G_GINT64_FORMAT " elements (one per "
                   "channel), not shape %s", what, channels, s);
      return FALSE;
    }
  return TRUE;
}

/* running = (1 - momentum) * running + momentum * value, in place */
static gboolean
update_running (LtTensor *running,
                LtTensor *value,
                double    momentum,
                GError  **error)
{
  g_autoptr(LtTensor) flat = lt_tensor_reshape (value, (gint64[]) { -1 }, 1, error);
  g_autoptr(LtTensor) scaled = flat ? lt_tensor_mul_scalar (flat, momentum, error) : NULL;

  return scaled && lt_tensor_mul_scalar_ (running, 1.0 - momentum, error) &&
         lt_tensor_add_ (running, scaled, error);
}

/**
 * lt_batch_norm:
 * @input: a floating-point tensor of shape (N, C, *)
 * @running_mean: (nullable): the running mean of each channel, shape (C)
 * @running_var: (nullable): the running variance of each channel, shape (C)
 * @weight: (nullable): the scale of each channel (gamma), shape (C)
 * @bias: (nullable): the shift of each channel (beta), shape (C)
 * @training: %TRUE to normalise with the batch's statistics (and update the
 *   running ones), %FALSE to use the running statistics
 * @momentum: the weight of the batch in the running statistics (PyTorch's
 *   default: 0.1)
 * @eps: added to the variance before the square root (default: 1e-5)
 * @error: return location for a #GError
 *
 * Normalises each channel, as `torch.nn.functional.batch_norm()`:
 * `(x - mean) / sqrt(var + eps) * weight + bias`. In training mode the mean
 * and the biased variance are taken over every dimension but 1, and the
 * running statistics, when given, are updated in place with the unbiased
 * variance: `running = (1 - momentum) * running + momentum * batch`. On the
 * CPU, with every tensor of the input's dtype, one kernel computes the
 * result and one its gradients (a `NativeBatchNormBackward0` node, which
 * cannot be differentiated again); elsewhere the result is composed of
 * differentiable ops.
 *
 * Returns: (transfer full) (nullable): the normalised tensor, or %NULL with
 *   @error set
 */
LtTensor *
lt_batch_norm (LtTensor *input,
               LtTensor *running_mean,
               LtTensor *running_var,
               LtTensor *weight,
               LtTensor *bias,
               gboolean  training,
               double    momentum,
               double    eps,
               GError  **error)
{
  gint dims[LT_MAX_DIMS];
  guint nd = 0, ndim;
  const gint64 *shape;
  gint64 channels, per_channel;
  g_autoptr(LtTensor) mean = NULL;
  g_autoptr(LtTensor) var = NULL;
  g_autoptr(LtTensor) centered = NULL;
  g_autoptr(LtTensor) ve = NULL;
  g_autoptr(LtTensor) invstd = NULL;
  g_autoptr(LtTensor) out = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (running_mean == NULL || LT_IS_TENSOR (running_mean), NULL);
  g_return_val_if_fail (running_var == NULL || LT_IS_TENSOR (running_var), NULL);
  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);

  shape = lt_tensor_get_shape (input, &ndim);
  if (ndim < 2)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "batch_norm: expected an input of shape [N, C, *], got %s", s);
      return NULL;
    }
  if (!lt_tensor_is_floating_point (input))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "batch_norm: the input must be floating point, not %s",
                   lt_dtype_get_name (lt_tensor_get_dtype (input)));
      return NULL;
    }
  if ((running_mean == NULL) != (running_var == NULL))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "batch_norm: give both running_mean and running_var, or neither");
      return NULL;
    }
  if (!training && running_mean == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "batch_norm: running_mean and running_var are needed in evaluation mode");
      return NULL;
    }
  channels = shape[1];
  if (!check_channels ("running_mean", running_mean, channels, error) ||
      !check_channels ("running_var", running_var, channels, error) ||
      !check_channels ("weight", weight, channels, error) ||
      !check_channels ("bias", bias, channels, error))
    return NULL;
  per_channel = channels ? lt_tensor_numel (input) / channels : 0;
  if (training && per_channel <= 1)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "batch_norm: expected more than 1 value per channel when training, "
                   "got an input of shape %s",
                   s);
      return NULL;
    }
  /* one kernel a direction where the backend has them (ops/lt-batch-norm.c) */
  if (_lt_batch_norm_can_fuse (input, running_mean, running_var, weight, bias))
    return _lt_batch_norm_fused (input, running_mean, running_var, weight, bias, training, momentum,
                                 eps, error);

  if (training)
    {
      g_autoptr(LtTensor) sq = NULL;

      for (guint d = 0; d < ndim; d++)
        if (d != 1)
          dims[nd++] = (gint) d;
      /* the batch's mean and biased variance, differentiable */
      mean = lt_tensor_mean_dims (input, dims, nd, TRUE, error);
      centered = mean ? lt_tensor_sub (input, mean, error) : NULL;
      sq = centered ? lt_tensor_mul (centered, centered, error) : NULL;
      var = sq ? lt_tensor_mean_dims (sq, dims, nd, TRUE, error) : NULL;
      if (var == NULL)
        return NULL;
      if (running_mean)
        {
          gboolean prev = lt_set_grad_enabled (FALSE);
          g_autoptr(LtTensor) unbiased = NULL;
          gboolean ok;

          unbiased = lt_tensor_mul_scalar (var, (double) per_channel / (double) (per_channel - 1),
                                           error);
          ok = unbiased && update_running (running_mean, mean, momentum, error) &&
               update_running (running_var, unbiased, momentum, error);
          lt_set_grad_enabled (prev);
          if (!ok)
            return NULL;
        }
    }
  else
    {
      mean = channel_view (running_mean, ndim, error);
      var = mean ? channel_view (running_var, ndim, error) : NULL;
      centered = var ? lt_tensor_sub (input, mean, error) : NULL;
      if (centered == NULL)
        return NULL;
    }

  ve = lt_tensor_add_scalar (var, eps, error);
  invstd = ve ? lt_tensor_rsqrt (ve, error) : NULL;
  out = invstd ? lt_tensor_mul (centered, invstd, error) : NULL;
  if (out && weight)
    {
      g_autoptr(LtTensor) wv = channel_view (weight, ndim, error);
      g_autoptr(LtTensor) scaled = wv ? lt_tensor_mul (out, wv, error) : NULL;

      g_clear_object (&out);
      out = g_steal_pointer (&scaled);
    }
  if (out && bias)
    {
      g_autoptr(LtTensor) bv = channel_view (bias, ndim, error);
      g_autoptr(LtTensor) shifted = bv ? lt_tensor_add (out, bv, error) : NULL;

      g_clear_object (&out);
      out = g_steal_pointer (&shifted);
    }
  return g_steal_pointer (&out);
}
