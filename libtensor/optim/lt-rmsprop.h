/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

#define LT_TYPE_RMSPROP (lt_rmsprop_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtRMSprop, lt_rmsprop, LT, RMSPROP, LtOptimizer)

LT_AVAILABLE_IN_ALL
LtRMSprop *lt_rmsprop_new (GPtrArray *params,
                           double     lr,
                           double     alpha,
                           double     eps,
                           double     weight_decay,
                           double     momentum,
                           gboolean   centered,
                           GError   **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
