/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_mse_loss                          (LtTensor    *input,
                                                LtTensor    *target,
                                                LtReduction  reduction,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_l1_loss                           (LtTensor    *input,
                                                LtTensor    *target,
                                                LtReduction  reduction,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_nll_loss                          (LtTensor    *input,
                                                LtTensor    *target,
                                                LtTensor    *weight,
                                                gint64       ignore_index,
                                                LtReduction  reduction,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_cross_entropy                     (LtTensor    *input,
                                                LtTensor    *target,
                                                LtTensor    *weight,
                                                gint64       ignore_index,
                                                LtReduction  reduction,
                                                double       label_smoothing,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_binary_cross_entropy_with_logits  (LtTensor    *input,
                                                LtTensor    *target,
                                                LtTensor    *weight,
                                                LtTensor    *pos_weight,
                                                LtReduction  reduction,
                                                GError     **error);

G_END_DECLS
