/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-pad.h"

/*
 * Padding, as torch.nn.functional.pad: the constant mode joins blocks of
 * the value (or narrows, for negative sizes); the reflect, replicate and
 * circular modes pick, along each padded dimension, the source element of
 * every output position with one index_select, whose backward (index_add)
 * sums the gradients of the positions that share a source.
 */

typedef enum
{
  PAD_CONSTANT,
  PAD_REFLECT,
  PAD_REPLICATE,
  PAD_CIRCULAR,
} PadMode;

/* the source of position @i (from -left) along a dim of @size */
static gint64
pad_source (PadMode mode, gint64 i, gint64 size)
{
  switch (mode)
    {
      case PAD_REFLECT:
        if (i < 0)
          return -i;
        return i >= size ? 2 * (size - 1) - i : i;
      case PAD_REPLICATE:
        return CLAMP (i, 0, size - 1);
      case PAD_CIRCULAR:
      default:
        return ((i % size) + size) % size;
    }
}

static LtTensor *
pad_dim_index (LtTensor *t, guint dim, gint64 left, gint64 right, PadMode mode, GError **error)
{
  gint64             size = t->shape[dim], n = size + left + right;
  g_autofree gint64 *idx = g_new (gint64, MAX (n, 1));
  g_autoptr(LtTensor) index = NULL;

  for (gint64 o = 0; o < n; o++)
    idx[o] = pad_source (mode, o - left, size);
  index = lt_tensor_new_from_data (idx, n * sizeof (gint64), &n, 1, LT_DTYPE_INT64, error);
  if (index == NULL)
    return NULL;
  if (t->storage->device != LT_DEVICE_CPU)
    {
      LtTensor *moved = lt_tensor_to_device (index, t->storage->device, error);

      if (moved == NULL)
        return NULL;
      g_object_unref (index);
      index = moved;
    }
  return lt_tensor_index_select (t, (gint) dim, index, error);
}

static LtTensor *
pad_dim_constant (LtTensor *t, guint dim, gint64 left, gint64 right, double value, GError **error)
{
  g_autoptr(LtTensor) mid = NULL;
  LtTensor *parts[3];
  guint     n = 0;
  gint64    shape[LT_MAX_DIMS];
  g_autoptr(LtTensor) lo = NULL;
  g_autoptr(LtTensor) hi = NULL;
  LtTensor *out;

  if (left < 0 || right < 0)
    {
      gint64 start = MAX (-left, 0), stop = t->shape[dim] - MAX (-right, 0);

      mid = lt_tensor_narrow (t, (gint) dim, start, stop - start, error);
      if (mid == NULL)
        return NULL;
      left = MAX (left, 0);
      right = MAX (right, 0);
    }
  else
    mid = g_object_ref (t);
  memcpy (shape, mid->shape, mid->ndim * sizeof (gint64));
  if (left > 0)
    {
      shape[dim] = left;
      lo = lt_full (shape, mid->ndim, value, mid->dtype, error);
      if (lo && mid->storage->device != LT_DEVICE_CPU)
        {
          LtTensor *moved = lt_tensor_to_device (lo, mid->storage->device, error);
          g_object_unref (lo);
          lo = moved;
        }
      if (lo == NULL)
        return NULL;
      parts[n++] = lo;
    }
  parts[n++] = mid;
  if (right > 0)
    {
      shape[dim] = right;
      hi = lt_full (shape, mid->ndim, value, mid->dtype, error);
      if (hi && mid->storage->device != LT_DEVICE_CPU)
        {
          LtTensor *moved = lt_tensor_to_device (hi, mid->storage->device, error);
          g_object_unref (hi);
          hi = moved;
        }
      if (hi == NULL)
        return NULL;
      parts[n++] = hi;
    }
  out = n == 1 ? g_object_ref (mid) : lt_cat (parts, n, (gint) dim, error);
  return out;
}

/**
 * lt_pad:
 * @input: a tensor
 * @pad: (array length=n_pad): the sizes added before and after the last
 *   dimension, then the one before it, ...: (left, right, top, bottom,
 *   front, back); negative sizes remove elements
 * @n_pad: the length of @pad: even, at most twice @input's dimensions
 * @mode: (nullable): "constant" (%NULL), "reflect" (the elements
 *   mirrored about the edge, the edge itself not repeated), "replicate"
 *   (the edge repeated) or "circular" (the other end's elements)
 * @value: the value of the constant mode's new elements
 * @error: return location for a #GError
 *
 * Pads @input, as `torch.nn.functional.pad(input, pad, mode, value)`. The
 * modes other than "constant" pick their elements with index_select
 * (`IndexSelectBackward0`), one per padded dimension, so the gradient of
 * an element is the sum over the positions that copy it.
 *
 * Errors: an odd @n_pad or one above twice the dimensions, an unknown
 * @mode (%LT_ERROR_INVALID_ARGUMENT); a reflect padding not smaller than
 * its dimension, a circular one larger than its dimension, a padding of
 * an empty dimension, or a result with a negative size (%LT_ERROR_SHAPE).
 *
 * Returns: (transfer full) (nullable): the padded tensor, or %NULL with
 *   @error set
 */
LtTensor *
lt_pad (LtTensor     *input,
        const gint64 *pad,
        gsize         n_pad,
        const char   *mode,
        double        value,
        GError      **error)
{
  g_autoptr(LtTensor) out = NULL;
  PadMode m;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (pad != NULL || n_pad == 0, NULL);
  if (mode == NULL || strcmp (mode, "constant") == 0)
    m = PAD_CONSTANT;
  else if (strcmp (mode, "reflect") == 0)
    m = PAD_REFLECT;
  else if (strcmp (mode, "replicate") == 0)
    m = PAD_REPLICATE;
  else if (strcmp (mode, "circular") == 0)
    m = PAD_CIRCULAR;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "pad: unknown mode '%s' (constant, reflect, replicate or circular)", mode);
      return NULL;
    }
  if (n_pad % 2 != 0 || n_pad / 2 > input->ndim)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "pad: the padding's length (%" G_GSIZE_FORMAT ") must be even and at most "
                   "twice the input's %u dimensions",
                   n_pad, input->ndim);
      return NULL;
    }
  out = g_object_ref (input);
  for (gsize k = 0; k < n_pad / 2; k++)
    {
      guint     dim = input->ndim - 1 - (guint) k;
      gint64    left = pad[2 * k], right = pad[2 * k + 1], size = out->shape[dim];
      LtTensor *next;

      if (left < -size || right < -size || size + left + right < 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "pad: padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                       ") at dimension %u of an input of size %" G_GINT64_FORMAT
                       " would give a negative size",
                       left, right, dim, size);
          return NULL;
        }
      if (m != PAD_CONSTANT && (left > 0 || right > 0) && size == 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "pad: %s padding of dimension %u, which is empty", mode, dim);
          return NULL;
        }
      if ((m == PAD_REFLECT && (left >= size || right >= size)) ||
          (m == PAD_CIRCULAR && (left > size || right > size)))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       m == PAD_REFLECT
                         ? "pad: reflect padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                           ") at dimension %u must be less than its size %" G_GINT64_FORMAT
                         : "pad: circular padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                           ") at dimension %u wraps around its size %" G_GINT64_FORMAT
                           " more than once",
                       left, right, dim, size);
          return NULL;
        }
      if (left == 0 && right == 0)
        continue;
      if (m == PAD_CIRCULAR && (left < 0 || right < 0))
        {
          /* PyTorch's circular padding wraps around what the negative
           * sizes leave */
          gint64 start = MAX (-left, 0), stop = size - MAX (-right, 0);

          next = lt_tensor_narrow (out, (gint) dim, start, stop - start, error);
          if (next == NULL)
            return NULL;
          g_object_unref (out);
          out = next;
          left = MAX (left, 0);
          right = MAX (right, 0);
          if ((left > 0 || right > 0) && out->shape[dim] == 0)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                           "pad: circular padding of dimension %u, which is empty once cropped",
                           dim);
              return NULL;
            }
          if (left == 0 && right == 0)
            continue;
        }
      next = m == PAD_CONSTANT ? pad_dim_constant (out, dim, left, right, value, error)
                               : pad_dim_index (out, dim, left, right, m, error);
      if (next == NULL)
        return NULL;
      g_object_unref (out);
      out = next;
    }
  return g_steal_pointer (&out);
}
