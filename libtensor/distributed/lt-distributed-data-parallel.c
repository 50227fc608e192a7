/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-distributed-data-parallel.h"
#include "lt-process-group-private.h"
#include "autograd/lt-autograd.h"
#include "core/lt-error.h"
#include "io/lt-state-dict.h"
#include "ops/lt-creation.h"
#include "ops/lt-shape.h"

/**
 * LtDistributedDataParallel:
 *
 * Data-parallel training of a module over a process group, as
 * `torch.nn.parallel.DistributedDataParallel`: every rank holds a copy of
 * the module and trains it on its own part of each batch (a
 * #LtDistributedSampler gives each rank its shard); after each backward
 * pass every rank holds the gradients averaged over the ranks, so the
 * same optimizer step keeps the copies equal.
 *
 * ```c
 * LtDistributedDataParallel *ddp =
 *   lt_distributed_data_parallel_new (net, NULL, 0, error);   // default group, 25 MB buckets
 * LtTensor *out = lt_module_forward (LT_MODULE (ddp), inputs, error);
 * ... loss, backward: the gradients are averaged when it returns
 * lt_optimizer_step (optimizer, error);
 * ```
 *
 * - At construction the module's parameters and buffers are broadcast
 *   from rank 0, after checking that every rank has the same parameters
 *   (count, shapes, dtypes).
 * - The gradients are reduced in buckets of about 25 MB (the first one of
 *   1 MB, so that communication starts early), filled in the reverse order
 *   of the parameters, roughly the order backward produces them. A
 *   post-accumulate-grad hook on each parameter copies its gradient into
 *   its bucket; a bucket whose gradients are all there starts its
 *   all-reduce at once (buckets start in order, the same on every rank),
 *   and the group's progress thread moves it while backward computes the
 *   rest: communication overlaps computation. The hook that completes the
 *   last bucket waits for all of them and writes the averages back into
 *   the parameters' #LtTensor:grad.
 * - With #LtDistributedDataParallel:require-backward-grad-sync off (the
 *   `no_sync()` of Python), forward and backward only accumulate
 *   gradients locally; the next synchronised pass averages the sums.
 * - Buffers (batch norm statistics) are broadcast from rank 0 before each
 *   forward while #LtDistributedDataParallel:broadcast-buffers is on.
 *
 * Every parameter that requires grad must receive a gradient in each
 * synchronised backward pass (PyTorch's `find_unused_parameters` is not
 * supported): otherwise the next forward fails and names the parameters
 * that got none. Its state dict has the module's under "module.", as
 * PyTorch's; save lt_distributed_data_parallel_get_module()'s to get
 * checkpoints a single process loads.
 */

#define FIRST_BUCKET_BYTES (1024 * 1024)

typedef struct
{
  LtTensor *param; /* owned */
  char     *name;  /* owned */
  guint     bucket;
  gint64    offset; /* in the bucket's buffer, in elements */
  guint     hook_id;
  guint64   ready_pass; /* the last synchronised pass that gave it a gradient */
} Slot;

typedef struct
{
  LtTensor *buffer; /* owned: flat, of the bucket's dtype */
  guint     first;  /* its slots: first .. first + n_slots - 1 */
  guint     n_slots;
  guint     pending; /* slots still without a gradient in this pass */
  LtWork   *work;    /* owned while its all-reduce runs */
} Bucket;

typedef struct
{
  LtDistributedDataParallel *self; /* borrowed: the hooks go before it */
  guint                      slot;
} HookData;

struct _LtDistributedDataParallel
{
  LtModule parent_instance;

  /* Owned */
  LtProcessGroup *group;
  LtModule       *module; /* also the child "module" */
  GArray         *slots;  /* Slot */
  Bucket         *buckets;
  guint           n_buckets;

  double   bucket_cap_mb;
  gint     require_sync; /* atomic */
  gboolean broadcast_buffers;

  /* The pass under way (the backward thread's) */
  gboolean sync_pass; /* this pass reduces (set by forward) */
  guint64  pass;
  guint    next_launch; /* the next bucket to start */
  double   wait_time;   /* seconds waited for reductions, in total */
};

enum
{
  PROP_0,
  PROP_REQUIRE_BACKWARD_GRAD_SYNC,
  PROP_BROADCAST_BUFFERS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (LtDistributedDataParallel, lt_distributed_data_parallel, LT_TYPE_MODULE)

static void
clear_slot (gpointer data)
{
  Slot *slot = data;

  if (slot->hook_id)
    lt_tensor_remove_hook (slot->param, slot->hook_id);
  g_clear_object (&slot->param);
  g_free (slot->name);
}

static void
lt_distributed_data_parallel_dispose (GObject *object)
{
  LtDistributedDataParallel *self = LT_DISTRIBUTED_DATA_PARALLEL (object);

  g_clear_pointer (&self->slots, g_array_unref);
  for (guint i = 0; i < self->n_buckets; i++)
    {
      g_clear_object (&self->buckets[i].buffer);
      g_clear_object (&self->buckets[i].work);
    }
  g_clear_pointer (&self->buckets, g_free);
  self->n_buckets = 0;
  g_clear_object (&self->module);
  g_clear_object (&self->group);
  G_OBJECT_CLASS (lt_distributed_data_parallel_parent_class)->dispose (object);
}

static void
lt_distributed_data_parallel_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  LtDistributedDataParallel *self = LT_DISTRIBUTED_DATA_PARALLEL (object);

  switch (prop_id)
    {
      case PROP_REQUIRE_BACKWARD_GRAD_SYNC:
        g_value_set_boolean (value,
                             lt_distributed_data_parallel_get_require_backward_grad_sync (self));
        break;
      case PROP_BROADCAST_BUFFERS:
        g_value_set_boolean (value, self->broadcast_buffers);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_distributed_data_parallel_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  LtDistributedDataParallel *self = LT_DISTRIBUTED_DATA_PARALLEL (object);

  switch (prop_id)
    {
      case PROP_REQUIRE_BACKWARD_GRAD_SYNC:
        lt_distributed_data_parallel_set_require_backward_grad_sync (self,
                                                                     g_value_get_boolean (value));
        break;
      case PROP_BROADCAST_BUFFERS:
        lt_distributed_data_parallel_set_broadcast_buffers (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The parameters that got no gradient in the pass under way. */
static char *
missing_parameters (LtDistributedDataParallel *self)
{
  GString *s = g_string_new (NULL);
  guint    n = 0;

  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot *slot = &g_array_index (self->slots, Slot, i);

      if (slot->ready_pass == self->pass)
        continue;
      if (n++ < 8)
        g_string_append_printf (s, "%s%s", s->len ? ", " : "", slot->name);
    }
  if (n > 8)
    g_string_append_printf (s, " and %u more", n - 8);
  return g_string_free (s, FALSE);
}

/* Broadcasts @t from rank 0 into every rank's @t (a contiguous copy for a
 * tensor that is not contiguous). */
static gboolean
broadcast_from_rank0 (LtProcessGroup *group, LtTensor *t, GError **error)
{
  g_autoptr(LtTensor) c = NULL;

  if (lt_tensor_is_contiguous (t))
    return lt_process_group_broadcast (group, t, 0, error);
  c = lt_tensor_contiguous (t, error);
  return c && lt_process_group_broadcast (group, c, 0, error) && lt_tensor_copy_ (t, c, error);
}

static gboolean
broadcast_buffers (LtDistributedDataParallel *self, GError **error)
{
  g_autoptr(LtStateDict) buffers = lt_module_named_buffers (self->module);

  for (guint i = 0; i < lt_state_dict_get_n_tensors (buffers); i++)
    if (!broadcast_from_rank0 (self->group, lt_state_dict_get_tensor (buffers, i), error))
      {
        g_prefix_error (
          error, "DistributedDataParallel: buffer %s: ", lt_state_dict_get_name (buffers, i));
        return FALSE;
      }
  return TRUE;
}

static LtTensor *
lt_distributed_data_parallel_forward (LtModule *module, LtTensor *input, GError **error)
{
  LtDistributedDataParallel *self = LT_DISTRIBUTED_DATA_PARALLEL (module);

  if (self->sync_pass)
    {
      /* The last synchronised pass: either its backward completed every
       * bucket, or it had no backward at all (an evaluation with grad
       * mode on). Anything in between is a parameter without gradient. */
      gboolean started = FALSE;

      for (guint i = 0; i < self->slots->len; i++)
        started |= g_array_index (self->slots, Slot, i).ready_pass == self->pass;
      if (started && self->next_launch < self->n_buckets)
        {
          g_autofree char *missing = missing_parameters (self);

          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "DistributedDataParallel: the gradient reduction of the previous "
                       "iteration did not finish: %s received no gradient in its backward "
                       "pass. Every parameter that requires grad must take part in the loss "
                       "(unused parameters are not supported): set requires_grad to FALSE on "
                       "the others",
                       missing);
          for (guint i = 0; i < self->n_buckets; i++)
            g_clear_object (&self->buckets[i].work);
          self->sync_pass = FALSE;
          return NULL;
        }
    }
  for (guint i = 0; i < self->n_buckets; i++)
    {
      self->buckets[i].pending = self->buckets[i].n_slots;
      g_clear_object (&self->buckets[i].work);
    }
  self->next_launch = 0;
  self->pass++;
  self->sync_pass = g_atomic_int_get (&self->require_sync) && lt_is_grad_enabled ();
  if (self->broadcast_buffers && !broadcast_buffers (self, error))
    return NULL;
  return lt_module_forward (self->module, input, error);
}

/* Waits for every bucket in order and writes the averages back into the
 * parameters' gradients. */
static gboolean
finish_reduction (LtDistributedDataParallel *self, GError **error)
{
  gint64 start = g_get_monotonic_time ();

  for (guint b = 0; b < self->n_buckets; b++)
    {
      Bucket  *bucket = &self->buckets[b];
      gboolean ok = lt_work_wait (bucket->work, error);

      g_clear_object (&bucket->work);
      if (!ok)
        {
          g_prefix_error (error,
                          "DistributedDataParallel: reducing gradient bucket %u of %u: ", b + 1,
                          self->n_buckets);
          self->wait_time += (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
          return FALSE;
        }
    }
  self->wait_time += (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot     *slot = &g_array_index (self->slots, Slot, i);
      LtTensor *grad = lt_tensor_get_grad (slot->param);
      g_autoptr(LtTensor) flat = lt_tensor_narrow (self->buckets[slot->bucket].buffer, 0,
                                                    slot->offset, slot->param->numel, error);
      g_autoptr(LtTensor) part =
                   flat ? lt_tensor_view (flat, slot->param->shape, slot->param->ndim, error)
                        : NULL;

      if (part == NULL || !lt_tensor_copy_ (grad, part, error))
        return FALSE;
    }
  return TRUE;
}

/* A parameter's gradient is accumulated (on the backward's thread). */
static gboolean
on_grad_ready (LtTensor *param, gpointer user_data, GError **error)
{
  HookData                  *data = user_data;
  LtDistributedDataParallel *self = data->self;
  Slot                      *slot = &g_array_index (self->slots, Slot, data->slot);
  Bucket                    *bucket = &self->buckets[slot->bucket];
  LtTensor                  *grad = lt_tensor_get_grad (param);
  g_autoptr(LtTensor) flat = NULL;
  g_autoptr(LtTensor) part = NULL;

  if (!self->sync_pass)
    return TRUE;
  if (slot->ready_pass == self->pass)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "DistributedDataParallel: parameter %s got a second gradient in one "
                   "synchronised pass: call forward before each backward (or backward once "
                   "per forward)",
                   slot->name);
      return FALSE;
    }
  slot->ready_pass = self->pass;
  flat = lt_tensor_narrow (bucket->buffer, 0, slot->offset, param->numel, error);
  part = flat ? lt_tensor_view (flat, param->shape, param->ndim, error) : NULL;
  if (part == NULL || !lt_tensor_copy_ (part, grad, error))
    return FALSE;
  bucket->pending--;

  /* Start the buckets that are complete, in order: the same order on
   * every rank, whatever order their gradients came in. */
  while (self->next_launch < self->n_buckets && self->buckets[self->next_launch].pending == 0)
    {
      Bucket *next = &self->buckets[self->next_launch];

      next->work =
        lt_process_group_all_reduce_async (self->group, next->buffer, LT_REDUCE_OP_AVG, error);
      if (next->work == NULL)
        {
          g_prefix_error (error, "DistributedDataParallel: gradient bucket %u of %u: ",
                          self->next_launch + 1, self->n_buckets);
          return FALSE;
        }
      self->next_launch++;
    }
  if (self->next_launch == self->n_buckets)
    return finish_reduction (self, error);
  return TRUE;
}

static void
lt_distributed_data_parallel_class_init (LtDistributedDataParallelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lt_distributed_data_parallel_dispose;
  object_class->get_property = lt_distributed_data_parallel_get_property;
  object_class->set_property = lt_distributed_data_parallel_set_property;
  LT_MODULE_CLASS (klass)->forward = lt_distributed_data_parallel_forward;

  /**
   * LtDistributedDataParallel:require-backward-grad-sync:
   *
   * Whether backward passes average the gradients over the ranks, as
   * PyTorch's `require_backward_grad_sync` (what `no_sync()` turns off).
   * Read at each forward: off, that pass only accumulates gradients
   * locally, and the next synchronised pass averages the accumulated sums.
   */
  props[PROP_REQUIRE_BACKWARD_GRAD_SYNC] =
    g_param_spec_boolean ("require-backward-grad-sync", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * LtDistributedDataParallel:broadcast-buffers:
   *
   * Whether the module's buffers are broadcast from rank 0 before each
   * forward, as PyTorch's `broadcast_buffers`.
   */
  props[PROP_BROADCAST_BUFFERS] =
    g_param_spec_boolean ("broadcast-buffers", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
lt_distributed_data_parallel_init (LtDistributedDataParallel *self)
{
  self->require_sync = TRUE;
  self->broadcast_buffers = TRUE;
  self->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  g_array_set_clear_func (self->slots, clear_slot);
}

/* Every rank must have the same parameters: their count, elements and a
 * hash of their shapes and dtypes are compared through an all_gather. */
static gboolean
check_same_parameters (LtDistributedDataParallel *self, GError **error)
{
  int     size = lt_process_group_get_size (self->group);
  guint64 hash = 1469598103934665603ull;
  gint64  numel = 0;
  g_autoptr(LtTensor) mine = NULL;
  g_autoptr(LtTensor) all = NULL;
  const gint64 *v;

  for (guint i = 0; i < self->slots->len; i++)
    {
      LtTensor *p = g_array_index (self->slots, Slot, i).param;

      numel += p->numel;
      hash = (hash ^ (guint64) p->dtype) * 1099511628211ull;
      for (guint d = 0; d < p->ndim; d++)
        hash = (hash ^ (guint64) p->shape[d]) * 1099511628211ull;
    }
  mine = lt_tensor_new_from_int64s ((gint64[]){ self->slots->len, numel, (gint64) hash }, 3,
                                    (gint64[]){ 3 }, 1, LT_DTYPE_INT64, error);
  all = mine ? lt_zeros ((gint64[]){ size, 3 }, 2, LT_DTYPE_INT64, error) : NULL;
  if (all == NULL || !lt_process_group_all_gather (self->group, all, mine, error))
    return FALSE;
  v = (const gint64 *) lt_tensor_get_data_ptr (all);
  for (int r = 0; r < size; r++)
    if (v[3 * r] != v[0] || v[3 * r + 1] != v[1] || v[3 * r + 2] != v[2])
      {
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "DistributedDataParallel: rank %d has %" G_GINT64_FORMAT
                     " parameters of %" G_GINT64_FORMAT " elements, rank 0 %" G_GINT64_FORMAT
                     " of %" G_GINT64_FORMAT "%s: every rank must wrap the same model",
                     r, v[3 * r], v[3 * r + 1], v[0], v[1],
                     v[3 * r] == v[0] && v[3 * r + 1] == v[1] ? " (with other shapes or dtypes)"
                                                              : "");
        return FALSE;
      }
  return TRUE;
}

/* Assigns the parameters to buckets, in reverse order, one dtype per
 * bucket; the first holds about 1 MB, the others @cap bytes. */
static gboolean
make_buckets (LtDistributedDataParallel *self, double cap, GError **error)
{
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));
  gsize   bytes = 0;
  guint   n = self->slots->len;

  /* Slots are stored in bucket order: the reverse of the parameters'. */
  for (guint i = 0; i < n / 2; i++)
    {
      Slot tmp = g_array_index (self->slots, Slot, i);

      g_array_index (self->slots, Slot, i) = g_array_index (self->slots, Slot, n - 1 - i);
      g_array_index (self->slots, Slot, n - 1 - i) = tmp;
    }
  for (guint i = 0; i < n; i++)
    {
      LtTensor *p = g_array_index (self->slots, Slot, i).param;
      gsize     pbytes = p->numel * lt_dtype_get_element_size (p->dtype);
      double    limit = starts->len <= 1 ? MIN (cap, FIRST_BUCKET_BYTES) : cap;

      if (i == 0 || p->dtype != g_array_index (self->slots, Slot, i - 1).param->dtype ||
          (bytes > 0 && bytes + pbytes > limit))
        {
          g_array_append_val (starts, i);
          bytes = 0;
        }
      bytes += pbytes;
    }
  self->n_buckets = starts->len;
  self->buckets = g_new0 (Bucket, MAX (self->n_buckets, 1));
  for (guint b = 0; b < self->n_buckets; b++)
    {
      Bucket *bucket = &self->buckets[b];
      guint   first = g_array_index (starts, guint, b);
      guint   end = b + 1 < self->n_buckets ? g_array_index (starts, guint, b + 1) : n;
      gint64  numel = 0;

      bucket->first = first;
      bucket->n_slots = end - first;
      for (guint i = first; i < end; i++)
        {
          Slot *slot = &g_array_index (self->slots, Slot, i);

          slot->bucket = b;
          slot->offset = numel;
          numel += slot->param->numel;
        }
      {
        LtTensor *p = g_array_index (self->slots, Slot, first).param;
        g_autoptr(LtTensor) host = lt_zeros ((gint64[]){ numel }, 1, p->dtype, error);

        /* on the parameters' device (cuda:N), where the gradients are */
        bucket->buffer = host ? lt_tensor_to_device (host, p->storage->device, error) : NULL;
      }
      if (bucket->buffer == NULL)
        {
          g_array_unref (starts);
          return FALSE;
        }
    }
  g_array_unref (starts);
  return TRUE;
}

/**
 * lt_distributed_data_parallel_new:
 * @module: the module to train (on the group's device)
 * @group: (nullable): the process group, or %NULL for the default one
 * @bucket_cap_mb: the size of a gradient bucket in MB; 0 or less for
 *   %LT_DISTRIBUTED_DATA_PARALLEL_DEFAULT_BUCKET_CAP_MB
 * @error: return location for a #GError
 *
 * Wraps @module for data-parallel training, as
 * `DistributedDataParallel (module, process_group=group,
 * bucket_cap_mb=...)`. Every rank must call it with the same model: it
 * checks that, then broadcasts the parameters and buffers from rank 0.
 *
 * Returns: (transfer full): the wrapper, or %NULL with @error set (no
 *   group, models that differ between ranks, a failed broadcast)
 */
LtDistributedDataParallel *
lt_distributed_data_parallel_new (LtModule       *module,
                                  LtProcessGroup *group,
                                  double          bucket_cap_mb,
                                  GError        **error)
{
  g_autoptr(LtDistributedDataParallel) self = NULL;
  g_autoptr(LtStateDict) named = NULL;

  g_return_val_if_fail (LT_IS_MODULE (module), NULL);
  g_return_val_if_fail (group == NULL || LT_IS_PROCESS_GROUP (group), NULL);

  if (group == NULL)
    group = lt_process_group_get_default ();
  if (group == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "DistributedDataParallel: no process group: call init_process_group first");
      return NULL;
    }
  if (!(bucket_cap_mb <= 0 || (bucket_cap_mb >= 1e-6 && bucket_cap_mb <= 1e6)))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "DistributedDataParallel: a bucket of %g MB is outside 1e-6 to 1e6 MB",
                   bucket_cap_mb);
      return NULL;
    }
  self = g_object_new (LT_TYPE_DISTRIBUTED_DATA_PARALLEL, NULL);
  self->group = g_object_ref (group);
  self->module = g_object_ref (module);
  self->bucket_cap_mb =
    bucket_cap_mb > 0 ? bucket_cap_mb : LT_DISTRIBUTED_DATA_PARALLEL_DEFAULT_BUCKET_CAP_MB;
  if (!lt_module_register_module (LT_MODULE (self), "module", module, error))
    return NULL;

  named = lt_module_named_parameters (module);
  for (guint i = 0; i < lt_state_dict_get_n_tensors (named); i++)
    {
      LtTensor *p = lt_state_dict_get_tensor (named, i);
      Slot      slot = { 0 };

      if (!lt_tensor_get_requires_grad (p))
        continue;
      slot.param = g_object_ref (p);
      slot.name = g_strdup (lt_state_dict_get_name (named, i));
      g_array_append_val (self->slots, slot);
    }
  if (!check_same_parameters (self, error))
    return NULL;
  for (guint i = 0; i < lt_state_dict_get_n_tensors (named); i++)
    if (!broadcast_from_rank0 (group, lt_state_dict_get_tensor (named, i), error))
      {
        g_prefix_error (
          error, "DistributedDataParallel: parameter %s: ", lt_state_dict_get_name (named, i));
        return NULL;
      }
  if (!broadcast_buffers (self, error) ||
      !make_buckets (self, self->bucket_cap_mb * 1024 * 1024, error))
    return NULL;
  for (guint i = 0; i < self->slots->len; i++)
    {
      Slot     *slot = &g_array_index (self->slots, Slot, i);
      HookData *data = g_new (HookData, 1);

      data->self = self;
      data->slot = i;
      slot->hook_id = lt_tensor_register_post_accumulate_grad_hook (slot->param, on_grad_ready,
                                                                    data, g_free, error);
      if (slot->hook_id == 0)
        return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * lt_distributed_data_parallel_get_module:
 * @self: a wrapper
 *
 * Gets the wrapped module, as `ddp.module`: save its state dict for a
 * checkpoint that a single process loads.
 *
 * Returns: (transfer none): the module
 */
LtModule *
lt_distributed_data_parallel_get_module (LtDistributedDataParallel *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self), NULL);
  return self->module;
}

/**
 * lt_distributed_data_parallel_get_process_group:
 * @self: a wrapper
 *
 * Gets the process group the gradients are averaged over.
 *
 * Returns: (transfer none): the group
 */
LtProcessGroup *
lt_distributed_data_parallel_get_process_group (LtDistributedDataParallel *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self), NULL);
  return self->group;
}

/**
 * lt_distributed_data_parallel_get_require_backward_grad_sync:
 * @self: a wrapper
 *
 * Gets #LtDistributedDataParallel:require-backward-grad-sync.
 *
 * Returns: whether the next forward's backward averages the gradients
 */
gboolean
lt_distributed_data_parallel_get_require_backward_grad_sync (LtDistributedDataParallel *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self), TRUE);
  return g_atomic_int_get (&self->require_sync);
}

/**
 * lt_distributed_data_parallel_set_require_backward_grad_sync:
 * @self: a wrapper
 * @sync: %FALSE to only accumulate gradients locally
 *
 * Sets #LtDistributedDataParallel:require-backward-grad-sync: off around
 * the forward and backward passes of all but the last micro-batch of a
 * gradient accumulation, as PyTorch's `no_sync()`.
 */
void
lt_distributed_data_parallel_set_require_backward_grad_sync (LtDistributedDataParallel *self,
                                                             gboolean                   sync)
{
  g_return_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self));
  if (g_atomic_int_get (&self->require_sync) == !!sync)
    return;
  g_atomic_int_set (&self->require_sync, !!sync);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REQUIRE_BACKWARD_GRAD_SYNC]);
}

/**
 * lt_distributed_data_parallel_get_broadcast_buffers:
 * @self: a wrapper
 *
 * Gets #LtDistributedDataParallel:broadcast-buffers.
 *
 * Returns: whether buffers are broadcast from rank 0 before each forward
 */
gboolean
lt_distributed_data_parallel_get_broadcast_buffers (LtDistributedDataParallel *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self), TRUE);
  return self->broadcast_buffers;
}

/**
 * lt_distributed_data_parallel_set_broadcast_buffers:
 * @self: a wrapper
 * @broadcast: whether to broadcast the buffers before each forward
 *
 * Sets #LtDistributedDataParallel:broadcast-buffers.
 */
void
lt_distributed_data_parallel_set_broadcast_buffers (LtDistributedDataParallel *self,
                                                    gboolean                   broadcast)
{
  g_return_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self));
  if (self->broadcast_buffers == !!broadcast)
    return;
  self->broadcast_buffers = !!broadcast;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BROADCAST_BUFFERS]);
}

/**
 * lt_distributed_data_parallel_get_n_buckets:
 * @self: a wrapper
 *
 * Gets the number of gradient buckets: each is one all-reduce per
 * synchronised backward pass.
 *
 * Returns: the number of buckets
 */
guint
lt_distributed_data_parallel_get_n_buckets (LtDistributedDataParallel *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self), 0);
  return self->n_buckets;
}

/**
 * lt_distributed_data_parallel_get_wait_time:
 * @self: a wrapper
 *
 * Gets how long backward passes waited for gradient reductions, in total:
 * the communication that computation did not hide.
 *
 * Returns: the time in seconds, summed over the synchronised passes
 */
double
lt_distributed_data_parallel_get_wait_time (LtDistributedDataParallel *self)
{
  g_return_val_if_fail (LT_IS_DISTRIBUTED_DATA_PARALLEL (self), 0);
  return self->wait_time;
}
