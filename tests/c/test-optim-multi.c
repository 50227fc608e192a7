/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CPU backend's multi-tensor updates (backends/cpu/lt-cpu-multi-tensor.c):
 * - every optimizer configuration of optim-cases.c steps a group of
 *   parameters in one multi-tensor update per step, and gives the bits of
 *   the unfused step (one op per operation and parameter), parameters and
 *   state tensors alike, in float32 and float64, over a 0-dim parameter,
 *   small ones, and one large enough for the thread pool to share;
 * - a group with a parameter the update cannot take (a non-contiguous
 *   view) steps every parameter the unfused way, with the same bits;
 * - zero_grad zeroes every gradient of a model in one update per dtype.
 */

#include <libtensor.h>

#include "backends/cpu/lt-cpu-private.h"
#include "core/lt-tensor-private.h"
#include "optim-cases.h"

/* A 0-dim parameter, small ones, and one of 70,000 elements: more than two
 * of the pieces the thread pool shares (LT_CPU_GRAIN) */
#define N_PARAMS 12

static LtTensor *
param_randn (guint i, LtDType dt)
{
  g_autoptr(GError) error = NULL;
  gint64    shape[2] = { i, 2 + i % 4 };
  gsize     n_dims = 2;
  LtTensor *t;

  if (i == 0)
    n_dims = 0;
  else if (i == 1)
    {
      shape[0] = 350;
      shape[1] = 200;
    }
  t = lt_randn (shape, n_dims, dt, &error);
  g_assert_no_error (error);
  return t;
}

/* Three steps of @c over the same parameters and gradients, with the
 * multi-tensor update on or off: the parameters, in @params_out, and the
 * optimizer; @n_multi: the multi-tensor updates they took. @view: the
 * third parameter is a transposed (non-contiguous) view. */
static LtOptimizer *
run_optimizer (const OptCase *c,
               LtDType        dt,
               gboolean       multi,
               gboolean       view,
               GPtrArray    **params_out,
               guint64       *n_multi)
{
  g_autoptr(GError) error = NULL;
  GPtrArray   *params = g_ptr_array_new_with_free_func (g_object_unref);
  LtOptimizer *opt;
  guint64      before;

  _lt_cpu_set_multi_tensor (multi);
  lt_manual_seed (3);
  for (guint i = 0; i < N_PARAMS; i++)
    {
      LtTensor *p = param_randn (i, dt);

      if (view && i == 3)
        {
          LtTensor *t = lt_tensor_t (p, &error);

          g_assert_no_error (error);
          g_object_unref (p);
          p = t;
          g_assert_false (lt_tensor_is_contiguous (p));
        }
      g_assert_true (lt_tensor_set_requires_grad (p, TRUE, &error));
      g_ptr_array_add (params, p);
    }
  opt = optim_case_new (c, params);
  before = _lt_cpu_multi_tensor_calls ();
  for (guint step = 0; step < 3; step++)
    {
      lt_manual_seed (50 + step);
      for (guint i = 0; i < N_PARAMS; i++)
        {
          LtTensor *p = g_ptr_array_index (params, i);
          g_autoptr(LtTensor) g = lt_randn_like (p, &error);

          g_assert_no_error (error);
          g_assert_true (lt_tensor_set_grad (p, g, &error));
          g_assert_no_error (error);
        }
      g_assert_true (lt_optimizer_step (opt, &error));
      g_assert_no_error (error);
    }
  *n_multi = _lt_cpu_multi_tensor_calls () - before;
  _lt_cpu_set_multi_tensor (TRUE);
  *params_out = params;
  return opt;
}

static void
compare_runs (const OptCase *c, GPtrArray *pa, LtOptimizer *oa, GPtrArray *pb, LtOptimizer *ob)
{
  for (guint i = 0; i < N_PARAMS; i++)
    {
      LtTensor    *p = g_ptr_array_index (pa, i);
      LtTensor    *q = g_ptr_array_index (pb, i);
      LtStateDict *sa = lt_optimizer_get_state (oa, p);
      LtStateDict *sb = lt_optimizer_get_state (ob, q);

      assert_same_bits (p, q, c->name);
      g_assert_cmpuint (lt_state_dict_get_n_tensors (sa), ==, lt_state_dict_get_n_tensors (sb));
      for (guint j = 0; c->states[j]; j++)
        {
          LtTensor *a = lt_state_dict_lookup (sa, c->states[j]);
          LtTensor *b = lt_state_dict_lookup (sb, c->states[j]);

          g_assert_nonnull (a);
          g_assert_nonnull (b);
          assert_same_bits (a, b, c->states[j]);
        }
    }
}

/* Every case with the multi-tensor update on and off: the same bits, and
 * @expected_multi updates with it on (none with it off). @view: a group
 * with a non-contiguous parameter. */
static void
run_cases (LtDType dt, gboolean view, guint64 expected_multi)
{
  for (guint k = 0; k < n_opt_cases; k++)
    {
      const OptCase *c = &opt_cases[k];
      g_autoptr(GPtrArray) pm = NULL;
      g_autoptr(GPtrArray) pu = NULL;
      g_autoptr(LtOptimizer) om = NULL;
      g_autoptr(LtOptimizer) ou = NULL;
      guint64 n_multi, n_unfused;

      g_test_message ("%s (%s)", c->name, lt_dtype_get_name (dt));
      om = run_optimizer (c, dt, TRUE, view, &pm, &n_multi);
      ou = run_optimizer (c, dt, FALSE, view, &pu, &n_unfused);
      g_assert_cmpuint (n_multi, ==, expected_multi);
      g_assert_cmpuint (n_unfused, ==, 0);
      compare_runs (c, pm, om, pu, ou);
    }
}

/* one update a step: every parameter's state has one step count */
static void
test_optimizers (gconstpointer data)
{
  run_cases (GPOINTER_TO_INT (data), FALSE, 3);
}

/* the group steps one parameter at a time */
static void
test_fallback (void)
{
  run_cases (LT_DTYPE_FLOAT32, TRUE, 0);
}

static void
test_zero_grad (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtLinear) fc = lt_linear_new (6, 300, TRUE, &error);
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) loss = NULL;
  gint64  shape[2] = { 5, 6 };
  guint64 before;

  g_assert_no_error (error);
  x = lt_randn (shape, 2, LT_DTYPE_FLOAT32, &error);
  y = lt_module_forward (LT_MODULE (fc), x, &error);
  g_assert_no_error (error);
  loss = lt_tensor_sum (y, &error);
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);

  params = lt_module_parameters (LT_MODULE (fc));
  g_assert_cmpuint (params->len, ==, 2);
  before = _lt_cpu_multi_tensor_calls ();
  lt_module_zero_grad (LT_MODULE (fc), FALSE);
  /* the weight and the bias in one update */
  g_assert_cmpuint (_lt_cpu_multi_tensor_calls () - before, ==, 1);
  for (guint i = 0; i < params->len; i++)
    {
      LtTensor *g = lt_tensor_get_grad (g_ptr_array_index (params, i));
      g_autoptr(LtTensor) a = NULL;
      g_autoptr(LtTensor) m = NULL;
      double v = -1;

      g_assert_nonnull (g);
      a = lt_tensor_abs (g, &error);
      m = a ? lt_tensor_max (a, &error) : NULL;
      g_assert_no_error (error);
      g_assert_true (lt_tensor_item (m, &v, &error));
      g_assert_cmpfloat (v, ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/optim/multi/float32", GINT_TO_POINTER (LT_DTYPE_FLOAT32),
                        test_optimizers);
  g_test_add_data_func ("/optim/multi/float64", GINT_TO_POINTER (LT_DTYPE_FLOAT64),
                        test_optimizers);
  g_test_add_func ("/optim/multi/fallback", test_fallback);
  g_test_add_func ("/optim/multi/zero-grad", test_zero_grad);
  g_test_summary ("The CPU backend's multi-tensor optimizer steps and zero_grad");
  return g_test_run ();
}
