/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The CUDA backend's indexing, convolution and pooling launchers
 * (lt-cuda-kernels-index.cu), plain C types only, as
 * lt-cuda-kernels-private.h: the same source is compiled by nvcc for a GPU
 * and by g++ through the launch shim for the emulated device.
 *
 * Tensors travel as LtCuTensor (base pointer at the tensor's offset, shape
 * and strides in elements). Index tensors are contiguous int64. An index
 * out of range is a data-dependent error: the kernel records the first one
 * in the device-side error word (LT_CU_ERRW_INDEX, @op the LtOp, the value
 * and the size it had to lie under) and writes nothing for it; the backend
 * raises it at the next synchronisation.
 */

#include "lt-cuda-kernels-private.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  void *data;
  int32_t ndim;
  int32_t dtype;
  int64_t numel;
  int64_t shape[LT_CU_MAX_DIMS];
  int64_t stride[LT_CU_MAX_DIMS];
} LtCuTensor;

/* conv2d through im2col: one image's columns hold, for every (c, kh, kw)
 * row, the input element under each output position (zero in the padding) */
typedef struct
{
  int64_t n, c, h, w;           /* input */
  int64_t oh, ow;               /* output */
  int64_t kh, kw;
  int64_t sh, sw, ph, pw, dh, dw;
  int32_t dtype;
} LtCuConvGeom;

/* Pooling over NCHW (contiguous input and output) */
typedef struct
{
  int64_t nc, h, w, oh, ow;
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;
  int32_t count_include_pad;
  int64_t divisor_override;     /* 0: none */
  int32_t dtype;
} LtCuPoolGeom;

/* take and index_put: @m tuples of @k coordinates (idx (k, m), int64,
 * contiguous; a negative one counts from the end of its dimension) name
 * rows of @inner elements of a contiguous tensor whose leading dimensions
 * are @size[0..k) (flat take: k 1, size[0] the number of elements). @mode
 * is what a put does: 0 write, 1 add, 2 multiply (LtIndexMode). */
typedef struct
{
  int32_t k;
  int32_t mode;
  int32_t dtype;
  int64_t m;
  int64_t inner;
  int64_t size[LT_CU_MAX_DIMS];
} LtCuCoords;

typedef struct
{
  /* out = x.index_select (dim, idx): x and out contiguous; add: out.index_add_
   * (dim, idx, src) with out and src contiguous */
  int (*index_select) (void *stream, void *out, const void *x, const int64_t *idx, int64_t n_idx,
                       int64_t outer, int64_t size, int64_t inner, int dtype, int op,
                       LtCuErrorWord *err);
  int (*index_add)    (void *stream, void *out, const void *src, const int64_t *idx,
                       int64_t n_idx, int64_t outer, int64_t size, int64_t inner, int dtype,
                       int op, LtCuErrorWord *err);
  /* gather: out (idx's shape, contiguous) from x along @dim; scatter_add:
   * out[.. idx ..] += src along @dim */
  int (*gather)       (void *stream, const LtCuTensor *out, const LtCuTensor *x,
                       const LtCuTensor *idx, int dim, int op, LtCuErrorWord *err);
  int (*scatter_add)  (void *stream, const LtCuTensor *out, const LtCuTensor *src,
                       const LtCuTensor *idx, int dim, int op, LtCuErrorWord *err);
  /* masked_select: the selected elements of x (contiguous, mask's shape) in
   * order into out (n_out elements); masked_scatter: out[mask] = src[0..]
   * (src holds n_src elements; too few is LT_CU_ERRW_INDEX). @scratch holds
   * n + 1 int64: the mask's prefix sums. */
  int (*masked_select)  (void *stream, void *out, int64_t n_out, const void *x,
                         const uint8_t *mask, int64_t n, int64_t *scratch, int dtype);
  int (*masked_scatter) (void *stream, void *out, const uint8_t *mask, int64_t n, const void *src,
                         int64_t n_src, int64_t *scratch, int dtype, int op, LtCuErrorWord *err);
  int (*one_hot)      (void *stream, int64_t *out, const int64_t *x, int64_t n, int64_t classes,
                       int op, LtCuErrorWord *err);
  /* im2col of images [img0, img0 + n_img) of @x into @col: element (r, l)
   * of image n (row r = (c, i, j), l = oh * ow + ow) at
   * n col_img_stride + r col_row_stride + l. col2im is its adjoint: it
   * writes every element of those images of @x with the sum of the columns'
   * elements that read it. */
  int (*im2col)       (void *stream, const LtCuConvGeom *g, const void *x, int64_t img0,
                       int64_t n_img, void *col, int64_t col_img_stride, int64_t col_row_stride);
  int (*col2im)       (void *stream, const LtCuConvGeom *g, const void *col, int64_t col_img_stride,
                       int64_t col_row_stride, void *x, int64_t img0, int64_t n_img);
  /* out[o] += bias[c] for every (n, c, h, w) of a contiguous NCHW output
   * (@bias nullable), then with @relu out[o] = relu (out[o]) in the same
   * pass (conv2d's LtConvParams.relu); nothing to do is no launch */
  int (*add_bias)     (void *stream, void *out, const void *bias, int64_t n, int64_t c,
                       int64_t hw, int relu, int dtype);
  /* grad_bias[c] = sum over n, h, w of grad (contiguous NCHW) */
  int (*bias_grad)    (void *stream, void *grad_bias, const void *grad, int64_t n, int64_t c,
                       int64_t hw, int dtype);
  /* max pooling: out and the positions (ih * w + iw) of the maxima in
   * their planes; the backward writes grad_in with the sum of grad at them
   * (an index outside its plane is LT_CU_ERRW_INDEX). The gradients of the
   * average pools write grad_in. */
  int (*max_pool)     (void *stream, const LtCuPoolGeom *g, const void *x, void *out,
                       int64_t *indices);
  int (*max_pool_grad) (void *stream, const LtCuPoolGeom *g, const void *grad,
                        const int64_t *indices, void *grad_in, LtCuErrorWord *err, int op);
  int (*avg_pool)     (void *stream, const LtCuPoolGeom *g, const void *x, void *out);
  int (*avg_pool_grad) (void *stream, const LtCuPoolGeom *g, const void *grad, void *grad_in);
  int (*adaptive_avg_pool)      (void *stream, const LtCuPoolGeom *g, const void *x, void *out);
  int (*adaptive_avg_pool_grad) (void *stream, const LtCuPoolGeom *g, const void *grad,
                                 void *grad_in);
  /* take: out (m rows, contiguous) = the rows of x that idx names;
   * index_put: those rows of x (+=, *=) v (m rows). @rows is device
   * scratch of m + 1 int64, its last zeroed by the caller: every index is
   * checked first (an index out of range is LT_CU_ERRW_INDEX and sets
   * rows[m]), and nothing is written when one is. */
  int (*take)         (void *stream, void *out, const void *x, const int64_t *idx,
                       const LtCuCoords *c, int64_t *rows, int op, LtCuErrorWord *err);
  int (*index_put)    (void *stream, void *x, const void *v, const int64_t *idx,
                       const LtCuCoords *c, int64_t *rows, int op, LtCuErrorWord *err);
  /* scatter: out[.. idx ..] = (+=, *=: @mode as LtCuCoords') src along @dim;
   * @flag one int64 of device scratch zeroed by the caller, set when an
   * index is out of range (nothing is written then) */
  int (*scatter)      (void *stream, const LtCuTensor *out, const LtCuTensor *src,
                       const LtCuTensor *idx, int dim, int mode, int64_t *flag, int op,
                       LtCuErrorWord *err);
  /* nonzero: the coordinates (n_out rows of x->ndim int64) of the nonzero
   * elements of x (contiguous), in row-major order (one block: a count
   * pass, a scan, a write pass) */
  int (*nonzero)      (void *stream, int64_t *out, int64_t n_out, const LtCuTensor *x);
} LtCuIndexKernels;

extern const LtCuIndexKernels _lt_cu_index_kernels_device;
extern const LtCuIndexKernels _lt_cu_index_kernels_emulated;

#ifdef __cplusplus
}
#endif
