/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-ops-private.h"
#include "core/lt-random-private.h"

/*
 * Creation: tensors from shapes, values, ranges, random draws and host
 * memory. Every creation function makes a CPU tensor; move it with
 * lt_tensor_to_device(). The _like forms keep the device of their model.
 */

static LtTensor *
new_filled (const gint64 *shape,
            gsize         n_dims,
            LtDType       dtype,
            LtDevice      device,
            double        value,
            const char   *op,
            GError      **error)
{
  g_autoptr(LtTensor) t = NULL;
  LtOpParams p = { .fill = { value } };

  if (!_lt_check_shape_arg (shape, n_dims, op, error) ||
      !_lt_shape_check_alloc (shape, n_dims, dtype, op, error))
    return NULL;
  t = _lt_tensor_new_empty (shape, n_dims, dtype, device, error);
  if (t == NULL || !_lt_run (LT_OP_FILL, t, NULL, NULL, 0, &p, error))
    return NULL;
  return g_steal_pointer (&t);
}

gboolean
_lt_run_random (LtOp op, LtTensor *out, double a, double b, GError **error)
{
  LtOpParams p = { .random = { 0, 0, a, b } };
  guint      per_block = _lt_random_values_per_block (op, out->dtype, &p.random);

  _lt_random_reserve ((out->numel + per_block - 1) / per_block, &p.random.seed, &p.random.offset);
  return _lt_run (op, out, NULL, NULL, 0, &p, error);
}

static LtTensor *
new_random (LtOp          op,
            const gint64 *shape,
            gsize         n_dims,
            LtDType       dtype,
            LtDevice      device,
            double        a,
            double        b,
            const char   *name,
            GError      **error)
{
  g_autoptr(LtTensor) t = NULL;

  if (!_lt_check_shape_arg (shape, n_dims, name, error))
    return NULL;
  if ((_lt_op_table[op].flags & LT_OPF_FLOAT_ONLY) && !_lt_dtype_is_float (dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: a floating-point dtype is needed, not %s", name, lt_dtype_get_name (dtype));
      return NULL;
    }
  if (!_lt_shape_check_alloc (shape, n_dims, dtype, name, error))
    return NULL;
  t = _lt_tensor_new_empty (shape, n_dims, dtype, device, error);
  if (t == NULL || !_lt_run_random (op, t, a, b, error))
    return NULL;
  return g_steal_pointer (&t);
}

/**
 * lt_empty:
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type
 * @error: return location for a #GError
 *
 * Creates a tensor whose elements are not initialised, as `torch.empty()`
 * (and the tutorial's `torch.Tensor(5, 3)`).
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 *   for a negative size or a size that does not fit in memory
 */
LtTensor *
lt_empty (const gint64 *shape,
          gsize         n_dims,
          LtDType       dtype,
          GError      **error)
{
  if (!_lt_check_shape_arg (shape, n_dims, "empty", error) ||
      !_lt_shape_check_alloc (shape, n_dims, dtype, "empty", error))
    return NULL;
  return _lt_tensor_new_empty (shape, n_dims, dtype, LT_DEVICE_CPU, error);
}

/**
 * lt_zeros:
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type
 * @error: return location for a #GError
 *
 * Creates a tensor filled with zeros.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_zeros (const gint64 *shape,
          gsize         n_dims,
          LtDType       dtype,
          GError      **error)
{
  return new_filled (shape, n_dims, dtype, LT_DEVICE_CPU, 0, "zeros", error);
}

/**
 * lt_ones:
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type
 * @error: return location for a #GError
 *
 * Creates a tensor filled with ones.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_ones (const gint64 *shape,
         gsize         n_dims,
         LtDType       dtype,
         GError      **error)
{
  return new_filled (shape, n_dims, dtype, LT_DEVICE_CPU, 1, "ones", error);
}

/**
 * lt_full:
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @value: the value of every element
 * @dtype: the element type
 * @error: return location for a #GError
 *
 * Creates a tensor filled with @value.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_full (const gint64 *shape,
         gsize         n_dims,
         double        value,
         LtDType       dtype,
         GError      **error)
{
  return new_filled (shape, n_dims, dtype, LT_DEVICE_CPU, value, "full", error);
}

/**
 * lt_rand:
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: a floating-point element type
 * @error: return location for a #GError
 *
 * Creates a tensor of numbers drawn uniformly from [0, 1) by the global
 * generator (see lt_manual_seed()).
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_rand (const gint64 *shape,
         gsize         n_dims,
         LtDType       dtype,
         GError      **error)
{
  return new_random (LT_OP_UNIFORM, shape, n_dims, dtype, LT_DEVICE_CPU, 0, 1, "rand", error);
}

/**
 * lt_randn:
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: a floating-point element type
 * @error: return location for a #GError
 *
 * Creates a tensor of numbers drawn from the standard normal distribution
 * (Box-Muller over the global Philox generator).
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_randn (const gint64 *shape,
          gsize         n_dims,
          LtDType       dtype,
          GError      **error)
{
  return new_random (LT_OP_NORMAL, shape, n_dims, dtype, LT_DEVICE_CPU, 0, 1, "randn", error);
}

/**
 * lt_randint:
 * @low: the smallest value
 * @high: one above the largest value
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type (int64 as PyTorch's default)
 * @error: return location for a #GError
 *
 * Creates a tensor of integers drawn uniformly from [@low, @high).
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 *   when @high is not above @low
 */
LtTensor *
lt_randint (gint64        low,
            gint64        high,
            const gint64 *shape,
            gsize         n_dims,
            LtDType       dtype,
            GError      **error)
{
  if (high <= low)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "randint: high (%" G_GINT64_FORMAT ") must be greater than low (%"
                   G_GINT64_FORMAT ")", high, low);
      return NULL;
    }
  return new_random (LT_OP_RANDINT, shape, n_dims, dtype, LT_DEVICE_CPU,
                     (double) low, (double) high, "randint", error);
}

/**
 * lt_randperm:
 * @n: the number of values
 * @dtype: the element type (int64 as PyTorch's default); it must hold @n - 1
 *   exactly
 * @error: return location for a #GError
 *
 * Creates a random permutation of 0 .. @n - 1, as `torch.randperm()`, from
 * the global Philox generator: each index gets a 64-bit key drawn from the
 * stream and the indices are sorted by key, so the same seed gives the same
 * permutation whatever the number of threads or the device. Datasets
 * (lt_random_split()) and data loaders shuffle with it.
 *
 * Returns: (transfer full) (nullable): a 1-D tensor of @n elements, or
 *   %NULL with @error set for a negative @n or a @dtype too small for it
 */
LtTensor *
lt_randperm (gint64   n,
             LtDType  dtype,
             GError **error)
{
  g_autoptr(LtTensor) t = NULL;
  LtOpParams p = { .random = { 0, 0, 0, 0 } };
  gint64 max_exact;

  if (n < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "randperm: n (%" G_GINT64_FORMAT ") must not be negative", n);
      return NULL;
    }
  switch (dtype)
    {
    case LT_DTYPE_FLOAT32: max_exact = G_GINT64_CONSTANT (1) << 24; break;
    case LT_DTYPE_FLOAT64: max_exact = G_GINT64_CONSTANT (1) << 53; break;
    case LT_DTYPE_INT64: max_exact = G_MAXINT64; break;
    case LT_DTYPE_INT32: max_exact = G_MAXINT32; break;
    case LT_DTYPE_INT16: max_exact = G_MAXINT16; break;
    case LT_DTYPE_INT8: max_exact = G_MAXINT8; break;
    case LT_DTYPE_UINT8: max_exact = G_MAXUINT8; break;
    default: max_exact = -1; break;
    }
  if (max_exact < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "randperm: dtype %s cannot hold indices", lt_dtype_get_name (dtype));
      return NULL;
    }
  if (n > 0 && n - 1 > max_exact)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "randperm: dtype %s cannot hold the index %" G_GINT64_FORMAT,
                   lt_dtype_get_name (dtype), n - 1);
      return NULL;
    }
  if (!_lt_shape_check_alloc (&n, 1, dtype, "randperm", error))
    return NULL;
  t = _lt_tensor_new_empty (&n, 1, dtype, LT_DEVICE_CPU, error);
  if (t == NULL)
    return NULL;
  /* Two 64-bit keys per Philox block. */
  _lt_random_reserve ((guint64) (n + 1) / 2, &p.random.seed, &p.random.offset);
  if (!_lt_run (LT_OP_RANDPERM, t, NULL, NULL, 0, &p, error))
    return NULL;
  return g_steal_pointer (&t);
}

/**
 * lt_arange:
 * @start: the first value
 * @end: the bound, not included
 * @step: the difference between neighbours (not 0)
 * @dtype: the element type
 * @error: return location for a #GError
 *
 * Creates the 1-D tensor start, start + step, ... up to @end excluded, as
 * `torch.arange(start, end, step)`.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_arange (double   start,
           double   end,
           double   step,
           LtDType  dtype,
           GError **error)
{
  g_autoptr(LtTensor) t = NULL;
  LtOpParams p = { .range = { start, step, end } };
  double n;
  gint64 shape[1];

  if (step == 0 || isnan (step) || isnan (start) || isnan (end) || isinf (start) || isinf (end))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "arange: start (%g), end (%g) and step (%g) must be finite and step not 0",
                   start, end, step);
      return NULL;
    }
  if ((step > 0 && end < start) || (step < 0 && end > start))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "arange: the step %g does not lead from %g to %g", step, start, end);
      return NULL;
    }
  n = ceil ((end - start) / step);
  if (n > 9.0e15)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "arange: %g elements do not fit in memory", n);
      return NULL;
    }
  shape[0] = (gint64) n;
  if (!_lt_shape_check_alloc (shape, 1, dtype, "arange", error))
    return NULL;
  t = _lt_tensor_new_empty (shape, 1, dtype, LT_DEVICE_CPU, error);
  if (t == NULL || !_lt_run (LT_OP_ARANGE, t, NULL, NULL, 0, &p, error))
    return NULL;
  return g_steal_pointer (&t);
}

/**
 * lt_linspace:
 * @start: the first value
 * @end: the last value
 * @steps: the number of values (0 or more)
 * @dtype: the element type
 * @error: return location for a #GError
 *
 * Creates @steps evenly spaced values from @start to @end, both included.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_linspace (double   start,
             double   end,
             gint64   steps,
             LtDType  dtype,
             GError **error)
{
  g_autoptr(LtTensor) t = NULL;
  LtOpParams p = { .range = { start, 0, end } };

  if (steps < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "linspace: the number of steps must be non-negative, not %" G_GINT64_FORMAT,
                   steps);
      return NULL;
    }
  if (!_lt_shape_check_alloc (&steps, 1, dtype, "linspace", error))
    return NULL;
  t = _lt_tensor_new_empty (&steps, 1, dtype, LT_DEVICE_CPU, error);
  if (t == NULL || !_lt_run (LT_OP_LINSPACE, t, NULL, NULL, 0, &p, error))
    return NULL;
  return g_steal_pointer (&t);
}

/**
 * lt_eye:
 * @n: the number of rows
 * @m: the number of columns, or -1 for @n
 * @dtype: the element type
 * @error: return location for a #GError
 *
 * Creates an identity matrix: ones on the diagonal, zeros elsewhere.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 *   when @n is negative or @m below -1
 */
LtTensor *
lt_eye (gint64   n,
        gint64   m,
        LtDType  dtype,
        GError **error)
{
  gint64 shape[2] = { n, m == -1 ? n : m };
  g_autoptr(LtTensor) t = NULL;
  g_autoptr(LtTensor) diag = NULL;
  gint64 len, stride;
  LtOpParams p = { .fill = { 1 } };

  if (n < 0 || m < -1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "eye: the number of rows (%" G_GINT64_FORMAT
                   ") and of columns (%" G_GINT64_FORMAT
                   ") must not be negative (-1 columns: as many as rows)",
                   n, m);
      return NULL;
    }
  t = new_filled (shape, 2, dtype, LT_DEVICE_CPU, 0, "eye", error);
  if (t == NULL)
    return NULL;
  /* The diagonal is a 1-D view with stride m + 1. */
  len = MIN (shape[0], shape[1]);
  stride = shape[1] + 1;
  if (len == 0)
    return g_steal_pointer (&t);
  diag = _lt_tensor_new_view (t, &len, &stride, 1, 0);
  if (!_lt_run (LT_OP_FILL, diag, NULL, NULL, 0, &p, error))
    return NULL;
  return g_steal_pointer (&t);
}

/**
 * lt_scalar_tensor:
 * @value: the value
 * @dtype: the element type
 *
 * Creates a tensor with no dimensions holding @value.
 *
 * Returns: (transfer full): the tensor
 */
LtTensor *
lt_scalar_tensor (double  value,
                  LtDType dtype)
{
  return _lt_tensor_new_scalar (value, dtype, FALSE);
}

/**
 * lt_scalar:
 * @value: a number
 *
 * Creates a wrapped number: a 0-dim float64 tensor that takes part in type
 * promotion as a Python float does (a float32 tensor plus it stays float32;
 * an integer tensor plus it becomes float32).
 *
 * Returns: (transfer full): the tensor
 */
LtTensor *
lt_scalar (double value)
{
  return _lt_tensor_new_scalar (value, LT_DTYPE_FLOAT64, TRUE);
}

/**
 * lt_scalar_int:
 * @value: an integer
 *
 * Creates a wrapped integer: a 0-dim int64 tensor that takes part in type
 * promotion as a Python int does (an int32 tensor plus it stays int32).
 *
 * Returns: (transfer full): the tensor
 */
LtTensor *
lt_scalar_int (gint64 value)
{
  LtTensor *t = _lt_tensor_new_scalar (0, LT_DTYPE_INT64, TRUE);

  *(gint64 *) t->storage->data = value;
  return t;
}

/**
 * lt_empty_like:
 * @like: a tensor
 * @error: return location for a #GError
 *
 * Creates an uninitialised tensor of @like's shape, dtype and device.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_empty_like (LtTensor *like,
               GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (like), NULL);
  return _lt_tensor_empty_like (like, like->dtype, error);
}

/**
 * lt_zeros_like:
 * @like: a tensor
 * @error: return location for a #GError
 *
 * Creates a tensor of zeros of @like's shape, dtype and device.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_zeros_like (LtTensor *like,
               GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (like), NULL);
  return new_filled (like->shape, like->ndim, like->dtype, like->storage->device, 0,
                     "zeros_like", error);
}

/**
 * lt_ones_like:
 * @like: a tensor
 * @error: return location for a #GError
 *
 * Creates a tensor of ones of @like's shape, dtype and device.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_ones_like (LtTensor *like,
              GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (like), NULL);
  return new_filled (like->shape, like->ndim, like->dtype, like->storage->device, 1,
                     "ones_like", error);
}

/**
 * lt_full_like:
 * @like: a tensor
 * @value: the value of every element
 * @error: return location for a #GError
 *
 * Creates a tensor filled with @value, of @like's shape, dtype and device.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_full_like (LtTensor *like,
              double    value,
              GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (like), NULL);
  return new_filled (like->shape, like->ndim, like->dtype, like->storage->device, value,
                     "full_like", error);
}

/**
 * lt_rand_like:
 * @like: a floating-point tensor
 * @error: return location for a #GError
 *
 * Like lt_rand(), with @like's shape, dtype and device.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_rand_like (LtTensor *like,
              GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (like), NULL);
  return new_random (LT_OP_UNIFORM, like->shape, like->ndim, like->dtype, like->storage->device,
                     0, 1, "rand_like", error);
}

/**
 * lt_randn_like:
 * @like: a floating-point tensor
 * @error: return location for a #GError
 *
 * Like lt_randn(), with @like's shape, dtype and device.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_randn_like (LtTensor *like,
               GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (like), NULL);
  return new_random (LT_OP_NORMAL, like->shape, like->ndim, like->dtype, like->storage->device,
                     0, 1, "randn_like", error);
}

static gboolean
check_count (gsize         n_data,
             const gint64 *shape,
             gsize         n_dims,
             const char   *what,
             GError      **error)
{
  gint64 numel;

  if (!_lt_check_shape_arg (shape, n_dims, "tensor", error) ||
      !_lt_shape_numel (shape, n_dims, &numel, "tensor", error))
    return FALSE;
  if ((gint64) n_data != numel)
    {
      g_autofree char *s = _lt_shape_to_string (shape, n_dims);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "tensor: %" G_GSIZE_FORMAT " %s given for shape %s, which holds %"
                   G_GINT64_FORMAT, n_data, what, s, numel);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_tensor_new_from_doubles:
 * @data: (array length=n_data): the values in row-major order
 * @n_data: the number of values
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type the values are converted to
 * @error: return location for a #GError
 *
 * Creates a tensor from values, as `torch.tensor([...])`.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 *   when the number of values does not match the shape
 */
LtTensor *
lt_tensor_new_from_doubles (const double *data,
                            gsize         n_data,
                            const gint64 *shape,
                            gsize         n_dims,
                            LtDType       dtype,
                            GError      **error)
{
  LtTensor *t;
  guint8 *p;
  gsize es = _lt_dtype_size (dtype);

  if (!check_count (n_data, shape, n_dims, "values", error))
    return NULL;
  t = _lt_tensor_new_empty (shape, n_dims, dtype, LT_DEVICE_CPU, error);
  if (t == NULL)
    return NULL;
  p = t->storage->data;
  for (gsize i = 0; i < n_data; i++)
    _lt_store_double (p + i * es, dtype, data[i]);
  return t;
}

/**
 * lt_tensor_new_from_int64s:
 * @data: (array length=n_data): the values in row-major order
 * @n_data: the number of values
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type the values are converted to
 * @error: return location for a #GError
 *
 * Creates a tensor from integers (exact for every int64).
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_new_from_int64s (const gint64 *data,
                           gsize         n_data,
                           const gint64 *shape,
                           gsize         n_dims,
                           LtDType       dtype,
                           GError      **error)
{
  LtTensor *t;
  guint8 *p;
  gsize es = _lt_dtype_size (dtype);

  if (!check_count (n_data, shape, n_dims, "values", error))
    return NULL;
  t = _lt_tensor_new_empty (shape, n_dims, dtype, LT_DEVICE_CPU, error);
  if (t == NULL)
    return NULL;
  p = t->storage->data;
  for (gsize i = 0; i < n_data; i++)
    _lt_store_int64 (p + i * es, dtype, data[i]);
  return t;
}

/**
 * lt_tensor_new_from_data:
 * @data: (array length=n_bytes) (element-type guint8): the elements, in
 *   row-major order and native byte order
 * @n_bytes: the size of @data
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type of @data
 * @error: return location for a #GError
 *
 * Creates a tensor by copying raw elements.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 *   when @n_bytes does not match the shape
 */
LtTensor *
lt_tensor_new_from_data (gconstpointer data,
                         gsize         n_bytes,
                         const gint64 *shape,
                         gsize         n_dims,
                         LtDType       dtype,
                         GError      **error)
{
  LtTensor *t;
  gint64 numel;

  if (!_lt_check_shape_arg (shape, n_dims, "tensor", error) ||
      !_lt_shape_numel (shape, n_dims, &numel, "tensor", error))
    return NULL;
  if (n_bytes / _lt_dtype_size (dtype) != (gsize) numel || n_bytes % _lt_dtype_size (dtype) != 0)
    {
      g_autofree char *s = _lt_shape_to_string (shape, n_dims);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "tensor: %" G_GSIZE_FORMAT " bytes given for %s elements of shape %s, which "
                   "need %" G_GSIZE_FORMAT, n_bytes, lt_dtype_get_name (dtype), s,
                   (gsize) numel * _lt_dtype_size (dtype));
      return NULL;
    }
  t = _lt_tensor_new_empty (shape, n_dims, dtype, LT_DEVICE_CPU, error);
  if (t == NULL)
    return NULL;
  if (n_bytes)
    memcpy (t->storage->data, data, n_bytes);
  return t;
}

/**
 * lt_tensor_new_from_bytes:
 * @bytes: the elements, in row-major order and native byte order
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @dtype: the element type of @bytes
 * @error: return location for a #GError
 *
 * Creates a tensor by copying the contents of @bytes.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_new_from_bytes (GBytes       *bytes,
                          const gint64 *shape,
                          gsize         n_dims,
                          LtDType       dtype,
                          GError      **error)
{
  gsize n;
  gconstpointer data;

  g_return_val_if_fail (bytes != NULL, NULL);
  data = g_bytes_get_data (bytes, &n);
  return lt_tensor_new_from_data (data, n, shape, n_dims, dtype, error);
}

typedef struct
{
  LtReleaseFunc release;
  gpointer user_data;
  GDestroyNotify destroy;
} WrapRelease;

static void
wrap_release (gpointer data)
{
  WrapRelease *w = data;

  if (w->release)
    w->release (w->user_data);
  if (w->destroy)
    w->destroy (w->user_data);
  g_free (w);
}

/**
 * lt_tensor_new_wrap:
 * @data: the address of the first element, in host memory
 * @n_bytes: the size of the memory block that starts at @data
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @strides: (array length=n_strides) (nullable): the stride of every
 *   dimension in elements, or %NULL for row-major order
 * @n_strides: the number of strides (0 or @n_dims)
 * @dtype: the element type
 * @release: (scope notified) (closure user_data) (destroy destroy) (nullable):
 *   called once when no tensor uses the memory any more
 * @user_data: data for @release
 * @destroy: (nullable): frees @user_data after @release ran
 * @error: return location for a #GError
 *
 * Creates a tensor over memory the caller owns, without copying: writes
 * through the tensor show in the memory and the other way round. This is
 * the numpy bridge's `torch.from_numpy()`: the Python overrides pass a
 * callable that keeps the array alive until @release runs.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 *   when the shape and strides reach outside @n_bytes
 */
LtTensor *
lt_tensor_new_wrap (guintptr       data,
                    gsize          n_bytes,
                    const gint64  *shape,
                    gsize          n_dims,
                    const gint64  *strides,
                    gsize          n_strides,
                    LtDType        dtype,
                    LtReleaseFunc  release,
                    gpointer       user_data,
                    GDestroyNotify destroy,
                    GError       **error)
{
  WrapRelease *w;
  LtStorage *storage;
  LtTensor *t;
  gint64       numel, max_off = 0, reach;
  gint64 cstrides[LT_MAX_DIMS];

  if (!_lt_check_shape_arg (shape, n_dims, "from_blob", error) ||
      !_lt_shape_numel (shape, n_dims, &numel, "from_blob", error))
    goto fail;
  if (n_strides != 0 && n_strides != n_dims)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "from_blob: %" G_GSIZE_FORMAT " strides given for %" G_GSIZE_FORMAT
                   " dimensions", n_strides, n_dims);
      goto fail;
    }
  if (strides == NULL || n_strides == 0)
    {
      _lt_shape_contiguous_strides (shape, n_dims, cstrides);
      strides = cstrides;
    }
  for (gsize d = 0; d < n_dims; d++)
    {
      if (strides[d] < 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "from_blob: negative strides are not supported (copy the array first)");
          goto fail;
        }
      if (shape[d] > 0 && (__builtin_mul_overflow (shape[d] - 1, strides[d], &reach) ||
                           __builtin_add_overflow (max_off, reach, &max_off)))
        {
          g_autofree char *s = _lt_shape_to_string (shape, n_dims);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "from_blob: the shape %s and its strides reach past 64 bits", s);
          goto fail;
        }
    }
  if (numel > 0 && (max_off >= G_MAXINT64 / (gint64) _lt_dtype_size (dtype) ||
                    (gsize) (max_off + 1) * _lt_dtype_size (dtype) > n_bytes))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "from_blob: the shape and strides reach element %" G_GINT64_FORMAT " (of %u "
                   "bytes) in a block of %" G_GSIZE_FORMAT " bytes",
                   max_off, (guint) _lt_dtype_size (dtype), n_bytes);
      goto fail;
    }
  if (data == 0 && n_bytes > 0)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "from_blob: the data address is NULL");
      goto fail;
    }
  if (data % _lt_dtype_size (dtype) != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "from_blob: the data address is not aligned for %s elements",
                   lt_dtype_get_name (dtype));
      goto fail;
    }

  w = g_new0 (WrapRelease, 1);
  w->release = release;
  w->user_data = user_data;
  w->destroy = destroy;
  storage = _lt_storage_new_wrap ((gpointer) data, n_bytes, wrap_release, w);
  t = _lt_tensor_new_with_storage (storage, shape, strides, n_dims, 0, dtype);
  lt_storage_unref (storage);
  return t;

fail:
  if (destroy)
    destroy (user_data);
  return NULL;
}

/**
 * lt_tensor_new_wrap_owned:
 * @data: the address of the first element, in host memory
 * @n_bytes: the size of the memory block that starts at @data
 * @shape: (array length=n_dims): the size of every dimension
 * @n_dims: the number of dimensions
 * @strides: (array length=n_strides) (nullable): the stride of every
 *   dimension in elements, or %NULL for row-major order
 * @n_strides: the number of strides (0 or @n_dims)
 * @dtype: the element type
 * @owner: (transfer none): the object that owns the memory
 * @error: return location for a #GError
 *
 * Creates a tensor over memory that @owner keeps alive, without copying,
 * as lt_tensor_new_wrap() does; the memory holds a reference on @owner
 * until no tensor (nor any view of one) uses it, and then drops it. No
 * callback runs: a binding's object (a Python object that holds a numpy
 * array) is released by dropping its reference, which a language runtime
 * can do at any time, even while an exception unwinds. This is what the
 * Python overrides' `from_numpy()` uses.
 *
 * Returns: (transfer full) (nullable): the tensor, or %NULL with @error set
 *   when the shape and strides reach outside @n_bytes
 */
LtTensor *
lt_tensor_new_wrap_owned (guintptr      data,
                          gsize         n_bytes,
                          const gint64 *shape,
                          gsize         n_dims,
                          const gint64 *strides,
                          gsize         n_strides,
                          LtDType       dtype,
                          GObject      *owner,
                          GError      **error)
{
  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);

  return lt_tensor_new_wrap (data, n_bytes, shape, n_dims, strides, n_strides, dtype, NULL,
                             g_object_ref (owner), g_object_unref, error);
}

/**
 * lt_tensor_clone:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Copies @self into new contiguous memory. The copy is recorded by
 * autograd (`CloneBackward0`).
 *
 * Returns: (transfer full) (nullable): the copy, or %NULL with @error set
 */
LtTensor *
lt_tensor_clone (LtTensor *self,
                 GError  **error)
{
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  out = _lt_clone_raw (self, error);
  if (out == NULL)
    return NULL;
  node = _lt_autograd_record (LT_OP_CLONE, &self, 1);
  if (node)
    _lt_autograd_set_output (node, out);
  return g_steal_pointer (&out);
}
