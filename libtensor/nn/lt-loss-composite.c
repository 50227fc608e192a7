/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-loss-composite.h"
#include "ops/lt-loss.h"
#include "ops/lt-pointwise.h"
#include "core/lt-tensor-private.h"

/*
 * The loss modules over the losses composed of public ops
 * (ops/lt-loss-composite.c): BCELoss, SmoothL1Loss, HuberLoss, KLDivLoss,
 * and the losses of a pair of inputs and a target, CosineEmbeddingLoss and
 * MarginRankingLoss, which override compute_pair. Their options are
 * construct-only properties; bad values (a negative beta, a delta that is
 * not positive) are errors of the loss's computation, as in PyTorch.
 */

static LtReduction
reduction_of (gpointer self)
{
  return lt_loss_get_reduction (LT_LOSS (self));
}

/* BCELoss */

/**
 * LtBCELoss:
 *
 * The binary cross entropy of probabilities, as `nn.BCELoss`:
 * lt_binary_cross_entropy() with the buffer "weight" given at creation.
 */
struct _LtBCELoss
{
  LtLoss parent_instance;
};

G_DEFINE_FINAL_TYPE (LtBCELoss, lt_bce_loss, LT_TYPE_LOSS)

static LtTensor *
lt_bce_loss_compute (LtLoss *loss, LtTensor *input, LtTensor *target, GError **error)
{
  return lt_binary_cross_entropy (input, target, lt_module_get_buffer (LT_MODULE (loss), "weight"),
                                  reduction_of (loss), error);
}

static void
lt_bce_loss_class_init (LtBCELossClass *klass)
{
  LT_LOSS_CLASS (klass)->compute = lt_bce_loss_compute;
}

static void
lt_bce_loss_init (LtBCELoss *self)
{
}

/**
 * lt_bce_loss_new:
 * @weight: (nullable): a weight that broadcasts to the input's shape
 * @reduction: how to combine the losses (PyTorch's default: mean)
 * @error: return location for a #GError
 *
 * Creates the criterion `nn.BCELoss(weight, reduction=...)`, with the
 * weight as the buffer "weight".
 *
 * Returns: (transfer full) (nullable): the loss, or %NULL with @error set
 *   for a weight that is not floating point
 */
LtBCELoss *
lt_bce_loss_new (LtTensor *weight, LtReduction reduction, GError **error)
{
  g_autoptr(LtBCELoss) self = NULL;

  g_return_val_if_fail (weight == NULL || LT_IS_TENSOR (weight), NULL);
  self = g_object_new (LT_TYPE_BCE_LOSS, "reduction", reduction, NULL);
  if (weight == NULL)
    return g_steal_pointer (&self);
  if (!lt_tensor_is_floating_point (weight))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "BCELoss: weight must be floating point, not %s",
                   lt_dtype_get_name (lt_tensor_get_dtype (weight)));
      return NULL;
    }
  if (!lt_module_register_buffer (LT_MODULE (self), "weight", weight, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* The losses with one double option: SmoothL1Loss (beta), HuberLoss
 * (delta), CosineEmbeddingLoss and MarginRankingLoss (margin) */

enum
{
  PROP_VALUE = 1,
};

static void
install_value (GObjectClass *klass, const char *name, double minimum, double deflt)
{
  g_object_class_install_property (
    klass, PROP_VALUE,
    g_param_spec_double (name, NULL, NULL, minimum, G_MAXDOUBLE, deflt,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
}

#define VALUE_LOSS(Type, type, field)                                                              \
  static void type##_get_property (GObject *object, guint prop_id, GValue *value,                  \
                                   GParamSpec *pspec)                                              \
  {                                                                                                \
    if (prop_id == PROP_VALUE)                                                                     \
      g_value_set_double (value, ((Type *) object)->field);                                        \
    else                                                                                           \
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);                                  \
  }                                                                                                \
  static void type##_set_property (GObject *object, guint prop_id, const GValue *value,            \
                                   GParamSpec *pspec)                                              \
  {                                                                                                \
    if (prop_id == PROP_VALUE)                                                                     \
      ((Type *) object)->field = g_value_get_double (value);                                       \
    else                                                                                           \
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);                                  \
  }

/* SmoothL1Loss */

/**
 * LtSmoothL1Loss:
 *
 * The smooth L1 loss, as `nn.SmoothL1Loss`: lt_smooth_l1_loss() with the
 * beta given at creation.
 */
struct _LtSmoothL1Loss
{
  LtLoss parent_instance;

  double beta;
};

G_DEFINE_FINAL_TYPE (LtSmoothL1Loss, lt_smooth_l1_loss, LT_TYPE_LOSS)
VALUE_LOSS (LtSmoothL1Loss, lt_smooth_l1_loss, beta)

static LtTensor *
lt_smooth_l1_loss_compute (LtLoss *loss, LtTensor *input, LtTensor *target, GError **error)
{
  return lt_smooth_l1_loss (input, target, reduction_of (loss), LT_SMOOTH_L1_LOSS (loss)->beta,
                            error);
}

static void
lt_smooth_l1_loss_class_init (LtSmoothL1LossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lt_smooth_l1_loss_get_property;
  object_class->set_property = lt_smooth_l1_loss_set_property;
  LT_LOSS_CLASS (klass)->compute = lt_smooth_l1_loss_compute;

  /**
   * LtSmoothL1Loss:beta:
   *
   * Where the loss turns from quadratic to linear; a negative one is an
   * error of the computation, as in PyTorch.
   */
  install_value (object_class, "beta", -G_MAXDOUBLE, 1.0);
}

static void
lt_smooth_l1_loss_init (LtSmoothL1Loss *self)
{
  self->beta = 1.0;
}

/**
 * lt_smooth_l1_loss_new:
 * @reduction: how to combine the losses (PyTorch's default: mean)
 * @beta: where the loss turns from quadratic to linear (PyTorch's
 *   default: 1.0)
 *
 * Creates the criterion `nn.SmoothL1Loss(reduction=..., beta=...)`.
 *
 * Returns: (transfer full): the loss
 */
LtSmoothL1Loss *
lt_smooth_l1_loss_new (LtReduction reduction, double beta)
{
  return g_object_new (LT_TYPE_SMOOTH_L1_LOSS, "reduction", reduction, "beta", beta, NULL);
}

/**
 * lt_smooth_l1_loss_get_beta:
 * @self: a loss
 *
 * Gets where the loss turns from quadratic to linear.
 *
 * Returns: beta
 */
double
lt_smooth_l1_loss_get_beta (LtSmoothL1Loss *self)
{
  g_return_val_if_fail (LT_IS_SMOOTH_L1_LOSS (self), 1.0);
  return self->beta;
}

/* HuberLoss */

/**
 * LtHuberLoss:
 *
 * The Huber loss, as `nn.HuberLoss`: lt_huber_loss() with the delta given
 * at creation.
 */
struct _LtHuberLoss
{
  LtLoss parent_instance;

  double delta;
};

G_DEFINE_FINAL_TYPE (LtHuberLoss, lt_huber_loss, LT_TYPE_LOSS)
VALUE_LOSS (LtHuberLoss, lt_huber_loss, delta)

static LtTensor *
lt_huber_loss_compute (LtLoss *loss, LtTensor *input, LtTensor *target, GError **error)
{
  return lt_huber_loss (input, target, reduction_of (loss), LT_HUBER_LOSS (loss)->delta, error);
}

static void
lt_huber_loss_class_init (LtHuberLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lt_huber_loss_get_property;
  object_class->set_property = lt_huber_loss_set_property;
  LT_LOSS_CLASS (klass)->compute = lt_huber_loss_compute;

  /**
   * LtHuberLoss:delta:
   *
   * Where the loss turns from quadratic to linear; one that is not
   * positive is an error of the computation, as in PyTorch.
   */
  install_value (object_class, "delta", -G_MAXDOUBLE, 1.0);
}

static void
lt_huber_loss_init (LtHuberLoss *self)
{
  self->delta = 1.0;
}

/**
 * lt_huber_loss_new:
 * @reduction: how to combine the losses (PyTorch's default: mean)
 * @delta: where the loss turns from quadratic to linear (PyTorch's
 *   default: 1.0)
 *
 * Creates the criterion `nn.HuberLoss(reduction=..., delta=...)`.
 *
 * Returns: (transfer full): the loss
 */
LtHuberLoss *
lt_huber_loss_new (LtReduction reduction, double delta)
{
  return g_object_new (LT_TYPE_HUBER_LOSS, "reduction", reduction, "delta", delta, NULL);
}

/**
 * lt_huber_loss_get_delta:
 * @self: a loss
 *
 * Gets where the loss turns from quadratic to linear.
 *
 * Returns: delta
 */
double
lt_huber_loss_get_delta (LtHuberLoss *self)
{
  g_return_val_if_fail (LT_IS_HUBER_LOSS (self), 1.0);
  return self->delta;
}

/* KLDivLoss */

/**
 * LtKLDivLoss:
 *
 * The Kullback-Leibler divergence of log-probabilities, as
 * `nn.KLDivLoss`: lt_kl_div() with the options given at creation. With
 * #LtKLDivLoss:batch-mean (PyTorch's `reduction='batchmean'`) the loss is
 * the sum divided by the batch size (the input's first dimension), and the
 * reduction is not read.
 */
struct _LtKLDivLoss
{
  LtLoss parent_instance;

  gboolean batch_mean;
  gboolean log_target;
};

G_DEFINE_FINAL_TYPE (LtKLDivLoss, lt_kl_div_loss, LT_TYPE_LOSS)

enum
{
  PROP_KL_BATCH_MEAN = 1,
  PROP_KL_LOG_TARGET,
};

static void
lt_kl_div_loss_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtKLDivLoss *self = LT_KL_DIV_LOSS (object);

  switch (prop_id)
    {
      case PROP_KL_BATCH_MEAN:
        g_value_set_boolean (value, self->batch_mean);
        break;
      case PROP_KL_LOG_TARGET:
        g_value_set_boolean (value, self->log_target);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_kl_div_loss_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LtKLDivLoss *self = LT_KL_DIV_LOSS (object);

  switch (prop_id)
    {
      case PROP_KL_BATCH_MEAN:
        self->batch_mean = g_value_get_boolean (value);
        break;
      case PROP_KL_LOG_TARGET:
        self->log_target = g_value_get_boolean (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static LtTensor *
lt_kl_div_loss_compute (LtLoss *loss, LtTensor *input, LtTensor *target, GError **error)
{
  LtKLDivLoss *self = LT_KL_DIV_LOSS (loss);
  g_autoptr(LtTensor) sum = NULL;

  if (!self->batch_mean)
    return lt_kl_div (input, target, reduction_of (loss), self->log_target, error);
  sum = lt_kl_div (input, target, LT_REDUCTION_SUM, self->log_target, error);
  if (sum == NULL)
    return NULL;
  if (lt_tensor_get_n_dims (input) == 0)
    return g_steal_pointer (&sum);
  return lt_tensor_div_scalar (sum, (double) lt_tensor_get_shape (input, NULL)[0], error);
}

static void
lt_kl_div_loss_class_init (LtKLDivLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lt_kl_div_loss_get_property;
  object_class->set_property = lt_kl_div_loss_set_property;
  LT_LOSS_CLASS (klass)->compute = lt_kl_div_loss_compute;

  /**
   * LtKLDivLoss:batch-mean:
   *
   * Whether the loss is the sum divided by the batch size, PyTorch's
   * `reduction='batchmean'` (the reduction is then not read).
   */
  g_object_class_install_property (
    object_class, PROP_KL_BATCH_MEAN,
    g_param_spec_boolean ("batch-mean", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  /**
   * LtKLDivLoss:log-target:
   *
   * Whether the target holds log-probabilities.
   */
  g_object_class_install_property (
    object_class, PROP_KL_LOG_TARGET,
    g_param_spec_boolean ("log-target", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
}

static void
lt_kl_div_loss_init (LtKLDivLoss *self)
{
}

/**
 * lt_kl_div_loss_new:
 * @reduction: how to combine the losses (PyTorch's default: mean)
 * @batch_mean: divide the sum by the batch size instead, PyTorch's
 *   `reduction='batchmean'`
 * @log_target: whether the target holds log-probabilities
 *
 * Creates the criterion `nn.KLDivLoss(reduction=..., log_target=...)`.
 *
 * Returns: (transfer full): the loss
 */
LtKLDivLoss *
lt_kl_div_loss_new (LtReduction reduction, gboolean batch_mean, gboolean log_target)
{
  return g_object_new (LT_TYPE_KL_DIV_LOSS, "reduction", reduction, "batch-mean", !!batch_mean,
                       "log-target", !!log_target, NULL);
}

/**
 * lt_kl_div_loss_get_batch_mean:
 * @self: a loss
 *
 * Gets whether the loss is the sum divided by the batch size.
 *
 * Returns: %TRUE for PyTorch's `reduction='batchmean'`
 */
gboolean
lt_kl_div_loss_get_batch_mean (LtKLDivLoss *self)
{
  g_return_val_if_fail (LT_IS_KL_DIV_LOSS (self), FALSE);
  return self->batch_mean;
}

/**
 * lt_kl_div_loss_get_log_target:
 * @self: a loss
 *
 * Gets whether the target holds log-probabilities.
 *
 * Returns: %TRUE when the target holds log-probabilities
 */
gboolean
lt_kl_div_loss_get_log_target (LtKLDivLoss *self)
{
  g_return_val_if_fail (LT_IS_KL_DIV_LOSS (self), FALSE);
  return self->log_target;
}

/* The losses of a pair of inputs: compute() names compute_pair() */

static LtTensor *
pair_only_compute (LtLoss *loss, LtTensor *input, LtTensor *target, GError **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "%s takes two inputs and a target: call lt_loss_compute_pair()",
               lt_module_get_type_name (LT_MODULE (loss)));
  return NULL;
}

/* CosineEmbeddingLoss */

/**
 * LtCosineEmbeddingLoss:
 *
 * The cosine embedding loss of a pair of inputs against targets of 1 and
 * -1, as `nn.CosineEmbeddingLoss`: lt_cosine_embedding_loss() with the
 * margin given at creation, computed by lt_loss_compute_pair().
 */
struct _LtCosineEmbeddingLoss
{
  LtLoss parent_instance;

  double margin;
};

G_DEFINE_FINAL_TYPE (LtCosineEmbeddingLoss, lt_cosine_embedding_loss, LT_TYPE_LOSS)
VALUE_LOSS (LtCosineEmbeddingLoss, lt_cosine_embedding_loss, margin)

static LtTensor *
lt_cosine_embedding_loss_compute_pair (LtLoss   *loss,
                                       LtTensor *input1,
                                       LtTensor *input2,
                                       LtTensor *target,
                                       GError  **error)
{
  return lt_cosine_embedding_loss (input1, input2, target, LT_COSINE_EMBEDDING_LOSS (loss)->margin,
                                   reduction_of (loss), error);
}

static void
lt_cosine_embedding_loss_class_init (LtCosineEmbeddingLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lt_cosine_embedding_loss_get_property;
  object_class->set_property = lt_cosine_embedding_loss_set_property;
  LT_LOSS_CLASS (klass)->compute = pair_only_compute;
  LT_LOSS_CLASS (klass)->compute_pair = lt_cosine_embedding_loss_compute_pair;

  /**
   * LtCosineEmbeddingLoss:margin:
   *
   * The cosine a dissimilar pair may have without a loss.
   */
  install_value (object_class, "margin", -G_MAXDOUBLE, 0.0);
}

static void
lt_cosine_embedding_loss_init (LtCosineEmbeddingLoss *self)
{
}

/**
 * lt_cosine_embedding_loss_new:
 * @margin: the cosine a dissimilar pair may have without a loss
 *   (PyTorch's default: 0)
 * @reduction: how to combine the losses (PyTorch's default: mean)
 *
 * Creates the criterion `nn.CosineEmbeddingLoss(margin=..., reduction=...)`.
 *
 * Returns: (transfer full): the loss
 */
LtCosineEmbeddingLoss *
lt_cosine_embedding_loss_new (double margin, LtReduction reduction)
{
  return g_object_new (LT_TYPE_COSINE_EMBEDDING_LOSS, "reduction", reduction, "margin", margin,
                       NULL);
}

/**
 * lt_cosine_embedding_loss_get_margin:
 * @self: a loss
 *
 * Gets the margin.
 *
 * Returns: the margin
 */
double
lt_cosine_embedding_loss_get_margin (LtCosineEmbeddingLoss *self)
{
  g_return_val_if_fail (LT_IS_COSINE_EMBEDDING_LOSS (self), 0.0);
  return self->margin;
}

/* MarginRankingLoss */

/**
 * LtMarginRankingLoss:
 *
 * The margin ranking loss of a pair of scores against targets of 1 and
 * -1, as `nn.MarginRankingLoss`: lt_margin_ranking_loss() with the margin
 * given at creation, computed by lt_loss_compute_pair().
 */
struct _LtMarginRankingLoss
{
  LtLoss parent_instance;

  double margin;
};

G_DEFINE_FINAL_TYPE (LtMarginRankingLoss, lt_margin_ranking_loss, LT_TYPE_LOSS)
VALUE_LOSS (LtMarginRankingLoss, lt_margin_ranking_loss, margin)

static LtTensor *
lt_margin_ranking_loss_compute_pair (LtLoss   *loss,
                                     LtTensor *input1,
                                     LtTensor *input2,
                                     LtTensor *target,
                                     GError  **error)
{
  return lt_margin_ranking_loss (input1, input2, target, LT_MARGIN_RANKING_LOSS (loss)->margin,
                                 reduction_of (loss), error);
}

static void
lt_margin_ranking_loss_class_init (LtMarginRankingLossClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = lt_margin_ranking_loss_get_property;
  object_class->set_property = lt_margin_ranking_loss_set_property;
  LT_LOSS_CLASS (klass)->compute = pair_only_compute;
  LT_LOSS_CLASS (klass)->compute_pair = lt_margin_ranking_loss_compute_pair;

  /**
   * LtMarginRankingLoss:margin:
   *
   * The lead the higher score needs.
   */
  install_value (object_class, "margin", -G_MAXDOUBLE, 0.0);
}

static void
lt_margin_ranking_loss_init (LtMarginRankingLoss *self)
{
}

/**
 * lt_margin_ranking_loss_new:
 * @margin: the lead the higher score needs (PyTorch's default: 0)
 * @reduction: how to combine the losses (PyTorch's default: mean)
 *
 * Creates the criterion `nn.MarginRankingLoss(margin=..., reduction=...)`.
 *
 * Returns: (transfer full): the loss
 */
LtMarginRankingLoss *
lt_margin_ranking_loss_new (double margin, LtReduction reduction)
{
  return g_object_new (LT_TYPE_MARGIN_RANKING_LOSS, "reduction", reduction, "margin", margin, NULL);
}

/**
 * lt_margin_ranking_loss_get_margin:
 * @self: a loss
 *
 * Gets the margin.
 *
 * Returns: the margin
 */
double
lt_margin_ranking_loss_get_margin (LtMarginRankingLoss *self)
{
  g_return_val_if_fail (LT_IS_MARGIN_RANKING_LOSS (self), 0.0);
  return self->margin;
}
