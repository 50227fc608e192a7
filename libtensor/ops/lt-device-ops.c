/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "backends/lt-backend-private.h"
#include "core/lt-storage-private.h"

/*
 * Moving tensors between devices: host and CUDA devices, two CUDA devices
 * (cuda:0 to cuda:1), and page-locked host memory (pin_memory), from which
 * copies to a device are queued without waiting.
 */

LtTensor *
_lt_tensor_move (LtTensor *self, LtDevice device, GError **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtTensor) out = NULL;
  const LtBackend *from, *to;
  LtDevice         here = self->storage->device;
  gsize            nbytes;
  LtGradFn        *node;
  gboolean         ok = TRUE;

  if (here == device)
    return g_object_ref (self);
  to = _lt_backend_get (device, error);
  if (to == NULL)
    return NULL;
  /* the source's device is current for the copy to contiguous and a
   * download */
  from = _lt_backend_get (here, error);
  if (from == NULL)
    return NULL;
  src = _lt_contiguous (self, error);
  if (src == NULL)
    return NULL;
  /* makes @device current when it is a CUDA device */
  out = _lt_tensor_new_empty (self->shape, self->ndim, self->dtype, device, error);
  if (out == NULL)
    return NULL;
  nbytes = self->numel * _lt_dtype_size (self->dtype);
  if (nbytes > 0)
    {
      if (_lt_device_type (device) == LT_DEVICE_CPU)
        ok = from->download (_lt_tensor_data (out), _lt_tensor_data (src), nbytes, error);
      else if (_lt_device_type (here) == LT_DEVICE_CPU)
        ok = src->storage->pinned && to->upload_async
               ? to->upload_async (_lt_tensor_data (out), _lt_tensor_data (src), nbytes,
                                   src->storage, error)
               : to->upload (_lt_tensor_data (out), _lt_tensor_data (src), nbytes, error);
      else if (to->copy_peer)
        ok = to->copy_peer (_lt_tensor_data (out), _lt_device_index (device), _lt_tensor_data (src),
                            _lt_device_index (here), nbytes, error);
      else
        {
          g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                       "to: the %s backend cannot copy from %s to %s", to->name,
                       _lt_device_name (here), _lt_device_name (device));
          ok = FALSE;
        }
    }
  if (!ok)
    return NULL;
  node = _lt_autograd_record (LT_OP_TO_DTYPE, &self, 1);
  if (node)
    _lt_autograd_set_output (node, out);
  return g_steal_pointer (&out);
}

/**
 * lt_tensor_to_device_index:
 * @self: a tensor
 * @device: the device's type
 * @index: its index: N for `cuda:N`; 0 or -1 for the CPU
 * @error: return location for a #GError
 *
 * Moves the elements to device @index of type @device, as
 * `x.to("cuda:1")` or `x.cuda(1)`: @self itself when it is already there,
 * else a copy (between two CUDA devices, a copy from one device's memory
 * to the other's). lt_tensor_to_device() is this function with index 0;
 * lt_device_parse() reads a device name into the pair.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 *   (%LT_ERROR_DEVICE) when the device was not built, is absent or has no
 *   such index
 */
LtTensor *
lt_tensor_to_device_index (LtTensor *self, LtDevice device, int index, GError **error)
{
  LtDevice d;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (device == LT_DEVICE_CPU && index < 0)
    index = 0;
  if (!_lt_device_from_index (device, index, &d, error))
    return NULL;
  return _lt_tensor_move (self, d, error);
}

/**
 * lt_tensor_pin_memory:
 * @self: a tensor on the CPU
 * @error: return location for a #GError
 *
 * Copies @self into page-locked ("pinned") host memory, as
 * `x.pin_memory()`: @self itself when it is pinned already. A copy from
 * pinned memory to a CUDA device is queued on the device's stream and the
 * call returns before it is done; the buffer is kept alive until it is.
 * Pinned memory comes from the CUDA runtime (cudaHostAlloc), so it needs a
 * CUDA device, as in PyTorch.
 *
 * Returns: (transfer full) (nullable): the pinned tensor, or %NULL with
 *   @error set: %LT_ERROR_DEVICE when @self is not on the CPU or when there
 *   is no CUDA device (the message says why)
 */
LtTensor *
lt_tensor_pin_memory (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) src = NULL;
  g_autoptr(LtStorage) storage = NULL;
  g_autoptr(GError) why = NULL;
  gint64    strides[LT_MAX_DIMS];
  gsize     nbytes;
  LtTensor *out;

  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (_lt_device_type (self->storage->device) != LT_DEVICE_CPU)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "pin_memory: cannot pin a tensor on %s: only CPU tensors can be pinned",
                   _lt_device_name (self->storage->device));
      return NULL;
    }
  if (self->storage->pinned)
    return g_object_ref (self);
  src = _lt_contiguous (self, error);
  if (src == NULL)
    return NULL;
  nbytes = self->numel * _lt_dtype_size (self->dtype);
  storage = _lt_storage_new_pinned (LT_DEVICE_CUDA, nbytes, &why);
  if (storage == NULL)
    {
      if (g_error_matches (why, LT_ERROR, LT_ERROR_OUT_OF_MEMORY))
        g_propagate_error (error, g_steal_pointer (&why));
      else
        g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                     "pin_memory: pinned memory needs a CUDA device: %s", why->message);
      return NULL;
    }
  if (nbytes)
    memcpy (storage->data, _lt_tensor_data (src), nbytes);
  _lt_shape_contiguous_strides (self->shape, self->ndim, strides);
  out = _lt_tensor_new_with_storage (storage, self->shape, strides, self->ndim, 0, self->dtype);
  return out;
}
