/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>
#include <string.h>

#include "lt-gtk-graph-view-private.h"
#include "lt-gtk-private.h"
#include "lt-train-net.h"
#include "ui-helpers.h"

static gboolean
settled (gpointer view)
{
  return _lt_gtk_graph_view_is_settled (view);
}

static void
wait_settled (LtGtkGraphView *view)
{
  ui_wait_for (settled, view, 60000);
  ui_spin (30);
}

/* The graph of lt-train's network on a batch of 2 random images, its
 * leaves named after the parameters, after lt_graph_backward() (gradient
 * statistics) */
static LtGraph *
net_graph (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (LtTrainNet) net = lt_train_net_new (3, &error);
  gint64 shape[] = { 2, 3, 32, 32 };
  gint64 targets[] = { 3, 7 };
  gint64 two = 2;
  g_autoptr (LtTensor) x = NULL;
  g_autoptr (LtTensor) y = NULL;
  g_autoptr (LtTensor) out = NULL;
  g_autoptr (LtTensor) loss = NULL;
  g_autoptr (LtCrossEntropyLoss) criterion = NULL;
  LtGraph *graph;

  g_assert_no_error (error);
  lt_manual_seed (3);
  x = lt_randn (shape, 4, LT_DTYPE_FLOAT32, &error);
  y = lt_tensor_new_from_int64s (targets, 2, &two, 1, LT_DTYPE_INT64, &error);
  out = lt_module_forward (LT_MODULE (net), x, &error);
  g_assert_no_error (error);
  criterion = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  loss = lt_loss_compute (LT_LOSS (criterion), out, y, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (loss);
  lt_module_name_graph (LT_MODULE (net), graph);
  g_assert_true (lt_graph_backward (graph, FALSE, &error));
  g_assert_no_error (error);
  return graph;
}

/* The nodes of @graph that a fold of @module hides: its own and those of
 * the modules inside it */
static guint
count_in_module (LtGraph *graph, const char *module)
{
  g_autofree char *prefix = g_strconcat (module, ".", NULL);
  guint            n = 0;

  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    {
      const char *m = lt_graph_get_node_module (graph, i);
      n += m && (g_str_equal (m, module) || g_str_has_prefix (m, prefix));
    }
  return n;
}

static gboolean
strv_has (char **strv, const char *s)
{
  return g_strv_contains ((const char *const *) strv, s);
}

/* The view's node count is the LtGraph's; folding a module hides its
 * nodes; unfolding shows them again */
static void
test_nodes_and_folding (void)
{
  g_autoptr (LtGraph) graph = net_graph ();
  GtkWidget      *view = lt_gtk_graph_view_new ();
  LtGtkGraphView *gv = LT_GTK_GRAPH_VIEW (view);
  GtkWidget      *window;
  g_auto (GStrv) modules = NULL;
  guint n, in_conv1, in_fc1;

  g_object_ref_sink (view);
  window = ui_window_new (view, 800, 700);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_nodes (gv), ==, 0);
  lt_gtk_graph_view_set_graph (gv, graph);
  g_assert_true (lt_gtk_graph_view_get_graph (gv) == graph);
  wait_settled (gv);

  n = lt_graph_get_n_nodes (graph);
  g_assert_cmpuint (n, >, 15);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_nodes (gv), ==, n);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==, n);

  modules = lt_gtk_graph_view_dup_modules (gv);
  g_assert_true (strv_has (modules, "conv1"));
  g_assert_true (strv_has (modules, "fc1"));
  in_conv1 = count_in_module (graph, "conv1");
  in_fc1 = count_in_module (graph, "fc1");
  g_assert_cmpuint (in_conv1, >=, 3); /* the convolution and its two parameters */

  lt_gtk_graph_view_set_module_folded (gv, "conv1", TRUE);
  g_assert_true (lt_gtk_graph_view_get_module_folded (gv, "conv1"));
  wait_settled (gv);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_nodes (gv), ==, n);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==, n - in_conv1);

  lt_gtk_graph_view_set_module_folded (gv, "fc1", TRUE);
  wait_settled (gv);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==, n - in_conv1 - in_fc1);

  lt_gtk_graph_view_set_module_folded (gv, "conv1", FALSE);
  wait_settled (gv);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==, n - in_fc1);

  lt_gtk_graph_view_fold_all (gv, FALSE);
  wait_settled (gv);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==, n);

  /* the keyboard: n and p move the selection, Enter folds the selected
   * node's module and unfolds the box it is then in */
  {
    GtkWidget *canvas = _lt_gtk_graph_view_get_canvas (gv);
    gint       conv = -1;

    g_assert_true (ui_send_key (canvas, GDK_KEY_n));
    g_assert_cmpint (lt_gtk_graph_view_get_selected (gv), ==, 0);
    g_assert_true (ui_send_key (canvas, GDK_KEY_n));
    g_assert_cmpint (lt_gtk_graph_view_get_selected (gv), ==, 1);
    g_assert_true (ui_send_key (canvas, GDK_KEY_p));
    g_assert_true (ui_send_key (canvas, GDK_KEY_p));
    g_assert_cmpint (lt_gtk_graph_view_get_selected (gv), ==, (gint) n - 1);
    g_assert_true (ui_send_key (canvas, GDK_KEY_Escape));
    g_assert_cmpint (lt_gtk_graph_view_get_selected (gv), ==, -1);

    for (guint i = 0; i < n && conv < 0; i++)
      if (g_strcmp0 (lt_graph_get_node_module (graph, i), "conv1") == 0)
        conv = (gint) i;
    g_assert_cmpint (conv, >=, 0);
    lt_gtk_graph_view_set_selected (gv, conv);
    g_assert_true (ui_send_key (canvas, GDK_KEY_Return));
    g_assert_true (lt_gtk_graph_view_get_module_folded (gv, "conv1"));
    wait_settled (gv);
    g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==, n - in_conv1);
    g_assert_true (ui_send_key (canvas, GDK_KEY_Return));
    g_assert_false (lt_gtk_graph_view_get_module_folded (gv, "conv1"));
    wait_settled (gv);
    g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==, n);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

static void
draw_graph (cairo_t *cr, int width, int height, gpointer view)
{
  lt_render_graph_draw (_lt_gtk_graph_view_get_layout (view), _lt_gtk_graph_view_get_view (view),
                        cr, width, height);
}

/* Clicks: a node selects it and shows its gradient statistics; a group's
 * header folds the group, the folded box unfolds it. Pixels: the
 * renderer's. */
static void
test_clicks_and_pixels (void)
{
  g_autoptr (LtGraph) graph = net_graph ();
  GtkWidget       *view = g_object_new (LT_GTK_TYPE_GRAPH_VIEW, "show-controls", FALSE, NULL);
  LtGtkGraphView  *gv = LT_GTK_GRAPH_VIEW (view);
  GtkWidget       *window;
  LtRenderRect     rect;
  gboolean         folded;
  double           px, py;
  gint             conv = lt_graph_find_node (graph, NULL), target = -1;
  const char      *details;
  cairo_surface_t *widget_pixels, *renderer_pixels;
  GtkWidget       *canvas;
  g_autofree char *path = NULL;
  guint            n_different;

  g_object_ref_sink (view);
  window = ui_window_new (view, 900, 800);
  lt_gtk_graph_view_set_graph (gv, graph);
  wait_settled (gv);
  ui_spin (50);

  /* the first convolution node */
  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    if (g_str_equal (lt_graph_get_node_name (graph, i), "ConvolutionBackward0"))
      {
        target = (gint) i;
        break;
      }
  (void) conv;
  g_assert_cmpint (target, >=, 0);
  g_assert_true (lt_render_graph_layout_get_node_rect (_lt_gtk_graph_view_get_layout (gv),
                                                       (guint) target, &rect));
  lt_render_graph_view_to_pixel (_lt_gtk_graph_view_get_view (gv), rect.x + rect.width / 2,
                                 rect.y + rect.height / 2, &px, &py);
  _lt_gtk_graph_view_click (gv, px, py);
  g_assert_cmpint (lt_gtk_graph_view_get_selected (gv), ==, target);
  details = _lt_gtk_graph_view_get_details_text (gv);
  g_assert_nonnull (details);
  g_assert_nonnull (strstr (details, "ConvolutionBackward0"));
  g_assert_nonnull (strstr (details, "Gradient: mean"));
  g_assert_nonnull (strstr (details, "(2, 6, 28, 28)"));

  /* pixel identity, the selection drawn */
  ui_spin (50);
  canvas = _lt_gtk_graph_view_get_canvas (gv);
  widget_pixels = ui_widget_to_surface (canvas);
  renderer_pixels = lt_render_to_image (gtk_widget_get_width (canvas),
                                        gtk_widget_get_height (canvas), draw_graph, gv);
  /* the drawing is one Cairo node and nothing else */
  {
    guint n_cairo, n_other;

    ui_count_render_nodes (canvas, &n_cairo, &n_other);
    g_assert_cmpuint (n_cairo, ==, 1);
    g_assert_cmpuint (n_other, ==, 0);
  }
  n_different = ui_count_different_pixels (widget_pixels, renderer_pixels);
  g_test_message ("%d x %d: %u pixels differ", gtk_widget_get_width (canvas),
                  gtk_widget_get_height (canvas), n_different);
  g_assert_cmpuint (n_different, ==, 0);
  {
    cairo_surface_t *whole = ui_widget_to_surface (view);
    path = ui_save_screenshot (whole, "graph-view");
    cairo_surface_destroy (whole);
  }
  g_test_message ("screenshot: %s", path);
  cairo_surface_destroy (widget_pixels);
  cairo_surface_destroy (renderer_pixels);

  /* zoomed in: boxes and edges cross the edges of the area */
  lt_gtk_graph_view_zoom (gv, 3);
  ui_spin (50);
  widget_pixels = ui_widget_to_surface (canvas);
  renderer_pixels = lt_render_to_image (gtk_widget_get_width (canvas),
                                        gtk_widget_get_height (canvas), draw_graph, gv);
  g_assert_cmpuint (ui_count_different_pixels (widget_pixels, renderer_pixels), ==, 0);
  cairo_surface_destroy (widget_pixels);
  cairo_surface_destroy (renderer_pixels);
  lt_gtk_graph_view_zoom_to_fit (gv);
  ui_spin (50);

  /* empty space: no selection, the details hide */
  _lt_gtk_graph_view_click (gv, 2, 2);
  g_assert_cmpint (lt_gtk_graph_view_get_selected (gv), ==, -1);
  g_assert_null (_lt_gtk_graph_view_get_details_text (gv));

  /* the header of conv1's group folds it */
  g_assert_true (lt_render_graph_layout_get_group_rect (_lt_gtk_graph_view_get_layout (gv), "conv1",
                                                        &rect, &folded));
  g_assert_false (folded);
  lt_render_graph_view_to_pixel (_lt_gtk_graph_view_get_view (gv), rect.x + rect.width / 2,
                                 rect.y + 4, &px, &py);
  _lt_gtk_graph_view_click (gv, px, py);
  g_assert_true (lt_gtk_graph_view_get_module_folded (gv, "conv1"));
  wait_settled (gv);
  g_assert_true (lt_render_graph_layout_get_group_rect (_lt_gtk_graph_view_get_layout (gv), "conv1",
                                                        &rect, &folded));
  g_assert_true (folded);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), <,
                    lt_gtk_graph_view_get_n_nodes (gv));

  /* the folded box unfolds it */
  lt_render_graph_view_to_pixel (_lt_gtk_graph_view_get_view (gv), rect.x + rect.width / 2,
                                 rect.y + rect.height / 2, &px, &py);
  _lt_gtk_graph_view_click (gv, px, py);
  g_assert_false (lt_gtk_graph_view_get_module_folded (gv, "conv1"));
  wait_settled (gv);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (gv), ==,
                    lt_gtk_graph_view_get_n_nodes (gv));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* A 500-node graph is laid out in a worker: the main loop's 5 ms timer
 * keeps ticking while it is under way. The longest gap is reported, not
 * asserted (a figure of the machine's load, not of the program); bench/
 * holds the layout's timings. */

/* Sequential(Linear(8, 8), ReLU, ...) of @layers Linear layers: about 5
 * nodes per layer */
static LtGraph *
deep_graph (guint layers)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) modules = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (LtSequential) net = NULL;
  gint64 shape[] = { 4, 8 };
  g_autoptr (LtTensor) x = NULL;
  g_autoptr (LtTensor) out = NULL;
  g_autoptr (LtTensor) loss = NULL;
  LtGraph *graph;

  for (guint i = 0; i < layers; i++)
    {
      g_ptr_array_add (modules, lt_linear_new (8, 8, TRUE, &error));
      g_assert_no_error (error);
      g_ptr_array_add (modules, lt_relu_new (FALSE));
    }
  net = lt_sequential_new ((LtModule **) modules->pdata, modules->len);
  x = lt_randn (shape, 2, LT_DTYPE_FLOAT32, &error);
  out = lt_module_forward (LT_MODULE (net), x, &error);
  g_assert_no_error (error);
  loss = lt_tensor_sum (out, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (loss);
  lt_module_name_graph (LT_MODULE (net), graph);
  return graph;
}

static void
test_responsive (void)
{
  g_autoptr (LtGraph) graph = deep_graph (100);
  GtkWidget *view = lt_gtk_graph_view_new ();
  GtkWidget *window;
  UiGapMeter meter;
  gint64     start, elapsed;
  guint      ticks_laying_out;

  g_object_ref_sink (view);
  g_assert_cmpuint (lt_graph_get_n_nodes (graph), >=, 500);
  window = ui_window_new (view, 800, 600);

  /* warm up: the fonts and code of drawing a graph loaded, so that the
   * measure is of laying out, not of a cold start */
  {
    g_autoptr (LtGraph) small = net_graph ();
    lt_gtk_graph_view_set_graph (LT_GTK_GRAPH_VIEW (view), small);
    wait_settled (LT_GTK_GRAPH_VIEW (view));
    ui_spin (100);
  }

  lt_render_graph_layout_clear_cache ();
  ui_gap_meter_start (&meter, 5);
  start = g_get_monotonic_time ();
  lt_gtk_graph_view_set_graph (LT_GTK_GRAPH_VIEW (view), graph);
  g_assert_true (lt_gtk_graph_view_get_laying_out (LT_GTK_GRAPH_VIEW (view)));
  while (!_lt_gtk_graph_view_is_settled (LT_GTK_GRAPH_VIEW (view)))
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - start;
  ticks_laying_out = meter.ticks;
  /* and drawing it */
  gtk_widget_queue_draw (_lt_gtk_graph_view_get_canvas (LT_GTK_GRAPH_VIEW (view)));
  for (gint64 end = g_get_monotonic_time () + 200000; g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, TRUE);
  ui_gap_meter_stop (&meter);

  g_test_message ("%u nodes laid out in %.1f ms (in a worker)", lt_graph_get_n_nodes (graph),
                  elapsed / 1000.0);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_nodes (LT_GTK_GRAPH_VIEW (view)), ==,
                    lt_graph_get_n_nodes (graph));
  /* graphviz takes tens of milliseconds over 500 nodes: a layout on the
   * main thread would let the timer tick at most once before it settles */
  g_test_message ("%u timer ticks while laying out", ticks_laying_out);
  g_assert_cmpuint (ticks_laying_out, >=, 2);
  g_assert_cmpuint (meter.ticks, >, ticks_laying_out);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* Bound to a trainer: the graph of its ::graph signal */

typedef struct
{
  LtGraph *graph;
  guint    n_graphs;
} GraphWatch;

static void
on_graph (LtTrainer *trainer, LtGraph *graph, GraphWatch *watch)
{
  g_set_object (&watch->graph, graph);
  watch->n_graphs++;
}

static void
test_trainer (void)
{
  g_autofree char *root = ui_make_cifar_fixture (4, 8);
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 1);
  GtkWidget      *view = lt_gtk_graph_view_new ();
  LtGtkGraphView *gv = LT_GTK_GRAPH_VIEW (view);
  GraphWatch      watch = { NULL, 0 };
  GtkWidget      *window;
  g_auto (GStrv) modules = NULL;
  g_autofree char *description = NULL;

  g_object_ref_sink (view);
  window = ui_window_new (view, 800, 700);
  g_assert_cmpuint (lt_trainer_get_graph_interval (trainer), ==, 0);
  lt_gtk_graph_view_bind_trainer (gv, trainer);
  g_assert_true (lt_gtk_graph_view_get_trainer (gv) == trainer);
  /* a trainer that sent no graphs now sends them */
  g_assert_cmpuint (lt_trainer_get_graph_interval (trainer), ==,
                    LT_GTK_GRAPH_VIEW_DEFAULT_INTERVAL);

  g_signal_connect (trainer, "graph", G_CALLBACK (on_graph), &watch);
  ui_train_to_end (trainer);
  wait_settled (gv);

  /* the first step's graph, as the trainer sent it */
  g_assert_cmpuint (watch.n_graphs, ==, 1);
  g_assert_true (lt_gtk_graph_view_get_graph (gv) == watch.graph);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_nodes (gv), ==, lt_graph_get_n_nodes (watch.graph));
  modules = lt_gtk_graph_view_dup_modules (gv);
  g_assert_true (strv_has (modules, "conv2"));
  /* with the gradient statistics of its backward */
  description = lt_gtk_graph_view_dup_node_description (gv, 0);
  g_assert_nonnull (strstr (description, "Gradient: mean"));

  lt_gtk_graph_view_bind_trainer (gv, NULL);
  g_assert_null (lt_gtk_graph_view_get_trainer (gv));
  g_clear_object (&watch.graph);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
  ui_remove_tree (root);
}

static gboolean
on_error (GtkWidget *view, const GError *error, GError **seen)
{
  g_clear_error (seen);
  *seen = g_error_copy (error);
  return TRUE;
}

static void
test_export (void)
{
  g_autoptr (LtGraph) graph = net_graph ();
  GtkWidget      *view = lt_gtk_graph_view_new ();
  LtGtkGraphView *gv = LT_GTK_GRAPH_VIEW (view);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) seen = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lt-gtk-export-XXXXXX", NULL);
  g_autofree char *dot = g_build_filename (dir, "graph.dot", NULL);
  g_autofree char *svg = g_build_filename (dir, "graph.svg", NULL);
  g_autofree char *png = g_build_filename (dir, "graph.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "graph.svg", NULL);
  g_autofree char *contents = NULL;
  cairo_surface_t *image;

  g_object_ref_sink (view);
  g_assert_false (lt_gtk_graph_view_export (gv, dot, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  lt_gtk_graph_view_set_graph (gv, graph);
  wait_settled (gv);
  g_assert_true (lt_gtk_graph_view_export (gv, dot, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (dot, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "digraph"));
  g_assert_nonnull (strstr (contents, "ConvolutionBackward0"));
  g_assert_nonnull (strstr (contents, "cluster"));
  g_clear_pointer (&contents, g_free);

  g_assert_true (lt_gtk_graph_view_export (gv, svg, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));

  g_assert_true (lt_gtk_graph_view_export (gv, png, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (image);

  g_assert_false (lt_gtk_graph_view_export (gv, bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));
  g_signal_connect (view, "error", G_CALLBACK (on_error), &seen);
  _lt_gtk_graph_view_export_to (gv, bad);
  g_assert_error (seen, LT_ERROR, LT_ERROR_IO);

  g_remove (dot);
  g_remove (svg);
  g_remove (png);
  g_rmdir (dir);
  g_assert_finalize_object (view);
}

static void
test_controls (void)
{
  GtkWidget *view = lt_gtk_graph_view_new ();
  guint      n = 0;

  g_object_ref_sink (view);
  ui_check_controls (view, &n);
  g_assert_cmpuint (n, >=, 6);
  g_assert_true (
    gtk_widget_get_focusable (_lt_gtk_graph_view_get_canvas (LT_GTK_GRAPH_VIEW (view))));
  g_assert_finalize_object (view);
}

int
main (int argc, char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/gtk/graph-view/nodes-and-folding", test_nodes_and_folding);
  g_test_add_func ("/gtk/graph-view/clicks-and-pixels", test_clicks_and_pixels);
  g_test_add_func ("/gtk/graph-view/responsive", test_responsive);
  g_test_add_func ("/gtk/graph-view/trainer", test_trainer);
  g_test_add_func ("/gtk/graph-view/export", test_export);
  g_test_add_func ("/gtk/graph-view/controls", test_controls);
  return g_test_run ();
}
