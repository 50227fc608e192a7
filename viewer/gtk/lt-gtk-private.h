/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lt-render.h"
#include "lt-gtk-run-registry.h"
#include "lt-gtk-types.h"

G_BEGIN_DECLS

/* What the widgets share inside the library. */

#define LT_GTK_N_SERIES 3
G_STATIC_ASSERT (LT_GTK_N_SERIES == LT_RENDER_N_SERIES);

/* Binds the gettext domain "libtensor" (codeset UTF-8) once; every class
 * with translatable strings calls it from class_init. LT_LOCALEDIR in the
 * environment overrides the installed folder (uninstalled runs). */
void _lt_gtk_ensure_i18n (void);

/* The colour of run @index (lt_render_run_color()). */
void _lt_gtk_run_color (guint index, GdkRGBA *color);

/* The renderers' theme for @widget: dark when its text colour is light. */
void _lt_gtk_theme_for_widget (GtkWidget *widget, LtRenderTheme *theme);

/* A copy of the registry's points as the loss renderer's data (transfer
 * full; a worker may read it). */
LtRenderLossData *_lt_gtk_run_registry_dup_loss_data (LtGtkRunRegistry *self);

/* Reports @error from a view: emits the view's "error" signal, and shows
 * a message dialog over the window when no handler says it showed it. */
void _lt_gtk_report_error (GtkWidget *widget, guint signal_id, const GError *error);

/* Asks where to export a view and calls @callback with the chosen path
 * (NULL: cancelled). @patterns: NULL-terminated "name", "*.ext" pairs. */
typedef void (*LtGtkExportCallback) (GtkWidget *widget, const char *path, gpointer user_data);
void _lt_gtk_choose_export_path (GtkWidget          *widget,
                                 const char         *title,
                                 const char         *suggested_name,
                                 LtGtkExportCallback callback,
                                 gpointer            user_data);

/* The class names of a dataset, looking through subsets (transfer none;
 * NULL when the dataset has none). */
const char *const *_lt_gtk_dataset_get_classes (LtDataset *dataset);

/* An icon-only button for @action with @label as its tooltip and its
 * accessible label. */
GtkWidget *_lt_gtk_icon_button_new (const char *icon_name, const char *action, const char *label);

/* Runs @func for @task in a worker thread, or, when @trainer is set and
 * not threaded, on this thread: its model and datasets may then be
 * written in JavaScript, which gjs runs on the main thread only. */
void _lt_gtk_task_run (GTask *task, LtTrainer *trainer, GTaskThreadFunc func);

G_END_DECLS
