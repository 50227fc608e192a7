/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The accuracy view: the numbers, per-class bars, the row-normalised
 * confusion matrix, hit-testing, files and errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render-helpers.h"

static LtRenderTheme theme;

static const char *const names[] = { "cat", "dog", "frog", NULL };

/* rows: true class; cat always right, dog half right, frog never seen */
static const gint64 counts[9] = {
  4, 0, 0, 3, 3, 0, 0, 0, 0,
};

static LtTensor *
matrix (const gint64 *v, gint64 k, LtDType dtype)
{
  g_autoptr(GError) error = NULL;
  gint64    shape[2] = { k, k };
  LtTensor *t = lt_tensor_new_from_int64s (v, k * k, shape, 2, dtype, &error);

  g_assert_no_error (error);
  return t;
}

static LtTensor *
vector (const gint64 *v, gint64 n)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_int64s (v, n, &n, 1, LT_DTYPE_INT64, &error);

  g_assert_no_error (error);
  return t;
}

static void
test_numbers (void)
{
  g_autoptr(LtTensor) m = matrix (counts, 3, LT_DTYPE_INT32);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderAccuracy) a = lt_render_accuracy_new (m, names, &theme, &error);
  const gint64 pred[10] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1 };
  const gint64 truth[10] = { 0, 0, 0, 0, 1, 1, 1, 1, 1, 1 };
  g_autoptr(LtTensor) p = vector (pred, 10), t = vector (truth, 10);
  g_autoptr(LtRenderAccuracy) b = NULL;
  g_autofree char *name = NULL, *unnamed = NULL;
  g_autoptr(LtRenderAccuracy) c = NULL;

  g_test_summary ("counts, per-class and overall accuracy, from a matrix or from predictions");
  g_assert_no_error (error);
  g_assert_cmpuint (lt_render_accuracy_get_n_classes (a), ==, 3);
  g_assert_cmpint (lt_render_accuracy_get_count (a, 1, 0), ==, 3);
  g_assert_cmpfloat (lt_render_accuracy_get_class_accuracy (a, 0), ==, 1);
  g_assert_cmpfloat (lt_render_accuracy_get_class_accuracy (a, 1), ==, 0.5);
  g_assert_true (isnan (lt_render_accuracy_get_class_accuracy (a, 2)));
  g_assert_cmpfloat (lt_render_accuracy_get_accuracy (a), ==, 0.7);
  name = lt_render_accuracy_dup_class_name (a, 1);
  g_assert_cmpstr (name, ==, "dog");

  b = lt_render_accuracy_new_from_predictions (p, t, 3, names, &theme, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < 3; r++)
    for (guint col = 0; col < 3; col++)
      g_assert_cmpint (lt_render_accuracy_get_count (b, r, col), ==, counts[r * 3 + col]);

  c = lt_render_accuracy_new (m, NULL, &theme, &error);
  g_assert_no_error (error);
  unnamed = lt_render_accuracy_dup_class_name (c, 2);
  g_assert_cmpstr (unnamed, ==, "2");
}

static void
test_errors (void)
{
  const gint64 neg[4] = { 1, -1, 0, 2 };
  const gint64 bad[3] = { 0, 1, 5 }, three[3] = { 0, 1, 2 };
  g_autoptr(LtTensor) rect = NULL, floats = NULL, negative = matrix (neg, 2, LT_DTYPE_INT64);
  g_autoptr(LtTensor) out_of_range = vector (bad, 3), ok = vector (three, 3),
                       two = vector (bad, 2);
  g_autoptr(GError) error = NULL;

  g_test_summary ("a matrix that is not square, not of integers or negative, and predictions "
                  "of another length or outside the classes are LT_ERROR errors");
  rect = lt_tensor_new_from_int64s (counts, 6, (const gint64[]){ 2, 3 }, 2, LT_DTYPE_INT64, &error);
  g_assert_no_error (error);
  g_assert_null (lt_render_accuracy_new (rect, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "(2, 3)"));
  g_clear_error (&error);

  floats = lt_tensor_new_from_doubles ((const double[]){ 1, 2, 3, 4 }, 4, (const gint64[]){ 2, 2 },
                                       2, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  g_assert_null (lt_render_accuracy_new (floats, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);

  g_assert_null (lt_render_accuracy_new (negative, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "row 0, column 1"));
  g_clear_error (&error);

  g_assert_null (
    lt_render_accuracy_new_from_predictions (out_of_range, ok, 3, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_clear_error (&error);
  g_assert_null (lt_render_accuracy_new_from_predictions (two, ok, 6, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_null (lt_render_accuracy_new_from_predictions (ok, ok, 0, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

typedef struct
{
  LtRenderAccuracy     *a;
  LtRenderAccuracyView *view;
} Draw;

static void
draw (cairo_t *cr, int width, int height, gpointer data)
{
  Draw *d = data;

  lt_render_accuracy_draw (d->a, d->view, cr, width, height);
}

static void
test_hit_test (void)
{
  g_autoptr(LtTensor) m = matrix (counts, 3, LT_DTYPE_INT64);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderAccuracy) a = lt_render_accuracy_new (m, names, &theme, &error);
  LtRenderAccuracyView view;
  LtRenderAccuracyHit  hit;
  LtRenderRect         r, first;
  int                  w, h;

  g_test_summary ("hit-testing: cells of the matrix by row (true) and column (predicted), "
                  "bars by class; cells are square and tile the matrix");
  g_assert_no_error (error);
  lt_render_accuracy_view_init (&view);
  lt_render_accuracy_get_natural_size (a, &view, &w, &h);
  g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, w, h, 0, 0, &first));
  for (guint row = 0; row < 3; row++)
    for (guint col = 0; col < 3; col++)
      {
        g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, w, h, row, col, &r));
        g_assert_cmpfloat (r.width, ==, r.height);
        g_assert_cmpfloat (r.x, ==, first.x + col * first.width);
        g_assert_cmpfloat (r.y, ==, first.y + row * first.height);
        g_assert_true (
          lt_render_accuracy_hit_test (a, &view, w, h, r.x + 1, r.y + r.height - 1, &hit));
        g_assert_cmpint (hit.kind, ==, LT_RENDER_ACCURACY_HIT_CELL);
        g_assert_cmpuint (hit.row, ==, row);
        g_assert_cmpuint (hit.col, ==, col);
      }
  g_assert_false (lt_render_accuracy_get_cell_rect (a, &view, w, h, 3, 0, &r));
  /* the bars lie above the matrix, a row per class */
  {
    guint seen[3] = { 0 };

    for (double y = 0; y < first.y; y += 1)
      if (lt_render_accuracy_hit_test (a, &view, w, h, w / 2.0, y, &hit))
        {
          g_assert_cmpint (hit.kind, ==, LT_RENDER_ACCURACY_HIT_BAR);
          seen[hit.row]++;
        }
    g_assert_cmpuint (seen[0], >, 5);
    g_assert_cmpuint (seen[0], ==, seen[1]);
    g_assert_cmpuint (seen[1], ==, seen[2]);
  }
  g_assert_false (lt_render_accuracy_hit_test (a, &view, w, h, 1, h - 1, &hit));
  g_assert_cmpint (hit.kind, ==, LT_RENDER_ACCURACY_HIT_NONE);

  /* the matrix alone fills the area */
  view.parts = LT_RENDER_ACCURACY_MATRIX;
  g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, 400, 400, 2, 2, &r));
  g_assert_cmpfloat (r.y + r.height, >, 300);
  g_assert_false (lt_render_accuracy_hit_test (a, &view, 400, 400, 1, 1, &hit));
  view.parts = LT_RENDER_ACCURACY_BARS;
  g_assert_false (lt_render_accuracy_get_cell_rect (a, &view, 400, 400, 0, 0, &r));
}

static void
test_pixels (void)
{
  g_autoptr(LtTensor) m = matrix (counts, 3, LT_DTYPE_INT64);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderAccuracy) a = lt_render_accuracy_new (m, names, &theme, &error);
  LtRenderAccuracyView view;
  Draw                 d = { a, &view };
  cairo_surface_t     *s;
  LtRenderRect         r;
  guint32              accent = color_rgb (&theme.accent), bg = color_rgb (&theme.background);
  LtRenderColor        half;
  guint                runs[2] = { 0, 0 };
  int                  w, h;

  g_test_summary ("cells coloured by their share of the row (all: accent, none: background, "
                  "half: between); bars as long as the accuracy; the selected cell framed");
  g_assert_no_error (error);
  lt_render_accuracy_view_init (&view);
  view.selected_row = 1;
  view.selected_col = 0;
  lt_render_accuracy_get_natural_size (a, &view, &w, &h);
  s = lt_render_to_image (w, h, draw, &d);

  g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, w, h, 0, 0, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x + 3, (int) r.y + 3), ==, accent);
  g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, w, h, 0, 1, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x + 3, (int) r.y + 3), ==, bg);
  g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, w, h, 1, 1, &r));
  half.red = (theme.background.red + theme.accent.red) / 2;
  half.green = (theme.background.green + theme.accent.green) / 2;
  half.blue = (theme.background.blue + theme.accent.blue) / 2;
  g_assert_true (rgb_near (pixel_at (s, (int) r.x + 3, (int) r.y + 3), color_rgb (&half), 1));
  /* a class without test images: an empty row */
  g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, w, h, 2, 2, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x + 3, (int) r.y + 3), ==, bg);
  /* the selected cell (dog taken for a cat) */
  g_assert_true (lt_render_accuracy_get_cell_rect (a, &view, w, h, 1, 0, &r));
  g_assert_cmphex (pixel_at (s, (int) (r.x + r.width / 2), (int) r.y + 1), ==,
                   color_rgb (&theme.foreground));

  /* The bars of cat (100 %) and dog (50 %): accent runs of 2:1 */
  for (double y = 0; y < h; y++)
    {
      LtRenderAccuracyHit hit;

      if (lt_render_accuracy_hit_test (a, &view, w, h, w / 2.0, y, &hit) &&
          hit.kind == LT_RENDER_ACCURACY_HIT_BAR && hit.row < 2 && runs[hit.row] == 0)
        {
          /* the middle of the row */
          guint n = 0;

          for (int x = 0; x < w; x++)
            n += pixel_at (s, x, (int) y + 10) == accent;
          runs[hit.row] = n;
        }
    }
  g_assert_cmpuint (runs[0], >, 50);
  g_assert_cmpint (abs ((int) runs[0] - 2 * (int) runs[1]), <=, 2);
  cairo_surface_destroy (s);
}

static void
test_files (void)
{
  g_autoptr(LtTensor) m = matrix (counts, 3, LT_DTYPE_INT64);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderAccuracy) a = lt_render_accuracy_new (m, names, &theme, &error);
  g_autofree char     *dir = make_temp_dir ();
  g_autofree char     *png = g_build_filename (dir, "confusion.png", NULL);
  g_autofree char     *bad = g_build_filename (dir, "none", "confusion.png", NULL);
  LtRenderAccuracyView view;
  cairo_surface_t     *back;
  int                  w, h;

  g_test_summary ("PNG at the natural size; a bad path is an LT_ERROR_IO error");
  lt_render_accuracy_view_init (&view);
  g_assert_true (lt_render_accuracy_write (a, &view, png, &error));
  g_assert_no_error (error);
  back = cairo_image_surface_create_from_png (png);
  lt_render_accuracy_get_natural_size (a, &view, &w, &h);
  g_assert_cmpint (cairo_image_surface_get_width (back), ==, w);
  g_assert_cmpint (cairo_image_surface_get_height (back), ==, h);
  cairo_surface_destroy (back);
  g_assert_false (lt_render_accuracy_write (a, &view, bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lt_render_theme_init (&theme, FALSE);
  g_test_add_func ("/render/accuracy/numbers", test_numbers);
  g_test_add_func ("/render/accuracy/errors", test_errors);
  g_test_add_func ("/render/accuracy/hit-test", test_hit_test);
  g_test_add_func ("/render/accuracy/pixels", test_pixels);
  g_test_add_func ("/render/accuracy/files", test_files);
  return g_test_run ();
}
