/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-activation.h"
#include "lt-conv2d.h"
#include "lt-linear.h"
#include "lt-nn-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "ops/lt-fused-private.h"

/*
 * Layers an LtSequential runs as one, each with the graph the two modules
 * make one after the other and the same bits:
 *
 * - a Linear with a bias directly followed by a ReLU becomes
 *   _lt_linear_bias_relu () (ops/lt-fused-linear.c: the product, then the
 *   bias and relu in one kernel each way): AddmmBackward0 in the Linear's
 *   scope, ReluBackward0 in the ReLU's;
 * - a Conv2d (with or without a bias, any padding mode) directly followed
 *   by a ReLU becomes the Conv2d's own forward with relu stored by the
 *   convolution's kernels (_lt_conv2d_relu (), LtConvParams.relu): each
 *   backend applies v < 0 ? 0 : v to the value it was about to store,
 *   after its own bias handling (the CPU starts its sums from the bias, the
 *   CUDA backend adds it after the product), so the output has the bits of
 *   the ReLU's over the convolution's; a padding mode other than 'zeros'
 *   pads the input with the same op as unfused, in the Conv2d's scope.
 *   ConvolutionBackward0 in the Conv2d's scope, ReluBackward0 (saving the
 *   result) in the ReLU's; the convolution's rule never reads its output.
 *
 * Only where nothing can tell the difference: neither module has hooks
 * (a forward hook must see the first layer's output, which the fused
 * forward never makes), the ReLU is not in place, and the operands are
 * what _lt_linear_bias_relu_applies () or _lt_conv2d_relu_applies ()
 * take (float dtypes and a backend that fuses).
 */

static gboolean
has_hooks (LtModule *m)
{
  /* lt_module_forward ()'s test: a list, even emptied, takes the hooked path */
  return g_atomic_pointer_get (_lt_module_hooks (m)) != NULL;
}

gboolean
_lt_nn_fuse_bias_relu (LtModule  *layer,
                       LtModule  *act,
                       LtTensor  *input,
                       LtTensor **out,
                       GError   **error)
{
  LtTensor *weight, *bias, *y;
  LtGradFn *relu;

  if (!(LT_IS_LINEAR (layer) || LT_IS_CONV2D (layer)) || !LT_IS_RELU (act) ||
      lt_relu_get_inplace (LT_RELU (act)) || has_hooks (layer) || has_hooks (act))
    return FALSE;
  weight = lt_module_get_parameter (layer, "weight");
  bias = lt_module_get_parameter (layer, "bias");
  if (weight == NULL)
    return FALSE;
  if (LT_IS_LINEAR (layer) ? bias == NULL || !_lt_linear_bias_relu_applies (input, weight, bias)
                           : !_lt_conv2d_relu_applies (input, weight, bias))
    return FALSE;

  _lt_module_scope_enter (layer);
  if (LT_IS_LINEAR (layer))
    y = _lt_linear_bias_relu (input, weight, bias, error);
  else
    y = _lt_conv2d_module_run (layer, input, TRUE, error);
  _lt_module_scope_leave ();
  relu = y ? y->grad_fn : NULL;
  if (relu != NULL)
    {
      /* the ReLU's node, made in the layer's scope, is the ReLU's */
      _lt_module_scope_enter (act);
      relu->module = _lt_autograd_scope_get (NULL);
      _lt_module_scope_leave ();
    }
  *out = y;
  return TRUE;
}
