/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The CUDA backend's sorting, scan and recurrent-cell launchers
 * (lt-cuda-kernels-scan.cu), plain C types only, as
 * lt-cuda-kernels-private.h: the same source is compiled by nvcc for a GPU
 * and by g++ through the launch shim for the emulated device. The
 * backend's side is lt-cuda-backend-scan.c. Every operand is contiguous
 * (the front ends in ops/lt-sort.c, lt-scan.c and lt-rnn-ops.c give the
 * kernels the layouts the CPU's take: backends/cpu/lt-cpu-sort.c,
 * lt-cpu-scan.c, lt-cpu-rnn.c).
 */

#include "lt-cuda-kernels-private.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a sort of every row is used for */
enum { LT_CU_SEL_SORT, LT_CU_SEL_TOPK, LT_CU_SEL_KTHVALUE, LT_CU_SEL_MEDIAN, LT_CU_SEL_MODE };

/* sort, topk, kthvalue, median, mode: x viewed as (outer, N, inner), out
 * and indices as (outer, M, inner) with M = N (sort), k (topk) or 1. @keys
 * (2 * outer * inner * N elements of 8 bytes) and @pos (as many int64) are
 * device scratch: two copies of every row, sorted back and forth. */
typedef struct
{
  const void *x;
  void *out;
  int64_t *indices;
  int64_t outer, N, M, inner;
  int64_t k;
  int32_t dtype;
  int32_t select;        /* LT_CU_SEL_* */
  int32_t descending;
  void *keys;
  int64_t *pos;
} LtCuSort;

/* unique: x sorted (n), perm the positions it came from; out (n): the
 * distinct values first; aux (2, n): the inverse, then the counts.
 * @scratch: 2 * n int64. */
typedef struct
{
  const void *x;
  const int64_t *perm;
  void *out;
  int64_t *aux;
  int64_t n;
  int32_t dtype;
  int64_t *scratch;
} LtCuUnique;

/* cumsum, cumprod, prod, cumprod_grad along one dim: x viewed as
 * (outer, D, inner); g (cumprod_grad) as x, or one element per line with
 * @g_last */
enum { LT_CU_SCAN_CUMSUM, LT_CU_SCAN_CUMPROD, LT_CU_SCAN_PROD, LT_CU_SCAN_CUMPROD_GRAD };

typedef struct
{
  const void *x;
  const void *g;
  void *out;
  int64_t outer, D, inner;
  int32_t op;            /* LT_CU_SCAN_* */
  int32_t reverse;
  int32_t g_last;
  int32_t dtype;
} LtCuScan;

/* The recurrent cells' pointwise steps (backends/cpu/lt-cpu-rnn.c has the
 * formulas): a, b, c the three inputs, out and aux as there; N rows of H */
enum { LT_CU_RNN_LSTM, LT_CU_RNN_LSTM_GRAD, LT_CU_RNN_GRU, LT_CU_RNN_GRU_GRAD };

typedef struct
{
  const void *a, *b, *c;
  void *out;
  void *aux;
  int64_t N, H;
  int32_t op;            /* LT_CU_RNN_* */
  int32_t dtype;
} LtCuRnn;

typedef struct
{
  int (*sort)   (void *stream, const LtCuSort *s);
  int (*unique) (void *stream, const LtCuUnique *u);
  int (*scan)   (void *stream, const LtCuScan *s);
  int (*rnn)    (void *stream, const LtCuRnn *r);
} LtCuScanKernels;

/* lt-cuda-kernels-scan.cu compiled by nvcc, and by g++ for the emulated
 * device */
extern const LtCuScanKernels _lt_cu_scan_kernels_device;
extern const LtCuScanKernels _lt_cu_scan_kernels_emulated;

#ifdef __cplusplus
}
#endif
