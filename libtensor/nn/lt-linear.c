/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-linear.h"
#include "lt-functional.h"
#include "lt-nn-private.h"
#include "ops/lt-ops-private.h"

/**
 * LtLinear:
 *
 * An affine layer y = x W^T + b, as `torch.nn.Linear`: parameters "weight"
 * (out_features, in_features) and, unless made without, "bias"
 * (out_features), initialised as PyTorch does; lt_linear() computes the
 * output. Printed `Linear(in_features=400, out_features=120, bias=True)`.
 */
struct _LtLinear
{
  LtModule parent_instance;

  gint64 in_features;
  gint64 out_features;
};

G_DEFINE_FINAL_TYPE (LtLinear, lt_linear, LT_TYPE_MODULE)

static LtTensor *
lt_linear_forward (LtModule *module,
                   LtTensor *input,
                   GError  **error)
{
  LtTensor *weight = lt_module_get_parameter (module, "weight");

  if (weight == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Linear: the layer has no weight");
      return NULL;
    }
  return lt_linear (input, weight, lt_module_get_parameter (module, "bias"), error);
}

static char *
lt_linear_extra_repr (LtModule *module)
{
  LtLinear *self = LT_LINEAR (module);

  return g_strdup_printf ("in_features=%" G_GINT64_FORMAT ", out_features=%" G_GINT64_FORMAT
                          ", bias=%s", self->in_features, self->out_features,
                          _lt_py_bool (lt_module_get_parameter (module, "bias") != NULL));
}

static void
lt_linear_class_init (LtLinearClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_linear_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_linear_extra_repr;
}

static void
lt_linear_init (LtLinear *self)
{
}

/**
 * lt_linear_new:
 * @in_features: the size of each input sample
 * @out_features: the size of each output sample
 * @bias: whether the layer adds a learnable bias
 * @error: return location for a #GError
 *
 * Creates an affine layer, as `nn.Linear(in_features, out_features, bias)`,
 * with float32 parameters drawn as PyTorch draws them: weight from
 * kaiming_uniform_(a=sqrt(5)), that is U(-1/sqrt(in_features),
 * 1/sqrt(in_features)), then bias from the same range.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a negative size
 */
LtLinear *
lt_linear_new (gint64    in_features,
               gint64    out_features,
               gboolean  bias,
               GError  **error)
{
  g_autoptr(LtLinear) self = NULL;
  gint64 wshape[2] = { out_features, in_features };

  if (in_features < 0 || out_features < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Linear: in_features and out_features must not be negative, got %"
                   G_GINT64_FORMAT " and %" G_GINT64_FORMAT, in_features, out_features);
      return NULL;
    }
  self = g_object_new (LT_TYPE_LINEAR, NULL);
  self->in_features = in_features;
  self->out_features = out_features;
  if (!_lt_module_add_weight_and_bias (LT_MODULE (self), wshape, 2, out_features, bias, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_linear_get_in_features:
 * @self: a Linear layer
 *
 * Gets the size of each input sample.
 *
 * Returns: in_features
 */
gint64
lt_linear_get_in_features (LtLinear *self)
{
  g_return_val_if_fail (LT_IS_LINEAR (self), 0);
  return self->in_features;
}

/**
 * lt_linear_get_out_features:
 * @self: a Linear layer
 *
 * Gets the size of each output sample.
 *
 * Returns: out_features
 */
gint64
lt_linear_get_out_features (LtLinear *self)
{
  g_return_val_if_fail (LT_IS_LINEAR (self), 0);
  return self->out_features;
}
