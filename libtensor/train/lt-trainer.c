/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-trainer-private.h"
#include "autograd/lt-autograd.h"
#include "core/lt-enum-types.h"
#include "core/lt-error.h"
#include "core/lt-random.h"
#include "distributed/lt-process-group.h"
#include "io/lt-file.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"

/**
 * LtTrainer:
 *
 * The tutorial's training loop, in a worker thread:
 *
 * ```python
 * for epoch in range(epochs):
 *     running_loss = 0.0
 *     for i, (inputs, labels) in enumerate(trainloader):
 *         optimizer.zero_grad()
 *         loss = criterion(net(inputs), labels)
 *         loss.backward()
 *         optimizer.step()
 *         running_loss += loss.item()
 *         if i % 2000 == 1999:
 *             print('[%d, %5d] loss: %.3f' % (epoch + 1, i + 1, running_loss / 2000))
 *             running_loss = 0.0
 * ```
 *
 * followed, after every epoch, by an evaluation on the test loader. The
 * trainer reports through signals emitted on the main context that was
 * the thread-default one when training started (lt_trainer_start()), in
 * the order things happened: #LtTrainer::step after every mini-batch,
 * #LtTrainer::log every #LtTrainer:log-interval mini-batches with the
 * running loss the tutorial prints, #LtTrainer::evaluated with the test
 * loss, accuracy and every test prediction, #LtTrainer::epoch-finished with
 * the mean training loss and the test accuracy (overall, per class, and the
 * confusion matrix), then exactly one of #LtTrainer::finished,
 * #LtTrainer::stopped and #LtTrainer::failed.
 *
 * The model runs in train mode while it trains and in eval mode, without
 * recording gradients, while it is evaluated. Anything that fails — the
 * dataset, a transform, the forward (also one written in Python),
 * the loss, the optimizer, a checkpoint write — ends the run
 * with #LtTrainer::failed and its #GError; nothing aborts.
 *
 * The forward, the loss and the data loading run in the worker thread
 * (and the loader's threads). Implementations in Python work there
 * (PyGObject takes the interpreter lock); gjs runs JavaScript on the main
 * thread only, so for a model or dataset written in JavaScript turn
 * #LtTrainer:threaded off: lt_trainer_run() then runs the loop on the
 * calling thread, iterating its main context between mini-batches (the
 * signals, a pause, timeouts and redraws are dispatched there).
 *
 * lt_trainer_pause(), lt_trainer_resume() and lt_trainer_stop() (or
 * cancelling the #GCancellable given to the start) take effect between
 * two mini-batches: the mini-batch under way finishes first.
 *
 * ## Checkpoints
 *
 * With #LtTrainer:checkpoint-path set, the trainer writes one safetensors
 * file (through lt_state_dict_save(): a temporary file renamed into place)
 * after every epoch (unless #LtTrainer:checkpoint-every-epoch is off) and
 * when it stops. It holds the model's state under the prefix `model.`, the
 * optimizer's (lt_optimizer_state_dict()) under `optimizer.`, and in its
 * metadata the epoch, the mini-batch and the step, the loss sums under
 * way, the state of the global random generator (lt_random_get_state())
 * and the data loaders' positions (lt_data_loader_get_position()).
 * lt_trainer_resume_from() puts a trainer built the same way back there,
 * and training continues exactly: N steps, stop, resume, N more steps give
 * the same parameters, bit for bit, as 2N steps without a stop.
 */

G_DEFINE_ENUM_TYPE (LtTrainerState, lt_trainer_state,
                    G_DEFINE_ENUM_VALUE (LT_TRAINER_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (LT_TRAINER_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (LT_TRAINER_STATE_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (LT_TRAINER_STATE_FINISHED, "finished"),
                    G_DEFINE_ENUM_VALUE (LT_TRAINER_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (LT_TRAINER_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (LtTrainer, lt_trainer, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_LOSS,
  PROP_OPTIMIZER,
  PROP_TRAIN_LOADER,
  PROP_TEST_LOADER,
  PROP_EPOCHS,
  PROP_DEVICE,
  PROP_LOG_INTERVAL,
  PROP_CHECKPOINT_PATH,
  PROP_CHECKPOINT_EVERY_EPOCH,
  PROP_MAX_STEPS,
  PROP_THREADED,
  PROP_GRAPH_INTERVAL,
  PROP_BATCH_INTERVAL,
  PROP_STOP_ON_DIVERGENCE,
  PROP_MAX_LAG,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_STEP,
  SIGNAL_LOG,
  SIGNAL_EPOCH_FINISHED,
  SIGNAL_EVALUATED,
  SIGNAL_GRAPH,
  SIGNAL_BATCH,
  SIGNAL_FINISHED,
  SIGNAL_STOPPED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Events: what the worker tells the main context, in order */

typedef enum {
  EVENT_STEP,
  EVENT_LOG,
  EVENT_EPOCH_FINISHED,
  EVENT_EVALUATED,
  EVENT_GRAPH,
  EVENT_BATCH,
  EVENT_STATE,            /* paused or running again */
  EVENT_FINISHED,
  EVENT_STOPPED,
  EVENT_FAILED,
} EventKind;

typedef struct
{
  EventKind kind;
  guint epoch;
  gint64 iteration;
  double value;           /* step: the loss; log: the running loss; epoch: the mean loss;
                           * evaluated: the test loss */
  double accuracy;
  LtTensor *class_accuracy;
  LtTensor *confusion;
  LtTensor *predictions;
  LtTensor *targets;
  LtTensor *inputs;
  LtGraph *graph;
  LtTrainerState state;
  GError *error;
} Event;

static void
event_free (gpointer data)
{
  Event *ev = data;

  g_clear_object (&ev->class_accuracy);
  g_clear_object (&ev->confusion);
  g_clear_object (&ev->predictions);
  g_clear_object (&ev->targets);
  g_clear_object (&ev->inputs);
  g_clear_object (&ev->graph);
  g_clear_error (&ev->error);
  g_free (ev);
}

static gboolean dispatch_events (gpointer data);

/* Queues @ev for the main context; the caller holds self->lock. */
static void
push_event_locked (LtTrainer *self,
                   Event     *ev)
{
  g_queue_push_tail (&self->events, ev);
  if (ev->kind == EVENT_STEP)
    self->steps_undelivered++;
  if (!self->dispatch_pending)
    {
      GSource *source = g_idle_source_new ();

      self->dispatch_pending = TRUE;
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, dispatch_events, g_object_ref (self), g_object_unref);
      g_source_set_static_name (source, "[libtensor] LtTrainer events");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

static void
push_event (LtTrainer *self,
            Event     *ev)
{
  g_mutex_lock (&self->lock);
  push_event_locked (self, ev);
  g_mutex_unlock (&self->lock);
}

static Event *
event_new (EventKind kind)
{
  Event *ev = g_new0 (Event, 1);

  ev->kind = kind;
  return ev;
}

static void
set_state (LtTrainer      *self,
           LtTrainerState  state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
    }
}

/* The end of a run, on the main context: the worker has returned or is
 * about to. */
static void
end_run (LtTrainer      *self,
         LtTrainerState  state,
         const GError   *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (self->thread)
    {
      g_thread_join (self->thread);
      self->thread = NULL;
      g_object_unref (self);      /* the worker's reference */
    }
  if (self->cancellable)
    {
      g_cancellable_disconnect (self->cancellable, self->cancelled_id);
      self->cancelled_id = 0;
      g_clear_object (&self->cancellable);
    }
  g_clear_error (&self->end_error);
  if (error)
    self->end_error = g_error_copy (error);
  self->running = FALSE;
  set_state (self, state);

  if (state == LT_TRAINER_STATE_FINISHED)
    g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
  else if (state == LT_TRAINER_STATE_STOPPED)
    g_signal_emit (self, signals[SIGNAL_STOPPED], 0, self->snapshot.epoch + 1,
                   self->snapshot.iteration);
  else
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);

  if (task)
    {
      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static gboolean
dispatch_events (gpointer data)
{
  LtTrainer *self = data;
  GQueue events = G_QUEUE_INIT;
  Event *ev;

  g_mutex_lock (&self->lock);
  events = self->events;
  g_queue_init (&self->events);
  self->dispatch_pending = FALSE;
  g_mutex_unlock (&self->lock);

  while ((ev = g_queue_pop_head (&events)) != NULL)
    {
      switch (ev->kind)
        {
        case EVENT_STEP:
          g_signal_emit (self, signals[SIGNAL_STEP], 0, ev->epoch, ev->iteration, ev->value);
          /* delivered: the worker may be waiting for it (max-lag) */
          g_mutex_lock (&self->lock);
          self->steps_undelivered--;
          g_cond_broadcast (&self->cond);
          g_mutex_unlock (&self->lock);
          break;
        case EVENT_LOG:
          g_signal_emit (self, signals[SIGNAL_LOG], 0, ev->epoch, ev->iteration, ev->value);
          break;
        case EVENT_EPOCH_FINISHED:
          g_signal_emit (self, signals[SIGNAL_EPOCH_FINISHED], 0, ev->epoch, ev->value,
                         ev->accuracy, ev->class_accuracy, ev->confusion);
          break;
        case EVENT_EVALUATED:
          g_signal_emit (self, signals[SIGNAL_EVALUATED], 0, ev->epoch, ev->value, ev->accuracy,
                         ev->predictions, ev->targets);
          break;
        case EVENT_GRAPH:
          g_signal_emit (self, signals[SIGNAL_GRAPH], 0, ev->graph);
          break;
        case EVENT_BATCH:
          g_signal_emit (self, signals[SIGNAL_BATCH], 0, ev->epoch, ev->iteration, ev->inputs,
                         ev->targets, ev->predictions);
          break;
        case EVENT_STATE:
          if (self->running)
            set_state (self, ev->state);
          break;
        case EVENT_FINISHED:
          end_run (self, LT_TRAINER_STATE_FINISHED, NULL);
          break;
        case EVENT_STOPPED:
          end_run (self, LT_TRAINER_STATE_STOPPED, NULL);
          break;
        case EVENT_FAILED:
          end_run (self, LT_TRAINER_STATE_FAILED, ev->error);
          break;
        default:
          g_assert_not_reached ();
        }
      event_free (ev);
    }
  return G_SOURCE_REMOVE;
}

/* The worker */

/* Runs what is ready on the caller's main context, with the caller's grad
 * mode (the loop may be evaluating without gradients): the loop on the
 * calling thread (LtTrainer:threaded off) between two mini-batches. The
 * caller holds self->lock, released meanwhile. */
static void
iterate_inline_locked (LtTrainer *self,
                       gboolean   may_block)
{
  gboolean grad;

  g_mutex_unlock (&self->lock);
  grad = lt_set_grad_enabled (self->caller_grad);
  if (may_block)
    g_main_context_iteration (self->context, TRUE);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  lt_set_grad_enabled (grad);
  g_mutex_lock (&self->lock);
}

/* Between two mini-batches: waits while paused; FALSE when asked to stop. */
static gboolean
control_point (LtTrainer *self,
               gpointer   user_data)
{
  gboolean go_on;

  g_mutex_lock (&self->lock);
  if (self->inline_active)
    iterate_inline_locked (self, FALSE);
  else
    /* No further ahead of the step signals than max-lag mini-batches: the
     * handlers see the worker's state as it is, a pause asked from a step
     * handler takes effect within max-lag mini-batches, and a main
     * context that falls behind does not queue events without end. */
    while (self->max_lag > 0 && self->steps_undelivered >= self->max_lag && !self->stop_requested)
      g_cond_wait (&self->cond, &self->lock);
  if (self->pause_requested && !self->stop_requested)
    {
      Event *ev = event_new (EVENT_STATE);

      ev->state = LT_TRAINER_STATE_PAUSED;
      push_event_locked (self, ev);
      while (self->pause_requested && !self->stop_requested)
        {
          if (self->inline_active)
            iterate_inline_locked (self, TRUE);
          else
            g_cond_wait (&self->cond, &self->lock);
        }
      ev = event_new (EVENT_STATE);
      ev->state = LT_TRAINER_STATE_RUNNING;
      push_event_locked (self, ev);
    }
  go_on = !self->stop_requested &&
          !(self->max_steps > 0 && self->progress.step >= self->max_steps);
  g_mutex_unlock (&self->lock);
  return go_on;
}

typedef enum {
  EPOCH_DONE,
  EPOCH_STOPPED,
  EPOCH_FAILED,
} EpochResult;

/* The rest of the current training epoch. */
static EpochResult
train_epoch (LtTrainer *self,
             LtDevice   device,
             GError   **error)
{
  for (;;)
    {
      g_autoptr(LtTensor) inputs = NULL;
      g_autoptr(LtTensor) targets = NULL;
      GError *local = NULL;
      LtTrainerStep step = { 0 };
      double value = 0;
      gboolean ok, end, log;
      guint epoch;
      gint64 iteration, interval;
      guint64 graph_interval, batch_interval;
      double running = 0;
      Event *ev;

      if (!control_point (self, NULL))
        return EPOCH_STOPPED;

      g_mutex_lock (&self->lock);
      graph_interval = self->graph_interval;
      batch_interval = self->batch_interval;
      g_mutex_unlock (&self->lock);
      /* The first mini-batch of the run, then every interval. */
      step.want_graph = graph_interval > 0 && self->run_steps % graph_interval == 0;
      step.want_batch = batch_interval > 0 && self->run_steps % batch_interval == 0;

      g_mutex_lock (&self->model_lock);
      ok = lt_data_loader_next (self->train_loader, &inputs, &targets, &local);
      end = ok && inputs == NULL; /* the end of the epoch */
      if (ok && !end)
        ok = _lt_trainer_train_step (self, inputs, targets, device, &step, &local);
      value = step.loss;
      /* Nothing of the mini-batch outlives it, when its signals go out. */
      g_clear_object (&inputs);
      g_clear_object (&targets);
      if (!ok || end)
        {
          _lt_trainer_step_clear (&step);
          g_mutex_unlock (&self->model_lock);
          if (local == NULL && self->progress.iteration == 0)
            g_set_error (&local, LT_ERROR, LT_ERROR_FAILED,
                         "trainer: the training loader gave no mini-batch in epoch %u: its "
                         "dataset is empty, or is code that cannot run on the trainer's worker "
                         "thread (JavaScript: turn the trainer's threaded property off)",
                         self->progress.epoch + 1);
          if (local == NULL)
            return EPOCH_DONE;
          g_propagate_error (error, local);
          return EPOCH_FAILED;
        }

      self->run_steps++;
      g_mutex_lock (&self->lock);
      interval = self->log_interval;
      self->progress.iteration++;
      self->progress.step++;
      self->progress.running_loss += value;
      self->progress.running_count++;
      self->progress.epoch_loss += value;
      epoch = self->progress.epoch + 1;
      iteration = self->progress.iteration;
      log = interval > 0 && iteration % interval == 0;
      if (log)
        {
          running = self->progress.running_loss / (double) interval;
          self->progress.running_loss = 0;
          self->progress.running_count = 0;
        }
      g_mutex_unlock (&self->lock);
      _lt_trainer_take_snapshot (self, &self->snapshot);
      g_mutex_unlock (&self->model_lock);

      ev = event_new (EVENT_STEP);
      ev->epoch = epoch;
      ev->iteration = iteration;
      ev->value = value;
      push_event (self, ev);
      if (step.graph)
        {
          ev = event_new (EVENT_GRAPH);
          ev->graph = g_steal_pointer (&step.graph);
          push_event (self, ev);
        }
      if (step.inputs)
        {
          ev = event_new (EVENT_BATCH);
          ev->epoch = epoch;
          ev->iteration = iteration;
          ev->inputs = g_steal_pointer (&step.inputs);
          ev->targets = g_steal_pointer (&step.targets);
          ev->predictions = g_steal_pointer (&step.predictions);
          push_event (self, ev);
        }
      _lt_trainer_step_clear (&step);
      if (log)
        {
          ev = event_new (EVENT_LOG);
          ev->epoch = epoch;
          ev->iteration = iteration;
          ev->value = running;
          push_event (self, ev);
        }
    }
}

/* Under a process group (mpirun) rank 0 alone writes the checkpoints:
 * every rank holds the same model, and every rank resumes from rank 0's
 * file. */
static gboolean
writes_checkpoints (void)
{
  LtProcessGroup *group = lt_process_group_get_default ();

  return group == NULL || lt_process_group_get_rank (group) == 0;
}

static void
worker_stop (LtTrainer *self)
{
  GError *error = NULL;
  char *path;

  g_mutex_lock (&self->lock);
  path = writes_checkpoints () ? g_strdup (self->checkpoint_path) : NULL;
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&self->model_lock);
  if (path)
    _lt_trainer_write_checkpoint (self, &self->snapshot, path, &error);
  g_mutex_unlock (&self->model_lock);
  g_free (path);
  if (error)
    {
      Event *ev = event_new (EVENT_FAILED);

      ev->error = error;
      push_event (self, ev);
    }
  else
    push_event (self, event_new (EVENT_STOPPED));
}

static void
worker_fail (LtTrainer *self,
             GError    *error)
{
  Event *ev = event_new (EVENT_FAILED);

  ev->error = error;
  push_event (self, ev);
}

static gpointer
worker_main (gpointer data)
{
  LtTrainer *self = data;
  GError *error = NULL;
  LtDevice device;

  g_mutex_lock (&self->lock);
  device = self->device;
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&self->model_lock);
  if (!lt_module_to_device (self->model, device, &error) ||
      !lt_module_to_device (LT_MODULE (self->loss), device, &error))
    {
      g_mutex_unlock (&self->model_lock);
      g_prefix_error (&error, "trainer: ");
      worker_fail (self, error);
      return NULL;
    }
  _lt_trainer_take_snapshot (self, &self->snapshot);
  self->has_snapshot = TRUE;
  g_mutex_unlock (&self->model_lock);

  for (;;)
    {
      guint epochs, epoch;
      gint64 iterations;
      double mean;
      LtTrainerEvaluation evaluation = { NAN, NAN, NULL, NULL, NULL, NULL };
      g_autofree char *path = NULL;
      EpochResult result;
      Event *ev;

      g_mutex_lock (&self->lock);
      epochs = self->epochs;
      epoch = self->progress.epoch;
      g_mutex_unlock (&self->lock);
      if (epoch >= epochs)
        break;

      result = train_epoch (self, device, &error);
      if (result == EPOCH_STOPPED)
        {
          worker_stop (self);
          return NULL;
        }
      if (result == EPOCH_FAILED)
        {
          worker_fail (self, error);
          return NULL;
        }

      if (self->test_loader)
        {
          if (!_lt_trainer_evaluate_loader (self, self->test_loader, TRUE, control_point, NULL,
                                            NULL, TRUE, &evaluation, &error))
            {
              if (error)
                worker_fail (self, error);
              else
                worker_stop (self);
              return NULL;
            }
          ev = event_new (EVENT_EVALUATED);
          ev->epoch = epoch + 1;
          ev->value = evaluation.loss;
          ev->accuracy = evaluation.accuracy;
          ev->predictions = g_steal_pointer (&evaluation.predictions);
          ev->targets = g_steal_pointer (&evaluation.targets);
          push_event (self, ev);
        }

      g_mutex_lock (&self->model_lock);
      g_mutex_lock (&self->lock);
      iterations = self->progress.iteration;
      mean = iterations > 0 ? self->progress.epoch_loss / (double) iterations : NAN;
      self->progress.epoch++;
      self->progress.iteration = 0;
      self->progress.running_loss = 0;
      self->progress.running_count = 0;
      self->progress.epoch_loss = 0;
      if (self->checkpoint_every_epoch && writes_checkpoints ())
        path = g_strdup (self->checkpoint_path);
      g_mutex_unlock (&self->lock);
      _lt_trainer_take_snapshot (self, &self->snapshot);
      if (path)
        _lt_trainer_write_checkpoint (self, &self->snapshot, path, &error);
      g_mutex_unlock (&self->model_lock);
      if (error)
        {
          _lt_trainer_evaluation_clear (&evaluation);
          worker_fail (self, error);
          return NULL;
        }

      ev = event_new (EVENT_EPOCH_FINISHED);
      ev->epoch = epoch + 1;
      ev->iteration = iterations;
      ev->value = mean;
      ev->accuracy = evaluation.accuracy;
      ev->class_accuracy = g_steal_pointer (&evaluation.class_accuracy);
      ev->confusion = g_steal_pointer (&evaluation.confusion);
      _lt_trainer_evaluation_clear (&evaluation);
      push_event (self, ev);
    }
  push_event (self, event_new (EVENT_FINISHED));
  return NULL;
}

/* Control */

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      data)
{
  lt_trainer_stop (LT_TRAINER (data));
}

/**
 * lt_trainer_start:
 * @self: a trainer
 * @cancellable: (nullable): a #GCancellable: cancelling it stops the
 *   training as lt_trainer_stop() does
 * @error: return location for a #GError
 *
 * ## Distributed training
 *
 * Started under mpirun with a default process group
 * (lt_init_process_group()), a model wrapped in
 * #LtDistributedDataParallel and a training loader whose
 * #LtDistributedSampler gives each rank its shard, every rank runs the
 * same loop on its part of each global batch. Only rank 0 writes the
 * checkpoints (after every epoch and on stop); every rank resumes from
 * that file with lt_trainer_resume_from() and continues exactly. A lost
 * peer ends the run of every other rank with #LtTrainer::failed and
 * %LT_ERROR_PEER_LOST; the last checkpoint stays as it was written.
 *
 * Starts training in a worker thread and returns at once. The signals
 * are emitted on the thread-default main context of the calling thread
 * (g_main_context_ref_thread_default()), which must be iterated for them
 * to arrive; the run ends with #LtTrainer::finished, #LtTrainer::stopped
 * or #LtTrainer::failed.
 *
 * Training goes on from where the trainer is: from the start for a new
 * trainer, from a checkpoint after lt_trainer_resume_from(), and, after a
 * stop, from where it stopped (exactly: the random generator and the
 * loaders are put back where they were at the stop). Increase
 * #LtTrainer:epochs to train more after #LtTrainer::finished.
 *
 * Keep a reference to @self until the run ends.
 *
 * Returns: %TRUE when the worker started; %FALSE with @error set when the
 *   trainer is already running or no thread could be made
 */
/* What every run does first; FALSE with @error set when it cannot run. */
static gboolean
prepare_run (LtTrainer  *self,
             GError    **error)
{
  if (self->running)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "trainer: already running");
      return FALSE;
    }
  if (self->state == LT_TRAINER_STATE_STOPPED && self->has_snapshot &&
      !_lt_trainer_apply_snapshot (self, &self->snapshot, error))
    return FALSE;
  /* A checkpoint written after every epoch must be writable: found out
   * now, not after an epoch of training. */
  if (self->checkpoint_path && self->checkpoint_every_epoch && writes_checkpoints () &&
      !lt_file_check_writable (self->checkpoint_path, error))
    {
      g_prefix_error (error, "trainer: the checkpoint cannot be written: ");
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  self->stop_requested = FALSE;
  self->pause_requested = FALSE;
  self->steps_undelivered = 0;
  g_mutex_unlock (&self->lock);
  self->run_steps = 0;
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_clear_error (&self->end_error);
  return TRUE;
}

static void
watch_cancellable (LtTrainer    *self,
                   GCancellable *cancellable)
{
  if (cancellable)
    {
      self->cancellable = g_object_ref (cancellable);
      /* Called at once when already cancelled. */
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self,
                                                  NULL);
    }
}

gboolean
lt_trainer_start (LtTrainer     *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  if (!self->threaded)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "trainer: with the threaded property off the loop runs on the calling "
                   "thread: use lt_trainer_run()");
      return FALSE;
    }
  if (!prepare_run (self, error))
    return FALSE;

  self->thread = g_thread_try_new ("lt-trainer", worker_main, g_object_ref (self), error);
  if (self->thread == NULL)
    {
      g_object_unref (self);
      g_prefix_error (error, "trainer: ");
      return FALSE;
    }
  self->running = TRUE;
  set_state (self, LT_TRAINER_STATE_RUNNING);
  watch_cancellable (self, cancellable);
  return TRUE;
}

/**
 * lt_trainer_run_async:
 * @self: a trainer
 * @cancellable: (nullable): a #GCancellable: cancelling it stops the
 *   training after the current mini-batch
 * @callback: (scope async) (closure user_data): called when the run ends
 * @user_data: data for @callback
 *
 * Starts training as lt_trainer_start() does, and calls @callback on the
 * thread-default main context when the run ends, after the last signal.
 * Get the outcome with lt_trainer_run_finish().
 */
void
lt_trainer_run_async (LtTrainer           *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (LT_IS_TRAINER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lt_trainer_run_async);
  /* A stop through the cancellable is a normal end, with its checkpoint. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->running)
    {
      g_task_return_new_error (task, LT_ERROR, LT_ERROR_FAILED, "trainer: already running");
      return;
    }
  if (!lt_trainer_start (self, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->task = g_steal_pointer (&task);
}

/**
 * lt_trainer_run_finish:
 * @self: a trainer
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Gets the outcome of lt_trainer_run_async().
 *
 * Returns: %TRUE when the run finished or was stopped (see
 *   lt_trainer_get_state()); %FALSE with @error set when it failed
 */
gboolean
lt_trainer_run_finish (LtTrainer     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * lt_trainer_run:
 * @self: a trainer
 * @cancellable: (nullable): a #GCancellable: cancelling it stops the
 *   training after the current mini-batch
 * @error: return location for a #GError
 *
 * Trains and returns when the run ends: for command-line programs. It
 * starts the worker as lt_trainer_start() does and iterates the calling
 * thread's thread-default main context meanwhile, so the signals, and any
 * other source of that context (a Unix signal handler that calls
 * lt_trainer_stop(), say), are dispatched while it waits.
 *
 * With #LtTrainer:threaded off there is no worker: the loop runs here, on
 * the calling thread, and the context is iterated between mini-batches
 * (and while paused), so the same signals and sources are dispatched
 * there.
 *
 * Returns: %TRUE when the run finished or was stopped (see
 *   lt_trainer_get_state()); %FALSE with @error set when it failed
 */
gboolean
lt_trainer_run (LtTrainer     *self,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GMainContext) context = NULL;

  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  context = g_main_context_ref_thread_default ();
  if (!g_main_context_acquire (context))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "trainer: lt_trainer_run() must own its thread's main context, which "
                   "another thread runs; use lt_trainer_run_async() there");
      return FALSE;
    }
  g_object_ref (self);
  if (self->threaded)
    {
      if (!lt_trainer_start (self, cancellable, error))
        {
          g_main_context_release (context);
          g_object_unref (self);
          return FALSE;
        }
    }
  else
    {
      if (!prepare_run (self, error))
        {
          g_main_context_release (context);
          g_object_unref (self);
          return FALSE;
        }
      self->running = TRUE;
      set_state (self, LT_TRAINER_STATE_RUNNING);
      g_mutex_lock (&self->lock);
      self->inline_active = TRUE;
      self->caller_grad = lt_is_grad_enabled ();
      g_mutex_unlock (&self->lock);
      watch_cancellable (self, cancellable);
      worker_main (self);
      g_mutex_lock (&self->lock);
      self->inline_active = FALSE;
      g_mutex_unlock (&self->lock);
    }
  while (self->running)
    g_main_context_iteration (context, TRUE);
  g_main_context_release (context);
  if (self->end_error)
    {
      g_propagate_error (error, g_error_copy (self->end_error));
      g_object_unref (self);
      return FALSE;
    }
  g_object_unref (self);
  return TRUE;
}

/**
 * lt_trainer_pause:
 * @self: a trainer
 *
 * Pauses training after the mini-batch under way (or, while evaluating,
 * after the test batch under way); #LtTrainer:state becomes
 * %LT_TRAINER_STATE_PAUSED when the worker waits. Does nothing when the
 * trainer is not running.
 */
void
lt_trainer_pause (LtTrainer *self)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->thread || self->inline_active)
    self->pause_requested = TRUE;
  g_mutex_unlock (&self->lock);
}

/**
 * lt_trainer_resume:
 * @self: a trainer
 *
 * Lets a paused trainer go on.
 */
void
lt_trainer_resume (LtTrainer *self)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  self->pause_requested = FALSE;
  g_cond_broadcast (&self->cond);
  if (self->inline_active)
    g_main_context_wakeup (self->context);
  g_mutex_unlock (&self->lock);
}

/**
 * lt_trainer_stop:
 * @self: a trainer
 *
 * Stops training after the mini-batch under way (a paused trainer stops
 * at once): the worker writes the checkpoint when #LtTrainer:checkpoint-path
 * is set, then #LtTrainer::stopped is emitted. Safe to call from any
 * thread, and from a #GCancellable's handler. Does nothing when the
 * trainer is not running.
 */
void
lt_trainer_stop (LtTrainer *self)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->thread || self->inline_active)
    self->stop_requested = TRUE;
  g_cond_broadcast (&self->cond);
  if (self->inline_active)
    g_main_context_wakeup (self->context);
  g_mutex_unlock (&self->lock);
}

/* GObject */

static void
lt_trainer_dispose (GObject *object)
{
  LtTrainer *self = LT_TRAINER (object);

  /* The worker holds a reference: there is none while it runs. */
  g_queue_clear_full (&self->events, event_free);
  g_clear_object (&self->task);
  g_clear_object (&self->model);
  g_clear_object (&self->loss);
  g_clear_object (&self->optimizer);
  g_clear_object (&self->train_loader);
  g_clear_object (&self->test_loader);
  G_OBJECT_CLASS (lt_trainer_parent_class)->dispose (object);
}

static void
lt_trainer_finalize (GObject *object)
{
  LtTrainer *self = LT_TRAINER (object);

  g_free (self->checkpoint_path);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->end_error);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->model_lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (lt_trainer_parent_class)->finalize (object);
}

static void
lt_trainer_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LtTrainer *self = LT_TRAINER (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_LOSS:
      g_value_set_object (value, self->loss);
      break;
    case PROP_OPTIMIZER:
      g_value_set_object (value, self->optimizer);
      break;
    case PROP_TRAIN_LOADER:
      g_value_set_object (value, self->train_loader);
      break;
    case PROP_TEST_LOADER:
      g_value_set_object (value, self->test_loader);
      break;
    case PROP_EPOCHS:
      g_value_set_uint (value, lt_trainer_get_epochs (self));
      break;
    case PROP_DEVICE:
      g_value_set_enum (value, lt_trainer_get_device (self));
      break;
    case PROP_LOG_INTERVAL:
      g_value_set_int64 (value, lt_trainer_get_log_interval (self));
      break;
    case PROP_CHECKPOINT_PATH:
      g_value_set_string (value, self->checkpoint_path);
      break;
    case PROP_CHECKPOINT_EVERY_EPOCH:
      g_value_set_boolean (value, lt_trainer_get_checkpoint_every_epoch (self));
      break;
    case PROP_MAX_STEPS:
      g_value_set_uint64 (value, lt_trainer_get_max_steps (self));
      break;
    case PROP_THREADED:
      g_value_set_boolean (value, self->threaded);
      break;
    case PROP_GRAPH_INTERVAL:
      g_value_set_uint64 (value, lt_trainer_get_graph_interval (self));
      break;
    case PROP_BATCH_INTERVAL:
      g_value_set_uint64 (value, lt_trainer_get_batch_interval (self));
      break;
    case PROP_STOP_ON_DIVERGENCE:
      g_value_set_boolean (value, lt_trainer_get_stop_on_divergence (self));
      break;
    case PROP_MAX_LAG:
      g_value_set_uint64 (value, lt_trainer_get_max_lag (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_trainer_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LtTrainer *self = LT_TRAINER (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      break;
    case PROP_LOSS:
      self->loss = g_value_dup_object (value);
      break;
    case PROP_OPTIMIZER:
      self->optimizer = g_value_dup_object (value);
      break;
    case PROP_TRAIN_LOADER:
      self->train_loader = g_value_dup_object (value);
      break;
    case PROP_TEST_LOADER:
      self->test_loader = g_value_dup_object (value);
      break;
    case PROP_EPOCHS:
      lt_trainer_set_epochs (self, g_value_get_uint (value));
      break;
    case PROP_DEVICE:
      lt_trainer_set_device (self, g_value_get_enum (value));
      break;
    case PROP_LOG_INTERVAL:
      lt_trainer_set_log_interval (self, g_value_get_int64 (value));
      break;
    case PROP_CHECKPOINT_PATH:
      lt_trainer_set_checkpoint_path (self, g_value_get_string (value));
      break;
    case PROP_CHECKPOINT_EVERY_EPOCH:
      lt_trainer_set_checkpoint_every_epoch (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_STEPS:
      lt_trainer_set_max_steps (self, g_value_get_uint64 (value));
      break;
    case PROP_THREADED:
      lt_trainer_set_threaded (self, g_value_get_boolean (value));
      break;
    case PROP_GRAPH_INTERVAL:
      lt_trainer_set_graph_interval (self, g_value_get_uint64 (value));
      break;
    case PROP_BATCH_INTERVAL:
      lt_trainer_set_batch_interval (self, g_value_get_uint64 (value));
      break;
    case PROP_STOP_ON_DIVERGENCE:
      lt_trainer_set_stop_on_divergence (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_LAG:
      lt_trainer_set_max_lag (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_trainer_class_init (LtTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lt_trainer_dispose;
  object_class->finalize = lt_trainer_finalize;
  object_class->get_property = lt_trainer_get_property;
  object_class->set_property = lt_trainer_set_property;

  /**
   * LtTrainer:model:
   *
   * The model to train.
   */
  props[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, LT_TYPE_MODULE, construct);
  /**
   * LtTrainer:loss:
   *
   * The loss to minimise (for a classifier, #LtCrossEntropyLoss).
   */
  props[PROP_LOSS] =
    g_param_spec_object ("loss", NULL, NULL, LT_TYPE_LOSS, construct);
  /**
   * LtTrainer:optimizer:
   *
   * The optimizer over the model's parameters.
   */
  props[PROP_OPTIMIZER] =
    g_param_spec_object ("optimizer", NULL, NULL, LT_TYPE_OPTIMIZER, construct);
  /**
   * LtTrainer:train-loader:
   *
   * The loader of the training set.
   */
  props[PROP_TRAIN_LOADER] =
    g_param_spec_object ("train-loader", NULL, NULL, LT_TYPE_DATA_LOADER, construct);
  /**
   * LtTrainer:test-loader:
   *
   * The loader of the test set, evaluated after every epoch; %NULL for
   * none.
   */
  props[PROP_TEST_LOADER] =
    g_param_spec_object ("test-loader", NULL, NULL, LT_TYPE_DATA_LOADER, construct);
  /**
   * LtTrainer:epochs:
   *
   * The number of epochs to train, counted from the start.
   */
  props[PROP_EPOCHS] =
    g_param_spec_uint ("epochs", NULL, NULL, 0, G_MAXUINT, 2, rw | G_PARAM_CONSTRUCT);
  /**
   * LtTrainer:device:
   *
   * The device the model trains on.
   */
  props[PROP_DEVICE] =
    g_param_spec_enum ("device", NULL, NULL, LT_TYPE_DEVICE, LT_DEVICE_CPU, rw);
  /**
   * LtTrainer:log-interval:
   *
   * The number of mini-batches between two #LtTrainer::log signals; 0 for
   * none.
   */
  props[PROP_LOG_INTERVAL] =
    g_param_spec_int64 ("log-interval", NULL, NULL, 0, G_MAXINT64,
                        LT_TRAINER_DEFAULT_LOG_INTERVAL, rw);
  /**
   * LtTrainer:checkpoint-path:
   *
   * The file checkpoints are written to; %NULL for none.
   */
  props[PROP_CHECKPOINT_PATH] =
    g_param_spec_string ("checkpoint-path", NULL, NULL, NULL, rw);
  /**
   * LtTrainer:checkpoint-every-epoch:
   *
   * Whether the checkpoint is written after every epoch as well as when
   * the trainer stops.
   */
  props[PROP_CHECKPOINT_EVERY_EPOCH] =
    g_param_spec_boolean ("checkpoint-every-epoch", NULL, NULL, TRUE, rw);
  /**
   * LtTrainer:max-steps:
   *
   * The number of mini-batches, counted from the start, after which the
   * trainer stops by itself; 0 for no limit.
   */
  props[PROP_MAX_STEPS] =
    g_param_spec_uint64 ("max-steps", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  /**
   * LtTrainer:threaded:
   *
   * Whether the loop runs in a worker thread (the default), or on the
   * thread that calls lt_trainer_run(): see lt_trainer_set_threaded().
   */
  props[PROP_THREADED] =
    g_param_spec_boolean ("threaded", NULL, NULL, TRUE, rw);
  /**
   * LtTrainer:graph-interval:
   *
   * How often, in mini-batches, the trainer emits #LtTrainer::graph: on
   * the first mini-batch of every run and then every graph-interval
   * mini-batches of it; 0 (the default) for never.
   */
  props[PROP_GRAPH_INTERVAL] =
    g_param_spec_uint64 ("graph-interval", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  /**
   * LtTrainer:batch-interval:
   *
   * How often, in mini-batches, the trainer emits #LtTrainer::batch: on
   * the first mini-batch of every run and then every batch-interval
   * mini-batches of it; 0 (the default) for never.
   */
  props[PROP_BATCH_INTERVAL] =
    g_param_spec_uint64 ("batch-interval", NULL, NULL, 0, G_MAXUINT64, 0, rw);
  /**
   * LtTrainer:stop-on-divergence:
   *
   * Whether a mini-batch whose loss is NaN or infinite ends the run with
   * %LT_ERROR_DIVERGED (the default), before its update; see
   * lt_trainer_set_stop_on_divergence().
   */
  props[PROP_STOP_ON_DIVERGENCE] =
    g_param_spec_boolean ("stop-on-divergence", NULL, NULL, TRUE, rw);
  /**
   * LtTrainer:max-lag:
   *
   * How many mini-batches the worker may run ahead of the #LtTrainer::step
   * signals delivered on the main context; 0 for no bound. See
   * lt_trainer_set_max_lag().
   */
  props[PROP_MAX_LAG] =
    g_param_spec_uint64 ("max-lag", NULL, NULL, 0, G_MAXUINT64, LT_TRAINER_DEFAULT_MAX_LAG, rw);
  /**
   * LtTrainer:state:
   *
   * Where the trainer is, as its main context has seen it.
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LT_TYPE_TRAINER_STATE, LT_TRAINER_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * LtTrainer::step:
   * @self: the trainer
   * @epoch: the epoch, from 1
   * @iteration: the mini-batch within the epoch, from 1
   * @loss: the mini-batch's loss
   *
   * Emitted after every optimizer step.
   */
  signals[SIGNAL_STEP] =
    g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_INT64, G_TYPE_DOUBLE);
  /**
   * LtTrainer::log:
   * @self: the trainer
   * @epoch: the epoch, from 1
   * @iteration: the mini-batch within the epoch, from 1: a multiple of
   *   #LtTrainer:log-interval
   * @running_loss: the mean loss of the last #LtTrainer:log-interval
   *   mini-batches
   *
   * Emitted every #LtTrainer:log-interval mini-batches of an epoch, with
   * what the tutorial prints as `'[%d, %5d] loss: %.3f' % (epoch,
   * iteration, running_loss)`.
   */
  signals[SIGNAL_LOG] =
    g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_INT64, G_TYPE_DOUBLE);
  /**
   * LtTrainer::epoch-finished:
   * @self: the trainer
   * @epoch: the epoch, from 1
   * @train_loss: the mean loss of the epoch's mini-batches
   * @accuracy: the fraction of the test set classified right, from 0 to
   *   1; NaN without a test loader
   * @class_accuracy: (nullable): a float64 tensor (classes) of the
   *   accuracy of each class over the test set (NaN for a class absent
   *   from it); %NULL without a test loader
   * @confusion: (nullable): an int64 tensor (classes, classes) counting
   *   the test samples of each class (row) given each prediction
   *   (column); %NULL without a test loader
   *
   * Emitted after every epoch and its evaluation (and its checkpoint).
   */
  signals[SIGNAL_EPOCH_FINISHED] =
    g_signal_new ("epoch-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 5, G_TYPE_UINT, G_TYPE_DOUBLE, G_TYPE_DOUBLE, LT_TYPE_TENSOR,
                  LT_TYPE_TENSOR);
  /**
   * LtTrainer::evaluated:
   * @self: the trainer
   * @epoch: the epoch, from 1
   * @test_loss: the criterion (#LtTrainer:loss) over the test set: its
   *   value for each test batch, averaged with the batches weighted by
   *   their sizes (for a criterion that averages, as the default
   *   reduction does, the mean loss per test sample)
   * @accuracy: the fraction of the test set classified right, from 0 to 1
   * @predictions: an int64 tensor (N) of the class predicted for every
   *   test sample, in the test loader's order
   * @targets: an int64 tensor (N) of the test samples' classes, in the
   *   same order
   *
   * Emitted after every epoch's evaluation on the test loader, before
   * #LtTrainer::epoch-finished; not emitted without a test loader. With
   * an unshuffled test loader, sample i of its dataset is element i of
   * @predictions and @targets: what a viewer needs to show the test
   * images a class was confused with.
   */
  signals[SIGNAL_EVALUATED] =
    g_signal_new ("evaluated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 5, G_TYPE_UINT, G_TYPE_DOUBLE, G_TYPE_DOUBLE, LT_TYPE_TENSOR,
                  LT_TYPE_TENSOR);
  /**
   * LtTrainer::graph:
   * @self: the trainer
   * @graph: the autograd graph of the mini-batch's loss
   *
   * Emitted, when #LtTrainer:graph-interval is set, for the first
   * mini-batch of a run and then every graph-interval mini-batches, after
   * that mini-batch's #LtTrainer::step. The worker built @graph before
   * the backward and ran the backward through lt_graph_backward(), so
   * every node has its gradient statistics; lt_module_name_graph() named
   * the parameters. The backward freed what the nodes saved: the graph
   * keeps none of the mini-batch's inputs, activations or saved tensors
   * alive, only names, shapes, statistics and the parameters (whose
   * values the worker goes on updating: show their shapes while it runs).
   * Every mini-batch of a run has the same graph structure, so a viewer
   * can reuse a layout. Keep a reference to show it later.
   */
  signals[SIGNAL_GRAPH] =
    g_signal_new ("graph", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, LT_TYPE_GRAPH);
  /**
   * LtTrainer::batch:
   * @self: the trainer
   * @epoch: the epoch, from 1
   * @iteration: the mini-batch within the epoch, from 1
   * @inputs: a copy of the mini-batch's inputs, as the train loader gave
   *   them (N, ...), on the CPU
   * @targets: a copy of its targets
   * @predictions: (nullable): an int64 tensor (N) of the classes the model
   *   predicted for it in that step's forward (before the update); %NULL
   *   when the model's output is not (N, classes)
   *
   * Emitted, when #LtTrainer:batch-interval is set, for the first
   * mini-batch of a run and then every batch-interval mini-batches, after
   * that mini-batch's #LtTrainer::step (and #LtTrainer::graph): what an
   * image view shows of training without reading the loader, which the
   * worker owns. The tensors are copies no one else writes.
   */
  signals[SIGNAL_BATCH] =
    g_signal_new ("batch", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, G_TYPE_UINT, G_TYPE_INT64, LT_TYPE_TENSOR, LT_TYPE_TENSOR,
                  LT_TYPE_TENSOR);
  /**
   * LtTrainer::finished:
   * @self: the trainer
   *
   * Emitted when every epoch is done: the run's last signal.
   */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /**
   * LtTrainer::stopped:
   * @self: the trainer
   * @epoch: the epoch under way, from 1
   * @iteration: the mini-batches of it done
   *
   * Emitted when the trainer has stopped after lt_trainer_stop(), its
   * cancellable or #LtTrainer:max-steps, with its checkpoint written: the
   * run's last signal. lt_trainer_start() goes on from there.
   */
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT64);
  /**
   * LtTrainer::failed:
   * @self: the trainer
   * @error: what went wrong
   *
   * Emitted when the run ends with an error: the dataset, a transform,
   * the forward, the loss, the optimizer, the device or a checkpoint
   * failed. The run's last signal.
   */
  signals[SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
lt_trainer_init (LtTrainer *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->model_lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->events);
  self->epochs = 2;
  self->device = LT_DEVICE_CPU;
  self->log_interval = LT_TRAINER_DEFAULT_LOG_INTERVAL;
  self->checkpoint_every_epoch = TRUE;
  self->threaded = TRUE;
  self->stop_on_divergence = TRUE;
  self->max_lag = LT_TRAINER_DEFAULT_MAX_LAG;
  self->state = LT_TRAINER_STATE_IDLE;
}

/**
 * lt_trainer_new:
 * @model: the model to train
 * @loss: the loss to minimise
 * @optimizer: an optimizer over @model's parameters
 * @train_loader: the loader of the training set
 * @test_loader: (nullable): the loader of the test set, evaluated after
 *   every epoch, or %NULL
 * @epochs: the number of epochs to train
 *
 * Creates a trainer for the tutorial's loop. Set the device, the log
 * interval and the checkpoint file before starting it.
 *
 * Returns: (transfer full): the trainer
 */
LtTrainer *
lt_trainer_new (LtModule     *model,
                LtLoss       *loss,
                LtOptimizer  *optimizer,
                LtDataLoader *train_loader,
                LtDataLoader *test_loader,
                guint         epochs)
{
  g_return_val_if_fail (LT_IS_MODULE (model), NULL);
  g_return_val_if_fail (LT_IS_LOSS (loss), NULL);
  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (LT_IS_DATA_LOADER (train_loader), NULL);
  g_return_val_if_fail (test_loader == NULL || LT_IS_DATA_LOADER (test_loader), NULL);

  return g_object_new (LT_TYPE_TRAINER,
                       "model", model,
                       "loss", loss,
                       "optimizer", optimizer,
                       "train-loader", train_loader,
                       "test-loader", test_loader,
                       "epochs", epochs,
                       NULL);
}
