/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "optim/lt-optimizer.h"

G_BEGIN_DECLS

/**
 * LtLossClosure:
 * @loss: (out): return location for the loss
 * @user_data: (closure): the data given with the closure
 *
 * Re-evaluates the model, as the closure passed to PyTorch's
 * `optimizer.step(closure)`: clears the gradients, computes the loss,
 * runs its backward pass and stores the loss's value in @loss.
 *
 * Returns: %TRUE; %FALSE when it failed (the step then stops with an
 *   error)
 */
typedef gboolean (*LtLossClosure) (double  *loss,
                                   gpointer user_data);

#define LT_TYPE_LBFGS (lt_lbfgs_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLBFGS, lt_lbfgs, LT, LBFGS, LtOptimizer)

LT_AVAILABLE_IN_ALL
LtLBFGS *lt_lbfgs_new               (GPtrArray     *params,
                                     double         lr,
                                     gint64         max_iter,
                                     gint64         max_eval,
                                     double         tolerance_grad,
                                     double         tolerance_change,
                                     gint64         history_size,
                                     gboolean       strong_wolfe,
                                     GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean lt_lbfgs_step_with_closure (LtLBFGS       *self,
                                     LtLossClosure  closure,
                                     gpointer       user_data,
                                     double        *loss,
                                     GError       **error);

G_END_DECLS
