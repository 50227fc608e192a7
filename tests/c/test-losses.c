/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Losses (ops/lt-loss.c, nn/lt-loss.c) and the functional forms without
 * kernels (nn/lt-functional.c): values against references written here as
 * plain loops over doubles from PyTorch's definitions (log-sum-exp, the
 * label-smoothing formula of cross_entropy, batch norm's statistics),
 * float64 gradcheck of every loss under every reduction with class weights,
 * ignore_index, label smoothing and (N, C, d) shapes, stability for large
 * logits, the errors for bad targets, the graph's node names, and the loss
 * modules' printed forms and buffers.
 */
#include <math.h>
#include <string.h>

#include <libtensor.h>

#include "test-helpers.h"

static GRand *rng;

static const LtReduction reductions[] = {
  LT_REDUCTION_NONE, LT_REDUCTION_MEAN, LT_REDUCTION_SUM
};

static LtTensor *
leaf_of (const double *v,
         const gint64 *shape,
         gsize         n_dims)
{
  g_autoptr(GError) error = NULL;
  LtTensor *t = tensor_of_shape (v, shape, n_dims, LT_DTYPE_FLOAT64);

  g_assert_true (lt_tensor_set_requires_grad (t, TRUE, &error));
  return t;
}

static void
check_gradcheck (LtGradcheckFunc func,
                 gpointer        data,
                 LtTensor      **inputs,
                 gsize           n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (lt_gradcheck (func, data, inputs, n, 1e-6, 1e-5, 1e-3, &error));
  g_assert_no_error (error);
}

static const char *
node_name (LtTensor *t)
{
  LtGradFn *fn = lt_tensor_get_grad_fn (t);

  return fn ? lt_grad_fn_get_name (fn) : NULL;
}

/* Cross entropy: the reference */

typedef struct
{
  gint64 shape[4];         /* input: (N, C, d...) or (C) */
  gsize n_dims;
  gboolean weighted;
  gint64 ignore;           /* drawn at some targets unless -100 */
  double smoothing;
  gboolean probs;          /* class-probability targets */
} CeCase;

typedef struct
{
  gint64 N, C, R;
  double *x;               /* (N, C, R) */
  double *t;               /* (N, R) class indices, or (N, C, R) probabilities */
  double *w;               /* (C) or NULL */
  gint64 tshape[4];
  gsize tn;
} CeData;

static void
ce_data_free (CeData *d)
{
  g_free (d->x);
  g_free (d->t);
  g_free (d->w);
}

static void
ce_draw (const CeCase *c,
         CeData       *d,
         double        scale)
{
  gint64 n;

  if (c->n_dims == 1)
    d->N = 1, d->C = c->shape[0], d->R = 1, d->tn = 0;
  else
    {
      d->N = c->shape[0], d->C = c->shape[1], d->R = 1;
      d->tshape[0] = d->N;
      d->tn = 1;
      for (gsize k = 2; k < c->n_dims; k++)
        {
          d->R *= c->shape[k];
          d->tshape[d->tn++] = c->shape[k];
        }
    }
  n = d->N * d->C * d->R;
  d->x = random_values (rng, n, -scale, scale);
  if (c->probs)
    {
      d->t = random_values (rng, n, 0, 1);
      memcpy (d->tshape, c->shape, c->n_dims * sizeof (gint64));
      d->tn = c->n_dims;
    }
  else
    {
      d->t = g_new (double, d->N * d->R);
      for (gint64 k = 0; k < d->N * d->R; k++)
        d->t[k] = c->ignore != -100 && k % 3 == 2 ? (double) c->ignore
                                                 : g_rand_int_range (rng, 0, (gint32) d->C);
    }
  d->w = c->weighted ? random_values (rng, d->C, 0.3, 2) : NULL;
}

/* PyTorch's cross_entropy in doubles: (N * R) per-sample losses in @elem
 * and the reduced value returned. */
static double
ce_reference (const CeCase *c,
              const CeData *d,
              LtReduction   r,
              double       *elem)
{
  double ls = c->smoothing, sum_nll = 0, sum_smooth = 0, sum_w = 0, total = 0;
  gint64 N = d->N, C = d->C, R = d->R;
  g_autofree double *lp = g_new (double, N * C * R);

  for (gint64 i = 0; i < N; i++)
    for (gint64 k = 0; k < R; k++)
      {
        double m = -INFINITY, s = 0;

        for (gint64 j = 0; j < C; j++)
          m = MAX (m, d->x[(i * C + j) * R + k]);
        for (gint64 j = 0; j < C; j++)
          s += exp (d->x[(i * C + j) * R + k] - m);
        for (gint64 j = 0; j < C; j++)
          lp[(i * C + j) * R + k] = d->x[(i * C + j) * R + k] - m - log (s);
      }
  for (gint64 i = 0; i < N; i++)
    for (gint64 k = 0; k < R; k++)
      {
        if (c->probs)
          {
            double e = 0;

            for (gint64 j = 0; j < C; j++)
              {
                double tt = d->t[(i * C + j) * R + k] * (1 - ls) + ls / C;

                e -= (d->w ? d->w[j] : 1) * tt * lp[(i * C + j) * R + k];
              }
            elem[i * R + k] = e;
            total += e;
            continue;
          }
        {
          gint64 t = (gint64) d->t[i * R + k];
          double nll = 0, smooth = 0;

          if (t != c->ignore)
            {
              double wt = d->w ? d->w[t] : 1;

              nll = -wt * lp[(i * C + t) * R + k];
              for (gint64 j = 0; j < C; j++)
                smooth -= (d->w ? d->w[j] : 1) * lp[(i * C + j) * R + k];
              sum_w += wt;
            }
          elem[i * R + k] = (1 - ls) * nll + ls / C * smooth;
          sum_nll += nll;
          sum_smooth += smooth;
        }
      }
  if (c->probs)
    return r == LT_REDUCTION_SUM ? total : total / (double) (N * R);
  if (r == LT_REDUCTION_SUM)
    return (1 - ls) * sum_nll + ls / C * sum_smooth;
  return (1 - ls) * sum_nll / sum_w + ls / C * sum_smooth / sum_w;
}

static const CeCase ce_cases[] = {
  { { 4, 5 }, 2, FALSE, -100, 0, FALSE },
  { { 4, 5 }, 2, TRUE, -100, 0, FALSE },
  { { 6, 4 }, 2, TRUE, 1, 0, FALSE },
  { { 6, 4 }, 2, FALSE, -1, 0.1, FALSE },
  { { 5, 3 }, 2, TRUE, -7, 0.25, FALSE },
  { { 3, 4, 2, 3 }, 4, TRUE, -100, 0.2, FALSE },
  { { 2, 3, 5 }, 3, FALSE, 0, 0, FALSE },
  { { 6 }, 1, TRUE, -100, 0.3, FALSE },
  { { 6 }, 1, FALSE, -100, 0, FALSE },
  { { 4, 5 }, 2, FALSE, -100, 1.0, FALSE },
  { { 4, 5 }, 2, FALSE, -100, 0, TRUE },
  { { 3, 4, 2 }, 3, TRUE, -100, 0.15, TRUE },
};

typedef struct
{
  const CeCase *c;
  LtTensor *t;
  LtTensor *w;
  LtReduction r;
} CeCall;

static LtTensor *
ce_call (LtTensor *x,
         const CeCall *k,
         GError **error)
{
  return lt_cross_entropy (x, k->t, k->w, k->c->probs ? -100 : k->c->ignore, k->r,
                           k->c->smoothing, error);
}

static LtTensor *
gc_ce (LtTensor **in,
       gsize      n,
       gpointer   data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = ce_call (in[0], data, &error);

  g_assert_no_error (error);
  return y;
}

static void
ce_run (const CeCase *c,
        LtDType       dtype,
        double        scale,
        gboolean      grad)
{
  for (guint ri = 0; ri < G_N_ELEMENTS (reductions); ri++)
    {
      g_autoptr(GError) error = NULL;
      CeData d = { 0 };
      g_autoptr(LtTensor) x = NULL;
      g_autoptr(LtTensor) t = NULL;
      g_autoptr(LtTensor) w = NULL;
      g_autoptr(LtTensor) y = NULL;
      g_autofree double *elem = NULL;
      double reduced;
      CeCall call;
      double rtol = dtype == LT_DTYPE_FLOAT32 ? 2e-5 : 1e-10;

      ce_draw (c, &d, scale);
      x = tensor_of_shape (d.x, c->shape, c->n_dims, dtype);
      t = tensor_of_shape (d.t, d.tshape, d.tn, c->probs ? dtype : LT_DTYPE_INT64);
      w = d.w ? tensor_of_shape (d.w, DIMS (d.C), dtype) : NULL;
      call = (CeCall) { c, t, w, reductions[ri] };
      y = ce_call (x, &call, &error);
      g_assert_no_error (error);
      elem = g_new0 (double, d.N * d.R);
      reduced = ce_reference (c, &d, reductions[ri], elem);
      if (reductions[ri] == LT_REDUCTION_NONE)
        {
          /* the input's shape without the class dimension */
          gint64 oshape[4];
          gsize on = 0;

          for (gsize k = 0; k < c->n_dims; k++)
            if (k != (c->n_dims == 1 ? 0 : 1))
              oshape[on++] = c->shape[k];
          assert_shape (y, oshape, on);
          assert_allclose (y, elem, (gsize) (d.N * d.R), rtol, rtol * scale);
        }
      else
        {
          assert_shape (y, NULL, 0);
          assert_allclose (y, &reduced, 1, rtol, rtol * scale);
        }
      if (grad)
        {
          g_autoptr(LtTensor) xl = leaf_of (d.x, c->shape, c->n_dims);

          check_gradcheck (gc_ce, &call, &xl, 1);
        }
      ce_data_free (&d);
    }
}

static void
test_ce_values (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (ce_cases); i++)
    {
      ce_run (&ce_cases[i], LT_DTYPE_FLOAT32, 3, FALSE);
      ce_run (&ce_cases[i], LT_DTYPE_FLOAT64, 3, FALSE);
    }
}

static void
test_ce_gradcheck (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (ce_cases); i++)
    ce_run (&ce_cases[i], LT_DTYPE_FLOAT64, 2, TRUE);
}

/* Logits of +-10,000 (float32): finite losses and gradients, equal to the
 * log-sum-exp reference; the float32 softmax of such rows is one-hot. */
static void
test_ce_large_logits (void)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { 1e4, -1e4, 0, 5e3, 1e4, 1e4 - 2, -3e4, 3e4, 0 };
  const double tv[] = { 1, 2, 0 };
  g_autoptr(LtTensor) x = tensor_of_shape (xv, DIMS (3, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) t = tensor_of_shape (tv, DIMS (3), LT_DTYPE_INT64);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) total = NULL;
  g_autofree double *g = NULL;
  gsize n;
  CeCase c = { { 3, 3 }, 2, FALSE, -100, 0, FALSE };
  CeData d = { 3, 3, 1, (double *) xv, (double *) tv, NULL, { 3 }, 1 };
  double elem[3];

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  y = lt_cross_entropy (x, t, NULL, -100, LT_REDUCTION_NONE, 0, &error);
  g_assert_no_error (error);
  ce_reference (&c, &d, LT_REDUCTION_NONE, elem);
  g_assert_cmpfloat (elem[0], ==, 2e4);
  assert_allclose (y, elem, 3, 1e-6, 1e-3);
  total = lt_tensor_sum (y, &error);
  g_assert_true (lt_tensor_backward (total, NULL, FALSE, &error));
  g_assert_no_error (error);
  g = lt_tensor_to_doubles (lt_tensor_get_grad (x), &n, &error);
  for (gsize k = 0; k < n; k++)
    g_assert_true (isfinite (g[k]));
  /* row 0: softmax (1, 0, 0), target 1: (1, -1, 0) */
  g_assert_cmpfloat (fabs (g[0] - 1), <, 1e-6);
  g_assert_cmpfloat (fabs (g[1] + 1), <, 1e-6);
  g_assert_cmpfloat (fabs (g[2]), <, 1e-6);
}

typedef struct
{
  const char *what;
  gint64 xshape[4];
  gsize xn;
  gint64 tshape[4];
  gsize tn;
  LtDType tdtype;
  double tvalue;          /* every target */
  gint64 wshape;          /* 0: no weight */
  gint64 ignore;
  double smoothing;
  LtError code;
  const char *message;    /* a part of the message */
} CeError;

static const CeError ce_errors[] = {
  { "float target, wrong shape", { 3, 4 }, 2, { 3, 3 }, 2, LT_DTYPE_FLOAT32, 0.5, 0, -100, 0,
    LT_ERROR_SHAPE, "expected a target of class indices (int64) of shape [3] or of class "
    "probabilities (floating point) of the input's shape [3, 4], got float32 of shape [3, 3]" },
  { "float target of the batch's shape", { 3, 4 }, 2, { 3 }, 1, LT_DTYPE_FLOAT32, 1, 0, -100, 0,
    LT_ERROR_SHAPE, "float32 of shape [3]" },
  { "class out of range", { 3, 4 }, 2, { 3 }, 1, LT_DTYPE_INT64, 4, 0, -100, 0,
    LT_ERROR_INDEX, "target 4 is out of bounds" },
  { "negative class", { 3, 4 }, 2, { 3 }, 1, LT_DTYPE_INT64, -3, 0, -100, 0,
    LT_ERROR_INDEX, "target -3 is out of bounds" },
  { "batch mismatch", { 3, 4 }, 2, { 2 }, 1, LT_DTYPE_INT64, 1, 0, -100, 0,
    LT_ERROR_SHAPE, "expected a target of shape [3] for an input of shape [3, 4], got [2]" },
  { "spatial mismatch", { 2, 4, 5 }, 3, { 2, 4 }, 2, LT_DTYPE_INT64, 1, 0, -100, 0,
    LT_ERROR_SHAPE, "[2, 5]" },
  { "weight per class", { 3, 4 }, 2, { 3 }, 1, LT_DTYPE_INT64, 1, 3, -100, 0,
    LT_ERROR_SHAPE, "one element per class (4)" },
  { "label smoothing", { 3, 4 }, 2, { 3 }, 1, LT_DTYPE_INT64, 1, 0, -100, 1.5,
    LT_ERROR_INVALID_ARGUMENT, "label_smoothing" },
  { "ignore_index with probabilities", { 3, 4 }, 2, { 3, 4 }, 2, LT_DTYPE_FLOAT32, 0.25, 0, 0,
    0, LT_ERROR_INVALID_ARGUMENT, "ignore_index" },
  { "0-dim input", { 0 }, 0, { 0 }, 0, LT_DTYPE_INT64, 0, 0, -100, 0, LT_ERROR_SHAPE,
    "1 or more dimensions" },
};

static void
test_ce_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (ce_errors); i++)
    {
      const CeError *e = &ce_errors[i];
      g_autoptr(GError) error = NULL;
      g_autofree double *xv = random_values (rng, shape_numel (e->xshape, e->xn), -1, 1);
      g_autofree double *tv = g_new (double, MAX (shape_numel (e->tshape, e->tn), 1));
      g_autofree double *wv = random_values (rng, MAX (e->wshape, 1), 0.5, 1);
      g_autoptr(LtTensor) x = tensor_of_shape (xv, e->xshape, e->xn, LT_DTYPE_FLOAT32);
      g_autoptr(LtTensor) t = NULL;
      g_autoptr(LtTensor) w = e->wshape ? tensor_of_shape (wv, DIMS (e->wshape), LT_DTYPE_FLOAT32)
                                        : NULL;
      LtTensor *y;

      g_test_message ("%s", e->what);
      for (gint64 k = 0; k < shape_numel (e->tshape, e->tn); k++)
        tv[k] = e->tvalue;
      t = tensor_of_shape (tv, e->tshape, e->tn, e->tdtype);
      y = lt_cross_entropy (x, t, w, e->ignore, LT_REDUCTION_MEAN, e->smoothing, &error);
      g_assert_null (y);
      g_assert_error (error, LT_ERROR, (gint) e->code);
      if (!strstr (error->message, e->message))
        g_test_message ("message: %s", error->message);
      g_assert_nonnull (strstr (error->message, e->message));
      g_assert_true (g_str_has_prefix (error->message, "cross_entropy: "));
    }
}

/* The graph: NllLossBackward0 over LogSoftmaxBackward0, as PyTorch's */
static void
test_ce_graph (void)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { 1, 2, 3, 4, 5, 6 }, tv[] = { 0, 2 };
  g_autoptr(LtTensor) x = leaf_of (xv, DIMS (2, 3));
  g_autoptr(LtTensor) t = tensor_of_shape (tv, DIMS (2), LT_DTYPE_INT64);
  g_autoptr(LtTensor) y = lt_cross_entropy (x, t, NULL, -100, LT_REDUCTION_MEAN, 0, &error);
  g_autoptr(LtTensor) ys = lt_cross_entropy (x, t, NULL, -100, LT_REDUCTION_MEAN, 0.1, &error);
  LtGradFn *fn;

  g_assert_no_error (error);
  g_assert_cmpstr (node_name (y), ==, "NllLossBackward0");
  fn = lt_grad_fn_get_next_function (lt_tensor_get_grad_fn (y), 0, NULL);
  g_assert_cmpstr (lt_grad_fn_get_name (fn), ==, "LogSoftmaxBackward0");
  /* label smoothing adds the two parts, as PyTorch's AddBackward0 */
  g_assert_cmpstr (node_name (ys), ==, "AddBackward0");
}

/* Every loss under every reduction through gradcheck (float64) */

typedef enum { L_MSE, L_L1, L_NLL, L_BCE } LossKind;

typedef struct
{
  LossKind kind;
  LtReduction r;
  LtTensor *t;        /* NLL: fixed class targets */
  LtTensor *w;
  gint64 ignore;
} LossCall;

static LtTensor *
gc_loss (LtTensor **in,
         gsize      n,
         gpointer   data)
{
  const LossCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = NULL;

  switch (c->kind)
    {
    case L_MSE:
      y = lt_mse_loss (in[0], in[1], c->r, &error);
      break;
    case L_L1:
      y = lt_l1_loss (in[0], in[1], c->r, &error);
      break;
    case L_NLL:
      y = lt_nll_loss (in[0], c->t, c->w, c->ignore, c->r, &error);
      break;
    case L_BCE:
      y = lt_binary_cross_entropy_with_logits (in[0], in[1], n > 2 ? in[2] : NULL,
                                               n > 3 ? in[3] : NULL, c->r, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_assert_no_error (error);
  return y;
}

static void
test_losses_gradcheck (void)
{
  for (guint ri = 0; ri < G_N_ELEMENTS (reductions); ri++)
    {
      LtReduction r = reductions[ri];
      g_autofree double *a = random_values (rng, 24, -2, 2);
      g_autofree double *b = random_values (rng, 24, -2, 2);
      g_autofree double *p = random_values (rng, 24, 0, 1);
      g_autofree double *w = random_values (rng, 6, 0.5, 1.5);
      double tv[8];

      /* mse and l1, with a broadcast target */
      for (LossKind k = L_MSE; k <= L_L1; k++)
        {
          LossCall c = { k, r };
          g_autoptr(LtTensor) x = leaf_of (a, DIMS (4, 6));
          g_autoptr(LtTensor) t = leaf_of (b, DIMS (6));
          LtTensor *in[2] = { x, t };

          check_gradcheck (gc_loss, &c, in, 2);
        }
      /* nll: (N, C, d) with weights and ignore_index */
      for (guint k = 0; k < 8; k++)
        tv[k] = k % 4 == 3 ? -1 : g_rand_int_range (rng, 0, 3);
      {
        g_autoptr(LtTensor) x = leaf_of (a, DIMS (2, 3, 4));
        g_autoptr(LtTensor) t = tensor_of_shape (tv, DIMS (2, 4), LT_DTYPE_INT64);
        g_autoptr(LtTensor) wt = tensor_of_shape (w, DIMS (3), LT_DTYPE_FLOAT64);
        LossCall c = { L_NLL, r, t, wt, -1 };

        check_gradcheck (gc_loss, &c, &x, 1);
      }
      /* bce: logits, targets, weight and pos_weight */
      {
        g_autoptr(LtTensor) x = leaf_of (a, DIMS (4, 6));
        g_autoptr(LtTensor) t = leaf_of (p, DIMS (4, 6));
        g_autoptr(LtTensor) wt = leaf_of (w, DIMS (6));
        g_autoptr(LtTensor) pw = leaf_of (w, DIMS (1, 6));
        LtTensor *in[4] = { x, t, wt, pw };
        LossCall c = { L_BCE, r };

        check_gradcheck (gc_loss, &c, in, 4);
      }
    }
}

/* Large logits in BCE: the softplus form stays finite (PyTorch's values) */
static void
test_bce_stability (void)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { 1e4, -1e4, 1e4, -1e4, 50, -50 }, tv[] = { 0, 1, 1, 0, 0.5, 0.5 };
  const double pwv[] = { 2, 2, 2, 2, 2, 2 };
  g_autoptr(LtTensor) x = tensor_of_shape (xv, DIMS (6), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) t = tensor_of_shape (tv, DIMS (6), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) pw = tensor_of_shape (pwv, DIMS (6), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) yp = NULL;
  double want[6], wantp[6];

  g_assert_true (lt_tensor_set_requires_grad (x, TRUE, &error));
  y = lt_binary_cross_entropy_with_logits (x, t, NULL, NULL, LT_REDUCTION_NONE, &error);
  yp = lt_binary_cross_entropy_with_logits (x, t, NULL, pw, LT_REDUCTION_NONE, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 6; k++)
    {
      /* -[t log s(x) + (1 - t) log(1 - s(x))] with log s(x) = -softplus(-x) */
      double sp_neg = MAX (-xv[k], 0) + log1p (exp (-fabs (xv[k])));
      double sp_pos = MAX (xv[k], 0) + log1p (exp (-fabs (xv[k])));

      want[k] = tv[k] * sp_neg + (1 - tv[k]) * sp_pos;
      wantp[k] = 2 * tv[k] * sp_neg + (1 - tv[k]) * sp_pos;
    }
  assert_allclose (y, want, 6, 1e-6, 1e-4);
  assert_allclose (yp, wantp, 6, 1e-6, 1e-4);
  {
    g_autoptr(LtTensor) s = lt_tensor_sum (yp, &error);
    g_autofree double *g = NULL;
    gsize n;

    g_assert_true (lt_tensor_backward (s, NULL, FALSE, &error));
    g = lt_tensor_to_doubles (lt_tensor_get_grad (x), &n, &error);
    for (gsize k = 0; k < n; k++)
      g_assert_true (isfinite (g[k]));
    /* x = 1e4, t = 0: d/dx = sigmoid(x) = 1; x = -1e4, t = 1, pw 2: -2 */
    g_assert_cmpfloat (fabs (g[0] - 1), <, 1e-6);
    g_assert_cmpfloat (fabs (g[1] + 2), <, 1e-6);
  }
}

/* The tutorial: MSELoss of a (1, 10) output against arange(1, 11), an int64
 * (10) target: broadcast, promoted, and backward works */
static void
test_mse_tutorial (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *ov = random_values (rng, 10, -1, 1);
  g_autoptr(LtTensor) out = leaf_of (ov, DIMS (1, 10));
  g_autoptr(LtTensor) out32 = lt_tensor_to_dtype (out, LT_DTYPE_FLOAT32, &error);
  g_autoptr(LtTensor) target = lt_arange (1, 11, 1, LT_DTYPE_INT64, &error);
  autofinal LtMSELoss *criterion = lt_mse_loss_new (LT_REDUCTION_MEAN);
  g_autoptr(LtTensor) loss = NULL;
  g_autofree char *text = NULL;
  g_autofree double *g = NULL;
  double want = 0;
  gsize n;

  g_assert_no_error (error);
  text = lt_module_to_string (LT_MODULE (criterion));
  g_assert_cmpstr (text, ==, "MSELoss()");
  loss = lt_loss_compute (LT_LOSS (criterion), out32, target, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lt_tensor_get_dtype (loss), ==, LT_DTYPE_FLOAT32);
  g_assert_cmpstr (node_name (loss), ==, "MseLossBackward0");
  for (guint k = 0; k < 10; k++)
    want += (ov[k] - (k + 1)) * (ov[k] - (k + 1)) / 10;
  assert_allclose (loss, &want, 1, 1e-6, 1e-6);
  g_assert_true (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_no_error (error);
  g = lt_tensor_to_doubles (lt_tensor_get_grad (out), &n, &error);
  g_assert_cmpuint (n, ==, 10);
  for (guint k = 0; k < 10; k++)
    g_assert_cmpfloat (fabs (g[k] - 2 * (ov[k] - (k + 1)) / 10), <, 1e-5);
}

/* mse_loss saves its input and target, as PyTorch's MseLossBackward0 does
 * (derivatives.yaml: mse_loss_backward (grad, self, target, reduction)): a
 * target changed in place before backward is an error, as in PyTorch, not
 * a wrong gradient */
static void
test_mse_saved_target (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *xv = random_values (rng, 3, -1, 1);
  g_autofree double *tv = random_values (rng, 3, -1, 1);
  g_autoptr(LtTensor) x = leaf_of (xv, DIMS (3));
  g_autoptr(LtTensor) t = lt_tensor_new_from_doubles (tv, 3, DIMS (3), LT_DTYPE_FLOAT64, &error);
  g_autoptr(LtTensor) loss = lt_mse_loss (x, t, LT_REDUCTION_SUM, &error);

  g_assert_no_error (error);
  g_assert_true (lt_tensor_add_scalar_ (t, 1, &error));
  g_assert_false (lt_tensor_backward (loss, NULL, FALSE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
  g_assert_nonnull (strstr (error->message, "MseLossBackward0"));
  g_assert_nonnull (strstr (error->message, "modified by an in-place operation"));
}

/* Loss modules: printed forms, buffers, compute, errors */
static void
test_loss_modules (void)
{
  g_autoptr(GError) error = NULL;
  const double wv[] = { 1, 2, 0.5 }, xv[] = { 0.1, 0.2, 0.3, 1, -1, 0 }, tv[] = { 2, 0 };
  g_autoptr(LtTensor) w = tensor_of_shape (wv, DIMS (3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) x = tensor_of_shape (xv, DIMS (2, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) t = tensor_of_shape (tv, DIMS (2), LT_DTYPE_INT64);
  autofinal LtCrossEntropyLoss *ce =
    lt_cross_entropy_loss_new (w, 1, LT_REDUCTION_SUM, 0.1, &error);
  autofinal LtNLLLoss           *nll = lt_nll_loss_new (NULL, -100, LT_REDUCTION_MEAN, &error);
  autofinal LtBCEWithLogitsLoss *bce =
    lt_bce_with_logits_loss_new (NULL, w, LT_REDUCTION_MEAN, &error);
  autofinal LtL1Loss    *l1 = lt_l1_loss_new (LT_REDUCTION_NONE);
  autofinal LtStateDict *sd = NULL;
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  g_autofree char *s3 = NULL;
  g_autofree char *s4 = NULL;
  gsize n1, n2;
  g_autofree double *va = NULL;
  g_autofree double *vb = NULL;
  LtTensor *bad;

  g_assert_no_error (error);
  s1 = lt_module_to_string (LT_MODULE (ce));
  s2 = lt_module_to_string (LT_MODULE (nll));
  s3 = lt_module_to_string (LT_MODULE (bce));
  s4 = lt_module_to_string (LT_MODULE (l1));
  g_assert_cmpstr (s1, ==, "CrossEntropyLoss()");
  g_assert_cmpstr (s2, ==, "NLLLoss()");
  g_assert_cmpstr (s3, ==, "BCEWithLogitsLoss()");
  g_assert_cmpstr (s4, ==, "L1Loss()");
  g_assert_cmpint (lt_loss_get_reduction (LT_LOSS (ce)), ==, LT_REDUCTION_SUM);
  g_assert_cmpint (lt_cross_entropy_loss_get_ignore_index (ce), ==, 1);
  g_assert_cmpfloat (lt_cross_entropy_loss_get_label_smoothing (ce), ==, 0.1);
  g_assert_cmpint (lt_nll_loss_get_ignore_index (nll), ==, -100);

  /* the weight is a buffer, in the state dict as PyTorch's */
  sd = lt_module_state_dict (LT_MODULE (ce));
  g_assert_cmpuint (lt_state_dict_get_n_tensors (sd), ==, 1);
  g_assert_cmpstr (lt_state_dict_get_name (sd, 0), ==, "weight");
  g_assert_nonnull (lt_module_get_buffer (LT_MODULE (bce), "pos_weight"));
  g_assert_null (lt_module_get_buffer (LT_MODULE (bce), "weight"));

  /* compute is the functional form */
  a = lt_loss_compute (LT_LOSS (ce), x, t, &error);
  b = lt_cross_entropy (x, t, w, 1, LT_REDUCTION_SUM, 0.1, &error);
  g_assert_no_error (error);
  va = lt_tensor_to_doubles (a, &n1, &error);
  vb = lt_tensor_to_doubles (b, &n2, &error);
  g_assert_cmpuint (n1, ==, 1);
  g_assert_cmpfloat (va[0], ==, vb[0]);
  lt_loss_set_reduction (LT_LOSS (ce), LT_REDUCTION_NONE);
  {
    g_autoptr(LtTensor) c = lt_loss_compute (LT_LOSS (ce), x, t, &error);

    g_assert_no_error (error);
    assert_shape (c, DIMS (2));
  }

  /* forward takes one tensor: a loss says to call compute */
  bad = lt_module_forward (LT_MODULE (ce), x, &error);
  g_assert_null (bad);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* bad weights and smoothing */
  {
    g_autoptr(LtTensor) w2 = tensor_of_shape (xv, DIMS (2, 3), LT_DTYPE_FLOAT32);
    g_autoptr(LtTensor) wi = tensor_of_shape (wv, DIMS (3), LT_DTYPE_INT64);
    gpointer m;

    m = lt_cross_entropy_loss_new (w2, -100, LT_REDUCTION_MEAN, 0, &error);
    g_assert_null (m);
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
    g_clear_error (&error);
    m = lt_nll_loss_new (wi, -100, LT_REDUCTION_MEAN, &error);
    g_assert_null (m);
    g_assert_error (error, LT_ERROR, LT_ERROR_DTYPE);
    g_clear_error (&error);
    m = lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, -0.1, &error);
    g_assert_null (m);
    g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  }
}

/* A loss subclass written in C: compute is a virtual method */

typedef struct
{
  LtLoss parent_instance;
} TestHalfSquared;

typedef struct
{
  LtLossClass parent_class;
} TestHalfSquaredClass;

static GType test_half_squared_get_type (void);
G_DEFINE_TYPE (TestHalfSquared, test_half_squared, LT_TYPE_LOSS)

static LtTensor *
half_squared_compute (LtLoss   *self,
                      LtTensor *input,
                      LtTensor *target,
                      GError  **error)
{
  g_autoptr(LtTensor) m = lt_mse_loss (input, target, lt_loss_get_reduction (self), error);

  return m ? lt_tensor_mul_scalar (m, 0.5, error) : NULL;
}

static void
test_half_squared_class_init (TestHalfSquaredClass *klass)
{
  LT_LOSS_CLASS (klass)->compute = half_squared_compute;
}

static void
test_half_squared_init (TestHalfSquared *self)
{
}

static void
test_loss_subclass (void)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { 1, 2 }, tv[] = { 0, 0 };
  g_autoptr(LtTensor) x = tensor_of_shape (xv, DIMS (2), LT_DTYPE_FLOAT64);
  g_autoptr(LtTensor) t = tensor_of_shape (tv, DIMS (2), LT_DTYPE_FLOAT64);
  autofinal LtLoss *loss =
    g_object_new (test_half_squared_get_type (), "reduction", LT_REDUCTION_SUM, NULL);
  g_autoptr(LtTensor) y = lt_loss_compute (loss, x, t, &error);
  const double want = 2.5;

  g_assert_no_error (error);
  assert_allclose (y, &want, 1, 1e-12, 0);
}

/* leaky_relu through gradcheck, with its node */
static LtTensor *
gc_leaky (LtTensor **in,
          gsize      n,
          gpointer   data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_leaky_relu (in[0], 0.2, &error);

  g_assert_no_error (error);
  return y;
}

static void
test_leaky_relu (void)
{
  g_autoptr(GError) error = NULL;
  const double xv[] = { -1.5, -0.3, 0.4, 2, -0.05, 0.7 };
  g_autoptr(LtTensor) x = leaf_of (xv, DIMS (2, 3));
  g_autoptr(LtTensor) y = lt_leaky_relu (x, 0.2, &error);
  double want[6];

  g_assert_no_error (error);
  for (guint k = 0; k < 6; k++)
    want[k] = xv[k] > 0 ? xv[k] : 0.2 * xv[k];
  assert_allclose (y, want, 6, 0, 0);
  g_assert_cmpstr (node_name (y), ==, "LeakyReluBackward0");
  check_gradcheck (gc_leaky, NULL, &x, 1);
}

/* Functional forms: linear */

static LtTensor *
gc_linear (LtTensor **in,
           gsize      n,
           gpointer   data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_linear (in[0], in[1], n > 2 ? in[2] : NULL, &error);

  g_assert_no_error (error);
  return y;
}

static void
test_linear (void)
{
  static const gint64 shapes[][3] = { { 3, 4, 0 }, { 4, 0, 0 }, { 2, 3, 4 } };
  static const gsize ndims[] = { 2, 1, 3 };

  for (guint i = 0; i < G_N_ELEMENTS (ndims); i++)
    for (guint with_bias = 0; with_bias < 2; with_bias++)
      {
        g_autoptr(GError) error = NULL;
        gint64 rows = shape_numel (shapes[i], ndims[i]) / 4;
        g_autofree double *xv = random_values (rng, rows * 4, -1, 1);
        g_autofree double *wv = random_values (rng, 5 * 4, -1, 1);
        g_autofree double *bv = random_values (rng, 5, -1, 1);
        g_autofree double *want = g_new0 (double, rows * 5);
        g_autoptr(LtTensor) x = leaf_of (xv, shapes[i], ndims[i]);
        g_autoptr(LtTensor) w = leaf_of (wv, DIMS (5, 4));
        g_autoptr(LtTensor) b = leaf_of (bv, DIMS (5));
        g_autoptr(LtTensor) y = lt_linear (x, w, with_bias ? b : NULL, &error);
        gint64 oshape[3];
        LtTensor *in[3] = { x, w, b };

        g_assert_no_error (error);
        for (gint64 r = 0; r < rows; r++)
          for (gint64 o = 0; o < 5; o++)
            {
              want[r * 5 + o] = with_bias ? bv[o] : 0;
              for (gint64 k = 0; k < 4; k++)
                want[r * 5 + o] += xv[r * 4 + k] * wv[o * 4 + k];
            }
        memcpy (oshape, shapes[i], ndims[i] * sizeof (gint64));
        oshape[ndims[i] - 1] = 5;
        assert_shape (y, oshape, ndims[i]);
        assert_allclose (y, want, (gsize) (rows * 5), 1e-12, 1e-12);
        if (ndims[i] == 2 && with_bias)
          g_assert_cmpstr (node_name (y), ==, "AddmmBackward0");
        check_gradcheck (gc_linear, NULL, in, with_bias ? 3 : 2);
      }
}

static void
test_linear_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *v = random_values (rng, 40, -1, 1);
  g_autoptr(LtTensor) w = tensor_of_shape (v, DIMS (12, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) x3 = tensor_of_shape (v, DIMS (2, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) b = tensor_of_shape (v, DIMS (11), LT_DTYPE_FLOAT32);
  LtTensor *y;

  y = lt_linear (x3, w, b, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[11]"));
  g_clear_error (&error);
  {
    g_autoptr(LtTensor) w4 = tensor_of_shape (v, DIMS (10, 4), LT_DTYPE_FLOAT32);

    y = lt_linear (x3, w4, NULL, &error);
    g_assert_null (y);
    g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "[10, 4]"));
    g_assert_nonnull (strstr (error->message, "[2, 3]"));
  }
}

/* dropout */

static void
test_dropout_values (void)
{
  g_autoptr(GError) error = NULL;
  const gint64 n = 20000;
  g_autofree double *xv = random_values (rng, n, 0.5, 1.5);
  g_autoptr(LtTensor) x = tensor_of_shape (xv, DIMS (n), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) same = lt_dropout (x, 0.3, FALSE, &error);
  g_autoptr(LtTensor) zero = lt_dropout (x, 0.0, TRUE, &error);
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  g_autoptr(LtTensor) all = NULL;
  g_autofree double *va = NULL;
  g_autofree double *vb = NULL;
  g_autofree double *v1 = NULL;
  gsize na, nb, n1;
  gint64 dropped = 0;
  double sd = sqrt (n * 0.3 * 0.7);

  g_assert_no_error (error);
  /* evaluation mode and p = 0: the input itself, as PyTorch */
  g_assert_true (same == x);
  g_assert_true (zero == x);

  lt_manual_seed (42);
  a = lt_dropout (x, 0.3, TRUE, &error);
  lt_manual_seed (42);
  b = lt_dropout (x, 0.3, TRUE, &error);
  g_assert_no_error (error);
  va = lt_tensor_to_doubles (a, &na, &error);
  vb = lt_tensor_to_doubles (b, &nb, &error);
  g_assert_cmpmem (va, na * sizeof (double), vb, nb * sizeof (double));
  for (gint64 k = 0; k < n; k++)
    {
      if (va[k] == 0)
        dropped++;
      else
        g_assert_cmpfloat (fabs (va[k] - (float) xv[k] / 0.7), <, 1e-5);
    }
  /* Bernoulli(0.3): within 5 standard deviations */
  g_assert_cmpfloat (fabs (dropped - 0.3 * n), <, 5 * sd);

  all = lt_dropout (x, 1.0, TRUE, &error);
  v1 = lt_tensor_to_doubles (all, &n1, &error);
  for (gsize k = 0; k < n1; k++)
    g_assert_cmpfloat (v1[k], ==, 0);

  g_assert_null (lt_dropout (x, 1.5, TRUE, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

/* The same seed before each evaluation: the same mask in both */
static LtTensor *
gc_dropout (LtTensor **in,
            gsize      n,
            gpointer   data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y;

  lt_manual_seed (7);
  y = lt_dropout (in[0], 0.4, TRUE, &error);
  g_assert_no_error (error);
  return y;
}

static void
test_dropout_gradcheck (void)
{
  g_autofree double *xv = random_values (rng, 30, -1, 1);
  g_autoptr(LtTensor) x = leaf_of (xv, DIMS (5, 6));
  g_autoptr(LtTensor) y = gc_dropout (&x, 1, NULL);

  g_assert_cmpstr (node_name (y), ==, "MulBackward0");
  check_gradcheck (gc_dropout, NULL, &x, 1);
}

/* batch_norm */

typedef struct
{
  gint64 N, C, HW;
} BnShape;

/* Training mode in doubles: per channel mean and biased variance over N and
 * HW; the running statistics move by momentum with the unbiased variance. */
static void
bn_reference (const BnShape *s, const double *x, const double *w, const double *b, double eps,
              double momentum, double *out, double *rm, double *rv, gboolean training)
{
  gint64 n = s->N * s->HW;

  for (gint64 c = 0; c < s->C; c++)
    {
      double mean = 0, var = 0;

      if (training)
        {
          for (gint64 i = 0; i < s->N; i++)
            for (gint64 k = 0; k < s->HW; k++)
              mean += x[(i * s->C + c) * s->HW + k] / n;
          for (gint64 i = 0; i < s->N; i++)
            for (gint64 k = 0; k < s->HW; k++)
              {
                double dd = x[(i * s->C + c) * s->HW + k] - mean;
                var += dd * dd / n;
              }
          rm[c] = (1 - momentum) * rm[c] + momentum * mean;
          rv[c] = (1 - momentum) * rv[c] + momentum * var * n / (n - 1);
        }
      else
        mean = rm[c], var = rv[c];
      for (gint64 i = 0; i < s->N; i++)
        for (gint64 k = 0; k < s->HW; k++)
          {
            gint64 at = (i * s->C + c) * s->HW + k;

            out[at] = (x[at] - mean) / sqrt (var + eps) * (w ? w[c] : 1) + (b ? b[c] : 0);
          }
    }
}

static void
test_batch_norm_values (void)
{
  static const BnShape shapes[] = { { 8, 3, 1 }, { 2, 4, 6 } };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    for (guint affine = 0; affine < 2; affine++)
      {
        g_autoptr(GError) error = NULL;
        const BnShape *s = &shapes[i];
        gint64 n = s->N * s->C * s->HW;
        g_autofree double *xv = random_values (rng, n, -2, 3);
        g_autofree double *wv = random_values (rng, s->C, 0.5, 2);
        g_autofree double *bv = random_values (rng, s->C, -1, 1);
        g_autofree double *want = g_new (double, n);
        double rm[8] = { 0 }, rv[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
        const double zeros[8] = { 0 }, ones[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
        gint64 shape4[] = { s->N, s->C, 2, s->HW / 2 };
        gboolean four = s->HW > 1;
        g_autoptr(LtTensor) x = tensor_of_shape (xv, four ? shape4 : (gint64[]) { s->N, s->C },
                                                 four ? 4 : 2, LT_DTYPE_FLOAT32);
        g_autoptr(LtTensor) w = tensor_of_shape (wv, DIMS (s->C), LT_DTYPE_FLOAT32);
        g_autoptr(LtTensor) b = tensor_of_shape (bv, DIMS (s->C), LT_DTYPE_FLOAT32);
        g_autoptr(LtTensor) tm = tensor_of_shape (zeros, DIMS (s->C), LT_DTYPE_FLOAT32);
        g_autoptr(LtTensor) tv = tensor_of_shape (ones, DIMS (s->C), LT_DTYPE_FLOAT32);

        for (guint step = 0; step < 2; step++)
          {
            g_autoptr(LtTensor) y = lt_batch_norm (x, tm, tv, affine ? w : NULL,
                                                   affine ? b : NULL, TRUE, 0.1, 1e-5, &error);

            g_assert_no_error (error);
            bn_reference (s, xv, affine ? wv : NULL, affine ? bv : NULL, 1e-5, 0.1, want, rm,
                          rv, TRUE);
            assert_allclose (y, want, (gsize) n, 1e-5, 1e-5);
            assert_allclose (tm, rm, (gsize) s->C, 1e-5, 1e-6);
            assert_allclose (tv, rv, (gsize) s->C, 1e-5, 1e-6);
          }
        {
          /* evaluation mode: the running statistics, unchanged */
          g_autoptr(LtTensor) y = lt_batch_norm (x, tm, tv, affine ? w : NULL,
                                                 affine ? b : NULL, FALSE, 0.1, 1e-5, &error);

          g_assert_no_error (error);
          bn_reference (s, xv, affine ? wv : NULL, affine ? bv : NULL, 1e-5, 0.1, want, rm, rv,
                        FALSE);
          assert_allclose (y, want, (gsize) n, 1e-5, 1e-5);
          assert_allclose (tm, rm, (gsize) s->C, 1e-5, 1e-6);
        }
      }
}

static LtTensor *
gc_batch_norm (LtTensor **in,
               gsize      n,
               gpointer   data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_batch_norm (in[0], NULL, NULL, n > 1 ? in[1] : NULL, n > 2 ? in[2] : NULL,
                               TRUE, 0.1, 1e-5, &error);

  g_assert_no_error (error);
  return y;
}

static void
test_batch_norm_gradcheck (void)
{
  g_autofree double *xv = random_values (rng, 48, -2, 2);
  g_autofree double *wv = random_values (rng, 3, 0.5, 2);
  g_autofree double *bv = random_values (rng, 3, -1, 1);
  g_autoptr(LtTensor) x2 = leaf_of (xv, DIMS (6, 3));
  g_autoptr(LtTensor) x4 = leaf_of (xv, DIMS (4, 3, 2, 2));
  g_autoptr(LtTensor) w = leaf_of (wv, DIMS (3));
  g_autoptr(LtTensor) b = leaf_of (bv, DIMS (3));
  LtTensor *in2[3] = { x2, w, b }, *in4[3] = { x4, w, b };

  check_gradcheck (gc_batch_norm, NULL, in2, 3);
  check_gradcheck (gc_batch_norm, NULL, in4, 3);
  check_gradcheck (gc_batch_norm, NULL, in4, 1);
}

static void
test_batch_norm_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *v = random_values (rng, 12, -1, 1);
  g_autoptr(LtTensor) x1 = tensor_of_shape (v, DIMS (1, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) x = tensor_of_shape (v, DIMS (4, 3), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) r4 = tensor_of_shape (v, DIMS (4), LT_DTYPE_FLOAT32);
  g_autoptr(LtTensor) r3 = tensor_of_shape (v, DIMS (3), LT_DTYPE_FLOAT32);
  LtTensor *y;

  y = lt_batch_norm (x1, NULL, NULL, NULL, NULL, TRUE, 0.1, 1e-5, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "more than 1 value per channel"));
  g_clear_error (&error);
  y = lt_batch_norm (x, r4, r4, NULL, NULL, TRUE, 0.1, 1e-5, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_batch_norm (x, NULL, NULL, NULL, NULL, FALSE, 0.1, 1e-5, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_batch_norm (x, r3, NULL, NULL, NULL, TRUE, 0.1, 1e-5, &error);
  g_assert_null (y);
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Losses, loss modules and the functional forms linear, dropout and "
                  "batch_norm against float64 references and gradcheck");
  rng = g_rand_new_with_seed (20240607);

  g_test_add_func ("/losses/cross-entropy/values", test_ce_values);
  g_test_add_func ("/losses/cross-entropy/gradcheck", test_ce_gradcheck);
  g_test_add_func ("/losses/cross-entropy/large-logits", test_ce_large_logits);
  g_test_add_func ("/losses/cross-entropy/errors", test_ce_errors);
  g_test_add_func ("/losses/cross-entropy/graph", test_ce_graph);
  g_test_add_func ("/losses/gradcheck", test_losses_gradcheck);
  g_test_add_func ("/losses/bce/stability", test_bce_stability);
  g_test_add_func ("/losses/mse/tutorial", test_mse_tutorial);
  g_test_add_func ("/losses/mse/saved-target", test_mse_saved_target);
  g_test_add_func ("/losses/modules", test_loss_modules);
  g_test_add_func ("/losses/modules/subclass", test_loss_subclass);
  g_test_add_func ("/functional/leaky-relu", test_leaky_relu);
  g_test_add_func ("/functional/linear", test_linear);
  g_test_add_func ("/functional/linear/errors", test_linear_errors);
  g_test_add_func ("/functional/dropout/values", test_dropout_values);
  g_test_add_func ("/functional/dropout/gradcheck", test_dropout_gradcheck);
  g_test_add_func ("/functional/batch-norm/values", test_batch_norm_values);
  g_test_add_func ("/functional/batch-norm/gradcheck", test_batch_norm_gradcheck);
  g_test_add_func ("/functional/batch-norm/errors", test_batch_norm_errors);

  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
