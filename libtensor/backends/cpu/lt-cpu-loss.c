/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cpu-private.h"

/*
 * nll_loss and the kernel of its backward rule (PyTorch's
 * aten/src/ATen/native/LossNLL.cpp and LossNLL2d.cpp). The front end
 * (ops/lt-loss.c) hands contiguous operands: x as (N, C, R) where R is the
 * product of the trailing dims (1 for (N, C); N = 1 for a (C) input), the
 * int64 target as (N, R), the weight as (C) or none.
 */

/* (N, C, R) of the input of an nll op */
static void
nll_dims (LtTensor *x,
          gint64   *N,
          gint64   *C,
          gint64   *R)
{
  if (x->ndim == 1)
    {
      *N = 1, *C = x->shape[0], *R = 1;
      return;
    }
  *N = x->shape[0], *C = x->shape[1], *R = 1;
  for (guint d = 2; d < x->ndim; d++)
    *R *= x->shape[d];
}

/*
 * Forward, x: (N, C, R), t: (N, R), w: (C) or none; out: (N, R) for
 * reduction none, else (); total_weight: () the total weight of the counted
 * targets.
 *   loss[n, r] = -w[t] x[n, t, r], 0 where t == ignore_index
 *   sum: the sum; mean: the sum / total weight (NaN for 0 / 0)
 */
#define DEFINE_NLL_FORWARD(T, sfx)                                                                 \
  static gboolean nll_forward_##sfx (const LtKernelArgs *args, GError **error)                     \
  {                                                                                                \
    const T            *x = _lt_tensor_data (args->in[0]);                                         \
    const gint64       *t = _lt_tensor_data (args->in[1]);                                         \
    const T            *w = args->in[2] ? _lt_tensor_data (args->in[2]) : NULL;                    \
    T                  *out = _lt_tensor_data (args->out);                                         \
    T                  *total_out = _lt_tensor_data (args->total_weight);                          \
    const LtLossParams *p = &args->params->loss;                                                   \
    gint64              N, C, R;                                                                   \
    double              sum = 0, total = 0;                                                        \
                                                                                                   \
    nll_dims (args->in[0], &N, &C, &R);                                                            \
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
          if (c < 0 || c >= C)                                                                     \
            {                                                                                      \
              g_set_error (error, LT_ERROR, LT_ERROR_INDEX,                                        \
                           "target %" G_GINT64_FORMAT " is out of bounds: "                        \
                           "class indices must be in [0, %" G_GINT64_FORMAT                        \
                           ") or equal ignore_index (%" G_GINT64_FORMAT ")",                       \
                           c, C, p->ignore_index);                                                 \
              return FALSE;                                                                        \
            }                                                                                      \
          wc = w ? w[c] : (T) 1;                                                                   \
          l = -wc * x[(i * C + c) * R + r];                                                        \
          if (p->reduction == LT_REDUCTION_NONE)                                                   \
            out[i * R + r] = l;                                                                    \
          sum += l;                                                                                \
          total += wc;                                                                             \
        }                                                                                          \
    *total_out = (T) total;                                                                        \
    if (p->reduction == LT_REDUCTION_SUM)                                                          \
      *out = (T) sum;                                                                              \
    else if (p->reduction == LT_REDUCTION_MEAN)                                                    \
      *out = (T) sum / (T) total;                                                                  \
    return TRUE;                                                                                   \
  }

/*
 * Backward, out: (N, C, R) the gradient of x, g: (N, R) or () the gradient
 * of the loss already divided by the total weight for mean, t: (N, R),
 * w: (C) or none:
 *   dx[n, t, r] = -w[t] g[n, r], 0 elsewhere and for ignored targets
 */
#define DEFINE_NLL_BACKWARD(T, sfx)                                            \
  static gboolean                                                              \
  nll_backward_##sfx (const LtKernelArgs *args, GError **error)                \
  {                                                                            \
    T *dx = _lt_tensor_data (args->out);                                       \
    const T *g = _lt_tensor_data (args->in[0]);                                \
    const gint64 *t = _lt_tensor_data (args->in[1]);                           \
    const T *w = args->in[2] ? _lt_tensor_data (args->in[2]) : NULL;           \
    const gboolean per_target = args->in[0]->numel > 1 ||                      \
                                args->params->loss.reduction == LT_REDUCTION_NONE; \
    gint64 N, C, R;                                                            \
                                                                               \
    nll_dims (args->out, &N, &C, &R);                                          \
    memset (dx, 0, (gsize) (N * C * R) * sizeof (T));                          \
    for (gint64 i = 0; i < N; i++)                                             \
      for (gint64 r = 0; r < R; r++)                                           \
        {                                                                      \
          gint64 c = t[i * R + r];                                             \
          T gv = g[per_target ? i * R + r : 0];                                \
                                                                               \
          if (c == args->params->loss.ignore_index || c < 0 || c >= C)         \
            continue;                                                          \
          dx[(i * C + c) * R + r] = -(w ? w[c] : (T) 1) * gv;                  \
        }                                                                      \
    return TRUE;                                                               \
  }

DEFINE_NLL_FORWARD (float, f32)
DEFINE_NLL_FORWARD (double, f64)
DEFINE_NLL_BACKWARD (float, f32)
DEFINE_NLL_BACKWARD (double, f64)

gboolean
_lt_cpu_nll_loss (const LtKernelArgs *args,
                  GError            **error)
{
  gboolean backward = args->op == LT_OP_NLL_LOSS_GRAD;

  switch (args->out->dtype)
    {
    case LT_DTYPE_FLOAT32:
      return backward ? nll_backward_f32 (args, error) : nll_forward_f32 (args, error);
    case LT_DTYPE_FLOAT64:
      return backward ? nll_backward_f64 (args, error) : nll_forward_f64 (args, error);
    default:
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend has no kernel for %s tensors",
                   _lt_op_table[args->op].name, lt_dtype_get_name (args->out->dtype));
      return FALSE;
    }
}
