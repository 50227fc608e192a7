/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-pointwise-private.h"
#include "backends/lt-backend-private.h"

/*
 * Pointwise ops: front ends (broadcasting, type promotion, autograd
 * recording, in-place and out= forms) and their backward rules. The kernels
 * are the backends' (backends/cpu/lt-cpu-pointwise.c).
 */

/* Gives @in a private copy when it overlaps @out without being the very
 * same elements, so an in-place kernel never reads what it already wrote. */
static LtTensor *
resolve_overlap (LtTensor  *out,
                 LtTensor  *in,
                 GError   **error)
{
  if (in->storage != out->storage)
    return g_object_ref (in);
  if (in->offset == out->offset && in->ndim == out->ndim &&
      _lt_shape_equal (in->shape, in->ndim, out->shape, out->ndim) &&
      _lt_shape_equal (in->strides, in->ndim, out->strides, out->ndim))
    return g_object_ref (in);
  return _lt_clone_raw (in, error);
}

/* The row's refusal of bool inputs (LT_OPF_NO_BOOL) */
static gboolean
check_no_bool (LtOp op, LtTensor *const *inputs, guint n, GError **error)
{
  if (!(_lt_op_table[op].flags & LT_OPF_NO_BOOL))
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (inputs[i]->dtype == LT_DTYPE_BOOL)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                     "%s: not supported for bool tensors; use the logical ops (logical_not, "
                     "logical_and, logical_or) instead",
                     _lt_op_table[op].name);
        return FALSE;
      }
  return TRUE;
}

LtTensor *
_lt_pw_binary_op (LtOp        op,
                  LtTensor   *a,
                  LtTensor   *b,
                  LtTensor   *dest,
                  LtWriteMode mode,
                  GError    **error)
{
  const LtOpInfo *row = &_lt_op_table[op];
  const char     *name = row->name;
  LtTensor *inputs[2] = { a, b };
  gint64 shape[LT_MAX_DIMS];
  guint ndim;
  LtDType ct, odt;
  LtDevice device;
  g_autoptr(LtTensor) ca = NULL;
  g_autoptr(LtTensor) cb = NULL;
  g_autoptr(LtTensor) kout = NULL;
  g_autoptr(LtGradFn) node = NULL;
  LtTensor *kin[2];

  if (!_lt_check_devices (name, inputs, 2, error))
    return NULL;
  if (!_lt_shape_broadcast (a->shape, a->ndim, b->shape, b->ndim, shape, &ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (a);
      g_autofree char *s2 = LT_SHAPE_STR (b);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: shapes %s and %s cannot be broadcast", name, s1, s2);
      return NULL;
    }
  /* As torch: a bool operand is an error for some ops, whatever the other. */
  if (!check_no_bool (op, inputs, 2, error))
    return NULL;

  ct = _lt_result_type (inputs, 2);
  if ((row->flags & LT_OPF_FLOAT_RESULT) && !_lt_dtype_is_float (ct))
    ct = LT_DTYPE_FLOAT32;
  odt = (row->flags & LT_OPF_BOOL_RESULT) ? LT_DTYPE_BOOL : ct;
  device = a->is_wrapped_number ? b->storage->device : a->storage->device;

  if (mode != LT_WRITE_NEW)
    {
      if (!_lt_shape_equal (dest->shape, dest->ndim, shape, ndim))
        {
          g_autofree char *s1 = LT_SHAPE_STR (dest);
          g_autofree char *s2 = _lt_shape_to_string (shape, ndim);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "%s: the output has shape %s but the result has shape %s",
                       name, s1, s2);
          return NULL;
        }
      if (!_lt_can_cast (odt, dest->dtype))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                       "%s: the result type %s cannot be stored in the %s output", name,
                       lt_dtype_get_name (odt), lt_dtype_get_name (dest->dtype));
          return NULL;
        }
      if (dest->storage->device != device)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                       "%s: the output is on %s but the inputs are on %s", name,
                       lt_device_get_name (dest->storage->device), lt_device_get_name (device));
          return NULL;
        }
      if (mode == LT_WRITE_INPLACE && !_lt_check_writable (dest, name, error))
        return NULL;
      if (mode == LT_WRITE_OUT && _lt_any_requires_grad (inputs, 2) && row->backward)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "%s: the out= form does not support automatic differentiation; "
                       "an input requires grad", name);
          return NULL;
        }
    }

  ca = _lt_cast_to (a, ct, device, error);
  cb = ca ? _lt_cast_to (b, ct, device, error) : NULL;
  if (cb == NULL)
    return NULL;

  /* A kernel that can fail part-way must not write into @dest: it computes
   * into a new tensor, copied into @dest once it succeeded. */
  if (mode == LT_WRITE_NEW || dest->dtype != odt ||
      (mode == LT_WRITE_INPLACE && (row->flags & LT_OPF_INT_CAN_FAIL) && !_lt_dtype_is_float (ct)))
    {
      kout = _lt_new_output_like (a->is_wrapped_number ? b : a, shape, ndim, odt, device, error);
      if (kout == NULL)
        return NULL;
    }
  else
    kout = g_object_ref (dest);

  {
    g_autoptr(LtTensor) ra = resolve_overlap (kout, ca, error);
    g_autoptr(LtTensor) rb = ra ? resolve_overlap (kout, cb, error) : NULL;

    if (rb == NULL)
      return NULL;
    kin[0] = ca;
    kin[1] = cb;
    if (mode != LT_WRITE_OUT && row->backward)
      {
        node = _lt_autograd_record (op, inputs, 2);
        if (node)
          {
            _lt_autograd_save_args (node, kin, 2, mode == LT_WRITE_INPLACE ? dest : NULL);
            /* the Scalar overload's node when the second operand is a number */
            node->overload = b->is_wrapped_number && row->node_name[1] != NULL;
          }
      }
    kin[0] = ra;
    kin[1] = rb;
    if (!_lt_run (op, kout, NULL, kin, 2, NULL, error))
      return NULL;
  }

  if (mode == LT_WRITE_NEW)
    {
      if (node)
        _lt_autograd_set_output (g_steal_pointer (&node), kout);
      return g_steal_pointer (&kout);
    }

  if (kout != dest && !_lt_copy_into (dest, kout, error))
    return NULL;
  _lt_tensor_bump_version (dest);
  if (node)
    _lt_autograd_set_output (g_steal_pointer (&node), dest);
  return g_object_ref (dest);
}

LtTensor *
_lt_pw_binary_new (LtOp op, LtTensor *a, LtTensor *b, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (b), NULL);
  return _lt_pw_binary_op (op, a, b, NULL, LT_WRITE_NEW, error);
}

LtTensor *
_lt_pw_binary_scalar_new (LtOp op, LtTensor *a, double v, gboolean reversed, GError **error)
{
  g_autoptr(LtTensor) s = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  s = lt_scalar (v);
  return reversed ? _lt_pw_binary_op (op, s, a, NULL, LT_WRITE_NEW, error)
                  : _lt_pw_binary_op (op, a, s, NULL, LT_WRITE_NEW, error);
}

gboolean
_lt_pw_binary_inplace (LtOp op, LtTensor *a, LtTensor *b, GError **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (b), FALSE);
  r = _lt_pw_binary_op (op, a, b, a, LT_WRITE_INPLACE, error);
  return r != NULL;
}

gboolean
_lt_pw_binary_scalar_inplace (LtOp op, LtTensor *a, double v, GError **error)
{
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  s = lt_scalar (v);
  r = _lt_pw_binary_op (op, a, s, a, LT_WRITE_INPLACE, error);
  return r != NULL;
}

/* Unary */

LtTensor *
_lt_pw_unary_op (LtOp op, LtTensor *a, LtWriteMode mode, const LtOpParams *params, GError **error)
{
  const LtOpInfo *row = &_lt_op_table[op];
  const char     *name = row->name;
  LtDType odt = a->dtype;
  g_autoptr(LtTensor) ca = NULL;
  g_autoptr(LtTensor) kout = NULL;
  g_autoptr(LtGradFn) node = NULL;

  g_return_val_if_fail (mode != LT_WRITE_OUT, NULL);
  if ((row->flags & LT_OPF_FLOAT_RESULT) && !_lt_dtype_is_float (odt))
    odt = LT_DTYPE_FLOAT32;
  if (row->flags & LT_OPF_BOOL_RESULT)
    odt = LT_DTYPE_BOOL;
  if (!check_no_bool (op, &a, 1, error))
    return NULL;
  if ((row->flags & LT_OPF_FLOAT_ONLY) && !_lt_dtype_is_float (a->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input must be floating point, not %s; convert it with "
                   "to_dtype() first",
                   name, lt_dtype_get_name (a->dtype));
      return NULL;
    }
  if (mode == LT_WRITE_INPLACE)
    {
      if (!_lt_can_cast (odt, a->dtype))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                       "%s_: the result type %s cannot be stored in the %s tensor", name,
                       lt_dtype_get_name (odt), lt_dtype_get_name (a->dtype));
          return NULL;
        }
      if (!_lt_check_writable (a, name, error))
        return NULL;
    }

  /* a logical op's kernel reads any dtype as truth values */
  ca = (row->flags & LT_OPF_LOGICAL) ? g_object_ref (a) : _lt_cast (a, odt, error);
  if (ca == NULL)
    return NULL;
  if (mode == LT_WRITE_NEW || a->dtype != odt)
    {
      kout = _lt_new_output_like (a, a->shape, a->ndim, odt, a->storage->device, error);
      if (kout == NULL)
        return NULL;
    }
  else
    kout = g_object_ref (a);

  if (row->backward)
    {
      node = _lt_autograd_record (op, &a, 1);
      if (node)
        {
          _lt_autograd_save_args (node, &ca, 1, mode == LT_WRITE_INPLACE ? a : NULL);
          if (params)
            node->params = *params;
        }
    }
  if (!_lt_run (op, kout, NULL, &ca, 1, params, error))
    return NULL;

  if (mode == LT_WRITE_INPLACE)
    {
      if (kout != a && !_lt_copy_into (a, kout, error))
        return NULL;
      _lt_tensor_bump_version (a);
      g_object_unref (kout);
      kout = g_object_ref (a);
    }
  if (node)
    _lt_autograd_set_output (g_steal_pointer (&node), kout);
  return g_steal_pointer (&kout);
}

LtTensor *
_lt_pw_unary_new (LtOp op, LtTensor *a, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  return _lt_pw_unary_op (op, a, LT_WRITE_NEW, NULL, error);
}

gboolean
_lt_pw_unary_inplace (LtOp op, LtTensor *a, GError **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  r = _lt_pw_unary_op (op, a, LT_WRITE_INPLACE, NULL, error);
  return r != NULL;
}

/* Backward rules */

gboolean
_lt_backward_add (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (LT_NEEDS (0))
    gi[0] = g_object_ref (g);
  if (LT_NEEDS (1))
    gi[1] = g_object_ref (g);
  return TRUE;
}

gboolean
_lt_backward_sub (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (LT_NEEDS (0))
    gi[0] = g_object_ref (g);
  if (LT_NEEDS (1) && (gi[1] = lt_tensor_neg (g, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
_lt_backward_mul (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (LT_NEEDS (0))
    {
      LT_SAVED (b, ARG1);
      if ((gi[0] = lt_tensor_mul (g, b, error)) == NULL)
        return FALSE;
    }
  if (LT_NEEDS (1))
    {
      LT_SAVED (a, ARG0);
      if ((gi[1] = lt_tensor_mul (g, a, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
_lt_backward_div (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (b, ARG1);
  if (LT_NEEDS (0) && (gi[0] = lt_tensor_div (g, b, error)) == NULL)
    return FALSE;
  if (LT_NEEDS (1))
    {
      /* d(a/b)/db = -a / b^2 */
      LT_SAVED (a, ARG0);
      g_autoptr(LtTensor) q = lt_tensor_div (a, b, error);
      g_autoptr(LtTensor) q2 = q ? lt_tensor_div (q, b, error) : NULL;
      g_autoptr(LtTensor) t = q2 ? lt_tensor_mul (g, q2, error) : NULL;

      if (t == NULL || (gi[1] = lt_tensor_neg (t, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
_lt_backward_pow (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (a, ARG0);
  LT_SAVED (b, ARG1);

  if (LT_NEEDS (0))
    {
      /* b * a^(b-1), and 0 where b == 0 (as PyTorch) */
      g_autoptr(LtTensor) bm1 = lt_tensor_sub_scalar (b, 1.0, error);
      g_autoptr(LtTensor) p = bm1 ? lt_tensor_pow (a, bm1, error) : NULL;
      g_autoptr(LtTensor) d = p ? lt_tensor_mul (p, b, error) : NULL;
      g_autoptr(LtTensor) zero_b = d ? lt_tensor_eq_scalar (b, 0.0, error) : NULL;
      g_autoptr(LtTensor) dz = zero_b ? lt_tensor_masked_fill (d, zero_b, 0.0, error) : NULL;

      if (dz == NULL || (gi[0] = lt_tensor_mul (g, dz, error)) == NULL)
        return FALSE;
    }
  if (LT_NEEDS (1))
    {
      /* a^b * log(a), and 0 where a == 0 and b >= 0 */
      LT_SAVED (out, RESULT);
      g_autoptr(LtTensor) la = lt_tensor_log (a, error);
      g_autoptr(LtTensor) d = la ? lt_tensor_mul (out, la, error) : NULL;
      g_autoptr(LtTensor) za = d ? lt_tensor_eq_scalar (a, 0.0, error) : NULL;
      g_autoptr(LtTensor) pb = za ? lt_tensor_ge_scalar (b, 0.0, error) : NULL;
      g_autoptr(LtTensor) m = pb ? lt_tensor_logical_and (za, pb, error) : NULL;
      g_autoptr(LtTensor) dz = m ? lt_tensor_masked_fill (d, m, 0.0, error) : NULL;

      if (dz == NULL || (gi[1] = lt_tensor_mul (g, dz, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* maximum/minimum: the gradient goes to the larger (smaller) input, and is
 * split in half on ties. */
static gboolean
extremum_backward (LtGradFn *node, LtTensor *g, LtTensor **gi, gboolean is_max, GError **error)
{
  LT_SAVED (a, ARG0);
  LT_SAVED (b, ARG1);
  g_autoptr(LtTensor) half = lt_tensor_mul_scalar (g, 0.5, error);
  g_autoptr(LtTensor) tie = half ? lt_tensor_eq (a, b, error) : NULL;
  g_autoptr(LtTensor) a_wins = tie ? (is_max ? lt_tensor_gt (a, b, error) : lt_tensor_lt (a, b, error)) : NULL;
  g_autoptr(LtTensor) b_wins = a_wins ? (is_max ? lt_tensor_lt (a, b, error) : lt_tensor_gt (a, b, error)) : NULL;

  if (b_wins == NULL)
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(LtTensor) zero = NULL;
      g_autoptr(LtTensor) win = NULL;
      g_autoptr(LtTensor) shared = NULL;

      if (!LT_NEEDS (i))
        continue;
      zero = lt_zeros_like (g, error);
      win = zero ? lt_where (i == 0 ? a_wins : b_wins, g, zero, error) : NULL;
      shared = win ? lt_where (tie, half, win, error) : NULL;
      if (shared == NULL)
        return FALSE;
      gi[i] = g_steal_pointer (&shared);
    }
  return TRUE;
}

gboolean
_lt_backward_maximum (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return extremum_backward (node, g, gi, TRUE, error);
}

gboolean
_lt_backward_minimum (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return extremum_backward (node, g, gi, FALSE, error);
}

gboolean
_lt_backward_remainder (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (LT_NEEDS (0))
    gi[0] = g_object_ref (g);
  if (LT_NEEDS (1))
    {
      LT_SAVED (a, ARG0);
      LT_SAVED (b, ARG1);
      g_autoptr(LtTensor) q = lt_tensor_floor_divide (a, b, error);
      g_autoptr(LtTensor) t = q ? lt_tensor_mul (g, q, error) : NULL;

      if (t == NULL || (gi[1] = lt_tensor_neg (t, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
_lt_backward_neg (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = lt_tensor_neg (g, error)) != NULL;
}

gboolean
_lt_backward_abs (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) s = lt_tensor_sign (x, error);

  return s && (gi[0] = lt_tensor_mul (g, s, error)) != NULL;
}

gboolean
_lt_backward_sign (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* under create_graph a zero that keeps g's history, so that it can be
   * differentiated again (to zero) */
  if (g->requires_grad && _lt_creating_graph ())
    return (gi[0] = lt_tensor_mul_scalar (g, 0.0, error)) != NULL;
  return (gi[0] = lt_zeros_like (g, error)) != NULL;
}

gboolean
_lt_backward_exp (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (out, RESULT);
  return (gi[0] = lt_tensor_mul (g, out, error)) != NULL;
}

gboolean
_lt_backward_log (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  return (gi[0] = lt_tensor_div (g, x, error)) != NULL;
}

gboolean
_lt_backward_sqrt (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) two_out = lt_tensor_mul_scalar (out, 2.0, error);

  return two_out && (gi[0] = lt_tensor_div (g, two_out, error)) != NULL;
}

gboolean
_lt_backward_rsqrt (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 out^3 */
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) c = lt_tensor_pow_scalar (out, 3.0, error);
  g_autoptr(LtTensor) d = c ? lt_tensor_mul_scalar (c, -0.5, error) : NULL;

  return d && (gi[0] = lt_tensor_mul (g, d, error)) != NULL;
}

gboolean
_lt_backward_sin (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) c = lt_tensor_cos (x, error);

  return c && (gi[0] = lt_tensor_mul (g, c, error)) != NULL;
}

gboolean
_lt_backward_cos (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) s = lt_tensor_sin (x, error);
  g_autoptr(LtTensor) ns = s ? lt_tensor_neg (s, error) : NULL;

  return ns && (gi[0] = lt_tensor_mul (g, ns, error)) != NULL;
}

gboolean
_lt_backward_tanh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* 1 - out^2 */
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) sq = lt_tensor_mul (out, out, error);
  g_autoptr(LtTensor) d = sq ? lt_tensor_rsub_scalar (sq, 1.0, error) : NULL;

  return d && (gi[0] = lt_tensor_mul (g, d, error)) != NULL;
}

gboolean
_lt_backward_sigmoid (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* out * (1 - out) */
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) om = lt_tensor_rsub_scalar (out, 1.0, error);
  g_autoptr(LtTensor) d = om ? lt_tensor_mul (out, om, error) : NULL;

  return d && (gi[0] = lt_tensor_mul (g, d, error)) != NULL;
}

gboolean
_lt_backward_relu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* threshold_backward: pass where out > 0 (not where out <= 0, so that a
   * NaN output passes its gradient) */
  LT_SAVED (out, RESULT);
  LtDevice device = out->storage->device;

  if (g->dtype == out->dtype && !(g->requires_grad && _lt_creating_graph ()) &&
      _lt_backend_supports_op (device, LT_OP_RELU_GRAD, out->dtype))
    {
      /* one pass over g and out (LT_OP_RELU_GRAD) */
      g_autoptr(LtTensor) r = _lt_new_output_like (out, out->shape, out->ndim, out->dtype,
                                                   device, error);
      LtTensor *kin[2] = { g, out };

      if (r == NULL || !_lt_run (LT_OP_RELU_GRAD, r, NULL, kin, 2, NULL, error))
        return FALSE;
      gi[0] = g_steal_pointer (&r);
      return TRUE;
    }
  else
    {
      /* the same with public ops, for a backend without the kernel and
       * under create_graph (differentiable in g: relu's double backward) */
      g_autoptr(LtTensor) off = lt_tensor_le_scalar (out, 0.0, error);

      return off && (gi[0] = lt_tensor_masked_fill (g, off, 0.0, error)) != NULL;
    }
}

gboolean
_lt_backward_clamp (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* pass where min <= x <= max */
  LT_SAVED (x, ARG0);
  const LtClampParams *p = &node->params.clamp;
  g_autoptr(LtTensor) lo = lt_tensor_lt_scalar (x, p->has_min ? p->min : -INFINITY, error);
  g_autoptr(LtTensor) hi = lo ? lt_tensor_gt_scalar (x, p->has_max ? p->max : INFINITY, error) : NULL;
  g_autoptr(LtTensor) off = hi ? lt_tensor_logical_or (lo, hi, error) : NULL;

  return off && (gi[0] = lt_tensor_masked_fill (g, off, 0.0, error)) != NULL;
}

gboolean
_lt_backward_where (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (cond, ARG0);
  g_autoptr(LtTensor) zero = lt_zeros_like (g, error);

  if (zero == NULL)
    return FALSE;
  if (LT_NEEDS (1) && (gi[1] = lt_where (cond, g, zero, error)) == NULL)
    return FALSE;
  if (LT_NEEDS (2) && (gi[2] = lt_where (cond, zero, g, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
_lt_backward_masked_fill (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (mask, ARG0);
  return (gi[0] = lt_tensor_masked_fill (g, mask, 0.0, error)) != NULL;
}

/* where and masked_fill: both run where's kernel on (condition, a, b);
 * @inputs are the op's differentiable inputs, for its node. */

static LtTensor *
where_op (LtOp             op,
          LtTensor        *cond,
          LtTensor        *a,
          LtTensor        *b,
          LtTensor        *dest,
          LtTensor *const *inputs,
          guint            n_inputs,
          GError         **error)
{
  const char *name = _lt_op_table[op].name;
  LtTensor *all[3] = { cond, a, b };
  LtTensor *ab[2] = { a, b };
  gint64 s1[LT_MAX_DIMS], shape[LT_MAX_DIMS];
  guint n1, ndim;
  LtDType ct;
  LtDevice device = a->is_wrapped_number ? b->storage->device : a->storage->device;
  g_autoptr(LtTensor) ca = NULL;
  g_autoptr(LtTensor) cb = NULL;
  g_autoptr(LtTensor) cc = NULL;
  g_autoptr(LtTensor) kout = NULL;
  g_autoptr(LtGradFn) node = NULL;
  LtTensor *kin[3];

  if (cond->dtype != LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the condition (mask) must be a bool tensor, not %s", name,
                   lt_dtype_get_name (cond->dtype));
      return NULL;
    }
  if (!_lt_check_devices (name, all, 3, error))
    return NULL;
  if (!_lt_shape_broadcast (a->shape, a->ndim, b->shape, b->ndim, s1, &n1) ||
      !_lt_shape_broadcast (cond->shape, cond->ndim, s1, n1, shape, &ndim))
    {
      g_autofree char *sc = LT_SHAPE_STR (cond);
      g_autofree char *sa = LT_SHAPE_STR (a);
      g_autofree char *sb = LT_SHAPE_STR (b);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: shapes %s (condition), %s and %s cannot be broadcast", name, sc, sa, sb);
      return NULL;
    }
  if (dest && !_lt_shape_equal (dest->shape, dest->ndim, shape, ndim))
    {
      g_autofree char *sd = LT_SHAPE_STR (dest);
      g_autofree char *sm = LT_SHAPE_STR (cond);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: the mask of shape %s does not broadcast to the shape %s of the tensor",
                   name, sm, sd);
      return NULL;
    }
  ct = dest ? dest->dtype : _lt_result_type (ab, 2);
  if (dest && !_lt_check_writable (dest, name, error))
    return NULL;

  ca = _lt_cast_to (a, ct, device, error);
  cb = ca ? _lt_cast_to (b, ct, device, error) : NULL;
  if (cb == NULL)
    return NULL;
  kout = dest ? g_object_ref (dest) : _lt_tensor_new_empty (shape, ndim, ct, device, error);
  if (kout == NULL)
    return NULL;
  cc = resolve_overlap (kout, cond, error);
  if (cc == NULL)
    return NULL;
  if (dest)
    {
      LtTensor *t = resolve_overlap (kout, cb, error);
      if (t == NULL)
        return NULL;
      g_object_unref (cb);
      cb = t;
    }

  kin[0] = cond;
  kin[1] = ca;
  kin[2] = cb;
  node = _lt_autograd_record (op, inputs, n_inputs);
  if (node)
    _lt_autograd_save_args (node, kin, 3, dest);
  kin[0] = cc;
  kin[1] = ca;
  kin[2] = cb;
  if (!_lt_run (LT_OP_WHERE, kout, NULL, kin, 3, NULL, error))
    return NULL;
  if (dest)
    _lt_tensor_bump_version (dest);
  if (node)
    _lt_autograd_set_output (g_steal_pointer (&node), kout);
  return g_steal_pointer (&kout);
}

/**
 * lt_where:
 * @condition: a bool tensor
 * @self: the values where @condition is true
 * @other: the values where @condition is false
 * @error: return location for a #GError
 *
 * Picks elements of @self where @condition holds and of @other elsewhere,
 * as `torch.where(condition, self, other)`; the three shapes broadcast.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_where (LtTensor *condition,
          LtTensor *self,
          LtTensor *other,
          GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (condition), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  return where_op (LT_OP_WHERE, condition, self, other, NULL,
                   (LtTensor *[]){ condition, self, other }, 3, error);
}

/**
 * lt_tensor_masked_fill:
 * @self: a tensor
 * @mask: a bool tensor whose shape broadcasts to @self's
 * @value: the value to write where @mask is true
 * @error: return location for a #GError
 *
 * Replaces the elements of @self selected by @mask by @value, as
 * `x.masked_fill(mask, value)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_masked_fill (LtTensor *self,
                       LtTensor *mask,
                       double    value,
                       GError  **error)
{
  g_autoptr(LtTensor) v = NULL;
  g_autoptr(LtTensor) expanded = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (mask), NULL);
  v = _lt_tensor_new_scalar (value, self->dtype, TRUE);
  if (self->storage->device != LT_DEVICE_CPU)
    {
      /* the value joins @self on its device */
      LtTensor *moved = lt_tensor_to_device (v, self->storage->device, error);

      if (moved == NULL)
        return NULL;
      g_object_unref (v);
      v = moved;
    }
  expanded = lt_tensor_expand (v, self->shape, self->ndim, error);
  if (expanded == NULL)
    return NULL;
  {
    gint64 shape[LT_MAX_DIMS];
    guint ndim;

    if (!_lt_shape_broadcast (mask->shape, mask->ndim, self->shape, self->ndim, shape, &ndim) ||
        !_lt_shape_equal (shape, ndim, self->shape, self->ndim))
      {
        g_autofree char *sm = LT_SHAPE_STR (mask);
        g_autofree char *ss = LT_SHAPE_STR (self);
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "masked_fill: the mask of shape %s does not broadcast to the shape %s of "
                     "the tensor", sm, ss);
        return NULL;
      }
  }
  return where_op (LT_OP_MASKED_FILL, mask, expanded, self, NULL, &self, 1, error);
}

/**
 * lt_tensor_masked_fill_:
 * @self: the tensor to modify
 * @mask: a bool tensor whose shape broadcasts to @self's
 * @value: the value to write where @mask is true
 * @error: return location for a #GError
 *
 * Writes @value into the elements of @self selected by @mask.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_masked_fill_ (LtTensor *self,
                        LtTensor *mask,
                        double    value,
                        GError  **error)
{
  g_autoptr(LtTensor) v = NULL;
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (mask), FALSE);
  v = _lt_tensor_new_scalar (value, self->dtype, TRUE);
  r = where_op (LT_OP_MASKED_FILL, mask, v, self, self, &self, 1, error);
  return r != NULL;
}
