/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-grad-composed-private.h"

/*
 * Scans and products along a dim (cumsum, cumprod, prod; their kernels are
 * in backends/cpu/lt-cpu-scan.c), logsumexp and dist, with their backward
 * rules. Integer and bool inputs scan and multiply in int64, as PyTorch's.
 */

/* Runs @op (cumsum, cumprod or prod) on @x along @dim; @all: prod over
 * every element. Records the node when @x requires grad. */
static LtTensor *
scan_run (LtOp      op,
          LtTensor *x,
          gint      dim,
          gboolean  reverse,
          gboolean  all,
          gboolean  keepdim,
          GError  **error)
{
  const char  *name = _lt_op_table[op].name;
  LtScanParams sp = { .reverse = reverse, .all = all, .keepdim = keepdim };
  LtOpParams   params;
  LtDType      cd = _lt_dtype_is_float (x->dtype) ? x->dtype : LT_DTYPE_INT64;
  gint64       keep[LT_MAX_DIMS], drop[LT_MAX_DIMS];
  guint        ndrop = 0, d = 0;
  g_autoptr(LtTensor) cast = NULL;
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (x), NULL);
  if (!all && !_lt_normalize_dim (dim, x->ndim, &d, name, error))
    return NULL;
  cast = _lt_cast (x, cd, error);
  cx = cast ? _lt_contiguous (cast, error) : NULL;
  if (cx == NULL)
    return NULL;
  if (all)
    {
      gint64    n = x->numel;
      LtTensor *flat = _lt_alias_shape (cx, &n, 1);

      g_object_unref (cx);
      cx = flat;
      d = 0;
    }
  else if (x->ndim == 0)
    {
      gint64    one = 1;
      LtTensor *v = _lt_alias_shape (cx, &one, 1);

      g_object_unref (cx);
      cx = v;
      d = 0;
    }
  sp.dim = d;
  params.scan = sp;
  if (op == LT_OP_PROD)
    {
      for (guint i = 0; i < cx->ndim; i++)
        {
          keep[i] = i == d ? 1 : cx->shape[i];
          if (i != d)
            drop[ndrop++] = cx->shape[i];
        }
      out = _lt_tensor_new_empty (keep, cx->ndim, cd, x->storage->device, error);
    }
  else
    out = _lt_tensor_new_empty (cx->shape, cx->ndim, cd, x->storage->device, error);
  if (out == NULL || !_lt_run (op, out, NULL, &cx, 1, &params, error))
    return NULL;
  /* back to the input's rank: a 0-dim input, or prod's kept or dropped dim */
  if (op == LT_OP_PROD && (all || !keepdim || x->ndim == 0))
    {
      LtTensor *s = all
                      ? _lt_alias_shape (out, NULL, 0)
                      : _lt_alias_shape (out, x->ndim == 0 ? NULL : drop, x->ndim == 0 ? 0 : ndrop);
      g_object_unref (out);
      out = s;
    }
  else if (x->ndim == 0)
    {
      LtTensor *s = _lt_alias_shape (out, NULL, 0);

      g_object_unref (out);
      out = s;
    }
  node = _lt_autograd_record (op, &x, 1);
  if (node)
    {
      node->params.scan = sp;
      node->overload = op == LT_OP_PROD && !all;
      /* the input itself, with its history, so that the rules can make a
       * gradient that differentiates again; they take the kernel's view */
      _lt_autograd_save_args (node, &x, 1, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_prod:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Multiplies every element, as `x.prod ()`. Integer and bool tensors give
 * int64 (wrapping on overflow), floating-point ones their own dtype; no
 * elements give 1. The gradient is exact where elements are zero.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions, or %NULL
 *   with @error set
 */
LtTensor *
lt_tensor_prod (LtTensor *self, GError **error)
{
  return scan_run (LT_OP_PROD, self, 0, FALSE, TRUE, FALSE, error);
}

/**
 * lt_tensor_prod_dim:
 * @self: a tensor
 * @dim: the dimension to multiply along; negative values count from the end
 * @keepdim: keep @dim with size 1
 * @error: return location for a #GError
 *
 * Multiplies along one dimension, as `x.prod (dim, keepdim)`, with the
 * dtypes of lt_tensor_prod().
 *
 * Returns: (transfer full) (nullable): the products, or %NULL with @error
 *   set when @dim is out of range
 */
LtTensor *
lt_tensor_prod_dim (LtTensor *self, gint dim, gboolean keepdim, GError **error)
{
  return scan_run (LT_OP_PROD, self, dim, FALSE, FALSE, keepdim, error);
}

/**
 * lt_tensor_cumsum:
 * @self: a tensor
 * @dim: the dimension to sum along; negative values count from the end
 * @error: return location for a #GError
 *
 * The running sums along @dim, as `x.cumsum (dim)`: element j is the sum
 * of elements 0 to j. Integer and bool tensors give int64.
 *
 * Returns: (transfer full) (nullable): a tensor of @self's shape, or %NULL
 *   with @error set when @dim is out of range
 */
LtTensor *
lt_tensor_cumsum (LtTensor *self, gint dim, GError **error)
{
  return scan_run (LT_OP_CUMSUM, self, dim, FALSE, FALSE, FALSE, error);
}

/**
 * lt_tensor_cumprod:
 * @self: a tensor
 * @dim: the dimension to multiply along; negative values count from the end
 * @error: return location for a #GError
 *
 * The running products along @dim, as `x.cumprod (dim)`. Integer and bool
 * tensors give int64. The gradient is exact where elements are zero.
 *
 * Returns: (transfer full) (nullable): a tensor of @self's shape, or %NULL
 *   with @error set when @dim is out of range
 */
LtTensor *
lt_tensor_cumprod (LtTensor *self, gint dim, GError **error)
{
  return scan_run (LT_OP_CUMPROD, self, dim, FALSE, FALSE, FALSE, error);
}

/* @t with the dims of @node's reduction put back as size 1 */
static LtTensor *
unsqueeze_dims (LtTensor *t, const LtReduceParams *p, guint in_ndim, GError **error)
{
  gint64 shape[LT_MAX_DIMS];
  guint  k = 0;

  if (p->keepdim)
    return g_object_ref (t);
  for (guint d = 0; d < in_ndim; d++)
    {
      gboolean reduced = p->all;

      for (guint i = 0; i < p->n_dims && !reduced; i++)
        reduced = p->dims[i] == d;
      shape[d] = reduced ? 1 : t->shape[k++];
    }
  return lt_tensor_reshape (t, shape, in_ndim, error);
}

/**
 * lt_tensor_logsumexp:
 * @self: a tensor
 * @dims: (array length=n_dims) (nullable): the dimensions to reduce,
 *   negative values counting from the end; none: every dimension
 * @n_dims: the number of dimensions in @dims
 * @keepdim: keep each reduced dimension with size 1
 * @error: return location for a #GError
 *
 * Computes `log (sum (exp (x)))` over @dims without overflow, as
 * `torch.logsumexp (x, dims, keepdim)`: the largest element of each slice
 * is taken out before the exponential. A slice of only -inf (or of no
 * elements) gives -inf, one holding +inf gives +inf. Integer and bool
 * tensors give float32.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   for a dimension out of range or repeated
 */
LtTensor *
lt_tensor_logsumexp (LtTensor   *self,
                     const gint *dims,
                     gsize       n_dims,
                     gboolean    keepdim,
                     GError    **error)
{
  LtReduceParams p = { .keepdim = keepdim };
  gint           kd[LT_MAX_DIMS];
  gint64         reduced = 1, drop[LT_MAX_DIMS];
  guint          ndrop = 0;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) m = NULL;
  g_autoptr(LtTensor) xm = NULL;
  g_autoptr(LtTensor) e = NULL;
  g_autoptr(LtTensor) s = NULL;
  g_autoptr(LtTensor) ls = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;
  gboolean  prev;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (n_dims > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "logsumexp: %" G_GSIZE_FORMAT " dims given, "
                   "a tensor has at most %d",
                   n_dims, LT_MAX_DIMS);
      return NULL;
    }
  for (gsize i = 0; i < n_dims; i++)
    {
      guint d;

      if (!_lt_normalize_dim (dims[i], self->ndim, &d, "logsumexp", error))
        return NULL;
      if (self->ndim == 0)
        continue;
      for (guint j = 0; j < p.n_dims; j++)
        if (p.dims[j] == d)
          {
            g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                         "logsumexp: dim %u appears more than once in the list of dims", d);
            return NULL;
          }
      p.dims[p.n_dims++] = d;
    }
  p.all = p.n_dims == 0;
  for (guint d = 0; d < self->ndim; d++)
    {
      gboolean r = p.all;

      for (guint i = 0; i < p.n_dims && !r; i++)
        r = p.dims[i] == d;
      if (r)
        reduced *= self->shape[d];
      else
        drop[ndrop++] = self->shape[d];
    }
  for (guint d = 0; d < self->ndim; d++)
    kd[d] = (gint) d;

  prev = lt_set_grad_enabled (FALSE);
  x = _lt_dtype_is_float (self->dtype) ? g_object_ref (self)
                                       : lt_tensor_to_dtype (self, LT_DTYPE_FLOAT32, error);
  /* the largest element of each slice, 0 where it is infinite or the slice
   * is empty, taken out before the exponential */
  if (x && reduced > 0 && self->ndim > 0)
    {
      m = g_object_ref (x);
      for (guint d = 0; d < self->ndim && m; d++)
        {
          gboolean r = p.all;

          for (guint i = 0; i < p.n_dims && !r; i++)
            r = p.dims[i] == d;
          if (r)
            {
              LtTensor *next = lt_tensor_max_dim (m, (gint) d, TRUE, NULL, error);
              g_object_unref (m);
              m = next;
            }
        }
      if (m)
        {
          g_autoptr(LtTensor) am = lt_tensor_abs (m, error);
          g_autoptr(LtTensor) inf = am ? lt_tensor_eq_scalar (am, INFINITY, error) : NULL;

          if (inf == NULL || !lt_tensor_masked_fill_ (m, inf, 0.0, error))
            g_clear_object (&m);
        }
    }
  else if (x)
    {
      /* no elements to reduce (or none to take out): 0 of the result's shape */
      gint64 ks[LT_MAX_DIMS];
      g_autoptr(LtTensor) z = NULL;

      for (guint d = 0; d < self->ndim; d++)
        {
          gboolean r = p.all;

          for (guint i = 0; i < p.n_dims && !r; i++)
            r = p.dims[i] == d;
          ks[d] = r ? 1 : self->shape[d];
        }
      z = lt_zeros (ks, self->ndim, x->dtype, error);
      m = z && x->storage->device != LT_DEVICE_CPU
            ? lt_tensor_to_device (z, x->storage->device, error)
            : g_steal_pointer (&z);
    }
  xm = m ? lt_tensor_sub (x, m, error) : NULL;
  e = xm ? lt_tensor_exp (xm, error) : NULL;
  if (e && self->ndim)
    {
      gint rd[LT_MAX_DIMS];

      for (guint i = 0; i < p.n_dims; i++)
        rd[i] = (gint) p.dims[i];
      /* over the reduced dims, keeping them */
      s = p.all ? lt_tensor_sum_dims (e, kd, self->ndim, TRUE, error)
                : lt_tensor_sum_dims (e, rd, p.n_dims, TRUE, error);
    }
  else if (e)
    s = g_object_ref (e);
  ls = s ? lt_tensor_log (s, error) : NULL;
  out = ls ? lt_tensor_add (ls, m, error) : NULL;
  lt_set_grad_enabled (prev);
  if (out == NULL)
    return NULL;
  if (!keepdim && self->ndim > 0)
    {
      LtTensor *sq = _lt_alias_shape (out, drop, ndrop);

      g_object_unref (out);
      out = sq;
    }
  node = _lt_autograd_record (LT_OP_LOGSUMEXP, &self, 1);
  if (node)
    {
      node->params.reduce = p;
      _lt_autograd_save_args (node, &x, 1, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_dist:
 * @self: a floating-point tensor
 * @other: a floating-point tensor that broadcasts with @self
 * @p: the order of the norm, as lt_tensor_norm_dims() takes it
 * @error: return location for a #GError
 *
 * The p-norm of `self - other`, as `torch.dist (x, y, p)`.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions, or
 *   %NULL with @error set for shapes that do not broadcast or integer
 *   tensors
 */
LtTensor *
lt_tensor_dist (LtTensor *self, LtTensor *other, double p, GError **error)
{
  g_autoptr(LtTensor) d = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  if (!_lt_dtype_is_float (self->dtype) || !_lt_dtype_is_float (other->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "dist: the inputs must be floating point, not %s and %s",
                   lt_dtype_get_name (self->dtype), lt_dtype_get_name (other->dtype));
      return NULL;
    }
  d = lt_tensor_sub (self, other, error);
  return d ? lt_tensor_norm (d, p, error) : NULL;
}

/* Backward rules */

gboolean
_lt_backward_cumsum (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* the running sums of g from the other end */
  const LtScanParams *sp = &node->params.scan;
  const LtTensorMeta *m = &node->input_meta[0];
  g_autoptr(LtTensor) r = scan_run (LT_OP_CUMSUM, g, m->ndim ? (gint) sp->dim : 0, !sp->reverse,
                                     FALSE, FALSE, error);

  return r && (gi[0] = g_steal_pointer (&r)) != NULL;
}

/* The saved input as the kernel took it: flattened for a product of
 * everything, (1) for a 0-dim one */
static LtTensor *
kernel_view (LtGradFn *node, LtTensor *x, GError **error)
{
  gint64 n = x->numel;

  if (node->params.scan.all || x->ndim == 0)
    return lt_tensor_reshape (x, &n, 1, error);
  return g_object_ref (x);
}

/* dx of cumprod (@g of @x's shape) or prod (@g of size 1 along the dim),
 * @x the kernel's view of the input: with the cumprod_grad kernel, or
 * under create_graph with public ops so that it differentiates again;
 * exact where x has zeros */
static gboolean
cumprod_grad (LtGradFn *node, LtTensor *x, LtTensor *g, LtTensor **gi, GError **error)
{
  const LtTensorMeta *m = &node->input_meta[0];
  LtOpParams          params = { .scan = node->params.scan };
  g_autoptr(LtTensor) gc = NULL;
  g_autoptr(LtTensor) gcc = NULL;
  g_autoptr(LtTensor) xc = NULL;
  g_autoptr(LtTensor) dx = NULL;
  LtTensor *kin[2];
  LtTensor *nt[2] = { g, x };

  if (_lt_creating_graph () && (g->requires_grad || x->requires_grad))
    {
      dx = _lt_product_grad_composed (x, g, params.scan.dim, node->op == LT_OP_CUMPROD, error);
      gi[0] = dx ? lt_tensor_reshape (dx, m->shape, m->ndim, error) : NULL;
      return gi[0] != NULL;
    }
  gc = _lt_cast (g, x->dtype, error);
  gcc = gc ? _lt_contiguous (gc, error) : NULL;
  xc = gcc ? _lt_contiguous (x, error) : NULL;
  if (xc == NULL)
    return FALSE;
  kin[0] = xc;
  kin[1] = gcc;
  dx = _lt_tensor_new_empty (x->shape, x->ndim, x->dtype, x->storage->device, error);
  if (dx == NULL || !_lt_run (LT_OP_CUMPROD_GRAD, dx, NULL, kin, 2, &params, error))
    return FALSE;
  /* a graph through the kernel's gradient (grad mode on, no create_graph)
   * cannot be differentiated again */
  _lt_autograd_not_twice (node, dx, nt, 2);
  gi[0] = lt_tensor_reshape (dx, m->shape, m->ndim, error);
  return gi[0] != NULL;
}

gboolean
_lt_backward_cumprod (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (saved, ARG0);
  g_autoptr(LtTensor) x = kernel_view (node, saved, error);
  g_autoptr(LtTensor) g1 = x ? lt_tensor_reshape (g, x->shape, x->ndim, error) : NULL;

  return g1 && cumprod_grad (node, x, g1, gi, error);
}

gboolean
_lt_backward_prod (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (saved, ARG0);
  gint64 shape[LT_MAX_DIMS];
  g_autoptr(LtTensor) x = kernel_view (node, saved, error);
  g_autoptr(LtTensor) g1 = NULL;

  if (x == NULL)
    return FALSE;
  /* g goes to the kernel view's shape with the dim of size 1 */
  for (guint i = 0; i < x->ndim; i++)
    shape[i] = i == node->params.scan.dim ? 1 : x->shape[i];
  g1 = lt_tensor_reshape (g, shape, x->ndim, error);
  return g1 && cumprod_grad (node, x, g1, gi, error);
}

gboolean
_lt_backward_logsumexp (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g exp(x - logsumexp(x)) */
  LT_SAVED (x, ARG0);
  LT_SAVED (out, RESULT);
  const LtReduceParams *p = &node->params.reduce;
  g_autoptr(LtTensor) gk = unsqueeze_dims (g, p, x->ndim, error);
  g_autoptr(LtTensor) ok = gk ? unsqueeze_dims (out, p, x->ndim, error) : NULL;
  g_autoptr(LtTensor) d = ok ? lt_tensor_sub (x, ok, error) : NULL;
  g_autoptr(LtTensor) e = d ? lt_tensor_exp (d, error) : NULL;

  return e && (gi[0] = lt_tensor_mul (e, gk, error)) != NULL;
}
