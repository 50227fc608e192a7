/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-storage-private.h"
#include "lt-error.h"
#include "backends/lt-device-private.h"
#include "backends/lt-backend-private.h"

/**
 * LtStorage:
 *
 * A reference-counted buffer of bytes on one device. Every tensor points at
 * one storage; views of a tensor share it, so writing through a view changes
 * the tensor it was taken from. The storage also carries the version counter
 * that in-place operations bump and autograd checks.
 */

G_DEFINE_BOXED_TYPE (LtStorage, lt_storage, lt_storage_ref, lt_storage_unref)

LtStorage *
_lt_storage_new (LtDevice  device,
                 gsize     nbytes,
                 GError  **error)
{
  const LtBackend *backend;
  LtStorage *storage;

  backend = _lt_backend_get (device, error);
  if (backend == NULL)
    return NULL;

  if (device == LT_DEVICE_CPU && nbytes <= LT_STORAGE_INLINE_BYTES)
    {
      /* One allocation for the struct and its bytes; 64 bytes is at least
       * the alignment every dtype needs. */
      storage = g_malloc0 (sizeof (LtStorage) + 64 + LT_STORAGE_INLINE_BYTES);
      storage->data = (gpointer) (((guintptr) (storage + 1) + 63) & ~(guintptr) 63);
      storage->inline_data = TRUE;
    }
  else
    {
      gpointer data = backend->alloc (MAX (nbytes, 1), error);

      if (data == NULL)
        return NULL;
      storage = g_new0 (LtStorage, 1);
      storage->data = data;
    }
  storage->ref_count = 1;
  storage->device = device;
  storage->backend = backend;
  storage->nbytes = nbytes;
  return storage;
}

typedef struct
{
  const LtBackend *backend;
  gpointer         data;
} PinnedBuffer;

static void
pinned_release (gpointer data)
{
  PinnedBuffer *p = data;

  p->backend->host_free (p->data);
  g_free (p);
}

LtStorage *
_lt_storage_new_pinned (LtDevice device, gsize nbytes, GError **error)
{
  const LtBackend *backend = _lt_backend_get (device, error);
  PinnedBuffer    *p;
  LtStorage       *storage;
  gpointer         data;

  if (backend == NULL)
    return NULL;
  if (backend->host_alloc == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "pin_memory: the %s backend has no page-locked host memory", backend->name);
      return NULL;
    }
  data = backend->host_alloc (nbytes, error);
  if (data == NULL)
    return NULL;
  p = g_new (PinnedBuffer, 1);
  p->backend = backend;
  p->data = data;
  storage = _lt_storage_new_wrap (data, nbytes, pinned_release, p);
  storage->pinned = TRUE;
  return storage;
}

LtStorage *
_lt_storage_new_wrap (gpointer       data,
                      gsize          nbytes,
                      GDestroyNotify release,
                      gpointer       release_data)
{
  LtStorage *storage = g_new0 (LtStorage, 1);

  storage->ref_count = 1;
  storage->device = LT_DEVICE_CPU;
  storage->backend = _lt_backend_get_cpu ();
  storage->data = data;
  storage->nbytes = nbytes;
  storage->release = release;
  storage->release_data = release_data;
  return storage;
}

/**
 * lt_storage_ref:
 * @storage: a storage
 *
 * Takes a reference on @storage.
 *
 * Returns: (transfer full): @storage
 */
LtStorage *
lt_storage_ref (LtStorage *storage)
{
  g_return_val_if_fail (storage != NULL, NULL);
  g_atomic_int_inc (&storage->ref_count);
  return storage;
}

/**
 * lt_storage_unref:
 * @storage: (transfer full): a storage
 *
 * Drops a reference on @storage, freeing its memory with the last one.
 */
void
lt_storage_unref (LtStorage *storage)
{
  g_return_if_fail (storage != NULL);
  if (!g_atomic_int_dec_and_test (&storage->ref_count))
    return;
  if (storage->release)
    storage->release (storage->release_data);
  else if (!storage->inline_data)
    storage->backend->free (storage->data, MAX (storage->nbytes, 1));
  g_free (storage);
}

/**
 * lt_storage_get_nbytes:
 * @storage: a storage
 *
 * Gets the size of the buffer.
 *
 * Returns: the size of the buffer in bytes
 */
gsize
lt_storage_get_nbytes (LtStorage *storage)
{
  g_return_val_if_fail (storage != NULL, 0);
  return storage->nbytes;
}

/**
 * lt_storage_get_device:
 * @storage: a storage
 *
 * Gets the device whose memory holds the buffer: its type;
 * lt_storage_get_device_index() tells CUDA devices apart.
 *
 * Returns: the device the buffer lives on
 */
LtDevice
lt_storage_get_device (LtStorage *storage)
{
  g_return_val_if_fail (storage != NULL, LT_DEVICE_CPU);
  return _lt_device_type (storage->device);
}

/**
 * lt_storage_get_device_index:
 * @storage: a storage
 *
 * Gets the index of the device whose memory holds the buffer: N for
 * `cuda:N`, -1 on the CPU (as `torch.Tensor.get_device()`).
 *
 * Returns: the device's index, or -1 for host memory
 */
int
lt_storage_get_device_index (LtStorage *storage)
{
  g_return_val_if_fail (storage != NULL, -1);
  if (_lt_device_type (storage->device) == LT_DEVICE_CPU)
    return -1;
  return _lt_device_index (storage->device);
}

/**
 * lt_storage_get_version:
 * @storage: a storage
 *
 * Gets the version counter: the number of in-place modifications made to
 * any tensor over this storage.
 *
 * Returns: the version
 */
guint
lt_storage_get_version (LtStorage *storage)
{
  g_return_val_if_fail (storage != NULL, 0);
  return (guint) g_atomic_int_get ((gint *) &storage->version);
}
