/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-lr-schedulers.h"
#include "lt-lr-scheduler-private.h"
#include "core/lt-error.h"

/*
 * The schedules of torch.optim.lr_scheduler beyond StepLR, MultiStepLR,
 * CosineAnnealingLR and SequentialLR (lt-lr-scheduler.c), with PyTorch
 * 1.13's formulas (chainable get_lr(), and _get_closed_form_lr() where it
 * has one).
 *
 * The base class makes its first step when the object is constructed,
 * before the constructor below has set the schedule's fields: until they
 * are set ("ready"), compute_lr keeps the current rate; the constructor
 * then moves back to epoch -1 and makes the first step for real, and
 * fails if that step does.
 */

static double
current_lr (LtLRScheduler *self, guint group)
{
  return lt_optimizer_get_lr (lt_lr_scheduler_get_optimizer (self), group);
}

static gboolean
first_step (LtLRScheduler *self, GError **error)
{
  lt_lr_scheduler_set_last_epoch (self, -1);
  return lt_lr_scheduler_step (self, error);
}

/* A value per group from @values: one for all, or one each. */
static gboolean
per_group (const char   *type,
           const char   *name,
           LtOptimizer  *optimizer,
           const double *values,
           gsize         n,
           GArray      **out,
           GError      **error)
{
  guint groups = lt_optimizer_get_n_param_groups (optimizer);

  if (n != 1 && n != groups)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: expected %u values for %s, got %" G_GSIZE_FORMAT, type, groups, name, n);
      return FALSE;
    }
  *out = g_array_sized_new (FALSE, FALSE, sizeof (double), groups);
  for (guint i = 0; i < groups; i++)
    g_array_append_val (*out, values[n == 1 ? 0 : i]);
  return TRUE;
}

/* LambdaLR and MultiplicativeLR */

typedef struct
{
  LtLRLambda     func;
  gpointer       user_data;
  GDestroyNotify destroy;
} Lambda;

static void
lambda_clear (Lambda *l)
{
  if (l->destroy)
    l->destroy (l->user_data);
  l->destroy = NULL;
  l->func = NULL;
}

/**
 * LtLambdaLR:
 *
 * Sets the learning rate of each group to its base rate times a factor a
 * function gives for the epoch, as `torch.optim.lr_scheduler.LambdaLR`:
 * lr = base_lr * lr_lambda(group, epoch).
 */
struct _LtLambdaLR
{
  LtLRScheduler parent_instance;

  Lambda lambda;
};

G_DEFINE_FINAL_TYPE (LtLambdaLR, lt_lambda_lr, LT_TYPE_LR_SCHEDULER)

static double
lt_lambda_lr_compute_lr (LtLRScheduler *scheduler, guint group)
{
  LtLambdaLR *self = LT_LAMBDA_LR (scheduler);

  if (self->lambda.func == NULL)
    return current_lr (scheduler, group);
  return lt_lr_scheduler_get_base_lr (scheduler, group) *
         self->lambda.func (group, lt_lr_scheduler_get_last_epoch (scheduler),
                            self->lambda.user_data);
}

static void
lt_lambda_lr_finalize (GObject *object)
{
  lambda_clear (&LT_LAMBDA_LR (object)->lambda);
  G_OBJECT_CLASS (lt_lambda_lr_parent_class)->finalize (object);
}

static void
lt_lambda_lr_class_init (LtLambdaLRClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_lambda_lr_finalize;
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_lambda_lr_compute_lr;
}

static void
lt_lambda_lr_init (LtLambdaLR *self)
{
}

/**
 * lt_lambda_lr_new:
 * @optimizer: the optimizer
 * @lr_lambda: (scope notified) (closure user_data) (destroy destroy): the
 *   factor of each group's base rate at each epoch
 * @user_data: data for @lr_lambda
 * @destroy: (nullable): frees @user_data when the schedule is freed
 * @error: return location for a #GError
 *
 * Creates `LambdaLR(optimizer, lr_lambda)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set when the first step fails (a factor that is not finite)
 */
LtLambdaLR *
lt_lambda_lr_new (LtOptimizer   *optimizer,
                  LtLRLambda     lr_lambda,
                  gpointer       user_data,
                  GDestroyNotify destroy,
                  GError       **error)
{
  g_autoptr(LtLambdaLR) self = NULL;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (lr_lambda != NULL, NULL);
  self = g_object_new (LT_TYPE_LAMBDA_LR, "optimizer", optimizer, NULL);
  self->lambda = (Lambda){ lr_lambda, user_data, destroy };
  if (!first_step (LT_LR_SCHEDULER (self), error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * LtMultiplicativeLR:
 *
 * Multiplies the learning rate of each group by a factor a function gives
 * for the epoch, as `torch.optim.lr_scheduler.MultiplicativeLR`: at epoch
 * e > 0, lr = lr * lr_lambda(group, e).
 */
struct _LtMultiplicativeLR
{
  LtLRScheduler parent_instance;

  Lambda lambda;
};

G_DEFINE_FINAL_TYPE (LtMultiplicativeLR, lt_multiplicative_lr, LT_TYPE_LR_SCHEDULER)

static double
lt_multiplicative_lr_compute_lr (LtLRScheduler *scheduler, guint group)
{
  LtMultiplicativeLR *self = LT_MULTIPLICATIVE_LR (scheduler);
  gint64              epoch = lt_lr_scheduler_get_last_epoch (scheduler);
  double              lr = current_lr (scheduler, group);

  if (self->lambda.func == NULL || epoch <= 0)
    return lr;
  return lr * self->lambda.func (group, epoch, self->lambda.user_data);
}

static void
lt_multiplicative_lr_finalize (GObject *object)
{
  lambda_clear (&LT_MULTIPLICATIVE_LR (object)->lambda);
  G_OBJECT_CLASS (lt_multiplicative_lr_parent_class)->finalize (object);
}

static void
lt_multiplicative_lr_class_init (LtMultiplicativeLRClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_multiplicative_lr_finalize;
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_multiplicative_lr_compute_lr;
}

static void
lt_multiplicative_lr_init (LtMultiplicativeLR *self)
{
}

/**
 * lt_multiplicative_lr_new:
 * @optimizer: the optimizer
 * @lr_lambda: (scope notified) (closure user_data) (destroy destroy): the
 *   factor of each group's rate at each epoch
 * @user_data: data for @lr_lambda
 * @destroy: (nullable): frees @user_data when the schedule is freed
 * @error: return location for a #GError
 *
 * Creates `MultiplicativeLR(optimizer, lr_lambda)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set when the first step fails
 */
LtMultiplicativeLR *
lt_multiplicative_lr_new (LtOptimizer   *optimizer,
                          LtLRLambda     lr_lambda,
                          gpointer       user_data,
                          GDestroyNotify destroy,
                          GError       **error)
{
  g_autoptr(LtMultiplicativeLR) self = NULL;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (lr_lambda != NULL, NULL);
  self = g_object_new (LT_TYPE_MULTIPLICATIVE_LR, "optimizer", optimizer, NULL);
  self->lambda = (Lambda){ lr_lambda, user_data, destroy };
  if (!first_step (LT_LR_SCHEDULER (self), error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ExponentialLR */

/**
 * LtExponentialLR:
 *
 * Multiplies the learning rate by gamma every epoch, as
 * `torch.optim.lr_scheduler.ExponentialLR`.
 */
struct _LtExponentialLR
{
  LtLRScheduler parent_instance;

  gboolean ready;
  double   gamma;
};

G_DEFINE_FINAL_TYPE (LtExponentialLR, lt_exponential_lr, LT_TYPE_LR_SCHEDULER)

static double
lt_exponential_lr_compute_lr (LtLRScheduler *scheduler, guint group)
{
  LtExponentialLR *self = LT_EXPONENTIAL_LR (scheduler);
  double           lr = current_lr (scheduler, group);

  if (!self->ready || lt_lr_scheduler_get_last_epoch (scheduler) == 0)
    return lr;
  return lr * self->gamma;
}

static double
lt_exponential_lr_closed_form_lr (LtLRScheduler *scheduler, guint group)
{
  LtExponentialLR *self = LT_EXPONENTIAL_LR (scheduler);

  return lt_lr_scheduler_get_base_lr (scheduler, group) *
         pow (self->gamma, (double) lt_lr_scheduler_get_last_epoch (scheduler));
}

static void
lt_exponential_lr_class_init (LtExponentialLRClass *klass)
{
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_exponential_lr_compute_lr;
  LT_LR_SCHEDULER_CLASS (klass)->closed_form_lr = lt_exponential_lr_closed_form_lr;
}

static void
lt_exponential_lr_init (LtExponentialLR *self)
{
}

/**
 * lt_exponential_lr_new:
 * @optimizer: the optimizer
 * @gamma: the factor per epoch
 * @error: return location for a #GError
 *
 * Creates `ExponentialLR(optimizer, gamma)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for a gamma that is not finite
 */
LtExponentialLR *
lt_exponential_lr_new (LtOptimizer *optimizer, double gamma, GError **error)
{
  g_autoptr(LtExponentialLR) self = NULL;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  if (!isfinite (gamma))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "ExponentialLR: gamma must be a finite number, got %g", gamma);
      return NULL;
    }
  self = g_object_new (LT_TYPE_EXPONENTIAL_LR, "optimizer", optimizer, NULL);
  self->gamma = gamma;
  self->ready = TRUE;
  if (!first_step (LT_LR_SCHEDULER (self), error))
    return NULL;
  return g_steal_pointer (&self);
}

/* LinearLR */

/**
 * LtLinearLR:
 *
 * Moves the factor of the learning rate linearly from start_factor to
 * end_factor over total_iters epochs, as
 * `torch.optim.lr_scheduler.LinearLR`, with its recursive formula.
 */
struct _LtLinearLR
{
  LtLRScheduler parent_instance;

  gboolean ready;
  double   start_factor, end_factor;
  gint64   total_iters;
};

G_DEFINE_FINAL_TYPE (LtLinearLR, lt_linear_lr, LT_TYPE_LR_SCHEDULER)

static double
lt_linear_lr_compute_lr (LtLRScheduler *scheduler, guint group)
{
  LtLinearLR *self = LT_LINEAR_LR (scheduler);
  gint64      e = lt_lr_scheduler_get_last_epoch (scheduler);
  double      lr = current_lr (scheduler, group), s = self->start_factor, d;

  if (!self->ready)
    return lr;
  if (e == 0)
    return lr * s;
  if (e > self->total_iters)
    return lr;
  d = self->end_factor - s;
  return lr * (1. + d / ((double) self->total_iters * s + (double) (e - 1) * d));
}

static double
lt_linear_lr_closed_form_lr (LtLRScheduler *scheduler, guint group)
{
  LtLinearLR *self = LT_LINEAR_LR (scheduler);
  gint64      e = lt_lr_scheduler_get_last_epoch (scheduler);

  return lt_lr_scheduler_get_base_lr (scheduler, group) *
         (self->start_factor + (self->end_factor - self->start_factor) *
                                 (double) MIN (self->total_iters, e) / (double) self->total_iters);
}

static void
lt_linear_lr_class_init (LtLinearLRClass *klass)
{
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_linear_lr_compute_lr;
  LT_LR_SCHEDULER_CLASS (klass)->closed_form_lr = lt_linear_lr_closed_form_lr;
}

static void
lt_linear_lr_init (LtLinearLR *self)
{
}

/**
 * lt_linear_lr_new:
 * @optimizer: the optimizer
 * @start_factor: the factor at epoch 0, in [0, 1] (PyTorch's default: 1/3)
 * @end_factor: the factor from total_iters on, in [0, 1] (default: 1)
 * @total_iters: the number of epochs of the change (default: 5)
 * @error: return location for a #GError
 *
 * Creates `LinearLR(optimizer, start_factor, end_factor, total_iters)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for a factor outside [0, 1]
 */
LtLinearLR *
lt_linear_lr_new (LtOptimizer *optimizer,
                  double       start_factor,
                  double       end_factor,
                  gint64       total_iters,
                  GError     **error)
{
  g_autoptr(LtLinearLR) self = NULL;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  if (!(start_factor >= 0 && start_factor <= 1))
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "Starting multiplicative factor expected to be between 0 and 1.");
      return NULL;
    }
  if (!(end_factor >= 0 && end_factor <= 1))
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "Ending multiplicative factor expected to be between 0 and 1.");
      return NULL;
    }
  self = g_object_new (LT_TYPE_LINEAR_LR, "optimizer", optimizer, NULL);
  self->start_factor = start_factor;
  self->end_factor = end_factor;
  self->total_iters = total_iters;
  self->ready = TRUE;
  if (!first_step (LT_LR_SCHEDULER (self), error))
    return NULL;
  return g_steal_pointer (&self);
}

/* CosineAnnealingWarmRestarts */

/**
 * LtCosineAnnealingWarmRestarts:
 *
 * Cosine annealing from the base rate down to eta_min over T_i epochs,
 * then a restart, with T_0 for the first period and each next one T_mult
 * times longer, as `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`:
 * lr = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2.
 */
struct _LtCosineAnnealingWarmRestarts
{
  LtLRScheduler parent_instance;

  gboolean ready;
  gint64   t_0, t_mult;
  double   eta_min;
};

G_DEFINE_FINAL_TYPE (LtCosineAnnealingWarmRestarts,
                     lt_cosine_annealing_warm_restarts,
                     LT_TYPE_LR_SCHEDULER)

static double
lt_cosine_annealing_warm_restarts_compute_lr (LtLRScheduler *scheduler, guint group)
{
  LtCosineAnnealingWarmRestarts *self = LT_COSINE_ANNEALING_WARM_RESTARTS (scheduler);
  gint64                         t_cur = MAX (lt_lr_scheduler_get_last_epoch (scheduler), 0), t_i;
  double                         base_lr = lt_lr_scheduler_get_base_lr (scheduler, group);

  if (!self->ready)
    return current_lr (scheduler, group);
  /* T_cur and T_i at this epoch: PyTorch's step() counts them one epoch
   * at a time, restarting when T_cur reaches T_i */
  t_i = self->t_0;
  while (t_cur >= t_i)
    {
      t_cur -= t_i;
      t_i *= self->t_mult;
    }
  return self->eta_min +
         (base_lr - self->eta_min) * (1 + cos (G_PI * (double) t_cur / (double) t_i)) / 2;
}

static void
lt_cosine_annealing_warm_restarts_class_init (LtCosineAnnealingWarmRestartsClass *klass)
{
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_cosine_annealing_warm_restarts_compute_lr;
  LT_LR_SCHEDULER_CLASS (klass)->closed_form_lr = lt_cosine_annealing_warm_restarts_compute_lr;
}

static void
lt_cosine_annealing_warm_restarts_init (LtCosineAnnealingWarmRestarts *self)
{
}

/**
 * lt_cosine_annealing_warm_restarts_new:
 * @optimizer: the optimizer
 * @t_0: the length of the first period, in epochs (positive)
 * @t_mult: the factor of each next period's length (at least 1; PyTorch's
 *   default: 1)
 * @eta_min: the lowest learning rate (default: 0)
 * @error: return location for a #GError
 *
 * Creates `CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for a T_0 below 1 or a T_mult below 1
 */
LtCosineAnnealingWarmRestarts *
lt_cosine_annealing_warm_restarts_new (LtOptimizer *optimizer,
                                       gint64       t_0,
                                       gint64       t_mult,
                                       double       eta_min,
                                       GError     **error)
{
  g_autoptr(LtCosineAnnealingWarmRestarts) self = NULL;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  if (t_0 <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Expected positive integer T_0, but got %" G_GINT64_FORMAT, t_0);
      return NULL;
    }
  if (t_mult < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Expected integer T_mult >= 1, but got %" G_GINT64_FORMAT, t_mult);
      return NULL;
    }
  self = g_object_new (LT_TYPE_COSINE_ANNEALING_WARM_RESTARTS, "optimizer", optimizer, NULL);
  self->t_0 = t_0;
  self->t_mult = t_mult;
  self->eta_min = eta_min;
  self->ready = TRUE;
  if (!first_step (LT_LR_SCHEDULER (self), error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Momentum, for OneCycleLR and CyclicLR: "momentum", or "beta1" (PyTorch's
 * betas[0]) where @beta1 allows it; NULL when the optimizer has neither. */
static const char *
momentum_option (LtOptimizer *optimizer, gboolean beta1)
{
  if (lt_optimizer_has_option (optimizer, "momentum"))
    return "momentum";
  if (beta1 && lt_optimizer_has_option (optimizer, "beta1"))
    return "beta1";
  return NULL;
}

/* OneCycleLR */

/**
 * LtOneCycleLR:
 *
 * The 1cycle policy, as `torch.optim.lr_scheduler.OneCycleLR`: the rate
 * rises from max_lr / div_factor to max_lr over pct_start of total_steps,
 * then falls to max_lr / div_factor / final_div_factor (with three_phase,
 * first back to the start and then down), by cosine or linear annealing;
 * with cycle_momentum the momentum (or Adam's beta1) moves the other way,
 * between max_momentum and base_momentum. Stepping past total_steps fails.
 */
typedef struct
{
  double end_step;
  int    start_lr, end_lr, start_m, end_m; /* indices into Rates */
} Phase;

enum
{
  INITIAL,
  MAX,
  MIN,
  N_RATES
};

struct _LtOneCycleLR
{
  LtLRScheduler parent_instance;

  gboolean    ready, linear, three_phase;
  gint64      total_steps;
  GArray     *rates; /* double[N_RATES] per group */
  Phase       phases[3];
  guint       n_phases;
  const char *momentum;   /* NULL without cycle_momentum */
  double      momenta[2]; /* max_momentum, base_momentum */
};

G_DEFINE_FINAL_TYPE (LtOneCycleLR, lt_one_cycle_lr, LT_TYPE_LR_SCHEDULER)

static double
anneal (gboolean linear, double start, double end, double pct)
{
  if (linear)
    return (end - start) * pct + start;
  return end + (start - end) / 2.0 * (cos (G_PI * pct) + 1);
}

static double
lt_one_cycle_lr_compute_lr (LtLRScheduler *scheduler, guint group)
{
  LtOneCycleLR *self = LT_ONE_CYCLE_LR (scheduler);
  double        step = (double) lt_lr_scheduler_get_last_epoch (scheduler), start = 0;
  const double *r;

  if (!self->ready)
    return current_lr (scheduler, group);
  if (step > (double) self->total_steps || group >= self->rates->len / N_RATES)
    return NAN;
  r = &g_array_index (self->rates, double, group *N_RATES);
  for (guint i = 0; i < self->n_phases; i++)
    {
      const Phase *ph = &self->phases[i];

      if (step <= ph->end_step || i == self->n_phases - 1)
        {
          double pct = (step - start) / (ph->end_step - start);

          if (self->momentum)
            lt_optimizer_set_option (
              lt_lr_scheduler_get_optimizer (scheduler), group, self->momentum,
              anneal (self->linear, self->momenta[ph->start_m], self->momenta[ph->end_m], pct),
              NULL);
          return anneal (self->linear, r[ph->start_lr], r[ph->end_lr], pct);
        }
      start = ph->end_step;
    }
  return NAN;
}

static void
lt_one_cycle_lr_finalize (GObject *object)
{
  g_clear_pointer (&LT_ONE_CYCLE_LR (object)->rates, g_array_unref);
  G_OBJECT_CLASS (lt_one_cycle_lr_parent_class)->finalize (object);
}

static void
lt_one_cycle_lr_class_init (LtOneCycleLRClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_one_cycle_lr_finalize;
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_one_cycle_lr_compute_lr;
}

static void
lt_one_cycle_lr_init (LtOneCycleLR *self)
{
}

/**
 * lt_one_cycle_lr_new:
 * @optimizer: the optimizer
 * @max_lrs: (array length=n_max_lrs): the highest rate: one for every
 *   group, or one per group
 * @n_max_lrs: 1 or the number of groups
 * @total_steps: the number of steps of the cycle (positive)
 * @pct_start: the part of the cycle spent rising, in [0, 1] (PyTorch's
 *   default: 0.3)
 * @anneal_strategy: "cos" (the default) or "linear"
 * @cycle_momentum: whether to cycle the momentum (or beta1) too (default:
 *   %TRUE)
 * @base_momentum: the lowest momentum (default: 0.85)
 * @max_momentum: the highest momentum (default: 0.95)
 * @div_factor: the starting rate is max_lr / div_factor (default: 25)
 * @final_div_factor: the final rate is the starting rate /
 *   final_div_factor (default: 1e4)
 * @three_phase: whether to come back to the starting rate before falling
 *   to the final one (default: %FALSE)
 * @error: return location for a #GError
 *
 * Creates `OneCycleLR(optimizer, max_lr, total_steps, pct_start=...,
 * anneal_strategy=..., cycle_momentum=..., base_momentum=...,
 * max_momentum=..., div_factor=..., final_div_factor=...,
 * three_phase=...)`.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for an argument PyTorch refuses
 */
LtOneCycleLR *
lt_one_cycle_lr_new (LtOptimizer  *optimizer,
                     const double *max_lrs,
                     gsize         n_max_lrs,
                     gint64        total_steps,
                     double        pct_start,
                     const char   *anneal_strategy,
                     gboolean      cycle_momentum,
                     double        base_momentum,
                     double        max_momentum,
                     double        div_factor,
                     double        final_div_factor,
                     gboolean      three_phase,
                     GError      **error)
{
  g_autoptr(LtOneCycleLR) self = NULL;
  g_autoptr(GArray) maxes = NULL;
  const char *momentum = NULL;
  double      n;
  guint       groups = lt_optimizer_get_n_param_groups (optimizer);
  g_autoptr(GArray) rates = NULL;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (max_lrs != NULL || n_max_lrs == 0, NULL);
  if (total_steps <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Expected positive integer total_steps, but got %" G_GINT64_FORMAT, total_steps);
      return NULL;
    }
  if (!(pct_start >= 0 && pct_start <= 1))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Expected float between 0 and 1 pct_start, but got %g", pct_start);
      return NULL;
    }
  if (anneal_strategy == NULL)
    anneal_strategy = "cos";
  if (strcmp (anneal_strategy, "cos") != 0 && strcmp (anneal_strategy, "linear") != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "anneal_strategy must by one of 'cos' or 'linear', instead got %s",
                   anneal_strategy);
      return NULL;
    }
  if (!per_group ("OneCycleLR", "max_lr", optimizer, max_lrs, n_max_lrs, &maxes, error))
    return NULL;
  if (cycle_momentum)
    {
      momentum = momentum_option (optimizer, TRUE);
      if (momentum == NULL)
        {
          g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                               "optimizer must support momentum with `cycle_momentum` option "
                               "enabled");
          return NULL;
        }
    }
  /* the groups' initial, highest and lowest rates; the rate starts at the
   * initial one (PyTorch's base_lrs are the groups' "initial_lr") */
  rates = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < groups; i++)
    {
      double r[N_RATES];

      r[MAX] = g_array_index (maxes, double, i);
      r[INITIAL] = r[MAX] / div_factor;
      r[MIN] = r[INITIAL] / final_div_factor;
      g_array_append_vals (rates, r, N_RATES);
      lt_optimizer_set_lr (optimizer, i, r[INITIAL]);
      _lt_lr_scheduler_set_initial_lr (optimizer, i, r[INITIAL]);
      if (momentum)
        lt_optimizer_set_option (optimizer, i, momentum, max_momentum, NULL);
    }
  self = g_object_new (LT_TYPE_ONE_CYCLE_LR, "optimizer", optimizer, NULL);
  self->rates = g_steal_pointer (&rates);
  self->total_steps = total_steps;
  self->linear = strcmp (anneal_strategy, "linear") == 0;
  self->momentum = momentum;
  self->momenta[0] = max_momentum;
  self->momenta[1] = base_momentum;
  n = (double) total_steps;
  /* momenta: 0 = max_momentum, 1 = base_momentum */
  if (three_phase)
    {
      self->phases[0] = (Phase){ pct_start * n - 1, INITIAL, MAX, 0, 1 };
      self->phases[1] = (Phase){ 2 * pct_start * n - 2, MAX, INITIAL, 1, 0 };
      self->phases[2] = (Phase){ n - 1, INITIAL, MIN, 0, 0 };
      self->n_phases = 3;
    }
  else
    {
      self->phases[0] = (Phase){ pct_start * n - 1, INITIAL, MAX, 0, 1 };
      self->phases[1] = (Phase){ n - 1, MAX, MIN, 1, 0 };
      self->n_phases = 2;
    }
  self->three_phase = three_phase;
  self->ready = TRUE;
  if (!first_step (LT_LR_SCHEDULER (self), error))
    return NULL;
  return g_steal_pointer (&self);
}

/* CyclicLR */

/**
 * LtCyclicLR:
 *
 * A cyclical learning rate between base_lr and max_lr, as
 * `torch.optim.lr_scheduler.CyclicLR`, stepped once per batch: up over
 * step_size_up steps, down over step_size_down, the amplitude scaled per
 * cycle ("triangular": 1, "triangular2": halved each cycle) or per
 * iteration ("exp_range": gamma^iteration), or by a function
 * (lt_cyclic_lr_set_scale_fn()); with cycle_momentum the momentum moves
 * the other way between base_momentum and max_momentum.
 */
struct _LtCyclicLR
{
  LtLRScheduler parent_instance;

  gboolean       ready;
  GArray        *base_lrs, *max_lrs; /* double per group */
  double         total_size, step_ratio, gamma;
  int            mode; /* 0 triangular, 1 triangular2, 2 exp_range */
  gboolean       by_cycle;
  LtLRScaleFunc  scale_fn;
  gpointer       scale_data;
  GDestroyNotify scale_destroy;
  gboolean       cycle_momentum;
  double         base_momentum, max_momentum;
};

G_DEFINE_FINAL_TYPE (LtCyclicLR, lt_cyclic_lr, LT_TYPE_LR_SCHEDULER)

static double
cyclic_scale (LtCyclicLR *self, double x)
{
  if (self->scale_fn)
    return self->scale_fn (x, self->scale_data);
  switch (self->mode)
    {
      case 1:
        return 1 / pow (2., x - 1);
      case 2:
        return pow (self->gamma, x);
      default:
        return 1.;
    }
}

static double
lt_cyclic_lr_compute_lr (LtLRScheduler *scheduler, guint group)
{
  LtCyclicLR *self = LT_CYCLIC_LR (scheduler);
  double      e = (double) lt_lr_scheduler_get_last_epoch (scheduler);
  double      cycle, x, scale_factor, scale, base_lr, max_lr;

  if (!self->ready)
    return current_lr (scheduler, group);
  if (group >= self->base_lrs->len)
    return NAN;
  cycle = floor (1 + e / self->total_size);
  x = 1. + e / self->total_size - cycle;
  if (x <= self->step_ratio)
    scale_factor = x / self->step_ratio;
  else
    scale_factor = (x - 1) / (self->step_ratio - 1);
  scale = cyclic_scale (self, self->by_cycle ? cycle : e);
  if (self->cycle_momentum)
    {
      double height = (self->max_momentum - self->base_momentum) * scale_factor;

      lt_optimizer_set_option (lt_lr_scheduler_get_optimizer (scheduler), group, "momentum",
                               self->max_momentum - height * scale, NULL);
    }
  base_lr = g_array_index (self->base_lrs, double, group);
  max_lr = g_array_index (self->max_lrs, double, group);
  return base_lr + (max_lr - base_lr) * scale_factor * scale;
}

static void
lt_cyclic_lr_finalize (GObject *object)
{
  LtCyclicLR *self = LT_CYCLIC_LR (object);

  if (self->scale_destroy)
    self->scale_destroy (self->scale_data);
  g_clear_pointer (&self->base_lrs, g_array_unref);
  g_clear_pointer (&self->max_lrs, g_array_unref);
  G_OBJECT_CLASS (lt_cyclic_lr_parent_class)->finalize (object);
}

static void
lt_cyclic_lr_class_init (LtCyclicLRClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_cyclic_lr_finalize;
  LT_LR_SCHEDULER_CLASS (klass)->compute_lr = lt_cyclic_lr_compute_lr;
}

static void
lt_cyclic_lr_init (LtCyclicLR *self)
{
}

/**
 * lt_cyclic_lr_new:
 * @optimizer: the optimizer
 * @base_lrs: (array length=n_base_lrs): the lowest rate: one for every
 *   group, or one per group
 * @n_base_lrs: 1 or the number of groups
 * @max_lrs: (array length=n_max_lrs): the highest rate, likewise
 * @n_max_lrs: 1 or the number of groups
 * @step_size_up: the steps of the rising half (PyTorch's default: 2000)
 * @step_size_down: the steps of the falling half; 0 or less for
 *   @step_size_up
 * @mode: "triangular" (the default), "triangular2" or "exp_range"
 * @gamma: the factor of "exp_range" (default: 1)
 * @cycle_momentum: whether to cycle the momentum too (default: %TRUE)
 * @base_momentum: the lowest momentum (default: 0.8)
 * @max_momentum: the highest momentum (default: 0.9)
 * @error: return location for a #GError
 *
 * Creates `CyclicLR(optimizer, base_lr, max_lr, step_size_up,
 * step_size_down, mode, gamma, cycle_momentum=..., base_momentum=...,
 * max_momentum=...)`. The groups' rates are set to @base_lrs (and their
 * momentum to @base_momentum) first, as PyTorch does.
 *
 * Returns: (transfer full) (nullable): the schedule, or %NULL with @error
 *   set for an argument PyTorch refuses
 */
LtCyclicLR *
lt_cyclic_lr_new (LtOptimizer  *optimizer,
                  const double *base_lrs,
                  gsize         n_base_lrs,
                  const double *max_lrs,
                  gsize         n_max_lrs,
                  double        step_size_up,
                  double        step_size_down,
                  const char   *mode,
                  double        gamma,
                  gboolean      cycle_momentum,
                  double        base_momentum,
                  double        max_momentum,
                  GError      **error)
{
  g_autoptr(LtCyclicLR) self = NULL;
  g_autoptr(GArray) bases = NULL;
  g_autoptr(GArray) maxes = NULL;
  int m;

  g_return_val_if_fail (LT_IS_OPTIMIZER (optimizer), NULL);
  g_return_val_if_fail (base_lrs != NULL || n_base_lrs == 0, NULL);
  g_return_val_if_fail (max_lrs != NULL || n_max_lrs == 0, NULL);
  if (mode == NULL)
    mode = "triangular";
  if (strcmp (mode, "triangular") == 0)
    m = 0;
  else if (strcmp (mode, "triangular2") == 0)
    m = 1;
  else if (strcmp (mode, "exp_range") == 0)
    m = 2;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "CyclicLR: mode \"%s\" is invalid (triangular, triangular2 or exp_range)", mode);
      return NULL;
    }
  if (step_size_down <= 0)
    step_size_down = step_size_up;
  if (!(step_size_up > 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "CyclicLR: step_size_up must be positive, got %g", step_size_up);
      return NULL;
    }
  if (!per_group ("CyclicLR", "base_lr", optimizer, base_lrs, n_base_lrs, &bases, error) ||
      !per_group ("CyclicLR", "max_lr", optimizer, max_lrs, n_max_lrs, &maxes, error))
    return NULL;
  if (cycle_momentum && !lt_optimizer_has_option (optimizer, "momentum"))
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "optimizer must support momentum with `cycle_momentum` option enabled");
      return NULL;
    }
  for (guint i = 0; i < bases->len; i++)
    {
      lt_optimizer_set_lr (optimizer, i, g_array_index (bases, double, i));
      if (cycle_momentum)
        lt_optimizer_set_option (optimizer, i, "momentum", base_momentum, NULL);
    }
  self = g_object_new (LT_TYPE_CYCLIC_LR, "optimizer", optimizer, NULL);
  /* PyTorch's base_lrs are base_lr, whatever the groups' initial_lr */
  for (guint i = 0; i < bases->len; i++)
    _lt_lr_scheduler_set_base_lr (LT_LR_SCHEDULER (self), i, g_array_index (bases, double, i));
  self->base_lrs = g_steal_pointer (&bases);
  self->max_lrs = g_steal_pointer (&maxes);
  self->total_size = step_size_up + step_size_down;
  self->step_ratio = step_size_up / self->total_size;
  self->mode = m;
  self->by_cycle = m != 2;
  self->gamma = gamma;
  self->cycle_momentum = cycle_momentum;
  self->base_momentum = base_momentum;
  self->max_momentum = max_momentum;
  self->ready = TRUE;
  if (!first_step (LT_LR_SCHEDULER (self), error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_cyclic_lr_set_scale_fn:
 * @self: a cyclic schedule
 * @scale_fn: (scope notified) (closure user_data) (destroy destroy): the
 *   scale of the amplitude, PyTorch's `scale_fn`
 * @user_data: data for @scale_fn
 * @destroy: (nullable): frees @user_data when it is no longer used
 * @by_cycle: whether @scale_fn takes the cycle (PyTorch's
 *   scale_mode="cycle") or the iteration ("iterations")
 *
 * Replaces the mode's scale with @scale_fn, from the next step on (at
 * epoch 0 the scale does not matter: the rate is the base rate).
 */
void
lt_cyclic_lr_set_scale_fn (LtCyclicLR    *self,
                           LtLRScaleFunc  scale_fn,
                           gpointer       user_data,
                           GDestroyNotify destroy,
                           gboolean       by_cycle)
{
  g_return_if_fail (LT_IS_CYCLIC_LR (self));
  if (self->scale_destroy)
    self->scale_destroy (self->scale_data);
  self->scale_fn = scale_fn;
  self->scale_data = user_data;
  self->scale_destroy = destroy;
  self->by_cycle = by_cycle;
}
