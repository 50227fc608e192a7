/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>

G_BEGIN_DECLS

/* The optimizers lt-train and lt-viewer offer, in the order of their
 * names ("sgd", "adam", "adamw", "rmsprop") */
typedef enum {
  LT_TRAIN_OPTIMIZER_SGD,
  LT_TRAIN_OPTIMIZER_ADAM,
  LT_TRAIN_OPTIMIZER_ADAMW,
  LT_TRAIN_OPTIMIZER_RMSPROP,
} LtTrainOptimizerKind;

#define LT_TRAIN_N_OPTIMIZERS 4

const char  *lt_train_optimizer_kind_to_string   (LtTrainOptimizerKind  kind);
gboolean     lt_train_optimizer_kind_from_string (const char           *name,
                                                  LtTrainOptimizerKind *kind);
gboolean     lt_train_optimizer_has_momentum     (LtTrainOptimizerKind  kind);
LtOptimizer *lt_train_optimizer_new              (LtTrainOptimizerKind  kind,
                                                  LtModule             *net,
                                                  double                lr,
                                                  double                momentum,
                                                  double                weight_decay,
                                                  GError              **error);

G_END_DECLS
