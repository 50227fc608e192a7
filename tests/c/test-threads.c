/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/wait.h>
#include <unistd.h>

#include <libtensor.h>

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

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/threads/fork", test_threads_fork);
  g_test_add_func ("/threads/concurrent", test_threads_concurrent);
  g_test_add_func ("/threads/count", test_threads_count);
  return g_test_run ();
}
