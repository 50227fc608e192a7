/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-conv1d.h"
#include "lt-nn-private.h"
#include "ops/lt-conv.h"
#include "ops/lt-ops-private.h"

/**
 * LtConv1d:
 *
 * A 1-D convolution layer, as `torch.nn.Conv1d`: parameters "weight"
 * (out_channels, in_channels / groups, kernel_size) and, unless made
 * without, "bias" (out_channels), initialised as PyTorch does; lt_conv1d()
 * computes the output. Printed as PyTorch prints it:
 * `Conv1d(2, 4, kernel_size=(3,), stride=(1,))`, with padding, dilation,
 * groups and `bias=False` shown when not the default.
 */
struct _LtConv1d
{
  LtModule parent_instance;

  gint64 in_channels;
  gint64 out_channels;
  gint64 kernel_size;
  gint64 stride;
  gint64 padding;
  gint64 dilation;
  gint64 groups;
};

G_DEFINE_FINAL_TYPE (LtConv1d, lt_conv1d, LT_TYPE_MODULE)

static LtTensor *
lt_conv1d_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtConv1d *self = LT_CONV1D (module);
  LtTensor *weight = lt_module_get_parameter (module, "weight");

  if (weight == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "Conv1d: the layer has no weight");
      return NULL;
    }
  return lt_conv1d (input, weight, lt_module_get_parameter (module, "bias"), self->stride,
                    self->padding, self->dilation, self->groups, error);
}

static char *
lt_conv1d_extra_repr (LtModule *module)
{
  LtConv1d *self = LT_CONV1D (module);

  return _lt_conv_extra_repr (module, self->in_channels, self->out_channels, 1, &self->kernel_size,
                              &self->stride, &self->padding, &self->dilation, NULL, self->groups);
}

static void
lt_conv1d_class_init (LtConv1dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_conv1d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_conv1d_extra_repr;
}

static void
lt_conv1d_init (LtConv1d *self)
{
}

/**
 * lt_conv1d_new:
 * @in_channels: the channels of the input sequences
 * @out_channels: the channels of the output (the number of filters)
 * @kernel_size: the filter's length
 * @stride: the step between windows (1 for every position)
 * @padding: the zeros added on both ends (0 for none)
 * @dilation: the spacing between filter elements (1 for adjacent ones)
 * @groups: the number of channel groups (1 for an ordinary convolution)
 * @bias: whether the layer adds a learnable bias
 * @error: return location for a #GError
 *
 * Creates a 1-D convolution layer, as `nn.Conv1d(in_channels,
 * out_channels, kernel_size, stride, padding, dilation, groups, bias)`,
 * with float32 parameters drawn as PyTorch draws them: weight from
 * kaiming_uniform_(a=sqrt(5)), bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * fan_in = in_channels / groups * kernel_size.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for non-positive channels, kernel size,
 *   stride, dilation or groups, negative padding, or channels not divisible
 *   by @groups
 */
LtConv1d *
lt_conv1d_new (gint64   in_channels,
               gint64   out_channels,
               gint64   kernel_size,
               gint64   stride,
               gint64   padding,
               gint64   dilation,
               gint64   groups,
               gboolean bias,
               GError **error)
{
  g_autoptr(LtConv1d) self = NULL;
  gint64 wshape[3];

  if (groups <= 0 || in_channels <= 0 || out_channels <= 0 || in_channels % groups != 0 ||
      out_channels % groups != 0 || kernel_size <= 0 || stride <= 0 || padding < 0 || dilation <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Conv1d: in_channels (%" G_GINT64_FORMAT "), out_channels (%" G_GINT64_FORMAT
                   "), kernel_size (%" G_GINT64_FORMAT "), stride (%" G_GINT64_FORMAT
                   "), dilation (%" G_GINT64_FORMAT ") and groups (%" G_GINT64_FORMAT
                   ") must be positive, padding (%" G_GINT64_FORMAT
                   ") not negative, and the channels divisible by groups",
                   in_channels, out_channels, kernel_size, stride, dilation, groups, padding);
      return NULL;
    }

  self = g_object_new (LT_TYPE_CONV1D, NULL);
  self->in_channels = in_channels;
  self->out_channels = out_channels;
  self->kernel_size = kernel_size;
  self->stride = stride;
  self->padding = padding;
  self->dilation = dilation;
  self->groups = groups;

  wshape[0] = out_channels;
  wshape[1] = in_channels / groups;
  wshape[2] = kernel_size;
  if (!_lt_module_add_weight_and_bias (LT_MODULE (self), wshape, 3, out_channels, bias, error))
    return NULL;
  return g_steal_pointer (&self);
}
