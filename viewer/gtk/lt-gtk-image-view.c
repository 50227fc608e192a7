/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lt-gtk-canvas-private.h"
#include "lt-gtk-enum-types.h"
#include "lt-gtk-image-load-private.h"
#include "lt-gtk-image-view-private.h"
#include "lt-gtk-private.h"

/**
 * LtGtkImageView:
 *
 * A batch of images in a grid, as lt_make_grid() lays it out, with the
 * class name under each image and, once the model has trained for an
 * epoch, its prediction beside it (a wrong one marked).
 *
 * Bound to a trainer (lt_gtk_image_view_bind_trainer()), the view shows
 * batches of the trainer's training or test set (#LtGtkImageView:split)
 * in the order of the dataset; the previous and next buttons (or
 * Page Up and Page Down) move between them. With
 * #LtGtkImageView:follow-training (the Live button, or L) it shows the
 * batches the trainer trains on instead, as it trains, with the classes
 * the model predicted for them in that step. After every epoch the model
 * classifies the batch shown, in a worker thread. Without a trainer,
 * lt_gtk_image_view_set_batch() shows any batch.
 *
 * Images are drawn unnormalised as the tutorial's `imshow` does (x / 2 +
 * 0.5 for the normalised float images of its transforms; uint8 images as
 * they are), scaled by whole pixels with nearest-neighbour filtering so
 * that 32x32 images stay sharp, at 1x, 2x, 4x or the largest scale that
 * fits (#LtGtkImageView:zoom).
 *
 * Loading a batch, classifying it and preparing its pixels happen in a
 * worker thread (on the main thread for a trainer that is not
 * #LtTrainer:threaded, whose model and dataset may be written in
 * JavaScript); the view draws the result with one Cairo node through the
 * renderer `lt-train --plots` uses.
 *
 * ## Actions
 *
 * `images.previous-batch`, `images.next-batch`, `images.zoom-in`,
 * `images.zoom-out`, `images.follow-training` (stateful) and
 * `images.export` (asks for a PNG or SVG file); their keys: Page Up,
 * Page Down, `+`, `-`, `l` and Ctrl+E.
 */

enum
{
  PROP_0,
  PROP_TRAINER,
  PROP_SPLIT,
  PROP_BATCH_INDEX,
  PROP_N_BATCHES,
  PROP_BATCH_SIZE,
  PROP_ZOOM,
  PROP_COLUMNS,
  PROP_CLASSES,
  PROP_N_IMAGES,
  PROP_SHOW_CONTROLS,
  PROP_LOADING,
  PROP_FOLLOW_TRAINING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LtGtkImageView, lt_gtk_image_view, GTK_TYPE_WIDGET)

static void request_load (LtGtkImageView *self);

#define DEFAULT_BATCH_SIZE 16

/* The source of batches */

static LtDataLoader *
split_loader (LtGtkImageView *self)
{
  if (self->trainer == NULL)
    return NULL;
  return self->split == LT_GTK_SPLIT_TEST ? lt_trainer_get_test_loader (self->trainer)
                                          : lt_trainer_get_train_loader (self->trainer);
}

static LtDataset *
split_dataset (LtGtkImageView *self)
{
  LtDataLoader *loader = split_loader (self);

  return loader ? lt_data_loader_get_dataset (loader) : NULL;
}

static guint
effective_batch_size (LtGtkImageView *self)
{
  LtDataLoader *loader;

  if (self->batch_size > 0)
    return self->batch_size;
  loader = split_loader (self);
  if (loader && lt_data_loader_get_batch_size (loader) > 0)
    return (guint) MIN (lt_data_loader_get_batch_size (loader), 256);
  return DEFAULT_BATCH_SIZE;
}

/* Loading, in a worker: lt-gtk-image-load.c */

static void
apply_grid (LtGtkImageView *self, LtRenderGrid *grid, gboolean dark)
{
  guint n_before = lt_gtk_image_view_get_n_images (self);
  int   width = 0, height = 0;

  g_clear_pointer (&self->grid, lt_render_grid_unref);
  self->grid = grid;
  self->grid_dark = dark;
  if (self->view.selected >= 0 &&
      (guint) self->view.selected >= lt_gtk_image_view_get_n_images (self))
    self->view.selected = -1;
  if (grid)
    lt_render_grid_get_natural_size (grid, &self->view, &width, &height);
  _lt_gtk_canvas_set_natural_size (LT_GTK_CANVAS (self->canvas), width, height);
  gtk_widget_queue_draw (self->canvas);
  if (n_before != lt_gtk_image_view_get_n_images (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_IMAGES]);
}

static void
set_loading (LtGtkImageView *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

static void start_load (LtGtkImageView *self);

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LtGtkImageView *self = LT_GTK_IMAGE_VIEW (source);
  LtGtkImageLoad *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
    }
  if (job->serial != self->request_serial)
    {
      /* asked for something else meanwhile (unless a batch set by hand
       * answered it) */
      if (self->shown_serial == self->request_serial)
        set_loading (self, FALSE);
      else
        start_load (self);
      return;
    }
  set_loading (self, FALSE);
  self->shown_serial = job->serial;
  if (error)
    {
      _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
      return;
    }
  g_set_object (&self->images, job->images);
  g_set_object (&self->labels, job->labels);
  g_set_object (&self->predictions, job->predictions);
  apply_grid (self, g_steal_pointer (&job->grid), job->theme.dark);
  if (job->predict_error)
    _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], job->predict_error);
}

static void
start_load (LtGtkImageView *self)
{
  g_autoptr (GTask) task = NULL;
  LtGtkImageLoad *job = g_new0 (LtGtkImageLoad, 1);
  LtDataset      *dataset = split_dataset (self);

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &job->theme);
  job->serial = self->request_serial;
  job->classes = g_strdupv (self->classes);
  if (dataset)
    {
      gint64 length = lt_dataset_get_length (dataset);
      guint  size = effective_batch_size (self);

      job->dataset = g_object_ref (dataset);
      job->start = MIN ((gint64) self->batch_index * size, length);
      job->end = MIN (job->start + size, length);
      if (self->epochs_done > 0)
        job->trainer = g_object_ref (self->trainer);
    }
  else
    {
      job->images = self->images ? g_object_ref (self->images) : NULL;
      job->labels = self->labels ? g_object_ref (self->labels) : NULL;
      job->predictions = self->predictions ? g_object_ref (self->predictions) : NULL;
    }

  set_loading (self, TRUE);
  task = g_task_new (self, self->cancellable, load_done, NULL);
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, job, (GDestroyNotify) _lt_gtk_image_load_free);
  /* the trainer's model and dataset: on this thread when it trains on it */
  _lt_gtk_task_run (task, self->trainer, _lt_gtk_image_load_thread);
}

/* Asks for the batch the state says (or the current tensors again, with
 * new classes or a new theme); one load runs at a time, the last request
 * wins. */
static void
request_load (LtGtkImageView *self)
{
  self->request_serial++;
  _lt_gtk_image_view_update_controls (self);
  if (!self->loading)
    start_load (self);
}

/* Drawing */

static void
draw_canvas (GtkWidget *canvas, cairo_t *cr, int width, int height, gpointer user_data)
{
  LtGtkImageView *self = user_data;
  LtRenderTheme   theme;

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  if (self->grid && self->grid_dark != theme.dark && !self->loading)
    request_load (self);
  if (self->grid)
    {
      lt_render_grid_draw (self->grid, &self->view, cr, width, height);
      return;
    }
  lt_render_set_color (cr, &theme.background);
  cairo_paint (cr);
  lt_render_text (cr, &theme, 0, FALSE, &theme.muted, width / 2.0, height / 2.0 - theme.font_size,
                  0.5, self->loading ? _ ("Loading…") : _ ("No images yet"));
}

static void
view_changed (LtGtkImageView *self)
{
  int width = 0, height = 0;

  if (self->grid)
    lt_render_grid_get_natural_size (self->grid, &self->view, &width, &height);
  _lt_gtk_canvas_set_natural_size (LT_GTK_CANVAS (self->canvas), width, height);
  gtk_widget_set_size_request (self->canvas,
                               self->view.zoom == LT_RENDER_GRID_ZOOM_FIT ? -1 : width,
                               self->view.zoom == LT_RENDER_GRID_ZOOM_FIT ? -1 : height);
  gtk_widget_queue_draw (self->canvas);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, LtGtkImageView *self)
{
  gint hit;

  gtk_widget_grab_focus (self->canvas);
  if (self->grid == NULL)
    return;
  hit = lt_render_grid_hit_test (self->grid, &self->view, gtk_widget_get_width (self->canvas),
                                 gtk_widget_get_height (self->canvas), x, y);
  if (hit != self->view.selected)
    {
      self->view.selected = hit;
      gtk_widget_queue_draw (self->canvas);
    }
}

static gboolean
on_query_tooltip (GtkWidget      *canvas,
                  int             x,
                  int             y,
                  gboolean        keyboard,
                  GtkTooltip     *tooltip,
                  LtGtkImageView *self)
{
  g_autofree char *label = NULL;
  g_autofree char *text = NULL;
  gint             hit;
  gint64           prediction;

  if (self->grid == NULL)
    return FALSE;
  hit = keyboard ? self->view.selected
                 : lt_render_grid_hit_test (self->grid, &self->view, gtk_widget_get_width (canvas),
                                            gtk_widget_get_height (canvas), x, y);
  if (hit < 0)
    return FALSE;
  label = lt_render_grid_dup_class_name (self->grid, lt_render_grid_get_label (self->grid, hit));
  prediction = lt_render_grid_get_prediction (self->grid, hit);
  if (prediction >= 0)
    {
      g_autofree char *predicted = lt_render_grid_dup_class_name (self->grid, prediction);
      /* TRANSLATORS: a tooltip over an image: its number, true class and
       * predicted class */
      text = g_strdup_printf (_ ("Image %d: %s, predicted %s"), hit + 1, label, predicted);
    }
  else
    /* TRANSLATORS: a tooltip over an image: its number and class */
    text = g_strdup_printf (_ ("Image %d: %s"), hit + 1, label);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The trainer */

static void
on_trainer_batch (LtTrainer      *trainer,
                  guint           epoch,
                  gint64          iteration,
                  LtTensor       *inputs,
                  LtTensor       *targets,
                  LtTensor       *predictions,
                  LtGtkImageView *self)
{
  g_autoptr (GError) error = NULL;

  if (!self->follow)
    return;
  /* a copy of the batch the worker trained on, with that step's
   * predictions: quick to draw, no worker needed */
  if (!lt_gtk_image_view_set_batch (self, inputs, targets, predictions, &error))
    {
      _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
      return;
    }
  self->follow_epoch = epoch;
  self->follow_iteration = iteration;
  _lt_gtk_image_view_update_controls (self);
}

static void
on_epoch_finished (LtTrainer      *trainer,
                   guint           epoch,
                   double          train_loss,
                   double          accuracy,
                   LtTensor       *class_accuracy,
                   LtTensor       *confusion,
                   LtGtkImageView *self)
{
  /* the model has learnt something: classify the batch shown (a followed
   * batch comes with its own predictions) */
  self->epochs_done++;
  if (!self->follow)
    request_load (self);
}

/* Actions */

static void
previous_batch_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_image_view_previous_batch (LT_GTK_IMAGE_VIEW (widget));
}

static void
next_batch_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_image_view_next_batch (LT_GTK_IMAGE_VIEW (widget));
}

static void
export_chosen (GtkWidget *widget, const char *path, gpointer user_data)
{
  if (path != NULL)
    _lt_gtk_image_view_export_to (LT_GTK_IMAGE_VIEW (widget), path);
}

static void
export_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _lt_gtk_choose_export_path (widget, _ ("Export the Images"), "images.png", export_chosen, NULL);
}

/* GObject */

static void
lt_gtk_image_view_dispose (GObject *object)
{
  LtGtkImageView *self = LT_GTK_IMAGE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->trainer)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_clear_object (&self->trainer);
  g_clear_pointer (&self->controls, gtk_widget_unparent);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);

  G_OBJECT_CLASS (lt_gtk_image_view_parent_class)->dispose (object);
}

static void
lt_gtk_image_view_finalize (GObject *object)
{
  LtGtkImageView *self = LT_GTK_IMAGE_VIEW (object);

  g_clear_object (&self->images);
  g_clear_object (&self->labels);
  g_clear_object (&self->predictions);
  g_clear_pointer (&self->grid, lt_render_grid_unref);
  g_strfreev (self->classes);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lt_gtk_image_view_parent_class)->finalize (object);
}

static void
lt_gtk_image_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtGtkImageView *self = LT_GTK_IMAGE_VIEW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        g_value_set_object (value, self->trainer);
        break;
      case PROP_SPLIT:
        g_value_set_enum (value, self->split);
        break;
      case PROP_BATCH_INDEX:
        g_value_set_uint (value, self->batch_index);
        break;
      case PROP_N_BATCHES:
        g_value_set_uint (value, lt_gtk_image_view_get_n_batches (self));
        break;
      case PROP_BATCH_SIZE:
        g_value_set_uint (value, self->batch_size);
        break;
      case PROP_ZOOM:
        g_value_set_enum (value, (LtGtkImageZoom) self->view.zoom);
        break;
      case PROP_COLUMNS:
        g_value_set_uint (value, self->view.nrow);
        break;
      case PROP_CLASSES:
        g_value_set_boxed (value, self->classes);
        break;
      case PROP_N_IMAGES:
        g_value_set_uint (value, lt_gtk_image_view_get_n_images (self));
        break;
      case PROP_SHOW_CONTROLS:
        g_value_set_boolean (value, lt_gtk_image_view_get_show_controls (self));
        break;
      case PROP_LOADING:
        g_value_set_boolean (value, self->loading);
        break;
      case PROP_FOLLOW_TRAINING:
        g_value_set_boolean (value, self->follow);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_image_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  LtGtkImageView *self = LT_GTK_IMAGE_VIEW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        lt_gtk_image_view_bind_trainer (self, g_value_get_object (value));
        break;
      case PROP_SPLIT:
        lt_gtk_image_view_set_split (self, g_value_get_enum (value));
        break;
      case PROP_BATCH_INDEX:
        lt_gtk_image_view_set_batch_index (self, g_value_get_uint (value));
        break;
      case PROP_BATCH_SIZE:
        lt_gtk_image_view_set_batch_size (self, g_value_get_uint (value));
        break;
      case PROP_ZOOM:
        lt_gtk_image_view_set_zoom (self, g_value_get_enum (value));
        break;
      case PROP_COLUMNS:
        lt_gtk_image_view_set_columns (self, g_value_get_uint (value));
        break;
      case PROP_CLASSES:
        lt_gtk_image_view_set_classes (self, g_value_get_boxed (value));
        break;
      case PROP_SHOW_CONTROLS:
        lt_gtk_image_view_set_show_controls (self, g_value_get_boolean (value));
        break;
      case PROP_FOLLOW_TRAINING:
        lt_gtk_image_view_set_follow_training (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_image_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (lt_gtk_image_view_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (LT_GTK_IMAGE_VIEW (widget)->canvas);
}

static void
lt_gtk_image_view_class_init (LtGtkImageViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  _lt_gtk_ensure_i18n ();

  object_class->dispose = lt_gtk_image_view_dispose;
  object_class->finalize = lt_gtk_image_view_finalize;
  object_class->get_property = lt_gtk_image_view_get_property;
  object_class->set_property = lt_gtk_image_view_set_property;
  widget_class->css_changed = lt_gtk_image_view_css_changed;

  /**
   * LtGtkImageView:trainer:
   *
   * The trainer whose data the view shows (see
   * lt_gtk_image_view_bind_trainer()).
   */
  props[PROP_TRAINER] =
    g_param_spec_object ("trainer", NULL, NULL, LT_TYPE_TRAINER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:split:
   *
   * Whether the view shows the trainer's training set or its test set.
   */
  props[PROP_SPLIT] =
    g_param_spec_enum ("split", NULL, NULL, LT_GTK_TYPE_SPLIT, LT_GTK_SPLIT_TRAIN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:batch-index:
   *
   * The batch shown, from 0: images batch-index × batch-size onwards of
   * the split's dataset, in the dataset's order.
   */
  props[PROP_BATCH_INDEX] =
    g_param_spec_uint ("batch-index", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:n-batches:
   *
   * The number of batches of the split (0 without a trainer).
   */
  props[PROP_N_BATCHES] = g_param_spec_uint ("n-batches", NULL, NULL, 0, G_MAXUINT, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:batch-size:
   *
   * The images per batch; 0 (the default) for the batch size of the
   * split's loader (at most 256).
   */
  props[PROP_BATCH_SIZE] =
    g_param_spec_uint ("batch-size", NULL, NULL, 0, 4096, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:zoom:
   *
   * The scale of the images.
   */
  props[PROP_ZOOM] =
    g_param_spec_enum ("zoom", NULL, NULL, LT_GTK_TYPE_IMAGE_ZOOM, LT_GTK_IMAGE_ZOOM_2X,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:columns:
   *
   * Images per row of the grid (lt_make_grid()'s `nrow`).
   */
  props[PROP_COLUMNS] =
    g_param_spec_uint ("columns", NULL, NULL, 1, 256, 8,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:classes:
   *
   * The class names, label i named classes[i]; taken from the trainer's
   * dataset (CIFAR-10, Fashion-MNIST, an image folder) when it has them
   * and none were set. A label without a name is shown as its number.
   */
  props[PROP_CLASSES] =
    g_param_spec_boxed ("classes", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:n-images:
   *
   * The number of images shown.
   */
  props[PROP_N_IMAGES] = g_param_spec_uint ("n-images", NULL, NULL, 0, G_MAXUINT, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:show-controls:
   *
   * Whether the view shows its own bar of controls (split, batch, zoom,
   * export) above the images.
   */
  props[PROP_SHOW_CONTROLS] =
    g_param_spec_boolean ("show-controls", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:loading:
   *
   * Whether a batch is being loaded or classified in the background.
   */
  props[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkImageView:follow-training:
   *
   * Whether the view shows the batches the trainer trains on, as it
   * trains (#LtTrainer::batch: a copy of a training batch with the
   * classes the model predicted for it in that step), instead of the
   * dataset's batches in order. Moving to another batch or split turns it
   * off.
   */
  props[PROP_FOLLOW_TRAINING] =
    g_param_spec_boolean ("follow-training", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * LtGtkImageView::error:
   * @self: the view
   * @error: what went wrong
   *
   * Emitted when a batch cannot be read or classified, or an export from
   * the view's own controls fails. A handler that shows the message
   * itself returns %TRUE; otherwise the view shows it in a dialog over
   * its window.
   *
   * Returns: %TRUE when the error was shown
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_ERROR);

  gtk_widget_class_install_action (widget_class, "images.previous-batch", NULL, previous_batch_cb);
  gtk_widget_class_install_action (widget_class, "images.next-batch", NULL, next_batch_cb);
  gtk_widget_class_install_action (widget_class, "images.zoom-in", NULL,
                                   _lt_gtk_image_view_zoom_in_cb);
  gtk_widget_class_install_action (widget_class, "images.zoom-out", NULL,
                                   _lt_gtk_image_view_zoom_out_cb);
  gtk_widget_class_install_action (widget_class, "images.export", NULL, export_cb);
  gtk_widget_class_install_property_action (widget_class, "images.follow-training",
                                            "follow-training");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "images.previous-batch",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "images.next-batch",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "images.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "images.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "images.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, 0, "images.follow-training", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "images.export",
                                       NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ltimageview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lt_gtk_image_view_init (LtGtkImageView *self)
{
  GtkGesture *gesture;

  self->cancellable = g_cancellable_new ();
  lt_render_grid_view_init (&self->view);
  gtk_orientable_set_orientation (
    GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);

  self->controls = _lt_gtk_image_view_controls_new (self);
  gtk_widget_set_parent (self->controls, GTK_WIDGET (self));

  self->canvas = _lt_gtk_canvas_new (draw_canvas, self);
  gtk_widget_set_has_tooltip (self->canvas, TRUE);
  g_signal_connect (self->canvas, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Images of a batch with their classes"), -1);
  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (gesture));

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->canvas);
  gtk_widget_set_hexpand (self->scroller, TRUE);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  view_changed (self);
  _lt_gtk_image_view_update_controls (self);
}

/**
 * lt_gtk_image_view_new:
 *
 * Creates an image view with no images.
 *
 * Returns: (transfer floating): a new #LtGtkImageView
 */
GtkWidget *
lt_gtk_image_view_new (void)
{
  return g_object_new (LT_GTK_TYPE_IMAGE_VIEW, NULL);
}

/**
 * lt_gtk_image_view_bind_trainer:
 * @self: an image view
 * @trainer: (nullable): the trainer whose data to show, or %NULL
 *
 * Shows batches of @trainer's data (the first batch of the
 * #LtGtkImageView:split), takes the class names from its dataset when
 * none were set, and after every epoch classifies the batch shown with
 * the trainer's model (lt_trainer_predict(), in a worker thread). The
 * view keeps a reference to the trainer.
 */
void
lt_gtk_image_view_bind_trainer (LtGtkImageView *self, LtTrainer *trainer)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));
  g_return_if_fail (trainer == NULL || LT_IS_TRAINER (trainer));

  if (self->trainer == trainer)
    return;
  if (self->trainer)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_set_object (&self->trainer, trainer);
  self->batch_index = 0;
  self->epochs_done = 0;
  g_clear_object (&self->predictions);
  if (trainer)
    {
      LtDataLoader *loader = lt_trainer_get_train_loader (trainer);

      g_signal_connect (trainer, "epoch-finished", G_CALLBACK (on_epoch_finished), self);
      g_signal_connect (trainer, "batch", G_CALLBACK (on_trainer_batch), self);
      if (self->follow && lt_trainer_get_batch_interval (trainer) == 0)
        lt_trainer_set_batch_interval (trainer, LT_GTK_IMAGE_VIEW_DEFAULT_INTERVAL);
      if (!self->classes_set && loader)
        {
          const char *const *classes =
            _lt_gtk_dataset_get_classes (lt_data_loader_get_dataset (loader));

          g_strfreev (self->classes);
          self->classes = g_strdupv ((char **) classes);
          g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CLASSES]);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRAINER]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BATCH_INDEX]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_BATCHES]);
  if (trainer)
    request_load (self);
  else
    _lt_gtk_image_view_update_controls (self);
}

/**
 * lt_gtk_image_view_get_trainer:
 * @self: an image view
 *
 * Gets the trainer whose data the view shows.
 *
 * Returns: (transfer none) (nullable): the trainer
 */
LtTrainer *
lt_gtk_image_view_get_trainer (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), NULL);
  return self->trainer;
}

/**
 * lt_gtk_image_view_set_batch:
 * @self: an image view
 * @images: a batch (N, C, H, W) with C 1 or 3: float images normalised as
 *   the tutorial's transforms leave them, or uint8 images
 * @labels: (nullable): their classes, int64 (N)
 * @predictions: (nullable): predicted classes, int64 (N); needs @labels
 * @error: return location for a #GError
 *
 * Shows a batch of your own (a bound trainer's next batch replaces it
 * when the view moves to another batch).
 *
 * Returns: %TRUE when the batch is shown; %FALSE with an %LT_ERROR error
 *   naming the shapes when it cannot be drawn (the view keeps what it
 *   showed)
 */
gboolean
lt_gtk_image_view_set_batch (LtGtkImageView *self,
                             LtTensor       *images,
                             LtTensor       *labels,
                             LtTensor       *predictions,
                             GError        **error)
{
  LtRenderTheme theme;
  LtRenderGrid *grid;

  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (images), FALSE);
  g_return_val_if_fail (labels == NULL || LT_IS_TENSOR (labels), FALSE);
  g_return_val_if_fail (predictions == NULL || LT_IS_TENSOR (predictions), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  /* a batch's pixels are quick to prepare: no worker, so errors come back */
  grid = lt_render_grid_new (images, labels, predictions, (const char *const *) self->classes,
                             &theme, error);
  if (grid == NULL)
    return FALSE;
  /* a load under way must not replace this batch */
  self->request_serial++;
  self->shown_serial = self->request_serial;
  g_set_object (&self->images, images);
  g_set_object (&self->labels, labels);
  g_set_object (&self->predictions, predictions);
  apply_grid (self, grid, theme.dark);
  return TRUE;
}

/**
 * lt_gtk_image_view_get_images:
 * @self: an image view
 *
 * Gets the batch shown.
 *
 * Returns: (transfer none) (nullable): the images (N, C, H, W), or %NULL
 *   before the first batch
 */
LtTensor *
lt_gtk_image_view_get_images (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), NULL);
  return self->grid ? self->images : NULL;
}

/**
 * lt_gtk_image_view_get_n_images:
 * @self: an image view
 *
 * Counts the images shown.
 *
 * Returns: the number of images
 */
guint
lt_gtk_image_view_get_n_images (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), 0);
  return self->grid ? lt_render_grid_get_n_images (self->grid) : 0;
}

/**
 * lt_gtk_image_view_get_label:
 * @self: an image view
 * @index: an image's position in the batch, from 0
 *
 * Gets the class of an image shown.
 *
 * Returns: the label, or -1 when there is none (or no image @index)
 */
gint64
lt_gtk_image_view_get_label (LtGtkImageView *self, guint index)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), -1);
  if (self->grid == NULL || index >= lt_render_grid_get_n_images (self->grid))
    return -1;
  return lt_render_grid_get_label (self->grid, index);
}

/**
 * lt_gtk_image_view_get_prediction:
 * @self: an image view
 * @index: an image's position in the batch, from 0
 *
 * Gets the class the model predicted for an image shown.
 *
 * Returns: the predicted label, or -1 before there is one
 */
gint64
lt_gtk_image_view_get_prediction (LtGtkImageView *self, guint index)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), -1);
  if (self->grid == NULL || index >= lt_render_grid_get_n_images (self->grid))
    return -1;
  return lt_render_grid_get_prediction (self->grid, index);
}

/**
 * lt_gtk_image_view_dup_class_name:
 * @self: an image view
 * @label: a class
 *
 * Gets the name the view shows for a class: its name in
 * #LtGtkImageView:classes, or its number.
 *
 * Returns: (transfer full): the name
 */
char *
lt_gtk_image_view_dup_class_name (LtGtkImageView *self, gint64 label)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), NULL);
  if (self->classes && label >= 0 && label < g_strv_length (self->classes))
    return g_strdup (self->classes[label]);
  return g_strdup_printf ("%" G_GINT64_FORMAT, label);
}

/**
 * lt_gtk_image_view_get_classes:
 * @self: an image view
 *
 * Gets the class names.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   names, or %NULL when there are none
 */
const char *const *
lt_gtk_image_view_get_classes (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), NULL);
  return (const char *const *) self->classes;
}

/**
 * lt_gtk_image_view_set_classes:
 * @self: an image view
 * @classes: (nullable) (array zero-terminated=1): the class names, label i
 *   named classes[i]; %NULL to take them from the trainer's dataset
 *
 * Names the classes under the images.
 */
void
lt_gtk_image_view_set_classes (LtGtkImageView *self, const char *const *classes)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));

  self->classes_set = classes != NULL;
  if (classes == NULL && self->trainer && lt_trainer_get_train_loader (self->trainer))
    classes = _lt_gtk_dataset_get_classes (
      lt_data_loader_get_dataset (lt_trainer_get_train_loader (self->trainer)));
  g_strfreev (self->classes);
  self->classes = g_strdupv ((char **) classes);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CLASSES]);
  if (self->images)
    request_load (self);
}

/**
 * lt_gtk_image_view_get_split:
 * @self: an image view
 *
 * Gets which of the trainer's datasets the view shows.
 *
 * Returns: the split
 */
LtGtkSplit
lt_gtk_image_view_get_split (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), LT_GTK_SPLIT_TRAIN);
  return self->split;
}

/**
 * lt_gtk_image_view_set_split:
 * @self: an image view
 * @split: the training set or the test set
 *
 * Shows the first batch of the trainer's training or test set.
 */
void
lt_gtk_image_view_set_split (LtGtkImageView *self, LtGtkSplit split)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));
  g_return_if_fail (split == LT_GTK_SPLIT_TRAIN || split == LT_GTK_SPLIT_TEST);

  if (self->split == split)
    return;
  lt_gtk_image_view_set_follow_training (self, FALSE);
  self->split = split;
  self->batch_index = 0;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->split_dropdown),
                              split == LT_GTK_SPLIT_TEST ? 1 : 0);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SPLIT]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BATCH_INDEX]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_BATCHES]);
  if (self->trainer)
    request_load (self);
}

/**
 * lt_gtk_image_view_get_batch_index:
 * @self: an image view
 *
 * Gets the number of the batch shown.
 *
 * Returns: the batch, from 0
 */
guint
lt_gtk_image_view_get_batch_index (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), 0);
  return self->batch_index;
}

/**
 * lt_gtk_image_view_set_batch_index:
 * @self: an image view
 * @batch_index: a batch, from 0 (past the last: the last)
 *
 * Shows another batch of the split.
 */
void
lt_gtk_image_view_set_batch_index (LtGtkImageView *self, guint batch_index)
{
  guint n;

  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));

  n = lt_gtk_image_view_get_n_batches (self);
  if (n > 0 && batch_index >= n)
    batch_index = n - 1;
  if (self->batch_index == batch_index)
    return;
  lt_gtk_image_view_set_follow_training (self, FALSE);
  self->batch_index = batch_index;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BATCH_INDEX]);
  if (self->trainer)
    request_load (self);
}

/**
 * lt_gtk_image_view_get_n_batches:
 * @self: an image view
 *
 * Counts the batches of the split.
 *
 * Returns: the number of batches, 0 without a trainer
 */
guint
lt_gtk_image_view_get_n_batches (LtGtkImageView *self)
{
  LtDataset *dataset;
  gint64     length;
  guint      size;

  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), 0);
  dataset = split_dataset (self);
  if (dataset == NULL)
    return 0;
  length = lt_dataset_get_length (dataset);
  size = effective_batch_size (self);
  return (guint) MIN ((length + size - 1) / size, G_MAXUINT);
}

/**
 * lt_gtk_image_view_get_batch_size:
 * @self: an image view
 *
 * Gets the images per batch as set (0: the loader's).
 *
 * Returns: the batch size
 */
guint
lt_gtk_image_view_get_batch_size (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), 0);
  return self->batch_size;
}

/**
 * lt_gtk_image_view_set_batch_size:
 * @self: an image view
 * @batch_size: images per batch, at most 4096; 0 for the loader's
 *
 * Sets how many images a batch of the view holds, and shows the first
 * batch again.
 */
void
lt_gtk_image_view_set_batch_size (LtGtkImageView *self, guint batch_size)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));

  batch_size = MIN (batch_size, 4096);
  if (self->batch_size == batch_size)
    return;
  self->batch_size = batch_size;
  self->batch_index = 0;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BATCH_SIZE]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BATCH_INDEX]);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_BATCHES]);
  if (self->trainer)
    request_load (self);
}

/**
 * lt_gtk_image_view_next_batch:
 * @self: an image view
 *
 * Shows the next batch of the split.
 *
 * Returns: %TRUE, or %FALSE at the last batch (or without a trainer)
 */
gboolean
lt_gtk_image_view_next_batch (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), FALSE);

  if (self->trainer == NULL || self->batch_index + 1 >= lt_gtk_image_view_get_n_batches (self))
    return FALSE;
  lt_gtk_image_view_set_batch_index (self, self->batch_index + 1);
  return TRUE;
}

/**
 * lt_gtk_image_view_previous_batch:
 * @self: an image view
 *
 * Shows the previous batch of the split.
 *
 * Returns: %TRUE, or %FALSE at the first batch (or without a trainer)
 */
gboolean
lt_gtk_image_view_previous_batch (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), FALSE);

  if (self->trainer == NULL || self->batch_index == 0)
    return FALSE;
  lt_gtk_image_view_set_batch_index (self, self->batch_index - 1);
  return TRUE;
}

/**
 * lt_gtk_image_view_get_zoom:
 * @self: an image view
 *
 * Gets the scale of the images.
 *
 * Returns: the zoom
 */
LtGtkImageZoom
lt_gtk_image_view_get_zoom (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), LT_GTK_IMAGE_ZOOM_FIT);
  return (LtGtkImageZoom) self->view.zoom;
}

/**
 * lt_gtk_image_view_set_zoom:
 * @self: an image view
 * @zoom: 1x, 2x, 4x or fit
 *
 * Sets the scale of the images (nearest-neighbour at every scale).
 */
void
lt_gtk_image_view_set_zoom (LtGtkImageView *self, LtGtkImageZoom zoom)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));
  g_return_if_fail (zoom == LT_GTK_IMAGE_ZOOM_FIT || zoom == LT_GTK_IMAGE_ZOOM_1X ||
                    zoom == LT_GTK_IMAGE_ZOOM_2X || zoom == LT_GTK_IMAGE_ZOOM_4X);

  if ((LtGtkImageZoom) self->view.zoom == zoom)
    return;
  self->view.zoom = (LtRenderGridZoom) zoom;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->zoom_dropdown),
                              _lt_gtk_image_zoom_position (zoom));
  view_changed (self);
  _lt_gtk_image_view_update_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ZOOM]);
}

/**
 * lt_gtk_image_view_get_columns:
 * @self: an image view
 *
 * Gets the images per row.
 *
 * Returns: the number of columns
 */
guint
lt_gtk_image_view_get_columns (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), 0);
  return self->view.nrow;
}

/**
 * lt_gtk_image_view_set_columns:
 * @self: an image view
 * @columns: images per row, from 1 to 256
 *
 * Sets the images per row of the grid.
 */
void
lt_gtk_image_view_set_columns (LtGtkImageView *self, guint columns)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));

  columns = CLAMP (columns, 1, 256);
  if (self->view.nrow == columns)
    return;
  self->view.nrow = columns;
  view_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_COLUMNS]);
}

/**
 * lt_gtk_image_view_get_show_controls:
 * @self: an image view
 *
 * Gets whether the view shows its bar of controls.
 *
 * Returns: %TRUE when it does
 */
gboolean
lt_gtk_image_view_get_show_controls (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), FALSE);
  return gtk_widget_get_visible (self->controls);
}

/**
 * lt_gtk_image_view_set_show_controls:
 * @self: an image view
 * @show_controls: whether to show the bar of controls
 *
 * Shows or hides the view's own controls above the images.
 */
void
lt_gtk_image_view_set_show_controls (LtGtkImageView *self, gboolean show_controls)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));

  if (gtk_widget_get_visible (self->controls) == !!show_controls)
    return;
  gtk_widget_set_visible (self->controls, show_controls);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SHOW_CONTROLS]);
}

/**
 * lt_gtk_image_view_get_loading:
 * @self: an image view
 *
 * Gets whether a batch is being loaded or classified.
 *
 * Returns: %TRUE while a worker prepares a batch
 */
gboolean
lt_gtk_image_view_get_loading (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), FALSE);
  return self->loading;
}

/**
 * lt_gtk_image_view_export:
 * @self: an image view
 * @path: (type filename): the file to write: `.png` or `.svg`
 * @error: return location for a #GError
 *
 * Writes the batch shown, with its labels and predictions, at the view's
 * zoom (1x for "fit") into a PNG or SVG file, chosen by @path's
 * extension. The file is written beside @path and renamed into place.
 *
 * Returns: %TRUE on success; %FALSE with an %LT_ERROR_INVALID_ARGUMENT
 *   error when there are no images or for another extension, or an
 *   %LT_ERROR_IO error naming the path and the reason
 */
gboolean
lt_gtk_image_view_export (LtGtkImageView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->grid == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "image view: no images to export to %s yet", path);
      return FALSE;
    }
  return lt_render_grid_write (self->grid, &self->view, path, error);
}

/**
 * lt_gtk_image_view_get_follow_training:
 * @self: an image view
 *
 * Gets whether the view follows the batches the trainer trains on.
 *
 * Returns: %TRUE when it does
 */
gboolean
lt_gtk_image_view_get_follow_training (LtGtkImageView *self)
{
  g_return_val_if_fail (LT_GTK_IS_IMAGE_VIEW (self), FALSE);
  return self->follow;
}

/**
 * lt_gtk_image_view_set_follow_training:
 * @self: an image view
 * @follow_training: whether to show the batches the trainer trains on
 *
 * Shows the batches the trainer trains on, as it trains (see
 * #LtGtkImageView:follow-training), or the dataset's batches again. A bound
 * trainer that sends no batches (#LtTrainer:batch-interval 0) is set to
 * send one every %LT_GTK_IMAGE_VIEW_DEFAULT_INTERVAL steps.
 */
void
lt_gtk_image_view_set_follow_training (LtGtkImageView *self, gboolean follow_training)
{
  g_return_if_fail (LT_GTK_IS_IMAGE_VIEW (self));

  follow_training = !!follow_training;
  if (self->follow == follow_training)
    return;
  if (follow_training && self->split != LT_GTK_SPLIT_TRAIN)
    lt_gtk_image_view_set_split (self, LT_GTK_SPLIT_TRAIN);
  self->follow = follow_training;
  self->follow_epoch = 0;
  if (follow_training && self->trainer && lt_trainer_get_batch_interval (self->trainer) == 0)
    lt_trainer_set_batch_interval (self->trainer, LT_GTK_IMAGE_VIEW_DEFAULT_INTERVAL);
  if (!follow_training && self->trainer)
    request_load (self); /* the dataset's batch again */
  _lt_gtk_image_view_update_controls (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FOLLOW_TRAINING]);
}

/* Private */

void
_lt_gtk_image_view_export_to (LtGtkImageView *self, const char *path)
{
  g_autoptr (GError) error = NULL;

  if (!lt_gtk_image_view_export (self, path, &error))
    _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
}

GtkWidget *
_lt_gtk_image_view_get_canvas (LtGtkImageView *self)
{
  return self->canvas;
}

LtRenderGrid *
_lt_gtk_image_view_get_grid (LtGtkImageView *self)
{
  return self->grid;
}

const LtRenderGridView *
_lt_gtk_image_view_get_view (LtGtkImageView *self)
{
  return &self->view;
}

gboolean
_lt_gtk_image_view_is_settled (LtGtkImageView *self)
{
  return !self->loading && self->shown_serial == self->request_serial;
}
