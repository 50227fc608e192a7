/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"

/*
 * Indexing by index tensors (int64, or int32 converted) and masks: front
 * ends and backward rules. Kernels check every index before writing.
 */

static LtTensor *
index_tensor (const char *op,
              LtTensor   *index,
              LtDevice    device,
              GError    **error)
{
  g_autoptr(LtTensor) i64 = NULL;

  if (!lt_dtype_is_integral (index->dtype, FALSE))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the index must be an integer tensor, not %s", op,
                   lt_dtype_get_name (index->dtype));
      return NULL;
    }
  if (index->storage->device != device)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "%s: the index is on %s but the tensor is on %s", op,
                   lt_device_get_name (index->storage->device), lt_device_get_name (device));
      return NULL;
    }
  i64 = _lt_cast (index, LT_DTYPE_INT64, error);
  if (i64 == NULL)
    return NULL;
  return _lt_contiguous (i64, error);
}

/* A private copy of @t when it shares @dest's storage: an in-place kernel
 * writing @dest must not read indices or values it has already changed (an
 * index read after its own element was added to can point anywhere). */
static LtTensor *
unaliased (LtTensor *t, LtTensor *dest, GError **error)
{
  if (t->storage != dest->storage)
    return g_object_ref (t);
  return _lt_clone_raw (t, error);
}

/**
 * lt_tensor_index_select:
 * @self: a tensor
 * @dim: the dimension to index
 * @index: a 1-D (or 0-D) integer tensor of positions along @dim
 * @error: return location for a #GError
 *
 * Gathers the slices of @self at @index along @dim, as `x.index_select()`
 * and `x[[0, 2]]`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when an index is out of range
 */
LtTensor *
lt_tensor_index_select (LtTensor *self,
                        gint      dim,
                        LtTensor *index,
                        GError  **error)
{
  guint d;
  gint64 shape[LT_MAX_DIMS];
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtOpParams p;
  LtTensor *kin[2];
  LtGradFn *node;
  guint ndim = MAX (self->ndim, 1);

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (index), NULL);
  if (!_lt_normalize_dim (dim, self->ndim, &d, "index_select", error))
    return NULL;
  if (index->ndim > 1)
    {
      g_autofree char *s = LT_SHAPE_STR (index);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "index_select: the index must be 1-D, not of shape %s", s);
      return NULL;
    }
  idx = index_tensor ("index_select", index, self->storage->device, error);
  x = idx ? _lt_contiguous (self, error) : NULL;
  if (x == NULL)
    return NULL;
  if (self->ndim == 0 && idx->numel != 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "index_select: the index into a tensor with no dimensions must hold one "
                   "value, it holds %" G_GINT64_FORMAT, idx->numel);
      return NULL;
    }
  if (self->ndim == 0)
    shape[0] = idx->numel;
  else
    {
      memcpy (shape, self->shape, sizeof shape);
      shape[d] = idx->numel;
    }
  out = _lt_tensor_new_empty (shape, self->ndim == 0 ? 0 : ndim,
                              self->dtype, self->storage->device, error);
  if (out == NULL)
    return NULL;
  p.dim.dim = d;
  kin[0] = x;
  kin[1] = idx;
  if (!_lt_run (LT_OP_INDEX_SELECT, out, NULL, kin, 2, &p, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_INDEX_SELECT, &self, 1);
  if (node)
    {
      node->params = p;
      _lt_autograd_save_args (node, kin, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_index_add_:
 * @self: the tensor to add into
 * @dim: the dimension to index
 * @index: a 1-D integer tensor of positions along @dim
 * @source: the slices to add; its size along @dim is @index's length and
 *   its other sizes are @self's
 * @error: return location for a #GError
 *
 * Adds slice i of @source into the slice of @self at `index[i]`; repeated
 * indices add up.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_index_add_ (LtTensor *self,
                      gint      dim,
                      LtTensor *index,
                      LtTensor *source,
                      GError  **error)
{
  guint d;
  gint64 shape[LT_MAX_DIMS];
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) work = NULL;
  LtOpParams p;
  LtTensor *kin[3];
  LtTensor *inputs[2] = { self, source };
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (index), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (source), FALSE);
  if (!_lt_normalize_dim (dim, self->ndim, &d, "index_add_", error))
    return FALSE;
  if (!_lt_check_writable (self, "index_add_", error))
    return FALSE;
  idx = index_tensor ("index_add_", index, self->storage->device, error);
  if (idx == NULL)
    return FALSE;
  memcpy (shape, self->shape, sizeof shape);
  if (self->ndim > 0)
    shape[d] = idx->numel;
  if (index->ndim > 1 || !_lt_shape_equal (source->shape, source->ndim, shape, self->ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (source);
      g_autofree char *s2 = _lt_shape_to_string (shape, self->ndim);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "index_add_: the source has shape %s, expected %s", s1, s2);
      return FALSE;
    }
  src = _lt_cast (source, self->dtype, error);
  if (src == NULL)
    return FALSE;
  if (!lt_tensor_is_contiguous (src))
    {
      LtTensor *c = _lt_clone_raw (src, error);
      if (c == NULL)
        return FALSE;
      g_object_unref (src);
      src = c;
    }
  /* The kernel wants a contiguous destination: work on a copy when @self
   * is not, and copy back. */
  work = lt_tensor_is_contiguous (self) ? g_object_ref (self) : _lt_clone_raw (self, error);
  if (work == NULL)
    return FALSE;
  if (work == self)
    {
      LtTensor *i2 = unaliased (idx, self, error);
      LtTensor *s2 = i2 ? unaliased (src, self, error) : NULL;

      g_object_unref (idx);
      idx = i2;
      g_object_unref (src);
      src = s2;
      if (src == NULL)
        return FALSE;
    }
  p.dim.dim = d;
  kin[0] = work;
  kin[1] = idx;
  kin[2] = src;
  node = _lt_autograd_record (LT_OP_INDEX_ADD, inputs, 2);
  if (!_lt_run (LT_OP_INDEX_ADD, work, NULL, kin, 3, &p, error) ||
      (work != self && !_lt_copy_into (self, work, error)))
    {
      g_clear_object (&node);
      return FALSE;
    }
  _lt_tensor_bump_version (self);
  if (node)
    {
      node->params = p;
      _lt_autograd_save_args (node, kin, 3, NULL);
      _lt_autograd_set_output (node, self);
    }
  return TRUE;
}

static gboolean
check_gather_shapes (const char *op,
                     LtTensor   *self,
                     guint       d,
                     LtTensor   *index,
                     LtTensor   *src,
                     GError    **error)
{
  if (index->ndim != MAX (self->ndim, 1) && !(self->ndim == 0 && index->ndim == 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: the index needs as many dimensions as the tensor (%u), it has %u",
                   op, self->ndim, index->ndim);
      return FALSE;
    }
  for (guint k = 0; k < index->ndim; k++)
    {
      if ((k != d && k < self->ndim && index->shape[k] > self->shape[k]) ||
          (src && index->shape[k] > src->shape[k]))
        {
          g_autofree char *s1 = LT_SHAPE_STR (index);
          g_autofree char *s2 = LT_SHAPE_STR (self);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "%s: an index of shape %s does not fit a tensor of shape %s at dimension %u",
                       op, s1, s2, k);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lt_tensor_gather:
 * @self: a tensor
 * @dim: the dimension to index
 * @index: an integer tensor with @self's number of dimensions
 * @error: return location for a #GError
 *
 * Picks `out[i][j] = self[index[i][j]][j]` (for @dim 0), as
 * `torch.gather()`; the result has @index's shape.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_gather (LtTensor *self,
                  gint      dim,
                  LtTensor *index,
                  GError  **error)
{
  guint d;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtOpParams p;
  LtTensor *kin[2];
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (index), NULL);
  if (!_lt_normalize_dim (dim, self->ndim, &d, "gather", error) ||
      !check_gather_shapes ("gather", self, d, index, NULL, error))
    return NULL;
  idx = index_tensor ("gather", index, self->storage->device, error);
  if (idx == NULL)
    return NULL;
  out = _lt_tensor_new_empty (idx->shape, idx->ndim, self->dtype, self->storage->device, error);
  if (out == NULL)
    return NULL;
  p.dim.dim = d;
  kin[0] = self;
  kin[1] = idx;
  if (!_lt_run (LT_OP_GATHER, out, NULL, kin, 2, &p, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_GATHER, &self, 1);
  if (node)
    {
      node->params = p;
      _lt_autograd_save_args (node, kin, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/* The end of an index op that writes into @work, @self's copy or @self
 * itself (scatter_add, scatter, index_put): records @op's node over
 * @inputs (@self and the values), runs @op on @kin (@work, the indices, the
 * values) into @work and, for @inplace, copies it into @self when they
 * differ and bumps @self's version. The node keeps @params, @overload and
 * the saved @kin. Returns a new reference to the result. */
LtTensor *
_lt_index_write (LtOp              op,
                 LtTensor         *self,
                 LtTensor         *work,
                 gboolean          inplace,
                 LtTensor        **inputs,
                 LtTensor        **kin,
                 const LtOpParams *params,
                 guint             overload,
                 GError          **error)
{
  LtGradFn *node = _lt_autograd_record (op, inputs, 2);
  LtTensor *out;

  if (!_lt_run (op, work, NULL, kin, 3, params, error) ||
      (inplace && work != self && !_lt_copy_into (self, work, error)))
    {
      g_clear_object (&node);
      return NULL;
    }
  if (inplace)
    _lt_tensor_bump_version (self);
  out = g_object_ref (inplace ? self : work);
  if (node)
    {
      node->params = *params;
      node->overload = overload;
      _lt_autograd_save_args (node, kin, 3, NULL);
      _lt_autograd_set_output (node, out);
    }
  return out;
}

static LtTensor *
scatter_add_impl (LtTensor *self,
                  gint      dim,
                  LtTensor *index,
                  LtTensor *src,
                  gboolean  inplace,
                  GError  **error)
{
  guint d;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) csrc = NULL;
  g_autoptr(LtTensor) work = NULL;
  LtOpParams p;
  LtTensor *kin[3];
  LtTensor  *inputs[2] = { self, src };

  if (!_lt_normalize_dim (dim, self->ndim, &d, "scatter_add", error) ||
      !check_gather_shapes ("scatter_add", self, d, index, src, error))
    return NULL;
  if (src->ndim != index->ndim)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "scatter_add: the source needs as many dimensions as the index (%u), it has %u",
                   index->ndim, src->ndim);
      return NULL;
    }
  if (inplace && !_lt_check_writable (self, "scatter_add_", error))
    return NULL;
  idx = index_tensor ("scatter_add", index, self->storage->device, error);
  csrc = idx ? _lt_cast (src, self->dtype, error) : NULL;
  if (csrc == NULL)
    return NULL;
  work = (inplace && lt_tensor_is_contiguous (self)) ? g_object_ref (self)
                                                     : _lt_clone_raw (self, error);
  if (work == NULL)
    return NULL;
  if (work == self)
    {
      LtTensor *i2 = unaliased (idx, self, error);
      LtTensor *s2 = i2 ? unaliased (csrc, self, error) : NULL;

      g_object_unref (idx);
      idx = i2;
      g_object_unref (csrc);
      csrc = s2;
      if (csrc == NULL)
        return NULL;
    }
  p.dim.dim = d;
  kin[0] = work;
  kin[1] = idx;
  kin[2] = csrc;
  return _lt_index_write (LT_OP_SCATTER_ADD, self, work, inplace, inputs, kin, &p, 0, error);
}

/**
 * lt_tensor_scatter_add:
 * @self: a tensor
 * @dim: the dimension to index
 * @index: an integer tensor with @self's number of dimensions
 * @src: the values to add, at least @index's size in every dimension
 * @error: return location for a #GError
 *
 * Adds `src[i][j]` into `out[index[i][j]][j]` (for @dim 0) on a copy of
 * @self, as `torch.scatter_add()`; repeated indices add up.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_scatter_add (LtTensor *self,
                       gint      dim,
                       LtTensor *index,
                       LtTensor *src,
                       GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (index), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (src), NULL);
  return scatter_add_impl (self, dim, index, src, FALSE, error);
}

/**
 * lt_tensor_scatter_add_:
 * @self: the tensor to add into
 * @dim: the dimension to index
 * @index: an integer tensor with @self's number of dimensions
 * @src: the values to add
 * @error: return location for a #GError
 *
 * The in-place form of lt_tensor_scatter_add().
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_scatter_add_ (LtTensor *self,
                        gint      dim,
                        LtTensor *index,
                        LtTensor *src,
                        GError  **error)
{
  g_autoptr(LtTensor) r = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (index), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (src), FALSE);
  r = scatter_add_impl (self, dim, index, src, TRUE, error);
  return r != NULL;
}

static gboolean
broadcast_mask (const char *op,
                LtTensor   *self,
                LtTensor   *mask,
                LtTensor  **bx,
                LtTensor  **bm,
                GError    **error)
{
  gint64 shape[LT_MAX_DIMS];
  guint ndim;
  g_autoptr(LtTensor) ex = NULL;
  g_autoptr(LtTensor) em = NULL;

  if (mask->dtype != LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE, "%s: the mask must be a bool tensor, not %s",
                   op, lt_dtype_get_name (mask->dtype));
      return FALSE;
    }
  if (!_lt_shape_broadcast (self->shape, self->ndim, mask->shape, mask->ndim, shape, &ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (self);
      g_autofree char *s2 = LT_SHAPE_STR (mask);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: shapes %s and %s (mask) cannot be broadcast", op, s1, s2);
      return FALSE;
    }
  {
    gboolean prev = lt_set_grad_enabled (FALSE);

    ex = lt_tensor_expand (self, shape, ndim, error);
    em = ex ? lt_tensor_expand (mask, shape, ndim, error) : NULL;
    lt_set_grad_enabled (prev);
  }
  if (em == NULL)
    return FALSE;
  *bx = _lt_contiguous (ex, error);
  if (*bx == NULL)
    return FALSE;
  *bm = _lt_contiguous (em, error);
  return *bm != NULL;
}

/**
 * lt_tensor_masked_select:
 * @self: a tensor
 * @mask: a bool tensor whose shape broadcasts with @self's
 * @error: return location for a #GError
 *
 * Gets the elements of @self where @mask is true, as a 1-D tensor in
 * row-major order (`x[mask]`).
 *
 * Returns: (transfer full) (nullable): the selected elements
 */
LtTensor *
lt_tensor_masked_select (LtTensor *self,
                         LtTensor *mask,
                         GError  **error)
{
  g_autoptr(LtTensor) bx = NULL;
  g_autoptr(LtTensor) bm = NULL;
  g_autoptr(LtTensor) count = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64 n;
  LtTensor *kin[2];
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (mask), NULL);
  if (!broadcast_mask ("masked_select", self, mask, &bx, &bm, error))
    return NULL;
  {
    gboolean prev = lt_set_grad_enabled (FALSE);
    count = lt_tensor_sum (bm, error);
    lt_set_grad_enabled (prev);
  }
  if (count == NULL || !lt_tensor_item_int64 (count, &n, error))
    return NULL;
  out = _lt_tensor_new_empty (&n, 1, self->dtype, self->storage->device, error);
  if (out == NULL)
    return NULL;
  kin[0] = bx;
  kin[1] = bm;
  if (!_lt_run (LT_OP_MASKED_SELECT, out, NULL, kin, 2, NULL, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_MASKED_SELECT, &self, 1);
  if (node)
    {
      _lt_autograd_save_args (node, kin, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_masked_scatter:
 * @self: a tensor
 * @mask: a bool tensor whose shape broadcasts to @self's
 * @source: the values to write, in order, where @mask is true
 * @error: return location for a #GError
 *
 * Copies @self and writes consecutive elements of @source where @mask is
 * true: the inverse of lt_tensor_masked_select().
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when @source has too few elements
 */
LtTensor *
lt_tensor_masked_scatter (LtTensor *self,
                          LtTensor *mask,
                          LtTensor *source,
                          GError  **error)
{
  g_autoptr(LtTensor) bx = NULL;
  g_autoptr(LtTensor) bm = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) src = NULL;
  LtTensor *kin[2];
  LtTensor *inputs[2] = { self, source };
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (mask), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (source), NULL);
  if (!broadcast_mask ("masked_scatter", self, mask, &bx, &bm, error))
    return NULL;
  if (!_lt_shape_equal (bx->shape, bx->ndim, self->shape, self->ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (mask);
      g_autofree char *s2 = LT_SHAPE_STR (self);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "masked_scatter: the mask of shape %s does not broadcast to %s", s1, s2);
      return NULL;
    }
  out = _lt_clone_raw (bx, error);
  src = out ? _lt_cast (source, self->dtype, error) : NULL;
  if (src && !lt_tensor_is_contiguous (src))
    {
      LtTensor *c = _lt_clone_raw (src, error);
      g_object_unref (src);
      src = c;
    }
  if (src == NULL)
    return NULL;
  kin[0] = bm;
  kin[1] = src;
  if (!_lt_run (LT_OP_MASKED_SCATTER, out, NULL, kin, 2, NULL, error))
    return NULL;
  node = _lt_autograd_record (LT_OP_MASKED_SCATTER, inputs, 2);
  if (node)
    {
      _lt_autograd_save_args (node, kin, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_one_hot:
 * @self: an int64 tensor of class indices
 * @num_classes: the number of classes, or -1 for the largest index + 1
 * @error: return location for a #GError
 *
 * Encodes class indices as one-hot rows, as
 * `torch.nn.functional.one_hot()`: the result has one more dimension, of
 * size @num_classes, and dtype int64.
 *
 * Returns: (transfer full) (nullable): the encoding, or %NULL with @error
 *   set when an index is outside [0, @num_classes), when @num_classes is
 *   below -1, or when the result would not fit in memory
 */
LtTensor *
lt_tensor_one_hot (LtTensor *self,
                   gint64    num_classes,
                   GError  **error)
{
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64 shape[LT_MAX_DIMS];
  LtOpParams p;
  LtTensor *kin[1];

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->dtype != LT_DTYPE_INT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "one_hot: the classes must be an int64 tensor, not %s",
                   lt_dtype_get_name (self->dtype));
      return NULL;
    }
  if (self->ndim + 1 > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "one_hot: too many dimensions");
      return NULL;
    }
  if (num_classes < -1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "one_hot: the number of classes must be -1 (the largest index + 1) or "
                   "not negative, not %" G_GINT64_FORMAT,
                   num_classes);
      return NULL;
    }
  x = _lt_contiguous (self, error);
  if (x == NULL)
    return NULL;
  if (num_classes < 0)
    {
      g_autoptr(LtTensor) m = NULL;
      gint64 v = -1;

      if (self->numel == 0)
        {
          g_set_error_literal (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                               "one_hot: cannot infer the number of classes of an empty tensor");
          return NULL;
        }
      m = lt_tensor_max (x, error);
      if (m == NULL || !lt_tensor_item_int64 (m, &v, error))
        return NULL;
      if (v < 0 || v == G_MAXINT64)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                       "one_hot: the largest class %" G_GINT64_FORMAT " gives no number of "
                       "classes",
                       v);
          return NULL;
        }
      num_classes = v + 1;
    }
  memcpy (shape, self->shape, self->ndim * sizeof (gint64));
  shape[self->ndim] = num_classes;
  if (!_lt_shape_check_alloc (shape, self->ndim + 1, LT_DTYPE_INT64, "one_hot", error))
    return NULL;
  out = _lt_tensor_new_empty (shape, self->ndim + 1, LT_DTYPE_INT64, self->storage->device, error);
  if (out == NULL)
    return NULL;
  p.one_hot.num_classes = num_classes;
  kin[0] = x;
  if (!_lt_run (LT_OP_ONE_HOT, out, NULL, kin, 1, &p, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* Backward rules */

gboolean
_lt_backward_index_select (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (idx, ARG1);
  g_autoptr(LtTensor) z = _lt_zeros_meta (&node->input_meta[0], error);
  g_autoptr(LtTensor) gc = z ? _lt_contiguous (g, error) : NULL;

  if (gc == NULL)
    return FALSE;
  if (z->ndim == 0)
    {
      gi[0] = lt_tensor_sum (gc, error);
      return gi[0] != NULL;
    }
  if (gc->ndim != z->ndim)
    {
      LtTensor *r = lt_tensor_reshape (gc, &idx->numel, 1, error);
      if (r == NULL)
        return FALSE;
      g_object_unref (gc);
      gc = r;
    }
  if (!lt_tensor_index_add_ (z, (gint) node->params.dim.dim, idx, gc, error))
    return FALSE;
  gi[0] = g_steal_pointer (&z);
  return TRUE;
}

gboolean
_lt_backward_index_add (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (LT_NEEDS (0))
    gi[0] = g_object_ref (g);
  if (LT_NEEDS (1))
    {
      LT_SAVED (idx, ARG1);
      if ((gi[1] = lt_tensor_index_select (g, (gint) node->params.dim.dim, idx, error)) == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
_lt_backward_gather (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (idx, ARG1);
  g_autoptr(LtTensor) z = _lt_zeros_meta (&node->input_meta[0], error);

  return z && (gi[0] = lt_tensor_scatter_add (z, (gint) node->params.dim.dim, idx, g, error)) != NULL;
}

gboolean
_lt_backward_scatter_add (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (LT_NEEDS (0))
    gi[0] = g_object_ref (g);
  if (LT_NEEDS (1))
    {
      LT_SAVED (idx, ARG1);
      g_autoptr(LtTensor) picked = lt_tensor_gather (g, (gint) node->params.dim.dim, idx, error);

      if (picked == NULL)
        return FALSE;
      /* the source may be larger than the index: pad the rest with 0 */
      if (!_lt_shape_equal (picked->shape, picked->ndim, node->input_meta[1].shape,
                            node->input_meta[1].ndim))
        {
          g_autoptr(LtTensor) z = _lt_zeros_meta (&node->input_meta[1], error);
          g_autoptr(LtTensor) part = NULL;

          if (z == NULL)
            return FALSE;
          part = g_object_ref (z);
          for (guint d = 0; d < picked->ndim; d++)
            {
              LtTensor *n = lt_tensor_narrow (part, (gint) d, 0, picked->shape[d], error);
              if (n == NULL)
                return FALSE;
              g_object_unref (part);
              part = n;
            }
          if (!_lt_copy_into (part, picked, error))
            return FALSE;
          gi[1] = g_steal_pointer (&z);
        }
      else
        gi[1] = g_steal_pointer (&picked);
    }
  return TRUE;
}

gboolean
_lt_backward_masked_select (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (mask, ARG1);
  g_autoptr(LtTensor) z = lt_zeros (mask->shape, mask->ndim, node->input_meta[0].dtype, error);

  return z && (gi[0] = lt_tensor_masked_scatter (z, mask, g, error)) != NULL;
}

gboolean
_lt_backward_masked_scatter (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (mask, ARG0);
  if (LT_NEEDS (0) && (gi[0] = lt_tensor_masked_fill (g, mask, 0.0, error)) == NULL)
    return FALSE;
  if (LT_NEEDS (1))
    {
      /* the selected gradient, then zeros for the unused source elements */
      g_autoptr(LtTensor) sel = lt_tensor_masked_select (g, mask, error);
      g_autoptr(LtTensor) z = sel ? _lt_zeros_meta (&node->input_meta[1], error) : NULL;
      g_autoptr(LtTensor) flat = NULL;
      g_autoptr(LtTensor) part = NULL;
      gint64 n;

      if (z == NULL)
        return FALSE;
      n = z->numel;
      flat = lt_tensor_reshape (z, &n, 1, error);
      part = flat ? lt_tensor_narrow (flat, 0, 0, sel->numel, error) : NULL;
      if (part == NULL || !_lt_copy_into (part, sel, error))
        return FALSE;
      gi[1] = g_steal_pointer (&z);
    }
  return TRUE;
}
