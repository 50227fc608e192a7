/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

#define LT_TYPE_LR_SCHEDULER (lt_lr_scheduler_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LtLRScheduler, lt_lr_scheduler, LT, LR_SCHEDULER, GObject)

/**
 * LtLRSchedulerClass:
 * @parent_class: the parent class
 * @compute_lr: returns the learning rate of @group for the epoch
 *   lt_lr_scheduler_get_last_epoch() has just reached, from the group's
 *   current rate (PyTorch's chainable `get_lr()`)
 * @closed_form_lr: returns the learning rate of @group at that epoch from
 *   the base rate alone (PyTorch's `_get_closed_form_lr()`), for
 *   lt_lr_scheduler_step_to(); %NULL (the default) uses @compute_lr
 * @step: moves to the next epoch; the default computes every group's rate
 *   with @compute_lr. A class that overrides it makes its own first step
 *   (the default one is made when the schedule is constructed).
 *
 * The class of learning-rate schedules. A schedule overrides @compute_lr
 * (in Python `do_compute_lr`, in JavaScript `vfunc_compute_lr`).
 */
struct _LtLRSchedulerClass
{
  GObjectClass parent_class;

  double   (*compute_lr)     (LtLRScheduler *self,
                              guint          group);
  double   (*closed_form_lr) (LtLRScheduler *self,
                              guint          group);
  gboolean (*step)           (LtLRScheduler *self,
                              GError       **error);

  /*< private >*/
  gpointer padding[6];
};

LT_AVAILABLE_IN_ALL
gboolean     lt_lr_scheduler_step           (LtLRScheduler *self,
                                             GError       **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_lr_scheduler_step_to        (LtLRScheduler *self,
                                             gint64         epoch,
                                             GError       **error);
LT_AVAILABLE_IN_ALL
void         lt_lr_scheduler_set_last_epoch (LtLRScheduler *self,
                                             gint64         epoch);
LT_AVAILABLE_IN_ALL
double       lt_lr_scheduler_get_last_lr    (LtLRScheduler *self,
                                             guint          group);
LT_AVAILABLE_IN_ALL
gint64       lt_lr_scheduler_get_last_epoch (LtLRScheduler *self);
LT_AVAILABLE_IN_ALL
double       lt_lr_scheduler_get_base_lr    (LtLRScheduler *self,
                                             guint          group);
LT_AVAILABLE_IN_ALL
LtOptimizer *lt_lr_scheduler_get_optimizer  (LtLRScheduler *self);

#define LT_TYPE_STEP_LR (lt_step_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtStepLR, lt_step_lr, LT, STEP_LR, LtLRScheduler)

#define LT_TYPE_MULTI_STEP_LR (lt_multi_step_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtMultiStepLR, lt_multi_step_lr, LT, MULTI_STEP_LR, LtLRScheduler)

#define LT_TYPE_COSINE_ANNEALING_LR (lt_cosine_annealing_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCosineAnnealingLR, lt_cosine_annealing_lr, LT, COSINE_ANNEALING_LR,
                      LtLRScheduler)

#define LT_TYPE_SEQUENTIAL_LR (lt_sequential_lr_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSequentialLR, lt_sequential_lr, LT, SEQUENTIAL_LR, LtLRScheduler)

LT_AVAILABLE_IN_ALL
LtSequentialLR      *lt_sequential_lr_new       (LtOptimizer   *optimizer,
                                                 LtLRScheduler **schedulers,
                                                 gsize          n_schedulers,
                                                 const gint64  *milestones,
                                                 gsize          n_milestones,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtStepLR            *lt_step_lr_new             (LtOptimizer  *optimizer,
                                                 gint64        step_size,
                                                 double        gamma,
                                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtMultiStepLR       *lt_multi_step_lr_new       (LtOptimizer  *optimizer,
                                                 const gint64 *milestones,
                                                 gsize         n_milestones,
                                                 double        gamma,
                                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtCosineAnnealingLR *lt_cosine_annealing_lr_new (LtOptimizer  *optimizer,
                                                 gint64        t_max,
                                                 double        eta_min,
                                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
