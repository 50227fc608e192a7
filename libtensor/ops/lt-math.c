/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-pointwise-private.h"
#include "lt-math.h"

/*
 * Math functions: rounding, the inverse and hyperbolic trigonometric
 * functions, erf, logarithms and powers of other bases, reciprocal and
 * square; bitwise and, or, xor and not; clamp with tensor bounds. The
 * pointwise ones run through the pointwise front end (lt-pointwise.c) on
 * the backends' unary and binary kernels; their backward rules, below,
 * follow PyTorch 1.13's tools/autograd/derivatives.yaml and are written
 * with public ops, so they can be differentiated again.
 */

/**
 * lt_tensor_ceil:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Rounds every element up to the nearest integer, as `torch.ceil()`; integer
 * tensors keep their values and dtype, bool tensors are refused. The
 * gradient is zero.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_ceil (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_CEIL, self, error);
}

/**
 * lt_tensor_ceil_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_ceil() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_ceil_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_CEIL, self, error);
}

/**
 * lt_tensor_floor:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Rounds every element down to the nearest integer, as `torch.floor()`;
 * integer tensors keep their values and dtype, bool tensors are refused. The
 * gradient is zero.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_floor (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_FLOOR, self, error);
}

/**
 * lt_tensor_floor_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_floor() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_floor_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_FLOOR, self, error);
}

/**
 * lt_tensor_round:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Rounds every element to the nearest integer, halves to the even one, as
 * `torch.round()`; integer tensors keep their values and dtype, bool tensors
 * are refused. The gradient is zero.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_round (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ROUND, self, error);
}

/**
 * lt_tensor_round_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_round() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_round_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ROUND, self, error);
}

/**
 * lt_tensor_trunc:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Rounds every element toward zero, as `torch.trunc()`; integer tensors keep
 * their values and dtype, bool tensors are refused. The gradient is zero.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_trunc (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_TRUNC, self, error);
}

/**
 * lt_tensor_trunc_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_trunc() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_trunc_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_TRUNC, self, error);
}

/**
 * lt_tensor_frac:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The fractional part of every element, `x - trunc (x)`, as `torch.frac()`;
 * the input must be floating point.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_frac (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_FRAC, self, error);
}

/**
 * lt_tensor_frac_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_frac() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_frac_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_FRAC, self, error);
}

/**
 * lt_tensor_log1p:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes `log (1 + x)` for every element, accurate for small x, as
 * `torch.log1p()`; integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_log1p (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_LOG1P, self, error);
}

/**
 * lt_tensor_log1p_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_log1p() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_log1p_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_LOG1P, self, error);
}

/**
 * lt_tensor_expm1:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes `exp (x) - 1` for every element, accurate for small x, as
 * `torch.expm1()`; integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_expm1 (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_EXPM1, self, error);
}

/**
 * lt_tensor_expm1_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_expm1() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_expm1_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_EXPM1, self, error);
}

/**
 * lt_tensor_asin:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The arcsine of every element (NaN outside [-1, 1]), as `torch.asin()`;
 * integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_asin (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ASIN, self, error);
}

/**
 * lt_tensor_asin_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_asin() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_asin_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ASIN, self, error);
}

/**
 * lt_tensor_acos:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The arccosine of every element (NaN outside [-1, 1]), as `torch.acos()`;
 * integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_acos (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ACOS, self, error);
}

/**
 * lt_tensor_acos_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_acos() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_acos_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ACOS, self, error);
}

/**
 * lt_tensor_atan:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The arctangent of every element, as `torch.atan()`; integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_atan (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ATAN, self, error);
}

/**
 * lt_tensor_atan_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_atan() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_atan_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ATAN, self, error);
}

/**
 * lt_tensor_sinh:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The hyperbolic sine of every element, as `torch.sinh()`; integers give
 * float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_sinh (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_SINH, self, error);
}

/**
 * lt_tensor_sinh_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_sinh() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_sinh_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_SINH, self, error);
}

/**
 * lt_tensor_cosh:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The hyperbolic cosine of every element, as `torch.cosh()`; integers give
 * float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_cosh (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_COSH, self, error);
}

/**
 * lt_tensor_cosh_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_cosh() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_cosh_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_COSH, self, error);
}

/**
 * lt_tensor_asinh:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The inverse hyperbolic sine of every element, as `torch.asinh()`; integers
 * give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_asinh (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ASINH, self, error);
}

/**
 * lt_tensor_asinh_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_asinh() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_asinh_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ASINH, self, error);
}

/**
 * lt_tensor_acosh:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The inverse hyperbolic cosine of every element (NaN below 1), as
 * `torch.acosh()`; integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_acosh (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ACOSH, self, error);
}

/**
 * lt_tensor_acosh_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_acosh() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_acosh_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ACOSH, self, error);
}

/**
 * lt_tensor_atanh:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The inverse hyperbolic tangent of every element (NaN outside [-1, 1]), as
 * `torch.atanh()`; integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_atanh (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ATANH, self, error);
}

/**
 * lt_tensor_atanh_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_atanh() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_atanh_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ATANH, self, error);
}

/**
 * lt_tensor_tan:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The tangent of every element, as `torch.tan()`; integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_tan (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_TAN, self, error);
}

/**
 * lt_tensor_tan_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_tan() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_tan_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_TAN, self, error);
}

/**
 * lt_tensor_erf:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The error function of every element, as `torch.erf()`; integers give
 * float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_erf (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ERF, self, error);
}

/**
 * lt_tensor_erf_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_erf() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_erf_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ERF, self, error);
}

/**
 * lt_tensor_erfc:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The complementary error function `1 - erf (x)` of every element, as
 * `torch.erfc()`; integers give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_erfc (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_ERFC, self, error);
}

/**
 * lt_tensor_erfc_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_erfc() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_erfc_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_ERFC, self, error);
}

/**
 * lt_tensor_log2:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The base-2 logarithm of every element, as `torch.log2()`; integers give
 * float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_log2 (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_LOG2, self, error);
}

/**
 * lt_tensor_log2_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_log2() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_log2_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_LOG2, self, error);
}

/**
 * lt_tensor_log10:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The base-10 logarithm of every element, as `torch.log10()`; integers give
 * float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_log10 (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_LOG10, self, error);
}

/**
 * lt_tensor_log10_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_log10() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_log10_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_LOG10, self, error);
}

/**
 * lt_tensor_exp2:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes `2^x` for every element, as `torch.exp2()`; integers give
 * float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_exp2 (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_EXP2, self, error);
}

/**
 * lt_tensor_exp2_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_exp2() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_exp2_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_EXP2, self, error);
}

/**
 * lt_tensor_reciprocal:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes `1 / x` for every element, as `torch.reciprocal()`; integers give
 * float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_reciprocal (LtTensor *self, GError **error)
{
  return _lt_pw_unary_new (LT_OP_RECIPROCAL, self, error);
}

/**
 * lt_tensor_reciprocal_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_reciprocal() in place; a result that @self's dtype cannot hold (a float
 * result in an integer tensor) is an error.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_reciprocal_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_RECIPROCAL, self, error);
}

/**
 * lt_tensor_square:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Computes `x * x` for every element, as `torch.square()`: `x ** 2` with an
 * integer exponent, so integer tensors keep their dtype and bool tensors
 * give int64. Its node is `PowBackward0`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_square (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) two = NULL;
  g_autoptr(LtTensor) x = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  two = lt_scalar_int (2);
  if (self->dtype == LT_DTYPE_BOOL)
    {
      x = lt_tensor_to_dtype (self, LT_DTYPE_INT64, error);
      if (x == NULL)
        return NULL;
    }
  else
    x = g_object_ref (self);
  return _lt_pw_binary_op (LT_OP_POW, x, two, NULL, LT_WRITE_NEW, error);
}

/**
 * lt_tensor_square_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_square() in place; bool tensors are refused.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_square_ (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) two = NULL;
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (self->dtype == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "square_: a bool tensor cannot hold the int64 result; use square()");
      return FALSE;
    }
  two = lt_scalar_int (2);
  r = _lt_pw_binary_op (LT_OP_POW, self, two, self, LT_WRITE_INPLACE, error);
  return r != NULL;
}

/**
 * lt_tensor_logical_not_:
 * @self: the tensor to modify
 * @error: return location for a #GError
 *
 * Writes `x == 0` into every element of @self (1 or 0, true or false), as
 * `x.logical_not_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_logical_not_ (LtTensor *self, GError **error)
{
  return _lt_pw_unary_inplace (LT_OP_LOGICAL_NOT, self, error);
}

/* Bitwise ops: integer and bool tensors only, as in PyTorch */

static gboolean
check_bitwise (LtOp op, LtTensor *a, LtTensor *b, GError **error)
{
  LtTensor *t[2] = { a, b };

  for (guint i = 0; i < (b ? 2 : 1); i++)
    if (_lt_dtype_is_float (t[i]->dtype))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                     "%s: only integer and bool tensors are supported, not %s",
                     _lt_op_table[op].name, lt_dtype_get_name (t[i]->dtype));
        return FALSE;
      }
  return TRUE;
}

static LtTensor *
bitwise_new (LtOp op, LtTensor *self, LtTensor *other, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  if (!check_bitwise (op, self, other, error))
    return NULL;
  return _lt_pw_binary_op (op, self, other, NULL, LT_WRITE_NEW, error);
}

static gboolean
bitwise_inplace (LtOp op, LtTensor *self, LtTensor *other, GError **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (other), FALSE);
  if (!check_bitwise (op, self, other, error))
    return FALSE;
  r = _lt_pw_binary_op (op, self, other, self, LT_WRITE_INPLACE, error);
  return r != NULL;
}

/**
 * lt_tensor_bitwise_and:
 * @self: an integer or bool tensor
 * @other: an integer or bool tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * The bitwise and of the elements, as `torch.bitwise_and()` (`x & y`); the
 * result has the promoted dtype. Floating-point tensors are refused.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_bitwise_and (LtTensor *self, LtTensor *other, GError **error)
{
  return bitwise_new (LT_OP_BITWISE_AND, self, other, error);
}

/**
 * lt_tensor_bitwise_and_:
 * @self: the integer or bool tensor to modify
 * @other: an integer or bool tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * lt_tensor_bitwise_and() in place (`x &= y`).
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_bitwise_and_ (LtTensor *self, LtTensor *other, GError **error)
{
  return bitwise_inplace (LT_OP_BITWISE_AND, self, other, error);
}

/**
 * lt_tensor_bitwise_or:
 * @self: an integer or bool tensor
 * @other: an integer or bool tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * The bitwise or of the elements, as `torch.bitwise_or()` (`x | y`); the
 * result has the promoted dtype. Floating-point tensors are refused.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_bitwise_or (LtTensor *self, LtTensor *other, GError **error)
{
  return bitwise_new (LT_OP_BITWISE_OR, self, other, error);
}

/**
 * lt_tensor_bitwise_or_:
 * @self: the integer or bool tensor to modify
 * @other: an integer or bool tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * lt_tensor_bitwise_or() in place (`x |= y`).
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_bitwise_or_ (LtTensor *self, LtTensor *other, GError **error)
{
  return bitwise_inplace (LT_OP_BITWISE_OR, self, other, error);
}

/**
 * lt_tensor_bitwise_xor:
 * @self: an integer or bool tensor
 * @other: an integer or bool tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * The bitwise exclusive or of the elements, as `torch.bitwise_xor()`
 * (`x ^ y`); the result has the promoted dtype. Floating-point tensors are
 * refused.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_bitwise_xor (LtTensor *self, LtTensor *other, GError **error)
{
  return bitwise_new (LT_OP_BITWISE_XOR, self, other, error);
}

/**
 * lt_tensor_bitwise_xor_:
 * @self: the integer or bool tensor to modify
 * @other: an integer or bool tensor whose shape broadcasts to @self's
 * @error: return location for a #GError
 *
 * lt_tensor_bitwise_xor() in place (`x ^= y`).
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_bitwise_xor_ (LtTensor *self, LtTensor *other, GError **error)
{
  return bitwise_inplace (LT_OP_BITWISE_XOR, self, other, error);
}

/**
 * lt_tensor_bitwise_not:
 * @self: an integer or bool tensor
 * @error: return location for a #GError
 *
 * Flips every bit of every element (`~x`), as `torch.bitwise_not()`; for a
 * bool tensor, the logical not. Floating-point tensors are refused.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_bitwise_not (LtTensor *self, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!check_bitwise (LT_OP_BITWISE_NOT, self, NULL, error))
    return NULL;
  return _lt_pw_unary_new (LT_OP_BITWISE_NOT, self, error);
}

/**
 * lt_tensor_bitwise_not_:
 * @self: the integer or bool tensor to modify
 * @error: return location for a #GError
 *
 * lt_tensor_bitwise_not() in place.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_bitwise_not_ (LtTensor *self, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (!check_bitwise (LT_OP_BITWISE_NOT, self, NULL, error))
    return FALSE;
  return _lt_pw_unary_inplace (LT_OP_BITWISE_NOT, self, error);
}

/* clamp with tensor bounds: maximum and minimum with grad mode off, then
 * one ClampBackward0 node */

static gboolean
clamp_tensor_check (LtTensor *self, LtTensor *min, LtTensor *max, GError **error)
{
  LtTensor *all[3] = { self, min, max };
  gint64    s1[LT_MAX_DIMS], s2[LT_MAX_DIMS];
  guint     n1 = self->ndim, n2;

  if (min == NULL && max == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "clamp: at least one of min and max must be given");
      return FALSE;
    }
  memcpy (s1, self->shape, sizeof (gint64) * self->ndim);
  for (guint i = 1; i < 3; i++)
    {
      if (all[i] == NULL)
        continue;
      if (!_lt_shape_broadcast (s1, n1, all[i]->shape, all[i]->ndim, s2, &n2))
        {
          g_autofree char *sx = LT_SHAPE_STR (self);
          g_autofree char *sb = LT_SHAPE_STR (all[i]);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "clamp: the %s of shape %s does not broadcast with the input of shape %s",
                       i == 1 ? "min" : "max", sb, sx);
          return FALSE;
        }
      memcpy (s1, s2, sizeof (gint64) * n2);
      n1 = n2;
    }
  return TRUE;
}

static LtTensor *
clamp_tensor_forward (LtTensor *self, LtTensor *min, LtTensor *max, GError **error)
{
  g_autoptr(LtTensor) lo = NULL;
  LtTensor *r;
  gboolean  prev = lt_set_grad_enabled (FALSE);

  /* min (max (x, lo), hi), as torch: hi wins when lo > hi; NaN spreads */
  lo = min ? lt_tensor_maximum (self, min, error) : g_object_ref (self);
  r = lo == NULL ? NULL : max ? lt_tensor_minimum (lo, max, error) : g_steal_pointer (&lo);
  lt_set_grad_enabled (prev);
  return r;
}

/**
 * lt_tensor_clamp_tensor:
 * @self: a tensor
 * @min: (nullable): the lower bounds, broadcast with @self, or %NULL
 * @max: (nullable): the upper bounds, broadcast with @self, or %NULL
 * @error: return location for a #GError
 *
 * Clamps every element between the matching elements of @min and @max,
 * `min (max (x, min), max)` (where a lower bound exceeds the upper one,
 * the upper wins), as `torch.clamp (x, min, max)` with tensor bounds. The
 * three shapes broadcast and the result has their promoted dtype; its node
 * is `ClampBackward0`, which passes the gradient to @self where it lies
 * within its bounds and to the bound it was clamped to elsewhere.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   (also when both bounds are %NULL)
 */
LtTensor *
lt_tensor_clamp_tensor (LtTensor *self, LtTensor *min, LtTensor *max, GError **error)
{
  LtTensor *in[3] = { self, min, max };
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (min == NULL || LT_IS_TENSOR (min), NULL);
  g_return_val_if_fail (max == NULL || LT_IS_TENSOR (max), NULL);
  if (!clamp_tensor_check (self, min, max, error))
    return NULL;
  out = clamp_tensor_forward (self, min, max, error);
  if (out == NULL)
    return NULL;
  node = _lt_autograd_record (LT_OP_CLAMP_TENSOR, in, 3);
  if (node)
    {
      _lt_autograd_save_args (node, in, 3, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_clamp_tensor_:
 * @self: the tensor to modify
 * @min: (nullable): the lower bounds, broadcast to @self's shape, or %NULL
 * @max: (nullable): the upper bounds, broadcast to @self's shape, or %NULL
 * @error: return location for a #GError
 *
 * lt_tensor_clamp_tensor() in place: the result is copied into @self
 * (autograd sees a copy of the clamped values into @self).
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_clamp_tensor_ (LtTensor *self, LtTensor *min, LtTensor *max, GError **error)
{
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  /* the node saves its input, which the copy below overwrites: it gets a
   * clone, as PyTorch saves self.clone () for an in-place op */
  x = lt_tensor_clone (self, error);
  r = x ? lt_tensor_clamp_tensor (x, min, max, error) : NULL;
  if (r == NULL)
    return FALSE;
  if (!_lt_shape_equal (r->shape, r->ndim, self->shape, self->ndim))
    {
      g_autofree char *sr = LT_SHAPE_STR (r);
      g_autofree char *ss = LT_SHAPE_STR (self);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "clamp_: the bounds broadcast the result to shape %s, not the shape %s of "
                   "the tensor",
                   sr, ss);
      return FALSE;
    }
  if (!_lt_can_cast (r->dtype, self->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "clamp_: the result type %s cannot be stored in the %s tensor",
                   lt_dtype_get_name (r->dtype), lt_dtype_get_name (self->dtype));
      return FALSE;
    }
  return lt_tensor_copy_ (self, r, error);
}

/* Backward rules */

gboolean
_lt_backward_zero (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = lt_zeros_like (g, error)) != NULL;
}

/* gi[0] = g * f, for a factor f that may be NULL (its error set) */
static gboolean
times (LtTensor *g, LtTensor *f, LtTensor **gi, GError **error)
{
  return f && (gi[0] = lt_tensor_mul (g, f, error)) != NULL;
}

/* 1 + s * x^2, s = +-1 */
static LtTensor *
one_plus_sq (LtTensor *x, double s, GError **error)
{
  g_autoptr(LtTensor) sq = lt_tensor_mul (x, x, error);
  g_autoptr(LtTensor) ssq = sq ? lt_tensor_mul_scalar (sq, s, error) : NULL;

  return ssq ? lt_tensor_add_scalar (ssq, 1.0, error) : NULL;
}

gboolean
_lt_backward_log1p (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g / (x + 1) */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) d = lt_tensor_add_scalar (x, 1.0, error);

  return d && (gi[0] = lt_tensor_div (g, d, error)) != NULL;
}

gboolean
_lt_backward_expm1 (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g * (out + 1) */
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) f = lt_tensor_add_scalar (out, 1.0, error);

  return times (g, f, gi, error);
}

gboolean
_lt_backward_asin (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g * rsqrt (1 - x^2) */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) d = one_plus_sq (x, -1.0, error);
  g_autoptr(LtTensor) f = d ? lt_tensor_rsqrt (d, error) : NULL;

  return times (g, f, gi, error);
}

gboolean
_lt_backward_acos (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* -g * rsqrt (1 - x^2) */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) d = one_plus_sq (x, -1.0, error);
  g_autoptr(LtTensor) r = d ? lt_tensor_rsqrt (d, error) : NULL;
  g_autoptr(LtTensor) f = r ? lt_tensor_neg (r, error) : NULL;

  return times (g, f, gi, error);
}

gboolean
_lt_backward_atan (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g / (1 + x^2) */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) d = one_plus_sq (x, 1.0, error);

  return d && (gi[0] = lt_tensor_div (g, d, error)) != NULL;
}

gboolean
_lt_backward_sinh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) f = lt_tensor_cosh (x, error);

  return times (g, f, gi, error);
}

gboolean
_lt_backward_cosh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) f = lt_tensor_sinh (x, error);

  return times (g, f, gi, error);
}

gboolean
_lt_backward_asinh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g * rsqrt (x^2 + 1) */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) d = one_plus_sq (x, 1.0, error);
  g_autoptr(LtTensor) f = d ? lt_tensor_rsqrt (d, error) : NULL;

  return times (g, f, gi, error);
}

gboolean
_lt_backward_acosh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g * rsqrt (x^2 - 1) */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) sq = lt_tensor_mul (x, x, error);
  g_autoptr(LtTensor) d = sq ? lt_tensor_sub_scalar (sq, 1.0, error) : NULL;
  g_autoptr(LtTensor) f = d ? lt_tensor_rsqrt (d, error) : NULL;

  return times (g, f, gi, error);
}

gboolean
_lt_backward_atanh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g / (1 - x^2) */
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) d = one_plus_sq (x, -1.0, error);

  return d && (gi[0] = lt_tensor_div (g, d, error)) != NULL;
}

gboolean
_lt_backward_tan (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g * (1 + out^2) */
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) f = one_plus_sq (out, 1.0, error);

  return times (g, f, gi, error);
}

/* g * s * 2 / sqrt (pi) * exp (-x^2) */
static gboolean
erf_backward (LtGradFn *node, LtTensor *g, LtTensor **gi, double s, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) sq = lt_tensor_mul (x, x, error);
  g_autoptr(LtTensor) nsq = sq ? lt_tensor_neg (sq, error) : NULL;
  g_autoptr(LtTensor) e = nsq ? lt_tensor_exp (nsq, error) : NULL;
  g_autoptr(LtTensor) f = e ? lt_tensor_mul_scalar (e, s * 2.0 / sqrt (G_PI), error) : NULL;

  return times (g, f, gi, error);
}

gboolean
_lt_backward_erf (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return erf_backward (node, g, gi, 1.0, error);
}

gboolean
_lt_backward_erfc (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return erf_backward (node, g, gi, -1.0, error);
}

/* g / (x * ln (base)) */
static gboolean
log_base_backward (LtGradFn *node, LtTensor *g, LtTensor **gi, double base, GError **error)
{
  LT_SAVED (x, ARG0);
  g_autoptr(LtTensor) d = lt_tensor_mul_scalar (x, log (base), error);

  return d && (gi[0] = lt_tensor_div (g, d, error)) != NULL;
}

gboolean
_lt_backward_log2 (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return log_base_backward (node, g, gi, 2.0, error);
}

gboolean
_lt_backward_log10 (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return log_base_backward (node, g, gi, 10.0, error);
}

gboolean
_lt_backward_exp2 (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g * out * ln 2 */
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) f = lt_tensor_mul_scalar (out, G_LN2, error);

  return times (g, f, gi, error);
}

gboolean
_lt_backward_reciprocal (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* -g * out^2 */
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) sq = lt_tensor_mul (out, out, error);
  g_autoptr(LtTensor) f = sq ? lt_tensor_neg (sq, error) : NULL;

  return times (g, f, gi, error);
}

/* where @pred holds, g; elsewhere 0 */
static LtTensor *
pass_where (LtTensor *pred, LtTensor *g, GError **error)
{
  g_autoptr(LtTensor) zero = lt_zeros_like (g, error);

  return zero ? lt_where (pred, g, zero, error) : NULL;
}

gboolean
_lt_backward_clamp_tensor (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* clamp_backward_min_max: self where min <= x <= max; min where x < min
   * (and min < max when both are given); max where x > max (or max < min) */
  LT_SAVED (x, ARG0);
  LT_SAVED_OPTIONAL (lo, ARG1);
  LT_SAVED_OPTIONAL (hi, ARG2);

  if (LT_NEEDS (0))
    {
      g_autoptr(LtTensor) ge = lo ? lt_tensor_ge (x, lo, error) : NULL;
      g_autoptr(LtTensor) le = hi ? lt_tensor_le (x, hi, error) : NULL;
      g_autoptr(LtTensor) pred = NULL;

      if ((lo && ge == NULL) || (hi && le == NULL))
        return FALSE;
      pred = ge && le ? lt_tensor_logical_and (ge, le, error) : g_object_ref (ge ? ge : le);
      if (pred == NULL || (gi[0] = pass_where (pred, g, error)) == NULL)
        return FALSE;
    }
  if (lo && LT_NEEDS (1))
    {
      g_autoptr(LtTensor) lt = lt_tensor_lt (x, lo, error);
      g_autoptr(LtTensor) ok = lt && hi ? lt_tensor_lt (lo, hi, error) : NULL;
      g_autoptr(LtTensor) pred = NULL;

      if (lt == NULL || (hi && ok == NULL))
        return FALSE;
      pred = ok ? lt_tensor_logical_and (lt, ok, error) : g_object_ref (lt);
      if (pred == NULL || (gi[1] = pass_where (pred, g, error)) == NULL)
        return FALSE;
    }
  if (hi && LT_NEEDS (2))
    {
      g_autoptr(LtTensor) gt = lt_tensor_gt (x, hi, error);
      g_autoptr(LtTensor) inv = gt && lo ? lt_tensor_lt (hi, lo, error) : NULL;
      g_autoptr(LtTensor) pred = NULL;

      if (gt == NULL || (lo && inv == NULL))
        return FALSE;
      pred = inv ? lt_tensor_logical_or (gt, inv, error) : g_object_ref (gt);
      if (pred == NULL || (gi[2] = pass_where (pred, g, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}
