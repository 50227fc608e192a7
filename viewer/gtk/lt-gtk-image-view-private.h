/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-gtk-image-view.h"
#include "lt-render.h"

G_BEGIN_DECLS

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
