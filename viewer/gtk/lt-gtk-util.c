/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lt-gtk-private.h"

void
_lt_gtk_ensure_i18n (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      const char *dir = g_getenv ("LT_LOCALEDIR");

      bindtextdomain (GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&done, 1);
    }
}

void
_lt_gtk_run_color (guint index, GdkRGBA *color)
{
  LtRenderColor c;

  lt_render_run_color (index, &c);
  color->red = c.red;
  color->green = c.green;
  color->blue = c.blue;
  color->alpha = c.alpha;
}

void
_lt_gtk_theme_for_widget (GtkWidget *widget, LtRenderTheme *theme)
{
  GdkRGBA fg;
  double  luminance;

  /* GTK 4.8 has no gtk_widget_get_color () yet. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  luminance = 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue;
  lt_render_theme_init (theme, luminance > 0.5);
}

static void
message_response (GtkDialog *dialog, int response, gpointer user_data)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
}

void
_lt_gtk_report_error (GtkWidget *widget, guint signal_id, const GError *error)
{
  gboolean   handled = FALSE;
  GtkRoot   *root;
  GtkWidget *dialog;

  g_signal_emit (widget, signal_id, 0, error, &handled);
  if (handled)
    return;

  root = gtk_widget_get_root (widget);
  if (!GTK_IS_WINDOW (root))
    {
      g_message ("%s", error->message);
      return;
    }
  dialog =
    gtk_message_dialog_new (GTK_WINDOW (root), GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                            GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", error->message);
  g_signal_connect (dialog, "response", G_CALLBACK (message_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  GtkWidget          *widget;
  LtGtkExportCallback callback;
  gpointer            user_data;
} ChooseData;

static void
chooser_response (GtkNativeDialog *native, int response, ChooseData *data)
{
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      if (file)
        path = g_file_get_path (file);
    }
  data->callback (data->widget, path, data->user_data);
  g_object_unref (data->widget);
  g_free (data);
  g_object_unref (native);
}

void
_lt_gtk_choose_export_path (GtkWidget          *widget,
                            const char         *title,
                            const char         *suggested_name,
                            LtGtkExportCallback callback,
                            gpointer            user_data)
{
  GtkRoot              *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  ChooseData           *data;

  native = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested_name);

  data = g_new0 (ChooseData, 1);
  data->widget = g_object_ref (widget);
  data->callback = callback;
  data->user_data = user_data;
  g_signal_connect (native, "response", G_CALLBACK (chooser_response), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

const char *const *
_lt_gtk_dataset_get_classes (LtDataset *dataset)
{
  while (LT_IS_SUBSET (dataset))
    dataset = lt_subset_get_dataset (LT_SUBSET (dataset));
  if (LT_IS_CIFAR10 (dataset))
    return lt_cifar10_get_classes (LT_CIFAR10 (dataset));
  if (LT_IS_MNIST (dataset))
    return lt_mnist_get_classes (LT_MNIST (dataset));
  if (LT_IS_IMAGE_FOLDER (dataset))
    return lt_image_folder_get_classes (LT_IMAGE_FOLDER (dataset));
  return NULL;
}

GtkWidget *
_lt_gtk_icon_button_new (const char *icon_name, const char *action, const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

void
_lt_gtk_task_run (GTask *task, LtTrainer *trainer, GTaskThreadFunc func)
{
  if (trainer != NULL && !lt_trainer_get_threaded (trainer))
    func (task, g_task_get_source_object (task), g_task_get_task_data (task),
          g_task_get_cancellable (task));
  else
    g_task_run_in_thread (task, func);
}
