/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-render-graph.h"

G_BEGIN_DECLS

struct _LtRenderGraph
{
  gatomicrefcount ref;
  GArray         *nodes; /* LtRenderGraphNode */
  GArray         *edges; /* LtRenderGraphEdge */
};

/* The groups of a graph under one fold state: one per module path (and
 * per path above one), each inside its parent. */
typedef struct
{
  char    *module;  /* owned */
  gint     parent;  /* the group holding this one, or -1 */
  guint    depth;   /* 0 for a top-level group */
  gboolean folded;  /* folded itself */
  gboolean hidden;  /* inside a folded group */
  guint    n_nodes; /* nodes inside, nested groups included */
} RenderGroup;

typedef struct
{
  GArray *groups;      /* RenderGroup, parents before children */
  gint   *node_group;  /* per node: its innermost group, or -1 */
  gint   *node_folded; /* per node: the outermost folded group
                        * hiding it, or -1 */
} RenderGrouping;

RenderGrouping *_lt_render_grouping_new (LtRenderGraph *graph, const char *const *folded);
void            _lt_render_grouping_free (RenderGrouping *grouping);

/* The sizes the layout gives boxes (in points), and the space it reserves
 * for a group's header. */
typedef struct
{
  double width;
  double height;
} RenderSize;

/* The DOT text of the graph under @grouping: for export (labels, colours,
 * shapes on the edges) when @node_sizes is NULL; for layout otherwise
 * (fixed box sizes from @node_sizes and @folded_sizes, edge ids, no text:
 * room of @header_sizes above each cluster's nodes). Nodes are
 * "n<i>", folded groups "f<k>", clusters "cluster_<k>" (k: the group's
 * index), edges carry id="e<j>" (j: the first edge drawn along them). */
char *_lt_render_graph_build_dot (LtRenderGraph        *graph,
                                  const RenderGrouping *grouping,
                                  const RenderSize     *node_sizes,
                                  const RenderSize     *folded_sizes,
                                  const RenderSize     *header_sizes);

/* What a box shows, line by line (transfer full, NULL-terminated): the
 * first line is the title. */
char **_lt_render_graph_node_lines (LtRenderGraph *graph, guint node);
char **_lt_render_graph_folded_lines (const RenderGroup *group);

/* A key naming everything the layout's geometry depends on (transfer
 * full). */
char *_lt_render_graph_structure_key (LtRenderGraph *graph);

/* The geometry of a layout, shared by the layouts of graphs of the same
 * structure (the cache holds it); in points, y downwards. */
typedef struct
{
  guint    edge;                 /* the first edge of the graph drawn along it */
  gint     from_node, to_node;   /* the boxes it joins: a node, or -1 and... */
  gint     from_group, to_group; /* ...a folded group */
  guint    n_points;             /* 1 + 3k Bezier points */
  double  *points;               /* x, y pairs */
  gboolean arrow;                /* an arrowhead ending at (ax, ay) */
  double   ax, ay;
  double   lx, ly; /* the middle of the curve, for the shape */
} GeomEdge;

typedef struct
{
  char        *module;
  gint         parent;
  guint        depth;
  gboolean     folded;
  gboolean     drawn; /* neither hidden nor (for a cluster) empty */
  guint        n_nodes;
  LtRenderRect rect;   /* the cluster, header included, or the folded box */
  double       header; /* the header's height (clusters) */
} GeomGroup;

typedef struct
{
  gatomicrefcount ref;
  double          width, height;
  guint           n_nodes;
  LtRenderRect   *node_rect;   /* per node; width < 0 when hidden */
  gint           *node_folded; /* per node: the folded group drawn instead, or -1 */
  GArray         *groups;      /* GeomGroup, parents first */
  GArray         *edges;       /* GeomEdge */
  guint           n_boxes;
} RenderGeometry;

struct _LtRenderGraphLayout
{
  gatomicrefcount ref;
  RenderGeometry *geom;
  LtRenderGraph  *graph;
  LtRenderTheme   theme;
};

/* Text sizes of the graph's boxes, from the theme's base size */
#define GRAPH_TITLE_SIZE(theme) ((theme)->font_size - 1)
#define GRAPH_SMALL_SIZE(theme) ((theme)->font_size - 2)
#define GRAPH_PAD_X 10.0
#define GRAPH_PAD_Y 6.0

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RenderGrouping, _lt_render_grouping_free)

G_END_DECLS
