/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_interpolate_nearest2d  (LtTensor *input,
                                     gint64    out_h,
                                     gint64    out_w,
                                     double    scale_h,
                                     double    scale_w,
                                     GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_interpolate_bilinear2d (LtTensor *input,
                                     gint64    out_h,
                                     gint64    out_w,
                                     gboolean  align_corners,
                                     double    scale_h,
                                     double    scale_w,
                                     GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_interpolate            (LtTensor     *input,
                                     const char   *mode,
                                     const gint64 *size,
                                     gsize         n_size,
                                     const double *scale_factors,
                                     gsize         n_scale_factors,
                                     gboolean      align_corners,
                                     GError      **error);

LT_AVAILABLE_IN_ALL
LtTensor *lt_interpolate_full       (LtTensor     *input,
                                     const char   *mode,
                                     const gint64 *size,
                                     gsize         n_size,
                                     const double *scale_factors,
                                     gsize         n_scale_factors,
                                     gboolean      align_corners,
                                     gboolean      antialias,
                                     GError      **error);

G_END_DECLS
