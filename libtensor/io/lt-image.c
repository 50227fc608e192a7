/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "lt-image.h"
#include "lt-image-private.h"
#include "lt-file.h"
#include "lt-file-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

/*
 * Images: torchvision.utils.make_grid and save_image, image files in and
 * out (gdk-pixbuf: PNG and JPEG, without premultiplied alpha), and Cairo
 * image surfaces for the viewer.
 */

/* min and max of n elements, NaN-blind as torch.min/max are not: a NaN
 * anywhere gives NaN. */
static void
min_max (const guint8 *p,
         gint64        n,
         LtDType       dtype,
         double       *lo,
         double       *hi)
{
  gsize es = _lt_dtype_size (dtype);

  *lo = INFINITY;
  *hi = -INFINITY;
  for (gint64 i = 0; i < n; i++)
    {
      double v = _lt_load_double (p + i * es, dtype);

      if (isnan (v))
        {
          *lo = *hi = NAN;
          return;
        }
      *lo = MIN (*lo, v);
      *hi = MAX (*hi, v);
    }
}

/* torchvision's norm_ip: clamp to [lo, hi], subtract lo, divide by
 * max (hi - lo, 1e-5), in the tensor's type (the bounds converted to it). */
static void
norm_range (guint8  *p,
            gint64   n,
            LtDType  dtype,
            double   lo,
            double   hi)
{
  double div = MAX (hi - lo, 1e-5);

  if (dtype == LT_DTYPE_FLOAT32)
    {
      float *x = (float *) p;
      float flo = (float) lo, fhi = (float) hi, fdiv = (float) div;

      for (gint64 i = 0; i < n; i++)
        {
          float v = x[i];

          /* torch.clamp: min first, then max; NaN stays NaN */
          v = v < flo ? flo : v;
          v = v > fhi ? fhi : v;
          x[i] = (v - flo) / fdiv;
        }
    }
  else
    {
      double *x = (double *) p;

      for (gint64 i = 0; i < n; i++)
        {
          double v = x[i];

          v = v < lo ? lo : v;
          v = v > hi ? hi : v;
          x[i] = (v - lo) / div;
        }
    }
}

/**
 * lt_make_grid:
 * @tensor: images (B, C, H, W), or one image (C, H, W) or (H, W)
 * @nrow: the number of images per row of the grid
 * @padding: the padding around every image, in pixels
 * @normalize: shift the values to [0, 1] by the minimum and maximum (or
 *   @value_range)
 * @value_range: (array fixed-size=2) (nullable): the (min, max) used by
 *   @normalize instead of the tensor's
 * @scale_each: with @normalize, normalize every image by its own minimum
 *   and maximum
 * @pad_value: the value of the padding
 * @error: return location for a #GError
 *
 * Lays out a batch of images as a grid in one image, as
 * `torchvision.utils.make_grid()`, value for value: one-channel images
 * become three channels; a batch of one image is returned without
 * padding.
 *
 * Returns: (transfer full) (nullable): the grid (C, H', W'), or %NULL with
 *   @error set
 */
LtTensor *
lt_make_grid (LtTensor     *tensor,
              gint          nrow,
              gint          padding,
              gboolean      normalize,
              const double *value_range,
              gboolean      scale_each,
              double        pad_value,
              GError      **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) grid = NULL;
  gint64 b, c, h, w, in_c;
  gint64 xmaps, ymaps, cell_h, cell_w;
  gint64 shape[3];
  gsize es;
  guint8 pad_bytes[8];

  g_return_val_if_fail (LT_IS_TENSOR (tensor), NULL);
  if (tensor->ndim < 2 || tensor->ndim > 4)
    {
      g_autofree char *s = LT_SHAPE_STR (tensor);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "make_grid: images (B, C, H, W), (C, H, W) or (H, W) are needed, got shape %s",
                   s);
      return NULL;
    }
  if (nrow < 1 || padding < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "make_grid: nrow (%d) must be positive and padding (%d) not negative",
                   nrow, padding);
      return NULL;
    }
  if (normalize && !_lt_dtype_is_float (tensor->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "make_grid: normalize needs float images, not %s",
                   lt_dtype_get_name (tensor->dtype));
      return NULL;
    }
  h = tensor->shape[tensor->ndim - 2];
  w = tensor->shape[tensor->ndim - 1];
  in_c = tensor->ndim == 2 ? 1 : tensor->shape[tensor->ndim - 3];
  b = tensor->ndim == 4 ? tensor->shape[0] : 1;
  c = in_c == 1 ? 3 : in_c;
  es = _lt_dtype_size (tensor->dtype);
  if (b == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "make_grid: a batch of no images");
      return NULL;
    }

  /* (B, C, H, W) with one channel made three */
  {
    g_autoptr(LtTensor) host = _lt_contiguous_host (tensor, error);
    gint64 s4[4] = { b, c, h, w };
    gsize plane = h * w * es;

    if (host == NULL)
      return NULL;
    src = _lt_tensor_new_empty (s4, 4, tensor->dtype, LT_DEVICE_CPU, error);
    if (src == NULL)
      return NULL;
    for (gint64 i = 0; i < b; i++)
      for (gint64 k = 0; k < c; k++)
        memcpy ((guint8 *) _lt_tensor_data (src) + (i * c + k) * plane,
                (guint8 *) _lt_tensor_data (host) + (i * in_c + (in_c == 1 ? 0 : k)) * plane,
                plane);
  }

  if (normalize)
    {
      gint64 per_image = c * h * w;
      guint8 *data = _lt_tensor_data (src);

      for (gint64 i = 0; i < (scale_each ? b : 1); i++)
        {
          guint8 *p = data + i * per_image * es;
          gint64 n = scale_each ? per_image : src->numel;
          double lo, hi;

          if (value_range != NULL)
            lo = value_range[0], hi = value_range[1];
          else
            min_max (p, n, src->dtype, &lo, &hi);
          norm_range (p, n, src->dtype, lo, hi);
        }
    }

  if (b == 1)
    {
      gint64 s3[3] = { c, h, w };

      return _lt_tensor_new_with_storage (src->storage, s3, NULL, 3, 0, src->dtype);
    }

  xmaps = MIN (nrow, b);
  ymaps = (b + xmaps - 1) / xmaps;
  cell_h = h + padding;
  cell_w = w + padding;
  shape[0] = c;
  shape[1] = cell_h * ymaps + padding;
  shape[2] = cell_w * xmaps + padding;
  grid = _lt_tensor_new_empty (shape, 3, src->dtype, LT_DEVICE_CPU, error);
  if (grid == NULL)
    return NULL;
  _lt_store_double (pad_bytes, src->dtype, pad_value);
  {
    guint8 *g = _lt_tensor_data (grid);

    for (gint64 i = 0; i < grid->numel; i++)
      memcpy (g + i * es, pad_bytes, es);
    for (gint64 k = 0; k < b; k++)
      {
        gint64 y = k / xmaps, x = k % xmaps;

        for (gint64 ch = 0; ch < c; ch++)
          for (gint64 r = 0; r < h; r++)
            memcpy (g + ((ch * shape[1] + y * cell_h + padding + r) * shape[2]
                         + x * cell_w + padding) * es,
                    (guint8 *) _lt_tensor_data (src) + (((k * c + ch) * h + r) * w) * es,
                    w * es);
      }
  }
  return g_steal_pointer (&grid);
}

/* An image (C, H, W) as bytes (H, W, C) the way torchvision's save_image
 * converts: float x -> trunc (clamp (x * 255 + 0.5, 0, 255)); integers are
 * clamped to [0, 255]. */
static guint8 *
to_hwc_bytes (LtTensor *image,
              GError  **error)
{
  g_autoptr(LtTensor) host = _lt_contiguous_host (image, error);
  gint64 c = image->shape[0], h = image->shape[1], w = image->shape[2];
  guint8 *out;

  if (host == NULL)
    return NULL;
  out = g_malloc (MAX (c * h * w, 1));
  for (gint64 k = 0; k < c; k++)
    for (gint64 i = 0; i < h * w; i++)
      {
        gint64 at = k * h * w + i;
        guint8 v;

        if (host->dtype == LT_DTYPE_FLOAT32)
          {
            float x = ((const float *) _lt_tensor_data (host))[at] * 255.0f + 0.5f;

            x = x < 0 ? 0 : x;
            x = x > 255 ? 255 : x;
            v = isnan (x) ? 0 : (guint8) x;
          }
        else if (host->dtype == LT_DTYPE_FLOAT64)
          {
            double x = ((const double *) _lt_tensor_data (host))[at] * 255.0 + 0.5;

            x = x < 0 ? 0 : x;
            x = x > 255 ? 255 : x;
            v = isnan (x) ? 0 : (guint8) x;
          }
        else
          v = (guint8) _lt_clamp_i64 (_lt_load_double ((const guint8 *) _lt_tensor_data (host)
                                                       + at * _lt_dtype_size (host->dtype),
                                                       host->dtype), 0, 255);
        out[i * c + k] = v;
      }
  return out;
}

/* (C, H, W) or (H, W) with C 1, 3 or 4 */
static gboolean
check_picture (LtTensor   *t,
               const char *op,
               gint64     *c,
               GError    **error)
{
  *c = t->ndim == 2 ? 1 : t->ndim == 3 ? t->shape[0] : 0;
  if (*c != 1 && *c != 3 && *c != 4)
    {
      g_autofree char *s = LT_SHAPE_STR (t);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: an image (C, H, W) with 1, 3 or 4 channels or (H, W) is needed, "
                   "got shape %s", op, s);
      return FALSE;
    }
  if (t->shape[t->ndim - 1] < 1 || t->shape[t->ndim - 2] < 1 ||
      t->shape[t->ndim - 1] > 32767 || t->shape[t->ndim - 2] > 32767)
    {
      g_autofree char *s = LT_SHAPE_STR (t);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: an image of shape %s is empty or too large", op, s);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_save_image:
 * @tensor: images (B, C, H, W), or one image (C, H, W) or (H, W), with
 *   float values in [0, 1] or uint8 values
 * @path: the file to write; its extension (.png, .jpg or .jpeg) gives the
 *   format
 * @nrow: as lt_make_grid()
 * @padding: as lt_make_grid()
 * @normalize: as lt_make_grid()
 * @value_range: (array fixed-size=2) (nullable): as lt_make_grid()
 * @scale_each: as lt_make_grid()
 * @pad_value: as lt_make_grid()
 * @error: return location for a #GError
 *
 * Writes images to a file as one grid, as `torchvision.utils.save_image()`:
 * the grid's float values become bytes by `x * 255 + 0.5` clamped to
 * [0, 255] and truncated. The file is written as lt_file_set_contents()
 * writes: atomically, through symbolic links, keeping an existing file's
 * mode.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_save_image (LtTensor     *tensor,
               const char   *path,
               gint          nrow,
               gint          padding,
               gboolean      normalize,
               const double *value_range,
               gboolean      scale_each,
               double        pad_value,
               GError      **error)
{
  g_autoptr(LtTensor) grid = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree guint8 *bytes = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *buffer = NULL;
  gsize buffer_size = 0;
  const char *format;
  gint64 c, h, w;
  gboolean alpha;
  GError *local = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".png"))
    format = "png";
  else if (g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg"))
    format = "jpeg";
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "save_image: cannot tell the format of '%s': name it .png, .jpg or .jpeg",
                   path);
      return FALSE;
    }
  grid = lt_make_grid (tensor, nrow, padding, normalize, value_range, scale_each, pad_value,
                       error);
  if (grid == NULL)
    return FALSE;
  if (!check_picture (grid, "save_image", &c, error))
    return FALSE;
  h = grid->shape[1];
  w = grid->shape[2];
  bytes = to_hwc_bytes (grid, error);
  if (bytes == NULL)
    return FALSE;

  alpha = c == 4;
  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, (int) w, (int) h);
  if (pixbuf == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "save_image: no memory for an image of %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT,
                   w, h);
      return FALSE;
    }
  {
    guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
    int stride = gdk_pixbuf_get_rowstride (pixbuf);
    int n_ch = alpha ? 4 : 3;

    for (gint64 y = 0; y < h; y++)
      for (gint64 x = 0; x < w; x++)
        for (int k = 0; k < n_ch; k++)
          pixels[y * stride + x * n_ch + k] = bytes[(y * w + x) * c + (c == 1 ? 0 : k)];
  }
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &buffer_size, format, &local,
                                  g_str_equal (format, "jpeg") ? "quality" : NULL, "95", NULL))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_IO, "save_image: cannot encode '%s': %s", path,
                   local->message);
      g_error_free (local);
      return FALSE;
    }
  if (!lt_file_set_contents (path, (const guint8 *) buffer, buffer_size, error))
    {
      g_prefix_error (error, "save_image: ");
      return FALSE;
    }
  return TRUE;
}

/* Decoding */

static guint64 image_max_pixels = LT_IMAGE_MAX_PIXELS_DEFAULT; /* atomic */

/**
 * lt_image_set_max_pixels:
 * @max_pixels: the most pixels (width times height) an image file may
 *   declare, or 0 for no limit
 *
 * Sets the largest image that lt_load_image() and #LtImageFolder decode,
 * as PIL's `Image.MAX_IMAGE_PIXELS` does (0 as `None`). An image file
 * declaring more pixels is refused from its header, before its pixels are
 * decoded or anything is allocated for them: a small PNG or JPEG can
 * declare 20000 x 20000 pixels and take gigabytes to decode. The default
 * is %LT_IMAGE_MAX_PIXELS_DEFAULT (178,956,970 pixels, the size PIL
 * refuses with `DecompressionBombError`).
 */
void
lt_image_set_max_pixels (guint64 max_pixels)
{
  __atomic_store_n (&image_max_pixels, max_pixels, __ATOMIC_RELAXED);
}

/**
 * lt_image_get_max_pixels:
 *
 * Gets the largest image, in pixels, that the image readers decode (see
 * lt_image_set_max_pixels()).
 *
 * Returns: the limit, or 0 for none
 */
guint64
lt_image_get_max_pixels (void)
{
  return __atomic_load_n (&image_max_pixels, __ATOMIC_RELAXED);
}

typedef struct
{
  int      width;
  int      height;
  gboolean known;
} SizeCheck;

/* The loader knows the size from the header: keep it, and ask for a size
 * of 0 x 0, which makes gdk-pixbuf's loaders stop before they allocate the
 * pixels. */
static void
size_prepared_cb (GdkPixbufLoader *loader, int width, int height, gpointer data)
{
  SizeCheck *c = data;

  c->width = width;
  c->height = height;
  c->known = TRUE;
  gdk_pixbuf_loader_set_size (loader, 0, 0);
}

GdkPixbuf *
_lt_image_decode_file (const char *path, const char *what, GError **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autofree guint8 *buf = NULL;
  GError            *local = NULL;
  SizeCheck          check = { 0, 0, FALSE };
  guint64            limit = lt_image_get_max_pixels ();
  struct stat        st;
  GdkPixbuf         *pixbuf;
  gboolean           ok = TRUE;
  int                fd;

  /* The file first (a FIFO would block gdk-pixbuf's reader forever). */
  fd = _lt_file_open_read (path, what, &st, error);
  if (fd < 0)
    return NULL;
  if (st.st_size == 0)
    {
      close (fd);
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s: %s is empty (0 bytes), not an image",
                   what, path);
      return NULL;
    }

  /* Then its header, through a progressive loader that stops as soon as
   * it knows the size (size-prepared), before any pixel is decoded. */
  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &check);
  buf = g_malloc (65536);
  while (ok && !check.known)
    {
      ssize_t n = read (fd, buf, 65536);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          gdk_pixbuf_loader_close (loader, NULL);
          g_set_error (error, LT_ERROR, LT_ERROR_IO, "%s: cannot read %s: %s", what, path,
                       g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      ok = gdk_pixbuf_loader_write (loader, buf, (gsize) n, &local);
    }
  close (fd);
  gdk_pixbuf_loader_close (loader, NULL);
  if (check.known && (check.width <= 0 || check.height <= 0))
    {
      g_clear_error (&local);
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s: %s declares a size of %d x %d pixels",
                   what, path, check.width, check.height);
      return NULL;
    }
  if (check.known && limit > 0 && (guint64) check.width * (guint64) check.height > limit)
    {
      g_clear_error (&local);
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "%s: %s declares %d x %d = %" G_GUINT64_FORMAT
                   " pixels, more than the limit of %" G_GUINT64_FORMAT
                   " (lt_image_set_max_pixels() changes it); it was not decoded",
                   what, path, check.width, check.height,
                   (guint64) check.width * (guint64) check.height, limit);
      return NULL;
    }
  if (!check.known)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT, "%s: cannot decode %s: %s", what, path,
                   local ? local->message : "the file ends inside the image's header");
      g_clear_error (&local);
      return NULL;
    }
  g_clear_error (&local);

  /* Now the pixels, by the format's whole-file reader, which (unlike the
   * progressive one) fails on a file cut short. */
  pixbuf = gdk_pixbuf_new_from_file (path, &local);
  if (pixbuf == NULL)
    {
      g_set_error (error, LT_ERROR, local->domain == G_FILE_ERROR ? LT_ERROR_IO : LT_ERROR_FORMAT,
                   "%s: cannot decode %s: %s", what, path, local->message);
      g_error_free (local);
      return NULL;
    }
  return pixbuf;
}

/**
 * lt_load_image:
 * @path: an image file (PNG, JPEG or another format gdk-pixbuf reads)
 * @error: return location for a #GError
 *
 * Reads an image file into a uint8 tensor (C, H, W) with 3 channels (RGB)
 * or 4 (RGBA, not premultiplied), as `torchvision.io.read_image()`; gray
 * images come as RGB. An image declaring more pixels than
 * lt_image_get_max_pixels() is refused before it is decoded.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set
 *   (%LT_ERROR_IO for a missing file or one that is no file, such as a
 *   FIFO; %LT_ERROR_FORMAT for an unreadable or too large image)
 */
LtTensor *
lt_load_image (const char *path,
               GError    **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64 shape[3];
  int n_ch, stride;
  const guint8 *pixels;
  guint8 *d;

  g_return_val_if_fail (path != NULL, NULL);
  pixbuf = _lt_image_decode_file (path, "load_image", error);
  if (pixbuf == NULL)
    return NULL;
  n_ch = gdk_pixbuf_get_n_channels (pixbuf);
  if (gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 || (n_ch != 3 && n_ch != 4))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "load_image: '%s' has %d channels of %d bits; 8-bit RGB or RGBA expected",
                   path, n_ch, gdk_pixbuf_get_bits_per_sample (pixbuf));
      return NULL;
    }
  shape[0] = n_ch;
  shape[1] = gdk_pixbuf_get_height (pixbuf);
  shape[2] = gdk_pixbuf_get_width (pixbuf);
  out = _lt_tensor_new_empty (shape, 3, LT_DTYPE_UINT8, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  d = _lt_tensor_data (out);
  for (gint64 k = 0; k < n_ch; k++)
    for (gint64 y = 0; y < shape[1]; y++)
      for (gint64 x = 0; x < shape[2]; x++)
        *d++ = pixels[y * stride + x * n_ch + k];
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_to_cairo_surface:
 * @self: an image (C, H, W) with 1, 3 or 4 channels, or (H, W): float in
 *   [0, 1] or uint8
 * @error: return location for a #GError
 *
 * Draws an image into a new Cairo image surface: %CAIRO_FORMAT_RGB24 for
 * gray and RGB images, %CAIRO_FORMAT_ARGB32 (premultiplied) for RGBA.
 * Float values become bytes as in lt_save_image().
 *
 * Returns: (transfer full) (nullable): the surface, or %NULL with @error set
 */
cairo_surface_t *
lt_tensor_to_cairo_surface (LtTensor *self,
                            GError  **error)
{
  g_autoptr(LtTensor) image = NULL;
  g_autofree guint8 *bytes = NULL;
  cairo_surface_t *surface;
  gint64 c, h, w;
  guint8 *data;
  int stride;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!check_picture (self, "to_cairo_surface", &c, error))
    return NULL;
  h = self->shape[self->ndim - 2];
  w = self->shape[self->ndim - 1];
  if (self->ndim == 2)
    {
      gint64 s3[3] = { 1, h, w };
      gint64 st[3] = { h * w, self->strides[0], self->strides[1] };

      image = _lt_tensor_new_view (self, s3, st, 3, self->offset);
    }
  else
    image = g_object_ref (self);
  bytes = to_hwc_bytes (image, error);
  if (bytes == NULL)
    return NULL;

  surface = cairo_image_surface_create (c == 4 ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                                        (int) w, (int) h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY, "to_cairo_surface: %s",
                   cairo_status_to_string (cairo_surface_status (surface)));
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (gint64 y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (data + y * stride);

      for (gint64 x = 0; x < w; x++)
        {
          const guint8 *px = bytes + (y * w + x) * c;
          guint32 r = px[0], g = px[c == 1 ? 0 : 1], b = px[c == 1 ? 0 : 2], a = 255;

          if (c == 4)
            {
              a = px[3];
              r = (r * a + 127) / 255;
              g = (g * a + 127) / 255;
              b = (b * a + 127) / 255;
            }
          row[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/**
 * lt_tensor_new_from_cairo_surface:
 * @surface: a Cairo image surface (RGB24, ARGB32 or A8)
 * @error: return location for a #GError
 *
 * Reads the pixels of a Cairo image surface into a uint8 tensor (C, H, W):
 * 3 channels from RGB24, 4 from ARGB32 (alpha divided out), 1 from A8.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set
 *   for another kind of surface
 */
LtTensor *
lt_tensor_new_from_cairo_surface (cairo_surface_t *surface,
                                  GError         **error)
{
  g_autoptr(LtTensor) out = NULL;
  cairo_format_t format;
  gint64 shape[3];
  gint64 c, h, w;
  const guint8 *data;
  int stride;
  guint8 *d;

  g_return_val_if_fail (surface != NULL, NULL);
  if (cairo_surface_get_type (surface) != CAIRO_SURFACE_TYPE_IMAGE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "new_from_cairo_surface: an image surface is needed");
      return NULL;
    }
  format = cairo_image_surface_get_format (surface);
  c = format == CAIRO_FORMAT_RGB24 ? 3 : format == CAIRO_FORMAT_ARGB32 ? 4
    : format == CAIRO_FORMAT_A8 ? 1 : 0;
  if (c == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FORMAT,
                   "new_from_cairo_surface: surface format %d is not RGB24, ARGB32 or A8",
                   (int) format);
      return NULL;
    }
  cairo_surface_flush (surface);
  h = cairo_image_surface_get_height (surface);
  w = cairo_image_surface_get_width (surface);
  shape[0] = c, shape[1] = h, shape[2] = w;
  out = _lt_tensor_new_empty (shape, 3, LT_DTYPE_UINT8, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  d = _lt_tensor_data (out);
  for (gint64 y = 0; y < h; y++)
    for (gint64 x = 0; x < w; x++)
      {
        if (c == 1)
          {
            d[y * w + x] = data[y * stride + x];
            continue;
          }
        {
          guint32 px = ((const guint32 *) (data + y * stride))[x];
          guint32 a = c == 4 ? px >> 24 : 255;
          guint32 rgb[3] = { (px >> 16) & 0xff, (px >> 8) & 0xff, px & 0xff };

          for (int k = 0; k < 3; k++)
            {
              guint32 v = rgb[k];

              if (c == 4)
                v = a == 0 ? 0 : MIN ((v * 255 + a / 2) / a, 255u);
              d[(k * h + y) * w + x] = (guint8) v;
            }
          if (c == 4)
            d[(3 * h + y) * w + x] = (guint8) a;
        }
      }
  return g_steal_pointer (&out);
}
