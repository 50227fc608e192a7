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
 * LT_GTK_ACCURACY_VIEW_MAX_IMAGES:
 *
 * The most images an #LtGtkAccuracyView shows for a selected cell.
 */
#define LT_GTK_ACCURACY_VIEW_MAX_IMAGES 64

#define LT_GTK_TYPE_ACCURACY_VIEW (lt_gtk_accuracy_view_get_type ())

LT_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGtkAccuracyView, lt_gtk_accuracy_view, LT_GTK, ACCURACY_VIEW, GtkWidget)

LT_GTK_AVAILABLE_IN_ALL
GtkWidget          *lt_gtk_accuracy_view_new                  (void);
LT_GTK_AVAILABLE_IN_ALL
void                lt_gtk_accuracy_view_bind_trainer         (LtGtkAccuracyView   *self,
                                                               LtTrainer           *trainer);
LT_GTK_AVAILABLE_IN_ALL
LtTrainer          *lt_gtk_accuracy_view_get_trainer          (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean            lt_gtk_accuracy_view_set_predictions      (LtGtkAccuracyView   *self,
                                                               LtTensor            *predictions,
                                                               LtTensor            *targets,
                                                               guint                n_classes,
                                                               GError             **error);
LT_GTK_AVAILABLE_IN_ALL
gboolean            lt_gtk_accuracy_view_set_confusion        (LtGtkAccuracyView   *self,
                                                               LtTensor            *confusion,
                                                               GError             **error);
LT_GTK_AVAILABLE_IN_ALL
LtDataset          *lt_gtk_accuracy_view_get_dataset          (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
void                lt_gtk_accuracy_view_set_dataset          (LtGtkAccuracyView   *self,
                                                               LtDataset           *dataset);
LT_GTK_AVAILABLE_IN_ALL
const char *const  *lt_gtk_accuracy_view_get_classes          (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
void                lt_gtk_accuracy_view_set_classes          (LtGtkAccuracyView   *self,
                                                               const char *const   *classes);
LT_GTK_AVAILABLE_IN_ALL
guint               lt_gtk_accuracy_view_get_n_classes        (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
gint64              lt_gtk_accuracy_view_get_count            (LtGtkAccuracyView   *self,
                                                               guint                true_class,
                                                               guint                predicted_class);
LT_GTK_AVAILABLE_IN_ALL
double              lt_gtk_accuracy_view_get_accuracy         (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
double              lt_gtk_accuracy_view_get_class_accuracy   (LtGtkAccuracyView   *self,
                                                               guint                klass);
LT_GTK_AVAILABLE_IN_ALL
void                lt_gtk_accuracy_view_select_cell          (LtGtkAccuracyView   *self,
                                                               gint                 true_class,
                                                               gint                 predicted_class);
LT_GTK_AVAILABLE_IN_ALL
gboolean            lt_gtk_accuracy_view_get_selected_cell    (LtGtkAccuracyView   *self,
                                                               gint                *true_class,
                                                               gint                *predicted_class);
LT_GTK_AVAILABLE_IN_ALL
gint64             *lt_gtk_accuracy_view_dup_selected_indices (LtGtkAccuracyView   *self,
                                                               gsize               *n_indices);
LT_GTK_AVAILABLE_IN_ALL
guint               lt_gtk_accuracy_view_get_n_shown_images   (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
LtGtkAccuracyParts  lt_gtk_accuracy_view_get_parts            (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
void                lt_gtk_accuracy_view_set_parts            (LtGtkAccuracyView   *self,
                                                               LtGtkAccuracyParts   parts);
LT_GTK_AVAILABLE_IN_ALL
gboolean            lt_gtk_accuracy_view_get_show_controls    (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
void                lt_gtk_accuracy_view_set_show_controls    (LtGtkAccuracyView   *self,
                                                               gboolean             show_controls);
LT_GTK_AVAILABLE_IN_ALL
gboolean            lt_gtk_accuracy_view_get_loading          (LtGtkAccuracyView   *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean            lt_gtk_accuracy_view_export               (LtGtkAccuracyView   *self,
                                                               const char          *path,
                                                               GError             **error);

G_END_DECLS
