/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-transform-private.h"
#include "core/lt-tensor-private.h"
#include "core/lt-random-private.h"
#include "core/lt-philox-private.h"
#include "ops/lt-ops-private.h"

/*
 * The functional forms of the transforms: plain loops over images
 * (..., C, H, W) on the host, following torchvision 0.14's tensor
 * transforms (torchvision/transforms/functional_tensor.py) value for value.
 * Their results are new contiguous CPU tensors that record no autograd
 * history; the input is never modified.
 *
 * Padding, cropping and flipping are one kernel: every output row and
 * column takes its source row and column from an index map (-1 for the
 * fill value), so a padded random crop reads each source pixel once.
 */

gboolean
_lt_transforms_check_image (LtTensor   *input,
                            const char *op,
                            GError    **error)
{
  if (input->ndim < 2)
    {
      g_autofree char *s = LT_SHAPE_STR (input);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: an image needs at least 2 dimensions (..., H, W), got shape %s", op, s);
      return FALSE;
    }
  return TRUE;
}

void
_lt_transforms_draw (guint32 words[4])
{
  guint64 seed, offset;
  LtPhilox4 r;

  _lt_random_reserve (1, &seed, &offset);
  r = _lt_philox4x32_10 (seed, offset);
  memcpy (words, r.v, sizeof r.v);
}

static gint64
leading_numel (LtTensor *t,
               guint     n_last)
{
  gint64 n = 1;

  for (guint d = 0; d + n_last < t->ndim; d++)
    n *= t->shape[d];
  return n;
}

/* Index maps */

gboolean
_lt_transforms_parse_padding (const gint64 *padding,
                              gsize         n_padding,
                              gint64        ltrb[4],
                              const char   *op,
                              GError      **error)
{
  switch (n_padding)
    {
    case 0:
      ltrb[0] = ltrb[1] = ltrb[2] = ltrb[3] = 0;
      return TRUE;
    case 1:
      ltrb[0] = ltrb[1] = ltrb[2] = ltrb[3] = padding[0];
      return TRUE;
    case 2:
      ltrb[0] = ltrb[2] = padding[0];
      ltrb[1] = ltrb[3] = padding[1];
      return TRUE;
    case 4:
      memcpy (ltrb, padding, 4 * sizeof (gint64));
      return TRUE;
    default:
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: padding must have 1, 2 or 4 values, not %" G_GSIZE_FORMAT, op, n_padding);
      return FALSE;
    }
}

/* map[p] for p in [0, n + before + after): the source index of padded
 * position p, or -1 for the fill value. */
static gboolean
pad_map (gint64         n,
         gint64         before,
         gint64         after,
         LtPaddingMode  mode,
         const char    *dim_name,
         gint64        *map,
         const char    *op,
         GError       **error)
{
  gint64 out = n + before + after;

  if (mode == LT_PADDING_MODE_REFLECT && (before >= n || after >= n))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: reflect padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") must be "
                   "smaller than the image's %s %" G_GINT64_FORMAT,
                   op, before, after, dim_name, n);
      return FALSE;
    }
  if (mode == LT_PADDING_MODE_SYMMETRIC && (before > n || after > n))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: symmetric padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") must not "
                   "exceed the image's %s %" G_GINT64_FORMAT,
                   op, before, after, dim_name, n);
      return FALSE;
    }
  if (mode == LT_PADDING_MODE_EDGE && n == 0 && out > 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: edge padding of an image of %s 0", op, dim_name);
      return FALSE;
    }
  for (gint64 p = 0; p < out; p++)
    {
      gint64 q = p - before;

      if (q < 0 || q >= n)
        switch (mode)
          {
          case LT_PADDING_MODE_CONSTANT:
            q = -1;
            break;
          case LT_PADDING_MODE_EDGE:
            q = q < 0 ? 0 : n - 1;
            break;
          case LT_PADDING_MODE_REFLECT:
            q = q < 0 ? -q : 2 * (n - 1) - q;
            break;
          case LT_PADDING_MODE_SYMMETRIC:
            q = q < 0 ? -q - 1 : 2 * n - 1 - q;
            break;
          default:
            g_assert_not_reached ();
          }
      map[p] = q;
    }
  return TRUE;
}

/* out[..., y, x] = ymap[y] < 0 || xmap[x] < 0 ? fill : in[..., ymap[y], xmap[x]] */
#define REMAP_LOOP(T) \
  G_STMT_START { \
    const T *s = (const T *) _lt_tensor_data (src); \
    T *d = (T *) _lt_tensor_data (out); \
    T f; \
    memcpy (&f, fill_bytes, sizeof f); \
    for (gint64 p = 0; p < planes; p++) \
      for (gint64 y = 0; y < out_h; y++) \
        { \
          const T *srow = s + p * in_h * in_w + (ymap[y] < 0 ? 0 : ymap[y]) * in_w; \
          T *drow = d + (p * out_h + y) * out_w; \
          if (ymap[y] < 0) \
            for (gint64 x = 0; x < out_w; x++) \
              drow[x] = f; \
          else if (x_run) \
            memcpy (drow, srow + xmap[0], out_w * sizeof (T)); \
          else \
            for (gint64 x = 0; x < out_w; x++) \
              drow[x] = xmap[x] < 0 ? f : srow[xmap[x]]; \
        } \
  } G_STMT_END

static LtTensor *
remap (LtTensor      *input,
       const gint64  *ymap,
       gint64         out_h,
       const gint64  *xmap,
       gint64         out_w,
       double         fill,
       GError       **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64 shape[LT_MAX_DIMS];
  guint nd = input->ndim;
  gint64 in_h = input->shape[nd - 2], in_w = input->shape[nd - 1];
  gint64 planes = leading_numel (input, 2);
  guint8 fill_bytes[8] = { 0 };
  gboolean x_run = out_w > 0 && xmap[0] >= 0;

  for (gint64 x = 1; x < out_w && x_run; x++)
    x_run = xmap[x] == xmap[0] + x;

  src = _lt_contiguous_host (input, error);
  if (src == NULL)
    return NULL;
  memcpy (shape, input->shape, nd * sizeof (gint64));
  shape[nd - 2] = out_h;
  shape[nd - 1] = out_w;
  out = _lt_tensor_new_empty (shape, nd, input->dtype, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;
  _lt_store_double (fill_bytes, input->dtype, fill);

  switch (_lt_dtype_size (input->dtype))
    {
    case 1: REMAP_LOOP (guint8); break;
    case 2: REMAP_LOOP (guint16); break;
    case 4: REMAP_LOOP (guint32); break;
    case 8: REMAP_LOOP (guint64); break;
    default: g_assert_not_reached ();
    }
  return g_steal_pointer (&out);
}

LtTensor *
_lt_transforms_pad_crop (LtTensor      *input,
                         const gint64   ltrb[4],
                         double         fill,
                         LtPaddingMode  mode,
                         gint64         top,
                         gint64         left,
                         gint64         height,
                         gint64         width,
                         const char    *op,
                         GError       **error)
{
  guint nd = input->ndim;
  gint64 in_h = input->shape[nd - 2], in_w = input->shape[nd - 1];
  gint64 pad_h = in_h + ltrb[1] + ltrb[3], pad_w = in_w + ltrb[0] + ltrb[2];
  g_autofree gint64 *py = NULL, *px = NULL, *ymap = NULL, *xmap = NULL;

  if (pad_h < 0 || pad_w < 0 || height < 0 || width < 0)
    {
      g_autofree char *s = LT_SHAPE_STR (input);

      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: padding (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                   ", %" G_GINT64_FORMAT ") and size %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                   " leave no image of %s",
                   op, ltrb[0], ltrb[1], ltrb[2], ltrb[3], height, width, s);
      return NULL;
    }
  py = g_new (gint64, pad_h + 1);
  px = g_new (gint64, pad_w + 1);
  ymap = g_new (gint64, height + 1);
  xmap = g_new (gint64, width + 1);
  if (!pad_map (in_h, ltrb[1], ltrb[3], mode, "height", py, op, error) ||
      !pad_map (in_w, ltrb[0], ltrb[2], mode, "width", px, op, error))
    return NULL;
  for (gint64 y = 0; y < height; y++)
    ymap[y] = top + y >= 0 && top + y < pad_h ? py[top + y] : -1;
  for (gint64 x = 0; x < width; x++)
    xmap[x] = left + x >= 0 && left + x < pad_w ? px[left + x] : -1;
  return remap (input, ymap, height, xmap, width, fill, error);
}

/**
 * lt_transforms_pad:
 * @input: an image (..., H, W)
 * @padding: (array length=n_padding): 1 value (every side), 2 (left and
 *   right, top and bottom) or 4 (left, top, right, bottom)
 * @n_padding: the number of values in @padding
 * @fill: the value of the border in %LT_PADDING_MODE_CONSTANT
 * @padding_mode: how to fill the border
 * @error: return location for a #GError
 *
 * Pads an image on its four sides, as torchvision's `F.pad()`. Negative
 * padding removes rows or columns.
 *
 * Returns: (transfer full) (nullable): the padded image, or %NULL with
 *   @error set for a bad padding (reflect padding must be smaller than the
 *   image, symmetric padding at most its size)
 */
LtTensor *
lt_transforms_pad (LtTensor      *input,
                   const gint64  *padding,
                   gsize          n_padding,
                   double         fill,
                   LtPaddingMode  padding_mode,
                   GError       **error)
{
  gint64 ltrb[4];
  gint64 h, w;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!_lt_transforms_check_image (input, "pad", error) ||
      !_lt_transforms_parse_padding (padding, n_padding, ltrb, "pad", error))
    return NULL;
  h = input->shape[input->ndim - 2] + ltrb[1] + ltrb[3];
  w = input->shape[input->ndim - 1] + ltrb[0] + ltrb[2];
  return _lt_transforms_pad_crop (input, ltrb, fill, padding_mode, 0, 0, MAX (h, 0), MAX (w, 0),
                                  "pad", error);
}

/**
 * lt_transforms_crop:
 * @input: an image (..., H, W)
 * @top: the first row
 * @left: the first column
 * @height: the number of rows
 * @width: the number of columns
 * @error: return location for a #GError
 *
 * Crops a rectangle out of an image, as torchvision's `F.crop()`: the
 * parts of the rectangle outside the image are zeros.
 *
 * Returns: (transfer full) (nullable): the crop (..., @height, @width), or
 *   %NULL with @error set
 */
LtTensor *
lt_transforms_crop (LtTensor  *input,
                    gint64     top,
                    gint64     left,
                    gint64     height,
                    gint64     width,
                    GError   **error)
{
  static const gint64 zero[4] = { 0, 0, 0, 0 };

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!_lt_transforms_check_image (input, "crop", error))
    return NULL;
  return _lt_transforms_pad_crop (input, zero, 0, LT_PADDING_MODE_CONSTANT,
                                  top, left, height, width, "crop", error);
}

/**
 * lt_transforms_center_crop:
 * @input: an image (..., H, W)
 * @height: the height of the crop
 * @width: the width of the crop
 * @error: return location for a #GError
 *
 * Crops the center of an image, as torchvision's `F.center_crop()`: an
 * image smaller than the crop is first padded with zeros.
 *
 * Returns: (transfer full) (nullable): the crop (..., @height, @width), or
 *   %NULL with @error set
 */
LtTensor *
lt_transforms_center_crop (LtTensor  *input,
                           gint64     height,
                           gint64     width,
                           GError   **error)
{
  gint64 ltrb[4] = { 0, 0, 0, 0 };
  gint64 h, w, top, left;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!_lt_transforms_check_image (input, "center_crop", error))
    return NULL;
  if (height <= 0 || width <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "center_crop: the size %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                   " must be positive", height, width);
      return NULL;
    }
  h = input->shape[input->ndim - 2];
  w = input->shape[input->ndim - 1];
  if (width > w || height > h)
    {
      ltrb[0] = width > w ? (width - w) / 2 : 0;
      ltrb[1] = height > h ? (height - h) / 2 : 0;
      ltrb[2] = width > w ? (width - w + 1) / 2 : 0;
      ltrb[3] = height > h ? (height - h + 1) / 2 : 0;
      h += ltrb[1] + ltrb[3];
      w += ltrb[0] + ltrb[2];
    }
  /* Python's round (), half to even, as torchvision */
  top = (gint64) nearbyint ((h - height) / 2.0);
  left = (gint64) nearbyint ((w - width) / 2.0);
  return _lt_transforms_pad_crop (input, ltrb, 0, LT_PADDING_MODE_CONSTANT,
                                  top, left, height, width, "center_crop", error);
}

/**
 * lt_transforms_hflip:
 * @input: an image (..., H, W)
 * @error: return location for a #GError
 *
 * Mirrors an image left to right, as torchvision's `F.hflip()`.
 *
 * Returns: (transfer full) (nullable): the mirrored image, or %NULL with
 *   @error set
 */
LtTensor *
lt_transforms_hflip (LtTensor  *input,
                     GError   **error)
{
  g_autofree gint64 *ymap = NULL, *xmap = NULL;
  gint64 h, w;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!_lt_transforms_check_image (input, "hflip", error))
    return NULL;
  h = input->shape[input->ndim - 2];
  w = input->shape[input->ndim - 1];
  ymap = g_new (gint64, h + 1);
  xmap = g_new (gint64, w + 1);
  for (gint64 y = 0; y < h; y++)
    ymap[y] = y;
  for (gint64 x = 0; x < w; x++)
    xmap[x] = w - 1 - x;
  return remap (input, ymap, h, xmap, w, 0, error);
}

/* ToTensor */

/**
 * lt_transforms_to_tensor:
 * @input: an image: uint8 (C, H, W), (H, W, C) or (H, W)
 * @error: return location for a #GError
 *
 * Converts an image to a float32 tensor (C, H, W), as torchvision's
 * `ToTensor`: uint8 values are divided by 255 into [0, 1], other types
 * are converted without scaling. A 3-dimensional image whose first
 * dimension is 1, 3 or 4 is taken as (C, H, W); otherwise one whose last
 * dimension is 1, 3 or 4 as (H, W, C). A 2-dimensional image is one
 * channel.
 *
 * Returns: (transfer full) (nullable): the float32 image, or %NULL with
 *   @error set for a shape that is not an image
 */
LtTensor *
lt_transforms_to_tensor (LtTensor  *input,
                         GError   **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64 c, h, w, sc, sh, sw;
  gint64 shape[3];
  float *d;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (input->ndim == 2)
    {
      c = 1, h = input->shape[0], w = input->shape[1];
      sc = 0, sh = w, sw = 1;
    }
  else if (input->ndim == 3 &&
           (input->shape[0] == 1 || input->shape[0] == 3 || input->shape[0] == 4))
    {
      c = input->shape[0], h = input->shape[1], w = input->shape[2];
      sc = h * w, sh = w, sw = 1;
    }
  else if (input->ndim == 3 &&
           (input->shape[2] == 1 || input->shape[2] == 3 || input->shape[2] == 4))
    {
      h = input->shape[0], w = input->shape[1], c = input->shape[2];
      sc = 1, sh = w * c, sw = c;
    }
  else
    {
      g_autofree char *s = LT_SHAPE_STR (input);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "to_tensor: an image of shape %s is neither (C, H, W) nor (H, W, C) "
                   "with 1, 3 or 4 channels, nor (H, W)", s);
      return NULL;
    }
  src = _lt_contiguous_host (input, error);
  if (src == NULL)
    return NULL;
  shape[0] = c, shape[1] = h, shape[2] = w;
  out = _lt_tensor_new_empty (shape, 3, LT_DTYPE_FLOAT32, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;
  d = _lt_tensor_data (out);

  if (src->dtype == LT_DTYPE_UINT8)
    {
      const guint8 *s = _lt_tensor_data (src);

      if (sw == 1)
        for (gint64 i = 0; i < c * h * w; i++)
          d[i] = (float) s[i] / 255.0f;
      else
        for (gint64 k = 0; k < c; k++)
          for (gint64 y = 0; y < h; y++)
            for (gint64 x = 0; x < w; x++)
              *d++ = (float) s[k * sc + y * sh + x * sw] / 255.0f;
    }
  else if (src->dtype == LT_DTYPE_FLOAT32 && sw == 1)
    memcpy (d, _lt_tensor_data (src), c * h * w * sizeof (float));
  else
    {
      const guint8 *s = _lt_tensor_data (src);
      gsize es = _lt_dtype_size (src->dtype);

      for (gint64 k = 0; k < c; k++)
        for (gint64 y = 0; y < h; y++)
          for (gint64 x = 0; x < w; x++)
            *d++ = (float) _lt_load_double (s + (k * sc + y * sh + x * sw) * es, src->dtype);
    }
  return g_steal_pointer (&out);
}

/* Normalize */

static gboolean
check_channel_values (const double *values,
                      gsize         n_values,
                      gint64        channels,
                      const char   *what,
                      const char   *op,
                      GError      **error)
{
  if (n_values != 1 && (gint64) n_values != channels)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: %" G_GSIZE_FORMAT " %s values for an image of %" G_GINT64_FORMAT
                   " channels", op, n_values, what, channels);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_transforms_normalize:
 * @input: a float image (..., C, H, W)
 * @mean: (array length=n_mean): the mean of every channel (or one for all)
 * @n_mean: the number of values in @mean
 * @std: (array length=n_std): the standard deviation of every channel (or
 *   one for all)
 * @n_std: the number of values in @std
 * @error: return location for a #GError
 *
 * Normalizes every channel, `(input - mean) / std` in the image's own
 * type, as torchvision's `F.normalize()`.
 *
 * Returns: (transfer full) (nullable): the normalized image, or %NULL with
 *   @error set for an integer image, a zero standard deviation or a number
 *   of values that is neither 1 nor C
 */
LtTensor *
lt_transforms_normalize (LtTensor      *input,
                         const double  *mean,
                         gsize          n_mean,
                         const double  *std,
                         gsize          n_std,
                         GError       **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64 c, hw, batches;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!_lt_dtype_is_float (input->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "normalize: a float image is needed, not %s (convert it with to_tensor first)",
                   lt_dtype_get_name (input->dtype));
      return NULL;
    }
  if (input->ndim < 3)
    {
      g_autofree char *s = LT_SHAPE_STR (input);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "normalize: an image (..., C, H, W) is needed, got shape %s", s);
      return NULL;
    }
  c = input->shape[input->ndim - 3];
  if (!check_channel_values (mean, n_mean, c, "mean", "normalize", error) ||
      !check_channel_values (std, n_std, c, "std", "normalize", error))
    return NULL;
  for (gsize i = 0; i < n_std; i++)
    if (std[i] == 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "normalize: std[%" G_GSIZE_FORMAT "] is zero: division by zero", i);
        return NULL;
      }
  src = _lt_contiguous_host (input, error);
  if (src == NULL)
    return NULL;
  out = _lt_tensor_new_empty (input->shape, input->ndim, input->dtype, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;
  hw = input->shape[input->ndim - 2] * input->shape[input->ndim - 1];
  batches = leading_numel (input, 3);

  for (gint64 b = 0; b < batches; b++)
    for (gint64 k = 0; k < c; k++)
      {
        double m = mean[n_mean == 1 ? 0 : k], sd = std[n_std == 1 ? 0 : k];
        gint64 base = (b * c + k) * hw;

        if (input->dtype == LT_DTYPE_FLOAT32)
          {
            const float *s = (const float *) _lt_tensor_data (src) + base;
            float *d = (float *) _lt_tensor_data (out) + base;
            float mf = (float) m, sf = (float) sd;

            for (gint64 i = 0; i < hw; i++)
              d[i] = (s[i] - mf) / sf;
          }
        else
          {
            const double *s = (const double *) _lt_tensor_data (src) + base;
            double *d = (double *) _lt_tensor_data (out) + base;

            for (gint64 i = 0; i < hw; i++)
              d[i] = (s[i] - m) / sd;
          }
      }
  return g_steal_pointer (&out);
}

/* Resize */

typedef struct
{
  gint64 i0, i1;
  float l0, l1;
  double dl0, dl1;
} Tap;

/* The source taps of output index @i of a bilinear resize from @in to @out
 * with align_corners=False, as ATen's compute_source_index_and_lambda
 * (aten/src/ATen/native/UpSample.h) with float arithmetic for float32 and
 * double for float64. */
static void
linear_taps (gint64    in,
             gint64    out,
             gboolean  f64,
             Tap      *taps)
{
  float scale_f = (float) in / (float) out;
  double scale_d = (double) in / (double) out;

  for (gint64 i = 0; i < out; i++)
    {
      Tap *t = &taps[i];
      gint64 i0;

      if (in == out)
        {
          t->i0 = t->i1 = i;
          t->l0 = 1, t->l1 = 0;
          t->dl0 = 1, t->dl1 = 0;
          continue;
        }
      if (f64)
        {
          double real = scale_d * (i + 0.5) - 0.5;

          real = real < 0 ? 0 : real;
          i0 = (gint64) real;
          t->dl1 = MIN (MAX (real - (double) i0, 0.0), 1.0);
          t->dl0 = 1.0 - t->dl1;
        }
      else
        {
          /* scale * (i + 0.5) - 0.5 is computed in double and rounded */
          float real = (float) (scale_f * (i + 0.5) - 0.5);

          real = real < 0 ? 0 : real;
          i0 = (gint64) real;
          t->l1 = MIN (MAX (real - (float) i0, 0.0f), 1.0f);
          t->l0 = 1.0f - t->l1;
        }
      t->i0 = i0;
      t->i1 = i0 + (i0 < in - 1 ? 1 : 0);
    }
}

/**
 * lt_transforms_resize:
 * @input: an image (..., H, W)
 * @height: the new height
 * @width: the new width
 * @error: return location for a #GError
 *
 * Resizes an image with bilinear interpolation, as torchvision's
 * `F.resize()` of a tensor with antialias=False (PyTorch's
 * `interpolate (mode="bilinear", align_corners=False)`). Integer images are
 * interpolated in float32 and rounded back to their type.
 *
 * Returns: (transfer full) (nullable): the resized image, or %NULL with
 *   @error set
 */
LtTensor *
lt_transforms_resize (LtTensor  *input,
                      gint64     height,
                      gint64     width,
                      GError   **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autofree Tap *ty = NULL, *tx = NULL;
  gint64 shape[LT_MAX_DIMS];
  guint nd;
  gint64 in_h, in_w, planes;
  LtDType dtype;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (!_lt_transforms_check_image (input, "resize", error))
    return NULL;
  nd = input->ndim;
  in_h = input->shape[nd - 2];
  in_w = input->shape[nd - 1];
  if (height <= 0 || width <= 0 || in_h <= 0 || in_w <= 0)
    {
      g_autofree char *s = LT_SHAPE_STR (input);

      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "resize: cannot resize an image of shape %s to %" G_GINT64_FORMAT "x%"
                   G_GINT64_FORMAT, s, height, width);
      return NULL;
    }
  src = _lt_contiguous_host (input, error);
  if (src == NULL)
    return NULL;
  dtype = input->dtype;
  memcpy (shape, input->shape, nd * sizeof (gint64));
  shape[nd - 2] = height;
  shape[nd - 1] = width;
  out = _lt_tensor_new_empty (shape, nd, dtype, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;
  planes = leading_numel (input, 2);
  ty = g_new (Tap, height);
  tx = g_new (Tap, width);
  linear_taps (in_h, height, dtype == LT_DTYPE_FLOAT64, ty);
  linear_taps (in_w, width, dtype == LT_DTYPE_FLOAT64, tx);

  if (dtype == LT_DTYPE_FLOAT64)
    {
      const double *s = _lt_tensor_data (src);
      double *d = _lt_tensor_data (out);

      for (gint64 p = 0; p < planes; p++)
        for (gint64 y = 0; y < height; y++)
          {
            const double *r0 = s + (p * in_h + ty[y].i0) * in_w;
            const double *r1 = s + (p * in_h + ty[y].i1) * in_w;

            for (gint64 x = 0; x < width; x++)
              {
                const Tap *t = &tx[x];
                double a = r0[t->i0] * t->dl0 + r0[t->i1] * t->dl1;
                double b = r1[t->i0] * t->dl0 + r1[t->i1] * t->dl1;

                *d++ = a * ty[y].dl0 + b * ty[y].dl1;
              }
          }
    }
  else if (dtype == LT_DTYPE_FLOAT32)
    {
      const float *s = _lt_tensor_data (src);
      float *d = _lt_tensor_data (out);

      for (gint64 p = 0; p < planes; p++)
        for (gint64 y = 0; y < height; y++)
          {
            const float *r0 = s + (p * in_h + ty[y].i0) * in_w;
            const float *r1 = s + (p * in_h + ty[y].i1) * in_w;

            for (gint64 x = 0; x < width; x++)
              {
                const Tap *t = &tx[x];
                float a = r0[t->i0] * t->l0 + r0[t->i1] * t->l1;
                float b = r1[t->i0] * t->l0 + r1[t->i1] * t->l1;

                *d++ = a * ty[y].l0 + b * ty[y].l1;
              }
          }
    }
  else
    {
      /* torchvision: to float32, interpolate, round, back to the type */
      const guint8 *s = _lt_tensor_data (src);
      guint8 *d = _lt_tensor_data (out);
      gsize es = _lt_dtype_size (dtype);

#define AT(row, col) ((float) _lt_load_double (s + ((row) * in_w + (col)) * es, dtype))
      for (gint64 p = 0; p < planes; p++)
        for (gint64 y = 0; y < height; y++)
          {
            gint64 r0 = p * in_h + ty[y].i0, r1 = p * in_h + ty[y].i1;

            for (gint64 x = 0; x < width; x++)
              {
                const Tap *t = &tx[x];
                float a = AT (r0, t->i0) * t->l0 + AT (r0, t->i1) * t->l1;
                float b = AT (r1, t->i0) * t->l0 + AT (r1, t->i1) * t->l1;
                float v = a * ty[y].l0 + b * ty[y].l1;

                _lt_store_double (d, dtype, nearbyintf (v));
                d += es;
              }
          }
#undef AT
    }
  return g_steal_pointer (&out);
}

/* Grayscale */

/**
 * lt_transforms_rgb_to_grayscale:
 * @input: an RGB or one-channel image (..., C, H, W) with C 3 or 1
 * @num_output_channels: 1, or 3 for the gray value repeated in 3 channels
 * @error: return location for a #GError
 *
 * Converts an image to grayscale, as torchvision's `F.rgb_to_grayscale()`:
 * `0.2989 R + 0.587 G + 0.114 B`, computed in float32 (float64 for float64
 * images) and converted back to the image's type (integers truncate).
 *
 * A one-channel image is returned as a copy, one channel whatever
 * @num_output_channels (as torchvision does).
 *
 * Returns: (transfer full) (nullable): the gray image (..., @num_output_channels,
 *   H, W), or %NULL with @error set
 */
LtTensor *
lt_transforms_rgb_to_grayscale (LtTensor  *input,
                                guint      num_output_channels,
                                GError   **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64 shape[LT_MAX_DIMS];
  guint nd;
  gint64 c, hw, batches;
  gsize es;
  LtDType dtype;

  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  if (num_output_channels != 1 && num_output_channels != 3)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "rgb_to_grayscale: num_output_channels must be 1 or 3, not %u",
                   num_output_channels);
      return NULL;
    }
  nd = input->ndim;
  if (nd < 3 || (input->shape[nd - 3] != 1 && input->shape[nd - 3] != 3))
    {
      g_autofree char *s = LT_SHAPE_STR (input);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "rgb_to_grayscale: an image (..., C, H, W) with 1 or 3 channels is needed, "
                   "got shape %s", s);
      return NULL;
    }
  src = _lt_contiguous_host (input, error);
  if (src == NULL)
    return NULL;
  dtype = input->dtype;
  es = _lt_dtype_size (dtype);
  c = input->shape[nd - 3];
  hw = input->shape[nd - 2] * input->shape[nd - 1];
  batches = leading_numel (input, 3);
  /* torchvision expands a one-channel image to its own shape: it stays
   * one channel whatever num_output_channels says */
  if (c == 1)
    num_output_channels = 1;
  memcpy (shape, input->shape, nd * sizeof (gint64));
  shape[nd - 3] = num_output_channels;
  out = _lt_tensor_new_empty (shape, nd, dtype, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;

  for (gint64 b = 0; b < batches; b++)
    {
      const guint8 *s = (const guint8 *) _lt_tensor_data (src) + b * c * hw * es;
      guint8 *d = (guint8 *) _lt_tensor_data (out) + b * num_output_channels * hw * es;

      if (c == 1)
        memcpy (d, s, hw * es);
      else if (dtype == LT_DTYPE_FLOAT64)
        {
          const double *r = (const double *) s, *g = r + hw, *bl = g + hw;
          double *o = (double *) d;

          for (gint64 i = 0; i < hw; i++)
            o[i] = 0.2989 * r[i] + 0.587 * g[i] + 0.114 * bl[i];
        }
      else if (dtype == LT_DTYPE_FLOAT32)
        {
          const float *r = (const float *) s, *g = r + hw, *bl = g + hw;
          float *o = (float *) d;

          for (gint64 i = 0; i < hw; i++)
            {
              float v = 0.2989f * r[i];

              v = v + 0.587f * g[i];
              o[i] = v + 0.114f * bl[i];
            }
        }
      else
        for (gint64 i = 0; i < hw; i++)
          {
            float v = 0.2989f * (float) _lt_load_double (s + i * es, dtype);

            v = v + 0.587f * (float) _lt_load_double (s + (hw + i) * es, dtype);
            v = v + 0.114f * (float) _lt_load_double (s + (2 * hw + i) * es, dtype);
            _lt_store_double (d + i * es, dtype, truncf (v));
          }
      for (guint k = 1; k < num_output_channels; k++)
        memcpy (d + k * hw * es, d, hw * es);
    }
  return g_steal_pointer (&out);
}
