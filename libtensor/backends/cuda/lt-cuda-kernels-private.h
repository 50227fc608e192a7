/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The CUDA backend's kernel launchers: plain C types only, no GLib, so the
 * same declarations serve lt-cuda-kernels.cu compiled by nvcc (for a GPU)
 * and by g++ through lt-cuda-shim-private.h (the emulated device, on the host), and
 * the C files of the backend that call them through the runtime table
 * (lt-cuda-runtime.h).
 *
 * Every launcher queues its kernel on @stream and returns a status: 0, a
 * cudaError_t value (the same numbers on every runtime), or
 * LT_CU_UNSUPPORTED when it has no kernel for the dtypes it was given.
 * Tensors reach the kernels as LtCuIter: the output's shape and every
 * operand's strides in elements (0 where it is broadcast), base pointers
 * already moved to the tensors' offsets. Scalars travel by value.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LT_CU_MAX_DIMS 8
#define LT_CU_MAX_OPERANDS 4

/* Statuses (cudaError_t values where CUDA has one) */
#define LT_CU_OK 0
#define LT_CU_ERR_INVALID_VALUE 1
#define LT_CU_ERR_MEMORY_ALLOCATION 2
#define LT_CU_ERR_INSUFFICIENT_DRIVER 35
#define LT_CU_ERR_NO_DEVICE 100
#define LT_CU_ERR_ILLEGAL_ADDRESS 700
#define LT_CU_ERR_LAUNCH_FAILURE 719
#define LT_CU_UNSUPPORTED (-1)

/* Dtype codes: LtDType's values (lt-cuda-backend.c checks they agree) */
enum {
  LT_CU_F32, LT_CU_F64, LT_CU_I64, LT_CU_I32, LT_CU_I16, LT_CU_I8, LT_CU_U8, LT_CU_BOOL,
  LT_CU_N_DTYPES
};

/* Unary, binary and where ops the kernels know (a subset of LtOp; the
 * backend maps one to the other). */
enum {
  LT_CU_NEG, LT_CU_ABS, LT_CU_SIGN, LT_CU_EXP, LT_CU_LOG, LT_CU_SQRT, LT_CU_RSQRT, LT_CU_SIN,
  LT_CU_COS, LT_CU_TANH, LT_CU_SIGMOID, LT_CU_RELU, LT_CU_CLAMP, LT_CU_LOGICAL_NOT,
  LT_CU_N_UNARY
};
enum {
  LT_CU_ADD, LT_CU_SUB, LT_CU_MUL, LT_CU_DIV, LT_CU_POW, LT_CU_MAXIMUM, LT_CU_MINIMUM,
  LT_CU_FLOOR_DIVIDE, LT_CU_REMAINDER, LT_CU_EQ, LT_CU_NE, LT_CU_LT, LT_CU_LE, LT_CU_GT,
  LT_CU_GE, LT_CU_LOGICAL_AND, LT_CU_LOGICAL_OR, LT_CU_RELU_GRAD,
  LT_CU_N_BINARY
};
/* Reductions along some dims */
enum {
  LT_CU_R_SUM, LT_CU_R_MEAN, LT_CU_R_MAX, LT_CU_R_MIN, LT_CU_R_ARGMAX, LT_CU_R_ARGMIN,
  LT_CU_R_ANY, LT_CU_R_ALL,
  LT_CU_N_REDUCE
};

/* The device-side error word: the first data-dependent failure of a kernel
 * (an integer division by zero, an index out of range): which check (the
 * kernel's code, 0 while none failed) and the value that failed it. The
 * backend reads it at the next synchronisation. */
typedef struct
{
  int32_t code;
  int32_t op;     /* LT_CU_ERRW_INDEX: the LtOp */
  int64_t value;
  int64_t bound;  /* LT_CU_ERRW_INDEX: the size the index had to lie under */
} LtCuErrorWord;

enum {
  LT_CU_ERRW_NONE,
  LT_CU_ERRW_DIV_BY_ZERO,
  LT_CU_ERRW_INDEX,
  LT_CU_ERRW_CLASS_TARGET,   /* nll_loss: op holds the number of classes */
  LT_CU_ERRW_MASK_COUNT, /* a mask selected more elements (value) than a source holds (bound) */
  LT_CU_ERRW_LINALG,     /* a decomposition failed: op the LtOp, value the batch element
                          * (-1 for a batch of one), bound LAPACK's info */
};

typedef struct
{
  int32_t ndim;
  int32_t n_operands;
  int64_t numel;
  int64_t shape[LT_CU_MAX_DIMS];
  int64_t stride[LT_CU_MAX_OPERANDS][LT_CU_MAX_DIMS];
  void *data[LT_CU_MAX_OPERANDS];
  int32_t dtype[LT_CU_MAX_OPERANDS];
  int32_t contiguous[LT_CU_MAX_OPERANDS]; /* row-major over the output's shape */
} LtCuIter;

/* A reduction: the output's elements (the kept dims) and, for each, the
 * reduced dims of the input. */
typedef struct
{
  int64_t n_out;
  int64_t n_red;
  int32_t keep_ndim;
  int32_t red_ndim;
  int64_t keep_shape[LT_CU_MAX_DIMS];
  int64_t keep_in_stride[LT_CU_MAX_DIMS];
  int64_t keep_out_stride[LT_CU_MAX_DIMS];
  int64_t keep_idx_stride[LT_CU_MAX_DIMS];
  int64_t red_shape[LT_CU_MAX_DIMS];
  int64_t red_stride[LT_CU_MAX_DIMS];
  const void *in;
  void *out;
  int64_t *indices;        /* max/min along a dim: the positions, or NULL */
  int32_t in_dtype;
  int32_t out_dtype;
} LtCuReduce;

/* Softmax along one dim: rows of @len elements @stride apart; the row
 * starts are given by the other dims. */
typedef struct
{
  int64_t n_rows;
  int64_t len;
  int64_t in_stride;       /* along the dim */
  int64_t out_stride;
  int32_t outer_ndim;
  int64_t outer_shape[LT_CU_MAX_DIMS];
  int64_t outer_in_stride[LT_CU_MAX_DIMS];
  int64_t outer_out_stride[LT_CU_MAX_DIMS];
  const void *in;
  void *out;
  int32_t dtype;
  int32_t log;
} LtCuSoftmax;

/* C = alpha * op (A) op (B) + beta * C for @batch matrices, any strides
 * (in elements). */
typedef struct
{
  int64_t batch, m, n, k;
  const void *a;
  const void *b;
  void *c;
  int64_t a_bs, a_rs, a_cs;
  int64_t b_bs, b_rs, b_cs;
  int64_t c_bs, c_rs, c_cs;
  double alpha, beta;
  int32_t dtype;
} LtCuGemm;

/* The launchers of one compilation of lt-cuda-kernels.cu */
typedef struct
{
  int (*fill)     (void *stream, const LtCuIter *it, double value, int64_t ivalue);
  int (*copy)     (void *stream, const LtCuIter *it);
  int (*unary)    (void *stream, const LtCuIter *it, int op, double a, double b);
  int (*binary)   (void *stream, const LtCuIter *it, int op, LtCuErrorWord *err);
  int (*where)    (void *stream, const LtCuIter *it);
  int (*reduce)   (void *stream, const LtCuReduce *r, int op);
  int (*softmax)  (void *stream, const LtCuSoftmax *s);
  int (*gemm)     (void *stream, const LtCuGemm *g);
  /* operands: param (read and written), grad, momentum buffer (NULL data
   * when there is none) */
  int (*sgd)      (void *stream, const LtCuIter *it, double lr, double mom, double dampening,
                   double wd, int nesterov, int maximize, int first);
} LtCuKernels;

/* lt-cuda-kernels.cu compiled by nvcc, and by g++ for the emulated device */
extern const LtCuKernels _lt_cu_kernels_device;
extern const LtCuKernels _lt_cu_kernels_emulated;

#ifdef __cplusplus
}
#endif
