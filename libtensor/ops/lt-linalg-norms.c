/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "lt-ops-private.h"
#include "lt-linalg-lapack.h"
#include "lt-math.h"

/*
 * torch.linalg's functions that compose the LAPACK-backed ops
 * (ops/lt-linalg-lapack.c) with public ops, so they have no row of their
 * own and their gradients come from the ops they are made of: eigvalsh,
 * svdvals, pinv, matrix_rank, lstsq, vector_norm, matrix_norm and norm.
 */

/**
 * lt_linalg_eigvalsh:
 * @a: a float32 or float64 tensor of shape (..., n, n), symmetric
 * @uplo: (nullable): "L" (the default, for %NULL) or "U": the triangle read
 * @error: return location for a #GError
 *
 * The eigenvalues of every symmetric matrix of @a in ascending order, as
 * `torch.linalg.eigvalsh (A, UPLO)`: lt_linalg_eigh() without the
 * eigenvectors (its gradient `Q diag (grad) Q^T`).
 *
 * Returns: (transfer full) (nullable): the eigenvalues, (..., n), or %NULL
 *   with @error set, as lt_linalg_eigh()
 */
LtTensor *
lt_linalg_eigvalsh (LtTensor *a, const char *uplo, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  return lt_linalg_eigh (a, uplo, NULL, error);
}

/**
 * lt_linalg_svdvals:
 * @a: a float32 or float64 tensor of shape (..., m, n)
 * @error: return location for a #GError
 *
 * The singular values of every matrix of @a in descending order, as
 * `torch.linalg.svdvals (A)`: lt_linalg_svd() without the singular vectors
 * (its gradient `U diag (grad) Vh`).
 *
 * Returns: (transfer full) (nullable): the singular values, (..., min (m,
 *   n)), or %NULL with @error set, as lt_linalg_svd()
 */
LtTensor *
lt_linalg_svdvals (LtTensor *a, GError **error)
{
  LtTensor *s = NULL;
  g_autoptr(LtTensor) u = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  u = lt_linalg_svd (a, FALSE, &s, NULL, error);
  return u ? s : NULL;
}

/* @t (new, on the CPU; NULL passes) moved to @like's device */
static LtTensor *
on_device_of (LtTensor *t, LtTensor *like, GError **error)
{
  LtTensor *d;

  if (t == NULL || like->storage->device == LT_DEVICE_CPU)
    return t;
  d = lt_tensor_to_device (t, like->storage->device, error);
  g_object_unref (t);
  return d;
}

/* The tolerance of pinv and matrix_rank, as torch 1.13: max (atol, rtol *
 * the largest singular value), rtol by default eps * max (m, n) when atol
 * is not given (or not above 0) and 0 when it is. @s: (..., k), descending
 * or not; the result (..., 1). */
static LtTensor *
tolerance (LtTensor *s, gint64 m, gint64 n, double atol, double rtol, GError **error)
{
  double eps = s->dtype == LT_DTYPE_FLOAT64 ? DBL_EPSILON : FLT_EPSILON;
  g_autoptr(LtTensor) smax = NULL;

  if (isnan (rtol))
    rtol = (isnan (atol) || atol <= 0) ? eps * MAX (m, n) : 0.0;
  if (isnan (atol))
    atol = 0.0;
  if (s->shape[s->ndim - 1] == 0)
    {
      gint64 shape[LT_MAX_DIMS];

      memcpy (shape, s->shape, s->ndim * sizeof (gint64));
      shape[s->ndim - 1] = 1;
      return on_device_of (lt_full (shape, s->ndim, atol, s->dtype, error), s, error);
    }
  smax = lt_tensor_max_dim (s, -1, TRUE, NULL, error);
  if (smax == NULL)
    return NULL;
  {
    g_autoptr(LtTensor) rel = lt_tensor_mul_scalar (smax, rtol, error);

    return rel ? lt_tensor_maximum_scalar (rel, atol, error) : NULL;
  }
}

/**
 * lt_linalg_pinv:
 * @a: a float32 or float64 tensor of shape (..., m, n)
 * @atol: the absolute tolerance below which a singular value counts as
 *   zero, or NAN for none (0)
 * @rtol: the tolerance relative to the largest singular value, or NAN for
 *   PyTorch's default (eps * max (m, n) without @atol, else 0)
 * @hermitian: @a is symmetric: use its eigendecomposition
 * @error: return location for a #GError
 *
 * The Moore-Penrose pseudo-inverse of every matrix of @a, as
 * `torch.linalg.pinv (A, atol=, rtol=, hermitian=)` (also
 * `torch.pinverse`): V diag (1 / S) U^T over the singular values above
 * the tolerance. Its gradient is that of the decomposition it composes,
 * defined where the kept singular values are distinct.
 *
 * Returns: (transfer full) (nullable): the pseudo-inverses, (..., n, m),
 *   or %NULL with @error set
 */
LtTensor *
lt_linalg_pinv (LtTensor *a, double atol, double rtol, gboolean hermitian, GError **error)
{
  gint64 m, n;
  g_autoptr(LtTensor) u = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) vh = NULL;
  g_autoptr(LtTensor) sa = NULL;
  g_autoptr(LtTensor) tol = NULL;
  g_autoptr(LtTensor) keep = NULL;
  g_autoptr(LtTensor) ones = NULL;
  g_autoptr(LtTensor) safe = NULL;
  g_autoptr(LtTensor) inv = NULL;
  g_autoptr(LtTensor) sinv = NULL;
  g_autoptr(LtTensor) sinv_col = NULL;
  g_autoptr(LtTensor) ut = NULL;
  g_autoptr(LtTensor) right = NULL;
  g_autoptr(LtTensor) v = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (a->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "linalg.pinv: The input tensor A must have at least 2 dimensions.");
      return NULL;
    }
  m = a->shape[a->ndim - 2];
  n = a->shape[a->ndim - 1];
  /* A = U diag (s) Vh; symmetric: A = Q diag (w) Q^T, U = Q, Vh = Q^T */
  if (hermitian)
    {
      s = lt_linalg_eigh (a, NULL, &u, error);
      vh = u ? lt_tensor_transpose (u, -2, -1, error) : NULL;
    }
  else
    u = lt_linalg_svd (a, FALSE, &s, &vh, error);
  if (vh == NULL)
    return NULL;
  sa = lt_tensor_abs (s, error);
  tol = sa ? tolerance (sa, m, n, atol, rtol, error) : NULL;
  keep = tol ? lt_tensor_gt (sa, tol, error) : NULL;
  ones = keep ? lt_ones_like (s, error) : NULL;
  /* 1 / s where kept, 0 elsewhere (the division on a safe 1, no inf * 0) */
  safe = ones ? lt_where (keep, s, ones, error) : NULL;
  inv = safe ? lt_tensor_reciprocal (safe, error) : NULL;
  sinv = inv ? lt_tensor_mul (inv, keep, error) : NULL;
  sinv_col = sinv ? lt_tensor_unsqueeze (sinv, -1, error) : NULL;
  ut = sinv_col ? lt_tensor_transpose (u, -2, -1, error) : NULL;
  right = ut ? lt_tensor_mul (sinv_col, ut, error) : NULL;
  v = right ? lt_tensor_transpose (vh, -2, -1, error) : NULL;
  return v ? lt_tensor_matmul (v, right, error) : NULL;
}

/**
 * lt_linalg_matrix_rank:
 * @a: a float32 or float64 tensor of shape (..., m, n)
 * @atol: the absolute tolerance, or NAN for none
 * @rtol: the relative tolerance, or NAN for PyTorch's default
 * @hermitian: @a is symmetric: count its eigenvalues instead
 * @error: return location for a #GError
 *
 * The number of singular values above the tolerance (as lt_linalg_pinv()
 * takes it) of every matrix of @a, as
 * `torch.linalg.matrix_rank (A, atol=, rtol=, hermitian=)`.
 *
 * Returns: (transfer full) (nullable): the ranks (int64), of @a's batch
 *   shape, or %NULL with @error set
 */
LtTensor *
lt_linalg_matrix_rank (LtTensor *a, double atol, double rtol, gboolean hermitian, GError **error)
{
  gboolean prev;
  gint     last = -1;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) sa = NULL;
  g_autoptr(LtTensor) tol = NULL;
  g_autoptr(LtTensor) keep = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (a->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "linalg.matrix_rank: The input tensor A must have at least 2 dimensions.");
      return NULL;
    }
  prev = lt_set_grad_enabled (FALSE);
  s = hermitian ? lt_linalg_eigvalsh (a, NULL, error) : lt_linalg_svdvals (a, error);
  sa = s ? lt_tensor_abs (s, error) : NULL;
  tol = sa ? tolerance (sa, a->shape[a->ndim - 2], a->shape[a->ndim - 1], atol, rtol, error) : NULL;
  keep = tol ? lt_tensor_gt (sa, tol, error) : NULL;
  lt_set_grad_enabled (prev);
  return keep ? lt_tensor_sum_dims (keep, &last, 1, FALSE, error) : NULL;
}

/**
 * lt_linalg_lstsq:
 * @a: a float32 or float64 tensor of shape (..., m, n)
 * @b: the right-hand side, (..., m, k), or (..., m) for vectors; its batch
 *   dims broadcast with @a's
 * @rcond: singular values below @rcond times the largest count as zero;
 *   NAN for eps * max (m, n)
 * @residuals: (out) (optional) (transfer full): an empty tensor, as
 *   PyTorch's default CPU driver (gelsy) gives
 * @rank: (out) (optional) (transfer full): the rank of each matrix (int64)
 * @singular_values: (out) (optional) (transfer full): an empty tensor, as
 *   gelsy gives
 * @error: return location for a #GError
 *
 * The least-squares solution X of `A X = B`, as
 * `torch.linalg.lstsq (A, B, rcond)`: lt_linalg_lstsq_driver() with the
 * driver "gelsy".
 *
 * Returns: (transfer full) (nullable): X, (..., n, k) (or (..., n)), or
 *   %NULL with @error set
 */
LtTensor *
lt_linalg_lstsq (LtTensor  *a,
                 LtTensor  *b,
                 double     rcond,
                 LtTensor **residuals,
                 LtTensor **rank,
                 LtTensor **singular_values,
                 GError   **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (b), NULL);
  return lt_linalg_lstsq_driver (a, b, rcond, "gelsy", residuals, rank, singular_values, error);
}

/* The squared residuals ||A X - B||^2 of each column, (..., k), without
 * gradient (PyTorch gives them none). */
static LtTensor *
lstsq_residuals (LtTensor *a, LtTensor *x, LtTensor *bm, GError **error)
{
  gint     rows = -2;
  gboolean prev = lt_set_grad_enabled (FALSE);
  g_autoptr(LtTensor) ax = lt_tensor_matmul (a, x, error);
  g_autoptr(LtTensor) d = ax ? lt_tensor_sub (ax, bm, error) : NULL;
  g_autoptr(LtTensor) d2 = d ? lt_tensor_mul (d, d, error) : NULL;
  LtTensor *r = d2 ? lt_tensor_sum_dims (d2, &rows, 1, FALSE, error) : NULL;

  lt_set_grad_enabled (prev);
  return r;
}

/**
 * lt_linalg_lstsq_driver:
 * @a: a float32 or float64 tensor of shape (..., m, n)
 * @b: the right-hand side, (..., m, k), or (..., m) for vectors; its batch
 *   dims broadcast with @a's
 * @rcond: singular values below @rcond times the largest count as zero
 *   (gelsy, gelsd, gelss); NAN for eps * max (m, n)
 * @driver: (nullable): "gelsy" (the default, for %NULL), "gels" (for
 *   matrices of full rank), "gelsd" or "gelss", PyTorch's CPU drivers
 * @residuals: (out) (optional) (transfer full): the squared residuals of
 *   each column of the solution, (..., k), when m > n and (except for gels)
 *   every matrix has rank n; else an empty tensor; gelsy gives none
 * @rank: (out) (optional) (transfer full): the rank of each matrix (int64),
 *   or an empty tensor for gels
 * @singular_values: (out) (optional) (transfer full): the singular values
 *   of each matrix, (..., min (m, n)), for gelsd and gelss; else an empty
 *   tensor
 * @error: return location for a #GError
 *
 * The least-squares solution X of `A X = B`, as
 * `torch.linalg.lstsq (A, B, rcond, driver=driver)` on the CPU: the
 * minimum-norm X minimising ||A X - B||, pinv (A) B over the singular
 * values above the cut-off, with the outputs each driver gives. Its
 * gradient is that of pinv and matmul, right for matrices of full rank.
 *
 * Returns: (transfer full) (nullable): X, (..., n, k) (or (..., n)), or
 *   %NULL with @error set
 */
LtTensor *
lt_linalg_lstsq_driver (LtTensor   *a,
                        LtTensor   *b,
                        double      rcond,
                        const char *driver,
                        LtTensor  **residuals,
                        LtTensor  **rank,
                        LtTensor  **singular_values,
                        GError    **error)
{
  gboolean vec, gels, svd;
  gint64   zero = 0;
  gint64   m, n;
  g_autoptr(LtTensor) p = NULL;
  g_autoptr(LtTensor) bm = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) r = NULL;
  g_autoptr(LtTensor) res = NULL;
  g_autoptr(LtTensor) sv = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (b), NULL);
  if (driver == NULL)
    driver = "gelsy";
  gels = strcmp (driver, "gels") == 0;
  svd = strcmp (driver, "gelsd") == 0 || strcmp (driver, "gelss") == 0;
  if (!gels && !svd && strcmp (driver, "gelsy") != 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, "
                   "gelss), not '%s'",
                   driver);
      return NULL;
    }
  if (a->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "linalg.lstsq: input must have at least 2 dimensions.");
      return NULL;
    }
  if (a->dtype != b->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "linalg.lstsq: Expected input and other to have the same dtype, but got "
                   "input's dtype %s and other's dtype %s",
                   lt_dtype_get_name (a->dtype), lt_dtype_get_name (b->dtype));
      return NULL;
    }
  m = a->shape[a->ndim - 2];
  n = a->shape[a->ndim - 1];
  vec = b->ndim == a->ndim - 1;
  bm = vec ? lt_tensor_unsqueeze (b, -1, error) : g_object_ref (b);
  if (bm == NULL)
    return NULL;
  if (bm->ndim < 2 || bm->shape[bm->ndim - 2] != m)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "linalg.lstsq: input.size(-2) should match other.size(-2) (%" G_GINT64_FORMAT
                   " and %" G_GINT64_FORMAT ")",
                   m, bm->ndim >= 2 ? bm->shape[bm->ndim - 2] : bm->shape[0]);
      return NULL;
    }
  /* gels has no cut-off: every nonzero singular value counts */
  p = lt_linalg_pinv (a, 0.0, gels ? 0.0 : rcond, FALSE, error);
  x = p ? lt_tensor_matmul (p, bm, error) : NULL;
  if (x == NULL)
    return NULL;
  /* the out values only when all of them could be made */
  if (!gels && (rank || residuals))
    {
      r = lt_linalg_matrix_rank (a, 0.0, rcond, FALSE, error);
      if (r == NULL)
        return NULL;
    }
  if (residuals)
    {
      gboolean full = m > n;

      if (full && !gels && strcmp (driver, "gelsy") == 0)
        full = FALSE;
      if (full && !gels && r->numel > 0)
        {
          g_autoptr(LtTensor) lo = lt_tensor_min (r, error);
          gint64 v = 0;

          if (lo == NULL || !lt_tensor_item_int64 (lo, &v, error))
            return NULL;
          full = v == n;
        }
      res = full ? lstsq_residuals (a, x, bm, error)
                 : on_device_of (lt_zeros (&zero, 1, a->dtype, error), a, error);
      if (res == NULL)
        return NULL;
    }
  if (singular_values)
    {
      gboolean prev = lt_set_grad_enabled (FALSE);

      sv = svd ? lt_linalg_svdvals (a, error)
               : on_device_of (lt_zeros (&zero, 1, a->dtype, error), a, error);
      lt_set_grad_enabled (prev);
      if (sv == NULL)
        return NULL;
    }
  if (rank && gels)
    {
      r = on_device_of (lt_zeros (&zero, 1, LT_DTYPE_INT64, error), a, error);
      if (r == NULL)
        return NULL;
    }
  if (vec)
    {
      LtTensor *sq = lt_tensor_squeeze_dim (x, -1, error);

      g_object_unref (x);
      if ((x = sq) == NULL)
        return NULL;
    }
  if (rank)
    *rank = g_steal_pointer (&r);
  if (residuals)
    *residuals = g_steal_pointer (&res);
  if (singular_values)
    *singular_values = g_steal_pointer (&sv);
  return g_steal_pointer (&x);
}

/**
 * lt_linalg_vector_norm:
 * @x: a float32 or float64 tensor
 * @ord: the order: 2 (Euclidean), 1, 0 (the number of non-zero elements),
 *   INFINITY (the largest magnitude), -INFINITY (the smallest), or any
 *   other number, `(sum |x|^ord)^(1/ord)`
 * @dims: (array length=n_dims) (nullable): the dimensions to reduce; none:
 *   every element as one vector
 * @n_dims: the number of dimensions in @dims
 * @keepdim: keep each reduced dimension with size 1
 * @error: return location for a #GError
 *
 * Vector norms, as `torch.linalg.vector_norm (x, ord, dim, keepdim)`.
 *
 * Returns: (transfer full) (nullable): the norms, or %NULL with @error set
 *   (integers, a dimension out of range)
 */
LtTensor *
lt_linalg_vector_norm (LtTensor   *x,
                       double      ord,
                       const gint *dims,
                       gsize       n_dims,
                       gboolean    keepdim,
                       GError    **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (x), NULL);
  if (x->dtype != LT_DTYPE_FLOAT32 && x->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "linalg.vector_norm: Expected a floating point tensor as input. Got %s",
                   lt_dtype_get_name (x->dtype));
      return NULL;
    }
  return lt_tensor_norm_dims (x, ord, dims, n_dims, keepdim, error);
}

/* One of matrix_norm's orders */
typedef enum
{
  ORD_FRO,
  ORD_NUC,
  ORD_2,
  ORD_M2,
  ORD_1,
  ORD_M1,
  ORD_INF,
  ORD_MINF,
} MatrixOrd;

static gboolean
parse_ord (const char *ord, MatrixOrd *o, GError **error)
{
  static const char *const names[] = { "fro", "nuc", "2", "-2", "1", "-1", "inf", "-inf" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (ord ? ord : "fro", names[i]) == 0)
      {
        *o = (MatrixOrd) i;
        return TRUE;
      }
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "linalg.matrix_norm: Order %s not supported.", ord);
  return FALSE;
}

/**
 * lt_linalg_matrix_norm:
 * @a: a float32 or float64 tensor with at least two dimensions
 * @ord: (nullable): "fro" (the default, for %NULL), "nuc" (the sum of the
 *   singular values), "2" and "-2" (the largest and smallest singular
 *   value), "1" and "-1" (the largest and smallest column sum of
 *   magnitudes), "inf" and "-inf" (the same over rows)
 * @dim0: the dimension of the rows (negative counts from the end)
 * @dim1: the dimension of the columns
 * @keepdim: keep both dimensions with size 1
 * @error: return location for a #GError
 *
 * Matrix norms over two dimensions, as
 * `torch.linalg.matrix_norm (A, ord, dim=(dim0, dim1), keepdim)`; "nuc",
 * "2" and "-2" go through the singular values, with their gradient.
 *
 * Returns: (transfer full) (nullable): the norms, or %NULL with @error set
 *   (an unknown order, the same dimension twice, integers)
 */
LtTensor *
lt_linalg_matrix_norm (LtTensor   *a,
                       const char *ord,
                       gint        dim0,
                       gint        dim1,
                       gboolean    keepdim,
                       GError    **error)
{
  MatrixOrd o;
  guint     d0, d1, np = 0;
  gint      perm[LT_MAX_DIMS];
  gint      last = -1, dims2[2];
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (!parse_ord (ord, &o, error))
    return NULL;
  if (a->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
      return NULL;
    }
  if (a->dtype != LT_DTYPE_FLOAT32 && a->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "linalg.matrix_norm: Expected a floating point tensor as input. Got %s",
                   lt_dtype_get_name (a->dtype));
      return NULL;
    }
  if (!_lt_normalize_dim (dim0, a->ndim, &d0, "linalg.matrix_norm", error) ||
      !_lt_normalize_dim (dim1, a->ndim, &d1, "linalg.matrix_norm", error))
    return NULL;
  if (d0 == d1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "linalg.matrix_norm: dims must be different. Got (%d, %d)", dim0, dim1);
      return NULL;
    }
  if (o == ORD_FRO)
    {
      dims2[0] = (gint) d0;
      dims2[1] = (gint) d1;
      return lt_tensor_norm_dims (a, 2.0, dims2, 2, keepdim, error);
    }
  /* the two dims last, rows then columns */
  for (guint d = 0; d < a->ndim; d++)
    if (d != d0 && d != d1)
      perm[np++] = (gint) d;
  perm[np++] = (gint) d0;
  perm[np++] = (gint) d1;
  y = lt_tensor_permute (a, perm, a->ndim, error);
  if (y == NULL)
    return NULL;
  switch (o)
    {
      case ORD_NUC:
      case ORD_2:
      case ORD_M2:
        {
          g_autoptr(LtTensor) s = lt_linalg_svdvals (y, error);
          gint64 k = s ? s->shape[s->ndim - 1] : 0;

          if (s && o == ORD_NUC)
            r = lt_tensor_sum_dims (s, &last, 1, FALSE, error);
          else if (s && k == 0)
            g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                         "linalg.matrix_norm: Expected a non-empty matrix for ord %s", ord);
          else if (s)
            r = lt_tensor_select (s, -1, o == ORD_2 ? 0 : k - 1, error);
        }
        break;
      default:
        {
          /* 1, -1: over the columns of the sums down the rows; inf, -inf: the reverse */
          gboolean cols = o == ORD_1 || o == ORD_M1;
          gboolean largest = o == ORD_1 || o == ORD_INF;
          gint     sum_dim = cols ? -2 : -1;
          g_autoptr(LtTensor) ab = lt_tensor_abs (y, error);
          g_autoptr(LtTensor) sums =
                       ab ? lt_tensor_sum_dims (ab, &sum_dim, 1, FALSE, error) : NULL;

          if (sums && sums->shape[sums->ndim - 1] == 0)
            g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                         "linalg.matrix_norm: Expected a non-empty matrix for ord %s", ord);
          else if (sums)
            r = largest ? lt_tensor_max_dim (sums, -1, FALSE, NULL, error)
                        : lt_tensor_min_dim (sums, -1, FALSE, NULL, error);
        }
        break;
    }
  if (r && keepdim)
    {
      guint lo = MIN (d0, d1), hi = MAX (d0, d1);
      g_autoptr(LtTensor) r1 = lt_tensor_unsqueeze (r, (gint) lo, error);

      return r1 ? lt_tensor_unsqueeze (r1, (gint) hi, error) : NULL;
    }
  return g_steal_pointer (&r);
}

/**
 * lt_linalg_norm:
 * @x: a float32 or float64 tensor
 * @ord: (nullable): the order: %NULL for the default (2 over vectors,
 *   "fro" over matrices), a matrix order as lt_linalg_matrix_norm() takes
 *   it when two dims are reduced, otherwise a number ("2", "inf", "-inf",
 *   "0", "3.5", ...)
 * @dims: (array length=n_dims) (nullable): one dimension (vector norms)
 *   or two (matrix norms); none: every element as one vector without
 *   @ord, @x's two dimensions as a matrix with an @ord for a 2-D @x
 * @n_dims: the number of dimensions in @dims
 * @keepdim: keep each reduced dimension with size 1
 * @error: return location for a #GError
 *
 * Vector or matrix norms, as `torch.linalg.norm (x, ord, dim, keepdim)`.
 *
 * Returns: (transfer full) (nullable): the norms, or %NULL with @error set
 */
LtTensor *
lt_linalg_norm (LtTensor   *x,
                const char *ord,
                const gint *dims,
                gsize       n_dims,
                gboolean    keepdim,
                GError    **error)
{
  double p;
  char  *end = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (x), NULL);
  if (n_dims == 2 || (n_dims == 0 && ord != NULL && x->ndim == 2))
    return lt_linalg_matrix_norm (x, ord, n_dims == 2 ? dims[0] : -2, n_dims == 2 ? dims[1] : -1,
                                  keepdim, error);
  if (n_dims > 2)
    {
      g_set_error (
        error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
        "linalg.norm: If dim is specified, it must be of length 1 or 2. Got %" G_GSIZE_FORMAT,
        n_dims);
      return NULL;
    }
  if (ord != NULL && n_dims == 0 && x->ndim != 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "linalg.norm: If dim is not specified but ord is, the input must be 1D or "
                   "2D. Got %uD.",
                   x->ndim);
      return NULL;
    }
  p = 2.0;
  if (ord != NULL)
    {
      if (g_strcmp0 (ord, "inf") == 0)
        p = INFINITY;
      else if (g_strcmp0 (ord, "-inf") == 0)
        p = -INFINITY;
      else
        {
          p = g_ascii_strtod (ord, &end);
          if (end == ord || *end != '\0')
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                           "linalg.vector_norm: Order %s not supported for vectors.", ord);
              return NULL;
            }
        }
    }
  return lt_linalg_vector_norm (x, p, dims, n_dims, keepdim, error);
}
