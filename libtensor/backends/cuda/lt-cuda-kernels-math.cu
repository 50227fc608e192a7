/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's kernels for random numbers and ranges, the math
 * functions and bitwise ops, the activations, var/std/norm, layer_norm and
 * group_norm, and nll_loss (launchers: lt-cuda-kernels-math-private.h).
 * Compiled as lt-cuda-kernels.cu is: by nvcc for the GPU, without FMA
 * contraction, and by g++ for the emulated device through the launch shim,
 * each in a namespace of its own.
 *
 * Each kernel follows its CPU kernel's arithmetic (backends/cpu/): the
 * random kernels take the same Philox lanes, so a seed gives the same bits
 * on both; the activations, norms and losses compute in double and round
 * once, as the CPU does; float32 math functions call the float functions
 * the CPU calls.
 */

#include "lt-cuda-shim-private.h"
#include "lt-cuda-kernels-math-private.h"

#define LT_PHILOX_QUALIFIER __host__ __device__ static inline
#include "../../core/lt-philox-private.h"

#ifdef __CUDACC__
#define LT_CU_MATH_NS lt_cu_math_device
#define LT_CU_MATH_KERNELS_NAME _lt_cu_math_kernels_device
#else
#define LT_CU_MATH_NS lt_cu_math_emulated
#define LT_CU_MATH_KERNELS_NAME _lt_cu_math_kernels_emulated
#endif

namespace LT_CU_MATH_NS
{

#include "lt-cuda-kernels-common-private.h"

#define BLOCK_THREADS 128 /* block reductions: a power of two */

__device__ __forceinline__ bool
is_nan (double v)
{
  return v != v;
}

__device__ __forceinline__ bool
is_inf (double v)
{
  return v == INFINITY || v == -INFINITY;
}

/* ---- stores with the CPU's conversions (core/lt-dtype-private.h) ---- */

__device__ __forceinline__ int64_t
clamp_i64 (double v, double lo, double hi)
{
  if (v != v)
    return 0;
  if (v >= hi)
    return (int64_t) hi;
  if (v <= lo)
    return (int64_t) lo;
  return (int64_t) v;
}

__device__ __forceinline__ void
store_double (void *base, int dt, int64_t i, double v)
{
  switch (dt)
    {
    case LT_CU_F32: static_cast<float *> (base)[i] = (float) v; break;
    case LT_CU_F64: static_cast<double *> (base)[i] = v; break;
    case LT_CU_I64:
      static_cast<int64_t *> (base)[i] =
        v != v ? 0
               : (v >= 9223372036854775807.0 ? INT64_MAX
                                             : (v <= -9223372036854775808.0 ? INT64_MIN
                                                                            : (int64_t) v));
      break;
    case LT_CU_I32: static_cast<int32_t *> (base)[i] = (int32_t) clamp_i64 (v, -2147483648.0, 2147483647.0); break;
    case LT_CU_I16: static_cast<int16_t *> (base)[i] = (int16_t) clamp_i64 (v, -32768.0, 32767.0); break;
    case LT_CU_I8: static_cast<int8_t *> (base)[i] = (int8_t) clamp_i64 (v, -128.0, 127.0); break;
    case LT_CU_U8: static_cast<uint8_t *> (base)[i] = (uint8_t) clamp_i64 (v, 0.0, 255.0); break;
    case LT_CU_BOOL: static_cast<uint8_t *> (base)[i] = v != 0; break;
    default: break;
    }
}

__device__ __forceinline__ void
store_int64 (void *base, int dt, int64_t i, int64_t v)
{
  switch (dt)
    {
    case LT_CU_F32: static_cast<float *> (base)[i] = (float) v; break;
    case LT_CU_F64: static_cast<double *> (base)[i] = (double) v; break;
    case LT_CU_I64: static_cast<int64_t *> (base)[i] = v; break;
    case LT_CU_I32: static_cast<int32_t *> (base)[i] = (int32_t) v; break;
    case LT_CU_I16: static_cast<int16_t *> (base)[i] = (int16_t) v; break;
    case LT_CU_I8: static_cast<int8_t *> (base)[i] = (int8_t) v; break;
    case LT_CU_U8: static_cast<uint8_t *> (base)[i] = (uint8_t) v; break;
    case LT_CU_BOOL: static_cast<uint8_t *> (base)[i] = v != 0; break;
    default: break;
    }
}

inline bool
dtype_known (int dt)
{
  return dt >= 0 && dt < LT_CU_N_DTYPES;
}

/* ---- random numbers (backends/cpu/lt-cpu-random.c, block by block) ---- */

#define TWO_PI 6.283185307179586

__device__ __forceinline__ void
normal_pair (double u1, double u2, double *z0, double *z1)
{
  double r = sqrt (-2.0 * log (u1));

  *z0 = r * cos (TWO_PI * u2);
  *z1 = r * sin (TWO_PI * u2);
}

__global__ void
k_random (LtCuRandom p)
{
  const int V = p.per_block;
  int64_t n_blocks = (p.numel + V - 1) / V;
  GRID_STRIDE_LOOP (b, n_blocks)
    {
      LtPhilox4 r = _lt_philox4x32_10 (p.seed, p.offset + (uint64_t) b);
      double vals[4];
      int64_t n = p.numel - b * V < V ? p.numel - b * V : V;

      if (p.kind == LT_CU_RAND_UNIFORM)
        {
          if (p.dtype == LT_CU_F64)
            {
              vals[0] = _lt_philox_uniform_f64 (r.v[0], r.v[1]);
              vals[1] = _lt_philox_uniform_f64 (r.v[2], r.v[3]);
            }
          else
            for (int l = 0; l < 4; l++)
              vals[l] = _lt_philox_uniform_f32 (r.v[l]);
          for (int l = 0; l < V; l++)
            vals[l] = p.a + vals[l] * (p.b - p.a);
        }
      else if (p.kind == LT_CU_RAND_NORMAL)
        {
          if (p.dtype == LT_CU_F64)
            normal_pair (1.0 - _lt_philox_uniform_f64 (r.v[0], r.v[1]),
                         _lt_philox_uniform_f64 (r.v[2], r.v[3]), &vals[0], &vals[1]);
          else
            {
              normal_pair (1.0 - _lt_philox_uniform_f32 (r.v[0]), _lt_philox_uniform_f32 (r.v[1]),
                           &vals[0], &vals[1]);
              normal_pair (1.0 - _lt_philox_uniform_f32 (r.v[2]), _lt_philox_uniform_f32 (r.v[3]),
                           &vals[2], &vals[3]);
            }
          for (int l = 0; l < V; l++)
            vals[l] = p.a + vals[l] * p.b;
        }
      else
        {
          /* a <= x < b; ranges above 2^32 use 64 bits per value */
          uint64_t range = (uint64_t) ((int64_t) p.b - (int64_t) p.a);

          if (V == 2)
            for (int l = 0; l < 2; l++)
              {
                uint64_t x = ((uint64_t) r.v[2 * l] << 32) | r.v[2 * l + 1];
                vals[l] = (double) ((int64_t) p.a + (int64_t) (x % range));
              }
          else
            for (int l = 0; l < 4; l++)
              vals[l] = (double) ((int64_t) p.a + (int64_t) (((uint64_t) r.v[l] * range) >> 32));
        }

      for (int64_t l = 0; l < n; l++)
        {
          if (p.kind == LT_CU_RAND_INT && p.dtype == LT_CU_I64)
            static_cast<int64_t *> (p.out)[b * V + l] = (int64_t) vals[l];
          else
            store_double (p.out, p.dtype, b * V + l, vals[l]);
        }
    }
}

int
launch_random (void *stream, const LtCuRandom *r)
{
  int64_t n_blocks;

  if (!dtype_known (r->dtype) || (r->per_block != 2 && r->per_block != 4))
    return LT_CU_UNSUPPORTED;
  if (r->numel == 0)
    return LT_CU_OK;
  n_blocks = (r->numel + r->per_block - 1) / r->per_block;
  LT_LAUNCH (k_random, grid_for (n_blocks, THREADS), THREADS, stream, *r);
  return LT_LAUNCH_STATUS ();
}

/* randperm: every index gets the 64-bit key of lanes 2 (i % 2), 2 (i % 2) + 1
 * of block offset + i / 2; a bitonic sort by (key, index) over the padded
 * length (padding sorts last), then the indices are the permutation. */

__global__ void
k_perm_keys (LtCuRandperm p)
{
  GRID_STRIDE_LOOP (i, p.padded)
    {
      if (i < p.n)
        {
          LtPhilox4 r = _lt_philox4x32_10 (p.seed, p.offset + (uint64_t) (i / 2));
          int l = (int) (i % 2);
          p.keys[i] = ((uint64_t) r.v[2 * l] << 32) | r.v[2 * l + 1];
          p.index[i] = i;
        }
      else
        {
          p.keys[i] = UINT64_MAX;
          p.index[i] = INT64_MAX;
        }
    }
}

__global__ void
k_bitonic_step (LtCuRandperm p, int64_t k, int64_t j)
{
  GRID_STRIDE_LOOP (i, p.padded)
    {
      int64_t l = i ^ j;
      if (l <= i)
        continue;
      uint64_t ki = p.keys[i], kl = p.keys[l];
      int64_t ii = p.index[i], il = p.index[l];
      bool greater = ki > kl || (ki == kl && ii > il);
      bool ascending = (i & k) == 0;
      if (greater == ascending)
        {
          p.keys[i] = kl;
          p.keys[l] = ki;
          p.index[i] = il;
          p.index[l] = ii;
        }
    }
}

__global__ void
k_perm_store (LtCuRandperm p)
{
  GRID_STRIDE_LOOP (i, p.n)
    store_int64 (p.out, p.dtype, i, p.index[i]);
}

int
launch_randperm (void *stream, const LtCuRandperm *r)
{
  unsigned g = grid_for (r->padded, THREADS);
  int status;

  if (!dtype_known (r->dtype) || r->padded < r->n || (r->padded & (r->padded - 1)) != 0)
    return LT_CU_UNSUPPORTED;
  if (r->n == 0)
    return LT_CU_OK;
  LT_LAUNCH (k_perm_keys, g, THREADS, stream, *r);
  if ((status = LT_LAUNCH_STATUS ()) != LT_CU_OK)
    return status;
  for (int64_t k = 2; k <= r->padded; k *= 2)
    for (int64_t j = k / 2; j > 0; j /= 2)
      {
        LT_LAUNCH (k_bitonic_step, g, THREADS, stream, *r, k, j);
        if ((status = LT_LAUNCH_STATUS ()) != LT_CU_OK)
          return status;
      }
  LT_LAUNCH (k_perm_store, grid_for (r->n, THREADS), THREADS, stream, *r);
  return LT_LAUNCH_STATUS ();
}

/* arange and linspace (lt-cpu-random.c's _lt_cpu_range) */

__global__ void
k_range (void *out, int32_t dt, int64_t n, int linspace, double start, double step, double end)
{
  bool integral = dt != LT_CU_F32 && dt != LT_CU_F64;
  double lstep = n > 1 ? (end - start) / (double) (n - 1) : 0;
  int64_t half = n > 1 ? n / 2 : n;

  GRID_STRIDE_LOOP (i, n)
    {
      if (linspace)
        store_double (out, dt, i,
                      i < half ? start + lstep * (double) i : end - lstep * (double) (n - i - 1));
      else if (integral)
        store_int64 (out, dt, i,
                     (int64_t) ((uint64_t) (int64_t) start +
                                (uint64_t) i * (uint64_t) (int64_t) step));
      else
        store_double (out, dt, i, start + (double) i * step);
    }
}

int
launch_range (void *stream, void *out, int32_t dtype, int64_t numel, int linspace, double start,
              double step, double end)
{
  if (!dtype_known (dtype))
    return LT_CU_UNSUPPORTED;
  if (numel == 0)
    return LT_CU_OK;
  LT_LAUNCH (k_range, grid_for (numel, THREADS), THREADS, stream, out, dtype, numel, linspace,
             start, step, end);
  return LT_LAUNCH_STATUS ();
}

/* ---- math functions and bitwise ops (lt-cpu-pointwise.c) ---- */

#define MATH_FN(name, FF, FD)                                                    \
  __device__ __forceinline__ float name (float x) { return FF (x); }             \
  __device__ __forceinline__ double name (double x) { return FD (x); }

MATH_FN (m_ceil, ceilf, ceil)
MATH_FN (m_floor, floorf, floor)
MATH_FN (m_round, nearbyintf, nearbyint)
MATH_FN (m_trunc, truncf, trunc)
MATH_FN (m_log1p, log1pf, log1p)
MATH_FN (m_expm1, expm1f, expm1)
MATH_FN (m_asin, asinf, asin)
MATH_FN (m_acos, acosf, acos)
MATH_FN (m_atan, atanf, atan)
MATH_FN (m_sinh, sinhf, sinh)
MATH_FN (m_cosh, coshf, cosh)
MATH_FN (m_asinh, asinhf, asinh)
MATH_FN (m_acosh, acoshf, acosh)
MATH_FN (m_atanh, atanhf, atanh)
MATH_FN (m_tan, tanf, tan)
MATH_FN (m_erf, erff, erf)
MATH_FN (m_erfc, erfcf, erfc)
MATH_FN (m_log2, log2f, log2)
MATH_FN (m_log10, log10f, log10)
MATH_FN (m_exp2, exp2f, exp2)

template <typename T>
__device__ __forceinline__ T
float_math (int op, T x)
{
  switch (op)
    {
    case LT_CU_M_CEIL: return m_ceil (x);
    case LT_CU_M_FLOOR: return m_floor (x);
    case LT_CU_M_ROUND: return m_round (x);
    case LT_CU_M_TRUNC: return m_trunc (x);
    case LT_CU_M_FRAC: return x - m_trunc (x);
    case LT_CU_M_LOG1P: return m_log1p (x);
    case LT_CU_M_EXPM1: return m_expm1 (x);
    case LT_CU_M_ASIN: return m_asin (x);
    case LT_CU_M_ACOS: return m_acos (x);
    case LT_CU_M_ATAN: return m_atan (x);
    case LT_CU_M_SINH: return m_sinh (x);
    case LT_CU_M_COSH: return m_cosh (x);
    case LT_CU_M_ASINH: return m_asinh (x);
    case LT_CU_M_ACOSH: return m_acosh (x);
    case LT_CU_M_ATANH: return m_atanh (x);
    case LT_CU_M_TAN: return m_tan (x);
    case LT_CU_M_ERF: return m_erf (x);
    case LT_CU_M_ERFC: return m_erfc (x);
    case LT_CU_M_LOG2: return m_log2 (x);
    case LT_CU_M_LOG10: return m_log10 (x);
    case LT_CU_M_EXP2: return m_exp2 (x);
    default: return (T) 1 / x; /* reciprocal */
    }
}

template <typename T>
__global__ void
k_float_math (LtCuIter it, int op)
{
  GRID_STRIDE_LOOP (i, it.numel)
    {
      T x = static_cast<const T *> (it.data[1])[offset_of (it, 1, i)];
      static_cast<T *> (it.data[0])[offset_of (it, 0, i)] = float_math<T> (op, x);
    }
}

/* Integers: rounding is the identity, bitwise ops on the bits; bool
 * (bytes 0 and 1): not is logical, and/or/xor keep 0 and 1. */
template <typename T>
__global__ void
k_int_math (LtCuIter it, int op, int is_bool)
{
  GRID_STRIDE_LOOP (i, it.numel)
    {
      T x = static_cast<const T *> (it.data[1])[offset_of (it, 1, i)];
      T r;
      switch (op)
        {
        case LT_CU_M_BITWISE_NOT: r = is_bool ? (T) !x : (T) ~x; break;
        case LT_CU_M_BITWISE_AND:
          r = (T) (x & static_cast<const T *> (it.data[2])[offset_of (it, 2, i)]);
          break;
        case LT_CU_M_BITWISE_OR:
          r = (T) (x | static_cast<const T *> (it.data[2])[offset_of (it, 2, i)]);
          break;
        case LT_CU_M_BITWISE_XOR:
          r = (T) (x ^ static_cast<const T *> (it.data[2])[offset_of (it, 2, i)]);
          break;
        default: r = x; /* ceil, floor, round, trunc */
        }
      static_cast<T *> (it.data[0])[offset_of (it, 0, i)] = r;
    }
}

int
launch_math (void *stream, const LtCuIter *it, int op)
{
  unsigned g = grid_for (it->numel, THREADS);
  bool bitwise = op >= LT_CU_M_BITWISE_NOT && op <= LT_CU_M_BITWISE_XOR;
  bool rounding = op <= LT_CU_M_TRUNC;
  int dt = it->dtype[1];

  if (op < 0 || op >= LT_CU_N_MATH || it->n_operands != (op > LT_CU_M_BITWISE_NOT ? 3 : 2))
    return LT_CU_UNSUPPORTED;
  if (it->numel == 0)
    return LT_CU_OK;
  switch (dt)
    {
    case LT_CU_F32:
      if (bitwise)
        return LT_CU_UNSUPPORTED;
      LT_LAUNCH (k_float_math<float>, g, THREADS, stream, *it, op);
      break;
    case LT_CU_F64:
      if (bitwise)
        return LT_CU_UNSUPPORTED;
      LT_LAUNCH (k_float_math<double>, g, THREADS, stream, *it, op);
      break;
    case LT_CU_BOOL:
      if (!bitwise)
        return LT_CU_UNSUPPORTED;
      LT_LAUNCH (k_int_math<uint8_t>, g, THREADS, stream, *it, op, 1);
      break;
    default:
      if (!bitwise && !rounding)
        return LT_CU_UNSUPPORTED;
      switch (dt)
        {
        case LT_CU_I64: LT_LAUNCH (k_int_math<int64_t>, g, THREADS, stream, *it, op, 0); break;
        case LT_CU_I32: LT_LAUNCH (k_int_math<int32_t>, g, THREADS, stream, *it, op, 0); break;
        case LT_CU_I16: LT_LAUNCH (k_int_math<int16_t>, g, THREADS, stream, *it, op, 0); break;
        case LT_CU_I8: LT_LAUNCH (k_int_math<int8_t>, g, THREADS, stream, *it, op, 0); break;
        case LT_CU_U8: LT_LAUNCH (k_int_math<uint8_t>, g, THREADS, stream, *it, op, 0); break;
        default: return LT_CU_UNSUPPORTED;
        }
    }
  return LT_LAUNCH_STATUS ();
}

/* ---- activations (lt-cpu-activation.c: PyTorch 1.13's formulas) ---- */

#define GELU_TANH_K 0.7978845608028654 /* sqrt (2 / pi) */
#define GELU_TANH_C 0.044715
#define SQRT1_2 0.70710678118654752440

__device__ __forceinline__ double
act_value (const LtCuActivation &p, double x)
{
  switch (p.kind)
    {
    case LT_CU_ACT_GELU:
      if (p.tanh)
        return 0.5 * x * (1.0 + tanh (GELU_TANH_K * (x + GELU_TANH_C * x * x * x)));
      return 0.5 * x * (1.0 + erf (x * SQRT1_2));
    case LT_CU_ACT_SILU:
      return x / (1.0 + exp (-x));
    case LT_CU_ACT_ELU:
      return x <= 0 ? expm1 (x * p.c) * p.a * p.b : x * p.b;
    case LT_CU_ACT_SOFTPLUS:
      return x * p.a > p.b ? x : log1p (exp (x * p.a)) / p.a;
    default:
      return x < p.a ? p.a : x > p.b ? p.b : x;
    }
}

__device__ __forceinline__ double
act_derivative (const LtCuActivation &p, double x)
{
  switch (p.kind)
    {
    case LT_CU_ACT_GELU:
      if (p.tanh)
        {
          double t = tanh (GELU_TANH_K * (x + GELU_TANH_C * x * x * x));

          return 0.5 * (1.0 + t) +
                 0.5 * x * (1.0 - t * t) * GELU_TANH_K * (1.0 + 3.0 * GELU_TANH_C * x * x);
        }
      return 0.5 * (1.0 + erf (x * SQRT1_2)) + x * exp (-0.5 * x * x) * 0.3989422804014327;
    case LT_CU_ACT_SILU:
      {
        double s = 1.0 / (1.0 + exp (-x));

        return s * (1.0 + x * (1.0 - s));
      }
    case LT_CU_ACT_ELU:
      return x <= 0 ? p.c * p.a * p.b * exp (x * p.c) : p.b;
    case LT_CU_ACT_SOFTPLUS:
      {
        double z = exp (x * p.a);

        return x * p.a > p.b ? 1.0 : z / (z + 1.0);
      }
    default:
      return x <= p.a || x >= p.b ? 0.0 : 1.0;
    }
}

template <typename T>
__global__ void
k_activation (LtCuIter it, LtCuActivation p)
{
  GRID_STRIDE_LOOP (i, it.numel)
    {
      double x = static_cast<const T *> (it.data[1])[offset_of (it, 1, i)];
      static_cast<T *> (it.data[0])[offset_of (it, 0, i)] = (T) act_value (p, x);
    }
}

template <typename T>
__global__ void
k_activation_grad (LtCuIter it, LtCuActivation p)
{
  GRID_STRIDE_LOOP (i, it.numel)
    {
      double g = static_cast<const T *> (it.data[1])[offset_of (it, 1, i)];
      double x = static_cast<const T *> (it.data[2])[offset_of (it, 2, i)];
      double dx = act_derivative (p, x);
      /* a zero derivative gives zero, whatever the gradient */
      static_cast<T *> (it.data[0])[offset_of (it, 0, i)] = dx == 0.0 ? (T) 0 : (T) (g * dx);
    }
}

int
launch_activation (void *stream, const LtCuIter *it, const LtCuActivation *act, int grad)
{
  unsigned g = grid_for (it->numel, THREADS);

  if (act->kind < LT_CU_ACT_GELU || act->kind > LT_CU_ACT_HARDTANH ||
      it->n_operands != (grad ? 3 : 2))
    return LT_CU_UNSUPPORTED;
  if (it->numel == 0)
    return LT_CU_OK;
  if (it->dtype[0] == LT_CU_F32)
    {
      if (grad)
        LT_LAUNCH (k_activation_grad<float>, g, THREADS, stream, *it, *act);
      else
        LT_LAUNCH (k_activation<float>, g, THREADS, stream, *it, *act);
    }
  else if (it->dtype[0] == LT_CU_F64)
    {
      if (grad)
        LT_LAUNCH (k_activation_grad<double>, g, THREADS, stream, *it, *act);
      else
        LT_LAUNCH (k_activation<double>, g, THREADS, stream, *it, *act);
    }
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

/* ---- block reductions of doubles ---- */

enum { COMBINE_SUM, COMBINE_MAX, COMBINE_MIN };

/* NaN wins max and min, as the CPU's norm */
__device__ __forceinline__ double
combine (int kind, double a, double b)
{
  if (kind == COMBINE_SUM)
    return a + b;
  if (is_nan (a))
    return a;
  if (is_nan (b))
    return b;
  if (kind == COMBINE_MAX)
    return b > a ? b : a;
  return b < a ? b : a;
}

struct CombineOp
{
  int kind;
  __device__ double operator() (double a, double b) const { return combine (kind, a, b); }
};

/* Every thread of the block calls it; every thread gets the result. */
__device__ __forceinline__ double
block_reduce (double v, int kind, double *part)
{
  return block_tree (v, part, CombineOp{ kind });
}

/* ---- var, std, norm (lt-cpu-reduce.c's reduce_float_one) ---- */

__device__ __forceinline__ void
moment_offsets (const LtCuReduce &r, int64_t m, int64_t *in_off, int64_t *out_off)
{
  int64_t io = 0, oo = 0;
  for (int d = r.keep_ndim - 1; d >= 0; d--)
    {
      int64_t s = r.keep_shape[d], q = m / s, k = m - q * s;
      io += k * r.keep_in_stride[d];
      oo += k * r.keep_out_stride[d];
      m = q;
    }
  *in_off = io;
  *out_off = oo;
}

__device__ __forceinline__ int64_t
moment_red_offset (const LtCuReduce &r, int64_t k)
{
  int64_t off = 0;
  for (int d = r.red_ndim - 1; d >= 0; d--)
    {
      int64_t s = r.red_shape[d], q = k / s;
      off += (k - q * s) * r.red_stride[d];
      k = q;
    }
  return off;
}

/* One element's contribution to the p-norm's accumulator */
__device__ __forceinline__ double
pnorm_term (double v, double p)
{
  v = fabs (v);
  if (p == 2)
    return v * v;
  if (p == 1)
    return v;
  if (p == 0)
    return v != 0;
  if (is_inf (p))
    return v;
  return pow (v, p);
}

__device__ __forceinline__ double
pnorm_finish (double acc, double p)
{
  if (p == 2)
    return sqrt (acc);
  if (p == 1 || p == 0 || is_inf (p))
    return acc;
  return pow (acc, 1.0 / p);
}

/* The result of one output element from its sums: @s1 the sum (var, std)
 * or the accumulator (norm), @s2 the sum of squared deviations. */
__device__ __forceinline__ double
moment_finish (int op, double s2, double acc, int64_t N, double correction, double p)
{
  if (op == LT_CU_MOM_NORM)
    {
      if (N == 0)
        return is_inf (p) ? (p > 0 ? 0.0 : INFINITY) : pnorm_finish (0.0, p);
      return pnorm_finish (acc, p);
    }
  double den = (double) N - correction;
  double var = s2 / (den > 0 ? den : 0.0);
  return op == LT_CU_MOM_STD ? sqrt (var) : var;
}

__device__ __forceinline__ int
norm_combine_kind (double p)
{
  return is_inf (p) ? (p > 0 ? COMBINE_MAX : COMBINE_MIN) : COMBINE_SUM;
}

/* Short rows: one thread per output element */
template <typename T>
__global__ void
k_moments_thread (LtCuReduce r, int op, double correction, double p)
{
  GRID_STRIDE_LOOP (m, r.n_out)
    {
      int64_t io, oo;
      const T *x = static_cast<const T *> (r.in);
      double acc = 0, s2 = 0;
      moment_offsets (r, m, &io, &oo);
      if (op == LT_CU_MOM_NORM)
        {
          int kind = norm_combine_kind (p);
          for (int64_t k = 0; k < r.n_red; k++)
            {
              double t = pnorm_term ((double) x[io + moment_red_offset (r, k)], p);
              acc = k == 0 ? t : combine (kind, acc, t);
            }
        }
      else
        {
          double mean = 0;
          for (int64_t k = 0; k < r.n_red; k++)
            mean += (double) x[io + moment_red_offset (r, k)];
          mean /= (double) r.n_red;
          for (int64_t k = 0; k < r.n_red; k++)
            {
              double d = (double) x[io + moment_red_offset (r, k)] - mean;
              s2 += d * d;
            }
        }
      static_cast<T *> (r.out)[oo] = (T) moment_finish (op, s2, acc, r.n_red, correction, p);
    }
}

/* Long rows: one block per output element */
template <typename T>
__global__ void
k_moments_block (LtCuReduce r, int op, double correction, double p)
{
  __shared__ double part[BLOCK_THREADS];
  const T *x = static_cast<const T *> (r.in);
  for (int64_t m = blockIdx.x; m < r.n_out; m += gridDim.x)
    {
      int64_t io, oo;
      double acc = 0, s2 = 0;
      moment_offsets (r, m, &io, &oo);
      if (op == LT_CU_MOM_NORM)
        {
          int kind = norm_combine_kind (p);
          /* neutral elements: terms are >= 0 (or NaN) */
          double a = kind == COMBINE_MIN ? INFINITY : (kind == COMBINE_MAX ? -INFINITY : 0.0);
          for (int64_t k = threadIdx.x; k < r.n_red; k += blockDim.x)
            a = combine (kind, a, pnorm_term ((double) x[io + moment_red_offset (r, k)], p));
          acc = block_reduce (a, kind, part);
        }
      else
        {
          double s = 0, mean;
          for (int64_t k = threadIdx.x; k < r.n_red; k += blockDim.x)
            s += (double) x[io + moment_red_offset (r, k)];
          mean = block_reduce (s, COMBINE_SUM, part) / (double) r.n_red;
          s = 0;
          for (int64_t k = threadIdx.x; k < r.n_red; k += blockDim.x)
            {
              double d = (double) x[io + moment_red_offset (r, k)] - mean;
              s += d * d;
            }
          s2 = block_reduce (s, COMBINE_SUM, part);
        }
      if (threadIdx.x == 0)
        static_cast<T *> (r.out)[oo] = (T) moment_finish (op, s2, acc, r.n_red, correction, p);
    }
}

template <typename T>
int
launch_moments_t (void *stream, const LtCuReduce *r, int op, double correction, double p)
{
  if (r->n_red >= 4096 || (r->n_red >= 256 && r->n_out < 64))
    LT_LAUNCH_COOP (k_moments_block<T>, grid_for (r->n_out, 1), BLOCK_THREADS, stream, *r, op,
                    correction, p);
  else
    LT_LAUNCH (k_moments_thread<T>, grid_for (r->n_out, THREADS), THREADS, stream, *r, op,
               correction, p);
  return LT_LAUNCH_STATUS ();
}

int
launch_moments (void *stream, const LtCuReduce *r, int op, double correction, double p)
{
  if (op < LT_CU_MOM_VAR || op > LT_CU_MOM_NORM || r->in_dtype != r->out_dtype)
    return LT_CU_UNSUPPORTED;
  if (r->n_out == 0)
    return LT_CU_OK;
  switch (r->in_dtype)
    {
    case LT_CU_F32: return launch_moments_t<float> (stream, r, op, correction, p);
    case LT_CU_F64: return launch_moments_t<double> (stream, r, op, correction, p);
    default: return LT_CU_UNSUPPORTED;
    }
}

/* ---- layer_norm, group_norm and norm_grad (lt-cpu-norm.c), one block per
 * row (or, for the weight's and bias's gradients, per channel) ---- */

/* the channel of element j of row r */
__device__ __forceinline__ int64_t
norm_channel (const LtCuNorm &p, int64_t r, int64_t j)
{
  return (r % p.groups) * (p.channels / p.groups) + j / p.inner;
}

template <typename T>
__global__ void
k_norm (LtCuNorm p)
{
  __shared__ double part[BLOCK_THREADS];
  const T *w = static_cast<const T *> (p.weight), *b = static_cast<const T *> (p.bias);
  T *st = static_cast<T *> (p.stats);
  for (int64_t r = blockIdx.x; r < p.rows; r += gridDim.x)
    {
      const T *xr = static_cast<const T *> (p.x) + r * p.D;
      T *yr = static_cast<T *> (p.out) + r * p.D;
      double s = 0, mean, rstd;
      for (int64_t j = threadIdx.x; j < p.D; j += blockDim.x)
        s += xr[j];
      mean = block_reduce (s, COMBINE_SUM, part) / (double) p.D;
      s = 0;
      for (int64_t j = threadIdx.x; j < p.D; j += blockDim.x)
        {
          double d = xr[j] - mean;
          s += d * d;
        }
      rstd = 1.0 / sqrt (block_reduce (s, COMBINE_SUM, part) / (double) p.D + p.eps);
      if (threadIdx.x == 0)
        {
          st[r] = (T) mean;
          st[p.rows + r] = (T) rstd;
        }
      for (int64_t j = threadIdx.x; j < p.D; j += blockDim.x)
        {
          double v = (xr[j] - mean) * rstd;
          if (w || b)
            {
              int64_t c = norm_channel (p, r, j);
              if (w)
                v *= w[c];
              if (b)
                v += b[c];
            }
          yr[j] = (T) v;
        }
    }
}

template <typename T>
__global__ void
k_norm_grad_input (LtCuNorm p)
{
  __shared__ double part[BLOCK_THREADS];
  const T *w = static_cast<const T *> (p.weight), *st = static_cast<const T *> (p.stats);
  for (int64_t r = blockIdx.x; r < p.rows; r += gridDim.x)
    {
      const T *xr = static_cast<const T *> (p.x) + r * p.D;
      const T *gr = static_cast<const T *> (p.dy) + r * p.D;
      T *dxr = static_cast<T *> (p.out) + r * p.D;
      double mean = st[r], rstd = st[p.rows + r], sg = 0, sgx = 0, a, c2;
      for (int64_t j = threadIdx.x; j < p.D; j += blockDim.x)
        {
          double g = w ? (double) gr[j] * w[norm_channel (p, r, j)] : gr[j];
          sg += g;
          sgx += g * (xr[j] - mean) * rstd;
        }
      a = block_reduce (sg, COMBINE_SUM, part) / (double) p.D;
      c2 = block_reduce (sgx, COMBINE_SUM, part) / (double) p.D;
      for (int64_t j = threadIdx.x; j < p.D; j += blockDim.x)
        {
          double g = w ? (double) gr[j] * w[norm_channel (p, r, j)] : gr[j];
          double xh = (xr[j] - mean) * rstd;
          dxr[j] = (T) (rstd * (g - a - xh * c2));
        }
    }
}

template <typename T>
__global__ void
k_norm_grad_affine (LtCuNorm p)
{
  __shared__ double part[BLOCK_THREADS];
  const T *st = static_cast<const T *> (p.stats);
  T *ga = static_cast<T *> (p.grad_affine);
  int64_t C = p.channels, cpg = C / p.groups, n_rows = p.rows / p.groups;
  for (int64_t c = blockIdx.x; c < C; c += gridDim.x)
    {
      int64_t j0 = (c % cpg) * p.inner;
      double sw = 0, sb = 0;
      for (int64_t k = threadIdx.x; k < n_rows * p.inner; k += blockDim.x)
        {
          int64_t n = k / p.inner, j = j0 + (k - n * p.inner);
          int64_t r = n * p.groups + c / cpg;
          double mean = st[r], rstd = st[p.rows + r];
          const T *xr = static_cast<const T *> (p.x) + r * p.D;
          const T *gr = static_cast<const T *> (p.dy) + r * p.D;
          sw += (double) gr[j] * (xr[j] - mean) * rstd;
          sb += gr[j];
        }
      sw = block_reduce (sw, COMBINE_SUM, part);
      sb = block_reduce (sb, COMBINE_SUM, part);
      if (threadIdx.x == 0)
        {
          ga[c] = (T) sw;
          ga[C + c] = (T) sb;
        }
    }
}

int
launch_norm (void *stream, const LtCuNorm *n)
{
  if (n->groups <= 0 || n->inner <= 0)
    return LT_CU_UNSUPPORTED;
  if (n->rows == 0)
    return LT_CU_OK;
  if (n->dtype == LT_CU_F32)
    LT_LAUNCH_COOP (k_norm<float>, grid_for (n->rows, 1), BLOCK_THREADS, stream, *n);
  else if (n->dtype == LT_CU_F64)
    LT_LAUNCH_COOP (k_norm<double>, grid_for (n->rows, 1), BLOCK_THREADS, stream, *n);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

int
launch_norm_grad (void *stream, const LtCuNorm *n)
{
  int status = LT_CU_OK;

  if (n->groups <= 0 || n->inner <= 0 || (n->dtype != LT_CU_F32 && n->dtype != LT_CU_F64))
    return LT_CU_UNSUPPORTED;
  if (n->rows > 0 && n->D > 0)
    {
      if (n->dtype == LT_CU_F32)
        LT_LAUNCH_COOP (k_norm_grad_input<float>, grid_for (n->rows, 1), BLOCK_THREADS, stream, *n);
      else
        LT_LAUNCH_COOP (k_norm_grad_input<double>, grid_for (n->rows, 1), BLOCK_THREADS, stream,
                        *n);
      if ((status = LT_LAUNCH_STATUS ()) != LT_CU_OK)
        return status;
    }
  if (n->grad_affine && n->channels > 0)
    {
      if (n->dtype == LT_CU_F32)
        LT_LAUNCH_COOP (k_norm_grad_affine<float>, grid_for (n->channels, 1), BLOCK_THREADS,
                        stream, *n);
      else
        LT_LAUNCH_COOP (k_norm_grad_affine<double>, grid_for (n->channels, 1), BLOCK_THREADS,
                        stream, *n);
      status = LT_LAUNCH_STATUS ();
    }
  return status;
}

/* ---- nll_loss and its backward (lt-cpu-loss.c) ---- */

__device__ __forceinline__ void
record_error (LtCuErrorWord *err, int code, int op, int64_t value)
{
  if (atomicCAS (&err->code, 0, code) == 0)
    {
      err->op = op;
      err->value = value;
    }
}

/* One block: the per-target losses, and the sum and total weight */
template <typename T>
__global__ void
k_nll (LtCuNll p, LtCuErrorWord *err)
{
  __shared__ double part[BLOCK_THREADS];
  const T *x = static_cast<const T *> (p.x), *w = static_cast<const T *> (p.weight);
  T *out = static_cast<T *> (p.out);
  double sum = 0, total = 0;
  int64_t NR = p.N * p.R;
  for (int64_t k = threadIdx.x; k < NR; k += blockDim.x)
    {
      int64_t i = k / p.R, r = k - i * p.R, c = p.target[k];
      T wc, l;
      if (c == p.ignore_index || c < 0 || c >= p.C)
        {
          if (c != p.ignore_index)
            record_error (err, LT_CU_ERRW_CLASS_TARGET,
                          p.C > INT32_MAX ? INT32_MAX : (int) p.C, c);
          if (p.reduction == 0)
            out[k] = 0;
          continue;
        }
      wc = w ? w[c] : (T) 1;
      l = -wc * x[(i * p.C + c) * p.R + r];
      if (p.reduction == 0)
        out[k] = l;
      sum += l;
      total += wc;
    }
  sum = block_reduce (sum, COMBINE_SUM, part);
  total = block_reduce (total, COMBINE_SUM, part);
  if (threadIdx.x == 0)
    {
      *static_cast<T *> (p.total_weight) = (T) total;
      if (p.reduction == 2)
        *out = (T) sum;
      else if (p.reduction == 1)
        *out = (T) sum / (T) total;
    }
}

/* dx[n, c, r] = -w[c] g[n, r] where c is the target, else 0 */
template <typename T>
__global__ void
k_nll_grad (LtCuNll p)
{
  const T *g = static_cast<const T *> (p.x), *w = static_cast<const T *> (p.weight);
  T *dx = static_cast<T *> (p.out);
  int64_t CR = p.C * p.R;
  GRID_STRIDE_LOOP (e, p.N * CR)
    {
      int64_t i = e / CR, rem = e - i * CR, c = rem / p.R, r = rem - c * p.R;
      int64_t t = p.target[i * p.R + r];
      T v = 0;
      if (t == c && t != p.ignore_index)
        v = -(w ? w[c] : (T) 1) * g[p.per_target ? i * p.R + r : 0];
      dx[e] = v;
    }
}

int
launch_nll (void *stream, const LtCuNll *n, LtCuErrorWord *err)
{
  if (n->dtype == LT_CU_F32)
    LT_LAUNCH_COOP (k_nll<float>, 1, BLOCK_THREADS, stream, *n, err);
  else if (n->dtype == LT_CU_F64)
    LT_LAUNCH_COOP (k_nll<double>, 1, BLOCK_THREADS, stream, *n, err);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

int
launch_nll_grad (void *stream, const LtCuNll *n)
{
  int64_t total = n->N * n->C * n->R;
  unsigned g = grid_for (total, THREADS);

  if (n->dtype != LT_CU_F32 && n->dtype != LT_CU_F64)
    return LT_CU_UNSUPPORTED;
  if (total == 0)
    return LT_CU_OK;
  if (n->dtype == LT_CU_F32)
    LT_LAUNCH (k_nll_grad<float>, g, THREADS, stream, *n);
  else
    LT_LAUNCH (k_nll_grad<double>, g, THREADS, stream, *n);
  return LT_LAUNCH_STATUS ();
}

} // namespace LT_CU_MATH_NS

extern "C" const LtCuMathKernels LT_CU_MATH_KERNELS_NAME = {
  LT_CU_MATH_NS::launch_random,   LT_CU_MATH_NS::launch_randperm, LT_CU_MATH_NS::launch_range,
  LT_CU_MATH_NS::launch_math,     LT_CU_MATH_NS::launch_activation,
  LT_CU_MATH_NS::launch_moments,  LT_CU_MATH_NS::launch_norm,     LT_CU_MATH_NS::launch_norm_grad,
  LT_CU_MATH_NS::launch_nll,      LT_CU_MATH_NS::launch_nll_grad,
};
