/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-threads.h"
#include "backends/lt-backend-private.h"

/**
 * lt_set_num_threads:
 * @n_threads: the number of threads, at least 1
 *
 * Sets how many threads the CPU backend uses, for its own parallel loops and
 * for OpenBLAS together, so the two never oversubscribe the cores. The
 * default is the number of cores, or `LT_NUM_THREADS` from the environment.
 */
void
lt_set_num_threads (int n_threads)
{
  _lt_backends_set_num_threads (MAX (n_threads, 1));
}

/**
 * lt_get_num_threads:
 *
 * Gets the number of threads the CPU backend uses.
 *
 * Returns: the number of threads
 */
int
lt_get_num_threads (void)
{
  return _lt_backends_get_num_threads ();
}
