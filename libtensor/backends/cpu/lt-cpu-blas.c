/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <cblas.h>

#include "lt-cpu-private.h"

/*
 * Matrix products through OpenBLAS.
 *   mm:    out (M, N) = a (M, K) @ b (K, N)
 *   bmm:   out (B, M, N) = a (B, M, K) @ b (B, K, N)
 *   addmm: out (M, N) = beta * c + alpha * a @ b, c broadcast to (M, N)
 * out is contiguous; a and b have a unit stride in one of their two last
 * dims (the front end copies them otherwise), which becomes BLAS's
 * transpose flag. Integer types use a plain triple loop.
 */

typedef struct
{
  gboolean trans;
  gint64 ld;
} MatLayout;

static MatLayout
mat_layout (gint64 rows, gint64 cols, gint64 s0, gint64 s1)
{
  MatLayout m;

  if (s1 == 1 || cols <= 1)
    {
      m.trans = FALSE;
      m.ld = MAX (MAX (s0, cols), 1);
      if (rows <= 1)
        m.ld = MAX (cols, 1);
    }
  else
    {
      m.trans = TRUE;
      m.ld = MAX (MAX (s1, rows), 1);
      if (cols <= 1)
        m.ld = MAX (rows, 1);
    }
  return m;
}

/* c = beta c + alpha a b; with beta 0, c is not read (it may be
 * uninitialised, as BLAS allows). */
#define DEFINE_INT_GEMM(T, sfx)                                                                    \
  static void gemm_##sfx (gint64 M, gint64 N, gint64 K, const T *a, gint64 as0, gint64 as1,        \
                          const T *b, gint64 bs0, gint64 bs1, T *c, double alpha, double beta)     \
  {                                                                                                \
    for (gint64 i = 0; i < M; i++)                                                                 \
      for (gint64 j = 0; j < N; j++)                                                               \
        {                                                                                          \
          guint64 acc = 0;                                                                         \
          gint64  scaled = beta == 0 ? 0 : (gint64) (beta * (double) c[i * N + j]);                \
          for (gint64 k = 0; k < K; k++)                                                           \
            acc +=                                                                                 \
              (guint64) (gint64) a[i * as0 + k * as1] * (guint64) (gint64) b[k * bs0 + j * bs1];   \
          c[i * N + j] = (T) (scaled + (gint64) alpha * (gint64) acc);                             \
        }                                                                                          \
  }

DEFINE_INT_GEMM (gint64, i64)
DEFINE_INT_GEMM (gint32, i32)
DEFINE_INT_GEMM (gint16, i16)
DEFINE_INT_GEMM (gint8, i8)
DEFINE_INT_GEMM (guint8, u8)

/*
 * Small float32 products on kernels of our own, for where OpenBLAS is
 * slower: on CPUs that Debian's OpenBLAS 0.3.21 does not know it runs its
 * Prescott (SSE3) kernels, and for the products of a small network's
 * linear layers (a few rows of 84 to 400) its packing costs as much as the
 * arithmetic (which side runs, and why: small_gemm_wins () below). These
 * kernels read the operands in place, in one of two forms chosen by
 * layout:
 *
 * - rows (B with a unit stride along N, A in any layout):
 *   C[i, j..] += A[i, k] * B[k, j..], register blocks of MR rows by NV
 *   vectors, A's element broadcast; the forward of x @ W^T has no such B,
 *   its backward (g @ W, g^T @ x) does
 * - dots (A and B with a unit stride along K, as x and W^T of a linear
 *   layer's forward): C[i, j] = sum_k A[i, k] B^T[j, k], blocks of MR_DOT
 *   rows of A by NR_DOT columns of B, vectors along K, lanes added at the
 *   end
 *
 * The last vector of a row or of a dot is loaded and stored with a mask, so
 * nothing is read or written past the operands. B (K x N) must stay in the
 * L2 cache while the rows go by: larger products, float64, CPUs without
 * AVX2 and A and B both stored column by column go to BLAS. So does an A
 * stored column by column (a transposed gradient, as in a weight's
 * gradient g^T x) larger than B's bound: the rows kernel reads MR of its
 * elements from each cache line it touches where BLAS packs A once. Rows
 * are split across the backend's pool when the product is large enough.
 * Where OpenBLAS runs kernels for AVX2 or AVX-512, a narrower rule keeps
 * only some of these products (below).
 */

/* B at most this many elements (1 MiB of float32) */
#define SMALL_MAX_B (256 * 1024)
/* Below this many multiply-adds the pool is not worth waking */
#define SMALL_PARALLEL_FMAS (1 << 18)

typedef struct
{
  gint64 M, N, K;
  const float *a, *b;
  gint64 as0, as1, bs0, bs1;
  float *c;
  float alpha, beta;
  gboolean dots;
} SmallGemm;

typedef void (*SmallGemmRows) (const SmallGemm *g, gint64 m0, gint64 m1);

#ifdef LT_CPU_X86_ISAS
#include <immintrin.h>

/* The primitives of each instruction set: V, its length VL, a mask of the
 * first n lanes, loads and stores (masked), multiply-add, broadcast, the
 * sum of the lanes. */

#define ATTR_AVX512 __attribute__ ((target ("avx512f,avx512vl,fma")))
#define ATTR_AVX2 __attribute__ ((target ("avx2,fma")))
#define INLINE static inline __attribute__ ((always_inline))

typedef __m512 V_avx512;
typedef __mmask16 M_avx512;
#define VL_avx512 16
ATTR_AVX512 INLINE M_avx512
mask_avx512 (gint64 n)
{
  return (M_avx512) ((1u << n) - 1);
}
ATTR_AVX512 INLINE V_avx512
zero_avx512 (void)
{
  return _mm512_setzero_ps ();
}
ATTR_AVX512 INLINE V_avx512
set1_avx512 (float x)
{
  return _mm512_set1_ps (x);
}
ATTR_AVX512 INLINE V_avx512
load_avx512 (const float *p)
{
  return _mm512_loadu_ps (p);
}
ATTR_AVX512 INLINE V_avx512
mload_avx512 (M_avx512 m, const float *p)
{
  return _mm512_maskz_loadu_ps (m, p);
}
ATTR_AVX512 INLINE void
store_avx512 (float *p, V_avx512 v)
{
  _mm512_storeu_ps (p, v);
}
ATTR_AVX512 INLINE void
mstore_avx512 (float *p, M_avx512 m, V_avx512 v)
{
  _mm512_mask_storeu_ps (p, m, v);
}
ATTR_AVX512 INLINE V_avx512
fma_avx512 (V_avx512 a, V_avx512 b, V_avx512 c)
{
  return _mm512_fmadd_ps (a, b, c);
}
ATTR_AVX512 INLINE V_avx512
mul_avx512 (V_avx512 a, V_avx512 b)
{
  return _mm512_mul_ps (a, b);
}

typedef __m256 V_avx2;
typedef __m256i M_avx2;
#define VL_avx2 8
ATTR_AVX2 INLINE M_avx2
mask_avx2 (gint64 n)
{
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) n),
                             _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}
ATTR_AVX2 INLINE V_avx2
zero_avx2 (void)
{
  return _mm256_setzero_ps ();
}
ATTR_AVX2 INLINE V_avx2
set1_avx2 (float x)
{
  return _mm256_set1_ps (x);
}
ATTR_AVX2 INLINE V_avx2
load_avx2 (const float *p)
{
  return _mm256_loadu_ps (p);
}
ATTR_AVX2 INLINE V_avx2
mload_avx2 (M_avx2 m, const float *p)
{
  return _mm256_maskload_ps (p, m);
}
ATTR_AVX2 INLINE void
store_avx2 (float *p, V_avx2 v)
{
  _mm256_storeu_ps (p, v);
}
ATTR_AVX2 INLINE void
mstore_avx2 (float *p, M_avx2 m, V_avx2 v)
{
  _mm256_maskstore_ps (p, m, v);
}
ATTR_AVX2 INLINE V_avx2
fma_avx2 (V_avx2 a, V_avx2 b, V_avx2 c)
{
  return _mm256_fmadd_ps (a, b, c);
}
ATTR_AVX2 INLINE V_avx2
mul_avx2 (V_avx2 a, V_avx2 b)
{
  return _mm256_mul_ps (a, b);
}
ATTR_AVX2 INLINE float
hsum_avx2 (V_avx2 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));

  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

ATTR_AVX512 INLINE float
hsum_avx512 (V_avx512 v)
{
  /* the two halves added, then as AVX2 (GCC's vector shuffles: the
   * intrinsics' _mm512_undefined_ps trips GCC 12's uninitialised-use
   * warning) */
  typedef float v16 __attribute__ ((vector_size (64)));
  typedef float v8 __attribute__ ((vector_size (32)));
  v16 x = (v16) v;
  v8 lo = __builtin_shufflevector (x, x, 0, 1, 2, 3, 4, 5, 6, 7);
  v8 hi = __builtin_shufflevector (x, x, 8, 9, 10, 11, 12, 13, 14, 15);

  return hsum_avx2 ((V_avx2) (lo + hi));
}

/* C block <- alpha acc (+ beta C); the last vector of a row masked */
#define STORE_ROW(isa, c, acc, nv, last, alpha, beta)                                    \
  for (int v__ = 0; v__ < (nv); v__++)                                                   \
    {                                                                                    \
      V_##isa res__ = mul_##isa ((acc)[v__], set1_##isa (alpha));                        \
      if (v__ < (nv) - 1)                                                                \
        {                                                                                \
          if ((beta) != 0)                                                               \
            res__ = fma_##isa (load_##isa ((c) + v__ * VL_##isa), set1_##isa (beta), res__); \
          store_##isa ((c) + v__ * VL_##isa, res__);                                     \
        }                                                                                \
      else                                                                               \
        {                                                                                \
          if ((beta) != 0)                                                               \
            res__ = fma_##isa (mload_##isa (last, (c) + v__ * VL_##isa), set1_##isa (beta), \
                               res__);                                                   \
          mstore_##isa ((c) + v__ * VL_##isa, last, res__);                              \
        }                                                                                \
    }

#define NN_CASE(isa, mr, nv)                                                             \
  case (mr) * 8 + (nv):                                                                  \
    rows_block_##isa (mr, nv, g, i, j, last);                                            \
    break
#define DOT_CASE(isa, mr, nr)                                                            \
  case (mr) * 8 + (nr):                                                                  \
    dots_block_##isa (mr, nr, g, i, j, full, last);                                      \
    break

#define DEFINE_SMALL_GEMM(isa, ATTR, MR, NV, MR_DOT, NR_DOT, NN_CASES, DOT_CASES)         \
  ATTR INLINE void                                                                       \
  rows_block_##isa (const int mr, const int nv, const SmallGemm *g, gint64 i, gint64 j,  \
                    M_##isa last)                                                        \
  {                                                                                      \
    V_##isa acc[MR][NV];                                                                 \
    const float *A = g->a + i * g->as0, *B = g->b + j;                                   \
    for (int r = 0; r < mr; r++)                                                         \
      for (int v = 0; v < nv; v++)                                                       \
        acc[r][v] = zero_##isa ();                                                       \
    for (gint64 k = 0; k < g->K; k++)                                                    \
      {                                                                                  \
        const float *b = B + k * g->bs0;                                                 \
        V_##isa bv[NV];                                                                  \
        for (int v = 0; v < nv; v++)                                                     \
          bv[v] = v < nv - 1 ? load_##isa (b + v * VL_##isa)                             \
                             : mload_##isa (last, b + v * VL_##isa);                     \
        for (int r = 0; r < mr; r++)                                                     \
          {                                                                              \
            V_##isa av = set1_##isa (A[r * g->as0 + k * g->as1]);                        \
            for (int v = 0; v < nv; v++)                                                 \
              acc[r][v] = fma_##isa (av, bv[v], acc[r][v]);                              \
          }                                                                              \
      }                                                                                  \
    for (int r = 0; r < mr; r++)                                                         \
      {                                                                                  \
        float *c = g->c + (i + r) * g->N + j;                                            \
        STORE_ROW (isa, c, acc[r], nv, last, g->alpha, g->beta);                         \
      }                                                                                  \
  }                                                                                      \
                                                                                         \
  ATTR static void                                                                       \
  rows_##isa (const SmallGemm *g, gint64 m0, gint64 m1)                                  \
  {                                                                                      \
    const gint64 width = NV * VL_##isa;                                                  \
    for (gint64 j = 0; j < g->N; j += width)                                             \
      {                                                                                  \
        gint64 cols = MIN (width, g->N - j);                                             \
        int nv = (int) ((cols + VL_##isa - 1) / VL_##isa);                               \
        M_##isa last = mask_##isa (cols - (nv - 1) * VL_##isa);                          \
        for (gint64 i = m0; i < m1; i += MR)                                             \
          switch ((int) MIN (MR, m1 - i) * 8 + nv)                                       \
            {                                                                            \
              NN_CASES;                                                                  \
            default:                                                                     \
              g_assert_not_reached ();                                                   \
            }                                                                            \
      }                                                                                  \
  }                                                                                      \
                                                                                         \
  ATTR INLINE void                                                                       \
  dots_block_##isa (const int mr, const int nr, const SmallGemm *g, gint64 i, gint64 j,  \
                    gint64 full, M_##isa last)                                           \
  {                                                                                      \
    V_##isa acc[MR_DOT][NR_DOT];                                                         \
    const float *A = g->a + i * g->as0, *B = g->b + j * g->bs1;                          \
    gint64 k = 0;                                                                        \
    for (int r = 0; r < mr; r++)                                                         \
      for (int q = 0; q < nr; q++)                                                       \
        acc[r][q] = zero_##isa ();                                                       \
    for (; k < full; k += VL_##isa)                                                      \
      {                                                                                  \
        V_##isa bv[NR_DOT];                                                              \
        for (int q = 0; q < nr; q++)                                                     \
          bv[q] = load_##isa (B + q * g->bs1 + k);                                       \
        for (int r = 0; r < mr; r++)                                                     \
          {                                                                              \
            V_##isa av = load_##isa (A + r * g->as0 + k);                                \
            for (int q = 0; q < nr; q++)                                                 \
              acc[r][q] = fma_##isa (av, bv[q], acc[r][q]);                              \
          }                                                                              \
      }                                                                                  \
    if (k < g->K)                                                                        \
      {                                                                                  \
        V_##isa bv[NR_DOT];                                                              \
        for (int q = 0; q < nr; q++)                                                     \
          bv[q] = mload_##isa (last, B + q * g->bs1 + k);                                \
        for (int r = 0; r < mr; r++)                                                     \
          {                                                                              \
            V_##isa av = mload_##isa (last, A + r * g->as0 + k);                         \
            for (int q = 0; q < nr; q++)                                                 \
              acc[r][q] = fma_##isa (av, bv[q], acc[r][q]);                              \
          }                                                                              \
      }                                                                                  \
    for (int r = 0; r < mr; r++)                                                         \
      for (int q = 0; q < nr; q++)                                                       \
        {                                                                                \
          float *c = g->c + (i + r) * g->N + j + q;                                      \
          float v = g->alpha * hsum_##isa (acc[r][q]);                                   \
          *c = g->beta != 0 ? v + g->beta * *c : v;                                      \
        }                                                                                \
  }                                                                                      \
                                                                                         \
  ATTR static void                                                                       \
  dots_##isa (const SmallGemm *g, gint64 m0, gint64 m1)                                  \
  {                                                                                      \
    gint64 full = g->K / VL_##isa * VL_##isa;                                            \
    M_##isa last = mask_##isa (g->K - full);                                             \
    for (gint64 j = 0; j < g->N; j += NR_DOT)                                            \
      for (gint64 i = m0; i < m1; i += MR_DOT)                                           \
        switch ((int) MIN (MR_DOT, m1 - i) * 8 + (int) MIN (NR_DOT, g->N - j))           \
          {                                                                              \
            DOT_CASES;                                                                   \
          default:                                                                       \
            g_assert_not_reached ();                                                     \
          }                                                                              \
  }

/* AVX-512 (32 registers): rows 6 x 4 vectors (24 sums), dots 4 x 4 */
#define NN_CASES_avx512                                                                  \
  NN_CASE (avx512, 6, 4); NN_CASE (avx512, 6, 3); NN_CASE (avx512, 6, 2);                \
  NN_CASE (avx512, 6, 1); NN_CASE (avx512, 5, 4); NN_CASE (avx512, 5, 3);                \
  NN_CASE (avx512, 5, 2); NN_CASE (avx512, 5, 1); NN_CASE (avx512, 4, 4);                \
  NN_CASE (avx512, 4, 3); NN_CASE (avx512, 4, 2); NN_CASE (avx512, 4, 1);                \
  NN_CASE (avx512, 3, 4); NN_CASE (avx512, 3, 3); NN_CASE (avx512, 3, 2);                \
  NN_CASE (avx512, 3, 1); NN_CASE (avx512, 2, 4); NN_CASE (avx512, 2, 3);                \
  NN_CASE (avx512, 2, 2); NN_CASE (avx512, 2, 1); NN_CASE (avx512, 1, 4);                \
  NN_CASE (avx512, 1, 3); NN_CASE (avx512, 1, 2); NN_CASE (avx512, 1, 1)
#define DOT_CASES_avx512                                                                 \
  DOT_CASE (avx512, 4, 4); DOT_CASE (avx512, 4, 3); DOT_CASE (avx512, 4, 2);             \
  DOT_CASE (avx512, 4, 1); DOT_CASE (avx512, 3, 4); DOT_CASE (avx512, 3, 3);             \
  DOT_CASE (avx512, 3, 2); DOT_CASE (avx512, 3, 1); DOT_CASE (avx512, 2, 4);             \
  DOT_CASE (avx512, 2, 3); DOT_CASE (avx512, 2, 2); DOT_CASE (avx512, 2, 1);             \
  DOT_CASE (avx512, 1, 4); DOT_CASE (avx512, 1, 3); DOT_CASE (avx512, 1, 2);             \
  DOT_CASE (avx512, 1, 1)
DEFINE_SMALL_GEMM (avx512, ATTR_AVX512, 6, 4, 4, 4, NN_CASES_avx512, DOT_CASES_avx512)

/* AVX2 (16 registers): rows 6 x 2 vectors (12 sums), dots 2 x 4 */
#define NN_CASES_avx2                                                                    \
  NN_CASE (avx2, 6, 2); NN_CASE (avx2, 6, 1); NN_CASE (avx2, 5, 2);                      \
  NN_CASE (avx2, 5, 1); NN_CASE (avx2, 4, 2); NN_CASE (avx2, 4, 1);                      \
  NN_CASE (avx2, 3, 2); NN_CASE (avx2, 3, 1); NN_CASE (avx2, 2, 2);                      \
  NN_CASE (avx2, 2, 1); NN_CASE (avx2, 1, 2); NN_CASE (avx2, 1, 1)
#define DOT_CASES_avx2                                                                   \
  DOT_CASE (avx2, 2, 4); DOT_CASE (avx2, 2, 3); DOT_CASE (avx2, 2, 2);                   \
  DOT_CASE (avx2, 2, 1); DOT_CASE (avx2, 1, 4); DOT_CASE (avx2, 1, 3);                   \
  DOT_CASE (avx2, 1, 2); DOT_CASE (avx2, 1, 1)
DEFINE_SMALL_GEMM (avx2, ATTR_AVX2, 6, 2, 2, 4, NN_CASES_avx2, DOT_CASES_avx2)

#endif /* LT_CPU_X86_ISAS */

static void
small_gemm_part (int      tid,
                 int      n,
                 gpointer data)
{
  const SmallGemm *g = data;
  /* rows in whole register blocks of 6 (and of the dots' 4 and 2) */
  gint64 blocks = (g->M + 11) / 12, b0, b1;

  _lt_cpu_split (blocks, tid, n, &b0, &b1);
  b0 = MIN (g->M, b0 * 12);
  b1 = MIN (g->M, b1 * 12);
  if (b0 >= b1)
    return;
#ifdef LT_CPU_X86_ISAS
  if (_lt_cpu_isa () == LT_CPU_ISA_AVX512)
    (g->dots ? dots_avx512 : rows_avx512) (g, b0, b1);
  else
    (g->dots ? dots_avx2 : rows_avx2) (g, b0, b1);
#endif
}

/*
 * Which side runs a float32 product. Ours read the operands in place;
 * OpenBLAS packs them into panels first (B's K x N once per call, A's
 * rows in blocks), a pass over both that its faster kernels repay over
 * the product's other dimension: B's packing over the M rows. Which
 * kernels OpenBLAS runs on this CPU (openblas_get_corename ()) decides,
 * in three kinds, each measured with bench/bench-gemm (bench/README.md,
 * OPENBLAS_CORETYPE choosing OpenBLAS's kernels on one AVX-512 Xeon):
 *
 * - A generic or SSE core (the Prescott that Debian's 0.3.21 runs on CPUs
 *   it does not know, as on the AMD EPYC guest these kernels were written
 *   on): ours (AVX-512) ran the networks' products 1.3 to 4.2 times
 *   faster, so they take every product whose B stays in L2 (SMALL_MAX_B;
 *   an A stored column by column under the same bound).
 * - AVX2 (Haswell, Zen): OpenBLAS always packs. Our AVX2 kernels ran
 *   products of up to 8 rows at a median 1.8 times its speed (the
 *   forward of a linear layer at batch 4: 3.2), from 9 to 16 rows at
 *   1.0, from 24 rows up at 0.72: ours keep at most AVX2_MAX_M rows.
 * - AVX-512 (SkylakeX, Cooperlake, SapphireRapids): OpenBLAS 0.3.21 runs
 *   products of up to about a million multiply-adds on kernels that skip
 *   the packing, as fast as ours (ours: median 0.93 of its speed there),
 *   and packs above. Ours keep the rows form (B with a unit stride along
 *   N: a linear layer's gradients, g @ W and g^T @ x) from WIDE_MIN_FMAS
 *   to below WIDE_MAX_FMAS multiply-adds and with at least WIDE_MIN_N
 *   columns, where they ran at 0.92 to 3.4 times its speed (median 1.23;
 *   above, median 0.90; with one masked vector a row, 0.83). The dots
 *   form (x @ W^T, a linear layer's forward) adds its lanes for every
 *   element of C and ran at a median 0.79 of OpenBLAS's speed: it goes to
 *   OpenBLAS.
 *
 * LT_CPU_SMALL_GEMM=1 (or _lt_cpu_set_small_gemm (1)) sends every float32
 * product whose layout the kernels take to them, =0 sends all to OpenBLAS,
 * =l2 (2) applies the first rule whatever OpenBLAS runs (to compare the
 * rules on one machine); OPENBLAS_CORETYPE=Prescott (or Haswell) makes
 * OpenBLAS run those kernels instead of the CPU's own.
 */

/* AVX2 OpenBLAS cores: rows at most on ours */
#define AVX2_MAX_M 8
/* AVX-512 OpenBLAS cores: multiply-adds (from, below) and columns (at
 * least) of a product in the rows form on ours */
#define WIDE_MIN_FMAS (1 << 20)
#define WIDE_MAX_FMAS (1 << 23)
#define WIDE_MIN_N 32

typedef enum
{
  BLAS_GENERIC,
  BLAS_AVX2,
  BLAS_AVX512,
} BlasKind;

static int     small_mode = -2; /* -2: the environment not read yet */
static guint64 small_calls;

void
_lt_cpu_set_small_gemm (int mode)
{
  g_atomic_int_set (&small_mode, CLAMP (mode, -1, 2));
}

guint64
_lt_cpu_small_gemm_calls (void)
{
  return __atomic_load_n (&small_calls, __ATOMIC_RELAXED);
}

static int
small_gemm_mode (void)
{
  int mode = g_atomic_int_get (&small_mode);

  if (mode == -2)
    {
      const char *env = g_getenv ("LT_CPU_SMALL_GEMM");

      mode = env == NULL               ? -1
             : g_str_equal (env, "0")  ? 0
             : g_str_equal (env, "1")  ? 1
             : g_str_equal (env, "l2") ? 2
                                       : -1;
      g_atomic_int_set (&small_mode, mode);
    }
  return mode;
}

/* The kind of kernels OpenBLAS runs on this CPU */
static BlasKind
blas_kind (void)
{
  static gsize    once = 0;
  static BlasKind kind = BLAS_GENERIC;

  if (g_once_init_enter (&once))
    {
      static const struct
      {
        const char *core;
        BlasKind    kind;
      } cores[] = {
        { "haswell", BLAS_AVX2 },          { "zen", BLAS_AVX2 },
        { "skylakex", BLAS_AVX512 },       { "cooperlake", BLAS_AVX512 },
        { "sapphirerapids", BLAS_AVX512 },
      };
      const char *name = openblas_get_corename ();

      for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (cores); i++)
        if (g_ascii_strcasecmp (name, cores[i].core) == 0)
          kind = cores[i].kind;
      g_once_init_leave (&once, 1);
    }
  return kind;
}

/* Whether the rule above gives the product to our kernels; @generic: the
 * rule of generic cores whatever OpenBLAS runs */
static gboolean
small_gemm_wins (gint64   M,
                 gint64   N,
                 gint64   K,
                 gboolean dots,
                 gboolean a_by_columns,
                 gboolean generic)
{
  if (K * N > SMALL_MAX_B || (a_by_columns && K > 1 && M * K > SMALL_MAX_B))
    return FALSE;
  switch (generic ? BLAS_GENERIC : blas_kind ())
    {
      case BLAS_AVX2:
        return M <= AVX2_MAX_M;
      case BLAS_AVX512:
        /* (ours at half its width, under LT_CPU_ISA=avx2, never win) */
        return _lt_cpu_isa () == LT_CPU_ISA_AVX512 && !dots && N >= WIDE_MIN_N &&
               M * N * K >= WIDE_MIN_FMAS && M * N * K < WIDE_MAX_FMAS;
      default:
        return TRUE;
    }
}

/* C (M, N, row-major) = alpha A @ B + beta C on the kernels above, A[i, k]
 * at a[i as0 + k as1], B[k, j] at b[k bs0 + j bs1]; FALSE, touching
 * nothing, when the product is not theirs (see above). */
static gboolean
small_gemm_f32 (gint64 M, gint64 N, gint64 K,
                const float *a, gint64 as0, gint64 as1,
                const float *b, gint64 bs0, gint64 bs1,
                float *c, double alpha, double beta)
{
  SmallGemm g = { M, N, K, a, b, as0, as1, bs0, bs1, c, (float) alpha, (float) beta, FALSE };
  int nt = _lt_cpu_get_num_threads ();
  int       mode = small_gemm_mode ();

  if (_lt_cpu_isa () == LT_CPU_ISA_BASE || K <= 0 || mode == 0)
    return FALSE;
  if (bs1 == 1 || N == 1)
    g.dots = FALSE;
  else if ((bs0 == 1 || K == 1) && (as1 == 1 || K == 1))
    g.dots = TRUE;
  else
    return FALSE;
  if (mode != 1 && !small_gemm_wins (M, N, K, g.dots, !g.dots && as1 != 1, mode == 2))
    return FALSE;
  __atomic_fetch_add (&small_calls, 1, __ATOMIC_RELAXED);
  if (nt > 1 && M * N * K >= SMALL_PARALLEL_FMAS && M >= 24)
    _lt_cpu_parallel ((int) MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD, (M + 11) / 12),
                      small_gemm_part, &g);
  else
    small_gemm_part (0, 1, &g);
  return TRUE;
}

static void
gemm_one (LtDType dt, gint64 M, gint64 N, gint64 K,
          const char *a, gint64 as0, gint64 as1,
          const char *b, gint64 bs0, gint64 bs1,
          char *c, double alpha, double beta)
{
  if (M == 0 || N == 0)
    return;
  if (dt == LT_DTYPE_FLOAT32 || dt == LT_DTYPE_FLOAT64)
    {
      MatLayout la = mat_layout (M, K, as0, as1);
      MatLayout lb = mat_layout (K, N, bs0, bs1);

      if (K == 0)
        {
          /* BLAS leaves C alone for K = 0 only when beta = 1: scale by hand */
          for (gint64 i = 0; i < M * N; i++)
            {
              if (dt == LT_DTYPE_FLOAT32)
                ((float *) c)[i] = beta == 0 ? 0.0f : (float) (beta * ((float *) c)[i]);
              else
                ((double *) c)[i] = beta == 0 ? 0.0 : beta * ((double *) c)[i];
            }
          return;
        }
      if (dt == LT_DTYPE_FLOAT32 &&
          small_gemm_f32 (M, N, K, (const float *) a, as0, as1, (const float *) b, bs0, bs1,
                          (float *) c, alpha, beta))
        return;
      if (beta != 0)
        {
          /* C = alpha A @ B, rounded, plus beta C, as the small products
           * above and the CUDA backend round it: BLAS adds C into its sums
           * panel by panel, so addmm would not have the bits of mm then
           * add (a Linear layer fused with its ReLU relies on them) */
          gsize es = dt == LT_DTYPE_FLOAT32 ? sizeof (float) : sizeof (double);
          char *p = _lt_cpu_alloc ((gsize) (M * N) * es, NULL);

          if (p != NULL)
            {
              gemm_one (dt, M, N, K, a, as0, as1, b, bs0, bs1, p, alpha, 0.0);
              for (gint64 i = 0; i < M * N; i++)
                if (dt == LT_DTYPE_FLOAT32)
                  ((float *) c)[i] = ((float *) p)[i] + (float) beta * ((float *) c)[i];
                else
                  ((double *) c)[i] = ((double *) p)[i] + beta * ((double *) c)[i];
              _lt_cpu_free (p, (gsize) (M * N) * es);
              return;
            }
        }
      if (dt == LT_DTYPE_FLOAT32)
        cblas_sgemm (CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans,
                     lb.trans ? CblasTrans : CblasNoTrans, (int) M, (int) N, (int) K,
                     (float) alpha, (const float *) a, (int) la.ld, (const float *) b, (int) lb.ld,
                     (float) beta, (float *) c, (int) MAX (N, 1));
      else
        cblas_dgemm (CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans,
                     lb.trans ? CblasTrans : CblasNoTrans, (int) M, (int) N, (int) K,
                     alpha, (const double *) a, (int) la.ld, (const double *) b, (int) lb.ld,
                     beta, (double *) c, (int) MAX (N, 1));
      return;
    }
  switch (dt)
    {
    case LT_DTYPE_INT64:
      gemm_i64 (M, N, K, (const gint64 *) a, as0, as1, (const gint64 *) b, bs0, bs1, (gint64 *) c, alpha, beta);
      break;
    case LT_DTYPE_INT32:
      gemm_i32 (M, N, K, (const gint32 *) a, as0, as1, (const gint32 *) b, bs0, bs1, (gint32 *) c, alpha, beta);
      break;
    case LT_DTYPE_INT16:
      gemm_i16 (M, N, K, (const gint16 *) a, as0, as1, (const gint16 *) b, bs0, bs1, (gint16 *) c, alpha, beta);
      break;
    case LT_DTYPE_INT8:
      gemm_i8 (M, N, K, (const gint8 *) a, as0, as1, (const gint8 *) b, bs0, bs1, (gint8 *) c, alpha, beta);
      break;
    default:
      gemm_u8 (M, N, K, (const guint8 *) a, as0, as1, (const guint8 *) b, bs0, bs1, (guint8 *) c, alpha, beta);
      break;
    }
}

void
_lt_cpu_gemm_f32 (gint64       M,
                  gint64       N,
                  gint64       K,
                  const float *a,
                  gint64       as0,
                  gint64       as1,
                  const float *b,
                  gint64       bs0,
                  gint64       bs1,
                  float       *c,
                  double       alpha,
                  double       beta)
{
  gemm_one (LT_DTYPE_FLOAT32, M, N, K, (const char *) a, as0, as1, (const char *) b, bs0, bs1,
            (char *) c, alpha, beta);
}

gboolean
_lt_cpu_gemm (const LtKernelArgs *args,
              GError            **error)
{
  LtTensor *out = args->out;
  LtDType dt = out->dtype;
  gsize es = _lt_dtype_size (dt);

  if (dt == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend has no matrix product for bool tensors",
                   _lt_op_table[args->op].name);
      return FALSE;
    }

  if (args->op == LT_OP_BMM)
    {
      LtTensor *a = args->in[0], *b = args->in[1];
      gint64 B = a->shape[0], M = a->shape[1], K = a->shape[2], N = b->shape[2];

      for (gint64 i = 0; i < B; i++)
        gemm_one (dt, M, N, K,
                  (const char *) _lt_tensor_data (a) + i * a->strides[0] * es, a->strides[1], a->strides[2],
                  (const char *) _lt_tensor_data (b) + i * b->strides[0] * es, b->strides[1], b->strides[2],
                  (char *) _lt_tensor_data (out) + i * M * N * es, 1.0, 0.0);
      return TRUE;
    }
  else
    {
      guint ai = args->op == LT_OP_ADDMM ? 1 : 0;
      LtTensor *a = args->in[ai], *b = args->in[ai + 1];
      gint64 M = a->shape[0], K = a->shape[1], N = b->shape[1];
      double alpha = 1.0, beta = 0.0;

      if (args->op == LT_OP_ADDMM)
        {
          LtKernelArgs copy = {
            .op = LT_OP_STRIDED_COPY, .out = out, .in = { args->in[0] }, .n_in = 1
          };

          alpha = args->params->gemm.alpha;
          beta = args->params->gemm.beta;
          if (beta != 0)
            _lt_cpu_copy (&copy, NULL);
          else
            beta = 0.0;
        }
      gemm_one (dt, M, N, K,
                _lt_tensor_data (a), a->strides[0], a->strides[1],
                _lt_tensor_data (b), b->strides[0], b->strides[1],
                _lt_tensor_data (out), alpha, beta);
      return TRUE;
    }
}
