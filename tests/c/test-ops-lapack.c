/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The op-table harness (test-ops.c, ops-harness.h): the linear algebra ops
 * over LAPACK (ops/lt-linalg-lapack.c). Forward: inv, solve and det
 * against Gauss-Jordan elimination in double here; slogdet against that
 * determinant; cholesky, eigh, svd and qr through what defines them (the
 * factors' shapes, triangles, orthonormality, order, and the product that
 * gives back the input, in double), since the signs of eigenvectors,
 * singular vectors and R's diagonal are LAPACK's choice. Every case runs
 * float32 and float64, contiguous and strided inputs, batches (also empty
 * ones and 0 x 0 matrices) and the errors. Backward: float64 gradcheck and
 * gradgradcheck (oh_gradcheck) of each op, through functions that do not
 * depend on those signs.
 */

#include "ops-harness.h"

/* Values: uniform in [-1, 1] plus @diag on each diagonal, batches of (m, n) */
static double *
mat_values (gint64 batch, gint64 m, gint64 n, double diag)
{
  double *v = g_new0 (double, MAX (batch * m * n, 1));

  for (gint64 b = 0; b < batch; b++)
    for (gint64 i = 0; i < m; i++)
      for (gint64 j = 0; j < n; j++)
        v[(b * m + i) * n + j] = g_rand_double_range (oh_rng, -1, 1) + (i == j ? diag : 0);
  return v;
}

/* Symmetric positive-definite: X X^T + n I */
static double *
spd_values (gint64 batch, gint64 n)
{
  g_autofree double *x = mat_values (batch, n, n, 0);
  double            *v = g_new0 (double, MAX (batch * n * n, 1));

  for (gint64 b = 0; b < batch; b++)
    for (gint64 i = 0; i < n; i++)
      for (gint64 j = 0; j < n; j++)
        {
          double acc = i == j ? n : 0;

          for (gint64 k = 0; k < n; k++)
            acc += x[(b * n + i) * n + k] * x[(b * n + j) * n + k];
          v[(b * n + i) * n + j] = acc;
        }
  return v;
}

/* Gauss-Jordan with partial pivoting on one n x n matrix: its determinant,
 * and A^-1 B into @x (n x k) when @b is given. */
static double
gauss (const double *a, gint64 n, const double *b, gint64 k, double *x)
{
  g_autofree double *w = g_new0 (double, MAX (n * (n + k), 1));
  gint64             c = n + k;
  double             det = 1;

  for (gint64 i = 0; i < n; i++)
    {
      for (gint64 j = 0; j < n; j++)
        w[i * c + j] = a[i * n + j];
      for (gint64 j = 0; j < k; j++)
        w[i * c + n + j] = b ? b[i * k + j] : 0;
    }
  for (gint64 col = 0; col < n; col++)
    {
      gint64 p = col;

      for (gint64 i = col + 1; i < n; i++)
        if (fabs (w[i * c + col]) > fabs (w[p * c + col]))
          p = i;
      if (p != col)
        {
          det = -det;
          for (gint64 j = 0; j < c; j++)
            {
              double t = w[p * c + j];

              w[p * c + j] = w[col * c + j];
              w[col * c + j] = t;
            }
        }
      det *= w[col * c + col];
      if (w[col * c + col] == 0)
        return 0;
      for (gint64 i = 0; i < n; i++)
        if (i != col)
          {
            double f = w[i * c + col] / w[col * c + col];

            for (gint64 j = col; j < c; j++)
              w[i * c + j] -= f * w[col * c + j];
          }
    }
  for (gint64 i = 0; i < n && x; i++)
    for (gint64 j = 0; j < k; j++)
      x[i * k + j] = w[i * c + n + j] / w[i * c + i];
  return det;
}

static double
tol_of (LtDType dt)
{
  return dt == F64 ? 1e-10 : 2e-4;
}

static const OhLay lays[] = { OH_LAY_CONTIG, OH_LAY_T, OH_LAY_STEP };

/* inv, solve, det and slogdet of batches of square matrices */

typedef struct
{
  LtOp op;
} SqDef;

static void
fw_square (gconstpointer d)
{
  const SqDef        *def = d;
  static const gint64 shapes[][3] = {
    { 1, 1, 1 }, { 1, 3, 3 }, { 4, 5, 5 }, { 0, 3, 3 }, { 2, 0, 0 }
  };

  for (guint dti = 0; dti < 2; dti++)
    for (guint si = 0; si < G_N_ELEMENTS (shapes); si++)
      for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
        {
          LtDType            dt = dti ? F64 : F32;
          gint64             batch = shapes[si][0], n = shapes[si][1], k = 2;
          OhShape            s = OH_SH (batch, n, n), sb = OH_SH (batch, n, k);
          g_autofree double *v = mat_values (batch, n, n, 2.0);
          g_autofree double *vb = mat_values (batch, n, k, 0);
          g_auto (OhArr) a = oh_arr_from (v, s, dt, lays[l]);
          g_auto (OhArr) b = oh_arr_from (vb, sb, dt, OH_LAY_CONTIG);
          g_autofree double *ref = g_new0 (double, MAX (batch * MAX (n * MAX (n, k), 1), 1));
          g_autofree double *ref2 = g_new0 (double, MAX (batch, 1));
          g_autoptr(GError) error = NULL;
          g_autoptr(LtTensor) y = NULL;
          g_autoptr(LtTensor) y2 = NULL;

          for (gint64 bi = 0; bi < batch; bi++)
            {
              g_autofree double *id = g_new0 (double, MAX (n * n, 1));
              const double      *ab = a.v + bi * n * n;
              double             det;

              for (gint64 i = 0; i < n; i++)
                id[i * n + i] = 1;
              if (def->op == LT_OP_LINALG_INV)
                det = gauss (ab, n, id, n, ref + bi * n * n);
              else if (def->op == LT_OP_LINALG_SOLVE)
                det = gauss (ab, n, b.v + bi * n * k, k, ref + bi * n * k);
              else
                det = gauss (ab, n, NULL, 0, NULL);
              if (def->op == LT_OP_LINALG_DET)
                ref[bi] = det;
              else if (def->op == LT_OP_LINALG_SLOGDET)
                {
                  ref[bi] = det > 0 ? 1 : det < 0 ? -1 : 0;
                  ref2[bi] = log (fabs (det));
                }
            }
          switch (def->op)
            {
              case LT_OP_LINALG_INV:
                y = lt_linalg_inv (a.t, &error);
                g_assert_no_error (error);
                oh_check_tol (y, dt, s, ref, tol_of (dt), tol_of (dt));
                break;
              case LT_OP_LINALG_SOLVE:
                y = lt_linalg_solve (a.t, b.t, &error);
                g_assert_no_error (error);
                oh_check_tol (y, dt, sb, ref, tol_of (dt), tol_of (dt));
                break;
              case LT_OP_LINALG_DET:
                y = lt_linalg_det (a.t, &error);
                g_assert_no_error (error);
                oh_check_tol (y, dt, OH_SH (batch), ref, tol_of (dt), tol_of (dt));
                break;
              default:
                y = lt_linalg_slogdet (a.t, &y2, &error);
                g_assert_no_error (error);
                oh_check_tol (y, dt, OH_SH (batch), ref, 0, 0);
                oh_check_tol (y2, dt, OH_SH (batch), ref2, tol_of (dt), tol_of (dt));
                break;
            }
        }
}

/* solve with a vector right-hand side and broadcast batches */
static void
fw_solve_shapes (gconstpointer d)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *v = mat_values (3, 4, 4, 2.0);
  g_autofree double *vb = mat_values (1, 4, 1, 0);
  g_autofree double *vb2 = mat_values (2, 4, 2, 0);
  g_auto (OhArr) a = oh_arr_from (v, OH_SH (3, 4, 4), F64, OH_LAY_CONTIG);
  g_auto (OhArr) a1 = oh_arr_from (v, OH_SH (1, 4, 4), F64, OH_LAY_CONTIG);
  g_auto (OhArr) b = oh_arr_from (vb, OH_SH (4), F64, OH_LAY_CONTIG);
  g_auto (OhArr) b2 = oh_arr_from (vb2, OH_SH (2, 1, 4, 2), F64, OH_LAY_CONTIG);
  g_autofree double *ref = g_new0 (double, 12);
  g_autofree double *ref2 = g_new0 (double, 16);
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) y2 = NULL;

  /* (3, 4, 4) with (4,): (3, 4) */
  for (gint64 bi = 0; bi < 3; bi++)
    gauss (a.v + bi * 16, 4, b.v, 1, ref + bi * 4);
  y = lt_linalg_solve (a.t, b.t, &error);
  g_assert_no_error (error);
  oh_check_tol (y, F64, OH_SH (3, 4), ref, 1e-10, 1e-10);
  /* (1, 4, 4) with (2, 1, 4, 2): (2, 1, 4, 2) */
  for (gint64 bi = 0; bi < 2; bi++)
    gauss (a1.v, 4, b2.v + bi * 8, 2, ref2 + bi * 8);
  y2 = lt_linalg_solve (a1.t, b2.t, &error);
  g_assert_no_error (error);
  oh_check_tol (y2, F64, OH_SH (2, 1, 4, 2), ref2, 1e-10, 1e-10);
}

/* Singular, non-square, integer and too-small inputs */
static void
fw_square_errors (gconstpointer d)
{
  const SqDef        *def = d;
  static const double sing[] = { 1, 2, 3, 2, 4, 6, 1, 0, 1 };
  g_autoptr(LtTensor) s = lt_tensor_new_from_doubles (sing, 9, (gint64[]){ 3, 3 }, 2, F64, NULL);
  g_autoptr(LtTensor) rect = lt_zeros ((gint64[]){ 2, 3 }, 2, F64, NULL);
  g_autoptr(LtTensor) ints = lt_zeros ((gint64[]){ 2, 2 }, 2, I64, NULL);
  g_autoptr(LtTensor) vec = lt_zeros ((gint64[]){ 3 }, 1, F64, NULL);
  g_autoptr(LtTensor) rhs = lt_ones ((gint64[]){ 3, 1 }, 2, F64, NULL);
  LtTensor *bad[] = { rect, ints, vec };
  LtError   codes[] = { LT_ERROR_SHAPE, LT_ERROR_DTYPE, LT_ERROR_SHAPE };

  for (guint i = 0; i <= G_N_ELEMENTS (bad); i++)
    {
      LtTensor *x = i < G_N_ELEMENTS (bad) ? bad[i] : s;
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) y = NULL;
      g_autoptr(LtTensor) y2 = NULL;

      switch (def->op)
        {
          case LT_OP_LINALG_INV:
            y = lt_linalg_inv (x, &error);
            break;
          case LT_OP_LINALG_SOLVE:
            y = lt_linalg_solve (x, rhs, &error);
            break;
          case LT_OP_LINALG_DET:
            y = lt_linalg_det (x, &error);
            break;
          default:
            y = lt_linalg_slogdet (x, &y2, &error);
            break;
        }
      if (x != s)
        {
          oh_check_error (y, error, codes[i]);
          continue;
        }
      /* a singular matrix: inv and solve fail naming U's zero diagonal
       * element; det is 0, slogdet (0, -inf) */
      if (def->op == LT_OP_LINALG_INV || def->op == LT_OP_LINALG_SOLVE)
        {
          oh_check_error (y, error, LT_ERROR_LINALG);
          g_assert_nonnull (strstr (error->message, def->op == LT_OP_LINALG_INV
                                                      ? "linalg.inv: The diagonal element"
                                                      : "linalg.solve: The diagonal element"));
          g_assert_nonnull (strstr (error->message, "singular"));
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpfloat (oh_value_at (y, 0), ==, 0.0);
          if (y2)
            g_assert_cmpfloat (oh_value_at (y2, 0), ==, -INFINITY);
        }
    }
  if (def->op == LT_OP_LINALG_INV)
    {
      /* the batch element is named */
      double two[18] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) b = NULL;
      g_autoptr(LtTensor) y = NULL;

      memcpy (two + 9, sing, sizeof sing);
      b = lt_tensor_new_from_doubles (two, 18, (gint64[]){ 2, 3, 3 }, 3, F64, NULL);
      y = lt_linalg_inv (b, &error);
      oh_check_error (y, error, LT_ERROR_LINALG);
      g_assert_nonnull (strstr (error->message, "(Batch element 1)"));
    }
}

/* Reading a float64 copy of row-major factors */
static double
at3 (const double *v, gint64 b, gint64 i, gint64 j, gint64 rows, gint64 cols)
{
  return v[(b * rows + i) * cols + j];
}

/* max |(X^T X)_ij - I_ij| over a batch of (rows, cols) (cols <= rows): columns orthonormal */
static double
ortho_cols_err (const double *x, gint64 batch, gint64 rows, gint64 cols)
{
  double err = 0;

  for (gint64 b = 0; b < batch; b++)
    for (gint64 i = 0; i < cols; i++)
      for (gint64 j = 0; j < cols; j++)
        {
          double acc = 0;

          for (gint64 k = 0; k < rows; k++)
            acc += at3 (x, b, k, i, rows, cols) * at3 (x, b, k, j, rows, cols);
          err = MAX (err, fabs (acc - (i == j)));
        }
  return err;
}

/* Transpose of a batch of (rows, cols) */
static double *
tr (const double *x, gint64 batch, gint64 rows, gint64 cols)
{
  double *t = g_new0 (double, MAX (batch * rows * cols, 1));

  for (gint64 b = 0; b < batch; b++)
    for (gint64 i = 0; i < rows; i++)
      for (gint64 j = 0; j < cols; j++)
        t[(b * cols + j) * rows + i] = x[(b * rows + i) * cols + j];
  return t;
}

/* max |(X diag (s) Y)_ij - A_ij|: X (m, k), s (k) or NULL, Y (k, n) */
static double
product_err (const double *x,
             const double *s,
             const double *y,
             const double *a,
             gint64        batch,
             gint64        m,
             gint64        k,
             gint64        n)
{
  double err = 0;

  for (gint64 b = 0; b < batch; b++)
    for (gint64 i = 0; i < m; i++)
      for (gint64 j = 0; j < n; j++)
        {
          double acc = 0;

          for (gint64 c = 0; c < k; c++)
            acc += at3 (x, b, i, c, m, k) * (s ? s[b * k + c] : 1) * at3 (y, b, c, j, k, n);
          err = MAX (err, fabs (acc - at3 (a, b, i, j, m, n)));
        }
  return err;
}

typedef struct
{
  LtOp op;
} DecDef;

static const gint64 dec_shapes[][3] = { { 1, 4, 4 }, { 2, 5, 3 }, { 3, 3, 5 },
                                        { 1, 1, 1 }, { 0, 3, 2 }, { 2, 0, 3 } };

static void
fw_decomp (gconstpointer d)
{
  const DecDef *def = d;

  for (guint dti = 0; dti < 2; dti++)
    for (guint si = 0; si < G_N_ELEMENTS (dec_shapes); si++)
      for (guint l = 0; l < G_N_ELEMENTS (lays); l++)
        for (int variant = 0; variant < 3; variant++)
          {
            LtDType  dt = dti ? F64 : F32;
            double   tol = dt == F64 ? 1e-11 : 1e-4;
            gint64   batch = dec_shapes[si][0], m = dec_shapes[si][1], n = dec_shapes[si][2];
            gint64   k = MIN (m, n);
            gboolean sq = def->op == LT_OP_LINALG_CHOLESKY || def->op == LT_OP_LINALG_EIGH;
            g_autofree double *v = NULL;
            g_auto (OhArr) a = { 0 };
            g_autoptr(GError) error = NULL;
            g_autoptr(LtTensor) y = NULL;
            g_autoptr(LtTensor) y2 = NULL;
            g_autoptr(LtTensor) y3 = NULL;

            if (sq)
              n = m;
            if (sq && variant == 2)
              continue;
            v = sq ? spd_values (batch, m) : mat_values (batch, m, n, 0);
            a = oh_arr_from (v, OH_SH (batch, m, n), dt, lays[l]);
            g_test_message ("%s %s (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                            ") layout %u variant %d",
                            _lt_op_table[def->op].name, lt_dtype_get_name (dt), batch, m, n, l,
                            variant);
            switch (def->op)
              {
                case LT_OP_LINALG_CHOLESKY:
                  {
                    /* variant 1: upper, U^T U = A */
                    g_autofree double *lv = NULL;
                    g_autofree double *lt = NULL;

                    y = lt_linalg_cholesky (a.t, variant == 1, &error);
                    g_assert_no_error (error);
                    oh_assert_shape (y, OH_SH (batch, m, m));
                    lv = oh_values_of (y);
                    if (variant == 1)
                      {
                        double *t = tr (lv, batch, m, m);

                        g_free (lv);
                        lv = t;
                      }
                    for (gint64 b = 0; b < batch; b++)
                      for (gint64 i = 0; i < m; i++)
                        {
                          g_assert_cmpfloat (at3 (lv, b, i, i, m, m), >, 0);
                          for (gint64 j = i + 1; j < m; j++)
                            g_assert_cmpfloat (at3 (lv, b, i, j, m, m), ==, 0);
                        }
                    lt = tr (lv, batch, m, m);
                    g_assert_cmpfloat (product_err (lv, NULL, lt, a.v, batch, m, m, m), <=,
                                       tol * 10 * m);
                    break;
                  }
                case LT_OP_LINALG_EIGH:
                  {
                    /* A V = V diag (w), V orthonormal, w ascending; variant 1: "U" */
                    g_autofree double *wv = NULL;
                    g_autofree double *vv = NULL;
                    g_autofree double *vt = NULL;

                    y = lt_linalg_eigh (a.t, variant ? "U" : "L", &y2, &error);
                    g_assert_no_error (error);
                    oh_assert_shape (y, OH_SH (batch, m));
                    oh_assert_shape (y2, OH_SH (batch, m, m));
                    wv = oh_values_of (y);
                    vv = oh_values_of (y2);
                    vt = tr (vv, batch, m, m);
                    for (gint64 b = 0; b < batch; b++)
                      for (gint64 i = 1; i < m; i++)
                        g_assert_cmpfloat (wv[b * m + i - 1], <=, wv[b * m + i]);
                    g_assert_cmpfloat (ortho_cols_err (vv, batch, m, m), <=, tol * 10);
                    g_assert_cmpfloat (product_err (vv, wv, vt, a.v, batch, m, m, m), <=,
                                       tol * 10 * m * m);
                    break;
                  }
                case LT_OP_LINALG_SVD:
                  {
                    /* A = U diag (S) Vh; variant 1: full matrices */
                    gboolean           full = variant == 1;
                    gint64             uc = full ? m : k, vr = full ? n : k;
                    g_autofree double *uv = NULL;
                    g_autofree double *sv = NULL;
                    g_autofree double *vv = NULL;
                    g_autofree double *vt = NULL;
                    g_autofree double *ur = NULL;
                    g_autofree double *vhr = NULL;

                    if (variant == 2)
                      continue;
                    y = lt_linalg_svd (a.t, full, &y2, &y3, &error);
                    g_assert_no_error (error);
                    oh_assert_shape (y, OH_SH (batch, m, uc));
                    oh_assert_shape (y2, OH_SH (batch, k));
                    oh_assert_shape (y3, OH_SH (batch, vr, n));
                    uv = oh_values_of (y);
                    sv = oh_values_of (y2);
                    vv = oh_values_of (y3);
                    vt = tr (vv, batch, vr, n);
                    for (gint64 b = 0; b < batch; b++)
                      for (gint64 i = 0; i < k; i++)
                        {
                          g_assert_cmpfloat (sv[b * k + i], >=, 0);
                          if (i)
                            g_assert_cmpfloat (sv[b * k + i - 1], >=, sv[b * k + i]);
                        }
                    g_assert_cmpfloat (ortho_cols_err (uv, batch, m, uc), <=, tol * 10);
                    g_assert_cmpfloat (ortho_cols_err (vt, batch, n, vr), <=, tol * 10);
                    /* the first k columns of U and rows of Vh */
                    ur = g_new0 (double, MAX (batch * m * k, 1));
                    vhr = g_new0 (double, MAX (batch * k * n, 1));
                    for (gint64 b = 0; b < batch; b++)
                      {
                        for (gint64 i = 0; i < m; i++)
                          for (gint64 c = 0; c < k; c++)
                            ur[(b * m + i) * k + c] = at3 (uv, b, i, c, m, uc);
                        for (gint64 c = 0; c < k; c++)
                          for (gint64 j = 0; j < n; j++)
                            vhr[(b * k + c) * n + j] = at3 (vv, b, c, j, vr, n);
                      }
                    g_assert_cmpfloat (product_err (ur, sv, vhr, a.v, batch, m, k, n), <=,
                                       tol * 10 * MAX (m, n));
                    break;
                  }
                default:
                  {
                    /* A = Q R; variant 1: complete, 2: "r" (R only) */
                    static const char *const modes[] = { "reduced", "complete", "r" };
                    gint64                   qc = variant == 1 ? m : k;
                    g_autofree double       *qv = NULL;
                    g_autofree double       *rv = NULL;

                    y = lt_linalg_qr (a.t, modes[variant], &y2, &error);
                    g_assert_no_error (error);
                    oh_assert_shape (y2, OH_SH (batch, qc, n));
                    rv = oh_values_of (y2);
                    for (gint64 b = 0; b < batch; b++)
                      for (gint64 i = 0; i < qc; i++)
                        for (gint64 j = 0; j < MIN (i, n); j++)
                          g_assert_cmpfloat (at3 (rv, b, i, j, qc, n), ==, 0);
                    if (variant == 2)
                      {
                        oh_assert_shape (y, OH_SH (0));
                        break;
                      }
                    oh_assert_shape (y, OH_SH (batch, m, qc));
                    qv = oh_values_of (y);
                    g_assert_cmpfloat (ortho_cols_err (qv, batch, m, qc), <=, tol * 10);
                    g_assert_cmpfloat (product_err (qv, NULL, rv, a.v, batch, m, qc, n), <=,
                                       tol * 10 * MAX (m, n));
                    break;
                  }
              }
          }
}

static void
fw_decomp_errors (gconstpointer d)
{
  const DecDef *def = d;
  g_autoptr(LtTensor) ints = lt_zeros ((gint64[]){ 2, 2 }, 2, I64, NULL);
  g_autoptr(LtTensor) vec = lt_zeros ((gint64[]){ 3 }, 1, F64, NULL);
  g_autoptr(LtTensor) rect = lt_zeros ((gint64[]){ 2, 3 }, 2, F64, NULL);
  g_autoptr(LtTensor) neg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) y = NULL;
  LtTensor *bad[] = { ints, vec, rect };
  LtError   codes[] = { LT_ERROR_DTYPE, LT_ERROR_SHAPE, LT_ERROR_SHAPE };
  gboolean  sq = def->op == LT_OP_LINALG_CHOLESKY || def->op == LT_OP_LINALG_EIGH;

  for (guint i = 0; i < (sq ? 3u : 2u); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(LtTensor) r = NULL;
      g_autoptr(LtTensor) out = NULL;

      switch (def->op)
        {
          case LT_OP_LINALG_CHOLESKY:
            out = lt_linalg_cholesky (bad[i], FALSE, &e);
            break;
          case LT_OP_LINALG_EIGH:
            out = lt_linalg_eigh (bad[i], NULL, NULL, &e);
            break;
          case LT_OP_LINALG_SVD:
            out = lt_linalg_svd (bad[i], FALSE, NULL, NULL, &e);
            break;
          default:
            out = lt_linalg_qr (bad[i], NULL, &r, &e);
            break;
        }
      oh_check_error (out, e, codes[i]);
    }
  if (def->op == LT_OP_LINALG_CHOLESKY)
    {
      /* the second leading minor is negative, in batch element 1 */
      double v[8] = { 1, 0, 0, 1, 1, 2, 2, 1 };

      neg = lt_tensor_new_from_doubles (v, 8, (gint64[]){ 2, 2, 2 }, 3, F64, NULL);
      y = lt_linalg_cholesky (neg, FALSE, &error);
      oh_check_error (y, error, LT_ERROR_LINALG);
      g_assert_nonnull (strstr (error->message, "(Batch element 1)"));
      g_assert_nonnull (strstr (error->message, "the leading minor of order 2 is not "
                                                "positive-definite"));
    }
  else if (def->op == LT_OP_LINALG_EIGH)
    {
      y = lt_linalg_eigh (rect, "X", NULL, &error);
      oh_check_error (y, error, LT_ERROR_SHAPE);
      g_clear_error (&error);
      neg = lt_eye (2, -1, F64, NULL);
      g_clear_object (&y);
      y = lt_linalg_eigh (neg, "X", NULL, &error);
      oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
    }
  else if (def->op == LT_OP_LINALG_QR)
    {
      LtTensor *r = NULL;

      y = lt_linalg_qr (rect, "economic", &r, &error);
      oh_check_error (y, error, LT_ERROR_INVALID_ARGUMENT);
      g_assert_null (r);
    }
}

/* Backward */

typedef struct
{
  LtOp op;
  int  variant;
} GcData;

static LtTensor *
sym (LtTensor *x, gboolean spd)
{
  /* X + X^T, or X X^T + n I */
  g_autoptr(LtTensor) xt = lt_tensor_transpose (x, -2, -1, NULL);

  if (spd)
    {
      g_autoptr(LtTensor) p = lt_tensor_matmul (x, xt, NULL);

      return lt_tensor_add_scalar (p, (double) x->shape[x->ndim - 1], NULL);
    }
  return lt_tensor_add (x, xt, NULL);
}

static LtTensor *
gc_call (LtTensor **in, gsize n_in, gpointer data)
{
  const GcData *g = data;
  g_autoptr(GError) error = NULL;
  LtTensor *out = NULL;

  switch (g->op)
    {
      case LT_OP_LINALG_INV:
        out = lt_linalg_inv (in[0], &error);
        break;
      case LT_OP_LINALG_SOLVE:
        out = lt_linalg_solve (in[0], in[1], &error);
        break;
      case LT_OP_LINALG_DET:
        out = lt_linalg_det (in[0], &error);
        break;
      case LT_OP_LINALG_SLOGDET:
        {
          G_GNUC_UNUSED g_autoptr (LtTensor) sign = lt_linalg_slogdet (in[0], &out, &error);
          break;
        }
      case LT_OP_LINALG_CHOLESKY:
        {
          g_autoptr(LtTensor) s = sym (in[0], TRUE);

          out = lt_linalg_cholesky (s, g->variant == 1, &error);
          break;
        }
      case LT_OP_LINALG_EIGH:
        {
          /* variant 0: w; 1: V * V (signs cancel); 2: V diag (w^3) V^T */
          g_autoptr(LtTensor) s = sym (in[0], FALSE);
          g_autoptr(LtTensor) v = NULL;
          g_autoptr(LtTensor) w = lt_linalg_eigh (s, NULL, &v, &error);

          g_assert_no_error (error);
          if (g->variant == 0)
            out = g_steal_pointer (&w);
          else if (g->variant == 1)
            out = lt_tensor_mul (v, v, &error);
          else
            {
              g_autoptr(LtTensor) w3 = lt_tensor_pow_scalar (w, 3, &error);
              g_autoptr(LtTensor) w3r = lt_tensor_unsqueeze (w3, -2, &error);
              g_autoptr(LtTensor) vw = lt_tensor_mul (v, w3r, &error);
              g_autoptr(LtTensor) vt = lt_tensor_transpose (v, -2, -1, &error);

              out = lt_tensor_matmul (vw, vt, &error);
            }
          break;
        }
      case LT_OP_LINALG_SVD:
        {
          /* variant 0: S; 1: U Vh; 2: U * U; 3: Vh * Vh; 4: U (full) narrowed to k columns */
          g_autoptr(LtTensor) s = NULL;
          g_autoptr(LtTensor) vh = NULL;
          g_autoptr(LtTensor) u = lt_linalg_svd (in[0], g->variant == 4, &s, &vh, &error);

          g_assert_no_error (error);
          if (g->variant == 0)
            out = g_steal_pointer (&s);
          else if (g->variant == 1)
            out = lt_tensor_matmul (u, vh, &error);
          else if (g->variant == 2)
            out = lt_tensor_mul (u, u, &error);
          else if (g->variant == 3)
            out = lt_tensor_mul (vh, vh, &error);
          else
            {
              g_autoptr(LtTensor) uk = lt_tensor_narrow (u, -1, 0, s->shape[s->ndim - 1], &error);

              out = lt_tensor_mul (uk, uk, &error);
            }
          break;
        }
      default:
        {
          /* variant 0: Q; 1: R; 2: Q R-weighted (both); 3: complete, Q */
          g_autoptr(LtTensor) r = NULL;
          g_autoptr(LtTensor) q =
                       lt_linalg_qr (in[0], g->variant == 3 ? "complete" : NULL, &r, &error);

          g_assert_no_error (error);
          if (g->variant == 0 || g->variant == 3)
            out = g_steal_pointer (&q);
          else if (g->variant == 1)
            out = g_steal_pointer (&r);
          else
            {
              g_autoptr(LtTensor) r2 = lt_tensor_mul (r, r, &error);

              out = lt_tensor_matmul (q, r2, &error);
            }
          break;
        }
    }
  g_assert_no_error (error);
  return out;
}

static void
bw_square (gconstpointer d)
{
  const SqDef        *def = d;
  static const gint64 shapes[][2] = { { 1, 3 }, { 2, 4 }, { 1, 1 } };

  for (guint si = 0; si < G_N_ELEMENTS (shapes); si++)
    {
      gint64             batch = shapes[si][0], n = shapes[si][1];
      g_autofree double *v = mat_values (batch, n, n, 2.0);
      g_autofree double *vb = mat_values (batch, n, 2, 0);
      GcData             g = { def->op, 0 };
      LtTensor          *in[2] = { oh_leaf_from (v, OH_SH (batch, n, n)),
                                   oh_leaf_from (vb, OH_SH (batch, n, 2)) };

      oh_gradcheck (gc_call, &g, in, def->op == LT_OP_LINALG_SOLVE ? 2 : 1);
      g_object_unref (in[0]);
      g_object_unref (in[1]);
    }
  if (def->op == LT_OP_LINALG_SOLVE)
    {
      /* a vector right-hand side, and A broadcast over B's batch */
      g_autofree double *v = mat_values (1, 3, 3, 2.0);
      g_autofree double *vb = mat_values (2, 3, 1, 0);
      GcData             g = { def->op, 0 };
      LtTensor          *in[2] = { oh_leaf_from (v, OH_SH (3, 3)), oh_leaf_from (vb, OH_SH (3)) };

      oh_gradcheck (gc_call, &g, in, 2);
      g_object_unref (in[1]);
      in[1] = oh_leaf_from (vb, OH_SH (2, 3, 1));
      oh_gradcheck (gc_call, &g, in, 2);
      g_object_unref (in[0]);
      g_object_unref (in[1]);
    }
}

static void
bw_decomp (gconstpointer d)
{
  const DecDef       *def = d;
  static const gint64 shapes[][3] = { { 1, 4, 3 }, { 1, 3, 3 }, { 2, 3, 4 } };
  int                 n_variants = def->op == LT_OP_LINALG_CHOLESKY ? 2
                                   : def->op == LT_OP_LINALG_EIGH   ? 3
                                   : def->op == LT_OP_LINALG_SVD    ? 5
                                                                    : 4;

  for (guint si = 0; si < G_N_ELEMENTS (shapes); si++)
    for (int variant = 0; variant < n_variants; variant++)
      {
        gint64             batch = shapes[si][0], m = shapes[si][1], n = shapes[si][2];
        gboolean           sq = def->op == LT_OP_LINALG_CHOLESKY || def->op == LT_OP_LINALG_EIGH;
        g_autofree double *v = NULL;
        g_autoptr(LtTensor) x = NULL;
        GcData g = { def->op, variant };

        if (sq)
          n = m;
        /* complete Q is differentiable for m <= n only */
        if (def->op == LT_OP_LINALG_QR && variant == 3 && m > n)
          continue;
        v = mat_values (batch, m, n, 0.5);
        x = oh_leaf_from (v, OH_SH (batch, m, n));
        g_test_message ("%s variant %d (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                        ", %" G_GINT64_FORMAT ")",
                        _lt_op_table[def->op].name, variant, batch, m, n);
        oh_gradcheck (gc_call, &g, &x, 1);
      }
}

/* The backward refuses what PyTorch refuses: qr's mode "r" and complete Q of a tall matrix */
static void
bw_qr_refused (gconstpointer d)
{
  g_autofree double *v = mat_values (1, 4, 3, 0.5);
  g_autoptr(LtTensor) x = oh_leaf_from (v, OH_SH (4, 3));
  const char *modes[] = { "r", "complete" };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LtTensor) r = NULL;
      g_autoptr(LtTensor) q = lt_linalg_qr (x, modes[i], &r, &error);
      g_autoptr(LtTensor) s = lt_tensor_sum (r, &error);

      g_assert_no_error (error);
      g_assert_nonnull (q);
      g_assert_false (lt_tensor_backward (s, NULL, FALSE, &error));
      g_assert_error (error, LT_ERROR, LT_ERROR_AUTOGRAD);
      g_assert_nonnull (strstr (error->message, "linalg.qr"));
    }
}

/* The compositions over svd and eigh (ops/lt-linalg-norms.c), in the svd
 * spec: pinv (A pinv (A) A = A), matrix_rank of matrices of known rank,
 * lstsq against the normal equations, and the matrix norms against their
 * definitions (over the singular values the svd cases check) */

static double
row_col_sum_norm (const double *a, gint64 m, gint64 n, gboolean cols, gboolean largest)
{
  double best = largest ? -INFINITY : INFINITY;

  for (gint64 o = 0; o < (cols ? n : m); o++)
    {
      double acc = 0;

      for (gint64 i = 0; i < (cols ? m : n); i++)
        acc += fabs (cols ? a[i * n + o] : a[o * n + i]);
      best = largest ? MAX (best, acc) : MIN (best, acc);
    }
  return best;
}

static void
fw_compositions (gconstpointer d)
{
  static const gint64      shapes[][2] = { { 4, 3 }, { 3, 5 }, { 3, 3 } };
  static const char *const ords[] = { "1", "-1", "inf", "-inf", "2", "-2", "nuc", "fro" };

  for (guint dti = 0; dti < 2; dti++)
    for (guint si = 0; si < G_N_ELEMENTS (shapes); si++)
      {
        LtDType            dt = dti ? F64 : F32;
        double             tol = dt == F64 ? 1e-10 : 1e-4;
        gint64             m = shapes[si][0], n = shapes[si][1], k = MIN (m, n);
        g_autofree double *v = mat_values (1, m, n, 0);
        g_auto (OhArr) a = oh_arr_from (v, OH_SH (m, n), dt, OH_LAY_T);
        g_autoptr(GError) error = NULL;
        g_autoptr(LtTensor) p = lt_linalg_pinv (a.t, NAN, NAN, FALSE, &error);
        g_autoptr(LtTensor) ap = NULL;
        g_autoptr(LtTensor) apa = NULL;
        g_autoptr(LtTensor) rank = NULL;
        g_autoptr(LtTensor) s = NULL;
        g_autofree double *sv = NULL;

        g_assert_no_error (error);
        oh_assert_shape (p, OH_SH (n, m));
        ap = lt_tensor_matmul (a.t, p, &error);
        apa = lt_tensor_matmul (ap, a.t, &error);
        g_assert_no_error (error);
        oh_check_tol (apa, dt, OH_SH (m, n), a.v, tol * 10, tol * 10);
        rank = lt_linalg_matrix_rank (a.t, NAN, NAN, FALSE, &error);
        g_assert_no_error (error);
        g_assert_cmpint (lt_tensor_get_dtype (rank), ==, I64);
        g_assert_cmpfloat (oh_value_at (rank, 0), ==, (double) k);
        s = lt_linalg_svdvals (a.t, &error);
        g_assert_no_error (error);
        sv = oh_values_of (s);
        for (guint o = 0; o < G_N_ELEMENTS (ords); o++)
          {
            g_autoptr(LtTensor) r = lt_linalg_matrix_norm (a.t, ords[o], -2, -1, FALSE, &error);
            double ref = 0;

            g_assert_no_error (error);
            if (o < 4)
              ref = row_col_sum_norm (a.v, m, n, o < 2, o % 2 == 0);
            else if (o == 4)
              ref = sv[0];
            else if (o == 5)
              ref = sv[k - 1];
            else
              for (gint64 i = 0; i < k; i++)
                ref += o == 6 ? sv[i] : sv[i] * sv[i];
            if (o == 7)
              ref = sqrt (ref);
            oh_check_tol (r, dt, OH_SH0, &ref, tol * 10, tol * 10);
          }
      }
  {
    /* rank 2 of a 5 x 4 product; lstsq of a full-rank tall system solves the
     * normal equations A^T A x = A^T b */
    g_autofree double *x = mat_values (1, 5, 2, 0);
    g_autofree double *y = mat_values (1, 2, 4, 0);
    g_autofree double *lo = g_new0 (double, 20);
    g_autofree double *vf = mat_values (1, 5, 4, 1.0);
    g_autofree double *vb = mat_values (1, 5, 1, 0);
    g_autofree double *ata = g_new0 (double, 16);
    g_autofree double *atb = g_new0 (double, 4);
    g_autofree double *ref = g_new0 (double, 4);
    g_autoptr(GError) error = NULL;
    g_autoptr(LtTensor) low = NULL;
    g_autoptr(LtTensor) rank = NULL;
    g_autoptr(LtTensor) rank0 = NULL;
    g_autoptr(LtTensor) full = NULL;
    g_autoptr(LtTensor) b = NULL;
    g_autoptr(LtTensor) sol = NULL;
    LtTensor *res = NULL, *r2 = NULL, *svals = NULL;

    for (gint64 i = 0; i < 5; i++)
      for (gint64 j = 0; j < 4; j++)
        for (gint64 c = 0; c < 2; c++)
          lo[i * 4 + j] += x[i * 2 + c] * y[c * 4 + j];
    low = oh_build (lo, OH_SH (5, 4), F64, OH_LAY_CONTIG);
    rank = lt_linalg_matrix_rank (low, NAN, NAN, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (oh_value_at (rank, 0), ==, 2.0);
    rank0 = lt_linalg_matrix_rank (low, 1e6, NAN, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (oh_value_at (rank0, 0), ==, 0.0);

    full = oh_build (vf, OH_SH (5, 4), F64, OH_LAY_CONTIG);
    b = oh_build (vb, OH_SH (5), F64, OH_LAY_CONTIG);
    for (gint64 i = 0; i < 4; i++)
      {
        for (gint64 j = 0; j < 4; j++)
          for (gint64 r = 0; r < 5; r++)
            ata[i * 4 + j] += vf[r * 4 + i] * vf[r * 4 + j];
        for (gint64 r = 0; r < 5; r++)
          atb[i] += vf[r * 4 + i] * vb[r];
      }
    gauss (ata, 4, atb, 1, ref);
    sol = lt_linalg_lstsq (full, b, NAN, &res, &r2, &svals, &error);
    g_assert_no_error (error);
    oh_check_tol (sol, F64, OH_SH (4), ref, 1e-9, 1e-9);
    oh_assert_shape (res, OH_SH (0));
    oh_assert_shape (svals, OH_SH (0));
    g_assert_cmpfloat (oh_value_at (r2, 0), ==, 4.0);
    g_object_unref (res);
    g_object_unref (r2);
    g_object_unref (svals);
  }
  {
    /* vector norms, and norm's dispatch: a 2-D input with an order is a matrix */
    static const double vals[] = { 3, -4, 0, 12 };
    static const double vords[] = { 2, 1, 0, INFINITY, -INFINITY };
    static const double refs[] = { 13, 19, 3, 12, 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(LtTensor) x = lt_tensor_new_from_doubles (vals, 4, (gint64[]){ 2, 2 }, 2, F64, NULL);
    g_autoptr(LtTensor) rows = NULL;
    g_autoptr(LtTensor) m1 = NULL;
    g_autoptr(LtTensor) bad = NULL;
    gint last = -1;

    for (guint o = 0; o < G_N_ELEMENTS (vords); o++)
      {
        g_autoptr(LtTensor) r = lt_linalg_vector_norm (x, vords[o], NULL, 0, FALSE, &error);

        g_assert_no_error (error);
        g_assert_cmpfloat_with_epsilon (oh_value_at (r, 0), refs[o], 1e-12);
      }
    rows = lt_linalg_norm (x, NULL, &last, 1, TRUE, &error);
    m1 = rows ? lt_linalg_norm (x, "1", NULL, 0, FALSE, &error) : NULL;
    g_assert_no_error (error);
    oh_assert_shape (rows, OH_SH (2, 1));
    g_assert_cmpfloat_with_epsilon (oh_value_at (rows, 0), 5, 1e-12);
    g_assert_cmpfloat_with_epsilon (oh_value_at (m1, 0), 16, 1e-12);
    bad = lt_linalg_norm (x, "nuc", &last, 1, FALSE, &error);
    oh_check_error (bad, error, LT_ERROR_INVALID_ARGUMENT);
  }
}

static LtTensor *
gc_compose (LtTensor **in, gsize n_in, gpointer data)
{
  static const char *const ords[] = { "nuc", "2", "-2", "1", "inf", "fro" };
  const int               *variant = data;
  g_autoptr(GError) error = NULL;
  LtTensor *out = NULL;

  if (*variant == 0)
    out = lt_linalg_pinv (in[0], NAN, NAN, FALSE, &error);
  else if (*variant == 1)
    out = lt_linalg_lstsq (in[0], in[1], NAN, NULL, NULL, NULL, &error);
  else
    out = lt_linalg_matrix_norm (in[0], ords[*variant - 2], -2, -1, FALSE, &error);
  g_assert_no_error (error);
  return out;
}

static void
bw_compositions (gconstpointer d)
{
  for (int variant = 0; variant < 8; variant++)
    {
      g_autofree double *v = mat_values (2, 4, 3, 0.5);
      g_autofree double *vb = mat_values (2, 4, 2, 0);
      LtTensor *in[2] = { oh_leaf_from (v, OH_SH (2, 4, 3)), oh_leaf_from (vb, OH_SH (2, 4, 2)) };

      g_test_message ("composition %d", variant);
      oh_gradcheck (gc_compose, &variant, in, variant == 1 ? 2 : 1);
      g_object_unref (in[0]);
      g_object_unref (in[1]);
    }
}

static const SqDef  def_inv = { LT_OP_LINALG_INV };
static const SqDef  def_solve = { LT_OP_LINALG_SOLVE };
static const SqDef  def_det = { LT_OP_LINALG_DET };
static const SqDef  def_slogdet = { LT_OP_LINALG_SLOGDET };
static const DecDef def_cholesky = { LT_OP_LINALG_CHOLESKY };
static const DecDef def_eigh = { LT_OP_LINALG_EIGH };
static const DecDef def_svd = { LT_OP_LINALG_SVD };
static const DecDef def_qr = { LT_OP_LINALG_QR };

static const OhCase sq_forward[] = { { "values", fw_square },
                                     { "errors", fw_square_errors },
                                     { NULL, NULL } };
static const OhCase solve_forward[] = { { "values", fw_square },
                                        { "shapes", fw_solve_shapes },
                                        { "errors", fw_square_errors },
                                        { NULL, NULL } };
static const OhCase sq_backward[] = { { "gradcheck", bw_square }, { NULL, NULL } };
static const OhCase dec_forward[] = { { "values", fw_decomp },
                                      { "errors", fw_decomp_errors },
                                      { NULL, NULL } };
static const OhCase dec_backward[] = { { "gradcheck", bw_decomp }, { NULL, NULL } };
static const OhCase compose_forward[] = { { "compositions", fw_compositions }, { NULL, NULL } };
static const OhCase compose_backward[] = { { "compositions", bw_compositions }, { NULL, NULL } };
static const OhCase qr_backward[] = { { "gradcheck", bw_decomp },
                                      { "refused", bw_qr_refused },
                                      { NULL, NULL } };

static const OhSpec specs[] = {
  OH_SPEC (LT_OP_LINALG_INV, "linalg_inv", &def_inv, sq_forward, NULL, sq_backward, NULL),
  OH_SPEC (LT_OP_LINALG_SOLVE, "linalg_solve", &def_solve, solve_forward, NULL, sq_backward, NULL),
  OH_SPEC (LT_OP_LINALG_DET, "linalg_det", &def_det, sq_forward, NULL, sq_backward, NULL),
  OH_SPEC (LT_OP_LINALG_SLOGDET,
           "linalg_slogdet",
           &def_slogdet,
           sq_forward,
           NULL,
           sq_backward,
           NULL),
  OH_SPEC (LT_OP_LINALG_CHOLESKY,
           "linalg_cholesky",
           &def_cholesky,
           dec_forward,
           NULL,
           dec_backward,
           NULL),
  OH_SPEC (LT_OP_LINALG_EIGH, "linalg_eigh", &def_eigh, dec_forward, NULL, dec_backward, NULL),
  OH_SPEC (LT_OP_LINALG_SVD,
           "linalg_svd",
           &def_svd,
           dec_forward,
           compose_forward,
           dec_backward,
           compose_backward),
  OH_SPEC (LT_OP_LINALG_QR, "linalg_qr", &def_qr, dec_forward, NULL, qr_backward, NULL),
};

guint
oh_register_lapack (void)
{
  return oh_add_specs (specs, G_N_ELEMENTS (specs));
}
