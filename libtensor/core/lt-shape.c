/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-shape-private.h"
#include "lt-dtype-private.h"
#include "lt-tensor-private.h"

gboolean
_lt_shape_numel (const gint64 *shape,
                 guint         ndim,
                 gint64       *numel,
                 const char   *op,
                 GError      **error)
{
  gint64 n = 1, span = 1;
  gboolean zero = FALSE, overflow = FALSE;

  for (guint i = 0; i < ndim; i++)
    {
      if (shape[i] < 0)
        {
          g_autofree char *s = _lt_shape_to_string (shape, ndim);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "%s: negative dimension %" G_GINT64_FORMAT " in shape %s",
                       op, shape[i], s);
          return FALSE;
        }
      if (shape[i] == 0)
        zero = TRUE;
      /* The strides of a tensor multiply every size but zeros: they must
       * fit even when the tensor is empty. */
      else if (!overflow && __builtin_mul_overflow (span, shape[i], &span))
        overflow = TRUE;
    }
  if (overflow)
    {
      g_autofree char *s = _lt_shape_to_string (shape, ndim);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: the sizes of shape %s multiply past 64 bits", op, s);
      return FALSE;
    }
  n = zero ? 0 : span;
  *numel = n;
  return TRUE;
}

gboolean
_lt_shape_check_alloc (const gint64 *shape,
                       guint         ndim,
                       LtDType       dtype,
                       const char   *op,
                       GError      **error)
{
  gint64 numel;
  gsize  nbytes;

  if (ndim > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: a tensor can have at most %d dimensions, %u asked", op, LT_MAX_DIMS, ndim);
      return FALSE;
    }
  if (!_lt_shape_numel (shape, ndim, &numel, op, error))
    return FALSE;
  if (__builtin_mul_overflow ((gsize) numel, _lt_dtype_size (dtype), &nbytes) ||
      nbytes > G_MAXSSIZE)
    {
      g_autofree char *s = _lt_shape_to_string (shape, ndim);
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "%s: a tensor of shape %s (%" G_GINT64_FORMAT " %s elements) does not fit "
                   "in memory",
                   op, s, numel, lt_dtype_get_name (dtype));
      return FALSE;
    }
  return TRUE;
}

void
_lt_shape_contiguous_strides (const gint64 *shape,
                              guint         ndim,
                              gint64       *strides)
{
  gint64 s = 1;

  for (guint i = ndim; i-- > 0;)
    {
      strides[i] = s;
      s *= MAX (shape[i], 1);
    }
}

gboolean
_lt_shape_broadcast (const gint64 *a,
                     guint         na,
                     const gint64 *b,
                     guint         nb,
                     gint64       *out,
                     guint        *nout)
{
  guint n = MAX (na, nb);

  for (guint i = 0; i < n; i++)
    {
      gint64 da = i < n - na ? 1 : a[i - (n - na)];
      gint64 db = i < n - nb ? 1 : b[i - (n - nb)];

      if (da == db || db == 1)
        out[i] = da;
      else if (da == 1)
        out[i] = db;
      else
        return FALSE;
    }
  *nout = n;
  return TRUE;
}

char *
_lt_shape_to_string (const gint64 *shape,
                     guint         ndim)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

gboolean
_lt_shape_equal (const gint64 *a,
                 guint         na,
                 const gint64 *b,
                 guint         nb)
{
  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    if (a[i] != b[i])
      return FALSE;
  return TRUE;
}

gboolean
_lt_normalize_dim (gint        dim,
                   guint       ndim,
                   guint      *out,
                   const char *op,
                   GError    **error)
{
  gint n = MAX ((gint) ndim, 1);

  if (dim < -n || dim >= n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: dimension %d out of range for a tensor with %u dimensions "
                   "(expected %d to %d)", op, dim, ndim, -n, n - 1);
      return FALSE;
    }
  *out = dim < 0 ? (guint) (dim + n) : (guint) dim;
  return TRUE;
}

gboolean
_lt_check_shape_arg (const gint64 *shape,
                     gsize         n_dims,
                     const char   *op,
                     GError      **error)
{
  gint64 numel;

  if (n_dims > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: %" G_GSIZE_FORMAT " dimensions given, at most %d are supported",
                   op, n_dims, LT_MAX_DIMS);
      return FALSE;
    }
  if (n_dims > 0 && shape == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: shape is NULL but n_dims is %" G_GSIZE_FORMAT, op, n_dims);
      return FALSE;
    }
  return _lt_shape_numel (shape, n_dims, &numel, op, error);
}

void
_lt_broadcast_strides (LtTensor     *t,
                       const gint64 *shape,
                       guint         ndim,
                       gint64       *strides)
{
  guint lead = ndim - t->ndim;

  for (guint i = 0; i < ndim; i++)
    {
      if (i < lead)
        strides[i] = 0;
      else if (t->shape[i - lead] == 1 && shape[i] != 1)
        strides[i] = 0;
      else
        strides[i] = t->strides[i - lead];
    }
}
