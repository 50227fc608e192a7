/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The backend vtable, the bottom layer: core's storage allocates through it.
 * A backend owns the memory of one device and supplies kernels for the ops
 * of the list of ops (ops/lt-op-list-private.h); what a kernel receives
 * (LtKernelArgs) is defined by the op table (ops/lt-op-private.h), above
 * core, where the kernels are written. The registry
 * (lt-backend-registry.c) is the only file that knows which backends were
 * built; everything else asks it for the backend of a device.
 *
 * To add a backend: fill one LtBackend (buffers, transfers, kernels), give
 * the registry a constructor for it under its build option, and run the op
 * harness against it (tests/c/test-ops.c compares every backend with the
 * float64 reference).
 */

#include "core/lt-types.h"
#include "backends/lt-device-private.h"
#include "core/lt-error.h"
#include "ops/lt-op-list-private.h"

G_BEGIN_DECLS

typedef struct _LtBackend LtBackend;
typedef struct _LtKernelArgs LtKernelArgs;
typedef struct _LtMultiTensorArgs LtMultiTensorArgs; /* ops/lt-op-private.h */

typedef gboolean (*LtKernel) (const LtKernelArgs *args,
                              GError            **error);

struct _LtBackend
{
  const char *name;                 /* "cpu", "cuda" */
  LtDevice device;

  /* Buffers (required). alloc sets LT_ERROR_OUT_OF_MEMORY on failure;
   * free gets the size alloc was asked for. */
  gpointer (*alloc)          (gsize     nbytes,
                              GError  **error);
  void     (*free)           (gpointer  data,
                              gsize     nbytes);

  /* Transfers between host memory and this device's memory (required for a
   * device other than the CPU; NULL on the CPU backend). */
  gboolean (*upload)         (gpointer      dst_device,
                              gconstpointer src_host,
                              gsize         nbytes,
                              GError      **error);
  gboolean (*download)       (gpointer      dst_host,
                              gconstpointer src_device,
                              gsize         nbytes,
                              GError      **error);

  /* Transfers that only some devices have (optional each):
   * - upload_async: from page-locked host memory (host_alloc's), queued
   *   without waiting; @keep, the host buffer's storage, is referenced
   *   until the copy is done;
   * - copy_peer: from device @src_index's memory to device @dst_index's
   *   (the registry made @dst_index current);
   * - host_alloc, host_free: page-locked host memory (pin_memory). */
  gboolean (*upload_async)   (gpointer      dst_device,
                              gconstpointer src_host,
                              gsize         nbytes,
                              LtStorage    *keep,
                              GError      **error);
  gboolean (*copy_peer)      (gpointer      dst,
                              int           dst_index,
                              gconstpointer src,
                              int           src_index,
                              gsize         nbytes,
                              GError      **error);
  gpointer (*host_alloc)     (gsize         nbytes,
                              GError      **error);
  void     (*host_free)      (gpointer      data);

  /* Waits for queued work (optional: NULL when every kernel is synchronous). */
  gboolean (*synchronize)    (GError  **error);

  /* Threads for the backend's own parallel loops and its BLAS (optional). */
  void     (*set_num_threads) (int n_threads);
  int      (*get_num_threads) (void);

  /* Finer support check by dtype (optional; NULL means: the kernel's
   * presence is the answer, and the kernel reports unsupported dtypes). */
  gboolean (*supports_op)    (LtOp    op,
                              LtDType dtype);

  /* The device behind the backend (optional each; NULL on the CPU
   * backend): the core's lt_cuda_* functions (core/lt-cuda.c) ask these. */
  int      (*device_count)   (void);
  gboolean (*device_name)    (int       index,
                              char    **name,
                              GError  **error);
  gboolean (*memory_info)    (gsize    *free_bytes,
                              gsize    *total_bytes,
                              GError  **error);
  void     (*memory_stats)   (guint64  *allocated,
                              guint64  *reserved,
                              guint64  *peak_allocated);
  void     (*empty_cache)    (void);
  /* Whether this device's memory is really host memory (an emulated
   * device): what a library that needs the device's own memory (NCCL)
   * asks. Optional: NULL means it is not. */
  gboolean (*memory_is_host) (void);

  /* One launch for a list of tensors (optional: NULL where the backend has
   * none; ops/lt-multi-tensor.c then runs one op per tensor). */
  gboolean (*multi_tensor)   (const LtMultiTensorArgs *args,
                              GError                 **error);

  /* Kernels, indexed by op (optional each: NULL where the backend has none;
   * _lt_run() then reports LT_ERROR_NOT_SUPPORTED). */
  LtKernel kernels[LT_OP_COUNT];
};

/* Registry */
const LtBackend *_lt_backend_get          (LtDevice   device,
                                           GError   **error);
const LtBackend *_lt_backend_get_cpu      (void);
gboolean         _lt_backend_supports_op  (LtDevice   device,
                                           LtOp       op,
                                           LtDType    dtype);
void             _lt_backends_set_num_threads (int n_threads);
int              _lt_backends_get_num_threads (void);

/* Constructors the registry calls */
const LtBackend *_lt_cpu_backend_get      (void);
const LtBackend *_lt_cuda_backend_get     (GError **error);
/* The CUDA backend with device @index made the calling thread's current
 * one (its allocations, transfers and kernels go there); a GError for an
 * index past the devices there are */
const LtBackend *_lt_cuda_backend_get_device (int       index,
                                              GError  **error);

G_END_DECLS
