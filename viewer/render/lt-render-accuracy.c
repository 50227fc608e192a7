/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lt-render-accuracy.h"

/*
 * Per-class accuracy bars above the confusion matrix. In an area the bars
 * take their rows' share of the height, the matrix the rest, its cells
 * square.
 */

#define PAD 10.0
#define ROW_H 22.0  /* a bar's row at the natural size */
#define CELL 36.0   /* a cell at the natural size */
#define BAR_W 240.0 /* the longest bar at the natural size */

struct _LtRenderAccuracy
{
  gatomicrefcount ref;
  LtRenderTheme   theme;
  guint           k;
  gint64         *counts;  /* k * k, row: true class */
  char          **names;   /* k names, numbers where none was given */
  double          label_w; /* the widest class name */
  double          line_h;
  double          label_size;
};

typedef struct
{
  gboolean     bars, matrix;
  double       title_h;
  LtRenderRect bars_rect; /* the bars' rows, names included */
  double       row_h, bar_x, bar_w;
  LtRenderRect grid; /* the matrix's cells */
  double       cell;
  double       matrix_title_y;
} Layout;

void
lt_render_accuracy_view_init (LtRenderAccuracyView *view)
{
  view->parts = LT_RENDER_ACCURACY_BOTH;
  view->selected_row = -1;
  view->selected_col = -1;
}

static LtRenderAccuracy *
accuracy_new (gint64 *counts, guint k, const char *const *classes, const LtRenderTheme *theme)
{
  LtRenderAccuracy *self = g_new0 (LtRenderAccuracy, 1);
  guint             n_classes = classes ? g_strv_length ((char **) classes) : 0;
  double            h;

  g_atomic_ref_count_init (&self->ref);
  self->theme = *theme;
  self->k = k;
  self->counts = counts;
  self->names = g_new0 (char *, k + 1);
  self->label_size = MAX (8, theme->font_size - 1);
  for (guint i = 0; i < k; i++)
    {
      double w;

      self->names[i] = i < n_classes ? g_strdup (classes[i]) : g_strdup_printf ("%u", i);
      lt_render_text_size (theme, self->label_size, FALSE, self->names[i], &w, NULL);
      self->label_w = MAX (self->label_w, ceil (w));
    }
  lt_render_text_size (theme, self->label_size, FALSE, "Ag", NULL, &h);
  self->line_h = ceil (h);
  return self;
}

LtRenderAccuracy *
lt_render_accuracy_new (LtTensor            *confusion,
                        const char *const   *classes,
                        const LtRenderTheme *theme,
                        GError             **error)
{
  const gint64      *shape;
  guint              ndim = 0;
  gsize              n = 0;
  g_autofree gint64 *counts = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (confusion), NULL);
  g_return_val_if_fail (theme != NULL, NULL);
  shape = lt_tensor_get_shape (confusion, &ndim);
  if (ndim != 2 || shape[0] != shape[1] || shape[0] < 1 || shape[0] > 1000)
    {
      g_autofree char *s = lt_render_format_shape (shape, ndim);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "accuracy: a square confusion matrix (K, K) of 1 to 1000 classes is needed, "
                   "got shape %s",
                   s);
      return NULL;
    }
  if (!lt_dtype_is_integral (lt_tensor_get_dtype (confusion), FALSE))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "accuracy: the confusion matrix must hold integer counts, not %s",
                   lt_dtype_get_name (lt_tensor_get_dtype (confusion)));
      return NULL;
    }
  counts = lt_tensor_to_int64s (confusion, &n, error);
  if (counts == NULL)
    return NULL;
  for (gsize i = 0; i < n; i++)
    if (counts[i] < 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "accuracy: the confusion matrix holds a negative count (%" G_GINT64_FORMAT
                     " at row %" G_GSIZE_FORMAT ", column %" G_GSIZE_FORMAT ")",
                     counts[i], i / (gsize) shape[0], i % (gsize) shape[0]);
        return NULL;
      }
  return accuracy_new (g_steal_pointer (&counts), (guint) shape[0], classes, theme);
}

static gint64 *
read_vector (LtTensor *t, const char *what, gsize *n, GError **error)
{
  if (lt_tensor_get_n_dims (t) != 1 || !lt_dtype_is_integral (lt_tensor_get_dtype (t), FALSE))
    {
      g_autofree char *s =
        lt_render_format_shape (lt_tensor_get_shape (t, NULL), lt_tensor_get_n_dims (t));

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "accuracy: %s must be a vector (N,) of integers, got %s of shape %s", what,
                   lt_dtype_get_name (lt_tensor_get_dtype (t)), s);
      return NULL;
    }
  return lt_tensor_to_int64s (t, n, error);
}

LtRenderAccuracy *
lt_render_accuracy_new_from_predictions (LtTensor            *predictions,
                                         LtTensor            *targets,
                                         guint                n_classes,
                                         const char *const   *classes,
                                         const LtRenderTheme *theme,
                                         GError             **error)
{
  g_autofree gint64 *p = NULL, *t = NULL, *counts = NULL;
  gsize              np = 0, nt = 0;

  g_return_val_if_fail (LT_IS_TENSOR (predictions) && LT_IS_TENSOR (targets), NULL);
  g_return_val_if_fail (theme != NULL, NULL);
  if (n_classes < 1 || n_classes > 1000)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "accuracy: 1 to 1000 classes are needed, not %u", n_classes);
      return NULL;
    }
  if (!(p = read_vector (predictions, "predictions", &np, error)) ||
      !(t = read_vector (targets, "targets", &nt, error)))
    return NULL;
  if (np != nt)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "accuracy: %" G_GSIZE_FORMAT " predictions for %" G_GSIZE_FORMAT " targets", np,
                   nt);
      return NULL;
    }
  counts = g_new0 (gint64, (gsize) n_classes * n_classes);
  for (gsize i = 0; i < np; i++)
    {
      if (p[i] < 0 || p[i] >= n_classes || t[i] < 0 || t[i] >= n_classes)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                       "accuracy: item %" G_GSIZE_FORMAT " has class %" G_GINT64_FORMAT
                       " (predicted %" G_GINT64_FORMAT "), outside 0 to %u",
                       i, t[i], p[i], n_classes - 1);
          return NULL;
        }
      counts[t[i] * n_classes + p[i]]++;
    }
  return accuracy_new (g_steal_pointer (&counts), n_classes, classes, theme);
}

LtRenderAccuracy *
lt_render_accuracy_ref (LtRenderAccuracy *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lt_render_accuracy_unref (LtRenderAccuracy *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_free (self->counts);
  g_strfreev (self->names);
  g_free (self);
}

guint
lt_render_accuracy_get_n_classes (LtRenderAccuracy *self)
{
  return self->k;
}

gint64
lt_render_accuracy_get_count (LtRenderAccuracy *self, guint true_class, guint predicted_class)
{
  g_return_val_if_fail (true_class < self->k && predicted_class < self->k, 0);
  return self->counts[true_class * self->k + predicted_class];
}

static gint64
row_total (LtRenderAccuracy *self, guint row)
{
  gint64 total = 0;

  for (guint c = 0; c < self->k; c++)
    total += self->counts[row * self->k + c];
  return total;
}

double
lt_render_accuracy_get_class_accuracy (LtRenderAccuracy *self, guint klass)
{
  gint64 total;

  g_return_val_if_fail (klass < self->k, NAN);
  total = row_total (self, klass);
  return total > 0 ? (double) self->counts[klass * self->k + klass] / (double) total : NAN;
}

double
lt_render_accuracy_get_accuracy (LtRenderAccuracy *self)
{
  gint64 total = 0, right = 0;

  for (guint r = 0; r < self->k; r++)
    {
      total += row_total (self, r);
      right += self->counts[r * self->k + r];
    }
  return total > 0 ? (double) right / (double) total : NAN;
}

char *
lt_render_accuracy_dup_class_name (LtRenderAccuracy *self, guint klass)
{
  g_return_val_if_fail (klass < self->k, NULL);
  return g_strdup (self->names[klass]);
}

/* Layout */

static double
bars_natural_h (LtRenderAccuracy *self, double title_h)
{
  return title_h + self->k * ROW_H;
}

static double
matrix_natural_h (LtRenderAccuracy *self, double title_h)
{
  /* title, the predicted classes' names (vertical), the cells */
  return title_h + self->line_h + 4 + self->label_w + 6 + self->k * CELL;
}

static void
compute_layout (LtRenderAccuracy           *self,
                const LtRenderAccuracyView *view,
                double                      width,
                double                      height,
                Layout                     *l)
{
  double bars_h = 0, matrix_h = 0, avail, left, top;

  memset (l, 0, sizeof *l);
  l->bars = (view->parts & LT_RENDER_ACCURACY_BARS) != 0;
  l->matrix = (view->parts & LT_RENDER_ACCURACY_MATRIX) != 0;
  l->title_h = self->line_h + 8;
  if (l->bars)
    bars_h = bars_natural_h (self, l->title_h);
  if (l->matrix)
    matrix_h = matrix_natural_h (self, l->title_h);
  avail = MAX (1, height - 2 * PAD - (l->bars && l->matrix ? PAD : 0));
  /* The bars' rows shrink with the area, at most to their natural height */
  if (l->bars)
    {
      double share = l->matrix ? MIN (bars_h, avail * bars_h / (bars_h + matrix_h)) : avail;

      l->row_h = MAX (4, MIN (ROW_H, (share - l->title_h) / self->k));
      l->bars_rect.x = PAD;
      l->bars_rect.y = PAD + l->title_h;
      l->bars_rect.width = MAX (1, width - 2 * PAD);
      l->bars_rect.height = l->row_h * self->k;
      l->bar_x = PAD + self->label_w + 8;
      l->bar_w = MAX (10, MIN (BAR_W * 1.6, width - l->bar_x - PAD - 60));
    }
  if (l->matrix)
    {
      top = (l->bars ? l->bars_rect.y + l->bars_rect.height + PAD : PAD);
      l->matrix_title_y = top;
      top += l->title_h + self->line_h + 4 + self->label_w + 6;
      left = PAD + self->line_h + 6 + self->label_w + 6;
      l->cell = floor (MIN ((width - left - PAD) / self->k, (height - top - PAD) / self->k));
      l->cell = MAX (l->cell, 4);
      l->grid.x = floor (left);
      l->grid.y = floor (top);
      l->grid.width = l->cell * self->k;
      l->grid.height = l->cell * self->k;
    }
}

void
lt_render_accuracy_get_natural_size (LtRenderAccuracy           *self,
                                     const LtRenderAccuracyView *view,
                                     int                        *width,
                                     int                        *height)
{
  double title_h = self->line_h + 8, w = 0, h = PAD;
  double pct_w;

  lt_render_text_size (&self->theme, self->label_size, FALSE, "100.0 %", &pct_w, NULL);
  if (view->parts & LT_RENDER_ACCURACY_BARS)
    {
      w = MAX (w, PAD + self->label_w + 8 + BAR_W + 6 + pct_w + PAD);
      h += bars_natural_h (self, title_h) + PAD;
    }
  if (view->parts & LT_RENDER_ACCURACY_MATRIX)
    {
      w = MAX (w, PAD + self->line_h + 6 + self->label_w + 6 + self->k * CELL + PAD);
      h += matrix_natural_h (self, title_h) + PAD;
    }
  if (width)
    *width = (int) ceil (MAX (w, 200));
  if (height)
    *height = (int) ceil (MAX (h, 100));
}

gboolean
lt_render_accuracy_get_cell_rect (LtRenderAccuracy           *self,
                                  const LtRenderAccuracyView *view,
                                  int                         width,
                                  int                         height,
                                  guint                       row,
                                  guint                       col,
                                  LtRenderRect               *rect)
{
  Layout l;

  compute_layout (self, view, width, height, &l);
  if (!l.matrix || row >= self->k || col >= self->k)
    return FALSE;
  rect->x = l.grid.x + col * l.cell;
  rect->y = l.grid.y + row * l.cell;
  rect->width = rect->height = l.cell;
  return TRUE;
}

gboolean
lt_render_accuracy_hit_test (LtRenderAccuracy           *self,
                             const LtRenderAccuracyView *view,
                             int                         width,
                             int                         height,
                             double                      x,
                             double                      y,
                             LtRenderAccuracyHit        *hit)
{
  LtRenderAccuracyHit h = { LT_RENDER_ACCURACY_HIT_NONE, 0, 0 };
  Layout              l;

  compute_layout (self, view, width, height, &l);
  if (l.bars && lt_render_rect_contains (&l.bars_rect, x, y))
    {
      h.kind = LT_RENDER_ACCURACY_HIT_BAR;
      h.row = MIN ((guint) ((y - l.bars_rect.y) / l.row_h), self->k - 1);
    }
  else if (l.matrix && lt_render_rect_contains (&l.grid, x, y))
    {
      h.kind = LT_RENDER_ACCURACY_HIT_CELL;
      h.row = MIN ((guint) ((y - l.grid.y) / l.cell), self->k - 1);
      h.col = MIN ((guint) ((x - l.grid.x) / l.cell), self->k - 1);
    }
  if (hit)
    *hit = h;
  return h.kind != LT_RENDER_ACCURACY_HIT_NONE;
}

/* Drawing */

/* The cell colour: the background blended toward the accent by the
 * cell's share of its row */
static void
cell_color (const LtRenderTheme *t, double share, LtRenderColor *c)
{
  c->red = t->background.red + (t->accent.red - t->background.red) * share;
  c->green = t->background.green + (t->accent.green - t->background.green) * share;
  c->blue = t->background.blue + (t->accent.blue - t->background.blue) * share;
  c->alpha = 1;
}

static void
draw_bars (LtRenderAccuracy *self, cairo_t *cr, const Layout *l)
{
  const LtRenderTheme *t = &self->theme;
  double               overall = lt_render_accuracy_get_accuracy (self);
  g_autofree char     *title = NULL;
  double               size = MIN (self->label_size, l->row_h - 2);

  if (isnan (overall))
    title = g_strdup (_ ("Accuracy per class"));
  else
    /* Translators: the title of the accuracy bars, with the accuracy over
     * all classes */
    title = g_strdup_printf (_ ("Accuracy per class (overall %.1f %%)"), 100 * overall);
  lt_render_text (cr, t, 0, TRUE, &t->foreground, PAD, PAD, 0, title);
  for (guint k = 0; k < self->k; k++)
    {
      double           y = l->bars_rect.y + k * l->row_h;
      double           acc = lt_render_accuracy_get_class_accuracy (self, k);
      g_autofree char *pct =
        isnan (acc) ? g_strdup ("\u2014") : g_strdup_printf ("%.1f %%", 100 * acc);
      LtRenderColor track = t->grid;

      if (size >= 6)
        lt_render_text (cr, t, size, FALSE, &t->foreground, l->bar_x - 8,
                        y + (l->row_h - self->line_h) / 2, 1, self->names[k]);
      track.alpha = 0.5;
      lt_render_set_color (cr, &track);
      cairo_rectangle (cr, l->bar_x, y + l->row_h * 0.2, l->bar_w, l->row_h * 0.6);
      cairo_fill (cr);
      if (!isnan (acc))
        {
          lt_render_set_color (cr, &t->accent);
          cairo_rectangle (cr, l->bar_x, y + l->row_h * 0.2, l->bar_w * acc, l->row_h * 0.6);
          cairo_fill (cr);
        }
      if (size >= 6)
        lt_render_text (cr, t, size, FALSE, &t->muted, l->bar_x + l->bar_w + 6,
                        y + (l->row_h - self->line_h) / 2, 0, pct);
    }
}

static void
draw_vertical_text (cairo_t             *cr,
                    const LtRenderTheme *t,
                    double               size,
                    const LtRenderColor *color,
                    double               x,
                    double               y,
                    const char          *text)
{
  /* Reading upwards from (x, y), its top edge to the left */
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, -G_PI / 2);
  lt_render_text (cr, t, size, FALSE, color, 0, 0, 0, text);
  cairo_restore (cr);
}

static void
draw_matrix (LtRenderAccuracy *self, const LtRenderAccuracyView *view, cairo_t *cr, const Layout *l)
{
  const LtRenderTheme *t = &self->theme;
  double               size = MIN (self->label_size, MAX (6, l->cell * 0.45));
  const char          *predicted = _ ("Predicted class"), *truth = _ ("True class");
  double               tw, th;

  lt_render_text (cr, t, 0, TRUE, &t->foreground, PAD, l->matrix_title_y, 0,
                  _ ("Confusion matrix"));
  lt_render_text (cr, t, self->label_size, FALSE, &t->muted, l->grid.x + l->grid.width / 2,
                  l->matrix_title_y + l->title_h, 0.5, predicted);
  lt_render_text_size (t, self->label_size, FALSE, truth, &tw, &th);
  draw_vertical_text (cr, t, self->label_size, &t->muted, PAD,
                      l->grid.y + l->grid.height / 2 + tw / 2, truth);

  for (guint k = 0; k < self->k; k++)
    {
      /* columns: names upwards above the cells; rows: names at the left */
      draw_vertical_text (cr, t, self->label_size, &t->foreground,
                          l->grid.x + k * l->cell + (l->cell - self->line_h) / 2, l->grid.y - 6,
                          self->names[k]);
      lt_render_text (cr, t, self->label_size, FALSE, &t->foreground, l->grid.x - 6,
                      l->grid.y + k * l->cell + (l->cell - self->line_h) / 2, 1, self->names[k]);
    }
  for (guint r = 0; r < self->k; r++)
    {
      gint64 total = row_total (self, r);

      for (guint c = 0; c < self->k; c++)
        {
          gint64        n = self->counts[r * self->k + c];
          double        share = total > 0 ? (double) n / (double) total : 0;
          LtRenderColor fill;
          double        x = l->grid.x + c * l->cell, y = l->grid.y + r * l->cell;

          cell_color (t, share, &fill);
          lt_render_set_color (cr, &fill);
          cairo_rectangle (cr, x, y, l->cell, l->cell);
          cairo_fill (cr);
          if (l->cell >= 14)
            {
              g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, n);
              double           w, h;

              lt_render_text_size (t, size, r == c, text, &w, &h);
              if (w <= l->cell - 2)
                lt_render_text (cr, t, size, r == c, share > 0.5 ? &t->background : &t->foreground,
                                x + l->cell / 2, y + (l->cell - h) / 2, 0.5, text);
            }
        }
    }
  lt_render_set_color (cr, &t->grid);
  cairo_set_line_width (cr, 1);
  cairo_rectangle (cr, l->grid.x + 0.5, l->grid.y + 0.5, l->grid.width - 1, l->grid.height - 1);
  cairo_stroke (cr);
  if (view->selected_row >= 0 && view->selected_col >= 0 && (guint) view->selected_row < self->k &&
      (guint) view->selected_col < self->k)
    {
      lt_render_set_color (cr, &t->foreground);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, l->grid.x + view->selected_col * l->cell + 1,
                       l->grid.y + view->selected_row * l->cell + 1, l->cell - 2, l->cell - 2);
      cairo_stroke (cr);
    }
}

void
lt_render_accuracy_draw (LtRenderAccuracy           *self,
                         const LtRenderAccuracyView *view,
                         cairo_t                    *cr,
                         int                         width,
                         int                         height)
{
  Layout l;

  compute_layout (self, view, width, height, &l);
  cairo_save (cr);
  lt_render_set_color (cr, &self->theme.background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
  if (l.bars)
    draw_bars (self, cr, &l);
  if (l.matrix)
    draw_matrix (self, view, cr, &l);
  cairo_restore (cr);
}

typedef struct
{
  LtRenderAccuracy           *self;
  const LtRenderAccuracyView *view;
} DrawData;

static void
draw_cb (cairo_t *cr, int width, int height, gpointer user_data)
{
  DrawData *d = user_data;

  lt_render_accuracy_draw (d->self, d->view, cr, width, height);
}

gboolean
lt_render_accuracy_write (LtRenderAccuracy           *self,
                          const LtRenderAccuracyView *view,
                          const char                 *path,
                          GError                    **error)
{
  DrawData       d = { self, view };
  LtRenderFormat format;
  int            w, h;

  if (!lt_render_format_for_path (path, &format, error))
    return FALSE;
  lt_render_accuracy_get_natural_size (self, view, &w, &h);
  return lt_render_write (path, format, w, h, draw_cb, &d, error);
}
