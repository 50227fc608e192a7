/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cpu-private.h"
#include "lt-cpu-conv-kernels-private.h"

/*
 * Depthwise conv2d (groups = C = O: one input and one output channel per
 * group), forward and the two kernels of its backward rule, computed
 * directly: with one channel a group, the column products of
 * lt-cpu-conv.c have one row, and their copies (unfolding the image,
 * folding back) are all of the work. Here each (image, channel) plane is
 * copied once into a zero-padded buffer split into the stride's phases,
 * as the wide rows of lt-cpu-conv.c lay it out:
 *
 *   P: (sH, sW, Hq, Wq), Hq = ceil ((H + 2 pH) / sH), Wq = ceil ((W + 2 pW) / sW)
 *   phase (a, b) holds the padded pixels (h sH + a, w sW + b)
 *
 * and tap t = (i, j) of the filter reads phase ((i dH) % sH, (j dW) % sW)
 * at the stride-1 offset ((i dH) / sH) Wq + (j dW) / sW, from off[t]. The
 * outputs are computed Wq wide (q = oh Wq + ow, the columns past OW
 * dropped), one long vector loop over the plane:
 *
 *   forward      yw[q]  = b + sum_t w[t] P[off[t] + q]
 *   grad weight  dw[t] += sum_q dyw[q] P[off[t] + q]    (dyw: dy Wq wide, zeros
 *                                                        past OW)
 *   grad input   dP[base(a) + p] = sum_{t in phase a} w[t] dyw[p - in[t]],
 *                in[t] = off[t] - base(phase of t), then the image's pixels of
 *                dP go to dx
 *
 * The copies are most of the work at small sizes: at a horizontal stride
 * of 2 a row's two column phases come from the same two vectors of the
 * image (dw_pack2 ()) and the grad input interleaves them back the same
 * way (dw_unpack ()), and rows of the phases, of dyw and of the outputs
 * go in whole vectors, written in memory order so that a vector's lanes
 * past its row fall on rows written after it.
 *
 * The grad input gathers (one store a vector) instead of scattering
 * w[t] dy into dP tap by tap, whose overlapping unaligned stores and loads
 * would stall on store forwarding. The forward and the grad input split
 * the planes across the pool; the weight gradient splits the channels,
 * each part summing its channels over every image in order, so the result
 * does not depend on the thread count. Compiled per instruction set as the
 * products of lt-cpu-conv.c are, and chosen by _lt_cpu_isa ().
 */

/* Buffers are padded to two of the widest vectors, in bytes */
#define DW_VEC_BYTES 64
/* Below this many multiply-adds the pool is not worth waking */
#define DW_PARALLEL_FMAS (1 << 18)
/* Taps summed per pass over a plane in the weight gradient (registers) */
#define DW_TAP_BLOCK 12

typedef struct
{
  gint64      N, C, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw;
  gint64      kk;     /* taps: kh kw */
  gint64      Hq, Wq; /* a phase plane */
  gint64      hw;     /* Hq Wq */
  gint64      Lw;     /* wide outputs: OH Wq, rounded up to two vectors */
  gint64      plen;   /* elements of P (and dP): the phases, the reach and slack */
  gint64      padl;   /* zeros before dyw (grad input: p - in[t] >= -padl) */
  gint64      dlen;   /* elements of the dyw buffer, padl included */
  gint64     *off;    /* off[t]; then in[t] at off + kk */
  const void *x, *w, *b, *dy;
  void       *y, *dx, *dwt, *db;
  char       *scratch; /* per part: scratch_bytes each */
  gsize       scratch_bytes;
  gboolean    relu; /* forward: store relu (y) (LtConvParams.relu) */
} DwJob;

static gint64
dw_round_up (gint64 v, gint64 m)
{
  return (v + m - 1) / m * m;
}

gboolean
_lt_cpu_conv_depthwise_applies (const LtTensor *x, const LtTensor *w, const LtConvParams *p)
{
  /* one input and one output channel a group, strides with at most 16
   * phases */
  return p->groups > 1 && p->groups == x->shape[1] && w->shape[0] == p->groups &&
         w->shape[1] == 1 && p->stride[0] <= 4 && p->stride[1] <= 4;
}

#define DW_V_LOAD(p) (*(const V *) (p))
#define DW_V_STORE(p, v) (*(V *) (p) = (v))

#define DEFINE_DW(T, IT, sfx, VB, ATTR)                                                            \
  typedef T  dwvec_##sfx __attribute__ ((vector_size (VB), aligned (sizeof (T)), may_alias));      \
  typedef IT dwivec_##sfx __attribute__ ((vector_size (VB)));                                      \
                                                                                                   \
  /* dw_pack () at a horizontal stride of 1 or 2: every phase row is                               \
   * written whole, pixels and zeros, a vector at a time, in the order (a,                         \
   * r, b): a vector past a row's end falls on rows written after it,                              \
   * except at the end of plane b = 0 of stride 2, whose last vectors are                          \
   * stored exactly. At stride 2 the two column phases of a row come from                          \
   * the same two vectors of x (its even and its odd elements). x's plane                          \
   * lies within [lo, hi) of the tensor's elements; loads stay there. */                           \
  ATTR static void dw_pack2_##sfx (const DwJob *j, const T *x, T *P, gint64 lo, gint64 hi)         \
  {                                                                                                \
    typedef dwvec_##sfx  V;                                                                        \
    typedef dwivec_##sfx IV;                                                                       \
    const int            vl = VB / sizeof (T);                                                     \
    const gint64         H = j->H, W = j->W, sh = j->sh, ph = j->ph, pw = j->pw;                   \
    const gint64         hw = j->hw, Wq = j->Wq;                                                   \
    IV                   even, odd, lane;                                                          \
    CONV_SPLIT_INDICES (even, odd, vl);                                                            \
    for (int l = 0; l < vl; l++)                                                                   \
      lane[l] = l;                                                                                 \
    if (j->sw == 1)                                                                                \
      {                                                                                            \
        T *d = P;                                                                                  \
        for (gint64 a = 0; a < sh; a++)                                                            \
          for (gint64 r = 0; r < j->Hq; r++, d += Wq)                                              \
            {                                                                                      \
              gint64 h = r * sh + a - ph;                                                          \
              for (gint64 q = 0; q < Wq; q += vl)                                                  \
                {                                                                                  \
                  gint64 w0 = q - pw, at = h * W + w0;                                             \
                  IV     wv = lane + (IT) w0;                                                      \
                  V      v;                                                                        \
                  if (h < 0 || h >= H)                                                             \
                    v = (V){};                                                                     \
                  else if (at >= lo && at + vl <= hi)                                              \
                    v = (V) ((IV) DW_V_LOAD (x + at) & ((wv >= 0) & (wv < (IT) W)));               \
                  else                                                                             \
                    {                                                                              \
                      T t[VB / sizeof (T)];                                                        \
                      for (int l = 0; l < vl; l++)                                                 \
                        t[l] = w0 + l >= 0 && w0 + l < W ? x[at + l] : 0;                          \
                      v = DW_V_LOAD (t);                                                           \
                    }                                                                              \
                  DW_V_STORE (d + q, v);                                                           \
                }                                                                                  \
            }                                                                                      \
        memset (P + sh * hw, 0, (gsize) (j->plen - sh * hw) * sizeof (T));                         \
        return;                                                                                    \
      }                                                                                            \
    for (gint64 a = 0; a < sh; a++)                                                                \
      {                                                                                            \
        T *d0 = P + a * 2 * hw, *d1 = d0 + hw;                                                     \
        for (gint64 r = 0; r < j->Hq; r++, d0 += Wq, d1 += Wq)                                     \
          {                                                                                        \
            gint64 h = r * sh + a - ph;                                                            \
            gint64 room = hw - r * Wq; /* plane b = 0 from d0 on */                                \
            for (gint64 q = 0; q < Wq; q += vl)                                                    \
              {                                                                                    \
                gint64 w0 = 2 * q - pw, at = h * W + w0;                                           \
                IV     wv = lane * 2 + (IT) w0;                                                    \
                V      v0, v1;                                                                     \
                if (h < 0 || h >= H)                                                               \
                  v0 = v1 = (V){};                                                                 \
                else if (at >= lo && at + 2 * vl <= hi)                                            \
                  {                                                                                \
                    V e = DW_V_LOAD (x + at), f = DW_V_LOAD (x + at + vl);                         \
                    v0 = (V) ((IV) V_SHUFFLE2 (e, f, even) & ((wv >= 0) & (wv < (IT) W)));         \
                    v1 = (V) ((IV) V_SHUFFLE2 (e, f, odd) & ((wv + 1 >= 0) & (wv + 1 < (IT) W)));  \
                  }                                                                                \
                else                                                                               \
                  {                                                                                \
                    /* the tensor's first and last rows: element by element */                     \
                    T t[2][VB / sizeof (T)];                                                       \
                    for (int l = 0; l < vl; l++)                                                   \
                      {                                                                            \
                        gint64 w = w0 + 2 * l;                                                     \
                        t[0][l] = w >= 0 && w < W ? x[at + 2 * l] : 0;                             \
                        t[1][l] = w + 1 >= 0 && w + 1 < W ? x[at + 2 * l + 1] : 0;                 \
                      }                                                                            \
                    v0 = DW_V_LOAD (t[0]);                                                         \
                    v1 = DW_V_LOAD (t[1]);                                                         \
                  }                                                                                \
                DW_V_STORE (d1 + q, v1);                                                           \
                if (q + vl <= room)                                                                \
                  DW_V_STORE (d0 + q, v0);                                                         \
                else                                                                               \
                  for (gint64 l = 0; l < MIN (vl, Wq - q); l++)                                    \
                    d0[q + l] = v0[l];                                                             \
              }                                                                                    \
          }                                                                                        \
      }                                                                                            \
    memset (P + sh * 2 * hw, 0, (gsize) (j->plen - sh * 2 * hw) * sizeof (T));                     \
  }                                                                                                \
                                                                                                   \
  /* P = the padded plane x (H, W), split into its phases. The sizes are                           \
   * copied out of the job: the stores into P would otherwise make the                             \
   * compiler load them again for every pixel. */                                                  \
  ATTR static void dw_pack_##sfx (const DwJob *j, const T *x, T *P, gint64 lo, gint64 hi)          \
  {                                                                                                \
    const gint64 H = j->H, W = j->W, sh = j->sh, sw = j->sw, ph = j->ph, pw = j->pw;               \
    const gint64 hw = j->hw, Wq = j->Wq;                                                           \
    if (sw == 1 || (CONV_HAVE_SHUFFLE && sw == 2))                                                 \
      {                                                                                            \
        dw_pack2_##sfx (j, x, P, lo, hi);                                                          \
        return;                                                                                    \
      }                                                                                            \
    memset (P, 0, (gsize) j->plen * sizeof (T));                                                   \
    for (gint64 h = 0; h < H; h++)                                                                 \
      {                                                                                            \
        gint64   hp = h + ph;                                                                      \
        T       *row = P + (hp % sh) * sw * hw + (hp / sh) * Wq;                                   \
        const T *xr = x + h * W;                                                                   \
        if (sw == 1)                                                                               \
          memcpy (row + pw, xr, (gsize) W * sizeof (T));                                           \
        else                                                                                       \
          for (gint64 b = 0; b < sw; b++)                                                          \
            {                                                                                      \
              /* the pixels w with (w + pw) % sw == b, in order */                                 \
              gint64 w0 = ((b - pw) % sw + sw) % sw;                                               \
              T     *d = row + b * hw + (w0 + pw) / sw;                                            \
              for (gint64 w = w0, q = 0; w < W; w += sw, q++)                                      \
                d[q] = xr[w];                                                                      \
            }                                                                                      \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* dx (H, W) = the image's pixels of dP. At a horizontal stride of 2                             \
   * each row of dx interleaves a row of its two column phases, a vector of                        \
   * each at a time; a vector past the row's end falls on rows written                             \
   * after it, but never past the plane's end. */                                                  \
  ATTR static void dw_unpack_##sfx (const DwJob *j, const T *dP, T *dx)                            \
  {                                                                                                \
    typedef dwvec_##sfx  V;                                                                        \
    typedef dwivec_##sfx IV;                                                                       \
    const int            vl = VB / sizeof (T);                                                     \
    const gint64         H = j->H, W = j->W, sh = j->sh, sw = j->sw, ph = j->ph, pw = j->pw;       \
    const gint64         hw = j->hw, Wq = j->Wq;                                                   \
    IV                   elo, ehi;                                                                 \
    CONV_MERGE_INDICES (elo, ehi, vl);                                                             \
    for (gint64 h = 0; h < H; h++)                                                                 \
      {                                                                                            \
        gint64   hp = h + ph;                                                                      \
        const T *row = dP + (hp % sh) * sw * hw + (hp / sh) * Wq;                                  \
        T       *dr = dx + h * W;                                                                  \
        if (CONV_HAVE_SHUFFLE && sw == 2)                                                          \
          {                                                                                        \
            /* column 2 k of dx is padded column 2 k + pw: phase pw % 2 at                         \
             * (2 k + pw) / 2, column 2 k + 1 the other phase */                                   \
            const T *s0 = row + (pw % 2) * hw + pw / 2;                                            \
            const T *s1 = row + (1 - pw % 2) * hw + (pw + 1) / 2;                                  \
            gint64   end = (H - h) * W;                                                            \
            for (gint64 k = 0; 2 * k < W; k += vl)                                                 \
              {                                                                                    \
                V e = DW_V_LOAD (s0 + k), f = DW_V_LOAD (s1 + k);                                  \
                for (int half = 0; half < 2; half++)                                               \
                  {                                                                                \
                    gint64 w0 = 2 * k + half * vl;                                                 \
                    V      v = V_SHUFFLE2 (e, f, half ? ehi : elo);                                \
                    if (w0 >= W)                                                                   \
                      break;                                                                       \
                    if (w0 + vl <= end)                                                            \
                      DW_V_STORE (dr + w0, v);                                                     \
                    else                                                                           \
                      for (gint64 l = 0; l < MIN (vl, W - w0); l++)                                \
                        dr[w0 + l] = v[l];                                                         \
                  }                                                                                \
              }                                                                                    \
          }                                                                                        \
        else if (sw == 1)                                                                          \
          memcpy (dr, row + pw, (gsize) W * sizeof (T));                                           \
        else                                                                                       \
          for (gint64 b = 0; b < sw; b++)                                                          \
            {                                                                                      \
              gint64   w0 = ((b - pw) % sw + sw) % sw;                                             \
              const T *s = row + b * hw + (w0 + pw) / sw;                                          \
              for (gint64 w = w0, q = 0; w < W; w += sw, q++)                                      \
                dr[w] = s[q];                                                                      \
            }                                                                                      \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  /* dyw = dy (OH, OW) Wq wide, zeros past OW and around, from padl. The                           \
   * zeros are written once (dyw cleared when a part starts): each row goes                        \
   * in whole vectors whose lanes past OW are zeros, falling on the row's                          \
   * zeros, on rows written after it or on the zeros after the last. dy's                          \
   * plane lies within [lo, hi) of the tensor's elements; loads stay there. */                     \
  ATTR static void dw_pack_dy_##sfx (const DwJob *j, const T *dy, T *dyw, gint64 lo, gint64 hi)    \
  {                                                                                                \
    typedef dwvec_##sfx  V;                                                                        \
    typedef dwivec_##sfx IV;                                                                       \
    const int            vl = VB / sizeof (T);                                                     \
    IV                   lane;                                                                     \
    for (int l = 0; l < vl; l++)                                                                   \
      lane[l] = l;                                                                                 \
    for (gint64 oh = 0; oh < j->OH; oh++)                                                          \
      {                                                                                            \
        T *d = dyw + j->padl + oh * j->Wq;                                                         \
        for (gint64 q = 0; q < j->OW; q += vl)                                                     \
          {                                                                                        \
            gint64 at = oh * j->OW + q;                                                            \
            if (at >= lo && at + vl <= hi)                                                         \
              DW_V_STORE (d + q, (V) ((IV) DW_V_LOAD (dy + at) & (lane + (IT) q < (IT) j->OW)));   \
            else                                                                                   \
              for (gint64 l = 0; l < MIN (vl, j->OW - q); l++)                                     \
                d[q + l] = dy[at + l];                                                             \
          }                                                                                        \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  ATTR static void dw_forward_part_##sfx (int tid, int np, gpointer data)                          \
  {                                                                                                \
    typedef dwvec_##sfx  V;                                                                        \
    typedef dwivec_##sfx IV;                                                                       \
    const DwJob         *j = data;                                                                 \
    const int            vl = VB / sizeof (T);                                                     \
    const T             *x = j->x, *w = j->w, *b = j->b;                                           \
    T                   *y = j->y;                                                                 \
    T                   *P = (T *) (j->scratch + tid * j->scratch_bytes);                          \
    T                   *Y = P + j->plen;                                                          \
    gint64               u0, u1;                                                                   \
    _lt_cpu_split (j->N * j->C, tid, np, &u0, &u1);                                                \
    for (gint64 u = u0; u < u1; u++)                                                               \
      {                                                                                            \
        gint64   c = u % j->C;                                                                     \
        const T *wc = w + c * j->kk;                                                               \
        T        init = b ? b[c] : (T) 0;                                                          \
        T       *yu = y + u * j->OH * j->OW;                                                       \
        dw_pack_##sfx (j, x + u * j->H * j->W, P, -u * j->H * j->W,                                \
                       (j->N * j->C - u) * j->H * j->W);                                           \
        for (gint64 q = 0; q < j->Lw; q += 2 * vl)                                                 \
          {                                                                                        \
            V a0 = (V){} + init, a1 = a0;                                                          \
            for (gint64 t = 0; t < j->kk; t++)                                                     \
              {                                                                                    \
                const T *s = P + j->off[t] + q;                                                    \
                a0 += wc[t] * DW_V_LOAD (s);                                                       \
                a1 += wc[t] * DW_V_LOAD (s + vl);                                                  \
              }                                                                                    \
            DW_V_STORE (Y + q, a0);                                                                \
            DW_V_STORE (Y + q + vl, a1);                                                           \
          }                                                                                        \
        /* the rows in whole vectors (relu: v < 0 ? 0 : v, as relu's kernel),                      \
         * a vector past a row's end falling on rows written after it but                          \
         * never past the plane's end */                                                           \
        for (gint64 oh = 0, end = j->OH * j->OW; oh < j->OH; oh++, end -= j->OW)                   \
          for (gint64 q = 0; q < j->OW; q += vl)                                                   \
            {                                                                                      \
              V  v = DW_V_LOAD (Y + oh * j->Wq + q);                                               \
              T *d = yu + oh * j->OW + q;                                                          \
              if (j->relu)                                                                         \
                v = (V) ((IV) v & ~(IV) (v < (V){}));                                              \
              if (q + vl <= end)                                                                   \
                DW_V_STORE (d, v);                                                                 \
              else                                                                                 \
                for (gint64 l = 0; l < MIN (vl, j->OW - q); l++)                                   \
                  d[l] = v[l];                                                                     \
            }                                                                                      \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  ATTR static void dw_grad_input_part_##sfx (int tid, int np, gpointer data)                       \
  {                                                                                                \
    typedef dwvec_##sfx V;                                                                         \
    const DwJob        *j = data;                                                                  \
    const int           vl = VB / sizeof (T);                                                      \
    const T            *dy = j->dy, *w = j->w;                                                     \
    T                  *dx = j->dx;                                                                \
    T                  *dP = (T *) (j->scratch + tid * j->scratch_bytes);                          \
    T                  *dyw = dP + j->plen;                                                        \
    const gint64       *in = j->off + j->kk;                                                       \
    gint64              u0, u1;                                                                    \
    _lt_cpu_split (j->N * j->C, tid, np, &u0, &u1);                                                \
    memset (dyw, 0, (gsize) j->dlen * sizeof (T));                                                 \
    for (gint64 u = u0; u < u1; u++)                                                               \
      {                                                                                            \
        gint64   c = u % j->C;                                                                     \
        const T *wc = w + c * j->kk;                                                               \
        dw_pack_dy_##sfx (j, dy + u * j->OH * j->OW, dyw, -u * j->OH * j->OW,                      \
                          (j->N * j->C - u) * j->OH * j->OW);                                      \
        for (gint64 a = 0; a < j->sh * j->sw; a++)                                                 \
          {                                                                                        \
            T *dst = dP + a * j->hw;                                                               \
            for (gint64 p = 0; p < j->hw; p += 2 * vl)                                             \
              {                                                                                    \
                V a0 = (V){}, a1 = (V){};                                                          \
                for (gint64 t = 0; t < j->kk; t++)                                                 \
                  {                                                                                \
                    const T *s;                                                                    \
                    if (j->off[t] - in[t] != a * j->hw)                                            \
                      continue;                                                                    \
                    s = dyw + j->padl + p - in[t];                                                 \
                    a0 += wc[t] * DW_V_LOAD (s);                                                   \
                    a1 += wc[t] * DW_V_LOAD (s + vl);                                              \
                  }                                                                                \
                DW_V_STORE (dst + p, a0);                                                          \
                DW_V_STORE (dst + p + vl, a1);                                                     \
              }                                                                                    \
          }                                                                                        \
        dw_unpack_##sfx (j, dP, dx + u * j->H * j->W);                                             \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  ATTR static void dw_grad_weight_part_##sfx (int tid, int np, gpointer data)                      \
  {                                                                                                \
    typedef dwvec_##sfx V;                                                                         \
    const DwJob        *j = data;                                                                  \
    const int           vl = VB / sizeof (T);                                                      \
    const T            *x = j->x, *dy = j->dy;                                                     \
    T                  *dwt = j->dwt, *db = j->db;                                                 \
    T                  *P = (T *) (j->scratch + tid * j->scratch_bytes);                           \
    T                  *dyw = P + j->plen;                                                         \
    V                  *sums = (V *) (dyw + j->dlen);                                              \
    gint64              c0, c1;                                                                    \
    _lt_cpu_split (j->C, tid, np, &c0, &c1);                                                       \
    memset (dyw, 0, (gsize) j->dlen * sizeof (T));                                                 \
    for (gint64 c = c0; c < c1; c++)                                                               \
      {                                                                                            \
        V sb = (V){};                                                                              \
        for (gint64 t = 0; t <= j->kk; t++)                                                        \
          sums[t] = (V){};                                                                         \
        for (gint64 n = 0; n < j->N; n++)                                                          \
          {                                                                                        \
            gint64   u = n * j->C + c;                                                             \
            const T *g = dyw + j->padl;                                                            \
            dw_pack_##sfx (j, x + u * j->H * j->W, P, -u * j->H * j->W,                            \
                           (j->N * j->C - u) * j->H * j->W);                                       \
            dw_pack_dy_##sfx (j, dy + u * j->OH * j->OW, dyw, -u * j->OH * j->OW,                  \
                              (j->N * j->C - u) * j->OH * j->OW);                                  \
            for (gint64 t0 = 0; t0 < j->kk; t0 += DW_TAP_BLOCK)                                    \
              {                                                                                    \
                int nt = (int) MIN (DW_TAP_BLOCK, j->kk - t0);                                     \
                V   acc[DW_TAP_BLOCK];                                                             \
                for (int t = 0; t < nt; t++)                                                       \
                  acc[t] = (V){};                                                                  \
                for (gint64 q = 0; q < j->Lw; q += vl)                                             \
                  {                                                                                \
                    V gv = DW_V_LOAD (g + q);                                                      \
                    if (t0 == 0)                                                                   \
                      sb += gv;                                                                    \
                    for (int t = 0; t < nt; t++)                                                   \
                      acc[t] += gv * DW_V_LOAD (P + j->off[t0 + t] + q);                           \
                  }                                                                                \
                for (int t = 0; t < nt; t++)                                                       \
                  sums[t0 + t] += acc[t];                                                          \
              }                                                                                    \
          }                                                                                        \
        for (gint64 t = 0; t < j->kk; t++)                                                         \
          {                                                                                        \
            T s = 0;                                                                               \
            for (int l = 0; l < vl; l++)                                                           \
              s += sums[t][l];                                                                     \
            dwt[c * j->kk + t] = s;                                                                \
          }                                                                                        \
        if (db)                                                                                    \
          {                                                                                        \
            T s = 0;                                                                               \
            for (int l = 0; l < vl; l++)                                                           \
              s += sb[l];                                                                          \
            db[c] = s;                                                                             \
          }                                                                                        \
      }                                                                                            \
  }

#define DW_ATTR_BASE
DEFINE_DW (float, gint32, f32_base, 16, DW_ATTR_BASE)
DEFINE_DW (double, gint64, f64_base, 16, DW_ATTR_BASE)

#ifdef LT_CPU_X86_ISAS
#define DW_ATTR_AVX2 __attribute__ ((target ("avx2,fma")))
#define DW_ATTR_AVX512 __attribute__ ((target ("avx512f,avx512vl,fma")))
DEFINE_DW (float, gint32, f32_avx2, 32, DW_ATTR_AVX2)
DEFINE_DW (double, gint64, f64_avx2, 32, DW_ATTR_AVX2)
DEFINE_DW (float, gint32, f32_avx512, 64, DW_ATTR_AVX512)
DEFINE_DW (double, gint64, f64_avx512, 64, DW_ATTR_AVX512)
#endif
#define DW_PARTS(op) LT_CPU_ISA_TABLE (dw_##op##_part)

/* [op][isa][float64] */
static const LtCpuParallelFunc dw_parts[3][LT_CPU_N_ISAS][2] = {
  DW_PARTS (forward),
  DW_PARTS (grad_input),
  DW_PARTS (grad_weight),
};

gboolean
_lt_cpu_conv_depthwise (const LtKernelArgs *args, GError **error)
{
  const LtConvParams *p = &args->params->conv;
  gboolean            f64 = args->out->dtype == LT_DTYPE_FLOAT64;
  gint64              es = f64 ? 8 : 4, vv = 2 * DW_VEC_BYTES / es;
  LtTensor           *x, *w, *y;
  DwJob               j = { 0 };
  gint64              max_off = 0, max_in = 0, units, fmas, elems, want;
  int                 kind, n_parts, nt = _lt_cpu_get_num_threads ();

  switch (args->op)
    {
      case LT_OP_CONV2D:
        x = args->in[0];
        w = args->in[1];
        y = args->out;
        j.x = _lt_tensor_data (x);
        j.w = _lt_tensor_data (w);
        j.b = args->n_in > 2 ? _lt_tensor_data (args->in[2]) : NULL;
        j.y = _lt_tensor_data (y);
        j.relu = p->relu;
        kind = 0;
        break;
      case LT_OP_CONV2D_GRAD_INPUT:
        x = args->out;
        y = args->in[0];
        w = args->in[1];
        j.dy = _lt_tensor_data (y);
        j.w = _lt_tensor_data (w);
        j.dx = _lt_tensor_data (x);
        kind = 1;
        break;
      case LT_OP_CONV2D_GRAD_WEIGHT:
        x = args->in[0];
        y = args->in[1];
        w = args->out;
        j.x = _lt_tensor_data (x);
        j.dy = _lt_tensor_data (y);
        j.dwt = _lt_tensor_data (w);
        j.db = args->grad_bias ? _lt_tensor_data (args->grad_bias) : NULL;
        kind = 2;
        break;
      default:
        g_assert_not_reached ();
    }
  j.N = x->shape[0];
  j.C = x->shape[1];
  j.H = x->shape[2];
  j.W = x->shape[3];
  j.OH = y->shape[2];
  j.OW = y->shape[3];
  j.kh = w->shape[2];
  j.kw = w->shape[3];
  j.kk = j.kh * j.kw;
  j.sh = p->stride[0];
  j.sw = p->stride[1];
  j.ph = p->padding[0];
  j.pw = p->padding[1];
  j.dh = p->dilation[0];
  j.dw = p->dilation[1];

  if (j.N * j.C * j.OH * j.OW * j.kk == 0)
    {
      /* no products: the gradients are zeros */
      if (kind == 1)
        memset (j.dx, 0, (gsize) (j.N * j.C * j.H * j.W * es));
      if (kind == 2)
        {
          memset (j.dwt, 0, (gsize) (j.C * j.kk * es));
          if (j.db)
            memset (j.db, 0, (gsize) (j.C * es));
        }
      return TRUE;
    }

  j.Hq = (j.H + 2 * j.ph + j.sh - 1) / j.sh;
  j.Wq = (j.W + 2 * j.pw + j.sw - 1) / j.sw;
  j.hw = j.Hq * j.Wq;
  j.Lw = dw_round_up (j.OH * j.Wq, vv);
  j.off = g_try_new (gint64, 2 * j.kk);
  if (j.off == NULL)
    goto oom;
  for (gint64 t = 0; t < j.kk; t++)
    {
      gint64 i = t / j.kw, jj = t % j.kw;
      gint64 in = (i * j.dh / j.sh) * j.Wq + jj * j.dw / j.sw;
      gint64 phase = (i * j.dh % j.sh) * j.sw + jj * j.dw % j.sw;

      j.off[t] = phase * j.hw + in;
      j.off[j.kk + t] = in;
      max_off = MAX (max_off, j.off[t]);
      max_in = MAX (max_in, in);
    }
  /* reads reach P + off[t] + Lw, dP's phases end at a round hw + 2 vectors */
  j.plen = dw_round_up (MAX (max_off + j.Lw, j.sh * j.sw * j.hw + vv), vv);
  j.padl = dw_round_up (max_in, vv);
  j.dlen = j.padl + dw_round_up (MAX (j.Lw, j.hw), vv) + vv;

  /* the forward's rows read a vector past Y's end */
  elems = j.plen + (kind == 0 ? j.Lw + vv : j.dlen + (kind == 2 ? (j.kk + 1) * vv : 0));
  j.scratch_bytes = (gsize) dw_round_up (elems * es, DW_VEC_BYTES);

  units = kind == 2 ? j.C : j.N * j.C;
  fmas = j.N * j.C * j.OH * j.OW * j.kk;
  want = nt > 1 && fmas >= DW_PARALLEL_FMAS ? (gint64) nt * LT_CPU_PARTS_PER_THREAD : 1;
  n_parts = (int) MAX (1, MIN (want, units));
  j.scratch = _lt_cpu_alloc (j.scratch_bytes * (gsize) n_parts, NULL);
  if (j.scratch == NULL)
    {
      g_free (j.off);
      goto oom;
    }
  if (n_parts > 1)
    _lt_cpu_parallel (n_parts, dw_parts[kind][_lt_cpu_isa ()][f64], &j);
  else
    dw_parts[kind][_lt_cpu_isa ()][f64](0, 1, &j);
  _lt_cpu_free (j.scratch, j.scratch_bytes * (gsize) n_parts);
  g_free (j.off);
  return TRUE;

oom:
  g_set_error (
    error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
    "%s: could not allocate the scratch buffers of a depthwise convolution over %" G_GINT64_FORMAT
    " x %" G_GINT64_FORMAT " images",
    _lt_op_table[args->op].name, j.H, j.W);
  return FALSE;
}
