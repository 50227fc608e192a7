/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-conv-transpose2d.h"
#include "lt-nn-private.h"
#include "ops/lt-conv.h"
#include "ops/lt-ops-private.h"

/**
 * LtConvTranspose2d:
 *
 * A 2-D transposed convolution layer, as `torch.nn.ConvTranspose2d`:
 * parameters "weight" (in_channels, out_channels / groups, kH, kW) and,
 * unless made without, "bias" (out_channels), initialised as PyTorch does;
 * lt_conv_transpose2d() computes the output. Printed as PyTorch prints it:
 * `ConvTranspose2d(4, 2, kernel_size=(3, 3), stride=(2, 2))`, with padding,
 * dilation, output_padding, groups and `bias=False` shown when not the
 * default.
 */
struct _LtConvTranspose2d
{
  LtModule parent_instance;

  gint64 in_channels;
  gint64 out_channels;
  gint64 kernel_size[2];
  gint64 stride[2];
  gint64 padding[2];
  gint64 output_padding[2];
  gint64 dilation[2];
  gint64 groups;
};

G_DEFINE_FINAL_TYPE (LtConvTranspose2d, lt_conv_transpose2d, LT_TYPE_MODULE)

static LtTensor *
lt_conv_transpose2d_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtConvTranspose2d *self = LT_CONV_TRANSPOSE2D (module);
  LtTensor          *weight = lt_module_get_parameter (module, "weight");

  if (weight == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "ConvTranspose2d: the layer has no weight");
      return NULL;
    }
  return lt_conv_transpose2d (input, weight, lt_module_get_parameter (module, "bias"), self->stride,
                              self->padding, self->output_padding, self->dilation, self->groups,
                              error);
}

static char *
lt_conv_transpose2d_extra_repr (LtModule *module)
{
  LtConvTranspose2d *self = LT_CONV_TRANSPOSE2D (module);

  return _lt_conv_extra_repr (module, self->in_channels, self->out_channels, 2, self->kernel_size,
                              self->stride, self->padding, self->dilation, self->output_padding,
                              self->groups);
}

static void
lt_conv_transpose2d_class_init (LtConvTranspose2dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_conv_transpose2d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_conv_transpose2d_extra_repr;
}

static void
lt_conv_transpose2d_init (LtConvTranspose2d *self)
{
}

/**
 * lt_conv_transpose2d_new:
 * @in_channels: the channels of the input images
 * @out_channels: the channels of the output
 * @kernel_size: (array fixed-size=2): the filter's height and width
 * @stride: (array fixed-size=2) (nullable): the stride; %NULL for (1, 1)
 * @padding: (array fixed-size=2) (nullable): the rows and columns taken off
 *   both sides of the output; %NULL for (0, 0)
 * @output_padding: (array fixed-size=2) (nullable): the rows and columns
 *   added to one side of the output; %NULL for (0, 0)
 * @groups: the number of channel groups (1 for an ordinary one)
 * @bias: whether the layer adds a learnable bias
 * @dilation: (array fixed-size=2) (nullable): the spacing between filter
 *   elements; %NULL for (1, 1)
 * @error: return location for a #GError
 *
 * Creates a transposed convolution layer, as
 * `nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride,
 * padding, output_padding, groups, bias, dilation)` (PyTorch's order),
 * with float32 parameters drawn as PyTorch draws them: weight from
 * kaiming_uniform_(a=sqrt(5)), bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * fan_in = out_channels / groups * kH * kW (the weight's second size times
 * the filter's).
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for non-positive channels, kernel, stride,
 *   dilation or groups, negative padding or output padding, an output
 *   padding not smaller than either the stride or the dilation, or channels
 *   not divisible by @groups
 */
LtConvTranspose2d *
lt_conv_transpose2d_new (gint64        in_channels,
                         gint64        out_channels,
                         const gint64 *kernel_size,
                         const gint64 *stride,
                         const gint64 *padding,
                         const gint64 *output_padding,
                         gint64        groups,
                         gboolean      bias,
                         const gint64 *dilation,
                         GError      **error)
{
  static const gint64 ones[2] = { 1, 1 }, zeros[2] = { 0, 0 };
  g_autoptr(LtConvTranspose2d) self = NULL;
  gint64 wshape[4];

  g_return_val_if_fail (kernel_size != NULL, NULL);
  stride = stride ? stride : ones;
  padding = padding ? padding : zeros;
  output_padding = output_padding ? output_padding : zeros;
  dilation = dilation ? dilation : ones;
  if (groups <= 0 || in_channels <= 0 || out_channels <= 0 || in_channels % groups != 0 ||
      out_channels % groups != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "ConvTranspose2d: in_channels (%" G_GINT64_FORMAT
                   "), out_channels (%" G_GINT64_FORMAT ") and groups (%" G_GINT64_FORMAT
                   ") must be positive and the channels divisible by groups",
                   in_channels, out_channels, groups);
      return NULL;
    }
  for (guint i = 0; i < 2; i++)
    if (kernel_size[i] <= 0 || stride[i] <= 0 || padding[i] < 0 || dilation[i] <= 0 ||
        output_padding[i] < 0 ||
        (output_padding[i] >= stride[i] && output_padding[i] >= dilation[i]))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "ConvTranspose2d: kernel_size (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     "), stride (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") and dilation (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") must be positive, padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") and output_padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") not negative, and the output padding smaller than either the stride or "
                     "the dilation",
                     kernel_size[0], kernel_size[1], stride[0], stride[1], dilation[0], dilation[1],
                     padding[0], padding[1], output_padding[0], output_padding[1]);
        return NULL;
      }

  self = g_object_new (LT_TYPE_CONV_TRANSPOSE2D, NULL);
  self->in_channels = in_channels;
  self->out_channels = out_channels;
  self->groups = groups;
  for (guint i = 0; i < 2; i++)
    {
      self->kernel_size[i] = kernel_size[i];
      self->stride[i] = stride[i];
      self->padding[i] = padding[i];
      self->output_padding[i] = output_padding[i];
      self->dilation[i] = dilation[i];
    }

  wshape[0] = in_channels;
  wshape[1] = out_channels / groups;
  wshape[2] = kernel_size[0];
  wshape[3] = kernel_size[1];
  if (!_lt_module_add_weight_and_bias (LT_MODULE (self), wshape, 4, out_channels, bias, error))
    return NULL;
  return g_steal_pointer (&self);
}
