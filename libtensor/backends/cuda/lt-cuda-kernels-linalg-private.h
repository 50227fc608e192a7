/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The CUDA backend's linear algebra and batch_norm launchers
 * (lt-cuda-kernels-linalg.cu), plain C types only, as
 * lt-cuda-kernels-private.h: the same source is compiled by nvcc for a GPU
 * and by g++ through the launch shim for the emulated device. The
 * backend's side is lt-cuda-backend-linalg.c. Every operand is contiguous
 * and float32 or float64 (the front ends, ops/lt-linalg-lapack.c and
 * ops/lt-batch-norm.c, give the kernels the layouts the CPU's take:
 * backends/cpu/lt-cpu-linalg.c, lt-cpu-batch-norm.c).
 */

#include "lt-cuda-kernels-private.h"

#ifdef __cplusplus
extern "C" {
#endif

/* batch_norm (forward) and batch_norm_grad: x as (N, C, inner); stats
 * (2, C) the mean and biased variance (written by the forward, read by the
 * backward); running (2, C) in evaluation; grad_affine (2, C) or NULL;
 * w, b, dx nullable as lt-cpu-batch-norm.c has them */
typedef struct
{
  const void *x;
  const void *w, *b;
  const void *running;
  const void *dy;
  void *out;            /* y, or dx */
  void *stats;          /* written by the forward, read by the backward */
  void *grad_affine;
  int64_t N, C, inner;
  double eps;
  int32_t training;
  int32_t backward;
  int32_t dtype;
} LtCuBatchNorm;

/* Which decomposition a LtCuLinalg runs */
enum {
  LT_CU_LA_INV, LT_CU_LA_SOLVE, LT_CU_LA_DET, LT_CU_LA_SLOGDET, LT_CU_LA_CHOLESKY,
  LT_CU_LA_EIGH, LT_CU_LA_SVD, LT_CU_LA_QR
};

/* A batch of @batch matrices a (m, n), contiguous; b (inv: NULL; solve: the
 * right-hand sides (n, k)); out in the CPU kernel's layout
 * (lt-cpu-linalg.c): inv/solve (n, k), det (1), slogdet (2), cholesky
 * (n, n), eigh (n + 1, n), svd (r, m + 1 + n), qr (r, m + n). @work is
 * device scratch of LT_CU_LINALG_WORK (m, n, r) elements per matrix and
 * @info one int32 per matrix. A data-dependent failure (a singular matrix
 * for inv/solve, one not positive-definite for cholesky, no convergence
 * for eigh/svd) is recorded in @err (LT_CU_ERRW_LINALG: op the LtOp,
 * value the first failing batch element or -1 for a batch of one, bound
 * the failure's LAPACK-style info) */
typedef struct
{
  const void *a;
  const void *b;
  void *out;
  void *work;
  int32_t *info;
  int64_t batch, m, n, k, r;
  int32_t kind;        /* LT_CU_LA_* */
  int32_t upper;       /* eigh: read the upper triangle */
  int32_t full;        /* svd: full matrices */
  int32_t op;          /* the LtOp, for the error word */
  int32_t dtype;
} LtCuLinalg;

/* Scratch elements per matrix: enough for every kind (a copy of the
 * matrix, a second matrix of max (m, n)^2 for the factors, and 2 max (m, n)
 * for vectors) */
#define LT_CU_LINALG_WORK(m, n) \
  (((m) > (n) ? (m) : (n)) * ((m) > (n) ? (m) : (n)) * 2 + 2 * ((m) > (n) ? (m) : (n)) + 1)

typedef struct
{
  int (*batch_norm) (void *stream, const LtCuBatchNorm *p);
  int (*linalg)     (void *stream, const LtCuLinalg *p, LtCuErrorWord *err);
} LtCuLinalgKernels;

/* lt-cuda-kernels-linalg.cu compiled by nvcc, and by g++ for the emulated
 * device */
extern const LtCuLinalgKernels _lt_cu_linalg_kernels_device;
extern const LtCuLinalgKernels _lt_cu_linalg_kernels_emulated;

#ifdef __cplusplus
}
#endif
