/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LtTrainer: the signals and their order on the main context, pause,
 * resume and stop between mini-batches, exact resumption (N steps, stop,
 * resume, N more = 2N steps, bit for bit: in the same process and from a
 * checkpoint file into new objects), failures of the dataset, the forward
 * and the checkpoint ending in ::failed, and evaluation on a dataset whose
 * answers are known.
 */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include <libtensor.h>

#include "test-helpers.h"

/* A dataset of vectors: item i is inputs[i] (+ noise * randn, drawn from
 * the loader's per-sample stream) with the class labels[i]. */

typedef struct
{
  GObject parent_instance;

  gint64 n;
  gint64 dim;
  double *inputs;         /* n * dim, owned */
  gint64 *labels;         /* n, owned */
  double noise;
  gint64 fail_at;         /* -1: never */
} TestDataset;

typedef GObjectClass TestDatasetClass;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestDataset, g_object_unref)

static void test_dataset_iface_init (LtDatasetInterface *iface);
static GType test_dataset_get_type (void);

G_DEFINE_TYPE_WITH_CODE (TestDataset, test_dataset, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, test_dataset_iface_init))

static gint64
test_dataset_get_length (LtDataset *dataset)
{
  return ((TestDataset *) dataset)->n;
}

static gboolean
test_dataset_get_item (LtDataset *dataset,
                       gint64     index,
                       LtTensor **input,
                       LtTensor **target,
                       GError   **error)
{
  TestDataset *self = (TestDataset *) dataset;
  g_autoptr(LtTensor) x = NULL;

  if (index == self->fail_at)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "test dataset: item %" G_GINT64_FORMAT
                   " is unreadable", index);
      return FALSE;
    }
  x = lt_tensor_new_from_doubles (self->inputs + index * self->dim, self->dim, &self->dim, 1,
                                  LT_DTYPE_FLOAT32, error);
  if (x == NULL)
    return FALSE;
  if (self->noise > 0)
    {
      g_autoptr(LtTensor) r = lt_randn (&self->dim, 1, LT_DTYPE_FLOAT32, error);
      g_autoptr(LtTensor) scaled = r ? lt_tensor_mul_scalar (r, self->noise, error) : NULL;

      if (scaled == NULL || !lt_tensor_add_ (x, scaled, error))
        return FALSE;
    }
  *input = g_steal_pointer (&x);
  *target = lt_scalar_int (self->labels[index]);
  return TRUE;
}

static void
test_dataset_iface_init (LtDatasetInterface *iface)
{
  iface->get_length = test_dataset_get_length;
  iface->get_item = test_dataset_get_item;
}

static void
test_dataset_finalize (GObject *object)
{
  TestDataset *self = (TestDataset *) object;

  g_free (self->inputs);
  g_free (self->labels);
  G_OBJECT_CLASS (test_dataset_parent_class)->finalize (object);
}

static void
test_dataset_class_init (TestDatasetClass *klass)
{
  klass->finalize = test_dataset_finalize;
}

static void
test_dataset_init (TestDataset *self)
{
  self->fail_at = -1;
}

/* n items of dimension 4 in 3 classes: class i % 3, its coordinate set to
 * 1, the others to small fixed values; plus noise. */
static TestDataset *
blobs_new (gint64 n,
           double noise)
{
  TestDataset *self = g_object_new (test_dataset_get_type (), NULL);

  self->n = n;
  self->dim = 4;
  self->noise = noise;
  self->inputs = g_new (double, n * 4);
  self->labels = g_new (gint64, n);
  for (gint64 i = 0; i < n; i++)
    {
      self->labels[i] = i % 3;
      for (gint64 j = 0; j < 4; j++)
        self->inputs[i * 4 + j] = (j == i % 3 ? 1.0 : 0.0) + 0.05 * (double) ((i * 7 + j * 3) % 5);
    }
  return self;
}

/* A model: Linear(dim, hidden) -> ReLU -> Dropout(p) -> Linear(hidden,
 * classes), counting its forwards (in train mode with gradients, in eval
 * mode without), optionally slow, optionally failing at one forward. */

typedef struct
{
  LtModule parent_instance;

  gint n_forward;           /* atomic */
  gint n_train_forward;     /* atomic */
  gint n_eval_forward;      /* atomic */
  gint n_bad_mode;          /* atomic: a train forward without grad, or an eval one with */
  gint fail_at;             /* forward number (from 1) that fails; 0: none */
  gboolean fail_silently;
  gulong sleep_us;
  GThread *expect_thread;   /* when set: forwards elsewhere are counted */
  gint n_off_thread;        /* atomic */
} TestNet;

typedef LtModuleClass TestNetClass;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestNet, g_object_unref)

static GType test_net_get_type (void);

G_DEFINE_TYPE (TestNet, test_net, LT_TYPE_MODULE)

static LtTensor *
test_net_forward (LtModule *module,
                  LtTensor *input,
                  GError  **error)
{
  TestNet *self = (TestNet *) module;
  gint n = g_atomic_int_add (&self->n_forward, 1) + 1;
  gboolean training = lt_module_is_training (module);

  if (training)
    g_atomic_int_inc (&self->n_train_forward);
  else
    g_atomic_int_inc (&self->n_eval_forward);
  if (training != lt_is_grad_enabled ())
    g_atomic_int_inc (&self->n_bad_mode);
  if (self->expect_thread && g_thread_self () != self->expect_thread)
    g_atomic_int_inc (&self->n_off_thread);
  if (self->sleep_us)
    g_usleep (self->sleep_us);
  if (n == self->fail_at)
    {
      if (!self->fail_silently)
        g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "test net: forward %d fails", n);
      return NULL;
    }
  return lt_module_forward (lt_module_get_child (module, "body"), input, error);
}

static void
test_net_class_init (TestNetClass *klass)
{
  klass->forward = test_net_forward;
}

static void
test_net_init (TestNet *self)
{
}

static TestNet *
test_net_new (gint64 dim,
              gint64 classes,
              double dropout)
{
  g_autoptr(GError) error = NULL;
  TestNet *self = g_object_new (test_net_get_type (), NULL);
  g_autoptr(LtLinear) fc1 = lt_linear_new (dim, 8, TRUE, &error);
  g_autoptr(LtReLU) relu = lt_relu_new (FALSE);
  g_autoptr(LtDropout) drop = lt_dropout_new (dropout, FALSE, &error);
  g_autoptr(LtLinear) fc2 = lt_linear_new (8, classes, TRUE, &error);
  LtModule *layers[] = { LT_MODULE (fc1), LT_MODULE (relu), LT_MODULE (drop), LT_MODULE (fc2) };
  g_autoptr(LtSequential) body = lt_sequential_new (layers, G_N_ELEMENTS (layers));

  g_assert_no_error (error);
  lt_module_register_module (LT_MODULE (self), "body", LT_MODULE (body), &error);
  g_assert_no_error (error);
  return self;
}

/* A trainer over the pieces above */

typedef struct
{
  TestDataset *train_set;
  TestDataset *test_set;
  TestNet *net;
  LtTrainer *trainer;
} Setup;

static void
setup_clear (Setup *s)
{
  g_clear_object (&s->trainer);
  g_clear_object (&s->net);
  g_clear_object (&s->train_set);
  g_clear_object (&s->test_set);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Setup, setup_clear)

typedef enum {
  OPT_SGD,
  OPT_ADAM,
} OptKind;

static void
setup_init (Setup  *s,
            gint64  n_train,
            gint64  n_test,
            gint64  batch,
            guint   workers,
            double  noise,
            double  dropout,
            OptKind opt,
            guint   epochs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtDataLoader) train = NULL;
  g_autoptr(LtDataLoader) test = NULL;
  g_autoptr(LtCrossEntropyLoss) loss = NULL;
  g_autoptr(LtOptimizer) optimizer = NULL;
  g_autoptr(GPtrArray) params = NULL;

  s->train_set = blobs_new (n_train, noise);
  s->test_set = n_test > 0 ? blobs_new (n_test, 0) : NULL;
  s->net = test_net_new (4, 3, dropout);
  train = lt_data_loader_new (LT_DATASET (s->train_set), batch, TRUE, FALSE, workers, &error);
  g_assert_no_error (error);
  if (s->test_set)
    {
      test = lt_data_loader_new (LT_DATASET (s->test_set), 2, FALSE, FALSE, 0, &error);
      g_assert_no_error (error);
    }
  loss = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  g_assert_no_error (error);
  params = lt_module_parameters (LT_MODULE (s->net));
  if (opt == OPT_SGD)
    optimizer = LT_OPTIMIZER (lt_sgd_new (params, 0.05, 0.9, 0, 0, FALSE, &error));
  else
    optimizer = LT_OPTIMIZER (lt_adam_new (params, 0.01, 0.9, 0.999, 1e-8, 0, FALSE, &error));
  g_assert_no_error (error);
  s->trainer = lt_trainer_new (LT_MODULE (s->net), LT_LOSS (loss), optimizer, train, test, epochs);
}

/* What the signals said, in order */

typedef struct
{
  GThread *main_thread;
  GString *log;               /* one line per signal */
  GArray *step_losses;        /* double */
  GArray *step_epochs;        /* guint */
  GArray *log_values;         /* double */
  GArray *epoch_losses;       /* double */
  GArray *accuracies;         /* double */
  LtTensor *last_class_accuracy;
  LtTensor *last_confusion;
  GError *failure;
  guint stopped_epoch;
  gint64 stopped_iteration;
  gint n_off_thread;
  gboolean ended;
  gboolean done;              /* the async callback ran */
  gboolean async_ok;
  GError *async_error;
  /* Pause or stop from the step handler */
  gint64 act_at_step;
  gboolean act_stop;
  gint forwards_at_act;
  TestNet *net;
} Record;

static void
record_init (Record *r)
{
  memset (r, 0, sizeof *r);
  r->main_thread = g_thread_self ();
  r->log = g_string_new (NULL);
  r->step_losses = g_array_new (FALSE, FALSE, sizeof (double));
  r->step_epochs = g_array_new (FALSE, FALSE, sizeof (guint));
  r->log_values = g_array_new (FALSE, FALSE, sizeof (double));
  r->epoch_losses = g_array_new (FALSE, FALSE, sizeof (double));
  r->accuracies = g_array_new (FALSE, FALSE, sizeof (double));
  r->act_at_step = -1;
}

static void
record_clear (Record *r)
{
  g_string_free (r->log, TRUE);
  g_array_unref (r->step_losses);
  g_array_unref (r->step_epochs);
  g_array_unref (r->log_values);
  g_array_unref (r->epoch_losses);
  g_array_unref (r->accuracies);
  g_clear_object (&r->last_class_accuracy);
  g_clear_object (&r->last_confusion);
  g_clear_error (&r->failure);
  g_clear_error (&r->async_error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Record, record_clear)

static void
check_thread (Record *r)
{
  if (g_thread_self () != r->main_thread)
    r->n_off_thread++;
}

static void
on_step (LtTrainer *trainer,
         guint      epoch,
         gint64     iteration,
         double     loss,
         Record    *r)
{
  check_thread (r);
  g_string_append_printf (r->log, "step %u %" G_GINT64_FORMAT "\n", epoch, iteration);
  g_array_append_val (r->step_losses, loss);
  g_array_append_val (r->step_epochs, epoch);
  if ((gint64) r->step_losses->len == r->act_at_step)
    {
      r->forwards_at_act = g_atomic_int_get (&r->net->n_forward);
      if (r->act_stop)
        lt_trainer_stop (trainer);
      else
        lt_trainer_pause (trainer);
    }
}

static void
on_log (LtTrainer *trainer,
        guint      epoch,
        gint64     iteration,
        double     running_loss,
        Record    *r)
{
  check_thread (r);
  g_string_append_printf (r->log, "log %u %" G_GINT64_FORMAT "\n", epoch, iteration);
  g_array_append_val (r->log_values, running_loss);
}

static void
on_epoch_finished (LtTrainer *trainer,
                   guint      epoch,
                   double     train_loss,
                   double     accuracy,
                   LtTensor  *class_accuracy,
                   LtTensor  *confusion,
                   Record    *r)
{
  check_thread (r);
  g_string_append_printf (r->log, "epoch %u\n", epoch);
  g_array_append_val (r->epoch_losses, train_loss);
  g_array_append_val (r->accuracies, accuracy);
  g_set_object (&r->last_class_accuracy, class_accuracy);
  g_set_object (&r->last_confusion, confusion);
}

static void
on_finished (LtTrainer *trainer,
             Record    *r)
{
  check_thread (r);
  g_string_append (r->log, "finished\n");
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_FINISHED);
  r->ended = TRUE;
}

static void
on_stopped (LtTrainer *trainer,
            guint      epoch,
            gint64     iteration,
            Record    *r)
{
  check_thread (r);
  g_string_append_printf (r->log, "stopped %u %" G_GINT64_FORMAT "\n", epoch, iteration);
  r->stopped_epoch = epoch;
  r->stopped_iteration = iteration;
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_STOPPED);
  r->ended = TRUE;
}

static void
on_failed (LtTrainer    *trainer,
           const GError *error,
           Record       *r)
{
  check_thread (r);
  g_string_append (r->log, "failed\n");
  g_assert_nonnull (error);
  g_assert_null (r->failure);
  r->failure = g_error_copy (error);
  g_assert_cmpint (lt_trainer_get_state (trainer), ==, LT_TRAINER_STATE_FAILED);
  r->ended = TRUE;
}

static void
connect_record (LtTrainer *trainer,
                Record    *r)
{
  g_signal_connect (trainer, "step", G_CALLBACK (on_step), r);
  g_signal_connect (trainer, "log", G_CALLBACK (on_log), r);
  g_signal_connect (trainer, "epoch-finished", G_CALLBACK (on_epoch_finished), r);
  g_signal_connect (trainer, "finished", G_CALLBACK (on_finished), r);
  g_signal_connect (trainer, "stopped", G_CALLBACK (on_stopped), r);
  g_signal_connect (trainer, "failed", G_CALLBACK (on_failed), r);
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Record *r = data;

  check_thread (r);
  g_assert_true (r->ended);         /* after the last signal */
  g_string_append (r->log, "done\n");
  r->async_ok = lt_trainer_run_finish (LT_TRAINER (source), result, &r->async_error);
  r->done = TRUE;
}

static void
iterate_until_done (Record *r)
{
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

/* Iterates the main context for @ms milliseconds. */
static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static double *
parameters (LtModule *model,
            gsize    *n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = lt_module_parameters (model);
  GArray *all = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < params->len; i++)
    {
      gsize k;
      g_autofree double *v = lt_tensor_to_doubles (g_ptr_array_index (params, i), &k, &error);

      g_assert_no_error (error);
      g_array_append_vals (all, v, k);
    }
  *n = all->len;
  return (double *) g_array_free (all, FALSE);
}

/* @name in a new temporary folder */
static char *
tmp_path (const char *name)
{
  g_autofree char *dir = make_tmp_dir ("lt-trainer-XXXXXX");

  return g_build_filename (dir, name, NULL);
}

/* Removes tmp_path ()'s file and its folder */
static void
remove_tmp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  remove_tree (dir);
}

/* Tests */

static void
test_signals_order (void)
{
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  g_autoptr(GString) want = g_string_new (NULL);
  gint64 shape_c[1] = { 3 };
  g_autofree gint64 *conf = NULL;
  gsize n;
  gint64 sum = 0;

  g_test_summary ("step, log, epoch-finished and finished arrive in order on the caller's "
                  "main context; log is the mean of the interval's step losses; the model "
                  "trains in train mode and is evaluated in eval mode without gradients");
  lt_manual_seed (1);
  setup_init (&s, 16, 6, 2, 0, 0.1, 0.0, OPT_SGD, 2);
  record_init (&r);
  r.net = s.net;
  lt_trainer_set_log_interval (s.trainer, 3);
  g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_IDLE);
  connect_record (s.trainer, &r);
  lt_trainer_run_async (s.trainer, NULL, run_done, &r);
  g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_RUNNING);
  iterate_until_done (&r);

  for (guint e = 1; e <= 2; e++)
    {
      for (gint i = 1; i <= 8; i++)
        {
          g_string_append_printf (want, "step %u %d\n", e, i);
          if (i % 3 == 0)
            g_string_append_printf (want, "log %u %d\n", e, i);
        }
      g_string_append_printf (want, "epoch %u\n", e);
    }
  g_string_append (want, "finished\ndone\n");
  g_assert_cmpstr (r.log->str, ==, want->str);
  g_assert_cmpint (r.n_off_thread, ==, 0);
  g_assert_true (r.async_ok);
  g_assert_no_error (r.async_error);
  g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_FINISHED);
  g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, 16);
  g_assert_cmpuint (lt_trainer_get_epoch (s.trainer), ==, 2);

  /* log = the mean of the interval's step losses; epoch loss = the mean of
   * the epoch's */
  g_assert_cmpuint (r.log_values->len, ==, 4);
  for (guint k = 0; k < 4; k++)
    {
      guint first = (k / 2) * 8 + (k % 2) * 3;
      double mean = 0;

      for (guint j = first; j < first + 3; j++)
        mean += g_array_index (r.step_losses, double, j);
      mean /= 3;
      g_assert_cmpfloat_with_epsilon (g_array_index (r.log_values, double, k), mean, 1e-12);
    }
  for (guint e = 0; e < 2; e++)
    {
      double mean = 0;

      for (guint j = e * 8; j < e * 8 + 8; j++)
        mean += g_array_index (r.step_losses, double, j);
      g_assert_cmpfloat_with_epsilon (g_array_index (r.epoch_losses, double, e), mean / 8, 1e-12);
    }

  /* The evaluation: 6 test samples counted once each */
  g_assert_nonnull (r.last_confusion);
  conf = lt_tensor_to_int64s (r.last_confusion, &n, NULL);
  g_assert_cmpuint (n, ==, 9);
  for (gsize i = 0; i < n; i++)
    sum += conf[i];
  g_assert_cmpint (sum, ==, 6);
  g_assert_cmpuint (lt_tensor_get_n_dims (r.last_class_accuracy), ==, 1);
  g_assert_cmpint (lt_tensor_get_shape (r.last_class_accuracy, NULL)[0], ==, shape_c[0]);
  {
    double acc = g_array_index (r.accuracies, double, 1);
    gint64 diag = conf[0] + conf[4] + conf[8];

    g_assert_cmpfloat (acc, ==, (double) diag / 6.0);
  }

  /* 16 training forwards in train mode with gradients; 2 evaluations of 3
   * batches in eval mode without */
  g_assert_cmpint (s.net->n_train_forward, ==, 16);
  g_assert_cmpint (s.net->n_eval_forward, ==, 6);
  g_assert_cmpint (s.net->n_bad_mode, ==, 0);
  g_assert_true (lt_module_is_training (LT_MODULE (s.net)));
}

static void
test_blocking_run (void)
{
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_test_summary ("lt_trainer_run blocks and dispatches the signals meanwhile");
  lt_manual_seed (2);
  setup_init (&s, 9, 3, 3, 1, 0, 0, OPT_SGD, 1);
  record_init (&r);
  r.net = s.net;
  lt_trainer_set_log_interval (s.trainer, 0);
  connect_record (s.trainer, &r);
  ok = lt_trainer_run (s.trainer, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (r.log->str, ==, "step 1 1\nstep 1 2\nstep 1 3\nepoch 1\nfinished\n");
  g_assert_cmpint (r.n_off_thread, ==, 0);

  /* Not twice at once; more epochs go on from where it ended */
  lt_trainer_set_epochs (s.trainer, 2);
  g_string_truncate (r.log, 0);
  r.ended = FALSE;
  g_assert_true (lt_trainer_start (s.trainer, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (lt_trainer_start (s.trainer, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
  g_clear_error (&error);
  while (!r.ended || lt_trainer_get_state (s.trainer) == LT_TRAINER_STATE_RUNNING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (r.log->str, ==, "step 2 1\nstep 2 2\nstep 2 3\nepoch 2\nfinished\n");
  g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, 6);
}

static void
on_state (GObject    *object,
          GParamSpec *pspec,
          GString    *states)
{
  GEnumClass *klass = g_type_class_ref (LT_TYPE_TRAINER_STATE);
  GEnumValue *v = g_enum_get_value (klass, lt_trainer_get_state (LT_TRAINER (object)));

  g_string_append_printf (states, "%s ", v->value_nick);
  g_type_class_unref (klass);
}

static void
test_pause_resume (void)
{
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  g_autoptr(GString) states = g_string_new (NULL);
  gint at_pause;

  g_test_summary ("pause takes effect after the mini-batch under way; nothing runs while "
                  "paused; resume goes on to the end");
  lt_manual_seed (3);
  setup_init (&s, 120, 0, 1, 0, 0, 0, OPT_SGD, 1);
  s.net->sleep_us = 2000;
  record_init (&r);
  r.net = s.net;
  r.act_at_step = 5;
  connect_record (s.trainer, &r);
  g_signal_connect (s.trainer, "notify::state", G_CALLBACK (on_state), states);
  lt_trainer_run_async (s.trainer, NULL, run_done, &r);
  while (lt_trainer_get_state (s.trainer) != LT_TRAINER_STATE_PAUSED)
    g_main_context_iteration (NULL, TRUE);
  at_pause = g_atomic_int_get (&s.net->n_forward);
  g_assert_cmpint (at_pause, <=, r.forwards_at_act + 1);
  iterate_for (150);
  g_assert_cmpint (g_atomic_int_get (&s.net->n_forward), ==, at_pause);
  g_assert_cmpint (r.step_losses->len, ==, at_pause);
  g_assert_false (r.ended);
  g_assert_cmpint (lt_trainer_get_iteration (s.trainer), ==, at_pause);

  lt_trainer_resume (s.trainer);
  iterate_until_done (&r);
  g_assert_true (r.async_ok);
  g_assert_cmpint (r.step_losses->len, ==, 120);
  g_assert_cmpint (s.net->n_forward, ==, 120);
  g_assert_cmpstr (states->str, ==, "running paused running finished ");
  g_assert_cmpint (r.n_off_thread, ==, 0);
}

static void
test_stop (void)
{
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  g_autofree char *path = tmp_path ("stop.safetensors");
  g_autoptr(GError) error = NULL;
  autofinal LtStateDict *ckpt = NULL;

  g_test_summary ("stop takes effect after the mini-batch under way and writes the checkpoint; "
                  "the run ends with ::stopped and run_finish() says TRUE");
  lt_manual_seed (4);
  setup_init (&s, 120, 4, 1, 0, 0, 0, OPT_SGD, 3);
  s.net->sleep_us = 2000;
  lt_trainer_set_checkpoint_path (s.trainer, path);
  record_init (&r);
  r.net = s.net;
  r.act_at_step = 5;
  r.act_stop = TRUE;
  connect_record (s.trainer, &r);
  lt_trainer_run_async (s.trainer, NULL, run_done, &r);
  iterate_until_done (&r);

  g_assert_true (r.async_ok);
  g_assert_no_error (r.async_error);
  g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_STOPPED);
  g_assert_cmpint (s.net->n_forward, <=, r.forwards_at_act + 1);
  g_assert_cmpint (r.step_losses->len, ==, s.net->n_forward);
  g_assert_cmpuint (r.stopped_epoch, ==, 1);
  g_assert_cmpint (r.stopped_iteration, ==, s.net->n_forward);
  g_assert_nonnull (strstr (r.log->str, "\nstopped 1 "));
  g_assert_true (g_str_has_suffix (r.log->str, "\ndone\n"));
  g_assert_null (strstr (r.log->str, "finished"));

  ckpt = lt_state_dict_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lt_state_dict_lookup (ckpt, "model.body.0.weight"));
  g_assert_nonnull (lt_state_dict_lookup (ckpt, "optimizer.state.0.momentum_buffer"));
  g_assert_nonnull (lt_state_dict_get_metadata (ckpt, "optimizer.param_groups"));
  {
    g_autofree char *step = g_strdup_printf ("%d", s.net->n_forward);

    g_assert_cmpstr (lt_state_dict_get_metadata (ckpt, "trainer.step"), ==, step);
    g_assert_cmpstr (lt_state_dict_get_metadata (ckpt, "trainer.iteration"), ==, step);
    g_assert_cmpstr (lt_state_dict_get_metadata (ckpt, "trainer.epoch"), ==, "0");
  }
  remove_tmp (path);
}

/* max-lag: each step handler notes how far the worker is past it */
typedef struct
{
  guint64 lag_max;  /* worker's step minus the signal's, the largest */
  gint64  pause_at; /* pause from the handler of this step, or 0 */
  guint   sleep_ms; /* a busy main context: each handler sleeps */
  guint   n_steps;
} LagRecord;

static void
on_lag_step (LtTrainer *trainer, guint epoch, gint64 iteration, double loss, LagRecord *r)
{
  guint64 worker = lt_trainer_get_step (trainer);

  g_assert_cmpuint (worker, >=, (guint64) iteration);
  r->lag_max = MAX (r->lag_max, worker - (guint64) iteration);
  r->n_steps++;
  if (iteration == r->pause_at)
    lt_trainer_pause (trainer);
  if (r->sleep_ms > 0)
    g_usleep (r->sleep_ms * 1000);
}

static void
test_max_lag (void)
{
  static const guint64 lags[] = { 1, 3 };

  g_test_summary ("with max-lag L the worker starts no mini-batch while L step signals are "
                  "undelivered, even when the main context is slow; with L = 1 a pause asked "
                  "from a step handler stops the worker right after that step");
  for (guint i = 0; i < G_N_ELEMENTS (lags); i++)
    {
      g_auto(Setup) s = { 0 };
      g_autoptr(GError) error = NULL;
      LagRecord r = { 0 };

      lt_manual_seed (11);
      setup_init (&s, 30, 0, 1, 0, 0, 0, OPT_SGD, 1);
      g_assert_cmpuint (lt_trainer_get_max_lag (s.trainer), ==, 256);
      g_object_set (s.trainer, "max-lag", lags[i], NULL);
      g_assert_cmpuint (lt_trainer_get_max_lag (s.trainer), ==, lags[i]);
      r.sleep_ms = 2;
      g_signal_connect (s.trainer, "step", G_CALLBACK (on_lag_step), &r);
      g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (r.n_steps, ==, 30);
      g_assert_cmpuint (r.lag_max, <=, lags[i] - 1);
    }

  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) rec;
    LagRecord r = { 0 };

    lt_manual_seed (12);
    setup_init (&s, 40, 0, 1, 0, 0, 0, OPT_SGD, 1);
    lt_trainer_set_max_lag (s.trainer, 1);
    record_init (&rec);
    rec.net = s.net;
    connect_record (s.trainer, &rec);
    r.pause_at = 5;
    g_signal_connect (s.trainer, "step", G_CALLBACK (on_lag_step), &r);
    lt_trainer_run_async (s.trainer, NULL, run_done, &rec);
    while (lt_trainer_get_state (s.trainer) != LT_TRAINER_STATE_PAUSED)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (g_atomic_int_get (&s.net->n_forward), ==, 5);
    g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, 5);
    lt_trainer_resume (s.trainer);
    iterate_until_done (&rec);
    g_assert_true (rec.async_ok);
    g_assert_cmpint (s.net->n_forward, ==, 40);
    g_assert_cmpuint (r.lag_max, ==, 0);
  }
}

static void
test_stop_cancellable (void)
{
  g_auto(Setup) s = { 0 };
  g_auto(Record) r;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_test_summary ("cancelling the run's GCancellable stops it as lt_trainer_stop() does, also "
                  "while paused");
  lt_manual_seed (5);
  setup_init (&s, 200, 0, 1, 0, 0, 0, OPT_SGD, 1);
  s.net->sleep_us = 1000;
  record_init (&r);
  r.net = s.net;
  r.act_at_step = 3;            /* pause there, then cancel */
  connect_record (s.trainer, &r);
  lt_trainer_run_async (s.trainer, cancellable, run_done, &r);
  while (lt_trainer_get_state (s.trainer) != LT_TRAINER_STATE_PAUSED)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  iterate_until_done (&r);
  g_assert_true (r.async_ok);
  g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_STOPPED);
  g_assert_cmpint (s.net->n_forward, <=, r.forwards_at_act + 1);
  g_assert_cmpint (r.stopped_iteration, ==, s.net->n_forward);
}

/* Exact resumption */

typedef struct
{
  double *params;
  gsize n_params;
  GArray *losses;           /* double, every step */
} RunResult;

static void
run_result_clear (RunResult *rr)
{
  g_free (rr->params);
  g_clear_pointer (&rr->losses, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunResult, run_result_clear)

static void
run_to_end (Setup  *s,
            Record *r)
{
  lt_trainer_run_async (s->trainer, NULL, run_done, r);
  iterate_until_done (r);
  g_assert_true (r->async_ok);
  g_assert_no_error (r->async_error);
  r->done = FALSE;
  r->ended = FALSE;
}

static void
make_setup (Setup  *s,
            guint64 seed,
            OptKind opt)
{
  /* 10 samples in batches of 3: 4 mini-batches an epoch, the last of 1;
   * shuffled, read by 2 workers; noisy samples (the loader's per-sample
   * random streams) and dropout (the global generator) */
  lt_manual_seed (seed);
  setup_init (s, 10, 5, 3, 2, 0.3, 0.25, opt, 5);
  lt_trainer_set_log_interval (s->trainer, 3);
}

static void
assert_same_bits (const double *a,
                  const double *b,
                  gsize         n)
{
  for (gsize i = 0; i < n; i++)
    if (memcmp (&a[i], &b[i], sizeof (double)) != 0)
      g_error ("value %" G_GSIZE_FORMAT " differs: %.17g and %.17g", i, a[i], b[i]);
}

static void
test_resume_exact (gconstpointer data)
{
  const gint64 *args = data;
  guint64 n = (guint64) args[0];
  OptKind opt = (OptKind) args[1];
  g_autofree char *path = tmp_path ("resume.safetensors");
  g_autoptr(GError) error = NULL;
  g_autofree double *p_full = NULL, *p_same = NULL, *p_file = NULL;
  gsize n_full, n_same, n_file;
  g_autoptr(GArray) losses_full = NULL;

  g_test_summary ("N steps, stop, resume, N more steps give the parameters of 2N steps without "
                  "a stop, bit for bit: in the same process and from the checkpoint file into "
                  "new objects made from another seed");

  /* 2N steps without a stop */
  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) r;

    make_setup (&s, 7, opt);
    record_init (&r);
    r.net = s.net;
    connect_record (s.trainer, &r);
    lt_trainer_set_max_steps (s.trainer, 2 * n);
    run_to_end (&s, &r);
    g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, 2 * n);
    p_full = parameters (LT_MODULE (s.net), &n_full);
    losses_full = g_array_ref (r.step_losses);
    g_assert_cmpuint (losses_full->len, ==, 2 * n);
  }

  /* N steps, stop (checkpoint), N more in the same process */
  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) r;

    make_setup (&s, 7, opt);
    record_init (&r);
    r.net = s.net;
    connect_record (s.trainer, &r);
    lt_trainer_set_checkpoint_path (s.trainer, path);
    lt_trainer_set_checkpoint_every_epoch (s.trainer, FALSE);
    lt_trainer_set_max_steps (s.trainer, n);
    run_to_end (&s, &r);
    g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_STOPPED);
    g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, n);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

    /* Random numbers used in between do not matter */
    {
      g_autoptr(LtTensor) noise = lt_rand ((gint64[]) { 100 }, 1, LT_DTYPE_FLOAT32, &error);
      g_assert_no_error (error);
      g_assert_nonnull (noise);
    }
    lt_trainer_set_checkpoint_path (s.trainer, NULL);
    lt_trainer_set_max_steps (s.trainer, 2 * n);
    run_to_end (&s, &r);
    g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, 2 * n);
    p_same = parameters (LT_MODULE (s.net), &n_same);
    g_assert_cmpuint (r.step_losses->len, ==, 2 * n);
    assert_same_bits ((double *) r.step_losses->data, (double *) losses_full->data, 2 * n);
  }

  /* From the file, into objects made from another seed */
  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) r;
    g_autofree double *p_before = NULL;
    gsize n_before;

    make_setup (&s, 12345, opt);
    p_before = parameters (LT_MODULE (s.net), &n_before);
    g_assert_cmpuint (n_before, ==, n_full);
    g_assert_true (memcmp (p_before, p_full, n_full * sizeof (double)) != 0);
    record_init (&r);
    r.net = s.net;
    connect_record (s.trainer, &r);
    g_assert_true (lt_trainer_resume_from (s.trainer, path, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, n);
    lt_trainer_set_max_steps (s.trainer, 2 * n);
    run_to_end (&s, &r);
    g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, 2 * n);
    p_file = parameters (LT_MODULE (s.net), &n_file);
    g_assert_cmpuint (r.step_losses->len, ==, n);
    assert_same_bits ((double *) r.step_losses->data, (double *) losses_full->data + n, n);
  }

  g_assert_cmpuint (n_same, ==, n_full);
  g_assert_cmpuint (n_file, ==, n_full);
  assert_same_bits (p_same, p_full, n_full);
  assert_same_bits (p_file, p_full, n_full);
  remove_tmp (path);
}

static void
test_resume_bad (void)
{
  g_auto(Setup) s = { 0 };
  g_auto(Setup) other = { 0 };
  g_autofree char *path = tmp_path ("bad.safetensors");
  g_autoptr(GError) error = NULL;
  autofinal LtStateDict *plain = lt_state_dict_new ();

  g_test_summary ("resume_from refuses a file that is not a trainer checkpoint, and one made "
                  "with another batch size");
  lt_manual_seed (8);
  setup_init (&s, 10, 0, 3, 0, 0, 0, OPT_SGD, 1);
  lt_state_dict_set_metadata (plain, "format", "pt");
  g_assert_true (lt_state_dict_save (plain, path, &error));
  g_assert_no_error (error);
  g_assert_false (lt_trainer_resume_from (s.trainer, path, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "not a trainer checkpoint"));
  g_clear_error (&error);

  g_assert_true (lt_trainer_save_checkpoint (s.trainer, path, &error));
  g_assert_no_error (error);
  setup_init (&other, 10, 0, 2, 0, 0, 0, OPT_SGD, 1);
  g_assert_false (lt_trainer_resume_from (other.trainer, path, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "batch size 3, not 2"));
  g_clear_error (&error);

  g_assert_false (lt_trainer_resume_from (s.trainer, "/nonexistent/x.safetensors", &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  remove_tmp (path);
}

/* Failures */

static void
run_expect_failure (Setup      *s,
                    gint        code,
                    const char *message)
{
  g_auto(Record) r;
  g_autoptr(GError) error = NULL;

  record_init (&r);
  r.net = s->net;
  connect_record (s->trainer, &r);
  lt_trainer_run_async (s->trainer, NULL, run_done, &r);
  iterate_until_done (&r);
  g_assert_false (r.async_ok);
  g_assert_error (r.async_error, LT_ERROR, code);
  g_assert_error (r.failure, LT_ERROR, code);
  g_assert_cmpstr (r.failure->message, ==, r.async_error->message);
  if (strstr (r.failure->message, message) == NULL)
    g_error ("\"%s\" is not in \"%s\"", message, r.failure->message);
  g_assert_true (g_str_has_suffix (r.log->str, "failed\ndone\n"));
  g_assert_null (strstr (r.log->str, "finished"));
  g_assert_null (strstr (r.log->str, "stopped"));
  g_assert_cmpint (lt_trainer_get_state (s->trainer), ==, LT_TRAINER_STATE_FAILED);

  /* The blocking form says the same (the failing forward armed again;
   * one more epoch in case the failure came after the epoch's end) */
  if (s->net->fail_at)
    s->net->fail_at = g_atomic_int_get (&s->net->n_forward) + 1;
  lt_trainer_set_epochs (s->trainer, lt_trainer_get_epoch (s->trainer) + 1);
  g_clear_error (&r.failure);
  g_assert_false (lt_trainer_run (s->trainer, NULL, &error));
  g_assert_error (error, LT_ERROR, code);
}

static void
test_failed_dataset (void)
{
  g_auto(Setup) s = { 0 };

  g_test_summary ("a dataset that fails ends the run in ::failed with its GError");
  lt_manual_seed (9);
  setup_init (&s, 12, 0, 2, 0, 0, 0, OPT_SGD, 1);
  s.train_set->fail_at = 5;
  run_expect_failure (&s, LT_ERROR_IO, "test dataset: item 5 is unreadable");
}

static void
test_failed_dataset_workers (void)
{
  g_auto(Setup) s = { 0 };

  g_test_summary ("a dataset that fails in a loader's worker thread ends the run in ::failed");
  lt_manual_seed (9);
  setup_init (&s, 12, 0, 2, 2, 0, 0, OPT_SGD, 1);
  s.train_set->fail_at = 7;
  run_expect_failure (&s, LT_ERROR_IO, "test dataset: item 7 is unreadable");
}

static void
test_failed_forward (void)
{
  g_auto(Setup) s = { 0 };
  g_auto(Setup) t = { 0 };

  g_test_summary ("a forward that fails, with or without an error, ends the run in ::failed");
  lt_manual_seed (10);
  setup_init (&s, 12, 0, 2, 0, 0, 0, OPT_SGD, 1);
  s.net->fail_at = 3;
  run_expect_failure (&s, LT_ERROR_FAILED, "test net: forward 3 fails");

  setup_init (&t, 12, 4, 2, 0, 0, 0, OPT_SGD, 1);
  t.net->fail_at = 8;           /* in the evaluation, after 6 training forwards */
  t.net->fail_silently = TRUE;
  run_expect_failure (&t, LT_ERROR_FAILED, "forward returned no tensor and no error");
}

static void
test_failed_checkpoint (void)
{
  g_auto(Setup) s = { 0 };

  g_autoptr(GError) error = NULL;

  g_test_summary ("a checkpoint that cannot be written ends the run in ::failed; written "
                  "after every epoch, it is checked before the run starts");
  lt_manual_seed (11);
  setup_init (&s, 6, 0, 2, 0, 0, 0, OPT_SGD, 1);
  lt_trainer_set_checkpoint_path (s.trainer, "/nonexistent/folder/ckpt.safetensors");

  /* After every epoch (the default): refused before the first mini-batch. */
  g_assert_false (lt_trainer_run (s.trainer, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "the checkpoint cannot be written"));
  g_assert_cmpint (g_atomic_int_get (&s.net->n_forward), ==, 0);
  g_clear_error (&error);

  /* Only when stopping (here after 2 steps): the run fails there. */
  lt_trainer_set_checkpoint_every_epoch (s.trainer, FALSE);
  lt_trainer_set_max_steps (s.trainer, 2);
  run_expect_failure (&s, LT_ERROR_IO, "trainer: cannot write the checkpoint");
}

static void
test_failed_device (void)
{
  g_auto(Setup) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) probe = lt_scalar (1.0);
  g_autoptr(LtTensor) moved = lt_tensor_to_device (probe, LT_DEVICE_CUDA, &error);

  g_test_summary ("a device that is not there ends the run in ::failed");
  if (moved != NULL)
    {
      skip_gpu ("a CUDA device works here; this test checks the error without one");
      return;
    }
  lt_manual_seed (12);
  setup_init (&s, 6, 0, 2, 0, 0, 0, OPT_SGD, 1);
  lt_trainer_set_device (s.trainer, LT_DEVICE_CUDA);
  run_expect_failure (&s, error->code, "trainer: ");
}

/* Evaluation with known answers */

static void
test_evaluate_known (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset        *set = g_object_new (test_dataset_get_type (), NULL);
  autofinal TestDataset        *bad = g_object_new (test_dataset_get_type (), NULL);
  autofinal TestNet            *net = NULL;
  autofinal LtDataLoader       *loader = NULL;
  autofinal LtDataLoader       *train = NULL;
  autofinal LtDataLoader       *bad_loader = NULL;
  autofinal LtCrossEntropyLoss *loss = NULL;
  autofinal LtOptimizer        *sgd = NULL;
  g_autoptr(GPtrArray) params = NULL;
  autofinal LtTrainer *trainer = NULL;
  g_autoptr(LtTensor) class_acc = NULL;
  g_autoptr(LtTensor) confusion = NULL;
  g_autoptr(LtTensor) batch = NULL;
  g_autoptr(LtTensor) predicted = NULL;
  g_autofree double *acc_v = NULL;
  g_autofree gint64 *conf_v = NULL;
  g_autofree gint64 *pred_v = NULL;
  /* Item i shows class shown[i] (a one-hot input) and is labelled
   * labels[i]: class 0 has 4 items shown as 0, 0, 0, 1; class 1 has 2 shown
   * as 1, 2; class 2 has 3 shown as 2, 1, 2; class 3 has none: 6 of 9
   * right. */
  static const gint64 shown[] = { 0, 1, 0, 2, 0, 2, 1, 1, 2 };
  static const gint64 labels[] = { 0, 1, 0, 1, 0, 2, 0, 2, 2 };
  static const gint64 want_conf[16] = { 3, 1, 0, 0,  0, 1, 1, 0,  0, 1, 2, 0,  0, 0, 0, 0 };
  gint64 n = G_N_ELEMENTS (shown);
  double accuracy = 0;
  gsize k;

  g_test_summary ("evaluate gives the accuracy, the per-class accuracy and the confusion "
                  "matrix a hand count gives; predict gives the argmax classes; the model's "
                  "mode is restored");
  set->n = n;
  set->dim = 4;
  set->inputs = g_new0 (double, n * 4);
  set->labels = g_memdup2 (labels, sizeof labels);
  for (gint64 i = 0; i < n; i++)
    set->inputs[i * 4 + shown[i]] = 1.0;

  /* fc2 (8 -> 4) after fc1 (4 -> 8) as identity on the first 4 units,
   * relu, dropout(0): output = input, so the prediction is the one-hot */
  net = test_net_new (4, 4, 0.0);
  {
    LtModule *body = lt_module_get_child (LT_MODULE (net), "body");
    LtTensor *w1 = lt_module_get_parameter (body, "0.weight");
    LtTensor *b1 = lt_module_get_parameter (body, "0.bias");
    LtTensor *w2 = lt_module_get_parameter (body, "3.weight");
    LtTensor *b2 = lt_module_get_parameter (body, "3.bias");
    double eye84[32] = { 0 }, eye48[32] = { 0 };
    gboolean grad = lt_set_grad_enabled (FALSE);

    for (int i = 0; i < 4; i++)
      {
        eye84[i * 4 + i] = 1;       /* w1: (8, 4) */
        eye48[i * 8 + i] = 1;       /* w2: (4, 8) */
      }
    {
      g_autoptr(LtTensor) a = lt_tensor_new_from_doubles (eye84, 32, (gint64[]) { 8, 4 }, 2,
                                                          LT_DTYPE_FLOAT32, &error);
      g_autoptr(LtTensor) b = lt_tensor_new_from_doubles (eye48, 32, (gint64[]) { 4, 8 }, 2,
                                                          LT_DTYPE_FLOAT32, &error);
      g_assert_no_error (error);
      g_assert_true (lt_tensor_copy_ (w1, a, &error));
      g_assert_true (lt_tensor_copy_ (w2, b, &error));
      g_assert_true (lt_tensor_fill_ (b1, 0, &error));
      g_assert_true (lt_tensor_fill_ (b2, 0, &error));
      g_assert_no_error (error);
    }
    lt_set_grad_enabled (grad);
  }

  loader = lt_data_loader_new (LT_DATASET (set), 2, FALSE, FALSE, 0, &error);
  train = lt_data_loader_new (LT_DATASET (set), 2, TRUE, FALSE, 0, &error);
  loss = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  params = lt_module_parameters (LT_MODULE (net));
  sgd = LT_OPTIMIZER (lt_sgd_new (params, 0.1, 0, 0, 0, FALSE, &error));
  g_assert_no_error (error);
  trainer = lt_trainer_new (LT_MODULE (net), LT_LOSS (loss), sgd, train, NULL, 1);

  g_assert_true (lt_module_is_training (LT_MODULE (net)));
  g_assert_true (lt_trainer_evaluate (trainer, loader, &accuracy, &class_acc, &confusion, NULL,
                                      &error));
  g_assert_no_error (error);
  g_assert_true (lt_module_is_training (LT_MODULE (net)));
  g_assert_true (lt_is_grad_enabled ());
  g_assert_cmpint (net->n_eval_forward, ==, 5);
  g_assert_cmpint (net->n_train_forward, ==, 0);
  g_assert_cmpint (net->n_bad_mode, ==, 0);

  g_assert_cmpfloat (accuracy, ==, 6.0 / 9.0);
  conf_v = lt_tensor_to_int64s (confusion, &k, &error);
  g_assert_cmpuint (k, ==, 16);
  for (gsize i = 0; i < 16; i++)
    g_assert_cmpint (conf_v[i], ==, want_conf[i]);
  g_assert_cmpint (lt_tensor_get_dtype (class_acc), ==, LT_DTYPE_FLOAT64);
  acc_v = lt_tensor_to_doubles (class_acc, &k, &error);
  g_assert_cmpuint (k, ==, 4);
  g_assert_cmpfloat (acc_v[0], ==, 3.0 / 4.0);
  g_assert_cmpfloat (acc_v[1], ==, 1.0 / 2.0);
  g_assert_cmpfloat (acc_v[2], ==, 2.0 / 3.0);
  g_assert_true (isnan (acc_v[3]));

  /* predict: the first batch's argmax */
  g_assert_true (lt_data_loader_next (loader, &batch, NULL, &error));
  g_assert_no_error (error);
  predicted = lt_trainer_predict (trainer, batch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (predicted), ==, LT_DTYPE_INT64);
  pred_v = lt_tensor_to_int64s (predicted, &k, &error);
  g_assert_cmpuint (k, ==, 2);
  g_assert_cmpint (pred_v[0], ==, shown[0]);
  g_assert_cmpint (pred_v[1], ==, shown[1]);
  g_assert_true (lt_module_is_training (LT_MODULE (net)));
  g_assert_cmpint (net->n_bad_mode, ==, 0);
  lt_data_loader_reset (loader);

  /* A target outside the model's classes */
  bad->n = 2;
  bad->dim = 4;
  bad->inputs = g_new0 (double, 8);
  bad->labels = g_new0 (gint64, 2);
  bad->labels[1] = 7;
  bad_loader = lt_data_loader_new (LT_DATASET (bad), 2, FALSE, FALSE, 0, &error);
  g_assert_false (lt_trainer_evaluate (trainer, bad_loader, &accuracy, NULL, NULL, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "target 7"));
  g_clear_error (&error);
  g_assert_true (lt_module_is_training (LT_MODULE (net)));

  /* A forward that fails */
  net->fail_at = net->n_forward + 1;
  g_assert_false (lt_trainer_evaluate (trainer, loader, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
  g_clear_error (&error);
  net->fail_at = net->n_forward + 1;
  g_assert_null (lt_trainer_predict (trainer, batch, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
}

static void
test_loader_position (void)
{
  g_autoptr(GError) error = NULL;
  autofinal TestDataset  *set = blobs_new (11, 0.5);
  autofinal LtDataLoader *a = NULL;
  autofinal LtDataLoader *b = NULL;
  guint64 epoch, seed, offset, rng_seed, rng_offset;
  gint64 batch;

  g_test_summary ("a loader put at another's position gives the same batches from there, "
                  "random per-sample noise included, without taking random numbers");
  lt_manual_seed (13);
  a = lt_data_loader_new (LT_DATASET (set), 3, TRUE, FALSE, 1, &error);
  b = lt_data_loader_new (LT_DATASET (set), 3, TRUE, FALSE, 0, &error);
  g_assert_no_error (error);
  lt_data_loader_get_position (a, &epoch, &seed, &offset, &batch);
  g_assert_cmpuint (epoch, ==, 0);
  g_assert_cmpint (batch, ==, -1);
  for (int i = 0; i < 6; i++)       /* epoch 1 (4 batches), 2 of epoch 2 */
    {
      g_autoptr(LtTensor) x = NULL;

      g_assert_true (lt_data_loader_next (a, &x, NULL, &error));
      if (x == NULL) /* the end of epoch 1: start epoch 2 */
        g_assert_true (lt_data_loader_next (a, &x, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (x);
    }
  lt_data_loader_get_position (a, &epoch, &seed, &offset, &batch);
  g_assert_cmpuint (epoch, ==, 2);
  g_assert_cmpint (batch, ==, 2);
  g_assert_false (lt_data_loader_set_position (b, 0, 0, 0, 1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (lt_data_loader_set_position (b, epoch, seed, offset, batch, &error));
  g_assert_no_error (error);

  lt_random_get_state (&rng_seed, &rng_offset);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(LtTensor) xa = NULL, ya = NULL, xb = NULL, yb = NULL;
      g_assert_true (lt_data_loader_next (a, &xa, &ya, &error));
      g_assert_true (lt_data_loader_next (b, &xb, &yb, &error));
      g_assert_no_error (error);
      g_assert_true ((xa == NULL) == (xb == NULL));
      if (xa != NULL)
        {
          g_autofree double *va = NULL, *vb = NULL, *la = NULL, *lb = NULL;
          gsize na, nb;

          va = lt_tensor_to_doubles (xa, &na, &error);
          vb = lt_tensor_to_doubles (xb, &nb, &error);
          g_assert_cmpuint (na, ==, nb);
          assert_same_bits (va, vb, na);
          la = lt_tensor_to_doubles (ya, &na, &error);
          lb = lt_tensor_to_doubles (yb, &nb, &error);
          g_assert_cmpuint (na, ==, nb);
          assert_same_bits (la, lb, na);
        }
    }
  /* Neither took a block from the generator for this epoch */
  {
    guint64 s2, o2;

    lt_random_get_state (&s2, &o2);
    g_assert_cmpuint (s2, ==, rng_seed);
    g_assert_cmpuint (o2, ==, rng_offset);
  }
  g_assert_cmpuint (lt_data_loader_get_epoch (b), ==, 2);
}

/* LtTrainer:threaded off: the loop on the calling thread */

static gboolean
resume_later (gpointer data)
{
  Setup *s = data;

  /* nothing ran while paused */
  g_assert_cmpint (lt_trainer_get_state (s->trainer), ==, LT_TRAINER_STATE_PAUSED);
  g_assert_cmpint (g_atomic_int_get (&s->net->n_forward), ==, 5);
  lt_trainer_resume (s->trainer);
  return G_SOURCE_REMOVE;
}

static void
on_state_pause (GObject    *object,
                GParamSpec *pspec,
                Setup      *s)
{
  if (lt_trainer_get_state (s->trainer) == LT_TRAINER_STATE_PAUSED)
    g_timeout_add (50, resume_later, s);
}

static void
test_inline (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *want = NULL;
  g_autofree double *got = NULL;
  g_autofree char *want_log = NULL;
  gsize n_want, n_got;

  g_test_summary ("with threaded off, lt_trainer_run runs the loop on the calling thread: "
                  "the same signals in the same order and the same parameters, bit for bit, "
                  "as the worker; lt_trainer_start refuses");
  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) r;

    lt_manual_seed (21);
    setup_init (&s, 16, 6, 2, 2, 0.1, 0.2, OPT_ADAM, 2);
    record_init (&r);
    r.net = s.net;
    lt_trainer_set_log_interval (s.trainer, 3);
    connect_record (s.trainer, &r);
    g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
    g_assert_no_error (error);
    want = parameters (LT_MODULE (s.net), &n_want);
    want_log = g_strdup (r.log->str);
  }
  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) r;
    GError *local = NULL;

    lt_manual_seed (21);
    setup_init (&s, 16, 6, 2, 2, 0.1, 0.2, OPT_ADAM, 2);
    record_init (&r);
    r.net = s.net;
    s.net->expect_thread = g_thread_self ();
    lt_trainer_set_log_interval (s.trainer, 3);
    g_assert_true (lt_trainer_get_threaded (s.trainer));
    g_object_set (s.trainer, "threaded", FALSE, NULL);
    g_assert_false (lt_trainer_get_threaded (s.trainer));
    connect_record (s.trainer, &r);

    g_assert_false (lt_trainer_start (s.trainer, NULL, &local));
    g_assert_error (local, LT_ERROR, LT_ERROR_FAILED);
    g_assert_nonnull (strstr (local->message, "lt_trainer_run"));
    g_clear_error (&local);
    g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_IDLE);

    g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (r.log->str, ==, want_log);
    g_assert_cmpint (r.n_off_thread, ==, 0);
    g_assert_cmpint (s.net->n_off_thread, ==, 0);
    g_assert_cmpint (s.net->n_forward, ==, 16 + 6);
    g_assert_cmpint (s.net->n_bad_mode, ==, 0);
    got = parameters (LT_MODULE (s.net), &n_got);
    g_assert_cmpuint (n_got, ==, n_want);
    g_assert_cmpmem (got, n_got * sizeof (double), want, n_want * sizeof (double));
  }
}

static void
test_inline_control (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = tmp_path ("inline.safetensors");

  g_test_summary ("with threaded off, a stop from the step handler takes effect before the "
                  "next mini-batch and writes the checkpoint; a pause waits, dispatching the "
                  "main context, until a timeout resumes it");
  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) r;

    lt_manual_seed (22);
    setup_init (&s, 40, 0, 1, 0, 0, 0, OPT_SGD, 1);
    lt_trainer_set_threaded (s.trainer, FALSE);
    lt_trainer_set_checkpoint_path (s.trainer, path);
    record_init (&r);
    r.net = s.net;
    r.act_at_step = 7;
    r.act_stop = TRUE;
    connect_record (s.trainer, &r);
    g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_STOPPED);
    g_assert_cmpint (r.forwards_at_act, ==, 7);
    g_assert_cmpint (s.net->n_forward, ==, 7);
    g_assert_cmpuint (lt_trainer_get_step (s.trainer), ==, 7);
    g_assert_cmpint (r.stopped_iteration, ==, 7);
    g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    remove_tmp (path);
  }
  {
    g_auto(Setup) s = { 0 };
    g_auto(Record) r;
    g_autoptr(GString) states = g_string_new (NULL);

    lt_manual_seed (23);
    setup_init (&s, 12, 0, 1, 0, 0, 0, OPT_SGD, 1);
    lt_trainer_set_threaded (s.trainer, FALSE);
    record_init (&r);
    r.net = s.net;
    r.act_at_step = 5;
    connect_record (s.trainer, &r);
    g_signal_connect (s.trainer, "notify::state", G_CALLBACK (on_state), states);
    g_signal_connect (s.trainer, "notify::state", G_CALLBACK (on_state_pause), &s);
    g_assert_true (lt_trainer_run (s.trainer, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (states->str, ==, "running paused running finished ");
    g_assert_cmpint (s.net->n_forward, ==, 12);
  }
}

static void
test_failed_empty (void)
{
  g_test_summary ("a training set that gives no mini-batch ends the run in ::failed with a "
                  "message that names the cause and the threaded property");
  for (guint threaded = 0; threaded <= 1; threaded++)
    {
      g_auto(Setup) s = { 0 };
      g_auto(Record) r;
      g_autoptr(GError) error = NULL;

      lt_manual_seed (24);
      setup_init (&s, 0, 3, 2, 0, 0, 0, OPT_SGD, 1);
      lt_trainer_set_threaded (s.trainer, threaded);
      record_init (&r);
      r.net = s.net;
      connect_record (s.trainer, &r);
      g_assert_false (lt_trainer_run (s.trainer, NULL, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "no mini-batch in epoch 1"));
      g_assert_nonnull (strstr (error->message, "threaded"));
      g_assert_cmpstr (r.log->str, ==, "failed\n");
      g_assert_cmpstr (r.failure->message, ==, error->message);
      g_assert_cmpint (lt_trainer_get_state (s.trainer), ==, LT_TRAINER_STATE_FAILED);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const gint64 mid_sgd[] = { 5, OPT_SGD };
  static const gint64 boundary_sgd[] = { 4, OPT_SGD };
  static const gint64 mid_adam[] = { 6, OPT_ADAM };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trainer/signals/order", test_signals_order);
  g_test_add_func ("/trainer/run/blocking", test_blocking_run);
  g_test_add_func ("/trainer/pause-resume", test_pause_resume);
  g_test_add_func ("/trainer/stop", test_stop);
  g_test_add_func ("/trainer/max-lag", test_max_lag);
  g_test_add_func ("/trainer/stop/cancellable", test_stop_cancellable);
  g_test_add_data_func ("/trainer/resume/exact/sgd-mid-epoch", mid_sgd, test_resume_exact);
  g_test_add_data_func ("/trainer/resume/exact/sgd-epoch-end", boundary_sgd, test_resume_exact);
  g_test_add_data_func ("/trainer/resume/exact/adam", mid_adam, test_resume_exact);
  g_test_add_func ("/trainer/resume/bad", test_resume_bad);
  g_test_add_func ("/trainer/failed/dataset", test_failed_dataset);
  g_test_add_func ("/trainer/failed/dataset-workers", test_failed_dataset_workers);
  g_test_add_func ("/trainer/failed/forward", test_failed_forward);
  g_test_add_func ("/trainer/failed/checkpoint", test_failed_checkpoint);
  g_test_add_func ("/trainer/failed/device", test_failed_device);
  g_test_add_func ("/trainer/evaluate/known", test_evaluate_known);
  g_test_add_func ("/trainer/loader-position", test_loader_position);
  g_test_add_func ("/trainer/inline/same", test_inline);
  g_test_add_func ("/trainer/inline/control", test_inline_control);
  g_test_add_func ("/trainer/failed/empty", test_failed_empty);
  return g_test_run ();
}
