/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_MAX_POOL2D (lt_max_pool2d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtMaxPool2d, lt_max_pool2d, LT, MAX_POOL2D, LtModule)

#define LT_TYPE_AVG_POOL2D (lt_avg_pool2d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtAvgPool2d, lt_avg_pool2d, LT, AVG_POOL2D, LtModule)

#define LT_TYPE_ADAPTIVE_AVG_POOL2D (lt_adaptive_avg_pool2d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtAdaptiveAvgPool2d, lt_adaptive_avg_pool2d, LT, ADAPTIVE_AVG_POOL2D,
                      LtModule)

LT_AVAILABLE_IN_ALL
LtMaxPool2d         *lt_max_pool2d_new          (const gint64 *kernel_size,
                                                 gsize         n_kernel_size,
                                                 const gint64 *stride,
                                                 gsize         n_stride,
                                                 const gint64 *padding,
                                                 gsize         n_padding,
                                                 const gint64 *dilation,
                                                 gsize         n_dilation,
                                                 gboolean      ceil_mode,
                                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtAvgPool2d         *lt_avg_pool2d_new          (const gint64 *kernel_size,
                                                 gsize         n_kernel_size,
                                                 const gint64 *stride,
                                                 gsize         n_stride,
                                                 const gint64 *padding,
                                                 gsize         n_padding,
                                                 gboolean      ceil_mode,
                                                 gboolean      count_include_pad,
                                                 gint64        divisor_override,
                                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtAdaptiveAvgPool2d *lt_adaptive_avg_pool2d_new (const gint64 *output_size,
                                                 gsize         n_output_size,
                                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
