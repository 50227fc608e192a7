/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the renderer tests share: reading pixels of image surfaces,
 * comparing them with colours, temporary folders.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "lt-render.h"

/* The pixel (x, y) of an RGB24 or ARGB32 surface as 0xRRGGBB (alpha
 * dropped; the renderers paint opaque backgrounds). */
guint32 pixel_at (cairo_surface_t *surface, int x, int y);

/* A colour as 0xRRGGBB, rounded as Cairo rounds an opaque source. */
guint32 color_rgb (const LtRenderColor *color);

/* Whether two 0xRRGGBB colours differ by at most @tolerance per channel. */
gboolean rgb_near (guint32 a, guint32 b, int tolerance);

/* How many pixels of the rectangle (clipped to the surface) are within
 * @tolerance of @rgb. */
guint count_pixels (cairo_surface_t *surface,
                    int              x,
                    int              y,
                    int              width,
                    int              height,
                    guint32          rgb,
                    int              tolerance);

/* A new temporary folder (removed with its files by remove_dir()). */
char *make_temp_dir (void);
void  remove_dir (const char *path);

/* Whether two surfaces of the same size hold the same pixels. */
guint count_differing_pixels (cairo_surface_t *a, cairo_surface_t *b);
