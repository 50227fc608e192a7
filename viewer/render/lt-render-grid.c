/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-render-grid.h"

/*
 * The batch becomes one strip of images side by side (lt_make_grid() with
 * one row and no padding, so the conversion of values to bytes is
 * lt_make_grid()'s and lt_save_image()'s), and each image is drawn from
 * its part of the strip with CAIRO_FILTER_NEAREST.
 */

#define LABEL_GAP 2.0 /* pixels between an image and its first label line */

struct _LtRenderGrid
{
  gatomicrefcount ref;
  LtRenderTheme   theme;

  /* Owned */
  cairo_surface_t *strip;       /* RGB24, n * w by h */
  gint64          *labels;      /* n, or NULL */
  gint64          *predictions; /* n, or NULL */
  char           **classes;     /* or NULL */

  guint  n;
  int    w, h;
  double label_width; /* the widest label (0 without labels) */
  double line_height;
  double label_size; /* text size of the labels */
};

typedef struct
{
  double scale;
  double pad;          /* padding in screen pixels */
  double col_w, row_h; /* a cell: image (or label) width, image + label band */
  double band;         /* the label band's height */
  double ox, oy;       /* where the grid starts in the area */
  guint  cols, rows;
  double width, height; /* the whole grid */
} Layout;

void
lt_render_grid_view_init (LtRenderGridView *view)
{
  view->nrow = 8;
  view->padding = 2;
  view->zoom = LT_RENDER_GRID_ZOOM_2X;
  view->show_labels = TRUE;
  view->selected = -1;
}

static gint64 *
read_classes (LtTensor *t, const char *what, guint n, GError **error)
{
  g_autofree gint64 *v = NULL;
  gsize              len = 0;

  if (lt_tensor_get_n_dims (t) != 1)
    {
      g_autofree char *s =
        lt_render_format_shape (lt_tensor_get_shape (t, NULL), lt_tensor_get_n_dims (t));

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "image grid: %s must be a vector (N,), got shape %s", what, s);
      return NULL;
    }
  v = lt_tensor_to_int64s (t, &len, error);
  if (v == NULL)
    return NULL;
  if (len != n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "image grid: %" G_GSIZE_FORMAT " %s for a batch of %u images", len, what, n);
      return NULL;
    }
  return g_steal_pointer (&v);
}

static char *
class_name (char **classes, gint64 label)
{
  if (classes && label >= 0 && label < g_strv_length (classes))
    return g_strdup (classes[label]);
  return g_strdup_printf ("%" G_GINT64_FORMAT, label);
}

/* Labels are "cat"; predictions "✓ cat" or "✗ dog" (the mark tells right
 * from wrong without colour). */
static char *
prediction_text (LtRenderGrid *self, guint index)
{
  g_autofree char *name = class_name (self->classes, self->predictions[index]);
  gboolean         right = self->predictions[index] == self->labels[index];

  return g_strdup_printf ("%s %s", right ? "\u2713" : "\u2717", name);
}

static void
measure_labels (LtRenderGrid *self)
{
  double w, h;

  self->label_width = 0;
  self->label_size = MAX (8, self->theme.font_size - 1);
  lt_render_text_size (&self->theme, self->label_size, FALSE, "Ag", NULL, &h);
  self->line_height = ceil (h);
  if (self->labels == NULL)
    return;
  /* Every class name, so that the layout does not move when predictions
   * arrive; and the numbers of classes without names. */
  for (guint i = 0; self->classes && self->classes[i]; i++)
    {
      g_autofree char *t = g_strdup_printf ("\u2717 %s", self->classes[i]);

      lt_render_text_size (&self->theme, self->label_size, FALSE, t, &w, NULL);
      self->label_width = MAX (self->label_width, w);
    }
  for (guint i = 0; i < self->n; i++)
    {
      g_autofree char *t = NULL;

      if (self->classes && self->labels[i] >= 0 &&
          self->labels[i] < g_strv_length (self->classes) &&
          (self->predictions == NULL ||
           (self->predictions[i] >= 0 && self->predictions[i] < g_strv_length (self->classes))))
        continue;
      t = class_name (self->classes, self->labels[i]);
      lt_render_text_size (&self->theme, self->label_size, FALSE, t, &w, NULL);
      self->label_width = MAX (self->label_width, w);
      if (self->predictions)
        {
          g_autofree char *p = prediction_text (self, i);

          lt_render_text_size (&self->theme, self->label_size, FALSE, p, &w, NULL);
          self->label_width = MAX (self->label_width, w);
        }
    }
  self->label_width = ceil (self->label_width) + 4;
}

LtRenderGrid *
lt_render_grid_new (LtTensor            *images,
                    LtTensor            *labels,
                    LtTensor            *predictions,
                    const char *const   *classes,
                    const LtRenderTheme *theme,
                    GError             **error)
{
  static const double range[2] = { -1, 1 }; /* imshow (img / 2 + 0.5) */
  g_autoptr(LtTensor) strip = NULL;
  g_autofree gint64 *l = NULL, *p = NULL;
  cairo_surface_t   *surface;
  LtRenderGrid      *self;
  const gint64      *shape;
  guint              ndim = 0;
  LtDType            dtype;
  gboolean           is_float;

  g_return_val_if_fail (LT_IS_TENSOR (images), NULL);
  g_return_val_if_fail (theme != NULL, NULL);

  shape = lt_tensor_get_shape (images, &ndim);
  dtype = lt_tensor_get_dtype (images);
  is_float = dtype == LT_DTYPE_FLOAT32 || dtype == LT_DTYPE_FLOAT64;
  if (ndim != 4 || (shape[1] != 1 && shape[1] != 3) || shape[0] < 1 || shape[0] > 65536 ||
      shape[2] < 1 || shape[3] < 1 || shape[2] > 4096 || shape[3] > 4096)
    {
      g_autofree char *s = lt_render_format_shape (shape, ndim);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "image grid: a batch (N, C, H, W) of 1 to 65536 images with 1 or 3 "
                   "channels and sides up to 4096 is needed, got shape %s",
                   s);
      return NULL;
    }
  if (!is_float && dtype != LT_DTYPE_UINT8)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "image grid: images must be float (normalised) or uint8, not %s",
                   lt_dtype_get_name (dtype));
      return NULL;
    }
  if (predictions && !labels)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "image grid: predictions need the true labels beside them");
      return NULL;
    }
  if (labels && !(l = read_classes (labels, "labels", (guint) shape[0], error)))
    return NULL;
  if (predictions && !(p = read_classes (predictions, "predictions", (guint) shape[0], error)))
    return NULL;

  strip = lt_make_grid (images, (gint) shape[0], 0, is_float, range, FALSE, 0, error);
  if (strip == NULL)
    return NULL;
  surface = lt_tensor_to_cairo_surface (strip, error);
  if (surface == NULL)
    return NULL;

  self = g_new0 (LtRenderGrid, 1);
  g_atomic_ref_count_init (&self->ref);
  self->theme = *theme;
  self->strip = surface;
  self->n = (guint) shape[0];
  self->h = (int) shape[2];
  self->w = (int) shape[3];
  self->labels = g_steal_pointer (&l);
  self->predictions = g_steal_pointer (&p);
  self->classes = g_strdupv ((char **) classes);
  measure_labels (self);
  return self;
}

LtRenderGrid *
lt_render_grid_new_with_predictions (LtRenderGrid *self, LtTensor *predictions, GError **error)
{
  g_autofree gint64 *p = NULL;
  LtRenderGrid      *copy;

  g_return_val_if_fail (self != NULL, NULL);
  if (predictions && self->labels == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "image grid: predictions need the true labels beside them");
      return NULL;
    }
  if (predictions && !(p = read_classes (predictions, "predictions", self->n, error)))
    return NULL;
  copy = g_new0 (LtRenderGrid, 1);
  g_atomic_ref_count_init (&copy->ref);
  copy->theme = self->theme;
  copy->strip = cairo_surface_reference (self->strip);
  copy->n = self->n;
  copy->w = self->w;
  copy->h = self->h;
  copy->labels = self->labels ? g_memdup2 (self->labels, sizeof (gint64) * self->n) : NULL;
  copy->predictions = g_steal_pointer (&p);
  copy->classes = g_strdupv (self->classes);
  measure_labels (copy);
  return copy;
}

LtRenderGrid *
lt_render_grid_ref (LtRenderGrid *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lt_render_grid_unref (LtRenderGrid *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  cairo_surface_destroy (self->strip);
  g_free (self->labels);
  g_free (self->predictions);
  g_strfreev (self->classes);
  g_free (self);
}

guint
lt_render_grid_get_n_images (LtRenderGrid *self)
{
  return self->n;
}

void
lt_render_grid_get_image_size (LtRenderGrid *self, int *width, int *height)
{
  if (width)
    *width = self->w;
  if (height)
    *height = self->h;
}

gint64
lt_render_grid_get_label (LtRenderGrid *self, guint index)
{
  return self->labels && index < self->n ? self->labels[index] : -1;
}

gint64
lt_render_grid_get_prediction (LtRenderGrid *self, guint index)
{
  return self->predictions && index < self->n ? self->predictions[index] : -1;
}

char *
lt_render_grid_dup_class_name (LtRenderGrid *self, gint64 label)
{
  return class_name (self->classes, label);
}

/* Layout */

static gboolean
shows_labels (LtRenderGrid *self, const LtRenderGridView *view)
{
  return view->show_labels && self->labels != NULL;
}

static void
layout_at (LtRenderGrid *self, const LtRenderGridView *view, double scale, Layout *l)
{
  gboolean labels = shows_labels (self, view);

  l->scale = scale;
  l->cols = MIN (MAX (view->nrow, 1), self->n);
  l->rows = (self->n + l->cols - 1) / l->cols;
  l->pad = view->padding * scale;
  l->band = labels ? LABEL_GAP + self->line_height * (self->predictions ? 2 : 1) : 0;
  l->col_w = MAX (self->w * scale, labels ? self->label_width : 0);
  l->row_h = self->h * scale + l->band;
  l->width = l->pad + l->cols * (l->col_w + l->pad);
  l->height = l->pad + l->rows * (l->row_h + l->pad);
  l->ox = l->oy = 0;
}

static void
compute_layout (LtRenderGrid *self, const LtRenderGridView *view, int width, int height, Layout *l)
{
  if (view->zoom == LT_RENDER_GRID_ZOOM_FIT)
    {
      /* The size grows with the scale: the largest scale that fits */
      double lo = 1.0 / 16, hi = 64;

      layout_at (self, view, lo, l);
      if (l->width <= width && l->height <= height)
        for (int i = 0; i < 40; i++)
          {
            double mid = (lo + hi) / 2;

            layout_at (self, view, mid, l);
            if (l->width <= width && l->height <= height)
              lo = mid;
            else
              hi = mid;
          }
      layout_at (self, view, lo, l);
    }
  else
    layout_at (self, view, (double) view->zoom, l);
  /* Centred in a larger area, on whole pixels */
  l->ox = MAX (0, floor ((width - l->width) / 2));
  l->oy = MAX (0, floor ((height - l->height) / 2));
}

static void
cell_rect (const Layout *l, guint index, LtRenderRect *rect)
{
  guint col = index % l->cols, row = index / l->cols;

  rect->x = l->ox + l->pad + col * (l->col_w + l->pad);
  rect->y = l->oy + l->pad + row * (l->row_h + l->pad);
  rect->width = l->col_w;
  rect->height = l->row_h;
}

static void
image_rect (LtRenderGrid *self, const Layout *l, guint index, LtRenderRect *rect)
{
  LtRenderRect cell;
  double       w = self->w * l->scale;

  cell_rect (l, index, &cell);
  rect->x = cell.x + floor ((cell.width - w) / 2);
  rect->y = cell.y;
  rect->width = w;
  rect->height = self->h * l->scale;
}

void
lt_render_grid_get_natural_size (LtRenderGrid           *self,
                                 const LtRenderGridView *view,
                                 int                    *width,
                                 int                    *height)
{
  Layout l;

  layout_at (self, view, view->zoom == LT_RENDER_GRID_ZOOM_FIT ? 1 : (double) view->zoom, &l);
  if (width)
    *width = (int) ceil (l.width);
  if (height)
    *height = (int) ceil (l.height);
}

double
lt_render_grid_get_scale (LtRenderGrid *self, const LtRenderGridView *view, int width, int height)
{
  Layout l;

  compute_layout (self, view, width, height, &l);
  return l.scale;
}

gboolean
lt_render_grid_get_image_rect (LtRenderGrid           *self,
                               const LtRenderGridView *view,
                               int                     width,
                               int                     height,
                               guint                   index,
                               LtRenderRect           *rect)
{
  Layout l;

  if (index >= self->n)
    return FALSE;
  compute_layout (self, view, width, height, &l);
  image_rect (self, &l, index, rect);
  return TRUE;
}

gint
lt_render_grid_hit_test (LtRenderGrid           *self,
                         const LtRenderGridView *view,
                         int                     width,
                         int                     height,
                         double                  x,
                         double                  y)
{
  Layout       l;
  double       fx, fy;
  gint64       col, row;
  LtRenderRect cell;

  compute_layout (self, view, width, height, &l);
  fx = (x - l.ox - l.pad) / (l.col_w + l.pad);
  fy = (y - l.oy - l.pad) / (l.row_h + l.pad);
  if (fx < 0 || fy < 0)
    return -1;
  col = (gint64) fx;
  row = (gint64) fy;
  if (col >= l.cols || row >= l.rows || row * l.cols + col >= self->n)
    return -1;
  cell_rect (&l, (guint) (row * l.cols + col), &cell);
  return lt_render_rect_contains (&cell, x, y) ? (gint) (row * l.cols + col) : -1;
}

/* Drawing */

static void
frame_rect (cairo_t *cr, const LtRenderRect *r, double width, const LtRenderColor *color)
{
  lt_render_set_color (cr, color);
  cairo_set_line_width (cr, width);
  cairo_rectangle (cr, r->x - width / 2, r->y - width / 2, r->width + width, r->height + width);
  cairo_stroke (cr);
}

void
lt_render_grid_draw (LtRenderGrid           *self,
                     const LtRenderGridView *view,
                     cairo_t                *cr,
                     int                     width,
                     int                     height)
{
  gboolean labels = shows_labels (self, view);
  Layout   l;

  compute_layout (self, view, width, height, &l);
  cairo_save (cr);
  lt_render_set_color (cr, &self->theme.background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  for (guint i = 0; i < self->n; i++)
    {
      LtRenderRect     r, cell;
      cairo_pattern_t *pattern;
      gboolean         wrong = self->predictions && self->predictions[i] != self->labels[i];

      image_rect (self, &l, i, &r);
      cell_rect (&l, i, &cell);
      cairo_save (cr);
      cairo_rectangle (cr, r.x, r.y, r.width, r.height);
      cairo_clip (cr);
      cairo_translate (cr, r.x, r.y);
      cairo_scale (cr, l.scale, l.scale);
      cairo_set_source_surface (cr, self->strip, -(double) i * self->w, 0);
      pattern = cairo_get_source (cr);
      cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
      cairo_pattern_set_extend (pattern, CAIRO_EXTEND_NONE);
      cairo_paint (cr);
      cairo_restore (cr);

      /* A wrong prediction: a frame in the padding (and the ✗ below) */
      if (wrong)
        frame_rect (cr, &r, MAX (1, MIN (2, l.pad)), &self->theme.error);

      if (labels)
        {
          g_autofree char *name = class_name (self->classes, self->labels[i]);
          double           cx = cell.x + cell.width / 2, ty = r.y + r.height + LABEL_GAP;

          cairo_save (cr);
          cairo_rectangle (cr, cell.x, cell.y, cell.width, cell.height);
          cairo_clip (cr);
          lt_render_text (cr, &self->theme, self->label_size, FALSE, &self->theme.foreground, cx,
                          ty, 0.5, name);
          if (self->predictions)
            {
              g_autofree char *p = prediction_text (self, i);

              lt_render_text (cr, &self->theme, self->label_size, wrong,
                              wrong ? &self->theme.error : &self->theme.success, cx,
                              ty + self->line_height, 0.5, p);
            }
          cairo_restore (cr);
        }
      if (view->selected >= 0 && (guint) view->selected == i)
        frame_rect (cr, &cell, 2, &self->theme.accent);
    }
  cairo_restore (cr);
}

typedef struct
{
  LtRenderGrid           *grid;
  const LtRenderGridView *view;
} DrawData;

static void
draw_cb (cairo_t *cr, int width, int height, gpointer user_data)
{
  DrawData *d = user_data;

  lt_render_grid_draw (d->grid, d->view, cr, width, height);
}

gboolean
lt_render_grid_write (LtRenderGrid           *self,
                      const LtRenderGridView *view,
                      const char             *path,
                      GError                **error)
{
  DrawData       d = { self, view };
  LtRenderFormat format;
  int            w, h;

  if (!lt_render_format_for_path (path, &format, error))
    return FALSE;
  lt_render_grid_get_natural_size (self, view, &w, &h);
  return lt_render_write (path, format, w, h, draw_cb, &d, error);
}
