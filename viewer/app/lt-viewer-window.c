/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "lt-viewer-application-private.h"
#include "lt-viewer-config.h"
#include "lt-viewer-window-private.h"

/*
 * LtViewerWindow: the training settings in a sidebar (AdwFlap), the four
 * views in an AdwViewStack, a status line under them, and an error bar
 * over them. The window's actions are installed on its class
 * (lt-viewer-window-actions.c); training, from loading the data to the
 * trainer's signals, is lt-viewer-window-training.c.
 *
 * Every setting is bound to GSettings (org.libtensor.Viewer), so the
 * next start shows the last dataset, folder and hyperparameters, and the
 * window comes back at its last size.
 */

G_DEFINE_FINAL_TYPE (LtViewerWindow, lt_viewer_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SHOW_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Messages */

/**
 * _lt_viewer_window_show_error:
 * @self: the window
 * @what: (nullable): what failed, said first ("Cannot load the data")
 * @error: the error
 *
 * Shows @error in the error bar over the views until it is closed or the
 * next error replaces it. The window stays usable.
 */
void
_lt_viewer_window_show_error (LtViewerWindow *self, const char *what, const GError *error)
{
  g_autofree char *text = NULL;

  g_return_if_fail (LT_VIEWER_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  if (what)
    /* Translators: what failed, then why */
    text = g_strdup_printf (_ ("%s: %s"), what, error->message);
  else
    text = g_strdup (error->message);
  g_free (self->last_error);
  self->last_error = g_strdup (text);
  gtk_label_set_text (self->error_label, text);
  gtk_info_bar_set_revealed (self->error_bar, TRUE);
  g_debug ("%s", text);
}

/* The message in the error bar, or NULL when it is hidden */
const char *
_lt_viewer_window_get_error_message (LtViewerWindow *self)
{
  g_return_val_if_fail (LT_VIEWER_IS_WINDOW (self), NULL);
  return gtk_info_bar_get_revealed (self->error_bar) ? self->last_error : NULL;
}

static void
error_bar_response_cb (LtViewerWindow *self, int response, GtkInfoBar *bar)
{
  gtk_info_bar_set_revealed (bar, FALSE);
}

/* A short note that goes by itself */
void
_lt_viewer_window_show_toast (LtViewerWindow *self, const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 4);
  g_set_weak_pointer (&self->toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Takes the last note away before its time (for screenshots) */
void
_lt_viewer_window_dismiss_toast (LtViewerWindow *self)
{
  if (self->toast)
    adw_toast_dismiss (self->toast);
  g_clear_weak_pointer (&self->toast);
}

/* Settings */

/* The data folder: the setting, or when empty libtensor/data in the
 * user's data folder */
char *
_lt_viewer_window_dup_data_folder (LtViewerWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "data-folder");

  if (folder[0] == '\0')
    return g_build_filename (g_get_user_data_dir (), "libtensor", "data", NULL);
  return g_steal_pointer (&folder);
}

static void
update_folder_row (LtViewerWindow *self)
{
  g_autofree char *folder = _lt_viewer_window_dup_data_folder (self);

  adw_action_row_set_subtitle (self->folder_row, folder);
}

static void
update_momentum_row (LtViewerWindow *self)
{
  guint optimizer = adw_combo_row_get_selected (self->optimizer_row);

  /* SGD and RMSprop take a momentum; Adam and AdamW do not */
  gtk_widget_set_sensitive (GTK_WIDGET (self->momentum_row), optimizer == 0 || optimizer == 3);
}

/* An enum setting (its values in the order of the combo row's items) as
 * the row's "selected" */
static gboolean
enum_to_selected (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *const *nicks = user_data;
  const char        *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i]; i++)
    if (g_str_equal (nick, nicks[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
selected_to_enum (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const char *const *nicks = user_data;
  guint              selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[selected]);
}

static gboolean
device_to_active (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_boolean (value, g_str_equal (g_variant_get_string (variant, NULL), "cuda"));
  return TRUE;
}

static GVariant *
active_to_device (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_string (g_value_get_boolean (value) ? "cuda" : "cpu");
}

/* Whether this build and this machine can train on a CUDA device; when
 * not, the GPU button is insensitive and its tooltip says why. */
static void
probe_cuda (LtViewerWindow *self)
{
  g_autoptr(LtTensor) probe = lt_scalar (0);
  g_autoptr(LtTensor) moved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *why = NULL;

  moved = lt_tensor_to_device (probe, LT_DEVICE_CUDA, &error);
  self->cuda_available = moved != NULL;
  if (self->cuda_available)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->cuda_button), _ ("Train on the GPU"));
      return;
    }
#if LT_HAVE_CUDA
  /* Translators: %s is the library's own reason, in English */
  why = g_strdup_printf (_ ("No CUDA device can be used: %s"), error->message);
#else
  why = g_strdup (_ ("This libtensor was built without its CUDA backend (configure it with "
                     "-Dcuda=enabled on a machine with the CUDA toolkit)"));
#endif
  gtk_widget_set_sensitive (GTK_WIDGET (self->cuda_button), FALSE);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->cuda_button), why);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cuda_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why, -1);
}

static const char *const dataset_nicks[] = { "cifar10", "fashion-mnist", NULL };
static const char *const optimizer_nicks[] = { "sgd", "adam", "adamw", "rmsprop", NULL };

static void
bind_settings (LtViewerWindow *self)
{
  static const struct
  {
    const char *key;
    gsize       offset;
  } spins[] = {
    { "learning-rate", G_STRUCT_OFFSET (LtViewerWindow, lr_spin) },
    { "momentum", G_STRUCT_OFFSET (LtViewerWindow, momentum_spin) },
    { "weight-decay", G_STRUCT_OFFSET (LtViewerWindow, weight_decay_spin) },
    { "batch-size", G_STRUCT_OFFSET (LtViewerWindow, batch_spin) },
    { "epochs", G_STRUCT_OFFSET (LtViewerWindow, epochs_spin) },
    { "seed", G_STRUCT_OFFSET (LtViewerWindow, seed_spin) },
    { "workers", G_STRUCT_OFFSET (LtViewerWindow, workers_spin) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      GtkSpinButton *spin = G_STRUCT_MEMBER (GtkSpinButton *, self, spins[i].offset);

      g_settings_bind (self->settings, spins[i].key, gtk_spin_button_get_adjustment (spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
    }
  g_settings_bind_with_mapping (self->settings, "dataset", self->dataset_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, enum_to_selected, selected_to_enum,
                                (gpointer) dataset_nicks, NULL);
  g_settings_bind_with_mapping (self->settings, "optimizer", self->optimizer_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, enum_to_selected, selected_to_enum,
                                (gpointer) optimizer_nicks, NULL);
  if (self->cuda_available)
    g_settings_bind_with_mapping (self->settings, "device", self->cuda_button, "active",
                                  G_SETTINGS_BIND_DEFAULT, device_to_active, active_to_device, NULL,
                                  NULL);
  g_signal_connect_object (self->settings, "changed::data-folder", G_CALLBACK (update_folder_row),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->optimizer_row, "notify::selected",
                           G_CALLBACK (update_momentum_row), self, G_CONNECT_SWAPPED);
  update_folder_row (self);
  update_momentum_row (self);
}

/* The state the actions and controls follow */
void
_lt_viewer_window_set_state (LtViewerWindow *self, LtViewerState state)
{
  gboolean idle = state == LT_VIEWER_STATE_IDLE;

  self->state = state;
  gtk_widget_set_sensitive (self->settings_page, idle);
  gtk_stack_set_visible_child_name (self->pause_stack,
                                    state == LT_VIEWER_STATE_PAUSED ? "resume" : "pause");
  gtk_widget_set_visible (GTK_WIDGET (self->download_bar), state == LT_VIEWER_STATE_LOADING);
  _lt_viewer_window_actions_update (self);
}

/* GtkWindow */

static void
save_window_state (LtViewerWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", CLAMP (width, 360, 16384));
      g_settings_set_int (self->settings, "window-height", CLAMP (height, 360, 16384));
    }
  g_settings_apply (self->settings);
}

/* Closing while training stops after the mini-batch (the trainer writes
 * its checkpoint), then closes. Closing while the data loads or downloads
 * cancels that at once: the worker holds the window until it ends. */
static gboolean
lt_viewer_window_close_request (GtkWindow *window)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (window);

  save_window_state (self);
  if (self->state == LT_VIEWER_STATE_LOADING)
    _lt_viewer_window_stop (self);
  if (self->state == LT_VIEWER_STATE_RUNNING || self->state == LT_VIEWER_STATE_PAUSED ||
      self->state == LT_VIEWER_STATE_STOPPING)
    {
      if (!self->closing)
        {
          self->closing = TRUE;
          _lt_viewer_window_show_toast (self, _ ("Stopping after this mini-batch; the "
                                                 "checkpoint is kept"));
          _lt_viewer_window_stop (self);
        }
      return TRUE;
    }
  return GTK_WINDOW_CLASS (lt_viewer_window_parent_class)->close_request (window);
}

/* GObject */

static void
lt_viewer_window_dispose (GObject *object)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (object);

  _lt_viewer_window_training_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LT_VIEWER_TYPE_WINDOW);
  G_OBJECT_CLASS (lt_viewer_window_parent_class)->dispose (object);
}

static void
lt_viewer_window_finalize (GObject *object)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->toast);
  g_free (self->last_error);
  G_OBJECT_CLASS (lt_viewer_window_parent_class)->finalize (object);
}

static void
lt_viewer_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (object);

  switch (prop_id)
    {
      case PROP_SHOW_SETTINGS:
        g_value_set_boolean (value, self->show_settings);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_viewer_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (object);

  switch (prop_id)
    {
      case PROP_SHOW_SETTINGS:
        if (self->show_settings != g_value_get_boolean (value))
          {
            self->show_settings = g_value_get_boolean (value);
            g_object_notify_by_pspec (object, pspec);
          }
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_viewer_window_class_init (LtViewerWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = lt_viewer_window_dispose;
  object_class->finalize = lt_viewer_window_finalize;
  object_class->get_property = lt_viewer_window_get_property;
  object_class->set_property = lt_viewer_window_set_property;
  window_class->close_request = lt_viewer_window_close_request;

  /**
   * LtViewerWindow:show-settings:
   *
   * Whether the training settings are shown beside the views.
   */
  properties[PROP_SHOW_SETTINGS] =
    g_param_spec_boolean ("show-settings", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               LT_VIEWER_RESOURCE_PATH "/lt-viewer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, settings_page);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, dataset_row);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, download_bar);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, device_row);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, cpu_button);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, cuda_button);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, optimizer_row);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, lr_spin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, momentum_row);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, momentum_spin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, weight_decay_spin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, pause_stack);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, images_bin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, loss_bin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, graph_bin);
  gtk_widget_class_bind_template_child (widget_class, LtViewerWindow, accuracy_bin);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);

  _lt_viewer_window_class_actions_init (klass);
}

static void
lt_viewer_window_init (LtViewerWindow *self)
{
  GApplication *app = g_application_get_default ();

  self->show_settings = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  if (LT_VIEWER_IS_APPLICATION (app))
    self->settings =
      g_object_ref (lt_viewer_application_get_settings (LT_VIEWER_APPLICATION (app)));
  else
    self->settings = _lt_viewer_settings_new ();
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  probe_cuda (self);
  bind_settings (self);
  _lt_viewer_window_training_init (self);
  _lt_viewer_window_set_state (self, LT_VIEWER_STATE_IDLE);
}

/**
 * lt_viewer_window_new:
 * @application: the application
 *
 * Returns: (transfer full): a new main window of @application
 */
LtViewerWindow *
lt_viewer_window_new (LtViewerApplication *application)
{
  return g_object_new (LT_VIEWER_TYPE_WINDOW, "application", application, NULL);
}
