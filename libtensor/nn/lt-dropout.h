/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_DROPOUT (lt_dropout_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtDropout, lt_dropout, LT, DROPOUT, LtModule)

LT_AVAILABLE_IN_ALL
LtDropout *lt_dropout_new         (double      p,
                                   gboolean    inplace,
                                   GError    **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
double     lt_dropout_get_p       (LtDropout  *self);
LT_AVAILABLE_IN_ALL
gboolean   lt_dropout_get_inplace (LtDropout  *self);

#define LT_TYPE_DROPOUT2D (lt_dropout2d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtDropout2d, lt_dropout2d, LT, DROPOUT2D, LtModule)

LT_AVAILABLE_IN_ALL
LtDropout2d *lt_dropout2d_new (double    p,
                               gboolean  inplace,
                               GError  **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
