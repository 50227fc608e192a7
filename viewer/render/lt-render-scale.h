/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The arithmetic of plots, free of drawing so that tests can check it
 * against hand-worked values: axes (linear or logarithmic) mapping values
 * to pixels, their ticks, exponential smoothing with bias correction and
 * the min/max decimation of a curve to pixel columns.
 */

/**
 * LtRenderScale:
 * @LT_RENDER_SCALE_LINEAR: values map linearly to pixels
 * @LT_RENDER_SCALE_LOG: log10 of the values maps linearly to pixels; values
 *   at or below zero have no place on the axis and are left out (never
 *   clamped, never drawn on a linear stretch near zero)
 *
 * How an axis maps values to pixels.
 */
typedef enum
{
  LT_RENDER_SCALE_LINEAR,
  LT_RENDER_SCALE_LOG,
} LtRenderScale;

/**
 * LtRenderAxis:
 * @scale: linear or logarithmic
 * @min: the value at @pixel_min (above 0 on a log axis)
 * @max: the value at @pixel_max (above @min)
 * @pixel_min: the pixel coordinate of @min (for a y axis, the bottom)
 * @pixel_max: the pixel coordinate of @max (for a y axis, the top)
 *
 * A visible range of values and where it lies on the screen.
 */
typedef struct
{
  LtRenderScale scale;
  double        min;
  double        max;
  double        pixel_min;
  double        pixel_max;
} LtRenderAxis;

/* lt_render_axis_to_pixel: the pixel of @value, or NAN when @value is not
 *   on the axis (not finite, or <= 0 on a log axis). Values outside
 *   [min, max] map outside [pixel_min, pixel_max].
 * lt_render_axis_from_pixel: the value at pixel @pixel.
 * lt_render_axis_is_valid: whether min < max (and min > 0 on a log axis),
 *   both finite. */
double   lt_render_axis_to_pixel   (const LtRenderAxis *axis,
                                    double              value);
double   lt_render_axis_from_pixel (const LtRenderAxis *axis,
                                    double              pixel);
gboolean lt_render_axis_is_valid   (const LtRenderAxis *axis);

/* The range to show for data from @lo to @hi (both finite; on a log axis,
 * the smallest and largest values above 0): on a linear axis widened by
 * 5 % of the span on each side (@from_zero: the lower end is 0 when all
 * the data is above it), a span of 0 widened to a unit around the value;
 * on a log axis widened by 5 % of the span of decades. */
void lt_render_axis_fit (LtRenderAxis *axis,
                         double        lo,
                         double        hi,
                         gboolean      from_zero);

/**
 * LtRenderTick:
 * @value: where the tick is, in data units
 * @major: whether it carries a label (on a log axis, the decades)
 * @label: its label: "0.5", "2000", "1e-05"; empty for minor ticks
 *
 * A tick mark of an axis.
 */
typedef struct
{
  double   value;
  gboolean major;
  char     label[24];
} LtRenderTick;

#define LT_RENDER_MAX_TICKS 64

/* The ticks inside [axis->min, axis->max] (at most @max_ticks, at most
 * LT_RENDER_MAX_TICKS): on a linear axis about @target "nice" values,
 * multiples of 1, 2 or 5 times a power of ten, all major; on a log axis
 * every decade that fits (every second, fifth... when there are more than
 * @target), with minor ticks at 2..9 times each decade when few decades
 * show, or, when the range spans less than one decade, nice linear values
 * labelled as such. Labels use the shortest form that tells neighbours
 * apart. Returns the number of ticks written. */
guint lt_render_axis_ticks (const LtRenderAxis *axis,
                            guint               target,
                            LtRenderTick       *ticks,
                            guint               max_ticks);

/* The exponential moving average with bias correction that TensorBoard's
 * smoothing slider computes: with w = @weight in [0, 1),
 *   last = last * w + (1 - w) * v_i,  out_i = last / (1 - w^k)
 * where k counts the finite values so far, so the first points are not
 * pulled toward zero. A value that is not finite is copied as it is and
 * leaves the average alone. @weight 0 copies @values. @out may be
 * @values. */
void lt_render_ema (const double *values,
                    gsize         n,
                    double        weight,
                    double       *out);

/* Decimates a curve for drawing: @x are pixel columns in increasing order
 * (fractional), @y the pixel rows (NAN: a gap). For every column
 * floor(x) it keeps, in their order, the first point, the point of
 * smallest y, the point of largest y and the last point (fewer when they
 * coincide), so the drawn line covers exactly the rows the full curve
 * covers in that column: a spike never vanishes. Gaps are kept (each NAN
 * point whose neighbour is finite). Writes the indices of the kept points
 * to @kept (room for @n) and returns their number. */
gsize lt_render_decimate (const double *x,
                          const double *y,
                          gsize         n,
                          gsize        *kept);

G_END_DECLS
