/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_CONV_TRANSPOSE2D (lt_conv_transpose2d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtConvTranspose2d, lt_conv_transpose2d, LT, CONV_TRANSPOSE2D, LtModule)

LT_AVAILABLE_IN_ALL
LtConvTranspose2d *lt_conv_transpose2d_new (gint64        in_channels,
                                            gint64        out_channels,
                                            const gint64 *kernel_size,
                                            const gint64 *stride,
                                            const gint64 *padding,
                                            const gint64 *output_padding,
                                            gint64        groups,
                                            gboolean      bias,
                                            const gint64 *dilation,
                                            GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
