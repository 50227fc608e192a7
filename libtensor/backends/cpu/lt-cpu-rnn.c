/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-cpu-private.h"

/*
 * The recurrent cells' pointwise steps and their backward kernels, one pass
 * over the batch's rows each (ops/lt-rnn-ops.c has the front ends). The
 * gate products come in as two (N, G * H) matrices, the input's and the
 * hidden state's (each with its bias); every operand is contiguous.
 *
 * lstm_cell, gates i, f, g, o:
 *   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o), a = igates + hgates
 *   c' = f c + i g,  h' = o tanh(c')
 * out (2, N, H): h' then c'; aux (N, 4H): i, f, g, o.
 * lstm_cell_grad, from dh', dc' (the (2, N, H) gradient), the gates and c:
 *   dc = dc' + dh' o (1 - tanh²(c')),  do = dh' tanh(c') o (1 - o)
 *   di = dc g i (1 - i),  df = dc c f (1 - f),  dg = dc i (1 - g²)
 * out (N, 5H): da (both products' gradient), then dc f (the cell state's).
 *
 * gru_cell, gates r, z, n:
 *   r = σ(ig_r + hg_r), z = σ(ig_z + hg_z), n = tanh(ig_n + r hg_n)
 *   h' = n + z (h - n)
 * out (N, H): h'; aux (N, 4H): r, z, n, hg_n.
 * gru_cell_grad, from dh', the aux and h:
 *   dn = dh' (1 - z) (1 - n²),  dz = dh' (h - n) z (1 - z),
 *   dr = dn hg_n r (1 - r)
 * out (N, 7H): the input products' gradient (dr, dz, dn), the hidden
 * products' (dr, dz, dn r), then dh' z (the hidden state's).
 */

typedef struct
{
  const void *a, *b, *c;
  void       *out, *aux;
  gint64      N, H;
} RnnJob;

#define DEFINE_SIGMOID(T, sfx, EXP)                                                                \
  static inline T sigmoid_##sfx (T x) { return (T) 1 / ((T) 1 + EXP (-x)); }

#define DEFINE_LSTM(T, sfx, TANH)                                                                  \
  static void lstm_forward_##sfx (int tid, int n_parts, gpointer data)                             \
  {                                                                                                \
    const RnnJob *job = data;                                                                      \
    const T      *ig = job->a, *hg = job->b, *cx = job->c;                                         \
    T            *out = job->out, *ws = job->aux;                                                  \
    gint64        H = job->H, N = job->N, r0, r1;                                                  \
    _lt_cpu_split (N, tid, n_parts, &r0, &r1);                                                     \
    for (gint64 r = r0; r < r1; r++)                                                               \
      {                                                                                            \
        const T *a = ig + r * 4 * H, *b = hg + r * 4 * H;                                          \
        T       *w = ws + r * 4 * H, *h = out + r * H, *c = out + (N + r) * H;                     \
        for (gint64 j = 0; j < H; j++)                                                             \
          {                                                                                        \
            T i = sigmoid_##sfx (a[j] + b[j]);                                                     \
            T f = sigmoid_##sfx (a[H + j] + b[H + j]);                                             \
            T g = TANH (a[2 * H + j] + b[2 * H + j]);                                              \
            T o = sigmoid_##sfx (a[3 * H + j] + b[3 * H + j]);                                     \
            T cy = f * cx[r * H + j] + i * g;                                                      \
            w[j] = i;                                                                              \
            w[H + j] = f;                                                                          \
            w[2 * H + j] = g;                                                                      \
            w[3 * H + j] = o;                                                                      \
            c[j] = cy;                                                                             \
            h[j] = o * TANH (cy);                                                                  \
          }                                                                                        \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  static void lstm_backward_##sfx (int tid, int n_parts, gpointer data)                            \
  {                                                                                                \
    const RnnJob *job = data;                                                                      \
    const T      *gr = job->a, *ws = job->b, *cx = job->c;                                         \
    T            *out = job->out;                                                                  \
    gint64        H = job->H, N = job->N, r0, r1;                                                  \
    _lt_cpu_split (N, tid, n_parts, &r0, &r1);                                                     \
    for (gint64 r = r0; r < r1; r++)                                                               \
      {                                                                                            \
        const T *w = ws + r * 4 * H, *dh = gr + r * H, *dcy = gr + (N + r) * H;                    \
        T       *d = out + r * 5 * H;                                                              \
        for (gint64 j = 0; j < H; j++)                                                             \
          {                                                                                        \
            T i = w[j], f = w[H + j], g = w[2 * H + j], o = w[3 * H + j];                          \
            T c0 = cx[r * H + j];                                                                  \
            T tc = TANH (f * c0 + i * g);                                                          \
            T dc = dcy[j] + dh[j] * o * ((T) 1 - tc * tc);                                         \
            d[j] = dc * g * i * ((T) 1 - i);                                                       \
            d[H + j] = dc * c0 * f * ((T) 1 - f);                                                  \
            d[2 * H + j] = dc * i * ((T) 1 - g * g);                                               \
            d[3 * H + j] = dh[j] * tc * o * ((T) 1 - o);                                           \
            d[4 * H + j] = dc * f;                                                                 \
          }                                                                                        \
      }                                                                                            \
  }

#define DEFINE_GRU(T, sfx, TANH)                                                                   \
  static void gru_forward_##sfx (int tid, int n_parts, gpointer data)                              \
  {                                                                                                \
    const RnnJob *job = data;                                                                      \
    const T      *ig = job->a, *hg = job->b, *hx = job->c;                                         \
    T            *out = job->out, *ws = job->aux;                                                  \
    gint64        H = job->H, r0, r1;                                                              \
    _lt_cpu_split (job->N, tid, n_parts, &r0, &r1);                                                \
    for (gint64 r = r0; r < r1; r++)                                                               \
      {                                                                                            \
        const T *a = ig + r * 3 * H, *b = hg + r * 3 * H;                                          \
        T       *w = ws + r * 4 * H;                                                               \
        for (gint64 j = 0; j < H; j++)                                                             \
          {                                                                                        \
            T rg = sigmoid_##sfx (a[j] + b[j]);                                                    \
            T z = sigmoid_##sfx (a[H + j] + b[H + j]);                                             \
            T n = TANH (a[2 * H + j] + rg * b[2 * H + j]);                                         \
            w[j] = rg;                                                                             \
            w[H + j] = z;                                                                          \
            w[2 * H + j] = n;                                                                      \
            w[3 * H + j] = b[2 * H + j];                                                           \
            out[r * H + j] = n + z * (hx[r * H + j] - n);                                          \
          }                                                                                        \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  static void gru_backward_##sfx (int tid, int n_parts, gpointer data)                             \
  {                                                                                                \
    const RnnJob *job = data;                                                                      \
    const T      *dh = job->a, *ws = job->b, *hx = job->c;                                         \
    T            *out = job->out;                                                                  \
    gint64        H = job->H, r0, r1;                                                              \
    _lt_cpu_split (job->N, tid, n_parts, &r0, &r1);                                                \
    for (gint64 r = r0; r < r1; r++)                                                               \
      {                                                                                            \
        const T *w = ws + r * 4 * H;                                                               \
        T       *d = out + r * 7 * H;                                                              \
        for (gint64 j = 0; j < H; j++)                                                             \
          {                                                                                        \
            T rg = w[j], z = w[H + j], n = w[2 * H + j], hn = w[3 * H + j];                        \
            T g = dh[r * H + j];                                                                   \
            T dn = g * ((T) 1 - z) * ((T) 1 - n * n);                                              \
            T dz = g * (hx[r * H + j] - n) * z * ((T) 1 - z);                                      \
            T dr = dn * hn * rg * ((T) 1 - rg);                                                    \
            d[j] = dr;                                                                             \
            d[H + j] = dz;                                                                         \
            d[2 * H + j] = dn;                                                                     \
            d[3 * H + j] = dr;                                                                     \
            d[4 * H + j] = dz;                                                                     \
            d[5 * H + j] = dn * rg;                                                                \
            d[6 * H + j] = g * z;                                                                  \
          }                                                                                        \
      }                                                                                            \
  }

DEFINE_SIGMOID (float, f32, expf)
DEFINE_SIGMOID (double, f64, exp)
DEFINE_LSTM (double, f64, tanh)
DEFINE_GRU (float, f32, tanhf)
DEFINE_GRU (double, f64, tanh)

/* float32 LSTM steps: the gates' sigmoid and tanh and tanh (c') in vectors
 * (lt-cpu-exp.c), CHUNK values of a row at a time; the cell state's
 * arithmetic as above, the same expression forward and backward */
#define CHUNK 256

/* c' = f c + i g of @n values, the gates @w (i, f, g, o, H apart) */
static inline void
lstm_cell_state (const float *w, const float *c0, gint64 H, gint64 n, float *c)
{
  for (gint64 j = 0; j < n; j++)
    c[j] = w[H + j] * c0[j] + w[j] * w[2 * H + j];
}

static void
lstm_forward_f32 (int tid, int n_parts, gpointer data)
{
  const RnnJob      *job = data;
  const float       *ig = job->a, *hg = job->b, *cx = job->c;
  float             *out = job->out, *ws = job->aux;
  gint64             H = job->H, N = job->N, r0, r1;
  const LtCpuExpF32 *k = _lt_cpu_exp_f32 ();
  float              u[CHUNK];

  _lt_cpu_split (N, tid, n_parts, &r0, &r1);
  for (gint64 r = r0; r < r1; r++)
    for (gint64 j0 = 0; j0 < H; j0 += CHUNK)
      {
        gint64       n = MIN (CHUNK, H - j0);
        const float *a = ig + r * 4 * H + j0, *b = hg + r * 4 * H + j0, *c0 = cx + r * H + j0;
        float       *w = ws + r * 4 * H + j0, *h = out + r * H + j0, *c = out + (N + r) * H + j0;

        for (int q = 0; q < 4; q++)
          for (gint64 j = 0; j < n; j++)
            w[q * H + j] = a[q * H + j] + b[q * H + j];
        k->sigmoid (w, w, n);
        k->sigmoid (w + H, w + H, n);
        k->tanh (w + 2 * H, w + 2 * H, n);
        k->sigmoid (w + 3 * H, w + 3 * H, n);
        lstm_cell_state (w, c0, H, n, c);
        k->tanh (c, u, n);
        for (gint64 j = 0; j < n; j++)
          h[j] = w[3 * H + j] * u[j];
      }
}

static void
lstm_backward_f32 (int tid, int n_parts, gpointer data)
{
  const RnnJob      *job = data;
  const float       *gr = job->a, *ws = job->b, *cx = job->c;
  float             *out = job->out;
  gint64             H = job->H, N = job->N, r0, r1;
  const LtCpuExpF32 *k = _lt_cpu_exp_f32 ();
  float              tc[CHUNK];

  _lt_cpu_split (N, tid, n_parts, &r0, &r1);
  for (gint64 r = r0; r < r1; r++)
    for (gint64 j0 = 0; j0 < H; j0 += CHUNK)
      {
        gint64       n = MIN (CHUNK, H - j0);
        const float *w = ws + r * 4 * H + j0, *dh = gr + r * H + j0, *dcy = gr + (N + r) * H + j0;
        const float *c0 = cx + r * H + j0;
        float       *d = out + r * 5 * H + j0;

        /* c' again, as the forward computed it */
        lstm_cell_state (w, c0, H, n, tc);
        k->tanh (tc, tc, n);
        for (gint64 j = 0; j < n; j++)
          {
            float i = w[j], f = w[H + j], g = w[2 * H + j], o = w[3 * H + j];
            float dc = dcy[j] + dh[j] * o * (1.0f - tc[j] * tc[j]);

            d[j] = dc * g * i * (1.0f - i);
            d[H + j] = dc * c0[j] * f * (1.0f - f);
            d[2 * H + j] = dc * i * (1.0f - g * g);
            d[3 * H + j] = dh[j] * tc[j] * o * (1.0f - o);
            d[4 * H + j] = dc * f;
          }
      }
}

/* lstm_cell: in igates, hgates, cx; out (2, N, H), aux the gates.
 * lstm_cell_grad: in the (2, N, H) gradient, the gates, cx; out (N, 5H).
 * gru_cell: in igates, hgates, hx; out h', aux (N, 4H).
 * gru_cell_grad: in dh', the aux, hx; out (N, 7H). */
gboolean
_lt_cpu_rnn (const LtKernelArgs *args, GError **error)
{
  gboolean          f64 = args->out->dtype == LT_DTYPE_FLOAT64;
  LtTensor         *state = args->in[2];
  RnnJob            job;
  LtCpuParallelFunc func;
  int               nt = _lt_cpu_get_num_threads ();

  if (args->out->dtype != LT_DTYPE_FLOAT32 && !f64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend supports float32 and float64 only",
                   _lt_op_table[args->op].name);
      return FALSE;
    }
  job.a = _lt_tensor_data (args->in[0]);
  job.b = _lt_tensor_data (args->in[1]);
  job.c = _lt_tensor_data (state);
  job.out = _lt_tensor_data (args->out);
  job.aux = args->aux ? _lt_tensor_data (args->aux) : NULL;
  job.N = state->shape[0];
  job.H = state->shape[1];
  switch (args->op)
    {
      case LT_OP_LSTM_CELL:
        func = f64 ? lstm_forward_f64 : lstm_forward_f32;
        break;
      case LT_OP_LSTM_CELL_GRAD:
        func = f64 ? lstm_backward_f64 : lstm_backward_f32;
        break;
      case LT_OP_GRU_CELL:
        func = f64 ? gru_forward_f64 : gru_forward_f32;
        break;
      case LT_OP_GRU_CELL_GRAD:
        func = f64 ? gru_backward_f64 : gru_backward_f32;
        break;
      default:
        g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, "%s: not a recurrent cell's op",
                     _lt_op_table[args->op].name);
        return FALSE;
    }
  if (job.N == 0 || job.H == 0)
    return TRUE;
  if (nt > 1 && job.N > 1 && job.N * job.H >= LT_CPU_GRAIN / 4)
    _lt_cpu_parallel ((int) MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD, job.N), func, &job);
  else
    func (0, 1, &job);
  return TRUE;
}
