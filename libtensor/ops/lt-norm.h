/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_layer_norm (LtTensor     *input,
                         const gint64 *normalized_shape,
                         gsize         n_dims,
                         LtTensor     *weight,
                         LtTensor     *bias,
                         double        eps,
                         GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_group_norm (LtTensor     *input,
                         gint64        num_groups,
                         LtTensor     *weight,
                         LtTensor     *bias,
                         double        eps,
                         GError      **error);

G_END_DECLS
