/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_CONV1D (lt_conv1d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtConv1d, lt_conv1d, LT, CONV1D, LtModule)

LT_AVAILABLE_IN_ALL
LtConv1d *lt_conv1d_new (gint64    in_channels,
                         gint64    out_channels,
                         gint64    kernel_size,
                         gint64    stride,
                         gint64    padding,
                         gint64    dilation,
                         gint64    groups,
                         gboolean  bias,
                         GError  **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
