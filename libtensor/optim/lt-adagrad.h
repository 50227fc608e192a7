/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

#define LT_TYPE_ADAGRAD (lt_adagrad_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtAdagrad, lt_adagrad, LT, ADAGRAD, LtOptimizer)

#define LT_TYPE_ADADELTA (lt_adadelta_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtAdadelta, lt_adadelta, LT, ADADELTA, LtOptimizer)

LT_AVAILABLE_IN_ALL
LtAdagrad  *lt_adagrad_new  (GPtrArray *params,
                             double     lr,
                             double     lr_decay,
                             double     weight_decay,
                             double     initial_accumulator_value,
                             double     eps,
                             GError   **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtAdadelta *lt_adadelta_new (GPtrArray *params,
                             double     lr,
                             double     rho,
                             double     eps,
                             double     weight_decay,
                             GError   **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
