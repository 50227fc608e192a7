/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"
#include "io/lt-state-dict.h"

G_BEGIN_DECLS

#define LT_TYPE_OPTIMIZER (lt_optimizer_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LtOptimizer, lt_optimizer, LT, OPTIMIZER, GObject)

/**
 * LtOptimizerClass:
 * @parent_class: the parent class
 * @step: performs one optimisation step over every parameter group; the
 *   default calls @update for every parameter that has a gradient. It runs
 *   with grad mode off.
 * @update: updates one parameter of group @group from its gradient @grad,
 *   keeping what it needs between steps in @state (the parameter's own
 *   state dict, empty at first)
 *
 * The class of optimizers. A new optimizer declares its options with
 * lt_optimizer_install_option() in its constructor and overrides @update
 * (in Python `do_update`, in JavaScript `vfunc_update`), or @step for an
 * update that spans parameters.
 */
struct _LtOptimizerClass
{
  GObjectClass parent_class;

  gboolean (*step)   (LtOptimizer *self,
                      GError     **error);
  gboolean (*update) (LtOptimizer *self,
                      guint        group,
                      LtTensor    *param,
                      LtTensor    *grad,
                      LtStateDict *state,
                      GError     **error);

  /*< private >*/
  gpointer padding[8];
};

LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_step                 (LtOptimizer *self,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
void         lt_optimizer_zero_grad            (LtOptimizer *self,
                                                gboolean     set_to_none);
LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_install_option       (LtOptimizer *self,
                                                const char  *name,
                                                double       default_value,
                                                gboolean     is_boolean,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
char       **lt_optimizer_list_options         (LtOptimizer *self);
LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_has_option           (LtOptimizer *self,
                                                const char  *name);
LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_option_is_boolean    (LtOptimizer *self,
                                                const char  *name);
LT_AVAILABLE_IN_ALL
double       lt_optimizer_get_default          (LtOptimizer *self,
                                                const char  *name,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_set_default          (LtOptimizer *self,
                                                const char  *name,
                                                double       value,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_add_param_group      (LtOptimizer *self,
                                                GPtrArray   *params,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
guint        lt_optimizer_get_n_param_groups   (LtOptimizer *self);
LT_AVAILABLE_IN_ALL
GPtrArray   *lt_optimizer_get_params           (LtOptimizer *self,
                                                guint        group);
LT_AVAILABLE_IN_ALL
double       lt_optimizer_get_option           (LtOptimizer *self,
                                                guint        group,
                                                const char  *name,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_set_option           (LtOptimizer *self,
                                                guint        group,
                                                const char  *name,
                                                double       value,
                                                GError     **error);
LT_AVAILABLE_IN_ALL
double       lt_optimizer_get_lr               (LtOptimizer *self,
                                                guint        group);
LT_AVAILABLE_IN_ALL
void         lt_optimizer_set_lr               (LtOptimizer *self,
                                                guint        group,
                                                double       lr);
LT_AVAILABLE_IN_ALL
LtStateDict *lt_optimizer_get_state            (LtOptimizer *self,
                                                LtTensor    *param);
LT_AVAILABLE_IN_ALL
LtStateDict *lt_optimizer_state_dict           (LtOptimizer *self);
LT_AVAILABLE_IN_ALL
gboolean     lt_optimizer_load_state_dict      (LtOptimizer *self,
                                                LtStateDict *state,
                                                GError     **error);

G_END_DECLS
