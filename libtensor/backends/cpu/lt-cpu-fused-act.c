/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-cpu-private.h"

/*
 * bias + relu, fused (ops/lt-fused-act.c): the front end hands contiguous
 * operands, x and y as (N, C, R) (R the product of the trailing dims), the
 * bias b as (C).
 *
 * Forward (LT_OP_BIAS_RELU): y = relu (x + b[c]), the add's and relu's
 * arithmetic (lt-cpu-pointwise.c: x + b, then v < 0 ? 0 : v), so y has the
 * unfused ops' bits. Split by channels over the pool.
 *
 * Backward (LT_OP_BIAS_RELU_GRAD): in g and y; out dx = (y <= 0 ? 0 : g)
 * (relu_grad's rule: a NaN output passes its gradient), aux db[c] the sum
 * of dx[:, c, :] accumulated in double in the order n, r and rounded once.
 * Split by channels, so the sums do not depend on the thread count.
 *
 * A linear layer's (N, C) (R = 1) runs along its rows in vectors, each
 * channel's sum kept beside the others' (BR_SUMS at a time) and still added
 * in the order n: going down the columns instead, as the general loops
 * would, reads one element of each cache line per row and waits on every
 * add (at batch 1024 and 512 features this pass took as long as a third
 * of the layer's matrix products).
 */

/* The backward of a linear layer's (N, C) keeps this many sums at once */
#define BR_SUMS 512

typedef struct
{
  const void *x, *b, *g;
  void       *y, *db;
  gint64      N, C, R;
} BrJob;

#define DEFINE_BR(T, sfx)                                                                          \
  static void br_forward_##sfx (int tid, int n_parts, gpointer data)                               \
  {                                                                                                \
    const BrJob *job = data;                                                                       \
    const T     *x = job->x, *b = job->b;                                                          \
    T           *y = job->y;                                                                       \
    gint64       c0, c1;                                                                           \
                                                                                                   \
    _lt_cpu_split (job->C, tid, n_parts, &c0, &c1);                                                \
    if (job->R == 1)                                                                               \
      {                                                                                            \
        /* a linear layer's (N, C): along the rows, in vectors */                                  \
        for (gint64 n = 0; n < job->N; n++)                                                        \
          {                                                                                        \
            const T *xr = x + n * job->C;                                                          \
            T       *yr = y + n * job->C;                                                          \
                                                                                                   \
            for (gint64 c = c0; c < c1; c++)                                                       \
              {                                                                                    \
                T v = xr[c] + b[c];                                                                \
                                                                                                   \
                yr[c] = v < 0 ? (T) 0 : v;                                                         \
              }                                                                                    \
          }                                                                                        \
        return;                                                                                    \
      }                                                                                            \
    for (gint64 n = 0; n < job->N; n++)                                                            \
      for (gint64 c = c0; c < c1; c++)                                                             \
        {                                                                                          \
          gint64 o = (n * job->C + c) * job->R;                                                    \
          T      bc = b[c];                                                                        \
                                                                                                   \
          for (gint64 r = 0; r < job->R; r++)                                                      \
            {                                                                                      \
              T v = x[o + r] + bc;                                                                 \
                                                                                                   \
              y[o + r] = v < 0 ? (T) 0 : v;                                                        \
            }                                                                                      \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  static void br_backward_##sfx (int tid, int n_parts, gpointer data)                              \
  {                                                                                                \
    const BrJob *job = data;                                                                       \
    const T     *g = job->g, *y = job->x;                                                          \
    T           *dx = job->y, *db = job->db;                                                       \
    gint64       c0, c1;                                                                           \
                                                                                                   \
    _lt_cpu_split (job->C, tid, n_parts, &c0, &c1);                                                \
    if (job->R == 1)                                                                               \
      {                                                                                            \
        /* a linear layer's (N, C): the rows in order, each block of                               \
         * channels' sums side by side, so the vectors run along the rows                          \
         * and every sum still adds its terms in the order n */                                    \
        for (gint64 cb = c0; cb < c1; cb += BR_SUMS)                                               \
          {                                                                                        \
            gint64 nc = MIN (BR_SUMS, c1 - cb);                                                    \
            double acc[BR_SUMS] = { 0 };                                                           \
                                                                                                   \
            for (gint64 n = 0; n < job->N; n++)                                                    \
              {                                                                                    \
                const T *gr = g + n * job->C + cb, *yr = y + n * job->C + cb;                      \
                T       *dr = dx + n * job->C + cb;                                                \
                                                                                                   \
                /* two loops, each of one type, so that both become vectors */                     \
                for (gint64 c = 0; c < nc; c++)                                                    \
                  {                                                                                \
                    T gv = gr[c];                                                                  \
                                                                                                   \
                    dr[c] = yr[c] <= 0 ? (T) 0 : gv;                                               \
                  }                                                                                \
                for (gint64 c = 0; c < nc; c++)                                                    \
                  acc[c] += (double) dr[c];                                                        \
              }                                                                                    \
            for (gint64 c = 0; c < nc; c++)                                                        \
              db[cb + c] = (T) acc[c];                                                             \
          }                                                                                        \
        return;                                                                                    \
      }                                                                                            \
    for (gint64 c = c0; c < c1; c++)                                                               \
      {                                                                                            \
        double s = 0;                                                                              \
                                                                                                   \
        for (gint64 n = 0; n < job->N; n++)                                                        \
          {                                                                                        \
            gint64 o = (n * job->C + c) * job->R;                                                  \
                                                                                                   \
            for (gint64 r = 0; r < job->R; r++)                                                    \
              {                                                                                    \
                T d = y[o + r] <= 0 ? (T) 0 : g[o + r];                                            \
                                                                                                   \
                dx[o + r] = d;                                                                     \
                s += (double) d;                                                                   \
              }                                                                                    \
          }                                                                                        \
        db[c] = (T) s;                                                                             \
      }                                                                                            \
  }

DEFINE_BR (float, f32)
DEFINE_BR (double, f64)

gboolean
_lt_cpu_bias_relu (const LtKernelArgs *args, GError **error)
{
  gboolean          grad = args->op == LT_OP_BIAS_RELU_GRAD;
  LtTensor         *y = args->out;
  LtDType           dt = y->dtype;
  BrJob             job;
  LtCpuParallelFunc func;
  int               nt = _lt_cpu_get_num_threads ();

  if (dt != LT_DTYPE_FLOAT32 && dt != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend has no kernel for %s tensors", _lt_op_table[args->op].name,
                   lt_dtype_get_name (dt));
      return FALSE;
    }
  job.N = y->shape[0], job.C = y->shape[1], job.R = 1;
  for (guint d = 2; d < y->ndim; d++)
    job.R *= y->shape[d];
  job.y = _lt_tensor_data (y);
  if (grad)
    {
      job.g = _lt_tensor_data (args->in[0]);
      job.x = _lt_tensor_data (args->in[1]);
      job.b = NULL;
      job.db = _lt_tensor_data (args->aux);
      func = dt == LT_DTYPE_FLOAT32 ? br_backward_f32 : br_backward_f64;
    }
  else
    {
      job.x = _lt_tensor_data (args->in[0]);
      job.b = _lt_tensor_data (args->in[1]);
      job.g = job.db = NULL;
      func = dt == LT_DTYPE_FLOAT32 ? br_forward_f32 : br_forward_f64;
    }
  if (job.C == 0)
    return TRUE;
  if (nt > 1 && y->numel >= 2 * LT_CPU_GRAIN && job.C > 1)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, job.C), func, &job);
  else
    func (0, 1, &job);
  return TRUE;
}
