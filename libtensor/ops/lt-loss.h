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
LT_AVAILABLE_IN_ALL
LtTensor *lt_binary_cross_entropy              (LtTensor    *input,
                                                LtTensor    *target,
                                                LtTensor    *weight,
                                                LtReduction  reduction,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_smooth_l1_loss                    (LtTensor    *input,
                                                LtTensor    *target,
                                                LtReduction  reduction,
                                                double       beta,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_huber_loss                        (LtTensor    *input,
                                                LtTensor    *target,
                                                LtReduction  reduction,
                                                double       delta,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_kl_div                            (LtTensor    *input,
                                                LtTensor    *target,
                                                LtReduction  reduction,
                                                gboolean     log_target,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_cosine_similarity                 (LtTensor    *x1,
                                                LtTensor    *x2,
                                                gint64       dim,
                                                double       eps,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_cosine_embedding_loss             (LtTensor    *input1,
                                                LtTensor    *input2,
                                                LtTensor    *target,
                                                double       margin,
                                                LtReduction  reduction,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_margin_ranking_loss               (LtTensor    *input1,
                                                LtTensor    *input2,
                                                LtTensor    *target,
                                                double       margin,
                                                LtReduction  reduction,
                                                GError     **error);

G_END_DECLS
