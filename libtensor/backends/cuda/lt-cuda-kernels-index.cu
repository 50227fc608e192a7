/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's indexing, convolution and pooling kernels and their
 * launchers (lt-cuda-kernels-index-private.h). One source, two compilations,
 * as lt-cuda-kernels.cu: nvcc for the GPU, g++ through the launch shim for
 * the emulated device. No GLib here.
 *
 * Results match the CPU backend's kernels (backends/cpu/lt-cpu-index.c,
 * lt-cpu-conv.c, lt-cpu-pooling.c); where several elements add into one,
 * one thread adds them in the CPU's order instead of racing with atomics,
 * so sums are deterministic and equal to the CPU's:
 *
 *   index_add      a thread per (outer, inner) slice walks the index
 *   scatter_add, scatter
 *                  a thread per line along dim walks it
 *   index_put      a thread per column of the rows walks the tuples
 *   col2im, the pooling gradients
 *                  a thread per input element gathers from the outputs
 *                  whose windows hold it, in increasing output order
 *
 * An index out of range is recorded in the device-side error word (the
 * first one: the LtOp, the index, the size) and its element is skipped.
 */

#include "lt-cuda-shim-private.h"
#include "lt-cuda-kernels-index-private.h"

#define LT_CU_INDEX_NS_(ns) ns##_index
#define LT_CU_INDEX_NS_X(ns) LT_CU_INDEX_NS_ (ns)
#define LT_CU_INDEX_NS LT_CU_INDEX_NS_X (LT_CU_NS)

#ifdef __CUDACC__
#define LT_CU_INDEX_KERNELS_NAME _lt_cu_index_kernels_device
#else
#define LT_CU_INDEX_KERNELS_NAME _lt_cu_index_kernels_emulated
#endif

namespace LT_CU_INDEX_NS
{

#include "lt-cuda-kernels-common-private.h"

#define SCAN_THREADS 256

__device__ __forceinline__ void
record_index_error (LtCuErrorWord *err, int code, int op, int64_t value, int64_t bound)
{
  if (atomicCAS (&err->code, 0, code) == 0)
    {
      err->op = op;
      err->value = value;
      err->bound = bound;
    }
}

__device__ __forceinline__ bool
index_ok (LtCuErrorWord *err, int op, int64_t v, int64_t size)
{
  if (v >= 0 && v < size)
    return true;
  record_index_error (err, LT_CU_ERRW_INDEX, op, v, size);
  return false;
}

/* Elements moved as bits: the unsigned type of a dtype's size */
#define DISPATCH_BITS(dt, T, code)                                           \
  switch (dt)                                                                \
    {                                                                        \
    case LT_CU_F64: case LT_CU_I64: { typedef uint64_t T; code; } break;     \
    case LT_CU_F32: case LT_CU_I32: { typedef uint32_t T; code; } break;     \
    case LT_CU_I16: { typedef uint16_t T; code; } break;                     \
    case LT_CU_I8: case LT_CU_U8: case LT_CU_BOOL: { typedef uint8_t T; code; } break; \
    default: return LT_CU_UNSUPPORTED;                                       \
    }

/* d += s, integers wrapping as the CPU's (T) (d + s) */
template <typename T>
__device__ __forceinline__ void
add_elem (void *base, int64_t di, const void *sbase, int64_t si)
{
  if constexpr (__is_same (T, Bool8))
    static_cast<uint8_t *> (base)[di] |= static_cast<const uint8_t *> (sbase)[si];
  else
    {
      T *d = static_cast<T *> (base) + di;
      *d = (T) (*d + static_cast<const T *> (sbase)[si]);
    }
}

/* ---- index_select, index_add ---- */

template <typename T>
__global__ void
k_index_select (T *out, const T *x, const int64_t *idx, int64_t n_idx, int64_t outer,
                int64_t size, int64_t inner, int op, LtCuErrorWord *err)
{
  int64_t total = outer * n_idx * inner;
  GRID_STRIDE_LOOP (e, total)
    {
      int64_t k = e % inner, r = e / inner, j = r % n_idx, o = r / n_idx, v = idx[j];
      if (index_ok (err, op, v, size))
        out[e] = x[(o * size + v) * inner + k];
    }
}

int
launch_index_select (void *stream, void *out, const void *x, const int64_t *idx, int64_t n_idx,
                     int64_t outer, int64_t size, int64_t inner, int dtype, int op,
                     LtCuErrorWord *err)
{
  int64_t total = outer * n_idx * inner;
  unsigned g = grid_for (total, THREADS);
  if (total == 0)
    return LT_CU_OK;
  DISPATCH_BITS (dtype, T,
                 LT_LAUNCH (k_index_select<T>, g, THREADS, stream, static_cast<T *> (out),
                            static_cast<const T *> (x), idx, n_idx, outer, size, inner, op, err));
  return LT_LAUNCH_STATUS ();
}

template <typename T>
__global__ void
k_index_add (void *out, const void *src, const int64_t *idx, int64_t n_idx, int64_t outer,
             int64_t size, int64_t inner, int op, LtCuErrorWord *err)
{
  GRID_STRIDE_LOOP (e, outer * inner)
    {
      int64_t k = e % inner, o = e / inner;
      for (int64_t j = 0; j < n_idx; j++)
        {
          int64_t v = idx[j];
          if (index_ok (err, op, v, size))
            add_elem<T> (out, (o * size + v) * inner + k, src, (o * n_idx + j) * inner + k);
        }
    }
}

int
launch_index_add (void *stream, void *out, const void *src, const int64_t *idx, int64_t n_idx,
                  int64_t outer, int64_t size, int64_t inner, int dtype, int op,
                  LtCuErrorWord *err)
{
  unsigned g = grid_for (outer * inner, THREADS);
  if (outer * inner == 0 || n_idx == 0)
    return LT_CU_OK;
  DISPATCH (dtype, T,
                LT_LAUNCH (k_index_add<T>, g, THREADS, stream, out, src, idx, n_idx, outer, size,
                           inner, op, err));
  return LT_LAUNCH_STATUS ();
}

/* ---- gather, scatter_add ---- */

/* The offset in @t of the element at @coord, with coordinate @dim replaced
 * by @v (no dim: -1) */
__device__ __forceinline__ int64_t
offset_at (const LtCuTensor &t, const int64_t *coord, int dim, int64_t v)
{
  int64_t off = 0;
  for (int d = 0; d < t.ndim; d++)
    off += (d == dim ? v : coord[d]) * t.stride[d];
  return off;
}

template <typename T>
__global__ void
k_gather (LtCuTensor out, LtCuTensor x, LtCuTensor idx, int dim, int op, LtCuErrorWord *err)
{
  int64_t size = x.ndim ? x.shape[dim] : 1;
  GRID_STRIDE_LOOP (e, idx.numel)
    {
      int64_t coord[LT_CU_MAX_DIMS], m = e;
      for (int d = idx.ndim - 1; d >= 0; d--)
        {
          coord[d] = m % idx.shape[d];
          m /= idx.shape[d];
        }
      int64_t v = static_cast<const int64_t *> (idx.data)[offset_at (idx, coord, -1, 0)];
      if (index_ok (err, op, v, size))
        static_cast<T *> (out.data)[offset_at (out, coord, -1, 0)] =
          static_cast<const T *> (x.data)[offset_at (x, coord, dim, v)];
    }
}

int
launch_gather (void *stream, const LtCuTensor *out, const LtCuTensor *x, const LtCuTensor *idx,
               int dim, int op, LtCuErrorWord *err)
{
  unsigned g = grid_for (idx->numel, THREADS);
  if (idx->numel == 0)
    return LT_CU_OK;
  DISPATCH_BITS (out->dtype, T,
                 LT_LAUNCH (k_gather<T>, g, THREADS, stream, *out, *x, *idx, dim, op, err));
  return LT_LAUNCH_STATUS ();
}

/* The coordinates of the first element of line @e of @idx along @dim
 * (coord[dim] = 0): the lines of scatter and scatter_add. */
__device__ __forceinline__ void
line_start (const LtCuTensor &idx, int dim, int64_t e, int64_t *coord)
{
  for (int d = idx.ndim - 1; d >= 0; d--)
    {
      if (d == dim)
        {
          coord[d] = 0;
          continue;
        }
      coord[d] = e % idx.shape[d];
      e /= idx.shape[d];
    }
}

/* One thread per line of @idx along @dim: the elements that may add into
 * one output element, in the CPU's order. */
template <typename T>
__global__ void
k_scatter_add (LtCuTensor out, LtCuTensor src, LtCuTensor idx, int dim, int op,
               LtCuErrorWord *err)
{
  int64_t len = idx.ndim ? idx.shape[dim] : 1;
  int64_t size = out.ndim ? out.shape[dim] : 1;
  int64_t lines = len ? idx.numel / len : 0;
  GRID_STRIDE_LOOP (e, lines)
    {
      int64_t coord[LT_CU_MAX_DIMS];
      line_start (idx, dim, e, coord);
      for (int64_t i = 0; i < len; i++)
        {
          if (idx.ndim)
            coord[dim] = i;
          int64_t v = static_cast<const int64_t *> (idx.data)[offset_at (idx, coord, -1, 0)];
          if (index_ok (err, op, v, size))
            add_elem<T> (out.data, offset_at (out, coord, out.ndim ? dim : -1, v), src.data,
                         offset_at (src, coord, -1, 0));
        }
    }
}

int
launch_scatter_add (void *stream, const LtCuTensor *out, const LtCuTensor *src,
                    const LtCuTensor *idx, int dim, int op, LtCuErrorWord *err)
{
  unsigned g = grid_for (idx->numel, THREADS);
  if (idx->numel == 0)
    return LT_CU_OK;
  DISPATCH (out->dtype, T,
                LT_LAUNCH (k_scatter_add<T>, g, THREADS, stream, *out, *src, *idx, dim, op, err));
  return LT_LAUNCH_STATUS ();
}

/* ---- masks: an exclusive prefix sum of the mask in one block ---- */

/* scratch[i] = the number of true elements before i; scratch[n] = all of
 * them. Each thread counts a stretch, the block scans the counts, each
 * thread writes its stretch's sums. */
__global__ void
k_mask_scan (const uint8_t *mask, int64_t n, int64_t *scratch, int64_t n_src, int op,
             LtCuErrorWord *err)
{
  __shared__ int64_t part[SCAN_THREADS];
  int64_t per = (n + blockDim.x - 1) / blockDim.x;
  int64_t b = threadIdx.x * per, e = b + per < n ? b + per : n, c = 0;

  for (int64_t i = b; i < e; i++)
    c += mask[i] != 0;
  part[threadIdx.x] = c;
  __syncthreads ();
  if (threadIdx.x == 0)
    {
      int64_t run = 0;
      for (unsigned t = 0; t < blockDim.x; t++)
        {
          int64_t v = part[t];
          part[t] = run;
          run += v;
        }
      scratch[n] = run;
      if (err && run > n_src)
        record_index_error (err, LT_CU_ERRW_MASK_COUNT, op, run, n_src);
    }
  __syncthreads ();
  c = part[threadIdx.x];
  for (int64_t i = b; i < e; i++)
    {
      scratch[i] = c;
      c += mask[i] != 0;
    }
}

template <typename T>
__global__ void
k_masked_select (T *out, int64_t n_out, const T *x, const uint8_t *mask, int64_t n,
                 const int64_t *scratch)
{
  GRID_STRIDE_LOOP (i, n)
    if (mask[i] && scratch[i] < n_out)
      out[scratch[i]] = x[i];
}

int
launch_masked_select (void *stream, void *out, int64_t n_out, const void *x, const uint8_t *mask,
                      int64_t n, int64_t *scratch, int dtype)
{
  unsigned g = grid_for (n, THREADS);
  if (n == 0 || n_out == 0)
    return LT_CU_OK;
  LT_LAUNCH_COOP (k_mask_scan, 1, SCAN_THREADS, stream, mask, n, scratch, (int64_t) 0, 0,
                  (LtCuErrorWord *) nullptr);
  if (LT_LAUNCH_STATUS () != LT_CU_OK)
    return LT_LAUNCH_STATUS ();
  DISPATCH_BITS (dtype, T,
                 LT_LAUNCH (k_masked_select<T>, g, THREADS, stream, static_cast<T *> (out), n_out,
                            static_cast<const T *> (x), mask, n, scratch));
  return LT_LAUNCH_STATUS ();
}

template <typename T>
__global__ void
k_masked_scatter (T *out, const uint8_t *mask, int64_t n, const T *src, int64_t n_src,
                  const int64_t *scratch)
{
  GRID_STRIDE_LOOP (i, n)
    if (mask[i] && scratch[i] < n_src)
      out[i] = src[scratch[i]];
}

int
launch_masked_scatter (void *stream, void *out, const uint8_t *mask, int64_t n, const void *src,
                       int64_t n_src, int64_t *scratch, int dtype, int op, LtCuErrorWord *err)
{
  unsigned g = grid_for (n, THREADS);
  if (n == 0)
    return LT_CU_OK;
  LT_LAUNCH_COOP (k_mask_scan, 1, SCAN_THREADS, stream, mask, n, scratch, n_src, op, err);
  if (LT_LAUNCH_STATUS () != LT_CU_OK)
    return LT_LAUNCH_STATUS ();
  DISPATCH_BITS (dtype, T,
                 LT_LAUNCH (k_masked_scatter<T>, g, THREADS, stream, static_cast<T *> (out), mask,
                            n, static_cast<const T *> (src), n_src, scratch));
  return LT_LAUNCH_STATUS ();
}

/* ---- one_hot ---- */

__global__ void
k_one_hot (int64_t *out, const int64_t *x, int64_t n, int64_t classes, int op, LtCuErrorWord *err)
{
  GRID_STRIDE_LOOP (e, n * classes)
    {
      int64_t i = e / classes, c = e - i * classes, v = x[i];
      if (c == 0)
        index_ok (err, op, v, classes);
      out[e] = v == c;
    }
}

int
launch_one_hot (void *stream, int64_t *out, const int64_t *x, int64_t n, int64_t classes, int op,
                LtCuErrorWord *err)
{
  if (n * classes == 0)
    return LT_CU_OK;
  LT_LAUNCH (k_one_hot, grid_for (n * classes, THREADS), THREADS, stream, out, x, n, classes, op,
             err);
  return LT_LAUNCH_STATUS ();
}

/* ---- take, index_put, scatter, nonzero ---- */

/* d = s, d += s or d *= s (LtCuCoords' mode), integers wrapping as the
 * CPU's (T) (d op s); bools or for add, and for multiply */
template <typename T>
__device__ __forceinline__ void
combine_elem (void *base, int64_t di, const void *sbase, int64_t si, int mode)
{
  if constexpr (__is_same (T, Bool8))
    {
      uint8_t *d = static_cast<uint8_t *> (base) + di;
      uint8_t  v = static_cast<const uint8_t *> (sbase)[si];
      *d = mode == 1 ? (uint8_t) (*d || v) : mode == 2 ? (uint8_t) (*d && v) : v;
    }
  else
    {
      T *d = static_cast<T *> (base) + di;
      T  v = static_cast<const T *> (sbase)[si];
      *d = mode == 1 ? (T) (*d + v) : mode == 2 ? (T) (*d * v) : v;
    }
}

/* rows[j] = the row that coordinate tuple j names; an index out of range
 * is recorded and sets rows[m] */
__global__ void
k_coord_rows (const int64_t *idx, LtCuCoords c, int64_t *rows, int op, LtCuErrorWord *err)
{
  GRID_STRIDE_LOOP (j, c.m)
    {
      int64_t row = 0;
      for (int d = 0; d < c.k; d++)
        {
          int64_t v = idx[d * c.m + j], size = c.size[d];
          if (v < -size || v >= size)
            {
              record_index_error (err, LT_CU_ERRW_INDEX, op, v, size);
              rows[c.m] = 1;
              row = 0;
              break;
            }
          row = row * size + (v < 0 ? v + size : v);
        }
      rows[j] = row;
    }
}

template <typename T>
__global__ void
k_take (T *out, const T *x, LtCuCoords c, const int64_t *rows)
{
  if (rows[c.m])
    return;
  GRID_STRIDE_LOOP (e, c.m * c.inner)
    {
      int64_t j = e / c.inner, q = e - j * c.inner;
      out[e] = x[rows[j] * c.inner + q];
    }
}

int
launch_take (void *stream, void *out, const void *x, const int64_t *idx, const LtCuCoords *c,
             int64_t *rows, int op, LtCuErrorWord *err)
{
  int64_t total = c->m * c->inner;
  if (c->m == 0)
    return LT_CU_OK;
  LT_LAUNCH (k_coord_rows, grid_for (c->m, THREADS), THREADS, stream, idx, *c, rows, op, err);
  if (LT_LAUNCH_STATUS () != LT_CU_OK || total == 0)
    return LT_LAUNCH_STATUS ();
  DISPATCH_BITS (c->dtype, T,
                 LT_LAUNCH (k_take<T>, grid_for (total, THREADS), THREADS, stream,
                            static_cast<T *> (out), static_cast<const T *> (x), *c, rows));
  return LT_LAUNCH_STATUS ();
}

/* One thread per column of the rows (q in [0, inner)) walks the tuples in
 * order, so a row named twice gets its writes, sums or products in the
 * CPU's order: deterministic, but serial in m (a single thread when the
 * rows are single elements). A GPU would rather sort the rows (stably,
 * keeping j's order) and give each distinct row a thread or a segmented
 * reduction, as PyTorch's index_put_ with accumulate does. */
template <typename T>
__global__ void
k_index_put (void *x, const void *v, LtCuCoords c, const int64_t *rows)
{
  if (rows[c.m])
    return;
  GRID_STRIDE_LOOP (q, c.inner)
    for (int64_t j = 0; j < c.m; j++)
      combine_elem<T> (x, rows[j] * c.inner + q, v, j * c.inner + q, c.mode);
}

int
launch_index_put (void *stream, void *x, const void *v, const int64_t *idx, const LtCuCoords *c,
                  int64_t *rows, int op, LtCuErrorWord *err)
{
  if (c->m == 0)
    return LT_CU_OK;
  LT_LAUNCH (k_coord_rows, grid_for (c->m, THREADS), THREADS, stream, idx, *c, rows, op, err);
  if (LT_LAUNCH_STATUS () != LT_CU_OK || c->inner == 0)
    return LT_LAUNCH_STATUS ();
  DISPATCH (c->dtype, T,
            LT_LAUNCH (k_index_put<T>, grid_for (c->inner, THREADS), THREADS, stream, x, v, *c,
                       rows));
  return LT_LAUNCH_STATUS ();
}

__global__ void
k_scatter_check (LtCuTensor idx, int64_t size, int64_t *flag, int op, LtCuErrorWord *err)
{
  GRID_STRIDE_LOOP (e, idx.numel)
    {
      int64_t coord[LT_CU_MAX_DIMS], m = e;
      for (int d = idx.ndim - 1; d >= 0; d--)
        {
          coord[d] = m % idx.shape[d];
          m /= idx.shape[d];
        }
      if (!index_ok (err, op, static_cast<const int64_t *> (idx.data)[offset_at (idx, coord, -1, 0)],
                     size))
        *flag = 1;
    }
}

/* One thread per line of @idx along @dim, as scatter_add: the elements
 * that may land on one output element are on one line, so walking it in
 * order gives the CPU's last write, sum or product. */
template <typename T>
__global__ void
k_scatter (LtCuTensor out, LtCuTensor src, LtCuTensor idx, int dim, int mode, const int64_t *flag)
{
  int64_t len = idx.ndim ? idx.shape[dim] : 1;
  int64_t lines = len ? idx.numel / len : 0;
  if (*flag)
    return;
  GRID_STRIDE_LOOP (e, lines)
    {
      int64_t coord[LT_CU_MAX_DIMS];
      line_start (idx, dim, e, coord);
      for (int64_t i = 0; i < len; i++)
        {
          if (idx.ndim)
            coord[dim] = i;
          int64_t v = static_cast<const int64_t *> (idx.data)[offset_at (idx, coord, -1, 0)];
          combine_elem<T> (out.data, offset_at (out, coord, out.ndim ? dim : -1, v), src.data,
                           offset_at (src, coord, -1, 0), mode);
        }
    }
}

int
launch_scatter (void *stream, const LtCuTensor *out, const LtCuTensor *src, const LtCuTensor *idx,
                int dim, int mode, int64_t *flag, int op, LtCuErrorWord *err)
{
  int64_t size = out->ndim ? out->shape[dim] : 1;
  if (idx->numel == 0)
    return LT_CU_OK;
  LT_LAUNCH (k_scatter_check, grid_for (idx->numel, THREADS), THREADS, stream, *idx, size, flag,
             op, err);
  if (LT_LAUNCH_STATUS () != LT_CU_OK)
    return LT_LAUNCH_STATUS ();
  DISPATCH (out->dtype, T,
            LT_LAUNCH (k_scatter<T>, grid_for (idx->numel, THREADS), THREADS, stream, *out, *src,
                       *idx, dim, mode, flag));
  return LT_LAUNCH_STATUS ();
}

template <typename T>
__device__ __forceinline__ bool
is_nonzero (const void *x, int64_t i)
{
  if constexpr (__is_same (T, Bool8))
    return static_cast<const uint8_t *> (x)[i] != 0;
  else
    return static_cast<const T *> (x)[i] != (T) 0;
}

/* One block: each thread counts the nonzero elements of its stretch, the
 * block scans the counts, each thread writes its stretch's coordinates
 * from its offset (rows past n_out are dropped: the tensor changed since
 * it was counted). */
template <typename T>
__global__ void
k_nonzero (int64_t *out, int64_t n_out, LtCuTensor x)
{
  __shared__ int64_t part[SCAN_THREADS];
  int64_t n = x.numel, per = (n + blockDim.x - 1) / blockDim.x;
  int64_t b = threadIdx.x * per, e = b + per < n ? b + per : n, c = 0;

  for (int64_t i = b; i < e; i++)
    c += is_nonzero<T> (x.data, i);
  part[threadIdx.x] = c;
  __syncthreads ();
  if (threadIdx.x == 0)
    {
      int64_t run = 0;
      for (unsigned t = 0; t < blockDim.x; t++)
        {
          int64_t v = part[t];
          part[t] = run;
          run += v;
        }
    }
  __syncthreads ();
  c = part[threadIdx.x];
  for (int64_t i = b; i < e && c < n_out; i++)
    if (is_nonzero<T> (x.data, i))
      {
        int64_t m = i;
        for (int d = x.ndim - 1; d >= 0; d--)
          {
            out[c * x.ndim + d] = m % x.shape[d];
            m /= x.shape[d];
          }
        c++;
      }
}

int
launch_nonzero (void *stream, int64_t *out, int64_t n_out, const LtCuTensor *x)
{
  if (n_out == 0 || x->numel == 0 || x->ndim == 0)
    return LT_CU_OK;
  DISPATCH (x->dtype, T, LT_LAUNCH_COOP (k_nonzero<T>, 1, SCAN_THREADS, stream, out, n_out, *x));
  return LT_LAUNCH_STATUS ();
}

/* ---- convolution: im2col, col2im, bias ---- */

template <typename T>
__global__ void
k_im2col (LtCuConvGeom g, const T *x, int64_t img0, int64_t n_img, T *col, int64_t cis,
          int64_t crs)
{
  int64_t L = g.oh * g.ow, R = g.c * g.kh * g.kw;
  GRID_STRIDE_LOOP (e, n_img * R * L)
    {
      int64_t l = e % L, r = (e / L) % R, n = e / (L * R);
      int64_t c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw;
      int64_t oh = l / g.ow, ow = l % g.ow;
      int64_t ih = oh * g.sh - g.ph + i * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
      T v = 0;
      if (ih >= 0 && ih < g.h && iw >= 0 && iw < g.w)
        v = x[(((img0 + n) * g.c + c) * g.h + ih) * g.w + iw];
      col[n * cis + r * crs + l] = v;
    }
}

int
launch_im2col (void *stream, const LtCuConvGeom *g, const void *x, int64_t img0, int64_t n_img,
               void *col, int64_t cis, int64_t crs)
{
  int64_t total = n_img * g->c * g->kh * g->kw * g->oh * g->ow;
  unsigned grid = grid_for (total, THREADS);
  if (total == 0)
    return LT_CU_OK;
  if (g->dtype == LT_CU_F32)
    LT_LAUNCH (k_im2col<float>, grid, THREADS, stream, *g, static_cast<const float *> (x), img0,
               n_img, static_cast<float *> (col), cis, crs);
  else if (g->dtype == LT_CU_F64)
    LT_LAUNCH (k_im2col<double>, grid, THREADS, stream, *g, static_cast<const double *> (x), img0,
               n_img, static_cast<double *> (col), cis, crs);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

/* The outputs o along one side whose window's tap t reads input position
 * p: o s - pad + t d = p. Returns whether there is one (in [0, n_out)). */
__device__ __forceinline__ bool
tap_output (int64_t p, int64_t t, int64_t s, int64_t pad, int64_t d, int64_t n_out, int64_t *o)
{
  int64_t q = p + pad - t * d;
  if (q < 0 || q % s != 0)
    return false;
  *o = q / s;
  return *o < n_out;
}

template <typename T>
__global__ void
k_col2im (LtCuConvGeom g, const T *col, int64_t cis, int64_t crs, T *x, int64_t img0,
          int64_t n_img)
{
  GRID_STRIDE_LOOP (e, n_img * g.c * g.h * g.w)
    {
      int64_t iw = e % g.w, ih = (e / g.w) % g.h, c = (e / (g.w * g.h)) % g.c;
      int64_t n = e / (g.w * g.h * g.c);
      double acc = 0;
      for (int64_t i = 0; i < g.kh; i++)
        {
          int64_t oh, ow;
          if (!tap_output (ih, i, g.sh, g.ph, g.dh, g.oh, &oh))
            continue;
          for (int64_t j = 0; j < g.kw; j++)
            if (tap_output (iw, j, g.sw, g.pw, g.dw, g.ow, &ow))
              acc += (double) col[n * cis + ((c * g.kh + i) * g.kw + j) * crs + oh * g.ow + ow];
        }
      x[(((img0 + n) * g.c + c) * g.h + ih) * g.w + iw] = (T) acc;
    }
}

int
launch_col2im (void *stream, const LtCuConvGeom *g, const void *col, int64_t cis, int64_t crs,
               void *x, int64_t img0, int64_t n_img)
{
  int64_t total = n_img * g->c * g->h * g->w;
  unsigned grid = grid_for (total, THREADS);
  if (total == 0)
    return LT_CU_OK;
  if (g->dtype == LT_CU_F32)
    LT_LAUNCH (k_col2im<float>, grid, THREADS, stream, *g, static_cast<const float *> (col), cis,
               crs, static_cast<float *> (x), img0, n_img);
  else if (g->dtype == LT_CU_F64)
    LT_LAUNCH (k_col2im<double>, grid, THREADS, stream, *g, static_cast<const double *> (col),
               cis, crs, static_cast<double *> (x), img0, n_img);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

/* out = out + bias[c] (bias non-NULL), then, with relu, relu's rule
 * v < 0 ? 0 : v (k_unary's): conv2d's bias and a ReLU fused after it
 * (LtConvParams.relu) in one pass, the bits of the add and the relu */
template <typename T>
__global__ void
k_add_bias (T *out, const T *bias, int64_t n, int64_t c, int64_t hw, int relu)
{
  GRID_STRIDE_LOOP (e, n * c * hw)
    {
      T v = bias ? out[e] + bias[(e / hw) % c] : out[e];
      out[e] = relu && v < 0 ? (T) 0 : v;
    }
}

int
launch_add_bias (void *stream, void *out, const void *bias, int64_t n, int64_t c, int64_t hw,
                 int relu, int dtype)
{
  unsigned g = grid_for (n * c * hw, THREADS);
  if (n * c * hw == 0 || (bias == NULL && !relu))
    return LT_CU_OK;
  if (dtype == LT_CU_F32)
    LT_LAUNCH (k_add_bias<float>, g, THREADS, stream, static_cast<float *> (out),
               static_cast<const float *> (bias), n, c, hw, relu);
  else if (dtype == LT_CU_F64)
    LT_LAUNCH (k_add_bias<double>, g, THREADS, stream, static_cast<double *> (out),
               static_cast<const double *> (bias), n, c, hw, relu);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

template <typename T>
__global__ void
k_bias_grad (T *gb, const T *grad, int64_t n, int64_t c, int64_t hw)
{
  GRID_STRIDE_LOOP (o, c)
    {
      double acc = 0;
      for (int64_t b = 0; b < n; b++)
        for (int64_t k = 0; k < hw; k++)
          acc += (double) grad[(b * c + o) * hw + k];
      gb[o] = (T) acc;
    }
}

int
launch_bias_grad (void *stream, void *gb, const void *grad, int64_t n, int64_t c, int64_t hw,
                  int dtype)
{
  unsigned g = grid_for (c, THREADS);
  if (c == 0)
    return LT_CU_OK;
  if (dtype == LT_CU_F32)
    LT_LAUNCH (k_bias_grad<float>, g, THREADS, stream, static_cast<float *> (gb),
               static_cast<const float *> (grad), n, c, hw);
  else if (dtype == LT_CU_F64)
    LT_LAUNCH (k_bias_grad<double>, g, THREADS, stream, static_cast<double *> (gb),
               static_cast<const double *> (grad), n, c, hw);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

/* ---- pooling (the CPU's windows: lt-cpu-pooling.c) ---- */

__device__ __forceinline__ int64_t
adaptive_start (int64_t a, int64_t b, int64_t c)
{
  return (a / b) * c + ((a % b) * c) / b;
}

__device__ __forceinline__ int64_t
adaptive_end (int64_t a, int64_t b, int64_t c)
{
  return 1 + ((a + 1) * c - 1) / b;
}

/* The window of output @o along one side: [*i0, *i1) clipped to the image;
 * returns its length in the padded image (adaptive: *i1 - *i0). */
__device__ __forceinline__ int64_t
avg_span (const LtCuPoolGeom &g, bool adaptive, bool rows, int64_t o, int64_t *i0, int64_t *i1)
{
  int64_t n = rows ? g.h : g.w, p = rows ? g.ph : g.pw, a, b;
  if (adaptive)
    {
      *i0 = adaptive_start (o, rows ? g.oh : g.ow, n);
      *i1 = adaptive_end (o, rows ? g.oh : g.ow, n);
      return *i1 - *i0;
    }
  a = o * (rows ? g.sh : g.sw) - p;
  b = a + (rows ? g.kh : g.kw);
  if (b > n + p)
    b = n + p;
  *i0 = a > 0 ? a : 0;
  *i1 = b < n ? b : n;
  return b - a;
}

__device__ __forceinline__ int64_t
avg_divisor (const LtCuPoolGeom &g, bool adaptive, int64_t hs, int64_t ws, int64_t h, int64_t w)
{
  if (!adaptive && g.divisor_override != 0)
    return g.divisor_override;
  if (adaptive || !g.count_include_pad)
    return h * w;
  return hs * ws;
}

template <typename T>
__global__ void
k_max_pool (LtCuPoolGeom g, const T *x, T *y, int64_t *ix)
{
  GRID_STRIDE_LOOP (e, g.nc * g.oh * g.ow)
    {
      int64_t ow = e % g.ow, oh = (e / g.ow) % g.oh, pl = e / (g.ow * g.oh);
      const T *xp = x + pl * g.h * g.w;
      int64_t ih0 = oh * g.sh - g.ph, ih1 = ih0 + (g.kh - 1) * g.dh + 1;
      int64_t iw0 = ow * g.sw - g.pw, iw1 = iw0 + (g.kw - 1) * g.dw + 1;
      if (ih1 > g.h)
        ih1 = g.h;
      if (iw1 > g.w)
        iw1 = g.w;
      while (ih0 < 0)
        ih0 += g.dh;
      while (iw0 < 0)
        iw0 += g.dw;
      T m = (T) -INFINITY;
      int64_t best = ih0 * g.w + iw0;
      for (int64_t ih = ih0; ih < ih1; ih += g.dh)
        for (int64_t iw = iw0; iw < iw1; iw += g.dw)
          {
            T v = xp[ih * g.w + iw];
            if (v > m || v != v)
              {
                m = v;
                best = ih * g.w + iw;
              }
          }
      y[e] = m;
      ix[e] = best;
    }
}

/* Is position @p of the plane one that the window of (oh, ow) reads? */
__device__ __forceinline__ bool
in_window (const LtCuPoolGeom &g, int64_t oh, int64_t ow, int64_t p)
{
  if (p < 0 || p >= g.h * g.w)
    return false;
  int64_t rh = p / g.w - (oh * g.sh - g.ph), rw = p % g.w - (ow * g.sw - g.pw);
  return rh >= 0 && rh <= (g.kh - 1) * g.dh && rh % g.dh == 0 && rw >= 0 &&
         rw <= (g.kw - 1) * g.dw && rw % g.dw == 0;
}

/* dx[p] = the sum of dy over the outputs whose index is p, in output
 * order: those outputs' windows hold p. */
template <typename T>
__global__ void
k_max_pool_grad (LtCuPoolGeom g, const T *dy, const int64_t *ix, T *dx, LtCuErrorWord *err,
                 int op)
{
  GRID_STRIDE_LOOP (e, g.nc * g.h * g.w)
    {
      int64_t iw = e % g.w, ih = (e / g.w) % g.h, pl = e / (g.w * g.h), p = ih * g.w + iw;
      const T *dyp = dy + pl * g.oh * g.ow;
      const int64_t *ixp = ix + pl * g.oh * g.ow;
      T acc = 0;
      int64_t oh_lo = (ih + g.ph - (g.kh - 1) * g.dh) / g.sh - 1, oh_hi = (ih + g.ph) / g.sh;
      int64_t ow_lo = (iw + g.pw - (g.kw - 1) * g.dw) / g.sw - 1, ow_hi = (iw + g.pw) / g.sw;
      if (oh_lo < 0)
        oh_lo = 0;
      if (ow_lo < 0)
        ow_lo = 0;
      if (oh_hi >= g.oh)
        oh_hi = g.oh - 1;
      if (ow_hi >= g.ow)
        ow_hi = g.ow - 1;
      for (int64_t oh = oh_lo; oh <= oh_hi; oh++)
        for (int64_t ow = ow_lo; ow <= ow_hi; ow++)
          if (ixp[oh * g.ow + ow] == p)
            acc = acc + dyp[oh * g.ow + ow];
      dx[e] = acc;
      /* an index outside its window (changed behind the library's back),
       * whose gradient no input would take: the plane's first element
       * checks them all */
      if (p == 0)
        for (int64_t q = 0; q < g.oh * g.ow; q++)
          if (!in_window (g, q / g.ow, q % g.ow, ixp[q]))
            {
              record_index_error (err, LT_CU_ERRW_INDEX, op, ixp[q], g.h * g.w);
              break;
            }
    }
}

template <typename T>
__global__ void
k_avg_pool (LtCuPoolGeom g, bool adaptive, const T *x, T *y)
{
  GRID_STRIDE_LOOP (e, g.nc * g.oh * g.ow)
    {
      int64_t ow = e % g.ow, oh = (e / g.ow) % g.oh, pl = e / (g.ow * g.oh);
      const T *xp = x + pl * g.h * g.w;
      int64_t ih0, ih1, iw0, iw1;
      int64_t hs = avg_span (g, adaptive, true, oh, &ih0, &ih1);
      int64_t ws = avg_span (g, adaptive, false, ow, &iw0, &iw1);
      int64_t div = avg_divisor (g, adaptive, hs, ws, ih1 - ih0, iw1 - iw0);
      double sum = 0;
      if (ih0 >= ih1 || iw0 >= iw1)
        {
          y[e] = 0;
          continue;
        }
      for (int64_t ih = ih0; ih < ih1; ih++)
        for (int64_t iw = iw0; iw < iw1; iw++)
          sum += xp[ih * g.w + iw];
      y[e] = (T) (sum / (double) div);
    }
}

/* Every output whose window holds input (ih, iw), in output order: the
 * CPU's dx[ih, iw] += dy / div, added in the same order. */
template <typename T>
__global__ void
k_avg_pool_grad (LtCuPoolGeom g, bool adaptive, const T *dy, T *dx)
{
  GRID_STRIDE_LOOP (e, g.nc * g.h * g.w)
    {
      int64_t iw = e % g.w, ih = (e / g.w) % g.h, pl = e / (g.w * g.h);
      const T *dyp = dy + pl * g.oh * g.ow;
      int64_t oh_lo, oh_hi, ow_lo, ow_hi;
      T acc = 0;
      if (adaptive)
        {
          oh_lo = ih * g.oh / g.h - 1;
          oh_hi = ((ih + 1) * g.oh + g.h - 1) / g.h;
          ow_lo = iw * g.ow / g.w - 1;
          ow_hi = ((iw + 1) * g.ow + g.w - 1) / g.w;
        }
      else
        {
          oh_lo = (ih + g.ph - g.kh) / g.sh;
          oh_hi = (ih + g.ph) / g.sh;
          ow_lo = (iw + g.pw - g.kw) / g.sw;
          ow_hi = (iw + g.pw) / g.sw;
        }
      if (oh_lo < 0)
        oh_lo = 0;
      if (ow_lo < 0)
        ow_lo = 0;
      if (oh_hi >= g.oh)
        oh_hi = g.oh - 1;
      if (ow_hi >= g.ow)
        ow_hi = g.ow - 1;
      for (int64_t oh = oh_lo; oh <= oh_hi; oh++)
        {
          int64_t ih0, ih1, hs = avg_span (g, adaptive, true, oh, &ih0, &ih1);
          if (ih < ih0 || ih >= ih1)
            continue;
          for (int64_t ow = ow_lo; ow <= ow_hi; ow++)
            {
              int64_t iw0, iw1, ws = avg_span (g, adaptive, false, ow, &iw0, &iw1);
              if (iw < iw0 || iw >= iw1)
                continue;
              int64_t div = avg_divisor (g, adaptive, hs, ws, ih1 - ih0, iw1 - iw0);
              acc += (T) (dyp[oh * g.ow + ow] / (double) div);
            }
        }
      dx[e] = acc;
    }
}

#define POOL_DISPATCH(dtype, T, code)                         \
  if ((dtype) == LT_CU_F32)                                   \
    {                                                         \
      typedef float T;                                        \
      code;                                                   \
    }                                                         \
  else if ((dtype) == LT_CU_F64)                              \
    {                                                         \
      typedef double T;                                       \
      code;                                                   \
    }                                                         \
  else                                                        \
    return LT_CU_UNSUPPORTED;

int
launch_max_pool (void *stream, const LtCuPoolGeom *g, const void *x, void *out, int64_t *ix)
{
  int64_t total = g->nc * g->oh * g->ow;
  unsigned grid = grid_for (total, THREADS);
  if (total == 0)
    return LT_CU_OK;
  POOL_DISPATCH (g->dtype, T,
                 LT_LAUNCH (k_max_pool<T>, grid, THREADS, stream, *g, static_cast<const T *> (x),
                            static_cast<T *> (out), ix));
  return LT_LAUNCH_STATUS ();
}

int
launch_max_pool_grad (void *stream, const LtCuPoolGeom *g, const void *dy, const int64_t *ix,
                      void *dx, LtCuErrorWord *err, int op)
{
  int64_t total = g->nc * g->h * g->w;
  unsigned grid = grid_for (total, THREADS);
  if (total == 0)
    return LT_CU_OK;
  POOL_DISPATCH (g->dtype, T,
                 LT_LAUNCH (k_max_pool_grad<T>, grid, THREADS, stream, *g,
                            static_cast<const T *> (dy), ix, static_cast<T *> (dx), err, op));
  return LT_LAUNCH_STATUS ();
}

int
launch_avg_pool_any (void *stream, const LtCuPoolGeom *g, bool adaptive, const void *x, void *out)
{
  int64_t total = g->nc * g->oh * g->ow;
  unsigned grid = grid_for (total, THREADS);
  if (total == 0)
    return LT_CU_OK;
  POOL_DISPATCH (g->dtype, T,
                 LT_LAUNCH (k_avg_pool<T>, grid, THREADS, stream, *g, adaptive,
                            static_cast<const T *> (x), static_cast<T *> (out)));
  return LT_LAUNCH_STATUS ();
}

int
launch_avg_pool_grad_any (void *stream, const LtCuPoolGeom *g, bool adaptive, const void *dy,
                          void *dx)
{
  int64_t total = g->nc * g->h * g->w;
  unsigned grid = grid_for (total, THREADS);
  if (total == 0)
    return LT_CU_OK;
  POOL_DISPATCH (g->dtype, T,
                 LT_LAUNCH (k_avg_pool_grad<T>, grid, THREADS, stream, *g, adaptive,
                            static_cast<const T *> (dy), static_cast<T *> (dx)));
  return LT_LAUNCH_STATUS ();
}

int
launch_avg_pool (void *stream, const LtCuPoolGeom *g, const void *x, void *out)
{
  return launch_avg_pool_any (stream, g, false, x, out);
}

int
launch_avg_pool_grad (void *stream, const LtCuPoolGeom *g, const void *dy, void *dx)
{
  return launch_avg_pool_grad_any (stream, g, false, dy, dx);
}

int
launch_adaptive_avg_pool (void *stream, const LtCuPoolGeom *g, const void *x, void *out)
{
  return launch_avg_pool_any (stream, g, true, x, out);
}

int
launch_adaptive_avg_pool_grad (void *stream, const LtCuPoolGeom *g, const void *dy, void *dx)
{
  return launch_avg_pool_grad_any (stream, g, true, dy, dx);
}

} // namespace LT_CU_INDEX_NS

extern "C" const LtCuIndexKernels LT_CU_INDEX_KERNELS_NAME = {
  LT_CU_INDEX_NS::launch_index_select,   LT_CU_INDEX_NS::launch_index_add,
  LT_CU_INDEX_NS::launch_gather,         LT_CU_INDEX_NS::launch_scatter_add,
  LT_CU_INDEX_NS::launch_masked_select,  LT_CU_INDEX_NS::launch_masked_scatter,
  LT_CU_INDEX_NS::launch_one_hot,        LT_CU_INDEX_NS::launch_im2col,
  LT_CU_INDEX_NS::launch_col2im,         LT_CU_INDEX_NS::launch_add_bias,
  LT_CU_INDEX_NS::launch_bias_grad,      LT_CU_INDEX_NS::launch_max_pool,
  LT_CU_INDEX_NS::launch_max_pool_grad,  LT_CU_INDEX_NS::launch_avg_pool,
  LT_CU_INDEX_NS::launch_avg_pool_grad,  LT_CU_INDEX_NS::launch_adaptive_avg_pool,
  LT_CU_INDEX_NS::launch_adaptive_avg_pool_grad, LT_CU_INDEX_NS::launch_take,
  LT_CU_INDEX_NS::launch_index_put,       LT_CU_INDEX_NS::launch_scatter,
  LT_CU_INDEX_NS::launch_nonzero,
};
