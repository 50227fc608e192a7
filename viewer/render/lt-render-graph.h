/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>

#include "lt-render-common.h"

G_BEGIN_DECLS

/*
 * The autograd graph: a plain description (LtRenderGraph) built from an
 * LtGraph or by hand, laid out by graphviz's "dot" (LtRenderGraphLayout)
 * and drawn with Cairo, top to bottom: leaves and inputs above the
 * operations that use them, the loss at the bottom. Operation nodes are
 * named by their op ("ConvolutionBackward0"); parameters (the leaves of
 * AccumulateGrad nodes) are coloured apart with their name, shape and
 * element count; edges carry the shape of the tensor that flows along
 * them; nodes are grouped into boxes by the module that made them
 * (nested by dotted path: "features" holds "features.0"), and a group can
 * be folded into one box, the edges that crossed its border re-routed to
 * that box.
 *
 * Layout is the expensive part (graphviz: about 10 ms for 170 nodes,
 * 600 ms for 1700): lt_render_graph_layout_new() may be called on any
 * thread; every graphviz call takes one global lock (cgraph is not
 * thread-safe), and layouts are cached by the graph's structure, the fold
 * state and the theme's font, so the graph of every step of a run (the
 * same structure) is laid out once.
 */

/**
 * LtRenderGraphNode:
 * @op: the node's name: the op's ("ConvolutionBackward0"), "AccumulateGrad"
 * @module: (nullable): the dotted path of the module that made it ("conv1",
 *   "features.0"), %NULL outside any module
 * @n_dims: the number of dimensions of @shape, when @has_shape
 * @shape: the shape of the tensor the node's forward produced
 * @has_shape: whether @shape is known
 * @is_leaf: whether the node accumulates into a leaf tensor
 * @is_parameter: whether that leaf is a parameter
 * @leaf_name: (nullable): the leaf's name ("conv1.weight")
 * @numel: the leaf's element count (when @is_leaf)
 * @has_grad_stats: whether the gradient statistics below were recorded
 * @grad_mean: the mean of the gradient of the node's output
 * @grad_std: its population standard deviation
 * @grad_min: its smallest element
 * @grad_max: its largest element
 * @grad_norm: its L2 norm
 * @grad_numel: its element count
 *
 * One node of the graph (read-only; owned by the graph).
 */
typedef struct
{
  char    *op;
  char    *module;
  guint    n_dims;
  gint64   shape[LT_MAX_DIMS];
  gboolean has_shape;
  gboolean is_leaf;
  gboolean is_parameter;
  char    *leaf_name;
  gint64   numel;
  gboolean has_grad_stats;
  double   grad_mean;
  double   grad_std;
  double   grad_min;
  double   grad_max;
  double   grad_norm;
  gint64   grad_numel;
} LtRenderGraphNode;

/**
 * LtRenderGraphEdge:
 * @from: the node whose output flows along the edge (forward direction)
 * @to: the node that consumes it
 * @n_dims: the number of dimensions of @shape, when @has_shape
 * @shape: the shape of that tensor
 * @has_shape: whether @shape is known
 *
 * One edge of the graph (read-only; owned by the graph).
 */
typedef struct
{
  guint    from;
  guint    to;
  guint    n_dims;
  gint64   shape[LT_MAX_DIMS];
  gboolean has_shape;
} LtRenderGraphEdge;

typedef struct _LtRenderGraph LtRenderGraph;

/* Building (one thread; do not change a graph once it is shared):
 * lt_render_graph_new_from_graph: the description of an LtGraph: its
 *   nodes and edges in its order (node i here is node i there), names,
 *   modules, shapes, leaves and gradient statistics as LtGraph records
 *   them. The LtGraph is not kept.
 * lt_render_graph_add_node: a node; returns its index. A shape of
 *   @n_dims G_MAXUINT is unknown (not drawn); NULL with 0 is a scalar's.
 * lt_render_graph_set_leaf: makes @node a leaf's AccumulateGrad node.
 * lt_render_graph_set_grad_stats: records a node's gradient statistics.
 * lt_render_graph_add_edge: an edge from @from to @to (indices of nodes
 *   already added; FALSE, and nothing added, otherwise). */
LtRenderGraph *lt_render_graph_new            (void);
LtRenderGraph *lt_render_graph_new_from_graph (LtGraph       *graph);
LtRenderGraph *lt_render_graph_ref            (LtRenderGraph *self);
void           lt_render_graph_unref          (LtRenderGraph *self);
guint          lt_render_graph_add_node       (LtRenderGraph *self,
                                               const char    *op,
                                               const char    *module,
                                               const gint64  *shape,
                                               guint          n_dims);
void           lt_render_graph_set_leaf       (LtRenderGraph *self,
                                               guint          node,
                                               const char    *name,
                                               gboolean       is_parameter,
                                               gint64         numel);
void           lt_render_graph_set_grad_stats (LtRenderGraph *self,
                                               guint          node,
                                               double         mean,
                                               double         std,
                                               double         min,
                                               double         max,
                                               double         norm,
                                               gint64         numel);
gboolean       lt_render_graph_add_edge       (LtRenderGraph *self,
                                               guint          from,
                                               guint          to,
                                               const gint64  *shape,
                                               guint          n_dims);

/* Reading:
 * lt_render_graph_get_output: the output's node (the loss): the last node
 *   no edge leaves, or -1 for an empty graph.
 * lt_render_graph_dup_modules: every module path that groups nodes, with
 *   the paths above them ("features" for "features.0"), in the order of
 *   their first node; (transfer full) NULL-terminated.
 * lt_render_graph_describe_node: what a selected node shows, several
 *   lines: op, module, output shape, the leaf's name, shape and element
 *   count, the gradient statistics when recorded (transfer full).
 * lt_render_graph_to_dot: the graph in the DOT language, one cluster per
 *   module, groups in @folded (nullable, NULL-terminated module paths)
 *   drawn as one node each (transfer full).
 * lt_render_graph_write_dot: lt_render_graph_to_dot() into a file, as
 *   lt_render_write_text(). */
guint                     lt_render_graph_get_n_nodes   (LtRenderGraph      *self);
guint                     lt_render_graph_get_n_edges   (LtRenderGraph      *self);
const LtRenderGraphNode  *lt_render_graph_get_node      (LtRenderGraph      *self,
                                                         guint               index);
const LtRenderGraphEdge  *lt_render_graph_get_edge      (LtRenderGraph      *self,
                                                         guint               index);
gint                      lt_render_graph_get_output    (LtRenderGraph      *self);
char                    **lt_render_graph_dup_modules   (LtRenderGraph      *self);
char                     *lt_render_graph_describe_node (LtRenderGraph      *self,
                                                         guint               index);
char                     *lt_render_graph_to_dot        (LtRenderGraph      *self,
                                                         const char *const  *folded);
gboolean                  lt_render_graph_write_dot     (LtRenderGraph      *self,
                                                         const char *const  *folded,
                                                         const char         *path,
                                                         GError            **error);

/* Layout */

typedef struct _LtRenderGraphLayout LtRenderGraphLayout;

/* lt_render_graph_layout_new: lays @graph out (any thread; graphviz under
 * the global lock; from the cache when the same structure, fold state and
 * font were laid out before). @folded: (nullable) NULL-terminated module
 * paths whose groups are folded (a folded group hides the groups inside
 * it); unknown paths are ignored. Coordinates are in points, y downwards,
 * (0, 0) the top-left corner of the whole drawing; one point is one pixel
 * at zoom 1. Errors: LT_ERROR_FAILED when graphviz fails.
 * lt_render_graph_layout_clear_cache: forgets every cached layout.
 * lt_render_graph_layout_get_graph: the graph laid out (transfer none).
 * lt_render_graph_layout_get_node_rect: the box of node @node; FALSE when
 *   it is hidden in a folded group (then lt_render_graph_layout_get_group_of
 *   names the group it is drawn as).
 * lt_render_graph_layout_get_group_rect: the box of group @module: the
 *   cluster around its nodes, header included, or the folded box;
 *   @folded says which (nullable). FALSE for a module not drawn.
 * lt_render_graph_layout_get_n_boxes: the boxes drawn: visible nodes and
 *   folded groups.
 * lt_render_graph_layout_get_n_drawn_edges: the edges drawn after
 *   re-routing (edges inside a folded group vanish; parallel edges between
 *   the same two boxes merge).
 * lt_render_graph_layout_get_drawn_edge: drawn edge @index: the first edge
 *   of the graph drawn along it, and the boxes it joins, each a node (the
 *   group NULL) or a folded group (the node -1); all optional. */
LtRenderGraphLayout *lt_render_graph_layout_new               (LtRenderGraph        *graph,
                                                               const char *const    *folded,
                                                               const LtRenderTheme  *theme,
                                                               GError              **error);
LtRenderGraphLayout *lt_render_graph_layout_ref               (LtRenderGraphLayout  *self);
void                 lt_render_graph_layout_unref             (LtRenderGraphLayout  *self);
void                 lt_render_graph_layout_clear_cache       (void);
LtRenderGraph       *lt_render_graph_layout_get_graph         (LtRenderGraphLayout  *self);
void                 lt_render_graph_layout_get_size          (LtRenderGraphLayout  *self,
                                                               double               *width,
                                                               double               *height);
gboolean             lt_render_graph_layout_get_node_rect     (LtRenderGraphLayout  *self,
                                                               guint                 node,
                                                               LtRenderRect         *rect);
const char          *lt_render_graph_layout_get_group_of      (LtRenderGraphLayout  *self,
                                                               guint                 node);
gboolean             lt_render_graph_layout_get_group_rect    (LtRenderGraphLayout  *self,
                                                               const char           *module,
                                                               LtRenderRect         *rect,
                                                               gboolean             *folded);
guint                lt_render_graph_layout_get_n_boxes       (LtRenderGraphLayout  *self);
guint                lt_render_graph_layout_get_n_drawn_edges (LtRenderGraphLayout  *self);
gboolean             lt_render_graph_layout_get_drawn_edge    (LtRenderGraphLayout  *self,
                                                               guint                 index,
                                                               guint                *edge,
                                                               gint                 *from_node,
                                                               const char          **from_group,
                                                               gint                 *to_node,
                                                               const char          **to_group);

/* View state and drawing */

/**
 * LtRenderGraphView:
 * @zoom: screen pixels per layout point (default 1)
 * @x: the layout point at the area's left edge (default 0)
 * @y: the layout point at the area's top edge (default 0)
 * @selected: the selected node, drawn highlighted, or -1 (default)
 *
 * The caller's view state of a graph. The fold state belongs to the
 * layout (it changes the layout); this is what changes without one.
 */
typedef struct
{
  double zoom;
  double x;
  double y;
  gint   selected;
} LtRenderGraphView;

/**
 * LtRenderGraphHitKind:
 * @LT_RENDER_GRAPH_HIT_NONE: nothing there
 * @LT_RENDER_GRAPH_HIT_NODE: a node (@node)
 * @LT_RENDER_GRAPH_HIT_GROUP_HEADER: the header of an unfolded group
 *   (@module): a click there folds it
 * @LT_RENDER_GRAPH_HIT_FOLDED_GROUP: a folded group's box (@module): a click
 *   there unfolds it
 *
 * What lies under a point of the graph.
 */
typedef enum
{
  LT_RENDER_GRAPH_HIT_NONE,
  LT_RENDER_GRAPH_HIT_NODE,
  LT_RENDER_GRAPH_HIT_GROUP_HEADER,
  LT_RENDER_GRAPH_HIT_FOLDED_GROUP,
} LtRenderGraphHitKind;

/**
 * LtRenderGraphHit:
 * @kind: what was hit
 * @node: the node, for %LT_RENDER_GRAPH_HIT_NODE
 * @module: the group's module path (owned by the layout), for the group
 *   kinds
 *
 * The result of lt_render_graph_hit_test().
 */
typedef struct
{
  LtRenderGraphHitKind kind;
  guint                node;
  const char          *module;
} LtRenderGraphHit;

/* lt_render_graph_view_fit: zoom (at most 1) and position that show the
 *   whole layout centred in @width x @height.
 * lt_render_graph_view_zoom: zooms by @factor around the pixel (@px, @py),
 *   within 1/50 to 8.
 * lt_render_graph_view_pan: moves the content by (@dx, @dy) pixels.
 * lt_render_graph_view_to_pixel / from_pixel: between layout points and
 *   the area's pixels.
 * lt_render_graph_hit_test: what is under the pixel (@px, @py); FALSE for
 *   nothing.
 * lt_render_graph_draw: paints the background, the groups (headers with a
 *   fold mark), the edges with their shapes, the nodes and the selection
 *   into (0, 0, @width, @height). */
void     lt_render_graph_view_init       (LtRenderGraphView       *view);
void     lt_render_graph_view_fit        (LtRenderGraphView       *view,
                                          LtRenderGraphLayout     *layout,
                                          int                      width,
                                          int                      height);
void     lt_render_graph_view_zoom       (LtRenderGraphView       *view,
                                          double                   factor,
                                          double                   px,
                                          double                   py);
void     lt_render_graph_view_pan        (LtRenderGraphView       *view,
                                          double                   dx,
                                          double                   dy);
void     lt_render_graph_view_to_pixel   (const LtRenderGraphView *view,
                                          double                   x,
                                          double                   y,
                                          double                  *px,
                                          double                  *py);
void     lt_render_graph_view_from_pixel (const LtRenderGraphView *view,
                                          double                   px,
                                          double                   py,
                                          double                  *x,
                                          double                  *y);
gboolean lt_render_graph_hit_test        (LtRenderGraphLayout     *layout,
                                          const LtRenderGraphView *view,
                                          double                   px,
                                          double                   py,
                                          LtRenderGraphHit        *hit);
void     lt_render_graph_draw            (LtRenderGraphLayout     *layout,
                                          const LtRenderGraphView *view,
                                          cairo_t                 *cr,
                                          int                      width,
                                          int                      height);

/* Writes the whole layout at zoom 1 (and the selection of @view, when
 * given) as PNG or SVG, or the graph as DOT, by @path's extension (.png,
 * .svg, .dot, .gv); errors as lt_render_write(). */
gboolean lt_render_graph_write (LtRenderGraphLayout      *layout,
                                const LtRenderGraphView  *view,
                                const char               *path,
                                GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtRenderGraph, lt_render_graph_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtRenderGraphLayout, lt_render_graph_layout_unref)

G_END_DECLS
