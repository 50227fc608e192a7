/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "lt-gtk-private.h"
#include "lt-gtk-run-registry.h"

/**
 * LtGtkRun:
 *
 * One training run as the views show it: a name, a fixed colour, and the
 * points of its curves (#LtGtkSeries), appended live while a trainer runs.
 *
 * Runs belong to an #LtGtkRunRegistry, which numbers them from 0 in the
 * order they were added. The number decides the colour, from the
 * registry's palette (by default Okabe and Ito's colour-blind-safe one;
 * see lt_gtk_run_registry_set_palette()), so the same run has the same
 * colour in the loss plot, in a legend, and in every other view over the
 * same registry.
 *
 * A run made by lt_gtk_run_registry_add_trainer() records its trainer's
 * signals itself; one made by lt_gtk_run_registry_add_run() receives its
 * points through lt_gtk_run_append() (a previous run read back from a
 * file, for instance).
 */

/**
 * LtGtkRunRegistry:
 *
 * The runs a set of views shows, with their points: a #GListModel of
 * #LtGtkRun.
 *
 * Views share the registry given to them (by default the one of
 * lt_gtk_run_registry_get_default()), so that a trainer bound to several
 * views is one run with one colour everywhere, and a new run is overlaid on
 * the previous ones. The registry lives on the main thread: trainers
 * deliver their signals there.
 *
 * Its palette (#LtGtkRunRegistry:palette) gives the runs their colours:
 * run k takes colour k modulo the palette's length.
 */

typedef struct
{
  double step;
  double value;
} Point;

struct _LtGtkRun
{
  GObject parent_instance;

  /* Borrowed: the registry owns the run */
  LtGtkRunRegistry *registry;

  /* Owned */
  char    *name;
  GArray  *points[LT_GTK_N_SERIES]; /* of Point, in step order */
  GWeakRef trainer;
  guint64  steps_per_epoch;

  guint   index;
  GdkRGBA color;
};

struct _LtGtkRunRegistry
{
  GObject parent_instance;

  /* Owned */
  GPtrArray *runs;    /* of LtGtkRun */
  GArray    *palette; /* of GdkRGBA; NULL: the default palette */

  guint64 serial;
};

enum
{
  RUN_PROP_0,
  RUN_PROP_INDEX,
  RUN_PROP_NAME,
  RUN_PROP_COLOR,
  RUN_PROP_TRAINER,
  RUN_N_PROPS
};

static GParamSpec *run_props[RUN_N_PROPS];

enum
{
  REG_PROP_0,
  REG_PROP_N_RUNS,
  REG_PROP_N_POINTS,
  REG_PROP_PALETTE,
  REG_N_PROPS
};

static GParamSpec *reg_props[REG_N_PROPS];

enum
{
  SIGNAL_RUN_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LtGtkRun, lt_gtk_run, G_TYPE_OBJECT)

static void run_changed (LtGtkRun *self);

static void
lt_gtk_run_finalize (GObject *object)
{
  LtGtkRun *self = LT_GTK_RUN (object);

  g_free (self->name);
  for (guint s = 0; s < LT_GTK_N_SERIES; s++)
    g_array_unref (self->points[s]);
  g_weak_ref_clear (&self->trainer);

  G_OBJECT_CLASS (lt_gtk_run_parent_class)->finalize (object);
}

static void
lt_gtk_run_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtGtkRun *self = LT_GTK_RUN (object);

  switch (prop_id)
    {
      case RUN_PROP_INDEX:
        g_value_set_uint (value, self->index);
        break;
      case RUN_PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case RUN_PROP_COLOR:
        {
          GdkRGBA color;
          lt_gtk_run_get_color (self, &color);
          g_value_set_boxed (value, &color);
        }
        break;
      case RUN_PROP_TRAINER:
        g_value_take_object (value, g_weak_ref_get (&self->trainer));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_run_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LtGtkRun *self = LT_GTK_RUN (object);

  switch (prop_id)
    {
      case RUN_PROP_NAME:
        lt_gtk_run_set_name (self, g_value_get_string (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_run_class_init (LtGtkRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lt_gtk_run_finalize;
  object_class->get_property = lt_gtk_run_get_property;
  object_class->set_property = lt_gtk_run_set_property;

  /**
   * LtGtkRun:index:
   *
   * The run's number in its registry, from 0; it picks the run's colour
   * from the registry's palette.
   */
  run_props[RUN_PROP_INDEX] = g_param_spec_uint ("index", NULL, NULL, 0, G_MAXUINT, 0,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkRun:name:
   *
   * The run's name, shown in legends and in the hover readout.
   */
  run_props[RUN_PROP_NAME] = g_param_spec_string (
    "name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkRun:color:
   *
   * The run's colour (a #GdkRGBA), the same in every view; it changes
   * with the registry's palette.
   */
  run_props[RUN_PROP_COLOR] =
    g_param_spec_boxed ("color", NULL, NULL, GDK_TYPE_RGBA,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkRun:trainer:
   *
   * The trainer whose signals the run records, while it exists; %NULL for
   * a run filled by lt_gtk_run_append().
   */
  run_props[RUN_PROP_TRAINER] = g_param_spec_object ("trainer", NULL, NULL, LT_TYPE_TRAINER,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, RUN_N_PROPS, run_props);
}

static void
lt_gtk_run_init (LtGtkRun *self)
{
  for (guint s = 0; s < LT_GTK_N_SERIES; s++)
    self->points[s] = g_array_new (FALSE, FALSE, sizeof (Point));
  g_weak_ref_init (&self->trainer, NULL);
}

/**
 * lt_gtk_run_get_index:
 * @self: a run
 *
 * Gets the run's number in its registry.
 *
 * Returns: the index, from 0
 */
guint
lt_gtk_run_get_index (LtGtkRun *self)
{
  g_return_val_if_fail (LT_GTK_IS_RUN (self), 0);
  return self->index;
}

/**
 * lt_gtk_run_get_name:
 * @self: a run
 *
 * Gets the run's name.
 *
 * Returns: (transfer none): the name
 */
const char *
lt_gtk_run_get_name (LtGtkRun *self)
{
  g_return_val_if_fail (LT_GTK_IS_RUN (self), NULL);
  return self->name;
}

/**
 * lt_gtk_run_set_name:
 * @self: a run
 * @name: the new name
 *
 * Renames the run; the views redraw with the new name.
 */
void
lt_gtk_run_set_name (LtGtkRun *self, const char *name)
{
  g_return_if_fail (LT_GTK_IS_RUN (self));
  g_return_if_fail (name != NULL);

  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), run_props[RUN_PROP_NAME]);
      run_changed (self);
    }
}

/**
 * lt_gtk_run_get_color:
 * @self: a run
 * @color: (out caller-allocates): the colour
 *
 * Gets the colour every view draws the run in: the entry of its index in
 * the registry's palette (lt_gtk_run_registry_set_palette()), by default
 * Okabe and Ito's colour-blind-safe palette of eight colours (blue,
 * orange, bluish green, vermillion, reddish purple, sky blue, yellow,
 * grey).
 */
void
lt_gtk_run_get_color (LtGtkRun *self, GdkRGBA *color)
{
  g_return_if_fail (LT_GTK_IS_RUN (self));
  g_return_if_fail (color != NULL);
  *color = self->color;
}

/**
 * lt_gtk_run_dup_trainer:
 * @self: a run
 *
 * Gets the trainer the run records, if it still exists.
 *
 * Returns: (transfer full) (nullable): the trainer
 */
LtTrainer *
lt_gtk_run_dup_trainer (LtGtkRun *self)
{
  g_return_val_if_fail (LT_GTK_IS_RUN (self), NULL);
  return g_weak_ref_get (&self->trainer);
}

/**
 * lt_gtk_run_get_steps_per_epoch:
 * @self: a run
 *
 * Gets the number of steps (mini-batches) of an epoch of the run's
 * trainer: the length of its training loader when the run was bound. The
 * points of a trainer's run are placed at step
 * (epoch - 1) × steps per epoch + iteration.
 *
 * Returns: the steps per epoch, 0 for a run without a trainer
 */
guint64
lt_gtk_run_get_steps_per_epoch (LtGtkRun *self)
{
  g_return_val_if_fail (LT_GTK_IS_RUN (self), 0);
  return self->steps_per_epoch;
}

static void
run_changed (LtGtkRun *self)
{
  if (self->registry == NULL)
    return;
  self->registry->serial++;
  g_signal_emit (self->registry, signals[SIGNAL_RUN_CHANGED], 0, self);
  g_object_notify_by_pspec (G_OBJECT (self->registry), reg_props[REG_PROP_N_POINTS]);
}

/**
 * lt_gtk_run_append:
 * @self: a run
 * @series: the series the point belongs to
 * @step: its step (the x coordinate)
 * @value: its value: a loss, or an accuracy as a fraction from 0 to 1
 *
 * Adds a point to one of the run's series and lets the views know. Points
 * are kept in step order: one with a smaller step than the last is placed
 * where it belongs.
 */
void
lt_gtk_run_append (LtGtkRun *self, LtGtkSeries series, double step, double value)
{
  GArray *points;
  Point   p = { step, value };
  guint   at;

  g_return_if_fail (LT_GTK_IS_RUN (self));
  g_return_if_fail ((guint) series < LT_GTK_N_SERIES);

  points = self->points[series];
  at = points->len;
  while (at > 0 && g_array_index (points, Point, at - 1).step > step)
    at--;
  g_array_insert_val (points, at, p);
  run_changed (self);
}

/**
 * lt_gtk_run_get_n_points:
 * @self: a run
 * @series: a series
 *
 * Counts the points of one of the run's series.
 *
 * Returns: the number of points
 */
guint
lt_gtk_run_get_n_points (LtGtkRun *self, LtGtkSeries series)
{
  g_return_val_if_fail (LT_GTK_IS_RUN (self), 0);
  g_return_val_if_fail ((guint) series < LT_GTK_N_SERIES, 0);
  return self->points[series]->len;
}

/**
 * lt_gtk_run_get_point:
 * @self: a run
 * @series: a series
 * @index: the point's position in the series, from 0
 * @step: (out) (optional): its step
 * @value: (out) (optional): its value
 *
 * Reads a point of one of the run's series.
 *
 * Returns: %TRUE, or %FALSE when @index is past the last point
 */
gboolean
lt_gtk_run_get_point (LtGtkRun *self, LtGtkSeries series, guint index, double *step, double *value)
{
  const Point *p;

  g_return_val_if_fail (LT_GTK_IS_RUN (self), FALSE);
  g_return_val_if_fail ((guint) series < LT_GTK_N_SERIES, FALSE);

  if (index >= self->points[series]->len)
    return FALSE;
  p = &g_array_index (self->points[series], Point, index);
  if (step)
    *step = p->step;
  if (value)
    *value = p->value;
  return TRUE;
}

/**
 * lt_gtk_run_clear:
 * @self: a run
 *
 * Removes every point of the run (its name, colour and trainer stay).
 */
void
lt_gtk_run_clear (LtGtkRun *self)
{
  g_return_if_fail (LT_GTK_IS_RUN (self));
  for (guint s = 0; s < LT_GTK_N_SERIES; s++)
    g_array_set_size (self->points[s], 0);
  run_changed (self);
}

/* The trainer's signals */

static void
on_trainer_log (LtTrainer *trainer,
                guint      epoch,
                gint64     iteration,
                double     running_loss,
                LtGtkRun  *self)
{
  double step = (double) (epoch - 1) * (double) self->steps_per_epoch + (double) iteration;
  lt_gtk_run_append (self, LT_GTK_SERIES_TRAIN_LOSS, step, running_loss);
}

static void
on_trainer_epoch_finished (LtTrainer *trainer,
                           guint      epoch,
                           double     train_loss,
                           double     accuracy,
                           LtTensor  *class_accuracy,
                           LtTensor  *confusion,
                           LtGtkRun  *self)
{
  if (isfinite (accuracy))
    lt_gtk_run_append (self, LT_GTK_SERIES_TEST_ACCURACY,
                       (double) epoch * (double) self->steps_per_epoch, accuracy);
}

static void
on_trainer_evaluated (LtTrainer *trainer,
                      guint      epoch,
                      double     test_loss,
                      double     accuracy,
                      LtTensor  *predictions,
                      LtTensor  *targets,
                      LtGtkRun  *self)
{
  if (isfinite (test_loss))
    lt_gtk_run_append (self, LT_GTK_SERIES_TEST_LOSS,
                       (double) epoch * (double) self->steps_per_epoch, test_loss);
}

static void
run_bind_trainer (LtGtkRun *self, LtTrainer *trainer)
{
  LtDataLoader *loader = lt_trainer_get_train_loader (trainer);
  gint64        length = loader ? lt_data_loader_get_length (loader) : 0;

  self->steps_per_epoch = length > 0 ? (guint64) length : 0;
  g_weak_ref_set (&self->trainer, trainer);
  g_signal_connect_object (trainer, "log", G_CALLBACK (on_trainer_log), self, 0);
  g_signal_connect_object (trainer, "epoch-finished", G_CALLBACK (on_trainer_epoch_finished), self,
                           0);
  g_signal_connect_object (trainer, "evaluated", G_CALLBACK (on_trainer_evaluated), self, 0);
}

/* The registry */

static GType
lt_gtk_run_registry_get_item_type (GListModel *model)
{
  return LT_GTK_TYPE_RUN;
}

static guint
lt_gtk_run_registry_get_n_items (GListModel *model)
{
  return LT_GTK_RUN_REGISTRY (model)->runs->len;
}

static gpointer
lt_gtk_run_registry_get_item (GListModel *model, guint position)
{
  LtGtkRunRegistry *self = LT_GTK_RUN_REGISTRY (model);

  if (position >= self->runs->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->runs, position));
}

static void
lt_gtk_run_registry_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lt_gtk_run_registry_get_item_type;
  iface->get_n_items = lt_gtk_run_registry_get_n_items;
  iface->get_item = lt_gtk_run_registry_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (LtGtkRunRegistry,
                               lt_gtk_run_registry,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lt_gtk_run_registry_list_model_init))

static void
lt_gtk_run_registry_dispose (GObject *object)
{
  LtGtkRunRegistry *self = LT_GTK_RUN_REGISTRY (object);

  for (guint i = 0; i < self->runs->len; i++)
    LT_GTK_RUN (g_ptr_array_index (self->runs, i))->registry = NULL;
  g_ptr_array_set_size (self->runs, 0);
  g_clear_pointer (&self->palette, g_array_unref);

  G_OBJECT_CLASS (lt_gtk_run_registry_parent_class)->dispose (object);
}

static void
lt_gtk_run_registry_finalize (GObject *object)
{
  LtGtkRunRegistry *self = LT_GTK_RUN_REGISTRY (object);

  g_ptr_array_unref (self->runs);

  G_OBJECT_CLASS (lt_gtk_run_registry_parent_class)->finalize (object);
}

static void
lt_gtk_run_registry_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtGtkRunRegistry *self = LT_GTK_RUN_REGISTRY (object);

  switch (prop_id)
    {
      case REG_PROP_N_RUNS:
        g_value_set_uint (value, self->runs->len);
        break;
      case REG_PROP_N_POINTS:
        g_value_set_uint (value, lt_gtk_run_registry_get_n_points (self));
        break;
      case REG_PROP_PALETTE:
        g_value_take_boxed (value, lt_gtk_run_registry_dup_palette (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_run_registry_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  LtGtkRunRegistry *self = LT_GTK_RUN_REGISTRY (object);

  switch (prop_id)
    {
      case REG_PROP_PALETTE:
        {
          g_autoptr (GError) error = NULL;

          /* A property cannot fail: a refused palette is a warning */
          if (!lt_gtk_run_registry_set_palette (self, g_value_get_boxed (value), &error))
            g_warning ("%s", error->message);
        }
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_gtk_run_registry_class_init (LtGtkRunRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lt_gtk_run_registry_dispose;
  object_class->finalize = lt_gtk_run_registry_finalize;
  object_class->get_property = lt_gtk_run_registry_get_property;
  object_class->set_property = lt_gtk_run_registry_set_property;

  /**
   * LtGtkRunRegistry:n-runs:
   *
   * The number of runs.
   */
  reg_props[REG_PROP_N_RUNS] = g_param_spec_uint ("n-runs", NULL, NULL, 0, G_MAXUINT, 0,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkRunRegistry:n-points:
   *
   * The number of points of every series of every run.
   */
  reg_props[REG_PROP_N_POINTS] = g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGtkRunRegistry:palette:
   *
   * The run colours, each written `#rrggbb`, in the order runs take them
   * (see lt_gtk_run_registry_set_palette()). Reading it gives the palette
   * in use, the default one included; setting it to %NULL or an empty
   * list restores the default. A list with a string that is not such a
   * colour is refused with a warning: call
   * lt_gtk_run_registry_set_palette() to get the reason as an error.
   */
  reg_props[REG_PROP_PALETTE] =
    g_param_spec_boxed ("palette", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, REG_N_PROPS, reg_props);

  /**
   * LtGtkRunRegistry::run-changed:
   * @self: the registry
   * @run: the run whose points or name changed
   *
   * Emitted when a run gains points, loses them, is renamed, or takes
   * another colour.
   */
  signals[SIGNAL_RUN_CHANGED] =
    g_signal_new ("run-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LT_GTK_TYPE_RUN);
}

static void
lt_gtk_run_registry_init (LtGtkRunRegistry *self)
{
  self->runs = g_ptr_array_new_with_free_func (g_object_unref);
}

/* The colour of run @index: its entry in the palette */
static void
registry_color (LtGtkRunRegistry *self, guint index, GdkRGBA *color)
{
  if (self->palette != NULL && self->palette->len > 0)
    *color = g_array_index (self->palette, GdkRGBA, index % self->palette->len);
  else
    _lt_gtk_run_color (index, color);
}

/**
 * lt_gtk_run_registry_new:
 *
 * Creates an empty registry, for views that should not share their runs
 * with the others of the process.
 *
 * Returns: (transfer full): a new registry
 */
LtGtkRunRegistry *
lt_gtk_run_registry_new (void)
{
  return g_object_new (LT_GTK_TYPE_RUN_REGISTRY, NULL);
}

/**
 * lt_gtk_run_registry_get_default:
 *
 * Gets the registry views use unless they are given another: one per
 * process, for the main thread.
 *
 * Returns: (transfer none): the default registry
 */
LtGtkRunRegistry *
lt_gtk_run_registry_get_default (void)
{
  static LtGtkRunRegistry *registry;

  if (registry == NULL)
    registry = lt_gtk_run_registry_new ();
  return registry;
}

/**
 * lt_gtk_run_registry_add_run:
 * @self: a registry
 * @name: (nullable): the run's name; %NULL for "Run N" (N its index + 1)
 *
 * Adds an empty run, filled by lt_gtk_run_append().
 *
 * Returns: (transfer none): the new run
 */
LtGtkRun *
lt_gtk_run_registry_add_run (LtGtkRunRegistry *self, const char *name)
{
  LtGtkRun *run;

  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), NULL);

  _lt_gtk_ensure_i18n ();
  run = g_object_new (LT_GTK_TYPE_RUN, NULL);
  run->registry = self;
  run->index = self->runs->len;
  registry_color (self, run->index, &run->color);
  /* TRANSLATORS: the default name of a training run; %u counts them from 1 */
  run->name = name ? g_strdup (name) : g_strdup_printf (_ ("Run %u"), run->index + 1);
  g_ptr_array_add (self->runs, run);
  self->serial++;

  g_list_model_items_changed (G_LIST_MODEL (self), run->index, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), reg_props[REG_PROP_N_RUNS]);
  return run;
}

/**
 * lt_gtk_run_registry_add_trainer:
 * @self: a registry
 * @trainer: a trainer
 * @name: (nullable): the run's name; %NULL for "Run N"
 *
 * Gets the run of @trainer, adding one when it has none yet. The run
 * records the trainer's signals: the running loss of #LtTrainer::log as
 * %LT_GTK_SERIES_TRAIN_LOSS, the test loss of #LtTrainer::evaluated as
 * %LT_GTK_SERIES_TEST_LOSS and the accuracy of #LtTrainer::epoch-finished
 * as %LT_GTK_SERIES_TEST_ACCURACY, each at its step. The registry keeps no
 * reference to the trainer.
 *
 * Returns: (transfer none): the trainer's run
 */
LtGtkRun *
lt_gtk_run_registry_add_trainer (LtGtkRunRegistry *self, LtTrainer *trainer, const char *name)
{
  LtGtkRun *run;

  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), NULL);
  g_return_val_if_fail (LT_IS_TRAINER (trainer), NULL);

  run = lt_gtk_run_registry_lookup_trainer (self, trainer);
  if (run != NULL)
    {
      if (name != NULL)
        lt_gtk_run_set_name (run, name);
      return run;
    }
  run = lt_gtk_run_registry_add_run (self, name);
  run_bind_trainer (run, trainer);
  g_object_notify_by_pspec (G_OBJECT (run), run_props[RUN_PROP_TRAINER]);
  return run;
}

/**
 * lt_gtk_run_registry_lookup_trainer:
 * @self: a registry
 * @trainer: a trainer
 *
 * Finds the run that records @trainer.
 *
 * Returns: (transfer none) (nullable): the run, or %NULL when the
 *   trainer has none in this registry
 */
LtGtkRun *
lt_gtk_run_registry_lookup_trainer (LtGtkRunRegistry *self, LtTrainer *trainer)
{
  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), NULL);
  g_return_val_if_fail (LT_IS_TRAINER (trainer), NULL);

  for (guint i = 0; i < self->runs->len; i++)
    {
      LtGtkRun *run = g_ptr_array_index (self->runs, i);
      g_autoptr (LtTrainer) t = g_weak_ref_get (&run->trainer);

      if (t == trainer)
        return run;
    }
  return NULL;
}

/**
 * lt_gtk_run_registry_get_run:
 * @self: a registry
 * @index: a run's index
 *
 * Gets a run by its index.
 *
 * Returns: (transfer none) (nullable): the run, or %NULL when there is
 *   no run @index
 */
LtGtkRun *
lt_gtk_run_registry_get_run (LtGtkRunRegistry *self, guint index)
{
  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), NULL);
  return index < self->runs->len ? g_ptr_array_index (self->runs, index) : NULL;
}

/**
 * lt_gtk_run_registry_get_n_runs:
 * @self: a registry
 *
 * Counts the runs.
 *
 * Returns: the number of runs
 */
guint
lt_gtk_run_registry_get_n_runs (LtGtkRunRegistry *self)
{
  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), 0);
  return self->runs->len;
}

/**
 * lt_gtk_run_registry_get_n_points:
 * @self: a registry
 *
 * Counts the points of every series of every run.
 *
 * Returns: the number of points
 */
guint
lt_gtk_run_registry_get_n_points (LtGtkRunRegistry *self)
{
  guint n = 0;

  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), 0);
  for (guint i = 0; i < self->runs->len; i++)
    {
      LtGtkRun *run = g_ptr_array_index (self->runs, i);
      for (guint s = 0; s < LT_GTK_N_SERIES; s++)
        n += run->points[s]->len;
    }
  return n;
}

/**
 * lt_gtk_run_registry_get_serial:
 * @self: a registry
 *
 * Gets a number that grows with every change of the runs (a point, a
 * name, a new run), so a view knows whether what it drew is current.
 *
 * Returns: the serial
 */
guint64
lt_gtk_run_registry_get_serial (LtGtkRunRegistry *self)
{
  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), 0);
  return self->serial;
}

/* A copy of the points for the loss renderer; a worker may read it. */
LtRenderLossData *
_lt_gtk_run_registry_dup_loss_data (LtGtkRunRegistry *self)
{
  LtRenderLossData *data = lt_render_loss_data_new ();

  for (guint i = 0; i < self->runs->len; i++)
    {
      LtGtkRun *run = g_ptr_array_index (self->runs, i);

      LtRenderColor color = { run->color.red, run->color.green, run->color.blue, 1 };

      lt_render_loss_data_add_run (data, run->name);
      lt_render_loss_data_set_run_color (data, i, &color);
      for (guint s = 0; s < LT_GTK_N_SERIES; s++)
        for (guint k = 0; k < run->points[s]->len; k++)
          {
            const Point *p = &g_array_index (run->points[s], Point, k);
            lt_render_loss_data_append (data, i, (LtRenderSeries) s, p->step, p->value);
          }
    }
  return data;
}

/**
 * lt_gtk_run_registry_write_csv:
 * @self: a registry
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Writes every point of every run into one CSV file, with the header
 * `run,name,series,step,value` and the series named `train_loss`,
 * `test_loss` and `test_accuracy`. The file is written beside @path and
 * renamed into place, so an existing file is never left half-written.
 *
 * Returns: %TRUE on success; %FALSE with an %LT_ERROR_IO error naming
 *   the path and the reason when it cannot be written
 */
gboolean
lt_gtk_run_registry_write_csv (LtGtkRunRegistry *self, const char *path, GError **error)
{
  g_autoptr (LtRenderLossData) data = NULL;

  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = _lt_gtk_run_registry_dup_loss_data (self);
  return lt_render_loss_data_write_csv (data, path, error);
}

/**
 * lt_gtk_run_registry_set_palette:
 * @self: a registry
 * @colors: (array zero-terminated=1) (nullable): the run colours, each
 *   written `#rrggbb` (hexadecimal digits, in either case), in the order
 *   runs take them; %NULL or an empty list for the default palette
 * @error: return location for a #GError
 *
 * Sets the colours the runs are drawn in: run k takes colour k modulo
 * the number of colours, so runs share a colour only when there are more
 * runs than colours. The runs already in the registry take their new
 * colours at once (#LtGtkRun:color changes, #LtGtkRunRegistry::run-changed
 * is emitted for each) and every view over the registry redraws.
 *
 * The default palette is Okabe and Ito's eight colour-blind-safe colours:
 * `#0072b2` (blue), `#e69f00` (orange), `#009e73` (bluish green),
 * `#d55e00` (vermillion), `#cc79a7` (reddish purple), `#56b4e9` (sky
 * blue), `#f0e442` (yellow) and `#999999` (grey).
 *
 * Returns: %TRUE when the palette is set; %FALSE with an
 *   %LT_ERROR_INVALID_ARGUMENT error naming the first string that is not
 *   a colour `#rrggbb` and its position, in which case nothing changes
 */
gboolean
lt_gtk_run_registry_set_palette (LtGtkRunRegistry *self, const char *const *colors, GError **error)
{
  g_autoptr (GArray) palette = NULL;

  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (colors != NULL && colors[0] != NULL)
    {
      palette = g_array_new (FALSE, FALSE, sizeof (GdkRGBA));
      for (guint i = 0; colors[i] != NULL; i++)
        {
          LtRenderColor c;
          GdkRGBA       rgba;

          if (!lt_render_color_parse (colors[i], &c))
            {
              _lt_gtk_ensure_i18n ();
              g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           /* TRANSLATORS: %u counts the colours from 1; %s is what was given */
                           _ ("colour %u of the palette, “%s”, is not a colour written #rrggbb "
                              "(such as #0072b2)"),
                           i + 1, colors[i]);
              return FALSE;
            }
          rgba = (GdkRGBA){ (float) c.red, (float) c.green, (float) c.blue, 1 };
          g_array_append_val (palette, rgba);
        }
    }

  /* The same palette again changes nothing */
  if (palette == NULL && self->palette == NULL)
    return TRUE;
  if (palette != NULL && self->palette != NULL && palette->len == self->palette->len)
    {
      guint i = 0;

      while (i < palette->len && gdk_rgba_equal (&g_array_index (palette, GdkRGBA, i),
                                                 &g_array_index (self->palette, GdkRGBA, i)))
        i++;
      if (i == palette->len)
        return TRUE;
    }

  g_clear_pointer (&self->palette, g_array_unref);
  self->palette = g_steal_pointer (&palette);
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < self->runs->len; i++)
    {
      LtGtkRun *run = g_ptr_array_index (self->runs, i);
      GdkRGBA   color;

      registry_color (self, run->index, &color);
      if (!gdk_rgba_equal (&color, &run->color))
        {
          run->color = color;
          g_object_notify_by_pspec (G_OBJECT (run), run_props[RUN_PROP_COLOR]);
          run_changed (run);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), reg_props[REG_PROP_PALETTE]);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

/**
 * lt_gtk_run_registry_dup_palette:
 * @self: a registry
 *
 * Gets the run colours in use, each written `#rrggbb` in lower case, in
 * the order runs take them: the palette given to
 * lt_gtk_run_registry_set_palette(), or the default one.
 *
 * Returns: (transfer full) (array zero-terminated=1): the colours; free
 *   them with g_strfreev()
 */
char **
lt_gtk_run_registry_dup_palette (LtGtkRunRegistry *self)
{
  GPtrArray *strv;

  g_return_val_if_fail (LT_GTK_IS_RUN_REGISTRY (self), NULL);

  strv = g_ptr_array_new ();
  if (self->palette != NULL)
    for (guint i = 0; i < self->palette->len; i++)
      {
        const GdkRGBA *rgba = &g_array_index (self->palette, GdkRGBA, i);
        LtRenderColor  c = { rgba->red, rgba->green, rgba->blue, 1 };

        g_ptr_array_add (strv, lt_render_color_to_string (&c));
      }
  else
    for (guint i = 0; i < LT_RENDER_N_RUN_COLORS; i++)
      {
        LtRenderColor c;

        lt_render_run_color (i, &c);
        g_ptr_array_add (strv, lt_render_color_to_string (&c));
      }
  g_ptr_array_add (strv, NULL);
  return (char **) g_ptr_array_free (strv, FALSE);
}
