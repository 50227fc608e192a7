/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt-viewer on bad input: a missing data folder (CIFAR-10 cannot be
 * downloaded), a corrupt one, a corrupt checkpoint, unwritable files.
 * Each gives a message in the window that names the problem, and the
 * window then trains on good data as if nothing happened. The download
 * shows its progress (from a server on 127.0.0.1 run by the test).
 */
#include <string.h>

#include "../c/test-helpers.h"
#include "lt-viewer-window-views.h"
#include "viewer-test.h"

/* The error bar shows a message holding every one of @parts */
static void
assert_error_shown (LtViewerWindow *window, const char *first, ...)
{
  const char *message = _lt_viewer_window_get_error_message (window);
  va_list     ap;

  if (message == NULL)
    g_error ("no error message in the window");
  g_test_message ("error bar: %s", message);
  va_start (ap, first);
  for (const char *part = first; part; part = va_arg (ap, const char *))
    if (strstr (message, part) == NULL)
      g_error ("the message \"%s\" does not mention \"%s\"", message, part);
  va_end (ap);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->error_bar)));
}

/* After an error, the window is idle and trains on the fixture. */
static void
assert_still_trains (LtViewerWindow *window)
{
  g_assert_cmpint (window->state, ==, LT_VIEWER_STATE_IDLE);
  g_assert_true (gtk_widget_is_sensitive (window->settings_page));
  g_settings_set_string (window->settings, "data-folder", g_getenv ("LT_VIEWER_FIXTURE"));
  test_start_training (window, 3);
  g_assert_null (_lt_viewer_window_get_error_message (window));
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
}

static void
test_missing_folder (void)
{
  LtViewerWindow  *window = test_window_new ();
  g_autofree char *missing = g_build_filename (ui_test_home (), "no", "such", "folder", NULL);

  g_settings_set_string (window->settings, "data-folder", missing);
  test_activate (window, "win.start");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  /* CIFAR-10 is not there and cannot be downloaded (LT_CIFAR10_URL is a
   * closed port): the message says so, where, and how to get it */
  assert_error_shown (window, "CIFAR-10", missing, "by hand", NULL);
  g_assert_null (_lt_viewer_window_get_trainer (window));
  assert_still_trains (window);
  test_window_destroy (window);
}

static void
test_corrupt_folder (void)
{
  LtViewerWindow  *window = test_window_new ();
  g_autofree char *root = g_build_filename (ui_test_home (), "corrupt", NULL);
  g_autofree char *folder = g_build_filename (root, "cifar-10-batches-bin", NULL);
  g_autofree char *batch = g_build_filename (folder, "data_batch_1.bin", NULL);

  /* A data batch that ends in the middle of a record */
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  write_file (batch, "\x03truncated", 10);
  g_settings_set_string (window->settings, "data-folder", root);
  test_activate (window, "win.start");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  assert_error_shown (window, "CIFAR-10", folder, NULL);
  assert_still_trains (window);
  test_window_destroy (window);
}

static void
test_corrupt_checkpoint (void)
{
  LtViewerWindow  *window = test_window_new ();
  g_autofree char *path = g_build_filename (ui_test_home (), "corrupt.safetensors", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  LtTrainer *trainer;

  /* A run first: a bad checkpoint must not take it away */
  test_start_training (window, 3);
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  trainer = _lt_viewer_window_get_trainer (window);

  /* A header length far beyond the file */
  write_file (path, "\xff\xff\xff\x00\x00\x00\x00\x00{}", 10);
  _lt_viewer_window_open_checkpoint (window, file);
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  assert_error_shown (window, "checkpoint", path, NULL);
  g_assert_true (_lt_viewer_window_get_trainer (window) == trainer);
  g_assert_cmpuint (window->run, ==, 1);

  /* The run goes on */
  test_start_training (window, lt_trainer_get_step (trainer) + 3);
  g_assert_true (_lt_viewer_window_get_trainer (window) == trainer);
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  test_window_destroy (window);
}

/* Writing where nothing can be written: the checkpoint and the export */
static void
test_unwritable (void)
{
  LtViewerWindow  *window = test_window_new ();
  g_autofree char *dir = g_build_filename (ui_test_home (), "missing-folder", NULL);
  g_autofree char *ckpt_path = g_build_filename (dir, "x.safetensors", NULL);
  g_autofree char *png_path = g_build_filename (dir, "loss.png", NULL);
  g_autoptr(GFile) ckpt = g_file_new_for_path (ckpt_path);
  g_autoptr(GFile) png = g_file_new_for_path (png_path);

  /* Nothing to save before a run */
  g_assert_false (_lt_viewer_window_save_checkpoint_to (window, ckpt));
  assert_error_shown (window, "checkpoint", NULL);

  test_start_training (window, 3);
  g_assert_false (_lt_viewer_window_save_checkpoint_to (window, ckpt));
  assert_error_shown (window, "checkpoint", ckpt_path, NULL);
  g_assert_false (g_file_test (ckpt_path, G_FILE_TEST_EXISTS));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "loss");
  g_assert_false (_lt_viewer_window_export_view_to (window, png));
  assert_error_shown (window, "export", NULL);
  g_assert_false (g_file_test (png_path, G_FILE_TEST_EXISTS));

  /* An export from a view's own bar that fails (the view reports it with
   * its "error" signal) shows in the window's error bar too, not in a
   * dialog of the view's */
  {
    GtkWidget *views[] = { GTK_WIDGET (window->image_view), GTK_WIDGET (window->loss_view),
                           GTK_WIDGET (window->graph_view), GTK_WIDGET (window->accuracy_view) };

    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      {
        g_autoptr(GError) error =
                     g_error_new (LT_ERROR, LT_ERROR_IO, "cannot write %s: view %u", png_path, i);
        gboolean handled = FALSE;

        g_signal_emit_by_name (views[i], "error", error, &handled);
        g_assert_true (handled);
        assert_error_shown (window, "export", error->message, NULL);
      }
  }

  /* Training went on meanwhile */
  g_assert_cmpint (window->state, ==, LT_VIEWER_STATE_RUNNING);
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  test_window_destroy (window);
}

/* The trainer fails: its checkpoint cannot be written when it stops (its
 * folder replaced by a file meanwhile). The window says why, and the next
 * start, once the folder is back, trains. */
static void
test_trainer_fails (void)
{
  LtViewerWindow  *window = test_window_new ();
  g_autofree char *folder = g_path_get_dirname (_lt_viewer_window_get_checkpoint_path (window));

  test_start_training (window, 3);
  remove_tree (folder);
  write_file (folder, "not a folder", 12);
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  g_assert_cmpint (lt_trainer_get_state (_lt_viewer_window_get_trainer (window)), ==,
                   LT_TRAINER_STATE_FAILED);
  assert_error_shown (window, "Training failed", folder, NULL);

  g_assert_cmpint (g_remove (folder), ==, 0);
  assert_still_trains (window);
  g_assert_cmpuint (window->run, ==, 2);

  /* Closing: when the checkpoint cannot be written, the window stays to
   * say so */
  test_start_training (window, lt_trainer_get_step (_lt_viewer_window_get_trainer (window)) + 3);
  remove_tree (folder);
  write_file (folder, "not a folder", 12);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  assert_error_shown (window, "Training failed", folder, NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_cmpint (g_remove (folder), ==, 0);
  test_window_destroy (window);
}

/* The download: a server on 127.0.0.1 sends 2 MB slowly (not CIFAR-10:
 * its MD5 is refused at the end), and the progress bar moves meanwhile. */

#define BODY_SIZE (2 * 1024 * 1024)
#define CHUNK (64 * 1024)

static gboolean
serve_cb (GThreadedSocketService *service,
          GSocketConnection      *connection,
          GObject                *source,
          gpointer                user_data)
{
  GInputStream  *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (in);
  g_autofree char   *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                                               "Connection: close\r\n\r\n",
                                             BODY_SIZE);
  g_autofree guint8 *chunk = g_malloc0 (CHUNK);
  char              *line;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
    {
      gboolean end = line[0] == '\0' || g_str_equal (line, "\r");

      g_free (line);
      if (end)
        break;
    }
  if (!g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL))
    return TRUE;
  for (int sent = 0; sent < BODY_SIZE; sent += CHUNK)
    {
      if (!g_output_stream_write_all (out, chunk, CHUNK, NULL, NULL, NULL))
        break;
      g_usleep (25000);
    }
  return TRUE;
}

typedef struct
{
  LtViewerWindow *window;
  double          max_fraction;
  gboolean        saw_downloading;
} DownloadWatch;

static gboolean
download_ended (gpointer data)
{
  DownloadWatch *w = data;

  if (w->window->state == LT_VIEWER_STATE_LOADING)
    {
      double      f = gtk_progress_bar_get_fraction (w->window->download_bar);
      const char *text = gtk_progress_bar_get_text (w->window->download_bar);

      w->max_fraction = MAX (w->max_fraction, f);
      if (text && strstr (text, "Downloading CIFAR-10") &&
          gtk_widget_get_visible (GTK_WIDGET (w->window->download_bar)))
        w->saw_downloading = TRUE;
      return FALSE;
    }
  return TRUE;
}

static void
test_download_progress (void)
{
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (2);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *folder = g_build_filename (ui_test_home (), "download", NULL);
  g_autofree char *old_url = g_strdup (g_getenv ("LT_CIFAR10_URL"));
  LtViewerWindow  *window;
  DownloadWatch    watch = { NULL, 0, FALSE };

  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), any,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                                &bound, &error));
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (serve_cb), NULL);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u/cifar-10-binary.tar.gz",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_setenv ("LT_CIFAR10_URL", url, TRUE);

  window = test_window_new ();
  watch.window = window;
  g_settings_set_string (window->settings, "data-folder", folder);
  test_activate (window, "win.start");
  g_assert_cmpint (window->state, ==, LT_VIEWER_STATE_LOADING);
  g_assert_true (ui_wait_until (download_ended, &watch, UI_WAIT_MS));
  g_test_message ("the progress bar went up to %.2f", watch.max_fraction);
  g_assert_true (watch.saw_downloading);
  g_assert_cmpfloat (watch.max_fraction, >, 0.0);
  /* The whole file came, but it is not CIFAR-10: its checksum is refused */
  assert_error_shown (window, "CIFAR-10", LT_CIFAR10_MD5, NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->download_bar)));
  assert_still_trains (window);
  test_window_destroy (window);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  if (old_url)
    g_setenv ("LT_CIFAR10_URL", old_url, TRUE);
  else
    g_unsetenv ("LT_CIFAR10_URL");
}

/* Closing the window while CIFAR-10 downloads: the download is cancelled,
 * the window goes, and no archive is left in the data folder (nor the
 * partial file it was being written to). */

/* A server that sends the first half of the body, then stalls until the
 * test releases it: the download cannot end before the window closes. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean released;
} Stall;

/* Static: a server thread may still be leaving the wait after the test */
static Stall stall;

static gboolean
serve_stalling_cb (GThreadedSocketService *service,
                   GSocketConnection      *connection,
                   GObject                *source,
                   gpointer                user_data)
{
  GInputStream  *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (in);
  g_autofree char   *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                                               "Connection: close\r\n\r\n",
                                             BODY_SIZE);
  g_autofree guint8 *chunk = g_malloc0 (CHUNK);
  char              *line;
  gint64             deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
    {
      gboolean end = line[0] == '\0' || g_str_equal (line, "\r");

      g_free (line);
      if (end)
        break;
    }
  if (!g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL))
    return TRUE;
  for (int sent = 0; sent < BODY_SIZE / 2; sent += CHUNK)
    if (!g_output_stream_write_all (out, chunk, CHUNK, NULL, NULL, NULL))
      return TRUE;
  g_output_stream_flush (out, NULL, NULL);
  g_mutex_lock (&stall.lock);
  while (!stall.released)
    if (!g_cond_wait_until (&stall.cond, &stall.lock, deadline))
      break;
  g_mutex_unlock (&stall.lock);
  return TRUE;
}

static gboolean
download_under_way (gpointer data)
{
  LtViewerWindow *window = data;

  return window->state == LT_VIEWER_STATE_LOADING &&
         gtk_progress_bar_get_fraction (window->download_bar) > 0;
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_close_while_downloading (void)
{
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (2);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *folder = g_build_filename (ui_test_home (), "download-closed", NULL);
  g_autofree char *old_url = g_strdup (g_getenv ("LT_CIFAR10_URL"));
  g_autoptr(GDir) dir = NULL;
  LtViewerWindow *window;
  gpointer        weak;
  const char     *name;

  g_mutex_lock (&stall.lock);
  stall.released = FALSE;
  g_mutex_unlock (&stall.lock);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), any,
                                                G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                                &bound, &error));
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (serve_stalling_cb), NULL);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u/cifar-10-binary.tar.gz",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_setenv ("LT_CIFAR10_URL", url, TRUE);

  window = test_window_new ();
  weak = window;
  g_settings_set_string (window->settings, "data-folder", folder);
  test_activate (window, "win.start");
  g_assert_true (ui_wait_until (download_under_way, window, UI_WAIT_MS));
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (ui_wait_until (is_gone, &weak, UI_WAIT_MS));
  /* the worker's end, after the window's */
  ui_iterate_for (1500);

  /* only the part file, kept for the next attempt to go on from */
  dir = g_dir_open (folder, 0, &error);
  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      if (!g_str_equal (name, "cifar-10-binary.tar.gz.part"))
        g_error ("%s left in the data folder after the download was cancelled", name);
  g_clear_error (&error);

  g_mutex_lock (&stall.lock);
  stall.released = TRUE;
  g_cond_broadcast (&stall.cond);
  g_mutex_unlock (&stall.lock);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  if (old_url)
    g_setenv ("LT_CIFAR10_URL", old_url, TRUE);
  else
    g_unsetenv ("LT_CIFAR10_URL");
}

/* Stopping while the data loads cancels the load, quietly. */
static void
test_stop_while_loading (void)
{
  LtViewerWindow *window = test_window_new ();

  test_activate (window, "win.start");
  g_assert_cmpint (window->state, ==, LT_VIEWER_STATE_LOADING);
  test_activate (window, "win.stop");
  g_assert_true (test_wait_state (window, LT_VIEWER_STATE_IDLE));
  g_assert_null (_lt_viewer_window_get_error_message (window));
  assert_still_trains (window);
  test_window_destroy (window);
}

void
test_add_bad_input_tests (void)
{
  g_test_add_func ("/viewer/bad-input/missing-folder", test_missing_folder);
  g_test_add_func ("/viewer/bad-input/corrupt-folder", test_corrupt_folder);
  g_test_add_func ("/viewer/bad-input/corrupt-checkpoint", test_corrupt_checkpoint);
  g_test_add_func ("/viewer/bad-input/unwritable", test_unwritable);
  g_test_add_func ("/viewer/bad-input/trainer-fails", test_trainer_fails);
  g_test_add_func ("/viewer/download/progress", test_download_progress);
  g_test_add_func ("/viewer/download/stop-while-loading", test_stop_while_loading);
  g_test_add_func ("/viewer/download/close-while-downloading", test_close_while_downloading);
}
