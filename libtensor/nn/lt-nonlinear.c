/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-nonlinear.h"
#include "lt-nn-private.h"
#include "ops/lt-activation.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-shape.h"

/*
 * The activation layers over the activation ops with kernels of their own
 * (ops/lt-activation.c): GELU, SiLU, ELU, Softplus, Hardtanh, and PReLU
 * with its learned slopes. Printed as PyTorch 1.13 prints them.
 */

/* In place: the input takes the result (autograd records the copy), as the
 * other layers with `inplace` do. */
static LtTensor *
finish_inplace (LtTensor *input, LtTensor *out, gboolean inplace, GError **error)
{
  if (out == NULL || !inplace)
    return out;
  if (!lt_tensor_copy_ (input, out, error))
    {
      g_object_unref (out);
      return NULL;
    }
  g_object_unref (out);
  return g_object_ref (input);
}

/* A number as PyTorch prints an argument given as a float ("1.0", "0.5") */
static char *
py_float (double v)
{
  return _lt_py_float_repr (v);
}

/* A number as PyTorch prints a default given as an int (Softplus's beta=1,
 * threshold=20): integral values without ".0" */
static char *
py_number (double v)
{
  if (isfinite (v) && v == floor (v) && fabs (v) < 1e15)
    return g_strdup_printf ("%.0f", v);
  return _lt_py_float_repr (v);
}

/**
 * LtGELU:
 *
 * The Gaussian error linear unit, as `torch.nn.GELU`.
 */
struct _LtGELU
{
  LtModule parent_instance;
  gboolean tanh;
};

G_DEFINE_FINAL_TYPE (LtGELU, lt_gelu, LT_TYPE_MODULE)

static LtTensor *
lt_gelu_forward (LtModule *module, LtTensor *input, GError **error)
{
  return lt_gelu (input, LT_GELU (module)->tanh ? "tanh" : "none", error);
}

static char *
lt_gelu_extra_repr (LtModule *module)
{
  return g_strdup_printf ("approximate='%s'", LT_GELU (module)->tanh ? "tanh" : "none");
}

static void
lt_gelu_class_init (LtGELUClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_gelu_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_gelu_extra_repr;
}

static void
lt_gelu_init (LtGELU *self)
{
}

/**
 * lt_gelu_new:
 * @approximate: (nullable): "none" (%NULL too) or "tanh"
 * @error: return location for a #GError
 *
 * Creates a GELU layer, as `nn.GELU(approximate)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for another @approximate
 */
LtGELU *
lt_gelu_new (const char *approximate, GError **error)
{
  LtGELU *self;

  if (approximate && strcmp (approximate, "none") != 0 && strcmp (approximate, "tanh") != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "GELU: approximate must be \"none\" or \"tanh\", not \"%s\"", approximate);
      return NULL;
    }
  self = g_object_new (LT_TYPE_GELU, NULL);
  self->tanh = approximate && strcmp (approximate, "tanh") == 0;
  return self;
}

/**
 * lt_gelu_get_approximate:
 * @self: a GELU layer
 *
 * Gets the form the layer computes.
 *
 * Returns: "none" or "tanh"
 */
const char *
lt_gelu_get_approximate (LtGELU *self)
{
  g_return_val_if_fail (LT_IS_GELU (self), NULL);
  return self->tanh ? "tanh" : "none";
}

/**
 * LtSiLU:
 *
 * `x * sigmoid (x)`, as `torch.nn.SiLU`.
 */
struct _LtSiLU
{
  LtModule parent_instance;
  gboolean inplace;
};

G_DEFINE_FINAL_TYPE (LtSiLU, lt_silu, LT_TYPE_MODULE)

static LtTensor *
lt_silu_forward (LtModule *module, LtTensor *input, GError **error)
{
  return finish_inplace (input, lt_silu (input, error), LT_SILU (module)->inplace, error);
}

static char *
lt_silu_extra_repr (LtModule *module)
{
  return g_strdup (LT_SILU (module)->inplace ? "inplace=True" : "");
}

static void
lt_silu_class_init (LtSiLUClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_silu_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_silu_extra_repr;
}

static void
lt_silu_init (LtSiLU *self)
{
}

/**
 * lt_silu_new:
 * @inplace: overwrite the input instead of making a new tensor
 *
 * Creates a SiLU layer, as `nn.SiLU(inplace)`.
 *
 * Returns: (transfer full): the layer
 */
LtSiLU *
lt_silu_new (gboolean inplace)
{
  LtSiLU *self = g_object_new (LT_TYPE_SILU, NULL);

  self->inplace = !!inplace;
  return self;
}

/**
 * LtELU:
 *
 * The exponential linear unit, as `torch.nn.ELU`.
 */
struct _LtELU
{
  LtModule parent_instance;
  double   alpha;
  gboolean inplace;
};

G_DEFINE_FINAL_TYPE (LtELU, lt_elu, LT_TYPE_MODULE)

static LtTensor *
lt_elu_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtELU *self = LT_ELU (module);

  return finish_inplace (input, lt_elu (input, self->alpha, 1.0, 1.0, error), self->inplace, error);
}

static char *
lt_elu_extra_repr (LtModule *module)
{
  LtELU           *self = LT_ELU (module);
  g_autofree char *alpha = py_float (self->alpha);

  return g_strdup_printf ("alpha=%s%s", alpha, self->inplace ? ", inplace=True" : "");
}

static void
lt_elu_class_init (LtELUClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_elu_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_elu_extra_repr;
}

static void
lt_elu_init (LtELU *self)
{
}

/**
 * lt_elu_new:
 * @alpha: the value negative inputs tend to, negated (PyTorch's default: 1)
 * @inplace: overwrite the input instead of making a new tensor
 *
 * Creates an ELU layer, as `nn.ELU(alpha, inplace)`.
 *
 * Returns: (transfer full): the layer
 */
LtELU *
lt_elu_new (double alpha, gboolean inplace)
{
  LtELU *self = g_object_new (LT_TYPE_ELU, NULL);

  self->alpha = alpha;
  self->inplace = !!inplace;
  return self;
}

/**
 * lt_elu_get_alpha:
 * @self: an ELU layer
 *
 * Gets the layer's alpha.
 *
 * Returns: alpha
 */
double
lt_elu_get_alpha (LtELU *self)
{
  g_return_val_if_fail (LT_IS_ELU (self), 0);
  return self->alpha;
}

/**
 * LtSoftplus:
 *
 * `log (1 + exp (beta x)) / beta`, as `torch.nn.Softplus`.
 */
struct _LtSoftplus
{
  LtModule parent_instance;
  double   beta;
  double   threshold;
};

G_DEFINE_FINAL_TYPE (LtSoftplus, lt_softplus, LT_TYPE_MODULE)

static LtTensor *
lt_softplus_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtSoftplus *self = LT_SOFTPLUS (module);

  return lt_softplus (input, self->beta, self->threshold, error);
}

static char *
lt_softplus_extra_repr (LtModule *module)
{
  LtSoftplus      *self = LT_SOFTPLUS (module);
  g_autofree char *beta = py_number (self->beta);
  g_autofree char *threshold = py_number (self->threshold);

  return g_strdup_printf ("beta=%s, threshold=%s", beta, threshold);
}

static void
lt_softplus_class_init (LtSoftplusClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_softplus_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_softplus_extra_repr;
}

static void
lt_softplus_init (LtSoftplus *self)
{
}

/**
 * lt_softplus_new:
 * @beta: the sharpness (PyTorch's default: 1); not zero
 * @threshold: above `x * beta > threshold` the layer is the identity
 *   (PyTorch's default: 20)
 * @error: return location for a #GError
 *
 * Creates a Softplus layer, as `nn.Softplus(beta, threshold)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a @beta of zero
 */
LtSoftplus *
lt_softplus_new (double beta, double threshold, GError **error)
{
  LtSoftplus *self;

  if (beta == 0.0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Softplus: beta must not be zero (it divides the result)");
      return NULL;
    }
  self = g_object_new (LT_TYPE_SOFTPLUS, NULL);
  self->beta = beta;
  self->threshold = threshold;
  return self;
}

/**
 * LtHardtanh:
 *
 * The input clamped to [min_val, max_val], as `torch.nn.Hardtanh`.
 */
struct _LtHardtanh
{
  LtModule parent_instance;
  double   min_val;
  double   max_val;
  gboolean inplace;
};

G_DEFINE_FINAL_TYPE (LtHardtanh, lt_hardtanh, LT_TYPE_MODULE)

static LtTensor *
lt_hardtanh_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtHardtanh *self = LT_HARDTANH (module);

  return finish_inplace (input, lt_hardtanh (input, self->min_val, self->max_val, error),
                         self->inplace, error);
}

static char *
lt_hardtanh_extra_repr (LtModule *module)
{
  LtHardtanh      *self = LT_HARDTANH (module);
  g_autofree char *lo = py_float (self->min_val);
  g_autofree char *hi = py_float (self->max_val);

  return g_strdup_printf ("min_val=%s, max_val=%s%s", lo, hi,
                          self->inplace ? ", inplace=True" : "");
}

static void
lt_hardtanh_class_init (LtHardtanhClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_hardtanh_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_hardtanh_extra_repr;
}

static void
lt_hardtanh_init (LtHardtanh *self)
{
}

/**
 * lt_hardtanh_new:
 * @min_val: the lower bound (PyTorch's default: -1)
 * @max_val: the upper bound (PyTorch's default: 1)
 * @inplace: overwrite the input instead of making a new tensor
 * @error: return location for a #GError
 *
 * Creates a Hardtanh layer, as `nn.Hardtanh(min_val, max_val, inplace)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   when @max_val is below @min_val
 */
LtHardtanh *
lt_hardtanh_new (double min_val, double max_val, gboolean inplace, GError **error)
{
  LtHardtanh *self;

  if (!(min_val <= max_val))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Hardtanh: max_val (%g) cannot be less than min_val (%g)", max_val, min_val);
      return NULL;
    }
  self = g_object_new (LT_TYPE_HARDTANH, NULL);
  self->min_val = min_val;
  self->max_val = max_val;
  self->inplace = !!inplace;
  return self;
}

/**
 * LtPReLU:
 *
 * A leaky ReLU whose negative slopes are learned, one for all channels or
 * one per channel, as `torch.nn.PReLU`; its parameter is "weight".
 */
struct _LtPReLU
{
  LtModule parent_instance;
  gint64   num_parameters;
};

G_DEFINE_FINAL_TYPE (LtPReLU, lt_prelu, LT_TYPE_MODULE)

static LtTensor *
lt_prelu_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtTensor *weight = lt_module_get_parameter (module, "weight");

  if (weight == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "PReLU: the weight was removed");
      return NULL;
    }
  return lt_prelu (input, weight, error);
}

static char *
lt_prelu_extra_repr (LtModule *module)
{
  return g_strdup_printf ("num_parameters=%" G_GINT64_FORMAT, LT_PRELU (module)->num_parameters);
}

static void
lt_prelu_class_init (LtPReLUClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_prelu_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_prelu_extra_repr;
}

static void
lt_prelu_init (LtPReLU *self)
{
}

/**
 * lt_prelu_new:
 * @num_parameters: 1 (one slope for every channel) or the number of
 *   channels
 * @init: the slopes' initial value (PyTorch's default: 0.25)
 * @error: return location for a #GError
 *
 * Creates a PReLU layer, as `nn.PReLU(num_parameters, init)`: its float32
 * parameter "weight" holds @num_parameters copies of @init.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a @num_parameters below 1
 */
LtPReLU *
lt_prelu_new (gint64 num_parameters, double init, GError **error)
{
  g_autoptr(LtPReLU) self = NULL;
  g_autoptr(LtTensor) weight = NULL;

  if (num_parameters < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "PReLU: num_parameters must be at least 1, not %" G_GINT64_FORMAT,
                   num_parameters);
      return NULL;
    }
  self = g_object_new (LT_TYPE_PRELU, NULL);
  self->num_parameters = num_parameters;
  weight = lt_full (&num_parameters, 1, init, LT_DTYPE_FLOAT32, error);
  if (weight == NULL || !lt_module_register_parameter (LT_MODULE (self), "weight", weight, error))
    return NULL;
  return g_steal_pointer (&self);
}
