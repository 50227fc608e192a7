/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-sequential.h"
#include "lt-nn-private.h"

/**
 * LtSequential:
 *
 * A chain of modules, as `torch.nn.Sequential`: the output of each child
 * is the input of the next. Children added by lt_sequential_new() and
 * lt_sequential_append() are named "0", "1", ...; lt_module_register_module()
 * adds named ones (PyTorch's `Sequential(OrderedDict(...))`).
 *
 * |[<!-- language="C" -->
 * LtModule *layers[] = {
 *   LT_MODULE (lt_linear_new (784, 128, TRUE, &error)),
 *   LT_MODULE (lt_relu_new (FALSE)),
 *   LT_MODULE (lt_linear_new (128, 10, TRUE, &error)),
 * };
 * g_autoptr(LtSequential) net = lt_sequential_new (layers, 3);
 * ]|
 */
struct _LtSequential
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtSequential, lt_sequential, LT_TYPE_MODULE)

static LtTensor *
lt_sequential_forward (LtModule *module,
                       LtTensor *input,
                       GError  **error)
{
  g_autoptr(LtTensor) x = g_object_ref (input);
  guint n = lt_module_get_n_children (module);

  for (guint i = 0; i < n; i++)
    {
      LtModule *child = lt_module_get_child_at (module, i, NULL);
      LtTensor *next = NULL;

      /* a Linear or Conv2d then a ReLU as one (nn/lt-sequential-fuse.c) */
      if (i + 1 < n && _lt_nn_fuse_bias_relu (child, lt_module_get_child_at (module, i + 1, NULL),
                                              x, &next, error))
        i++;
      else
        next = lt_module_forward (child, x, error);

      if (next == NULL)
        return NULL;
      g_object_unref (x);
      x = next;
    }
  return g_steal_pointer (&x);
}

static void
lt_sequential_class_init (LtSequentialClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_sequential_forward;
}

static void
lt_sequential_init (LtSequential *self)
{
}

/**
 * lt_sequential_new:
 * @modules: (array length=n) (nullable) (transfer none): the modules, in
 *   order; each is referenced
 * @n: the number of modules
 *
 * Creates a chain of modules, named "0", "1", ... as `nn.Sequential(...)`.
 * A Sequential without modules returns its input.
 *
 * Returns: (transfer full): the chain
 */
LtSequential *
lt_sequential_new (LtModule **modules,
                   gsize      n)
{
  LtSequential *self = g_object_new (LT_TYPE_SEQUENTIAL, NULL);

  g_return_val_if_fail (n == 0 || modules != NULL, self);
  for (gsize i = 0; i < n; i++)
    {
      g_return_val_if_fail (LT_IS_MODULE (modules[i]), self);
      /* A new module cannot be inside any of its children: this succeeds. */
      lt_sequential_append (self, modules[i], NULL);
    }
  return self;
}

/**
 * lt_sequential_append:
 * @self: a Sequential
 * @module: the module to add at the end
 * @error: return location for a #GError
 *
 * Adds @module at the end of the chain, named after the number of children
 * before it, as `Sequential.append()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set when @module contains
 *   @self or the name is taken
 */
gboolean
lt_sequential_append (LtSequential *self,
                      LtModule     *module,
                      GError      **error)
{
  char name[24];

  g_return_val_if_fail (LT_IS_SEQUENTIAL (self), FALSE);
  g_return_val_if_fail (LT_IS_MODULE (module), FALSE);
  g_snprintf (name, sizeof name, "%u", lt_module_get_n_children (LT_MODULE (self)));
  return lt_module_register_module (LT_MODULE (self), name, module, error);
}
