/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lt-gtk-accuracy-view-private.h"
#include "lt-gtk-canvas-private.h"
#include "lt-gtk-enum-types.h"
#include "lt-gtk-image-view.h"
#include "lt-gtk-private.h"

/**
 * LtGtkAccuracyView:
 *
 * How well a classifier does on the test set after an epoch: one bar per
 * class (the share of its test images classified right) and the
 * confusion matrix (rows: true classes, columns: predicted classes; each
 * cell's count, coloured by its share of the row), class names on the
 * axes.
 *
 * Selecting a cell of the matrix (a click, the arrow keys, or
 * lt_gtk_accuracy_view_select_cell()) shows the test images confused that
 * way under it (the first %LT_GTK_ACCURACY_VIEW_MAX_IMAGES), read from
 * the test set in a worker thread (on the main thread for a bound trainer
 * that is not #LtTrainer:threaded).
 *
 * Bound to a trainer (lt_gtk_accuracy_view_bind_trainer()), the view
 * follows #LtTrainer::evaluated: the predictions over the test loader
 * after every epoch. Without one, give it predictions and targets
 * (lt_gtk_accuracy_view_set_predictions(), with
 * lt_gtk_accuracy_view_set_dataset() for the images) or a confusion
 * matrix (lt_gtk_accuracy_view_set_confusion()).
 *
 * ## Actions
 *
 * `accuracy.export` (asks for a PNG or SVG file; Ctrl+E) and
 * `accuracy.clear-selection` (Escape).
 */

struct _LtGtkAccuracyView
{
  GtkWidget parent_instance;

  /* Owned */
  LtTrainer        *trainer;
  LtDataset        *dataset;
  char            **classes;
  LtTensor         *confusion;   /* set directly, or NULL */
  gint64           *predictions; /* over the test set, or NULL */
  gint64           *targets;
  gsize             n_samples;
  guint             n_classes;
  LtRenderAccuracy *accuracy;
  GArray           *selected; /* gint64 indices of the selected cell's samples */
  GCancellable     *cancellable;

  /* Borrowed: children */
  GtkWidget *controls;
  GtkWidget *parts_dropdown;
  GtkWidget *canvas;
  GtkWidget *caption;
  GtkWidget *images;

  LtRenderAccuracyView view;
  gboolean             accuracy_dark;
  guint64              images_serial;
  gboolean             loading;
};

enum
{
  PROP_0,
  PROP_TRAINER,
  PROP_DATASET,
  PROP_CLASSES,
  PROP_PARTS,
  PROP_SHOW_CONTROLS,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LtGtkAccuracyView, lt_gtk_accuracy_view, GTK_TYPE_WIDGET)

static void update_selection (LtGtkAccuracyView *self);

/* The numbers */

static LtRenderAccuracy *
make_accuracy (LtGtkAccuracyView *self, GError **error)
{
  LtRenderTheme theme;
  g_autoptr (LtTensor) predictions = NULL;
  g_autoptr (LtTensor) targets = NULL;
  gint64 n = (gint64) self->n_samples;

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  self->accuracy_dark = theme.dark;
  if (self->confusion)
    return lt_render_accuracy_new (self->confusion, (const char *const *) self->classes, &theme,
                                   error);
  if (self->predictions == NULL)
    return NULL;
  predictions = lt_tensor_new_from_int64s (self->predictions, n, &n, 1, LT_DTYPE_INT64, error);
  if (predictions == NULL)
    return NULL;
  targets = lt_tensor_new_from_int64s (self->targets, n, &n, 1, LT_DTYPE_INT64, error);
  if (targets == NULL)
    return NULL;
  return lt_render_accuracy_new_from_predictions (
    predictions, targets, self->n_classes, (const char *const *) self->classes, &theme, error);
}

static void
set_accuracy (LtGtkAccuracyView *self, LtRenderAccuracy *accuracy)
{
  int width = 0, height = 0;

  g_clear_pointer (&self->accuracy, lt_render_accuracy_unref);
  self->accuracy = accuracy;
  if (accuracy)
    lt_render_accuracy_get_natural_size (accuracy, &self->view, &width, &height);
  _lt_gtk_canvas_set_natural_size (LT_GTK_CANVAS (self->canvas), width, height);
  gtk_widget_queue_draw (self->canvas);
}

/* The images of a cell, read in a worker */

typedef struct
{
  LtDataset *dataset;
  GArray    *indices; /* gint64 */
  gint64    *targets;
  gint64    *predictions;
  guint64    serial;

  LtTensor *images; /* the result */
  LtTensor *labels;
  LtTensor *predicted;
} ImagesJob;

static void
images_job_free (ImagesJob *job)
{
  g_clear_object (&job->dataset);
  g_array_unref (job->indices);
  g_free (job->targets);
  g_free (job->predictions);
  g_clear_object (&job->images);
  g_clear_object (&job->labels);
  g_clear_object (&job->predicted);
  g_free (job);
}

static void
images_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  ImagesJob *job = task_data;
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  gint64  n = job->indices->len;
  GError *error = NULL;

  for (gint64 i = 0; i < n; i++)
    {
      gint64 index = g_array_index (job->indices, gint64, i);
      g_autoptr (LtTensor) x = NULL;
      g_autoptr (LtTensor) y = NULL;

      if (g_task_return_error_if_cancelled (task))
        return;
      if (!lt_dataset_get_item (job->dataset, index, &x, &y, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (inputs, g_steal_pointer (&x));
    }
  if ((job->images = lt_stack ((LtTensor **) inputs->pdata, inputs->len, 0, &error)) == NULL ||
      (job->labels = lt_tensor_new_from_int64s (job->targets, n, &n, 1, LT_DTYPE_INT64, &error)) ==
        NULL ||
      (job->predicted =
         lt_tensor_new_from_int64s (job->predictions, n, &n, 1, LT_DTYPE_INT64, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
set_loading (LtGtkAccuracyView *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOADING]);
}

static void
images_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LtGtkAccuracyView *self = LT_GTK_ACCURACY_VIEW (source);
  ImagesJob         *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (job->serial != self->images_serial)
    return; /* another selection's images are on their way */
  set_loading (self, FALSE);
  if (error == NULL)
    {
      lt_gtk_image_view_set_classes (LT_GTK_IMAGE_VIEW (self->images),
                                     (const char *const *) self->classes);
      lt_gtk_image_view_set_batch (LT_GTK_IMAGE_VIEW (self->images), job->images, job->labels,
                                   job->predicted, &error);
    }
  if (error)
    _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
  else
    gtk_widget_set_visible (self->images, TRUE);
}

static void
load_images (LtGtkAccuracyView *self)
{
  g_autoptr (GTask) task = NULL;
  ImagesJob *job;
  guint      n = MIN (self->selected->len, LT_GTK_ACCURACY_VIEW_MAX_IMAGES);

  self->images_serial++;
  if (self->dataset == NULL || n == 0 || self->predictions == NULL)
    {
      gtk_widget_set_visible (self->images, FALSE);
      set_loading (self, FALSE);
      return;
    }
  job = g_new0 (ImagesJob, 1);
  job->dataset = g_object_ref (self->dataset);
  job->indices = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  job->targets = g_new (gint64, n);
  job->predictions = g_new (gint64, n);
  for (guint i = 0; i < n; i++)
    {
      gint64 index = g_array_index (self->selected, gint64, i);

      g_array_append_val (job->indices, index);
      job->targets[i] = self->targets[index];
      job->predictions[i] = self->predictions[index];
    }
  job->serial = self->images_serial;

  set_loading (self, TRUE);
  task = g_task_new (self, self->cancellable, images_done, NULL);
  g_task_set_source_tag (task, load_images);
  g_task_set_task_data (task, job, (GDestroyNotify) images_job_free);
  /* the trainer's dataset: on this thread when it trains on it */
  _lt_gtk_task_run (task, self->trainer, images_thread);
}

/* What the selection shows: the caption and the images */
static void
update_selection (LtGtkAccuracyView *self)
{
  gint             row = self->view.selected_row, col = self->view.selected_col;
  g_autofree char *text = NULL;

  g_array_set_size (self->selected, 0);
  if (row < 0 || col < 0)
    {
      gtk_widget_set_visible (self->caption, FALSE);
      gtk_widget_set_visible (self->images, FALSE);
      self->images_serial++;
      set_loading (self, FALSE);
      return;
    }
  if (self->predictions)
    for (gsize i = 0; i < self->n_samples; i++)
      if (self->targets[i] == row && self->predictions[i] == col)
        {
          gint64 index = (gint64) i;
          g_array_append_val (self->selected, index);
        }

  if (self->accuracy)
    {
      g_autofree char *truth = lt_render_accuracy_dup_class_name (self->accuracy, row);
      g_autofree char *predicted = lt_render_accuracy_dup_class_name (self->accuracy, col);
      gint64           count = lt_render_accuracy_get_count (self->accuracy, row, col);

      if (row == col)
        /* TRANSLATORS: the caption of the images of a diagonal cell of the
         * confusion matrix: the count and the class */
        text =
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u test image of %s classified right",
                                        "%u test images of %s classified right", (gulong) count),
                           (guint) count, truth);
      else
        /* TRANSLATORS: the caption of the images of a cell of the confusion
         * matrix: the count, the true class, the predicted class */
        text =
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u test image of %s predicted as %s",
                                        "%u test images of %s predicted as %s", (gulong) count),
                           (guint) count, truth, predicted);
      if (count > 0 && (self->dataset == NULL || self->predictions == NULL))
        {
          g_autofree char *longer = g_strconcat (
            text, " ", _ ("(give the view the test set and the predictions to see them)"), NULL);
          g_free (text);
          text = g_steal_pointer (&longer);
        }
      else if (count > LT_GTK_ACCURACY_VIEW_MAX_IMAGES)
        {
          g_autofree char *longer =
            g_strdup_printf (_ ("%s; the first %d shown"), text, LT_GTK_ACCURACY_VIEW_MAX_IMAGES);
          g_free (text);
          text = g_steal_pointer (&longer);
        }
    }
  gtk_label_set_text (GTK_LABEL (self->caption), text ? text : "");
  gtk_widget_set_visible (self->caption, text != NULL);
  load_images (self);
}

/* Drawing */

static void
draw_canvas (GtkWidget *canvas, cairo_t *cr, int width, int height, gpointer user_data)
{
  LtGtkAccuracyView *self = user_data;
  LtRenderTheme      theme;

  _lt_gtk_theme_for_widget (GTK_WIDGET (self), &theme);
  if (self->accuracy && self->accuracy_dark != theme.dark)
    {
      /* quick: counts and text sizes */
      LtRenderAccuracy *accuracy = make_accuracy (self, NULL);
      if (accuracy)
        set_accuracy (self, accuracy);
    }
  if (self->accuracy)
    {
      lt_render_accuracy_draw (self->accuracy, &self->view, cr, width, height);
      return;
    }
  lt_render_set_color (cr, &theme.background);
  cairo_paint (cr);
  lt_render_text (cr, &theme, 0, FALSE, &theme.muted, width / 2.0, height / 2.0 - theme.font_size,
                  0.5, _ ("No evaluation yet"));
}

static void
on_released (GtkGestureClick *gesture, int n_press, double x, double y, LtGtkAccuracyView *self)
{
  LtRenderAccuracyHit hit;

  gtk_widget_grab_focus (self->canvas);
  if (self->accuracy == NULL)
    return;
  if (lt_render_accuracy_hit_test (self->accuracy, &self->view, gtk_widget_get_width (self->canvas),
                                   gtk_widget_get_height (self->canvas), x, y, &hit) &&
      hit.kind == LT_RENDER_ACCURACY_HIT_CELL)
    lt_gtk_accuracy_view_select_cell (self, (gint) hit.row, (gint) hit.col);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                LtGtkAccuracyView     *self)
{
  gint n = (gint) lt_gtk_accuracy_view_get_n_classes (self);
  gint row = self->view.selected_row, col = self->view.selected_col;

  if (n == 0)
    return FALSE;
  switch (keyval)
    {
      case GDK_KEY_Left:
        col--;
        break;
      case GDK_KEY_Right:
        col++;
        break;
      case GDK_KEY_Up:
        row--;
        break;
      case GDK_KEY_Down:
        row++;
        break;
      default:
        return FALSE;
    }
  if (self->view.selected_row < 0)
    row = col = 0;
  lt_gtk_accuracy_view_select_cell (self, CLAMP (row, 0, n - 1), CLAMP (col, 0, n - 1));
  return TRUE;
}

static gboolean
on_query_tooltip (GtkWidget         *canvas,
                  int                x,
                  int                y,
                  gboolean           keyboard,
                  GtkTooltip        *tooltip,
                  LtGtkAccuracyView *self)
{
  LtRenderAccuracyHit hit;
  g_autofree char    *text = NULL;
  g_autofree char    *truth = NULL;

  if (self->accuracy == NULL || keyboard ||
      !lt_render_accuracy_hit_test (self->accuracy, &self->view, gtk_widget_get_width (canvas),
                                    gtk_widget_get_height (canvas), x, y, &hit))
    return FALSE;
  truth = lt_render_accuracy_dup_class_name (self->accuracy, hit.row);
  if (hit.kind == LT_RENDER_ACCURACY_HIT_BAR)
    /* TRANSLATORS: a tooltip over a class's accuracy bar */
    text = g_strdup_printf (_ ("%s: %.1f %% right"), truth,
                            100 * lt_render_accuracy_get_class_accuracy (self->accuracy, hit.row));
  else if (hit.kind == LT_RENDER_ACCURACY_HIT_CELL)
    {
      g_autofree char *predicted = lt_render_accuracy_dup_class_name (self->accuracy, hit.col);
      /* TRANSLATORS: a tooltip over a cell of the confusion matrix */
      text =
        g_strdup_printf (_ ("%s predicted as %s: %u"), truth, predicted,
                         (guint) lt_render_accuracy_get_count (self->accuracy, hit.row, hit.col));
    }
  else
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The trainer */

static void
on_evaluated (LtTrainer         *trainer,
              guint              epoch,
              double             test_loss,
              double             accuracy,
              LtTensor          *predictions,
              LtTensor          *targets,
              LtGtkAccuracyView *self)
{
  g_autoptr (GError) error = NULL;

  if (predictions && targets &&
      !lt_gtk_accuracy_view_set_predictions (self, predictions, targets, 0, &error))
    _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
}

/* Actions and controls */

static void
export_chosen (GtkWidget *widget, const char *path, gpointer user_data)
{
  if (path != NULL)
    _lt_gtk_accuracy_view_export_to (LT_GTK_ACCURACY_VIEW (widget), path);
}

static void
export_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  _lt_gtk_choose_export_path (widget, _ ("Export the Accuracy"), "confusion.png", export_chosen,
                              NULL);
}

static void
clear_selection_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  lt_gtk_accuracy_view_select_cell (LT_GTK_ACCURACY_VIEW (widget), -1, -1);
}

static const LtGtkAccuracyParts parts_order[] = { LT_GTK_ACCURACY_BOTH, LT_GTK_ACCURACY_BARS,
                                                  LT_GTK_ACCURACY_MATRIX };

static void
on_parts_selected (GtkDropDown *dropdown, GParamSpec *pspec, LtGtkAccuracyView *self)
{
  guint at = gtk_drop_down_get_selected (dropdown);

  if (at < G_N_ELEMENTS (parts_order))
    lt_gtk_accuracy_view_set_parts (self, parts_order[at]);
}

static GtkWidget *
controls_new (LtGtkAccuracyView *self)
{
  GtkWidget  *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  const char *parts[] = { _ ("Bars and Matrix"), _ ("Accuracy per Class"), _ ("Confusion Matrix"),
                          NULL };

  gtk_widget_add_css_class (box, "toolbar");
  self->parts_dropdown = gtk_drop_down_new_from_strings (parts);
  gtk_widget_set_tooltip_text (self->parts_dropdown, _ ("What to show"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->parts_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("What to show"), -1);
  g_signal_connect (self->parts_dropdown, "notify::selected", G_CALLBACK (on_parts_selected), self);
  gtk_box_append (GTK_BOX (box), self->parts_dropdown);
  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("edit-clear-symbolic", "accuracy.clear-selection",
                                           _ ("Clear the Selection")));
  gtk_box_append (GTK_BOX (box),
                  _lt_gtk_icon_button_new ("document-save-as-symbolic", "accuracy.export",
                                           _ ("Export as PNG or SVG")));
  return box;
}

/* GObject */

static void
lt_gtk_accuracy_view_dispose (GObject *object)
{
  LtGtkAccuracyView *self = LT_GTK_ACCURACY_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->trainer)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_clear_object (&self->trainer);
  g_clear_pointer (&self->controls, gtk_widget_unparent);
  g_clear_pointer (&self->canvas, gtk_widget_unparent);
  g_clear_pointer (&self->caption, gtk_widget_unparent);
  g_clear_pointer (&self->images, gtk_widget_unparent);

  G_OBJECT_CLASS (lt_gtk_accuracy_view_parent_class)->dispose (object);
}

static void
lt_gtk_accuracy_view_finalize (GObject *object)
{
  LtGtkAccuracyView *self = LT_GTK_ACCURACY_VIEW (object);

  g_clear_object (&self->dataset);
  g_strfreev (self->classes);
  g_clear_object (&self->confusion);
  g_free (self->predictions);
  g_free (self->targets);
  g_clear_pointer (&self->accuracy, lt_render_accuracy_unref);
  g_array_unref (self->selected);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (lt_gtk_accuracy_view_parent_class)->finalize (object);
}

static void
lt_gtk_accuracy_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtGtkAccuracyView *self = LT_GTK_ACCURACY_VIEW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        g_value_set_object (value, self->trainer);
        break;
      case PROP_DATASET:
        g_value_set_object (value, self->dataset);
        break;
      case PROP_CLASSES:
        g_value_set_boxed (value, self->classes);
        break;
      case PROP_PARTS:
        g_value_set_enum (value, (LtGtkAccuracyParts) self->view.parts);
        break;
      case PROP_SHOW_CONTROLS:
        g_value_set_boolean (value, lt_gtk_accuracy_view_get_show_controls (self));
        break;
      case PROP_LOADING:
        g_value_set_boolean (value, self->loading);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_accuracy_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  LtGtkAccuracyView *self = LT_GTK_ACCURACY_VIEW (object);

  switch (prop_id)
    {
      case PROP_TRAINER:
        lt_gtk_accuracy_view_bind_trainer (self, g_value_get_object (value));
        break;
      case PROP_DATASET:
        lt_gtk_accuracy_view_set_dataset (self, g_value_get_object (value));
        break;
      case PROP_CLASSES:
        lt_gtk_accuracy_view_set_classes (self, g_value_get_boxed (value));
        break;
      case PROP_PARTS:
        lt_gtk_accuracy_view_set_parts (self, g_value_get_enum (value));
        break;
      case PROP_SHOW_CONTROLS:
        lt_gtk_accuracy_view_set_show_controls (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_accuracy_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (lt_gtk_accuracy_view_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (LT_GTK_ACCURACY_VIEW (widget)->canvas);
}

static void
lt_gtk_accuracy_view_class_init (LtGtkAccuracyViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  _lt_gtk_ensure_i18n ();

  object_class->dispose = lt_gtk_accuracy_view_dispose;
  object_class->finalize = lt_gtk_accuracy_view_finalize;
  object_class->get_property = lt_gtk_accuracy_view_get_property;
  object_class->set_property = lt_gtk_accuracy_view_set_property;
  widget_class->css_changed = lt_gtk_accuracy_view_css_changed;

  /**
   * LtGtkAccuracyView:trainer:
   *
   * The trainer whose evaluations the view shows (see
   * lt_gtk_accuracy_view_bind_trainer()).
   */
  props[PROP_TRAINER] =
    g_param_spec_object ("trainer", NULL, NULL, LT_TYPE_TRAINER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkAccuracyView:dataset:
   *
   * The test set the predictions are about, in their order: where the
   * images of a selected cell come from.
   */
  props[PROP_DATASET] =
    g_param_spec_object ("dataset", NULL, NULL, LT_TYPE_DATASET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkAccuracyView:classes:
   *
   * The class names, class i named classes[i]; taken from the trainer's
   * dataset when it has them and none were set.
   */
  props[PROP_CLASSES] =
    g_param_spec_boxed ("classes", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkAccuracyView:parts:
   *
   * What the view shows: the bars, the matrix, or both.
   */
  props[PROP_PARTS] =
    g_param_spec_enum ("parts", NULL, NULL, LT_GTK_TYPE_ACCURACY_PARTS, LT_GTK_ACCURACY_BOTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkAccuracyView:show-controls:
   *
   * Whether the view shows its own bar of controls (parts, selection,
   * export).
   */
  props[PROP_SHOW_CONTROLS] =
    g_param_spec_boolean ("show-controls", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkAccuracyView:loading:
   *
   * Whether the images of the selected cell are being read.
   */
  props[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * LtGtkAccuracyView::error:
   * @self: the view
   * @error: what went wrong
   *
   * Emitted when an evaluation cannot be shown, the images of a cell
   * cannot be read, or an export from the view's own controls fails. A
   * handler that shows the message itself returns %TRUE; otherwise the
   * view shows it in a dialog over its window.
   *
   * Returns: %TRUE when the error was shown
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 1, G_TYPE_ERROR);

  gtk_widget_class_install_action (widget_class, "accuracy.export", NULL, export_cb);
  gtk_widget_class_install_action (widget_class, "accuracy.clear-selection", NULL,
                                   clear_selection_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "accuracy.clear-selection",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "accuracy.export",
                                       NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ltaccuracyview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
lt_gtk_accuracy_view_init (LtGtkAccuracyView *self)
{
  GtkGesture         *gesture;
  GtkEventController *controller;

  self->cancellable = g_cancellable_new ();
  self->selected = g_array_new (FALSE, FALSE, sizeof (gint64));
  lt_render_accuracy_view_init (&self->view);
  gtk_orientable_set_orientation (
    GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);

  self->controls = controls_new (self);
  gtk_widget_set_parent (self->controls, GTK_WIDGET (self));

  self->canvas = _lt_gtk_canvas_new (draw_canvas, self);
  _lt_gtk_canvas_set_natural_size (LT_GTK_CANVAS (self->canvas), 480, 560);
  gtk_widget_set_has_tooltip (self->canvas, TRUE);
  g_signal_connect (self->canvas, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Accuracy per class and confusion matrix"), -1);
  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (self->canvas, GTK_EVENT_CONTROLLER (gesture));
  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (self->canvas, controller);
  gtk_widget_set_parent (self->canvas, GTK_WIDGET (self));

  self->caption = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->caption), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->caption), 0);
  gtk_widget_set_margin_start (self->caption, 6);
  gtk_widget_set_margin_top (self->caption, 6);
  gtk_widget_set_visible (self->caption, FALSE);
  gtk_widget_set_parent (self->caption, GTK_WIDGET (self));

  self->images = g_object_new (LT_GTK_TYPE_IMAGE_VIEW, "show-controls", FALSE, "zoom",
                               LT_GTK_IMAGE_ZOOM_2X, "columns", 16, NULL);
  gtk_widget_set_vexpand (self->images, FALSE);
  gtk_widget_set_size_request (self->images, -1, 200);
  gtk_widget_set_visible (self->images, FALSE);
  gtk_widget_set_parent (self->images, GTK_WIDGET (self));
}

/**
 * lt_gtk_accuracy_view_new:
 *
 * Creates an accuracy view with nothing to show yet.
 *
 * Returns: (transfer floating): a new #LtGtkAccuracyView
 */
GtkWidget *
lt_gtk_accuracy_view_new (void)
{
  return g_object_new (LT_GTK_TYPE_ACCURACY_VIEW, NULL);
}

/**
 * lt_gtk_accuracy_view_bind_trainer:
 * @self: an accuracy view
 * @trainer: (nullable): the trainer whose evaluations to show, or %NULL
 *
 * Shows every #LtTrainer::evaluated of @trainer: the test set's
 * predictions after each epoch. The view's dataset becomes the trainer's
 * test set, and its class names the dataset's when none were set. The
 * view keeps a reference to the trainer.
 */
void
lt_gtk_accuracy_view_bind_trainer (LtGtkAccuracyView *self, LtTrainer *trainer)
{
  g_return_if_fail (LT_GTK_IS_ACCURACY_VIEW (self));
  g_return_if_fail (trainer == NULL || LT_IS_TRAINER (trainer));

  if (self->trainer == trainer)
    return;
  if (self->trainer)
    g_signal_handlers_disconnect_by_data (self->trainer, self);
  g_set_object (&self->trainer, trainer);
  if (trainer)
    {
      LtDataLoader *test = lt_trainer_get_test_loader (trainer);

      g_signal_connect (trainer, "evaluated", G_CALLBACK (on_evaluated), self);
      if (test)
        lt_gtk_accuracy_view_set_dataset (self, lt_data_loader_get_dataset (test));
      if (self->classes == NULL && test)
        lt_gtk_accuracy_view_set_classes (
          self, _lt_gtk_dataset_get_classes (lt_data_loader_get_dataset (test)));
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRAINER]);
}

/**
 * lt_gtk_accuracy_view_get_trainer:
 * @self: an accuracy view
 *
 * Gets the trainer whose evaluations the view shows.
 *
 * Returns: (transfer none) (nullable): the trainer
 */
LtTrainer *
lt_gtk_accuracy_view_get_trainer (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), NULL);
  return self->trainer;
}

/**
 * lt_gtk_accuracy_view_set_predictions:
 * @self: an accuracy view
 * @predictions: the predicted classes of the test samples, int64 (N)
 * @targets: their true classes, int64 (N)
 * @n_classes: the number of classes; 0 for the number of class names, or
 *   else one more than the largest class seen
 * @error: return location for a #GError
 *
 * Shows the accuracy and the confusion matrix of @predictions against
 * @targets. Sample i is item i of the view's dataset (for the images of
 * a selected cell). A selected cell stays selected, its images read
 * again.
 *
 * Returns: %TRUE when shown; %FALSE with an %LT_ERROR error when the
 *   tensors are not vectors of one length or hold a class outside
 *   [0, @n_classes) (the view keeps what it showed)
 */
gboolean
lt_gtk_accuracy_view_set_predictions (LtGtkAccuracyView *self,
                                      LtTensor          *predictions,
                                      LtTensor          *targets,
                                      guint              n_classes,
                                      GError           **error)
{
  g_autofree gint64 *p = NULL;
  g_autofree gint64 *t = NULL;
  gsize              n_p = 0, n_t = 0;
  LtRenderAccuracy  *accuracy;
  g_autofree gint64 *old_p = NULL;
  g_autofree gint64 *old_t = NULL;
  gsize              old_n;
  guint              old_k;

  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (predictions), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (targets), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (lt_tensor_get_n_dims (predictions) != 1 || lt_tensor_get_n_dims (targets) != 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "accuracy view: predictions and targets must be vectors (N,), got %u and %u "
                   "dimensions",
                   lt_tensor_get_n_dims (predictions), lt_tensor_get_n_dims (targets));
      return FALSE;
    }
  if ((p = lt_tensor_to_int64s (predictions, &n_p, error)) == NULL ||
      (t = lt_tensor_to_int64s (targets, &n_t, error)) == NULL)
    return FALSE;
  if (n_p != n_t)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "accuracy view: %" G_GSIZE_FORMAT " predictions for %" G_GSIZE_FORMAT " targets",
                   n_p, n_t);
      return FALSE;
    }
  if (n_classes == 0 && self->classes)
    n_classes = g_strv_length (self->classes);
  if (n_classes == 0)
    {
      gint64 top = 0;
      for (gsize i = 0; i < n_p; i++)
        top = MAX (top, MAX (p[i], t[i]));
      n_classes = (guint) MIN (top + 1, 10000);
    }

  /* swap in, try, and swap back on failure */
  old_p = g_steal_pointer (&self->predictions);
  old_t = g_steal_pointer (&self->targets);
  old_n = self->n_samples;
  old_k = self->n_classes;
  self->predictions = g_steal_pointer (&p);
  self->targets = g_steal_pointer (&t);
  self->n_samples = n_p;
  self->n_classes = n_classes;
  g_clear_object (&self->confusion);
  accuracy = make_accuracy (self, error);
  if (accuracy == NULL)
    {
      g_free (self->predictions);
      g_free (self->targets);
      self->predictions = g_steal_pointer (&old_p);
      self->targets = g_steal_pointer (&old_t);
      self->n_samples = old_n;
      self->n_classes = old_k;
      return FALSE;
    }
  set_accuracy (self, accuracy);
  if (self->view.selected_row >= (gint) n_classes || self->view.selected_col >= (gint) n_classes)
    self->view.selected_row = self->view.selected_col = -1;
  update_selection (self);
  return TRUE;
}

/**
 * lt_gtk_accuracy_view_set_confusion:
 * @self: an accuracy view
 * @confusion: a confusion matrix (K, K) of counts (any integer type):
 *   row i counts the samples of class i by predicted class, as
 *   #LtTrainer::epoch-finished gives it
 * @error: return location for a #GError
 *
 * Shows the accuracy and the confusion matrix of counts alone (a
 * selected cell then shows no images: there are no predictions per
 * sample).
 *
 * Returns: %TRUE when shown; %FALSE with an %LT_ERROR error when the
 *   matrix is not square, not of integers, or holds a negative count
 */
gboolean
lt_gtk_accuracy_view_set_confusion (LtGtkAccuracyView *self, LtTensor *confusion, GError **error)
{
  g_autoptr (LtTensor) old = NULL;
  LtRenderAccuracy *accuracy;

  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (confusion), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  old = g_steal_pointer (&self->confusion);
  self->confusion = g_object_ref (confusion);
  accuracy = make_accuracy (self, error);
  if (accuracy == NULL)
    {
      g_clear_object (&self->confusion);
      self->confusion = g_steal_pointer (&old);
      return FALSE;
    }
  g_clear_pointer (&self->predictions, g_free);
  g_clear_pointer (&self->targets, g_free);
  self->n_samples = 0;
  self->n_classes = lt_render_accuracy_get_n_classes (accuracy);
  set_accuracy (self, accuracy);
  if (self->view.selected_row >= (gint) self->n_classes ||
      self->view.selected_col >= (gint) self->n_classes)
    self->view.selected_row = self->view.selected_col = -1;
  update_selection (self);
  return TRUE;
}

/**
 * lt_gtk_accuracy_view_get_dataset:
 * @self: an accuracy view
 *
 * Gets the test set the images of a selected cell come from.
 *
 * Returns: (transfer none) (nullable): the dataset
 */
LtDataset *
lt_gtk_accuracy_view_get_dataset (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), NULL);
  return self->dataset;
}

/**
 * lt_gtk_accuracy_view_set_dataset:
 * @self: an accuracy view
 * @dataset: (nullable): the test set the predictions are about, in their
 *   order
 *
 * Sets where the images of a selected cell come from.
 */
void
lt_gtk_accuracy_view_set_dataset (LtGtkAccuracyView *self, LtDataset *dataset)
{
  g_return_if_fail (LT_GTK_IS_ACCURACY_VIEW (self));
  g_return_if_fail (dataset == NULL || LT_IS_DATASET (dataset));

  if (!g_set_object (&self->dataset, dataset))
    return;
  update_selection (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DATASET]);
}

/**
 * lt_gtk_accuracy_view_get_classes:
 * @self: an accuracy view
 *
 * Gets the class names.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   names, or %NULL
 */
const char *const *
lt_gtk_accuracy_view_get_classes (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), NULL);
  return (const char *const *) self->classes;
}

/**
 * lt_gtk_accuracy_view_set_classes:
 * @self: an accuracy view
 * @classes: (nullable) (array zero-terminated=1): the class names, class
 *   i named classes[i]
 *
 * Names the classes on the axes (a class without a name shows its
 * number).
 */
void
lt_gtk_accuracy_view_set_classes (LtGtkAccuracyView *self, const char *const *classes)
{
  g_return_if_fail (LT_GTK_IS_ACCURACY_VIEW (self));

  g_strfreev (self->classes);
  self->classes = g_strdupv ((char **) classes);
  if (self->accuracy)
    {
      LtRenderAccuracy *accuracy = make_accuracy (self, NULL);
      if (accuracy)
        set_accuracy (self, accuracy);
      update_selection (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CLASSES]);
}

/**
 * lt_gtk_accuracy_view_get_n_classes:
 * @self: an accuracy view
 *
 * Gets the number of classes shown.
 *
 * Returns: the number of classes, 0 before anything is shown
 */
guint
lt_gtk_accuracy_view_get_n_classes (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), 0);
  return self->accuracy ? lt_render_accuracy_get_n_classes (self->accuracy) : 0;
}

/**
 * lt_gtk_accuracy_view_get_count:
 * @self: an accuracy view
 * @true_class: a row of the confusion matrix
 * @predicted_class: a column
 *
 * Reads a cell of the confusion matrix.
 *
 * Returns: the number of test samples of @true_class predicted as
 *   @predicted_class; 0 out of range or before anything is shown
 */
gint64
lt_gtk_accuracy_view_get_count (LtGtkAccuracyView *self, guint true_class, guint predicted_class)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), 0);
  if (self->accuracy == NULL || true_class >= lt_render_accuracy_get_n_classes (self->accuracy) ||
      predicted_class >= lt_render_accuracy_get_n_classes (self->accuracy))
    return 0;
  return lt_render_accuracy_get_count (self->accuracy, true_class, predicted_class);
}

/**
 * lt_gtk_accuracy_view_get_accuracy:
 * @self: an accuracy view
 *
 * Gets the share of the test samples classified right.
 *
 * Returns: the accuracy from 0 to 1; NaN before anything is shown
 */
double
lt_gtk_accuracy_view_get_accuracy (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), NAN);
  return self->accuracy ? lt_render_accuracy_get_accuracy (self->accuracy) : NAN;
}

/**
 * lt_gtk_accuracy_view_get_class_accuracy:
 * @self: an accuracy view
 * @klass: a class
 *
 * Gets the share of a class's test samples classified right.
 *
 * Returns: the accuracy from 0 to 1; NaN for a class without samples or
 *   out of range
 */
double
lt_gtk_accuracy_view_get_class_accuracy (LtGtkAccuracyView *self, guint klass)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), NAN);
  if (self->accuracy == NULL || klass >= lt_render_accuracy_get_n_classes (self->accuracy))
    return NAN;
  return lt_render_accuracy_get_class_accuracy (self->accuracy, klass);
}

/**
 * lt_gtk_accuracy_view_select_cell:
 * @self: an accuracy view
 * @true_class: a row of the confusion matrix, or -1 for no selection
 * @predicted_class: a column, or -1 for no selection
 *
 * Selects a cell of the confusion matrix and shows the test images of
 * @true_class predicted as @predicted_class under it (read from the
 * view's dataset in a worker thread; see #LtGtkAccuracyView:loading).
 */
void
lt_gtk_accuracy_view_select_cell (LtGtkAccuracyView *self, gint true_class, gint predicted_class)
{
  g_return_if_fail (LT_GTK_IS_ACCURACY_VIEW (self));

  if (true_class < 0 || predicted_class < 0 ||
      (guint) true_class >= lt_gtk_accuracy_view_get_n_classes (self) ||
      (guint) predicted_class >= lt_gtk_accuracy_view_get_n_classes (self))
    true_class = predicted_class = -1;
  if (self->view.selected_row == true_class && self->view.selected_col == predicted_class)
    return;
  self->view.selected_row = true_class;
  self->view.selected_col = predicted_class;
  gtk_widget_queue_draw (self->canvas);
  update_selection (self);
}

/**
 * lt_gtk_accuracy_view_get_selected_cell:
 * @self: an accuracy view
 * @true_class: (out) (optional): the selected row, or -1
 * @predicted_class: (out) (optional): the selected column, or -1
 *
 * Gets the selected cell of the confusion matrix.
 *
 * Returns: %TRUE when a cell is selected
 */
gboolean
lt_gtk_accuracy_view_get_selected_cell (LtGtkAccuracyView *self,
                                        gint              *true_class,
                                        gint              *predicted_class)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), FALSE);
  if (true_class)
    *true_class = self->view.selected_row;
  if (predicted_class)
    *predicted_class = self->view.selected_col;
  return self->view.selected_row >= 0;
}

/**
 * lt_gtk_accuracy_view_dup_selected_indices:
 * @self: an accuracy view
 * @n_indices: (out): the number of indices
 *
 * Lists the test samples of the selected cell: the positions i where the
 * targets hold the cell's row and the predictions its column, in order
 * (all of them; the view shows the first
 * %LT_GTK_ACCURACY_VIEW_MAX_IMAGES).
 *
 * Returns: (transfer full) (array length=n_indices): the indices; empty
 *   without a selection or predictions
 */
gint64 *
lt_gtk_accuracy_view_dup_selected_indices (LtGtkAccuracyView *self, gsize *n_indices)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), NULL);
  g_return_val_if_fail (n_indices != NULL, NULL);

  *n_indices = self->selected->len;
  return g_memdup2 (self->selected->data, MAX (self->selected->len, 1) * sizeof (gint64));
}

/**
 * lt_gtk_accuracy_view_get_n_shown_images:
 * @self: an accuracy view
 *
 * Counts the images shown under the matrix for the selected cell.
 *
 * Returns: the number of images (0 while they load)
 */
guint
lt_gtk_accuracy_view_get_n_shown_images (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), 0);
  if (!gtk_widget_get_visible (self->images) || self->loading)
    return 0;
  return lt_gtk_image_view_get_n_images (LT_GTK_IMAGE_VIEW (self->images));
}

/**
 * lt_gtk_accuracy_view_get_parts:
 * @self: an accuracy view
 *
 * Gets what the view shows.
 *
 * Returns: the bars, the matrix or both
 */
LtGtkAccuracyParts
lt_gtk_accuracy_view_get_parts (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), LT_GTK_ACCURACY_BOTH);
  return (LtGtkAccuracyParts) self->view.parts;
}

/**
 * lt_gtk_accuracy_view_set_parts:
 * @self: an accuracy view
 * @parts: the bars, the matrix or both
 *
 * Sets what the view shows.
 */
void
lt_gtk_accuracy_view_set_parts (LtGtkAccuracyView *self, LtGtkAccuracyParts parts)
{
  int width = 0, height = 0;

  g_return_if_fail (LT_GTK_IS_ACCURACY_VIEW (self));
  g_return_if_fail (parts == LT_GTK_ACCURACY_BARS || parts == LT_GTK_ACCURACY_MATRIX ||
                    parts == LT_GTK_ACCURACY_BOTH);

  if ((LtGtkAccuracyParts) self->view.parts == parts)
    return;
  self->view.parts = (LtRenderAccuracyParts) parts;
  for (guint i = 0; i < G_N_ELEMENTS (parts_order); i++)
    if (parts_order[i] == parts)
      gtk_drop_down_set_selected (GTK_DROP_DOWN (self->parts_dropdown), i);
  if (self->accuracy)
    lt_render_accuracy_get_natural_size (self->accuracy, &self->view, &width, &height);
  _lt_gtk_canvas_set_natural_size (LT_GTK_CANVAS (self->canvas), width, height);
  gtk_widget_queue_draw (self->canvas);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PARTS]);
}

/**
 * lt_gtk_accuracy_view_get_show_controls:
 * @self: an accuracy view
 *
 * Gets whether the view shows its bar of controls.
 *
 * Returns: %TRUE when it does
 */
gboolean
lt_gtk_accuracy_view_get_show_controls (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), FALSE);
  return gtk_widget_get_visible (self->controls);
}

/**
 * lt_gtk_accuracy_view_set_show_controls:
 * @self: an accuracy view
 * @show_controls: whether to show the bar of controls
 *
 * Shows or hides the view's own controls.
 */
void
lt_gtk_accuracy_view_set_show_controls (LtGtkAccuracyView *self, gboolean show_controls)
{
  g_return_if_fail (LT_GTK_IS_ACCURACY_VIEW (self));

  if (gtk_widget_get_visible (self->controls) == !!show_controls)
    return;
  gtk_widget_set_visible (self->controls, show_controls);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SHOW_CONTROLS]);
}

/**
 * lt_gtk_accuracy_view_get_loading:
 * @self: an accuracy view
 *
 * Gets whether the images of the selected cell are being read.
 *
 * Returns: %TRUE while a worker reads them
 */
gboolean
lt_gtk_accuracy_view_get_loading (LtGtkAccuracyView *self)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), FALSE);
  return self->loading;
}

/**
 * lt_gtk_accuracy_view_export:
 * @self: an accuracy view
 * @path: (type filename): the file to write: `.png` or `.svg`
 * @error: return location for a #GError
 *
 * Writes the bars and the matrix (as #LtGtkAccuracyView:parts says, with
 * the selection) at their natural size into a PNG or SVG file, chosen by
 * @path's extension. The file is written beside @path and renamed into
 * place.
 *
 * Returns: %TRUE on success; %FALSE with an %LT_ERROR_INVALID_ARGUMENT
 *   error when there is nothing to export or for another extension, or
 *   an %LT_ERROR_IO error naming the path and the reason
 */
gboolean
lt_gtk_accuracy_view_export (LtGtkAccuracyView *self, const char *path, GError **error)
{
  g_return_val_if_fail (LT_GTK_IS_ACCURACY_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->accuracy == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "accuracy view: no evaluation to export to %s yet", path);
      return FALSE;
    }
  return lt_render_accuracy_write (self->accuracy, &self->view, path, error);
}

/* Private */

void
_lt_gtk_accuracy_view_export_to (LtGtkAccuracyView *self, const char *path)
{
  g_autoptr (GError) error = NULL;

  if (!lt_gtk_accuracy_view_export (self, path, &error))
    _lt_gtk_report_error (GTK_WIDGET (self), signals[SIGNAL_ERROR], error);
}

GtkWidget *
_lt_gtk_accuracy_view_get_canvas (LtGtkAccuracyView *self)
{
  return self->canvas;
}

LtRenderAccuracy *
_lt_gtk_accuracy_view_get_accuracy (LtGtkAccuracyView *self)
{
  return self->accuracy;
}

const LtRenderAccuracyView *
_lt_gtk_accuracy_view_get_view (LtGtkAccuracyView *self)
{
  return &self->view;
}

GtkWidget *
_lt_gtk_accuracy_view_get_image_view (LtGtkAccuracyView *self)
{
  return self->images;
}

const char *
_lt_gtk_accuracy_view_get_caption (LtGtkAccuracyView *self)
{
  return gtk_widget_get_visible (self->caption) ? gtk_label_get_text (GTK_LABEL (self->caption))
                                                : NULL;
}
