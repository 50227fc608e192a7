/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cblas.h>

#include "lt-cpu-private.h"

/*
 * The CPU backend: host memory, parallel loops on a small thread pool of our
 * own, and OpenBLAS. One thread count governs both, so the loops and BLAS
 * never oversubscribe the cores.
 *
 * Why not OpenMP for the loops: after a parallel region libgomp's idle
 * threads busy-wait for milliseconds (GOMP_SPINCOUNT), taking the cores
 * from OpenBLAS's threads when a matrix product follows an elementwise op;
 * with 2 cores an add-then-mm loop ran slower on 2 threads than on 1. Our
 * pool's idle threads spin for at most LT_CPU_SPIN_US microseconds, yielding
 * the core to any other runnable thread, and then sleep.
 */

static int num_threads;

int
_lt_cpu_get_num_threads (void)
{
  int n = g_atomic_int_get (&num_threads);

  return n > 0 ? n : 1;
}

static void
cpu_set_num_threads (int n)
{
  g_atomic_int_set (&num_threads, MAX (n, 1));
  openblas_set_num_threads (MAX (n, 1));
}

/* Buffers from this size on are aligned to 2 MiB and asked to live on
 * transparent huge pages: the C library maps such buffers afresh for every
 * allocation, and filling 40 MB of new 4 KiB pages costs 10,000 page
 * faults, more than the arithmetic of an elementwise op over them. */
#define LT_CPU_HUGE_BYTES (8u << 20)
#define LT_CPU_HUGE_ALIGN (2u << 20)

/*
 * A cache of freed buffers. A training loop frees and allocates the same
 * sizes at every step (activations, gradients, scratch); the C library
 * returns buffers of 128 KiB and more to the system (munmap, or trimming
 * the top of its heap) and maps them again, and every first touch of a
 * page of the new buffer is a page fault: 5 to 12% of a training step.
 * Freed buffers from LT_CPU_CACHE_MIN_BYTES on wait here instead, in size
 * classes four to a power of two (a buffer is allocated at its class's
 * size, at most 25% above the request), and are handed out again for a
 * request of the same class. The cache holds at most LT_CPU_CACHE_BYTES;
 * a buffer freed beyond that goes back to the system. One lock guards it.
 * Builds with AddressSanitizer skip it, so that a use after free is still
 * seen.
 */
#define LT_CPU_CACHE_MIN_BYTES (32u << 10)
#define LT_CPU_CACHE_BYTES ((gsize) 256 << 20)
#define LT_CPU_CACHE_CLASSES (4 * 30)   /* classes up to 2^30 bytes */

#if defined(__SANITIZE_ADDRESS__)
#define LT_CPU_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LT_CPU_CACHE 0
#endif
#endif
#ifndef LT_CPU_CACHE
#define LT_CPU_CACHE 1
#endif

typedef struct CachedBuffer CachedBuffer;
struct CachedBuffer
{
  CachedBuffer *next;   /* written into the freed buffer itself */
};

static struct
{
  GMutex lock;
  CachedBuffer *free[LT_CPU_CACHE_CLASSES];
  gsize bytes;          /* held, in all */
} cache;

/* The size class of a request of @nbytes (cached sizes only) and the size
 * of its buffers */
static guint
cache_class (gsize  nbytes,
             gsize *class_bytes)
{
  guint k = g_bit_storage (nbytes) - 1;           /* 2^k <= nbytes < 2^(k+1) */
  gsize base = (gsize) 1 << k, step = base / 4;
  gsize j = (nbytes - base + step - 1) / step;    /* 0 .. 4 */

  *class_bytes = base + j * step;
  return 4 * k + (guint) j;
}

static gboolean
cache_takes (gsize nbytes)
{
  return LT_CPU_CACHE && nbytes >= LT_CPU_CACHE_MIN_BYTES && nbytes <= LT_CPU_CACHE_BYTES;
}

static gpointer
system_alloc (gsize    nbytes,
              GError **error)
{
  gpointer p = NULL;
  gsize align = 64;

#ifdef MADV_HUGEPAGE
  if (nbytes >= LT_CPU_HUGE_BYTES)
    align = LT_CPU_HUGE_ALIGN;
#endif
  if (posix_memalign (&p, align, nbytes) != 0 || p == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "cpu: could not allocate %" G_GSIZE_FORMAT " bytes", nbytes);
      return NULL;
    }
#ifdef MADV_HUGEPAGE
  /* Only advice: where the kernel has no huge pages nothing changes. */
  if (align == LT_CPU_HUGE_ALIGN)
    madvise (p, nbytes, MADV_HUGEPAGE);
#endif
  return p;
}

gpointer
_lt_cpu_alloc (gsize    nbytes,
               GError **error)
{
  gsize class_bytes;
  guint c;
  CachedBuffer *b;

  if (!cache_takes (nbytes))
    return system_alloc (nbytes, error);
  c = cache_class (nbytes, &class_bytes);
  g_mutex_lock (&cache.lock);
  b = cache.free[c];
  if (b)
    {
      cache.free[c] = b->next;
      cache.bytes -= class_bytes;
    }
  g_mutex_unlock (&cache.lock);
  return b ? (gpointer) b : system_alloc (class_bytes, error);
}

void
_lt_cpu_free (gpointer data,
              gsize    nbytes)
{
  gsize class_bytes;
  guint c;

  if (data == NULL)
    return;
  if (cache_takes (nbytes))
    {
      c = cache_class (nbytes, &class_bytes);
      g_mutex_lock (&cache.lock);
      if (cache.bytes + class_bytes <= LT_CPU_CACHE_BYTES)
        {
          CachedBuffer *b = data;

          b->next = cache.free[c];
          cache.free[c] = b;
          cache.bytes += class_bytes;
          data = NULL;
        }
      g_mutex_unlock (&cache.lock);
    }
  free (data);
}

LtCpuIsa
_lt_cpu_isa (void)
{
  static gsize once = 0;
  static LtCpuIsa isa = LT_CPU_ISA_BASE;

  if (g_once_init_enter (&once))
    {
#ifdef LT_CPU_X86_ISAS
      const char *env = g_getenv ("LT_CPU_ISA");

      __builtin_cpu_init ();
      if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512vl"))
        isa = LT_CPU_ISA_AVX512;
      else if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
        isa = LT_CPU_ISA_AVX2;
      if (env && g_str_equal (env, "avx2") && isa > LT_CPU_ISA_AVX2)
        isa = LT_CPU_ISA_AVX2;
      else if (env && g_str_equal (env, "base"))
        isa = LT_CPU_ISA_BASE;
#endif
      g_once_init_leave (&once, 1);
    }
  return isa;
}

/* The thread pool */

#define LT_CPU_MAX_WORKERS 63
#define LT_CPU_SPIN_US 100

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

typedef struct
{
  GThread *thread;
  gint go;            /* atomic: bumped once for every job the worker is asked to join */
  gint seen;          /* the go count it has answered; only the worker touches it */
} Worker;

/*
 * Jobs are cut into parts that the calling thread and the woken workers
 * claim one at a time, so the parts go to whichever thread is running: on
 * a busy machine a worker that the kernel has not scheduled yet claims
 * nothing, and the caller, having done every part, returns without waiting
 * for it. The caller waits only for parts that were claimed and are still
 * running. A late worker finds the job finished, or another job: `claim'
 * holds the job's number in its high 32 bits and the next part in the low
 * ones, and a part is claimed by a compare-and-swap that checks both.
 */
static struct
{
  GMutex busy;        /* held by the thread whose job the pool runs */
  Worker workers[LT_CPU_MAX_WORKERS];
  int n_workers;

  /* The current job: written before claim is reset to (job, 0) */
  LtCpuParallelFunc func;
  gpointer ctx;
  int n;
  gint64 claim;       /* atomic: (job number << 32) | next part */
  gint finished;      /* atomic: parts done */
  guint32 job;        /* number of the current job; only the caller touches it */

  /* Workers that found no job for LT_CPU_SPIN_US sleep here */
  GMutex sleep_lock;
  GCond wake;
  gint n_sleeping;    /* atomic */
} pool;

/* Waits until @w is asked to join a job: spins briefly, then yields the
 * core to whatever else wants it, then sleeps. */
static void
worker_wait (Worker *w)
{
  gint64 deadline = 0;

  for (guint i = 0; g_atomic_int_get (&w->go) == w->seen; i++)
    {
      if (i < 256)
        {
          cpu_relax ();
          continue;
        }
      if (deadline == 0)
        deadline = g_get_monotonic_time () + LT_CPU_SPIN_US;
      if (g_get_monotonic_time () < deadline)
        {
          sched_yield ();
          continue;
        }
      g_mutex_lock (&pool.sleep_lock);
      g_atomic_int_inc (&pool.n_sleeping);
      while (g_atomic_int_get (&w->go) == w->seen)
        g_cond_wait (&pool.wake, &pool.sleep_lock);
      g_atomic_int_add (&pool.n_sleeping, -1);
      g_mutex_unlock (&pool.sleep_lock);
      return;
    }
}

/* Claims and runs parts of job @job until none is left (or the pool has
 * moved on to another job). */
static void
run_parts (guint32 job)
{
  for (;;)
    {
      gint64 c = __atomic_load_n (&pool.claim, __ATOMIC_SEQ_CST);
      int part = (int) (c & 0xffffffff);

      if ((guint32) (c >> 32) != job || part >= g_atomic_int_get (&pool.n))
        return;
      if (!__atomic_compare_exchange_n (&pool.claim, &c, c + 1, FALSE, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
        continue;
      /* the job cannot end before this part is done: func, ctx, n are its */
      pool.func (part, pool.n, pool.ctx);
      g_atomic_int_inc (&pool.finished);
    }
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;

  for (;;)
    {
      worker_wait (w);
      w->seen = g_atomic_int_get (&w->go);
      run_parts ((guint32) (__atomic_load_n (&pool.claim, __ATOMIC_SEQ_CST) >> 32));
    }
  return NULL;
}

/* A child of fork () has none of its parent's threads: it starts a pool
 * of its own when it needs one (a forked data-loading worker would hang
 * on threads that do not exist otherwise). */
static void
pool_forget_after_fork (void)
{
  memset (&pool, 0, sizeof pool);
  /* the cache's buffers were copied with the memory; its lock may have
   * been held by a thread that the child does not have */
  memset (&cache.lock, 0, sizeof cache.lock);
}

void
_lt_cpu_parallel (int               n,
                  LtCpuParallelFunc func,
                  gpointer          ctx)
{
  int threads = MIN (n, _lt_cpu_get_num_threads ());

  if (threads > 1 && g_mutex_trylock (&pool.busy))
    {
      threads = MIN (threads, LT_CPU_MAX_WORKERS + 1);
      while (pool.n_workers < threads - 1)
        {
          Worker *w = &pool.workers[pool.n_workers];
          g_autofree char *name = g_strdup_printf ("lt-cpu-%d", pool.n_workers + 1);

          w->thread = g_thread_try_new (name, worker_main, w, NULL);
          if (w->thread == NULL)
            break;
          pool.n_workers++;
        }
      threads = MIN (threads, pool.n_workers + 1);
      if (threads > 1)
        {
          guint32 job = ++pool.job;

          pool.func = func;
          pool.ctx = ctx;
          g_atomic_int_set (&pool.n, n);
          g_atomic_int_set (&pool.finished, 0);
          __atomic_store_n (&pool.claim, (gint64) job << 32, __ATOMIC_SEQ_CST);
          for (int i = 0; i < threads - 1; i++)
            g_atomic_int_inc (&pool.workers[i].go);
          /* A worker counts itself asleep before it checks its go, and we
           * bumped go before this check: one of us sees the other. */
          if (g_atomic_int_get (&pool.n_sleeping) > 0)
            {
              g_mutex_lock (&pool.sleep_lock);
              g_cond_broadcast (&pool.wake);
              g_mutex_unlock (&pool.sleep_lock);
            }
          run_parts (job);
          /* every part is claimed: wait for those still running */
          for (guint i = 0; g_atomic_int_get (&pool.finished) < n; i++)
            {
              if (i < 4096)
                cpu_relax ();
              else
                sched_yield ();
            }
          g_mutex_unlock (&pool.busy);
          return;
        }
      g_mutex_unlock (&pool.busy);
    }
  /* One thread, a job from inside a job, or the pool serves another
   * thread: the same parts, one after the other. */
  for (int part = 0; part < n; part++)
    func (part, n, ctx);
}

/* Elementwise iteration */

#define MAX_OPS 4

typedef struct
{
  guint n_ops;
  guint ndim;
  gint64 shape[LT_MAX_DIMS];
  gint64 strides[LT_MAX_DIMS][MAX_OPS];   /* bytes */
  char *base[MAX_OPS];
} Iter;

static void
iter_build (Iter      *it,
            LtTensor **ops,
            guint      n_ops)
{
  LtTensor *out = ops[0];
  gint64 bstrides[MAX_OPS][LT_MAX_DIMS];
  guint order[LT_MAX_DIMS];
  guint nd = 0;

  it->n_ops = n_ops;
  for (guint k = 0; k < n_ops; k++)
    {
      gsize es = _lt_dtype_size (ops[k]->dtype);

      _lt_broadcast_strides (ops[k], out->shape, out->ndim, bstrides[k]);
      for (guint d = 0; d < out->ndim; d++)
        bstrides[k][d] *= es;
      it->base[k] = (char *) _lt_tensor_data (ops[k]);
    }

  /* Keep dimensions of size > 1, in the output's memory order: sort by the
   * output's stride, outermost first (insertion sort, stable). */
  for (guint d = 0; d < out->ndim; d++)
    if (out->shape[d] != 1)
      order[nd++] = d;
  for (guint i = 1; i < nd; i++)
    {
      guint v = order[i];
      guint j = i;

      while (j > 0)
        {
          guint u = order[j - 1];
          gint64 su = ABS (bstrides[0][u]), sv = ABS (bstrides[0][v]);

          if (su < sv || (su == sv && n_ops > 1 && ABS (bstrides[1][u]) < ABS (bstrides[1][v])))
            {
              order[j] = u;
              j--;
            }
          else
            break;
        }
      order[j] = v;
    }

  /* Coalesce neighbours that every operand walks as one. */
  it->ndim = 0;
  for (guint i = 0; i < nd; i++)
    {
      guint d = order[i];

      if (it->ndim > 0)
        {
          guint p = it->ndim - 1;
          gboolean merge = TRUE;

          for (guint k = 0; k < n_ops && merge; k++)
            merge = it->strides[p][k] == bstrides[k][d] * out->shape[d];
          if (merge)
            {
              it->shape[p] *= out->shape[d];
              for (guint k = 0; k < n_ops; k++)
                it->strides[p][k] = bstrides[k][d];
              continue;
            }
        }
      it->shape[it->ndim] = out->shape[d];
      for (guint k = 0; k < n_ops; k++)
        it->strides[it->ndim][k] = bstrides[k][d];
      it->ndim++;
    }
  if (it->ndim == 0)
    {
      it->ndim = 1;
      it->shape[0] = 1;
      for (guint k = 0; k < n_ops; k++)
        it->strides[0][k] = 0;
    }
}

/* The common case in one pass over the operands, without the general
 * broadcasting and sorting: every operand either has the output's shape and
 * is contiguous, or is a single element (a scalar operand, walked with
 * stride 0). FALSE if some operand is neither. */
static gboolean
iter_build_flat (Iter      *it,
                 LtTensor **ops,
                 guint      n_ops)
{
  LtTensor *out = ops[0];

  for (guint k = 0; k < n_ops; k++)
    {
      LtTensor *t = ops[k];

      if (t->numel == 1 && k > 0)
        it->strides[0][k] = 0;
      else
        {
          gint64 expected = 1;

          if (t->ndim != out->ndim)
            return FALSE;
          for (guint d = t->ndim; d-- > 0;)
            {
              if (t->shape[d] != out->shape[d] ||
                  (t->shape[d] != 1 && t->strides[d] != expected))
                return FALSE;
              expected *= t->shape[d];
            }
          it->strides[0][k] = _lt_dtype_size (t->dtype);
        }
      it->base[k] = (char *) _lt_tensor_data (t);
    }
  it->n_ops = n_ops;
  it->ndim = 1;
  it->shape[0] = out->numel;
  return TRUE;
}

static void
iter_run_range (const Iter *it,
                gint64      begin,
                gint64      end,
                LtCpuLoop   loop,
                gpointer    ctx)
{
  gint64 idx[LT_MAX_DIMS];
  gint64 inner_strides[MAX_OPS];
  char *ptrs[MAX_OPS];
  guint last = it->ndim - 1;
  gint64 rem = begin;
  gint64 pos = begin;

  for (guint d = it->ndim; d-- > 0;)
    {
      idx[d] = rem % it->shape[d];
      rem /= it->shape[d];
    }
  for (guint k = 0; k < it->n_ops; k++)
    inner_strides[k] = it->strides[last][k];

  while (pos < end)
    {
      gint64 n = MIN (it->shape[last] - idx[last], end - pos);

      for (guint k = 0; k < it->n_ops; k++)
        {
          char *p = it->base[k];

          for (guint d = 0; d < it->ndim; d++)
            p += idx[d] * it->strides[d][k];
          ptrs[k] = p;
        }
      loop (ptrs, inner_strides, n, ctx);
      pos += n;
      idx[last] += n;
      for (guint d = last; d > 0 && idx[d] >= it->shape[d]; d--)
        {
          idx[d] = 0;
          idx[d - 1]++;
        }
    }
}

/* Tiled iteration, for an operand whose memory order disagrees with the
 * output's (x.t () + y, a copy into a transposed view): walking the output
 * in order would read that operand with a large stride, one cache line per
 * element. The iterator's dims are reordered so that the dim where the
 * operand is densest comes second to last, and the last two dims are walked
 * in tiles of LT_CPU_TILE x LT_CPU_TILE elements: every cache line a tile
 * touches is used whole while it is still in L1. */

#define LT_CPU_TILE 64

static gboolean
iter_make_tiled (Iter *it)
{
  guint last = it->ndim - 1;
  guint p = last;

  if (it->ndim < 2)
    return FALSE;
  for (guint k = 1; k < it->n_ops && p == last; k++)
    {
      gint64 sl = ABS (it->strides[last][k]);
      gint64 best = sl;

      /* Within a cache line a strided walk costs little. */
      if (sl <= 64)
        continue;
      for (guint d = 0; d < last; d++)
        {
          gint64 sd = ABS (it->strides[d][k]);

          if (sd != 0 && sd < best && it->shape[d] > 1)
            {
              best = sd;
              p = d;
            }
        }
    }
  if (p == last)
    return FALSE;

  /* Move dim p to second-to-last; the others keep their order. */
  {
    gint64 shape_p = it->shape[p];
    gint64 strides_p[MAX_OPS];

    memcpy (strides_p, it->strides[p], sizeof strides_p);
    for (guint d = p; d + 1 < last; d++)
      {
        it->shape[d] = it->shape[d + 1];
        memcpy (it->strides[d], it->strides[d + 1], sizeof strides_p);
      }
    it->shape[last - 1] = shape_p;
    memcpy (it->strides[last - 1], strides_p, sizeof strides_p);
  }
  return TRUE;
}

/* Number of tiles of a tiled iterator */
static gint64
iter_n_tiles (const Iter *it)
{
  guint last = it->ndim - 1;
  gint64 n = 1;

  for (guint d = 0; d + 1 < last; d++)
    n *= it->shape[d];
  n *= (it->shape[last - 1] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  n *= (it->shape[last] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  return n;
}

static void
iter_run_tiles (const Iter *it,
                gint64      begin,
                gint64      end,
                LtCpuLoop   loop,
                gpointer    ctx)
{
  guint last = it->ndim - 1, p = last - 1;
  gint64 tiles_p = (it->shape[p] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  gint64 tiles_l = (it->shape[last] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  gint64 inner_strides[MAX_OPS];

  for (guint k = 0; k < it->n_ops; k++)
    inner_strides[k] = it->strides[last][k];

  for (gint64 t = begin; t < end; t++)
    {
      gint64 rest = t;
      gint64 tl = rest % tiles_l;
      gint64 tp, l0, p0, nl, np;
      char *ptrs[MAX_OPS];
      char *row[MAX_OPS];

      rest /= tiles_l;
      tp = rest % tiles_p;
      rest /= tiles_p;
      l0 = tl * LT_CPU_TILE;
      p0 = tp * LT_CPU_TILE;
      nl = MIN (LT_CPU_TILE, it->shape[last] - l0);
      np = MIN (LT_CPU_TILE, it->shape[p] - p0);

      for (guint k = 0; k < it->n_ops; k++)
        row[k] = it->base[k] + l0 * it->strides[last][k] + p0 * it->strides[p][k];
      /* the outer dims, innermost first */
      for (guint d = p; d-- > 0;)
        {
          gint64 i = rest % it->shape[d];

          rest /= it->shape[d];
          for (guint k = 0; k < it->n_ops; k++)
            row[k] += i * it->strides[d][k];
        }
      for (gint64 i = 0; i < np; i++)
        {
          for (guint k = 0; k < it->n_ops; k++)
            ptrs[k] = row[k] + i * it->strides[p][k];
          loop (ptrs, inner_strides, nl, ctx);
        }
    }
}

typedef struct
{
  const Iter *it;
  gboolean tiled;
  gint64 total;       /* elements, or tiles when tiled */
  LtCpuLoop loop;
  gpointer ctx;
} ForeachJob;

static void
foreach_part (int      tid,
              int      n,
              gpointer data)
{
  const ForeachJob *job = data;
  gint64 begin, end;

  _lt_cpu_split (job->total, tid, n, &begin, &end);
  if (begin >= end)
    return;
  if (job->tiled)
    iter_run_tiles (job->it, begin, end, job->loop, job->ctx);
  else
    iter_run_range (job->it, begin, end, job->loop, job->ctx);
}

void
_lt_cpu_foreach (LtTensor **ops,
                 guint      n_ops,
                 LtCpuLoop  loop,
                 gpointer   ctx,
                 gboolean   parallel)
{
  Iter it;
  ForeachJob job;
  gint64 numel = ops[0]->numel;
  int nt;

  g_assert (n_ops <= MAX_OPS);
  if (numel == 0)
    return;
  if (iter_build_flat (&it, ops, n_ops))
    {
      /* One run: no iterator to walk */
      if (!parallel || numel < 2 * LT_CPU_GRAIN)
        {
          loop (it.base, it.strides[0], numel, ctx);
          return;
        }
    }
  else
    iter_build (&it, ops, n_ops);

  job.it = &it;
  job.tiled = numel >= 4 * LT_CPU_TILE * LT_CPU_TILE && iter_make_tiled (&it);
  job.total = job.tiled ? iter_n_tiles (&it) : numel;
  job.loop = loop;
  job.ctx = ctx;

  nt = parallel ? _lt_cpu_get_num_threads () : 1;
  if (nt > 1 && numel >= 2 * LT_CPU_GRAIN)
    _lt_cpu_parallel ((int) MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD,
                                 MIN (job.total, numel / LT_CPU_GRAIN)),
                      foreach_part, &job);
  else
    foreach_part (0, 1, &job);
}

static LtBackend cpu_backend = {
  .name = "cpu",
  .device = LT_DEVICE_CPU,
  .alloc = _lt_cpu_alloc,
  .free = _lt_cpu_free,
  .set_num_threads = cpu_set_num_threads,
  .get_num_threads = _lt_cpu_get_num_threads,
};

/* The kernel of every op of a family with a kernel (LT_OPF_HAS_KERNEL) */
static const LtKernel family_kernels[LT_OP_N_FAMILIES] = {
  [LT_OP_FAMILY_UNARY] = _lt_cpu_unary,
  [LT_OP_FAMILY_BINARY] = _lt_cpu_binary,   /* relu_grad too */
  [LT_OP_FAMILY_TERNARY] = _lt_cpu_where,
  [LT_OP_FAMILY_REDUCE] = _lt_cpu_reduce,
  [LT_OP_FAMILY_SOFTMAX] = _lt_cpu_softmax,
  [LT_OP_FAMILY_GEMM] = _lt_cpu_gemm,
  [LT_OP_FAMILY_INDEX] = _lt_cpu_index,
  [LT_OP_FAMILY_CONV] = _lt_cpu_conv,
  [LT_OP_FAMILY_POOL] = _lt_cpu_pool,
};

static gpointer
cpu_backend_init (gpointer data)
{
  LtBackend *b = &cpu_backend;
  const char *env = g_getenv ("LT_NUM_THREADS");
  int n = env ? atoi (env) : 0;

  cpu_set_num_threads (n > 0 ? n : (int) g_get_num_processors ());
  pthread_atfork (NULL, NULL, pool_forget_after_fork);

  /* The families whose ops share one kernel, which reads args->op */
  for (LtOp op = 0; op < LT_OP_COUNT; op++)
    {
      const LtOpInfo *row = &_lt_op_table[op];

      if (row->flags & LT_OPF_HAS_KERNEL)
        b->kernels[op] = family_kernels[row->family];
    }
  /* and the kernels of their own */
  b->kernels[LT_OP_FILL] = _lt_cpu_fill;
  b->kernels[LT_OP_STRIDED_COPY] = _lt_cpu_copy;
  b->kernels[LT_OP_UNIFORM] = _lt_cpu_random;
  b->kernels[LT_OP_NORMAL] = _lt_cpu_random;
  b->kernels[LT_OP_RANDINT] = _lt_cpu_random;
  b->kernels[LT_OP_RANDPERM] = _lt_cpu_randperm;
  b->kernels[LT_OP_ARANGE] = _lt_cpu_range;
  b->kernels[LT_OP_LINSPACE] = _lt_cpu_range;
  b->kernels[LT_OP_NLL_LOSS] = _lt_cpu_nll_loss;
  b->kernels[LT_OP_NLL_LOSS_GRAD] = _lt_cpu_nll_loss;
  b->kernels[LT_OP_SGD_UPDATE] = _lt_cpu_sgd_update;
  return b;
}

const LtBackend *
_lt_cpu_backend_get (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, cpu_backend_init, NULL);
}
