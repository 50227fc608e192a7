/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/wait.h>
#include <unistd.h>

#include <libtensor.h>

#include "backends/cpu/lt-cpu-private.h"

/* Adds two tensors large enough for the CPU backend to split the work
 * across its thread pool, and checks every element. */
static gboolean
parallel_add_is_right (void)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 1 << 20;
  g_autoptr(LtTensor) a = lt_arange (0, (double) n, 1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) b = lt_full (&n, 1, 2.0, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) c = a && b ? lt_tensor_add (a, b, &error) : NULL;
  const float *p;

  if (c == NULL)
    return FALSE;
  p = (const float *) lt_tensor_get_data_ptr (c);
  for (gint64 i = 0; i < n; i++)
    if (p[i] != (float) i + 2.0f)
      return FALSE;
  return TRUE;
}

static void
test_threads_fork (void)
{
  pid_t pid;
  int status = 0;

  g_test_summary ("A child made by fork() runs parallel ops (its parent's pool threads do not "
                  "exist in it)");
  lt_set_num_threads (2);
  g_assert_true (parallel_add_is_right ());

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      alarm (20);   /* a hang fails the test instead of blocking it */
      _exit (parallel_add_is_right () ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* and the parent's pool still works */
  g_assert_true (parallel_add_is_right ());
}

static gpointer
add_in_thread (gpointer data)
{
  return GINT_TO_POINTER (parallel_add_is_right ());
}

static void
test_threads_concurrent (void)
{
  GThread *t[3];

  g_test_summary ("Ops from several threads at once share the pool safely (one gets the pool, "
                  "the others run serially)");
  lt_set_num_threads (2);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = g_thread_new ("adder", add_in_thread, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (t[i])));
}

static void
test_threads_count (void)
{
  g_test_summary ("lt_set_num_threads sets the count lt_get_num_threads reports, at least 1");
  lt_set_num_threads (3);
  g_assert_cmpint (lt_get_num_threads (), ==, 3);
  lt_set_num_threads (0);
  g_assert_cmpint (lt_get_num_threads (), ==, 1);
  lt_set_num_threads (1);
  g_assert_true (parallel_add_is_right ());
}

/* Tensors of sizes around the CPU backend's buffer-cache classes (from 32
 * KiB, four classes to a power of two), a few alive at a time, filled with
 * a value of the thread's own and read back whole: a buffer handed to two
 * owners at once, or reused while alive, shows another value. */
static gpointer
churn_in_thread (gpointer data)
{
  static const gint64 sizes[] = {
    8191, 8192, 8193, 10239, 10240, 10241, 12288, 16383, 16384, 16385, 20000,
    262143, 262144, 262145, 300000, 2097152, 2621441,
  };
  guint id = GPOINTER_TO_UINT (data);
  GRand *rand = g_rand_new_with_seed (id);
  LtTensor *live[3] = { NULL };
  double value[3] = { 0 };
  gboolean ok = TRUE;

  for (guint i = 0; i < 150 && ok; i++)
    {
      guint slot = g_rand_int_range (rand, 0, G_N_ELEMENTS (live));
      gint64 n = sizes[g_rand_int_range (rand, 0, G_N_ELEMENTS (sizes))];
      g_autoptr(GError) error = NULL;

      if (live[slot])
        {
          const float *p = (const float *) lt_tensor_get_data_ptr (live[slot]);

          for (gint64 k = 0; k < lt_tensor_numel (live[slot]) && ok; k++)
            ok = p[k] == (float) value[slot];
          g_object_unref (live[slot]);
        }
      value[slot] = id * 1000 + i;
      live[slot] = lt_full (&n, 1, value[slot], LT_DTYPE_FLOAT32, &error);
      ok = ok && live[slot] != NULL;
    }
  for (guint s = 0; s < G_N_ELEMENTS (live); s++)
    g_clear_object (&live[s]);
  g_rand_free (rand);
  return GINT_TO_POINTER (ok);
}

static void
test_threads_buffer_cache (void)
{
  GThread *t[4];

  g_test_summary ("Freed CPU buffers reused by the backend's cache go to one owner at a time, "
                  "from several threads");
  lt_set_num_threads (2);
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    t[i] = g_thread_new ("churn", churn_in_thread, GUINT_TO_POINTER (i + 1));
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (t[i])));
}

/* The pool's jobs, one after the other, with part counts that go up and
 * down (and with them the threads the parts are ranged over): each part of
 * a job runs once, and only while its job runs. A late worker of a 2-part
 * job that still held its claim when the next job (48 parts) wrote its
 * part count used to take part 2 of that job: the part ran twice, on the
 * same scratch, and the job returned while it still ran (lt-train
 * crashed in the convolution's forward after ~10,000 steps, reading the
 * job that its caller had left). The pool's set-up is slowed down here so
 * that the window is wide enough to be seen. */
typedef struct
{
  gint counts[64];
  gint alive; /* 1 until the job has returned */
} PoolJob;

static gint pool_stray_parts;

static void
pool_job_part (int tid, int n, gpointer ctx)
{
  PoolJob *job = ctx;

  if (g_atomic_int_get (&job->alive) != 1 || tid < 0 || tid >= n)
    g_atomic_int_inc (&pool_stray_parts);
  else
    g_atomic_int_inc (&job->counts[tid]);
}

static void
test_threads_pool_jobs (void)
{
  int threads = lt_get_num_threads ();

  g_test_summary ("Every part of a pool job runs once, while its job runs, however late a "
                  "worker of the job before comes");
  _lt_cpu_parallel_set_open_delay (300);
  for (int t = 2; t <= 8; t *= 2)
    {
      lt_set_num_threads (t);
      for (int i = 0; i < 4000; i++)
        {
          PoolJob job = { { 0 }, 1 };
          /* part counts below, at and above the threads: the ranges
           * per thread change in number and size from job to job */
          int n = (int[]){ 2, 48, 3, 17 }[i % 4];

          _lt_cpu_parallel (n, pool_job_part, &job);
          for (int p = 0; p < (int) G_N_ELEMENTS (job.counts); p++)
            if (g_atomic_int_get (&job.counts[p]) != (p < n))
              g_error ("job %d on %d threads: part %d of %d ran %d times", i, t, p, n,
                       g_atomic_int_get (&job.counts[p]));
          g_atomic_int_set (&job.alive, 0);
          g_assert_cmpint (g_atomic_int_get (&pool_stray_parts), ==, 0);
        }
    }
  _lt_cpu_parallel_set_open_delay (0);
  lt_set_num_threads (threads);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/threads/fork", test_threads_fork);
  g_test_add_func ("/threads/concurrent", test_threads_concurrent);
  g_test_add_func ("/threads/count", test_threads_count);
  g_test_add_func ("/threads/buffer-cache", test_threads_buffer_cache);
  g_test_add_func ("/threads/pool-jobs", test_threads_pool_jobs);
  return g_test_run ();
}
