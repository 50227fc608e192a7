/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <math.h>

#include "lt-types.h"

G_BEGIN_DECLS

/* X-macro over every dtype: X (ENUM, suffix, C type) */
#define LT_FOREACH_DTYPE(X) \
  X (LT_DTYPE_FLOAT32, f32, float) \
  X (LT_DTYPE_FLOAT64, f64, double) \
  X (LT_DTYPE_INT64, i64, gint64) \
  X (LT_DTYPE_INT32, i32, gint32) \
  X (LT_DTYPE_INT16, i16, gint16) \
  X (LT_DTYPE_INT8, i8, gint8) \
  X (LT_DTYPE_UINT8, u8, guint8) \
  X (LT_DTYPE_BOOL, b8, guint8)

extern const guint8 _lt_dtype_sizes[LT_N_DTYPES];

static inline gsize
_lt_dtype_size (LtDType dtype)
{
  return _lt_dtype_sizes[dtype];
}

static inline gboolean
_lt_dtype_is_float (LtDType dtype)
{
  return dtype == LT_DTYPE_FLOAT32 || dtype == LT_DTYPE_FLOAT64;
}

/* Conversions with defined behaviour for every input: NaN becomes 0 and
 * values out of range saturate (C leaves both undefined). */
static inline gint64
_lt_double_to_i64 (double v)
{
  if (isnan (v))
    return 0;
  if (v >= 9223372036854775807.0)
    return G_MAXINT64;
  if (v <= -9223372036854775808.0)
    return G_MININT64;
  return (gint64) v;
}

static inline gint64
_lt_clamp_i64 (double v, double lo, double hi)
{
  if (isnan (v))
    return 0;
  if (v >= hi)
    return (gint64) hi;
  if (v <= lo)
    return (gint64) lo;
  return (gint64) v;
}

static inline double
_lt_load_double (const void *p, LtDType dtype)
{
  switch (dtype)
    {
    case LT_DTYPE_FLOAT32: return *(const float *) p;
    case LT_DTYPE_FLOAT64: return *(const double *) p;
    case LT_DTYPE_INT64: return (double) *(const gint64 *) p;
    case LT_DTYPE_INT32: return *(const gint32 *) p;
    case LT_DTYPE_INT16: return *(const gint16 *) p;
    case LT_DTYPE_INT8: return *(const gint8 *) p;
    case LT_DTYPE_UINT8: return *(const guint8 *) p;
    case LT_DTYPE_BOOL: return *(const guint8 *) p != 0;
    default: return 0;
    }
}

static inline gint64
_lt_load_int64 (const void *p, LtDType dtype)
{
  switch (dtype)
    {
    case LT_DTYPE_FLOAT32: return _lt_double_to_i64 (*(const float *) p);
    case LT_DTYPE_FLOAT64: return _lt_double_to_i64 (*(const double *) p);
    case LT_DTYPE_INT64: return *(const gint64 *) p;
    case LT_DTYPE_INT32: return *(const gint32 *) p;
    case LT_DTYPE_INT16: return *(const gint16 *) p;
    case LT_DTYPE_INT8: return *(const gint8 *) p;
    case LT_DTYPE_UINT8: return *(const guint8 *) p;
    case LT_DTYPE_BOOL: return *(const guint8 *) p != 0;
    default: return 0;
    }
}

static inline void
_lt_store_double (void *p, LtDType dtype, double v)
{
  switch (dtype)
    {
    case LT_DTYPE_FLOAT32: *(float *) p = (float) v; break;
    case LT_DTYPE_FLOAT64: *(double *) p = v; break;
    case LT_DTYPE_INT64: *(gint64 *) p = _lt_double_to_i64 (v); break;
    case LT_DTYPE_INT32: *(gint32 *) p = (gint32) _lt_clamp_i64 (v, G_MININT32, G_MAXINT32); break;
    case LT_DTYPE_INT16: *(gint16 *) p = (gint16) _lt_clamp_i64 (v, G_MININT16, G_MAXINT16); break;
    case LT_DTYPE_INT8: *(gint8 *) p = (gint8) _lt_clamp_i64 (v, G_MININT8, G_MAXINT8); break;
    case LT_DTYPE_UINT8: *(guint8 *) p = (guint8) _lt_clamp_i64 (v, 0, G_MAXUINT8); break;
    case LT_DTYPE_BOOL: *(guint8 *) p = v != 0; break;
    default: break;
    }
}

static inline void
_lt_store_int64 (void *p, LtDType dtype, gint64 v)
{
  switch (dtype)
    {
    case LT_DTYPE_FLOAT32: *(float *) p = (float) v; break;
    case LT_DTYPE_FLOAT64: *(double *) p = (double) v; break;
    case LT_DTYPE_INT64: *(gint64 *) p = v; break;
    case LT_DTYPE_INT32: *(gint32 *) p = (gint32) v; break;
    case LT_DTYPE_INT16: *(gint16 *) p = (gint16) v; break;
    case LT_DTYPE_INT8: *(gint8 *) p = (gint8) v; break;
    case LT_DTYPE_UINT8: *(guint8 *) p = (guint8) v; break;
    case LT_DTYPE_BOOL: *(guint8 *) p = v != 0; break;
    default: break;
    }
}

/* The old-style type name used when printing: "FloatTensor", ... */
const char *_lt_dtype_tensor_name (LtDType dtype);

G_END_DECLS
