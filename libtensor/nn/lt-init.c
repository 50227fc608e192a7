/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-init.h"
#include "lt-nn-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

/*
 * Weight initialisation, as torch.nn.init: every function fills its tensor
 * in place with gradient recording off (so it works on parameters), draws
 * from the generator lt_manual_seed() seeds, and follows the formulas of
 * torch/nn/init.py (PyTorch 1.13).
 */

static gboolean
check_float (LtTensor   *t,
             const char *name,
             GError    **error)
{
  if (!_lt_dtype_is_float (t->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: a floating-point tensor is needed, not %s", name,
                   lt_dtype_get_name (t->dtype));
      return FALSE;
    }
  return TRUE;
}

/* t <- src, in place and unrecorded. */
static gboolean
write_into (LtTensor   *t,
            LtTensor   *src,
            const char *name,
            GError    **error)
{
  gboolean prev = lt_set_grad_enabled (FALSE);
  gboolean ok = _lt_check_writable (t, name, error) && _lt_copy_into (t, src, error);

  lt_set_grad_enabled (prev);
  if (ok)
    _lt_tensor_bump_version (t);
  return ok;
}

/* Fills @t from the uniform distribution on [a, b) (LT_OP_UNIFORM) or the
 * normal distribution of mean a and standard deviation b (LT_OP_NORMAL). */
static gboolean
fill_random (LtTensor   *t,
             LtOp        op,
             double      a,
             double      b,
             const char *name,
             GError    **error)
{
  g_autoptr(LtTensor) r = NULL;

  if (!check_float (t, name, error))
    return FALSE;
  if (t->numel == 0)
    return TRUE;
  r = _lt_tensor_new_empty (t->shape, t->ndim, t->dtype, t->storage->device, error);
  if (r == NULL)
    return FALSE;
  if (!_lt_run_random (op, r, a, b, error))
    return FALSE;
  return write_into (t, r, name, error);
}

/**
 * lt_init_calculate_gain:
 * @nonlinearity: "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
 *   "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
 *   "leaky_relu" or "selu"
 * @param: the negative slope, for "leaky_relu" (PyTorch's default is 0.01);
 *   ignored otherwise
 * @error: return location for a #GError
 *
 * Gives the recommended gain for a nonlinearity, as
 * `torch.nn.init.calculate_gain()`: 1 for linear layers and sigmoid, 5/3
 * for tanh, sqrt(2) for relu, sqrt(2 / (1 + param^2)) for leaky_relu, 3/4
 * for selu.
 *
 * Returns: the gain; 0 with @error set for an unknown nonlinearity
 */
double
lt_init_calculate_gain (const char *nonlinearity,
                        double      param,
                        GError    **error)
{
  static const char *const linear[] = {
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid",
  };

  g_return_val_if_fail (nonlinearity != NULL, 0);
  for (guint i = 0; i < G_N_ELEMENTS (linear); i++)
    if (strcmp (nonlinearity, linear[i]) == 0)
      return 1;
  if (strcmp (nonlinearity, "tanh") == 0)
    return 5.0 / 3;
  if (strcmp (nonlinearity, "relu") == 0)
    return sqrt (2.0);
  if (strcmp (nonlinearity, "leaky_relu") == 0)
    {
      if (!isfinite (param))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "calculate_gain: negative_slope %g is not a valid number", param);
          return 0;
        }
      return sqrt (2.0 / (1 + param * param));
    }
  if (strcmp (nonlinearity, "selu") == 0)
    return 3.0 / 4;
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "calculate_gain: unsupported nonlinearity %s", nonlinearity);
  return 0;
}

/**
 * lt_init_calculate_fan_in_and_fan_out:
 * @tensor: a weight of at least 2 dimensions, (out, in, kernel...)
 * @fan_in: (out) (optional): size(1) times the kernel's number of elements
 * @fan_out: (out) (optional): size(0) times the kernel's number of elements
 * @error: return location for a #GError
 *
 * Computes the fans of a weight as PyTorch does.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a tensor of fewer
 *   than 2 dimensions
 */
gboolean
lt_init_calculate_fan_in_and_fan_out (LtTensor *tensor,
                                      gint64   *fan_in,
                                      gint64   *fan_out,
                                      GError  **error)
{
  gint64 receptive = 1;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (tensor->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "init: fan in and fan out can not be computed for a tensor with fewer "
                   "than 2 dimensions (it has %u)", tensor->ndim);
      return FALSE;
    }
  for (guint d = 2; d < tensor->ndim; d++)
    receptive *= tensor->shape[d];
  if (fan_in)
    *fan_in = tensor->shape[1] * receptive;
  if (fan_out)
    *fan_out = tensor->shape[0] * receptive;
  return TRUE;
}

/**
 * lt_init_uniform_:
 * @tensor: a floating-point tensor, filled in place
 * @a: the lower bound
 * @b: the upper bound
 * @error: return location for a #GError
 *
 * Fills @tensor with numbers drawn uniformly from [@a, @b), as
 * `torch.nn.init.uniform_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a non-float tensor
 *   or @b below @a
 */
gboolean
lt_init_uniform_ (LtTensor *tensor,
                  double    a,
                  double    b,
                  GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (!(a <= b) || !isfinite (a) || !isfinite (b))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "uniform_: expects a <= b with both finite, got a=%g and b=%g", a, b);
      return FALSE;
    }
  return fill_random (tensor, LT_OP_UNIFORM, a, b, "uniform_", error);
}

/**
 * lt_init_normal_:
 * @tensor: a floating-point tensor, filled in place
 * @mean: the mean
 * @std: the standard deviation, not negative
 * @error: return location for a #GError
 *
 * Fills @tensor with numbers drawn from the normal distribution, as
 * `torch.nn.init.normal_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a non-float tensor
 *   or a negative @std
 */
gboolean
lt_init_normal_ (LtTensor *tensor,
                 double    mean,
                 double    std,
                 GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (!(std >= 0) || !isfinite (std) || !isfinite (mean))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "normal_: expects std >= 0 and a finite mean, got mean=%g and std=%g",
                   mean, std);
      return FALSE;
    }
  return fill_random (tensor, LT_OP_NORMAL, mean, std, "normal_", error);
}

/**
 * lt_init_constant_:
 * @tensor: a tensor, filled in place
 * @value: the value
 * @error: return location for a #GError
 *
 * Fills @tensor with @value, as `torch.nn.init.constant_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_init_constant_ (LtTensor *tensor,
                   double    value,
                   GError  **error)
{
  gboolean prev, ok;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  prev = lt_set_grad_enabled (FALSE);
  ok = lt_tensor_fill_ (tensor, value, error);
  lt_set_grad_enabled (prev);
  return ok;
}

/**
 * lt_init_zeros_:
 * @tensor: a tensor, filled in place
 * @error: return location for a #GError
 *
 * Fills @tensor with zeros, as `torch.nn.init.zeros_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_init_zeros_ (LtTensor *tensor,
                GError  **error)
{
  return lt_init_constant_ (tensor, 0, error);
}

/**
 * lt_init_ones_:
 * @tensor: a tensor, filled in place
 * @error: return location for a #GError
 *
 * Fills @tensor with ones, as `torch.nn.init.ones_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_init_ones_ (LtTensor *tensor,
               GError  **error)
{
  return lt_init_constant_ (tensor, 1, error);
}

/* The standard deviation of kaiming_*: gain / sqrt(fan). Returns FALSE
 * with @error set, or TRUE with *empty set for a tensor without elements
 * (PyTorch leaves those alone). */
static gboolean
kaiming_std (LtTensor   *tensor,
             double      a,
             const char *mode,
             const char *nonlinearity,
             const char *name,
             double     *std,
             gboolean   *empty,
             GError    **error)
{
  gint64 fan_in, fan_out, fan;
  double gain;

  *empty = FALSE;
  if (!check_float (tensor, name, error))
    return FALSE;
  if (mode == NULL)
    mode = "fan_in";
  if (nonlinearity == NULL)
    nonlinearity = "leaky_relu";
  if (strcmp (mode, "fan_in") != 0 && strcmp (mode, "fan_out") != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: mode %s not supported, please use one of fan_in, fan_out", name, mode);
      return FALSE;
    }
  if (tensor->numel == 0 && tensor->ndim >= 2)
    {
      *empty = TRUE;
      return TRUE;
    }
  if (!lt_init_calculate_fan_in_and_fan_out (tensor, &fan_in, &fan_out, error))
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  fan = strcmp (mode, "fan_in") == 0 ? fan_in : fan_out;
  gain = lt_init_calculate_gain (nonlinearity, a, error);
  if (gain == 0)
    return FALSE;
  *std = gain / sqrt ((double) fan);
  return TRUE;
}

/**
 * lt_init_kaiming_uniform_:
 * @tensor: a floating-point weight of at least 2 dimensions, filled in place
 * @a: the negative slope of the rectifier after this layer (0 for relu)
 * @mode: (nullable): "fan_in" (the default: keeps the variance of the
 *   forward pass) or "fan_out" (of the backward pass)
 * @nonlinearity: (nullable): the nonlinearity after this layer, as for
 *   lt_init_calculate_gain(); %NULL for "leaky_relu"
 * @error: return location for a #GError
 *
 * Fills @tensor from U(-bound, bound) with bound = gain * sqrt(3 / fan), as
 * `torch.nn.init.kaiming_uniform_()` (He et al., 2015). PyTorch's default
 * initialisation of Linear and Conv2d weights is this with a = sqrt(5).
 *
 * Returns: %TRUE on success; %FALSE with @error set for a tensor of fewer
 *   than 2 dimensions, a non-float tensor or an unknown mode or nonlinearity
 */
gboolean
lt_init_kaiming_uniform_ (LtTensor   *tensor,
                          double      a,
                          const char *mode,
                          const char *nonlinearity,
                          GError    **error)
{
  double std, bound;
  gboolean empty;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (!kaiming_std (tensor, a, mode, nonlinearity, "kaiming_uniform_", &std, &empty, error))
    return FALSE;
  if (empty)
    return TRUE;
  bound = sqrt (3.0) * std;
  return fill_random (tensor, LT_OP_UNIFORM, -bound, bound, "kaiming_uniform_", error);
}

/**
 * lt_init_kaiming_normal_:
 * @tensor: a floating-point weight of at least 2 dimensions, filled in place
 * @a: the negative slope of the rectifier after this layer (0 for relu)
 * @mode: (nullable): "fan_in" (the default) or "fan_out"
 * @nonlinearity: (nullable): the nonlinearity after this layer; %NULL for
 *   "leaky_relu"
 * @error: return location for a #GError
 *
 * Fills @tensor from N(0, std^2) with std = gain / sqrt(fan), as
 * `torch.nn.init.kaiming_normal_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a tensor of fewer
 *   than 2 dimensions, a non-float tensor or an unknown mode or nonlinearity
 */
gboolean
lt_init_kaiming_normal_ (LtTensor   *tensor,
                         double      a,
                         const char *mode,
                         const char *nonlinearity,
                         GError    **error)
{
  double std;
  gboolean empty;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (!kaiming_std (tensor, a, mode, nonlinearity, "kaiming_normal_", &std, &empty, error))
    return FALSE;
  if (empty)
    return TRUE;
  return fill_random (tensor, LT_OP_NORMAL, 0, std, "kaiming_normal_", error);
}

static gboolean
xavier_std (LtTensor   *tensor,
            double      gain,
            const char *name,
            double     *std,
            GError    **error)
{
  gint64 fan_in, fan_out;

  if (!check_float (tensor, name, error))
    return FALSE;
  if (!lt_init_calculate_fan_in_and_fan_out (tensor, &fan_in, &fan_out, error))
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  if (fan_in + fan_out == 0)
    {
      *std = 0;
      return TRUE;
    }
  *std = gain * sqrt (2.0 / (double) (fan_in + fan_out));
  return TRUE;
}

/**
 * lt_init_xavier_uniform_:
 * @tensor: a floating-point weight of at least 2 dimensions, filled in place
 * @gain: a scaling factor (1 in PyTorch's default)
 * @error: return location for a #GError
 *
 * Fills @tensor from U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)),
 * as `torch.nn.init.xavier_uniform_()` (Glorot and Bengio, 2010).
 *
 * Returns: %TRUE on success; %FALSE with @error set for a tensor of fewer
 *   than 2 dimensions or a non-float tensor
 */
gboolean
lt_init_xavier_uniform_ (LtTensor *tensor,
                         double    gain,
                         GError  **error)
{
  double std, a;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (!xavier_std (tensor, gain, "xavier_uniform_", &std, error))
    return FALSE;
  a = sqrt (3.0) * std;
  return fill_random (tensor, LT_OP_UNIFORM, -a, a, "xavier_uniform_", error);
}

/**
 * lt_init_xavier_normal_:
 * @tensor: a floating-point weight of at least 2 dimensions, filled in place
 * @gain: a scaling factor (1 in PyTorch's default)
 * @error: return location for a #GError
 *
 * Fills @tensor from N(0, std^2) with
 * std = gain * sqrt(2 / (fan_in + fan_out)), as
 * `torch.nn.init.xavier_normal_()`.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a tensor of fewer
 *   than 2 dimensions or a non-float tensor
 */
gboolean
lt_init_xavier_normal_ (LtTensor *tensor,
                        double    gain,
                        GError  **error)
{
  double std;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (!xavier_std (tensor, gain, "xavier_normal_", &std, error))
    return FALSE;
  return fill_random (tensor, LT_OP_NORMAL, 0, std, "xavier_normal_", error);
}

gboolean
_lt_init_reset_parameters (LtTensor *weight,
                           LtTensor *bias,
                           GError  **error)
{
  gint64 fan_in;
  double bound;

  if (!lt_init_kaiming_uniform_ (weight, sqrt (5.0), "fan_in", "leaky_relu", error))
    return FALSE;
  if (bias == NULL)
    return TRUE;
  if (!lt_init_calculate_fan_in_and_fan_out (weight, &fan_in, NULL, error))
    return FALSE;
  bound = fan_in > 0 ? 1 / sqrt ((double) fan_in) : 0;
  return lt_init_uniform_ (bias, -bound, bound, error);
}

gboolean
_lt_module_add_weight_and_bias (LtModule     *module,
                                const gint64 *wshape,
                                guint         ndim,
                                gint64        bias_size,
                                gboolean      bias,
                                GError      **error)
{
  g_autoptr(LtTensor) w = lt_empty (wshape, ndim, LT_DTYPE_FLOAT32, error);
  g_autoptr(LtTensor) b = NULL;

  if (w == NULL)
    return FALSE;
  if (bias)
    {
      b = lt_empty (&bias_size, 1, LT_DTYPE_FLOAT32, error);
      if (b == NULL)
        return FALSE;
    }
  return _lt_init_reset_parameters (w, b, error) &&
         lt_module_register_parameter (module, "weight", w, error) &&
         lt_module_register_parameter (module, "bias", b, error);
}
