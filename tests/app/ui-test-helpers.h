/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the in-process UI tests share: a display (the test runs itself
 * again under xvfb-run when there is none), waiting on the main loop,
 * and screenshots.
 */
#pragma once

#include <gtk/gtk.h>

/* Runs the test under `dbus-run-session -- xvfb-run -a` when there is no
 * display (exit 77, meson's skip, when xvfb-run is not installed), points
 * the XDG folders at a temporary one, then gtk_test_init(). */
void     ui_test_init        (int         *argc,
                              char      ***argv);

/* The temporary home of the test (XDG folders under it) */
const char *ui_test_home     (void);

/* How long the tests wait for something that must happen (a window
 * mapped, a state reached, a layout done) before they call it a hang: not
 * a timing, a guard; generous for sanitizer builds on a busy machine. */
#define UI_WAIT_MS (10 * 60 * 1000)

typedef gboolean (*UiCondition) (gpointer data);

/* Iterates the main context until @cond holds; FALSE when it did not
 * within @timeout_ms (a hang, not a timing: the tests give minutes). */
gboolean ui_wait_until       (UiCondition  cond,
                              gpointer     data,
                              guint        timeout_ms);

/* Iterates the main context for @ms milliseconds. */
void     ui_iterate_for      (guint        ms);

/* Draws @widget (mapped) with its window's renderer and saves a PNG,
 * scaled by @scale. */
gboolean ui_save_screenshot  (GtkWidget   *widget,
                              const char  *path,
                              double       scale,
                              GError     **error);

/* Main-loop gaps: a 5 ms timeout notes the longest wait between two of
 * its runs (@max_gap). On a shared machine a wait also holds time the
 * program could not use: the main thread ready to run while other
 * processes had the CPUs, or waiting for the X server while the X server
 * (the test's Xvfb) was (the kernel's run-queue delays,
 * /proc/.../schedstat). @max_own_gap leaves that out: it is what the
 * program itself kept the main loop from running. */
typedef struct
{
  guint source;
  guint ticks;
  gint64 last;                  /* µs, monotonic */
  gint64 last_queued;           /* ns the main thread waited on a run queue so far */
  gint64 last_server_queued;    /* ns the X server did */
  char *server_schedstat;       /* the X server's schedstat file, or NULL */
  gint64 max_gap;               /* µs */
  gint64 max_own_gap;           /* µs */
} UiGapMeter;

void     ui_gap_meter_start  (UiGapMeter  *meter);
void     ui_gap_meter_stop   (UiGapMeter  *meter);

/* The text of every visible GtkLabel under @widget (a button's label is
 * one), in order, leaving out key names */
GPtrArray *ui_collect_texts  (GtkWidget   *widget);
