/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Optimizers and learning-rate schedules (optim/): every update against a
 * reference written here in doubles from PyTorch 1.13's formulas
 * (torch/optim/sgd.py, adam.py, adamw.py, rmsprop.py, single-tensor path),
 * schedules against their closed forms, parameter groups and options,
 * zero_grad, skipped parameters, version counters, state dicts (names,
 * metadata, a save/load round trip that continues bit for bit, and loads
 * that fail without changing anything), a C subclass, and the tutorial's
 * manual update `f.data.sub_(f.grad.data * learning_rate)`.
 */
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include <libtensor.h>

#include "test-helpers.h"

static GRand *rng;

/* Relative to 1e-3 + |want|: |got - want| <= rtol * 1e-3 + rtol * |want| */
static void
assert_close (LtTensor     *t,
              const double *want,
              gsize         n,
              double        rtol)
{
  assert_allclose (t, want, n, rtol, rtol * 1e-3);
}

static void
assert_same (LtTensor *a,
             LtTensor *b)
{
  gsize na, nb;
  g_autofree double *va = values (a, &na);
  g_autofree double *vb = values (b, &nb);

  g_assert_cmpmem (va, na * sizeof (double), vb, nb * sizeof (double));
}

/* The parameters every reference test optimizes: float64 leaves of shapes
 * (3, 4) and (5), with their values mirrored in doubles. */

#define N_PARAMS 2
static const gint64 param_shapes[N_PARAMS][2] = { { 3, 4 }, { 5, 0 } };
static const gsize param_ndims[N_PARAMS] = { 2, 1 };
static const gsize param_sizes[N_PARAMS] = { 12, 5 };

typedef struct
{
  GPtrArray *params;             /* LtTensor */
  double *p[N_PARAMS];           /* reference values */
  double *s1[N_PARAMS];          /* reference state: momentum, exp_avg, square_avg */
  double *s2[N_PARAMS];          /* exp_avg_sq, grad_avg */
  double *s3[N_PARAMS];          /* max_exp_avg_sq, RMSprop's momentum buffer */
} Setup;

static void
setup_init (Setup  *s,
            LtDType dtype)
{
  s->params = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < N_PARAMS; i++)
    {
      g_autoptr(GError) error = NULL;
      LtTensor *t;

      s->p[i] = random_values (rng, param_sizes[i], -1, 1);
      if (dtype == LT_DTYPE_FLOAT32)
        for (gsize k = 0; k < param_sizes[i]; k++)
          s->p[i][k] = (float) s->p[i][k];
      s->s1[i] = g_new0 (double, param_sizes[i]);
      s->s2[i] = g_new0 (double, param_sizes[i]);
      s->s3[i] = g_new0 (double, param_sizes[i]);
      t = tensor_of (s->p[i], param_sizes[i], param_shapes[i], param_ndims[i], dtype);
      g_assert_true (lt_tensor_set_requires_grad (t, TRUE, &error));
      g_ptr_array_add (s->params, t);
    }
}

static void
setup_clear (Setup *s)
{
  g_ptr_array_unref (s->params);
  for (guint i = 0; i < N_PARAMS; i++)
    {
      g_free (s->p[i]);
      g_free (s->s1[i]);
      g_free (s->s2[i]);
      g_free (s->s3[i]);
    }
}

/* Gives every parameter a new random gradient; returns them (N_PARAMS). */
static double **
new_grads (Setup *s)
{
  double **g = g_new0 (double *, N_PARAMS);

  for (guint i = 0; i < N_PARAMS; i++)
    {
      g_autoptr(GError) error = NULL;
      LtTensor *p = g_ptr_array_index (s->params, i);
      g_autoptr(LtTensor) gt = NULL;

      g[i] = random_values (rng, param_sizes[i], -2, 2);
      gt = tensor_of (g[i], param_sizes[i], param_shapes[i], param_ndims[i],
                      lt_tensor_get_dtype (p));
      g_assert_true (lt_tensor_set_grad (p, gt, &error));
    }
  return g;
}

static void
free_grads (double **g)
{
  for (guint i = 0; i < N_PARAMS; i++)
    g_free (g[i]);
  g_free (g);
}

static void
check_params (Setup *s,
              double rtol)
{
  for (guint i = 0; i < N_PARAMS; i++)
    assert_close (g_ptr_array_index (s->params, i), s->p[i], param_sizes[i], rtol);
}

static void
step (LtOptimizer *opt)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lt_optimizer_step (opt, &error));
  g_assert_no_error (error);
  g_assert_true (lt_is_grad_enabled ());
}

/* SGD */

typedef struct
{
  double lr, momentum, dampening, weight_decay;
  gboolean nesterov, maximize;
} SgdConf;

static void
sgd_reference (const SgdConf *c,
               Setup         *s,
               double       **g,
               guint          t)
{
  for (guint i = 0; i < N_PARAMS; i++)
    for (gsize k = 0; k < param_sizes[i]; k++)
      {
        double d = c->maximize ? -g[i][k] : g[i][k];

        if (c->weight_decay != 0)
          d += c->weight_decay * s->p[i][k];
        if (c->momentum != 0)
          {
            s->s1[i][k] = t == 1 ? d : c->momentum * s->s1[i][k] + (1 - c->dampening) * d;
            d = c->nesterov ? d + c->momentum * s->s1[i][k] : s->s1[i][k];
          }
        s->p[i][k] -= c->lr * d;
      }
}

static const SgdConf sgd_confs[] = {
  { 0.1, 0, 0, 0, FALSE, FALSE },
  { 0.01, 0.9, 0, 0, FALSE, FALSE },
  { 0.05, 0.9, 0.5, 0, FALSE, FALSE },
  { 0.1, 0.9, 0, 0, TRUE, FALSE },
  { 0.1, 0.5, 0.1, 0.01, FALSE, FALSE },
  { 0.02, 0.8, 0, 0.05, TRUE, TRUE },
};

static void
test_sgd_reference (void)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (sgd_confs); ci++)
    for (guint dt = 0; dt < 2; dt++)
      {
        const SgdConf *c = &sgd_confs[ci];
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) names = NULL;
        autofinal LtSGD *opt = NULL;
        Setup s;

        setup_init (&s, dt ? LT_DTYPE_FLOAT32 : LT_DTYPE_FLOAT64);
        opt = lt_sgd_new (s.params, c->lr, c->momentum, c->dampening, c->weight_decay,
                          c->nesterov, &error);
        g_assert_no_error (error);
        names = lt_optimizer_list_options (LT_OPTIMIZER (opt));
        g_assert_cmpstrv (names, ((const char *[]) { "lr", "momentum", "dampening",
                                                     "weight_decay", "nesterov", "maximize",
                                                     NULL }));
        g_assert_true (lt_optimizer_set_option (LT_OPTIMIZER (opt), 0, "maximize",
                                                c->maximize, &error));
        for (guint t = 1; t <= 5; t++)
          {
            double **g = new_grads (&s);

            step (LT_OPTIMIZER (opt));
            sgd_reference (c, &s, g, t);
            check_params (&s, dt ? 1e-5 : 1e-13);
            free_grads (g);
          }
        if (c->momentum != 0)
          {
            LtStateDict *st = lt_optimizer_get_state (LT_OPTIMIZER (opt),
                                                      g_ptr_array_index (s.params, 0));

            assert_close (lt_state_dict_lookup (st, "momentum_buffer"), s.s1[0], 12,
                          dt ? 1e-5 : 1e-13);
          }
        setup_clear (&s);
      }
}

/* The update with one op per step (taken when the gradient shares memory
 * with the parameter, where the fused kernel is not used) gives the same
 * values as the fused kernel. */
static void
test_sgd_composed (void)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (sgd_confs); ci++)
    {
      const SgdConf *c = &sgd_confs[ci];
      g_autoptr(GError) error = NULL;
      g_autofree double *init = random_values (rng, 24, -1, 1);
      g_autoptr(LtTensor) base = tensor_of (init, 24, DIMS (2, 12), LT_DTYPE_FLOAT32);
      g_autoptr(LtTensor) row0 = lt_tensor_select (base, 0, 0, &error);
      g_autoptr(LtTensor) row1 = lt_tensor_select (base, 0, 1, &error);
      g_autoptr(LtTensor) p_shared = lt_tensor_detach (row0);
      g_autoptr(LtTensor) g_shared = lt_tensor_detach (row1);
      g_autoptr(LtTensor) p_alone = tensor_of (init, 12, DIMS (12), LT_DTYPE_FLOAT32);
      g_autoptr(GPtrArray) a = g_ptr_array_new ();
      g_autoptr(GPtrArray) b = g_ptr_array_new ();
      autofinal LtSGD *oa = NULL;
      autofinal LtSGD *ob = NULL;

      g_assert_no_error (error);
      g_assert_true (lt_tensor_set_requires_grad (p_shared, TRUE, &error));
      g_assert_true (lt_tensor_set_requires_grad (p_alone, TRUE, &error));
      g_ptr_array_add (a, p_shared);
      g_ptr_array_add (b, p_alone);
      oa = lt_sgd_new (a, c->lr, c->momentum, c->dampening, c->weight_decay, c->nesterov,
                       &error);
      ob = lt_sgd_new (b, c->lr, c->momentum, c->dampening, c->weight_decay, c->nesterov,
                       &error);
      g_assert_no_error (error);
      lt_optimizer_set_option (LT_OPTIMIZER (oa), 0, "maximize", c->maximize, &error);
      lt_optimizer_set_option (LT_OPTIMIZER (ob), 0, "maximize", c->maximize, &error);
      for (guint t = 0; t < 4; t++)
        {
          g_autofree double *gv = random_values (rng, 12, -1, 1);
          g_autoptr(LtTensor) g_alone = tensor_of (gv, 12, DIMS (12), LT_DTYPE_FLOAT32);
          g_autoptr(LtTensor) gv_t = tensor_of (gv, 12, DIMS (12), LT_DTYPE_FLOAT32);

          /* the shared gradient lives in row 1 of the parameter's storage */
          g_assert_true (lt_tensor_copy_ (g_shared, gv_t, &error));
          g_assert_true (lt_tensor_set_grad (p_shared, g_shared, &error));
          g_assert_true (lt_tensor_set_grad (p_alone, g_alone, &error));
          step (LT_OPTIMIZER (oa));
          step (LT_OPTIMIZER (ob));
          {
            gsize n;
            g_autofree double *want = values (p_alone, &n);

            assert_close (p_shared, want, n, 1e-6);
          }
        }
    }
}

/* Per-group options: two groups, each with its own learning rate and
 * momentum, and a parameter without a gradient that stays unchanged. */
static void
test_sgd_groups (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *v = random_values (rng, 9, -1, 1);
  g_autoptr(LtTensor) a = tensor_of (v, 3, DIMS (3), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) b = tensor_of (v + 3, 3, DIMS (3), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) frozen = tensor_of (v + 6, 3, DIMS (3), LT_DTYPE_FLOAT64);
  g_autoptr(GPtrArray) g1 = g_ptr_array_new ();
  g_autoptr(GPtrArray) g2 = g_ptr_array_new ();
  g_autoptr(GPtrArray) got = NULL;
  autofinal LtSGD *opt = NULL;
  const double ga[] = { 1, 2, 3 }, gb[] = { -1, 0.5, 2 };
  g_autoptr(LtTensor) gat = tensor_of (ga, 3, DIMS (3), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) gbt = tensor_of (gb, 3, DIMS (3), LT_DTYPE_FLOAT64);
  guint va, vf;
  double wa[3], wb[3];

  lt_tensor_set_requires_grad (a, TRUE, &error);
  lt_tensor_set_requires_grad (b, TRUE, &error);
  lt_tensor_set_requires_grad (frozen, TRUE, &error);
  g_ptr_array_add (g1, a);
  g_ptr_array_add (g1, frozen);
  g_ptr_array_add (g2, b);
  opt = lt_sgd_new (g1, 0.1, 0, 0, 0, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (lt_optimizer_add_param_group (LT_OPTIMIZER (opt), g2, &error));
  g_assert_cmpuint (lt_optimizer_get_n_param_groups (LT_OPTIMIZER (opt)), ==, 2);
  /* a new group takes the defaults: lr 0.1 */
  g_assert_cmpfloat (lt_optimizer_get_lr (LT_OPTIMIZER (opt), 1), ==, 0.1);
  lt_optimizer_set_lr (LT_OPTIMIZER (opt), 1, 0.5);
  g_assert_true (lt_optimizer_set_option (LT_OPTIMIZER (opt), 1, "momentum", 0.9, &error));
  g_assert_cmpfloat (lt_optimizer_get_option (LT_OPTIMIZER (opt), 0, "momentum", &error), ==, 0);
  got = lt_optimizer_get_params (LT_OPTIMIZER (opt), 0);
  g_assert_cmpuint (got->len, ==, 2);
  g_assert_true (g_ptr_array_index (got, 1) == frozen);

  lt_tensor_set_grad (a, gat, &error);
  lt_tensor_set_grad (b, gbt, &error);
  va = lt_tensor_get_version (a);
  vf = lt_tensor_get_version (frozen);
  for (guint t = 0; t < 2; t++)
    step (LT_OPTIMIZER (opt));
  g_assert_cmpuint (lt_tensor_get_version (a), >, va);
  g_assert_cmpuint (lt_tensor_get_version (frozen), ==, vf);
  g_assert_cmpuint (lt_state_dict_get_n_tensors (
                      lt_optimizer_get_state (LT_OPTIMIZER (opt), frozen)), ==, 0);
  for (guint k = 0; k < 3; k++)
    {
      /* a: two plain steps; b: buf = g, then 0.9 g + g */
      wa[k] = v[k] - 0.1 * ga[k] - 0.1 * ga[k];
      wb[k] = v[3 + k] - 0.5 * gb[k] - 0.5 * (0.9 * gb[k] + gb[k]);
    }
  assert_close (a, wa, 3, 1e-14);
  assert_close (b, wb, 3, 1e-14);
  assert_close (frozen, v + 6, 3, 0);
  /* a tensor that is not a parameter has no state */
  g_assert_null (lt_optimizer_get_state (LT_OPTIMIZER (opt), gat));
}

/* Adam and AdamW */

typedef struct
{
  gboolean decoupled;
  double lr, beta1, beta2, eps, weight_decay;
  gboolean amsgrad, maximize;
} AdamConf;

static void
adam_reference (const AdamConf *c,
                Setup          *s,
                double        **g,
                guint           t)
{
  double bc1 = 1 - pow (c->beta1, t), bc2 = 1 - pow (c->beta2, t);

  for (guint i = 0; i < N_PARAMS; i++)
    for (gsize k = 0; k < param_sizes[i]; k++)
      {
        double d = c->maximize ? -g[i][k] : g[i][k], v;

        if (c->decoupled)
          s->p[i][k] *= 1 - c->lr * c->weight_decay;
        else if (c->weight_decay != 0)
          d += c->weight_decay * s->p[i][k];
        s->s1[i][k] = c->beta1 * s->s1[i][k] + (1 - c->beta1) * d;
        s->s2[i][k] = c->beta2 * s->s2[i][k] + (1 - c->beta2) * d * d;
        v = s->s2[i][k];
        if (c->amsgrad)
          v = s->s3[i][k] = MAX (s->s3[i][k], v);
        s->p[i][k] -= c->lr / bc1 * s->s1[i][k] / (sqrt (v) / sqrt (bc2) + c->eps);
      }
}

static const AdamConf adam_confs[] = {
  { FALSE, 1e-3, 0.9, 0.999, 1e-8, 0, FALSE, FALSE },
  { FALSE, 0.01, 0.8, 0.99, 1e-6, 0.1, TRUE, FALSE },
  { FALSE, 0.01, 0.9, 0.999, 1e-8, 0, TRUE, TRUE },
  { TRUE, 1e-3, 0.9, 0.999, 1e-8, 1e-2, FALSE, FALSE },
  { TRUE, 0.05, 0.5, 0.9, 1e-4, 0.1, TRUE, FALSE },
};

static void
test_adam_reference (void)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (adam_confs); ci++)
    for (guint dt = 0; dt < 2; dt++)
      {
        const AdamConf *c = &adam_confs[ci];
        g_autoptr(GError) error = NULL;
        autofinal LtOptimizer *opt = NULL;
        Setup s;

        setup_init (&s, dt ? LT_DTYPE_FLOAT32 : LT_DTYPE_FLOAT64);
        if (c->decoupled)
          opt = LT_OPTIMIZER (lt_adamw_new (s.params, c->lr, c->beta1, c->beta2, c->eps,
                                            c->weight_decay, c->amsgrad, &error));
        else
          opt = LT_OPTIMIZER (lt_adam_new (s.params, c->lr, c->beta1, c->beta2, c->eps,
                                           c->weight_decay, c->amsgrad, &error));
        g_assert_no_error (error);
        g_assert_true (lt_optimizer_set_option (opt, 0, "maximize", c->maximize, &error));
        for (guint t = 1; t <= 5; t++)
          {
            double **g = new_grads (&s);
            LtStateDict *st;
            double counter;

            step (opt);
            adam_reference (c, &s, g, t);
            check_params (&s, dt ? 2e-5 : 1e-12);
            free_grads (g);
            st = lt_optimizer_get_state (opt, g_ptr_array_index (s.params, 1));
            g_assert_true (lt_tensor_item (lt_state_dict_lookup (st, "step"), &counter, &error));
            g_assert_cmpfloat (counter, ==, t);
            assert_close (lt_state_dict_lookup (st, "exp_avg"), s.s1[1], 5, dt ? 1e-5 : 1e-12);
            assert_close (lt_state_dict_lookup (st, "exp_avg_sq"), s.s2[1], 5,
                          dt ? 1e-5 : 1e-12);
            g_assert_true ((lt_state_dict_lookup (st, "max_exp_avg_sq") != NULL) == c->amsgrad);
          }
        setup_clear (&s);
      }
}

/* RMSprop */

typedef struct
{
  double lr, alpha, eps, weight_decay, momentum;
  gboolean centered;
} RmsConf;

static void
rms_reference (const RmsConf *c,
               Setup         *s,
               double       **g)
{
  for (guint i = 0; i < N_PARAMS; i++)
    for (gsize k = 0; k < param_sizes[i]; k++)
      {
        double d = g[i][k], avg;

        if (c->weight_decay != 0)
          d += c->weight_decay * s->p[i][k];
        s->s1[i][k] = c->alpha * s->s1[i][k] + (1 - c->alpha) * d * d;
        if (c->centered)
          {
            s->s2[i][k] = c->alpha * s->s2[i][k] + (1 - c->alpha) * d;
            avg = sqrt (s->s1[i][k] - s->s2[i][k] * s->s2[i][k]) + c->eps;
          }
        else
          avg = sqrt (s->s1[i][k]) + c->eps;
        if (c->momentum > 0)
          {
            s->s3[i][k] = c->momentum * s->s3[i][k] + d / avg;
            s->p[i][k] -= c->lr * s->s3[i][k];
          }
        else
          s->p[i][k] -= c->lr * d / avg;
      }
}

static const RmsConf rms_confs[] = {
  { 0.01, 0.99, 1e-8, 0, 0, FALSE },
  { 0.01, 0.9, 1e-6, 0.1, 0, TRUE },
  { 0.005, 0.95, 1e-8, 0, 0.9, FALSE },
  { 0.01, 0.8, 1e-3, 0.01, 0.5, TRUE },
};

static void
test_rmsprop_reference (void)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (rms_confs); ci++)
    for (guint dt = 0; dt < 2; dt++)
      {
        const RmsConf *c = &rms_confs[ci];
        g_autoptr(GError) error = NULL;
        autofinal LtRMSprop *opt = NULL;
        Setup s;

        setup_init (&s, dt ? LT_DTYPE_FLOAT32 : LT_DTYPE_FLOAT64);
        opt = lt_rmsprop_new (s.params, c->lr, c->alpha, c->eps, c->weight_decay, c->momentum,
                              c->centered, &error);
        g_assert_no_error (error);
        for (guint t = 1; t <= 5; t++)
          {
            double **g = new_grads (&s);

            step (LT_OPTIMIZER (opt));
            rms_reference (c, &s, g);
            check_params (&s, dt ? 2e-5 : 1e-12);
            free_grads (g);
          }
        setup_clear (&s);
      }
}

/* zero_grad */
static void
test_zero_grad (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtSGD *opt = NULL;
  Setup s;
  double **g;
  LtTensor *p0, *g0;
  const double zeros[12] = { 0 };

  setup_init (&s, LT_DTYPE_FLOAT32);
  opt = lt_sgd_new (s.params, 0.1, 0, 0, 0, FALSE, &error);
  g = new_grads (&s);
  p0 = g_ptr_array_index (s.params, 0);
  g0 = lt_tensor_get_grad (p0);
  lt_optimizer_zero_grad (LT_OPTIMIZER (opt), FALSE);
  /* the same tensors, filled with zeros */
  g_assert_true (lt_tensor_get_grad (p0) == g0);
  assert_close (g0, zeros, 12, 0);
  lt_optimizer_zero_grad (LT_OPTIMIZER (opt), TRUE);
  g_assert_null (lt_tensor_get_grad (p0));
  g_assert_null (lt_tensor_get_grad (g_ptr_array_index (s.params, 1)));
  /* no gradient: a step changes nothing */
  step (LT_OPTIMIZER (opt));
  check_params (&s, 0);
  free_grads (g);
  setup_clear (&s);
}

/* Options and groups: errors */
static void
test_options (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtAdam *opt = NULL;
  g_autoptr(GPtrArray) dup = g_ptr_array_new ();
  g_autoptr(GPtrArray) again = g_ptr_array_new ();
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  g_autoptr(GPtrArray) ints = g_ptr_array_new ();
  g_autoptr(GPtrArray) nonleaf = g_ptr_array_new ();
  const double v[] = { 1, 2 };
  g_autoptr(LtTensor) x = tensor_of (v, 2, DIMS (2), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) i = tensor_of (v, 2, DIMS (2), LT_DTYPE_INT64);
  g_autoptr(LtTensor) y = NULL;
  g_auto(GStrv) names = NULL;
  double d;
  Setup s;

  setup_init (&s, LT_DTYPE_FLOAT32);
  opt = lt_adam_new (s.params, 1e-3, 0.9, 0.999, 1e-8, 0, FALSE, &error);
  g_assert_no_error (error);
  names = lt_optimizer_list_options (LT_OPTIMIZER (opt));
  g_assert_cmpstrv (names, ((const char *[]) { "lr", "beta1", "beta2", "eps", "weight_decay",
                                               "amsgrad", "maximize", NULL }));
  g_assert_true (lt_optimizer_option_is_boolean (LT_OPTIMIZER (opt), "amsgrad"));
  g_assert_false (lt_optimizer_option_is_boolean (LT_OPTIMIZER (opt), "eps"));
  g_assert_cmpfloat (lt_optimizer_get_option (LT_OPTIMIZER (opt), 0, "beta2", &error), ==, 0.999);

  /* unknown names, bad values, missing groups */
  d = lt_optimizer_get_option (LT_OPTIMIZER (opt), 0, "momentum", &error);
  g_assert_true (isnan (d));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "\"momentum\""));
  g_assert_nonnull (strstr (error->message, "beta1"));
  g_clear_error (&error);
  g_assert_false (lt_optimizer_set_option (LT_OPTIMIZER (opt), 0, "betas", 0.5, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lt_optimizer_set_option (LT_OPTIMIZER (opt), 0, "amsgrad", 0.5, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lt_optimizer_set_option (LT_OPTIMIZER (opt), 0, "lr", NAN, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lt_optimizer_set_option (LT_OPTIMIZER (opt), 3, "lr", 0.1, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
  g_clear_error (&error);
  g_assert_false (lt_optimizer_install_option (LT_OPTIMIZER (opt), "eps", 1, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* groups: a tensor twice, in two groups, an integer tensor, a non-leaf */
  g_ptr_array_add (dup, x);
  g_ptr_array_add (dup, x);
  g_assert_false (lt_optimizer_add_param_group (LT_OPTIMIZER (opt), dup, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_ptr_array_add (again, g_ptr_array_index (s.params, 1));
  g_assert_false (lt_optimizer_add_param_group (LT_OPTIMIZER (opt), again, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "more than one parameter group"));
  g_clear_error (&error);
  g_ptr_array_add (ints, i);
  g_assert_false (lt_optimizer_add_param_group (LT_OPTIMIZER (opt), ints, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
  g_clear_error (&error);
  lt_tensor_set_requires_grad (x, TRUE, &error);
  y = lt_tensor_mul_scalar (x, 2, &error);
  g_ptr_array_add (nonleaf, y);
  g_assert_false (lt_optimizer_add_param_group (LT_OPTIMIZER (opt), nonleaf, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (lt_optimizer_get_n_param_groups (LT_OPTIMIZER (opt)), ==, 1);

  /* constructors check their arguments as PyTorch's */
  g_assert_null (lt_sgd_new (empty, 0.1, 0, 0, 0, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "empty parameter list"));
  g_clear_error (&error);
  g_assert_null (lt_sgd_new (s.params, 0.1, 0, 0, 0, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Nesterov"));
  g_clear_error (&error);
  g_assert_null (lt_sgd_new (s.params, -0.1, 0, 0, 0, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (lt_adam_new (s.params, 1e-3, 1.0, 0.999, 1e-8, 0, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "beta parameter at index 0"));
  g_clear_error (&error);
  g_assert_null (lt_rmsprop_new (s.params, 0.01, -1, 1e-8, 0, 0, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  setup_clear (&s);
}

/* State dicts */

static LtOptimizer *
make_adam (GPtrArray *params)
{
  g_autoptr(GError) error = NULL;
  LtOptimizer *opt = LT_OPTIMIZER (lt_adam_new (params, 0.01, 0.8, 0.99, 1e-8, 0.01, TRUE,
                                                &error));

  g_assert_no_error (error);
  return opt;
}

/* Copies of the parameters' current values, as new leaves */
static GPtrArray *
clone_params (GPtrArray *params)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < params->len; i++)
    {
      g_autoptr(GError) error = NULL;
      LtTensor *c = lt_tensor_clone (g_ptr_array_index (params, i), &error);
      LtTensor *leaf = lt_tensor_detach (c);

      g_object_unref (c);
      lt_tensor_set_requires_grad (leaf, TRUE, &error);
      g_ptr_array_add (out, leaf);
    }
  return out;
}

static void
set_same_grads (GPtrArray *a,
                GPtrArray *b)
{
  for (guint i = 0; i < a->len; i++)
    {
      g_autoptr(GError) error = NULL;
      LtTensor *pa = g_ptr_array_index (a, i);
      guint nd;
      const gint64 *shape = lt_tensor_get_shape (pa, &nd);
      gsize n = (gsize) lt_tensor_numel (pa);
      g_autofree double *gv = random_values (rng, (gint64) n, -1, 1);
      g_autoptr(LtTensor) ga = tensor_of (gv, n, shape, nd, lt_tensor_get_dtype (pa));
      g_autoptr(LtTensor) gb = tensor_of (gv, n, shape, nd, lt_tensor_get_dtype (pa));

      lt_tensor_set_grad (pa, ga, &error);
      lt_tensor_set_grad (g_ptr_array_index (b, i), gb, &error);
    }
}

static void
test_state_dict (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lt-optim-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "adam.safetensors", NULL);
  autofinal LtOptimizer *opt = NULL;
  autofinal LtOptimizer *twin = NULL;
  autofinal LtStateDict *sd = NULL;
  autofinal LtStateDict *loaded = NULL;
  g_autoptr(GPtrArray) twin_params = NULL;
  g_autoptr(GPtrArray) extra = g_ptr_array_new ();
  const char *groups;
  const double ev[] = { 0.5 };
  g_autoptr(LtTensor) e = tensor_of (ev, 1, DIMS (1), LT_DTYPE_FLOAT32);
  Setup s;

  g_assert_no_error (error);
  setup_init (&s, LT_DTYPE_FLOAT32);
  lt_tensor_set_requires_grad (e, TRUE, &error);
  g_ptr_array_add (extra, e);
  opt = make_adam (s.params);
  g_assert_true (lt_optimizer_add_param_group (LT_OPTIMIZER (opt), extra, &error));
  lt_optimizer_set_lr (opt, 1, 0.5);
  for (guint t = 0; t < 3; t++)
    {
      double **g = new_grads (&s);

      step (opt);
      free_grads (g);
    }
  sd = lt_optimizer_state_dict (opt);
  /* PyTorch's structure: packed parameter numbers, e (no gradient) has no state */
  g_assert_cmpuint (lt_state_dict_get_n_tensors (sd), ==, 8);
  g_assert_nonnull (lt_state_dict_lookup (sd, "state.0.exp_avg"));
  g_assert_nonnull (lt_state_dict_lookup (sd, "state.1.max_exp_avg_sq"));
  g_assert_nonnull (lt_state_dict_lookup (sd, "state.1.step"));
  g_assert_null (lt_state_dict_lookup (sd, "state.2.step"));
  g_assert_true (lt_state_dict_lookup (sd, "state.0.exp_avg") ==
                 lt_state_dict_lookup (lt_optimizer_get_state (opt, g_ptr_array_index (s.params,
                                                                                       0)),
                                       "exp_avg"));
  groups = lt_state_dict_get_metadata (sd, "param_groups");
  g_assert_cmpstr (groups, ==,
                   "[{\"lr\": 0.01, \"betas\": [0.8, 0.99], \"eps\": 1e-08, \"weight_decay\": "
                   "0.01, \"amsgrad\": true, \"maximize\": false, \"params\": [0, 1]}, "
                   "{\"lr\": 0.5, \"betas\": [0.8, 0.99], \"eps\": 1e-08, \"weight_decay\": "
                   "0.01, \"amsgrad\": true, \"maximize\": false, \"params\": [2]}]");

  /* a file round trip into a fresh optimizer over copies of the
   * parameters; both continue with the same gradients, bit for bit */
  g_assert_true (lt_state_dict_save (sd, path, &error));
  g_assert_no_error (error);
  loaded = lt_state_dict_load (path, &error);
  g_assert_no_error (error);
  twin_params = clone_params (s.params);
  twin = make_adam (twin_params);
  {
    g_autoptr(GPtrArray) e2 = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(LtTensor) ec = lt_tensor_clone (e, &error);

    g_ptr_array_add (e2, lt_tensor_detach (ec));
    g_assert_true (lt_optimizer_add_param_group (twin, e2, &error));
  }
  g_assert_true (lt_optimizer_load_state_dict (twin, loaded, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (lt_optimizer_get_lr (twin, 1), ==, 0.5);
  for (guint t = 0; t < 2; t++)
    {
      set_same_grads (s.params, twin_params);
      step (opt);
      step (twin);
    }
  for (guint i = 0; i < N_PARAMS; i++)
    assert_same (g_ptr_array_index (s.params, i), g_ptr_array_index (twin_params, i));
  g_remove (path);
  g_rmdir (dir);
  setup_clear (&s);
}

typedef struct
{
  const char *what;
  const char *groups;          /* NULL: no metadata */
  const char *name;            /* a tensor to add, or NULL */
  gint64 shape;                /* its length */
} BadState;

static const BadState bad_states[] = {
  { "no param_groups", NULL, NULL, 0 },
  { "not JSON", "[{\"lr\": 0.1,", NULL, 0 },
  { "two groups", "[{\"lr\": 0.1, \"params\": [0, 1]}, {\"lr\": 0.1, \"params\": [2]}]", NULL,
    0 },
  { "three parameters", "[{\"lr\": 0.1, \"params\": [0, 1, 2]}]", NULL, 0 },
  { "unknown option", "[{\"lr\": 0.1, \"gamma\": 2, \"params\": [0, 1]}]", NULL, 0 },
  { "flag as a number", "[{\"nesterov\": 1, \"params\": [0, 1]}]", NULL, 0 },
  { "lr as a string", "[{\"lr\": \"big\", \"params\": [0, 1]}]", NULL, 0 },
  { "no params", "[{\"lr\": 0.1}]", NULL, 0 },
  { "a parameter twice", "[{\"lr\": 0.1, \"params\": [0, 0]}]", NULL, 0 },
  { "state of no parameter", "[{\"lr\": 0.1, \"params\": [0, 1]}]", "state.7.momentum_buffer", 5 },
  { "badly named", "[{\"lr\": 0.1, \"params\": [0, 1]}]", "momentum.0", 5 },
  { "buffer of another shape", "[{\"lr\": 0.1, \"params\": [0, 1]}]",
    "state.1.momentum_buffer", 4 },
};

/* A failed load changes nothing: the next steps equal those of a twin
 * that never saw it. */
static void
test_state_dict_errors (void)
{
  for (guint bi = 0; bi < G_N_ELEMENTS (bad_states); bi++)
    {
      const BadState *b = &bad_states[bi];
      g_autoptr(GError) error = NULL;
      autofinal LtSGD *opt = NULL;
      autofinal LtSGD *twin = NULL;
      g_autoptr(GPtrArray) twin_params = NULL;
      autofinal LtStateDict *bad = lt_state_dict_new ();
      autofinal LtStateDict *good = NULL;
      Setup s;

      g_test_message ("%s", b->what);
      setup_init (&s, LT_DTYPE_FLOAT64);
      opt = lt_sgd_new (s.params, 0.1, 0.9, 0, 0, FALSE, &error);
      twin_params = clone_params (s.params);
      twin = lt_sgd_new (twin_params, 0.1, 0.9, 0, 0, FALSE, &error);
      set_same_grads (s.params, twin_params);
      step (LT_OPTIMIZER (opt));
      step (LT_OPTIMIZER (twin));

      /* a valid tensor first, so a partial load would show */
      good = lt_optimizer_state_dict (LT_OPTIMIZER (opt));
      {
        const double z[12] = { 0 };
        g_autoptr(LtTensor) zeros = tensor_of (z, 12, DIMS (3, 4), LT_DTYPE_FLOAT64);

        lt_state_dict_insert (bad, "state.0.momentum_buffer", zeros);
      }
      if (b->groups)
        lt_state_dict_set_metadata (bad, "param_groups", b->groups);
      if (b->name)
        {
          g_autofree double *v = random_values (rng, b->shape, 0, 1);
          g_autoptr(LtTensor) t = tensor_of (v, (gsize) b->shape, DIMS (b->shape),
                                             LT_DTYPE_FLOAT64);

          lt_state_dict_insert (bad, b->name, t);
        }
      g_assert_false (lt_optimizer_load_state_dict (LT_OPTIMIZER (opt), bad, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == LT_ERROR);
      g_clear_error (&error);
      g_assert_cmpfloat (lt_optimizer_get_lr (LT_OPTIMIZER (opt), 0), ==, 0.1);
      set_same_grads (s.params, twin_params);
      step (LT_OPTIMIZER (opt));
      step (LT_OPTIMIZER (twin));
      for (guint i = 0; i < N_PARAMS; i++)
        assert_same (g_ptr_array_index (s.params, i), g_ptr_array_index (twin_params, i));
      setup_clear (&s);
    }
}

/* Learning-rate schedules against their closed forms */

static LtOptimizer *
schedule_optimizer (Setup *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func (g_object_unref);
  LtOptimizer *opt;

  setup_init (s, LT_DTYPE_FLOAT32);
  g_ptr_array_add (second, g_ptr_array_steal_index (s->params, 1));
  opt = LT_OPTIMIZER (lt_sgd_new (s->params, 0.1, 0.9, 0, 0, FALSE, &error));
  g_assert_true (lt_optimizer_add_param_group (opt, second, &error));
  lt_optimizer_set_lr (opt, 1, 0.02);
  g_assert_no_error (error);
  return opt;
}

static void
check_schedule (LtLRScheduler *sched,
                LtOptimizer   *opt,
                double (*closed) (gint64 epoch, double base, gpointer data),
                gpointer       data,
                double         rtol)
{
  g_autoptr(GError) error = NULL;
  const double base[2] = { 0.1, 0.02 };

  for (gint64 e = 0; e <= 40; e++)
    {
      g_assert_cmpint (lt_lr_scheduler_get_last_epoch (sched), ==, e);
      for (guint gi = 0; gi < 2; gi++)
        {
          double want = closed (e, base[gi], data);
          double got = lt_optimizer_get_lr (opt, gi);

          if (!(fabs (got - want) <= rtol * fabs (want) + 1e-300))
            g_test_message ("epoch %" G_GINT64_FORMAT " group %u: %.17g, expected %.17g", e,
                            gi, got, want);
          g_assert_cmpfloat (fabs (got - want), <=, rtol * fabs (want) + 1e-300);
          g_assert_cmpfloat (lt_lr_scheduler_get_last_lr (sched, gi), ==, got);
          g_assert_cmpfloat (lt_lr_scheduler_get_base_lr (sched, gi), ==, base[gi]);
        }
      g_assert_true (lt_lr_scheduler_step (sched, &error));
      g_assert_no_error (error);
    }
}

static double
step_closed (gint64 e, double base, gpointer data)
{
  return base * pow (0.5, (double) (e / 7));
}

static double
multistep_closed (gint64 e, double base, gpointer data)
{
  /* milestones 3, 10, 10, 25: gamma^(number of milestones <= e) */
  static const gint64 ms[] = { 3, 10, 10, 25 };
  guint k = 0;

  for (guint i = 0; i < G_N_ELEMENTS (ms); i++)
    k += ms[i] <= e;
  return base * pow (0.3, k);
}

static double
cosine_closed (gint64 e, double base, gpointer data)
{
  double eta_min = 0.001, t = 10;

  return eta_min + (base - eta_min) * (1 + cos (G_PI * (double) e / t)) / 2;
}

static void
test_schedulers (void)
{
  g_autoptr(GError) error = NULL;
  static const gint64 milestones[] = { 10, 3, 25, 10 };

  {
    Setup s;
    autofinal LtOptimizer *opt = schedule_optimizer (&s);
    autofinal LtStepLR    *sched = lt_step_lr_new (opt, 7, 0.5, &error);

    g_assert_no_error (error);
    g_assert_true (lt_lr_scheduler_get_optimizer (LT_LR_SCHEDULER (sched)) == opt);
    check_schedule (LT_LR_SCHEDULER (sched), opt, step_closed, NULL, 1e-14);
    setup_clear (&s);
  }
  {
    Setup s;
    autofinal LtOptimizer   *opt = schedule_optimizer (&s);
    autofinal LtMultiStepLR *sched = lt_multi_step_lr_new (opt, milestones, 4, 0.3, &error);

    g_assert_no_error (error);
    check_schedule (LT_LR_SCHEDULER (sched), opt, multistep_closed, NULL, 1e-14);
    setup_clear (&s);
  }
  {
    /* the recursive formula follows the cosine to rounding, over two
     * periods and back up */
    Setup s;
    autofinal LtOptimizer         *opt = schedule_optimizer (&s);
    autofinal LtCosineAnnealingLR *sched = lt_cosine_annealing_lr_new (opt, 10, 0.001, &error);

    g_assert_no_error (error);
    check_schedule (LT_LR_SCHEDULER (sched), opt, cosine_closed, NULL, 1e-9);
    setup_clear (&s);
  }
  {
    Setup s;
    autofinal LtOptimizer *opt = schedule_optimizer (&s);

    g_assert_null (lt_step_lr_new (opt, 0, 0.1, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (lt_cosine_annealing_lr_new (opt, 0, 0, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (lt_multi_step_lr_new (opt, (const gint64[]) { -1 }, 1, 0.1, &error));
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    setup_clear (&s);
  }
  {
    /* a rate that would overflow: an error, and nothing changes */
    Setup s;
    autofinal LtOptimizer *opt = schedule_optimizer (&s);
    autofinal LtStepLR    *sched = lt_step_lr_new (opt, 1, 1e300, &error);
    LtLRScheduler *ls = LT_LR_SCHEDULER (sched);

    g_assert_no_error (error);
    g_assert_true (lt_lr_scheduler_step (ls, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (lt_optimizer_get_lr (opt, 0), ==, 0.1 * 1e300);
    for (int i = 0; i < 2; i++)
      {
        g_assert_false (lt_lr_scheduler_step (ls, &error));
        g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
        g_assert_nonnull (strstr (error->message, "LtStepLR: at epoch 2"));
        g_assert_nonnull (strstr (error->message, "would be inf"));
        g_clear_error (&error);
        g_assert_cmpint (lt_lr_scheduler_get_last_epoch (ls), ==, 1);
        g_assert_cmpfloat (lt_optimizer_get_lr (opt, 0), ==, 0.1 * 1e300);
        g_assert_cmpfloat (lt_optimizer_get_lr (opt, 1), ==, 0.02 * 1e300);
        g_assert_cmpfloat (lt_lr_scheduler_get_last_lr (ls, 0), ==, 0.1 * 1e300);
      }
    setup_clear (&s);
  }
}

/* The tutorial's manual update, from C:
 *   for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate) */
static void
test_manual_update (void)
{
  g_autoptr(GError) error = NULL;
  const double learning_rate = 0.01;
  Setup s;
  double **g;

  setup_init (&s, LT_DTYPE_FLOAT32);
  g = new_grads (&s);
  for (guint i = 0; i < s.params->len; i++)
    {
      LtTensor *f = g_ptr_array_index (s.params, i);
      g_autoptr(LtTensor) data = lt_tensor_detach (f);                       /* f.data */
      g_autoptr(LtTensor) grad_data = lt_tensor_detach (lt_tensor_get_grad (f)); /* f.grad.data */
      g_autoptr(LtTensor) scaled = lt_tensor_mul_scalar (grad_data, learning_rate, &error);
      guint version = lt_tensor_get_version (f);

      g_assert_true (lt_tensor_sub_ (data, scaled, &error));
      g_assert_no_error (error);
      /* f changed through its data, with grad mode on: no autograd error */
      g_assert_cmpuint (lt_tensor_get_version (f), >, version);
      g_assert_true (lt_tensor_is_leaf (f));
      g_assert_true (lt_tensor_get_requires_grad (f));
      for (gsize k = 0; k < param_sizes[i]; k++)
        s.p[i][k] -= g[i][k] * learning_rate;
    }
  check_params (&s, 1e-6);
  free_grads (g);
  setup_clear (&s);
}

/* An optimizer written in C: sign SGD, param -= lr * sign(grad) */

typedef struct
{
  LtOptimizer parent_instance;
} TestSignSGD;

typedef struct
{
  LtOptimizerClass parent_class;
} TestSignSGDClass;

static GType test_sign_sgd_get_type (void);
G_DEFINE_TYPE (TestSignSGD, test_sign_sgd, LT_TYPE_OPTIMIZER)

static gboolean
sign_sgd_update (LtOptimizer *self,
                 guint        group,
                 LtTensor    *param,
                 LtTensor    *grad,
                 LtStateDict *state,
                 GError     **error)
{
  g_autoptr(LtTensor) sg = lt_tensor_sign (grad, error);
  double lr = lt_optimizer_get_lr (self, group);

  g_assert_false (lt_is_grad_enabled ());
  return sg && lt_tensor_add_scaled_ (param, sg, -lr, error);
}

static void
test_sign_sgd_class_init (TestSignSGDClass *klass)
{
  LT_OPTIMIZER_CLASS (klass)->update = sign_sgd_update;
}

static void
test_sign_sgd_init (TestSignSGD *self)
{
}

static void
test_subclass (void)
{
  g_autoptr(GError) error = NULL;
  autofinal LtOptimizer *opt = g_object_new (test_sign_sgd_get_type (), NULL);
  autofinal LtStateDict *sd = NULL;
  Setup s;
  double **g;

  setup_init (&s, LT_DTYPE_FLOAT64);
  g_assert_true (lt_optimizer_has_option (opt, "lr"));
  g_assert_true (lt_optimizer_set_default (opt, "lr", 0.25, &error));
  g_assert_true (lt_optimizer_install_option (opt, "scale", 2, FALSE, &error));
  g_assert_true (lt_optimizer_add_param_group (opt, s.params, &error));
  g_assert_cmpfloat (lt_optimizer_get_option (opt, 0, "scale", &error), ==, 2);
  g = new_grads (&s);
  step (opt);
  for (guint i = 0; i < N_PARAMS; i++)
    for (gsize k = 0; k < param_sizes[i]; k++)
      s.p[i][k] -= 0.25 * ((g[i][k] > 0) - (g[i][k] < 0));
  check_params (&s, 1e-15);
  sd = lt_optimizer_state_dict (opt);
  g_assert_cmpstr (lt_state_dict_get_metadata (sd, "param_groups"), ==,
                   "[{\"lr\": 0.25, \"scale\": 2, \"params\": [0, 1]}]");
  free_grads (g);
  setup_clear (&s);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Optimizers and learning-rate schedules against PyTorch 1.13's formulas "
                  "written in doubles");
  rng = g_rand_new_with_seed (20240611);

  g_test_add_func ("/optim/sgd/reference", test_sgd_reference);
  g_test_add_func ("/optim/sgd/composed", test_sgd_composed);
  g_test_add_func ("/optim/sgd/groups", test_sgd_groups);
  g_test_add_func ("/optim/adam/reference", test_adam_reference);
  g_test_add_func ("/optim/rmsprop/reference", test_rmsprop_reference);
  g_test_add_func ("/optim/zero-grad", test_zero_grad);
  g_test_add_func ("/optim/options", test_options);
  g_test_add_func ("/optim/state-dict", test_state_dict);
  g_test_add_func ("/optim/state-dict/errors", test_state_dict_errors);
  g_test_add_func ("/optim/lr-scheduler", test_schedulers);
  g_test_add_func ("/optim/tutorial/manual-update", test_manual_update);
  g_test_add_func ("/optim/subclass", test_subclass);

  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
