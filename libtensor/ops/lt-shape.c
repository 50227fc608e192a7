/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "backends/lt-backend-private.h"

/*
 * Views (new shape and strides over the same storage: view, permute,
 * transpose, expand, squeeze, unsqueeze, select, narrow, slice), the copies
 * autograd sees (contiguous, cat, stack, to_dtype, to_device, copy_,
 * fill_), and their backward rules.
 */

static LtTensor *
make_view (LtOp                op,
           LtTensor           *self,
           const gint64       *shape,
           const gint64       *strides,
           guint               ndim,
           gint64              offset,
           const LtViewParams *vp,
           guint               overload)
{
  LtTensor *v = _lt_tensor_new_view (self, shape, strides, ndim, offset);
  LtGradFn *node = _lt_autograd_record (op, &self, 1);

  if (node)
    {
      if (vp)
        node->params.view = *vp;
      node->overload = overload;
      _lt_autograd_set_output (node, v);
    }
  return v;
}

/* PyTorch's rule for viewing (shape, strides) as @new_shape without a copy;
 * FALSE when the memory layout does not allow it. */
static gboolean
view_strides (LtTensor     *t,
              const gint64 *new_shape,
              guint         new_ndim,
              gint64       *new_strides)
{
  gint view_d = (gint) new_ndim - 1;
  gint64 chunk_base_stride, tensor_numel = 1, view_numel = 1;

  if (t->numel == 0 || t->ndim == 0)
    {
      _lt_shape_contiguous_strides (new_shape, new_ndim, new_strides);
      return TRUE;
    }
  chunk_base_stride = t->strides[t->ndim - 1];
  for (gint tensor_d = (gint) t->ndim - 1; tensor_d >= 0; tensor_d--)
    {
      tensor_numel *= t->shape[tensor_d];
      if (tensor_d == 0 ||
          (t->shape[tensor_d - 1] != 1 &&
           t->strides[tensor_d - 1] != tensor_numel * chunk_base_stride))
        {
          while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1))
            {
              new_strides[view_d] = view_numel * chunk_base_stride;
              view_numel *= new_shape[view_d];
              view_d--;
            }
          if (view_numel != tensor_numel)
            return FALSE;
          if (tensor_d > 0)
            {
              chunk_base_stride = t->strides[tensor_d - 1];
              tensor_numel = 1;
              view_numel = 1;
            }
        }
    }
  return view_d == -1;
}

/* Resolves one -1 in @shape against @t's number of elements; the sizes
 * must multiply to it within 64 bits (a product that wraps around to 0
 * would pass for an empty tensor's). */
static gboolean
infer_shape (const char   *op,
             LtTensor     *t,
             const gint64 *shape,
             gsize         n_dims,
             gint64       *out,
             GError      **error)
{
  gint infer = -1;
  gint64 known = 1, numel;

  if (n_dims > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: at most %d dimensions are supported",
                   op, LT_MAX_DIMS);
      return FALSE;
    }
  for (gsize i = 0; i < n_dims; i++)
    {
      out[i] = shape[i];
      if (shape[i] == -1)
        {
          if (infer >= 0)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                           "%s: only one dimension can be inferred (-1)", op);
              return FALSE;
            }
          infer = (gint) i;
          out[i] = 1;
        }
      else if (shape[i] < 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: invalid size %" G_GINT64_FORMAT,
                       op, shape[i]);
          return FALSE;
        }
    }
  if (!_lt_shape_numel (out, n_dims, &known, op, error))
    return FALSE;
  if (infer >= 0)
    {
      if (known == 0 || t->numel % known != 0)
        {
          g_autofree char *s1 = _lt_shape_to_string (shape, n_dims);
          g_autofree char *s2 = LT_SHAPE_STR (t);
          g_set_error (
            error, LT_ERROR, LT_ERROR_SHAPE,
            "%s: shape %s is invalid for a tensor of shape %s (%" G_GINT64_FORMAT " elements)%s",
            op, s1, s2, t->numel, known == 0 ? ": the size of -1 could be anything" : "");
          return FALSE;
        }
      out[infer] = t->numel / known;
    }
  if (!_lt_shape_numel (out, n_dims, &numel, op, error))
    return FALSE;
  if (numel != t->numel)
    {
      g_autofree char *s1 = _lt_shape_to_string (shape, n_dims);
      g_autofree char *s2 = LT_SHAPE_STR (t);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: shape %s is invalid for a tensor of shape %s (%" G_GINT64_FORMAT
                   " elements)", op, s1, s2, t->numel);
      return FALSE;
    }
  return TRUE;
}

/**
 * lt_tensor_view:
 * @self: a tensor
 * @shape: (array length=n_dims): the new shape; one size may be -1 to be
 *   inferred
 * @n_dims: the number of dimensions
 * @error: return location for a #GError
 *
 * Views the same elements with another shape, sharing storage, as
 * `x.view(...)`.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 *   when the number of elements differs or @self's strides do not allow
 *   the view (use lt_tensor_reshape(), which copies then)
 */
LtTensor *
lt_tensor_view (LtTensor     *self,
                const gint64 *shape,
                gsize         n_dims,
                GError      **error)
{
  gint64 s[LT_MAX_DIMS], st[LT_MAX_DIMS];

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!infer_shape ("view", self, shape, n_dims, s, error))
    return NULL;
  if (!view_strides (self, s, n_dims, st))
    {
      g_autofree char *s1 = _lt_shape_to_string (s, n_dims);
      g_autofree char *s2 = LT_SHAPE_STR (self);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "view: a tensor of shape %s with these strides cannot be viewed as %s "
                   "without a copy; call contiguous() first or use reshape()", s2, s1);
      return NULL;
    }
  return make_view (LT_OP_VIEW, self, s, st, n_dims, self->offset, NULL, 0);
}

/**
 * lt_tensor_reshape:
 * @self: a tensor
 * @shape: (array length=n_dims): the new shape; one size may be -1
 * @n_dims: the number of dimensions
 * @error: return location for a #GError
 *
 * Gives @self another shape: a view when the strides allow it, else a copy.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when the number of elements differs
 */
LtTensor *
lt_tensor_reshape (LtTensor     *self,
                   const gint64 *shape,
                   gsize         n_dims,
                   GError      **error)
{
  gint64 s[LT_MAX_DIMS], st[LT_MAX_DIMS];
  g_autoptr(LtTensor) c = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!infer_shape ("reshape", self, shape, n_dims, s, error))
    return NULL;
  if (view_strides (self, s, n_dims, st))
    return make_view (LT_OP_VIEW, self, s, st, n_dims, self->offset, NULL, 0);
  c = lt_tensor_clone (self, error);
  if (c == NULL)
    return NULL;
  return lt_tensor_view (c, s, n_dims, error);
}

/**
 * lt_tensor_flatten:
 * @self: a tensor
 * @start_dim: the first dimension to merge
 * @end_dim: the last dimension to merge (-1: the last one)
 * @error: return location for a #GError
 *
 * Merges dimensions @start_dim to @end_dim into one, as `x.flatten()`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_flatten (LtTensor *self,
                   gint      start_dim,
                   gint      end_dim,
                   GError  **error)
{
  guint s, e;
  gint64 shape[LT_MAX_DIMS];
  guint n = 0;
  gint64 merged = 1;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim == 0)
    {
      gint64 one = 1;
      return lt_tensor_reshape (self, &one, 1, error);
    }
  if (!_lt_normalize_dim (start_dim, self->ndim, &s, "flatten", error) ||
      !_lt_normalize_dim (end_dim, self->ndim, &e, "flatten", error))
    return NULL;
  if (s > e)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "flatten: start_dim (%d) comes after end_dim (%d)", start_dim, end_dim);
      return NULL;
    }
  for (guint d = 0; d < self->ndim; d++)
    {
      if (d < s || d > e)
        shape[n++] = self->shape[d];
      else
        {
          merged *= self->shape[d];
          if (d == e)
            shape[n++] = merged;
        }
    }
  return lt_tensor_reshape (self, shape, n, error);
}

/**
 * lt_tensor_permute:
 * @self: a tensor
 * @dims: (array length=n_dims): the new order of the dimensions
 * @n_dims: the number of dimensions (that of @self)
 * @error: return location for a #GError
 *
 * Reorders the dimensions, as `x.permute(...)`; a view.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 *   when @dims is not a permutation of @self's dimensions
 */
LtTensor *
lt_tensor_permute (LtTensor   *self,
                   const gint *dims,
                   gsize       n_dims,
                   GError    **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  gboolean seen[LT_MAX_DIMS] = { FALSE };
  LtViewParams vp = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (n_dims != self->ndim)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "permute: %" G_GSIZE_FORMAT " dims given for a tensor with %u dimensions",
                   n_dims, self->ndim);
      return NULL;
    }
  for (gsize i = 0; i < n_dims; i++)
    {
      guint d;

      if (!_lt_normalize_dim (dims[i], self->ndim, &d, "permute", error))
        return NULL;
      if (seen[d])
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX, "permute: dim %u repeats", d);
          return NULL;
        }
      seen[d] = TRUE;
      shape[i] = self->shape[d];
      strides[i] = self->strides[d];
      vp.perm[i] = d;
    }
  return make_view (LT_OP_PERMUTE, self, shape, strides, self->ndim, self->offset, &vp, 0);
}

static LtTensor *
transpose_impl (LtTensor *self, gint dim0, gint dim1, guint overload, GError **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint a, b;
  LtViewParams vp = { 0 };

  if (self->ndim == 0)
    return make_view (LT_OP_TRANSPOSE, self, NULL, NULL, 0, self->offset, &vp, overload);
  if (!_lt_normalize_dim (dim0, self->ndim, &a, "transpose", error) ||
      !_lt_normalize_dim (dim1, self->ndim, &b, "transpose", error))
    return NULL;
  memcpy (shape, self->shape, sizeof shape);
  memcpy (strides, self->strides, sizeof strides);
  shape[a] = self->shape[b];
  shape[b] = self->shape[a];
  strides[a] = self->strides[b];
  strides[b] = self->strides[a];
  vp.dim = a;
  vp.dim1 = b;
  return make_view (LT_OP_TRANSPOSE, self, shape, strides, self->ndim, self->offset, &vp, overload);
}

/**
 * lt_tensor_transpose:
 * @self: a tensor
 * @dim0: a dimension
 * @dim1: another dimension
 * @error: return location for a #GError
 *
 * Swaps two dimensions; a view.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 */
LtTensor *
lt_tensor_transpose (LtTensor *self,
                     gint      dim0,
                     gint      dim1,
                     GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return transpose_impl (self, dim0, dim1, 0, error);
}

/**
 * lt_tensor_t:
 * @self: a tensor of at most 2 dimensions
 * @error: return location for a #GError
 *
 * Transposes a matrix (a vector or a scalar is returned as is), as `x.t()`.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 *   for more than 2 dimensions
 */
LtTensor *
lt_tensor_t (LtTensor *self,
             GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim > 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "t: expects a tensor with at most 2 dimensions, this one has %u; use "
                   "transpose()", self->ndim);
      return NULL;
    }
  if (self->ndim < 2)
    return make_view (LT_OP_TRANSPOSE, self, self->shape, self->strides, self->ndim, self->offset,
                      NULL, 1 /* TBackward0 */);
  return transpose_impl (self, 0, 1, 1 /* TBackward0 */, error);
}

/**
 * lt_tensor_t_:
 * @self: a tensor of at most 2 dimensions
 * @error: return location for a #GError
 *
 * Transposes @self in place: its shape and strides swap, its elements stay
 * where they are.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_tensor_t_ (LtTensor *self,
              GError  **error)
{
  LtGradFn *node;
  gint64 t;
  LtViewParams vp = { .dim = 0, .dim1 = 1 };

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (self->ndim > 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "t_: expects a tensor with at most 2 dimensions, this one has %u", self->ndim);
      return FALSE;
    }
  if (!_lt_autograd_check_inplace (self, "t_", error))
    return FALSE;
  node = _lt_autograd_record (LT_OP_TRANSPOSE, &self, 1);
  if (self->ndim == 2)
    {
      t = self->shape[0];
      self->shape[0] = self->shape[1];
      self->shape[1] = t;
      t = self->strides[0];
      self->strides[0] = self->strides[1];
      self->strides[1] = t;
    }
  if (node)
    {
      node->params.view = vp;
      node->overload = 1; /* TBackward0 */
      _lt_autograd_set_output (node, self);
    }
  return TRUE;
}

/**
 * lt_tensor_unsqueeze:
 * @self: a tensor
 * @dim: where the new dimension goes, from -(n+1) to n
 * @error: return location for a #GError
 *
 * Inserts a dimension of size 1; a view. `x.unsqueeze(0)` adds the batch
 * dimension the layers expect.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 */
LtTensor *
lt_tensor_unsqueeze (LtTensor *self,
                     gint      dim,
                     GError  **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint d, k = 0;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim >= LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "unsqueeze: at most %d dimensions are supported",
                   LT_MAX_DIMS);
      return NULL;
    }
  if (!_lt_normalize_dim (dim, self->ndim + 1, &d, "unsqueeze", error))
    return NULL;
  for (guint i = 0; i <= self->ndim; i++)
    {
      if (i == d)
        {
          shape[i] = 1;
          strides[i] = d < self->ndim ? self->strides[d] * self->shape[d] : 1;
        }
      else
        {
          shape[i] = self->shape[k];
          strides[i] = self->strides[k];
          k++;
        }
    }
  return make_view (LT_OP_UNSQUEEZE, self, shape, strides, self->ndim + 1, self->offset, NULL, 0);
}

/**
 * lt_tensor_squeeze:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Removes every dimension of size 1; a view.
 *
 * Returns: (transfer full) (nullable): the view
 */
LtTensor *
lt_tensor_squeeze (LtTensor *self,
                   GError  **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint n = 0;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  for (guint i = 0; i < self->ndim; i++)
    if (self->shape[i] != 1)
      {
        shape[n] = self->shape[i];
        strides[n++] = self->strides[i];
      }
  return make_view (LT_OP_SQUEEZE, self, shape, strides, n, self->offset, NULL, 0);
}

/**
 * lt_tensor_squeeze_dim:
 * @self: a tensor
 * @dim: the dimension to remove if its size is 1
 * @error: return location for a #GError
 *
 * Removes dimension @dim when its size is 1 (otherwise the view has the
 * same shape).
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 */
LtTensor *
lt_tensor_squeeze_dim (LtTensor *self,
                       gint      dim,
                       GError  **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint d, n = 0;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!_lt_normalize_dim (dim, self->ndim, &d, "squeeze", error))
    return NULL;
  for (guint i = 0; i < self->ndim; i++)
    if (i != d || self->shape[i] != 1)
      {
        shape[n] = self->shape[i];
        strides[n++] = self->strides[i];
      }
  return make_view (LT_OP_SQUEEZE, self, shape, strides, n, self->offset, NULL,
                    1 /* SqueezeBackward1 */);
}

/**
 * lt_tensor_expand:
 * @self: a tensor
 * @shape: (array length=n_dims): the new shape; -1 keeps a size
 * @n_dims: the number of dimensions, at least @self's
 * @error: return location for a #GError
 *
 * Repeats dimensions of size 1 (and adds leading ones) without copying:
 * the view's expanded dimensions have stride 0.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 *   when a size other than 1 would change
 */
LtTensor *
lt_tensor_expand (LtTensor     *self,
                  const gint64 *shape,
                  gsize         n_dims,
                  GError      **error)
{
  gint64 s[LT_MAX_DIMS], st[LT_MAX_DIMS];
  guint lead;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (n_dims < self->ndim || n_dims > LT_MAX_DIMS)
    {
      g_autofree char *s1 = LT_SHAPE_STR (self);
      g_autofree char *s2 = _lt_shape_to_string (shape, n_dims);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "expand: a tensor of shape %s cannot be expanded to %s", s1, s2);
      return NULL;
    }
  lead = n_dims - self->ndim;
  for (guint i = 0; i < n_dims; i++)
    {
      if (i < lead)
        {
          if (shape[i] < 0)
            {
              g_autofree char *s1 = LT_SHAPE_STR (self);
              g_autofree char *s2 = _lt_shape_to_string (shape, n_dims);

              if (shape[i] == -1)
                g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                             "expand: -1 is not allowed for a new leading dimension (%u)", i);
              else
                g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                             "expand: the size %" G_GINT64_FORMAT " at dimension %u is "
                             "negative (shape %s to %s)",
                             shape[i], i, s1, s2);
              return NULL;
            }
          s[i] = shape[i];
          st[i] = 0;
          continue;
        }
      {
        gint64 cur = self->shape[i - lead];
        gint64 want = shape[i] == -1 ? cur : shape[i];

        if (cur == want)
          {
            s[i] = cur;
            st[i] = self->strides[i - lead];
          }
        else if (cur == 1 && want >= 0)
          {
            s[i] = want;
            st[i] = 0;
          }
        else
          {
            g_autofree char *s1 = LT_SHAPE_STR (self);
            g_autofree char *s2 = _lt_shape_to_string (shape, n_dims);

            if (want < 0)
              g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                           "expand: the size %" G_GINT64_FORMAT " at dimension %u is negative "
                           "(shape %s to %s)",
                           want, i, s1, s2);
            else
              g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                           "expand: the size %" G_GINT64_FORMAT " at dimension %u must be 1 to "
                           "expand it to %" G_GINT64_FORMAT " (shape %s to %s)",
                           cur, i, want, s1, s2);
            return NULL;
          }
      }
    }
  {
    gint64 numel;

    if (!_lt_shape_numel (s, n_dims, &numel, "expand", error))
      return NULL;
  }
  return make_view (LT_OP_EXPAND, self, s, st, n_dims, self->offset, NULL, 0);
}

/**
 * lt_tensor_expand_as:
 * @self: a tensor
 * @other: a tensor whose shape @self expands to
 * @error: return location for a #GError
 *
 * Expands @self to @other's shape.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 */
LtTensor *
lt_tensor_expand_as (LtTensor *self,
                     LtTensor *other,
                     GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  return lt_tensor_expand (self, other->shape, other->ndim, error);
}

/**
 * lt_tensor_contiguous:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Gets @self itself when its elements are in row-major order, else a
 * row-major copy.
 *
 * Returns: (transfer full) (nullable): @self or a copy
 */
LtTensor *
lt_tensor_contiguous (LtTensor *self,
                      GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (lt_tensor_is_contiguous (self))
    return g_object_ref (self);
  return lt_tensor_clone (self, error);
}

/**
 * lt_tensor_select:
 * @self: a tensor with at least one dimension
 * @dim: the dimension to index
 * @index: the position along @dim; negative values count from the end
 * @error: return location for a #GError
 *
 * Takes one slice along @dim, removing that dimension: `x[:, 1]` is
 * `select (x, 1, 1)`. A view.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 *   when @index is out of range
 */
LtTensor *
lt_tensor_select (LtTensor *self,
                  gint      dim,
                  gint64    index,
                  GError  **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint d, n = 0;
  gint64 size;
  LtViewParams vp = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim == 0)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INDEX,
                           "select: a tensor with no dimensions cannot be indexed");
      return NULL;
    }
  if (!_lt_normalize_dim (dim, self->ndim, &d, "select", error))
    return NULL;
  size = self->shape[d];
  if (index < -size || index >= size)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "select: index %" G_GINT64_FORMAT " is out of range for dimension %u of "
                   "size %" G_GINT64_FORMAT, index, d, size);
      return NULL;
    }
  if (index < 0)
    index += size;
  for (guint i = 0; i < self->ndim; i++)
    if (i != d)
      {
        shape[n] = self->shape[i];
        strides[n++] = self->strides[i];
      }
  vp.dim = d;
  vp.index = index;
  return make_view (LT_OP_SELECT, self, shape, strides, n, self->offset + index * self->strides[d],
                    &vp, 0);
}

/**
 * lt_tensor_unbind:
 * @self: a tensor with at least one dimension
 * @dim: the dimension to take apart; negative values count from the end
 * @error: return location for a #GError
 *
 * Takes every slice along @dim, each without that dimension, as
 * `torch.unbind`: the views lt_tensor_select() would give for each
 * position, recorded as one autograd node (`UnbindBackward0`) whose
 * gradient is the outputs' gradients put together in one tensor of
 * @self's shape, zeros for an output that got none. A loop that uses
 * every slice of a tensor once (a recurrent layer's time steps) costs one
 * gradient of @self's size this way, instead of one per slice.
 *
 * As for every view of a tensor that requires grad, in-place operations
 * on the outputs are errors. An output's hooks and lt_tensor_retain_grad()
 * see that output's own gradient.
 *
 * Returns: (transfer container) (element-type LtTensor): the slices, as
 *   many as @self has positions along @dim (none for a dimension of size
 *   0), or %NULL with @error set when @self has no dimensions or @dim is
 *   out of range
 */
GPtrArray *
lt_tensor_unbind (LtTensor *self, gint dim, GError **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint  d, n = 0;
  gint64 size;
  g_autoptr(GPtrArray) outs = NULL;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim == 0)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INDEX,
                           "unbind: a tensor with no dimensions cannot be taken apart");
      return NULL;
    }
  if (!_lt_normalize_dim (dim, self->ndim, &d, "unbind", error))
    return NULL;
  size = self->shape[d];
  if (size > G_MAXUINT)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "unbind: dimension %u has %" G_GINT64_FORMAT " positions, more outputs "
                   "than one call can give",
                   d, size);
      return NULL;
    }
  for (guint i = 0; i < self->ndim; i++)
    if (i != d)
      {
        shape[n] = self->shape[i];
        strides[n++] = self->strides[i];
      }
  outs = g_ptr_array_new_full ((guint) size, g_object_unref);
  for (gint64 k = 0; k < size; k++)
    g_ptr_array_add (
      outs, _lt_tensor_new_view (self, shape, strides, n, self->offset + k * self->strides[d]));
  node = _lt_autograd_record (LT_OP_UNBIND, &self, 1);
  if (node)
    _lt_autograd_set_slice_outputs (node, (LtTensor **) outs->pdata, outs->len, d);
  return g_steal_pointer (&outs);
}

/**
 * lt_tensor_slice:
 * @self: a tensor
 * @dim: the dimension to slice
 * @start: the first position (negative counts from the end; clamped)
 * @end: the position after the last (negative counts from the end; clamped)
 * @step: the distance between taken positions, at least 1
 * @error: return location for a #GError
 *
 * Takes positions @start, @start + @step, ... below @end along @dim, as
 * Python's `x[start:end:step]`. A view.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 */
LtTensor *
lt_tensor_slice (LtTensor *self,
                 gint      dim,
                 gint64    start,
                 gint64    end,
                 gint64    step,
                 GError  **error)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint d;
  gint64 size, len;
  LtViewParams vp = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim == 0)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INDEX,
                           "slice: a tensor with no dimensions cannot be sliced");
      return NULL;
    }
  if (!_lt_normalize_dim (dim, self->ndim, &d, "slice", error))
    return NULL;
  if (step <= 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "slice: the step must be positive, not %" G_GINT64_FORMAT, step);
      return NULL;
    }
  size = self->shape[d];
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  start = CLAMP (start, 0, size);
  end = CLAMP (end, start, size);
  /* ceil ((end - start) / step), without the overflow of end - start +
   * step - 1 for a step near 2^63 */
  len = end > start ? (end - start - 1) / step + 1 : 0;
  memcpy (shape, self->shape, sizeof shape);
  memcpy (strides, self->strides, sizeof strides);
  shape[d] = len;
  /* one position or none: any stride will do; the step's may not fit */
  if (len > 1 && __builtin_mul_overflow (self->strides[d], step, &strides[d]))
    {
      g_autofree char *s = LT_SHAPE_STR (self);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "slice: the step %" G_GINT64_FORMAT " times the stride %" G_GINT64_FORMAT
                   " of dimension %u (shape %s) does not fit in 64 bits",
                   step, self->strides[d], d, s);
      return NULL;
    }
  vp.dim = d;
  vp.start = start;
  vp.end = end;
  vp.step = step;
  return make_view (LT_OP_SLICE, self, shape, strides, self->ndim,
                    self->offset + start * self->strides[d], &vp, 0);
}

/**
 * lt_tensor_narrow:
 * @self: a tensor
 * @dim: the dimension to narrow
 * @start: the first position (negative counts from the end)
 * @length: the number of positions
 * @error: return location for a #GError
 *
 * Takes @length consecutive positions along @dim; a view.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 *   when the range does not fit
 */
LtTensor *
lt_tensor_narrow (LtTensor *self,
                  gint      dim,
                  gint64    start,
                  gint64    length,
                  GError  **error)
{
  guint d;
  gint64 size;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim == 0)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_INDEX,
                           "narrow: a tensor with no dimensions cannot be narrowed");
      return NULL;
    }
  if (!_lt_normalize_dim (dim, self->ndim, &d, "narrow", error))
    return NULL;
  size = self->shape[d];
  if (start < 0)
    start += size;
  if (start < 0 || length < 0 || start > size || length > size - start)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "narrow: %" G_GINT64_FORMAT " positions from %" G_GINT64_FORMAT
                   " do not fit in dimension %u of size %" G_GINT64_FORMAT,
                   length, start, d, size);
      return NULL;
    }
  return lt_tensor_slice (self, (gint) d, start, start + length, 1, error);
}

/* cat and stack */

static gboolean
check_cat_inputs (const char *op,
                  LtTensor  **tensors,
                  gsize       n,
                  GError    **error)
{
  if (n == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "%s: no tensors given", op);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    if (!LT_IS_TENSOR (tensors[i]))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "%s: element %" G_GSIZE_FORMAT " is not a tensor", op, i);
        return FALSE;
      }
  return _lt_check_devices (op, tensors, n, error);
}

/**
 * lt_cat:
 * @tensors: (array length=n_tensors): tensors of one number of dimensions
 *   whose shapes agree except along @dim
 * @n_tensors: the number of tensors
 * @dim: the dimension to join along
 * @error: return location for a #GError
 *
 * Joins tensors end to end along an existing dimension, as `torch.cat()`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_cat (LtTensor **tensors,
        gsize      n_tensors,
        gint       dim,
        GError   **error)
{
  LtTensor *first;
  guint d;
  gint64 shape[LT_MAX_DIMS];
  LtDType dt;
  gint64 offset = 0;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  if (!check_cat_inputs ("cat", tensors, n_tensors, error))
    return NULL;
  first = tensors[0];
  if (first->ndim == 0)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_SHAPE,
                           "cat: tensors with no dimensions cannot be joined; use stack()");
      return NULL;
    }
  if (!_lt_normalize_dim (dim, first->ndim, &d, "cat", error))
    return NULL;
  memcpy (shape, first->shape, sizeof shape);
  shape[d] = 0;
  dt = _lt_result_type (tensors, n_tensors);
  for (gsize i = 0; i < n_tensors; i++)
    {
      LtTensor *t = tensors[i];
      gboolean ok = t->ndim == first->ndim;

      for (guint k = 0; ok && k < t->ndim; k++)
        ok = k == d || t->shape[k] == first->shape[k];
      if (!ok)
        {
          g_autofree char *s1 = LT_SHAPE_STR (first);
          g_autofree char *s2 = LT_SHAPE_STR (t);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "cat: shapes %s and %s (tensor %" G_GSIZE_FORMAT ") differ outside "
                       "dimension %u", s1, s2, i, d);
          return NULL;
        }
      if (__builtin_add_overflow (shape[d], t->shape[d], &shape[d]))
        {
          g_set_error (
            error, LT_ERROR, LT_ERROR_SHAPE,
            "cat: the sizes along dimension %u add up past 64 bits (at tensor %" G_GSIZE_FORMAT ")",
            d, i);
          return NULL;
        }
    }
  if (!_lt_shape_check_alloc (shape, first->ndim, dt, "cat", error))
    return NULL;
  out = _lt_tensor_new_empty (shape, first->ndim, dt, first->storage->device, error);
  if (out == NULL)
    return NULL;
  for (gsize i = 0; i < n_tensors; i++)
    {
      LtTensor *t = tensors[i];
      gint64 st[LT_MAX_DIMS];
      g_autoptr(LtTensor) part = NULL;

      memcpy (st, out->strides, sizeof st);
      part = _lt_tensor_new_view (out, t->shape, st, t->ndim, offset * out->strides[d]);
      if (!_lt_copy_into (part, t, error))
        return NULL;
      offset += t->shape[d];
    }
  node = _lt_autograd_record (LT_OP_CAT, tensors, n_tensors);
  if (node)
    {
      node->params.view.dim = d;
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_stack:
 * @tensors: (array length=n_tensors): tensors of one shape
 * @n_tensors: the number of tensors
 * @dim: where the new dimension goes
 * @error: return location for a #GError
 *
 * Joins tensors along a new dimension, as `torch.stack()`.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_stack (LtTensor **tensors,
          gsize      n_tensors,
          gint       dim,
          GError   **error)
{
  LtTensor *first;
  guint d, k = 0;
  gint64 shape[LT_MAX_DIMS];
  LtDType dt;
  g_autoptr(LtTensor) out = NULL;
  LtGradFn *node;

  if (!check_cat_inputs ("stack", tensors, n_tensors, error))
    return NULL;
  first = tensors[0];
  if (first->ndim + 1 > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "stack: at most %d dimensions are supported",
                   LT_MAX_DIMS);
      return NULL;
    }
  if (!_lt_normalize_dim (dim, first->ndim + 1, &d, "stack", error))
    return NULL;
  for (gsize i = 1; i < n_tensors; i++)
    if (!_lt_shape_equal (tensors[i]->shape, tensors[i]->ndim, first->shape, first->ndim))
      {
        g_autofree char *s1 = LT_SHAPE_STR (first);
        g_autofree char *s2 = LT_SHAPE_STR (tensors[i]);
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "stack: every tensor needs the same shape, got %s and %s (tensor %"
                     G_GSIZE_FORMAT ")", s1, s2, i);
        return NULL;
      }
  for (guint i = 0; i <= first->ndim; i++)
    shape[i] = i == d ? (gint64) n_tensors : first->shape[k++];
  dt = _lt_result_type (tensors, n_tensors);
  if (!_lt_shape_check_alloc (shape, first->ndim + 1, dt, "stack", error))
    return NULL;
  out = _lt_tensor_new_empty (shape, first->ndim + 1, dt, first->storage->device, error);
  if (out == NULL)
    return NULL;
  for (gsize i = 0; i < n_tensors; i++)
    {
      gint64 st[LT_MAX_DIMS];
      guint n = 0;
      g_autoptr(LtTensor) part = NULL;

      for (guint j = 0; j <= first->ndim; j++)
        if (j != d)
          st[n++] = out->strides[j];
      part = _lt_tensor_new_view (out, first->shape, st, first->ndim, (gint64) i * out->strides[d]);
      if (!_lt_copy_into (part, tensors[i], error))
        return NULL;
    }
  node = _lt_autograd_record (LT_OP_STACK, tensors, n_tensors);
  if (node)
    {
      node->params.view.dim = d;
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_to_dtype:
 * @self: a tensor
 * @dtype: the element type wanted
 * @error: return location for a #GError
 *
 * Converts the elements to @dtype, as `x.to(dtype)`: @self itself when it
 * already has @dtype, else a copy. Floats convert to integers by
 * truncation.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
LtTensor *
lt_tensor_to_dtype (LtTensor *self,
                    LtDType   dtype,
                    GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail ((guint) dtype < LT_N_DTYPES, NULL);
  if (self->dtype == dtype)
    return g_object_ref (self);
  /* _lt_cast records the node (ToCopyBackward0) */
  return _lt_cast (self, dtype, error);
}

/**
 * lt_tensor_to_device:
 * @self: a tensor
 * @device: the device wanted
 * @error: return location for a #GError
 *
 * Moves the elements to @device, as `x.to(device)` or `x.cuda()`: @self
 * itself when it is already there, else a copy. A CUDA @device is
 * `cuda:0`; lt_tensor_to_device_index() names another.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   when @device was not built or is absent
 */
LtTensor *
lt_tensor_to_device (LtTensor *self,
                     LtDevice  device,
                     GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return _lt_tensor_move (self, device, error);
}

/**
 * lt_tensor_copy_:
 * @self: the tensor to overwrite
 * @src: the values, broadcastable to @self's shape, of any dtype and device
 * @error: return location for a #GError
 *
 * Copies @src into @self, converting the type, as `x.copy_(src)`. Writing
 * through a view writes into the tensor it views.
 *
 * Returns: %TRUE on success; %FALSE with @error set (and @self unchanged)
 */
gboolean
lt_tensor_copy_ (LtTensor *self,
                 LtTensor *src,
                 GError  **error)
{
  gint64 shape[LT_MAX_DIMS];
  guint ndim;
  g_autoptr(LtTensor) s = NULL;
  LtTensor *inputs[2] = { self, src };
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (src), FALSE);
  if (!_lt_shape_broadcast (src->shape, src->ndim, self->shape, self->ndim, shape, &ndim) ||
      !_lt_shape_equal (shape, ndim, self->shape, self->ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (src);
      g_autofree char *s2 = LT_SHAPE_STR (self);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "copy_: a source of shape %s does not broadcast to the shape %s of the "
                   "destination", s1, s2);
      return FALSE;
    }
  if (!_lt_check_writable (self, "copy_", error))
    return FALSE;
  if (src->storage == self->storage)
    s = _lt_clone_raw (src, error);
  else
    s = g_object_ref (src);
  if (s == NULL)
    return FALSE;
  node =
    _lt_dtype_is_float (self->dtype) ? _lt_autograd_record (LT_OP_INPLACE_COPY, inputs, 2) : NULL;
  if (!_lt_copy_into (self, s, error))
    {
      g_clear_object (&node);
      return FALSE;
    }
  _lt_tensor_bump_version (self);
  if (node)
    _lt_autograd_set_output (node, self);
  return TRUE;
}

/**
 * lt_tensor_fill_:
 * @self: the tensor to overwrite
 * @value: the value
 * @error: return location for a #GError
 *
 * Sets every element to @value.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_tensor_fill_ (LtTensor *self,
                 double    value,
                 GError  **error)
{
  LtOpParams p = { .fill = { value } };
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (!_lt_check_writable (self, "fill_", error))
    return FALSE;
  node = _lt_autograd_record (LT_OP_INPLACE_FILL, &self, 1);
  if (self->numel > 0 && !_lt_run (LT_OP_FILL, self, NULL, NULL, 0, &p, error))
    {
      g_clear_object (&node);
      return FALSE;
    }
  _lt_tensor_bump_version (self);
  if (node)
    _lt_autograd_set_output (node, self);
  return TRUE;
}

/**
 * lt_tensor_zero_:
 * @self: the tensor to overwrite
 * @error: return location for a #GError
 *
 * Sets every element to zero.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 */
gboolean
lt_tensor_zero_ (LtTensor *self,
                 GError  **error)
{
  return lt_tensor_fill_ (self, 0, error);
}

/* Backward rules */

gboolean
_lt_backward_view (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = lt_tensor_reshape (g, node->input_meta[0].shape, node->input_meta[0].ndim,
                                     error)) != NULL;
}

gboolean
_lt_backward_permute (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  gint inverse[LT_MAX_DIMS];
  guint n = node->input_meta[0].ndim;

  for (guint i = 0; i < n; i++)
    inverse[node->params.view.perm[i]] = (gint) i;
  return (gi[0] = lt_tensor_permute (g, inverse, n, error)) != NULL;
}

gboolean
_lt_backward_transpose (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (g->ndim < 2)
    return (gi[0] = g_object_ref (g)) != NULL;
  return (gi[0] = lt_tensor_transpose (g, (gint) node->params.view.dim,
                                       (gint) node->params.view.dim1, error)) != NULL;
}

gboolean
_lt_backward_expand (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* The engine sums the gradient down to the input's shape. */
  gi[0] = g_object_ref (g);
  return TRUE;
}

gboolean
_lt_backward_identity (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  gi[0] = g_object_ref (g);
  return TRUE;
}

/* Under create_graph: @g (with @dim) added into zeros of the input's shape
 * at positions start, start + step, ... along @dim, with index_add_, which
 * records its node: the double backward of select and slice. */
static gboolean
embed_with_graph (LtGradFn  *node,
                  LtTensor  *g,
                  gint       dim,
                  gint64     start,
                  gint64     step,
                  LtTensor **gi,
                  GError   **error)
{
  g_autoptr(LtTensor) z = _lt_zeros_meta (&node->input_meta[0], error);
  gint64 n = g->shape[dim];
  g_autoptr(LtTensor) idx = z ? lt_arange ((double) start, (double) (start + n * step),
                                            (double) step, LT_DTYPE_INT64, error)
                               : NULL;
  g_autoptr(LtTensor) on = idx ? lt_tensor_to_device (idx, z->storage->device, error) : NULL;

  if (on == NULL || !lt_tensor_index_add_ (z, dim, on, g, error))
    return FALSE;
  gi[0] = g_steal_pointer (&z);
  return TRUE;
}

gboolean
_lt_backward_select (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) part = NULL;

  if (g->requires_grad && _lt_creating_graph ())
    {
      gint dim = (gint) node->params.view.dim;
      g_autoptr(LtTensor) g1 = lt_tensor_unsqueeze (g, dim, error);

      return g1 && embed_with_graph (node, g1, dim, node->params.view.index, 1, gi, error);
    }
  z = _lt_zeros_meta (&node->input_meta[0], error);
  part =
    z ? lt_tensor_select (z, (gint) node->params.view.dim, node->params.view.index, error) : NULL;

  if (part == NULL || !_lt_copy_into (part, g, error))
    return FALSE;
  gi[0] = g_steal_pointer (&z);
  return TRUE;
}

gboolean
_lt_backward_slice (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  const LtViewParams *vp = &node->params.view;
  g_autoptr(LtTensor) z = NULL;
  g_autoptr(LtTensor) part = NULL;

  if (g->requires_grad && _lt_creating_graph ())
    return embed_with_graph (node, g, (gint) vp->dim, vp->start, vp->step, gi, error);
  z = _lt_zeros_meta (&node->input_meta[0], error);
  part = z ? lt_tensor_slice (z, (gint) vp->dim, vp->start, vp->end, vp->step, error) : NULL;
  if (part == NULL || !_lt_copy_into (part, g, error))
    return FALSE;
  gi[0] = g_steal_pointer (&z);
  return TRUE;
}

gboolean
_lt_backward_cat (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  guint d = node->params.view.dim;
  gint64 offset = 0;

  for (guint i = 0; i < node->n_inputs; i++)
    {
      gint64 len = node->input_meta[i].shape[d];

      if (LT_NEEDS (i) && (gi[i] = lt_tensor_narrow (g, (gint) d, offset, len, error)) == NULL)
        return FALSE;
      offset += len;
    }
  return TRUE;
}

gboolean
_lt_backward_stack (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  for (guint i = 0; i < node->n_inputs; i++)
    if (LT_NEEDS (i) &&
        (gi[i] = lt_tensor_select (g, (gint) node->params.view.dim, i, error)) == NULL)
      return FALSE;
  return TRUE;
}

gboolean
_lt_backward_inplace_copy (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (LT_NEEDS (0) && (gi[0] = lt_zeros_like (g, error)) == NULL)
    return FALSE;
  if (LT_NEEDS (1))
    gi[1] = g_object_ref (g);
  return TRUE;
}

gboolean
_lt_backward_inplace_fill (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = lt_zeros_like (g, error)) != NULL;
}
