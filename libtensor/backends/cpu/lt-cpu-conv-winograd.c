/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lt-cpu-private.h"
#include "lt-cpu-conv-kernels-private.h"

/*
 * 3x3 conv2d at stride 1 (dilation 1, one group) by Winograd's minimal
 * filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2015): the forward, and the grad input,
 * which is the same convolution of dy with the flipped, channel-transposed
 * filter w'[c, o, i, j] = w[o, c, 2 - i, 2 - j] and padding 2 - p; the
 * grad weight by the same transforms turned around (see
 * winograd_grad_weight ()).
 *
 * The output is cut into tiles of 2 x 2; tile (th, tw) reads the 4 x 4
 * patch d of the zero-padded input at (2 th - pH, 2 tw - pW). With
 *
 *   B^T = | 1  0 -1  0 |   G = | 1    0    0   |   A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |       | 1/2  1/2  1/2 |         | 0  1 -1 -1 |
 *         | 0 -1  1  0 |       | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |       | 0    0    1   |
 *
 *   U[e, o, c] = (G w[o, c] G^T)[e]     the filter, once per call
 *   V[e, c, t] = (B^T d[c, t] B)[e]     the input, per tile t
 *   M[e, o, t] = sum_c U[e, o, c] V[e, c, t]   16 products (e = 4 a + b)
 *   y[o, t]    = A^T M[., o, t] A        2 x 2 outputs (+ the bias)
 *
 * 16 multiplies per 4 outputs and input channel instead of 36: the
 * products do 4 O C multiply-adds per output pixel instead of 9 O C. The
 * transforms only add and subtract, 2 (C + O) vector passes or so per
 * pixel, plus the memory traffic of V and M (16 values per tile and
 * channel, 4 per pixel).
 *
 * Work comes in blocks of whole rows of tiles (across images: the tiles of
 * small images are batched), sized so that one product's V[e] (C by the
 * block's columns) stays in the L1 cache (WINO_PANEL_BYTES); the tiles of a
 * block lie side by side along the columns, TW to a row of tiles, and a
 * product is the register-blocked vector kernel of lt-cpu-conv.c (6 rows
 * by 2 vectors, compiled for AVX-512, AVX2 + FMA and the baseline). The
 * transforms run along those rows with vectors over tw: each padded input
 * row is split into its even and odd columns once, so that the patch
 * columns 2 tw .. 2 tw + 3 are the vectors E[tw], O[tw], E[tw + 1],
 * O[tw + 1]. Rows of fewer tiles than a vector has lanes (8 x 8 and
 * 16 x 16 images, for 16 floats) would leave most lanes empty: there the
 * vectors run over the tiles of several rows at once (wg_input_flat (),
 * wg_output_flat ()), the same arithmetic lane for lane. The blocks are split over the pool; every
 * output value is the same arithmetic whatever the block it falls in (the products' columns are
 * independent, the transforms add exactly the same values), so the result does not depend on the
 * thread count. Each part has its scratch (V, M, the split rows) for the call; nothing is allocated
 * per image.
 *
 * Accuracy: the transformed values are sums of up to 16 inputs (V) and
 * 9 weights times 1/4 (U), and each output adds 9 of the products back, so
 * the rounding error of a float32 output is a few times that of the direct
 * sum (the bound grows with the transforms' norms, about 4 x 2.25 x 4);
 * the tests allow for it (tests/c/test-conv-winograd.c).
 *
 * When it is used: see winograd_wins () and winograd_gw_wins ().
 */

/* The widest vector, in bytes; buffers are padded to it */
#define WINO_VEC_BYTES 64
/* One transformed product's V[e] (channels by columns) in this many bytes:
 * it is read once per 6 output channels, from the L1 cache */
#define WINO_PANEL_BYTES (16 * 1024)
/* ... but the blocks have at least this many columns (of tiles) and at most
 * this many */
#define WINO_MIN_COLUMNS 64
#define WINO_MAX_COLUMNS 512
/* Below this many multiply-adds (of the direct sum) the pool is not worth
 * waking */
#define WINO_PARALLEL_FMAS (1 << 18)
/* The grad weight sums its blocks in at most this many groups, each into
 * 16 Ci Co values of its own, all of them within this many bytes */
#define WINO_GW_SUMS 16
#define WINO_GW_SUM_BYTES (16 << 20)
/* dy's transform goes through this many tiles at a time */
#define WINO_DY_TILES 8

typedef struct _WinoJob WinoJob;

/* The transforms of the rows of tiles r0 .. r0 + nr: into V (rb: scratch
 * for the split input rows), and from M into y (tmp: 4 half-rows) */
typedef void (*WinoIn) (const WinoJob *g, void *Vb, void *rb, gint64 r0, gint64 nr);
typedef void (*WinoOut) (const WinoJob *g, const void *Mb, void *tmp, gint64 r0, gint64 nr);

struct _WinoJob
{
  gint64 N, Ci, Co; /* the convolution as run: in and out channels */
  gint64 Hi, Wi, Ho, Wo;
  gint64 ph, pw;
  gint64 TH, TW; /* tiles per image: rows, columns */
  gint64 rpb;    /* rows of tiles per block */
  gint64 nblocks;
  gint64 Tps;   /* columns of a row of V and M */
  gint64 Ew;    /* length of an even or odd half-row */
  gint64 plen;  /* the flat transforms: length of an array P[parity][k] */
  gint64 rblen; /* the split rows' scratch (rb), in values */
  gint64 vmax;
  /* the grad weight: Co rounded up to vmax (the columns of its products),
   * the sums (nsums of them, 16 Ci Cop values each) and the offsets of the
   * rows of dy's transform (k Cop) and of the sums (m Cop) */
  gint64      Cop, nsums;
  gint64     *uoff, *soff;
  char       *sums;
  const void *dy;
  const void *x, *u, *b;
  gint64     *boff, *coff; /* row k of V, row m of M: k Tps, m Tps */
  void       *y;
  char       *scratch; /* per part: scratch_bytes each */
  gsize       scratch_bytes;
  WinoIn      input;
  WinoOut     output;
  gboolean    relu; /* forward: store relu (y) (LtConvParams.relu) */
};

static gint64
round_up (gint64 v, gint64 m)
{
  return (v + m - 1) / m * m;
}

#define DEFINE_WINO_XFORM(T, IT, sfx, VB, ATTR)                                                    \
  typedef T  wvec_##sfx __attribute__ ((vector_size (VB), aligned (sizeof (T)), may_alias));       \
  typedef IT ivec_##sfx __attribute__ ((vector_size (VB)));                                        \
  typedef T  hvec_##sfx __attribute__ ((vector_size (VB / 2), aligned (sizeof (T)), may_alias));   \
  typedef IT hivec_##sfx __attribute__ ((vector_size (VB / 2)));                                   \
                                                                                                   \
  /* E[k] = xp[2 k], O[k] = xp[2 k + 1] of the padded row xp[p] = xr[p - pw]                       \
   * (xr NULL: a row of padding) */                                                                \
  ATTR static void wg_split_row_##sfx (const WinoJob *g, const T *xr, T *E, T *O)                  \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    const gint64       Wi = g->Wi, pw = g->pw;                                                     \
    /* x[2 m] lands in A[m + sa], x[2 m + 1] in B[m + sb] */                                       \
    T     *A = pw % 2 ? O : E, *B = pw % 2 ? E : O;                                                \
    gint64 sa = pw / 2, sb = (pw + 1) / 2, m = 0;                                                  \
    memset (E, 0, 2 * g->Ew * sizeof (T));                                                         \
    if (xr == NULL)                                                                                \
      return;                                                                                      \
    if (CONV_HAVE_SHUFFLE)                                                                         \
      {                                                                                            \
        ivec_##sfx even, odd;                                                                      \
        CONV_SPLIT_INDICES (even, odd, vl);                                                        \
        for (; 2 * m + 2 * vl <= Wi; m += vl)                                                      \
          {                                                                                        \
            V a = V_LOAD (xr + 2 * m), b = V_LOAD (xr + 2 * m + vl);                               \
            V_STORE (A + sa + m, V_SHUFFLE2 (a, b, even));                                         \
            V_STORE (B + sb + m, V_SHUFFLE2 (a, b, odd));                                          \
          }                                                                                        \
      }                                                                                            \
    for (gint64 w = 2 * m; w < Wi; w++)                                                            \
      if (w % 2 == 0)                                                                              \
        A[w / 2 + sa] = xr[w];                                                                     \
      else                                                                                         \
        B[w / 2 + sb] = xr[w];                                                                     \
  }                                                                                                \
                                                                                                   \
  /* B^T d B of the patches whose columns are e0, o0, e1, o1 (a vector of                          \
   * each of the 4 rows), into the 16 planes of V at dst, plane apart */                           \
  ATTR static inline __attribute__ ((always_inline)) void wg_btdb_##sfx (                          \
    const wvec_##sfx *e0, const wvec_##sfx *e1, const wvec_##sfx *o0, const wvec_##sfx *o1,        \
    T *dst, gint64 plane)                                                                          \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    V                  re0[4], re1[4], ro0[4], ro1[4];                                             \
    /* B^T d: the rows */                                                                          \
    re0[0] = e0[0] - e0[2], re0[1] = e0[1] + e0[2];                                                \
    re0[2] = e0[2] - e0[1], re0[3] = e0[1] - e0[3];                                                \
    re1[0] = e1[0] - e1[2], re1[1] = e1[1] + e1[2];                                                \
    re1[2] = e1[2] - e1[1], re1[3] = e1[1] - e1[3];                                                \
    ro0[0] = o0[0] - o0[2], ro0[1] = o0[1] + o0[2];                                                \
    ro0[2] = o0[2] - o0[1], ro0[3] = o0[1] - o0[3];                                                \
    ro1[0] = o1[0] - o1[2], ro1[1] = o1[1] + o1[2];                                                \
    ro1[2] = o1[2] - o1[1], ro1[3] = o1[1] - o1[3];                                                \
    /* (B^T d) B: the columns are e0, o0, e1, o1 */                                                \
    for (int a = 0; a < 4; a++)                                                                    \
      {                                                                                            \
        T *d = dst + 4 * a * plane;                                                                \
        V_STORE (d, re0[a] - re1[a]);                                                              \
        V_STORE (d + plane, ro0[a] + re1[a]);                                                      \
        V_STORE (d + 2 * plane, re1[a] - ro0[a]);                                                  \
        V_STORE (d + 3 * plane, ro0[a] - ro1[a]);                                                  \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* A^T M A (+ bo) of the 16 planes of M at src, plane apart: r[0], r[1]                          \
   * the even and odd output columns of the tile's first row, r[2], r[3]                           \
   * those of its second */                                                                        \
  ATTR static inline __attribute__ ((always_inline)) void wg_atma_##sfx (                          \
    const T *src, gint64 plane, wvec_##sfx bo, wvec_##sfx *r)                                      \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    V                  m[16], p0[4], p1[4];                                                        \
    for (int e = 0; e < 16; e++)                                                                   \
      m[e] = V_LOAD (src + e * plane);                                                             \
    /* A^T M: the rows */                                                                          \
    for (int b = 0; b < 4; b++)                                                                    \
      {                                                                                            \
        p0[b] = m[b] + m[4 + b] + m[8 + b];                                                        \
        p1[b] = m[4 + b] - m[8 + b] - m[12 + b];                                                   \
      }                                                                                            \
    /* (A^T M) A */                                                                                \
    r[0] = p0[0] + p0[1] + p0[2] + bo;                                                             \
    r[1] = p0[1] - p0[2] - p0[3] + bo;                                                             \
    r[2] = p1[0] + p1[1] + p1[2] + bo;                                                             \
    r[3] = p1[1] - p1[2] - p1[3] + bo;                                                             \
  }                                                                                                \
                                                                                                   \
  /* V[e, c, q TW + tw] for the rows of tiles r0 .. r0 + nr; rb holds the                          \
   * input rows of an image's rows of tiles split into even and odd columns */                     \
  ATTR static void wg_input_##sfx (const WinoJob *g, const T *x, T *Vb, T *rb, gint64 r0,          \
                                   gint64 nr)                                                      \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    const gint64       Ew = g->Ew, TW = g->TW, Hi = g->Hi, Wi = g->Wi;                             \
    const gint64       plane = g->Ci * g->Tps;                                                     \
    for (gint64 c = 0; c < g->Ci; c++)                                                             \
      for (gint64 q0 = 0, cnt; q0 < nr; q0 += cnt)                                                 \
        {                                                                                          \
          gint64   n = (r0 + q0) / g->TH, th0 = (r0 + q0) % g->TH;                                 \
          const T *xc = x + (n * g->Ci + c) * Hi * Wi;                                             \
          cnt = MIN (nr - q0, g->TH - th0);                                                        \
          /* the rows 2 th - ph .. 2 th - ph + 3 of the rows of tiles th0 .. th0 + cnt */          \
          for (gint64 i = 0; i < 2 * cnt + 2; i++)                                                 \
            {                                                                                      \
              gint64 h = 2 * th0 - g->ph + i;                                                      \
              wg_split_row_##sfx (g, h >= 0 && h < Hi ? xc + h * Wi : NULL, rb + 2 * i * Ew,       \
                                  rb + (2 * i + 1) * Ew);                                          \
            }                                                                                      \
          for (gint64 t = 0; t < cnt; t++)                                                         \
            {                                                                                      \
              const T *eo = rb + 4 * t * Ew;                                                       \
              T       *dst = Vb + c * g->Tps + (q0 + t) * TW;                                      \
              for (gint64 tw = 0; tw < TW; tw += vl)                                               \
                {                                                                                  \
                  V e0[4], e1[4], o0[4], o1[4];                                                    \
                  for (int a = 0; a < 4; a++)                                                      \
                    {                                                                              \
                      const T *E = eo + 2 * a * Ew + tw, *O = E + Ew;                              \
                      e0[a] = V_LOAD (E);                                                          \
                      e1[a] = V_LOAD (E + 1);                                                      \
                      o0[a] = V_LOAD (O);                                                          \
                      o1[a] = V_LOAD (O + 1);                                                      \
                    }                                                                              \
                  wg_btdb_##sfx (e0, e1, o0, o1, dst + tw, plane);                                 \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* y from M[e, o, q TW + tw] for the rows of tiles r0 .. r0 + nr */                              \
  ATTR static void wg_output_##sfx (const WinoJob *g, const T *Mb, const T *bias, T *y, T *tmp,    \
                                    gint64 r0, gint64 nr)                                          \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    const gint64       Ew = g->Ew, TW = g->TW, Ho = g->Ho, Wo = g->Wo;                             \
    const gint64       plane = g->Co * g->Tps;                                                     \
    ivec_##sfx         lo, hi;                                                                     \
    /* the even and odd columns interleaved: lanes 0 .. vl / 2 of both, then                       \
     * the rest */                                                                                 \
    for (int l = 0; l < vl; l++)                                                                   \
      {                                                                                            \
        lo[l] = l / 2 + (l % 2) * vl;                                                              \
        hi[l] = vl / 2 + l / 2 + (l % 2) * vl;                                                     \
      }                                                                                            \
    for (gint64 o = 0; o < g->Co; o++)                                                             \
      {                                                                                            \
        V bo = (V){} + (bias ? bias[o] : (T) 0);                                                   \
        for (gint64 q = 0; q < nr; q++)                                                            \
          {                                                                                        \
            gint64   r = r0 + q, n = r / g->TH, th = r % g->TH;                                    \
            const T *src = Mb + o * g->Tps + q * TW;                                               \
            for (gint64 tw = 0; tw < TW; tw += vl)                                                 \
              {                                                                                    \
                V cr[4];                                                                           \
                wg_atma_##sfx (src + tw, plane, bo, cr);                                           \
                V_STORE (tmp + tw, cr[0]);                                                         \
                V_STORE (tmp + Ew + tw, cr[1]);                                                    \
                V_STORE (tmp + 2 * Ew + tw, cr[2]);                                                \
                V_STORE (tmp + 3 * Ew + tw, cr[3]);                                                \
              }                                                                                    \
            for (gint64 i = 0; i < 2 && 2 * th + i < Ho; i++)                                      \
              {                                                                                    \
                T       *yr = y + ((n * g->Co + o) * Ho + 2 * th + i) * Wo;                        \
                const T *ev = tmp + 2 * i * Ew, *od = ev + Ew;                                     \
                gint64   w = 0;                                                                    \
                if (CONV_HAVE_SHUFFLE)                                                             \
                  for (; w + 2 * vl <= Wo; w += 2 * vl)                                            \
                    {                                                                              \
                      V e = V_LOAD (ev + w / 2), d = V_LOAD (od + w / 2);                          \
                      V_STORE (yr + w, V_SHUFFLE2 (e, d, lo));                                     \
                      V_STORE (yr + w + vl, V_SHUFFLE2 (e, d, hi));                                \
                    }                                                                              \
                for (; w + 1 < Wo; w += 2)                                                         \
                  {                                                                                \
                    yr[w] = ev[w / 2];                                                             \
                    yr[w + 1] = od[w / 2];                                                         \
                  }                                                                                \
                if (w < Wo)                                                                        \
                  yr[w] = ev[w / 2];                                                               \
                _lt_cpu_conv_store (yr, yr, Wo, g->relu);                                          \
              }                                                                                    \
          }                                                                                        \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* wg_input () for rows of tiles narrower than a vector (TW < vl, so an                          \
   * input row has at most 2 vl values): the vectors run over the tiles of a                       \
   * run of rows flattened, tile t = q TW + tw. Input row i of the run goes                        \
   * into the arrays P[i % 2][k] at (i / 2) TW: k = 0 .. 3 for the padded                          \
   * row's values 2 tw, 2 tw + 2, 2 tw + 1 and 2 tw + 3 (E[tw], E[tw + 1],                         \
   * O[tw], O[tw + 1]), picked out of two vectors of the row; then the                             \
   * patch row a of tile t is P[a % 2][k][t + (a / 2) TW], contiguous in t. A                      \
   * vector past the run's tiles writes columns of V that the next run                             \
   * writes after it (or that no product reads into y) */                                          \
  ATTR static void wg_input_flat_##sfx (const WinoJob *g, const T *x, T *Vb, T *rb, gint64 r0,     \
                                        gint64 nr)                                                 \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    typedef ivec_##sfx IV;                                                                         \
    const int          vl = VB / sizeof (T);                                                       \
    const gint64       TW = g->TW, Hi = g->Hi, Wi = g->Wi, pl = g->plen;                           \
    const gint64       plane = g->Ci * g->Tps, total = g->N * g->Ci * Hi * Wi;                     \
    T                 *P = rb;                                                                     \
    IV                 idx[4], in[4];                                                              \
    /* lane l of array k: x[2 l + k - pw] of the row, zero outside [0, Wi) */                      \
    for (int k = 0; k < 4; k++)                                                                    \
      for (int l = 0; l < vl; l++)                                                                 \
        {                                                                                          \
          gint64 w = 2 * l + (k == 1 ? 2 : k == 2 ? 1 : k) - g->pw;                                \
          idx[k][l] = (IT) (w >= 0 && w < 2 * vl ? w : 0);                                         \
          in[k][l] = w >= 0 && w < Wi && l < TW ? (IT) -1 : 0;                                     \
        }                                                                                          \
    for (gint64 c = 0; c < g->Ci; c++)                                                             \
      for (gint64 q0 = 0, cnt; q0 < nr; q0 += cnt)                                                 \
        {                                                                                          \
          gint64 n = (r0 + q0) / g->TH, th0 = (r0 + q0) % g->TH;                                   \
          gint64 off = (n * g->Ci + c) * Hi * Wi;                                                  \
          T     *dst = Vb + c * g->Tps + q0 * TW;                                                  \
          cnt = MIN (nr - q0, g->TH - th0);                                                        \
          for (gint64 i = 0; i < 2 * cnt + 2; i++)                                                 \
            {                                                                                      \
              gint64 h = 2 * th0 - g->ph + i, row = off + h * Wi;                                  \
              T     *pr = P + (i % 2) * 4 * pl + (i / 2) * TW;                                     \
              V      a = {}, b = {};                                                               \
              if (h >= 0 && h < Hi)                                                                \
                {                                                                                  \
                  if (row + 2 * vl <= total)                                                       \
                    a = V_LOAD (x + row), b = V_LOAD (x + row + vl);                               \
                  else                                                                             \
                    for (gint64 w = 0; w < Wi; w++)                                                \
                      if (w < vl)                                                                  \
                        a[w] = x[row + w];                                                         \
                      else                                                                         \
                        b[w - vl] = x[row + w];                                                    \
                }                                                                                  \
              /* in order of i: a vector past TW runs into row i + 2, written after */             \
              for (int k = 0; k < 4; k++)                                                          \
                {                                                                                  \
                  V v;                                                                             \
                  if (CONV_HAVE_SHUFFLE)                                                           \
                    v = V_SHUFFLE2 (a, b, idx[k]);                                                 \
                  else                                                                             \
                    for (int l = 0; l < vl; l++)                                                   \
                      v[l] = idx[k][l] < vl ? a[idx[k][l]] : b[idx[k][l] - vl];                    \
                  V_STORE (pr + k * pl, (V) ((IV) v & in[k]));                                     \
                }                                                                                  \
            }                                                                                      \
          for (gint64 t = 0; t < cnt * TW; t += vl)                                                \
            {                                                                                      \
              V e0[4], e1[4], o0[4], o1[4];                                                        \
              for (int a = 0; a < 4; a++)                                                          \
                {                                                                                  \
                  const T *src = P + (a % 2) * 4 * pl + (a / 2) * TW + t;                          \
                  e0[a] = V_LOAD (src);                                                            \
                  e1[a] = V_LOAD (src + pl);                                                       \
                  o0[a] = V_LOAD (src + 2 * pl);                                                   \
                  o1[a] = V_LOAD (src + 3 * pl);                                                   \
                }                                                                                  \
              wg_btdb_##sfx (e0, e1, o0, o1, dst + t, plane);                                      \
            }                                                                                      \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* @n values of @src into @dst (relu (v) with @relu, as _lt_cpu_conv_store ()),                  \
   * in whole and half vectors, then one at a time */                                              \
  ATTR static inline void wg_row_store_##sfx (T *dst, const T *src, gint64 n, gboolean relu)       \
  {                                                                                                \
    typedef wvec_##sfx  V;                                                                         \
    typedef ivec_##sfx  IV;                                                                        \
    typedef hvec_##sfx  H;                                                                         \
    typedef hivec_##sfx IH;                                                                        \
    const int           vl = VB / sizeof (T);                                                      \
    gint64              w = 0;                                                                     \
    for (; w + vl <= n; w += vl)                                                                   \
      {                                                                                            \
        V v = V_LOAD (src + w);                                                                    \
        if (relu)                                                                                  \
          v = (V) ((IV) v & ~(IV) (v < 0));                                                        \
        V_STORE (dst + w, v);                                                                      \
      }                                                                                            \
    if (w + vl / 2 <= n)                                                                           \
      {                                                                                            \
        H v = *(const H *) (src + w);                                                              \
        if (relu)                                                                                  \
          v = (H) ((IH) v & ~(IH) (v < 0));                                                        \
        *(H *) (dst + w) = v;                                                                      \
        w += vl / 2;                                                                               \
      }                                                                                            \
    for (; w < n; w++)                                                                             \
      dst[w] = relu && src[w] < 0 ? (T) 0 : src[w];                                                \
  }                                                                                                \
                                                                                                   \
  /* wg_output () for rows of tiles narrower than a vector, the tiles of a                         \
   * run of rows flattened as in wg_input_flat (): the even and odd output                         \
   * columns of the run's two output rows per tile row go interleaved into                         \
   * I[0] and I[1] (2 plen each), tile row q's at 2 q TW, then each output                         \
   * row to y */                                                                                   \
  ATTR static void wg_output_flat_##sfx (const WinoJob *g, const T *Mb, const T *bias, T *y,       \
                                         T *tmp, gint64 r0, gint64 nr)                             \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    const gint64       TW = g->TW, Ho = g->Ho, Wo = g->Wo, pl = g->plen;                           \
    const gint64       plane = g->Co * g->Tps;                                                     \
    ivec_##sfx         lo, hi;                                                                     \
    for (int l = 0; l < vl; l++)                                                                   \
      {                                                                                            \
        lo[l] = l / 2 + (l % 2) * vl;                                                              \
        hi[l] = vl / 2 + l / 2 + (l % 2) * vl;                                                     \
      }                                                                                            \
    for (gint64 o = 0; o < g->Co; o++)                                                             \
      {                                                                                            \
        V bo = (V){} + (bias ? bias[o] : (T) 0);                                                   \
        for (gint64 q0 = 0, cnt; q0 < nr; q0 += cnt)                                               \
          {                                                                                        \
            gint64   n = (r0 + q0) / g->TH, th0 = (r0 + q0) % g->TH;                               \
            const T *src = Mb + o * g->Tps + q0 * TW;                                              \
            cnt = MIN (nr - q0, g->TH - th0);                                                      \
            for (gint64 t = 0; t < cnt * TW; t += vl)                                              \
              {                                                                                    \
                /* row 0 even and odd, row 1 even and odd */                                       \
                V r[4];                                                                            \
                wg_atma_##sfx (src + t, plane, bo, r);                                             \
                for (int i = 0; i < 2; i++)                                                        \
                  {                                                                                \
                    T *d = tmp + 2 * i * pl + 2 * t;                                               \
                    if (CONV_HAVE_SHUFFLE)                                                         \
                      {                                                                            \
                        V_STORE (d, V_SHUFFLE2 (r[2 * i], r[2 * i + 1], lo));                      \
                        V_STORE (d + vl, V_SHUFFLE2 (r[2 * i], r[2 * i + 1], hi));                 \
                      }                                                                            \
                    else                                                                           \
                      for (int l = 0; l < vl; l++)                                                 \
                        {                                                                          \
                          d[2 * l] = r[2 * i][l];                                                  \
                          d[2 * l + 1] = r[2 * i + 1][l];                                          \
                        }                                                                          \
                  }                                                                                \
              }                                                                                    \
            for (gint64 q = 0; q < cnt; q++)                                                       \
              for (gint64 i = 0; i < 2 && 2 * (th0 + q) + i < Ho; i++)                             \
                wg_row_store_##sfx (y + ((n * g->Co + o) * Ho + 2 * (th0 + q) + i) * Wo,           \
                                    tmp + 2 * i * pl + 2 * q * TW, Wo, g->relu);                   \
          }                                                                                        \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  ATTR static void wg_in_flat_##sfx (const WinoJob *g, void *Vb, void *rb, gint64 r0, gint64 nr)   \
  {                                                                                                \
    wg_input_flat_##sfx (g, g->x, Vb, rb, r0, nr);                                                 \
  }                                                                                                \
                                                                                                   \
  ATTR static void wg_out_flat_##sfx (const WinoJob *g, const void *Mb, void *tmp, gint64 r0,      \
                                      gint64 nr)                                                   \
  {                                                                                                \
    wg_output_flat_##sfx (g, Mb, g->b, g->y, tmp, r0, nr);                                         \
  }                                                                                                \
                                                                                                   \
  ATTR static void wg_in_##sfx (const WinoJob *g, void *Vb, void *rb, gint64 r0, gint64 nr)        \
  {                                                                                                \
    wg_input_##sfx (g, g->x, Vb, rb, r0, nr);                                                      \
  }                                                                                                \
                                                                                                   \
  ATTR static void wg_out_##sfx (const WinoJob *g, const void *Mb, void *tmp, gint64 r0,           \
                                 gint64 nr)                                                        \
  {                                                                                                \
    wg_output_##sfx (g, Mb, g->b, g->y, tmp, r0, nr);                                              \
  }

#define DEFINE_WINO(T, IT, sfx, VB, ATTR)                                                          \
  DEFINE_WINO_XFORM (T, IT, sfx, VB, ATTR)                                                         \
                                                                                                   \
  /* the 16 products: gemm_nn over rows ldb (boff) and ldc (coff) apart */                         \
  DEFINE_GEMM_NN (T, wvec_##sfx, sfx, VB, ATTR)                                                    \
                                                                                                   \
  /* Columns [c0, c1) of the @rows rows of V at Vb, @ld apart: zeros, in                           \
   * whole vectors (the last one ending at c1) where they span one */                              \
  ATTR static void wg_clear_cols_##sfx (T *Vb, gint64 rows, gint64 ld, gint64 c0, gint64 c1)       \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    for (gint64 r = 0; r < rows; r++)                                                              \
      {                                                                                            \
        T *row = Vb + r * ld;                                                                      \
        if (c1 - c0 < vl)                                                                          \
          {                                                                                        \
            for (gint64 c = c0; c < c1; c++)                                                       \
              row[c] = 0;                                                                          \
            continue;                                                                              \
          }                                                                                        \
        for (gint64 c = c0; c + vl < c1; c += vl)                                                  \
          V_STORE (row + c, (V){});                                                                \
        V_STORE (row + c1 - vl, (V){});                                                            \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* Blocks of rows of tiles: transform, 16 products, transform back */                            \
  ATTR static void wg_part_##sfx (int tid, int np, gpointer data)                                  \
  {                                                                                                \
    const WinoJob *g = data;                                                                       \
    T             *Vb = (T *) (g->scratch + tid * g->scratch_bytes);                               \
    T             *Mb = Vb + 16 * g->Ci * g->Tps;                                                  \
    T             *rb = Mb + 16 * g->Co * g->Tps;                                                  \
    const T       *U = g->u;                                                                       \
    gint64         b0, b1, R = g->N * g->TH;                                                       \
    _lt_cpu_split (g->nblocks, tid, np, &b0, &b1);                                                 \
    /* The products read up to two vectors of columns past a block's last                          \
     * tile. No output takes their sums, but they must hold numbers (a                             \
     * buffer from the cache may hold anything, and denormals slow the                             \
     * products down). Past a whole block's tiles only the flat transforms                         \
     * write (values made from rb, which holds numbers): those columns are                         \
     * cleared here once, not all of Vb (16 Ci Tps values a part, 295 KB at                        \
     * 32 channels); a shorter block (the batch's last) clears its own. rb:                        \
     * the flat transforms' values past a run's rows (read into such                               \
     * columns) */                                                                                 \
    wg_clear_cols_##sfx (Vb, 16 * g->Ci, g->Tps, g->rpb * g->TW, g->Tps);                          \
    memset (rb, 0, g->rblen * sizeof (T));                                                         \
    for (gint64 blk = b0; blk < b1; blk++)                                                         \
      {                                                                                            \
        gint64 r0 = blk * g->rpb, nr = MIN (g->rpb, R - r0);                                       \
        gint64 cols = round_up ((nr - 1) * g->TW + round_up (g->TW, g->vmax), g->vmax);            \
        if (nr < g->rpb)                                                                           \
          wg_clear_cols_##sfx (Vb, 16 * g->Ci, g->Tps, nr * g->TW, cols);                          \
        g->input (g, Vb, rb, r0, nr);                                                              \
        for (int e = 0; e < 16; e++)                                                               \
          gemm_nn_##sfx (g->Co, cols, g->Ci, U + e * g->Co * g->Ci, g->Ci, 1,                      \
                         Vb + e * g->Ci * g->Tps, g->boff, Mb + e * g->Co * g->Tps, g->coff,       \
                         NULL);                                                                    \
        g->output (g, Mb, rb, r0, nr);                                                             \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* The grad weight's transform of dy: Ud[e, q TW + tw, o] = (A dy[o, t] A^T)[e]                  \
   * for the rows of tiles r0 .. r0 + nr, the channels along the rows (Cop                         \
   * apart); the values of a tile outside dy are zeros. WINO_DY_TILES tiles                        \
   * at a time go through tb (WINO_DY_TILES x 16 x Cop), channel by channel                        \
   * (each reads its rows of dy along w), then out to Ud with whole vectors:                       \
   * the planes of dy and the 16 rows of Ud are often a multiple of 4 KiB                          \
   * apart, and loads or stores that walk across them one value at a time                          \
   * keep a line of the same cache set each in flight */                                           \
  ATTR static void wg_dy_##sfx (const WinoJob *g, T *Ud, T *tb, gint64 r0, gint64 nr)              \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    const T           *dy = g->dy;                                                                 \
    const gint64       TW = g->TW, Ho = g->Ho, Wo = g->Wo, Cop = g->Cop, P = Ho * Wo;              \
    const gint64       plane = g->Tps * Cop;                                                       \
    for (gint64 q = 0; q < nr; q++)                                                                \
      {                                                                                            \
        gint64   r = r0 + q, n = r / g->TH, th = r % g->TH;                                        \
        const T *d0 = dy + (n * g->Co * Ho + 2 * th) * Wo;                                         \
        gboolean row1 = 2 * th + 1 < Ho;                                                           \
        for (gint64 tw0 = 0; tw0 < TW; tw0 += WINO_DY_TILES)                                       \
          {                                                                                        \
            gint64 nt = MIN (WINO_DY_TILES, TW - tw0);                                             \
            for (gint64 o = 0; o < g->Co; o++)                                                     \
              for (gint64 k = 0; k < nt; k++)                                                      \
                {                                                                                  \
                  gint64   w = 2 * (tw0 + k);                                                      \
                  const T *d = d0 + o * P + w;                                                     \
                  T       *t = tb + k * 16 * Cop + o;                                              \
                  T        a = d[0], b = w + 1 < Wo ? d[1] : 0;                                    \
                  T        c = row1 ? d[Wo] : 0, e = row1 && w + 1 < Wo ? d[Wo + 1] : 0;           \
                  /* A (a b; c e): the rows (a, b), (a + c, b + e), (a - c, b - e),                \
                   * (-c, -e); then each row (u, v) into (u, u + v, u - v, -v) */                  \
                  T rows[4][2] = { { a, b }, { a + c, b + e }, { a - c, b - e }, { -c, -e } };     \
                  for (int i = 0; i < 4; i++)                                                      \
                    {                                                                              \
                      T u = rows[i][0], v = rows[i][1];                                            \
                      t[(4 * i) * Cop] = u;                                                        \
                      t[(4 * i + 1) * Cop] = u + v;                                                \
                      t[(4 * i + 2) * Cop] = u - v;                                                \
                      t[(4 * i + 3) * Cop] = -v;                                                   \
                    }                                                                              \
                }                                                                                  \
            for (gint64 k = 0; k < nt; k++)                                                        \
              for (int i = 0; i < 16; i++)                                                         \
                for (gint64 o = 0; o < Cop; o += vl)                                               \
                  V_STORE (Ud + i * plane + (q * TW + tw0 + k) * Cop + o,                          \
                           V_LOAD (tb + (k * 16 + i) * Cop + o));                                  \
          }                                                                                        \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* The grad weight's sums S_s[e, c, o] = sum_t V[e, c, t] Ud[e, t, o], one                       \
   * per group s of blocks (a fixed share of them, whatever the parts): each                       \
   * block's 16 products, added to the group's sum in the order of the                             \
   * blocks */                                                                                     \
  ATTR static void wg_gw_part_##sfx (int tid, int np, gpointer data)                               \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    const WinoJob     *g = data;                                                                   \
    T                 *Vb = (T *) (g->scratch + tid * g->scratch_bytes);                           \
    T                 *Ud = Vb + 16 * g->Ci * g->Tps;                                              \
    T                 *Mb = Ud + 16 * g->Tps * g->Cop;                                             \
    T                 *tb = Mb + 16 * g->Ci * g->Cop;                                              \
    T                 *rb = tb + WINO_DY_TILES * 16 * g->Cop;                                      \
    const gint64       mlen = 16 * g->Ci * g->Cop, R = g->N * g->TH;                               \
    gint64             s0, s1;                                                                     \
    _lt_cpu_split (g->nsums, tid, np, &s0, &s1);                                                   \
    /* the columns o >= Co, which nothing writes; the flat transforms' values                      \
     * past a run's rows */                                                                        \
    memset (tb, 0, WINO_DY_TILES * 16 * g->Cop * sizeof (T));                                      \
    memset (rb, 0, g->rblen * sizeof (T));                                                         \
    for (gint64 s = s0; s < s1; s++)                                                               \
      {                                                                                            \
        T     *S = (T *) g->sums + s * mlen;                                                       \
        gint64 b0 = s * g->nblocks / g->nsums, b1 = (s + 1) * g->nblocks / g->nsums;               \
        for (gint64 blk = b0; blk < b1; blk++)                                                     \
          {                                                                                        \
            gint64 r0 = blk * g->rpb, nr = MIN (g->rpb, R - r0);                                   \
            T     *dst = blk == b0 ? S : Mb;                                                       \
            g->input (g, Vb, rb, r0, nr);                                                          \
            wg_dy_##sfx (g, Ud, tb, r0, nr);                                                       \
            for (int e = 0; e < 16; e++)                                                           \
              gemm_nn_##sfx (g->Ci, g->Cop, nr * g->TW, Vb + e * g->Ci * g->Tps, g->Tps, 1,        \
                             Ud + e * g->Tps * g->Cop, g->uoff, dst + e * g->Ci * g->Cop, g->soff, \
                             NULL);                                                                \
            if (blk != b0)                                                                         \
              for (gint64 i = 0; i < mlen; i += vl)                                                \
                V_STORE (S + i, V_LOAD (S + i) + V_LOAD (Mb + i));                                 \
          }                                                                                        \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* db[o] = sum of dy[n, o] over the images and pixels, in that order */                          \
  ATTR static void wg_bias_##sfx (const WinoJob *g, void *dbv)                                     \
  {                                                                                                \
    typedef wvec_##sfx V;                                                                          \
    const int          vl = VB / sizeof (T);                                                       \
    const gint64       P = g->Ho * g->Wo;                                                          \
    T                 *db = dbv;                                                                   \
    for (gint64 o = 0; o < g->Co; o++)                                                             \
      {                                                                                            \
        V acc = (V){};                                                                             \
        T s = 0;                                                                                   \
        for (gint64 n = 0; n < g->N; n++)                                                          \
          {                                                                                        \
            const T *d = (const T *) g->dy + (n * g->Co + o) * P;                                  \
            gint64   p = 0;                                                                        \
            for (; p + vl <= P; p += vl)                                                           \
              acc += V_LOAD (d + p);                                                               \
            for (; p < P; p++)                                                                     \
              s += d[p];                                                                           \
          }                                                                                        \
        for (int l = 0; l < vl; l++)                                                               \
          s += acc[l];                                                                             \
        db[o] = s;                                                                                 \
      }                                                                                            \
  }

#define ATTR_BASE
DEFINE_WINO (float, gint32, f32_base, 16, ATTR_BASE)
DEFINE_WINO (double, gint64, f64_base, 16, ATTR_BASE)

#ifdef LT_CPU_X86_ISAS
#define ATTR_AVX2 __attribute__ ((target ("avx2,fma")))
#define ATTR_AVX512 __attribute__ ((target ("avx512f,avx512vl,fma")))
DEFINE_WINO (float, gint32, f32_avx2, 32, ATTR_AVX2)
DEFINE_WINO (double, gint64, f64_avx2, 32, ATTR_AVX2)
DEFINE_WINO (float, gint32, f32_avx512, 64, ATTR_AVX512)
DEFINE_WINO (double, gint64, f64_avx512, 64, ATTR_AVX512)
#endif

/* The transforms along rows of tiles and flattened (wg_input_flat ()),
 * [isa][float64] */
static const WinoIn  wino_inputs[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (wg_in);
static const WinoOut wino_outputs[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (wg_out);
static const WinoIn  wino_inputs_flat[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (wg_in_flat);
static const WinoOut wino_outputs_flat[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (wg_out_flat);

/* [isa][float64] */
static const LtCpuParallelFunc wino_parts[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (wg_part);

/* The grad weight's parts, [isa][float64] */
static const LtCpuParallelFunc wino_gw_parts[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (wg_gw_part);

/* The grad weight's bias gradient, [isa][float64] */
typedef void (*WinoBias) (const WinoJob *g, void *db);
static const WinoBias wino_biases[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (wg_bias);

/* -1: the rule decides; 0: never; 1: wherever the shape allows; -2: not
 * read from the environment yet. The grad weight's mode (LT_CPU_WINOGRAD_GRAD_WEIGHT)
 * is -3 where it follows wino_mode. */
static gint    wino_mode = -2;
static gint    wino_gw_mode = -2;
static guint64 wino_calls;

guint64
_lt_cpu_conv_winograd_calls (void)
{
  return __atomic_load_n (&wino_calls, __ATOMIC_RELAXED);
}

void
_lt_cpu_conv_set_winograd (int mode)
{
  g_atomic_int_set (&wino_mode, mode < 0 ? -1 : mode > 0);
  g_atomic_int_set (&wino_gw_mode, -3);
}

void
_lt_cpu_conv_set_winograd_grad_weight (int mode)
{
  g_atomic_int_set (&wino_gw_mode, mode < -1 ? -3 : mode < 0 ? -1 : mode > 0);
}

/* "0": never, "1": wherever the shape allows, anything else: the rule
 * (unset: @unset) */
static int
mode_from_env (const char *name, int unset)
{
  const char *env = g_getenv (name);

  if (env == NULL)
    return unset;
  return g_str_equal (env, "0") ? 0 : g_str_equal (env, "1") ? 1 : -1;
}

static int
winograd_mode (gboolean grad_weight)
{
  int mode = g_atomic_int_get (&wino_mode);

  if (mode == -2)
    {
      mode = mode_from_env ("LT_CPU_WINOGRAD", -1);
      g_atomic_int_set (&wino_mode, mode);
    }
  if (grad_weight)
    {
      int gw = g_atomic_int_get (&wino_gw_mode);

      if (gw == -2)
        {
          gw = mode_from_env ("LT_CPU_WINOGRAD_GRAD_WEIGHT", -3);
          g_atomic_int_set (&wino_gw_mode, gw);
        }
      if (gw != -3)
        return gw;
    }
  return mode;
}

/*
 * Where Winograd wins, for a convolution of N images with Ci input and Co
 * output channels (as run: the grad input's are dy's) and an output of
 * Ho x Wo.
 *
 * - Channels. Per output pixel the columns (lt-cpu-conv.c) do 9 Ci Co
 *   multiply-adds; this does 4 Ci Co, and pays for the transforms: some
 *   4 Ci values of V and 4 Co of M written and read back per pixel, each
 *   costing about as much as a few multiply-adds. The saving grows with
 *   Ci Co, the cost with Ci + Co: what decides is the harmonic mean
 *   2 Ci Co / (Ci + Co). The products also want a register block (6 rows)
 *   on each side. Measured (AVX-512, float32, 1 thread, 32 images of
 *   32 x 32, CPU time): at 8 -> 8 channels Winograd is 1.2x slower in the
 *   forward and even in the grad input; at 12 -> 12 even in the forward,
 *   1.4x faster in the grad input; at 16 -> 16 1.05x and 1.3x faster; at
 *   32 and 64 channels 1.1x to 1.5x faster in both. The grad input gains
 *   earlier because the columns pay there for folding dB back into dx.
 *   Hence: at least 8 channels a side, and a harmonic mean of at least 16
 *   (forward) or 12 (grad input).
 * - Pixels. The filter is transformed at every call (16 Ci Co values,
 *   against the 9 Ci Co the columns read): that is paid back only over
 *   enough outputs. On 1 thread (measured after the transform ran on
 *   vectors of channels; forward, grad input): 1 image of 8 x 8 at 128
 *   channels 0.55x, 0.69x; of 10 x 10 0.75x, 0.87x; of 14 x 14 1.08x,
 *   1.18x, and at 256 channels 1.10x, 1.27x, but at 512 channels 0.91x,
 *   1.15x (a 16 MB U); 4 images of 7 x 7 (tiles 77% used) at 128 channels
 *   0.93x, 1.44x. Hence at least 192 output pixels over the batch, and for
 *   the forward whole tiles and Ci Co up to 256 x 256 as well. On several
 *   threads the pool splits the products by blocks of tiles, which so few
 *   pixels do not fill (the same 14 x 14 image at 256 channels ran 0.42x
 *   and 0.47x on 2 threads; 32 images of 4 x 4 at 64 channels, 512 pixels,
 *   broke even, 2 of 28 x 28 at 128 channels, 1,568 pixels, ran 1.2x
 *   faster): there at least 1,024 output pixels.
 * - Tiles. They cover 2 x 2 outputs: an odd Ho or Wo computes a half-empty
 *   row or column of tiles. 32 images of 5 x 5 (25 useful of 36 computed,
 *   69%) break even, 3 x 3 (56%) runs 1.9x slower, 7 x 7 (77%) breaks
 *   even or gains a little: the useful share Ho Wo / (4 TH TW) at least
 *   3/4.
 *
 * These are ratios of work and of cache-resident passes, not of one
 * machine's timings: the same rule holds for the AVX2 and baseline builds
 * (whose products are slower per multiply-add, which favours Winograd a
 * little more).
 */
static gboolean
winograd_wins (gboolean grad_input, gint64 N, gint64 Ci, gint64 Co, gint64 Ho, gint64 Wo)
{
  gint64   TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, pixels = N * Ho * Wo;
  gboolean whole_tiles = Ho % 2 == 0 && Wo % 2 == 0;
  /* fewer than 1,024 pixels: 1 thread only, from 192 */
  gboolean few_win = _lt_cpu_get_num_threads () == 1 && pixels >= 192 &&
                     (grad_input || (whole_tiles && Ci * Co <= 256 * 256));

  if (Ci < 8 || Co < 8 || 2 * Ci * Co < (grad_input ? 12 : 16) * (Ci + Co))
    return FALSE;
  if (pixels < 1024 && !few_win)
    return FALSE;
  return Ho * Wo >= 3 * TH * TW;
}

/* The grad weight's blocks of rows of tiles, for N images with Co output
 * channels and a dy of Ho x Wo of @es-byte elements: each block's tiles by
 * the Cop-wide rows of dy's transform fill WINO_PANEL_BYTES (within
 * WINO_MIN_COLUMNS .. WINO_MAX_COLUMNS tiles). Sets *@rpb, the rows of
 * tiles per block, when given. */
static gint64
gw_blocks (gint64 N, gint64 Co, gint64 Ho, gint64 Wo, gint64 es, gint64 *rpb)
{
  gint64 vmax = WINO_VEC_BYTES / es, Cop = round_up (Co, vmax);
  gint64 TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, R = N * TH;
  gint64 cols = CLAMP (WINO_PANEL_BYTES / (Cop * es), WINO_MIN_COLUMNS, WINO_MAX_COLUMNS);
  gint64 r = MAX (MIN (MAX (cols / MAX (TW, 1), 1), R), 1);

  if (rpb != NULL)
    *rpb = r;
  return (R + r - 1) / r;
}

/*
 * Where Winograd wins for the grad weight, for N images with Ci input and
 * Co output channels and a dy of Ho x Wo (winograd_grad_weight ()).
 *
 * - Channels. As for the forward, 4 Ci Co multiply-adds per output pixel
 *   instead of 9 Ci Co, against transforms of some 4 (Ci + Co) values per
 *   pixel; but dy's transform costs more here than the forward's output
 *   transform (it is laid out with the channels along the rows, a
 *   transposition), and its rows and the products' columns are Co rounded
 *   up to 16 floats (Cop). Measured (AVX-512, float32, 1 thread, CPU time,
 *   columns over Winograd): 32 images of 32 x 32 at 16 -> 16 channels
 *   0.75, at 24 -> 24 (Cop 32) 0.87; 16 -> 32 on 16 x 16 1.04, 16 -> 48
 *   0.96; 32 -> 32 on 16 x 16 1.4, 64 -> 64 on 8 x 8 1.7 to 1.9, 128 and
 *   256 channels 1.5. Hence a mean 2 Ci Co / (Ci + Cop) of at least 24.
 * - Pixels. No filter is transformed at each call, only the 16 Ci Co sums
 *   back once: small batches pay (4 images of 8 x 8 at 64 channels, 64
 *   tiles, 2.4x; 2 of 8 x 8 at 128 channels, 32 tiles, 1.4x; 1 of 8 x 8,
 *   16 tiles, 1.0x; 1 of 7 x 7 at 512 channels, 16 tiles, 0.92): at least
 *   32 tiles over the batch.
 * - Tiles. A half-empty row or column of tiles costs here too, but the
 *   columns' grad weight is slow on small images as well: 32 images of
 *   3 x 3, 5 x 5 and 7 x 7 at 64 channels ran 1.5x faster. No rule.
 *
 * Ratios of work and of passes over the data, not one machine's timings,
 * as for winograd_wins ().
 */
static gboolean
winograd_gw_wins (gint64 N, gint64 Ci, gint64 Co, gint64 Ho, gint64 Wo, gint64 es)
{
  gint64 Cop = (Co + 15) / 16 * 16;
  int    nt = _lt_cpu_get_num_threads ();

  if (Ci < 8 || Co < 8 || 2 * Ci * Co < 24 * (Ci + Cop))
    return FALSE;
  if (N * ((Ho + 1) / 2) * ((Wo + 1) / 2) < 32)
    return FALSE;
  /* - Threads. The parts take whole blocks of rows of tiles: a batch of
   *   fewer blocks than the pool has threads leaves threads idle, where
   *   the columns cut the product into blocks of output channels. 1 image
   *   of 14 x 14 at 256 channels, 2 threads: 4.0 ms here, 2.3 ms by the
   *   columns (1 thread: 3.7 and 4.0). */
  if (nt > 1 && N * Co * Ho * Wo * Ci * 9 >= WINO_PARALLEL_FMAS &&
      gw_blocks (N, Co, Ho, Wo, es, NULL) < nt)
    return FALSE;
  return TRUE;
}

gboolean
_lt_cpu_conv_winograd_applies (const LtKernelArgs *args)
{
  const LtConvParams *p = &args->params->conv;
  gboolean            gi = args->op == LT_OP_CONV2D_GRAD_INPUT;
  gboolean            gw = args->op == LT_OP_CONV2D_GRAD_WEIGHT;
  const LtTensor     *w = gw ? args->out : args->in[1];
  const LtTensor     *y = gi ? args->in[0] : gw ? args->in[1] : args->out;
  int                 mode;

  if (args->op != LT_OP_CONV2D && !gi && !gw)
    return FALSE;
  if (w->shape[2] != 3 || w->shape[3] != 3 || p->groups != 1 || p->stride[0] != 1 ||
      p->stride[1] != 1 || p->dilation[0] != 1 || p->dilation[1] != 1 || p->padding[0] > 2 ||
      p->padding[1] > 2)
    return FALSE;
  /* both sides of the op non-empty */
  if (y->shape[0] == 0 || y->shape[1] == 0 || y->shape[2] == 0 || y->shape[3] == 0 ||
      w->shape[1] == 0)
    return FALSE;
  mode = winograd_mode (gw);
  if (mode >= 0)
    return mode == 1;
  if (gw)
    return winograd_gw_wins (y->shape[0], w->shape[1], w->shape[0], y->shape[2], y->shape[3],
                             (gint64) _lt_dtype_size (w->dtype));
  if (gi)
    return winograd_wins (TRUE, y->shape[0], w->shape[0], w->shape[1], args->out->shape[2],
                          args->out->shape[3]);
  return winograd_wins (FALSE, y->shape[0], w->shape[1], w->shape[0], y->shape[2], y->shape[3]);
}

/* U[e, co, ci] = (G w G^T)[e] in doubles, of w[co, ci] (forward) or of the
 * flipped w[ci, co] (grad input): filter_xform_<isa> () below, with G's
 * rows (1 0 0), (1 1 1) / 2, (1 -1 1) / 2, (0 0 1) */

/* The transforms run along a row of TW tiles in vectors as wide as the
 * instruction set has, where a row of tiles fills one at least; narrower
 * rows (TW = 4 on 8 x 8 images, 8 on 16 x 16 ones, for 16 floats) take the
 * flat transforms, whose vectors run over the tiles of several rows. Also
 * the sizes of the block's columns (Tps: a vector of the flat transforms
 * runs up to vl - 1 columns past a block's tiles) and of the split rows'
 * scratch, which either kind fits in. */
static void
pick_transforms (WinoJob *g, gboolean f32, gint64 es)
{
  LtCpuIsa isa = _lt_cpu_isa ();
  gint64   vl = (isa == LT_CPU_ISA_AVX512 ? 64 : isa == LT_CPU_ISA_AVX2 ? 32 : 16) / es;
  gboolean flat = g->TW < vl;

  g->input = flat ? wino_inputs_flat[isa][!f32] : wino_inputs[isa][!f32];
  g->output = flat ? wino_outputs_flat[isa][!f32] : wino_outputs[isa][!f32];
  g->Tps = round_up (g->rpb * g->TW, g->vmax) + g->vmax;
  g->Ew = round_up (g->TW, g->vmax) + g->vmax;
  g->plen = round_up ((g->rpb + 1) * g->TW, g->vmax) + g->vmax;
  g->rblen = 2 * (2 * g->rpb + 2) * g->Ew + 8 * g->plen;
}

/* dw[o, c] = G^T (sum_s S_s[., c, o]) G: the sums added into S_0 in the
 * order of s, then, in doubles, (G^T m)[i] for the 4 values m[0], m[s],
 * m[2 s], m[3 s] of a row or column is m[0] + (m[s] + m[2 s]) / 2,
 * (m[s] - m[2 s]) / 2 and (m[s] + m[2 s]) / 2 + m[3 s] */
/* The weight gradient's groups of sums added up in order, then the
 * filter transform back, in double: for each input channel, a vector of
 * nd output channels at a time (their sums are side by side in S, rows of
 * Cop, a multiple of every nd), each transformed as it would be alone. */
#define DEFINE_GW_BACK(T, sfx, VB, ATTR)                                                           \
  typedef double gwd_##sfx __attribute__ ((vector_size (VB)));                                     \
  typedef T      gwt_##sfx                                                                         \
    __attribute__ ((vector_size (sizeof (T) * (VB / 8)), aligned (sizeof (T)), may_alias));        \
  ATTR static void gw_back_##sfx (const WinoJob *g, void *dwv)                                     \
  {                                                                                                \
    typedef gwd_##sfx D;                                                                           \
    typedef gwt_##sfx TV;                                                                          \
    const int         nd = VB / 8;                                                                 \
    const gint64      mlen = 16 * g->Ci * g->Cop;                                                  \
    T                *S = (T *) g->sums, *dw = dwv;                                                \
    for (gint64 s = 1; s < g->nsums; s++)                                                          \
      for (gint64 i = 0; i < mlen; i++)                                                            \
        S[i] += S[s * mlen + i];                                                                   \
    for (gint64 c = 0; c < g->Ci; c++)                                                             \
      for (gint64 o0 = 0; o0 < g->Co; o0 += nd)                                                    \
        {                                                                                          \
          D m[16], t[3 * 4];                                                                       \
          for (int e = 0; e < 16; e++)                                                             \
            m[e] = __builtin_convertvector(*(const TV *) (S + (e * g->Ci + c) * g->Cop + o0), D);  \
          /* G^T m: the columns of m (4 x 4) into the columns of t (3 x 4) */                      \
          for (int b = 0; b < 4; b++)                                                              \
            {                                                                                      \
              D h = 0.5 * (m[4 + b] + m[8 + b]);                                                   \
              t[b] = m[b] + h;                                                                     \
              t[4 + b] = 0.5 * (m[4 + b] - m[8 + b]);                                              \
              t[8 + b] = h + m[12 + b];                                                            \
            }                                                                                      \
          /* (G^T m) G: the rows of t into the rows of dw[o, c] (3 x 3) */                         \
          for (int i = 0; i < 3; i++)                                                              \
            {                                                                                      \
              const D *r = t + 4 * i;                                                              \
              D        h = 0.5 * (r[1] + r[2]);                                                    \
              D        d0 = r[0] + h, d1 = 0.5 * (r[1] - r[2]), d2 = h + r[3];                     \
              for (int l = 0; l < nd && o0 + l < g->Co; l++)                                       \
                {                                                                                  \
                  T *d = dw + ((o0 + l) * g->Ci + c) * 9 + 3 * i;                                  \
                  d[0] = (T) d0[l];                                                                \
                  d[1] = (T) d1[l];                                                                \
                  d[2] = (T) d2[l];                                                                \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
  }

DEFINE_GW_BACK (float, f32_base, 16, ATTR_BASE)
DEFINE_GW_BACK (double, f64_base, 16, ATTR_BASE)
#ifdef LT_CPU_X86_ISAS
DEFINE_GW_BACK (float, f32_avx2, 32, ATTR_AVX2)
DEFINE_GW_BACK (double, f64_avx2, 32, ATTR_AVX2)
DEFINE_GW_BACK (float, f32_avx512, 64, ATTR_AVX512)
DEFINE_GW_BACK (double, f64_avx512, 64, ATTR_AVX512)
#endif

/* [isa][float64] */
typedef void (*WinoBack) (const WinoJob *g, void *dw);
static const WinoBack wino_gw_backs[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (gw_back);

/* The filter transform's job: w (forward) or the flipped w (grad input)
 * into U */
typedef struct
{
  const WinoJob *g;
  const void    *w;
  gboolean       gi;
  void          *u;
} WinoFilterJob;

/* The filter transform U = G w G^T (see above) a vector of nd input
 * channels at a time, each channel's arithmetic in double as it would be
 * alone: their U[e] are side by side, and their taps are gathered into
 * vectors first. Part @tid of @np takes its share of the output channels
 * (each writes its own values of U). */
#define DEFINE_FILTER_XFORM(T, sfx, VB, ATTR)                                                      \
  typedef T gwu_##sfx                                                                              \
    __attribute__ ((vector_size (sizeof (T) * (VB / 8)), aligned (sizeof (T)), may_alias));        \
  ATTR static void filter_xform_##sfx (int tid, int np, gpointer data)                             \
  {                                                                                                \
    typedef gwd_##sfx    D;                                                                        \
    typedef gwu_##sfx    TV;                                                                       \
    const WinoFilterJob *job = data;                                                               \
    const WinoJob       *g = job->g;                                                               \
    const gboolean       gi = job->gi;                                                             \
    const int            nd = VB / 8;                                                              \
    const gint64         cc = g->Co * g->Ci;                                                       \
    const T             *w = job->w;                                                               \
    T                   *u = job->u;                                                               \
    gint64               co0, co1;                                                                 \
    _lt_cpu_split (g->Co, tid, np, &co0, &co1);                                                    \
    for (gint64 co = co0; co < co1; co++)                                                          \
      for (gint64 c0 = 0; c0 < g->Ci; c0 += nd)                                                    \
        {                                                                                          \
          int    n = (int) MIN (nd, g->Ci - c0);                                                   \
          double tap[9][VB / 8] __attribute__ ((aligned (VB)));                                    \
          D      f[9], gf[4 * 3], v[16];                                                           \
          for (int l = 0; l < nd; l++)                                                             \
            {                                                                                      \
              /* lanes past the channels repeat the last one */                                    \
              gint64 ci = c0 + MIN (l, n - 1);                                                     \
              gint64 base = gi ? (ci * g->Co + co) * 9 : (co * g->Ci + ci) * 9;                    \
              for (int i = 0; i < 9; i++)                                                          \
                tap[i][l] = w[base + (gi ? 8 - i : i)];                                            \
            }                                                                                      \
          for (int i = 0; i < 9; i++)                                                              \
            f[i] = *(const D *) tap[i];                                                            \
          /* G f: the columns of f into the columns of gf (4 x 3) */                               \
          for (int j = 0; j < 3; j++)                                                              \
            {                                                                                      \
              D even = 0.5 * (f[j] + f[j + 6]), mid = 0.5 * f[j + 3];                              \
              gf[j] = f[j];                                                                        \
              gf[j + 3] = even + mid;                                                              \
              gf[j + 6] = even - mid;                                                              \
              gf[j + 9] = f[j + 6];                                                                \
            }                                                                                      \
          /* (G f) G^T: the rows of gf into the rows of v (4 x 4) */                               \
          for (int a = 0; a < 4; a++)                                                              \
            {                                                                                      \
              const D *r = gf + 3 * a;                                                             \
              D        even = 0.5 * (r[0] + r[2]), mid = 0.5 * r[1];                               \
              v[4 * a] = r[0];                                                                     \
              v[4 * a + 1] = even + mid;                                                           \
              v[4 * a + 2] = even - mid;                                                           \
              v[4 * a + 3] = r[2];                                                                 \
            }                                                                                      \
          for (int e = 0; e < 16; e++)                                                             \
            {                                                                                      \
              T *dst = u + e * cc + co * g->Ci + c0;                                               \
              if (n == nd)                                                                         \
                *(TV *) dst = __builtin_convertvector(v[e], TV);                                   \
              else                                                                                 \
                for (int l = 0; l < n; l++)                                                        \
                  dst[l] = (T) v[e][l];                                                            \
            }                                                                                      \
        }                                                                                          \
  }

DEFINE_FILTER_XFORM (float, f32_base, 16, ATTR_BASE)
DEFINE_FILTER_XFORM (double, f64_base, 16, ATTR_BASE)
#ifdef LT_CPU_X86_ISAS
DEFINE_FILTER_XFORM (float, f32_avx2, 32, ATTR_AVX2)
DEFINE_FILTER_XFORM (double, f64_avx2, 32, ATTR_AVX2)
DEFINE_FILTER_XFORM (float, f32_avx512, 64, ATTR_AVX512)
DEFINE_FILTER_XFORM (double, f64_avx512, 64, ATTR_AVX512)
#endif

/* [isa][float64] */
static const LtCpuParallelFunc wino_filters[LT_CPU_N_ISAS][2] = LT_CPU_ISA_TABLE (filter_xform);

/* Below this many values of U the pool is not worth waking for the
 * filter transform. Measured at batch 32, 2 threads: 64 -> 64 channels of
 * 8 x 8, the forward 0.72 -> 0.59 ms with the transform split; at 32 ->
 * 32 of 16 x 16 no change either way */
#define WINO_PARALLEL_FILTER (16 * 64 * 64)

/* U = G w G^T for the call: split over the pool by output channels where
 * there are enough, else on the calling thread (the values are the same
 * either way) */
static void
filter_transform (const WinoJob *g, const void *w, gboolean gi, void *u, gboolean f32)
{
  WinoFilterJob     job = { g, w, gi, u };
  LtCpuParallelFunc func = wino_filters[_lt_cpu_isa ()][!f32];
  int               nt = _lt_cpu_get_num_threads ();

  if (nt > 1 && g->Co > 1 && 16 * g->Co * g->Ci >= WINO_PARALLEL_FILTER)
    _lt_cpu_parallel ((int) MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD, g->Co), func, &job);
  else
    func (0, 1, &job);
}

/*
 * The grad weight, dw[o, c] = sum over the images and tiles of the
 * convolution of the input patch d with the 2 x 2 tile of dy: F(3x3, 2x2),
 * the forward's algorithm turned around. With the forward's
 * y = A^T ((G w G^T) . (B^T d B)) A, the gradient of sum (dy . y) in w is
 *
 *   dw[o, c] = G^T (sum_t (A dy[o, t] A^T) . (B^T d[c, t] B)) G
 *
 * V[e, c, t] is the forward's input transform; Ud[e, t, o] =
 * (A dy[o, t] A^T)[e] (wg_dy_*) is laid out with the channels along the
 * rows, so that the sum over the tiles t is, for each e, the product
 * (Ci x tiles) by (tiles x Co) of gemm_nn. The filter transform back
 * (4 x 4 -> 3 x 3) is done once, on the total.
 *
 * The blocks of rows of tiles are sized from the shape alone (Ud[e], the
 * tiles by Co panel that each 6 rows of V[e] pass over, within
 * WINO_PANEL_BYTES), and are summed in a fixed number of groups (nsums,
 * from the shape) in the order of the blocks, each group into a sum of its
 * own; the parts take whole groups, and the sums are added in their order
 * at the end: the result does not depend on the thread count.
 */
/* The buffers of one Winograd call (@bytes of the backend's cache), the
 * call counted; NULL with @error set */
static char *
wino_alloc (const LtKernelArgs *args, const WinoJob *g, gsize bytes, GError **error)
{
  char *mem = _lt_cpu_alloc (bytes, NULL);

  if (mem == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "%s: could not allocate the Winograd buffers for %" G_GINT64_FORMAT
                   " and %" G_GINT64_FORMAT " channels",
                   _lt_op_table[args->op].name, g->Ci, g->Co);
      return NULL;
    }
  __atomic_fetch_add (&wino_calls, 1, __ATOMIC_RELAXED);
  return mem;
}

static gboolean
winograd_grad_weight (const LtKernelArgs *args, GError **error)
{
  const LtConvParams *p = &args->params->conv;
  gboolean            f32 = args->out->dtype == LT_DTYPE_FLOAT32;
  gsize               es = f32 ? sizeof (float) : sizeof (double);
  LtTensor           *x = args->in[0], *dy = args->in[1];
  WinoJob             g = { 0 };
  gint64              want, fmas, n_parts, tbytes, mbytes;
  int                 nt = _lt_cpu_get_num_threads ();
  char               *mem;
  gsize               total;

  g.N = x->shape[0];
  g.Ci = x->shape[1];
  g.Hi = x->shape[2];
  g.Wi = x->shape[3];
  g.Co = dy->shape[1];
  g.Ho = dy->shape[2];
  g.Wo = dy->shape[3];
  g.ph = p->padding[0];
  g.pw = p->padding[1];
  g.TH = (g.Ho + 1) / 2;
  g.TW = (g.Wo + 1) / 2;
  g.vmax = WINO_VEC_BYTES / (gint64) es;
  g.Cop = round_up (g.Co, g.vmax);
  g.x = _lt_tensor_data (x);
  g.dy = _lt_tensor_data (dy);

  fmas = g.N * g.Co * g.Ho * g.Wo * g.Ci * 9;
  want = nt > 1 && fmas >= WINO_PARALLEL_FMAS ? (gint64) nt * LT_CPU_PARTS_PER_THREAD : 1;
  g.nblocks = gw_blocks (g.N, g.Co, g.Ho, g.Wo, (gint64) es, &g.rpb);
  mbytes = 16 * g.Ci * g.Cop * (gint64) es;
  g.nsums = MIN (g.nblocks, WINO_GW_SUMS);
  while (g.nsums > 1 && g.nsums * mbytes > WINO_GW_SUM_BYTES)
    g.nsums--;
  n_parts = MAX (1, MIN (want, g.nsums));
  pick_transforms (&g, f32, (gint64) es);
  /* per part: V, Ud, a block's products, a few tiles of Ud and the split
   * input rows */
  g.scratch_bytes = (gsize) round_up ((16 * g.Ci * g.Tps + 16 * g.Tps * g.Cop + 16 * g.Ci * g.Cop +
                                       WINO_DY_TILES * 16 * g.Cop + g.rblen) *
                                        (gint64) es,
                                      WINO_VEC_BYTES);
  tbytes = round_up ((g.Tps + g.Ci) * (gint64) sizeof (gint64), WINO_VEC_BYTES);

  /* the offsets, the sums, then each part's scratch */
  total = (gsize) tbytes + (gsize) (g.nsums * mbytes) + g.scratch_bytes * (gsize) n_parts;
  mem = wino_alloc (args, &g, total, error);
  if (mem == NULL)
    return FALSE;
  g.uoff = (gint64 *) mem;
  g.soff = g.uoff + g.Tps;
  for (gint64 k = 0; k < g.Tps; k++)
    g.uoff[k] = k * g.Cop;
  for (gint64 m = 0; m < g.Ci; m++)
    g.soff[m] = m * g.Cop;
  g.sums = mem + tbytes;
  g.scratch = g.sums + g.nsums * mbytes;
  if (n_parts > 1)
    _lt_cpu_parallel ((int) n_parts, wino_gw_parts[_lt_cpu_isa ()][!f32], &g);
  else
    wino_gw_parts[_lt_cpu_isa ()][!f32](0, 1, &g);
  wino_gw_backs[_lt_cpu_isa ()][!f32](&g, _lt_tensor_data (args->out));
  if (args->grad_bias)
    wino_biases[_lt_cpu_isa ()][!f32](&g, _lt_tensor_data (args->grad_bias));
  _lt_cpu_free (mem, total);
  return TRUE;
}

gboolean
_lt_cpu_conv_winograd (const LtKernelArgs *args, GError **error)
{
  const LtConvParams *p = &args->params->conv;
  gboolean            gi = args->op == LT_OP_CONV2D_GRAD_INPUT;
  gboolean            f32 = args->out->dtype == LT_DTYPE_FLOAT32;
  gsize               es = f32 ? sizeof (float) : sizeof (double);
  LtTensor           *x = args->in[0], *w = args->in[1], *y = args->out;
  WinoJob             g = { 0 };
  gint64              R, cols, want, fmas, n_parts, ubytes;
  int                 nt = _lt_cpu_get_num_threads ();
  char               *mem;

  if (args->op == LT_OP_CONV2D_GRAD_WEIGHT)
    return winograd_grad_weight (args, error);
  g.N = x->shape[0];
  g.Ci = x->shape[1];
  g.Hi = x->shape[2];
  g.Wi = x->shape[3];
  g.Co = y->shape[1];
  g.Ho = y->shape[2];
  g.Wo = y->shape[3];
  /* the grad input is the convolution of dy with padding 2 - p */
  g.ph = gi ? 2 - p->padding[0] : p->padding[0];
  g.pw = gi ? 2 - p->padding[1] : p->padding[1];
  g.TH = (g.Ho + 1) / 2;
  g.TW = (g.Wo + 1) / 2;
  g.vmax = WINO_VEC_BYTES / (gint64) es;
  g.x = _lt_tensor_data (args->in[0]);
  g.b = !gi && args->n_in > 2 ? _lt_tensor_data (args->in[2]) : NULL;
  g.y = _lt_tensor_data (args->out);
  g.relu = !gi && p->relu;

  R = g.N * g.TH;
  fmas = g.N * g.Co * g.Ho * g.Wo * g.Ci * 9;
  want = nt > 1 && fmas >= WINO_PARALLEL_FMAS ? (gint64) nt * LT_CPU_PARTS_PER_THREAD : 1;
  /* rows of tiles per block: V[e] within WINO_PANEL_BYTES, and enough
   * blocks for the parts */
  cols = CLAMP (WINO_PANEL_BYTES / (g.Ci * (gint64) es), WINO_MIN_COLUMNS, WINO_MAX_COLUMNS);
  g.rpb = MAX (cols / g.TW, 1);
  g.rpb = MIN (g.rpb, MAX ((R + want - 1) / want, 1));
  g.nblocks = (R + g.rpb - 1) / g.rpb;
  n_parts = MAX (1, MIN (want, g.nblocks));
  pick_transforms (&g, f32, (gint64) es);
  /* per part: V, M, and the split input rows of a block ((2 rpb + 2) rows
   * of two halves, or the flat transforms' arrays), which the output
   * transform reuses */
  g.scratch_bytes =
    (gsize) round_up ((16 * (g.Ci + g.Co) * g.Tps + g.rblen) * (gint64) es, WINO_VEC_BYTES);
  ubytes = round_up (16 * g.Co * g.Ci * (gint64) es, WINO_VEC_BYTES) +
           round_up ((g.Ci + g.Co) * (gint64) sizeof (gint64), WINO_VEC_BYTES);

  /* U, the offsets, then each part's V, M and split rows */
  mem = wino_alloc (args, &g, (gsize) ubytes + g.scratch_bytes * (gsize) n_parts, error);
  if (mem == NULL)
    return FALSE;
  filter_transform (&g, _lt_tensor_data (w), gi, mem, f32);
  g.u = mem;
  g.boff = (gint64 *) (mem + round_up (16 * g.Co * g.Ci * (gint64) es, WINO_VEC_BYTES));
  g.coff = g.boff + g.Ci;
  for (gint64 k = 0; k < MAX (g.Ci, g.Co); k++)
    {
      if (k < g.Ci)
        g.boff[k] = k * g.Tps;
      if (k < g.Co)
        g.coff[k] = k * g.Tps;
    }
  g.scratch = mem + ubytes;
  if (n_parts > 1)
    _lt_cpu_parallel ((int) n_parts, wino_parts[_lt_cpu_isa ()][!f32], &g);
  else
    wino_parts[_lt_cpu_isa ()][!f32](0, 1, &g);
  _lt_cpu_free (mem, (gsize) ubytes + g.scratch_bytes * (gsize) n_parts);
  return TRUE;
}
