/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-cpu-private.h"

/*
 * softmax and log_softmax along one dim (torch.nn.functional.softmax):
 *   softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m),  m = max_j x_j
 *   log_softmax(x)_i = x_i - m - log(sum_j exp(x_j - m))
 * x and out are contiguous, viewed as (outer, D, inner). A row holding +inf,
 * or only -inf, gives NaN as PyTorch's does. float32 rows take their
 * exponentials and sum from lt-cpu-exp.c (as the fused cross_entropy does,
 * for the same bits); float64 ones call libm and sum in order.
 */

typedef struct
{
  const void *x;
  void *out;
  gint64 outer, D, inner;
  gboolean log_mode;
} SoftmaxJob;

#define DEFINE_SOFTMAX(T, sfx, EXP, LOG)                                            \
  static void softmax_rows_##sfx (int tid, int n_parts, gpointer data)               \
  {                                                                                  \
    const SoftmaxJob *job = data;                                                    \
    const T *x = job->x;                                                             \
    T *out = job->out;                                                               \
    gint64 D = job->D, inner = job->inner;                                           \
    gboolean log_mode = job->log_mode;                                               \
    gint64 r0, r1;                                                                   \
    _lt_cpu_split (job->outer * inner, tid, n_parts, &r0, &r1);                      \
    for (gint64 r = r0; r < r1; r++)                                                 \
      {                                                                              \
        gint64 o = r / inner, i = r % inner;                                         \
        const T *xr = x + o * D * inner + i;                                         \
        T *yr = out + o * D * inner + i;                                             \
        T m = -INFINITY;                                                             \
        double sum = 0;                                                              \
        for (gint64 j = 0; j < D; j++)                                               \
          {                                                                          \
            T v = xr[j * inner];                                                     \
            if (v > m || isnan (v))                                                  \
              m = v;                                                                 \
          }                                                                          \
        for (gint64 j = 0; j < D; j++)                                               \
          {                                                                          \
            T e = EXP (xr[j * inner] - m);                                           \
            if (!log_mode)                                                           \
              yr[j * inner] = e;                                                     \
            sum += e;                                                                \
          }                                                                          \
        if (log_mode)                                                                \
          {                                                                          \
            T lse = m + (T) LOG (sum);                                               \
            for (gint64 j = 0; j < D; j++)                                           \
              yr[j * inner] = xr[j * inner] - lse;                                   \
          }                                                                          \
        else                                                                         \
          {                                                                          \
            T inv = (T) (1.0 / sum);                                                 \
            for (gint64 j = 0; j < D; j++)                                           \
              yr[j * inner] *= inv;                                                  \
          }                                                                          \
      }                                                                              \
  }

DEFINE_SOFTMAX (double, f64, exp, log)

static void
softmax_rows_f32 (int tid, int n_parts, gpointer data)
{
  const SoftmaxJob *job = data;
  const float      *x = job->x;
  float            *out = job->out;
  gint64            D = job->D, inner = job->inner;
  gint64            r0, r1;

  _lt_cpu_split (job->outer * inner, tid, n_parts, &r0, &r1);
  for (gint64 r = r0; r < r1; r++)
    {
      gint64       o = r / inner, i = r % inner;
      const float *xr = x + o * D * inner + i;
      float       *yr = out + o * D * inner + i;
      float        m;
      double       sum;

      if (job->log_mode)
        _lt_cpu_log_softmax_row_f32 (xr, yr, D, inner);
      else
        {
          float inv;

          sum = _lt_cpu_exp_row_f32 (xr, D, inner, yr, &m);
          inv = (float) (1.0 / sum);
          for (gint64 j = 0; j < D; j++)
            yr[j * inner] *= inv;
        }
    }
}

gboolean
_lt_cpu_softmax (const LtKernelArgs *args,
                 GError            **error)
{
  LtTensor *x = args->in[0], *out = args->out;
  guint dim = args->params->dim.dim;
  gint64 outer = 1, inner = 1, D;
  gboolean log_mode = args->op == LT_OP_LOG_SOFTMAX;
  int nt = _lt_cpu_get_num_threads ();
  LtCpuParallelFunc func;
  SoftmaxJob job;

  if (x->numel == 0)
    return TRUE;
  if (x->ndim == 0)
    D = 1;
  else
    {
      D = x->shape[dim];
      for (guint d = 0; d < dim; d++)
        outer *= x->shape[d];
      for (guint d = dim + 1; d < x->ndim; d++)
        inner *= x->shape[d];
    }
  if (x->dtype == LT_DTYPE_FLOAT32)
    func = softmax_rows_f32;
  else if (x->dtype == LT_DTYPE_FLOAT64)
    func = softmax_rows_f64;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend supports float32 and float64 only",
                   _lt_op_table[args->op].name);
      return FALSE;
    }
  job.x = _lt_tensor_data (x);
  job.out = _lt_tensor_data (out);
  job.outer = outer;
  job.D = D;
  job.inner = inner;
  job.log_mode = log_mode;
  if (nt > 1 && x->numel >= 2 * LT_CPU_GRAIN)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, outer * inner), func, &job);
  else
    func (0, 1, &job);
  return TRUE;
}
