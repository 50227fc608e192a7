/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "../c/test-helpers.h"
#include "ui-test-helpers.h"

#define HEADLESS_MARK "LT_UI_TEST_HEADLESS"

static char *home;

/* No display: run this test again in a virtual X server with its own
 * session bus. Only a display that cannot be had is a skip. */
static void
ensure_display (int argc, char **argv)
{
  g_autofree char *xvfb_run = NULL;
  g_autofree char *dbus_run = NULL;
  g_autoptr(GPtrArray) args = NULL;

  if (g_getenv ("DISPLAY") || g_getenv ("WAYLAND_DISPLAY"))
    return;
  if (g_getenv (HEADLESS_MARK))
    {
      g_printerr ("no display even under xvfb-run\n");
      exit (1);
    }
  xvfb_run = g_find_program_in_path ("xvfb-run");
  dbus_run = g_find_program_in_path ("dbus-run-session");
  if (xvfb_run == NULL)
    {
      g_print ("1..0 # SKIP display: none, and no xvfb-run to make one (apt-get install xvfb)\n");
      exit (77);
    }
  args = g_ptr_array_new ();
  if (dbus_run)
    {
      g_ptr_array_add (args, dbus_run);
      g_ptr_array_add (args, (char *) "--");
    }
  g_ptr_array_add (args, xvfb_run);
  g_ptr_array_add (args, (char *) "-a");
  g_ptr_array_add (args, (char *) "-s");
  g_ptr_array_add (args, (char *) "-screen 0 1280x800x24 -noreset");
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);
  g_setenv (HEADLESS_MARK, "1", TRUE);
  g_setenv ("GTK_A11Y", "none", FALSE);
  execv ((const char *) args->pdata[0], (char **) args->pdata);
  g_printerr ("cannot run %s: %s\n", (const char *) args->pdata[0], g_strerror (errno));
  exit (1);
}

/* The test's files (checkpoints, downloads), unless LT_UI_TEST_KEEP is set */
static void
remove_home (void)
{
  if (home && !g_getenv ("LT_UI_TEST_KEEP"))
    remove_tree (home);
  g_clear_pointer (&home, g_free);
}

void
ui_test_init (int *argc, char ***argv)
{
  static const char *const xdg[] = {
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
  };
  g_autoptr(GError) error = NULL;

  ensure_display (*argc, *argv);

  /* Before GLib reads them: the test's own XDG folders */
  home = g_dir_make_tmp ("lt-ui-test-XXXXXX", &error);
  if (home == NULL)
    {
      g_printerr ("cannot make a temporary folder: %s\n", error->message);
      exit (1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *dir = g_build_filename (home, xdg[i] + 4, NULL);

      g_mkdir_with_parents (dir, 0700);
      g_setenv (xdg[i], dir, TRUE);
    }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  atexit (remove_home);
  gtk_test_init (argc, argv, NULL);
}

const char *
ui_test_home (void)
{
  return home;
}

typedef struct
{
  gboolean done;
} Timeout;

static gboolean
timeout_cb (gpointer data)
{
  ((Timeout *) data)->done = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ui_wait_until (UiCondition cond, gpointer data, guint timeout_ms)
{
  Timeout  t = { FALSE };
  guint    id = g_timeout_add (timeout_ms, timeout_cb, &t);
  gboolean ok;

  while (!(ok = cond (data)) && !t.done)
    g_main_context_iteration (NULL, TRUE);
  if (!t.done)
    g_source_remove (id);
  return ok;
}

void
ui_iterate_for (guint ms)
{
  Timeout t = { FALSE };

  g_timeout_add (ms, timeout_cb, &t);
  while (!t.done)
    g_main_context_iteration (NULL, TRUE);
}

/* A widget paintable is empty while its widget waits for a new size (a
 * label's text changed): take the picture right after the frame clock
 * has laid out and painted the window. */
typedef struct
{
  GtkWidget     *widget;
  int            width, height;
  GskRenderNode *node;
} Grab;

static void
grab_after_paint (GdkFrameClock *clock, Grab *grab)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;

  if (grab->node)
    return;
  grab->width = gtk_widget_get_width (grab->widget);
  grab->height = gtk_widget_get_height (grab->widget);
  paintable = gtk_widget_paintable_new (grab->widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, grab->width, grab->height);
  grab->node = gtk_snapshot_free_to_node (snapshot);
  if (grab->node == NULL)
    gtk_widget_queue_draw (grab->widget);
}

static gboolean
grabbed (gpointer data)
{
  return ((Grab *) data)->node != NULL;
}

gboolean
ui_save_screenshot (GtkWidget *widget, const char *path, double scale, GError **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer   *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  Grab grab = { widget, gtk_widget_get_width (widget), gtk_widget_get_height (widget), NULL };
  cairo_surface_t *full, *small;
  cairo_t         *cr;
  cairo_status_t   status;
  int              width = grab.width, height = grab.height;
  gulong           id;

  if (renderer == NULL || clock == NULL || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the widget is not drawn yet");
      return FALSE;
    }
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (grab_after_paint), &grab);
  gtk_widget_queue_draw (widget);
  ui_wait_until (grabbed, &grab, UI_WAIT_MS);
  g_signal_handler_disconnect (clock, id);
  node = g_steal_pointer (&grab.node);
  width = grab.width;
  height = grab.height;
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the widget draws nothing");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));

  full = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  gdk_texture_download (texture, cairo_image_surface_get_data (full),
                        cairo_image_surface_get_stride (full));
  cairo_surface_mark_dirty (full);
  small = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width * scale + 0.5),
                                      (int) (height * scale + 0.5));
  cr = cairo_create (small);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, full, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (small, path);
  cairo_surface_destroy (small);
  cairo_surface_destroy (full);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

static void
collect (GtkWidget *widget, GPtrArray *texts)
{
  /* Key names (Ctrl, Alt) are the keyboard's, not the program's */
  if (!gtk_widget_get_visible (widget) || GTK_IS_SHORTCUT_LABEL (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      if (text && *text)
        g_ptr_array_add (texts, g_strdup (text));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect (child, texts);
}

GPtrArray *
ui_collect_texts (GtkWidget *widget)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  /* @widget itself may be a window not shown (the shortcuts window) */
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    collect (child, texts);
  return texts;
}

/* Nanoseconds a thread or process has waited on a run queue (the second
 * number of its schedstat file), or -1 */
static gint64
queued_ns (const char *schedstat)
{
  g_autofree char *text = NULL;
  gint64           on_cpu, queued;

  if (schedstat == NULL || !g_file_get_contents (schedstat, &text, NULL, NULL) ||
      sscanf (text, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &on_cpu, &queued) != 2)
    return -1;
  return queued;
}

/* The schedstat file of the X server of $DISPLAY when it is an Xvfb
 * (the test's own), or NULL */
static char *
find_display_server (void)
{
  const char *display = g_getenv ("DISPLAY");
  g_autoptr(GDir) proc = NULL;
  const char *name;

  if (display == NULL || (proc = g_dir_open ("/proc", 0, NULL)) == NULL)
    return NULL;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      gsize            len;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &len, NULL) ||
          len == 0 || !g_str_has_suffix (cmdline, "Xvfb"))
        continue;
      /* Its arguments, NUL-separated: the display is one of them */
      for (gsize i = strlen (cmdline) + 1; i < len; i += strlen (cmdline + i) + 1)
        if (g_str_equal (cmdline + i, display))
          return g_build_filename ("/proc", name, "schedstat", NULL);
    }
  return NULL;
}

static gint64
waited_us (gint64 now_ns, gint64 then_ns)
{
  return now_ns >= 0 && then_ns >= 0 ? (now_ns - then_ns) / 1000 : 0;
}

static gboolean
gap_tick_cb (gpointer data)
{
  UiGapMeter *m = data;
  gint64      now = g_get_monotonic_time ();
  gint64      queued = queued_ns ("/proc/thread-self/schedstat");
  gint64      server_queued = queued_ns (m->server_schedstat);

  if (m->last)
    {
      gint64 gap = now - m->last;
      /* The main thread waits for the CPU itself, or for the X server
       * while the X server waits for one: the longer of the two is left
       * out (not both, they may overlap) */
      gint64 waited =
        MAX (waited_us (queued, m->last_queued), waited_us (server_queued, m->last_server_queued));

      m->max_gap = MAX (m->max_gap, gap);
      m->max_own_gap = MAX (m->max_own_gap, MAX (gap - waited, 0));
    }
  m->last = now;
  m->last_queued = queued;
  m->last_server_queued = server_queued;
  m->ticks++;
  return G_SOURCE_CONTINUE;
}

void
ui_gap_meter_start (UiGapMeter *meter)
{
  memset (meter, 0, sizeof *meter);
  meter->server_schedstat = find_display_server ();
  meter->source = g_timeout_add (5, gap_tick_cb, meter);
}

void
ui_gap_meter_stop (UiGapMeter *meter)
{
  g_clear_handle_id (&meter->source, g_source_remove);
  g_clear_pointer (&meter->server_schedstat, g_free);
}
