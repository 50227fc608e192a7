/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The widgets speak the user's language: run with LANGUAGE=zh_CN (and a
 * UTF-8 locale) against the build's translations (LT_LOCALEDIR), their
 * controls and status are in Chinese. */
#include <locale.h>
#include <string.h>

#include "ui-helpers.h"

/* The first label under @widget whose text is @want */
static gboolean
has_label (GtkWidget *widget, const char *want)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), want) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, want))
      return TRUE;
  return FALSE;
}

static void
test_chinese (void)
{
  GtkWidget *loss = lt_gtk_loss_view_new ();
  GtkWidget *window = lt_gtk_trainer_window_new (NULL);
  g_autoptr (LtGtkRunRegistry) registry = lt_gtk_run_registry_new ();
  LtGtkRun *run = lt_gtk_run_registry_add_run (registry, NULL);

  g_object_ref_sink (loss);
  g_assert_true (has_label (loss, "平滑(_S)"));
  g_assert_false (has_label (loss, "_Smoothing"));
  g_assert_cmpstr (
    gtk_widget_get_tooltip_text (gtk_widget_get_last_child (gtk_widget_get_first_child (loss))), ==,
    "导出为 PNG、SVG 或 CSV");
  g_assert_cmpstr (lt_gtk_trainer_window_get_status (LT_GTK_TRAINER_WINDOW (window)), ==,
                   "没有训练器");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "训练中");
  g_assert_cmpstr (lt_gtk_run_get_name (run), ==, "运行 1");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (loss);
}

int
main (int argc, char *argv[])
{
  ui_test_init (&argc, &argv);
  /* gtk_test_init () sets an English locale: take the environment's */
  g_assert_nonnull (setlocale (LC_ALL, ""));
  g_test_add_func ("/gtk/i18n/chinese", test_chinese);
  return g_test_run ();
}
