/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lt-gtk-private.h"
#include "lt-gtk-trainer-window.h"

/**
 * LtGtkTrainerWindow:
 *
 * The whole viewer over one trainer, in one window: the loss plot, the
 * images, the autograd graph and the accuracy, each bound to the
 * trainer, in pages switched from the header bar (or Alt+1 to Alt+4); a
 * status line with the epoch, the step, the last loss and the state;
 * pause, resume and stop buttons; and the trainer's error, when it
 * fails, above the views.
 *
 * For a script that trains with its own #LtTrainer: from Python,
 *
 * ```python
 * from gi.repository import LtGtk
 * window = LtGtk.show_trainer(trainer)
 * trainer.run()                # the window follows the training
 * ```
 *
 * The window does not own the training: closing it leaves the trainer
 * running.
 *
 * ## Actions
 *
 * `trainer.pause`, `trainer.resume`, `trainer.stop`, and
 * `trainer.show-page` (an int: 0 for the loss, 1 the images, 2 the graph,
 * 3 the accuracy).
 */

struct _LtGtkTrainerWindow
{
  GtkWindow parent_instance;

  /* Owned */
  LtTrainer *trainer;
  char      *status;

  /* Borrowed: children */
  GtkWidget *stack;
  GtkWidget *status_label;
  GtkWidget *pause_button;
  GtkWidget *info_bar;
  GtkWidget *info_label;
  GtkWidget *loss;
  GtkWidget *images;
  GtkWidget *graph;
  GtkWidget *accuracy;

  guint   epoch;
  gint64  iteration;
  guint64 steps;
  double  last_loss;
};

enum
{
  PROP_0,
  PROP_TRAINER,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (LtGtkTrainerWindow, lt_gtk_trainer_window, GTK_TYPE_WINDOW)

static const char *const page_names[] = { "loss", "images", "graph", "accuracy" };

static const char *
state_text (LtTrainerState state)
{
  switch (state)
    {
      case LT_TRAINER_STATE_IDLE:
        return _ ("Not started");
      case LT_TRAINER_STATE_RUNNING:
        return _ ("Training");
      case LT_TRAINER_STATE_PAUSED:
        return _ ("Paused");
      case LT_TRAINER_STATE_FINISHED:
        return _ ("Finished");
      case LT_TRAINER_STATE_STOPPED:
        return _ ("Stopped");
      case LT_TRAINER_STATE_FAILED:
        return _ ("Failed");
      default:
        return "";
    }
}

static void
update_status (LtGtkTrainerWindow *self)
{
  LtTrainerState   state;
  g_autofree char *steps = NULL;

  if (self->trainer == NULL)
    {
      g_free (self->status);
      self->status = g_strdup (_ ("No trainer"));
    }
  else
    {
      state = lt_trainer_get_state (self->trainer);
      steps = g_strdup_printf ("%" G_GUINT64_FORMAT, self->steps);
      g_free (self->status);
      if (self->steps == 0)
        self->status = g_strdup (state_text (state));
      else
        /* TRANSLATORS: the status line: the epoch, the steps done, the
         * loss of the last step and the state ("Training", "Paused", ...) */
        self->status = g_strdup_printf (_ ("Epoch %u · step %s · loss %.3f · %s"), self->epoch,
                                        steps, self->last_loss, state_text (state));

      gtk_widget_action_set_enabled (GTK_WIDGET (self), "trainer.pause",
                                     state == LT_TRAINER_STATE_RUNNING);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "trainer.resume",
                                     state == LT_TRAINER_STATE_PAUSED);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "trainer.stop",
                                     state == LT_TRAINER_STATE_RUNNING ||
                                       state == LT_TRAINER_STATE_PAUSED);
      if (state == LT_TRAINER_STATE_PAUSED)
        {
          gtk_button_set_label (GTK_BUTTON (self->pause_button), _ ("_Resume"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pause_button), "trainer.resume");
          gtk_widget_set_tooltip_text (self->pause_button, _ ("Go on training (Ctrl+P)"));
        }
      else
        {
          gtk_button_set_label (GTK_BUTTON (self->pause_button), _ ("_Pause"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pause_button), "trainer.pause");
          gtk_widget_set_tooltip_text (self->pause_button,
                                       _ ("Pause after the mini-batch under way (Ctrl+P)"));
        }
    }
  gtk_label_set_text (GTK_LABEL (self->status_label), self->status);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATUS]);
}

/* The trainer's signals */

static void
on_step (LtTrainer *trainer, guint epoch, gint64 iteration, double loss, LtGtkTrainerWindow *self)
{
  self->epoch = epoch;
  self->iteration = iteration;
  self->steps++;
  self->last_loss = loss;
  update_status (self);
}

static void
on_state (LtTrainer *trainer, GParamSpec *pspec, LtGtkTrainerWindow *self)
{
  if (lt_trainer_get_state (trainer) == LT_TRAINER_STATE_RUNNING)
    gtk_widget_set_visible (self->info_bar, FALSE);
  update_status (self);
}

static void
on_failed (LtTrainer *trainer, const GError *error, LtGtkTrainerWindow *self)
{
  gtk_label_set_text (GTK_LABEL (self->info_label), error->message);
  gtk_widget_set_visible (self->info_bar, TRUE);
  update_status (self);
}

static void
on_info_response (GtkInfoBar *bar, int response, LtGtkTrainerWindow *self)
{
  gtk_widget_set_visible (self->info_bar, FALSE);
}

/* Actions */

static void
pause_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (widget);

  if (self->trainer)
    lt_trainer_pause (self->trainer);
}

static void
resume_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (widget);

  if (self->trainer)
    lt_trainer_resume (self->trainer);
}

static void
pause_resume_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (widget);

  if (self->trainer == NULL)
    return;
  if (lt_trainer_get_state (self->trainer) == LT_TRAINER_STATE_PAUSED)
    lt_trainer_resume (self->trainer);
  else if (lt_trainer_get_state (self->trainer) == LT_TRAINER_STATE_RUNNING)
    lt_trainer_pause (self->trainer);
}

static void
stop_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (widget);

  if (self->trainer)
    lt_trainer_stop (self->trainer);
}

static void
show_page_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (widget);
  gint32              page = g_variant_get_int32 (parameter);

  if (page >= 0 && page < (gint32) G_N_ELEMENTS (page_names))
    gtk_stack_set_visible_child_name (GTK_STACK (self->stack), page_names[page]);
}

/* GObject */

static void
lt_gtk_trainer_window_dispose (GObject *object)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (object);

  lt_gtk_trainer_window_set_trainer (self, NULL);

  G_OBJECT_CLASS (lt_gtk_trainer_window_parent_class)->dispose (object);
}

static void
lt_gtk_trainer_window_finalize (GObject *object)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (object);

  g_free (self->status);

  G_OBJECT_CLASS (lt_gtk_trainer_window_parent_class)->finalize (object);
}

static void
lt_gtk_trainer_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        g_value_set_object (value, self->trainer);
        break;
      case PROP_STATUS:
        g_value_set_string (value, self->status);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_trainer_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  LtGtkTrainerWindow *self = LT_GTK_TRAINER_WINDOW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        lt_gtk_trainer_window_set_trainer (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_trainer_window_class_init (LtGtkTrainerWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  _lt_gtk_ensure_i18n ();

  object_class->dispose = lt_gtk_trainer_window_dispose;
  object_class->finalize = lt_gtk_trainer_window_finalize;
  object_class->get_property = lt_gtk_trainer_window_get_property;
  object_class->set_property = lt_gtk_trainer_window_set_property;

  /**
   * LtGtkTrainerWindow:trainer:
   *
   * The trainer every view of the window follows.
   */
  props[PROP_TRAINER] =
    g_param_spec_object ("trainer", NULL, NULL, LT_TYPE_TRAINER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkTrainerWindow:status:
   *
   * The status line: the epoch, the steps done, the last loss and the
   * trainer's state.
   */
  props[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_install_action (widget_class, "trainer.pause", NULL, pause_cb);
  gtk_widget_class_install_action (widget_class, "trainer.resume", NULL, resume_cb);
  gtk_widget_class_install_action (widget_class, "trainer.pause-resume", NULL, pause_resume_cb);
  gtk_widget_class_install_action (widget_class, "trainer.stop", NULL, stop_cb);
  gtk_widget_class_install_action (widget_class, "trainer.show-page", "i", show_page_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK,
                                       "trainer.pause-resume", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "trainer.show-page", "i", (gint32) i);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK,
                                       "trainer.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close",
                                       NULL);
}

static GtkWidget *
add_page (LtGtkTrainerWindow *self, GtkWidget *view, guint index, const char *title)
{
  GtkStackPage *page =
    gtk_stack_add_titled (GTK_STACK (self->stack), view, page_names[index], title);

  gtk_stack_page_set_use_underline (page, TRUE);
  return view;
}

static void
lt_gtk_trainer_window_init (LtGtkTrainerWindow *self)
{
  GtkWidget *header, *switcher, *box, *stop;

  gtk_window_set_title (GTK_WINDOW (self), _ ("Training"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1000, 720);

  self->stack = gtk_stack_new ();
  gtk_stack_set_transition_type (GTK_STACK (self->stack), GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_widget_set_vexpand (self->stack, TRUE);
  self->loss = add_page (self, lt_gtk_loss_view_new (), 0, _ ("_Loss"));
  self->images = add_page (self, lt_gtk_image_view_new (), 1, _ ("_Images"));
  self->graph = add_page (self, lt_gtk_graph_view_new (), 2, _ ("_Graph"));
  self->accuracy = add_page (self, lt_gtk_accuracy_view_new (), 3, _ ("_Accuracy"));

  header = gtk_header_bar_new ();
  switcher = gtk_stack_switcher_new ();
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), GTK_STACK (self->stack));
  gtk_header_bar_set_title_widget (GTK_HEADER_BAR (header), switcher);

  self->pause_button = gtk_button_new_with_mnemonic (_ ("_Pause"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->pause_button), "trainer.pause");
  gtk_widget_set_tooltip_text (self->pause_button,
                               _ ("Pause after the mini-batch under way (Ctrl+P)"));
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->pause_button);
  stop = gtk_button_new_with_mnemonic (_ ("_Stop"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (stop), "trainer.stop");
  gtk_widget_set_tooltip_text (stop, _ ("Stop after the mini-batch under way (Ctrl+.)"));
  gtk_widget_add_css_class (stop, "destructive-action");
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), stop);
  gtk_window_set_titlebar (GTK_WINDOW (self), header);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->info_bar = gtk_info_bar_new ();
  gtk_info_bar_set_message_type (GTK_INFO_BAR (self->info_bar), GTK_MESSAGE_ERROR);
  gtk_info_bar_set_show_close_button (GTK_INFO_BAR (self->info_bar), TRUE);
  self->info_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->info_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->info_label), 0);
  gtk_label_set_selectable (GTK_LABEL (self->info_label), TRUE);
  gtk_info_bar_add_child (GTK_INFO_BAR (self->info_bar), self->info_label);
  g_signal_connect (self->info_bar, "response", G_CALLBACK (on_info_response), self);
  gtk_widget_set_visible (self->info_bar, FALSE);
  gtk_box_append (GTK_BOX (box), self->info_bar);
  gtk_box_append (GTK_BOX (box), self->stack);

  self->status_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status_label), 0);
  gtk_widget_set_margin_start (self->status_label, 12);
  gtk_widget_set_margin_end (self->status_label, 12);
  gtk_widget_set_margin_top (self->status_label, 4);
  gtk_widget_set_margin_bottom (self->status_label, 4);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Training status"), -1);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), self->status_label);
  gtk_window_set_child (GTK_WINDOW (self), box);

  update_status (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "trainer.pause", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "trainer.resume", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "trainer.stop", FALSE);
}

/**
 * lt_gtk_trainer_window_new:
 * @trainer: (nullable): the trainer to follow
 *
 * Creates a window with every view bound to @trainer. Present it with
 * gtk_window_present().
 *
 * Returns: (transfer none): a new #LtGtkTrainerWindow (owned by GTK's
 *   list of windows, as every #GtkWindow)
 */
GtkWidget *
lt_gtk_trainer_window_new (LtTrainer *trainer)
{
  g_return_val_if_fail (trainer == NULL || LT_IS_TRAINER (trainer), NULL);
  return g_object_new (LT_GTK_TYPE_TRAINER_WINDOW, "trainer", trainer, NULL);
}

/**
 * lt_gtk_trainer_window_get_trainer:
 * @self: a trainer window
 *
 * Gets the trainer the window follows.
 *
 * Returns: (transfer none) (nullable): the trainer
 */
LtTrainer *
lt_gtk_trainer_window_get_trainer (LtGtkTrainerWindow *self)
{
  g_return_val_if_fail (LT_GTK_IS_TRAINER_WINDOW (self), NULL);
  return self->trainer;
}

/**
 * lt_gtk_trainer_window_set_trainer:
 * @self: a trainer window
 * @trainer: (nullable): the trainer to follow, or %NULL
 *
 * Binds every view of the window to @trainer (the loss plot keeps the
 * previous runs and adds this one). The window keeps a reference to the
 * trainer.
 */
void
lt_gtk_trainer_window_set_trainer (LtGtkTrainerWindow *self, LtTrainer *trainer)
{
  g_return_if_fail (LT_GTK_IS_TRAINER_WINDOW (self));
  g_return_if_fail (trainer == NULL || LT_IS_TRAINER (trainer));

  if (self->trainer == trainer)
    return;
  if (self->trainer)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_set_object (&self->trainer, trainer);
  self->epoch = 0;
  self->iteration = 0;
  self->steps = 0;
  if (trainer)
    {
      g_signal_connect (trainer, "step", G_CALLBACK (on_step), self);
      g_signal_connect (trainer, "notify::state", G_CALLBACK (on_state), self);
      g_signal_connect (trainer, "failed", G_CALLBACK (on_failed), self);
    }
  /* the views are gone when the window is being destroyed */
  if (self->loss)
    {
      lt_gtk_loss_view_bind_trainer (LT_GTK_LOSS_VIEW (self->loss), trainer);
      lt_gtk_image_view_bind_trainer (LT_GTK_IMAGE_VIEW (self->images), trainer);
      lt_gtk_graph_view_bind_trainer (LT_GTK_GRAPH_VIEW (self->graph), trainer);
      lt_gtk_accuracy_view_bind_trainer (LT_GTK_ACCURACY_VIEW (self->accuracy), trainer);
    }
  gtk_widget_set_visible (self->info_bar, FALSE);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRAINER]);
}

/**
 * lt_gtk_trainer_window_get_loss_view:
 * @self: a trainer window
 *
 * Gets the window's loss plot.
 *
 * Returns: (transfer none): the loss view
 */
LtGtkLossView *
lt_gtk_trainer_window_get_loss_view (LtGtkTrainerWindow *self)
{
  g_return_val_if_fail (LT_GTK_IS_TRAINER_WINDOW (self), NULL);
  return LT_GTK_LOSS_VIEW (self->loss);
}

/**
 * lt_gtk_trainer_window_get_image_view:
 * @self: a trainer window
 *
 * Gets the window's image view.
 *
 * Returns: (transfer none): the image view
 */
LtGtkImageView *
lt_gtk_trainer_window_get_image_view (LtGtkTrainerWindow *self)
{
  g_return_val_if_fail (LT_GTK_IS_TRAINER_WINDOW (self), NULL);
  return LT_GTK_IMAGE_VIEW (self->images);
}

/**
 * lt_gtk_trainer_window_get_graph_view:
 * @self: a trainer window
 *
 * Gets the window's graph view.
 *
 * Returns: (transfer none): the graph view
 */
LtGtkGraphView *
lt_gtk_trainer_window_get_graph_view (LtGtkTrainerWindow *self)
{
  g_return_val_if_fail (LT_GTK_IS_TRAINER_WINDOW (self), NULL);
  return LT_GTK_GRAPH_VIEW (self->graph);
}

/**
 * lt_gtk_trainer_window_get_accuracy_view:
 * @self: a trainer window
 *
 * Gets the window's accuracy view.
 *
 * Returns: (transfer none): the accuracy view
 */
LtGtkAccuracyView *
lt_gtk_trainer_window_get_accuracy_view (LtGtkTrainerWindow *self)
{
  g_return_val_if_fail (LT_GTK_IS_TRAINER_WINDOW (self), NULL);
  return LT_GTK_ACCURACY_VIEW (self->accuracy);
}

/**
 * lt_gtk_trainer_window_get_status:
 * @self: a trainer window
 *
 * Gets the text of the status line.
 *
 * Returns: (transfer none): the status
 */
const char *
lt_gtk_trainer_window_get_status (LtGtkTrainerWindow *self)
{
  g_return_val_if_fail (LT_GTK_IS_TRAINER_WINDOW (self), NULL);
  return self->status;
}

/**
 * lt_gtk_show_trainer:
 * @trainer: the trainer to watch
 *
 * Opens the whole viewer over @trainer, in one call: an
 * #LtGtkTrainerWindow, presented. GTK is initialised when it is not yet
 * (Python and gjs initialise it when they import Gtk). Train with
 * lt_trainer_run() (which iterates the main context, so the window
 * follows) or lt_trainer_start() and a main loop.
 *
 * Returns: (transfer none) (nullable): the window, or %NULL when GTK
 *   cannot be initialised (no display)
 */
LtGtkTrainerWindow *
lt_gtk_show_trainer (LtTrainer *trainer)
{
  GtkWidget *window;

  g_return_val_if_fail (LT_IS_TRAINER (trainer), NULL);

  if (!gtk_is_initialized () && !gtk_init_check ())
    return NULL;
  window = lt_gtk_trainer_window_new (trainer);
  gtk_window_present (GTK_WINDOW (window));
  return LT_GTK_TRAINER_WINDOW (window);
}
