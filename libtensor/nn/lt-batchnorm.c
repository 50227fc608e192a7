/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-batchnorm.h"
#include "lt-functional.h"
#include "lt-nn-private.h"
#include "ops/lt-ops-private.h"

/*
 * Batch normalisation layers (torch/nn/modules/batchnorm.py): parameters
 * "weight" (ones) and "bias" (zeros) when affine, buffers "running_mean"
 * (zeros), "running_var" (ones) and "num_batches_tracked" (a 0-dim int64)
 * when tracking running statistics, in PyTorch's order and with its names;
 * lt_batch_norm() computes the output.
 */

typedef struct
{
  gint64 num_features;
  double eps;
  double momentum;            /* below 0: cumulative average (PyTorch's None) */
  gboolean affine;
  gboolean track_running_stats;
} BatchNormConfig;

static gboolean
bn_setup (LtModule        *m,
          BatchNormConfig *c,
          const char      *name,
          gint64           num_features,
          double           eps,
          double           momentum,
          gboolean         affine,
          gboolean         track_running_stats,
          GError         **error)
{
  g_autoptr(LtTensor) weight = NULL;
  g_autoptr(LtTensor) bias = NULL;
  g_autoptr(LtTensor) mean = NULL;
  g_autoptr(LtTensor) var = NULL;
  g_autoptr(LtTensor) count = NULL;

  if (num_features < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: num_features must not be negative, got %" G_GINT64_FORMAT, name,
                   num_features);
      return FALSE;
    }
  if (!(eps >= 0) || isnan (momentum))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: eps must be a non-negative number and momentum a number, got %g and %g",
                   name, eps, momentum);
      return FALSE;
    }
  c->num_features = num_features;
  c->eps = eps;
  c->momentum = momentum < 0 ? -1 : momentum;
  c->affine = !!affine;
  c->track_running_stats = !!track_running_stats;
  if (affine)
    {
      weight = lt_ones (&num_features, 1, LT_DTYPE_FLOAT32, error);
      bias = weight ? lt_zeros (&num_features, 1, LT_DTYPE_FLOAT32, error) : NULL;
      if (bias == NULL)
        return FALSE;
    }
  if (track_running_stats)
    {
      mean = lt_zeros (&num_features, 1, LT_DTYPE_FLOAT32, error);
      var = mean ? lt_ones (&num_features, 1, LT_DTYPE_FLOAT32, error) : NULL;
      count = var ? lt_zeros (NULL, 0, LT_DTYPE_INT64, error) : NULL;
      if (count == NULL)
        return FALSE;
    }
  return lt_module_register_parameter (m, "weight", weight, error) &&
         lt_module_register_parameter (m, "bias", bias, error) &&
         lt_module_register_buffer (m, "running_mean", mean, error) &&
         lt_module_register_buffer (m, "running_var", var, error) &&
         lt_module_register_buffer (m, "num_batches_tracked", count, error);
}

/* _BatchNorm.forward */
static LtTensor *
bn_forward (LtModule        *m,
            BatchNormConfig *c,
            LtTensor        *input,
            GError         **error)
{
  LtTensor *mean = lt_module_get_buffer (m, "running_mean");
  LtTensor *var = lt_module_get_buffer (m, "running_var");
  LtTensor *count = lt_module_get_buffer (m, "num_batches_tracked");
  gboolean training = lt_module_is_training (m);
  double factor = c->momentum < 0 ? 0 : c->momentum;
  gboolean use_running;

  if (training && c->track_running_stats && count != NULL)
    {
      g_autoptr(LtTensor) one = lt_scalar_int (1);
      gboolean prev = lt_set_grad_enabled (FALSE);
      gboolean ok = lt_tensor_add_ (count, one, error);

      lt_set_grad_enabled (prev);
      if (!ok)
        return NULL;
      if (c->momentum < 0)
        {
          double n;

          if (!lt_tensor_item (count, &n, error))
            return NULL;
          factor = 1.0 / n;
        }
    }
  use_running = !training || c->track_running_stats;
  return lt_batch_norm (input, use_running ? mean : NULL, use_running ? var : NULL,
                        lt_module_get_parameter (m, "weight"), lt_module_get_parameter (m, "bias"),
                        training || (mean == NULL && var == NULL), factor, c->eps, error);
}

static char *
bn_extra_repr (BatchNormConfig *c)
{
  g_autofree char *eps = _lt_py_float_repr (c->eps);
  g_autofree char *momentum = c->momentum < 0 ? g_strdup ("None")
                                               : _lt_py_float_repr (c->momentum);

  return g_strdup_printf ("%" G_GINT64_FORMAT ", eps=%s, momentum=%s, affine=%s, "
                          "track_running_stats=%s", c->num_features, eps, momentum,
                          _lt_py_bool (c->affine), _lt_py_bool (c->track_running_stats));
}

/* BatchNorm1d */

/**
 * LtBatchNorm1d:
 *
 * Batch normalisation over (N, C) or (N, C, L) inputs, as `torch.nn.BatchNorm1d`: in
 * training mode each channel is normalised with the batch's mean and
 * variance and the running statistics are updated; in evaluation mode the
 * running statistics are used. Printed
 * `BatchNorm1d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`.
 */
struct _LtBatchNorm1d
{
  LtModule parent_instance;

  BatchNormConfig c;
};

G_DEFINE_FINAL_TYPE (LtBatchNorm1d, lt_batch_norm1d, LT_TYPE_MODULE)

static LtTensor *
lt_batch_norm1d_forward (LtModule *module,
                         LtTensor *input,
                         GError  **error)
{
  guint nd = lt_tensor_get_n_dims (input);

  if (nd != 2 && nd != 3)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "BatchNorm1d: expected 2D or 3D input (got %uD input)", nd);
      return NULL;
    }
  return bn_forward (module, &LT_BATCH_NORM1D (module)->c, input, error);
}

static char *
lt_batch_norm1d_extra_repr (LtModule *module)
{
  return bn_extra_repr (&LT_BATCH_NORM1D (module)->c);
}

static void
lt_batch_norm1d_class_init (LtBatchNorm1dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_batch_norm1d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_batch_norm1d_extra_repr;
}

static void
lt_batch_norm1d_init (LtBatchNorm1d *self)
{
}

/**
 * lt_batch_norm1d_new:
 * @num_features: the number of channels C
 * @eps: added to the variance for stability (PyTorch's default is 1e-5)
 * @momentum: the weight of each batch in the running statistics
 *   (PyTorch's default is 0.1), or a negative number for a cumulative
 *   average (PyTorch's None)
 * @affine: learn a scale and a shift per channel
 * @track_running_stats: keep running statistics for evaluation mode
 * @error: return location for a #GError
 *
 * Creates a batch-normalisation layer, as `nn.BatchNorm1d(num_features, eps,
 * momentum, affine, track_running_stats)`, with float32 parameters and
 * buffers.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a negative @num_features or @eps
 */
LtBatchNorm1d *
lt_batch_norm1d_new (gint64    num_features,
                     double    eps,
                     double    momentum,
                     gboolean  affine,
                     gboolean  track_running_stats,
                     GError  **error)
{
  g_autoptr(LtBatchNorm1d) self = g_object_new (LT_TYPE_BATCH_NORM1D, NULL);

  if (!bn_setup (LT_MODULE (self), &self->c, "BatchNorm1d", num_features, eps, momentum, affine,
                 track_running_stats, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_batch_norm1d_get_num_features:
 * @self: a BatchNorm1d layer
 *
 * Gets the number of channels.
 *
 * Returns: num_features
 */
gint64
lt_batch_norm1d_get_num_features (LtBatchNorm1d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM1D (self), 0);
  return self->c.num_features;
}

/**
 * lt_batch_norm1d_get_eps:
 * @self: a BatchNorm1d layer
 *
 * Gets the number added to the variance.
 *
 * Returns: eps
 */
double
lt_batch_norm1d_get_eps (LtBatchNorm1d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM1D (self), 0);
  return self->c.eps;
}

/**
 * lt_batch_norm1d_get_momentum:
 * @self: a BatchNorm1d layer
 *
 * Gets the weight of each batch in the running statistics.
 *
 * Returns: the momentum, or -1 for a cumulative average
 */
double
lt_batch_norm1d_get_momentum (LtBatchNorm1d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM1D (self), 0);
  return self->c.momentum;
}

/**
 * lt_batch_norm1d_get_affine:
 * @self: a BatchNorm1d layer
 *
 * Tells whether the layer learns a scale and a shift.
 *
 * Returns: the affine flag
 */
gboolean
lt_batch_norm1d_get_affine (LtBatchNorm1d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM1D (self), FALSE);
  return self->c.affine;
}

/**
 * lt_batch_norm1d_get_track_running_stats:
 * @self: a BatchNorm1d layer
 *
 * Tells whether the layer keeps running statistics.
 *
 * Returns: the track_running_stats flag
 */
gboolean
lt_batch_norm1d_get_track_running_stats (LtBatchNorm1d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM1D (self), FALSE);
  return self->c.track_running_stats;
}

/* BatchNorm2d */

/**
 * LtBatchNorm2d:
 *
 * Batch normalisation over (N, C, H, W) inputs, as `torch.nn.BatchNorm2d`: in
 * training mode each channel is normalised with the batch's mean and
 * variance and the running statistics are updated; in evaluation mode the
 * running statistics are used. Printed
 * `BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`.
 */
struct _LtBatchNorm2d
{
  LtModule parent_instance;

  BatchNormConfig c;
};

G_DEFINE_FINAL_TYPE (LtBatchNorm2d, lt_batch_norm2d, LT_TYPE_MODULE)

static LtTensor *
lt_batch_norm2d_forward (LtModule *module,
                         LtTensor *input,
                         GError  **error)
{
  guint nd = lt_tensor_get_n_dims (input);

  if (nd != 4)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "BatchNorm2d: expected 4D input (got %uD input)", nd);
      return NULL;
    }
  return bn_forward (module, &LT_BATCH_NORM2D (module)->c, input, error);
}

static char *
lt_batch_norm2d_extra_repr (LtModule *module)
{
  return bn_extra_repr (&LT_BATCH_NORM2D (module)->c);
}

static void
lt_batch_norm2d_class_init (LtBatchNorm2dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_batch_norm2d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_batch_norm2d_extra_repr;
}

static void
lt_batch_norm2d_init (LtBatchNorm2d *self)
{
}

/**
 * lt_batch_norm2d_new:
 * @num_features: the number of channels C
 * @eps: added to the variance for stability (PyTorch's default is 1e-5)
 * @momentum: the weight of each batch in the running statistics
 *   (PyTorch's default is 0.1), or a negative number for a cumulative
 *   average (PyTorch's None)
 * @affine: learn a scale and a shift per channel
 * @track_running_stats: keep running statistics for evaluation mode
 * @error: return location for a #GError
 *
 * Creates a batch-normalisation layer, as `nn.BatchNorm2d(num_features, eps,
 * momentum, affine, track_running_stats)`, with float32 parameters and
 * buffers.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a negative @num_features or @eps
 */
LtBatchNorm2d *
lt_batch_norm2d_new (gint64    num_features,
                     double    eps,
                     double    momentum,
                     gboolean  affine,
                     gboolean  track_running_stats,
                     GError  **error)
{
  g_autoptr(LtBatchNorm2d) self = g_object_new (LT_TYPE_BATCH_NORM2D, NULL);

  if (!bn_setup (LT_MODULE (self), &self->c, "BatchNorm2d", num_features, eps, momentum, affine,
                 track_running_stats, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_batch_norm2d_get_num_features:
 * @self: a BatchNorm2d layer
 *
 * Gets the number of channels.
 *
 * Returns: num_features
 */
gint64
lt_batch_norm2d_get_num_features (LtBatchNorm2d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM2D (self), 0);
  return self->c.num_features;
}

/**
 * lt_batch_norm2d_get_eps:
 * @self: a BatchNorm2d layer
 *
 * Gets the number added to the variance.
 *
 * Returns: eps
 */
double
lt_batch_norm2d_get_eps (LtBatchNorm2d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM2D (self), 0);
  return self->c.eps;
}

/**
 * lt_batch_norm2d_get_momentum:
 * @self: a BatchNorm2d layer
 *
 * Gets the weight of each batch in the running statistics.
 *
 * Returns: the momentum, or -1 for a cumulative average
 */
double
lt_batch_norm2d_get_momentum (LtBatchNorm2d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM2D (self), 0);
  return self->c.momentum;
}

/**
 * lt_batch_norm2d_get_affine:
 * @self: a BatchNorm2d layer
 *
 * Tells whether the layer learns a scale and a shift.
 *
 * Returns: the affine flag
 */
gboolean
lt_batch_norm2d_get_affine (LtBatchNorm2d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM2D (self), FALSE);
  return self->c.affine;
}

/**
 * lt_batch_norm2d_get_track_running_stats:
 * @self: a BatchNorm2d layer
 *
 * Tells whether the layer keeps running statistics.
 *
 * Returns: the track_running_stats flag
 */
gboolean
lt_batch_norm2d_get_track_running_stats (LtBatchNorm2d *self)
{
  g_return_val_if_fail (LT_IS_BATCH_NORM2D (self), FALSE);
  return self->c.track_running_stats;
}
