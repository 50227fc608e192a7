/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo-svg.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libtensor.h>

#include "lt-render-common.h"
#include "lt-render-graph.h"

gboolean
lt_render_rect_contains (const LtRenderRect *rect, double x, double y)
{
  return x >= rect->x && x < rect->x + rect->width && y >= rect->y && y < rect->y + rect->height;
}

/* Okabe, M. and Ito, K. (2008), "Color Universal Design": the eight
 * colours every kind of colour vision tells apart; black (grey here, so
 * that it shows on a dark background too) last. */
static const guint32 okabe_ito[LT_RENDER_N_RUN_COLORS] = {
  0x0072B2, /* blue */
  0xE69F00, /* orange */
  0x009E73, /* bluish green */
  0xD55E00, /* vermillion */
  0xCC79A7, /* reddish purple */
  0x56B4E9, /* sky blue */
  0xF0E442, /* yellow */
  0x999999, /* grey */
};

static void
set_rgb (LtRenderColor *c, guint32 rgb)
{
  c->red = ((rgb >> 16) & 0xff) / 255.0;
  c->green = ((rgb >> 8) & 0xff) / 255.0;
  c->blue = (rgb & 0xff) / 255.0;
  c->alpha = 1;
}

void
lt_render_run_color (guint run, LtRenderColor *color)
{
  set_rgb (color, okabe_ito[run % LT_RENDER_N_RUN_COLORS]);
}

gboolean
lt_render_color_parse (const char *text, LtRenderColor *color)
{
  guint32 rgb = 0;

  g_return_val_if_fail (color != NULL, FALSE);
  if (text == NULL || text[0] != '#' || strlen (text) != 7)
    return FALSE;
  for (int i = 1; i < 7; i++)
    {
      int digit = g_ascii_xdigit_value (text[i]);

      if (digit < 0)
        return FALSE;
      rgb = (rgb << 4) | (guint32) digit;
    }
  set_rgb (color, rgb);
  return TRUE;
}

static guint
channel_byte (double value)
{
  return (guint) lround (CLAMP (value, 0.0, 1.0) * 255);
}

char *
lt_render_color_to_string (const LtRenderColor *color)
{
  g_return_val_if_fail (color != NULL, NULL);
  return g_strdup_printf ("#%02x%02x%02x", channel_byte (color->red), channel_byte (color->green),
                          channel_byte (color->blue));
}

void
lt_render_theme_init (LtRenderTheme *theme, gboolean dark)
{
  memset (theme, 0, sizeof *theme);
  theme->dark = dark;
  if (dark)
    {
      set_rgb (&theme->background, 0x242424);
      set_rgb (&theme->foreground, 0xeeeeee);
      set_rgb (&theme->muted, 0xaaaaaa);
      set_rgb (&theme->grid, 0x444444);
      set_rgb (&theme->panel, 0x303030);
      set_rgb (&theme->accent, 0x78aeed);
      set_rgb (&theme->error, 0xff7b63);
      set_rgb (&theme->success, 0x8ff0a4);
      set_rgb (&theme->op_fill, 0x3d3d3d);
      set_rgb (&theme->param_fill, 0x1c4f78);
      set_rgb (&theme->leaf_fill, 0x4a4a4a);
      set_rgb (&theme->output_fill, 0x3b6b2a);
    }
  else
    {
      set_rgb (&theme->background, 0xffffff);
      set_rgb (&theme->foreground, 0x1e1e1e);
      set_rgb (&theme->muted, 0x6b6b6b);
      set_rgb (&theme->grid, 0xdedede);
      set_rgb (&theme->panel, 0xf6f5f4);
      set_rgb (&theme->accent, 0x3584e4);
      set_rgb (&theme->error, 0xc01c28);
      set_rgb (&theme->success, 0x26a269);
      set_rgb (&theme->op_fill, 0xe8e8e7);
      set_rgb (&theme->param_fill, 0xc6def5);
      set_rgb (&theme->leaf_fill, 0xdcdcdc);
      set_rgb (&theme->output_fill, 0xcdeeb4);
    }
  theme->font_family = "Sans";
  theme->font_size = 12;
}

void
lt_render_set_color (cairo_t *cr, const LtRenderColor *color)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
}

/* Text */

/* The same font options everywhere, whatever the surface: a widget's
 * Cairo node and an image surface then draw the same pixels. */
static void
setup_context (PangoContext *context)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_subpixel_order (options, CAIRO_SUBPIXEL_ORDER_DEFAULT);
  pango_cairo_context_set_font_options (context, options);
  pango_cairo_context_set_resolution (context, 96);
  cairo_font_options_destroy (options);
}

static void
setup_layout (PangoLayout         *layout,
              const LtRenderTheme *theme,
              double               size,
              gboolean             bold,
              const char          *text)
{
  PangoFontDescription *font = pango_font_description_from_string (theme->font_family);

  pango_font_description_set_absolute_size (font,
                                            (size > 0 ? size : theme->font_size) * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
}

PangoLayout *
lt_render_text_layout (cairo_t             *cr,
                       const LtRenderTheme *theme,
                       double               size,
                       gboolean             bold,
                       const char          *text)
{
  PangoContext *context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  PangoLayout  *layout;

  setup_context (context);
  pango_cairo_update_context (cr, context);
  layout = pango_layout_new (context);
  g_object_unref (context);
  setup_layout (layout, theme, size, bold, text);
  return layout;
}

void
lt_render_text_size (const LtRenderTheme *theme,
                     double               size,
                     gboolean             bold,
                     const char          *text,
                     double              *width,
                     double              *height)
{
  PangoContext  *context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  PangoLayout   *layout;
  PangoRectangle logical;

  setup_context (context);
  layout = pango_layout_new (context);
  setup_layout (layout, theme, size, bold, text);
  pango_layout_get_extents (layout, NULL, &logical);
  if (width)
    *width = (double) logical.width / PANGO_SCALE;
  if (height)
    *height = (double) logical.height / PANGO_SCALE;
  g_object_unref (layout);
  g_object_unref (context);
}

void
lt_render_text (cairo_t             *cr,
                const LtRenderTheme *theme,
                double               size,
                gboolean             bold,
                const LtRenderColor *color,
                double               x,
                double               y,
                double               x_align,
                const char          *text)
{
  PangoLayout   *layout = lt_render_text_layout (cr, theme, size, bold, text);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  lt_render_set_color (cr, color);
  cairo_move_to (cr, x - x_align * logical.width / PANGO_SCALE, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* Files */

gboolean
lt_render_format_for_path (const char *path, LtRenderFormat *format, GError **error)
{
  const char *dot = strrchr (path, '.');

  if (dot && g_ascii_strcasecmp (dot, ".png") == 0)
    *format = LT_RENDER_FORMAT_PNG;
  else if (dot && g_ascii_strcasecmp (dot, ".svg") == 0)
    *format = LT_RENDER_FORMAT_SVG;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   _ ("cannot write %s: the name must end in .png or .svg"), path);
      return FALSE;
    }
  return TRUE;
}

cairo_surface_t *
lt_render_to_image (int width, int height, LtRenderDrawFunc draw, gpointer user_data)
{
  cairo_surface_t *surface =
    cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (width, 1), MAX (height, 1));
  cairo_t *cr = cairo_create (surface);

  draw (cr, width, height, user_data);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static cairo_status_t
append_bytes (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
lt_render_write_text (const char *path, const char *contents, gssize length, GError **error)
{
  /* As the library writes every file: replaced atomically (a temporary
   * file beside @path renamed over it), LT_ERROR_IO errors naming @path */
  return lt_file_set_contents (path, (const guint8 *) contents,
                               length < 0 ? strlen (contents) : (gsize) length, error);
}

gboolean
lt_render_write (const char      *path,
                 LtRenderFormat   format,
                 int              width,
                 int              height,
                 LtRenderDrawFunc draw,
                 gpointer         user_data,
                 GError         **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  cairo_surface_t *surface;
  cairo_status_t   status;

  if (width < 1 || height < 1 || width > 32767 || height > 32767)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   _ ("cannot write %s: a drawing of %d x %d pixels"), path, width, height);
      return FALSE;
    }
  if (format == LT_RENDER_FORMAT_SVG)
    {
      cairo_t *cr;

      surface = cairo_svg_surface_create_for_stream (append_bytes, bytes, width, height);
      cr = cairo_create (surface);
      draw (cr, width, height, user_data);
      status = cairo_status (cr);
      cairo_destroy (cr);
      cairo_surface_finish (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status (surface);
    }
  else
    {
      surface = lt_render_to_image (width, height, draw, user_data);
      status = cairo_surface_status (surface);
      if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_write_to_png_stream (surface, append_bytes, bytes);
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, _ ("cannot draw %s: %s"), path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return lt_render_write_text (path, (const char *) bytes->data, (gssize) bytes->len, error);
}

void
lt_render_cleanup (void)
{
  lt_render_graph_layout_clear_cache ();
  pango_cairo_font_map_set_default (NULL);
}

char *
lt_render_format_shape (const gint64 *shape, guint n_dims)
{
  GString *s = g_string_new ("(");

  for (guint i = 0; i < n_dims; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

char *
lt_render_format_count (gint64 count)
{
  double v = (double) count;

  if (count < 1000 && count > -1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT, count);
  if (count < 1000000 && count > -1000000)
    return g_strdup_printf ("%.1f k", v / 1e3);
  if (count < 1000000000 && count > -1000000000)
    return g_strdup_printf ("%.1f M", v / 1e6);
  return g_strdup_printf ("%.1f G", v / 1e9);
}
