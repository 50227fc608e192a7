/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lt-gtk-loss-view-private.h"
#include "lt-gtk-private.h"
#include "ui-helpers.h"

static gboolean
settled (gpointer view)
{
  return _lt_gtk_loss_view_is_settled (view);
}

/* Waits until the view has drawn the frame of its current state. */
static void
wait_settled (LtGtkLossView *view)
{
  gtk_widget_queue_draw (_lt_gtk_loss_view_get_canvas (view));
  ui_wait_for (settled, view, 10000);
  ui_spin (30);
  ui_wait_for (settled, view, 10000);
}

/* A registry with one run of @n training losses 2.3 * 0.99^i at steps
 * 10 (i + 1), a test loss and an accuracy per 100 steps. */
static LtGtkRunRegistry *
registry_with_points (guint n)
{
  LtGtkRunRegistry *registry = lt_gtk_run_registry_new ();
  LtGtkRun         *run = lt_gtk_run_registry_add_run (registry, "fixed");

  for (guint i = 0; i < n; i++)
    {
      double step = 10.0 * (i + 1);

      lt_gtk_run_append (run, LT_GTK_SERIES_TRAIN_LOSS, step, 2.3 * pow (0.99, i) + 0.05 * sin (i));
      if ((i + 1) % 10 == 0)
        {
          lt_gtk_run_append (run, LT_GTK_SERIES_TEST_LOSS, step, 2.4 * pow (0.99, i));
          lt_gtk_run_append (run, LT_GTK_SERIES_TEST_ACCURACY, step, 0.1 + 0.8 * i / n);
        }
    }
  return registry;
}

static void
test_new (void)
{
  GtkWidget *view = lt_gtk_loss_view_new ();
  GtkWidget *window;

  g_object_ref_sink (view);
  g_assert_true (lt_gtk_loss_view_get_registry (LT_GTK_LOSS_VIEW (view)) ==
                 lt_gtk_run_registry_get_default ());
  g_assert_cmpfloat (lt_gtk_loss_view_get_smoothing (LT_GTK_LOSS_VIEW (view)), ==, 0.6);
  g_assert_true (lt_gtk_loss_view_get_follow_latest (LT_GTK_LOSS_VIEW (view)));
  g_assert_false (lt_gtk_loss_view_get_log_y (LT_GTK_LOSS_VIEW (view)));
  g_assert_true (lt_gtk_loss_view_get_show_controls (LT_GTK_LOSS_VIEW (view)));
  g_assert_null (lt_gtk_loss_view_get_trainer (LT_GTK_LOSS_VIEW (view)));

  /* out-of-range smoothing is clamped */
  lt_gtk_loss_view_set_smoothing (LT_GTK_LOSS_VIEW (view), 5);
  g_assert_cmpfloat (lt_gtk_loss_view_get_smoothing (LT_GTK_LOSS_VIEW (view)), ==, 0.999);

  window = ui_window_new (view, 700, 450);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

static void
draw_frame (cairo_t *cr, int width, int height, gpointer frame)
{
  lt_render_loss_frame_draw (frame, cr, NULL);
}

/* The widget's pixels under GSK's Cairo renderer are the renderer's. */
static void
test_pixels (void)
{
  g_autoptr (LtGtkRunRegistry) registry = registry_with_points (200);
  GtkWidget *view = g_object_new (LT_GTK_TYPE_LOSS_VIEW, "registry", registry, "show-controls",
                                  FALSE, "smoothing", 0.8, NULL);
  GtkWidget *window;
  cairo_surface_t *widget_pixels, *renderer_pixels;
  g_autoptr (LtRenderLossData) data = NULL;
  g_autoptr (LtRenderLossFrame) frame = NULL;
  LtRenderTheme    theme;
  g_autofree char *shot = NULL;
  int              width, height;
  guint            n_different, n_ink = 0;

  g_object_ref_sink (view);
  window = ui_window_new (view, 640, 400);
  wait_settled (LT_GTK_LOSS_VIEW (view));

  widget_pixels = ui_widget_to_surface (view);
  width = gtk_widget_get_width (view);
  height = gtk_widget_get_height (view);

  /* The same data, view state and theme through the renderer alone */
  lt_render_theme_init (&theme, FALSE);
  data = _lt_gtk_run_registry_dup_loss_data (registry);
  frame = lt_render_loss_frame_new (data, _lt_gtk_loss_view_get_view (LT_GTK_LOSS_VIEW (view)),
                                    &theme, width, height);
  renderer_pixels = lt_render_to_image (width, height, draw_frame, frame);

  /* the view, without its controls, is one Cairo node and nothing else */
  {
    guint n_cairo, n_other;

    ui_count_render_nodes (view, &n_cairo, &n_other);
    g_assert_cmpuint (n_cairo, ==, 1);
    g_assert_cmpuint (n_other, ==, 0);
  }

  n_different = ui_count_different_pixels (widget_pixels, renderer_pixels);
  g_test_message ("%d x %d: %u pixels differ", width, height, n_different);
  g_assert_cmpuint (n_different, ==, 0);

  /* and the drawing is not empty: many pixels differ from the background */
  {
    const guint32 *px = (const guint32 *) cairo_image_surface_get_data (widget_pixels);
    guint32        background = px[0];
    for (int i = 0; i < width * height; i++)
      n_ink += px[i] != background;
  }
  g_assert_cmpuint (n_ink, >, 2000);

  /* the pointer over the 100th point: its readout is drawn, as the
   * renderer draws it */
  {
    LtRenderLossHit        want;
    double                 px, py, step, value;
    GtkWidget             *canvas = _lt_gtk_loss_view_get_canvas (LT_GTK_LOSS_VIEW (view));
    const LtRenderLossHit *hover;
    cairo_surface_t       *with_hover;

    g_assert_true (lt_gtk_run_get_point (lt_gtk_run_registry_get_run (registry, 0),
                                         LT_GTK_SERIES_TRAIN_LOSS, 99, &step, &value));
    g_assert_true (
      lt_render_loss_frame_to_pixel (frame, LT_RENDER_LOSS_PANEL_LOSS, step, value, &px, &py));
    g_assert_true (lt_render_loss_frame_hit_test (frame, px, py, &want));
    g_assert_null (_lt_gtk_loss_view_get_hover (LT_GTK_LOSS_VIEW (view)));
    ui_send_motion (canvas, px, py);
    hover = _lt_gtk_loss_view_get_hover (LT_GTK_LOSS_VIEW (view));
    g_assert_nonnull (hover);
    g_assert_cmpuint (hover->index, ==, want.index);
    g_assert_cmpfloat (hover->step, ==, want.step);
    wait_settled (LT_GTK_LOSS_VIEW (view));
    ui_spin (50);
    with_hover = ui_widget_to_surface (view);
    g_assert_cmpuint (ui_count_different_pixels (with_hover, widget_pixels), >, 0);
    cairo_surface_destroy (renderer_pixels);
    renderer_pixels = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
    {
      cairo_t *cr = cairo_create (renderer_pixels);
      lt_render_loss_frame_draw (frame, cr, hover);
      cairo_destroy (cr);
    }
    g_assert_cmpuint (ui_count_different_pixels (with_hover, renderer_pixels), ==, 0);
    cairo_surface_destroy (with_hover);
  }

  shot = ui_save_screenshot (widget_pixels, "loss-view");

  /* a dark style: the plot is drawn with the renderer's dark theme */
  {
    GtkSettings       *settings = gtk_settings_get_default ();
    cairo_surface_t   *dark_pixels, *dark_renderer;
    LtRenderTheme      dark;
    LtRenderLossFrame *dark_frame;

    /* the pointer off the plot: no readout */
    ui_send_motion (_lt_gtk_loss_view_get_canvas (LT_GTK_LOSS_VIEW (view)), 0, 0);
    g_assert_null (_lt_gtk_loss_view_get_hover (LT_GTK_LOSS_VIEW (view)));
    g_object_set (settings, "gtk-application-prefer-dark-theme", TRUE, NULL);
    ui_spin (100);
    wait_settled (LT_GTK_LOSS_VIEW (view));
    lt_render_theme_init (&dark, TRUE);
    dark_frame = lt_render_loss_frame_new (
      data, _lt_gtk_loss_view_get_view (LT_GTK_LOSS_VIEW (view)), &dark, width, height);
    dark_pixels = ui_widget_to_surface (view);
    dark_renderer = lt_render_to_image (width, height, draw_frame, dark_frame);
    g_assert_cmpuint (ui_count_different_pixels (dark_pixels, dark_renderer), ==, 0);
    g_assert_cmpuint (ui_count_different_pixels (dark_pixels, widget_pixels), >,
                      width * height / 2);
    cairo_surface_destroy (dark_pixels);
    cairo_surface_destroy (dark_renderer);
    lt_render_loss_frame_unref (dark_frame);
    g_object_set (settings, "gtk-application-prefer-dark-theme", FALSE, NULL);
    ui_spin (100);
    wait_settled (LT_GTK_LOSS_VIEW (view));
  }
  g_test_message ("screenshot: %s", shot);
  cairo_surface_destroy (widget_pixels);
  cairo_surface_destroy (renderer_pixels);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* The point count grows while a trainer runs. */

typedef struct
{
  LtGtkLossView *view;
  GArray        *counts; /* guint, the view's point count at each "log" */
} TrainWatch;

static void
on_log (LtTrainer *trainer, guint epoch, gint64 iteration, double loss, TrainWatch *watch)
{
  guint n = lt_gtk_loss_view_get_n_points (watch->view);
  g_array_append_val (watch->counts, n);
}

static void
test_trainer (void)
{
  g_autofree char *root = ui_make_cifar_fixture (8, 16);
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 2);
  g_autoptr (LtGtkRunRegistry) registry = lt_gtk_run_registry_new ();
  GtkWidget *view = g_object_new (LT_GTK_TYPE_LOSS_VIEW, "registry", registry, NULL);
  TrainWatch watch = { LT_GTK_LOSS_VIEW (view), g_array_new (FALSE, FALSE, sizeof (guint)) };
  GtkWidget *window;
  LtGtkRun  *run;
  double     step, value;

  g_object_ref_sink (view);
  lt_trainer_set_log_interval (trainer, 1);
  lt_gtk_loss_view_bind_trainer (LT_GTK_LOSS_VIEW (view), trainer);
  g_assert_true (lt_gtk_loss_view_get_trainer (LT_GTK_LOSS_VIEW (view)) == trainer);
  run = lt_gtk_run_registry_lookup_trainer (registry, trainer);
  g_assert_nonnull (run);
  g_assert_cmpuint (lt_gtk_run_get_steps_per_epoch (run), ==, 10); /* 40 images, batches of 4 */

  /* connected after the registry's handler: sees the point of this log */
  g_signal_connect (trainer, "log", G_CALLBACK (on_log), &watch);
  window = ui_window_new (view, 640, 400);

  ui_train_to_end (trainer);

  /* one training loss per step, growing with every log */
  g_assert_cmpuint (watch.counts->len, ==, 20);
  for (guint i = 1; i < watch.counts->len; i++)
    g_assert_cmpuint (g_array_index (watch.counts, guint, i), >,
                      g_array_index (watch.counts, guint, i - 1));
  g_assert_cmpuint (lt_gtk_run_get_n_points (run, LT_GTK_SERIES_TRAIN_LOSS), ==, 20);
  g_assert_true (lt_gtk_run_get_point (run, LT_GTK_SERIES_TRAIN_LOSS, 19, &step, &value));
  g_assert_cmpfloat (step, ==, 20);
  g_assert_true (isfinite (value) && value > 0);
  /* a test loss and an accuracy per epoch, at the epoch's last step */
  g_assert_cmpuint (lt_gtk_run_get_n_points (run, LT_GTK_SERIES_TEST_LOSS), ==, 2);
  g_assert_true (lt_gtk_run_get_point (run, LT_GTK_SERIES_TEST_LOSS, 0, &step, &value));
  g_assert_cmpfloat (step, ==, 10);
  g_assert_true (isfinite (value) && value > 0);
  g_assert_cmpuint (lt_gtk_run_get_n_points (run, LT_GTK_SERIES_TEST_ACCURACY), ==, 2);
  g_assert_true (lt_gtk_run_get_point (run, LT_GTK_SERIES_TEST_ACCURACY, 1, &step, &value));
  g_assert_cmpfloat (step, ==, 20);
  g_assert_cmpfloat (value, >=, 0);
  g_assert_cmpfloat (value, <=, 1);
  g_assert_cmpuint (lt_gtk_loss_view_get_n_points (LT_GTK_LOSS_VIEW (view)), ==,
                    lt_gtk_run_registry_get_n_points (registry));

  wait_settled (LT_GTK_LOSS_VIEW (view));
  g_array_unref (watch.counts);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
  ui_remove_tree (root);
}

/* New points never reset a zoom; following slides it. */

static void
visible_steps (LtGtkLossView *view, double *lo, double *hi)
{
  LtRenderAxis x, y;

  g_assert_true (lt_render_loss_frame_get_axes (_lt_gtk_loss_view_get_frame (view),
                                                LT_RENDER_LOSS_PANEL_LOSS, &x, &y));
  *lo = x.min;
  *hi = x.max;
}

static void
test_zoom_kept (void)
{
  g_autoptr (LtGtkRunRegistry) registry = registry_with_points (100);
  GtkWidget *view =
    g_object_new (LT_GTK_TYPE_LOSS_VIEW, "registry", registry, "show-controls", FALSE, NULL);
  LtGtkRun  *run = lt_gtk_run_registry_get_run (registry, 0);
  GtkWidget *window;
  double     lo0, hi0, lo, hi, all_lo, all_hi;

  g_object_ref_sink (view);
  window = ui_window_new (view, 640, 400);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  visible_steps (LT_GTK_LOSS_VIEW (view), &all_lo, &all_hi);
  g_assert_false (lt_gtk_loss_view_get_zoomed (LT_GTK_LOSS_VIEW (view)));

  lt_gtk_loss_view_set_follow_latest (LT_GTK_LOSS_VIEW (view), FALSE);
  lt_gtk_loss_view_zoom (LT_GTK_LOSS_VIEW (view), 4);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  g_assert_true (lt_gtk_loss_view_get_zoomed (LT_GTK_LOSS_VIEW (view)));
  visible_steps (LT_GTK_LOSS_VIEW (view), &lo0, &hi0);
  g_assert_cmpfloat (hi0 - lo0, <, (all_hi - all_lo) / 3);

  /* 50 more points: the zoomed range stays */
  for (guint i = 100; i < 150; i++)
    lt_gtk_run_append (run, LT_GTK_SERIES_TRAIN_LOSS, 10.0 * (i + 1), 0.5);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  visible_steps (LT_GTK_LOSS_VIEW (view), &lo, &hi);
  g_assert_cmpfloat (lo, ==, lo0);
  g_assert_cmpfloat (hi, ==, hi0);
  g_assert_true (lt_gtk_loss_view_get_zoomed (LT_GTK_LOSS_VIEW (view)));

  /* following: the range keeps its width and ends at the newest step */
  lt_gtk_loss_view_set_follow_latest (LT_GTK_LOSS_VIEW (view), TRUE);
  for (guint i = 150; i < 160; i++)
    lt_gtk_run_append (run, LT_GTK_SERIES_TRAIN_LOSS, 10.0 * (i + 1), 0.5);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  visible_steps (LT_GTK_LOSS_VIEW (view), &lo, &hi);
  g_assert_cmpfloat (fabs ((hi - lo) - (hi0 - lo0)), <, 1e-6 * (hi0 - lo0));
  g_assert_cmpfloat (hi, >=, 1600);
  g_assert_cmpfloat (lo, >, lo0);

  /* reset: everything again */
  lt_gtk_loss_view_reset_zoom (LT_GTK_LOSS_VIEW (view));
  wait_settled (LT_GTK_LOSS_VIEW (view));
  g_assert_false (lt_gtk_loss_view_get_zoomed (LT_GTK_LOSS_VIEW (view)));
  visible_steps (LT_GTK_LOSS_VIEW (view), &lo, &hi);
  g_assert_cmpfloat (hi, >=, 1600);
  g_assert_cmpfloat (lo, <=, 10);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* A run hidden and shown again; the colour of a run is its index's */
static void
test_run_visible (void)
{
  g_autoptr (LtGtkRunRegistry) registry = registry_with_points (30);
  LtGtkRun  *first = lt_gtk_run_registry_get_run (registry, 0);
  LtGtkRun  *second = lt_gtk_run_registry_add_run (registry, NULL);
  GtkWidget *view =
    g_object_new (LT_GTK_TYPE_LOSS_VIEW, "registry", registry, "show-controls", FALSE, NULL);
  GtkWidget *window;
  GdkRGBA    a, b;

  g_object_ref_sink (view);
  g_assert_cmpstr (lt_gtk_run_get_name (second), ==, "Run 2");
  lt_gtk_run_get_color (first, &a);
  lt_gtk_run_get_color (second, &b);
  g_assert_false (gdk_rgba_equal (&a, &b));
  for (guint i = 0; i < 20; i++)
    lt_gtk_run_append (second, LT_GTK_SERIES_TRAIN_LOSS, 10.0 * (i + 1), 1.5);
  window = ui_window_new (view, 640, 400);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (_lt_gtk_loss_view_get_frame (LT_GTK_LOSS_VIEW (view)), 0,
                                      LT_RENDER_SERIES_TRAIN_LOSS, FALSE),
    >, 0);

  g_assert_true (lt_gtk_loss_view_get_run_visible (LT_GTK_LOSS_VIEW (view), first));
  lt_gtk_loss_view_set_run_visible (LT_GTK_LOSS_VIEW (view), first, FALSE);
  g_assert_false (lt_gtk_loss_view_get_run_visible (LT_GTK_LOSS_VIEW (view), first));
  wait_settled (LT_GTK_LOSS_VIEW (view));
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (_lt_gtk_loss_view_get_frame (LT_GTK_LOSS_VIEW (view)), 0,
                                      LT_RENDER_SERIES_TRAIN_LOSS, FALSE),
    ==, 0);
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (_lt_gtk_loss_view_get_frame (LT_GTK_LOSS_VIEW (view)), 1,
                                      LT_RENDER_SERIES_TRAIN_LOSS, FALSE),
    >, 0);
  lt_gtk_loss_view_set_run_visible (LT_GTK_LOSS_VIEW (view), first, TRUE);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  g_assert_cmpuint (
    lt_render_loss_frame_get_n_drawn (_lt_gtk_loss_view_get_frame (LT_GTK_LOSS_VIEW (view)), 0,
                                      LT_RENDER_SERIES_TRAIN_LOSS, FALSE),
    >, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* Counts the opaque pixels of @surface (ARGB32) of colour 0xRRGGBB @rgb */
static guint
count_color (cairo_surface_t *surface, guint32 rgb)
{
  const guchar *data = cairo_image_surface_get_data (surface);
  int           stride = cairo_image_surface_get_stride (surface);
  guint         n = 0;

  cairo_surface_flush (surface);
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      if (((const guint32 *) (data + (gsize) y * stride))[x] == (0xff000000u | rgb))
        n++;
  return n;
}

static void
count_notify (GObject *object, GParamSpec *pspec, guint *n)
{
  (*n)++;
}

static void
count_run_changed (LtGtkRunRegistry *registry, LtGtkRun *run, guint *n)
{
  (*n)++;
}

static void
assert_color (LtGtkRun *run, const char *expected)
{
  GdkRGBA rgba, want;

  g_assert_true (gdk_rgba_parse (&want, expected));
  lt_gtk_run_get_color (run, &rgba);
  if (!gdk_rgba_equal (&rgba, &want))
    {
      g_autofree char *got = gdk_rgba_to_string (&rgba);
      g_error ("run %u: colour %s, expected %s", lt_gtk_run_get_index (run), got, expected);
    }
}

/* The registry's palette: the runs already there take their new colours,
 * the view's pixels follow; a bad colour is refused and changes nothing;
 * an empty list is the default palette again. */
static void
test_palette (void)
{
  static const char *const okabe_ito[] = { "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7",
                                           "#56b4e9", "#f0e442", "#999999", NULL };
  static const char *const mine[] = { "#FF00FF", "#00ff00", NULL };
  static const char *const empty[] = { NULL };
  g_autoptr (LtGtkRunRegistry) registry = registry_with_points (60);
  LtGtkRun  *first = lt_gtk_run_registry_get_run (registry, 0);
  LtGtkRun  *second = lt_gtk_run_registry_add_run (registry, "second");
  LtGtkRun  *third;
  GtkWidget *view =
    g_object_new (LT_GTK_TYPE_LOSS_VIEW, "registry", registry, "show-controls", FALSE, NULL);
  GtkWidget *window;
  g_auto (GStrv) palette = NULL;
  g_autoptr (GError) error = NULL;
  cairo_surface_t *before, *after, *back;
  guint            n_color_notify = 0, n_palette_notify = 0, n_run_changed = 0;
  guint64          serial;

  g_object_ref_sink (view);
  for (guint i = 0; i < 60; i++)
    lt_gtk_run_append (second, LT_GTK_SERIES_TRAIN_LOSS, 10.0 * (i + 1), 1.2 + 0.1 * cos (i));
  palette = lt_gtk_run_registry_dup_palette (registry);
  g_assert_cmpstrv (palette, okabe_ito);
  g_clear_pointer (&palette, g_strfreev);
  assert_color (first, "#0072b2");
  assert_color (second, "#e69f00");

  window = ui_window_new (view, 640, 400);
  wait_settled (LT_GTK_LOSS_VIEW (view));
  before = ui_widget_to_surface (view);
  g_assert_cmpuint (count_color (before, 0x0072b2), >, 20);
  g_assert_cmpuint (count_color (before, 0xe69f00), >, 20);
  g_assert_cmpuint (count_color (before, 0xff00ff), ==, 0);
  g_assert_cmpuint (count_color (before, 0x00ff00), ==, 0);

  g_signal_connect (first, "notify::color", G_CALLBACK (count_notify), &n_color_notify);
  g_signal_connect (registry, "notify::palette", G_CALLBACK (count_notify), &n_palette_notify);
  g_signal_connect (registry, "run-changed", G_CALLBACK (count_run_changed), &n_run_changed);
  serial = lt_gtk_run_registry_get_serial (registry);
  g_assert_true (lt_gtk_run_registry_set_palette (registry, mine, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_color_notify, ==, 1);
  g_assert_cmpuint (n_palette_notify, ==, 1);
  g_assert_cmpuint (n_run_changed, ==, 2);
  g_assert_cmpuint (lt_gtk_run_registry_get_serial (registry), >, serial);
  assert_color (first, "#ff00ff");
  assert_color (second, "#00ff00");
  palette = lt_gtk_run_registry_dup_palette (registry);
  g_assert_cmpstrv (palette, ((const char *const[]){ "#ff00ff", "#00ff00", NULL }));
  g_clear_pointer (&palette, g_strfreev);
  /* A new run takes its colour from the palette too, round again */
  third = lt_gtk_run_registry_add_run (registry, NULL);
  assert_color (third, "#ff00ff");

  /* The view redraws by itself: its pixels of each run are the new colour */
  ui_wait_for (settled, view, 10000);
  ui_spin (30);
  ui_wait_for (settled, view, 10000);
  after = ui_widget_to_surface (view);
  g_assert_cmpuint (count_color (after, 0xff00ff), >, 20);
  g_assert_cmpuint (count_color (after, 0x00ff00), >, 20);
  g_assert_cmpuint (count_color (after, 0x0072b2), ==, 0);
  g_assert_cmpuint (count_color (after, 0xe69f00), ==, 0);

  /* The same palette again changes nothing */
  g_assert_true (lt_gtk_run_registry_set_palette (registry, mine, &error));
  g_assert_cmpuint (n_palette_notify, ==, 1);

  /* Refused, saying which and why; nothing changes */
  {
    static const char *const bad[][3] = {
      { "#00ff00", "blue", NULL },     { "#00ff00", "#12345", NULL },
      { "#00ff00", "#1234567", NULL }, { "#00ff00", "#gg0000", NULL },
      { "#00ff00", "", NULL },         { "#00ff00", " #00ff00", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_assert_false (lt_gtk_run_registry_set_palette (registry, bad[i], &error));
        g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull (strstr (error->message, "colour 2"));
        g_assert_nonnull (strstr (error->message, bad[i][1]));
        g_assert_nonnull (strstr (error->message, "#rrggbb"));
        g_clear_error (&error);
      }
  }
  g_assert_cmpuint (n_palette_notify, ==, 1);
  assert_color (first, "#ff00ff");
  assert_color (second, "#00ff00");

  /* The property, as a binding sets it */
  g_object_set (registry, "palette", ((const char *const[]){ "#123456", NULL }), NULL);
  assert_color (second, "#123456");
  g_object_get (registry, "palette", &palette, NULL);
  g_assert_cmpstrv (palette, ((const char *const[]){ "#123456", NULL }));
  g_clear_pointer (&palette, g_strfreev);

  /* An empty list, or none, is the default palette */
  g_assert_true (lt_gtk_run_registry_set_palette (registry, empty, &error));
  g_assert_no_error (error);
  assert_color (first, "#0072b2");
  assert_color (second, "#e69f00");
  assert_color (third, "#009e73");
  palette = lt_gtk_run_registry_dup_palette (registry);
  g_assert_cmpstrv (palette, okabe_ito);
  g_clear_pointer (&palette, g_strfreev);
  g_assert_true (lt_gtk_run_registry_set_palette (registry, mine, &error));
  g_assert_true (lt_gtk_run_registry_set_palette (registry, NULL, &error));
  assert_color (first, "#0072b2");
  lt_gtk_run_clear (third);
  ui_wait_for (settled, view, 10000);
  ui_spin (30);
  ui_wait_for (settled, view, 10000);
  back = ui_widget_to_surface (view);
  g_assert_cmpuint (count_color (back, 0xff00ff), ==, 0);
  g_assert_cmpuint (count_color (back, 0x123456), ==, 0);
  g_assert_cmpuint (count_color (back, 0x0072b2), >, 20);
  g_assert_cmpuint (count_color (back, 0xe69f00), >, 20);

  cairo_surface_destroy (before);
  cairo_surface_destroy (after);
  cairo_surface_destroy (back);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* Exports, and what a bad path gives */

static gboolean
on_error (GtkWidget *view, const GError *error, GError **seen)
{
  g_clear_error (seen);
  *seen = g_error_copy (error);
  return TRUE;
}

static void
test_export (void)
{
  g_autoptr (LtGtkRunRegistry) registry = registry_with_points (50);
  GtkWidget *view = g_object_new (LT_GTK_TYPE_LOSS_VIEW, "registry", registry, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) seen = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lt-gtk-export-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "loss.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "loss.svg", NULL);
  g_autofree char *csv = g_build_filename (dir, "loss.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "no-such-folder", "loss.png", NULL);
  g_autofree char *txt = g_build_filename (dir, "loss.txt", NULL);
  g_autofree char *contents = NULL;
  cairo_surface_t *image;

  g_object_ref_sink (view);
  g_assert_nonnull (dir);

  g_assert_true (lt_gtk_loss_view_export (LT_GTK_LOSS_VIEW (view), png, 320, 200, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 320);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 200);
  cairo_surface_destroy (image);

  g_assert_true (lt_gtk_loss_view_export (LT_GTK_LOSS_VIEW (view), svg, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_clear_pointer (&contents, g_free);

  g_assert_true (lt_gtk_loss_view_export (LT_GTK_LOSS_VIEW (view), csv, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "run,name,series,step,value\n"));
  g_assert_nonnull (strstr (contents, "fixed,train_loss,10,"));

  /* a folder that does not exist: an error naming the path, no file */
  g_assert_false (lt_gtk_loss_view_export (LT_GTK_LOSS_VIEW (view), bad, 0, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  /* an extension the view cannot write */
  g_assert_false (lt_gtk_loss_view_export (LT_GTK_LOSS_VIEW (view), txt, 0, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (g_file_test (txt, G_FILE_TEST_EXISTS));

  /* from the view's own export action: the message reaches "error" */
  g_signal_connect (view, "error", G_CALLBACK (on_error), &seen);
  _lt_gtk_loss_view_export_to (LT_GTK_LOSS_VIEW (view), bad);
  g_assert_error (seen, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (seen->message, bad));

  g_remove (png);
  g_remove (svg);
  g_remove (csv);
  g_rmdir (dir);
  g_assert_finalize_object (view);
}

static void
test_controls (void)
{
  GtkWidget *view = lt_gtk_loss_view_new ();
  guint      n = 0;

  g_object_ref_sink (view);
  ui_check_controls (view, &n);
  g_assert_cmpuint (n, >=, 9);
  g_assert_true (gtk_widget_get_focusable (_lt_gtk_loss_view_get_canvas (LT_GTK_LOSS_VIEW (view))));

  /* the stateful actions drive the properties */
  gtk_widget_activate_action (view, "loss.log-y", NULL);
  g_assert_true (lt_gtk_loss_view_get_log_y (LT_GTK_LOSS_VIEW (view)));
  gtk_widget_activate_action (view, "loss.follow-latest", NULL);
  g_assert_false (lt_gtk_loss_view_get_follow_latest (LT_GTK_LOSS_VIEW (view)));
  gtk_widget_activate_action (view, "loss.y-from-zero", NULL);
  g_assert_true (lt_gtk_loss_view_get_y_from_zero (LT_GTK_LOSS_VIEW (view)));
  lt_gtk_loss_view_set_show_controls (LT_GTK_LOSS_VIEW (view), FALSE);
  g_assert_false (lt_gtk_loss_view_get_show_controls (LT_GTK_LOSS_VIEW (view)));
  g_assert_finalize_object (view);
}

/* A view over the default registry that is gone leaves no handler behind:
 * a run added later reaches no freed view */
static void
test_gone (void)
{
  GtkWidget *view = lt_gtk_loss_view_new ();
  LtGtkRun  *run;

  g_object_ref_sink (view);
  g_assert_true (lt_gtk_loss_view_get_registry (LT_GTK_LOSS_VIEW (view)) ==
                 lt_gtk_run_registry_get_default ());
  g_assert_finalize_object (view);
  run = lt_gtk_run_registry_add_run (lt_gtk_run_registry_get_default (), "after");
  lt_gtk_run_append (run, LT_GTK_SERIES_TRAIN_LOSS, 1, 1);
}

int
main (int argc, char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/gtk/loss-view/new", test_new);
  g_test_add_func ("/gtk/loss-view/pixels", test_pixels);
  g_test_add_func ("/gtk/loss-view/trainer", test_trainer);
  g_test_add_func ("/gtk/loss-view/zoom-kept", test_zoom_kept);
  g_test_add_func ("/gtk/loss-view/run-visible", test_run_visible);
  g_test_add_func ("/gtk/loss-view/palette", test_palette);
  g_test_add_func ("/gtk/loss-view/export", test_export);
  g_test_add_func ("/gtk/loss-view/controls", test_controls);
  g_test_add_func ("/gtk/loss-view/gone", test_gone);
  return g_test_run ();
}
