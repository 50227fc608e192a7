/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-linalg-lapack.h"

/*
 * torch.linalg's decompositions and solvers: inv, solve, det, slogdet,
 * cholesky, eigh, svd and qr, each one op-table row whose CPU kernel calls
 * LAPACK (backends/cpu/lt-cpu-linalg.c) and whose CUDA kernel runs one
 * thread per matrix of the batch (backends/cuda/lt-cuda-kernels-linalg.cu:
 * LU, Cholesky, Jacobi, Householder). Every op works on batches of
 * matrices (..., m, n), float32 or float64.
 *
 * A decomposition with several factors computes them as one packed output
 * (the row in ops/lt-op-list-private.h gives each layout), and returns its
 * factors as views of it: the gradients of all the factors a loss uses
 * meet in the packed tensor's gradient, which the op's one backward rule
 * reads. The rules are the formulas of PyTorch's FunctionsManual.cpp
 * written with differentiable public ops (matmul, transpose, inv, solve,
 * tril, ...), so create_graph gives second derivatives.
 */

/* Helpers that pass a NULL along, so a rule reads as a formula: the first
 * failing op sets @error and the others do nothing. */
static LtTensor *
mT (LtTensor *x, GError **error)
{
  return x ? lt_tensor_transpose (x, -2, -1, error) : NULL;
}

static LtTensor *
mm (LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? lt_tensor_matmul (a, b, error) : NULL;
}

static LtTensor *
add (LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? lt_tensor_add (a, b, error) : NULL;
}

static LtTensor *
sub (LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? lt_tensor_sub (a, b, error) : NULL;
}

static LtTensor *
mul (LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? lt_tensor_mul (a, b, error) : NULL;
}

static LtTensor *
divide (LtTensor *a, LtTensor *b, GError **error)
{
  return a && b ? lt_tensor_div (a, b, error) : NULL;
}

static LtTensor *
scale (LtTensor *a, double s, GError **error)
{
  return a ? lt_tensor_mul_scalar (a, s, error) : NULL;
}

static LtTensor *
unsq (LtTensor *a, gint dim, GError **error)
{
  return a ? lt_tensor_unsqueeze (a, dim, error) : NULL;
}

static LtTensor *
narrow (LtTensor *a, gint dim, gint64 start, gint64 len, GError **error)
{
  return a ? lt_tensor_narrow (a, dim, start, len, error) : NULL;
}

static LtTensor *
tril (LtTensor *a, gint64 k, GError **error)
{
  return a ? lt_tensor_tril (a, k, error) : NULL;
}

/* The n x n identity, of @like's dtype and device */
static LtTensor *
eye_like (gint64 n, LtTensor *like, GError **error)
{
  g_autoptr(LtTensor) e = like ? lt_eye (n, -1, like->dtype, error) : NULL;

  if (e && like->storage->device != LT_DEVICE_CPU)
    return lt_tensor_to_device (e, like->storage->device, error);
  return g_steal_pointer (&e);
}

/* (..., n) -> (..., n, n) with @v on the diagonal */
static LtTensor *
diag_embed (LtTensor *v, GError **error)
{
  g_autoptr(LtTensor) e = v ? eye_like (v->shape[v->ndim - 1], v, error) : NULL;
  g_autoptr(LtTensor) u = e ? unsq (v, -2, error) : NULL;

  return mul (u, e, error);
}

/* Checks that @a is float32 or float64 with at least two dims, and square
 * when @square. */
static gboolean
check_matrix (LtTensor *a, const char *op, gboolean square, GError **error)
{
  if (a->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: The input tensor A must have at least 2 dimensions.", op);
      return FALSE;
    }
  if (a->dtype != LT_DTYPE_FLOAT32 && a->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: Expected a floating point tensor as input (float32 or float64). Got %s", op,
                   lt_dtype_get_name (a->dtype));
      return FALSE;
    }
  if (square && a->shape[a->ndim - 1] != a->shape[a->ndim - 2])
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: A must be batches of square matrices, but they are %" G_GINT64_FORMAT
                   " by %" G_GINT64_FORMAT " matrices",
                   op, a->shape[a->ndim - 2], a->shape[a->ndim - 1]);
      return FALSE;
    }
  return TRUE;
}

/* Runs @op on the contiguous copies of @inputs into a new tensor of @shape
 * and records its node (edges to @inputs). */
static LtTensor *
run_op (LtOp                  op,
        LtTensor *const      *inputs,
        guint                 n_in,
        const gint64         *shape,
        guint                 ndim,
        const LtLinalgParams *lp,
        GError              **error)
{
  LtTensor  *c[2] = { NULL, NULL };
  LtOpParams params = { .linalg = *lp };
  LtTensor  *out = NULL;
  LtGradFn  *node;
  gboolean   ok = TRUE;

  for (guint i = 0; i < n_in && ok; i++)
    ok = (c[i] = _lt_contiguous (inputs[i], error)) != NULL;
  if (ok)
    out = _lt_tensor_new_empty (shape, ndim, inputs[0]->dtype, inputs[0]->storage->device, error);
  if (out && !_lt_run (op, out, NULL, c, n_in, &params, error))
    g_clear_object (&out);
  if (out && (node = _lt_autograd_record (op, inputs, n_in)) != NULL)
    {
      node->params.linalg = *lp;
      _lt_autograd_save_args (node, c, n_in, NULL);
      _lt_autograd_set_output (node, out);
    }
  for (guint i = 0; i < n_in; i++)
    g_clear_object (&c[i]);
  return out;
}

/**
 * lt_linalg_inv:
 * @a: a float32 or float64 tensor of shape (..., n, n)
 * @error: return location for a #GError
 *
 * The inverse of every square matrix of @a, as `torch.linalg.inv (A)`
 * (also `torch.inverse`), by LU factorisation with partial pivoting. Its
 * gradient is `-A^-T grad A^-T`.
 *
 * Returns: (transfer full) (nullable): the inverses, (..., n, n), or %NULL
 *   with @error set: %LT_ERROR_LINALG naming the zero diagonal element of
 *   U for a singular matrix, %LT_ERROR_SHAPE for a matrix that is not
 *   square, %LT_ERROR_DTYPE for an integer tensor
 */
LtTensor *
lt_linalg_inv (LtTensor *a, GError **error)
{
  LtLinalgParams lp = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (!check_matrix (a, "linalg.inv", TRUE, error))
    return NULL;
  return run_op (LT_OP_LINALG_INV, &a, 1, a->shape, a->ndim, &lp, error);
}

gboolean
_lt_backward_linalg_inv (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* -B^T g B^T, B = A^-1 */
  LT_SAVED (b, RESULT);
  g_autoptr(LtTensor) bt = mT (b, error);
  g_autoptr(LtTensor) p = mm (bt, g, error);
  g_autoptr(LtTensor) q = mm (p, bt, error);

  return (gi[0] = scale (q, -1.0, error)) != NULL;
}

/**
 * lt_linalg_solve:
 * @a: a float32 or float64 tensor of shape (..., n, n)
 * @b: the right-hand side, (..., n, k), or (..., n) for vectors (a 1-D @b,
 *   or one with one dimension less than @a and @a's leading shape); the
 *   batch dims broadcast with @a's
 * @error: return location for a #GError
 *
 * Solves `A X = B` for X, as `torch.linalg.solve (A, B)`, by LU
 * factorisation with partial pivoting. The gradients are
 * `grad_B = A^-T grad` (a solve again) and `grad_A = -grad_B X^T`.
 *
 * Returns: (transfer full) (nullable): X, of @b's shape broadcast with
 *   @a's batch, or %NULL with @error set: %LT_ERROR_LINALG for a singular
 *   matrix, %LT_ERROR_SHAPE for shapes that do not fit, %LT_ERROR_DTYPE
 *   for integers or two different dtypes
 */
LtTensor *
lt_linalg_solve (LtTensor *a, LtTensor *b, GError **error)
{
  LtLinalgParams lp = { 0 };
  gboolean       vec;
  gint64         n, shape[LT_MAX_DIMS], bshape[LT_MAX_DIMS];
  guint          nb_a, nb_b, nb;
  g_autoptr(LtTensor) bm = NULL;
  g_autoptr(LtTensor) ae = NULL;
  g_autoptr(LtTensor) be = NULL;
  g_autoptr(LtTensor) x = NULL;
  LtTensor *in[2];

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (b), NULL);
  if (!check_matrix (a, "linalg.solve", TRUE, error))
    return NULL;
  if (b->dtype != a->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "linalg.solve: Expected A and B to have the same dtype, but found A of type "
                   "%s and B of type %s instead",
                   lt_dtype_get_name (a->dtype), lt_dtype_get_name (b->dtype));
      return NULL;
    }
  n = a->shape[a->ndim - 1];
  vec = b->ndim == 1 || (b->ndim == a->ndim - 1 &&
                         memcmp (b->shape, a->shape, (a->ndim - 1) * sizeof (gint64)) == 0);
  bm = vec ? lt_tensor_unsqueeze (b, -1, error) : g_object_ref (b);
  if (bm == NULL)
    return NULL;
  if (bm->ndim < 2 || bm->shape[bm->ndim - 2] != n)
    {
      g_set_error (
        error, LT_ERROR, LT_ERROR_SHAPE,
        "linalg.solve: Incompatible shapes of A and B for the equation AX = B (%" G_GINT64_FORMAT
        "x%" G_GINT64_FORMAT " and %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT ")",
        n, n, bm->ndim >= 2 ? bm->shape[bm->ndim - 2] : 0, bm->shape[bm->ndim - 1]);
      return NULL;
    }
  /* broadcast the batch dims */
  nb_a = a->ndim - 2;
  nb_b = bm->ndim - 2;
  nb = MAX (nb_a, nb_b);
  for (guint i = 0; i < nb; i++)
    {
      gint64 da = i + nb_a >= nb ? a->shape[i + nb_a - nb] : 1;
      gint64 db = i + nb_b >= nb ? bm->shape[i + nb_b - nb] : 1;

      if (da != db && da != 1 && db != 1)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "linalg.solve: the batch dimensions of A and B do not broadcast: "
                       "%" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " at batch dim %u",
                       da, db, i);
          return NULL;
        }
      shape[i] = bshape[i] = da == 1 ? db : da;
    }
  shape[nb] = shape[nb + 1] = n;
  bshape[nb] = n;
  bshape[nb + 1] = bm->shape[bm->ndim - 1];
  ae = lt_tensor_expand (a, shape, nb + 2, error);
  be = ae ? lt_tensor_expand (bm, bshape, nb + 2, error) : NULL;
  if (be == NULL)
    return NULL;
  in[0] = ae;
  in[1] = be;
  x = run_op (LT_OP_LINALG_SOLVE, in, 2, bshape, nb + 2, &lp, error);
  if (x && vec)
    return lt_tensor_squeeze_dim (x, -1, error);
  return g_steal_pointer (&x);
}

gboolean
_lt_backward_linalg_solve (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (a, ARG0);
  g_autoptr(LtTensor) at = mT (a, error);
  g_autoptr(LtTensor) gb = at ? lt_linalg_solve (at, g, error) : NULL;

  if (gb == NULL)
    return FALSE;
  if (LT_NEEDS (0))
    {
      LT_SAVED (x, RESULT);
      g_autoptr(LtTensor) xt = mT (x, error);
      g_autoptr(LtTensor) p = mm (gb, xt, error);

      if ((gi[0] = scale (p, -1.0, error)) == NULL)
        return FALSE;
    }
  if (LT_NEEDS (1))
    gi[1] = g_steal_pointer (&gb);
  return TRUE;
}

/**
 * lt_linalg_det:
 * @a: a float32 or float64 tensor of shape (..., n, n)
 * @error: return location for a #GError
 *
 * The determinant of every square matrix of @a, as `torch.linalg.det (A)`
 * (also `torch.det`): the product of the diagonal of U in A = P L U; 0 for
 * a singular matrix. Its gradient is `grad det (A) A^-T`, which needs an
 * invertible matrix: the backward of a singular one fails with
 * %LT_ERROR_LINALG.
 *
 * Returns: (transfer full) (nullable): the determinants, of @a's batch
 *   shape, or %NULL with @error set (%LT_ERROR_SHAPE for a matrix that is
 *   not square, %LT_ERROR_DTYPE for integers)
 */
LtTensor *
lt_linalg_det (LtTensor *a, GError **error)
{
  LtLinalgParams lp = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (!check_matrix (a, "linalg.det", TRUE, error))
    return NULL;
  return run_op (LT_OP_LINALG_DET, &a, 1, a->shape, a->ndim - 2, &lp, error);
}

/* (..., ) scalar per matrix * A^-T */
static LtTensor *
times_inv_t (LtTensor *s, LtTensor *a, GError **error)
{
  g_autoptr(LtTensor) ai = lt_linalg_inv (a, error);
  g_autoptr(LtTensor) ait = mT (ai, error);
  g_autoptr(LtTensor) s1 = ait ? unsq (s, -1, error) : NULL;
  g_autoptr(LtTensor) s2 = unsq (s1, -1, error);

  return mul (s2, ait, error);
}

gboolean
_lt_backward_linalg_det (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (a, ARG0);
  LT_SAVED (d, RESULT);
  g_autoptr(LtTensor) gd = mul (g, d, error);

  return (gi[0] = times_inv_t (gd, a, error)) != NULL;
}

/**
 * lt_linalg_slogdet:
 * @a: a float32 or float64 tensor of shape (..., n, n)
 * @logabsdet: (out) (optional) (transfer full): the logarithm of the
 *   absolute value of each determinant (-inf for a singular matrix)
 * @error: return location for a #GError
 *
 * The sign and the log of the absolute value of the determinant of every
 * square matrix of @a, as `sign, logabsdet = torch.linalg.slogdet (A)`;
 * finite where the determinant itself would overflow. Both are views of
 * one (..., 2) tensor. The gradient of @logabsdet is `grad A^-T`; the sign
 * has none.
 *
 * Returns: (transfer full) (nullable): the signs (1, -1, or 0 for a
 *   singular matrix), of @a's batch shape, or %NULL with @error set
 */
LtTensor *
lt_linalg_slogdet (LtTensor *a, LtTensor **logabsdet, GError **error)
{
  LtLinalgParams lp = { 0 };
  gint64         shape[LT_MAX_DIMS];
  g_autoptr(LtTensor) packed = NULL;
  g_autoptr(LtTensor) sign = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (!check_matrix (a, "linalg.slogdet", TRUE, error))
    return NULL;
  memcpy (shape, a->shape, (a->ndim - 2) * sizeof (gint64));
  shape[a->ndim - 2] = 2;
  packed = run_op (LT_OP_LINALG_SLOGDET, &a, 1, shape, a->ndim - 1, &lp, error);
  sign = packed ? lt_tensor_select (packed, -1, 0, error) : NULL;
  if (sign && logabsdet && (*logabsdet = lt_tensor_select (packed, -1, 1, error)) == NULL)
    return NULL;
  return g_steal_pointer (&sign);
}

gboolean
_lt_backward_linalg_slogdet (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (a, ARG0);
  g_autoptr(LtTensor) gl = lt_tensor_select (g, -1, 1, error);

  return gl && (gi[0] = times_inv_t (gl, a, error)) != NULL;
}

/**
 * lt_linalg_cholesky:
 * @a: a float32 or float64 tensor of shape (..., n, n), symmetric
 *   positive-definite (only its lower triangle is read)
 * @upper: return the upper-triangular factor U = L^T (A = U^T U) instead
 * @error: return location for a #GError
 *
 * The Cholesky factor of every matrix of @a, as
 * `torch.linalg.cholesky (A, upper=upper)`: L lower-triangular with a
 * positive diagonal and A = L L^T. Its gradient is PyTorch's
 * `L^-T Phi (L^T grad) L^-1`, symmetric.
 *
 * Returns: (transfer full) (nullable): the factors, (..., n, n), or %NULL
 *   with @error set: %LT_ERROR_LINALG naming the order of the leading minor
 *   that is not positive-definite, %LT_ERROR_SHAPE for a matrix that is not
 *   square
 */
LtTensor *
lt_linalg_cholesky (LtTensor *a, gboolean upper, GError **error)
{
  LtLinalgParams lp = { 0 };
  g_autoptr(LtTensor) l = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (!check_matrix (a, "linalg.cholesky", TRUE, error))
    return NULL;
  l = run_op (LT_OP_LINALG_CHOLESKY, &a, 1, a->shape, a->ndim, &lp, error);
  if (l && upper)
    return mT (l, error);
  return g_steal_pointer (&l);
}

gboolean
_lt_backward_linalg_cholesky (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* T = tril (L^T g); M = (T + tril (T, -1)^T) / 2; grad = L^-T M L^-1 */
  LT_SAVED (l, RESULT);
  g_autoptr(LtTensor) lt = mT (l, error);
  g_autoptr(LtTensor) p = mm (lt, g, error);
  g_autoptr(LtTensor) t = tril (p, 0, error);
  g_autoptr(LtTensor) ts = tril (t, -1, error);
  g_autoptr(LtTensor) tst = mT (ts, error);
  g_autoptr(LtTensor) s = add (t, tst, error);
  g_autoptr(LtTensor) m = scale (s, 0.5, error);
  g_autoptr(LtTensor) li = m ? lt_linalg_inv (l, error) : NULL;
  g_autoptr(LtTensor) lit = mT (li, error);
  g_autoptr(LtTensor) q = mm (lit, m, error);

  return (gi[0] = mm (q, li, error)) != NULL;
}

static gboolean
parse_uplo (const char *uplo, gboolean *upper, GError **error)
{
  if (uplo == NULL || g_strcmp0 (uplo, "L") == 0 || g_strcmp0 (uplo, "U") == 0)
    {
      *upper = g_strcmp0 (uplo, "U") == 0;
      return TRUE;
    }
  g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
               "linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got %s", uplo);
  return FALSE;
}

/* The packed (..., n + 1, n) eigendecomposition of @a */
static LtTensor *
eigh_packed (LtTensor *a, const char *uplo, GError **error)
{
  LtLinalgParams lp = { 0 };
  gint64         shape[LT_MAX_DIMS];

  if (!check_matrix (a, "linalg.eigh", TRUE, error) || !parse_uplo (uplo, &lp.upper, error))
    return NULL;
  memcpy (shape, a->shape, a->ndim * sizeof (gint64));
  shape[a->ndim - 2] += 1;
  return run_op (LT_OP_LINALG_EIGH, &a, 1, shape, a->ndim, &lp, error);
}

/**
 * lt_linalg_eigh:
 * @a: a float32 or float64 tensor of shape (..., n, n), symmetric (only
 *   the triangle @uplo names is read)
 * @uplo: (nullable): "L" (the default, for %NULL) or "U"
 * @eigenvectors: (out) (optional) (transfer full): (..., n, n), the
 *   orthonormal eigenvectors as columns, in the order of the eigenvalues
 * @error: return location for a #GError
 *
 * The eigenvalues and eigenvectors of every symmetric matrix of @a, as
 * `L, Q = torch.linalg.eigh (A, UPLO)`: A = Q diag (L) Q^T. Each
 * eigenvector's sign is not unique: LAPACK's (?syevd) on the CPU, the
 * cyclic Jacobi method's on CUDA. The gradient is PyTorch's,
 * defined for distinct eigenvalues when the eigenvectors are used.
 *
 * Returns: (transfer full) (nullable): the eigenvalues in ascending
 *   order, (..., n), or %NULL with @error set (%LT_ERROR_LINALG when the
 *   algorithm does not converge, %LT_ERROR_INVALID_ARGUMENT for another
 *   @uplo)
 */
LtTensor *
lt_linalg_eigh (LtTensor *a, const char *uplo, LtTensor **eigenvectors, GError **error)
{
  g_autoptr(LtTensor) packed = NULL;
  g_autoptr(LtTensor) w = NULL;
  gint64 n;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  packed = eigh_packed (a, uplo, error);
  if (packed == NULL)
    return NULL;
  n = a->shape[a->ndim - 1];
  w = lt_tensor_select (packed, -2, 0, error);
  if (w && eigenvectors && (*eigenvectors = narrow (packed, -2, 1, n, error)) == NULL)
    return NULL;
  return g_steal_pointer (&w);
}

gboolean
_lt_backward_linalg_eigh (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* V (skew (V^T gV) / E + diag (gw)) V^T, E_ij = w_j - w_i (1 on the diagonal) */
  LT_SAVED (packed, RESULT);
  gint64 n = packed->shape[packed->ndim - 1];
  g_autoptr(LtTensor) w = lt_tensor_select (packed, -2, 0, error);
  g_autoptr(LtTensor) v = narrow (w ? packed : NULL, -2, 1, n, error);
  g_autoptr(LtTensor) gw = v ? lt_tensor_select (g, -2, 0, error) : NULL;
  g_autoptr(LtTensor) gv = narrow (gw ? g : NULL, -2, 1, n, error);
  g_autoptr(LtTensor) vt = mT (gv ? v : NULL, error);
  g_autoptr(LtTensor) vtgv = mm (vt, gv, error);
  g_autoptr(LtTensor) vtgvt = mT (vtgv, error);
  g_autoptr(LtTensor) d = sub (vtgv, vtgvt, error);
  g_autoptr(LtTensor) skew = scale (d, 0.5, error);
  g_autoptr(LtTensor) wr = unsq (skew ? w : NULL, -2, error);
  g_autoptr(LtTensor) wc = unsq (wr ? w : NULL, -1, error);
  g_autoptr(LtTensor) e0 = sub (wr, wc, error);
  g_autoptr(LtTensor) id = e0 ? eye_like (n, e0, error) : NULL;
  g_autoptr(LtTensor) e = add (e0, id, error);
  g_autoptr(LtTensor) r0 = divide (skew, e, error);
  g_autoptr(LtTensor) dg = r0 ? diag_embed (gw, error) : NULL;
  g_autoptr(LtTensor) r = add (r0, dg, error);
  g_autoptr(LtTensor) p = mm (v, r, error);

  return (gi[0] = mm (p, vt, error)) != NULL;
}

/* The packed (..., r, m + 1 + n) singular value decomposition of @a */
static LtTensor *
svd_packed (LtTensor *a, gboolean full, GError **error)
{
  LtLinalgParams lp = { .full = full };
  gint64         shape[LT_MAX_DIMS], m, n;

  if (!check_matrix (a, "linalg.svd", FALSE, error))
    return NULL;
  m = lp.m = a->shape[a->ndim - 2];
  n = a->shape[a->ndim - 1];
  memcpy (shape, a->shape, a->ndim * sizeof (gint64));
  shape[a->ndim - 2] = full ? MAX (m, n) : MIN (m, n);
  shape[a->ndim - 1] = m + 1 + n;
  return run_op (LT_OP_LINALG_SVD, &a, 1, shape, a->ndim, &lp, error);
}

/* U (..., m, rows), S (..., k), Vh (..., rows, n) out of @packed, views */
static gboolean
svd_unpack (LtTensor  *packed,
            gint64     m,
            gint64     n,
            gint64     urows,
            gint64     vrows,
            LtTensor **u,
            LtTensor **s,
            LtTensor **vh,
            GError   **error)
{
  gint64 k = MIN (m, n);
  g_autoptr(LtTensor) ut = narrow (packed, -2, 0, urows, error);
  g_autoptr(LtTensor) ut2 = narrow (ut, -1, 0, m, error);
  g_autoptr(LtTensor) sk = narrow (ut2 ? packed : NULL, -2, 0, k, error);
  g_autoptr(LtTensor) vr = narrow (sk ? packed : NULL, -2, 0, vrows, error);

  if (vr == NULL)
    return FALSE;
  if (u && (*u = mT (ut2, error)) == NULL)
    return FALSE;
  if (s && (*s = lt_tensor_select (sk, -1, m, error)) == NULL)
    return FALSE;
  if (vh && (*vh = narrow (vr, -1, m + 1, n, error)) == NULL)
    return FALSE;
  return TRUE;
}

/**
 * lt_linalg_svd:
 * @a: a float32 or float64 tensor of shape (..., m, n)
 * @full_matrices: U (..., m, m) and Vh (..., n, n) instead of the reduced
 *   (..., m, k) and (..., k, n), k = min (m, n)
 * @s: (out) (optional) (transfer full): the singular values, (..., k), in
 *   descending order
 * @vh: (out) (optional) (transfer full): V^T
 * @error: return location for a #GError
 *
 * The singular value decomposition of every matrix of @a, as
 * `U, S, Vh = torch.linalg.svd (A, full_matrices)`: A = U diag (S) Vh,
 * by LAPACK's divide and conquer (?gesdd) on the CPU, by the one-sided
 * Jacobi method on CUDA. The signs of a pair of singular vectors are not
 * unique (each method's own), nor are the columns beyond k of the full
 * factors (an orthonormal basis of the same space). The gradient is PyTorch's, defined
 * for distinct nonzero singular values when U or Vh is used (the columns
 * beyond k of the full factors get none).
 *
 * Returns: (transfer full) (nullable): U, or %NULL with @error set
 *   (%LT_ERROR_LINALG when the algorithm does not converge)
 */
LtTensor *
lt_linalg_svd (LtTensor *a, gboolean full_matrices, LtTensor **s, LtTensor **vh, GError **error)
{
  g_autoptr(LtTensor) packed = NULL;
  g_autoptr(LtTensor) u = NULL;
  g_autoptr(LtTensor) sv = NULL;
  g_autoptr(LtTensor) v = NULL;
  gint64 m, n, k;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  packed = svd_packed (a, full_matrices, error);
  if (packed == NULL)
    return NULL;
  m = a->shape[a->ndim - 2];
  n = a->shape[a->ndim - 1];
  k = MIN (m, n);
  if (!svd_unpack (packed, m, n, full_matrices ? m : k, full_matrices ? n : k, &u, &sv, &v, error))
    return NULL;
  if (s)
    *s = g_steal_pointer (&sv);
  if (vh)
    *vh = g_steal_pointer (&v);
  return g_steal_pointer (&u);
}

gboolean
_lt_backward_linalg_svd (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* PyTorch's svd_backward for real matrices, on the reduced factors */
  LT_SAVED (packed, RESULT);
  gint64 n = packed->shape[packed->ndim - 1], m, k;
  g_autoptr(LtTensor) u = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) vh = NULL;
  g_autoptr(LtTensor) gu = NULL;
  g_autoptr(LtTensor) gs = NULL;
  g_autoptr(LtTensor) gvh = NULL;

  /* packed: (..., r, m + 1 + n) */
  m = node->params.linalg.m;
  n = n - 1 - m;
  k = MIN (m, n);
  if (!svd_unpack (packed, m, n, k, k, &u, &s, &vh, error) ||
      !svd_unpack (g, m, n, k, k, &gu, &gs, &gvh, error))
    return FALSE;
  {
    g_autoptr(LtTensor) ut = mT (u, error);
    g_autoptr(LtTensor) utgu = mm (ut, gu, error);
    g_autoptr(LtTensor) utgut = mT (utgu, error);
    g_autoptr(LtTensor) sku = sub (utgu, utgut, error);
    g_autoptr(LtTensor) gvht = mT (gvh, error);
    g_autoptr(LtTensor) vgv = mm (vh, gvht, error);
    g_autoptr(LtTensor) vgvt = mT (vgv, error);
    g_autoptr(LtTensor) skv = sub (vgv, vgvt, error);
    g_autoptr(LtTensor) srow = unsq (skv ? s : NULL, -2, error);
    g_autoptr(LtTensor) scol = unsq (srow ? s : NULL, -1, error);
    g_autoptr(LtTensor) s2 = mul (s, s, error);
    g_autoptr(LtTensor) s2r = unsq (s2, -2, error);
    g_autoptr(LtTensor) s2c = unsq (s2r ? s2 : NULL, -1, error);
    g_autoptr(LtTensor) e0 = sub (s2r, s2c, error);
    g_autoptr(LtTensor) id = e0 ? eye_like (k, e0, error) : NULL;
    g_autoptr(LtTensor) e = add (e0, id, error);
    g_autoptr(LtTensor) t1 = mul (sku, srow, error);
    g_autoptr(LtTensor) t2 = mul (scol, skv, error);
    g_autoptr(LtTensor) t12 = add (t1, t2, error);
    g_autoptr(LtTensor) r0 = divide (t12, e, error);
    g_autoptr(LtTensor) dg = r0 ? diag_embed (gs, error) : NULL;
    g_autoptr(LtTensor) r = add (r0, dg, error);

    if (r == NULL)
      return FALSE;
    if (m > k)
      {
        /* [U r + (I - U U^T) gU S^-1] Vh */
        g_autoptr(LtTensor) ur = mm (u, r, error);
        g_autoptr(LtTensor) gusi = divide (gu, srow, error);
        g_autoptr(LtTensor) p = mm (ut, gusi, error);
        g_autoptr(LtTensor) up = mm (u, p, error);
        g_autoptr(LtTensor) a1 = add (ur, gusi, error);
        g_autoptr(LtTensor) a2 = sub (a1, up, error);

        gi[0] = mm (a2, vh, error);
      }
    else if (n > k)
      {
        /* U [r Vh + S^-1 gVh (I - V Vh)] */
        g_autoptr(LtTensor) rv = mm (r, vh, error);
        g_autoptr(LtTensor) sig = divide (gvh, scol, error);
        g_autoptr(LtTensor) vht = mT (vh, error);
        g_autoptr(LtTensor) p = mm (sig, vht, error);
        g_autoptr(LtTensor) pv = mm (p, vh, error);
        g_autoptr(LtTensor) a1 = add (rv, sig, error);
        g_autoptr(LtTensor) a2 = sub (a1, pv, error);

        gi[0] = mm (u, a2, error);
      }
    else
      {
        g_autoptr(LtTensor) ur = mm (u, r, error);

        gi[0] = mm (ur, vh, error);
      }
  }
  return gi[0] != NULL;
}

/**
 * lt_linalg_qr:
 * @a: a float32 or float64 tensor of shape (..., m, n)
 * @mode: (nullable): "reduced" (the default, for %NULL): Q (..., m, k),
 *   R (..., k, n), k = min (m, n); "complete": Q (..., m, m), R (..., m, n);
 *   "r": R (..., k, n) only, and an empty Q
 * @r: (out) (optional) (transfer full): R, upper-triangular
 * @error: return location for a #GError
 *
 * The QR decomposition of every matrix of @a, as
 * `Q, R = torch.linalg.qr (A, mode)`: A = Q R with orthonormal columns in
 * Q, by Householder reflections (?geqrf, ?orgqr). The signs of R's
 * diagonal are LAPACK's (the CUDA kernel chooses as ?geqrf does). The
 * gradient is defined for "reduced" (and
 * "complete" when m <= n) when the leading k columns of A are linearly
 * independent; its backward refuses mode "r", as PyTorch's.
 *
 * Returns: (transfer full) (nullable): Q, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT for another @mode)
 */
LtTensor *
lt_linalg_qr (LtTensor *a, const char *mode, LtTensor **r, GError **error)
{
  LtLinalgParams lp = { 0 };
  gint64         shape[LT_MAX_DIMS], m, n, q;
  g_autoptr(LtTensor) packed = NULL;
  g_autoptr(LtTensor) qt = NULL;
  g_autoptr(LtTensor) rr = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (a), NULL);
  if (mode == NULL || g_strcmp0 (mode, "reduced") == 0)
    lp.mode = 0;
  else if (g_strcmp0 (mode, "complete") == 0)
    lp.mode = 1;
  else if (g_strcmp0 (mode, "r") == 0)
    lp.mode = 2;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "linalg.qr: qr received unrecognized mode '%s' but expected one of 'reduced' "
                   "(default), 'r', or 'complete'",
                   mode);
      return NULL;
    }
  if (!check_matrix (a, "linalg.qr", FALSE, error))
    return NULL;
  m = lp.m = a->shape[a->ndim - 2];
  n = a->shape[a->ndim - 1];
  q = lp.mode == 1 ? m : MIN (m, n);
  memcpy (shape, a->shape, a->ndim * sizeof (gint64));
  shape[a->ndim - 2] = q;
  shape[a->ndim - 1] = m + n;
  packed = run_op (LT_OP_LINALG_QR, &a, 1, shape, a->ndim, &lp, error);
  rr = narrow (packed, -1, m, n, error);
  if (rr == NULL)
    return NULL;
  if (lp.mode == 2)
    {
      gint64 zero = 0;

      qt = lt_zeros (&zero, 1, a->dtype, error);
      if (qt && a->storage->device != LT_DEVICE_CPU)
        {
          LtTensor *moved = lt_tensor_to_device (qt, a->storage->device, error);

          g_object_unref (qt);
          qt = moved;
        }
    }
  else
    {
      g_autoptr(LtTensor) qtt = narrow (packed, -1, 0, m, error);

      qt = mT (qtt, error);
    }
  if (qt == NULL)
    return NULL;
  if (r)
    *r = g_steal_pointer (&rr);
  return g_steal_pointer (&qt);
}

/* grad A for A = Q R with R square and invertible (m >= n, reduced):
 * M = R gR^T - gQ^T Q; (gQ + Q copyltu (M)) R^-T, copyltu (M) = tril (M) +
 * tril (M, -1)^T */
static LtTensor *
qr_backward_tall (LtTensor *q, LtTensor *r, LtTensor *gq, LtTensor *gr, GError **error)
{
  g_autoptr(LtTensor) grt = mT (gr, error);
  g_autoptr(LtTensor) rgr = mm (r, grt, error);
  g_autoptr(LtTensor) gqt = mT (gq, error);
  g_autoptr(LtTensor) gqq = mm (gqt, q, error);
  g_autoptr(LtTensor) mm_ = sub (rgr, gqq, error);
  g_autoptr(LtTensor) lo = tril (mm_, 0, error);
  g_autoptr(LtTensor) slo = tril (mm_, -1, error);
  g_autoptr(LtTensor) slot = mT (slo, error);
  g_autoptr(LtTensor) c = add (lo, slot, error);
  g_autoptr(LtTensor) qc = mm (q, c, error);
  g_autoptr(LtTensor) b = add (gq, qc, error);
  g_autoptr(LtTensor) ri = b ? lt_linalg_inv (r, error) : NULL;
  g_autoptr(LtTensor) rit = mT (ri, error);

  return mm (b, rit, error);
}

gboolean
_lt_backward_linalg_qr (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (packed, RESULT);
  gint64 q = packed->shape[packed->ndim - 2], w = packed->shape[packed->ndim - 1];
  int    mode = node->params.linalg.mode;
  gint64 m, n;

  if (mode == 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "linalg.qr: The derivative of linalg.qr depends on Q, which is not computed "
                   "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                   "differentiate through linalg.qr.");
      return FALSE;
    }
  /* reduced: q = min (m, n); complete: q = m */
  m = node->params.linalg.m;
  n = w - m;
  if (mode == 1 && m > n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "linalg.qr: The QR decomposition is not differentiable when mode='complete' "
                   "and nrows > ncols.");
      return FALSE;
    }
  {
    g_autoptr(LtTensor) qt = narrow (packed, -1, 0, m, error);
    g_autoptr(LtTensor) qq = mT (qt, error);
    g_autoptr(LtTensor) r = narrow (qq ? packed : NULL, -1, m, n, error);
    g_autoptr(LtTensor) gqt = narrow (r ? g : NULL, -1, 0, m, error);
    g_autoptr(LtTensor) gq = mT (gqt, error);
    g_autoptr(LtTensor) gr = narrow (gq ? g : NULL, -1, m, n, error);

    if (gr == NULL)
      return FALSE;
    if (m >= n)
      gi[0] = qr_backward_tall (qq, r, gq, gr, error);
    else
      {
        /* A = [X | Y], R = [U | V]: X = Q U; grad Y = Q gV, grad X from (gQ + Y gV^T, gU) */
        g_autoptr(LtTensor) u = narrow (r, -1, 0, q, error);
        g_autoptr(LtTensor) v = narrow (u ? r : NULL, -1, q, n - q, error);
        g_autoptr(LtTensor) gu = narrow (v ? gr : NULL, -1, 0, q, error);
        g_autoptr(LtTensor) gv = narrow (gu ? gr : NULL, -1, q, n - q, error);
        g_autoptr(LtTensor) y = mm (qq, v, error);
        g_autoptr(LtTensor) gvt = mT (gv, error);
        g_autoptr(LtTensor) ygv = mm (y, gvt, error);
        g_autoptr(LtTensor) gq2 = add (gq, ygv, error);
        g_autoptr(LtTensor) gx = gq2 ? qr_backward_tall (qq, u, gq2, gu, error) : NULL;
        g_autoptr(LtTensor) gy = mm (gx ? qq : NULL, gv, error);
        LtTensor *parts[2] = { gx, gy };

        gi[0] = gy ? lt_cat (parts, 2, -1, error) : NULL;
      }
  }
  return gi[0] != NULL;
}
