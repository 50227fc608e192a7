/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_FLATTEN (lt_flatten_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtFlatten, lt_flatten, LT, FLATTEN, LtModule)

LT_AVAILABLE_IN_ALL
LtFlatten *lt_flatten_new           (gint       start_dim,
                                     gint       end_dim) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint       lt_flatten_get_start_dim (LtFlatten *self);
LT_AVAILABLE_IN_ALL
gint       lt_flatten_get_end_dim   (LtFlatten *self);

G_END_DECLS
