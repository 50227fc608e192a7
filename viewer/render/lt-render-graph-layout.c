/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gvc.h>

#include "lt-render-graph-private.h"

/*
 * The graph's layout by graphviz's "dot": boxes sized from our own text
 * measurements (fixedsize), clusters for the unfolded groups with room
 * for their headers, edges with ids; then node centres, cluster boxes and
 * edge splines are read back (y upwards in graphviz, downwards here).
 *
 * cgraph and gvc are not thread-safe ("The library is not thread safe",
 * cgraph(3)): every graphviz call happens under gv_lock. The geometry is
 * cached by everything it depends on, so every step of a run (one
 * structure) is laid out once.
 */

#define MARGIN 12.0
#define BORDER_TOP 2 /* graphviz's TOP_IX (lib/common/const.h) */
#define CACHE_MAX 32

static GMutex gv_lock;
static GVC_t *gvc; /* under gv_lock */

static GMutex      cache_lock;
static GHashTable *cache; /* key -> RenderGeometry, under cache_lock */

/* Geometry */

static void
geom_edge_clear (gpointer data)
{
  g_free (((GeomEdge *) data)->points);
}

static void
geom_group_clear (gpointer data)
{
  g_free (((GeomGroup *) data)->module);
}

static RenderGeometry *
geometry_ref (RenderGeometry *g)
{
  g_atomic_ref_count_inc (&g->ref);
  return g;
}

static void
geometry_unref (gpointer data)
{
  RenderGeometry *g = data;

  if (g == NULL || !g_atomic_ref_count_dec (&g->ref))
    return;
  g_free (g->node_rect);
  g_free (g->node_folded);
  g_array_unref (g->groups);
  g_array_unref (g->edges);
  g_free (g);
}

/* Box sizes */

static RenderSize
measure_lines (const LtRenderTheme *theme, char **lines, gboolean has_stats)
{
  RenderSize size = { 0, 0 };

  for (guint i = 0; lines[i]; i++)
    {
      gboolean title = i == 0;
      gboolean stats = has_stats && lines[i + 1] == NULL;
      double   w, h;

      lt_render_text_size (theme, title ? GRAPH_TITLE_SIZE (theme) : GRAPH_SMALL_SIZE (theme),
                           title, stats ? "\u2016\u2207\u2016 -8.88e-88" : lines[i], &w, &h);
      size.width = MAX (size.width, w);
      size.height += ceil (h);
    }
  size.width = ceil (size.width + 2 * GRAPH_PAD_X);
  size.height = ceil (size.height + 2 * GRAPH_PAD_Y);
  return size;
}

/* Reading the layout back */

typedef struct
{
  RenderGeometry *geom;
  boxf            bb;
} Reader;

static double
to_x (const Reader *r, double x)
{
  return x - r->bb.LL.x + MARGIN;
}

static double
to_y (const Reader *r, double y)
{
  return r->bb.UR.y - y + MARGIN;
}

static gboolean
parse_name (const char *name, char prefix, guint limit, guint *out)
{
  guint64 v;

  if (name == NULL || name[0] != prefix ||
      !g_ascii_string_to_unsigned (name + 1, 10, 0, limit > 0 ? limit - 1 : 0, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static void
read_clusters (Reader *r, Agraph_t *g)
{
  for (Agraph_t *sg = agfstsubg (g); sg; sg = agnxtsubg (sg))
    {
      const char *name = agnameof (sg);
      guint64     v;

      if (g_str_has_prefix (name, "cluster_") && r->geom->groups->len > 0 &&
          g_ascii_string_to_unsigned (name + 8, 10, 0, r->geom->groups->len - 1, &v, NULL))
        {
          GeomGroup *gg;
          boxf       bb = GD_bb (sg);
          guint      k = (guint) v;

          gg = &g_array_index (r->geom->groups, GeomGroup, k);
          gg->drawn = TRUE;
          gg->rect.x = to_x (r, bb.LL.x);
          gg->rect.y = to_y (r, bb.UR.y);
          gg->rect.width = bb.UR.x - bb.LL.x;
          gg->rect.height = bb.UR.y - bb.LL.y;
          gg->header = GD_border (sg)[BORDER_TOP].y;
        }
      read_clusters (r, sg);
    }
}

static void
node_box (const Reader *r, Agnode_t *n, LtRenderRect *rect)
{
  pointf c = ND_coord (n);
  double w = ND_width (n) * 72, h = ND_height (n) * 72;

  rect->x = to_x (r, c.x) - w / 2;
  rect->y = to_y (r, c.y) - h / 2;
  rect->width = w;
  rect->height = h;
}

static void
endpoint (const char *name, guint n_nodes, guint n_groups, gint *node, gint *group)
{
  guint v;

  *node = *group = -1;
  if (parse_name (name, 'n', n_nodes, &v))
    *node = (gint) v;
  else if (parse_name (name, 'f', n_groups, &v))
    *group = (gint) v;
}

static void
read_edge (Reader *r, Agraph_t *g, Agedge_t *e, guint n_edges)
{
  RenderGeometry *geom = r->geom;
  const char     *id = agget (e, (char *) "id");
  splines        *spl = ED_spl (e);
  GeomEdge        ge = { 0 };
  bezier         *bz;
  double          u;
  guint           segs, seg;

  if (!parse_name (id, 'e', n_edges, &ge.edge) || spl == NULL || spl->size < 1)
    return;
  bz = &spl->list[0];
  if (bz->size < 4)
    return;
  endpoint (agnameof (agtail (e)), geom->n_nodes, geom->groups->len, &ge.from_node, &ge.from_group);
  endpoint (agnameof (aghead (e)), geom->n_nodes, geom->groups->len, &ge.to_node, &ge.to_group);
  ge.n_points = (guint) (1 + (bz->size - 1) / 3 * 3);
  ge.points = g_new (double, 2 * ge.n_points);
  for (guint i = 0; i < ge.n_points; i++)
    {
      ge.points[2 * i] = to_x (r, bz->list[i].x);
      ge.points[2 * i + 1] = to_y (r, bz->list[i].y);
    }
  ge.arrow = bz->eflag != 0;
  if (ge.arrow)
    {
      ge.ax = to_x (r, bz->ep.x);
      ge.ay = to_y (r, bz->ep.y);
    }
  /* Halfway along the pieces: where the edge's shape is written */
  segs = (ge.n_points - 1) / 3;
  u = segs * 0.5;
  seg = MIN ((guint) u, segs - 1);
  {
    double        t = u - seg, s = 1 - t;
    const double *p = ge.points + 6 * seg;

    ge.lx = s * s * s * p[0] + 3 * s * s * t * p[2] + 3 * s * t * t * p[4] + t * t * t * p[6];
    ge.ly = s * s * s * p[1] + 3 * s * s * t * p[3] + 3 * s * t * t * p[5] + t * t * t * p[7];
  }
  g_array_append_val (geom->edges, ge);
}

/* Lays out under gv_lock; fills the node and folded boxes, clusters and
 * edges of @geom. */
static gboolean
run_graphviz (RenderGeometry *geom, const char *dot, guint n_edges, GError **error)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&gv_lock);
  Agraph_t *g;
  Reader    r = { geom };

  if (gvc == NULL)
    gvc = gvContext ();
  if (gvc == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "graph layout: graphviz could not start (gvContext)");
      return FALSE;
    }
  g = agmemread (dot);
  if (g == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "graph layout: graphviz could not read the graph");
      return FALSE;
    }
  if (gvLayout (gvc, g, "dot") != 0)
    {
      agclose (g);
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "graph layout: graphviz's \"dot\" layout failed (is its dot_layout plugin "
                   "installed and registered? \"dot -c\" registers it)");
      return FALSE;
    }
  r.bb = GD_bb (g);
  geom->width = ceil (r.bb.UR.x - r.bb.LL.x + 2 * MARGIN);
  geom->height = ceil (r.bb.UR.y - r.bb.LL.y + 2 * MARGIN);
  for (Agnode_t *n = agfstnode (g); n; n = agnxtnode (g, n))
    {
      guint v;

      if (parse_name (agnameof (n), 'n', geom->n_nodes, &v))
        node_box (&r, n, &geom->node_rect[v]);
      else if (parse_name (agnameof (n), 'f', geom->groups->len, &v))
        {
          GeomGroup *gg = &g_array_index (geom->groups, GeomGroup, v);

          node_box (&r, n, &gg->rect);
          gg->drawn = TRUE;
        }
    }
  read_clusters (&r, g);
  for (Agnode_t *n = agfstnode (g); n; n = agnxtnode (g, n))
    for (Agedge_t *e = agfstout (g, n); e; e = agnxtout (g, e))
      read_edge (&r, g, e, n_edges);
  gvFreeLayout (gvc, g);
  agclose (g);
  return TRUE;
}

static RenderGeometry *
compute_geometry (LtRenderGraph       *graph,
                  const char *const   *folded,
                  const LtRenderTheme *theme,
                  GError             **error)
{
  g_autoptr(RenderGrouping) gr = _lt_render_grouping_new (graph, folded);
  guint                  n = graph->nodes->len, n_groups = gr->groups->len;
  g_autofree RenderSize *node_sizes = g_new0 (RenderSize, MAX (n, 1));
  g_autofree RenderSize *folded_sizes = g_new0 (RenderSize, MAX (n_groups, 1));
  g_autofree RenderSize *header_sizes = g_new0 (RenderSize, MAX (n_groups, 1));
  g_autofree char       *dot = NULL;
  RenderGeometry        *geom;
  double                 header;

  for (guint i = 0; i < n; i++)
    if (gr->node_folded[i] < 0)
      {
        g_auto(GStrv) lines = _lt_render_graph_node_lines (graph, i);

        node_sizes[i] = measure_lines (
          theme, lines, g_array_index (graph->nodes, LtRenderGraphNode, i).has_grad_stats);
      }
  for (guint k = 0; k < n_groups; k++)
    {
      const RenderGroup *g = &g_array_index (gr->groups, RenderGroup, k);

      if (g->folded && !g->hidden)
        {
          g_auto(GStrv) lines = _lt_render_graph_folded_lines (g);

          folded_sizes[k] = measure_lines (theme, lines, FALSE);
        }
      else
        {
          /* "▾ module", 8 points from the cluster's left edge */
          g_autofree char *title = g_strdup_printf ("\u25be %s", g->module);

          lt_render_text_size (theme, GRAPH_TITLE_SIZE (theme), TRUE, title, &header_sizes[k].width,
                               &header);
          header_sizes[k].width = ceil (header_sizes[k].width) + 8;
          header_sizes[k].height = ceil (header) + 6;
        }
    }
  lt_render_text_size (theme, GRAPH_TITLE_SIZE (theme), TRUE, "Ag", NULL, &header);
  header = ceil (header) + 6;
  dot = _lt_render_graph_build_dot (graph, gr, node_sizes, folded_sizes, header_sizes);

  geom = g_new0 (RenderGeometry, 1);
  g_atomic_ref_count_init (&geom->ref);
  geom->n_nodes = n;
  geom->node_rect = g_new0 (LtRenderRect, MAX (n, 1));
  geom->node_folded = g_memdup2 (gr->node_folded, sizeof (gint) * MAX (n, 1));
  geom->groups = g_array_new (FALSE, TRUE, sizeof (GeomGroup));
  g_array_set_clear_func (geom->groups, geom_group_clear);
  geom->edges = g_array_new (FALSE, TRUE, sizeof (GeomEdge));
  g_array_set_clear_func (geom->edges, geom_edge_clear);
  for (guint i = 0; i < n; i++)
    if (gr->node_folded[i] >= 0)
      geom->node_rect[i].width = -1;
  for (guint k = 0; k < n_groups; k++)
    {
      const RenderGroup *g = &g_array_index (gr->groups, RenderGroup, k);
      GeomGroup          gg = { 0 };

      gg.module = g_strdup (g->module);
      gg.parent = g->parent;
      gg.depth = g->depth;
      gg.folded = g->folded && !g->hidden;
      gg.n_nodes = g->n_nodes;
      g_array_append_val (geom->groups, gg);
    }
  if (n == 0)
    {
      geom->width = geom->height = 2 * MARGIN;
      return geom;
    }
  if (!run_graphviz (geom, dot, graph->edges->len, error))
    {
      geometry_unref (geom);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    geom->n_boxes += gr->node_folded[i] < 0;
  for (guint k = 0; k < n_groups; k++)
    {
      GeomGroup *gg = &g_array_index (geom->groups, GeomGroup, k);

      geom->n_boxes += gg->folded && gg->drawn;
      /* the header's height: what graphviz kept free, at least our text */
      if (!gg->folded)
        gg->header = MAX (gg->header, header - 2);
    }
  return geom;
}

/* The cache */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
cache_key (LtRenderGraph *graph, const char *const *folded, const LtRenderTheme *theme)
{
  g_autofree char *structure = _lt_render_graph_structure_key (graph);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *key = g_string_new (structure);
  char     size[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint k = 0; folded && folded[k]; k++)
    g_ptr_array_add (sorted, (gpointer) folded[k]);
  g_ptr_array_sort (sorted, compare_strings);
  for (guint k = 0; k < sorted->len; k++)
    if (k == 0 || strcmp (sorted->pdata[k], sorted->pdata[k - 1]) != 0)
      g_string_append_printf (key, "\x1f%s", (const char *) sorted->pdata[k]);
  g_string_append_printf (key, "\x1e%s\x1e%s", theme->font_family,
                          g_ascii_formatd (size, sizeof size, "%.3f", theme->font_size));
  return g_string_free (key, FALSE);
}

void
lt_render_graph_layout_clear_cache (void)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&cache_lock);

  g_clear_pointer (&cache, g_hash_table_unref);
}

LtRenderGraphLayout *
lt_render_graph_layout_new (LtRenderGraph       *graph,
                            const char *const   *folded,
                            const LtRenderTheme *theme,
                            GError             **error)
{
  g_autofree char     *key = NULL;
  RenderGeometry      *geom = NULL;
  LtRenderGraphLayout *self;

  g_return_val_if_fail (graph != NULL, NULL);
  g_return_val_if_fail (theme != NULL, NULL);
  key = cache_key (graph, folded, theme);
  g_mutex_lock (&cache_lock);
  if (cache && (geom = g_hash_table_lookup (cache, key)))
    geometry_ref (geom);
  g_mutex_unlock (&cache_lock);
  if (geom == NULL)
    {
      geom = compute_geometry (graph, folded, theme, error);
      if (geom == NULL)
        return NULL;
      g_mutex_lock (&cache_lock);
      if (cache == NULL)
        cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, geometry_unref);
      if (g_hash_table_size (cache) >= CACHE_MAX)
        g_hash_table_remove_all (cache);
      g_hash_table_replace (cache, g_steal_pointer (&key), geometry_ref (geom));
      g_mutex_unlock (&cache_lock);
    }
  self = g_new0 (LtRenderGraphLayout, 1);
  g_atomic_ref_count_init (&self->ref);
  self->geom = geom;
  self->graph = lt_render_graph_ref (graph);
  self->theme = *theme;
  return self;
}

LtRenderGraphLayout *
lt_render_graph_layout_ref (LtRenderGraphLayout *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lt_render_graph_layout_unref (LtRenderGraphLayout *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  geometry_unref (self->geom);
  lt_render_graph_unref (self->graph);
  g_free (self);
}

LtRenderGraph *
lt_render_graph_layout_get_graph (LtRenderGraphLayout *self)
{
  return self->graph;
}

void
lt_render_graph_layout_get_size (LtRenderGraphLayout *self, double *width, double *height)
{
  if (width)
    *width = self->geom->width;
  if (height)
    *height = self->geom->height;
}

gboolean
lt_render_graph_layout_get_node_rect (LtRenderGraphLayout *self, guint node, LtRenderRect *rect)
{
  if (node >= self->geom->n_nodes || self->geom->node_rect[node].width < 0)
    return FALSE;
  if (rect)
    *rect = self->geom->node_rect[node];
  return TRUE;
}

const char *
lt_render_graph_layout_get_group_of (LtRenderGraphLayout *self, guint node)
{
  if (node >= self->geom->n_nodes || self->geom->node_folded[node] < 0)
    return NULL;
  return g_array_index (self->geom->groups, GeomGroup, self->geom->node_folded[node]).module;
}

gboolean
lt_render_graph_layout_get_group_rect (LtRenderGraphLayout *self,
                                       const char          *module,
                                       LtRenderRect        *rect,
                                       gboolean            *folded)
{
  for (guint k = 0; k < self->geom->groups->len; k++)
    {
      GeomGroup *g = &g_array_index (self->geom->groups, GeomGroup, k);

      if (g->drawn && g_strcmp0 (g->module, module) == 0)
        {
          if (rect)
            *rect = g->rect;
          if (folded)
            *folded = g->folded;
          return TRUE;
        }
    }
  return FALSE;
}

guint
lt_render_graph_layout_get_n_boxes (LtRenderGraphLayout *self)
{
  return self->geom->n_boxes;
}

guint
lt_render_graph_layout_get_n_drawn_edges (LtRenderGraphLayout *self)
{
  return self->geom->edges->len;
}

gboolean
lt_render_graph_layout_get_drawn_edge (LtRenderGraphLayout *self,
                                       guint                index,
                                       guint               *edge,
                                       gint                *from_node,
                                       const char         **from_group,
                                       gint                *to_node,
                                       const char         **to_group)
{
  const GeomEdge *e;
  GArray         *groups = self->geom->groups;

  if (index >= self->geom->edges->len)
    return FALSE;
  e = &g_array_index (self->geom->edges, GeomEdge, index);
  if (edge)
    *edge = e->edge;
  if (from_node)
    *from_node = e->from_node;
  if (to_node)
    *to_node = e->to_node;
  if (from_group)
    *from_group =
      e->from_group >= 0 ? g_array_index (groups, GeomGroup, e->from_group).module : NULL;
  if (to_group)
    *to_group = e->to_group >= 0 ? g_array_index (groups, GeomGroup, e->to_group).module : NULL;
  return TRUE;
}
