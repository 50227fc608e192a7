/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-gtk-loss-view.h"
#include "lt-render.h"

G_BEGIN_DECLS

/* For the tests: the plot's canvas; whether the frame drawn is the one
 * for the current data, view state and size (no preparation under way);
 * the view state; the frame drawn (transfer none). */
GtkWidget              *_lt_gtk_loss_view_get_canvas (LtGtkLossView *self);
gboolean                _lt_gtk_loss_view_is_settled (LtGtkLossView *self);
const LtRenderLossView *_lt_gtk_loss_view_get_view (LtGtkLossView *self);
LtRenderLossFrame      *_lt_gtk_loss_view_get_frame (LtGtkLossView *self);
/* The point under the pointer, drawn with its readout (NULL: none). */
const LtRenderLossHit *_lt_gtk_loss_view_get_hover (LtGtkLossView *self);

/* Exports to @path as the view's export action does: a failure goes to
 * the "error" signal (and a dialog when no handler shows it). */
void _lt_gtk_loss_view_export_to (LtGtkLossView *self, const char *path);

G_END_DECLS
