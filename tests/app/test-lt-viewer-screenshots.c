/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Screenshots of lt-viewer's four views after a run on the fixture, as
 * PNGs in LT_VIEWER_SCREENSHOT_DIR (the build folder): the loss with the
 * training settings beside it, the other views alone. With
 * LT_VIEWER_UPDATE_DOCS=1 in the environment, half-size copies also go
 * to docs/viewer-<view>.png in the source tree, for the README and the
 * metainfo:
 *
 *   LT_VIEWER_UPDATE_DOCS=1 meson test -C build test-lt-viewer
 */
#include <glib/gstdio.h>

#include "viewer-test.h"

static const char *const views[] = { "images", "loss", "graph", "accuracy" };

static void
test_screenshots (void)
{
  const char     *dir = g_getenv ("LT_VIEWER_SCREENSHOT_DIR");
  gboolean        update_docs = g_getenv ("LT_VIEWER_UPDATE_DOCS") != NULL;
  LtViewerWindow *window;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  window = test_window_new ();
  /* Six epochs, in batches of 16: a fuller grid than the tutorial's 4 */
  g_settings_set_int (window->settings, "epochs", 6);
  g_settings_set_int (window->settings, "batch-size", 16);
  test_activate (window, "win.start");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_RUNNING));
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  g_assert_null (_lt_viewer_window_get_error_message (window));
  g_assert_cmpint (lt_trainer_get_state (_lt_viewer_window_get_trainer (window)), ==,
                   LT_TRAINER_STATE_FINISHED);

  /* The images as large as they fit; the first convolution of the graph
   * selected, with its shapes and gradient statistics */
  lt_gtk_image_view_set_zoom (window->image_view, LT_GTK_IMAGE_ZOOM_FIT);
  {
    LtGraph *graph = lt_gtk_graph_view_get_graph (window->graph_view);

    g_assert_nonnull (graph);
    for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
      if (g_strcmp0 (lt_graph_get_node_name (graph, i), "ConvolutionBackward0") == 0 &&
          g_strcmp0 (lt_graph_get_node_module (graph, i), "conv1") == 0)
        lt_gtk_graph_view_set_selected (window->graph_view, (gint) i);
    g_assert_cmpint (lt_gtk_graph_view_get_selected (window->graph_view), >=, 0);
  }

  /* The toast saying the run finished is in the way; libadwaita 1.2
   * crashes when a toast is dismissed during its show animation */
  ui_iterate_for (500);
  _lt_viewer_window_dismiss_toast (window);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *name = g_strdup_printf ("viewer-%s.png", views[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GError) error = NULL;

      g_object_set (window, "show-settings", g_str_equal (views[i], "loss"), NULL);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", views[i]);
      ui_iterate_for (800);
      ui_save_screenshot (GTK_WIDGET (window), path, 1.0, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_test_message ("%s", path);
      if (update_docs)
        {
          g_autofree char *docs = g_build_filename (g_getenv ("LT_SOURCE_DIR"), "docs", name, NULL);

          ui_save_screenshot (GTK_WIDGET (window), docs, 0.5, &error);
          g_assert_no_error (error);
          g_test_message ("%s", docs);
        }
    }
  test_window_destroy (window);
}

void
test_add_screenshot_tests (void)
{
  g_test_add_func ("/viewer/screenshots", test_screenshots);
}
