/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-embedding.h"

/*
 * embedding: the rows of a weight matrix picked by integer indices, with a
 * node of its own (EmbeddingBackward0) whose backward adds the gradient's
 * rows into a zero matrix, leaving the padding row's at zero. The forward
 * runs index_select's kernel with grad mode off.
 */

/**
 * lt_embedding:
 * @weight: the table, (num_embeddings, embedding_dim), floating point
 * @indices: int64 or int32 row numbers, of any shape
 * @padding_idx: a row whose gradient stays zero (in 0 .. num_embeddings -
 *   1), or a negative number for none
 * @error: return location for a #GError
 *
 * Looks up rows of @weight, as `torch.nn.functional.embedding()`: the
 * result has @indices' shape followed by embedding_dim. Its node is
 * `EmbeddingBackward0`.
 *
 * Returns: (transfer full) (nullable): the rows, or %NULL with @error set
 *   for a @weight that is not a floating-point matrix, @indices that are
 *   not integers or out of range, or a @padding_idx beyond the table
 */
LtTensor *
lt_embedding (LtTensor *weight, LtTensor *indices, gint64 padding_idx, GError **error)
{
  g_autoptr(LtTensor) flat = NULL;
  g_autoptr(LtTensor) rows = NULL;
  g_autoptr(LtTensor) out = NULL;
  gint64    shape[LT_MAX_DIMS];
  gint64    minus_one = -1;
  LtTensor *in[2] = { weight, indices };
  LtGradFn *node;
  gboolean  prev;

  g_return_val_if_fail (LT_IS_TENSOR (weight), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (indices), NULL);
  if (weight->ndim != 2 || !_lt_dtype_is_float (weight->dtype))
    {
      g_autofree char *s = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, weight->ndim != 2 ? LT_ERROR_SHAPE : LT_ERROR_DTYPE,
                   "embedding: the weight must be a floating-point matrix, not %s of shape %s",
                   lt_dtype_get_name (weight->dtype), s);
      return NULL;
    }
  if (indices->dtype != LT_DTYPE_INT64 && indices->dtype != LT_DTYPE_INT32)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "embedding: the indices must be int64 or int32, not %s",
                   lt_dtype_get_name (indices->dtype));
      return NULL;
    }
  if (indices->ndim + 1 > LT_MAX_DIMS)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "embedding: the indices have %u dimensions; the result would have more "
                   "than %d",
                   indices->ndim, LT_MAX_DIMS);
      return NULL;
    }
  if (padding_idx >= weight->shape[0])
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "embedding: padding_idx %" G_GINT64_FORMAT
                   " is beyond the table's %" G_GINT64_FORMAT " rows",
                   padding_idx, weight->shape[0]);
      return NULL;
    }
  for (guint d = 0; d < indices->ndim; d++)
    shape[d] = indices->shape[d];
  shape[indices->ndim] = weight->shape[1];
  prev = lt_set_grad_enabled (FALSE);
  flat = lt_tensor_reshape (indices, &minus_one, 1, error);
  rows = flat ? lt_tensor_index_select (weight, 0, flat, error) : NULL;
  out = rows ? lt_tensor_reshape (rows, shape, indices->ndim + 1, error) : NULL;
  lt_set_grad_enabled (prev);
  if (out == NULL)
    {
      /* index_select's message, said of embedding */
      if (error && *error)
        g_prefix_error (error, "embedding: ");
      return NULL;
    }
  node = _lt_autograd_record (LT_OP_EMBEDDING, in, 2);
  if (node)
    {
      node->params.embedding.padding_idx = padding_idx;
      node->params.embedding.num_weights = weight->shape[0];
      _lt_autograd_save_args (node, in, 2, NULL);
      _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

gboolean
_lt_backward_embedding (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LT_SAVED (indices, ARG1);
  const LtEmbeddingParams *p = &node->params.embedding;
  g_autoptr(LtTensor) z = _lt_zeros_meta (&node->input_meta[0], error);
  g_autoptr(LtTensor) flat = NULL;
  g_autoptr(LtTensor) g2 = NULL;
  gint64 minus_one = -1;
  gint64 shape[2];

  if (z == NULL)
    return FALSE;
  shape[0] = -1;
  shape[1] = z->shape[1];
  flat = lt_tensor_reshape (indices, &minus_one, 1, error);
  g2 = flat ? lt_tensor_reshape (g, shape, 2, error) : NULL;
  if (g2 == NULL)
    return FALSE;
  if (p->padding_idx >= 0)
    {
      g_autoptr(LtTensor) pad = lt_tensor_eq_scalar (flat, (double) p->padding_idx, error);
      g_autoptr(LtTensor) pad2 = pad ? lt_tensor_unsqueeze (pad, 1, error) : NULL;
      g_autoptr(LtTensor) kept = pad2 ? lt_tensor_masked_fill (g2, pad2, 0.0, error) : NULL;

      if (kept == NULL)
        return FALSE;
      g_object_unref (g2);
      g2 = g_steal_pointer (&kept);
    }
  if (!lt_tensor_index_add_ (z, 0, flat, g2, error))
    return FALSE;
  gi[0] = g_steal_pointer (&z);
  return TRUE;
}

/**
 * lt_tensor_embedding_renorm_:
 * @weight: the table, (num_embeddings, embedding_dim), floating point
 * @indices: int64 or int32 row numbers, of any shape
 * @max_norm: the largest norm a looked-up row may keep
 * @norm_type: the p of the p-norm (PyTorch's default: 2)
 * @error: return location for a #GError
 *
 * Scales, in place and without recording autograd, each row of @weight
 * named in @indices whose @norm_type-norm exceeds @max_norm down to a norm
 * of @max_norm, as `torch.embedding_renorm_()` (the scale is
 * `max_norm / (norm + 1e-7)`); `nn.Embedding (max_norm=...)` does this
 * before every lookup.
 *
 * Returns: %TRUE on success; %FALSE with @error set for bad shapes or
 *   dtypes, an index out of range or a @max_norm that is negative
 */
gboolean
lt_tensor_embedding_renorm_ (LtTensor *weight,
                             LtTensor *indices,
                             double    max_norm,
                             double    norm_type,
                             GError  **error)
{
  g_autofree gint64 *idx = NULL;
  g_autoptr(GHashTable) seen = NULL;
  gsize    n = 0;
  gboolean prev, ok = TRUE;

  g_return_val_if_fail (LT_IS_TENSOR (weight), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (indices), FALSE);
  if (weight->ndim != 2 || !_lt_dtype_is_float (weight->dtype) ||
      (indices->dtype != LT_DTYPE_INT64 && indices->dtype != LT_DTYPE_INT32))
    {
      g_autofree char *s = LT_SHAPE_STR (weight);
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "embedding_renorm_: needs a floating-point matrix (got %s of shape %s) and "
                   "int64 or int32 indices (got %s)",
                   lt_dtype_get_name (weight->dtype), s, lt_dtype_get_name (indices->dtype));
      return FALSE;
    }
  if (!(max_norm >= 0))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "embedding_renorm_: max_norm must not be negative, not %g", max_norm);
      return FALSE;
    }
  idx = lt_tensor_to_int64s (indices, &n, error);
  if (idx == NULL && n > 0)
    return FALSE;
  seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  prev = lt_set_grad_enabled (FALSE);
  for (gsize i = 0; ok && i < n; i++)
    {
      g_autoptr(LtTensor) row = NULL;
      g_autoptr(LtTensor) norm = NULL;
      double v;

      if (idx[i] < 0 || idx[i] >= weight->shape[0])
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                       "embedding_renorm_: index %" G_GINT64_FORMAT " is out of range for a "
                       "table of %" G_GINT64_FORMAT " rows",
                       idx[i], weight->shape[0]);
          ok = FALSE;
          break;
        }
      if (g_hash_table_contains (seen, &idx[i]))
        continue;
      g_hash_table_add (seen, &idx[i]);
      row = lt_tensor_select (weight, 0, idx[i], error);
      norm = row ? lt_tensor_norm (row, norm_type, error) : NULL;
      ok = norm != NULL && lt_tensor_item (norm, &v, error);
      if (ok && v > max_norm)
        ok = lt_tensor_mul_scalar_ (row, max_norm / (v + 1e-7), error);
    }
  lt_set_grad_enabled (prev);
  return ok;
}
