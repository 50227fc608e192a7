/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the distributed tests share. They run under mpirun through
 * mpi-launch.py, which gives every rank $LT_TEST_RESULT_DIR (a folder
 * shared by the ranks of this machine): a rank that passes writes
 * rank-R.ok there (dist_pass), and mpi-launch.py requires one per rank.
 */
#pragma once

#include <libtensor.h>

/* The folder the ranks share, from $LT_TEST_RESULT_DIR. */
const char *dist_shared_dir (void);

/* Initialises the default group with the MPI backend and @timeout; fails
 * the process on error. */
LtProcessGroup *dist_init (double timeout);

/* Records that this rank passed. */
void dist_pass (int rank);

/* Waits (polling, at most @limit_s) for a file in the shared folder. */
gboolean dist_wait_file (const char *name,
                         double      limit_s);
void     dist_touch_file (const char *name);
