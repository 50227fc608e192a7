/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-fused-private.h"
#include "lt-pointwise.h"
#include "lt-reduce.h"
#include "lt-shape.h"
#include "core/lt-shape-private.h"
#include "backends/lt-backend-private.h"

/*
 * bias + relu in one kernel each way (LT_OP_BIAS_RELU, LT_OP_BIAS_RELU_GRAD)
 * where the backend has them: y = relu (x + b), the bias b (C) broadcast
 * over dim 1 of x (N, C, *) (dim 0 of a (C) input), as a Linear or Conv
 * layer's bias add followed by a ReLU computes it. The forward kernel
 * repeats the add's and relu's arithmetic, so y has the unfused ops' bits.
 * The node's rule gives, in one kernel, relu's gradient of the sum (g where
 * y > 0) and the bias's gradient (its sum over every dim but the channel
 * dim); under create_graph, or on a backend without the kernel, the same
 * with public ops (relu's rule, then a sum), which differentiate again.
 */

/* The dims of @ndim that the bias's gradient sums over */
static gsize
bias_sum_dims (guint ndim, gint *dims)
{
  gsize n = 0;

  for (guint d = 0; d < ndim; d++)
    if (d != (ndim == 1 ? 0u : 1u))
      dims[n++] = (gint) d;
  return n;
}

LtTensor *
_lt_bias_relu (LtTensor *x, LtTensor *b, GError **error)
{
  const char *op = "bias_relu";
  g_autoptr(LtTensor) xc = NULL;
  g_autoptr(LtTensor) bc = NULL;
  g_autoptr(LtTensor) y = NULL;
  LtGradFn *node;
  gboolean  prev, ok = FALSE;
  gint64    C;

  g_return_val_if_fail (LT_IS_TENSOR (x), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (b), NULL);
  C = x->ndim == 0 ? -1 : x->shape[x->ndim == 1 ? 0 : 1];
  if ((x->dtype != LT_DTYPE_FLOAT32 && x->dtype != LT_DTYPE_FLOAT64) || b->dtype != x->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: expected a float32 or float64 input and a bias of its dtype, got %s and %s",
                   op, lt_dtype_get_name (x->dtype), lt_dtype_get_name (b->dtype));
      return NULL;
    }
  if (b->ndim != 1 || b->shape[0] != C)
    {
      g_autofree char *s1 = LT_SHAPE_STR (x);
      g_autofree char *s2 = LT_SHAPE_STR (b);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: a bias of shape %s does not fit an input of shape %s (expected an input "
                   "of shape (N, C, *) or (C) and a bias of shape (C))",
                   op, s2, s1);
      return NULL;
    }
  if (!_lt_check_devices (op, (LtTensor *[]){ x, b }, 2, error))
    return NULL;
  if (!_lt_backend_supports_op (x->storage->device, LT_OP_BIAS_RELU, x->dtype))
    {
      /* the unfused ops: the bias viewed as (C, 1, ...), add, relu */
      gint64 bshape[LT_MAX_DIMS];
      g_autoptr(LtTensor) bv = NULL;
      g_autoptr(LtTensor) s = NULL;

      bshape[0] = C;
      for (guint d = 1; d + 1 < MAX (x->ndim, 1u); d++)
        bshape[d] = 1;
      bv = lt_tensor_reshape (b, bshape, x->ndim <= 1 ? 1 : x->ndim - 1, error);
      s = bv ? lt_tensor_add (x, bv, error) : NULL;
      return s ? lt_tensor_relu (s, error) : NULL;
    }

  prev = lt_set_grad_enabled (FALSE);
  xc = _lt_contiguous (x, error);
  bc = xc ? _lt_contiguous (b, error) : NULL;
  y = bc ? _lt_tensor_new_empty (x->shape, x->ndim, x->dtype, x->storage->device, error) : NULL;
  if (y)
    {
      g_autoptr(LtTensor) x2 = NULL;
      g_autoptr(LtTensor) y2 = NULL;

      /* the kernel takes (N, C, *): a (C) input as (1, C) */
      if (x->ndim == 1)
        {
          gint64 s2[2] = { 1, C };

          x2 = _lt_alias_shape (xc, s2, 2);
          y2 = _lt_alias_shape (y, s2, 2);
        }
      else
        {
          x2 = g_object_ref (xc);
          y2 = g_object_ref (y);
        }
      ok = _lt_run (LT_OP_BIAS_RELU, y2, NULL, (LtTensor *[]){ x2, bc }, 2, NULL, error);
      if (!ok)
        g_prefix_error (error, "%s: ", op);
    }
  lt_set_grad_enabled (prev);
  if (!ok)
    return NULL;
  node = _lt_autograd_record (LT_OP_BIAS_RELU, (LtTensor *[]){ x, b }, 2);
  if (node)
    _lt_autograd_set_output (node, y);
  return g_steal_pointer (&y);
}

gboolean
_lt_backward_bias_relu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (y, RESULT);
  LtDevice device = y->storage->device;
  gint     dims[LT_MAX_DIMS];
  gsize    n_dims;

  if (!LT_NEEDS (0) && !LT_NEEDS (1))
    return TRUE;
  if (g->dtype == y->dtype && !_lt_creating_graph () &&
      _lt_backend_supports_op (device, LT_OP_BIAS_RELU_GRAD, y->dtype))
    {
      gint64 s2[2] = { 1, y->numel };
      gint64 C = y->shape[y->ndim == 1 ? 0 : 1];
      g_autoptr(LtTensor) gc = _lt_contiguous (g, error);
      g_autoptr(LtTensor) dx = NULL;
      g_autoptr(LtTensor) db = NULL;
      g_autoptr(LtTensor) g2 = NULL;
      g_autoptr(LtTensor) y2 = NULL;
      g_autoptr(LtTensor) dx2 = NULL;

      if (gc == NULL)
        return FALSE;
      dx = _lt_tensor_new_empty (y->shape, y->ndim, y->dtype, device, error);
      db = dx ? _lt_tensor_new_empty (&C, 1, y->dtype, device, error) : NULL;
      if (db == NULL)
        return FALSE;
      if (y->ndim == 1)
        {
          g2 = _lt_alias_shape (gc, s2, 2);
          y2 = _lt_alias_shape (y, s2, 2);
          dx2 = _lt_alias_shape (dx, s2, 2);
        }
      else
        {
          g2 = g_object_ref (gc);
          y2 = g_object_ref (y);
          dx2 = g_object_ref (dx);
        }
      if (!_lt_run (LT_OP_BIAS_RELU_GRAD, dx2, db, (LtTensor *[]){ g2, y2 }, 2, NULL, error))
        return FALSE;
      if (LT_NEEDS (0))
        gi[0] = g_object_ref (dx);
      if (LT_NEEDS (1))
        gi[1] = g_object_ref (db);
      return TRUE;
    }

  /* relu's rule (the node saves relu's result too), then the bias's sum */
  {
    LtTensor *dx = NULL;

    if (!_lt_backward_relu (node, g, &dx, error))
      return FALSE;
    n_dims = bias_sum_dims (y->ndim, dims);
    if (LT_NEEDS (1))
      {
        gi[1] = n_dims ? lt_tensor_sum_dims (dx, dims, n_dims, FALSE, error) : g_object_ref (dx);
        if (gi[1] == NULL)
          {
            g_object_unref (dx);
            return FALSE;
          }
      }
    if (LT_NEEDS (0))
      gi[0] = dx;
    else
      g_object_unref (dx);
    return TRUE;
  }
}
