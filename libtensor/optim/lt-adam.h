/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

#define LT_TYPE_ADAM (lt_adam_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtAdam, lt_adam, LT, ADAM, LtOptimizer)

#define LT_TYPE_ADAMW (lt_adamw_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtAdamW, lt_adamw, LT, ADAMW, LtOptimizer)

LT_AVAILABLE_IN_ALL
LtAdam  *lt_adam_new  (GPtrArray *params,
                       double     lr,
                       double     beta1,
                       double     beta2,
                       double     eps,
                       double     weight_decay,
                       gboolean   amsgrad,
                       GError   **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtAdamW *lt_adamw_new (GPtrArray *params,
                       double     lr,
                       double     beta1,
                       double     beta2,
                       double     eps,
                       double     weight_decay,
                       gboolean   amsgrad,
                       GError   **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
