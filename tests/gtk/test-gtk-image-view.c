/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <glib/gstdio.h>

#include "lt-gtk-image-view-private.h"
#include "lt-gtk-private.h"
#include "ui-helpers.h"

static gboolean
settled (gpointer view)
{
  return _lt_gtk_image_view_is_settled (view);
}

static void
wait_settled (LtGtkImageView *view)
{
  ui_wait_for (settled, view, 60000);
  ui_spin (30);
}

/* (N, 3, 8, 8) float images normalised as the tutorial's: image i filled
 * with a colour of its own */
static LtTensor *
small_batch (gint64 n)
{
  g_autoptr (GError) error = NULL;
  gint64             shape[] = { n, 3, 8, 8 };
  g_autofree double *v = g_new (double, n * 3 * 64);
  LtTensor          *t;

  for (gint64 i = 0; i < n; i++)
    for (gint64 c = 0; c < 3; c++)
      for (gint64 p = 0; p < 64; p++)
        v[(i * 3 + c) * 64 + p] = ((i * 37 + c * 91 + (p % 8 < 4 ? 0 : 60)) % 255) / 127.5 - 1;
  t = lt_tensor_new_from_doubles (v, n * 3 * 64, shape, 4, LT_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  return t;
}

static LtTensor *
int64s (const gint64 *v, gint64 n)
{
  g_autoptr (GError) error = NULL;
  LtTensor *t = lt_tensor_new_from_int64s (v, n, &n, 1, LT_DTYPE_INT64, &error);

  g_assert_no_error (error);
  return t;
}

static void
test_set_batch (void)
{
  const char  *classes[] = { "zero", "one", "two", NULL };
  const gint64 labels[] = { 0, 1, 2, 1, 0, 2 };
  const gint64 predicted[] = { 0, 2, 2, 1, 1, 2 };
  g_autoptr (LtTensor) images = small_batch (6);
  g_autoptr (LtTensor) label_t = int64s (labels, 6);
  g_autoptr (LtTensor) pred_t = int64s (predicted, 6);
  g_autoptr (LtTensor) wrong = int64s (labels, 5);
  g_autoptr (GError) error = NULL;
  GtkWidget       *view = lt_gtk_image_view_new ();
  g_autofree char *name = NULL;

  g_object_ref_sink (view);
  g_assert_cmpuint (lt_gtk_image_view_get_n_images (LT_GTK_IMAGE_VIEW (view)), ==, 0);
  g_assert_cmpint (lt_gtk_image_view_get_label (LT_GTK_IMAGE_VIEW (view), 0), ==, -1);
  lt_gtk_image_view_set_classes (LT_GTK_IMAGE_VIEW (view), classes);

  g_assert_true (
    lt_gtk_image_view_set_batch (LT_GTK_IMAGE_VIEW (view), images, label_t, pred_t, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lt_gtk_image_view_get_n_images (LT_GTK_IMAGE_VIEW (view)), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_assert_cmpint (lt_gtk_image_view_get_label (LT_GTK_IMAGE_VIEW (view), i), ==, labels[i]);
      g_assert_cmpint (lt_gtk_image_view_get_prediction (LT_GTK_IMAGE_VIEW (view), i), ==,
                       predicted[i]);
    }
  g_assert_cmpint (lt_gtk_image_view_get_label (LT_GTK_IMAGE_VIEW (view), 6), ==, -1);
  name = lt_gtk_image_view_dup_class_name (LT_GTK_IMAGE_VIEW (view), 2);
  g_assert_cmpstr (name, ==, "two");
  g_clear_pointer (&name, g_free);
  name = lt_gtk_image_view_dup_class_name (LT_GTK_IMAGE_VIEW (view), 7);
  g_assert_cmpstr (name, ==, "7");

  /* labels of another length: an error, the batch shown stays */
  g_assert_false (
    lt_gtk_image_view_set_batch (LT_GTK_IMAGE_VIEW (view), images, wrong, NULL, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_cmpuint (lt_gtk_image_view_get_n_images (LT_GTK_IMAGE_VIEW (view)), ==, 6);
  g_assert_true (lt_gtk_image_view_get_images (LT_GTK_IMAGE_VIEW (view)) == images);

  /* no trainer: no batches to move through */
  g_assert_false (lt_gtk_image_view_next_batch (LT_GTK_IMAGE_VIEW (view)));
  g_assert_cmpuint (lt_gtk_image_view_get_n_batches (LT_GTK_IMAGE_VIEW (view)), ==, 0);
  g_assert_finalize_object (view);
}

static void
draw_grid (cairo_t *cr, int width, int height, gpointer view)
{
  lt_render_grid_draw (_lt_gtk_image_view_get_grid (view), _lt_gtk_image_view_get_view (view), cr,
                       width, height);
}

/* Pixel for pixel the renderer's, at every zoom */
static void
test_pixels (void)
{
  const gint64 labels[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1 };
  g_autoptr (LtTensor) images = small_batch (12);
  g_autoptr (LtTensor) label_t = int64s (labels, 12);
  g_autoptr (GError) error = NULL;
  GtkWidget           *view = g_object_new (LT_GTK_TYPE_IMAGE_VIEW, "show-controls", FALSE, NULL);
  GtkWidget           *window;
  const LtGtkImageZoom zooms[] = { LT_GTK_IMAGE_ZOOM_FIT, LT_GTK_IMAGE_ZOOM_1X,
                                   LT_GTK_IMAGE_ZOOM_2X, LT_GTK_IMAGE_ZOOM_4X };

  g_object_ref_sink (view);
  g_assert_true (
    lt_gtk_image_view_set_batch (LT_GTK_IMAGE_VIEW (view), images, label_t, NULL, &error));
  window = ui_window_new (view, 500, 360);
  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      GtkWidget       *canvas = _lt_gtk_image_view_get_canvas (LT_GTK_IMAGE_VIEW (view));
      cairo_surface_t *widget_pixels, *renderer_pixels;
      int              width, height;
      guint            n;

      lt_gtk_image_view_set_zoom (LT_GTK_IMAGE_VIEW (view), zooms[z]);
      ui_spin (100);
      widget_pixels = ui_widget_to_surface (canvas);
      width = gtk_widget_get_width (canvas);
      height = gtk_widget_get_height (canvas);
      renderer_pixels = lt_render_to_image (width, height, draw_grid, view);
      {
        guint n_cairo, n_other;

        ui_count_render_nodes (canvas, &n_cairo, &n_other);
        g_assert_cmpuint (n_cairo, ==, 1);
        g_assert_cmpuint (n_other, ==, 0);
      }
      n = ui_count_different_pixels (widget_pixels, renderer_pixels);
      g_test_message ("zoom %d, %d x %d: %u pixels differ", zooms[z], width, height, n);
      g_assert_cmpuint (n, ==, 0);
      if (zooms[z] == LT_GTK_IMAGE_ZOOM_4X)
        {
          /* 4x: the canvas is the grid's natural size, scrolled */
          int nat_w, nat_h;
          lt_render_grid_get_natural_size (_lt_gtk_image_view_get_grid (LT_GTK_IMAGE_VIEW (view)),
                                           _lt_gtk_image_view_get_view (LT_GTK_IMAGE_VIEW (view)),
                                           &nat_w, &nat_h);
          g_assert_cmpint (width, >=, nat_w);
          g_assert_cmpint (height, >=, nat_h);
        }
      cairo_surface_destroy (widget_pixels);
      cairo_surface_destroy (renderer_pixels);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* Bound to a trainer: the batches of its datasets, with their labels;
 * predictions after an epoch */

static void
test_trainer (void)
{
  g_autofree char *root = ui_make_cifar_fixture (4, 12);
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 1);
  g_autoptr (GError) error = NULL;
  GtkWidget       *view = lt_gtk_image_view_new ();
  LtGtkImageView  *iv = LT_GTK_IMAGE_VIEW (view);
  GtkWidget       *window;
  cairo_surface_t *shot;
  g_autofree char *path = NULL;
  LtDataset       *test_set = lt_data_loader_get_dataset (lt_trainer_get_test_loader (trainer));

  g_object_ref_sink (view);
  window = ui_window_new (view, 700, 500);
  lt_gtk_image_view_bind_trainer (iv, trainer);
  g_assert_true (lt_gtk_image_view_get_trainer (iv) == trainer);
  /* the class names come from the CIFAR-10 dataset */
  g_assert_nonnull (lt_gtk_image_view_get_classes (iv));
  g_assert_cmpstr (lt_gtk_image_view_get_classes (iv)[3], ==, "cat");
  wait_settled (iv);

  /* the first training batch: 4 images (the loader's batch size) */
  g_assert_cmpuint (lt_gtk_image_view_get_n_batches (iv), ==, 5);
  g_assert_cmpuint (lt_gtk_image_view_get_n_images (iv), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpint (lt_gtk_image_view_get_label (iv, i), ==, i % 10);
      g_assert_cmpint (lt_gtk_image_view_get_prediction (iv, i), ==, -1);
    }

  /* the test set, batch by batch: the labels of the dataset's items */
  lt_gtk_image_view_set_split (iv, LT_GTK_SPLIT_TEST);
  g_assert_true (lt_gtk_image_view_next_batch (iv));
  g_assert_true (lt_gtk_image_view_next_batch (iv));
  g_assert_false (lt_gtk_image_view_next_batch (iv)); /* 12 images: 3 batches */
  wait_settled (iv);
  g_assert_cmpuint (lt_gtk_image_view_get_batch_index (iv), ==, 2);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (LtTensor) x = NULL;
      g_autoptr (LtTensor) y = NULL;
      gint64 label;

      g_assert_true (lt_dataset_get_item (test_set, 8 + i, &x, &y, &error));
      g_assert_true (lt_tensor_item_int64 (y, &label, &error));
      g_assert_cmpint (lt_gtk_image_view_get_label (iv, i), ==, label);
    }
  g_assert_true (lt_gtk_image_view_previous_batch (iv));
  g_assert_cmpuint (lt_gtk_image_view_get_batch_index (iv), ==, 1);

  /* after an epoch the batch shown is classified */
  ui_train_to_end (trainer);
  ui_spin (50);
  wait_settled (iv);
  for (guint i = 0; i < 4; i++)
    {
      gint64 p = lt_gtk_image_view_get_prediction (iv, i);
      g_assert_cmpint (p, >=, 0);
      g_assert_cmpint (p, <, 10);
    }

  shot = ui_widget_to_surface (view);
  path = ui_save_screenshot (shot, "image-view");
  g_test_message ("screenshot: %s", path);
  cairo_surface_destroy (shot);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
  ui_remove_tree (root);
}

/* Following the training: the batches of ::batch, with that step's
 * predictions */

typedef struct
{
  LtTensor *targets;
  LtTensor *predictions;
  guint     n_batches;
} BatchWatch;

static void
on_batch (LtTrainer  *trainer,
          guint       epoch,
          gint64      iteration,
          LtTensor   *inputs,
          LtTensor   *targets,
          LtTensor   *predictions,
          BatchWatch *watch)
{
  g_set_object (&watch->targets, targets);
  g_set_object (&watch->predictions, predictions);
  watch->n_batches++;
}

static void
test_follow_training (void)
{
  g_autofree char *root = ui_make_cifar_fixture (4, 8);
  g_autoptr (LtTrainer) trainer = ui_make_trainer (root, 4, 1);
  g_autoptr (GError) error = NULL;
  GtkWidget         *view = lt_gtk_image_view_new ();
  LtGtkImageView    *iv = LT_GTK_IMAGE_VIEW (view);
  BatchWatch         watch = { NULL, NULL, 0 };
  g_autofree gint64 *targets = NULL;
  g_autofree gint64 *predictions = NULL;
  gsize              n = 0;

  g_object_ref_sink (view);
  lt_gtk_image_view_bind_trainer (iv, trainer);
  lt_gtk_image_view_set_split (iv, LT_GTK_SPLIT_TEST);
  g_assert_cmpuint (lt_trainer_get_batch_interval (trainer), ==, 0);
  lt_gtk_image_view_set_follow_training (iv, TRUE);
  g_assert_true (lt_gtk_image_view_get_follow_training (iv));
  /* following shows the training set; a trainer that sent no batches sends them */
  g_assert_cmpint (lt_gtk_image_view_get_split (iv), ==, LT_GTK_SPLIT_TRAIN);
  g_assert_cmpuint (lt_trainer_get_batch_interval (trainer), ==,
                    LT_GTK_IMAGE_VIEW_DEFAULT_INTERVAL);

  g_signal_connect (trainer, "batch", G_CALLBACK (on_batch), &watch);
  ui_train_to_end (trainer);
  wait_settled (iv);

  /* the first step's batch (10 steps, one every 50): its targets and the
   * predictions of that step */
  g_assert_cmpuint (watch.n_batches, ==, 1);
  targets = lt_tensor_to_int64s (watch.targets, &n, &error);
  g_assert_cmpuint (n, ==, 4);
  predictions = lt_tensor_to_int64s (watch.predictions, &n, &error);
  g_assert_cmpuint (lt_gtk_image_view_get_n_images (iv), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpint (lt_gtk_image_view_get_label (iv, i), ==, targets[i]);
      g_assert_cmpint (lt_gtk_image_view_get_prediction (iv, i), ==, predictions[i]);
    }

  /* moving to a batch of the dataset stops following */
  g_assert_true (lt_gtk_image_view_next_batch (iv));
  g_assert_false (lt_gtk_image_view_get_follow_training (iv));
  wait_settled (iv);
  for (guint i = 0; i < 4; i++)
    {
      LtDataset *train_set = lt_data_loader_get_dataset (lt_trainer_get_train_loader (trainer));
      g_autoptr (LtTensor) x = NULL;
      g_autoptr (LtTensor) y = NULL;
      gint64 label;

      g_assert_true (lt_dataset_get_item (train_set, 4 + i, &x, &y, &error));
      g_assert_true (lt_tensor_item_int64 (y, &label, &error));
      g_assert_cmpint (lt_gtk_image_view_get_label (iv, i), ==, label);
    }

  g_clear_object (&watch.targets);
  g_clear_object (&watch.predictions);
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
test_export (void)
{
  const gint64 labels[] = { 0, 1, 2, 3 };
  g_autoptr (LtTensor) images = small_batch (4);
  g_autoptr (LtTensor) label_t = int64s (labels, 4);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) seen = NULL;
  GtkWidget       *view = lt_gtk_image_view_new ();
  g_autofree char *dir = g_dir_make_tmp ("lt-gtk-export-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "grid.png", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "grid.png", NULL);
  cairo_surface_t *image;

  g_object_ref_sink (view);
  /* nothing to export yet */
  g_assert_false (lt_gtk_image_view_export (LT_GTK_IMAGE_VIEW (view), png, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (
    lt_gtk_image_view_set_batch (LT_GTK_IMAGE_VIEW (view), images, label_t, NULL, &error));
  g_assert_true (lt_gtk_image_view_export (LT_GTK_IMAGE_VIEW (view), png, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), >, 4 * 8);
  cairo_surface_destroy (image);

  g_assert_false (lt_gtk_image_view_export (LT_GTK_IMAGE_VIEW (view), bad, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_IO);
  g_assert_nonnull (strstr (error->message, bad));

  g_signal_connect (view, "error", G_CALLBACK (on_error), &seen);
  _lt_gtk_image_view_export_to (LT_GTK_IMAGE_VIEW (view), bad);
  g_assert_error (seen, LT_ERROR, LT_ERROR_IO);

  g_remove (png);
  g_rmdir (dir);
  g_assert_finalize_object (view);
}

static void
test_controls (void)
{
  GtkWidget *view = lt_gtk_image_view_new ();
  guint      n = 0;

  g_object_ref_sink (view);
  ui_check_controls (view, &n);
  g_assert_cmpuint (n, >=, 5);
  lt_gtk_image_view_set_zoom (LT_GTK_IMAGE_VIEW (view), LT_GTK_IMAGE_ZOOM_1X);
  gtk_widget_activate_action (view, "images.zoom-in", NULL);
  g_assert_cmpint (lt_gtk_image_view_get_zoom (LT_GTK_IMAGE_VIEW (view)), ==, LT_GTK_IMAGE_ZOOM_2X);
  gtk_widget_activate_action (view, "images.zoom-out", NULL);
  gtk_widget_activate_action (view, "images.zoom-out", NULL);
  g_assert_cmpint (lt_gtk_image_view_get_zoom (LT_GTK_IMAGE_VIEW (view)), ==,
                   LT_GTK_IMAGE_ZOOM_FIT);
  g_assert_finalize_object (view);
}

int
main (int argc, char *argv[])
{
  ui_test_init (&argc, &argv);

  g_test_add_func ("/gtk/image-view/set-batch", test_set_batch);
  g_test_add_func ("/gtk/image-view/pixels", test_pixels);
  g_test_add_func ("/gtk/image-view/trainer", test_trainer);
  g_test_add_func ("/gtk/image-view/follow-training", test_follow_training);
  g_test_add_func ("/gtk/image-view/export", test_export);
  g_test_add_func ("/gtk/image-view/controls", test_controls);
  return g_test_run ();
}
