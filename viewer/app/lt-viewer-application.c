/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "lt-viewer-application-private.h"
#include "lt-viewer-config.h"
#include "lt-viewer-window.h"

/*
 * LtViewerApplication: lt-viewer's GtkApplication. It owns the settings,
 * sets the accelerators of every action (the window's are installed on
 * its class, lt-viewer-window-actions.c), and has the application's own
 * actions: about and quit. Quitting closes the windows, and a window that
 * trains stops after the mini-batch and writes its checkpoint before it
 * goes, so nothing of a run is lost.
 */

G_DEFINE_FINAL_TYPE (LtViewerApplication, lt_viewer_application, ADW_TYPE_APPLICATION)

/* The accelerators of every action, set on the application; the
 * shortcuts window (gtk/help-overlay.ui) lists the same. */
static const struct
{
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Primary>q", NULL } },
  { "app.about", { "F1", NULL } },
  { "window.close", { "<Primary>w", NULL } },
  { "win.start", { "<Primary>Return", NULL } },
  { "win.pause", { "<Primary>p", NULL } },
  { "win.resume", { "<Primary>r", NULL } },
  { "win.stop", { "<Primary>period", NULL } },
  { "win.save-checkpoint", { "<Primary>s", NULL } },
  { "win.open-checkpoint", { "<Primary>o", NULL } },
  { "win.choose-data-folder", { "<Primary><Shift>o", NULL } },
  { "win.export-view", { "<Primary>e", NULL } },
  { "win.show-settings", { "F9", NULL } },
  { "win.show-view('images')", { "<Alt>1", NULL } },
  { "win.show-view('loss')", { "<Alt>2", NULL } },
  { "win.show-view('graph')", { "<Alt>3", NULL } },
  { "win.show-view('accuracy')", { "<Alt>4", NULL } },
  { "win.show-help-overlay", { "<Primary>question", NULL } },
};

/* The settings: the installed schema, or, for a program run from its
 * build folder, the one compiled there. NULL when neither is found. */
GSettings *
_lt_viewer_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source)
    schema = g_settings_schema_source_lookup (source, LT_VIEWER_SCHEMA_ID, TRUE);
  if (schema == NULL && g_file_test (LT_VIEWER_BUILD_SCHEMA_DIR, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GSettingsSchemaSource) built = NULL;

      built = g_settings_schema_source_new_from_directory (LT_VIEWER_BUILD_SCHEMA_DIR, source,
                                                           FALSE, NULL);
      if (built)
        schema = g_settings_schema_source_lookup (built, LT_VIEWER_SCHEMA_ID, FALSE);
    }
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

/* Messages in the user's language; LT_LOCALEDIR points at the
 * translations of an uninstalled build (`meson devenv` sets it). */
void
_lt_viewer_i18n_init (void)
{
  const char *dir = g_getenv ("LT_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

/**
 * lt_viewer_application_get_settings:
 * @self: the application
 *
 * Returns: (transfer none): the application's settings
 *   (org.libtensor.Viewer)
 */
GSettings *
lt_viewer_application_get_settings (LtViewerApplication *self)
{
  g_return_val_if_fail (LT_VIEWER_IS_APPLICATION (self), NULL);

  if (self->settings == NULL)
    {
      self->settings = _lt_viewer_settings_new ();
      if (self->settings == NULL)
        g_error ("the GSettings schema %s is not installed", LT_VIEWER_SCHEMA_ID);
    }
  return self->settings;
}

/* Actions */

static void
lt_viewer_application_about_cb (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LtViewerApplication *self = user_data;
  static const char   *developers[] = { "The libtensor developers", NULL };
  GtkWindow           *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget           *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW, "transient-for", parent, "application-icon",
                        LT_VIEWER_APP_ID, "application-name", _ ("libtensor Viewer"), "version",
                        PACKAGE_VERSION, "developer-name", _ ("The libtensor developers"),
                        "developers", developers, "comments",
                        _ ("Train the network of the tutorial “Deep Learning with "
                           "PyTorch: A 60 Minute Blitz” and watch it learn: its "
                           "images, loss curves, autograd graph and confusion "
                           "matrix, live."),
                        "website", LT_VIEWER_HOMEPAGE, "issue-url", LT_VIEWER_HOMEPAGE "/issues",
                        "license-type", GTK_LICENSE_LGPL_2_1,
                        /* Translators: your names, one a line */
                        "translator-credits", _ ("translator-credits"), NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
lt_viewer_application_quit_cb (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  LtViewerApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  /* Each window stops its training (after the mini-batch, with the
   * checkpoint) before it goes; the application ends with the last one. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

/* GApplication */

static void
lt_viewer_application_startup (GApplication *application)
{
  static const GActionEntry actions[] = {
    { "about", lt_viewer_application_about_cb },
    { "quit", lt_viewer_application_quit_cb },
  };
  LtViewerApplication *self = LT_VIEWER_APPLICATION (application);

  G_APPLICATION_CLASS (lt_viewer_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);
  gtk_window_set_default_icon_name (LT_VIEWER_APP_ID);
}

static void
lt_viewer_application_activate (GApplication *application)
{
  LtViewerApplication *self = LT_VIEWER_APPLICATION (application);
  GtkWindow           *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (lt_viewer_window_new (self));
  gtk_window_present (window);
}

static int
lt_viewer_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  g_autoptr(GSettings) settings = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("lt-viewer %s\n", PACKAGE_VERSION);
      return 0;
    }
  /* Said here rather than by GSettings' abort() */
  settings = _lt_viewer_settings_new ();
  if (settings == NULL)
    {
      g_printerr (_ ("lt-viewer: the settings schema %s is not installed: install lt-viewer "
                     "(meson install), or run it uninstalled with “meson devenv -C BUILD "
                     "lt-viewer”\n"),
                  LT_VIEWER_SCHEMA_ID);
      return 1;
    }
  return -1;
}

static void
lt_viewer_application_window_added (GtkApplication *application, GtkWindow *window)
{
#if LT_VIEWER_DEVELOPMENT
  gtk_widget_add_css_class (GTK_WIDGET (window), "devel");
#endif
  GTK_APPLICATION_CLASS (lt_viewer_application_parent_class)->window_added (application, window);
}

/* GObject */

static void
lt_viewer_application_finalize (GObject *object)
{
  LtViewerApplication *self = LT_VIEWER_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (lt_viewer_application_parent_class)->finalize (object);
}

static void
lt_viewer_application_class_init (LtViewerApplicationClass *klass)
{
  GObjectClass        *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass   *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->finalize = lt_viewer_application_finalize;
  app_class->startup = lt_viewer_application_startup;
  app_class->activate = lt_viewer_application_activate;
  app_class->handle_local_options = lt_viewer_application_handle_local_options;
  gtk_app_class->window_added = lt_viewer_application_window_added;
}

static void
lt_viewer_application_init (LtViewerApplication *self)
{
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Print the version and exit"), NULL }, { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (
    G_APPLICATION (self),
    _ ("Trains a neural network and shows it learning: a batch of images, the loss curves, "
       "the autograd graph and the confusion matrix."));
}

/**
 * lt_viewer_application_new:
 *
 * Returns: (transfer full): lt-viewer's application
 */
LtViewerApplication *
lt_viewer_application_new (void)
{
  return g_object_new (LT_VIEWER_TYPE_APPLICATION, "application-id", LT_VIEWER_APP_ID,
                       "resource-base-path", LT_VIEWER_RESOURCE_PATH, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, NULL);
}
