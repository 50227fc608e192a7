/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Adagrad, Adadelta, Adamax, NAdam, RAdam and LBFGS (optim/lt-adagrad.c,
 * lt-adamax.c, lt-lbfgs.c): every update against a reference written here
 * in doubles from PyTorch 1.13's formulas (torch/optim/adagrad.py and the others, single-tensor
 * path), for float64 parameters, over enough steps for RAdam's rectified
 * branch; their argument checks; LBFGS minimising a quadratic through its
 * closure, with and without the line search, a state dict round trip that
 * continues bit for bit, and its errors.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

#define N 6
#define STEPS 9

static GRand *rng;

typedef enum
{
  ADAGRAD,
  ADADELTA,
  ADAMAX,
  NADAM,
  RADAM
} Kind;

typedef struct
{
  Kind     kind;
  double   lr, a, b, eps, weight_decay, extra; /* a, b: betas, rho, lr_decay... */
  gboolean maximize;
} Conf;

static const Conf confs[] = {
  /* Adagrad: a = lr_decay, extra = initial_accumulator_value */
  { ADAGRAD, 0.1, 0, 0, 1e-10, 0, 0, FALSE },
  { ADAGRAD, 0.1, 0.05, 0, 1e-6, 0.1, 0.5, TRUE },
  /* Adadelta: a = rho */
  { ADADELTA, 1.0, 0.9, 0, 1e-6, 0, 0, FALSE },
  { ADADELTA, 0.5, 0.8, 0, 1e-4, 0.1, 0, TRUE },
  /* Adamax, NAdam (extra = momentum_decay), RAdam: a, b = betas */
  { ADAMAX, 0.01, 0.9, 0.999, 1e-8, 0, 0, FALSE },
  { ADAMAX, 0.05, 0.8, 0.99, 1e-3, 0.1, 0, TRUE },
  { NADAM, 0.01, 0.9, 0.999, 1e-8, 0, 4e-3, FALSE },
  { NADAM, 0.05, 0.8, 0.99, 1e-4, 0.1, 0.1, FALSE },
  { RADAM, 0.01, 0.9, 0.999, 1e-8, 0, 0, FALSE },
  { RADAM, 0.05, 0.8, 0.9, 1e-3, 0.1, 0, FALSE },
};

static LtOptimizer *
make (const Conf *c, GPtrArray *params)
{
  g_autoptr(GError) error = NULL;
  LtOptimizer *opt = NULL;

  switch (c->kind)
    {
      case ADAGRAD:
        opt = LT_OPTIMIZER (
          lt_adagrad_new (params, c->lr, c->a, c->weight_decay, c->extra, c->eps, &error));
        break;
      case ADADELTA:
        opt = LT_OPTIMIZER (lt_adadelta_new (params, c->lr, c->a, c->eps, c->weight_decay, &error));
        break;
      case ADAMAX:
        opt =
          LT_OPTIMIZER (lt_adamax_new (params, c->lr, c->a, c->b, c->eps, c->weight_decay, &error));
        break;
      case NADAM:
        opt = LT_OPTIMIZER (
          lt_nadam_new (params, c->lr, c->a, c->b, c->eps, c->weight_decay, c->extra, &error));
        break;
      case RADAM:
        opt =
          LT_OPTIMIZER (lt_radam_new (params, c->lr, c->a, c->b, c->eps, c->weight_decay, &error));
        break;
    }
  g_assert_no_error (error);
  if (c->maximize)
    g_assert_true (lt_optimizer_set_option (opt, 0, "maximize", 1, &error));
  g_assert_no_error (error);
  return opt;
}

/* One step of the reference on p with gradient g; s1, s2 the state. */
static void
reference (const Conf   *c,
           double       *p,
           const double *grad,
           double       *s1,
           double       *s2,
           double       *mu_product,
           int           t)
{
  for (int k = 0; k < N; k++)
    {
      double g = c->maximize ? -grad[k] : grad[k];

      if (c->weight_decay != 0)
        g += c->weight_decay * p[k];
      switch (c->kind)
        {
          case ADAGRAD:
            s1[k] += g * g;
            p[k] -= c->lr / (1 + (t - 1) * c->a) * g / (sqrt (s1[k]) + c->eps);
            break;
          case ADADELTA:
            {
              double delta;

              s1[k] = c->a * s1[k] + (1 - c->a) * g * g;
              delta = sqrt (s2[k] + c->eps) / sqrt (s1[k] + c->eps) * g;
              s2[k] = c->a * s2[k] + (1 - c->a) * delta * delta;
              p[k] -= c->lr * delta;
            }
            break;
          case ADAMAX:
            s1[k] = c->a * s1[k] + (1 - c->a) * g;
            s2[k] = fmax (c->b * s2[k], fabs (g) + c->eps);
            p[k] -= c->lr / (1 - pow (c->a, t)) * s1[k] / s2[k];
            break;
          case NADAM:
            {
              double mu = c->a * (1 - 0.5 * pow (0.96, t * c->extra));
              double mu_next = c->a * (1 - 0.5 * pow (0.96, (t + 1) * c->extra));
              /* mu_product is a float32 scalar tensor, as PyTorch's */
              double prod = (float) (*mu_product * (float) mu), denom;
              double prod_next = (float) ((float) (prod * (float) mu) * (float) mu_next);

              s1[k] = c->a * s1[k] + (1 - c->a) * g;
              s2[k] = c->b * s2[k] + (1 - c->b) * g * g;
              denom = sqrt (s2[k] / (1 - pow (c->b, t))) + c->eps;
              p[k] -= c->lr * (1 - mu) / (1 - prod) * g / denom;
              p[k] -= c->lr * mu_next / (1 - prod_next) * s1[k] / denom;
              if (k == N - 1)
                *mu_product = prod;
            }
            break;
          case RADAM:
            {
              double bc1 = 1 - pow (c->a, t), bc2 = 1 - pow (c->b, t);
              double rho_inf = 2 / (1 - c->b) - 1;
              double rho_t = rho_inf - 2 * t * pow (c->b, t) / bc2;

              s1[k] = c->a * s1[k] + (1 - c->a) * g;
              s2[k] = c->b * s2[k] + (1 - c->b) * g * g;
              if (rho_t > 5)
                {
                  double rect = sqrt ((rho_t - 4) * (rho_t - 2) * rho_inf /
                                      ((rho_inf - 4) * (rho_inf - 2) * rho_t));

                  p[k] -= s1[k] / bc1 * c->lr * sqrt (bc2) / (sqrt (s2[k]) + c->eps) * rect;
                }
              else
                p[k] -= s1[k] / bc1 * c->lr;
            }
            break;
        }
    }
}

static void
test_reference (void)
{
  static const gint64 shape[1] = { N };

  for (guint ci = 0; ci < G_N_ELEMENTS (confs); ci++)
    {
      const Conf *c = &confs[ci];
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_object_unref);
      g_autofree double     *p = random_values (rng, N, -1, 1);
      double                 s1[N] = { 0 }, s2[N] = { 0 }, mu_product = 1;
      autofinal LtOptimizer *opt = NULL;
      LtTensor              *param;

      if (c->kind == ADAGRAD)
        for (int k = 0; k < N; k++)
          s1[k] = c->extra;
      param = tensor_of (p, N, shape, 1, LT_DTYPE_FLOAT64);
      g_assert_true (lt_tensor_set_requires_grad (param, TRUE, &error));
      g_ptr_array_add (params, param);
      opt = make (c, params);
      for (int t = 1; t <= STEPS; t++)
        {
          g_autofree double *g = random_values (rng, N, -2, 2);
          g_autoptr(LtTensor) gt = tensor_of (g, N, shape, 1, LT_DTYPE_FLOAT64);
          LtStateDict *st;
          double       counter;

          g_assert_true (lt_tensor_set_grad (param, gt, &error));
          g_assert_true (lt_optimizer_step (opt, &error));
          g_assert_no_error (error);
          reference (c, p, g, s1, s2, &mu_product, t);
          assert_allclose (param, p, N, 1e-12, 1e-13);
          st = lt_optimizer_get_state (opt, param);
          g_assert_true (lt_tensor_item (lt_state_dict_lookup (st, "step"), &counter, &error));
          g_assert_cmpfloat (counter, ==, t);
        }
    }
}

static void
test_arguments (void)
{
  static const gint64 shape[1] = { 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  const double v[2] = { 1, 2 };

  g_ptr_array_add (params, tensor_of (v, 2, shape, 1, LT_DTYPE_FLOAT32));
  g_assert_null (lt_adagrad_new (params, 0.1, -1, 0, 0, 1e-10, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "Adagrad: invalid lr_decay value: -1");
  g_clear_error (&error);
  g_assert_null (lt_adadelta_new (params, 1, 1.5, 1e-6, 0, &error));
  g_assert_cmpstr (error->message, ==, "Adadelta: invalid rho value: 1.5");
  g_clear_error (&error);
  g_assert_null (lt_adamax_new (params, 0.1, 0.9, 1, 1e-8, 0, &error));
  g_assert_cmpstr (error->message, ==, "Adamax: invalid beta parameter at index 1: 1");
  g_clear_error (&error);
  g_assert_null (lt_nadam_new (params, 0.1, 0.9, 0.99, 1e-8, 0, -0.5, &error));
  g_assert_cmpstr (error->message, ==, "NAdam: invalid momentum_decay value: -0.5");
  g_clear_error (&error);
  g_assert_null (lt_radam_new (params, -1, 0.9, 0.99, 1e-8, 0, &error));
  g_assert_cmpstr (error->message, ==, "RAdam: invalid learning rate: -1");
  g_clear_error (&error);
  g_assert_null (lt_radam_new (empty, 0.1, 0.9, 0.99, 1e-8, 0, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_lbfgs_new (params, 1, -1, 0, 1e-7, 1e-9, 100, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

/* LBFGS on f(x) = sum a_k (x_k - c_k)^2 */

typedef struct
{
  LtTensor *x;
  LtTensor *a, *c;
  int       calls;
  gboolean  fail;
} Problem;

static gboolean
closure (double *loss, gpointer user_data)
{
  Problem *pb = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) d = NULL;
  g_autoptr(LtTensor) w = NULL;
  g_autoptr(LtTensor) f = NULL;

  pb->calls++;
  g_assert_true (lt_is_grad_enabled ());
  if (pb->fail)
    return FALSE;
  lt_tensor_set_grad (pb->x, NULL, NULL);
  d = lt_tensor_sub (pb->x, pb->c, &error);
  w = lt_tensor_mul (d, d, &error);
  g_assert_true (lt_tensor_mul_ (w, pb->a, &error));
  f = lt_tensor_sum (w, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (f, NULL, FALSE, &error));
  *loss = item (f);
  return TRUE;
}

static void
problem_init (Problem *pb)
{
  static const gint64 shape[1] = { 4 };
  const double        x0[4] = { 1, -2, 0.5, 3 }, a[4] = { 1, 10, 0.5, 3 }, c[4] = { -1, 2, 0, 1 };
  g_autoptr(GError) error = NULL;

  pb->x = tensor_of (x0, 4, shape, 1, LT_DTYPE_FLOAT64);
  g_assert_true (lt_tensor_set_requires_grad (pb->x, TRUE, &error));
  pb->a = tensor_of (a, 4, shape, 1, LT_DTYPE_FLOAT64);
  pb->c = tensor_of (c, 4, shape, 1, LT_DTYPE_FLOAT64);
  pb->calls = 0;
  pb->fail = FALSE;
}

static void
problem_clear (Problem *pb)
{
  g_object_unref (pb->x);
  g_object_unref (pb->a);
  g_object_unref (pb->c);
}

static void
test_lbfgs (void)
{
  const double c[4] = { -1, 2, 0, 1 };

  for (int wolfe = 0; wolfe < 2; wolfe++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) params = g_ptr_array_new ();
      autofinal LtLBFGS *opt = NULL;
      Problem            pb;
      double             loss = -1;

      problem_init (&pb);
      g_ptr_array_add (params, pb.x);
      opt = lt_lbfgs_new (params, 1, 20, 0, 1e-7, 1e-9, 100, wolfe, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (lt_optimizer_get_option (LT_OPTIMIZER (opt), 0, "max_eval", NULL), ==, 25);
      g_assert_true (lt_lbfgs_step_with_closure (opt, closure, &pb, &loss, &error));
      g_assert_no_error (error);
      /* the first loss: 4 + 160 + 0.125 + 12 */
      g_assert_cmpfloat (loss, ==, 176.125);
      g_assert_cmpint (pb.calls, <=, 25);
      g_assert_true (lt_tensor_get_requires_grad (pb.x));
      g_assert_true (lt_is_grad_enabled ());
      /* more steps reach the minimum */
      for (int i = 0; i < 4; i++)
        g_assert_true (lt_lbfgs_step_with_closure (opt, closure, &pb, &loss, &error));
      /* (it stops when the loss changes by less than tolerance_change) */
      assert_allclose (pb.x, c, 4, 1e-5, 1e-5);
      problem_clear (&pb);
    }
}

static void
test_lbfgs_state_dict (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pa = g_ptr_array_new ();
  g_autoptr(GPtrArray) pb_params = g_ptr_array_new ();
  autofinal LtLBFGS *a = NULL;
  autofinal LtLBFGS *b = NULL;
  g_autoptr(LtStateDict) sd = NULL;
  Problem            pa_pb, pb_pb;
  double             loss;
  gsize              n;
  g_autofree double *xa = NULL;

  problem_init (&pa_pb);
  problem_init (&pb_pb);
  g_ptr_array_add (pa, pa_pb.x);
  g_ptr_array_add (pb_params, pb_pb.x);
  a = lt_lbfgs_new (pa, 1, 3, 0, 1e-7, 1e-9, 2, TRUE, &error);
  b = lt_lbfgs_new (pb_params, 1, 3, 0, 1e-7, 1e-9, 2, TRUE, &error);
  g_assert_true (lt_lbfgs_step_with_closure (a, closure, &pa_pb, &loss, &error));
  g_assert_no_error (error);
  /* b takes a's state and parameters, and both continue the same */
  sd = lt_optimizer_state_dict (LT_OPTIMIZER (a));
  g_assert_nonnull (lt_state_dict_lookup (sd, "state.0.old_dirs"));
  g_assert_true (lt_optimizer_load_state_dict (LT_OPTIMIZER (b), sd, &error));
  g_assert_no_error (error);
  lt_set_grad_enabled (FALSE);
  g_assert_true (lt_tensor_copy_ (pb_pb.x, pa_pb.x, &error));
  lt_set_grad_enabled (TRUE);
  pa_pb.calls = pb_pb.calls = 0;
  g_assert_true (lt_lbfgs_step_with_closure (a, closure, &pa_pb, &loss, &error));
  g_assert_true (lt_lbfgs_step_with_closure (b, closure, &pb_pb, &loss, &error));
  g_assert_no_error (error);
  xa = values (pa_pb.x, &n);
  assert_values (pb_pb.x, xa, n);
  g_assert_cmpint (pa_pb.calls, ==, pb_pb.calls);

  /* errors: a failing closure, a plain step, two groups */
  pa_pb.fail = TRUE;
  g_assert_false (lt_lbfgs_step_with_closure (a, closure, &pa_pb, &loss, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (lt_is_grad_enabled ());
  g_assert_false (lt_optimizer_step (LT_OPTIMIZER (a), &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "closure"));
  g_clear_error (&error);
  g_assert_true (lt_optimizer_add_param_group (LT_OPTIMIZER (b), pa, &error));
  g_assert_false (lt_lbfgs_step_with_closure (b, closure, &pb_pb, &loss, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  problem_clear (&pa_pb);
  problem_clear (&pb_pb);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (20261206);
  g_test_add_func ("/optim/adaptive/reference", test_reference);
  g_test_add_func ("/optim/adaptive/arguments", test_arguments);
  g_test_add_func ("/optim/lbfgs/quadratic", test_lbfgs);
  g_test_add_func ("/optim/lbfgs/state-dict", test_lbfgs_state_dict);
  return g_test_run ();
}
