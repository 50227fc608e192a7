/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_CONV2D (lt_conv2d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtConv2d, lt_conv2d, LT, CONV2D, LtModule)

LT_AVAILABLE_IN_ALL
LtConv2d     *lt_conv2d_new              (gint64        in_channels,
                                          gint64        out_channels,
                                          const gint64 *kernel_size,
                                          const gint64 *stride,
                                          const gint64 *padding,
                                          const gint64 *dilation,
                                          gint64        groups,
                                          gboolean      bias,
                                          GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint64        lt_conv2d_get_in_channels  (LtConv2d     *self);
LT_AVAILABLE_IN_ALL
gint64        lt_conv2d_get_out_channels (LtConv2d     *self);
LT_AVAILABLE_IN_ALL
const gint64 *lt_conv2d_get_kernel_size  (LtConv2d     *self);
LT_AVAILABLE_IN_ALL
const gint64 *lt_conv2d_get_stride       (LtConv2d     *self);
LT_AVAILABLE_IN_ALL
const gint64 *lt_conv2d_get_padding      (LtConv2d     *self);
LT_AVAILABLE_IN_ALL
const gint64 *lt_conv2d_get_dilation     (LtConv2d     *self);
LT_AVAILABLE_IN_ALL
gint64        lt_conv2d_get_groups       (LtConv2d     *self);

G_END_DECLS
