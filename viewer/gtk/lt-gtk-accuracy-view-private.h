/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-gtk-accuracy-view.h"
#include "lt-render.h"

G_BEGIN_DECLS

/* What the export action does with the chosen path: a failure goes to
 * the "error" signal. */
void _lt_gtk_accuracy_view_export_to (LtGtkAccuracyView *self, const char *path);

/* For the tests: the drawing area, what it draws (transfer none), the
 * view state, the image view of the selected cell, the caption above it
 * (NULL: hidden). */
GtkWidget                  *_lt_gtk_accuracy_view_get_canvas (LtGtkAccuracyView *self);
LtRenderAccuracy           *_lt_gtk_accuracy_view_get_accuracy (LtGtkAccuracyView *self);
const LtRenderAccuracyView *_lt_gtk_accuracy_view_get_view (LtGtkAccuracyView *self);
GtkWidget                  *_lt_gtk_accuracy_view_get_image_view (LtGtkAccuracyView *self);
const char                 *_lt_gtk_accuracy_view_get_caption (LtGtkAccuracyView *self);

G_END_DECLS
