/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_BATCH_NORM1D (lt_batch_norm1d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtBatchNorm1d, lt_batch_norm1d, LT, BATCH_NORM1D, LtModule)

#define LT_TYPE_BATCH_NORM2D (lt_batch_norm2d_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtBatchNorm2d, lt_batch_norm2d, LT, BATCH_NORM2D, LtModule)

LT_AVAILABLE_IN_ALL
LtBatchNorm1d *lt_batch_norm1d_new (gint64     num_features,
                                    double     eps,
                                    double     momentum,
                                    gboolean   affine,
                                    gboolean   track_running_stats,
                                    GError   **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtBatchNorm2d *lt_batch_norm2d_new (gint64     num_features,
                                    double     eps,
                                    double     momentum,
                                    gboolean   affine,
                                    gboolean   track_running_stats,
                                    GError   **error) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
gint64         lt_batch_norm1d_get_num_features        (LtBatchNorm1d *self);
LT_AVAILABLE_IN_ALL
double         lt_batch_norm1d_get_eps                 (LtBatchNorm1d *self);
LT_AVAILABLE_IN_ALL
double         lt_batch_norm1d_get_momentum            (LtBatchNorm1d *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_batch_norm1d_get_affine              (LtBatchNorm1d *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_batch_norm1d_get_track_running_stats (LtBatchNorm1d *self);
LT_AVAILABLE_IN_ALL
gint64         lt_batch_norm2d_get_num_features        (LtBatchNorm2d *self);
LT_AVAILABLE_IN_ALL
double         lt_batch_norm2d_get_eps                 (LtBatchNorm2d *self);
LT_AVAILABLE_IN_ALL
double         lt_batch_norm2d_get_momentum            (LtBatchNorm2d *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_batch_norm2d_get_affine              (LtBatchNorm2d *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_batch_norm2d_get_track_running_stats (LtBatchNorm2d *self);

G_END_DECLS
