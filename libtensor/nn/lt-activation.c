/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-activation.h"
#include "ops/lt-activation.h"
#include "lt-nn-private.h"
#include "ops/lt-ops-private.h"

/*
 * Activation layers: modules around the pointwise functions, with
 * PyTorch's printed forms (torch/nn/modules/activation.py).
 */

/* ReLU */

/**
 * LtReLU:
 *
 * The rectifier max(0, x) as a layer, as `torch.nn.ReLU`. Printed
 * `ReLU()`, or `ReLU(inplace=True)`.
 */
struct _LtReLU
{
  LtModule parent_instance;

  gboolean inplace;
};

G_DEFINE_FINAL_TYPE (LtReLU, lt_relu, LT_TYPE_MODULE)

static LtTensor *
lt_relu_forward (LtModule *module,
                 LtTensor *input,
                 GError  **error)
{
  if (LT_RELU (module)->inplace)
    return lt_tensor_relu_ (input, error) ? g_object_ref (input) : NULL;
  return lt_tensor_relu (input, error);
}

static char *
lt_relu_extra_repr (LtModule *module)
{
  return g_strdup (LT_RELU (module)->inplace ? "inplace=True" : "");
}

static void
lt_relu_class_init (LtReLUClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_relu_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_relu_extra_repr;
}

static void
lt_relu_init (LtReLU *self)
{
}

/**
 * lt_relu_new:
 * @inplace: overwrite the input instead of making a new tensor
 *
 * Creates a ReLU layer, as `nn.ReLU(inplace)`.
 *
 * Returns: (transfer full): the layer
 */
LtReLU *
lt_relu_new (gboolean inplace)
{
  LtReLU *self = g_object_new (LT_TYPE_RELU, NULL);

  self->inplace = !!inplace;
  return self;
}

/**
 * lt_relu_get_inplace:
 * @self: a ReLU layer
 *
 * Tells whether the layer overwrites its input.
 *
 * Returns: the inplace flag
 */
gboolean
lt_relu_get_inplace (LtReLU *self)
{
  g_return_val_if_fail (LT_IS_RELU (self), FALSE);
  return self->inplace;
}

/* LeakyReLU */

/**
 * LtLeakyReLU:
 *
 * max(0, x) + negative_slope * min(0, x) as a layer, as
 * `torch.nn.LeakyReLU`. Printed `LeakyReLU(negative_slope=0.01)`.
 */
struct _LtLeakyReLU
{
  LtModule parent_instance;

  double negative_slope;
  gboolean inplace;
};

G_DEFINE_FINAL_TYPE (LtLeakyReLU, lt_leaky_relu, LT_TYPE_MODULE)

static LtTensor *
lt_leaky_relu_forward (LtModule *module,
                       LtTensor *input,
                       GError  **error)
{
  LtLeakyReLU *self = LT_LEAKY_RELU (module);
  g_autoptr(LtTensor) out = lt_leaky_relu (input, self->negative_slope, error);

  if (out == NULL || !self->inplace)
    return g_steal_pointer (&out);
  /* In place: the input takes the result (autograd records the copy). */
  if (!lt_tensor_copy_ (input, out, error))
    return NULL;
  return g_object_ref (input);
}

static char *
lt_leaky_relu_extra_repr (LtModule *module)
{
  LtLeakyReLU *self = LT_LEAKY_RELU (module);
  g_autofree char *slope = _lt_py_float_repr (self->negative_slope);

  return g_strdup_printf ("negative_slope=%s%s", slope, self->inplace ? ", inplace=True" : "");
}

static void
lt_leaky_relu_class_init (LtLeakyReLUClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_leaky_relu_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_leaky_relu_extra_repr;
}

static void
lt_leaky_relu_init (LtLeakyReLU *self)
{
}

/**
 * lt_leaky_relu_new:
 * @negative_slope: the slope for negative inputs (PyTorch's default is 0.01)
 * @inplace: overwrite the input instead of making a new tensor
 *
 * Creates a LeakyReLU layer, as `nn.LeakyReLU(negative_slope, inplace)`.
 *
 * Returns: (transfer full): the layer
 */
LtLeakyReLU *
lt_leaky_relu_new (double   negative_slope,
                   gboolean inplace)
{
  LtLeakyReLU *self = g_object_new (LT_TYPE_LEAKY_RELU, NULL);

  self->negative_slope = negative_slope;
  self->inplace = !!inplace;
  return self;
}

/**
 * lt_leaky_relu_get_negative_slope:
 * @self: a LeakyReLU layer
 *
 * Gets the slope for negative inputs.
 *
 * Returns: the slope
 */
double
lt_leaky_relu_get_negative_slope (LtLeakyReLU *self)
{
  g_return_val_if_fail (LT_IS_LEAKY_RELU (self), 0);
  return self->negative_slope;
}

/**
 * lt_leaky_relu_get_inplace:
 * @self: a LeakyReLU layer
 *
 * Tells whether the layer overwrites its input.
 *
 * Returns: the inplace flag
 */
gboolean
lt_leaky_relu_get_inplace (LtLeakyReLU *self)
{
  g_return_val_if_fail (LT_IS_LEAKY_RELU (self), FALSE);
  return self->inplace;
}

/* Sigmoid and Tanh */

/**
 * LtSigmoid:
 *
 * The logistic function 1 / (1 + exp(-x)) as a layer, as
 * `torch.nn.Sigmoid`. Printed `Sigmoid()`.
 */
struct _LtSigmoid
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtSigmoid, lt_sigmoid, LT_TYPE_MODULE)

static LtTensor *
lt_sigmoid_forward (LtModule *module,
                    LtTensor *input,
                    GError  **error)
{
  return lt_tensor_sigmoid (input, error);
}

static void
lt_sigmoid_class_init (LtSigmoidClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_sigmoid_forward;
}

static void
lt_sigmoid_init (LtSigmoid *self)
{
}

/**
 * lt_sigmoid_new:
 *
 * Creates a Sigmoid layer, as `nn.Sigmoid()`.
 *
 * Returns: (transfer full): the layer
 */
LtSigmoid *
lt_sigmoid_new (void)
{
  return g_object_new (LT_TYPE_SIGMOID, NULL);
}

/**
 * LtTanh:
 *
 * The hyperbolic tangent as a layer, as `torch.nn.Tanh`. Printed
 * `Tanh()`.
 */
struct _LtTanh
{
  LtModule parent_instance;
};

G_DEFINE_FINAL_TYPE (LtTanh, lt_tanh, LT_TYPE_MODULE)

static LtTensor *
lt_tanh_forward (LtModule *module,
                 LtTensor *input,
                 GError  **error)
{
  return lt_tensor_tanh (input, error);
}

static void
lt_tanh_class_init (LtTanhClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_tanh_forward;
}

static void
lt_tanh_init (LtTanh *self)
{
}

/**
 * lt_tanh_new:
 *
 * Creates a Tanh layer, as `nn.Tanh()`.
 *
 * Returns: (transfer full): the layer
 */
LtTanh *
lt_tanh_new (void)
{
  return g_object_new (LT_TYPE_TANH, NULL);
}

/* Softmax and LogSoftmax */

/**
 * LtSoftmax:
 *
 * exp(x) / sum(exp(x)) along a dimension, as `torch.nn.Softmax`. Printed
 * `Softmax(dim=1)`.
 */
struct _LtSoftmax
{
  LtModule parent_instance;

  gint dim;
};

G_DEFINE_FINAL_TYPE (LtSoftmax, lt_softmax, LT_TYPE_MODULE)

static LtTensor *
lt_softmax_forward (LtModule *module,
                    LtTensor *input,
                    GError  **error)
{
  return lt_tensor_softmax (input, LT_SOFTMAX (module)->dim, error);
}

static char *
lt_softmax_extra_repr (LtModule *module)
{
  return g_strdup_printf ("dim=%d", LT_SOFTMAX (module)->dim);
}

static void
lt_softmax_class_init (LtSoftmaxClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_softmax_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_softmax_extra_repr;
}

static void
lt_softmax_init (LtSoftmax *self)
{
}

/**
 * lt_softmax_new:
 * @dim: the dimension the probabilities sum to 1 along (negative counts
 *   from the end)
 *
 * Creates a Softmax layer, as `nn.Softmax(dim)`.
 *
 * Returns: (transfer full): the layer
 */
LtSoftmax *
lt_softmax_new (gint dim)
{
  LtSoftmax *self = g_object_new (LT_TYPE_SOFTMAX, NULL);

  self->dim = dim;
  return self;
}

/**
 * lt_softmax_get_dim:
 * @self: a Softmax layer
 *
 * Gets the dimension the layer normalises.
 *
 * Returns: the dimension
 */
gint
lt_softmax_get_dim (LtSoftmax *self)
{
  g_return_val_if_fail (LT_IS_SOFTMAX (self), 0);
  return self->dim;
}

/**
 * LtLogSoftmax:
 *
 * log(softmax(x)) along a dimension, computed stably, as
 * `torch.nn.LogSoftmax`. Printed `LogSoftmax(dim=1)`.
 */
struct _LtLogSoftmax
{
  LtModule parent_instance;

  gint dim;
};

G_DEFINE_FINAL_TYPE (LtLogSoftmax, lt_log_softmax, LT_TYPE_MODULE)

static LtTensor *
lt_log_softmax_forward (LtModule *module,
                        LtTensor *input,
                        GError  **error)
{
  return lt_tensor_log_softmax (input, LT_LOG_SOFTMAX (module)->dim, error);
}

static char *
lt_log_softmax_extra_repr (LtModule *module)
{
  return g_strdup_printf ("dim=%d", LT_LOG_SOFTMAX (module)->dim);
}

static void
lt_log_softmax_class_init (LtLogSoftmaxClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_log_softmax_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_log_softmax_extra_repr;
}

static void
lt_log_softmax_init (LtLogSoftmax *self)
{
}

/**
 * lt_log_softmax_new:
 * @dim: the dimension to normalise along (negative counts from the end)
 *
 * Creates a LogSoftmax layer, as `nn.LogSoftmax(dim)`.
 *
 * Returns: (transfer full): the layer
 */
LtLogSoftmax *
lt_log_softmax_new (gint dim)
{
  LtLogSoftmax *self = g_object_new (LT_TYPE_LOG_SOFTMAX, NULL);

  self->dim = dim;
  return self;
}

/**
 * lt_log_softmax_get_dim:
 * @self: a LogSoftmax layer
 *
 * Gets the dimension the layer normalises.
 *
 * Returns: the dimension
 */
gint
lt_log_softmax_get_dim (LtLogSoftmax *self)
{
  g_return_val_if_fail (LT_IS_LOG_SOFTMAX (self), 0);
  return self->dim;
}
