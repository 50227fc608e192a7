/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "lt-viewer-window-views.h"

/*
 * The four views of the window (images, loss, graph, accuracy), each in
 * a page of its AdwViewStack, bound to the window's trainer run after
 * run, and their exports.
 */

void
_lt_viewer_window_views_init (LtViewerWindow *self)
{
  static const struct
  {
    gsize offset;
    const char *icon;
    const char *title;
  } pages[] = {
    { G_STRUCT_OFFSET (LtViewerWindow, images_bin), "image-x-generic-symbolic", N_("Images") },
    { G_STRUCT_OFFSET (LtViewerWindow, loss_bin), "lt-loss-symbolic", N_("Loss") },
    { G_STRUCT_OFFSET (LtViewerWindow, graph_bin), "lt-graph-symbolic", N_("Graph") },
    { G_STRUCT_OFFSET (LtViewerWindow, accuracy_bin), "lt-accuracy-symbolic", N_("Accuracy") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      AdwBin *bin = G_STRUCT_MEMBER (AdwBin *, self, pages[i].offset);
      GtkWidget *page = adw_status_page_new ();

      adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), pages[i].icon);
      adw_status_page_set_title (ADW_STATUS_PAGE (page), _(pages[i].title));
      adw_bin_set_child (bin, page);
    }
}

void
_lt_viewer_window_views_dispose (LtViewerWindow *self)
{
}

void
_lt_viewer_window_views_prepare_trainer (LtViewerWindow *self,
                                         LtTrainer      *trainer)
{
}

void
_lt_viewer_window_views_bind (LtViewerWindow    *self,
                              LtTrainer         *trainer,
                              guint              run,
                              const char *const *classes)
{
}

GPtrArray *
_lt_viewer_window_export_filters (LtViewerWindow *self)
{
  GPtrArray *filters = g_ptr_array_new_with_free_func (g_object_unref);
  GtkFileFilter *png = gtk_file_filter_new ();

  gtk_file_filter_set_name (png, _("PNG Images"));
  gtk_file_filter_add_suffix (png, "png");
  g_ptr_array_add (filters, png);
  return filters;
}

char *
_lt_viewer_window_export_suggested_name (LtViewerWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->view_stack);

  return g_strdup_printf ("%s.png", name ? name : "view");
}

gboolean
_lt_viewer_window_export_view (LtViewerWindow  *self,
                               GFile           *file,
                               GError         **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("This view cannot be exported"));
  return FALSE;
}

/* Exports to @file and says how it went: a toast, or the error bar */
gboolean
_lt_viewer_window_export_view_to (LtViewerWindow *self,
                                  GFile          *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *note = NULL;

  if (!_lt_viewer_window_export_view (self, file, &error))
    {
      _lt_viewer_window_show_error (self, _("Cannot export the view"), error);
      return FALSE;
    }
  name = g_file_get_parse_name (file);
  /* Translators: %s is a file name */
  note = g_strdup_printf (_("Exported to %s"), name);
  _lt_viewer_window_show_toast (self, note);
  return TRUE;
}
