/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-cpu-private.h"

/*
 * cross_entropy of class-index targets, fused (ops/lt-fused-loss.c): the
 * front end hands contiguous operands, x as (N, C, R) (R the product of the
 * trailing dims; N = 1 for a (C) input), the int64 target as (N, R), the
 * weight as (C) or none.
 *
 * Forward: out the loss ((N, R) for reduction none, else ()), aux (N C R + 1)
 * the log_softmax of x and then the total weight of the counted targets.
 * The rows' log_softmax is lt-cpu-softmax.c's arithmetic (the maximum, a
 * sum of exponentials in double, x - (m + log (sum)); in float32 the
 * exponentials and the sum's order of lt-cpu-exp.c), split by rows over
 * the pool; the loss then reads it in nll_loss's order (lt-cpu-loss.c), so
 * the fused op gives the unfused ops' bits whatever the thread count. The
 * backward's exponentials are the exp op's (lt-cpu-exp.c in float32).
 *
 * Backward: out dx (N, C, R); in g (the loss's gradient, one per target or
 * one), the log-probabilities, the target, the weight; aux the total
 * weight. With gw the target's gradient (g over the total weight for the
 * mean) and s = -w[t] gw, the sum of the log-probabilities' gradient:
 *   dx[n, c, r] = (c == t ? s : 0) - exp (logp[n, c, r]) * s
 * and 0 for ignored targets, as nll_loss_grad then log_softmax's rule.
 */

typedef struct
{
  const void *x;
  void       *logp;
  gint64      N, C, R;
} CeJob;

typedef struct
{
  const void   *g, *logp, *w;
  const gint64 *t;
  void         *dx;
  gint64        N, C, R;
  gint64        ignore_index;
  double        total;
  gboolean      per_target, mean;
} CeGradJob;

#define DEFINE_CE_ROWS(T, sfx, EXP)                                                                \
  static void ce_rows_##sfx (int tid, int n_parts, gpointer data)                                  \
  {                                                                                                \
    const CeJob *job = data;                                                                       \
    const T     *x = job->x;                                                                       \
    T           *y = job->logp;                                                                    \
    gint64       C = job->C, R = job->R;                                                           \
    gint64       r0, r1;                                                                           \
                                                                                                   \
    _lt_cpu_split (job->N *R, tid, n_parts, &r0, &r1);                                             \
    for (gint64 k = r0; k < r1; k++)                                                               \
      {                                                                                            \
        gint64   i = k / R, r = k % R;                                                             \
        const T *xr = x + i * C * R + r;                                                           \
        T       *yr = y + i * C * R + r;                                                           \
        T        m = -INFINITY, lse;                                                               \
        double   sum = 0;                                                                          \
                                                                                                   \
        for (gint64 j = 0; j < C; j++)                                                             \
          {                                                                                        \
            T v = xr[j * R];                                                                       \
            if (v > m || isnan (v))                                                                \
              m = v;                                                                               \
          }                                                                                        \
        if (R == 1)                                                                                \
          for (gint64 j = 0; j < C; j++)                                                           \
            sum += EXP (xr[j] - m);                                                                \
        else                                                                                       \
          for (gint64 j = 0; j < C; j++)                                                           \
            sum += EXP (xr[j * R] - m);                                                            \
        lse = m + (T) log (sum);                                                                   \
        if (R == 1)                                                                                \
          for (gint64 j = 0; j < C; j++)                                                           \
            yr[j] = xr[j] - lse;                                                                   \
        else                                                                                       \
          for (gint64 j = 0; j < C; j++)                                                           \
            yr[j * R] = xr[j * R] - lse;                                                           \
      }                                                                                            \
  }

#define DEFINE_CE_LOSS(T, sfx)                                                                     \
  static void ce_loss_##sfx (const LtKernelArgs *args, gint64 N, gint64 C, gint64 R)               \
  {                                                                                                \
    const T            *logp = _lt_tensor_data (args->aux);                                        \
    const gint64       *t = _lt_tensor_data (args->in[1]);                                         \
    const T            *w = args->in[2] ? _lt_tensor_data (args->in[2]) : NULL;                    \
    T                  *out = _lt_tensor_data (args->out);                                         \
    const LtLossParams *p = &args->params->loss;                                                   \
    double              sum = 0, total = 0;                                                        \
                                                                                                   \
    for (gint64 i = 0; i < N; i++)                                                                 \
      for (gint64 r = 0; r < R; r++)                                                               \
        {                                                                                          \
          gint64 c = t[i * R + r];                                                                 \
          T      wc, l;                                                                            \
                                                                                                   \
          if (c == p->ignore_index)                                                                \
            {                                                                                      \
              if (p->reduction == LT_REDUCTION_NONE)                                               \
                out[i * R + r] = 0;                                                                \
              continue;                                                                            \
            }                                                                                      \
          wc = w ? w[c] : (T) 1;                                                                   \
          l = -wc * logp[(i * C + c) * R + r];                                                     \
          if (p->reduction == LT_REDUCTION_NONE)                                                   \
            out[i * R + r] = l;                                                                    \
          sum += l;                                                                                \
          total += wc;                                                                             \
        }                                                                                          \
    ((T *) _lt_tensor_data (args->aux))[N * C * R] = (T) total;                                    \
    if (p->reduction == LT_REDUCTION_SUM)                                                          \
      *out = (T) sum;                                                                              \
    else if (p->reduction == LT_REDUCTION_MEAN)                                                    \
      *out = (T) sum / (T) total;                                                                  \
  }

#define DEFINE_CE_GRAD(T, sfx, EXP)                                                                \
  static void ce_grad_rows_##sfx (int tid, int n_parts, gpointer data)                             \
  {                                                                                                \
    const CeGradJob *job = data;                                                                   \
    const T         *g = job->g, *logp = job->logp, *w = job->w;                                   \
    T               *dx = job->dx;                                                                 \
    gint64           C = job->C, R = job->R;                                                       \
    T                total = (T) job->total;                                                       \
    gint64           r0, r1;                                                                       \
                                                                                                   \
    _lt_cpu_split (job->N *R, tid, n_parts, &r0, &r1);                                             \
    for (gint64 k = r0; k < r1; k++)                                                               \
      {                                                                                            \
        gint64   i = k / R, r = k % R, c = job->t[k];                                              \
        const T *lr = logp + i * C * R + r;                                                        \
        T       *dr = dx + i * C * R + r;                                                          \
        T        gw, s;                                                                            \
                                                                                                   \
        if (c == job->ignore_index || c < 0 || c >= C)                                             \
          {                                                                                        \
            for (gint64 j = 0; j < C; j++)                                                         \
              dr[j * R] = 0;                                                                       \
            continue;                                                                              \
          }                                                                                        \
        gw = g[job->per_target ? k : 0];                                                           \
        if (job->mean)                                                                             \
          gw = gw / total;                                                                         \
        s = -(w ? w[c] : (T) 1) * gw;                                                              \
        if (R == 1)                                                                                \
          for (gint64 j = 0; j < C; j++)                                                           \
            dr[j] = (T) 0 - EXP (lr[j]) * s;                                                       \
        else                                                                                       \
          for (gint64 j = 0; j < C; j++)                                                           \
            dr[j * R] = (T) 0 - EXP (lr[j * R]) * s;                                               \
        dr[c * R] = s - EXP (lr[c * R]) * s;                                                       \
      }                                                                                            \
  }

DEFINE_CE_ROWS (double, f64, exp)
DEFINE_CE_LOSS (double, f64)
DEFINE_CE_GRAD (double, f64, exp)
DEFINE_CE_LOSS (float, f32)

/* float32: the exponentials and sums of lt-cpu-exp.c, as softmax's */
static void
ce_rows_f32 (int tid, int n_parts, gpointer data)
{
  const CeJob *job = data;
  const float *x = job->x;
  float       *y = job->logp;
  gint64       C = job->C, R = job->R;
  gint64       r0, r1;

  _lt_cpu_split (job->N * R, tid, n_parts, &r0, &r1);
  for (gint64 k = r0; k < r1; k++)
    {
      gint64 i = k / R, r = k % R;

      _lt_cpu_log_softmax_row_f32 (x + i * C * R + r, y + i * C * R + r, C, R);
    }
}

static void
ce_grad_rows_f32 (int tid, int n_parts, gpointer data)
{
  const CeGradJob   *job = data;
  const float       *g = job->g, *logp = job->logp, *w = job->w;
  float             *dx = job->dx;
  gint64             C = job->C, R = job->R;
  float              total = (float) job->total;
  const LtCpuExpF32 *ek = _lt_cpu_exp_f32 ();
  gint64             r0, r1;

  _lt_cpu_split (job->N * R, tid, n_parts, &r0, &r1);
  for (gint64 k = r0; k < r1; k++)
    {
      gint64       i = k / R, r = k % R, c = job->t[k];
      const float *lr = logp + i * C * R + r;
      float       *dr = dx + i * C * R + r;
      float        gw, s;

      if (c == job->ignore_index || c < 0 || c >= C)
        {
          for (gint64 j = 0; j < C; j++)
            dr[j * R] = 0;
          continue;
        }
      gw = g[job->per_target ? k : 0];
      if (job->mean)
        gw = gw / total;
      s = -(w ? w[c] : 1.0f) * gw;
      /* 0 - exp (l) s everywhere; at the target s - exp (l) s, which is
       * s + (0 - exp (l) s) */
      if (R == 1)
        ek->exp_neg_scale (lr, dr, C, s);
      else
        _lt_cpu_exp_strided_f32 (lr, R * sizeof (float), dr, R * sizeof (float), C, TRUE, s);
      dr[c * R] = s + dr[c * R];
    }
}

/* (N, C, R) of an input of @ndim dims */
static void
ce_dims (LtTensor *x, gint64 *N, gint64 *C, gint64 *R)
{
  *N = x->shape[0], *C = x->shape[1], *R = 1;
  for (guint d = 2; d < x->ndim; d++)
    *R *= x->shape[d];
}

static void
run_rows (LtCpuParallelFunc func, gint64 rows, gint64 numel, gpointer job)
{
  int nt = _lt_cpu_get_num_threads ();

  if (nt > 1 && numel >= 2 * LT_CPU_GRAIN && rows > 1)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, rows), func, job);
  else
    func (0, 1, job);
}

static gboolean
ce_forward (const LtKernelArgs *args, GError **error)
{
  LtTensor           *x = args->in[0];
  const gint64       *t = _lt_tensor_data (args->in[1]);
  const LtLossParams *p = &args->params->loss;
  gint64              N, C, R;
  CeJob               job;

  ce_dims (x, &N, &C, &R);
  /* every target first: an error leaves nothing half-computed */
  for (gint64 k = 0; k < N * R; k++)
    if (t[k] != p->ignore_index && (t[k] < 0 || t[k] >= C))
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "target %" G_GINT64_FORMAT " is out of bounds: class indices must be in "
                     "[0, %" G_GINT64_FORMAT ") or equal ignore_index (%" G_GINT64_FORMAT ")",
                     t[k], C, p->ignore_index);
        return FALSE;
      }
  job.x = _lt_tensor_data (x);
  job.logp = _lt_tensor_data (args->aux);
  job.N = N, job.C = C, job.R = R;
  if (x->dtype == LT_DTYPE_FLOAT32)
    {
      run_rows (ce_rows_f32, N * R, x->numel, &job);
      ce_loss_f32 (args, N, C, R);
    }
  else
    {
      run_rows (ce_rows_f64, N * R, x->numel, &job);
      ce_loss_f64 (args, N, C, R);
    }
  return TRUE;
}

static gboolean
ce_backward (const LtKernelArgs *args)
{
  LtTensor *dx = args->out;
  CeGradJob job;

  ce_dims (dx, &job.N, &job.C, &job.R);
  job.g = _lt_tensor_data (args->in[0]);
  job.logp = _lt_tensor_data (args->in[1]);
  job.t = _lt_tensor_data (args->in[2]);
  job.w = args->in[3] ? _lt_tensor_data (args->in[3]) : NULL;
  job.dx = _lt_tensor_data (dx);
  job.ignore_index = args->params->loss.ignore_index;
  job.per_target = args->params->loss.reduction == LT_REDUCTION_NONE;
  job.mean = args->params->loss.reduction == LT_REDUCTION_MEAN;
  job.total = dx->dtype == LT_DTYPE_FLOAT32 ? *(const float *) _lt_tensor_data (args->aux)
                                            : *(const double *) _lt_tensor_data (args->aux);
  run_rows (dx->dtype == LT_DTYPE_FLOAT32 ? ce_grad_rows_f32 : ce_grad_rows_f64, job.N * job.R,
            dx->numel, &job);
  return TRUE;
}

gboolean
_lt_cpu_cross_entropy (const LtKernelArgs *args, GError **error)
{
  LtDType dt = args->out->dtype;

  if (dt != LT_DTYPE_FLOAT32 && dt != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend has no kernel for %s tensors", _lt_op_table[args->op].name,
                   lt_dtype_get_name (dt));
      return FALSE;
    }
  if (args->out->numel == 0 && args->op == LT_OP_CROSS_ENTROPY_GRAD)
    return TRUE;
  return args->op == LT_OP_CROSS_ENTROPY_GRAD ? ce_backward (args) : ce_forward (args, error);
}
