/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <cairo.h>
#include <glib-object.h>

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/**
 * LT_IMAGE_MAX_PIXELS_DEFAULT:
 *
 * The default of lt_image_set_max_pixels(): 178,956,970 pixels (about
 * 13,377 x 13,377), the size from which PIL refuses an image
 * (`DecompressionBombError`, twice its `MAX_IMAGE_PIXELS`).
 */
#define LT_IMAGE_MAX_PIXELS_DEFAULT G_GUINT64_CONSTANT (178956970)

LT_AVAILABLE_IN_ALL
LtTensor        *lt_make_grid                     (LtTensor        *tensor,
                                                   gint             nrow,
                                                   gint             padding,
                                                   gboolean         normalize,
                                                   const double    *value_range,
                                                   gboolean         scale_each,
                                                   double           pad_value,
                                                   GError         **error);
LT_AVAILABLE_IN_ALL
gboolean         lt_save_image                    (LtTensor        *tensor,
                                                   const char      *path,
                                                   gint             nrow,
                                                   gint             padding,
                                                   gboolean         normalize,
                                                   const double    *value_range,
                                                   gboolean         scale_each,
                                                   double           pad_value,
                                                   GError         **error);
LT_AVAILABLE_IN_ALL
LtTensor        *lt_load_image                    (const char      *path,
                                                   GError         **error);
LT_AVAILABLE_IN_ALL
void             lt_image_set_max_pixels          (guint64          max_pixels);
LT_AVAILABLE_IN_ALL
guint64          lt_image_get_max_pixels          (void);
LT_AVAILABLE_IN_ALL
cairo_surface_t *lt_tensor_to_cairo_surface       (LtTensor        *self,
                                                   GError         **error);
LT_AVAILABLE_IN_ALL
LtTensor        *lt_tensor_new_from_cairo_surface (cairo_surface_t *surface,
                                                   GError         **error)
  G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
