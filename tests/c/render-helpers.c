/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "render-helpers.h"

guint32
pixel_at (cairo_surface_t *surface, int x, int y)
{
  const guint8 *data;
  int           stride;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (surface));
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  return *(const guint32 *) (data + y * stride + x * 4) & 0xffffff;
}

guint32
color_rgb (const LtRenderColor *c)
{
  /* Cairo turns a channel c into floor (c * 255 + 0.5) */
  guint32 r = (guint32) floor (c->red * 255 + 0.5), g = (guint32) floor (c->green * 255 + 0.5),
          b = (guint32) floor (c->blue * 255 + 0.5);

  return (r << 16) | (g << 8) | b;
}

gboolean
rgb_near (guint32 a, guint32 b, int tolerance)
{
  for (int shift = 0; shift < 24; shift += 8)
    if (abs ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > tolerance)
      return FALSE;
  return TRUE;
}

guint
count_pixels (cairo_surface_t *surface,
              int              x,
              int              y,
              int              width,
              int              height,
              guint32          rgb,
              int              tolerance)
{
  int   w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  guint n = 0;

  for (int j = MAX (y, 0); j < MIN (y + height, h); j++)
    for (int i = MAX (x, 0); i < MIN (x + width, w); i++)
      n += rgb_near (pixel_at (surface, i, j), rgb, tolerance);
  return n;
}

char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lt-render-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
remove_dir (const char *path)
{
  GDir       *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_dir (p);
      else
        g_unlink (p);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

guint
count_differing_pixels (cairo_surface_t *a, cairo_surface_t *b)
{
  int   w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a);
  guint n = 0;

  g_assert_cmpint (w, ==, cairo_image_surface_get_width (b));
  g_assert_cmpint (h, ==, cairo_image_surface_get_height (b));
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      n += pixel_at (a, x, y) != pixel_at (b, x, y);
  return n;
}
