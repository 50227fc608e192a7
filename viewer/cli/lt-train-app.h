/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* lt-train: parses the command line, trains, prints; returns the exit
 * status (0 done or stopped by Ctrl-C, 1 failed, 2 bad options). */
int lt_train_main (int    argc,
                   char **argv);

G_END_DECLS
