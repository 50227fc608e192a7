/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the fused ops.
 * cross_entropy of class-index targets (ops/lt-fused-loss.c) against a
 * float64 reference and against the unfused ops (log_softmax, then
 * nll_loss) bit for bit, its gradient by gradcheck and gradgradcheck, its
 * graph (PyTorch's: NllLossBackward0 over LogSoftmaxBackward0), and the
 * kernel of its backward rule, cross_entropy_grad.
 */

#include "ops-harness.h"

static const LtReduction reductions[] = { LT_REDUCTION_NONE, LT_REDUCTION_MEAN, LT_REDUCTION_SUM };

typedef struct
{
  OhShape  sx; /* (N, C, d...) or (C) */
  gboolean weighted;
  gint64   ignore; /* drawn at every third target; G_MININT64: none (-100) */
} CeCase;

static const CeCase ce_cases[] = {
  { OH_SH (5, 4), FALSE, G_MININT64 }, { OH_SH (5, 4), TRUE, -100 },
  { OH_SH (6, 3), TRUE, 2 },        /* a valid class as ignore_index */
  { OH_SH (3, 4, 2, 3), TRUE, -1 }, /* (N, C, d1, d2) */
  { OH_SH (2, 3, 5), FALSE, -100 }, /* (N, C, d) */
  { OH_SH (7), TRUE, G_MININT64 },  /* (C) with a 0-dim target */
  { OH_SH (0, 4), FALSE, -100 },    /* an empty batch */
};

static gint64
ce_ignore (const CeCase *c)
{
  return c->ignore == G_MININT64 ? -100 : c->ignore;
}

/* (N, C, R) of @c, the target's shape, random targets and a weight */
static void
ce_inputs (const CeCase *c, OhArr *t, OhArr *w, gint64 *N, gint64 *C, gint64 *R, OhShape *st)
{
  g_autofree double *tv = NULL;
  g_autofree double *wv = NULL;
  gint64             n;

  *st = OH_SH0;
  if (c->sx.n == 1)
    *N = 1, *C = c->sx.d[0], *R = 1;
  else
    {
      *N = c->sx.d[0], *C = c->sx.d[1], *R = 1;
      st->d[st->n++] = c->sx.d[0];
      for (guint k = 2; k < c->sx.n; k++)
        {
          *R *= c->sx.d[k];
          st->d[st->n++] = c->sx.d[k];
        }
    }
  n = oh_numel (*st);
  tv = g_new0 (double, MAX (n, 1));
  for (gint64 k = 0; k < n; k++)
    tv[k] = k % 3 == 1 && c->ignore != G_MININT64 ? (double) c->ignore
                                                  : g_rand_int_range (oh_rng, 0, (gint32) *C);
  *t = oh_arr_from (tv, *st, I64, OH_LAY_CONTIG);
  wv = g_new (double, MAX (*C, 1));
  for (gint64 k = 0; k < *C; k++)
    wv[k] = g_rand_double_range (oh_rng, 0.2, 2);
  if (c->weighted)
    *w = oh_arr_from (wv, OH_SH (*C), F64, OH_LAY_CONTIG);
}

/* The loss in doubles: per target -w[t] (x[t] - logsumexp (x)); @wt gets
 * each target's weight (0 when ignored) */
static double *
ref_ce (const double *x,
        const double *t,
        const double *w,
        gint64        N,
        gint64        C,
        gint64        R,
        gint64        ignore,
        double       *wt)
{
  double *out = g_new0 (double, MAX (N * R, 1));

  for (gint64 i = 0; i < N; i++)
    for (gint64 r = 0; r < R; r++)
      {
        gint64 c = (gint64) t[i * R + r];
        double m = -INFINITY, s = 0;

        wt[i * R + r] = 0;
        if (c == ignore)
          continue;
        for (gint64 j = 0; j < C; j++)
          m = MAX (m, x[(i * C + j) * R + r]);
        for (gint64 j = 0; j < C; j++)
          s += exp (x[(i * C + j) * R + r] - m);
        wt[i * R + r] = w ? w[c] : 1;
        out[i * R + r] = -wt[i * R + r] * (x[(i * C + c) * R + r] - m - log (s));
      }
  return out;
}

static void
check_ce (LtTensor     *y,
          LtDType       dt,
          OhShape       st,
          const double *elem,
          const double *wt,
          gint64        n,
          LtReduction   r)
{
  double rtol = dt == F32 ? 1e-5 : 1e-10, atol = dt == F32 ? 1e-5 : 1e-12;
  double s = 0, total = 0;

  if (r == LT_REDUCTION_NONE)
    {
      oh_check_tol (y, dt, st, elem, rtol, atol);
      return;
    }
  for (gint64 k = 0; k < n; k++)
    s += elem[k], total += wt[k];
  if (r == LT_REDUCTION_MEAN)
    s /= total; /* NaN for nothing to average, as torch */
  oh_check_tol (y, dt, OH_SH0, &s, rtol, atol);
}

/* The same values (NaN where NaN), read back as doubles */
static void
assert_same (LtTensor *a, LtTensor *b)
{
  g_autofree double *va = oh_values_of (a);
  g_autofree double *vb = oh_values_of (b);

  g_assert_cmpint (a->numel, ==, b->numel);
  for (gint64 k = 0; k < a->numel; k++)
    if (!(isnan (va[k]) && isnan (vb[k])))
      g_assert_cmpfloat (va[k], ==, vb[k]);
}

/* log_softmax then nll_loss: what lt_cross_entropy() composes without the
 * fused kernel */
static LtTensor *
ce_unfused (LtTensor *x, LtTensor *t, LtTensor *w, gint64 ignore, LtReduction r, GError **error)
{
  g_autoptr(LtTensor) logp = lt_tensor_log_softmax (x, x->ndim == 1 ? 0 : 1, error);

  return logp ? lt_nll_loss (logp, t, w, ignore, r, error) : NULL;
}

static void
ce_run (const CeCase *c, LtDType dt, OhLay lay, LtReduction r)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (c->sx, dt, lay, OH_DIST_WIDE);
  g_auto(OhArr) t = { NULL };
  g_auto(OhArr) w = { NULL };
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) yu = NULL;
  g_autofree double *elem = NULL;
  g_autofree double *wt = NULL;
  gint64             N, C, R;
  OhShape            st;

  ce_inputs (c, &t, &w, &N, &C, &R, &st);
  y = lt_cross_entropy (x.t, t.t, w.t, ce_ignore (c), r, 0, &error);
  g_assert_no_error (error);
  wt = g_new0 (double, MAX (N * R, 1));
  elem = ref_ce (x.v, t.v, w.v, N, C, R, ce_ignore (c), wt);
  check_ce (y, dt, st, elem, wt, N * R, r);
  /* the unfused ops' bits: the same arithmetic in the same order */
  yu = ce_unfused (x.t, t.t, w.t, ce_ignore (c), r, &error);
  g_assert_no_error (error);
  assert_same (y, yu);
}

static void
ce_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (ce_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (reductions); k++)
      {
        ce_run (&ce_cases[i], F32, OH_LAY_CONTIG, reductions[k]);
        ce_run (&ce_cases[i], F64, OH_LAY_T, reductions[k]);
      }
}

/* Rows split over the CPU's threads: the same losses as one thread's */
static void
ce_fw_parallel (gconstpointer d)
{
  static const CeCase big[] = {
    { OH_SH (2000, 40), TRUE, -100 },
    { OH_SH (30, 10, 300), FALSE, 3 },
    { OH_SH (70, 1000), TRUE, -100 },   /* long rows in vectors, with a tail */
    { OH_SH (3, 300, 5), FALSE, -100 }, /* strided rows longer than a chunk */
  };

  for (guint i = 0; i < G_N_ELEMENTS (big); i++)
    for (guint k = 0; k < G_N_ELEMENTS (reductions); k++)
      ce_run (&big[i], F32, OH_LAY_CONTIG, reductions[k]);
}

/* A class out of range: a GError naming it (on a device, at the next
 * synchronisation: reading the loss); the type and shape errors of
 * lt_cross_entropy() stay */
static void
ce_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double high[] = { 0, 3, 1 }, low[] = { 0, -2, 1 }, good[] = { 0, 2, 1 };
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) th = oh_arr_from (high, OH_SH (3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) tl = oh_arr_from (low, OH_SH (3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) tg = oh_arr_from (good, OH_SH (1, 3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) t3 = oh_arr_from (good, OH_SH (3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) w = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_POS);
  const OhArr *bad[] = { &th, &tl };
  const char  *named[] = { "3", "-2" };
  LtTensor    *y;

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      double v;

      y = lt_cross_entropy (x.t, bad[k]->t, NULL, -100, LT_REDUCTION_MEAN, 0, &error);
      if (y)
        {
          /* a device reports it at the next synchronisation */
          g_assert_cmpint (oh_device, !=, LT_DEVICE_CPU);
          g_assert_no_error (error);
          g_assert_false (lt_tensor_item (y, &v, &error));
          g_object_unref (y);
        }
      g_assert_error (error, LT_ERROR, LT_ERROR_INDEX);
      g_assert_nonnull (strstr (error->message, named[k]));
      g_assert_nonnull (strstr (error->message, "cross_entropy"));
      g_clear_error (&error);
    }
  y = lt_cross_entropy (x.t, tg.t, NULL, -100, LT_REDUCTION_MEAN, 0, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_cross_entropy (x.t, t3.t, w.t, -100, LT_REDUCTION_MEAN, 0, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase ce_forward[] = { { "values", ce_fw_values },
                                     { "parallel", ce_fw_parallel },
                                     { "errors", ce_fw_errors },
                                     { NULL, NULL } };

typedef struct
{
  LtTensor   *t;
  LtTensor   *w;
  gint64      ignore;
  LtReduction r;
} CeCall;

static LtTensor *
gc_ce (LtTensor **in, gsize n, gpointer data)
{
  const CeCall *c = data;
  g_autoptr(GError) error = NULL;
  /* on a device, the harness runs f on CPU copies of the inputs too */
  LtDevice dev = lt_tensor_get_device (in[0]);
  g_autoptr(LtTensor) t = lt_tensor_to_device (c->t, dev, &error);
  g_autoptr(LtTensor) w = c->w ? lt_tensor_to_device (c->w, dev, &error) : NULL;
  LtTensor *y;

  g_assert_no_error (error);
  y = lt_cross_entropy (in[0], t, w, c->ignore, c->r, 0, &error);
  g_assert_no_error (error);
  return y;
}

static void
ce_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (ce_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (reductions); k++)
      {
        const CeCase *cc = &ce_cases[i];
        g_auto(OhArr) t = { NULL };
        g_auto(OhArr) w = { NULL };
        g_autoptr(LtTensor) x =
                     oh_leaf_new (cc->sx, k == 1 ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_UNIT);
        gint64  N, C, R;
        OhShape st;
        CeCall  c;

        ce_inputs (cc, &t, &w, &N, &C, &R, &st);
        c = (CeCall){ t.t, w.t, ce_ignore (cc), reductions[k] };
        oh_gradcheck (gc_ce, &c, &x, 1);
      }
}

/* Double backward: with create_graph the rules are nll_loss's and
 * log_softmax's, which differentiate again (checked in float64 on the CPU,
 * whose gradgradcheck this is; a device's gradients are the CPU's by
 * "values") */
static void
ce_bw_twice (gconstpointer d)
{
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      const CeCase *cc = &ce_cases[i];
      g_auto(OhArr) t = { NULL };
      g_auto(OhArr) w = { NULL };
      g_autoptr(LtTensor) xd = oh_leaf_new (cc->sx, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) xh = lt_tensor_to_device (xd, LT_DEVICE_CPU, &error);
      g_autoptr(LtTensor) x = lt_tensor_detach (xh);
      g_autoptr(LtTensor) th = NULL;
      g_autoptr(LtTensor) wh = NULL;
      gint64  N, C, R;
      OhShape st;
      CeCall  c;

      g_assert_no_error (error);
      ce_inputs (cc, &t, &w, &N, &C, &R, &st);
      th = lt_tensor_to_device (t.t, LT_DEVICE_CPU, &error);
      wh = w.t ? lt_tensor_to_device (w.t, LT_DEVICE_CPU, &error) : NULL;
      g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
      g_assert_no_error (error);
      c = (CeCall){ th, wh, ce_ignore (cc), reductions[i % 3] };
      g_assert_true (lt_gradgradcheck (gc_ce, &c, &x, 1, 1e-6, 1e-5, 1e-3, &error));
      g_assert_no_error (error);
    }
}

/* PyTorch's graph, and the gradient of the unfused ops bit for bit: rows
 * of classes shorter than a vector, with a tail, longer than a chunk of
 * lt-cpu-exp.c, contiguous and strided */
static void
ce_bw_node (gconstpointer d)
{
  static const CeCase cases[] = {
    { OH_SH (3, 4, 2, 3), TRUE, -1 },
    { OH_SH (9, 37), TRUE, -100 },
    { OH_SH (7, 1000), TRUE, -100 },
    { OH_SH (3, 300, 5), FALSE, 2 },
  };

  for (guint dt = 0; dt < 2; dt++)
    for (guint k = 0; k < 3 * G_N_ELEMENTS (cases); k++)
      {
        g_autoptr(GError) error = NULL;
        const CeCase *cc = &cases[k / 3];
        g_auto(OhArr) t = { NULL };
        g_auto(OhArr) w = { NULL };
        g_auto(OhArr) x = oh_arr_new (cc->sx, dt ? F64 : F32, OH_LAY_CONTIG, OH_DIST_WIDE);
        g_autoptr(LtTensor) xa = lt_tensor_detach (x.t);
        g_autoptr(LtTensor) xb = lt_tensor_detach (x.t);
        g_autoptr(LtTensor) ya = NULL;
        g_autoptr(LtTensor) yb = NULL;
        LtGradFn *fn;
        gint64    N, C, R;
        OhShape   st;

        ce_inputs (cc, &t, &w, &N, &C, &R, &st);
        g_assert_true (lt_tensor_set_requires_grad (xa, TRUE, &error));
        g_assert_true (lt_tensor_set_requires_grad (xb, TRUE, &error));
        ya = lt_cross_entropy (xa, t.t, w.t, ce_ignore (cc), reductions[k % 3], 0, &error);
        yb = ce_unfused (xb, t.t, w.t, ce_ignore (cc), reductions[k % 3], &error);
        g_assert_no_error (error);
        fn = lt_tensor_get_grad_fn (ya);
        g_assert_cmpstr (lt_grad_fn_get_name (fn), ==, "NllLossBackward0");
        g_assert_cmpuint (lt_grad_fn_get_n_next_functions (fn), ==, 1);
        g_assert_cmpstr (lt_grad_fn_get_name (lt_grad_fn_get_next_function (fn, 0, NULL)), ==,
                         "LogSoftmaxBackward0");
        oh_backward_sum (ya);
        oh_backward_sum (yb);
        assert_same (lt_tensor_get_grad (xa), lt_tensor_get_grad (xb));
      }
}

static const OhCase ce_backward[] = { { "values", ce_bw_values },
                                      { "twice", ce_bw_twice },
                                      { "node", ce_bw_node },
                                      { NULL, NULL } };

/* cross_entropy_log_softmax: the log-probabilities' node; its output is
 * the log_softmax of the input (kept as PyTorch keeps the result) */
static void
lsm_fw_values (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { 1, 0, 2 };
  g_auto(OhArr) t = oh_arr_from (tv, OH_SH (3), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_cross_entropy (x, t.t, NULL, -100, LT_REDUCTION_NONE, 0, &error);
  g_autoptr(LtTensor) ref = lt_tensor_log_softmax (x, 1, &error);
  g_autofree double *rv = NULL;
  LtGradFn          *lsm;

  g_assert_no_error (error);
  lsm = lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (y), 0, NULL);
  g_assert_cmpint (lsm->op, ==, LT_OP_CROSS_ENTROPY_LOG_SOFTMAX);
  /* the loss of each row is minus its target's log-probability */
  rv = oh_values_of (ref);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpfloat (oh_value_at (y, k), ==, -rv[k * 4 + (guint) tv[k]]);
}

static const OhCase lsm_forward[] = { { "values", lsm_fw_values }, { NULL, NULL } };

/* Under an observer (LtGraph's statistics) the log-probabilities' node
 * receives their own gradient, as without fusion */
static void
lsm_bw_observed (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { 1, 0, 2 };
  g_auto(OhArr) t = oh_arr_from (tv, OH_SH (3), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_cross_entropy (x, t.t, NULL, -100, LT_REDUCTION_MEAN, 0, &error);
  g_autoptr(LtGraph) graph = NULL;
  LtGradStats st;
  gboolean    found = FALSE;

  g_assert_no_error (error);
  graph = lt_graph_new (y);
  g_assert_true (lt_graph_backward (graph, FALSE, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < lt_graph_get_n_nodes (graph); i++)
    if (g_str_equal (lt_graph_get_node_name (graph, i), "LogSoftmaxBackward0"))
      {
        /* d mean / d logp: -1/3 at each target, 0 elsewhere: sum -1 */
        g_assert_true (lt_graph_get_node_grad_stats (graph, i, &st));
        g_assert_cmpfloat_with_epsilon (st.mean * 12, -1, 1e-6);
        g_assert_cmpfloat_with_epsilon (st.min, -1.0 / 3, 1e-6);
        g_assert_cmpfloat (st.max, ==, 0);
        found = TRUE;
      }
  g_assert_true (found);
}

static const OhCase lsm_backward[] = { { "observed", lsm_bw_observed }, { NULL, NULL } };

/* cross_entropy_grad, run through the loss's backward: d loss / d x
 * written out, g w[t] (softmax (x) - one_hot (t)) (over the total weight
 * for the mean), 0 for ignored targets */
static void
ce_grad_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (ce_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (reductions); k++)
      for (guint dt = 0; dt < 2; dt++)
        {
          const CeCase *cc = &ce_cases[i];
          LtReduction   r = reductions[k];
          g_autoptr(GError) error = NULL;
          g_auto(OhArr) t = { NULL };
          g_auto(OhArr) w = { NULL };
          g_auto(OhArr) x = oh_arr_new (cc->sx, dt ? F64 : F32, OH_LAY_CONTIG, OH_DIST_UNIT);
          g_autoptr(LtTensor) xl = lt_tensor_detach (x.t);
          g_autoptr(LtTensor) y = NULL;
          g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
          g_autofree double *gv = NULL;
          double             total = 0;
          gint64             N, C, R, ignore = ce_ignore (cc);
          OhShape            st;

          ce_inputs (cc, &t, &w, &N, &C, &R, &st);
          g_assert_true (lt_tensor_set_requires_grad (xl, TRUE, &error));
          y = lt_cross_entropy (xl, t.t, w.t, ignore, r, 0, &error);
          g_assert_no_error (error);
          {
            g_auto(OhArr) g =
                      oh_arr_new (oh_shape_of (y), dt ? F64 : F32, OH_LAY_CONTIG, OH_DIST_UNIT);

            gv = g_memdup2 (g.v, MAX (g.n, 1) * sizeof (double));
            g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
            g_assert_no_error (error);
          }
          for (gint64 q = 0; q < N * R; q++)
            if ((gint64) t.v[q] != ignore)
              total += w.t ? w.v[(gint64) t.v[q]] : 1;
          for (gint64 n = 0; n < N; n++)
            for (gint64 rr = 0; rr < R; rr++)
              {
                gint64 c = (gint64) t.v[n * R + rr];
                double gg = r == LT_REDUCTION_NONE ? gv[n * R + rr] : gv[0];
                double m = -INFINITY, s = 0;

                if (c == ignore)
                  continue;
                if (r == LT_REDUCTION_MEAN)
                  gg /= total;
                gg *= w.t ? w.v[c] : 1;
                for (gint64 j = 0; j < C; j++)
                  m = MAX (m, x.v[(n * C + j) * R + rr]);
                for (gint64 j = 0; j < C; j++)
                  s += exp (x.v[(n * C + j) * R + rr] - m);
                for (gint64 j = 0; j < C; j++)
                  ref[(n * C + j) * R + rr] =
                    gg * (exp (x.v[(n * C + j) * R + rr] - m) / s - (j == c ? 1 : 0));
              }
          oh_check (lt_tensor_get_grad (xl), dt ? F64 : F32, cc->sx, ref);
        }
}

static const OhCase ce_grad_forward[] = { { "values", ce_grad_fw_values }, { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_CROSS_ENTROPY, "cross_entropy", NULL, ce_forward, NULL, ce_backward, NULL),
  OH_SPEC (LT_OP_CROSS_ENTROPY_LOG_SOFTMAX,
           "cross_entropy_log_softmax",
           NULL,
           lsm_forward,
           NULL,
           lsm_backward,
           NULL),
  OH_SPEC (LT_OP_CROSS_ENTROPY_GRAD, "cross_entropy_grad", NULL, ce_grad_forward, NULL, NULL, NULL),
};

guint
oh_register_fused (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
