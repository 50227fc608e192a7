/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "ui-helpers.h"

typedef struct
{
  LtTrainer     *trainer;
  LtTrainerState state;
} StateWait;

static gboolean
reached (gpointer data)
{
  StateWait *w = data;
  return lt_trainer_get_state (w->trainer) == w->state;
}

static void
wait_state (LtTrainer *trainer, LtTrainerState state)
{
  StateWait        w = { trainer, state };
  g_autofree char *what =
    g_strdup_printf ("the trainer's state %d (it is %d)", state, lt_trainer_get_state (trainer));
  ui_wait_for_what (what, reached, &w, 120000);
  ui_spin (20);
}

static gboolean
stepped (gpointer data)
{
  return lt_trainer_get_step (data) >= 2;
}

/* The whole viewer in one call: every view follows the trainer */
static void
test_show_trainer (void)
{
  g_autofree char *root = ui_make_cifar_fixture (8, 16);
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 1);
  g_autoptr (GError) error = NULL;
  LtGtkTrainerWindow *window;
  LtGtkLossView      *loss;
  cairo_surface_t    *shot;
  g_autofree char    *path = NULL;

  lt_trainer_set_log_interval (trainer, 1);
  window = lt_gtk_show_trainer (trainer);
  g_assert_nonnull (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_assert_true (lt_gtk_trainer_window_get_trainer (window) == trainer);
  loss = lt_gtk_trainer_window_get_loss_view (window);
  g_assert_true (lt_gtk_loss_view_get_trainer (loss) == trainer);
  g_assert_true (lt_gtk_image_view_get_trainer (lt_gtk_trainer_window_get_image_view (window)) ==
                 trainer);
  g_assert_true (lt_gtk_graph_view_get_trainer (lt_gtk_trainer_window_get_graph_view (window)) ==
                 trainer);
  g_assert_true (
    lt_gtk_accuracy_view_get_trainer (lt_gtk_trainer_window_get_accuracy_view (window)) == trainer);
  g_assert_cmpstr (lt_gtk_trainer_window_get_status (window), ==, "Not started");

  g_assert_true (lt_trainer_start (trainer, NULL, &error));
  g_assert_no_error (error);
  wait_state (trainer, LT_TRAINER_STATE_FINISHED);
  ui_spin (200);

  g_assert_nonnull (strstr (lt_gtk_trainer_window_get_status (window), "Finished"));
  g_assert_nonnull (strstr (lt_gtk_trainer_window_get_status (window), "Epoch 1"));
  g_assert_cmpuint (lt_gtk_loss_view_get_n_points (loss), >=, 10);
  g_assert_cmpuint (lt_gtk_graph_view_get_n_nodes (lt_gtk_trainer_window_get_graph_view (window)),
                    >, 10);
  g_assert_cmpuint (
    lt_gtk_accuracy_view_get_n_classes (lt_gtk_trainer_window_get_accuracy_view (window)), ==, 10);

  /* each page shown, the last one saved */
  for (gint page = 0; page < 4; page++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "trainer.show-page", "i", page);
      ui_spin (100);
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "trainer.show-page", "i", 0);
  ui_spin (200);
  shot = ui_widget_to_surface (GTK_WIDGET (window));
  path = ui_save_screenshot (shot, "trainer-window");
  g_test_message ("screenshot: %s", path);
  cairo_surface_destroy (shot);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_spin (50);
  g_assert_null (window);
  ui_remove_tree (root);
}

typedef struct
{
  LtTrainer *trainer;
  guint64    step;
} StepWait;

static gboolean
went_on (gpointer data)
{
  StepWait *w = data;
  return lt_trainer_get_step (w->trainer) >= w->step;
}

/* Pause, resume and stop from the window's actions */
static void
test_pause_resume_stop (void)
{
  g_autofree char *root = ui_make_cifar_fixture (40, 8);
  /* 200 epochs of 50 steps: a stop always comes before the end, however
   * far the worker runs ahead of the main loop on a busy machine */
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 200);
  g_autoptr (GError) error = NULL;
  GtkWidget *window = lt_gtk_trainer_window_new (trainer);
  guint64    paused_at;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lt_trainer_start (trainer, NULL, &error));
  g_assert_no_error (error);
  ui_wait_for (stepped, trainer, 120000);
  /* the window enables its pause once the state reached the main loop */
  wait_state (trainer, LT_TRAINER_STATE_RUNNING);

  g_assert_true (gtk_widget_activate_action (window, "trainer.pause", NULL));
  wait_state (trainer, LT_TRAINER_STATE_PAUSED);
  g_assert_nonnull (
    strstr (lt_gtk_trainer_window_get_status (LT_GTK_TRAINER_WINDOW (window)), "Paused"));
  paused_at = lt_trainer_get_step (trainer);
  ui_spin (300);
  g_assert_cmpuint (lt_trainer_get_step (trainer), ==, paused_at);

  g_assert_true (gtk_widget_activate_action (window, "trainer.resume", NULL));
  wait_state (trainer, LT_TRAINER_STATE_RUNNING);
  {
    StepWait w = { trainer, paused_at + 2 };
    ui_wait_for (went_on, &w, 120000);
  }
  g_assert_true (gtk_widget_activate_action (window, "trainer.stop", NULL));
  wait_state (trainer, LT_TRAINER_STATE_STOPPED);
  g_assert_nonnull (
    strstr (lt_gtk_trainer_window_get_status (LT_GTK_TRAINER_WINDOW (window)), "Stopped"));
  g_assert_cmpuint (lt_trainer_get_step (trainer), <, 200 * 50);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_remove_tree (root);
}

/* A trainer that fails mid-run (a learning rate so large that the loss
 * diverges): its message above the views */
static void
test_failure (void)
{
  g_autofree char *root = ui_make_cifar_fixture (4, 8);
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 1);
  g_autoptr (GError) error = NULL;
  GtkWidget *window = lt_gtk_trainer_window_new (trainer);
  GtkWidget *info_bar;

  lt_optimizer_set_lr (lt_trainer_get_optimizer (trainer), 0, 1e30);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (lt_trainer_start (trainer, NULL, &error));
  wait_state (trainer, LT_TRAINER_STATE_FAILED);
  g_assert_nonnull (
    strstr (lt_gtk_trainer_window_get_status (LT_GTK_TRAINER_WINDOW (window)), "Failed"));

  /* the info bar is the first child of the window's box */
  info_bar = gtk_widget_get_first_child (gtk_window_get_child (GTK_WINDOW (window)));
  g_assert_true (GTK_IS_INFO_BAR (info_bar));
  g_assert_true (gtk_widget_get_visible (info_bar));
  {
    GtkWidget  *w = info_bar;
    const char *text = NULL;

    /* the label inside it */
    while (w && !GTK_IS_LABEL (w))
      w = gtk_widget_get_first_child (w) ? gtk_widget_get_first_child (w)
                                         : gtk_widget_get_next_sibling (w);
    g_assert_nonnull (w);
    text = gtk_label_get_text (GTK_LABEL (w));
    g_test_message ("the window says: %s", text);
    g_assert_nonnull (strstr (text, "diverged"));
  }
  gtk_window_destroy (GTK_WINDOW (window));
  ui_remove_tree (root);
}

static void
test_controls (void)
{
  GtkWidget *window = lt_gtk_trainer_window_new (NULL);
  guint      n = 0;

  ui_check_controls (window, &n);
  g_assert_cmpuint (n, >=, 15);
  /* Keys: Ctrl+P pauses and resumes (trainer.pause and trainer.resume
   * are its two halves, for buttons and scripts), Ctrl+. stops, Alt+1..4
   * show the pages */
  {
    static const char *const keyed[] = { "trainer.pause-resume", "trainer.stop",
                                         "trainer.show-page" };
    g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (window);
    g_autoptr (GHashTable) bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

        if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
          continue;
        for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
          {
            g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);

            if (GTK_IS_NAMED_ACTION (gtk_shortcut_get_action (shortcut)))
              g_hash_table_add (bound, g_strdup (gtk_named_action_get_action_name (
                                         GTK_NAMED_ACTION (gtk_shortcut_get_action (shortcut)))));
          }
      }
    for (guint i = 0; i < G_N_ELEMENTS (keyed); i++)
      if (!g_hash_table_contains (bound, keyed[i]))
        g_error ("%s has no key", keyed[i]);
  }
  g_assert_cmpstr (lt_gtk_trainer_window_get_status (LT_GTK_TRAINER_WINDOW (window)), ==,
                   "No trainer");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/gtk/trainer-window/show-trainer", test_show_trainer);
  g_test_add_func ("/gtk/trainer-window/pause-resume-stop", test_pause_resume_stop);
  g_test_add_func ("/gtk/trainer-window/failure", test_failure);
  g_test_add_func ("/gtk/trainer-window/controls", test_controls);
  return g_test_run ();
}
