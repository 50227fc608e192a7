/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_linear     (LtTensor  *input,
                         LtTensor  *weight,
                         LtTensor  *bias,
                         GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_dropout    (LtTensor  *input,
                         double     p,
                         gboolean   training,
                         GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_dropout2d  (LtTensor  *input,
                         double     p,
                         gboolean   training,
                         GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_batch_norm (LtTensor  *input,
                         LtTensor  *running_mean,
                         LtTensor  *running_var,
                         LtTensor  *weight,
                         LtTensor  *bias,
                         gboolean   training,
                         double     momentum,
                         double     eps,
                         GError   **error);

G_END_DECLS
