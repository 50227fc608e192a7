/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_conv2d (LtTensor     *input,
                     LtTensor     *weight,
                     LtTensor     *bias,
                     const gint64 *stride,
                     const gint64 *padding,
                     const gint64 *dilation,
                     gint64        groups,
                     GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_conv_transpose2d (LtTensor     *input,
                               LtTensor     *weight,
                               LtTensor     *bias,
                               const gint64 *stride,
                               const gint64 *padding,
                               const gint64 *output_padding,
                               const gint64 *dilation,
                               gint64        groups,
                               GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_conv1d (LtTensor *input,
                     LtTensor *weight,
                     LtTensor *bias,
                     gint64    stride,
                     gint64    padding,
                     gint64    dilation,
                     gint64    groups,
                     GError  **error);

G_END_DECLS
