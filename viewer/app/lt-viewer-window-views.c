/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "lt-viewer-window-views.h"

/*
 * The window's four views, from libtensor-gtk-1, each in a page of its
 * AdwViewStack: the images, the loss, the autograd graph, the accuracy.
 * They share one run registry, so a run has one colour everywhere and
 * earlier runs stay drawn beside the new one; the registry's palette is
 * the "run-colors" setting, followed as it changes. Each run's trainer is bound
 * to every view; the views follow its signals themselves, and draw on the
 * frame clock.
 *
 * Exporting writes the view shown, in the format the file's extension
 * names: the images and the accuracy as PNG or SVG, the loss as PNG, SVG
 * or CSV (every run), the graph as PNG, SVG or Graphviz DOT.
 */

/* The "run-colors" setting as the registry's palette: the runs already
 * drawn take their new colours. One that is not a colour leaves the
 * colours as they are and says why in the error bar. */
static void
run_colors_changed (LtViewerWindow *self)
{
  g_auto (GStrv) colors = g_settings_get_strv (self->settings, "run-colors");
  g_autoptr (GError) error = NULL;

  if (!lt_gtk_run_registry_set_palette (self->registry, (const char *const *) colors, &error))
    _lt_viewer_window_show_error (self, _ ("Cannot use the run colours setting"), error);
}

/* A view's own controls failed (an export from its bar): the message
 * goes to the window's error bar, as the window's own errors do, instead
 * of the view's dialog. */
static gboolean
view_error_cb (GtkWidget *view, const GError *error, LtViewerWindow *self)
{
  _lt_viewer_window_show_error (self, _ ("Cannot export the view"), error);
  return TRUE;
}

void
_lt_viewer_window_views_init (LtViewerWindow *self)
{
  self->registry = lt_gtk_run_registry_new ();
  g_signal_connect_object (self->settings, "changed::run-colors", G_CALLBACK (run_colors_changed),
                           self, G_CONNECT_SWAPPED);
  run_colors_changed (self);

  self->image_view = LT_GTK_IMAGE_VIEW (lt_gtk_image_view_new ());
  adw_bin_set_child (self->images_bin, GTK_WIDGET (self->image_view));

  self->loss_view = LT_GTK_LOSS_VIEW (lt_gtk_loss_view_new ());
  lt_gtk_loss_view_set_registry (self->loss_view, self->registry);
  g_settings_bind (self->settings, "smoothing", self->loss_view, "smoothing",
                   G_SETTINGS_BIND_DEFAULT);
  adw_bin_set_child (self->loss_bin, GTK_WIDGET (self->loss_view));

  self->graph_view = LT_GTK_GRAPH_VIEW (lt_gtk_graph_view_new ());
  adw_bin_set_child (self->graph_bin, GTK_WIDGET (self->graph_view));

  self->accuracy_view = LT_GTK_ACCURACY_VIEW (lt_gtk_accuracy_view_new ());
  adw_bin_set_child (self->accuracy_bin, GTK_WIDGET (self->accuracy_view));

  g_signal_connect_object (self->image_view, "error", G_CALLBACK (view_error_cb), self, 0);
  g_signal_connect_object (self->loss_view, "error", G_CALLBACK (view_error_cb), self, 0);
  g_signal_connect_object (self->graph_view, "error", G_CALLBACK (view_error_cb), self, 0);
  g_signal_connect_object (self->accuracy_view, "error", G_CALLBACK (view_error_cb), self, 0);
}

void
_lt_viewer_window_views_dispose (LtViewerWindow *self)
{
  if (self->image_view)
    lt_gtk_image_view_bind_trainer (self->image_view, NULL);
  if (self->loss_view)
    lt_gtk_loss_view_bind_trainer (self->loss_view, NULL);
  if (self->graph_view)
    lt_gtk_graph_view_bind_trainer (self->graph_view, NULL);
  if (self->accuracy_view)
    lt_gtk_accuracy_view_bind_trainer (self->accuracy_view, NULL);
  self->image_view = NULL;
  self->loss_view = NULL;
  self->graph_view = NULL;
  self->accuracy_view = NULL;
  g_clear_object (&self->registry);
}

/* What the views need of a trainer before it starts */
void
_lt_viewer_window_views_prepare_trainer (LtViewerWindow *self, LtTrainer *trainer)
{
  /* The graph of the first mini-batch, then every graph-interval */
  lt_trainer_set_graph_interval (trainer,
                                 (guint64) g_settings_get_int (self->settings, "graph-interval"));
}

/* Binds every view to the run's trainer */
void
_lt_viewer_window_views_bind (LtViewerWindow    *self,
                              LtTrainer         *trainer,
                              guint              run,
                              const char *const *classes)
{
  /* The registry names the run "Run <n>", as the status line counts
   * them: one registry per window, one run per trainer. */
  /* The tutorial's class names (plane, car, ...), as lt-train prints them */
  lt_gtk_image_view_set_classes (self->image_view, classes);
  lt_gtk_image_view_bind_trainer (self->image_view, trainer);
  lt_gtk_loss_view_bind_trainer (self->loss_view, trainer);
  lt_gtk_graph_view_bind_trainer (self->graph_view, trainer);
  lt_gtk_accuracy_view_set_classes (self->accuracy_view, classes);
  lt_gtk_accuracy_view_bind_trainer (self->accuracy_view, trainer);
  g_warn_if_fail (lt_gtk_run_registry_get_n_runs (self->registry) == run);
}

/* Exports */

static GtkFileFilter *
filter_new (const char *name, const char *suffix)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_suffix (filter, suffix);
  return filter;
}

/* The file types the view shown exports to, the first the default */
GPtrArray *
_lt_viewer_window_export_filters (LtViewerWindow *self)
{
  GPtrArray  *filters = g_ptr_array_new_with_free_func (g_object_unref);
  const char *view = adw_view_stack_get_visible_child_name (self->view_stack);

  g_ptr_array_add (filters, filter_new (_ ("PNG Images"), "png"));
  g_ptr_array_add (filters, filter_new (_ ("SVG Drawings"), "svg"));
  if (g_strcmp0 (view, "loss") == 0)
    g_ptr_array_add (filters, filter_new (_ ("CSV Tables (every run)"), "csv"));
  if (g_strcmp0 (view, "graph") == 0)
    g_ptr_array_add (filters, filter_new (_ ("Graphviz DOT Files"), "dot"));
  return filters;
}

char *
_lt_viewer_window_export_suggested_name (LtViewerWindow *self)
{
  const char *view = adw_view_stack_get_visible_child_name (self->view_stack);

  return g_strdup_printf ("%s.png", view ? view : "view");
}

/* Writes the view shown to @file, in the format its extension names */
gboolean
_lt_viewer_window_export_view (LtViewerWindow *self, GFile *file, GError **error)
{
  const char      *view = adw_view_stack_get_visible_child_name (self->view_stack);
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("%s is not a local file"), name);
      return FALSE;
    }
  if (g_strcmp0 (view, "images") == 0)
    return lt_gtk_image_view_export (self->image_view, path, error);
  if (g_strcmp0 (view, "loss") == 0)
    return lt_gtk_loss_view_export (self->loss_view, path, 0, 0, error);
  if (g_strcmp0 (view, "graph") == 0)
    return lt_gtk_graph_view_export (self->graph_view, path, error);
  if (g_strcmp0 (view, "accuracy") == 0)
    return lt_gtk_accuracy_view_export (self->accuracy_view, path, error);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("This view cannot be exported"));
  return FALSE;
}

/* Exports to @file and says how it went: a toast, or the error bar */
gboolean
_lt_viewer_window_export_view_to (LtViewerWindow *self, GFile *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *note = NULL;

  if (!_lt_viewer_window_export_view (self, file, &error))
    {
      _lt_viewer_window_show_error (self, _ ("Cannot export the view"), error);
      return FALSE;
    }
  name = g_file_get_parse_name (file);
  /* Translators: %s is a file name */
  note = g_strdup_printf (_ ("Exported to %s"), name);
  _lt_viewer_window_show_toast (self, note);
  return TRUE;
}
