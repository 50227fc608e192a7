/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-cpu-private.h"

/*
 * Linear algebra over LAPACK (ops/lt-linalg-lapack.c has the front ends):
 * inverse and solve (getrf + getrs, as ?gesv), determinants (getrf),
 * Cholesky (potrf), the symmetric eigendecomposition (syevd), the singular
 * value decomposition (gesdd) and QR (geqrf + orgqr).
 *
 * OpenBLAS exports the Fortran LAPACK symbols (sgesv_, dgesv_, ...) and
 * Debian's libopenblas-dev installs no lapacke.h, so they are declared
 * here as Fortran sees them: every argument by pointer, 32-bit integers
 * (Debian's OpenBLAS is LP64), and after the others one hidden length per
 * CHARACTER argument, passed as 1.
 *
 * Layout: LAPACK reads matrices column by column, the tensors are row-major.
 * Every kernel copies each matrix of the batch into a column-major scratch
 * buffer (element (i, j) of an m x n matrix at i + j * m), calls LAPACK on
 * it and copies the results back into the row-major outputs, so a matrix
 * is never reinterpreted as its transpose and 'L' means the lower triangle
 * the user sees. The inputs are contiguous, (..., m, n); the batch is the
 * product of the leading dims, done one matrix after the other (OpenBLAS
 * runs each LAPACK call on its own threads).
 *
 * float32 runs the s routines, float64 the d routines: the buffers are
 * void * and element access goes through ld ()/st () by dtype.
 */

typedef int lp_int;

/* Fortran LAPACK, single and double precision */
#define LAPACK_DECLARE(T, p)                                                                       \
  void p##gesv_ (const lp_int *n, const lp_int *nrhs, T *a, const lp_int *lda, lp_int *ipiv, T *b, \
                 const lp_int *ldb, lp_int *info);                                                 \
  void p##getrf_ (const lp_int *m, const lp_int *n, T *a, const lp_int *lda, lp_int *ipiv,         \
                  lp_int *info);                                                                   \
  void p##potrf_ (const char *uplo, const lp_int *n, T *a, const lp_int *lda, lp_int *info,        \
                  size_t uplo_len);                                                                \
  void p##syevd_ (const char *jobz, const char *uplo, const lp_int *n, T *a, const lp_int *lda,    \
                  T *w, T *work, const lp_int *lwork, lp_int *iwork, const lp_int *liwork,         \
                  lp_int *info, size_t jobz_len, size_t uplo_len);                                 \
  void p##gesdd_ (const char *jobz, const lp_int *m, const lp_int *n, T *a, const lp_int *lda,     \
                  T *s, T *u, const lp_int *ldu, T *vt, const lp_int *ldvt, T *work,               \
                  const lp_int *lwork, lp_int *iwork, lp_int *info, size_t jobz_len);              \
  void p##geqrf_ (const lp_int *m, const lp_int *n, T *a, const lp_int *lda, T *tau, T *work,      \
                  const lp_int *lwork, lp_int *info);                                              \
  void p##orgqr_ (const lp_int *m, const lp_int *n, const lp_int *k, T *a, const lp_int *lda,      \
                  const T *tau, T *work, const lp_int *lwork, lp_int *info);

LAPACK_DECLARE (float, s)
LAPACK_DECLARE (double, d)

/* Element access by dtype: float32 or float64 */
static inline double
ld (const void *p, gboolean f64, gint64 i)
{
  return f64 ? ((const double *) p)[i] : (double) ((const float *) p)[i];
}

static inline void
st (void *p, gboolean f64, gint64 i, double v)
{
  if (f64)
    ((double *) p)[i] = v;
  else
    ((float *) p)[i] = (float) v;
}

/* Scratch of @n elements of @esz bytes (at least one), or NULL with @error set */
static void *
scratch (gint64 n, gsize esz, const char *op, GError **error)
{
  void *p = g_try_malloc0 ((gsize) MAX (n, 1) * esz);

  if (p == NULL)
    g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                 "%s: cannot allocate %" G_GINT64_FORMAT " bytes of LAPACK workspace", op,
                 n * (gint64) esz);
  return p;
}

/* Row-major (m, n) at @src -> column-major at @dst (leading dimension m) */
static void
to_cm (const void *src, void *dst, gboolean f64, gint64 m, gint64 n)
{
  for (gint64 i = 0; i < m; i++)
    for (gint64 j = 0; j < n; j++)
      st (dst, f64, i + j * m, ld (src, f64, i * n + j));
}

/* Column-major (m, n) with leading dimension @lda at @src -> row-major (m, n) */
static void
from_cm (const void *src, gint64 lda, void *dst, gboolean f64, gint64 m, gint64 n)
{
  for (gint64 i = 0; i < m; i++)
    for (gint64 j = 0; j < n; j++)
      st (dst, f64, i * n + j, ld (src, f64, i + j * lda));
}

static gboolean
check_dtype (LtTensor *x, const char *op, GError **error)
{
  if (x->dtype == LT_DTYPE_FLOAT32 || x->dtype == LT_DTYPE_FLOAT64)
    return TRUE;
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, "%s: no cpu kernel for %s", op,
               lt_dtype_get_name (x->dtype));
  return FALSE;
}

/* "(Batch element 3): " when the batch has more than one matrix, as PyTorch */
static char *
batch_prefix (gint64 batch, gint64 b)
{
  return batch > 1 ? g_strdup_printf ("(Batch element %" G_GINT64_FORMAT "): ", b) : g_strdup ("");
}

/* A (..., n, n), B (..., n, k) -> X = A^-1 B (..., n, k): solve; A -> A^-1: inv
 * (B the identity). ?gesv factors A = P L U with partial pivoting and solves
 * by substitution; info > 0 is an exactly zero U(info, info). */
gboolean
_lt_cpu_linalg_solve (const LtKernelArgs *args, GError **error)
{
  LtTensor          *a = args->in[0], *x = args->out;
  gboolean           inv = args->op == LT_OP_LINALG_INV;
  const char        *op = inv ? "linalg.inv" : "linalg.solve";
  gboolean           f64 = a->dtype == LT_DTYPE_FLOAT64;
  gsize              esz = f64 ? 8 : 4;
  gint64             n = a->shape[a->ndim - 1];
  gint64             k = x->shape[x->ndim - 1];
  gint64             batch = n > 0 ? a->numel / (n * n) : 0;
  const void        *pa = _lt_tensor_data (a);
  const void        *pb = inv ? NULL : _lt_tensor_data (args->in[1]);
  void              *px = _lt_tensor_data (x);
  lp_int             ln = (lp_int) n, lk = (lp_int) k, info = 0;
  g_autofree void   *wa = NULL;
  g_autofree void   *wb = NULL;
  g_autofree lp_int *ipiv = NULL;

  if (!check_dtype (a, op, error))
    return FALSE;
  if (batch == 0 || k == 0)
    return TRUE;
  wa = scratch (n * n, esz, op, error);
  wb = wa ? scratch (n * k, esz, op, error) : NULL;
  ipiv = wb ? scratch (n, sizeof (lp_int), op, error) : NULL;
  if (ipiv == NULL)
    return FALSE;
  for (gint64 b = 0; b < batch; b++)
    {
      to_cm ((const char *) pa + b * n * n * esz, wa, f64, n, n);
      if (inv)
        {
          memset (wb, 0, n * n * esz);
          for (gint64 i = 0; i < n; i++)
            st (wb, f64, i + i * n, 1.0);
        }
      else
        to_cm ((const char *) pb + b * n * k * esz, wb, f64, n, k);
      if (f64)
        dgesv_ (&ln, &lk, wa, &ln, ipiv, wb, &ln, &info);
      else
        sgesv_ (&ln, &lk, wa, &ln, ipiv, wb, &ln, &info);
      if (info != 0)
        {
          g_autofree char *pre = batch_prefix (batch, b);

          if (info > 0)
            g_set_error (error, LT_ERROR, LT_ERROR_LINALG,
                         "%s: %sThe diagonal element %d is zero, the %s could not be "
                         "completed because the input matrix is singular.",
                         op, pre, info, inv ? "inversion" : "solve");
          else
            g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                         "%s: %sLAPACK ?gesv rejected argument %d", op, pre, -info);
          return FALSE;
        }
      from_cm (wb, n, (char *) px + b * n * k * esz, f64, n, k);
    }
  return TRUE;
}

/* A (..., n, n) -> det (...) or slogdet (..., 2) = (sign, log |det|): the
 * product of U's diagonal, the sign flipped once per row swap of P. A
 * singular matrix (info > 0) has det 0, sign 0 and log |det| -inf. */
gboolean
_lt_cpu_linalg_det (const LtKernelArgs *args, GError **error)
{
  LtTensor          *a = args->in[0];
  gboolean           slog = args->op == LT_OP_LINALG_SLOGDET;
  const char        *op = slog ? "linalg.slogdet" : "linalg.det";
  gboolean           f64 = a->dtype == LT_DTYPE_FLOAT64;
  gsize              esz = f64 ? 8 : 4;
  gint64             n = a->shape[a->ndim - 1];
  gint64             batch = args->out->numel / (slog ? 2 : 1);
  const void        *pa = _lt_tensor_data (a);
  void              *po = _lt_tensor_data (args->out);
  lp_int             ln = (lp_int) n, info = 0;
  g_autofree void   *wa = NULL;
  g_autofree lp_int *ipiv = NULL;

  if (!check_dtype (a, op, error))
    return FALSE;
  if (batch == 0)
    return TRUE;
  wa = scratch (n * n, esz, op, error);
  ipiv = wa ? scratch (n, sizeof (lp_int), op, error) : NULL;
  if (ipiv == NULL)
    return FALSE;
  for (gint64 b = 0; b < batch; b++)
    {
      double sign = 1.0, logabs = 0.0;

      info = 0;
      if (n > 0)
        {
          to_cm ((const char *) pa + b * n * n * esz, wa, f64, n, n);
          if (f64)
            dgetrf_ (&ln, &ln, wa, &ln, ipiv, &info);
          else
            sgetrf_ (&ln, &ln, wa, &ln, ipiv, &info);
        }
      if (info < 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s: LAPACK ?getrf rejected argument %d",
                       op, -info);
          return FALSE;
        }
      if (info > 0)
        {
          sign = 0.0;
          logabs = -INFINITY;
        }
      else
        for (gint64 i = 0; i < n; i++)
          {
            double u = ld (wa, f64, i + i * n);

            if (ipiv[i] != i + 1)
              sign = -sign;
            if (u < 0)
              sign = -sign;
            logabs += log (fabs (u));
          }
      if (slog)
        {
          st (po, f64, 2 * b, sign);
          st (po, f64, 2 * b + 1, logabs);
        }
      else
        st (po, f64, b, sign * exp (logabs));
    }
  return TRUE;
}

/* A (..., n, n) symmetric positive-definite -> L (..., n, n) lower, A = L L^T,
 * read from A's lower triangle (?potrf 'L'); info > 0: the leading minor of
 * that order is not positive-definite. */
gboolean
_lt_cpu_linalg_cholesky (const LtKernelArgs *args, GError **error)
{
  LtTensor        *a = args->in[0];
  const char      *op = "linalg.cholesky";
  gboolean         f64 = a->dtype == LT_DTYPE_FLOAT64;
  gsize            esz = f64 ? 8 : 4;
  gint64           n = a->shape[a->ndim - 1];
  gint64           batch = n > 0 ? a->numel / (n * n) : 0;
  const void      *pa = _lt_tensor_data (a);
  void            *pl = _lt_tensor_data (args->out);
  lp_int           ln = (lp_int) n, info = 0;
  g_autofree void *wa = NULL;

  if (!check_dtype (a, op, error))
    return FALSE;
  if (batch == 0)
    return TRUE;
  wa = scratch (n * n, esz, op, error);
  if (wa == NULL)
    return FALSE;
  for (gint64 b = 0; b < batch; b++)
    {
      void *out = (char *) pl + b * n * n * esz;

      to_cm ((const char *) pa + b * n * n * esz, wa, f64, n, n);
      if (f64)
        dpotrf_ ("L", &ln, wa, &ln, &info, 1);
      else
        spotrf_ ("L", &ln, wa, &ln, &info, 1);
      if (info != 0)
        {
          g_autofree char *pre = batch_prefix (batch, b);

          if (info > 0)
            g_set_error (error, LT_ERROR, LT_ERROR_LINALG,
                         "%s: %sThe factorization could not be completed because the input is "
                         "not positive-definite (the leading minor of order %d is not "
                         "positive-definite).",
                         op, pre, info);
          else
            g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                         "%s: %sLAPACK ?potrf rejected argument %d", op, pre, -info);
          return FALSE;
        }
      /* potrf leaves the strict upper triangle as it was */
      for (gint64 i = 0; i < n; i++)
        for (gint64 j = 0; j < n; j++)
          st (out, f64, i * n + j, j <= i ? ld (wa, f64, i + j * n) : 0.0);
    }
  return TRUE;
}

/* A (..., n, n) symmetric -> out (..., n + 1, n): row 0 the eigenvalues in
 * ascending order, rows 1 .. n the matrix V whose columns are the
 * orthonormal eigenvectors, A = V diag (w) V^T (?syevd, from the triangle
 * params.linalg.upper names). */
gboolean
_lt_cpu_linalg_eigh (const LtKernelArgs *args, GError **error)
{
  LtTensor          *a = args->in[0];
  const char        *op = "linalg.eigh";
  const char        *uplo = args->params->linalg.upper ? "U" : "L";
  gboolean           f64 = a->dtype == LT_DTYPE_FLOAT64;
  gsize              esz = f64 ? 8 : 4;
  gint64             n = a->shape[a->ndim - 1];
  gint64             batch = n > 0 ? a->numel / (n * n) : 0;
  const void        *pa = _lt_tensor_data (a);
  void              *po = _lt_tensor_data (args->out);
  lp_int             ln = (lp_int) n, info = 0, lwork = -1, liwork = -1, iq = 0;
  double             q = 0;
  float              qf = 0;
  g_autofree void   *wa = NULL;
  g_autofree void   *w = NULL;
  g_autofree void   *work = NULL;
  g_autofree lp_int *iwork = NULL;

  if (!check_dtype (a, op, error))
    return FALSE;
  if (batch == 0)
    return TRUE;
  wa = scratch (n * n, esz, op, error);
  w = wa ? scratch (n, esz, op, error) : NULL;
  if (w == NULL)
    return FALSE;
  /* workspace query */
  if (f64)
    dsyevd_ ("V", uplo, &ln, wa, &ln, w, &q, &lwork, &iq, &liwork, &info, 1, 1);
  else
    ssyevd_ ("V", uplo, &ln, wa, &ln, w, &qf, &lwork, &iq, &liwork, &info, 1, 1);
  lwork = f64 ? (lp_int) q : (lp_int) qf;
  liwork = iq;
  work = scratch (lwork, esz, op, error);
  iwork = work ? scratch (liwork, sizeof (lp_int), op, error) : NULL;
  if (iwork == NULL)
    return FALSE;
  for (gint64 b = 0; b < batch; b++)
    {
      void *out = (char *) po + b * (n + 1) * n * esz;

      to_cm ((const char *) pa + b * n * n * esz, wa, f64, n, n);
      if (f64)
        dsyevd_ ("V", uplo, &ln, wa, &ln, w, work, &lwork, iwork, &liwork, &info, 1, 1);
      else
        ssyevd_ ("V", uplo, &ln, wa, &ln, w, work, &lwork, iwork, &liwork, &info, 1, 1);
      if (info != 0)
        {
          g_autofree char *pre = batch_prefix (batch, b);

          g_set_error (error, LT_ERROR, info > 0 ? LT_ERROR_LINALG : LT_ERROR_FAILED,
                       "%s: %sThe algorithm failed to converge because the input matrix is "
                       "ill-conditioned or has too many repeated eigenvalues (error code: %d).",
                       op, pre, info);
          return FALSE;
        }
      for (gint64 j = 0; j < n; j++)
        st (out, f64, j, ld (w, f64, j));
      from_cm (wa, n, (char *) out + n * esz, f64, n, n);
    }
  return TRUE;
}

/* A (..., m, n) -> out (..., r, m + 1 + n), k = min (m, n): columns 0 .. m-1
 * hold U^T (rows 0 .. k-1, or 0 .. m-1 with full_matrices), column m the
 * singular values in descending order (rows 0 .. k-1), columns m+1 .. m+n
 * Vh (rows 0 .. k-1, or 0 .. n-1 with full_matrices); r = k, or max (m, n)
 * with full_matrices; the cells no factor fills are 0. A = U diag (S) Vh
 * (?gesdd, divide and conquer). */
gboolean
_lt_cpu_linalg_svd (const LtKernelArgs *args, GError **error)
{
  LtTensor   *a = args->in[0];
  const char *op = "linalg.svd";
  gboolean    full = args->params->linalg.full;
  const char *jobz = full ? "A" : "S";
  gboolean    f64 = a->dtype == LT_DTYPE_FLOAT64;
  gsize       esz = f64 ? 8 : 4;
  gint64      m = a->shape[a->ndim - 2], n = a->shape[a->ndim - 1], k = MIN (m, n);
  gint64      ucols = full ? m : k, vrows = full ? n : k;
  gint64      r = args->out->shape[args->out->ndim - 2], w = m + 1 + n;
  gint64      batch = m * n > 0 ? a->numel / (m * n) : 0;
  const void *pa = _lt_tensor_data (a);
  void       *po = _lt_tensor_data (args->out);
  lp_int      lm = (lp_int) m, ln = (lp_int) n, ldu = (lp_int) MAX (m, 1),
         ldvt = (lp_int) MAX (vrows, 1), info = 0, lwork = -1;
  double             q = 0;
  float              qf = 0;
  g_autofree void   *wa = NULL;
  g_autofree void   *s = NULL;
  g_autofree void   *u = NULL;
  g_autofree void   *vt = NULL;
  g_autofree void   *work = NULL;
  g_autofree lp_int *iwork = NULL;

  if (!check_dtype (a, op, error))
    return FALSE;
  memset (po, 0, args->out->numel * esz);
  if (batch == 0)
    {
      /* no singular values; the full factors of an empty matrix are identities */
      gint64 nb = args->out->numel / MAX (r * w, 1);

      for (gint64 b = 0; b < nb && full; b++)
        {
          void *out = (char *) po + b * r * w * esz;

          for (gint64 i = 0; i < m; i++)
            st (out, f64, i * w + i, 1.0);
          for (gint64 i = 0; i < n; i++)
            st (out, f64, i * w + m + 1 + i, 1.0);
        }
      return TRUE;
    }
  wa = scratch (m * n, esz, op, error);
  s = wa ? scratch (k, esz, op, error) : NULL;
  u = s ? scratch (m * ucols, esz, op, error) : NULL;
  vt = u ? scratch (vrows * n, esz, op, error) : NULL;
  iwork = vt ? scratch (8 * k, sizeof (lp_int), op, error) : NULL;
  if (iwork == NULL)
    return FALSE;
  if (f64)
    dgesdd_ (jobz, &lm, &ln, wa, &lm, s, u, &ldu, vt, &ldvt, &q, &lwork, iwork, &info, 1);
  else
    sgesdd_ (jobz, &lm, &ln, wa, &lm, s, u, &ldu, vt, &ldvt, &qf, &lwork, iwork, &info, 1);
  lwork = f64 ? (lp_int) q : (lp_int) qf;
  work = scratch (lwork, esz, op, error);
  if (work == NULL)
    return FALSE;
  for (gint64 b = 0; b < batch; b++)
    {
      void *out = (char *) po + b * r * w * esz;

      to_cm ((const char *) pa + b * m * n * esz, wa, f64, m, n);
      if (f64)
        dgesdd_ (jobz, &lm, &ln, wa, &lm, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1);
      else
        sgesdd_ (jobz, &lm, &ln, wa, &lm, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1);
      if (info != 0)
        {
          g_autofree char *pre = batch_prefix (batch, b);

          g_set_error (error, LT_ERROR, info > 0 ? LT_ERROR_LINALG : LT_ERROR_FAILED,
                       "%s: %sThe algorithm failed to converge because the input matrix is "
                       "ill-conditioned or has too many repeated singular values (error code: "
                       "%d).",
                       op, pre, info);
          return FALSE;
        }
      for (gint64 c = 0; c < ucols; c++) /* U^T */
        for (gint64 i = 0; i < m; i++)
          st (out, f64, c * w + i, ld (u, f64, i + c * m));
      for (gint64 c = 0; c < k; c++)
        st (out, f64, c * w + m, ld (s, f64, c));
      for (gint64 i = 0; i < vrows; i++)
        for (gint64 j = 0; j < n; j++)
          st (out, f64, i * w + m + 1 + j, ld (vt, f64, i + j * vrows));
    }
  return TRUE;
}

/* A (..., m, n) -> out (..., q, m + n), k = min (m, n), q = k (reduced) or m
 * (complete, and 'r'): columns 0 .. m-1 hold Q^T, columns m .. m+n-1 R
 * (upper triangular), A = Q R. ?geqrf leaves R in the upper triangle and
 * Householder reflectors below it, which ?orgqr multiplies out into the
 * first q columns of Q. */
gboolean
_lt_cpu_linalg_qr (const LtKernelArgs *args, GError **error)
{
  LtTensor        *a = args->in[0];
  const char      *op = "linalg.qr";
  gboolean         f64 = a->dtype == LT_DTYPE_FLOAT64;
  gsize            esz = f64 ? 8 : 4;
  gint64           m = a->shape[a->ndim - 2], n = a->shape[a->ndim - 1], k = MIN (m, n);
  gint64           qc = args->out->shape[args->out->ndim - 2], w = m + n, cols = MAX (n, qc);
  gint64           nb = args->out->numel / MAX (qc * w, 1);
  const void      *pa = _lt_tensor_data (a);
  void            *po = _lt_tensor_data (args->out);
  lp_int           lm = (lp_int) m, ln = (lp_int) n, lq = (lp_int) qc, lk = (lp_int) k, info = 0;
  lp_int           lwork = -1, lda = (lp_int) MAX (m, 1);
  double           q1 = 0, q2 = 0;
  float            q1f = 0, q2f = 0;
  g_autofree void *wa = NULL;
  g_autofree void *tau = NULL;
  g_autofree void *work = NULL;

  if (!check_dtype (a, op, error))
    return FALSE;
  memset (po, 0, args->out->numel * esz);
  if (args->out->numel == 0)
    return TRUE;
  if (k == 0)
    {
      /* R is empty or zero; Q is the identity (complete) */
      for (gint64 b = 0; b < nb; b++)
        for (gint64 i = 0; i < MIN (qc, m); i++)
          st ((char *) po + b * qc * w * esz, f64, i * w + i, 1.0);
      return TRUE;
    }
  wa = scratch (m * cols, esz, op, error);
  tau = wa ? scratch (k, esz, op, error) : NULL;
  if (tau == NULL)
    return FALSE;
  if (f64)
    {
      dgeqrf_ (&lm, &ln, wa, &lda, tau, &q1, &lwork, &info);
      dorgqr_ (&lm, &lq, &lk, wa, &lda, tau, &q2, &lwork, &info);
    }
  else
    {
      sgeqrf_ (&lm, &ln, wa, &lda, tau, &q1f, &lwork, &info);
      sorgqr_ (&lm, &lq, &lk, wa, &lda, tau, &q2f, &lwork, &info);
    }
  lwork = f64 ? (lp_int) MAX (q1, q2) : (lp_int) MAX (q1f, q2f);
  work = scratch (lwork, esz, op, error);
  if (work == NULL)
    return FALSE;
  for (gint64 b = 0; b < nb; b++)
    {
      void *out = (char *) po + b * qc * w * esz;

      to_cm ((const char *) pa + b * m * n * esz, wa, f64, m, n);
      if (f64)
        dgeqrf_ (&lm, &ln, wa, &lda, tau, work, &lwork, &info);
      else
        sgeqrf_ (&lm, &ln, wa, &lda, tau, work, &lwork, &info);
      for (gint64 i = 0; i < qc && info == 0; i++)
        for (gint64 j = i; j < n; j++)
          st (out, f64, i * w + m + j, ld (wa, f64, i + j * m));
      if (info == 0 && f64)
        dorgqr_ (&lm, &lq, &lk, wa, &lda, tau, work, &lwork, &info);
      else if (info == 0)
        sorgqr_ (&lm, &lq, &lk, wa, &lda, tau, work, &lwork, &info);
      if (info != 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                       "%s: LAPACK ?geqrf/?orgqr rejected argument %d", op, -info);
          return FALSE;
        }
      for (gint64 c = 0; c < qc; c++) /* Q^T */
        for (gint64 i = 0; i < m; i++)
          st (out, f64, c * w + i, ld (wa, f64, i + c * m));
    }
  return TRUE;
}
