/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-values.h"

/*
 * Reading a tensor's values out, into numbers, arrays and bytes in host
 * memory: a copy from the tensor's device in row-major order (the copy
 * kernel). Printing is lt-print.c.
 */

/* The contiguous host copy of @self, which must have exactly one element
 * (for item()). */
static LtTensor *
single_element_host (LtTensor *self, GError **error)
{
  if (self->numel != 1)
    {
      g_autofree char *s = LT_SHAPE_STR (self);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "item: a tensor with %" G_GINT64_FORMAT " elements (shape %s) cannot be "
                   "converted to a number; it needs exactly one",
                   self->numel, s);
      return NULL;
    }
  return _lt_contiguous_host (self, error);
}

/**
 * lt_tensor_item:
 * @self: a tensor with exactly one element
 * @value: (out): the element, converted to double
 * @error: return location for a #GError
 *
 * Reads the single element of @self, as `x.item()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @self does not have
 *   exactly one element
 */
gboolean
lt_tensor_item (LtTensor *self, double *value, GError **error)
{
  g_autoptr(LtTensor) host = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  host = single_element_host (self, error);
  if (host == NULL)
    return FALSE;
  *value = _lt_load_double (_lt_tensor_data (host), host->dtype);
  return TRUE;
}

/**
 * lt_tensor_item_int64:
 * @self: a tensor with exactly one element
 * @value: (out): the element, converted to a 64-bit integer
 * @error: return location for a #GError
 *
 * Reads the single element of @self as an integer, exactly for integer
 * tensors (a double holds integers exactly only up to 2^53).
 *
 * Returns: %TRUE on success
 */
gboolean
lt_tensor_item_int64 (LtTensor *self, gint64 *value, GError **error)
{
  g_autoptr(LtTensor) host = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  host = single_element_host (self, error);
  if (host == NULL)
    return FALSE;
  *value = _lt_load_int64 (_lt_tensor_data (host), host->dtype);
  return TRUE;
}

/* Copies the elements of @self, in row-major order, into a new array of
 * doubles, or of 64-bit integers when @as_int64 is set. */
static gpointer
copy_out_values (LtTensor *self, gboolean as_int64, gsize *n_values, GError **error)
{
  g_autoptr(LtTensor) host = NULL;
  gsize         esize;
  const guint8 *p;
  gpointer      out;

  host = _lt_contiguous_host (self, error);
  if (host == NULL)
    return NULL;
  esize = _lt_dtype_size (host->dtype);
  p = _lt_tensor_data (host);
  out = g_try_malloc_n (MAX (host->numel, 1), as_int64 ? sizeof (gint64) : sizeof (double));
  if (out == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "%s: %" G_GINT64_FORMAT " values do not fit in memory",
                   as_int64 ? "to_int64s" : "to_doubles", host->numel);
      return NULL;
    }
  if (as_int64)
    for (gint64 i = 0; i < host->numel; i++)
      ((gint64 *) out)[i] = _lt_load_int64 (p + i * esize, host->dtype);
  else
    for (gint64 i = 0; i < host->numel; i++)
      ((double *) out)[i] = _lt_load_double (p + i * esize, host->dtype);
  *n_values = host->numel;
  return out;
}

/**
 * lt_tensor_to_doubles:
 * @self: a tensor
 * @n_values: (out): the number of values
 * @error: return location for a #GError
 *
 * Copies the elements of @self, in row-major order, into a new array of
 * doubles (from any device).
 *
 * Returns: (array length=n_values) (transfer full) (nullable): the values
 */
double *
lt_tensor_to_doubles (LtTensor *self, gsize *n_values, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return copy_out_values (self, FALSE, n_values, error);
}

/**
 * lt_tensor_to_int64s:
 * @self: a tensor
 * @n_values: (out): the number of values
 * @error: return location for a #GError
 *
 * Copies the elements of @self, in row-major order, into a new array of
 * 64-bit integers (floats are truncated toward zero).
 *
 * Returns: (array length=n_values) (transfer full) (nullable): the values
 */
gint64 *
lt_tensor_to_int64s (LtTensor *self, gsize *n_values, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return copy_out_values (self, TRUE, n_values, error);
}

/**
 * lt_tensor_to_bytes:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Copies the elements of @self, in row-major order and native byte order,
 * into a new #GBytes.
 *
 * Returns: (transfer full) (nullable): the bytes
 */
GBytes *
lt_tensor_to_bytes (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) host = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  host = _lt_contiguous_host (self, error);
  if (host == NULL)
    return NULL;
  return g_bytes_new (_lt_tensor_data (host), host->numel * _lt_dtype_size (host->dtype));
}
