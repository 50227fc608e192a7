/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_UPSAMPLE (lt_upsample_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtUpsample, lt_upsample, LT, UPSAMPLE, LtModule)

LT_AVAILABLE_IN_ALL
LtUpsample *lt_upsample_new (const gint64 *size,
                             gsize         n_size,
                             const double *scale_factor,
                             gsize         n_scale_factor,
                             const char   *mode,
                             gboolean      align_corners,
                             GError      **error) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
void        lt_upsample_set_recompute_scale_factor (LtUpsample *self,
                                                    gboolean    recompute_scale_factor);
LT_AVAILABLE_IN_ALL
gboolean    lt_upsample_get_recompute_scale_factor (LtUpsample *self);

G_END_DECLS
