/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * LtGtkCanvas: the drawing area inside every view. Its snapshot calls the
 * view's draw function, which paints everything, background included,
 * through a renderer into an image of the widget's size (as the renderer
 * draws headless), and appends that as one Cairo node covering the whole
 * widget; so the widget's pixels under GTK's Cairo renderer are the
 * renderer's pixels headless. It is focusable; the view adds its event
 * controllers and tooltips.
 */

#define LT_GTK_TYPE_CANVAS (_lt_gtk_canvas_get_type ())

G_DECLARE_FINAL_TYPE (LtGtkCanvas, _lt_gtk_canvas, LT_GTK, CANVAS, GtkWidget)

typedef void (
  *LtGtkCanvasDrawFunc) (GtkWidget *canvas, cairo_t *cr, int width, int height, gpointer user_data);

GtkWidget *_lt_gtk_canvas_new (LtGtkCanvasDrawFunc draw, gpointer user_data);
/* The size the canvas asks for (0: none); a change queues a resize. */
void _lt_gtk_canvas_set_natural_size (LtGtkCanvas *self, int width, int height);
/* How many snapshots it took (tests wait for a redraw with it). */
guint _lt_gtk_canvas_get_n_draws (LtGtkCanvas *self);

G_END_DECLS
