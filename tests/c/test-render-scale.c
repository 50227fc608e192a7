/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arithmetic of the plots against hand-worked values: axes (linear and
 * log), ticks, EMA smoothing with bias correction, min/max decimation.
 */
#include <math.h>

#include "lt-render.h"

static void
test_axis_linear (void)
{
  LtRenderAxis a = { LT_RENDER_SCALE_LINEAR, 0, 10, 50, 150 };
  LtRenderAxis y = { LT_RENDER_SCALE_LINEAR, -1, 1, 200, 0 }; /* y grows upwards */

  g_test_summary ("a linear axis maps values to pixels and back");
  g_assert_true (lt_render_axis_is_valid (&a));
  g_assert_cmpfloat_with_epsilon (lt_render_axis_to_pixel (&a, 2.5), 75, 1e-12);
  g_assert_cmpfloat_with_epsilon (lt_render_axis_to_pixel (&a, -5), 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (lt_render_axis_from_pixel (&a, 140), 9, 1e-12);
  g_assert_cmpfloat_with_epsilon (lt_render_axis_to_pixel (&y, 0.5), 50, 1e-12);
  g_assert_true (isnan (lt_render_axis_to_pixel (&a, NAN)));
  g_assert_true (isnan (lt_render_axis_to_pixel (&a, INFINITY)));
}

static void
test_axis_log (void)
{
  LtRenderAxis a = { LT_RENDER_SCALE_LOG, 1, 1000, 0, 300 };
  LtRenderAxis bad = { LT_RENDER_SCALE_LOG, 0, 1000, 0, 300 };

  g_test_summary ("a log axis is logarithmic all the way down: values <= 0 are left out, "
                  "not clamped");
  g_assert_cmpfloat_with_epsilon (lt_render_axis_to_pixel (&a, 10), 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (lt_render_axis_to_pixel (&a, 0.1), -100, 1e-9);
  g_assert_cmpfloat_with_epsilon (lt_render_axis_to_pixel (&a, 0.001), -300, 1e-9);
  g_assert_true (isnan (lt_render_axis_to_pixel (&a, 0)));
  g_assert_true (isnan (lt_render_axis_to_pixel (&a, -1)));
  g_assert_cmpfloat_with_epsilon (lt_render_axis_from_pixel (&a, 200), 100, 1e-9);
  g_assert_false (lt_render_axis_is_valid (&bad));
}

static void
test_axis_fit (void)
{
  LtRenderAxis a = { LT_RENDER_SCALE_LINEAR, 0, 0, 0, 100 };

  g_test_summary ("fitted ranges: 5 % margins, \"from 0\", a single value, log decades");
  lt_render_axis_fit (&a, 1, 3, FALSE);
  g_assert_cmpfloat_with_epsilon (a.min, 0.9, 1e-12);
  g_assert_cmpfloat_with_epsilon (a.max, 3.1, 1e-12);
  lt_render_axis_fit (&a, 1, 3, TRUE);
  g_assert_cmpfloat (a.min, ==, 0);
  g_assert_cmpfloat_with_epsilon (a.max, 3.15, 1e-12);
  lt_render_axis_fit (&a, -4, -2, TRUE);
  g_assert_cmpfloat_with_epsilon (a.min, -4.2, 1e-12);
  g_assert_cmpfloat (a.max, ==, 0);
  lt_render_axis_fit (&a, 2, 2, FALSE);
  g_assert_cmpfloat (a.min, ==, 1.5);
  g_assert_cmpfloat (a.max, ==, 2.5);
  a.scale = LT_RENDER_SCALE_LOG;
  lt_render_axis_fit (&a, 1, 100, FALSE);
  g_assert_cmpfloat_with_epsilon (a.min, pow (10, -0.1), 1e-12);
  g_assert_cmpfloat_with_epsilon (a.max, pow (10, 2.1), 1e-9);
  lt_render_axis_fit (&a, 0.5, 0.5, TRUE); /* from 0 means nothing on a log axis */
  g_assert_cmpfloat_with_epsilon (a.min, 0.5 / sqrt (10), 1e-12);
  g_assert_cmpfloat_with_epsilon (a.max, 0.5 * sqrt (10), 1e-12);
}

static void
test_ticks_linear (void)
{
  LtRenderTick t[LT_RENDER_MAX_TICKS];
  LtRenderAxis a = { LT_RENDER_SCALE_LINEAR, 0, 1, 0, 100 };
  LtRenderAxis steps = { LT_RENDER_SCALE_LINEAR, -300, 12500, 0, 100 };
  guint        n;

  g_test_summary ("linear ticks are nice numbers (1, 2, 5 times a power of ten)");
  n = lt_render_axis_ticks (&a, 5, t, G_N_ELEMENTS (t));
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpstr (t[0].label, ==, "0");
  g_assert_cmpstr (t[1].label, ==, "0.2");
  g_assert_cmpstr (t[5].label, ==, "1.0");
  g_assert_cmpfloat_with_epsilon (t[3].value, 0.6, 1e-12);
  g_assert_true (t[2].major);

  n = lt_render_axis_ticks (&steps, 5, t, G_N_ELEMENTS (t));
  g_assert_cmpuint (n, ==, 7); /* 0, 2000, ..., 12000 */
  g_assert_cmpfloat (t[0].value, ==, 0);
  g_assert_cmpstr (t[6].label, ==, "12000");

  n = lt_render_axis_ticks (&steps, 5, t, 3);
  g_assert_cmpuint (n, ==, 3);
}

static void
test_ticks_log (void)
{
  LtRenderTick t[LT_RENDER_MAX_TICKS];
  LtRenderAxis a = { LT_RENDER_SCALE_LOG, 0.01, 100, 0, 100 };
  LtRenderAxis wide = { LT_RENDER_SCALE_LOG, 1e-6, 1, 0, 100 };
  LtRenderAxis narrow = { LT_RENDER_SCALE_LOG, 2, 8, 0, 100 };
  LtRenderAxis two = { LT_RENDER_SCALE_LOG, 0.3, 20, 0, 100 };
  guint        n, majors = 0;

  g_test_summary ("log ticks: decades labelled, 2..9 between them unlabelled; less than a "
                  "decade gets linear values");
  n = lt_render_axis_ticks (&a, 6, t, G_N_ELEMENTS (t));
  g_assert_cmpuint (n, ==, 5 + 4 * 8);
  for (guint i = 0; i < n; i++)
    if (t[i].major)
      {
        static const char *const labels[] = { "0.01", "0.1", "1", "10", "100" };

        g_assert_cmpstr (t[i].label, ==, labels[majors]);
        majors++;
      }
    else
      g_assert_cmpstr (t[i].label, ==, "");
  g_assert_cmpuint (majors, ==, 5);

  /* 7 decades, 5 wanted: every second one, no minor ticks */
  n = lt_render_axis_ticks (&wide, 5, t, G_N_ELEMENTS (t));
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (t[0].label, ==, "1e-6");
  g_assert_cmpstr (t[2].label, ==, "0.01");
  g_assert_cmpstr (t[3].label, ==, "1");

  n = lt_render_axis_ticks (&narrow, 5, t, G_N_ELEMENTS (t));
  g_assert_cmpuint (n, ==, 7); /* 2, 3, ..., 8 */
  g_assert_cmpstr (t[6].label, ==, "8");

  /* 0.3 to 20: two decades (1, 10); 0.5, 2, 5 and 20 labelled as well */
  n = lt_render_axis_ticks (&two, 5, t, G_N_ELEMENTS (t));
  majors = 0;
  for (guint i = 0; i < n; i++)
    majors += t[i].major;
  g_assert_cmpuint (majors, ==, 6);
}

static void
test_ema (void)
{
  const double v[] = { 1, 2, 3 };
  const double gap[] = { 1, NAN, 3 };
  double       out[3];

  g_test_summary ("EMA with bias correction as TensorBoard: the first point is itself, the "
                  "rest weighted averages; non-finite values are skipped");
  lt_render_ema (v, 3, 0.5, out);
  g_assert_cmpfloat_with_epsilon (out[0], 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (out[1], 5.0 / 3, 1e-12);     /* (2 + 0.5) / 1.5 */
  g_assert_cmpfloat_with_epsilon (out[2], 4.25 / 1.75, 1e-12); /* (3 + 1 + 0.25) / 1.75 */

  lt_render_ema (gap, 3, 0.5, out);
  g_assert_cmpfloat_with_epsilon (out[0], 1, 1e-12);
  g_assert_true (isnan (out[1]));
  g_assert_cmpfloat_with_epsilon (out[2], 3.5 / 1.5, 1e-12); /* (3 + 0.5) / 1.5 */

  lt_render_ema (v, 3, 0, out);
  g_assert_cmpfloat (out[2], ==, 3);

  /* A constant stays constant: no pull toward zero */
  {
    double c[50], s[50];

    for (int i = 0; i < 50; i++)
      c[i] = 2.5;
    lt_render_ema (c, 50, 0.99, s);
    for (int i = 0; i < 50; i++)
      g_assert_cmpfloat_with_epsilon (s[i], 2.5, 1e-9);
  }
}

static void
test_decimate (void)
{
  const double x[] = { 0.1, 0.5, 0.9, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 2.0 };
  const double y[] = { 5, 1, 3, 4, 9, 2, 0, 3, 5, 7 };
  gsize        kept[G_N_ELEMENTS (x)];
  const gsize  want[] = { 0, 1, 2, 3, 4, 6, 8, 9 };
  gsize        n;

  g_test_summary ("decimation keeps each pixel column's first, lowest, highest and last "
                  "point");
  n = lt_render_decimate (x, y, G_N_ELEMENTS (x), kept);
  /* column 0: all three; column 1 (3..8): first 3, highest 4, lowest 6,
   * last 8; column 2: 9 */
  g_assert_cmpmem (kept, n * sizeof (gsize), want, sizeof want);
}

static void
test_decimate_spike (void)
{
  enum
  {
    N = 100000
  };
  double  *x = g_new (double, N), *y = g_new (double, N);
  gsize   *kept = g_new (gsize, N);
  gsize    n;
  gboolean spike = FALSE, dip = FALSE;

  g_test_summary ("a one-point spike among 100000 points survives decimation to 200 columns");
  for (gsize i = 0; i < N; i++)
    {
      x[i] = (double) i * 200 / N;
      y[i] = 100 + sin ((double) i / 50);
    }
  y[53537] = 1000;
  y[77001] = -1000;
  n = lt_render_decimate (x, y, N, kept);
  g_assert_cmpuint (n, <=, 4 * 200);
  for (gsize i = 0; i < n; i++)
    {
      spike |= kept[i] == 53537;
      dip |= kept[i] == 77001;
      if (i > 0)
        g_assert_cmpuint (kept[i], >, kept[i - 1]);
    }
  g_assert_true (spike);
  g_assert_true (dip);
  g_free (x);
  g_free (y);
  g_free (kept);
}

static void
test_decimate_gaps (void)
{
  const double x[] = { 0, 1, 2, 3, 4, 5, 6 };
  const double y[] = { NAN, 1, NAN, NAN, 2, 3, NAN };
  gsize        kept[7];
  const gsize  want[] = { 1, 2, 4, 5 };
  gsize        n;

  g_test_summary ("points left out (log scale) break the line once; leading and trailing "
                  "ones vanish");
  n = lt_render_decimate (x, y, 7, kept);
  g_assert_cmpmem (kept, n * sizeof (gsize), want, sizeof want);
}

static void
test_format (void)
{
  g_autofree char *shape = lt_render_format_shape ((const gint64[]){ 4, 3, 32, 32 }, 4);
  g_autofree char *scalar = lt_render_format_shape (NULL, 0);
  g_autofree char *small = lt_render_format_count (456);
  g_autofree char *k = lt_render_format_count (61706);
  g_autofree char *m = lt_render_format_count (1234567);

  g_test_summary ("shapes and element counts as labels");
  g_assert_cmpstr (shape, ==, "(4, 3, 32, 32)");
  g_assert_cmpstr (scalar, ==, "()");
  g_assert_cmpstr (small, ==, "456");
  g_assert_cmpstr (k, ==, "61.7 k");
  g_assert_cmpstr (m, ==, "1.2 M");
}

static void
test_palette (void)
{
  LtRenderColor a, b, c;

  g_test_summary ("runs take Okabe-Ito colours by index, the same index the same colour");
  lt_render_run_color (0, &a);
  lt_render_run_color (8, &b);
  lt_render_run_color (1, &c);
  g_assert_cmpfloat (a.red, ==, 0);
  g_assert_cmpfloat (a.green, ==, 0x72 / 255.0);
  g_assert_cmpfloat (a.blue, ==, 0xb2 / 255.0);
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
  g_assert_cmpfloat (c.red, ==, 0xe6 / 255.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render/scale/axis/linear", test_axis_linear);
  g_test_add_func ("/render/scale/axis/log", test_axis_log);
  g_test_add_func ("/render/scale/axis/fit", test_axis_fit);
  g_test_add_func ("/render/scale/ticks/linear", test_ticks_linear);
  g_test_add_func ("/render/scale/ticks/log", test_ticks_log);
  g_test_add_func ("/render/scale/ema", test_ema);
  g_test_add_func ("/render/scale/decimate", test_decimate);
  g_test_add_func ("/render/scale/decimate/spike", test_decimate_spike);
  g_test_add_func ("/render/scale/decimate/gaps", test_decimate_gaps);
  g_test_add_func ("/render/format", test_format);
  g_test_add_func ("/render/palette", test_palette);
  return g_test_run ();
}
