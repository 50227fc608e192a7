/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "lt-render-scale.h"

/* Axes */

static double
forward (LtRenderScale scale, double v)
{
  if (!isfinite (v))
    return NAN;
  if (scale == LT_RENDER_SCALE_LOG)
    return v > 0 ? log10 (v) : NAN;
  return v;
}

static double
inverse (LtRenderScale scale, double t)
{
  return scale == LT_RENDER_SCALE_LOG ? pow (10, t) : t;
}

gboolean
lt_render_axis_is_valid (const LtRenderAxis *axis)
{
  return isfinite (axis->min) && isfinite (axis->max) && axis->min < axis->max &&
         (axis->scale != LT_RENDER_SCALE_LOG || axis->min > 0);
}

double
lt_render_axis_to_pixel (const LtRenderAxis *axis, double value)
{
  double t = forward (axis->scale, value);
  double lo = forward (axis->scale, axis->min), hi = forward (axis->scale, axis->max);

  if (isnan (t) || !(hi > lo))
    return NAN;
  return axis->pixel_min + (t - lo) / (hi - lo) * (axis->pixel_max - axis->pixel_min);
}

double
lt_render_axis_from_pixel (const LtRenderAxis *axis, double pixel)
{
  double lo = forward (axis->scale, axis->min), hi = forward (axis->scale, axis->max);

  if (axis->pixel_max == axis->pixel_min)
    return NAN;
  return inverse (axis->scale,
                  lo + (pixel - axis->pixel_min) / (axis->pixel_max - axis->pixel_min) * (hi - lo));
}

void
lt_render_axis_fit (LtRenderAxis *axis, double lo, double hi, gboolean from_zero)
{
  if (axis->scale == LT_RENDER_SCALE_LOG)
    {
      double l, h;

      if (!(lo > 0) || !(hi > 0) || !isfinite (lo) || !isfinite (hi))
        lo = 1, hi = 10;
      l = log10 (MIN (lo, hi));
      h = log10 (MAX (lo, hi));
      if (h - l < 1e-12)
        l -= 0.5, h += 0.5;
      else
        {
          double m = 0.05 * (h - l);

          l -= m;
          h += m;
        }
      axis->min = pow (10, l);
      axis->max = pow (10, h);
      return;
    }
  if (!isfinite (lo) || !isfinite (hi))
    lo = 0, hi = 1;
  if (lo > hi)
    {
      double t = lo;

      lo = hi;
      hi = t;
    }
  if (from_zero)
    {
      lo = MIN (lo, 0);
      hi = MAX (hi, 0);
    }
  if (hi - lo <= 0)
    {
      axis->min = lo - 0.5;
      axis->max = hi + 0.5;
      return;
    }
  {
    double m = 0.05 * (hi - lo);

    /* 0 stays the end when it is one because of @from_zero */
    axis->min = from_zero && lo == 0 ? 0 : lo - m;
    axis->max = from_zero && hi == 0 ? 0 : hi + m;
  }
}

/* Ticks */

static double
nice_step (double raw)
{
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;

  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void
format_value (char *buf, gsize size, double v, double step)
{
  double a = fabs (v);
  int    decimals = (int) MAX (0, -floor (log10 (step) + 1e-9));

  if (v == 0)
    g_snprintf (buf, size, "0");
  else if (a >= 1e6 || a < 1e-4 || decimals > 6)
    g_snprintf (buf, size, "%g", v);
  else
    g_snprintf (buf, size, "%.*f", decimals, v);
}

static guint
add_tick (LtRenderTick *ticks, guint n, guint max, double value, gboolean major, double step)
{
  if (n >= max)
    return n;
  ticks[n].value = value;
  ticks[n].major = major;
  ticks[n].label[0] = '\0';
  if (major)
    format_value (ticks[n].label, sizeof ticks[n].label, value, step);
  return n + 1;
}

static guint
linear_ticks (double min, double max, guint target, LtRenderTick *ticks, guint max_ticks)
{
  double step = nice_step ((max - min) / MAX (target, 1));
  double first = ceil (min / step - 1e-9);
  guint  n = 0;

  for (double k = first; k * step <= max + step * 1e-9 && n < max_ticks; k++)
    {
      double v = k * step;

      if (fabs (v) < step * 1e-9)
        v = 0;
      n = add_tick (ticks, n, max_ticks, v, TRUE, step);
    }
  return n;
}

guint
lt_render_axis_ticks (const LtRenderAxis *axis, guint target, LtRenderTick *ticks, guint max_ticks)
{
  double   lmin, lmax;
  gint64   d0, d1, stride, n_dec;
  guint    n = 0;
  gboolean label_minor;

  max_ticks = MIN (max_ticks, LT_RENDER_MAX_TICKS);
  if (!lt_render_axis_is_valid (axis) || max_ticks == 0)
    return 0;
  if (axis->scale == LT_RENDER_SCALE_LINEAR)
    return linear_ticks (axis->min, axis->max, target, ticks, max_ticks);

  lmin = log10 (axis->min);
  lmax = log10 (axis->max);
  d0 = (gint64) ceil (lmin - 1e-9);
  d1 = (gint64) floor (lmax + 1e-9);
  n_dec = d1 - d0 + 1;
  if (lmax - lmin < 1 || n_dec < 1)
    return linear_ticks (axis->min, axis->max, target, ticks, max_ticks);
  stride = (n_dec + MAX (target, 1) - 1) / MAX (target, 1);
  label_minor = n_dec < 3;
  for (gint64 d = (gint64) floor (lmin); d <= d1 && n < max_ticks; d++)
    {
      double decade = pow (10, (double) d);

      if (d >= d0 && d % stride == 0)
        {
          n = add_tick (ticks, n, max_ticks, decade, TRUE, decade);
          if (d < -4 || d > 5)
            g_snprintf (ticks[n - 1].label, sizeof ticks[n - 1].label, "1e%" G_GINT64_FORMAT, d);
        }
      if (n_dec > 6)
        continue;
      for (int m = 2; m <= 9 && n < max_ticks; m++)
        {
          double   v = m * decade;
          gboolean major = label_minor && (m == 2 || m == 5);

          if (v < axis->min * (1 - 1e-9) || v > axis->max * (1 + 1e-9))
            continue;
          n = add_tick (ticks, n, max_ticks, v, major, decade);
        }
    }
  return n;
}

/* Smoothing */

void
lt_render_ema (const double *values, gsize n, double weight, double *out)
{
  double last = 0;
  double k = 0;

  if (weight <= 0 || !(weight < 1))
    {
      for (gsize i = 0; i < n; i++)
        out[i] = values[i];
      return;
    }
  for (gsize i = 0; i < n; i++)
    {
      double v = values[i];

      if (!isfinite (v))
        {
          out[i] = v;
          continue;
        }
      last = last * weight + (1 - weight) * v;
      k++;
      out[i] = last / (1 - pow (weight, k));
    }
}

/* Decimation */

typedef struct
{
  gboolean open;
  gint64   column;
  gsize    first, last, lo, hi;
} Column;

static gsize
flush (const Column *c, gsize *kept, gsize n)
{
  gsize idx[4] = { c->first, c->lo, c->hi, c->last };

  if (!c->open)
    return n;
  /* The four in index order, without repeats */
  for (int i = 1; i < 4; i++)
    for (int j = i; j > 0 && idx[j - 1] > idx[j]; j--)
      {
        gsize t = idx[j];

        idx[j] = idx[j - 1];
        idx[j - 1] = t;
      }
  for (int i = 0; i < 4; i++)
    if (i == 0 || idx[i] != idx[i - 1])
      kept[n++] = idx[i];
  return n;
}

gsize
lt_render_decimate (const double *x, const double *y, gsize n, gsize *kept)
{
  Column   c = { FALSE, 0, 0, 0, 0, 0 };
  gsize    out = 0;
  gboolean any_finite = FALSE, gap_open = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      gint64 column;

      if (!isfinite (x[i]) || !isfinite (y[i]))
        {
          out = flush (&c, kept, out);
          c.open = FALSE;
          /* One gap marker between finite stretches */
          if (any_finite && !gap_open)
            {
              kept[out++] = i;
              gap_open = TRUE;
            }
          continue;
        }
      any_finite = TRUE;
      gap_open = FALSE;
      column = (gint64) floor (x[i]);
      if (c.open && column == c.column)
        {
          c.last = i;
          if (y[i] < y[c.lo])
            c.lo = i;
          if (y[i] > y[c.hi])
            c.hi = i;
          continue;
        }
      out = flush (&c, kept, out);
      c.open = TRUE;
      c.column = column;
      c.first = c.last = c.lo = c.hi = i;
    }
  out = flush (&c, kept, out);
  /* A gap marker at the end separates nothing */
  if (gap_open)
    out--;
  return out;
}
