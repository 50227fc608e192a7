/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-gtk-graph-view.h"
#include "lt-render.h"

G_BEGIN_DECLS

/* What the export action does with the chosen path: a failure goes to
 * the "error" signal. */
void _lt_gtk_graph_view_export_to (LtGtkGraphView *self, const char *path);

/* For the tests: the drawing area, the layout drawn (transfer none), the
 * view state, whether the last request has been laid out, a click at a
 * pixel of the drawing area, the text beside the graph (NULL: hidden). */
GtkWidget               *_lt_gtk_graph_view_get_canvas (LtGtkGraphView *self);
LtRenderGraphLayout     *_lt_gtk_graph_view_get_layout (LtGtkGraphView *self);
const LtRenderGraphView *_lt_gtk_graph_view_get_view (LtGtkGraphView *self);
gboolean                 _lt_gtk_graph_view_is_settled (LtGtkGraphView *self);
void                     _lt_gtk_graph_view_click (LtGtkGraphView *self, double x, double y);
const char              *_lt_gtk_graph_view_get_details_text (LtGtkGraphView *self);

G_END_DECLS
