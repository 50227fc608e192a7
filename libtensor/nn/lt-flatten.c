/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-flatten.h"
#include "ops/lt-ops-private.h"

/**
 * LtFlatten:
 *
 * Flattens a range of dimensions into one, as `torch.nn.Flatten`: by
 * default every dimension but the batch's, so (N, C, H, W) becomes
 * (N, C*H*W). Printed `Flatten(start_dim=1, end_dim=-1)`.
 */
struct _LtFlatten
{
  LtModule parent_instance;

  gint start_dim;
  gint end_dim;
};

G_DEFINE_FINAL_TYPE (LtFlatten, lt_flatten, LT_TYPE_MODULE)

static LtTensor *
lt_flatten_forward (LtModule *module,
                    LtTensor *input,
                    GError  **error)
{
  LtFlatten *self = LT_FLATTEN (module);

  return lt_tensor_flatten (input, self->start_dim, self->end_dim, error);
}

static char *
lt_flatten_extra_repr (LtModule *module)
{
  LtFlatten *self = LT_FLATTEN (module);

  return g_strdup_printf ("start_dim=%d, end_dim=%d", self->start_dim, self->end_dim);
}

static void
lt_flatten_class_init (LtFlattenClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_flatten_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_flatten_extra_repr;
}

static void
lt_flatten_init (LtFlatten *self)
{
  self->start_dim = 1;
  self->end_dim = -1;
}

/**
 * lt_flatten_new:
 * @start_dim: the first dimension to flatten (PyTorch's default is 1)
 * @end_dim: the last dimension to flatten (PyTorch's default is -1)
 *
 * Creates a Flatten layer, as `nn.Flatten(start_dim, end_dim)`. The
 * dimensions are checked against each input's.
 *
 * Returns: (transfer full): the layer
 */
LtFlatten *
lt_flatten_new (gint start_dim,
                gint end_dim)
{
  LtFlatten *self = g_object_new (LT_TYPE_FLATTEN, NULL);

  self->start_dim = start_dim;
  self->end_dim = end_dim;
  return self;
}

/**
 * lt_flatten_get_start_dim:
 * @self: a Flatten layer
 *
 * Gets the first flattened dimension.
 *
 * Returns: the dimension
 */
gint
lt_flatten_get_start_dim (LtFlatten *self)
{
  g_return_val_if_fail (LT_IS_FLATTEN (self), 0);
  return self->start_dim;
}

/**
 * lt_flatten_get_end_dim:
 * @self: a Flatten layer
 *
 * Gets the last flattened dimension.
 *
 * Returns: the dimension
 */
gint
lt_flatten_get_end_dim (LtFlatten *self)
{
  g_return_val_if_fail (LT_IS_FLATTEN (self), 0);
  return self->end_dim;
}
