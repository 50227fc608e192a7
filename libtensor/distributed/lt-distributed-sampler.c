/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-distributed-sampler.h"
#include "lt-process-group.h"
#include "core/lt-error.h"
#include "core/lt-philox-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-creation.h"

/**
 * LtDistributedSampler:
 *
 * Gives each rank of a data-parallel job its own shard of a dataset, as
 * `torch.utils.data.distributed.DistributedSampler`, with the same rules:
 *
 * - The epoch's order is the dataset's indices in order or, with
 *   #LtDistributedSampler:shuffle, a permutation drawn from a generator
 *   seeded with #LtDistributedSampler:seed plus the epoch: the same on
 *   every rank, another each epoch.
 * - Each rank gets `num_samples` indices: the length divided by the
 *   number of replicas, rounded up, or down with
 *   #LtDistributedSampler:drop-last. Rounded up, the order is padded by
 *   repeating it from its start so that every rank gets as many (some
 *   items are then read twice per epoch); rounded down, its tail is left
 *   out.
 * - Rank r takes the positions r, r + num_replicas, r + 2 num_replicas...
 *   of that order: the shards are disjoint (but for the padding) and their
 *   union is the epoch.
 *
 * Given to lt_data_loader_set_sampler(), it gets the loader's epoch
 * number, so each epoch reshuffles by itself; after
 * lt_distributed_sampler_set_epoch() (the `set_epoch()` PyTorch's loops
 * call at the start of each epoch) that epoch is used instead. The
 * permutation is Philox's, not PyTorch's Mersenne twister: the same seed
 * gives a different order than PyTorch's, with the same properties.
 */

struct _LtDistributedSampler
{
  GObject parent_instance;

  int      num_replicas;
  int      rank;
  gboolean shuffle;
  gboolean drop_last;
  guint64  seed;
  gint64   epoch; /* -1: the loader's */
};

enum
{
  PROP_0,
  PROP_NUM_REPLICAS,
  PROP_RANK,
  PROP_SHUFFLE,
  PROP_SEED,
  PROP_DROP_LAST,
  PROP_EPOCH,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void lt_distributed_sampler_sampler_init (LtSamplerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtDistributedSampler,
                               lt_distributed_sampler,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_SAMPLER,
                                                      lt_distributed_sampler_sampler_init))

/* An unbiased draw from [0, bound) of the 64 bits @x (Lemire's product). */
static inline gint64
below (guint64 x, guint64 bound)
{
  return (gint64) (((unsigned __int128) x * bound) >> 64);
}

static LtTensor *
lt_distributed_sampler_get_indices_impl (LtSampler *sampler,
                                         gint64     n,
                                         guint64    loader_epoch,
                                         GError   **error)
{
  LtDistributedSampler *self = LT_DISTRIBUTED_SAMPLER (sampler);
  guint64               epoch = self->epoch >= 0 ? (guint64) self->epoch : loader_epoch;
  gint64                num_samples;
  g_autofree gint64    *order = NULL;
  LtTensor             *out;
  gint64               *v;

  if (n < 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "DistributedSampler: a dataset of %" G_GINT64_FORMAT " items", n);
      return NULL;
    }
  num_samples = lt_distributed_sampler_get_num_samples (self, n);
  out = lt_empty ((gint64[]){ num_samples }, 1, LT_DTYPE_INT64, error);
  if (out == NULL)
    return NULL;
  if (num_samples == 0)
    return out;

  order = g_try_new (gint64, n);
  if (order == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "DistributedSampler: cannot allocate the order of %" G_GINT64_FORMAT " items",
                   n);
      g_object_unref (out);
      return NULL;
    }
  for (gint64 i = 0; i < n; i++)
    order[i] = i;
  if (self->shuffle)
    {
      /* Fisher-Yates; draw i is Philox's block i under the key seed + epoch,
       * so the permutation depends on them only: every rank draws the
       * same. */
      guint64 key = self->seed + epoch;

      for (gint64 i = n - 1; i > 0; i--)
        {
          LtPhilox4 w = _lt_philox4x32_10 (key, (guint64) i);
          gint64    j = below ((guint64) w.v[0] | ((guint64) w.v[1] << 32), (guint64) (i + 1));
          gint64    t = order[i];

          order[i] = order[j];
          order[j] = t;
        }
    }
  /* Position k of the padded (or cut) order is order[k % n]: PyTorch pads
   * with the order's start, repeated as often as needed. */
  v = _lt_tensor_data (out);
  for (gint64 i = 0, k = self->rank; i < num_samples; i++, k += self->num_replicas)
    v[i] = order[k % n];
  return out;
}

static void
lt_distributed_sampler_sampler_init (LtSamplerInterface *iface)
{
  iface->get_indices = lt_distributed_sampler_get_indices_impl;
}

/**
 * lt_distributed_sampler_new:
 * @num_replicas: the number of ranks that share the dataset, or 0 for the
 *   size of the default process group
 * @rank: this rank, from 0, or -1 for the rank in the default process
 *   group
 * @shuffle: whether each epoch reads a permutation of the dataset
 * @seed: the seed of the permutations, the same on every rank
 * @drop_last: whether to leave out the tail that does not divide among
 *   the ranks, rather than pad the epoch by repeating items
 * @error: return location for a #GError
 *
 * Makes a sampler that gives rank @rank of @num_replicas its shard of each
 * epoch, as `DistributedSampler(dataset, num_replicas, rank, shuffle,
 * seed, drop_last)`.
 *
 * Returns: (transfer full) (nullable): the sampler, or %NULL with @error
 *   set when @rank is not below @num_replicas, or when either is taken
 *   from a default process group that is not initialised
 */
LtDistributedSampler *
lt_distributed_sampler_new (int      num_replicas,
                            int      rank,
                            gboolean shuffle,
                            guint64  seed,
                            gboolean drop_last,
                            GError **error)
{
  if (num_replicas <= 0 || rank < 0)
    {
      LtProcessGroup *group = lt_process_group_get_default ();

      if (group == NULL)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "DistributedSampler: no num_replicas and rank given (%d, %d) and no "
                       "default process group to take them from: call init_process_group() "
                       "first, or give both",
                       num_replicas, rank);
          return NULL;
        }
      if (num_replicas <= 0)
        num_replicas = lt_process_group_get_size (group);
      if (rank < 0)
        rank = lt_process_group_get_rank (group);
    }
  if (rank >= num_replicas)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "DistributedSampler: invalid rank %d, rank should be in the interval [0, %d]",
                   rank, num_replicas - 1);
      return NULL;
    }
  return g_object_new (LT_TYPE_DISTRIBUTED_SAMPLER, "num-replicas", num_replicas, "rank", rank,
                       "shuffle", shuffle, "seed", seed, "drop-last", drop_last, NULL);
}

/**
 * lt_distributed_sampler_get_num_samples:
 * @self: a distributed sampler
 * @dataset_length: the number of items of the dataset
 *
 * Gets the number of indices each rank reads per epoch of a dataset of
 * @dataset_length items (`len(sampler)` in PyTorch): the length divided
 * by the number of replicas, rounded up, or down with
 * #LtDistributedSampler:drop-last.
 *
 * Returns: the number of samples per rank and epoch
 */
gint64
lt_distributed_sampler_get_num_samples (LtDistributedSampler *self, gint64 dataset_length)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self), 0);

  if (dataset_length <= 0)
    return 0;
  if (self->drop_last)
    return dataset_length / self->num_replicas;
  return (dataset_length + self->num_replicas - 1) / self->num_replicas;
}

/**
 * lt_distributed_sampler_set_epoch:
 * @self: a distributed sampler
 * @epoch: the epoch, from 0, or -1 to follow the data loader's
 *
 * Sets the epoch whose permutation the next epochs read, as PyTorch's
 * `set_epoch()`. By default (-1) the sampler takes the epoch number its
 * data loader passes, which reshuffles every epoch by itself.
 */
void
lt_distributed_sampler_set_epoch (LtDistributedSampler *self, gint64 epoch)
{
  g_return_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self));

  epoch = MAX (epoch, -1);
  if (self->epoch == epoch)
    return;
  self->epoch = epoch;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EPOCH]);
}

/**
 * lt_distributed_sampler_get_epoch:
 * @self: a distributed sampler
 *
 * Gets the epoch set with lt_distributed_sampler_set_epoch().
 *
 * Returns: the epoch, or -1 when the sampler follows its data loader's
 */
gint64
lt_distributed_sampler_get_epoch (LtDistributedSampler *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self), -1);
  return self->epoch;
}

/**
 * lt_distributed_sampler_get_num_replicas:
 * @self: a distributed sampler
 *
 * Gets the number of ranks that share the dataset.
 *
 * Returns: the number of replicas
 */
int
lt_distributed_sampler_get_num_replicas (LtDistributedSampler *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self), 0);
  return self->num_replicas;
}

/**
 * lt_distributed_sampler_get_rank:
 * @self: a distributed sampler
 *
 * Gets the rank whose shard the sampler gives.
 *
 * Returns: the rank
 */
int
lt_distributed_sampler_get_rank (LtDistributedSampler *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self), 0);
  return self->rank;
}

/**
 * lt_distributed_sampler_get_shuffle:
 * @self: a distributed sampler
 *
 * Gets whether each epoch reads a permutation of the dataset.
 *
 * Returns: %TRUE when the sampler shuffles
 */
gboolean
lt_distributed_sampler_get_shuffle (LtDistributedSampler *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self), FALSE);
  return self->shuffle;
}

/**
 * lt_distributed_sampler_get_seed:
 * @self: a distributed sampler
 *
 * Gets the seed of the permutations.
 *
 * Returns: the seed
 */
guint64
lt_distributed_sampler_get_seed (LtDistributedSampler *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self), 0);
  return self->seed;
}

/**
 * lt_distributed_sampler_get_drop_last:
 * @self: a distributed sampler
 *
 * Gets whether the tail that does not divide among the ranks is left out.
 *
 * Returns: %TRUE when the sampler drops the tail, %FALSE when it pads
 */
gboolean
lt_distributed_sampler_get_drop_last (LtDistributedSampler *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_SAMPLER (self), FALSE);
  return self->drop_last;
}

static void
lt_distributed_sampler_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  LtDistributedSampler *self = LT_DISTRIBUTED_SAMPLER (object);

  switch (prop_id)
    {
      case PROP_NUM_REPLICAS:
        g_value_set_int (value, self->num_replicas);
        break;
      case PROP_RANK:
        g_value_set_int (value, self->rank);
        break;
      case PROP_SHUFFLE:
        g_value_set_boolean (value, self->shuffle);
        break;
      case PROP_SEED:
        g_value_set_uint64 (value, self->seed);
        break;
      case PROP_DROP_LAST:
        g_value_set_boolean (value, self->drop_last);
        break;
      case PROP_EPOCH:
        g_value_set_int64 (value, self->epoch);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_distributed_sampler_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  LtDistributedSampler *self = LT_DISTRIBUTED_SAMPLER (object);

  switch (prop_id)
    {
      case PROP_NUM_REPLICAS:
        self->num_replicas = g_value_get_int (value);
        break;
      case PROP_RANK:
        self->rank = g_value_get_int (value);
        break;
      case PROP_SHUFFLE:
        self->shuffle = g_value_get_boolean (value);
        break;
      case PROP_SEED:
        self->seed = g_value_get_uint64 (value);
        break;
      case PROP_DROP_LAST:
        self->drop_last = g_value_get_boolean (value);
        break;
      case PROP_EPOCH:
        lt_distributed_sampler_set_epoch (self, g_value_get_int64 (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_distributed_sampler_constructed (GObject *object)
{
  LtDistributedSampler *self = LT_DISTRIBUTED_SAMPLER (object);

  G_OBJECT_CLASS (lt_distributed_sampler_parent_class)->constructed (object);
  /* g_object_new() with a rank past the replicas: a programmer's misuse
   * (lt_distributed_sampler_new() reports it as an error) */
  if (self->rank >= self->num_replicas)
    {
      g_critical ("LtDistributedSampler: rank %d is not below num-replicas %d", self->rank,
                  self->num_replicas);
      self->rank = self->num_replicas - 1;
    }
}

static void
lt_distributed_sampler_class_init (LtDistributedSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = lt_distributed_sampler_get_property;
  object_class->set_property = lt_distributed_sampler_set_property;
  object_class->constructed = lt_distributed_sampler_constructed;

  /**
   * LtDistributedSampler:num-replicas:
   *
   * The number of ranks that share the dataset.
   */
  props[PROP_NUM_REPLICAS] = g_param_spec_int ("num-replicas", NULL, NULL, 1, G_MAXINT, 1, flags);
  /**
   * LtDistributedSampler:rank:
   *
   * The rank whose shard the sampler gives, below
   * #LtDistributedSampler:num-replicas.
   */
  props[PROP_RANK] = g_param_spec_int ("rank", NULL, NULL, 0, G_MAXINT - 1, 0, flags);
  /**
   * LtDistributedSampler:shuffle:
   *
   * Whether each epoch reads a permutation of the dataset.
   */
  props[PROP_SHUFFLE] = g_param_spec_boolean ("shuffle", NULL, NULL, TRUE, flags);
  /**
   * LtDistributedSampler:seed:
   *
   * The seed of the permutations: the same on every rank.
   */
  props[PROP_SEED] = g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * LtDistributedSampler:drop-last:
   *
   * Whether the tail of the epoch that does not divide among the ranks is
   * left out (otherwise the epoch is padded by repeating its start).
   */
  props[PROP_DROP_LAST] = g_param_spec_boolean ("drop-last", NULL, NULL, FALSE, flags);
  /**
   * LtDistributedSampler:epoch:
   *
   * The epoch whose permutation is read, or -1 to follow the data
   * loader's (lt_distributed_sampler_set_epoch()).
   */
  props[PROP_EPOCH] =
    g_param_spec_int64 ("epoch", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
lt_distributed_sampler_init (LtDistributedSampler *self)
{
  self->num_replicas = 1;
  self->shuffle = TRUE;
  self->epoch = -1;
}
