/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-activation.h"
#include "lt-linear.h"
#include "lt-nn-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "ops/lt-fused-private.h"

/*
 * Layers an LtSequential runs as one: a Linear with a bias directly
 * followed by a ReLU becomes _lt_linear_bias_relu () (ops/lt-fused-linear.c:
 * the product, then the bias and relu in one kernel each way), with the
 * graph the two modules make one after the other (AddmmBackward0 in the
 * Linear's scope, ReluBackward0 in the ReLU's) and the same bits.
 *
 * Only where nothing can tell the difference: neither module has hooks
 * (a forward hook must see the Linear's output, which the fused forward
 * never makes), the ReLU is not in place, and the operands are what
 * _lt_linear_bias_relu_applies () takes. Conv2d then ReLU stays unfused:
 * the CPU's convolution starts its sums from the bias, so the product
 * without the bias plus the bias would round differently.
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

  if (!LT_IS_LINEAR (layer) || !LT_IS_RELU (act) || lt_relu_get_inplace (LT_RELU (act)) ||
      has_hooks (layer) || has_hooks (act))
    return FALSE;
  weight = lt_module_get_parameter (layer, "weight");
  bias = lt_module_get_parameter (layer, "bias");
  if (weight == NULL || bias == NULL || !_lt_linear_bias_relu_applies (input, weight, bias))
    return FALSE;

  _lt_module_scope_enter (layer);
  y = _lt_linear_bias_relu (input, weight, bias, error);
  _lt_module_scope_leave ();
  relu = y ? y->grad_fn : NULL;
  if (relu != NULL)
    {
      /* the ReLU's node, made in the Linear's scope, is the ReLU's */
      _lt_module_scope_enter (act);
      relu->module = _lt_autograd_scope_get (NULL);
      _lt_module_scope_leave ();
    }
  *out = y;
  return TRUE;
}
