/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"

/*
 * Reductions and softmax: front ends and backward rules. The kernel gets
 * an output of x's shape with the reduced dims kept as 1 (keepdim); without
 * keepdim the result is that output with those dims dropped.
 */

static int
cmp_uint (const void *a, const void *b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static gboolean
parse_dims (LtTensor       *x,
            const gint     *dims,
            gsize           n_dims,
            LtReduceParams *p,
            const char     *op,
            GError        **error)
{
  if (n_dims > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX, "%s: too many dims", op);
      return FALSE;
    }
  p->n_dims = 0;
  for (gsize i = 0; i < n_dims; i++)
    {
      guint d;

      if (!_lt_normalize_dim (dims[i], x->ndim, &d, op, error))
        return FALSE;
      if (x->ndim == 0)
        continue;
      for (guint j = 0; j < p->n_dims; j++)
        if (p->dims[j] == d)
          {
            g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                         "%s: dim %u appears more than once in the list of dims", op, d);
            return FALSE;
          }
      p->dims[p->n_dims++] = d;
    }
  qsort (p->dims, p->n_dims, sizeof (guint), cmp_uint);
  p->all = FALSE;
  return TRUE;
}

static void
keepdim_shape (LtTensor             *x,
               const LtReduceParams *p,
               gint64               *keep,
               gint64               *drop,
               guint                *ndrop)
{
  guint k = 0;

  for (guint d = 0; d < x->ndim; d++)
    {
      gboolean reduced = p->all;

      for (guint i = 0; i < p->n_dims && !reduced; i++)
        reduced = p->dims[i] == d;
      keep[d] = reduced ? 1 : x->shape[d];
      if (!reduced)
        drop[k++] = x->shape[d];
    }
  *ndrop = k;
}

/* Runs @op over @x. @indices receives the int64 positions of max/min along
 * a dim. */
static LtTensor *
reduce (LtOp              op,
        LtTensor         *x,
        LtReduceParams   *p,
        LtTensor        **indices,
        GError          **error)
{
  const LtOpInfo *row = &_lt_op_table[op];
  const char     *name = row->name;
  gint64 keep[LT_MAX_DIMS], drop[LT_MAX_DIMS];
  guint ndrop;
  LtDType in_dt = x->dtype, out_dt = x->dtype;
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtGradFn) node = NULL;
  gint64 reduced_numel = 1;

  keepdim_shape (x, p, keep, drop, &ndrop);
  for (guint d = 0; d < x->ndim; d++)
    {
      gboolean reduced = p->all;

      for (guint i = 0; i < p->n_dims && !reduced; i++)
        reduced = p->dims[i] == d;
      if (reduced)
        reduced_numel *= x->shape[d];
    }

  if ((row->flags & LT_OPF_FLOAT_ONLY) && !_lt_dtype_is_float (x->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input must be floating point, not %s; convert it with "
                   "to_dtype() first",
                   name, lt_dtype_get_name (x->dtype));
      return NULL;
    }
  if ((row->flags & LT_OPF_NEEDS_ELEMENTS) && reduced_numel == 0)
    {
      g_autofree char *s = LT_SHAPE_STR (x);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: cannot reduce over zero elements (input of shape %s)", name, s);
      return NULL;
    }
  if ((row->flags & LT_OPF_INT_TO_INT64) && !_lt_dtype_is_float (x->dtype))
    {
      in_dt = x->dtype == LT_DTYPE_BOOL ? LT_DTYPE_INT64 : x->dtype;
      out_dt = LT_DTYPE_INT64;
    }
  if (row->flags & LT_OPF_INDEX_RESULT)
    out_dt = LT_DTYPE_INT64;
  if (row->flags & LT_OPF_LOGICAL)
    in_dt = LT_DTYPE_BOOL;
  if (row->flags & LT_OPF_BOOL_RESULT)
    out_dt = LT_DTYPE_BOOL;

  cx = _lt_cast (x, in_dt, error);
  if (cx == NULL)
    return NULL;
  /* Sums and means read any layout in memory order; the other full
   * reductions want row-major order (argmax's index, for one). */
  if (p->all && !(row->flags & LT_OPF_ANY_ORDER) && !lt_tensor_is_contiguous (cx))
    {
      LtTensor *c = _lt_contiguous (cx, error); /* keeps the history (create_graph) */
      if (c == NULL)
        return NULL;
      g_object_unref (cx);
      cx = c;
    }
  out = _lt_tensor_new_empty (keep, x->ndim, out_dt, x->storage->device, error);
  if (out == NULL)
    return NULL;
  if (row->flags & LT_OPF_INDICES)
    {
      idx = _lt_tensor_new_empty (keep, x->ndim, LT_DTYPE_INT64, x->storage->device, error);
      if (idx == NULL)
        return NULL;
    }
  {
    LtOpParams params = { .reduce = *p };

    if (!_lt_run (op, out, idx, &cx, 1, &params, error))
      return NULL;
  }

  if (row->backward)
    {
      node = _lt_autograd_record (op, &x, 1);
      if (node)
        {
          node->params.reduce = *p;
          _lt_autograd_save_args (node, &cx, 1, NULL);
          /* the overload over some dims has a node name of its own */
          node->overload = !p->all && row->node_name[1] != NULL;
        }
    }

  if (!p->keepdim)
    {
      LtTensor *squeezed = _lt_alias_shape (out, drop, ndrop);

      g_object_unref (out);
      out = squeezed;
      if (idx)
        {
          LtTensor *si = _lt_alias_shape (idx, drop, ndrop);
          g_object_unref (idx);
          idx = si;
        }
    }
  if (node)
    _lt_autograd_set_outputs (g_steal_pointer (&node), out, idx);
  if (indices)
    *indices = g_steal_pointer (&idx);
  return g_steal_pointer (&out);
}

static LtTensor *
reduce_all (LtOp      op,
            LtTensor *x,
            double    correction,
            double    pnorm,
            GError  **error)
{
  LtReduceParams p = { .all = TRUE, .keepdim = FALSE, .correction = correction, .p = pnorm };

  g_return_val_if_fail (LT_IS_TENSOR (x), NULL);
  return reduce (op, x, &p, NULL, error);
}

static LtTensor *
reduce_dims (LtOp        op,
             LtTensor   *x,
             const gint *dims,
             gsize       n_dims,
             gboolean    keepdim,
             double      correction,
             double      pnorm,
             LtTensor  **indices,
             GError    **error)
{
  LtReduceParams p = { .keepdim = keepdim, .correction = correction, .p = pnorm };

  g_return_val_if_fail (LT_IS_TENSOR (x), NULL);
  if (!parse_dims (x, dims, n_dims, &p, _lt_op_table[op].name, error))
    return NULL;
  if (n_dims == 0)
    p.all = TRUE;
  return reduce (op, x, &p, indices, error);
}

/**
 * lt_tensor_sum:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Sums every element. Integer and bool tensors sum into int64.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions, or %NULL
 *   with @error set
 */
LtTensor *
lt_tensor_sum (LtTensor *self,
               GError  **error)
{
  return reduce_all (LT_OP_SUM, self, 0, 0, error);
}

/**
 * lt_tensor_sum_dim:
 * @self: a tensor
 * @dim: the dimension to sum over; negative values count from the end
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Sums along one dimension, as `x.sum(dim, keepdim)`.
 *
 * Returns: (transfer full) (nullable): the sums, or %NULL with @error set
 */
LtTensor *
lt_tensor_sum_dim (LtTensor *self,
                   gint      dim,
                   gboolean  keepdim,
                   GError  **error)
{
  return reduce_dims (LT_OP_SUM, self, &dim, 1, keepdim, 0, 0, NULL, error);
}

/**
 * lt_tensor_sum_dims:
 * @self: a tensor
 * @dims: (array length=n_dims): the dimensions to sum over
 * @n_dims: the number of dimensions in @dims (0: all of them)
 * @keepdim: keep the summed dimensions with size 1
 * @error: return location for a #GError
 *
 * Sums over several dimensions at once.
 *
 * Returns: (transfer full) (nullable): the sums, or %NULL with @error set
 */
LtTensor *
lt_tensor_sum_dims (LtTensor   *self,
                    const gint *dims,
                    gsize       n_dims,
                    gboolean    keepdim,
                    GError    **error)
{
  return reduce_dims (LT_OP_SUM, self, dims, n_dims, keepdim, 0, 0, NULL, error);
}

/**
 * lt_tensor_mean:
 * @self: a floating-point tensor
 * @error: return location for a #GError
 *
 * Averages every element.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions, or %NULL
 *   with @error set for a non-float tensor
 */
LtTensor *
lt_tensor_mean (LtTensor *self,
                GError  **error)
{
  return reduce_all (LT_OP_MEAN, self, 0, 0, error);
}

/**
 * lt_tensor_mean_dim:
 * @self: a floating-point tensor
 * @dim: the dimension to average over
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Averages along one dimension.
 *
 * Returns: (transfer full) (nullable): the means, or %NULL with @error set
 */
LtTensor *
lt_tensor_mean_dim (LtTensor *self,
                    gint      dim,
                    gboolean  keepdim,
                    GError  **error)
{
  return reduce_dims (LT_OP_MEAN, self, &dim, 1, keepdim, 0, 0, NULL, error);
}

/**
 * lt_tensor_mean_dims:
 * @self: a floating-point tensor
 * @dims: (array length=n_dims): the dimensions to average over
 * @n_dims: the number of dimensions in @dims (0: all of them)
 * @keepdim: keep the averaged dimensions with size 1
 * @error: return location for a #GError
 *
 * Averages over several dimensions at once.
 *
 * Returns: (transfer full) (nullable): the means, or %NULL with @error set
 */
LtTensor *
lt_tensor_mean_dims (LtTensor   *self,
                     const gint *dims,
                     gsize       n_dims,
                     gboolean    keepdim,
                     GError    **error)
{
  return reduce_dims (LT_OP_MEAN, self, dims, n_dims, keepdim, 0, 0, NULL, error);
}

/**
 * lt_tensor_max:
 * @self: a non-empty tensor
 * @error: return location for a #GError
 *
 * Gets the largest element (NaN if there is one). Its gradient is shared
 * evenly by every element equal to the maximum.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions, or %NULL
 *   with @error set for an empty tensor
 */
LtTensor *
lt_tensor_max (LtTensor *self,
               GError  **error)
{
  return reduce_all (LT_OP_MAX, self, 0, 0, error);
}

/**
 * lt_tensor_max_dim:
 * @self: a tensor
 * @dim: the dimension to reduce
 * @keepdim: keep @dim with size 1
 * @indices: (out) (optional) (transfer full): the position of each maximum
 *   along @dim (int64; the first one on ties)
 * @error: return location for a #GError
 *
 * Gets the largest elements along a dimension and where they are, as
 * `values, indices = torch.max(x, dim)`.
 *
 * Returns: (transfer full) (nullable): the maxima, or %NULL with @error set
 */
LtTensor *
lt_tensor_max_dim (LtTensor  *self,
                   gint       dim,
                   gboolean   keepdim,
                   LtTensor **indices,
                   GError   **error)
{
  return reduce_dims (LT_OP_MAX_DIM, self, &dim, 1, keepdim, 0, 0, indices, error);
}

/**
 * lt_tensor_min:
 * @self: a non-empty tensor
 * @error: return location for a #GError
 *
 * Gets the smallest element (NaN if there is one).
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions, or %NULL
 *   with @error set for an empty tensor
 */
LtTensor *
lt_tensor_min (LtTensor *self,
               GError  **error)
{
  return reduce_all (LT_OP_MIN, self, 0, 0, error);
}

/**
 * lt_tensor_min_dim:
 * @self: a tensor
 * @dim: the dimension to reduce
 * @keepdim: keep @dim with size 1
 * @indices: (out) (optional) (transfer full): the position of each minimum
 *   along @dim (int64; the first one on ties)
 * @error: return location for a #GError
 *
 * Gets the smallest elements along a dimension and where they are.
 *
 * Returns: (transfer full) (nullable): the minima, or %NULL with @error set
 */
LtTensor *
lt_tensor_min_dim (LtTensor  *self,
                   gint       dim,
                   gboolean   keepdim,
                   LtTensor **indices,
                   GError   **error)
{
  return reduce_dims (LT_OP_MIN_DIM, self, &dim, 1, keepdim, 0, 0, indices, error);
}

/**
 * lt_tensor_argmax:
 * @self: a non-empty tensor
 * @error: return location for a #GError
 *
 * Gets the position of the largest element in row-major order.
 *
 * Returns: (transfer full) (nullable): an int64 tensor with no dimensions
 */
LtTensor *
lt_tensor_argmax (LtTensor *self,
                  GError  **error)
{
  return reduce_all (LT_OP_ARGMAX, self, 0, 0, error);
}

/**
 * lt_tensor_argmax_dim:
 * @self: a tensor
 * @dim: the dimension to reduce
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Gets the positions of the largest elements along a dimension.
 *
 * Returns: (transfer full) (nullable): an int64 tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_argmax_dim (LtTensor *self,
                      gint      dim,
                      gboolean  keepdim,
                      GError  **error)
{
  return reduce_dims (LT_OP_ARGMAX, self, &dim, 1, keepdim, 0, 0, NULL, error);
}

/**
 * lt_tensor_argmin:
 * @self: a non-empty tensor
 * @error: return location for a #GError
 *
 * Gets the position of the smallest element in row-major order.
 *
 * Returns: (transfer full) (nullable): an int64 tensor with no dimensions
 */
LtTensor *
lt_tensor_argmin (LtTensor *self,
                  GError  **error)
{
  return reduce_all (LT_OP_ARGMIN, self, 0, 0, error);
}

/**
 * lt_tensor_argmin_dim:
 * @self: a tensor
 * @dim: the dimension to reduce
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Gets the positions of the smallest elements along a dimension.
 *
 * Returns: (transfer full) (nullable): an int64 tensor, or %NULL with @error set
 */
LtTensor *
lt_tensor_argmin_dim (LtTensor *self,
                      gint      dim,
                      gboolean  keepdim,
                      GError  **error)
{
  return reduce_dims (LT_OP_ARGMIN, self, &dim, 1, keepdim, 0, 0, NULL, error);
}

/**
 * lt_tensor_var:
 * @self: a floating-point tensor
 * @unbiased: divide by N - 1 (Bessel's correction) rather than N
 * @error: return location for a #GError
 *
 * Computes the variance of every element.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions
 */
LtTensor *
lt_tensor_var (LtTensor *self,
               gboolean  unbiased,
               GError  **error)
{
  return reduce_all (LT_OP_VAR, self, unbiased ? 1 : 0, 0, error);
}

/**
 * lt_tensor_var_dim:
 * @self: a floating-point tensor
 * @dim: the dimension to reduce
 * @unbiased: divide by N - 1 rather than N
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Computes variances along a dimension.
 *
 * Returns: (transfer full) (nullable): the variances, or %NULL with @error set
 */
LtTensor *
lt_tensor_var_dim (LtTensor *self,
                   gint      dim,
                   gboolean  unbiased,
                   gboolean  keepdim,
                   GError  **error)
{
  return reduce_dims (LT_OP_VAR, self, &dim, 1, keepdim, unbiased ? 1 : 0, 0, NULL, error);
}

/**
 * lt_tensor_std:
 * @self: a floating-point tensor
 * @unbiased: divide by N - 1 rather than N
 * @error: return location for a #GError
 *
 * Computes the standard deviation of every element.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions
 */
LtTensor *
lt_tensor_std (LtTensor *self,
               gboolean  unbiased,
               GError  **error)
{
  return reduce_all (LT_OP_STD, self, unbiased ? 1 : 0, 0, error);
}

/**
 * lt_tensor_std_dim:
 * @self: a floating-point tensor
 * @dim: the dimension to reduce
 * @unbiased: divide by N - 1 rather than N
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Computes standard deviations along a dimension.
 *
 * Returns: (transfer full) (nullable): the deviations, or %NULL with @error set
 */
LtTensor *
lt_tensor_std_dim (LtTensor *self,
                   gint      dim,
                   gboolean  unbiased,
                   gboolean  keepdim,
                   GError  **error)
{
  return reduce_dims (LT_OP_STD, self, &dim, 1, keepdim, unbiased ? 1 : 0, 0, NULL, error);
}

/**
 * lt_tensor_var_correction:
 * @self: a floating-point tensor
 * @dims: (array length=n_dims) (nullable): the dimensions to reduce; none:
 *   every dimension
 * @n_dims: the number of dimensions in @dims
 * @correction: the divisor is N - @correction (0: the population variance,
 *   1: Bessel's correction, the default of `torch.var`)
 * @keepdim: keep each reduced dimension with size 1
 * @error: return location for a #GError
 *
 * The variance over @dims with the divisor N - @correction, as
 * `torch.var (x, dim, correction=c, keepdim=k)`; a divisor of 0 or less
 * gives infinity or NaN, as there.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_var_correction (LtTensor   *self,
                          const gint *dims,
                          gsize       n_dims,
                          double      correction,
                          gboolean    keepdim,
                          GError    **error)
{
  return reduce_dims (LT_OP_VAR, self, dims, n_dims, keepdim, correction, 0, NULL, error);
}

/**
 * lt_tensor_std_correction:
 * @self: a floating-point tensor
 * @dims: (array length=n_dims) (nullable): the dimensions to reduce; none:
 *   every dimension
 * @n_dims: the number of dimensions in @dims
 * @correction: the divisor is N - @correction
 * @keepdim: keep each reduced dimension with size 1
 * @error: return location for a #GError
 *
 * The standard deviation over @dims with the divisor N - @correction, as
 * `torch.std (x, dim, correction=c, keepdim=k)`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_std_correction (LtTensor   *self,
                          const gint *dims,
                          gsize       n_dims,
                          double      correction,
                          gboolean    keepdim,
                          GError    **error)
{
  return reduce_dims (LT_OP_STD, self, dims, n_dims, keepdim, correction, 0, NULL, error);
}

/**
 * lt_tensor_norm:
 * @self: a floating-point tensor
 * @p: the order: 2 for the Euclidean norm, 1, INFINITY, or any p > 0
 * @error: return location for a #GError
 *
 * Computes the p-norm of all elements, `(sum |x|^p)^(1/p)`.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions
 */
LtTensor *
lt_tensor_norm (LtTensor *self,
                double    p,
                GError  **error)
{
  return reduce_all (LT_OP_NORM, self, 0, p, error);
}

/**
 * lt_tensor_norm_dim:
 * @self: a floating-point tensor
 * @p: the order of the norm
 * @dim: the dimension to reduce
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Computes p-norms along a dimension.
 *
 * Returns: (transfer full) (nullable): the norms, or %NULL with @error set
 */
LtTensor *
lt_tensor_norm_dim (LtTensor *self,
                    double    p,
                    gint      dim,
                    gboolean  keepdim,
                    GError  **error)
{
  return reduce_dims (LT_OP_NORM, self, &dim, 1, keepdim, 0, p, NULL, error);
}

/**
 * lt_tensor_norm_dims:
 * @self: a floating-point tensor
 * @p: the order of the norm: 2 (Euclidean, Frobenius), 1, 0 (the number of
 *   non-zero elements), INFINITY (the largest magnitude), -INFINITY (the
 *   smallest) or any other number, `(sum |x|^p)^(1/p)`
 * @dims: (array length=n_dims) (nullable): the dimensions to reduce, negative
 *   values counting from the end; none: every dimension
 * @n_dims: the number of dimensions in @dims
 * @keepdim: keep each reduced dimension with size 1
 * @error: return location for a #GError
 *
 * Computes p-norms over several dimensions at once, as
 * `torch.norm (x, p, dim=(0, 1), keepdim=k)`: the elements of each
 * reduced slice are taken as one vector.
 *
 * Returns: (transfer full) (nullable): the norms, or %NULL with @error set
 *   for an integer tensor, a dimension out of range or repeated
 */
LtTensor *
lt_tensor_norm_dims (LtTensor   *self,
                     double      p,
                     const gint *dims,
                     gsize       n_dims,
                     gboolean    keepdim,
                     GError    **error)
{
  return reduce_dims (LT_OP_NORM, self, dims, n_dims, keepdim, 0, p, NULL, error);
}

/**
 * lt_tensor_any:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Tells whether any element is non-zero.
 *
 * Returns: (transfer full) (nullable): a bool tensor with no dimensions
 */
LtTensor *
lt_tensor_any (LtTensor *self,
               GError  **error)
{
  return reduce_all (LT_OP_ANY, self, 0, 0, error);
}

/**
 * lt_tensor_all:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Tells whether every element is non-zero.
 *
 * Returns: (transfer full) (nullable): a bool tensor with no dimensions
 */
LtTensor *
lt_tensor_all (LtTensor *self,
               GError  **error)
{
  return reduce_all (LT_OP_ALL, self, 0, 0, error);
}

/* softmax */

static LtTensor *
softmax_op (LtOp      op,
            LtTensor *x,
            gint      dim,
            GError  **error)
{
  LtOpParams p;
  guint d;
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;
  LtTensor *kin[1];

  g_return_val_if_fail (LT_IS_TENSOR (x), NULL);
  if (!_lt_normalize_dim (dim, x->ndim, &d, _lt_op_table[op].name, error))
    return NULL;
  if ((_lt_op_table[op].flags & LT_OPF_FLOAT_ONLY) && !_lt_dtype_is_float (x->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input must be floating point, not %s", _lt_op_table[op].name,
                   lt_dtype_get_name (x->dtype));
      return NULL;
    }
  p.dim.dim = d;
  cx = _lt_contiguous (x, error);
  if (cx == NULL)
    return NULL;
  out = _lt_tensor_empty_like (x, x->dtype, error);
  if (out == NULL)
    return NULL;
  kin[0] = cx;
  if (!_lt_run (op, out, NULL, kin, 1, &p, error))
    return NULL;
  node = _lt_autograd_record (op, &x, 1);
  if (node)
    {
      node->params = p;
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_softmax:
 * @self: a floating-point tensor
 * @dim: the dimension whose entries sum to 1
 * @error: return location for a #GError
 *
 * Computes `exp(x) / sum(exp(x))` along @dim, subtracting the maximum
 * first so that large values do not overflow.
 *
 * Returns: (transfer full) (nullable): the probabilities
 */
LtTensor *
lt_tensor_softmax (LtTensor *self,
                   gint      dim,
                   GError  **error)
{
  return softmax_op (LT_OP_SOFTMAX, self, dim, error);
}

/**
 * lt_tensor_log_softmax:
 * @self: a floating-point tensor
 * @dim: the dimension to normalise over
 * @error: return location for a #GError
 *
 * Computes `x - log(sum(exp(x)))` along @dim, stably.
 *
 * Returns: (transfer full) (nullable): the log-probabilities
 */
LtTensor *
lt_tensor_log_softmax (LtTensor *self,
                       gint      dim,
                       GError  **error)
{
  return softmax_op (LT_OP_LOG_SOFTMAX, self, dim, error);
}

/* Backward rules */

/* The gradient of a reduced tensor, reshaped with the reduced dims kept
 * (size 1) so it broadcasts against the input. */
static LtTensor *
unsqueeze_reduced (LtGradFn  *node,
                   LtTensor  *g,
                   GError   **error)
{
  const LtTensorMeta *in = &node->input_meta[0];
  const LtReduceParams *p = &node->params.reduce;
  gint64 keep[LT_MAX_DIMS];

  if (p->keepdim || in->ndim == 0)
    return g_object_ref (g);
  for (guint d = 0; d < in->ndim; d++)
    {
      gboolean reduced = p->all;

      for (guint i = 0; i < p->n_dims && !reduced; i++)
        reduced = p->dims[i] == d;
      keep[d] = reduced ? 1 : in->shape[d];
    }
  return lt_tensor_reshape (g, keep, in->ndim, error);
}

static LtTensor *
expand_to_input (LtGradFn *node,
                 LtTensor *g,
                 GError  **error)
{
  g_autoptr(LtTensor) k = unsqueeze_reduced (node, g, error);

  if (k == NULL)
    return NULL;
  return lt_tensor_expand (k, node->input_meta[0].shape, node->input_meta[0].ndim, error);
}

static gint64
reduced_count (LtGradFn *node)
{
  const LtTensorMeta *in = &node->input_meta[0];
  const LtReduceParams *p = &node->params.reduce;
  gint64 n = 1;

  for (guint d = 0; d < in->ndim; d++)
    {
      gboolean reduced = p->all;

      for (guint i = 0; i < p->n_dims && !reduced; i++)
        reduced = p->dims[i] == d;
      if (reduced)
        n *= in->shape[d];
    }
  return n;
}

gboolean
_lt_backward_sum (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = expand_to_input (node, g, error)) != NULL;
}

gboolean
_lt_backward_mean (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  g_autoptr(LtTensor) scaled = lt_tensor_div_scalar (g, (double) reduced_count (node), error);

  return scaled && (gi[0] = expand_to_input (node, scaled, error)) != NULL;
}

gboolean
_lt_backward_max_min (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* Shared evenly by every element equal to the result. */
  LT_SAVED (x, ARG0);
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) mask = lt_tensor_eq (x, out, error);
  g_autoptr(LtTensor) count = mask ? lt_tensor_sum (mask, error) : NULL;
  g_autoptr(LtTensor) share = count ? lt_tensor_div (g, count, error) : NULL;
  g_autoptr(LtTensor) zero = share ? lt_zeros_like (x, error) : NULL;

  return zero && (gi[0] = lt_where (mask, share, zero, error)) != NULL;
}

gboolean
_lt_backward_max_min_dim (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* The gradient goes to the returned index. */
  LT_SAVED (idx, AUX);
  guint dim = node->params.reduce.dims[0];
  g_autoptr(LtTensor) gk = unsqueeze_reduced (node, g, error);
  g_autoptr(LtTensor) ik = gk ? unsqueeze_reduced (node, idx, error) : NULL;
  g_autoptr(LtTensor) zero = ik ? _lt_zeros_meta (&node->input_meta[0], error) : NULL;

  if (zero == NULL)
    return FALSE;
  if (node->input_meta[0].ndim == 0)
    {
      gi[0] = g_object_ref (g);
      return TRUE;
    }
  return (gi[0] = lt_tensor_scatter_add (zero, (gint) dim, ik, gk, error)) != NULL;
}

static LtTensor *
centered (LtGradFn *node, LtTensor *x, GError **error)
{
  const LtReduceParams *p = &node->params.reduce;
  g_autoptr(LtTensor) mean = NULL;

  if (p->all)
    mean = lt_tensor_mean (x, error);
  else
    {
      gint dims[LT_MAX_DIMS];
      for (guint i = 0; i < p->n_dims; i++)
        dims[i] = (gint) p->dims[i];
      mean = lt_tensor_mean_dims (x, dims, p->n_dims, TRUE, error);
    }
  if (mean == NULL)
    return NULL;
  return lt_tensor_sub (x, mean, error);
}

gboolean
_lt_backward_var (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* 2 (x - mean) / (N - correction) */
  LT_SAVED (x, ARG0);
  double denom = (double) reduced_count (node) - node->params.reduce.correction;
  g_autoptr(LtTensor) c = centered (node, x, error);
  g_autoptr(LtTensor) d = c ? lt_tensor_mul_scalar (c, 2.0 / denom, error) : NULL;
  g_autoptr(LtTensor) gk = d ? unsqueeze_reduced (node, g, error) : NULL;

  return gk && (gi[0] = lt_tensor_mul (d, gk, error)) != NULL;
}

gboolean
_lt_backward_std (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* (x - mean) / ((N - correction) std) */
  LT_SAVED (x, ARG0);
  LT_SAVED (out, RESULT);
  double denom = (double) reduced_count (node) - node->params.reduce.correction;
  g_autoptr(LtTensor) c = centered (node, x, error);
  g_autoptr(LtTensor) gk = c ? unsqueeze_reduced (node, g, error) : NULL;
  g_autoptr(LtTensor) ok = gk ? unsqueeze_reduced (node, out, error) : NULL;
  g_autoptr(LtTensor) q = ok ? lt_tensor_div (gk, ok, error) : NULL;
  g_autoptr(LtTensor) d = q ? lt_tensor_mul (c, q, error) : NULL;

  return d && (gi[0] = lt_tensor_div_scalar (d, denom, error)) != NULL;
}

gboolean
_lt_backward_norm (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (x, ARG0);
  LT_SAVED (out, RESULT);
  double p = node->params.reduce.p;
  g_autoptr(LtTensor) gk = unsqueeze_reduced (node, g, error);
  g_autoptr(LtTensor) nk = gk ? unsqueeze_reduced (node, out, error) : NULL;
  g_autoptr(LtTensor) d = NULL;

  if (nk == NULL)
    return FALSE;
  if (p == 0)
    return (gi[0] = lt_zeros_like (x, error)) != NULL;
  if (p == 1)
    d = lt_tensor_sign (x, error);
  else if (isinf (p))
    {
      /* sign(x) where |x| equals the norm, shared among ties */
      g_autoptr(LtTensor) ax = lt_tensor_abs (x, error);
      g_autoptr(LtTensor) mask = ax ? lt_tensor_eq (ax, nk, error) : NULL;
      g_autoptr(LtTensor) mf = mask ? lt_tensor_to_dtype (mask, x->dtype, error) : NULL;
      g_autoptr(LtTensor) cnt = NULL;
      g_autoptr(LtTensor) s = NULL;
      g_autoptr(LtTensor) sm = NULL;

      if (mf == NULL)
        return FALSE;
      if (node->params.reduce.all)
        cnt = lt_tensor_sum (mf, error);
      else
        {
          gint dims[LT_MAX_DIMS];
          for (guint i = 0; i < node->params.reduce.n_dims; i++)
            dims[i] = (gint) node->params.reduce.dims[i];
          cnt = lt_tensor_sum_dims (mf, dims, node->params.reduce.n_dims, TRUE, error);
        }
      s = cnt ? lt_tensor_sign (x, error) : NULL;
      sm = s ? lt_tensor_mul (s, mf, error) : NULL;
      d = sm ? lt_tensor_div (sm, cnt, error) : NULL;
    }
  else
    {
      /* x |x|^(p-2) / norm^(p-1), 0 where the norm is 0 */
      g_autoptr(LtTensor) ax = lt_tensor_abs (x, error);
      g_autoptr(LtTensor) axp = ax ? lt_tensor_pow_scalar (ax, p - 2, error) : NULL;
      g_autoptr(LtTensor) num = axp ? lt_tensor_mul (x, axp, error) : NULL;
      g_autoptr(LtTensor) den = num ? lt_tensor_pow_scalar (nk, p - 1, error) : NULL;
      g_autoptr(LtTensor) q = den ? lt_tensor_div (num, den, error) : NULL;
      g_autoptr(LtTensor) zero_norm = q ? lt_tensor_eq_scalar (nk, 0.0, error) : NULL;

      if (zero_norm == NULL)
        return FALSE;
      if (p < 2)
        {
          /* |x|^(p-2) is infinite at x = 0 */
          g_autoptr(LtTensor) zx = lt_tensor_eq_scalar (x, 0.0, error);
          if (zx == NULL || !lt_tensor_masked_fill_ (q, zx, 0.0, error))
            return FALSE;
        }
      d = lt_tensor_masked_fill (q, zero_norm, 0.0, error);
    }
  return d && (gi[0] = lt_tensor_mul (d, gk, error)) != NULL;
}

gboolean
_lt_backward_softmax (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* y * (g - sum(g * y, dim)) */
  LT_SAVED (y, RESULT);
  gint dim = (gint) node->params.dim.dim;
  g_autoptr(LtTensor) gy = lt_tensor_mul (g, y, error);
  g_autoptr(LtTensor) s = gy ? (y->ndim ? lt_tensor_sum_dim (gy, dim, TRUE, error)
                                        : g_object_ref (gy)) : NULL;
  g_autoptr(LtTensor) d = s ? lt_tensor_sub (g, s, error) : NULL;

  return d && (gi[0] = lt_tensor_mul (y, d, error)) != NULL;
}

gboolean
_lt_backward_log_softmax (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g - exp(y) * sum(g, dim) */
  LT_SAVED (y, RESULT);
  gint dim = (gint) node->params.dim.dim;
  g_autoptr(LtTensor) s = y->ndim ? lt_tensor_sum_dim (g, dim, TRUE, error) : g_object_ref (g);
  g_autoptr(LtTensor) e = s ? lt_tensor_exp (y, error) : NULL;
  g_autoptr(LtTensor) es = e ? lt_tensor_mul (e, s, error) : NULL;

  return es && (gi[0] = lt_tensor_sub (g, es, error)) != NULL;
}
