/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-cpu-private.h"

/*
 * Pointwise kernels of the CPU backend: unary and binary maps, where, copy
 * with conversion, fill. Each loop has contiguous and broadcast-scalar fast
 * paths the compiler vectorises, and a strided path.
 *
 * Integer arithmetic wraps around (as PyTorch's does) through unsigned
 * arithmetic, which C defines; division by zero is an error, not a signal.
 */

typedef struct
{
  gint div_by_zero;   /* atomic flag */
} PointwiseCtx;

/* Unary: out = expr (x) */
#define DEFINE_UNARY(name, T, R, expr)                                         \
  static void name (char **d, const gint64 *s, gint64 n, gpointer ctx)         \
  {                                                                            \
    (void) ctx;                                                                \
    if (s[0] == (gint64) sizeof (R) && s[1] == (gint64) sizeof (T))            \
      {                                                                        \
        R *o = (R *) d[0];                                                     \
        const T *in = (const T *) d[1];                                        \
        for (gint64 i = 0; i < n; i++)                                         \
          {                                                                    \
            T x = in[i];                                                       \
            o[i] = (expr);                                                     \
          }                                                                    \
      }                                                                        \
    else                                                                       \
      {                                                                        \
        char *o = d[0];                                                        \
        const char *in = d[1];                                                 \
        const gint64 so = s[0], si = s[1];                                     \
        for (gint64 i = 0; i < n; i++)                                         \
          {                                                                    \
            T x = *(const T *) (in + i * si);                                  \
            *(R *) (o + i * so) = (expr);                                      \
          }                                                                    \
      }                                                                        \
  }

/* Binary: out = expr (a, b), with fast paths for contiguous operands and
 * for either input broadcast from one element. */
#define DEFINE_BINARY(name, T, R, expr)                                        \
  static void name (char **d, const gint64 *s, gint64 n, gpointer ctx)         \
  {                                                                            \
    PointwiseCtx *pctx = ctx;                                                  \
    (void) pctx;                                                               \
    if (s[0] == (gint64) sizeof (R) && s[1] == (gint64) sizeof (T) &&          \
        s[2] == (gint64) sizeof (T))                                           \
      {                                                                        \
        R *o = (R *) d[0];                                                     \
        const T *x = (const T *) d[1], *y = (const T *) d[2];                  \
        for (gint64 i = 0; i < n; i++)                                         \
          {                                                                    \
            T a = x[i], b = y[i];                                              \
            o[i] = (expr);                                                     \
          }                                                                    \
      }                                                                        \
    else if (s[0] == (gint64) sizeof (R) && s[1] == (gint64) sizeof (T) &&     \
             s[2] == 0)                                                        \
      {                                                                        \
        R *o = (R *) d[0];                                                     \
        const T *x = (const T *) d[1];                                         \
        const T b = *(const T *) d[2];                                         \
        for (gint64 i = 0; i < n; i++)                                         \
          {                                                                    \
            T a = x[i];                                                        \
            o[i] = (expr);                                                     \
          }                                                                    \
      }                                                                        \
    else if (s[0] == (gint64) sizeof (R) && s[1] == 0 &&                       \
             s[2] == (gint64) sizeof (T))                                      \
      {                                                                        \
        R *o = (R *) d[0];                                                     \
        const T a = *(const T *) d[1];                                         \
        const T *y = (const T *) d[2];                                         \
        for (gint64 i = 0; i < n; i++)                                         \
          {                                                                    \
            T b = y[i];                                                        \
            o[i] = (expr);                                                     \
          }                                                                    \
      }                                                                        \
    else                                                                       \
      {                                                                        \
        char *o = d[0];                                                        \
        const char *x = d[1], *y = d[2];                                       \
        const gint64 so = s[0], sx = s[1], sy = s[2];                          \
        for (gint64 i = 0; i < n; i++)                                         \
          {                                                                    \
            T a = *(const T *) (x + i * sx);                                   \
            T b = *(const T *) (y + i * sy);                                   \
            *(R *) (o + i * so) = (expr);                                      \
          }                                                                    \
      }                                                                        \
  }

#define WRAP(T, e) ((T) (e))
#define U64(x) ((guint64) (gint64) (x))

static inline gint64
int_pow (gint64 base, gint64 exp)
{
  guint64 r = 1, b = (guint64) base;

  if (exp < 0)
    return base == 1 ? 1 : base == -1 ? ((exp & 1) ? -1 : 1) : 0;
  while (exp)
    {
      if (exp & 1)
        r *= b;
      b *= b;
      exp >>= 1;
    }
  return (gint64) r;
}

static inline gint64
int_floordiv (gint64 a, gint64 b, PointwiseCtx *ctx)
{
  gint64 q;

  if (b == 0)
    {
      g_atomic_int_set (&ctx->div_by_zero, 1);
      return 0;
    }
  if (b == -1)
    return (gint64) (0 - (guint64) a);
  q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static inline gint64
int_remainder (gint64 a, gint64 b, PointwiseCtx *ctx)
{
  gint64 r;

  if (b == 0)
    {
      g_atomic_int_set (&ctx->div_by_zero, 1);
      return 0;
    }
  if (b == -1)
    return 0;
  r = a % b;
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

static inline double
float_remainder (double a, double b)
{
  double m = fmod (a, b);

  if (m != 0 && ((b < 0) != (m < 0)))
    m += b;
  return m;
}

static inline double
float_floordiv (double a, double b)
{
  double m, div, fl;

  if (b == 0)
    return a / b;
  m = fmod (a, b);
  div = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0)))
    div -= 1.0;
  if (div != 0)
    {
      fl = floor (div);
      if (div - fl > 0.5)
        fl += 1.0;
      return fl;
    }
  return copysign (0.0, a / b);
}

/* Float unary ops */
#define FLOAT_UNARY(T, sfx, EXP, LOG, SQRT, SIN, COS, TANH)                                        \
  DEFINE_UNARY (neg_##sfx, T, T, -x)                                                               \
  DEFINE_UNARY (abs_##sfx, T, T, x < 0 ? -x : (x == 0 ? (T) 0 : x))                                \
  DEFINE_UNARY (sign_##sfx, T, T, isnan (x) ? x : (T) ((x > 0) - (x < 0)))                         \
  DEFINE_UNARY (log_##sfx, T, T, LOG (x))                                                          \
  DEFINE_UNARY (sqrt_##sfx, T, T, SQRT (x))                                                        \
  DEFINE_UNARY (rsqrt_##sfx, T, T, (T) 1 / SQRT (x))                                               \
  DEFINE_UNARY (sin_##sfx, T, T, SIN (x))                                                          \
  DEFINE_UNARY (cos_##sfx, T, T, COS (x))                                                          \
  DEFINE_UNARY (tanh_##sfx, T, T, TANH (x))                                                        \
  DEFINE_UNARY (sigmoid_##sfx, T, T, (T) 1 / ((T) 1 + EXP (-x)))                                   \
  DEFINE_UNARY (relu_##sfx, T, T, x < 0 ? (T) 0 : x)

FLOAT_UNARY (float, f32, expf, logf, sqrtf, sinf, cosf, tanhf)
FLOAT_UNARY (double, f64, exp, log, sqrt, sin, cos, tanh)
DEFINE_UNARY (exp_f64, double, double, exp (x))

/* float32 exp: lt-cpu-exp.c's, which softmax and the fused cross_entropy
 * share */
static void
exp_f32 (char **d, const gint64 *s, gint64 n, gpointer ctx)
{
  (void) ctx;
  if (s[0] == (gint64) sizeof (float) && s[1] == (gint64) sizeof (float))
    _lt_cpu_exp_f32 ()->exp ((const float *) d[1], (float *) d[0], n);
  else
    _lt_cpu_exp_strided_f32 ((const float *) d[1], s[1], (float *) d[0], s[0], n, FALSE, 0);
}

/* Integer unary ops (sign, neg and abs wrap as two's complement does) */
#define INT_UNARY(T, sfx)                                                             \
  DEFINE_UNARY (neg_##sfx, T, T, WRAP (T, 0 - U64 (x)))                                 \
  DEFINE_UNARY (abs_##sfx, T, T, x < 0 ? WRAP (T, 0 - U64 (x)) : x)                     \
  DEFINE_UNARY (sign_##sfx, T, T, (T) ((x > 0) - (x < 0)))                              \
  DEFINE_UNARY (relu_##sfx, T, T, x < 0 ? (T) 0 : x)

INT_UNARY (gint64, i64)
INT_UNARY (gint32, i32)
INT_UNARY (gint16, i16)
INT_UNARY (gint8, i8)
DEFINE_UNARY (abs_u8, guint8, guint8, x)
DEFINE_UNARY (neg_u8, guint8, guint8, (guint8) (0u - x))
DEFINE_UNARY (sign_u8, guint8, guint8, x > 0)
DEFINE_UNARY (relu_u8, guint8, guint8, x)
DEFINE_UNARY (sign_b8, guint8, guint8, x != 0)
DEFINE_UNARY (abs_b8, guint8, guint8, x)

/* Math functions (ops/lt-math.c); M is libm's suffix (f for float). round
 * rounds half to even, as torch.round. */
#define FLOAT_MATH(T, sfx, M)                                                                      \
  DEFINE_UNARY (ceil_##sfx, T, T, ceil##M (x))                                                     \
  DEFINE_UNARY (floor_##sfx, T, T, floor##M (x))                                                   \
  DEFINE_UNARY (round_##sfx, T, T, nearbyint##M (x))                                               \
  DEFINE_UNARY (trunc_##sfx, T, T, trunc##M (x))                                                   \
  DEFINE_UNARY (frac_##sfx, T, T, x - trunc##M (x))                                                \
  DEFINE_UNARY (log1p_##sfx, T, T, log1p##M (x))                                                   \
  DEFINE_UNARY (expm1_##sfx, T, T, expm1##M (x))                                                   \
  DEFINE_UNARY (asin_##sfx, T, T, asin##M (x))                                                     \
  DEFINE_UNARY (acos_##sfx, T, T, acos##M (x))                                                     \
  DEFINE_UNARY (atan_##sfx, T, T, atan##M (x))                                                     \
  DEFINE_UNARY (sinh_##sfx, T, T, sinh##M (x))                                                     \
  DEFINE_UNARY (cosh_##sfx, T, T, cosh##M (x))                                                     \
  DEFINE_UNARY (asinh_##sfx, T, T, asinh##M (x))                                                   \
  DEFINE_UNARY (acosh_##sfx, T, T, acosh##M (x))                                                   \
  DEFINE_UNARY (atanh_##sfx, T, T, atanh##M (x))                                                   \
  DEFINE_UNARY (tan_##sfx, T, T, tan##M (x))                                                       \
  DEFINE_UNARY (erf_##sfx, T, T, erf##M (x))                                                       \
  DEFINE_UNARY (erfc_##sfx, T, T, erfc##M (x))                                                     \
  DEFINE_UNARY (log2_##sfx, T, T, log2##M (x))                                                     \
  DEFINE_UNARY (log10_##sfx, T, T, log10##M (x))                                                   \
  DEFINE_UNARY (exp2_##sfx, T, T, exp2##M (x))                                                     \
  DEFINE_UNARY (reciprocal_##sfx, T, T, (T) 1 / x)

FLOAT_MATH (float, f32, f)
FLOAT_MATH (double, f64, )

/* Integers: rounding is the identity; bitwise not flips every bit (bool:
 * logical not) */
#define INT_MATH(T, sfx)                                                                           \
  DEFINE_UNARY (ident_##sfx, T, T, x)                                                              \
  DEFINE_UNARY (bitnot_##sfx, T, T, (T) ~x)

INT_MATH (gint64, i64)
INT_MATH (gint32, i32)
INT_MATH (gint16, i16)
INT_MATH (gint8, i8)
INT_MATH (guint8, u8)
DEFINE_UNARY (bitnot_b8, guint8, guint8, !x)

#define LOGICAL_NOT(T, sfx) DEFINE_UNARY (not_##sfx, T, guint8, !x)
LOGICAL_NOT (float, f32)
LOGICAL_NOT (double, f64)
LOGICAL_NOT (gint64, i64)
LOGICAL_NOT (gint32, i32)
LOGICAL_NOT (gint16, i16)
LOGICAL_NOT (gint8, i8)
LOGICAL_NOT (guint8, u8)
LOGICAL_NOT (guint8, b8)

/* Clamp carries its bounds in the context. */
typedef struct
{
  double min, max;
} ClampCtx;

#define DEFINE_CLAMP(T, sfx)                                                                       \
  static void clamp_##sfx (char **d, const gint64 *s, gint64 n, gpointer ctx)                      \
  {                                                                                                \
    const ClampCtx *c = ctx;                                                                       \
    for (gint64 i = 0; i < n; i++)                                                                 \
      {                                                                                            \
        T      x = *(const T *) (d[1] + i * s[1]);                                                 \
        double v = (double) x;                                                                     \
        /* min (max (x, lo), hi), as torch: hi wins when lo > hi */                                \
        if (v < c->min)                                                                            \
          {                                                                                        \
            x = (T) c->min;                                                                        \
            v = c->min;                                                                            \
          }                                                                                        \
        if (v > c->max)                                                                            \
          x = (T) c->max;                                                                          \
        *(T *) (d[0] + i * s[0]) = x;                                                              \
      }                                                                                            \
  }

DEFINE_CLAMP (float, f32)
DEFINE_CLAMP (double, f64)
DEFINE_CLAMP (gint64, i64)
DEFINE_CLAMP (gint32, i32)
DEFINE_CLAMP (gint16, i16)
DEFINE_CLAMP (gint8, i8)
DEFINE_CLAMP (guint8, u8)

/* Float binary ops */
#define FLOAT_BINARY(T, sfx, POW)                                                        \
  DEFINE_BINARY (add_##sfx, T, T, a + b)                                                   \
  DEFINE_BINARY (sub_##sfx, T, T, a - b)                                                   \
  DEFINE_BINARY (mul_##sfx, T, T, a * b)                                                   \
  DEFINE_BINARY (div_##sfx, T, T, a / b)                                                   \
  DEFINE_BINARY (pow_##sfx, T, T, POW (a, b))                                              \
  DEFINE_BINARY (maximum_##sfx, T, T, (isnan (a) || a > b) ? a : b)                        \
  DEFINE_BINARY (minimum_##sfx, T, T, (isnan (a) || a < b) ? a : b)                        \
  DEFINE_BINARY (floordiv_##sfx, T, T, (T) float_floordiv (a, b))                         \
  DEFINE_BINARY (remainder_##sfx, T, T, (T) float_remainder (a, b))

FLOAT_BINARY (float, f32, powf)
FLOAT_BINARY (double, f64, pow)

/* relu's backward (LT_OP_RELU_GRAD): a = the incoming gradient, b = relu's
 * output; the gradient passes where the output is not <= 0 (a NaN output
 * passes it, as PyTorch's threshold_backward does). A select without
 * branches: the mask follows the data, so a branch would mispredict half
 * the time. */
DEFINE_BINARY (relu_grad_f32, float, float, b <= 0 ? 0.0f : a)
DEFINE_BINARY (relu_grad_f64, double, double, b <= 0 ? 0.0 : a)

#define INT_BINARY(T, sfx)                                                                \
  DEFINE_BINARY (add_##sfx, T, T, WRAP (T, U64 (a) + U64 (b)))                              \
  DEFINE_BINARY (sub_##sfx, T, T, WRAP (T, U64 (a) - U64 (b)))                              \
  DEFINE_BINARY (mul_##sfx, T, T, WRAP (T, U64 (a) * U64 (b)))                              \
  DEFINE_BINARY (pow_##sfx, T, T, (T) int_pow (a, b))                                       \
  DEFINE_BINARY (maximum_##sfx, T, T, a > b ? a : b)                                        \
  DEFINE_BINARY (minimum_##sfx, T, T, a < b ? a : b)                                        \
  DEFINE_BINARY (floordiv_##sfx, T, T, (T) int_floordiv (a, b, pctx))                       \
  DEFINE_BINARY (remainder_##sfx, T, T, (T) int_remainder (a, b, pctx))

INT_BINARY (gint64, i64)
INT_BINARY (gint32, i32)
INT_BINARY (gint16, i16)
INT_BINARY (gint8, i8)
INT_BINARY (guint8, u8)

DEFINE_BINARY (add_b8, guint8, guint8, a | b)
DEFINE_BINARY (mul_b8, guint8, guint8, a & b)
DEFINE_BINARY (maximum_b8, guint8, guint8, a | b)
DEFINE_BINARY (minimum_b8, guint8, guint8, a & b)

#define COMPARE(T, sfx)                                                       \
  DEFINE_BINARY (eq_##sfx, T, guint8, a == b)                                 \
  DEFINE_BINARY (ne_##sfx, T, guint8, a != b)                                 \
  DEFINE_BINARY (lt_##sfx, T, guint8, a < b)                                  \
  DEFINE_BINARY (le_##sfx, T, guint8, a <= b)                                 \
  DEFINE_BINARY (gt_##sfx, T, guint8, a > b)                                  \
  DEFINE_BINARY (ge_##sfx, T, guint8, a >= b)                                 \
  DEFINE_BINARY (and_##sfx, T, guint8, (a != 0) && (b != 0))                  \
  DEFINE_BINARY (or_##sfx, T, guint8, (a != 0) || (b != 0))

COMPARE (float, f32)
COMPARE (double, f64)
COMPARE (gint64, i64)
COMPARE (gint32, i32)
COMPARE (gint16, i16)
COMPARE (gint8, i8)
COMPARE (guint8, u8)
COMPARE (guint8, b8)

/* Bitwise and, or, xor of integers and bools (values 0 and 1) */
#define BITWISE(T, sfx)                                                                            \
  DEFINE_BINARY (bitand_##sfx, T, T, (T) (a & b))                                                  \
  DEFINE_BINARY (bitor_##sfx, T, T, (T) (a | b))                                                   \
  DEFINE_BINARY (bitxor_##sfx, T, T, (T) (a ^ b))

BITWISE (gint64, i64)
BITWISE (gint32, i32)
BITWISE (gint16, i16)
BITWISE (gint8, i8)
BITWISE (guint8, u8)
BITWISE (guint8, b8)

static LtCpuLoop loops[LT_OP_COUNT][LT_N_DTYPES];

#define SET(op, dt, fn) loops[op][dt] = fn
#define SET_ALL_COMPARE(sfx, dt)                    \
  SET (LT_OP_EQ, dt, eq_##sfx);                      \
  SET (LT_OP_NE, dt, ne_##sfx);                      \
  SET (LT_OP_LT, dt, lt_##sfx);                      \
  SET (LT_OP_LE, dt, le_##sfx);                      \
  SET (LT_OP_GT, dt, gt_##sfx);                      \
  SET (LT_OP_GE, dt, ge_##sfx);                      \
  SET (LT_OP_LOGICAL_AND, dt, and_##sfx);            \
  SET (LT_OP_LOGICAL_OR, dt, or_##sfx);              \
  SET (LT_OP_LOGICAL_NOT, dt, not_##sfx)
#define SET_FLOAT(sfx, dt)                           \
  SET (LT_OP_NEG, dt, neg_##sfx);                    \
  SET (LT_OP_ABS, dt, abs_##sfx);                    \
  SET (LT_OP_SIGN, dt, sign_##sfx);                  \
  SET (LT_OP_EXP, dt, exp_##sfx);                    \
  SET (LT_OP_LOG, dt, log_##sfx);                    \
  SET (LT_OP_SQRT, dt, sqrt_##sfx);                  \
  SET (LT_OP_RSQRT, dt, rsqrt_##sfx);                \
  SET (LT_OP_SIN, dt, sin_##sfx);                    \
  SET (LT_OP_COS, dt, cos_##sfx);                    \
  SET (LT_OP_TANH, dt, tanh_##sfx);                  \
  SET (LT_OP_SIGMOID, dt, sigmoid_##sfx);            \
  SET (LT_OP_RELU, dt, relu_##sfx);                  \
  SET (LT_OP_CLAMP, dt, clamp_##sfx);                \
  SET (LT_OP_ADD, dt, add_##sfx);                    \
  SET (LT_OP_SUB, dt, sub_##sfx);                    \
  SET (LT_OP_MUL, dt, mul_##sfx);                    \
  SET (LT_OP_DIV, dt, div_##sfx);                    \
  SET (LT_OP_POW, dt, pow_##sfx);                    \
  SET (LT_OP_MAXIMUM, dt, maximum_##sfx);            \
  SET (LT_OP_MINIMUM, dt, minimum_##sfx);            \
  SET (LT_OP_FLOOR_DIVIDE, dt, floordiv_##sfx);      \
  SET (LT_OP_REMAINDER, dt, remainder_##sfx);        \
  SET_ALL_COMPARE (sfx, dt)
#define SET_INT(sfx, dt)                             \
  SET (LT_OP_NEG, dt, neg_##sfx);                    \
  SET (LT_OP_ABS, dt, abs_##sfx);                    \
  SET (LT_OP_SIGN, dt, sign_##sfx);                  \
  SET (LT_OP_RELU, dt, relu_##sfx);                  \
  SET (LT_OP_CLAMP, dt, clamp_##sfx);                \
  SET (LT_OP_ADD, dt, add_##sfx);                    \
  SET (LT_OP_SUB, dt, sub_##sfx);                    \
  SET (LT_OP_MUL, dt, mul_##sfx);                    \
  SET (LT_OP_POW, dt, pow_##sfx);                    \
  SET (LT_OP_MAXIMUM, dt, maximum_##sfx);            \
  SET (LT_OP_MINIMUM, dt, minimum_##sfx);            \
  SET (LT_OP_FLOOR_DIVIDE, dt, floordiv_##sfx);      \
  SET (LT_OP_REMAINDER, dt, remainder_##sfx);        \
  SET_ALL_COMPARE (sfx, dt)

#define SET_FLOAT_MATH(sfx, dt)                                                                    \
  SET (LT_OP_CEIL, dt, ceil_##sfx);                                                                \
  SET (LT_OP_FLOOR, dt, floor_##sfx);                                                              \
  SET (LT_OP_ROUND, dt, round_##sfx);                                                              \
  SET (LT_OP_TRUNC, dt, trunc_##sfx);                                                              \
  SET (LT_OP_FRAC, dt, frac_##sfx);                                                                \
  SET (LT_OP_LOG1P, dt, log1p_##sfx);                                                              \
  SET (LT_OP_EXPM1, dt, expm1_##sfx);                                                              \
  SET (LT_OP_ASIN, dt, asin_##sfx);                                                                \
  SET (LT_OP_ACOS, dt, acos_##sfx);                                                                \
  SET (LT_OP_ATAN, dt, atan_##sfx);                                                                \
  SET (LT_OP_SINH, dt, sinh_##sfx);                                                                \
  SET (LT_OP_COSH, dt, cosh_##sfx);                                                                \
  SET (LT_OP_ASINH, dt, asinh_##sfx);                                                              \
  SET (LT_OP_ACOSH, dt, acosh_##sfx);                                                              \
  SET (LT_OP_ATANH, dt, atanh_##sfx);                                                              \
  SET (LT_OP_TAN, dt, tan_##sfx);                                                                  \
  SET (LT_OP_ERF, dt, erf_##sfx);                                                                  \
  SET (LT_OP_ERFC, dt, erfc_##sfx);                                                                \
  SET (LT_OP_LOG2, dt, log2_##sfx);                                                                \
  SET (LT_OP_LOG10, dt, log10_##sfx);                                                              \
  SET (LT_OP_EXP2, dt, exp2_##sfx);                                                                \
  SET (LT_OP_RECIPROCAL, dt, reciprocal_##sfx)
#define SET_INT_MATH(sfx, dt)                                                                      \
  SET (LT_OP_CEIL, dt, ident_##sfx);                                                               \
  SET (LT_OP_FLOOR, dt, ident_##sfx);                                                              \
  SET (LT_OP_ROUND, dt, ident_##sfx);                                                              \
  SET (LT_OP_TRUNC, dt, ident_##sfx);                                                              \
  SET (LT_OP_BITWISE_NOT, dt, bitnot_##sfx);                                                       \
  SET (LT_OP_BITWISE_AND, dt, bitand_##sfx);                                                       \
  SET (LT_OP_BITWISE_OR, dt, bitor_##sfx);                                                         \
  SET (LT_OP_BITWISE_XOR, dt, bitxor_##sfx)

static gpointer
init_loops (gpointer data)
{
  SET_FLOAT (f32, LT_DTYPE_FLOAT32);
  SET_FLOAT (f64, LT_DTYPE_FLOAT64);
  SET_INT (i64, LT_DTYPE_INT64);
  SET_INT (i32, LT_DTYPE_INT32);
  SET_INT (i16, LT_DTYPE_INT16);
  SET_INT (i8, LT_DTYPE_INT8);
  SET_INT (u8, LT_DTYPE_UINT8);
  SET_ALL_COMPARE (b8, LT_DTYPE_BOOL);
  SET (LT_OP_RELU_GRAD, LT_DTYPE_FLOAT32, relu_grad_f32);
  SET (LT_OP_RELU_GRAD, LT_DTYPE_FLOAT64, relu_grad_f64);
  SET (LT_OP_ADD, LT_DTYPE_BOOL, add_b8);
  SET (LT_OP_MUL, LT_DTYPE_BOOL, mul_b8);
  SET (LT_OP_MAXIMUM, LT_DTYPE_BOOL, maximum_b8);
  SET (LT_OP_MINIMUM, LT_DTYPE_BOOL, minimum_b8);
  SET (LT_OP_SIGN, LT_DTYPE_BOOL, sign_b8);
  SET (LT_OP_ABS, LT_DTYPE_BOOL, abs_b8);
  SET_FLOAT_MATH (f32, LT_DTYPE_FLOAT32);
  SET_FLOAT_MATH (f64, LT_DTYPE_FLOAT64);
  SET_INT_MATH (i64, LT_DTYPE_INT64);
  SET_INT_MATH (i32, LT_DTYPE_INT32);
  SET_INT_MATH (i16, LT_DTYPE_INT16);
  SET_INT_MATH (i8, LT_DTYPE_INT8);
  SET_INT_MATH (u8, LT_DTYPE_UINT8);
  SET (LT_OP_BITWISE_NOT, LT_DTYPE_BOOL, bitnot_b8);
  SET (LT_OP_BITWISE_AND, LT_DTYPE_BOOL, bitand_b8);
  SET (LT_OP_BITWISE_OR, LT_DTYPE_BOOL, bitor_b8);
  SET (LT_OP_BITWISE_XOR, LT_DTYPE_BOOL, bitxor_b8);
  return NULL;
}

static LtCpuLoop
get_loop (LtOp     op,
          LtDType  dtype,
          GError **error)
{
  static GOnce once = G_ONCE_INIT;
  LtCpuLoop loop;

  g_once (&once, init_loops, NULL);
  loop = loops[op][dtype];
  if (loop == NULL)
    g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                 "%s: the cpu backend does not support %s tensors",
                 _lt_op_table[op].name, lt_dtype_get_name (dtype));
  return loop;
}

gboolean
_lt_cpu_unary (const LtKernelArgs *args,
               GError            **error)
{
  LtTensor *operands[2] = { args->out, args->in[0] };
  LtCpuLoop loop = get_loop (args->op, args->in[0]->dtype, error);
  ClampCtx clamp;
  gpointer ctx = NULL;

  if (loop == NULL)
    return FALSE;
  if (args->op == LT_OP_CLAMP)
    {
      clamp.min = args->params->clamp.has_min ? args->params->clamp.min : -INFINITY;
      clamp.max = args->params->clamp.has_max ? args->params->clamp.max : INFINITY;
      ctx = &clamp;
    }
  _lt_cpu_foreach (operands, 2, loop, ctx, TRUE);
  return TRUE;
}

gboolean
_lt_cpu_binary (const LtKernelArgs *args,
                GError            **error)
{
  LtTensor    *operands[3] = { args->out, args->in[0], args->in[1] };
  LtCpuLoop loop = get_loop (args->op, args->in[0]->dtype, error);
  PointwiseCtx ctx = { 0 };

  if (loop == NULL)
    return FALSE;
  _lt_cpu_foreach (operands, 3, loop, &ctx, TRUE);
  if (ctx.div_by_zero)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: integer division by zero", _lt_op_table[args->op].name);
      return FALSE;
    }
  return TRUE;
}

/* where (cond, a, b) */
#define DEFINE_WHERE(T, sfx)                                                  \
  static void where_##sfx (char **d, const gint64 *s, gint64 n, gpointer ctx) \
  {                                                                           \
    for (gint64 i = 0; i < n; i++)                                            \
      {                                                                       \
        guint8 c = *(const guint8 *) (d[1] + i * s[1]);                       \
        *(T *) (d[0] + i * s[0]) = c ? *(const T *) (d[2] + i * s[2])         \
                                     : *(const T *) (d[3] + i * s[3]);        \
      }                                                                       \
  }
DEFINE_WHERE (guint8, 1)
DEFINE_WHERE (guint16, 2)
DEFINE_WHERE (guint32, 4)
DEFINE_WHERE (guint64, 8)

gboolean
_lt_cpu_where (const LtKernelArgs *args,
               GError            **error)
{
  LtTensor *operands[4] = { args->out, args->in[0], args->in[1], args->in[2] };
  LtCpuLoop loop;

  switch (_lt_dtype_size (args->out->dtype))
    {
    case 1: loop = where_1; break;
    case 2: loop = where_2; break;
    case 4: loop = where_4; break;
    default: loop = where_8; break;
    }
  _lt_cpu_foreach (operands, 4, loop, NULL, TRUE);
  return TRUE;
}

/* Copy with conversion: 8 x 8 loops. Same-type copies move bytes. */
#define DEFINE_COPY(S, ssfx, D, dsfx, CONV)                                        \
  static void copy_##ssfx##_##dsfx (char **d, const gint64 *s, gint64 n, gpointer ctx) \
  {                                                                                \
    if (s[0] == (gint64) sizeof (D) && s[1] == (gint64) sizeof (S))                \
      {                                                                            \
        D *o = (D *) d[0];                                                         \
        const S *in = (const S *) d[1];                                            \
        for (gint64 i = 0; i < n; i++)                                             \
          {                                                                        \
            S x = in[i];                                                           \
            o[i] = CONV;                                                           \
          }                                                                        \
      }                                                                            \
    else                                                                           \
      for (gint64 i = 0; i < n; i++)                                               \
        {                                                                          \
          S x = *(const S *) (d[1] + i * s[1]);                                    \
          *(D *) (d[0] + i * s[0]) = CONV;                                         \
        }                                                                          \
  }

/* Conversions into each destination kind */
#define TO_F32(x) ((float) (x))
#define TO_F64(x) ((double) (x))
#define TO_B8(x) ((guint8) ((x) != 0))

#define COPY_FROM_INT(S, ssfx)                                                    \
  DEFINE_COPY (S, ssfx, float, f32, TO_F32 (x))                                    \
  DEFINE_COPY (S, ssfx, double, f64, TO_F64 (x))                                   \
  DEFINE_COPY (S, ssfx, gint64, i64, (gint64) x)                                   \
  DEFINE_COPY (S, ssfx, gint32, i32, (gint32) x)                                   \
  DEFINE_COPY (S, ssfx, gint16, i16, (gint16) x)                                   \
  DEFINE_COPY (S, ssfx, gint8, i8, (gint8) x)                                      \
  DEFINE_COPY (S, ssfx, guint8, u8, (guint8) x)                                    \
  DEFINE_COPY (S, ssfx, guint8, b8, TO_B8 (x))

#define COPY_FROM_FLOAT(S, ssfx)                                                           \
  DEFINE_COPY (S, ssfx, float, f32, TO_F32 (x))                                             \
  DEFINE_COPY (S, ssfx, double, f64, TO_F64 (x))                                            \
  DEFINE_COPY (S, ssfx, gint64, i64, _lt_double_to_i64 (x))                                 \
  DEFINE_COPY (S, ssfx, gint32, i32, (gint32) _lt_clamp_i64 (x, G_MININT32, G_MAXINT32))    \
  DEFINE_COPY (S, ssfx, gint16, i16, (gint16) _lt_clamp_i64 (x, G_MININT16, G_MAXINT16))    \
  DEFINE_COPY (S, ssfx, gint8, i8, (gint8) _lt_clamp_i64 (x, G_MININT8, G_MAXINT8))         \
  DEFINE_COPY (S, ssfx, guint8, u8, (guint8) _lt_double_to_i64 (x)) \
  DEFINE_COPY (S, ssfx, guint8, b8, TO_B8 (x))

COPY_FROM_FLOAT (float, f32)
COPY_FROM_FLOAT (double, f64)
COPY_FROM_INT (gint64, i64)
COPY_FROM_INT (gint32, i32)
COPY_FROM_INT (gint16, i16)
COPY_FROM_INT (gint8, i8)
COPY_FROM_INT (guint8, u8)
COPY_FROM_INT (guint8, b8)

#define COPY_ROW(ssfx)                                                               \
  { copy_##ssfx##_f32, copy_##ssfx##_f64, copy_##ssfx##_i64, copy_##ssfx##_i32,       \
    copy_##ssfx##_i16, copy_##ssfx##_i8, copy_##ssfx##_u8, copy_##ssfx##_b8 }

/* [src][dst], in LtDType order */
static const LtCpuLoop copy_loops[LT_N_DTYPES][LT_N_DTYPES] = {
  COPY_ROW (f32), COPY_ROW (f64), COPY_ROW (i64), COPY_ROW (i32),
  COPY_ROW (i16), COPY_ROW (i8), COPY_ROW (u8), COPY_ROW (b8),
};

/* Same-type copies move elements of 1, 2, 4 or 8 bytes. */
#define DEFINE_COPY_BYTES(T, sz)                                                   \
  static void copy_bytes_##sz (char **d, const gint64 *s, gint64 n, gpointer ctx)  \
  {                                                                                \
    if (s[0] == (gint64) sizeof (T) && s[1] == (gint64) sizeof (T))                \
      memcpy (d[0], d[1], n * sizeof (T));                                         \
    else                                                                           \
      for (gint64 i = 0; i < n; i++)                                               \
        *(T *) (d[0] + i * s[0]) = *(const T *) (d[1] + i * s[1]);                 \
  }
DEFINE_COPY_BYTES (guint8, 1)
DEFINE_COPY_BYTES (guint16, 2)
DEFINE_COPY_BYTES (guint32, 4)
DEFINE_COPY_BYTES (guint64, 8)

gboolean
_lt_cpu_copy (const LtKernelArgs *args,
              GError            **error)
{
  LtTensor *operands[2] = { args->out, args->in[0] };
  LtDType sd = args->in[0]->dtype, dd = args->out->dtype;

  if (sd == dd)
    {
      LtCpuLoop loop;

      switch (_lt_dtype_size (dd))
        {
        case 1: loop = copy_bytes_1; break;
        case 2: loop = copy_bytes_2; break;
        case 4: loop = copy_bytes_4; break;
        default: loop = copy_bytes_8; break;
        }
      _lt_cpu_foreach (operands, 2, loop, NULL, TRUE);
    }
  else
    _lt_cpu_foreach (operands, 2, copy_loops[sd][dd], NULL, TRUE);
  return TRUE;
}

#define DEFINE_FILL(T, sz)                                                   \
  static void fill_##sz (char **d, const gint64 *s, gint64 n, gpointer ctx) \
  {                                                                          \
    T v = *(const T *) ctx;                                                  \
    if (s[0] == (gint64) sizeof (T))                                         \
      {                                                                      \
        T *o = (T *) d[0];                                                   \
        for (gint64 i = 0; i < n; i++)                                       \
          o[i] = v;                                                          \
      }                                                                      \
    else                                                                     \
      for (gint64 i = 0; i < n; i++)                                         \
        *(T *) (d[0] + i * s[0]) = v;                                        \
  }
DEFINE_FILL (guint8, 1)
DEFINE_FILL (guint16, 2)
DEFINE_FILL (guint32, 4)
DEFINE_FILL (guint64, 8)

gboolean
_lt_cpu_fill (const LtKernelArgs *args,
              GError            **error)
{
  LtTensor *operands[1] = { args->out };
  guint64 value = 0;
  LtCpuLoop loop;

  _lt_store_double (&value, args->out->dtype, args->params->fill.value);
  switch (_lt_dtype_size (args->out->dtype))
    {
    case 1: loop = fill_1; break;
    case 2: loop = fill_2; break;
    case 4: loop = fill_4; break;
    default: loop = fill_8; break;
    }
  _lt_cpu_foreach (operands, 1, loop, &value, TRUE);
  return TRUE;
}
