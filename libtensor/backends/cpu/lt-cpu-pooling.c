/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-cpu-private.h"

/*
 * 2-D pooling over planes (torch.nn.functional.max_pool2d, avg_pool2d,
 * adaptive_avg_pool2d), the loops of PyTorch's CPU kernels
 * (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, AvgPoolKernel.cpp,
 * AdaptiveAvgPoolKernel.cpp):
 *
 *   x: (planes, H, W)  y, indices: (planes, OH, OW), planes = N C
 *
 *   max:  the window of (oh, ow) starts at (oh sH - pH, ow sW - pW) and
 *         takes every dH-th row and dW-th column of kH x kW; the scan goes
 *         row by row and keeps the first maximum (a NaN always wins);
 *         indices are positions ih W + iw within the plane
 *   avg:  the sum over the window clipped to the image, divided by
 *         divisor_override, or the window's size clipped to the padded
 *         image (count_include_pad) or to the image
 *   adaptive avg: rows [floor (oh H / OH), ceil ((oh + 1) H / OH)), columns
 *         likewise, averaged
 *
 * The gradient kernels spread dy back over the same windows (for max
 * pooling, to the saved indices). Planes are split across the backend's
 * pool.
 */

typedef struct
{
  gint64   planes, H, W, OH, OW;
  gint64   kh, kw, sh, sw, ph, pw, dh, dw;
  gboolean count_include_pad;
  gint64   divisor;  /* 0: none */
  gboolean adaptive; /* an adaptive average pool (see avg_span) */
} PoolGeom;

typedef struct
{
  const PoolGeom *g;
  const void     *src;
  void           *dst;
  gint64         *indices;
  gint            bad_index; /* atomic: set by a part that met an index outside its plane */
} PoolJob;

static inline gint64
adaptive_start (gint64 a, gint64 b, gint64 c)
{
  return (a / b) * c + ((a % b) * c) / b;
}

static inline gint64
adaptive_end (gint64 a, gint64 b, gint64 c)
{
  return 1 + ((a + 1) * c - 1) / b;
}

/* One side of the window of output o of an average pool, along the rows
 * (@rows) or the columns: [*i0, *i1), clipped to the image. Returns the
 * window's length clipped to the padded image (for an adaptive pool, whose
 * windows lie in the image and are never empty, *i1 - *i0). */
static inline gint64
avg_span (const PoolGeom *g, gboolean rows, gint64 o, gint64 *i0, gint64 *i1)
{
  gint64 n = rows ? g->H : g->W, p = rows ? g->ph : g->pw, a, b;

  if (g->adaptive)
    {
      *i0 = adaptive_start (o, rows ? g->OH : g->OW, n);
      *i1 = adaptive_end (o, rows ? g->OH : g->OW, n);
      return *i1 - *i0;
    }
  a = o * (rows ? g->sh : g->sw) - p;
  b = MIN (a + (rows ? g->kh : g->kw), n + p);
  *i0 = MAX (a, 0);
  *i1 = MIN (b, n);
  return b - a;
}

/* The divisor of a window of hs x ws in the padded image, h x w in the
 * image */
static inline gint64
avg_divisor (const PoolGeom *g, gint64 hs, gint64 ws, gint64 h, gint64 w)
{
  if (g->divisor != 0)
    return g->divisor;
  return g->count_include_pad ? hs * ws : h * w;
}

/* The running maximum m (at best) meets v (at index i): v wins when it is
 * larger or NaN. Written with bit masks rather than branches, which random
 * data would mispredict half of the time; UT is the unsigned integer type
 * of T's size. */
#define MAX_STEP(T, UT, v_, i_)                                                                    \
  do                                                                                               \
    {                                                                                              \
      T   v__ = (v_);                                                                              \
      int t__ = (v__ > m) | (v__ != v__);                                                          \
      UT  mb__, vb__, take__ = -(UT) t__;                                                          \
      memcpy (&mb__, &m, sizeof m);                                                                \
      memcpy (&vb__, &v__, sizeof m);                                                              \
      mb__ = (mb__ & ~take__) | (vb__ & take__);                                                   \
      memcpy (&m, &mb__, sizeof m);                                                                \
      best = (best & ~-(gint64) t__) | ((i_) & -(gint64) t__);                                     \
    }                                                                                              \
  while (0)

/*
 * The network's max pool: 2 x 2 windows side by side (stride 2), all inside
 * the image, one output row from input rows r0 and r1. The winner is the
 * first maximum of the top pair (a, b), of the bottom pair (c, d), then of
 * the two, which is the scan's winner: the first maximum, or the last NaN.
 * Vectors of the baseline's 16 bytes, written with GCC's vector extension;
 * the pairs are split into even and odd lanes by shuffles.
 */
#if defined(__clang__)
/* clang has no __builtin_shuffle: the same lanes, picked one by one (a
 * constant mask, which its optimiser turns back into a shuffle). */
#define LT_SHUFFLE2(a, b, m)                                                                       \
  ({                                                                                               \
    __typeof__ (a) r__;                                                                            \
    const int      n__ = (int) (sizeof (a) / sizeof ((a)[0]));                                     \
    for (int i__ = 0; i__ < n__; i__++)                                                            \
      r__[i__] = (m)[i__] < n__ ? (a)[(m)[i__]] : (b)[(m)[i__] - n__];                             \
    r__;                                                                                           \
  })
#else
#define LT_SHUFFLE2(a, b, m) __builtin_shuffle (a, b, m)
#endif

#define DEFINE_MAX2X2(T, sfx, IT, VL, EVEN, ODD, LO, HI)                                           \
  typedef T  v_##sfx __attribute__ ((vector_size (16), aligned (sizeof (T)), may_alias));          \
  typedef IT vi_##sfx __attribute__ ((vector_size (16), aligned (sizeof (T)), may_alias));         \
                                                                                                   \
  static void max2x2_row_##sfx (const T *r0, const T *r1, T *yr, gint64 *ir, gint64 OW, gint64 W,  \
                                gint64 base)                                                       \
  {                                                                                                \
    typedef v_##sfx  VT;                                                                           \
    typedef vi_##sfx VI;                                                                           \
    const VI         even = EVEN, odd = ODD;                                                       \
    gint64           ow = 0;                                                                       \
    for (; ow + VL <= OW; ow += VL)                                                                \
      {                                                                                            \
        VT l0 = *(const VT *) (r0 + 2 * ow), h0 = *(const VT *) (r0 + 2 * ow + VL);                \
        VT l1 = *(const VT *) (r1 + 2 * ow), h1 = *(const VT *) (r1 + 2 * ow + VL);                \
        VT a = LT_SHUFFLE2 (l0, h0, even), b = LT_SHUFFLE2 (l0, h0, odd);                          \
        VT c = LT_SHUFFLE2 (l1, h1, even), d = LT_SHUFFLE2 (l1, h1, odd);                          \
        VI tb = (b > a) | (b != b), td = (d > c) | (d != d), tv;                                   \
        VT top = (VT) (((VI) b & tb) | ((VI) a & ~tb));                                            \
        VT bot = (VT) (((VI) d & td) | ((VI) c & ~td));                                            \
        VI off;                                                                                    \
        tv = (bot > top) | (bot != bot);                                                           \
        *(VT *) (yr + ow) = (VT) (((VI) bot & tv) | ((VI) top & ~tv));                             \
        /* 0 or 1 in the top row, W or W + 1 in the bottom row */                                  \
        off = (-tb & ~tv) | (((VI){} + (IT) W - td) & tv);                                         \
        for (int l = 0; l < VL; l++)                                                               \
          ir[ow + l] = base + 2 * (ow + l) + off[l];                                               \
      }                                                                                            \
    for (; ow < OW; ow++)                                                                          \
      {                                                                                            \
        T        a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];           \
        gboolean tb = (b > a) | (b != b), td = (d > c) | (d != d), tv;                             \
        T        top = tb ? b : a, bot = td ? d : c;                                               \
        tv = (bot > top) | (bot != bot);                                                           \
        yr[ow] = tv ? bot : top;                                                                   \
        ir[ow] = base + 2 * ow + (tv ? W + td : tb);                                               \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* The gradient of one such row: dy where the index points, +0 at the                            \
   * window's other three elements; every element written once. Returns                            \
   * FALSE when an index lies outside its window. */                                               \
  static gboolean max2x2_grad_row_##sfx (const T *dy, const gint64 *ir, T *r0, T *r1, gint64 OW,   \
                                         gint64 W, gint64 base)                                    \
  {                                                                                                \
    typedef vi_##sfx VI;                                                                           \
    const VI         lo = LO, hi = HI;                                                             \
    gboolean         ok = TRUE;                                                                    \
    gint64           ow = 0;                                                                       \
    for (; ow + VL <= OW; ow += VL)                                                                \
      {                                                                                            \
        VI v = *(const VI *) (dy + ow), rel, a, b, c, d;                                           \
        for (int l = 0; l < VL; l++)                                                               \
          {                                                                                        \
            gint64 r = ir[ow + l] - (base + 2 * (ow + l));                                         \
            ok &= ((guint64) r <= 1) | ((guint64) (r - W) <= 1);                                   \
            rel[l] = (IT) r;                                                                       \
          }                                                                                        \
        a = v & (rel == 0);                                                                        \
        b = v & (rel == 1);                                                                        \
        c = v & (rel == (IT) W);                                                                   \
        d = v & (rel == (IT) W + 1);                                                               \
        *(VI *) (r0 + 2 * ow) = LT_SHUFFLE2 (a, b, lo);                                            \
        *(VI *) (r0 + 2 * ow + VL) = LT_SHUFFLE2 (a, b, hi);                                       \
        *(VI *) (r1 + 2 * ow) = LT_SHUFFLE2 (c, d, lo);                                            \
        *(VI *) (r1 + 2 * ow + VL) = LT_SHUFFLE2 (c, d, hi);                                       \
      }                                                                                            \
    for (; ow < OW; ow++)                                                                          \
      {                                                                                            \
        gint64 r = ir[ow] - (base + 2 * ow);                                                       \
        T      v = dy[ow];                                                                         \
        ok &= ((guint64) r <= 1) | ((guint64) (r - W) <= 1);                                       \
        r0[2 * ow] = r == 0 ? v : 0;                                                               \
        r0[2 * ow + 1] = r == 1 ? v : 0;                                                           \
        r1[2 * ow] = r == W ? v : 0;                                                               \
        r1[2 * ow + 1] = r == W + 1 ? v : 0;                                                       \
      }                                                                                            \
    return ok;                                                                                     \
  }

DEFINE_MAX2X2 (float,
               f32,
               gint32,
               4,
               ((VI){ 0, 2, 4, 6 }),
               ((VI){ 1, 3, 5, 7 }),
               ((VI){ 0, 4, 1, 5 }),
               ((VI){ 2, 6, 3, 7 }))
DEFINE_MAX2X2 (double,
               f64,
               gint64,
               2,
               ((VI){ 0, 2 }),
               ((VI){ 1, 3 }),
               ((VI){ 0, 2 }),
               ((VI){ 1, 3 }))

/*
 * The same two rows on AVX-512, for float32: a whole output row of up to 16
 * windows at a time, the end of the row masked (the network's rows are 14
 * and 5 windows wide, mostly tail for the 4-lane loop above), the int64
 * indices widened in vectors. The winners, the ties and the NaNs are the
 * baseline's.
 */
#ifdef LT_CPU_X86_ISAS
#include <immintrin.h>

#define ATTR_POOL_AVX512 __attribute__ ((target ("avx512f,avx512vl")))

ATTR_POOL_AVX512 static void
max2x2_row_f32_avx512 (const float *r0,
                       const float *r1,
                       float       *yr,
                       gint64      *ir,
                       gint64       OW,
                       gint64       W,
                       gint64       base)
{
  const __m512i even =
    _mm512_setr_epi32 (0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32 (even, _mm512_set1_epi32 (1));
  const __m512i iota2 = _mm512_setr_epi64 (0, 2, 4, 6, 8, 10, 12, 14);

  for (gint64 ow = 0; ow < OW; ow += 16)
    {
      int       n = (int) MIN (16, OW - ow), n2 = 2 * n;
      __mmask16 m = (__mmask16) ((1u << n) - 1);
      __mmask16 mlo = (__mmask16) (n2 >= 16 ? 0xffff : (1u << n2) - 1);
      __mmask16 mhi = (__mmask16) (n2 > 16 ? (1u << (n2 - 16)) - 1 : 0);
      __m512    l0 = _mm512_maskz_loadu_ps (mlo, r0 + 2 * ow);
      __m512    h0 = _mm512_maskz_loadu_ps (mhi, r0 + 2 * ow + 16);
      __m512    l1 = _mm512_maskz_loadu_ps (mlo, r1 + 2 * ow);
      __m512    h1 = _mm512_maskz_loadu_ps (mhi, r1 + 2 * ow + 16);
      __m512    a = _mm512_permutex2var_ps (l0, even, h0), b = _mm512_permutex2var_ps (l0, odd, h0);
      __m512    c = _mm512_permutex2var_ps (l1, even, h1), d = _mm512_permutex2var_ps (l1, odd, h1);
      /* a later element wins when it is larger or NaN */
      __mmask16 tb =
        _mm512_cmp_ps_mask (b, a, _CMP_GT_OQ) | _mm512_cmp_ps_mask (b, b, _CMP_UNORD_Q);
      __mmask16 td =
        _mm512_cmp_ps_mask (d, c, _CMP_GT_OQ) | _mm512_cmp_ps_mask (d, d, _CMP_UNORD_Q);
      __m512    top = _mm512_mask_blend_ps (tb, a, b), bot = _mm512_mask_blend_ps (td, c, d);
      __mmask16 tv =
        _mm512_cmp_ps_mask (bot, top, _CMP_GT_OQ) | _mm512_cmp_ps_mask (bot, bot, _CMP_UNORD_Q);
      /* the winner's place in its window: tb in the top row, W + td in the bottom one */
      __m512i off = _mm512_mask_blend_epi32 (
        tv, _mm512_maskz_set1_epi32 (tb, 1),
        _mm512_add_epi32 (_mm512_set1_epi32 ((int) W), _mm512_maskz_set1_epi32 (td, 1)));
      __m512i start = _mm512_add_epi64 (_mm512_set1_epi64 (base + 2 * ow), iota2);
      /* (the maskz forms: the plain ones trip GCC 12's uninitialised-use
       * warning on their _mm*_undefined_* operand) */
      __m256i off0 = _mm512_maskz_extracti64x4_epi64 (0xff, off, 0);
      __m256i off1 = _mm512_maskz_extracti64x4_epi64 (0xff, off, 1);
      __m512i i0 = _mm512_add_epi64 (_mm512_maskz_cvtepi32_epi64 (0xff, off0), start);
      __m512i i1 = _mm512_add_epi64 (_mm512_maskz_cvtepi32_epi64 (0xff, off1),
                                     _mm512_add_epi64 (start, _mm512_set1_epi64 (16)));

      _mm512_mask_storeu_ps (yr + ow, m, _mm512_mask_blend_ps (tv, top, bot));
      _mm512_mask_storeu_epi64 (ir + ow, (__mmask8) m, i0);
      _mm512_mask_storeu_epi64 (ir + ow + 8, (__mmask8) (m >> 8), i1);
    }
}

/* The gradient of such a row: dy where the index points, +0 at the window's
 * other three elements. FALSE when an index lies outside its window. */
ATTR_POOL_AVX512 static gboolean
max2x2_grad_row_f32_avx512 (const float  *dy,
                            const gint64 *ir,
                            float        *r0,
                            float        *r1,
                            gint64        OW,
                            gint64        W,
                            gint64        base)
{
  /* (a, b) interleaved: lanes 0 .. 15 of the first 16 inputs, then 16 .. 31 */
  const __m512i lo = _mm512_setr_epi32 (0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi = _mm512_add_epi32 (lo, _mm512_set1_epi32 (8));
  const __m512i iota2 = _mm512_setr_epi64 (0, 2, 4, 6, 8, 10, 12, 14);
  const __m512i one = _mm512_set1_epi64 (1), w64 = _mm512_set1_epi64 (W);
  __mmask16     bad = 0;

  for (gint64 ow = 0; ow < OW; ow += 16)
    {
      int       n = (int) MIN (16, OW - ow), n2 = 2 * n;
      __mmask16 m = (__mmask16) ((1u << n) - 1);
      __mmask16 mlo = (__mmask16) (n2 >= 16 ? 0xffff : (1u << n2) - 1);
      __mmask16 mhi = (__mmask16) (n2 > 16 ? (1u << (n2 - 16)) - 1 : 0);
      __m512    v = _mm512_maskz_loadu_ps (m, dy + ow);
      __m512i   start = _mm512_add_epi64 (_mm512_set1_epi64 (base + 2 * ow), iota2);
      /* the index relative to the window: 0, 1, W or W + 1 */
      __m512i  q0 = _mm512_sub_epi64 (_mm512_maskz_loadu_epi64 ((__mmask8) m, ir + ow), start);
      __m512i  q1 = _mm512_sub_epi64 (_mm512_maskz_loadu_epi64 ((__mmask8) (m >> 8), ir + ow + 8),
                                      _mm512_add_epi64 (start, _mm512_set1_epi64 (16)));
      __mmask8 ok0 = _mm512_cmple_epu64_mask (q0, one) |
                     _mm512_cmple_epu64_mask (_mm512_sub_epi64 (q0, w64), one);
      __mmask8 ok1 = _mm512_cmple_epu64_mask (q1, one) |
                     _mm512_cmple_epu64_mask (_mm512_sub_epi64 (q1, w64), one);
      __m256i rel0 = _mm512_maskz_cvtepi64_epi32 (0xff, q0);
      __m256i rel1 = _mm512_maskz_cvtepi64_epi32 (0xff, q1);
      __m512i rel = _mm512_maskz_inserti64x4 (0xff, _mm512_castsi256_si512 (rel0), rel1, 1);
      __m512  a = _mm512_maskz_mov_ps (_mm512_cmpeq_epi32_mask (rel, _mm512_setzero_si512 ()), v);
      __m512  b = _mm512_maskz_mov_ps (_mm512_cmpeq_epi32_mask (rel, _mm512_set1_epi32 (1)), v);
      __m512  c =
        _mm512_maskz_mov_ps (_mm512_cmpeq_epi32_mask (rel, _mm512_set1_epi32 ((int) W)), v);
      __m512 d =
        _mm512_maskz_mov_ps (_mm512_cmpeq_epi32_mask (rel, _mm512_set1_epi32 ((int) W + 1)), v);

      bad |= m & (__mmask16) ~(ok0 | ((unsigned) ok1 << 8));
      _mm512_mask_storeu_ps (r0 + 2 * ow, mlo, _mm512_permutex2var_ps (a, lo, b));
      _mm512_mask_storeu_ps (r0 + 2 * ow + 16, mhi, _mm512_permutex2var_ps (a, hi, b));
      _mm512_mask_storeu_ps (r1 + 2 * ow, mlo, _mm512_permutex2var_ps (c, lo, d));
      _mm512_mask_storeu_ps (r1 + 2 * ow + 16, mhi, _mm512_permutex2var_ps (c, hi, d));
    }
  return bad == 0;
}
#endif

/* The row functions for this CPU */
typedef void (
  *Max2x2Rowf32) (const float *, const float *, float *, gint64 *, gint64, gint64, gint64);
typedef gboolean (
  *Max2x2GradRowf32) (const float *, const gint64 *, float *, float *, gint64, gint64, gint64);
typedef void (
  *Max2x2Rowf64) (const double *, const double *, double *, gint64 *, gint64, gint64, gint64);
typedef gboolean (
  *Max2x2GradRowf64) (const double *, const gint64 *, double *, double *, gint64, gint64, gint64);

static Max2x2Rowf32
max2x2_row_for_f32 (void)
{
#ifdef LT_CPU_X86_ISAS
  if (_lt_cpu_isa () == LT_CPU_ISA_AVX512)
    return max2x2_row_f32_avx512;
#endif
  return max2x2_row_f32;
}

static Max2x2GradRowf32
max2x2_grad_row_for_f32 (void)
{
#ifdef LT_CPU_X86_ISAS
  if (_lt_cpu_isa () == LT_CPU_ISA_AVX512)
    return max2x2_grad_row_f32_avx512;
#endif
  return max2x2_grad_row_f32;
}

static Max2x2Rowf64
max2x2_row_for_f64 (void)
{
  return max2x2_row_f64;
}

static Max2x2GradRowf64
max2x2_grad_row_for_f64 (void)
{
  return max2x2_grad_row_f64;
}

#define DEFINE_POOL(T, UT, sfx)                                                                      \
  static void max_part_##sfx (int tid, int np, gpointer data)                                        \
  {                                                                                                  \
    const PoolJob  *job = data;                                                                      \
    const PoolGeom *g = job->g;                                                                      \
    gint64          p0, p1;                                                                          \
    _lt_cpu_split (g->planes, tid, np, &p0, &p1);                                                    \
    for (gint64 pl = p0; pl < p1; pl++)                                                              \
      {                                                                                              \
        const T *x = (const T *) job->src + pl * g->H * g->W;                                        \
        T       *y = (T *) job->dst + pl * g->OH * g->OW;                                            \
        gint64  *ix = job->indices + pl * g->OH * g->OW;                                             \
        if (g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->ph == 0 && g->pw == 0 &&      \
            g->dh == 1 && g->dw == 1 && 2 * g->OH <= g->H && 2 * g->OW <= g->W)                      \
          {                                                                                          \
            Max2x2Row##sfx row = max2x2_row_for_##sfx ();                                            \
            for (gint64 oh = 0; oh < g->OH; oh++)                                                    \
              row (x + 2 * oh * g->W, x + (2 * oh + 1) * g->W, y + oh * g->OW, ix + oh * g->OW,      \
                   g->OW, g->W, 2 * oh * g->W);                                                      \
            continue;                                                                                \
          }                                                                                          \
        for (gint64 oh = 0; oh < g->OH; oh++)                                                        \
          {                                                                                          \
            gint64 ih0 = oh * g->sh - g->ph;                                                         \
            gint64 ih1 = MIN (ih0 + (g->kh - 1) * g->dh + 1, g->H);                                  \
            while (ih0 < 0)                                                                          \
              ih0 += g->dh;                                                                          \
            for (gint64 ow = 0; ow < g->OW; ow++)                                                    \
              {                                                                                      \
                gint64 iw0 = ow * g->sw - g->pw;                                                     \
                gint64 iw1 = MIN (iw0 + (g->kw - 1) * g->dw + 1, g->W);                              \
                gint64 best;                                                                         \
                T      m = -INFINITY;                                                                \
                while (iw0 < 0)                                                                      \
                  iw0 += g->dw;                                                                      \
                best = ih0 * g->W + iw0;                                                             \
                for (gint64 ih = ih0; ih < ih1; ih += g->dh)                                         \
                  for (gint64 iw = iw0; iw < iw1; iw += g->dw)                                       \
                    MAX_STEP (T, UT, x[ih * g->W + iw], ih * g->W + iw);                             \
                y[oh * g->OW + ow] = m;                                                              \
                ix[oh * g->OW + ow] = best;                                                          \
              }                                                                                      \
          }                                                                                          \
      }                                                                                              \
  }                                                                                                  \
                                                                                                     \
  /* dx = 0, then dx[plane, indices] += dy; windows that cannot overlap                              \
   * (2 x 2, stride 2) write every element once instead */                                           \
  static void max_grad_part_##sfx (int tid, int np, gpointer data)                                   \
  {                                                                                                  \
    PoolJob           *job = data;                                                                   \
    const PoolGeom    *g = job->g;                                                                   \
    gint64             p0, p1, HW = g->H * g->W;                                                     \
    Max2x2GradRow##sfx grad_row = max2x2_grad_row_for_##sfx ();                                      \
    gboolean           tiles = g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->ph == 0 && \
                     g->pw == 0 && 2 * g->OH <= g->H && 2 * g->OW <= g->W;                           \
    _lt_cpu_split (g->planes, tid, np, &p0, &p1);                                                    \
    for (gint64 pl = p0; pl < p1; pl++)                                                              \
      {                                                                                              \
        const T      *dy = (const T *) job->src + pl * g->OH * g->OW;                                \
        const gint64 *ix = job->indices + pl * g->OH * g->OW;                                        \
        T            *dx = (T *) job->dst + pl * HW;                                                 \
        if (!tiles)                                                                                  \
          {                                                                                          \
            memset (dx, 0, HW * sizeof (T));                                                         \
            for (gint64 q = 0; q < g->OH * g->OW; q++)                                               \
              {                                                                                      \
                if (ix[q] < 0 || ix[q] >= HW)                                                        \
                  {                                                                                  \
                    g_atomic_int_set (&job->bad_index, 1);                                           \
                    continue;                                                                        \
                  }                                                                                  \
                dx[ix[q]] += dy[q];                                                                  \
              }                                                                                      \
            continue;                                                                                \
          }                                                                                          \
        for (gint64 oh = 0; oh < g->OH; oh++)                                                        \
          {                                                                                          \
            T *r0 = dx + 2 * oh * g->W, *r1 = r0 + g->W;                                             \
            if (!grad_row (dy + oh * g->OW, ix + oh * g->OW, r0, r1, g->OW, g->W, 2 * oh * g->W))    \
              g_atomic_int_set (&job->bad_index, 1);                                                 \
            for (gint64 iw = 2 * g->OW; iw < g->W; iw++)                                             \
              r0[iw] = r1[iw] = 0;                                                                   \
          }                                                                                          \
        if (2 * g->OH < g->H)                                                                        \
          memset (dx + 2 * g->OH * g->W, 0, (g->H - 2 * g->OH) * g->W * sizeof (T));                 \
      }                                                                                              \
  }                                                                                                  \
                                                                                                     \
  static void avg_part_##sfx (int tid, int np, gpointer data)                                        \
  {                                                                                                  \
    const PoolJob  *job = data;                                                                      \
    const PoolGeom *g = job->g;                                                                      \
    gint64          p0, p1;                                                                          \
    _lt_cpu_split (g->planes, tid, np, &p0, &p1);                                                    \
    for (gint64 pl = p0; pl < p1; pl++)                                                              \
      {                                                                                              \
        const T *x = (const T *) job->src + pl * g->H * g->W;                                        \
        T       *y = (T *) job->dst + pl * g->OH * g->OW;                                            \
        for (gint64 oh = 0; oh < g->OH; oh++)                                                        \
          {                                                                                          \
            gint64 ih0, ih1, hs = avg_span (g, TRUE, oh, &ih0, &ih1);                                \
            for (gint64 ow = 0; ow < g->OW; ow++)                                                    \
              {                                                                                      \
                gint64 iw0, iw1, ws = avg_span (g, FALSE, ow, &iw0, &iw1);                           \
                gint64 div = avg_divisor (g, hs, ws, ih1 - ih0, iw1 - iw0);                          \
                double sum = 0;                                                                      \
                if (ih0 >= ih1 || iw0 >= iw1)                                                        \
                  {                                                                                  \
                    y[oh * g->OW + ow] = 0;                                                          \
                    continue;                                                                        \
                  }                                                                                  \
                for (gint64 ih = ih0; ih < ih1; ih++)                                                \
                  for (gint64 iw = iw0; iw < iw1; iw++)                                              \
                    sum += x[ih * g->W + iw];                                                        \
                y[oh * g->OW + ow] = (T) (sum / (double) div);                                       \
              }                                                                                      \
          }                                                                                          \
      }                                                                                              \
  }                                                                                                  \
                                                                                                     \
  static void avg_grad_part_##sfx (int tid, int np, gpointer data)                                   \
  {                                                                                                  \
    const PoolJob  *job = data;                                                                      \
    const PoolGeom *g = job->g;                                                                      \
    gint64          p0, p1;                                                                          \
    _lt_cpu_split (g->planes, tid, np, &p0, &p1);                                                    \
    for (gint64 pl = p0; pl < p1; pl++)                                                              \
      {                                                                                              \
        const T *dy = (const T *) job->src + pl * g->OH * g->OW;                                     \
        T       *dx = (T *) job->dst + pl * g->H * g->W;                                             \
        memset (dx, 0, g->H * g->W * sizeof (T));                                                    \
        for (gint64 oh = 0; oh < g->OH; oh++)                                                        \
          {                                                                                          \
            gint64 ih0, ih1, hs = avg_span (g, TRUE, oh, &ih0, &ih1);                                \
            for (gint64 ow = 0; ow < g->OW; ow++)                                                    \
              {                                                                                      \
                gint64 iw0, iw1, ws = avg_span (g, FALSE, ow, &iw0, &iw1);                           \
                gint64 div = avg_divisor (g, hs, ws, ih1 - ih0, iw1 - iw0);                          \
                T      v = (T) (dy[oh * g->OW + ow] / (double) div);                                 \
                for (gint64 ih = ih0; ih < ih1; ih++)                                                \
                  for (gint64 iw = iw0; iw < iw1; iw++)                                              \
                    dx[ih * g->W + iw] += v;                                                         \
              }                                                                                      \
          }                                                                                          \
      }                                                                                              \
  }

DEFINE_POOL (float, guint32, f32)
DEFINE_POOL (double, guint64, f64)

gboolean
_lt_cpu_pooling (const LtKernelArgs *args, GError **error)
{
  const LtPoolParams *p = &args->params->pool;
  gboolean backward = args->op == LT_OP_MAX_POOL2D_GRAD || args->op == LT_OP_AVG_POOL2D_GRAD ||
                      args->op == LT_OP_ADAPTIVE_AVG_POOL2D_GRAD;
  /* forward: x = in[0], y = out; backward: dy = in[0], dx = out */
  LtTensor         *x = backward ? args->out : args->in[0];
  LtTensor         *y = backward ? args->in[0] : args->out;
  gboolean          f32 = args->out->dtype == LT_DTYPE_FLOAT32;
  int               nt = _lt_cpu_get_num_threads ();
  guint             nd = x->ndim;
  PoolGeom          g;
  PoolJob           job;
  LtCpuParallelFunc func;
  gint64            work;

  if (args->out->dtype != LT_DTYPE_FLOAT32 && args->out->dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend supports float32 and float64 only",
                   _lt_op_table[args->op].name);
      return FALSE;
    }
  g.H = x->shape[nd - 2];
  g.W = x->shape[nd - 1];
  g.OH = y->shape[nd - 2];
  g.OW = y->shape[nd - 1];
  g.planes = g.H * g.W > 0 ? x->numel / (g.H * g.W) : 0;
  g.kh = p->kernel[0];
  g.kw = p->kernel[1];
  g.sh = p->stride[0];
  g.sw = p->stride[1];
  g.ph = p->padding[0];
  g.pw = p->padding[1];
  g.dh = p->dilation[0];
  g.dw = p->dilation[1];
  g.adaptive = args->op == LT_OP_ADAPTIVE_AVG_POOL2D || args->op == LT_OP_ADAPTIVE_AVG_POOL2D_GRAD;
  g.count_include_pad = p->count_include_pad;
  g.divisor = g.adaptive ? 0 : p->divisor_override;
  if (g.planes == 0 || x->numel == 0)
    return TRUE;
  if (g.OH * g.OW == 0)
    {
      /* an adaptive pool to nothing: the gradient is zero */
      if (backward)
        memset (_lt_tensor_data (x), 0, x->numel * _lt_dtype_size (x->dtype));
      return TRUE;
    }

  switch (args->op)
    {
      case LT_OP_MAX_POOL2D:
        func = f32 ? max_part_f32 : max_part_f64;
        break;
      case LT_OP_MAX_POOL2D_GRAD:
        func = f32 ? max_grad_part_f32 : max_grad_part_f64;
        break;
      case LT_OP_AVG_POOL2D:
      case LT_OP_ADAPTIVE_AVG_POOL2D:
        func = f32 ? avg_part_f32 : avg_part_f64;
        break;
      case LT_OP_AVG_POOL2D_GRAD:
      case LT_OP_ADAPTIVE_AVG_POOL2D_GRAD:
        func = f32 ? avg_grad_part_f32 : avg_grad_part_f64;
        break;
      default:
        g_assert_not_reached ();
    }
  job.g = &g;
  job.src = _lt_tensor_data (args->in[0]);
  job.dst = _lt_tensor_data (args->out);
  job.indices = args->indices ? _lt_tensor_data (args->indices) : NULL;
  if (args->op == LT_OP_MAX_POOL2D_GRAD)
    job.indices = _lt_tensor_data (args->in[1]);
  job.bad_index = 0;
  work = MAX (x->numel, y->numel);
  if (nt > 1 && work >= 2 * LT_CPU_GRAIN && g.planes > 1)
    _lt_cpu_parallel (
      (int) MIN (MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD, g.planes), work / LT_CPU_GRAIN), func,
      &job);
  else
    func (0, 1, &job);
  if (job.bad_index)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: an index is outside its %" G_GINT64_FORMAT " x %" G_GINT64_FORMAT
                   " plane (were the indices changed?)",
                   _lt_op_table[args->op].name, g.H, g.W);
      return FALSE;
    }
  return TRUE;
}
