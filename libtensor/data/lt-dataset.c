/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-dataset.h"
#include "lt-datasets-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-creation.h"

/**
 * LtDataset:
 *
 * A map-style dataset: a number of items, each an input tensor (an image,
 * say) and a target tensor (its label), read by index.
 *
 * #LtCifar10, #LtMnist, #LtImageFolder and #LtSubset implement it; Python
 * and JavaScript classes implement it too, and C code (#LtSubset, data
 * loaders) reads them through lt_dataset_get_item().
 */

G_DEFINE_INTERFACE (LtDataset, lt_dataset, G_TYPE_OBJECT)

static void
lt_dataset_default_init (LtDatasetInterface *iface)
{
}

/**
 * lt_dataset_get_length:
 * @self: a dataset
 *
 * Counts the items of @self, as `len(dataset)`.
 *
 * Returns: the number of items (0 for an implementation that returns a
 *   negative number)
 */
gint64
lt_dataset_get_length (LtDataset *self)
{
  LtDatasetInterface *iface;
  gint64 n;

  g_return_val_if_fail (LT_IS_DATASET (self), 0);
  iface = LT_DATASET_GET_IFACE (self);
  g_return_val_if_fail (iface->get_length != NULL, 0);
  n = iface->get_length (self);
  return MAX (n, 0);
}

/**
 * lt_dataset_get_item:
 * @self: a dataset
 * @index: the index of the item, from 0 to the length - 1
 * @input: (out) (optional) (transfer full): return location for the input
 * @target: (out) (optional) (transfer full) (nullable): return location for
 *   the target; %NULL for a dataset without targets
 * @error: return location for a #GError
 *
 * Reads item @index of @self, as `dataset[index]`. Datasets that hold
 * their data in one tensor give views of it; transforms make new tensors.
 *
 * Returns: %TRUE on success; %FALSE with @error set when @index is out of
 *   range (%LT_ERROR_INDEX) or the dataset fails (an implementation that
 *   fails without saying why gets %LT_ERROR_FAILED)
 */
gboolean
lt_dataset_get_item (LtDataset *self,
                     gint64     index,
                     LtTensor **input,
                     LtTensor **target,
                     GError   **error)
{
  LtDatasetInterface *iface;
  g_autoptr(LtTensor) in = NULL;
  g_autoptr(LtTensor) tg = NULL;
  GError *local = NULL;
  gint64 n;
  gboolean ok;

  g_return_val_if_fail (LT_IS_DATASET (self), FALSE);
  iface = LT_DATASET_GET_IFACE (self);
  g_return_val_if_fail (iface->get_item != NULL, FALSE);

  n = lt_dataset_get_length (self);
  if (index < 0 || index >= n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "dataset %s: index %" G_GINT64_FORMAT " is out of range for %"
                   G_GINT64_FORMAT " items", G_OBJECT_TYPE_NAME (self), index, n);
      return FALSE;
    }

  ok = iface->get_item (self, index, &in, &tg, &local);
  if (!ok || in == NULL)
    {
      /* An implementation in Python that raises anything but GLib.Error
       * returns FALSE (or nothing) without an error. */
      if (local != NULL)
        g_propagate_error (error, local);
      else
        g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                     "dataset %s: item %" G_GINT64_FORMAT " could not be read%s",
                     G_OBJECT_TYPE_NAME (self), index,
                     ok ? " (no input tensor was returned)" : "");
      return FALSE;
    }
  g_clear_error (&local);
  if (!LT_IS_TENSOR (in) || (tg != NULL && !LT_IS_TENSOR (tg)))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "dataset %s: item %" G_GINT64_FORMAT " is not made of tensors",
                   G_OBJECT_TYPE_NAME (self), index);
      return FALSE;
    }
  if (input)
    *input = g_steal_pointer (&in);
  if (target)
    *target = g_steal_pointer (&tg);
  return TRUE;
}

/**
 * LtSubset:
 *
 * The items of a dataset at a list of indices, as `torch.utils.data.Subset`:
 * item i of the subset is item indices[i] of the dataset.
 */

struct _LtSubset
{
  GObject parent_instance;

  /* Owned */
  LtDataset *dataset;
  gint64 *indices;
  gsize n_indices;
};

static void lt_subset_dataset_init (LtDatasetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LtSubset, lt_subset, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LT_TYPE_DATASET, lt_subset_dataset_init))

static gint64
lt_subset_get_length (LtDataset *dataset)
{
  return (gint64) LT_SUBSET (dataset)->n_indices;
}

static gboolean
lt_subset_get_item (LtDataset *dataset,
                    gint64     index,
                    LtTensor **input,
                    LtTensor **target,
                    GError   **error)
{
  LtSubset *self = LT_SUBSET (dataset);

  return lt_dataset_get_item (self->dataset, self->indices[index], input, target, error);
}

static void
lt_subset_dataset_init (LtDatasetInterface *iface)
{
  iface->get_length = lt_subset_get_length;
  iface->get_item = lt_subset_get_item;
}

static void
lt_subset_finalize (GObject *object)
{
  LtSubset *self = LT_SUBSET (object);

  g_clear_object (&self->dataset);
  g_free (self->indices);
  G_OBJECT_CLASS (lt_subset_parent_class)->finalize (object);
}

static void
lt_subset_class_init (LtSubsetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_subset_finalize;
}

static void
lt_subset_init (LtSubset *self)
{
}

/**
 * lt_subset_new:
 * @dataset: a dataset
 * @indices: (array length=n_indices): indices into @dataset
 * @n_indices: the number of indices
 * @error: return location for a #GError
 *
 * Creates the subset of @dataset at @indices. Indices may repeat; each must
 * lie in [0, length of @dataset).
 *
 * Returns: (transfer full) (nullable): the subset, or %NULL with @error set
 *   (%LT_ERROR_INDEX) for an index out of range
 */
LtSubset *
lt_subset_new (LtDataset    *dataset,
               const gint64 *indices,
               gsize         n_indices,
               GError      **error)
{
  LtSubset *self;
  gint64 n;

  g_return_val_if_fail (LT_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (indices != NULL || n_indices == 0, NULL);

  n = lt_dataset_get_length (dataset);
  for (gsize i = 0; i < n_indices; i++)
    if (indices[i] < 0 || indices[i] >= n)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "subset: index %" G_GINT64_FORMAT " (position %" G_GSIZE_FORMAT
                     ") is out of range for a dataset of %" G_GINT64_FORMAT " items",
                     indices[i], i, n);
        return NULL;
      }

  self = g_object_new (LT_TYPE_SUBSET, NULL);
  self->dataset = g_object_ref (dataset);
  self->indices = n_indices ? g_memdup2 (indices, n_indices * sizeof (gint64)) : NULL;
  self->n_indices = n_indices;
  return self;
}

/**
 * lt_subset_get_dataset:
 * @self: a subset
 *
 * Gets the dataset @self picks items from.
 *
 * Returns: (transfer none): the dataset
 */
LtDataset *
lt_subset_get_dataset (LtSubset *self)
{
  g_return_val_if_fail (LT_IS_SUBSET (self), NULL);
  return self->dataset;
}

/**
 * lt_subset_get_indices:
 * @self: a subset
 * @n_indices: (out): return location for the number of indices
 *
 * Gets the indices into the dataset, in the subset's order.
 *
 * Returns: (array length=n_indices) (transfer none): the indices
 */
const gint64 *
lt_subset_get_indices (LtSubset *self,
                       gsize    *n_indices)
{
  g_return_val_if_fail (LT_IS_SUBSET (self), NULL);
  if (n_indices)
    *n_indices = self->n_indices;
  return self->indices;
}

/**
 * lt_random_split:
 * @dataset: a dataset
 * @lengths: (array length=n_lengths): the length of every part; they must
 *   add up to the length of @dataset
 * @n_lengths: the number of parts
 * @error: return location for a #GError
 *
 * Splits @dataset at random into non-overlapping subsets of the given
 * lengths, as `torch.utils.data.random_split()`: one permutation of all
 * the indices is drawn with lt_randperm() from the global generator, and
 * part k takes the next @lengths[k] indices of it. The same
 * lt_manual_seed() gives the same split.
 *
 * In C, free the result with g_object_unref() on every subset and g_free()
 * on the array.
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the
 *   @n_lengths subsets, then %NULL; or %NULL with @error set when a length
 *   is negative or the lengths do not add up to the dataset's length
 */
LtSubset **
lt_random_split (LtDataset    *dataset,
                 const gint64 *lengths,
                 gsize         n_lengths,
                 GError      **error)
{
  g_autoptr(GPtrArray) parts = NULL;
  g_autoptr(LtTensor) perm = NULL;
  const gint64 *p;
  gint64 n, total = 0, start = 0;

  g_return_val_if_fail (LT_IS_DATASET (dataset), NULL);
  g_return_val_if_fail (lengths != NULL || n_lengths == 0, NULL);

  n = lt_dataset_get_length (dataset);
  for (gsize i = 0; i < n_lengths; i++)
    {
      if (lengths[i] < 0 || lengths[i] > n - total)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "random_split: length %" G_GINT64_FORMAT " (part %" G_GSIZE_FORMAT
                       ") is negative or the lengths exceed the dataset's %" G_GINT64_FORMAT
                       " items", lengths[i], i, n);
          return NULL;
        }
      total += lengths[i];
    }
  if (total != n)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "random_split: the lengths add up to %" G_GINT64_FORMAT
                   ", not to the dataset's %" G_GINT64_FORMAT " items", total, n);
      return NULL;
    }

  perm = lt_randperm (n, LT_DTYPE_INT64, error);
  if (perm == NULL)
    return NULL;
  p = (const gint64 *) lt_tensor_get_data_ptr (perm);
  parts = g_ptr_array_new_with_free_func (g_object_unref);
  for (gsize i = 0; i < n_lengths; i++)
    {
      LtSubset *part = lt_subset_new (dataset, lengths[i] ? p + start : NULL,
                                      (gsize) lengths[i], error);

      if (part == NULL)
        return NULL;
      g_ptr_array_add (parts, part);
      start += lengths[i];
    }
  g_ptr_array_set_free_func (parts, NULL);
  g_ptr_array_add (parts, NULL);
  return (LtSubset **) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

/* Helpers of the datasets that hold their images in one tensor */

LtTensor *
_lt_data_item_view (LtTensor *images,
                    gint64    index,
                    guint     prefix_dims)
{
  gint64 shape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  guint ndim = 0;

  g_assert (images->ndim >= 1 && images->ndim - 1 + prefix_dims <= LT_MAX_DIMS);
  for (guint i = 0; i < prefix_dims; i++, ndim++)
    {
      shape[ndim] = 1;
      strides[ndim] = images->ndim > 1 ? images->shape[1] * images->strides[1] : 1;
    }
  for (guint i = 1; i < images->ndim; i++, ndim++)
    {
      shape[ndim] = images->shape[i];
      strides[ndim] = images->strides[i];
    }
  return _lt_tensor_new_view (images, shape, strides, ndim,
                              images->offset + index * images->strides[0]);
}

gboolean
_lt_data_finish_item (LtTensor     *image,
                      gint64        label,
                      LtTransform  *transform,
                      LtTransform  *target_transform,
                      LtTensor    **input,
                      LtTensor    **target,
                      GError      **error)
{
  g_autoptr(LtTensor) in = NULL;
  g_autoptr(LtTensor) tg = NULL;

  in = transform ? lt_transform_apply (transform, image, error) : g_object_ref (image);
  if (in == NULL)
    return FALSE;
  tg = _lt_tensor_new_empty (NULL, 0, LT_DTYPE_INT64, LT_DEVICE_CPU, error);
  if (tg == NULL)
    return FALSE;
  *(gint64 *) _lt_tensor_data (tg) = label;
  if (target_transform)
    {
      LtTensor *t = lt_transform_apply (target_transform, tg, error);

      if (t == NULL)
        return FALSE;
      g_object_unref (tg);
      tg = t;
    }
  *input = g_steal_pointer (&in);
  *target = g_steal_pointer (&tg);
  return TRUE;
}
