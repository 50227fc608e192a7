/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-init.h"
#include "core/lt-error.h"
#include "ops/lt-ops-private.h"

/*
 * nn.init.orthogonal_, as PyTorch's: a Gaussian matrix (rows = dim 0,
 * cols = the other dims' product; transposed when rows < cols), its QR
 * factorisation, Q with each column's sign flipped to make R's diagonal
 * positive (so Q does not depend on the factorisation's conventions), and
 * back transposed, times the gain. The factorisation is Householder's, in
 * double precision, on the host: an initialiser's matrices are small.
 */

/* Thin Q (m x n, m >= n, row-major) of @a (m x n, overwritten), with the
 * signs of R's diagonal folded in. */
static void
householder_q (double *a, gint64 m, gint64 n, double *q)
{
  g_autofree double *v = g_new (double, m *n); /* column k: the k-th reflector */
  g_autofree double *rdiag = g_new (double, n);

  for (gint64 k = 0; k < n; k++)
    {
      double norm = 0, alpha, vnorm = 0;

      for (gint64 i = k; i < m; i++)
        norm += a[i * n + k] * a[i * n + k];
      norm = sqrt (norm);
      alpha = a[k * n + k] > 0 ? -norm : norm;
      for (gint64 i = 0; i < m; i++)
        v[i * n + k] = i < k ? 0 : a[i * n + k];
      v[k * n + k] -= alpha;
      for (gint64 i = k; i < m; i++)
        vnorm += v[i * n + k] * v[i * n + k];
      vnorm = sqrt (vnorm);
      if (vnorm > 0)
        for (gint64 i = k; i < m; i++)
          v[i * n + k] /= vnorm;
      /* A[k:, k:] -= 2 v (v^T A[k:, k:]) */
      for (gint64 j = k; j < n; j++)
        {
          double dot = 0;

          for (gint64 i = k; i < m; i++)
            dot += v[i * n + k] * a[i * n + j];
          for (gint64 i = k; i < m; i++)
            a[i * n + j] -= 2 * v[i * n + k] * dot;
        }
      rdiag[k] = a[k * n + k];
    }
  /* Q = H_0 ... H_{n-1} applied to the first n columns of the identity */
  for (gint64 i = 0; i < m; i++)
    for (gint64 j = 0; j < n; j++)
      q[i * n + j] = i == j;
  for (gint64 k = n - 1; k >= 0; k--)
    for (gint64 j = 0; j < n; j++)
      {
        double dot = 0;

        for (gint64 i = k; i < m; i++)
          dot += v[i * n + k] * q[i * n + j];
        for (gint64 i = k; i < m; i++)
          q[i * n + j] -= 2 * v[i * n + k] * dot;
      }
  for (gint64 j = 0; j < n; j++)
    if (rdiag[j] < 0)
      for (gint64 i = 0; i < m; i++)
        q[i * n + j] = -q[i * n + j];
}

/**
 * lt_init_orthogonal_:
 * @tensor: a floating-point tensor of at least 2 dimensions, filled in
 *   place
 * @gain: the scale of the result
 * @error: return location for a #GError
 *
 * Fills @tensor with a (semi-)orthogonal matrix, as
 * `torch.nn.init.orthogonal_()`: viewed as (rows, the rest), its rows are
 * orthonormal when there are fewer rows than columns, its columns
 * otherwise, times @gain. The matrix is the Q of the QR factorisation of
 * a float64 Gaussian matrix (rows, cols), or (cols, rows) transposed,
 * drawn from the global generator, with R's diagonal made positive.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a tensor of fewer
 *   than 2 dimensions (%LT_ERROR_INVALID_ARGUMENT) or not floating point
 *   (%LT_ERROR_DTYPE)
 */
gboolean
lt_init_orthogonal_ (LtTensor *tensor, double gain, GError **error)
{
  gint64 rows, cols, m, n, gshape[2];
  g_autoptr(LtTensor) g = NULL;
  g_autoptr(LtTensor) res = NULL;
  g_autofree double *a = NULL;
  g_autofree double *q = NULL;
  g_autofree double *out = NULL;
  gsize              count = 0;
  gboolean           transpose, prev, ok;

  g_return_val_if_fail (LT_IS_TENSOR (tensor), FALSE);
  if (tensor->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "orthogonal_: only tensors with 2 or more dimensions are supported, not %u",
                   tensor->ndim);
      return FALSE;
    }
  if (!_lt_dtype_is_float (tensor->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "orthogonal_: a floating-point tensor is needed, not %s",
                   lt_dtype_get_name (tensor->dtype));
      return FALSE;
    }
  if (tensor->numel == 0)
    return TRUE;
  rows = tensor->shape[0];
  cols = tensor->numel / rows;
  transpose = rows < cols;
  m = transpose ? cols : rows;
  n = transpose ? rows : cols;
  gshape[0] = rows;
  gshape[1] = cols;
  g = lt_empty (gshape, 2, LT_DTYPE_FLOAT64, error);
  if (g == NULL || !lt_init_normal_ (g, 0.0, 1.0, error))
    return FALSE;
  a = lt_tensor_to_doubles (g, &count, error);
  if (a == NULL)
    return FALSE;
  if (transpose)
    {
      double *t = g_new (double, rows *cols);

      for (gint64 i = 0; i < rows; i++)
        for (gint64 j = 0; j < cols; j++)
          t[j * rows + i] = a[i * cols + j];
      g_free (a);
      a = t;
    }
  q = g_new (double, m *n);
  householder_q (a, m, n, q);
  out = g_new (double, rows *cols);
  for (gint64 i = 0; i < rows; i++)
    for (gint64 j = 0; j < cols; j++)
      out[i * cols + j] = gain * (transpose ? q[j * n + i] : q[i * n + j]);
  res = lt_tensor_new_from_data (out, rows * cols * sizeof (double), tensor->shape, tensor->ndim,
                                 LT_DTYPE_FLOAT64, error);
  if (res == NULL)
    return FALSE;
  prev = lt_set_grad_enabled (FALSE);
  ok = _lt_check_writable (tensor, "orthogonal_", error) && _lt_copy_into (tensor, res, error);
  lt_set_grad_enabled (prev);
  if (ok)
    _lt_tensor_bump_version (tensor);
  return ok;
}
