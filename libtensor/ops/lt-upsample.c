/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-upsample.h"

/*
 * Resampling of (N, C, H, W) images, as `torch.nn.functional.interpolate`
 * with mode "nearest" and "bilinear": each is linear along each axis, so
 * the result is A_h x A_w^T with interpolation matrices A_h (out_h, H) and
 * A_w (out_w, W) computed as PyTorch 1.13's kernels pick their source
 * pixels and weights (aten/src/ATen/native/UpSample.h). The forward runs
 * the two products with grad mode off and records one node
 * (UpsampleNearest2DBackward1, UpsampleBilinear2DBackward1) whose backward
 * is A_h^T g A_w.
 */

/* PyTorch's area_pixel_compute_scale and compute_scales_value */
static double
axis_scale (gint64 in, gint64 out, double given, gboolean bilinear, gboolean align_corners)
{
  if (bilinear && align_corners)
    return out > 1 ? (double) (in - 1) / (double) (out - 1) : 0.0;
  return given > 0 ? 1.0 / given : (double) in / (double) out;
}

/* The (out, in) matrix of one axis, in @dtype on @device */
static LtTensor *
axis_matrix (LtOp     op,
             gint64   in,
             gint64   out,
             double   given,
             gboolean align_corners,
             LtDType  dtype,
             LtDevice device,
             GError **error)
{
  gboolean           bilinear = op == LT_OP_UPSAMPLE_BILINEAR2D;
  g_autofree double *m = g_new0 (double, MAX (in * out, 1));
  gint64             shape[2] = { out, in };
  g_autoptr(LtTensor) t = NULL;
  g_autoptr(LtTensor) typed = NULL;

  if (!bilinear)
    {
      /* nearest: floor (dst * scale), the scale in float as PyTorch's */
      float scale = (float) axis_scale (in, out, given, FALSE, FALSE);

      for (gint64 d = 0; d < out; d++)
        {
          gint64 s = out == in ? d : MIN ((gint64) floorf ((float) d * scale), in - 1);

          m[d * in + s] = 1.0;
        }
    }
  else
    {
      double scale = axis_scale (in, out, given, TRUE, align_corners);

      for (gint64 d = 0; d < out; d++)
        {
          double src = align_corners ? scale * d : MAX (scale * (d + 0.5) - 0.5, 0.0);
          gint64 i0 = MIN ((gint64) src, in - 1);
          gint64 i1 = i0 + (i0 < in - 1 ? 1 : 0);
          double l1 = MIN (src - (double) i0, 1.0);

          m[d * in + i0] += 1.0 - l1;
          m[d * in + i1] += l1;
        }
    }
  t = lt_tensor_new_from_data (m, in * out * sizeof (double), shape, 2, LT_DTYPE_FLOAT64, error);
  typed = t ? lt_tensor_to_dtype (t, dtype, error) : NULL;
  return typed ? lt_tensor_to_device (typed, device, error) : NULL;
}

/* A_h @ x @ A_w^T, or with @transposed A_h^T @ x @ A_w */
static LtTensor *
resample (LtOp op, const LtUpsampleParams *p, LtTensor *x, gboolean transposed, GError **error)
{
  g_autoptr(LtTensor) ah = axis_matrix (op, p->in_h, p->out_h, p->scale_h, p->align_corners,
                                         x->dtype, x->storage->device, error);
  g_autoptr(LtTensor) aw = ah ? axis_matrix (op, p->in_w, p->out_w, p->scale_w, p->align_corners,
                                              x->dtype, x->storage->device, error)
                               : NULL;
  g_autoptr(LtTensor) left = NULL;
  g_autoptr(LtTensor) right = NULL;
  g_autoptr(LtTensor) xw = NULL;

  if (aw == NULL)
    return NULL;
  left = transposed ? lt_tensor_t (ah, error) : g_object_ref (ah);
  right = left ? (transposed ? g_object_ref (aw) : lt_tensor_t (aw, error)) : NULL;
  xw = right ? lt_tensor_matmul (x, right, error) : NULL;
  return xw ? lt_tensor_matmul (left, xw, error) : NULL;
}

static LtTensor *
upsample (LtOp      op,
          LtTensor *input,
          gint64    out_h,
          gint64    out_w,
          gboolean  align_corners,
          double    scale_h,
          double    scale_w,
          GError  **error)
{
  const char *name = _lt_op_table[op].name;
  g_autoptr(LtTensor) out = NULL;
  LtUpsampleParams p;
  LtGradFn        *node;
  gboolean         prev;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (input->ndim != 4 || !_lt_dtype_is_float (input->dtype))
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, input->ndim != 4 ? LT_ERROR_SHAPE : LT_ERROR_DTYPE,
                   "%s: the input must be a floating-point (N, C, H, W) tensor, not %s of "
                   "shape %s",
                   name, lt_dtype_get_name (input->dtype), s);
      return NULL;
    }
  if (out_h < 1 || out_w < 1 || input->shape[2] < 1 || input->shape[3] < 1 || !(scale_h >= 0) ||
      !(scale_w >= 0) || !isfinite (scale_h) || !isfinite (scale_w))
    {
      g_autofree char *s = LT_SHAPE_STR (input);
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the input (shape %s) and output sizes (%" G_GINT64_FORMAT
                   ", %" G_GINT64_FORMAT
                   ") must be positive, and scales finite and positive (%g, %g)",
                   name, s, out_h, out_w, scale_h, scale_w);
      return NULL;
    }
  p = (LtUpsampleParams){ .in_h = input->shape[2],
                          .in_w = input->shape[3],
                          .out_h = out_h,
                          .out_w = out_w,
                          .scale_h = scale_h,
                          .scale_w = scale_w,
                          .align_corners = align_corners };
  prev = lt_set_grad_enabled (FALSE);
  out = resample (op, &p, input, FALSE, error);
  lt_set_grad_enabled (prev);
  if (out == NULL)
    return NULL;
  node = _lt_autograd_record (op, &input, 1);
  if (node)
    {
      node->params.upsample = p;
      _lt_autograd_save_args (node, &input, 1, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

gboolean
_lt_backward_upsample (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = resample (node->op, &node->params.upsample, g, TRUE, error)) != NULL;
}

/**
 * lt_interpolate_nearest2d:
 * @input: a floating-point (N, C, H, W) tensor
 * @out_h: the output height
 * @out_w: the output width
 * @scale_h: the scale factor that gave @out_h, or 0 when the size was
 *   given (PyTorch then picks source rows by the ratio of the sizes)
 * @scale_w: the same for the width
 * @error: return location for a #GError
 *
 * Resizes images by copying the nearest pixel, as
 * `torch.nn.functional.interpolate (mode="nearest")`: output pixel d takes
 * source pixel `min (floor (d * scale), size - 1)`, scale being 1 /
 * @scale_h or H / @out_h. Its node is `UpsampleNearest2DBackward1`.
 *
 * Returns: (transfer full) (nullable): the (N, C, @out_h, @out_w) result,
 *   or %NULL with @error set for another shape, an integer input or sizes
 *   below 1
 */
LtTensor *
lt_interpolate_nearest2d (LtTensor *input,
                          gint64    out_h,
                          gint64    out_w,
                          double    scale_h,
                          double    scale_w,
                          GError  **error)
{
  return upsample (LT_OP_UPSAMPLE_NEAREST2D, input, out_h, out_w, FALSE, scale_h, scale_w, error);
}

/**
 * lt_interpolate_bilinear2d:
 * @input: a floating-point (N, C, H, W) tensor
 * @out_h: the output height
 * @out_w: the output width
 * @align_corners: align the corner pixels' centres of input and output
 *   (PyTorch's align_corners=True) instead of their outer edges
 * @scale_h: the scale factor that gave @out_h, or 0 when the size was
 *   given
 * @scale_w: the same for the width
 * @error: return location for a #GError
 *
 * Resizes images by bilinear interpolation, as
 * `torch.nn.functional.interpolate (mode="bilinear")`. Its node is
 * `UpsampleBilinear2DBackward1`.
 *
 * Returns: (transfer full) (nullable): the (N, C, @out_h, @out_w) result,
 *   or %NULL with @error set for another shape, an integer input or sizes
 *   below 1
 */
LtTensor *
lt_interpolate_bilinear2d (LtTensor *input,
                           gint64    out_h,
                           gint64    out_w,
                           gboolean  align_corners,
                           double    scale_h,
                           double    scale_w,
                           GError  **error)
{
  return upsample (LT_OP_UPSAMPLE_BILINEAR2D, input, out_h, out_w, align_corners, scale_h, scale_w,
                   error);
}
