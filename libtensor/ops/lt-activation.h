/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_leaky_relu (LtTensor *input,
                         double    negative_slope,
                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_gelu       (LtTensor   *input,
                         const char *approximate,
                         GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_silu       (LtTensor   *input,
                         GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_elu        (LtTensor   *input,
                         double      alpha,
                         double      scale,
                         double      input_scale,
                         GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_celu       (LtTensor   *input,
                         double      alpha,
                         GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_softplus   (LtTensor   *input,
                         double      beta,
                         double      threshold,
                         GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_hardtanh   (LtTensor   *input,
                         double      min_val,
                         double      max_val,
                         GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_prelu      (LtTensor   *input,
                         LtTensor   *weight,
                         GError    **error);

G_END_DECLS
