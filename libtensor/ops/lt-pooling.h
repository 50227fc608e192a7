/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_max_pool2d          (LtTensor     *input,
                                  const gint64 *kernel_size,
                                  const gint64 *stride,
                                  const gint64 *padding,
                                  const gint64 *dilation,
                                  gboolean      ceil_mode,
                                  LtTensor    **indices,
                                  GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_avg_pool2d          (LtTensor     *input,
                                  const gint64 *kernel_size,
                                  const gint64 *stride,
                                  const gint64 *padding,
                                  gboolean      ceil_mode,
                                  gboolean      count_include_pad,
                                  gint64        divisor_override,
                                  GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_adaptive_avg_pool2d (LtTensor     *input,
                                  const gint64 *output_size,
                                  GError      **error);

G_END_DECLS
