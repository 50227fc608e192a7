/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays fuzz corpora without libFuzzer: each argument is a file or a
 * folder whose files (sorted by name, not recursing) are each passed to
 * the target's LLVMFuzzerTestOneInput, as libFuzzer would pass them. A
 * failing input aborts inside the target; the file being replayed is
 * printed first, so the log names it. Exits 1 when an argument holds no
 * input at all (an empty or missing corpus is a mistake, not a pass).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fuzz-common.h"

static gboolean
replay_file (const char *path,
             guint      *count)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  uint8_t *copy;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "replay: %s\n", error->message);
      return FALSE;
    }
  printf ("replay: %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  fflush (stdout);
  /* An exact-size copy, as libFuzzer gives (never NULL, even when empty):
   * AddressSanitizer sees a read one byte past the end. */
  copy = g_malloc (MAX (len, 1));
  if (len > 0)
    memcpy (copy, contents, len);
  LLVMFuzzerTestOneInput (copy, len);
  g_free (copy);
  (*count)++;
  return TRUE;
}

static int
cmp_names (const void *a,
           const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int   argc,
      char *argv[])
{
  guint total = 0;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s CORPUS-FOLDER-OR-FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      guint count = 0;

      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            {
              fprintf (stderr, "replay: %s\n", error->message);
              return 1;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);

              if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add (names, g_steal_pointer (&path));
            }
          qsort (names->pdata, names->len, sizeof (char *), cmp_names);
          for (guint k = 0; k < names->len; k++)
            if (!replay_file (g_ptr_array_index (names, k), &count))
              return 1;
        }
      else if (!replay_file (argv[i], &count))
        return 1;
      if (count == 0)
        {
          fprintf (stderr, "replay: %s holds no input\n", argv[i]);
          return 1;
        }
      printf ("replay: %u inputs from %s, all passed\n", count, argv[i]);
      total += count;
    }
  printf ("replay: %u inputs in all\n", total);
  return 0;
}
