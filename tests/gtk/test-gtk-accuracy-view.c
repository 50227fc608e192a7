/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lt-gtk-accuracy-view-private.h"
#include "lt-gtk-image-view-private.h"
#include "lt-gtk-private.h"
#include "ui-helpers.h"

static LtTensor *
int64s (const gint64 *v, gint64 n)
{
  g_autoptr (GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_int64s (v, n, &n, 1, LT_DTYPE_INT64, &error);

  g_assert_no_error (error);
  return t;
}

static gboolean
images_loaded (gpointer view)
{
  return !lt_gtk_accuracy_view_get_loading (view);
}

/* The numbers against hand-counted ones; a cell's samples; bad input */
static void
test_counts (void)
{
  /*              sample: 0  1  2  3  4  5  6  7  8  9 */
  const gint64 targets[] = { 0, 0, 0, 1, 1, 1, 1, 2, 2, 2 };
  const gint64 predicted[] = { 0, 1, 0, 1, 1, 2, 0, 2, 1, 2 };
  g_autoptr (LtTensor) t = int64s (targets, 10);
  g_autoptr (LtTensor) p = int64s (predicted, 10);
  g_autoptr (LtTensor) short_p = int64s (predicted, 9);
  g_autoptr (GError) error = NULL;
  GtkWidget         *view = lt_gtk_accuracy_view_new ();
  LtGtkAccuracyView *av = LT_GTK_ACCURACY_VIEW (view);
  g_autofree gint64 *indices = NULL;
  gsize              n = 0;
  gint               row, col;

  g_object_ref_sink (view);
  g_assert_true (isnan (lt_gtk_accuracy_view_get_accuracy (av)));
  g_assert_cmpuint (lt_gtk_accuracy_view_get_n_classes (av), ==, 0);

  g_assert_true (lt_gtk_accuracy_view_set_predictions (av, p, t, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lt_gtk_accuracy_view_get_n_classes (av), ==, 3);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 0, 0), ==, 2);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 0, 1), ==, 1);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 1, 0), ==, 1);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 1, 1), ==, 2);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 1, 2), ==, 1);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 2, 1), ==, 1);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 2, 2), ==, 2);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 2, 0), ==, 0);
  g_assert_cmpfloat (fabs (lt_gtk_accuracy_view_get_accuracy (av) - 0.6), <, 1e-12);
  g_assert_cmpfloat (fabs (lt_gtk_accuracy_view_get_class_accuracy (av, 1) - 0.5), <, 1e-12);
  g_assert_cmpfloat (fabs (lt_gtk_accuracy_view_get_class_accuracy (av, 0) - 2.0 / 3), <, 1e-12);

  /* class 1 predicted as 0: sample 6 alone */
  g_assert_false (lt_gtk_accuracy_view_get_selected_cell (av, &row, &col));
  lt_gtk_accuracy_view_select_cell (av, 1, 0);
  g_assert_true (lt_gtk_accuracy_view_get_selected_cell (av, &row, &col));
  g_assert_cmpint (row, ==, 1);
  g_assert_cmpint (col, ==, 0);
  indices = lt_gtk_accuracy_view_dup_selected_indices (av, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (indices[0], ==, 6);
  g_clear_pointer (&indices, g_free);
  lt_gtk_accuracy_view_select_cell (av, 0, 0);
  indices = lt_gtk_accuracy_view_dup_selected_indices (av, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (indices[0], ==, 0);
  g_assert_cmpint (indices[1], ==, 2);
  /* no dataset: a caption, no images */
  g_assert_nonnull (_lt_gtk_accuracy_view_get_caption (av));
  g_assert_cmpuint (lt_gtk_accuracy_view_get_n_shown_images (av), ==, 0);

  /* out of range: no selection */
  lt_gtk_accuracy_view_select_cell (av, 5, 0);
  g_assert_false (lt_gtk_accuracy_view_get_selected_cell (av, NULL, NULL));
  g_assert_null (_lt_gtk_accuracy_view_get_caption (av));

  /* the arrow keys: the first selects (0, 0), then they move and stop at
   * the edges */
  {
    GtkWidget *canvas = _lt_gtk_accuracy_view_get_canvas (av);

    g_assert_true (ui_send_key (canvas, GDK_KEY_Down));
    g_assert_true (lt_gtk_accuracy_view_get_selected_cell (av, &row, &col));
    g_assert_cmpint (row, ==, 0);
    g_assert_cmpint (col, ==, 0);
    g_assert_true (ui_send_key (canvas, GDK_KEY_Right));
    g_assert_true (ui_send_key (canvas, GDK_KEY_Down));
    lt_gtk_accuracy_view_get_selected_cell (av, &row, &col);
    g_assert_cmpint (row, ==, 1);
    g_assert_cmpint (col, ==, 1);
    for (int i = 0; i < 3; i++)
      g_assert_true (ui_send_key (canvas, GDK_KEY_Left));
    lt_gtk_accuracy_view_get_selected_cell (av, &row, &col);
    g_assert_cmpint (row, ==, 1);
    g_assert_cmpint (col, ==, 0);
    g_clear_pointer (&indices, g_free);
    indices = lt_gtk_accuracy_view_dup_selected_indices (av, &n);
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpint (indices[0], ==, 6);
    g_assert_false (ui_send_key (canvas, GDK_KEY_a));
  }

  /* lengths that differ, a class outside the classes: errors, the view
   * keeps what it showed */
  g_assert_false (lt_gtk_accuracy_view_set_predictions (av, short_p, t, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_false (lt_gtk_accuracy_view_set_predictions (av, p, t, 2, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (lt_gtk_accuracy_view_get_n_classes (av), ==, 3);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 2, 2), ==, 2);

  g_assert_finalize_object (view);
}

static void
draw_accuracy (cairo_t *cr, int width, int height, gpointer view)
{
  lt_render_accuracy_draw (_lt_gtk_accuracy_view_get_accuracy (view),
                           _lt_gtk_accuracy_view_get_view (view), cr, width, height);
}

/* Trained for an epoch: the test set's confusion; a cell shows its test
 * images; pixels are the renderer's */
typedef struct
{
  guint n_evaluated;
} Watch;

static void
on_evaluated (LtTrainer *trainer,
              guint      epoch,
              double     loss,
              double     accuracy,
              LtTensor  *predictions,
              LtTensor  *targets,
              Watch     *watch)
{
  watch->n_evaluated++;
}

static void
test_trainer (void)
{
  g_autofree char *root = ui_make_cifar_fixture (8, 30);
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 1);
  GtkWidget         *view = lt_gtk_accuracy_view_new ();
  LtGtkAccuracyView *av = LT_GTK_ACCURACY_VIEW (view);
  LtGtkImageView    *images = LT_GTK_IMAGE_VIEW (_lt_gtk_accuracy_view_get_image_view (av));
  Watch              watch = { 0 };
  GtkWidget         *window, *canvas;
  gint64             total = 0;
  gint               best_row = -1, best_col = -1;
  gint64             best = 0;
  g_autofree gint64 *indices = NULL;
  gsize              n = 0;
  cairo_surface_t   *widget_pixels, *renderer_pixels;
  g_autofree char   *path = NULL;
  guint              n_different;

  g_object_ref_sink (view);
  window = ui_window_new (view, 700, 900);
  lt_gtk_accuracy_view_bind_trainer (av, trainer);
  g_assert_true (lt_gtk_accuracy_view_get_trainer (av) == trainer);
  g_assert_true (lt_gtk_accuracy_view_get_dataset (av) ==
                 lt_data_loader_get_dataset (lt_trainer_get_test_loader (trainer)));
  g_assert_cmpstr (lt_gtk_accuracy_view_get_classes (av)[9], ==, "truck");

  g_signal_connect (trainer, "evaluated", G_CALLBACK (on_evaluated), &watch);
  ui_train_to_end (trainer);
  g_assert_cmpuint (watch.n_evaluated, ==, 1);

  /* every test image counted once */
  g_assert_cmpuint (lt_gtk_accuracy_view_get_n_classes (av), ==, 10);
  for (guint r = 0; r < 10; r++)
    for (guint c = 0; c < 10; c++)
      {
        gint64 count = lt_gtk_accuracy_view_get_count (av, r, c);
        total += count;
        if (count > best)
          {
            best = count;
            best_row = (gint) r;
            best_col = (gint) c;
          }
      }
  g_assert_cmpint (total, ==, 30);

  /* the fullest cell: its images, each of the cell's classes */
  lt_gtk_accuracy_view_select_cell (av, best_row, best_col);
  ui_wait_for (images_loaded, av, 60000);
  indices = lt_gtk_accuracy_view_dup_selected_indices (av, &n);
  g_assert_cmpint ((gint64) n, ==, best);
  g_assert_cmpuint (lt_gtk_accuracy_view_get_n_shown_images (av), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (lt_gtk_image_view_get_label (images, i), ==, best_row);
      g_assert_cmpint (lt_gtk_image_view_get_prediction (images, i), ==, best_col);
      g_assert_cmpint (indices[i] % 10, ==, best_row); /* the fixture's labels: i % 10 */
    }
  g_assert_nonnull (_lt_gtk_accuracy_view_get_caption (av));

  ui_spin (100);
  canvas = _lt_gtk_accuracy_view_get_canvas (av);
  widget_pixels = ui_widget_to_surface (canvas);
  renderer_pixels = lt_render_to_image (gtk_widget_get_width (canvas),
                                        gtk_widget_get_height (canvas), draw_accuracy, av);
  /* the drawing is one Cairo node and nothing else */
  {
    guint n_cairo, n_other;

    ui_count_render_nodes (canvas, &n_cairo, &n_other);
    g_assert_cmpuint (n_cairo, ==, 1);
    g_assert_cmpuint (n_other, ==, 0);
  }
  n_different = ui_count_different_pixels (widget_pixels, renderer_pixels);
  g_test_message ("%d x %d: %u pixels differ", gtk_widget_get_width (canvas),
                  gtk_widget_get_height (canvas), n_different);
  g_assert_cmpuint (n_different, ==, 0);
  cairo_surface_destroy (widget_pixels);
  cairo_surface_destroy (renderer_pixels);
  widget_pixels = ui_widget_to_surface (view);
  path = ui_save_screenshot (widget_pixels, "accuracy-view");
  g_test_message ("screenshot: %s", path);
  cairo_surface_destroy (widget_pixels);

  lt_gtk_accuracy_view_select_cell (av, -1, -1);
  g_assert_cmpuint (lt_gtk_accuracy_view_get_n_shown_images (av), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
  ui_remove_tree (root);
}

static gboolean
on_error (GtkWidget *view, const GError *error, GError **seen)
{
  g_clear_error (seen);
  *seen = g_error_copy (error);
  return TRUE;
}

static void
test_confusion_and_export (void)
{
  const gint64 counts[] = { 5, 1, 0, 2, 7, 1, 0, 3, 9 };
  gint64       shape[] = { 3, 3 };
  gint64       wide[] = { 2, 3 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) seen = NULL;
  g_autoptr (LtTensor) confusion =
               lt_tensor_new_from_int64s (counts, 9, shape, 2, LT_DTYPE_INT64, &error);
  g_autoptr (LtTensor) not_square =
               lt_tensor_new_from_int64s (counts, 6, wide, 2, LT_DTYPE_INT64, &error);
  const char        *classes[] = { "a", "b", "c", NULL };
  GtkWidget         *view = lt_gtk_accuracy_view_new ();
  LtGtkAccuracyView *av = LT_GTK_ACCURACY_VIEW (view);
  g_autofree char   *dir = g_dir_make_tmp ("lt-gtk-export-XXXXXX", NULL);
  g_autofree char   *png = g_build_filename (dir, "confusion.png", NULL);
  g_autofree char   *svg = g_build_filename (dir, "confusion.svg", NULL);
  g_autofree char   *bad = g_build_filename (dir, "missing", "confusion.png", NULL);
  cairo_surface_t   *image;

  g_object_ref_sink (view);
  g_assert_no_error (error);
  g_assert_false (lt_gtk_accuracy_view_export (av, png, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  lt_gtk_accuracy_view_set_classes (av, classes);
  g_assert_true (lt_gtk_accuracy_view_set_confusion (av, confusion, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 2, 1), ==, 3);
  g_assert_cmpfloat (fabs (lt_gtk_accuracy_view_get_accuracy (av) - 21.0 / 28), <, 1e-12);
  g_assert_false (lt_gtk_accuracy_view_set_confusion (av, not_square, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_cmpint (lt_gtk_accuracy_view_get_count (av, 2, 1), ==, 3);

  lt_gtk_accuracy_view_set_parts (av, LT_GTK_ACCURACY_MATRIX);
  g_assert_cmpint (lt_gtk_accuracy_view_get_parts (av), ==, LT_GTK_ACCURACY_MATRIX);
  g_assert_true (lt_gtk_accuracy_view_export (av, png, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (image);
  g_assert_true (lt_gtk_accuracy_view_export (av, svg, &error));
  g_assert_no_error (error);

  g_assert_false (lt_gtk_accuracy_view_export (av, bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));
  g_signal_connect (view, "error", G_CALLBACK (on_error), &seen);
  _lt_gtk_accuracy_view_export_to (av, bad);
  g_assert_error (seen, LT_ERROR, LT_ERROR_IO);

  g_remove (png);
  g_remove (svg);
  g_rmdir (dir);
  g_assert_finalize_object (view);
}

static void
test_controls (void)
{
  GtkWidget *view = lt_gtk_accuracy_view_new ();
  guint      n = 0;

  g_object_ref_sink (view);
  ui_check_controls (view, &n);
  g_assert_cmpuint (n, >=, 3);
  g_assert_finalize_object (view);
}

int
main (int argc, char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/gtk/accuracy-view/counts", test_counts);
  g_test_add_func ("/gtk/accuracy-view/trainer", test_trainer);
  g_test_add_func ("/gtk/accuracy-view/confusion-and-export", test_confusion_and_export);
  g_test_add_func ("/gtk/accuracy-view/controls", test_controls);
  return g_test_run ();
}
