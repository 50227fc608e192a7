/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lt-optimizer-private.h"
#include "autograd/lt-autograd.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-pointwise.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"
#include "ops/lt-multi-tensor-private.h"

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
 * They live in lt-optimizer-state-dict.c, with the "param_groups" JSON.
 */

typedef struct
{
  GPtrArray *params;           /* LtTensor, owned */
  GArray *values;              /* double: one per option */
} Group;

typedef struct
{
  GArray     *options; /* LtOptimizerOption */
  GPtrArray  *groups;  /* Group */
  GHashTable *state;   /* LtTensor (held by a group) -> LtStateDict (owned) */
} LtOptimizerPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (LtOptimizer, lt_optimizer, G_TYPE_OBJECT)

static void
option_clear (gpointer data)
{
  LtOptimizerOption *o = data;

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

gboolean
_lt_optimizer_step_group (LtOptimizer *self, guint group, GError **error)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);
  LtOptimizerClass *klass = LT_OPTIMIZER_GET_CLASS (self);
  Group              *g = g_ptr_array_index (priv->groups, group);

  for (guint i = 0; i < g->params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (g->params, i);
      LtTensor *grad = lt_tensor_get_grad (p);

      if (grad == NULL)
        continue;
      if (!klass->update (self, group, p, grad, lt_optimizer_get_state (self, p), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
lt_optimizer_real_step (LtOptimizer *self, GError **error)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);

  for (guint gi = 0; gi < priv->groups->len; gi++)
    if (!_lt_optimizer_step_group (self, gi, error))
      return FALSE;
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

  priv->options = g_array_new (FALSE, FALSE, sizeof (LtOptimizerOption));
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
    if (strcmp (g_array_index (priv->options, LtOptimizerOption, i).name, name) == 0)
      return (gint) i;
  return -1;
}

gboolean
_lt_optimizer_unknown_option (LtOptimizer *self, const char *name, GError **error)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);
  g_autoptr(GString) known = g_string_new (NULL);

  for (guint i = 0; i < priv->options->len; i++)
    g_string_append_printf (known, "%s%s", i ? ", " : "",
                            g_array_index (priv->options, LtOptimizerOption, i).name);
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "%s: unknown option \"%s\" (the options are: %s)", G_OBJECT_TYPE_NAME (self),
               name, known->str);
  return FALSE;
}

gboolean
_lt_optimizer_check_value (LtOptimizer             *self,
                           const LtOptimizerOption *o,
                           double                   value,
                           GError                 **error)
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
  LtOptimizerOption   o;

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
  if (!_lt_optimizer_check_value (self, &o, default_value, error))
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
    g_strv_builder_add (b, g_array_index (priv->options, LtOptimizerOption, i).name);
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
  return i >= 0 && g_array_index (priv->options, LtOptimizerOption, i).is_boolean;
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
      _lt_optimizer_unknown_option (self, name, error);
      return NAN;
    }
  return g_array_index (priv->options, LtOptimizerOption, i).default_value;
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
  LtOptimizerOption  *o;
  gint i;

  g_return_val_if_fail (LT_IS_OPTIMIZER (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  priv = lt_optimizer_get_instance_private (self);
  i = find_option (priv, name);
  if (i < 0)
    return _lt_optimizer_unknown_option (self, name, error);
  o = &g_array_index (priv->options, LtOptimizerOption, i);
  if (!_lt_optimizer_check_value (self, o, value, error))
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
    g_array_append_val (g->values,
                        g_array_index (priv->options, LtOptimizerOption, i).default_value);
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
      _lt_optimizer_unknown_option (self, name, error);
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
    return _lt_optimizer_unknown_option (self, name, error);
  if (!_lt_optimizer_check_value (self, &g_array_index (priv->options, LtOptimizerOption, i), value,
                                  error))
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
  g_autoptr(GPtrArray) grads = g_ptr_array_new ();
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
            g_ptr_array_add (grads, grad);
        }
    }
  /* one launch for all of them where the device has multi-tensor kernels */
  _lt_multi_tensor_zero (grads);
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

/* What lt-optimizer-state-dict.c reads and changes */

const LtOptimizerOption *
_lt_optimizer_get_options (LtOptimizer *self, guint *n_options)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);

  *n_options = priv->options->len;
  return (const LtOptimizerOption *) priv->options->data;
}

gint
_lt_optimizer_find_option (LtOptimizer *self, const char *name)
{
  return find_option (lt_optimizer_get_instance_private (self), name);
}

GPtrArray *
_lt_optimizer_get_group_params (LtOptimizer *self, guint group)
{
  Group *g = get_group (self, group);

  return g ? g->params : NULL;
}

void
_lt_optimizer_set_group_value (LtOptimizer *self, guint group, guint option, double value)
{
  Group *g = get_group (self, group);

  g_return_if_fail (g != NULL && option < g->values->len);
  g_array_index (g->values, double, option) = value;
}

LtStateDict *
_lt_optimizer_lookup_state (LtOptimizer *self, LtTensor *param)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);

  return g_hash_table_lookup (priv->state, param);
}

void
_lt_optimizer_replace_state (LtOptimizer *self, GHashTable *state)
{
  LtOptimizerPrivate *priv = lt_optimizer_get_instance_private (self);

  g_hash_table_unref (priv->state);
  priv->state = state;
}

LtTensor *
_lt_optimizer_grad_with_decay (LtTensor *param,
                               LtTensor *grad,
                               gboolean  maximize,
                               double    weight_decay,
                               GError  **error)
{
  g_autoptr(LtTensor) g = maximize ? lt_tensor_neg (grad, error) : g_object_ref (grad);

  if (g == NULL)
    return NULL;
  /* grad = grad.add(param, alpha=weight_decay) */
  if (weight_decay != 0)
    return lt_tensor_add_scaled (g, param, weight_decay, error);
  return g_steal_pointer (&g);
}

gboolean
_lt_optimizer_check_arg (const char *type, const char *what, double value, GError **error)
{
  if (what == NULL)
    return TRUE;
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "%s: invalid %s: %g", type, what, value);
  return FALSE;
}
