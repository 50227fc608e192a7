/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cpu-private.h"

/*
 * Coordinate indexing kernels (ops/lt-index-put.c is their front end):
 *
 *   take:      out[j, :] = x[c0[j], .., ck-1[j], :]    x, idx (k, M), out contiguous
 *              (flat: x read as one dimension of x->numel elements)
 *   index_put: out[c0[j], .., ck-1[j], :] (+)= v[j, :]  out, idx (k, M), v contiguous
 *   scatter:   out[..idx[..i..]..] = (+=, *=) src[..i..] along dim; out, idx contiguous
 *   nonzero:   out (n, ndim) int64, the coordinates of x's nonzero elements
 *
 * Coordinates may be negative (counted from the end of their dimension, as
 * torch's take and index_put_ read them) except scatter's; every one is
 * checked before anything is written, so a bad index leaves out untouched.
 */

static gint64
dim_size (LtTensor *x, const LtIndexPutParams *p, guint d)
{
  if (p->flat)
    return x->numel;
  return x->ndim ? x->shape[d] : 1;
}

/* The row offsets (in elements of @inner) that idx's M coordinate tuples
 * name in @x, in @rows; FALSE with @error set on an index out of range. */
static gboolean
row_offsets (LtOp                    op,
             LtTensor               *x,
             LtTensor               *idx,
             const LtIndexPutParams *p,
             gint64                 *rows,
             GError                **error)
{
  const gint64 *ip = _lt_tensor_data (idx);
  gint64        m = idx->ndim == 2 ? idx->shape[1] : 0;

  for (gint64 j = 0; j < m; j++)
    rows[j] = 0;
  for (guint d = 0; d < p->k; d++)
    {
      gint64 size = dim_size (x, p, d);

      for (gint64 j = 0; j < m; j++)
        {
          gint64 i = ip[d * m + j];

          if (i < -size || i >= size)
            {
              if (p->flat)
                g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                             "%s: index %" G_GINT64_FORMAT
                             " is out of range for a tensor of %" G_GINT64_FORMAT " elements",
                             _lt_op_table[op].name, i, size);
              else
                g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                             "%s: index %" G_GINT64_FORMAT " is out of bounds for dimension %u "
                             "with size %" G_GINT64_FORMAT,
                             _lt_op_table[op].name, i, d, size);
              return FALSE;
            }
          rows[j] = rows[j] * size + (i < 0 ? i + size : i);
        }
    }
  return TRUE;
}

static gint64
inner_size (LtTensor *x, const LtIndexPutParams *p)
{
  gint64 inner = 1;

  if (p->flat)
    return 1;
  for (guint d = p->k; d < x->ndim; d++)
    inner *= x->shape[d];
  return inner;
}

#define DEFINE_COMBINE(T, sfx)                                                                     \
  static void combine_##sfx (char *dst, const char *src, gint64 n, LtIndexMode mode)               \
  {                                                                                                \
    T       *d = (T *) dst;                                                                        \
    const T *s = (const T *) src;                                                                  \
    if (mode == LT_INDEX_MODE_ADD)                                                                 \
      for (gint64 i = 0; i < n; i++)                                                               \
        d[i] = (T) (d[i] + s[i]);                                                                  \
    else if (mode == LT_INDEX_MODE_MULTIPLY)                                                       \
      for (gint64 i = 0; i < n; i++)                                                               \
        d[i] = (T) (d[i] * s[i]);                                                                  \
    else                                                                                           \
      memcpy (d, s, n * sizeof (T));                                                               \
  }
DEFINE_COMBINE (float, f32)
DEFINE_COMBINE (double, f64)
DEFINE_COMBINE (gint64, i64)
DEFINE_COMBINE (gint32, i32)
DEFINE_COMBINE (gint16, i16)
DEFINE_COMBINE (gint8, i8)
DEFINE_COMBINE (guint8, u8)

static void
combine_b8 (char *dst, const char *src, gint64 n, LtIndexMode mode)
{
  for (gint64 i = 0; i < n; i++)
    {
      if (mode == LT_INDEX_MODE_ADD)
        dst[i] = dst[i] || src[i];
      else if (mode == LT_INDEX_MODE_MULTIPLY)
        dst[i] = dst[i] && src[i];
      else
        dst[i] = src[i];
    }
}

typedef void (*Combine) (char *dst, const char *src, gint64 n, LtIndexMode mode);
static const Combine combine[LT_N_DTYPES] = {
  combine_f32, combine_f64, combine_i64, combine_i32,
  combine_i16, combine_i8,  combine_u8,  combine_b8,
};

static gboolean
take_or_put (const LtKernelArgs *args, GError **error)
{
  const LtIndexPutParams *p = &args->params->index_put;
  gboolean                take = args->op == LT_OP_TAKE;
  LtTensor               *x = take ? args->in[0] : args->out;
  LtTensor               *idx = args->in[1];
  LtTensor               *v = take ? args->out : args->in[2];
  gsize                   es = _lt_dtype_size (x->dtype);
  gint64                  inner = inner_size (x, p);
  gint64                  m = idx->ndim == 2 ? idx->shape[1] : 0;
  g_autofree gint64      *rows = g_new (gint64, MAX (m, 1));
  char                   *xb = _lt_tensor_data (x);
  char                   *vb = _lt_tensor_data (v);

  if (!row_offsets (args->op, x, idx, p, rows, error))
    return FALSE;
  for (gint64 j = 0; j < m; j++)
    {
      char *xs = xb + rows[j] * inner * es;
      char *vs = vb + j * inner * es;

      if (take)
        memcpy (vs, xs, inner * es);
      else
        combine[x->dtype](xs, vs, inner, p->mode);
    }
  return TRUE;
}

static gboolean
scatter (const LtKernelArgs *args, GError **error)
{
  const LtIndexPutParams *p = &args->params->index_put;
  LtTensor               *out = args->out, *idx = args->in[1], *src = args->in[2];
  guint                   dim = p->dim;
  const gint64           *ip = _lt_tensor_data (idx);
  gsize                   es = _lt_dtype_size (out->dtype);
  gint64                  size = out->ndim ? out->shape[dim] : 1;
  gint64                  coord[LT_MAX_DIMS] = { 0 };
  char                   *ob = _lt_tensor_data (out);
  const char             *sb = _lt_tensor_data (src);

  for (gint64 n = 0; n < idx->numel; n++)
    if (ip[n] < 0 || ip[n] >= size)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "scatter: index %" G_GINT64_FORMAT " is out of bounds for dimension %u "
                     "with size %" G_GINT64_FORMAT,
                     ip[n], dim, size);
        return FALSE;
      }
  for (gint64 n = 0; n < idx->numel; n++)
    {
      gint64 to = 0, from = 0;

      for (guint d = 0; d < idx->ndim; d++)
        {
          if (d < out->ndim)
            to += (d == dim ? ip[n] : coord[d]) * out->strides[d];
          if (d < src->ndim)
            from += coord[d] * src->strides[d];
        }
      combine[out->dtype](ob + to * es, sb + from * es, 1, p->mode);
      for (guint d = idx->ndim; d-- > 0;)
        {
          if (++coord[d] < idx->shape[d])
            break;
          coord[d] = 0;
        }
    }
  return TRUE;
}

#define DEFINE_NONZERO_TEST(T, sfx)                                                                \
  static gboolean is_nonzero_##sfx (const char *p) { return *(const T *) p != 0; }
DEFINE_NONZERO_TEST (float, f32)
DEFINE_NONZERO_TEST (double, f64)
DEFINE_NONZERO_TEST (gint64, i64)
DEFINE_NONZERO_TEST (gint32, i32)
DEFINE_NONZERO_TEST (gint16, i16)
DEFINE_NONZERO_TEST (gint8, i8)
DEFINE_NONZERO_TEST (guint8, u8)

typedef gboolean (*IsNonzero) (const char *p);
static const IsNonzero is_nonzero[LT_N_DTYPES] = {
  is_nonzero_f32, is_nonzero_f64, is_nonzero_i64, is_nonzero_i32,
  is_nonzero_i16, is_nonzero_i8,  is_nonzero_u8,  is_nonzero_u8,
};

static gboolean
nonzero (const LtKernelArgs *args, GError **error)
{
  LtTensor   *x = args->in[0], *out = args->out;
  const char *xb = _lt_tensor_data (x);
  gint64     *op = _lt_tensor_data (out);
  gsize       es = _lt_dtype_size (x->dtype);
  gint64      coord[LT_MAX_DIMS] = { 0 };
  gint64      n = out->ndim ? out->shape[0] : 0, k = 0;

  for (gint64 i = 0; i < x->numel; i++)
    {
      if (is_nonzero[x->dtype](xb + i * es))
        {
          if (k == n)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                           "nonzero: the tensor changed while it was read");
              return FALSE;
            }
          memcpy (op + k * x->ndim, coord, x->ndim * sizeof (gint64));
          k++;
        }
      for (guint d = x->ndim; d-- > 0;)
        {
          if (++coord[d] < x->shape[d])
            break;
          coord[d] = 0;
        }
    }
  return TRUE;
}

gboolean
_lt_cpu_index_put (const LtKernelArgs *args, GError **error)
{
  switch (args->op)
    {
      case LT_OP_TAKE:
      case LT_OP_INDEX_PUT:
        return take_or_put (args, error);
      case LT_OP_SCATTER:
        return scatter (args, error);
      case LT_OP_NONZERO:
        return nonzero (args, error);
      default:
        g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, "%s: no cpu kernel",
                     _lt_op_table[args->op].name);
        return FALSE;
    }
}
