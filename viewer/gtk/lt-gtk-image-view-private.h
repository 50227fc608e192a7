/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-gtk-image-view.h"
#include "lt-render.h"

G_BEGIN_DECLS

struct _LtGtkImageView
{
  GtkWidget parent_instance;

  /* Owned */
  LtTrainer    *trainer;
  LtTensor     *images;
  LtTensor     *labels;
  LtTensor     *predictions;
  LtRenderGrid *grid;
  char        **classes;
  GCancellable *cancellable;

  /* Borrowed: children */
  GtkWidget *controls;
  GtkWidget *scroller;
  GtkWidget *canvas;
  GtkWidget *split_dropdown;
  GtkWidget *zoom_dropdown;
  GtkWidget *batch_label;

  LtRenderGridView view;
  LtGtkSplit       split;
  guint            batch_index;
  guint            batch_size;
  guint            epochs_done;
  gboolean         follow;       /* shows the trainer's ::batch */
  guint            follow_epoch; /* of the batch shown when following */
  gint64           follow_iteration;
  gboolean         classes_set;
  gboolean         grid_dark;

  guint64  request_serial; /* grows with every change of what to show */
  guint64  shown_serial;   /* the request the grid shown answers */
  gboolean loading;
};

/* lt-gtk-image-view-controls.c */
GtkWidget *_lt_gtk_image_view_controls_new (LtGtkImageView *self);
void       _lt_gtk_image_view_update_controls (LtGtkImageView *self);
guint      _lt_gtk_image_zoom_position (LtGtkImageZoom zoom);
void       _lt_gtk_image_view_zoom_in_cb (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter);
void       _lt_gtk_image_view_zoom_out_cb (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *parameter);

/* What the export action does with the chosen path: a failure goes to
 * the "error" signal. */
void _lt_gtk_image_view_export_to (LtGtkImageView *self, const char *path);

/* For the tests: the drawing area, the grid shown (transfer none), the
 * view state, and whether the last request has been answered. */
GtkWidget              *_lt_gtk_image_view_get_canvas (LtGtkImageView *self);
LtRenderGrid           *_lt_gtk_image_view_get_grid (LtGtkImageView *self);
const LtRenderGridView *_lt_gtk_image_view_get_view (LtGtkImageView *self);
gboolean                _lt_gtk_image_view_is_settled (LtGtkImageView *self);

G_END_DECLS
