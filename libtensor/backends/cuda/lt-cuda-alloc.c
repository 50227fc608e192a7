/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cuda-private.h"

/*
 * The caching allocator, after PyTorch's CUDACachingAllocator: memory is
 * taken from the runtime in segments and never given back while the
 * process runs (empty_cache excepted), so a training loop's steady state
 * makes no cudaMalloc or cudaFree.
 *
 * - Sizes round up to 512 bytes. Requests up to 1 MiB come from the small
 *   pool, whose segments are 2 MiB; larger ones from the large pool, whose
 *   segments are 20 MiB for requests under 10 MiB and the request rounded
 *   up to 2 MiB otherwise.
 * - A request takes the smallest free block of its pool that fits (best
 *   fit, then the lowest address), split when the rest is worth keeping
 *   (512 bytes in the small pool, over 1 MiB in the large one).
 * - A freed block merges with its free neighbours of the same segment.
 * - Out of memory: the cache (every segment wholly free) goes back to the
 *   runtime and the allocation is tried once more; then a GError names the
 *   bytes asked for, free on the device, and held by the cache.
 * - Each device has its own pools and statistics: a request is served on
 *   the calling thread's current device (_lt_cuda_current_device), a block
 *   goes back to the pools of the device it came from.
 */

#define ROUND 512
#define SMALL_SIZE ((gsize) 1 << 20)
#define SMALL_SEGMENT ((gsize) 2 << 20)
#define LARGE_SEGMENT ((gsize) 20 << 20)
#define MIN_LARGE_ALLOC ((gsize) 10 << 20)
#define SEGMENT_ROUND ((gsize) 2 << 20)

typedef struct _Block Block;
struct _Block
{
  guint8  *ptr;
  gsize    size;
  gboolean allocated;
  gboolean small;
  Block   *prev, *next;   /* neighbours in the same segment */
  gboolean segment_start; /* the runtime returned this address */
  int      device;
};

typedef struct
{
  GTree           *small_pool, *large_pool; /* Block* ordered by (size, ptr) */
  LtCudaAllocStats st;
} Pools;

static GMutex               lock;
static const LtCudaRuntime *rt;
static Pools                pools[LT_MAX_DEVICE_INDEX];
static GHashTable          *live; /* ptr -> Block, allocated blocks of every device */

/* The pools and statistics of the device a call is about (set, locked, by
 * the entry points) */
static int cur_device;
#define free_small (pools[cur_device].small_pool)
#define free_large (pools[cur_device].large_pool)
#define stats (pools[cur_device].st)

/* Makes @device the runtime's current one for a free or malloc; the
 * backend's thread-current device is put back by restore_device. */
static void
use_device (int device)
{
  cur_device = device;
  if (rt && rt->set_device && device != _lt_cuda_current_device ())
    rt->set_device (device);
}

static void
restore_device (void)
{
  if (rt && rt->set_device && cur_device != _lt_cuda_current_device ())
    rt->set_device (_lt_cuda_current_device ());
}

static gint
block_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
  const Block *x = a, *y = b;

  (void) data;
  if (x->size != y->size)
    return x->size < y->size ? -1 : 1;
  return x->ptr < y->ptr ? -1 : x->ptr > y->ptr ? 1 : 0;
}

static GTree *
pool_of (gboolean small)
{
  return small ? free_small : free_large;
}

void
_lt_cuda_alloc_init (const LtCudaRuntime *runtime)
{
  g_mutex_lock (&lock);
  rt = runtime;
  if (live == NULL)
    {
      for (int d = 0; d < LT_MAX_DEVICE_INDEX; d++)
        {
          pools[d].small_pool = g_tree_new_full (block_cmp, NULL, NULL, NULL);
          pools[d].large_pool = g_tree_new_full (block_cmp, NULL, NULL, NULL);
        }
      live = g_hash_table_new (NULL, NULL);
    }
  g_mutex_unlock (&lock);
}

static gboolean
collect_blocks (gpointer key, gpointer value, gpointer data)
{
  (void) value;
  g_ptr_array_add (data, key);
  return FALSE;
}

static void release_cached (void);

/* The cached segments go back to the runtime; blocks still in use are
 * forgotten (their tensors must not outlive the device). */
void
_lt_cuda_alloc_reset (void)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer       value;

  g_mutex_lock (&lock);
  if (live)
    {
      for (int d = 0; d < LT_MAX_DEVICE_INDEX; d++)
        {
          use_device (d);
          if (rt && (g_tree_nnodes (free_small) || g_tree_nnodes (free_large)))
            release_cached ();
          g_tree_foreach (free_small, collect_blocks, blocks);
          g_tree_foreach (free_large, collect_blocks, blocks);
          g_tree_destroy (free_small);
          g_tree_destroy (free_large);
          free_small = free_large = NULL;
        }
      restore_device ();
      g_hash_table_iter_init (&iter, live);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (blocks, value);
      g_hash_table_destroy (live);
      live = NULL;
    }
  memset (pools, 0, sizeof pools);
  rt = NULL;
  g_mutex_unlock (&lock);
}

static gsize
round_size (gsize n)
{
  return n < ROUND ? ROUND : (n + ROUND - 1) / ROUND * ROUND;
}

static gsize
segment_size (gsize size)
{
  if (size <= SMALL_SIZE)
    return SMALL_SEGMENT;
  if (size < MIN_LARGE_ALLOC)
    return LARGE_SEGMENT;
  return (size + SEGMENT_ROUND - 1) / SEGMENT_ROUND * SEGMENT_ROUND;
}

/* The smallest free block of @pool with at least @size bytes */
static Block *
best_fit (GTree *pool, gsize size)
{
  Block      key = { .ptr = NULL, .size = size };
  GTreeNode *node = g_tree_lower_bound (pool, &key);

  return node ? g_tree_node_key (node) : NULL;
}

/* Gives every wholly free segment back to the runtime. Called locked. */
static void
release_cached (void)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new ();

  g_tree_foreach (free_small, collect_blocks, blocks);
  g_tree_foreach (free_large, collect_blocks, blocks);
  for (guint i = 0; i < blocks->len; i++)
    {
      Block *b = blocks->pdata[i];

      if (!b->segment_start || b->next != NULL)
        continue;
      g_tree_remove (pool_of (b->small), b);
      rt->free (b->ptr);
      rt->get_last_error ();
      stats.reserved -= b->size;
      stats.n_device_free++;
      g_free (b);
    }
}

void
_lt_cuda_alloc_empty_cache (void)
{
  g_mutex_lock (&lock);
  if (rt)
    for (int d = 0; d < LT_MAX_DEVICE_INDEX; d++)
      {
        use_device (d);
        if (g_tree_nnodes (free_small) || g_tree_nnodes (free_large))
          release_cached ();
      }
  restore_device ();
  g_mutex_unlock (&lock);
}

gpointer
_lt_cuda_alloc (gsize nbytes, GError **error)
{
  gsize    size = round_size (nbytes);
  gboolean small = size <= SMALL_SIZE;
  Block   *b;

  g_mutex_lock (&lock);
  if (rt == NULL)
    {
      g_mutex_unlock (&lock);
      g_set_error_literal (error, LT_ERROR, LT_ERROR_DEVICE, "cuda: the device is not initialised");
      return NULL;
    }
  cur_device = _lt_cuda_current_device ();
  b = best_fit (pool_of (small), size);
  if (b)
    g_tree_remove (pool_of (small), b);
  else
    {
      gsize seg = segment_size (size);
      void *ptr = NULL;
      int   status = rt->malloc (&ptr, seg);

      if (status == LT_CU_ERR_MEMORY_ALLOCATION)
        {
          /* clear the error, give the cache back, try once more */
          rt->get_last_error ();
          stats.n_oom_retries++;
          release_cached ();
          status = rt->malloc (&ptr, seg);
        }
      if (status != LT_CU_OK)
        {
          size_t dev_free = 0, dev_total = 0;
          gsize  reserved = stats.reserved, allocated = stats.allocated;

          if (status == LT_CU_ERR_MEMORY_ALLOCATION)
            rt->get_last_error ();
          rt->mem_get_info (&dev_free, &dev_total);
          g_mutex_unlock (&lock);
          if (status == LT_CU_ERR_MEMORY_ALLOCATION)
            g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                         "cuda:%d: out of memory: tried to allocate %" G_GSIZE_FORMAT
                         " bytes; the device has %" G_GSIZE_FORMAT " bytes free of %" G_GSIZE_FORMAT
                         ", libtensor holds %" G_GSIZE_FORMAT " (%" G_GSIZE_FORMAT " in tensors)",
                         cur_device, nbytes, (gsize) dev_free, (gsize) dev_total, reserved,
                         allocated);
          else
            _lt_cuda_check (status, "cudaMalloc", error);
          return NULL;
        }
      stats.n_device_malloc++;
      stats.reserved += seg;
      b = g_new0 (Block, 1);
      b->ptr = ptr;
      b->size = seg;
      b->small = small;
      b->segment_start = TRUE;
      b->device = cur_device;
    }
  /* split off what is worth keeping */
  if (b->size - size >= (small ? ROUND : SMALL_SIZE + 1))
    {
      Block *rest = g_new0 (Block, 1);

      rest->ptr = b->ptr + size;
      rest->size = b->size - size;
      rest->small = small;
      rest->device = b->device;
      rest->prev = b;
      rest->next = b->next;
      if (b->next)
        b->next->prev = rest;
      b->next = rest;
      b->size = size;
      g_tree_insert (pool_of (small), rest, rest);
    }
  b->allocated = TRUE;
  g_hash_table_insert (live, b->ptr, b);
  stats.allocated += b->size;
  stats.peak_allocated = MAX (stats.peak_allocated, stats.allocated);
  g_mutex_unlock (&lock);
  return b->ptr;
}

/* Merges @b with its free neighbour @n (n follows b); keeps @b. */
static void
merge_next (Block *b, Block *n)
{
  g_tree_remove (pool_of (n->small), n);
  b->size += n->size;
  b->next = n->next;
  if (n->next)
    n->next->prev = b;
  g_free (n);
}

void
_lt_cuda_free (gpointer ptr)
{
  Block *b;

  g_mutex_lock (&lock);
  b = live ? g_hash_table_lookup (live, ptr) : NULL;
  if (b == NULL)
    {
      g_mutex_unlock (&lock);
      g_critical ("cuda: freeing %p, which the allocator did not hand out", ptr);
      return;
    }
  g_hash_table_remove (live, ptr);
  cur_device = b->device;
  stats.allocated -= b->size;
  b->allocated = FALSE;
  if (b->next && !b->next->allocated)
    merge_next (b, b->next);
  if (b->prev && !b->prev->allocated)
    {
      Block *p = b->prev;

      g_tree_remove (pool_of (p->small), p);
      merge_next (p, b);
      b = p;
    }
  g_tree_insert (pool_of (b->small), b, b);
  g_mutex_unlock (&lock);
}

void
_lt_cuda_alloc_get_stats (LtCudaAllocStats *out)
{
  g_mutex_lock (&lock);
  *out = pools[_lt_cuda_current_device ()].st;
  g_mutex_unlock (&lock);
}

void
_lt_cuda_alloc_reset_peak (void)
{
  g_mutex_lock (&lock);
  cur_device = _lt_cuda_current_device ();
  stats.peak_allocated = stats.allocated;
  g_mutex_unlock (&lock);
}
