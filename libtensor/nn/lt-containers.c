/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-containers.h"
#include "core/lt-error.h"

/*
 * The containers of torch.nn: Identity, ModuleList, ModuleDict,
 * ParameterList and ParameterDict. The lists name their entries "0", "1",
 * ...; the dicts take the names the caller gives to
 * lt_module_register_module() and lt_module_register_parameter(). Their
 * parameters and children are the module's own, so named_parameters(),
 * state_dict() and print(net) see them with PyTorch's names.
 */

/**
 * LtIdentity:
 *
 * The identity, as `torch.nn.Identity`: its forward returns its input (the
 * same tensor), a placeholder where a layer is optional.
 */
struct _LtIdentity
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtIdentity, lt_identity, LT_TYPE_MODULE)

static LtTensor *
lt_identity_forward (LtModule *module, LtTensor *input, GError **error)
{
  return g_object_ref (input);
}

static void
lt_identity_class_init (LtIdentityClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_identity_forward;
}

static void
lt_identity_init (LtIdentity *self)
{
}

/**
 * lt_identity_new:
 *
 * Creates an identity module, as `nn.Identity()`.
 *
 * Returns: (transfer full): the module
 */
LtIdentity *
lt_identity_new (void)
{
  return g_object_new (LT_TYPE_IDENTITY, NULL);
}

/* A container has no forward of its own, as in PyTorch */
static LtTensor *
container_forward (LtModule *module, LtTensor *input, GError **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               "%s has no forward: call the modules it holds", lt_module_get_type_name (module));
  return NULL;
}

/**
 * LtModuleList:
 *
 * A list of modules, as `torch.nn.ModuleList`: its modules are children
 * named "0", "1", ... whose parameters belong to the list's owner. It has no
 * forward; the owner's forward calls the modules.
 */
struct _LtModuleList
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtModuleList, lt_module_list, LT_TYPE_MODULE)

static void
lt_module_list_class_init (LtModuleListClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = container_forward;
}

static void
lt_module_list_init (LtModuleList *self)
{
}

/**
 * lt_module_list_new:
 * @modules: (array length=n) (nullable) (transfer none): the modules, in
 *   order; each is referenced
 * @n: the number of modules
 *
 * Creates a list of modules named "0", "1", ..., as `nn.ModuleList([...])`.
 *
 * Returns: (transfer full): the list
 */
LtModuleList *
lt_module_list_new (LtModule **modules, gsize n)
{
  LtModuleList *self = g_object_new (LT_TYPE_MODULE_LIST, NULL);

  g_return_val_if_fail (n == 0 || modules != NULL, self);
  for (gsize i = 0; i < n; i++)
    {
      g_return_val_if_fail (LT_IS_MODULE (modules[i]), self);
      /* A new list cannot be inside any of its modules: this succeeds. */
      lt_module_list_append (self, modules[i], NULL);
    }
  return self;
}

/**
 * lt_module_list_append:
 * @self: a module list
 * @module: the module to add at the end
 * @error: return location for a #GError
 *
 * Adds @module at the end of the list, named after the number of modules
 * before it, as `ModuleList.append()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set when @module contains
 *   @self
 */
gboolean
lt_module_list_append (LtModuleList *self, LtModule *module, GError **error)
{
  char name[24];

  g_return_val_if_fail (LT_IS_MODULE_LIST (self), FALSE);
  g_return_val_if_fail (LT_IS_MODULE (module), FALSE);
  g_snprintf (name, sizeof name, "%u", lt_module_get_n_children (LT_MODULE (self)));
  return lt_module_register_module (LT_MODULE (self), name, module, error);
}

/**
 * LtModuleDict:
 *
 * Modules by name, as `torch.nn.ModuleDict`: add them with
 * lt_module_register_module(); they keep the order they were added in. It
 * has no forward.
 */
struct _LtModuleDict
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtModuleDict, lt_module_dict, LT_TYPE_MODULE)

static void
lt_module_dict_class_init (LtModuleDictClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = container_forward;
}

static void
lt_module_dict_init (LtModuleDict *self)
{
}

/**
 * lt_module_dict_new:
 *
 * Creates an empty dict of modules, as `nn.ModuleDict()`.
 *
 * Returns: (transfer full): the dict
 */
LtModuleDict *
lt_module_dict_new (void)
{
  return g_object_new (LT_TYPE_MODULE_DICT, NULL);
}

/* The lines PyTorch's ParameterList and ParameterDict print for their
 * parameters: "  (0): Parameter containing: [torch.float32 of size 2x3]".
 * The list names the dtype ("Lt.float32"), the dict the tensor type
 * ("Lt.FloatTensor"), as PyTorch 1.13 does. */
static char *
parameters_repr (LtModule *module, gboolean type_names)
{
  g_auto(GStrv) names = lt_module_get_parameter_names (module);
  GString *s = g_string_new (NULL);

  for (guint i = 0; names[i]; i++)
    {
      LtTensor     *p = lt_module_get_parameter (module, names[i]);
      guint         nd;
      const gint64 *shape;

      if (p == NULL)
        continue;
      shape = lt_tensor_get_shape (p, &nd);
      if (s->len)
        g_string_append_c (s, '\n');
      g_string_append_printf (s, "  (%s): Parameter containing: [", names[i]);
      if (type_names)
        {
          g_autofree char *type = lt_tensor_get_type_name (p);

          g_string_append (s, type);
        }
      else
        g_string_append_printf (s, "Lt.%s", lt_dtype_get_name (lt_tensor_get_dtype (p)));
      g_string_append (s, " of size ");
      for (guint d = 0; d < nd; d++)
        g_string_append_printf (s, d ? "x%" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, shape[d]);
      if (lt_tensor_get_device (p) == LT_DEVICE_CUDA)
        g_string_append (s, " (GPU 0)");
      g_string_append_c (s, ']');
    }
  return g_string_free (s, FALSE);
}

/**
 * LtParameterList:
 *
 * A list of parameters, as `torch.nn.ParameterList`: parameters named "0",
 * "1", ..., so that its owner's named_parameters() and state_dict() call
 * them "name.0", "name.1", ... It has no forward.
 */
struct _LtParameterList
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtParameterList, lt_parameter_list, LT_TYPE_MODULE)

static char *
lt_parameter_list_extra_repr (LtModule *module)
{
  return parameters_repr (module, FALSE);
}

static void
lt_parameter_list_class_init (LtParameterListClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = container_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_parameter_list_extra_repr;
}

static void
lt_parameter_list_init (LtParameterList *self)
{
}

/**
 * lt_parameter_list_new:
 * @parameters: (array length=n) (nullable) (transfer none): the
 *   parameters, in order; each is referenced, marked as a parameter and
 *   made to require grad
 * @n: the number of parameters
 * @error: return location for a #GError
 *
 * Creates a list of parameters named "0", "1", ..., as
 * `nn.ParameterList([...])`.
 *
 * Returns: (transfer full) (nullable): the list, or %NULL with @error set
 *   when a tensor cannot require grad (an integer one)
 */
LtParameterList *
lt_parameter_list_new (LtTensor **parameters, gsize n, GError **error)
{
  g_autoptr(LtParameterList) self = g_object_new (LT_TYPE_PARAMETER_LIST, NULL);

  g_return_val_if_fail (n == 0 || parameters != NULL, NULL);
  for (gsize i = 0; i < n; i++)
    {
      g_return_val_if_fail (LT_IS_TENSOR (parameters[i]), NULL);
      if (!lt_parameter_list_append (self, parameters[i], error))
        return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * lt_parameter_list_append:
 * @self: a parameter list
 * @parameter: the parameter to add at the end; it is marked as a parameter
 *   and made to require grad
 * @error: return location for a #GError
 *
 * Adds @parameter at the end of the list, named after the number of
 * parameters before it, as `ParameterList.append()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set when @parameter cannot
 *   require grad (an integer tensor)
 */
gboolean
lt_parameter_list_append (LtParameterList *self, LtTensor *parameter, GError **error)
{
  g_auto(GStrv) names = NULL;
  char name[24];

  g_return_val_if_fail (LT_IS_PARAMETER_LIST (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (parameter), FALSE);
  names = lt_module_get_parameter_names (LT_MODULE (self));
  g_snprintf (name, sizeof name, "%u", g_strv_length (names));
  return lt_module_register_parameter (LT_MODULE (self), name, parameter, error);
}

/**
 * LtParameterDict:
 *
 * Parameters by name, as `torch.nn.ParameterDict`: add them with
 * lt_module_register_parameter(); they keep the order they were added in.
 * It has no forward.
 */
struct _LtParameterDict
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtParameterDict, lt_parameter_dict, LT_TYPE_MODULE)

static char *
lt_parameter_dict_extra_repr (LtModule *module)
{
  return parameters_repr (module, TRUE);
}

static void
lt_parameter_dict_class_init (LtParameterDictClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = container_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_parameter_dict_extra_repr;
}

static void
lt_parameter_dict_init (LtParameterDict *self)
{
}

/**
 * lt_parameter_dict_new:
 *
 * Creates an empty dict of parameters, as `nn.ParameterDict()`.
 *
 * Returns: (transfer full): the dict
 */
LtParameterDict *
lt_parameter_dict_new (void)
{
  return g_object_new (LT_TYPE_PARAMETER_DICT, NULL);
}
