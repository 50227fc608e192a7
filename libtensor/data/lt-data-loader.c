/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-data-loader.h"
#include "core/lt-tensor-private.h"
#include "core/lt-random-private.h"
#include "core/lt-philox-private.h"
#include "ops/lt-shape.h"

/**
 * LtDataLoader:
 *
 * Reads a dataset in mini-batches, as `torch.utils.data.DataLoader`: the
 * items of a batch are stacked into one input tensor (N, ...) (float32
 * (N, C, H, W) for images after #LtToTensor) and one target tensor (N)
 * (int64 for integer labels).
 *
 * Iterate with lt_data_loader_next() until it returns %TRUE with %NULL
 * inputs: that is the end of an epoch, and the next call starts the next
 * one, reshuffled (%FALSE always means an error, as with
 * g_file_enumerator_iterate()):
 *
 * ```c
 * for (;;)
 *   {
 *     g_autoptr(LtTensor) inputs = NULL;
 *     g_autoptr(LtTensor) targets = NULL;
 *
 *     if (!lt_data_loader_next (loader, &inputs, &targets, error))
 *       return FALSE;
 *     if (inputs == NULL)
 *       break;
 *     ...
 *   }
 * ```
 *
 * lt_data_loader_reset() abandons the current epoch.
 *
 * With num_workers > 0, that many threads read and collate batches ahead
 * of the caller into a bounded queue (two batches per worker), and the
 * batches still come out in order. An error in a worker (the dataset or a
 * transform failing, in C, Python or JavaScript) is returned by the call
 * that reaches its batch, and ends the epoch. Freeing a loader or
 * resetting it mid-epoch stops its workers after the item each is
 * reading. That may happen on one of the loader's own workers (a dataset
 * dropping the last reference to it, or a Python garbage collection
 * running there): the workers then finish on their own instead of being
 * waited for, since the epoch's state is shared with them, not owned by
 * the loader.
 *
 * ## Random numbers
 *
 * At the start of every epoch the loader takes one Philox block from the
 * generator lt_manual_seed() seeds. The shuffled order comes from it, and
 * so does a stream of its own for every sample, keyed by the block, the
 * epoch number and the sample's position in the epoch: random transforms
 * applied while the dataset reads that sample draw from that stream.
 * The same seed thus gives the same batches, augmentations included, for
 * any number of workers, and random ops elsewhere in the program between
 * epochs do not change them.
 */

#define MAX_WORKERS 64
#define BATCHES_PER_WORKER 2

typedef struct
{
  gint64 batch;          /* the batch held, -1 when empty */
  LtTensor *inputs;      /* owned */
  LtTensor *targets;     /* owned, nullable */
  GError *error;         /* owned */
} Slot;

/* One epoch's state, shared by the loader and its workers (each holds a
 * reference): the loader can be reset or freed on any thread, a worker
 * included, without waiting for that thread. */
typedef struct
{
  gatomicrefcount ref;
  GMutex          lock;
  GCond           cond;

  /* Owned */
  LtDataset *dataset;
  gint64    *order; /* the epoch's dataset indices, in reading order */
  Slot      *slots;

  guint   n_slots;
  gint64  batch_size;
  gint64  n_items; /* dataset length at the start of the epoch */
  gint64  n_batches;
  guint64 epoch;      /* its number */
  guint64 sample_key; /* key of the epoch's per-sample streams */
  gint64  next_batch; /* the next batch the caller gets (under lock) */
  gint64  next_claim; /* the next batch a worker takes (under lock) */
  gint    cancel;     /* atomic */
  guint64 block_seed; /* the Philox block it took (its keys come from it) */
  guint64 block_offset;

  /* The workers: joined (or let go) by the one end_epoch () that takes the
   * epoch from the loader */
  GThread **threads;
  guint     n_threads;
} Epoch;

struct _LtDataLoader
{
  GObject parent_instance;

  /* Owned */
  LtDataset *dataset;
  Epoch     *run;  /* the epoch under way, or NULL (under lock) */
  GMutex     lock; /* guards run: a worker may reset the loader */

  /* Settings */
  gint64 batch_size;
  gboolean shuffle;
  gboolean drop_last;
  guint num_workers;

  guint64 epoch; /* epochs started */

  /* A position set by lt_data_loader_set_position(), taken by the next
   * epoch instead of a new block from the generator */
  gboolean has_pending;
  guint64 pending_seed;
  guint64 pending_offset;
  gint64   pending_batch;
};

enum {
  PROP_0,
  PROP_DATASET,
  PROP_BATCH_SIZE,
  PROP_SHUFFLE,
  PROP_DROP_LAST,
  PROP_NUM_WORKERS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (LtDataLoader, lt_data_loader, G_TYPE_OBJECT)

/* Collation */

/* Stacks @n tensors of one shape into (n, ...): @to_int64 makes integer
 * items int64 (labels). */
static LtTensor *
collate (LtTensor  **items,
         gint64      n,
         gboolean    to_int64,
         const char *what,
         gint64      first_position,
         GError    **error)
{
  LtTensor *first = items[0];
  g_autoptr(LtTensor) out = NULL;
  gint64 shape[LT_MAX_DIMS];
  LtDType dtype = first->dtype;
  gsize item_bytes;

  if (first->ndim + 1 > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "DataLoader: %s items have %u dimensions, too many to stack", what, first->ndim);
      return NULL;
    }
  if (to_int64 && lt_dtype_is_integral (dtype, FALSE))
    dtype = LT_DTYPE_INT64;
  shape[0] = n;
  memcpy (shape + 1, first->shape, first->ndim * sizeof (gint64));
  out = _lt_tensor_new_empty (shape, first->ndim + 1, dtype, LT_DEVICE_CPU, error);
  if (out == NULL)
    return NULL;
  item_bytes = first->numel * _lt_dtype_size (dtype);

  for (gint64 i = 0; i < n; i++)
    {
      LtTensor *t = items[i];
      guint8 *dst = (guint8 *) _lt_tensor_data (out) + i * item_bytes;

      if (t->ndim != first->ndim ||
          memcmp (t->shape, first->shape, t->ndim * sizeof (gint64)) != 0)
        {
          g_autofree char *s0 = LT_SHAPE_STR (first);
          g_autofree char *si = LT_SHAPE_STR (t);

          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "DataLoader: cannot stack the %ss of a batch: sample %" G_GINT64_FORMAT
                       " has shape %s, sample %" G_GINT64_FORMAT " has %s",
                       what, first_position + i, si, first_position, s0);
          return NULL;
        }
      if (t->dtype == dtype && t->storage->device == LT_DEVICE_CPU && lt_tensor_is_contiguous (t))
        memcpy (dst, _lt_tensor_data (t), item_bytes);
      else
        {
          g_autoptr(LtTensor) slot = _lt_tensor_new_with_storage (out->storage, first->shape, NULL,
                                                                  first->ndim, i * first->numel,
                                                                  dtype);

          if (!lt_tensor_copy_ (slot, t, error))
            return NULL;
        }
    }
  return g_steal_pointer (&out);
}

/* Set on the loaders' worker threads: a loader reset or freed there does
 * not wait for its workers. */
static GPrivate on_worker;

static Epoch *
epoch_ref (Epoch *run)
{
  g_atomic_ref_count_inc (&run->ref);
  return run;
}

static void
slot_clear (Slot *slot)
{
  g_clear_object (&slot->inputs);
  g_clear_object (&slot->targets);
  g_clear_error (&slot->error);
  slot->batch = -1;
}

static void
epoch_unref (Epoch *run)
{
  if (!g_atomic_ref_count_dec (&run->ref))
    return;
  for (guint i = 0; i < run->n_slots; i++)
    slot_clear (&run->slots[i]);
  g_free (run->slots);
  g_free (run->order);
  g_clear_object (&run->dataset);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->cond);
  g_free (run);
}

/* Reads and collates batch @b. Runs on a worker or the caller's thread;
 * returns FALSE without an error when cancelled. */
static gboolean
make_batch (Epoch *run, gint64 b, LtTensor **inputs, LtTensor **targets, GError **error)
{
  gint64 start = b * run->batch_size;
  gint64 n = MIN (run->batch_size, run->n_items - start);
  g_autoptr(GPtrArray) ins = g_ptr_array_new_full (n, g_object_unref);
  g_autoptr(GPtrArray) tgs = g_ptr_array_new_full (n, g_object_unref);
  guint n_null_targets = 0;

  for (gint64 j = 0; j < n; j++)
    {
      gint64 pos = start + j;
      const uint32_t counter[4] = { (uint32_t) pos, (uint32_t) (pos >> 32), (uint32_t) run->epoch,
                                    (uint32_t) (run->epoch >> 32) };
      const uint32_t key[2] = { (uint32_t) run->sample_key, (uint32_t) (run->sample_key >> 32) };
      LtPhilox4 r = _lt_philox4x32_10_raw (counter, key);
      LtTensor *in = NULL, *tg = NULL;
      gboolean ok;

      if (g_atomic_int_get (&run->cancel))
        return FALSE;
      _lt_random_push_stream ((guint64) r.v[0] | ((guint64) r.v[1] << 32), 0);
      ok = lt_dataset_get_item (run->dataset, run->order[pos], &in, &tg, error);
      _lt_random_pop_stream ();
      if (!ok)
        {
          g_prefix_error (
            error,
            "DataLoader: sample %" G_GINT64_FORMAT " (dataset index %" G_GINT64_FORMAT "): ", pos,
            run->order[pos]);
          return FALSE;
        }
      g_ptr_array_add (ins, in);
      if (tg == NULL)
        n_null_targets++;
      else
        g_ptr_array_add (tgs, tg);
    }
  if (n_null_targets != 0 && n_null_targets != n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "DataLoader: some samples of batch %" G_GINT64_FORMAT " have targets and "
                   "others not", b);
      return FALSE;
    }
  *inputs = collate ((LtTensor **) ins->pdata, n, FALSE, "input", start, error);
  if (*inputs == NULL)
    return FALSE;
  *targets = NULL;
  if (n_null_targets == 0)
    {
      *targets = collate ((LtTensor **) tgs->pdata, n, TRUE, "target", start, error);
      if (*targets == NULL)
        {
          g_clear_object (inputs);
          return FALSE;
        }
    }
  return TRUE;
}

/* Workers */

static gpointer
worker_main (gpointer data)
{
  Epoch *run = data;

  g_private_set (&on_worker, GINT_TO_POINTER (1));
  g_mutex_lock (&run->lock);
  for (;;)
    {
      gint64 b;
      LtTensor *inputs = NULL, *targets = NULL;
      GError *error = NULL;
      gboolean ok;
      Slot *slot;

      if (g_atomic_int_get (&run->cancel) || run->next_claim >= run->n_batches)
        break;
      if (run->next_claim >= run->next_batch + run->n_slots)
        {
          g_cond_wait (&run->cond, &run->lock);
          continue;
        }
      b = run->next_claim++;
      g_mutex_unlock (&run->lock);

      ok = make_batch (run, b, &inputs, &targets, &error);

      g_mutex_lock (&run->lock);
      if (!ok && error == NULL)
        break;                          /* cancelled */
      slot = &run->slots[b % run->n_slots];
      g_assert (slot->batch == -1);
      slot->batch = b;
      slot->inputs = inputs;
      slot->targets = targets;
      slot->error = error;
      g_cond_broadcast (&run->cond);
      if (error != NULL)
        break;                          /* the caller ends the epoch there */
    }
  g_mutex_unlock (&run->lock);
  epoch_unref (run);
  return NULL;
}

/* The epoch under way, with a reference, or NULL. */
static Epoch *
current_epoch (LtDataLoader *self)
{
  Epoch *run;

  g_mutex_lock (&self->lock);
  run = self->run ? epoch_ref (self->run) : NULL;
  g_mutex_unlock (&self->lock);
  return run;
}

/* Ends the epoch under way (only when it is @expected, if given): stops
 * its workers and waits for them (or, on a worker thread, lets them finish
 * on their own), drops what they made. */
static void
end_epoch_if (LtDataLoader *self, Epoch *expected)
{
  gboolean detach = g_private_get (&on_worker) != NULL;
  Epoch   *run;

  g_mutex_lock (&self->lock);
  run = self->run;
  if (run != NULL && (expected == NULL || run == expected))
    self->run = NULL;
  else
    run = NULL;
  g_mutex_unlock (&self->lock);
  if (run == NULL)
    return;
  g_mutex_lock (&run->lock);
  g_atomic_int_set (&run->cancel, 1);
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);
  for (guint i = 0; i < run->n_threads; i++)
    {
      if (detach)
        g_thread_unref (run->threads[i]);
      else
        g_thread_join (run->threads[i]);
    }
  run->n_threads = 0;
  g_clear_pointer (&run->threads, g_free);
  epoch_unref (run);
}

static void
end_epoch (LtDataLoader *self)
{
  end_epoch_if (self, NULL);
}

static gboolean
start_epoch (LtDataLoader *self,
             GError      **error)
{
  guint64 seed, offset, shuffle_key;
  LtPhilox4 r;
  gint64    n, n_batches;
  gint64   *order;
  Epoch    *run;

  if (self->dataset == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "DataLoader: no dataset");
      return FALSE;
    }
  n = MAX (lt_dataset_get_length (self->dataset), 0);
  n_batches =
    self->drop_last ? n / self->batch_size : (n + self->batch_size - 1) / self->batch_size;
  /* The epoch's order of the dataset's indices: a length no memory holds
   * is an error, not an abort. */
  order = (guint64) n <= G_MAXSIZE / sizeof (gint64) ? g_try_new (gint64, MAX (n, 1)) : NULL;
  if (order == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "DataLoader: cannot allocate the order of the dataset's %" G_GINT64_FORMAT
                   " items (8 bytes each): is its length right?",
                   n);
      return FALSE;
    }

  if (self->has_pending)
    {
      /* Resuming an epoch: its block, not a new one (lt_data_loader_set_position) */
      if (self->pending_batch > n_batches)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "DataLoader: cannot resume an epoch at batch %" G_GINT64_FORMAT
                       ": it has %" G_GINT64_FORMAT " batches",
                       self->pending_batch, n_batches);
          g_free (order);
          return FALSE;
        }
      seed = self->pending_seed;
      offset = self->pending_offset;
    }
  else
    _lt_random_reserve (1, &seed, &offset);
  r = _lt_philox4x32_10 (seed, offset);
  shuffle_key = (guint64) r.v[2] | ((guint64) r.v[3] << 32);
  self->epoch++;

  run = g_new0 (Epoch, 1);
  g_atomic_ref_count_init (&run->ref);
  g_mutex_init (&run->lock);
  g_cond_init (&run->cond);
  run->dataset = g_object_ref (self->dataset);
  run->batch_size = self->batch_size;
  run->n_batches = n_batches;
  run->n_items = self->drop_last ? n_batches * self->batch_size : n;
  run->epoch = self->epoch;
  run->sample_key = (guint64) r.v[0] | ((guint64) r.v[1] << 32);
  run->block_seed = seed;
  run->block_offset = offset;

  /* The whole permutation, also with drop_last: the dropped items are
   * random ones, as PyTorch's sampler and batcher do. */
  run->order = order;
  for (gint64 i = 0; i < n; i++)
    run->order[i] = i;
  if (self->shuffle)
    for (gint64 i = n - 1; i > 0; i--)
      {
        LtPhilox4 w = _lt_philox4x32_10 (shuffle_key, (guint64) i);
        guint64 x = (guint64) w.v[0] | ((guint64) w.v[1] << 32);
        gint64 j = (gint64) (((unsigned __int128) x * (guint64) (i + 1)) >> 64);
        gint64    t = run->order[i];

        run->order[i] = run->order[j];
        run->order[j] = t;
      }

  run->next_batch = self->has_pending ? self->pending_batch : 0;
  run->next_claim = run->next_batch;
  self->has_pending = FALSE;

  if (self->num_workers > 0 && n_batches > 0)
    {
      guint n_threads = (guint) MIN ((gint64) self->num_workers, n_batches);

      run->n_slots = MAX (n_threads, 1) * BATCHES_PER_WORKER;
      run->slots = g_new0 (Slot, run->n_slots);
      for (guint i = 0; i < run->n_slots; i++)
        run->slots[i].batch = -1;
      run->threads = g_new0 (GThread *, n_threads);
    }
  for (guint i = 0; run->threads && i < run->n_slots / BATCHES_PER_WORKER; i++)
    {
      g_autofree char *name = g_strdup_printf ("lt-loader-%u", i);
      GThread         *thread = g_thread_try_new (name, worker_main, epoch_ref (run), error);

      if (thread == NULL)
        {
          epoch_unref (run); /* the thread's */
          g_prefix_error (error, "DataLoader: ");
          g_mutex_lock (&run->lock);
          g_atomic_int_set (&run->cancel, 1);
          g_cond_broadcast (&run->cond);
          g_mutex_unlock (&run->lock);
          for (guint j = 0; j < run->n_threads; j++)
            g_thread_join (run->threads[j]);
          run->n_threads = 0;
          g_clear_pointer (&run->threads, g_free);
          epoch_unref (run);
          return FALSE;
        }
      run->threads[run->n_threads++] = thread;
    }
  /* Published only now: a worker that resets the loader before this point
   * finds no epoch to end. */
  g_mutex_lock (&self->lock);
  self->run = run;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/**
 * lt_data_loader_next:
 * @self: a data loader
 * @inputs: (out) (transfer full) (nullable): return location for the
 *   batch's inputs, stacked (N, ...); set to %NULL at the end of the epoch
 * @targets: (out) (transfer full) (optional) (nullable): return location
 *   for the batch's targets, stacked (N, ...) with integers as int64;
 *   %NULL for a dataset without targets and at the end of the epoch
 * @error: return location for a #GError
 *
 * Gets the next batch of the epoch, starting an epoch (and shuffling) when
 * none is under way. As g_file_enumerator_iterate() does, the end of the
 * epoch is not an error: it is %TRUE with @inputs set to %NULL, and the
 * next call starts the next epoch.
 *
 * Returns: %TRUE with a batch, or with %NULL @inputs at the end of the
 *   epoch; %FALSE, always with @error set, when the dataset, a transform
 *   or the collation failed (the epoch ends there)
 */
gboolean
lt_data_loader_next (LtDataLoader *self,
                     LtTensor    **inputs,
                     LtTensor    **targets,
                     GError      **error)
{
  LtTensor *in = NULL, *tg = NULL;
  GError *local = NULL;
  Epoch    *run;
  gboolean  abandoned = FALSE;

  g_return_val_if_fail (LT_IS_DATA_LOADER (self), FALSE);
  g_return_val_if_fail (inputs != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *inputs = NULL;
  if (targets)
    *targets = NULL;
  /* Our own reference: the dataset's code, run here or on a worker, may
   * reset the loader meanwhile. */
  run = current_epoch (self);
  if (run == NULL)
    {
      if (!start_epoch (self, error))
        return FALSE;
      run = current_epoch (self);
      if (run == NULL)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                       "DataLoader: the epoch was abandoned "
                       "(the loader was reset by the dataset's own code) as it started");
          return FALSE;
        }
    }
  if (run->next_batch >= run->n_batches)
    {
      end_epoch_if (self, run);
      epoch_unref (run);
      return TRUE;
    }

  if (run->slots == NULL)
    {
      gboolean ok = make_batch (run, run->next_batch, &in, &tg, &local);

      abandoned = g_atomic_int_get (&run->cancel);
      if (ok)
        run->next_batch++;
      else if (local == NULL)
        abandoned = TRUE;
    }
  else
    {
      Slot *slot = &run->slots[run->next_batch % run->n_slots];

      g_mutex_lock (&run->lock);
      while (slot->batch != run->next_batch && !g_atomic_int_get (&run->cancel))
        g_cond_wait (&run->cond, &run->lock);
      if (slot->batch == run->next_batch)
        {
          in = g_steal_pointer (&slot->inputs);
          tg = g_steal_pointer (&slot->targets);
          local = g_steal_pointer (&slot->error);
          slot->batch = -1;
          run->next_batch++;
          g_cond_broadcast (&run->cond);
        }
      else
        abandoned = TRUE;
      g_mutex_unlock (&run->lock);
    }
  if (abandoned && local == NULL)
    {
      g_clear_object (&in);
      g_clear_object (&tg);
      g_set_error (&local, LT_ERROR, LT_ERROR_FAILED,
                   "DataLoader: the epoch was abandoned (the loader was reset or freed by the "
                   "dataset's own code) while its batch was being read");
    }
  if (local != NULL)
    {
      end_epoch_if (self, run);
      epoch_unref (run);
      g_clear_object (&in);
      g_clear_object (&tg);
      g_propagate_error (error, local);
      return FALSE;
    }
  epoch_unref (run);

  *inputs = in;
  if (targets)
    *targets = tg;
  else
    g_clear_object (&tg);
  return TRUE;
}

/**
 * lt_data_loader_reset:
 * @self: a data loader
 *
 * Abandons the current epoch, if any: the workers stop after the item
 * they are reading, and the next call to lt_data_loader_next() starts a
 * new epoch. Python's `iter(loader)` calls it.
 */
void
lt_data_loader_reset (LtDataLoader *self)
{
  g_return_if_fail (LT_IS_DATA_LOADER (self));
  end_epoch (self);
}

/**
 * lt_data_loader_get_length:
 * @self: a data loader
 *
 * Counts the batches of an epoch, as `len(loader)`.
 *
 * Returns: the number of batches: the number of items divided by the
 *   batch size, rounded up, or down with drop_last
 */
gint64
lt_data_loader_get_length (LtDataLoader *self)
{
  gint64 n;

  g_return_val_if_fail (LT_IS_DATA_LOADER (self), 0);
  if (self->dataset == NULL)
    return 0;
  n = lt_dataset_get_length (self->dataset);
  return self->drop_last ? n / self->batch_size : (n + self->batch_size - 1) / self->batch_size;
}

/**
 * lt_data_loader_get_dataset:
 * @self: a data loader
 *
 * Gets the dataset a loader reads.
 *
 * Returns: (transfer none): the dataset
 */
LtDataset *
lt_data_loader_get_dataset (LtDataLoader *self)
{
  g_return_val_if_fail (LT_IS_DATA_LOADER (self), NULL);
  return self->dataset;
}

/**
 * lt_data_loader_get_batch_size:
 * @self: a data loader
 *
 * Gets the number of items per batch.
 *
 * Returns: the batch size
 */
gint64
lt_data_loader_get_batch_size (LtDataLoader *self)
{
  g_return_val_if_fail (LT_IS_DATA_LOADER (self), 0);
  return self->batch_size;
}

/**
 * lt_data_loader_get_shuffle:
 * @self: a data loader
 *
 * Gets whether every epoch reads the items in a new random order.
 *
 * Returns: %TRUE when shuffling
 */
gboolean
lt_data_loader_get_shuffle (LtDataLoader *self)
{
  g_return_val_if_fail (LT_IS_DATA_LOADER (self), FALSE);
  return self->shuffle;
}

/**
 * lt_data_loader_get_drop_last:
 * @self: a data loader
 *
 * Gets whether a last batch smaller than the batch size is dropped.
 *
 * Returns: %TRUE when the incomplete last batch is dropped
 */
gboolean
lt_data_loader_get_drop_last (LtDataLoader *self)
{
  g_return_val_if_fail (LT_IS_DATA_LOADER (self), FALSE);
  return self->drop_last;
}

/**
 * lt_data_loader_get_num_workers:
 * @self: a data loader
 *
 * Gets the number of worker threads (0: batches are read in the calling
 * thread).
 *
 * Returns: the number of workers
 */
guint
lt_data_loader_get_num_workers (LtDataLoader *self)
{
  g_return_val_if_fail (LT_IS_DATA_LOADER (self), 0);
  return self->num_workers;
}

/**
 * lt_data_loader_get_epoch:
 * @self: a data loader
 *
 * Gets the number of epochs started, the current one included.
 *
 * Returns: the number of epochs started
 */
guint64
lt_data_loader_get_epoch (LtDataLoader *self)
{
  g_return_val_if_fail (LT_IS_DATA_LOADER (self), 0);
  return self->epoch;
}

/**
 * lt_data_loader_get_position:
 * @self: a data loader
 * @epoch: (out) (optional): return location for the number of epochs
 *   started, as lt_data_loader_get_epoch()
 * @seed: (out) (optional): return location for the key of the random block
 *   the current epoch took (0 when no epoch is under way)
 * @offset: (out) (optional): return location for the counter of that block
 * @batch: (out) (optional): return location for the batch the next call to
 *   lt_data_loader_next() returns in the current epoch (the number of
 *   batches already returned), or -1 when no epoch is under way
 *
 * Gets where the loader is, for a checkpoint: with
 * lt_data_loader_set_position() a new loader over the same dataset, with
 * the same batch size and settings, continues exactly there, with the same
 * shuffled order and the same random transforms. The random block is the
 * one the epoch took from the global generator when it began: the order
 * and every sample's random stream derive from it and from @epoch.
 */
void
lt_data_loader_get_position (LtDataLoader *self,
                             guint64      *epoch,
                             guint64      *seed,
                             guint64      *offset,
                             gint64       *batch)
{
  Epoch *run;

  g_return_if_fail (LT_IS_DATA_LOADER (self));
  run = current_epoch (self);
  if (epoch)
    *epoch = self->epoch;
  if (seed)
    *seed = run ? run->block_seed : 0;
  if (offset)
    *offset = run ? run->block_offset : 0;
  if (batch)
    *batch = run ? run->next_batch : -1;
  if (run)
    epoch_unref (run);
}

/**
 * lt_data_loader_set_position:
 * @self: a data loader
 * @epoch: the number of epochs started, current one included
 * @seed: the key of the current epoch's random block
 * @offset: the counter of that block
 * @batch: the next batch to return in the current epoch, or -1 when no
 *   epoch is under way (then @seed and @offset are ignored)
 * @error: return location for a #GError
 *
 * Puts the loader where lt_data_loader_get_position() said another one
 * was. The current epoch, if any, is abandoned. With @batch at 0 or more,
 * the next call to lt_data_loader_next() continues epoch @epoch at batch
 * @batch, in the order and with the per-sample random streams that epoch
 * had, without taking a block from the global generator; with -1, the
 * next call starts epoch @epoch + 1 as usual.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a position that
 *   cannot be (a batch in epoch 0)
 */
gboolean
lt_data_loader_set_position (LtDataLoader *self,
                             guint64       epoch,
                             guint64       seed,
                             guint64       offset,
                             gint64        batch,
                             GError      **error)
{
  g_return_val_if_fail (LT_IS_DATA_LOADER (self), FALSE);

  if (batch >= 0 && epoch == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "DataLoader: a position at batch %" G_GINT64_FORMAT " needs an epoch "
                   "under way (epoch 1 or more), not epoch 0", batch);
      return FALSE;
    }
  end_epoch (self);
  self->has_pending = batch >= 0;
  if (batch >= 0)
    {
      self->epoch = epoch - 1;   /* the next epoch started is @epoch */
      self->pending_seed = seed;
      self->pending_offset = offset;
      self->pending_batch = batch;
    }
  else
    self->epoch = epoch;
  return TRUE;
}

/* GObject */

static void
lt_data_loader_dispose (GObject *object)
{
  LtDataLoader *self = LT_DATA_LOADER (object);

  end_epoch (self);
  g_clear_object (&self->dataset);
  G_OBJECT_CLASS (lt_data_loader_parent_class)->dispose (object);
}

static void
lt_data_loader_finalize (GObject *object)
{
  LtDataLoader *self = LT_DATA_LOADER (object);

  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (lt_data_loader_parent_class)->finalize (object);
}

static void
lt_data_loader_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LtDataLoader *self = LT_DATA_LOADER (object);

  switch (prop_id)
    {
    case PROP_DATASET:
      g_value_set_object (value, self->dataset);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_int64 (value, self->batch_size);
      break;
    case PROP_SHUFFLE:
      g_value_set_boolean (value, self->shuffle);
      break;
    case PROP_DROP_LAST:
      g_value_set_boolean (value, self->drop_last);
      break;
    case PROP_NUM_WORKERS:
      g_value_set_uint (value, self->num_workers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_data_loader_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LtDataLoader *self = LT_DATA_LOADER (object);

  switch (prop_id)
    {
    case PROP_DATASET:
      g_set_object (&self->dataset, g_value_get_object (value));
      break;
    case PROP_BATCH_SIZE:
      self->batch_size = g_value_get_int64 (value);
      break;
    case PROP_SHUFFLE:
      self->shuffle = g_value_get_boolean (value);
      break;
    case PROP_DROP_LAST:
      self->drop_last = g_value_get_boolean (value);
      break;
    case PROP_NUM_WORKERS:
      self->num_workers = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_data_loader_class_init (LtDataLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lt_data_loader_dispose;
  object_class->finalize = lt_data_loader_finalize;
  object_class->get_property = lt_data_loader_get_property;
  object_class->set_property = lt_data_loader_set_property;

  /**
   * LtDataLoader:dataset:
   *
   * The dataset the loader reads.
   */
  props[PROP_DATASET] =
    g_param_spec_object ("dataset", NULL, NULL, LT_TYPE_DATASET, flags);
  /**
   * LtDataLoader:batch-size:
   *
   * The number of items per batch.
   */
  props[PROP_BATCH_SIZE] =
    g_param_spec_int64 ("batch-size", NULL, NULL, 1, G_MAXINT32, 1, flags);
  /**
   * LtDataLoader:shuffle:
   *
   * Whether every epoch reads the items in a new random order.
   */
  props[PROP_SHUFFLE] =
    g_param_spec_boolean ("shuffle", NULL, NULL, FALSE, flags);
  /**
   * LtDataLoader:drop-last:
   *
   * Whether a last batch smaller than the batch size is dropped.
   */
  props[PROP_DROP_LAST] =
    g_param_spec_boolean ("drop-last", NULL, NULL, FALSE, flags);
  /**
   * LtDataLoader:num-workers:
   *
   * The number of worker threads; 0 reads in the calling thread.
   */
  props[PROP_NUM_WORKERS] =
    g_param_spec_uint ("num-workers", NULL, NULL, 0, MAX_WORKERS, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
lt_data_loader_init (LtDataLoader *self)
{
  g_mutex_init (&self->lock);
  self->batch_size = 1;
}

/**
 * lt_data_loader_new:
 * @dataset: the dataset to read
 * @batch_size: the number of items per batch, at least 1
 * @shuffle: read the items in a new random order every epoch
 * @drop_last: drop a last batch smaller than @batch_size
 * @num_workers: the number of worker threads (at most 64); 0 reads in the
 *   calling thread
 * @error: return location for a #GError
 *
 * Creates a data loader, as
 * `DataLoader(dataset, batch_size, shuffle, num_workers, drop_last)`.
 *
 * Returns: (transfer full) (nullable): the loader, or %NULL with @error set
 *   for a batch size below 1 or too many workers
 */
LtDataLoader *
lt_data_loader_new (LtDataset *dataset,
                    gint64     batch_size,
                    gboolean   shuffle,
                    gboolean   drop_last,
                    guint      num_workers,
                    GError   **error)
{
  g_return_val_if_fail (LT_IS_DATASET (dataset), NULL);

  if (batch_size < 1 || batch_size > G_MAXINT32)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "DataLoader: batch_size must be from 1 to %d, not %" G_GINT64_FORMAT,
                   G_MAXINT32, batch_size);
      return NULL;
    }
  if (num_workers > MAX_WORKERS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "DataLoader: num_workers must be at most %d, not %u", MAX_WORKERS, num_workers);
      return NULL;
    }
  return g_object_new (LT_TYPE_DATA_LOADER,
                       "dataset", dataset,
                       "batch-size", batch_size,
                       "shuffle", shuffle,
                       "drop-last", drop_last,
                       "num-workers", num_workers,
                       NULL);
}
