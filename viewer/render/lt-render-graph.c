/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lt-render-graph-private.h"

/*
 * The plain description of an autograd graph, its groups under a fold
 * state, what each box says, and the DOT text (for export, and for the
 * layout in lt-render-graph-layout.c).
 */

static void
node_clear (gpointer data)
{
  LtRenderGraphNode *n = data;

  g_free (n->op);
  g_free (n->module);
  g_free (n->leaf_name);
}

LtRenderGraph *
lt_render_graph_new (void)
{
  LtRenderGraph *self = g_new0 (LtRenderGraph, 1);

  g_atomic_ref_count_init (&self->ref);
  self->nodes = g_array_new (FALSE, TRUE, sizeof (LtRenderGraphNode));
  g_array_set_clear_func (self->nodes, node_clear);
  self->edges = g_array_new (FALSE, TRUE, sizeof (LtRenderGraphEdge));
  return self;
}

LtRenderGraph *
lt_render_graph_new_from_graph (LtGraph *graph)
{
  LtRenderGraph *self;
  guint          n_nodes, n_edges, n_leaves;

  g_return_val_if_fail (LT_IS_GRAPH (graph), NULL);
  self = lt_render_graph_new ();
  n_nodes = lt_graph_get_n_nodes (graph);
  for (guint i = 0; i < n_nodes; i++)
    {
      guint         n_dims = 0;
      const gint64 *shape = lt_graph_get_node_shape (graph, i, &n_dims);
      LtGradStats   stats;

      lt_render_graph_add_node (self, lt_graph_get_node_name (graph, i),
                                lt_graph_get_node_module (graph, i), shape, n_dims);
      if (lt_graph_get_node_grad_stats (graph, i, &stats))
        lt_render_graph_set_grad_stats (self, i, stats.mean, stats.std, stats.min, stats.max,
                                        stats.norm, stats.numel);
    }
  n_leaves = lt_graph_get_n_leaves (graph);
  for (guint k = 0; k < n_leaves; k++)
    {
      guint     node = 0;
      LtTensor *leaf = lt_graph_get_leaf (graph, k, &node);

      if (leaf != NULL)
        lt_render_graph_set_leaf (self, node, lt_graph_get_leaf_name (graph, k),
                                  lt_tensor_get_is_parameter (leaf), lt_tensor_numel (leaf));
    }
  n_edges = lt_graph_get_n_edges (graph);
  for (guint e = 0; e < n_edges; e++)
    {
      guint         from = 0, to = 0, n_dims = 0;
      const gint64 *shape;

      if (!lt_graph_get_edge (graph, e, &from, &to))
        continue;
      shape = lt_graph_get_edge_shape (graph, e, &n_dims);
      lt_render_graph_add_edge (self, from, to, shape, n_dims);
    }
  return self;
}

LtRenderGraph *
lt_render_graph_ref (LtRenderGraph *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lt_render_graph_unref (LtRenderGraph *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  g_free (self);
}

/* A shape given with n_dims G_MAXUINT (or NULL with 0 dimensions from a
 * caller that knows none) is unknown; NULL with 0 is a scalar. */
static void
set_shape (gint64 *dst, guint *dst_n, gboolean *known, const gint64 *shape, guint n_dims)
{
  *known = n_dims <= LT_MAX_DIMS && (shape != NULL || n_dims == 0);
  *dst_n = *known ? n_dims : 0;
  if (*known && n_dims > 0)
    memcpy (dst, shape, n_dims * sizeof (gint64));
}

guint
lt_render_graph_add_node (LtRenderGraph *self,
                          const char    *op,
                          const char    *module,
                          const gint64  *shape,
                          guint          n_dims)
{
  LtRenderGraphNode n = { 0 };

  g_return_val_if_fail (self != NULL, 0);
  n.op = g_strdup (op ? op : "?");
  n.module = module && *module ? g_strdup (module) : NULL;
  set_shape (n.shape, &n.n_dims, &n.has_shape, shape, n_dims);
  g_array_append_val (self->nodes, n);
  return self->nodes->len - 1;
}

void
lt_render_graph_set_leaf (LtRenderGraph *self,
                          guint          node,
                          const char    *name,
                          gboolean       is_parameter,
                          gint64         numel)
{
  LtRenderGraphNode *n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (node < self->nodes->len);
  n = &g_array_index (self->nodes, LtRenderGraphNode, node);
  n->is_leaf = TRUE;
  n->is_parameter = is_parameter;
  g_free (n->leaf_name);
  n->leaf_name = g_strdup (name);
  n->numel = numel;
}

void
lt_render_graph_set_grad_stats (LtRenderGraph *self,
                                guint          node,
                                double         mean,
                                double         std,
                                double         min,
                                double         max,
                                double         norm,
                                gint64         numel)
{
  LtRenderGraphNode *n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (node < self->nodes->len);
  n = &g_array_index (self->nodes, LtRenderGraphNode, node);
  n->has_grad_stats = TRUE;
  n->grad_mean = mean;
  n->grad_std = std;
  n->grad_min = min;
  n->grad_max = max;
  n->grad_norm = norm;
  n->grad_numel = numel;
}

gboolean
lt_render_graph_add_edge (LtRenderGraph *self,
                          guint          from,
                          guint          to,
                          const gint64  *shape,
                          guint          n_dims)
{
  LtRenderGraphEdge e = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  if (from >= self->nodes->len || to >= self->nodes->len)
    return FALSE;
  e.from = from;
  e.to = to;
  set_shape (e.shape, &e.n_dims, &e.has_shape, shape, n_dims);
  g_array_append_val (self->edges, e);
  return TRUE;
}

guint
lt_render_graph_get_n_nodes (LtRenderGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->nodes->len;
}

guint
lt_render_graph_get_n_edges (LtRenderGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->edges->len;
}

const LtRenderGraphNode *
lt_render_graph_get_node (LtRenderGraph *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  return &g_array_index (self->nodes, LtRenderGraphNode, index);
}

const LtRenderGraphEdge *
lt_render_graph_get_edge (LtRenderGraph *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->edges->len, NULL);
  return &g_array_index (self->edges, LtRenderGraphEdge, index);
}

gint
lt_render_graph_get_output (LtRenderGraph *self)
{
  g_autofree gboolean *feeds = NULL;

  g_return_val_if_fail (self != NULL, -1);
  if (self->nodes->len == 0)
    return -1;
  feeds = g_new0 (gboolean, self->nodes->len);
  for (guint e = 0; e < self->edges->len; e++)
    feeds[g_array_index (self->edges, LtRenderGraphEdge, e).from] = TRUE;
  for (guint i = self->nodes->len; i-- > 0;)
    if (!feeds[i])
      return (gint) i;
  return (gint) self->nodes->len - 1;
}

/* Groups */

static gint
find_or_add_group (GArray *groups, GHashTable *index, const char *path)
{
  gpointer    found;
  const char *dot;
  gint        parent = -1;
  RenderGroup g = { 0 };

  if (g_hash_table_lookup_extended (index, path, NULL, &found))
    return GPOINTER_TO_INT (found);
  dot = strrchr (path, '.');
  if (dot != NULL && dot > path)
    {
      g_autofree char *up = g_strndup (path, dot - path);

      parent = find_or_add_group (groups, index, up);
    }
  g.module = g_strdup (path);
  g.parent = parent;
  g.depth = parent < 0 ? 0 : g_array_index (groups, RenderGroup, parent).depth + 1;
  g_array_append_val (groups, g);
  g_hash_table_insert (index, g_array_index (groups, RenderGroup, groups->len - 1).module,
                       GINT_TO_POINTER (groups->len - 1));
  return (gint) groups->len - 1;
}

static void
group_clear (gpointer data)
{
  g_free (((RenderGroup *) data)->module);
}

RenderGrouping *
_lt_render_grouping_new (LtRenderGraph *graph, const char *const *folded)
{
  RenderGrouping *gr = g_new0 (RenderGrouping, 1);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = graph->nodes->len;

  gr->groups = g_array_new (FALSE, TRUE, sizeof (RenderGroup));
  g_array_set_clear_func (gr->groups, group_clear);
  gr->node_group = g_new (gint, MAX (n, 1));
  gr->node_folded = g_new (gint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      const char *m = g_array_index (graph->nodes, LtRenderGraphNode, i).module;

      gr->node_group[i] = m ? find_or_add_group (gr->groups, index, m) : -1;
    }
  for (guint k = 0; folded && folded[k]; k++)
    {
      gpointer found;

      if (g_hash_table_lookup_extended (index, folded[k], NULL, &found))
        g_array_index (gr->groups, RenderGroup, GPOINTER_TO_INT (found)).folded = TRUE;
    }
  /* Parents come first: a group is hidden when its parent is folded or
   * hidden. */
  for (guint k = 0; k < gr->groups->len; k++)
    {
      RenderGroup *g = &g_array_index (gr->groups, RenderGroup, k);

      if (g->parent >= 0)
        {
          RenderGroup *p = &g_array_index (gr->groups, RenderGroup, g->parent);

          g->hidden = p->folded || p->hidden;
        }
    }
  for (guint i = 0; i < n; i++)
    {
      gr->node_folded[i] = -1;
      for (gint k = gr->node_group[i]; k >= 0;
           k = g_array_index (gr->groups, RenderGroup, k).parent)
        {
          RenderGroup *g = &g_array_index (gr->groups, RenderGroup, k);

          g->n_nodes++;
          if (g->folded && !g->hidden)
            gr->node_folded[i] = k;
        }
    }
  return gr;
}

void
_lt_render_grouping_free (RenderGrouping *gr)
{
  if (gr == NULL)
    return;
  g_array_unref (gr->groups);
  g_free (gr->node_group);
  g_free (gr->node_folded);
  g_free (gr);
}

char **
lt_render_graph_dup_modules (LtRenderGraph *self)
{
  g_autoptr(RenderGrouping) gr = NULL;
  GPtrArray *out;

  g_return_val_if_fail (self != NULL, NULL);
  gr = _lt_render_grouping_new (self, NULL);
  out = g_ptr_array_new ();
  for (guint k = 0; k < gr->groups->len; k++)
    g_ptr_array_add (out, g_strdup (g_array_index (gr->groups, RenderGroup, k).module));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* What boxes say */

static char *
count_text (gint64 numel)
{
  g_autofree char *n = lt_render_format_count (numel);

  /* Translators: the element count of a parameter in the graph ("61.7 k
   * elements") */
  return g_strdup_printf (
    g_dngettext (GETTEXT_PACKAGE, "%s element", "%s elements", (gulong) MIN (numel, G_MAXINT)), n);
}

char **
_lt_render_graph_node_lines (LtRenderGraph *graph, guint node)
{
  const LtRenderGraphNode *n = &g_array_index (graph->nodes, LtRenderGraphNode, node);
  GPtrArray               *lines = g_ptr_array_new ();

  if (n->is_leaf)
    {
      g_ptr_array_add (lines, g_strdup (n->leaf_name      ? n->leaf_name
                                        : n->is_parameter ? _ ("parameter")
                                                          : _ ("input")));
      if (n->has_shape)
        g_ptr_array_add (lines, lt_render_format_shape (n->shape, n->n_dims));
      g_ptr_array_add (lines, count_text (n->numel));
    }
  else
    g_ptr_array_add (lines, g_strdup (n->op));
  if (n->has_grad_stats)
    g_ptr_array_add (lines, g_strdup_printf ("\u2016\u2207\u2016 %.3g", n->grad_norm));
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

char **
_lt_render_graph_folded_lines (const RenderGroup *group)
{
  char **lines = g_new0 (char *, 3);

  lines[0] = g_strdup_printf ("\u25b8 %s", group->module);
  /* Translators: a folded group of the graph: how many nodes it holds */
  lines[1] = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u node", "%u nodes", group->n_nodes),
                              group->n_nodes);
  return lines;
}

char *
lt_render_graph_describe_node (LtRenderGraph *self, guint index)
{
  const LtRenderGraphNode *n;
  GString                 *s;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->nodes->len, NULL);
  n = &g_array_index (self->nodes, LtRenderGraphNode, index);
  s = g_string_new (n->op);
  g_string_append_c (s, '\n');
  if (n->module)
    g_string_append_printf (s, _ ("Module: %s"), n->module), g_string_append_c (s, '\n');
  if (n->is_leaf)
    {
      g_autofree char *count = count_text (n->numel);

      g_string_append_printf (s, n->is_parameter ? _ ("Parameter: %s") : _ ("Leaf: %s"),
                              n->leaf_name ? n->leaf_name : "\u2014");
      g_string_append_printf (s, " (%s)\n", count);
    }
  if (n->has_shape)
    {
      g_autofree char *shape = lt_render_format_shape (n->shape, n->n_dims);

      g_string_append_printf (s, n->is_leaf ? _ ("Shape: %s") : _ ("Output shape: %s"), shape);
      g_string_append_c (s, '\n');
    }
  if (n->has_grad_stats)
    {
      g_string_append_printf (s,
                              _ ("Gradient: mean %.4g, std %.4g, min %.4g, max %.4g, norm "
                                 "%.4g"),
                              n->grad_mean, n->grad_std, n->grad_min, n->grad_max, n->grad_norm);
      g_string_append_c (s, '\n');
    }
  else
    g_string_append_printf (s, "%s\n", _ ("No gradient recorded"));
  g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

/* DOT */

static void
append_quoted (GString *s, const char *text)
{
  g_string_append_c (s, '"');
  for (const char *c = text; *c; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (s, '\\');
      if (*c == '\n')
        g_string_append (s, "\\n");
      else
        g_string_append_c (s, *c);
    }
  g_string_append_c (s, '"');
}

static void
append_color (GString *s, const char *attr, const LtRenderColor *c)
{
  g_string_append_printf (s, "%s=\"#%02x%02x%02x\"", attr, (int) lround (c->red * 255),
                          (int) lround (c->green * 255), (int) lround (c->blue * 255));
}

static void
append_inches (GString *s, const char *attr, double points)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, "%s=%s", attr,
                          g_ascii_formatd (buf, sizeof buf, "%.4f", points / 72.0));
}

typedef struct
{
  LtRenderGraph        *graph;
  const RenderGrouping *gr;
  const RenderSize     *node_sizes; /* NULL: for export */
  const RenderSize     *folded_sizes;
  const RenderSize     *header_sizes;
  LtRenderTheme         theme;
  GString              *s;
} DotBuilder;

static void
emit_node (DotBuilder *b, guint i, int indent)
{
  const LtRenderGraphNode *n = &g_array_index (b->graph->nodes, LtRenderGraphNode, i);
  GString                 *s = b->s;

  g_string_append_printf (s, "%*sn%u [", indent, "", i);
  if (b->node_sizes)
    {
      append_inches (s, "width", b->node_sizes[i].width);
      g_string_append (s, ", ");
      append_inches (s, "height", b->node_sizes[i].height);
    }
  else
    {
      g_auto(GStrv) lines = _lt_render_graph_node_lines (b->graph, i);
      g_autofree char *label = g_strjoinv ("\n", lines);
      gboolean         output = (gint) i == lt_render_graph_get_output (b->graph);

      g_string_append (s, "label=");
      append_quoted (s, label);
      g_string_append (s, ", ");
      append_color (s, "fillcolor",
                    n->is_leaf ? (n->is_parameter ? &b->theme.param_fill : &b->theme.leaf_fill)
                    : output   ? &b->theme.output_fill
                               : &b->theme.op_fill);
    }
  g_string_append (s, "];\n");
}

static void
emit_folded (DotBuilder *b, guint k, int indent)
{
  const RenderGroup *g = &g_array_index (b->gr->groups, RenderGroup, k);
  GString           *s = b->s;

  g_string_append_printf (s, "%*sf%u [", indent, "", k);
  if (b->node_sizes)
    {
      append_inches (s, "width", b->folded_sizes[k].width);
      g_string_append (s, ", ");
      append_inches (s, "height", b->folded_sizes[k].height);
    }
  else
    {
      g_auto(GStrv) lines = _lt_render_graph_folded_lines (g);
      g_autofree char *label = g_strjoinv ("\n", lines);

      g_string_append (s, "label=");
      append_quoted (s, label);
      g_string_append (s, ", shape=box3d, ");
      append_color (s, "fillcolor", &b->theme.panel);
    }
  g_string_append (s, "];\n");
}

/* The members of group @k (-1: the top level): its own nodes, the folded
 * groups right inside it, the clusters of the unfolded ones. */
static void
emit_members (DotBuilder *b, gint k, int indent)
{
  const RenderGrouping *gr = b->gr;

  for (guint i = 0; i < b->graph->nodes->len; i++)
    if (gr->node_group[i] == k && gr->node_folded[i] < 0)
      emit_node (b, i, indent);
  for (guint c = 0; c < gr->groups->len; c++)
    {
      const RenderGroup *g = &g_array_index (gr->groups, RenderGroup, c);

      if (g->parent != k || g->hidden)
        continue;
      if (g->folded)
        {
          emit_folded (b, c, indent);
          continue;
        }
      g_string_append_printf (b->s, "%*ssubgraph cluster_%u {\n", indent, "", c);
      if (b->node_sizes)
        {
          /* The header's room: an empty cell of its size, so that
           * graphviz measures no text (its text layout would keep fonts
           * of its own alive) */
          g_string_append_printf (b->s,
                                  "%*slabel=<<TABLE BORDER=\"0\" CELLBORDER=\"0\" "
                                  "CELLSPACING=\"0\" CELLPADDING=\"0\"><TR><TD FIXEDSIZE=\"TRUE\" "
                                  "WIDTH=\"%d\" HEIGHT=\"%d\"></TD></TR></TABLE>>;\n"
                                  "%*slabeljust=l; margin=10;\n",
                                  indent + 2, "", (int) ceil (b->header_sizes[c].width),
                                  (int) ceil (b->header_sizes[c].height), indent + 2, "");
        }
      else
        {
          g_string_append_printf (b->s, "%*slabel=", indent + 2, "");
          append_quoted (b->s, g->module);
          g_string_append (b->s, ";\n");
          g_string_append_printf (b->s, "%*sstyle=rounded; labeljust=l; ", indent + 2, "");
          append_color (b->s, "color", &b->theme.grid);
          g_string_append (b->s, ";\n");
        }
      emit_members (b, (gint) c, indent + 2);
      g_string_append_printf (b->s, "%*s}\n", indent, "");
    }
}

/* The box an endpoint is drawn as: "n<i>" or "f<k>" */
static void
box_name (const RenderGrouping *gr, guint node, char *buf, gsize size)
{
  if (gr->node_folded[node] >= 0)
    g_snprintf (buf, size, "f%d", gr->node_folded[node]);
  else
    g_snprintf (buf, size, "n%u", node);
}

char *
_lt_render_graph_build_dot (LtRenderGraph        *graph,
                            const RenderGrouping *gr,
                            const RenderSize     *node_sizes,
                            const RenderSize     *folded_sizes,
                            const RenderSize     *header_sizes)
{
  DotBuilder b = { graph, gr, node_sizes, folded_sizes, header_sizes };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *s = g_string_new ("digraph autograd {\n");

  lt_render_theme_init (&b.theme, FALSE);
  b.s = s;
  if (node_sizes)
    g_string_append (s, "  graph [rankdir=TB, nodesep=0.3, ranksep=0.5, fontname=\"Helvetica\"];\n"
                        "  node [shape=box, fixedsize=true, label=\"\"];\n");
  else
    {
      g_string_append (s, "  graph [rankdir=TB, fontname=\"Sans\", fontsize=11];\n"
                          "  node [shape=box, style=\"rounded,filled\", fontname=\"Sans\", "
                          "fontsize=10];\n"
                          "  edge [fontname=\"Sans\", fontsize=8, ");
      append_color (s, "color", &b.theme.muted);
      g_string_append (s, ", ");
      append_color (s, "fontcolor", &b.theme.muted);
      g_string_append (s, "];\n");
    }
  emit_members (&b, -1, 2);

  /* Edges between boxes, once per pair; none inside a folded group */
  for (guint j = 0; j < graph->edges->len; j++)
    {
      const LtRenderGraphEdge *e = &g_array_index (graph->edges, LtRenderGraphEdge, j);
      char                     from[32], to[32];
      char                    *key;

      box_name (gr, e->from, from, sizeof from);
      box_name (gr, e->to, to, sizeof to);
      if (strcmp (from, to) == 0)
        continue;
      key = g_strconcat (from, " ", to, NULL);
      if (!g_hash_table_add (seen, key))
        continue;
      g_string_append_printf (s, "  %s -> %s [id=\"e%u\"", from, to, j);
      if (!node_sizes && e->has_shape)
        {
          g_autofree char *shape = lt_render_format_shape (e->shape, e->n_dims);

          g_string_append (s, ", label=");
          append_quoted (s, shape);
        }
      g_string_append (s, "];\n");
    }
  g_string_append (s, "}\n");
  return g_string_free (s, FALSE);
}

char *
lt_render_graph_to_dot (LtRenderGraph *self, const char *const *folded)
{
  g_autoptr(RenderGrouping) gr = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  gr = _lt_render_grouping_new (self, folded);
  return _lt_render_graph_build_dot (self, gr, NULL, NULL, NULL);
}

gboolean
lt_render_graph_write_dot (LtRenderGraph     *self,
                           const char *const *folded,
                           const char        *path,
                           GError           **error)
{
  g_autofree char *dot = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  dot = lt_render_graph_to_dot (self, folded);
  return lt_render_write_text (path, dot, -1, error);
}

char *
_lt_render_graph_structure_key (LtRenderGraph *self)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      const LtRenderGraphNode *n = &g_array_index (self->nodes, LtRenderGraphNode, i);

      g_string_append_printf (s, "%s|%s|%d%d%d|%s|%" G_GINT64_FORMAT "|%d:", n->op,
                              n->module ? n->module : "", n->is_leaf, n->is_parameter,
                              n->has_grad_stats, n->leaf_name ? n->leaf_name : "", n->numel,
                              n->has_shape);
      for (guint d = 0; d < n->n_dims; d++)
        g_string_append_printf (s, "%" G_GINT64_FORMAT ",", n->shape[d]);
      g_string_append_c (s, '\n');
    }
  for (guint j = 0; j < self->edges->len; j++)
    {
      const LtRenderGraphEdge *e = &g_array_index (self->edges, LtRenderGraphEdge, j);

      g_string_append_printf (s, "%u>%u|%d:", e->from, e->to, e->has_shape);
      for (guint d = 0; d < e->n_dims; d++)
        g_string_append_printf (s, "%" G_GINT64_FORMAT ",", e->shape[d]);
      g_string_append_c (s, '\n');
    }
  g_checksum_update (sum, (const guchar *) s->str, (gssize) s->len);
  g_string_free (s, TRUE);
  return g_strdup (g_checksum_get_string (sum));
}
