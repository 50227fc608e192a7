/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-trainer-private.h"
#include "backends/lt-device-private.h"

/* LtTrainer's accessors: the parts, the settings (under the lock the
 * worker reads them with) and the position. */

/**
 * lt_trainer_get_model:
 * @self: a trainer
 *
 * Gets the model the trainer trains.
 *
 * Returns: (transfer none): the model
 */
LtModule *
lt_trainer_get_model (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), NULL);
  return self->model;
}

/**
 * lt_trainer_get_loss:
 * @self: a trainer
 *
 * Gets the loss the trainer minimises.
 *
 * Returns: (transfer none): the loss
 */
LtLoss *
lt_trainer_get_loss (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), NULL);
  return self->loss;
}

/**
 * lt_trainer_get_optimizer:
 * @self: a trainer
 *
 * Gets the optimizer that updates the model's parameters.
 *
 * Returns: (transfer none): the optimizer
 */
LtOptimizer *
lt_trainer_get_optimizer (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), NULL);
  return self->optimizer;
}

/**
 * lt_trainer_get_train_loader:
 * @self: a trainer
 *
 * Gets the loader of the training set.
 *
 * Returns: (transfer none): the training loader
 */
LtDataLoader *
lt_trainer_get_train_loader (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), NULL);
  return self->train_loader;
}

/**
 * lt_trainer_get_test_loader:
 * @self: a trainer
 *
 * Gets the loader of the test set, evaluated after every epoch.
 *
 * Returns: (transfer none) (nullable): the test loader, or %NULL
 */
LtDataLoader *
lt_trainer_get_test_loader (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), NULL);
  return self->test_loader;
}

/**
 * lt_trainer_get_epochs:
 * @self: a trainer
 *
 * Gets the number of epochs to train, counted from the start (a resumed
 * trainer trains the epochs that are left).
 *
 * Returns: the number of epochs
 */
guint
lt_trainer_get_epochs (LtTrainer *self)
{
  guint epochs;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  epochs = self->epochs;
  g_mutex_unlock (&self->lock);
  return epochs;
}

/**
 * lt_trainer_set_epochs:
 * @self: a trainer
 * @epochs: the number of epochs to train, counted from the start
 *
 * Sets the number of epochs to train; a running trainer sees the change
 * at the end of its current epoch.
 */
void
lt_trainer_set_epochs (LtTrainer *self,
                       guint      epochs)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->epochs == epochs)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->epochs = epochs;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "epochs");
}

/**
 * lt_trainer_get_device:
 * @self: a trainer
 *
 * Gets the device the model trains on: its type
 * (lt_trainer_get_device_index() gives its index).
 *
 * Returns: the device
 */
LtDevice
lt_trainer_get_device (LtTrainer *self)
{
  LtDevice device;

  g_return_val_if_fail (LT_IS_TRAINER (self), LT_DEVICE_CPU);
  g_mutex_lock (&self->lock);
  device = self->device;
  g_mutex_unlock (&self->lock);
  return _lt_device_type (device);
}

/**
 * lt_trainer_get_device_index:
 * @self: a trainer
 *
 * Gets the index of the device the model trains on: N for `cuda:N`, -1
 * on the CPU.
 *
 * Returns: the device's index, or -1 for the CPU
 */
int
lt_trainer_get_device_index (LtTrainer *self)
{
  LtDevice device;

  g_return_val_if_fail (LT_IS_TRAINER (self), -1);
  g_mutex_lock (&self->lock);
  device = self->device;
  g_mutex_unlock (&self->lock);
  return _lt_device_type (device) == LT_DEVICE_CPU ? -1 : _lt_device_index (device);
}

/**
 * lt_trainer_set_device_index:
 * @self: a trainer
 * @device: the device's type
 * @index: its index: N for `cuda:N`; 0 or -1 for the CPU
 * @error: return location for a #GError
 *
 * Sets the device the model trains on, with its index, as
 * lt_trainer_set_device() (which means index 0). Whether the device exists
 * is found when training starts.
 *
 * Returns: %TRUE on success; %FALSE with @error set (%LT_ERROR_DEVICE) for
 *   an index out of [0, 16), or above 0 for the CPU
 */
gboolean
lt_trainer_set_device_index (LtTrainer *self, LtDevice device, int index, GError **error)
{
  LtDevice d;

  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  if (device == LT_DEVICE_CPU && index < 0)
    index = 0;
  if (!_lt_device_from_index (device, index, &d, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  if (self->device == d)
    {
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  self->device = d;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "device");
  return TRUE;
}

/**
 * lt_trainer_set_device:
 * @self: a trainer
 * @device: the device to train on
 *
 * Sets the device the model trains on: the model and the loss move there
 * when training starts (a device that is not available makes the run
 * fail), and every batch is copied there. Takes effect at the next start.
 * A CUDA @device is `cuda:0` (lt_trainer_set_device_index() names another).
 */
void
lt_trainer_set_device (LtTrainer *self,
                       LtDevice   device)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->device == device)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->device = device;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "device");
}

/**
 * lt_trainer_get_log_interval:
 * @self: a trainer
 *
 * Gets the number of mini-batches between two #LtTrainer::log signals.
 *
 * Returns: the interval (0: no log signals)
 */
gint64
lt_trainer_get_log_interval (LtTrainer *self)
{
  gint64 interval;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  interval = self->log_interval;
  g_mutex_unlock (&self->lock);
  return interval;
}

/**
 * lt_trainer_set_log_interval:
 * @self: a trainer
 * @interval: the number of mini-batches between two #LtTrainer::log
 *   signals (the tutorial's 2000); 0 for none
 *
 * Sets how often the running loss is reported.
 */
void
lt_trainer_set_log_interval (LtTrainer *self,
                             gint64     interval)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_return_if_fail (interval >= 0);
  g_mutex_lock (&self->lock);
  if (self->log_interval == interval)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->log_interval = interval;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "log-interval");
}

/**
 * lt_trainer_get_checkpoint_path:
 * @self: a trainer
 *
 * Gets the file checkpoints are written to.
 *
 * Returns: (nullable) (type filename): the path, or %NULL when no
 *   checkpoint is written
 */
const char *
lt_trainer_get_checkpoint_path (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), NULL);
  return self->checkpoint_path;
}

/**
 * lt_trainer_set_checkpoint_path:
 * @self: a trainer
 * @path: (nullable) (type filename): the checkpoint file, or %NULL for none
 *
 * Sets the file the trainer writes its checkpoint to (after every epoch,
 * see #LtTrainer:checkpoint-every-epoch, and when it stops). Call it while
 * the trainer is not running.
 */
void
lt_trainer_set_checkpoint_path (LtTrainer  *self,
                                const char *path)
{
  char *old;

  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (g_strcmp0 (self->checkpoint_path, path) == 0)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  old = self->checkpoint_path;
  self->checkpoint_path = g_strdup (path);
  g_mutex_unlock (&self->lock);
  g_free (old);
  g_object_notify (G_OBJECT (self), "checkpoint-path");
}

/**
 * lt_trainer_get_checkpoint_every_epoch:
 * @self: a trainer
 *
 * Gets whether a checkpoint is written after every epoch.
 *
 * Returns: %TRUE when it is (the default)
 */
gboolean
lt_trainer_get_checkpoint_every_epoch (LtTrainer *self)
{
  gboolean every;

  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  g_mutex_lock (&self->lock);
  every = self->checkpoint_every_epoch;
  g_mutex_unlock (&self->lock);
  return every;
}

/**
 * lt_trainer_set_checkpoint_every_epoch:
 * @self: a trainer
 * @every_epoch: whether to write the checkpoint after every epoch
 *
 * Sets whether the checkpoint is written after every epoch, or only when
 * the trainer stops. With every epoch, a run checks before it starts that
 * the checkpoint path can be written (lt_file_check_writable()), and
 * fails at once if not.
 */
void
lt_trainer_set_checkpoint_every_epoch (LtTrainer *self,
                                       gboolean   every_epoch)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  every_epoch = !!every_epoch;
  g_mutex_lock (&self->lock);
  if (self->checkpoint_every_epoch == every_epoch)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->checkpoint_every_epoch = every_epoch;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "checkpoint-every-epoch");
}

/**
 * lt_trainer_get_max_steps:
 * @self: a trainer
 *
 * Gets the step count at which the trainer stops by itself.
 *
 * Returns: the step count, or 0 for no limit
 */
guint64
lt_trainer_get_max_steps (LtTrainer *self)
{
  guint64 max_steps;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  max_steps = self->max_steps;
  g_mutex_unlock (&self->lock);
  return max_steps;
}

/**
 * lt_trainer_set_max_steps:
 * @self: a trainer
 * @max_steps: the number of mini-batches, counted from the start, after
 *   which to stop; 0 for no limit
 *
 * Makes the trainer stop, as lt_trainer_stop() does, once it has trained
 * @max_steps mini-batches in all: for short runs and tests.
 */
void
lt_trainer_set_max_steps (LtTrainer *self,
                          guint64    max_steps)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->max_steps == max_steps)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->max_steps = max_steps;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "max-steps");
}

/**
 * lt_trainer_get_graph_interval:
 * @self: a trainer
 *
 * Gets how often the trainer emits #LtTrainer::graph.
 *
 * Returns: the interval in mini-batches, or 0 for never
 */
guint64
lt_trainer_get_graph_interval (LtTrainer *self)
{
  guint64 interval;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  interval = self->graph_interval;
  g_mutex_unlock (&self->lock);
  return interval;
}

/**
 * lt_trainer_set_graph_interval:
 * @self: a trainer
 * @interval: the number of mini-batches between two graphs; 0 for none
 *
 * Makes the trainer hand over the autograd graph of a mini-batch's loss,
 * with every node's gradient statistics, through #LtTrainer::graph: for
 * the first mini-batch of every run and then every @interval mini-batches
 * of it. Takes effect from the next mini-batch.
 */
void
lt_trainer_set_graph_interval (LtTrainer *self,
                               guint64    interval)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->graph_interval == interval)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->graph_interval = interval;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "graph-interval");
}

/**
 * lt_trainer_get_batch_interval:
 * @self: a trainer
 *
 * Gets how often the trainer emits #LtTrainer::batch.
 *
 * Returns: the interval in mini-batches, or 0 for never
 */
guint64
lt_trainer_get_batch_interval (LtTrainer *self)
{
  guint64 interval;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  interval = self->batch_interval;
  g_mutex_unlock (&self->lock);
  return interval;
}

/**
 * lt_trainer_set_batch_interval:
 * @self: a trainer
 * @interval: the number of mini-batches between two #LtTrainer::batch
 *   signals; 0 for none
 *
 * Makes the trainer hand over a copy of a training mini-batch, its
 * targets and the model's predictions for it through #LtTrainer::batch:
 * for the first mini-batch of every run and then every @interval
 * mini-batches of it. Takes effect from the next mini-batch.
 */
void
lt_trainer_set_batch_interval (LtTrainer *self,
                               guint64    interval)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->batch_interval == interval)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->batch_interval = interval;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "batch-interval");
}

/**
 * lt_trainer_get_threaded:
 * @self: a trainer
 *
 * Gets whether the loop runs in a worker thread.
 *
 * Returns: %TRUE when it does (the default)
 */
gboolean
lt_trainer_get_threaded (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), TRUE);
  return self->threaded;
}

/**
 * lt_trainer_set_threaded:
 * @self: a trainer
 * @threaded: whether the loop runs in a worker thread
 *
 * Sets where the next run's loop runs: in a worker thread (the default;
 * lt_trainer_start(), lt_trainer_run_async() and lt_trainer_run()), or,
 * with %FALSE, on the thread that calls lt_trainer_run(), which iterates
 * its main context between mini-batches. Turn it off for a model, loss or
 * dataset written in a language whose code runs on the main thread only
 * (JavaScript with gjs). Takes effect at the next run.
 */
void
lt_trainer_set_threaded (LtTrainer *self,
                         gboolean   threaded)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  threaded = !!threaded;
  if (self->threaded == threaded)
    return;
  self->threaded = threaded;
  g_object_notify (G_OBJECT (self), "threaded");
}

/**
 * lt_trainer_get_stop_on_divergence:
 * @self: a trainer
 *
 * Gets whether a loss that becomes NaN or infinite stops the run.
 *
 * Returns: %TRUE when it does (the default)
 */
gboolean
lt_trainer_get_stop_on_divergence (LtTrainer *self)
{
  gboolean stop;

  g_return_val_if_fail (LT_IS_TRAINER (self), TRUE);
  g_mutex_lock (&self->lock);
  stop = self->stop_on_divergence;
  g_mutex_unlock (&self->lock);
  return stop;
}

/**
 * lt_trainer_set_stop_on_divergence:
 * @self: a trainer
 * @stop: whether a NaN or infinite loss stops the run
 *
 * Sets what a mini-batch whose loss is NaN or infinite does. With %TRUE
 * (the default) the run fails there, before that mini-batch's backward
 * pass and update, with an %LT_ERROR_DIVERGED error naming the epoch, the
 * step and the loss; the model keeps the parameters of the last finite
 * step. With %FALSE the loop trains on, as PyTorch's does, and the NaNs
 * spread through the parameters. Takes effect at the next mini-batch.
 */
void
lt_trainer_set_stop_on_divergence (LtTrainer *self, gboolean stop)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  stop = !!stop;
  g_mutex_lock (&self->lock);
  if (self->stop_on_divergence == stop)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->stop_on_divergence = stop;
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "stop-on-divergence");
}

/**
 * lt_trainer_get_max_lag:
 * @self: a trainer
 *
 * Gets how many mini-batches the worker may run ahead of the
 * #LtTrainer::step signals delivered on the main context.
 *
 * Returns: the number of mini-batches, or 0 for no bound
 */
guint64
lt_trainer_get_max_lag (LtTrainer *self)
{
  guint64 lag;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  lag = self->max_lag;
  g_mutex_unlock (&self->lock);
  return lag;
}

/**
 * lt_trainer_set_max_lag:
 * @self: a trainer
 * @lag: the most mini-batches whose #LtTrainer::step signal may be
 *   still undelivered when the worker starts the next one; 0 for no bound
 *
 * Bounds how far the worker thread runs ahead of the main context. The
 * signals of a threaded trainer are emitted on the main context after the
 * worker has moved on; a busy or blocked main context would otherwise see
 * them ever later, and the events (with their tensors) would pile up.
 * Before each mini-batch the worker waits while @lag step signals are not
 * yet delivered. With 1 the worker and the handlers go in step: a
 * #LtTrainer::step handler sees the model as that step left it, and
 * lt_trainer_pause() or lt_trainer_stop() called from it takes effect
 * before the next mini-batch. The default, 256, leaves a viewer's redraws
 * no time to slow training down. Has no effect with #LtTrainer:threaded
 * off (the loop then dispatches the signals itself between mini-batches).
 * Takes effect at the next mini-batch.
 */
void
lt_trainer_set_max_lag (LtTrainer *self, guint64 lag)
{
  g_return_if_fail (LT_IS_TRAINER (self));
  g_mutex_lock (&self->lock);
  if (self->max_lag == lag)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->max_lag = lag;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_object_notify (G_OBJECT (self), "max-lag");
}

/**
 * lt_trainer_get_state:
 * @self: a trainer
 *
 * Gets where the trainer is, as its main context has seen it so far.
 *
 * Returns: the state
 */
LtTrainerState
lt_trainer_get_state (LtTrainer *self)
{
  g_return_val_if_fail (LT_IS_TRAINER (self), LT_TRAINER_STATE_IDLE);
  return self->state;
}

/**
 * lt_trainer_get_epoch:
 * @self: a trainer
 *
 * Gets the number of epochs completed (evaluation included).
 *
 * Returns: the number of epochs completed
 */
guint
lt_trainer_get_epoch (LtTrainer *self)
{
  guint epoch;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  epoch = self->progress.epoch;
  g_mutex_unlock (&self->lock);
  return epoch;
}

/**
 * lt_trainer_get_iteration:
 * @self: a trainer
 *
 * Gets the number of mini-batches trained in the current epoch.
 *
 * Returns: the number of mini-batches
 */
gint64
lt_trainer_get_iteration (LtTrainer *self)
{
  gint64 iteration;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  iteration = self->progress.iteration;
  g_mutex_unlock (&self->lock);
  return iteration;
}

/**
 * lt_trainer_get_step:
 * @self: a trainer
 *
 * Gets the number of mini-batches trained in all, over every epoch and
 * every run (a resumed trainer counts from its checkpoint's step).
 *
 * Returns: the number of optimizer steps
 */
guint64
lt_trainer_get_step (LtTrainer *self)
{
  guint64 step;

  g_return_val_if_fail (LT_IS_TRAINER (self), 0);
  g_mutex_lock (&self->lock);
  step = self->progress.step;
  g_mutex_unlock (&self->lock);
  return step;
}
