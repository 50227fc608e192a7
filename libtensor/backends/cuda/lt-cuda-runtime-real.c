/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <cuda_runtime_api.h>
#include <cublas_v2.h>

#include "lt-cuda-private.h"

/*
 * The real runtime: cudart (linked shared, never libcuda, so the library
 * loads on a machine without a driver: cudaGetDeviceCount fails there and
 * the backend says CUDA is unavailable) and cuBLAS for the float matrix
 * products, its handle bound to the backend's stream. Kernels are
 * lt-cuda-kernels.cu and lt-cuda-kernels-math.cu compiled by nvcc
 * (_lt_cu_kernels_device, _lt_cu_math_kernels_device).
 */

/* cuBLAS statuses travel as 20000 + cublasStatus_t */
#define CUBLAS_BASE 20000

static int
real_device_count (int *n)
{
  return (int) cudaGetDeviceCount (n);
}

static int
real_device_name (int device, char *buf, size_t len)
{
  struct cudaDeviceProp prop;
  cudaError_t           e = cudaGetDeviceProperties (&prop, device);

  if (e == cudaSuccess)
    g_strlcpy (buf, prop.name, len);
  return (int) e;
}

static int
real_set_device (int device)
{
  return (int) cudaSetDevice (device);
}

static int
real_memcpy_peer_async (void       *dst,
                        int         dst_device,
                        const void *src,
                        int         src_device,
                        size_t      nbytes,
                        void       *stream)
{
  return (int) cudaMemcpyPeerAsync (dst, dst_device, src, src_device, nbytes,
                                    (cudaStream_t) stream);
}

static int
real_host_alloc (void **ptr, size_t nbytes)
{
  /* portable: every device's copies read it without staging */
  return (int) cudaHostAlloc (ptr, nbytes, cudaHostAllocPortable);
}

static int
real_host_free (void *ptr)
{
  return (int) cudaFreeHost (ptr);
}

static int
real_mem_get_info (size_t *free_bytes, size_t *total_bytes)
{
  return (int) cudaMemGetInfo (free_bytes, total_bytes);
}

static int
real_malloc (void **ptr, size_t nbytes)
{
  return (int) cudaMalloc (ptr, nbytes);
}

static int
real_free (void *ptr)
{
  return (int) cudaFree (ptr);
}

static int
real_memcpy_async (void *dst, const void *src, size_t nbytes, LtCudaCopyKind kind, void *stream)
{
  enum cudaMemcpyKind k = kind == LT_CUDA_H2D   ? cudaMemcpyHostToDevice
                          : kind == LT_CUDA_D2H ? cudaMemcpyDeviceToHost
                                                : cudaMemcpyDeviceToDevice;

  return (int) cudaMemcpyAsync (dst, src, nbytes, k, (cudaStream_t) stream);
}

static int
real_memset_async (void *dst, int value, size_t nbytes, void *stream)
{
  return (int) cudaMemsetAsync (dst, value, nbytes, (cudaStream_t) stream);
}

static int
real_stream_create (void **stream)
{
  return (int) cudaStreamCreateWithFlags ((cudaStream_t *) stream, cudaStreamNonBlocking);
}

static int
real_stream_synchronize (void *stream)
{
  return (int) cudaStreamSynchronize ((cudaStream_t) stream);
}

static int
real_get_last_error (void)
{
  return (int) cudaGetLastError ();
}

static const char *
real_error_string (int status)
{
  if (status == LT_CU_UNSUPPORTED)
    return "no kernel for these types";
  if (status >= CUBLAS_BASE)
    return cublasGetStatusString ((cublasStatus_t) (status - CUBLAS_BASE));
  return cudaGetErrorString ((cudaError_t) status);
}

/* cuBLAS is column-major: the row-major C = A B is C^T = B^T A^T, and a
 * row-major matrix read column-major is its transpose. A handle belongs to
 * the device current when it was made: one per device. */
#define MAX_DEVICES 16
static cublasHandle_t handles[MAX_DEVICES];
static GMutex         handle_lock;

static gboolean
layout (int64_t rs, int64_t cs, int64_t rows, int64_t cols, cublasOperation_t *op, int64_t *ld)
{
  if (cs == 1 || cols == 1)
    {
      *op = CUBLAS_OP_N;
      *ld = MAX (MAX (rs, cols), 1);
      return TRUE;
    }
  if (rs == 1 || rows == 1)
    {
      *op = CUBLAS_OP_T;
      *ld = MAX (MAX (cs, rows), 1);
      return TRUE;
    }
  return FALSE;
}

static int
real_blas_gemm (void *stream, const LtCuGemm *g)
{
  cublasOperation_t opa, opb;
  int64_t           lda, ldb;
  cublasStatus_t    s;
  cublasHandle_t    handle;
  int               device = 0;

  if ((g->dtype != LT_CU_F32 && g->dtype != LT_CU_F64) || g->k == 0 || g->c_cs != 1 ||
      !layout (g->a_rs, g->a_cs, g->m, g->k, &opa, &lda) ||
      !layout (g->b_rs, g->b_cs, g->k, g->n, &opb, &ldb) || g->m > G_MAXINT || g->n > G_MAXINT ||
      g->k > G_MAXINT || g->batch > G_MAXINT)
    return LT_CU_UNSUPPORTED;
  if (cudaGetDevice (&device) != cudaSuccess || device < 0 || device >= MAX_DEVICES)
    return LT_CU_UNSUPPORTED;
  g_mutex_lock (&handle_lock);
  if (handles[device] == NULL && (s = cublasCreate (&handles[device])) != CUBLAS_STATUS_SUCCESS)
    {
      g_mutex_unlock (&handle_lock);
      return CUBLAS_BASE + (int) s;
    }
  handle = handles[device];
  s = cublasSetStream (handle, (cudaStream_t) stream);
  if (s == CUBLAS_STATUS_SUCCESS && g->dtype == LT_CU_F32)
    {
      float alpha = (float) g->alpha, beta = (float) g->beta;

      s = cublasSgemmStridedBatched (handle, opb, opa, (int) g->n, (int) g->m, (int) g->k, &alpha,
                                     g->b, (int) ldb, g->b_bs, g->a, (int) lda, g->a_bs, &beta,
                                     g->c, (int) MAX (g->c_rs, 1), g->c_bs, (int) g->batch);
    }
  else if (s == CUBLAS_STATUS_SUCCESS)
    s = cublasDgemmStridedBatched (handle, opb, opa, (int) g->n, (int) g->m, (int) g->k, &g->alpha,
                                   g->b, (int) ldb, g->b_bs, g->a, (int) lda, g->a_bs, &g->beta,
                                   g->c, (int) MAX (g->c_rs, 1), g->c_bs, (int) g->batch);
  g_mutex_unlock (&handle_lock);
  return s == CUBLAS_STATUS_SUCCESS ? LT_CU_OK : CUBLAS_BASE + (int) s;
}

static const LtCudaRuntime real = {
  .name = "cuda",
  .device_count = real_device_count,
  .device_name = real_device_name,
  .set_device = real_set_device,
  .mem_get_info = real_mem_get_info,
  .malloc = real_malloc,
  .free = real_free,
  .memcpy_async = real_memcpy_async,
  .memset_async = real_memset_async,
  .memcpy_peer_async = real_memcpy_peer_async,
  .host_alloc = real_host_alloc,
  .host_free = real_host_free,
  .stream_create = real_stream_create,
  .stream_synchronize = real_stream_synchronize,
  .get_last_error = real_get_last_error,
  .error_string = real_error_string,
  .kernels = &_lt_cu_kernels_device,
  .blas_gemm = real_blas_gemm,
  .math_kernels = &_lt_cu_math_kernels_device,
  .index_kernels = &_lt_cu_index_kernels_device,
  .scan_kernels = &_lt_cu_scan_kernels_device,
  .fused_kernels = &_lt_cu_fused_kernels_device,
  .linalg_kernels = &_lt_cu_linalg_kernels_device,
};

const LtCudaRuntime *
_lt_cuda_runtime_real (void)
{
  return &real;
}
