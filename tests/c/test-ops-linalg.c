/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the matrix products mm,
 * bmm and addmm, and matmul through them.
 */

#include "ops-harness.h"

/* Matrix products */

/* out[b] = beta * bias + alpha * a[b] @ c[b], batches of 2-D row-major
 * matrices; @bias is broadcast to (M, N) or NULL. */
static double *
matmul_ref (const double *a, const double *c, gint64 B, gint64 M, gint64 K, gint64 N,
            const OhArr *bias, double beta, double alpha)
{
  double *out = g_new0 (double, MAX (B * M * N, 1));

  for (gint64 b = 0; b < B; b++)
    for (gint64 i = 0; i < M; i++)
      for (gint64 j = 0; j < N; j++)
        {
          double acc = 0;

          for (gint64 k = 0; k < K; k++)
            acc += a[(b * M + i) * K + k] * c[(b * K + k) * N + j];
          out[(b * M + i) * N + j] = alpha * acc;
          if (bias && beta != 0)
            {
              gint64 idx[2] = { i, j };
              out[(b * M + i) * N + j] += beta * bias->v[oh_bindex (idx, 2, bias->s)];
            }
        }
  return out;
}

/* Integer products wrap around like the dtype. */
static void
check_product (LtTensor *y, LtDType dt, OhShape s, double *ref, gint64 K)
{
  if (dt == F32)
    oh_check_tol (y, dt, s, ref, 1e-5, 1e-6 * MAX (K, 1) * 16);
  else if (dt == F64)
    oh_check_tol (y, dt, s, ref, 1e-10, 1e-12 * MAX (K, 1) * 16);
  else
    {
      for (gint64 k = 0; k < oh_numel (s); k++)
        ref[k] = oh_wrap_to (ref[k], dt);
      oh_check (y, dt, s, ref);
    }
}

static void
mm_run (gint64 M, gint64 K, gint64 N, LtDType dt, OhLay la, OhLay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_new (OH_SH (M, K), dt, la, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (K, N), dt, lb, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mm (a.t, b.t, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, 1, M, K, N, NULL, 0, 1);

  g_assert_no_error (error);
  check_product (y, dt, OH_SH (M, N), ref, K);
}

static void
mm_fw_contiguous (gconstpointer d)
{
  mm_run (7, 13, 5, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  mm_run (1, 5, 1, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
}

static void
mm_fw_transposed (gconstpointer d)
{
  mm_run (7, 13, 5, F32, OH_LAY_T, OH_LAY_T);
  mm_run (6, 3, 4, F32, OH_LAY_T, OH_LAY_CONTIG);
  mm_run (1, 4, 3, F32, OH_LAY_T, OH_LAY_T);
  mm_run (3, 4, 1, F32, OH_LAY_T, OH_LAY_T);
}

static void
mm_fw_strided (gconstpointer d)
{
  mm_run (5, 6, 7, F32, OH_LAY_STEP, OH_LAY_STEP);
  mm_run (5, 6, 7, F32, OH_LAY_EXPAND, OH_LAY_T);
  mm_run (5, 6, 7, F32, OH_LAY_CONTIG, OH_LAY_EXPAND);
}

/* rows apart: BLAS's leading dimension exceeds the matrix width */
static void
mm_fw_padded (gconstpointer d)
{
  mm_run (5, 6, 7, F32, OH_LAY_TPAD, OH_LAY_PAD);
  mm_run (5, 6, 7, F64, OH_LAY_PAD, OH_LAY_TPAD);
  mm_run (1, 6, 7, F32, OH_LAY_TPAD, OH_LAY_TPAD);
  mm_run (5, 6, 1, F32, OH_LAY_PAD, OH_LAY_PAD);
  mm_run (4, 3, 5, I32, OH_LAY_TPAD, OH_LAY_PAD);
}

static void
mm_fw_empty (gconstpointer d)
{
  mm_run (0, 4, 3, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  mm_run (3, 0, 4, F32, OH_LAY_CONTIG, OH_LAY_T);
  mm_run (3, 4, 0, F64, OH_LAY_T, OH_LAY_CONTIG);
}

static void
mm_fw_large (gconstpointer d)
{
  mm_run (300, 20, 251, F32, OH_LAY_CONTIG, OH_LAY_T);
}

/* Shapes around the register blocks and vector lengths of the CPU
 * backend's small float32 products (lt-cpu-blas.c: rows of 6, vectors of 8
 * or 16, blocks of up to 4 vectors; dot products in blocks of 4 x 4 or 2 x
 * 4 with a masked last vector), in both of their forms (B with a unit
 * stride along N; A and B with a unit stride along K), the form that goes
 * to BLAS (both transposed), rows split across threads, and B too large
 * for them */
static void
mm_fw_blocks (gconstpointer d)
{
  static const gint64 ms[] = { 1, 5, 7, 13 }, ns[] = { 1, 9, 17, 65, 120 };
  static const gint64 ks[] = { 1, 7, 33, 84 };
  static const OhLay lays[][2] = {
    { OH_LAY_CONTIG, OH_LAY_CONTIG }, { OH_LAY_T, OH_LAY_CONTIG }, { OH_LAY_CONTIG, OH_LAY_T }, { OH_LAY_T, OH_LAY_T },
    { OH_LAY_PAD, OH_LAY_TPAD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ms); i++)
    for (guint j = 0; j < G_N_ELEMENTS (ns); j++)
      for (guint k = 0; k < G_N_ELEMENTS (ks); k++)
        for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
          mm_run (ms[i], ks[k], ns[j], F32, lays[l][0], lays[l][1]);
  mm_run (256, 400, 120, F32, OH_LAY_CONTIG, OH_LAY_T);
  mm_run (120, 256, 400, F32, OH_LAY_T, OH_LAY_CONTIG);
  mm_run (64, 700, 500, F32, OH_LAY_CONTIG, OH_LAY_T);
}

static void
mm_fw_float64 (gconstpointer d)
{
  mm_run (7, 13, 5, F64, OH_LAY_T, OH_LAY_STEP);
}

static void
mm_fw_integer (gconstpointer d)
{
  const LtDType dts[] = { I64, I32, I16, I8, U8 };

  for (guint i = 0; i < G_N_ELEMENTS (dts); i++)
    {
      mm_run (4, 5, 3, dts[i], OH_LAY_CONTIG, OH_LAY_CONTIG);
      mm_run (4, 5, 3, dts[i], OH_LAY_T, OH_LAY_STEP);
    }
}

static void
mm_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) c = oh_arr_new (OH_SH (4, 2), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) v = oh_arr_new (OH_SH (4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (OH_SH (2, 2), BOOL, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_mm (a.t, b.t, &error);

  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[3, 4]"));
  g_clear_error (&error);
  y = lt_tensor_mm (a.t, c.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
  g_clear_error (&error);
  y = lt_tensor_mm (a.t, v.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_mm (m.t, m.t, &error);
  oh_check_error (y, error, LT_ERROR_DTYPE);
}

/* matmul of vectors and matrices goes through mul + sum or mm */
static void
mm_fw_matmul (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) u = oh_arr_new (OH_SH (5), F32, OH_LAY_STEP, OH_DIST_UNIT);
  g_auto(OhArr) v = oh_arr_new (OH_SH (5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) m = oh_arr_new (OH_SH (3, 5), F32, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) n = oh_arr_new (OH_SH (5, 2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) dot = lt_tensor_matmul (u.t, v.t, &error);
  g_autoptr(LtTensor) mv = lt_tensor_matmul (m.t, v.t, &error);
  g_autoptr(LtTensor) vm = lt_tensor_matmul (u.t, n.t, &error);
  g_autofree double *rdot = matmul_ref (u.v, v.v, 1, 1, 5, 1, NULL, 0, 1);
  g_autofree double *rmv = matmul_ref (m.v, v.v, 1, 3, 5, 1, NULL, 0, 1);
  g_autofree double *rvm = matmul_ref (u.v, n.v, 1, 1, 5, 2, NULL, 0, 1);

  g_assert_no_error (error);
  check_product (dot, F32, OH_SH0, rdot, 5);
  check_product (mv, F32, OH_SH (3), rmv, 5);
  check_product (vm, F32, OH_SH (2), rvm, 5);
}

static const OhCase mm_forward[] = {
  { "blocks", mm_fw_blocks },
  { "contiguous", mm_fw_contiguous },
  { "transposed", mm_fw_transposed },
  { "strided", mm_fw_strided },
  { "padded", mm_fw_padded },
  { "empty", mm_fw_empty },
  { "large", mm_fw_large },
  { "float64", mm_fw_float64 },
  { "integer", mm_fw_integer },
  { "errors", mm_fw_errors },
  { "matmul", mm_fw_matmul },
  { NULL, NULL }
};

static void
bmm_run (gint64 B, gint64 M, gint64 K, gint64 N, LtDType dt, OhLay la, OhLay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_new (OH_SH (B, M, K), dt, la, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (B, K, N), dt, lb, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_bmm (a.t, b.t, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, B, M, K, N, NULL, 0, 1);

  g_assert_no_error (error);
  check_product (y, dt, OH_SH (B, M, N), ref, K);
}

static void
bmm_fw_contiguous (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
}

static void
bmm_fw_transposed (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F32, OH_LAY_T, OH_LAY_T);
  bmm_run (2, 3, 7, 5, F32, OH_LAY_CONTIG, OH_LAY_T);
}

static void
bmm_fw_strided (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F32, OH_LAY_STEP, OH_LAY_CONTIG);
  bmm_run (3, 4, 5, 2, F32, OH_LAY_TPAD, OH_LAY_PAD);
  bmm_run (2, 4, 5, 3, F64, OH_LAY_PAD, OH_LAY_TPAD);
}

static void
bmm_fw_expanded (gconstpointer d)
{
  bmm_run (4, 3, 5, 2, F32, OH_LAY_EXPAND, OH_LAY_CONTIG);
  bmm_run (4, 3, 5, 2, F32, OH_LAY_T, OH_LAY_EXPAND);
}

static void
bmm_fw_empty (gconstpointer d)
{
  bmm_run (0, 3, 4, 2, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  bmm_run (2, 3, 0, 2, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  bmm_run (2, 0, 3, 2, F64, OH_LAY_T, OH_LAY_CONTIG);
}

static void
bmm_fw_float64 (gconstpointer d)
{
  bmm_run (3, 4, 5, 2, F64, OH_LAY_T, OH_LAY_STEP);
}

static void
bmm_fw_integer (gconstpointer d)
{
  bmm_run (2, 3, 4, 2, I64, OH_LAY_T, OH_LAY_CONTIG);
  bmm_run (2, 3, 4, 2, I32, OH_LAY_CONTIG, OH_LAY_STEP);
  bmm_run (2, 3, 4, 2, U8, OH_LAY_CONTIG, OH_LAY_T);
}

/* matmul with batch dims broadcast, through bmm */
static void
bmm_matmul_one (OhShape sa, OhShape sb)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_new (sa, F64, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (sb, F64, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_matmul (a.t, b.t, &error);
  /* vectors become matrices, batch dims broadcast */
  OhShape ma = sa.n == 1 ? OH_SH (1, sa.d[0]) : sa;
  OhShape mb = sb.n == 1 ? OH_SH (sb.d[0], 1) : sb;
  OhShape ba = { { 0 }, ma.n - 2 }, bb = { { 0 }, mb.n - 2 }, batch, os;
  gint64 M = ma.d[ma.n - 2], K = ma.d[ma.n - 1], N = mb.d[mb.n - 1], B, idx[LT_MAX_DIMS];
  g_autofree double *ref = NULL;

  g_assert_no_error (error);
  memcpy (ba.d, ma.d, ba.n * sizeof (gint64));
  memcpy (bb.d, mb.d, bb.n * sizeof (gint64));
  batch = oh_broadcast (ba, bb);
  B = oh_numel (batch);
  ref = g_new0 (double, MAX (B * M * N, 1));
  for (gint64 k = 0; k < B; k++)
    {
      g_autofree double *r = NULL;

      oh_unravel (k, batch, idx);
      r = matmul_ref (a.v + oh_bindex (idx, batch.n, ba) * M * K,
                      b.v + oh_bindex (idx, batch.n, bb) * K * N, 1, M, K, N, NULL, 0, 1);
      memcpy (ref + k * M * N, r, M * N * sizeof (double));
    }
  os = batch;
  if (sa.n > 1)
    os.d[os.n++] = M;
  if (sb.n > 1)
    os.d[os.n++] = N;
  check_product (y, F64, os, ref, K);
}

static void
bmm_fw_matmul (gconstpointer d)
{
  bmm_matmul_one (OH_SH (3, 4, 5), OH_SH (5, 2));
  bmm_matmul_one (OH_SH (2, 1, 4, 5), OH_SH (3, 5, 2));
  bmm_matmul_one (OH_SH (4), OH_SH (2, 4, 3));
  bmm_matmul_one (OH_SH (2, 3, 4), OH_SH (4));
  bmm_matmul_one (OH_SH (3, 4), OH_SH (2, 1, 4, 2));
}

static void
bmm_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) a = oh_arr_new (OH_SH (2, 3, 4), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (3, 4, 2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) c = oh_arr_new (OH_SH (4, 2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) s = oh_arr_new (OH_SH0, F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_bmm (a.t, b.t, &error);

  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_bmm (a.t, c.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
  g_clear_error (&error);
  y = lt_tensor_matmul (s.t, c.t, &error);
  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase bmm_forward[] = {
  { "contiguous", bmm_fw_contiguous },
  { "transposed", bmm_fw_transposed },
  { "strided", bmm_fw_strided },
  { "expanded", bmm_fw_expanded },
  { "empty", bmm_fw_empty },
  { "float64", bmm_fw_float64 },
  { "integer", bmm_fw_integer },
  { "matmul", bmm_fw_matmul },
  { "errors", bmm_fw_errors },
  { NULL, NULL }
};

static void
addmm_run (OhShape sbias, gint64 M, gint64 K, gint64 N, double beta, double alpha, LtDType dt,
           OhLay la, OhLay lb)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) c = oh_arr_new (sbias, dt, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) a = oh_arr_new (OH_SH (M, K), dt, la, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (K, N), dt, lb, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_addmm (c.t, a.t, b.t, beta, alpha, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, 1, M, K, N, &c, beta, alpha);

  g_assert_no_error (error);
  check_product (y, dt, OH_SH (M, N), ref, K + 1);
}

static void
addmm_fw_bias (gconstpointer d)
{
  addmm_run (OH_SH (4, 3), 4, 5, 3, 1, 1, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  addmm_run (OH_SH (3), 4, 5, 3, 1, 1, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  addmm_run (OH_SH (4, 1), 4, 5, 3, 1, 1, F32, OH_LAY_T, OH_LAY_CONTIG);
  addmm_run (OH_SH0, 4, 5, 3, 1, 1, F32, OH_LAY_CONTIG, OH_LAY_T);
}

static void
addmm_fw_alpha_beta (gconstpointer d)
{
  addmm_run (OH_SH (3), 4, 5, 3, 0.5, 2, F32, OH_LAY_T, OH_LAY_T);
  addmm_run (OH_SH (4, 3), 4, 5, 3, -1, 0.25, F64, OH_LAY_STEP, OH_LAY_CONTIG);
  addmm_run (OH_SH (4, 1), 4, 5, 3, 2, -1, F32, OH_LAY_TPAD, OH_LAY_PAD);
}

/* a linear layer's shapes (x @ W^T + b) on the small float32 products,
 * and alpha and beta on both of their forms */
static void
addmm_fw_linear (gconstpointer d)
{
  static const gint64 shapes[][3] = { { 4, 400, 120 }, { 64, 120, 84 }, { 5, 84, 10 },
                                      { 7, 17, 33 } };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      gint64 M = shapes[i][0], K = shapes[i][1], N = shapes[i][2];

      addmm_run (OH_SH (N), M, K, N, 1, 1, F32, OH_LAY_CONTIG, OH_LAY_T);
      addmm_run (OH_SH (N), M, K, N, 0.5, 2, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
      addmm_run (OH_SH (M, N), M, K, N, -1, 0.25, F32, OH_LAY_T, OH_LAY_CONTIG);
      addmm_run (OH_SH (M, 1), M, K, N, 2, -1, F32, OH_LAY_CONTIG, OH_LAY_T);
    }
}

static void
addmm_fw_empty (gconstpointer d)
{
  addmm_run (OH_SH (3), 4, 0, 3, 0.5, 2, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
  addmm_run (OH_SH (3), 0, 2, 3, 1, 1, F32, OH_LAY_CONTIG, OH_LAY_CONTIG);
}

static void
addmm_fw_integer (gconstpointer d)
{
  addmm_run (OH_SH (3), 4, 5, 3, 1, 2, I64, OH_LAY_T, OH_LAY_CONTIG);
  addmm_run (OH_SH (4, 3), 4, 5, 3, 1, 1, I32, OH_LAY_CONTIG, OH_LAY_STEP);
}

/* beta = 0 ignores the added tensor, NaN included (torch.addmm) */
static void
addmm_fw_beta_zero (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  double nan3[] = { NAN, NAN, NAN };
  g_auto(OhArr) c = oh_arr_from (nan3, OH_SH (3), F32, OH_LAY_CONTIG);
  g_auto(OhArr) a = oh_arr_new (OH_SH (4, 5), F32, OH_LAY_T, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (5, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_addmm (c.t, a.t, b.t, 0, 1.5, &error);
  g_autofree double *ref = matmul_ref (a.v, b.v, 1, 4, 5, 3, NULL, 0, 1.5);

  g_assert_no_error (error);
  check_product (y, F32, OH_SH (4, 3), ref, 5);
}

static void
addmm_fw_errors (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_auto(OhArr) c = oh_arr_new (OH_SH (2), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) a = oh_arr_new (OH_SH (4, 5), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_auto(OhArr) b = oh_arr_new (OH_SH (5, 3), F32, OH_LAY_CONTIG, OH_DIST_UNIT);
  g_autoptr(LtTensor) y = lt_tensor_addmm (c.t, a.t, b.t, 1, 1, &error);

  oh_check_error (y, error, LT_ERROR_SHAPE);
}

static const OhCase addmm_forward[] = {
  { "linear", addmm_fw_linear },
  { "bias", addmm_fw_bias },
  { "alpha_beta", addmm_fw_alpha_beta },
  { "empty", addmm_fw_empty },
  { "integer", addmm_fw_integer },
  { "beta_zero", addmm_fw_beta_zero },
  { "errors", addmm_fw_errors },
  { NULL, NULL }
};

/* Backward */

static LtTensor *
gc_mm (LtTensor **in, gsize n, gpointer data)
{
  g_autoptr(GError) error = NULL;
  LtOp op = GPOINTER_TO_INT (data);
  LtTensor *y = op == LT_OP_MM ? lt_tensor_mm (in[0], in[1], &error)
              : op == LT_OP_BMM ? lt_tensor_bmm (in[0], in[1], &error)
              : lt_tensor_matmul (in[0], in[1], &error);

  g_assert_no_error (error);
  return y;
}

static void
product_bw_run (LtOp op, OhShape sa, OhLay la, OhShape sb, OhLay lb)
{
  LtTensor *in[2] = { oh_leaf_new (sa, la, OH_DIST_UNIT), oh_leaf_new (sb, lb, OH_DIST_UNIT) };

  if (oh_numel (sa) == 0 || oh_numel (sb) == 0)
    oh_backward_shapes (gc_mm, GINT_TO_POINTER (op), in, 2);
  else
    oh_gradcheck (gc_mm, GINT_TO_POINTER (op), in, 2);
  g_object_unref (in[0]);
  g_object_unref (in[1]);
}

static void
mm_bw_contiguous (gconstpointer d)
{
  product_bw_run (LT_OP_MM, OH_SH (3, 4), OH_LAY_CONTIG, OH_SH (4, 2), OH_LAY_CONTIG);
}

static void
mm_bw_transposed (gconstpointer d)
{
  product_bw_run (LT_OP_MM, OH_SH (3, 4), OH_LAY_T, OH_SH (4, 2), OH_LAY_T);
  product_bw_run (LT_OP_MM, OH_SH (3, 4), OH_LAY_STEP, OH_SH (4, 2), OH_LAY_CONTIG);
  product_bw_run (LT_OP_MM, OH_SH (3, 4), OH_LAY_TPAD, OH_SH (4, 2), OH_LAY_PAD);
}

static void
mm_bw_empty (gconstpointer d)
{
  product_bw_run (LT_OP_MM, OH_SH (0, 3), OH_LAY_CONTIG, OH_SH (3, 2), OH_LAY_CONTIG);
  product_bw_run (LT_OP_MM, OH_SH (2, 0), OH_LAY_CONTIG, OH_SH (0, 3), OH_LAY_CONTIG);
}

static void
mm_bw_matmul (gconstpointer d)
{
  product_bw_run (0, OH_SH (4), OH_LAY_CONTIG, OH_SH (4, 3), OH_LAY_T);
  product_bw_run (0, OH_SH (3, 4), OH_LAY_T, OH_SH (4), OH_LAY_CONTIG);
  product_bw_run (0, OH_SH (3), OH_LAY_STEP, OH_SH (3), OH_LAY_CONTIG);
}

/* A gradient comes in its input's layout (PyTorch's mm_mat1_backward and
 * mm_mat2_backward): for x (stored transposed) @ w.t (), as in a linear
 * layer, the gradients of x and of w.t () are stored column by column, so
 * w's own gradient is contiguous; hooks see the strides, the values are
 * checked against sums computed here. */
static LtTensor *
layout_hook (LtTensor *grad, gpointer data, GError **error)
{
  gint64 *strides = data;
  guint nd;
  const gint64 *st = lt_tensor_get_strides (grad, &nd);

  g_assert_cmpuint (nd, ==, 2);
  strides[0] = st[0];
  strides[1] = st[1];
  return NULL;
}

static void
mm_bw_layout (gconstpointer d)
{
  for (guint with_bias = 0; with_bias < 2; with_bias++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) x = oh_leaf_new (OH_SH (3, 4), OH_LAY_T, OH_DIST_UNIT);
      g_autoptr(LtTensor) w = oh_leaf_new (OH_SH (5, 4), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) b = oh_leaf_new (OH_SH (5), OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autoptr(LtTensor) wt = lt_tensor_t (w, &error);
      g_autoptr(LtTensor) y = NULL;
      g_auto(OhArr) g = oh_arr_new (OH_SH (3, 5), F64, OH_LAY_CONTIG, OH_DIST_UNIT);
      g_autofree double *xv = oh_values_of (x);
      g_autofree double *wv = oh_values_of (w);
      double gx[12] = { 0 }, gw[20] = { 0 };
      gint64 xs[2] = { 0 }, ws[2] = { 0 };

      g_assert_no_error (error);
      g_assert_cmpuint (lt_tensor_register_hook (x, layout_hook, xs, NULL, &error), >, 0);
      g_assert_cmpuint (lt_tensor_register_hook (wt, layout_hook, ws, NULL, &error), >, 0);
      y = with_bias ? lt_tensor_addmm (b, x, wt, 1.0, 1.0, &error) : lt_tensor_mm (x, wt, &error);
      g_assert_no_error (error);
      g_assert_true (lt_tensor_backward (y, g.t, FALSE, &error));
      g_assert_no_error (error);
      /* x (3, 4) and w.t () (4, 5): unit stride down the columns */
      g_assert_cmpint (xs[0], ==, 1);
      g_assert_cmpint (xs[1], ==, 3);
      g_assert_cmpint (ws[0], ==, 1);
      g_assert_cmpint (ws[1], ==, 4);
      g_assert_true (lt_tensor_is_contiguous (lt_tensor_get_grad (w)));
      for (int m = 0; m < 3; m++)
        for (int o = 0; o < 5; o++)
          for (int i = 0; i < 4; i++)
            {
              gx[m * 4 + i] += g.v[m * 5 + o] * wv[o * 4 + i];
              gw[o * 4 + i] += g.v[m * 5 + o] * xv[m * 4 + i];
            }
      oh_check (lt_tensor_get_grad (x), F64, OH_SH (3, 4), gx);
      oh_check (lt_tensor_get_grad (w), F64, OH_SH (5, 4), gw);
    }
}

static const OhCase mm_backward[] = {
  { "contiguous", mm_bw_contiguous },
  { "layout", mm_bw_layout },
  { "transposed", mm_bw_transposed },
  { "empty", mm_bw_empty },
  { "matmul", mm_bw_matmul },
  { NULL, NULL }
};

static void
bmm_bw_contiguous (gconstpointer d)
{
  product_bw_run (LT_OP_BMM, OH_SH (2, 3, 4), OH_LAY_CONTIG, OH_SH (2, 4, 2), OH_LAY_CONTIG);
}

static void
bmm_bw_transposed (gconstpointer d)
{
  product_bw_run (LT_OP_BMM, OH_SH (2, 3, 4), OH_LAY_T, OH_SH (2, 4, 2), OH_LAY_STEP);
}

static void
bmm_bw_empty (gconstpointer d)
{
  product_bw_run (LT_OP_BMM, OH_SH (0, 3, 4), OH_LAY_CONTIG, OH_SH (0, 4, 2), OH_LAY_CONTIG);
}

static void
bmm_bw_matmul (gconstpointer d)
{
  product_bw_run (0, OH_SH (2, 1, 3, 2), OH_LAY_T, OH_SH (3, 2, 2), OH_LAY_CONTIG);
  product_bw_run (0, OH_SH (2, 3, 4), OH_LAY_CONTIG, OH_SH (4), OH_LAY_CONTIG);
}

static const OhCase bmm_backward[] = {
  { "contiguous", bmm_bw_contiguous },
  { "transposed", bmm_bw_transposed },
  { "empty", bmm_bw_empty },
  { "matmul", bmm_bw_matmul },
  { NULL, NULL }
};

typedef struct
{
  double beta, alpha;
} AddmmCall;

static LtTensor *
gc_addmm (LtTensor **in, gsize n, gpointer data)
{
  const AddmmCall *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_tensor_addmm (in[0], in[1], in[2], c->beta, c->alpha, &error);

  g_assert_no_error (error);
  return y;
}

static void
addmm_bw_run (OhShape sbias, OhLay la, OhLay lb, double beta, double alpha)
{
  AddmmCall c = { beta, alpha };
  LtTensor *in[3] = { oh_leaf_new (sbias, OH_LAY_CONTIG, OH_DIST_UNIT), oh_leaf_new (OH_SH (3, 4), la, OH_DIST_UNIT),
                      oh_leaf_new (OH_SH (4, 2), lb, OH_DIST_UNIT) };

  oh_gradcheck (gc_addmm, &c, in, 3);
  for (guint i = 0; i < 3; i++)
    g_object_unref (in[i]);
}

static void
addmm_bw_bias (gconstpointer d)
{
  addmm_bw_run (OH_SH (3, 2), OH_LAY_CONTIG, OH_LAY_CONTIG, 1, 1);
  addmm_bw_run (OH_SH (2), OH_LAY_CONTIG, OH_LAY_CONTIG, 1, 1);
  addmm_bw_run (OH_SH0, OH_LAY_CONTIG, OH_LAY_CONTIG, 1, 1);
}

static void
addmm_bw_alpha_beta (gconstpointer d)
{
  addmm_bw_run (OH_SH (3, 1), OH_LAY_CONTIG, OH_LAY_CONTIG, 0.5, -2);
  addmm_bw_run (OH_SH (2), OH_LAY_CONTIG, OH_LAY_CONTIG, 0, 3);
}

static void
addmm_bw_transposed (gconstpointer d)
{
  addmm_bw_run (OH_SH (2), OH_LAY_T, OH_LAY_T, 2, 0.5);
}

static const OhCase addmm_backward[] = {
  { "bias", addmm_bw_bias },
  { "alpha_beta", addmm_bw_alpha_beta },
  { "transposed", addmm_bw_transposed },
  { NULL, NULL }
};

/* The specs, in the order of the op table */

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_MM, "mm", NULL, mm_forward, NULL, mm_backward, NULL),
  OH_SPEC (LT_OP_BMM, "bmm", NULL, bmm_forward, NULL, bmm_backward, NULL),
  OH_SPEC (LT_OP_ADDMM, "addmm", NULL, addmm_forward, NULL, addmm_backward, NULL),
};

guint
oh_register_linalg (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
