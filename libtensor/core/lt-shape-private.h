/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-types.h"
#include "lt-error.h"

G_BEGIN_DECLS

typedef struct _LtTensor LtTensor;

gboolean _lt_shape_numel           (const gint64 *shape,
                                    guint         ndim,
                                    gint64       *numel,
                                    const char   *op,
                                    GError      **error);
/* Checks that a tensor of @shape and @dtype can be made: sizes that are
 * not negative, whose product (and the strides) fit in 64 bits and whose
 * bytes fit in memory; the error names @op and the shape. */
gboolean _lt_shape_check_alloc     (const gint64 *shape,
                                    guint         ndim,
                                    LtDType       dtype,
                                    const char   *op,
                                    GError      **error);
void     _lt_shape_contiguous_strides (const gint64 *shape,
                                       guint         ndim,
                                       gint64       *strides);
gboolean _lt_shape_broadcast       (const gint64 *a,
                                    guint         na,
                                    const gint64 *b,
                                    guint         nb,
                                    gint64       *out,
                                    guint        *nout);
char    *_lt_shape_to_string       (const gint64 *shape,
                                    guint         ndim);
gboolean _lt_shape_equal           (const gint64 *a,
                                    guint         na,
                                    const gint64 *b,
                                    guint         nb);
gboolean _lt_normalize_dim         (gint          dim,
                                    guint         ndim,
                                    guint        *out,
                                    const char   *op,
                                    GError      **error);
gboolean _lt_check_shape_arg       (const gint64 *shape,
                                    gsize         n_dims,
                                    const char   *op,
                                    GError      **error);
/* Strides of @t seen with @ndim dimensions of @shape, 0 along broadcast
 * dimensions; @t's shape must broadcast to @shape. */
void     _lt_broadcast_strides     (LtTensor     *t,
                                    const gint64 *shape,
                                    guint         ndim,
                                    gint64       *strides);

/* Shape text for messages: "[5, 3]" */
#define LT_SHAPE_STR(t) _lt_shape_to_string ((t)->shape, (t)->ndim)

G_END_DECLS
