/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the losses (mse_loss,
 * l1_loss, nll_loss, binary_cross_entropy_with_logits), and the
 * kernels that only backward rules and optimizers reach (nll_loss_grad,
 * relu_grad, sgd_update).
 */

#include "ops-harness.h"

/* mse_loss, l1_loss, nll_loss, binary_cross_entropy_with_logits
 * (ops/lt-loss.c). The references are PyTorch's definitions written as
 * plain loops over doubles. */

static double
ref_reduce (const double *elem, gint64 n, LtReduction r, const double *weights)
{
  double s = 0, w = 0;

  for (gint64 k = 0; k < n; k++)
    {
      s += elem[k];
      w += weights ? weights[k] : 1;
    }
  if (r == LT_REDUCTION_SUM)
    return s;
  return s / w;         /* NaN for nothing to average, as torch */
}

/* Checks a loss against per-element references @elem (shape @s, the
 * result of LT_REDUCTION_NONE) reduced as @r; @weights divide the mean. */
static void
check_loss (LtTensor *y, LtDType dt, OhShape s, const double *elem, LtReduction r,
            const double *weights)
{
  double rtol = dt == F32 ? 1e-5 : 1e-10, atol = dt == F32 ? 1e-5 : 1e-12;

  if (r == LT_REDUCTION_NONE)
    {
      oh_check_tol (y, dt, s, elem, rtol, atol);
      return;
    }
  {
    double v = ref_reduce (elem, oh_numel (s), r, weights);

    oh_check_tol (y, dt, OH_SH0, &v, rtol, atol);
  }
}

static const LtReduction all_reductions[] = {
  LT_REDUCTION_NONE, LT_REDUCTION_MEAN, LT_REDUCTION_SUM
};

/* mse_loss and l1_loss; the spec's data is the op */

static LtTensor *
pointwise_loss_call (LtOp op, LtTensor *x, LtTensor *t, LtReduction r, GError **error)
{
  return op == LT_OP_MSE_LOSS ? lt_mse_loss (x, t, r, error) : lt_l1_loss (x, t, r, error);
}

static void
pointwise_loss_run (LtOp op, OhShape sx, LtDType dx, OhLay lx, OhShape st, LtDType dtt, OhLay lt_,
                    LtReduction r)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (sx, dx, lx, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_new (st, dtt, lt_, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = pointwise_loss_call (op, x.t, t.t, r, &error);
  OhShape so = oh_broadcast (sx, st);
  gint64 n = oh_numel (so), idx[LT_MAX_DIMS];
  g_autofree double *elem = g_new0 (double, MAX (n, 1));
  LtDType out = oh_promote (dx, dtt);

  g_assert_no_error (error);
  if (!oh_is_float (out))
    out = dx;
  for (gint64 k = 0; k < n; k++)
    {
      double dd;

      oh_unravel (k, so, idx);
      dd = x.v[oh_bindex (idx, so.n, sx)] - t.v[oh_bindex (idx, so.n, st)];
      elem[k] = op == LT_OP_MSE_LOSS ? dd * dd : fabs (dd);
    }
  check_loss (y, out, so, elem, r, NULL);
}

static void
pointwise_loss_fw_values (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);

  for (guint i = 0; i < G_N_ELEMENTS (all_reductions); i++)
    {
      LtReduction r = all_reductions[i];

      pointwise_loss_run (op, OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_SH (3, 4), F32, OH_LAY_T, r);
      pointwise_loss_run (op, OH_SH (5, 2), F64, OH_LAY_STEP, OH_SH (5, 2), F64, OH_LAY_PAD, r);
      /* the tutorial's case: a (1, 10) output against a (10) target */
      pointwise_loss_run (op, OH_SH (1, 10), F32, OH_LAY_CONTIG, OH_SH (10), F32, OH_LAY_CONTIG, r);
      /* an int64 target, as torch.arange(1, 11), promotes */
      pointwise_loss_run (op, OH_SH (1, 10), F32, OH_LAY_CONTIG, OH_SH (10), I64, OH_LAY_CONTIG, r);
      pointwise_loss_run (op, OH_SH0, F32, OH_LAY_CONTIG, OH_SH0, F32, OH_LAY_CONTIG, r);
      pointwise_loss_run (op, OH_SH (0, 3), F32, OH_LAY_CONTIG, OH_SH (3), F32, OH_LAY_CONTIG, r);
      pointwise_loss_run (op, OH_SH (OH_BIG), F32, OH_LAY_CONTIG, OH_SH (OH_BIG), F32, OH_LAY_CONTIG, r);
    }
}

static void
pointwise_loss_fw_errors (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_new (OH_SH (5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) i = oh_arr_new (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y = pointwise_loss_call (op, x.t, t.t, LT_REDUCTION_MEAN, &error);

  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[5]"));
  g_clear_error (&error);
  y = pointwise_loss_call (op, i.t, i.t, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = pointwise_loss_call (op, x.t, x.t, (LtReduction) 7, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase pointwise_loss_forward[] = {
  { "values", pointwise_loss_fw_values },
  { "errors", pointwise_loss_fw_errors },
  { NULL, NULL }
};

typedef struct
{
  LtOp op;
  LtReduction r;
} PointwiseLossCall;

static LtTensor *
gc_pointwise_loss (LtTensor **in, gsize n, gpointer data)
{
  const PointwiseLossCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = pointwise_loss_call (c->op, in[0], in[1], c->r, &error);

  g_assert_no_error (error);
  return y;
}

static void
pointwise_loss_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_reductions); i++)
    {
      PointwiseLossCall c = { GPOINTER_TO_INT (d), all_reductions[i] };
      LtTensor *in[2];
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
      g_autoptr(LtTensor) t = oh_leaf_new (OH_SH (3, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) x1 = oh_leaf_new (OH_SH (1, 10), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) t1 = oh_leaf_new (OH_SH (10), OH_LAY_STEP, OH_DIST_UNIT);

      in[0] = x, in[1] = t;
      oh_gradcheck (gc_pointwise_loss, &c, in, 2);
      /* broadcast target: its gradient is summed back to (10) */
      in[0] = x1, in[1] = t1;
      oh_gradcheck (gc_pointwise_loss, &c, in, 2);
    }
}

static void
pointwise_loss_bw_node (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (1, 10), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_new (OH_SH (10), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = pointwise_loss_call (op, x, t.t, LT_REDUCTION_MEAN, &error);
  g_autofree double *xv = oh_values_of (x);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                   _lt_op_table[op].node_name[0]);
  /* an integer target needs no gradient: backward works (PyTorch 1.13 fails) */
  g_assert_cmpint (lt_tensor_backward (y, NULL, FALSE, &error), ==, TRUE);
  g_assert_no_error (error);
  g = oh_grad_of (x);
  for (guint k = 0; k < 10; k++)
    {
      double dd = xv[k] - t.v[k];
      double ref = op == LT_OP_MSE_LOSS ? 2 * dd / 10 : (dd > 0) - (dd < 0);

      if (op == LT_OP_L1_LOSS)
        ref /= 10;
      g_assert_cmpfloat (fabs (g[k] - ref), <, 1e-12);
    }
}

static const OhCase pointwise_loss_backward[] = {
  { "values", pointwise_loss_bw_values },
  { "node", pointwise_loss_bw_node },
  { NULL, NULL }
};

/* nll_loss */

/* Per-target losses of nll_loss for x (N, C, R...) flattened to (N, C, R)
 * and t (N, R); @wt receives each target's weight (0 when ignored). */
static double *
ref_nll (const double *x, const double *t, const double *w, gint64 N, gint64 C, gint64 R,
         gint64 ignore, double *wt)
{
  double *out = g_new0 (double, MAX (N * R, 1));

  for (gint64 i = 0; i < N; i++)
    for (gint64 r = 0; r < R; r++)
      {
        gint64 c = (gint64) t[i * R + r];
        double wc;

        if (c == ignore)
          {
            wt[i * R + r] = 0;
            continue;
          }
        wc = w ? w[c] : 1;
        wt[i * R + r] = wc;
        out[i * R + r] = -wc * x[(i * C + c) * R + r];
      }
  return out;
}

typedef struct
{
  OhShape sx;          /* (N, C, d...) or (C) */
  gboolean weighted;
  gint64 ignore;     /* targets equal to it are drawn at some positions */
} NllCase;

/* Random class targets for @c (some ignored) and an optional weight */
static void
nll_inputs (const NllCase *c, OhArr *t, OhArr *w, gint64 *N, gint64 *C, gint64 *R, OhShape *st)
{
  gint64 n;
  g_autofree double *tv = NULL;
  double wv[64];

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
  g_assert_cmpint (*C, <=, 64);
  for (gint64 k = 0; k < *C; k++)
    wv[k] = g_rand_double_range (oh_rng, 0.2, 2);
  if (c->weighted)
    *w = oh_arr_from (wv, OH_SH (*C), F64, OH_LAY_CONTIG);
}

static void
nll_run (const NllCase *c, LtDType dt, OhLay lay, LtReduction r)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (c->sx, dt, lay, OH_DIST_WIDE);
  g_auto(OhArr) t = { NULL };
  g_auto(OhArr) w = { NULL };
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *elem = NULL;
  g_autofree double *wt = NULL;
  gint64 N, C, R;
  OhShape st;

  nll_inputs (c, &t, &w, &N, &C, &R, &st);
  y = lt_nll_loss (x.t, t.t, w.t, c->ignore == G_MININT64 ? -100 : c->ignore, r, &error);
  g_assert_no_error (error);
  wt = g_new0 (double, MAX (N * R, 1));
  elem = ref_nll (x.v, t.v, w.v, N, C, R, c->ignore, wt);
  check_loss (y, dt, st, elem, r, wt);
}

static const NllCase nll_cases[] = {
  { OH_SH (5, 4), FALSE, G_MININT64 },
  { OH_SH (5, 4), TRUE, -100 },
  { OH_SH (6, 3), TRUE, 2 },             /* a valid class as ignore_index */
  { OH_SH (3, 4, 2, 3), TRUE, -1 },      /* (N, C, d1, d2) */
  { OH_SH (2, 3, 5), FALSE, -100 },      /* (N, C, d) */
  { OH_SH (7), TRUE, G_MININT64 },       /* (C) with a 0-dim target */
};

static void
nll_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (nll_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        nll_run (&nll_cases[i], F32, OH_LAY_CONTIG, all_reductions[k]);
        nll_run (&nll_cases[i], F64, OH_LAY_T, all_reductions[k]);
      }
}

/* Every target ignored: the mean is 0/0 = NaN, the sum 0; an empty batch
 * likewise, as torch */
static void
nll_fw_ignored (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { -100, -100 };
  g_auto(OhArr) x = oh_arr_new (OH_SH (2, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_from (tv, OH_SH (2), I64, OH_LAY_CONTIG);
  g_auto(OhArr) x0 = oh_arr_new (OH_SH (0, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t0 = oh_arr_new (OH_SH (0), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) m = lt_nll_loss (x.t, t.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autoptr(LtTensor) s = lt_nll_loss (x.t, t.t, NULL, -100, LT_REDUCTION_SUM, &error);
  g_autoptr(LtTensor) m0 = lt_nll_loss (x0.t, t0.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autoptr(LtTensor) n0 = lt_nll_loss (x0.t, t0.t, NULL, -100, LT_REDUCTION_NONE, &error);
  const double nan = NAN, zero = 0;

  g_assert_no_error (error);
  oh_check (m, F32, OH_SH0, &nan);
  oh_check (s, F32, OH_SH0, &zero);
  oh_check (m0, F32, OH_SH0, &nan);
  oh_assert_shape (n0, OH_SH (0));
}

static void
nll_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double good[] = { 0, 2, 1 }, high[] = { 0, 3, 1 }, low[] = { 0, -2, 1 };
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) tf = oh_arr_from (good, OH_SH (3), F32, OH_LAY_CONTIG);
  g_auto(OhArr) t2 = oh_arr_from (good, OH_SH (1, 3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) th = oh_arr_from (high, OH_SH (3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) tl = oh_arr_from (low, OH_SH (3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) tg = oh_arr_from (good, OH_SH (3), I64, OH_LAY_CONTIG);
  g_auto(OhArr) w = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_POS);
  g_auto(OhArr) xi = oh_arr_new (OH_SH (3, 3), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  LtTensor *y;

  y = lt_nll_loss (x.t, tf.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_assert_nonnull (strstr (error->message, "int64"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, t2.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[3]"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, th.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "3"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, tl.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
  g_assert_nonnull (strstr (error->message, "-2"));
  g_clear_error (&error);
  y = lt_nll_loss (x.t, tg.t, w.t, -100, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_nll_loss (xi.t, tg.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
}

static const OhCase nll_loss_forward[] = {
  { "values", nll_fw_values },
  { "ignored", nll_fw_ignored },
  { "errors", nll_fw_errors },
  { NULL, NULL }
};

typedef struct
{
  LtTensor *t;
  LtTensor *w;
  gint64 ignore;
  LtReduction r;
} NllCall;

static LtTensor *
gc_nll (LtTensor **in, gsize n, gpointer data)
{
  const NllCall *c = data;
  g_autoptr(GError) error = NULL;
  /* on a device, the harness runs f on CPU copies of the inputs too */
  LtDevice dev = lt_tensor_get_device (in[0]);
  g_autoptr(LtTensor) t = lt_tensor_to_device (c->t, dev, &error);
  g_autoptr(LtTensor) w = c->w ? lt_tensor_to_device (c->w, dev, &error) : NULL;
  LtTensor *y;

  g_assert_no_error (error);
  y = lt_nll_loss (in[0], t, w, c->ignore, c->r, &error);
  g_assert_no_error (error);
  return y;
}

static void
nll_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (nll_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        const NllCase *nc = &nll_cases[i];
        g_auto(OhArr) t = { NULL };
        g_auto(OhArr) w = { NULL };
        g_autoptr(LtTensor) x = oh_leaf_new (nc->sx, k == 1 ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_UNIT);
        gint64 N, C, R;
        OhShape st;
        NllCall c;

        nll_inputs (nc, &t, &w, &N, &C, &R, &st);
        c = (NllCall) { t.t, w.t, nc->ignore == G_MININT64 ? -100 : nc->ignore,
                        all_reductions[k] };
        oh_gradcheck (gc_nll, &c, &x, 1);
      }
}

static void
nll_bw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { 1, 0 };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (2, 3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_from (tv, OH_SH (2), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_nll_loss (x, t.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autofree double *g = NULL;
  const double ref[] = { 0, -0.5, 0, -0.5, 0, 0 };

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "NllLossBackward0");
  oh_backward_sum (y);
  g = oh_grad_of (x);
  for (guint k = 0; k < 6; k++)
    g_assert_cmpfloat (g[k], ==, ref[k]);
}

/* Every target ignored: the mean is NaN, but the gradient is 0, as torch's
 * (ignored targets get nothing even when the total weight is 0) */
static void
nll_bw_ignored (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double tv[] = { -100, -100 };
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (2, 3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_from (tv, OH_SH (2), I64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_nll_loss (x, t.t, NULL, -100, LT_REDUCTION_MEAN, &error);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_true (isnan (oh_value_at (y, 0)));
  oh_backward_sum (y);
  g = oh_grad_of (x);
  for (guint k = 0; k < 6; k++)
    g_assert_cmpfloat (g[k], ==, 0);
}

static const OhCase nll_loss_backward[] = {
  { "values", nll_bw_values },
  { "node", nll_bw_node },
  { "ignored", nll_bw_ignored },
  { NULL, NULL }
};

/* nll_loss_grad: the kernel of nll_loss's backward rule, reached through
 * lt_tensor_backward(); the reference is d loss / d input written out:
 * -w[t] g at the target class (g / total weight for mean), 0 elsewhere */
static void
nll_grad_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (nll_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      for (guint dt = 0; dt < 2; dt++)
        {
          const NllCase *nc = &nll_cases[i];
          LtReduction r = all_reductions[k];
          g_autoptr(GError) error = NULL;
          g_auto(OhArr) t = { NULL };
          g_auto(OhArr) w = { NULL };
          g_auto(OhArr) x = oh_arr_new (nc->sx, dt ? F64 : F32, OH_LAY_CONTIG, OH_DIST_UNIT);
          g_autoptr(LtTensor) xl = lt_tensor_detach (x.t);
          g_autoptr(LtTensor) y = NULL;
          g_autoptr(LtTensor) gy = NULL;
          g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
          g_autofree double *gv = NULL;
          double total = 0;
          gint64 N, C, R, ignore = nc->ignore == G_MININT64 ? -100 : nc->ignore;
          OhShape st;

          nll_inputs (nc, &t, &w, &N, &C, &R, &st);
          g_assert_true (lt_tensor_set_requires_grad (xl, TRUE, &error));
          y = lt_nll_loss (xl, t.t, w.t, ignore, r, &error);
          g_assert_no_error (error);
          gy = lt_tensor_detach (y);
          {
            g_auto(OhArr) g = oh_arr_new (oh_shape_of (y), dt ? F64 : F32, OH_LAY_CONTIG, OH_DIST_UNIT);

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

                if (c == ignore)
                  continue;
                if (r == LT_REDUCTION_MEAN)
                  gg /= total;
                ref[(n * C + c) * R + rr] = -(w.t ? w.v[c] : 1) * gg;
              }
          oh_check (lt_tensor_get_grad (xl), dt ? F64 : F32, nc->sx, ref);
        }
}

static const OhCase nll_loss_grad_forward[] = {
  { "values", nll_grad_fw_values },
  { NULL, NULL }
};

/* binary_cross_entropy_with_logits */

/* (1 - t) x + lw (log1p(exp(-|x|)) + max(-x, 0)), lw = 1 + (pw - 1) t, times w */
static double
ref_bce (double x, double t, double w, double pw)
{
  double lw = 1 + (pw - 1) * t;

  return w * ((1 - t) * x + lw * (log1p (exp (-fabs (x))) + MAX (-x, 0)));
}

typedef struct
{
  OhShape s;
  OhShape sw;          /* weight shape; n == 0 and d[0] == 0: none */
  OhShape spw;         /* pos_weight shape, likewise */
} BceCase;

static gboolean
shape_given (OhShape s)
{
  return s.n > 0;
}

static const BceCase bce_cases[] = {
  { OH_SH (4, 3), OH_SH0, OH_SH0 },
  { OH_SH (4, 3), OH_SH (4, 3), OH_SH0 },
  { OH_SH (4, 3), OH_SH0, OH_SH (3) },
  { OH_SH (2, 3, 5), OH_SH (3, 1), OH_SH (5) },
  { OH_SH (6), OH_SH (1), OH_SH (6) },
};

static void
bce_run (const BceCase *c, LtDType dt, OhLay lay, LtReduction r, OhDist dist)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (c->s, dt, lay, dist);
  g_auto(OhArr) t = { NULL };
  g_auto(OhArr) w = { NULL };
  g_auto(OhArr) pw = { NULL };
  g_autoptr(LtTensor) y = NULL;
  g_autofree double *tv = g_new0 (double, MAX (x.n, 1));
  g_autofree double *elem = g_new0 (double, MAX (x.n, 1));
  gint64 idx[LT_MAX_DIMS];

  for (gint64 k = 0; k < x.n; k++)
    tv[k] = g_rand_double (oh_rng);
  t = oh_arr_from (tv, c->s, dt, OH_LAY_CONTIG);
  if (shape_given (c->sw))
    w = oh_arr_new (c->sw, dt, OH_LAY_CONTIG, OH_DIST_POS);
  if (shape_given (c->spw))
    pw = oh_arr_new (c->spw, dt, OH_LAY_CONTIG, OH_DIST_POS);
  y = lt_binary_cross_entropy_with_logits (x.t, t.t, w.t, pw.t, r, &error);
  g_assert_no_error (error);
  for (gint64 k = 0; k < x.n; k++)
    {
      oh_unravel (k, c->s, idx);
      elem[k] = ref_bce (x.v[k], t.v[k], w.t ? w.v[oh_bindex (idx, c->s.n, c->sw)] : 1,
                         pw.t ? pw.v[oh_bindex (idx, c->s.n, c->spw)] : 1);
    }
  check_loss (y, dt, c->s, elem, r, NULL);
}

static void
bce_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (bce_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        bce_run (&bce_cases[i], F32, OH_LAY_CONTIG, all_reductions[k], OH_DIST_UNIT);
        bce_run (&bce_cases[i], F64, bce_cases[i].s.n > 1 ? OH_LAY_T : OH_LAY_STEP,
                 all_reductions[k], OH_DIST_WIDE);
      }
}

/* Logits of +-1000 give finite losses |x| (1 - t) or |x| t */
static void
bce_fw_large (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { 1000, -1000, 1000, -1000, 88, -104 }, tv[] = { 0, 1, 1, 0, 0, 1 };
  g_auto(OhArr) x = oh_arr_from (xv, OH_SH (6), F32, OH_LAY_CONTIG);
  g_auto(OhArr) t = oh_arr_from (tv, OH_SH (6), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_binary_cross_entropy_with_logits (x.t, t.t, NULL, NULL,
                                                               LT_REDUCTION_NONE, &error);
  double ref[6];

  g_assert_no_error (error);
  for (guint k = 0; k < 6; k++)
    ref[k] = ref_bce (xv[k], tv[k], 1, 1);
  g_assert_cmpfloat (ref[0], ==, 1000);
  oh_check (y, F32, OH_SH (6), ref);
}

static void
bce_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) ti = oh_arr_new (OH_SH (3, 4), I64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) w = oh_arr_new (OH_SH (2, 4), F32, OH_LAY_CONTIG, OH_DIST_POS);
  LtTensor *y;

  y = lt_binary_cross_entropy_with_logits (x.t, t.t, NULL, NULL, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_binary_cross_entropy_with_logits (x.t, ti.t, NULL, NULL, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_binary_cross_entropy_with_logits (x.t, x.t, w.t, NULL, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_binary_cross_entropy_with_logits (x.t, x.t, NULL, w.t, LT_REDUCTION_MEAN, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase bce_forward[] = {
  { "values", bce_fw_values },
  { "large", bce_fw_large },
  { "errors", bce_fw_errors },
  { NULL, NULL }
};

static LtTensor *
gc_bce (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_binary_cross_entropy_with_logits (in[0], in[1], n > 2 ? in[2] : NULL,
                                                     n > 3 ? in[3] : NULL,
                                                     *(const LtReduction *) data, &error);

  g_assert_no_error (error);
  return y;
}

/* Every input differentiated: logits, targets, weight and pos_weight */
static void
bce_bw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (bce_cases); i++)
    for (guint k = 0; k < G_N_ELEMENTS (all_reductions); k++)
      {
        const BceCase *c = &bce_cases[i];
        OhShape sw = shape_given (c->sw) ? c->sw : OH_SH (1);
        OhShape spw = shape_given (c->spw) ? c->spw : OH_SH (1);
        g_autoptr(LtTensor) x = oh_leaf_new (c->s, c->s.n > 1 ? OH_LAY_T : OH_LAY_CONTIG, OH_DIST_WIDE);
        g_autoptr(LtTensor) t = oh_leaf_new (c->s, OH_LAY_CONTIG, OH_DIST_POS);
        g_autoptr(LtTensor) w = oh_leaf_new (sw, OH_LAY_CONTIG, OH_DIST_POS);
        g_autoptr(LtTensor) pw = oh_leaf_new (spw, OH_LAY_CONTIG, OH_DIST_POS);
        LtTensor *in[4] = { x, t, w, pw };
        guint n = shape_given (c->spw) ? 4 : shape_given (c->sw) ? 3 : 2;

        oh_gradcheck (gc_bce, &all_reductions[k], in, n);
      }
}

static void
bce_bw_node (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3), OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) t = oh_arr_new (OH_SH (3), F64, OH_LAY_CONTIG, OH_DIST_POS);
  g_autoptr(LtTensor) y = lt_binary_cross_entropy_with_logits (x, t.t, NULL, NULL,
                                                               LT_REDUCTION_SUM, &error);
  g_autofree double *xv = oh_values_of (x);
  g_autofree double *g = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==,
                   "BinaryCrossEntropyWithLogitsBackward0");
  oh_backward_sum (y);
  g = oh_grad_of (x);
  for (guint k = 0; k < 3; k++)
    g_assert_cmpfloat (fabs (g[k] - (1 / (1 + exp (-xv[k])) - t.v[k])), <, 1e-12);
}

static const OhCase bce_backward[] = {
  { "values", bce_bw_values },
  { "node", bce_bw_node },
  { NULL, NULL }
};

/* sgd_update: the fused kernel of LtSGD's step, reached through
 * lt_optimizer_step(); the reference is PyTorch's _single_tensor_sgd in
 * doubles */

typedef struct
{
  double lr, momentum, dampening, weight_decay;
  gboolean nesterov, maximize;
} SgdConf;

static void
sgd_update_run (const SgdConf *c, LtDType dt, OhShape s, OhLay lp, OhLay lg)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) p0 = oh_arr_new (s, dt, lp, OH_DIST_UNIT);
  g_autoptr(LtTensor) param = lt_tensor_detach (p0.t);
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(LtSGD) opt = NULL;
  g_autofree double *p = g_memdup2 (p0.v, MAX (p0.n, 1) * sizeof (double));
  g_autofree double *buf = g_new0 (double, MAX (p0.n, 1));
  guint version;

  g_ptr_array_add (params, param);
  g_assert_true (lt_tensor_set_requires_grad (param, TRUE, &error));
  opt = lt_sgd_new (params, c->lr, c->momentum, c->dampening, c->weight_decay, c->nesterov,
                    &error);
  g_assert_no_error (error);
  g_assert_true (lt_optimizer_set_option (LT_OPTIMIZER (opt), 0, "maximize", c->maximize,
                                          &error));
  for (guint step = 0; step < 3; step++)
    {
      g_auto(OhArr) g = oh_arr_new (s, dt, lg, OH_DIST_UNIT);
      g_autoptr(LtTensor) gc = lt_tensor_detach (g.t);

      g_assert_true (lt_tensor_set_grad (param, gc, &error));
      version = lt_tensor_get_version (param);
      g_assert_true (lt_optimizer_step (LT_OPTIMIZER (opt), &error));
      g_assert_no_error (error);
      g_assert_cmpuint (lt_tensor_get_version (param), >, version);
      for (gint64 k = 0; k < p0.n; k++)
        {
          double d = c->maximize ? -g.v[k] : g.v[k];

          if (c->weight_decay != 0)
            d += c->weight_decay * p[k];
          if (c->momentum != 0)
            {
              buf[k] = step == 0 ? d : c->momentum * buf[k] + (1 - c->dampening) * d;
              d = c->nesterov ? d + c->momentum * buf[k] : buf[k];
            }
          p[k] -= c->lr * d;
        }
      oh_check_tol (param, dt, s, p, dt == F32 ? 1e-5 : 1e-12, dt == F32 ? 1e-6 : 1e-14);
    }
}

static const SgdConf sgd_confs[] = {
  { 0.1, 0, 0, 0, FALSE, FALSE },
  { 0.1, 0.9, 0, 0, FALSE, FALSE },
  { 0.05, 0.8, 0.3, 0, FALSE, FALSE },
  { 0.1, 0.9, 0, 0, TRUE, FALSE },
  { 0.1, 0.9, 0, 0.01, FALSE, FALSE },
  { 0.1, 0, 0, 0.1, FALSE, TRUE },
  { 0.01, 0.5, 0, 0.2, TRUE, TRUE },
};

static void
sgd_update_fw_values (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (sgd_confs); i++)
    {
      sgd_update_run (&sgd_confs[i], F32, OH_SH (6, 5), OH_LAY_CONTIG, OH_LAY_CONTIG);
      sgd_update_run (&sgd_confs[i], F64, OH_SH (4, 7), OH_LAY_T, OH_LAY_STEP);
      sgd_update_run (&sgd_confs[i], F32, OH_SH0, OH_LAY_CONTIG, OH_LAY_CONTIG);
      sgd_update_run (&sgd_confs[i], F32, OH_SH (0, 3), OH_LAY_CONTIG, OH_LAY_CONTIG);
    }
}

static void
sgd_update_fw_parallel (gconstpointer d)
{
  sgd_update_run (&sgd_confs[1], F32, OH_SH (OH_BIG), OH_LAY_CONTIG, OH_LAY_CONTIG);
  sgd_update_run (&sgd_confs[6], F32, OH_SH (300, 251), OH_LAY_T, OH_LAY_CONTIG);
}

static const OhCase sgd_update_forward[] = {
  { "values", sgd_update_fw_values },
  { "parallel", sgd_update_fw_parallel },
  { NULL, NULL }
};

/* relu_grad: the kernel of relu's backward rule, reached through
 * relu (x).backward (g): x.grad must be g where relu (x) is not <= 0 (x > 0
 * or NaN) and 0 elsewhere, zeros and negative zeros included; the layouts of
 * x (relu's output follows its memory order) and of g are the kernel's
 * operands' */

static void
relu_grad_run (OhShape s, LtDType dt, OhLay xlay, OhLay glay)
{
  g_autoptr(GError) error = NULL;
  gint64 n = oh_numel (s);
  g_autofree double *xv = g_new0 (double, MAX (n, 1));
  g_autofree double *ref = g_new0 (double, MAX (n, 1));
  g_auto(OhArr) x = { NULL };
  g_auto(OhArr) g = oh_arr_new (s, dt, glay, OH_DIST_UNIT);
  g_autoptr(LtTensor) xl = NULL;
  g_autoptr(LtTensor) y = NULL;
  gint64 passed = 0;

  /* multiples of 0.5 from -3 to 3 (zeros among them), -0.0 and NaN */
  for (gint64 k = 0; k < n; k++)
    xv[k] = k % 13 == 5 ? NAN : k % 17 == 3 ? -0.0 : oh_draw (OH_DIST_GRID, dt);
  x = oh_arr_from (xv, s, dt, xlay);
  xl = lt_tensor_detach (x.t);
  g_assert_true (lt_tensor_set_requires_grad (xl, TRUE, &error));
  y = lt_tensor_relu (xl, &error);
  g_assert_no_error (error);
  g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
  g_assert_no_error (error);
  for (gint64 k = 0; k < n; k++)
    {
      gboolean pass = x.v[k] > 0 || isnan (x.v[k]);

      ref[k] = pass ? g.v[k] : 0;
      passed += pass;
    }
  /* both kinds of element occur */
  if (n > 20)
    g_assert_true (passed > 0 && passed < n);
  oh_check (lt_tensor_get_grad (xl), dt, s, ref);
}

static void
relu_grad_fw_values (gconstpointer d)
{
  relu_grad_run (OH_SH (5, 7), F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  relu_grad_run (OH_SH (2, 3, 9), F64, OH_LAY_CONTIG, OH_LAY_CONTIG);
  relu_grad_run (OH_SH (37), F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  relu_grad_run (OH_SH0, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  relu_grad_run (OH_SH (0, 3), F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
}

static void
relu_grad_fw_layouts (gconstpointer d)
{
  static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP, OH_LAY_TPAD };

  for (guint i = 0; i < G_N_ELEMENTS (lays); i++)
    for (guint j = 0; j < G_N_ELEMENTS (lays); j++)
      {
        relu_grad_run (OH_SH (6, 11), F32, lays[i], lays[j]);
        relu_grad_run (OH_SH (3, 5, 4), F64, lays[i], lays[j]);
      }
  /* an expanded gradient: one row broadcast over dim 0 */
  relu_grad_run (OH_SH (7, 9), F32, OH_LAY_CONTIG, OH_LAY_EXPAND);
  relu_grad_run (OH_SH (7, 9), F64, OH_LAY_T, OH_LAY_EXPAND);
}

static void
relu_grad_fw_parallel (gconstpointer d)
{
  relu_grad_run (OH_SH (OH_BIG), F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  relu_grad_run (OH_SH (300, 251), F32, OH_LAY_T, OH_LAY_CONTIG);
  relu_grad_run (OH_SH (300, 251), F64, OH_LAY_CONTIG, OH_LAY_T);
}

static const OhCase relu_grad_forward[] = {
  { "values", relu_grad_fw_values },
  { "layouts", relu_grad_fw_layouts },
  { "parallel", relu_grad_fw_parallel },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_MSE_LOSS,
           "mse_loss",
           GINT_TO_POINTER (LT_OP_MSE_LOSS),
           pointwise_loss_forward,
           NULL,
           pointwise_loss_backward,
           NULL),
  OH_SPEC (LT_OP_L1_LOSS,
           "l1_loss",
           GINT_TO_POINTER (LT_OP_L1_LOSS),
           pointwise_loss_forward,
           NULL,
           pointwise_loss_backward,
           NULL),
  OH_SPEC (LT_OP_NLL_LOSS, "nll_loss", NULL, nll_loss_forward, NULL, nll_loss_backward, NULL),
  OH_SPEC (LT_OP_BCE_WITH_LOGITS, "bce_with_logits", NULL, bce_forward, NULL, bce_backward, NULL),
  OH_SPEC (LT_OP_NLL_LOSS_GRAD, "nll_loss_grad", NULL, nll_loss_grad_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_RELU_GRAD, "relu_grad", NULL, relu_grad_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_SGD_UPDATE, "sgd_update", NULL, sgd_update_forward, NULL, NULL, NULL),
};

guint
oh_register_loss (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
