/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_LINEAR (lt_linear_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLinear, lt_linear, LT, LINEAR, LtModule)

LT_AVAILABLE_IN_ALL
LtLinear *lt_linear_new              (gint64     in_features,
                                      gint64     out_features,
                                      gboolean   bias,
                                      GError   **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint64    lt_linear_get_in_features  (LtLinear  *self);
LT_AVAILABLE_IN_ALL
gint64    lt_linear_get_out_features (LtLinear  *self);

G_END_DECLS
