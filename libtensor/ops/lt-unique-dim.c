/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-creation.h"
#include "lt-index.h"
#include "lt-pointwise.h"
#include "lt-reduce.h"
#include "lt-scan.h"
#include "lt-shape.h"
#include "lt-sort.h"
#include "lt-values.h"

/*
 * torch.unique(x, dim=d): the distinct slices of @x along @d, in
 * lexicographic order, made of public ops (no row of its own): the slices
 * become the rows of an (n, m) matrix, which is sorted one column at a
 * time, last column first, with the stable sort (a least-significant-digit
 * radix sort of rows); neighbours that differ in some column start a new
 * group, whose number (a cumulative sum) is the inverse, scattered back to
 * the original positions; the counts are the groups' sizes and the values
 * the first slice of every group.
 */

/* An int64 tensor on @device (a host tensor moved there). */
static LtTensor *
on_device (LtTensor *t, LtDevice device, GError **error)
{
  if (t == NULL || t->storage->device == device)
    return t;
  {
    LtTensor *moved = lt_tensor_to_device (t, device, error);

    g_object_unref (t);
    return moved;
  }
}

/* Positions 0 .. n-1 that order the rows of @rows (n, m) lexicographically. */
static LtTensor *
lex_order (LtTensor *rows, GError **error)
{
  gint64    n = rows->shape[0], m = rows->shape[1];
  LtTensor *perm =
    on_device (lt_arange (0, (double) n, 1, LT_DTYPE_INT64, error), rows->storage->device, error);

  for (gint64 c = m - 1; perm != NULL && c >= 0; c--)
    {
      g_autoptr(LtTensor) col = lt_tensor_select (rows, 1, c, error);
      g_autoptr(LtTensor) keys = col ? lt_tensor_index_select (col, 0, perm, error) : NULL;
      g_autoptr(LtTensor) order = keys ? lt_tensor_argsort (keys, 0, FALSE, TRUE, error) : NULL;
      LtTensor *next = order ? lt_tensor_index_select (perm, 0, order, error) : NULL;

      g_object_unref (perm);
      perm = next;
    }
  return perm;
}

/* TRUE where row i of the sorted rows starts a new group (row 0 always). */
static LtTensor *
group_starts (LtTensor *sorted, GError **error)
{
  gint64 n = sorted->shape[0], one = 1;
  g_autoptr(LtTensor) head = lt_ones (&one, 1, LT_DTYPE_BOOL, error);
  g_autoptr(LtTensor) first = on_device (g_steal_pointer (&head), sorted->storage->device, error);
  g_autoptr(LtTensor) later = first ? lt_tensor_narrow (sorted, 0, 1, n - 1, error) : NULL;
  g_autoptr(LtTensor) earlier = later ? lt_tensor_narrow (sorted, 0, 0, n - 1, error) : NULL;
  g_autoptr(LtTensor) differ = earlier ? lt_tensor_ne (later, earlier, error) : NULL;
  g_autoptr(LtTensor) n_differ = differ ? lt_tensor_sum_dim (differ, 1, FALSE, error) : NULL;
  g_autoptr(LtTensor) zero = n_differ ? lt_scalar_int (0) : NULL;
  g_autoptr(LtTensor) rest = zero ? lt_tensor_gt (n_differ, zero, error) : NULL;
  LtTensor *parts[2] = { first, rest };

  return rest ? lt_cat (parts, 2, 0, error) : NULL;
}

/**
 * lt_tensor_unique_dim:
 * @self: a tensor with at least one dimension
 * @dim: the dimension whose slices are compared (negative counts from the
 *   end)
 * @sorted: return the slices in ascending order (they always are, as
 *   PyTorch's)
 * @inverse: (out) (optional) (transfer full): for each slice of @self
 *   along @dim, the position of its value in the result (int64, of length
 *   `self.shape[dim]`)
 * @counts: (out) (optional) (transfer full): how many slices equal each
 *   distinct one (int64)
 * @error: return location for a #GError
 *
 * The distinct slices of @self along @dim, in lexicographic order, as
 * `torch.unique(x, sorted, return_inverse, return_counts, dim)`: the
 * result has @self's shape with @dim the number of distinct slices. Two
 * slices are equal when all their elements are (a NaN is equal to
 * nothing). Dimensions other than @dim must not be empty. The result has
 * no gradient.
 *
 * Returns: (transfer full) (nullable): the distinct slices, or %NULL with
 *   @error set when @dim is out of range or another dimension is empty
 */
LtTensor *
lt_tensor_unique_dim (LtTensor  *self,
                      gint       dim,
                      gboolean   sorted,
                      LtTensor **inverse,
                      LtTensor **counts,
                      GError   **error)
{
  gint64   n, m = 1, n_unique = 0;
  gint     nd;
  LtDevice device;
  gboolean prev;
  g_autoptr(LtTensor) moved = NULL;
  g_autoptr(LtTensor) rows = NULL;
  g_autoptr(LtTensor) perm = NULL;
  g_autoptr(LtTensor) sorted_rows = NULL;
  g_autoptr(LtTensor) starts = NULL;
  g_autoptr(LtTensor) group = NULL;
  g_autoptr(LtTensor) inv = NULL;
  g_autoptr(LtTensor) cnt = NULL;
  g_autoptr(LtTensor) values = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  (void) sorted;
  nd = (gint) self->ndim;
  if (nd == 0)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "unique: dimension specified as %d but tensor has no dimensions", dim);
      return NULL;
    }
  if (dim < -nd || dim >= nd)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "unique: dimension out of range (expected to be in range of [%d, %d], but got "
                   "%d)",
                   -nd, nd - 1, dim);
      return NULL;
    }
  if (dim < 0)
    dim += nd;
  for (gint d = 0; d < nd; d++)
    if (d != dim)
      {
        if (self->shape[d] == 0)
          {
            g_autofree char *s = LT_SHAPE_STR (self);

            g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                         "unique: tensor of shape %s has 0 sized dimensions other than dim %d, "
                         "so unique cannot be applied",
                         s, dim);
            return NULL;
          }
        m *= self->shape[d];
      }
  n = self->shape[dim];
  device = self->storage->device;
  prev = lt_set_grad_enabled (FALSE);
  if (n == 0)
    {
      gint64 zero = 0;

      values = _lt_clone_raw (self, error);
      inv = values ? on_device (lt_zeros (&zero, 1, LT_DTYPE_INT64, error), device, error) : NULL;
      cnt = inv ? on_device (lt_zeros (&zero, 1, LT_DTYPE_INT64, error), device, error) : NULL;
      goto out;
    }
  {
    gint64 shape2[2] = { n, m };

    moved = lt_tensor_transpose (self, 0, dim, error);
    rows = moved ? lt_tensor_reshape (moved, shape2, 2, error) : NULL;
  }
  if (rows != NULL && rows->dtype == LT_DTYPE_BOOL)
    {
      /* sort compares numbers: false < true as 0 < 1 */
      LtTensor *u8 = lt_tensor_to_dtype (rows, LT_DTYPE_UINT8, error);

      g_object_unref (rows);
      rows = u8;
    }
  perm = rows ? lex_order (rows, error) : NULL;
  sorted_rows = perm ? lt_tensor_index_select (rows, 0, perm, error) : NULL;
  starts = sorted_rows ? group_starts (sorted_rows, error) : NULL;
  {
    g_autoptr(LtTensor) count_from_1 = starts ? lt_tensor_cumsum (starts, 0, error) : NULL;
    g_autoptr(LtTensor) one = count_from_1 ? lt_scalar_int (1) : NULL;
    g_autoptr(LtTensor) last = one ? lt_tensor_select (count_from_1, 0, n - 1, error) : NULL;

    group = last ? lt_tensor_sub (count_from_1, one, error) : NULL;
    if (group == NULL || !lt_tensor_item_int64 (last, &n_unique, error))
      goto out;
  }
  /* inverse[perm[i]] = group[i] */
  inv = on_device (lt_zeros (&n, 1, LT_DTYPE_INT64, error), device, error);
  if (inv == NULL || !lt_tensor_index_add_ (inv, 0, perm, group, error))
    {
      g_clear_object (&inv);
      goto out;
    }
  {
    g_autoptr(LtTensor) ones = on_device (lt_ones (&n, 1, LT_DTYPE_INT64, error), device, error);

    cnt = ones ? on_device (lt_zeros (&n_unique, 1, LT_DTYPE_INT64, error), device, error) : NULL;
    if (cnt == NULL || !lt_tensor_index_add_ (cnt, 0, group, ones, error))
      {
        g_clear_object (&cnt);
        goto out;
      }
  }
  {
    g_autoptr(LtTensor) at = lt_tensor_masked_select (perm, starts, error);

    values = at ? lt_tensor_index_select (self, dim, at, error) : NULL;
  }

out:
  lt_set_grad_enabled (prev);
  if (values == NULL || inv == NULL || cnt == NULL)
    return NULL;
  if (inverse)
    *inverse = g_steal_pointer (&inv);
  if (counts)
    *counts = g_steal_pointer (&cnt);
  return g_steal_pointer (&values);
}
