/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-conv2d.h"
#include "lt-nn-private.h"
#include "ops/lt-conv.h"
#include "ops/lt-fused-private.h"
#include "ops/lt-ops-private.h"

/**
 * LtConv2d:
 *
 * A 2-D convolution layer, as `torch.nn.Conv2d`: parameters "weight"
 * (out_channels, in_channels / groups, kH, kW) and, unless made without,
 * "bias" (out_channels), initialised as PyTorch does; lt_conv2d() computes
 * the output. Printed as PyTorch prints it:
 * `Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))`, with padding,
 * dilation, groups and `bias=False` shown when not the default.
 */
struct _LtConv2d
{
  LtModule parent_instance;

  gint64 in_channels;
  gint64 out_channels;
  gint64 kernel_size[2];
  gint64 stride[2];
  gint64 padding[2];
  gint64 dilation[2];
  gint64 groups;
};

G_DEFINE_FINAL_TYPE (LtConv2d, lt_conv2d, LT_TYPE_MODULE)

LtTensor *
_lt_conv2d_module_run (LtModule *module, LtTensor *input, gboolean relu, GError **error)
{
  LtConv2d *self = LT_CONV2D (module);
  LtTensor *bias = lt_module_get_parameter (module, "bias");
  LtTensor *weight = lt_module_get_parameter (module, "weight");

  if (weight == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Conv2d: the layer has no weight");
      return NULL;
    }
  gint64 padding[2];
  g_autoptr(LtTensor) x = _lt_conv_padded_input (module, input, 2, self->kernel_size, self->stride,
                                                  self->dilation, self->padding, padding, error);

  if (x == NULL)
    return NULL;
  if (relu)
    return _lt_conv2d_relu (x, weight, bias, self->stride, padding, self->dilation, self->groups,
                            error);
  return lt_conv2d (x, weight, bias, self->stride, padding, self->dilation, self->groups, error);
}

static LtTensor *
lt_conv2d_forward (LtModule *module, LtTensor *input, GError **error)
{
  return _lt_conv2d_module_run (module, input, FALSE, error);
}

static gboolean
all_equal (const gint64 *v, guint n, gint64 value)
{
  for (guint i = 0; i < n; i++)
    if (v[i] != value)
      return FALSE;
  return TRUE;
}

static void
append_ints (GString *s, const char *name, const gint64 *v, guint n)
{
  g_string_append_printf (s, ", %s=", name);
  _lt_append_py_ints (s, v, n, FALSE);
}

/* torch.nn.modules.conv._ConvNd.extra_repr */
char *
_lt_conv_extra_repr (LtModule     *module,
                     gint64        in_channels,
                     gint64        out_channels,
                     guint         n,
                     const gint64 *kernel_size,
                     const gint64 *stride,
                     const gint64 *padding,
                     const gint64 *dilation,
                     const gint64 *output_padding,
                     gint64        groups)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT, in_channels, out_channels);
  append_ints (s, "kernel_size", kernel_size, n);
  append_ints (s, "stride", stride, n);
  _lt_conv_padding_repr (module, s, TRUE);
  if (!all_equal (padding, n, 0))
    append_ints (s, "padding", padding, n);
  if (!all_equal (dilation, n, 1))
    append_ints (s, "dilation", dilation, n);
  if (output_padding && !all_equal (output_padding, n, 0))
    append_ints (s, "output_padding", output_padding, n);
  if (groups != 1)
    g_string_append_printf (s, ", groups=%" G_GINT64_FORMAT, groups);
  if (lt_module_get_parameter (module, "bias") == NULL)
    g_string_append (s, ", bias=False");
  _lt_conv_padding_repr (module, s, FALSE);
  return g_string_free (s, FALSE);
}

static char *
lt_conv2d_extra_repr (LtModule *module)
{
  LtConv2d *self = LT_CONV2D (module);

  return _lt_conv_extra_repr (module, self->in_channels, self->out_channels, 2, self->kernel_size,
                              self->stride, self->padding, self->dilation, NULL, self->groups);
}

static void
lt_conv2d_class_init (LtConv2dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_conv2d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_conv2d_extra_repr;
}

static void
lt_conv2d_init (LtConv2d *self)
{
}

static gboolean
check_pair (const gint64 *v,
            const char   *name,
            gint64        min,
            GError      **error)
{
  if (v[0] < min || v[1] < min)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Conv2d: %s must be %s, got (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                   name, min == 0 ? "non-negative" : "positive", v[0], v[1]);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_conv2d_new:
 * @in_channels: the channels of the input images
 * @out_channels: the channels of the output (the number of filters)
 * @kernel_size: (array fixed-size=2): the filter's height and width
 * @stride: (array fixed-size=2) (nullable): the steps between windows;
 *   %NULL for (1, 1)
 * @padding: (array fixed-size=2) (nullable): the zeros added on both sides
 *   of the height and width; %NULL for (0, 0)
 * @dilation: (array fixed-size=2) (nullable): the spacing between filter
 *   elements; %NULL for (1, 1)
 * @groups: the number of channel groups (1 for an ordinary convolution)
 * @bias: whether the layer adds a learnable bias
 * @error: return location for a #GError
 *
 * Creates a convolution layer, as
 * `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
 * dilation, groups, bias)`, with float32 parameters drawn as PyTorch
 * draws them: weight from kaiming_uniform_(a=sqrt(5)), bias from
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels / groups * kH * kW.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for non-positive channels, kernel, stride, dilation or groups, negative
 *   padding, or channels not divisible by @groups
 */
LtConv2d *
lt_conv2d_new (gint64        in_channels,
               gint64        out_channels,
               const gint64 *kernel_size,
               const gint64 *stride,
               const gint64 *padding,
               const gint64 *dilation,
               gint64        groups,
               gboolean      bias,
               GError      **error)
{
  static const gint64 ones[2] = { 1, 1 }, zeros[2] = { 0, 0 };
  g_autoptr(LtConv2d) self = NULL;
  gint64 wshape[4];

  g_return_val_if_fail (kernel_size != NULL, NULL);
  if (stride == NULL)
    stride = ones;
  if (padding == NULL)
    padding = zeros;
  if (dilation == NULL)
    dilation = ones;
  if (groups <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Conv2d: groups must be a positive integer, got %" G_GINT64_FORMAT, groups);
      return NULL;
    }
  if (in_channels <= 0 || out_channels <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Conv2d: in_channels and out_channels must be positive, got %" G_GINT64_FORMAT
                   " and %" G_GINT64_FORMAT, in_channels, out_channels);
      return NULL;
    }
  if (in_channels % groups != 0 || out_channels % groups != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Conv2d: in_channels (%" G_GINT64_FORMAT ") and out_channels (%"
                   G_GINT64_FORMAT ") must be divisible by groups (%" G_GINT64_FORMAT ")",
                   in_channels, out_channels, groups);
      return NULL;
    }
  if (!check_pair (kernel_size, "kernel_size", 1, error) ||
      !check_pair (stride, "stride", 1, error) ||
      !check_pair (padding, "padding", 0, error) ||
      !check_pair (dilation, "dilation", 1, error))
    return NULL;

  self = g_object_new (LT_TYPE_CONV2D, NULL);
  self->in_channels = in_channels;
  self->out_channels = out_channels;
  self->groups = groups;
  for (guint i = 0; i < 2; i++)
    {
      self->kernel_size[i] = kernel_size[i];
      self->stride[i] = stride[i];
      self->padding[i] = padding[i];
      self->dilation[i] = dilation[i];
    }

  wshape[0] = out_channels;
  wshape[1] = in_channels / groups;
  wshape[2] = kernel_size[0];
  wshape[3] = kernel_size[1];
  if (!_lt_module_add_weight_and_bias (LT_MODULE (self), wshape, 4, out_channels, bias, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_conv2d_get_in_channels:
 * @self: a Conv2d layer
 *
 * Gets the number of input channels.
 *
 * Returns: the channels
 */
gint64
lt_conv2d_get_in_channels (LtConv2d *self)
{
  g_return_val_if_fail (LT_IS_CONV2D (self), 0);
  return self->in_channels;
}

/**
 * lt_conv2d_get_out_channels:
 * @self: a Conv2d layer
 *
 * Gets the number of output channels.
 *
 * Returns: the channels
 */
gint64
lt_conv2d_get_out_channels (LtConv2d *self)
{
  g_return_val_if_fail (LT_IS_CONV2D (self), 0);
  return self->out_channels;
}

/**
 * lt_conv2d_get_kernel_size:
 * @self: a Conv2d layer
 *
 * Gets the filter's height and width.
 *
 * Returns: (array fixed-size=2) (transfer none): the kernel size
 */
const gint64 *
lt_conv2d_get_kernel_size (LtConv2d *self)
{
  g_return_val_if_fail (LT_IS_CONV2D (self), NULL);
  return self->kernel_size;
}

/**
 * lt_conv2d_get_stride:
 * @self: a Conv2d layer
 *
 * Gets the steps between windows.
 *
 * Returns: (array fixed-size=2) (transfer none): the stride
 */
const gint64 *
lt_conv2d_get_stride (LtConv2d *self)
{
  g_return_val_if_fail (LT_IS_CONV2D (self), NULL);
  return self->stride;
}

/**
 * lt_conv2d_get_padding:
 * @self: a Conv2d layer
 *
 * Gets the zero padding on each side.
 *
 * Returns: (array fixed-size=2) (transfer none): the padding
 */
const gint64 *
lt_conv2d_get_padding (LtConv2d *self)
{
  g_return_val_if_fail (LT_IS_CONV2D (self), NULL);
  return self->padding;
}

/**
 * lt_conv2d_get_dilation:
 * @self: a Conv2d layer
 *
 * Gets the spacing between filter elements.
 *
 * Returns: (array fixed-size=2) (transfer none): the dilation
 */
const gint64 *
lt_conv2d_get_dilation (LtConv2d *self)
{
  g_return_val_if_fail (LT_IS_CONV2D (self), NULL);
  return self->dilation;
}

/**
 * lt_conv2d_get_groups:
 * @self: a Conv2d layer
 *
 * Gets the number of channel groups.
 *
 * Returns: the groups
 */
gint64
lt_conv2d_get_groups (LtConv2d *self)
{
  g_return_val_if_fail (LT_IS_CONV2D (self), 0);
  return self->groups;
}
