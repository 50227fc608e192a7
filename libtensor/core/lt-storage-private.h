/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-storage.h"
#include "backends/lt-backend-private.h"

G_BEGIN_DECLS

/*
 * LtStorage: one buffer of bytes on one device, shared by every tensor that
 * views it. The version counter counts in-place modifications; autograd
 * compares it with the version recorded when a tensor was saved.
 */
struct _LtStorage
{
  gint ref_count;        /* atomic */
  LtDevice device;       /* with its index (backends/lt-device-private.h) */
  guint version;         /* atomic; bumped by every in-place write */

  /* Borrowed */
  const LtBackend *backend;

  /* Owned (unless @release is set: then the memory is borrowed and
   * @release(@release_data) gives it back) */
  gpointer data;
  gsize nbytes;
  GDestroyNotify release;
  gpointer release_data;
  gboolean inline_data;  /* data lives right after this struct */
  gboolean pinned;       /* page-locked host memory (@backend's host_alloc) */
};

/* Small host buffers live inside the storage's own allocation. */
#define LT_STORAGE_INLINE_BYTES 64

LtStorage *_lt_storage_new      (LtDevice    device,
                                 gsize       nbytes,
                                 GError    **error);
/* Page-locked host memory from the backend of @device (which must have
 * host_alloc): a CPU storage whose copies to @device can be asynchronous */
LtStorage *_lt_storage_new_pinned (LtDevice    device,
                                   gsize       nbytes,
                                   GError    **error);
LtStorage *_lt_storage_new_wrap (gpointer       data,
                                 gsize          nbytes,
                                 GDestroyNotify release,
                                 gpointer       release_data);

static inline void
_lt_storage_bump_version (LtStorage *storage)
{
  g_atomic_int_inc ((gint *) &storage->version);
}

G_END_DECLS
