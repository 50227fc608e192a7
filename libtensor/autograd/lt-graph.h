/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"
#include "lt-grad-fn.h"

G_BEGIN_DECLS

/**
 * LtGradStats:
 * @mean: the mean of the gradient's elements
 * @std: their population standard deviation (divided by @numel)
 * @min: the smallest element
 * @max: the largest element
 * @norm: the L2 norm of the gradient
 * @numel: the number of elements
 *
 * Statistics of one gradient, computed in double precision: what
 * lt_graph_backward() records for every node of a graph.
 */
typedef struct
{
  double mean;
  double std;
  double min;
  double max;
  double norm;
  gint64 numel;
} LtGradStats;

#define LT_TYPE_GRAD_STATS (lt_grad_stats_get_type ())
LT_AVAILABLE_IN_ALL
GType        lt_grad_stats_get_type    (void) G_GNUC_CONST;
LT_AVAILABLE_IN_ALL
LtGradStats *lt_grad_stats_copy        (const LtGradStats *stats);
LT_AVAILABLE_IN_ALL
void         lt_grad_stats_free        (LtGradStats       *stats);

#define LT_TYPE_GRAPH (lt_graph_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGraph, lt_graph, LT, GRAPH, GObject)

LT_AVAILABLE_IN_ALL
LtGraph      *lt_graph_new                 (LtTensor    *output) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor     *lt_graph_get_output          (LtGraph     *self);
LT_AVAILABLE_IN_ALL
guint         lt_graph_get_n_nodes         (LtGraph     *self);
LT_AVAILABLE_IN_ALL
LtGradFn     *lt_graph_get_node            (LtGraph     *self,
                                            guint        index);
LT_AVAILABLE_IN_ALL
gint          lt_graph_find_node           (LtGraph     *self,
                                            LtGradFn    *node);
LT_AVAILABLE_IN_ALL
const char   *lt_graph_get_node_name       (LtGraph     *self,
                                            guint        index);
LT_AVAILABLE_IN_ALL
const char   *lt_graph_get_node_module     (LtGraph     *self,
                                            guint        index);
LT_AVAILABLE_IN_ALL
const gint64 *lt_graph_get_node_shape      (LtGraph     *self,
                                            guint        index,
                                            guint       *n_dims);
LT_AVAILABLE_IN_ALL
gboolean      lt_graph_get_node_grad_stats (LtGraph     *self,
                                            guint        index,
                                            LtGradStats *stats);
LT_AVAILABLE_IN_ALL
guint         lt_graph_get_n_edges         (LtGraph     *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_graph_get_edge            (LtGraph     *self,
                                            guint        index,
                                            guint       *from,
                                            guint       *to);
LT_AVAILABLE_IN_ALL
const gint64 *lt_graph_get_edge_shape      (LtGraph     *self,
                                            guint        index,
                                            guint       *n_dims);
LT_AVAILABLE_IN_ALL
guint         lt_graph_get_n_leaves        (LtGraph     *self);
LT_AVAILABLE_IN_ALL
LtTensor     *lt_graph_get_leaf            (LtGraph     *self,
                                            guint        index,
                                            guint       *node);
LT_AVAILABLE_IN_ALL
const char   *lt_graph_get_leaf_name       (LtGraph     *self,
                                            guint        index);
LT_AVAILABLE_IN_ALL
void          lt_graph_set_leaf_name       (LtGraph     *self,
                                            guint        index,
                                            const char  *name);
LT_AVAILABLE_IN_ALL
gboolean      lt_graph_backward            (LtGraph     *self,
                                            gboolean     retain_graph,
                                            GError     **error);
LT_AVAILABLE_IN_ALL
char         *lt_graph_to_dot              (LtGraph     *self);

G_END_DECLS
