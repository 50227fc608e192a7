/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The CUDA backend's kernels and their launchers (lt-cuda-kernels-private.h). One
 * source, two compilations: nvcc builds it for the GPU (sm_80, sm_90 and
 * compute_90 PTX), g++ builds it for the emulated device through the launch
 * shim (lt-cuda-shim-private.h), in a namespace of its own so the two never share a
 * symbol. No GLib here.
 *
 * Semantics follow the CPU backend's kernels (backends/cpu/): integer
 * arithmetic wraps through unsigned arithmetic, float-to-integer copies
 * saturate, NaN propagates through max/min and wins argmax/argmin, ties
 * give the first index. An integer division by zero writes the device-side
 * error word instead of trapping.
 */

#include "lt-cuda-shim-private.h"
#include "lt-cuda-kernels-private.h"

namespace LT_CU_NS
{

#include "lt-cuda-kernels-common-private.h"

template <typename T> struct IsFloat { static constexpr bool value = false; };
template <> struct IsFloat<float> { static constexpr bool value = true; };
template <> struct IsFloat<double> { static constexpr bool value = true; };

/* Element loads and stores, with bool as a byte */
template <typename T> struct Elem
{
  typedef T type;
  __device__ static T load (const void *p, int64_t i) { return static_cast<const T *> (p)[i]; }
  __device__ static void store (void *p, int64_t i, T v) { static_cast<T *> (p)[i] = v; }
};
template <> struct Elem<Bool8>
{
  typedef uint8_t type;
  __device__ static uint8_t load (const void *p, int64_t i) { return static_cast<const uint8_t *> (p)[i]; }
  __device__ static void store (void *p, int64_t i, uint8_t v) { static_cast<uint8_t *> (p)[i] = v; }
};

/* ---- fill ---- */

template <typename T>
__global__ void
k_fill (LtCuIter it, T v)
{
  GRID_STRIDE_LOOP (i, it.numel)
    static_cast<T *> (it.data[0])[offset_of (it, 0, i)] = v;
}

int
launch_fill (void *stream, const LtCuIter *it, double value, int64_t bits)
{
  (void) value;
  unsigned g = grid_for (it->numel, THREADS);
  switch (it->dtype[0])
    {
    case LT_CU_F32: case LT_CU_I32:
      LT_LAUNCH (k_fill<uint32_t>, g, THREADS, stream, *it, (uint32_t) bits);
      break;
    case LT_CU_F64: case LT_CU_I64:
      LT_LAUNCH (k_fill<uint64_t>, g, THREADS, stream, *it, (uint64_t) bits);
      break;
    case LT_CU_I16:
      LT_LAUNCH (k_fill<uint16_t>, g, THREADS, stream, *it, (uint16_t) bits);
      break;
    case LT_CU_I8: case LT_CU_U8: case LT_CU_BOOL:
      LT_LAUNCH (k_fill<uint8_t>, g, THREADS, stream, *it, (uint8_t) bits);
      break;
    default:
      return LT_CU_UNSUPPORTED;
    }
  return LT_LAUNCH_STATUS ();
}

/* ---- copy with conversion ---- */

__device__ __forceinline__ int64_t
double_to_i64 (double v)
{
  if (v != v)
    return 0;
  if (v >= 9223372036854775807.0)
    return INT64_MAX;
  if (v <= -9223372036854775808.0)
    return INT64_MIN;
  return (int64_t) v;
}

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

template <typename D, typename S>
__device__ __forceinline__ typename Elem<D>::type
convert (typename Elem<S>::type x)
{
  typedef typename Elem<D>::type DT;
  if constexpr (__is_same (D, Bool8))
    return (DT) (x != 0);
  else if constexpr (IsFloat<S>::value && !IsFloat<D>::value)
    {
      if constexpr (__is_same (D, int64_t) || __is_same (D, uint8_t))
        return (DT) double_to_i64 ((double) x);
      else if constexpr (__is_same (D, int32_t))
        return (DT) clamp_i64 ((double) x, -2147483648.0, 2147483647.0);
      else if constexpr (__is_same (D, int16_t))
        return (DT) clamp_i64 ((double) x, -32768.0, 32767.0);
      else
        return (DT) clamp_i64 ((double) x, -128.0, 127.0);
    }
  else
    return (DT) x;
}

template <typename D, typename S>
__global__ void
k_copy (LtCuIter it)
{
  GRID_STRIDE_LOOP (i, it.numel)
    {
      typename Elem<S>::type x = Elem<S>::load (it.data[1], offset_of (it, 1, i));
      Elem<D>::store (it.data[0], offset_of (it, 0, i), convert<D, S> (x));
    }
}

template <typename D>
int
launch_copy_to (void *stream, const LtCuIter *it)
{
  unsigned g = grid_for (it->numel, THREADS);
  DISPATCH (it->dtype[1], S, LT_LAUNCH ((k_copy<D, S>), g, THREADS, stream, *it));
  return LT_LAUNCH_STATUS ();
}

int
launch_copy (void *stream, const LtCuIter *it)
{
  DISPATCH (it->dtype[0], D, return launch_copy_to<D> (stream, it));
  return LT_CU_UNSUPPORTED;
}

/* ---- unary ---- */

__device__ __forceinline__ float f_exp (float x) { return expf (x); }
__device__ __forceinline__ double f_exp (double x) { return exp (x); }
__device__ __forceinline__ float f_log (float x) { return logf (x); }
__device__ __forceinline__ double f_log (double x) { return log (x); }
__device__ __forceinline__ float f_sqrt (float x) { return sqrtf (x); }
__device__ __forceinline__ double f_sqrt (double x) { return sqrt (x); }
__device__ __forceinline__ float f_sin (float x) { return sinf (x); }
__device__ __forceinline__ double f_sin (double x) { return sin (x); }
__device__ __forceinline__ float f_cos (float x) { return cosf (x); }
__device__ __forceinline__ double f_cos (double x) { return cos (x); }
__device__ __forceinline__ float f_tanh (float x) { return tanhf (x); }
__device__ __forceinline__ double f_tanh (double x) { return tanh (x); }
__device__ __forceinline__ float f_pow (float x, float y) { return powf (x, y); }
__device__ __forceinline__ double f_pow (double x, double y) { return pow (x, y); }
__device__ __forceinline__ float f_fmod (float x, float y) { return fmodf (x, y); }
__device__ __forceinline__ double f_fmod (double x, double y) { return fmod (x, y); }

template <typename T>
__device__ __forceinline__ T
wrap_neg (T x)
{
  return (T) (0 - (uint64_t) (int64_t) x);
}

template <typename T>
__device__ __forceinline__ T
unary_op (int op, T x, double lo, double hi)
{
  if constexpr (IsFloat<T>::value)
    switch (op)
      {
      case LT_CU_NEG: return -x;
      case LT_CU_ABS: return x < 0 ? -x : (x == 0 ? (T) 0 : x);
      case LT_CU_SIGN: return x != x ? x : (T) ((x > 0) - (x < 0));
      case LT_CU_EXP: return f_exp (x);
      case LT_CU_LOG: return f_log (x);
      case LT_CU_SQRT: return f_sqrt (x);
      case LT_CU_RSQRT: return (T) 1 / f_sqrt (x);
      case LT_CU_SIN: return f_sin (x);
      case LT_CU_COS: return f_cos (x);
      case LT_CU_TANH: return f_tanh (x);
      case LT_CU_SIGMOID: return (T) 1 / ((T) 1 + f_exp (-x));
      case LT_CU_RELU: return x < 0 ? (T) 0 : x;
      default: break;
      }
  else if constexpr (__is_same (T, uint8_t))
    switch (op)
      {
      case LT_CU_NEG: return (uint8_t) (0u - x);
      case LT_CU_ABS: case LT_CU_RELU: return x;
      case LT_CU_SIGN: return x > 0;
      default: break;
      }
  else
    switch (op)
      {
      case LT_CU_NEG: return wrap_neg (x);
      case LT_CU_ABS: return x < 0 ? wrap_neg (x) : x;
      case LT_CU_SIGN: return (T) ((x > 0) - (x < 0));
      case LT_CU_RELU: return x < 0 ? (T) 0 : x;
      default: break;
      }
  if (op == LT_CU_CLAMP)
    {
      double v = (double) x;
      if (v < lo)
        {
          x = (T) lo;
          v = lo;
        }
      if (v > hi)
        x = (T) hi;
    }
  return x;
}

template <typename T>
__global__ void
k_unary (LtCuIter it, int op, double lo, double hi)
{
  typedef typename Elem<T>::type V;
  GRID_STRIDE_LOOP (i, it.numel)
    {
      V x = Elem<T>::load (it.data[1], offset_of (it, 1, i));
      if (op == LT_CU_LOGICAL_NOT)
        static_cast<uint8_t *> (it.data[0])[offset_of (it, 0, i)] = !x;
      else if constexpr (__is_same (T, Bool8))
        static_cast<uint8_t *> (it.data[0])[offset_of (it, 0, i)] = x != 0;
      else
        static_cast<T *> (it.data[0])[offset_of (it, 0, i)] = unary_op<T> (op, x, lo, hi);
    }
}

/* Which unary ops a dtype has (the others are refused, not computed) */
inline bool
unary_supported (int op, int dt)
{
  if (op == LT_CU_LOGICAL_NOT)
    return true;
  if (dt == LT_CU_F32 || dt == LT_CU_F64)
    return true;
  if (dt == LT_CU_BOOL)
    return op == LT_CU_SIGN || op == LT_CU_ABS;
  return op == LT_CU_NEG || op == LT_CU_ABS || op == LT_CU_SIGN || op == LT_CU_RELU ||
         op == LT_CU_CLAMP;
}

int
launch_unary (void *stream, const LtCuIter *it, int op, double lo, double hi)
{
  unsigned g = grid_for (it->numel, THREADS);
  if (!unary_supported (op, it->dtype[1]))
    return LT_CU_UNSUPPORTED;
  DISPATCH (it->dtype[1], T, LT_LAUNCH (k_unary<T>, g, THREADS, stream, *it, op, lo, hi));
  return LT_LAUNCH_STATUS ();
}

/* ---- binary ---- */

__device__ __forceinline__ void
record_error (LtCuErrorWord *err, int code, int op, int64_t value)
{
  if (atomicCAS (&err->code, 0, code) == 0)
    {
      err->op = op;
      err->value = value;
    }
}

__device__ __forceinline__ int64_t
int_pow (int64_t base, int64_t e)
{
  uint64_t r = 1, b = (uint64_t) base;
  if (e < 0)
    return base == 1 ? 1 : base == -1 ? ((e & 1) ? -1 : 1) : 0;
  while (e)
    {
      if (e & 1)
        r *= b;
      b *= b;
      e >>= 1;
    }
  return (int64_t) r;
}

template <typename T>
__device__ __forceinline__ T
float_floordiv (T a, T b)
{
  if (b == 0)
    return a / b;
  double m = f_fmod ((double) a, (double) b);
  double div = ((double) a - m) / (double) b;
  if (m != 0 && ((b < 0) != (m < 0)))
    div -= 1.0;
  if (div != 0)
    {
      double fl = floor (div);
      if (div - fl > 0.5)
        fl += 1.0;
      return (T) fl;
    }
  return (T) copysign (0.0, (double) a / (double) b);
}

template <typename T>
__device__ __forceinline__ T
float_remainder (T a, T b)
{
  double m = f_fmod ((double) a, (double) b);
  if (m != 0 && ((b < 0) != (m < 0)))
    m += (double) b;
  return (T) m;
}

/* Arithmetic results of @op (comparisons are handled by the kernel) */
template <typename T>
__device__ __forceinline__ T
binary_op (int op, T a, T b, LtCuErrorWord *err)
{
  if constexpr (IsFloat<T>::value)
    switch (op)
      {
      case LT_CU_ADD: return a + b;
      case LT_CU_SUB: return a - b;
      case LT_CU_MUL: return a * b;
      case LT_CU_DIV: return a / b;
      case LT_CU_POW: return f_pow (a, b);
      case LT_CU_MAXIMUM: return (a != a || a > b) ? a : b;
      case LT_CU_MINIMUM: return (a != a || a < b) ? a : b;
      case LT_CU_FLOOR_DIVIDE: return float_floordiv (a, b);
      case LT_CU_REMAINDER: return float_remainder (a, b);
      case LT_CU_RELU_GRAD: return b <= 0 ? (T) 0 : a;
      default: return 0;
      }
  else if constexpr (__is_same (T, Bool8))
    return T ();
  else
    {
      uint64_t ua = (uint64_t) (int64_t) a, ub = (uint64_t) (int64_t) b;
      switch (op)
        {
        case LT_CU_ADD: return (T) (ua + ub);
        case LT_CU_SUB: return (T) (ua - ub);
        case LT_CU_MUL: return (T) (ua * ub);
        case LT_CU_POW: return (T) int_pow ((int64_t) a, (int64_t) b);
        case LT_CU_MAXIMUM: return a > b ? a : b;
        case LT_CU_MINIMUM: return a < b ? a : b;
        case LT_CU_FLOOR_DIVIDE:
        case LT_CU_REMAINDER:
          {
            int64_t x = (int64_t) a, y = (int64_t) b, q, r;
            if (y == 0)
              {
                record_error (err, LT_CU_ERRW_DIV_BY_ZERO, op, x);
                return 0;
              }
            if (y == -1)
              return op == LT_CU_FLOOR_DIVIDE ? (T) (0 - (uint64_t) x) : (T) 0;
            if (op == LT_CU_FLOOR_DIVIDE)
              {
                q = x / y;
                if ((x % y != 0) && ((x < 0) != (y < 0)))
                  q--;
                return (T) q;
              }
            r = x % y;
            if (r != 0 && ((r < 0) != (y < 0)))
              r += y;
            return (T) r;
          }
        default: return 0;
        }
    }
}

template <typename T>
__global__ void
k_binary (LtCuIter it, int op, LtCuErrorWord *err)
{
  typedef typename Elem<T>::type V;
  GRID_STRIDE_LOOP (i, it.numel)
    {
      V a = Elem<T>::load (it.data[1], offset_of (it, 1, i));
      V b = Elem<T>::load (it.data[2], offset_of (it, 2, i));
      int64_t o = offset_of (it, 0, i);
      uint8_t r;
      switch (op)
        {
        case LT_CU_EQ: r = a == b; break;
        case LT_CU_NE: r = a != b; break;
        case LT_CU_LT: r = a < b; break;
        case LT_CU_LE: r = a <= b; break;
        case LT_CU_GT: r = a > b; break;
        case LT_CU_GE: r = a >= b; break;
        case LT_CU_LOGICAL_AND: r = (a != 0) && (b != 0); break;
        case LT_CU_LOGICAL_OR: r = (a != 0) || (b != 0); break;
        default:
          if constexpr (__is_same (T, Bool8))
            static_cast<uint8_t *> (it.data[0])[o] =
              (op == LT_CU_ADD || op == LT_CU_MAXIMUM) ? (a | b) : (a & b);
          else
            static_cast<T *> (it.data[0])[o] = binary_op<T> (op, a, b, err);
          continue;
        }
      static_cast<uint8_t *> (it.data[0])[o] = r;
    }
}

inline bool
binary_supported (int op, int dt)
{
  if (op >= LT_CU_EQ && op <= LT_CU_LOGICAL_OR)
    return true;
  if (dt == LT_CU_F32 || dt == LT_CU_F64)
    return true;
  if (dt == LT_CU_BOOL)
    return op == LT_CU_ADD || op == LT_CU_MUL || op == LT_CU_MAXIMUM || op == LT_CU_MINIMUM;
  return op != LT_CU_DIV && op != LT_CU_RELU_GRAD;
}

int
launch_binary (void *stream, const LtCuIter *it, int op, LtCuErrorWord *err)
{
  unsigned g = grid_for (it->numel, THREADS);
  if (!binary_supported (op, it->dtype[1]))
    return LT_CU_UNSUPPORTED;
  DISPATCH (it->dtype[1], T, LT_LAUNCH (k_binary<T>, g, THREADS, stream, *it, op, err));
  return LT_LAUNCH_STATUS ();
}

/* ---- where ---- */

template <typename T>
__global__ void
k_where (LtCuIter it)
{
  GRID_STRIDE_LOOP (i, it.numel)
    {
      uint8_t c = static_cast<const uint8_t *> (it.data[1])[offset_of (it, 1, i)];
      static_cast<T *> (it.data[0])[offset_of (it, 0, i)] =
        c ? static_cast<const T *> (it.data[2])[offset_of (it, 2, i)]
          : static_cast<const T *> (it.data[3])[offset_of (it, 3, i)];
    }
}

int
launch_where (void *stream, const LtCuIter *it)
{
  unsigned g = grid_for (it->numel, THREADS);
  switch (it->dtype[0])
    {
    case LT_CU_F32: case LT_CU_I32: LT_LAUNCH (k_where<uint32_t>, g, THREADS, stream, *it); break;
    case LT_CU_F64: case LT_CU_I64: LT_LAUNCH (k_where<uint64_t>, g, THREADS, stream, *it); break;
    case LT_CU_I16: LT_LAUNCH (k_where<uint16_t>, g, THREADS, stream, *it); break;
    case LT_CU_I8: case LT_CU_U8: case LT_CU_BOOL:
      LT_LAUNCH (k_where<uint8_t>, g, THREADS, stream, *it);
      break;
    default: return LT_CU_UNSUPPORTED;
    }
  return LT_LAUNCH_STATUS ();
}

/* ---- reductions ---- */

/* The running state of one reduction: a sum, or the best value so far and
 * its index. */
template <typename T> struct Acc
{
  double sum;
  uint64_t isum;     /* integer sums wrap, as the CPU backend's */
  T best;
  int64_t best_i;
  bool any, all, have;
};

template <typename T>
__device__ __forceinline__ void
acc_init (Acc<T> &a)
{
  a.sum = 0;
  a.isum = 0;
  a.best = T ();
  a.best_i = 0;
  a.any = false;
  a.all = true;
  a.have = false;
}

template <typename T>
__device__ __forceinline__ bool
is_nan (T v)
{
  if constexpr (IsFloat<T>::value)
    return v != v;
  else
    return false;
}

/* Does (v, i) beat the best so far?  NaN wins; ties keep the first index. */
template <typename T>
__device__ __forceinline__ bool
better (int op, T v, int64_t i, const Acc<T> &a)
{
  bool want_max = op == LT_CU_R_MAX || op == LT_CU_R_ARGMAX;
  if (!a.have)
    return true;
  if (is_nan (a.best))
    return is_nan (v) && i < a.best_i;
  if (is_nan (v))
    return true;
  if (v == a.best)
    return i < a.best_i;
  return want_max ? v > a.best : v < a.best;
}

template <typename T>
__device__ __forceinline__ void
acc_add (int op, Acc<T> &a, T v, int64_t i)
{
  switch (op)
    {
    case LT_CU_R_SUM:
    case LT_CU_R_MEAN:
      if constexpr (IsFloat<T>::value)
        a.sum += (double) v;
      else
        a.isum += (uint64_t) (int64_t) v;
      break;
    case LT_CU_R_ANY:
    case LT_CU_R_ALL:
      a.any = a.any || v != 0;
      a.all = a.all && v != 0;
      break;
    default:
      if (better (op, v, i, a))
        {
          a.best = v;
          a.best_i = i;
          a.have = true;
        }
    }
}

template <typename T>
__device__ __forceinline__ void
acc_merge (int op, Acc<T> &a, const Acc<T> &b)
{
  switch (op)
    {
    case LT_CU_R_SUM:
    case LT_CU_R_MEAN:
      a.sum += b.sum;
      a.isum += b.isum;
      break;
    case LT_CU_R_ANY:
    case LT_CU_R_ALL:
      a.any = a.any || b.any;
      a.all = a.all && b.all;
      break;
    default:
      if (b.have && better (op, b.best, b.best_i, a))
        {
          a.best = b.best;
          a.best_i = b.best_i;
          a.have = true;
        }
    }
}

template <typename T>
__device__ __forceinline__ void
reduce_offsets (const LtCuReduce &r, int64_t m, int64_t *in_off, int64_t *out_off, int64_t *idx_off)
{
  int64_t io = 0, oo = 0, xo = 0;
  for (int d = r.keep_ndim - 1; d >= 0; d--)
    {
      int64_t s = r.keep_shape[d], q = m / s, k = m - q * s;
      io += k * r.keep_in_stride[d];
      oo += k * r.keep_out_stride[d];
      xo += k * r.keep_idx_stride[d];
      m = q;
    }
  *in_off = io;
  *out_off = oo;
  *idx_off = xo;
}

template <typename T>
__device__ __forceinline__ int64_t
red_offset (const LtCuReduce &r, int64_t k)
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

/* Writes one output element from its finished state. Sums of integers are
 * int64; means divide; any/all are bool; arg ops write int64 positions. */
template <typename T, typename O>
__device__ __forceinline__ void
reduce_store (const LtCuReduce &r, int op, const Acc<T> &a, int64_t oo, int64_t xo)
{
  switch (op)
    {
    case LT_CU_R_SUM:
      if constexpr (IsFloat<T>::value)
        static_cast<T *> (r.out)[oo] = (T) a.sum;
      else
        static_cast<int64_t *> (r.out)[oo] = (int64_t) a.isum;
      break;
    case LT_CU_R_MEAN:
      static_cast<O *> (r.out)[oo] = (O) (a.sum / (double) r.n_red);
      break;
    case LT_CU_R_ANY:
      static_cast<uint8_t *> (r.out)[oo] = a.any;
      break;
    case LT_CU_R_ALL:
      static_cast<uint8_t *> (r.out)[oo] = a.all;
      break;
    case LT_CU_R_ARGMAX:
    case LT_CU_R_ARGMIN:
      static_cast<int64_t *> (r.out)[oo] = a.best_i;
      break;
    default:
      static_cast<T *> (r.out)[oo] = a.best;
      if (r.indices)
        r.indices[xo] = a.best_i;
    }
}

/* Many outputs with short rows: one thread per output element. */
template <typename T>
__global__ void
k_reduce_thread (LtCuReduce r, int op)
{
  GRID_STRIDE_LOOP (m, r.n_out)
    {
      int64_t io, oo, xo;
      Acc<T> a;
      reduce_offsets<T> (r, m, &io, &oo, &xo);
      acc_init (a);
      for (int64_t k = 0; k < r.n_red; k++)
        acc_add (op, a, static_cast<const T *> (r.in)[io + red_offset<T> (r, k)], k);
      reduce_store<T, T> (r, op, a, oo, xo);
    }
}

/* Long rows: one block per output element, a tree in shared memory. */
#define RED_THREADS 128

template <typename T>
__global__ void
k_reduce_block (LtCuReduce r, int op)
{
  __shared__ Acc<T> part[RED_THREADS];
  for (int64_t m = blockIdx.x; m < r.n_out; m += gridDim.x)
    {
      int64_t io, oo, xo;
      Acc<T> a;
      reduce_offsets<T> (r, m, &io, &oo, &xo);
      acc_init (a);
      for (int64_t k = threadIdx.x; k < r.n_red; k += blockDim.x)
        acc_add (op, a, static_cast<const T *> (r.in)[io + red_offset<T> (r, k)], k);
      part[threadIdx.x] = a;
      __syncthreads ();
      for (unsigned s = blockDim.x / 2; s > 0; s /= 2)
        {
          if (threadIdx.x < s)
            acc_merge (op, part[threadIdx.x], part[threadIdx.x + s]);
          __syncthreads ();
        }
      if (threadIdx.x == 0)
        reduce_store<T, T> (r, op, part[0], oo, xo);
      __syncthreads ();
    }
}

template <typename T>
int
launch_reduce_t (void *stream, const LtCuReduce *r, int op)
{
  if (r->n_red >= 4096 || (r->n_red >= 256 && r->n_out < 64))
    LT_LAUNCH_COOP (k_reduce_block<T>, grid_for (r->n_out, 1), RED_THREADS, stream, *r, op);
  else
    LT_LAUNCH (k_reduce_thread<T>, grid_for (r->n_out, THREADS), THREADS, stream, *r, op);
  return LT_LAUNCH_STATUS ();
}

int
launch_reduce (void *stream, const LtCuReduce *r, int op)
{
  if (r->n_out == 0)
    return LT_CU_OK;
  switch (r->in_dtype)
    {
    case LT_CU_F32: return launch_reduce_t<float> (stream, r, op);
    case LT_CU_F64: return launch_reduce_t<double> (stream, r, op);
    case LT_CU_I64: return launch_reduce_t<int64_t> (stream, r, op);
    case LT_CU_I32: return launch_reduce_t<int32_t> (stream, r, op);
    case LT_CU_I16: return launch_reduce_t<int16_t> (stream, r, op);
    case LT_CU_I8: return launch_reduce_t<int8_t> (stream, r, op);
    case LT_CU_U8: case LT_CU_BOOL: return launch_reduce_t<uint8_t> (stream, r, op);
    default: return LT_CU_UNSUPPORTED;
    }
}

/* ---- softmax and log_softmax: one thread per row ---- */

template <typename T>
__global__ void
k_softmax (LtCuSoftmax s)
{
  GRID_STRIDE_LOOP (row, s.n_rows)
    {
      int64_t io = 0, oo = 0, m = row;
      for (int d = s.outer_ndim - 1; d >= 0; d--)
        {
          int64_t n = s.outer_shape[d], q = m / n, k = m - q * n;
          io += k * s.outer_in_stride[d];
          oo += k * s.outer_out_stride[d];
          m = q;
        }
      const T *x = static_cast<const T *> (s.in) + io;
      T *y = static_cast<T *> (s.out) + oo;
      double mx = -INFINITY, sum = 0;
      for (int64_t k = 0; k < s.len; k++)
        {
          double v = (double) x[k * s.in_stride];
          if (v > mx || v != v)
            mx = v;
        }
      for (int64_t k = 0; k < s.len; k++)
        sum += exp ((double) x[k * s.in_stride] - mx);
      for (int64_t k = 0; k < s.len; k++)
        {
          double v = (double) x[k * s.in_stride] - mx;
          y[k * s.out_stride] = (T) (s.log ? v - log (sum) : exp (v) / sum);
        }
    }
}

int
launch_softmax (void *stream, const LtCuSoftmax *s)
{
  unsigned g = grid_for (s->n_rows, THREADS);
  if (s->n_rows == 0)
    return LT_CU_OK;
  if (s->dtype == LT_CU_F32)
    LT_LAUNCH (k_softmax<float>, g, THREADS, stream, *s);
  else if (s->dtype == LT_CU_F64)
    LT_LAUNCH (k_softmax<double>, g, THREADS, stream, *s);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

/* ---- gemm: one thread per element of C (the emulated device's, and the
 * GPU's for what cuBLAS does not take) ---- */

template <typename T>
__global__ void
k_gemm (LtCuGemm g)
{
  int64_t total = g.batch * g.m * g.n;
  GRID_STRIDE_LOOP (e, total)
    {
      int64_t b = e / (g.m * g.n), r = e % (g.m * g.n), i = r / g.n, j = r % g.n;
      const T *a = static_cast<const T *> (g.a) + b * g.a_bs + i * g.a_rs;
      const T *bb = static_cast<const T *> (g.b) + b * g.b_bs + j * g.b_cs;
      T *c = static_cast<T *> (g.c) + b * g.c_bs + i * g.c_rs + j * g.c_cs;
      if constexpr (IsFloat<T>::value)
        {
          double acc = 0;
          for (int64_t k = 0; k < g.k; k++)
            acc += (double) a[k * g.a_cs] * (double) bb[k * g.b_rs];
          /* the product rounded, then beta c added, as the CPU's addmm
           * (and cuBLAS's epilogue) round it */
          T p = (T) (g.alpha * acc);
          *c = g.beta == 0 ? p : (T) (p + (T) (g.beta * (double) *c));
        }
      else
        {
          /* integers wrap, as the CPU backend's loop */
          uint64_t acc = 0;
          int64_t scaled = g.beta == 0 ? 0 : (int64_t) (g.beta * (double) *c);
          for (int64_t k = 0; k < g.k; k++)
            acc += (uint64_t) (int64_t) a[k * g.a_cs] * (uint64_t) (int64_t) bb[k * g.b_rs];
          *c = (T) (scaled + (int64_t) g.alpha * (int64_t) acc);
        }
    }
}

int
launch_gemm (void *stream, const LtCuGemm *g)
{
  unsigned grid = grid_for (g->batch * g->m * g->n, THREADS);
  if (g->batch * g->m * g->n == 0)
    return LT_CU_OK;
  switch (g->dtype)
    {
    case LT_CU_F32: LT_LAUNCH (k_gemm<float>, grid, THREADS, stream, *g); break;
    case LT_CU_F64: LT_LAUNCH (k_gemm<double>, grid, THREADS, stream, *g); break;
    case LT_CU_I64: LT_LAUNCH (k_gemm<int64_t>, grid, THREADS, stream, *g); break;
    case LT_CU_I32: LT_LAUNCH (k_gemm<int32_t>, grid, THREADS, stream, *g); break;
    case LT_CU_I16: LT_LAUNCH (k_gemm<int16_t>, grid, THREADS, stream, *g); break;
    case LT_CU_I8: LT_LAUNCH (k_gemm<int8_t>, grid, THREADS, stream, *g); break;
    case LT_CU_U8: LT_LAUNCH (k_gemm<uint8_t>, grid, THREADS, stream, *g); break;
    default: return LT_CU_UNSUPPORTED;
    }
  return LT_LAUNCH_STATUS ();
}

/* ---- sgd_update (torch.optim.SGD's step, contiguous tensors) ---- */

template <typename T>
__global__ void
k_sgd (LtCuIter it, double lr, double mom, double damp, double wd, int nesterov, int maximize,
       int first)
{
  const T neg_lr = (T) -lr, momentum = (T) mom, alpha = (T) (1 - damp), decay = (T) wd;
  T *p = static_cast<T *> (it.data[0]);
  const T *g = static_cast<const T *> (it.data[1]);
  T *buf = static_cast<T *> (it.data[2]);
  GRID_STRIDE_LOOP (i, it.numel)
    {
      int64_t po = offset_of (it, 0, i);
      T d = g[offset_of (it, 1, i)];
      T x = p[po];
      if (maximize)
        d = -d;
      if (wd != 0)
        d = d + decay * x;
      if (buf)
        {
          int64_t bo = offset_of (it, 2, i);
          T b;
          if (first)
            b = d;
          else
            {
              b = buf[bo] * momentum;
              b = b + alpha * d;
            }
          buf[bo] = b;
          d = nesterov ? d + momentum * b : b;
        }
      p[po] = x + neg_lr * d;
    }
}

int
launch_sgd (void *stream, const LtCuIter *it, double lr, double mom, double damp, double wd,
            int nesterov, int maximize, int first)
{
  unsigned grid = grid_for (it->numel, THREADS);
  if (it->numel == 0)
    return LT_CU_OK;
  if (it->dtype[0] == LT_CU_F32)
    LT_LAUNCH (k_sgd<float>, grid, THREADS, stream, *it, lr, mom, damp, wd, nesterov, maximize,
               first);
  else if (it->dtype[0] == LT_CU_F64)
    LT_LAUNCH (k_sgd<double>, grid, THREADS, stream, *it, lr, mom, damp, wd, nesterov, maximize,
               first);
  else
    return LT_CU_UNSUPPORTED;
  return LT_LAUNCH_STATUS ();
}

} // namespace LT_CU_NS

extern "C" const LtCuKernels LT_CU_KERNELS_NAME = {
  LT_CU_NS::launch_fill,   LT_CU_NS::launch_copy,    LT_CU_NS::launch_unary,
  LT_CU_NS::launch_binary, LT_CU_NS::launch_where,   LT_CU_NS::launch_reduce,
  LT_CU_NS::launch_softmax, LT_CU_NS::launch_gemm,   LT_CU_NS::launch_sgd,
};
