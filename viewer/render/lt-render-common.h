/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

G_BEGIN_DECLS

/*
 * What every renderer shares: colours and the theme, text through
 * PangoCairo, rectangles, and writing a drawing to a PNG or SVG file.
 *
 * The renderers draw from plain data into any cairo_t and know nothing of
 * GTK. Each view comes in the same three parts:
 *
 * - the data, built on the caller's thread (for the loss plot an
 *   append-only store that is copied for a worker);
 * - a prepared, read-only object (LtRenderGrid, LtRenderLossFrame,
 *   LtRenderGraphLayout, LtRenderAccuracy) computed from the data, the
 *   theme and, where it matters, the size: the expensive part, callable on
 *   any thread, reference-counted and never modified afterwards, so a
 *   widget computes it in a GTask and swaps it in;
 * - the view state (zoom, pan, follow, smoothing, scales, selection), a
 *   plain struct the caller owns and keeps apart from the data, so that
 *   new data never resets a zoom.
 *
 * Drawing paints the whole area, background included, so that one
 * gtk_snapshot_append_cairo() node of a widget and a headless image
 * surface of the same size get the same pixels. Text is laid out with
 * fixed font options (grey antialiasing, no hinting, 96 dpi), not with the
 * surface's, for the same reason.
 */

/**
 * LtRenderColor:
 * @red: 0 to 1
 * @green: 0 to 1
 * @blue: 0 to 1
 * @alpha: 0 (transparent) to 1 (opaque)
 *
 * A colour, not premultiplied.
 */
typedef struct
{
  double red;
  double green;
  double blue;
  double alpha;
} LtRenderColor;

/**
 * LtRenderRect:
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 *
 * A rectangle in the drawing's pixels (or, for the graph, in layout points).
 */
typedef struct
{
  double x;
  double y;
  double width;
  double height;
} LtRenderRect;

/* Whether (@x, @y) lies in @rect (left and top edges included). */
gboolean lt_render_rect_contains (const LtRenderRect *rect,
                                  double              x,
                                  double              y);

/**
 * LT_RENDER_N_RUN_COLORS:
 *
 * The number of distinct run colours; run k and run k + 8 share one.
 */
#define LT_RENDER_N_RUN_COLORS 8

/* The colour of run @run (0 for the first), from Okabe and Ito's
 * colour-blind-safe palette: blue, orange, bluish green, vermillion,
 * reddish purple, sky blue, yellow, grey. The same run has the same colour
 * in every view. */
void lt_render_run_color (guint          run,
                          LtRenderColor *color);

/* Reads @text, a colour written "#rrggbb" (three pairs of hexadecimal
 * digits, in either case, and nothing else), into @color (opaque).
 * Returns FALSE, leaving @color alone, when @text is not such a colour. */
gboolean lt_render_color_parse     (const char          *text,
                                    LtRenderColor       *color);
/* @color written "#rrggbb" (lower case, each channel rounded to 8 bits;
 * alpha left out). Free it with g_free(). */
char    *lt_render_color_to_string (const LtRenderColor *color);

/**
 * LtRenderTheme:
 * @dark: whether this is the dark variant
 * @background: what every view paints first
 * @foreground: text and axes
 * @muted: secondary text (tick labels, shapes on edges, counts)
 * @grid: grid lines, cluster borders
 * @panel: boxes that stand out of the background (plot areas, graph groups)
 * @accent: selection and hover
 * @error: what is wrong (a wrong prediction)
 * @success: what is right (a correct prediction)
 * @op_fill: an operation node of the graph
 * @param_fill: a parameter (leaf) of the graph
 * @leaf_fill: a leaf that is not a parameter (an input)
 * @output_fill: the graph's output node (the loss)
 * @font_family: the family of every text, a Pango family list
 * @font_size: the base size of text, in pixels
 *
 * Colours and fonts of every renderer. A prepared object keeps a copy of
 * the theme it was made with (text sizes decide its layout), so switching
 * between light and dark means preparing it again.
 */
typedef struct
{
  gboolean      dark;
  LtRenderColor background;
  LtRenderColor foreground;
  LtRenderColor muted;
  LtRenderColor grid;
  LtRenderColor panel;
  LtRenderColor accent;
  LtRenderColor error;
  LtRenderColor success;
  LtRenderColor op_fill;
  LtRenderColor param_fill;
  LtRenderColor leaf_fill;
  LtRenderColor output_fill;
  const char   *font_family;
  double        font_size;
} LtRenderTheme;

/* Fills @theme with the light (Adwaita-like) or the dark colours, the
 * "Sans" family and a 12 px base size. */
void lt_render_theme_init (LtRenderTheme *theme,
                           gboolean       dark);

/* Drawing helpers
 *
 * lt_render_text_layout: a PangoLayout of @text for @cr in the theme's
 *   family at @size pixels (0: the theme's size), with the fixed font
 *   options; (transfer full).
 * lt_render_text_size: the logical size of that text, without a cairo_t
 *   (any thread).
 * lt_render_text: draws @text with its top at @y; @x_align 0 puts its left
 *   edge at @x, 0.5 its centre, 1 its right edge.
 */

void         lt_render_set_color   (cairo_t             *cr,
                                    const LtRenderColor *color);
PangoLayout *lt_render_text_layout (cairo_t             *cr,
                                    const LtRenderTheme *theme,
                                    double               size,
                                    gboolean             bold,
                                    const char          *text);
void         lt_render_text_size   (const LtRenderTheme *theme,
                                    double               size,
                                    gboolean             bold,
                                    const char          *text,
                                    double              *width,
                                    double              *height);
void         lt_render_text        (cairo_t             *cr,
                                    const LtRenderTheme *theme,
                                    double               size,
                                    gboolean             bold,
                                    const LtRenderColor *color,
                                    double               x,
                                    double               y,
                                    double               x_align,
                                    const char          *text);

/* Files
 *
 * lt_render_format_for_path: the format named by @path's extension (.png,
 *   .svg, any case); an LT_ERROR_INVALID_ARGUMENT error naming the path
 *   for another one.
 * lt_render_to_image: draws into a new ARGB32 image surface (transfer
 *   full), as a widget's Cairo node would be drawn.
 * lt_render_write: draws into a file: a temporary file beside @path,
 *   renamed into place once complete, so that an existing file is never
 *   left half-written. An LT_ERROR_IO error names the path and the reason
 *   (a missing folder, no permission, a full disk).
 * lt_render_write_text: writes text (CSV, DOT) the same way.
 * lt_render_format_shape: "(4, 3, 32, 32)"; "()" for a scalar.
 * lt_render_format_count: an element count for people: "456", "2.4 k",
 *   "61.7 k", "1.2 M".
 */

/**
 * LtRenderFormat:
 * @LT_RENDER_FORMAT_PNG: a PNG image (ARGB32)
 * @LT_RENDER_FORMAT_SVG: an SVG drawing (vector; text as glyph outlines)
 *
 * The file formats a drawing can be written in.
 */
typedef enum
{
  LT_RENDER_FORMAT_PNG,
  LT_RENDER_FORMAT_SVG,
} LtRenderFormat;

/**
 * LtRenderDrawFunc:
 * @cr: where to draw
 * @width: the drawing's width in pixels
 * @height: the drawing's height in pixels
 * @user_data: the data given with the function
 *
 * Draws a whole view, background included.
 */
typedef void (*LtRenderDrawFunc) (cairo_t *cr, int width, int height, gpointer user_data);

gboolean         lt_render_format_for_path (const char        *path,
                                            LtRenderFormat    *format,
                                            GError           **error);
cairo_surface_t *lt_render_to_image        (int                width,
                                            int                height,
                                            LtRenderDrawFunc   draw,
                                            gpointer           user_data);
gboolean         lt_render_write           (const char        *path,
                                            LtRenderFormat     format,
                                            int                width,
                                            int                height,
                                            LtRenderDrawFunc   draw,
                                            gpointer           user_data,
                                            GError           **error);
gboolean         lt_render_write_text      (const char        *path,
                                            const char        *contents,
                                            gssize             length,
                                            GError           **error);

/* Releases what the renderers keep between calls: the cached graph
 * layouts and the calling thread's PangoCairo font map (graphviz's
 * context stays for the process). For programs that check for leaks at
 * exit (then cairo_debug_reset_static_data() can run); drawing afterwards
 * starts them again. */
void lt_render_cleanup (void);

char *lt_render_format_shape (const gint64 *shape,
                              guint         n_dims);
char *lt_render_format_count (gint64        count);

G_END_DECLS
