/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-render-loss-private.h"

/*
 * The loss plot's data (runs of series of (step, value) points, kept in
 * step order), its CSV export, and the changes of its view state.
 */

static const char *const series_names[LT_RENDER_N_SERIES] = { "train_loss", "test_loss",
                                                              "test_accuracy" };

static void
run_free (gpointer data)
{
  LossRun *run = data;

  g_free (run->name);
  for (int s = 0; s < LT_RENDER_N_SERIES; s++)
    g_array_unref (run->series[s]);
  g_free (run);
}

static LossRun *
run_new (const char *name)
{
  LossRun *run = g_new0 (LossRun, 1);

  run->name = g_strdup (name ? name : "");
  for (int s = 0; s < LT_RENDER_N_SERIES; s++)
    run->series[s] = g_array_new (FALSE, FALSE, sizeof (LossPoint));
  return run;
}

LtRenderLossData *
lt_render_loss_data_new (void)
{
  LtRenderLossData *self = g_new0 (LtRenderLossData, 1);

  g_atomic_ref_count_init (&self->ref);
  self->runs = g_ptr_array_new_with_free_func (run_free);
  return self;
}

LtRenderLossData *
lt_render_loss_data_copy (LtRenderLossData *self)
{
  LtRenderLossData *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = lt_render_loss_data_new ();
  copy->serial = self->serial;
  for (guint r = 0; r < self->runs->len; r++)
    {
      LossRun *from = g_ptr_array_index (self->runs, r);
      LossRun *to = run_new (from->name);

      to->color = from->color;

      for (int s = 0; s < LT_RENDER_N_SERIES; s++)
        g_array_append_vals (to->series[s], from->series[s]->data, from->series[s]->len);
      g_ptr_array_add (copy->runs, to);
    }
  return copy;
}

LtRenderLossData *
lt_render_loss_data_ref (LtRenderLossData *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
lt_render_loss_data_unref (LtRenderLossData *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_ptr_array_unref (self->runs);
  g_free (self);
}

guint
lt_render_loss_data_add_run (LtRenderLossData *self, const char *name)
{
  LossRun *run;

  g_return_val_if_fail (self != NULL, 0);
  run = run_new (name);
  lt_render_run_color (self->runs->len, &run->color);
  g_ptr_array_add (self->runs, run);
  self->serial++;
  return self->runs->len - 1;
}

guint
lt_render_loss_data_get_n_runs (LtRenderLossData *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->runs->len;
}

const char *
lt_render_loss_data_get_run_name (LtRenderLossData *self, guint run)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (run < self->runs->len, NULL);
  return ((LossRun *) g_ptr_array_index (self->runs, run))->name;
}

void
lt_render_loss_data_set_run_color (LtRenderLossData *self, guint run, const LtRenderColor *color)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (run < self->runs->len);
  g_return_if_fail (color != NULL);
  ((LossRun *) g_ptr_array_index (self->runs, run))->color = *color;
  self->serial++;
}

void
lt_render_loss_data_get_run_color (LtRenderLossData *self, guint run, LtRenderColor *color)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (run < self->runs->len);
  g_return_if_fail (color != NULL);
  *color = ((LossRun *) g_ptr_array_index (self->runs, run))->color;
}

/* The colour run @run is drawn in (NULL when there is no such run) */
const LtRenderColor *
_lt_render_loss_data_run_color (LtRenderLossData *self, guint run)
{
  if (run >= self->runs->len)
    return NULL;
  return &((LossRun *) g_ptr_array_index (self->runs, run))->color;
}

GArray *
_lt_render_loss_data_series (LtRenderLossData *self, guint run, LtRenderSeries series)
{
  if (run >= self->runs->len || (guint) series >= LT_RENDER_N_SERIES)
    return NULL;
  return ((LossRun *) g_ptr_array_index (self->runs, run))->series[series];
}

void
lt_render_loss_data_append (LtRenderLossData *self,
                            guint             run,
                            LtRenderSeries    series,
                            double            step,
                            double            value)
{
  GArray   *a;
  LossPoint p = { step, value };
  guint     lo, hi;

  g_return_if_fail (self != NULL);
  a = _lt_render_loss_data_series (self, run, series);
  g_return_if_fail (a != NULL);
  g_return_if_fail (!isnan (step));
  self->serial++;
  if (a->len == 0 || g_array_index (a, LossPoint, a->len - 1).step <= step)
    {
      g_array_append_val (a, p);
      return;
    }
  /* After the points of the same step or smaller */
  lo = 0;
  hi = a->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (a, LossPoint, mid).step <= step)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_array_insert_val (a, lo, p);
}

guint
lt_render_loss_data_get_n_points (LtRenderLossData *self, guint run, LtRenderSeries series)
{
  GArray *a;

  g_return_val_if_fail (self != NULL, 0);
  a = _lt_render_loss_data_series (self, run, series);
  return a ? a->len : 0;
}

gboolean
lt_render_loss_data_get_point (LtRenderLossData *self,
                               guint             run,
                               LtRenderSeries    series,
                               guint             index,
                               double           *step,
                               double           *value)
{
  GArray    *a;
  LossPoint *p;

  g_return_val_if_fail (self != NULL, FALSE);
  a = _lt_render_loss_data_series (self, run, series);
  if (a == NULL || index >= a->len)
    return FALSE;
  p = &g_array_index (a, LossPoint, index);
  if (step)
    *step = p->step;
  if (value)
    *value = p->value;
  return TRUE;
}

void
lt_render_loss_data_clear_run (LtRenderLossData *self, guint run)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (run < self->runs->len);
  for (int s = 0; s < LT_RENDER_N_SERIES; s++)
    g_array_set_size (((LossRun *) g_ptr_array_index (self->runs, run))->series[s], 0);
  self->serial++;
}

guint64
lt_render_loss_data_get_serial (LtRenderLossData *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->serial;
}

/* RFC 4180: a field with a comma, a quote or a line break is quoted, its
 * quotes doubled. */
static void
append_csv_field (GString *s, const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (s, text);
      return;
    }
  g_string_append_c (s, '"');
  for (const char *c = text; *c; c++)
    {
      if (*c == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *c);
    }
  g_string_append_c (s, '"');
}

char *
_lt_render_loss_data_to_csv (LtRenderLossData *self)
{
  GString *s = g_string_new ("run,name,series,step,value\n");
  char     step[G_ASCII_DTOSTR_BUF_SIZE], value[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint r = 0; r < self->runs->len; r++)
    {
      LossRun *run = g_ptr_array_index (self->runs, r);

      for (int k = 0; k < LT_RENDER_N_SERIES; k++)
        for (guint i = 0; i < run->series[k]->len; i++)
          {
            LossPoint *p = &g_array_index (run->series[k], LossPoint, i);

            g_string_append_printf (s, "%u,", r);
            append_csv_field (s, run->name);
            /* Steps are whole numbers in practice; values keep 9 digits */
            g_string_append_printf (s, ",%s,%s,%s\n", series_names[k],
                                    g_ascii_formatd (step, sizeof step, "%.10g", p->step),
                                    g_ascii_formatd (value, sizeof value, "%.9g", p->value));
          }
    }
  return g_string_free (s, FALSE);
}

gboolean
lt_render_loss_data_write_csv (LtRenderLossData *self, const char *path, GError **error)
{
  g_autofree char *csv = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  csv = _lt_render_loss_data_to_csv (self);
  return lt_render_write_text (path, csv, -1, error);
}

/* The view state */

void
lt_render_loss_view_init (LtRenderLossView *view)
{
  memset (view, 0, sizeof *view);
  view->x_scale = LT_RENDER_SCALE_LINEAR;
  view->y_scale = LT_RENDER_SCALE_LINEAR;
  view->smoothing = 0.6;
  view->show_raw = TRUE;
  view->series = (1u << LT_RENDER_N_SERIES) - 1;
  view->follow = TRUE;
}

void
lt_render_loss_view_reset (LtRenderLossView *view)
{
  view->x_zoomed = FALSE;
  view->y_zoomed = FALSE;
}

/* Values to the space the axis is linear in, and back */
static double
to_linear (const LtRenderAxis *a, double v)
{
  return a->scale == LT_RENDER_SCALE_LOG ? log10 (v) : v;
}

static double
from_linear (const LtRenderAxis *a, double t)
{
  return a->scale == LT_RENDER_SCALE_LOG ? pow (10, t) : t;
}

static gboolean
in_loss_panel (const LtRenderLossFrame *frame, double x, double y)
{
  LtRenderRect r;

  return lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_LOSS, &r) &&
         lt_render_rect_contains (&r, x, y);
}

/* The range of @a seen between pixels @p0 and @p1 */
static void
range_between (const LtRenderAxis *a, double p0, double p1, double *lo, double *hi)
{
  double v0 = lt_render_axis_from_pixel (a, p0), v1 = lt_render_axis_from_pixel (a, p1);

  *lo = MIN (v0, v1);
  *hi = MAX (v0, v1);
}

static gboolean
usable_range (LtRenderScale scale, double lo, double hi)
{
  LtRenderAxis a = { scale, lo, hi, 0, 1 };

  /* Not narrower than floating point can tell apart */
  return lt_render_axis_is_valid (&a) &&
         (to_linear (&a, hi) - to_linear (&a, lo)) >
           1e-9 * MAX (fabs (to_linear (&a, hi)), fabs (to_linear (&a, lo)));
}

void
lt_render_loss_view_zoom (LtRenderLossView        *view,
                          const LtRenderLossFrame *frame,
                          double                   factor,
                          double                   x,
                          double                   y)
{
  LtRenderAxis xa, ya;
  double       t, lo, hi;

  g_return_if_fail (factor > 0);
  if (!lt_render_loss_frame_get_axes (frame, LT_RENDER_LOSS_PANEL_LOSS, &xa, &ya))
    return;
  t = to_linear (&xa, lt_render_axis_from_pixel (&xa, x));
  lo = from_linear (&xa, t - (t - to_linear (&xa, xa.min)) / factor);
  hi = from_linear (&xa, t + (to_linear (&xa, xa.max) - t) / factor);
  if (usable_range (xa.scale, lo, hi))
    {
      view->x_zoomed = TRUE;
      view->x_min = lo;
      view->x_max = hi;
    }
  if (!in_loss_panel (frame, x, y))
    return;
  t = to_linear (&ya, lt_render_axis_from_pixel (&ya, y));
  lo = from_linear (&ya, t - (t - to_linear (&ya, ya.min)) / factor);
  hi = from_linear (&ya, t + (to_linear (&ya, ya.max) - t) / factor);
  if (usable_range (ya.scale, lo, hi))
    {
      view->y_zoomed = TRUE;
      view->y_min = lo;
      view->y_max = hi;
    }
}

void
lt_render_loss_view_pan (LtRenderLossView        *view,
                         const LtRenderLossFrame *frame,
                         double                   dx,
                         double                   dy)
{
  LtRenderAxis xa, ya;
  LtRenderRect r;
  double       lo, hi;

  if (!lt_render_loss_frame_get_axes (frame, LT_RENDER_LOSS_PANEL_LOSS, &xa, &ya) ||
      !lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_LOSS, &r))
    return;
  if (dx != 0)
    {
      range_between (&xa, xa.pixel_min - dx, xa.pixel_max - dx, &lo, &hi);
      if (usable_range (xa.scale, lo, hi))
        {
          view->x_zoomed = TRUE;
          view->x_min = lo;
          view->x_max = hi;
          /* Back in time: the newest step is no longer followed */
          if (dx > 0)
            view->follow = FALSE;
        }
    }
  if (dy != 0)
    {
      range_between (&ya, ya.pixel_min - dy, ya.pixel_max - dy, &lo, &hi);
      if (usable_range (ya.scale, lo, hi))
        {
          view->y_zoomed = TRUE;
          view->y_min = lo;
          view->y_max = hi;
        }
    }
}

void
lt_render_loss_view_zoom_to_rect (LtRenderLossView        *view,
                                  const LtRenderLossFrame *frame,
                                  double                   x0,
                                  double                   y0,
                                  double                   x1,
                                  double                   y1)
{
  LtRenderAxis xa, ya;
  double       lo, hi;

  if (!lt_render_loss_frame_get_axes (frame, LT_RENDER_LOSS_PANEL_LOSS, &xa, &ya))
    return;
  range_between (&xa, x0, x1, &lo, &hi);
  if (fabs (x1 - x0) >= 2 && usable_range (xa.scale, lo, hi))
    {
      view->x_zoomed = TRUE;
      view->x_min = lo;
      view->x_max = hi;
    }
  if (!in_loss_panel (frame, x0, y0) || !in_loss_panel (frame, x1, y1))
    return;
  range_between (&ya, y0, y1, &lo, &hi);
  if (fabs (y1 - y0) >= 2 && usable_range (ya.scale, lo, hi))
    {
      view->y_zoomed = TRUE;
      view->y_min = lo;
      view->y_max = hi;
    }
}
