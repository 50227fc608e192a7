/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt-viewer in-process: the application and its window on a generated
 * CIFAR-10 (tests/make-train-fixtures.py, LT_VIEWER_FIXTURE), driven
 * through the window's own actions as the keyboard and the buttons drive
 * them: training starts, pauses, resumes and stops; closing the window
 * mid-training leaves a checkpoint that opens again; the main loop keeps
 * turning while training runs (how long it waits at most is measured by
 * bench/ui_gap.py).
 */
#include <string.h>

#include "../c/test-helpers.h"
#include "lt-viewer-application-private.h"
#include "lt-viewer-window-private.h"
#include "viewer-test.h"

LtViewerApplication *test_app;

/* Windows */

static void
reset_settings (GSettings *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i]; i++)
    g_settings_reset (settings, keys[i]);
}

/* A window over the fixture: CIFAR-10 from LT_VIEWER_FIXTURE, the
 * tutorial's recipe, enough epochs that training runs until stopped */
LtViewerWindow *
test_window_new (void)
{
  GSettings      *settings = lt_viewer_application_get_settings (test_app);
  LtViewerWindow *window;

  reset_settings (settings);
  g_settings_set_string (settings, "data-folder", g_getenv ("LT_VIEWER_FIXTURE"));
  g_settings_set_enum (settings, "dataset", 0);
  g_settings_set_int (settings, "epochs", 1000);
  g_settings_set_int (settings, "workers", 1);
  g_settings_set_int (settings, "log-interval", 10);
  g_settings_set_int (settings, "graph-interval", 100);
  window = lt_viewer_window_new (test_app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (ui_wait_until ((UiCondition) gtk_widget_get_mapped, window, UI_WAIT_MS));
  return window;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Destroys @window (stopping its training first) and checks that it
 * goes. */
void
test_window_destroy (LtViewerWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  if (window->state != LT_VIEWER_STATE_IDLE)
    {
      _lt_viewer_window_stop (window);
      g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (ui_wait_until (is_null, &weak, UI_WAIT_MS));
}

typedef struct
{
  LtViewerWindow *window;
  LtViewerState   state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *w = data;

  return w->window->state == w->state;
}

gboolean
test_wait_state (LtViewerWindow *window, LtViewerState state)
{
  StateWait w = { window, state };

  return ui_wait_until (state_is, &w, UI_WAIT_MS);
}

typedef struct
{
  LtViewerWindow *window;
  guint64         steps;
} StepWait;

static gboolean
steps_reached (gpointer data)
{
  StepWait  *w = data;
  LtTrainer *trainer = _lt_viewer_window_get_trainer (w->window);

  return trainer && lt_trainer_get_step (trainer) >= w->steps;
}

/* Waits until the window's trainer has done @steps steps in all */
gboolean
test_wait_steps (LtViewerWindow *window, guint64 steps)
{
  StepWait w = { window, steps };

  return ui_wait_until (steps_reached, &w, UI_WAIT_MS);
}

void
test_activate (LtViewerWindow *window, const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
}

/* Starts training through win.start and waits for @steps steps */
void
test_start_training (LtViewerWindow *window, guint64 steps)
{
  test_activate (window, "win.start");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_RUNNING));
  g_assert_true (test_wait_steps (window, steps));
  g_assert_null (_lt_viewer_window_get_error_message (window));
}

/* Every action has an accelerator on the application and a line in the
 * shortcuts window. */

static void
collect_shortcut_actions (GtkWidget *widget, GHashTable *actions)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *name = NULL;

      g_object_get (widget, "action-name", &name, NULL);
      if (name)
        g_hash_table_add (actions, g_steal_pointer (&name));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcut_actions (child, actions);
}

static void
assert_shortcut (GHashTable *listed, const char *action)
{
  g_auto(GStrv) accels =
            gtk_application_get_accels_for_action (GTK_APPLICATION (test_app), action);

  if (accels == NULL || accels[0] == NULL)
    g_error ("%s has no keyboard shortcut", action);
  if (!g_hash_table_contains (listed, action))
    g_error ("%s (%s) is not in the shortcuts window", action, accels[0]);
}

/* Every action a view installs (images.*, loss.*, graph.*, accuracy.*)
 * has a key among its class's shortcuts. */
static void
assert_view_keys (GtkWidget *view)
{
  g_autoptr(GHashTable) bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (view);
  const char         *name, *property;
  const GVariantType *param;
  GType               owner;
  guint               n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (GTK_IS_NAMED_ACTION (action))
            g_hash_table_add (
              bound, g_strdup (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action))));
        }
    }
  for (guint i = 0; gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (view), i, &owner, &name,
                                                   &param, &property);
       i++)
    {
      if (owner != G_OBJECT_TYPE (view))
        continue;
      if (!g_hash_table_contains (bound, name))
        g_error ("%s (%s) has no keyboard shortcut", name, G_OBJECT_TYPE_NAME (view));
      n++;
    }
  g_test_message ("%s: %u actions, each with a key", G_OBJECT_TYPE_NAME (view), n);
  g_assert_cmpuint (n, >=, 2);
}

static void
test_shortcuts (void)
{
  static const char *const views[] = { "images", "loss", "graph", "accuracy" };
  LtViewerWindow          *window = test_window_new ();
  GtkShortcutsWindow      *overlay =
    gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) app_actions = g_action_group_list_actions (G_ACTION_GROUP (test_app));
  const char         *name, *property;
  const GVariantType *param;
  GType               owner;
  guint               n = 0;

  g_assert_nonnull (overlay);
  collect_shortcut_actions (GTK_WIDGET (overlay), listed);
  for (guint i = 0; gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (window), i, &owner, &name,
                                                   &param, &property);
       i++)
    {
      if (owner != LT_VIEWER_TYPE_WINDOW)
        continue;
      if (param == NULL)
        assert_shortcut (listed, name);
      else
        {
          g_assert_cmpstr (name, ==, "win.show-view");
          for (guint v = 0; v < G_N_ELEMENTS (views); v++)
            {
              g_autofree char *detailed = g_strdup_printf ("%s('%s')", name, views[v]);

              assert_shortcut (listed, detailed);
            }
        }
      n++;
    }
  g_assert_cmpuint (n, >=, 10);
  for (guint i = 0; app_actions[i]; i++)
    {
      g_autofree char *detailed = g_strconcat ("app.", app_actions[i], NULL);

      assert_shortcut (listed, detailed);
    }
  assert_shortcut (listed, "window.close");
  assert_shortcut (listed, "win.show-help-overlay");
  assert_view_keys (GTK_WIDGET (window->image_view));
  assert_view_keys (GTK_WIDGET (window->loss_view));
  assert_view_keys (GTK_WIDGET (window->graph_view));
  assert_view_keys (GTK_WIDGET (window->accuracy_view));

  /* The shortcuts window and the about window open */
  test_activate (window, "win.show-help-overlay");
  g_assert_true (ui_wait_until ((UiCondition) gtk_widget_get_mapped, overlay, UI_WAIT_MS));
  gtk_window_close (GTK_WINDOW (overlay));
  g_action_group_activate_action (G_ACTION_GROUP (test_app), "about", NULL);
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkWindow  *about = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_ABOUT_WINDOW (w))
          about = w;
      }
    g_assert_nonnull (about);
    g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==,
                     g_application_get_application_id (G_APPLICATION (test_app)));
    gtk_window_destroy (about);
  }
  test_window_destroy (window);
}

/* Icon-only buttons in the window's template have a tooltip and an
 * accessible label (GTK 4.8 has no getter for the label: the template is
 * read). */

typedef struct
{
  char    *klass;
  gboolean icon, label, tooltip;
  int      depth; /* of the <object> element */
} Frame;

typedef struct
{
  GArray  *frames;
  int      depth;
  gboolean in_accessibility;
  GString *problems;
} A11yCheck;

static void
a11y_start (GMarkupParseContext *context,
            const char          *element,
            const char         **names,
            const char         **values,
            gpointer             user_data,
            GError             **error)
{
  A11yCheck  *c = user_data;
  const char *klass = NULL, *name = NULL;

  c->depth++;
  for (guint i = 0; names[i]; i++)
    {
      if (g_str_equal (names[i], "class"))
        klass = values[i];
      else if (g_str_equal (names[i], "name"))
        name = values[i];
    }
  if (g_str_equal (element, "object") || g_str_equal (element, "template"))
    {
      Frame f = { g_strdup (klass), FALSE, FALSE, FALSE, c->depth };

      g_array_append_val (c->frames, f);
    }
  else if (g_str_equal (element, "accessibility"))
    c->in_accessibility = TRUE;
  else if (g_str_equal (element, "property") && c->frames->len > 0 && name)
    {
      Frame *f = &g_array_index (c->frames, Frame, c->frames->len - 1);

      if (c->in_accessibility && g_str_equal (name, "label") && c->depth == f->depth + 2)
        f->label = TRUE;
      else if (!c->in_accessibility && c->depth == f->depth + 1)
        {
          f->icon |= g_str_equal (name, "icon-name");
          f->tooltip |= g_str_equal (name, "tooltip-text");
        }
    }
}

static void
a11y_end (GMarkupParseContext *context, const char *element, gpointer user_data, GError **error)
{
  A11yCheck *c = user_data;

  if ((g_str_equal (element, "object") || g_str_equal (element, "template")) && c->frames->len > 0)
    {
      Frame   *f = &g_array_index (c->frames, Frame, c->frames->len - 1);
      gboolean button = g_strcmp0 (f->klass, "GtkButton") == 0 ||
                        g_strcmp0 (f->klass, "GtkToggleButton") == 0 ||
                        g_strcmp0 (f->klass, "GtkMenuButton") == 0;

      if (button && f->icon && (!f->label || !f->tooltip))
        g_string_append_printf (c->problems, "an icon-only %s without %s\n", f->klass,
                                !f->label ? "an accessible label" : "a tooltip");
      g_free (f->klass);
      g_array_set_size (c->frames, c->frames->len - 1);
    }
  else if (g_str_equal (element, "accessibility"))
    c->in_accessibility = FALSE;
  c->depth--;
}

static void
check_icon_buttons (GtkWidget *widget, guint *n)
{
  /* Hidden ones are not shown to anybody (GtkInfoBar's own close
   * button); a spin button is one control, its - and + are GTK's */
  if (!gtk_widget_get_visible (widget) || GTK_IS_SPIN_BUTTON (widget))
    return;
  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget))
    {
      GtkWidget *child = gtk_widget_get_first_child (widget);

      /* a GtkMenuButton holds its GtkToggleButton, which holds the icon */
      if (GTK_IS_MENU_BUTTON (widget) && child)
        child = gtk_widget_get_first_child (child);
      if (GTK_IS_IMAGE (child) && gtk_widget_get_next_sibling (child) == NULL)
        {
          GtkWidget *labelled = widget;

          if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (labelled),
                                                 GTK_ACCESSIBLE_PROPERTY_LABEL) &&
              !(GTK_IS_TOGGLE_BUTTON (widget) &&
                GTK_IS_MENU_BUTTON (gtk_widget_get_parent (widget)) &&
                gtk_test_accessible_has_property (GTK_ACCESSIBLE (gtk_widget_get_parent (widget)),
                                                  GTK_ACCESSIBLE_PROPERTY_LABEL)))
            {
              g_autoptr(GString) path = g_string_new (NULL);

              for (GtkWidget *w = widget; w; w = gtk_widget_get_parent (w))
                g_string_append_printf (path, " < %s", G_OBJECT_TYPE_NAME (w));
              g_error ("an icon-only %s (%s, in%s) has no accessible label",
                       G_OBJECT_TYPE_NAME (widget),
                       gtk_widget_get_tooltip_text (widget) ? gtk_widget_get_tooltip_text (widget)
                                                            : "no tooltip",
                       path->str);
            }
          (*n)++;
        }
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    check_icon_buttons (c, n);
}

static void
test_icon_buttons_labelled (void)
{
  static const GMarkupParser parser = { a11y_start, a11y_end, NULL, NULL, NULL };
  g_autoptr(GBytes) ui = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  A11yCheck   c = { g_array_new (FALSE, TRUE, sizeof (Frame)), 0, FALSE, g_string_new (NULL) };
  gsize       len;
  const char *data;

  ui = g_resources_lookup_data ("/org/libtensor/Viewer/lt-viewer-window.ui",
                                G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (ui, &len);
  context = g_markup_parse_context_new (&parser, 0, &c, NULL);
  g_assert_true (g_markup_parse_context_parse (context, data, (gssize) len, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c.problems->str, ==, "");
  g_array_unref (c.frames);
  g_string_free (c.problems, TRUE);

  /* And the window as built, the views' own bars included (made in C):
   * every button whose only child is an icon has an accessible label */
  {
    LtViewerWindow *window = test_window_new ();
    guint           n = 0;

    check_icon_buttons (GTK_WIDGET (window), &n);
    g_test_message ("%u icon-only buttons, each with an accessible label", n);
    g_assert_cmpuint (n, >=, 8);
    test_window_destroy (window);
  }
}

/* Training through the actions */

static void
assert_steps_stay (LtViewerWindow *window, guint ms)
{
  guint64 before = lt_trainer_get_step (_lt_viewer_window_get_trainer (window));

  ui_iterate_for (ms);
  g_assert_cmpuint (lt_trainer_get_step (_lt_viewer_window_get_trainer (window)), ==, before);
}

static gboolean
status_has_rate (gpointer data)
{
  const char *status = _lt_viewer_window_get_status (data);

  return strstr (status, "images/s") != NULL && strstr (status, "left") != NULL;
}

static void
test_start_pause_resume_stop (void)
{
  LtViewerWindow *window = test_window_new ();
  LtTrainer      *trainer;
  const char     *checkpoint = _lt_viewer_window_get_checkpoint_path (window);
  guint64         paused_at, stopped_at;

  g_remove (checkpoint);
  test_start_training (window, 5);
  trainer = _lt_viewer_window_get_trainer (window);
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_RUNNING);
  g_assert_cmpuint (window->run, ==, 1);
  /* The settings cannot change under a run */
  g_assert_false (gtk_widget_is_sensitive (window->settings_page));
  g_assert_nonnull (strstr (_lt_viewer_window_get_status (window), "epoch"));
  /* The rate and the time left, once there are two samples of the steps */
  g_assert_true (ui_wait_until (status_has_rate, window, UI_WAIT_MS));
  g_test_message ("status: %s", _lt_viewer_window_get_status (window));

  /* Pause: the steps stop */
  test_activate (window, "win.pause");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_PAUSED));
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_PAUSED);
  g_assert_true (g_str_has_prefix (_lt_viewer_window_get_status (window), "Paused"));
  paused_at = lt_trainer_get_step (trainer);
  assert_steps_stay (window, 300);

  /* Resume: they go on */
  test_activate (window, "win.resume");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_RUNNING));
  g_assert_true (test_wait_steps (window, paused_at + 5));

  /* Stop: the trainer stops after the mini-batch and writes its checkpoint */
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_STOPPED);
  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
  stopped_at = lt_trainer_get_step (trainer);
  assert_steps_stay (window, 200);
  g_assert_true (gtk_widget_is_sensitive (window->settings_page));
  g_assert_nonnull (strstr (_lt_viewer_window_get_status (window), "stopped"));

  /* Start again: the same run goes on from where it stopped */
  test_start_training (window, stopped_at + 5);
  g_assert_true (_lt_viewer_window_get_trainer (window) == trainer);
  g_assert_cmpuint (window->run, ==, 1);
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));

  /* New settings: the next start is a new run */
  g_settings_set_int (window->settings, "seed", 7);
  test_start_training (window, 3);
  g_assert_true (_lt_viewer_window_get_trainer (window) != trainer);
  g_assert_cmpuint (window->run, ==, 2);
  test_window_destroy (window);
}

/* The views follow the run: the loss view's points grow as it trains,
 * the image view shows the training set's first batch with its labels
 * (read here from the fixture's file) and the tutorial's class names. */

typedef struct
{
  LtViewerWindow *window;
  guint           points;
} PointsWait;

static gboolean
points_above (gpointer data)
{
  PointsWait *w = data;

  return lt_gtk_loss_view_get_n_points (w->window->loss_view) > w->points;
}

static gboolean
images_loaded (gpointer data)
{
  LtGtkImageView *view = data;

  return !lt_gtk_image_view_get_loading (view) && lt_gtk_image_view_get_n_images (view) > 0;
}

static void
test_views_follow_training (void)
{
  static const char *const tutorial_classes[] = {
    "plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  };
  LtViewerWindow    *window = test_window_new ();
  g_autofree char   *batch_file = g_build_filename (g_getenv ("LT_VIEWER_FIXTURE"),
                                                    "cifar-10-batches-bin", "data_batch_1.bin", NULL);
  g_autofree guint8 *records = NULL;
  gsize              len;
  PointsWait         points = { window, 0 };
  guint              n;

  g_assert_cmpuint (lt_gtk_loss_view_get_n_points (window->loss_view), ==, 0);
  /* A point every 10 mini-batches (log-interval) */
  test_start_training (window, 25);
  g_assert_true (ui_wait_until (points_above, &points, UI_WAIT_MS));
  points.points = lt_gtk_loss_view_get_n_points (window->loss_view);
  test_wait_steps (window, lt_trainer_get_step (_lt_viewer_window_get_trainer (window)) + 30);
  g_assert_true (ui_wait_until (points_above, &points, UI_WAIT_MS));
  g_test_message ("loss view: %u points, then %u", points.points,
                  lt_gtk_loss_view_get_n_points (window->loss_view));
  g_assert_cmpuint (lt_gtk_run_registry_get_n_runs (window->registry), ==, 1);

  /* The first training batch, as the fixture's first records hold it:
   * each record is a label byte and 3072 pixel bytes */
  g_assert_true (ui_wait_until (images_loaded, window->image_view, UI_WAIT_MS));
  g_assert_true (g_file_get_contents (batch_file, (char **) &records, &len, NULL));
  n = lt_gtk_image_view_get_n_images (window->image_view);
  g_assert_cmpuint (n, >=, 4);
  g_assert_cmpuint (len, >=, n * 3073);
  for (guint i = 0; i < n; i++)
    {
      gint64           label = lt_gtk_image_view_get_label (window->image_view, i);
      g_autofree char *name = lt_gtk_image_view_dup_class_name (window->image_view, label);

      g_assert_cmpint (label, ==, records[i * 3073]);
      g_assert_cmpstr (name, ==, tutorial_classes[label]);
    }
  test_window_destroy (window);
}

/* The settings hold the hyperparameters and the smoothing: they show in
 * the controls, a control writes them back, and the run is built with
 * them. */
static void
test_settings_used (void)
{
  LtViewerWindow *window = test_window_new ();
  LtTrainer      *trainer;
  LtOptimizer    *optimizer;
  g_autoptr(GError) error = NULL;

  g_settings_set_enum (window->settings, "optimizer", 2); /* adamw */
  g_settings_set_double (window->settings, "learning-rate", 0.004);
  g_settings_set_double (window->settings, "weight-decay", 0.02);
  g_settings_set_int (window->settings, "batch-size", 8);
  g_settings_set_int (window->settings, "epochs", 3);
  g_settings_set_int (window->settings, "seed", 11);
  g_settings_set_double (window->settings, "smoothing", 0.25);
  g_assert_cmpuint (adw_combo_row_get_selected (window->optimizer_row), ==, 2);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->lr_spin), ==, 0.004);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->batch_spin), ==, 8);
  g_assert_cmpfloat (lt_gtk_loss_view_get_smoothing (window->loss_view), ==, 0.25);
  /* and back: a control writes its setting */
  gtk_spin_button_set_value (window->epochs_spin, 2);
  g_assert_cmpint (g_settings_get_int (window->settings, "epochs"), ==, 2);

  test_start_training (window, 3);
  trainer = _lt_viewer_window_get_trainer (window);
  optimizer = lt_trainer_get_optimizer (trainer);
  g_test_message ("%s, lr %g", G_OBJECT_TYPE_NAME (optimizer), lt_optimizer_get_lr (optimizer, 0));
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (optimizer, LT_TYPE_ADAMW));
  g_assert_cmpfloat_with_epsilon (lt_optimizer_get_lr (optimizer, 0), 0.004, 1e-12);
  g_assert_cmpfloat_with_epsilon (lt_optimizer_get_option (optimizer, 0, "weight_decay", &error),
                                  0.02, 1e-12);
  g_assert_no_error (error);
  g_assert_cmpint (lt_data_loader_get_batch_size (lt_trainer_get_train_loader (trainer)), ==, 8);
  g_assert_cmpuint (lt_trainer_get_epochs (trainer), ==, 2);
  test_window_destroy (window);
}

/* Without a CUDA backend (this build) or a device, the GPU cannot be
 * chosen, and its tooltip says why; training runs on the CPU even when
 * the settings ask for CUDA. */
static void
test_device_without_cuda (void)
{
  LtViewerWindow *window = test_window_new ();
  const char     *tooltip;

  g_settings_set_enum (window->settings, "device", 1);
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (window->cuda_button));
  g_test_message ("GPU button: %s", tooltip);
  g_assert_false (window->cuda_available);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (window->cuda_button)));
  g_assert_nonnull (strstr (tooltip, "CUDA"));
  g_assert_true (gtk_toggle_button_get_active (window->cpu_button));
  test_start_training (window, 3);
  g_assert_cmpint (lt_trainer_get_device (_lt_viewer_window_get_trainer (window)), ==,
                   LT_DEVICE_CPU);
  test_window_destroy (window);
}

/* Fashion-MNIST from a folder as Debian's package ships it: the first
 * convolution takes one channel, the classes are Fashion-MNIST's. */
static void
test_fashion_mnist (void)
{
  LtViewerWindow *window = test_window_new ();

  g_settings_set_enum (window->settings, "dataset", 1);
  g_settings_set_string (window->settings, "data-folder", g_getenv ("LT_VIEWER_FASHION_FIXTURE"));
  test_start_training (window, 5);
  g_assert_cmpint (window->data.in_channels, ==, 1);
  g_assert_cmpint (window->data.kind, ==, LT_TRAIN_DATASET_FASHION_MNIST);
  g_assert_cmpstr (window->data.classes[0], ==, "T-shirt/top");
  g_assert_true (ui_wait_until (images_loaded, window->image_view, UI_WAIT_MS));
  g_assert_cmpstr (lt_gtk_image_view_get_classes (window->image_view)[0], ==, "T-shirt/top");
  test_window_destroy (window);
}

/* Fashion-MNIST from Debian's dataset-fashion-mnist package itself: with
 * a data folder that holds no dataset, the window finds it in
 * /usr/share/datasets/fashion-mnist and trains on its 60,000 images. */
static void
test_fashion_mnist_debian (void)
{
  LtViewerWindow  *window;
  g_autofree char *empty = g_build_filename (ui_test_home (), "no-data", NULL);

  require_path (LT_FASHION_MNIST_DEFAULT_ROOT "/train-images-idx3-ubyte.gz",
                "dataset-fashion-mnist");
  g_assert_cmpint (g_mkdir_with_parents (empty, 0755), ==, 0);
  window = test_window_new ();
  g_settings_set_enum (window->settings, "dataset", 1);
  g_settings_set_string (window->settings, "data-folder", empty);
  test_start_training (window, 5);
  g_test_message ("%s", window->data.description);
  g_assert_cmpint (window->data.kind, ==, LT_TRAIN_DATASET_FASHION_MNIST);
  g_assert_cmpint (window->data.in_channels, ==, 1);
  g_assert_nonnull (strstr (window->data.description, LT_FASHION_MNIST_DEFAULT_ROOT));
  g_assert_cmpuint (
    lt_gtk_run_get_steps_per_epoch (lt_gtk_run_registry_get_run (window->registry, 0)), ==,
    60000 / g_settings_get_int (window->settings, "batch-size"));
  test_window_destroy (window);
  g_assert_cmpint (g_rmdir (empty), ==, 0);
}

/* Quitting (or closing the window) while it trains stops after the
 * mini-batch; the checkpoint it leaves opens in a new window, where the
 * run goes on. The window's size is remembered. */
static void
test_close_keeps_checkpoint (void)
{
  LtViewerWindow  *window = test_window_new ();
  g_autofree char *checkpoint = g_strdup (_lt_viewer_window_get_checkpoint_path (window));
  g_autoptr(GFile) file = g_file_new_for_path (checkpoint);
  g_autoptr(LtStateDict) state = NULL;
  g_autoptr(GError) error = NULL;
  gpointer   weak = window;
  guint64    before;
  LtTrainer *trainer;

  g_remove (checkpoint);
  gtk_window_set_default_size (GTK_WINDOW (window), 1111, 777);
  test_start_training (window, 5);
  before = lt_trainer_get_step (_lt_viewer_window_get_trainer (window));
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  /* Quit (Ctrl+Q) closes the windows */
  g_action_group_activate_action (G_ACTION_GROUP (test_app), "quit", NULL);
  /* Not at once: it waits for the mini-batch */
  g_assert_nonnull (weak);
  g_assert_cmpint (window->state, ==, LT_VIEWER_STATE_STOPPING);
  g_assert_true (ui_wait_until (is_null, &weak, UI_WAIT_MS));
  /* The window's size is kept for the next one */
  g_assert_cmpint (
    g_settings_get_int (lt_viewer_application_get_settings (test_app), "window-width"), ==, 1111);
  g_assert_cmpint (
    g_settings_get_int (lt_viewer_application_get_settings (test_app), "window-height"), ==, 777);

  g_assert_true (g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR));
  state = lt_state_dict_load (checkpoint, &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);

  window = test_window_new ();
  _lt_viewer_window_open_checkpoint (window, file);
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  g_assert_null (_lt_viewer_window_get_error_message (window));
  trainer = _lt_viewer_window_get_trainer (window);
  g_assert_nonnull (trainer);
  g_assert_cmpuint (lt_trainer_get_step (trainer), >=, before);
  before = lt_trainer_get_step (trainer);
  test_start_training (window, before + 3);
  g_assert_true (_lt_viewer_window_get_trainer (window) == trainer);
  test_window_destroy (window);
}

/* Closing the window itself (its close button, Ctrl+W) while training is
 * paused: the paused trainer stops, the window goes, and the checkpoint
 * holds the step it was paused at. */
static void
test_close_paused (void)
{
  LtViewerWindow  *window = test_window_new ();
  g_autofree char *checkpoint = g_strdup (_lt_viewer_window_get_checkpoint_path (window));
  g_autoptr(LtStateDict) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTrainer) trainer = NULL;
  gpointer weak = window;
  guint64  paused_at;

  g_remove (checkpoint);
  test_start_training (window, 5);
  test_activate (window, "win.pause");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_PAUSED));
  trainer = g_object_ref (_lt_viewer_window_get_trainer (window));
  paused_at = lt_trainer_get_step (trainer);
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (ui_wait_until (is_null, &weak, UI_WAIT_MS));
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_STOPPED);
  g_assert_cmpuint (lt_trainer_get_step (trainer), ==, paused_at);

  state = lt_state_dict_load (checkpoint, &error);
  g_assert_no_error (error);
  g_assert_nonnull (state);
  /* It opens where the run was paused */
  window = test_window_new ();
  {
    g_autoptr(GFile) file = g_file_new_for_path (checkpoint);

    _lt_viewer_window_open_checkpoint (window, file);
  }
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  g_assert_null (_lt_viewer_window_get_error_message (window));
  g_assert_cmpuint (lt_trainer_get_step (_lt_viewer_window_get_trainer (window)), ==, paused_at);
  test_window_destroy (window);
}

/* While training runs, the main loop keeps turning: a 5 ms timer ticks
 * all along and training advances, while the window switches views. The
 * longest gap between ticks (with and without the time other processes
 * held the CPUs, UiGapMeter) is printed, not asserted: it is a speed
 * figure, and bench/ui_gap.py measures it (median and range over runs). */

static void
test_responsive (void)
{
  static const char *const views[] = { "images", "loss", "graph", "accuracy" };
  LtViewerWindow          *window = test_window_new ();
  UiGapMeter               gaps;
  guint64                  steps_before;

  test_start_training (window, 3);
  /* Each view drawn once first: its first drawing (fonts, caches) is
   * not what training does to the main loop */
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", views[i]);
      ui_iterate_for (250);
    }
  steps_before = lt_trainer_get_step (_lt_viewer_window_get_trainer (window));
  ui_gap_meter_start (&gaps);
  /* Two seconds of training, showing each view in turn */
  for (guint i = 0; i < 8; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", views[i % 4]);
      ui_iterate_for (250);
    }
  ui_gap_meter_stop (&gaps);
  g_test_message (
    "%u ticks, longest gap %.1f ms (%.1f ms without waiting for a CPU), %" G_GUINT64_FORMAT
    " steps",
    gaps.ticks, gaps.max_gap / 1000.0, gaps.max_own_gap / 1000.0,
    lt_trainer_get_step (_lt_viewer_window_get_trainer (window)));
  g_assert_cmpint (window->state, ==, LT_VIEWER_STATE_RUNNING);
  g_assert_cmpuint (gaps.ticks, >, 20);
  g_assert_cmpuint (lt_trainer_get_step (_lt_viewer_window_get_trainer (window)), >, steps_before);
  test_window_destroy (window);
}

int
main (int argc, char *argv[])
{
  int status;

  /* GTK's in-memory accessibility backend (no bus, as "none"), so that
   * the tests can read the accessible labels (gtk_test_accessible_*) */
  g_setenv ("GTK_A11Y", "test", TRUE);
  ui_test_init (&argc, &argv);
  _lt_viewer_i18n_init ();
  g_test_summary ("lt-viewer in-process: its actions train, pause, resume and stop, and "
                  "closing keeps the checkpoint");
  if (g_getenv ("LT_VIEWER_FIXTURE") == NULL)
    g_error ("LT_VIEWER_FIXTURE is not set: run this test from meson test");

  test_app = lt_viewer_application_new ();
  g_application_set_flags (G_APPLICATION (test_app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (test_app), NULL, NULL));

  if (g_strcmp0 (g_getenv ("LANGUAGE"), "zh_CN") == 0)
    {
      /* The Chinese run (test-lt-viewer-zh_CN): the tests below say
       * "Paused" and the like in English */
      test_add_chinese_tests ();
      goto run;
    }
  g_test_add_func ("/viewer/shortcuts", test_shortcuts);
  g_test_add_func ("/viewer/icon-buttons-labelled", test_icon_buttons_labelled);
  g_test_add_func ("/viewer/train/start-pause-resume-stop", test_start_pause_resume_stop);
  g_test_add_func ("/viewer/train/close-keeps-checkpoint", test_close_keeps_checkpoint);
  g_test_add_func ("/viewer/train/close-paused", test_close_paused);
  /* Sanitizer builds run it apart, with the fast unwinder (see
   * tests/app/meson.build) */
  if (!g_getenv ("LT_UI_RESPONSIVE_APART"))
    g_test_add_func ("/viewer/train/responsive", test_responsive);
  g_test_add_func ("/viewer/views/follow-training", test_views_follow_training);
  g_test_add_func ("/viewer/settings-used", test_settings_used);
  g_test_add_func ("/viewer/device/without-cuda", test_device_without_cuda);
  g_test_add_func ("/viewer/data/fashion-mnist", test_fashion_mnist);
  g_test_add_func ("/viewer/data/fashion-mnist-debian", test_fashion_mnist_debian);
  test_add_view_tests ();
  test_add_bad_input_tests ();
  test_add_screenshot_tests ();

run:
  status = g_test_run ();
  g_clear_object (&test_app);
  return status;
}
