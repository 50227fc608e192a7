/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lt-train: the tutorial's CIFAR-10 classifier from the command line
 * (`lt-train --help`). The work is in lt-train-app.c.
 */
#include "lt-train-app.h"

int
main (int   argc,
      char *argv[])
{
  return lt_train_main (argc, argv);
}
