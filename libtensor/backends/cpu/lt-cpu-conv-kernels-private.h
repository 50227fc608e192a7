/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the convolution kernels (lt-cpu-conv.c, lt-cpu-conv-winograd.c)
 * share: vector loads and stores, GCC's shuffles, and the small product
 *
 *   gemm_nn: C[coff[m] + j] = init[m] + sum_k A[m ars + k acs] B[boff[k] + j]
 *            for m < M, j < N; N a multiple of the vector length
 *   gemm_nn_cols: the same with A[m ars + aoff[k]] and no init
 *   gemm_nn_acc: C[coff[m] + j] += sum_k A[m ars + k acs] B[boff[k] + j]
 *            (the sum starts from C's value and takes the products in
 *            the order of k)
 *
 * in register blocks of MR rows by 2 vectors (12 independent sums, enough
 * to hide the multiply-add latency; the edges take the same code with
 * fewer rows or vectors). DEFINE_GEMM_NN (T, V_T, sfx, VB, ATTR) makes
 * nn_block_<sfx>, gemm_nn_<sfx>, gemm_nn_acc_<sfx> and gemm_nn_cols_<sfx>
 * for the element type T and its vector type V_T of VB bytes, compiled
 * with the target attributes ATTR; each file instantiates it once per
 * instruction set.
 */

/* Two vectors shuffled by a vector of indices: GCC's __builtin_shuffle.
 * Clang has no form with indices known only at run time; built with clang
 * the vector paths that need it are skipped and scalar loops do the work. */
#if defined(__GNUC__) && !defined(__clang__)
#define CONV_HAVE_SHUFFLE 1
#define V_SHUFFLE2(a, b, m) __builtin_shuffle (a, b, m)
#else
#define CONV_HAVE_SHUFFLE 0
#define V_SHUFFLE2(a, b, m) ((void) (b), (void) (m), (a))
#endif

/* Indices for V_SHUFFLE2 over two vectors of @vl lanes: @even and @odd
 * take their even and their odd lanes (a stride-2 row split into its two
 * column phases); @lo and @hi interleave them, lanes 0 .. vl / 2 - 1 of
 * each alternately and then the rest (two phases merged back into a row) */
#define CONV_SPLIT_INDICES(even, odd, vl)                                                          \
  for (int l_ = 0; l_ < (vl); l_++)                                                                \
    {                                                                                              \
      (even)[l_] = 2 * l_;                                                                         \
      (odd)[l_] = 2 * l_ + 1;                                                                      \
    }
#define CONV_MERGE_INDICES(lo, hi, vl)                                                             \
  for (int l_ = 0; l_ < (vl); l_++)                                                                \
    {                                                                                              \
      (lo)[l_] = l_ % 2 ? (vl) + l_ / 2 : l_ / 2;                                                  \
      (hi)[l_] = l_ % 2 ? (vl) + (vl) / 2 + l_ / 2 : (vl) / 2 + l_ / 2;                            \
    }

#define V_LOAD(p) (*(const V *) (p))
#define V_STORE(p, v) (*(V *) (p) = (v))
#define MR 6

#define NN_CASE(sfx, mr, nv)                                                                       \
  case (mr) * 2 + (nv) - 1:                                                                        \
    nn_block_##sfx (mr, nv, K, Am, ars, acs, aoff, B + j, boff, C + j, cm, im, accum);             \
    break

#define DEFINE_GEMM_NN(T, V_T, sfx, VB, ATTR)                                                      \
  ATTR static inline __attribute__ ((always_inline)) void nn_block_##sfx (                         \
    const int mr, const int nv, gint64 K, const T *A, gint64 ars, gint64 acs, const gint64 *aoff,  \
    const T *B, const gint64 *boff, T *C, const gint64 *coff, const T *init, const gboolean accum) \
  {                                                                                                \
    typedef V_T V;                                                                                 \
    const int   vl = VB / sizeof (T);                                                              \
    V           acc[MR][2];                                                                        \
    for (int r = 0; r < mr; r++)                                                                   \
      for (int v = 0; v < nv; v++)                                                                 \
        {                                                                                          \
          if (accum)                                                                               \
            acc[r][v] = V_LOAD (C + coff[r] + v * vl);                                             \
          else                                                                                     \
            acc[r][v] = (V){} + (init ? init[r] : (T) 0);                                          \
        }                                                                                          \
    for (gint64 k = 0; k < K; k++)                                                                 \
      {                                                                                            \
        const T *b = B + boff[k];                                                                  \
        V        b0 = V_LOAD (b), b1 = nv > 1 ? V_LOAD (b + vl) : b0;                              \
        for (int r = 0; r < mr; r++)                                                               \
          {                                                                                        \
            T a = A[r * ars + (aoff ? aoff[k] : k * acs)];                                         \
            acc[r][0] += a * b0;                                                                   \
            if (nv > 1)                                                                            \
              acc[r][1] += a * b1;                                                                 \
          }                                                                                        \
      }                                                                                            \
    for (int r = 0; r < mr; r++)                                                                   \
      for (int v = 0; v < nv; v++)                                                                 \
        V_STORE (C + coff[r] + v * vl, acc[r][v]);                                                 \
  }                                                                                                \
                                                                                                   \
  ATTR static inline __attribute__ ((always_inline)) void gemm_nn_run_##sfx (                      \
    gint64 M, gint64 N, gint64 K, const T *A, gint64 ars, gint64 acs, const gint64 *aoff,          \
    const T *B, const gint64 *boff, T *C, const gint64 *coff, const T *init, const gboolean accum) \
  {                                                                                                \
    const int vl = VB / sizeof (T);                                                                \
    for (gint64 m = 0; m < M; m += MR)                                                             \
      {                                                                                            \
        const T      *Am = A + m * ars, *im = init ? init + m : NULL;                              \
        const gint64 *cm = coff + m;                                                               \
        int           mr = (int) MIN (MR, M - m);                                                  \
        for (gint64 j = 0; j < N; j += 2 * vl)                                                     \
          switch (mr * 2 + (j + 2 * vl <= N ? 2 : 1) - 1)                                          \
            {                                                                                      \
              NN_CASE (sfx, 6, 2);                                                                 \
              NN_CASE (sfx, 6, 1);                                                                 \
              NN_CASE (sfx, 5, 2);                                                                 \
              NN_CASE (sfx, 5, 1);                                                                 \
              NN_CASE (sfx, 4, 2);                                                                 \
              NN_CASE (sfx, 4, 1);                                                                 \
              NN_CASE (sfx, 3, 2);                                                                 \
              NN_CASE (sfx, 3, 1);                                                                 \
              NN_CASE (sfx, 2, 2);                                                                 \
              NN_CASE (sfx, 2, 1);                                                                 \
              NN_CASE (sfx, 1, 2);                                                                 \
              default:                                                                             \
                nn_block_##sfx (1, 1, K, Am, ars, acs, aoff, B + j, boff, C + j, cm, im, accum);   \
            }                                                                                      \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  ATTR static void gemm_nn_##sfx (gint64 M, gint64 N, gint64 K, const T *A, gint64 ars,            \
                                  gint64 acs, const T *B, const gint64 *boff, T *C,                \
                                  const gint64 *coff, const T *init)                               \
  {                                                                                                \
    gemm_nn_run_##sfx (M, N, K, A, ars, acs, NULL, B, boff, C, coff, init, FALSE);                 \
  }                                                                                                \
                                                                                                   \
  /* gemm_nn that adds the products to C */                                                        \
  ATTR static __attribute__ ((unused)) void gemm_nn_acc_##sfx (                                    \
    gint64 M, gint64 N, gint64 K, const T *A, gint64 ars, gint64 acs, const T *B,                  \
    const gint64 *boff, T *C, const gint64 *coff)                                                  \
  {                                                                                                \
    gemm_nn_run_##sfx (M, N, K, A, ars, acs, NULL, B, boff, C, coff, NULL, TRUE);                  \
  }                                                                                                \
                                                                                                   \
  /* gemm_nn with A[m ars + aoff[k]]: A's columns at any offsets */                                \
  ATTR static __attribute__ ((unused)) void gemm_nn_cols_##sfx (                                   \
    gint64 M, gint64 N, gint64 K, const T *A, gint64 ars, const gint64 *aoff, const T *B,          \
    const gint64 *boff, T *C, const gint64 *coff)                                                  \
  {                                                                                                \
    gemm_nn_run_##sfx (M, N, K, A, ars, 0, aoff, B, boff, C, coff, NULL, FALSE);                   \
  }
