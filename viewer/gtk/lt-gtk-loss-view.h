/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_GTK_INSIDE) && !defined(LT_GTK_COMPILATION)
#error "Only <libtensor-gtk.h> can be included directly."
#endif

#include <gtk/gtk.h>
#include <libtensor.h>

#include "lt-gtk-macros.h"
#include "lt-gtk-run-registry.h"

G_BEGIN_DECLS

#define LT_GTK_TYPE_LOSS_VIEW (lt_gtk_loss_view_get_type ())

LT_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGtkLossView, lt_gtk_loss_view, LT_GTK, LOSS_VIEW, GtkWidget)

LT_GTK_AVAILABLE_IN_ALL
GtkWidget        *lt_gtk_loss_view_new               (void);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_bind_trainer      (LtGtkLossView     *self,
                                                      LtTrainer         *trainer);
LT_GTK_AVAILABLE_IN_ALL
LtTrainer        *lt_gtk_loss_view_get_trainer       (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
LtGtkRunRegistry *lt_gtk_loss_view_get_registry      (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_registry      (LtGtkLossView     *self,
                                                      LtGtkRunRegistry  *registry);
LT_GTK_AVAILABLE_IN_ALL
double            lt_gtk_loss_view_get_smoothing     (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_smoothing     (LtGtkLossView     *self,
                                                      double             smoothing);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_get_log_x         (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_log_x         (LtGtkLossView     *self,
                                                      gboolean           log_x);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_get_log_y         (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_log_y         (LtGtkLossView     *self,
                                                      gboolean           log_y);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_get_y_from_zero   (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_y_from_zero   (LtGtkLossView     *self,
                                                      gboolean           y_from_zero);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_get_follow_latest (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_follow_latest (LtGtkLossView     *self,
                                                      gboolean           follow_latest);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_get_show_controls (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_show_controls (LtGtkLossView     *self,
                                                      gboolean           show_controls);
LT_GTK_AVAILABLE_IN_ALL
guint             lt_gtk_loss_view_get_n_points      (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_get_zoomed        (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_zoom              (LtGtkLossView     *self,
                                                      double             factor);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_reset_zoom        (LtGtkLossView     *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_get_run_visible   (LtGtkLossView     *self,
                                                      LtGtkRun          *run);
LT_GTK_AVAILABLE_IN_ALL
void              lt_gtk_loss_view_set_run_visible   (LtGtkLossView     *self,
                                                      LtGtkRun          *run,
                                                      gboolean           visible);
LT_GTK_AVAILABLE_IN_ALL
gboolean          lt_gtk_loss_view_export            (LtGtkLossView     *self,
                                                      const char        *path,
                                                      int                width,
                                                      int                height,
                                                      GError           **error);

G_END_DECLS
