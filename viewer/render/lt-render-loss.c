/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "lt-render-loss-private.h"

/*
 * The prepared frame of the loss plot: the visible ranges (zoomed,
 * following the newest step, or fitted to the visible data), the ticks,
 * the panels, and every curve in pixels, smoothed and decimated to pixel
 * columns. Made on any thread; drawing and hit-testing only read it.
 */

#define PAD 8.0 /* around the plot and between its parts */
#define PANEL_GAP 6.0
#define MARKER_RADIUS 3.0

typedef struct
{
  guint             run;
  LtRenderSeries    series;
  LtRenderLossPanel panel;
  GArray           *points;   /* LossPoint, borrowed from the frame's data */
  double           *px;       /* every point's pixel column (NAN: not on the axes) */
  double           *py;       /* its row, raw value */
  double           *smoothed; /* smoothed values, or NULL without smoothing */
  double           *spy;      /* their rows */
  gsize            *raw_kept; /* decimated raw curve: indices, n_raw of them */
  gsize             n_raw;
  gsize            *smooth_kept;
  gsize             n_smooth;
  gboolean          draw_raw;
  gsize             first, last; /* the points drawn: [first, last) */
} Curve;

struct _LtRenderLossFrame
{
  gatomicrefcount   ref;
  LtRenderLossData *data;
  LtRenderLossView  view;
  LtRenderTheme     theme;
  int               width, height;

  gboolean     empty;
  gboolean     has_accuracy;
  LtRenderRect rect[2]; /* by LtRenderLossPanel */
  LtRenderAxis x_axis;
  LtRenderAxis y_axis[2]; /* accuracy in percent */
  LtRenderTick x_ticks[LT_RENDER_MAX_TICKS];
  LtRenderTick y_ticks[2][LT_RENDER_MAX_TICKS];
  guint        n_x_ticks, n_y_ticks[2];
  double       line_height;
  double       label_size;

  GArray *curves; /* Curve */
};

static gboolean
series_shown (const LtRenderLossView *view, guint run, LtRenderSeries series)
{
  if (!(view->series & (1u << series)))
    return FALSE;
  return run >= 64 || !(view->hidden_runs & (G_GUINT64_CONSTANT (1) << run));
}

static LtRenderLossPanel
panel_of (LtRenderSeries series)
{
  return series == LT_RENDER_SERIES_TEST_ACCURACY ? LT_RENDER_LOSS_PANEL_ACCURACY
                                                  : LT_RENDER_LOSS_PANEL_LOSS;
}

/* The value as drawn: accuracy in percent */
static double
shown_value (LtRenderSeries series, double v)
{
  return series == LT_RENDER_SERIES_TEST_ACCURACY ? 100 * v : v;
}

static gboolean
on_axis (LtRenderScale scale, double v)
{
  return isfinite (v) && (scale != LT_RENDER_SCALE_LOG || v > 0);
}

static void
curve_clear (gpointer data)
{
  Curve *c = data;

  g_free (c->px);
  g_free (c->py);
  g_free (c->smoothed);
  g_free (c->spy);
  g_free (c->raw_kept);
  g_free (c->smooth_kept);
}

/* Ranges */

typedef struct
{
  double   lo, hi;
  gboolean any;
} Extent;

static void
extent_add (Extent *e, double v)
{
  if (!e->any)
    {
      e->lo = e->hi = v;
      e->any = TRUE;
      return;
    }
  e->lo = MIN (e->lo, v);
  e->hi = MAX (e->hi, v);
}

static void
resolve_x (LtRenderLossFrame *self)
{
  const LtRenderLossView *view = &self->view;
  LtRenderAxis           *a = &self->x_axis;
  Extent                  e = { 0 };

  for (guint i = 0; i < self->curves->len; i++)
    {
      Curve *c = &g_array_index (self->curves, Curve, i);

      for (guint k = 0; k < c->points->len; k++)
        {
          double s = g_array_index (c->points, LossPoint, k).step;

          if (on_axis (view->x_scale, s))
            extent_add (&e, s);
        }
    }
  a->scale = view->x_scale;
  if (view->x_zoomed && view->x_min < view->x_max &&
      (view->x_scale != LT_RENDER_SCALE_LOG || view->x_min > 0))
    {
      a->min = view->x_min;
      a->max = view->x_max;
      if (view->follow && e.any)
        {
          /* The window keeps its width (a ratio on a log axis) and ends
           * just after the newest step. */
          if (a->scale == LT_RENDER_SCALE_LOG)
            {
              double span = log10 (a->max) - log10 (a->min);
              double top = log10 (e.hi) + 0.02 * span;

              a->max = pow (10, top);
              a->min = pow (10, top - span);
            }
          else
            {
              double span = a->max - a->min;

              a->max = e.hi + 0.02 * span;
              a->min = a->max - span;
            }
        }
      return;
    }
  if (!e.any)
    {
      e.lo = a->scale == LT_RENDER_SCALE_LOG ? 1 : 0;
      e.hi = a->scale == LT_RENDER_SCALE_LOG ? 1000 : 1;
    }
  lt_render_axis_fit (a, e.lo, e.hi, a->scale == LT_RENDER_SCALE_LINEAR && e.lo >= 0);
  if (a->scale == LT_RENDER_SCALE_LINEAR && e.lo >= 0)
    a->min = 0; /* steps start at 0, not at -5 % */
}

static void
resolve_y (LtRenderLossFrame *self, LtRenderLossPanel panel)
{
  const LtRenderLossView *view = &self->view;
  LtRenderAxis           *a = &self->y_axis[panel];
  LtRenderScale scale = panel == LT_RENDER_LOSS_PANEL_LOSS ? view->y_scale : LT_RENDER_SCALE_LINEAR;
  Extent        e = { 0 };

  a->scale = scale;
  if (panel == LT_RENDER_LOSS_PANEL_LOSS && view->y_zoomed && view->y_min < view->y_max &&
      (scale != LT_RENDER_SCALE_LOG || view->y_min > 0))
    {
      a->min = view->y_min;
      a->max = view->y_max;
      return;
    }
  /* Fitted to what is drawn within the visible steps */
  for (guint i = 0; i < self->curves->len; i++)
    {
      Curve *c = &g_array_index (self->curves, Curve, i);

      if (c->panel != panel)
        continue;
      for (guint k = 0; k < c->points->len; k++)
        {
          LossPoint *p = &g_array_index (c->points, LossPoint, k);

          if (!(p->step >= self->x_axis.min && p->step <= self->x_axis.max))
            continue;
          if (c->draw_raw && on_axis (scale, p->value))
            extent_add (&e, shown_value (c->series, p->value));
          if (c->smoothed && on_axis (scale, c->smoothed[k]))
            extent_add (&e, c->smoothed[k]);
        }
    }
  if (!e.any)
    {
      e.lo = scale == LT_RENDER_SCALE_LOG ? 0.1 : 0;
      e.hi = panel == LT_RENDER_LOSS_PANEL_ACCURACY ? 100 : scale == LT_RENDER_SCALE_LOG ? 10 : 1;
    }
  lt_render_axis_fit (a, e.lo, e.hi,
                      panel == LT_RENDER_LOSS_PANEL_LOSS && view->y_from_zero &&
                        scale == LT_RENDER_SCALE_LINEAR);
}

/* Curves in pixels */

static void
place_curve (LtRenderLossFrame *self, Curve *c)
{
  const LtRenderAxis *xa = &self->x_axis, *ya = &self->y_axis[c->panel];
  gsize               n = c->points->len, first = 0, last = n;
  LossPoint          *pts = (LossPoint *) (void *) c->points->data;
  double             *x, *y;

  /* The points in the visible steps and one more on each side, so the
   * lines run on to the panel's edges. */
  while (first < n && !(pts[first].step >= xa->min))
    first++;
  first = first > 0 ? first - 1 : 0;
  while (last > first && !(pts[last - 1].step <= xa->max))
    last--;
  last = MIN (n, last + 1);
  c->first = first;
  c->last = last;

  c->px = g_new (double, MAX (n, 1));
  c->py = g_new (double, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    {
      c->px[i] = lt_render_axis_to_pixel (xa, pts[i].step);
      c->py[i] = lt_render_axis_to_pixel (ya, shown_value (c->series, pts[i].value));
    }
  x = c->px + first;
  y = c->py + first;
  if (c->draw_raw)
    {
      c->raw_kept = g_new (gsize, MAX (last - first, 1));
      c->n_raw = lt_render_decimate (x, y, last - first, c->raw_kept);
    }
  if (c->smoothed)
    {
      c->spy = g_new (double, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        c->spy[i] = lt_render_axis_to_pixel (ya, c->smoothed[i]);
      c->smooth_kept = g_new (gsize, MAX (last - first, 1));
      c->n_smooth = lt_render_decimate (x, c->spy + first, last - first, c->smooth_kept);
    }
}

/* Layout */

static double
ticks_label_width (LtRenderLossFrame *self, const LtRenderTick *ticks, guint n)
{
  double w = 0, tw;

  for (guint i = 0; i < n; i++)
    if (ticks[i].major)
      {
        lt_render_text_size (&self->theme, self->label_size, FALSE, ticks[i].label, &tw, NULL);
        w = MAX (w, tw);
      }
  return ceil (w);
}

LtRenderLossFrame *
lt_render_loss_frame_new (LtRenderLossData       *data,
                          const LtRenderLossView *view,
                          const LtRenderTheme    *theme,
                          int                     width,
                          int                     height)
{
  LtRenderLossFrame *self;
  double             left, top, bottom, right, plot_h, loss_h, acc_h, th;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (view != NULL && theme != NULL, NULL);

  self = g_new0 (LtRenderLossFrame, 1);
  g_atomic_ref_count_init (&self->ref);
  self->data = lt_render_loss_data_ref (data);
  self->view = *view;
  self->view.smoothing = CLAMP (view->smoothing, 0, 0.999);
  self->theme = *theme;
  self->width = MAX (width, 1);
  self->height = MAX (height, 1);
  self->label_size = MAX (8, theme->font_size - 1);
  lt_render_text_size (theme, self->label_size, FALSE, "Ag", NULL, &th);
  self->line_height = ceil (th);
  self->curves = g_array_new (FALSE, TRUE, sizeof (Curve));
  g_array_set_clear_func (self->curves, curve_clear);

  /* The curves shown, smoothed */
  self->empty = TRUE;
  for (guint r = 0; r < data->runs->len; r++)
    for (int s = 0; s < LT_RENDER_N_SERIES; s++)
      {
        Curve c = { 0 };

        if (!series_shown (&self->view, r, s))
          continue;
        c.run = r;
        c.series = s;
        c.panel = panel_of (s);
        c.points = _lt_render_loss_data_series (data, r, s);
        if (c.points->len == 0)
          continue;
        self->empty = FALSE;
        if (c.panel == LT_RENDER_LOSS_PANEL_ACCURACY)
          self->has_accuracy = TRUE;
        /* The training loss is smoothed; the test series have one point
         * per epoch and are drawn as they are. */
        if (s == LT_RENDER_SERIES_TRAIN_LOSS && self->view.smoothing > 0)
          {
            g_autofree double *v = g_new (double, c.points->len);

            for (guint k = 0; k < c.points->len; k++)
              v[k] = g_array_index (c.points, LossPoint, k).value;
            c.smoothed = g_new (double, c.points->len);
            lt_render_ema (v, c.points->len, self->view.smoothing, c.smoothed);
          }
        c.draw_raw = c.smoothed == NULL || self->view.show_raw;
        g_array_append_val (self->curves, c);
      }

  resolve_x (self);
  resolve_y (self, LT_RENDER_LOSS_PANEL_LOSS);
  resolve_y (self, LT_RENDER_LOSS_PANEL_ACCURACY);

  /* Panels: a title row above each, tick labels left and below, the
   * step title at the bottom. */
  top = PAD + self->line_height + 4;
  bottom = PAD + 2 * self->line_height + 6;
  right = PAD + 8;
  plot_h = MAX (20, self->height - top - bottom);
  if (self->has_accuracy)
    {
      double title = PANEL_GAP + self->line_height + 4;

      acc_h = floor (MAX (10, (plot_h - title) * 0.32));
      loss_h = MAX (10, plot_h - title - acc_h);
    }
  else
    {
      acc_h = 0;
      loss_h = plot_h;
    }
  self->n_y_ticks[0] = lt_render_axis_ticks (&self->y_axis[0], MAX (2, (guint) (loss_h / 40)),
                                             self->y_ticks[0], LT_RENDER_MAX_TICKS);
  self->n_y_ticks[1] = self->has_accuracy
                         ? lt_render_axis_ticks (&self->y_axis[1], MAX (2, (guint) (acc_h / 30)),
                                                 self->y_ticks[1], LT_RENDER_MAX_TICKS)
                         : 0;
  left = PAD +
         MAX (ticks_label_width (self, self->y_ticks[0], self->n_y_ticks[0]),
              ticks_label_width (self, self->y_ticks[1], self->n_y_ticks[1])) +
         6;
  left = floor (left);

  self->rect[0].x = left;
  self->rect[0].y = top;
  self->rect[0].width = MAX (10, self->width - left - right);
  self->rect[0].height = loss_h;
  self->rect[1] = self->rect[0];
  self->rect[1].y = top + loss_h + PANEL_GAP + self->line_height + 4;
  self->rect[1].height = acc_h;

  self->x_axis.pixel_min = self->rect[0].x;
  self->x_axis.pixel_max = self->rect[0].x + self->rect[0].width;
  for (int p = 0; p < 2; p++)
    {
      self->y_axis[p].pixel_min = self->rect[p].y + self->rect[p].height;
      self->y_axis[p].pixel_max = self->rect[p].y;
    }
  self->n_x_ticks = lt_render_axis_ticks (
    &self->x_axis, MAX (2, (guint) (self->rect[0].width / 90)), self->x_ticks, LT_RENDER_MAX_TICKS);

  for (guint i = 0; i < self->curves->len; i++)
    place_curve (self, &g_array_index (self->curves, Curve, i));
  return self;
}

LtRenderLossFrame *
lt_render_loss_frame_ref (LtRenderLossFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lt_render_loss_frame_unref (LtRenderLossFrame *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_array_unref (self->curves);
  lt_render_loss_data_unref (self->data);
  g_free (self);
}

int
lt_render_loss_frame_get_width (const LtRenderLossFrame *self)
{
  return self->width;
}

int
lt_render_loss_frame_get_height (const LtRenderLossFrame *self)
{
  return self->height;
}

LtRenderLossData *
lt_render_loss_frame_get_data (const LtRenderLossFrame *self)
{
  return self->data;
}

const LtRenderLossView *
lt_render_loss_frame_get_view (const LtRenderLossFrame *self)
{
  return &self->view;
}

static gboolean
panel_shown (const LtRenderLossFrame *self, LtRenderLossPanel panel)
{
  return panel == LT_RENDER_LOSS_PANEL_LOSS ||
         (panel == LT_RENDER_LOSS_PANEL_ACCURACY && self->has_accuracy);
}

gboolean
lt_render_loss_frame_get_panel (const LtRenderLossFrame *self,
                                LtRenderLossPanel        panel,
                                LtRenderRect            *rect)
{
  if (!panel_shown (self, panel))
    return FALSE;
  *rect = self->rect[panel];
  return TRUE;
}

gboolean
lt_render_loss_frame_get_axes (const LtRenderLossFrame *self,
                               LtRenderLossPanel        panel,
                               LtRenderAxis            *x_axis,
                               LtRenderAxis            *y_axis)
{
  if (!panel_shown (self, panel))
    return FALSE;
  if (x_axis)
    *x_axis = self->x_axis;
  if (y_axis)
    *y_axis = self->y_axis[panel];
  return TRUE;
}

gboolean
lt_render_loss_frame_to_pixel (const LtRenderLossFrame *self,
                               LtRenderLossPanel        panel,
                               double                   step,
                               double                   value,
                               double                  *x,
                               double                  *y)
{
  double px, py;

  if (!panel_shown (self, panel))
    return FALSE;
  px = lt_render_axis_to_pixel (&self->x_axis, step);
  py = lt_render_axis_to_pixel (&self->y_axis[panel],
                                panel == LT_RENDER_LOSS_PANEL_ACCURACY ? 100 * value : value);
  if (isnan (px) || isnan (py))
    return FALSE;
  *x = px;
  *y = py;
  return TRUE;
}

static const Curve *
find_curve (const LtRenderLossFrame *self, guint run, LtRenderSeries series)
{
  for (guint i = 0; i < self->curves->len; i++)
    {
      const Curve *c = &g_array_index (self->curves, Curve, i);

      if (c->run == run && c->series == series)
        return c;
    }
  return NULL;
}

guint
lt_render_loss_frame_get_n_drawn (const LtRenderLossFrame *self,
                                  guint                    run,
                                  LtRenderSeries           series,
                                  gboolean                 smoothed)
{
  const Curve  *c = find_curve (self, run, series);
  gsize         n = 0;
  const gsize  *kept;
  const double *y;

  if (c == NULL)
    return 0;
  kept = smoothed ? c->smooth_kept : c->raw_kept;
  y = smoothed ? c->spy : c->py;
  if (kept == NULL)
    return 0;
  /* gap markers are not points */
  for (gsize i = 0; i < (smoothed ? c->n_smooth : c->n_raw); i++)
    n += !isnan (y[c->first + kept[i]]) && !isnan (c->px[c->first + kept[i]]);
  return (guint) n;
}

/* Hit-testing */

gboolean
lt_render_loss_frame_hit_test (const LtRenderLossFrame *self,
                               double                   x,
                               double                   y,
                               LtRenderLossHit         *hit)
{
  int          panel = -1;
  double       best = INFINITY;
  const Curve *bc = NULL;
  gsize        bk = 0;

  for (int p = 0; p < 2; p++)
    if (panel_shown (self, p) && lt_render_rect_contains (&self->rect[p], x, y))
      panel = p;
  if (panel < 0)
    return FALSE;
  for (guint i = 0; i < self->curves->len; i++)
    {
      const Curve  *c = &g_array_index (self->curves, Curve, i);
      const double *cy = c->smoothed ? c->spy : c->py;

      if (c->panel != (LtRenderLossPanel) panel)
        continue;
      for (gsize k = c->first; k < c->last; k++)
        {
          double dx = c->px[k] - x, dy = cy[k] - y, d;

          if (isnan (dx) || isnan (dy) || c->px[k] < self->rect[panel].x - 0.5 ||
              c->px[k] > self->rect[panel].x + self->rect[panel].width + 0.5)
            continue;
          d = dx * dx + dy * dy;
          if (d < best)
            {
              best = d;
              bc = c;
              bk = k;
            }
        }
    }
  if (bc == NULL)
    return FALSE;
  if (hit)
    {
      LossPoint *p = &g_array_index (bc->points, LossPoint, bk);

      hit->run = bc->run;
      hit->series = bc->series;
      hit->index = (guint) bk;
      hit->step = p->step;
      hit->value = p->value;
      hit->smoothed = bc->smoothed ? bc->smoothed[bk] : p->value;
      hit->x = bc->px[bk];
      hit->y = bc->smoothed ? bc->spy[bk] : bc->py[bk];
    }
  return TRUE;
}

/* Drawing */

/* Kept points lying in one pixel column, for drawing */
typedef struct
{
  gsize    first, last;    /* positions in kept[] */
  double   x0, x1, y0, y1; /* the extent of its points */
  gboolean starts;         /* it follows a gap (or the start) */
} ColumnRun;

/* The next column run from kept[*i], skipping gap markers; FALSE at the
 * end. */
static gboolean
next_column (const double *x, const double *y, const gsize *kept, gsize n, gsize *i, ColumnRun *run)
{
  double col;

  run->starts = *i == 0;
  while (*i < n && (isnan (x[kept[*i]]) || isnan (y[kept[*i]])))
    {
      run->starts = TRUE;
      (*i)++;
    }
  if (*i >= n)
    return FALSE;
  run->first = run->last = *i;
  run->x0 = run->x1 = x[kept[*i]];
  run->y0 = run->y1 = y[kept[*i]];
  col = floor (x[kept[*i]]);
  for ((*i)++; *i < n && !isnan (y[kept[*i]]) && floor (x[kept[*i]]) == col; (*i)++)
    {
      run->last = *i;
      run->x0 = MIN (run->x0, x[kept[*i]]);
      run->x1 = MAX (run->x1, x[kept[*i]]);
      run->y0 = MIN (run->y0, y[kept[*i]]);
      run->y1 = MAX (run->y1, y[kept[*i]]);
    }
  return TRUE;
}

/* Draws a decimated curve. Sparse (about a point per column): a polyline
 * through its points. Dense (several points per column, which zigzag):
 * each column a span from its lowest to its highest point, the line's
 * width wide, and a segment to the next column only where the two spans
 * do not touch: the pixels the zigzag through every point covers, for a
 * fraction of the stroking (a zigzag polyline of thousands of segments
 * takes Cairo tens of milliseconds). */
static void
draw_line (cairo_t             *cr,
           const double        *x,
           const double        *y,
           const gsize         *kept,
           gsize                n,
           double               width,
           const LtRenderColor *color)
{
  ColumnRun run, prev = { 0 };
  gsize     i = 0, runs = 0, points = 0;

  while (next_column (x, y, kept, n, &i, &run))
    {
      runs++;
      points += run.last - run.first + 1;
    }
  lt_render_set_color (cr, color);
  cairo_set_line_width (cr, width);
  if (2 * points < 3 * runs)
    {
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      i = 0;
      while (next_column (x, y, kept, n, &i, &run))
        for (gsize k = run.first; k <= run.last; k++)
          {
            if (k == run.first && run.starts)
              {
                cairo_move_to (cr, x[kept[k]], y[kept[k]]);
                cairo_rel_line_to (cr, 0, 0); /* a lone point still shows */
              }
            else
              cairo_line_to (cr, x[kept[k]], y[kept[k]]);
          }
      cairo_stroke (cr);
    }
  else
    {
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
      i = 0;
      while (next_column (x, y, kept, n, &i, &run))
        cairo_rectangle (cr, run.x0 - width / 2, run.y0 - width / 2, run.x1 - run.x0 + width,
                         run.y1 - run.y0 + width);
      cairo_fill (cr);
      i = 0;
      while (next_column (x, y, kept, n, &i, &run))
        {
          if (!run.starts && (floor (run.x0) - floor (prev.x1) > 1 || run.y0 > prev.y1 + width ||
                              run.y1 < prev.y0 - width))
            {
              cairo_move_to (cr, x[kept[prev.last]], y[kept[prev.last]]);
              cairo_line_to (cr, x[kept[run.first]], y[kept[run.first]]);
            }
          prev = run;
        }
      cairo_stroke (cr);
    }
}

/* A dashed curve (a point per epoch): stroked as it is */
static void
trace (cairo_t *cr, const double *x, const double *y, const gsize *kept, gsize n)
{
  gboolean pen = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      double px = x[kept[i]], py = y[kept[i]];

      if (isnan (px) || isnan (py))
        {
          pen = FALSE;
          continue;
        }
      if (pen)
        cairo_line_to (cr, px, py);
      else
        {
          cairo_move_to (cr, px, py);
          /* A lone point still shows */
          cairo_line_to (cr, px, py);
          pen = TRUE;
        }
    }
}

static void
draw_grid (const LtRenderLossFrame *self, cairo_t *cr, int panel)
{
  const LtRenderRect  *r = &self->rect[panel];
  const LtRenderTheme *t = &self->theme;

  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < self->n_y_ticks[panel]; i++)
    {
      const LtRenderTick *k = &self->y_ticks[panel][i];
      double py = floor (lt_render_axis_to_pixel (&self->y_axis[panel], k->value)) + 0.5;

      if (py < r->y || py > r->y + r->height)
        continue;
      lt_render_set_color (cr, &t->grid);
      if (!k->major)
        cairo_set_source_rgba (cr, t->grid.red, t->grid.green, t->grid.blue, 0.5);
      cairo_move_to (cr, r->x, py);
      cairo_line_to (cr, r->x + r->width, py);
      cairo_stroke (cr);
      if (k->major)
        lt_render_text (cr, t, self->label_size, FALSE, &t->muted, r->x - 6,
                        py - self->line_height / 2, 1, k->label);
    }
  for (guint i = 0; i < self->n_x_ticks; i++)
    {
      const LtRenderTick *k = &self->x_ticks[i];
      double              px = floor (lt_render_axis_to_pixel (&self->x_axis, k->value)) + 0.5;

      if (px < r->x || px > r->x + r->width)
        continue;
      lt_render_set_color (cr, &t->grid);
      if (!k->major)
        cairo_set_source_rgba (cr, t->grid.red, t->grid.green, t->grid.blue, 0.5);
      cairo_move_to (cr, px, r->y);
      cairo_line_to (cr, px, r->y + r->height);
      cairo_stroke (cr);
    }
  lt_render_set_color (cr, &t->grid);
  cairo_rectangle (cr, r->x + 0.5, r->y + 0.5, r->width - 1, r->height - 1);
  cairo_stroke (cr);
}

static void
draw_x_labels (const LtRenderLossFrame *self, cairo_t *cr)
{
  const LtRenderRect  *r = &self->rect[self->has_accuracy ? 1 : 0];
  const LtRenderTheme *t = &self->theme;
  double               last_right = -INFINITY;

  for (guint i = 0; i < self->n_x_ticks; i++)
    {
      const LtRenderTick *k = &self->x_ticks[i];
      double              px = lt_render_axis_to_pixel (&self->x_axis, k->value), w;

      if (!k->major || px < r->x - 1 || px > r->x + r->width + 1)
        continue;
      lt_render_text_size (t, self->label_size, FALSE, k->label, &w, NULL);
      if (px - w / 2 < last_right + 6)
        continue; /* no overlapping labels */
      lt_render_text (cr, t, self->label_size, FALSE, &t->muted, px, r->y + r->height + 3, 0.5,
                      k->label);
      last_right = px + w / 2;
    }
  lt_render_text (cr, t, self->label_size, FALSE, &t->muted, r->x + r->width / 2,
                  r->y + r->height + 3 + self->line_height + 2, 0.5,
                  /* Translators: the title of the loss plot's x axis */
                  _ ("Step"));
}

static void
draw_curves (const LtRenderLossFrame *self, cairo_t *cr, int panel)
{
  const LtRenderRect *r = &self->rect[panel];

  cairo_save (cr);
  cairo_rectangle (cr, r->x, r->y, r->width, r->height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  /* Series by series, so the test markers lie above every training curve */
  for (guint i = 0; i < LT_RENDER_N_SERIES * self->curves->len; i++)
    {
      const Curve  *c = &g_array_index (self->curves, Curve, i % self->curves->len);
      LtRenderColor color;
      const double *x = c->px + c->first;

      if (c->panel != (LtRenderLossPanel) panel ||
          c->series != (LtRenderSeries) (i / self->curves->len))
        continue;
      color = *_lt_render_loss_data_run_color (self->data, c->run);
      if (c->series == LT_RENDER_SERIES_TEST_LOSS)
        {
          static const double dash[] = { 6, 4 };

          cairo_set_dash (cr, dash, 2, 0);
          lt_render_set_color (cr, &color);
          cairo_set_line_width (cr, 2);
          trace (cr, x, c->py + c->first, c->raw_kept, c->n_raw);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
        }
      else if (c->draw_raw && c->smoothed)
        {
          /* Faint: a quarter of the way from the background, opaque (the
           * same on every surface; Cairo 1.16 leaks translucent groups
           * drawn into SVG) */
          const LtRenderColor *bg = &self->theme.background;
          LtRenderColor        faint = { bg->red + 0.25 * (color.red - bg->red),
                                         bg->green + 0.25 * (color.green - bg->green),
                                         bg->blue + 0.25 * (color.blue - bg->blue), 1 };

          draw_line (cr, x, c->py + c->first, c->raw_kept, c->n_raw, 1, &faint);
        }
      else if (c->draw_raw)
        draw_line (cr, x, c->py + c->first, c->raw_kept, c->n_raw, 2, &color);
      if (c->smoothed)
        {
          color.alpha = 1;
          draw_line (cr, x, c->spy + c->first, c->smooth_kept, c->n_smooth, 2, &color);
        }
      /* Markers on the per-epoch series */
      if (c->series != LT_RENDER_SERIES_TRAIN_LOSS && c->last - c->first <= 400)
        {
          color.alpha = 1;
          cairo_set_dash (cr, NULL, 0, 0);
          for (gsize k = c->first; k < c->last; k++)
            if (!isnan (c->px[k]) && !isnan (c->py[k]))
              {
                cairo_new_sub_path (cr);
                cairo_arc (cr, c->px[k], c->py[k], MARKER_RADIUS, 0, 2 * G_PI);
              }
          /* a ring of background, so a marker stands out of a curve of
           * its own colour */
          lt_render_set_color (cr, &self->theme.background);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke_preserve (cr);
          lt_render_set_color (cr, &color);
          cairo_fill (cr);
        }
    }
  cairo_set_dash (cr, NULL, 0, 0);
  cairo_restore (cr);
}

/* The titles and, right-aligned in the loss panel's title row, the runs
 * and the line styles. */
static void
draw_legend (const LtRenderLossFrame *self, cairo_t *cr)
{
  const LtRenderTheme *t = &self->theme;
  const LtRenderRect  *r = &self->rect[0];
  double               y = r->y - self->line_height - 4, x = r->x + r->width, w;
  static const double  dash[] = { 6, 4 };
  const char          *train = _ ("training"), *test = _ ("test");
  guint                n_runs = self->data->runs->len;

  lt_render_text (cr, t, 0, TRUE, &t->foreground, r->x, y, 0, _ ("Loss"));
  if (self->has_accuracy)
    lt_render_text (cr, t, 0, TRUE, &t->foreground, r->x, self->rect[1].y - self->line_height - 4,
                    0, _ ("Test accuracy (%)"));

  /* The line styles */
  cairo_set_line_width (cr, 2);
  lt_render_set_color (cr, &t->muted);
  lt_render_text_size (t, self->label_size, FALSE, test, &w, NULL);
  x -= w;
  lt_render_text (cr, t, self->label_size, FALSE, &t->muted, x, y + 1, 0, test);
  x -= 22;
  cairo_set_dash (cr, dash, 2, 0);
  lt_render_set_color (cr, &t->muted);
  cairo_move_to (cr, x, y + self->line_height / 2 + 1);
  cairo_line_to (cr, x + 18, y + self->line_height / 2 + 1);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  lt_render_text_size (t, self->label_size, FALSE, train, &w, NULL);
  x -= w + 10;
  lt_render_text (cr, t, self->label_size, FALSE, &t->muted, x, y + 1, 0, train);
  x -= 22;
  cairo_move_to (cr, x, y + self->line_height / 2 + 1);
  cairo_line_to (cr, x + 18, y + self->line_height / 2 + 1);
  cairo_stroke (cr);
  x -= 16;

  /* The runs, newest nearest, as far as there is room */
  for (guint i = n_runs; i-- > 0;)
    {
      const char   *name = ((LossRun *) g_ptr_array_index (self->data->runs, i))->name;
      LtRenderColor color;

      if (i < 64 && (self->view.hidden_runs & (G_GUINT64_CONSTANT (1) << i)))
        continue;
      lt_render_text_size (t, self->label_size, FALSE, name, &w, NULL);
      if (x - w - 16 < r->x + 80)
        break;
      x -= w;
      lt_render_text (cr, t, self->label_size, FALSE, &t->foreground, x, y + 1, 0, name);
      x -= 14;
      color = *_lt_render_loss_data_run_color (self->data, i);
      lt_render_set_color (cr, &color);
      cairo_rectangle (cr, x, y + self->line_height / 2 - 3, 10, 8);
      cairo_fill (cr);
      x -= 12;
    }
}

static const char *
series_title (LtRenderSeries series)
{
  switch (series)
    {
      case LT_RENDER_SERIES_TRAIN_LOSS:
        return _ ("Training loss");
      case LT_RENDER_SERIES_TEST_LOSS:
        return _ ("Test loss");
      case LT_RENDER_SERIES_TEST_ACCURACY:
      default:
        return _ ("Test accuracy");
    }
}

static void
draw_hover (const LtRenderLossFrame *self, cairo_t *cr, const LtRenderLossHit *hit)
{
  const LtRenderTheme *t = &self->theme;
  const LtRenderRect  *r = &self->rect[panel_of (hit->series)];
  g_autofree char     *line1 = NULL, *line2 = NULL, *line3 = NULL;
  LtRenderColor        color;
  double               w1, w2, w3 = 0, bw, bh, bx, by;
  const char          *name;

  if (hit->run >= self->data->runs->len)
    return;
  name = ((LossRun *) g_ptr_array_index (self->data->runs, hit->run))->name;
  color = *_lt_render_loss_data_run_color (self->data, hit->run);

  /* The marker */
  cairo_save (cr);
  cairo_rectangle (cr, r->x, r->y, r->width, r->height);
  cairo_clip (cr);
  lt_render_set_color (cr, &t->background);
  cairo_arc (cr, hit->x, hit->y, 5, 0, 2 * G_PI);
  cairo_fill_preserve (cr);
  lt_render_set_color (cr, &color);
  cairo_set_line_width (cr, 2.5);
  cairo_stroke (cr);
  cairo_restore (cr);

  /* The readout: run, step, value (and smoothed value) */
  line1 = g_strdup_printf ("%s \u00b7 %s", name, series_title (hit->series));
  /* Translators: the hover readout of the loss plot: the step */
  line2 = g_strdup_printf (_ ("step %.0f"), hit->step);
  if (hit->series == LT_RENDER_SERIES_TEST_ACCURACY)
    line3 = g_strdup_printf ("%.2f %%", 100 * hit->value);
  else if (hit->series == LT_RENDER_SERIES_TRAIN_LOSS && self->view.smoothing > 0)
    /* Translators: the hover readout: the raw and the smoothed value */
    line3 = g_strdup_printf (_ ("%.4g (smoothed %.4g)"), hit->value, hit->smoothed);
  else
    line3 = g_strdup_printf ("%.4g", hit->value);
  lt_render_text_size (t, self->label_size, TRUE, line1, &w1, NULL);
  lt_render_text_size (t, self->label_size, FALSE, line2, &w2, NULL);
  lt_render_text_size (t, self->label_size, FALSE, line3, &w3, NULL);
  bw = ceil (MAX (w1 + 14, MAX (w2, w3))) + 12;
  bh = 3 * self->line_height + 10;
  bx = hit->x + 12;
  by = hit->y + 12;
  if (bx + bw > r->x + r->width)
    bx = hit->x - 12 - bw;
  if (by + bh > self->height - 2)
    by = hit->y - 12 - bh;
  bx = floor (MAX (bx, 2));
  by = floor (MAX (by, 2));
  lt_render_set_color (cr, &t->background);
  cairo_rectangle (cr, bx, by, bw, bh);
  cairo_fill_preserve (cr);
  lt_render_set_color (cr, &t->grid);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  lt_render_set_color (cr, &color);
  cairo_rectangle (cr, bx + 6, by + 5 + self->line_height / 2 - 4, 8, 8);
  cairo_fill (cr);
  lt_render_text (cr, t, self->label_size, TRUE, &t->foreground, bx + 20, by + 5, 0, line1);
  lt_render_text (cr, t, self->label_size, FALSE, &t->muted, bx + 6, by + 5 + self->line_height, 0,
                  line2);
  lt_render_text (cr, t, self->label_size, FALSE, &t->foreground, bx + 6,
                  by + 5 + 2 * self->line_height, 0, line3);
}

void
lt_render_loss_frame_draw (const LtRenderLossFrame *self, cairo_t *cr, const LtRenderLossHit *hover)
{
  const LtRenderTheme *t = &self->theme;

  cairo_save (cr);
  lt_render_set_color (cr, &t->background);
  cairo_rectangle (cr, 0, 0, self->width, self->height);
  cairo_fill (cr);

  for (int p = 0; p < 2; p++)
    if (panel_shown (self, p))
      draw_grid (self, cr, p);
  draw_x_labels (self, cr);
  for (int p = 0; p < 2; p++)
    if (panel_shown (self, p))
      draw_curves (self, cr, p);
  draw_legend (self, cr);
  if (self->empty)
    lt_render_text (cr, t, 0, FALSE, &t->muted, self->rect[0].x + self->rect[0].width / 2,
                    self->rect[0].y + self->rect[0].height / 2 - self->line_height / 2, 0.5,
                    _ ("No data yet"));
  if (hover)
    draw_hover (self, cr, hover);
  cairo_restore (cr);
}

static void
draw_cb (cairo_t *cr, int width, int height, gpointer user_data)
{
  lt_render_loss_frame_draw (user_data, cr, NULL);
}

gboolean
lt_render_loss_frame_write (const LtRenderLossFrame *self,
                            const char              *path,
                            LtRenderFormat           format,
                            GError                 **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return lt_render_write (path, format, self->width, self->height, draw_cb, (gpointer) self, error);
}

gboolean
lt_render_loss_write (LtRenderLossData       *data,
                      const LtRenderLossView *view,
                      const LtRenderTheme    *theme,
                      const char             *path,
                      int                     width,
                      int                     height,
                      GError                **error)
{
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderFormat format;

  if (!lt_render_format_for_path (path, &format, error))
    return FALSE;
  frame = lt_render_loss_frame_new (data, view, theme, width, height);
  return lt_render_write (path, format, width, height, draw_cb, frame, error);
}
