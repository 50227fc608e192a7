/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-cpu-private.h"

/*
 * layer_norm and group_norm (ATen's native_layer_norm and
 * native_group_norm) and their shared backward, norm_grad. The input is
 * contiguous, viewed as (rows, D) (LtNormParams); each row is normalised
 * with its own mean and biased variance, accumulated in double:
 *   xhat = (x - mean) * rstd,  rstd = 1 / sqrt (var + eps)
 *   y = xhat * weight[c] + bias[c]
 * and the backward, with g = dy * weight[c] (dy without a weight):
 *   dx = rstd * (g - mean_j (g) - xhat * mean_j (g * xhat))
 *   dweight[c] = sum dy * xhat,  dbias[c] = sum dy
 * The rows are split across threads; the weight's and bias's gradients
 * by channel, each thread summing its channels over every row.
 */

typedef struct
{
  const void         *x, *w, *b, *dy, *stats;
  void               *out, *out_stats, *grad_affine;
  const LtNormParams *p;
} NormJob;

/* the channel of element j of row r */
static inline gint64
norm_channel (const LtNormParams *p, gint64 r, gint64 j)
{
  return (r % p->groups) * (p->channels / p->groups) + j / p->inner;
}

#define DEFINE_NORM(T, sfx, SQRT)                                                                   \
  static void norm_forward_##sfx (int tid, int n_parts, gpointer data)                              \
  {                                                                                                 \
    const NormJob      *job = data;                                                                 \
    const LtNormParams *p = job->p;                                                                 \
    const T            *x = job->x, *w = job->w, *b = job->b;                                       \
    T                  *y = job->out, *st = job->out_stats;                                         \
    gint64              D = p->D, r0, r1;                                                           \
    _lt_cpu_split (p->rows, tid, n_parts, &r0, &r1);                                                \
    for (gint64 r = r0; r < r1; r++)                                                                \
      {                                                                                             \
        const T *xr = x + r * D;                                                                    \
        T       *yr = y + r * D;                                                                    \
        double   sum = 0, sq = 0, mean, rstd;                                                       \
        for (gint64 j = 0; j < D; j++)                                                              \
          sum += xr[j];                                                                             \
        mean = sum / (double) D;                                                                    \
        for (gint64 j = 0; j < D; j++)                                                              \
          {                                                                                         \
            double d = xr[j] - mean;                                                                \
            sq += d * d;                                                                            \
          }                                                                                         \
        rstd = 1.0 / SQRT (sq / (double) D + p->eps);                                               \
        st[r] = (T) mean;                                                                           \
        st[p->rows + r] = (T) rstd;                                                                 \
        for (gint64 j = 0; j < D; j++)                                                              \
          {                                                                                         \
            double v = (xr[j] - mean) * rstd;                                                       \
            if (w || b)                                                                             \
              {                                                                                     \
                gint64 c = norm_channel (p, r, j);                                                  \
                if (w)                                                                              \
                  v *= w[c];                                                                        \
                if (b)                                                                              \
                  v += b[c];                                                                        \
              }                                                                                     \
            yr[j] = (T) v;                                                                          \
          }                                                                                         \
      }                                                                                             \
  }                                                                                                 \
                                                                                                    \
  static void norm_grad_input_##sfx (int tid, int n_parts, gpointer data)                           \
  {                                                                                                 \
    const NormJob      *job = data;                                                                 \
    const LtNormParams *p = job->p;                                                                 \
    const T            *x = job->x, *w = job->w, *dy = job->dy, *st = job->stats;                   \
    T                  *dx = job->out;                                                              \
    gint64              D = p->D, r0, r1;                                                           \
    _lt_cpu_split (p->rows, tid, n_parts, &r0, &r1);                                                \
    for (gint64 r = r0; r < r1; r++)                                                                \
      {                                                                                             \
        const T *xr = x + r * D, *gr = dy + r * D;                                                  \
        T       *dxr = dx + r * D;                                                                  \
        double   mean = st[r], rstd = st[p->rows + r], sg = 0, sgx = 0, a, c2;                      \
        for (gint64 j = 0; j < D; j++)                                                              \
          {                                                                                         \
            double g = w ? (double) gr[j] * w[norm_channel (p, r, j)] : gr[j];                      \
            sg += g;                                                                                \
            sgx += g * (xr[j] - mean) * rstd;                                                       \
          }                                                                                         \
        a = sg / (double) D;                                                                        \
        c2 = sgx / (double) D;                                                                      \
        for (gint64 j = 0; j < D; j++)                                                              \
          {                                                                                         \
            double g = w ? (double) gr[j] * w[norm_channel (p, r, j)] : gr[j];                      \
            double xh = (xr[j] - mean) * rstd;                                                      \
            dxr[j] = (T) (rstd * (g - a - xh * c2));                                                \
          }                                                                                         \
      }                                                                                             \
  }                                                                                                 \
                                                                                                    \
  static void norm_grad_affine_##sfx (int tid, int n_parts, gpointer data)                          \
  {                                                                                                 \
    const NormJob      *job = data;                                                                 \
    const LtNormParams *p = job->p;                                                                 \
    const T            *x = job->x, *dy = job->dy, *st = job->stats;                                \
    T                  *ga = job->grad_affine;                                                      \
    gint64              C = p->channels, cpg = C / p->groups, n_rows = p->rows / p->groups, c0, c1; \
    _lt_cpu_split (C, tid, n_parts, &c0, &c1);                                                      \
    for (gint64 c = c0; c < c1; c++)                                                                \
      {                                                                                             \
        gint64 j0 = (c % cpg) * p->inner;                                                           \
        double sw = 0, sb = 0;                                                                      \
        for (gint64 n = 0; n < n_rows; n++)                                                         \
          {                                                                                         \
            gint64   r = n * p->groups + c / cpg;                                                   \
            double   mean = st[r], rstd = st[p->rows + r];                                          \
            const T *xr = x + r * p->D, *gr = dy + r * p->D;                                        \
            for (gint64 j = j0; j < j0 + p->inner; j++)                                             \
              {                                                                                     \
                sw += (double) gr[j] * (xr[j] - mean) * rstd;                                       \
                sb += gr[j];                                                                        \
              }                                                                                     \
          }                                                                                         \
        ga[c] = (T) sw;                                                                             \
        ga[C + c] = (T) sb;                                                                         \
      }                                                                                             \
  }

DEFINE_NORM (float, f32, sqrt)
DEFINE_NORM (double, f64, sqrt)

static const void *
data_or_null (LtTensor *t)
{
  return t ? _lt_tensor_data (t) : NULL;
}

static void
run (LtCpuParallelFunc func, gint64 parts, gint64 numel, NormJob *job)
{
  int nt = _lt_cpu_get_num_threads ();

  if (nt > 1 && parts > 1 && numel >= 2 * LT_CPU_GRAIN)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, parts), func, job);
  else
    func (0, 1, job);
}

/* layer_norm, group_norm: in x, weight (or NULL), bias (or NULL); out y,
 * stats. norm_grad: in dy, x, stats, weight (or NULL); out dx, grad_affine
 * (or NULL). */
gboolean
_lt_cpu_norm (const LtKernelArgs *args, GError **error)
{
  const LtNormParams *p = &args->params->norm;
  gboolean            f64 = args->out->dtype == LT_DTYPE_FLOAT64;
  NormJob             job = { .p = p };
  gint64              numel = p->rows * p->D;

  if (args->op == LT_OP_BATCH_NORM || args->op == LT_OP_BATCH_NORM_GRAD)
    return _lt_cpu_batch_norm (args, error);
  if (args->out->dtype != LT_DTYPE_FLOAT32 && !f64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend supports float32 and float64 only",
                   _lt_op_table[args->op].name);
      return FALSE;
    }
  if (args->op == LT_OP_NORM_GRAD)
    {
      job.dy = _lt_tensor_data (args->in[0]);
      job.x = _lt_tensor_data (args->in[1]);
      job.stats = _lt_tensor_data (args->in[2]);
      job.w = args->n_in > 3 ? data_or_null (args->in[3]) : NULL;
      job.out = _lt_tensor_data (args->out);
      if (numel > 0)
        run (f64 ? norm_grad_input_f64 : norm_grad_input_f32, p->rows, numel, &job);
      if (args->grad_affine)
        {
          job.grad_affine = _lt_tensor_data (args->grad_affine);
          run (f64 ? norm_grad_affine_f64 : norm_grad_affine_f32, p->channels, numel, &job);
        }
      return TRUE;
    }
  job.x = _lt_tensor_data (args->in[0]);
  job.w = args->n_in > 1 ? data_or_null (args->in[1]) : NULL;
  job.b = args->n_in > 2 ? data_or_null (args->in[2]) : NULL;
  job.out = _lt_tensor_data (args->out);
  job.out_stats = _lt_tensor_data (args->stats);
  if (p->rows > 0)
    run (f64 ? norm_forward_f64 : norm_forward_f32, p->rows, numel, &job);
  return TRUE;
}
