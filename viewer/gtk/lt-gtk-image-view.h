/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_GTK_INSIDE) && !defined(LT_GTK_COMPILATION)
#error "Only <libtensor-gtk.h> can be included directly."
#endif

#include <gtk/gtk.h>
#include <libtensor.h>

#include "lt-gtk-macros.h"
#include "lt-gtk-types.h"

G_BEGIN_DECLS

/**
 * LT_GTK_IMAGE_VIEW_DEFAULT_INTERVAL:
 *
 * The #LtTrainer:batch-interval an #LtGtkImageView that follows the
 * training gives a trainer that sends no batches: one every 50 steps.
 */
#define LT_GTK_IMAGE_VIEW_DEFAULT_INTERVAL 50

#define LT_GTK_TYPE_IMAGE_VIEW (lt_gtk_image_view_get_type ())

LT_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGtkImageView, lt_gtk_image_view, LT_GTK, IMAGE_VIEW, GtkWidget)

LT_GTK_AVAILABLE_IN_ALL
GtkWidget         *lt_gtk_image_view_new                 (void);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_bind_trainer        (LtGtkImageView     *self,
                                                          LtTrainer          *trainer);
LT_GTK_AVAILABLE_IN_ALL
LtTrainer         *lt_gtk_image_view_get_trainer         (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean           lt_gtk_image_view_set_batch           (LtGtkImageView     *self,
                                                          LtTensor           *images,
                                                          LtTensor           *labels,
                                                          LtTensor           *predictions,
                                                          GError            **error);
LT_GTK_AVAILABLE_IN_ALL
LtTensor          *lt_gtk_image_view_get_images          (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
guint              lt_gtk_image_view_get_n_images        (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
gint64             lt_gtk_image_view_get_label           (LtGtkImageView     *self,
                                                          guint               index);
LT_GTK_AVAILABLE_IN_ALL
gint64             lt_gtk_image_view_get_prediction      (LtGtkImageView     *self,
                                                          guint               index);
LT_GTK_AVAILABLE_IN_ALL
char              *lt_gtk_image_view_dup_class_name      (LtGtkImageView     *self,
                                                          gint64              label);
LT_GTK_AVAILABLE_IN_ALL
const char *const *lt_gtk_image_view_get_classes         (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_classes         (LtGtkImageView     *self,
                                                          const char *const  *classes);
LT_GTK_AVAILABLE_IN_ALL
LtGtkSplit         lt_gtk_image_view_get_split           (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_split           (LtGtkImageView     *self,
                                                          LtGtkSplit          split);
LT_GTK_AVAILABLE_IN_ALL
guint              lt_gtk_image_view_get_batch_index     (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_batch_index     (LtGtkImageView     *self,
                                                          guint               batch_index);
LT_GTK_AVAILABLE_IN_ALL
guint              lt_gtk_image_view_get_n_batches       (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
guint              lt_gtk_image_view_get_batch_size      (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_batch_size      (LtGtkImageView     *self,
                                                          guint               batch_size);
LT_GTK_AVAILABLE_IN_ALL
gboolean           lt_gtk_image_view_next_batch          (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean           lt_gtk_image_view_previous_batch      (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
LtGtkImageZoom     lt_gtk_image_view_get_zoom            (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_zoom            (LtGtkImageView     *self,
                                                          LtGtkImageZoom      zoom);
LT_GTK_AVAILABLE_IN_ALL
guint              lt_gtk_image_view_get_columns         (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_columns         (LtGtkImageView     *self,
                                                          guint               columns);
LT_GTK_AVAILABLE_IN_ALL
gboolean           lt_gtk_image_view_get_show_controls   (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_show_controls   (LtGtkImageView     *self,
                                                          gboolean            show_controls);
LT_GTK_AVAILABLE_IN_ALL
gboolean           lt_gtk_image_view_get_loading         (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean           lt_gtk_image_view_get_follow_training (LtGtkImageView     *self);
LT_GTK_AVAILABLE_IN_ALL
void               lt_gtk_image_view_set_follow_training (LtGtkImageView     *self,
                                                          gboolean            follow_training);
LT_GTK_AVAILABLE_IN_ALL
gboolean           lt_gtk_image_view_export              (LtGtkImageView     *self,
                                                          const char         *path,
                                                          GError            **error);

G_END_DECLS
