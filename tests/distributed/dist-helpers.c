/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dist-helpers.h"

#include <glib/gstdio.h>

const char *
dist_shared_dir (void)
{
  const char *dir = g_getenv ("LT_TEST_RESULT_DIR");

  if (dir == NULL || *dir == '\0')
    g_error (
      "LT_TEST_RESULT_DIR is not set: run this test through tests/distributed/mpi-launch.py");
  return dir;
}

LtProcessGroup *
dist_init (double timeout)
{
  g_autoptr(GError) error = NULL;

  if (!lt_init_process_group ("mpi", timeout, &error))
    g_error ("init_process_group: %s", error->message);
  return lt_process_group_get_default ();
}

void
dist_pass (int rank)
{
  g_autofree char *name = g_strdup_printf ("rank-%d.ok", rank);

  dist_touch_file (name);
}

void
dist_touch_file (const char *name)
{
  g_autofree char *path = g_build_filename (dist_shared_dir (), name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, "ok\n", -1, &error))
    g_error ("%s", error->message);
}

gboolean
dist_wait_file (const char *name, double limit_s)
{
  g_autofree char *path = g_build_filename (dist_shared_dir (), name, NULL);
  gint64           end = g_get_monotonic_time () + (gint64) (limit_s * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
      g_usleep (10000);
    }
  return FALSE;
}
