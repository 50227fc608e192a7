/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-cpu-private.h"

/*
 * Scans and products along one dim (torch.cumsum, torch.cumprod,
 * torch.prod(dim)). The operands are contiguous, viewed as
 * (outer, D, inner); every (outer, inner) line is one scan:
 *   cumsum:   y_j = sum_{i <= j} x_i        (reverse: sum_{i >= j} x_i)
 *   cumprod:  y_j = prod_{i <= j} x_i
 *   prod:     y = prod_i x_i                (out: (outer, 1, inner))
 *   cumprod_grad (x, g): dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k,
 *     computed without division as L_i S_i with L_i = prod_{k < i} x_k and
 *     S_i = g_i + x_{i+1} S_{i+1}, so that zeros in x give the exact
 *     gradient; a g of size 1 along the dim is the gradient of prod (g at
 *     the last position only).
 * Floats accumulate in double, integers in int64 (the front end gives the
 * kernel int64 for every integer input), wrapping as PyTorch's do.
 */

typedef struct
{
  LtOp        op;
  const void *x;
  const void *g;
  void       *out;
  gint64      outer, D, inner;
  gboolean    reverse;
  gboolean    g_last; /* cumprod_grad: g has one element per line */
} ScanJob;

#define DEFINE_SCAN(T, sfx, ACC)                                                                   \
  static void scan_lines_##sfx (int tid, int n_parts, gpointer data)                               \
  {                                                                                                \
    const ScanJob *job = data;                                                                     \
    const T       *x = job->x;                                                                     \
    const T       *g = job->g;                                                                     \
    T             *out = job->out;                                                                 \
    gint64         D = job->D, inner = job->inner;                                                 \
    gint64         r0, r1;                                                                         \
    _lt_cpu_split (job->outer *inner, tid, n_parts, &r0, &r1);                                     \
    for (gint64 r = r0; r < r1; r++)                                                               \
      {                                                                                            \
        gint64   o = r / inner, i = r % inner;                                                     \
        const T *xr = x + o * D * inner + i;                                                       \
        switch (job->op)                                                                           \
          {                                                                                        \
            case LT_OP_CUMSUM:                                                                     \
              {                                                                                    \
                T  *yr = out + o * D * inner + i;                                                  \
                ACC acc = 0;                                                                       \
                for (gint64 k = 0; k < D; k++)                                                     \
                  {                                                                                \
                    gint64 j = job->reverse ? D - 1 - k : k;                                       \
                    acc = (ACC) (acc + (ACC) xr[j * inner]);                                       \
                    yr[j * inner] = (T) acc;                                                       \
                  }                                                                                \
                break;                                                                             \
              }                                                                                    \
            case LT_OP_CUMPROD:                                                                    \
              {                                                                                    \
                T  *yr = out + o * D * inner + i;                                                  \
                ACC acc = 1;                                                                       \
                for (gint64 j = 0; j < D; j++)                                                     \
                  {                                                                                \
                    acc = (ACC) (acc * (ACC) xr[j * inner]);                                       \
                    yr[j * inner] = (T) acc;                                                       \
                  }                                                                                \
                break;                                                                             \
              }                                                                                    \
            case LT_OP_PROD:                                                                       \
              {                                                                                    \
                ACC acc = 1;                                                                       \
                for (gint64 j = 0; j < D; j++)                                                     \
                  acc = (ACC) (acc * (ACC) xr[j * inner]);                                         \
                out[o * inner + i] = (T) acc;                                                      \
                break;                                                                             \
              }                                                                                    \
            case LT_OP_CUMPROD_GRAD:                                                               \
              {                                                                                    \
                T  *yr = out + o * D * inner + i;                                                  \
                ACC s = 0, left = 1;                                                               \
                for (gint64 j = D - 1; j >= 0; j--)                                                \
                  {                                                                                \
                    ACC gj;                                                                        \
                    if (job->g_last)                                                               \
                      gj = j == D - 1 ? (ACC) g[o * inner + i] : 0;                                \
                    else                                                                           \
                      gj = (ACC) g[o * D * inner + j * inner + i];                                 \
                    s = j == D - 1 ? gj : gj + (ACC) xr[(j + 1) * inner] * s;                      \
                    yr[j * inner] = (T) s;                                                         \
                  }                                                                                \
                for (gint64 j = 0; j < D; j++)                                                     \
                  {                                                                                \
                    yr[j * inner] = (T) (left * (ACC) yr[j * inner]);                              \
                    left *= (ACC) xr[j * inner];                                                   \
                  }                                                                                \
                break;                                                                             \
              }                                                                                    \
            default:                                                                               \
              break;                                                                               \
          }                                                                                        \
      }                                                                                            \
  }

DEFINE_SCAN (float, f32, double)
DEFINE_SCAN (double, f64, double)
DEFINE_SCAN (gint64, i64, guint64)

gboolean
_lt_cpu_scan (const LtKernelArgs *args, GError **error)
{
  LtTensor           *x = args->in[0];
  const LtScanParams *p = &args->params->scan;
  gint64              outer = 1, inner = 1, D = 1;
  int                 nt = _lt_cpu_get_num_threads ();
  LtCpuParallelFunc   func;
  ScanJob             job = { 0 };

  if (x->ndim > 0)
    {
      D = x->shape[p->dim];
      for (guint d = 0; d < p->dim; d++)
        outer *= x->shape[d];
      for (guint d = p->dim + 1; d < x->ndim; d++)
        inner *= x->shape[d];
    }
  if (args->out->numel == 0)
    return TRUE;
  if (x->dtype == LT_DTYPE_FLOAT32)
    func = scan_lines_f32;
  else if (x->dtype == LT_DTYPE_FLOAT64)
    func = scan_lines_f64;
  else if (x->dtype == LT_DTYPE_INT64 && args->op != LT_OP_CUMPROD_GRAD)
    func = scan_lines_i64;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend supports float32, float64 and int64 only, not %s",
                   _lt_op_table[args->op].name, lt_dtype_get_name (x->dtype));
      return FALSE;
    }
  job.op = args->op;
  job.x = _lt_tensor_data (x);
  job.out = _lt_tensor_data (args->out);
  job.outer = outer;
  job.D = D;
  job.inner = inner;
  job.reverse = p->reverse;
  if (args->op == LT_OP_CUMPROD_GRAD)
    {
      LtTensor *g = args->in[1];

      job.g = _lt_tensor_data (g);
      job.g_last = g->numel != x->numel || (x->ndim > 0 && g->shape[p->dim] != D);
    }
  if (outer * inner == 0)
    return TRUE;
  if (nt > 1 && x->numel >= 2 * LT_CPU_GRAIN && outer * inner > 1)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, outer * inner), func, &job);
  else
    func (0, 1, &job);
  return TRUE;
}
