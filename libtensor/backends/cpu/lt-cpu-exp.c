/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-cpu-private.h"

/*
 * exp of float32 in vectors of 16, for the kernels whose results must
 * agree bit for bit: the exp op (lt-cpu-pointwise.c), softmax and
 * log_softmax (lt-cpu-softmax.c) and the fused cross_entropy
 * (lt-cpu-fused-loss.c), whose backward gives the unfused exp's bits.
 * Every element goes through the same vector code (a tail is loaded into
 * a padded vector), so an element's exp does not depend on where it sits
 * in an array. Compiled once per instruction set (_lt_cpu_isa ()): with
 * FMA (AVX2, AVX-512) the products and sums below fuse, so those two give
 * the same bits as each other and the baseline build slightly different
 * ones.
 *
 * The method is Cephes's expf: n = round (x log2 e), r = x - n ln 2 in two
 * parts, exp (r) = 1 + r + r^2 P (r) with a degree-5 polynomial on
 * [-ln 2 / 2, ln 2 / 2], then the result scaled by 2^n in two factors of
 * 2^(n/2), so that results below FLT_MIN round once to a subnormal and
 * results above FLT_MAX give inf. Within 1 ulp of the exact value (tests
 * compare it with libm's exp in double over the whole float range);
 * exp (NaN) is NaN, exp (-inf) 0, exp (inf) inf.
 *
 * Sums of exponentials go to 16 double accumulators, element j to
 * accumulator j mod 16, added together at the end in one fixed order: the
 * same bits on every instruction set and whether a row is read at once or
 * in chunks of a multiple of 16.
 */

/* The vectors below only travel between static functions, inlined into the
 * kernels of each instruction set: no ABI is at stake. */
#ifdef __GNUC__ /* GCC and clang */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

typedef float   V16f __attribute__ ((vector_size (64)));
typedef gint32  V16i __attribute__ ((vector_size (64)));
typedef guint32 V16u __attribute__ ((vector_size (64)));
typedef double  V8d __attribute__ ((vector_size (64)));
typedef float   V8f __attribute__ ((vector_size (32)));

#define EXP_MAGIC 12582912.0f /* 1.5 * 2^23: adding it rounds to an integer */

static const V16i lane = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static inline V16f
splat16 (float v)
{
  V16f r;

  for (int l = 0; l < 16; l++)
    r[l] = v;
  return r;
}

static inline V16f
select16 (V16i mask, V16f a, V16f b)
{
  return (V16f) (((V16i) a & mask) | ((V16i) b & ~mask));
}

/* the first @n of @x (1 to 15), the rest 0 */
static inline V16f
load_part (const float *x, gint64 n)
{
  V16f v = { 0 };

  for (int l = 0; l < (int) n; l++)
    v[l] = x[l];
  return v;
}

static inline void
store_part (float *y, V16f v, gint64 n)
{
  for (int l = 0; l < (int) n; l++)
    y[l] = v[l];
}

static inline V16f
load16 (const float *x)
{
  V16f v;

  memcpy (&v, x, sizeof v);
  return v;
}

static inline void
store16 (float *y, V16f v)
{
  memcpy (y, &v, sizeof v);
}

/* y[j] = VFN (x[j]) over n values: whole vectors, then a padded one */
#define MAP16(name, VFN, sfx, ATTR)                                                                \
  ATTR static void name##_##sfx (const float *x, float *y, gint64 n)                               \
  {                                                                                                \
    gint64 j = 0;                                                                                  \
                                                                                                   \
    for (; j + 16 <= n; j += 16)                                                                   \
      store16 (y + j, VFN##_##sfx (load16 (x + j)));                                               \
    if (j < n)                                                                                     \
      store_part (y + j, VFN##_##sfx (load_part (x + j, n - j)), n - j);                           \
  }

#define DEFINE_EXP(sfx, ATTR)                                                                      \
  ATTR static inline V16f vexp_##sfx (V16f x)                                                      \
  {                                                                                                \
    V16f t, n, r, p;                                                                               \
    V16i k, k1;                                                                                    \
                                                                                                   \
    /* a NaN fails both tests and stays */                                                         \
    x = select16 (x < -104.0f, splat16 (-104.0f), x);                                              \
    x = select16 (x > 89.0f, splat16 (89.0f), x);                                                  \
    t = x * 1.44269504088896341f + EXP_MAGIC;                                                      \
    n = t - EXP_MAGIC;                                                                             \
    k = (V16i) t - (V16i) splat16 (EXP_MAGIC);                                                     \
    r = x - n * 0.693359375f;                                                                      \
    r = r - n * -2.12194440e-4f;                                                                   \
    p = r * 1.9875691500e-4f + 1.3981999507e-3f;                                                   \
    p = p * r + 8.3334519073e-3f;                                                                  \
    p = p * r + 4.1665795894e-2f;                                                                  \
    p = p * r + 1.6666665459e-1f;                                                                  \
    p = p * r + 5.0000001201e-1f;                                                                  \
    p = p * (r * r) + r;                                                                           \
    p = p + 1.0f;                                                                                  \
    /* 2^n as 2^k1 2^(n - k1), each a float's exponent field */                                    \
    k1 = k >> 1;                                                                                   \
    p = p * (V16f) (((V16u) k1 + 127u) << 23);                                                     \
    return p * (V16f) (((V16u) (k - k1) + 127u) << 23);                                            \
  }                                                                                                \
                                                                                                   \
  /* acc[l] += the 16 lanes of @e, in double */                                                    \
  ATTR static inline void acc16_##sfx (double *acc, V16f e)                                        \
  {                                                                                                \
    V8f lo, hi;                                                                                    \
    V8d a0, a1;                                                                                    \
                                                                                                   \
    memcpy (&lo, &e, sizeof lo);                                                                   \
    memcpy (&hi, (char *) &e + sizeof lo, sizeof hi);                                              \
    memcpy (&a0, acc, sizeof a0);                                                                  \
    memcpy (&a1, acc + 8, sizeof a1);                                                              \
    a0 += __builtin_convertvector(lo, V8d);                                                        \
    a1 += __builtin_convertvector(hi, V8d);                                                        \
    memcpy (acc, &a0, sizeof a0);                                                                  \
    memcpy (acc + 8, &a1, sizeof a1);                                                              \
  }                                                                                                \
                                                                                                   \
  ATTR static float max_##sfx (const float *x, gint64 n, float m)                                  \
  {                                                                                                \
    V16f   vm = splat16 (m);                                                                       \
    gint64 j = 0;                                                                                  \
                                                                                                   \
    for (; j + 16 <= n; j += 16)                                                                   \
      {                                                                                            \
        V16f v = load16 (x + j);                                                                   \
        vm = select16 (v > vm, v, vm);                                                             \
      }                                                                                            \
    for (int l = 0; l < 16; l++)                                                                   \
      m = vm[l] > m ? vm[l] : m;                                                                   \
    for (; j < n; j++)                                                                             \
      m = x[j] > m ? x[j] : m;                                                                     \
    return m;                                                                                      \
  }                                                                                                \
                                                                                                   \
  ATTR static void exp_sum_##sfx (const float *x, gint64 n, float m, float *e, double *acc)        \
  {                                                                                                \
    V16f   vm = splat16 (m);                                                                       \
    gint64 j = 0;                                                                                  \
                                                                                                   \
    for (; j + 16 <= n; j += 16)                                                                   \
      {                                                                                            \
        V16f v = vexp_##sfx (load16 (x + j) - vm);                                                 \
        if (e)                                                                                     \
          store16 (e + j, v);                                                                      \
        acc16_##sfx (acc, v);                                                                      \
      }                                                                                            \
    if (j < n)                                                                                     \
      {                                                                                            \
        V16i in = lane < (gint32) (n - j);                                                         \
        V16f v = vexp_##sfx (load_part (x + j, n - j) - vm);                                       \
        v = select16 (in, v, (V16f){ 0 });                                                         \
        if (e)                                                                                     \
          store_part (e + j, v, n - j);                                                            \
        acc16_##sfx (acc, v);                                                                      \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  MAP16 (exp, vexp, sfx, ATTR)                                                                     \
                                                                                                   \
  ATTR static void exp_neg_scale_##sfx (const float *x, float *y, gint64 n, float s)               \
  {                                                                                                \
    V16f   vs = splat16 (s);                                                                       \
    gint64 j = 0;                                                                                  \
                                                                                                   \
    for (; j + 16 <= n; j += 16)                                                                   \
      store16 (y + j, (V16f){ 0 } - vexp_##sfx (load16 (x + j)) * vs);                             \
    if (j < n)                                                                                     \
      store_part (y + j, (V16f){ 0 } - vexp_##sfx (load_part (x + j, n - j)) * vs, n - j);         \
  }                                                                                                \
                                                                                                   \
  /* 1 / (1 + exp (-x)), as e / (1 + e) with e = exp (x) for x < 0, which                          \
   * keeps the results below FLT_MIN that exp (-x) = inf would lose */                             \
  ATTR static inline V16f vsigmoid_##sfx (V16f x)                                                  \
  {                                                                                                \
    V16i neg = x < 0.0f;                                                                           \
    V16f e = vexp_##sfx (select16 (neg, x, -x));                                                   \
    return select16 (neg, e, splat16 (1.0f)) / (1.0f + e);                                         \
  }                                                                                                \
                                                                                                   \
  /* Cephes's tanhf: an odd polynomial below 0.625, else                                           \
   * 1 - 2 / (exp (2 |x|) + 1) with the sign of x */                                               \
  ATTR static inline V16f vtanh_##sfx (V16f x)                                                     \
  {                                                                                                \
    V16i sign = (V16i) x & (V16i) splat16 (-0.0f);                                                 \
    V16f ax = (V16f) ((V16i) x ^ sign), z = x * x, p, big;                                         \
                                                                                                   \
    p = z * -5.70498872745e-3f + 2.06390887954e-2f;                                                \
    p = p * z - 5.37397155531e-2f;                                                                 \
    p = p * z + 1.33314422036e-1f;                                                                 \
    p = p * z - 3.33332819422e-1f;                                                                 \
    p = p * z * x + x;                                                                             \
    big = 1.0f - 2.0f / (vexp_##sfx (ax + ax) + 1.0f);                                             \
    /* p has x's sign already, but for x = -0 */                                                   \
    return (V16f) ((V16i) select16 (ax < 0.625f, p, big) | sign);                                  \
  }                                                                                                \
                                                                                                   \
  MAP16 (sigmoid, vsigmoid, sfx, ATTR)                                                             \
                                                                                                   \
  MAP16 (tanh, vtanh, sfx, ATTR)                                                                   \
                                                                                                   \
  static const LtCpuExpF32 exp_kernels_##sfx = {                                                   \
    max_##sfx, exp_sum_##sfx, exp_##sfx, exp_neg_scale_##sfx, sigmoid_##sfx, tanh_##sfx,           \
  };

#define ATTR_BASE
DEFINE_EXP (base, ATTR_BASE)
#ifdef LT_CPU_X86_ISAS
DEFINE_EXP (avx2, __attribute__ ((target ("avx2,fma"))))
DEFINE_EXP (avx512, __attribute__ ((target ("avx512f,avx512vl,fma"))))
#endif

const LtCpuExpF32 *
_lt_cpu_exp_f32_isa (LtCpuIsa isa)
{
#ifdef LT_CPU_X86_ISAS
  switch (isa)
    {
      case LT_CPU_ISA_AVX512:
        return &exp_kernels_avx512;
      case LT_CPU_ISA_AVX2:
        return &exp_kernels_avx2;
      default:
        break;
    }
#endif
  return &exp_kernels_base;
}

const LtCpuExpF32 *
_lt_cpu_exp_f32 (void)
{
  return _lt_cpu_exp_f32_isa (_lt_cpu_isa ());
}

double
_lt_cpu_exp_acc_total (const double *acc)
{
  double s[8];

  for (int l = 0; l < 8; l++)
    s[l] = acc[l] + acc[l + 8];
  for (int l = 0; l < 4; l++)
    s[l] += s[l + 4];
  return (s[0] + s[2]) + (s[1] + s[3]);
}

/* Elements gathered from a strided row at a time: a multiple of 16, so
 * that the accumulators see a row's elements in the same places */
#define CHUNK 256

double
_lt_cpu_exp_row_f32 (const float *x, gint64 n, gint64 stride, float *e, float *m_out)
{
  const LtCpuExpF32 *k = _lt_cpu_exp_f32 ();
  double             acc[LT_CPU_EXP_ACC] = { 0 };
  float              m = -INFINITY, buf[CHUNK];

  if (stride == 1)
    {
      m = k->max (x, n, m);
      k->exp_sum (x, n, m, e, acc);
    }
  else
    {
      for (gint64 j = 0; j < n; j += CHUNK)
        {
          gint64 c = MIN (CHUNK, n - j);

          for (gint64 i = 0; i < c; i++)
            buf[i] = x[(j + i) * stride];
          m = k->max (buf, c, m);
        }
      for (gint64 j = 0; j < n; j += CHUNK)
        {
          gint64 c = MIN (CHUNK, n - j);

          for (gint64 i = 0; i < c; i++)
            buf[i] = x[(j + i) * stride];
          k->exp_sum (buf, c, m, e ? buf : NULL, acc);
          if (e)
            for (gint64 i = 0; i < c; i++)
              e[(j + i) * stride] = buf[i];
        }
    }
  *m_out = m;
  return _lt_cpu_exp_acc_total (acc);
}

void
_lt_cpu_exp_strided_f32 (const float *x,
                         gint64       sx,
                         float       *y,
                         gint64       sy,
                         gint64       n,
                         gboolean     neg_scale,
                         float        s)
{
  const LtCpuExpF32 *k = _lt_cpu_exp_f32 ();
  float              buf[CHUNK];

  for (gint64 j = 0; j < n; j += CHUNK)
    {
      gint64 c = MIN (CHUNK, n - j);

      for (gint64 i = 0; i < c; i++)
        buf[i] = *(const float *) ((const char *) x + (j + i) * sx);
      if (neg_scale)
        k->exp_neg_scale (buf, buf, c, s);
      else
        k->exp (buf, buf, c);
      for (gint64 i = 0; i < c; i++)
        *(float *) ((char *) y + (j + i) * sy) = buf[i];
    }
}

void
_lt_cpu_log_softmax_row_f32 (const float *x, float *y, gint64 n, gint64 stride)
{
  float  m, lse;
  double sum = _lt_cpu_exp_row_f32 (x, n, stride, NULL, &m);

  lse = m + (float) log (sum);
  for (gint64 j = 0; j < n; j++)
    y[j * stride] = x[j * stride] - lse;
}
