/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"

/*
 * Pointwise ops: front ends (broadcasting, type promotion, autograd
 * recording, in-place and out= forms) and their backward rules. The kernels
 * are the backends' (backends/cpu/lt-cpu-pointwise.c).
 */

typedef enum {
  MODE_NEW,
  MODE_INPLACE,
  MODE_OUT,
} Mode;

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

static void
save_binary_inputs (LtGradFn *node,
                    LtOp      op,
                    LtTensor *a,
                    LtTensor *b)
{
  switch (op)
    {
    case LT_OP_MUL:
      if (_lt_grad_fn_needs_input_grad (node, 0))
        _lt_grad_fn_save (node, 1, b);
      if (_lt_grad_fn_needs_input_grad (node, 1))
        _lt_grad_fn_save (node, 0, a);
      break;
    case LT_OP_DIV:
    case LT_OP_POW:
    case LT_OP_MAXIMUM:
    case LT_OP_MINIMUM:
    case LT_OP_REMAINDER:
      _lt_grad_fn_save (node, 0, a);
      _lt_grad_fn_save (node, 1, b);
      break;
    default:
      break;
    }
}

static LtTensor *
binary_op (LtOp      op,
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
  if (op == LT_OP_SUB && ct == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: subtracting bool tensors is not supported; use logical_xor or "
                   "logical_not instead", name);
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
                       "%s: a %s result cannot be stored in a %s tensor", name,
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
      kout = _lt_tensor_new_empty (shape, ndim, odt, device, error);
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
          save_binary_inputs (node, op, ca, cb);
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

static LtTensor *
binary_new (LtOp      op,
            LtTensor *a,
            LtTensor *b,
            GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (b), NULL);
  return binary_op (op, a, b, NULL, MODE_NEW, error);
}

static LtTensor *
binary_scalar_new (LtOp      op,
                   LtTensor *a,
                   double    v,
                   gboolean  reversed,
                   GError  **error)
{
  g_autoptr(LtTensor) s = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  s = lt_scalar (v);
  return reversed ? binary_op (op, s, a, NULL, MODE_NEW, error)
                  : binary_op (op, a, s, NULL, MODE_NEW, error);
}

static gboolean
binary_inplace (LtOp      op,
                LtTensor *a,
                LtTensor *b,
                GError  **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (b), FALSE);
  r = binary_op (op, a, b, a, MODE_INPLACE, error);
  return r != NULL;
}

static gboolean
binary_scalar_inplace (LtOp      op,
                       LtTensor *a,
                       double    v,
                       GError  **error)
{
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  s = lt_scalar (v);
  r = binary_op (op, a, s, a, MODE_INPLACE, error);
  return r != NULL;
}

/* Unary */

static LtTensor *
unary_op (LtOp              op,
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
                       "%s_: a %s result cannot be stored in a %s tensor", name,
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
      kout = _lt_tensor_new_empty (a->shape, a->ndim, odt, a->storage->device, error);
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
              _lt_grad_fn_save (node, 0, ca);
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

static LtTensor *
unary_new (LtOp      op,
           LtTensor *a,
           GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  return unary_op (op, a, MODE_NEW, NULL, error);
}

static gboolean
unary_inplace (LtOp      op,
               LtTensor *a,
               GError  **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), FALSE);
  r = unary_op (op, a, MODE_INPLACE, NULL, error);
  return r != NULL;
}

/**
 * lt_tensor_add:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Adds @other to @self, as `self + other`, broadcasting the shapes and promoting the
 * element types as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the shapes do not broadcast or the devices differ
 */
LtTensor *
lt_tensor_add (LtTensor *self,
               LtTensor *other,
               GError  **error)
{
  return binary_new (LT_OP_ADD, self, other, error);
}

/**
 * lt_tensor_add_scalar:
 * @self: a tensor
 * @other: a number (it promotes like a Python float)
 * @error: return location for a #GError
 *
 * Adds @other to @self, for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_add_scalar (LtTensor *self,
                      double    other,
                      GError  **error)
{
  return binary_scalar_new (LT_OP_ADD, self, other, FALSE, error);
}

/**
 * lt_tensor_add_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * Adds @other to @self in place, as `self.add_(other)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when @other does not broadcast to @self's shape or the result type
 *   cannot be stored in @self
 */
gboolean
lt_tensor_add_ (LtTensor *self,
                LtTensor *other,
                GError  **error)
{
  return binary_inplace (LT_OP_ADD, self, other, error);
}

/**
 * lt_tensor_add_scalar_:
 * @self: the tensor to modify
 * @other: a number
 * @error: return location for a #GError
 *
 * Adds @other to @self in place, for a number @other.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_add_scalar_ (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_inplace (LT_OP_ADD, self, other, error);
}

/**
 * lt_tensor_sub:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Subtracts @other from @self, as `self - other`, broadcasting the shapes and promoting the
 * element types as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the shapes do not broadcast or the devices differ
 */
LtTensor *
lt_tensor_sub (LtTensor *self,
               LtTensor *other,
               GError  **error)
{
  return binary_new (LT_OP_SUB, self, other, error);
}

/**
 * lt_tensor_sub_scalar:
 * @self: a tensor
 * @other: a number (it promotes like a Python float)
 * @error: return location for a #GError
 *
 * Subtracts @other from @self, for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_sub_scalar (LtTensor *self,
                      double    other,
                      GError  **error)
{
  return binary_scalar_new (LT_OP_SUB, self, other, FALSE, error);
}

/**
 * lt_tensor_sub_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * Subtracts @other from @self in place, as `self.sub_(other)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when @other does not broadcast to @self's shape or the result type
 *   cannot be stored in @self
 */
gboolean
lt_tensor_sub_ (LtTensor *self,
                LtTensor *other,
                GError  **error)
{
  return binary_inplace (LT_OP_SUB, self, other, error);
}

/**
 * lt_tensor_sub_scalar_:
 * @self: the tensor to modify
 * @other: a number
 * @error: return location for a #GError
 *
 * Subtracts @other from @self in place, for a number @other.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_sub_scalar_ (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_inplace (LT_OP_SUB, self, other, error);
}

/**
 * lt_tensor_mul:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Multiplies @self by @other, as `self * other`, broadcasting the shapes and promoting the
 * element types as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the shapes do not broadcast or the devices differ
 */
LtTensor *
lt_tensor_mul (LtTensor *self,
               LtTensor *other,
               GError  **error)
{
  return binary_new (LT_OP_MUL, self, other, error);
}

/**
 * lt_tensor_mul_scalar:
 * @self: a tensor
 * @other: a number (it promotes like a Python float)
 * @error: return location for a #GError
 *
 * Multiplies @self by @other, for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_mul_scalar (LtTensor *self,
                      double    other,
                      GError  **error)
{
  return binary_scalar_new (LT_OP_MUL, self, other, FALSE, error);
}

/**
 * lt_tensor_mul_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * Multiplies @self by @other in place, as `self.mul_(other)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when @other does not broadcast to @self's shape or the result type
 *   cannot be stored in @self
 */
gboolean
lt_tensor_mul_ (LtTensor *self,
                LtTensor *other,
                GError  **error)
{
  return binary_inplace (LT_OP_MUL, self, other, error);
}

/**
 * lt_tensor_mul_scalar_:
 * @self: the tensor to modify
 * @other: a number
 * @error: return location for a #GError
 *
 * Multiplies @self by @other in place, for a number @other.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_mul_scalar_ (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_inplace (LT_OP_MUL, self, other, error);
}

/**
 * lt_tensor_div:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Divides @self by @other (true division: integers give float32), as `self / other`, broadcasting the shapes and promoting the
 * element types as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the shapes do not broadcast or the devices differ
 */
LtTensor *
lt_tensor_div (LtTensor *self,
               LtTensor *other,
               GError  **error)
{
  return binary_new (LT_OP_DIV, self, other, error);
}

/**
 * lt_tensor_div_scalar:
 * @self: a tensor
 * @other: a number (it promotes like a Python float)
 * @error: return location for a #GError
 *
 * Divides @self by @other (true division: integers give float32), for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_div_scalar (LtTensor *self,
                      double    other,
                      GError  **error)
{
  return binary_scalar_new (LT_OP_DIV, self, other, FALSE, error);
}

/**
 * lt_tensor_div_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * Divides @self by @other (true division: integers give float32) in place, as `self.div_(other)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when @other does not broadcast to @self's shape or the result type
 *   cannot be stored in @self
 */
gboolean
lt_tensor_div_ (LtTensor *self,
                LtTensor *other,
                GError  **error)
{
  return binary_inplace (LT_OP_DIV, self, other, error);
}

/**
 * lt_tensor_div_scalar_:
 * @self: the tensor to modify
 * @other: a number
 * @error: return location for a #GError
 *
 * Divides @self by @other (true division: integers give float32) in place, for a number @other.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_div_scalar_ (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_inplace (LT_OP_DIV, self, other, error);
}

/**
 * lt_tensor_pow:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Raises @self to the power @other, as `self ** other`, broadcasting the shapes and promoting the
 * element types as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the shapes do not broadcast or the devices differ
 */
LtTensor *
lt_tensor_pow (LtTensor *self,
               LtTensor *other,
               GError  **error)
{
  return binary_new (LT_OP_POW, self, other, error);
}

/**
 * lt_tensor_pow_scalar:
 * @self: a tensor
 * @other: a number (it promotes like a Python float)
 * @error: return location for a #GError
 *
 * Raises @self to the power @other, for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_pow_scalar (LtTensor *self,
                      double    other,
                      GError  **error)
{
  return binary_scalar_new (LT_OP_POW, self, other, FALSE, error);
}

/**
 * lt_tensor_pow_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * Raises @self to the power @other in place, as `self.pow_(other)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when @other does not broadcast to @self's shape or the result type
 *   cannot be stored in @self
 */
gboolean
lt_tensor_pow_ (LtTensor *self,
                LtTensor *other,
                GError  **error)
{
  return binary_inplace (LT_OP_POW, self, other, error);
}

/**
 * lt_tensor_pow_scalar_:
 * @self: the tensor to modify
 * @other: a number
 * @error: return location for a #GError
 *
 * Raises @self to the power @other in place, for a number @other.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_pow_scalar_ (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_inplace (LT_OP_POW, self, other, error);
}

/**
 * lt_tensor_floor_divide:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Divides @self by @other rounding toward negative infinity, as `self // other`, broadcasting the shapes and promoting the
 * element types as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the shapes do not broadcast or the devices differ
 */
LtTensor *
lt_tensor_floor_divide (LtTensor *self,
                        LtTensor *other,
                        GError  **error)
{
  return binary_new (LT_OP_FLOOR_DIVIDE, self, other, error);
}

/**
 * lt_tensor_floor_divide_scalar:
 * @self: a tensor
 * @other: a number (it promotes like a Python float)
 * @error: return location for a #GError
 *
 * Divides @self by @other rounding toward negative infinity, for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_floor_divide_scalar (LtTensor *self,
                               double    other,
                               GError  **error)
{
  return binary_scalar_new (LT_OP_FLOOR_DIVIDE, self, other, FALSE, error);
}

/**
 * lt_tensor_floor_divide_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * Divides @self by @other rounding toward negative infinity in place, as `self.floor_divide_(other)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when @other does not broadcast to @self's shape or the result type
 *   cannot be stored in @self
 */
gboolean
lt_tensor_floor_divide_ (LtTensor *self,
                         LtTensor *other,
                         GError  **error)
{
  return binary_inplace (LT_OP_FLOOR_DIVIDE, self, other, error);
}

/**
 * lt_tensor_floor_divide_scalar_:
 * @self: the tensor to modify
 * @other: a number
 * @error: return location for a #GError
 *
 * Divides @self by @other rounding toward negative infinity in place, for a number @other.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_floor_divide_scalar_ (LtTensor *self,
                                double    other,
                                GError  **error)
{
  return binary_scalar_inplace (LT_OP_FLOOR_DIVIDE, self, other, error);
}

/**
 * lt_tensor_remainder:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Computes the remainder of @self divided by @other, with the sign of @other, as `self % other`, broadcasting the shapes and promoting the
 * element types as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the shapes do not broadcast or the devices differ
 */
LtTensor *
lt_tensor_remainder (LtTensor *self,
                     LtTensor *other,
                     GError  **error)
{
  return binary_new (LT_OP_REMAINDER, self, other, error);
}

/**
 * lt_tensor_remainder_scalar:
 * @self: a tensor
 * @other: a number (it promotes like a Python float)
 * @error: return location for a #GError
 *
 * Computes the remainder of @self divided by @other, with the sign of @other, for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_remainder_scalar (LtTensor *self,
                            double    other,
                            GError  **error)
{
  return binary_scalar_new (LT_OP_REMAINDER, self, other, FALSE, error);
}

/**
 * lt_tensor_remainder_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * Computes the remainder of @self divided by @other, with the sign of @other in place, as `self.remainder_(other)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when @other does not broadcast to @self's shape or the result type
 *   cannot be stored in @self
 */
gboolean
lt_tensor_remainder_ (LtTensor *self,
                      LtTensor *other,
                      GError  **error)
{
  return binary_inplace (LT_OP_REMAINDER, self, other, error);
}

/**
 * lt_tensor_remainder_scalar_:
 * @self: the tensor to modify
 * @other: a number
 * @error: return location for a #GError
 *
 * Computes the remainder of @self divided by @other, with the sign of @other in place, for a number @other.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_remainder_scalar_ (LtTensor *self,
                             double    other,
                             GError  **error)
{
  return binary_scalar_inplace (LT_OP_REMAINDER, self, other, error);
}

/**
 * lt_tensor_maximum:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Takes the larger of @self and @other elementwise (NaN wins), as `maximum(self, other)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_maximum (LtTensor *self,
                   LtTensor *other,
                   GError  **error)
{
  return binary_new (LT_OP_MAXIMUM, self, other, error);
}

/**
 * lt_tensor_maximum_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Takes the larger of @self and @other elementwise (NaN wins), for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_maximum_scalar (LtTensor *self,
                          double    other,
                          GError  **error)
{
  return binary_scalar_new (LT_OP_MAXIMUM, self, other, FALSE, error);
}

/**
 * lt_tensor_minimum:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Takes the smaller of @self and @other elementwise (NaN wins), as `minimum(self, other)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_minimum (LtTensor *self,
                   LtTensor *other,
                   GError  **error)
{
  return binary_new (LT_OP_MINIMUM, self, other, error);
}

/**
 * lt_tensor_minimum_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Takes the smaller of @self and @other elementwise (NaN wins), for a number @other.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_minimum_scalar (LtTensor *self,
                          double    other,
                          GError  **error)
{
  return binary_scalar_new (LT_OP_MINIMUM, self, other, FALSE, error);
}

/**
 * lt_tensor_eq:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Compares @self == @other elementwise, as `self == other`.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_eq (LtTensor *self,
              LtTensor *other,
              GError  **error)
{
  return binary_new (LT_OP_EQ, self, other, error);
}

/**
 * lt_tensor_eq_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Compares @self == @other elementwise, for a number @other.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_eq_scalar (LtTensor *self,
                     double    other,
                     GError  **error)
{
  return binary_scalar_new (LT_OP_EQ, self, other, FALSE, error);
}

/**
 * lt_tensor_ne:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Compares @self != @other elementwise, as `self != other`.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_ne (LtTensor *self,
              LtTensor *other,
              GError  **error)
{
  return binary_new (LT_OP_NE, self, other, error);
}

/**
 * lt_tensor_ne_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Compares @self != @other elementwise, for a number @other.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_ne_scalar (LtTensor *self,
                     double    other,
                     GError  **error)
{
  return binary_scalar_new (LT_OP_NE, self, other, FALSE, error);
}

/**
 * lt_tensor_lt:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Compares @self < @other elementwise, as `self < other`.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_lt (LtTensor *self,
              LtTensor *other,
              GError  **error)
{
  return binary_new (LT_OP_LT, self, other, error);
}

/**
 * lt_tensor_lt_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Compares @self < @other elementwise, for a number @other.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_lt_scalar (LtTensor *self,
                     double    other,
                     GError  **error)
{
  return binary_scalar_new (LT_OP_LT, self, other, FALSE, error);
}

/**
 * lt_tensor_le:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Compares @self <= @other elementwise, as `self <= other`.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_le (LtTensor *self,
              LtTensor *other,
              GError  **error)
{
  return binary_new (LT_OP_LE, self, other, error);
}

/**
 * lt_tensor_le_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Compares @self <= @other elementwise, for a number @other.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_le_scalar (LtTensor *self,
                     double    other,
                     GError  **error)
{
  return binary_scalar_new (LT_OP_LE, self, other, FALSE, error);
}

/**
 * lt_tensor_gt:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Compares @self > @other elementwise, as `self > other`.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_gt (LtTensor *self,
              LtTensor *other,
              GError  **error)
{
  return binary_new (LT_OP_GT, self, other, error);
}

/**
 * lt_tensor_gt_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Compares @self > @other elementwise, for a number @other.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_gt_scalar (LtTensor *self,
                     double    other,
                     GError  **error)
{
  return binary_scalar_new (LT_OP_GT, self, other, FALSE, error);
}

/**
 * lt_tensor_ge:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Compares @self >= @other elementwise, as `self >= other`.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_ge (LtTensor *self,
              LtTensor *other,
              GError  **error)
{
  return binary_new (LT_OP_GE, self, other, error);
}

/**
 * lt_tensor_ge_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Compares @self >= @other elementwise, for a number @other.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_ge_scalar (LtTensor *self,
                     double    other,
                     GError  **error)
{
  return binary_scalar_new (LT_OP_GE, self, other, FALSE, error);
}

/**
 * lt_tensor_neg:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Negates every element: `-x`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_neg (LtTensor *self,
               GError  **error)
{
  return unary_new (LT_OP_NEG, self, error);
}

/**
 * lt_tensor_neg_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Negates every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_neg_ (LtTensor *self,
                GError  **error)
{
  return unary_inplace (LT_OP_NEG, self, error);
}

/**
 * lt_tensor_abs:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Takes the absolute value of every element: `|x|`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_abs (LtTensor *self,
               GError  **error)
{
  return unary_new (LT_OP_ABS, self, error);
}

/**
 * lt_tensor_abs_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Takes the absolute value of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_abs_ (LtTensor *self,
                GError  **error)
{
  return unary_inplace (LT_OP_ABS, self, error);
}

/**
 * lt_tensor_sign:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Takes the sign (-1, 0 or 1) of every element: `sign(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_sign (LtTensor *self,
                GError  **error)
{
  return unary_new (LT_OP_SIGN, self, error);
}

/**
 * lt_tensor_sign_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Takes the sign (-1, 0 or 1) of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_sign_ (LtTensor *self,
                 GError  **error)
{
  return unary_inplace (LT_OP_SIGN, self, error);
}

/**
 * lt_tensor_exp:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes e to the power of every element: `exp(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_exp (LtTensor *self,
               GError  **error)
{
  return unary_new (LT_OP_EXP, self, error);
}

/**
 * lt_tensor_exp_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes e to the power of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_exp_ (LtTensor *self,
                GError  **error)
{
  return unary_inplace (LT_OP_EXP, self, error);
}

/**
 * lt_tensor_log:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes the natural logarithm of every element: `log(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_log (LtTensor *self,
               GError  **error)
{
  return unary_new (LT_OP_LOG, self, error);
}

/**
 * lt_tensor_log_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes the natural logarithm of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_log_ (LtTensor *self,
                GError  **error)
{
  return unary_inplace (LT_OP_LOG, self, error);
}

/**
 * lt_tensor_sqrt:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes the square root of every element: `sqrt(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_sqrt (LtTensor *self,
                GError  **error)
{
  return unary_new (LT_OP_SQRT, self, error);
}

/**
 * lt_tensor_sqrt_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes the square root of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_sqrt_ (LtTensor *self,
                 GError  **error)
{
  return unary_inplace (LT_OP_SQRT, self, error);
}

/**
 * lt_tensor_rsqrt:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes the reciprocal square root of every element: `1 / sqrt(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_rsqrt (LtTensor *self,
                 GError  **error)
{
  return unary_new (LT_OP_RSQRT, self, error);
}

/**
 * lt_tensor_rsqrt_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes the reciprocal square root of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_rsqrt_ (LtTensor *self,
                  GError  **error)
{
  return unary_inplace (LT_OP_RSQRT, self, error);
}

/**
 * lt_tensor_sin:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes the sine of every element: `sin(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_sin (LtTensor *self,
               GError  **error)
{
  return unary_new (LT_OP_SIN, self, error);
}

/**
 * lt_tensor_sin_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes the sine of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_sin_ (LtTensor *self,
                GError  **error)
{
  return unary_inplace (LT_OP_SIN, self, error);
}

/**
 * lt_tensor_cos:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes the cosine of every element: `cos(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_cos (LtTensor *self,
               GError  **error)
{
  return unary_new (LT_OP_COS, self, error);
}

/**
 * lt_tensor_cos_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes the cosine of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_cos_ (LtTensor *self,
                GError  **error)
{
  return unary_inplace (LT_OP_COS, self, error);
}

/**
 * lt_tensor_tanh:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes the hyperbolic tangent of every element: `tanh(x)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_tanh (LtTensor *self,
                GError  **error)
{
  return unary_new (LT_OP_TANH, self, error);
}

/**
 * lt_tensor_tanh_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes the hyperbolic tangent of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_tanh_ (LtTensor *self,
                 GError  **error)
{
  return unary_inplace (LT_OP_TANH, self, error);
}

/**
 * lt_tensor_sigmoid:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes the logistic sigmoid of every element: `1 / (1 + exp(-x))`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_sigmoid (LtTensor *self,
                   GError  **error)
{
  return unary_new (LT_OP_SIGMOID, self, error);
}

/**
 * lt_tensor_sigmoid_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Computes the logistic sigmoid of every element, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_sigmoid_ (LtTensor *self,
                    GError  **error)
{
  return unary_inplace (LT_OP_SIGMOID, self, error);
}

/**
 * lt_tensor_relu:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Replaces negative elements by zero: `max(x, 0)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_relu (LtTensor *self,
                GError  **error)
{
  return unary_new (LT_OP_RELU, self, error);
}

/**
 * lt_tensor_relu_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Replaces negative elements by zero, in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_relu_ (LtTensor *self,
                 GError  **error)
{
  return unary_inplace (LT_OP_RELU, self, error);
}

/**
 * lt_tensor_add_out:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @out: the tensor that receives the sum; its shape must be the broadcast
 *   shape
 * @error: return location for a #GError
 *
 * Adds @other to @self into @out, as `torch.add(x, y, out=result)`.
 * Not recorded by autograd.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @out unchanged)
 */
gboolean
lt_tensor_add_out (LtTensor *self,
                   LtTensor *other,
                   LtTensor *out,
                   GError  **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (other), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (out), FALSE);
  r = binary_op (LT_OP_ADD, self, other, out, MODE_OUT, error);
  if (r)
    _lt_tensor_bump_version (out);
  return r != NULL;
}

/**
 * lt_tensor_add_scaled:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @alpha: the factor of @other
 * @error: return location for a #GError
 *
 * Computes `self + alpha * other`, as `torch.add(self, other, alpha=alpha)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_add_scaled (LtTensor *self,
                      LtTensor *other,
                      double    alpha,
                      GError  **error)
{
  g_autoptr(LtTensor) scaled = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  if (alpha == 1.0)
    return binary_new (LT_OP_ADD, self, other, error);
  scaled = lt_tensor_mul_scalar (other, alpha, error);
  if (scaled == NULL)
    return NULL;
  return binary_new (LT_OP_ADD, self, scaled, error);
}

/**
 * lt_tensor_add_scaled_:
 * @self: the tensor to modify
 * @other: a tensor whose shape broadcasts to @self's
 * @alpha: the factor of @other
 * @error: return location for a #GError
 *
 * Adds `alpha * other` to @self in place, as `self.add_(other, alpha=alpha)`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_add_scaled_ (LtTensor *self,
                       LtTensor *other,
                       double    alpha,
                       GError  **error)
{
  g_autoptr(LtTensor) scaled = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (other), FALSE);
  if (alpha == 1.0)
    return binary_inplace (LT_OP_ADD, self, other, error);
  scaled = lt_tensor_mul_scalar (other, alpha, error);
  if (scaled == NULL)
    return FALSE;
  return binary_inplace (LT_OP_ADD, self, scaled, error);
}

/**
 * lt_tensor_rsub_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Computes `other - self`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_rsub_scalar (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_new (LT_OP_SUB, self, other, TRUE, error);
}

/**
 * lt_tensor_rdiv_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Computes `other / self`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_rdiv_scalar (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_new (LT_OP_DIV, self, other, TRUE, error);
}

/**
 * lt_tensor_rpow_scalar:
 * @self: a tensor
 * @other: a number
 * @error: return location for a #GError
 *
 * Computes `other ** self`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_rpow_scalar (LtTensor *self,
                       double    other,
                       GError  **error)
{
  return binary_scalar_new (LT_OP_POW, self, other, TRUE, error);
}

/**
 * lt_tensor_clamp:
 * @self: a tensor
 * @min: the lower bound, or -INFINITY for none
 * @max: the upper bound, or INFINITY for none
 * @error: return location for a #GError
 *
 * Clamps every element into [@min, @max], as `torch.clamp()`. NaN stays NaN.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_clamp (LtTensor *self,
                 double    min,
                 double    max,
                 GError  **error)
{
  LtOpParams p = { .clamp = { min, max, !isinf (min) || min > 0, !isinf (max) || max < 0 } };

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return unary_op (LT_OP_CLAMP, self, MODE_NEW, &p, error);
}

/**
 * lt_tensor_clamp_:
 * @self: the tensor to modify
 * @min: the lower bound, or -INFINITY for none
 * @max: the upper bound, or INFINITY for none
 * @error: return location for a #GError
 *
 * Clamps every element into [@min, @max] in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_clamp_ (LtTensor *self,
                  double    min,
                  double    max,
                  GError  **error)
{
  LtOpParams p = { .clamp = { min, max, !isinf (min) || min > 0, !isinf (max) || max < 0 } };
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  r = unary_op (LT_OP_CLAMP, self, MODE_INPLACE, &p, error);
  return r != NULL;
}

/**
 * lt_tensor_logical_not:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes `x == 0` for every element.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_logical_not (LtTensor *self,
                       GError  **error)
{
  return unary_new (LT_OP_LOGICAL_NOT, self, error);
}

/**
 * lt_tensor_logical_and:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Computes `(self != 0) and (other != 0)` elementwise.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_logical_and (LtTensor *self,
                       LtTensor *other,
                       GError  **error)
{
  return binary_new (LT_OP_LOGICAL_AND, self, other, error);
}

/**
 * lt_tensor_logical_or:
 * @self: a tensor
 * @other: a tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Computes `(self != 0) or (other != 0)` elementwise.
 *
 * Returns: (transfer full) (nullable): a bool tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_logical_or (LtTensor *self,
                      LtTensor *other,
                      GError  **error)
{
  return binary_new (LT_OP_LOGICAL_OR, self, other, error);
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
  /* threshold_backward: pass where out > 0 */
  SAVED (out, 1);
  g_autoptr(LtTensor) off = lt_tensor_le_scalar (out, 0.0, error);

  return off && (gi[0] = lt_tensor_masked_fill (g, off, 0.0, error)) != NULL;
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
