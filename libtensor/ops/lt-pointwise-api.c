/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-pointwise-private.h"

/* The public pointwise functions: thin wrappers over the front ends of
 * lt-pointwise.c. */

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
  return _lt_pw_binary_new (LT_OP_ADD, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_ADD, self, other, FALSE, error);
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
  return _lt_pw_binary_inplace (LT_OP_ADD, self, other, error);
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
  return _lt_pw_binary_scalar_inplace (LT_OP_ADD, self, other, error);
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
  return _lt_pw_binary_new (LT_OP_SUB, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_SUB, self, other, FALSE, error);
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
  return _lt_pw_binary_inplace (LT_OP_SUB, self, other, error);
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
  return _lt_pw_binary_scalar_inplace (LT_OP_SUB, self, other, error);
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
  return _lt_pw_binary_new (LT_OP_MUL, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_MUL, self, other, FALSE, error);
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
  return _lt_pw_binary_inplace (LT_OP_MUL, self, other, error);
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
  return _lt_pw_binary_scalar_inplace (LT_OP_MUL, self, other, error);
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
  return _lt_pw_binary_new (LT_OP_DIV, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_DIV, self, other, FALSE, error);
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
  return _lt_pw_binary_inplace (LT_OP_DIV, self, other, error);
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
  return _lt_pw_binary_scalar_inplace (LT_OP_DIV, self, other, error);
}

/* As torch: an integer tensor to a negative integer number is an error
 * (the result would be fractional). */
static gboolean
pow_exponent_ok (LtTensor *self, LtTensor *other, GError **error)
{
  LtTensor *both[2] = { self, other };

  /* NULL or non-tensor arguments are reported by the front end */
  if (!LT_IS_TENSOR (self) || !LT_IS_TENSOR (other) || !other->is_wrapped_number ||
      _lt_dtype_is_float (_lt_result_type (both, 2)) ||
      _lt_load_double (_lt_tensor_data (other), other->dtype) >= 0)
    return TRUE;
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "pow: integers to negative integer powers are not allowed");
  return FALSE;
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
  if (!pow_exponent_ok (self, other, error))
    return NULL;
  return _lt_pw_binary_new (LT_OP_POW, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_POW, self, other, FALSE, error);
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
  if (!pow_exponent_ok (self, other, error))
    return FALSE;
  return _lt_pw_binary_inplace (LT_OP_POW, self, other, error);
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
  return _lt_pw_binary_scalar_inplace (LT_OP_POW, self, other, error);
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
  return _lt_pw_binary_new (LT_OP_FLOOR_DIVIDE, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_FLOOR_DIVIDE, self, other, FALSE, error);
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
  return _lt_pw_binary_inplace (LT_OP_FLOOR_DIVIDE, self, other, error);
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
  return _lt_pw_binary_scalar_inplace (LT_OP_FLOOR_DIVIDE, self, other, error);
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
  return _lt_pw_binary_new (LT_OP_REMAINDER, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_REMAINDER, self, other, FALSE, error);
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
  return _lt_pw_binary_inplace (LT_OP_REMAINDER, self, other, error);
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
  return _lt_pw_binary_scalar_inplace (LT_OP_REMAINDER, self, other, error);
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
  return _lt_pw_binary_new (LT_OP_MAXIMUM, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_MAXIMUM, self, other, FALSE, error);
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
  return _lt_pw_binary_new (LT_OP_MINIMUM, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_MINIMUM, self, other, FALSE, error);
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
  return _lt_pw_binary_new (LT_OP_EQ, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_EQ, self, other, FALSE, error);
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
  return _lt_pw_binary_new (LT_OP_NE, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_NE, self, other, FALSE, error);
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
  return _lt_pw_binary_new (LT_OP_LT, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_LT, self, other, FALSE, error);
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
  return _lt_pw_binary_new (LT_OP_LE, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_LE, self, other, FALSE, error);
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
  return _lt_pw_binary_new (LT_OP_GT, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_GT, self, other, FALSE, error);
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
  return _lt_pw_binary_new (LT_OP_GE, self, other, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_GE, self, other, FALSE, error);
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
  return _lt_pw_unary_new (LT_OP_NEG, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_NEG, self, error);
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
  return _lt_pw_unary_new (LT_OP_ABS, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_ABS, self, error);
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
  return _lt_pw_unary_new (LT_OP_SIGN, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_SIGN, self, error);
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
  return _lt_pw_unary_new (LT_OP_EXP, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_EXP, self, error);
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
  return _lt_pw_unary_new (LT_OP_LOG, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_LOG, self, error);
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
  return _lt_pw_unary_new (LT_OP_SQRT, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_SQRT, self, error);
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
  return _lt_pw_unary_new (LT_OP_RSQRT, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_RSQRT, self, error);
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
  return _lt_pw_unary_new (LT_OP_SIN, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_SIN, self, error);
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
  return _lt_pw_unary_new (LT_OP_COS, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_COS, self, error);
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
  return _lt_pw_unary_new (LT_OP_TANH, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_TANH, self, error);
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
  return _lt_pw_unary_new (LT_OP_SIGMOID, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_SIGMOID, self, error);
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
  return _lt_pw_unary_new (LT_OP_RELU, self, error);
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
  return _lt_pw_unary_inplace (LT_OP_RELU, self, error);
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
  /* _lt_pw_binary_op() bumps @out's version once */
  r = _lt_pw_binary_op (LT_OP_ADD, self, other, out, LT_WRITE_OUT, error);
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
    return _lt_pw_binary_new (LT_OP_ADD, self, other, error);
  scaled = lt_tensor_mul_scalar (other, alpha, error);
  if (scaled == NULL)
    return NULL;
  return _lt_pw_binary_new (LT_OP_ADD, self, scaled, error);
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
    return _lt_pw_binary_inplace (LT_OP_ADD, self, other, error);
  scaled = lt_tensor_mul_scalar (other, alpha, error);
  if (scaled == NULL)
    return FALSE;
  return _lt_pw_binary_inplace (LT_OP_ADD, self, scaled, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_SUB, self, other, TRUE, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_DIV, self, other, TRUE, error);
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
  return _lt_pw_binary_scalar_new (LT_OP_POW, self, other, TRUE, error);
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
  return _lt_pw_unary_op (LT_OP_CLAMP, self, LT_WRITE_NEW, &p, error);
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
  r = _lt_pw_unary_op (LT_OP_CLAMP, self, LT_WRITE_INPLACE, &p, error);
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
  return _lt_pw_unary_new (LT_OP_LOGICAL_NOT, self, error);
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
  return _lt_pw_binary_new (LT_OP_LOGICAL_AND, self, other, error);
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
  return _lt_pw_binary_new (LT_OP_LOGICAL_OR, self, other, error);
}

