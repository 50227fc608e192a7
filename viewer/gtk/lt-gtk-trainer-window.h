/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_GTK_INSIDE) && !defined(LT_GTK_COMPILATION)
#error "Only <libtensor-gtk.h> can be included directly."
#endif

#include <gtk/gtk.h>
#include <libtensor.h>

#include "lt-gtk-accuracy-view.h"
#include "lt-gtk-graph-view.h"
#include "lt-gtk-image-view.h"
#include "lt-gtk-loss-view.h"
#include "lt-gtk-macros.h"

G_BEGIN_DECLS

#define LT_GTK_TYPE_TRAINER_WINDOW (lt_gtk_trainer_window_get_type ())

LT_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGtkTrainerWindow, lt_gtk_trainer_window, LT_GTK, TRAINER_WINDOW, GtkWindow)

LT_GTK_AVAILABLE_IN_ALL
GtkWidget          *lt_gtk_trainer_window_new               (LtTrainer          *trainer);
LT_GTK_AVAILABLE_IN_ALL
LtTrainer          *lt_gtk_trainer_window_get_trainer       (LtGtkTrainerWindow *self);
LT_GTK_AVAILABLE_IN_ALL
void                lt_gtk_trainer_window_set_trainer       (LtGtkTrainerWindow *self,
                                                             LtTrainer          *trainer);
LT_GTK_AVAILABLE_IN_ALL
LtGtkLossView      *lt_gtk_trainer_window_get_loss_view     (LtGtkTrainerWindow *self);
LT_GTK_AVAILABLE_IN_ALL
LtGtkImageView     *lt_gtk_trainer_window_get_image_view    (LtGtkTrainerWindow *self);
LT_GTK_AVAILABLE_IN_ALL
LtGtkGraphView     *lt_gtk_trainer_window_get_graph_view    (LtGtkTrainerWindow *self);
LT_GTK_AVAILABLE_IN_ALL
LtGtkAccuracyView  *lt_gtk_trainer_window_get_accuracy_view (LtGtkTrainerWindow *self);
LT_GTK_AVAILABLE_IN_ALL
const char         *lt_gtk_trainer_window_get_status        (LtGtkTrainerWindow *self);

LT_GTK_AVAILABLE_IN_ALL
LtGtkTrainerWindow *lt_gtk_show_trainer                     (LtTrainer          *trainer);

G_END_DECLS
