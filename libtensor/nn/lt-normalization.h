/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_LAYER_NORM (lt_layer_norm_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLayerNorm, lt_layer_norm, LT, LAYER_NORM, LtModule)

LT_AVAILABLE_IN_ALL
LtLayerNorm *lt_layer_norm_new          (const gint64 *normalized_shape,
                                         gsize         n_dims,
                                         double        eps,
                                         gboolean      elementwise_affine,
                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
const gint64 *lt_layer_norm_get_normalized_shape (LtLayerNorm *self,
                                                  gsize       *n_dims);
LT_AVAILABLE_IN_ALL
double       lt_layer_norm_get_eps      (LtLayerNorm  *self);
LT_AVAILABLE_IN_ALL
gboolean     lt_layer_norm_get_elementwise_affine (LtLayerNorm *self);

#define LT_TYPE_GROUP_NORM (lt_group_norm_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGroupNorm, lt_group_norm, LT, GROUP_NORM, LtModule)

LT_AVAILABLE_IN_ALL
LtGroupNorm *lt_group_norm_new          (gint64        num_groups,
                                         gint64        num_channels,
                                         double        eps,
                                         gboolean      affine,
                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint64       lt_group_norm_get_num_groups   (LtGroupNorm *self);
LT_AVAILABLE_IN_ALL
gint64       lt_group_norm_get_num_channels (LtGroupNorm *self);
LT_AVAILABLE_IN_ALL
double       lt_group_norm_get_eps          (LtGroupNorm *self);
LT_AVAILABLE_IN_ALL
gboolean     lt_group_norm_get_affine       (LtGroupNorm *self);

G_END_DECLS
