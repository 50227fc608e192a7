/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process group never hangs (run by mpi-launch.py --recovery, so that
 * mpirun lets the other ranks live when one dies):
 *
 *   test-dist-failures kill VICTIM   VICTIM is killed (SIGKILL) in the
 *                                    middle of a series of all_reduces:
 *                                    every other rank gets
 *                                    LT_ERROR_PEER_LOST naming it (rank,
 *                                    pid, host), directly or relayed by
 *                                    rank 0
 *   test-dist-failures stop VICTIM   VICTIM stops (SIGSTOP): the others
 *                                    name it once it has been silent for
 *                                    half the timeout, then kill it
 *   test-dist-failures timeout       rank 0 calls an all_reduce nobody
 *                                    else calls: LT_ERROR_TIMED_OUT,
 *                                    saying every peer is alive
 *
 * After the error the group is broken: later calls fail at once with the
 * same error, destroy_process_group ends it without waiting, and a new
 * group cannot be made.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "dist-helpers.h"

static void
check_broken (LtProcessGroup *world, const GError *first, gint code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = lt_ones ((gint64[]){ 3 }, 1, LT_DTYPE_FLOAT32, &error);

  g_assert_false (lt_process_group_check (world, &error));
  g_assert_error (error, LT_ERROR, code);
  g_clear_error (&error);
  g_assert_false (lt_process_group_all_reduce (world, t, LT_REDUCE_OP_SUM, &error));
  g_assert_error (error, LT_ERROR, code);
  g_clear_error (&error);
  g_assert_false (lt_destroy_process_group (&error));
  g_assert_error (error, LT_ERROR, code);
  g_clear_error (&error);
  g_assert_false (lt_init_process_group ("mpi", 5, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "lost a peer"));
}

/* Runs all_reduces until one fails; returns the error and how many
 * completed. */
static GError *
reduce_until_failure (LtProcessGroup *world,
                      int             rank,
                      int             victim,
                      int             die_at,
                      int             sig,
                      int            *completed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = lt_ones ((gint64[]){ 100000 }, 1, LT_DTYPE_FLOAT32, &error);

  for (int i = 0; i < 100000; i++)
    {
      if (rank == victim && i == die_at)
        raise (sig);
      if (!lt_process_group_all_reduce (world, t, LT_REDUCE_OP_AVG, &error))
        return g_steal_pointer (&error);
      *completed = i + 1;
    }
  g_error ("rank %d: 100000 all_reduces completed although rank %d was to stop", rank, victim);
  return NULL;
}

static int
lose_a_peer (int victim, int sig, double timeout)
{
  LtProcessGroup *world = dist_init (timeout);
  int             rank = lt_process_group_get_rank (world);
  int             size = lt_process_group_get_size (world);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) pids = lt_zeros ((gint64[]){ size }, 1, LT_DTYPE_INT64, &error);
  g_autoptr(LtTensor) pid =
               lt_full ((gint64[]){ 1 }, 1, (double) getpid (), LT_DTYPE_INT64, &error);
  g_autofree char *host = g_strdup (g_get_host_name ());
  g_autofree char *want = NULL;
  int              completed = 0;
  gint64           victim_pid;

  g_assert_cmpint (victim, <, size);
  g_assert_true (lt_process_group_all_gather (world, pids, pid, &error));
  g_assert_no_error (error);
  victim_pid = ((gint64 *) lt_tensor_get_data_ptr (pids))[victim];

  error = reduce_until_failure (world, rank, victim, 20, sig, &completed);
  /* Only the survivors get here. */
  g_test_message ("rank %d: after %d all_reduces: %s", rank, completed, error->message);
  g_assert_error (error, LT_ERROR, LT_ERROR_PEER_LOST);
  want = g_strdup_printf ("rank %d (pid %" G_GINT64_FORMAT " on ", victim, victim_pid);
  g_assert_nonnull (strstr (error->message, want));
  g_assert_nonnull (strstr (error->message, ") was lost: "));
  g_assert_nonnull (
    strstr (error->message, sig == SIGKILL ? "the process ended" : "stopped answering"));
  g_assert_nonnull (strstr (error->message, "all_reduce (float32, 100000 elements): "));
  g_assert_cmpint (completed, >=, 19);
  g_assert_cmpint (completed, <=, 20);
  check_broken (world, error, LT_ERROR_PEER_LOST);
  if (sig == SIGSTOP)
    kill ((pid_t) victim_pid, SIGKILL); /* the stopped rank would hold mpirun for ever */
  (void) host;
  dist_pass (rank);
  return 0;
}

static int
time_out (void)
{
  LtProcessGroup *world = dist_init (4);
  int             rank = lt_process_group_get_rank (world);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) t = lt_ones ((gint64[]){ 10 }, 1, LT_DTYPE_FLOAT64, &error);

  g_assert_true (lt_process_group_barrier (world, &error));
  if (rank == 0)
    {
      g_assert_false (lt_process_group_all_reduce (world, t, LT_REDUCE_OP_SUM, &error));
      g_test_message ("rank 0: %s", error->message);
      g_assert_error (error, LT_ERROR, LT_ERROR_TIMED_OUT);
      g_assert_nonnull (strstr (error->message, "all_reduce (float64, 10 elements): did not "
                                                "complete within 4 s: every peer is alive"));
      dist_touch_file ("timed-out");
      check_broken (world, error, LT_ERROR_TIMED_OUT);
    }
  else
    {
      /* Alive, answering heartbeats, but not in the collective. */
      g_assert_true (dist_wait_file ("timed-out", 120));
      /* Rank 0 may have destroyed its group by now: then it said goodbye,
       * and was not lost. */
      if (!lt_process_group_check (world, &error))
        {
          g_assert_error (error, LT_ERROR, LT_ERROR_PEER_LOST);
          g_assert_cmpstr (error->message, ==, "rank 0 left the group");
        }
    }
  dist_pass (rank);
  return 0;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc == 3 && strcmp (argv[1], "kill") == 0)
    return lose_a_peer (atoi (argv[2]), SIGKILL, 30);
  if (argc == 3 && strcmp (argv[1], "stop") == 0)
    return lose_a_peer (atoi (argv[2]), SIGSTOP, 6);
  if (argc == 2 && strcmp (argv[1], "timeout") == 0)
    return time_out ();
  g_printerr ("usage: %s kill RANK | stop RANK | timeout\n", argv[0]);
  return 2;
}
