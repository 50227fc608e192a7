/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-lr-schedulers.h"
#include "core/lt-error.h"

/**
 * LtReduceLROnPlateau:
 *
 * Reduces the learning rates when a metric has stopped improving, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: each
 * lt_reduce_lr_on_plateau_step() gives the epoch's metric; after more than
 * "patience" epochs without an improvement (by more than "threshold",
 * relative or absolute, down in "min" mode, up in "max" mode), every
 * group's rate becomes max(lr * factor, min_lr) where that changes it by
 * more than eps, and "cooldown" epochs follow in which bad epochs do not
 * count.
 */
struct _LtReduceLROnPlateau
{
  GObject parent_instance;

  LtOptimizer *optimizer; /* owned */
  gboolean     mode_max, threshold_abs;
  double       factor, threshold, eps, best;
  gint64       patience, cooldown, cooldown_counter, num_bad_epochs, last_epoch;
  GArray      *min_lrs; /* double per group */
};

G_DEFINE_FINAL_TYPE (LtReduceLROnPlateau, lt_reduce_lr_on_plateau, G_TYPE_OBJECT)

static void
lt_reduce_lr_on_plateau_finalize (GObject *object)
{
  LtReduceLROnPlateau *self = LT_REDUCE_LR_ON_PLATEAU (object);

  g_clear_object (&self->optimizer);
  g_clear_pointer (&self->min_lrs, g_array_unref);
  G_OBJECT_CLASS (lt_reduce_lr_on_plateau_parent_class)->finalize (object);
}

static void
lt_reduce_lr_on_plateau_class_init (LtReduceLROnPlateauClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_reduce_lr_on_plateau_finalize;
}

static void
lt_reduce_lr_on_plateau_init (LtReduceLROnPlateau *self)
{
}

/**
 * lt_reduce_lr_on_plateau_new:
 * @optimizer: the optimizer
 * @mode_max: whether the metric should rise (PyTorch's mode="max") rather
 *   than fall ("min", the default)
 * @factor: the factor of a reduction, below 1 (default: 0.1)
 * @patience: the epochs without improvement that are tolerated (default:
 *   10)
 * @threshold: the least change that counts as an improvement (default:
 *   1e-4)
 * @threshold_abs: whether @threshold is absolute (threshold_mode="abs")
 *   rather than relative ("rel", the default)
 * @cooldown: the epochs after a reduction in which bad epochs do not
 *   count (default: 0)
 * @min_lrs: (array length=n_min_lrs): the lowest rate: one for every
 *   group, or one per group (default: 0)
 * @n_min_lrs: 1 or the number of groups
 * @eps: a smaller change of a rate is not made (default: 1e-8)
 * @error: return location for a #GError
 *
 * Creates `ReduceLROnPlateau(optimizer, mode, factor, patience, threshold,
 * threshold_mode, cooldown, min_lr, eps)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for a factor of 1 or more or a wrong number of min_lrs
 */
LtReduceLROnPlateau *
lt_reduce_lr_on_plateau_new (LtOptimizer  *optimizer,
                             gboolean      mode_max,
                             double        factor,
                             gint64        patience,
                             double        threshold,
                             gboolean      threshold_abs,
                             gint64        cooldown,
                             const double *min_lrs,
                             gsize         n_min_lrs,
                             double        eps,
                             GError      **error)
{
  LtReduceLROnPlateau *self;
  guint                groups;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (min_lrs != NULL || n_min_lrs == 0, NULL);
  groups = lt_optimizer_get_n_param_groups (optimizer);
  if (!(factor < 1.0))
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "Factor should be < 1.0.");
      return NULL;
    }
  if (n_min_lrs != 1 && n_min_lrs != groups)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "expected %u min_lrs, got %" G_GSIZE_FORMAT, groups, n_min_lrs);
      return NULL;
    }
  self = g_object_new (LT_TYPE_REDUCE_LR_ON_PLATEAU, NULL);
  self->optimizer = g_object_ref (optimizer);
  self->mode_max = mode_max;
  self->factor = factor;
  self->patience = patience;
  self->threshold = threshold;
  self->threshold_abs = threshold_abs;
  self->cooldown = cooldown;
  self->eps = eps;
  self->min_lrs = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < groups; i++)
    g_array_append_val (self->min_lrs, min_lrs[n_min_lrs == 1 ? 0 : i]);
  self->best = mode_max ? -INFINITY : INFINITY;
  return self;
}

static gboolean
is_better (LtReduceLROnPlateau *self, double a)
{
  double best = self->best, t = self->threshold;

  if (!self->mode_max)
    return self->threshold_abs ? a < best - t : a < best * (1. - t);
  return self->threshold_abs ? a > best + t : a > best * (t + 1.);
}

/**
 * lt_reduce_lr_on_plateau_step:
 * @self: a schedule
 * @metric: the epoch's value of the watched metric (a validation loss)
 * @error: return location for a #GError
 *
 * Moves to the next epoch with @metric, as `scheduler.step(metrics)`, and
 * reduces the rates when the metric has not improved for long enough.
 *
 * Returns: %TRUE; %FALSE with @error set when the optimizer has fewer
 *   groups than when the schedule was made
 */
gboolean
lt_reduce_lr_on_plateau_step (LtReduceLROnPlateau *self, double metric, GError **error)
{
  guint groups;

  g_return_val_if_fail (LT_IS_REDUCE_LR_ON_PLATEAU (self), FALSE);
  groups = lt_optimizer_get_n_param_groups (self->optimizer);
  if (groups < self->min_lrs->len)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "ReduceLROnPlateau: the optimizer has %u parameter groups, %u when the "
                   "schedule was made",
                   groups, self->min_lrs->len);
      return FALSE;
    }
  self->last_epoch++;
  if (is_better (self, metric))
    {
      self->best = metric;
      self->num_bad_epochs = 0;
    }
  else
    self->num_bad_epochs++;
  if (self->cooldown_counter > 0)
    {
      self->cooldown_counter--;
      self->num_bad_epochs = 0; /* bad epochs in cooldown do not count */
    }
  if (self->num_bad_epochs > self->patience)
    {
      /* groups added since are reduced too, with the last min_lr (PyTorch
       * would fail on them) */
      for (guint i = 0; i < groups; i++)
        {
          double old_lr = lt_optimizer_get_lr (self->optimizer, i);
          double min_lr = g_array_index (self->min_lrs, double, MIN (i, self->min_lrs->len - 1));
          double new_lr = MAX (old_lr * self->factor, min_lr);

          if (old_lr - new_lr > self->eps)
            lt_optimizer_set_lr (self->optimizer, i, new_lr);
        }
      self->cooldown_counter = self->cooldown;
      self->num_bad_epochs = 0;
    }
  return TRUE;
}

/**
 * lt_reduce_lr_on_plateau_get_last_epoch:
 * @self: a schedule
 *
 * Gets the number of steps made.
 *
 * Returns: the epoch
 */
gint64
lt_reduce_lr_on_plateau_get_last_epoch (LtReduceLROnPlateau *self)
{
  g_return_val_if_fail (LT_IS_REDUCE_LR_ON_PLATEAU (self), -1);
  return self->last_epoch;
}

/**
 * lt_reduce_lr_on_plateau_get_best:
 * @self: a schedule
 *
 * Gets the best value of the metric so far (infinite in the direction of
 * worse before the first step).
 *
 * Returns: the best value
 */
double
lt_reduce_lr_on_plateau_get_best (LtReduceLROnPlateau *self)
{
  g_return_val_if_fail (LT_IS_REDUCE_LR_ON_PLATEAU (self), NAN);
  return self->best;
}

/**
 * lt_reduce_lr_on_plateau_get_num_bad_epochs:
 * @self: a schedule
 *
 * Gets the number of epochs since the metric last improved, as counted
 * for the patience.
 *
 * Returns: the count
 */
gint64
lt_reduce_lr_on_plateau_get_num_bad_epochs (LtReduceLROnPlateau *self)
{
  g_return_val_if_fail (LT_IS_REDUCE_LR_ON_PLATEAU (self), -1);
  return self->num_bad_epochs;
}

/**
 * lt_reduce_lr_on_plateau_get_cooldown_counter:
 * @self: a schedule
 *
 * Gets the number of cooldown epochs left.
 *
 * Returns: the count
 */
gint64
lt_reduce_lr_on_plateau_get_cooldown_counter (LtReduceLROnPlateau *self)
{
  g_return_val_if_fail (LT_IS_REDUCE_LR_ON_PLATEAU (self), -1);
  return self->cooldown_counter;
}
