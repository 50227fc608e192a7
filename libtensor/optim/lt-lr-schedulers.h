/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "optim/lt-lr-scheduler.h"

G_BEGIN_DECLS

/**
 * LtLRLambda:
 * @group: the parameter group
 * @epoch: the epoch
 * @user_data: (closure): the data given with the function
 *
 * A factor of the learning rate for @group at @epoch, as the `lr_lambda`
 * of PyTorch's `LambdaLR` and `MultiplicativeLR`. A result that is not
 * finite makes the step fail (and change nothing).
 *
 * Returns: the factor
 */
typedef double (*LtLRLambda) (guint    group,
                              gint64   epoch,
                              gpointer user_data);

/**
 * LtLRScaleFunc:
 * @x: the cycle (counted from 1) or the iteration, as the schedule's
 *   scale mode says
 * @user_data: (closure): the data given with the function
 *
 * The scale of a cycle's amplitude, as the `scale_fn` of PyTorch's
 * `CyclicLR`.
 *
 * Returns: the scale
 */
typedef double (*LtLRScaleFunc) (double   x,
                                 gpointer user_data);

#define LT_TYPE_LAMBDA_LR (lt_lambda_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLambdaLR, lt_lambda_lr, LT, LAMBDA_LR, LtLRScheduler)

#define LT_TYPE_MULTIPLICATIVE_LR (lt_multiplicative_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtMultiplicativeLR, lt_multiplicative_lr, LT, MULTIPLICATIVE_LR,
                      LtLRScheduler)

#define LT_TYPE_EXPONENTIAL_LR (lt_exponential_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtExponentialLR, lt_exponential_lr, LT, EXPONENTIAL_LR, LtLRScheduler)

#define LT_TYPE_LINEAR_LR (lt_linear_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLinearLR, lt_linear_lr, LT, LINEAR_LR, LtLRScheduler)

#define LT_TYPE_COSINE_ANNEALING_WARM_RESTARTS (lt_cosine_annealing_warm_restarts_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCosineAnnealingWarmRestarts, lt_cosine_annealing_warm_restarts, LT,
                      COSINE_ANNEALING_WARM_RESTARTS, LtLRScheduler)

#define LT_TYPE_ONE_CYCLE_LR (lt_one_cycle_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtOneCycleLR, lt_one_cycle_lr, LT, ONE_CYCLE_LR, LtLRScheduler)

#define LT_TYPE_CYCLIC_LR (lt_cyclic_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCyclicLR, lt_cyclic_lr, LT, CYCLIC_LR, LtLRScheduler)

LT_AVAILABLE_IN_ALL
LtLambdaLR         *lt_lambda_lr_new         (LtOptimizer   *optimizer,
                                              LtLRLambda     lr_lambda,
                                              gpointer       user_data,
                                              GDestroyNotify destroy,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtMultiplicativeLR *lt_multiplicative_lr_new (LtOptimizer   *optimizer,
                                              LtLRLambda     lr_lambda,
                                              gpointer       user_data,
                                              GDestroyNotify destroy,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtExponentialLR    *lt_exponential_lr_new    (LtOptimizer   *optimizer,
                                              double         gamma,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtLinearLR         *lt_linear_lr_new         (LtOptimizer   *optimizer,
                                              double         start_factor,
                                              double         end_factor,
                                              gint64         total_iters,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtCosineAnnealingWarmRestarts *
                    lt_cosine_annealing_warm_restarts_new (LtOptimizer *optimizer,
                                                           gint64       t_0,
                                                           gint64       t_mult,
                                                           double       eta_min,
                                                           GError     **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtOneCycleLR       *lt_one_cycle_lr_new      (LtOptimizer   *optimizer,
                                              const double  *max_lrs,
                                              gsize          n_max_lrs,
                                              gint64         total_steps,
                                              double         pct_start,
                                              const char    *anneal_strategy,
                                              gboolean       cycle_momentum,
                                              double         base_momentum,
                                              double         max_momentum,
                                              double         div_factor,
                                              double         final_div_factor,
                                              gboolean       three_phase,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtCyclicLR         *lt_cyclic_lr_new         (LtOptimizer   *optimizer,
                                              const double  *base_lrs,
                                              gsize          n_base_lrs,
                                              const double  *max_lrs,
                                              gsize          n_max_lrs,
                                              double         step_size_up,
                                              double         step_size_down,
                                              const char    *mode,
                                              double         gamma,
                                              gboolean       cycle_momentum,
                                              double         base_momentum,
                                              double         max_momentum,
                                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
void                lt_cyclic_lr_set_scale_fn (LtCyclicLR   *self,
                                               LtLRScaleFunc scale_fn,
                                               gpointer      user_data,
                                               GDestroyNotify destroy,
                                               gboolean      by_cycle);

#define LT_TYPE_REDUCE_LR_ON_PLATEAU (lt_reduce_lr_on_plateau_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtReduceLROnPlateau, lt_reduce_lr_on_plateau, LT, REDUCE_LR_ON_PLATEAU,
                      GObject)

LT_AVAILABLE_IN_ALL
LtReduceLROnPlateau *lt_reduce_lr_on_plateau_new  (LtOptimizer         *optimizer,
                                                   gboolean             mode_max,
                                                   double               factor,
                                                   gint64               patience,
                                                   double               threshold,
                                                   gboolean             threshold_abs,
                                                   gint64               cooldown,
                                                   const double        *min_lrs,
                                                   gsize                n_min_lrs,
                                                   double               eps,
                                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean             lt_reduce_lr_on_plateau_step (LtReduceLROnPlateau *self,
                                                   double               metric,
                                                   GError             **error);
LT_AVAILABLE_IN_ALL
gint64               lt_reduce_lr_on_plateau_get_last_epoch      (LtReduceLROnPlateau *self);
LT_AVAILABLE_IN_ALL
double               lt_reduce_lr_on_plateau_get_best            (LtReduceLROnPlateau *self);
LT_AVAILABLE_IN_ALL
gint64               lt_reduce_lr_on_plateau_get_num_bad_epochs  (LtReduceLROnPlateau *self);
LT_AVAILABLE_IN_ALL
gint64               lt_reduce_lr_on_plateau_get_cooldown_counter (LtReduceLROnPlateau *self);

G_END_DECLS
