/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lt-gtk-canvas-private.h"
#include "lt-gtk-loss-view-private.h"
#include "lt-gtk-private.h"

/**
 * LtGtkLossView:
 *
 * The loss plot: the training loss per logging interval, and the test
 * loss and accuracy per epoch, of every run of an #LtGtkRunRegistry, live.
 *
 * Bind it to a trainer with lt_gtk_loss_view_bind_trainer() (or the
 * #LtGtkLossView:trainer property): the trainer becomes a run of the
 * view's registry, drawn over the previous runs, each in its fixed colour
 * from a colour-blind-safe palette.
 *
 * The curves are smoothed by an exponential moving average with bias
 * correction (#LtGtkLossView:smoothing; the first points are not pulled
 * toward zero), the raw curve faint behind. Both axes can be logarithmic
 * (a true log scale: points at or below zero are left out), and a linear
 * loss axis can start at 0. Scrolling zooms around the pointer, dragging
 * pans, a double click or `0` shows everything again; new points never
 * reset a zoom, and with #LtGtkLossView:follow-latest a zoomed range
 * slides along with the newest step. Long curves are decimated per pixel
 * column keeping each column's minimum and maximum, so a spike never
 * vanishes. Hovering shows the nearest point's run, step and value.
 * lt_gtk_loss_view_export() writes the plot as PNG or SVG, or every run's
 * points as one CSV file.
 *
 * The plot is one Cairo drawing made by the same renderer `lt-train
 * --plots` uses: under GTK's Cairo renderer the widget's pixels and a
 * headless PNG of the same size are identical. Points are decimated and
 * laid out in a worker thread and swapped in; the signal handlers only
 * append points and the frame clock decides when to draw.
 *
 * ## Actions
 *
 * The view defines `loss.log-x`, `loss.log-y`, `loss.y-from-zero`,
 * `loss.follow-latest` (stateful, for toggle buttons), `loss.zoom-in`,
 * `loss.zoom-out`, `loss.zoom-reset` and `loss.export` (asks for a file).
 * Its own controls (#LtGtkLossView:show-controls) use them. Their keys:
 * `x`, `l`, `z`, `f`, `+`, `-`, `0` and Ctrl+E; the arrows pan.
 */

struct _LtGtkLossView
{
  GtkWidget parent_instance;

  /* Owned */
  LtGtkRunRegistry  *registry;
  LtTrainer         *trainer;
  LtRenderLossFrame *frame; /* the frame drawn, read-only */
  GCancellable      *cancellable;

  /* Borrowed: children */
  GtkWidget     *controls;
  GtkWidget     *canvas;
  GtkAdjustment *smoothing_adjustment;

  LtRenderLossView view;
  LtRenderLossHit  hover;
  gboolean         has_hover;
  double           pointer_x;
  double           pointer_y;
  double           drag_x;
  double           drag_y;

  guint64  view_serial;  /* grows with every change of the view state */
  guint64  frame_serial; /* the registry's serial the frame was made from */
  guint64  frame_view_serial;
  gboolean frame_dark;
  gboolean preparing;

  gulong run_changed_id;
  gulong items_changed_id;
};

enum
{
  PROP_0,
  PROP_REGISTRY,
  PROP_TRAINER,
  PROP_SMOOTHING,
  PROP_LOG_X,
  PROP_LOG_Y,
  PROP_Y_FROM_ZERO,
  PROP_FOLLOW_LATEST,
  PROP_SHOW_CONTROLS,
  PROP_N_POINTS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LtGtkLossView, lt_gtk_loss_view, GTK_TYPE_WIDGET)

/* Frames */

typedef struct
{
  LtRenderLossData *data;
  LtRenderLossView  view;
  LtRenderTheme     theme;
  int               width;
  int               height;
  guint64           serial;
  guint64           view_serial;
} PrepareJob;

static void
prepare_job_free (PrepareJob *job)
{
  lt_render_loss_data_unref (job->data);
  g_free (job);
}

static void
prepare_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  PrepareJob        *job = task_data;
  LtRenderLossFrame *frame =
    lt_render_loss_frame_new (job->data, &job->view, &job->theme, job->width, job->height);

  g_task_return_pointer (task, frame, (GDestroyNotify) lt_render_loss_frame_unref);
}

static void
prepare_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LtGtkLossView     *self = LT_GTK_LOSS_VIEW (source);
  GTask             *task = G_TASK (result);
  PrepareJob        *job = g_task_get_task_data (task);
  LtRenderLossFrame *frame = g_task_propagate_pointer (task, NULL);

  if (frame == NULL) /* cancelled: the view is going away */
    return;
  self->preparing = FALSE;
  g_clear_pointer (&self->frame, lt_render_loss_frame_unref);
  self->frame = frame;
  self->frame_serial = job->serial;
  self->frame_view_serial = job->view_serial;
  self->frame_dark = job->theme.dark;
  if (self->has_hover)
    self->has_hover =
      lt_render_loss_frame_hit_test (frame, self->pointer_x, self->pointer_y, &self->hover);
  gtk_widget_queue_draw (self->canvas);
}

static gboolean
frame_is_current (LtGtkLossView *self, int width, int height, gboolean dark)
{
  return self->frame != NULL &&
         self->frame_serial == lt_gtk_run_registry_get_serial (self->registry) &&
         self->frame_view_serial == self->view_serial &&
         lt_render_loss_frame_get_width (self->frame) == width &&
         lt_render_loss_frame_get_height (self->frame) == height && self->frame_dark == dark;
}

/* Starts a frame for the canvas's size in a worker unless one is under
 * way; the canvas draws the previous frame meanwhile. */
static void
ensure_frame (LtGtkLossView *self, int width, int height, const LtRenderTheme *theme)
{
  g_autoptr (GTask) task = NULL;
  PrepareJob *job;

  if (self->preparing || frame_is_current (self, width, height, theme->dark))
    return;

  job = g_new0 (PrepareJob, 1);
  job->data = _lt_gtk_run_registry_dup_loss_data (self->registry);
  job->view = self->view;
  job->theme = *theme;
  job->width = width;
  job->height = height;
  job->serial = lt_gtk_run_registry_get_serial (self->registry);
  job->view_serial = self->view_serial;

  self->preparing = TRUE;
  task = g_task_new (self, self->cancellable, prepare_done, NULL);
  g_task_set_source_tag (task, ensure_frame);
  g_task_set_task_data (task, job, (GDestroyNotify) prepare_job_free);
  g_task_run_in_thread (task, prepare_thread);
}

static void
draw_canvas (GtkWidget *canvas, cairo_t *cr, int width, int height, gpointer user_data)
{
  LtGtkLossView *self = user_data;
  LtRenderTheme  theme;

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  ensure_frame (self, width, height, &theme);
  if (self->frame == NULL)
    {
      lt_render_set_color (cr, &theme.background);
      cairo_paint (cr);
      return;
    }
  lt_render_loss_frame_draw (self->frame, cr, self->has_hover ? &self->hover : NULL);
}

static void
view_changed (LtGtkLossView *self)
{
  self->view_serial++;
  gtk_widget_queue_draw (self->canvas);
}

/* After a gesture the renderer may have turned following off. */
static void
sync_follow (LtGtkLossView *self, gboolean before)
{
  if (self->view.follow != before)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FOLLOW_LATEST]);
  view_changed (self);
}

/* The registry */

static void
on_run_changed (LtGtkRunRegistry *registry, LtGtkRun *run, LtGtkLossView *self)
{
  gtk_widget_queue_draw (self->canvas);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_POINTS]);
}

static void
on_items_changed (GListModel    *model,
                  guint          position,
                  guint          removed,
                  guint          added,
                  LtGtkLossView *self)
{
  gtk_widget_queue_draw (self->canvas);
}

/* Gestures */

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, LtGtkLossView *self)
{
  LtRenderLossHit hit;
  gboolean        has_hit;

  self->pointer_x = x;
  self->pointer_y = y;
  if (self->frame == NULL)
    return;
  has_hit = lt_render_loss_frame_hit_test (self->frame, x, y, &hit);
  if (has_hit != self->has_hover ||
      (has_hit && (hit.run != self->hover.run || hit.series != self->hover.series ||
                   hit.index != self->hover.index)))
    {
      self->has_hover = has_hit;
      self->hover = hit;
      gtk_widget_queue_draw (self->canvas);
    }
}

static void
on_leave (GtkEventControllerMotion *controller, LtGtkLossView *self)
{
  if (self->has_hover)
    {
      self->has_hover = FALSE;
      gtk_widget_queue_draw (self->canvas);
    }
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, LtGtkLossView *self)
{
  gboolean follow = self->view.follow;

  if (self->frame == NULL || dy == 0)
    return FALSE;
  lt_render_loss_view_zoom (&self->view, self->frame, pow (1.2, -dy), self->pointer_x,
                            self->pointer_y);
  sync_follow (self, follow);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, LtGtkLossView *self)
{
  self->drag_x = 0;
  self->drag_y = 0;
  gtk_widget_grab_focus (self->canvas);
}

static void
on_drag_update (GtkGestureDrag *gesture, double offset_x, double offset_y, LtGtkLossView *self)
{
  gboolean follow = self->view.follow;

  if (self->frame == NULL)
    return;
  lt_render_loss_view_pan (&self->view, self->frame, offset_x - self->drag_x,
                           offset_y - self->drag_y);
  self->drag_x = offset_x;
  self->drag_y = offset_y;
  sync_follow (self, follow);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LtGtkLossView *self)
{
  if (n_press == 2)
    lt_gtk_loss_view_reset_zoom (self);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                LtGtkLossView         *self)
{
  gboolean follow = self->view.follow;
  double   dx = 0, dy = 0;

  switch (keyval)
    {
      case GDK_KEY_Left:
        dx = 40;
        break;
      case GDK_KEY_Right:
        dx = -40;
        break;
      case GDK_KEY_Up:
        dy = 40;
        break;
      case GDK_KEY_Down:
        dy = -40;
        break;
      default:
        return FALSE;
    }
  if (self->frame == NULL)
    return TRUE;
  lt_render_loss_view_pan (&self->view, self->frame, dx, dy);
  sync_follow (self, follow);
  return TRUE;
}

/* Actions */

static void
zoom_in_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_loss_view_zoom (LT_GTK_LOSS_VIEW (widget), 1.5);
}

static void
zoom_out_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_loss_view_zoom (LT_GTK_LOSS_VIEW (widget), 1 / 1.5);
}

static void
zoom_reset_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_loss_view_reset_zoom (LT_GTK_LOSS_VIEW (widget));
}

static void
export_chosen (GtkWidget *widget, const char *path, gpointer user_data)
{
  if (path != NULL)
    _lt_gtk_loss_view_export_to (LT_GTK_LOSS_VIEW (widget), path);
}

static void
export_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _lt_gtk_choose_export_path (widget, _ ("Export the Loss Plot"), "loss.png", export_chosen, NULL);
}

/* Controls */

static GtkWidget *
toggle_new (const char *label, const char *action, const char *tooltip)
{
  GtkWidget *button = gtk_toggle_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  return button;
}

static GtkWidget *
controls_new (LtGtkLossView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label, *scale;

  gtk_widget_add_css_class (box, "toolbar");

  label = gtk_label_new_with_mnemonic (_ ("_Smoothing"));
  gtk_box_append (GTK_BOX (box), label);
  self->smoothing_adjustment = gtk_adjustment_new (self->view.smoothing, 0, 0.99, 0.01, 0.1, 0);
  scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, self->smoothing_adjustment);
  gtk_scale_set_digits (GTK_SCALE (scale), 2);
  gtk_scale_set_draw_value (GTK_SCALE (scale), TRUE);
  gtk_scale_set_value_pos (GTK_SCALE (scale), GTK_POS_RIGHT);
  gtk_widget_set_size_request (scale, 160, -1);
  gtk_widget_set_tooltip_text (scale, _ ("How strongly the curves are smoothed (an exponential "
                                         "moving average; 0: raw)"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), scale);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  g_object_bind_property (self, "smoothing", self->smoothing_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (box), scale);

  gtk_box_append (GTK_BOX (box),
                  toggle_new (_ ("Log _x"), "loss.log-x", _ ("A logarithmic step axis")));
  gtk_box_append (GTK_BOX (box),
                  toggle_new (_ ("Log _y"), "loss.log-y", _ ("A logarithmic loss axis")));
  gtk_box_append (GTK_BOX (box),
                  toggle_new (_ ("From _0"), "loss.y-from-zero", _ ("Start the loss axis at 0")));
  gtk_box_append (GTK_BOX (box),
                  toggle_new (_ ("_Follow"), "loss.follow-latest",
                              _ ("Keep the newest step in view while a run goes on")));

  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("zoom-out-symbolic", "loss.zoom-out", _ ("Zoom Out")));
  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("zoom-in-symbolic", "loss.zoom-in", _ ("Zoom In")));
  gtk_box_append (GTK_BOX (box), _lt_gtk_icon_button_new ("zoom-original-symbolic",
                                                          "loss.zoom-reset", _ ("Show All")));
  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("document-save-as-symbolic", "loss.export",
                                           _ ("Export as PNG, SVG or CSV")));
  return box;
}

/* GObject */

static void
lt_gtk_loss_view_dispose (GObject *object)
{
  LtGtkLossView *self = LT_GTK_LOSS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->registry)
    {
      g_clear_signal_handler (&self->run_changed_id, self->registry);
      g_clear_signal_handler (&self->items_changed_id, self->registry);
      g_clear_object (&self->registry);
    }
  g_clear_object (&self->trainer);
  g_clear_pointer (&self->controls, gtk_widget_unparent);
  g_clear_pointer (&self->canvas, gtk_widget_unparent);

  G_OBJECT_CLASS (lt_gtk_loss_view_parent_class)->dispose (object);
}

static void
lt_gtk_loss_view_finalize (GObject *object)
{
  LtGtkLossView *self = LT_GTK_LOSS_VIEW (object);

  g_clear_pointer (&self->frame, lt_render_loss_frame_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lt_gtk_loss_view_parent_class)->finalize (object);
}

static void
lt_gtk_loss_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtGtkLossView *self = LT_GTK_LOSS_VIEW (object);

  switch (prop_id)
    {
      case PROP_REGISTRY:
        g_value_set_object (value, self->registry);
        break;
      case PROP_TRAINER:
        g_value_set_object (value, self->trainer);
        break;
      case PROP_SMOOTHING:
        g_value_set_double (value, self->view.smoothing);
        break;
      case PROP_LOG_X:
        g_value_set_boolean (value, self->view.x_scale == LT_RENDER_SCALE_LOG);
        break;
      case PROP_LOG_Y:
        g_value_set_boolean (value, self->view.y_scale == LT_RENDER_SCALE_LOG);
        break;
      case PROP_Y_FROM_ZERO:
        g_value_set_boolean (value, self->view.y_from_zero);
        break;
      case PROP_FOLLOW_LATEST:
        g_value_set_boolean (value, self->view.follow);
        break;
      case PROP_SHOW_CONTROLS:
        g_value_set_boolean (value, lt_gtk_loss_view_get_show_controls (self));
        break;
      case PROP_N_POINTS:
        g_value_set_uint (value, lt_gtk_loss_view_get_n_points (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_loss_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  LtGtkLossView *self = LT_GTK_LOSS_VIEW (object);

  switch (prop_id)
    {
      case PROP_REGISTRY:
        lt_gtk_loss_view_set_registry (self, g_value_get_object (value));
        break;
      case PROP_TRAINER:
        lt_gtk_loss_view_bind_trainer (self, g_value_get_object (value));
        break;
      case PROP_SMOOTHING:
        lt_gtk_loss_view_set_smoothing (self, g_value_get_double (value));
        break;
      case PROP_LOG_X:
        lt_gtk_loss_view_set_log_x (self, g_value_get_boolean (value));
        break;
      case PROP_LOG_Y:
        lt_gtk_loss_view_set_log_y (self, g_value_get_boolean (value));
        break;
      case PROP_Y_FROM_ZERO:
        lt_gtk_loss_view_set_y_from_zero (self, g_value_get_boolean (value));
        break;
      case PROP_FOLLOW_LATEST:
        lt_gtk_loss_view_set_follow_latest (self, g_value_get_boolean (value));
        break;
      case PROP_SHOW_CONTROLS:
        lt_gtk_loss_view_set_show_controls (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_loss_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (lt_gtk_loss_view_parent_class)->css_changed (widget, change);
  /* A dark style gives a dark plot: drawing notices and prepares again. */
  gtk_widget_queue_draw (LT_GTK_LOSS_VIEW (widget)->canvas);
}

static void
lt_gtk_loss_view_class_init (LtGtkLossViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  _lt_gtk_ensure_i18n ();

  object_class->dispose = lt_gtk_loss_view_dispose;
  object_class->finalize = lt_gtk_loss_view_finalize;
  object_class->get_property = lt_gtk_loss_view_get_property;
  object_class->set_property = lt_gtk_loss_view_set_property;
  widget_class->css_changed = lt_gtk_loss_view_css_changed;

  /**
   * LtGtkLossView:registry:
   *
   * The runs the view shows; by default lt_gtk_run_registry_get_default().
   * Setting %NULL goes back to the default.
   */
  props[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, LT_GTK_TYPE_RUN_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:trainer:
   *
   * The trainer the view follows (see lt_gtk_loss_view_bind_trainer()).
   */
  props[PROP_TRAINER] =
    g_param_spec_object ("trainer", NULL, NULL, LT_TYPE_TRAINER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:smoothing:
   *
   * The weight of the exponential moving average, from 0 (the raw
   * curves) to 0.999; TensorBoard's smoothing slider. The average is
   * corrected for its start, so the first points are not pulled toward
   * zero.
   */
  props[PROP_SMOOTHING] =
    g_param_spec_double ("smoothing", NULL, NULL, 0, 0.999, 0.6,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:log-x:
   *
   * Whether the step axis is logarithmic (step 0 is left out).
   */
  props[PROP_LOG_X] =
    g_param_spec_boolean ("log-x", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:log-y:
   *
   * Whether the loss axis is logarithmic: a true log scale, on which
   * values at or below zero are left out rather than clamped.
   */
  props[PROP_LOG_Y] =
    g_param_spec_boolean ("log-y", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:y-from-zero:
   *
   * Whether a linear loss axis starts at 0.
   */
  props[PROP_Y_FROM_ZERO] =
    g_param_spec_boolean ("y-from-zero", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:follow-latest:
   *
   * Whether a zoomed step range slides so that the newest step stays at
   * its right edge. Panning away from the newest step turns it off.
   */
  props[PROP_FOLLOW_LATEST] =
    g_param_spec_boolean ("follow-latest", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:show-controls:
   *
   * Whether the view shows its own bar of controls above the plot
   * (smoothing, scales, following, zoom, export). Without it the view is
   * the plot alone, for applications that put the controls elsewhere.
   */
  props[PROP_SHOW_CONTROLS] =
    g_param_spec_boolean ("show-controls", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkLossView:n-points:
   *
   * The number of points of every run of the registry.
   */
  props[PROP_N_POINTS] = g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * LtGtkLossView::error:
   * @self: the view
   * @error: what went wrong
   *
   * Emitted when something the user asked for from the view's own
   * controls fails (an export to a folder that cannot be written). A
   * handler that shows the message itself returns %TRUE; otherwise the
   * view shows it in a dialog over its window.
   *
   * Returns: %TRUE when the error was shown
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_ERROR);

  gtk_widget_class_install_property_action (widget_class, "loss.log-x", "log-x");
  gtk_widget_class_install_property_action (widget_class, "loss.log-y", "log-y");
  gtk_widget_class_install_property_action (widget_class, "loss.y-from-zero", "y-from-zero");
  gtk_widget_class_install_property_action (widget_class, "loss.follow-latest", "follow-latest");
  gtk_widget_class_install_action (widget_class, "loss.zoom-in", NULL, zoom_in_cb);
  gtk_widget_class_install_action (widget_class, "loss.zoom-out", NULL, zoom_out_cb);
  gtk_widget_class_install_action (widget_class, "loss.zoom-reset", NULL, zoom_reset_cb);
  gtk_widget_class_install_action (widget_class, "loss.export", NULL, export_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "loss.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "loss.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "loss.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "loss.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "loss.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "loss.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, 0, "loss.follow-latest", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, 0, "loss.log-y", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_x, 0, "loss.log-x", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, 0, "loss.y-from-zero", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "loss.export",
                                       NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ltlossview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lt_gtk_loss_view_init (LtGtkLossView *self)
{
  GtkEventController *controller;
  GtkGesture         *gesture;

  self->cancellable = g_cancellable_new ();
  lt_render_loss_view_init (&self->view);
  gtk_orientable_set_orientation (
    GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);

  self->controls = controls_new (self);
  gtk_widget_set_parent (self->controls, GTK_WIDGET (self));

  self->canvas = _lt_gtk_canvas_new (draw_canvas, self);
  gtk_widget_set_parent (self->canvas, GTK_WIDGET (self));
  _lt_gtk_canvas_set_natural_size (LT_GTK_CANVAS (self->canvas), 640, 400);
  gtk_widget_set_tooltip_text (self->canvas, _ ("Scroll to zoom, drag to pan, double-click to "
                                                "show everything"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Loss plot"), -1);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (self->canvas, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (self->canvas, controller);

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (self->canvas, controller);

  lt_gtk_loss_view_set_registry (self, NULL);
}

/**
 * lt_gtk_loss_view_new:
 *
 * Creates a loss plot over the default registry
 * (lt_gtk_run_registry_get_default()).
 *
 * Returns: (transfer floating): a new #LtGtkLossView
 */
GtkWidget *
lt_gtk_loss_view_new (void)
{
  return g_object_new (LT_GTK_TYPE_LOSS_VIEW, NULL);
}

/**
 * lt_gtk_loss_view_bind_trainer:
 * @self: a loss view
 * @trainer: (nullable): the trainer to follow, or %NULL to follow none
 *
 * Follows @trainer: its losses and accuracy become a run of the view's
 * registry (lt_gtk_run_registry_add_trainer()), drawn live over the
 * previous runs. The view keeps a reference to the trainer until it is
 * bound to another one or destroyed; the run and its points stay in the
 * registry.
 */
void
lt_gtk_loss_view_bind_trainer (LtGtkLossView *self, LtTrainer *trainer)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  g_return_if_fail (trainer == NULL || LT_IS_TRAINER (trainer));

  if (trainer)
    lt_gtk_run_registry_add_trainer (self->registry, trainer, NULL);
  if (g_set_object (&self->trainer, trainer))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRAINER]);
}

/**
 * lt_gtk_loss_view_get_trainer:
 * @self: a loss view
 *
 * Gets the trainer the view follows.
 *
 * Returns: (transfer none) (nullable): the trainer
 */
LtTrainer *
lt_gtk_loss_view_get_trainer (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), NULL);
  return self->trainer;
}

/**
 * lt_gtk_loss_view_get_registry:
 * @self: a loss view
 *
 * Gets the registry of the runs the view shows.
 *
 * Returns: (transfer none): the registry
 */
LtGtkRunRegistry *
lt_gtk_loss_view_get_registry (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), NULL);
  return self->registry;
}

/**
 * lt_gtk_loss_view_set_registry:
 * @self: a loss view
 * @registry: (nullable): the runs to show; %NULL for the default registry
 *
 * Shows the runs of another registry. A bound trainer is added to it.
 */
void
lt_gtk_loss_view_set_registry (LtGtkLossView *self, LtGtkRunRegistry *registry)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  g_return_if_fail (registry == NULL || LT_GTK_IS_RUN_REGISTRY (registry));

  if (registry == NULL)
    registry = lt_gtk_run_registry_get_default ();
  if (registry == self->registry)
    return;

  if (self->registry)
    {
      g_clear_signal_handler (&self->run_changed_id, self->registry);
      g_clear_signal_handler (&self->items_changed_id, self->registry);
      g_clear_object (&self->registry);
    }
  self->registry = g_object_ref (registry);
  self->run_changed_id =
    g_signal_connect (registry, "run-changed", G_CALLBACK (on_run_changed), self);
  self->items_changed_id =
    g_signal_connect (registry, "items-changed", G_CALLBACK (on_items_changed), self);
  if (self->trainer)
    lt_gtk_run_registry_add_trainer (registry, self->trainer, NULL);
  self->frame_serial = G_MAXUINT64;
  gtk_widget_queue_draw (self->canvas);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTRY]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_POINTS]);
}

/**
 * lt_gtk_loss_view_get_smoothing:
 * @self: a loss view
 *
 * Gets the smoothing weight.
 *
 * Returns: the weight, from 0 to 0.999
 */
double
lt_gtk_loss_view_get_smoothing (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), 0);
  return self->view.smoothing;
}

/**
 * lt_gtk_loss_view_set_smoothing:
 * @self: a loss view
 * @smoothing: the weight of the moving average, from 0 (none) to 0.999
 *
 * Sets how strongly the curves are smoothed (see
 * #LtGtkLossView:smoothing).
 */
void
lt_gtk_loss_view_set_smoothing (LtGtkLossView *self, double smoothing)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));

  smoothing = CLAMP (smoothing, 0, 0.999);
  if (self->view.smoothing == smoothing)
    return;
  self->view.smoothing = smoothing;
  view_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SMOOTHING]);
}

static void
set_flag (LtGtkLossView *self, gboolean *flag, gboolean value, guint prop)
{
  value = !!value;
  if (*flag == value)
    return;
  *flag = value;
  view_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_scale (LtGtkLossView *self, LtRenderScale *scale, gboolean log, guint prop)
{
  LtRenderScale value = log ? LT_RENDER_SCALE_LOG : LT_RENDER_SCALE_LINEAR;

  if (*scale == value)
    return;
  *scale = value;
  view_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

/**
 * lt_gtk_loss_view_get_log_x:
 * @self: a loss view
 *
 * Gets whether the step axis is logarithmic.
 *
 * Returns: %TRUE for a logarithmic step axis
 */
gboolean
lt_gtk_loss_view_get_log_x (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  return self->view.x_scale == LT_RENDER_SCALE_LOG;
}

/**
 * lt_gtk_loss_view_set_log_x:
 * @self: a loss view
 * @log_x: whether the step axis is logarithmic
 *
 * Makes the step axis logarithmic or linear.
 */
void
lt_gtk_loss_view_set_log_x (LtGtkLossView *self, gboolean log_x)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  set_scale (self, &self->view.x_scale, log_x, PROP_LOG_X);
}

/**
 * lt_gtk_loss_view_get_log_y:
 * @self: a loss view
 *
 * Gets whether the loss axis is logarithmic.
 *
 * Returns: %TRUE for a logarithmic loss axis
 */
gboolean
lt_gtk_loss_view_get_log_y (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  return self->view.y_scale == LT_RENDER_SCALE_LOG;
}

/**
 * lt_gtk_loss_view_set_log_y:
 * @self: a loss view
 * @log_y: whether the loss axis is logarithmic
 *
 * Makes the loss axis logarithmic (values at or below zero are left out)
 * or linear.
 */
void
lt_gtk_loss_view_set_log_y (LtGtkLossView *self, gboolean log_y)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  set_scale (self, &self->view.y_scale, log_y, PROP_LOG_Y);
}

/**
 * lt_gtk_loss_view_get_y_from_zero:
 * @self: a loss view
 *
 * Gets whether a linear loss axis starts at 0.
 *
 * Returns: %TRUE when it does
 */
gboolean
lt_gtk_loss_view_get_y_from_zero (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  return self->view.y_from_zero;
}

/**
 * lt_gtk_loss_view_set_y_from_zero:
 * @self: a loss view
 * @y_from_zero: whether a linear loss axis starts at 0
 *
 * Makes a linear loss axis start at 0, or fit the data.
 */
void
lt_gtk_loss_view_set_y_from_zero (LtGtkLossView *self, gboolean y_from_zero)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  set_flag (self, &self->view.y_from_zero, y_from_zero, PROP_Y_FROM_ZERO);
}

/**
 * lt_gtk_loss_view_get_follow_latest:
 * @self: a loss view
 *
 * Gets whether a zoomed view follows the newest step.
 *
 * Returns: %TRUE when it does
 */
gboolean
lt_gtk_loss_view_get_follow_latest (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  return self->view.follow;
}

/**
 * lt_gtk_loss_view_set_follow_latest:
 * @self: a loss view
 * @follow_latest: whether a zoomed view follows the newest step
 *
 * Makes a zoomed step range slide along with the newest step, or stay
 * where it is.
 */
void
lt_gtk_loss_view_set_follow_latest (LtGtkLossView *self, gboolean follow_latest)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  set_flag (self, &self->view.follow, follow_latest, PROP_FOLLOW_LATEST);
}

/**
 * lt_gtk_loss_view_get_show_controls:
 * @self: a loss view
 *
 * Gets whether the view shows its bar of controls.
 *
 * Returns: %TRUE when it does
 */
gboolean
lt_gtk_loss_view_get_show_controls (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  return gtk_widget_get_visible (self->controls);
}

/**
 * lt_gtk_loss_view_set_show_controls:
 * @self: a loss view
 * @show_controls: whether to show the bar of controls
 *
 * Shows or hides the view's own controls above the plot.
 */
void
lt_gtk_loss_view_set_show_controls (LtGtkLossView *self, gboolean show_controls)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));

  if (gtk_widget_get_visible (self->controls) == !!show_controls)
    return;
  gtk_widget_set_visible (self->controls, show_controls);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SHOW_CONTROLS]);
}

/**
 * lt_gtk_loss_view_get_n_points:
 * @self: a loss view
 *
 * Counts the points the view has to show: those of every series of every
 * run of its registry.
 *
 * Returns: the number of points
 */
guint
lt_gtk_loss_view_get_n_points (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), 0);
  return self->registry ? lt_gtk_run_registry_get_n_points (self->registry) : 0;
}

/**
 * lt_gtk_loss_view_get_zoomed:
 * @self: a loss view
 *
 * Gets whether the view shows a chosen range rather than all the data.
 *
 * Returns: %TRUE when zoomed or panned
 */
gboolean
lt_gtk_loss_view_get_zoomed (LtGtkLossView *self)
{
  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  return self->view.x_zoomed || self->view.y_zoomed;
}

/**
 * lt_gtk_loss_view_zoom:
 * @self: a loss view
 * @factor: how much to enlarge: above 1 zooms in, below 1 out
 *
 * Zooms around the centre of the loss panel, as scrolling does around the
 * pointer. Nothing happens before the view has been drawn once.
 */
void
lt_gtk_loss_view_zoom (LtGtkLossView *self, double factor)
{
  LtRenderRect panel;
  gboolean     follow;

  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  g_return_if_fail (factor > 0);

  if (self->frame == NULL ||
      !lt_render_loss_frame_get_panel (self->frame, LT_RENDER_LOSS_PANEL_LOSS, &panel))
    return;
  follow = self->view.follow;
  lt_render_loss_view_zoom (&self->view, self->frame, factor, panel.x + panel.width / 2,
                            panel.y + panel.height / 2);
  sync_follow (self, follow);
}

/**
 * lt_gtk_loss_view_reset_zoom:
 * @self: a loss view
 *
 * Shows all the data again (scales and smoothing stay as they are).
 */
void
lt_gtk_loss_view_reset_zoom (LtGtkLossView *self)
{
  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  lt_render_loss_view_reset (&self->view);
  view_changed (self);
}

/**
 * lt_gtk_loss_view_get_run_visible:
 * @self: a loss view
 * @run: a run of the view's registry
 *
 * Gets whether the view draws a run.
 *
 * Returns: %TRUE when it does (the default)
 */
gboolean
lt_gtk_loss_view_get_run_visible (LtGtkLossView *self, LtGtkRun *run)
{
  guint index;

  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  g_return_val_if_fail (LT_GTK_IS_RUN (run), FALSE);

  index = lt_gtk_run_get_index (run);
  return index >= 64 || !(self->view.hidden_runs & (G_GUINT64_CONSTANT (1) << index));
}

/**
 * lt_gtk_loss_view_set_run_visible:
 * @self: a loss view
 * @run: a run of the view's registry
 * @visible: whether to draw it
 *
 * Hides a run's curves, or shows them again (its points stay in the
 * registry, its colour too). The first 64 runs of a registry can be
 * hidden.
 */
void
lt_gtk_loss_view_set_run_visible (LtGtkLossView *self, LtGtkRun *run, gboolean visible)
{
  guint   index;
  guint64 bit;

  g_return_if_fail (LT_GTK_IS_LOSS_VIEW (self));
  g_return_if_fail (LT_GTK_IS_RUN (run));

  index = lt_gtk_run_get_index (run);
  if (index >= 64)
    return;
  bit = G_GUINT64_CONSTANT (1) << index;
  if (!!(self->view.hidden_runs & bit) == !visible)
    return;
  if (visible)
    self->view.hidden_runs &= ~bit;
  else
    self->view.hidden_runs |= bit;
  view_changed (self);
}

/**
 * lt_gtk_loss_view_export:
 * @self: a loss view
 * @path: (type filename): the file to write: `.png`, `.svg` or `.csv`
 * @width: the image's width in pixels; 0 for the view's (or 800 when it
 *   is not shown)
 * @height: the image's height in pixels; 0 for the view's (or 500)
 * @error: return location for a #GError
 *
 * Writes the plot as the view shows it (zoom, scales, smoothing) into a
 * PNG or SVG file, or every point of every run into a CSV file (see
 * lt_gtk_run_registry_write_csv()), chosen by @path's extension. The file
 * is written beside @path and renamed into place.
 *
 * Returns: %TRUE on success; %FALSE with an %LT_ERROR_INVALID_ARGUMENT
 *   error for another extension, or an %LT_ERROR_IO error naming the
 *   path and the reason when it cannot be written
 */
gboolean
lt_gtk_loss_view_export (LtGtkLossView *self,
                         const char    *path,
                         int            width,
                         int            height,
                         GError       **error)
{
  g_autoptr (LtRenderLossData) data = NULL;
  LtRenderTheme    theme;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (LT_GTK_IS_LOSS_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".csv"))
    return lt_gtk_run_registry_write_csv (self->registry, path, error);

  if (width <= 0)
    width = gtk_widget_get_width (self->canvas) > 0 ? gtk_widget_get_width (self->canvas) : 800;
  if (height <= 0)
    height = gtk_widget_get_height (self->canvas) > 0 ? gtk_widget_get_height (self->canvas) : 500;
  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  data = _lt_gtk_run_registry_dup_loss_data (self->registry);
  return lt_render_loss_write (data, &self->view, &theme, path, width, height, error);
}

/* What the export action does with the chosen path: a failure is
 * reported through "error". */
void
_lt_gtk_loss_view_export_to (LtGtkLossView *self, const char *path)
{
  g_autoptr (GError) error = NULL;

  if (!lt_gtk_loss_view_export (self, path, 0, 0, &error))
    _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
}

/* Private, for the tests */

GtkWidget *
_lt_gtk_loss_view_get_canvas (LtGtkLossView *self)
{
  return self->canvas;
}

gboolean
_lt_gtk_loss_view_is_settled (LtGtkLossView *self)
{
  LtRenderTheme theme;

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  return !self->preparing && frame_is_current (self, gtk_widget_get_width (self->canvas),
                                               gtk_widget_get_height (self->canvas), theme.dark);
}

const LtRenderLossView *
_lt_gtk_loss_view_get_view (LtGtkLossView *self)
{
  return &self->view;
}

LtRenderLossFrame *
_lt_gtk_loss_view_get_frame (LtGtkLossView *self)
{
  return self->frame;
}

const LtRenderLossHit *
_lt_gtk_loss_view_get_hover (LtGtkLossView *self)
{
  return self->has_hover ? &self->hover : NULL;
}
