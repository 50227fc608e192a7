/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt-viewer in Chinese (LANGUAGE=zh_CN, the build's zh_CN.mo through
 * LT_LOCALEDIR): every text the window and its shortcuts window show is
 * Chinese, but for names that stay as they are (datasets, optimizers,
 * devices, file formats), and so is the status line while it trains.
 */
#include <string.h>

#include "viewer-test.h"

/* Words that are names in every language */
static const char *const names[] = {
  "libtensor", "CIFAR", "Fashion", "MNIST", "SGD", "Adam", "AdamW",       "RMSprop", "CPU",
  "GPU",       "CUDA",  "PNG",     "SVG",   "CSV", "DOT",  "safetensors", "MB",      NULL,
};

/* The first word of three or more Latin letters in @text that is not a
 * name, or NULL */
static char *
english_word (const char *text)
{
  g_autoptr(GRegex) words = g_regex_new ("[A-Za-z]{3,}", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (words, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *word = g_match_info_fetch (match, 0);

      if (!g_strv_contains (names, word))
        return g_steal_pointer (&word);
      g_match_info_next (match, NULL);
    }
  return NULL;
}

static gboolean
has_chinese (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_get_script (g_utf8_get_char (p)) == G_UNICODE_SCRIPT_HAN)
      return TRUE;
  return FALSE;
}

static void
assert_chinese (GtkWidget *widget, const char *where)
{
  g_autoptr(GPtrArray) texts = ui_collect_texts (widget);
  guint n = 0;

  for (guint i = 0; i < texts->len; i++)
    {
      const char      *text = texts->pdata[i];
      g_autofree char *word = NULL;

      /* A file name is a name */
      if (g_path_is_absolute (text))
        continue;
      word = english_word (text);

      if (word)
        g_error ("%s shows \"%s\": \"%s\" is not translated", where, text, word);
      if (has_chinese (text))
        n++;
    }
  g_test_message ("%s: %u texts, %u with Chinese", where, texts->len, n);
  g_assert_cmpuint (n, >, 10);
}

static void
test_chinese (void)
{
  LtViewerWindow     *window = test_window_new ();
  GtkShortcutsWindow *shortcuts =
    gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_autofree char *status = NULL;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "libtensor 查看器");
  g_assert_cmpstr (_lt_viewer_window_get_status (window), ==, "可以开始训练");
  assert_chinese (GTK_WIDGET (window), "the window");
  assert_chinese (GTK_WIDGET (shortcuts), "the shortcuts window");

  test_start_training (window, 3);
  status = g_strdup (_lt_viewer_window_get_status (window));
  g_test_message ("status: %s", status);
  g_assert_nonnull (strstr (status, "轮"));
  assert_chinese (GTK_WIDGET (window), "the window while training");

  /* How it looks, beside the English screenshots */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "loss");
  ui_iterate_for (800);
  {
    g_autofree char *path =
      g_build_filename (g_getenv ("LT_VIEWER_SCREENSHOT_DIR"), "viewer-loss-zh_CN.png", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (g_mkdir_with_parents (g_getenv ("LT_VIEWER_SCREENSHOT_DIR"), 0755), ==, 0);
    ui_save_screenshot (GTK_WIDGET (window), path, 1.0, &error);
    g_assert_no_error (error);
    g_test_message ("%s", path);
  }
  test_window_destroy (window);
}

void
test_add_chinese_tests (void)
{
  g_test_add_func ("/viewer/zh_CN", test_chinese);
}
