/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-random-private.h"

/*
 * The global generator: a seed and an offset into the Philox counter space.
 * Every random op takes a range of counters under the lock and computes its
 * values from them, so the numbers depend only on the seed and the order of
 * the random ops, never on threads or devices.
 */

#define DEFAULT_SEED G_GUINT64_CONSTANT (67280421310721)

static GMutex lock;
static guint64 state_seed = DEFAULT_SEED;
static guint64 state_offset;

/**
 * lt_manual_seed:
 * @seed: the seed
 *
 * Seeds the global random number generator (a Philox 4x32-10 counter-based
 * generator) and restarts its stream, as `torch.manual_seed()`. The same seed
 * gives the same numbers whatever the number of threads.
 */
void
lt_manual_seed (guint64 seed)
{
  g_mutex_lock (&lock);
  state_seed = seed;
  state_offset = 0;
  g_mutex_unlock (&lock);
}

/**
 * lt_initial_seed:
 *
 * Gets the seed of the global generator.
 *
 * Returns: the seed given to lt_manual_seed(), or the default seed
 */
guint64
lt_initial_seed (void)
{
  guint64 seed;

  g_mutex_lock (&lock);
  seed = state_seed;
  g_mutex_unlock (&lock);
  return seed;
}

/**
 * lt_random_get_state:
 * @seed: (out): the seed
 * @offset: (out): the number of Philox blocks used since seeding
 *
 * Gets the whole state of the global generator, for checkpoints.
 */
void
lt_random_get_state (guint64 *seed,
                     guint64 *offset)
{
  g_mutex_lock (&lock);
  if (seed)
    *seed = state_seed;
  if (offset)
    *offset = state_offset;
  g_mutex_unlock (&lock);
}

/**
 * lt_random_set_state:
 * @seed: a seed
 * @offset: an offset, as returned by lt_random_get_state()
 *
 * Restores the global generator to a state lt_random_get_state() returned:
 * the numbers that follow are the ones that followed then.
 */
void
lt_random_set_state (guint64 seed,
                     guint64 offset)
{
  g_mutex_lock (&lock);
  state_seed = seed;
  state_offset = offset;
  g_mutex_unlock (&lock);
}

/*
 * Per-thread streams: while a stream is pushed on a thread, the random ops
 * that thread runs take their counters from it instead of the global
 * generator. The data loader gives every sample a stream derived from the
 * epoch's state and the sample's position, so a random transform draws the
 * same numbers whichever worker thread runs it. Pushes nest.
 */

#define MAX_STREAMS 8

typedef struct
{
  guint64 seed;
  guint64 offset;
} Stream;

static _Thread_local Stream streams[MAX_STREAMS];
static _Thread_local guint n_streams;

void
_lt_random_push_stream (guint64 seed,
                        guint64 offset)
{
  g_return_if_fail (n_streams < MAX_STREAMS);
  streams[n_streams].seed = seed;
  streams[n_streams].offset = offset;
  n_streams++;
}

void
_lt_random_pop_stream (void)
{
  g_return_if_fail (n_streams > 0);
  n_streams--;
}

guint64
_lt_random_stream_offset (void)
{
  g_return_val_if_fail (n_streams > 0, 0);
  return streams[n_streams - 1].offset;
}

void
_lt_random_reserve (guint64  n_blocks,
                    guint64 *seed,
                    guint64 *offset)
{
  if (n_streams > 0)
    {
      Stream *s = &streams[n_streams - 1];

      *seed = s->seed;
      *offset = s->offset;
      s->offset += n_blocks;
      return;
    }
  g_mutex_lock (&lock);
  *seed = state_seed;
  *offset = state_offset;
  state_offset += n_blocks;
  g_mutex_unlock (&lock);
}
