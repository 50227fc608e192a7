/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-types.h"
#include "nn/lt-loss.h"

G_BEGIN_DECLS

#define LT_TYPE_BCE_LOSS (lt_bce_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtBCELoss, lt_bce_loss, LT, BCE_LOSS, LtLoss)

#define LT_TYPE_SMOOTH_L1_LOSS (lt_smooth_l1_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSmoothL1Loss, lt_smooth_l1_loss, LT, SMOOTH_L1_LOSS, LtLoss)

#define LT_TYPE_HUBER_LOSS (lt_huber_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtHuberLoss, lt_huber_loss, LT, HUBER_LOSS, LtLoss)

#define LT_TYPE_KL_DIV_LOSS (lt_kl_div_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtKLDivLoss, lt_kl_div_loss, LT, KL_DIV_LOSS, LtLoss)

#define LT_TYPE_COSINE_EMBEDDING_LOSS (lt_cosine_embedding_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCosineEmbeddingLoss, lt_cosine_embedding_loss, LT,
                      COSINE_EMBEDDING_LOSS, LtLoss)

#define LT_TYPE_MARGIN_RANKING_LOSS (lt_margin_ranking_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtMarginRankingLoss, lt_margin_ranking_loss, LT, MARGIN_RANKING_LOSS,
                      LtLoss)

LT_AVAILABLE_IN_ALL
LtBCELoss             *lt_bce_loss_new                       (LtTensor              *weight,
                                                              LtReduction            reduction,
                                                              GError               **error)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtSmoothL1Loss        *lt_smooth_l1_loss_new                 (LtReduction            reduction,
                                                              double                 beta)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
double                 lt_smooth_l1_loss_get_beta            (LtSmoothL1Loss        *self);
LT_AVAILABLE_IN_ALL
LtHuberLoss           *lt_huber_loss_new                     (LtReduction            reduction,
                                                              double                 delta)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
double                 lt_huber_loss_get_delta               (LtHuberLoss           *self);
LT_AVAILABLE_IN_ALL
LtKLDivLoss           *lt_kl_div_loss_new                    (LtReduction            reduction,
                                                              gboolean               batch_mean,
                                                              gboolean               log_target)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean               lt_kl_div_loss_get_batch_mean         (LtKLDivLoss           *self);
LT_AVAILABLE_IN_ALL
gboolean               lt_kl_div_loss_get_log_target         (LtKLDivLoss           *self);
LT_AVAILABLE_IN_ALL
LtCosineEmbeddingLoss *lt_cosine_embedding_loss_new          (double                 margin,
                                                              LtReduction            reduction)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
double                 lt_cosine_embedding_loss_get_margin   (LtCosineEmbeddingLoss *self);
LT_AVAILABLE_IN_ALL
LtMarginRankingLoss   *lt_margin_ranking_loss_new            (double                 margin,
                                                              LtReduction            reduction)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
double                 lt_margin_ranking_loss_get_margin     (LtMarginRankingLoss   *self);

G_END_DECLS
