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
 * Resizes the spatial dimensions of (N, C, d1[, d2[, d3]]) inputs to a size
 * or by a scale factor, as `torch.nn.Upsample` with the modes of
 * lt_interpolate() ("nearest" and "bilinear" on 4-D inputs run
 * lt_interpolate_nearest2d() and lt_interpolate_bilinear2d()). With a scale
 * factor the output size is `floor (size * scale)` and the kernels use the
 * factor itself, as PyTorch does when recompute_scale_factor is not set
 * (lt_upsample_set_recompute_scale_factor() sets it).
 */
struct _LtUpsample
{
  LtModule parent_instance;

  gint64   size[3];
  guint    n_size; /* 0: scale factors; 1: an int; 2 or 3: one per dimension */
  double   scale[3];
  guint    n_scale;
  char    *mode;
  gboolean bilinear;
  gboolean align_corners;
  gboolean recompute_scale_factor;
};

G_DEFINE_FINAL_TYPE (LtUpsample, lt_upsample, LT_TYPE_MODULE)

static LtTensor *
lt_upsample_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtUpsample   *self = LT_UPSAMPLE (module);
  const gint64 *shape;
  guint         nd, n;
  gint64        out[3];
  double        sc[3] = { 0, 0, 0 };

  shape = lt_tensor_get_shape (input, &nd);
  n = nd - 2;
  if (nd < 3 || nd > 5 || (self->n_size > 1 && self->n_size != n) ||
      (self->n_scale > 1 && self->n_scale != n))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "Upsample: the input must be (N, C, d1[, d2[, d3]]) with one spatial "
                   "dimension per size or scale factor given, not of %u dimensions",
                   nd);
      return NULL;
    }
  for (guint k = 0; k < n; k++)
    {
      if (self->n_size)
        out[k] = self->size[self->n_size == 1 ? 0 : k];
      else
        {
          sc[k] = self->scale[self->n_scale == 1 ? 0 : k];
          out[k] = (gint64) floor ((double) shape[k + 2] * sc[k]);
          /* recomputed: the sizes alone map the coordinates */
          if (self->recompute_scale_factor)
            sc[k] = 0.0;
        }
    }
  if (nd == 4 && self->bilinear)
    return lt_interpolate_bilinear2d (input, out[0], out[1], self->align_corners, sc[0], sc[1],
                                      error);
  if (nd == 4 && strcmp (self->mode, "nearest") == 0)
    return lt_interpolate_nearest2d (input, out[0], out[1], sc[0], sc[1], error);
  return lt_interpolate (input, self->mode, out, n, sc, n, self->align_corners, error);
}

static void
lt_upsample_finalize (GObject *object)
{
  g_free (LT_UPSAMPLE (object)->mode);
  G_OBJECT_CLASS (lt_upsample_parent_class)->finalize (object);
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
      g_string_append (s, "scale_factor=");
      if (self->n_scale > 1)
        g_string_append_c (s, '(');
      for (guint i = 0; i < self->n_scale; i++)
        {
          g_autofree char *a = _lt_py_float_repr (self->scale[i]);

          g_string_append_printf (s, "%s%s", i ? ", " : "", a);
        }
      if (self->n_scale > 1)
        g_string_append_c (s, ')');
    }
  g_string_append_printf (s, ", mode=%s", self->mode);
  return g_string_free (s, FALSE);
}

static void
lt_upsample_class_init (LtUpsampleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_upsample_finalize;
  LT_MODULE_CLASS (klass)->forward = lt_upsample_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_upsample_extra_repr;
}

static void
lt_upsample_init (LtUpsample *self)
{
}

/**
 * lt_upsample_new:
 * @size: (array length=n_size) (nullable): the output size: one (for every
 *   spatial dimension) or one per spatial dimension
 * @n_size: 0 to 3
 * @scale_factor: (array length=n_scale_factor) (nullable): the scale
 *   factor: one (for every spatial dimension) or one per spatial
 *   dimension; give either @size or this
 * @n_scale_factor: 0 to 3
 * @mode: "nearest", "nearest-exact", "linear", "bilinear", "bicubic",
 *   "trilinear" or "area", as lt_interpolate()
 * @align_corners: for the interpolating modes, align the corner pixels'
 *   centres (PyTorch's align_corners=True)
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

  if ((n_size == 0) == (n_scale_factor == 0) || n_size > 3 || n_scale_factor > 3)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "Upsample: give either a size or a scale factor (one value, or one per spatial "
                   "dimension), not "
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
  if (mode == NULL ||
      !g_strv_contains ((const char *const[]){ "nearest", "nearest-exact", "linear", "bilinear",
                                               "bicubic", "trilinear", "area", NULL },
                        mode))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "Upsample: mode \"%s\" is not supported (nearest, nearest-exact, linear, "
                   "bilinear, bicubic, trilinear and area are)",
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
  self->mode = g_strdup (mode);
  self->align_corners = !!align_corners;
  return self;
}

/**
 * lt_upsample_set_recompute_scale_factor:
 * @self: an upsampling layer
 * @recompute_scale_factor: whether the output sizes alone map the
 *   coordinates
 *
 * Sets PyTorch's `recompute_scale_factor`: with a scale factor, the layer
 * computes the output sizes as `floor (in * scale_factor)` and, when set,
 * maps coordinates by the ratio of the sizes instead of by the factor.
 */
void
lt_upsample_set_recompute_scale_factor (LtUpsample *self, gboolean recompute_scale_factor)
{
  g_return_if_fail (LT_IS_UPSAMPLE (self));
  self->recompute_scale_factor = !!recompute_scale_factor;
}

/**
 * lt_upsample_get_recompute_scale_factor:
 * @self: an upsampling layer
 *
 * Gets whether the output sizes alone map the coordinates.
 *
 * Returns: PyTorch's `recompute_scale_factor`
 */
gboolean
lt_upsample_get_recompute_scale_factor (LtUpsample *self)
{
  g_return_val_if_fail (LT_IS_UPSAMPLE (self), FALSE);
  return self->recompute_scale_factor;
}
