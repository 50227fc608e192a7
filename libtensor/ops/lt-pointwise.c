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


static gboolean
is_compare (LtOp op)
{
  return (op >= LT_OP_EQ && op <= LT_OP_LOGICAL_OR);
}

static gboolean
is_float_unary (LtOp op)
{
  return op >= LT_OP_EXP && op <= LT_OP_SIGMOID;
}

/* Moves a CPU scalar (0-dim) to @device, as PyTorch lets CPU scalars meet
 * tensors of any device. */
static LtTensor *
on_device (LtTensor  *t,
           LtDevice   device,
           GError   **error)
{
  if (t->storage->device == device)
    return g_object_ref (t);
  return lt_tensor_to_device (t, device, error);
}

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

/* Saves input @t for backward. An in-place op is about to overwrite the
 * storage of @dest: an input living there is saved as a copy taken now,
 * as PyTorch saves `self.clone()` for in-place ops that need self. */
static void
save_input (LtGradFn *node,
            guint     slot,
            LtTensor *t,
            LtTensor *dest)
{
  g_autoptr(LtTensor) copy = NULL;

  if (dest != NULL && t->storage == dest->storage)
    copy = _lt_clone_raw (t, NULL);
  _lt_grad_fn_save (node, slot, copy ? copy : t);
}

static void
save_binary_inputs (LtGradFn *node,
                    LtOp      op,
                    LtTensor *a,
                    LtTensor *b,
                    LtTensor *dest)
{
  switch (op)
    {
    case LT_OP_MUL:
      if (_lt_grad_fn_needs_input_grad (node, 0))
        save_input (node, 1, b, dest);
      if (_lt_grad_fn_needs_input_grad (node, 1))
        save_input (node, 0, a, dest);
      break;
    case LT_OP_DIV:
    case LT_OP_POW:
    case LT_OP_MAXIMUM:
    case LT_OP_MINIMUM:
    case LT_OP_REMAINDER:
      save_input (node, 0, a, dest);
      save_input (node, 1, b, dest);
      break;
    default:
      break;
    }
}

LtTensor *
_lt_pw_binary_op (LtOp      op,
           LtTensor *a,
           LtTensor *b,
           LtTensor *dest,
           Mode      mode,
           GError  **error)
{
  const char *name = _lt_op_table[op].name;
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

  ct = _lt_result_type (inputs, 2);
  if (op == LT_OP_DIV && !_lt_dtype_is_float (ct))
    ct = LT_DTYPE_FLOAT32;
  /* As torch: a bool operand of a subtraction is an error, whatever the other. */
  if (op == LT_OP_SUB && (a->dtype == LT_DTYPE_BOOL || b->dtype == LT_DTYPE_BOOL))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: subtracting bool tensors is not supported; use logical_xor or "
                   "logical_not instead", name);
      return NULL;
    }
  if (op == LT_OP_POW && !_lt_dtype_is_float (ct) && b->is_wrapped_number &&
      _lt_load_double (_lt_tensor_data (b), b->dtype) < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: integers to negative integer powers are not allowed", name);
      return NULL;
    }
  odt = is_compare (op) ? LT_DTYPE_BOOL : ct;
  device = a->is_wrapped_number ? b->storage->device : a->storage->device;

  if (mode != MODE_NEW)
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
      if (mode == MODE_INPLACE && !_lt_check_writable (dest, name, error))
        return NULL;
      if (mode == MODE_OUT && _lt_any_requires_grad (inputs, 2) && _lt_op_table[op].backward)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "%s: the out= form does not support automatic differentiation; "
                       "an input requires grad", name);
          return NULL;
        }
    }

  ca = _lt_cast (a, ct, error);
  if (ca == NULL)
    return NULL;
  cb = _lt_cast (b, ct, error);
  if (cb == NULL)
    return NULL;
  if (ca->storage->device != device)
    {
      LtTensor *t = on_device (ca, device, error);
      if (t == NULL)
        return NULL;
      g_object_unref (ca);
      ca = t;
    }
  if (cb->storage->device != device)
    {
      LtTensor *t = on_device (cb, device, error);
      if (t == NULL)
        return NULL;
      g_object_unref (cb);
      cb = t;
    }

  if (mode == MODE_NEW || dest->dtype != odt ||
      (mode == MODE_INPLACE && (op == LT_OP_FLOOR_DIVIDE || op == LT_OP_REMAINDER) &&
       !_lt_dtype_is_float (ct)))
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
    if (mode != MODE_OUT && _lt_op_table[op].backward && !is_compare (op))
      {
        node = _lt_autograd_record (op, inputs, 2);
        if (node)
          save_binary_inputs (node, op, ca, cb, mode == MODE_INPLACE ? dest : NULL);
        if (node && op == LT_OP_POW)
          node->name = b->is_wrapped_number ? "PowBackward0" : "PowBackward1";
      }
    kin[0] = ra;
    kin[1] = rb;
    if (!_lt_run (op, kout, NULL, kin, 2, NULL, error))
      return NULL;
  }

  if (mode == MODE_NEW)
    {
      if (node)
        {
          if (op == LT_OP_POW && _lt_grad_fn_needs_input_grad (node, 1))
            _lt_grad_fn_save_output (node, 2, kout);
          _lt_autograd_set_output (g_steal_pointer (&node), kout);
        }
      return g_steal_pointer (&kout);
    }

  if (kout != dest && !_lt_copy_into (dest, kout, error))
    return NULL;
  _lt_tensor_bump_version (dest);
  if (node)
    {
      if (op == LT_OP_POW && _lt_grad_fn_needs_input_grad (node, 1))
        _lt_grad_fn_save_output (node, 2, dest);
      _lt_autograd_set_output (g_steal_pointer (&node), dest);
    }
  return g_object_ref (dest);
}

LtTensor *
_lt_pw_binary_new (LtOp      op,
            LtTensor *a,
            LtTensor *b,
            GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (b), NULL);
  return _lt_pw_binary_op (op, a, b, NULL, MODE_NEW, error);
}

LtTensor *
_lt_pw_binary_scalar_new (LtOp      op,
                   LtTensor *a,
                   double    v,
                   gboolean  reversed,
                   GError  **error)
{
  g_autoptr(LtTensor) s = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  s = lt_scalar (v);
  return reversed ? _lt_pw_binary_op (op, s, a, NULL, MODE_NEW, error)
                  : _lt_pw_binary_op (op, a, s, NULL, MODE_NEW, error);
}

gboolean
_lt_pw_binary_inplace (LtOp      op,
                LtTensor *a,
                LtTensor *b,
                GError  **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (b), FALSE);
  r = _lt_pw_binary_op (op, a, b, a, MODE_INPLACE, error);
  return r != NULL;
}

gboolean
_lt_pw_binary_scalar_inplace (LtOp      op,
                       LtTensor *a,
                       double    v,
                       GError  **error)
{
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  s = lt_scalar (v);
  r = _lt_pw_binary_op (op, a, s, a, MODE_INPLACE, error);
  return r != NULL;
}

/* Unary */

LtTensor *
_lt_pw_unary_op (LtOp              op,
          LtTensor         *a,
          Mode              mode,
          const LtOpParams *params,
          GError          **error)
{
  const char *name = _lt_op_table[op].name;
  LtDType odt = a->dtype;
  g_autoptr(LtTensor) ca = NULL;
  g_autoptr(LtTensor) kout = NULL;
  g_autoptr(LtGradFn) node = NULL;
  LtTensor *kin[1];

  if (is_float_unary (op) && !_lt_dtype_is_float (odt))
    odt = LT_DTYPE_FLOAT32;
  if (op == LT_OP_LOGICAL_NOT)
    odt = LT_DTYPE_BOOL;
  if ((op == LT_OP_NEG || op == LT_OP_RELU || op == LT_OP_CLAMP) && a->dtype == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: not supported for bool tensors; use logical_not for negation", name);
      return NULL;
    }
  if (mode == MODE_INPLACE)
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

  ca = op == LT_OP_LOGICAL_NOT ? g_object_ref (a) : _lt_cast (a, odt, error);
  if (ca == NULL)
    return NULL;
  if (mode == MODE_NEW || a->dtype != odt)
    {
      kout = _lt_new_output_like (a, a->shape, a->ndim, odt, a->storage->device, error);
      if (kout == NULL)
        return NULL;
    }
  else
    kout = g_object_ref (a);

  if (_lt_op_table[op].backward)
    {
      node = _lt_autograd_record (op, &a, 1);
      if (node)
        {
          switch (op)
            {
            case LT_OP_ABS:
            case LT_OP_LOG:
            case LT_OP_SIN:
            case LT_OP_COS:
            case LT_OP_CLAMP:
              save_input (node, 0, ca, mode == MODE_INPLACE ? a : NULL);
              break;
            default:
              break;
            }
          if (params)
            node->params = *params;
        }
    }
  kin[0] = ca;
  if (!_lt_run (op, kout, NULL, kin, 1, params, error))
    return NULL;

  if (mode == MODE_INPLACE)
    {
      if (kout != a && !_lt_copy_into (a, kout, error))
        return NULL;
      _lt_tensor_bump_version (a);
      g_object_unref (kout);
      kout = g_object_ref (a);
    }
  if (node)
    {
      switch (op)
        {
        case LT_OP_EXP:
        case LT_OP_SQRT:
        case LT_OP_RSQRT:
        case LT_OP_TANH:
        case LT_OP_SIGMOID:
        case LT_OP_RELU:
          _lt_grad_fn_save_output (node, 1, kout);
          break;
        default:
          break;
        }
      _lt_autograd_set_output (g_steal_pointer (&node), kout);
    }
  return g_steal_pointer (&kout);
}

LtTensor *
_lt_pw_unary_new (LtOp      op,
           LtTensor *a,
           GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  return _lt_pw_unary_op (op, a, MODE_NEW, NULL, error);
}

gboolean
_lt_pw_unary_inplace (LtOp      op,
               LtTensor *a,
               GError  **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  r = _lt_pw_unary_op (op, a, MODE_INPLACE, NULL, error);
  return r != NULL;
}

/* Backward rules */

#define NEEDS(i) _lt_grad_fn_needs_input_grad (node, (i))
#define SAVED(var, slot)                                   \
  LtTensor *var = _lt_grad_fn_get_saved (node, (slot), error); \
  if (var == NULL)                                         \
    return FALSE

gboolean
_lt_backward_add (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (NEEDS (0))
    gi[0] = g_object_ref (g);
  if (NEEDS (1))
    gi[1] = g_object_ref (g);
  return TRUE;
}

gboolean
_lt_backward_sub (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (NEEDS (0))
    gi[0] = g_object_ref (g);
  if (NEEDS (1) && (gi[1] = lt_tensor_neg (g, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
_lt_backward_mul (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (NEEDS (0))
    {
      SAVED (b, 1);
      if ((gi[0] = lt_tensor_mul (g, b, error)) == NULL)
        return FALSE;
    }
  if (NEEDS (1))
    {
      SAVED (a, 0);
      if ((gi[1] = lt_tensor_mul (g, a, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
_lt_backward_div (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (b, 1);
  if (NEEDS (0) && (gi[0] = lt_tensor_div (g, b, error)) == NULL)
    return FALSE;
  if (NEEDS (1))
    {
      /* d(a/b)/db = -a / b^2 */
      SAVED (a, 0);
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
  SAVED (a, 0);
  SAVED (b, 1);

  if (NEEDS (0))
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
  if (NEEDS (1))
    {
      /* a^b * log(a), and 0 where a == 0 and b >= 0 */
      SAVED (out, 2);
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
  SAVED (a, 0);
  SAVED (b, 1);
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

      if (!NEEDS (i))
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
  if (NEEDS (0))
    gi[0] = g_object_ref (g);
  if (NEEDS (1))
    {
      SAVED (a, 0);
      SAVED (b, 1);
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
  SAVED (x, 0);
  g_autoptr(LtTensor) s = lt_tensor_sign (x, error);

  return s && (gi[0] = lt_tensor_mul (g, s, error)) != NULL;
}

gboolean
_lt_backward_sign (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = lt_zeros_like (g, error)) != NULL;
}

gboolean
_lt_backward_exp (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (out, 1);
  return (gi[0] = lt_tensor_mul (g, out, error)) != NULL;
}

gboolean
_lt_backward_log (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (x, 0);
  return (gi[0] = lt_tensor_div (g, x, error)) != NULL;
}

gboolean
_lt_backward_sqrt (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (out, 1);
  g_autoptr(LtTensor) two_out = lt_tensor_mul_scalar (out, 2.0, error);

  return two_out && (gi[0] = lt_tensor_div (g, two_out, error)) != NULL;
}

gboolean
_lt_backward_rsqrt (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* d/dx x^-1/2 = -1/2 x^-3/2 = -1/2 out^3 */
  SAVED (out, 1);
  g_autoptr(LtTensor) c = lt_tensor_pow_scalar (out, 3.0, error);
  g_autoptr(LtTensor) d = c ? lt_tensor_mul_scalar (c, -0.5, error) : NULL;

  return d && (gi[0] = lt_tensor_mul (g, d, error)) != NULL;
}

gboolean
_lt_backward_sin (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (x, 0);
  g_autoptr(LtTensor) c = lt_tensor_cos (x, error);

  return c && (gi[0] = lt_tensor_mul (g, c, error)) != NULL;
}

gboolean
_lt_backward_cos (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (x, 0);
  g_autoptr(LtTensor) s = lt_tensor_sin (x, error);
  g_autoptr(LtTensor) ns = s ? lt_tensor_neg (s, error) : NULL;

  return ns && (gi[0] = lt_tensor_mul (g, ns, error)) != NULL;
}

gboolean
_lt_backward_tanh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* 1 - out^2 */
  SAVED (out, 1);
  g_autoptr(LtTensor) sq = lt_tensor_mul (out, out, error);
  g_autoptr(LtTensor) d = sq ? lt_tensor_rsub_scalar (sq, 1.0, error) : NULL;

  return d && (gi[0] = lt_tensor_mul (g, d, error)) != NULL;
}

gboolean
_lt_backward_sigmoid (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* out * (1 - out) */
  SAVED (out, 1);
  g_autoptr(LtTensor) om = lt_tensor_rsub_scalar (out, 1.0, error);
  g_autoptr(LtTensor) d = om ? lt_tensor_mul (out, om, error) : NULL;

  return d && (gi[0] = lt_tensor_mul (g, d, error)) != NULL;
}

gboolean
_lt_backward_relu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* threshold_backward: pass where out > 0 (not where out <= 0, so that a
   * NaN output passes its gradient) */
  SAVED (out, 1);
  LtDevice device = out->storage->device;

  if (g->dtype == out->dtype && _lt_backend_supports_op (device, LT_OP_RELU_GRAD, out->dtype))
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
      /* the same with public ops, for a backend without the kernel */
      g_autoptr(LtTensor) off = lt_tensor_le_scalar (out, 0.0, error);

      return off && (gi[0] = lt_tensor_masked_fill (g, off, 0.0, error)) != NULL;
    }
}

gboolean
_lt_backward_clamp (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* pass where min <= x <= max */
  SAVED (x, 0);
  const LtClampParams *p = &node->params.clamp;
  g_autoptr(LtTensor) lo = lt_tensor_lt_scalar (x, p->has_min ? p->min : -INFINITY, error);
  g_autoptr(LtTensor) hi = lo ? lt_tensor_gt_scalar (x, p->has_max ? p->max : INFINITY, error) : NULL;
  g_autoptr(LtTensor) off = hi ? lt_tensor_logical_or (lo, hi, error) : NULL;

  return off && (gi[0] = lt_tensor_masked_fill (g, off, 0.0, error)) != NULL;
}

gboolean
_lt_backward_where (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (cond, 0);
  g_autoptr(LtTensor) zero = lt_zeros_like (g, error);

  if (zero == NULL)
    return FALSE;
  if (NEEDS (1) && (gi[1] = lt_where (cond, g, zero, error)) == NULL)
    return FALSE;
  if (NEEDS (2) && (gi[2] = lt_where (cond, zero, g, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
_lt_backward_masked_fill (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  SAVED (mask, 0);
  return (gi[0] = lt_tensor_masked_fill (g, mask, 0.0, error)) != NULL;
}

/* where and masked_fill */

static LtTensor *
where_op (LtOp      op,
          LtTensor *cond,
          LtTensor *a,
          LtTensor *b,
          LtTensor *dest,
          GError  **error)
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

  ca = _lt_cast (a, ct, error);
  cb = ca ? _lt_cast (b, ct, error) : NULL;
  if (cb == NULL)
    return NULL;
  if (ca->storage->device != device)
    {
      LtTensor *t = on_device (ca, device, error);
      if (t == NULL)
        return NULL;
      g_object_unref (ca);
      ca = t;
    }
  if (cb->storage->device != device)
    {
      LtTensor *t = on_device (cb, device, error);
      if (t == NULL)
        return NULL;
      g_object_unref (cb);
      cb = t;
    }
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

  if (op == LT_OP_WHERE)
    {
      node = _lt_autograd_record (op, all, 3);
      if (node)
        _lt_grad_fn_save (node, 0, cond);
    }
  else
    {
      node = _lt_autograd_record (op, &b, 1);
      if (node)
        _lt_grad_fn_save (node, 0, cond);
    }
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
  return where_op (LT_OP_WHERE, condition, self, other, NULL, error);
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
  return where_op (LT_OP_MASKED_FILL, mask, expanded, self, NULL, error);
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
  r = where_op (LT_OP_MASKED_FILL, mask, v, self, self, error);
  return r != NULL;
}
