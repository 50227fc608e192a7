/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-cpu-private.h"

/*
 * The activations with kernels of their own (gelu, silu, elu, softplus,
 * hardtanh) and activation_grad, the gradient times the derivative at the
 * input, in one pass each. Float32 and float64; the arithmetic is in double
 * precision, rounded once. The formulas are PyTorch 1.13's
 * (aten/src/ATen/native/cpu/Activation.cpp): hardtanh's derivative is 0 at
 * its bounds, softplus is the identity above its threshold.
 */

#define GELU_TANH_K 0.7978845608028654 /* sqrt (2 / pi) */
#define GELU_TANH_C 0.044715

static inline double
act_value (const LtActivationParams *p, double x)
{
  switch (p->op)
    {
      case LT_OP_GELU:
        if (p->tanh)
          return 0.5 * x * (1.0 + tanh (GELU_TANH_K * (x + GELU_TANH_C * x * x * x)));
        return 0.5 * x * (1.0 + erf (x * M_SQRT1_2));
      case LT_OP_SILU:
        return x / (1.0 + exp (-x));
      case LT_OP_ELU:
        return x <= 0 ? expm1 (x * p->c) * p->a * p->b : x * p->b;
      case LT_OP_SOFTPLUS:
        return x * p->a > p->b ? x : log1p (exp (x * p->a)) / p->a;
      case LT_OP_HARDTANH:
        return x < p->a ? p->a : x > p->b ? p->b : x;
      default:
        return NAN;
    }
}

static inline double
act_derivative (const LtActivationParams *p, double x)
{
  switch (p->op)
    {
      case LT_OP_GELU:
        if (p->tanh)
          {
            double t = tanh (GELU_TANH_K * (x + GELU_TANH_C * x * x * x));

            return 0.5 * (1.0 + t) +
                   0.5 * x * (1.0 - t * t) * GELU_TANH_K * (1.0 + 3.0 * GELU_TANH_C * x * x);
          }
        return 0.5 * (1.0 + erf (x * M_SQRT1_2)) + x * exp (-0.5 * x * x) * 0.3989422804014327;
      case LT_OP_SILU:
        {
          double s = 1.0 / (1.0 + exp (-x));

          return s * (1.0 + x * (1.0 - s));
        }
      case LT_OP_ELU:
        return x <= 0 ? p->c * p->a * p->b * exp (x * p->c) : p->b;
      case LT_OP_SOFTPLUS:
        {
          double z = exp (x * p->a);

          return x * p->a > p->b ? 1.0 : z / (z + 1.0);
        }
      case LT_OP_HARDTANH:
        return x <= p->a || x >= p->b ? 0.0 : 1.0;
      default:
        return NAN;
    }
}

#define DEFINE_ACTIVATION(T, sfx)                                                                  \
  static void act_fw_##sfx (char **d, const gint64 *s, gint64 n, gpointer ctx)                     \
  {                                                                                                \
    const LtActivationParams *p = ctx;                                                             \
                                                                                                   \
    for (gint64 i = 0; i < n; i++)                                                                 \
      *(T *) (d[0] + i * s[0]) = (T) act_value (p, *(const T *) (d[1] + i * s[1]));                \
  }                                                                                                \
  static void act_bw_##sfx (char **d, const gint64 *s, gint64 n, gpointer ctx)                     \
  {                                                                                                \
    const LtActivationParams *p = ctx;                                                             \
                                                                                                   \
    for (gint64 i = 0; i < n; i++)                                                                 \
      {                                                                                            \
        double g = *(const T *) (d[1] + i * s[1]);                                                 \
        double x = *(const T *) (d[2] + i * s[2]);                                                 \
        double dx = act_derivative (p, x);                                                         \
                                                                                                   \
        /* a zero derivative gives zero, whatever the gradient (as PyTorch's where) */             \
        *(T *) (d[0] + i * s[0]) = dx == 0.0 ? (T) 0 : (T) (g * dx);                               \
      }                                                                                            \
  }
DEFINE_ACTIVATION (float, f32)
DEFINE_ACTIVATION (double, f64)

gboolean
_lt_cpu_activation (const LtKernelArgs *args, GError **error)
{
  LtActivationParams p = args->params->activation;
  gboolean           grad = args->op == LT_OP_ACTIVATION_GRAD;
  LtTensor          *operands[3] = { args->out, args->in[0], grad ? args->in[1] : NULL };
  LtDType            dt = args->out->dtype;

  if (!grad)
    p.op = args->op;
  if (dt != LT_DTYPE_FLOAT32 && dt != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE, "%s: no kernel for %s",
                   _lt_op_table[args->op].name, lt_dtype_get_name (dt));
      return FALSE;
    }
  if (grad)
    _lt_cpu_foreach (operands, 3, dt == LT_DTYPE_FLOAT32 ? act_bw_f32 : act_bw_f64, &p, TRUE);
  else
    _lt_cpu_foreach (operands, 2, dt == LT_DTYPE_FLOAT32 ? act_fw_f32 : act_fw_f64, &p, TRUE);
  return TRUE;
}
