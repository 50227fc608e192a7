/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-sampler.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

/**
 * LtSampler:
 *
 * Chooses the items of a dataset that an epoch reads and their order, as
 * PyTorch's samplers do; #LtDistributedSampler gives each process of a
 * data-parallel job its own shard.
 */

G_DEFINE_INTERFACE (LtSampler, lt_sampler, G_TYPE_OBJECT)

static void
lt_sampler_default_init (LtSamplerInterface *iface)
{
}

/**
 * lt_sampler_get_indices:
 * @self: a sampler
 * @dataset_length: the number of items of the dataset
 * @epoch: the epoch, from 0 (a data loader passes the number of epochs it
 *   started before this one)
 * @error: return location for a #GError
 *
 * Gets the indices epoch @epoch reads, in order. They are checked: a
 * one-dimensional int64 tensor of indices from 0 to @dataset_length less
 * one.
 *
 * Returns: (transfer full): the indices, or %NULL with @error set
 */
LtTensor *
lt_sampler_get_indices (LtSampler *self, gint64 dataset_length, guint64 epoch, GError **error)
{
  LtSamplerInterface *iface;
  g_autoptr(LtTensor) indices = NULL;
  GError       *local = NULL;
  const gint64 *v;

  g_return_val_if_fail (LT_IS_SAMPLER (self), NULL);
  iface = LT_SAMPLER_GET_IFACE (self);
  if (iface->get_indices == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, "sampler %s implements no get_indices",
                   G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  indices = iface->get_indices (self, dataset_length, epoch, &local);
  if (indices == NULL)
    {
      if (local == NULL)
        local = g_error_new (LT_ERROR, LT_ERROR_FAILED, "sampler %s gave no indices and no error",
                             G_OBJECT_TYPE_NAME (self));
      g_propagate_error (error, local);
      return NULL;
    }
  g_clear_error (&local);
  if (indices->ndim != 1 || indices->dtype != LT_DTYPE_INT64 ||
      indices->storage->device != LT_DEVICE_CPU)
    {
      g_autofree char *shape = LT_SHAPE_STR (indices);

      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "sampler %s gave a %s tensor of shape %s on %s; indices are a "
                   "one-dimensional int64 CPU tensor",
                   G_OBJECT_TYPE_NAME (self), lt_dtype_get_name (indices->dtype), shape,
                   lt_device_get_name (indices->storage->device));
      return NULL;
    }
  if (!lt_tensor_is_contiguous (indices))
    {
      LtTensor *c = _lt_contiguous_host (indices, error);

      if (c == NULL)
        return NULL;
      g_object_unref (indices);
      indices = c;
    }
  v = _lt_tensor_data (indices);
  for (gint64 i = 0; i < indices->numel; i++)
    if (v[i] < 0 || v[i] >= dataset_length)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "sampler %s gave index %" G_GINT64_FORMAT " (position %" G_GINT64_FORMAT
                     ") for a dataset of %" G_GINT64_FORMAT " items",
                     G_OBJECT_TYPE_NAME (self), v[i], i, dataset_length);
        return NULL;
      }
  return g_steal_pointer (&indices);
}
