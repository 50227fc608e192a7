/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#include <cblas.h>

#include "lt-cpu-private.h"

/*
 * Matrix products through OpenBLAS.
 *   mm:    out (M, N) = a (M, K) @ b (K, N)
 *   bmm:   out (B, M, N) = a (B, M, K) @ b (B, K, N)
 *   addmm: out (M, N) = beta * c + alpha * a @ b, c broadcast to (M, N)
 * out is contiguous; a and b have a unit stride in one of their two last
 * dims (the front end copies them otherwise), which becomes BLAS's
 * transpose flag. Integer types use a plain triple loop.
 */

typedef struct
{
  gboolean trans;
  gint64 ld;
} MatLayout;

static MatLayout
mat_layout (gint64 rows, gint64 cols, gint64 s0, gint64 s1)
{
  MatLayout m;

  if (s1 == 1 || cols <= 1)
    {
      m.trans = FALSE;
      m.ld = MAX (MAX (s0, cols), 1);
      if (rows <= 1)
        m.ld = MAX (cols, 1);
    }
  else
    {
      m.trans = TRUE;
      m.ld = MAX (MAX (s1, rows), 1);
      if (cols <= 1)
        m.ld = MAX (rows, 1);
    }
  return m;
}

#define DEFINE_INT_GEMM(T, sfx)                                                          \
  static void gemm_##sfx (gint64 M, gint64 N, gint64 K, const T *a, gint64 as0, gint64 as1, \
                          const T *b, gint64 bs0, gint64 bs1, T *c, double alpha, double beta) \
  {                                                                                      \
    for (gint64 i = 0; i < M; i++)                                                       \
      for (gint64 j = 0; j < N; j++)                                                     \
        {                                                                                \
          guint64 acc = 0;                                                               \
          for (gint64 k = 0; k < K; k++)                                                 \
            acc += (guint64) (gint64) a[i * as0 + k * as1] * (guint64) (gint64) b[k * bs0 + j * bs1]; \
          c[i * N + j] = (T) ((gint64) (beta * (double) c[i * N + j]) +                  \
                              (gint64) alpha * (gint64) acc);                            \
        }                                                                                \
  }

DEFINE_INT_GEMM (gint64, i64)
DEFINE_INT_GEMM (gint32, i32)
DEFINE_INT_GEMM (gint16, i16)
DEFINE_INT_GEMM (gint8, i8)
DEFINE_INT_GEMM (guint8, u8)

static void
gemm_one (LtDType dt, gint64 M, gint64 N, gint64 K,
          const char *a, gint64 as0, gint64 as1,
          const char *b, gint64 bs0, gint64 bs1,
          char *c, double alpha, double beta)
{
  if (M == 0 || N == 0)
    return;
  if (dt == LT_DTYPE_FLOAT32 || dt == LT_DTYPE_FLOAT64)
    {
      MatLayout la = mat_layout (M, K, as0, as1);
      MatLayout lb = mat_layout (K, N, bs0, bs1);

      if (K == 0)
        {
          /* BLAS leaves C alone for K = 0 only when beta = 1: scale by hand */
          for (gint64 i = 0; i < M * N; i++)
            {
              if (dt == LT_DTYPE_FLOAT32)
                ((float *) c)[i] = beta == 0 ? 0.0f : (float) (beta * ((float *) c)[i]);
              else
                ((double *) c)[i] = beta == 0 ? 0.0 : beta * ((double *) c)[i];
            }
          return;
        }
      if (dt == LT_DTYPE_FLOAT32)
        cblas_sgemm (CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans,
                     lb.trans ? CblasTrans : CblasNoTrans, (int) M, (int) N, (int) K,
                     (float) alpha, (const float *) a, (int) la.ld, (const float *) b, (int) lb.ld,
                     (float) beta, (float *) c, (int) MAX (N, 1));
      else
        cblas_dgemm (CblasRowMajor, la.trans ? CblasTrans : CblasNoTrans,
                     lb.trans ? CblasTrans : CblasNoTrans, (int) M, (int) N, (int) K,
                     alpha, (const double *) a, (int) la.ld, (const double *) b, (int) lb.ld,
                     beta, (double *) c, (int) MAX (N, 1));
      return;
    }
  switch (dt)
    {
    case LT_DTYPE_INT64:
      gemm_i64 (M, N, K, (const gint64 *) a, as0, as1, (const gint64 *) b, bs0, bs1, (gint64 *) c, alpha, beta);
      break;
    case LT_DTYPE_INT32:
      gemm_i32 (M, N, K, (const gint32 *) a, as0, as1, (const gint32 *) b, bs0, bs1, (gint32 *) c, alpha, beta);
      break;
    case LT_DTYPE_INT16:
      gemm_i16 (M, N, K, (const gint16 *) a, as0, as1, (const gint16 *) b, bs0, bs1, (gint16 *) c, alpha, beta);
      break;
    case LT_DTYPE_INT8:
      gemm_i8 (M, N, K, (const gint8 *) a, as0, as1, (const gint8 *) b, bs0, bs1, (gint8 *) c, alpha, beta);
      break;
    default:
      gemm_u8 (M, N, K, (const guint8 *) a, as0, as1, (const guint8 *) b, bs0, bs1, (guint8 *) c, alpha, beta);
      break;
    }
}

gboolean
_lt_cpu_gemm (const LtKernelArgs *args,
              GError            **error)
{
  LtTensor *out = args->out;
  LtDType dt = out->dtype;
  gsize es = _lt_dtype_size (dt);

  if (dt == LT_DTYPE_BOOL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the cpu backend has no matrix product for bool tensors",
                   _lt_op_table[args->op].name);
      return FALSE;
    }

  if (args->op == LT_OP_BMM)
    {
      LtTensor *a = args->in[0], *b = args->in[1];
      gint64 B = a->shape[0], M = a->shape[1], K = a->shape[2], N = b->shape[2];

      for (gint64 i = 0; i < B; i++)
        gemm_one (dt, M, N, K,
                  (const char *) _lt_tensor_data (a) + i * a->strides[0] * es, a->strides[1], a->strides[2],
                  (const char *) _lt_tensor_data (b) + i * b->strides[0] * es, b->strides[1], b->strides[2],
                  (char *) _lt_tensor_data (out) + i * M * N * es, 1.0, 0.0);
      return TRUE;
    }
  else
    {
      guint ai = args->op == LT_OP_ADDMM ? 1 : 0;
      LtTensor *a = args->in[ai], *b = args->in[ai + 1];
      gint64 M = a->shape[0], K = a->shape[1], N = b->shape[1];
      double alpha = 1.0, beta = 0.0;

      if (args->op == LT_OP_ADDMM)
        {
          LtTensor *ops[2] = { out, args->in[0] };
          LtKernelArgs copy = { .op = LT_OP_COPY, .out = out, .in = { args->in[0] }, .n_in = 1 };

          alpha = args->params->gemm.alpha;
          beta = args->params->gemm.beta;
          (void) ops;
          if (beta != 0)
            _lt_cpu_copy (&copy, NULL);
          else
            beta = 0.0;
        }
      gemm_one (dt, M, N, K,
                _lt_tensor_data (a), a->strides[0], a->strides[1],
                _lt_tensor_data (b), b->strides[0], b->strides[1],
                _lt_tensor_data (out), alpha, beta);
      return TRUE;
    }
}
