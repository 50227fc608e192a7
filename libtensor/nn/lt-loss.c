/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-loss.h"
#include "ops/lt-loss.h"
#include "core/lt-tensor-private.h"
#include "core/lt-enum-types.h"

/**
 * LtLoss:
 *
 * A loss module (a criterion), as PyTorch's `nn.modules.loss._Loss`: it
 * holds a reduction and, for weighted losses, its weights as buffers
 * ("weight", "pos_weight"), and computes the loss of an input against a
 * target with lt_loss_compute(). The final subclasses print as PyTorch's:
 * `MSELoss()`, `CrossEntropyLoss()`.
 *
 * A loss takes two tensors, so lt_module_forward() on it is an error; call
 * lt_loss_compute(), or lt_loss_compute_pair() for the losses of a pair of
 * inputs and a target (#LtCosineEmbeddingLoss, #LtMarginRankingLoss).
 */

typedef struct
{
  LtReduction reduction;
} LtLossPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (LtLoss, lt_loss, LT_TYPE_MODULE)

enum {
  PROP_0,
  PROP_REDUCTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static LtTensor *
lt_loss_real_compute (LtLoss   *self,
                      LtTensor *input,
                      LtTensor *target,
                      GError  **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               "%s: compute() is not implemented", lt_module_get_type_name (LT_MODULE (self)));
  return NULL;
}

static LtTensor *
lt_loss_real_compute_pair (LtLoss   *self,
                           LtTensor *input1,
                           LtTensor *input2,
                           LtTensor *target,
                           GError  **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "%s takes an input and a target, not a pair of inputs: call lt_loss_compute()",
               lt_module_get_type_name (LT_MODULE (self)));
  return NULL;
}

static LtTensor *
lt_loss_forward (LtModule *module,
                 LtTensor *input,
                 GError  **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "%s takes an input and a target: call lt_loss_compute()",
               lt_module_get_type_name (module));
  return NULL;
}

static void
lt_loss_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  LtLoss *self = LT_LOSS (object);

  switch (prop_id)
    {
    case PROP_REDUCTION:
      g_value_set_enum (value, lt_loss_get_reduction (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_loss_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  LtLoss *self = LT_LOSS (object);

  switch (prop_id)
    {
    case PROP_REDUCTION:
      lt_loss_set_reduction (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_loss_class_init (LtLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lt_loss_get_property;
  object_class->set_property = lt_loss_set_property;
  LT_MODULE_CLASS (klass)->forward = lt_loss_forward;
  klass->compute = lt_loss_real_compute;
  klass->compute_pair = lt_loss_real_compute_pair;

  /**
   * LtLoss:reduction:
   *
   * How the loss combines the losses of the elements: mean (the default),
   * sum or none.
   */
  properties[PROP_REDUCTION] =
    g_param_spec_enum ("reduction", NULL, NULL, LT_TYPE_REDUCTION, LT_REDUCTION_MEAN,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lt_loss_init (LtLoss *self)
{
  LtLossPrivate *priv = lt_loss_get_instance_private (self);

  priv->reduction = LT_REDUCTION_MEAN;
}

/**
 * lt_loss_compute:
 * @self: a loss
 * @input: the model's output
 * @target: the target
 * @error: return location for a #GError
 *
 * Computes the loss of @input against @target, as `criterion(output,
 * target)`.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_loss_compute (LtLoss   *self,
                 LtTensor *input,
                 LtTensor *target,
                 GError  **error)
{
  LtLossClass *klass;
  GError *local = NULL;
  LtTensor *out;

  g_return_val_if_fail (LT_IS_LOSS (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  klass = LT_LOSS_GET_CLASS (self);
  out = klass->compute (self, input, target, &local);
  if (out == NULL && local == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s.compute returned no tensor and no error",
                   lt_module_get_type_name (LT_MODULE (self)));
      return NULL;
    }
  if (out == NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  g_clear_error (&local);
  return out;
}

/**
 * lt_loss_compute_pair:
 * @self: a loss of two inputs and a target
 * @input1: the first input
 * @input2: the second input
 * @target: the target
 * @error: return location for a #GError
 *
 * Computes the loss of the pair @input1, @input2 against @target, as
 * `criterion(input1, input2, target)` for the losses that compare two
 * inputs (#LtCosineEmbeddingLoss, #LtMarginRankingLoss). Losses of one
 * input and a target refuse it with an error.
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 */
LtTensor *
lt_loss_compute_pair (LtLoss   *self,
                      LtTensor *input1,
                      LtTensor *input2,
                      LtTensor *target,
                      GError  **error)
{
  LtLossClass *klass;
  GError      *local = NULL;
  LtTensor    *out;

  g_return_val_if_fail (LT_IS_LOSS (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input1), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input2), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (target), NULL);
  klass = LT_LOSS_GET_CLASS (self);
  out = klass->compute_pair (self, input1, input2, target, &local);
  if (out == NULL && local == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "%s.compute_pair returned no tensor and no error",
                   lt_module_get_type_name (LT_MODULE (self)));
      return NULL;
    }
  if (out == NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  g_clear_error (&local);
  return out;
}

/**
 * lt_loss_get_reduction:
 * @self: a loss
 *
 * Gets how the loss combines the losses of the elements.
 *
 * Returns: the reduction
 */
LtReduction
lt_loss_get_reduction (LtLoss *self)
{
  LtLossPrivate *priv;

  g_return_val_if_fail (LT_IS_LOSS (self), LT_REDUCTION_MEAN);
  priv = lt_loss_get_instance_private (self);
  return priv->reduction;
}

/**
 * lt_loss_set_reduction:
 * @self: a loss
 * @reduction: the reduction
 *
 * Sets how the loss combines the losses of the elements.
 */
void
lt_loss_set_reduction (LtLoss      *self,
                       LtReduction  reduction)
{
  LtLossPrivate *priv;

  g_return_if_fail (LT_IS_LOSS (self));
  g_return_if_fail (reduction == LT_REDUCTION_NONE || reduction == LT_REDUCTION_MEAN ||
                    reduction == LT_REDUCTION_SUM);
  priv = lt_loss_get_instance_private (self);
  if (priv->reduction == reduction)
    return;
  priv->reduction = reduction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDUCTION]);
}

static LtReduction
reduction_of (gpointer self)
{
  return lt_loss_get_reduction (LT_LOSS (self));
}

/* Registers an optional weight as a buffer (a 1-D one when @one_dim). */
static gboolean
register_weight (LtLoss     *self,
                 const char *name,
                 LtTensor   *weight,
                 gboolean    one_dim,
                 GError    **error)
{
  const char *type = lt_module_get_type_name (LT_MODULE (self));

  if (weight == NULL)
    return TRUE;
  if (!lt_tensor_is_floating_point (weight))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE, "%s: %s must be floating point, not %s",
                   type, name, lt_dtype_get_name (lt_tensor_get_dtype (weight)));
      return FALSE;
    }
  if (one_dim && lt_tensor_get_n_dims (weight) != 1)
    {
      g_autofree char *s = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: %s must be a 1-D tensor of one weight per class, not shape %s", type,
                   name, s);
      return FALSE;
    }
  return lt_module_register_buffer (LT_MODULE (self), name, weight, error);
}

static gboolean
check_smoothing (const char *type,
                 double      label_smoothing,
                 GError    **error)
{
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: label_smoothing must be between 0.0 and 1.0, got %g", type,
                   label_smoothing);
      return FALSE;
    }
  return TRUE;
}

/* MSELoss */

/**
 * LtMSELoss:
 *
 * The mean squared error, as `nn.MSELoss`: lt_mse_loss() of the input
 * against the target.
 */
struct _LtMSELoss
{
  LtLoss parent_instance;
};

G_DEFINE_FINAL_TYPE (LtMSELoss, lt_mse_loss, LT_TYPE_LOSS)

static LtTensor *
lt_mse_loss_compute (LtLoss   *self,
                     LtTensor *input,
                     LtTensor *target,
                     GError  **error)
{
  return lt_mse_loss (input, target, reduction_of (self), error);
}

static void
lt_mse_loss_class_init (LtMSELossClass *klass)
{
  LT_LOSS_CLASS (klass)->compute = lt_mse_loss_compute;
}

static void
lt_mse_loss_init (LtMSELoss *self)
{
}

/**
 * lt_mse_loss_new:
 * @reduction: how to combine the squared errors (PyTorch's default: mean)
 *
 * Creates the criterion `nn.MSELoss(reduction=...)`.
 *
 * Returns: (transfer full): the loss
 */
LtMSELoss *
lt_mse_loss_new (LtReduction reduction)
{
  return g_object_new (LT_TYPE_MSE_LOSS, "reduction", reduction, NULL);
}

/* L1Loss */

/**
 * LtL1Loss:
 *
 * The mean absolute error, as `nn.L1Loss`: lt_l1_loss() of the input
 * against the target.
 */
struct _LtL1Loss
{
  LtLoss parent_instance;
};

G_DEFINE_FINAL_TYPE (LtL1Loss, lt_l1_loss, LT_TYPE_LOSS)

static LtTensor *
lt_l1_loss_compute (LtLoss   *self,
                    LtTensor *input,
                    LtTensor *target,
                    GError  **error)
{
  return lt_l1_loss (input, target, reduction_of (self), error);
}

static void
lt_l1_loss_class_init (LtL1LossClass *klass)
{
  LT_LOSS_CLASS (klass)->compute = lt_l1_loss_compute;
}

static void
lt_l1_loss_init (LtL1Loss *self)
{
}

/**
 * lt_l1_loss_new:
 * @reduction: how to combine the absolute errors (PyTorch's default: mean)
 *
 * Creates the criterion `nn.L1Loss(reduction=...)`.
 *
 * Returns: (transfer full): the loss
 */
LtL1Loss *
lt_l1_loss_new (LtReduction reduction)
{
  return g_object_new (LT_TYPE_L1_LOSS, "reduction", reduction, NULL);
}

/* NLLLoss */

/**
 * LtNLLLoss:
 *
 * The negative log-likelihood of log-probabilities, as `nn.NLLLoss`:
 * lt_nll_loss() with the class weight (the buffer "weight") and
 * ignore_index given at creation.
 */
struct _LtNLLLoss
{
  LtLoss parent_instance;

  gint64 ignore_index;
};

G_DEFINE_FINAL_TYPE (LtNLLLoss, lt_nll_loss, LT_TYPE_LOSS)

static LtTensor *
lt_nll_loss_compute (LtLoss   *loss,
                     LtTensor *input,
                     LtTensor *target,
                     GError  **error)
{
  LtNLLLoss *self = LT_NLL_LOSS (loss);

  return lt_nll_loss (input, target, lt_module_get_buffer (LT_MODULE (loss), "weight"),
                      self->ignore_index, reduction_of (loss), error);
}

static void
lt_nll_loss_class_init (LtNLLLossClass *klass)
{
  LT_LOSS_CLASS (klass)->compute = lt_nll_loss_compute;
}

static void
lt_nll_loss_init (LtNLLLoss *self)
{
  self->ignore_index = -100;
}

/**
 * lt_nll_loss_new:
 * @weight: (nullable): a weight per class, of shape (C)
 * @ignore_index: a target value that counts for nothing (PyTorch's
 *   default: -100)
 * @reduction: how to combine the losses (PyTorch's default: mean)
 * @error: return location for a #GError
 *
 * Creates the criterion `nn.NLLLoss(weight, ignore_index=..., reduction=...)`.
 * The weight becomes the module's buffer "weight".
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 *   for a weight that is not a 1-D floating-point tensor
 */
LtNLLLoss *
lt_nll_loss_new (LtTensor    *weight,
                 gint64       ignore_index,
                 LtReduction  reduction,
                 GError     **error)
{
  g_autoptr(LtNLLLoss) self = NULL;

  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  self = g_object_new (LT_TYPE_NLL_LOSS, "reduction", reduction, NULL);
  self->ignore_index = ignore_index;
  if (!register_weight (LT_LOSS (self), "weight", weight, TRUE, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_nll_loss_get_ignore_index:
 * @self: a loss
 *
 * Gets the target value that counts for nothing.
 *
 * Returns: the ignored target value
 */
gint64
lt_nll_loss_get_ignore_index (LtNLLLoss *self)
{
  g_return_val_if_fail (LT_IS_NLL_LOSS (self), -100);
  return self->ignore_index;
}

/* CrossEntropyLoss */

/**
 * LtCrossEntropyLoss:
 *
 * The cross entropy of logits against class indices or probabilities, as
 * `nn.CrossEntropyLoss`: lt_cross_entropy() with the class weight (the
 * buffer "weight"), ignore_index and label_smoothing given at creation.
 */
struct _LtCrossEntropyLoss
{
  LtLoss parent_instance;

  gint64 ignore_index;
  double label_smoothing;
};

G_DEFINE_FINAL_TYPE (LtCrossEntropyLoss, lt_cross_entropy_loss, LT_TYPE_LOSS)

static LtTensor *
lt_cross_entropy_loss_compute (LtLoss   *loss,
                               LtTensor *input,
                               LtTensor *target,
                               GError  **error)
{
  LtCrossEntropyLoss *self = LT_CROSS_ENTROPY_LOSS (loss);

  return lt_cross_entropy (input, target, lt_module_get_buffer (LT_MODULE (loss), "weight"),
                           self->ignore_index, reduction_of (loss), self->label_smoothing,
                           error);
}

static void
lt_cross_entropy_loss_class_init (LtCrossEntropyLossClass *klass)
{
  LT_LOSS_CLASS (klass)->compute = lt_cross_entropy_loss_compute;
}

static void
lt_cross_entropy_loss_init (LtCrossEntropyLoss *self)
{
  self->ignore_index = -100;
}

/**
 * lt_cross_entropy_loss_new:
 * @weight: (nullable): a weight per class, of shape (C)
 * @ignore_index: a target value that counts for nothing (PyTorch's
 *   default: -100)
 * @reduction: how to combine the losses (PyTorch's default: mean)
 * @label_smoothing: in [0, 1] (PyTorch's default: 0)
 * @error: return location for a #GError
 *
 * Creates the criterion `nn.CrossEntropyLoss(weight, ignore_index=...,
 * reduction=..., label_smoothing=...)`. The weight becomes the module's
 * buffer "weight".
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 *   for a bad weight or label_smoothing
 */
LtCrossEntropyLoss *
lt_cross_entropy_loss_new (LtTensor    *weight,
                           gint64       ignore_index,
                           LtReduction  reduction,
                           double       label_smoothing,
                           GError     **error)
{
  g_autoptr(LtCrossEntropyLoss) self = NULL;

  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  if (!check_smoothing ("CrossEntropyLoss", label_smoothing, error))
    return NULL;
  self = g_object_new (LT_TYPE_CROSS_ENTROPY_LOSS, "reduction", reduction, NULL);
  self->ignore_index = ignore_index;
  self->label_smoothing = label_smoothing;
  if (!register_weight (LT_LOSS (self), "weight", weight, TRUE, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_cross_entropy_loss_get_ignore_index:
 * @self: a loss
 *
 * Gets the target value that counts for nothing.
 *
 * Returns: the ignored target value
 */
gint64
lt_cross_entropy_loss_get_ignore_index (LtCrossEntropyLoss *self)
{
  g_return_val_if_fail (LT_IS_CROSS_ENTROPY_LOSS (self), -100);
  return self->ignore_index;
}

/**
 * lt_cross_entropy_loss_get_label_smoothing:
 * @self: a loss
 *
 * Gets the label smoothing.
 *
 * Returns: the share of the target spread over all classes
 */
double
lt_cross_entropy_loss_get_label_smoothing (LtCrossEntropyLoss *self)
{
  g_return_val_if_fail (LT_IS_CROSS_ENTROPY_LOSS (self), 0.0);
  return self->label_smoothing;
}

/* BCEWithLogitsLoss */

/**
 * LtBCEWithLogitsLoss:
 *
 * The binary cross entropy of logits, as `nn.BCEWithLogitsLoss`:
 * lt_binary_cross_entropy_with_logits() with the buffers "weight" and
 * "pos_weight" given at creation.
 */
struct _LtBCEWithLogitsLoss
{
  LtLoss parent_instance;
};

G_DEFINE_FINAL_TYPE (LtBCEWithLogitsLoss, lt_bce_with_logits_loss, LT_TYPE_LOSS)

static LtTensor *
lt_bce_with_logits_loss_compute (LtLoss   *loss,
                                 LtTensor *input,
                                 LtTensor *target,
                                 GError  **error)
{
  LtModule *module = LT_MODULE (loss);

  return lt_binary_cross_entropy_with_logits (input, target,
                                              lt_module_get_buffer (module, "weight"),
                                              lt_module_get_buffer (module, "pos_weight"),
                                              reduction_of (loss), error);
}

static void
lt_bce_with_logits_loss_class_init (LtBCEWithLogitsLossClass *klass)
{
  LT_LOSS_CLASS (klass)->compute = lt_bce_with_logits_loss_compute;
}

static void
lt_bce_with_logits_loss_init (LtBCEWithLogitsLoss *self)
{
}

/**
 * lt_bce_with_logits_loss_new:
 * @weight: (nullable): a weight that broadcasts to the input's shape
 * @pos_weight: (nullable): a weight of the positive examples, broadcasting
 *   to the input's shape
 * @reduction: how to combine the losses (PyTorch's default: mean)
 * @error: return location for a #GError
 *
 * Creates the criterion `nn.BCEWithLogitsLoss(weight, reduction=...,
 * pos_weight=...)`, with the buffers "weight" and "pos_weight".
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 *   for an integer weight
 */
LtBCEWithLogitsLoss *
lt_bce_with_logits_loss_new (LtTensor    *weight,
                             LtTensor    *pos_weight,
                             LtReduction  reduction,
                             GError     **error)
{
  g_autoptr(LtBCEWithLogitsLoss) self = NULL;

  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (pos_weight == NULL || LT_IS_TENSOR (pos_weight), NULL);
  self = g_object_new (LT_TYPE_BCE_WITH_LOGITS_LOSS, "reduction", reduction, NULL);
  if (!register_weight (LT_LOSS (self), "weight", weight, FALSE, error) ||
      !register_weight (LT_LOSS (self), "pos_weight", pos_weight, FALSE, error))
    return NULL;
  return g_steal_pointer (&self);
}
