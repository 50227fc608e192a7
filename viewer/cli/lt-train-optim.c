/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lt-train-optim.h"

/*
 * The optimizers lt-train and lt-viewer build over a network's
 * parameters, with PyTorch's defaults for what neither program offers to
 * change (Adam's betas (0.9, 0.999) and eps 1e-8, RMSprop's alpha 0.99
 * and eps 1e-8, no dampening, no Nesterov, no AMSGrad).
 */

static const char *const names[LT_TRAIN_N_OPTIMIZERS] = { "sgd", "adam", "adamw", "rmsprop" };

const char *
lt_train_optimizer_kind_to_string (LtTrainOptimizerKind kind)
{
  g_return_val_if_fail ((guint) kind < LT_TRAIN_N_OPTIMIZERS, NULL);
  return names[kind];
}

/* FALSE for a name that is none of them */
gboolean
lt_train_optimizer_kind_from_string (const char *name, LtTrainOptimizerKind *kind)
{
  for (guint i = 0; i < LT_TRAIN_N_OPTIMIZERS; i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *kind = (LtTrainOptimizerKind) i;
        return TRUE;
      }
  return FALSE;
}

/* Whether @kind takes a momentum (SGD and RMSprop; Adam's betas are not
 * offered) */
gboolean
lt_train_optimizer_has_momentum (LtTrainOptimizerKind kind)
{
  return kind == LT_TRAIN_OPTIMIZER_SGD || kind == LT_TRAIN_OPTIMIZER_RMSPROP;
}

/* An optimizer of @kind over @net's parameters; @momentum is ignored by
 * Adam and AdamW. NULL with @error set for values the optimizer refuses. */
LtOptimizer *
lt_train_optimizer_new (LtTrainOptimizerKind kind,
                        LtModule            *net,
                        double               lr,
                        double               momentum,
                        double               weight_decay,
                        GError             **error)
{
  g_autoptr(GPtrArray) params = lt_module_parameters (net);

  switch (kind)
    {
      case LT_TRAIN_OPTIMIZER_SGD:
        return LT_OPTIMIZER (lt_sgd_new (params, lr, momentum, 0, weight_decay, FALSE, error));
      case LT_TRAIN_OPTIMIZER_ADAM:
        return LT_OPTIMIZER (
          lt_adam_new (params, lr, 0.9, 0.999, 1e-8, weight_decay, FALSE, error));
      case LT_TRAIN_OPTIMIZER_ADAMW:
        return LT_OPTIMIZER (
          lt_adamw_new (params, lr, 0.9, 0.999, 1e-8, weight_decay, FALSE, error));
      case LT_TRAIN_OPTIMIZER_RMSPROP:
        return LT_OPTIMIZER (
          lt_rmsprop_new (params, lr, 0.99, 1e-8, weight_decay, momentum, FALSE, error));
      default:
        g_return_val_if_reached (NULL);
    }
}
