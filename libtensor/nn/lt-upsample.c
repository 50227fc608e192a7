/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-upsample.h"
#include "lt-nn-private.h"
#include "core/lt-error.h"
#include "ops/lt-upsample.h"

/**
 * LtUpsample:
 *
 * Resizes (N, C, H, W) images to a size or by a scale factor, as
 * `torch.nn.Upsample` with mode "nearest" or "bilinear"
 * (lt_interpolate_nearest2d(), lt_interpolate_bilinear2d()). With a scale
 * factor the output size is `floor (size * scale)` and the kernels use the
 * factor itself, as PyTorch does when recompute_scale_factor is not set.
 */
struct _LtUpsample
{
  LtModule parent_instance;

  gint64   size[2];
  guint    n_size; /* 0: scale factors; 1: an int; 2: a pair */
  double   scale[2];
  guint    n_scale;
  gboolean bilinear;
  gboolean align_corners;
};

G_DEFINE_FINAL_TYPE (LtUpsample, lt_upsample, LT_TYPE_MODULE)

static LtTensor *
lt_upsample_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtUpsample   *self = LT_UPSAMPLE (module);
  const gint64 *shape;
  guint         nd;
  gint64        oh, ow;
  double        sh = 0, sw = 0;

  shape = lt_tensor_get_shape (input, &nd);
  if (nd != 4)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "Upsample: the input must be (N, C, H, W), not of %u dimensions", nd);
      return NULL;
    }
  if (self->n_size)
    {
      oh = self->size[0];
      ow = self->size[self->n_size - 1];
    }
  else
    {
      sh = self->scale[0];
      sw = self->scale[self->n_scale - 1];
      oh = (gint64) floor ((double) shape[2] * sh);
      ow = (gint64) floor ((double) shape[3] * sw);
    }
  if (self->bilinear)
    return lt_interpolate_bilinear2d (input, oh, ow, self->align_corners, sh, sw, error);
  return lt_interpolate_nearest2d (input, oh, ow, sh, sw, error);
}

static char *
lt_upsample_extra_repr (LtModule *module)
{
  LtUpsample *self = LT_UPSAMPLE (module);
  GString    *s = g_string_new (NULL);

  if (self->n_size)
    {
      g_string_append (s, "size=");
      _lt_append_py_ints (s, self->size, self->n_size, self->n_size == 1);
    }
  else
    {
      g_autofree char *a = _lt_py_float_repr (self->scale[0]);

      g_string_append (s, "scale_factor=");
      if (self->n_scale == 1)
        g_string_append (s, a);
      else
        {
          g_autofree char *b = _lt_py_float_repr (self->scale[1]);

          g_string_append_printf (s, "(%s, %s)", a, b);
        }
    }
  g_string_append_printf (s, ", mode=%s", self->bilinear ? "bilinear" : "nearest");
  return g_string_free (s, FALSE);
}

static void
lt_upsample_class_init (LtUpsampleClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_upsample_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_upsample_extra_repr;
}

static void
lt_upsample_init (LtUpsample *self)
{
}

/**
 * lt_upsample_new:
 * @size: (array length=n_size) (nullable): the output size: one (for both
 *   sides) or (height, width)
 * @n_size: 0, 1 or 2
 * @scale_factor: (array length=n_scale_factor) (nullable): the scale
 *   factor: one (for both sides) or (height, width); give either @size or
 *   this
 * @n_scale_factor: 0, 1 or 2
 * @mode: "nearest" or "bilinear"
 * @align_corners: for "bilinear", align the corner pixels' centres
 *   (PyTorch's align_corners=True)
 * @error: return location for a #GError
 *
 * Creates an Upsample layer, as `nn.Upsample(size, scale_factor, mode,
 * align_corners)`.
 *
 * Returns: (transfer full) (nullable): the layer, or %NULL with @error set
 *   for both or neither of @size and @scale_factor, sizes or factors that
 *   are not positive, or another @mode
 */
LtUpsample *
lt_upsample_new (const gint64 *size,
                 gsize         n_size,
                 const double *scale_factor,
                 gsize         n_scale_factor,
                 const char   *mode,
                 gboolean      align_corners,
                 GError      **error)
{
  LtUpsample *self;

  if ((n_size == 0) == (n_scale_factor == 0) || n_size > 2 || n_scale_factor > 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Upsample: give either a size or a scale factor (one value or two), not "
                   "%" G_GSIZE_FORMAT " sizes and %" G_GSIZE_FORMAT " factors",
                   n_size, n_scale_factor);
      return NULL;
    }
  for (gsize i = 0; i < n_size; i++)
    if (size[i] < 1)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "Upsample: the size must be positive, not %" G_GINT64_FORMAT, size[i]);
        return NULL;
      }
  for (gsize i = 0; i < n_scale_factor; i++)
    if (!(scale_factor[i] > 0) || !isfinite (scale_factor[i]))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "Upsample: the scale factor must be positive and finite, not %g",
                     scale_factor[i]);
        return NULL;
      }
  if (mode == NULL || (strcmp (mode, "nearest") != 0 && strcmp (mode, "bilinear") != 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "Upsample: mode \"%s\" is not supported (\"nearest\" and \"bilinear\" are)",
                   mode ? mode : "(null)");
      return NULL;
    }
  self = g_object_new (LT_TYPE_UPSAMPLE, NULL);
  for (gsize i = 0; i < n_size; i++)
    self->size[i] = size[i];
  for (gsize i = 0; i < n_scale_factor; i++)
    self->scale[i] = scale_factor[i];
  self->n_size = n_size;
  self->n_scale = n_scale_factor;
  self->bilinear = strcmp (mode, "bilinear") == 0;
  self->align_corners = !!align_corners;
  return self;
}
