/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "lt-viewer-application-private.h"

/* lt-viewer: the application does everything. */
int
main (int argc, char *argv[])
{
  g_autoptr(LtViewerApplication) app = NULL;

  _lt_viewer_i18n_init ();
  app = lt_viewer_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
