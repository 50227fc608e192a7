/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-conv.h"
#include "lt-fused-private.h"

/*
 * 2-D convolution: the front end checks what PyTorch checks
 * (aten/src/ATen/native/Convolution.cpp, check_shape_forward), runs
 * LT_OP_CONV2D on contiguous operands and records a ConvolutionBackward0
 * node. Its backward rule runs the two gradient kernels, each only when
 * its input needs a gradient: the first convolution of a network never
 * computes a gradient for the images. _lt_conv2d_relu () (a Conv2d then a
 * ReLU in an LtSequential, nn/lt-sequential-fuse.c) sets LtConvParams.relu,
 * so that the kernels store relu (v), and records the ReLU's node after
 * the convolution's.
 */

static gboolean
check_pair (const char   *what,
            const gint64 *v,
            gint64        min,
            GError      **error)
{
  if (v[0] < min || v[1] < min)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "conv2d: %s (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") %s", what,
                   v[0], v[1], min > 0 ? "must be positive" : "must not be negative");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_dtype (const char *what,
             LtTensor   *t,
             LtDType     want,
             GError    **error)
{
  if (t->dtype != want)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "conv2d: the %s is %s but the input is %s; they must have the same dtype",
                   what, lt_dtype_get_name (t->dtype), lt_dtype_get_name (want));
      return FALSE;
    }
  return TRUE;
}

/* lt_conv2d (); with @relu (_lt_conv2d_relu ()) the kernel stores relu (v)
 * for each output v, and the result has a ReluBackward0 node over the
 * convolution's */
static LtTensor *
conv2d_run (LtTensor     *input,
            LtTensor     *weight,
            LtTensor     *bias,
            const gint64 *stride,
            const gint64 *padding,
            const gint64 *dilation,
            gint64        groups,
            gboolean      relu,
            GError      **error)
{
  static const gint64 ones[2] = { 1, 1 }, zeros[2] = { 0, 0 };
  LtTensor *ts[3] = { input, weight, bias };
  LtOpParams p;
  gboolean batched;
  gint64 N, C, H, W, O, kh, kw, eh, ew, oshape[4], xshape[4];
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) x4 = NULL;
  g_autoptr(LtTensor) cw = NULL;
  g_autoptr(LtTensor) cb = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtTensor *kin[3];
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);

  memset (&p, 0, sizeof p);
  stride = stride ? stride : ones;
  padding = padding ? padding : zeros;
  dilation = dilation ? dilation : ones;

  if (input->ndim != 3 && input->ndim != 4)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv2d: expected a 3-D (unbatched) or 4-D (batched) input, got shape %s", s);
      return NULL;
    }
  if (weight->ndim != 4)
    {
      g_autofree char *s = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv2d: expected a 4-D weight (out_channels, in_channels / groups, kH, kW), "
                   "got shape %s", s);
      return NULL;
    }
  if (input->dtype != LT_DTYPE_FLOAT32 && input->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "conv2d: expected a float32 or float64 input, got %s",
                   lt_dtype_get_name (input->dtype));
      return NULL;
    }
  if (!check_dtype ("weight", weight, input->dtype, error) ||
      (bias && !check_dtype ("bias", bias, input->dtype, error)) ||
      !_lt_check_devices ("conv2d", ts, bias ? 3 : 2, error))
    return NULL;
  if (!check_pair ("the stride", stride, 1, error) ||
      !check_pair ("the padding", padding, 0, error) ||
      !check_pair ("the dilation", dilation, 1, error))
    return NULL;
  if (groups < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "conv2d: groups (%" G_GINT64_FORMAT ") must be positive", groups);
      return NULL;
    }

  batched = input->ndim == 4;
  N = batched ? input->shape[0] : 1;
  C = input->shape[batched ? 1 : 0];
  H = input->shape[batched ? 2 : 1];
  W = input->shape[batched ? 3 : 2];
  O = weight->shape[0];
  kh = weight->shape[2];
  kw = weight->shape[3];
  if (weight->numel == 0 || O % groups != 0 || weight->shape[1] * groups != C)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2 = LT_SHAPE_STR (weight);

      if (weight->numel == 0)
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "conv2d: the weight of shape %s has no elements", s2);
      else if (O % groups != 0)
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "conv2d: the weight of shape %s has %" G_GINT64_FORMAT " output channels, "
                     "which %" G_GINT64_FORMAT " groups do not divide", s2, O, groups);
      else
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "conv2d: the input of shape %s has %" G_GINT64_FORMAT " channels, but the "
                     "weight of shape %s with %" G_GINT64_FORMAT " groups expects %"
                     G_GINT64_FORMAT, s1, C, s2, groups, weight->shape[1] * groups);
      return NULL;
    }
  if (bias && (bias->ndim != 1 || bias->shape[0] != O))
    {
      g_autofree char *s1 = LT_SHAPE_STR (bias);
      g_autofree char *s2 = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv2d: the bias has shape %s, but the weight of shape %s needs a bias of "
                   "shape [%" G_GINT64_FORMAT "]", s1, s2, O);
      return NULL;
    }
  /* padding and dilation near 2^63 must not wrap around */
  if ((__int128) H + 2 * (__int128) padding[0] > G_MAXINT64 ||
      (__int128) W + 2 * (__int128) padding[1] > G_MAXINT64 ||
      (__int128) dilation[0] * (kh - 1) + 1 > G_MAXINT64 ||
      (__int128) dilation[1] * (kw - 1) + 1 > G_MAXINT64)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2 = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "conv2d: the padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ") or the dilation (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") of input %s "
                   "and weight %s makes a padded input or dilated filter past 64 bits",
                   padding[0], padding[1], dilation[0], dilation[1], s1, s2);
      return NULL;
    }
  eh = dilation[0] * (kh - 1) + 1;
  ew = dilation[1] * (kw - 1) + 1;
  if (H + 2 * padding[0] < eh || W + 2 * padding[1] < ew)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2 = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv2d: the padded input is %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   " (input %s) but the dilated filter is %" G_GINT64_FORMAT " x %"
                   G_GINT64_FORMAT " (weight %s): the filter cannot be larger than the image",
                   H + 2 * padding[0], W + 2 * padding[1], s1, eh, ew, s2);
      return NULL;
    }

  for (guint i = 0; i < 2; i++)
    {
      p.conv.stride[i] = stride[i];
      p.conv.padding[i] = padding[i];
      p.conv.dilation[i] = dilation[i];
    }
  p.conv.groups = groups;
  p.conv.relu = relu;
  oshape[0] = N;
  oshape[1] = O;
  oshape[2] = (H + 2 * padding[0] - eh) / stride[0] + 1;
  oshape[3] = (W + 2 * padding[1] - ew) / stride[1] + 1;
  if (!_lt_shape_check_alloc (oshape, 4, input->dtype, "conv2d", error))
    return NULL;

  cx = _lt_contiguous (input, error);
  cw = cx ? _lt_contiguous (weight, error) : NULL;
  if (cw == NULL)
    return NULL;
  if (bias && (cb = _lt_contiguous (bias, error)) == NULL)
    return NULL;
  xshape[0] = N;
  xshape[1] = C;
  xshape[2] = H;
  xshape[3] = W;
  x4 = batched ? g_object_ref (cx) : _lt_alias_shape (cx, xshape, 4);
  out = _lt_tensor_new_empty (oshape, 4, input->dtype, input->storage->device, error);
  if (out == NULL)
    return NULL;
  kin[0] = x4;
  kin[1] = cw;
  kin[2] = cb;
  if (!_lt_run (LT_OP_CONV2D, out, NULL, kin, bias ? 3 : 2, &p, error))
    return NULL;

  node = _lt_autograd_record (LT_OP_CONV2D, ts, bias ? 3 : 2);
  if (node)
    {
      node->params = p;
      /* the node is the convolution's: its gradients know no relu */
      node->params.conv.relu = FALSE;
      /* the weight's gradient needs the images, the images' the weight */
      _lt_autograd_save_args (node, kin, 3, NULL);
    }
  if (!batched)
    {
      LtTensor *o3 = _lt_alias_shape (out, oshape + 1, 3);

      g_object_unref (out);
      out = o3;
    }
  if (node && relu)
    {
      /* the convolution's output, before the ReLU, is the ReLU node's
       * input: a view of the result stands for it (its values are the
       * ReLU's, but only its place in the graph is used: the convolution's
       * rule reads the images and the weight, never its output) */
      g_autoptr(LtTensor) h = _lt_alias_shape (out, out->shape, out->ndim);
      LtGradFn *rnode;

      _lt_autograd_set_output (node, h);
      rnode = _lt_autograd_record (LT_OP_RELU, &h, 1);
      if (rnode)
        _lt_autograd_set_output (rnode, out);
    }
  else if (node)
    _lt_autograd_set_output (node, out);
  return g_steal_pointer (&out);
}

static guint64 conv2d_relu_runs;

guint64
_lt_conv2d_relu_runs (void)
{
  return __atomic_load_n (&conv2d_relu_runs, __ATOMIC_RELAXED);
}

gboolean
_lt_conv2d_relu_applies (LtTensor *input, LtTensor *weight, LtTensor *bias)
{
  LtDevice device = input->storage->device;

  /* bias_relu's kernel is the backend's sign that it fuses a ReLU into the
   * layer before it (tests take it out of the CUDA backend to compare with
   * the unfused path); what else the convolution refuses, it refuses with
   * its own errors */
  return (input->dtype == LT_DTYPE_FLOAT32 || input->dtype == LT_DTYPE_FLOAT64) &&
         weight->dtype == input->dtype && (bias == NULL || bias->dtype == input->dtype) &&
         weight->storage->device == device && (bias == NULL || bias->storage->device == device) &&
         _lt_backend_supports_op (device, LT_OP_BIAS_RELU, input->dtype);
}

LtTensor *
_lt_conv2d_relu (LtTensor     *input,
                 LtTensor     *weight,
                 LtTensor     *bias,
                 const gint64 *stride,
                 const gint64 *padding,
                 const gint64 *dilation,
                 gint64        groups,
                 GError      **error)
{
  g_return_val_if_fail (_lt_conv2d_relu_applies (input, weight, bias), NULL);
  __atomic_fetch_add (&conv2d_relu_runs, 1, __ATOMIC_RELAXED);
  return conv2d_run (input, weight, bias, stride, padding, dilation, groups, TRUE, error);
}

/**
 * lt_conv2d:
 * @input: the images, (N, C, H, W), or one image (C, H, W)
 * @weight: the filters, (O, C / @groups, kH, kW)
 * @bias: (nullable): the biases, (O), or %NULL for none
 * @stride: (array fixed-size=2) (nullable): the steps between windows
 *   along H and W; %NULL for (1, 1)
 * @padding: (array fixed-size=2) (nullable): the zeros added on both sides
 *   of H and W; %NULL for (0, 0)
 * @dilation: (array fixed-size=2) (nullable): the spacing between the
 *   elements of a filter; %NULL for (1, 1)
 * @groups: the number of groups: input channel group g meets only the
 *   output channels of group g (1 for an ordinary convolution, C for a
 *   depthwise one)
 * @error: return location for a #GError
 *
 * Applies a 2-D convolution (a cross-correlation, as
 * `torch.nn.functional.conv2d()`):
 * `out[n, o, y, x] = bias[o] + sum over c, i, j of weight[o, c, i, j] *
 * input[n, g * C / groups + c, y * stride[0] - padding[0] + i * dilation[0],
 * x * stride[1] - padding[1] + j * dilation[1]]`, where g is the group of
 * output channel o and the input is zero outside the image. The output is
 * (N, O, OH, OW) with
 * `OH = (H + 2 padding[0] - dilation[0] (kH - 1) - 1) / stride[0] + 1`
 * (rounded down), and likewise OW; an unbatched input gives (O, OH, OW).
 *
 * The CPU backend computes it as products of the filters and the images'
 * columns (the zero-padded image's rows, split into its phases at strides
 * above 1, or unfolded columns), one group and one or several images at a
 * time, cut into blocks of channels when the batch is too small to keep
 * every thread busy, with matrix kernels of its own for AVX-512, AVX2 or
 * the baseline rather than BLAS (float32 and float64). When an input requires grad the result
 * records a `ConvolutionBackward0` node.
 *
 * Errors (%LT_ERROR_SHAPE, %LT_ERROR_DTYPE, %LT_ERROR_DEVICE,
 * %LT_ERROR_INVALID_ARGUMENT): an input that is not 3-D or 4-D, a weight
 * that is not 4-D, channels that do not match @groups, a bias of the wrong
 * size, a filter larger than the padded image, a non-positive stride,
 * dilation or group count, negative padding, a dtype other than float32
 * and float64 or operands that differ in dtype or device.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set
 */
LtTensor *
lt_conv2d (LtTensor     *input,
           LtTensor     *weight,
           LtTensor     *bias,
           const gint64 *stride,
           const gint64 *padding,
           const gint64 *dilation,
           gint64        groups,
           GError      **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);
  return conv2d_run (input, weight, bias, stride, padding, dilation, groups, FALSE, error);
}

gboolean
_lt_backward_conv2d (LtGradFn  *node,
                     LtTensor  *g,
                     LtTensor **gi,
                     GError   **error)
{
  const LtTensorMeta *xm = &node->input_meta[0];
  const LtTensorMeta *wm = &node->input_meta[1];
  gboolean batched = xm->ndim == 4;
  gint64 x4[4], g4[4];
  g_autoptr(LtTensor) gc = NULL;
  g_autoptr(LtTensor) gy = NULL;

  gc = _lt_cast (g, xm->dtype, error);
  if (gc == NULL)
    return FALSE;
  if (!lt_tensor_is_contiguous (gc))
    {
      LtTensor *c = _lt_clone_raw (gc, error);

      if (c == NULL)
        return FALSE;
      g_object_unref (gc);
      gc = c;
    }
  if (batched)
    {
      memcpy (x4, xm->shape, sizeof x4);
      gy = g_object_ref (gc);
    }
  else
    {
      x4[0] = g4[0] = 1;
      memcpy (x4 + 1, xm->shape, 3 * sizeof (gint64));
      memcpy (g4 + 1, gc->shape, 3 * sizeof (gint64));
      gy = _lt_alias_shape (gc, g4, 4);
    }

  if (LT_NEEDS (0))
    {
      LT_SAVED (w, ARG1);
      g_autoptr(LtTensor) dx = _lt_tensor_new_empty (x4, 4, xm->dtype, xm->device, error);
      LtTensor *kin[2] = { gy, w };

      if (dx == NULL ||
          !_lt_run (LT_OP_CONV2D_GRAD_INPUT, dx, NULL, kin, 2, &node->params, error))
        return FALSE;
      _lt_autograd_not_twice (node, dx, kin, 2); /* no double backward yet */
      gi[0] = batched ? g_steal_pointer (&dx) : _lt_alias_shape (dx, xm->shape, 3);
    }
  if (LT_NEEDS (1))
    {
      LT_SAVED (x, ARG0);
      gint64 O = wm->shape[0];
      g_autoptr(LtTensor) dw = _lt_tensor_new_empty (wm->shape, 4, xm->dtype, xm->device, error);
      g_autoptr(LtTensor) db = NULL;
      LtTensor *kin[2] = { x, gy };

      if (dw == NULL)
        return FALSE;
      if (LT_NEEDS (2) && (db = _lt_tensor_new_empty (&O, 1, xm->dtype, xm->device, error)) == NULL)
        return FALSE;
      if (!_lt_run (LT_OP_CONV2D_GRAD_WEIGHT, dw, db, kin, 2, &node->params, error))
        return FALSE;
      _lt_autograd_not_twice (node, dw, kin, 2);
      if (db)
        _lt_autograd_not_twice (node, db, &gy, 1);
      gi[1] = g_steal_pointer (&dw);
      if (db)
        gi[2] = g_steal_pointer (&db);
    }
  else if (LT_NEEDS (2))
    {
      static const gint dims[3] = { 0, 2, 3 };

      gi[2] = lt_tensor_sum_dims (gy, dims, 3, FALSE, error);
      if (gi[2] == NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * lt_conv_transpose2d:
 * @input: the images, (N, C, H, W), or one image (C, H, W)
 * @weight: the filters, (C, O / @groups, kH, kW)
 * @bias: (nullable): the biases, (O), or %NULL for none
 * @stride: (array fixed-size=2) (nullable): the stride of the convolution
 *   this op is the gradient of; %NULL for (1, 1)
 * @padding: (array fixed-size=2) (nullable): the rows and columns taken
 *   off both sides of the output; %NULL for (0, 0)
 * @output_padding: (array fixed-size=2) (nullable): the rows and columns
 *   added to one side of the output; %NULL for (0, 0)
 * @dilation: (array fixed-size=2) (nullable): the spacing between the
 *   elements of a filter; %NULL for (1, 1)
 * @groups: the number of groups (1 for an ordinary transposed convolution)
 * @error: return location for a #GError
 *
 * Applies a 2-D transposed convolution, as
 * `torch.nn.functional.conv_transpose2d()`: the gradient of lt_conv2d()
 * with respect to its input, each input pixel spreading its values
 * weighted by the filter over the output:
 * `out[n, g * O / groups + o, y * stride[0] - padding[0] + i * dilation[0],
 * x * stride[1] - padding[1] + j * dilation[1]] += input[n, c, y, x] *
 * weight[c, o, i, j]` (c in group g), plus `bias[o]`. The output is
 * (N, O, OH, OW) with `OH = (H - 1) stride[0] - 2 padding[0] +
 * dilation[0] (kH - 1) + output_padding[0] + 1`, and likewise OW; an
 * unbatched input gives (O, OH, OW). When an input requires grad the
 * result records a `ConvolutionBackward0` node.
 *
 * Errors (%LT_ERROR_SHAPE, %LT_ERROR_DTYPE, %LT_ERROR_DEVICE,
 * %LT_ERROR_INVALID_ARGUMENT): an input that is not 3-D or 4-D, a weight
 * that is not 4-D, input channels other than the weight's first size or
 * not divisible by @groups, a bias of the wrong size, an output of no rows
 * or columns, a non-positive stride, dilation or group count, negative
 * padding, an output padding not smaller than the stride or the dilation,
 * a dtype other than float32 and float64 or operands that differ in dtype
 * or device.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set
 */
LtTensor *
lt_conv_transpose2d (LtTensor     *input,
                     LtTensor     *weight,
                     LtTensor     *bias,
                     const gint64 *stride,
                     const gint64 *padding,
                     const gint64 *output_padding,
                     const gint64 *dilation,
                     gint64        groups,
                     GError      **error)
{
  static const gint64 ones[2] = { 1, 1 }, zeros[2] = { 0, 0 };
  LtTensor           *ts[3] = { input, weight, bias };
  LtOpParams          p;
  gboolean            batched;
  gint64              N, C, H, W, O, oshape[4], xshape[4];
  __int128            osize[2];
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) x4 = NULL;
  g_autoptr(LtTensor) cw = NULL;
  g_autoptr(LtTensor) cb = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtTensor *kin[3];
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);

  memset (&p, 0, sizeof p);
  stride = stride ? stride : ones;
  padding = padding ? padding : zeros;
  output_padding = output_padding ? output_padding : zeros;
  dilation = dilation ? dilation : ones;

  if (input->ndim != 3 && input->ndim != 4)
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv_transpose2d: expected a 3-D (unbatched) or 4-D (batched) input, got "
                   "shape %s",
                   s);
      return NULL;
    }
  if (weight->ndim != 4)
    {
      g_autofree char *s = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv_transpose2d: expected a 4-D weight (in_channels, out_channels / groups, "
                   "kH, kW), got shape %s",
                   s);
      return NULL;
    }
  if (input->dtype != LT_DTYPE_FLOAT32 && input->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "conv_transpose2d: expected a float32 or float64 input, got %s",
                   lt_dtype_get_name (input->dtype));
      return NULL;
    }
  if (weight->dtype != input->dtype || (bias && bias->dtype != input->dtype))
    {
      LtTensor *bad = weight->dtype != input->dtype ? weight : bias;

      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "conv_transpose2d: the %s is %s but the input is %s; they must have the same "
                   "dtype",
                   bad == weight ? "weight" : "bias", lt_dtype_get_name (bad->dtype),
                   lt_dtype_get_name (input->dtype));
      return NULL;
    }
  if (!_lt_check_devices ("conv_transpose2d", ts, bias ? 3 : 2, error))
    return NULL;
  for (guint i = 0; i < 2; i++)
    if (stride[i] < 1 || padding[i] < 0 || dilation[i] < 1 || output_padding[i] < 0 ||
        (output_padding[i] >= stride[i] && output_padding[i] >= dilation[i]))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "conv_transpose2d: stride (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") and dilation (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") must be positive, padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") and output_padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") not negative, and the output padding smaller than either the stride or "
                     "the dilation",
                     stride[0], stride[1], dilation[0], dilation[1], padding[0], padding[1],
                     output_padding[0], output_padding[1]);
        return NULL;
      }
  if (groups < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "conv_transpose2d: groups (%" G_GINT64_FORMAT ") must be positive", groups);
      return NULL;
    }

  batched = input->ndim == 4;
  N = batched ? input->shape[0] : 1;
  C = input->shape[batched ? 1 : 0];
  H = input->shape[batched ? 2 : 1];
  W = input->shape[batched ? 3 : 2];
  O = weight->shape[1] * groups;
  if (weight->numel == 0 || weight->shape[0] % groups != 0 || weight->shape[0] != C)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2 = LT_SHAPE_STR (weight);

      if (weight->numel == 0)
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "conv_transpose2d: the weight of shape %s has no elements", s2);
      else if (weight->shape[0] % groups != 0)
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "conv_transpose2d: the weight of shape %s has %" G_GINT64_FORMAT
                     " input channels, which %" G_GINT64_FORMAT " groups do not divide",
                     s2, weight->shape[0], groups);
      else
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "conv_transpose2d: the input of shape %s has %" G_GINT64_FORMAT
                     " channels, but the weight of shape %s expects %" G_GINT64_FORMAT,
                     s1, C, s2, weight->shape[0]);
      return NULL;
    }
  if (bias && (bias->ndim != 1 || bias->shape[0] != O))
    {
      g_autofree char *s1 = LT_SHAPE_STR (bias);
      g_autofree char *s2 = LT_SHAPE_STR (weight);
      g_set_error (
        error, LT_ERROR, LT_ERROR_SHAPE,
        "conv_transpose2d: the bias has shape %s, but the weight of shape %s with %" G_GINT64_FORMAT
        " groups needs a bias of shape [%" G_GINT64_FORMAT "]",
        s1, s2, groups, O);
      return NULL;
    }
  for (guint i = 0; i < 2; i++)
    osize[i] = ((__int128) (i ? W : H) - 1) * stride[i] - 2 * (__int128) padding[i] +
               (__int128) dilation[i] * (weight->shape[2 + i] - 1) + output_padding[i] + 1;
  if (osize[0] < 1 || osize[1] < 1 || osize[0] > G_MAXINT64 || osize[1] > G_MAXINT64)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2 = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv_transpose2d: the input %s and weight %s with stride (%" G_GINT64_FORMAT
                   ", %" G_GINT64_FORMAT "), padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   "), output_padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ") and dilation (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ") give an output %s: it must have at least one row and column",
                   s1, s2, stride[0], stride[1], padding[0], padding[1], output_padding[0],
                   output_padding[1], dilation[0], dilation[1],
                   osize[0] < 1 || osize[1] < 1 ? "without rows or columns" : "past 64 bits");
      return NULL;
    }

  for (guint i = 0; i < 2; i++)
    {
      p.conv.stride[i] = stride[i];
      p.conv.padding[i] = padding[i];
      p.conv.dilation[i] = dilation[i];
      p.conv.output_padding[i] = output_padding[i];
    }
  p.conv.groups = groups;
  oshape[0] = N;
  oshape[1] = O;
  oshape[2] = (gint64) osize[0];
  oshape[3] = (gint64) osize[1];
  if (!_lt_shape_check_alloc (oshape, 4, input->dtype, "conv_transpose2d", error))
    return NULL;

  cx = _lt_contiguous (input, error);
  cw = cx ? _lt_contiguous (weight, error) : NULL;
  if (cw == NULL)
    return NULL;
  if (bias && (cb = _lt_contiguous (bias, error)) == NULL)
    return NULL;
  xshape[0] = N;
  xshape[1] = C;
  xshape[2] = H;
  xshape[3] = W;
  x4 = batched ? g_object_ref (cx) : _lt_alias_shape (cx, xshape, 4);
  out = _lt_tensor_new_empty (oshape, 4, input->dtype, input->storage->device, error);
  if (out == NULL)
    return NULL;
  /* the input's gradient of a convolution from the output's O channels to
   * the input's C: weight (C, O / groups, kH, kW) is that convolution's */
  kin[0] = x4;
  kin[1] = cw;
  kin[2] = cb;
  if (!_lt_run (LT_OP_CONV2D_GRAD_INPUT, out, NULL, kin, 2, &p, error))
    return NULL;
  if (cb)
    {
      gint64 bshape[4] = { 1, O, 1, 1 };
      g_autoptr(LtTensor) b4 = _lt_alias_shape (cb, bshape, 4);
      LtTensor *ain[2] = { out, b4 };

      if (!_lt_run (LT_OP_ADD, out, NULL, ain, 2, NULL, error))
        return NULL;
    }

  node = _lt_autograd_record (LT_OP_CONV_TRANSPOSE2D, ts, bias ? 3 : 2);
  if (node)
    {
      node->params = p;
      /* the weight's gradient needs the images, the images' the weight */
      _lt_autograd_save_args (node, kin, 3, NULL);
    }
  if (!batched)
    {
      LtTensor *o3 = _lt_alias_shape (out, oshape + 1, 3);

      g_object_unref (out);
      out = o3;
    }
  if (node)
    _lt_autograd_set_output (node, out);
  return g_steal_pointer (&out);
}

gboolean
_lt_backward_conv_transpose2d (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  const LtTensorMeta *xm = &node->input_meta[0];
  const LtTensorMeta *wm = &node->input_meta[1];
  const LtConvParams *cp = &node->params.conv;
  gboolean            batched = xm->ndim == 4;
  gint64              g4[4];
  g_autoptr(LtTensor) gc = NULL;
  g_autoptr(LtTensor) gy = NULL;

  gc = _lt_cast (g, xm->dtype, error);
  if (gc == NULL)
    return FALSE;
  if (!lt_tensor_is_contiguous (gc))
    {
      LtTensor *c = _lt_clone_raw (gc, error);

      if (c == NULL)
        return FALSE;
      g_object_unref (gc);
      gc = c;
    }
  if (batched)
    gy = g_object_ref (gc);
  else
    {
      g4[0] = 1;
      memcpy (g4 + 1, gc->shape, 3 * sizeof (gint64));
      gy = _lt_alias_shape (gc, g4, 4);
    }

  if (LT_NEEDS (0))
    {
      LT_SAVED (w, ARG1);
      gint64 H = xm->shape[batched ? 2 : 1], W = xm->shape[batched ? 3 : 2];
      g_autoptr(LtTensor) dx = NULL;
      g_autoptr(LtTensor) dxh = NULL;
      g_autoptr(LtTensor) dxw = NULL;

      /* a convolution of the output's gradient; an output padding at least
       * the stride (below the dilation) gives it rows the input lacks */
      dx = lt_conv2d (gy, w, NULL, cp->stride, cp->padding, cp->dilation, cp->groups, error);
      if (dx == NULL)
        return FALSE;
      if (dx->shape[2] != H || dx->shape[3] != W)
        {
          dxh = lt_tensor_narrow (dx, 2, 0, H, error);
          dxw = dxh ? lt_tensor_narrow (dxh, 3, 0, W, error) : NULL;
          if (dxw == NULL)
            return FALSE;
          g_object_unref (dx);
          dx = lt_tensor_contiguous (dxw, error);
          if (dx == NULL)
            return FALSE;
        }
      gi[0] = batched ? g_steal_pointer (&dx) : _lt_alias_shape (dx, xm->shape, 3);
    }
  if (LT_NEEDS (1))
    {
      LT_SAVED (x, ARG0);
      g_autoptr(LtTensor) dw = _lt_tensor_new_empty (wm->shape, 4, xm->dtype, xm->device, error);
      LtTensor *kin[2] = { gy, x };

      /* the weight's gradient of the convolution from the output's
       * gradient to the input */
      if (dw == NULL || !_lt_run (LT_OP_CONV2D_GRAD_WEIGHT, dw, NULL, kin, 2, &node->params, error))
        return FALSE;
      _lt_autograd_not_twice (node, dw, kin, 2); /* no double backward yet */
      gi[1] = g_steal_pointer (&dw);
    }
  if (LT_NEEDS (2))
    {
      static const gint dims[3] = { 0, 2, 3 };

      gi[2] = lt_tensor_sum_dims (gy, dims, 3, FALSE, error);
      if (gi[2] == NULL)
        return FALSE;
    }
  return TRUE;
}

/**
 * lt_conv1d:
 * @input: the sequences, (N, C, L), or one sequence (C, L)
 * @weight: the filters, (O, C / @groups, k)
 * @bias: (nullable): the biases, (O), or %NULL for none
 * @stride: the step between windows
 * @padding: the zeros added on both ends
 * @dilation: the spacing between the elements of a filter
 * @groups: the number of groups (1 for an ordinary convolution)
 * @error: return location for a #GError
 *
 * Applies a 1-D convolution, as `torch.nn.functional.conv1d()`: lt_conv2d()
 * on the sequences as images one row high, with filters one row high. The
 * output is (N, O, OL), `OL = (L + 2 padding - dilation (k - 1) - 1) /
 * stride + 1` (rounded down), or (O, OL) for an unbatched input.
 *
 * Errors: those of lt_conv2d(), and %LT_ERROR_SHAPE for an input that is
 * not 2-D or 3-D or a weight that is not 3-D.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set
 */
LtTensor *
lt_conv1d (LtTensor *input,
           LtTensor *weight,
           LtTensor *bias,
           gint64    stride,
           gint64    padding,
           gint64    dilation,
           gint64    groups,
           GError  **error)
{
  gint64 s2[2] = { 1, stride }, p2[2] = { 0, padding }, d2[2] = { 1, dilation };
  g_autoptr(LtTensor) x2 = NULL;
  g_autoptr(LtTensor) w2 = NULL;
  g_autoptr(LtTensor) y2 = NULL;
  LtTensor *y;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (bias == NULL || LT_IS_TENSOR (bias), NULL);

  if ((input->ndim != 2 && input->ndim != 3) || weight->ndim != 3)
    {
      g_autofree char *s1 = LT_SHAPE_STR (input);
      g_autofree char *s2s = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "conv1d: expected a 2-D (unbatched) or 3-D (batched) input and a 3-D weight "
                   "(out_channels, in_channels / groups, kernel_size), got shapes %s and %s",
                   s1, s2s);
      return NULL;
    }
  x2 = lt_tensor_unsqueeze (input, -2, error);
  w2 = x2 ? lt_tensor_unsqueeze (weight, -2, error) : NULL;
  if (w2 == NULL)
    return NULL;
  y2 = lt_conv2d (x2, w2, bias, s2, p2, d2, groups, error);
  if (y2 == NULL)
    {
      g_prefix_error (error, "conv1d: ");
      return NULL;
    }
  y = lt_tensor_squeeze_dim (y2, -2, error);
  return y;
}
