/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-sort.h"

/*
 * Sorting and selection along one dim: sort, argsort, msort, topk,
 * kthvalue, median, mode, and unique. The kernel (sort's family in the op
 * table) sorts every row stably, NaN greater than every number, and gives
 * the values it picks with their int64 positions; the reductions
 * (kthvalue, median along a dim, mode) get an output with @dim kept as 1,
 * dropped afterwards without keepdim. The gradient of every value goes to
 * its position (a scatter into zeros); median over everything shares it
 * evenly among the elements equal to the median, as torch's
 * evenly_distribute_backward.
 */

static gboolean
is_reduction (LtOp op)
{
  return op == LT_OP_KTHVALUE || op == LT_OP_MEDIAN_DIM || op == LT_OP_MODE;
}

/* Runs @op along @p->dim of @x (@p->dim normalised); @indices gets the
 * positions. */
static LtTensor *
select_along (LtOp op, LtTensor *x, LtSortParams *p, LtTensor **indices, GError **error)
{
  const LtOpInfo *row = &_lt_op_table[op];
  const char     *name = row->name;
  gint64          shape[LT_MAX_DIMS], drop[LT_MAX_DIMS];
  guint           ndrop = 0;
  gint64          n = x->ndim == 0 ? 1 : x->shape[p->dim];
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtGradFn) node = NULL;

  if (x->dtype == LT_DTYPE_BOOL && op != LT_OP_SORT && op != LT_OP_MODE)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: not implemented for bool tensors; convert the input with to_dtype() "
                   "first",
                   name);
      return NULL;
    }
  if ((row->flags & LT_OPF_NEEDS_ELEMENTS) && n == 0)
    {
      g_autofree char *s = LT_SHAPE_STR (x);
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: expected reduction dim %u to have non-zero size (input of shape %s)", name,
                   p->dim, s);
      return NULL;
    }
  if ((op == LT_OP_TOPK && (p->k < 0 || p->k > n)) ||
      (op == LT_OP_KTHVALUE && (p->k < 1 || p->k > n)))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: selected index k = %" G_GINT64_FORMAT
                   " out of range for dimension %u of size %" G_GINT64_FORMAT,
                   name, p->k, p->dim, n);
      return NULL;
    }

  for (guint d = 0; d < x->ndim; d++)
    {
      shape[d] = x->shape[d];
      if (d == p->dim)
        shape[d] = op == LT_OP_SORT ? n : op == LT_OP_TOPK ? p->k : 1;
      if (d != p->dim)
        drop[ndrop++] = x->shape[d];
    }

  cx = _lt_contiguous (x, error);
  if (cx == NULL)
    return NULL;
  out = _lt_tensor_new_empty (shape, x->ndim, x->dtype, x->storage->device, error);
  if (out == NULL)
    return NULL;
  idx = _lt_tensor_new_empty (shape, x->ndim, LT_DTYPE_INT64, x->storage->device, error);
  if (idx == NULL)
    return NULL;
  {
    LtOpParams params = { .sort = *p };

    if (!_lt_run (op, out, idx, &cx, 1, &params, error))
      return NULL;
  }

  node = _lt_autograd_record (op, &x, 1);
  if (node)
    {
      node->params.sort = *p;
      _lt_autograd_save_args (node, &cx, 1, NULL);
      node->overload = op == LT_OP_SORT && p->stable;
    }
  if (is_reduction (op) && !p->keepdim && x->ndim > 0)
    {
      LtTensor *sv = _lt_alias_shape (out, drop, ndrop);
      LtTensor *si = _lt_alias_shape (idx, drop, ndrop);

      g_object_unref (out);
      g_object_unref (idx);
      out = sv;
      idx = si;
    }
  if (node)
    _lt_autograd_set_outputs (g_steal_pointer (&node), out, idx);
  if (indices)
    *indices = g_steal_pointer (&idx);
  return g_steal_pointer (&out);
}

static LtTensor *
select_dim (LtOp       op,
            LtTensor  *self,
            gint       dim,
            gint64     k,
            gboolean   descending,
            gboolean   stable,
            gboolean   keepdim,
            LtTensor **indices,
            GError   **error)
{
  LtSortParams p = { .k = k, .descending = descending, .stable = stable, .keepdim = keepdim };

  if (!_lt_normalize_dim (dim, self->ndim, &p.dim, _lt_op_table[op].name, error))
    return NULL;
  return select_along (op, self, &p, indices, error);
}

/**
 * lt_tensor_sort:
 * @self: a tensor
 * @dim: the dimension to sort along (negative counts from the end)
 * @descending: largest first
 * @stable: keep the order of equal elements (they keep it in any case:
 *   the sort is always stable; @stable only names the node SortBackward1
 *   as PyTorch's overload does)
 * @indices: (out) (optional) (transfer full): where each sorted element
 *   was along @dim (int64)
 * @error: return location for a #GError
 *
 * Sorts the elements of @self along a dimension, as
 * `values, indices = torch.sort(x, dim, descending, stable)`. NaN is
 * greater than every number: last in ascending order, first in descending.
 * The gradient of each value goes to the element it came from.
 *
 * Returns: (transfer full) (nullable): the sorted values, or %NULL with
 *   @error set (a dimension out of range)
 */
LtTensor *
lt_tensor_sort (LtTensor  *self,
                gint       dim,
                gboolean   descending,
                gboolean   stable,
                LtTensor **indices,
                GError   **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return select_dim (LT_OP_SORT, self, dim, 0, descending, stable, FALSE, indices, error);
}

/**
 * lt_tensor_argsort:
 * @self: a tensor
 * @dim: the dimension to sort along
 * @descending: largest first
 * @stable: keep the order of equal elements (always kept)
 * @error: return location for a #GError
 *
 * The positions that sort @self along @dim, as `torch.argsort`: the
 * indices of lt_tensor_sort().
 *
 * Returns: (transfer full) (nullable): an int64 tensor of @self's shape,
 *   or %NULL with @error set
 */
LtTensor *
lt_tensor_argsort (LtTensor *self, gint dim, gboolean descending, gboolean stable, GError **error)
{
  LtTensor *indices = NULL;
  g_autoptr(LtTensor) values = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  values = lt_tensor_sort (self, dim, descending, stable, &indices, error);
  return values ? indices : NULL;
}

/**
 * lt_tensor_msort:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Sorts @self along its first dimension in ascending order, as
 * `torch.msort`.
 *
 * Returns: (transfer full) (nullable): the sorted values, or %NULL with
 *   @error set
 */
LtTensor *
lt_tensor_msort (LtTensor *self, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return lt_tensor_sort (self, 0, FALSE, FALSE, NULL, error);
}

/**
 * lt_tensor_topk:
 * @self: a tensor (not bool)
 * @k: how many elements to take, 0 to the size of @dim
 * @dim: the dimension to take them along
 * @largest: the largest (else the smallest)
 * @sorted: return them in order (they always are: largest first, or
 *   smallest first)
 * @indices: (out) (optional) (transfer full): their positions along @dim
 * @error: return location for a #GError
 *
 * The @k largest (or smallest) elements along a dimension, as
 * `torch.topk(x, k, dim, largest, sorted)`. Equal elements come in the
 * order of their positions; NaN counts as the largest.
 *
 * Returns: (transfer full) (nullable): the values, of @self's shape with
 *   @k along @dim, or %NULL with @error set (@k out of range, a bool input)
 */
LtTensor *
lt_tensor_topk (LtTensor  *self,
                gint64     k,
                gint       dim,
                gboolean   largest,
                gboolean   sorted,
                LtTensor **indices,
                GError   **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  (void) sorted;
  return select_dim (LT_OP_TOPK, self, dim, k, largest, FALSE, FALSE, indices, error);
}

/**
 * lt_tensor_kthvalue:
 * @self: a tensor (not bool)
 * @k: the rank, 1 for the smallest
 * @dim: the dimension to look along
 * @keepdim: keep @dim with size 1
 * @indices: (out) (optional) (transfer full): the position of each value
 *   along @dim (among equal elements, the one the stable ascending order
 *   puts at rank @k)
 * @error: return location for a #GError
 *
 * The @k-th smallest element along a dimension, as
 * `torch.kthvalue(x, k, dim, keepdim)`; NaN counts as the largest.
 *
 * Returns: (transfer full) (nullable): the values, or %NULL with @error
 *   set (@k out of range, an empty @dim)
 */
LtTensor *
lt_tensor_kthvalue (LtTensor  *self,
                    gint64     k,
                    gint       dim,
                    gboolean   keepdim,
                    LtTensor **indices,
                    GError   **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return select_dim (LT_OP_KTHVALUE, self, dim, k, FALSE, FALSE, keepdim, indices, error);
}

/**
 * lt_tensor_median_dim:
 * @self: a tensor (not bool)
 * @dim: the dimension to look along
 * @keepdim: keep @dim with size 1
 * @indices: (out) (optional) (transfer full): the position of each median
 * @error: return location for a #GError
 *
 * The lower median along a dimension (of an even count, the smaller of the
 * two middle elements), as `torch.median(x, dim, keepdim)`. A row holding
 * NaN has NaN as its median, at the position of its first NaN.
 *
 * Returns: (transfer full) (nullable): the medians, or %NULL with @error
 *   set (an empty @dim)
 */
LtTensor *
lt_tensor_median_dim (LtTensor  *self,
                      gint       dim,
                      gboolean   keepdim,
                      LtTensor **indices,
                      GError   **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return select_dim (LT_OP_MEDIAN_DIM, self, dim, 0, FALSE, FALSE, keepdim, indices, error);
}

/**
 * lt_tensor_mode:
 * @self: a tensor
 * @dim: the dimension to look along
 * @keepdim: keep @dim with size 1
 * @indices: (out) (optional) (transfer full): the last position of each
 *   mode along @dim
 * @error: return location for a #GError
 *
 * The most frequent value along a dimension, the smallest of them on a tie,
 * as `torch.mode(x, dim, keepdim)`.
 *
 * Returns: (transfer full) (nullable): the modes, or %NULL with @error set
 *   (an empty @dim)
 */
LtTensor *
lt_tensor_mode (LtTensor *self, gint dim, gboolean keepdim, LtTensor **indices, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return select_dim (LT_OP_MODE, self, dim, 0, FALSE, FALSE, keepdim, indices, error);
}

/**
 * lt_tensor_median:
 * @self: a tensor (not bool)
 * @error: return location for a #GError
 *
 * The lower median of all the elements, as `torch.median(x)`: NaN when
 * one of them is NaN, and for a floating-point tensor without elements.
 * Its gradient is shared evenly among the elements equal to it.
 *
 * Returns: (transfer full) (nullable): a tensor without dimensions, or
 *   %NULL with @error set (an integer tensor without elements, a bool one)
 */
LtTensor *
lt_tensor_median (LtTensor *self, GError **error)
{
  LtSortParams p = { .dim = 0, .keepdim = FALSE };
  gint64       flat = self->numel;
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) fx = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtGradFn) node = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->dtype == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "median: not implemented for bool tensors; convert the input with "
                   "to_dtype() first");
      return NULL;
    }
  if (self->numel == 0 && !_lt_dtype_is_float (self->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "median: an %s tensor without elements has no median",
                   lt_dtype_get_name (self->dtype));
      return NULL;
    }
  cx = _lt_contiguous (self, error);
  if (cx == NULL)
    return NULL;
  if (self->numel == 0)
    {
      out = lt_full (NULL, 0, NAN, self->dtype, error);
      if (out && self->storage->device != LT_DEVICE_CPU)
        {
          LtTensor *moved = lt_tensor_to_device (out, self->storage->device, error);

          g_object_unref (out);
          out = moved;
        }
      if (out == NULL)
        return NULL;
    }
  else
    {
      gint64     one = 1;
      LtOpParams params = { .sort = p };

      fx = _lt_alias_shape (cx, &flat, 1);
      out = _lt_tensor_new_empty (&one, 1, self->dtype, self->storage->device, error);
      idx =
        out ? _lt_tensor_new_empty (&one, 1, LT_DTYPE_INT64, self->storage->device, error) : NULL;
      if (idx == NULL || !_lt_run (LT_OP_MEDIAN, out, idx, &fx, 1, &params, error))
        return NULL;
      {
        LtTensor *scalar = _lt_alias_shape (out, NULL, 0);

        g_object_unref (out);
        out = scalar;
      }
    }
  node = _lt_autograd_record (LT_OP_MEDIAN, &self, 1);
  if (node)
    {
      node->params.sort = p;
      _lt_autograd_save_args (node, &cx, 1, NULL);
      _lt_autograd_set_output (g_steal_pointer (&node), out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_unique:
 * @self: a tensor
 * @sorted: return the values in ascending order (they always are)
 * @inverse: (out) (optional) (transfer full): for each element of @self,
 *   the position of its value in the result (int64, @self's shape)
 * @counts: (out) (optional) (transfer full): how many elements have each
 *   value (int64)
 * @error: return location for a #GError
 *
 * The distinct values of @self, flattened, in ascending order, as
 * `torch.unique(x, sorted, return_inverse, return_counts)` with no dim.
 * NaN is never equal to itself: each NaN is a value of its own, after
 * every number. The result has no gradient.
 *
 * Returns: (transfer full) (nullable): a one-dimensional tensor of the
 *   distinct values, or %NULL with @error set
 */
LtTensor *
lt_tensor_unique (LtTensor  *self,
                  gboolean   sorted,
                  LtTensor **inverse,
                  LtTensor **counts,
                  GError   **error)
{
  LtSortParams p = { .dim = 0 };
  LtOpParams   params = { .sort = p };
  gint64       n = self->numel, two_n[2] = { 2, self->numel }, n_unique = 0;
  LtDevice     device;
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) fx = NULL;
  g_autoptr(LtTensor) svals = NULL;
  g_autoptr(LtTensor) perm = NULL;
  g_autoptr(LtTensor) uvals = NULL;
  g_autoptr(LtTensor) aux = NULL;
  g_autoptr(LtTensor) inv_row = NULL;
  g_autoptr(LtTensor) cnt_row = NULL;
  g_autoptr(LtTensor) values = NULL;
  LtTensor *in[2];

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  (void) sorted;
  device = self->storage->device;
  cx = _lt_contiguous (self, error);
  if (cx == NULL)
    return NULL;
  fx = _lt_alias_shape (cx, &n, 1);
  svals = _lt_tensor_new_empty (&n, 1, self->dtype, device, error);
  perm = svals ? _lt_tensor_new_empty (&n, 1, LT_DTYPE_INT64, device, error) : NULL;
  uvals = perm ? _lt_tensor_new_empty (&n, 1, self->dtype, device, error) : NULL;
  aux = uvals ? _lt_tensor_new_empty (two_n, 2, LT_DTYPE_INT64, device, error) : NULL;
  if (aux == NULL || !_lt_run (LT_OP_SORT, svals, perm, &fx, 1, &params, error))
    return NULL;
  in[0] = svals;
  in[1] = perm;
  if (!_lt_run (LT_OP_UNIQUE, uvals, aux, in, 2, &params, error))
    return NULL;
  inv_row = lt_tensor_select (aux, 0, 0, error);
  cnt_row = inv_row ? lt_tensor_select (aux, 0, 1, error) : NULL;
  if (cnt_row == NULL)
    return NULL;
  if (n > 0)
    {
      g_autoptr(LtTensor) last = lt_tensor_max (inv_row, error);

      if (last == NULL || !lt_tensor_item_int64 (last, &n_unique, error))
        return NULL;
      n_unique++;
    }
  {
    g_autoptr(LtTensor) head = lt_tensor_narrow (uvals, 0, 0, n_unique, error);

    values = head ? _lt_clone_raw (head, error) : NULL;
    if (values == NULL)
      return NULL;
  }
  if (inverse)
    {
      g_autoptr(LtTensor) shaped = _lt_alias_shape (inv_row, self->shape, self->ndim);

      *inverse = _lt_clone_raw (shaped, error);
      if (*inverse == NULL)
        return NULL;
    }
  if (counts)
    {
      g_autoptr(LtTensor) head = lt_tensor_narrow (cnt_row, 0, 0, n_unique, error);

      *counts = head ? _lt_clone_raw (head, error) : NULL;
      if (*counts == NULL)
        {
          if (inverse)
            g_clear_object (inverse);
          return NULL;
        }
    }
  return g_steal_pointer (&values);
}

gboolean
_lt_backward_sort_select (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* Each value's gradient goes to its position (a scatter into zeros). */
  LT_SAVED (idx, AUX);
  const LtTensorMeta *in = &node->input_meta[0];
  const LtSortParams *p = &node->params.sort;
  gboolean            unsqueeze = is_reduction (node->op) && !p->keepdim;
  g_autoptr(LtTensor) gk = NULL;
  g_autoptr(LtTensor) ik = NULL;
  g_autoptr(LtTensor) zero = NULL;

  if (in->ndim == 0)
    {
      gi[0] = g_object_ref (g);
      return TRUE;
    }
  gk = unsqueeze ? lt_tensor_unsqueeze (g, (gint) p->dim, error) : g_object_ref (g);
  ik = gk == NULL  ? NULL
       : unsqueeze ? lt_tensor_unsqueeze (idx, (gint) p->dim, error)
                   : g_object_ref (idx);
  zero = ik ? _lt_zeros_meta (in, error) : NULL;
  if (zero == NULL)
    return FALSE;
  return (gi[0] = lt_tensor_scatter_add (zero, (gint) p->dim, ik, gk, error)) != NULL;
}

gboolean
_lt_backward_median (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* Shared evenly among the elements equal to the median; a NaN median
   * among the NaNs. */
  LT_SAVED (x, ARG0);
  LT_SAVED (out, RESULT);
  g_autoptr(LtTensor) equal = lt_tensor_eq (x, out, error);
  g_autoptr(LtTensor) x_nan = equal ? lt_tensor_ne (x, x, error) : NULL;
  g_autoptr(LtTensor) out_nan = x_nan ? lt_tensor_ne (out, out, error) : NULL;
  g_autoptr(LtTensor) both_nan = out_nan ? lt_tensor_logical_and (x_nan, out_nan, error) : NULL;
  g_autoptr(LtTensor) mask = both_nan ? lt_tensor_logical_or (equal, both_nan, error) : NULL;
  g_autoptr(LtTensor) count = mask ? lt_tensor_sum (mask, error) : NULL;
  g_autoptr(LtTensor) share = count ? lt_tensor_div (g, count, error) : NULL;
  g_autoptr(LtTensor) zero = share ? lt_zeros_like (x, error) : NULL;

  return zero && (gi[0] = lt_where (mask, share, zero, error)) != NULL;
}
