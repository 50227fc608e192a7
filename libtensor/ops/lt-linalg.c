/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-backward-private.h"

/*
 * Matrix products. mm, bmm and addmm run one BLAS call (per batch); matmul
 * follows torch.matmul's rules on top of them: 1-D operands become a row
 * or a column, batch dims broadcast.
 */

/* A matrix BLAS can read: a unit stride in one of the last two dims. */
static LtTensor *
blas_ready (LtTensor *t,
            GError  **error)
{
  guint n = t->ndim;
  gint64 r = t->shape[n - 2], c = t->shape[n - 1];
  gint64 s0 = t->strides[n - 2], s1 = t->strides[n - 1];

  if ((s1 == 1 || c <= 1) && (s0 >= MAX (c, 1) || r <= 1))
    return g_object_ref (t);
  if ((s0 == 1 || r <= 1) && (s1 >= MAX (r, 1) || c <= 1))
    return g_object_ref (t);
  return _lt_contiguous (t, error); /* keeps the history of one that requires grad */
}

/* Whether matrix @t (the last two dims) is stored column by column: a
 * transposed view, such as the weight.t () of a linear layer. */
static gboolean
stored_transposed (LtTensor *t)
{
  guint n = t->ndim;

  return t->shape[n - 2] > 1 && t->shape[n - 1] > 1 && t->strides[n - 2] == 1 &&
         t->strides[n - 1] != 1;
}

static gboolean
check_float_or_int (const char *op,
                    LtTensor   *a,
                    LtTensor   *b,
                    GError    **error)
{
  LtTensor *ts[2] = { a, b };

  if (!_lt_check_devices (op, ts, 2, error))
    return FALSE;
  if (a->dtype != b->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: both matrices must have the same dtype, got %s and %s", op,
                   lt_dtype_get_name (a->dtype), lt_dtype_get_name (b->dtype));
      return FALSE;
    }
  if (a->dtype == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE, "%s: bool matrices are not supported", op);
      return FALSE;
    }
  return TRUE;
}

static LtTensor *
mm_op (LtOp      op,
       LtTensor *bias,
       LtTensor *a,
       LtTensor *b,
       double    beta,
       double    alpha,
       GError  **error)
{
  const char *name = _lt_op_table[op].name;
  guint want = op == LT_OP_BMM ? 3 : 2;
  g_autoptr(LtTensor) ca = NULL;
  g_autoptr(LtTensor) cb = NULL;
  g_autoptr(LtTensor) cbias = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtTensor *inputs[3];
  LtTensor *kin[3];
  guint n_in = 0;
  gint64 shape[3];
  LtGradFn *node;
  LtOpParams p = { .gemm = { alpha, beta } };

  if (a->ndim != want || b->ndim != want)
    {
      g_autofree char *s1 = LT_SHAPE_STR (a);
      g_autofree char *s2 = LT_SHAPE_STR (b);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected %u-D tensors, got shapes %s and %s", name, want, s1, s2);
      return NULL;
    }
  if (a->shape[want - 1] != b->shape[want - 2] || (want == 3 && a->shape[0] != b->shape[0]))
    {
      g_autofree char *s1 = LT_SHAPE_STR (a);
      g_autofree char *s2 = LT_SHAPE_STR (b);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: shapes %s and %s cannot be multiplied", name, s1, s2);
      return NULL;
    }
  if (!check_float_or_int (name, a, b, error))
    return NULL;
  if (want == 3)
    {
      shape[0] = a->shape[0];
      shape[1] = a->shape[1];
      shape[2] = b->shape[2];
    }
  else
    {
      shape[0] = a->shape[0];
      shape[1] = b->shape[1];
    }
  if (bias)
    {
      gint64 bs[LT_MAX_DIMS];
      guint bn;
      LtTensor *ts[2] = { bias, a };

      if (!_lt_check_devices (name, ts, 2, error))
        return NULL;
      if (!_lt_shape_broadcast (bias->shape, bias->ndim, shape, 2, bs, &bn) ||
          !_lt_shape_equal (bs, bn, shape, 2))
        {
          g_autofree char *s1 = LT_SHAPE_STR (bias);
          g_autofree char *s2 = _lt_shape_to_string (shape, 2);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "%s: the added tensor of shape %s does not broadcast to %s", name, s1, s2);
          return NULL;
        }
      cbias = _lt_cast (bias, a->dtype, error);
      if (cbias == NULL)
        return NULL;
      inputs[n_in] = bias;
      kin[n_in++] = cbias;
    }
  ca = blas_ready (a, error);
  cb = ca ? blas_ready (b, error) : NULL;
  if (cb == NULL)
    return NULL;
  inputs[n_in] = a;
  kin[n_in++] = ca;
  inputs[n_in] = b;
  kin[n_in++] = cb;

  out = _lt_tensor_new_empty (shape, want, a->dtype, a->storage->device, error);
  if (out == NULL || !_lt_run (op, out, NULL, kin, n_in, &p, error))
    return NULL;

  node = _lt_autograd_record (op, inputs, n_in);
  if (node)
    {
      node->params = p;
      for (guint i = n_in - 2; i < n_in; i++)
        if (stored_transposed (inputs[i]))
          node->params.gemm.column_major |= 1u << i;
      _lt_autograd_save_args (node, kin, n_in, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_mm:
 * @self: a matrix (M, K)
 * @other: a matrix (K, N)
 * @error: return location for a #GError
 *
 * Multiplies two matrices with BLAS (sgemm/dgemm for floats).
 *
 * Returns: (transfer full) (nullable): the product (M, N), or %NULL with
 *   @error set when the shapes do not fit
 */
LtTensor *
lt_tensor_mm (LtTensor *self,
              LtTensor *other,
              GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  return mm_op (LT_OP_MM, NULL, self, other, 0, 1, error);
}

/**
 * lt_tensor_bmm:
 * @self: a batch of matrices (B, M, K)
 * @other: a batch of matrices (B, K, N)
 * @error: return location for a #GError
 *
 * Multiplies matrices batch by batch.
 *
 * Returns: (transfer full) (nullable): the products (B, M, N), or %NULL with
 *   @error set
 */
LtTensor *
lt_tensor_bmm (LtTensor *self,
               LtTensor *other,
               GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  return mm_op (LT_OP_BMM, NULL, self, other, 0, 1, error);
}

/**
 * lt_tensor_addmm:
 * @self: the tensor to add, broadcastable to (M, N)
 * @mat1: a matrix (M, K)
 * @mat2: a matrix (K, N)
 * @beta: the factor of @self
 * @alpha: the factor of the product
 * @error: return location for a #GError
 *
 * Computes `beta * self + alpha * mat1 @ mat2` in one BLAS call, as
 * `torch.addmm()`; a linear layer is `addmm (bias, x, weight.t())`.
 *
 * Returns: (transfer full) (nullable): the result (M, N), or %NULL with
 *   @error set
 */
LtTensor *
lt_tensor_addmm (LtTensor *self,
                 LtTensor *mat1,
                 LtTensor *mat2,
                 double    beta,
                 double    alpha,
                 GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (mat1), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (mat2), NULL);
  return mm_op (LT_OP_ADDMM, self, mat1, mat2, beta, alpha, error);
}

/**
 * lt_tensor_matmul:
 * @self: a tensor of 1 or more dimensions
 * @other: a tensor of 1 or more dimensions
 * @error: return location for a #GError
 *
 * The matrix product of torch.matmul(), the `@` operator: dot product of
 * vectors, matrix-vector, matrix-matrix, and batched products whose batch
 * dimensions broadcast.
 *
 * Returns: (transfer full) (nullable): the product, or %NULL with @error set
 */
LtTensor *
lt_tensor_matmul (LtTensor *self,
                  LtTensor *other,
                  GError  **error)
{
  guint na, nb;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  na = self->ndim;
  nb = other->ndim;
  if (na == 0 || nb == 0)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_SHAPE,
                           "matmul: both arguments need at least 1 dimension");
      return NULL;
    }
  if (na == 1 && nb == 1)
    {
      /* dot product */
      g_autoptr(LtTensor) p = NULL;

      if (self->shape[0] != other->shape[0])
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "matmul: vectors of sizes %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                       " cannot be multiplied", self->shape[0], other->shape[0]);
          return NULL;
        }
      p = lt_tensor_mul (self, other, error);
      return p ? lt_tensor_sum (p, error) : NULL;
    }
  if (na <= 2 && nb <= 2)
    {
      g_autoptr(LtTensor) a = na == 1 ? lt_tensor_unsqueeze (self, 0, error) : g_object_ref (self);
      g_autoptr(LtTensor) b = (a && nb == 1) ? lt_tensor_unsqueeze (other, 1, error)
                                             : (a ? g_object_ref (other) : NULL);
      g_autoptr(LtTensor) r = b ? lt_tensor_mm (a, b, error) : NULL;

      if (r == NULL)
        return NULL;
      if (na == 1)
        return lt_tensor_squeeze_dim (r, 0, error);
      if (nb == 1)
        return lt_tensor_squeeze_dim (r, 1, error);
      return g_steal_pointer (&r);
    }
  else if (nb <= 2)
    {
      /* A batch of matrices times one matrix (or vector): the batch dims
       * fold into the rows, one mm, as torch.matmul does (a bmm would
       * expand @other over the batch, and its gradient with it). */
      gint64 fa[2] = { 1, self->shape[na - 1] };
      gint64 rs[LT_MAX_DIMS];
      g_autoptr(LtTensor) a = NULL;
      g_autoptr(LtTensor) b = NULL;
      g_autoptr(LtTensor) r = NULL;

      if (self->shape[na - 1] != other->shape[0])
        {
          g_autofree char *s1 = LT_SHAPE_STR (self);
          g_autofree char *s2 = LT_SHAPE_STR (other);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "matmul: shapes %s and %s cannot be multiplied", s1, s2);
          return NULL;
        }
      for (guint i = 0; i + 1 < na; i++)
        fa[0] *= self->shape[i];
      a = lt_tensor_reshape (self, fa, 2, error);
      b = a ? (nb == 1 ? lt_tensor_unsqueeze (other, 1, error) : g_object_ref (other)) : NULL;
      r = b ? lt_tensor_mm (a, b, error) : NULL;
      if (r == NULL)
        return NULL;
      for (guint i = 0; i + 1 < na; i++)
        rs[i] = self->shape[i];
      if (nb == 2)
        rs[na - 1] = other->shape[1];
      return lt_tensor_reshape (r, rs, nb == 2 ? na : na - 1, error);
    }
  else
    {
      /* Batched: broadcast the batch dims, fold them into one, bmm. */
      g_autoptr(LtTensor) a = na == 1 ? lt_tensor_unsqueeze (self, 0, error) : g_object_ref (self);
      g_autoptr(LtTensor) b = (a && nb == 1) ? lt_tensor_unsqueeze (other, 1, error)
                                             : (a ? g_object_ref (other) : NULL);
      gint64 batch[LT_MAX_DIMS], ea[LT_MAX_DIMS], eb[LT_MAX_DIMS], fa[3], fb[3], rs[LT_MAX_DIMS];
      guint nbatch, nr = 0;
      gint64 B = 1, M, K, K2, N;
      g_autoptr(LtTensor) xa = NULL;
      g_autoptr(LtTensor) xb = NULL;
      g_autoptr(LtTensor) ra = NULL;
      g_autoptr(LtTensor) rb = NULL;
      g_autoptr(LtTensor) r = NULL;

      if (b == NULL)
        return NULL;
      M = a->shape[a->ndim - 2];
      K = a->shape[a->ndim - 1];
      K2 = b->shape[b->ndim - 2];
      N = b->shape[b->ndim - 1];
      if (K != K2 ||
          !_lt_shape_broadcast (a->shape, a->ndim - 2, b->shape, b->ndim - 2, batch, &nbatch))
        {
          g_autofree char *s1 = LT_SHAPE_STR (self);
          g_autofree char *s2 = LT_SHAPE_STR (other);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "matmul: shapes %s and %s cannot be multiplied", s1, s2);
          return NULL;
        }
      for (guint i = 0; i < nbatch; i++)
        {
          ea[i] = eb[i] = rs[i] = batch[i];
          B *= batch[i];
        }
      ea[nbatch] = M;
      ea[nbatch + 1] = K;
      eb[nbatch] = K;
      eb[nbatch + 1] = N;
      xa = lt_tensor_expand (a, ea, nbatch + 2, error);
      xb = xa ? lt_tensor_expand (b, eb, nbatch + 2, error) : NULL;
      fa[0] = B, fa[1] = M, fa[2] = K;
      fb[0] = B, fb[1] = K, fb[2] = N;
      ra = xb ? lt_tensor_reshape (xa, fa, 3, error) : NULL;
      rb = ra ? lt_tensor_reshape (xb, fb, 3, error) : NULL;
      r = rb ? lt_tensor_bmm (ra, rb, error) : NULL;
      if (r == NULL)
        return NULL;
      nr = nbatch;
      if (na > 1)
        rs[nr++] = M;
      if (nb > 1)
        rs[nr++] = N;
      return lt_tensor_reshape (r, rs, nr, error);
    }
}

/* Backward rules */

/* x @ y, or (y^T @ x^T)^T when @transposed: the same product, computed so
 * that the result is stored column by column. */
static LtTensor *
product (LtTensor *x,
         LtTensor *y,
         gint      last,
         gboolean  transposed,
         GError  **error)
{
  g_autoptr(LtTensor) xt = NULL;
  g_autoptr(LtTensor) yt = NULL;
  g_autoptr(LtTensor) r = NULL;

  if (!transposed)
    return last == 2 ? lt_tensor_bmm (x, y, error) : lt_tensor_mm (x, y, error);
  xt = lt_tensor_transpose (x, last - 1, last, error);
  yt = xt ? lt_tensor_transpose (y, last - 1, last, error) : NULL;
  if (yt == NULL)
    return NULL;
  r = last == 2 ? lt_tensor_bmm (yt, xt, error) : lt_tensor_mm (yt, xt, error);
  return r ? lt_tensor_transpose (r, last - 1, last, error) : NULL;
}

/* Each gradient comes in its input's layout, as PyTorch's
 * mm_mat1_backward/mm_mat2_backward make it: the gradient of a linear
 * layer's weight.t () is stored column by column, so the weight's own
 * gradient, its transpose, is contiguous and accumulates into .grad
 * without a transposing copy. */
static gboolean
product_backward (LtGradFn *node, LtTensor *g, LtTensor **ga, LtTensor **gb,
                  guint ia, guint ib, double alpha, GError **error)
{
  gint last = node->op == LT_OP_BMM ? 2 : 1;

  if (LT_NEEDS (ia))
    {
      /* dA = g @ B^T; B is argument ib */
      LtTensor *b = _lt_grad_fn_get_saved (node, (LtSaved) ib, error);
      g_autoptr(LtTensor) bt = b ? lt_tensor_transpose (b, last - 1, last, error) : NULL;
      g_autoptr(LtTensor) r = NULL;

      if (bt == NULL)
        return FALSE;
      r = product (g, bt, last, (node->params.gemm.column_major >> ia) & 1, error);
      if (r == NULL)
        return FALSE;
      *ga = alpha == 1.0 ? g_steal_pointer (&r) : lt_tensor_mul_scalar (r, alpha, error);
      if (*ga == NULL)
        return FALSE;
    }
  if (LT_NEEDS (ib))
    {
      /* dB = A^T @ g; A is argument ia */
      LtTensor *a = _lt_grad_fn_get_saved (node, (LtSaved) ia, error);
      g_autoptr(LtTensor) at = a ? lt_tensor_transpose (a, last - 1, last, error) : NULL;
      g_autoptr(LtTensor) r = NULL;

      if (at == NULL)
        return FALSE;
      r = product (at, g, last, (node->params.gemm.column_major >> ib) & 1, error);
      if (r == NULL)
        return FALSE;
      *gb = alpha == 1.0 ? g_steal_pointer (&r) : lt_tensor_mul_scalar (r, alpha, error);
      if (*gb == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
_lt_backward_mm (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return product_backward (node, g, &gi[0], &gi[1], 0, 1, 1.0, error);
}

gboolean
_lt_backward_bmm (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return product_backward (node, g, &gi[0], &gi[1], 0, 1, 1.0, error);
}

gboolean
_lt_backward_addmm (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  double beta = node->params.gemm.beta;

  if (LT_NEEDS (0))
    {
      gi[0] = beta == 1.0 ? g_object_ref (g) : lt_tensor_mul_scalar (g, beta, error);
      if (gi[0] == NULL)
        return FALSE;
    }
  return product_backward (node, g, &gi[1], &gi[2], 1, 2, node->params.gemm.alpha, error);
}
