/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-activation.h"

/*
 * Activations with a node of their own that compose public ops (no
 * kernel): the forward runs the public ops with grad mode off, then records
 * one node whose backward rule follows PyTorch 1.13's derivatives
 * (tools/autograd/derivatives.yaml, aten/src/ATen/native/Activation.cpp).
 * relu, sigmoid and tanh are pointwise ops with kernels (lt-pointwise.c).
 */

/**
 * lt_leaky_relu:
 * @input: a floating-point tensor
 * @negative_slope: the factor of negative elements (PyTorch's default: 0.01)
 * @error: return location for a #GError
 *
 * Computes `x if x > 0 else negative_slope * x` elementwise, as
 * `torch.nn.functional.leaky_relu()`. Its node is `LeakyReluBackward0`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an integer input
 */
LtTensor *
lt_leaky_relu (LtTensor *input, double negative_slope, GError **error)
{
  g_autoptr(LtTensor) pos = NULL;
  g_autoptr(LtTensor) scaled = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;
  gboolean  prev;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!_lt_dtype_is_float (input->dtype))
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "leaky_relu: the input must be floating point, not %s (shape %s)",
                   lt_dtype_get_name (input->dtype), s);
      return NULL;
    }
  prev = lt_set_grad_enabled (FALSE);
  pos = lt_tensor_gt_scalar (input, 0.0, error);
  scaled = pos ? lt_tensor_mul_scalar (input, negative_slope, error) : NULL;
  out = scaled ? lt_where (pos, input, scaled, error) : NULL;
  lt_set_grad_enabled (prev);
  if (out == NULL)
    return NULL;
  node = _lt_autograd_record (LT_OP_LEAKY_RELU, &input, 1);
  if (node)
    {
      node->params.leaky_relu.negative_slope = negative_slope;
      _lt_autograd_save_args (node, &input, 1, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

gboolean
_lt_backward_leaky_relu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* self > 0 ? grad : grad * negative_slope */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) pos = lt_tensor_gt_scalar (x, 0.0, error);
  g_autoptr(LtTensor) scaled =
               pos ? lt_tensor_mul_scalar (g, node->params.leaky_relu.negative_slope, error) : NULL;

  return scaled && (gi[0] = lt_where (pos, g, scaled, error)) != NULL;
}

/*
 * Activations with kernels of their own: one pass forward, one pass back
 * (activation_grad computes the gradient times the derivative at the
 * input). Their nodes are PyTorch's: GeluBackward0, SiluBackward0,
 * EluBackward0 (CeluBackward0 for celu), SoftplusBackward0,
 * HardtanhBackward0.
 */

static LtTensor *
activation_run (LtOp                      op,
                LtTensor                 *input,
                const LtActivationParams *params,
                gboolean                  overload,
                GError                  **error)
{
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  if (!_lt_dtype_is_float (input->dtype))
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input must be floating point, not %s (shape %s)", _lt_op_table[op].name,
                   lt_dtype_get_name (input->dtype), s);
      return NULL;
    }
  out = _lt_new_output_like (input, input->shape, input->ndim, input->dtype, input->storage->device,
                             error);
  if (out == NULL || !_lt_run (op, out, NULL, &input, 1, (const LtOpParams *) params, error))
    return NULL;
  node = _lt_autograd_record (op, &input, 1);
  if (node)
    {
      node->params.activation = *params;
      node->params.activation.op = op;
      node->overload = overload;
      _lt_autograd_save_args (node, &input, 1, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

gboolean
_lt_backward_activation (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) gc = _lt_cast (g, x->dtype, error);
  g_autoptr(LtTensor) out = NULL;
  LtTensor  *in[2];
  LtOpParams p;

  if (gc == NULL)
    return FALSE;
  out = _lt_new_output_like (x, x->shape, x->ndim, x->dtype, x->storage->device, error);
  if (out == NULL)
    return FALSE;
  p.activation = node->params.activation;
  in[0] = gc;
  in[1] = x;
  if (!_lt_run (LT_OP_ACTIVATION_GRAD, out, NULL, in, 2, &p, error))
    return FALSE;
  gi[0] = g_steal_pointer (&out);
  return TRUE;
}

/**
 * lt_gelu:
 * @input: a floating-point tensor
 * @approximate: "none" (the exact form, with erf) or "tanh"
 * @error: return location for a #GError
 *
 * Computes the Gaussian error linear unit `x * Φ(x)` elementwise, as
 * `torch.nn.functional.gelu()`; with "tanh", PyTorch's approximation
 * `0.5 x (1 + tanh (sqrt (2 / π) (x + 0.044715 x³)))`. Its node is
 * `GeluBackward0`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an integer input or another @approximate
 */
LtTensor *
lt_gelu (LtTensor *input, const char *approximate, GError **error)
{
  LtActivationParams p = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (approximate == NULL || strcmp (approximate, "none") == 0)
    p.tanh = FALSE;
  else if (strcmp (approximate, "tanh") == 0)
    p.tanh = TRUE;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "gelu: approximate must be \"none\" or \"tanh\", not \"%s\"", approximate);
      return NULL;
    }
  return activation_run (LT_OP_GELU, input, &p, FALSE, error);
}

/**
 * lt_silu:
 * @input: a floating-point tensor
 * @error: return location for a #GError
 *
 * Computes `x * sigmoid (x)` elementwise, as `torch.nn.functional.silu()`.
 * Its node is `SiluBackward0`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an integer input
 */
LtTensor *
lt_silu (LtTensor *input, GError **error)
{
  LtActivationParams p = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  return activation_run (LT_OP_SILU, input, &p, FALSE, error);
}

static gboolean
check_finite (const char *op, const char *what, double v, GError **error)
{
  if (isfinite (v))
    return TRUE;
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "%s: %s must be finite, not %g", op,
               what, v);
  return FALSE;
}

/**
 * lt_elu:
 * @input: a floating-point tensor
 * @alpha: the value negative inputs tend to, negated (PyTorch's default: 1)
 * @scale: the factor of the whole result (1 for ELU; SELU's 1.0507...)
 * @input_scale: the factor of negative inputs inside the exponential (1
 *   for ELU)
 * @error: return location for a #GError
 *
 * Computes `scale * (x if x > 0 else alpha * (exp (x * input_scale) - 1))`
 * elementwise, as `torch.nn.functional.elu()` (and `selu()` with its
 * constants). Its node is `EluBackward0`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an integer input or a parameter that is not finite
 */
LtTensor *
lt_elu (LtTensor *input, double alpha, double scale, double input_scale, GError **error)
{
  LtActivationParams p = { .a = alpha, .b = scale, .c = input_scale };

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!check_finite ("elu", "alpha", alpha, error) ||
      !check_finite ("elu", "scale", scale, error) ||
      !check_finite ("elu", "input_scale", input_scale, error))
    return NULL;
  return activation_run (LT_OP_ELU, input, &p, FALSE, error);
}

/**
 * lt_celu:
 * @input: a floating-point tensor
 * @alpha: the value negative inputs tend to, negated (PyTorch's default:
 *   1); not zero
 * @error: return location for a #GError
 *
 * Computes `max (0, x) + min (0, alpha * (exp (x / alpha) - 1))`
 * elementwise, as `torch.nn.functional.celu()`. Its node is
 * `CeluBackward0`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an integer input or an @alpha of zero
 */
LtTensor *
lt_celu (LtTensor *input, double alpha, GError **error)
{
  LtActivationParams p = { .a = alpha, .b = 1.0, .c = 1.0 / alpha };

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (alpha == 0.0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "celu: alpha must not be zero (it divides the input)");
      return NULL;
    }
  if (!check_finite ("celu", "alpha", alpha, error))
    return NULL;
  return activation_run (LT_OP_ELU, input, &p, TRUE, error);
}

/**
 * lt_softplus:
 * @input: a floating-point tensor
 * @beta: the sharpness (PyTorch's default: 1)
 * @threshold: above `x * beta > threshold` the result is `x` (PyTorch's
 *   default: 20)
 * @error: return location for a #GError
 *
 * Computes `log (1 + exp (beta * x)) / beta` elementwise, as
 * `torch.nn.functional.softplus()`. Its node is `SoftplusBackward0`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an integer input or a @beta of zero
 */
LtTensor *
lt_softplus (LtTensor *input, double beta, double threshold, GError **error)
{
  LtActivationParams p = { .a = beta, .b = threshold };

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (beta == 0.0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "softplus: beta must not be zero (it divides the result)");
      return NULL;
    }
  return activation_run (LT_OP_SOFTPLUS, input, &p, FALSE, error);
}

/**
 * lt_hardtanh:
 * @input: a floating-point tensor
 * @min_val: the lower bound (PyTorch's default: -1)
 * @max_val: the upper bound (PyTorch's default: 1)
 * @error: return location for a #GError
 *
 * Clamps @input to [@min_val, @max_val], as
 * `torch.nn.functional.hardtanh()` (`relu6()` is `hardtanh (x, 0, 6)`). Its
 * node is `HardtanhBackward0`, whose gradient is zero at the bounds.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for an integer input or @min_val above @max_val
 */
LtTensor *
lt_hardtanh (LtTensor *input, double min_val, double max_val, GError **error)
{
  LtActivationParams p = { .a = min_val, .b = max_val };

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!(min_val <= max_val))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "hardtanh: max_val (%g) cannot be less than min_val (%g)", max_val, min_val);
      return NULL;
    }
  return activation_run (LT_OP_HARDTANH, input, &p, FALSE, error);
}

/* PReLU's weight as a tensor that broadcasts against @input: (1, C, 1, ...) */
static LtTensor *
prelu_weight_view (LtTensor *input, LtTensor *weight, GError **error)
{
  gint64 shape[LT_MAX_DIMS] = { 0 };

  if (weight->numel == 1 || input->ndim < 2)
    return lt_tensor_reshape (weight, shape, 0, error);
  for (guint d = 0; d < input->ndim; d++)
    shape[d] = d == 1 ? weight->numel : 1;
  return lt_tensor_reshape (weight, shape, input->ndim, error);
}

/**
 * lt_prelu:
 * @input: a floating-point tensor; dimension 1 holds the channels
 * @weight: the slopes of negative inputs: one (for every channel) or one
 *   per channel, of @input's dtype
 * @error: return location for a #GError
 *
 * Computes `x if x > 0 else weight[c] * x` elementwise, c the channel, as
 * `torch.nn.functional.prelu()`. Its node is `PreluBackward0`; both inputs
 * get gradients.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for integer tensors, dtypes that differ or a number of weights that is
 *   neither 1 nor the number of channels
 */
LtTensor *
lt_prelu (LtTensor *input, LtTensor *weight, GError **error)
{
  g_autoptr(LtTensor) w = NULL;
  g_autoptr(LtTensor) pos = NULL;
  g_autoptr(LtTensor) scaled = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtTensor *in[2] = { input, weight };
  gint64    channels;
  LtGradFn *node;
  gboolean  prev;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (weight), NULL);
  if (!_lt_dtype_is_float (input->dtype) || weight->dtype != input->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "prelu: the input and weight must be floating point of one dtype, not %s "
                   "and %s",
                   lt_dtype_get_name (input->dtype), lt_dtype_get_name (weight->dtype));
      return NULL;
    }
  channels = input->ndim >= 2 ? input->shape[1] : 1;
  if (weight->numel != 1 && (weight->ndim != 1 || weight->numel != channels))
    {
      g_autofree char *si = LT_SHAPE_STR (input);
      g_autofree char *sw = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "prelu: the weight (shape %s) must have 1 element or one per channel of "
                   "the input (shape %s, %" G_GINT64_FORMAT " channels)",
                   sw, si, channels);
      return NULL;
    }
  prev = lt_set_grad_enabled (FALSE);
  w = prelu_weight_view (input, weight, error);
  pos = w ? lt_tensor_gt_scalar (input, 0.0, error) : NULL;
  scaled = pos ? lt_tensor_mul (input, w, error) : NULL;
  out = scaled ? lt_where (pos, input, scaled, error) : NULL;
  lt_set_grad_enabled (prev);
  if (out == NULL)
    return NULL;
  node = _lt_autograd_record (LT_OP_PRELU, in, 2);
  if (node)
    {
      _lt_autograd_save_args (node, in, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

gboolean
_lt_backward_prelu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* input: x > 0 ? g : w g; weight: the sum of x g where x <= 0, per channel */
  LT_SAVED (x, ARG0);
  LT_SAVED (weight, ARG1);
  g_autoptr(LtTensor) w = prelu_weight_view (x, weight, error);
  g_autoptr(LtTensor) pos = w ? lt_tensor_gt_scalar (x, 0.0, error) : NULL;

  if (pos == NULL)
    return FALSE;
  if (LT_NEEDS (0))
    {
      g_autoptr(LtTensor) wg = lt_tensor_mul (g, w, error);

      if (wg == NULL || (gi[0] = lt_where (pos, g, wg, error)) == NULL)
        return FALSE;
    }
  if (LT_NEEDS (1))
    {
      g_autoptr(LtTensor) xg = lt_tensor_mul (x, g, error);
      g_autoptr(LtTensor) neg = xg ? lt_tensor_masked_fill (xg, pos, 0.0, error) : NULL;
      gint  dims[LT_MAX_DIMS];
      guint n = 0;

      g_autoptr(LtTensor) s = NULL;

      if (neg == NULL)
        return FALSE;
      if (weight->numel == 1 || x->ndim < 2)
        s = lt_tensor_sum (neg, error);
      else
        {
          for (guint d = 0; d < x->ndim; d++)
            if (d != 1)
              dims[n++] = (gint) d;
          s = lt_tensor_sum_dims (neg, dims, n, FALSE, error);
        }
      if (s == NULL || (gi[1] = lt_tensor_reshape (s, weight->shape, weight->ndim, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}
