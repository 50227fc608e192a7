/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <sched.h>
#include <string.h>

#include "lt-cpu-private.h"

/*
 * The CPU backend's thread pool: _lt_cpu_parallel () runs the parts of a job
 * on the calling thread and the pool's workers (lt-cpu-private.h says how).
 *
 * Why not OpenMP: after a parallel region libgomp's idle threads busy-wait
 * for milliseconds (GOMP_SPINCOUNT), taking the cores from OpenBLAS's
 * threads when a matrix product follows an elementwise op; with 2 cores an
 * add-then-mm loop ran slower on 2 threads than on 1. Our pool's idle
 * threads spin for at most LT_CPU_SPIN_US microseconds, yielding the core
 * to any other runnable thread, and then sleep.
 */

#define LT_CPU_MAX_WORKERS 63
#define LT_CPU_SPIN_US 100

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

typedef struct
{
  GThread *thread;
  gint     go;   /* atomic: bumped once for every job the worker is asked to join */
  gint     seen; /* the go count it has answered; only the worker touches it */
} Worker;

/*
 * Jobs are cut into parts, and the parts into one range per thread of the
 * job: thread t (the caller is 0, worker i is i + 1) takes parts
 * [t n / T, (t + 1) n / T) in order, then whatever is left of the other
 * ranges. Every op cuts its data in the order of its parts, so an op's
 * first share of the data goes to the same thread as the last op's: the
 * values one op wrote are still in that core's cache when the next op reads
 * them. (With one counter for all parts, each part went to whichever
 * thread came first, so on 2 threads a repeated op ran about half of its
 * parts on the other core than the time before: an estimate from how the
 * claims go; a convolution repeated on 2 threads ran 1.02-1.28x faster
 * with the ranges.) The parts still go to whichever thread is running: on a busy
 * machine a worker that the kernel has not scheduled yet claims nothing,
 * and the caller, having done its range, takes the worker's and returns
 * without waiting for it. The caller waits only for parts that were claimed
 * and are still running.
 *
 * A late worker finds the job finished, or another job: each range's
 * counter holds the job's number in its high 32 bits and the range's next
 * part in the low ones, and a part is claimed by a compare-and-swap that
 * checks both. A new job closes the counters that the last job or this one
 * uses (its number, no part left) before it writes its function, context,
 * part and thread counts, and opens them after: a late worker never
 * compares the last job's counter with the new job's ranges.
 */
typedef struct
{
  gint64 claim; /* atomic: (job number << 32) | next part of the range */
  char   pad[64 - sizeof (gint64)];
} Counter;

static struct
{
  GMutex busy; /* held by the thread whose job the pool runs */
  Worker workers[LT_CPU_MAX_WORKERS];
  int    n_workers;

  /* The current job: written before claim is reset to (job, 0) */
  LtCpuParallelFunc func;
  gpointer          ctx;
  int               n;
  int               T;          /* threads the parts are ranged over */
  int               opened;     /* counters the last job opened; only the caller touches it */
  gint              finished;   /* atomic: parts done */
  guint32           job;        /* number of the current job; only the caller touches it */
  gint              open_delay; /* atomic: see _lt_cpu_parallel_set_open_delay () */

  /* Workers that found no job for LT_CPU_SPIN_US sleep here */
  GMutex sleep_lock;
  GCond  wake;
  gint   n_sleeping; /* atomic */

  /* One per range (thread) of the current job, a cache line each */
  Counter counters[LT_CPU_MAX_WORKERS + 1] __attribute__ ((aligned (64)));
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

/* The first part of range @t of @n parts over @T threads */
static inline int
range_start (int t, int n, int T)
{
  return (int) ((gint64) t * n / T);
}

/* Claims and runs parts of job @job, those of range @self first, then
 * those left in the others, until none is left (or the pool has moved on
 * to another job). */
static void
run_parts (guint32 job, int self)
{
  int T = g_atomic_int_get (&pool.T);

  for (int k = 0; k < T; k++)
    {
      int u = (self + k) % T;

      for (;;)
        {
          gint64 c = __atomic_load_n (&pool.counters[u].claim, __ATOMIC_SEQ_CST);
          int    part = (int) (c & 0xffffffff), n, Tj;

          if ((guint32) (c >> 32) != job)
            return;
          /* n and T, read after an open counter, are its job's (they are
           * written before the counters open) or a later job's, whose
           * closing makes the compare-and-swap fail */
          n = g_atomic_int_get (&pool.n);
          Tj = g_atomic_int_get (&pool.T);
          if (u >= Tj || part >= range_start (u + 1, n, Tj))
            break;
          if (!__atomic_compare_exchange_n (&pool.counters[u].claim, &c, c + 1, FALSE,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            continue;
          /* the job cannot end before this part is done: func, ctx, n are its */
          pool.func (part, n, pool.ctx);
          g_atomic_int_inc (&pool.finished);
        }
    }
}

/* The job a worker is asked to join: the number the caller's own counter
 * holds */
static guint32
current_job (void)
{
  return (guint32) (__atomic_load_n (&pool.counters[0].claim, __ATOMIC_SEQ_CST) >> 32);
}

static gpointer
worker_main (gpointer data)
{
  Worker *w = data;

  for (;;)
    {
      worker_wait (w);
      w->seen = g_atomic_int_get (&w->go);
      run_parts (current_job (), (int) (w - pool.workers) + 1);
    }
  return NULL;
}

/* A child of fork () has none of its parent's threads: it starts a pool
 * of its own when it needs one (a forked data-loading worker would hang
 * on threads that do not exist otherwise). */
void
_lt_cpu_parallel_after_fork (void)
{
  memset (&pool, 0, sizeof pool);
}

/* Tests only: the caller waits @spins pauses between writing a job's
 * fields and opening its claim, which widens the window a late worker of
 * the last job could slip through (tests/c/test-threads.c). */
void
_lt_cpu_parallel_set_open_delay (int spins)
{
  g_atomic_int_set (&pool.open_delay, MAX (spins, 0));
}

void
_lt_cpu_parallel (int n, LtCpuParallelFunc func, gpointer ctx)
{
  int threads = MIN (n, _lt_cpu_get_num_threads ());

  if (threads > 1 && g_mutex_trylock (&pool.busy))
    {
      threads = MIN (threads, LT_CPU_MAX_WORKERS + 1);
      while (pool.n_workers < threads - 1)
        {
          Worker          *w = &pool.workers[pool.n_workers];
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
          int     close = MAX (pool.opened, threads);

          /* Closed first: a late worker of the last job may hold one of
           * its counters (last job, a part) and read n and T below before
           * the new counters are out; with the old counter still in place
           * its compare-and-swap could take a part of this job's ranges,
           * run it a second time and count it as finished, and this job
           * could return while a part still runs. The counters past both
           * jobs' threads were closed by an earlier job, or never opened. */
          for (int t = 0; t < close; t++)
            __atomic_store_n (&pool.counters[t].claim, ((gint64) job << 32) | G_MAXINT32,
                              __ATOMIC_SEQ_CST);
          pool.func = func;
          pool.ctx = ctx;
          g_atomic_int_set (&pool.n, n);
          g_atomic_int_set (&pool.T, threads);
          g_atomic_int_set (&pool.finished, 0);
          for (int i = g_atomic_int_get (&pool.open_delay); i > 0; i--)
            cpu_relax ();
          /* the caller's counter last: workers take the job's number from it */
          for (int t = threads - 1; t >= 0; t--)
            __atomic_store_n (&pool.counters[t].claim,
                              ((gint64) job << 32) | range_start (t, n, threads), __ATOMIC_SEQ_CST);
          pool.opened = threads;
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
          run_parts (job, 0);
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
