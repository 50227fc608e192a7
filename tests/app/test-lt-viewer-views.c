/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt-viewer's graph and accuracy views after a run of one epoch on the
 * fixture. The graph view shows as many nodes as an LtGraph of the same
 * loss built here (the tutorial's network on a batch of four, with
 * lt-train's network code), and folding a module hides exactly the nodes
 * that module made; the accuracy view counts every test image once, and
 * its accuracy is the one the trainer reported. The "run-colors" setting
 * recolours the runs already drawn.
 */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lt-train-net.h"
#include "viewer-test.h"

/* The graph of the loss of the tutorial's network on a batch of four
 * 3x32x32 images, named after the network's parameters */
static LtGraph *
reference_graph (void)
{
  static const gint64 x_shape[] = { 4, 3, 32, 32 };
  static const gint64 y_shape[] = { 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTrainNet) net = lt_train_net_new (3, &error);
  g_autoptr(LtCrossEntropyLoss) criterion = NULL;
  g_autoptr(LtTensor) x = NULL, y = NULL, out = NULL, loss = NULL;
  LtGraph *graph;

  g_assert_no_error (error);
  criterion = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  g_assert_no_error (error);
  x = lt_zeros (x_shape, 4, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  y = lt_zeros (y_shape, 1, LT_DTYPE_INT64, &error);
  g_assert_no_error (error);
  out = lt_module_forward (LT_MODULE (net), x, &error);
  g_assert_no_error (error);
  loss = lt_loss_compute (LT_LOSS (criterion), out, y, &error);
  g_assert_no_error (error);
  graph = lt_graph_new (loss);
  lt_module_name_graph (LT_MODULE (net), graph);
  return graph;
}

/* How many nodes of @graph @module (or a module inside it) made */
static guint
count_module_nodes (LtGraph *graph, const char *module)
{
  g_autofree char *prefix = g_strconcat (module, ".", NULL);
  guint            n = 0;

  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    {
      const char *m = lt_graph_get_node_module (graph, i);

      if (m && (g_str_equal (m, module) || g_str_has_prefix (m, prefix)))
        n++;
    }
  return n;
}

static gboolean
graph_laid_out (gpointer data)
{
  LtGtkGraphView *view = data;

  return lt_gtk_graph_view_get_n_nodes (view) > 0 && !lt_gtk_graph_view_get_laying_out (view);
}

static gboolean
accuracy_loaded (gpointer data)
{
  LtGtkAccuracyView *view = data;

  return lt_gtk_accuracy_view_get_n_classes (view) > 0 && !lt_gtk_accuracy_view_get_loading (view);
}

typedef struct
{
  double accuracy;
  guint  epochs;
} Evaluated;

static void
epoch_finished_cb (LtTrainer *trainer,
                   guint      epoch,
                   double     train_loss,
                   double     accuracy,
                   LtTensor  *class_accuracy,
                   LtTensor  *confusion,
                   Evaluated *e)
{
  e->accuracy = accuracy;
  e->epochs++;
}

static void
test_graph_and_accuracy (void)
{
  LtViewerWindow *window = test_window_new ();
  g_autoptr(LtGraph) reference = reference_graph ();
  Evaluated evaluated = { NAN, 0 };
  guint     n_nodes, visible, conv1;
  gint64    total = 0;
  guint     n_classes;

  g_settings_set_int (window->settings, "epochs", 1);
  test_activate (window, "win.start");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_RUNNING));
  g_signal_connect (_lt_viewer_window_get_trainer (window), "epoch-finished",
                    G_CALLBACK (epoch_finished_cb), &evaluated);
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  g_assert_null (_lt_viewer_window_get_error_message (window));
  g_assert_cmpuint (evaluated.epochs, ==, 1);

  /* The graph: the trainer's, taken on its first mini-batch, has the
   * nodes of the same loss built here */
  g_assert_true (ui_wait_until (graph_laid_out, window->graph_view, UI_WAIT_MS));
  n_nodes = lt_gtk_graph_view_get_n_nodes (window->graph_view);
  g_test_message ("graph view: %u nodes, reference LtGraph: %u", n_nodes,
                  lt_graph_get_n_nodes (reference));
  g_assert_cmpuint (n_nodes, ==, lt_graph_get_n_nodes (reference));
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (window->graph_view), ==, n_nodes);

  /* Folding conv1 hides its nodes (the convolution, its weight and bias),
   * its box standing for them */
  conv1 = count_module_nodes (reference, "conv1");
  g_assert_cmpuint (conv1, >=, 3);
  lt_gtk_graph_view_set_module_folded (window->graph_view, "conv1", TRUE);
  g_assert_true (ui_wait_until (graph_laid_out, window->graph_view, UI_WAIT_MS));
  visible = lt_gtk_graph_view_get_n_visible_nodes (window->graph_view);
  g_test_message ("conv1 made %u nodes; folded, %u of %u are drawn", conv1, visible, n_nodes);
  g_assert_cmpuint (visible, ==, n_nodes - conv1);
  lt_gtk_graph_view_set_module_folded (window->graph_view, "conv1", FALSE);
  g_assert_true (ui_wait_until (graph_laid_out, window->graph_view, UI_WAIT_MS));
  g_assert_cmpuint (lt_gtk_graph_view_get_n_visible_nodes (window->graph_view), ==, n_nodes);

  /* The accuracy: every test image counted once, the trainer's accuracy */
  g_assert_true (ui_wait_until (accuracy_loaded, window->accuracy_view, UI_WAIT_MS));
  n_classes = lt_gtk_accuracy_view_get_n_classes (window->accuracy_view);
  g_assert_cmpuint (n_classes, ==, 10);
  for (guint t = 0; t < n_classes; t++)
    for (guint p = 0; p < n_classes; p++)
      total += lt_gtk_accuracy_view_get_count (window->accuracy_view, t, p);
  g_assert_cmpint (total, ==, 100);
  g_assert_cmpfloat_with_epsilon (lt_gtk_accuracy_view_get_accuracy (window->accuracy_view),
                                  evaluated.accuracy, 1e-9);
  g_assert_cmpstr (lt_gtk_accuracy_view_get_classes (window->accuracy_view)[0], ==, "plane");
  test_window_destroy (window);
}

/* The loss view's pixels of colour 0xRRGGBB, from a screenshot */
typedef struct
{
  LtViewerWindow *window;
  guint32         rgb;
  guint32         gone; /* a colour that must not be left */
  guint           n;
  guint           n_gone;
} ColorCount;

static gboolean
loss_view_shows (gpointer data)
{
  ColorCount      *c = data;
  g_autofree char *path =
    g_build_filename (g_getenv ("LT_VIEWER_SCREENSHOT_DIR"), "run-colors.png", NULL);
  g_autoptr(GError) error = NULL;
  cairo_surface_t *s;
  const guchar    *pixels;
  int              stride;

  g_assert_cmpint (g_mkdir_with_parents (g_getenv ("LT_VIEWER_SCREENSHOT_DIR"), 0755), ==, 0);
  /* (not yet drawn, just after the page is shown: the next try) */
  if (!ui_save_screenshot (GTK_WIDGET (c->window->loss_view), path, 1.0, &error))
    return FALSE;
  s = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (s), ==, CAIRO_STATUS_SUCCESS);
  pixels = cairo_image_surface_get_data (s);
  stride = cairo_image_surface_get_stride (s);
  c->n = c->n_gone = 0;
  for (int y = 0; y < cairo_image_surface_get_height (s); y++)
    for (int x = 0; x < cairo_image_surface_get_width (s); x++)
      {
        guint32 p = ((const guint32 *) (pixels + (gsize) y * stride))[x];

        c->n += p == (0xff000000u | c->rgb);
        c->n_gone += p == (0xff000000u | c->gone);
      }
  cairo_surface_destroy (s);
  return c->n > 20 && c->n_gone == 0;
}

static void
assert_run_color (LtGtkRun *run, const char *expected)
{
  GdkRGBA          rgba, want;
  g_autofree char *got = NULL;

  g_assert_true (gdk_rgba_parse (&want, expected));
  lt_gtk_run_get_color (run, &rgba);
  got = gdk_rgba_to_string (&rgba);
  g_test_message ("run %u: %s, expected %s", lt_gtk_run_get_index (run), got, expected);
  g_assert_true (gdk_rgba_equal (&rgba, &want));
}

/* The "run-colors" setting: a run already drawn takes its new colour in
 * the loss view; a bad colour is refused in the error bar and changes
 * nothing; an empty list is the default palette. */
static void
test_run_colors (void)
{
  static const char *const mine[] = { "#ff00ff", "#00ff00", NULL };
  static const char *const bad[] = { "#00ff00", "nope", NULL };
  static const char *const none[] = { NULL };
  LtViewerWindow          *window = test_window_new ();
  g_auto(GStrv) palette = NULL;
  ColorCount count = { window, 0x0072b2, 0xff00ff, 0, 0 };
  LtGtkRun  *run;

  /* The default: Okabe and Ito's palette, the registry's own */
  palette = g_settings_get_strv (window->settings, "run-colors");
  {
    g_auto(GStrv) registry_palette = lt_gtk_run_registry_dup_palette (window->registry);

    g_assert_cmpstrv (palette, registry_palette);
  }
  test_start_training (window, 30);
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  run = lt_gtk_run_registry_get_run (window->registry, 0);
  g_assert_nonnull (run);
  assert_run_color (run, "#0072b2");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "loss");
  ui_iterate_for (500);
  g_assert_true (ui_wait_until (loss_view_shows, &count, 60000));

  g_settings_set_strv (window->settings, "run-colors", mine);
  assert_run_color (run, "#ff00ff");
  count.rgb = 0xff00ff;
  count.gone = 0x0072b2;
  g_assert_true (ui_wait_until (loss_view_shows, &count, 60000));
  g_test_message ("%u pixels of the run in #ff00ff", count.n);

  /* Refused: the error bar says which and why; the colours stay */
  g_assert_null (_lt_viewer_window_get_error_message (window));
  g_settings_set_strv (window->settings, "run-colors", bad);
  g_assert_nonnull (_lt_viewer_window_get_error_message (window));
  g_test_message ("%s", _lt_viewer_window_get_error_message (window));
  g_assert_nonnull (strstr (_lt_viewer_window_get_error_message (window), "“nope”"));
  assert_run_color (run, "#ff00ff");

  /* Empty: the default palette again */
  g_settings_set_strv (window->settings, "run-colors", none);
  assert_run_color (run, "#0072b2");
  test_window_destroy (window);
}

void
test_add_view_tests (void)
{
  g_test_add_func ("/viewer/views/graph-and-accuracy", test_graph_and_accuracy);
  g_test_add_func ("/viewer/views/run-colors", test_run_colors);
}
