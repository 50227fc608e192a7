/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What every kernel file (lt-cuda-kernels.cu, lt-cuda-kernels-math.cu,
 * lt-cuda-kernels-index.cu) launches with: the block size, the grid limit,
 * the grid for n elements, the grid-stride loop, the offset of a linear
 * index in a strided operand, and the dispatch on a dtype code. Each kernel file includes it inside its own
 * namespace, after lt-cuda-kernels-private.h (LtCuIter), so that the three
 * compilations for the emulated device keep their symbols apart.
 */

#define THREADS 256
#define MAX_GRID 65535u

/* Blocks of @threads for @n elements, at least one, at most MAX_GRID (the
 * kernels loop over the rest) */
inline unsigned
grid_for (int64_t n, unsigned threads)
{
  int64_t g = (n + threads - 1) / threads;
  return g < 1 ? 1u : (g > (int64_t) MAX_GRID ? MAX_GRID : (unsigned) g);
}

#define GRID_STRIDE_LOOP(i, n)                                                     \
  for (int64_t i = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; i < (n);       \
       i += (int64_t) blockDim.x * gridDim.x)

/* The element offset of linear index @i in operand @k of @it */
__device__ __forceinline__ int64_t
offset_of (const LtCuIter &it, int k, int64_t i)
{
  if (it.contiguous[k])
    return i;
  int64_t off = 0;
  for (int d = it.ndim - 1; d >= 0; d--)
    {
      int64_t s = it.shape[d];
      int64_t q = i / s;
      off += (i - q * s) * it.stride[k][d];
      i = q;
    }
  return off;
}

/* bool is stored as one byte holding 0 or 1 (sums of bools are or) */
struct Bool8 { uint8_t v; };

/* Dispatch on a dtype code: runs @code with T the element type. */
#define DISPATCH(dt, T, code)                           \
  switch (dt)                                           \
    {                                                   \
    case LT_CU_F32: { typedef float T; code; } break;   \
    case LT_CU_F64: { typedef double T; code; } break;  \
    case LT_CU_I64: { typedef int64_t T; code; } break; \
    case LT_CU_I32: { typedef int32_t T; code; } break; \
    case LT_CU_I16: { typedef int16_t T; code; } break; \
    case LT_CU_I8: { typedef int8_t T; code; } break;   \
    case LT_CU_U8: { typedef uint8_t T; code; } break;  \
    case LT_CU_BOOL: { typedef Bool8 T; code; } break;  \
    default: return LT_CU_UNSUPPORTED;                  \
    }

/* A tree over the block (blockDim.x a power of two, @part that many
 * doubles of shared memory): every thread calls it with its value and gets
 * the combination of all, in a fixed order (so the same bits run after
 * run). @combine is a functor (double, double) -> double. */
template <typename Combine>
__device__ __forceinline__ double
block_tree (double v, double *part, Combine combine)
{
  part[threadIdx.x] = v;
  __syncthreads ();
  for (unsigned s = blockDim.x / 2; s > 0; s /= 2)
    {
      if (threadIdx.x < s)
        part[threadIdx.x] = combine (part[threadIdx.x], part[threadIdx.x + s]);
      __syncthreads ();
    }
  double r = part[0];
  __syncthreads ();
  return r;
}

struct SumOp
{
  __device__ double operator() (double a, double b) const { return a + b; }
};

/* The block's sum of every thread's @v, as block_tree */
__device__ __forceinline__ double
block_sum (double v, double *part)
{
  return block_tree (v, part, SumOp ());
}
