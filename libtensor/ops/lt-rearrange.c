/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-backward-private.h"

/*
 * Ops that rearrange elements, after PyTorch's: tril, triu, flip, roll,
 * repeat (each a node of its own over public ops: masked_fill,
 * index_select, narrow and cat, expand and copies), the diagonal view,
 * and compositions whose gradient flows through the ops they run
 * (repeat_interleave: index_select, as PyTorch's; diag, trace, outer,
 * cross). einsum is in lt-einsum.c.
 */

/* arange(start, end, step) as int64 on @device */
static LtTensor *
arange_on (gint64 start, gint64 end, gint64 step, LtDevice device, GError **error)
{
  g_autoptr(LtTensor) a =
               lt_arange ((double) start, (double) end, (double) step, LT_DTYPE_INT64, error);

  if (a == NULL || device == LT_DEVICE_CPU)
    return g_steal_pointer (&a);
  return lt_tensor_to_device (a, device, error);
}

static LtTensor *
zeros_on (const gint64 *shape, guint ndim, LtDType dtype, LtDevice device, GError **error)
{
  g_autoptr(LtTensor) z = lt_zeros (shape, ndim, dtype, error);

  if (z == NULL || device == LT_DEVICE_CPU)
    return g_steal_pointer (&z);
  return lt_tensor_to_device (z, device, error);
}

typedef enum
{
  BAND_ABOVE,
  BAND_BELOW,
  BAND_OFF
} Band;

/* A bool (rows, cols) mask on @device, true where element (i, j) is to be
 * zeroed: j - i > k (BAND_ABOVE, tril), j - i < k (BAND_BELOW, triu),
 * j - i != k (BAND_OFF, off the diagonal k) */
static LtTensor *
band_mask (gint64 rows, gint64 cols, gint64 k, Band band, LtDevice device, GError **error)
{
  gint64 col_shape[2] = { rows, 1 };
  g_autoptr(LtTensor) i = lt_arange (0, (double) rows, 1, LT_DTYPE_INT64, error);
  g_autoptr(LtTensor) j = i ? lt_arange (0, (double) cols, 1, LT_DTYPE_INT64, error) : NULL;
  g_autoptr(LtTensor) ic = j ? lt_tensor_reshape (i, col_shape, 2, error) : NULL;
  g_autoptr(LtTensor) diff = ic ? lt_tensor_sub (j, ic, error) : NULL;
  g_autoptr(LtTensor) mask = NULL;

  if (diff == NULL)
    return NULL;
  switch (band)
    {
      case BAND_ABOVE:
        mask = lt_tensor_gt_scalar (diff, (double) k, error);
        break;
      case BAND_BELOW:
        mask = lt_tensor_lt_scalar (diff, (double) k, error);
        break;
      default:
        mask = lt_tensor_ne_scalar (diff, (double) k, error);
        break;
    }
  if (mask == NULL || device == LT_DEVICE_CPU)
    return g_steal_pointer (&mask);
  return lt_tensor_to_device (mask, device, error);
}

/* @t with the elements of its last two dims outside the band zeroed */
static LtTensor *
band_zero (LtTensor *t, gint64 k, Band band, GError **error)
{
  g_autoptr(LtTensor) mask = band_mask (t->shape[t->ndim - 2], t->shape[t->ndim - 1], k, band,
                                         t->storage->device, error);

  return mask ? lt_tensor_masked_fill (t, mask, 0.0, error) : NULL;
}

/* Records @op's node for @out computed from @x, with @rp */
static void
record (LtOp op, LtTensor *x, LtTensor *out, const LtRearrangeParams *rp)
{
  LtGradFn *node = _lt_autograd_record (op, &x, 1);

  if (node)
    {
      node->params.rearrange = *rp;
      _lt_autograd_set_output (node, out);
    }
}

static LtTensor *
tril_triu (LtOp op, LtTensor *x, gint64 k, GError **error)
{
  LtRearrangeParams rp = { .k = k };
  LtTensor         *out;
  gboolean          prev;

  if (x->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: dimension out of range: the input must have at least 2 dimensions, "
                   "not %u",
                   _lt_op_table[op].name, x->ndim);
      return NULL;
    }
  prev = lt_set_grad_enabled (FALSE);
  out = band_zero (x, k, op == LT_OP_TRIL ? BAND_ABOVE : BAND_BELOW, error);
  lt_set_grad_enabled (prev);
  if (out)
    record (op, x, out, &rp);
  return out;
}

/**
 * lt_tensor_tril:
 * @self: a tensor of at least 2 dimensions (a matrix or a batch of them)
 * @diagonal: the last diagonal kept: 0 the main one, positive above it,
 *   negative below
 * @error: return location for a #GError
 *
 * The lower triangle of each matrix of the last two dims, the other
 * elements zeroed, as `x.tril (diagonal)`.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set when @self has fewer than 2 dimensions
 */
LtTensor *
lt_tensor_tril (LtTensor *self, gint64 diagonal, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return tril_triu (LT_OP_TRIL, self, diagonal, error);
}

/**
 * lt_tensor_triu:
 * @self: a tensor of at least 2 dimensions (a matrix or a batch of them)
 * @diagonal: the first diagonal kept: 0 the main one, positive above it,
 *   negative below
 * @error: return location for a #GError
 *
 * The upper triangle of each matrix of the last two dims, the other
 * elements zeroed, as `x.triu (diagonal)`.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set when @self has fewer than 2 dimensions
 */
LtTensor *
lt_tensor_triu (LtTensor *self, gint64 diagonal, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return tril_triu (LT_OP_TRIU, self, diagonal, error);
}

/* Normalises @dims into @rp->dims, refusing repeats */
static gboolean
parse_dims (LtTensor          *x,
            const gint        *dims,
            gsize              n_dims,
            LtRearrangeParams *rp,
            const char        *op,
            GError           **error)
{
  if (n_dims > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: %" G_GSIZE_FORMAT " dims given, a tensor has at most %d", op, n_dims,
                   LT_MAX_DIMS);
      return FALSE;
    }
  rp->n = 0;
  for (gsize i = 0; i < n_dims; i++)
    {
      guint d;

      if (!_lt_normalize_dim (dims[i], x->ndim, &d, op, error))
        return FALSE;
      for (guint j = 0; j < rp->n; j++)
        if (rp->dims[j] == d)
          {
            g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                         "%s: dim %u appears more than once in the list of dims", op, d);
            return FALSE;
          }
      rp->dims[rp->n++] = d;
    }
  return TRUE;
}

static LtTensor *
flip_impl (LtTensor *x, const LtRearrangeParams *rp, GError **error)
{
  g_autoptr(LtTensor) y = g_object_ref (x);
  LtTensor *out;
  gboolean  prev = lt_set_grad_enabled (FALSE);

  for (guint i = 0; i < rp->n && y && x->ndim > 0; i++)
    {
      gint64 n = x->shape[rp->dims[i]];
      g_autoptr(LtTensor) idx = NULL;
      LtTensor *next;

      if (n < 2)
        continue;
      idx = arange_on (n - 1, -1, -1, x->storage->device, error);
      next = idx ? lt_tensor_index_select (y, (gint) rp->dims[i], idx, error) : NULL;
      g_object_unref (y);
      y = next;
    }
  out = y == NULL ? NULL : y == x ? lt_tensor_clone (x, error) : g_steal_pointer (&y);
  lt_set_grad_enabled (prev);
  if (out)
    record (LT_OP_FLIP, x, out, rp);
  return out;
}

/**
 * lt_tensor_flip:
 * @self: a tensor
 * @dims: (array length=n_dims): the dimensions to reverse, negative values
 *   counting from the end
 * @n_dims: the number of dimensions in @dims
 * @error: return location for a #GError
 *
 * Reverses the order of the elements along @dims, as `x.flip (dims)`. A
 * copy, as PyTorch's.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set for a dimension out of range or repeated
 */
LtTensor *
lt_tensor_flip (LtTensor *self, const gint *dims, gsize n_dims, GError **error)
{
  LtRearrangeParams rp = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!parse_dims (self, dims, n_dims, &rp, "flip", error))
    return NULL;
  return flip_impl (self, &rp, error);
}

/* @y rolled by @s along @d: cat of its last s and first n - s elements */
static LtTensor *
roll_one (LtTensor *y, guint d, gint64 s, GError **error)
{
  gint64 n = y->shape[d];
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;
  LtTensor *parts[2];

  if (n == 0 || (s = ((s % n) + n) % n) == 0)
    return g_object_ref (y);
  a = lt_tensor_narrow (y, (gint) d, n - s, s, error);
  b = a ? lt_tensor_narrow (y, (gint) d, 0, n - s, error) : NULL;
  if (b == NULL)
    return NULL;
  parts[0] = a;
  parts[1] = b;
  return lt_cat (parts, 2, (gint) d, error);
}

static LtTensor *
roll_impl (LtTensor *x, const LtRearrangeParams *rp, GError **error)
{
  g_autoptr(LtTensor) y = NULL;
  LtTensor *out = NULL;
  gboolean  prev = lt_set_grad_enabled (FALSE);

  if (rp->n == 0)
    {
      gint64 n = x->numel;
      g_autoptr(LtTensor) flat = lt_tensor_reshape (x, &n, 1, error);
      g_autoptr(LtTensor) r = flat ? roll_one (flat, 0, rp->sizes[0], error) : NULL;

      y = r ? lt_tensor_reshape (r, x->shape, x->ndim, error) : NULL;
    }
  else
    {
      y = g_object_ref (x);
      for (guint i = 0; i < rp->n && y; i++)
        {
          LtTensor *next = roll_one (y, rp->dims[i], rp->sizes[i], error);

          g_object_unref (y);
          y = next;
        }
    }
  if (y)
    out = y == x || y->storage == x->storage ? lt_tensor_clone (y, error) : g_steal_pointer (&y);
  lt_set_grad_enabled (prev);
  if (out)
    record (LT_OP_ROLL, x, out, rp);
  return out;
}

/**
 * lt_tensor_roll:
 * @self: a tensor
 * @shifts: (array length=n_shifts): how far to move the elements along each
 *   of @dims (positive: towards the end); elements moved past the end come
 *   back at the start
 * @n_shifts: the number of shifts; as many as @n_dims, or one without dims
 * @dims: (array length=n_dims) (nullable): the dimensions to roll; none: the
 *   tensor flattened, then given its shape back
 * @n_dims: the number of dimensions in @dims
 * @error: return location for a #GError
 *
 * Rolls the elements along dimensions, as `x.roll (shifts, dims)`. A copy.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set when the numbers of shifts and dims differ, or for a dimension out
 *   of range
 */
LtTensor *
lt_tensor_roll (LtTensor     *self,
                const gint64 *shifts,
                gsize         n_shifts,
                const gint   *dims,
                gsize         n_dims,
                GError      **error)
{
  LtRearrangeParams rp = { 0 };

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if ((n_dims == 0 && n_shifts != 1) || (n_dims > 0 && n_shifts != n_dims))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "roll: shifts and dimensions must align: %" G_GSIZE_FORMAT
                   " shifts, %" G_GSIZE_FORMAT " dims",
                   n_shifts, n_dims);
      return NULL;
    }
  if (!parse_dims (self, dims, n_dims, &rp, "roll", error))
    return NULL;
  for (gsize i = 0; i < n_shifts; i++)
    rp.sizes[i] = shifts[i];
  return roll_impl (self, &rp, error);
}

/**
 * lt_tensor_repeat:
 * @self: a tensor
 * @repeats: (array length=n_repeats): how many times to repeat the tensor
 *   along each dimension; more than @self has dimensions adds leading ones
 * @n_repeats: the number of repeats, at least the number of dimensions of
 *   @self
 * @error: return location for a #GError
 *
 * Tiles the tensor, as `x.repeat (repeats)`: dimension i of the result has
 * `repeats[i]` times the size of @self's (after leading dimensions of size
 * 1 are added). A copy.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set for fewer repeats than dimensions or a negative repeat
 */
LtTensor *
lt_tensor_repeat (LtTensor *self, const gint64 *repeats, gsize n_repeats, GError **error)
{
  LtRearrangeParams rp = { 0 };
  gint64            shape[LT_MAX_DIMS];
  g_autoptr(LtTensor) y = NULL;
  LtTensor *out = NULL;
  gboolean  prev;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (n_repeats < self->ndim || n_repeats > LT_MAX_DIMS - 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "repeat: %" G_GSIZE_FORMAT " repeats for a tensor of %u dimensions: the "
                   "number of repeats can not be smaller than the number of dimensions of "
                   "the tensor (nor over %d)",
                   n_repeats, self->ndim, LT_MAX_DIMS - 1);
      return NULL;
    }
  for (gsize i = 0; i < n_repeats; i++)
    if (repeats[i] < 0)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                     "repeat: repeat %" G_GINT64_FORMAT " of dimension %" G_GSIZE_FORMAT
                     " is negative",
                     repeats[i], i);
        return NULL;
      }
  rp.n = (guint) n_repeats;
  for (guint i = 0; i < rp.n; i++)
    {
      guint lead = rp.n - self->ndim;

      rp.sizes[i] = repeats[i];
      shape[i] = i < lead ? 1 : self->shape[i - lead];
    }
  prev = lt_set_grad_enabled (FALSE);
  y = lt_tensor_reshape (self, shape, rp.n, error);
  for (guint i = 0; i < rp.n && y; i++)
    {
      gint64 wide[LT_MAX_DIMS], merged[LT_MAX_DIMS];
      g_autoptr(LtTensor) u = NULL;
      g_autoptr(LtTensor) e = NULL;
      g_autoptr(LtTensor) c = NULL;

      if (rp.sizes[i] == 1)
        continue;
      /* (..., s_i, ...) -> (..., r_i, s_i, ...) -> (..., r_i * s_i, ...) */
      for (guint d = 0; d < rp.n; d++)
        {
          merged[d] = y->shape[d] * (d == i ? rp.sizes[i] : 1);
          wide[d + (d >= i)] = y->shape[d];
        }
      wide[i] = rp.sizes[i];
      u = lt_tensor_unsqueeze (y, (gint) i, error);
      e = u ? lt_tensor_expand (u, wide, rp.n + 1, error) : NULL;
      c = e ? lt_tensor_contiguous (e, error) : NULL;
      g_clear_object (&y);
      y = c ? lt_tensor_reshape (c, merged, rp.n, error) : NULL;
    }
  if (y)
    out = y->storage == self->storage ? lt_tensor_clone (y, error) : g_steal_pointer (&y);
  lt_set_grad_enabled (prev);
  if (out)
    record (LT_OP_REPEAT, self, out, &rp);
  return out;
}

/**
 * lt_tensor_repeat_interleave:
 * @self: a tensor
 * @repeats: an integer tensor: one count for every element (0 or 1
 *   dimension of one element), or one per position along @dim
 * @dim: the dimension to repeat along; negative values count from the end
 * @flatten: ignore @dim and repeat the elements of the flattened tensor
 * @error: return location for a #GError
 *
 * Repeats each element (or slice along @dim) `repeats[i]` times in a row,
 * as `x.repeat_interleave (repeats, dim)`. Runs index_select, whose node
 * the result has, as PyTorch's.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set for repeats that are not integers, negative, or of the wrong size
 */
LtTensor *
lt_tensor_repeat_interleave (LtTensor *self,
                             LtTensor *repeats,
                             gint      dim,
                             gboolean  flatten,
                             GError  **error)
{
  g_autoptr(LtTensor) xs = NULL;
  g_autoptr(LtTensor) idx = NULL;
  g_autoptr(LtTensor) on = NULL;
  g_autofree gint64 *r = NULL;
  g_autofree gint64 *pos = NULL;
  gsize              n_r = 0;
  guint              d = 0;
  gint64             n, total = 0, k = 0;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (repeats), NULL);
  if (_lt_dtype_is_float (repeats->dtype) || repeats->dtype == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "repeat_interleave: repeats must be an integer tensor, not %s",
                   lt_dtype_get_name (repeats->dtype));
      return NULL;
    }
  if (repeats->ndim > 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "repeat_interleave: repeats must have 0 or 1 dimension, not %u", repeats->ndim);
      return NULL;
    }
  if (flatten || self->ndim == 0)
    {
      gint64 numel = self->numel;

      if (!flatten && !_lt_normalize_dim (dim, 0, &d, "repeat_interleave", error))
        return NULL;
      xs = lt_tensor_reshape (self, &numel, 1, error);
      d = 0;
    }
  else if (_lt_normalize_dim (dim, self->ndim, &d, "repeat_interleave", error))
    xs = g_object_ref (self);
  if (xs == NULL)
    return NULL;
  n = xs->shape[d];
  r = lt_tensor_to_int64s (repeats, &n_r, error);
  if (r == NULL && repeats->numel > 0)
    return NULL;
  if (n_r != 1 && (gint64) n_r != n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "repeat_interleave: repeats must have the same size as the input along "
                   "dim %u: %" G_GSIZE_FORMAT " repeats for size %" G_GINT64_FORMAT,
                   d, n_r, n);
      return NULL;
    }
  for (gsize i = 0; i < n_r; i++)
    {
      if (r[i] < 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "repeat_interleave: repeats can not be negative (%" G_GINT64_FORMAT ")",
                       r[i]);
          return NULL;
        }
      if (r[i] > G_MAXINT32 || (total += n_r == 1 ? r[i] * n : r[i]) > G_MAXINT32)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "repeat_interleave: %" G_GINT64_FORMAT " repeats are too many", r[i]);
          return NULL;
        }
    }
  pos = g_new (gint64, MAX (total, 1));
  for (gint64 i = 0; i < n; i++)
    for (gint64 j = 0; j < r[n_r == 1 ? 0 : i]; j++)
      pos[k++] = i;
  idx = lt_tensor_new_from_int64s (pos, (gsize) total, &total, 1, LT_DTYPE_INT64, error);
  on = idx ? lt_tensor_to_device (idx, self->storage->device, error) : NULL;
  return on ? lt_tensor_index_select (xs, (gint) d, on, error) : NULL;
}

/* @g (..., L) put on diagonal @k of (..., n1, n2) matrices of zeros:
 * padded to n2 along its last dim, expanded over n1 rows, zeroed off the
 * diagonal. Differentiable in @g. */
static LtTensor *
diag_embed (LtTensor *g, gint64 k, gint64 n1, gint64 n2, GError **error)
{
  guint  nd = g->ndim;
  gint64 L = g->shape[nd - 1], left = MIN (MAX (k, 0), n2 - L), right = n2 - L - left;
  gint64 shape[LT_MAX_DIMS];
  g_autoptr(LtTensor) zl = NULL;
  g_autoptr(LtTensor) zr = NULL;
  g_autoptr(LtTensor) row = NULL;
  g_autoptr(LtTensor) u = NULL;
  g_autoptr(LtTensor) e = NULL;
  g_autoptr(LtTensor) mask = NULL;
  LtTensor *parts[3];
  guint     np = 0;

  memcpy (shape, g->shape, nd * sizeof (gint64));
  if (left > 0)
    {
      shape[nd - 1] = left;
      if ((zl = zeros_on (shape, nd, g->dtype, g->storage->device, error)) == NULL)
        return NULL;
      parts[np++] = zl;
    }
  parts[np++] = g;
  if (right > 0)
    {
      shape[nd - 1] = right;
      if ((zr = zeros_on (shape, nd, g->dtype, g->storage->device, error)) == NULL)
        return NULL;
      parts[np++] = zr;
    }
  row = np == 1 ? g_object_ref (g) : lt_cat (parts, np, (gint) nd - 1, error);
  u = row ? lt_tensor_unsqueeze (row, (gint) nd - 1, error) : NULL;
  memcpy (shape, g->shape, nd * sizeof (gint64));
  shape[nd - 1] = n1;
  shape[nd] = n2;
  e = u ? lt_tensor_expand (u, shape, nd + 1, error) : NULL;
  mask = e ? band_mask (n1, n2, k, BAND_OFF, g->storage->device, error) : NULL;
  return mask ? lt_tensor_masked_fill (e, mask, 0.0, error) : NULL;
}

/* The length of diagonal @k of (n1, n2) matrices */
static gint64
diag_length (gint64 n1, gint64 n2, gint64 k)
{
  gint64 len = k >= 0 ? MIN (n1, n2 - k) : MIN (n1 + k, n2);

  return MAX (len, 0);
}

/**
 * lt_tensor_diagonal:
 * @self: a tensor of at least 2 dimensions
 * @offset: which diagonal: 0 the main one, positive above it, negative
 *   below
 * @dim1: the dimension of the rows; negative values count from the end
 * @dim2: the dimension of the columns; negative values count from the end
 * @error: return location for a #GError
 *
 * The diagonal of the matrices that @dim1 and @dim2 span, as
 * `x.diagonal (offset, dim1, dim2)`: a view with both dims removed and the
 * diagonal appended as the last one.
 *
 * Returns: (transfer full) (nullable): the view, or %NULL with @error set
 *   for dims out of range or equal
 */
LtTensor *
lt_tensor_diagonal (LtTensor *self, gint64 offset, gint dim1, gint dim2, GError **error)
{
  gint64    shape[LT_MAX_DIMS], strides[LT_MAX_DIMS], start = self->offset;
  guint     d1, d2, n = 0;
  LtTensor *v;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (!_lt_normalize_dim (dim1, self->ndim, &d1, "diagonal", error) ||
      !_lt_normalize_dim (dim2, self->ndim, &d2, "diagonal", error))
    return NULL;
  if (self->ndim < 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "diagonal: dimension out of range: a tensor of %u dimensions has no "
                   "diagonal",
                   self->ndim);
      return NULL;
    }
  if (d1 == d2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "diagonal: the diagonal dimensions cannot be identical (%d, %d)", dim1, dim2);
      return NULL;
    }
  for (guint d = 0; d < self->ndim; d++)
    if (d != d1 && d != d2)
      {
        shape[n] = self->shape[d];
        strides[n++] = self->strides[d];
      }
  shape[n] = diag_length (self->shape[d1], self->shape[d2], offset);
  strides[n++] = self->strides[d1] + self->strides[d2];
  if (shape[n - 1] > 0)
    start += offset >= 0 ? offset * self->strides[d2] : -offset * self->strides[d1];
  v = _lt_tensor_new_view (self, shape, strides, n, start);
  node = _lt_autograd_record (LT_OP_DIAGONAL, &self, 1);
  if (node)
    {
      node->params.rearrange.k = offset;
      node->params.rearrange.dim0 = d1;
      node->params.rearrange.dim1 = d2;
      _lt_autograd_set_output (node, v);
    }
  return v;
}

/**
 * lt_tensor_diag:
 * @self: a vector or a matrix
 * @diagonal: which diagonal: 0 the main one, positive above it, negative
 *   below
 * @error: return location for a #GError
 *
 * As `torch.diag (x, diagonal)`: a vector gives the square matrix with the
 * vector on that diagonal and zeros elsewhere; a matrix gives a copy of
 * that diagonal.
 *
 * Returns: (transfer full) (nullable): a new tensor, or %NULL with @error
 *   set when @self is neither a vector nor a matrix
 */
LtTensor *
lt_tensor_diag (LtTensor *self, gint64 diagonal, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim == 1)
    {
      gint64 n = self->shape[0] + ABS (diagonal);

      return diag_embed (self, diagonal, n, n, error);
    }
  if (self->ndim == 2)
    {
      g_autoptr(LtTensor) d = lt_tensor_diagonal (self, diagonal, 0, 1, error);

      return d ? lt_tensor_clone (d, error) : NULL;
    }
  g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
               "diag: a matrix or a vector expected, not a tensor of %u dimensions", self->ndim);
  return NULL;
}

/**
 * lt_tensor_trace:
 * @self: a matrix
 * @error: return location for a #GError
 *
 * The sum of the main diagonal, as `x.trace ()`; integer tensors sum into
 * int64.
 *
 * Returns: (transfer full) (nullable): a tensor with no dimensions, or
 *   %NULL with @error set when @self is not a matrix
 */
LtTensor *
lt_tensor_trace (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) d = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (self->ndim != 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "trace: expected a matrix, not a tensor of %u dimensions", self->ndim);
      return NULL;
    }
  d = lt_tensor_diagonal (self, 0, 0, 1, error);
  return d ? lt_tensor_sum (d, error) : NULL;
}

/**
 * lt_tensor_outer:
 * @self: a vector
 * @other: a vector
 * @error: return location for a #GError
 *
 * The outer product, `out[i][j] = self[i] * other[j]`, as
 * `torch.outer (x, y)`, with the dtype promotion of multiplication.
 *
 * Returns: (transfer full) (nullable): a matrix, or %NULL with @error set
 *   when an input is not a vector
 */
LtTensor *
lt_tensor_outer (LtTensor *self, LtTensor *other, GError **error)
{
  g_autoptr(LtTensor) a = NULL;
  g_autoptr(LtTensor) b = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  if (self->ndim != 1 || other->ndim != 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "outer: expected two vectors, not tensors of %u and %u dimensions", self->ndim,
                   other->ndim);
      return NULL;
    }
  a = lt_tensor_unsqueeze (self, 1, error);
  b = a ? lt_tensor_unsqueeze (other, 0, error) : NULL;
  return b ? lt_tensor_mul (a, b, error) : NULL;
}

/* @t's elements along @d rotated by @s (1 or 2) towards the start */
static LtTensor *
rotate3 (LtTensor *t, gint d, gint64 s, GError **error)
{
  g_autoptr(LtTensor) a = lt_tensor_narrow (t, d, s, 3 - s, error);
  g_autoptr(LtTensor) b = a ? lt_tensor_narrow (t, d, 0, s, error) : NULL;
  LtTensor *parts[2] = { a, b };

  return b ? lt_cat (parts, 2, d, error) : NULL;
}

/**
 * lt_tensor_cross:
 * @self: a tensor with 3 elements along @dim
 * @other: a tensor with 3 elements along @dim that broadcasts with @self
 * @dim: the dimension of the vectors, in the broadcast shape; negative
 *   values count from the end
 * @error: return location for a #GError
 *
 * The cross product of 3-vectors along @dim, as
 * `torch.linalg.cross (x, y, dim=dim)`.
 *
 * Returns: (transfer full) (nullable): the products, or %NULL with @error
 *   set when an input does not have 3 elements along @dim or the shapes do
 *   not broadcast
 */
LtTensor *
lt_tensor_cross (LtTensor *self, LtTensor *other, gint dim, GError **error)
{
  guint nd, d;
  gint  da, db;
  g_autoptr(LtTensor) a1 = NULL;
  g_autoptr(LtTensor) a2 = NULL;
  g_autoptr(LtTensor) b1 = NULL;
  g_autoptr(LtTensor) b2 = NULL;
  g_autoptr(LtTensor) p = NULL;
  g_autoptr(LtTensor) q = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (other), NULL);
  nd = MAX (self->ndim, other->ndim);
  if (!_lt_normalize_dim (dim, nd, &d, "cross", error))
    return NULL;
  da = (gint) d - (gint) (nd - self->ndim);
  db = (gint) d - (gint) (nd - other->ndim);
  if (nd == 0 || da < 0 || db < 0 || self->shape[da] != 3 || other->shape[db] != 3)
    {
      g_set_error (
        error, LT_ERROR, LT_ERROR_SHAPE,
        "cross: the inputs must have 3 elements along dimension %u, not %" G_GINT64_FORMAT
        " and %" G_GINT64_FORMAT,
        d, da >= 0 && nd ? self->shape[da] : 1, db >= 0 && nd ? other->shape[db] : 1);
      return NULL;
    }
  /* (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0) */
  a1 = rotate3 (self, da, 1, error);
  a2 = a1 ? rotate3 (self, da, 2, error) : NULL;
  b1 = a2 ? rotate3 (other, db, 1, error) : NULL;
  b2 = b1 ? rotate3 (other, db, 2, error) : NULL;
  p = b2 ? lt_tensor_mul (a1, b2, error) : NULL;
  q = p ? lt_tensor_mul (a2, b1, error) : NULL;
  return q ? lt_tensor_sub (p, q, error) : NULL;
}

/* Backward rules */

gboolean
_lt_backward_tril_triu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* the gradient zeroed where the forward zeroed */
  return (gi[0] = tril_triu (node->op, g, node->params.rearrange.k, error)) != NULL;
}

gboolean
_lt_backward_flip (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return (gi[0] = flip_impl (g, &node->params.rearrange, error)) != NULL;
}

gboolean
_lt_backward_roll (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LtRearrangeParams rp = node->params.rearrange;

  for (guint i = 0; i < MAX (rp.n, 1); i++)
    rp.sizes[i] = -rp.sizes[i];
  return (gi[0] = roll_impl (g, &rp, error)) != NULL;
}

gboolean
_lt_backward_repeat (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* the sum of the copies: (..., r_i * s_i, ...) -> (..., r_i, s_i, ...),
   * summed over r_i, dim by dim */
  const LtRearrangeParams *rp = &node->params.rearrange;
  const LtTensorMeta      *m = &node->input_meta[0];
  g_autoptr(LtTensor) y = g_object_ref (g);

  for (guint i = 0; i < rp->n && y; i++)
    {
      gint64 wide[LT_MAX_DIMS];
      g_autoptr(LtTensor) w = NULL;

      if (rp->sizes[i] == 1)
        continue;
      for (guint d = 0; d < rp->n; d++)
        wide[d + (d >= i)] = d == i ? (rp->sizes[i] ? y->shape[d] / rp->sizes[i] : 0) : y->shape[d];
      wide[i] = rp->sizes[i];
      if (rp->sizes[i] == 0)
        {
          /* no copies: the size of the input's dim, zeros */
          guint lead = rp->n - m->ndim;
          wide[i + 1] = i < lead ? 1 : m->shape[i - lead];
        }
      w = lt_tensor_reshape (y, wide, rp->n + 1, error);
      g_clear_object (&y);
      y = w ? lt_tensor_sum_dim (w, (gint) i, FALSE, error) : NULL;
    }
  return y && (gi[0] = lt_tensor_reshape (y, m->shape, m->ndim, error)) != NULL;
}

gboolean
_lt_backward_diagonal (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  /* g on the diagonal of zeros, the two dims moved back */
  const LtRearrangeParams *rp = &node->params.rearrange;
  const LtTensorMeta      *m = &node->input_meta[0];
  gint                     perm[LT_MAX_DIMS];
  gint                     b = 0;
  g_autoptr(LtTensor) e = diag_embed (g, rp->k, m->shape[rp->dim0], m->shape[rp->dim1], error);

  if (e == NULL)
    return FALSE;
  for (guint d = 0; d < m->ndim; d++)
    perm[d] = d == rp->dim0 ? (gint) m->ndim - 2 : d == rp->dim1 ? (gint) m->ndim - 1 : b++;
  return (gi[0] = lt_tensor_permute (e, perm, m->ndim, error)) != NULL;
}
