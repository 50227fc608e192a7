/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-cuda-private.h"

/*
 * The fake runtime's launchers of lt-cuda-kernels-math.cu,
 * lt-cuda-kernels-index.cu, lt-cuda-kernels-scan.cu,
 * lt-cuda-kernels-fused.cu and lt-cuda-kernels-linalg.cu: each passes the
 * failure injection of lt-cuda-runtime-fake.c first (a launch that fails
 * on its own, or one that loses the context), then runs the emulated
 * device's launcher. Every call counts as one launch, whatever number of
 * kernels the launcher queues.
 */

#define GATED(table, fn, PARAMS, ARGS)                                                             \
  static int fake_##fn PARAMS                                                                      \
  {                                                                                                \
    int status = _lt_cuda_fake_launch_gate ();                                                     \
    if (status != LT_CU_OK)                                                                        \
      return status;                                                                               \
    return _lt_cu_##table##_kernels_emulated.fn ARGS;                                              \
  }

/* ---- lt-cuda-kernels-math.cu ---- */

GATED (math, random, (void *s, const LtCuRandom *r), (s, r))
GATED (math, randperm, (void *s, const LtCuRandperm *r), (s, r))
GATED (math,
       range,
       (void *s, void *out, int32_t dt, int64_t n, int lin, double a, double st, double e),
       (s, out, dt, n, lin, a, st, e))
GATED (math, math, (void *s, const LtCuIter *it, int op), (s, it, op))
GATED (math,
       activation,
       (void *s, const LtCuIter *it, const LtCuActivation *act, int grad),
       (s, it, act, grad))
GATED (math,
       moments,
       (void *s, const LtCuReduce *r, int op, double corr, double p),
       (s, r, op, corr, p))
GATED (math, norm, (void *s, const LtCuNorm *n), (s, n))
GATED (math, norm_grad, (void *s, const LtCuNorm *n), (s, n))
GATED (math, nll, (void *s, const LtCuNll *n, LtCuErrorWord *err), (s, n, err))
GATED (math, nll_grad, (void *s, const LtCuNll *n), (s, n))

const LtCuMathKernels _lt_cuda_fake_math_kernels = {
  fake_random,  fake_randperm, fake_range,     fake_math, fake_activation,
  fake_moments, fake_norm,     fake_norm_grad, fake_nll,  fake_nll_grad,
};

/* ---- lt-cuda-kernels-index.cu ---- */

GATED (index,
       index_select,
       (void          *s,
        void          *out,
        const void    *x,
        const int64_t *idx,
        int64_t        n_idx,
        int64_t        outer,
        int64_t        size,
        int64_t        inner,
        int            dtype,
        int            op,
        LtCuErrorWord *err),
       (s, out, x, idx, n_idx, outer, size, inner, dtype, op, err))
GATED (index,
       index_add,
       (void          *s,
        void          *out,
        const void    *src,
        const int64_t *idx,
        int64_t        n_idx,
        int64_t        outer,
        int64_t        size,
        int64_t        inner,
        int            dtype,
        int            op,
        LtCuErrorWord *err),
       (s, out, src, idx, n_idx, outer, size, inner, dtype, op, err))
GATED (index,
       gather,
       (void             *s,
        const LtCuTensor *out,
        const LtCuTensor *x,
        const LtCuTensor *idx,
        int               dim,
        int               op,
        LtCuErrorWord    *err),
       (s, out, x, idx, dim, op, err))
GATED (index,
       scatter_add,
       (void             *s,
        const LtCuTensor *out,
        const LtCuTensor *src,
        const LtCuTensor *idx,
        int               dim,
        int               op,
        LtCuErrorWord    *err),
       (s, out, src, idx, dim, op, err))
GATED (index,
       masked_select,
       (void          *s,
        void          *out,
        int64_t        n_out,
        const void    *x,
        const uint8_t *mask,
        int64_t        n,
        int64_t       *scratch,
        int            dtype),
       (s, out, n_out, x, mask, n, scratch, dtype))
GATED (index,
       masked_scatter,
       (void          *s,
        void          *out,
        const uint8_t *mask,
        int64_t        n,
        const void    *src,
        int64_t        n_src,
        int64_t       *scratch,
        int            dtype,
        int            op,
        LtCuErrorWord *err),
       (s, out, mask, n, src, n_src, scratch, dtype, op, err))
GATED (
  index,
  one_hot,
  (void *s, int64_t *out, const int64_t *x, int64_t n, int64_t classes, int op, LtCuErrorWord *err),
  (s, out, x, n, classes, op, err))
GATED (index,
       im2col,
       (void               *s,
        const LtCuConvGeom *g,
        const void         *x,
        int64_t             img0,
        int64_t             n_img,
        void               *col,
        int64_t             col_img_stride,
        int64_t             col_row_stride),
       (s, g, x, img0, n_img, col, col_img_stride, col_row_stride))
GATED (index,
       col2im,
       (void               *s,
        const LtCuConvGeom *g,
        const void         *col,
        int64_t             col_img_stride,
        int64_t             col_row_stride,
        void               *x,
        int64_t             img0,
        int64_t             n_img),
       (s, g, col, col_img_stride, col_row_stride, x, img0, n_img))
GATED (
  index,
  add_bias,
  (void *s, void *out, const void *bias, int64_t n, int64_t c, int64_t hw, int relu, int dtype),
  (s, out, bias, n, c, hw, relu, dtype))
GATED (index,
       bias_grad,
       (void *s, void *grad_bias, const void *grad, int64_t n, int64_t c, int64_t hw, int dtype),
       (s, grad_bias, grad, n, c, hw, dtype))
GATED (index,
       max_pool,
       (void *s, const LtCuPoolGeom *g, const void *x, void *out, int64_t *indices),
       (s, g, x, out, indices))
GATED (index,
       max_pool_grad,
       (void               *s,
        const LtCuPoolGeom *g,
        const void         *grad,
        const int64_t      *indices,
        void               *grad_in,
        LtCuErrorWord      *err,
        int                 op),
       (s, g, grad, indices, grad_in, err, op))
GATED (index, avg_pool, (void *s, const LtCuPoolGeom *g, const void *x, void *out), (s, g, x, out))
GATED (index,
       avg_pool_grad,
       (void *s, const LtCuPoolGeom *g, const void *grad, void *grad_in),
       (s, g, grad, grad_in))
GATED (index,
       adaptive_avg_pool,
       (void *s, const LtCuPoolGeom *g, const void *x, void *out),
       (s, g, x, out))
GATED (index,
       adaptive_avg_pool_grad,
       (void *s, const LtCuPoolGeom *g, const void *grad, void *grad_in),
       (s, g, grad, grad_in))

GATED (index,
       take,
       (void             *s,
        void             *out,
        const void       *x,
        const int64_t    *idx,
        const LtCuCoords *c,
        int64_t          *rows,
        int               op,
        LtCuErrorWord    *err),
       (s, out, x, idx, c, rows, op, err))
GATED (index,
       index_put,
       (void             *s,
        void             *x,
        const void       *v,
        const int64_t    *idx,
        const LtCuCoords *c,
        int64_t          *rows,
        int               op,
        LtCuErrorWord    *err),
       (s, x, v, idx, c, rows, op, err))
GATED (index,
       scatter,
       (void             *s,
        const LtCuTensor *out,
        const LtCuTensor *src,
        const LtCuTensor *idx,
        int               dim,
        int               mode,
        int64_t          *flag,
        int               op,
        LtCuErrorWord    *err),
       (s, out, src, idx, dim, mode, flag, op, err))
GATED (index,
       nonzero,
       (void *s, int64_t *out, int64_t n_out, const LtCuTensor *x),
       (s, out, n_out, x))

const LtCuIndexKernels _lt_cuda_fake_index_kernels = {
  fake_index_select,
  fake_index_add,
  fake_gather,
  fake_scatter_add,
  fake_masked_select,
  fake_masked_scatter,
  fake_one_hot,
  fake_im2col,
  fake_col2im,
  fake_add_bias,
  fake_bias_grad,
  fake_max_pool,
  fake_max_pool_grad,
  fake_avg_pool,
  fake_avg_pool_grad,
  fake_adaptive_avg_pool,
  fake_adaptive_avg_pool_grad,
  fake_take,
  fake_index_put,
  fake_scatter,
  fake_nonzero,
};

/* ---- lt-cuda-kernels-scan.cu ---- */

GATED (scan, sort, (void *s, const LtCuSort *x), (s, x))
GATED (scan, unique, (void *s, const LtCuUnique *u), (s, u))
GATED (scan, scan, (void *s, const LtCuScan *x), (s, x))
GATED (scan, rnn, (void *s, const LtCuRnn *r), (s, r))

const LtCuScanKernels _lt_cuda_fake_scan_kernels = {
  fake_sort,
  fake_unique,
  fake_scan,
  fake_rnn,
};

/* ---- lt-cuda-kernels-fused.cu ---- */

GATED (fused, zero, (void *s, const LtCuTensorList *l), (s, l))
GATED (fused, optim, (void *s, const LtCuTensorList *l, const LtCuOptimStep *st), (s, l, st))
GATED (fused, cross_entropy, (void *s, const LtCuCrossEntropy *c, LtCuErrorWord *err), (s, c, err))
GATED (fused, cross_entropy_grad, (void *s, const LtCuCrossEntropy *c), (s, c))

const LtCuFusedKernels _lt_cuda_fake_fused_kernels = {
  fake_zero,
  fake_optim,
  fake_cross_entropy,
  fake_cross_entropy_grad,
};

/* ---- lt-cuda-kernels-linalg.cu ---- */

GATED (linalg, batch_norm, (void *s, const LtCuBatchNorm *p), (s, p))
GATED (linalg, linalg, (void *s, const LtCuLinalg *p, LtCuErrorWord *err), (s, p, err))

const LtCuLinalgKernels _lt_cuda_fake_linalg_kernels = {
  fake_batch_norm,
  fake_linalg,
};
