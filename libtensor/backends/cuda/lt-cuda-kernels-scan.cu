/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's sorting and selection (sort, topk, kthvalue, median,
 * mode, unique), scan (cumsum, cumprod, prod, cumprod_grad) and
 * recurrent-cell (lstm_cell, gru_cell and their backward) kernels, and
 * their launchers (lt-cuda-kernels-scan-private.h). One source, two
 * compilations, as lt-cuda-kernels.cu: nvcc for the GPU, g++ through the
 * launch shim for the emulated device. No GLib here.
 *
 * Results equal the CPU backend's (backends/cpu/lt-cpu-sort.c,
 * lt-cpu-scan.c, lt-cpu-rnn.c):
 *
 * Sorting is segmented, one sort per row, of (value, position) pairs in
 * the row's order (NaN after every number, ascending; before, descending)
 * with equal values ordered by their position: a total order, so the
 * result is the stable sort the CPU's merge sort gives, whichever way it
 * is reached.
 *   1. A block per tile of P elements of a row (P the power of two at or
 *      above the row's length, at most SORT_TILE) sorts it by a bitonic
 *      network in shared memory; the padding sorts after everything. A row
 *      that fits one tile is done.
 *   2. Longer rows: merge passes over global memory, runs of P, 2P, ...
 *      until one run holds the row. A thread per element finds where it
 *      lands in the merged run: its index in its own run plus the number
 *      of elements of the other run that go before it (a binary search).
 *   3. sort and topk copy each row's first M; kthvalue, median and mode
 *      pick one element per row as the CPU does (median: element
 *      (N - 1) / 2 of the ascending order, or the first NaN when the row
 *      has one; mode: the longest run of equal values, the smallest value
 *      on a tie, at the last of its positions).
 * unique marks where a new value starts in the sorted input, numbers the
 * runs by an inclusive scan (one block, a chunk of SCAN_THREADS at a
 * time), then writes each run's value, count and the inverse.
 *
 * The scans walk each (outer, inner) line in one thread, in the CPU's
 * order, accumulating in double (floats) or wrapping uint64 (integers):
 * a parallel prefix sum would round float sums differently from the CPU.
 * The recurrent cells are one thread per (row, unit), the CPU's formulas
 * in the element type.
 */

#include "lt-cuda-shim-private.h"
#include "lt-cuda-kernels-scan-private.h"

#define LT_CU_SCAN_NS_(ns) ns##_scan
#define LT_CU_SCAN_NS_X(ns) LT_CU_SCAN_NS_ (ns)
#define LT_CU_SCAN_NS LT_CU_SCAN_NS_X (LT_CU_NS)

#ifdef __CUDACC__
#define LT_CU_SCAN_KERNELS_NAME _lt_cu_scan_kernels_device
#else
#define LT_CU_SCAN_KERNELS_NAME _lt_cu_scan_kernels_emulated
#endif

namespace LT_CU_SCAN_NS
{

#include "lt-cuda-kernels-common-private.h"

/* The bitonic tile: its elements live in shared memory (16 KiB for
 * 8-byte values) */
#define SORT_TILE 1024
#define SORT_THREADS 256
#define SCAN_THREADS 256

#define RETURN_IF_FAILED()                                                 \
  do                                                                       \
    {                                                                      \
      int status_ = LT_LAUNCH_STATUS ();                                   \
      if (status_ != LT_CU_OK)                                             \
        return status_;                                                    \
    }                                                                      \
  while (0)

/* The element types of the sorting kernels: bool sorts as its byte */
#define SORT_DISPATCH(dt, T, code)                                \
  switch (dt)                                                     \
    {                                                             \
    case LT_CU_F32: { typedef float T; code; } break;             \
    case LT_CU_F64: { typedef double T; code; } break;            \
    case LT_CU_I64: { typedef int64_t T; code; } break;           \
    case LT_CU_I32: { typedef int32_t T; code; } break;           \
    case LT_CU_I16: { typedef int16_t T; code; } break;           \
    case LT_CU_I8: { typedef int8_t T; code; } break;             \
    case LT_CU_U8:                                                \
    case LT_CU_BOOL: { typedef uint8_t T; code; } break;          \
    default: return LT_CU_UNSUPPORTED;                            \
    }

__device__ __forceinline__ int64_t
imin (int64_t a, int64_t b)
{
  return a < b ? a : b;
}

/* NaN for the floating types; never for the integers */
template <typename T>
__device__ __forceinline__ bool
is_nan (T v)
{
  return v != v;
}

/* @a goes strictly before @b in the order of a row (the CPU's before_*) */
template <typename T>
__device__ __forceinline__ bool
before (T a, T b, int desc)
{
  if (desc)
    return (is_nan (a) && !is_nan (b)) || a > b;
  return (!is_nan (a) && is_nan (b)) || a < b;
}

/* The total order of the sort: the row's order, then the position; a
 * negative position is padding, after everything */
template <typename T>
__device__ __forceinline__ bool
goes_first (T a, int64_t pa, T b, int64_t pb, int desc)
{
  if (pa < 0)
    return false;
  if (pb < 0)
    return true;
  if (before (a, b, desc))
    return true;
  if (before (b, a, desc))
    return false;
  return pa < pb;
}

/* Step 1: a block per tile of @P elements (row r, tile t), sorted in
 * shared memory into keys/pos (rows of N) */
template <typename T>
__global__ void
k_sort_tiles (const T *x, T *keys, int64_t *pos, int64_t rows, int64_t N, int64_t inner,
              int64_t tiles, int P, int desc)
{
  __shared__ T sk[SORT_TILE];
  __shared__ int64_t sp[SORT_TILE];
  for (int64_t b = blockIdx.x; b < rows * tiles; b += gridDim.x)
    {
      int64_t r = b / tiles, t = b - r * tiles;
      int64_t o = r / inner, in = r - o * inner, base = t * P;
      for (int i = threadIdx.x; i < P; i += blockDim.x)
        {
          int64_t j = base + i;
          if (j < N)
            {
              sk[i] = x[(o * N + j) * inner + in];
              sp[i] = j;
            }
          else
            {
              sk[i] = T ();
              sp[i] = -1;
            }
        }
      __syncthreads ();
      for (int k = 2; k <= P; k *= 2)
        for (int j = k / 2; j > 0; j /= 2)
          {
            for (int i = threadIdx.x; i < P; i += blockDim.x)
              {
                int l = i ^ j;
                if (l > i)
                  {
                    bool up = (i & k) == 0;
                    bool swap = up ? goes_first (sk[l], sp[l], sk[i], sp[i], desc)
                                   : goes_first (sk[i], sp[i], sk[l], sp[l], desc);
                    if (swap)
                      {
                        T v = sk[i];
                        int64_t p = sp[i];
                        sk[i] = sk[l];
                        sp[i] = sp[l];
                        sk[l] = v;
                        sp[l] = p;
                      }
                  }
              }
            __syncthreads ();
          }
      for (int i = threadIdx.x; i < P; i += blockDim.x)
        {
          int64_t j = base + i;
          if (j < N)
            {
              keys[r * N + j] = sk[i];
              pos[r * N + j] = sp[i];
            }
        }
      __syncthreads ();
    }
}

/* Step 2: merges the sorted runs of @w of every row, pairwise, from
 * (ki, pi) into (ko, po) */
template <typename T>
__global__ void
k_merge_pass (const T *ki, const int64_t *pi, T *ko, int64_t *po, int64_t rows, int64_t N,
              int64_t w, int desc)
{
  GRID_STRIDE_LOOP (e, rows * N)
    {
      int64_t r = e / N, j = e - r * N;
      int64_t s = j / (2 * w) * (2 * w);
      int64_t m = imin (s + w, N), end = imin (s + 2 * w, N);
      const T *kr = ki + r * N;
      const int64_t *pr = pi + r * N;
      T v = kr[j];
      int64_t p = pr[j];
      bool in_a = j < m;
      int64_t lo = in_a ? m : s, hi = in_a ? end : m, other = lo;
      while (lo < hi)
        {
          int64_t mid = lo + (hi - lo) / 2;
          if (goes_first (kr[mid], pr[mid], v, p, desc))
            lo = mid + 1;
          else
            hi = mid;
        }
      int64_t dst = s + (in_a ? j - s : j - m) + (lo - other);
      ko[r * N + dst] = v;
      po[r * N + dst] = p;
    }
}

/* Step 3, sort and topk: the first M of every row into (outer, M, inner) */
template <typename T>
__global__ void
k_take_sorted (const T *keys, const int64_t *pos, T *out, int64_t *idx, int64_t rows, int64_t N,
               int64_t M, int64_t inner)
{
  GRID_STRIDE_LOOP (e, rows * M)
    {
      int64_t r = e / M, j = e - r * M;
      int64_t o = r / inner, in = r - o * inner, d = (o * M + j) * inner + in;
      out[d] = keys[r * N + j];
      idx[d] = pos[r * N + j];
    }
}

/* Step 3, kthvalue, median, mode: one element per row */
template <typename T>
__global__ void
k_pick (const T *keys, const int64_t *pos, T *out, int64_t *idx, int64_t rows, int64_t N,
        int sel, int64_t k)
{
  GRID_STRIDE_LOOP (r, rows)
    {
      const T *v = keys + r * N;
      int64_t pick = 0;
      if (sel == LT_CU_SEL_KTHVALUE)
        pick = k - 1;
      else if (sel == LT_CU_SEL_MEDIAN)
        {
          pick = (N - 1) / 2;
          if (is_nan (v[N - 1]))
            while (!is_nan (v[pick]))
              pick++;
        }
      else
        {
          int64_t best = 0, s = 0;
          for (int64_t j = 1; j <= N; j++)
            if (j == N || !(v[j] == v[s]))
              {
                if (j - s > best)
                  {
                    best = j - s;
                    pick = j - 1;
                  }
                s = j;
              }
        }
      out[r] = v[pick];
      idx[r] = pos[r * N + pick];
    }
}

template <typename T>
int
launch_sort_t (void *stream, const LtCuSort *s)
{
  int64_t rows = s->outer * s->inner, N = s->N, tiles;
  int P = 1;
  T *k0 = static_cast<T *> (s->keys), *k1 = k0 + rows * N;
  int64_t *p0 = s->pos, *p1 = p0 + rows * N;

  while (P < N && P < SORT_TILE)
    P *= 2;
  tiles = (N + P - 1) / P;
  LT_LAUNCH_COOP (k_sort_tiles<T>, grid_for (rows * tiles, 1),
                  P < SORT_THREADS ? P : SORT_THREADS, stream, static_cast<const T *> (s->x), k0,
                  p0, rows, N, s->inner, tiles, P, s->descending);
  RETURN_IF_FAILED ();
  for (int64_t w = P; w < N; w *= 2)
    {
      T *kt = k0;
      int64_t *pt = p0;
      LT_LAUNCH (k_merge_pass<T>, grid_for (rows * N, THREADS), THREADS, stream, k0, p0, k1, p1,
                 rows, N, w, s->descending);
      RETURN_IF_FAILED ();
      k0 = k1;
      p0 = p1;
      k1 = kt;
      p1 = pt;
    }
  if (s->select == LT_CU_SEL_SORT || s->select == LT_CU_SEL_TOPK)
    LT_LAUNCH (k_take_sorted<T>, grid_for (rows * s->M, THREADS), THREADS, stream, k0, p0,
               static_cast<T *> (s->out), s->indices, rows, N, s->M, s->inner);
  else
    LT_LAUNCH (k_pick<T>, grid_for (rows, THREADS), THREADS, stream, k0, p0,
               static_cast<T *> (s->out), s->indices, rows, N, s->select, s->k);
  return LT_LAUNCH_STATUS ();
}

int
launch_sort (void *stream, const LtCuSort *s)
{
  if (s->outer * s->inner * s->M == 0 || s->N == 0)
    return LT_CU_OK;
  SORT_DISPATCH (s->dtype, T, return launch_sort_t<T> (stream, s));
  return LT_CU_OK;
}

/* ---- unique ---- */

/* run[j] = 1 where a new value starts (j > 0), counts zeroed */
template <typename T>
__global__ void
k_unique_marks (const T *x, int64_t *run, int64_t *counts, int64_t n)
{
  GRID_STRIDE_LOOP (j, n)
    {
      run[j] = j > 0 && !(x[j] == x[j - 1]) ? 1 : 0;
      counts[j] = 0;
    }
}

/* Inclusive prefix sum of @v in place, by one block, a chunk at a time */
__global__ void
k_inclusive_scan (int64_t *v, int64_t n)
{
  __shared__ int64_t part[SCAN_THREADS];
  int64_t carry = 0;
  int t = threadIdx.x;
  for (int64_t base = 0; base < n; base += SCAN_THREADS)
    {
      part[t] = base + t < n ? v[base + t] : 0;
      __syncthreads ();
      for (int off = 1; off < SCAN_THREADS; off *= 2)
        {
          int64_t add = t >= off ? part[t - off] : 0;
          __syncthreads ();
          part[t] += add;
          __syncthreads ();
        }
      if (base + t < n)
        v[base + t] = part[t] + carry;
      carry += part[SCAN_THREADS - 1];
      __syncthreads ();
    }
}

/* start[u] = the first position of run u */
__global__ void
k_unique_starts (const int64_t *run, int64_t *start, int64_t n)
{
  GRID_STRIDE_LOOP (j, n)
    if (j == 0 || run[j - 1] != run[j])
      start[run[j]] = j;
}

/* Each run's last element writes its value and count; every element its
 * inverse */
template <typename T>
__global__ void
k_unique_write (const T *x, const int64_t *perm, const int64_t *run, const int64_t *start, T *out,
                int64_t *inverse, int64_t *counts, int64_t n)
{
  GRID_STRIDE_LOOP (j, n)
    {
      int64_t u = run[j];
      if (j == n - 1 || run[j + 1] != u)
        {
          out[u] = x[j];
          counts[u] = j - start[u] + 1;
        }
      inverse[perm[j]] = u;
    }
}

template <typename T>
int
launch_unique_t (void *stream, const LtCuUnique *u)
{
  const T *x = static_cast<const T *> (u->x);
  int64_t n = u->n, *run = u->scratch, *start = u->scratch + n;
  int64_t *inverse = u->aux, *counts = u->aux + n;
  unsigned grid = grid_for (n, THREADS);

  LT_LAUNCH (k_unique_marks<T>, grid, THREADS, stream, x, run, counts, n);
  RETURN_IF_FAILED ();
  LT_LAUNCH_COOP (k_inclusive_scan, 1, SCAN_THREADS, stream, run, n);
  RETURN_IF_FAILED ();
  LT_LAUNCH (k_unique_starts, grid, THREADS, stream, run, start, n);
  RETURN_IF_FAILED ();
  LT_LAUNCH (k_unique_write<T>, grid, THREADS, stream, x, u->perm, run, start,
             static_cast<T *> (u->out), inverse, counts, n);
  return LT_LAUNCH_STATUS ();
}

int
launch_unique (void *stream, const LtCuUnique *u)
{
  if (u->n == 0)
    return LT_CU_OK;
  SORT_DISPATCH (u->dtype, T, return launch_unique_t<T> (stream, u));
  return LT_CU_OK;
}

/* ---- scans ---- */

/* The accumulator of a scan: double for floats, wrapping uint64 for int64 */
template <typename T> struct Acc
{
  typedef double type;
};
template <> struct Acc<int64_t>
{
  typedef uint64_t type;
};

template <typename T>
__global__ void
k_scan (LtCuScan s)
{
  typedef typename Acc<T>::type ACC;
  const T *x = static_cast<const T *> (s.x);
  const T *g = static_cast<const T *> (s.g);
  T *out = static_cast<T *> (s.out);
  int64_t D = s.D, inner = s.inner;
  GRID_STRIDE_LOOP (r, s.outer * inner)
    {
      int64_t o = r / inner, i = r - o * inner;
      const T *xr = x + o * D * inner + i;
      T *yr = out + o * D * inner + i;
      if (s.op == LT_CU_SCAN_CUMSUM)
        {
          ACC acc = 0;
          for (int64_t k = 0; k < D; k++)
            {
              int64_t j = s.reverse ? D - 1 - k : k;
              acc = (ACC) (acc + (ACC) xr[j * inner]);
              yr[j * inner] = (T) acc;
            }
        }
      else if (s.op == LT_CU_SCAN_CUMPROD)
        {
          ACC acc = 1;
          for (int64_t j = 0; j < D; j++)
            {
              acc = (ACC) (acc * (ACC) xr[j * inner]);
              yr[j * inner] = (T) acc;
            }
        }
      else if (s.op == LT_CU_SCAN_PROD)
        {
          ACC acc = 1;
          for (int64_t j = 0; j < D; j++)
            acc = (ACC) (acc * (ACC) xr[j * inner]);
          out[o * inner + i] = (T) acc;
        }
      else
        {
          /* cumprod_grad without division: dx_i = L_i S_i (lt-cpu-scan.c) */
          ACC sum = 0, left = 1;
          for (int64_t j = D - 1; j >= 0; j--)
            {
              ACC gj;
              if (s.g_last)
                gj = j == D - 1 ? (ACC) g[o * inner + i] : (ACC) 0;
              else
                gj = (ACC) g[o * D * inner + j * inner + i];
              sum = j == D - 1 ? gj : gj + (ACC) xr[(j + 1) * inner] * sum;
              yr[j * inner] = (T) sum;
            }
          for (int64_t j = 0; j < D; j++)
            {
              yr[j * inner] = (T) (left * (ACC) yr[j * inner]);
              left *= (ACC) xr[j * inner];
            }
        }
    }
}

int
launch_scan (void *stream, const LtCuScan *s)
{
  unsigned grid = grid_for (s->outer * s->inner, THREADS);

  if (s->outer * s->inner == 0 || (s->D == 0 && s->op != LT_CU_SCAN_PROD))
    return LT_CU_OK;
  switch (s->dtype)
    {
    case LT_CU_F32:
      LT_LAUNCH (k_scan<float>, grid, THREADS, stream, *s);
      break;
    case LT_CU_F64:
      LT_LAUNCH (k_scan<double>, grid, THREADS, stream, *s);
      break;
    case LT_CU_I64:
      if (s->op == LT_CU_SCAN_CUMPROD_GRAD)
        return LT_CU_UNSUPPORTED;
      LT_LAUNCH (k_scan<int64_t>, grid, THREADS, stream, *s);
      break;
    default:
      return LT_CU_UNSUPPORTED;
    }
  return LT_LAUNCH_STATUS ();
}

/* ---- the recurrent cells ---- */

__device__ __forceinline__ float
cu_exp (float x)
{
  return expf (x);
}

__device__ __forceinline__ double
cu_exp (double x)
{
  return exp (x);
}

__device__ __forceinline__ float
cu_tanh (float x)
{
  return tanhf (x);
}

__device__ __forceinline__ double
cu_tanh (double x)
{
  return tanh (x);
}

template <typename T>
__device__ __forceinline__ T
sigmoid (T x)
{
  return (T) 1 / ((T) 1 + cu_exp (-x));
}

template <typename T>
__global__ void
k_rnn (LtCuRnn p)
{
  int64_t H = p.H, N = p.N;
  GRID_STRIDE_LOOP (e, N * H)
    {
      int64_t r = e / H, j = e - r * H;
      if (p.op == LT_CU_RNN_LSTM)
        {
          const T *a = static_cast<const T *> (p.a) + r * 4 * H;
          const T *b = static_cast<const T *> (p.b) + r * 4 * H;
          const T *cx = static_cast<const T *> (p.c);
          T *w = static_cast<T *> (p.aux) + r * 4 * H;
          T *out = static_cast<T *> (p.out);
          T i = sigmoid (a[j] + b[j]);
          T f = sigmoid (a[H + j] + b[H + j]);
          T g = cu_tanh (a[2 * H + j] + b[2 * H + j]);
          T o = sigmoid (a[3 * H + j] + b[3 * H + j]);
          T cy = f * cx[r * H + j] + i * g;
          w[j] = i;
          w[H + j] = f;
          w[2 * H + j] = g;
          w[3 * H + j] = o;
          out[(N + r) * H + j] = cy;
          out[r * H + j] = o * cu_tanh (cy);
        }
      else if (p.op == LT_CU_RNN_LSTM_GRAD)
        {
          const T *gr = static_cast<const T *> (p.a);
          const T *w = static_cast<const T *> (p.b) + r * 4 * H;
          const T *cx = static_cast<const T *> (p.c);
          T *d = static_cast<T *> (p.out) + r * 5 * H;
          T dh = gr[r * H + j], dcy = gr[(N + r) * H + j];
          T i = w[j], f = w[H + j], g = w[2 * H + j], o = w[3 * H + j];
          T c0 = cx[r * H + j];
          T tc = cu_tanh (f * c0 + i * g);
          T dc = dcy + dh * o * ((T) 1 - tc * tc);
          d[j] = dc * g * i * ((T) 1 - i);
          d[H + j] = dc * c0 * f * ((T) 1 - f);
          d[2 * H + j] = dc * i * ((T) 1 - g * g);
          d[3 * H + j] = dh * tc * o * ((T) 1 - o);
          d[4 * H + j] = dc * f;
        }
      else if (p.op == LT_CU_RNN_GRU)
        {
          const T *a = static_cast<const T *> (p.a) + r * 3 * H;
          const T *b = static_cast<const T *> (p.b) + r * 3 * H;
          const T *hx = static_cast<const T *> (p.c);
          T *w = static_cast<T *> (p.aux) + r * 4 * H;
          T rg = sigmoid (a[j] + b[j]);
          T z = sigmoid (a[H + j] + b[H + j]);
          T n = cu_tanh (a[2 * H + j] + rg * b[2 * H + j]);
          w[j] = rg;
          w[H + j] = z;
          w[2 * H + j] = n;
          w[3 * H + j] = b[2 * H + j];
          static_cast<T *> (p.out)[r * H + j] = n + z * (hx[r * H + j] - n);
        }
      else
        {
          const T *dh = static_cast<const T *> (p.a);
          const T *w = static_cast<const T *> (p.b) + r * 4 * H;
          const T *hx = static_cast<const T *> (p.c);
          T *d = static_cast<T *> (p.out) + r * 7 * H;
          T rg = w[j], z = w[H + j], n = w[2 * H + j], hn = w[3 * H + j];
          T g = dh[r * H + j];
          T dn = g * ((T) 1 - z) * ((T) 1 - n * n);
          T dz = g * (hx[r * H + j] - n) * z * ((T) 1 - z);
          T dr = dn * hn * rg * ((T) 1 - rg);
          d[j] = dr;
          d[H + j] = dz;
          d[2 * H + j] = dn;
          d[3 * H + j] = dr;
          d[4 * H + j] = dz;
          d[5 * H + j] = dn * rg;
          d[6 * H + j] = g * z;
        }
    }
}

int
launch_rnn (void *stream, const LtCuRnn *r)
{
  unsigned grid = grid_for (r->N * r->H, THREADS);

  if (r->N * r->H == 0)
    return LT_CU_OK;
  if (r->dtype == LT_CU_F32)
    LT_LAUNCH (k_rnn<float>, grid, THREADS, stream, *r);
  else if (r->dtype == LT_CU_F64)
    LT_LAUNCH (k_rnn<double>, grid, THREADS, stream, *r);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

} // namespace LT_CU_SCAN_NS

extern "C" const LtCuScanKernels LT_CU_SCAN_KERNELS_NAME = {
  LT_CU_SCAN_NS::launch_sort,
  LT_CU_SCAN_NS::launch_unique,
  LT_CU_SCAN_NS::launch_scan,
  LT_CU_SCAN_NS::launch_rnn,
};
