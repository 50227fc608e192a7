/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-random.h"

G_BEGIN_DECLS

/* Takes @n_blocks Philox blocks from the global generator: the caller uses
 * counters @offset .. @offset + @n_blocks - 1 with key @seed. */
void  _lt_random_reserve           (guint64  n_blocks,
                                    guint64 *seed,
                                    guint64 *offset);
/* While pushed, _lt_random_reserve() on the calling thread takes its blocks
 * from the stream with key @seed starting at block @offset instead of the
 * global generator (lt-random.c); pops restore the previous stream. */
void  _lt_random_push_stream       (guint64  seed,
                                    guint64  offset);
void  _lt_random_pop_stream        (void);
/* The offset the innermost pushed stream of the calling thread has reached
 * (its blocks taken so far since it was pushed at its first offset). */
guint64 _lt_random_stream_offset   (void);

G_END_DECLS
