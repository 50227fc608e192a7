/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lt-optimizer-private.h"
#include "autograd/lt-autograd.h"
#include "core/lt-tensor-private.h"
#include "io/lt-json-private.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"

/**
 * LtOptimizer:
 *
 * The base class of optimizers, as PyTorch's `torch.optim.Optimizer`: it
 * holds parameter groups (lists of tensors, each group with its own values
 * of the optimizer's options: "lr", "momentum", ...), a state per
 * parameter (momentum buffers, moment estimates, step counters) and
 * performs steps with grad mode off, skipping parameters without a
 * gradient.
 *
 * A subclass installs its options with lt_optimizer_install_option() (the
 * values of the "defaults" dict of PyTorch), adds its parameters with
 * lt_optimizer_add_param_group() and overrides the class's update. The
 * library's own are #LtSGD, #LtAdam, #LtAdamW and #LtRMSprop; a learning
 * rate schedule (#LtLRScheduler) changes their "lr" between steps.
 *
 * lt_optimizer_state_dict() and lt_optimizer_load_state_dict() save and
 * restore the state in an #LtStateDict, so lt_state_dict_save() writes it
 * as a safetensors file; see lt_optimizer_state_dict() for the names.
 */

typedef struct
{
  char *name;
  double default_value;
  gboolean is_boolean;
} Option;

typedef struct
{
  GPtrArray *params;           /* LtTensor, owned */
  GArray *values;              /* double: one per option */
} Group;

typedef struct
{
  GArray *options;             /* Option */
  GPtrArray *groups;           /* Group */
  GHashTable *state;           /* LtTensor (held by a group) -> LtStateDict (owned) */
} LtOptimizerPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (LtOptimizer, lt_optimizer, G_TYPE_OBJECT)

/* PyTorch keys of param groups that have no meaning here, accepted and
 * ignored by lt_optimizer_load_state_dict() */
static const char *const ignored_keys[] = {
  "foreach", "capturable", "differentiable", "fused", "initial_lr",
};

static void
option_clear (gpointer data)
{
  Option *o = data;

  g_free (o->name);
}

static void
group_free (gpointer data)
{
  Group *g = data;

  g_ptr_array_unref (g->params);
  g_array_unref (g->values);
  g_free (g);
}

static void
lt_optimizer_finalize (GObject *object)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (LT_OPTIMIZER (object));

  g_hash_table_unref (priv->state);
  g_ptr_array_unref (priv->groups);
  g_array_unref (priv->options);
  G_OBJECT_CLASS (lt_optimizer_parent_class)->finalize (object);
}

static gboolean
lt_optimizer_real_update (LtOptimizer *self,
                          guint        group,
                          LtTensor    *param,
                          LtTensor    *grad,
                          LtStateDict *state,
                          GError     **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               "%s: the optimizer does not implement update()", G_OBJECT_TYPE_NAME (self));
  return FALSE;
}

static gboolean
lt_optimizer_real_step (LtOptimizer *self,
                        GError     **error)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);
  LtOptimizerClass *klass = LT_OPTIMIZER_GET_CLASS (self);

  for (guint gi = 0; gi < priv->groups->len; gi++)
    {
      Group *g = g_ptr_array_index (priv->groups, gi);

      for (guint i = 0; i < g->params->len; i++)
        {
          LtTensor *p = g_ptr_array_index (g->params, i);
          LtTensor *grad = lt_tensor_get_grad (p);

          if (grad == NULL)
            continue;
          if (!klass->update (self, gi, p, grad, lt_optimizer_get_state (self, p), error))
            return FALSE;
        }
    }
  return TRUE;
}

static void
lt_optimizer_class_init (LtOptimizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_optimizer_finalize;
  klass->step = lt_optimizer_real_step;
  klass->update = lt_optimizer_real_update;
}

static void
lt_optimizer_init (LtOptimizer *self)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);

  priv->options = g_array_new (FALSE, FALSE, sizeof (Option));
  g_array_set_clear_func (priv->options, option_clear);
  priv->groups = g_ptr_array_new_with_free_func (group_free);
  priv->state = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  /* every optimizer has a learning rate */
  lt_optimizer_install_option (self, "lr", 1e-3, FALSE, NULL);
}

static gint
find_option (LtOptimizerPrivate *priv,
             const char         *name)
{
  for (guint i = 0; i < priv->options->len; i++)
    if (strcmp (g_array_index (priv->options, Option, i).name, name) == 0)
      return (gint) i;
  return -1;
}

static gboolean
unknown_option (LtOptimizer *self,
                const char  *name,
                GError     **error)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);
  g_autoptr(GString) known = g_string_new (NULL);

  for (guint i = 0; i < priv->options->len; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "",
                            g_array_index (priv->options, Option, i).name);
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "%s: unknown option \"%s\" (the options are: %s)", G_OBJECT_TYPE_NAME (self),
               name, known->str);
  return FALSE;
}

static gboolean
check_value (LtOptimizer  *self,
             const Option *o,
             double        value,
             GError      **error)
{
  if (!isfinite (value))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: option \"%s\" must be a finite number, got %g", G_OBJECT_TYPE_NAME (self),
                   o->name, value);
      return FALSE;
    }
  if (o->is_boolean && value != 0.0 && value != 1.0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: option \"%s\" is a boolean (0 or 1), got %g", G_OBJECT_TYPE_NAME (self),
                   o->name, value);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_optimizer_install_option:
 * @self: an optimizer
 * @name: the option's name, such as "momentum"
 * @default_value: its value in groups that do not set it
 * @is_boolean: whether the option is a flag (0 or 1, shown as a boolean)
 * @error: return location for a #GError
 *
 * Declares an option of the optimizer, as one key of PyTorch's `defaults`
 * dict. Groups added before get the default. Every optimizer has "lr"
 * (default 0.001) from the start; set its default with
 * lt_optimizer_set_default().
 *
 * Returns: %TRUE on success; %FALSE with @error set when the name is
 *   taken or the default is not a valid value
 */
gboolean
lt_optimizer_install_option (LtOptimizer *self,
                             const char  *name,
                             double       default_value,
                             gboolean     is_boolean,
                             GError     **error)
{
  LtOptimizerPrivate *priv;
  Option o;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  priv = lt_optimizer_get_instance_private (self);
  if (*name == '\0' || strcmp (name, "params") == 0 || strcmp (name, "betas") == 0 ||
      find_option (priv, name) >= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the option name \"%s\" is empty, reserved or taken",
                   G_OBJECT_TYPE_NAME (self), name);
      return FALSE;
    }
  o.name = (char *) name;
  o.default_value = default_value;
  o.is_boolean = is_boolean;
  if (!check_value (self, &o, default_value, error))
    return FALSE;
  o.name = g_strdup (name);
  g_array_append_val (priv->options, o);
  for (guint i = 0; i < priv->groups->len; i++)
    {
      Group *g = g_ptr_array_index (priv->groups, i);

      g_array_append_val (g->values, default_value);
    }
  return TRUE;
}

void
_lt_optimizer_install_options (LtOptimizer                 *self,
                               const LtOptimizerOptionSpec *specs,
                               const double                *defaults,
                               guint                        n)
{
  for (guint i = 0; i < n; i++)
    {
      gboolean ok = lt_optimizer_install_option (self, specs[i].name, defaults[i],
                                                 specs[i].is_boolean, NULL);
      g_assert (ok);
    }
}

/**
 * lt_optimizer_list_options:
 * @self: an optimizer
 *
 * Lists the names of the optimizer's options, in the order they were
 * installed: the keys of a PyTorch param group (without "params").
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 */
char **
lt_optimizer_list_options (LtOptimizer *self)
{
  LtOptimizerPrivate *priv;
  GStrvBuilder *b;
  char **out;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NULL);
  priv = lt_optimizer_get_instance_private (self);
  b = g_strv_builder_new ();
  for (guint i = 0; i < priv->options->len; i++)
    g_strv_builder_add (b, g_array_index (priv->options, Option, i).name);
  out = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return out;
}

/**
 * lt_optimizer_has_option:
 * @self: an optimizer
 * @name: an option name
 *
 * Tells whether the optimizer has an option called @name.
 *
 * Returns: %TRUE if it has
 */
gboolean
lt_optimizer_has_option (LtOptimizer *self,
                         const char  *name)
{
  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  return find_option (lt_optimizer_get_instance_private (self), name) >= 0;
}

/**
 * lt_optimizer_option_is_boolean:
 * @self: an optimizer
 * @name: an option name
 *
 * Tells whether an option is a flag, such as "nesterov" or "amsgrad".
 *
 * Returns: %TRUE for a flag; %FALSE for a number or an unknown name
 */
gboolean
lt_optimizer_option_is_boolean (LtOptimizer *self,
                                const char  *name)
{
  LtOptimizerPrivate *priv;
  gint i;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  priv = lt_optimizer_get_instance_private (self);
  i = find_option (priv, name);
  return i >= 0 && g_array_index (priv->options, Option, i).is_boolean;
}

/**
 * lt_optimizer_get_default:
 * @self: an optimizer
 * @name: an option name
 * @error: return location for a #GError
 *
 * Gets the default of an option: the value groups added later receive.
 *
 * Returns: the default, or NaN with @error set for an unknown name
 */
double
lt_optimizer_get_default (LtOptimizer *self,
                          const char  *name,
                          GError     **error)
{
  LtOptimizerPrivate *priv;
  gint i;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NAN);
  g_return_val_if_fail (name != NULL, NAN);
  priv = lt_optimizer_get_instance_private (self);
  i = find_option (priv, name);
  if (i < 0)
    {
      unknown_option (self, name, error);
      return NAN;
    }
  return g_array_index (priv->options, Option, i).default_value;
}

/**
 * lt_optimizer_set_default:
 * @self: an optimizer
 * @name: an option name
 * @value: the new default
 * @error: return location for a #GError
 *
 * Sets the default of an option for groups added later; existing groups
 * keep their values.
 *
 * Returns: %TRUE on success; %FALSE with @error set for an unknown name
 *   or an invalid value
 */
gboolean
lt_optimizer_set_default (LtOptimizer *self,
                          const char  *name,
                          double       value,
                          GError     **error)
{
  LtOptimizerPrivate *priv;
  Option *o;
  gint i;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  priv = lt_optimizer_get_instance_private (self);
  i = find_option (priv, name);
  if (i < 0)
    return unknown_option (self, name, error);
  o = &g_array_index (priv->options, Option, i);
  if (!check_value (self, o, value, error))
    return FALSE;
  o->default_value = value;
  return TRUE;
}

/**
 * lt_optimizer_add_param_group:
 * @self: an optimizer
 * @params: (element-type LtTensor): the tensors of the new group
 * @error: return location for a #GError
 *
 * Adds a group of parameters with the default options, as PyTorch's
 * `add_param_group()`; change its options with lt_optimizer_set_option().
 *
 * Returns: %TRUE on success; %FALSE with @error set (and nothing added)
 *   when a tensor is not a floating-point leaf or already optimized
 */
gboolean
lt_optimizer_add_param_group (LtOptimizer *self,
                              GPtrArray   *params,
                              GError     **error)
{
  LtOptimizerPrivate *priv;
  Group *g;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  priv = lt_optimizer_get_instance_private (self);
  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (params, i);

      if (!LT_IS_TENSOR (p))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "%s: an optimizer can only optimize tensors, but parameter %u is not "
                       "one", G_OBJECT_TYPE_NAME (self), i);
          return FALSE;
        }
      if (!lt_tensor_is_floating_point (p))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                       "%s: parameter %u is %s; only floating-point tensors can be optimized",
                       G_OBJECT_TYPE_NAME (self), i, lt_dtype_get_name (lt_tensor_get_dtype (p)));
          return FALSE;
        }
      if (!lt_tensor_is_leaf (p) && !lt_tensor_get_retains_grad (p))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "%s: can't optimize a non-leaf tensor (parameter %u)",
                       G_OBJECT_TYPE_NAME (self), i);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (g_ptr_array_index (params, j) == p)
          {
            g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                         "%s: the parameter group holds the same tensor twice (parameters %u "
                         "and %u)", G_OBJECT_TYPE_NAME (self), j, i);
            return FALSE;
          }
      for (guint k = 0; k < priv->groups->len; k++)
        {
          Group *other = g_ptr_array_index (priv->groups, k);

          if (g_ptr_array_find (other->params, p, NULL))
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "%s: some parameters appear in more than one parameter group "
                           "(parameter %u is in group %u)", G_OBJECT_TYPE_NAME (self), i, k);
              return FALSE;
            }
        }
    }
  g = g_new0 (Group, 1);
  g->params = g_ptr_array_new_full (params->len, g_object_unref);
  for (guint i = 0; i < params->len; i++)
    g_ptr_array_add (g->params, g_object_ref (g_ptr_array_index (params, i)));
  g->values = g_array_sized_new (FALSE, FALSE, sizeof (double), priv->options->len);
  for (guint i = 0; i < priv->options->len; i++)
    g_array_append_val (g->values, g_array_index (priv->options, Option, i).default_value);
  g_ptr_array_add (priv->groups, g);
  return TRUE;
}

gboolean
_lt_optimizer_init_params (LtOptimizer *self,
                           const char  *type,
                           GPtrArray   *params,
                           GError     **error)
{
  if (params == NULL || params->len == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: optimizer got an empty parameter list", type);
      return FALSE;
    }
  return lt_optimizer_add_param_group (self, params, error);
}

/**
 * lt_optimizer_get_n_param_groups:
 * @self: an optimizer
 *
 * Counts the parameter groups.
 *
 * Returns: the number of groups
 */
guint
lt_optimizer_get_n_param_groups (LtOptimizer *self)
{
  LtOptimizerPrivate *priv;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), 0);
  priv = lt_optimizer_get_instance_private (self);
  return priv->groups->len;
}

static Group *
get_group (LtOptimizer *self,
           guint        group)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);

  return group < priv->groups->len ? g_ptr_array_index (priv->groups, group) : NULL;
}

static gboolean
check_group (LtOptimizer *self,
             guint        group,
             GError     **error)
{
  if (get_group (self, group) == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: there is no parameter group %u (the optimizer has %u)",
                   G_OBJECT_TYPE_NAME (self), group, lt_optimizer_get_n_param_groups (self));
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_optimizer_get_params:
 * @self: an optimizer
 * @group: a group, below lt_optimizer_get_n_param_groups()
 *
 * Lists the tensors of a parameter group.
 *
 * Returns: (transfer container) (element-type LtTensor): the tensors
 */
GPtrArray *
lt_optimizer_get_params (LtOptimizer *self,
                         guint        group)
{
  Group *g;
  GPtrArray *out;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NULL);
  g = get_group (self, group);
  g_return_val_if_fail (g != NULL, NULL);
  out = g_ptr_array_new_full (g->params->len, g_object_unref);
  for (guint i = 0; i < g->params->len; i++)
    g_ptr_array_add (out, g_object_ref (g_ptr_array_index (g->params, i)));
  return out;
}

const double *
_lt_optimizer_group_values (LtOptimizer *self,
                            guint        group)
{
  Group *g = get_group (self, group);

  return g ? (const double *) g->values->data : NULL;
}

/**
 * lt_optimizer_get_option:
 * @self: an optimizer
 * @group: a group, below lt_optimizer_get_n_param_groups()
 * @name: an option name, such as "lr" or "momentum"
 * @error: return location for a #GError
 *
 * Reads an option of a parameter group, as `optimizer.param_groups[group][name]`.
 * Flags read 0 or 1.
 *
 * Returns: the value, or NaN with @error set for an unknown group or name
 */
double
lt_optimizer_get_option (LtOptimizer *self,
                         guint        group,
                         const char  *name,
                         GError     **error)
{
  LtOptimizerPrivate *priv;
  gint i;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NAN);
  g_return_val_if_fail (name != NULL, NAN);
  priv = lt_optimizer_get_instance_private (self);
  if (!check_group (self, group, error))
    return NAN;
  i = find_option (priv, name);
  if (i < 0)
    {
      unknown_option (self, name, error);
      return NAN;
    }
  return g_array_index (get_group (self, group)->values, double, i);
}

/**
 * lt_optimizer_set_option:
 * @self: an optimizer
 * @group: a group, below lt_optimizer_get_n_param_groups()
 * @name: an option name, such as "lr" or "momentum"
 * @value: the new value (0 or 1 for a flag)
 * @error: return location for a #GError
 *
 * Changes an option of one parameter group, as
 * `optimizer.param_groups[group][name] = value`; the next step uses it.
 *
 * Returns: %TRUE on success; %FALSE with @error set for an unknown group
 *   or name, a value that is not finite, or a flag other than 0 and 1
 */
gboolean
lt_optimizer_set_option (LtOptimizer *self,
                         guint        group,
                         const char  *name,
                         double       value,
                         GError     **error)
{
  LtOptimizerPrivate *priv;
  gint i;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  priv = lt_optimizer_get_instance_private (self);
  if (!check_group (self, group, error))
    return FALSE;
  i = find_option (priv, name);
  if (i < 0)
    return unknown_option (self, name, error);
  if (!check_value (self, &g_array_index (priv->options, Option, i), value, error))
    return FALSE;
  g_array_index (get_group (self, group)->values, double, i) = value;
  return TRUE;
}

/**
 * lt_optimizer_get_lr:
 * @self: an optimizer
 * @group: a group, below lt_optimizer_get_n_param_groups()
 *
 * Reads the learning rate of a parameter group.
 *
 * Returns: the learning rate ("lr")
 */
double
lt_optimizer_get_lr (LtOptimizer *self,
                     guint        group)
{
  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NAN);
  g_return_val_if_fail (group < lt_optimizer_get_n_param_groups (self), NAN);
  return lt_optimizer_get_option (self, group, "lr", NULL);
}

/**
 * lt_optimizer_set_lr:
 * @self: an optimizer
 * @group: a group, below lt_optimizer_get_n_param_groups()
 * @lr: the new learning rate, finite
 *
 * Sets the learning rate of a parameter group by hand, as
 * `optimizer.param_groups[group]['lr'] = lr`.
 */
void
lt_optimizer_set_lr (LtOptimizer *self,
                     guint        group,
                     double       lr)
{
  g_return_if_fail (LT_IS_OPTIMIZER (self));
  g_return_if_fail (group < lt_optimizer_get_n_param_groups (self));
  g_return_if_fail (isfinite (lr));
  lt_optimizer_set_option (self, group, "lr", lr, NULL);
}

static gboolean
holds_param (LtOptimizer *self,
             LtTensor    *param)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);

  for (guint i = 0; i < priv->groups->len; i++)
    {
      Group *g = g_ptr_array_index (priv->groups, i);

      if (g_ptr_array_find (g->params, param, NULL))
        return TRUE;
    }
  return FALSE;
}

/**
 * lt_optimizer_get_state:
 * @self: an optimizer
 * @param: one of its parameters
 *
 * Gets the state the optimizer keeps for @param between steps
 * (`optimizer.state[param]`): named tensors such as "momentum_buffer",
 * "exp_avg" or "step". It is empty until the first step that updates
 * @param, and may be changed in place.
 *
 * Returns: (transfer none) (nullable): the state, or %NULL when @param is
 *   not a parameter of @self
 */
LtStateDict *
lt_optimizer_get_state (LtOptimizer *self,
                        LtTensor    *param)
{
  LtOptimizerPrivate *priv;
  LtStateDict *state;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (param), NULL);
  priv = lt_optimizer_get_instance_private (self);
  state = g_hash_table_lookup (priv->state, param);
  if (state)
    return state;
  if (!holds_param (self, param))
    return NULL;
  state = lt_state_dict_new ();
  g_hash_table_insert (priv->state, param, state);
  return state;
}

/**
 * lt_optimizer_step:
 * @self: an optimizer
 * @error: return location for a #GError
 *
 * Performs one optimisation step, as `optimizer.step()`: every parameter
 * that has a gradient is updated in place (its version counter goes up);
 * parameters without a gradient are skipped. Runs with grad mode off.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_optimizer_step (LtOptimizer *self,
                   GError     **error)
{
  GError *local = NULL;
  gboolean prev, ok;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  prev = lt_set_grad_enabled (FALSE);
  ok = LT_OPTIMIZER_GET_CLASS (self)->step (self, &local);
  lt_set_grad_enabled (prev);
  if (!ok && local == NULL)
    g_set_error (&local, LT_ERROR, LT_ERROR_FAILED, "%s: step failed without an error",
                 G_OBJECT_TYPE_NAME (self));
  if (!ok)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  g_clear_error (&local);
  return TRUE;
}

/**
 * lt_optimizer_zero_grad:
 * @self: an optimizer
 * @set_to_none: drop the gradients instead of filling them with zeros
 *
 * Clears the gradients of every parameter, as `optimizer.zero_grad()`
 * (whose default in PyTorch 1.13 is to fill with zeros).
 */
void
lt_optimizer_zero_grad (LtOptimizer *self,
                        gboolean     set_to_none)
{
  LtOptimizerPrivate *priv;
  gboolean prev;

  g_return_if_fail (LT_IS_OPTIMIZER (self));
  priv = lt_optimizer_get_instance_private (self);
  prev = lt_set_grad_enabled (FALSE);
  for (guint gi = 0; gi < priv->groups->len; gi++)
    {
      Group *g = g_ptr_array_index (priv->groups, gi);

      for (guint i = 0; i < g->params->len; i++)
        {
          LtTensor *p = g_ptr_array_index (g->params, i);
          LtTensor *grad = lt_tensor_get_grad (p);

          if (grad == NULL)
            continue;
          if (set_to_none)
            lt_tensor_set_grad (p, NULL, NULL);
          else
            lt_tensor_zero_ (grad, NULL);
        }
    }
  lt_set_grad_enabled (prev);
}

/* State helpers for the library's optimizers */

gboolean
_lt_optimizer_count_step (LtStateDict *state,
                          double      *step,
                          GError     **error)
{
  LtTensor *t = lt_state_dict_lookup (state, "step");

  if (t == NULL)
    {
      g_autoptr(LtTensor) zero = lt_scalar_tensor (0.0, LT_DTYPE_FLOAT32);

      lt_state_dict_insert (state, "step", zero);
      t = zero;
    }
  return lt_tensor_add_scalar_ (t, 1.0, error) && lt_tensor_item (t, step, error);
}

LtTensor *
_lt_optimizer_state_zeros (LtStateDict *state,
                           const char  *name,
                           LtTensor    *param,
                           GError     **error)
{
  LtTensor *t = lt_state_dict_lookup (state, name);
  g_autoptr(LtTensor) z = NULL;

  if (t)
    return t;
  z = lt_zeros_like (param, error);
  if (z == NULL)
    return NULL;
  lt_state_dict_insert (state, name, z);
  return z;
}

/* state_dict */

static void
append_number (GString *s,
               double   v)
{
  char fmt[8], buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* the shortest text that reads back as @v, as Python's repr() */
  for (int prec = 1; prec <= 17; prec++)
    {
      g_snprintf (fmt, sizeof fmt, "%%.%dg", prec);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (s, buf);
}

static char *
param_groups_json (LtOptimizer *self)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);
  gint b1 = find_option (priv, "beta1"), b2 = find_option (priv, "beta2");
  gboolean betas = b1 >= 0 && b2 >= 0;
  GString *s = g_string_new ("[");
  guint index = 0;

  for (guint gi = 0; gi < priv->groups->len; gi++)
    {
      Group *g = g_ptr_array_index (priv->groups, gi);
      gboolean first = TRUE;

      g_string_append (s, gi ? ", {" : "{");
      for (guint i = 0; i < priv->options->len; i++)
        {
          Option *o = &g_array_index (priv->options, Option, i);
          double v = g_array_index (g->values, double, i);

          if (betas && (gint) i == b2)
            continue;
          if (!first)
            g_string_append (s, ", ");
          first = FALSE;
          if (betas && (gint) i == b1)
            {
              g_string_append (s, "\"betas\": [");
              append_number (s, v);
              g_string_append (s, ", ");
              append_number (s, g_array_index (g->values, double, b2));
              g_string_append_c (s, ']');
              continue;
            }
          _lt_json_append_string (s, o->name);
          g_string_append (s, ": ");
          if (o->is_boolean)
            g_string_append (s, v != 0 ? "true" : "false");
          else
            append_number (s, v);
        }
      g_string_append (s, first ? "\"params\": [" : ", \"params\": [");
      for (guint i = 0; i < g->params->len; i++)
        g_string_append_printf (s, "%s%u", i ? ", " : "", index++);
      g_string_append (s, "]}");
    }
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/**
 * lt_optimizer_state_dict:
 * @self: an optimizer
 *
 * Gets the optimizer's state in the structure of PyTorch's
 * `optimizer.state_dict()`, as an #LtStateDict that lt_state_dict_save()
 * writes as safetensors:
 *
 * - `state`: each state tensor of the parameter numbered `i` (numbering
 *   the parameters of all groups in order from 0, as PyTorch packs them)
 *   is named `state.<i>.<name>`: `state.0.momentum_buffer`,
 *   `state.3.exp_avg`, `state.3.exp_avg_sq`, `state.3.step` (a 0-dim
 *   float32 counter), ... Parameters without state (never updated) have
 *   no entry.
 * - `param_groups`: the metadata key "param_groups" holds PyTorch's list
 *   of group dicts as JSON, each with its options and the numbers of its
 *   parameters, e.g. `[{"lr": 0.01, "momentum": 0.9, "dampening": 0,
 *   "weight_decay": 0, "nesterov": false, "maximize": false, "params": [0,
 *   1]}]`. Flags are JSON booleans; Adam's "beta1" and "beta2" are written
 *   as PyTorch's pair "betas".
 *
 * The tensors are the optimizer's own, not copies.
 *
 * Returns: (transfer full): the state
 */
LtStateDict *
lt_optimizer_state_dict (LtOptimizer *self)
{
  LtOptimizerPrivate *priv;
  LtStateDict *out;
  g_autofree char *groups = NULL;
  guint index = 0;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), NULL);
  priv = lt_optimizer_get_instance_private (self);
  out = lt_state_dict_new ();
  for (guint gi = 0; gi < priv->groups->len; gi++)
    {
      Group *g = g_ptr_array_index (priv->groups, gi);

      for (guint i = 0; i < g->params->len; i++, index++)
        {
          LtStateDict *st = g_hash_table_lookup (priv->state, g_ptr_array_index (g->params, i));
          guint n = st ? lt_state_dict_get_n_tensors (st) : 0;

          for (guint k = 0; k < n; k++)
            {
              g_autofree char *name = g_strdup_printf ("state.%u.%s", index,
                                                       lt_state_dict_get_name (st, k));

              lt_state_dict_insert (out, name, lt_state_dict_get_tensor (st, k));
            }
        }
    }
  groups = param_groups_json (self);
  lt_state_dict_set_metadata (out, "param_groups", groups);
  return out;
}

/* load_state_dict: parsing "param_groups" */

typedef struct
{
  GArray *ids;                 /* gint64: the saved numbers of the parameters */
  double *values;              /* one per option */
  gboolean *seen;
} SavedGroup;

static void
saved_group_free (gpointer data)
{
  SavedGroup *g = data;

  g_array_unref (g->ids);
  g_free (g->values);
  g_free (g->seen);
  g_free (g);
}

static gboolean
bad_groups (GError    **error,
            LtOptimizer *self,
            const char *format,
            ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad_groups (GError     **error,
            LtOptimizer *self,
            const char  *format,
            ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s: load_state_dict: %s",
               G_OBJECT_TYPE_NAME (self), msg);
  return FALSE;
}

static gboolean
read_literal (LtJsonReader *r,
              const char   *word)
{
  gsize n = strlen (word);

  if ((gsize) (r->end - r->p) >= n && memcmp (r->p, word, n) == 0)
    {
      r->p += n;
      return TRUE;
    }
  return FALSE;
}

static gboolean
read_double (LtJsonReader *r,
             double       *out,
             GError      **error)
{
  LtJsonNumber n;
  const char *start;
  g_autofree char *text = NULL;

  _lt_json_reader_peek (r);
  start = r->p;
  if (!_lt_json_reader_number (r, &n, error))
    return FALSE;
  text = g_strndup (start, r->p - start);
  *out = g_ascii_strtod (text, NULL);
  return TRUE;
}

/* A JSON scalar (a number, a string, true, false or null), skipped. */
static gboolean
skip_scalar (LtJsonReader *r,
             GError      **error)
{
  char c = _lt_json_reader_peek (r);
  double d;

  if (c == '"')
    {
      g_autofree char *s = _lt_json_reader_string (r, error);
      return s != NULL;
    }
  if (read_literal (r, "true") || read_literal (r, "false") || read_literal (r, "null"))
    return TRUE;
  if (c == '-' || g_ascii_isdigit (c))
    return read_double (r, &d, error);
  return _lt_json_reader_fail (r, error, "expected a number, a string, a boolean or null");
}

static gboolean
read_option_value (LtOptimizer  *self,
                   LtJsonReader *r,
                   const Option *o,
                   double       *value,
                   GError      **error)
{
  char c = _lt_json_reader_peek (r);

  if (o->is_boolean)
    {
      if (read_literal (r, "true"))
        *value = 1;
      else if (read_literal (r, "false"))
        *value = 0;
      else
        return bad_groups (error, self, "the flag \"%s\" is %s, not a boolean", o->name,
                           _lt_json_reader_kind (r));
      return TRUE;
    }
  if (c != '-' && !g_ascii_isdigit (c))
    return bad_groups (error, self, "the option \"%s\" is %s, not a number", o->name,
                       _lt_json_reader_kind (r));
  if (!read_double (r, value, error))
    return FALSE;
  return check_value (self, o, *value, error);
}

static GPtrArray *
parse_param_groups (LtOptimizer *self,
                    const char  *text,
                    GError     **error)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);
  gint b1 = find_option (priv, "beta1"), b2 = find_option (priv, "beta2");
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (saved_group_free);
  LtJsonReader r;
  gboolean first = TRUE, more;

  if (!_lt_json_reader_init (&r, text, strlen (text), 0, error) ||
      !_lt_json_reader_expect (&r, '[', error))
    return NULL;
  for (;;)
    {
      SavedGroup *g;
      gboolean mfirst = TRUE, mmore, has_params = FALSE;

      if (!_lt_json_reader_next (&r, ']', &first, &more, error))
        return NULL;
      if (!more)
        break;
      if (!_lt_json_reader_expect (&r, '{', error))
        return NULL;
      g = g_new0 (SavedGroup, 1);
      g->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g->values = g_new0 (double, priv->options->len);
      g->seen = g_new0 (gboolean, priv->options->len);
      g_ptr_array_add (groups, g);
      for (;;)
        {
          g_autofree char *key = NULL;
          gint oi;

          if (!_lt_json_reader_next (&r, '}', &mfirst, &mmore, error))
            return NULL;
          if (!mmore)
            break;
          key = _lt_json_reader_string (&r, error);
          if (key == NULL || !_lt_json_reader_expect (&r, ':', error))
            return NULL;
          if (strcmp (key, "params") == 0)
            {
              gboolean pfirst = TRUE, pmore;

              has_params = TRUE;
              if (!_lt_json_reader_expect (&r, '[', error))
                return NULL;
              for (;;)
                {
                  LtJsonNumber n;
                  gint64 id;

                  if (!_lt_json_reader_next (&r, ']', &pfirst, &pmore, error))
                    return NULL;
                  if (!pmore)
                    break;
                  if (!_lt_json_reader_number (&r, &n, error))
                    return NULL;
                  if (!n.is_integer || n.negative || n.overflow || n.magnitude > G_MAXINT32)
                    {
                      bad_groups (error, self, "group %u: a parameter number is not an "
                                  "integer in [0, 2^31)", groups->len - 1);
                      return NULL;
                    }
                  id = (gint64) n.magnitude;
                  g_array_append_val (g->ids, id);
                }
              continue;
            }
          if (strcmp (key, "betas") == 0 && b1 >= 0 && b2 >= 0)
            {
              Option *o1 = &g_array_index (priv->options, Option, b1);
              Option *o2 = &g_array_index (priv->options, Option, b2);

              if (!_lt_json_reader_expect (&r, '[', error) ||
                  !read_option_value (self, &r, o1, &g->values[b1], error) ||
                  !_lt_json_reader_expect (&r, ',', error) ||
                  !read_option_value (self, &r, o2, &g->values[b2], error) ||
                  !_lt_json_reader_expect (&r, ']', error))
                return NULL;
              g->seen[b1] = g->seen[b2] = TRUE;
              continue;
            }
          oi = find_option (priv, key);
          if (oi < 0)
            {
              gboolean ignored = FALSE;

              for (guint k = 0; k < G_N_ELEMENTS (ignored_keys); k++)
                ignored = ignored || strcmp (key, ignored_keys[k]) == 0;
              if (!ignored)
                {
                  unknown_option (self, key, error);
                  return NULL;
                }
              if (!skip_scalar (&r, error))
                return NULL;
              continue;
            }
          if (g->seen[oi])
            {
              bad_groups (error, self, "group %u: the option \"%s\" appears twice",
                          groups->len - 1, key);
              return NULL;
            }
          if (!read_option_value (self, &r, &g_array_index (priv->options, Option, oi),
                                  &g->values[oi], error))
            return NULL;
          g->seen[oi] = TRUE;
        }
      if (!has_params)
        {
          bad_groups (error, self, "group %u has no \"params\"", groups->len - 1);
          return NULL;
        }
    }
  if (!_lt_json_reader_end (&r, error))
    return NULL;
  return g_steal_pointer (&groups);
}

/* The state tensors that have their parameter's shape */
static gboolean
is_buffer_name (const char *name)
{
  static const char *const names[] = {
    "momentum_buffer", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "square_avg", "grad_avg",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (name, names[i]) == 0)
      return TRUE;
  return FALSE;
}

/* A copy of @t for the state of @param: the parameter's dtype and device
 * for buffers, a 0-dim float32 tensor for "step". */
static LtTensor *
state_tensor_copy (LtOptimizer *self,
                   const char  *key,
                   const char  *name,
                   LtTensor    *t,
                   LtTensor    *param,
                   GError     **error)
{
  g_autoptr(LtTensor) conv = NULL;
  g_autoptr(LtTensor) moved = NULL;

  if (strcmp (name, "step") == 0)
    {
      double v;

      if (lt_tensor_numel (t) != 1 || !lt_tensor_item (t, &v, error))
        {
          g_clear_error (error);
          bad_groups (error, self, "\"%s\" must hold one number", key);
          return NULL;
        }
      return lt_scalar_tensor (v, LT_DTYPE_FLOAT32);
    }
  if (is_buffer_name (name))
    {
      guint n1, n2;
      const gint64 *s1 = lt_tensor_get_shape (t, &n1);
      const gint64 *s2 = lt_tensor_get_shape (param, &n2);

      if (!_lt_shape_equal (s1, n1, s2, n2) || !lt_tensor_is_floating_point (t))
        {
          g_autofree char *st = LT_SHAPE_STR (t);
          g_autofree char *sp = LT_SHAPE_STR (param);
          bad_groups (error, self, "\"%s\" is %s of shape %s, but its parameter is of shape %s",
                      key, lt_dtype_get_name (lt_tensor_get_dtype (t)), st, sp);
          return NULL;
        }
      conv = lt_tensor_to_dtype (t, lt_tensor_get_dtype (param), error);
    }
  else
    conv = g_object_ref (t);
  moved = conv ? lt_tensor_to_device (conv, lt_tensor_get_device (param), error) : NULL;
  return moved ? lt_tensor_clone (moved, error) : NULL;
}

/**
 * lt_optimizer_load_state_dict:
 * @self: an optimizer
 * @state: a state made by lt_optimizer_state_dict() (or loaded from its
 *   file) for an optimizer of the same kind over the same parameters
 * @error: return location for a #GError
 *
 * Restores the options of every group and the per-parameter state, as
 * PyTorch's `optimizer.load_state_dict()`: the saved parameters map to this
 * optimizer's in order. Everything is checked first: the groups' count
 * and sizes, the option names and types, the state names
 * (`state.<i>.<name>` with a known parameter `i`) and the shapes of the
 * buffers; on error nothing changes. The tensors are copied to the
 * parameters' types and devices.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_optimizer_load_state_dict (LtOptimizer *self,
                              LtStateDict *state,
                              GError     **error)
{
  LtOptimizerPrivate *priv;
  const char *json;
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(GHashTable) by_id = NULL;       /* saved number -> LtTensor (borrowed) */
  g_autoptr(GHashTable) new_state = NULL;   /* LtTensor -> LtStateDict */
  gboolean prev, ok = TRUE;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (LT_IS_STATE_DICT (state), FALSE);
  priv = lt_optimizer_get_instance_private (self);

  json = lt_state_dict_get_metadata (state, "param_groups");
  if (json == NULL)
    return bad_groups (error, self, "the state has no \"param_groups\" metadata");
  saved = parse_param_groups (self, json, error);
  if (saved == NULL)
    return FALSE;
  if (saved->len != priv->groups->len)
    return bad_groups (error, self, "the state has %u parameter groups, the optimizer %u",
                       saved->len, priv->groups->len);
  by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint gi = 0; gi < saved->len; gi++)
    {
      SavedGroup *sg = g_ptr_array_index (saved, gi);
      Group *g = g_ptr_array_index (priv->groups, gi);

      if (sg->ids->len != g->params->len)
        return bad_groups (error, self, "group %u of the state has %u parameters, the "
                           "optimizer's has %u", gi, sg->ids->len, g->params->len);
      for (guint i = 0; i < sg->ids->len; i++)
        {
          gint64 *id = &g_array_index (sg->ids, gint64, i);

          if (g_hash_table_contains (by_id, id))
            return bad_groups (error, self, "parameter number %" G_GINT64_FORMAT
                               " appears twice in the state's groups", *id);
          g_hash_table_insert (by_id, id, g_ptr_array_index (g->params, i));
        }
    }

  /* the per-parameter state, copied */
  new_state = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  prev = lt_set_grad_enabled (FALSE);
  for (guint k = 0; ok && k < lt_state_dict_get_n_tensors (state); k++)
    {
      const char *key = lt_state_dict_get_name (state, k);
      const char *rest, *dot;
      char *end;
      gint64 id;
      LtTensor *param;
      LtStateDict *st;
      g_autoptr(LtTensor) copy = NULL;

      if (!g_str_has_prefix (key, "state.") || !g_ascii_isdigit (key[6]))
        {
          ok = bad_groups (error, self, "unexpected tensor \"%s\" (names are "
                           "state.<parameter number>.<name>)", key);
          break;
        }
      rest = key + 6;
      id = g_ascii_strtoll (rest, &end, 10);
      dot = end;
      if (*dot != '.' || dot[1] == '\0' || (rest[0] == '0' && end - rest > 1))
        {
          ok = bad_groups (error, self, "unexpected tensor \"%s\" (names are "
                           "state.<parameter number>.<name>)", key);
          break;
        }
      param = g_hash_table_lookup (by_id, &id);
      if (param == NULL)
        {
          ok = bad_groups (error, self, "\"%s\" belongs to no parameter of the param groups",
                           key);
          break;
        }
      copy = state_tensor_copy (self, key, dot + 1, lt_state_dict_get_tensor (state, k), param,
                                error);
      if (copy == NULL)
        {
          ok = FALSE;
          break;
        }
      st = g_hash_table_lookup (new_state, param);
      if (st == NULL)
        {
          st = lt_state_dict_new ();
          g_hash_table_insert (new_state, param, st);
        }
      lt_state_dict_insert (st, dot + 1, copy);
    }
  lt_set_grad_enabled (prev);
  if (!ok)
    return FALSE;

  /* commit */
  for (guint gi = 0; gi < saved->len; gi++)
    {
      SavedGroup *sg = g_ptr_array_index (saved, gi);
      Group *g = g_ptr_array_index (priv->groups, gi);

      for (guint i = 0; i < priv->options->len; i++)
        if (sg->seen[i])
          g_array_index (g->values, double, i) = sg->values[i];
    }
  g_hash_table_unref (priv->state);
  priv->state = g_steal_pointer (&new_state);
  return TRUE;
}
