/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"
#include "data/lt-dataset.h"
#include "data/lt-transform.h"

G_BEGIN_DECLS

#define LT_TYPE_IMAGE_FOLDER (lt_image_folder_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtImageFolder, lt_image_folder, LT, IMAGE_FOLDER, GObject)

LT_AVAILABLE_IN_ALL
LtImageFolder      *lt_image_folder_new                  (const char     *root,
                                                          LtTransform    *transform,
                                                          LtTransform    *target_transform,
                                                          GError        **error)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
const char * const *lt_image_folder_get_classes          (LtImageFolder  *self);
LT_AVAILABLE_IN_ALL
const char         *lt_image_folder_get_path             (LtImageFolder  *self,
                                                          gint64          index);
LT_AVAILABLE_IN_ALL
gint64              lt_image_folder_get_label            (LtImageFolder  *self,
                                                          gint64          index);
LT_AVAILABLE_IN_ALL
LtTransform        *lt_image_folder_get_transform        (LtImageFolder  *self);
LT_AVAILABLE_IN_ALL
LtTransform        *lt_image_folder_get_target_transform (LtImageFolder  *self);

G_END_DECLS
