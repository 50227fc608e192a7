/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-render-common.h"
#include "lt-render-scale.h"

G_BEGIN_DECLS

/*
 * The loss plot: several runs, each with up to three series against the
 * training step: the training loss per logging interval, the test loss per
 * epoch (at the step the epoch ended) and the test accuracy per epoch. The
 * losses share the upper panel; the accuracy, when shown and known, has a
 * panel of its own under it, on the same steps.
 *
 * Three parts (see lt-render-common.h): LtRenderLossData, the points,
 * appended on the caller's thread; LtRenderLossView, the caller's view
 * state; LtRenderLossFrame, everything computed for one size and one view
 * state (ranges, ticks, smoothed and decimated curves in pixels), made on
 * any thread from a copy of the data and then read-only.
 */

/**
 * LtRenderSeries:
 * @LT_RENDER_SERIES_TRAIN_LOSS: the training loss (per logging interval, or
 *   per step): solid line
 * @LT_RENDER_SERIES_TEST_LOSS: the test loss per epoch: dashed line with
 *   markers
 * @LT_RENDER_SERIES_TEST_ACCURACY: the test accuracy per epoch, a fraction
 *   from 0 to 1, drawn in percent in the accuracy panel
 *
 * The series of a run.
 */
typedef enum
{
  LT_RENDER_SERIES_TRAIN_LOSS,
  LT_RENDER_SERIES_TEST_LOSS,
  LT_RENDER_SERIES_TEST_ACCURACY,
} LtRenderSeries;

#define LT_RENDER_N_SERIES 3

/**
 * LtRenderLossPanel:
 * @LT_RENDER_LOSS_PANEL_LOSS: the losses (upper panel)
 * @LT_RENDER_LOSS_PANEL_ACCURACY: the accuracy (lower panel)
 *
 * A panel of the loss plot.
 */
typedef enum
{
  LT_RENDER_LOSS_PANEL_LOSS,
  LT_RENDER_LOSS_PANEL_ACCURACY,
} LtRenderLossPanel;

/* The data */

typedef struct _LtRenderLossData LtRenderLossData;

/* An empty store; runs are numbered from 0 in the order they are added,
 * and the number decides the run's colour (lt_render_run_color()) unless
 * lt_render_loss_data_set_run_color() gives it another.
 * lt_render_loss_data_copy() makes the independent copy a worker thread
 * prepares a frame from; the other functions are for one thread at a time.
 * lt_render_loss_data_append() adds a point (the steps of a series should
 * grow; a point with a smaller step is placed in order). The serial grows
 * with every change, so a widget knows when its frame is stale.
 * lt_render_loss_data_write_csv() writes every run into one CSV file:
 * "run,name,series,step,value" rows, series named train_loss, test_loss,
 * test_accuracy; errors as lt_render_write_text(). */
LtRenderLossData *lt_render_loss_data_new          (void);
LtRenderLossData *lt_render_loss_data_copy         (LtRenderLossData  *self);
LtRenderLossData *lt_render_loss_data_ref          (LtRenderLossData  *self);
void              lt_render_loss_data_unref        (LtRenderLossData  *self);
guint             lt_render_loss_data_add_run      (LtRenderLossData  *self,
                                                    const char        *name);
guint             lt_render_loss_data_get_n_runs   (LtRenderLossData  *self);
const char       *lt_render_loss_data_get_run_name (LtRenderLossData  *self,
                                                    guint              run);
void              lt_render_loss_data_append       (LtRenderLossData  *self,
                                                    guint              run,
                                                    LtRenderSeries     series,
                                                    double             step,
                                                    double             value);
guint             lt_render_loss_data_get_n_points (LtRenderLossData  *self,
                                                    guint              run,
                                                    LtRenderSeries     series);
gboolean          lt_render_loss_data_get_point    (LtRenderLossData  *self,
                                                    guint              run,
                                                    LtRenderSeries     series,
                                                    guint              index,
                                                    double            *step,
                                                    double            *value);
void              lt_render_loss_data_clear_run    (LtRenderLossData  *self,
                                                    guint              run);
void              lt_render_loss_data_set_run_color (LtRenderLossData    *self,
                                                     guint                run,
                                                     const LtRenderColor *color);
void              lt_render_loss_data_get_run_color (LtRenderLossData    *self,
                                                     guint                run,
                                                     LtRenderColor       *color);
guint64           lt_render_loss_data_get_serial   (LtRenderLossData  *self);
gboolean          lt_render_loss_data_write_csv    (LtRenderLossData  *self,
                                                    const char        *path,
                                                    GError           **error);

/* The view state */

/**
 * LtRenderLossView:
 * @x_scale: the step axis (default linear; log leaves out step 0)
 * @y_scale: the loss axis (default linear; log leaves out values <= 0)
 * @y_from_zero: a linear loss axis starts at 0 (default %FALSE)
 * @smoothing: the EMA weight of the training loss (the test series, a
 *   point per epoch, are never smoothed), 0 (none) to 0.999 (default 0.6)
 * @show_raw: with smoothing, the raw curve drawn faint behind the smoothed
 *   one (default %TRUE)
 * @series: a mask of `1 << LtRenderSeries` to show (default all)
 * @hidden_runs: a mask of `1 << run` not to show (runs from 64 on always
 *   show; default none)
 * @follow: follow the latest step: a zoomed step range slides so that its
 *   right edge is the newest step; unzoomed, the range is all the data
 *   (default %TRUE)
 * @x_zoomed: whether @x_min and @x_max hold a chosen step range
 * @x_min: the first visible step when @x_zoomed
 * @x_max: the last visible step when @x_zoomed
 * @y_zoomed: whether @y_min and @y_max hold a chosen loss range (else the
 *   range fits the visible data)
 * @y_min: the lowest visible loss when @y_zoomed
 * @y_max: the highest visible loss when @y_zoomed
 *
 * The caller's view state of a loss plot. Appending points never changes
 * it, so a zoom stays where it is while a run goes on.
 */
typedef struct
{
  LtRenderScale x_scale;
  LtRenderScale y_scale;
  gboolean      y_from_zero;
  double        smoothing;
  gboolean      show_raw;
  guint         series;
  guint64       hidden_runs;
  gboolean      follow;
  gboolean      x_zoomed;
  double        x_min;
  double        x_max;
  gboolean      y_zoomed;
  double        y_min;
  double        y_max;
} LtRenderLossView;

typedef struct _LtRenderLossFrame LtRenderLossFrame;

/* Changes of the view state, in a frame's pixels (the frame gives the
 * ranges and the panels at the time of the gesture):
 * lt_render_loss_view_zoom: by @factor (> 1 zooms in) around the pixel
 *   (@x, @y); the steps always, the loss range only over the loss panel.
 * lt_render_loss_view_pan: drags the content by (@dx, @dy) pixels; turns
 *   @follow off when it moves away from the newest step.
 * lt_render_loss_view_zoom_to_rect: shows the pixels from (@x0, @y0) to
 *   (@x1, @y1) (a rubber band).
 * lt_render_loss_view_reset: back to all the data (the scales, smoothing
 *   and masks stay). */
void lt_render_loss_view_init         (LtRenderLossView        *view);
void lt_render_loss_view_zoom         (LtRenderLossView        *view,
                                       const LtRenderLossFrame *frame,
                                       double                   factor,
                                       double                   x,
                                       double                   y);
void lt_render_loss_view_pan          (LtRenderLossView        *view,
                                       const LtRenderLossFrame *frame,
                                       double                   dx,
                                       double                   dy);
void lt_render_loss_view_zoom_to_rect (LtRenderLossView        *view,
                                       const LtRenderLossFrame *frame,
                                       double                   x0,
                                       double                   y0,
                                       double                   x1,
                                       double                   y1);
void lt_render_loss_view_reset        (LtRenderLossView        *view);

/* The prepared frame */

/**
 * LtRenderLossHit:
 * @run: the run
 * @series: the series
 * @index: the point's position in its series
 * @step: its step
 * @value: its value (an accuracy as a fraction)
 * @smoothed: the smoothed value there (@value without smoothing)
 * @x: its pixel column
 * @y: its pixel row (the smoothed curve's when smoothing)
 *
 * The point nearest to the pointer, for the hover readout.
 */
typedef struct
{
  guint          run;
  LtRenderSeries series;
  guint          index;
  double         step;
  double         value;
  double         smoothed;
  double         x;
  double         y;
} LtRenderLossHit;

/* lt_render_loss_frame_new: computes a frame (any thread) from @data,
 * which nothing may change during the call (on a worker thread, give it a
 * copy); the frame keeps a reference to @data and copies @view and
 * @theme.
 * lt_render_loss_frame_draw: paints the whole area, background, panels,
 *   axes, curves and legend, and, for a @hover point, its marker and the
 *   readout (run, step, value).
 * lt_render_loss_frame_hit_test: the nearest drawn point (by pixel
 *   distance) in the panel under (@x, @y); FALSE outside the panels or
 *   when the panel shows no point.
 * lt_render_loss_frame_get_panel: the rectangle of a panel's plot area;
 *   FALSE when the panel is not shown.
 * lt_render_loss_frame_get_axes: the visible ranges of a panel as axes in
 *   this frame's pixels (the x axis is shared).
 * lt_render_loss_frame_to_pixel: where (@step, @value) is drawn in @panel;
 *   FALSE when it is not on the axes (log scales).
 * lt_render_loss_frame_get_n_drawn: how many points of a series are drawn
 *   after decimation (0 for a hidden one), @smoothed for the smoothed
 *   curve, else the raw one. */
LtRenderLossFrame      *lt_render_loss_frame_new         (LtRenderLossData        *data,
                                                          const LtRenderLossView  *view,
                                                          const LtRenderTheme     *theme,
                                                          int                      width,
                                                          int                      height);
LtRenderLossFrame      *lt_render_loss_frame_ref         (LtRenderLossFrame       *self);
void                    lt_render_loss_frame_unref       (LtRenderLossFrame       *self);
int                     lt_render_loss_frame_get_width   (const LtRenderLossFrame *self);
int                     lt_render_loss_frame_get_height  (const LtRenderLossFrame *self);
LtRenderLossData       *lt_render_loss_frame_get_data    (const LtRenderLossFrame *self);
const LtRenderLossView *lt_render_loss_frame_get_view    (const LtRenderLossFrame *self);
void                    lt_render_loss_frame_draw        (const LtRenderLossFrame *self,
                                                          cairo_t                 *cr,
                                                          const LtRenderLossHit   *hover);
gboolean                lt_render_loss_frame_hit_test    (const LtRenderLossFrame *self,
                                                          double                   x,
                                                          double                   y,
                                                          LtRenderLossHit         *hit);
gboolean                lt_render_loss_frame_get_panel   (const LtRenderLossFrame *self,
                                                          LtRenderLossPanel        panel,
                                                          LtRenderRect            *rect);
gboolean                lt_render_loss_frame_get_axes    (const LtRenderLossFrame *self,
                                                          LtRenderLossPanel        panel,
                                                          LtRenderAxis            *x_axis,
                                                          LtRenderAxis            *y_axis);
gboolean                lt_render_loss_frame_to_pixel    (const LtRenderLossFrame *self,
                                                          LtRenderLossPanel        panel,
                                                          double                   step,
                                                          double                   value,
                                                          double                  *x,
                                                          double                  *y);
guint                   lt_render_loss_frame_get_n_drawn (const LtRenderLossFrame *self,
                                                          guint                    run,
                                                          LtRenderSeries           series,
                                                          gboolean                 smoothed);

/* lt_render_loss_write: draws @data with @view at @width x @height into a
 *   PNG or SVG file (by @path's extension); errors as lt_render_write().
 * lt_render_loss_frame_write: writes a prepared frame (at its size, no
 *   hover) in @format, whatever @path's name. */
gboolean lt_render_loss_write       (LtRenderLossData         *data,
                                     const LtRenderLossView   *view,
                                     const LtRenderTheme      *theme,
                                     const char               *path,
                                     int                       width,
                                     int                       height,
                                     GError                  **error);
gboolean lt_render_loss_frame_write (const LtRenderLossFrame  *self,
                                     const char               *path,
                                     LtRenderFormat            format,
                                     GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtRenderLossData, lt_render_loss_data_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtRenderLossFrame, lt_render_loss_frame_unref)

G_END_DECLS
