/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

#define LT_TYPE_SGD (lt_sgd_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSGD, lt_sgd, LT, SGD, LtOptimizer)

LT_AVAILABLE_IN_ALL
LtSGD *lt_sgd_new (GPtrArray *params,
                   double     lr,
                   double     momentum,
                   double     dampening,
                   double     weight_decay,
                   gboolean   nesterov,
                   GError   **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
