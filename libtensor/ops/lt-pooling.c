/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-pooling.h"

/*
 * 2-D pooling: max (with the indices of the maxima), average and adaptive
 * average over the last two dims of a (N, C, H, W) or (C, H, W) tensor.
 * The checks and the output size follow PyTorch (pool2d_shape_check and
 * pooling_output_shape in aten/src/ATen/native/Pool.h). Each has a
 * gradient kernel: max pooling's sends dy to the saved indices, the
 * average poolings' spread it over their windows.
 */

static gboolean
check_input (const char *op, LtTensor *input, GError **error)
{
  guint nd = input->ndim;

  if ((nd != 3 && nd != 4) || input->shape[nd - 1] == 0 || input->shape[nd - 2] == 0 ||
      input->shape[nd - 3] == 0)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input with non-zero C, H "
                   "and W, got shape %s",
                   op, s);
      return FALSE;
    }
  if (input->dtype != LT_DTYPE_FLOAT32 && input->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: expected a float32 or float64 input, got %s", op,
                   lt_dtype_get_name (input->dtype));
      return FALSE;
    }
  return TRUE;
}

/* The number of windows along @in positions (PyTorch's pooling output
 * size). The sizes, paddings, strides and dilations users pass may be near
 * 2^63: the arithmetic is done in 128 bits, with floor division for the
 * negative numerators of too small inputs, and a count past 64 bits comes
 * back as G_MAXINT64 (which no allocation accepts). */
static gint64
output_size (gint64 in, gint64 k, gint64 pad, gint64 stride, gint64 dilation, gboolean ceil_mode)
{
  __int128 num = (__int128) in + 2 * (__int128) pad - (__int128) dilation * (k - 1) - 1 +
                 (ceil_mode ? stride - 1 : 0);
  __int128 out = num / stride - (num % stride != 0 && num < 0) + 1;

  /* the last window must start inside the image or its left padding */
  if (ceil_mode && (out - 1) * stride >= (__int128) in + pad)
    out--;
  return out > G_MAXINT64 ? G_MAXINT64 : (gint64) out;
}

/* Fills @p's windows and the output shape; checks them as PyTorch does. */
static gboolean
pool_setup (const char   *op,
            LtTensor     *input,
            const gint64 *kernel_size,
            const gint64 *stride,
            const gint64 *padding,
            const gint64 *dilation,
            gboolean      ceil_mode,
            LtPoolParams *p,
            gint64       *oshape,
            GError      **error)
{
  guint nd = input->ndim;

  if (!check_input (op, input, error))
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      p->kernel[i] = kernel_size[i];
      p->stride[i] = stride ? stride[i] : kernel_size[i];
      p->padding[i] = padding ? padding[i] : 0;
      p->dilation[i] = dilation ? dilation[i] : 1;
    }
  p->ceil_mode = ceil_mode;
  if (p->kernel[0] < 1 || p->kernel[1] < 1 || p->stride[0] < 1 || p->stride[1] < 1 ||
      p->dilation[0] < 1 || p->dilation[1] < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the kernel size (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   "), stride (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ") and dilation (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") must be positive",
                   op, p->kernel[0], p->kernel[1], p->stride[0], p->stride[1], p->dilation[0],
                   p->dilation[1]);
      return FALSE;
    }
  if (p->padding[0] < 0 || p->padding[1] < 0 || p->padding[0] > p->kernel[0] / 2 ||
      p->padding[1] > p->kernel[1] / 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") must be between "
                   "0 and half the kernel size (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")",
                   op, p->padding[0], p->padding[1], p->kernel[0], p->kernel[1]);
      return FALSE;
    }
  memcpy (oshape, input->shape, nd * sizeof (gint64));
  for (guint i = 0; i < 2; i++)
    oshape[nd - 2 + i] = output_size (input->shape[nd - 2 + i], p->kernel[i], p->padding[i],
                                      p->stride[i], p->dilation[i], ceil_mode);
  if (oshape[nd - 2] < 1 || oshape[nd - 1] < 1)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: an input of shape %s gives an output of %" G_GINT64_FORMAT
                   " x %" G_GINT64_FORMAT " (kernel %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   ", stride %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT ", padding %" G_GINT64_FORMAT
                   " x %" G_GINT64_FORMAT ", dilation %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   "): the output is too small",
                   op, s, oshape[nd - 2], oshape[nd - 1], p->kernel[0], p->kernel[1], p->stride[0],
                   p->stride[1], p->padding[0], p->padding[1], p->dilation[0], p->dilation[1]);
      return FALSE;
    }
  return _lt_shape_check_alloc (oshape, nd, input->dtype, op, error);
}

/**
 * lt_max_pool2d:
 * @input: a tensor (N, C, H, W) or (C, H, W), float32 or float64
 * @kernel_size: (array fixed-size=2): the window's height and width
 * @stride: (array fixed-size=2) (nullable): the steps between windows;
 *   %NULL for @kernel_size
 * @padding: (array fixed-size=2) (nullable): the implicit -inf added on both
 *   sides of H and W, at most half the kernel size; %NULL for (0, 0)
 * @dilation: (array fixed-size=2) (nullable): the spacing between the
 *   elements of a window; %NULL for (1, 1)
 * @ceil_mode: round the output size up instead of down, so that windows
 *   that start inside the image but run past it count
 * @indices: (out) (optional) (transfer full) (nullable): return location
 *   for the positions of the maxima: int64, of the output's shape, each the
 *   flat index `ih * W + iw` within its H x W plane
 * @error: return location for a #GError
 *
 * Takes the maximum of each window, as `torch.nn.functional.max_pool2d()`
 * (with `return_indices=True` for @indices). Within a window the first
 * maximum in row-major order wins, and a NaN is always the maximum. The
 * output has @input's leading dims and
 * `OH = (H + 2 padding[0] - dilation[0] (kernel_size[0] - 1) - 1) / stride[0] + 1`
 * (rounded down, or up with @ceil_mode), likewise OW. Its gradient goes to
 * the position in @indices; the node is a
 * `MaxPool2DWithIndicesBackward0`.
 *
 * Errors: an input that is not 3-D or 4-D or has an empty C, H or W
 * (%LT_ERROR_SHAPE), an integer input (%LT_ERROR_DTYPE), a non-positive
 * kernel size, stride or dilation, or a padding above half the kernel
 * size (%LT_ERROR_INVALID_ARGUMENT), an output smaller than 1 x 1
 * (%LT_ERROR_SHAPE).
 *
 * Returns: (transfer full) (nullable): the maxima, or %NULL with @error set
 */
LtTensor *
lt_max_pool2d (LtTensor     *input,
               const gint64 *kernel_size,
               const gint64 *stride,
               const gint64 *padding,
               const gint64 *dilation,
               gboolean      ceil_mode,
               LtTensor    **indices,
               GError      **error)
{
  LtOpParams p;
  gint64     oshape[4];
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) idx = NULL;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (kernel_size != NULL, NULL);
  memset (&p, 0, sizeof p);
  if (!pool_setup ("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, &p.pool,
                   oshape, error))
    return NULL;
  x = _lt_contiguous (input, error);
  if (x == NULL)
    return NULL;
  out = _lt_tensor_new_empty (oshape, input->ndim, input->dtype, input->storage->device, error);
  idx =
    out ? _lt_tensor_new_empty (oshape, input->ndim, LT_DTYPE_INT64, input->storage->device, error)
        : NULL;
  if (idx == NULL || !_lt_run (LT_OP_MAX_POOL2D, out, idx, &x, 1, &p, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_MAX_POOL2D, &input, 1);
  if (node)
    {
      node->params = p;
      _lt_autograd_set_outputs (node, out, idx);
    }
  if (indices)
    *indices = g_steal_pointer (&idx);
  return g_steal_pointer (&out);
}

/**
 * lt_avg_pool2d:
 * @input: a tensor (N, C, H, W) or (C, H, W), float32 or float64
 * @kernel_size: (array fixed-size=2): the window's height and width
 * @stride: (array fixed-size=2) (nullable): the steps between windows;
 *   %NULL for @kernel_size
 * @padding: (array fixed-size=2) (nullable): the zeros added on both sides
 *   of H and W, at most half the kernel size; %NULL for (0, 0)
 * @ceil_mode: round the output size up instead of down
 * @count_include_pad: divide by the window's size including the padding
 *   (%TRUE, PyTorch's default) or by the number of image elements in it
 * @divisor_override: divide every sum by this number instead; 0 for none
 * @error: return location for a #GError
 *
 * Averages each window, as `torch.nn.functional.avg_pool2d()`. Windows are
 * clipped to the padded image; the output size is that of
 * lt_max_pool2d() without dilation. The node is an `AvgPool2DBackward0`.
 *
 * Errors: as lt_max_pool2d()'s.
 *
 * Returns: (transfer full) (nullable): the averages, or %NULL with @error
 *   set
 */
LtTensor *
lt_avg_pool2d (LtTensor     *input,
               const gint64 *kernel_size,
               const gint64 *stride,
               const gint64 *padding,
               gboolean      ceil_mode,
               gboolean      count_include_pad,
               gint64        divisor_override,
               GError      **error)
{
  LtOpParams p;
  gint64     oshape[4];
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (kernel_size != NULL, NULL);
  memset (&p, 0, sizeof p);
  if (!pool_setup ("avg_pool2d", input, kernel_size, stride, padding, NULL, ceil_mode, &p.pool,
                   oshape, error))
    return NULL;
  p.pool.count_include_pad = count_include_pad;
  p.pool.divisor_override = divisor_override;
  x = _lt_contiguous (input, error);
  if (x == NULL)
    return NULL;
  out = _lt_tensor_new_empty (oshape, input->ndim, input->dtype, input->storage->device, error);
  if (out == NULL || !_lt_run (LT_OP_AVG_POOL2D, out, NULL, &x, 1, &p, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_AVG_POOL2D, &input, 1);
  if (node)
    {
      node->params = p;
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_adaptive_avg_pool2d:
 * @input: a tensor (N, C, H, W) or (C, H, W), float32 or float64
 * @output_size: (array fixed-size=2): the output's height and width (0
 *   gives an empty output)
 * @error: return location for a #GError
 *
 * Averages windows chosen to give an output of @output_size, as
 * `torch.nn.functional.adaptive_avg_pool2d()`: output row i averages input
 * rows `floor (i H / OH)` to `ceil ((i + 1) H / OH)` (excluded), likewise
 * for columns; windows overlap when OH does not divide H. The node is an
 * `AdaptiveAvgPool2DBackward0`.
 *
 * Errors: an input that is not 3-D or 4-D or has an empty C, H or W
 * (%LT_ERROR_SHAPE), an integer input (%LT_ERROR_DTYPE), a negative output
 * size (%LT_ERROR_INVALID_ARGUMENT).
 *
 * Returns: (transfer full) (nullable): the averages, or %NULL with @error
 *   set
 */
LtTensor *
lt_adaptive_avg_pool2d (LtTensor *input, const gint64 *output_size, GError **error)
{
  LtOpParams p;
  gint64     oshape[4];
  guint      nd;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (output_size != NULL, NULL);
  if (!check_input ("adaptive_avg_pool2d", input, error))
    return NULL;
  if (output_size[0] < 0 || output_size[1] < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "adaptive_avg_pool2d: the output size (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ") must not be negative",
                   output_size[0], output_size[1]);
      return NULL;
    }
  memset (&p, 0, sizeof p);
  nd = input->ndim;
  memcpy (oshape, input->shape, nd * sizeof (gint64));
  oshape[nd - 2] = p.pool.output_size[0] = output_size[0];
  oshape[nd - 1] = p.pool.output_size[1] = output_size[1];
  if (!_lt_shape_check_alloc (oshape, nd, input->dtype, "adaptive_avg_pool2d", error))
    return NULL;
  x = _lt_contiguous (input, error);
  if (x == NULL)
    return NULL;
  out = _lt_tensor_new_empty (oshape, nd, input->dtype, input->storage->device, error);
  if (out == NULL || !_lt_run (LT_OP_ADAPTIVE_AVG_POOL2D, out, NULL, &x, 1, &p, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_ADAPTIVE_AVG_POOL2D, &input, 1);
  if (node)
    {
      node->params = p;
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/* Backward rules */

static LtTensor *
grad_contiguous (LtGradFn *node, LtTensor *g, GError **error)
{
  g_autoptr(LtTensor) c = _lt_cast (g, node->input_meta[0].dtype, error);

  if (c == NULL)
    return NULL;
  return _lt_contiguous (c, error);
}

gboolean
_lt_backward_max_pool2d (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* dx = 0, dx[plane, indices] += dy (max_pool2d_grad) */
  const LtTensorMeta *m = &node->input_meta[0];
  LT_SAVED (idx, AUX);
  g_autoptr(LtTensor) gc = NULL;
  g_autoptr(LtTensor) dx = NULL;
  LtTensor *kin[2];

  if ((gc = grad_contiguous (node, g, error)) == NULL)
    return FALSE;
  dx = _lt_tensor_new_empty (m->shape, m->ndim, m->dtype, m->device, error);
  kin[0] = gc;
  kin[1] = idx;
  if (dx == NULL || !_lt_run (LT_OP_MAX_POOL2D_GRAD, dx, NULL, kin, 2, &node->params, error))
    return FALSE;
  gi[0] = g_steal_pointer (&dx);
  return TRUE;
}

static gboolean
pool_grad (LtOp op, LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  const LtTensorMeta *m = &node->input_meta[0];
  g_autoptr(LtTensor) gc = grad_contiguous (node, g, error);
  g_autoptr(LtTensor) dx = NULL;

  if (gc == NULL)
    return FALSE;
  dx = _lt_tensor_new_empty (m->shape, m->ndim, m->dtype, m->device, error);
  if (dx == NULL || !_lt_run (op, dx, NULL, &gc, 1, &node->params, error))
    return FALSE;
  gi[0] = g_steal_pointer (&dx);
  return TRUE;
}

gboolean
_lt_backward_avg_pool2d (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return pool_grad (LT_OP_AVG_POOL2D_GRAD, node, g, gi, error);
}

gboolean
_lt_backward_adaptive_avg_pool2d (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return pool_grad (LT_OP_ADAPTIVE_AVG_POOL2D_GRAD, node, g, gi, error);
}
