/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "lt-lr-scheduler-private.h"
#include "core/lt-error.h"

/**
 * LtLRScheduler:
 *
 * A learning-rate schedule over an optimizer's parameter groups, as
 * PyTorch's `torch.optim.lr_scheduler._LRScheduler`: made with the
 * optimizer's current rates as base rates (epoch 0), then
 * lt_lr_scheduler_step(), called once per epoch after the optimizer's
 * steps, moves to the next epoch and sets each group's "lr" with the
 * class's compute_lr, PyTorch's recursive (chainable) formulas, so the
 * rates match torch's step by step.
 *
 * A step that would set a rate that is not finite fails with a GError and
 * changes nothing. The first step is made at construction; if it fails
 * (a subclass's compute_lr), the schedule stays at epoch -1 and the next
 * lt_lr_scheduler_step() tries epoch 0 again and reports the error.
 */

typedef struct
{
  LtOptimizer *optimizer;      /* owned */
  GArray *base_lrs;            /* double, one per group at creation */
  GArray *last_lrs;            /* double, one per group */
  gint64 last_epoch;
} LtLRSchedulerPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (LtLRScheduler, lt_lr_scheduler, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_OPTIMIZER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static double
lt_lr_scheduler_real_compute_lr (LtLRScheduler *self,
                                 guint          group)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (self);

  return lt_optimizer_get_lr (priv->optimizer, group);
}

static gboolean lt_lr_scheduler_real_step (LtLRScheduler *self, GError **error);

#define INITIAL_LR_KEY "lt-lr-scheduler-initial-lr"

/* PyTorch's group["initial_lr"] of every group of @optimizer that has one,
 * kept with the optimizer */
static GArray *
initial_lrs (LtOptimizer *optimizer)
{
  GArray *a = g_object_get_data (G_OBJECT (optimizer), INITIAL_LR_KEY);

  if (a == NULL)
    {
      a = g_array_new (FALSE, FALSE, sizeof (double));
      g_object_set_data_full (G_OBJECT (optimizer), INITIAL_LR_KEY, a,
                              (GDestroyNotify) g_array_unref);
    }
  return a;
}

void
_lt_lr_scheduler_set_initial_lr (LtOptimizer *optimizer, guint group, double lr)
{
  GArray *a = initial_lrs (optimizer);

  while (a->len <= group)
    {
      double current = lt_optimizer_get_lr (optimizer, a->len);

      g_array_append_val (a, current);
    }
  g_array_index (a, double, group) = lr;
}

void
_lt_lr_scheduler_set_base_lr (LtLRScheduler *self, guint group, double lr)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (self);

  if (group < priv->base_lrs->len)
    g_array_index (priv->base_lrs, double, group) = lr;
}

static void
lt_lr_scheduler_constructed (GObject *object)
{
  LtLRScheduler *self = LT_LR_SCHEDULER (object);
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (self);
  GArray               *initial;

  G_OBJECT_CLASS (lt_lr_scheduler_parent_class)->constructed (object);
  if (priv->optimizer == NULL)
    {
      g_critical ("%s: made without an optimizer", G_OBJECT_TYPE_NAME (object));
      return;
    }
  /* the base rates are the groups' "initial_lr", which the first schedule
   * made on the optimizer sets (group.setdefault('initial_lr', lr)) */
  initial = initial_lrs (priv->optimizer);
  for (guint i = 0; i < lt_optimizer_get_n_param_groups (priv->optimizer); i++)
    {
      double lr = lt_optimizer_get_lr (priv->optimizer, i);

      if (i >= initial->len)
        g_array_append_val (initial, lr);
      g_array_append_val (priv->base_lrs, g_array_index (initial, double, i));
    }
  /* PyTorch's _initial_step(): epoch -1 -> 0; a failure leaves epoch -1
   * for the next lt_lr_scheduler_step() to try again and report. A class
   * with its own step makes its own first step. */
  priv->last_epoch = -1;
  if (LT_LR_SCHEDULER_GET_CLASS (self)->step == lt_lr_scheduler_real_step)
    lt_lr_scheduler_step (self, NULL);
}

static void
lt_lr_scheduler_finalize (GObject *object)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (LT_LR_SCHEDULER (object));

  g_clear_object (&priv->optimizer);
  g_array_unref (priv->base_lrs);
  g_array_unref (priv->last_lrs);
  G_OBJECT_CLASS (lt_lr_scheduler_parent_class)->finalize (object);
}

static void
lt_lr_scheduler_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (LT_LR_SCHEDULER (object));

  switch (prop_id)
    {
    case PROP_OPTIMIZER:
      g_value_set_object (value, priv->optimizer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_lr_scheduler_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (LT_LR_SCHEDULER (object));

  switch (prop_id)
    {
    case PROP_OPTIMIZER:
      priv->optimizer = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_lr_scheduler_class_init (LtLRSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = lt_lr_scheduler_constructed;
  object_class->finalize = lt_lr_scheduler_finalize;
  object_class->get_property = lt_lr_scheduler_get_property;
  object_class->set_property = lt_lr_scheduler_set_property;
  klass->compute_lr = lt_lr_scheduler_real_compute_lr;
  klass->step = lt_lr_scheduler_real_step;

  /**
   * LtLRScheduler:optimizer:
   *
   * The optimizer whose learning rates the schedule sets.
   */
  properties[PROP_OPTIMIZER] =
    g_param_spec_object ("optimizer", NULL, NULL, LT_TYPE_OPTIMIZER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lt_lr_scheduler_init (LtLRScheduler *self)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (self);

  priv->base_lrs = g_array_new (FALSE, FALSE, sizeof (double));
  priv->last_lrs = g_array_new (FALSE, FALSE, sizeof (double));
  priv->last_epoch = -1;
}

static guint
n_groups (LtLRSchedulerPrivate *priv)
{
  /* groups added after the schedule was made are not scheduled (PyTorch
   * zips the groups with its base rates) */
  return MIN (lt_optimizer_get_n_param_groups (priv->optimizer), priv->base_lrs->len);
}

/* Sets every group's rate for @epoch, computed with the class's
 * closed_form_lr (when @closed_form and the class has one) or compute_lr;
 * changes nothing when a rate would not be finite. */
static gboolean
apply_epoch (LtLRScheduler *self, gint64 epoch, gboolean closed_form, GError **error)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (self);
  LtLRSchedulerClass   *klass = LT_LR_SCHEDULER_GET_CLASS (self);
  gint64                prev_epoch = priv->last_epoch;
  guint                 n = n_groups (priv);
  g_autofree double    *lrs = g_new (double, MAX (n, 1));

  priv->last_epoch = epoch;
  /* every rate is computed before any is set, as PyTorch does */
  for (guint i = 0; i < n; i++)
    lrs[i] = closed_form && klass->closed_form_lr ? klass->closed_form_lr (self, i)
                                                  : klass->compute_lr (self, i);
  for (guint i = 0; i < n; i++)
    if (!isfinite (lrs[i]))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "%s: at epoch %" G_GINT64_FORMAT " the learning rate of group %u "
                     "would be %g (it is %g); nothing was changed",
                     G_OBJECT_TYPE_NAME (self), priv->last_epoch, i, lrs[i],
                     lt_optimizer_get_lr (priv->optimizer, i));
        priv->last_epoch = prev_epoch;
        return FALSE;
      }
  g_array_set_size (priv->last_lrs, 0);
  for (guint i = 0; i < n; i++)
    {
      lt_optimizer_set_lr (priv->optimizer, i, lrs[i]);
      lrs[i] = lt_optimizer_get_lr (priv->optimizer, i);
      g_array_append_val (priv->last_lrs, lrs[i]);
    }
  return TRUE;
}

static gboolean
lt_lr_scheduler_real_step (LtLRScheduler *self, GError **error)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (self);

  return apply_epoch (self, priv->last_epoch + 1, FALSE, error);
}

/**
 * lt_lr_scheduler_step:
 * @self: a schedule
 * @error: return location for a #GError
 *
 * Moves to the next epoch and sets the learning rate of every group, as
 * `scheduler.step()`. Call it after the optimizer's steps of the epoch.
 *
 * Where PyTorch would set a rate that is not finite (a gamma that
 * overflows, a subclass's formula), this fails instead and changes
 * nothing: neither the epoch nor any group's rate.
 *
 * Returns: %TRUE; %FALSE with @error set (%LT_ERROR_INVALID_ARGUMENT) when
 *   a rate would be infinite or NaN
 */
gboolean
lt_lr_scheduler_step (LtLRScheduler *self, GError **error)
{
  LtLRSchedulerPrivate *priv;

  g_return_val_if_fail (LT_IS_LR_SCHEDULER (self), FALSE);
  priv = lt_lr_scheduler_get_instance_private (self);
  g_return_val_if_fail (priv->optimizer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return LT_LR_SCHEDULER_GET_CLASS (self)->step (self, error);
}

/**
 * lt_lr_scheduler_step_to:
 * @self: a schedule
 * @epoch: the epoch to move to
 * @error: return location for a #GError
 *
 * Moves to @epoch and sets the learning rate of every group for it, as
 * PyTorch's `scheduler.step(epoch)`: from the class's closed form where it
 * has one (#LtStepLR, #LtMultiStepLR, #LtCosineAnnealingLR,
 * #LtExponentialLR, #LtLinearLR, #LtCosineAnnealingWarmRestarts), else
 * from its recursive formula at that epoch. A rate that would not be
 * finite changes nothing, as with lt_lr_scheduler_step().
 *
 * Returns: %TRUE; %FALSE with @error set when a rate would be infinite or
 *   NaN
 */
gboolean
lt_lr_scheduler_step_to (LtLRScheduler *self, gint64 epoch, GError **error)
{
  LtLRSchedulerPrivate *priv;

  g_return_val_if_fail (LT_IS_LR_SCHEDULER (self), FALSE);
  priv = lt_lr_scheduler_get_instance_private (self);
  g_return_val_if_fail (priv->optimizer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return apply_epoch (self, epoch, TRUE, error);
}

/**
 * lt_lr_scheduler_set_last_epoch:
 * @self: a schedule
 * @epoch: the epoch
 *
 * Sets the current epoch without changing any rate, as assigning
 * PyTorch's `scheduler.last_epoch` (what `SequentialLR` does to the
 * schedules it chains).
 */
void
lt_lr_scheduler_set_last_epoch (LtLRScheduler *self, gint64 epoch)
{
  LtLRSchedulerPrivate *priv;

  g_return_if_fail (LT_IS_LR_SCHEDULER (self));
  priv = lt_lr_scheduler_get_instance_private (self);
  priv->last_epoch = epoch;
}

/**
 * lt_lr_scheduler_get_last_lr:
 * @self: a schedule
 * @group: a parameter group
 *
 * Gets the learning rate the last step set for @group, as
 * `scheduler.get_last_lr()[group]`.
 *
 * Returns: the rate, or NaN for a group the schedule does not cover
 */
double
lt_lr_scheduler_get_last_lr (LtLRScheduler *self,
                             guint          group)
{
  LtLRSchedulerPrivate *priv;

  g_return_val_if_fail (LT_IS_LR_SCHEDULER (self), NAN);
  priv = lt_lr_scheduler_get_instance_private (self);
  return group < priv->last_lrs->len ? g_array_index (priv->last_lrs, double, group) : NAN;
}

/**
 * lt_lr_scheduler_get_last_epoch:
 * @self: a schedule
 *
 * Gets the current epoch: 0 after creation, one more after each
 * lt_lr_scheduler_step().
 *
 * Returns: the epoch
 */
gint64
lt_lr_scheduler_get_last_epoch (LtLRScheduler *self)
{
  LtLRSchedulerPrivate *priv;

  g_return_val_if_fail (LT_IS_LR_SCHEDULER (self), -1);
  priv = lt_lr_scheduler_get_instance_private (self);
  return priv->last_epoch;
}

/**
 * lt_lr_scheduler_get_base_lr:
 * @self: a schedule
 * @group: a parameter group
 *
 * Gets the rate @group had when the schedule was made (PyTorch's
 * `base_lrs[group]`, the group's "initial_lr").
 *
 * Returns: the base rate, or NaN for a group the schedule does not cover
 */
double
lt_lr_scheduler_get_base_lr (LtLRScheduler *self,
                             guint          group)
{
  LtLRSchedulerPrivate *priv;

  g_return_val_if_fail (LT_IS_LR_SCHEDULER (self), NAN);
  priv = lt_lr_scheduler_get_instance_private (self);
  return group < priv->base_lrs->len ? g_array_index (priv->base_lrs, double, group) : NAN;
}

/**
 * lt_lr_scheduler_get_optimizer:
 * @self: a schedule
 *
 * Gets the optimizer whose rates the schedule sets.
 *
 * Returns: (transfer none): the optimizer
 */
LtOptimizer *
lt_lr_scheduler_get_optimizer (LtLRScheduler *self)
{
  LtLRSchedulerPrivate *priv;

  g_return_val_if_fail (LT_IS_LR_SCHEDULER (self), NULL);
  priv = lt_lr_scheduler_get_instance_private (self);
  return priv->optimizer;
}

static double
current_lr (LtLRScheduler *self,
            guint          group)
{
  return lt_optimizer_get_lr (lt_lr_scheduler_get_optimizer (self), group);
}

/* StepLR */

/**
 * LtStepLR:
 *
 * Multiplies the learning rate by gamma every step_size epochs, as
 * `torch.optim.lr_scheduler.StepLR`: at epoch e > 0 with e % step_size == 0,
 * lr = lr * gamma.
 */
struct _LtStepLR
{
  LtLRScheduler parent_instance;

  gint64 step_size;
  double gamma;
};

G_DEFINE_FINAL_TYPE (LtStepLR, lt_step_lr, LT_TYPE_LR_SCHEDULER)

static double
lt_step_lr_compute_lr (LtLRScheduler *scheduler,
                       guint          group)
{
  LtStepLR *self = LT_STEP_LR (scheduler);
  gint64 epoch = lt_lr_scheduler_get_last_epoch (scheduler);
  double lr = current_lr (scheduler, group);

  if (epoch == 0 || self->step_size <= 0 || epoch % self->step_size != 0)
    return lr;
  return lr * self->gamma;
}

static double
lt_step_lr_closed_form_lr (LtLRScheduler *scheduler, guint group)
{
  LtStepLR *self = LT_STEP_LR (scheduler);
  gint64    epoch = lt_lr_scheduler_get_last_epoch (scheduler);

  /* base_lr * gamma ** (last_epoch // step_size), Python's floor division */
  return lt_lr_scheduler_get_base_lr (scheduler, group) *
         pow (self->gamma,
              (double) (epoch >= 0 ? epoch / self->step_size
                                   : -((-epoch + self->step_size - 1) / self->step_size)));
}

static void
lt_step_lr_class_init (LtStepLRClass *klass)
{
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_step_lr_compute_lr;
  LT_LR_SCHEDULER_CLASS (klass)->closed_form_lr = lt_step_lr_closed_form_lr;
}

static void
lt_step_lr_init (LtStepLR *self)
{
}

/**
 * lt_step_lr_new:
 * @optimizer: the optimizer
 * @step_size: the period of the decay, in epochs (positive)
 * @gamma: the factor of the decay (PyTorch's default: 0.1)
 * @error: return location for a #GError
 *
 * Creates `StepLR(optimizer, step_size, gamma)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for a step_size below 1
 */
LtStepLR *
lt_step_lr_new (LtOptimizer *optimizer,
                gint64       step_size,
                double       gamma,
                GError     **error)
{
  LtStepLR *self;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  if (step_size < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "StepLR: step_size must be at least 1, got %" G_GINT64_FORMAT, step_size);
      return NULL;
    }
  self = g_object_new (LT_TYPE_STEP_LR, "optimizer", optimizer, NULL);
  self->step_size = step_size;
  self->gamma = gamma;
  return self;
}

/* MultiStepLR */

/**
 * LtMultiStepLR:
 *
 * Multiplies the learning rate by gamma at each milestone epoch, as
 * `torch.optim.lr_scheduler.MultiStepLR`: a milestone listed k times
 * multiplies by gamma^k.
 */
struct _LtMultiStepLR
{
  LtLRScheduler parent_instance;

  GArray *milestones;          /* gint64 */
  double gamma;
};

G_DEFINE_FINAL_TYPE (LtMultiStepLR, lt_multi_step_lr, LT_TYPE_LR_SCHEDULER)

static double
lt_multi_step_lr_compute_lr (LtLRScheduler *scheduler,
                             guint          group)
{
  LtMultiStepLR *self = LT_MULTI_STEP_LR (scheduler);
  gint64 epoch = lt_lr_scheduler_get_last_epoch (scheduler);
  double lr = current_lr (scheduler, group);
  guint count = 0;

  for (guint i = 0; self->milestones && i < self->milestones->len; i++)
    count += g_array_index (self->milestones, gint64, i) == epoch;
  if (count == 0)
    return lr;
  return lr * pow (self->gamma, count);
}

static void
lt_multi_step_lr_finalize (GObject *object)
{
  LtMultiStepLR *self = LT_MULTI_STEP_LR (object);

  g_clear_pointer (&self->milestones, g_array_unref);
  G_OBJECT_CLASS (lt_multi_step_lr_parent_class)->finalize (object);
}

static double
lt_multi_step_lr_closed_form_lr (LtLRScheduler *scheduler, guint group)
{
  LtMultiStepLR *self = LT_MULTI_STEP_LR (scheduler);
  gint64         epoch = lt_lr_scheduler_get_last_epoch (scheduler);
  guint          below = 0;

  /* base_lr * gamma ** bisect_right(sorted(milestones), last_epoch) */
  for (guint i = 0; self->milestones && i < self->milestones->len; i++)
    below += g_array_index (self->milestones, gint64, i) <= epoch;
  return lt_lr_scheduler_get_base_lr (scheduler, group) * pow (self->gamma, below);
}

static void
lt_multi_step_lr_class_init (LtMultiStepLRClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_multi_step_lr_finalize;
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_multi_step_lr_compute_lr;
  LT_LR_SCHEDULER_CLASS (klass)->closed_form_lr = lt_multi_step_lr_closed_form_lr;
}

static void
lt_multi_step_lr_init (LtMultiStepLR *self)
{
}

/**
 * lt_multi_step_lr_new:
 * @optimizer: the optimizer
 * @milestones: (array length=n_milestones): the epochs at which to decay
 * @n_milestones: the number of milestones
 * @gamma: the factor of the decay (PyTorch's default: 0.1)
 * @error: return location for a #GError
 *
 * Creates `MultiStepLR(optimizer, milestones, gamma)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for a negative milestone
 */
LtMultiStepLR *
lt_multi_step_lr_new (LtOptimizer  *optimizer,
                      const gint64 *milestones,
                      gsize         n_milestones,
                      double        gamma,
                      GError      **error)
{
  LtMultiStepLR *self;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (milestones != NULL || n_milestones == 0, NULL);
  for (gsize i = 0; i < n_milestones; i++)
    if (milestones[i] < 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "MultiStepLR: milestone %" G_GINT64_FORMAT " is negative", milestones[i]);
        return NULL;
      }
  self = g_object_new (LT_TYPE_MULTI_STEP_LR, "optimizer", optimizer, NULL);
  self->milestones = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) n_milestones);
  if (n_milestones)
    g_array_append_vals (self->milestones, milestones, (guint) n_milestones);
  self->gamma = gamma;
  return self;
}

/* CosineAnnealingLR */

/**
 * LtCosineAnnealingLR:
 *
 * Anneals the learning rate along a cosine from its base value down to
 * eta_min over T_max epochs (and back up over the next T_max), as
 * `torch.optim.lr_scheduler.CosineAnnealingLR` with its recursive formula:
 * lr_e = (1 + cos(pi e / T)) / (1 + cos(pi (e - 1) / T)) (lr_(e-1) -
 * eta_min) + eta_min.
 */
struct _LtCosineAnnealingLR
{
  LtLRScheduler parent_instance;

  gint64 t_max;
  double eta_min;
};

G_DEFINE_FINAL_TYPE (LtCosineAnnealingLR, lt_cosine_annealing_lr, LT_TYPE_LR_SCHEDULER)

static double
lt_cosine_annealing_lr_compute_lr (LtLRScheduler *scheduler,
                                   guint          group)
{
  LtCosineAnnealingLR *self = LT_COSINE_ANNEALING_LR (scheduler);
  gint64 e = lt_lr_scheduler_get_last_epoch (scheduler);
  double lr = current_lr (scheduler, group);
  double base_lr = lt_lr_scheduler_get_base_lr (scheduler, group);
  double t = (double) self->t_max, eta_min = self->eta_min;
  gint64 period = 2 * self->t_max, r;

  if (e == 0 || self->t_max <= 0)
    return lr;
  /* Python's (e - 1 - T_max) % (2 T_max), never negative */
  r = (e - 1 - self->t_max) % period;
  if (r < 0)
    r += period;
  if (r == 0)
    return lr + (base_lr - eta_min) * (1 - cos (G_PI / t)) / 2;
  return (1 + cos (G_PI * (double) e / t)) / (1 + cos (G_PI * (double) (e - 1) / t)) *
         (lr - eta_min) + eta_min;
}

static double
lt_cosine_annealing_lr_closed_form_lr (LtLRScheduler *scheduler, guint group)
{
  LtCosineAnnealingLR *self = LT_COSINE_ANNEALING_LR (scheduler);
  double               e = (double) lt_lr_scheduler_get_last_epoch (scheduler);
  double               base_lr = lt_lr_scheduler_get_base_lr (scheduler, group);

  return self->eta_min +
         (base_lr - self->eta_min) * (1 + cos (G_PI * e / (double) self->t_max)) / 2;
}

static void
lt_cosine_annealing_lr_class_init (LtCosineAnnealingLRClass *klass)
{
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_cosine_annealing_lr_compute_lr;
  LT_LR_SCHEDULER_CLASS (klass)->closed_form_lr = lt_cosine_annealing_lr_closed_form_lr;
}

static void
lt_cosine_annealing_lr_init (LtCosineAnnealingLR *self)
{
}

/**
 * lt_cosine_annealing_lr_new:
 * @optimizer: the optimizer
 * @t_max: the number of epochs of a half period (positive)
 * @eta_min: the lowest learning rate (PyTorch's default: 0)
 * @error: return location for a #GError
 *
 * Creates `CosineAnnealingLR(optimizer, T_max, eta_min)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for a T_max below 1
 */
LtCosineAnnealingLR *
lt_cosine_annealing_lr_new (LtOptimizer *optimizer,
                            gint64       t_max,
                            double       eta_min,
                            GError     **error)
{
  LtCosineAnnealingLR *self;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  if (t_max < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "CosineAnnealingLR: T_max must be at least 1, got %" G_GINT64_FORMAT, t_max);
      return NULL;
    }
  self = g_object_new (LT_TYPE_COSINE_ANNEALING_LR, "optimizer", optimizer, NULL);
  self->t_max = t_max;
  self->eta_min = eta_min;
  return self;
}

/* SequentialLR */

/**
 * LtSequentialLR:
 *
 * Runs schedules one after another, as
 * `torch.optim.lr_scheduler.SequentialLR`: the schedule of index i from
 * milestone i - 1 on (the first from epoch 0); at a milestone the next
 * schedule restarts from its epoch 0 (lt_lr_scheduler_step_to()). When it
 * is made, the groups' rates go back to their base rates, every schedule
 * moves one epoch back and the first one makes its first step again, as
 * PyTorch's does.
 */
struct _LtSequentialLR
{
  LtLRScheduler parent_instance;

  GPtrArray *schedulers; /* LtLRScheduler, owned */
  GArray    *milestones; /* gint64 */
};

G_DEFINE_FINAL_TYPE (LtSequentialLR, lt_sequential_lr, LT_TYPE_LR_SCHEDULER)

/* This schedule's last rates are the running schedule's. */
static void
copy_last_lrs (LtLRScheduler *self, LtLRScheduler *from)
{
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (self);
  LtLRSchedulerPrivate *fpriv = lt_lr_scheduler_get_instance_private (from);

  g_array_set_size (priv->last_lrs, 0);
  g_array_append_vals (priv->last_lrs, fpriv->last_lrs->data, fpriv->last_lrs->len);
}

static gboolean
lt_sequential_lr_step (LtLRScheduler *scheduler, GError **error)
{
  LtSequentialLR       *self = LT_SEQUENTIAL_LR (scheduler);
  LtLRSchedulerPrivate *priv = lt_lr_scheduler_get_instance_private (scheduler);
  gint64                epoch = priv->last_epoch + 1;
  guint                 idx = 0;
  LtLRScheduler        *child;
  gboolean              ok;

  /* bisect_right(milestones, epoch) */
  while (idx < self->milestones->len && g_array_index (self->milestones, gint64, idx) <= epoch)
    idx++;
  child = g_ptr_array_index (self->schedulers, idx);
  if (idx > 0 && g_array_index (self->milestones, gint64, idx - 1) == epoch)
    ok = lt_lr_scheduler_step_to (child, 0, error);
  else
    ok = lt_lr_scheduler_step (child, error);
  if (!ok)
    return FALSE;
  priv->last_epoch = epoch;
  copy_last_lrs (scheduler, child);
  return TRUE;
}

static void
lt_sequential_lr_finalize (GObject *object)
{
  LtSequentialLR *self = LT_SEQUENTIAL_LR (object);

  g_clear_pointer (&self->schedulers, g_ptr_array_unref);
  g_clear_pointer (&self->milestones, g_array_unref);
  G_OBJECT_CLASS (lt_sequential_lr_parent_class)->finalize (object);
}

static void
lt_sequential_lr_class_init (LtSequentialLRClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_sequential_lr_finalize;
  LT_LR_SCHEDULER_CLASS (klass)->step = lt_sequential_lr_step;
}

static void
lt_sequential_lr_init (LtSequentialLR *self)
{
}

/**
 * lt_sequential_lr_new:
 * @optimizer: the optimizer
 * @schedulers: (array length=n_schedulers): the schedules, all of
 *   @optimizer
 * @n_schedulers: their number (at least 1)
 * @milestones: (array length=n_milestones): the epochs at which the next
 *   schedule takes over, one fewer than the schedules
 * @n_milestones: their number
 * @error: return location for a #GError
 *
 * Creates `SequentialLR(optimizer, schedulers, milestones)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set when a schedule is of another optimizer or the numbers of
 *   schedules and milestones do not fit
 */
LtSequentialLR *
lt_sequential_lr_new (LtOptimizer    *optimizer,
                      LtLRScheduler **schedulers,
                      gsize           n_schedulers,
                      const gint64   *milestones,
                      gsize           n_milestones,
                      GError        **error)
{
  LtSequentialLR       *self;
  LtLRSchedulerPrivate *priv, *first;
  LtLRScheduler        *child;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (schedulers != NULL || n_schedulers == 0, NULL);
  g_return_val_if_fail (milestones != NULL || n_milestones == 0, NULL);
  for (gsize i = 0; i < n_schedulers; i++)
    {
      g_return_val_if_fail (LT_IS_LR_SCHEDULER (schedulers[i]), NULL);
      if (lt_lr_scheduler_get_optimizer (schedulers[i]) != optimizer)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "Sequential Schedulers expects all schedulers to belong to the same "
                       "optimizer, but got schedulers at index %" G_GSIZE_FORMAT " to be "
                       "different than the optimizer passed in.",
                       i);
          return NULL;
        }
    }
  if (n_schedulers == 0 || n_milestones != n_schedulers - 1)
    {
      g_set_error (
        error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
        "Sequential Schedulers expects number of schedulers provided to be one more "
        "than the number of milestone points, but got number of schedulers %" G_GSIZE_FORMAT
        " and the number of milestones to be equal to %" G_GSIZE_FORMAT,
        n_schedulers, n_milestones);
      return NULL;
    }
  self = g_object_new (LT_TYPE_SEQUENTIAL_LR, "optimizer", optimizer, NULL);
  self->schedulers = g_ptr_array_new_with_free_func (g_object_unref);
  for (gsize i = 0; i < n_schedulers; i++)
    g_ptr_array_add (self->schedulers, g_object_ref (schedulers[i]));
  self->milestones = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (n_milestones)
    g_array_append_vals (self->milestones, milestones, (guint) n_milestones);

  /* the groups back at their initial rates (the first schedule's base
   * rates), every schedule one epoch back, the first one's first step */
  priv = lt_lr_scheduler_get_instance_private (LT_LR_SCHEDULER (self));
  first = lt_lr_scheduler_get_instance_private (schedulers[0]);
  g_array_set_size (priv->base_lrs, 0);
  g_array_append_vals (priv->base_lrs, first->base_lrs->data, first->base_lrs->len);
  for (guint i = 0; i < n_groups (priv); i++)
    lt_optimizer_set_lr (optimizer, i, g_array_index (priv->base_lrs, double, i));
  for (gsize i = 0; i < n_schedulers; i++)
    {
      LtLRSchedulerPrivate *p = lt_lr_scheduler_get_instance_private (schedulers[i]);

      p->last_epoch--;
    }
  child = schedulers[0];
  priv->last_epoch = 0;
  if (lt_lr_scheduler_step (child, error))
    copy_last_lrs (LT_LR_SCHEDULER (self), child);
  else
    g_clear_object (&self);
  return self;
}
