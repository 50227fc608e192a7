/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LtDistributedDataParallel against its definition: the tutorial's
 * network trained for a few steps on N ranks, each on its shard of every
 * global batch, ends with the parameters of one process trained on the
 * whole global batches (SGD with momentum, float32 tolerance), with one
 * bucket or many, and with gradient accumulation under no_sync. Every
 * rank computes the single-process reference itself. Also: the ranks
 * start from rank 0's parameters, end with the same bits, no_sync leaves
 * the gradients local, a parameter without gradient and models that
 * differ between ranks are errors.
 */
#include <math.h>
#include <string.h>

#include "core/lt-tensor-private.h"
#include "dist-helpers.h"
#include "lt-train-net.h"

#define PER_RANK 4 /* samples per rank in a micro-batch */
#define STEPS 6

static LtProcessGroup *world;
static int             rank, size;
static LtTensor       *images, *labels;

typedef struct
{
  LtModule    *net;
  LtOptimizer *opt;
  LtLoss      *loss;
} Model;

static Model
model_new (guint64 seed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;
  Model m;

  lt_manual_seed (seed);
  m.net = LT_MODULE (lt_train_net_new (3, &error));
  g_assert_no_error (error);
  params = lt_module_parameters (m.net);
  m.opt = LT_OPTIMIZER (lt_sgd_new (params, 0.01, 0.9, 0, 0, FALSE, &error));
  g_assert_no_error (error);
  m.loss = LT_LOSS (lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0, &error));
  g_assert_no_error (error);
  return m;
}

static void
model_clear (Model *m)
{
  g_clear_object (&m->net);
  g_clear_object (&m->opt);
  g_clear_object (&m->loss);
}

/* Forward (through @forward), loss / @k, backward on rows [start, start + n). */
static void
micro_batch (Model *m, LtModule *forward, gint64 start, gint64 n, int k)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = lt_tensor_narrow (images, 0, start, n, &error);
  g_autoptr(LtTensor) y = lt_tensor_narrow (labels, 0, start, n, &error);
  g_autoptr(LtTensor) out = lt_module_forward (forward, x, &error);
  g_autoptr(LtTensor) loss = NULL;
  g_autoptr(LtTensor) scaled = NULL;

  g_assert_no_error (error);
  loss = lt_loss_compute (m->loss, out, y, &error);
  g_assert_no_error (error);
  scaled = lt_tensor_div_scalar (loss, k, &error);
  g_assert_true (lt_tensor_backward (scaled, NULL, FALSE, &error));
  g_assert_no_error (error);
}

static double *
flat_parameters (LtModule *net, gsize *n)
{
  g_autoptr(GPtrArray) params = lt_module_parameters (net);
  GArray *all = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < params->len; i++)
    {
      gsize              k = 0;
      g_autofree double *v = lt_tensor_to_doubles (g_ptr_array_index (params, i), &k, NULL);

      g_array_append_vals (all, v, k);
    }
  *n = all->len;
  return (double *) g_array_free (all, FALSE);
}

/* The same bits on every rank. */
static void
assert_same_on_every_rank (const double *v, gsize n, gboolean same, const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) mine =
               lt_tensor_new_from_doubles (v, n, (gint64[]){ n }, 1, LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) all = lt_zeros ((gint64[]){ size, n }, 2, LT_DTYPE_FLOAT64, &error);
  gboolean equal = TRUE;

  g_assert_true (lt_process_group_all_gather (world, all, mine, &error));
  g_assert_no_error (error);
  for (int r = 0; r < size; r++)
    equal &= memcmp ((double *) _lt_tensor_data (all) + r * n, v, n * sizeof (double)) == 0;
  if (equal != same)
    g_error ("%s: the ranks hold %s values", what, equal ? "the same" : "different");
}

/* Trains for STEPS steps of @k micro-batches each, data parallel with
 * buckets of @cap_mb, and compares with one process on the global
 * batches. */
static void
compare_with_one_process (double cap_mb, int k, guint expect_buckets_min)
{
  g_autoptr(GError) error = NULL;
  gint64 global = (gint64) PER_RANK * size;
  Model  ref = model_new (1234);
  /* Every rank but 0 starts elsewhere: the wrapper must broadcast. */
  Model dp = model_new (1234 + rank);
  g_autoptr(LtDistributedDataParallel) ddp = NULL;
  g_autofree double *want = NULL, *got = NULL;
  gsize              n_want = 0, n_got = 0;
  double             worst = 0, first_before;

  ddp = lt_distributed_data_parallel_new (dp.net, NULL, cap_mb, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lt_distributed_data_parallel_get_n_buckets (ddp), >=, expect_buckets_min);
  g_assert_true (lt_distributed_data_parallel_get_module (ddp) == dp.net);
  got = flat_parameters (dp.net, &n_got);
  want = flat_parameters (ref.net, &n_want);
  g_assert_cmpmem (got, n_got * sizeof (double), want, n_want * sizeof (double));
  first_before = want[0];
  g_clear_pointer (&got, g_free);
  g_clear_pointer (&want, g_free);

  for (int step = 0; step < STEPS; step++)
    {
      for (int j = 0; j < k; j++)
        {
          gint64 base = ((gint64) step * k + j) * global;

          micro_batch (&ref, ref.net, base, global, k);
          lt_distributed_data_parallel_set_require_backward_grad_sync (ddp, j == k - 1);
          micro_batch (&dp, LT_MODULE (ddp), base + rank * PER_RANK, PER_RANK, k);
          if (j < k - 1 && step == 0)
            {
              /* no_sync: each rank's gradient is its own shard's */
              LtTensor *g = lt_tensor_get_grad (lt_module_get_parameter (dp.net, "fc3.bias"));
              gsize     n = 0;
              g_autofree double *v = lt_tensor_to_doubles (g, &n, NULL);

              assert_same_on_every_rank (v, n, FALSE, "fc3.bias.grad under no_sync");
            }
        }
      g_assert_true (lt_optimizer_step (ref.opt, &error));
      g_assert_true (lt_optimizer_step (dp.opt, &error));
      g_assert_no_error (error);
      lt_optimizer_zero_grad (ref.opt, TRUE);
      lt_optimizer_zero_grad (dp.opt, TRUE);
    }

  got = flat_parameters (dp.net, &n_got);
  want = flat_parameters (ref.net, &n_want);
  g_assert_cmpuint (n_got, ==, n_want);
  for (gsize i = 0; i < n_got; i++)
    {
      double d = fabs (got[i] - want[i]);

      worst = MAX (worst, d / (1e-3 + fabs (want[i])));
      if (d > 1e-6 + 1e-5 * fabs (want[i]))
        g_error ("parameter element %zu: %.9g data parallel, %.9g in one process", i, got[i],
                 want[i]);
    }
  g_test_message ("rank %d, %d micro-batches, %u buckets: worst relative difference %.3g", rank, k,
                  lt_distributed_data_parallel_get_n_buckets (ddp), worst);
  /* The training moved the parameters, and every rank holds the same bits. */
  g_assert_cmpfloat (got[0], !=, first_before);
  assert_same_on_every_rank (got, n_got, TRUE, "parameters after training");
  g_assert_cmpfloat (lt_distributed_data_parallel_get_wait_time (ddp), >, 0);
  model_clear (&ref);
  model_clear (&dp);
}

static void
test_one_bucket (void)
{
  g_test_summary ("data-parallel SGD on N ranks equals one process on the global batches "
                  "(one 1 MB bucket)");
  compare_with_one_process (0, 1, 1);
}

static void
test_many_buckets (void)
{
  g_test_summary ("the same with buckets of 20 kB: the buckets start in order as their "
                  "gradients come");
  compare_with_one_process (0.02, 1, 5);
}

static void
test_no_sync (void)
{
  g_test_summary ("gradient accumulation over 3 micro-batches, the first two under no_sync, "
                  "equals one process on the whole");
  compare_with_one_process (0.05, 3, 2);
}

static void
test_unused_parameter (void)
{
  g_autoptr(GError) error = NULL;
  Model m = model_new (99);
  g_autoptr(LtTensor) spare = lt_zeros ((gint64[]){ 3 }, 1, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtDistributedDataParallel) ddp = NULL;
  g_autoptr(LtTensor) out = NULL;

  g_test_summary ("a parameter that gets no gradient is named by the next forward");
  g_assert_true (lt_tensor_set_requires_grad (spare, TRUE, &error));
  g_assert_true (lt_module_register_parameter (m.net, "spare", spare, &error));
  ddp = lt_distributed_data_parallel_new (m.net, NULL, 0.02, &error);
  g_assert_no_error (error);
  micro_batch (&m, LT_MODULE (ddp), rank * PER_RANK, PER_RANK, 1);
  out = lt_module_forward (LT_MODULE (ddp), images, &error);
  g_assert_null (out);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "did not finish: spare received no gradient"));
  g_clear_error (&error);
  /* Under no_sync nothing is expected. */
  lt_distributed_data_parallel_set_require_backward_grad_sync (ddp, FALSE);
  micro_batch (&m, LT_MODULE (ddp), rank * PER_RANK, PER_RANK, 1);
  micro_batch (&m, LT_MODULE (ddp), rank * PER_RANK, PER_RANK, 1);
  model_clear (&m);
}

static void
test_different_models (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtLinear) fc = lt_linear_new (3, rank == size - 1 ? 5 : 4, TRUE, &error);
  g_autoptr(LtDistributedDataParallel) ddp = NULL;
  g_autofree char *want = NULL;

  g_test_summary ("ranks that wrap different models all get an error naming one");
  ddp = lt_distributed_data_parallel_new (LT_MODULE (fc), NULL, 0, &error);
  g_assert_null (ddp);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  want = g_strdup_printf ("rank %d has 2 parameters of 20 elements, rank 0 2 of 16", size - 1);
  g_assert_nonnull (strstr (error->message, want));
}

static void
test_module (void)
{
  g_autoptr(GError) error = NULL;
  Model m = model_new (5);
  g_autoptr(LtDistributedDataParallel) ddp =
               lt_distributed_data_parallel_new (m.net, NULL, 0, &error);
  g_autofree char *text = NULL;
  g_autoptr(LtStateDict) sd = NULL;

  g_test_summary ("the wrapper prints and names its state as PyTorch's does");
  g_assert_no_error (error);
  text = lt_module_to_string (LT_MODULE (ddp));
  g_assert_true (g_str_has_prefix (text, "DistributedDataParallel(\n  (module): "));
  sd = lt_module_state_dict (LT_MODULE (ddp));
  g_assert_nonnull (lt_state_dict_lookup (sd, "module.conv1.weight"));
  g_assert_true (lt_distributed_data_parallel_get_process_group (ddp) == world);
  g_assert_true (lt_distributed_data_parallel_get_require_backward_grad_sync (ddp));
  g_assert_true (lt_distributed_data_parallel_get_broadcast_buffers (ddp));
  g_assert_finalize_object (g_steal_pointer (&ddp));
  model_clear (&m);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  gint64 n;
  int    status;

  g_test_init (&argc, &argv, NULL);
  lt_set_num_threads (1);
  world = dist_init (120);
  rank = lt_process_group_get_rank (world);
  size = lt_process_group_get_size (world);

  /* Enough rows for the longest run: STEPS x 3 micro-batches. */
  n = (gint64) STEPS * 3 * PER_RANK * size;
  lt_manual_seed (7);
  images = lt_randn ((gint64[]){ n, 3, 32, 32 }, 4, LT_DTYPE_FLOAT32, &error);
  labels = lt_randint (0, 10, (gint64[]){ n }, 1, LT_DTYPE_INT64, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ddp/module", test_module);
  g_test_add_func ("/ddp/one-bucket", test_one_bucket);
  g_test_add_func ("/ddp/many-buckets", test_many_buckets);
  g_test_add_func ("/ddp/no-sync", test_no_sync);
  g_test_add_func ("/ddp/unused-parameter", test_unused_parameter);
  g_test_add_func ("/ddp/different-models", test_different_models);
  status = g_test_run ();

  g_clear_object (&images);
  g_clear_object (&labels);
  g_assert_true (lt_destroy_process_group (&error));
  g_assert_no_error (error);
  if (status == 0)
    dist_pass (rank);
  return status;
}
