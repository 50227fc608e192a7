/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-pad.h"

/*
 * Coordinate indexing, as torch's nonzero, take, index (x[i, j] with index
 * tensors), index_put_ and scatter with reduce: front ends and backward
 * rules. The index tensors of index and index_put become one int64 tensor
 * of coordinates (k, M), k the dimensions they index, M the elements of
 * their broadcast shape (bool masks become their nonzero coordinates);
 * the kernels (backends/cpu/lt-cpu-index-put.c) read the rows those
 * coordinates name. take's gradient adds into the rows it read
 * (index_put with accumulate), index_put's reads them back (take).
 */

static gboolean
check_device (const char *op, const char *what, LtTensor *t, LtTensor *self, GError **error)
{
  if (t->storage->device == self->storage->device)
    return TRUE;
  g_set_error (error, LT_ERROR, LT_ERROR_DEVICE, "%s: the %s is on %s but the tensor is on %s", op,
               what, lt_device_get_name (t->storage->device),
               lt_device_get_name (self->storage->device));
  return FALSE;
}

/* The (k, M) int64 coordinates of @indices into @self, with k and their
 * broadcast shape in @p; NULL with @error set (IndexError's cases as torch's). */
static LtTensor *
coords_from_indices (const char       *op,
                     LtTensor         *self,
                     LtTensor        **indices,
                     guint             n,
                     LtIndexPutParams *p,
                     GError          **error)
{
  LtTensor *cols[LT_MAX_DIMS] = { NULL };
  LtTensor *flat[LT_MAX_DIMS] = { NULL };
  LtTensor *out = NULL;
  guint     k = 0;
  gint64    m = 1;
  gboolean  prev = lt_set_grad_enabled (FALSE);

  memset (p, 0, sizeof *p);
  if (n == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX, "%s: needs at least one index tensor", op);
      goto out;
    }
  for (guint i = 0; i < n; i++)
    {
      LtTensor *ix = indices[i];
      gboolean  mask = ix->dtype == LT_DTYPE_BOOL;
      guint     used = mask ? ix->ndim : 1;

      if (!check_device (op, "index", ix, self, error))
        goto out;
      if (!lt_dtype_is_integral (ix->dtype, TRUE))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                       "%s: tensors used as indices must be long, int, byte or bool tensors, "
                       "not %s",
                       op, lt_dtype_get_name (ix->dtype));
          goto out;
        }
      if (mask && ix->ndim == 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                       "%s: a mask with no dimensions cannot index a dimension", op);
          goto out;
        }
      if (k + used > self->ndim)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                       "%s: too many indices for tensor of dimension %u (got %u or more)", op,
                       self->ndim, k + used);
          goto out;
        }
      if (mask)
        {
          g_autoptr(LtTensor) b = NULL;
          g_autoptr(LtTensor) nz = NULL;

          if (!_lt_shape_equal (ix->shape, ix->ndim, self->shape + k, ix->ndim))
            {
              g_autofree char *s1 = LT_SHAPE_STR (ix);
              g_autofree char *s2 = LT_SHAPE_STR (self);
              g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                           "%s: the shape of the mask %s at index %u does not match the shape "
                           "of the indexed tensor %s at index %u",
                           op, s1, i, s2, k);
              goto out;
            }
          b = _lt_cast (ix, LT_DTYPE_BOOL, error);
          nz = b ? lt_tensor_nonzero (b, error) : NULL;
          if (nz == NULL)
            goto out;
          for (guint j = 0; j < ix->ndim; j++)
            if ((cols[k++] = lt_tensor_select (nz, 1, j, error)) == NULL)
              goto out;
        }
      else if ((cols[k++] = _lt_cast (ix, LT_DTYPE_INT64, error)) == NULL)
        goto out;
    }
  p->k = k;
  p->bndim = cols[0]->ndim;
  memcpy (p->bshape, cols[0]->shape, sizeof (gint64) * cols[0]->ndim);
  for (guint j = 1; j < k; j++)
    {
      gint64 shape[LT_MAX_DIMS];
      guint  nd;

      if (!_lt_shape_broadcast (p->bshape, p->bndim, cols[j]->shape, cols[j]->ndim, shape, &nd))
        {
          GString *s = g_string_new (NULL);

          for (guint q = 0; q < k; q++)
            {
              g_autofree char *sq = LT_SHAPE_STR (cols[q]);
              g_string_append_printf (s, "%s%s", q ? ", " : "", sq);
            }
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                       "%s: shape mismatch: indexing tensors could not be broadcast together "
                       "with shapes %s",
                       op, s->str);
          g_string_free (s, TRUE);
          goto out;
        }
      p->bndim = nd;
      memcpy (p->bshape, shape, sizeof shape);
    }
  for (guint d = 0; d < p->bndim; d++)
    m *= p->bshape[d];
  for (guint j = 0; j < k; j++)
    {
      g_autoptr(LtTensor) e = lt_tensor_expand (cols[j], p->bshape, p->bndim, error);
      g_autoptr(LtTensor) c = e ? _lt_contiguous (e, error) : NULL;

      if (c == NULL || (flat[j] = lt_tensor_reshape (c, &m, 1, error)) == NULL)
        goto out;
    }
  out = lt_stack (flat, k, 0, error);
  if (out != NULL && !lt_tensor_is_contiguous (out))
    g_clear_object (&out);
out:
  for (guint j = 0; j < LT_MAX_DIMS; j++)
    {
      g_clear_object (&cols[j]);
      g_clear_object (&flat[j]);
    }
  lt_set_grad_enabled (prev);
  return out;
}

/* The rows of @self that @coords name, of shape bshape followed by the
 * dimensions @p leaves unindexed. */
static LtTensor *
take_coords (LtTensor *self, LtTensor *coords, const LtIndexPutParams *p, GError **error)
{
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64     shape[LT_MAX_DIMS];
  guint      nd = p->bndim;
  LtOpParams params;
  LtTensor  *kin[2];
  LtGradFn  *node;

  memcpy (shape, p->bshape, sizeof (gint64) * p->bndim);
  if (!p->flat)
    for (guint d = p->k; d < self->ndim; d++)
      {
        if (nd == LT_MAX_DIMS)
          {
            g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                         "index: the result would have more "
                         "than %d dimensions",
                         LT_MAX_DIMS);
            return NULL;
          }
        shape[nd++] = self->shape[d];
      }
  x = _lt_contiguous (self, error);
  out = x ? _lt_tensor_new_empty (shape, nd, self->dtype, self->storage->device, error) : NULL;
  if (out == NULL)
    return NULL;
  params.index_put = *p;
  kin[0] = x;
  kin[1] = coords;
  if (!_lt_run (LT_OP_TAKE, out, NULL, kin, 2, &params, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_TAKE, &self, 1);
  if (node)
    {
      node->params = params;
      node->overload = !p->flat;
      _lt_autograd_save_args (node, kin, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/* @self (in place) or a copy with @values (broadcast to the shape
 * take_coords gives) written, added or multiplied at @coords. */
static LtTensor *
put_coords (const char             *op,
            LtTensor               *self,
            LtTensor               *coords,
            const LtIndexPutParams *p,
            LtTensor               *values,
            gboolean                inplace,
            GError                **error)
{
  gint64 shape[LT_MAX_DIMS], bs[LT_MAX_DIMS];
  guint  nd = p->bndim, bnd;
  g_autoptr(LtTensor) ev = NULL;
  g_autoptr(LtTensor) v = NULL;
  g_autoptr(LtTensor) c = g_object_ref (coords);
  g_autoptr(LtTensor) work = NULL;
  LtTensor  *inputs[2] = { self, values };
  LtTensor  *kin[3];
  LtOpParams params;

  if (values->dtype != self->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: index put requires the source and destination dtypes match, got %s for "
                   "the destination and %s for the source",
                   op, lt_dtype_get_name (self->dtype), lt_dtype_get_name (values->dtype));
      return NULL;
    }
  if (!check_device (op, "values tensor", values, self, error))
    return NULL;
  memcpy (shape, p->bshape, sizeof (gint64) * p->bndim);
  if (!p->flat)
    for (guint d = p->k; d < self->ndim && nd < LT_MAX_DIMS; d++)
      shape[nd++] = self->shape[d];
  if (!_lt_shape_broadcast (values->shape, values->ndim, shape, nd, bs, &bnd) ||
      !_lt_shape_equal (bs, bnd, shape, nd))
    {
      g_autofree char *s1 = LT_SHAPE_STR (values);
      g_autofree char *s2 = _lt_shape_to_string (shape, nd);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: shape mismatch: value tensor of shape %s cannot be broadcast to indexing "
                   "result of shape %s",
                   op, s1, s2);
      return NULL;
    }
  if (inplace && !_lt_check_writable (self, op, error))
    return NULL;
  {
    gboolean prev = lt_set_grad_enabled (FALSE);

    ev = lt_tensor_expand (values, shape, nd, error);
    lt_set_grad_enabled (prev);
  }
  v = ev ? _lt_contiguous (ev, error) : NULL;
  if (v == NULL)
    return NULL;
  work =
    (inplace && lt_tensor_is_contiguous (self)) ? g_object_ref (self) : _lt_clone_raw (self, error);
  if (work == NULL)
    return NULL;
  if (work == self)
    {
      /* the kernel must not read coordinates or values it is writing */
      LtTensor *c2 = c->storage == self->storage ? _lt_clone_raw (c, error) : g_object_ref (c);
      LtTensor *v2 = NULL;

      if (c2 != NULL)
        v2 = v->storage == self->storage ? _lt_clone_raw (v, error) : g_object_ref (v);
      g_object_unref (c);
      c = c2;
      g_object_unref (v);
      v = v2;
      if (v == NULL)
        return NULL;
    }
  params.index_put = *p;
  kin[0] = work;
  kin[1] = c;
  kin[2] = v;
  return _lt_index_write (LT_OP_INDEX_PUT, self, work, inplace, inputs, kin, &params, 0, error);
}

/**
 * lt_tensor_nonzero:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * The coordinates of the nonzero elements of @self, in row-major order, as
 * `torch.nonzero()`: an int64 tensor of shape (n, ndim) (a tensor with no
 * dimensions gives (1, 0) or (0, 0)). NaN counts as nonzero. Not
 * differentiable.
 *
 * Returns: (transfer full) (nullable): the coordinates
 */
LtTensor *
lt_tensor_nonzero (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) ne = NULL;
  g_autoptr(LtTensor) count = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64    shape[2];
  LtTensor *kin[1];
  gboolean  prev;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  prev = lt_set_grad_enabled (FALSE);
  x = _lt_contiguous (self, error);
  ne = x ? lt_tensor_ne_scalar (x, 0.0, error) : NULL;
  count = ne ? lt_tensor_sum (ne, error) : NULL;
  lt_set_grad_enabled (prev);
  if (count == NULL || !lt_tensor_item_int64 (count, &shape[0], error))
    return NULL;
  shape[1] = self->ndim;
  out = _lt_tensor_new_empty (shape, 2, LT_DTYPE_INT64, self->storage->device, error);
  if (out == NULL)
    return NULL;
  if (shape[0] == 0 || shape[1] == 0)
    return g_steal_pointer (&out);
  kin[0] = x;
  if (!_lt_run (LT_OP_NONZERO, out, NULL, kin, 1, NULL, error))
    return NULL;
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_take:
 * @self: a tensor
 * @index: an int64 tensor of positions in @self read as one dimension;
 *   negative positions count from the end
 * @error: return location for a #GError
 *
 * The elements of @self at @index, as `torch.take()`: the result has
 * @index's shape. Its gradient adds into the positions read.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   (%LT_ERROR_INDEX) when a position is out of range
 */
LtTensor *
lt_tensor_take (LtTensor *self, LtTensor *index, GError **error)
{
  g_autoptr(LtTensor) flat = NULL;
  g_autoptr(LtTensor) coords = NULL;
  LtIndexPutParams p;
  gint64           m;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (index), NULL);
  if (index->dtype != LT_DTYPE_INT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "take: expected a long tensor for index, but got %s",
                   lt_dtype_get_name (index->dtype));
      return NULL;
    }
  if (!check_device ("take", "index", index, self, error))
    return NULL;
  if (index->numel > 0 && self->numel == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX, "take: cannot take from an empty tensor");
      return NULL;
    }
  memset (&p, 0, sizeof p);
  p.k = 1;
  p.flat = TRUE;
  p.bndim = index->ndim;
  memcpy (p.bshape, index->shape, sizeof (gint64) * index->ndim);
  m = index->numel;
  {
    gboolean prev = lt_set_grad_enabled (FALSE);
    gint64   shape[2] = { 1, m };

    flat = _lt_contiguous (index, error);
    coords = flat ? lt_tensor_reshape (flat, shape, 2, error) : NULL;
    lt_set_grad_enabled (prev);
  }
  if (coords == NULL)
    return NULL;
  return take_coords (self, coords, &p, error);
}

/**
 * lt_tensor_index:
 * @self: a tensor
 * @indices: (array length=n_indices): integer tensors, or bool masks, that
 *   index @self's leading dimensions, one each (a mask: as many as it has)
 * @n_indices: the number of @indices
 * @error: return location for a #GError
 *
 * Advanced indexing, `x[i, j]` with index tensors, as `torch.index()`: the
 * index tensors broadcast together to a shape B and the result has shape
 * B followed by the dimensions they leave unindexed. Negative indices
 * count from the end. Its gradient adds into the rows read.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   (%LT_ERROR_INDEX) when an index is out of range, not an integer or bool
 *   tensor, or when the indices do not broadcast
 */
LtTensor *
lt_tensor_index (LtTensor *self, LtTensor **indices, guint n_indices, GError **error)
{
  g_autoptr(LtTensor) coords = NULL;
  LtIndexPutParams p;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (indices != NULL || n_indices == 0, NULL);
  for (guint i = 0; i < n_indices; i++)
    g_return_val_if_fail (LT_IS_TENSOR (indices[i]), NULL);
  coords = coords_from_indices ("index", self, indices, n_indices, &p, error);
  if (coords == NULL)
    return NULL;
  return take_coords (self, coords, &p, error);
}

static LtTensor *
index_put_impl (const char *op,
                LtTensor   *self,
                LtTensor  **indices,
                guint       n_indices,
                LtTensor   *values,
                gboolean    accumulate,
                gboolean    inplace,
                GError    **error)
{
  g_autoptr(LtTensor) coords = NULL;
  LtIndexPutParams p;

  coords = coords_from_indices (op, self, indices, n_indices, &p, error);
  if (coords == NULL)
    return NULL;
  p.mode = accumulate ? LT_INDEX_MODE_ADD : LT_INDEX_MODE_COPY;
  return put_coords (op, self, coords, &p, values, inplace, error);
}

/**
 * lt_tensor_index_put_:
 * @self: the tensor to write into
 * @indices: (array length=n_indices): integer tensors, or bool masks, that
 *   index @self's leading dimensions, as for lt_tensor_index()
 * @n_indices: the number of @indices
 * @values: the values, of @self's dtype, broadcast to the shape
 *   lt_tensor_index() gives
 * @accumulate: add @values in (repeated positions add up) instead of
 *   writing them (the last write to a repeated position wins)
 * @error: return location for a #GError
 *
 * `self[indices] = values` (or `+=`), as `torch.Tensor.index_put_()`.
 * Differentiable in @self and @values.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 *   when an index is out of range (%LT_ERROR_INDEX), the dtypes differ or
 *   the shapes do not broadcast
 */
gboolean
lt_tensor_index_put_ (LtTensor  *self,
                      LtTensor **indices,
                      guint      n_indices,
                      LtTensor  *values,
                      gboolean   accumulate,
                      GError   **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (values), FALSE);
  g_return_val_if_fail (indices != NULL || n_indices == 0, FALSE);
  for (guint i = 0; i < n_indices; i++)
    g_return_val_if_fail (LT_IS_TENSOR (indices[i]), FALSE);
  r = index_put_impl ("index_put_", self, indices, n_indices, values, accumulate, TRUE, error);
  return r != NULL;
}

/**
 * lt_tensor_index_put:
 * @self: a tensor
 * @indices: (array length=n_indices): integer tensors, or bool masks, that
 *   index @self's leading dimensions, as for lt_tensor_index()
 * @n_indices: the number of @indices
 * @values: the values, of @self's dtype
 * @accumulate: add @values in instead of writing them
 * @error: return location for a #GError
 *
 * The out-of-place form of lt_tensor_index_put_(): a copy of @self with
 * @values written (or added) at @indices.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_index_put (LtTensor  *self,
                     LtTensor **indices,
                     guint      n_indices,
                     LtTensor  *values,
                     gboolean   accumulate,
                     GError   **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (values), NULL);
  g_return_val_if_fail (indices != NULL || n_indices == 0, NULL);
  for (guint i = 0; i < n_indices; i++)
    g_return_val_if_fail (LT_IS_TENSOR (indices[i]), NULL);
  return index_put_impl ("index_put", self, indices, n_indices, values, accumulate, FALSE, error);
}

static LtTensor *
scatter_impl (LtTensor   *self,
              gint        dim,
              LtTensor   *index,
              LtTensor   *src,
              const char *reduce,
              gboolean    inplace,
              GError    **error)
{
  guint d;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) s = g_object_ref (src);
  g_autoptr(LtTensor) work = NULL;
  LtTensor   *inputs[2] = { self, src };
  LtTensor   *kin[3];
  LtOpParams  params;
  LtIndexMode mode;

  if (reduce == NULL)
    mode = LT_INDEX_MODE_COPY;
  else if (strcmp (reduce, "add") == 0)
    mode = LT_INDEX_MODE_ADD;
  else if (strcmp (reduce, "multiply") == 0)
    mode = LT_INDEX_MODE_MULTIPLY;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "scatter: reduce must be either 'add' or 'multiply', not '%s'", reduce);
      return NULL;
    }
  if (!_lt_normalize_dim (dim, self->ndim, &d, "scatter", error))
    return NULL;
  if (!lt_dtype_is_integral (index->dtype, FALSE))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "scatter: expected dtype int64 for the index, not %s",
                   lt_dtype_get_name (index->dtype));
      return NULL;
    }
  if (src->dtype != self->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "scatter: expected self.dtype to be equal to src.dtype (%s and %s)",
                   lt_dtype_get_name (self->dtype), lt_dtype_get_name (src->dtype));
      return NULL;
    }
  if (!check_device ("scatter", "index", index, self, error) ||
      !check_device ("scatter", "source", src, self, error))
    return NULL;
  if ((index->ndim != MAX (self->ndim, 1) && !(self->ndim == 0 && index->ndim == 0)) ||
      src->ndim != index->ndim)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "scatter: index, self and src should have the same number of dimensions "
                   "(%u, %u and %u)",
                   index->ndim, self->ndim, src->ndim);
      return NULL;
    }
  for (guint k = 0; k < index->ndim; k++)
    if ((k != d && k < self->ndim && index->shape[k] > self->shape[k]) ||
        index->shape[k] > src->shape[k])
      {
        g_autofree char *s1 = LT_SHAPE_STR (index);
        g_autofree char *s2 = LT_SHAPE_STR (self);
        g_autofree char *s3 = LT_SHAPE_STR (src);
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "scatter: an index of shape %s does not fit a tensor of shape %s and a "
                     "source of shape %s at dimension %u",
                     s1, s2, s3, k);
        return NULL;
      }
  if (inplace && !_lt_check_writable (self, "scatter_", error))
    return NULL;
  {
    g_autoptr(LtTensor) i64 = _lt_cast (index, LT_DTYPE_INT64, error);

    idx = i64 ? _lt_contiguous (i64, error) : NULL;
  }
  if (idx == NULL)
    return NULL;
  work =
    (inplace && lt_tensor_is_contiguous (self)) ? g_object_ref (self) : _lt_clone_raw (self, error);
  if (work == NULL)
    return NULL;
  if (work == self)
    {
      LtTensor *i2 =
        idx->storage == self->storage ? _lt_clone_raw (idx, error) : g_object_ref (idx);
      LtTensor *s2 = NULL;

      if (i2 != NULL)
        s2 = s->storage == self->storage ? _lt_clone_raw (s, error) : g_object_ref (s);
      g_object_unref (idx);
      idx = i2;
      g_object_unref (s);
      s = s2;
      if (s == NULL)
        return NULL;
    }
  memset (&params, 0, sizeof params);
  params.index_put.dim = d;
  params.index_put.mode = mode;
  kin[0] = work;
  kin[1] = idx;
  kin[2] = s;
  return _lt_index_write (LT_OP_SCATTER, self, work, inplace, inputs, kin, &params,
                          mode != LT_INDEX_MODE_COPY, error);
}

/**
 * lt_tensor_scatter:
 * @self: a tensor
 * @dim: the dimension to index
 * @index: an integer tensor with @self's number of dimensions
 * @src: the values, of @self's dtype, at least @index's size in every
 *   dimension
 * @reduce: (nullable): %NULL to write, "add" or "multiply" to combine
 * @error: return location for a #GError
 *
 * Writes `src[i][j]` into `out[index[i][j]][j]` (for @dim 0) on a copy of
 * @self, or adds or multiplies it in, as `torch.scatter()` with its
 * `reduce` argument. Differentiable without @reduce; with @reduce, as in
 * PyTorch, the backward pass refuses (%LT_ERROR_AUTOGRAD).
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   (%LT_ERROR_INDEX) when an index is out of range
 */
LtTensor *
lt_tensor_scatter (LtTensor   *self,
                   gint        dim,
                   LtTensor   *index,
                   LtTensor   *src,
                   const char *reduce,
                   GError    **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (index), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (src), NULL);
  return scatter_impl (self, dim, index, src, reduce, FALSE, error);
}

/**
 * lt_tensor_scatter_:
 * @self: the tensor to write into
 * @dim: the dimension to index
 * @index: an integer tensor with @self's number of dimensions
 * @src: the values, of @self's dtype
 * @reduce: (nullable): %NULL to write, "add" or "multiply" to combine
 * @error: return location for a #GError
 *
 * The in-place form of lt_tensor_scatter().
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_scatter_ (LtTensor   *self,
                    gint        dim,
                    LtTensor   *index,
                    LtTensor   *src,
                    const char *reduce,
                    GError    **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (index), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (src), FALSE);
  r = scatter_impl (self, dim, index, src, reduce, TRUE, error);
  return r != NULL;
}

/* Backward rules */

/* Zeros of @shape and @dtype on @like's device (the values the backward
 * rules write must live where the gradient does) */
static LtTensor *
zeros_on (const gint64 *shape, guint ndim, LtDType dtype, LtTensor *like, GError **error)
{
  LtTensorMeta m = { shape, ndim, dtype, like->storage->device };

  return _lt_zeros_meta (&m, error);
}

gboolean
_lt_backward_take (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (coords, ARG1);
  LtIndexPutParams p = node->params.index_put;
  g_autoptr(LtTensor) z = _lt_zeros_meta (&node->input_meta[0], error);
  g_autoptr(LtTensor) zv = NULL;
  g_autoptr(LtTensor) r = NULL;

  if (z == NULL)
    return FALSE;
  zv = p.flat ? lt_tensor_reshape (z, &z->numel, 1, error) : g_object_ref (z);
  p.mode = LT_INDEX_MODE_ADD;
  r = zv ? put_coords ("take", zv, coords, &p, g, FALSE, error) : NULL;
  if (r == NULL)
    return FALSE;
  if (!p.flat)
    {
      gi[0] = g_steal_pointer (&r);
      return TRUE;
    }
  gi[0] = lt_tensor_reshape (r, node->input_meta[0].shape, node->input_meta[0].ndim, error);
  return gi[0] != NULL;
}

gboolean
_lt_backward_index_put (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (coords, ARG1);
  LtIndexPutParams p = node->params.index_put;

  if (LT_NEEDS (0))
    {
      if (p.mode == LT_INDEX_MODE_ADD)
        gi[0] = g_object_ref (g);
      else
        {
          g_autoptr(LtTensor) zero = zeros_on (NULL, 0, g->dtype, g, error);

          if (zero == NULL ||
              (gi[0] = put_coords ("index_put", g, coords, &p, zero, FALSE, error)) == NULL)
            return FALSE;
        }
    }
  if (LT_NEEDS (1) && (gi[1] = take_coords (g, coords, &p, error)) == NULL)
    return FALSE;
  return TRUE;
}

gboolean
_lt_backward_scatter (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (idx, ARG1);
  gint dim = (gint) node->params.index_put.dim;

  if (node->params.index_put.mode != LT_INDEX_MODE_COPY)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "scatter: the derivative of scatter with reduce='%s' is not implemented "
                   "(nor in PyTorch)",
                   node->params.index_put.mode == LT_INDEX_MODE_ADD ? "add" : "multiply");
      return FALSE;
    }
  if (LT_NEEDS (0))
    {
      g_autoptr(LtTensor) zero = zeros_on (idx->shape, idx->ndim, g->dtype, g, error);

      if (zero == NULL || (gi[0] = lt_tensor_scatter (g, dim, idx, zero, NULL, error)) == NULL)
        return FALSE;
    }
  if (LT_NEEDS (1))
    {
      g_autoptr(LtTensor) picked = lt_tensor_gather (g, dim, idx, error);
      const LtTensorMeta *sm = &node->input_meta[1];

      if (picked == NULL)
        return FALSE;
      if (_lt_shape_equal (picked->shape, picked->ndim, sm->shape, sm->ndim))
        gi[1] = g_steal_pointer (&picked);
      else
        {
          /* a source larger than the index: zeros for the elements not read */
          gint64 pad[2 * LT_MAX_DIMS];
          guint  np = 0;

          for (guint k = picked->ndim; k-- > 0;)
            {
              pad[np++] = 0;
              pad[np++] = sm->shape[k] - picked->shape[k];
            }
          gi[1] = lt_pad (picked, pad, np, "constant", 0.0, error);
          if (gi[1] == NULL)
            return FALSE;
        }
    }
  return TRUE;
}
