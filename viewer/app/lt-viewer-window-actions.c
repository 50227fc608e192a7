/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "lt-viewer-window-private.h"
#include "lt-viewer-window-views.h"

/*
 * The window's actions, installed on its class. Their accelerators are
 * the application's (lt-viewer-application.c) and the shortcuts window
 * lists them (gtk/help-overlay.ui). Actions that need a file ask for it
 * with a file chooser, then call the window's function that does the
 * work (which the tests call directly).
 */

static void
lt_viewer_window_actions_start_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  _lt_viewer_window_start (LT_VIEWER_WINDOW (widget));
}

static void
lt_viewer_window_actions_pause_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  _lt_viewer_window_pause (LT_VIEWER_WINDOW (widget));
}

static void
lt_viewer_window_actions_resume_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  _lt_viewer_window_resume (LT_VIEWER_WINDOW (widget));
}

static void
lt_viewer_window_actions_stop_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  _lt_viewer_window_stop (LT_VIEWER_WINDOW (widget));
}

/* File choosers */

static GtkFileChooserNative *
file_chooser_new (LtViewerWindow      *self,
                  const char          *title,
                  GtkFileChooserAction action,
                  const char          *accept)
{
  return gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _ ("_Cancel"));
}

static GtkFileFilter *
checkpoint_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _ ("Checkpoints (safetensors)"));
  gtk_file_filter_add_suffix (filter, "safetensors");
  return filter;
}

static void
save_checkpoint_response_cb (GtkNativeDialog *dialog, int response, LtViewerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      _lt_viewer_window_save_checkpoint_to (self, file);
    }
  g_object_unref (dialog);
}

static void
lt_viewer_window_actions_save_checkpoint_cb (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *param)
{
  LtViewerWindow       *self = LT_VIEWER_WINDOW (widget);
  GtkFileChooserNative *dialog;

  dialog =
    file_chooser_new (self, _ ("Save a Checkpoint"), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), checkpoint_filter ());
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "checkpoint.safetensors");
  g_signal_connect (dialog, "response", G_CALLBACK (save_checkpoint_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_checkpoint_response_cb (GtkNativeDialog *dialog, int response, LtViewerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      _lt_viewer_window_open_checkpoint (self, file);
    }
  g_object_unref (dialog);
}

static void
lt_viewer_window_actions_open_checkpoint_cb (GtkWidget  *widget,
                                             const char *action_name,
                                             GVariant   *param)
{
  LtViewerWindow       *self = LT_VIEWER_WINDOW (widget);
  GtkFileChooserNative *dialog;

  dialog =
    file_chooser_new (self, _ ("Open a Checkpoint"), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), checkpoint_filter ());
  g_signal_connect (dialog, "response", G_CALLBACK (open_checkpoint_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
choose_data_folder_response_cb (GtkNativeDialog *dialog, int response, LtViewerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path)
        g_settings_set_string (self->settings, "data-folder", path);
    }
  g_object_unref (dialog);
}

static void
lt_viewer_window_actions_choose_data_folder_cb (GtkWidget  *widget,
                                                const char *action_name,
                                                GVariant   *param)
{
  LtViewerWindow  *self = LT_VIEWER_WINDOW (widget);
  g_autofree char *folder = _lt_viewer_window_dup_data_folder (self);
  g_autoptr(GFile) current = g_file_new_for_path (folder);
  GtkFileChooserNative *dialog;

  dialog = file_chooser_new (self, _ ("Choose the Data Folder"),
                             GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _ ("_Choose"));
  if (g_file_query_exists (current, NULL))
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), current, NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (choose_data_folder_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
export_view_response_cb (GtkNativeDialog *dialog, int response, LtViewerWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      _lt_viewer_window_export_view_to (self, file);
    }
  g_object_unref (dialog);
}

static void
lt_viewer_window_actions_export_view_cb (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *param)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (widget);
  g_autoptr(GPtrArray) filters = _lt_viewer_window_export_filters (self);
  g_autofree char      *name = _lt_viewer_window_export_suggested_name (self);
  GtkFileChooserNative *dialog;

  dialog =
    file_chooser_new (self, _ ("Export the View"), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"));
  for (guint i = 0; i < filters->len; i++)
    gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filters->pdata[i]);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (export_view_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
lt_viewer_window_actions_show_view_cb (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (widget);
  const char     *name = g_variant_get_string (param, NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name))
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

void
_lt_viewer_window_class_actions_init (LtViewerWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.start", NULL,
                                   lt_viewer_window_actions_start_cb);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL,
                                   lt_viewer_window_actions_pause_cb);
  gtk_widget_class_install_action (widget_class, "win.resume", NULL,
                                   lt_viewer_window_actions_resume_cb);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL,
                                   lt_viewer_window_actions_stop_cb);
  gtk_widget_class_install_action (widget_class, "win.save-checkpoint", NULL,
                                   lt_viewer_window_actions_save_checkpoint_cb);
  gtk_widget_class_install_action (widget_class, "win.open-checkpoint", NULL,
                                   lt_viewer_window_actions_open_checkpoint_cb);
  gtk_widget_class_install_action (widget_class, "win.choose-data-folder", NULL,
                                   lt_viewer_window_actions_choose_data_folder_cb);
  gtk_widget_class_install_action (widget_class, "win.export-view", NULL,
                                   lt_viewer_window_actions_export_view_cb);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s",
                                   lt_viewer_window_actions_show_view_cb);
  gtk_widget_class_install_property_action (widget_class, "win.show-settings", "show-settings");
}

/* Enables what makes sense in the window's state. */
void
_lt_viewer_window_actions_update (LtViewerWindow *self)
{
  GtkWidget    *widget = GTK_WIDGET (self);
  LtViewerState state = self->state;
  gboolean      idle = state == LT_VIEWER_STATE_IDLE;

  gtk_widget_action_set_enabled (widget, "win.start", idle && !self->closing);
  gtk_widget_action_set_enabled (widget, "win.pause", state == LT_VIEWER_STATE_RUNNING);
  gtk_widget_action_set_enabled (widget, "win.resume", state == LT_VIEWER_STATE_PAUSED);
  gtk_widget_action_set_enabled (widget, "win.stop",
                                 state == LT_VIEWER_STATE_RUNNING ||
                                   state == LT_VIEWER_STATE_PAUSED ||
                                   state == LT_VIEWER_STATE_LOADING);
  gtk_widget_action_set_enabled (widget, "win.save-checkpoint",
                                 self->trainer != NULL && state != LT_VIEWER_STATE_LOADING);
  gtk_widget_action_set_enabled (widget, "win.open-checkpoint", idle);
  gtk_widget_action_set_enabled (widget, "win.choose-data-folder", idle);
}
