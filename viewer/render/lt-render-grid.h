/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>

#include "lt-render-common.h"

G_BEGIN_DECLS

/*
 * The image grid: a batch of images laid out as lt_make_grid() lays it out
 * (@nrow images per row, @padding pixels around each), scaled by whole
 * pixels with nearest-neighbour filtering so that 32x32 images stay sharp,
 * each with its class name under it and, once predictions are known, the
 * predicted class beside it, a wrong one marked.
 *
 * With labels hidden, an image's top-left pixel at zoom z is
 * (padding + col * (W + padding)) * z, (padding + row * (H + padding)) * z:
 * lt_make_grid()'s position, scaled. With labels, each row of the grid
 * grows by a band for the text under it and each column widens to the
 * widest label when that is wider than the image.
 */

/**
 * LtRenderGridZoom:
 * @LT_RENDER_GRID_ZOOM_FIT: the largest scale that fits the area (may be
 *   fractional; still nearest-neighbour)
 * @LT_RENDER_GRID_ZOOM_1X: one screen pixel per image pixel
 * @LT_RENDER_GRID_ZOOM_2X: two
 * @LT_RENDER_GRID_ZOOM_4X: four
 *
 * The scale of the images.
 */
typedef enum
{
  LT_RENDER_GRID_ZOOM_FIT = 0,
  LT_RENDER_GRID_ZOOM_1X = 1,
  LT_RENDER_GRID_ZOOM_2X = 2,
  LT_RENDER_GRID_ZOOM_4X = 4,
} LtRenderGridZoom;

/**
 * LtRenderGridView:
 * @nrow: images per row, as lt_make_grid()'s (default 8)
 * @padding: image pixels around every image, as lt_make_grid()'s (default 2)
 * @zoom: the scale (default 2x)
 * @show_labels: draw the class names (and predictions) under the images
 *   (default %TRUE; without class names or labels there is nothing to draw)
 * @selected: the image drawn as selected, or -1 (default)
 *
 * The view state of an image grid; the caller owns it.
 */
typedef struct
{
  guint            nrow;
  guint            padding;
  LtRenderGridZoom zoom;
  gboolean         show_labels;
  gint             selected;
} LtRenderGridView;

void lt_render_grid_view_init (LtRenderGridView *view);

typedef struct _LtRenderGrid LtRenderGrid;

/* lt_render_grid_new: prepares a batch for drawing (any thread).
 * @images: (N, C, H, W) with C 1 or 3: float, normalised as the tutorial's
 *   transforms leave them (mean 0.5, std 0.5) and drawn as its imshow does,
 *   x / 2 + 0.5 clamped to [0, 1]; or uint8, drawn as they are.
 * @labels: (nullable) int64 (N,): the true classes.
 * @predictions: (nullable) int64 (N,): the predicted classes; needs @labels.
 * @classes: (nullable) NULL-terminated class names; a label without a name
 *   is drawn as its number.
 * @theme: the colours and fonts (copied).
 * Errors (LT_ERROR): a shape, a dtype or a channel count that cannot be
 * drawn, labels or predictions of another length than the batch.
 *
 * lt_render_grid_new_with_predictions: the same grid with predictions
 *   (NULL: none), sharing the pixels. */
LtRenderGrid *lt_render_grid_new                  (LtTensor             *images,
                                                   LtTensor             *labels,
                                                   LtTensor             *predictions,
                                                   const char *const    *classes,
                                                   const LtRenderTheme  *theme,
                                                   GError              **error);
LtRenderGrid *lt_render_grid_new_with_predictions (LtRenderGrid         *self,
                                                   LtTensor             *predictions,
                                                   GError              **error);
LtRenderGrid *lt_render_grid_ref                  (LtRenderGrid         *self);
void          lt_render_grid_unref                (LtRenderGrid         *self);

/* What the grid holds: the batch size, each image's size, the label and
 * prediction of image @index (-1 when there is none) and a class's name
 * (a number for a class without one; transfer full). */
guint   lt_render_grid_get_n_images   (LtRenderGrid *self);
void    lt_render_grid_get_image_size (LtRenderGrid *self,
                                       int          *width,
                                       int          *height);
gint64  lt_render_grid_get_label      (LtRenderGrid *self,
                                       guint         index);
gint64  lt_render_grid_get_prediction (LtRenderGrid *self,
                                       guint         index);
char   *lt_render_grid_dup_class_name (LtRenderGrid *self,
                                       gint64        label);

/* Layout. The natural size is the whole grid's at the view's zoom (at 1x
 * for "fit"): what a widget requests and what lt_render_grid_write()
 * draws. In an area of @width x @height the grid is centred when smaller;
 * lt_render_grid_get_scale() is the screen pixels per image pixel there;
 * lt_render_grid_get_image_rect() where image @index is drawn (FALSE when
 * @index is out of range); lt_render_grid_hit_test() the image under
 * (@x, @y) (its label band included), or -1. */
void     lt_render_grid_get_natural_size (LtRenderGrid           *self,
                                          const LtRenderGridView *view,
                                          int                    *width,
                                          int                    *height);
double   lt_render_grid_get_scale        (LtRenderGrid           *self,
                                          const LtRenderGridView *view,
                                          int                     width,
                                          int                     height);
gboolean lt_render_grid_get_image_rect   (LtRenderGrid           *self,
                                          const LtRenderGridView *view,
                                          int                     width,
                                          int                     height,
                                          guint                   index,
                                          LtRenderRect           *rect);
gint     lt_render_grid_hit_test         (LtRenderGrid           *self,
                                          const LtRenderGridView *view,
                                          int                     width,
                                          int                     height,
                                          double                  x,
                                          double                  y);

/* Paints the background and the grid into @cr (0, 0, @width, @height). */
void lt_render_grid_draw (LtRenderGrid           *self,
                          const LtRenderGridView *view,
                          cairo_t                *cr,
                          int                     width,
                          int                     height);

/* Writes the grid at its natural size as PNG or SVG (by @path's
 * extension); errors as lt_render_write(). */
gboolean lt_render_grid_write (LtRenderGrid            *self,
                               const LtRenderGridView  *view,
                               const char              *path,
                               GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtRenderGrid, lt_render_grid_unref)

G_END_DECLS
