/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/* The interface */

#define LT_TYPE_TRANSFORM (lt_transform_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (LtTransform, lt_transform, LT, TRANSFORM, GObject)

/**
 * LtTransformInterface:
 * @g_iface: the parent interface
 * @apply: computes the transformed tensor from @input without modifying
 *   @input; sets @error and returns %NULL on failure
 *
 * The interface of transforms: functions from a tensor (an image) to a
 * tensor that a dataset applies to every item, as torchvision's
 * transforms. Implement @apply in C in the interface init function, in
 * Python as `do_apply`, in JavaScript as `vfunc_apply`.
 *
 * A random transform draws its numbers from the generator lt_manual_seed()
 * seeds; #LtDataLoader gives every sample a stream of its own, so that
 * the same seed gives the same augmented images for any number of
 * workers.
 */
struct _LtTransformInterface
{
  GTypeInterface g_iface;

  LtTensor *(*apply) (LtTransform *self,
                      LtTensor    *input,
                      GError     **error);
};

LT_AVAILABLE_IN_ALL
LtTensor *lt_transform_apply (LtTransform *self,
                              LtTensor    *input,
                              GError     **error);

/**
 * LtPaddingMode:
 * @LT_PADDING_MODE_CONSTANT: pad with a constant value (the fill)
 * @LT_PADDING_MODE_EDGE: repeat the last value on the edge
 * @LT_PADDING_MODE_REFLECT: reflect without repeating the edge value
 *   (padding 2 of [1, 2, 3, 4] gives [3, 2, 1, 2, 3, 4, 3, 2])
 * @LT_PADDING_MODE_SYMMETRIC: reflect repeating the edge value
 *   (padding 2 of [1, 2, 3, 4] gives [2, 1, 1, 2, 3, 4, 4, 3])
 *
 * How lt_transforms_pad() and #LtRandomCrop fill the border, as
 * torchvision's `padding_mode`.
 */
typedef enum {
  LT_PADDING_MODE_CONSTANT,
  LT_PADDING_MODE_EDGE,
  LT_PADDING_MODE_REFLECT,
  LT_PADDING_MODE_SYMMETRIC,
} LtPaddingMode;

#define LT_TYPE_PADDING_MODE (lt_padding_mode_get_type ())
LT_AVAILABLE_IN_ALL
GType lt_padding_mode_get_type (void) G_GNUC_CONST;

/* Transforms */

#define LT_TYPE_TO_TENSOR (lt_to_tensor_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtToTensor, lt_to_tensor, LT, TO_TENSOR, GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_to_tensor_new (void) G_GNUC_WARN_UNUSED_RESULT;

#define LT_TYPE_NORMALIZE (lt_normalize_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtNormalize, lt_normalize, LT, NORMALIZE, GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_normalize_new (const double *mean,
                               gsize         n_mean,
                               const double *std,
                               gsize         n_std,
                               GError      **error) G_GNUC_WARN_UNUSED_RESULT;

#define LT_TYPE_RANDOM_CROP (lt_random_crop_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtRandomCrop, lt_random_crop, LT, RANDOM_CROP, GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_random_crop_new        (gint64         height,
                                        gint64         width,
                                        const gint64  *padding,
                                        gsize          n_padding,
                                        gboolean       pad_if_needed,
                                        double         fill,
                                        LtPaddingMode  padding_mode,
                                        GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean     lt_random_crop_get_params (LtRandomCrop  *self,
                                        gint64         height,
                                        gint64         width,
                                        gint64        *top,
                                        gint64        *left,
                                        GError       **error);

#define LT_TYPE_RANDOM_HORIZONTAL_FLIP (lt_random_horizontal_flip_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtRandomHorizontalFlip, lt_random_horizontal_flip, LT, RANDOM_HORIZONTAL_FLIP,
                      GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_random_horizontal_flip_new        (double                  p)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean     lt_random_horizontal_flip_get_params (LtRandomHorizontalFlip *self);

#define LT_TYPE_RESIZE (lt_resize_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtResize, lt_resize, LT, RESIZE, GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_resize_new (const gint64 *size,
                            gsize         n_size,
                            GError      **error) G_GNUC_WARN_UNUSED_RESULT;

#define LT_TYPE_CENTER_CROP (lt_center_crop_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCenterCrop, lt_center_crop, LT, CENTER_CROP, GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_center_crop_new (gint64   height,
                                 gint64   width,
                                 GError **error) G_GNUC_WARN_UNUSED_RESULT;

#define LT_TYPE_GRAYSCALE (lt_grayscale_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGrayscale, lt_grayscale, LT, GRAYSCALE, GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_grayscale_new (guint    num_output_channels,
                               GError **error) G_GNUC_WARN_UNUSED_RESULT;

#define LT_TYPE_COMPOSE (lt_compose_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCompose, lt_compose, LT, COMPOSE, GObject)

LT_AVAILABLE_IN_ALL
LtTransform *lt_compose_new           (LtTransform **transforms,
                                       gsize         n_transforms) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
guint        lt_compose_get_n_transforms (LtCompose   *self);
LT_AVAILABLE_IN_ALL
LtTransform *lt_compose_get_transform (LtCompose    *self,
                                       guint         index);

/* Functional forms: the same computations without randomness */

LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_to_tensor        (LtTensor      *input,
                                          GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_normalize        (LtTensor      *input,
                                          const double  *mean,
                                          gsize          n_mean,
                                          const double  *std,
                                          gsize          n_std,
                                          GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_pad              (LtTensor      *input,
                                          const gint64  *padding,
                                          gsize          n_padding,
                                          double         fill,
                                          LtPaddingMode  padding_mode,
                                          GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_crop             (LtTensor      *input,
                                          gint64         top,
                                          gint64         left,
                                          gint64         height,
                                          gint64         width,
                                          GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_center_crop      (LtTensor      *input,
                                          gint64         height,
                                          gint64         width,
                                          GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_hflip            (LtTensor      *input,
                                          GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_resize           (LtTensor      *input,
                                          gint64         height,
                                          gint64         width,
                                          GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_transforms_rgb_to_grayscale (LtTensor      *input,
                                          guint          num_output_channels,
                                          GError       **error);

G_END_DECLS
