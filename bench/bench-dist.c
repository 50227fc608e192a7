/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-dist: the tutorial's CIFAR-10 training step (zero_grad, forward,
 * CrossEntropyLoss, backward, SGD step) data-parallel or not:
 *
 *   bench-dist --threads 2 --batch 64,256          one process, 2 threads
 *   mpirun -np 2 bench-dist --threads 1 --batch 64,256
 *                                                  2 processes, 1 thread each
 *
 * --batch is the global batch: under mpirun each of the N ranks trains on
 * batch / N rows of it through LtDistributedDataParallel (its gradients
 * all-reduced in buckets during backward), so both runs do the same work
 * per step. For each batch it prints one JSON object (rank 0): images/s
 * (global batch x steps / the slowest rank's wall time), milliseconds per
 * step, and under mpirun the share of the step time rank 0 spent waiting
 * for the gradient all-reduce (lt_distributed_data_parallel_get_wait_time:
 * the wait left after backward, i.e. the communication that did not
 * overlap computation). bench/run_dist.py runs both ways and tabulates.
 */

#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#include <libtensor.h>

#include "bench-common.h"
#include "lt-train-net.h"

typedef struct
{
  LtModule                  *net;
  LtModule                  *forward; /* the DDP wrapper, or net */
  LtOptimizer               *optimizer;
  LtLoss                    *criterion;
  LtTensor                  *inputs, *labels;
  LtDistributedDataParallel *ddp;
} Step;

static void
check (GError *error, const char *what)
{
  if (error)
    {
      fprintf (stderr, "bench-dist: %s: %s\n", what, error->message);
      exit (1);
    }
}

static void
step_run (Step *s)
{
  GError *error = NULL;
  g_autoptr(LtTensor) outputs = NULL;
  g_autoptr(LtTensor) loss = NULL;

  lt_optimizer_zero_grad (s->optimizer, TRUE);
  outputs = lt_module_forward (s->forward, s->inputs, &error);
  check (error, "forward");
  loss = lt_loss_compute (s->criterion, outputs, s->labels, &error);
  check (error, "loss");
  lt_tensor_backward (loss, NULL, FALSE, &error);
  check (error, "backward");
  lt_optimizer_step (s->optimizer, &error);
  check (error, "step");
}

int
main (int argc, char **argv)
{
  GError          *error = NULL;
  g_autofree char *batches = NULL;
  int              threads = 1, steps = 30, warmup = 5;
  GOptionEntry     entries[] = {
        { "batch", 0, 0, G_OPTION_ARG_STRING, &batches, "Global batch sizes (default 64,256)",
          "N,..." },
        { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads per process (default 1)", "N" },
        { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Timed steps per batch size (default 30)", "N" },
        { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Untimed steps first (default 5)", "N" },
        { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- data-parallel training step");
  g_auto(GStrv) sizes = NULL;
  LtProcessGroup *group = NULL;
  int             rank = 0, world = 1;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    check (error, "options");
  lt_set_num_threads (MAX (threads, 1));
  if (lt_distributed_is_launched ())
    {
      lt_init_process_group ("mpi", 600, &error);
      check (error, "init_process_group");
      group = lt_process_group_get_default ();
      rank = lt_process_group_get_rank (group);
      world = lt_process_group_get_size (group);
    }

  sizes = g_strsplit (batches ? batches : "64,256", ",", -1);
  for (int i = 0; sizes[i]; i++)
    {
      gint64 global = g_ascii_strtoll (sizes[i], NULL, 10);
      gint64 local = global / world;
      Step   s = { 0 };
      g_autoptr(GPtrArray) params = NULL;
      double t0, elapsed, wait0 = 0, wait = 0, slowest;

      if (local <= 0 || local * world != global)
        {
          fprintf (stderr, "bench-dist: batch %s does not divide among %d processes\n", sizes[i],
                   world);
          return 2;
        }
      lt_manual_seed (0);
      s.net = LT_MODULE (lt_train_net_new (3, &error));
      check (error, "network");
      s.forward = s.net;
      if (group)
        {
          s.ddp = lt_distributed_data_parallel_new (s.net, group, 0, &error);
          check (error, "DistributedDataParallel");
          s.forward = LT_MODULE (s.ddp);
        }
      params = lt_module_parameters (s.net);
      s.optimizer = LT_OPTIMIZER (lt_sgd_new (params, 0.001, 0.9, 0, 0, FALSE, &error));
      s.criterion =
        LT_LOSS (lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error));
      check (error, "optimizer");
      lt_manual_seed (1 + rank);
      s.inputs = lt_randn ((gint64[]){ local, 3, 32, 32 }, 4, LT_DTYPE_FLOAT32, &error);
      s.labels = lt_randint (0, 10, (gint64[]){ local }, 1, LT_DTYPE_INT64, &error);
      check (error, "data");

      for (int k = 0; k < warmup; k++)
        step_run (&s);
      if (group)
        {
          lt_process_group_barrier (group, &error);
          check (error, "barrier");
          wait0 = lt_distributed_data_parallel_get_wait_time (s.ddp);
        }
      t0 = bench_now ();
      for (int k = 0; k < steps; k++)
        step_run (&s);
      elapsed = bench_now () - t0;
      slowest = elapsed;
      if (group)
        {
          g_autoptr(LtTensor) t = lt_scalar_tensor (elapsed, LT_DTYPE_FLOAT64);

          wait = lt_distributed_data_parallel_get_wait_time (s.ddp) - wait0;
          lt_process_group_all_reduce (group, t, LT_REDUCE_OP_MAX, &error);
          check (error, "all_reduce");
          lt_tensor_item (t, &slowest, &error);
          check (error, "item");
        }
      if (rank == 0)
        printf ("{\"bench\": \"dist-step\", \"processes\": %d, \"threads\": %d, \"batch\": %" PRId64
                ", \"per_process\": %" PRId64 ", \"steps\": %d, \"images_per_s\": %.1f, "
                "\"ms_per_step\": %.3f, \"comm_wait_share\": %.4f}\n",
                world, threads, global, local, steps, (double) global * steps / slowest,
                1e3 * slowest / steps, group ? wait / elapsed : 0.0);
      fflush (stdout);
      g_clear_object (&s.inputs);
      g_clear_object (&s.labels);
      g_clear_object (&s.optimizer);
      g_clear_object (&s.criterion);
      g_clear_object (&s.ddp);
      g_clear_object (&s.net);
    }
  if (group)
    {
      lt_destroy_process_group (&error);
      check (error, "destroy_process_group");
    }
  return 0;
}
