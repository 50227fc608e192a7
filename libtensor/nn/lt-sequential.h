/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_SEQUENTIAL (lt_sequential_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSequential, lt_sequential, LT, SEQUENTIAL, LtModule)

LT_AVAILABLE_IN_ALL
LtSequential *lt_sequential_new    (LtModule    **modules,
                                    gsize         n) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean      lt_sequential_append (LtSequential *self,
                                    LtModule     *module,
                                    GError      **error);

G_END_DECLS
