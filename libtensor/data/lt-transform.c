/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-transform-private.h"
#include "core/lt-tensor-private.h"
#include "core/lt-philox-private.h"

/**
 * LtTransform:
 *
 * A function from a tensor to a tensor that a dataset applies to every
 * item, as torchvision's transforms: #LtToTensor, #LtNormalize,
 * #LtRandomCrop, #LtRandomHorizontalFlip, #LtResize, #LtCenterCrop,
 * #LtGrayscale, chained by #LtCompose. Implement it in C, Python
 * (`do_apply`) or JavaScript (`vfunc_apply`); the Python overrides also
 * take any callable.
 *
 * Transforms work on images (..., C, H, W) on the CPU and return new
 * tensors without autograd history. Random transforms draw from the
 * generator that lt_manual_seed() seeds (on a data loader's worker, from
 * the sample's own stream: see #LtDataLoader).
 */

G_DEFINE_INTERFACE (LtTransform, lt_transform, G_TYPE_OBJECT)

static void
lt_transform_default_init (LtTransformInterface *iface)
{
}

/**
 * lt_transform_apply:
 * @self: a transform
 * @input: the input tensor
 * @error: return location for a #GError
 *
 * Applies a transform to a tensor. @input is not modified; the result may
 * be @input itself (a new reference) when the transform leaves it as it
 * is.
 *
 * Returns: (transfer full) (nullable): the transformed tensor, or %NULL
 *   with @error set
 */
LtTensor *
lt_transform_apply (LtTransform *self,
                    LtTensor    *input,
                    GError     **error)
{
  LtTransformInterface *iface;
  GError *local_error = NULL;
  LtTensor *result;

  g_return_val_if_fail (LT_IS_TRANSFORM (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = LT_TRANSFORM_GET_IFACE (self);
  if (iface->apply == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the transform does not implement apply", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  result = iface->apply (self, input, &local_error);
  if (local_error != NULL)
    {
      g_clear_object (&result);
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (result == NULL || !LT_IS_TENSOR (result))
    {
      /* A binding whose exception did not become a GError, or a wrong type */
      g_clear_object (&result);
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "%s: the transform failed without reporting an error",
                   G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  return result;
}

G_DEFINE_ENUM_TYPE (LtPaddingMode, lt_padding_mode,
                    G_DEFINE_ENUM_VALUE (LT_PADDING_MODE_CONSTANT, "constant"),
                    G_DEFINE_ENUM_VALUE (LT_PADDING_MODE_EDGE, "edge"),
                    G_DEFINE_ENUM_VALUE (LT_PADDING_MODE_REFLECT, "reflect"),
                    G_DEFINE_ENUM_VALUE (LT_PADDING_MODE_SYMMETRIC, "symmetric"))

/* ToTensor */

/**
 * LtToTensor:
 *
 * Converts a uint8 image (C, H, W), (H, W, C) or (H, W) to float32
 * (C, H, W) in [0, 1], as torchvision's `ToTensor` (see
 * lt_transforms_to_tensor()).
 */
struct _LtToTensor
{
  GObject parent_instance;
};

static void lt_to_tensor_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtToTensor, lt_to_tensor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, lt_to_tensor_iface_init))

static LtTensor *
lt_to_tensor_apply (LtTransform *self,
                    LtTensor    *input,
                    GError     **error)
{
  return lt_transforms_to_tensor (input, error);
}

static void
lt_to_tensor_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_to_tensor_apply;
}

static void
lt_to_tensor_class_init (LtToTensorClass *klass)
{
}

static void
lt_to_tensor_init (LtToTensor *self)
{
}

/**
 * lt_to_tensor_new:
 *
 * Creates the ToTensor transform.
 *
 * Returns: (transfer full): the transform
 */
LtTransform *
lt_to_tensor_new (void)
{
  return g_object_new (LT_TYPE_TO_TENSOR, NULL);
}

/* Normalize */

/**
 * LtNormalize:
 *
 * Normalizes every channel of a float image, `(input - mean) / std`, as
 * torchvision's `Normalize` (see lt_transforms_normalize()).
 */
struct _LtNormalize
{
  GObject parent_instance;

  double *mean;
  gsize n_mean;
  double *std;
  gsize n_std;
};

static void lt_normalize_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtNormalize, lt_normalize, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, lt_normalize_iface_init))

static LtTensor *
lt_normalize_apply (LtTransform *transform,
                    LtTensor    *input,
                    GError     **error)
{
  LtNormalize *self = LT_NORMALIZE (transform);

  return lt_transforms_normalize (input, self->mean, self->n_mean, self->std, self->n_std, error);
}

static void
lt_normalize_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_normalize_apply;
}

static void
lt_normalize_finalize (GObject *object)
{
  LtNormalize *self = LT_NORMALIZE (object);

  g_free (self->mean);
  g_free (self->std);
  G_OBJECT_CLASS (lt_normalize_parent_class)->finalize (object);
}

static void
lt_normalize_class_init (LtNormalizeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_normalize_finalize;
}

static void
lt_normalize_init (LtNormalize *self)
{
}

/**
 * lt_normalize_new:
 * @mean: (array length=n_mean): the mean of every channel, or one value
 *   for all channels
 * @n_mean: the number of values in @mean
 * @std: (array length=n_std): the standard deviation of every channel, or
 *   one value for all channels
 * @n_std: the number of values in @std
 * @error: return location for a #GError
 *
 * Creates the Normalize transform; the tutorial's is mean (0.5, 0.5, 0.5)
 * and std (0.5, 0.5, 0.5), mapping [0, 1] to [-1, 1].
 *
 * Returns: (transfer full) (nullable): the transform, or %NULL with @error
 *   set when a list is empty or a standard deviation is zero
 */
LtTransform *
lt_normalize_new (const double *mean,
                  gsize         n_mean,
                  const double *std,
                  gsize         n_std,
                  GError      **error)
{
  LtNormalize *self;

  if (n_mean == 0 || n_std == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Normalize: mean and std need at least one value each");
      return NULL;
    }
  for (gsize i = 0; i < n_std; i++)
    if (std[i] == 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "Normalize: std[%" G_GSIZE_FORMAT "] is zero: division by zero", i);
        return NULL;
      }
  self = g_object_new (LT_TYPE_NORMALIZE, NULL);
  self->mean = g_memdup2 (mean, n_mean * sizeof (double));
  self->n_mean = n_mean;
  self->std = g_memdup2 (std, n_std * sizeof (double));
  self->n_std = n_std;
  return LT_TRANSFORM (self);
}

/* RandomCrop */

/**
 * LtRandomCrop:
 *
 * Crops a random rectangle out of an image after optional padding, as
 * torchvision's `RandomCrop`. The tutorial-era CIFAR-10 augmentation is
 * RandomCrop (32, padding 4).
 */
struct _LtRandomCrop
{
  GObject parent_instance;

  gint64 height;
  gint64 width;
  gint64 ltrb[4];
  gboolean pad_if_needed;
  double fill;
  LtPaddingMode mode;
};

static void lt_random_crop_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtRandomCrop, lt_random_crop, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, lt_random_crop_iface_init))

/* torchvision's RandomCrop.get_params on an image of @height x @width
 * (after padding): one Philox block, top from its first word and left from
 * its second (multiply-shift, uniform over the valid offsets). */
static gboolean
draw_crop (LtRandomCrop *self,
           gint64        height,
           gint64        width,
           gint64       *top,
           gint64       *left,
           GError      **error)
{
  guint32 words[4];

  if (height < self->height || width < self->width)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "RandomCrop: the crop %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " is larger than "
                   "the (padded) image %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT,
                   self->height, self->width, height, width);
      return FALSE;
    }
  _lt_transforms_draw (words);
  *top = (gint64) (((guint64) words[0] * (guint64) (height - self->height + 1)) >> 32);
  *left = (gint64) (((guint64) words[1] * (guint64) (width - self->width + 1)) >> 32);
  return TRUE;
}

static LtTensor *
lt_random_crop_apply (LtTransform *transform,
                      LtTensor    *input,
                      GError     **error)
{
  LtRandomCrop *self = LT_RANDOM_CROP (transform);
  g_autoptr(LtTensor) padded = NULL;
  gint64 ltrb[4];
  gint64 h, w, ph, pw, top, left;
  gint64 dw = 0, dh = 0;

  if (!_lt_transforms_check_image (input, "RandomCrop", error))
    return NULL;
  memcpy (ltrb, self->ltrb, sizeof ltrb);
  h = input->shape[input->ndim - 2];
  w = input->shape[input->ndim - 1];
  ph = h + ltrb[1] + ltrb[3];
  pw = w + ltrb[0] + ltrb[2];
  if (self->pad_if_needed && pw < self->width)
    dw = self->width - pw;
  if (self->pad_if_needed && ph < self->height)
    dh = self->height - ph;

  if ((dw > 0 || dh > 0) &&
      (self->mode == LT_PADDING_MODE_REFLECT || self->mode == LT_PADDING_MODE_SYMMETRIC))
    {
      /* Reflections of a padded image: pad step by step, as torchvision. */
      static const gint64 zero[4] = { 0, 0, 0, 0 };
      gint64 pad_w[4] = { dw, 0, dw, 0 }, pad_h[4] = { 0, dh, 0, dh };

      padded = _lt_transforms_pad_crop (input, ltrb, self->fill, self->mode, 0, 0, ph, pw,
                                        "RandomCrop", error);
      if (padded != NULL && dw > 0)
        {
          LtTensor *next = _lt_transforms_pad_crop (padded, pad_w, self->fill, self->mode,
                                                    0, 0, ph, pw + 2 * dw, "RandomCrop", error);
          g_object_unref (padded);
          padded = next;
          pw += 2 * dw;
        }
      if (padded != NULL && dh > 0)
        {
          LtTensor *next = _lt_transforms_pad_crop (padded, pad_h, self->fill, self->mode,
                                                    0, 0, ph + 2 * dh, pw, "RandomCrop", error);
          g_object_unref (padded);
          padded = next;
          ph += 2 * dh;
        }
      if (padded == NULL || !draw_crop (self, ph, pw, &top, &left, error))
        return NULL;
      return _lt_transforms_pad_crop (padded, zero, 0, LT_PADDING_MODE_CONSTANT,
                                      top, left, self->height, self->width, "RandomCrop", error);
    }

  /* Constant and edge padding added in two steps equal one wider padding. */
  ltrb[0] += dw, ltrb[2] += dw, pw += 2 * dw;
  ltrb[1] += dh, ltrb[3] += dh, ph += 2 * dh;
  if (!draw_crop (self, ph, pw, &top, &left, error))
    return NULL;
  return _lt_transforms_pad_crop (input, ltrb, self->fill, self->mode,
                                  top, left, self->height, self->width, "RandomCrop", error);
}

static void
lt_random_crop_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_random_crop_apply;
}

static void
lt_random_crop_class_init (LtRandomCropClass *klass)
{
}

static void
lt_random_crop_init (LtRandomCrop *self)
{
}

/**
 * lt_random_crop_new:
 * @height: the height of the crop
 * @width: the width of the crop
 * @padding: (array length=n_padding) (nullable): padding added first: none,
 *   1 value (every side), 2 (left and right, top and bottom) or 4 (left,
 *   top, right, bottom)
 * @n_padding: the number of values in @padding
 * @pad_if_needed: pad an image smaller than the crop (on both sides of
 *   the short dimension) instead of failing
 * @fill: the padding value for %LT_PADDING_MODE_CONSTANT
 * @padding_mode: how to fill the padding
 * @error: return location for a #GError
 *
 * Creates the RandomCrop transform, as torchvision's
 * `RandomCrop (size, padding, pad_if_needed, fill, padding_mode)`.
 *
 * Returns: (transfer full) (nullable): the transform, or %NULL with @error
 *   set for a size that is not positive or a bad padding
 */
LtTransform *
lt_random_crop_new (gint64         height,
                    gint64         width,
                    const gint64  *padding,
                    gsize          n_padding,
                    gboolean       pad_if_needed,
                    double         fill,
                    LtPaddingMode  padding_mode,
                    GError       **error)
{
  LtRandomCrop *self;
  gint64 ltrb[4];

  if (height <= 0 || width <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "RandomCrop: the size %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                   " must be positive", height, width);
      return NULL;
    }
  if ((guint) padding_mode > LT_PADDING_MODE_SYMMETRIC)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "RandomCrop: unknown padding mode %d", (int) padding_mode);
      return NULL;
    }
  if (!_lt_transforms_parse_padding (padding, padding ? n_padding : 0, ltrb, "RandomCrop", error))
    return NULL;
  for (int i = 0; i < 4; i++)
    if (ltrb[i] < 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "RandomCrop: padding %" G_GINT64_FORMAT " is negative", ltrb[i]);
        return NULL;
      }
  self = g_object_new (LT_TYPE_RANDOM_CROP, NULL);
  self->height = height;
  self->width = width;
  memcpy (self->ltrb, ltrb, sizeof ltrb);
  self->pad_if_needed = pad_if_needed;
  self->fill = fill;
  self->mode = padding_mode;
  return LT_TRANSFORM (self);
}

/**
 * lt_random_crop_get_params:
 * @self: a random crop
 * @height: the height of the image after padding
 * @width: the width of the image after padding
 * @top: (out): the first row of the crop
 * @left: (out): the first column of the crop
 * @error: return location for a #GError
 *
 * Draws the position of a crop the way lt_transform_apply() does, as
 * torchvision's `RandomCrop.get_params()`: with the same generator state,
 * applying the transform to an image whose padded size is @height x
 * @width crops at (@top, @left). For tests and for reproducing a crop with
 * lt_transforms_crop().
 *
 * Returns: %TRUE on success; %FALSE with @error set when the crop is
 *   larger than the image
 */
gboolean
lt_random_crop_get_params (LtRandomCrop  *self,
                           gint64         height,
                           gint64         width,
                           gint64        *top,
                           gint64        *left,
                           GError       **error)
{
  gint64 t, l;

  g_return_val_if_fail (LT_IS_RANDOM_CROP (self), FALSE);
  if (!draw_crop (self, height, width, &t, &l, error))
    return FALSE;
  if (top)
    *top = t;
  if (left)
    *left = l;
  return TRUE;
}

/* RandomHorizontalFlip */

/**
 * LtRandomHorizontalFlip:
 *
 * Mirrors an image left to right with probability p, as torchvision's
 * `RandomHorizontalFlip`.
 */
struct _LtRandomHorizontalFlip
{
  GObject parent_instance;

  double p;
};

static void lt_random_horizontal_flip_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtRandomHorizontalFlip, lt_random_horizontal_flip, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM,
                                                      lt_random_horizontal_flip_iface_init))

static LtTensor *
lt_random_horizontal_flip_apply (LtTransform *transform,
                                 LtTensor    *input,
                                 GError     **error)
{
  LtRandomHorizontalFlip *self = LT_RANDOM_HORIZONTAL_FLIP (transform);

  if (!_lt_transforms_check_image (input, "RandomHorizontalFlip", error))
    return NULL;
  if (lt_random_horizontal_flip_get_params (self))
    return lt_transforms_hflip (input, error);
  return g_object_ref (input);
}

static void
lt_random_horizontal_flip_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_random_horizontal_flip_apply;
}

static void
lt_random_horizontal_flip_class_init (LtRandomHorizontalFlipClass *klass)
{
}

static void
lt_random_horizontal_flip_init (LtRandomHorizontalFlip *self)
{
}

/**
 * lt_random_horizontal_flip_new:
 * @p: the probability of a flip, in [0, 1] (torchvision's default is 0.5)
 *
 * Creates the RandomHorizontalFlip transform. An image that is not
 * flipped is returned as it is.
 *
 * Returns: (transfer full): the transform
 */
LtTransform *
lt_random_horizontal_flip_new (double p)
{
  LtRandomHorizontalFlip *self = g_object_new (LT_TYPE_RANDOM_HORIZONTAL_FLIP, NULL);

  self->p = p;
  return LT_TRANSFORM (self);
}

/**
 * lt_random_horizontal_flip_get_params:
 * @self: a random flip
 *
 * Draws whether to flip the way lt_transform_apply() does: one Philox
 * block, a flip when its first word as a float in [0, 1) is below p. With
 * the same generator state, applying the transform flips exactly when
 * this returns %TRUE.
 *
 * Returns: %TRUE for a flip
 */
gboolean
lt_random_horizontal_flip_get_params (LtRandomHorizontalFlip *self)
{
  guint32 words[4];

  g_return_val_if_fail (LT_IS_RANDOM_HORIZONTAL_FLIP (self), FALSE);
  _lt_transforms_draw (words);
  return _lt_philox_uniform_f32 (words[0]) < self->p;
}

/* Resize */

/**
 * LtResize:
 *
 * Resizes an image with bilinear interpolation, as torchvision's `Resize`
 * on tensors (antialias=False; see lt_transforms_resize()).
 */
struct _LtResize
{
  GObject parent_instance;

  gint64 size[2];
  gsize n_size;
};

static void lt_resize_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtResize, lt_resize, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, lt_resize_iface_init))

static LtTensor *
lt_resize_apply (LtTransform *transform,
                 LtTensor    *input,
                 GError     **error)
{
  LtResize *self = LT_RESIZE (transform);
  gint64 h, w, new_h, new_w;

  if (!_lt_transforms_check_image (input, "Resize", error))
    return NULL;
  h = input->shape[input->ndim - 2];
  w = input->shape[input->ndim - 1];
  if (self->n_size == 2)
    {
      new_h = self->size[0];
      new_w = self->size[1];
    }
  else
    {
      /* torchvision's _compute_resized_output_size: the smaller edge
       * becomes size, the other keeps the ratio (truncated) */
      gint64 s = MIN (h, w), l = MAX (h, w);
      gint64 new_long = s > 0 ? (gint64) ((double) (self->size[0] * l) / (double) s) : 0;

      new_w = w <= h ? self->size[0] : new_long;
      new_h = w <= h ? new_long : self->size[0];
    }
  return lt_transforms_resize (input, new_h, new_w, error);
}

static void
lt_resize_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_resize_apply;
}

static void
lt_resize_class_init (LtResizeClass *klass)
{
}

static void
lt_resize_init (LtResize *self)
{
}

/**
 * lt_resize_new:
 * @size: (array length=n_size): one value, the size of the smaller edge
 *   (the other keeps the aspect ratio), or two, (height, width)
 * @n_size: 1 or 2
 * @error: return location for a #GError
 *
 * Creates the Resize transform.
 *
 * Returns: (transfer full) (nullable): the transform, or %NULL with @error
 *   set for a size that is not 1 or 2 positive values
 */
LtTransform *
lt_resize_new (const gint64 *size,
               gsize         n_size,
               GError      **error)
{
  LtResize *self;

  if (n_size != 1 && n_size != 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Resize: the size needs 1 or 2 values, not %" G_GSIZE_FORMAT, n_size);
      return NULL;
    }
  for (gsize i = 0; i < n_size; i++)
    if (size[i] <= 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "Resize: the size %" G_GINT64_FORMAT " must be positive", size[i]);
        return NULL;
      }
  self = g_object_new (LT_TYPE_RESIZE, NULL);
  memcpy (self->size, size, n_size * sizeof (gint64));
  self->n_size = n_size;
  return LT_TRANSFORM (self);
}

/* CenterCrop */

/**
 * LtCenterCrop:
 *
 * Crops the center of an image, as torchvision's `CenterCrop` (see
 * lt_transforms_center_crop()).
 */
struct _LtCenterCrop
{
  GObject parent_instance;

  gint64 height;
  gint64 width;
};

static void lt_center_crop_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtCenterCrop, lt_center_crop, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, lt_center_crop_iface_init))

static LtTensor *
lt_center_crop_apply (LtTransform *transform,
                      LtTensor    *input,
                      GError     **error)
{
  LtCenterCrop *self = LT_CENTER_CROP (transform);

  return lt_transforms_center_crop (input, self->height, self->width, error);
}

static void
lt_center_crop_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_center_crop_apply;
}

static void
lt_center_crop_class_init (LtCenterCropClass *klass)
{
}

static void
lt_center_crop_init (LtCenterCrop *self)
{
}

/**
 * lt_center_crop_new:
 * @height: the height of the crop
 * @width: the width of the crop
 * @error: return location for a #GError
 *
 * Creates the CenterCrop transform.
 *
 * Returns: (transfer full) (nullable): the transform, or %NULL with @error
 *   set for a size that is not positive
 */
LtTransform *
lt_center_crop_new (gint64   height,
                    gint64   width,
                    GError **error)
{
  LtCenterCrop *self;

  if (height <= 0 || width <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "CenterCrop: the size %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                   " must be positive", height, width);
      return NULL;
    }
  self = g_object_new (LT_TYPE_CENTER_CROP, NULL);
  self->height = height;
  self->width = width;
  return LT_TRANSFORM (self);
}

/* Grayscale */

/**
 * LtGrayscale:
 *
 * Converts an RGB image to grayscale, as torchvision's `Grayscale` (see
 * lt_transforms_rgb_to_grayscale()).
 */
struct _LtGrayscale
{
  GObject parent_instance;

  guint num_output_channels;
};

static void lt_grayscale_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtGrayscale, lt_grayscale, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, lt_grayscale_iface_init))

static LtTensor *
lt_grayscale_apply (LtTransform *transform,
                    LtTensor    *input,
                    GError     **error)
{
  LtGrayscale *self = LT_GRAYSCALE (transform);

  return lt_transforms_rgb_to_grayscale (input, self->num_output_channels, error);
}

static void
lt_grayscale_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_grayscale_apply;
}

static void
lt_grayscale_class_init (LtGrayscaleClass *klass)
{
}

static void
lt_grayscale_init (LtGrayscale *self)
{
}

/**
 * lt_grayscale_new:
 * @num_output_channels: 1, or 3 for the gray value in three channels
 * @error: return location for a #GError
 *
 * Creates the Grayscale transform.
 *
 * Returns: (transfer full) (nullable): the transform, or %NULL with @error
 *   set when @num_output_channels is not 1 or 3
 */
LtTransform *
lt_grayscale_new (guint    num_output_channels,
                  GError **error)
{
  LtGrayscale *self;

  if (num_output_channels != 1 && num_output_channels != 3)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Grayscale: num_output_channels must be 1 or 3, not %u", num_output_channels);
      return NULL;
    }
  self = g_object_new (LT_TYPE_GRAYSCALE, NULL);
  self->num_output_channels = num_output_channels;
  return LT_TRANSFORM (self);
}

/* Compose */

/**
 * LtCompose:
 *
 * Applies transforms one after the other, as torchvision's `Compose`.
 */
struct _LtCompose
{
  GObject parent_instance;

  GPtrArray *transforms;   /* owned LtTransform */
};

static void lt_compose_iface_init (LtTransformInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtCompose, lt_compose, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_TRANSFORM, lt_compose_iface_init))

static LtTensor *
lt_compose_apply (LtTransform *transform,
                  LtTensor    *input,
                  GError     **error)
{
  LtCompose *self = LT_COMPOSE (transform);
  g_autoptr(LtTensor) x = g_object_ref (input);

  for (guint i = 0; i < self->transforms->len; i++)
    {
      LtTensor *next = lt_transform_apply (self->transforms->pdata[i], x, error);

      if (next == NULL)
        return NULL;
      g_object_unref (x);
      x = next;
    }
  return g_steal_pointer (&x);
}

static void
lt_compose_iface_init (LtTransformInterface *iface)
{
  iface->apply = lt_compose_apply;
}

static void
lt_compose_finalize (GObject *object)
{
  LtCompose *self = LT_COMPOSE (object);

  g_ptr_array_unref (self->transforms);
  G_OBJECT_CLASS (lt_compose_parent_class)->finalize (object);
}

static void
lt_compose_class_init (LtComposeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_compose_finalize;
}

static void
lt_compose_init (LtCompose *self)
{
  self->transforms = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * lt_compose_new:
 * @transforms: (array length=n_transforms): the transforms, in order
 * @n_transforms: the number of transforms
 *
 * Creates a transform that applies @transforms one after the other.
 *
 * Returns: (transfer full): the transform
 */
LtTransform *
lt_compose_new (LtTransform **transforms,
                gsize         n_transforms)
{
  LtCompose *self = g_object_new (LT_TYPE_COMPOSE, NULL);

  for (gsize i = 0; i < n_transforms; i++)
    {
      g_return_val_if_fail (LT_IS_TRANSFORM (transforms[i]), LT_TRANSFORM (self));
      g_ptr_array_add (self->transforms, g_object_ref (transforms[i]));
    }
  return LT_TRANSFORM (self);
}

/**
 * lt_compose_get_n_transforms:
 * @self: a composition
 *
 * Gets the number of transforms in a composition.
 *
 * Returns: the number of transforms
 */
guint
lt_compose_get_n_transforms (LtCompose *self)
{
  g_return_val_if_fail (LT_IS_COMPOSE (self), 0);
  return self->transforms->len;
}

/**
 * lt_compose_get_transform:
 * @self: a composition
 * @index: the position of a transform
 *
 * Gets one transform of a composition.
 *
 * Returns: (transfer none) (nullable): the transform, or %NULL when @index
 *   is out of range
 */
LtTransform *
lt_compose_get_transform (LtCompose *self,
                          guint      index)
{
  g_return_val_if_fail (LT_IS_COMPOSE (self), NULL);
  if (index >= self->transforms->len)
    return NULL;
  return self->transforms->pdata[index];
}
