/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The CUDA backend's private parts.
 *
 * The backend reaches the CUDA runtime only through an LtCudaRuntime, a
 * table of function pointers with three implementations:
 * - lt-cuda-runtime-real.c: cudart and cuBLAS (a GPU);
 * - lt-cuda-runtime-emulated.c: the emulated device, chosen only by
 *   LT_CUDA_EMULATE=1: device memory is host memory with sentinel bytes
 *   after every buffer (checked when it is freed), kernels are
 *   lt-cuda-kernels.cu and lt-cuda-kernels-math.cu compiled for the host
 *   through the launch shim;
 * - lt-cuda-runtime-fake.c: the emulated device with failures injected on
 *   request (tests): out of memory at the Nth allocation, a sticky error,
 *   a failed launch (of any kernel file's launchers; those of the math,
 *   index, scan, fused and linalg files are gated in
 *   lt-cuda-fake-kernels.c).
 * Every call returns a status (lt-cuda-kernels-private.h: cudaError_t values).
 *
 * lt-cuda-alloc.c is the caching allocator, lt-cuda-backend.c the device
 * state (stream, sticky errors, the device-side error word), the vtable and
 * the kernels' glue, which turns statuses into GErrors; lt-cuda-backend-math.c,
 * lt-cuda-backend-index.c and lt-cuda-backend-scan.c the glue of
 * lt-cuda-kernels-math.cu, lt-cuda-kernels-index.cu and
 * lt-cuda-kernels-scan.cu; lt-cuda-backend-fused.c the launch counter and
 * the glue of lt-cuda-kernels-fused.cu (multi-tensor kernels).
 */

#include "backends/lt-backend-private.h"
#include "lt-cuda-kernels-private.h"
#include "lt-cuda-kernels-math-private.h"
#include "lt-cuda-kernels-index-private.h"
#include "lt-cuda-kernels-scan-private.h"
#include "lt-cuda-kernels-fused-private.h"
#include "lt-cuda-kernels-linalg-private.h"

G_BEGIN_DECLS

typedef enum {
  LT_CUDA_H2D,
  LT_CUDA_D2H,
  LT_CUDA_D2D,
} LtCudaCopyKind;

typedef struct _LtCudaRuntime LtCudaRuntime;

struct _LtCudaRuntime
{
  const char *name;             /* "cuda", "emulated", "fake" */
  int (*device_count)       (int *n);
  int (*device_name)        (int device, char *buf, size_t len);
  /* Makes @device the calling thread's current one: mem_get_info, malloc,
   * stream_create and host_alloc are about it (cudaSetDevice) */
  int (*set_device)         (int device);
  int (*mem_get_info)       (size_t *free_bytes, size_t *total_bytes);
  int (*malloc)             (void **ptr, size_t nbytes);
  int (*free)               (void *ptr);
  int (*memcpy_async)       (void *dst, const void *src, size_t nbytes, LtCudaCopyKind kind,
                             void *stream);
  int (*memset_async)       (void *dst, int value, size_t nbytes, void *stream);
  /* A copy between the memories of two devices, queued on @stream (of the
   * current device) */
  int (*memcpy_peer_async)  (void *dst, int dst_device, const void *src, int src_device,
                             size_t nbytes, void *stream);
  /* Page-locked host memory, which copies to a device read without
   * staging, so they may run while the host goes on (cudaHostAlloc) */
  int (*host_alloc)         (void **ptr, size_t nbytes);
  int (*host_free)          (void *ptr);
  int (*stream_create)      (void **stream);
  int (*stream_synchronize) (void *stream);
  int (*get_last_error)     (void);  /* returns and clears a non-sticky error */
  const char *(*error_string) (int status);
  const LtCuKernels *kernels;
  /* C = A B by a BLAS library (cuBLAS); LT_CU_UNSUPPORTED for a layout or
   * dtype it does not take. NULL: the gemm kernel does all. */
  int (*blas_gemm)          (void *stream, const LtCuGemm *g);
  /* lt-cuda-kernels-math.cu's launchers */
  const LtCuMathKernels *math_kernels;
  /* lt-cuda-kernels-index.cu's and lt-cuda-kernels-scan.cu's launchers */
  const LtCuIndexKernels *index_kernels;
  const LtCuScanKernels *scan_kernels;
  /* lt-cuda-kernels-fused.cu's (multi-tensor steps, cross_entropy) and
   * lt-cuda-kernels-linalg.cu's (batch_norm, linear algebra) launchers */
  const LtCuFusedKernels  *fused_kernels;
  const LtCuLinalgKernels *linalg_kernels;
};

/* An error after which every call fails (the context is lost) */
gboolean _lt_cuda_status_is_sticky (int status);

const LtCudaRuntime *_lt_cuda_runtime_real     (void);
const LtCudaRuntime *_lt_cuda_runtime_emulated (void);

/* The emulated device's memory: @capacity bytes (0: 8 GiB) */
void   _lt_cuda_emulated_set_capacity (size_t capacity);
/* How many emulated devices there are: LT_CUDA_EMULATE=N in the
 * environment (1 for any other value), or @n (tests; 0 goes back to the
 * environment's) */
void   _lt_cuda_emulated_set_device_count (int n);
/* Page-locked buffers the emulated runtime holds now */
gsize  _lt_cuda_emulated_n_host_buffers (void);
/* Buffers freed with their sentinel bytes overwritten since the start */
gsize  _lt_cuda_emulated_n_corrupted  (void);

/* The fake runtime (tests): the emulated device with failures on request.
 * Counts start at the call that sets them; 0 means never. */
typedef struct
{
  guint fail_malloc_at;        /* the Nth cudaMalloc from now fails (out of memory) */
  guint fail_malloc_times;     /* ... and that many after it (0 = 1) */
  guint sticky_at_launch;      /* the Nth launch from now (on any device) loses the
                                * context of the device it runs on: it and every later
                                * call about that device fail with an illegal address;
                                * the other devices go on */
  guint fail_launch_at;        /* the Nth launch fails on its own (not sticky) */
  gsize capacity;              /* device memory (0: 1 GiB) */
} LtCudaFakeConfig;

typedef struct
{
  guint n_malloc;
  guint n_free;
  guint n_launch;
  guint n_sync;                /* stream synchronisations */
  gsize bytes_in_use;
} LtCudaFakeCounts;

const LtCudaRuntime *_lt_cuda_runtime_fake        (const LtCudaFakeConfig *config);
void                 _lt_cuda_fake_get_counts     (LtCudaFakeCounts *counts);
/* New failures counted from now, on the device as it is (the runtime
 * already in use; nothing is reset but the counts of mallocs and launches
 * seen) */
void                 _lt_cuda_fake_arm            (const LtCudaFakeConfig *config);
/* lt-cuda-fake-kernels.c: every launcher of the fake runtime passes here
 * first; 0 to go on, or the injected failure */
int                  _lt_cuda_fake_launch_gate    (void);
extern const LtCuMathKernels   _lt_cuda_fake_math_kernels;
extern const LtCuIndexKernels  _lt_cuda_fake_index_kernels;
extern const LtCuScanKernels   _lt_cuda_fake_scan_kernels;
extern const LtCuFusedKernels  _lt_cuda_fake_fused_kernels;
extern const LtCuLinalgKernels _lt_cuda_fake_linalg_kernels;

/* The backend: which runtime it uses (tests replace it; NULL goes back to
 * the choice from the environment). Resets the device. */
void             _lt_cuda_backend_set_runtime (const LtCudaRuntime *runtime);
const LtBackend *_lt_cuda_backend_get         (GError **error);

/* The caching allocator (lt-cuda-alloc.c) */
typedef struct
{
  gsize allocated;             /* bytes in blocks handed out */
  gsize reserved;              /* bytes obtained from the runtime */
  gsize peak_allocated;
  guint64 n_device_malloc;     /* runtime mallocs and frees since the start */
  guint64 n_device_free;
  guint64 n_oom_retries;       /* times the cache was emptied to retry */
} LtCudaAllocStats;

void     _lt_cuda_alloc_init       (const LtCudaRuntime *runtime);
gpointer _lt_cuda_alloc            (gsize nbytes, GError **error);
void     _lt_cuda_free             (gpointer ptr);
void     _lt_cuda_alloc_empty_cache (void);
void     _lt_cuda_alloc_get_stats  (LtCudaAllocStats *stats);
void     _lt_cuda_alloc_reset_peak (void);
/* Forgets every block (after the runtime was replaced or lost) */
void     _lt_cuda_alloc_reset      (void);

/* The calling thread's current device: the index of the last
 * _lt_cuda_backend_get_device on this thread (0 before any) */
int      _lt_cuda_current_device   (void);

/* Status to GError, for the backend's files */
gboolean _lt_cuda_check (int status, const char *what, GError **error);

/* lt-cuda-backend.c's device state and glue, for lt-cuda-backend-math.c */
typedef struct _LtTensor LtTensor;
gboolean             _lt_cuda_usable       (GError **error);
gboolean             _lt_cuda_after_launch (int status, LtOp op, GError **error);
void                 _lt_cuda_iter_build   (LtCuIter *it, LtTensor **ops, guint n);
const LtCudaRuntime *_lt_cuda_runtime      (void);
void                *_lt_cuda_stream       (void);
LtCuErrorWord       *_lt_cuda_error_word   (void);
/* The kept and reduced dims of a reduction of @x into @out (@idx: the
 * positions, nullable) over @dims (every dim with @all) */
void _lt_cuda_reduce_geometry (LtCuReduce  *r,
                               LtTensor    *x,
                               LtTensor    *out,
                               LtTensor    *idx,
                               gboolean     all,
                               const guint *dims,
                               guint        n_dims);
/* Fills in the kernels of lt-cuda-backend-math.c */
void                 _lt_cuda_backend_math_init (LtBackend *backend);
/* What the backend's other kernel files (lt-cuda-backend-index.c) launch
 * with: the runtime, the stream, the device-side error word. */
typedef struct
{
  const LtCudaRuntime *rt;
  void                *stream;
  LtCuErrorWord       *err_word;
} LtCudaLaunch;

/* Fills @launch; FALSE with @error set when the device is unusable */
gboolean _lt_cuda_launch_begin (LtCudaLaunch *launch, GError **error);
/* C = A B by the runtime's BLAS, or the gemm kernel for what it does not take */
int      _lt_cuda_gemm         (const LtCuGemm *g);
/* Sets the kernels of lt-cuda-backend-index.c in @backend's table */
void     _lt_cuda_backend_index_init (LtBackend *backend);
/* Sets the kernels of lt-cuda-backend-scan.c (sorting, scans, recurrent
 * cells) in @backend's table */
void     _lt_cuda_backend_scan_init  (LtBackend *backend);

/* Sets the kernels of lt-cuda-backend-linalg.c (batch_norm, the linalg
 * decompositions) in @backend's table */
void     _lt_cuda_backend_linalg_init (LtBackend *backend);
/* The GError of a LT_CU_ERRW_LINALG error word: the CPU kernel's message */
void     _lt_cuda_linalg_error        (const LtCuErrorWord *word, GError **error);

/* lt-cuda-backend-fused.c: the multi-tensor kernels (@backend's
 * multi_tensor), and the launch counter: every kernel launch and cuBLAS
 * call since the start, on device @device (tests). */
void     _lt_cuda_backend_fused_init (LtBackend *backend);
void     _lt_cu_note_launch          (void);
guint64  _lt_cuda_launch_count       (int device);
/* Whether the backend offers its fused kernels (tests compare both ways;
 * on by default). Takes effect once the backend is set up. */
void     _lt_cuda_set_fused          (gboolean fused);

G_END_DECLS
