/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-cpu-private.h"

/*
 * Fused optimizer updates: one pass over a parameter, its gradient and its
 * state instead of one kernel per operation of the update. Each step of
 * the formula is rounded to the element type as the separate operations of
 * PyTorch 1.13's update (torch/optim/sgd.py, _single_tensor_sgd) are.
 */

typedef struct
{
  const LtOptimParams *p;
  gboolean has_buf;
} SgdCtx;

/*
 * SGD, param: (*), grad: (*), buf: (*) or none:
 *   d = maximize ? -grad : grad
 *   d = d + weight_decay * param                      (weight_decay != 0)
 *   buf = first ? d : buf * momentum + (1 - dampening) * d
 *   d = nesterov ? d + momentum * buf : buf           (with a buffer)
 *   param = param + (-lr) * d
 * Operands: d[0] param, d[1] grad, d[2] buf.
 */
#define DEFINE_SGD(T, sfx)                                                      \
  static void sgd_##sfx (char **d, const gint64 *s, gint64 n, gpointer ctx)    \
  {                                                                             \
    const SgdCtx *c = ctx;                                                      \
    const T neg_lr = (T) -c->p->lr, momentum = (T) c->p->momentum;              \
    const T alpha = (T) (1 - c->p->dampening), wd = (T) c->p->weight_decay;     \
    const gboolean use_wd = c->p->weight_decay != 0, maximize = c->p->maximize; \
    const gboolean has_buf = c->has_buf, first = c->p->first;                   \
    const gboolean nesterov = c->p->nesterov;                                   \
                                                                                \
    if (has_buf && !first && !use_wd && !maximize && !nesterov &&               \
        s[0] == (gint64) sizeof (T) && s[1] == (gint64) sizeof (T) &&           \
        s[2] == (gint64) sizeof (T))                                            \
      {                                                                         \
        /* the common case, contiguous: momentum without the rest */           \
        T *restrict param = (T *) d[0];                                         \
        const T *restrict grad = (const T *) d[1];                              \
        T *restrict buf = (T *) d[2];                                           \
        for (gint64 i = 0; i < n; i++)                                          \
          {                                                                     \
            T b = buf[i] * momentum;                                            \
            b = b + alpha * grad[i];                                            \
            buf[i] = b;                                                         \
            param[i] = param[i] + neg_lr * b;                                   \
          }                                                                     \
        return;                                                                 \
      }                                                                         \
    for (gint64 i = 0; i < n; i++)                                              \
      {                                                                         \
        T *pp = (T *) (d[0] + i * s[0]);                                        \
        T g = *(const T *) (d[1] + i * s[1]);                                   \
        T p = *pp;                                                              \
                                                                                \
        if (maximize)                                                           \
          g = -g;                                                               \
        if (use_wd)                                                             \
          g = g + wd * p;                                                       \
        if (has_buf)                                                            \
          {                                                                     \
            T *bp = (T *) (d[2] + i * s[2]);                                    \
            T b;                                                                \
                                                                                \
            if (first)                                                          \
              b = g;                                                            \
            else                                                                \
              {                                                                 \
                b = *bp * momentum;                                             \
                b = b + alpha * g;                                              \
              }                                                                 \
            *bp = b;                                                            \
            g = nesterov ? g + momentum * b : b;                                \
          }                                                                     \
        *pp = p + neg_lr * g;                                                   \
      }                                                                         \
  }

DEFINE_SGD (float, f32)
DEFINE_SGD (double, f64)

gboolean
_lt_cpu_sgd_update (const LtKernelArgs *args,
                    GError            **error)
{
  LtTensor *operands[3] = { args->out, args->in[0], args->momentum };
  SgdCtx    ctx = { &args->params->optim, args->momentum != NULL };
  LtCpuLoop loop;

  switch (args->out->dtype)
    {
    case LT_DTYPE_FLOAT32:
      loop = sgd_f32;
      break;
    case LT_DTYPE_FLOAT64:
      loop = sgd_f64;
      break;
    default:
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "sgd_update: the cpu backend has no kernel for %s tensors",
                   lt_dtype_get_name (args->out->dtype));
      return FALSE;
    }
  _lt_cpu_foreach (operands, ctx.has_buf ? 3 : 2, loop, &ctx, TRUE);
  return TRUE;
}
