/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lt-module.h"
#include "lt-nn-private.h"
#include "core/lt-tensor-private.h"
#include "backends/lt-device-private.h"
#include "ops/lt-ops-private.h"
#include "ops/lt-multi-tensor-private.h"

/**
 * LtModule:
 *
 * The base class of neural network modules, as `torch.nn.Module`: a
 * module holds named parameters (learnable tensors), buffers (other state,
 * such as batch-norm statistics) and child modules, in registration order,
 * and computes an output from an input in its `forward` virtual method.
 *
 * A network is a subclass: in C, override #LtModuleClass.forward; in
 * Python, subclass `Lt.nn.Module` and write `forward` (the overrides
 * register attributes that are modules or parameters, as PyTorch does);
 * in JavaScript, override `vfunc_forward`. An exception raised in a Python
 * or JavaScript forward reaches lt_module_forward()'s caller as a #GError
 * (Python's in the %LT_ERROR domain with code %LT_ERROR_FAILED and a
 * message such as "Net.forward: ValueError: ..."; gjs's in its own
 * domain, named after the JavaScript error type).
 *
 * The layers (#LtLinear, #LtConv2d, #LtMaxPool2d, #LtReLU, #LtSequential,
 * ...) are subclasses too; their parameters are registered as PyTorch
 * names them ("weight", "bias"), so a tree of modules has PyTorch's
 * parameter names and state_dict keys.
 *
 * Its text form (lt_module_to_string()) is PyTorch's `print(net)`.
 */

typedef struct
{
  char *name;
  gpointer object;          /* LtTensor or LtModule; NULL for an absent parameter */
} Entry;

typedef struct
{
  /* Owned */
  GArray *params;           /* Entry of LtTensor */
  GArray *buffers;          /* Entry of LtTensor */
  GArray *children;         /* Entry of LtModule */
  GPtrArray *hooks;            /* forward and backward hooks (nn/lt-module-hooks.c) */

  gboolean training;
} LtModulePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (LtModule, lt_module, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TRAINING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
entry_clear (gpointer data)
{
  Entry *e = data;

  g_free (e->name);
  g_clear_object (&e->object);
}

static GArray *
entries_new (void)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (Entry));

  g_array_set_clear_func (a, entry_clear);
  return a;
}

static Entry *
entries_find (GArray     *a,
              const char *name)
{
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_array_index (a, Entry, i).name, name) == 0)
      return &g_array_index (a, Entry, i);
  return NULL;
}

static void
lt_module_dispose (GObject *object)
{
  LtModulePrivate *priv = lt_module_get_instance_private (LT_MODULE (object));

  g_clear_pointer (&priv->params, g_array_unref);
  g_clear_pointer (&priv->buffers, g_array_unref);
  g_clear_pointer (&priv->children, g_array_unref);
  g_clear_pointer (&priv->hooks, g_ptr_array_unref);
  G_OBJECT_CLASS (lt_module_parent_class)->dispose (object);
}

static LtTensor *
lt_module_real_forward (LtModule *self,
                        LtTensor *input,
                        GError  **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               "%s: the module has no forward method; subclasses must implement it",
               lt_module_get_type_name (self));
  return NULL;
}

static void
lt_module_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LtModulePrivate *priv = lt_module_get_instance_private (LT_MODULE (object));

  switch (prop_id)
    {
    case PROP_TRAINING:
      g_value_set_boolean (value, priv->training);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_module_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LtModulePrivate *priv = lt_module_get_instance_private (LT_MODULE (object));

  switch (prop_id)
    {
    case PROP_TRAINING:
      if (priv->training != g_value_get_boolean (value))
        {
          priv->training = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_module_class_init (LtModuleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lt_module_dispose;
  object_class->get_property = lt_module_get_property;
  object_class->set_property = lt_module_set_property;
  klass->forward = lt_module_real_forward;

  /**
   * LtModule:training:
   *
   * Whether this module (not its children) is in training mode, as
   * PyTorch's `module.training`; lt_module_train() sets it on the whole
   * tree.
   */
  properties[PROP_TRAINING] =
    g_param_spec_boolean ("training", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lt_module_init (LtModule *self)
{
  LtModulePrivate *priv = lt_module_get_instance_private (self);

  priv->params = entries_new ();
  priv->buffers = entries_new ();
  priv->children = entries_new ();
  priv->training = TRUE;
}

/**
 * lt_module_forward:
 * @self: a module
 * @input: the input
 * @error: return location for a #GError
 *
 * Runs the module's forward method, as `net(input)`.
 *
 * While it runs, the autograd nodes made on this thread record the
 * module's dotted path in the network (lt_grad_fn_get_module()): the name
 * under which the module whose forward calls this one registered it,
 * after that caller's own path ("features.0" for the first child of the
 * #LtSequential registered as "features"). The root module, called with
 * no module running, has no path: operations a network's forward runs
 * itself record %NULL. A module registered in several places records the
 * name under the module that called it; when the caller holds it deeper
 * in its tree, the shallowest dotted path, the first registered at that
 * depth. A module its caller did not register counts as part of the
 * caller.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set.
 *   A forward method that fails without setting an error still gives one.
 */
LtTensor *
lt_module_forward (LtModule *self,
                   LtTensor *input,
                   GError  **error)
{
  LtModulePrivate *priv;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  priv = lt_module_get_instance_private (self);
  if (G_UNLIKELY (g_atomic_pointer_get (&priv->hooks) != NULL))
    return _lt_module_forward_hooked (self, input, error);
  return _lt_module_run_forward (self, input, error);
}

GPtrArray **
_lt_module_hooks (LtModule *self)
{
  LtModulePrivate *priv = lt_module_get_instance_private (self);

  return &priv->hooks;
}

/* lt_module_forward() without the hooks. */
LtTensor *
_lt_module_run_forward (LtModule *self, LtTensor *input, GError **error)
{
  LtModuleClass *klass;
  GError *local = NULL;
  LtTensor *out;

  klass = LT_MODULE_GET_CLASS (self);
  _lt_module_scope_enter (self);
  out = klass->forward (self, input, &local);
  _lt_module_scope_leave ();
  if (out == NULL)
    {
      if (local == NULL)
        g_set_error (&local, LT_ERROR, LT_ERROR_FAILED,
                     "%s.forward returned no tensor and no error", lt_module_get_type_name (self));
      g_propagate_error (error, local);
      return NULL;
    }
  if (local)
    g_error_free (local);
  if (!LT_IS_TENSOR (out))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "%s.forward returned something that is not a tensor",
                   lt_module_get_type_name (self));
      return NULL;
    }
  return out;
}

static gboolean
check_name (LtModule   *self,
            const char *name,
            GArray     *own,
            const char *what,
            GError    **error)
{
  LtModulePrivate *priv = lt_module_get_instance_private (self);
  GArray *all[3] = { priv->params, priv->buffers, priv->children };

  if (name == NULL || *name == '\0' || strchr (name, '.') != NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the %s name \"%s\" must be non-empty and contain no '.'",
                   lt_module_get_type_name (self), what, name ? name : "");
      return FALSE;
    }
  for (guint k = 0; k < 3; k++)
    if (all[k] != own && entries_find (all[k], name))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "%s: \"%s\" is already the name of a %s", lt_module_get_type_name (self),
                     name, k == 0 ? "parameter" : k == 1 ? "buffer" : "submodule");
        return FALSE;
      }
  return TRUE;
}

static void
entries_set (GArray     *a,
             const char *name,
             gpointer    object)
{
  Entry *e = entries_find (a, name);

  if (e)
    {
      gpointer old = e->object;

      e->object = object ? g_object_ref (object) : NULL;
      g_clear_object (&old);
    }
  else
    {
      Entry n = { g_strdup (name), object ? g_object_ref (object) : NULL };
      g_array_append_val (a, n);
    }
}

/**
 * lt_module_register_parameter:
 * @self: a module
 * @name: the parameter's name, without dots
 * @parameter: (nullable): a floating-point tensor, or %NULL for an absent
 *   parameter (a layer without bias)
 * @error: return location for a #GError
 *
 * Adds a learnable parameter, or replaces the one of that name. The tensor
 * is made to require grad and marked as a parameter.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a bad name, a name
 *   already used by a buffer or submodule, or a non-float tensor
 */
gboolean
lt_module_register_parameter (LtModule   *self,
                              const char *name,
                              LtTensor   *parameter,
                              GError    **error)
{
  LtModulePrivate *priv;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (parameter == NULL || LT_IS_TENSOR (parameter), FALSE);
  priv = lt_module_get_instance_private (self);
  if (!check_name (self, name, priv->params, "parameter", error))
    return FALSE;
  if (parameter)
    {
      if (!lt_tensor_set_requires_grad (parameter, TRUE, error))
        return FALSE;
      lt_tensor_set_is_parameter (parameter, TRUE);
    }
  entries_set (priv->params, name, parameter);
  return TRUE;
}

/**
 * lt_module_register_buffer:
 * @self: a module
 * @name: the buffer's name, without dots
 * @buffer: (nullable): a tensor, or %NULL
 * @error: return location for a #GError
 *
 * Adds a buffer: state saved with the module but not learned, such as
 * batch-norm running statistics.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a bad name
 */
gboolean
lt_module_register_buffer (LtModule   *self,
                           const char *name,
                           LtTensor   *buffer,
                           GError    **error)
{
  LtModulePrivate *priv;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (buffer == NULL || LT_IS_TENSOR (buffer), FALSE);
  priv = lt_module_get_instance_private (self);
  if (!check_name (self, name, priv->buffers, "buffer", error))
    return FALSE;
  entries_set (priv->buffers, name, buffer);
  return TRUE;
}

/**
 * lt_module_register_module:
 * @self: a module
 * @name: the child's name, without dots
 * @child: the child module
 * @error: return location for a #GError
 *
 * Adds a child module; its parameters become @self's, named
 * "@name.parameter".
 *
 * Returns: %TRUE on success; %FALSE with @error set for a bad name or when
 *   @child is @self or contains it
 */
gboolean
lt_module_register_module (LtModule   *self,
                           const char *name,
                           LtModule   *child,
                           GError    **error)
{
  LtModulePrivate *priv;
  g_autoptr(GPtrArray) below = NULL;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (LT_IS_MODULE (child), FALSE);
  priv = lt_module_get_instance_private (self);
  if (!check_name (self, name, priv->children, "submodule", error))
    return FALSE;
  below = lt_module_modules (child);
  for (guint i = 0; i < below->len; i++)
    if (g_ptr_array_index (below, i) == self)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "%s: registering \"%s\" would make the module contain itself",
                     lt_module_get_type_name (self), name);
        return FALSE;
      }
  entries_set (priv->children, name, child);
  return TRUE;
}

/* Finds "a.b.c": walks the children "a" and "b", then looks "c" up in the
 * array at @field of LtModulePrivate (params, buffers or children). */
static gpointer
lookup_dotted (LtModule   *self,
               const char *path,
               gsize       field)
{
  const char *dot;
  Entry *e;

  while ((dot = strchr (path, '.')) != NULL)
    {
      LtModulePrivate *priv = lt_module_get_instance_private (self);
      g_autofree char *part = g_strndup (path, dot - path);

      e = entries_find (priv->children, part);
      if (e == NULL)
        return NULL;
      self = e->object;
      path = dot + 1;
    }
  e = entries_find (G_STRUCT_MEMBER (GArray *, lt_module_get_instance_private (self), field),
                    path);
  return e ? e->object : NULL;
}

/**
 * lt_module_get_parameter:
 * @self: a module
 * @name: a parameter name, dotted for submodules ("conv1.weight")
 *
 * Finds a parameter.
 *
 * Returns: (transfer none) (nullable): the parameter, or %NULL
 */
LtTensor *
lt_module_get_parameter (LtModule   *self,
                         const char *name)
{
  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return lookup_dotted (self, name, G_STRUCT_OFFSET (LtModulePrivate, params));
}

/**
 * lt_module_get_buffer:
 * @self: a module
 * @name: a buffer name, dotted for submodules ("bn1.running_mean")
 *
 * Finds a buffer.
 *
 * Returns: (transfer none) (nullable): the buffer, or %NULL
 */
LtTensor *
lt_module_get_buffer (LtModule   *self,
                      const char *name)
{
  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return lookup_dotted (self, name, G_STRUCT_OFFSET (LtModulePrivate, buffers));
}

/**
 * lt_module_get_child:
 * @self: a module
 * @name: a child name, dotted for deeper modules ("features.0")
 *
 * Finds a submodule.
 *
 * Returns: (transfer none) (nullable): the submodule, or %NULL
 */
LtModule *
lt_module_get_child (LtModule   *self,
                     const char *name)
{
  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return lookup_dotted (self, name, G_STRUCT_OFFSET (LtModulePrivate, children));
}

/**
 * lt_module_remove:
 * @self: a module
 * @name: the name of a parameter, buffer or child of @self (no dots)
 *
 * Forgets the parameter, buffer or submodule called @name, as Python's
 * `del net.name`.
 *
 * Returns: %TRUE when something of that name was removed
 */
gboolean
lt_module_remove (LtModule   *self,
                  const char *name)
{
  LtModulePrivate *priv;
  GArray *all[3];

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  priv = lt_module_get_instance_private (self);
  all[0] = priv->params;
  all[1] = priv->buffers;
  all[2] = priv->children;
  for (guint k = 0; k < 3; k++)
    for (guint i = 0; i < all[k]->len; i++)
      if (strcmp (g_array_index (all[k], Entry, i).name, name) == 0)
        {
          g_array_remove_index (all[k], i);
          return TRUE;
        }
  return FALSE;
}

static char **
entry_names (GArray *a)
{
  char **names = g_new0 (char *, a->len + 1);

  for (guint i = 0; i < a->len; i++)
    names[i] = g_strdup (g_array_index (a, Entry, i).name);
  return names;
}

/**
 * lt_module_get_parameter_names:
 * @self: a module
 *
 * Lists the names of @self's own parameters (not its children's), in
 * registration order, absent ones (registered as %NULL) included.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 */
char **
lt_module_get_parameter_names (LtModule *self)
{
  LtModulePrivate *priv;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  priv = lt_module_get_instance_private (self);
  return entry_names (priv->params);
}

/**
 * lt_module_get_buffer_names:
 * @self: a module
 *
 * Lists the names of @self's own buffers (not its children's), in
 * registration order, absent ones included.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names
 */
char **
lt_module_get_buffer_names (LtModule *self)
{
  LtModulePrivate *priv;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  priv = lt_module_get_instance_private (self);
  return entry_names (priv->buffers);
}

/**
 * lt_module_get_n_children:
 * @self: a module
 *
 * Counts the direct submodules.
 *
 * Returns: the number of children
 */
guint
lt_module_get_n_children (LtModule *self)
{
  LtModulePrivate *priv;

  g_return_val_if_fail (LT_IS_MODULE (self), 0);
  priv = lt_module_get_instance_private (self);
  return priv->children->len;
}

/**
 * lt_module_get_child_at:
 * @self: a module
 * @index: a position, below lt_module_get_n_children()
 * @name: (out) (optional) (transfer none): the child's name
 *
 * Gets a direct submodule by position (registration order).
 *
 * Returns: (transfer none): the child
 */
LtModule *
lt_module_get_child_at (LtModule    *self,
                        guint        index,
                        const char **name)
{
  LtModulePrivate *priv;
  Entry *e;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  priv = lt_module_get_instance_private (self);
  g_return_val_if_fail (index < priv->children->len, NULL);
  e = &g_array_index (priv->children, Entry, index);
  if (name)
    *name = e->name;
  return e->object;
}

/* Walks the tree in PyTorch's order: a module's own entries, then its
 * children's, depth first. */
static void
collect_named (LtModule    *self,
               const char  *prefix,
               gboolean     params,
               gboolean     buffers,
               LtStateDict *out,
               GHashTable  *seen)
{
  LtModulePrivate *priv = lt_module_get_instance_private (self);
  GArray *kinds[2] = { params ? priv->params : NULL, buffers ? priv->buffers : NULL };

  for (guint k = 0; k < 2; k++)
    {
      if (kinds[k] == NULL)
        continue;
      for (guint i = 0; i < kinds[k]->len; i++)
        {
          Entry *e = &g_array_index (kinds[k], Entry, i);
          g_autofree char *full = NULL;

          if (e->object == NULL || (seen && g_hash_table_contains (seen, e->object)))
            continue;
          if (seen)
            g_hash_table_add (seen, e->object);
          full = *prefix ? g_strdup_printf ("%s.%s", prefix, e->name) : g_strdup (e->name);
          lt_state_dict_insert (out, full, e->object);
        }
    }
  for (guint i = 0; i < priv->children->len; i++)
    {
      Entry *e = &g_array_index (priv->children, Entry, i);
      g_autofree char *full = *prefix ? g_strdup_printf ("%s.%s", prefix, e->name)
                                      : g_strdup (e->name);

      collect_named (e->object, full, params, buffers, out, seen);
    }
}

/* The parameters and/or buffers of the tree, each shared tensor once. */
static LtStateDict *
named_unique (LtModule *self,
              gboolean  params,
              gboolean  buffers)
{
  LtStateDict *out = lt_state_dict_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  collect_named (self, "", params, buffers, out, seen);
  return out;
}

/**
 * lt_module_named_parameters:
 * @self: a module
 *
 * Lists the parameters of the module tree with their dotted names, in
 * PyTorch's order; a parameter shared by two modules is listed once.
 *
 * Returns: (transfer full): the parameters (not copies)
 */
LtStateDict *
lt_module_named_parameters (LtModule *self)
{
  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  return named_unique (self, TRUE, FALSE);
}

/**
 * lt_module_named_buffers:
 * @self: a module
 *
 * Lists the buffers of the module tree with their dotted names.
 *
 * Returns: (transfer full): the buffers (not copies)
 */
LtStateDict *
lt_module_named_buffers (LtModule *self)
{
  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  return named_unique (self, FALSE, TRUE);
}

/**
 * lt_module_parameters:
 * @self: a module
 *
 * Lists the parameters of the module tree, as `net.parameters()`: what an
 * optimizer updates.
 *
 * Returns: (transfer container) (element-type LtTensor): the parameters
 */
GPtrArray *
lt_module_parameters (LtModule *self)
{
  g_autoptr(LtStateDict) named = NULL;
  GPtrArray *out;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  named = lt_module_named_parameters (self);
  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < lt_state_dict_get_n_tensors (named); i++)
    g_ptr_array_add (out, g_object_ref (lt_state_dict_get_tensor (named, i)));
  return out;
}

static void
collect_modules (LtModule  *self,
                 GPtrArray *out)
{
  LtModulePrivate *priv = lt_module_get_instance_private (self);

  for (guint i = 0; i < out->len; i++)
    if (g_ptr_array_index (out, i) == self)
      return;
  g_ptr_array_add (out, g_object_ref (self));
  for (guint i = 0; i < priv->children->len; i++)
    collect_modules (g_array_index (priv->children, Entry, i).object, out);
}

/**
 * lt_module_modules:
 * @self: a module
 *
 * Lists @self and every submodule, depth first, as `net.modules()`.
 *
 * Returns: (transfer container) (element-type LtModule): the modules
 */
GPtrArray *
lt_module_modules (LtModule *self)
{
  GPtrArray *out;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  out = g_ptr_array_new_with_free_func (g_object_unref);
  collect_modules (self, out);
  return out;
}

/**
 * lt_module_count_parameters:
 * @self: a module
 * @trainable_only: count only parameters that require grad
 *
 * Counts the elements of all parameters.
 *
 * Returns: the number of learnable numbers
 */
gint64
lt_module_count_parameters (LtModule *self,
                            gboolean  trainable_only)
{
  g_autoptr(GPtrArray) params = NULL;
  gint64 n = 0;

  g_return_val_if_fail (LT_IS_MODULE (self), 0);
  params = lt_module_parameters (self);
  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (params, i);

      if (!trainable_only || lt_tensor_get_requires_grad (p))
        n += lt_tensor_numel (p);
    }
  return n;
}

/**
 * lt_module_zero_grad:
 * @self: a module
 * @set_to_none: drop the gradients instead of filling them with zeros
 *
 * Clears the gradients of every parameter, as `net.zero_grad()`.
 */
void
lt_module_zero_grad (LtModule *self,
                     gboolean  set_to_none)
{
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GPtrArray) grads = g_ptr_array_new ();
  gboolean prev;

  g_return_if_fail (LT_IS_MODULE (self));
  params = lt_module_parameters (self);
  prev = lt_set_grad_enabled (FALSE);
  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *p = g_ptr_array_index (params, i);
      LtTensor *g = lt_tensor_get_grad (p);

      if (g == NULL)
        continue;
      if (set_to_none)
        lt_tensor_set_grad (p, NULL, NULL);
      else
        g_ptr_array_add (grads, g);
    }
  /* one launch for all of them where the device has multi-tensor kernels */
  _lt_multi_tensor_zero (grads);
  lt_set_grad_enabled (prev);
}

/**
 * lt_module_train:
 * @self: a module
 * @mode: %TRUE for training mode, %FALSE for evaluation mode
 *
 * Sets training or evaluation mode on the whole tree, as `net.train()`:
 * dropout and batch norm behave differently in the two.
 */
void
lt_module_train (LtModule *self,
                 gboolean  mode)
{
  g_autoptr(GPtrArray) all = NULL;

  g_return_if_fail (LT_IS_MODULE (self));
  all = lt_module_modules (self);
  for (guint i = 0; i < all->len; i++)
    {
      LtModule *m = g_ptr_array_index (all, i);
      LtModulePrivate *priv = lt_module_get_instance_private (m);

      if (priv->training != !!mode)
        {
          priv->training = !!mode;
          g_object_notify_by_pspec (G_OBJECT (m), properties[PROP_TRAINING]);
        }
    }
}

/**
 * lt_module_eval:
 * @self: a module
 *
 * Sets evaluation mode on the whole tree, as `net.eval()`.
 */
void
lt_module_eval (LtModule *self)
{
  lt_module_train (self, FALSE);
}

/**
 * lt_module_is_training:
 * @self: a module
 *
 * Tells whether @self is in training mode.
 *
 * Returns: %TRUE in training mode
 */
gboolean
lt_module_is_training (LtModule *self)
{
  LtModulePrivate *priv;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  priv = lt_module_get_instance_private (self);
  return priv->training;
}

/* Moves @t's elements (and its gradient's) to @device, keeping the tensor
 * object: the storage is replaced under it. */
static gboolean
move_tensor (LtTensor *t,
             LtDevice  device,
             GError  **error)
{
  g_autoptr(LtTensor) moved = NULL;
  gboolean prev;

  if (t->grad && !move_tensor (t->grad, device, error))
    return FALSE;
  if (t->storage->device == device)
    return TRUE;
  prev = lt_set_grad_enabled (FALSE);
  moved = lt_tensor_to_device (t, device, error);
  lt_set_grad_enabled (prev);
  if (moved == NULL)
    return FALSE;
  lt_storage_unref (t->storage);
  t->storage = lt_storage_ref (moved->storage);
  t->offset = moved->offset;
  memcpy (t->strides, moved->strides, sizeof t->strides);
  return TRUE;
}

static gboolean
move_entries (GArray  *a,
              LtDevice device,
              GError **error)
{
  for (guint i = 0; i < a->len; i++)
    {
      LtTensor *t = g_array_index (a, Entry, i).object;

      if (t && !move_tensor (t, device, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * lt_module_to_device:
 * @self: a module
 * @device: the device to move to
 * @error: return location for a #GError
 *
 * Moves every parameter (with its gradient) and buffer of the tree to
 * @device, as `net.cuda()` or `net.to(device)`. The tensors stay the same
 * objects, so optimizers made before keep working.
 *
 * Returns: %TRUE on success; %FALSE with @error set when @device is not
 *   available (nothing is moved then)
 */
gboolean
lt_module_to_device (LtModule *self,
                     LtDevice  device,
                     GError  **error)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(LtTensor) probe = NULL;
  gint64 one = 1;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  /* Check the device first so that a failure moves nothing. */
  probe = lt_zeros (&one, 1, LT_DTYPE_FLOAT32, error);
  if (probe == NULL || !move_tensor (probe, device, error))
    return FALSE;
  all = lt_module_modules (self);
  for (guint i = 0; i < all->len; i++)
    {
      LtModulePrivate *priv = lt_module_get_instance_private (g_ptr_array_index (all, i));

      if (!move_entries (priv->params, device, error) ||
          !move_entries (priv->buffers, device, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * lt_module_to_device_index:
 * @self: a module
 * @device: the device's type
 * @index: its index: N for `cuda:N`; 0 or -1 for the CPU
 * @error: return location for a #GError
 *
 * Moves every parameter (with its gradient) and buffer of the tree to
 * device @index of type @device, as `net.cuda(1)` or `net.to("cuda:1")`;
 * lt_module_to_device() is this function with index 0.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the device is not
 *   available or has no such index (nothing is moved then)
 */
gboolean
lt_module_to_device_index (LtModule *self, LtDevice device, int index, GError **error)
{
  LtDevice d;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  if (device == LT_DEVICE_CPU && index < 0)
    index = 0;
  if (!_lt_device_from_index (device, index, &d, error))
    return FALSE;
  return lt_module_to_device (self, d, error);
}

/**
 * lt_module_apply:
 * @self: a module
 * @func: (scope call) (closure user_data): called for every module
 * @user_data: data for @func
 *
 * Calls @func on every submodule (children first) and then on @self, as
 * `net.apply(fn)`; typically used to initialise weights.
 */
void
lt_module_apply (LtModule     *self,
                 LtModuleFunc  func,
                 gpointer      user_data)
{
  LtModulePrivate *priv;

  g_return_if_fail (LT_IS_MODULE (self));
  g_return_if_fail (func != NULL);
  priv = lt_module_get_instance_private (self);
  for (guint i = 0; i < priv->children->len; i++)
    lt_module_apply (g_array_index (priv->children, Entry, i).object, func, user_data);
  func (self, user_data);
}

/**
 * lt_module_get_type_name:
 * @self: a module
 *
 * Gets the name the printed form uses: the type name without its "Lt"
 * prefix ("Linear"), or the class name of a Python or JavaScript subclass
 * ("Net").
 *
 * Returns: (transfer none): the name
 */
const char *
lt_module_get_type_name (LtModule *self)
{
  const char *name, *plus;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  name = G_OBJECT_TYPE_NAME (self);
  plus = strrchr (name, '+');           /* PyGObject: "module+Class" */
  if (plus)
    {
      /* A second class of the same name in the same Python module is
       * "module+Class-v2": print "Class" for it too. */
      const char *v = strrchr (plus, '-');

      if (v && v[1] == 'v' && v[2] && strspn (v + 2, "0123456789") == strlen (v + 2))
        {
          g_autofree char *bare = g_strndup (plus + 1, v - plus - 1);
          return g_intern_string (bare);
        }
      return plus + 1;
    }
  if (g_str_has_prefix (name, "Gjs_"))  /* gjs: "Gjs_Class" */
    return name + 4;
  if (g_str_has_prefix (name, "Lt") && g_ascii_isupper (name[2]))
    return name + 2;
  return name;
}

static void
append_indented (GString    *s,
                 const char *text)
{
  for (const char *p = text; *p; p++)
    {
      g_string_append_c (s, *p);
      if (*p == '\n' && p[1])
        g_string_append (s, "  ");
    }
}

/**
 * lt_module_to_string:
 * @self: a module
 *
 * Formats the module tree as PyTorch's `print(net)` does:
 *
 * |[
 * Net(
 *   (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
 *   (fc1): Linear(in_features=400, out_features=120, bias=True)
 * )
 * ]|
 *
 * Returns: (transfer full): the text
 */
char *
lt_module_to_string (LtModule *self)
{
  LtModulePrivate *priv;
  LtModuleClass *klass;
  g_autofree char *extra = NULL;
  GString *s;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  priv = lt_module_get_instance_private (self);
  klass = LT_MODULE_GET_CLASS (self);
  extra = klass->extra_repr ? klass->extra_repr (self) : NULL;
  s = g_string_new (lt_module_get_type_name (self));
  g_string_append_c (s, '(');
  if (priv->children->len == 0)
    {
      if (extra && *extra)
        {
          if (strchr (extra, '\n'))
            {
              g_string_append (s, "\n  ");
              append_indented (s, extra);
              g_string_append_c (s, '\n');
            }
          else
            g_string_append (s, extra);
        }
    }
  else
    {
      if (extra && *extra)
        {
          g_string_append (s, "\n  ");
          append_indented (s, extra);
        }
      for (guint i = 0; i < priv->children->len; i++)
        {
          Entry *e = &g_array_index (priv->children, Entry, i);
          g_autofree char *child = lt_module_to_string (e->object);

          g_string_append_printf (s, "\n  (%s): ", e->name);
          append_indented (s, child);
        }
      g_string_append_c (s, '\n');
    }
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

/**
 * lt_module_state_dict:
 * @self: a module
 *
 * Gets the module's state as PyTorch's `state_dict()`: every parameter and
 * buffer under its dotted name (`conv1.weight`, `fc3.bias`, ...). The
 * tensors are the module's own, not copies.
 *
 * Returns: (transfer full): the state
 */
LtStateDict *
lt_module_state_dict (LtModule *self)
{
  LtStateDict *out;

  g_return_val_if_fail (LT_IS_MODULE (self), NULL);
  out = lt_state_dict_new ();
  collect_named (self, "", TRUE, TRUE, out, NULL);
  return out;
}

static char *
join_keys (GPtrArray *keys)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (s, "%s\"%s\"", i ? ", " : "", (char *) g_ptr_array_index (keys, i));
  return g_string_free (s, FALSE);
}

/**
 * lt_module_load_state_dict:
 * @self: a module
 * @state: the state to load
 * @strict: fail when @state lacks a key of the module or has one the module
 *   does not know
 * @missing_keys: (out) (optional) (transfer full) (array zero-terminated=1):
 *   the module's keys absent from @state
 * @unexpected_keys: (out) (optional) (transfer full) (array zero-terminated=1):
 *   the keys of @state the module does not have
 * @error: return location for a #GError
 *
 * Copies the tensors of @state into the module's parameters and buffers,
 * as `load_state_dict()`. Everything is checked before anything is copied:
 * a shape mismatch, or (with @strict) a missing or unexpected key, leaves
 * the module unchanged.
 *
 * Returns: %TRUE on success; %FALSE with @error set naming the keys and
 *   shapes at fault
 */
gboolean
lt_module_load_state_dict (LtModule     *self,
                           LtStateDict  *state,
                           gboolean      strict,
                           char       ***missing_keys,
                           char       ***unexpected_keys,
                           GError      **error)
{
  g_autoptr(LtStateDict) own = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) unexpected = g_ptr_array_new_with_free_func (g_free);
  gboolean prev;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  g_return_val_if_fail (LT_IS_STATE_DICT (state), FALSE);
  own = lt_module_state_dict (self);

  for (guint i = 0; i < lt_state_dict_get_n_tensors (own); i++)
    {
      const char *name = lt_state_dict_get_name (own, i);
      LtTensor *dst = lt_state_dict_get_tensor (own, i);
      LtTensor *src = lt_state_dict_lookup (state, name);

      if (src == NULL)
        {
          g_ptr_array_add (missing, g_strdup (name));
          continue;
        }
      if (!_lt_shape_equal (src->shape, src->ndim, dst->shape, dst->ndim))
        {
          g_autofree char *s1 = LT_SHAPE_STR (src);
          g_autofree char *s2 = LT_SHAPE_STR (dst);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "load_state_dict: \"%s\" has shape %s in the state but %s in %s",
                       name, s1, s2, lt_module_get_type_name (self));
          return FALSE;
        }
    }
  for (guint i = 0; i < lt_state_dict_get_n_tensors (state); i++)
    {
      const char *name = lt_state_dict_get_name (state, i);

      if (lt_state_dict_lookup (own, name) == NULL)
        g_ptr_array_add (unexpected, g_strdup (name));
    }
  if (strict && (missing->len > 0 || unexpected->len > 0))
    {
      g_autofree char *m = join_keys (missing);
      g_autofree char *u = join_keys (unexpected);
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "load_state_dict: the state does not match %s%s%s%s%s",
                   lt_module_get_type_name (self),
                   missing->len ? "; missing keys: " : "", m,
                   unexpected->len ? "; unexpected keys: " : "", u);
      return FALSE;
    }

  prev = lt_set_grad_enabled (FALSE);
  for (guint i = 0; i < lt_state_dict_get_n_tensors (own); i++)
    {
      LtTensor *dst = lt_state_dict_get_tensor (own, i);
      LtTensor *src = lt_state_dict_lookup (state, lt_state_dict_get_name (own, i));

      if (src && !_lt_copy_into (dst, src, error))
        {
          lt_set_grad_enabled (prev);
          return FALSE;
        }
      if (src)
        _lt_tensor_bump_version (dst);
    }
  lt_set_grad_enabled (prev);

  if (missing_keys)
    {
      g_ptr_array_add (missing, NULL);
      *missing_keys = (char **) g_ptr_array_steal (missing, NULL);
    }
  if (unexpected_keys)
    {
      g_ptr_array_add (unexpected, NULL);
      *unexpected_keys = (char **) g_ptr_array_steal (unexpected, NULL);
    }
  return TRUE;
}

/**
 * lt_module_save:
 * @self: a module
 * @path: (type filename): the file to write
 * @error: return location for a #GError
 *
 * Saves lt_module_state_dict() as a safetensors file, atomically (see
 * lt_state_dict_save()). PyTorch reads it with
 * `safetensors.torch.load_file()` and `load_state_dict()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_module_save (LtModule   *self,
                const char *path,
                GError    **error)
{
  g_autoptr(LtStateDict) state = NULL;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  state = lt_module_state_dict (self);
  return lt_state_dict_save (state, path, error);
}

/**
 * lt_module_load:
 * @self: a module
 * @path: (type filename): a safetensors file
 * @strict: fail on missing or unexpected keys
 * @error: return location for a #GError
 *
 * Loads parameters and buffers from a safetensors file, checking the file
 * (see lt_state_dict_load()) and the names and shapes before changing
 * anything.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_module_load (LtModule   *self,
                const char *path,
                gboolean    strict,
                GError    **error)
{
  g_autoptr(LtStateDict) state = NULL;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  state = lt_state_dict_load (path, error);
  if (state == NULL)
    return FALSE;
  if (!lt_module_load_state_dict (self, state, strict, NULL, NULL, error))
    {
      /* Name the file, as the file's own errors do. */
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

/* Printing helpers of the layers */

char *
_lt_py_float_repr (double value)
{
  char buf[64], digits[32];
  GString *s;
  int exp10, decpt, n = 0;
  char *e;

  if (isnan (value))
    return g_strdup ("nan");
  if (isinf (value))
    return g_strdup (value < 0 ? "-inf" : "inf");
  if (value == 0)
    return g_strdup (signbit (value) ? "-0.0" : "0.0");

  /* The shortest digits that read back as @value, as Python's repr. */
  for (int p = 1; p <= 17; p++)
    {
      char fmt[16];

      g_snprintf (fmt, sizeof fmt, "%%.%de", p - 1);
      g_ascii_formatd (buf, sizeof buf, fmt, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  e = strchr (buf, 'e');
  exp10 = atoi (e + 1);
  for (const char *c = buf; c < e; c++)
    if (g_ascii_isdigit (*c))
      digits[n++] = *c;
  while (n > 1 && digits[n - 1] == '0')
    n--;
  digits[n] = '\0';
  decpt = exp10 + 1;          /* value = 0.digits * 10^decpt */

  s = g_string_new (value < 0 ? "-" : "");
  if (decpt <= -4 || decpt > 16)
    {
      g_string_append_c (s, digits[0]);
      if (n > 1)
        g_string_append_printf (s, ".%s", digits + 1);
      g_string_append_printf (s, "e%c%02d", exp10 < 0 ? '-' : '+', ABS (exp10));
    }
  else if (decpt <= 0)
    {
      g_string_append (s, "0.");
      for (int i = 0; i < -decpt; i++)
        g_string_append_c (s, '0');
      g_string_append (s, digits);
    }
  else if (decpt >= n)
    {
      g_string_append (s, digits);
      for (int i = n; i < decpt; i++)
        g_string_append_c (s, '0');
      g_string_append (s, ".0");
    }
  else
    {
      g_string_append_len (s, digits, decpt);
      g_string_append_c (s, '.');
      g_string_append (s, digits + decpt);
    }
  return g_string_free (s, FALSE);
}

void
_lt_append_py_ints (GString      *s,
                    const gint64 *values,
                    guint         n,
                    gboolean      as_int)
{
  if (as_int)
    {
      g_string_append_printf (s, "%" G_GINT64_FORMAT, values[0]);
      return;
    }
  g_string_append_c (s, '(');
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", values[i]);
  if (n == 1)
    g_string_append_c (s, ',');
  g_string_append_c (s, ')');
}
