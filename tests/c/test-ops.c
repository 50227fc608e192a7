/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness, after ggml's tests/test-backend-ops.cpp: every
 * LtOp of _lt_op_table (ops/lt-op-table.c) has a spec in test-ops*.c,
 * and /ops/table/complete fails for an op without one, so adding an op
 * without a test fails CI.
 *
 * Forward: each op runs on random inputs of several layouts (contiguous,
 * transposed, sliced with a step, expanded with stride 0), with
 * broadcasting, size-0 and rank-0 tensors, odd lengths and lengths above
 * the CPU backend's parallel threshold; the result is compared with a
 * float64 reference computed here with plain loops over doubles (never by
 * the library), element by element within tolerances that follow the
 * dtype. Integer results must match exactly.
 *
 * Backward: every op with a backward rule goes through lt_gradcheck()
 * (float64 leaves, eps 1e-6, atol 1e-5, rtol 1e-3) on the same kinds of
 * inputs, away from points where the op is not differentiable, except for
 * the dedicated tie tests that pin PyTorch's choices.
 *
 * Ops that only internal code reaches (fill, copy, the random kernels,
 * arange, linspace, index_add, masked_scatter, alias, accumulate_grad) are
 * exercised through the public functions that use them.
 *
 * Every buffer of the CPU backend comes out of its allocator filled with
 * NaN (_lt_cpu_alloc_poison ()): a kernel that reads scratch or output it
 * never wrote gives NaN where a fresh page's zeros would hide it.
 *
 * This file registers the specs and holds the autograd's own op
 * (accumulate_grad); ops-harness.{h,c} are the shared helpers, and each
 * test-ops-<family>.c the specs of one family of ops.
 */

#include "ops-harness.h"
#include "backends/cpu/lt-cpu-private.h"

/* accumulate_grad: the leaf's node, no kernel and no backward rule: the
 * engine adds the gradient into the leaf's .grad. */

static void
accumulate_fw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mul_scalar (x, 2, &error);
  g_autoptr(LtTensor) z = lt_tensor_mul_scalar (x, 3, &error);
  LtGradFn *ny, *nz, *acc;

  g_assert_no_error (error);
  g_assert_null (lt_tensor_get_grad_fn (x));
  ny = lt_tensor_get_grad_fn (y);
  nz = lt_tensor_get_grad_fn (z);
  g_assert_nonnull (ny);
  g_assert_cmpuint (lt_grad_fn_get_n_next_functions (ny), ==, 2);
  acc = lt_grad_fn_get_next_function (ny, 0, NULL);
  g_assert_nonnull (acc);
  g_assert_null (lt_grad_fn_get_next_function (ny, 1, NULL));
  g_assert_cmpstr (lt_grad_fn_get_name (acc), ==, "AccumulateGrad");
  g_assert_cmphex (GPOINTER_TO_SIZE (lt_grad_fn_get_variable (acc)), ==, GPOINTER_TO_SIZE (x));
  /* one accumulator per leaf, shared by every use */
  g_assert_cmphex (GPOINTER_TO_SIZE (lt_grad_fn_get_next_function (nz, 0, NULL)), ==,
                   GPOINTER_TO_SIZE (acc));
}

static const OhCase accumulate_forward[] = {
  { "node", accumulate_fw_node },
  { NULL, NULL }
};

static LtTensor *
gc_twice (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) sq = lt_tensor_mul (in[0], in[0], &error);
  LtTensor *y = sq ? lt_tensor_add (sq, in[0], &error) : NULL;

  g_assert_no_error (error);
  return y;
}

static void
accumulate_bw_sum (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (2, 3), OH_LAY_T, OH_DIST_UNIT);
  g_autofree double *xv = oh_values_of (x);

  /* x used three times in one graph */
  oh_gradcheck (gc_twice, NULL, &x, 1);
  for (guint pass = 1; pass <= 2; pass++)
    {
      g_autoptr(LtTensor) y = gc_twice (&x, 1, NULL);
      g_autofree double *g = NULL;

      /* each backward adds 2x + 1 into .grad */
      oh_backward_sum (y);
      g = oh_grad_of (x);
      for (guint k = 0; k < 6; k++)
        g_assert_cmpfloat (fabs (g[k] - pass * (2 * xv[k] + 1)), <, 1e-12);
    }
  g_assert_cmpint (lt_tensor_get_grad (x)->dtype, ==, F64);
  g_assert_no_error (error);
}

static void
accumulate_bw_retain (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH0, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_exp (x, &error);
  double xv = oh_value_at (x, 0);

  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_backward (y, NULL, TRUE, &error), ==, TRUE);
  g_assert_cmpint (lt_tensor_backward (y, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (oh_value_at (lt_tensor_get_grad (x), 0) - 2 * exp (xv)), <, 1e-12);
  /* the graph is freed now */
  g_assert_cmpint (lt_tensor_backward (y, NULL, FALSE, &error), ==, FALSE);
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
}

static const OhCase accumulate_backward[] = {
  { "sum", accumulate_bw_sum },
  { "retain", accumulate_bw_retain },
  { NULL, NULL }
};

/* The spec of the autograd's own op; the families' specs are in
 * test-ops-<family>.c. */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_ACCUMULATE_GRAD, "accumulate_grad", NULL, accumulate_forward, NULL,
        accumulate_backward, NULL),
};

static guint
oh_register_autograd (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}

/* The rows agree with themselves and with the CPU backend: a backward rule
 * comes with its flag and its node's name, saves only with a backward rule,
 * views have the view flag, and the CPU backend (the reference every other
 * backend is compared with) has a kernel for exactly the ops whose row says
 * they have one. */
static void
test_table_rows (void)
{
  const LtBackend *cpu = _lt_backend_get_cpu ();

  for (guint op = 0; op < LT_OP_COUNT; op++)
    {
      const LtOpInfo *info = &_lt_op_table[op];
      gboolean        differentiable = (info->flags & LT_OPF_DIFFERENTIABLE) != 0;

      g_test_message ("op %u: %s", op, info->name);
      g_assert_nonnull (info->name);
      g_assert_cmpint (info->family, <, LT_OP_N_FAMILIES);
      g_assert_cmpint (info->backward != NULL, ==, differentiable);
      g_assert_cmpint (info->node_name[0] != NULL, ==, differentiable);
      if (info->node_name[1])
        g_assert_true (differentiable);
      if (!differentiable)
        g_assert_cmpuint (info->saves, ==, 0);
      g_assert_cmpint ((info->flags & LT_OPF_VIEW) != 0, ==, info->family == LT_OP_FAMILY_VIEW);
      g_assert_cmpint (cpu->kernels[op] != NULL, ==, (info->flags & LT_OPF_HAS_KERNEL) != 0);
    }
}

/* Every op of the table has exactly one spec, with forward cases, and
 * backward cases exactly when the op is differentiable. */
static void
test_table_complete (void)
{
  guint n_specs;
  const OhSpec *const *all = oh_get_specs (&n_specs);

  for (guint op = 0; op < LT_OP_COUNT; op++)
    {
      const LtOpInfo *info = &_lt_op_table[op];
      const OhSpec *spec = NULL;
      guint found = 0, nbw;

      g_assert_nonnull (info->name);
      for (guint i = 0; i < n_specs; i++)
        if (all[i]->op == op)
          {
            spec = all[i];
            found++;
          }
      if (found != 1)
        g_test_message ("op %u (\"%s\") has %u specs in tests/c/test-ops*.c; add one", op,
                        info->name, found);
      g_assert_cmpuint (found, ==, 1);
      g_assert_cmpuint (oh_count_cases (spec->forward) + oh_count_cases (spec->forward_extra),
                        >, 0);
      nbw = oh_count_cases (spec->backward) + oh_count_cases (spec->backward_extra);
      /* AccumulateGrad, the engine's own node, has backward cases too */
      if (info->backward || op == LT_OP_ACCUMULATE_GRAD)
        {
          if (nbw == 0)
            g_test_message ("op \"%s\" is differentiable but has no backward case", info->name);
          g_assert_cmpuint (nbw, >, 0);
        }
      else
        g_assert_cmpuint (nbw, ==, 0);
    }
  g_assert_cmpuint (n_specs, ==, LT_OP_COUNT);
}

/* On a device other than the CPU: the ops skipped for want of a kernel,
 * listed, and each of them really without one. */
static void
test_device_skipped (void)
{
  for (guint i = 0; i < oh_ops_without_kernel->len; i++)
    g_test_message ("no %s kernel: %s", lt_device_get_name (oh_device),
                    (const char *) oh_ops_without_kernel->pdata[i]);
  for (guint i = 0; i < oh_cases_excluded->len; i++)
    g_test_message ("not run on %s: %s", lt_device_get_name (oh_device),
                    (const char *) oh_cases_excluded->pdata[i]);
  for (guint op = 0; op < LT_OP_COUNT; op++)
    {
      gboolean listed = FALSE;

      for (guint i = 0; i < oh_ops_without_kernel->len; i++)
        listed |= g_strcmp0 (oh_ops_without_kernel->pdata[i], _lt_op_table[op].name) == 0;
      if (!oh_device_has_kernel (op))
        g_assert_true (listed);
    }
  if (oh_device == LT_DEVICE_CPU)
    {
      g_assert_cmpuint (oh_ops_without_kernel->len, ==, 0);
      g_assert_cmpuint (oh_cases_excluded->len, ==, 0);
    }
}

int
main (int argc, char *argv[])
{
  guint n = 1;

  g_test_init (&argc, &argv, NULL);
  _lt_cpu_alloc_poison (TRUE);
  g_test_summary ("Every op of the op table, forward against float64 references and "
                  "backward through gradcheck");
  g_test_add_func ("/ops/table/complete", test_table_complete);
  g_test_add_func ("/ops/table/rows", test_table_rows);
  /* the families in the order of the op table */
  n += oh_register_creation ();
  n += oh_register_pointwise ();
  n += oh_register_math ();
  n += oh_register_reduce ();
  n += oh_register_sort ();
  n += oh_register_linalg ();
  n += oh_register_lapack ();
  n += oh_register_shape ();
  n += oh_register_shape_inplace ();
  n += oh_register_index ();
  n += oh_register_index_put ();
  n += oh_register_conv ();
  n += oh_register_pool ();
  n += oh_register_norm ();
  n += oh_register_batch_norm ();
  n += oh_register_rnn ();
  n += oh_register_loss ();
  n += oh_register_fused ();
  n += oh_register_fused_act ();
  n += oh_register_fused_linear ();
  n += oh_register_nn ();
  n += oh_register_extra ();
  n += oh_register_autograd ();
  g_test_add_func ("/ops/device/skipped", test_device_skipped);
  g_debug ("%u test cases", n);
  return g_test_run ();
}
