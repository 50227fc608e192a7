/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

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

/*
 * lt_interpolate(): every mode of `torch.nn.functional.interpolate`, for 1
 * to 3 spatial dimensions, and (lt_interpolate_full()) the antialiased
 * bilinear and bicubic resampling. Each mode is separable: along each
 * spatial axis it is a (out, in) matrix of weights, built here as PyTorch
 * 1.13's kernels pick their source indices and weights ("area" is adaptive
 * average pooling: the mean of each output cell's input window), and
 * applied as a product along that axis. The products are ordinary
 * differentiable ops, so the gradient is the transposed application of the
 * same tables.
 */

typedef enum
{
  MODE_NEAREST,
  MODE_NEAREST_EXACT,
  MODE_LINEAR,
  MODE_CUBIC,
  MODE_AREA,
} InterpMode;

/* The filters of the antialiased modes (PyTorch's aa_filter, after
 * Pillow): the triangle, and the cubic convolution with A = -0.5 */
static double
aa_linear (double x)
{
  x = fabs (x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

static double
aa_cubic (double x)
{
  const double a = -0.5;

  x = fabs (x);
  if (x < 1.0)
    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0)
    return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

/* The (out, in) weights of one axis of the antialiased modes
 * (_upsample_bilinear2d_aa, _upsample_bicubic2d_aa): each output takes the
 * inputs within the filter's support, widened by the scale when
 * downsampling, with weights normalized to sum to 1 */
static void
aa_axis_table (InterpMode mode,
               gint64     in,
               gint64     out,
               double     given,
               gboolean   align_corners,
               double    *m)
{
  double interp_size = mode == MODE_CUBIC ? 4.0 : 2.0;
  double scale, support, invscale;

  /* area_pixel_compute_scale */
  if (align_corners)
    scale = out > 1 ? (double) (in - 1) / (double) (out - 1) : 0.0;
  else
    scale = given > 0 ? 1.0 / given : (double) in / (double) out;
  support = scale >= 1.0 ? interp_size * 0.5 * scale : interp_size * 0.5;
  invscale = scale >= 1.0 ? 1.0 / scale : 1.0;
  for (gint64 d = 0; d < out; d++)
    {
      double center = scale * ((double) d + 0.5);
      double total = 0.0;
      gint64 xmin = MAX ((gint64) (center - support + 0.5), 0);
      gint64 xmax = MIN ((gint64) (center + support + 0.5), in);

      for (gint64 j = xmin; j < xmax; j++)
        {
          double x = ((double) j - center + 0.5) * invscale;
          double w = mode == MODE_CUBIC ? aa_cubic (x) : aa_linear (x);

          m[d * in + j] = w;
          total += w;
        }
      if (total != 0.0)
        for (gint64 j = xmin; j < xmax; j++)
          m[d * in + j] /= total;
    }
}

/* PyTorch's cubic convolution with A = -0.75 (upsample_bicubic2d) */
static double
cubic_weight (double x)
{
  const double a = -0.75;

  x = fabs (x);
  if (x <= 1.0)
    return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2.0)
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0.0;
}

/* The (out, in) weights of one axis, in float64 */
static void
interp_axis_table (InterpMode mode,
                   gint64     in,
                   gint64     out,
                   double     given,
                   gboolean   align_corners,
                   double    *m)
{
  if (mode == MODE_AREA)
    {
      /* adaptive average pooling: output d averages the inputs from
       * floor (d in / out) to ceil ((d + 1) in / out) */
      for (gint64 d = 0; d < out; d++)
        {
          gint64 start = d * in / out, end = ((d + 1) * in + out - 1) / out;

          for (gint64 j = start; j < end; j++)
            m[d * in + j] = 1.0 / (double) (end - start);
        }
      return;
    }
  if (mode == MODE_NEAREST || mode == MODE_NEAREST_EXACT)
    {
      /* compute_scales_value<float>: the scale in float as PyTorch's */
      float  scale = given > 0 ? (float) (1.0 / given) : (float) in / (float) out;
      double off = mode == MODE_NEAREST_EXACT ? 0.5 : 0.0;

      for (gint64 d = 0; d < out; d++)
        {
          gint64 s;

          if (mode == MODE_NEAREST && out == in)
            s = d;
          else if (mode == MODE_NEAREST && out == 2 * in)
            s = d >> 1;
          else
            s = MIN ((gint64) floorf ((float) (((double) d + off) * scale)), in - 1);
          m[d * in + s] = 1.0;
        }
      return;
    }
  for (gint64 d = 0; d < out; d++)
    {
      double scale, src;

      /* area_pixel_compute_scale and area_pixel_compute_source_index */
      if (align_corners)
        scale = out > 1 ? (double) (in - 1) / (double) (out - 1) : 0.0;
      else
        scale = given > 0 ? 1.0 / given : (double) in / (double) out;
      src = align_corners ? scale * (double) d : scale * ((double) d + 0.5) - 0.5;
      if (mode == MODE_LINEAR)
        {
          gint64 i0, i1;
          double l1;

          src = MAX (src, 0.0);
          i0 = MIN ((gint64) src, in - 1);
          i1 = i0 + (i0 < in - 1 ? 1 : 0);
          l1 = MIN (src - (double) i0, 1.0);
          m[d * in + i0] += 1.0 - l1;
          m[d * in + i1] += l1;
        }
      else
        {
          /* four taps around floor (src), indices clamped to the border */
          gint64 i = (gint64) floor (src);
          double t = src - (double) i;

          for (gint64 k = -1; k <= 2; k++)
            {
              gint64 s = CLAMP (i + k, 0, in - 1);

              m[d * in + s] += cubic_weight ((double) k - t);
            }
        }
    }
}

/* Applies the (out, in) table @a along dimension @dim of @x */
static LtTensor *
apply_along (LtTensor *x, LtTensor *a, guint dim, GError **error)
{
  gint64             outer = 1, inner = 1, in = x->shape[dim], out = a->shape[0];
  gint64             shape[3];
  g_autofree gint64 *result = g_new (gint64, x->ndim);
  g_autoptr(LtTensor) flat = NULL;
  g_autoptr(LtTensor) prod = NULL;

  for (guint i = 0; i < dim; i++)
    outer *= x->shape[i];
  for (guint i = dim + 1; i < x->ndim; i++)
    inner *= x->shape[i];
  for (guint i = 0; i < x->ndim; i++)
    result[i] = i == dim ? out : x->shape[i];
  shape[0] = outer;
  shape[1] = in;
  shape[2] = inner;
  flat = lt_tensor_reshape (x, shape, 3, error);
  prod = flat ? lt_tensor_matmul (a, flat, error) : NULL;
  return prod ? lt_tensor_reshape (prod, result, x->ndim, error) : NULL;
}

/**
 * lt_interpolate:
 * @input: a floating-point (N, C, d1[, d2[, d3]]) tensor
 * @mode: "nearest", "nearest-exact", "linear" (3-D input), "bilinear"
 *   (4-D), "bicubic" (4-D), "trilinear" (5-D) or "area"
 * @size: (array length=n_size): the output size of each spatial dimension
 * @n_size: the number of spatial dimensions, the rank of @input less 2
 * @scale_factors: (array length=n_scale_factors) (nullable): the scale
 *   factor that gave each output size, 0 where the size was given (PyTorch
 *   then maps coordinates by the ratio of the sizes); %NULL for all 0
 * @n_scale_factors: 0 or @n_size
 * @align_corners: for the interpolating modes, align the corner pixels'
 *   centres of input and output (PyTorch's align_corners=True) instead of
 *   their outer edges; must be %FALSE for the nearest modes and "area"
 * @error: return location for a #GError
 *
 * Resizes the spatial dimensions of @input, as
 * `torch.nn.functional.interpolate (input, size, scale_factor, mode,
 * align_corners)` in PyTorch 1.13 (whose Python layer computes @size as
 * `floor (in * scale)` from a scale factor and passes the factor on unless
 * recompute_scale_factor is set). Source coordinates, weights and borders
 * are PyTorch's: "nearest" takes `floor (d * scale)`, "nearest-exact"
 * `floor ((d + 0.5) * scale)`, the linear modes interpolate between the two
 * neighbours, "bicubic" uses the cubic convolution with A = -0.75 over four
 * neighbours clamped to the border, "area" averages each output cell's
 * window of the input as adaptive average pooling (the scale factors only
 * gave the sizes). Each mode is applied along one axis at
 * a time as a product with a constant table of weights, so the result is
 * differentiable with respect to @input.
 *
 * Returns: (transfer full) (nullable): the resized tensor, or %NULL with
 *   @error set for an unknown mode, a mode on the wrong rank, an integer
 *   input, sizes below 1, scale factors that are negative or not finite,
 *   or @align_corners with a nearest mode or "area"
 */
LtTensor *
lt_interpolate (LtTensor     *input,
                const char   *mode,
                const gint64 *size,
                gsize         n_size,
                const double *scale_factors,
                gsize         n_scale_factors,
                gboolean      align_corners,
                GError      **error)
{
  return lt_interpolate_full (input, mode, size, n_size, scale_factors, n_scale_factors,
                              align_corners, FALSE, error);
}

/**
 * lt_interpolate_full:
 * @input: a floating-point (N, C, d1[, d2[, d3]]) tensor
 * @mode: a mode of lt_interpolate()
 * @size: (array length=n_size): the output size of each spatial dimension
 * @n_size: the number of spatial dimensions, the rank of @input less 2
 * @scale_factors: (array length=n_scale_factors) (nullable): the scale
 *   factor that gave each output size, 0 where the size was given; %NULL
 *   for all 0
 * @n_scale_factors: 0 or @n_size
 * @align_corners: as lt_interpolate() takes it
 * @antialias: resample with PyTorch's antialiasing filter (the modes
 *   "bilinear" and "bicubic" on a 4-D input only)
 * @error: return location for a #GError
 *
 * lt_interpolate() with PyTorch's `antialias` argument: with @antialias,
 * "bilinear" and "bicubic" weigh every input within the filter's support,
 * which grows with the scale when downsampling (a triangle, or the cubic
 * convolution with A = -0.5, as Pillow and PyTorch's
 * `_upsample_bilinear2d_aa` and `_upsample_bicubic2d_aa`), with weights
 * that sum to 1. Differentiable with respect to @input.
 *
 * Returns: (transfer full) (nullable): the resized tensor, or %NULL with
 *   @error set as lt_interpolate(), or for @antialias with another mode
 */
LtTensor *
lt_interpolate_full (LtTensor     *input,
                     const char   *mode,
                     const gint64 *size,
                     gsize         n_size,
                     const double *scale_factors,
                     gsize         n_scale_factors,
                     gboolean      align_corners,
                     gboolean      antialias,
                     GError      **error)
{
  static const struct
  {
    const char *name;
    InterpMode  mode;
    guint       ndim; /* 0: any of 3, 4, 5 */
  } modes[] = {
    { "nearest", MODE_NEAREST, 0 },  { "nearest-exact", MODE_NEAREST_EXACT, 0 },
    { "linear", MODE_LINEAR, 3 },    { "bilinear", MODE_LINEAR, 4 },
    { "trilinear", MODE_LINEAR, 5 }, { "bicubic", MODE_CUBIC, 4 },
    { "area", MODE_AREA, 0 },
  };
  g_autoptr(LtTensor) x = NULL;
  g_autofree char *s = NULL;
  gint             found = -1;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  s = LT_SHAPE_STR (input);
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    if (mode != NULL && strcmp (mode, modes[i].name) == 0)
      found = (gint) i;
  if (found < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "interpolate: mode \"%s\" is not supported (nearest, nearest-exact, linear, "
                   "bilinear, bicubic, trilinear, area)",
                   mode ? mode : "(null)");
      return NULL;
    }
  if (input->ndim < 3 || input->ndim > 5 ||
      (modes[found].ndim != 0 && input->ndim != modes[found].ndim))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "interpolate: mode \"%s\" needs a %s input, not one of shape %s", mode,
                   modes[found].ndim == 3   ? "3-D (N, C, W)"
                   : modes[found].ndim == 4 ? "4-D (N, C, H, W)"
                   : modes[found].ndim == 5 ? "5-D (N, C, D, H, W)"
                                            : "3-D, 4-D or 5-D",
                   s);
      return NULL;
    }
  if (!_lt_dtype_is_float (input->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "interpolate: the input must be floating-point, not %s",
                   lt_dtype_get_name (input->dtype));
      return NULL;
    }
  if (n_size != input->ndim - 2 || (n_scale_factors != 0 && n_scale_factors != n_size))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "interpolate: the input of shape %s needs %u output sizes (and as many "
                   "scale factors, or none), not %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT,
                   s, input->ndim - 2, n_size, n_scale_factors);
      return NULL;
    }
  if (align_corners && (modes[found].mode <= MODE_NEAREST_EXACT || modes[found].mode == MODE_AREA))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "interpolate: align_corners can only be set with the interpolating modes "
                   "(linear, bilinear, bicubic, trilinear), not \"%s\"",
                   mode);
      return NULL;
    }
  if (antialias && strcmp (mode, "bilinear") != 0 && strcmp (mode, "bicubic") != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "interpolate: antialias is only supported for the bilinear and bicubic "
                   "modes, not \"%s\"",
                   mode);
      return NULL;
    }
  for (gsize k = 0; k < n_size; k++)
    {
      double sc = n_scale_factors ? scale_factors[k] : 0.0;

      if (size[k] < 1 || input->shape[k + 2] < 1 || !(sc >= 0) || !isfinite (sc))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "interpolate: the input (shape %s) and output size %" G_GINT64_FORMAT
                       " of spatial dimension %" G_GSIZE_FORMAT
                       " must be positive, and its scale factor (%g) finite and not negative",
                       s, size[k], k, sc);
          return NULL;
        }
    }
  x = g_object_ref (input);
  for (gsize k = 0; k < n_size; k++)
    {
      gint64             in = input->shape[k + 2];
      gint64             shape[2] = { size[k], in };
      g_autofree double *m = g_new0 (double, size[k] * in);
      g_autoptr(LtTensor) t = NULL;
      g_autoptr(LtTensor) typed = NULL;
      g_autoptr(LtTensor) a = NULL;
      g_autoptr(LtTensor) next = NULL;

      if (antialias)
        aa_axis_table (modes[found].mode, in, size[k], n_scale_factors ? scale_factors[k] : 0.0,
                       align_corners, m);
      else
        interp_axis_table (modes[found].mode, in, size[k], n_scale_factors ? scale_factors[k] : 0.0,
                           align_corners, m);
      t = lt_tensor_new_from_data (m, in * size[k] * sizeof (double), shape, 2, LT_DTYPE_FLOAT64,
                                   error);
      typed = t ? lt_tensor_to_dtype (t, x->dtype, error) : NULL;
      a = typed ? lt_tensor_to_device (typed, lt_tensor_get_device (x), error) : NULL;
      next = a ? apply_along (x, a, (guint) k + 2, error) : NULL;
      if (next == NULL)
        return NULL;
      g_set_object (&x, next);
    }
  return g_steal_pointer (&x);
}
