/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-types.h"
#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_LOSS (lt_loss_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LtLoss, lt_loss, LT, LOSS, LtModule)

/**
 * LtLossClass:
 * @parent_class: the parent class
 * @compute: computes the loss of @input against @target; sets @error and
 *   returns %NULL on failure
 * @compute_pair: computes the loss of a pair of inputs against a target
 *   (the losses that compare two inputs, as CosineEmbeddingLoss); sets
 *   @error and returns %NULL on failure
 *
 * The class of loss modules (criteria). A custom loss overrides @compute
 * (or @compute_pair, for a loss of two inputs and a target): in C in its
 * class_init, in Python as `do_compute`, in JavaScript as `vfunc_compute`.
 */
struct _LtLossClass
{
  LtModuleClass parent_class;

  LtTensor *(*compute) (LtLoss   *self,
                        LtTensor *input,
                        LtTensor *target,
                        GError  **error);
  LtTensor *(*compute_pair) (LtLoss   *self,
                             LtTensor *input1,
                             LtTensor *input2,
                             LtTensor *target,
                             GError  **error);

  /*< private >*/
  gpointer padding[3];
};

LT_AVAILABLE_IN_ALL
LtTensor    *lt_loss_compute       (LtLoss      *self,
                                    LtTensor    *input,
                                    LtTensor    *target,
                                    GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor    *lt_loss_compute_pair  (LtLoss      *self,
                                    LtTensor    *input1,
                                    LtTensor    *input2,
                                    LtTensor    *target,
                                    GError     **error);
LT_AVAILABLE_IN_ALL
LtReduction  lt_loss_get_reduction (LtLoss      *self);
LT_AVAILABLE_IN_ALL
void         lt_loss_set_reduction (LtLoss      *self,
                                    LtReduction  reduction);

#define LT_TYPE_MSE_LOSS (lt_mse_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtMSELoss, lt_mse_loss, LT, MSE_LOSS, LtLoss)

#define LT_TYPE_L1_LOSS (lt_l1_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtL1Loss, lt_l1_loss, LT, L1_LOSS, LtLoss)

#define LT_TYPE_NLL_LOSS (lt_nll_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtNLLLoss, lt_nll_loss, LT, NLL_LOSS, LtLoss)

#define LT_TYPE_CROSS_ENTROPY_LOSS (lt_cross_entropy_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCrossEntropyLoss, lt_cross_entropy_loss, LT, CROSS_ENTROPY_LOSS, LtLoss)

#define LT_TYPE_BCE_WITH_LOGITS_LOSS (lt_bce_with_logits_loss_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtBCEWithLogitsLoss, lt_bce_with_logits_loss, LT, BCE_WITH_LOGITS_LOSS,
                      LtLoss)

LT_AVAILABLE_IN_ALL
LtMSELoss           *lt_mse_loss_new                        (LtReduction          reduction)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtL1Loss            *lt_l1_loss_new                         (LtReduction          reduction)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtNLLLoss           *lt_nll_loss_new                        (LtTensor            *weight,
                                                             gint64               ignore_index,
                                                             LtReduction          reduction,
                                                             GError             **error)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint64               lt_nll_loss_get_ignore_index           (LtNLLLoss           *self);
LT_AVAILABLE_IN_ALL
LtCrossEntropyLoss  *lt_cross_entropy_loss_new              (LtTensor            *weight,
                                                             gint64               ignore_index,
                                                             LtReduction          reduction,
                                                             double               label_smoothing,
                                                             GError             **error)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint64               lt_cross_entropy_loss_get_ignore_index (LtCrossEntropyLoss  *self);
LT_AVAILABLE_IN_ALL
double               lt_cross_entropy_loss_get_label_smoothing (LtCrossEntropyLoss *self);
LT_AVAILABLE_IN_ALL
LtBCEWithLogitsLoss *lt_bce_with_logits_loss_new            (LtTensor            *weight,
                                                             LtTensor            *pos_weight,
                                                             LtReduction          reduction,
                                                             GError             **error)
  G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
