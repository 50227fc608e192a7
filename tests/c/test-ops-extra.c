/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op harness's specs of the scans and products (ops/lt-scan.c:
 * prod, logsumexp, cumsum, cumprod, cumprod_grad) and of the ops that
 * rearrange elements (ops/lt-rearrange.c: diagonal, tril, triu, flip,
 * roll, repeat): forward against float64 references computed here with
 * plain loops, backward through gradcheck (zeros included for the
 * products, whose gradient is exact there).
 */

#include "ops-harness.h"
#include "ops/lt-ops-private.h"

/* The float64 reference of a reduction along @d of row-major values @v of
 * shape @s: the sum or product of the whole line through element k */
typedef enum
{
  SCAN_SUM,
  SCAN_PROD
} ScanKind;

static double
line_ref (const double *v, OhShape s, guint d, gint64 k, ScanKind kind)
{
  gint64 idx[LT_MAX_DIMS], inner = 1, pos, first, D;
  double acc = kind == SCAN_SUM ? 0 : 1;

  for (guint i = d + 1; i < s.n; i++)
    inner *= s.d[i];
  oh_unravel (k, s, idx);
  pos = s.n ? idx[d] : 0;
  D = s.n ? s.d[d] : 1;
  first = k - pos * inner;
  for (gint64 j = 0; j < D; j++)
    acc = kind == SCAN_SUM ? acc + v[first + j * inner] : acc * v[first + j * inner];
  return acc;
}

static void
scan_run (LtOp op, OhShape s, LtDType dt, OhLay lay, gint dim, OhDist dist)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, dist);
  g_autoptr(LtTensor) y = op == LT_OP_CUMSUM ? lt_tensor_cumsum (x.t, dim, &error)
                                              : lt_tensor_cumprod (x.t, dim, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  guint              d = s.n == 0 ? 0 : oh_norm_dim (dim, s.n);
  LtDType            out = oh_is_float (dt) ? dt : I64;

  gint64 inner = 1, D = s.n ? s.d[d] : 1;

  g_assert_no_error (error);
  for (guint i = d + 1; i < s.n; i++)
    inner *= s.d[i];
  /* in float64, element by element in row-major order: the element before
   * along the line (k - inner) is already done, so one pass suffices */
  for (gint64 k = 0; k < x.n; k++)
    {
      gint64 pos = (k / inner) % D;

      if (pos == 0)
        ref[k] = x.v[k];
      else
        ref[k] = op == LT_OP_CUMSUM ? ref[k - inner] + x.v[k] : ref[k - inner] * x.v[k];
    }
  oh_check_tol (y, out, s, ref, dt == F32 ? 1e-5 : 1e-12, dt == F32 ? 1e-5 : 1e-12);
}

static void
scan_fw_dims (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);

  for (gint dim = -3; dim < 3; dim++)
    scan_run (op, OH_SH (4, 5, 6), F32, OH_LAY_CONTIG, dim, OH_DIST_POS);
  scan_run (op, OH_SH (7, 5), F64, OH_LAY_T, 1, OH_DIST_UNIT);
  scan_run (op, OH_SH (3, 9), F64, OH_LAY_STEP, 1, OH_DIST_UNIT);
  scan_run (op, OH_SH (4, 3), F32, OH_LAY_EXPAND, 0, OH_DIST_POS);
  scan_run (op, OH_SH (4, 6), F64, OH_LAY_TPAD, 1, OH_DIST_UNIT);
}

static void
scan_fw_dtypes (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);

  /* integers and bool scan in int64 */
  for (guint i = 0; i < G_N_ELEMENTS (oh_all_dtypes); i++)
    scan_run (op, OH_SH (3, 7), oh_all_dtypes[i], OH_LAY_CONTIG, 1, OH_DIST_OPEN1);
  /* zeros in the line */
  scan_run (op, OH_SH (5, 8), F64, OH_LAY_CONTIG, 1, OH_DIST_GRID);
}

static void
scan_fw_edges (gconstpointer d)
{
  LtOp op = GPOINTER_TO_INT (d);

  scan_run (op, OH_SH0, F32, OH_LAY_CONTIG, 0, OH_DIST_UNIT);
  scan_run (op, OH_SH0, F64, OH_LAY_CONTIG, -1, OH_DIST_UNIT);
  scan_run (op, OH_SH (0, 5), F32, OH_LAY_CONTIG, 1, OH_DIST_UNIT);
  scan_run (op, OH_SH (3, 0), F32, OH_LAY_CONTIG, 1, OH_DIST_UNIT);
  /* lines split across threads, and one long line */
  scan_run (op, OH_SH (300, 250), F64, OH_LAY_CONTIG, 0, OH_DIST_OPEN1);
  scan_run (op, OH_SH (OH_BIG), F64, OH_LAY_CONTIG, 0, OH_DIST_OPEN1);
}

static void
scan_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x =
               oh_build ((double[]){ 1, 2, 3, 4, 5, 6 }, OH_SH (2, 3), F32, OH_LAY_CONTIG);
  LtTensor *y = GPOINTER_TO_INT (d) == LT_OP_CUMSUM ? lt_tensor_cumsum (x, 2, &error)
                                                    : lt_tensor_cumprod (x, -3, &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase scan_forward[] = { { "dims", scan_fw_dims },
                                       { "dtypes", scan_fw_dtypes },
                                       { "edges", scan_fw_edges },
                                       { "errors", scan_fw_errors },
                                       { NULL, NULL } };

typedef struct
{
  LtOp     op;
  gint     dim;
  gboolean keepdim;
  gboolean all;
} ExtraCall;

static LtTensor *
gc_scan (LtTensor **in, gsize n, gpointer data)
{
  const ExtraCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = NULL;

  switch (c->op)
    {
      case LT_OP_CUMSUM:
        y = lt_tensor_cumsum (in[0], c->dim, &error);
        break;
      case LT_OP_CUMPROD:
        y = lt_tensor_cumprod (in[0], c->dim, &error);
        break;
      case LT_OP_PROD:
        y = c->all ? lt_tensor_prod (in[0], &error)
                   : lt_tensor_prod_dim (in[0], c->dim, c->keepdim, &error);
        break;
      default:
        {
          gint dims[1] = { c->dim };

          y = lt_tensor_logsumexp (in[0], dims, c->all ? 0 : 1, c->keepdim, &error);
        }
    }
  g_assert_no_error (error);
  return y;
}

static void
scan_bw (LtOp op, OhShape s, OhLay lay, gint dim, OhDist dist)
{
  ExtraCall c = { op, dim, FALSE, FALSE };
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay, dist);

  oh_gradcheck (gc_scan, &c, &x, 1);
}

static void
scan_bw_dims (gconstpointer d)
{
  scan_bw (GPOINTER_TO_INT (d), OH_SH (3, 4), OH_LAY_CONTIG, 0, OH_DIST_UNIT);
  scan_bw (GPOINTER_TO_INT (d), OH_SH (2, 3, 4), OH_LAY_CONTIG, -1, OH_DIST_UNIT);
  scan_bw (GPOINTER_TO_INT (d), OH_SH (4, 3), OH_LAY_T, 1, OH_DIST_UNIT);
  scan_bw (GPOINTER_TO_INT (d), OH_SH0, OH_LAY_CONTIG, 0, OH_DIST_UNIT);
}

static void
scan_bw_zeros (gconstpointer d)
{
  /* one zero, two zeros and none in the lines of x */
  static const double v[] = { 1.5, 0, -2, 0.5, 0, 2, 0, 3, -1, 0.5, 2, -1.5 };

  for (gint dim = 0; dim < 2; dim++)
    {
      ExtraCall c = { GPOINTER_TO_INT (d), dim, FALSE, FALSE };
      g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (3, 4));

      oh_gradcheck (gc_scan, &c, &x, 1);
    }
}

static const OhCase scan_backward[] = { { "dims", scan_bw_dims },
                                        { "zeros", scan_bw_zeros },
                                        { NULL, NULL } };

/* prod: over one dim (keepdim or not) or everything */

static void
prod_run (OhShape s, LtDType dt, OhLay lay, gint dim, gboolean keepdim, gboolean all)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_OPEN1);
  g_autoptr(LtTensor) y =
               all ? lt_tensor_prod (x.t, &error) : lt_tensor_prod_dim (x.t, dim, keepdim, &error);
  LtDType            out = oh_is_float (dt) ? dt : I64;
  guint              d = s.n == 0 || all ? 0 : oh_norm_dim (dim, s.n);
  OhShape            os = OH_SH0;
  g_autofree double *ref = NULL;
  gint64             m = 0;

  g_assert_no_error (error);
  if (all)
    {
      ref = g_new0 (double, 1);
      ref[0] = 1;
      for (gint64 k = 0; k < x.n; k++)
        ref[0] *= x.v[k];
      oh_check_tol (y, out, OH_SH0, ref, 1e-5, 1e-6);
      return;
    }
  for (guint i = 0; i < s.n; i++)
    if (i != d || keepdim)
      os.d[os.n++] = i == d ? 1 : s.d[i];
  ref = g_new0 (double, MAX (MAX (x.n, oh_numel (os)), 1));
  /* the first element of every line, in row-major order of the result */
  for (gint64 k = 0; k < x.n || (x.n == 0 && k < oh_numel (os)); k++)
    {
      gint64 idx[LT_MAX_DIMS];

      if (x.n == 0)
        {
          ref[m++] = 1;
          continue;
        }
      oh_unravel (k, s, idx);
      if (s.n && idx[d] != 0)
        continue;
      ref[m++] = line_ref (x.v, s, d, k, SCAN_PROD);
    }
  oh_check_tol (y, out, os, ref, 1e-5, 1e-6);
}

static void
prod_fw_dims (gconstpointer d)
{
  for (gint dim = -3; dim < 3; dim++)
    {
      prod_run (OH_SH (4, 5, 6), F32, OH_LAY_CONTIG, dim, FALSE, FALSE);
      prod_run (OH_SH (4, 5, 6), F64, OH_LAY_CONTIG, dim, TRUE, FALSE);
    }
  prod_run (OH_SH (7, 5), F64, OH_LAY_T, 0, FALSE, FALSE);
  prod_run (OH_SH (3, 9), F32, OH_LAY_STEP, 1, TRUE, FALSE);
  prod_run (OH_SH (4, 3), F64, OH_LAY_EXPAND, 0, FALSE, FALSE);
  prod_run (OH_SH (5, 7), F64, OH_LAY_T, 0, FALSE, TRUE);
}

static void
prod_fw_dtypes (gconstpointer d)
{
  for (guint i = 0; i < G_N_ELEMENTS (oh_all_dtypes); i++)
    {
      prod_run (OH_SH (3, 7), oh_all_dtypes[i], OH_LAY_CONTIG, 1, FALSE, FALSE);
      prod_run (OH_SH (3, 7), oh_all_dtypes[i], OH_LAY_CONTIG, 0, FALSE, TRUE);
    }
}

static void
prod_fw_edges (gconstpointer d)
{
  prod_run (OH_SH0, F32, OH_LAY_CONTIG, 0, FALSE, FALSE);
  prod_run (OH_SH0, F32, OH_LAY_CONTIG, 0, FALSE, TRUE);
  /* no elements: 1 */
  prod_run (OH_SH (0, 5), F32, OH_LAY_CONTIG, 0, FALSE, FALSE);
  prod_run (OH_SH (0, 5), F32, OH_LAY_CONTIG, 0, FALSE, TRUE);
  prod_run (OH_SH (300, 250), F64, OH_LAY_CONTIG, 1, FALSE, FALSE);
}

static const OhCase prod_forward[] = { { "dims", prod_fw_dims },
                                       { "dtypes", prod_fw_dtypes },
                                       { "edges", prod_fw_edges },
                                       { NULL, NULL } };

static void
prod_bw_dims (gconstpointer d)
{
  static const double v[] = { 1.5, 0, -2, 0.5, 0, 2, 0, 3, -1, 0.5, 2, -1.5 };
  ExtraCall           calls[] = {
              { LT_OP_PROD, 0, FALSE, FALSE },
              { LT_OP_PROD, 1, TRUE, FALSE },
              { LT_OP_PROD, -1, FALSE, FALSE },
              { LT_OP_PROD, 0, FALSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
      g_autoptr(LtTensor) z = oh_leaf_from (v, OH_SH (3, 4));

      oh_gradcheck (gc_scan, &calls[i], &x, 1);
      /* zeros: one, two and none in a line */
      oh_gradcheck (gc_scan, &calls[i], &z, 1);
    }
}

static void
prod_bw_single_zero (gconstpointer d)
{
  /* one zero: its gradient is the product of the others, theirs are 0 */
  static const double v[] = { 2, 0, 3 };
  ExtraCall           c = { LT_OP_PROD, 0, FALSE, TRUE };
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (3));
  g_autoptr(LtTensor) y = gc_scan (&x, 1, &c);
  g_autofree double *g = NULL;

  oh_backward_sum (y);
  g = oh_grad_of (x);
  g_assert_cmpfloat (g[0], ==, 0);
  g_assert_cmpfloat (g[1], ==, 6);
  g_assert_cmpfloat (g[2], ==, 0);
  g_assert_cmpstr (lt_grad_fn_get_name (lt_tensor_get_grad_fn (y)), ==, "ProdBackward0");
}

static const OhCase prod_backward[] = { { "dims", prod_bw_dims },
                                        { "single-zero", prod_bw_single_zero },
                                        { NULL, NULL } };

/* logsumexp over dims, with infinite slices */

static void
lse_run (OhShape     s,
         LtDType     dt,
         OhLay       lay,
         const gint *dims,
         guint       n_dims,
         gboolean    keepdim,
         OhDist      dist)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, dist);
  g_autoptr(LtTensor) y = lt_tensor_logsumexp (x.t, dims, n_dims, keepdim, &error);
  gboolean           red[LT_MAX_DIMS] = { 0 };
  OhShape            ks = s, os = OH_SH0;
  g_autofree double *m = NULL;
  g_autofree double *sum = NULL;
  g_autofree double *ref = NULL;
  gint64             idx[LT_MAX_DIMS], nk;

  g_assert_no_error (error);
  for (guint i = 0; i < n_dims; i++)
    red[oh_norm_dim (dims[i], s.n)] = TRUE;
  for (guint i = 0; i < s.n; i++)
    {
      if (n_dims == 0)
        red[i] = TRUE;
      if (red[i])
        ks.d[i] = 1;
      if (!red[i] || keepdim)
        os.d[os.n++] = ks.d[i];
    }
  nk = oh_numel (ks);
  m = g_new (double, MAX (nk, 1));
  sum = g_new0 (double, MAX (nk, 1));
  ref = g_new (double, MAX (nk, 1));
  for (gint64 j = 0; j < nk; j++)
    m[j] = -INFINITY;
  for (gint64 k = 0; k < x.n; k++)
    {
      oh_unravel (k, s, idx);
      for (guint i = 0; i < s.n; i++)
        if (red[i])
          idx[i] = 0;
      m[oh_ravel (idx, ks)] = MAX (m[oh_ravel (idx, ks)], x.v[k]);
    }
  for (gint64 k = 0; k < x.n; k++)
    {
      gint64 j;

      oh_unravel (k, s, idx);
      for (guint i = 0; i < s.n; i++)
        if (red[i])
          idx[i] = 0;
      j = oh_ravel (idx, ks);
      sum[j] += isinf (m[j]) ? exp (x.v[k]) : exp (x.v[k] - m[j]);
    }
  for (gint64 j = 0; j < nk; j++)
    ref[j] = isinf (m[j]) ? log (sum[j]) : m[j] + log (sum[j]);
  oh_check_tol (y, oh_is_float (dt) ? dt : F32, os, ref, 1e-5, 1e-5);
}

static void
lse_fw_dims (gconstpointer d)
{
  lse_run (OH_SH (4, 5, 6), F32, OH_LAY_CONTIG, (gint[]){ 1 }, 1, FALSE, OH_DIST_UNIT);
  lse_run (OH_SH (4, 5, 6), F64, OH_LAY_CONTIG, (gint[]){ 0, -1 }, 2, TRUE, OH_DIST_UNIT);
  lse_run (OH_SH (4, 5, 6), F64, OH_LAY_CONTIG, NULL, 0, FALSE, OH_DIST_UNIT);
  lse_run (OH_SH (7, 5), F32, OH_LAY_T, (gint[]){ 0 }, 1, FALSE, OH_DIST_UNIT);
  lse_run (OH_SH (3, 9), F64, OH_LAY_STEP, (gint[]){ 1 }, 1, TRUE, OH_DIST_UNIT);
  lse_run (OH_SH (3, 4), I32, OH_LAY_CONTIG, (gint[]){ 1 }, 1, FALSE, OH_DIST_UNIT);
  lse_run (OH_SH0, F64, OH_LAY_CONTIG, NULL, 0, FALSE, OH_DIST_UNIT);
}

static void
lse_fw_large (gconstpointer d)
{
  /* values whose exponentials overflow, and rows of only -inf, or +inf */
  static const double v[] = { 1000,     1001, 999, -INFINITY, -INFINITY, -INFINITY,
                              INFINITY, 0,    1,   -1000,     -1001,     -INFINITY };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build (v, OH_SH (4, 3), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) y = lt_tensor_logsumexp (x, (gint[]){ 1 }, 1, FALSE, &error);
  double ref[4] = { 1001 + log (1 + exp (-1) + exp (-2)), -INFINITY, INFINITY,
                    -1000 + log (1 + exp (-1)) };

  g_assert_no_error (error);
  oh_check_tol (y, F32, OH_SH (4), ref, 1e-6, 1e-4);
}

static void
lse_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build ((double[]){ 1, 2, 3, 4 }, OH_SH (2, 2), F32, OH_LAY_CONTIG);
  LtTensor *y = lt_tensor_logsumexp (x, (gint[]){ 0, 0 }, 2, FALSE, &error);

  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_tensor_logsumexp (x, (gint[]){ 2 }, 1, FALSE, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase lse_forward[] = { { "dims", lse_fw_dims },
                                      { "large", lse_fw_large },
                                      { "errors", lse_fw_errors },
                                      { NULL, NULL } };

static void
lse_bw_dims (gconstpointer d)
{
  ExtraCall calls[] = {
    { LT_OP_LOGSUMEXP, 0, FALSE, FALSE },
    { LT_OP_LOGSUMEXP, -1, TRUE, FALSE },
    { LT_OP_LOGSUMEXP, 0, FALSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_WIDE);

      oh_gradcheck (gc_scan, &calls[i], &x, 1);
    }
}

static const OhCase lse_backward[] = { { "dims", lse_bw_dims }, { NULL, NULL } };

/* cumprod_grad: x, g -> the gradient of cumprod, exact at zeros */

static void
cumprod_grad_fw_zeros (gconstpointer d)
{
  static const double x[] = { 1.5, 0, -2, 0.5, 0, 2, 0, 3, -1, 0.5, 2, -1.5 };
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) g = oh_arr_new (OH_SH (3, 4), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) xt = oh_build (x, OH_SH (3, 4), F64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) dx = lt_zeros ((gint64[]){ 3, 4 }, 2, F64, &error);
  LtOpParams p = { .scan = { .dim = 1 } };
  LtTensor  *in[2] = { xt, g.t };
  double     ref[12];

  g_assert_no_error (error);
  g_assert_true (_lt_run (LT_OP_CUMPROD_GRAD, dx, NULL, in, 2, &p, &error));
  g_assert_no_error (error);
  for (gint r = 0; r < 3; r++)
    for (gint i = 0; i < 4; i++)
      {
        double s = 0;

        for (gint j = i; j < 4; j++)
          {
            double prod = 1;

            for (gint k = 0; k <= j; k++)
              if (k != i)
                prod *= x[r * 4 + k];
            s += g.v[r * 4 + j] * prod;
          }
        ref[r * 4 + i] = s;
      }
  oh_check_tol (dx, F64, OH_SH (3, 4), ref, 1e-12, 1e-12);
}

static const OhCase cumprod_grad_forward[] = { { "zeros", cumprod_grad_fw_zeros }, { NULL, NULL } };

/* diagonal (a view), tril and triu */

static void
diagonal_run (OhShape s, OhLay lay, gint64 k, gint d1, gint d2)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, F32, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_diagonal (x.t, k, d1, d2, &error);
  guint              a = oh_norm_dim (d1, s.n), b = oh_norm_dim (d2, s.n);
  gint64             n1 = s.d[a], n2 = s.d[b];
  gint64             L = MAX (0, k >= 0 ? MIN (n1, n2 - k) : MIN (n1 + k, n2));
  OhShape            os = OH_SH0;
  g_autofree double *ref = NULL;
  gint64             idx[LT_MAX_DIMS], oidx[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (guint i = 0; i < s.n; i++)
    if (i != a && i != b)
      os.d[os.n++] = s.d[i];
  os.d[os.n++] = L;
  ref = g_new0 (double, MAX (oh_numel (os), 1));
  for (gint64 j = 0; j < oh_numel (os); j++)
    {
      guint  m = 0;
      gint64 t;

      oh_unravel (j, os, oidx);
      t = oidx[os.n - 1];
      for (guint i = 0; i < s.n; i++)
        idx[i] = i == a ? t + MAX (-k, 0) : i == b ? t + MAX (k, 0) : oidx[m++];
      ref[j] = x.v[oh_ravel (idx, s)];
    }
  oh_check (y, F32, os, ref);
  /* a view of the input */
  g_assert_true (lt_tensor_get_storage (y) == lt_tensor_get_storage (x.t));
}

static void
diagonal_fw_offsets (gconstpointer d)
{
  for (gint64 k = -4; k <= 5; k++)
    diagonal_run (OH_SH (3, 4), OH_LAY_CONTIG, k, 0, 1);
  diagonal_run (OH_SH (4, 3), OH_LAY_T, 1, 0, 1);
  diagonal_run (OH_SH (2, 3, 4), OH_LAY_CONTIG, -1, 0, 2);
  diagonal_run (OH_SH (2, 3, 4), OH_LAY_STEP, 0, -1, 1);
  diagonal_run (OH_SH (0, 3), OH_LAY_CONTIG, 0, 0, 1);
}

static void
diagonal_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build ((double[]){ 1, 2, 3, 4 }, OH_SH (2, 2), F32, OH_LAY_CONTIG);
  g_autoptr(LtTensor) v = oh_build ((double[]){ 1, 2 }, OH_SH (2), F32, OH_LAY_CONTIG);
  LtTensor *y = lt_tensor_diagonal (x, 0, 1, -1, &error);

  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_diagonal (v, 0, 0, 1, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase diagonal_forward[] = { { "offsets", diagonal_fw_offsets },
                                           { "errors", diagonal_fw_errors },
                                           { NULL, NULL } };

typedef struct
{
  LtOp   op;
  gint64 k;
  gint   d1, d2;
  gint64 shifts[2];
  gint   dims[2];
  guint  n;
} RearrangeCall;

static LtTensor *
gc_rearrange (LtTensor **in, gsize n, gpointer data)
{
  const RearrangeCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = NULL;

  switch (c->op)
    {
      case LT_OP_DIAGONAL:
        y = lt_tensor_diagonal (in[0], c->k, c->d1, c->d2, &error);
        break;
      case LT_OP_TRIL:
        y = lt_tensor_tril (in[0], c->k, &error);
        break;
      case LT_OP_TRIU:
        y = lt_tensor_triu (in[0], c->k, &error);
        break;
      case LT_OP_FLIP:
        y = lt_tensor_flip (in[0], c->dims, c->n, &error);
        break;
      case LT_OP_ROLL:
        y = lt_tensor_roll (in[0], c->shifts, MAX (c->n, 1), c->dims, c->n, &error);
        break;
      default:
        y = lt_tensor_repeat (in[0], c->shifts, c->n, &error);
        break;
    }
  g_assert_no_error (error);
  return y;
}

static void
rearrange_bw (RearrangeCall *c, OhShape s, OhLay lay)
{
  g_autoptr(LtTensor) x = oh_leaf_new (s, lay, OH_DIST_UNIT);

  oh_gradcheck (gc_rearrange, c, &x, 1);
}

static void
diagonal_bw_offsets (gconstpointer d)
{
  RearrangeCall c[] = { { LT_OP_DIAGONAL, 0, 0, 1 },
                        { LT_OP_DIAGONAL, 2, 0, 1 },
                        { LT_OP_DIAGONAL, -1, 1, 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    rearrange_bw (&c[i], OH_SH (3, 4), OH_LAY_T);
  c[0].d1 = 2;
  c[0].d2 = 0;
  rearrange_bw (&c[0], OH_SH (2, 3, 4), OH_LAY_CONTIG);
}

static const OhCase diagonal_backward[] = { { "offsets", diagonal_bw_offsets }, { NULL, NULL } };

static void
band_run (LtOp op, OhShape s, LtDType dt, OhLay lay, gint64 k)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y =
               op == LT_OP_TRIL ? lt_tensor_tril (x.t, k, &error) : lt_tensor_triu (x.t, k, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  gint64             idx[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (gint64 j = 0; j < x.n; j++)
    {
      gint64 diff;

      oh_unravel (j, s, idx);
      diff = idx[s.n - 1] - idx[s.n - 2];
      ref[j] = (op == LT_OP_TRIL ? diff <= k : diff >= k) ? x.v[j] : 0;
    }
  oh_check (y, dt, s, ref);
}

static void
band_fw_diagonals (gconstpointer d)
{
  for (gint64 k = -4; k <= 5; k++)
    band_run (GPOINTER_TO_INT (d), OH_SH (3, 4), F32, OH_LAY_CONTIG, k);
  band_run (GPOINTER_TO_INT (d), OH_SH (2, 3, 4), F64, OH_LAY_T, 1);
  band_run (GPOINTER_TO_INT (d), OH_SH (4, 3, 5), F32, OH_LAY_EXPAND, -1);
  band_run (GPOINTER_TO_INT (d), OH_SH (0, 3), F32, OH_LAY_CONTIG, 0);
  for (guint i = 0; i < G_N_ELEMENTS (oh_all_dtypes); i++)
    band_run (GPOINTER_TO_INT (d), OH_SH (3, 3), oh_all_dtypes[i], OH_LAY_CONTIG, 0);
}

static void
band_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) v = oh_build ((double[]){ 1, 2 }, OH_SH (2), F32, OH_LAY_CONTIG);
  LtTensor *y = GPOINTER_TO_INT (d) == LT_OP_TRIL ? lt_tensor_tril (v, 0, &error)
                                                  : lt_tensor_triu (v, 0, &error);

  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase band_forward[] = { { "diagonals", band_fw_diagonals },
                                       { "errors", band_fw_errors },
                                       { NULL, NULL } };

static void
band_bw (gconstpointer d)
{
  RearrangeCall c = { GPOINTER_TO_INT (d), 1 };

  rearrange_bw (&c, OH_SH (3, 4), OH_LAY_CONTIG);
  c.k = -1;
  rearrange_bw (&c, OH_SH (2, 3, 3), OH_LAY_T);
}

static const OhCase band_backward[] = { { "diagonals", band_bw }, { NULL, NULL } };

/* flip, roll and repeat, against index arithmetic */

static void
flip_roll_run (LtOp          op,
               OhShape       s,
               LtDType       dt,
               OhLay         lay,
               const gint64 *shifts,
               const gint   *dims,
               guint         n)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = op == LT_OP_FLIP
                             ? lt_tensor_flip (x.t, dims, n, &error)
                             : lt_tensor_roll (x.t, shifts, MAX (n, 1), dims, n, &error);
  g_autofree double *ref = g_new0 (double, MAX (x.n, 1));
  gint64             idx[LT_MAX_DIMS];

  g_assert_no_error (error);
  for (gint64 j = 0; j < x.n; j++)
    {
      if (op == LT_OP_ROLL && n == 0)
        {
          gint64 src = ((j - shifts[0]) % x.n + x.n) % x.n;
          ref[j] = x.v[src];
          continue;
        }
      oh_unravel (j, s, idx);
      for (guint i = 0; i < n; i++)
        {
          guint  dd = oh_norm_dim (dims[i], s.n);
          gint64 size = s.d[dd];

          idx[dd] =
            op == LT_OP_FLIP ? size - 1 - idx[dd] : ((idx[dd] - shifts[i]) % size + size) % size;
        }
      ref[j] = x.v[oh_ravel (idx, s)];
    }
  oh_check (y, dt, s, ref);
  g_assert_false (lt_tensor_get_storage (y) == lt_tensor_get_storage (x.t));
}

static void
flip_fw_dims (gconstpointer d)
{
  flip_roll_run (LT_OP_FLIP, OH_SH (3, 4), F32, OH_LAY_CONTIG, NULL, (gint[]){ 0 }, 1);
  flip_roll_run (LT_OP_FLIP, OH_SH (2, 3, 4), F64, OH_LAY_T, NULL, (gint[]){ -1, 0 }, 2);
  flip_roll_run (LT_OP_FLIP, OH_SH (3, 5), I32, OH_LAY_STEP, NULL, (gint[]){ 1 }, 1);
  flip_roll_run (LT_OP_FLIP, OH_SH (3, 5), BOOL, OH_LAY_CONTIG, NULL, NULL, 0);
  flip_roll_run (LT_OP_FLIP, OH_SH0, F32, OH_LAY_CONTIG, NULL, (gint[]){ 0 }, 1);
  flip_roll_run (LT_OP_FLIP, OH_SH (0, 2), F32, OH_LAY_CONTIG, NULL, (gint[]){ 0, 1 }, 2);
}

static void
flip_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build ((double[]){ 1, 2, 3, 4 }, OH_SH (2, 2), F32, OH_LAY_CONTIG);
  LtTensor *y = lt_tensor_flip (x, (gint[]){ 0, -2 }, 2, &error);

  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_tensor_flip (x, (gint[]){ 2 }, 1, &error);
  oh_check_error (y, error, LT_ERROR_INDEX);
}

static const OhCase flip_forward[] = { { "dims", flip_fw_dims },
                                       { "errors", flip_fw_errors },
                                       { NULL, NULL } };

static void
roll_fw_shifts (gconstpointer d)
{
  flip_roll_run (LT_OP_ROLL, OH_SH (3, 4), F32, OH_LAY_CONTIG, (gint64[]){ 1 }, (gint[]){ 0 }, 1);
  flip_roll_run (LT_OP_ROLL, OH_SH (2, 3, 4), F64, OH_LAY_T, (gint64[]){ -5, 2 }, (gint[]){ -1, 0 },
                 2);
  flip_roll_run (LT_OP_ROLL, OH_SH (3, 5), I64, OH_LAY_STEP, (gint64[]){ 7 }, NULL, 0);
  flip_roll_run (LT_OP_ROLL, OH_SH (3, 5), F32, OH_LAY_CONTIG, (gint64[]){ 15 }, NULL, 0);
  flip_roll_run (LT_OP_ROLL, OH_SH (0, 2), F32, OH_LAY_CONTIG, (gint64[]){ 1 }, (gint[]){ 0 }, 1);
}

static void
roll_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build ((double[]){ 1, 2, 3, 4 }, OH_SH (2, 2), F32, OH_LAY_CONTIG);
  LtTensor *y = lt_tensor_roll (x, (gint64[]){ 1 }, 1, (gint[]){ 0, 1 }, 2, &error);

  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  y = lt_tensor_roll (x, (gint64[]){ 1, 2 }, 2, NULL, 0, &error);
  oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
}

static const OhCase roll_forward[] = { { "shifts", roll_fw_shifts },
                                       { "errors", roll_fw_errors },
                                       { NULL, NULL } };

static void
flip_roll_bw (gconstpointer d)
{
  RearrangeCall c = { GPOINTER_TO_INT (d), 0, 0, 0, { 2, -1 }, { 1, 0 }, 2 };

  rearrange_bw (&c, OH_SH (3, 4), OH_LAY_T);
  c.n = 1;
  rearrange_bw (&c, OH_SH (2, 3, 2), OH_LAY_CONTIG);
  if (c.op == LT_OP_ROLL)
    {
      c.n = 0;
      rearrange_bw (&c, OH_SH (3, 4), OH_LAY_STEP);
    }
}

static const OhCase flip_roll_backward[] = { { "dims", flip_roll_bw }, { NULL, NULL } };

static void
repeat_run (OhShape s, LtDType dt, OhLay lay, const gint64 *r, guint n)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) x = oh_arr_new (s, dt, lay, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_repeat (x.t, r, n, &error);
  OhShape            ps = OH_SH0, os = OH_SH0;
  g_autofree double *ref = NULL;
  gint64             idx[LT_MAX_DIMS];

  g_assert_no_error (error);
  ps.n = os.n = n;
  for (guint i = 0; i < n; i++)
    {
      ps.d[i] = i < n - s.n ? 1 : s.d[i - (n - s.n)];
      os.d[i] = ps.d[i] * r[i];
    }
  ref = g_new0 (double, MAX (oh_numel (os), 1));
  for (gint64 j = 0; j < oh_numel (os); j++)
    {
      oh_unravel (j, os, idx);
      for (guint i = 0; i < n; i++)
        idx[i] %= ps.d[i];
      ref[j] = x.v[oh_ravel (idx, ps)];
    }
  oh_check (y, dt, os, ref);
}

static void
repeat_fw_sizes (gconstpointer d)
{
  repeat_run (OH_SH (2, 3), F32, OH_LAY_CONTIG, (gint64[]){ 2, 1 }, 2);
  repeat_run (OH_SH (2, 3), F64, OH_LAY_T, (gint64[]){ 3, 2, 2 }, 3);
  repeat_run (OH_SH (3), I16, OH_LAY_STEP, (gint64[]){ 2, 1, 3 }, 3);
  repeat_run (OH_SH0, F32, OH_LAY_CONTIG, (gint64[]){ 4 }, 1);
  repeat_run (OH_SH (2, 3), F32, OH_LAY_CONTIG, (gint64[]){ 0, 2 }, 2);
  repeat_run (OH_SH (2, 3), BOOL, OH_LAY_CONTIG, (gint64[]){ 1, 1 }, 2);
}

static void
repeat_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) x = oh_build ((double[]){ 1, 2, 3, 4 }, OH_SH (2, 2), F32, OH_LAY_CONTIG);
  LtTensor *y = lt_tensor_repeat (x, (gint64[]){ 2 }, 1, &error);

  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_repeat (x, (gint64[]){ 1, -1 }, 2, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase repeat_forward[] = { { "sizes", repeat_fw_sizes },
                                         { "errors", repeat_fw_errors },
                                         { NULL, NULL } };

static void
repeat_bw (gconstpointer d)
{
  RearrangeCall c = { LT_OP_REPEAT, 0, 0, 0, { 2, 3 }, { 0 }, 2 };

  rearrange_bw (&c, OH_SH (3, 4), OH_LAY_T);
  rearrange_bw (&c, OH_SH (4), OH_LAY_CONTIG);
  c.shifts[0] = 0;
  rearrange_bw (&c, OH_SH (3, 4), OH_LAY_CONTIG);
}

static const OhCase repeat_backward[] = { { "sizes", repeat_bw }, { NULL, NULL } };

/* Compositions without a row of their own (einsum, diag, trace, outer,
 * cross, repeat_interleave): forward against references, gradients
 * through the ops they run */

static LtTensor *
gc_einsum (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_einsum (data, in, n, &error);

  g_assert_no_error (error);
  return y;
}

static void
einsum_case (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_new (OH_SH (2, 3, 4), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (2, 4, 5), F64, OH_LAY_T, OH_DIST_UNIT);
  LtTensor *in[2] = { a.t, b.t };
  g_autoptr(LtTensor) y = lt_einsum ("bij,bjk->bik", in, 2, &error);
  g_autoptr(LtTensor) t = NULL;
  g_autoptr(LtTensor) sq = NULL;
  double             ref[40], tr = 0;
  static const char *eqs[] = { "bij,bjk->bik", "bij,bjk", "bij,bjk->", "bij,bkj->bik" };

  g_assert_no_error (error);
  for (gint bb = 0; bb < 2; bb++)
    for (gint i = 0; i < 3; i++)
      for (gint k = 0; k < 5; k++)
        {
          double s = 0;

          for (gint j = 0; j < 4; j++)
            s += a.v[bb * 12 + i * 4 + j] * b.v[bb * 20 + j * 5 + k];
          ref[bb * 15 + i * 5 + k] = s;
        }
  oh_check (y, F64, OH_SH (2, 3, 5), ref);
  /* the trace of a repeated subscript, and errors */
  sq = oh_build (a.v, OH_SH (3, 3), F64, OH_LAY_T);
  t = lt_einsum ("ii", &sq, 1, &error);
  g_assert_no_error (error);
  for (gint i = 0; i < 3; i++)
    tr += a.v[i * 3 + i];
  oh_check (t, F64, OH_SH0, &tr);
  g_assert_null (lt_einsum ("ij,jk->ik", in, 2, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_null (lt_einsum ("ij->i", in, 2, &error));
  g_assert_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT);
  for (guint e = 0; e < G_N_ELEMENTS (eqs); e++)
    {
      g_autoptr(LtTensor) x0 = oh_leaf_new (OH_SH (2, 3, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) x1 =
                   oh_leaf_new (e == 3 ? OH_SH (2, 5, 4) : OH_SH (2, 4, 5), OH_LAY_T, OH_DIST_UNIT);
      LtTensor *xs[2] = { x0, x1 };

      oh_gradcheck (gc_einsum, (gpointer) eqs[e], xs, 2);
    }
}

typedef enum
{
  COMP_DIAG,
  COMP_TRACE,
  COMP_OUTER,
  COMP_CROSS,
  COMP_INTERLEAVE
} Comp;

static LtTensor *
gc_comp (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) r = NULL;
  LtTensor *y = NULL;

  switch (GPOINTER_TO_INT (data))
    {
      case COMP_DIAG:
        y = lt_tensor_diag (in[0], in[0]->ndim == 1 ? -1 : 1, &error);
        break;
      case COMP_TRACE:
        y = lt_tensor_trace (in[0], &error);
        break;
      case COMP_OUTER:
        y = lt_tensor_outer (in[0], in[1], &error);
        break;
      case COMP_CROSS:
        y = lt_tensor_cross (in[0], in[1], -1, &error);
        break;
      default:
        r = lt_tensor_new_from_int64s ((gint64[]){ 2, 0, 1 }, 3, (gint64[]){ 3 }, 1, I64, &error);
        y = lt_tensor_repeat_interleave (in[0], r, 0, FALSE, &error);
        break;
    }
  g_assert_no_error (error);
  return y;
}

static void
compositions_case (void)
{
  static const double u[] = { 1, 2, 3 }, v[] = { -1, 0.5, 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) a = oh_build (u, OH_SH (3), F64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) b = oh_build (v, OH_SH (3), F64, OH_LAY_CONTIG);
  g_autoptr(LtTensor) c = lt_tensor_cross (a, b, 0, &error);
  g_autoptr(LtTensor) d = c ? lt_tensor_diag (a, 1, &error) : NULL;
  double  cref[3] = { 2 * 2 - 3 * 0.5, 3 * -1 - 1 * 2, 1 * 0.5 - 2 * -1 };
  double  dref[16] = { 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0 };
  OhShape shapes[][2] = { { OH_SH (3) },
                          { OH_SH (3, 4) },
                          { OH_SH (3), OH_SH (2) },
                          { OH_SH (4, 3), OH_SH (4, 3) },
                          { OH_SH (3, 2) } };

  g_assert_no_error (error);
  oh_check (c, F64, OH_SH (3), cref);
  oh_check (d, F64, OH_SH (4, 4), dref);
  for (gint k = COMP_DIAG; k <= COMP_INTERLEAVE; k++)
    {
      g_autoptr(LtTensor) x0 = oh_leaf_new (shapes[k][0], OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) x1 = NULL;
      LtTensor *xs[2] = { x0, NULL };
      gsize     n = 1;

      if (shapes[k][1].n)
        {
          x1 = oh_leaf_new (shapes[k][1], OH_LAY_CONTIG, OH_DIST_UNIT);
          xs[n++] = x1;
        }
      oh_gradcheck (gc_comp, GINT_TO_POINTER (k), xs, n);
    }
  /* the diag of a matrix, too */
  {
    g_autoptr(LtTensor) m = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);

    oh_gradcheck (gc_comp, GINT_TO_POINTER (COMP_DIAG), &m, 1);
  }
}

/* plain test functions: with the reproducible stream a spec's case gets */
static void
test_einsum (void)
{
  oh_rng = g_rand_new_with_seed (g_str_hash (g_test_get_path ()));
  einsum_case ();
  g_clear_pointer (&oh_rng, g_rand_free);
}

static void
test_compositions (void)
{
  oh_rng = g_rand_new_with_seed (g_str_hash (g_test_get_path ()));
  compositions_case ();
  g_clear_pointer (&oh_rng, g_rand_free);
}

#define OP_DATA(op) GINT_TO_POINTER (op)

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_PROD, "prod", NULL, prod_forward, NULL, prod_backward, NULL),
  OH_SPEC (LT_OP_LOGSUMEXP, "logsumexp", NULL, lse_forward, NULL, lse_backward, NULL),
  OH_SPEC (LT_OP_CUMSUM, "cumsum", OP_DATA (LT_OP_CUMSUM), scan_forward, NULL, scan_backward, NULL),
  OH_SPEC (LT_OP_CUMPROD,
           "cumprod",
           OP_DATA (LT_OP_CUMPROD),
           scan_forward,
           NULL,
           scan_backward,
           NULL),
  OH_SPEC (LT_OP_CUMPROD_GRAD, "cumprod_grad", NULL, cumprod_grad_forward, NULL, NULL, NULL),
  OH_SPEC (LT_OP_DIAGONAL, "diagonal", NULL, diagonal_forward, NULL, diagonal_backward, NULL),
  OH_SPEC (LT_OP_TRIL, "tril", OP_DATA (LT_OP_TRIL), band_forward, NULL, band_backward, NULL),
  OH_SPEC (LT_OP_TRIU, "triu", OP_DATA (LT_OP_TRIU), band_forward, NULL, band_backward, NULL),
  OH_SPEC (LT_OP_FLIP, "flip", OP_DATA (LT_OP_FLIP), flip_forward, NULL, flip_roll_backward, NULL),
  OH_SPEC (LT_OP_ROLL, "roll", OP_DATA (LT_OP_ROLL), roll_forward, NULL, flip_roll_backward, NULL),
  OH_SPEC (LT_OP_REPEAT, "repeat", NULL, repeat_forward, NULL, repeat_backward, NULL),
};

guint
oh_register_extra (void)
{
  guint n = oh_add_specs (specs, G_N_ELEMENTS (specs));

  /* compositions of ops on the CPU (they run index_select, which the
   * CUDA backend lacks) */
  if (oh_device == LT_DEVICE_CPU)
    {
      g_test_add_func ("/ops/compose/einsum", test_einsum);
      g_test_add_func ("/ops/compose/others", test_compositions);
      n += 2;
    }
  return n;
}
