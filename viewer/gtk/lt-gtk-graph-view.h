/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_GTK_INSIDE) && !defined(LT_GTK_COMPILATION)
#error "Only <libtensor-gtk.h> can be included directly."
#endif

#include <gtk/gtk.h>
#include <libtensor.h>

#include "lt-gtk-macros.h"

G_BEGIN_DECLS

/**
 * LT_GTK_GRAPH_VIEW_DEFAULT_INTERVAL:
 *
 * The #LtTrainer:graph-interval lt_gtk_graph_view_bind_trainer() gives a
 * trainer that sends no graphs: a graph every 100 steps.
 */
#define LT_GTK_GRAPH_VIEW_DEFAULT_INTERVAL 100

#define LT_GTK_TYPE_GRAPH_VIEW (lt_gtk_graph_view_get_type ())

LT_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGtkGraphView, lt_gtk_graph_view, LT_GTK, GRAPH_VIEW, GtkWidget)

LT_GTK_AVAILABLE_IN_ALL
GtkWidget  *lt_gtk_graph_view_new                  (void);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_bind_trainer         (LtGtkGraphView  *self,
                                                    LtTrainer       *trainer);
LT_GTK_AVAILABLE_IN_ALL
LtTrainer  *lt_gtk_graph_view_get_trainer          (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_set_graph            (LtGtkGraphView  *self,
                                                    LtGraph         *graph);
LT_GTK_AVAILABLE_IN_ALL
LtGraph    *lt_gtk_graph_view_get_graph            (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
guint       lt_gtk_graph_view_get_n_nodes          (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
guint       lt_gtk_graph_view_get_n_visible_nodes  (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
char      **lt_gtk_graph_view_dup_modules          (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean    lt_gtk_graph_view_get_module_folded    (LtGtkGraphView  *self,
                                                    const char      *module);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_set_module_folded    (LtGtkGraphView  *self,
                                                    const char      *module,
                                                    gboolean         folded);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_fold_all             (LtGtkGraphView  *self,
                                                    gboolean         folded);
LT_GTK_AVAILABLE_IN_ALL
gint        lt_gtk_graph_view_get_selected         (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_set_selected         (LtGtkGraphView  *self,
                                                    gint             node);
LT_GTK_AVAILABLE_IN_ALL
char       *lt_gtk_graph_view_dup_node_description (LtGtkGraphView  *self,
                                                    guint            node);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_zoom                 (LtGtkGraphView  *self,
                                                    double           factor);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_zoom_to_fit          (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean    lt_gtk_graph_view_get_laying_out       (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
gboolean    lt_gtk_graph_view_get_show_controls    (LtGtkGraphView  *self);
LT_GTK_AVAILABLE_IN_ALL
void        lt_gtk_graph_view_set_show_controls    (LtGtkGraphView  *self,
                                                    gboolean         show_controls);
LT_GTK_AVAILABLE_IN_ALL
gboolean    lt_gtk_graph_view_export               (LtGtkGraphView  *self,
                                                    const char      *path,
                                                    GError         **error);

G_END_DECLS
