/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cpu-private.h"

/*
 * Indexing kernels. Index tensors are int64; every index is checked before
 * anything is written, so a bad index leaves the output untouched.
 *
 *   index_select: out = x.index_select(dim, idx)     x, out contiguous
 *   index_add:    out.index_add_(dim, idx, src)      out, src contiguous
 *   gather:       out[..i..] = x[..idx[..i..]..]     along dim; idx, out contiguous
 *   scatter_add:  out[..idx[..i..]..] += src[..i..]  along dim; idx contiguous
 *   masked_select: out = x[mask]                     x, mask contiguous, same shape
 *   masked_scatter: out[mask] = src[0..]             out, mask contiguous
 *   one_hot:      out (..., C) int64 from x int64    contiguous
 *
 * Indices must lie in [0, size): negative indices are errors, as PyTorch's
 * index_select, gather and scatter make them.
 */

static gboolean
check_indices (const gint64 *idx,
               gint64        n,
               gint64        size,
               const char   *op,
               GError      **error)
{
  for (gint64 i = 0; i < n; i++)
    if (idx[i] < 0 || idx[i] >= size)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "%s: index %" G_GINT64_FORMAT " is out of bounds for a dimension of size %"
                     G_GINT64_FORMAT, op, idx[i], size);
        return FALSE;
      }
  return TRUE;
}

static void
split_dims (LtTensor *t, guint dim, gint64 *outer, gint64 *inner)
{
  *outer = 1;
  *inner = 1;
  for (guint d = 0; d < dim; d++)
    *outer *= t->shape[d];
  for (guint d = dim + 1; d < t->ndim; d++)
    *inner *= t->shape[d];
}

#define DEFINE_ADD_INTO(T, sfx)                                                  \
  static void add_into_##sfx (char *dst, const char *src, gint64 n)             \
  {                                                                              \
    T *d = (T *) dst;                                                            \
    const T *s = (const T *) src;                                                \
    for (gint64 i = 0; i < n; i++)                                               \
      d[i] = (T) (d[i] + s[i]);                                                  \
  }
DEFINE_ADD_INTO (float, f32)
DEFINE_ADD_INTO (double, f64)
DEFINE_ADD_INTO (gint64, i64)
DEFINE_ADD_INTO (gint32, i32)
DEFINE_ADD_INTO (gint16, i16)
DEFINE_ADD_INTO (gint8, i8)
DEFINE_ADD_INTO (guint8, u8)

static void
add_b8 (char *dst, const char *src, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    dst[i] = dst[i] | src[i];
}

typedef void (*AddInto) (char *dst, const char *src, gint64 n);
static const AddInto add_into[LT_N_DTYPES] = {
  add_into_f32, add_into_f64, add_into_i64, add_into_i32,
  add_into_i16, add_into_i8, add_into_u8, add_b8,
};

static gint64
offset_replacing (LtTensor *t, const gint64 *coord, guint dim, gint64 value)
{
  gint64 off = 0;

  for (guint d = 0; d < t->ndim; d++)
    off += (d == dim ? value : coord[d]) * t->strides[d];
  return off;
}

static gboolean
gather_scatter (const LtKernelArgs *args,
                GError            **error)
{
  gboolean gather = args->op == LT_OP_GATHER;
  LtTensor *out = args->out;
  LtTensor *idx = gather ? args->in[1] : args->in[1];
  LtTensor *src = gather ? args->in[0] : args->in[2];
  LtTensor *target = gather ? src : out;     /* the tensor indexed along dim */
  guint dim = args->params->dim.dim;
  const gint64 *ip = _lt_tensor_data (idx);
  gsize es = _lt_dtype_size (out->dtype);
  gint64 size = target->ndim ? target->shape[dim] : 1;
  gint64 coord[LT_MAX_DIMS] = { 0 };

  if (!check_indices (ip, idx->numel, size, _lt_op_table[args->op].name, error))
    return FALSE;

  for (gint64 n = 0; n < idx->numel; n++)
    {
      gint64 i = ip[n];

      if (gather)
        {
          const char *from = (const char *) _lt_tensor_data (src) + offset_replacing (src, coord, dim, i) * es;
          memcpy ((char *) _lt_tensor_data (out) + n * es, from, es);
        }
      else
        {
          char *to = (char *) _lt_tensor_data (out) + offset_replacing (out, coord, dim, i) * es;
          const char *from = (const char *) _lt_tensor_data (src) + offset_replacing (src, coord, G_MAXUINT, 0) * es;
          add_into[out->dtype] (to, from, 1);
        }
      for (guint d = idx->ndim; d-- > 0;)
        {
          if (++coord[d] < idx->shape[d])
            break;
          coord[d] = 0;
        }
    }
  return TRUE;
}

gboolean
_lt_cpu_index (const LtKernelArgs *args,
               GError            **error)
{
  LtTensor *out = args->out;
  gsize es = _lt_dtype_size (out->dtype);

  switch (args->op)
    {
    case LT_OP_INDEX_SELECT:
    case LT_OP_INDEX_ADD:
      {
        gboolean select = args->op == LT_OP_INDEX_SELECT;
        LtTensor *x = select ? args->in[0] : out;       /* indexed along dim */
        LtTensor *idx = args->in[1];
        LtTensor *y = select ? out : args->in[2];       /* walked in order */
        guint dim = args->params->dim.dim;
        gint64 outer, inner, size = x->ndim ? x->shape[dim] : 1;
        gint64 n = idx->numel;
        const gint64 *ip = _lt_tensor_data (idx);
        char *xb = _lt_tensor_data (x), *yb = _lt_tensor_data (y);

        if (!check_indices (ip, n, size, _lt_op_table[args->op].name, error))
          return FALSE;
        split_dims (x, dim, &outer, &inner);
        for (gint64 o = 0; o < outer; o++)
          for (gint64 j = 0; j < n; j++)
            {
              char *xs = xb + ((o * size + ip[j]) * inner) * es;
              char *ys = yb + ((o * n + j) * inner) * es;

              if (select)
                memcpy (ys, xs, inner * es);
              else
                add_into[out->dtype] (xs, ys, inner);
            }
        return TRUE;
      }

    case LT_OP_GATHER:
    case LT_OP_SCATTER_ADD:
      return gather_scatter (args, error);

    case LT_OP_MASKED_SELECT:
      {
        LtTensor *x = args->in[0], *mask = args->in[1];
        const guint8 *m = _lt_tensor_data (mask);
        const char *xb = _lt_tensor_data (x);
        char *ob = _lt_tensor_data (out);
        gint64 k = 0;

        for (gint64 i = 0; i < x->numel; i++)
          if (m[i] && k < out->numel)
            memcpy (ob + (k++) * es, xb + i * es, es);
        return TRUE;
      }

    case LT_OP_MASKED_SCATTER:
      {
        LtTensor *mask = args->in[0], *src = args->in[1];
        const guint8 *m = _lt_tensor_data (mask);
        const char *sb = _lt_tensor_data (src);
        char *ob = _lt_tensor_data (out);
        gint64 k = 0, needed = 0;

        for (gint64 i = 0; i < mask->numel; i++)
          needed += m[i] != 0;
        if (needed > src->numel)
          {
            g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                         "masked_scatter: the mask selects %" G_GINT64_FORMAT " elements but "
                         "the source has only %" G_GINT64_FORMAT, needed, src->numel);
            return FALSE;
          }
        for (gint64 i = 0; i < mask->numel; i++)
          if (m[i])
            memcpy (ob + i * es, sb + (k++) * es, es);
        return TRUE;
      }

    case LT_OP_ONE_HOT:
      {
        LtTensor *x = args->in[0];
        gint64 C = args->params->one_hot.num_classes;
        const gint64 *xp = _lt_tensor_data (x);
        gint64 *op = _lt_tensor_data (out);

        for (gint64 i = 0; i < x->numel; i++)
          if (xp[i] < 0 || xp[i] >= C)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                           "one_hot: class %" G_GINT64_FORMAT " is outside [0, %" G_GINT64_FORMAT ")",
                           xp[i], C);
              return FALSE;
            }
        memset (op, 0, out->numel * sizeof (gint64));
        for (gint64 i = 0; i < x->numel; i++)
          op[i * C + xp[i]] = 1;
        return TRUE;
      }

    case LT_OP_TAKE:
    case LT_OP_INDEX_PUT:
    case LT_OP_SCATTER:
    case LT_OP_NONZERO:
      return _lt_cpu_index_put (args, error);

    default:
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, "%s: no cpu kernel",
                   _lt_op_table[args->op].name);
      return FALSE;
    }
}
