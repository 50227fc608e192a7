/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"

/*
 * The in-place view ops, unsqueeze_, squeeze_ and transpose_: @self takes
 * the shape and strides of the view the out-of-place op would make, and
 * its history gains that op's node (PyTorch's UnsqueezeBackward1,
 * SqueezeBackward2/3 and TransposeBackward1, with the out-of-place ops'
 * backward rules). Only metadata changes, so unlike an in-place write
 * this is allowed on a view of a tensor that requires grad, as in
 * PyTorch; a leaf that requires grad is refused, as there.
 */

/* @self becomes @view (a view of it made with grad mode off) and records
 * @op's node; @vp are the node's parameters. */
static gboolean
become (LtTensor           *self,
        LtTensor           *view,
        LtOp                op,
        const LtViewParams *vp,
        guint               overload,
        GError            **error)
{
  LtGradFn *node;

  if (view == NULL)
    return FALSE;
  if (lt_is_grad_enabled () && self->requires_grad && self->grad_fn == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "%s: a leaf tensor that requires grad is being used in an in-place "
                   "operation; do it under no-grad mode (lt_set_grad_enabled (FALSE)) or on "
                   "a detached tensor",
                   _lt_op_table[op].name);
      return FALSE;
    }
  /* the node keeps the shape @self had */
  node = _lt_autograd_record (op, &self, 1);
  self->ndim = view->ndim;
  memcpy (self->shape, view->shape, sizeof (gint64) * view->ndim);
  memcpy (self->strides, view->strides, sizeof (gint64) * view->ndim);
  if (node)
    {
      if (vp)
        node->params.view = *vp;
      node->overload = overload;
      _lt_autograd_set_output (node, self);
    }
  return TRUE;
}

/* var = call (a view of @self) with grad mode off: no node of its own */
#define VIEW_NO_GRAD(var, call)                                                                    \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gboolean prev_ = lt_set_grad_enabled (FALSE);                                                  \
    var = call;                                                                                    \
    lt_set_grad_enabled (prev_);                                                                   \
  }                                                                                                \
  G_STMT_END

/**
 * lt_tensor_unsqueeze_:
 * @self: the tensor to change
 * @dim: where the new dimension goes, from -(n+1) to n
 * @error: return location for a #GError
 *
 * lt_tensor_unsqueeze() in place: @self gains a dimension of size 1, as
 * `x.unsqueeze_(dim)`. No element is written.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_unsqueeze_ (LtTensor *self, gint dim, GError **error)
{
  g_autoptr(LtTensor) view = NULL;
  guint d;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (!_lt_normalize_dim (dim, self->ndim + 1, &d, "unsqueeze_", error))
    return FALSE;
  VIEW_NO_GRAD (view, lt_tensor_unsqueeze (self, (gint) d, error));
  return become (self, view, LT_OP_UNSQUEEZE_INPLACE, NULL, 0, error);
}

/**
 * lt_tensor_squeeze_:
 * @self: the tensor to change
 * @error: return location for a #GError
 *
 * lt_tensor_squeeze() in place: @self loses every dimension of size 1, as
 * `x.squeeze_()`. No element is written.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_squeeze_ (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) view = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  VIEW_NO_GRAD (view, lt_tensor_squeeze (self, error));
  return become (self, view, LT_OP_SQUEEZE_INPLACE, NULL, 0, error);
}

/**
 * lt_tensor_squeeze_dim_:
 * @self: the tensor to change
 * @dim: the dimension to remove if its size is 1
 * @error: return location for a #GError
 *
 * lt_tensor_squeeze_dim() in place, as `x.squeeze_(dim)`. No element is
 * written.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_squeeze_dim_ (LtTensor *self, gint dim, GError **error)
{
  g_autoptr(LtTensor) view = NULL;
  guint d;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (!_lt_normalize_dim (dim, self->ndim, &d, "squeeze_", error))
    return FALSE;
  VIEW_NO_GRAD (view, lt_tensor_squeeze_dim (self, (gint) d, error));
  return become (self, view, LT_OP_SQUEEZE_INPLACE, NULL, 1 /* SqueezeBackward3 */, error);
}

/**
 * lt_tensor_transpose_:
 * @self: the tensor to change
 * @dim0: a dimension
 * @dim1: another dimension
 * @error: return location for a #GError
 *
 * lt_tensor_transpose() in place: @self's dimensions @dim0 and @dim1 swap,
 * as `x.transpose_(dim0, dim1)`. No element is written.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_transpose_ (LtTensor *self, gint dim0, gint dim1, GError **error)
{
  g_autoptr(LtTensor) view = NULL;
  LtViewParams vp = { 0 };
  guint        d0, d1;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (!_lt_normalize_dim (dim0, self->ndim, &d0, "transpose_", error) ||
      !_lt_normalize_dim (dim1, self->ndim, &d1, "transpose_", error))
    return FALSE;
  vp.dim = d0;
  vp.dim1 = d1;
  VIEW_NO_GRAD (view, lt_tensor_transpose (self, dim0, dim1, error));
  return become (self, view, LT_OP_TRANSPOSE_INPLACE, &vp, 0, error);
}
