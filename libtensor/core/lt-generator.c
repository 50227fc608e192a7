/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-generator.h"
#include "lt-random-private.h"

/**
 * LtGenerator:
 *
 * A random number generator of its own, as `torch.Generator`: a seed and
 * an offset into the Philox counter space, like the global generator
 * (lt_manual_seed()) but independent of it. Two generators seeded alike
 * give the same streams.
 *
 * The random functions draw from it between lt_generator_push() and
 * lt_generator_pop() on the calling thread (the Python overrides do this
 * for the `generator=` arguments). A generator is locked from push to pop,
 * so threads that share one take turns and never draw the same numbers.
 */

#define DEFAULT_SEED G_GUINT64_CONSTANT (67280421310721)

struct _LtGenerator
{
  GObject parent_instance;

  GRecMutex lock;
  guint64   seed;
  guint64   offset;
  guint     depth; /* pushes not yet popped, by the thread holding the lock */
};

G_DEFINE_FINAL_TYPE (LtGenerator, lt_generator, G_TYPE_OBJECT)

static void
lt_generator_finalize (GObject *object)
{
  LtGenerator *self = LT_GENERATOR (object);

  g_rec_mutex_clear (&self->lock);
  G_OBJECT_CLASS (lt_generator_parent_class)->finalize (object);
}

static void
lt_generator_class_init (LtGeneratorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_generator_finalize;
}

static void
lt_generator_init (LtGenerator *self)
{
  g_rec_mutex_init (&self->lock);
  self->seed = DEFAULT_SEED;
}

/**
 * lt_generator_new:
 *
 * Creates a generator seeded with PyTorch's default seed, 67280421310721,
 * as `torch.Generator()`.
 *
 * Returns: (transfer full): a new generator
 */
LtGenerator *
lt_generator_new (void)
{
  return g_object_new (LT_TYPE_GENERATOR, NULL);
}

/**
 * lt_generator_manual_seed:
 * @self: a generator
 * @seed: the seed
 *
 * Seeds @self and restarts its stream.
 */
void
lt_generator_manual_seed (LtGenerator *self, guint64 seed)
{
  g_return_if_fail (LT_IS_GENERATOR (self));
  g_rec_mutex_lock (&self->lock);
  self->seed = seed;
  self->offset = 0;
  g_rec_mutex_unlock (&self->lock);
}

/**
 * lt_generator_seed:
 * @self: a generator
 *
 * Seeds @self with a number from the system's entropy (as
 * `Generator.seed()`) and restarts its stream.
 *
 * Returns: the new seed
 */
guint64
lt_generator_seed (LtGenerator *self)
{
  guint64 seed;

  g_return_val_if_fail (LT_IS_GENERATOR (self), 0);
  seed = ((guint64) g_random_int () << 32) | g_random_int ();
  lt_generator_manual_seed (self, seed);
  return seed;
}

/**
 * lt_generator_initial_seed:
 * @self: a generator
 *
 * Gets the seed @self was last seeded with.
 *
 * Returns: the seed
 */
guint64
lt_generator_initial_seed (LtGenerator *self)
{
  guint64 seed;

  g_return_val_if_fail (LT_IS_GENERATOR (self), 0);
  g_rec_mutex_lock (&self->lock);
  seed = self->seed;
  g_rec_mutex_unlock (&self->lock);
  return seed;
}

/**
 * lt_generator_get_state:
 * @self: a generator
 * @seed: (out): the seed
 * @offset: (out): the number of Philox blocks drawn since seeding
 *
 * Gets the whole state of @self, to restore it with
 * lt_generator_set_state().
 */
void
lt_generator_get_state (LtGenerator *self, guint64 *seed, guint64 *offset)
{
  g_return_if_fail (LT_IS_GENERATOR (self));
  g_rec_mutex_lock (&self->lock);
  *seed = self->seed;
  *offset = self->offset;
  g_rec_mutex_unlock (&self->lock);
}

/**
 * lt_generator_set_state:
 * @self: a generator
 * @seed: the seed
 * @offset: the number of Philox blocks drawn since seeding
 *
 * Restores a state that lt_generator_get_state() gave.
 */
void
lt_generator_set_state (LtGenerator *self, guint64 seed, guint64 offset)
{
  g_return_if_fail (LT_IS_GENERATOR (self));
  g_rec_mutex_lock (&self->lock);
  self->seed = seed;
  self->offset = offset;
  g_rec_mutex_unlock (&self->lock);
}

/**
 * lt_generator_push:
 * @self: a generator
 *
 * Makes the random functions of the calling thread (lt_rand(),
 * lt_randint(), lt_randperm(), dropout, the initialisers, ...) draw from
 * @self instead of the global generator, until lt_generator_pop(). Pushes
 * of different generators nest; pushing one that the thread has pushed
 * already is a programming error. @self stays locked for other threads
 * until its pop.
 */
void
lt_generator_push (LtGenerator *self)
{
  g_return_if_fail (LT_IS_GENERATOR (self));
  g_rec_mutex_lock (&self->lock);
  if (self->depth > 0)
    {
      /* its stream is the calling thread's already */
      g_rec_mutex_unlock (&self->lock);
      g_return_if_reached ();
    }
  self->depth++;
  _lt_random_push_stream (self->seed, self->offset);
}

/**
 * lt_generator_pop:
 * @self: the generator the calling thread pushed last
 *
 * Ends the lt_generator_push() of the calling thread: @self keeps the
 * numbers drawn since (its offset moves past them), and the random
 * functions draw from what they drew from before.
 */
void
lt_generator_pop (LtGenerator *self)
{
  g_return_if_fail (LT_IS_GENERATOR (self));
  g_return_if_fail (self->depth > 0);
  self->offset = _lt_random_stream_offset ();
  _lt_random_pop_stream ();
  self->depth--;
  g_rec_mutex_unlock (&self->lock);
}
