/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-normalization.h"
#include "lt-nn-private.h"
#include "ops/lt-creation.h"
#include "ops/lt-norm.h"
#include "ops/lt-ops-private.h"

/* The weight (ones) and bias (zeros) of @shape, registered on @m */
static gboolean
affine_setup (LtModule *m, const gint64 *shape, guint ndim, GError **error)
{
  g_autoptr(LtTensor) weight = lt_ones (shape, ndim, LT_DTYPE_FLOAT32, error);
  g_autoptr(LtTensor) bias = weight ? lt_zeros (shape, ndim, LT_DTYPE_FLOAT32, error) : NULL;

  return bias != NULL && lt_module_register_parameter (m, "weight", weight, error) &&
         lt_module_register_parameter (m, "bias", bias, error);
}

/* LayerNorm */

/**
 * LtLayerNorm:
 *
 * Layer normalisation over the last dims of each input, as
 * `torch.nn.LayerNorm`: each slice is normalised to mean 0 and variance 1,
 * then scaled and shifted elementwise by a learnt weight and bias of the
 * normalised shape. Printed
 * `LayerNorm((5,), eps=1e-05, elementwise_affine=True)`.
 */
struct _LtLayerNorm
{
  LtModule parent_instance;
  gint64  *normalized_shape;
  guint    n_dims;
  double   eps;
  gboolean elementwise_affine;
};

G_DEFINE_FINAL_TYPE (LtLayerNorm, lt_layer_norm, LT_TYPE_MODULE)

static LtTensor *
lt_layer_norm_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtLayerNorm *self = LT_LAYER_NORM (module);

  return lt_layer_norm (input, self->normalized_shape, self->n_dims,
                        lt_module_get_parameter (module, "weight"),
                        lt_module_get_parameter (module, "bias"), self->eps, error);
}

static char *
lt_layer_norm_extra_repr (LtModule *module)
{
  LtLayerNorm     *self = LT_LAYER_NORM (module);
  g_autofree char *eps = _lt_py_float_repr (self->eps);
  GString         *s = g_string_new (NULL);

  _lt_append_py_ints (s, self->normalized_shape, self->n_dims, FALSE);
  g_string_append_printf (s, ", eps=%s, elementwise_affine=%s", eps,
                          _lt_py_bool (self->elementwise_affine));
  return g_string_free (s, FALSE);
}

static void
lt_layer_norm_finalize (GObject *object)
{
  LtLayerNorm *self = LT_LAYER_NORM (object);

  g_free (self->normalized_shape);
  G_OBJECT_CLASS (lt_layer_norm_parent_class)->finalize (object);
}

static void
lt_layer_norm_class_init (LtLayerNormClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_layer_norm_finalize;
  LT_MODULE_CLASS (klass)->forward = lt_layer_norm_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_layer_norm_extra_repr;
}

static void
lt_layer_norm_init (LtLayerNorm *self)
{
}

/**
 * lt_layer_norm_new:
 * @normalized_shape: (array length=n_dims): the trailing shape of the
 *   inputs to normalise over
 * @n_dims: the number of dims of @normalized_shape, at least 1
 * @eps: added to the variance (PyTorch's default is 1e-5)
 * @elementwise_affine: learn a weight (ones) and a bias (zeros) of
 *   @normalized_shape
 * @error: return location for a #GError
 *
 * Creates a layer-normalisation layer, as `nn.LayerNorm(normalized_shape,
 * eps, elementwise_affine)`, with float32 parameters.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for an empty or negative @normalized_shape or a negative @eps
 *   (%LT_ERROR_INVALID_ARGUMENT)
 */
LtLayerNorm *
lt_layer_norm_new (const gint64 *normalized_shape,
                   gsize         n_dims,
                   double        eps,
                   gboolean      elementwise_affine,
                   GError      **error)
{
  g_autoptr(LtLayerNorm) self = NULL;

  g_return_val_if_fail (normalized_shape != NULL || n_dims == 0, NULL);
  if (n_dims < 1 || n_dims > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "LayerNorm: the normalized shape must have 1 to %d dims, got %" G_GSIZE_FORMAT,
                   LT_MAX_DIMS, n_dims);
      return NULL;
    }
  for (gsize i = 0; i < n_dims; i++)
    if (normalized_shape[i] < 0)
      {
        g_autofree char *s = _lt_shape_to_string (normalized_shape, (guint) n_dims);
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "LayerNorm: the normalized shape %s has a negative size", s);
        return NULL;
      }
  if (!(eps >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "LayerNorm: eps must be a non-negative number, got %g", eps);
      return NULL;
    }
  self = g_object_new (LT_TYPE_LAYER_NORM, NULL);
  self->normalized_shape = g_memdup2 (normalized_shape, n_dims * sizeof (gint64));
  self->n_dims = (guint) n_dims;
  self->eps = eps;
  self->elementwise_affine = !!elementwise_affine;
  if (elementwise_affine &&
      !affine_setup (LT_MODULE (self), normalized_shape, (guint) n_dims, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_layer_norm_get_normalized_shape:
 * @self: a LayerNorm layer
 * @n_dims: (out): return location for the number of dims
 *
 * Gets the trailing shape the layer normalises over.
 *
 * Returns: (array length=n_dims) (transfer none): the shape
 */
const gint64 *
lt_layer_norm_get_normalized_shape (LtLayerNorm *self, gsize *n_dims)
{
  g_return_val_if_fail (LT_IS_LAYER_NORM (self), NULL);
  g_return_val_if_fail (n_dims != NULL, NULL);
  *n_dims = self->n_dims;
  return self->normalized_shape;
}

/**
 * lt_layer_norm_get_eps:
 * @self: a LayerNorm layer
 *
 * Gets the number added to the variance.
 *
 * Returns: eps
 */
double
lt_layer_norm_get_eps (LtLayerNorm *self)
{
  g_return_val_if_fail (LT_IS_LAYER_NORM (self), 0);
  return self->eps;
}

/**
 * lt_layer_norm_get_elementwise_affine:
 * @self: a LayerNorm layer
 *
 * Gets whether the layer has a weight and a bias.
 *
 * Returns: %TRUE if it has
 */
gboolean
lt_layer_norm_get_elementwise_affine (LtLayerNorm *self)
{
  g_return_val_if_fail (LT_IS_LAYER_NORM (self), FALSE);
  return self->elementwise_affine;
}

/* GroupNorm */

/**
 * LtGroupNorm:
 *
 * Group normalisation of (N, C, *) inputs, as `torch.nn.GroupNorm`: the C
 * channels of each sample are split into groups, each normalised over its
 * channels and the trailing dims to mean 0 and variance 1, then every
 * channel is scaled and shifted by a learnt weight and bias. Printed
 * `GroupNorm(2, 6, eps=1e-05, affine=True)`.
 */
struct _LtGroupNorm
{
  LtModule parent_instance;
  gint64   num_groups;
  gint64   num_channels;
  double   eps;
  gboolean affine;
};

G_DEFINE_FINAL_TYPE (LtGroupNorm, lt_group_norm, LT_TYPE_MODULE)

static LtTensor *
lt_group_norm_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtGroupNorm *self = LT_GROUP_NORM (module);

  return lt_group_norm (input, self->num_groups, lt_module_get_parameter (module, "weight"),
                        lt_module_get_parameter (module, "bias"), self->eps, error);
}

static char *
lt_group_norm_extra_repr (LtModule *module)
{
  LtGroupNorm     *self = LT_GROUP_NORM (module);
  g_autofree char *eps = _lt_py_float_repr (self->eps);

  return g_strdup_printf ("%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", eps=%s, affine=%s",
                          self->num_groups, self->num_channels, eps, _lt_py_bool (self->affine));
}

static void
lt_group_norm_class_init (LtGroupNormClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_group_norm_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_group_norm_extra_repr;
}

static void
lt_group_norm_init (LtGroupNorm *self)
{
}

/**
 * lt_group_norm_new:
 * @num_groups: the number of groups the channels are split into
 * @num_channels: the number of channels C of the inputs
 * @eps: added to the variance (PyTorch's default is 1e-5)
 * @affine: learn a weight (ones) and a bias (zeros) per channel
 * @error: return location for a #GError
 *
 * Creates a group-normalisation layer, as `nn.GroupNorm(num_groups,
 * num_channels, eps, affine)`, with float32 parameters.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a @num_groups below 1, a negative @num_channels, channels that
 *   @num_groups does not divide or a negative @eps
 *   (%LT_ERROR_INVALID_ARGUMENT)
 */
LtGroupNorm *
lt_group_norm_new (gint64   num_groups,
                   gint64   num_channels,
                   double   eps,
                   gboolean affine,
                   GError **error)
{
  g_autoptr(LtGroupNorm) self = NULL;

  if (num_groups < 1 || num_channels < 0 || num_channels % num_groups != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "GroupNorm: num_channels (%" G_GINT64_FORMAT
                   ") must be divisible by num_groups (%" G_GINT64_FORMAT "), and both positive",
                   num_channels, num_groups);
      return NULL;
    }
  if (!(eps >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "GroupNorm: eps must be a non-negative number, got %g", eps);
      return NULL;
    }
  self = g_object_new (LT_TYPE_GROUP_NORM, NULL);
  self->num_groups = num_groups;
  self->num_channels = num_channels;
  self->eps = eps;
  self->affine = !!affine;
  if (affine && !affine_setup (LT_MODULE (self), &num_channels, 1, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_group_norm_get_num_groups:
 * @self: a GroupNorm layer
 *
 * Gets the number of groups.
 *
 * Returns: the number of groups
 */
gint64
lt_group_norm_get_num_groups (LtGroupNorm *self)
{
  g_return_val_if_fail (LT_IS_GROUP_NORM (self), 0);
  return self->num_groups;
}

/**
 * lt_group_norm_get_num_channels:
 * @self: a GroupNorm layer
 *
 * Gets the number of channels of its inputs.
 *
 * Returns: the number of channels
 */
gint64
lt_group_norm_get_num_channels (LtGroupNorm *self)
{
  g_return_val_if_fail (LT_IS_GROUP_NORM (self), 0);
  return self->num_channels;
}

/**
 * lt_group_norm_get_eps:
 * @self: a GroupNorm layer
 *
 * Gets the number added to the variance.
 *
 * Returns: eps
 */
double
lt_group_norm_get_eps (LtGroupNorm *self)
{
  g_return_val_if_fail (LT_IS_GROUP_NORM (self), 0);
  return self->eps;
}

/**
 * lt_group_norm_get_affine:
 * @self: a GroupNorm layer
 *
 * Gets whether the layer has a weight and a bias per channel.
 *
 * Returns: %TRUE if it has
 */
gboolean
lt_group_norm_get_affine (LtGroupNorm *self)
{
  g_return_val_if_fail (LT_IS_GROUP_NORM (self), FALSE);
  return self->affine;
}
