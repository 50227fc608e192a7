/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

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
