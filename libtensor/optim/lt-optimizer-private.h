/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the optimizers of the library share beyond the public API. */

#include "lt-optimizer.h"

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

G_END_DECLS
