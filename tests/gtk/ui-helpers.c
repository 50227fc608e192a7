/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ui-helpers.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "lt-train-net.h"

void
ui_test_init (int *argc, char ***argv)
{
  const char *x11 = g_getenv ("DISPLAY");
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");

  /* gtk_test_init () aborts without a display: skip instead. */
  if ((x11 == NULL || *x11 == '\0') && (wayland == NULL || *wayland == '\0'))
    {
      g_print ("1..0 # SKIP no display (DISPLAY and WAYLAND_DISPLAY are unset; run under "
               "xvfb-run or meson test --setup headless)\n");
      exit (77);
    }
  gtk_test_init (argc, argv, NULL);
}

/* The fixture */

#define SIDE 32
#define RECORD (1 + 3 * SIDE * SIDE)

static const char *const cifar_classes[] = { "airplane", "automobile", "bird",  "cat",  "deer",
                                             "dog",      "frog",       "horse", "ship", "truck" };

static void
write_record (guint8 *out, guint label, guint seed)
{
  out[0] = label;
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < SIDE; y++)
      for (guint x = 0; x < SIDE; x++)
        {
          guint stripe = ((label % 2 ? y : x) / (2 + label / 2)) % 2;
          int   v = 40 + 18 * (int) label * (int) (c + 1) % 180 + (stripe ? 40 : -20) +
                  (int) ((x * 7 + y * 13 + seed * 31 + c * 5) % 23);
          out[1 + c * SIDE * SIDE + y * SIDE + x] = (guint8) CLAMP (v, 0, 255);
        }
}

static void
write_batch (const char *path, guint n, guint seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *data = g_malloc ((gsize) n * RECORD);

  for (guint i = 0; i < n; i++)
    write_record (data + (gsize) i * RECORD, i % 10, seed + i);
  g_file_set_contents (path, (const char *) data, (gssize) n * RECORD, &error);
  g_assert_no_error (error);
}

char *
ui_make_cifar_fixture (guint per_batch, guint n_test)
{
  g_autoptr (GError) error = NULL;
  char            *root = g_dir_make_tmp ("lt-gtk-test-XXXXXX", &error);
  g_autofree char *folder = NULL;
  g_autoptr (GString) meta = g_string_new (NULL);
  g_autofree char *meta_path = NULL;
  g_autofree char *test_path = NULL;

  g_assert_no_error (error);
  folder = g_build_filename (root, "cifar-10-batches-bin", NULL);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  for (guint b = 1; b <= 5; b++)
    {
      g_autofree char *name = g_strdup_printf ("data_batch_%u.bin", b);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      write_batch (path, per_batch, b * 1000);
    }
  test_path = g_build_filename (folder, "test_batch.bin", NULL);
  write_batch (test_path, n_test, 7);
  for (guint i = 0; i < G_N_ELEMENTS (cifar_classes); i++)
    g_string_append_printf (meta, "%s\n", cifar_classes[i]);
  g_string_append (meta, "\n");
  meta_path = g_build_filename (folder, "batches.meta.txt", NULL);
  g_file_set_contents (meta_path, meta->str, (gssize) meta->len, &error);
  g_assert_no_error (error);
  return root;
}

void
ui_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      ui_remove_tree (child);
    }
  g_rmdir (path);
}

LtTrainer *
ui_make_trainer (const char *root, gint64 batch_size, guint epochs)
{
  static const double half[3] = { 0.5, 0.5, 0.5 };
  g_autoptr (GError) error = NULL;
  g_autoptr (LtTransform) to_tensor = lt_to_tensor_new ();
  g_autoptr (LtTransform) normalize = lt_normalize_new (half, 3, half, 3, &error);
  LtTransform *steps[2] = { to_tensor, normalize };
  g_autoptr (LtTransform) transform = lt_compose_new (steps, 2);
  g_autoptr (LtCifar10) train_set = NULL;
  g_autoptr (LtCifar10) test_set = NULL;
  g_autoptr (LtDataLoader) train = NULL;
  g_autoptr (LtDataLoader) test = NULL;
  g_autoptr (LtTrainNet) net = NULL;
  g_autoptr (LtCrossEntropyLoss) loss = NULL;
  g_autoptr (GPtrArray) params = NULL;
  g_autoptr (LtSGD) sgd = NULL;

  g_assert_no_error (error);
  lt_manual_seed (1);
  train_set = lt_cifar10_new (root, TRUE, transform, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  test_set = lt_cifar10_new (root, FALSE, transform, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  train = lt_data_loader_new (LT_DATASET (train_set), batch_size, TRUE, FALSE, 0, &error);
  g_assert_no_error (error);
  test = lt_data_loader_new (LT_DATASET (test_set), batch_size, FALSE, FALSE, 0, &error);
  g_assert_no_error (error);
  net = lt_train_net_new (3, &error);
  g_assert_no_error (error);
  loss = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error);
  g_assert_no_error (error);
  params = lt_module_parameters (LT_MODULE (net));
  sgd = lt_sgd_new (params, 0.01, 0.9, 0, 0, FALSE, &error);
  g_assert_no_error (error);
  return lt_trainer_new (LT_MODULE (net), LT_LOSS (loss), LT_OPTIMIZER (sgd), train, test, epochs);
}

/* The main loop */

void
ui_wait_for_what (const char *what, UiCondition done, gpointer user_data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (user_data))
    {
      if (g_get_monotonic_time () > end)
        g_error ("waited %u ms for a condition that did not come (%s)", timeout_ms, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
on_trainer_finished (LtTrainer *trainer, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_is_set (gpointer user_data)
{
  return *(gboolean *) user_data;
}

void
ui_train_to_end (LtTrainer *trainer)
{
  g_autoptr (GError) error = NULL;
  gboolean finished = FALSE;
  gulong   id = g_signal_connect (trainer, "finished", G_CALLBACK (on_trainer_finished), &finished);

  g_assert_true (lt_trainer_start (trainer, NULL, &error));
  g_assert_no_error (error);
  ui_wait_for (flag_is_set, &finished, 120000);
  g_signal_handler_disconnect (trainer, id);
}

void
ui_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

typedef struct
{
  GtkWidget *window;
  GtkWidget *child;
  int        width;
  int        height;
} WindowWait;

static gboolean
window_ready (gpointer data)
{
  WindowWait *w = data;

  return gtk_widget_get_mapped (w->window) && gtk_widget_get_width (w->child) > 0 &&
         gtk_widget_get_height (w->child) > 0;
}

GtkWidget *
ui_window_new (GtkWidget *child, int width, int height)
{
  GtkWidget *window = gtk_window_new ();
  WindowWait wait = { window, child, width, height };

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  ui_wait_for (window_ready, &wait, 10000);
  ui_spin (50);
  return window;
}

/* Pixels */

cairo_surface_t *
ui_widget_to_surface (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GskRenderer     *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  cairo_surface_t *surface;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  /* a widget that has not been drawn since it was mapped gives nothing:
   * let the frame clock draw it (slow under sanitizers) */
  for (int tries = 0; node == NULL && tries < 200; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        ui_spin (20);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_surface_flush (surface);
  gdk_texture_download (texture, cairo_image_surface_get_data (surface),
                        (gsize) cairo_image_surface_get_stride (surface));
  cairo_surface_mark_dirty (surface);
  return surface;
}

guint
ui_count_different_pixels (cairo_surface_t *a, cairo_surface_t *b)
{
  int           width = cairo_image_surface_get_width (a);
  int           height = cairo_image_surface_get_height (a);
  int           stride_a = cairo_image_surface_get_stride (a);
  int           stride_b = cairo_image_surface_get_stride (b);
  const guint8 *da, *db;
  guint         n = 0;

  g_assert_cmpint (cairo_image_surface_get_width (b), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (b), ==, height);
  cairo_surface_flush (a);
  cairo_surface_flush (b);
  da = cairo_image_surface_get_data (a);
  db = cairo_image_surface_get_data (b);
  for (int y = 0; y < height; y++)
    {
      const guint32 *ra = (const guint32 *) (da + (gsize) y * stride_a);
      const guint32 *rb = (const guint32 *) (db + (gsize) y * stride_b);
      for (int x = 0; x < width; x++)
        if (ra[x] != rb[x])
          {
            if (n < 5)
              g_test_message ("pixel (%d, %d): %08x, not %08x", x, y, ra[x], rb[x]);
            n++;
          }
    }
  return n;
}

char *
ui_save_screenshot (cairo_surface_t *surface, const char *name)
{
  const char      *build = g_getenv ("LT_BUILD_DIR");
  g_autofree char *dir =
    g_build_filename (build ? build : ".", "tests", "gtk", "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char            *path = g_build_filename (dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  return path;
}

static gboolean
has_focusable (GtkWidget *widget)
{
  if (gtk_widget_get_focusable (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    if (has_focusable (child))
      return TRUE;
  return FALSE;
}

/* Whether a button shows text (its own label, or a label inside it) */
static gboolean
has_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    if (has_text (child))
      return TRUE;
  return FALSE;
}

void
ui_check_controls (GtkWidget *widget, guint *n_controls)
{
  /* GTK's own controls (the window's buttons, an info bar's close button)
   * carry GTK's accessible labels */
  if (GTK_IS_WINDOW_CONTROLS (widget) || GTK_IS_INFO_BAR (widget))
    return;
  if (GTK_IS_BUTTON (widget) || GTK_IS_SCALE (widget) || GTK_IS_DROP_DOWN (widget))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (widget);

      if (!has_focusable (widget))
        g_error ("a %s (%s) that cannot take the focus", G_OBJECT_TYPE_NAME (widget),
                 tooltip ? tooltip : "no tooltip");
      /* an icon-only button, a scale or a drop-down says what it does */
      if ((!GTK_IS_BUTTON (widget) || !has_text (widget)) && (tooltip == NULL || *tooltip == '\0'))
        g_error ("a %s without text or a tooltip", G_OBJECT_TYPE_NAME (widget));
      (*n_controls)++;
      /* a drop-down's own button is part of it */
      if (GTK_IS_DROP_DOWN (widget))
        return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    ui_check_controls (child, n_controls);
}

/* The main loop's gaps */

/* The nanoseconds this thread has spent runnable but waiting for a CPU
 * (and, in @running, on a CPU), or -1 when the kernel does not say. */
static gint64
runqueue_wait (gint64 *running)
{
  g_autofree char *text = NULL;
  guint64          on_cpu, waiting;

  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL) ||
      sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &on_cpu, &waiting) != 2)
    return -1;
  if (running)
    *running = (gint64) on_cpu;
  return (gint64) waiting;
}

static gboolean
gap_tick (gpointer data)
{
  UiGapMeter *m = data;
  gint64      now = g_get_monotonic_time ();
  gint64      running = 0;
  gint64      wait = runqueue_wait (&running);
  gint64      gap = now - m->last_wall;
  gint64      busy = gap;

  if (m->have_schedstat && wait >= 0)
    busy = gap - (wait - m->last_wait) / 1000;
  m->max_gap = MAX (m->max_gap, gap);
  if (busy > m->max_busy)
    {
      m->max_busy = busy;
      m->max_busy_running = (running - m->last_running) / 1000;
    }
  m->last_wall = now;
  m->last_wait = wait;
  m->last_running = running;
  m->ticks++;
  return G_SOURCE_CONTINUE;
}

void
ui_gap_meter_start (UiGapMeter *meter, guint interval_ms)
{
  memset (meter, 0, sizeof *meter);
  meter->last_wait = runqueue_wait (&meter->last_running);
  meter->have_schedstat = meter->last_wait >= 0;
  meter->last_wall = g_get_monotonic_time ();
  meter->source = g_timeout_add (interval_ms, gap_tick, meter);
}

void
ui_gap_meter_stop (UiGapMeter *meter)
{
  g_clear_handle_id (&meter->source, g_source_remove);
  g_test_message ("main loop: %u ticks, longest gap %.1f ms, %.1f ms of it not waiting for a "
                  "CPU (%.1f ms of that running)%s",
                  meter->ticks, meter->max_gap / 1000.0, meter->max_busy / 1000.0,
                  meter->max_busy_running / 1000.0,
                  meter->have_schedstat ? "" : " (no schedstat: the whole gap)");
}

/* Events */

gboolean
ui_send_key (GtkWidget *widget, guint keyval)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  return handled;
}

void
ui_send_motion (GtkWidget *widget, double x, double y)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        g_signal_emit_by_name (controller, "motion", x, y);
    }
}

/* Render nodes */

static void
count_nodes (GskRenderNode *node, guint *n_cairo, guint *n_other)
{
  switch (gsk_render_node_get_node_type (node))
    {
      case GSK_CAIRO_NODE:
        (*n_cairo)++;
        break;
      case GSK_CONTAINER_NODE:
        for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
          count_nodes (gsk_container_node_get_child (node, i), n_cairo, n_other);
        break;
      case GSK_TRANSFORM_NODE:
        count_nodes (gsk_transform_node_get_child (node), n_cairo, n_other);
        break;
      case GSK_CLIP_NODE:
        count_nodes (gsk_clip_node_get_child (node), n_cairo, n_other);
        break;
      case GSK_ROUNDED_CLIP_NODE:
        count_nodes (gsk_rounded_clip_node_get_child (node), n_cairo, n_other);
        break;
      case GSK_OPACITY_NODE:
        count_nodes (gsk_opacity_node_get_child (node), n_cairo, n_other);
        break;
      case GSK_DEBUG_NODE:
        count_nodes (gsk_debug_node_get_child (node), n_cairo, n_other);
        break;
      default:
        (*n_other)++;
        break;
    }
}

void
ui_count_render_nodes (GtkWidget *widget, guint *n_cairo, guint *n_other)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GskRenderNode) node = NULL;

  *n_cairo = *n_other = 0;
  for (int tries = 0; node == NULL && tries < 200; tries++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget),
                              gtk_widget_get_height (widget));
      node = gtk_snapshot_free_to_node (snapshot);
      if (node == NULL)
        ui_spin (20);
    }
  g_assert_nonnull (node);
  count_nodes (node, n_cairo, n_other);
}
