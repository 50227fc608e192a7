/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The image grid: lt_make_grid()'s layout and values, pixel for pixel,
 * nearest-neighbour scaling, labels and predictions, hit-testing, files
 * and errors.
 */
#include <math.h>
#include <string.h>

#include "render-helpers.h"

static LtRenderTheme theme;

static const char *const classes[] = { "plane", "car",   "bird", "cat",   "deer", "dog",
                                       "frog",  "horse", "ship", "truck", NULL };

/* A batch (n, c, h, w) of values from -1.2 to 1.2 (some clamped) */
static LtTensor *
random_batch (guint seed, gint64 n, gint64 c, gint64 h, gint64 w)
{
  gint64             shape[4] = { n, c, h, w };
  gsize              numel = n * c * h * w;
  g_autofree double *v = g_new (double, numel);
  g_autoptr(GRand) rng = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;
  LtTensor *t;

  for (gsize i = 0; i < numel; i++)
    v[i] = g_rand_double_range (rng, -1.2, 1.2);
  t = lt_tensor_new_from_doubles (v, numel, shape, 4, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  return t;
}

static LtTensor *
int64s (const gint64 *v, gint64 n)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_int64s (v, n, &n, 1, LT_DTYPE_INT64, &error);

  g_assert_no_error (error);
  return t;
}

typedef struct
{
  LtRenderGrid     *grid;
  LtRenderGridView *view;
} Draw;

static void
draw_grid (cairo_t *cr, int width, int height, gpointer data)
{
  Draw *d = data;

  lt_render_grid_draw (d->grid, d->view, cr, width, height);
}

static cairo_surface_t *
render (LtRenderGrid *grid, LtRenderGridView *view, int width, int height)
{
  Draw d = { grid, view };

  if (width < 0)
    lt_render_grid_get_natural_size (grid, view, &width, &height);
  return lt_render_to_image (width, height, draw_grid, &d);
}

/* lt_make_grid()'s output for the batch, as bytes in a surface */
static cairo_surface_t *
make_grid_surface (LtTensor *images, int nrow, int padding, gboolean normalize)
{
  static const double range[2] = { -1, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) grid =
               lt_make_grid (images, nrow, padding, normalize, range, FALSE, 0, &error);
  cairo_surface_t *s;

  g_assert_no_error (error);
  s = lt_tensor_to_cairo_surface (grid, &error);
  g_assert_no_error (error);
  return s;
}

/* Every image pixel of the rendering at zoom z equals lt_make_grid()'s
 * pixel at the same place divided by z, and the padding is background. */
static void
check_against_make_grid (LtTensor *images, guint nrow, guint padding, int zoom, gboolean normalize)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderGrid) grid = lt_render_grid_new (images, NULL, NULL, NULL, &theme, &error);
  cairo_surface_t *ref = make_grid_surface (images, (int) nrow, (int) padding, normalize);
  LtRenderGridView view;
  cairo_surface_t *out;
  int     w, h, rw = cairo_image_surface_get_width (ref), rh = cairo_image_surface_get_height (ref);
  guint   n_images, image_px = 0, pad_px = 0;
  guint32 bg = color_rgb (&theme.background);
  gint64  ih = lt_tensor_get_shape (images, NULL)[2], iw = lt_tensor_get_shape (images, NULL)[3];

  g_assert_no_error (error);
  lt_render_grid_view_init (&view);
  view.nrow = nrow;
  view.padding = padding;
  view.zoom = zoom;
  lt_render_grid_get_natural_size (grid, &view, &w, &h);
  g_assert_cmpint (w, ==, rw * zoom);
  g_assert_cmpint (h, ==, rh * zoom);
  out = render (grid, &view, w, h);
  n_images = lt_render_grid_get_n_images (grid);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        /* the pixel of lt_make_grid()'s grid under this one */
        gint64   gx = x / zoom, gy = y / zoom;
        gint64   col = (gx - (gint64) padding) / (iw + padding);
        gint64   row = (gy - (gint64) padding) / (ih + padding);
        gint64   ix = (gx - (gint64) padding) % (iw + padding);
        gint64   iy = (gy - (gint64) padding) % (ih + padding);
        gboolean in_image = gx >= (gint64) padding && gy >= (gint64) padding && ix < iw &&
                            iy < ih && row * MIN (nrow, n_images) + col < n_images;

        if (in_image)
          {
            g_assert_cmphex (pixel_at (out, x, y), ==, pixel_at (ref, (int) gx, (int) gy));
            image_px++;
          }
        else
          {
            g_assert_cmphex (pixel_at (out, x, y), ==, bg);
            pad_px++;
          }
      }
  g_assert_cmpuint (image_px, ==, n_images * ih * iw * zoom * zoom);
  g_assert_cmpuint (pad_px, ==, (guint) (w * h) - image_px);
  if (padding > 0)
    g_assert_cmpuint (pad_px, >, 0);
  cairo_surface_destroy (out);
  cairo_surface_destroy (ref);
}

static void
test_make_grid_pixels (void)
{
  g_autoptr(LtTensor) batch = random_batch (1, 5, 3, 4, 6);
  g_autoptr(LtTensor) gray = random_batch (2, 7, 1, 5, 3);

  g_test_summary ("without labels the grid is lt_make_grid()'s (same nrow and padding, "
                  "values x / 2 + 0.5 clamped), scaled 1x, 2x and 4x by nearest neighbour");
  check_against_make_grid (batch, 2, 2, 1, TRUE);
  check_against_make_grid (batch, 2, 2, 2, TRUE);
  check_against_make_grid (batch, 3, 1, 4, TRUE);
  check_against_make_grid (batch, 8, 0, 2, TRUE);
  check_against_make_grid (gray, 4, 3, 2, TRUE);
}

static void
test_uint8 (void)
{
  gint64 shape[4] = { 2, 3, 2, 2 };
  guint8 bytes[24];
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) images = NULL;
  g_autoptr(LtRenderGrid) grid = NULL;
  LtRenderGridView view;
  cairo_surface_t *out;

  g_test_summary ("uint8 images are drawn as they are");
  for (int i = 0; i < 24; i++)
    bytes[i] = (guint8) (i * 10);
  images = lt_tensor_new_from_data (bytes, sizeof bytes, shape, 4, LT_DTYPE_UINT8, &error);
  g_assert_no_error (error);
  check_against_make_grid (images, 2, 2, 2, FALSE);

  grid = lt_render_grid_new (images, NULL, NULL, NULL, &theme, &error);
  g_assert_no_error (error);
  lt_render_grid_view_init (&view);
  view.zoom = LT_RENDER_GRID_ZOOM_1X;
  view.padding = 0;
  out = render (grid, &view, -1, -1);
  /* image 1, pixel (1, 0): R = byte 12 + 1, G = 16 + 1, B = 20 + 1 */
  g_assert_cmphex (pixel_at (out, 3, 0), ==, (130u << 16) | (170u << 8) | 210u);
  cairo_surface_destroy (out);
}

static void
test_scale_and_fit (void)
{
  g_autoptr(LtTensor) batch = random_batch (3, 6, 3, 8, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderGrid) grid = lt_render_grid_new (batch, NULL, NULL, NULL, &theme, &error);
  LtRenderGridView view;
  LtRenderRect     r;
  double           s;
  int              w, h;

  g_test_summary ("zoom levels, fit, and the centred position in a larger area");
  g_assert_no_error (error);
  lt_render_grid_view_init (&view);
  view.nrow = 3;
  view.padding = 2;
  view.zoom = LT_RENDER_GRID_ZOOM_4X;
  lt_render_grid_get_natural_size (grid, &view, &w, &h);
  g_assert_cmpint (w, ==, (2 + 3 * 10) * 4);
  g_assert_cmpint (h, ==, (2 + 2 * 10) * 4);
  g_assert_cmpfloat (lt_render_grid_get_scale (grid, &view, 10, 10), ==, 4);

  /* Centred in 200 x 100 at 1x: the grid is 32 x 22 */
  view.zoom = LT_RENDER_GRID_ZOOM_1X;
  g_assert_true (lt_render_grid_get_image_rect (grid, &view, 200, 100, 4, &r));
  g_assert_cmpfloat (r.x, ==, 84 + 2 + 10);
  g_assert_cmpfloat (r.y, ==, 39 + 2 + 10);
  g_assert_cmpfloat (r.width, ==, 8);
  g_assert_false (lt_render_grid_get_image_rect (grid, &view, 200, 100, 6, &r));

  /* Fit: the largest scale at which 32 x 22 units fit 160 x 220 is 5 */
  view.zoom = LT_RENDER_GRID_ZOOM_FIT;
  s = lt_render_grid_get_scale (grid, &view, 160, 220);
  g_assert_cmpfloat_with_epsilon (s, 5, 1e-6);
  lt_render_grid_get_natural_size (grid, &view, &w, &h);
  g_assert_cmpint (w, ==, 32);
}

static void
test_hit_test (void)
{
  g_autoptr(LtTensor) batch = random_batch (4, 5, 3, 4, 4);
  gint64 labels[5] = { 0, 1, 2, 3, 4 };
  g_autoptr(LtTensor) l = int64s (labels, 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderGrid) grid = lt_render_grid_new (batch, NULL, NULL, NULL, &theme, &error);
  g_autoptr(LtRenderGrid) labelled = lt_render_grid_new (batch, l, NULL, classes, &theme, &error);
  LtRenderGridView view;
  LtRenderRect     r;

  g_test_summary ("hit-testing: the image under a point, its label band included; padding "
                  "and the empty cells hit nothing");
  g_assert_no_error (error);
  lt_render_grid_view_init (&view);
  view.nrow = 2;
  view.padding = 2;
  view.zoom = LT_RENDER_GRID_ZOOM_2X;
  /* cells at 2x: 8 px images, 4 px padding: image k at 4 + col * 12, 4 + row * 12 */
  g_assert_cmpint (lt_render_grid_hit_test (grid, &view, 28, 40, 4, 4), ==, 0);
  g_assert_cmpint (lt_render_grid_hit_test (grid, &view, 28, 40, 23.9, 11.9), ==, 1);
  g_assert_cmpint (lt_render_grid_hit_test (grid, &view, 28, 40, 13, 5), ==, -1);
  g_assert_cmpint (lt_render_grid_hit_test (grid, &view, 28, 40, 5, 30), ==, 4);
  g_assert_cmpint (lt_render_grid_hit_test (grid, &view, 28, 40, 18, 30), ==, -1);
  g_assert_cmpint (lt_render_grid_hit_test (grid, &view, 28, 40, -1, 5), ==, -1);

  for (guint k = 0; k < 5; k++)
    {
      g_assert_true (lt_render_grid_get_image_rect (labelled, &view, 400, 400, k, &r));
      g_assert_cmpint (lt_render_grid_hit_test (labelled, &view, 400, 400, r.x + 1, r.y + 1), ==,
                       (gint) k);
      /* just under the image: its label */
      g_assert_cmpint (
        lt_render_grid_hit_test (labelled, &view, 400, 400, r.x + r.width / 2, r.y + r.height + 3),
        ==, (gint) k);
    }
}

static void
test_labels_and_predictions (void)
{
  g_autoptr(LtTensor) batch = random_batch (5, 4, 3, 32, 32);
  gint64 labels[4] = { 3, 8, 8, 0 }, predicted[4] = { 3, 1, 8, 0 };
  g_autoptr(LtTensor) l = int64s (labels, 4), p = int64s (predicted, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderGrid) grid = lt_render_grid_new (batch, l, NULL, classes, &theme, &error);
  g_autoptr(LtRenderGrid) with_p = NULL;
  g_autoptr(LtRenderGrid) plain = lt_render_grid_new (batch, NULL, NULL, NULL, &theme, &error);
  cairo_surface_t *a, *b, *ref;
  LtRenderGridView view;
  LtRenderRect     r0, r1;
  guint32          err = color_rgb (&theme.error), ok = color_rgb (&theme.success);
  int              w, h, pw, ph;
  g_autofree char *name = NULL;

  g_test_summary ("class names under the images; predictions beside them, a wrong one "
                  "marked (error colour, a frame) and a right one not");
  g_assert_no_error (error);
  lt_render_grid_view_init (&view);
  view.zoom = LT_RENDER_GRID_ZOOM_2X;
  lt_render_grid_get_natural_size (grid, &view, &w, &h);
  lt_render_grid_get_natural_size (plain, &view, &pw, &ph);
  g_assert_cmpint (h, >, ph); /* a band for the names */
  g_assert_cmpint (lt_render_grid_get_label (grid, 1), ==, 8);
  g_assert_cmpint (lt_render_grid_get_prediction (grid, 1), ==, -1);
  name = lt_render_grid_dup_class_name (grid, 8);
  g_assert_cmpstr (name, ==, "ship");

  a = render (grid, &view, w, h);
  /* The image pixels are still the images' */
  ref = render (plain, &view, pw, ph);
  g_assert_true (lt_render_grid_get_image_rect (grid, &view, w, h, 2, &r0));
  g_assert_true (lt_render_grid_get_image_rect (plain, &view, pw, ph, 2, &r1));
  for (int y = 0; y < 64; y += 7)
    for (int x = 0; x < 64; x += 5)
      g_assert_cmphex (pixel_at (a, (int) r0.x + x, (int) r0.y + y), ==,
                       pixel_at (ref, (int) r1.x + x, (int) r1.y + y));
  /* Text under image 0 */
  g_assert_cmpuint (count_pixels (a, (int) r0.x - 60, (int) (r0.y + r0.height), 300, 20,
                                  color_rgb (&theme.foreground), 60),
                    >, 10);

  with_p = lt_render_grid_new_with_predictions (grid, p, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_render_grid_get_prediction (with_p, 1), ==, 1);
  lt_render_grid_get_natural_size (with_p, &view, &pw, &ph);
  g_assert_cmpint (ph, >, h); /* a second line */
  b = render (with_p, &view, pw, ph);
  for (guint k = 0; k < 4; k++)
    {
      LtRenderRect r;
      guint        n_err, n_ok;

      g_assert_true (lt_render_grid_get_image_rect (with_p, &view, pw, ph, k, &r));
      /* the label band (the frame of a wrong image lies above it) */
      n_err = count_pixels (b, (int) r.x, (int) (r.y + r.height) + 1, (int) r.width, 40, err, 40);
      n_ok = count_pixels (b, (int) r.x, (int) (r.y + r.height) + 1, (int) r.width, 40, ok, 40);
      if (k == 1)
        {
          g_assert_cmpuint (n_err, >, 10);
          g_assert_cmpuint (n_ok, ==, 0);
          /* the frame around the wrong image */
          g_assert_cmphex (pixel_at (b, (int) r.x - 1, (int) r.y + 10), ==, err);
        }
      else
        {
          g_assert_cmpuint (n_err, ==, 0);
          g_assert_cmpuint (n_ok, >, 10);
          g_assert_cmphex (pixel_at (b, (int) r.x - 1, (int) r.y + 10), ==,
                           color_rgb (&theme.background));
        }
    }
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  cairo_surface_destroy (ref);
}

static void
test_selection (void)
{
  g_autoptr(LtTensor) batch = random_batch (6, 3, 3, 8, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderGrid) grid = lt_render_grid_new (batch, NULL, NULL, NULL, &theme, &error);
  LtRenderGridView view;
  LtRenderRect     r;
  cairo_surface_t *s;

  g_test_summary ("the selected image has a frame in the accent colour");
  g_assert_no_error (error);
  lt_render_grid_view_init (&view);
  view.padding = 4;
  view.selected = 1;
  s = render (grid, &view, -1, -1);
  g_assert_true (lt_render_grid_get_image_rect (grid, &view, cairo_image_surface_get_width (s),
                                                cairo_image_surface_get_height (s), 1, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x - 1, (int) r.y + 4), ==, color_rgb (&theme.accent));
  g_assert_true (lt_render_grid_get_image_rect (grid, &view, cairo_image_surface_get_width (s),
                                                cairo_image_surface_get_height (s), 0, &r));
  g_assert_cmphex (pixel_at (s, (int) r.x - 1, (int) r.y + 4), ==, color_rgb (&theme.background));
  cairo_surface_destroy (s);
}

static void
test_errors (void)
{
  g_autoptr(LtTensor) four = random_batch (7, 2, 4, 4, 4);
  g_autoptr(LtTensor) three_d = NULL;
  g_autoptr(LtTensor) ints = NULL;
  g_autoptr(LtTensor) ok = random_batch (7, 2, 3, 4, 4);
  gint64 three[3] = { 0, 1, 2 };
  g_autoptr(LtTensor) l3 = int64s (three, 3), l2 = int64s (three, 2);
  g_autoptr(GError) error = NULL;
  LtRenderGrid *g;

  g_test_summary ("bad batches, labels and predictions give LT_ERROR errors naming them");
  g = lt_render_grid_new (four, NULL, NULL, NULL, &theme, &error);
  g_assert_null (g);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "(2, 4, 4, 4)"));
  g_clear_error (&error);

  three_d = lt_tensor_new_from_doubles ((const double[]){ 0, 0, 0, 0 }, 4,
                                        (const gint64[]){ 1, 2, 2 }, 3, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  g_assert_null (lt_render_grid_new (three_d, NULL, NULL, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);

  ints = lt_tensor_new_from_int64s ((const gint64[]){ 0, 0, 0, 0 }, 4,
                                    (const gint64[]){ 1, 1, 2, 2 }, 4, LT_DTYPE_INT32, &error);
  g_assert_no_error (error);
  g_assert_null (lt_render_grid_new (ints, NULL, NULL, NULL, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);

  g_assert_null (lt_render_grid_new (ok, l3, NULL, classes, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "3 labels for a batch of 2"));
  g_clear_error (&error);

  g_assert_null (lt_render_grid_new (ok, NULL, l2, classes, &theme, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

static void
test_write (void)
{
  g_autoptr(LtTensor) batch = random_batch (8, 4, 3, 8, 8);
  gint64 labels[4] = { 0, 1, 2, 3 };
  g_autoptr(LtTensor) l = int64s (labels, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtRenderGrid) grid = lt_render_grid_new (batch, l, NULL, classes, &theme, &error);
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *png = g_build_filename (dir, "grid.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "grid.svg", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "grid.png", NULL);
  g_autofree char *txt = g_build_filename (dir, "grid.txt", NULL);
  g_autofree char *contents = NULL;
  LtRenderGridView view;
  cairo_surface_t *back, *direct;
  int              w, h;

  g_test_summary ("PNG and SVG files are written and read back; a bad path or extension is "
                  "an error and leaves nothing behind");
  g_assert_no_error (error);
  lt_render_grid_view_init (&view);
  g_assert_true (lt_render_grid_write (grid, &view, png, &error));
  g_assert_no_error (error);
  back = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (back), ==, CAIRO_STATUS_SUCCESS);
  lt_render_grid_get_natural_size (grid, &view, &w, &h);
  direct = render (grid, &view, w, h);
  g_assert_cmpuint (count_differing_pixels (back, direct), ==, 0);

  g_assert_true (lt_render_grid_write (grid, &view, svg, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, "<image"));

  g_assert_false (lt_render_grid_write (grid, &view, bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);
  g_assert_false (lt_render_grid_write (grid, &view, txt, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (txt, G_FILE_TEST_EXISTS));

  cairo_surface_destroy (back);
  cairo_surface_destroy (direct);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lt_render_theme_init (&theme, FALSE);
  g_test_add_func ("/render/grid/make-grid-pixels", test_make_grid_pixels);
  g_test_add_func ("/render/grid/uint8", test_uint8);
  g_test_add_func ("/render/grid/scale-and-fit", test_scale_and_fit);
  g_test_add_func ("/render/grid/hit-test", test_hit_test);
  g_test_add_func ("/render/grid/labels-and-predictions", test_labels_and_predictions);
  g_test_add_func ("/render/grid/selection", test_selection);
  g_test_add_func ("/render/grid/errors", test_errors);
  g_test_add_func ("/render/grid/write", test_write);
  return g_test_run ();
}
