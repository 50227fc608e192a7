/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The schedules of optim/lt-lr-schedulers.c, lt-reduce-lr-on-plateau.c
 * and SequentialLR, from C: each against its closed form (PyTorch 1.13's
 * formulas written here in doubles), the C callbacks of LambdaLR and
 * MultiplicativeLR, the momentum OneCycleLR and CyclicLR move, chaining
 * with SequentialLR, ReduceLROnPlateau's patience and cooldown, the base
 * rate a second schedule on the same optimizer takes (the first one's),
 * and the errors.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

static LtOptimizer *
make_sgd (double lr, double momentum)
{
  static const gint64 shape[1] = { 2 };
  const double        v[2] = { 0, 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_object_unref);
  LtSGD *opt;

  g_ptr_array_add (params, tensor_of (v, 2, shape, 1, LT_DTYPE_FLOAT32));
  opt = lt_sgd_new (params, lr, momentum, 0, 0, FALSE, &error);
  g_assert_no_error (error);
  return LT_OPTIMIZER (opt);
}

static void
step (LtLRScheduler *s)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lt_lr_scheduler_step (s, &error));
  g_assert_no_error (error);
}

static double
lr_of (LtLRScheduler *s)
{
  return lt_optimizer_get_lr (lt_lr_scheduler_get_optimizer (s), 0);
}

static double
halving (guint group, gint64 epoch, gpointer user_data)
{
  int *calls = user_data;

  (*calls)++;
  return pow (0.5, (double) epoch);
}

static double
constant (guint group, gint64 epoch, gpointer user_data)
{
  return *(double *) user_data;
}

static void
count_free (gpointer data)
{
  (*(int *) data) = -1000;
}

static void
test_lambda (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtOptimizer *opt = make_sgd (0.8, 0);
  int                    calls = 0;
  double                 factor = 0.9, inf = INFINITY;

  {
    autofinal LtLambdaLR *s = lt_lambda_lr_new (opt, halving, &calls, count_free, &error);

    g_assert_no_error (error);
    for (int e = 1; e <= 6; e++)
      {
        step (LT_LR_SCHEDULER (s));
        g_assert_cmpfloat (lr_of (LT_LR_SCHEDULER (s)), ==, 0.8 * pow (0.5, e));
      }
    g_assert_cmpint (calls, ==, 7);
  }
  /* freed with the schedule */
  g_assert_cmpint (calls, ==, -1000);
  {
    /* a second schedule's base rate is the group's initial rate, 0.8 */
    autofinal LtMultiplicativeLR *s =
      lt_multiplicative_lr_new (opt, constant, &factor, NULL, &error);
    LtLRScheduler *ls = LT_LR_SCHEDULER (s);

    g_assert_no_error (error);
    g_assert_cmpfloat (lt_lr_scheduler_get_base_lr (ls, 0), ==, 0.8);
    step (ls);
    g_assert_cmpfloat_with_epsilon (lr_of (ls), 0.8 * pow (0.5, 6) * 0.9, 1e-16);
  }
  {
    /* a factor that is not finite: the step fails and changes nothing */
    autofinal LtMultiplicativeLR *s = lt_multiplicative_lr_new (opt, constant, &inf, NULL, &error);
    LtLRScheduler                *ls = LT_LR_SCHEDULER (s);
    double                        before = lr_of (ls);

    g_assert_no_error (error);
    g_assert_false (lt_lr_scheduler_step (ls, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_assert_cmpfloat (lr_of (ls), ==, before);
    g_assert_cmpint (lt_lr_scheduler_get_last_epoch (ls), ==, 0);
  }
}

static void
test_closed_forms (void)
{
  g_autoptr(GError) error = NULL;

  {
    autofinal LtOptimizer *opt = make_sgd (0.5, 0);
    autofinal LtLinearLR  *s = lt_linear_lr_new (opt, 0.25, 0.75, 8, &error);
    LtLRScheduler         *ls = LT_LR_SCHEDULER (s);

    g_assert_no_error (error);
    /* the recursive formula follows base (s + (e - s) min(T, e) / T) */
    for (int e = 0; e <= 12; e++)
      {
        if (e)
          step (ls);
        g_assert_cmpfloat_with_epsilon (lr_of (ls), 0.5 * (0.25 + 0.5 * MIN (8, e) / 8.), 1e-15);
      }
    g_assert_true (lt_lr_scheduler_step_to (ls, 3, &error));
    g_assert_cmpfloat (lr_of (ls), ==, 0.5 * (0.25 + 0.5 * 3 / 8.));
    g_assert_cmpint (lt_lr_scheduler_get_last_epoch (ls), ==, 3);
  }
  {
    autofinal LtOptimizer     *opt = make_sgd (0.5, 0);
    autofinal LtExponentialLR *s = lt_exponential_lr_new (opt, 0.9, &error);

    for (int e = 1; e <= 10; e++)
      step (LT_LR_SCHEDULER (s));
    g_assert_cmpfloat_with_epsilon (lr_of (LT_LR_SCHEDULER (s)), 0.5 * pow (0.9, 10), 1e-15);
  }
  {
    /* T_0 = 2, T_mult = 3: periods of 2, 6, 18 epochs */
    autofinal LtOptimizer                   *opt = make_sgd (1, 0);
    autofinal LtCosineAnnealingWarmRestarts *s =
      lt_cosine_annealing_warm_restarts_new (opt, 2, 3, 0.1, &error);
    static const int t_cur[] = { 0, 1, 0, 1, 2, 3, 4, 5, 0, 1 };
    static const int t_i[] = { 2, 2, 6, 6, 6, 6, 6, 6, 18, 18 };

    g_assert_no_error (error);
    for (int e = 0; e < 10; e++)
      {
        if (e)
          step (LT_LR_SCHEDULER (s));
        g_assert_cmpfloat_with_epsilon (
          lr_of (LT_LR_SCHEDULER (s)), 0.1 + 0.9 * (1 + cos (G_PI * t_cur[e] / t_i[e])) / 2, 1e-15);
      }
  }
}

static void
test_cycles (void)
{
  g_autoptr(GError) error = NULL;

  {
    /* OneCycleLR, two phases over 10 steps, cosine: rate up from 0.04 to
     * 1 over 3 steps (end_step 2), momentum down from 0.95 to 0.85 */
    autofinal LtOptimizer  *opt = make_sgd (0.1, 0.9);
    const double            max_lr = 1;
    autofinal LtOneCycleLR *s = lt_one_cycle_lr_new (opt, &max_lr, 1, 10, 0.3, "cos", TRUE, 0.85,
                                                     0.95, 25, 1e4, FALSE, &error);
    LtLRScheduler          *ls = LT_LR_SCHEDULER (s);

    g_assert_no_error (error);
    g_assert_cmpfloat (lt_lr_scheduler_get_base_lr (ls, 0), ==, 0.04);
    g_assert_cmpfloat_with_epsilon (lr_of (ls), 0.04, 1e-16);
    g_assert_cmpfloat_with_epsilon (lt_optimizer_get_option (opt, 0, "momentum", NULL), 0.95,
                                    1e-15);
    step (ls);
    step (ls);
    g_assert_cmpfloat_with_epsilon (lr_of (ls), 1, 1e-15);
    g_assert_cmpfloat_with_epsilon (lt_optimizer_get_option (opt, 0, "momentum", NULL), 0.85,
                                    1e-15);
    for (int e = 3; e <= 9; e++)
      step (ls);
    g_assert_cmpfloat_with_epsilon (lr_of (ls), 0.04 / 1e4, 1e-18);
    step (ls);
    g_assert_false (lt_lr_scheduler_step (ls, &error)); /* past total_steps */
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (lt_one_cycle_lr_new (opt, &max_lr, 1, 10, 0.3, "tan", TRUE, 0.85, 0.95, 25, 1e4,
                                        FALSE, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
  {
    /* CyclicLR triangular: 0.1 -> 0.5 over 2 steps, back over 2 */
    autofinal LtOptimizer *opt = make_sgd (1, 0.9);
    const double           base = 0.1, top = 0.5;
    autofinal LtCyclicLR  *s =
      lt_cyclic_lr_new (opt, &base, 1, &top, 1, 2, 0, "triangular", 1, TRUE, 0.8, 0.9, &error);
    static const double want[] = { 0.1, 0.3, 0.5, 0.3, 0.1, 0.3 };

    g_assert_no_error (error);
    for (int e = 0; e < 6; e++)
      {
        if (e)
          step (LT_LR_SCHEDULER (s));
        g_assert_cmpfloat_with_epsilon (lr_of (LT_LR_SCHEDULER (s)), want[e], 1e-15);
        g_assert_cmpfloat_with_epsilon (lt_optimizer_get_option (opt, 0, "momentum", NULL),
                                        0.9 - (want[e] - 0.1) / 0.4 * 0.1, 1e-15);
      }
  }
}

static void
test_sequential (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtOptimizer     *opt = make_sgd (1, 0);
  autofinal LtLinearLR      *warmup = lt_linear_lr_new (opt, 0.1, 1, 2, &error);
  autofinal LtExponentialLR *decay = lt_exponential_lr_new (opt, 0.5, &error);
  LtLRScheduler             *children[2] = { LT_LR_SCHEDULER (warmup), LT_LR_SCHEDULER (decay) };
  const gint64               milestone = 3;
  autofinal LtSequentialLR  *s = lt_sequential_lr_new (opt, children, 2, &milestone, 1, &error);
  /* warm-up 0.1, 0.55, 1, 1; then 1 * 0.5^(e - 3) from the milestone */
  static const double want[] = { 0.1, 0.55, 1, 1, 0.5, 0.25, 0.125 };

  g_assert_no_error (error);
  for (int e = 0; e < 7; e++)
    {
      if (e)
        step (LT_LR_SCHEDULER (s));
      g_assert_cmpfloat_with_epsilon (lr_of (LT_LR_SCHEDULER (s)), want[e], 1e-15);
      g_assert_cmpfloat (lt_lr_scheduler_get_last_lr (LT_LR_SCHEDULER (s), 0), ==,
                         lr_of (LT_LR_SCHEDULER (s)));
    }
  g_assert_null (lt_sequential_lr_new (opt, children, 2, NULL, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

static void
test_plateau (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtOptimizer         *opt = make_sgd (1, 0);
  const double                   min_lr = 0.3;
  autofinal LtReduceLROnPlateau *s =
    lt_reduce_lr_on_plateau_new (opt, FALSE, 0.5, 1, 1e-4, FALSE, 1, &min_lr, 1, 1e-8, &error);
  /* patience 1, cooldown 1: the second bad epoch in a row halves the
   * rate; the epoch after a reduction does not count; never below 0.3 */
  static const double metrics[] = { 1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9 };
  static const double want[] = { 1, 1, 1, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3 };

  g_assert_no_error (error);
  for (int e = 0; e < 10; e++)
    {
      g_assert_true (lt_reduce_lr_on_plateau_step (s, metrics[e], &error));
      g_assert_cmpfloat (lt_optimizer_get_lr (opt, 0), ==, want[e]);
    }
  g_assert_cmpfloat (lt_reduce_lr_on_plateau_get_best (s), ==, 0.9);
  g_assert_cmpint (lt_reduce_lr_on_plateau_get_last_epoch (s), ==, 10);
  g_assert_null (
    lt_reduce_lr_on_plateau_new (opt, FALSE, 1, 1, 1e-4, FALSE, 0, &min_lr, 1, 1e-8, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lr-schedulers/lambda", test_lambda);
  g_test_add_func ("/lr-schedulers/closed-forms", test_closed_forms);
  g_test_add_func ("/lr-schedulers/cycles", test_cycles);
  g_test_add_func ("/lr-schedulers/sequential", test_sequential);
  g_test_add_func ("/lr-schedulers/plateau", test_plateau);
  return g_test_run ();
}
