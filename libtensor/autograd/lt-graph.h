/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"
#include "lt-grad-fn.h"

G_BEGIN_DECLS

#define LT_TYPE_GRAPH (lt_graph_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGraph, lt_graph, LT, GRAPH, GObject)

LT_AVAILABLE_IN_ALL
LtGraph  *lt_graph_new             (LtTensor *output);
LT_AVAILABLE_IN_ALL
LtTensor *lt_graph_get_output      (LtGraph  *self);
LT_AVAILABLE_IN_ALL
guint     lt_graph_get_n_nodes     (LtGraph  *self);
LT_AVAILABLE_IN_ALL
LtGradFn *lt_graph_get_node        (LtGraph  *self,
                                    guint     index);
LT_AVAILABLE_IN_ALL
gint      lt_graph_find_node       (LtGraph  *self,
                                    LtGradFn *node);
LT_AVAILABLE_IN_ALL
guint     lt_graph_get_n_edges     (LtGraph  *self);
LT_AVAILABLE_IN_ALL
gboolean  lt_graph_get_edge        (LtGraph  *self,
                                    guint     index,
                                    guint    *from,
                                    guint    *to);
LT_AVAILABLE_IN_ALL
guint     lt_graph_get_n_leaves    (LtGraph  *self);
LT_AVAILABLE_IN_ALL
LtTensor *lt_graph_get_leaf        (LtGraph  *self,
                                    guint     index,
                                    guint    *node);
LT_AVAILABLE_IN_ALL
char     *lt_graph_to_dot          (LtGraph  *self);

G_END_DECLS
