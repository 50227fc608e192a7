/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

#define LT_TYPE_ADAMAX (lt_adamax_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtAdamax, lt_adamax, LT, ADAMAX, LtOptimizer)

#define LT_TYPE_NADAM (lt_nadam_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtNAdam, lt_nadam, LT, NADAM, LtOptimizer)

#define LT_TYPE_RADAM (lt_radam_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtRAdam, lt_radam, LT, RADAM, LtOptimizer)

LT_AVAILABLE_IN_ALL
LtAdamax *lt_adamax_new (GPtrArray *params,
                         double     lr,
                         double     beta1,
                         double     beta2,
                         double     eps,
                         double     weight_decay,
                         GError   **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtNAdam  *lt_nadam_new  (GPtrArray *params,
                         double     lr,
                         double     beta1,
                         double     beta2,
                         double     eps,
                         double     weight_decay,
                         double     momentum_decay,
                         GError   **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtRAdam  *lt_radam_new  (GPtrArray *params,
                         double     lr,
                         double     beta1,
                         double     beta2,
                         double     eps,
                         double     weight_decay,
                         GError   **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
