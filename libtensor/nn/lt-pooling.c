/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-pooling.h"
#include "lt-nn-private.h"
#include "ops/lt-pooling.h"
#include "ops/lt-ops-private.h"

/*
 * Pooling layers (torch/nn/modules/pooling.py). PyTorch keeps each size
 * argument as given, an int or a tuple, and prints it so:
 * `MaxPool2d(kernel_size=2, stride=2, ...)` for `nn.MaxPool2d(2, 2)` but
 * `kernel_size=(2, 2)` for `nn.MaxPool2d((2, 2))`. The constructors take
 * each size as an array of one element (an int) or two (a tuple) to keep
 * that difference.
 */

typedef struct
{
  gint64 v[2];
  gboolean as_int;
} Size2;

/* @out from @values (@n: 0 for @dflt, 1 for an int, 2 for a pair); @min is
 * the smallest valid element. */
static gboolean
size2_set (Size2        *out,
           const gint64 *values,
           gsize         n,
           const Size2  *dflt,
           gint64        min,
           const char   *layer,
           const char   *name,
           GError      **error)
{
  if (n == 0 || values == NULL)
    {
      *out = *dflt;
      return TRUE;
    }
  if (n > 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: %s must be an int or a pair of ints, got %" G_GSIZE_FORMAT " values",
                   layer, name, n);
      return FALSE;
    }
  out->as_int = n == 1;
  out->v[0] = values[0];
  out->v[1] = values[n - 1];
  if (out->v[0] < min || out->v[1] < min)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: %s must be %s, got (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                   layer, name,
                   min == 0 ? "non-negative" : min == 1 ? "positive" : "-1 (None) or more",
                   out->v[0], out->v[1]);
      return FALSE;
    }
  return TRUE;
}

static void
append_size2 (GString     *s,
              const char  *name,
              const Size2 *size)
{
  g_string_append_printf (s, "%s=", name);
  _lt_append_py_ints (s, size->v, 2, size->as_int);
}

/* MaxPool2d */

/**
 * LtMaxPool2d:
 *
 * 2-D max pooling, as `torch.nn.MaxPool2d`; lt_max_pool2d() computes the
 * output. Printed
 * `MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)`.
 */
struct _LtMaxPool2d
{
  LtModule parent_instance;

  Size2 kernel_size;
  Size2 stride;
  Size2 padding;
  Size2 dilation;
  gboolean ceil_mode;
};

G_DEFINE_FINAL_TYPE (LtMaxPool2d, lt_max_pool2d, LT_TYPE_MODULE)

static LtTensor *
lt_max_pool2d_forward (LtModule *module,
                       LtTensor *input,
                       GError  **error)
{
  LtMaxPool2d *self = LT_MAX_POOL2D (module);

  return lt_max_pool2d (input, self->kernel_size.v, self->stride.v, self->padding.v,
                        self->dilation.v, self->ceil_mode, NULL, error);
}

static char *
lt_max_pool2d_extra_repr (LtModule *module)
{
  LtMaxPool2d *self = LT_MAX_POOL2D (module);
  GString *s = g_string_new (NULL);

  append_size2 (s, "kernel_size", &self->kernel_size);
  append_size2 (s, ", stride", &self->stride);
  append_size2 (s, ", padding", &self->padding);
  append_size2 (s, ", dilation", &self->dilation);
  g_string_append_printf (s, ", ceil_mode=%s", _lt_py_bool (self->ceil_mode));
  return g_string_free (s, FALSE);
}

static void
lt_max_pool2d_class_init (LtMaxPool2dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_max_pool2d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_max_pool2d_extra_repr;
}

static void
lt_max_pool2d_init (LtMaxPool2d *self)
{
}

/**
 * lt_max_pool2d_new:
 * @kernel_size: (array length=n_kernel_size): the window: one value (a
 *   square window, PyTorch's int) or two (height, width)
 * @n_kernel_size: 1 or 2
 * @stride: (array length=n_stride) (nullable): the step between windows,
 *   one or two values; none for the kernel size
 * @n_stride: 0, 1 or 2
 * @padding: (array length=n_padding) (nullable): the implicit -inf padding
 *   on each side, one or two values; none for 0
 * @n_padding: 0, 1 or 2
 * @dilation: (array length=n_dilation) (nullable): the spacing between
 *   window elements, one or two values; none for 1
 * @n_dilation: 0, 1 or 2
 * @ceil_mode: round the output size up instead of down
 * @error: return location for a #GError
 *
 * Creates a max-pooling layer, as
 * `nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)`.
 * Sizes given as one value print as an int, two as a tuple, as in PyTorch.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a missing or non-positive kernel, stride or dilation, a negative
 *   padding, or more than two values
 */
LtMaxPool2d *
lt_max_pool2d_new (const gint64 *kernel_size,
                   gsize         n_kernel_size,
                   const gint64 *stride,
                   gsize         n_stride,
                   const gint64 *padding,
                   gsize         n_padding,
                   const gint64 *dilation,
                   gsize         n_dilation,
                   gboolean      ceil_mode,
                   GError      **error)
{
  static const Size2 zero = { { 0, 0 }, TRUE }, one = { { 1, 1 }, TRUE };
  g_autoptr(LtMaxPool2d) self = g_object_new (LT_TYPE_MAX_POOL2D, NULL);

  if (n_kernel_size == 0 || kernel_size == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "MaxPool2d: kernel_size is required");
      return NULL;
    }
  if (!size2_set (&self->kernel_size, kernel_size, n_kernel_size, &zero, 1, "MaxPool2d",
                  "kernel_size", error) ||
      !size2_set (&self->stride, stride, n_stride, &self->kernel_size, 1, "MaxPool2d", "stride",
                  error) ||
      !size2_set (&self->padding, padding, n_padding, &zero, 0, "MaxPool2d", "padding", error) ||
      !size2_set (&self->dilation, dilation, n_dilation, &one, 1, "MaxPool2d", "dilation", error))
    return NULL;
  self->ceil_mode = !!ceil_mode;
  return g_steal_pointer (&self);
}

/* AvgPool2d */

/**
 * LtAvgPool2d:
 *
 * 2-D average pooling, as `torch.nn.AvgPool2d`; lt_avg_pool2d() computes
 * the output. Printed `AvgPool2d(kernel_size=2, stride=2, padding=0)`.
 */
struct _LtAvgPool2d
{
  LtModule parent_instance;

  Size2 kernel_size;
  Size2 stride;
  Size2 padding;
  gboolean ceil_mode;
  gboolean count_include_pad;
  gint64 divisor_override;
};

G_DEFINE_FINAL_TYPE (LtAvgPool2d, lt_avg_pool2d, LT_TYPE_MODULE)

static LtTensor *
lt_avg_pool2d_forward (LtModule *module,
                       LtTensor *input,
                       GError  **error)
{
  LtAvgPool2d *self = LT_AVG_POOL2D (module);

  return lt_avg_pool2d (input, self->kernel_size.v, self->stride.v, self->padding.v,
                        self->ceil_mode, self->count_include_pad, self->divisor_override, error);
}

static char *
lt_avg_pool2d_extra_repr (LtModule *module)
{
  LtAvgPool2d *self = LT_AVG_POOL2D (module);
  GString *s = g_string_new (NULL);

  append_size2 (s, "kernel_size", &self->kernel_size);
  append_size2 (s, ", stride", &self->stride);
  append_size2 (s, ", padding", &self->padding);
  return g_string_free (s, FALSE);
}

static void
lt_avg_pool2d_class_init (LtAvgPool2dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_avg_pool2d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_avg_pool2d_extra_repr;
}

static void
lt_avg_pool2d_init (LtAvgPool2d *self)
{
}

/**
 * lt_avg_pool2d_new:
 * @kernel_size: (array length=n_kernel_size): the window, one value or two
 * @n_kernel_size: 1 or 2
 * @stride: (array length=n_stride) (nullable): the step between windows,
 *   one or two values; none for the kernel size
 * @n_stride: 0, 1 or 2
 * @padding: (array length=n_padding) (nullable): the zero padding on each
 *   side, one or two values; none for 0
 * @n_padding: 0, 1 or 2
 * @ceil_mode: round the output size up instead of down
 * @count_include_pad: count the padding in the divisor (PyTorch's default)
 * @divisor_override: a fixed divisor, or 0 for the window's size
 * @error: return location for a #GError
 *
 * Creates an average-pooling layer, as `nn.AvgPool2d(kernel_size, stride,
 * padding, ceil_mode, count_include_pad, divisor_override)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a missing or non-positive kernel or stride, a negative padding or
 *   divisor, or more than two values
 */
LtAvgPool2d *
lt_avg_pool2d_new (const gint64 *kernel_size,
                   gsize         n_kernel_size,
                   const gint64 *stride,
                   gsize         n_stride,
                   const gint64 *padding,
                   gsize         n_padding,
                   gboolean      ceil_mode,
                   gboolean      count_include_pad,
                   gint64        divisor_override,
                   GError      **error)
{
  static const Size2 zero = { { 0, 0 }, TRUE };
  g_autoptr(LtAvgPool2d) self = g_object_new (LT_TYPE_AVG_POOL2D, NULL);

  if (n_kernel_size == 0 || kernel_size == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "AvgPool2d: kernel_size is required");
      return NULL;
    }
  if (divisor_override < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "AvgPool2d: divisor_override must be positive (or 0 for none), got %"
                   G_GINT64_FORMAT, divisor_override);
      return NULL;
    }
  if (!size2_set (&self->kernel_size, kernel_size, n_kernel_size, &zero, 1, "AvgPool2d",
                  "kernel_size", error) ||
      !size2_set (&self->stride, stride, n_stride, &self->kernel_size, 1, "AvgPool2d", "stride",
                  error) ||
      !size2_set (&self->padding, padding, n_padding, &zero, 0, "AvgPool2d", "padding", error))
    return NULL;
  self->ceil_mode = !!ceil_mode;
  self->count_include_pad = !!count_include_pad;
  self->divisor_override = divisor_override;
  return g_steal_pointer (&self);
}

/* AdaptiveAvgPool2d */

/**
 * LtAdaptiveAvgPool2d:
 *
 * Average pooling to a fixed output size whatever the input's, as
 * `torch.nn.AdaptiveAvgPool2d`; lt_adaptive_avg_pool2d() computes the
 * output. Printed `AdaptiveAvgPool2d(output_size=(5, 7))`.
 */
struct _LtAdaptiveAvgPool2d
{
  LtModule parent_instance;

  Size2 output_size;          /* -1: the input's size (PyTorch's None) */
};

G_DEFINE_FINAL_TYPE (LtAdaptiveAvgPool2d, lt_adaptive_avg_pool2d, LT_TYPE_MODULE)

static LtTensor *
lt_adaptive_avg_pool2d_forward (LtModule *module,
                                LtTensor *input,
                                GError  **error)
{
  LtAdaptiveAvgPool2d *self = LT_ADAPTIVE_AVG_POOL2D (module);
  guint nd = lt_tensor_get_n_dims (input);
  const gint64 *shape = lt_tensor_get_shape (input, NULL);
  gint64 size[2];

  for (guint i = 0; i < 2; i++)
    {
      size[i] = self->output_size.v[i];
      if (size[i] < 0 && nd >= 2)
        size[i] = shape[nd - 2 + i];
    }
  return lt_adaptive_avg_pool2d (input, size, error);
}

static char *
lt_adaptive_avg_pool2d_extra_repr (LtModule *module)
{
  LtAdaptiveAvgPool2d *self = LT_ADAPTIVE_AVG_POOL2D (module);
  const Size2 *o = &self->output_size;
  GString *s = g_string_new ("output_size=");

  if (o->as_int)
    {
      if (o->v[0] < 0)
        g_string_append (s, "None");
      else
        g_string_append_printf (s, "%" G_GINT64_FORMAT, o->v[0]);
    }
  else
    {
      g_string_append_c (s, '(');
      for (guint i = 0; i < 2; i++)
        {
          if (i)
            g_string_append (s, ", ");
          if (o->v[i] < 0)
            g_string_append (s, "None");
          else
            g_string_append_printf (s, "%" G_GINT64_FORMAT, o->v[i]);
        }
      g_string_append_c (s, ')');
    }
  return g_string_free (s, FALSE);
}

static void
lt_adaptive_avg_pool2d_class_init (LtAdaptiveAvgPool2dClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_adaptive_avg_pool2d_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_adaptive_avg_pool2d_extra_repr;
}

static void
lt_adaptive_avg_pool2d_init (LtAdaptiveAvgPool2d *self)
{
}

/**
 * lt_adaptive_avg_pool2d_new:
 * @output_size: (array length=n_output_size): the output's height and
 *   width: one value (square) or two; -1 keeps the input's size in that
 *   dimension (PyTorch's None)
 * @n_output_size: 1 or 2
 * @error: return location for a #GError
 *
 * Creates an adaptive average-pooling layer, as
 * `nn.AdaptiveAvgPool2d(output_size)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for a missing size, a size below -1 or more than two values
 */
LtAdaptiveAvgPool2d *
lt_adaptive_avg_pool2d_new (const gint64 *output_size,
                            gsize         n_output_size,
                            GError      **error)
{
  static const Size2 none = { { -1, -1 }, TRUE };
  g_autoptr(LtAdaptiveAvgPool2d) self = g_object_new (LT_TYPE_ADAPTIVE_AVG_POOL2D, NULL);

  if (n_output_size == 0 || output_size == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "AdaptiveAvgPool2d: output_size is required");
      return NULL;
    }
  if (!size2_set (&self->output_size, output_size, n_output_size, &none, -1,
                  "AdaptiveAvgPool2d", "output_size", error))
    return NULL;
  return g_steal_pointer (&self);
}
