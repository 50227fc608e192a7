/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the learning-rate schedules share beyond the public API. */

#include "lt-lr-scheduler.h"

G_BEGIN_DECLS

/* Sets PyTorch's group["initial_lr"] of @optimizer's group @group: the
 * base rate of the schedules made on it from now on (the first schedule
 * made on an optimizer sets it to the group's rate, as torch's
 * setdefault). */
void _lt_lr_scheduler_set_initial_lr (LtOptimizer *optimizer,
                                      guint        group,
                                      double       lr);

/* Replaces the base rate of @group (PyTorch's base_lrs[group]). */
void _lt_lr_scheduler_set_base_lr (LtLRScheduler *self,
                                   guint          group,
                                   double         lr);

G_END_DECLS
