/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the optimizers of the library share beyond the public API. */

#include "lt-optimizer.h"
#include "ops/lt-pointwise.h"

G_BEGIN_DECLS

/* The option values of @group, in the order the options were installed
 * (borrowed; valid until the next option is installed). */
const double *_lt_optimizer_group_values (LtOptimizer *self,
                                          guint        group);

/* Installs options from a table, checking nothing: for the library's own
 * optimizers, whose names are known to be new. */
typedef struct
{
  const char *name;
  gboolean is_boolean;
} LtOptimizerOptionSpec;

void _lt_optimizer_install_options (LtOptimizer                 *self,
                                    const LtOptimizerOptionSpec *specs,
                                    const double                *defaults,
                                    guint                        n);

/* Adds the constructor's parameters as the first group; fails (with the
 * PyTorch message) for an empty list. */
gboolean _lt_optimizer_init_params (LtOptimizer *self,
                                    const char  *type,
                                    GPtrArray   *params,
                                    GError     **error);

/* The "step" counter of @state (a 0-dim float32 tensor, as PyTorch's),
 * created at 0 when absent; returns its new value after adding 1. */
gboolean _lt_optimizer_count_step (LtStateDict *state,
                                   double      *step,
                                   GError     **error);

/* A zero tensor like @param in @state under @name, created when absent. */
LtTensor *_lt_optimizer_state_zeros (LtStateDict *state,
                                     const char  *name,
                                     LtTensor    *param,
                                     GError     **error);

/* self + value * t1 * t2, in PyTorch's addcmul_ order: (value * t1) * t2 */
static inline gboolean
_lt_optimizer_addcmul_ (LtTensor *self,
                        LtTensor *t1,
                        LtTensor *t2,
                        double    value,
                        GError  **error)
{
  g_autoptr(LtTensor) t = lt_tensor_mul_scalar (t1, value, error);

  return t && lt_tensor_mul_ (t, t2, error) && lt_tensor_add_ (self, t, error);
}

/* self + value * t1 / t2, in PyTorch's addcdiv_ order: (value * t1) / t2 */
static inline gboolean
_lt_optimizer_addcdiv_ (LtTensor *self,
                        LtTensor *t1,
                        LtTensor *t2,
                        double    value,
                        GError  **error)
{
  g_autoptr(LtTensor) t = lt_tensor_mul_scalar (t1, value, error);

  return t && lt_tensor_div_ (t, t2, error) && lt_tensor_add_ (self, t, error);
}

/* The gradient as the update sees it: negated with "maximize", plus
 * weight_decay * param when weight_decay != 0 (transfer full). */
LtTensor *_lt_optimizer_grad_with_decay (LtTensor *param,
                                         LtTensor *grad,
                                         gboolean  maximize,
                                         double    weight_decay,
                                         GError  **error);

/* The default step of one group: @update for every parameter of @group
 * that has a gradient. */
gboolean _lt_optimizer_step_group (LtOptimizer *self,
                                   guint        group,
                                   GError     **error);

/* A step over one group in one multi-tensor launch (lt-optimizer-multi.c):
 * @params and @grads (the group's parameters that have a gradient, in
 * order) all qualify, as the tensors of @state_names their states already
 * hold. */
typedef gboolean (*LtOptimizerMultiStep) (LtOptimizer *self,
                                          guint        group,
                                          GPtrArray   *params,
                                          GPtrArray   *grads,
                                          GError     **error);

/* The step of the library's optimizers (SGD, Adam, AdamW, RMSprop): each
 * group whose parameters, gradients and states (@state_names, NULL
 * terminated) can go to the device's multi-tensor kernels
 * (ops/lt-multi-tensor-private.h) is stepped by @multi, any other by
 * _lt_optimizer_step_group(). */
gboolean _lt_optimizer_step_multi (LtOptimizer         *self,
                                   const char *const   *state_names,
                                   LtOptimizerMultiStep multi,
                                   GError             **error);

/* FALSE with "<type>: invalid <what>: <value>" (PyTorch's ValueError
 * message) when @what is not NULL. */
gboolean _lt_optimizer_check_arg (const char *type,
                                  const char *what,
                                  double      value,
                                  GError    **error);

/* The class's internals that its state dict (lt-optimizer-state-dict.c)
 * reads and changes. */

/* One option of the optimizer: a key of PyTorch's "defaults" dict. */
typedef struct
{
  char *name;
  double default_value;
  gboolean is_boolean;
} LtOptimizerOption;

/* The options in the order they were installed (borrowed; valid until the
 * next option is installed). */
const LtOptimizerOption *_lt_optimizer_get_options (LtOptimizer *self,
                                                    guint       *n_options);

/* The index of the option @name, or -1. */
gint _lt_optimizer_find_option (LtOptimizer *self,
                                const char  *name);

/* FALSE with an error unless @value suits the option: finite, and 0 or 1
 * for a flag. */
gboolean _lt_optimizer_check_value (LtOptimizer             *self,
                                    const LtOptimizerOption *o,
                                    double                   value,
                                    GError                 **error);

/* FALSE with the error for an unknown option name, listing the options. */
gboolean _lt_optimizer_unknown_option (LtOptimizer *self,
                                       const char  *name,
                                       GError     **error);

/* The tensors of @group (borrowed), or NULL when there is no such group. */
GPtrArray *_lt_optimizer_get_group_params (LtOptimizer *self,
                                           guint        group);

/* Sets option @option of @group to @value, unchecked. */
void _lt_optimizer_set_group_value (LtOptimizer *self,
                                    guint        group,
                                    guint        option,
                                    double       value);

/* The state of @param (borrowed), or NULL when it has none yet; unlike
 * lt_optimizer_get_state(), creates nothing. */
LtStateDict *_lt_optimizer_lookup_state (LtOptimizer *self,
                                         LtTensor    *param);

/* Replaces the per-parameter state with @state (transfer full): a table
 * from the optimizer's parameters to their LtStateDict (owned). */
void _lt_optimizer_replace_state (LtOptimizer *self,
                                  GHashTable  *state);

G_END_DECLS
