/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The graph view: the description from an LtGraph, the layout (top to
 * bottom, groups, folding and re-routed edges, the cache), hit-testing,
 * drawing and files.
 */
#include <math.h>
#include <string.h>

#include <gvc.h>

#include "render-helpers.h"
#include "lt-train-net.h"

static LtRenderTheme theme;

enum
{
  X,
  W,
  MM,
  B,
  ADD,
  RELU,
  W2,
  MM2,
  SUM,
  N_NODES
};

/* A small network by hand: lin (w, mm, b, add) -> relu -> out (w2, mm2)
 * -> sum; x is an input leaf. */
static LtRenderGraph *
small_graph (gboolean stats)
{
  LtRenderGraph *g = lt_render_graph_new ();
  const gint64   xs[2] = { 4, 3 }, ws[2] = { 3, 5 }, hs[2] = { 4, 5 }, bs[1] = { 5 };
  const gint64   w2s[2] = { 5, 2 }, os[2] = { 4, 2 };

  g_assert_cmpuint (lt_render_graph_add_node (g, "AccumulateGrad", NULL, xs, 2), ==, X);
  g_assert_cmpuint (lt_render_graph_add_node (g, "AccumulateGrad", "lin", ws, 2), ==, W);
  g_assert_cmpuint (lt_render_graph_add_node (g, "MmBackward0", "lin", hs, 2), ==, MM);
  g_assert_cmpuint (lt_render_graph_add_node (g, "AccumulateGrad", "lin", bs, 1), ==, B);
  g_assert_cmpuint (lt_render_graph_add_node (g, "AddBackward0", "lin", hs, 2), ==, ADD);
  g_assert_cmpuint (lt_render_graph_add_node (g, "ReluBackward0", NULL, hs, 2), ==, RELU);
  g_assert_cmpuint (lt_render_graph_add_node (g, "AccumulateGrad", "out", w2s, 2), ==, W2);
  g_assert_cmpuint (lt_render_graph_add_node (g, "MmBackward0", "out", os, 2), ==, MM2);
  g_assert_cmpuint (lt_render_graph_add_node (g, "SumBackward0", NULL, NULL, 0), ==, SUM);
  lt_render_graph_set_leaf (g, X, NULL, FALSE, 12);
  lt_render_graph_set_leaf (g, W, "lin.weight", TRUE, 15);
  lt_render_graph_set_leaf (g, B, "lin.bias", TRUE, 5);
  lt_render_graph_set_leaf (g, W2, "out.weight", TRUE, 10);
  g_assert_true (lt_render_graph_add_edge (g, X, MM, xs, 2));
  g_assert_true (lt_render_graph_add_edge (g, W, MM, ws, 2));
  g_assert_true (lt_render_graph_add_edge (g, MM, ADD, hs, 2));
  g_assert_true (lt_render_graph_add_edge (g, B, ADD, bs, 1));
  g_assert_true (lt_render_graph_add_edge (g, ADD, RELU, hs, 2));
  g_assert_true (lt_render_graph_add_edge (g, RELU, MM2, hs, 2));
  g_assert_true (lt_render_graph_add_edge (g, W2, MM2, w2s, 2));
  g_assert_true (lt_render_graph_add_edge (g, MM2, SUM, os, 2));
  g_assert_false (lt_render_graph_add_edge (g, SUM, 99, NULL, 0));
  if (stats)
    for (guint i = 0; i < N_NODES; i++)
      lt_render_graph_set_grad_stats (g, i, 0.5 * i, 1, -1, 2, 3.25 + i, 8);
  return g;
}

static LtRenderGraphLayout *
layout_of (LtRenderGraph *g, const char *const *folded)
{
  g_autoptr(GError) error = NULL;
  LtRenderGraphLayout *layout = lt_render_graph_layout_new (g, folded, &theme, &error);

  g_assert_no_error (error);
  g_assert_nonnull (layout);
  return layout;
}

static void
test_describe (void)
{
  g_autoptr(LtRenderGraph) g = small_graph (TRUE);
  g_auto(GStrv) modules = lt_render_graph_dup_modules (g);
  g_autofree char         *w = lt_render_graph_describe_node (g, W);
  g_autofree char         *relu = lt_render_graph_describe_node (g, RELU);
  const LtRenderGraphNode *n = lt_render_graph_get_node (g, W);
  const LtRenderGraphEdge *e = lt_render_graph_get_edge (g, 1);

  g_test_summary ("the description: nodes, leaves, edges, modules, the output, what a "
                  "selected node shows");
  g_assert_cmpuint (lt_render_graph_get_n_nodes (g), ==, N_NODES);
  g_assert_cmpuint (lt_render_graph_get_n_edges (g), ==, 8);
  g_assert_cmpint (lt_render_graph_get_output (g), ==, SUM);
  g_assert_cmpstrv (modules, ((const char *const[]){ "lin", "out", NULL }));
  g_assert_true (n->is_leaf && n->is_parameter);
  g_assert_cmpstr (n->leaf_name, ==, "lin.weight");
  g_assert_cmpuint (e->from, ==, W);
  g_assert_cmpuint (e->to, ==, MM);
  g_assert_true (e->has_shape);
  g_assert_cmpint (e->shape[1], ==, 5);
  g_assert_true (lt_render_graph_get_node (g, SUM)->has_shape);
  g_assert_cmpuint (lt_render_graph_get_node (g, SUM)->n_dims, ==, 0);
  g_assert_nonnull (strstr (w, "lin.weight"));
  g_assert_nonnull (strstr (w, "(3, 5)"));
  g_assert_nonnull (strstr (w, "15 elements"));
  g_assert_nonnull (strstr (w, "norm 4.25"));
  g_assert_nonnull (strstr (relu, "ReluBackward0"));
  g_assert_nonnull (strstr (relu, "(4, 5)"));
}

static void
test_layout_order (void)
{
  g_autoptr(LtRenderGraph) g = small_graph (FALSE);
  g_autoptr(LtRenderGraphLayout) layout = layout_of (g, NULL);
  LtRenderRect a, b, group;
  gboolean     folded = TRUE;
  double       w, h;

  g_test_summary ("top to bottom: every edge points down, the loss is the lowest box; "
                  "groups enclose their nodes");
  lt_render_graph_layout_get_size (layout, &w, &h);
  g_assert_cmpfloat (w, >, 0);
  g_assert_cmpuint (lt_render_graph_layout_get_n_boxes (layout), ==, N_NODES);
  g_assert_cmpuint (lt_render_graph_layout_get_n_drawn_edges (layout), ==, 8);
  for (guint j = 0; j < lt_render_graph_get_n_edges (g); j++)
    {
      const LtRenderGraphEdge *e = lt_render_graph_get_edge (g, j);

      g_assert_true (lt_render_graph_layout_get_node_rect (layout, e->from, &a));
      g_assert_true (lt_render_graph_layout_get_node_rect (layout, e->to, &b));
      g_assert_cmpfloat (a.y + a.height, <, b.y);
    }
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, SUM, &b));
  for (guint i = 0; i < N_NODES; i++)
    {
      g_assert_true (lt_render_graph_layout_get_node_rect (layout, i, &a));
      g_assert_cmpfloat (a.x, >=, 0);
      g_assert_cmpfloat (a.y, >=, 0);
      g_assert_cmpfloat (a.x + a.width, <=, w);
      g_assert_cmpfloat (a.y + a.height, <=, h);
      if (i != SUM)
        g_assert_cmpfloat (a.y, <, b.y);
    }
  /* the group "lin" holds its four nodes, its header above them */
  g_assert_true (lt_render_graph_layout_get_group_rect (layout, "lin", &group, &folded));
  g_assert_false (folded);
  for (guint i = W; i <= ADD; i++)
    {
      g_assert_true (lt_render_graph_layout_get_node_rect (layout, i, &a));
      g_assert_cmpfloat (a.x, >=, group.x);
      g_assert_cmpfloat (a.y, >=, group.y + 10);
      g_assert_cmpfloat (a.x + a.width, <=, group.x + group.width);
      g_assert_cmpfloat (a.y + a.height, <=, group.y + group.height);
    }
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, RELU, &a));
  g_assert_false (lt_render_rect_contains (&group, a.x + 1, a.y + 1));
  g_assert_null (lt_render_graph_layout_get_group_of (layout, MM));
}

static void
test_fold (void)
{
  g_autoptr(LtRenderGraph) g = small_graph (FALSE);
  const char *const folded[] = { "lin", NULL };
  g_autoptr(LtRenderGraphLayout) layout = layout_of (g, folded);
  LtRenderRect box, relu, x;
  gboolean     is_folded = FALSE;
  guint        to_group = 0, from_group = 0;

  g_test_summary ("a folded group is one box: its nodes are hidden, edges that crossed its "
                  "border end at the box, edges inside it vanish");
  for (guint i = W; i <= ADD; i++)
    {
      g_assert_false (lt_render_graph_layout_get_node_rect (layout, i, NULL));
      g_assert_cmpstr (lt_render_graph_layout_get_group_of (layout, i), ==, "lin");
    }
  g_assert_true (lt_render_graph_layout_get_group_rect (layout, "lin", &box, &is_folded));
  g_assert_true (is_folded);
  g_assert_cmpuint (lt_render_graph_layout_get_n_boxes (layout), ==, N_NODES - 4 + 1);
  /* x -> lin and lin -> relu remain of the five edges touching lin */
  g_assert_cmpuint (lt_render_graph_layout_get_n_drawn_edges (layout), ==, 8 - 5 + 2);
  for (guint i = 0; i < lt_render_graph_layout_get_n_drawn_edges (layout); i++)
    {
      guint       edge;
      gint        from_node, to_node;
      const char *fg, *tg;

      g_assert_true (
        lt_render_graph_layout_get_drawn_edge (layout, i, &edge, &from_node, &fg, &to_node, &tg));
      if (g_strcmp0 (tg, "lin") == 0)
        {
          g_assert_cmpint (from_node, ==, X);
          g_assert_cmpint (to_node, ==, -1);
          g_assert_cmpuint (edge, ==, 0);
          to_group++;
        }
      if (g_strcmp0 (fg, "lin") == 0)
        {
          g_assert_cmpint (to_node, ==, RELU);
          from_group++;
        }
    }
  g_assert_cmpuint (to_group, ==, 1);
  g_assert_cmpuint (from_group, ==, 1);
  /* still top to bottom */
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, RELU, &relu));
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, X, &x));
  g_assert_cmpfloat (x.y + x.height, <, box.y);
  g_assert_cmpfloat (box.y + box.height, <, relu.y);
}

static void
test_nested (void)
{
  g_autoptr(LtRenderGraph) g = lt_render_graph_new ();
  g_autoptr(LtRenderGraphLayout) open = NULL, closed = NULL;
  const char *const folded[] = { "features", "no.such.module", NULL };
  g_auto(GStrv) modules = NULL;
  LtRenderRect outer, inner;
  guint        a, b, c, d;

  g_test_summary ("groups nest by dotted path; folding the outer one hides the inner ones");
  a = lt_render_graph_add_node (g, "ConvolutionBackward0", "features.0", NULL, G_MAXUINT);
  b = lt_render_graph_add_node (g, "ReluBackward0", "features.1", NULL, G_MAXUINT);
  c = lt_render_graph_add_node (g, "AddmmBackward0", "classifier", NULL, G_MAXUINT);
  d = lt_render_graph_add_node (g, "SumBackward0", NULL, NULL, G_MAXUINT);
  lt_render_graph_add_edge (g, a, b, NULL, G_MAXUINT);
  lt_render_graph_add_edge (g, b, c, NULL, G_MAXUINT);
  lt_render_graph_add_edge (g, c, d, NULL, G_MAXUINT);
  g_assert_false (lt_render_graph_get_node (g, a)->has_shape);
  modules = lt_render_graph_dup_modules (g);
  g_assert_cmpstrv (
    modules, ((const char *const[]){ "features", "features.0", "features.1", "classifier", NULL }));
  open = layout_of (g, NULL);
  g_assert_true (lt_render_graph_layout_get_group_rect (open, "features", &outer, NULL));
  g_assert_true (lt_render_graph_layout_get_group_rect (open, "features.0", &inner, NULL));
  g_assert_cmpfloat (inner.x, >, outer.x);
  g_assert_cmpfloat (inner.y, >, outer.y);
  g_assert_cmpfloat (inner.x + inner.width, <, outer.x + outer.width);
  closed = layout_of (g, folded);
  g_assert_false (lt_render_graph_layout_get_group_rect (closed, "features.0", NULL, NULL));
  g_assert_cmpstr (lt_render_graph_layout_get_group_of (closed, b), ==, "features");
  g_assert_cmpuint (lt_render_graph_layout_get_n_boxes (closed), ==, 3);
  g_assert_cmpuint (lt_render_graph_layout_get_n_drawn_edges (closed), ==, 2);
}

static void
test_hit_test (void)
{
  g_autoptr(LtRenderGraph) g = small_graph (FALSE);
  const char *const folded[] = { "out", NULL };
  g_autoptr(LtRenderGraphLayout) layout = layout_of (g, folded);
  LtRenderGraphView view;
  LtRenderGraphHit  hit;
  LtRenderRect      r;
  double            px, py;

  g_test_summary ("hit-testing finds nodes, group headers and folded groups, through zoom "
                  "and pan");
  lt_render_graph_view_init (&view);
  lt_render_graph_view_zoom (&view, 2, 10, 10);
  lt_render_graph_view_pan (&view, 15, -7);
  g_assert_cmpfloat (view.zoom, ==, 2);

  g_assert_true (lt_render_graph_layout_get_node_rect (layout, MM, &r));
  lt_render_graph_view_to_pixel (&view, r.x + r.width / 2, r.y + r.height / 2, &px, &py);
  g_assert_true (lt_render_graph_hit_test (layout, &view, px, py, &hit));
  g_assert_cmpint (hit.kind, ==, LT_RENDER_GRAPH_HIT_NODE);
  g_assert_cmpuint (hit.node, ==, MM);

  g_assert_true (lt_render_graph_layout_get_group_rect (layout, "lin", &r, NULL));
  lt_render_graph_view_to_pixel (&view, r.x + 4, r.y + 4, &px, &py);
  g_assert_true (lt_render_graph_hit_test (layout, &view, px, py, &hit));
  g_assert_cmpint (hit.kind, ==, LT_RENDER_GRAPH_HIT_GROUP_HEADER);
  g_assert_cmpstr (hit.module, ==, "lin");

  g_assert_true (lt_render_graph_layout_get_group_rect (layout, "out", &r, NULL));
  lt_render_graph_view_to_pixel (&view, r.x + r.width / 2, r.y + r.height / 2, &px, &py);
  g_assert_true (lt_render_graph_hit_test (layout, &view, px, py, &hit));
  g_assert_cmpint (hit.kind, ==, LT_RENDER_GRAPH_HIT_FOLDED_GROUP);
  g_assert_cmpstr (hit.module, ==, "out");

  lt_render_graph_view_to_pixel (&view, -50, -50, &px, &py);
  g_assert_false (lt_render_graph_hit_test (layout, &view, px, py, &hit));
  g_assert_cmpint (hit.kind, ==, LT_RENDER_GRAPH_HIT_NONE);

  /* from_pixel undoes to_pixel */
  {
    double x, y;

    lt_render_graph_view_from_pixel (&view, px, py, &x, &y);
    g_assert_cmpfloat_with_epsilon (x, -50, 1e-9);
    g_assert_cmpfloat_with_epsilon (y, -50, 1e-9);
  }
}

typedef struct
{
  LtRenderGraphLayout *layout;
  LtRenderGraphView   *view;
} Draw;

static void
draw_graph (cairo_t *cr, int width, int height, gpointer data)
{
  Draw *d = data;

  lt_render_graph_draw (d->layout, d->view, cr, width, height);
}

static void
test_draw (void)
{
  g_autoptr(LtRenderGraph) g = small_graph (TRUE);
  g_autoptr(LtRenderGraphLayout) layout = layout_of (g, NULL);
  LtRenderGraphView view;
  Draw              d = { layout, &view };
  LtRenderRect      r;
  cairo_surface_t  *s;
  double            lw, lh, px, py;

  g_test_summary ("drawn boxes: parameters coloured apart, the output in its colour, the "
                  "selection in the accent colour; fit shows everything");
  lt_render_graph_layout_get_size (layout, &lw, &lh);
  lt_render_graph_view_init (&view);
  view.selected = MM;
  s = lt_render_to_image ((int) ceil (lw), (int) ceil (lh), draw_graph, &d);
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, W, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x + 3, (int) r.y + 3), ==, color_rgb (&theme.param_fill));
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, SUM, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x + 3, (int) r.y + 3), ==, color_rgb (&theme.output_fill));
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, RELU, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x + 3, (int) r.y + 3), ==, color_rgb (&theme.op_fill));
  g_assert_true (lt_render_graph_layout_get_node_rect (layout, MM, &r));
  g_assert_cmphex (pixel_at (s, (int) (r.x + r.width / 2), (int) r.y), ==,
                   color_rgb (&theme.accent));
  /* text in the boxes */
  g_assert_cmpuint (count_pixels (s, (int) r.x, (int) r.y, (int) r.width, (int) r.height,
                                  color_rgb (&theme.foreground), 80),
                    >, 10);
  cairo_surface_destroy (s);

  /* Fit into 200 x 150: the whole layout within the area */
  lt_render_graph_view_fit (&view, layout, 200, 150);
  g_assert_cmpfloat (view.zoom, <=, 1);
  lt_render_graph_view_to_pixel (&view, 0, 0, &px, &py);
  g_assert_cmpfloat (px, >=, -1e-9);
  g_assert_cmpfloat (py, >=, -1e-9);
  lt_render_graph_view_to_pixel (&view, lw, lh, &px, &py);
  g_assert_cmpfloat (px, <=, 200 + 1e-9);
  g_assert_cmpfloat (py, <=, 150 + 1e-9);
}

static void
test_cache (void)
{
  g_autoptr(LtRenderGraph) a = small_graph (TRUE);
  g_autoptr(LtRenderGraph) b = small_graph (TRUE);
  g_autoptr(LtRenderGraphLayout) la = NULL, lb = NULL, lc = NULL;

  g_test_summary ("graphs of the same structure share one layout (other gradient values); "
                  "the layout draws the graph it was asked for");
  lt_render_graph_set_grad_stats (b, MM, 1, 2, 3, 4, 99.5, 8);
  la = layout_of (a, NULL);
  lb = layout_of (b, NULL);
  g_assert_true (lt_render_graph_layout_get_graph (lb) == b);
  for (guint i = 0; i < N_NODES; i++)
    {
      LtRenderRect ra, rb;

      g_assert_true (lt_render_graph_layout_get_node_rect (la, i, &ra));
      g_assert_true (lt_render_graph_layout_get_node_rect (lb, i, &rb));
      g_assert_cmpmem (&ra, sizeof ra, &rb, sizeof rb);
    }
  lt_render_graph_layout_clear_cache ();
  lc = layout_of (a, NULL);
  g_assert_cmpuint (lt_render_graph_layout_get_n_boxes (lc), ==, N_NODES);
}

static gpointer
layout_thread (gpointer data)
{
  LtRenderGraph    *g = data;
  const char *const folded[] = { "out", NULL };

  for (int i = 0; i < 5; i++)
    {
      LtRenderGraphLayout *l = layout_of (g, i % 2 ? folded : NULL);

      lt_render_graph_layout_unref (l);
      lt_render_graph_layout_clear_cache ();
    }
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(LtRenderGraph) g = small_graph (FALSE);
  g_autoptr(LtRenderGraph) h = small_graph (TRUE);
  GThread *t1 = g_thread_new ("layout-1", layout_thread, g);
  GThread *t2 = g_thread_new ("layout-2", layout_thread, h);

  g_test_summary ("layouts made on two threads at once (graphviz behind its lock)");
  layout_thread (g);
  g_thread_join (t1);
  g_thread_join (t2);
}

static void
test_from_lt_graph (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTrainNet) net = lt_train_net_new (3, &error);
  g_autoptr(LtTensor) x = NULL, out = NULL, y = NULL, loss = NULL;
  g_autoptr(LtCrossEntropyLoss) ce = NULL;
  g_autoptr(LtGraph) graph = NULL;
  g_autoptr(LtRenderGraph) rg = NULL;
  g_autoptr(LtRenderGraphLayout) layout = NULL;
  g_autoptr(LtRenderGraphLayout) folded_layout = NULL;
  const char *const folded[] = { "conv1", NULL };
  const gint64      shape[4] = { 2, 3, 32, 32 }, labels[2] = { 1, 7 }, n = 2;
  guint             params = 0, in_conv1 = 0;
  LtRenderRect      out_rect;

  g_test_summary ("the tutorial's network: one box per LtGraph node, names, modules, "
                  "parameter names and edge shapes from LtGraph; the loss at the bottom");
  g_assert_no_error (error);
  lt_manual_seed (1);
  x = lt_randn (shape, 4, LT_DTYPE_FLOAT32, &error);
  out = lt_module_forward (LT_MODULE (net), x, &error);
  y = lt_tensor_new_from_int64s (labels, 2, &n, 1, LT_DTYPE_INT64, &error);
  ce = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0, &error);
  loss = lt_loss_compute (LT_LOSS (ce), out, y, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (loss);
  lt_module_name_graph (LT_MODULE (net), graph);
  rg = lt_render_graph_new_from_graph (graph);

  g_assert_cmpuint (lt_render_graph_get_n_nodes (rg), ==, lt_graph_get_n_nodes (graph));
  g_assert_cmpuint (lt_render_graph_get_n_edges (rg), ==, lt_graph_get_n_edges (graph));
  for (guint i = 0; i < lt_render_graph_get_n_nodes (rg); i++)
    {
      const LtRenderGraphNode *node = lt_render_graph_get_node (rg, i);

      g_assert_cmpstr (node->op, ==, lt_graph_get_node_name (graph, i));
      g_assert_cmpstr (node->module, ==, lt_graph_get_node_module (graph, i));
      if (node->is_parameter)
        {
          params++;
          g_assert_nonnull (node->leaf_name);
          g_assert_true (g_str_has_prefix (node->leaf_name, node->module));
        }
      in_conv1 += g_strcmp0 (node->module, "conv1") == 0;
    }
  g_assert_cmpuint (params, ==, 10); /* 5 layers, weight and bias each */
  g_assert_cmpstr (lt_render_graph_get_node (rg, lt_render_graph_get_output (rg))->op, ==,
                   "NllLossBackward0");
  {
    guint                    nd = 0;
    const gint64            *s = lt_graph_get_edge_shape (graph, 0, &nd);
    const LtRenderGraphEdge *e = lt_render_graph_get_edge (rg, 0);

    g_assert_true (e->has_shape);
    g_assert_cmpuint (e->n_dims, ==, nd);
    g_assert_cmpmem (e->shape, nd * sizeof (gint64), s, nd * sizeof (gint64));
  }

  layout = layout_of (rg, NULL);
  g_assert_cmpuint (lt_render_graph_layout_get_n_boxes (layout), ==, lt_graph_get_n_nodes (graph));
  g_assert_true (
    lt_render_graph_layout_get_node_rect (layout, lt_render_graph_get_output (rg), &out_rect));
  for (guint i = 0; i < lt_render_graph_get_n_nodes (rg); i++)
    {
      LtRenderRect r;

      g_assert_true (lt_render_graph_layout_get_node_rect (layout, i, &r));
      if ((gint) i != lt_render_graph_get_output (rg))
        g_assert_cmpfloat (r.y, <, out_rect.y);
    }
  folded_layout = layout_of (rg, folded);
  g_assert_cmpuint (in_conv1, ==, 3);
  g_assert_cmpuint (lt_render_graph_layout_get_n_boxes (folded_layout), ==,
                    lt_graph_get_n_nodes (graph) - in_conv1 + 1);
}

static guint
count_clusters (Agraph_t *g)
{
  guint n = 0;

  for (Agraph_t *sg = agfstsubg (g); sg; sg = agnxtsubg (sg))
    n += g_str_has_prefix (agnameof (sg), "cluster") + count_clusters (sg);
  return n;
}

static void
test_files (void)
{
  g_autoptr(LtRenderGraph) g = small_graph (TRUE);
  const char *const folded[] = { "out", NULL };
  g_autoptr(LtRenderGraphLayout) layout = layout_of (g, folded);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *dot = g_build_filename (dir, "graph.dot", NULL);
  g_autofree char *png = g_build_filename (dir, "graph.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "graph.svg", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "graph.svg", NULL);
  g_autofree char *txt = g_build_filename (dir, "graph.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  Agraph_t        *parsed;
  cairo_surface_t *back;
  double           lw, lh;

  g_test_summary ("DOT (a cluster per module, folded groups as one node, shapes on edges) "
                  "parses in graphviz; PNG and SVG are written; bad paths are errors");
  g_assert_true (lt_render_graph_write (layout, NULL, dot, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (dot, &text, NULL, NULL));
  parsed = agmemread (text);
  g_assert_nonnull (parsed);
  /* lin's cluster; out folded into one node: 9 - 2 + 1 nodes */
  g_assert_cmpint (agnnodes (parsed), ==, N_NODES - 2 + 1);
  g_assert_cmpuint (count_clusters (parsed), ==, 1);
  g_assert_cmpint (agnedges (parsed), ==, 8 - 3 + 2);
  g_assert_nonnull (strstr (text, "label=\"lin.weight\\n(3, 5)\\n15 elements"));
  g_assert_nonnull (strstr (text, "label=\"(4, 5)\""));
  agclose (parsed);

  g_assert_true (lt_render_graph_write (layout, NULL, png, &error));
  g_assert_no_error (error);
  back = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
  lt_render_graph_layout_get_size (layout, &lw, &lh);
  g_assert_cmpint (cairo_image_surface_get_width (back), ==, (int) ceil (lw));
  g_assert_cmpint (cairo_image_surface_get_height (back), ==, (int) ceil (lh));
  cairo_surface_destroy (back);
  g_assert_true (lt_render_graph_write (layout, NULL, svg, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<svg"));

  g_assert_false (lt_render_graph_write (layout, NULL, bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);
  g_assert_false (lt_render_graph_write (layout, NULL, txt, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lt_render_graph_write_dot (g, NULL, bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lt_render_theme_init (&theme, FALSE);
  g_test_add_func ("/render/graph/describe", test_describe);
  g_test_add_func ("/render/graph/layout-order", test_layout_order);
  g_test_add_func ("/render/graph/fold", test_fold);
  g_test_add_func ("/render/graph/nested", test_nested);
  g_test_add_func ("/render/graph/hit-test", test_hit_test);
  g_test_add_func ("/render/graph/draw", test_draw);
  g_test_add_func ("/render/graph/cache", test_cache);
  g_test_add_func ("/render/graph/threads", test_threads);
  g_test_add_func ("/render/graph/from-lt-graph", test_from_lt_graph);
  g_test_add_func ("/render/graph/files", test_files);
  return g_test_run ();
}
