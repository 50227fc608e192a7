/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the widget tests share: starting GTK on a display (or skipping),
 * a CIFAR-format fixture and a trainer over it, waiting on the main loop,
 * and reading a widget's pixels as GTK draws them. Each helper fails the
 * running test (g_assert*) instead of returning an error.
 */
#pragma once

#include <gtk/gtk.h>
#include <libtensor.h>
#include <libtensor-gtk.h>

G_BEGIN_DECLS

/* g_test_init + gtk_init when there is a display; exits 77 (skip) with a
 * reason when there is none (run-ui.sh gives the tests an Xvfb display
 * when xvfb-run is installed). */
void ui_test_init (int *argc, char ***argv);

/* A temporary folder holding cifar-10-batches-bin/ with @per_batch
 * records in each of the five training files and @n_test in the test
 * file: image i of a file has class i % 10 and a pattern of its class.
 * Remove it with ui_remove_tree(). */
char *ui_make_cifar_fixture (guint per_batch, guint n_test);
void  ui_remove_tree (const char *path);

/* A trainer over the fixture in @root: lt-train's network, cross-entropy,
 * SGD (lr 0.01, momentum 0.9), the tutorial's transforms, batches of
 * @batch_size (training shuffled, test not), @epochs epochs, seed 1. */
LtTrainer *ui_make_trainer (const char *root, gint64 batch_size, guint epochs);

/* Iterates the default main context until @done returns TRUE; fails the
 * test after @timeout_ms. */
typedef gboolean (*UiCondition) (gpointer user_data);
#define ui_wait_for(done, user_data, timeout_ms)                                                   \
  ui_wait_for_what (G_STRLOC ": " #done, done, user_data, timeout_ms)
void ui_wait_for_what (const char *what, UiCondition done, gpointer user_data, guint timeout_ms);
/* Starts @trainer and iterates the default main context until its
 * ::finished signal; fails the test when it cannot start or after two
 * minutes. */
void ui_train_to_end (LtTrainer *trainer);
/* Iterates it for @ms milliseconds. */
void ui_spin (guint ms);

/* A window of @width x @height holding @child, presented; waits until it
 * is mapped and @child has its size. */
GtkWidget *ui_window_new (GtkWidget *child, int width, int height);

/* @widget as GTK draws it (its paintable through its native's renderer:
 * GSK's Cairo renderer under GSK_RENDERER=cairo), as an ARGB32 image. */
cairo_surface_t *ui_widget_to_surface (GtkWidget *widget);

/* Walks the render nodes of @widget's snapshot: @n_cairo counts the Cairo
 * nodes, @n_other the nodes that draw anything else (colours, text,
 * textures, borders, shadows...); wrappers (containers, transforms,
 * clips, opacity, debug) are not counted. */
void ui_count_render_nodes (GtkWidget *widget,
                            guint     *n_cairo,
                            guint     *n_other);

/* Counts the pixels that differ between two ARGB32 images of one size. */
guint ui_count_different_pixels (cairo_surface_t *a, cairo_surface_t *b);

/* Saves @surface as BUILD/tests/gtk/screenshots/@name.png (the folder is
 * made when missing); returns the path (transfer full). */
char *ui_save_screenshot (cairo_surface_t *surface, const char *name);

/* A main-loop timer every @interval_ms that records the longest gap
 * between two of its ticks: @max_gap, the wall-clock gap, and @max_busy,
 * the same less the time the main thread spent waiting for a CPU (from
 * /proc/thread-self/schedstat), that is the time it was busy or blocked.
 * On a machine whose cores other processes keep busy, only the latter
 * says whether the UI thread itself held up the main loop. */
typedef struct
{
  guint    source;
  gint64   last_wall;
  gint64   last_wait;
  gint64   max_gap;
  gint64   max_busy;
  gint64   max_busy_running; /* of the gap of max_busy, the time on a CPU */
  gint64   last_running;
  guint    ticks;
  gboolean have_schedstat;
} UiGapMeter;

void ui_gap_meter_start (UiGapMeter *meter, guint interval_ms);
void ui_gap_meter_stop (UiGapMeter *meter);

/* Delivers a key press (@keyval, no modifier) to the key controllers of
 * @widget, as GTK would while it has the focus; returns whether one
 * handled it. */
gboolean ui_send_key (GtkWidget *widget, guint keyval);

/* Delivers a pointer motion to (@x, @y) to the motion controllers of
 * @widget. */
void ui_send_motion (GtkWidget *widget, double x, double y);

/* Checks that every control under @widget (buttons, toggles, scales,
 * drop-downs) can take the focus or holds one that can, and that one
 * without text (an icon-only button, a scale, a drop-down) has a tooltip
 * saying what it does; counts them in @n_controls. */
void ui_check_controls (GtkWidget *widget, guint *n_controls);

G_END_DECLS
