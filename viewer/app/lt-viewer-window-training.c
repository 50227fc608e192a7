/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lt-train-net.h"
#include "lt-train-optim.h"
#include "lt-viewer-window-private.h"
#include "lt-viewer-window-views.h"

/*
 * Training from the window: the data (read, or for CIFAR-10 downloaded
 * first, in a GTask thread; the progress is polled by a timeout), the
 * trainer built from the settings with lt-train's network and optimizers,
 * and the trainer's signals. The trainer runs in its own worker thread;
 * its signals arrive on the main context, where the handlers here only
 * record numbers: the status line is rewritten by a timeout, four times a
 * second, and the views redraw on the frame clock.
 *
 * A run is one trainer. Start continues the run when it was stopped or
 * opened from a checkpoint and the settings are still the ones it was
 * built with (more epochs are fine); otherwise it begins a new run, which
 * the views draw beside the earlier ones in its own colour.
 */

#define STATUS_INTERVAL_MS 250
#define RATE_WINDOW_US (3 * G_USEC_PER_SEC)

/* The data load, shared by the window and its thread */
struct _LtViewerLoad
{
  GMutex   lock;
  guint64  received;    /* bytes downloaded so far (under lock) */
  guint64  total;       /* of this many, 0: unknown */
  gboolean downloading; /* (under lock) */

  LtTrainDatasetKind kind;
  char              *folder;
  char              *key;
  GCancellable      *cancellable;
  LtTrainData        data;            /* the result, written by the thread */
  guint              progress_source; /* the window's timeout, main thread only */
};

static void
load_free (gpointer data)
{
  LtViewerLoad *load = data;

  g_mutex_clear (&load->lock);
  g_free (load->folder);
  g_free (load->key);
  g_clear_object (&load->cancellable);
  lt_train_data_clear (&load->data);
}

static LtViewerLoad *
load_ref (LtViewerLoad *load)
{
  return g_atomic_rc_box_acquire (load);
}

static void
load_unref (LtViewerLoad *load)
{
  g_atomic_rc_box_release_full (load, load_free);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtViewerLoad, load_unref)

/* Settings */

static LtTrainDatasetKind
setting_dataset (LtViewerWindow *self)
{
  return g_settings_get_enum (self->settings, "dataset") == 1 ? LT_TRAIN_DATASET_FASHION_MNIST
                                                              : LT_TRAIN_DATASET_CIFAR10;
}

static const char *
dataset_name (LtTrainDatasetKind kind)
{
  return kind == LT_TRAIN_DATASET_FASHION_MNIST ? "Fashion-MNIST" : "CIFAR-10";
}

static LtDevice
setting_device (LtViewerWindow *self)
{
  return self->cuda_available && g_settings_get_enum (self->settings, "device") == 1
           ? LT_DEVICE_CUDA
           : LT_DEVICE_CPU;
}

/* Which data the settings ask for */
static char *
data_key (LtViewerWindow *self)
{
  g_autofree char *folder = _lt_viewer_window_dup_data_folder (self);

  return g_strdup_printf ("%d\n%s", setting_dataset (self), folder);
}

/* Everything a run is built from but its number of epochs */
static char *
trainer_config (LtViewerWindow *self)
{
  g_autofree char *key = data_key (self);

  return g_strdup_printf (
    "%s\n%d %d %.17g %.17g %.17g %d %d %d %d %d", key, (int) setting_device (self),
    g_settings_get_enum (self->settings, "optimizer"),
    g_settings_get_double (self->settings, "learning-rate"),
    g_settings_get_double (self->settings, "momentum"),
    g_settings_get_double (self->settings, "weight-decay"),
    g_settings_get_int (self->settings, "batch-size"), g_settings_get_int (self->settings, "seed"),
    g_settings_get_int (self->settings, "workers"),
    g_settings_get_int (self->settings, "log-interval"),
    g_settings_get_int (self->settings, "graph-interval"));
}

/* The status line */

static char *
format_duration (double seconds)
{
  guint64 s = (guint64) MAX (0, seconds + 0.5);

  if (s >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u", s / 3600, (guint) (s / 60 % 60),
                            (guint) (s % 60));
  return g_strdup_printf ("%u:%02u", (guint) (s / 60), (guint) (s % 60));
}

/* Steps per second over the last few seconds (rate_sample()); 0 before
 * two samples */
static double
step_rate (LtViewerWindow *self)
{
  guint  newest, oldest;
  double dt;

  if (self->rate_len < 2)
    return 0;
  newest = (self->rate_head + G_N_ELEMENTS (self->rate_time) - 1) % G_N_ELEMENTS (self->rate_time);
  oldest = (self->rate_head + G_N_ELEMENTS (self->rate_time) - self->rate_len) %
           G_N_ELEMENTS (self->rate_time);
  dt = (double) (self->rate_time[newest] - self->rate_time[oldest]) / G_USEC_PER_SEC;
  if (dt <= 0)
    return 0;
  return (double) (self->rate_steps[newest] - self->rate_steps[oldest]) / dt;
}

/* Notes how many steps the trainer has done (its own count, read under
 * its lock: the step signals arrive in bursts); the status line's
 * timeout calls it four times a second while training runs. */
static void
rate_sample (LtViewerWindow *self)
{
  const guint n = G_N_ELEMENTS (self->rate_time);
  gint64      now = g_get_monotonic_time ();

  self->rate_time[self->rate_head] = now;
  self->rate_steps[self->rate_head] = lt_trainer_get_step (self->trainer);
  self->rate_head = (self->rate_head + 1) % n;
  self->rate_len = MIN (self->rate_len + 1, n);
  /* Forget samples older than the window, keeping two */
  while (self->rate_len > 2)
    {
      guint oldest = (self->rate_head + n - self->rate_len) % n;

      if (now - self->rate_time[oldest] <= RATE_WINDOW_US)
        break;
      self->rate_len--;
    }
}

static void
rate_reset (LtViewerWindow *self)
{
  self->rate_head = 0;
  self->rate_len = 0;
}

static char *
progress_text (LtViewerWindow *self)
{
  g_autofree char *epoch = NULL;
  g_autofree char *batch = NULL;

  /* Translators: the run's number, the epoch and the number of epochs */
  epoch =
    g_strdup_printf (_ ("Run %u · epoch %u of %u"), self->run, MAX (self->epoch, 1), self->epochs);
  /* Translators: the mini-batch within the epoch and their number */
  batch = g_strdup_printf (_ ("mini-batch %" PRId64 " of %" PRId64), self->iteration,
                           self->steps_per_epoch);
  return g_strdup_printf ("%s · %s", epoch, batch);
}

static void
update_status (LtViewerWindow *self)
{
  g_autofree char *text = NULL;
  double           fraction = 0;

  if (self->epochs > 0 && self->steps_per_epoch > 0)
    fraction = ((double) (MAX (self->epoch, 1) - 1) * (double) self->steps_per_epoch +
                (double) self->iteration) /
               ((double) self->epochs * (double) self->steps_per_epoch);
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));

  switch (self->state)
    {
      case LT_VIEWER_STATE_LOADING:
        {
          LtViewerLoad *load = self->load;
          guint64       received = 0, total = 0;
          gboolean      downloading = FALSE;

          if (load)
            {
              g_mutex_lock (&load->lock);
              received = load->received;
              total = load->total;
              downloading = load->downloading;
              g_mutex_unlock (&load->lock);
            }
          if (downloading && total > 0)
            {
              text = g_strdup_printf (_ ("Downloading CIFAR-10: %.1f of %.1f MB"), received / 1e6,
                                      total / 1e6);
              gtk_progress_bar_set_fraction (self->download_bar, (double) received / total);
            }
          else if (downloading)
            {
              text = g_strdup_printf (_ ("Downloading CIFAR-10: %.1f MB"), received / 1e6);
              gtk_progress_bar_pulse (self->download_bar);
            }
          else
            {
              /* Translators: %s is the dataset's name, CIFAR-10 or Fashion-MNIST */
              text = g_strdup_printf (_ ("Reading %s…"),
                                      dataset_name (load ? load->kind : setting_dataset (self)));
              gtk_progress_bar_pulse (self->download_bar);
            }
          gtk_progress_bar_set_text (self->download_bar, text);
        }
        break;

      case LT_VIEWER_STATE_RUNNING:
        {
          g_autofree char *where = progress_text (self);
          double           rate = step_rate (self);

          if (rate > 0)
            {
              gint64 left =
                (gint64) self->epochs * self->steps_per_epoch -
                ((gint64) (MAX (self->epoch, 1) - 1) * self->steps_per_epoch + self->iteration);
              g_autofree char *eta = format_duration ((double) MAX (left, 0) / rate);

              /* Translators: where training is, the images per second and the
               * time left (m:ss or h:mm:ss) */
              text = g_strdup_printf (_ ("%s · %.0f images/s · %s left"), where,
                                      rate * (double) self->batch_size, eta);
            }
          else
            text = g_steal_pointer (&where);
        }
        break;

      case LT_VIEWER_STATE_PAUSED:
        {
          g_autofree char *where = progress_text (self);

          /* Translators: %s says where training is */
          text = g_strdup_printf (_ ("Paused · %s"), where);
        }
        break;

      case LT_VIEWER_STATE_STOPPING:
        text = g_strdup (_ ("Stopping after this mini-batch…"));
        break;

      case LT_VIEWER_STATE_IDLE:
      default:
        if (self->trainer == NULL)
          text = g_strdup (_ ("Ready to train"));
        else
          switch (lt_trainer_get_state (self->trainer))
            {
              case LT_TRAINER_STATE_FINISHED:
                text = g_strdup_printf (ngettext ("Run %u finished: %u epoch",
                                                  "Run %u finished: %u epochs", self->epochs),
                                        self->run, self->epochs);
                break;
              case LT_TRAINER_STATE_STOPPED:
                /* Translators: the run, the epoch and the mini-batch */
                text = g_strdup_printf (
                  _ ("Run %u stopped in epoch %u after mini-batch %" PRId64 "; Start continues it"),
                  self->run, lt_trainer_get_epoch (self->trainer) + 1,
                  lt_trainer_get_iteration (self->trainer));
                break;
              case LT_TRAINER_STATE_FAILED:
                text = g_strdup_printf (_ ("Run %u failed"), self->run);
                break;
              case LT_TRAINER_STATE_IDLE:
                text = g_strdup_printf (_ ("Run %u is ready at epoch %u, after mini-batch %" PRId64
                                           "; Start continues it"),
                                        self->run, lt_trainer_get_epoch (self->trainer) + 1,
                                        lt_trainer_get_iteration (self->trainer));
                break;
              case LT_TRAINER_STATE_RUNNING:
              case LT_TRAINER_STATE_PAUSED:
              default:
                text = progress_text (self);
                break;
            }
        break;
    }
  gtk_label_set_text (self->status_label, text);
}

/* The status line's text (for the tests) */
const char *
_lt_viewer_window_get_status (LtViewerWindow *self)
{
  update_status (self);
  return gtk_label_get_text (self->status_label);
}

static gboolean
status_timeout_cb (gpointer data)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (data);

  if (self->state == LT_VIEWER_STATE_RUNNING && self->trainer)
    rate_sample (self);
  update_status (self);
  return G_SOURCE_CONTINUE;
}

static void
set_state (LtViewerWindow *self, LtViewerState state)
{
  gboolean timed = state == LT_VIEWER_STATE_RUNNING || state == LT_VIEWER_STATE_LOADING;

  _lt_viewer_window_set_state (self, state);
  if (timed && self->status_source == 0)
    {
      self->status_source = g_timeout_add (STATUS_INTERVAL_MS, status_timeout_cb, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->status_source),
                                "[lt-viewer] status line");
    }
  else if (!timed)
    g_clear_handle_id (&self->status_source, g_source_remove);
  update_status (self);
}

/* The trainer's signals */

static void
trainer_step_cb (LtTrainer      *trainer,
                 guint           epoch,
                 gint64          iteration,
                 double          loss,
                 LtViewerWindow *self)
{
  self->epoch = epoch;
  self->iteration = iteration;
}

static void
trainer_state_cb (LtTrainer *trainer, GParamSpec *pspec, LtViewerWindow *self)
{
  LtTrainerState state = lt_trainer_get_state (trainer);

  if (self->state == LT_VIEWER_STATE_STOPPING)
    return;
  if (state == LT_TRAINER_STATE_PAUSED)
    set_state (self, LT_VIEWER_STATE_PAUSED);
  else if (state == LT_TRAINER_STATE_RUNNING)
    {
      rate_reset (self);
      set_state (self, LT_VIEWER_STATE_RUNNING);
    }
}

/* The run is over (finished, stopped or failed): the window goes back to
 * idle, or closes when it was asked to. */
static void
run_ended (LtViewerWindow *self)
{
  set_state (self, LT_VIEWER_STATE_IDLE);
  if (self->closing)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
trainer_finished_cb (LtTrainer *trainer, LtViewerWindow *self)
{
  g_autofree char *note = g_strdup_printf (_ ("Run %u finished"), self->run);

  _lt_viewer_window_show_toast (self, note);
  run_ended (self);
}

static void
trainer_stopped_cb (LtTrainer *trainer, guint epoch, gint64 iteration, LtViewerWindow *self)
{
  /* Translators: the epoch, the mini-batch, the checkpoint's file */
  g_autofree char *note = g_strdup_printf (
    _ ("Stopped in epoch %u after mini-batch %" PRId64 "; checkpoint written to %s"), epoch,
    iteration, self->checkpoint_path);

  _lt_viewer_window_show_toast (self, note);
  run_ended (self);
}

static void
trainer_failed_cb (LtTrainer *trainer, GError *error, LtViewerWindow *self)
{
  _lt_viewer_window_show_error (self, _ ("Training failed"), error);
  /* A window closing stays open to say so: its checkpoint may not have
   * been written; closing again closes it. */
  self->closing = FALSE;
  run_ended (self);
}

/* Building a run */

static char *
default_checkpoint_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "libtensor", "lt-viewer-checkpoint.safetensors",
                           NULL);
}

/* A trainer over the loaded data with the settings' hyperparameters,
 * not yet the window's */
static LtTrainer *
build_trainer (LtViewerWindow *self, GError **error)
{
  g_autoptr(LtTrainNet) net = NULL;
  g_autoptr(LtCrossEntropyLoss) loss = NULL;
  g_autoptr(LtOptimizer) optimizer = NULL;
  g_autoptr(LtDataLoader) train_loader = NULL;
  g_autoptr(LtDataLoader) test_loader = NULL;
  LtTrainOptimizerKind kind =
    (LtTrainOptimizerKind) g_settings_get_enum (self->settings, "optimizer");
  gint64     batch_size = g_settings_get_int (self->settings, "batch-size");
  guint      workers = (guint) g_settings_get_int (self->settings, "workers");
  LtTrainer *trainer;

  /* The same seed gives the same initial weights and batches */
  lt_manual_seed ((guint64) g_settings_get_int (self->settings, "seed"));
  if (!(net = lt_train_net_new (self->data.in_channels, error)) ||
      !(loss = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, error)) ||
      !(optimizer = lt_train_optimizer_new (
          kind, LT_MODULE (net), g_settings_get_double (self->settings, "learning-rate"),
          g_settings_get_double (self->settings, "momentum"),
          g_settings_get_double (self->settings, "weight-decay"), error)) ||
      !(train_loader =
          lt_data_loader_new (self->data.train, batch_size, TRUE, FALSE, workers, error)) ||
      !(test_loader =
          lt_data_loader_new (self->data.test, batch_size, FALSE, FALSE, workers, error)))
    return NULL;

  trainer = lt_trainer_new (LT_MODULE (net), LT_LOSS (loss), optimizer, train_loader, test_loader,
                            (guint) g_settings_get_int (self->settings, "epochs"));
  lt_trainer_set_device (trainer, setting_device (self));
  lt_trainer_set_log_interval (trainer, g_settings_get_int (self->settings, "log-interval"));
  lt_trainer_set_checkpoint_path (trainer, self->checkpoint_path);
  lt_trainer_set_checkpoint_every_epoch (trainer, TRUE);
  _lt_viewer_window_views_prepare_trainer (self, trainer);
  return trainer;
}

static void
forget_trainer (LtViewerWindow *self)
{
  if (self->trainer)
    {
      g_signal_handlers_disconnect_by_data (self->trainer, self);
      g_clear_object (&self->trainer);
    }
  g_clear_pointer (&self->trainer_config, g_free);
}

/* Makes @trainer the window's: a new run */
static void
install_trainer (LtViewerWindow *self, LtTrainer *trainer)
{
  forget_trainer (self);
  self->trainer = g_object_ref (trainer);
  self->trainer_config = trainer_config (self);
  self->run++;
  self->epoch = lt_trainer_get_epoch (trainer) + 1;
  self->iteration = lt_trainer_get_iteration (trainer);
  self->batch_size = lt_data_loader_get_batch_size (lt_trainer_get_train_loader (trainer));
  self->steps_per_epoch = lt_data_loader_get_length (lt_trainer_get_train_loader (trainer));
  self->epochs = lt_trainer_get_epochs (trainer);
  rate_reset (self);
  g_signal_connect (trainer, "step", G_CALLBACK (trainer_step_cb), self);
  g_signal_connect (trainer, "notify::state", G_CALLBACK (trainer_state_cb), self);
  g_signal_connect (trainer, "finished", G_CALLBACK (trainer_finished_cb), self);
  g_signal_connect (trainer, "stopped", G_CALLBACK (trainer_stopped_cb), self);
  g_signal_connect (trainer, "failed", G_CALLBACK (trainer_failed_cb), self);
  _lt_viewer_window_views_bind (self, trainer, self->run, (const char *const *) self->data.classes);
}

/* Whether Start goes on with the window's trainer rather than a new run */
static gboolean
can_continue (LtViewerWindow *self)
{
  g_autofree char *config = NULL;
  guint            epochs = (guint) g_settings_get_int (self->settings, "epochs");

  if (self->trainer == NULL)
    return FALSE;
  config = trainer_config (self);
  if (g_strcmp0 (config, self->trainer_config) != 0)
    return FALSE;
  switch (lt_trainer_get_state (self->trainer))
    {
      case LT_TRAINER_STATE_IDLE:
      case LT_TRAINER_STATE_STOPPED:
        return lt_trainer_get_epoch (self->trainer) < epochs;
      case LT_TRAINER_STATE_FINISHED:
        return lt_trainer_get_epoch (self->trainer) < epochs;
      case LT_TRAINER_STATE_FAILED:
      case LT_TRAINER_STATE_RUNNING:
      case LT_TRAINER_STATE_PAUSED:
      default:
        return FALSE;
    }
}

static gboolean
ensure_checkpoint_folder (LtViewerWindow *self, GError **error)
{
  g_autofree char *folder = g_path_get_dirname (self->checkpoint_path);

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("Cannot create the folder %s for the checkpoint: %s"), folder,
                   g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
start_with_data (LtViewerWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (!ensure_checkpoint_folder (self, &error))
    {
      _lt_viewer_window_show_error (self, _ ("Cannot start training"), error);
      set_state (self, LT_VIEWER_STATE_IDLE);
      return;
    }
  if (can_continue (self))
    {
      guint epochs = (guint) g_settings_get_int (self->settings, "epochs");

      lt_trainer_set_epochs (self->trainer, epochs);
      self->epochs = epochs;
    }
  else
    {
      g_autoptr(LtTrainer) trainer = build_trainer (self, &error);

      if (trainer == NULL)
        {
          _lt_viewer_window_show_error (self, _ ("Cannot start training"), error);
          set_state (self, LT_VIEWER_STATE_IDLE);
          return;
        }
      install_trainer (self, trainer);
    }
  rate_reset (self);
  if (!lt_trainer_start (self->trainer, NULL, &error))
    {
      _lt_viewer_window_show_error (self, _ ("Cannot start training"), error);
      set_state (self, LT_VIEWER_STATE_IDLE);
      return;
    }
  set_state (self, LT_VIEWER_STATE_RUNNING);
}

static void
open_checkpoint_with_data (LtViewerWindow *self)
{
  g_autoptr(GFile) file = g_steal_pointer (&self->pending_checkpoint);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  g_autofree char *name = file ? g_file_get_parse_name (file) : NULL;
  g_autoptr(LtTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;

  set_state (self, LT_VIEWER_STATE_IDLE);
  if (file == NULL)
    return;
  if (path == NULL)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("%s is not a local file"),
                   name);
      _lt_viewer_window_show_error (self, _ ("Cannot open the checkpoint"), error);
      return;
    }
  trainer = build_trainer (self, &error);
  if (trainer == NULL || !lt_trainer_resume_from (trainer, path, &error))
    {
      /* The run there was stays the window's. */
      _lt_viewer_window_show_error (self, _ ("Cannot open the checkpoint"), error);
      return;
    }
  install_trainer (self, trainer);
  /* Translators: the checkpoint's file, the epoch and the mini-batch */
  note = g_strdup_printf (_ ("Opened %s: epoch %u, after mini-batch %" PRId64), name,
                          lt_trainer_get_epoch (trainer) + 1, lt_trainer_get_iteration (trainer));
  _lt_viewer_window_show_toast (self, note);
  update_status (self);
  _lt_viewer_window_actions_update (self);
}

static void
after_load (LtViewerWindow *self)
{
  if (self->after_load == LT_VIEWER_AFTER_LOAD_OPEN_CHECKPOINT)
    open_checkpoint_with_data (self);
  else
    start_with_data (self);
}

/* Loading the data */

static void
load_progress_cb (guint64 received, guint64 total, gpointer user_data)
{
  LtViewerLoad *load = user_data;

  g_mutex_lock (&load->lock);
  load->received = received;
  load->total = total;
  g_mutex_unlock (&load->lock);
}

static void
load_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  LtViewerLoad *load = task_data;
  GError       *error = NULL;

  if (load->kind == LT_TRAIN_DATASET_CIFAR10 && !lt_train_data_cifar10_present (load->folder))
    {
      g_mutex_lock (&load->lock);
      load->downloading = TRUE;
      g_mutex_unlock (&load->lock);
      if (!lt_cifar10_download (load->folder, load_progress_cb, load, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_mutex_lock (&load->lock);
      load->downloading = FALSE;
      g_mutex_unlock (&load->lock);
    }
  if (!lt_train_data_load (load->kind, load->folder, FALSE, cancellable, &load->data, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LtViewerWindow *self = LT_VIEWER_WINDOW (source);
  LtViewerLoad   *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (self->load != load)
    return; /* the window has gone */
  g_clear_handle_id (&load->progress_source, g_source_remove);
  self->load = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _lt_viewer_window_show_toast (self, _ ("Stopped reading the data"));
      else
        {
          /* Translators: %s is the dataset's name */
          g_autofree char *what = g_strdup_printf (_ ("Cannot read %s"), dataset_name (load->kind));

          _lt_viewer_window_show_error (self, what, error);
        }
      g_clear_object (&self->pending_checkpoint);
      load_unref (load);
      set_state (self, LT_VIEWER_STATE_IDLE);
      return;
    }

  lt_train_data_clear (&self->data);
  self->data = load->data;
  memset (&load->data, 0, sizeof load->data);
  g_free (self->data_key);
  self->data_key = g_strdup (load->key);
  load_unref (load);
  after_load (self);
}

static gboolean
load_progress_timeout_cb (gpointer data)
{
  update_status (LT_VIEWER_WINDOW (data));
  return G_SOURCE_CONTINUE;
}

/* Loads the data the settings ask for unless it is loaded already, then
 * goes on with self->after_load. */
static void
ensure_data (LtViewerWindow *self)
{
  g_autofree char *key = data_key (self);
  g_autoptr(GTask) task = NULL;
  LtViewerLoad *load;

  if (self->data.train != NULL && g_strcmp0 (key, self->data_key) == 0)
    {
      after_load (self);
      return;
    }

  load = g_atomic_rc_box_new0 (LtViewerLoad);
  g_mutex_init (&load->lock);
  load->kind = setting_dataset (self);
  load->folder = _lt_viewer_window_dup_data_folder (self);
  load->key = g_steal_pointer (&key);
  load->cancellable = g_cancellable_new ();
  self->load = load; /* the window's reference; the task holds another */

  task = g_task_new (self, load->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, ensure_data);
  g_task_set_name (task, "[lt-viewer] load data");
  g_task_set_task_data (task, load_ref (load), (GDestroyNotify) load_unref);
  /* The download reports its progress into @load; this shows it. */
  load->progress_source = g_timeout_add (100, load_progress_timeout_cb, self);
  gtk_progress_bar_set_fraction (self->download_bar, 0);
  set_state (self, LT_VIEWER_STATE_LOADING);
  g_task_run_in_thread (task, load_thread);
}

/* The actions */

void
_lt_viewer_window_start (LtViewerWindow *self)
{
  g_return_if_fail (LT_VIEWER_IS_WINDOW (self));

  if (self->state != LT_VIEWER_STATE_IDLE || self->closing)
    return;
  gtk_info_bar_set_revealed (self->error_bar, FALSE);
  self->after_load = LT_VIEWER_AFTER_LOAD_START;
  ensure_data (self);
}

void
_lt_viewer_window_pause (LtViewerWindow *self)
{
  g_return_if_fail (LT_VIEWER_IS_WINDOW (self));

  if (self->state == LT_VIEWER_STATE_RUNNING && self->trainer)
    lt_trainer_pause (self->trainer);
}

void
_lt_viewer_window_resume (LtViewerWindow *self)
{
  g_return_if_fail (LT_VIEWER_IS_WINDOW (self));

  if (self->state == LT_VIEWER_STATE_PAUSED && self->trainer)
    lt_trainer_resume (self->trainer);
}

/* Stops after the mini-batch under way (the trainer writes its
 * checkpoint); while the data loads, stops loading. */
void
_lt_viewer_window_stop (LtViewerWindow *self)
{
  g_return_if_fail (LT_VIEWER_IS_WINDOW (self));

  switch (self->state)
    {
      case LT_VIEWER_STATE_LOADING:
        if (self->load)
          g_cancellable_cancel (self->load->cancellable);
        break;
      case LT_VIEWER_STATE_RUNNING:
      case LT_VIEWER_STATE_PAUSED:
        lt_trainer_stop (self->trainer);
        set_state (self, LT_VIEWER_STATE_STOPPING);
        break;
      case LT_VIEWER_STATE_IDLE:
      case LT_VIEWER_STATE_STOPPING:
      default:
        break;
    }
}

/* Saves the run where it is (between two mini-batches) to @file. */
gboolean
_lt_viewer_window_save_checkpoint (LtViewerWindow *self, GFile *file, GError **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (LT_VIEWER_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->trainer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _ ("There is no training to save yet: start training first"));
      return FALSE;
    }
  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("%s is not a local file"), name);
      return FALSE;
    }
  return lt_trainer_save_checkpoint (self->trainer, path, error);
}

/* Saves to @file and says how it went: a toast, or the error bar */
gboolean
_lt_viewer_window_save_checkpoint_to (LtViewerWindow *self, GFile *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *note = NULL;

  if (!_lt_viewer_window_save_checkpoint (self, file, &error))
    {
      _lt_viewer_window_show_error (self, _ ("Cannot save the checkpoint"), error);
      return FALSE;
    }
  name = g_file_get_parse_name (file);
  /* Translators: %s is a file name */
  note = g_strdup_printf (_ ("Checkpoint saved to %s"), name);
  _lt_viewer_window_show_toast (self, note);
  return TRUE;
}

/* Opens a checkpoint as a new run built from the settings (which must
 * match the ones it was saved with); errors go to the error bar. */
void
_lt_viewer_window_open_checkpoint (LtViewerWindow *self, GFile *file)
{
  g_return_if_fail (LT_VIEWER_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->state != LT_VIEWER_STATE_IDLE)
    return;
  gtk_info_bar_set_revealed (self->error_bar, FALSE);
  g_set_object (&self->pending_checkpoint, file);
  self->after_load = LT_VIEWER_AFTER_LOAD_OPEN_CHECKPOINT;
  ensure_data (self);
}

LtTrainer *
_lt_viewer_window_get_trainer (LtViewerWindow *self)
{
  g_return_val_if_fail (LT_VIEWER_IS_WINDOW (self), NULL);
  return self->trainer;
}

const char *
_lt_viewer_window_get_checkpoint_path (LtViewerWindow *self)
{
  g_return_val_if_fail (LT_VIEWER_IS_WINDOW (self), NULL);
  return self->checkpoint_path;
}

void
_lt_viewer_window_training_init (LtViewerWindow *self)
{
  self->checkpoint_path = default_checkpoint_path ();
  _lt_viewer_window_views_init (self);
}

void
_lt_viewer_window_training_dispose (LtViewerWindow *self)
{
  if (self->load)
    {
      g_cancellable_cancel (self->load->cancellable);
      g_clear_handle_id (&self->load->progress_source, g_source_remove);
      /* load_done_cb sees the window has gone */
      g_clear_pointer (&self->load, load_unref);
    }
  g_clear_handle_id (&self->status_source, g_source_remove);
  if (self->trainer)
    {
      /* Only reached when the window is destroyed while training, not
       * closed (which stops first): stop anyway, the checkpoint is written. */
      lt_trainer_stop (self->trainer);
    }
  forget_trainer (self);
  _lt_viewer_window_views_dispose (self);
  lt_train_data_clear (&self->data);
  g_clear_pointer (&self->data_key, g_free);
  g_clear_pointer (&self->checkpoint_path, g_free);
  g_clear_object (&self->pending_checkpoint);
}
