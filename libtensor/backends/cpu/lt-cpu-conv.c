/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lt-cpu-private.h"
#include "lt-cpu-conv-kernels-private.h"

/*
 * 2-D convolution (torch.nn.functional.conv2d), forward and the two
 * kernels of its backward rule, as matrix products over columns:
 *
 *   x: (N, C, H, W)   w: (O, Cg, kH, kW)   b: (O)   y: (N, O, OH, OW)
 *   Cg = C / groups, Og = O / groups, OH = (H + 2 pH - dH (kH - 1) - 1) / sH + 1
 *   y[n, o, oh, ow] = b[o] + sum_{c, i, j} w[o, c, i, j]
 *                       x[n, g Cg + c, oh sH - pH + i dH, ow sW - pW + j dW]
 *   (g = o / Og; x is zero outside the image)
 *
 * For one group and a chunk of images, let B (K, L) hold the columns,
 * K = Cg kH kW (row k = (c, i, j), w's layout), and w_g (Og, K),
 * dy_g (Og, L) (dy copied into B's column layout, zero elsewhere):
 *
 *   forward       y_g  = w_g @ B + b_g
 *   grad weight   dw_g += dy_g @ B^T                   (summed over chunks)
 *   grad input    dB   = w_g^T @ dy_g, folded back into dx
 *
 * B comes in one of two shapes:
 *
 * - Wide rows (stride 1, and strides whose phases the filter all uses): the
 *   images are copied into a zero-padded buffer xp, Hp = H + 2 pH,
 *   Wp = W + 2 pW, split into its sH x sW phases: phase (a, b) holds the
 *   padded pixels (h sH + a, w sW + b), a plane of Hq = ceil (Hp / sH) by
 *   Wq = ceil (Wp / sW); xp is (Cg, sH, sW, images, Hq, Wq). Filter tap
 *   (i, j) of a strided window then reads phase ((i dH) % sH, (j dW) % sW)
 *   at the stride-1 offset ((i dH) / sH) Wq + (j dW) / sW, and the outputs
 *   are computed Wq wide and Hq apart (the extra columns are dropped; dy
 *   is zero there). Row k of B is xp itself from offset off[k]: nothing is
 *   unfolded, and a stride-2 3x3 layer copies each pixel once instead of
 *   2.25 times. For stride 1 there is one phase, xp is the padded image.
 *   Shifted (stride 1, the forward and the weight gradient of at least 12
 *   outputs a group, geom_init ()): xp holds instead kW copies of it, copy
 *   j shifted left by j dW and OW wide, so that Wq = OW and no column is
 *   wasted; tap (i, j) reads copy j from row i dH.
 *   Inter (stride 1, the forward and the weight gradient where it saves
 *   16 multiply-adds an output, geom_init ()): each row of xp holds that
 *   row of the chunk's images side by side, so that the last rows of an
 *   image's plane, which one after the other they would compute for
 *   nothing, are not computed.
 *   The phases are written a row at a time, each row whole (pixels and
 *   zeros) in vectors, so nothing is cleared first. The grad input takes
 *   wide rows at stride 1 only; its columns are folded back with one pass
 *   per (c, i) that adds the kW shifted rows in registers.
 * - Unfolded columns (im2col, as Caffe) for other strides: col (K, L),
 *   image n at column n P (forward, grad input) or n Pp (grad weight),
 *   Pp = OH OW rounded up to whole vectors. The grad input folds them
 *   back into a zero-padded copy of the image, whose rows take every tap
 *   without bounds (at stride 2 a vector of columns at a time), then
 *   copies its pixels out.
 *
 * At strides above 1 the grad input of layers of at least MR input
 * channels a group goes by phases instead (phase_pitch ()): the pixels
 * (u sH + a, v sW + b) of the padded image take only the taps (i, j) with
 * i dH = a (mod sH), j dW = b (mod sW), each from dy at (u - i dH / sH,
 * v - j dW / sW), a stride-1 correlation. dy is copied into a buffer with
 * zeros after each row and image, and each phase is one product
 *
 *   out_ab (Cg, L) = w_g^T (Cg, the phase's taps) @ dy's rows for those taps
 *
 * whose columns are the phase's pixels, Wr to a row (gemm_nn_cols (),
 * which reads w_g^T's columns where w has them), then interleaved into
 * dx: nothing is folded. Where the phases' planes would waste more than
 * half of their columns (tiny images) the fold stays.
 *
 * L is rounded up to whole SIMD vectors. The products have one small
 * dimension (Og or K) and one long one (L), which BLAS handles poorly (it
 * packs the long operand for a few rows of work), so they are written here
 * with GCC vector types: register blocks of 6 rows by 2 vectors, compiled
 * for AVX-512, AVX2 + FMA and the baseline and chosen at run time
 * (LT_CPU_ISA=avx2 or base narrows the choice). Every op works on chunks
 * of images side by side where the images are small (unit_chunk (),
 * grad_weight_chunk ()), so that a product has enough columns and the
 * copies' fixed costs are shared; the weight gradient keeps its sums as
 * vectors across chunks and adds their lanes once at the end.
 *
 * Chunks of images are split across the backend's pool, each part with its own
 * scratch (and its own weight-gradient sums, added up in order at the end,
 * so the result does not depend on timing); nothing is allocated per image.
 * A batch too small to give every thread images is split by blocks of rows
 * of the products instead (split_rows ()), and the weight gradient of a few
 * vectors of columns is computed as dy @ B^T (dw_chunk ()).
 */

/* The widest vector of the kernels below, in bytes; buffers are padded to it */
#define CONV_VEC_BYTES 64
/* Below this many multiply-adds the pool is not worth waking */
#define CONV_PARALLEL_FMAS (1 << 18)
/* Vector partial sums of the weight gradient up to this many elements;
 * where several parts run, each with sums of its own that every chunk
 * reads and writes again, up to CONV_MAX_PART_SUMS (512 KiB of float32, so
 * that each stays in its core's L2 cache): beyond it the parts' traffic
 * to the shared cache costs more than adding the lanes of each block */
#define CONV_MAX_VEC_SUMS (1 << 20)
#define CONV_MAX_PART_SUMS (1 << 17)
/* The weight gradient's chunks reach this many columns, and their images
 * stay under this many elements */
#define CONV_CHUNK_COLUMNS 1024
#define CONV_CHUNK_ELEMENTS (256 * 1024)
/* dy @ B^T (dw_chunk) in blocks of this many columns of B^T: a panel of at
 * most 16 vectors of rows (see g->wt) by 256 columns, 64 KiB of float32 */
#define CONV_WT_COLUMNS 256

/* One phase (a, b) of the grad input by phases: taps [k0, k0 + nk) of
 * the tables; the real pixels of its plane are the rows [ulo, ulo + rows)
 * and the columns [vlo, vlo + cols) */
typedef struct
{
  gint64 k0, nk;
  gint64 ulo, rows, vlo, cols;
} ConvPhase;

typedef struct
{
  gint64 N, C, H, W;
  gint64 O, OH, OW;
  gint64 kh, kw, sh, sw, ph, pw, dh, dw;
  gint64 groups, Cg, Og;
  gint64 K;            /* Cg kh kw */
  gint64 P;            /* OH OW */
  gint64 vmax;         /* elements in CONV_VEC_BYTES */
  gboolean wide;
  gint64 Hp, Wp;       /* wide: the padded image */
  gint64        Hq, Wq;       /* wide: a phase plane, ceil (Hp / sh) by ceil (Wp / sw) */
  gboolean      shifted;      /* wide: kW shifted copies (stride 1), OW wide; see geom_init () */
  gint64        nb;           /* wide: planes per row phase: sw, or kw when shifted */
  gint64        cstride;      /* columns an image takes: Hq Wq or Pp */
  gboolean      inter;  /* wide: the chunk's images side by side in each row; see geom_init () */
  gint64        istep;  /* columns from one image to the next: cstride, or Wq (inter) */
  gint64        rpitch; /* columns from one output row to the next: Wq, nc Wq (inter) or OW */
  gint64 nc;           /* images per chunk */
  gint64 L, Lp;        /* columns of a chunk, and rounded up to vmax */
  gint64 xlen;         /* elements of the B buffer: xp or col */
  gint64 padl, Ls;     /* wide grad input: zeros before each dB row; its length */
  gboolean vec_sums;   /* the weight gradient keeps vector sums */
  gboolean      wt;         /* the weight gradient as dy @ B^T with B^T copied out */
  gint64        Kp;         /* wt: K rounded up to vmax */
  const gint64 *trows;      /* wt: trows[j] = j Kp, for j < Lp */
  const gint64 *orows;      /* wt: orows[o] = o Kp, for o < Og */
  const gint64 *wrows;      /* wt: wrows[o] = o K (dw's rows), for o < Og */
  gsize         bt_offset;  /* wt: bytes into a part's scratch: B^T (Lp, Kp), then (Og, Kp) */
  gint64        rsplit;     /* row blocks per (image or chunk, group); see split_rows () */
  gint64        rblock;     /* rows of a block: outputs (forward, grad weight) or
                             * input channels (grad input) */
  /* the grad input by phases (kind 1 at strides above 1; see phase_pitch ()) */
  gboolean         phased;
  gint64           Rr, Wr;   /* phased: the rows and columns of an image of dy's buffer */
  gint64           NU, NV;   /* phased: the most real rows, columns of a phase plane */
  gint64           slo, shi; /* phased: the least and most shift of a tap's reads */
  gint64           oplane;   /* phased: elements of a channel of dy's buffer */
  const ConvPhase *phases;   /* phased: sh sw of them, phase (a, b) at a sw + b */
  const gint64    *ptap;     /* phased: dy's buffer offset of each tap, by phase */
  const gint64    *pcol;     /* phased: each tap's column of w_g (Cg, Og kh kw), by phase */
  const gint64 *off;   /* row k of B starts at B + off[k] */
  const gint64 *rows;  /* rows[i] = i Lp */
  const gint64 *drows; /* wide grad input: row k of dB at k Ls + padl */
} ConvGeom;

static gint64
round_up (gint64 v,
          gint64 m)
{
  return (v + m - 1) / m * m;
}

/* One axis of the grad input by phases: phase a of stride @s holds the
 * padded pixels u s + a; its real ones (not padding) are u in [*lo, *lo + *n) */
static void
phase_span (gint64 size, gint64 pad, gint64 s, gint64 a, gint64 *lo, gint64 *n)
{
  gint64 last = size - 1 + pad; /* the last real pixel, padded */
  gint64 l = pad > a ? (pad - a + s - 1) / s : 0;
  gint64 h = last >= a ? (last - a) / s + 1 : 0;

  *lo = l;
  *n = MAX (h - l, 0);
}

/*
 * The grad input of a strided convolution by phases: pixel u s + a of the
 * padded image (one axis shown) takes the taps i with i d = a (mod s),
 * t = i d / s, each from dy at u - t: within a phase the grad input is a
 * stride-1 correlation of dy. dy goes into a buffer of images @return
 * pitch apart (along the other axis, each row as many columns apart), dy's
 * @out pixels first and zeros after, so that reading at u - t needs no
 * bounds: the pitch holds every read of the image's real pixels (rows
 * past @out read zeros, rows before 0 the previous image's zeros). Sets
 * *most to the most real pixels of a phase, *slo and *shi to the least
 * and most start (lo - t) of a tap's reads.
 */
static gint64
phase_pitch (gint64  size,
             gint64  pad,
             gint64  s,
             gint64  k,
             gint64  d,
             gint64  out,
             gint64 *most,
             gint64 *slo,
             gint64 *shi)
{
  gint64 rlo = 0, rhi = out - 1, nmax = 0, lo, n;

  *slo = G_MAXINT64;
  *shi = G_MININT64;
  for (gint64 a = 0; a < s; a++)
    {
      phase_span (size, pad, s, a, &lo, &n);
      nmax = MAX (nmax, n);
      for (gint64 i = 0; i < k; i++)
        if (i * d % s == a)
          {
            gint64 t = i * d / s;

            *slo = MIN (*slo, lo - t);
            *shi = MAX (*shi, lo - t);
            if (n > 0)
              {
                rlo = MIN (rlo, lo - t);
                rhi = MAX (rhi, lo + n - 1 - t);
              }
          }
    }
  *most = nmax;
  return MAX (MAX (nmax, rhi + 1), out - rlo);
}

/* Whether the taps i d of a filter of @k taps meet every residue modulo @s */
static gboolean
all_phases (gint64 k, gint64 d, gint64 s)
{
  if (s > 64)
    return FALSE;
  for (gint64 a = 0; a < s; a++)
    {
      gboolean hit = FALSE;

      for (gint64 i = 0; i < k && !hit; i++)
        hit = (i * d) % s == a;
      if (!hit)
        return FALSE;
    }
  return TRUE;
}

/* @xs, @ws, @ys: the shapes of the input (N, C, H, W), the weight
 * (O, C / groups, kh, kw) and the output (N, O, OH, OW) */
static void
geom_init (ConvGeom           *g,
           const gint64       *xs,
           const gint64       *ws,
           const gint64       *ys,
           const LtConvParams *p,
           gsize               es,
           int                 kind)
{
  g->N = xs[0];
  g->C = xs[1];
  g->H = xs[2];
  g->W = xs[3];
  g->O = ws[0];
  g->kh = ws[2];
  g->kw = ws[3];
  g->OH = ys[2];
  g->OW = ys[3];
  g->sh = p->stride[0];
  g->sw = p->stride[1];
  g->ph = p->padding[0];
  g->pw = p->padding[1];
  g->dh = p->dilation[0];
  g->dw = p->dilation[1];
  g->groups = p->groups;
  g->Cg = g->C / g->groups;
  g->Og = g->O / g->groups;
  g->K = g->Cg * g->kh * g->kw;
  g->P = g->OH * g->OW;
  g->vmax = CONV_VEC_BYTES / (gint64) es;
  g->Hp = g->H + 2 * g->ph;
  g->Wp = g->W + 2 * g->pw;
  /* rounded up without overflow: a hostile stride can be near 2^63 */
  g->Hq = g->Hp / g->sh + (g->Hp % g->sh != 0);
  g->Wq = g->Wp / g->sw + (g->Wp % g->sw != 0);
  /* wide rows waste Wq - OW columns of each row: take them while at least
   * half of the work is useful. At strides above 1 they also need filter
   * taps that meet every phase (a 1x1 stride-2 filter reads one phase of
   * four: its columns are unfolded), and they pay off in the forward and
   * the weight gradient of products at least 16 deep (K): the phases
   * replace K unfolded rows by one copy of the image, while the outputs
   * and dy still move row by row. The grad input keeps unfolded columns
   * there: folding back into the phases cost more than it saved. */
  if (g->sh == 1 && g->sw == 1)
    g->wide = 2 * g->OW >= g->Wq;
  else
    g->wide = kind != 1 && g->K >= 16 && 2 * g->OW >= g->Wq && all_phases (g->kh, g->dh, g->sh) &&
              all_phases (g->kw, g->dw, g->sw);
  /* Shifted wide rows (stride 1, the forward and the weight gradient):
   * xp holds kW copies of the padded image, copy j shifted left by j dW
   * and cut to OW columns, so that tap (i, j) reads copy j from row i dH.
   * The rows then waste none of the (kW - 1) dW columns in every Wq of a
   * wide row (12% of a 5x5 layer's products at 28 x 28), and outputs and
   * dy move as whole images instead of row by row. The kW - 1 extra
   * copies of the image are shared by the Og rows of the products: with
   * at least two register blocks of them (2 MR) they measured no slower,
   * with fewer (a 3 -> 6 5x5 layer) 10-15% slower. An image's copies
   * must fit the chunk's budget (CONV_CHUNK_ELEMENTS, the L2 cache): a
   * 3 -> 64 layer at 224 x 224, three times its wide image, took 8-20%
   * longer in the weight gradient. (The grad input folds its wide rows
   * back Wq wide.) */
  g->shifted = g->wide && kind != 1 && g->sh == 1 && g->sw == 1 && g->kw > 1 && g->Og >= 2 * MR &&
               g->Cg * g->kw * g->Hp * g->OW <= CONV_CHUNK_ELEMENTS;
  g->nb = g->shifted ? g->kw : g->sw;
  if (g->shifted)
    g->Wq = g->OW;
  /* the grad input at strides above 1 goes by phases (phase_pitch ()),
   * one product per phase straight into its pixels, where the products
   * have MR rows of channels and the phases' planes waste at most half of
   * their columns; else it folds unfolded columns back. The fold costs
   * about as much as 16 multiply-adds for each of its elements, one per
   * Og of the product's, and the planes' wasted columns cost all Og:
   * phases where waste x Og stays under 16 */
  g->phased = FALSE;
  if (kind == 1 && !g->wide && (g->sh > 1 || g->sw > 1) && g->sh <= 8 && g->sw <= 8 && g->Cg >= MR)
    {
      gint64 rlo, rhi, clo, chi, computed;

      g->Rr = phase_pitch (g->H, g->ph, g->sh, g->kh, g->dh, g->OH, &g->NU, &rlo, &rhi);
      g->Wr = phase_pitch (g->W, g->pw, g->sw, g->kw, g->dw, g->OW, &g->NV, &clo, &chi);
      g->slo = rlo * g->Wr + clo;
      g->shi = rhi * g->Wr + chi;
      computed = g->sh * g->sw * g->Rr * g->Wr;
      g->phased = computed <= 2 * g->H * g->W && computed - g->H * g->W <= 16 * g->H * g->W / g->Og;
    }
  /* unfolded columns: the forward and the grad input pack a chunk's images
   * back to back (each column is a sum of its own); the weight gradient
   * starts each image at a vector, so that its vector sums see an image's
   * columns in the same lanes whatever the chunk */
  g->cstride = g->wide     ? g->Hq * g->Wq
               : g->phased ? g->Rr * g->Wr
               : kind == 2 ? round_up (g->P, g->vmax)
                           : g->P;
  /* Rows of images side by side (stride 1, the forward and the weight
   * gradient): each row of xp holds that row of the chunk's nc images one
   * after the other, xp (Cg, nb, Hq, nc, Wq), so that tap (i, j) reads
   * i dH nc Wq + j dW on and output row oh of image n is column
   * oh nc Wq + n Wq. Images one after the other compute the last
   * (kH - 1) dH rows of each image's plane for nothing: 29% of the
   * products of a 5x5 layer at 14 x 14 (the tutorial's second), 12% at
   * 28 x 28. Outputs and dy then move a row at a time, which costs more
   * than the rows save in shallow products: taken where they save at
   * least 16 multiply-adds an output (K (Hq - OH) >= 16 OH). A 3x3 layer
   * of one input channel at 28 x 28 (0.6 an output) measured 8% slower
   * with them. The grad input folds its columns back image by image
   * (fold ()). */
  g->inter =
    g->wide && kind != 1 && g->sh == 1 && g->sw == 1 && g->K * (g->Hq - g->OH) >= 16 * g->OH;
  g->istep = g->inter ? g->Wq : g->cstride;
  g->rpitch = g->wide ? g->Wq : g->OW;
  g->vec_sums = g->Og * g->K * g->vmax <= CONV_MAX_VEC_SUMS;
}

/* Sizes for chunks of @nc images */
static void
geom_chunk (ConvGeom *g,
            gint64    nc)
{
  gint64 reach = (g->kw - 1) * g->dw;

  g->nc = nc;
  g->L = (nc - 1) * g->cstride + (g->wide ? g->OH * g->Wq : g->cstride);
  if (g->inter)
    {
      g->rpitch = nc * g->Wq;
      g->L = g->OH * g->rpitch;
    }
  g->Lp = round_up (g->L, g->vmax);
  g->xlen = g->wide
              ? round_up (g->Cg * g->sh * g->nb * nc * g->Hq * g->Wq + reach + 2 * g->vmax, g->vmax)
              : g->K * g->Lp;
  g->padl = g->wide ? round_up (reach, g->vmax) : 0;
  g->Ls = g->wide ? g->padl + g->Lp + round_up (reach, g->vmax) + g->vmax : g->Lp;
  if (g->phased)
    {
      /* dy's buffer, per channel: zeros before the first image, that the
       * least shift reads, the images, and after them the most shift's
       * reads past the columns and the last vector of a row copied in */
      g->L = (nc - 1) * g->cstride + g->NU * g->Wr;
      g->Lp = round_up (g->L, g->vmax);
      g->padl = round_up (MAX (-g->slo, 0), g->vmax);
      g->oplane =
        round_up (g->padl + MAX (g->Lp + MAX (g->shi, 0), nc * g->cstride) + g->vmax, g->vmax);
      g->xlen = g->Og * g->oplane;
    }
}

/* Chunks of nc images over the batch; the last may hold fewer */
static inline gint64
n_chunks (const ConvGeom *g)
{
  return (g->N + g->nc - 1) / g->nc;
}

/* The output columns [*lo, *hi) whose input column ow * s + off lies in
 * [0, W). */
static inline void
span (gint64  off,
      gint64  s,
      gint64  W,
      gint64  OW,
      gint64 *lo,
      gint64 *hi)
{
  /* ceil (a / s) as (a - 1) / s + 1: a stride near 2^63 must not wrap */
  gint64 l = off >= 0 ? 0 : (-off - 1) / s + 1;
  gint64 h = off >= W ? 0 : (W - off - 1) / s + 1;

  h = MIN (h, OW);
  *lo = MIN (l, h);
  *hi = h;
}

/* Unit @u of the forward or the grad input (units: chunk of images,
 * group, block of rsplit rows, in that order): images [*n0, *n0 + *m) of
 * group *group, rows [*r0, *r1) of @rows (output or input channels).
 * Returns the (chunk, group) index, which names the unit's copies. */
static inline gint64
unit_at (const ConvGeom *g,
         gint64          u,
         gint64          rows,
         gint64         *n0,
         gint64         *m,
         gint64         *group,
         gint64         *r0,
         gint64         *r1)
{
  gint64 cg = u / g->rsplit;

  *n0 = cg / g->groups * g->nc;
  *group = cg % g->groups;
  *m = MIN (g->nc, g->N - *n0);
  *r0 = MIN (u % g->rsplit * g->rblock, rows);
  *r1 = MIN (*r0 + g->rblock, rows);
  return cg;
}

typedef struct
{
  const ConvGeom *g;
  const void *x, *w, *b, *dy;    /* inputs, as the op has them */
  void *y, *dx, *dw, *db;        /* outputs */
  char *scratch;                 /* per part: scratch_bytes each */
  gsize scratch_bytes;
  gsize sums_offset;             /* bytes into a part's scratch: dw (O, K), db (O) */
  int n_parts;
  gboolean        relu; /* forward: store relu (y) (LtConvParams.relu) */
} ConvJob;

/*
 * Everything below is compiled once per instruction set (DEFINE_CONV).
 *
 *   gemm_nn: lt-cpu-conv-kernels-private.h
 *   gemm_nt: S[m, k] += sum_j A[m lda + j] B[boff[k] + j]
 *            for m < M, k < K, j < L; L a multiple of the vector length;
 *            S is the vector (m K + k) of @sums when given (its lanes are
 *            added up later), else C[m ldc + k]
 *
 * Register blocks of 6 rows by 2 vectors (nn), 6 rows of A by 2 rows of B
 * (nt): 12 independent sums, enough to hide the multiply-add latency. The
 * edges take the same code with fewer rows or vectors.
 */

#define KRMAX 4
#define NT_CASE(sfx, mr, kr)                                                             \
  case (mr) * KRMAX + (kr) - 1:                                                          \
    nt_block_##sfx (mr, kr, K, L, Am, lda, B, boff + k, Sm, ldc, sums);                  \
    break

#define NT_ROW(sfx, mr) \
  NT_CASE (sfx, mr, 4); NT_CASE (sfx, mr, 3); NT_CASE (sfx, mr, 2); NT_CASE (sfx, mr, 1)

#define DEFINE_CONV(T, IT, sfx, VB, ATTR, KR)                                                      \
  typedef T  vec_##sfx __attribute__ ((vector_size (VB), aligned (sizeof (T)), may_alias));        \
  typedef IT ivec_##sfx __attribute__ ((vector_size (VB)));                                        \
                                                                                                   \
  DEFINE_GEMM_NN (T, vec_##sfx, sfx, VB, ATTR)                                                     \
                                                                                                   \
  ATTR static inline __attribute__ ((always_inline)) void nt_block_##sfx (                         \
    const int mr, const int kr, gint64 K, gint64 L, const T *A, gint64 lda, const T *B,            \
    const gint64 *boff, T *S, gint64 ldc, T *sums)                                                 \
  {                                                                                                \
    typedef vec_##sfx V;                                                                           \
    const int         vl = VB / sizeof (T);                                                        \
    const T          *bp[KRMAX];                                                                   \
    V                 acc[MR][KRMAX];                                                              \
    for (int q = 0; q < kr; q++)                                                                   \
      bp[q] = B + boff[q];                                                                         \
    for (int r = 0; r < mr; r++)                                                                   \
      for (int q = 0; q < kr; q++)                                                                 \
        acc[r][q] = sums ? V_LOAD (S + (r * K + q) * vl) : (V){};                                  \
    for (gint64 j = 0; j < L; j += vl)                                                             \
      {                                                                                            \
        V b[KRMAX];                                                                                \
        for (int q = 0; q < kr; q++)                                                               \
          b[q] = V_LOAD (bp[q] + j);                                                               \
        for (int r = 0; r < mr; r++)                                                               \
          {                                                                                        \
            V a = V_LOAD (A + r * lda + j);                                                        \
            for (int q = 0; q < kr; q++)                                                           \
              acc[r][q] += a * b[q];                                                               \
          }                                                                                        \
      }                                                                                            \
    for (int r = 0; r < mr; r++)                                                                   \
      for (int q = 0; q < kr; q++)                                                                 \
        {                                                                                          \
          if (sums)                                                                                \
            V_STORE (S + (r * K + q) * vl, acc[r][q]);                                             \
          else                                                                                     \
            {                                                                                      \
              T s = 0;                                                                             \
              for (int l = 0; l < vl; l++)                                                         \
                s += acc[r][q][l];                                                                 \
              S[r * ldc + q] += s;                                                                 \
            }                                                                                      \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* Blocks of 6 rows of A by KR rows of B: KR = 4 where 32 registers hold the                     \
   * 24 sums (AVX-512), else 2 */                                                                  \
  ATTR static void gemm_nt_##sfx (gint64 M, gint64 K, gint64 L, const T *A, gint64 lda,            \
                                  const T *B, const gint64 *boff, T *C, gint64 ldc, T *sums)       \
  {                                                                                                \
    const int vl = VB / sizeof (T);                                                                \
    for (gint64 m = 0; m < M; m += MR)                                                             \
      for (gint64 k = 0; k < K; k += KR)                                                           \
        {                                                                                          \
          const T *Am = A + m * lda;                                                               \
          T       *Sm = sums ? sums + (m * K + k) * vl : C + m * ldc + k;                          \
          switch ((int) MIN (MR, M - m) * KRMAX + (int) MIN (KR, K - k) - 1)                       \
            {                                                                                      \
              NT_ROW (sfx, 6);                                                                     \
              NT_ROW (sfx, 5);                                                                     \
              NT_ROW (sfx, 4);                                                                     \
              NT_ROW (sfx, 3);                                                                     \
              NT_ROW (sfx, 2);                                                                     \
              NT_CASE (sfx, 1, 4);                                                                 \
              NT_CASE (sfx, 1, 3);                                                                 \
              NT_CASE (sfx, 1, 2);                                                                 \
              default:                                                                             \
                nt_block_##sfx (1, 1, K, L, Am, lda, B, boff + k, Sm, ldc, sums);                  \
            }                                                                                      \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* load_images () of the wide rows at a horizontal stride of 2: as its                           \
   * general loop, but the two column phases b = 0 and 1 of an image row                           \
   * come from the same two vectors of x (its even and its odd elements),                          \
   * so the rows go in the order (c, a, n, r) and each writes both planes.                         \
   * A vector of plane b = 0 that would run past the plane's end, into                             \
   * plane b = 1's rows already written, is stored exactly. */                                     \
  ATTR static void load_phases2_##sfx (const ConvGeom *g, const T *x, T *buf, gint64 n0, gint64 m, \
                                       gint64 group, ivec_##sfx even, ivec_##sfx odd,              \
                                       ivec_##sfx lane)                                            \
  {                                                                                                \
    typedef vec_##sfx  V;                                                                          \
    typedef ivec_##sfx IV;                                                                         \
    const int          vl = VB / sizeof (T);                                                       \
    gint64             pl = g->nc * g->Hq * g->Wq;                                                 \
    gint64             total = g->N * g->C * g->H * g->W;                                          \
    for (gint64 c = 0; c < g->Cg; c++)                                                             \
      for (gint64 a = 0; a < g->sh; a++)                                                           \
        {                                                                                          \
          T *d0 = buf + (c * g->sh + a) * 2 * pl;                                                  \
          for (gint64 n = 0; n < g->nc; n++)                                                       \
            for (gint64 r = 0; r < g->Hq; r++, d0 += g->Wq)                                        \
              {                                                                                    \
                T     *d1 = d0 + pl;                                                               \
                gint64 h = r * g->sh + a - g->ph, row;                                             \
                /* columns of this row's vectors that stay inside plane b = 0 */                   \
                gint64 room = pl - (n * g->Hq + r) * g->Wq;                                        \
                if (n >= m || h < 0 || h >= g->H)                                                  \
                  {                                                                                \
                    for (gint64 q = 0; q < g->Wq; q += vl)                                         \
                      {                                                                            \
                        V_STORE (d1 + q, (V){});                                                   \
                        if (q + vl <= room)                                                        \
                          V_STORE (d0 + q, (V){});                                                 \
                        else                                                                       \
                          memset (d0 + q, 0, MIN (vl, g->Wq - q) * sizeof (T));                    \
                      }                                                                            \
                    continue;                                                                      \
                  }                                                                                \
                row = ((n0 + n) * g->C + group * g->Cg + c) * g->H * g->W + h * g->W;              \
                for (gint64 q = 0; q < g->Wq; q += vl)                                             \
                  {                                                                                \
                    gint64 w0 = 2 * q - g->pw;                                                     \
                    if (row + w0 >= 0 && row + w0 + 2 * vl <= total)                               \
                      {                                                                            \
                        const T *sp = x + row + w0;                                                \
                        V        lo = V_LOAD (sp), hi = V_LOAD (sp + vl);                          \
                        IV       wv = lane * 2 + (IT) w0;                                          \
                        IV       in0 = (wv >= 0) & (wv < (IT) g->W);                               \
                        IV       in1 = (wv + 1 >= 0) & (wv + 1 < (IT) g->W);                       \
                        V        v0 = (V) ((IV) V_SHUFFLE2 (lo, hi, even) & in0);                  \
                        V        v1 = (V) ((IV) V_SHUFFLE2 (lo, hi, odd) & in1);                   \
                        V_STORE (d1 + q, v1);                                                      \
                        if (q + vl <= room)                                                        \
                          V_STORE (d0 + q, v0);                                                    \
                        else                                                                       \
                          for (gint64 l = 0; l < MIN (vl, g->Wq - q); l++)                         \
                            d0[q + l] = v0[l];                                                     \
                      }                                                                            \
                    else                                                                           \
                      for (gint64 l = 0; l < MIN (vl, g->Wq - q); l++)                             \
                        {                                                                          \
                          gint64 w = w0 + 2 * l;                                                   \
                          d0[q + l] = w >= 0 && w < g->W ? x[row + w] : 0;                         \
                          d1[q + l] = w + 1 >= 0 && w + 1 < g->W ? x[row + w + 1] : 0;             \
                        }                                                                          \
                  }                                                                                \
              }                                                                                    \
        }                                                                                          \
    memset (buf + g->Cg * g->sh * 2 * pl, 0, (g->xlen - g->Cg * g->sh * 2 * pl) * sizeof (T));     \
  }                                                                                                \
                                                                                                   \
  /* The B buffer for images [n0, n0 + m) of a chunk of nc, group @group:                          \
   * xp (wide) or the unfolded columns. Every element the products read is                         \
   * written once: a pixel, or a zero (the padding, the images m .. nc - 1                         \
   * of a short last chunk, the columns past the images) */                                        \
  ATTR static void load_images_##sfx (const ConvGeom *g, const T *x, T *buf, gint64 n0, gint64 m,  \
                                      gint64 group)                                                \
  {                                                                                                \
    typedef vec_##sfx  V;                                                                          \
    typedef ivec_##sfx IV;                                                                         \
    const int          vl = VB / sizeof (T);                                                       \
    IV                 even, odd, lane;                                                            \
    gint64             kk = g->kh * g->kw;                                                         \
    /* stride 2: every other element of two vectors */                                             \
    CONV_SPLIT_INDICES (even, odd, vl);                                                            \
    for (int l = 0; l < vl; l++)                                                                   \
      lane[l] = l;                                                                                 \
    if (g->wide && CONV_HAVE_SHUFFLE && g->sw == 2)                                                \
      {                                                                                            \
        load_phases2_##sfx (g, x, buf, n0, m, group, even, odd, lane);                             \
        return;                                                                                    \
      }                                                                                            \
    if (g->wide)                                                                                   \
      {                                                                                            \
        gint64   images = g->Cg * g->sh * g->nb * g->nc * g->Hq * g->Wq;                           \
        gint64   bstep = g->shifted ? g->dw : 1;                                                   \
        gint64   total = g->N * g->C * g->H * g->W;                                                \
        gboolean vec = g->sw == 1; /* stride 2: load_phases2 () above */                           \
        T       *dst = buf;                                                                        \
        /* the phase rows in memory order (c, a, b, n, r), each a vector at a                      \
         * time: a vector past a row's end runs into the next row, written                         \
         * after it (the last one into the tail, cleared after), so rows                           \
         * shorter than a vector take the vector path too. Lane l of phase                         \
         * b's row holds pixel w = (q + l) sw + b - pw of the image's row                          \
         * (shifted: copy b's, w = q + l + b dW - pW),                                             \
         * or a zero outside [0, W); the loads stay inside x. */                                   \
        if (vec && g->Wq <= vl)                                                                    \
          {                                                                                        \
            /* rows of one vector (small images, shifted copies): a plane's                        \
             * mask of the lanes inside [0, W) serves every row */                                 \
            for (gint64 c = 0; c < g->Cg; c++)                                                     \
              for (gint64 a = 0; a < g->sh; a++)                                                   \
                for (gint64 b = 0; b < g->nb; b++)                                                 \
                  {                                                                                \
                    gint64 w0 = b * bstep - g->pw;                                                 \
                    IV     wv = lane + (IT) w0;                                                    \
                    IV     in = (wv >= 0) & (wv < (IT) g->W);                                      \
                    for (gint64 t1 = 0; t1 < (g->inter ? g->Hq : g->nc); t1++)                     \
                      for (gint64 t2 = 0; t2 < (g->inter ? g->nc : g->Hq); t2++, dst += g->Wq)     \
                        {                                                                          \
                          gint64 n = g->inter ? t2 : t1, r = g->inter ? t1 : t2;                   \
                          gint64 h = r * g->sh + a - g->ph, at;                                    \
                          if (n >= m || h < 0 || h >= g->H)                                        \
                            {                                                                      \
                              V_STORE (dst, (V){});                                                \
                              continue;                                                            \
                            }                                                                      \
                          at =                                                                     \
                            ((n0 + n) * g->C + group * g->Cg + c) * g->H * g->W + h * g->W + w0;   \
                          if (at >= 0 && at + vl <= total)                                         \
                            V_STORE (dst, (V) ((IV) V_LOAD (x + at) & in));                        \
                          else                                                                     \
                            for (gint64 l = 0; l < g->Wq; l++)                                     \
                              dst[l] = w0 + l >= 0 && w0 + l < g->W ? x[at + l] : 0;               \
                        }                                                                          \
                  }                                                                                \
            memset (buf + images, 0, (g->xlen - images) * sizeof (T));                             \
            return;                                                                                \
          }                                                                                        \
        for (gint64 c = 0; c < g->Cg; c++)                                                         \
          for (gint64 a = 0; a < g->sh; a++)                                                       \
            for (gint64 b = 0; b < g->nb; b++)                                                     \
              /* (inter: row r of each image in turn) */                                           \
              for (gint64 t1 = 0; t1 < (g->inter ? g->Hq : g->nc); t1++)                           \
                for (gint64 t2 = 0; t2 < (g->inter ? g->nc : g->Hq); t2++, dst += g->Wq)           \
                  {                                                                                \
                    gint64 n = g->inter ? t2 : t1, r = g->inter ? t1 : t2;                         \
                    gint64 h = r * g->sh + a - g->ph, row;                                         \
                    if (n >= m || h < 0 || h >= g->H)                                              \
                      {                                                                            \
                        for (gint64 q = 0; q < g->Wq; q += vl)                                     \
                          V_STORE (dst + q, (V){});                                                \
                        continue;                                                                  \
                      }                                                                            \
                    row = ((n0 + n) * g->C + group * g->Cg + c) * g->H * g->W + h * g->W;          \
                    for (gint64 q = 0; q < g->Wq; q += vl)                                         \
                      {                                                                            \
                        gint64 w0 = q * g->sw + b * bstep - g->pw;                                 \
                        if (vec && row + w0 >= 0 && row + w0 + vl <= total)                        \
                          {                                                                        \
                            const T *s = x + row + w0;                                             \
                            IV       wv = lane + (IT) w0;                                          \
                            IV       in = (wv >= 0) & (wv < (IT) g->W);                            \
                            V_STORE (dst + q, (V) ((IV) V_LOAD (s) & in));                         \
                          }                                                                        \
                        else                                                                       \
                          for (gint64 l = 0; l < MIN (vl, g->Wq - q); l++)                         \
                            {                                                                      \
                              gint64 w = w0 + l * g->sw;                                           \
                              dst[q + l] = w >= 0 && w < g->W ? x[row + w] : 0;                    \
                            }                                                                      \
                      }                                                                            \
                  }                                                                                \
        memset (buf + images, 0, (g->xlen - images) * sizeof (T));                                 \
        return;                                                                                    \
      }                                                                                            \
    const gint64 total = g->N * g->C * g->H * g->W;                                                \
    const T     *bend = buf + g->K * g->Lp;                                                        \
    for (gint64 k = 0; k < g->K; k++)                                                              \
      {                                                                                            \
        gint64 c = k / kk, i = (k % kk) / g->kw, j = k % g->kw;                                    \
        gint64 off = j * g->dw - g->pw, lo, hi;                                                    \
        span (off, g->sw, g->W, g->OW, &lo, &hi);                                                  \
        for (gint64 n = 0; n < m; n++)                                                             \
          {                                                                                        \
            const T *plane = x + ((n0 + n) * g->C + group * g->Cg + c) * g->H * g->W;              \
            T       *dst = buf + k * g->Lp + n * g->cstride;                                       \
            for (gint64 oh = 0; oh < g->OH; oh++, dst += g->OW)                                    \
              {                                                                                    \
                gint64   ih = oh * g->sh - g->ph + i * g->dh;                                      \
                const T *src = plane + ih * g->W;                                                  \
                if (ih < 0 || ih >= g->H)                                                          \
                  {                                                                                \
                    memset (dst, 0, g->OW * sizeof (T));                                           \
                    continue;                                                                      \
                  }                                                                                \
                gint64 ow;                                                                         \
                for (ow = 0; ow < lo; ow++)                                                        \
                  dst[ow] = 0;                                                                     \
                /* whole vectors, also past hi: the lanes in [hi, OW) are                          \
                 * cleared below, those past OW fall on the next row, the                          \
                 * image's tail or the next image, written after; the loads                        \
                 * and stores stay inside x and B */                                               \
                if (CONV_HAVE_SHUFFLE && g->sw == 2)                                               \
                  for (; ow < hi && (src - x) + 2 * ow + off + 2 * vl <= total &&                  \
                         dst + ow + vl <= bend;                                                    \
                       ow += vl)                                                                   \
                    V_STORE (dst + ow, V_SHUFFLE2 (V_LOAD (src + 2 * ow + off),                    \
                                                   V_LOAD (src + 2 * ow + off + vl), even));       \
                for (; ow < hi; ow++)                                                              \
                  dst[ow] = src[ow * g->sw + off];                                                 \
                for (ow = hi; ow < g->OW; ow++)                                                    \
                  dst[ow] = 0;                                                                     \
              }                                                                                    \
            memset (buf + k * g->Lp + n * g->cstride + g->P, 0, (g->cstride - g->P) * sizeof (T)); \
          }                                                                                        \
        memset (buf + k * g->Lp + m * g->cstride, 0, (g->Lp - m * g->cstride) * sizeof (T));       \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* buf (o1 - o0, Lp) <- dy images [n0, n0 + m), channels o0 .. o1 of                             \
   * @group, in B's column layout; zeros in the columns that are not outputs */                    \
  ATTR static void load_dys_##sfx (const ConvGeom *g, const T *dy, T *buf, gint64 n0, gint64 m,    \
                                   gint64 group, gint64 o0, gint64 o1)                             \
  {                                                                                                \
    /* shifted rows of a full chunk of images side by side: dy fills the                           \
     * first L columns of each row */                                                              \
    if (g->inter && g->Wq == g->OW && m == g->nc)                                                  \
      for (gint64 o = o0; o < o1; o++)                                                             \
        memset (buf + (o - o0) * g->Lp + g->L, 0, (g->Lp - g->L) * sizeof (T));                    \
    else                                                                                           \
      memset (buf, 0, (o1 - o0) * g->Lp * sizeof (T));                                             \
    for (gint64 o = o0; o < o1; o++)                                                               \
      for (gint64 n = 0; n < m; n++)                                                               \
        {                                                                                          \
          const T *src = dy + ((n0 + n) * g->O + group * g->Og + o) * g->P;                        \
          T       *dst = buf + (o - o0) * g->Lp + n * g->istep;                                    \
          if (g->rpitch == g->OW)                                                                  \
            memcpy (dst, src, g->P * sizeof (T));                                                  \
          else                                                                                     \
            for (gint64 oh = 0; oh < g->OH; oh++)                                                  \
              memcpy (dst + oh * g->rpitch, src + oh * g->OW, g->OW * sizeof (T));                 \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* dx images [n0, n0 + m), channels [c0, c1) of @group <- the columns                            \
   * dB (K, Ls), folded back through the zero-padded images xp (the scratch                        \
   * B buffer), so that no tap needs bounds. Wide rows (stride 1, the                              \
   * chunk's images side by side in xp as in B): one pass per (c, i) over                          \
   * the whole chunk that adds the kW shifted rows in registers. Unfolded                          \
   * columns: one image at a time, xp (Cg, Hp, Wp); each row of a tap adds                         \
   * into a row of xp, at stride 2 a vector of columns interleaved with                            \
   * zeros in two vectors. Then the images' pixels are copied out of xp. */                        \
  ATTR static void fold_##sfx (const ConvGeom *g, const T *dB, T *xp, T *dx, gint64 n0, gint64 m,  \
                               gint64 group, gint64 c0, gint64 c1)                                 \
  {                                                                                                \
    typedef vec_##sfx  V;                                                                          \
    typedef ivec_##sfx IV;                                                                         \
    const int          vl = VB / sizeof (T);                                                       \
    IV                 ilo, ihi, lane;                                                             \
    for (int l = 0; l < vl; l++)                                                                   \
      {                                                                                            \
        ilo[l] = l % 2 ? vl : l / 2;                                                               \
        ihi[l] = l % 2 ? vl : vl / 2 + l / 2;                                                      \
        lane[l] = l;                                                                               \
      }                                                                                            \
    if (g->wide)                                                                                   \
      {                                                                                            \
        /* stride 1 only (see geom_init ()): one phase, xp (Cg, nc, Hp, Wp) */                     \
        gint64 plane = g->Hp * g->Wp, cp = g->nc * plane;                                          \
        gint64 Q = (m - 1) * plane + g->OH * g->Wq + (g->kw - 1) * g->dw;                          \
        /* what the passes of channels [c0, c1) touch */                                           \
        gint64 end = (c1 - 1) * cp + (g->kh - 1) * g->dh * g->Wp + round_up (Q, vl);               \
        memset (xp + c0 * cp, 0, (MIN (end, g->xlen) - c0 * cp) * sizeof (T));                     \
        for (gint64 c = c0; c < c1; c++)                                                           \
          for (gint64 i = 0; i < g->kh; i++)                                                       \
            {                                                                                      \
              const T *rows = dB + ((c * g->kh + i) * g->kw) * g->Ls + g->padl;                    \
              T       *dst = xp + c * cp + i * g->dh * g->Wp;                                      \
              for (gint64 q = 0; q < Q; q += vl)                                                   \
                {                                                                                  \
                  V acc = V_LOAD (dst + q);                                                        \
                  for (gint64 j = 0; j < g->kw; j++)                                               \
                    acc += V_LOAD (rows + j * g->Ls + q - j * g->dw);                              \
                  V_STORE (dst + q, acc);                                                          \
                }                                                                                  \
            }                                                                                      \
        for (gint64 n = 0; n < m; n++)                                                             \
          for (gint64 c = c0; c < c1; c++)                                                         \
            for (gint64 h = 0; h < g->H; h++)                                                      \
              memcpy (dx + (((n0 + n) * g->C + group * g->Cg + c) * g->H + h) * g->W,              \
                      xp + c * cp + n * plane + (h + g->ph) * g->Wp + g->pw, g->W * sizeof (T));   \
        return;                                                                                    \
      }                                                                                            \
    for (gint64 n = 0; n < m; n++)                                                                 \
      {                                                                                            \
        gint64 plane = g->Hp * g->Wp;                                                              \
        memset (xp + c0 * plane, 0, (c1 - c0) * plane * sizeof (T));                               \
        if (CONV_HAVE_SHUFFLE && g->sw == 2 && g->kw == 3 && g->dw == 1)                           \
          {                                                                                        \
            /* the three taps of a row at once: taps 0 and 2 land on the                           \
             * even columns 2 ow and 2 ow + 2, tap 1 on the odd ones, so                           \
             * E[p] = t0[p] + t2[p - 1] and O[p] = t1[p] go into xp                                \
             * interleaved, one pass instead of three */                                           \
            IV shl, elo, ehi;                                                                      \
            /* shl: lane vl - 1 of the first operand, then lanes 0 .. vl - 2                       \
             * of the second (the second one lane later); elo, ehi: the                            \
             * two operands interleaved, lanes 0 .. vl / 2 - 1 and the rest */                     \
            for (int l = 0; l < vl; l++)                                                           \
              shl[l] = l == 0 ? vl - 1 : vl + l - 1;                                               \
            CONV_MERGE_INDICES (elo, ehi, vl);                                                     \
            for (gint64 c = c0; c < c1; c++)                                                       \
              for (gint64 i = 0; i < g->kh; i++)                                                   \
                {                                                                                  \
                  const T *t0 = dB + (c * g->kh + i) * 3 * g->Ls + n * g->cstride;                 \
                  T       *dst = xp + c * plane + i * g->dh * g->Wp;                               \
                  for (gint64 oh = 0; oh < g->OH; oh++, t0 += g->OW, dst += g->sh * g->Wp)         \
                    {                                                                              \
                      V prev = (V){};                                                              \
                      for (gint64 ow = 0; ow <= g->OW; ow += vl)                                   \
                        {                                                                          \
                          IV in = lane + (IT) ow < (IT) g->OW;                                     \
                          V  a = {}, b = {}, e = {}, ev;                                           \
                          /* past the row (ow = OW): only t2's last column */                      \
                          if (ow < g->OW)                                                          \
                            {                                                                      \
                              a = (V) ((IV) V_LOAD (t0 + ow) & in);                                \
                              b = (V) ((IV) V_LOAD (t0 + g->Ls + ow) & in);                        \
                              e = (V) ((IV) V_LOAD (t0 + 2 * g->Ls + ow) & in);                    \
                            }                                                                      \
                          ev = a + V_SHUFFLE2 (prev, e, shl);                                      \
                          T *d = dst + 2 * ow;                                                     \
                          prev = e;                                                                \
                          V_STORE (d, V_LOAD (d) + V_SHUFFLE2 (ev, b, elo));                       \
                          if (ow + vl / 2 <= g->OW)                                                \
                            V_STORE (d + vl, V_LOAD (d + vl) + V_SHUFFLE2 (ev, b, ehi));           \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
          }                                                                                        \
        else                                                                                       \
          for (gint64 c = c0; c < c1; c++)                                                         \
            for (gint64 i = 0; i < g->kh; i++)                                                     \
              for (gint64 j = 0; j < g->kw; j++)                                                   \
                {                                                                                  \
                  const T *src = dB + ((c * g->kh + i) * g->kw + j) * g->Ls + n * g->cstride;      \
                  T       *dst = xp + c * plane + i * g->dh * g->Wp + j * g->dw;                   \
                  for (gint64 oh = 0; oh < g->OH; oh++, src += g->OW, dst += g->sh * g->Wp)        \
                    {                                                                              \
                      gint64 ow = 0;                                                               \
                      /* lanes past the row's OW columns add zeros; the second                     \
                       * vector, of lanes vl / 2 .. vl - 1, only where it holds columns */         \
                      if (CONV_HAVE_SHUFFLE && g->sw == 2)                                         \
                        for (; ow < g->OW; ow += vl)                                               \
                          {                                                                        \
                            V  v = (V) ((IV) V_LOAD (src + ow) & (lane + (IT) ow < (IT) g->OW));   \
                            T *d = dst + 2 * ow;                                                   \
                            V_STORE (d, V_LOAD (d) + V_SHUFFLE2 (v, (V){}, ilo));                  \
                            if (ow + vl / 2 < g->OW)                                               \
                              V_STORE (d + vl, V_LOAD (d + vl) + V_SHUFFLE2 (v, (V){}, ihi));      \
                          }                                                                        \
                      for (; ow < g->OW; ow++)                                                     \
                        dst[ow * g->sw] += src[ow];                                                \
                    }                                                                              \
                }                                                                                  \
        for (gint64 c = c0; c < c1; c++)                                                           \
          for (gint64 h = 0; h < g->H; h++)                                                        \
            memcpy (dx + (((n0 + n) * g->C + group * g->Cg + c) * g->H + h) * g->W,                \
                    xp + c * plane + (h + g->ph) * g->Wp + g->pw, g->W * sizeof (T));              \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* y images [n0, n0 + m), output channels [o0, o1) of @group <- out                              \
   * (o1 - o0, Lp). Rows of wide outputs go a vector at a time: a vector                           \
   * past a row's end runs into the next rows of y, written after it; it                           \
   * never passes the unit's last channel of the image (end) */                                    \
  ATTR static void store_outputs_##sfx (const ConvGeom *g, const T *out, T *y, gint64 n0,          \
                                        gint64 m, gint64 group, gint64 o0, gint64 o1,              \
                                        gboolean relu)                                             \
  {                                                                                                \
    typedef vec_##sfx V;                                                                           \
    const int         vl = VB / sizeof (T);                                                        \
    for (gint64 n = 0; n < m; n++)                                                                 \
      for (gint64 o = o0; o < o1; o++)                                                             \
        {                                                                                          \
          T       *d = y + ((n0 + n) * g->O + group * g->Og + o) * g->P;                           \
          const T *s = out + (o - o0) * g->Lp + n * g->istep;                                      \
          gint64   end = (o1 - o) * g->P;                                                          \
          if (g->rpitch == g->OW)                                                                  \
            {                                                                                      \
              _lt_cpu_conv_store (d, s, g->P, relu);                                               \
              continue;                                                                            \
            }                                                                                      \
          for (gint64 oh = 0; oh < g->OH; oh++, d += g->OW, s += g->rpitch, end -= g->OW)          \
            {                                                                                      \
              if (relu)                                                                            \
                {                                                                                  \
                  /* the fused ReLU (LtConvParams.relu): exactly its rule */                       \
                  _lt_cpu_conv_store (d, s, g->OW, TRUE);                                          \
                  continue;                                                                        \
                }                                                                                  \
              gint64 ow = 0;                                                                       \
              for (; ow < g->OW && ow + vl <= end; ow += vl)                                       \
                V_STORE (d + ow, V_LOAD (s + ow));                                                 \
              for (; ow < g->OW; ow++)                                                             \
                d[ow] = s[ow];                                                                     \
            }                                                                                      \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* Units (chunk of images, group, block of rsplit output rows), in that                          \
   * order; a part reloads the images only when its next unit needs others */                      \
  ATTR static void forward_part_##sfx (int tid, int np, gpointer data)                             \
  {                                                                                                \
    const ConvJob  *job = data;                                                                    \
    const ConvGeom *g = job->g;                                                                    \
    const T        *x = job->x, *w = job->w, *b = job->b;                                          \
    T              *y = job->y;                                                                    \
    T              *buf = (T *) (job->scratch + tid * job->scratch_bytes);                         \
    T              *out = buf + g->xlen;                                                           \
    gint64          u0, u1, loaded = -1;                                                           \
    _lt_cpu_split (n_chunks (g) * g->groups * g->rsplit, tid, np, &u0, &u1);                       \
    for (gint64 u = u0; u < u1; u++)                                                               \
      {                                                                                            \
        gint64 n0, m, group, o0, o1;                                                               \
        gint64 cg = unit_at (g, u, g->Og, &n0, &m, &group, &o0, &o1);                              \
        if (o0 == o1)                                                                              \
          continue;                                                                                \
        if (cg != loaded)                                                                          \
          load_images_##sfx (g, x, buf, n0, m, group);                                             \
        loaded = cg;                                                                               \
        /* out (o1 - o0, Lp) = b_g + w_g (rows o0 .. o1, K) @ B (K, Lp) */                         \
        gemm_nn_##sfx (o1 - o0, g->Lp, g->K, w + (group * g->Og + o0) * g->K, g->K, 1, buf,        \
                       g->off, out, g->rows, b ? b + group * g->Og + o0 : NULL);                   \
        store_outputs_##sfx (g, out, y, n0, m, group, o0, o1, job->relu);                          \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* Units (chunk of images, group, block of rsplit input channels) */                             \
  ATTR static void grad_input_part_##sfx (int tid, int np, gpointer data)                          \
  {                                                                                                \
    const ConvJob  *job = data;                                                                    \
    const ConvGeom *g = job->g;                                                                    \
    const T        *w = job->w, *dy = job->dy;                                                     \
    T              *dx = job->dx;                                                                  \
    T              *buf = (T *) (job->scratch + tid * job->scratch_bytes);                         \
    T              *dyb = buf + g->xlen;                                                           \
    T              *dB = dyb + g->Og * g->Lp;                                                      \
    gint64          kk = g->kh * g->kw, u0, u1, loaded = -1;                                       \
    _lt_cpu_split (n_chunks (g) * g->groups * g->rsplit, tid, np, &u0, &u1);                       \
    /* the zeros around the rows of dB, which the product never writes                             \
     * (it writes each row's Lp columns from padl on) */                                           \
    if (g->Ls > g->Lp)                                                                             \
      for (gint64 k = 0; k < g->K; k++)                                                            \
        {                                                                                          \
          memset (dB + k * g->Ls, 0, g->padl * sizeof (T));                                        \
          memset (dB + k * g->Ls + g->padl + g->Lp, 0, (g->Ls - g->padl - g->Lp) * sizeof (T));    \
        }                                                                                          \
    for (gint64 u = u0; u < u1; u++)                                                               \
      {                                                                                            \
        gint64 n0, m, group, c0, c1;                                                               \
        gint64 cg = unit_at (g, u, g->Cg, &n0, &m, &group, &c0, &c1);                              \
        if (c0 == c1)                                                                              \
          continue;                                                                                \
        if (cg != loaded)                                                                          \
          load_dys_##sfx (g, dy, dyb, n0, m, group, 0, g->Og);                                     \
        loaded = cg;                                                                               \
        /* dB (rows of channels c0 .. c1, Lp) = w_g^T (those rows, Og) @ dy_g (Og, Lp) */          \
        gemm_nn_##sfx ((c1 - c0) * kk, g->Lp, g->Og, w + group * g->Og * g->K + c0 * kk, 1, g->K,  \
                       dyb, g->rows, dB, g->drows + c0 * kk, NULL);                                \
        fold_##sfx (g, dB, buf, dx, n0, m, group, c0, c1);                                         \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* The grad input by phases (g->phased; see phase_pitch ()). dy images                           \
   * [n0, n0 + m) of @group into its buffer: channel o at o oplane + padl,                         \
   * image n Rr Wr further, rows Wr apart. The buffer starts as zeros and                          \
   * only dy's pixels are written, each row in whole vectors whose lanes                           \
   * past the row are zeros: they fall on the row's zeros or on rows                               \
   * written after it, and the plane's tail holds the last one. */                                 \
  ATTR static void load_dy_phased_##sfx (const ConvGeom *g, const T *dy, T *dyb, gint64 n0,        \
                                         gint64 m, gint64 group)                                   \
  {                                                                                                \
    typedef vec_##sfx  V;                                                                          \
    typedef ivec_##sfx IV;                                                                         \
    const int          vl = VB / sizeof (T);                                                       \
    const gint64       total = g->N * g->O * g->P;                                                 \
    IV                 lane;                                                                       \
    for (int l = 0; l < vl; l++)                                                                   \
      lane[l] = l;                                                                                 \
    for (gint64 o = 0; o < g->Og; o++)                                                             \
      for (gint64 n = 0; n < m; n++)                                                               \
        {                                                                                          \
          gint64   at = ((n0 + n) * g->O + group * g->Og + o) * g->P;                              \
          const T *src = dy + at;                                                                  \
          T       *dst = dyb + o * g->oplane + g->padl + n * g->cstride;                           \
          for (gint64 oh = 0; oh < g->OH; oh++, src += g->OW, dst += g->Wr, at += g->OW)           \
            for (gint64 q = 0; q < g->OW; q += vl)                                                 \
              if (at + q + vl <= total)                                                            \
                V_STORE (dst + q, (V) ((IV) V_LOAD (src + q) & (lane + (IT) q < (IT) g->OW)));     \
              else                                                                                 \
                for (gint64 l = 0; l < MIN (vl, g->OW - q); l++)                                   \
                  dst[q + l] = src[q + l];                                                         \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* dx images [n0, n0 + m), channels [c0, c1) of @group <- the phases'                            \
   * planes: phase p's rows at out + p pitch, a row per channel, image n                           \
   * at n Rr Wr, its rows Wr apart. At a horizontal stride of 2 each row of                        \
   * dx interleaves a row of its two column phases, a vector of each at a                          \
   * time; a vector past the row's end falls on rows written after it, but                         \
   * never past the unit's channels of the image (end) */                                          \
  ATTR static void store_dx_phased_##sfx (const ConvGeom *g, const T *out, gint64 pitch, T *dx,    \
                                          gint64 n0, gint64 m, gint64 group, gint64 c0, gint64 c1) \
  {                                                                                                \
    typedef vec_##sfx  V;                                                                          \
    typedef ivec_##sfx IV;                                                                         \
    const int          vl = VB / sizeof (T);                                                       \
    IV                 elo, ehi;                                                                   \
    /* the first column of a row is phase b0 (real pixels start a phase's                          \
     * columns), the second the other one */                                                       \
    gint64 b0 = g->pw % 2;                                                                         \
    CONV_MERGE_INDICES (elo, ehi, vl);                                                             \
    for (gint64 n = 0; n < m; n++)                                                                 \
      for (gint64 c = c0; c < c1; c++)                                                             \
        {                                                                                          \
          T       *d = dx + ((n0 + n) * g->C + group * g->Cg + c) * g->H * g->W;                   \
          gint64   end = (c1 - c) * g->H * g->W;                                                   \
          const T *src = out + (c - c0) * g->Lp + n * g->cstride;                                  \
          /* padded row h + ph = u sh + a, stepped without dividing */                             \
          gint64 a = g->ph % g->sh, u = g->ph / g->sh;                                             \
          for (gint64 h = 0; h < g->H;                                                             \
               h++, d += g->W, end -= g->W, a = a + 1 < g->sh ? a + 1 : 0, u += a == 0)            \
            {                                                                                      \
              const ConvPhase *pa = g->phases + a * g->sw;                                         \
              const T         *row = src + (u - pa->ulo) * g->Wr;                                  \
              if (CONV_HAVE_SHUFFLE && g->sw == 2)                                                 \
                {                                                                                  \
                  const T *s0 = row + (a * 2 + b0) * pitch, *s1 = row + (a * 2 + 1 - b0) * pitch;  \
                  gboolean z0 = pa[b0].nk == 0, z1 = pa[1 - b0].nk == 0;                           \
                  for (gint64 k = 0; 2 * k < g->W; k += vl)                                        \
                    {                                                                              \
                      V e = z0 ? (V){} : V_LOAD (s0 + k), f = z1 ? (V){} : V_LOAD (s1 + k);        \
                      V lo = V_SHUFFLE2 (e, f, elo), hi = V_SHUFFLE2 (e, f, ehi);                  \
                      for (int half = 0; half < 2; half++)                                         \
                        {                                                                          \
                          gint64 w0 = 2 * k + half * vl;                                           \
                          V      v = half ? hi : lo;                                               \
                          if (w0 >= g->W)                                                          \
                            break;                                                                 \
                          if (w0 + vl <= end)                                                      \
                            V_STORE (d + w0, v);                                                   \
                          else                                                                     \
                            for (gint64 l = 0; l < MIN (vl, g->W - w0); l++)                       \
                              d[w0 + l] = v[l];                                                    \
                        }                                                                          \
                    }                                                                              \
                  continue;                                                                        \
                }                                                                                  \
              for (gint64 w = 0; w < g->W; w++)                                                    \
                {                                                                                  \
                  gint64 b = (w + g->pw) % g->sw;                                                  \
                  d[w] = pa[b].nk == 0                                                             \
                           ? 0                                                                     \
                           : row[(a * g->sw + b) * pitch + (w + g->pw) / g->sw - pa[b].vlo];       \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  /* Units (chunk of images, group, block of rsplit input channels): per                           \
   * phase, out (channels c0 .. c1, Lp) = w_g^T (those rows, the phase's                           \
   * taps) @ its taps' rows of dy's buffer; then the phases into dx */                             \
  ATTR static void grad_input_phased_part_##sfx (int tid, int np, gpointer data)                   \
  {                                                                                                \
    const ConvJob  *job = data;                                                                    \
    const ConvGeom *g = job->g;                                                                    \
    const T        *dy = job->dy, *w = job->w;                                                     \
    T              *dx = job->dx;                                                                  \
    T              *dyb = (T *) (job->scratch + tid * job->scratch_bytes);                         \
    T              *out = dyb + g->xlen;                                                           \
    gint64          pitch = g->rblock * g->Lp, kk = g->kh * g->kw, u0, u1, loaded = -1;            \
    _lt_cpu_split (n_chunks (g) * g->groups * g->rsplit, tid, np, &u0, &u1);                       \
    memset (dyb, 0, g->xlen * sizeof (T));                                                         \
    for (gint64 u = u0; u < u1; u++)                                                               \
      {                                                                                            \
        gint64 n0, m, group, c0, c1;                                                               \
        gint64 cg = unit_at (g, u, g->Cg, &n0, &m, &group, &c0, &c1);                              \
        if (c0 == c1)                                                                              \
          continue;                                                                                \
        if (cg != loaded)                                                                          \
          load_dy_phased_##sfx (g, dy, dyb, n0, m, group);                                         \
        loaded = cg;                                                                               \
        /* a block of MR channels through every phase, while their rows                            \
         * of w are in the cache */                                                                \
        for (gint64 r0 = c0; r0 < c1; r0 += MR)                                                    \
          for (gint64 p = 0; p < g->sh * g->sw; p++)                                               \
            {                                                                                      \
              const ConvPhase *ph = g->phases + p;                                                 \
              gint64           nr = MIN (MR, c1 - r0);                                             \
              T               *o = out + p * pitch + (r0 - c0) * g->Lp;                            \
              /* a phase without taps is zeros: store_dx_phased () writes them */                  \
              if (ph->nk > 0)                                                                      \
                gemm_nn_cols_##sfx (nr, g->Lp, ph->nk, w + (group * g->Og * g->Cg + r0) * kk, kk,  \
                                    g->pcol + ph->k0, dyb, g->ptap + ph->k0, o, g->rows);          \
            }                                                                                      \
        store_dx_phased_##sfx (g, out, pitch, dx, n0, m, group, c0, c1);                           \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* dw (nr rows, K) += dy rows @ B^T for one chunk (= where @fresh: dw's                          \
   * rows hold nothing yet). The nt product streams the Lp columns once per                        \
   * block of MR x KR sums, and loads, adds up and stores those sums once per                      \
   * block: over a few vectors of columns (one small image) that costs more                        \
   * than the products. There (g->wt) B^T is copied out, K along the rows,                         \
   * and dy @ B^T is an nn product whose vectors run along K, added into                           \
   * dw's rows where they hold whole vectors; the last columns of a K that                         \
   * does not fill them go through tmp. */                                                         \
  ATTR static void dw_chunk_##sfx (const ConvGeom *g, gint64 nr, const T *dyr, const T *buf,       \
                                   T *dwg, T *sums, T *bt, gboolean fresh)                         \
  {                                                                                                \
    T *tmp = bt + g->Lp * g->Kp;                                                                   \
    /* the columns up to the last image's last one: dy is zero after them */                       \
    gint64 used = g->wide ? g->L : g->L - (g->cstride - g->P);                                     \
    gint64 full = g->K / g->vmax * g->vmax;                                                        \
    if (!g->wt)                                                                                    \
      {                                                                                            \
        gemm_nt_##sfx (nr, g->K, g->Lp, dyr, g->Lp, buf, g->off, dwg, g->K, sums);                 \
        return;                                                                                    \
      }                                                                                            \
    for (gint64 j0 = 0; j0 < used; j0 += 16)                                                       \
      {                                                                                            \
        gint64 j1 = MIN (j0 + 16, used);                                                           \
        for (gint64 k = 0; k < g->K; k++)                                                          \
          {                                                                                        \
            const T *src = buf + g->off[k];                                                        \
            for (gint64 j = j0; j < j1; j++)                                                       \
              bt[j * g->Kp + k] = src[j];                                                          \
          }                                                                                        \
        for (gint64 j = j0; j < j1; j++)                                                           \
          for (gint64 k = g->K; k < g->Kp; k++)                                                    \
            bt[j * g->Kp + k] = 0;                                                                 \
      }                                                                                            \
    /* dw (nr, full) (+)= dy rows (nr, used) @ B^T (used, full), in blocks of                      \
     * columns whose B^T panel stays in L2 while the rows of dy pass over it */                    \
    for (gint64 c0 = 0; c0 < full; c0 += CONV_WT_COLUMNS)                                          \
      {                                                                                            \
        gint64 nc = MIN (CONV_WT_COLUMNS, full - c0);                                              \
        if (fresh)                                                                                 \
          gemm_nn_##sfx (nr, nc, used, dyr, g->Lp, 1, bt + c0, g->trows, dwg + c0, g->wrows,       \
                         NULL);                                                                    \
        else                                                                                       \
          gemm_nn_acc_##sfx (nr, nc, used, dyr, g->Lp, 1, bt + c0, g->trows, dwg + c0, g->wrows);  \
      }                                                                                            \
    if (full == g->K)                                                                              \
      return;                                                                                      \
    gemm_nn_##sfx (nr, g->Kp - full, used, dyr, g->Lp, 1, bt + full, g->trows, tmp + full,         \
                   g->orows, NULL);                                                                \
    for (gint64 o = 0; o < nr; o++)                                                                \
      for (gint64 k = full; k < g->K; k++)                                                         \
        dwg[o * g->K + k] = (fresh ? 0 : dwg[o * g->K + k]) + tmp[o * g->Kp + k];                  \
  }                                                                                                \
                                                                                                   \
  ATTR static void grad_weight_part_##sfx (int tid, int np, gpointer data)                         \
  {                                                                                                \
    typedef vec_##sfx V;                                                                           \
    const ConvJob    *job = data;                                                                  \
    const ConvGeom   *g = job->g;                                                                  \
    const int         vl = VB / sizeof (T);                                                        \
    const T          *x = job->x, *dy = job->dy;                                                   \
    char             *part = job->scratch + tid * job->scratch_bytes;                              \
    T                *buf = (T *) part;                                                            \
    T                *dyb = buf + g->xlen;                                                         \
    T                *sums = g->vec_sums ? dyb + g->Og * g->Lp : NULL;                             \
    /* part 0 sums into the outputs, the others into sums of their own */                          \
    T     *dw = tid == 0 ? job->dw : (T *) (part + job->sums_offset);                              \
    T     *db = job->db == NULL ? NULL                                                             \
                : tid == 0      ? job->db                                                          \
                                : (T *) (part + job->sums_offset) + g->O * g->K;                        \
    gint64 n0, n1;                                                                                 \
    _lt_cpu_split (g->N / g->nc, tid, np, &n0, &n1);                                               \
    /* (by dy @ B^T the first chunk writes its sums over them) */                                  \
    if (!g->wt || n0 == n1)                                                                        \
      memset (dw, 0, g->O * g->K * sizeof (T));                                                    \
    if (db)                                                                                        \
      memset (db, 0, g->O * sizeof (T));                                                           \
    for (gint64 group = 0; group < g->groups; group++)                                             \
      {                                                                                            \
        T *dwg = dw + group * g->Og * g->K;                                                        \
        if (sums)                                                                                  \
          memset (sums, 0, g->Og * g->K * vl * sizeof (T));                                        \
        for (gint64 ch = n0; ch < n1; ch++)                                                        \
          {                                                                                        \
            load_images_##sfx (g, x, buf, ch * g->nc, g->nc, group);                               \
            load_dys_##sfx (g, dy, dyb, ch * g->nc, g->nc, group, 0, g->Og);                       \
            /* dw_g (Og, K) += dy_g (Og, Lp) @ B^T (Lp, K) */                                      \
            dw_chunk_##sfx (g, g->Og, dyb, buf, dwg, sums, (T *) (part + g->bt_offset), ch == n0); \
            if (db)                                                                                \
              for (gint64 o = 0; o < g->Og; o++)                                                   \
                {                                                                                  \
                  const T *r = dyb + o * g->Lp;                                                    \
                  V        acc = (V){};                                                            \
                  T        s = 0;                                                                  \
                  for (gint64 p = 0; p < g->Lp; p += vl)                                           \
                    acc += V_LOAD (r + p);                                                         \
                  for (int l = 0; l < vl; l++)                                                     \
                    s += acc[l];                                                                   \
                  db[group * g->Og + o] += s;                                                      \
                }                                                                                  \
          }                                                                                        \
        if (sums)                                                                                  \
          for (gint64 i = 0; i < g->Og * g->K; i++)                                                \
            {                                                                                      \
              T s = 0;                                                                             \
              for (int l = 0; l < vl; l++)                                                         \
                s += sums[i * vl + l];                                                             \
              dwg[i] += s;                                                                         \
            }                                                                                      \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* Units (group, block of rsplit output rows), each over every chunk of                          \
   * images: a part writes its rows of dw and db itself */                                         \
  ATTR static void grad_weight_rows_part_##sfx (int tid, int np, gpointer data)                    \
  {                                                                                                \
    typedef vec_##sfx V;                                                                           \
    const ConvJob    *job = data;                                                                  \
    const ConvGeom   *g = job->g;                                                                  \
    const int         vl = VB / sizeof (T);                                                        \
    const T          *x = job->x, *dy = job->dy;                                                   \
    T                *buf = (T *) (job->scratch + tid * job->scratch_bytes);                       \
    T                *dyb = buf + g->xlen;                                                         \
    T                *sums = g->vec_sums ? dyb + g->Og * g->Lp : NULL;                             \
    gint64            u0, u1, loaded = -1;                                                         \
    _lt_cpu_split (g->groups * g->rsplit, tid, np, &u0, &u1);                                      \
    for (gint64 u = u0; u < u1; u++)                                                               \
      {                                                                                            \
        gint64 group = u / g->rsplit;                                                              \
        gint64 o0 = MIN (u % g->rsplit * g->rblock, g->Og);                                        \
        gint64 o1 = MIN (o0 + g->rblock, g->Og), nr = o1 - o0;                                     \
        T     *dwg = (T *) job->dw + (group * g->Og + o0) * g->K;                                  \
        T     *dbg = job->db ? (T *) job->db + group * g->Og + o0 : NULL;                          \
        if (nr == 0)                                                                               \
          continue;                                                                                \
        /* (by dy @ B^T the first chunk writes its sums over them) */                              \
        if (!g->wt || g->N / g->nc == 0)                                                           \
          memset (dwg, 0, nr * g->K * sizeof (T));                                                 \
        if (dbg)                                                                                   \
          memset (dbg, 0, nr * sizeof (T));                                                        \
        if (sums)                                                                                  \
          memset (sums, 0, nr * g->K * vl * sizeof (T));                                           \
        for (gint64 ch = 0; ch < g->N / g->nc; ch++)                                               \
          {                                                                                        \
            gint64 key = ch * g->groups + group;                                                   \
            /* the images once for the part's blocks of a chunk; dy only its rows */               \
            if (key != loaded)                                                                     \
              load_images_##sfx (g, x, buf, ch * g->nc, g->nc, group);                             \
            loaded = key;                                                                          \
            load_dys_##sfx (g, dy, dyb, ch * g->nc, g->nc, group, o0, o1);                         \
            /* dw (rows o0 .. o1 of group, K) += dy_g (those rows, Lp) @ B^T */                    \
            dw_chunk_##sfx (g, nr, dyb, buf, dwg, sums, (T *) ((char *) buf + g->bt_offset),       \
                            ch == 0);                                                              \
            if (dbg)                                                                               \
              for (gint64 o = 0; o < nr; o++)                                                      \
                {                                                                                  \
                  const T *r = dyb + o * g->Lp;                                                    \
                  V        acc = (V){};                                                            \
                  T        s = 0;                                                                  \
                  for (gint64 p = 0; p < g->Lp; p += vl)                                           \
                    acc += V_LOAD (r + p);                                                         \
                  for (int l = 0; l < vl; l++)                                                     \
                    s += acc[l];                                                                   \
                  dbg[o] += s;                                                                     \
                }                                                                                  \
          }                                                                                        \
        if (sums)                                                                                  \
          for (gint64 i = 0; i < nr * g->K; i++)                                                   \
            {                                                                                      \
              T s = 0;                                                                             \
              for (int l = 0; l < vl; l++)                                                         \
                s += sums[i * vl + l];                                                             \
              dwg[i] += s;                                                                         \
            }                                                                                      \
      }                                                                                            \
  }

#define ATTR_BASE
DEFINE_CONV (float, gint32, f32_base, 16, ATTR_BASE, 2)
DEFINE_CONV (double, gint64, f64_base, 16, ATTR_BASE, 2)

#ifdef LT_CPU_X86_ISAS
#define ATTR_AVX2 __attribute__ ((target ("avx2,fma")))
#define ATTR_AVX512 __attribute__ ((target ("avx512f,avx512vl,fma")))
DEFINE_CONV (float, gint32, f32_avx2, 32, ATTR_AVX2, 2)
DEFINE_CONV (double, gint64, f64_avx2, 32, ATTR_AVX2, 2)
DEFINE_CONV (float, gint32, f32_avx512, 64, ATTR_AVX512, 4)
DEFINE_CONV (double, gint64, f64_avx512, 64, ATTR_AVX512, 4)
#endif

#define PARTS(op) LT_CPU_ISA_TABLE (op##_part)

/* [op][isa][float64] */
static const LtCpuParallelFunc conv_parts[5][LT_CPU_N_ISAS][2] = {
  PARTS (forward),          PARTS (grad_input),        PARTS (grad_weight),
  PARTS (grad_weight_rows), PARTS (grad_input_phased),
};

/* Adds the weight-gradient sums of parts 1 .. np - 1 into part 0's, in
 * order. */
#define DEFINE_REDUCE(T, sfx)                                                            \
  static void grad_weight_reduce_##sfx (const ConvJob *job)                              \
  {                                                                                      \
    const ConvGeom *g = job->g;                                                          \
    T *dw = job->dw, *db = job->db;                                                      \
    for (int t = 1; t < job->n_parts; t++)                                               \
      {                                                                                  \
        const T *pw = (const T *) (job->scratch + t * job->scratch_bytes +               \
                                   job->sums_offset);                                    \
        for (gint64 i = 0; i < g->O * g->K; i++)                                         \
          dw[i] += pw[i];                                                                \
        if (db)                                                                          \
          for (gint64 o = 0; o < g->O; o++)                                              \
            db[o] += pw[g->O * g->K + o];                                                \
      }                                                                                  \
  }

DEFINE_REDUCE (float, f32)
DEFINE_REDUCE (double, f64)

/*
 * Parallel work comes in units: (chunk of images, group) for the forward
 * and the grad input, chunks of images for the grad weight. A batch of one
 * or two large images has fewer units than the pool has threads (@want),
 * and one core would do all the work; the product of each unit is then cut
 * into blocks of rows instead: output channels (forward, grad weight) or
 * input channels (grad input). Each block repeats its unit's copies of the
 * images (the grad weight's blocks copy only their own rows of dy), one pass
 * over them against a product of at least 2 MR rows of K (or Og)
 * multiply-adds per column, so the blocks keep at least 2 MR rows and the
 * split stops at @want units: one per thread, not the several parts a
 * thread takes of whole units (LT_CPU_PARTS_PER_THREAD), whose copies
 * would be repeated that many times over. Sets g->rsplit and g->rblock;
 * returns the units, @units times the blocks of each.
 */
static gint64
split_rows (ConvGeom *g, int kind, gint64 units, gint64 want)
{
  gint64 rows = kind == 1 ? g->Cg : g->Og;
  /* the grad input's block of channels is kk rows of dB each; by phases,
   * as the other products, a row of each phase's product */
  gboolean by_rows = kind != 1 || g->phased;
  gint64   kk = g->kh * g->kw;
  gint64   min_block = by_rows ? 2 * MR : (2 * MR + kk - 1) / kk;
  gint64   r = units > 0 && units < want ? (want + units - 1) / units : 1;
  gint64   block = (rows + r - 1) / r;

  if (by_rows)
    block = round_up (block, MR);
  g->rblock = MAX (MAX (block, min_block), 1);
  g->rsplit = MAX ((rows + g->rblock - 1) / g->rblock, 1);
  return units * g->rsplit;
}

/* Images per unit of the forward and the grad input: small images side
 * by side, up to CONV_CHUNK_COLUMNS columns and CONV_CHUNK_ELEMENTS of
 * B, so that the copies' fixed costs and the products' edges are shared
 * by several images; no more than leaves @want units; then evened out
 * over the chunks (the last chunk may hold fewer). The columns are
 * independent sums, so the chunk does not change the results. */
static gint64
unit_chunk (const ConvGeom *g, gint64 want)
{
  gint64 per_image = g->wide     ? g->Cg * g->sh * g->nb * g->cstride
                     : g->phased ? (g->Og + g->sh * g->sw * g->Cg) * g->cstride
                                 : g->K * g->cstride;
  gint64 nc = (CONV_CHUNK_COLUMNS + g->cstride - 1) / g->cstride, chunks;

  nc = MIN (nc, CONV_CHUNK_ELEMENTS / MAX (per_image, 1));
  nc = MIN (nc, g->N * g->groups / MAX (want, 1));
  nc = MAX (MIN (nc, g->N), 1);
  chunks = (g->N + nc - 1) / nc;
  return MAX ((g->N + chunks - 1) / MAX (chunks, 1), 1);
}

/* The largest chunk of the weight gradient that divides N */
static gint64
grad_weight_chunk (const ConvGeom *g,
                   int             n_parts)
{
  gint64 per_part = MAX (g->N / MAX (n_parts, 1), 1);
  gint64 want = MAX ((CONV_CHUNK_COLUMNS + g->cstride - 1) / g->cstride, 1);
  gint64 fit = MAX (CONV_CHUNK_ELEMENTS / MAX (g->Cg * g->sh * g->nb * g->cstride, 1), 1);
  gint64 nc = MAX (MIN (MIN (want, fit), per_part), 1);

  while (g->N % nc != 0)
    nc--;
  return nc;
}

/* The grad input by phases' tables, in one block (*out, g_free () it):
 * the phases (g->phases), and per tap, (o, i, j) in that order within
 * each phase, its offset into dy's buffer (g->ptap) and its column o Cg
 * kh kw + i kw + j of w_g (g->pcol; row c at c kh kw). FALSE when out of
 * memory. */
static gboolean
phased_tables (ConvGeom *g, gpointer *out)
{
  gint64     kk = g->kh * g->kw, ntaps = g->Og * kk, n_ph = g->sh * g->sw, k = 0;
  ConvPhase *phs;
  gint64    *ptap, *pcol;

  *out = g_try_malloc (n_ph * sizeof (ConvPhase) + 2 * ntaps * sizeof (gint64));
  if (*out == NULL)
    return FALSE;
  phs = *out;
  ptap = (gint64 *) (phs + n_ph);
  pcol = ptap + ntaps;
  for (gint64 a = 0; a < g->sh; a++)
    for (gint64 b = 0; b < g->sw; b++)
      {
        ConvPhase *q = phs + a * g->sw + b;

        phase_span (g->H, g->ph, g->sh, a, &q->ulo, &q->rows);
        phase_span (g->W, g->pw, g->sw, b, &q->vlo, &q->cols);
        q->k0 = k;
        for (gint64 o = 0; o < g->Og; o++)
          for (gint64 i = 0; i < g->kh; i++)
            for (gint64 j = 0; j < g->kw; j++)
              if (i * g->dh % g->sh == a && j * g->dw % g->sw == b)
                {
                  ptap[k] = o * g->oplane + g->padl + (q->ulo - i * g->dh / g->sh) * g->Wr +
                            q->vlo - j * g->dw / g->sw;
                  pcol[k++] = o * g->Cg * kk + i * g->kw + j;
                }
        q->nk = k - q->k0;
      }
  g->phases = phs;
  g->ptap = ptap;
  g->pcol = pcol;
  return TRUE;
}

/*
 * The grad input at stride 1 as a forward convolution of dy: dx[c, h, w]
 * sums dy[o, h + p - i d, w + p - j d] w[o, c, i, j], a correlation of dy
 * padded by (k - 1) d - p with w's taps flipped and each group's input
 * and output channels swapped, w' (C, Og, kh, kw). It then takes the
 * forward's wide (or shifted) rows straight into dx, where the wide grad
 * input computes the columns dB (Cg kh kw of them) and folds them back.
 * Taken for filters larger than 3x3 or dilated, of at least two register
 * blocks (2 MR) of input channels a group (the forward's rows), where it
 * measured 1.1-1.3x faster than the fold on a 5x5 layer of 32 -> 64
 * channels at 28 x 28 and 1.1-2x on dilated 3x3 layers of 32 and 64
 * channels; on 3x3 layers the fold was as fast or faster (0.5-1.0x), and
 * on the tutorial's 6 -> 16 5x5 layer a few percent faster. Where a
 * padding is more than (k - 1) d, or the forward's rows would not be
 * wide, the fold stays too. Sets @fp to the forward's parameters and
 * @wts to w''s shape.
 */
static gboolean
grad_input_as_forward (const LtConvParams *p,
                       const gint64       *xs,
                       const gint64       *ws,
                       const gint64       *ys,
                       LtConvParams       *fp,
                       gint64             *wts)
{
  if (p->stride[0] != 1 || p->stride[1] != 1 ||
      (ws[2] * ws[3] <= 9 && p->dilation[0] == 1 && p->dilation[1] == 1) || ws[1] < 2 * MR)
    return FALSE;
  *fp = *p;
  fp->relu = FALSE;
  for (int a = 0; a < 2; a++)
    {
      fp->padding[a] = (ws[2 + a] - 1) * p->dilation[a] - p->padding[a];
      if (fp->padding[a] < 0)
        return FALSE;
    }
  /* wide rows for the forward (geom_init ()): 2 W >= OW + 2 p' */
  if (2 * xs[3] < ys[3] + 2 * fp->padding[1])
    return FALSE;
  wts[0] = xs[1];
  wts[1] = ws[0] / MAX (p->groups, 1);
  wts[2] = ws[2];
  wts[3] = ws[3];
  return TRUE;
}

/* w' of grad_input_as_forward () from w (O, Cg, kh, kw), into @wt */
static void
flip_weights (const void *w, void *wt, const gint64 *ws, gint64 groups, gboolean f32)
{
  gint64 Og = ws[0] / groups, Cg = ws[1], kh = ws[2], kw = ws[3], kk = kh * kw;

  for (gint64 g = 0; g < groups; g++)
    for (gint64 o = 0; o < Og; o++)
      for (gint64 c = 0; c < Cg; c++)
        {
          gint64 from = ((g * Og + o) * Cg + c) * kk, to = ((g * Cg + c) * Og + o) * kk + kk - 1;

          for (gint64 t = 0; t < kk; t++)
            if (f32)
              ((float *) wt)[to - t] = ((const float *) w)[from + t];
            else
              ((double *) wt)[to - t] = ((const double *) w)[from + t];
        }
}

gboolean
_lt_cpu_conv (const LtKernelArgs *args,
              GError            **error)
{
  const LtConvParams *p = &args->params->conv;
  LtDType dt = args->out->dtype;
  gboolean f32 = dt == LT_DTYPE_FLOAT32;
  gsize es = _lt_dtype_size (dt);
  LtTensor *x, *w, *y;
  const gint64       *xs, *ws, *ys;
  gint64              wts[4];
  LtConvParams        fp;
  void               *wt = NULL;
  gsize               wt_bytes = 0;
  ConvGeom g;
  ConvJob job = { 0 };
  int kind;
  gint64              fmas, elems, kk, nrows, nunits, want, rwant;
  gint64 *tables;
  gpointer            ptables = NULL;
  LtCpuParallelFunc   part;
  int nt = _lt_cpu_get_num_threads ();

  if (dt != LT_DTYPE_FLOAT32 && dt != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend supports float32 and float64 only",
                   _lt_op_table[args->op].name);
      return FALSE;
    }
  if (_lt_cpu_conv_depthwise_applies (
        args->op == LT_OP_CONV2D_GRAD_INPUT ? args->out : args->in[0],
        args->op == LT_OP_CONV2D_GRAD_WEIGHT ? args->out : args->in[1], p))
    return _lt_cpu_conv_depthwise (args, error);
  if (_lt_cpu_conv_winograd_applies (args))
    return _lt_cpu_conv_winograd (args, error);
  switch (args->op)
    {
    case LT_OP_CONV2D:
      x = args->in[0];
      w = args->in[1];
      y = args->out;
      job.x = _lt_tensor_data (x);
      job.w = _lt_tensor_data (w);
      job.b = args->n_in > 2 ? _lt_tensor_data (args->in[2]) : NULL;
      job.y = _lt_tensor_data (y);
      job.relu = p->relu;
      kind = 0;
      break;
    case LT_OP_CONV2D_GRAD_INPUT:
      x = args->out;
      y = args->in[0];
      w = args->in[1];
      if (grad_input_as_forward (p, x->shape, w->shape, y->shape, &fp, wts))
        {
          wt_bytes = (gsize) (w->numel * (gint64) es);
          if ((wt = _lt_cpu_alloc (MAX (wt_bytes, 1), NULL)) == NULL)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                           "%s: could not allocate the flipped weights (%" G_GINT64_FORMAT
                           " elements)",
                           _lt_op_table[args->op].name, w->numel);
              return FALSE;
            }
          flip_weights (_lt_tensor_data (w), wt, w->shape, p->groups, f32);
          job.x = _lt_tensor_data (y);
          job.w = wt;
          job.y = _lt_tensor_data (x);
          xs = y->shape;
          ws = wts;
          ys = x->shape;
          p = &fp;
          kind = 0;
          break;
        }
      job.dy = _lt_tensor_data (y);
      job.w = _lt_tensor_data (w);
      job.dx = _lt_tensor_data (x);
      kind = 1;
      break;
    case LT_OP_CONV2D_GRAD_WEIGHT:
      x = args->in[0];
      y = args->in[1];
      w = args->out;
      job.x = _lt_tensor_data (x);
      job.dy = _lt_tensor_data (y);
      job.dw = _lt_tensor_data (w);
      job.db = args->grad_bias ? _lt_tensor_data (args->grad_bias) : NULL;
      kind = 2;
      break;
    default:
      g_assert_not_reached ();
    }
  if (wt == NULL)
    {
      xs = x->shape;
      ws = w->shape;
      ys = y->shape;
    }
  geom_init (&g, xs, ws, ys, p, es, kind);
  job.g = &g;

  fmas = g.N * g.O * g.P * MAX (g.K, 1);
  want = nt > 1 && fmas >= CONV_PARALLEL_FMAS ? (gint64) nt * LT_CPU_PARTS_PER_THREAD : 1;
  /* rows are split only to give every thread work, as blocks repeat copies */
  rwant = want > 1 ? nt : 1;
  g.rsplit = 1;
  g.rblock = kind == 1 ? g.Cg : g.Og;
  if (kind == 2)
    {
      /* chunks up to a thread's share of the images, not a part's: the
       * extra parts only even out the threads' loads, while smaller chunks
       * make every product smaller (and each part's sums cost the same) */
      geom_chunk (&g, grad_weight_chunk (&g, (int) MIN (want > 1 ? nt : 1, MAX (g.N, 1))));
      nunits = g.N / g.nc;
      if (nunits < rwant && split_rows (&g, kind, g.groups, rwant) > nunits)
        {
          /* row blocks over every image: the chunks as wide as one part wants */
          geom_chunk (&g, grad_weight_chunk (&g, 1));
          nunits = g.groups * g.rsplit;
          kind = 3;
        }
      else
        {
          g.rsplit = 1;
          g.rblock = g.Og;
        }
    }
  else
    {
      geom_chunk (&g, unit_chunk (&g, want));
      nunits = split_rows (&g, kind, n_chunks (&g) * g.groups, rwant);
      /* the unfolded grad input folds through a padded image (fold ()) */
      if (kind == 1 && !g.wide && !g.phased)
        g.xlen = MAX (g.xlen, round_up (g.Cg * g.Hp * g.Wp + 3 * g.vmax, g.vmax));
    }
  job.n_parts = (int) MAX (1, MIN (want, nunits));
  if (job.n_parts > 1 && g.Og * g.K * g.vmax > CONV_MAX_PART_SUMS)
    g.vec_sums = FALSE;
  /* vector sums pay for clearing and adding up their lanes only where a
   * part adds several chunks into them (the same sums, in the same
   * order, either way) */
  if (kind >= 2 && (kind == 2 ? (g.N / g.nc + job.n_parts - 1) / job.n_parts : g.N / g.nc) <= 1)
    g.vec_sums = FALSE;

  /* Row offsets: of B (g.off), rows i Lp (g.rows), rows of dB (g.drows) */
  nrows = MAX (g.K, g.Og);
  /* the weight gradient of a few vectors of columns, K long enough to fill
   * vectors: dy @ B^T (see dw_chunk ()) */
  g.wt = kind >= 2 && g.Lp < 16 * g.vmax && g.K >= 2 * g.vmax;
  g.Kp = round_up (g.K, g.vmax);
  if (g.wt)
    g.vec_sums = FALSE;
  tables = g_try_new (gint64, 2 * g.K + nrows + (g.wt ? g.Lp + 2 * g.Og : 0));
  if (tables == NULL)
    goto oom;
  kk = g.kh * g.kw;
  for (gint64 k = 0; k < g.K; k++)
    {
      gint64 c = k / kk, i = (k % kk) / g.kw, j = k % g.kw;

      /* (xp's rows are rpitch apart: Wq, or nc Wq when inter) */
      tables[k] = g.shifted ? (c * g.kw + j) * g.nc * g.Hq * g.Wq + i * g.dh * g.rpitch
                  : g.wide
                    ? ((c * g.sh + i * g.dh % g.sh) * g.sw + j * g.dw % g.sw) * g.nc * g.Hq * g.Wq +
                        i * g.dh / g.sh * g.rpitch + j * g.dw / g.sw
                    : k * g.Lp;
      tables[g.K + nrows + k] = k * g.Ls + g.padl;
    }
  for (gint64 r = 0; r < nrows; r++)
    tables[g.K + r] = r * g.Lp;
  g.off = tables;
  g.rows = tables + g.K;
  g.drows = tables + g.K + nrows;
  if (g.wt)
    {
      gint64 *t = tables + 2 * g.K + nrows;

      for (gint64 j = 0; j < g.Lp; j++)
        t[j] = j * g.Kp;
      for (gint64 o = 0; o < g.Og; o++)
        {
          t[g.Lp + o] = o * g.Kp;
          t[g.Lp + g.Og + o] = o * g.K;
        }
      g.trows = t;
      g.orows = t + g.Lp;
      g.wrows = t + g.Lp + g.Og;
    }

  if (g.phased && !phased_tables (&g, &ptables))
    {
      g_free (tables);
      goto oom;
    }

  /* per part: B, dy or y, then dB (grad input) or vector sums and
   * weight-gradient sums (grad weight); by phases dy's buffer, then the
   * phases' products and the vector that reads past the last */
  elems = g.phased ? g.xlen + g.sh * g.sw * g.rblock * g.Lp : g.xlen + g.Og * g.Lp;
  if (kind == 1 && !g.phased)
    elems += g.K * g.Ls;
  /* the vectors that read past the last row of out (forward) or dB */
  if (kind <= 1)
    elems += g.vmax;
  if (kind >= 2 && g.vec_sums)
    elems += g.Og * g.K * g.vmax;
  job.sums_offset = (gsize) (elems * (gint64) es);
  if (kind >= 2)
    elems += g.O * g.K + g.O;
  elems = round_up (elems, g.vmax);
  g.bt_offset = (gsize) (elems * (gint64) es);
  if (g.wt)
    elems += (g.Lp + g.Og) * g.Kp;
  job.scratch_bytes = (gsize) round_up (elems * (gint64) es, CONV_VEC_BYTES);
  /* the backend's buffers are 64-byte aligned (CONV_VEC_BYTES) and come
   * from its cache of freed buffers: the same scratch at every step */
  job.scratch = _lt_cpu_alloc (job.scratch_bytes * (gsize) job.n_parts, NULL);
  if (job.scratch == NULL)
    {
      g_free (tables);
      g_free (ptables);
      goto oom;
    }
  part = conv_parts[g.phased ? 4 : kind][_lt_cpu_isa ()][!f32];
  if (job.n_parts > 1)
    _lt_cpu_parallel (job.n_parts, part, &job);
  else
    part (0, 1, &job);
  if (kind == 2)
    {
      if (f32)
        grad_weight_reduce_f32 (&job);
      else
        grad_weight_reduce_f64 (&job);
    }
  _lt_cpu_free (job.scratch, job.scratch_bytes * (gsize) job.n_parts);
  g_free (tables);
  g_free (ptables);
  if (wt)
    _lt_cpu_free (wt, MAX (wt_bytes, 1));
  return TRUE;

oom:
  if (wt)
    _lt_cpu_free (wt, MAX (wt_bytes, 1));
  g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
               "%s: could not allocate the scratch buffers for %" G_GINT64_FORMAT " x %"
               G_GINT64_FORMAT " columns", _lt_op_table[args->op].name, g.K, g.Lp);
  return FALSE;
}
