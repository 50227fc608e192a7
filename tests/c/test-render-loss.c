/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The loss plot: points on their pixels, smoothing, log scales, min/max
 * decimation, zoom and follow, hit-testing, CSV/PNG/SVG files.
 */
#include <math.h>
#include <string.h>

#include "render-helpers.h"

static LtRenderTheme theme;

typedef struct
{
  LtRenderLossFrame     *frame;
  const LtRenderLossHit *hover;
} Draw;

static void
draw_frame (cairo_t *cr, int width, int height, gpointer data)
{
  Draw *d = data;

  lt_render_loss_frame_draw (d->frame, cr, d->hover);
}

static cairo_surface_t *
render (LtRenderLossFrame *frame, const LtRenderLossHit *hover)
{
  Draw d = { frame, hover };

  return lt_render_to_image (lt_render_loss_frame_get_width (frame),
                             lt_render_loss_frame_get_height (frame), draw_frame, &d);
}

/* A view of steps 0..100 and values 0..10, no smoothing */
static void
fixed_view (LtRenderLossView *view)
{
  lt_render_loss_view_init (view);
  view->smoothing = 0;
  view->follow = FALSE;
  view->x_zoomed = TRUE;
  view->x_min = 0;
  view->x_max = 100;
  view->y_zoomed = TRUE;
  view->y_min = 0;
  view->y_max = 10;
}

static void
test_known_pixels (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  LtRenderRect     r, ra;
  LtRenderColor    c0, c1;
  cairo_surface_t *s;
  double           x, y;
  guint            r0 = lt_render_loss_data_add_run (data, "first");
  guint            r1 = lt_render_loss_data_add_run (data, "second");

  g_test_summary ("points land on the pixels the axes give them, in their run's colour: a "
                  "training curve, test-loss markers and accuracy markers");
  lt_render_loss_data_append (data, r0, LT_RENDER_SERIES_TRAIN_LOSS, 10, 2);
  lt_render_loss_data_append (data, r0, LT_RENDER_SERIES_TRAIN_LOSS, 90, 2);
  lt_render_loss_data_append (data, r1, LT_RENDER_SERIES_TEST_LOSS, 50, 8);
  lt_render_loss_data_append (data, r1, LT_RENDER_SERIES_TEST_ACCURACY, 50, 0.5);
  fixed_view (&view);
  frame = lt_render_loss_frame_new (data, &view, &theme, 500, 400);

  g_assert_true (lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_LOSS, &r));
  g_assert_true (lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_ACCURACY, &ra));
  g_assert_cmpfloat (ra.y, >, r.y + r.height);
  g_assert_cmpfloat (ra.x, ==, r.x);

  /* (50, 5) is the middle of the loss panel */
  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 50, 5, &x, &y));
  g_assert_cmpfloat_with_epsilon (x, r.x + r.width / 2, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, r.y + r.height / 2, 1e-9);

  s = render (frame, NULL);
  lt_render_run_color (r0, &c0);
  lt_render_run_color (r1, &c1);
  /* on the training line: the run's colour; well above it: none */
  for (double step = 20; step <= 80; step += 15)
    {
      g_assert_true (
        lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, step, 2, &x, &y));
      g_assert_cmphex (pixel_at (s, (int) x, (int) y), ==, color_rgb (&c0));
      g_assert_cmpuint (count_pixels (s, (int) x - 2, (int) y - 12, 5, 5, color_rgb (&c0), 30), ==,
                        0);
    }
  /* the test-loss marker */
  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 50, 8, &x, &y));
  g_assert_cmphex (pixel_at (s, (int) x, (int) y), ==, color_rgb (&c1));
  /* the accuracy marker, in its panel, at 50 % */
  g_assert_true (
    lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_ACCURACY, 50, 0.5, &x, &y));
  g_assert_cmpfloat (y, >, ra.y);
  g_assert_cmpfloat (y, <, ra.y + ra.height);
  g_assert_cmphex (pixel_at (s, (int) x, (int) y), ==, color_rgb (&c1));
  /* nothing of the curves outside the panels */
  g_assert_cmpuint (count_pixels (s, 0, 0, (int) r.x - 1, 400, color_rgb (&c0), 30), ==, 0);
  cairo_surface_destroy (s);
}

static void
test_smoothing (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  LtRenderLossHit  hit;
  LtRenderColor    c;
  cairo_surface_t *s;
  double           x, y, faint_x, faint_y;
  guint            run = lt_render_loss_data_add_run (data, "run");

  g_test_summary ("the smoothed curve is TensorBoard's debiased EMA of the training loss; "
                  "the raw curve stays faint behind it");
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 10, 1);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 50, 2.5);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 90, 3);
  fixed_view (&view);
  view.smoothing = 0.5;
  frame = lt_render_loss_frame_new (data, &view, &theme, 500, 400);

  /* The point at step 90: raw 3, smoothed (3 + 1.25 + 0.25) / 1.75 */
  g_assert_true (
    lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 90, 4.5 / 1.75, &x, &y));
  g_assert_true (lt_render_loss_frame_hit_test (frame, x + 3, y - 2, &hit));
  g_assert_cmpuint (hit.run, ==, run);
  g_assert_cmpint (hit.series, ==, LT_RENDER_SERIES_TRAIN_LOSS);
  g_assert_cmpuint (hit.index, ==, 2);
  g_assert_cmpfloat (hit.step, ==, 90);
  g_assert_cmpfloat (hit.value, ==, 3);
  g_assert_cmpfloat_with_epsilon (hit.smoothed, 4.5 / 1.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (hit.y, y, 1e-9);
  /* the first point is not pulled toward 0 */
  g_assert_true (lt_render_loss_frame_hit_test (frame, 0, 0, &hit) == FALSE);
  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 10, 1, &x, &y));
  g_assert_true (lt_render_loss_frame_hit_test (frame, x, y, &hit));
  g_assert_cmpfloat_with_epsilon (hit.smoothed, 1, 1e-12);
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (frame, run, LT_RENDER_SERIES_TRAIN_LOSS, TRUE), ==, 3);

  s = render (frame, NULL);
  lt_render_run_color (run, &c);
  /* The smoothed curve in full colour at step 50 (smoothed (2.5 + 0.5) /
   * 1.5), the raw one faint at (50, 2.5): neither background nor full
   * colour */
  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 50, 2, &x, &y));
  /* (a corner of the line: nearly full coverage) */
  g_assert_true (rgb_near (pixel_at (s, (int) x, (int) y), color_rgb (&c), 24));
  g_assert_true (
    lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 50, 2.5, &faint_x, &faint_y));
  g_assert_false (rgb_near (pixel_at (s, (int) faint_x, (int) faint_y), color_rgb (&c), 40));
  g_assert_false (
    rgb_near (pixel_at (s, (int) faint_x, (int) faint_y), color_rgb (&theme.background), 10));
  cairo_surface_destroy (s);

  /* Without the raw curve: nothing at (50, 2.5) */
  view.show_raw = FALSE;
  g_clear_pointer (&frame, lt_render_loss_frame_unref);
  frame = lt_render_loss_frame_new (data, &view, &theme, 500, 400);
  s = render (frame, NULL);
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (frame, run, LT_RENDER_SERIES_TRAIN_LOSS, FALSE), ==, 0);
  g_assert_true (
    rgb_near (pixel_at (s, (int) faint_x, (int) faint_y), color_rgb (&theme.background), 0));
  cairo_surface_destroy (s);
}

static void
test_log_scale (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  LtRenderAxis     xa, ya;
  LtRenderRect     r;
  double           x, y, y10, y1, y01;
  guint            run = lt_render_loss_data_add_run (data, "run");
  const double     values[] = { 10, 0, -1, 1, 0.1 };

  g_test_summary ("a true log scale on y and on x: decades equally spaced, values <= 0 left "
                  "out (not clamped), the range fitted to the positive values");
  for (int i = 0; i < 5; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i, values[i]);
  lt_render_loss_view_init (&view);
  view.smoothing = 0;
  view.y_scale = LT_RENDER_SCALE_LOG;
  frame = lt_render_loss_frame_new (data, &view, &theme, 500, 400);
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (frame, run, LT_RENDER_SERIES_TRAIN_LOSS, FALSE), ==, 3);
  g_assert_true (lt_render_loss_frame_get_axes (frame, LT_RENDER_LOSS_PANEL_LOSS, &xa, &ya));
  g_assert_cmpint (ya.scale, ==, LT_RENDER_SCALE_LOG);
  g_assert_cmpfloat_with_epsilon (ya.min, pow (10, -1.1), 1e-12);
  g_assert_cmpfloat_with_epsilon (ya.max, pow (10, 1.1), 1e-12);
  g_assert_false (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 1, 0, &x, &y));
  g_assert_false (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 2, -1, &x, &y));
  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 0, 10, &x, &y10));
  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 3, 1, &x, &y1));
  g_assert_true (
    lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 4, 0.1, &x, &y01));
  g_assert_cmpfloat_with_epsilon (y1 - y10, y01 - y1, 1e-9);
  g_assert_true (lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_LOSS, &r));
  /* 10 and 0.1 sit 1/22 of the height inside the panel: 5 % margins of
   * two decades */
  g_assert_cmpfloat_with_epsilon (y10 - r.y, r.height / 22, 1e-9);

  /* A log step axis leaves out step 0 */
  view.x_scale = LT_RENDER_SCALE_LOG;
  g_clear_pointer (&frame, lt_render_loss_frame_unref);
  frame = lt_render_loss_frame_new (data, &view, &theme, 500, 400);
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (frame, run, LT_RENDER_SERIES_TRAIN_LOSS, FALSE), ==, 2);
  g_assert_true (lt_render_loss_frame_get_axes (frame, LT_RENDER_LOSS_PANEL_LOSS, &xa, NULL));
  g_assert_cmpfloat (xa.min, >, 0);
}

static void
test_from_zero (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL, zero = NULL;
  LtRenderLossView view;
  LtRenderAxis     ya;
  guint            run = lt_render_loss_data_add_run (data, "run");

  g_test_summary ("\"y from 0\" puts 0 at the bottom of the loss axis");
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 1, 1.5);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 2, 2.5);
  lt_render_loss_view_init (&view);
  frame = lt_render_loss_frame_new (data, &view, &theme, 400, 300);
  g_assert_true (lt_render_loss_frame_get_axes (frame, LT_RENDER_LOSS_PANEL_LOSS, NULL, &ya));
  g_assert_cmpfloat (ya.min, >, 1);
  view.y_from_zero = TRUE;
  zero = lt_render_loss_frame_new (data, &view, &theme, 400, 300);
  g_assert_true (lt_render_loss_frame_get_axes (zero, LT_RENDER_LOSS_PANEL_LOSS, NULL, &ya));
  g_assert_cmpfloat (ya.min, ==, 0);
  g_assert_false (lt_render_loss_frame_get_panel (zero, LT_RENDER_LOSS_PANEL_ACCURACY, NULL));
}

static void
test_decimation (void)
{
  enum
  {
    N = 100000
  };
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  LtRenderColor    c;
  LtRenderRect     r;
  cairo_surface_t *s;
  double           x, y;
  guint            n, run = lt_render_loss_data_add_run (data, "run");

  g_test_summary ("100000 points are drawn as at most four per pixel column, and a "
                  "one-point spike still reaches its pixel");
  for (guint i = 0; i < N; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i,
                                i == 61234 ? 20 : 1 + 0.1 * sin (i / 100.0));
  lt_render_loss_view_init (&view);
  view.smoothing = 0;
  frame = lt_render_loss_frame_new (data, &view, &theme, 600, 400);
  g_assert_true (lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_LOSS, &r));
  n = lt_render_loss_frame_get_n_drawn (frame, run, LT_RENDER_SERIES_TRAIN_LOSS, FALSE);
  g_assert_cmpuint (n, <=, 4 * ((guint) r.width + 2));
  g_assert_cmpuint (n, >=, (guint) r.width / 2);

  s = render (frame, NULL);
  lt_render_run_color (run, &c);
  g_assert_true (
    lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 61234, 20, &x, &y));
  g_assert_cmpuint (count_pixels (s, (int) x - 1, (int) y, 3, 1, color_rgb (&c), 20), >, 0);
  /* and half-way up the spike */
  g_assert_true (
    lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 61234, 10, &x, &y));
  g_assert_cmpuint (count_pixels (s, (int) x - 1, (int) y, 3, 1, color_rgb (&c), 20), >, 0);
  cairo_surface_destroy (s);
}

static void
test_dense_columns (void)
{
  enum
  {
    N = 20000
  };
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);
  LtRenderLossView view;
  LtRenderColor    c;
  LtRenderRect     r;
  cairo_surface_t *s;
  double           lo[1024], hi[1024];
  guint            run = lt_render_loss_data_add_run (data, "run"), checked = 0;

  g_test_summary ("a dense noisy curve (many points per pixel column) covers, in every "
                  "column, the rows from its lowest to its highest point");
  for (guint i = 0; i < N; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i,
                                2 - i / (double) N + g_rand_double (rng));
  lt_render_loss_view_init (&view);
  view.smoothing = 0;
  frame = lt_render_loss_frame_new (data, &view, &theme, 500, 300);
  g_assert_true (lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_LOSS, &r));
  g_assert_cmpfloat (r.x + r.width, <, 1024);
  for (int x = 0; x < 1024; x++)
    lo[x] = INFINITY, hi[x] = -INFINITY;
  for (guint i = 0; i < N; i++)
    {
      double step, value, x, y;

      g_assert_true (
        lt_render_loss_data_get_point (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i, &step, &value));
      g_assert_true (
        lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, step, value, &x, &y));
      lo[(int) x] = MIN (lo[(int) x], y);
      hi[(int) x] = MAX (hi[(int) x], y);
    }
  s = render (frame, NULL);
  lt_render_run_color (run, &c);
  for (int x = 0; x < 1024; x++)
    {
      if (!isfinite (lo[x]) || hi[x] - lo[x] < 4)
        continue;
      /* the column's rows from its lowest to its highest point */
      for (int y = (int) lo[x] + 1; y < (int) hi[x]; y++)
        g_assert_true (rgb_near (pixel_at (s, x, y), color_rgb (&c), 16));
      /* and nothing well above this column and its neighbours' points */
      if (x > 0 && x < 1023)
        {
          double top = MIN (lo[x], MIN (lo[x - 1], lo[x + 1]));

          if (isfinite (top) && top > r.y + 4)
            g_assert_false (rgb_near (pixel_at (s, x, (int) top - 3), color_rgb (&c), 60));
        }
      checked++;
    }
  g_assert_cmpuint (checked, >, r.width / 2);
  cairo_surface_destroy (s);
}

static void
test_zoom_follow (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL, later = NULL, panned = NULL;
  LtRenderLossView view;
  LtRenderAxis     xa, xb, ya;
  LtRenderRect     r;
  guint            run = lt_render_loss_data_add_run (data, "run");

  g_test_summary ("zoom and pan are view state: new points never reset them; \"follow latest\" "
                  "slides a zoomed window to the newest step; panning back turns it off");
  for (int i = 0; i <= 1000; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i, 2 - i / 1000.0);
  lt_render_loss_view_init (&view);
  view.smoothing = 0;
  frame = lt_render_loss_frame_new (data, &view, &theme, 600, 400);
  g_assert_true (lt_render_loss_frame_get_axes (frame, LT_RENDER_LOSS_PANEL_LOSS, &xa, &ya));
  g_assert_cmpfloat (xa.min, ==, 0);
  g_assert_cmpfloat_with_epsilon (xa.max, 1050, 1e-9);
  g_assert_true (lt_render_loss_frame_get_panel (frame, LT_RENDER_LOSS_PANEL_LOSS, &r));

  /* Zoom 4x around the middle: a quarter of the steps */
  lt_render_loss_view_zoom (&view, frame, 4, r.x + r.width / 2, r.y + r.height / 2);
  g_assert_true (view.x_zoomed);
  g_assert_true (view.y_zoomed);
  g_assert_cmpfloat_with_epsilon (view.x_max - view.x_min, 1050 / 4.0, 1e-9);
  g_assert_cmpfloat_with_epsilon ((view.x_max + view.x_min) / 2, 525, 1e-9);

  /* Following: more points, the window keeps its width and ends at the
   * newest step (plus 2 %) */
  for (int i = 1001; i <= 2000; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i, 1);
  later = lt_render_loss_frame_new (data, &view, &theme, 600, 400);
  g_assert_true (lt_render_loss_frame_get_axes (later, LT_RENDER_LOSS_PANEL_LOSS, &xb, &ya));
  g_assert_cmpfloat_with_epsilon (xb.max - xb.min, 1050 / 4.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (xb.max, 2000 + 0.02 * 1050 / 4.0, 1e-9);
  g_assert_cmpfloat (ya.min, ==, view.y_min); /* the y zoom stays */
  g_assert_true (lt_render_loss_frame_get_panel (later, LT_RENDER_LOSS_PANEL_LOSS, &r));

  /* Panning back stops following; then new points change nothing */
  lt_render_loss_view_pan (&view, later, 100, 0);
  g_assert_false (view.follow);
  panned = lt_render_loss_frame_new (data, &view, &theme, 600, 400);
  g_assert_true (lt_render_loss_frame_get_axes (panned, LT_RENDER_LOSS_PANEL_LOSS, &xa, NULL));
  g_assert_cmpfloat_with_epsilon (xa.max, xb.max - 100 * (xb.max - xb.min) / r.width, 1e-6);
  for (int i = 2001; i <= 3000; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i, 1);
  g_clear_pointer (&later, lt_render_loss_frame_unref);
  later = lt_render_loss_frame_new (data, &view, &theme, 600, 400);
  g_assert_true (lt_render_loss_frame_get_axes (later, LT_RENDER_LOSS_PANEL_LOSS, &xb, NULL));
  g_assert_true (lt_render_loss_frame_get_panel (later, LT_RENDER_LOSS_PANEL_LOSS, &r));
  g_assert_cmpfloat (xb.min, ==, xa.min);
  g_assert_cmpfloat (xb.max, ==, xa.max);

  /* A rubber band, then back to everything */
  lt_render_loss_view_zoom_to_rect (&view, later, r.x, r.y, r.x + r.width / 2, r.y + 10);
  g_assert_cmpfloat_with_epsilon (view.x_min, xb.min, 1e-6);
  g_assert_cmpfloat_with_epsilon (view.x_max, (xb.min + xb.max) / 2, 1e-6);
  lt_render_loss_view_reset (&view);
  g_assert_false (view.x_zoomed);
  g_assert_false (view.y_zoomed);
}

static void
test_hit_test (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  LtRenderLossHit  hit;
  cairo_surface_t *plain, *hover;
  double           x, y;
  guint            a = lt_render_loss_data_add_run (data, "a");
  guint            b = lt_render_loss_data_add_run (data, "b");

  g_test_summary ("the hover readout finds the nearest point of any run in the panel under "
                  "the pointer, and draws it");
  for (int i = 0; i <= 100; i += 10)
    {
      lt_render_loss_data_append (data, a, LT_RENDER_SERIES_TRAIN_LOSS, i, 3);
      lt_render_loss_data_append (data, b, LT_RENDER_SERIES_TRAIN_LOSS, i, 7);
    }
  lt_render_loss_data_append (data, b, LT_RENDER_SERIES_TEST_ACCURACY, 100, 0.25);
  fixed_view (&view);
  frame = lt_render_loss_frame_new (data, &view, &theme, 500, 400);

  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 41, 6.5, &x, &y));
  g_assert_true (lt_render_loss_frame_hit_test (frame, x, y, &hit));
  g_assert_cmpuint (hit.run, ==, b);
  g_assert_cmpfloat (hit.step, ==, 40);
  g_assert_cmpfloat (hit.value, ==, 7);
  g_assert_cmpuint (hit.index, ==, 4);

  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 69, 3.5, &x, &y));
  g_assert_true (lt_render_loss_frame_hit_test (frame, x, y, &hit));
  g_assert_cmpuint (hit.run, ==, a);
  g_assert_cmpfloat (hit.step, ==, 70);

  /* the accuracy panel has its own points */
  g_assert_true (
    lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_ACCURACY, 10, 0.25, &x, &y));
  g_assert_true (lt_render_loss_frame_hit_test (frame, x, y, &hit));
  g_assert_cmpint (hit.series, ==, LT_RENDER_SERIES_TEST_ACCURACY);
  g_assert_cmpfloat (hit.value, ==, 0.25);

  g_assert_false (lt_render_loss_frame_hit_test (frame, 1, 1, &hit));

  plain = render (frame, NULL);
  hover = render (frame, &hit);
  g_assert_cmpuint (count_differing_pixels (plain, hover), >, 100);
  cairo_surface_destroy (plain);
  cairo_surface_destroy (hover);
}

static void
test_masks (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  guint            a = lt_render_loss_data_add_run (data, "a");
  guint            b = lt_render_loss_data_add_run (data, "b");

  g_test_summary ("hidden runs and series are not drawn");
  lt_render_loss_data_append (data, a, LT_RENDER_SERIES_TRAIN_LOSS, 1, 1);
  lt_render_loss_data_append (data, b, LT_RENDER_SERIES_TRAIN_LOSS, 1, 1);
  lt_render_loss_data_append (data, b, LT_RENDER_SERIES_TEST_LOSS, 1, 1);
  lt_render_loss_view_init (&view);
  view.smoothing = 0;
  view.hidden_runs = 1u << a;
  view.series = 1u << LT_RENDER_SERIES_TEST_LOSS;
  frame = lt_render_loss_frame_new (data, &view, &theme, 300, 200);
  g_assert_cmpuint (lt_render_loss_frame_get_n_drawn (frame, a, LT_RENDER_SERIES_TRAIN_LOSS, FALSE),
                    ==, 0);
  g_assert_cmpuint (lt_render_loss_frame_get_n_drawn (frame, b, LT_RENDER_SERIES_TRAIN_LOSS, FALSE),
                    ==, 0);
  g_assert_cmpuint (lt_render_loss_frame_get_n_drawn (frame, b, LT_RENDER_SERIES_TEST_LOSS, FALSE),
                    ==, 1);
}

static void
test_data (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossData) copy = NULL;
  guint   run = lt_render_loss_data_add_run (data, "run");
  guint64 serial = lt_render_loss_data_get_serial (data);
  double  step, value;

  g_test_summary ("points stay in step order; a copy is independent; the serial counts "
                  "changes");
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 10, 1);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 30, 3);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 20, 2);
  g_assert_cmpuint (lt_render_loss_data_get_serial (data), >, serial);
  g_assert_cmpuint (lt_render_loss_data_get_n_points (data, run, LT_RENDER_SERIES_TRAIN_LOSS), ==,
                    3);
  g_assert_true (
    lt_render_loss_data_get_point (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 1, &step, &value));
  g_assert_cmpfloat (step, ==, 20);
  g_assert_cmpfloat (value, ==, 2);
  g_assert_false (
    lt_render_loss_data_get_point (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 3, NULL, NULL));
  copy = lt_render_loss_data_copy (data);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 40, 4);
  g_assert_cmpuint (lt_render_loss_data_get_n_points (copy, run, LT_RENDER_SERIES_TRAIN_LOSS), ==,
                    3);
  g_assert_cmpstr (lt_render_loss_data_get_run_name (copy, run), ==, "run");
  lt_render_loss_data_clear_run (data, run);
  g_assert_cmpuint (lt_render_loss_data_get_n_points (data, run, LT_RENDER_SERIES_TRAIN_LOSS), ==,
                    0);
}

typedef struct
{
  LtRenderLossData *data;
  LtRenderLossView  view;
} Job;

static gpointer
prepare_thread (gpointer user_data)
{
  Job *job = user_data;

  return lt_render_loss_frame_new (job->data, &job->view, &theme, 400, 300);
}

static void
test_worker (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  guint              run = lt_render_loss_data_add_run (data, "run");
  Job                job;
  GThread           *thread;
  LtRenderLossFrame *frame;

  g_test_summary ("a frame is prepared on another thread from a copy while the data grows");
  for (int i = 0; i < 5000; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i, 1.0 / (i + 1));
  job.data = lt_render_loss_data_copy (data);
  lt_render_loss_view_init (&job.view);
  thread = g_thread_new ("prepare", prepare_thread, &job);
  for (int i = 5000; i < 10000; i++)
    lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, i, 1.0 / (i + 1));
  frame = g_thread_join (thread);
  g_assert_cmpuint (lt_render_loss_data_get_n_points (lt_render_loss_frame_get_data (frame), run,
                                                      LT_RENDER_SERIES_TRAIN_LOSS),
                    ==, 5000);
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (frame, run, LT_RENDER_SERIES_TRAIN_LOSS, TRUE), >, 0);
  lt_render_loss_frame_unref (frame);
  lt_render_loss_data_unref (job.data);
}

static void
test_empty (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossFrame) frame = NULL;
  LtRenderLossView view;
  cairo_surface_t *s;

  g_test_summary ("an empty plot draws its axes and says there is no data yet");
  lt_render_loss_view_init (&view);
  lt_render_loss_data_add_run (data, "run");
  frame = lt_render_loss_frame_new (data, &view, &theme, 300, 200);
  g_assert_false (lt_render_loss_frame_hit_test (frame, 150, 100, NULL));
  s = render (frame, NULL);
  g_assert_cmpuint (count_pixels (s, 0, 0, 300, 200, color_rgb (&theme.muted), 40), >, 20);
  cairo_surface_destroy (s);
}

static void
test_files (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *csv = g_build_filename (dir, "loss.csv", NULL);
  g_autofree char *png = g_build_filename (dir, "loss.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "loss.svg", NULL);
  g_autofree char *bad = g_build_filename (dir, "no", "such", "loss.csv", NULL);
  g_autofree char *bad_png = g_build_filename (dir, "no", "loss.png", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  LtRenderLossView view;
  cairo_surface_t *back;
  guint            a = lt_render_loss_data_add_run (data, "plain");
  guint            b = lt_render_loss_data_add_run (data, "lr 0.01, \"adam\"");

  g_test_summary ("CSV holds every run in one file and reads back; PNG and SVG are written; "
                  "bad paths are LT_ERROR_IO errors naming the path");
  lt_render_loss_data_append (data, a, LT_RENDER_SERIES_TRAIN_LOSS, 2000, 2.25);
  lt_render_loss_data_append (data, a, LT_RENDER_SERIES_TEST_ACCURACY, 12500, 0.5);
  lt_render_loss_data_append (data, b, LT_RENDER_SERIES_TEST_LOSS, 12500, 1.125);
  g_assert_true (lt_render_loss_data_write_csv (data, csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_cmpstr (text, ==,
                   "run,name,series,step,value\n"
                   "0,plain,train_loss,2000,2.25\n"
                   "0,plain,test_accuracy,12500,0.5\n"
                   "1,\"lr 0.01, \"\"adam\"\"\",test_loss,12500,1.125\n");

  lt_render_loss_view_init (&view);
  g_assert_true (lt_render_loss_write (data, &view, &theme, png, 640, 400, &error));
  g_assert_no_error (error);
  back = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (back), ==, 640);
  g_assert_cmpint (cairo_image_surface_get_height (back), ==, 400);
  cairo_surface_destroy (back);
  g_assert_true (lt_render_loss_write (data, &view, &theme, svg, 640, 400, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_nonnull (strstr (text, "<path"));

  /* A prepared frame in a format of its own, whatever the name */
  {
    g_autoptr(LtRenderLossFrame) frame = lt_render_loss_frame_new (data, &view, &theme, 300, 200);
    g_autofree char *plain = g_build_filename (dir, "plot", NULL);
    g_autofree char *bytes = NULL;
    gsize            len = 0;

    g_assert_true (lt_render_loss_frame_write (frame, plain, LT_RENDER_FORMAT_PNG, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (plain, &bytes, &len, NULL));
    g_assert_cmpmem (bytes, 8, "\x89PNG\r\n\x1a\n", 8);
    g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (bytes + 16)), ==, 300);
    g_clear_pointer (&bytes, g_free);
    g_assert_true (lt_render_loss_frame_write (frame, plain, LT_RENDER_FORMAT_SVG, &error));
    g_assert_true (g_file_get_contents (plain, &bytes, &len, NULL));
    g_assert_nonnull (strstr (bytes, "<svg"));
  }

  g_assert_false (lt_render_loss_data_write_csv (data, bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);
  g_assert_false (lt_render_loss_write (data, &view, &theme, bad_png, 640, 400, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (lt_render_loss_write (data, &view, &theme, csv, 640, 400, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  remove_dir (dir);
}

static void
test_run_colors (void)
{
  g_autoptr(LtRenderLossData) data = lt_render_loss_data_new ();
  g_autoptr(LtRenderLossData) copy = NULL;
  g_autoptr(LtRenderLossFrame) frame = NULL;
  g_autofree char *text = NULL;
  LtRenderLossView view;
  LtRenderColor    c, magenta, got;
  cairo_surface_t *s;
  double           x, y;
  guint            run;

  g_test_summary ("colours written #rrggbb are read and written back; a run drawn in the colour "
                  "its data gives it, kept by a copy");
  g_assert_true (lt_render_color_parse ("#0072B2", &c));
  g_assert_cmpfloat (c.red, ==, 0);
  g_assert_cmpfloat (c.green, ==, 0x72 / 255.0);
  g_assert_cmpfloat (c.blue, ==, 0xb2 / 255.0);
  g_assert_cmpfloat (c.alpha, ==, 1);
  text = lt_render_color_to_string (&c);
  g_assert_cmpstr (text, ==, "#0072b2");
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *back = NULL;

      lt_render_run_color (i, &c);
      back = lt_render_color_to_string (&c);
      g_assert_true (lt_render_color_parse (back, &got));
      g_assert_cmpmem (&got, sizeof got, &c, sizeof c);
    }
  {
    static const char *const bad[] = {
      "",        "#",        "0072b2",   "#0072b", "#0072b2f",
      "#0072g2", " #0072b2", "#0072b2 ", "blue",   "rgb(0,114,178)"
    };

    got = c;
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (lt_render_color_parse (bad[i], &got));
        g_assert_cmpmem (&got, sizeof got, &c, sizeof c);
      }
    g_assert_false (lt_render_color_parse (NULL, &got));
  }

  run = lt_render_loss_data_add_run (data, "run");
  lt_render_loss_data_get_run_color (data, run, &got);
  lt_render_run_color (run, &c);
  g_assert_cmpmem (&got, sizeof got, &c, sizeof c);
  g_assert_true (lt_render_color_parse ("#ff00ff", &magenta));
  lt_render_loss_data_set_run_color (data, run, &magenta);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 10, 2);
  lt_render_loss_data_append (data, run, LT_RENDER_SERIES_TRAIN_LOSS, 90, 2);
  copy = lt_render_loss_data_copy (data);
  lt_render_loss_data_get_run_color (copy, run, &got);
  g_assert_cmpmem (&got, sizeof got, &magenta, sizeof magenta);

  fixed_view (&view);
  frame = lt_render_loss_frame_new (copy, &view, &theme, 500, 400);
  s = render (frame, NULL);
  g_assert_true (lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, 50, 2, &x, &y));
  g_assert_cmphex (pixel_at (s, (int) x, (int) y), ==, color_rgb (&magenta));
  g_assert_cmpuint (count_pixels (s, 0, 0, 500, 400, color_rgb (&c), 0), ==, 0);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lt_render_theme_init (&theme, FALSE);
  g_test_add_func ("/render/loss/known-pixels", test_known_pixels);
  g_test_add_func ("/render/loss/smoothing", test_smoothing);
  g_test_add_func ("/render/loss/log-scale", test_log_scale);
  g_test_add_func ("/render/loss/from-zero", test_from_zero);
  g_test_add_func ("/render/loss/decimation", test_decimation);
  g_test_add_func ("/render/loss/dense-columns", test_dense_columns);
  g_test_add_func ("/render/loss/zoom-follow", test_zoom_follow);
  g_test_add_func ("/render/loss/hit-test", test_hit_test);
  g_test_add_func ("/render/loss/masks", test_masks);
  g_test_add_func ("/render/loss/data", test_data);
  g_test_add_func ("/render/loss/run-colors", test_run_colors);
  g_test_add_func ("/render/loss/worker", test_worker);
  g_test_add_func ("/render/loss/empty", test_empty);
  g_test_add_func ("/render/loss/files", test_files);
  return g_test_run ();
}
