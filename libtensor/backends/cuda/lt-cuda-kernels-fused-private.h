/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The launchers of lt-cuda-kernels-fused.cu: multi-tensor kernels, one
 * launch for a list of tensors, as PyTorch's multi_tensor_apply: zeroing
 * tensors (gradients), and the optimizer steps (SGD, Adam/AdamW, RMSprop)
 * over every parameter of a group. The list travels by value in the
 * kernel's arguments (LtCuTensorList, under CUDA's 4 KiB parameter limit);
 * a longer list is cut into chunks of LT_CU_MT_MAX, one launch each. Every
 * tensor is contiguous, and the tensors of one index in the lists have the
 * same number of elements and the list's dtype (float32 or float64). Plain C
 * types only, as lt-cuda-kernels-private.h; the backend's side is
 * lt-cuda-backend-fused.c.
 */

#include "lt-cuda-kernels-private.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LT_CU_MT_MAX 24   /* tensors per launch */
#define LT_CU_MT_LISTS 5  /* parameter, gradient, up to three state tensors */

typedef struct
{
  int32_t n;                          /* tensors in the list */
  int32_t n_lists;
  int32_t dtype;                      /* LT_CU_F32 or LT_CU_F64 */
  int32_t n_blocks;                   /* the launch's grid */
  int64_t numel[LT_CU_MT_MAX];
  int32_t first_block[LT_CU_MT_MAX + 1]; /* tensor k has blocks [first_block[k], first_block[k+1]) */
  void   *ptr[LT_CU_MT_LISTS][LT_CU_MT_MAX];
} LtCuTensorList;

/* The optimizer steps (lists: parameter, gradient, then the state below).
 * Each reproduces the library's unfused update (libtensor/optim) operation
 * for operation in the element type, so both give the same bits.
 *   SGD      state: momentum buffer (list 2) when momentum != 0; @first: the
 *            buffers are new (they start as the update)
 *   Adam     state: exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad);
 *            @decoupled: AdamW's decay of the parameter
 *   RMSprop  state: square_avg, grad_avg (centered), momentum buffer
 *            (momentum > 0): lists 2, 3 and 4, a NULL pointer list when
 *            unused */
enum { LT_CU_MT_SGD, LT_CU_MT_ADAM, LT_CU_MT_RMSPROP };

typedef struct
{
  int32_t kind;          /* LT_CU_MT_* */
  int32_t maximize;
  int32_t nesterov;      /* SGD */
  int32_t first;         /* SGD */
  int32_t decoupled;     /* Adam: AdamW */
  int32_t amsgrad;       /* Adam */
  int32_t centered;      /* RMSprop */
  int32_t has_momentum;  /* SGD, RMSprop */
  double lr;
  double weight_decay;
  double momentum;       /* SGD, RMSprop */
  double dampening;      /* SGD */
  double beta1, beta2;   /* Adam; RMSprop's alpha is beta2 */
  double eps;
  double step_size;      /* Adam: lr / (1 - beta1^step) */
  double bias_correction2_sqrt; /* Adam: sqrt (1 - beta2^step) */
} LtCuOptimStep;

/* cross_entropy of class-index targets (ops/lt-fused-loss.c): contiguous x
 * (N, C, R), int64 target (N, R), weight (C) or NULL.
 *   forward: logp (N C R + 1): the log_softmax of x, then the total weight;
 *            out the loss, (N, R) for reduction none, else (). A target out
 *            of [0, C) other than ignore_index goes to the error word
 *            (LT_CU_ERRW_CLASS_TARGET, bound @op).
 *   grad:    dx (N, C, R) from g (one per target for reduction none, else
 *            one), logp and the total weight (logp[N C R]'s place: @total) */
typedef struct
{
  int64_t N, C, R;
  int64_t ignore_index;
  int32_t reduction;     /* 0 none, 1 mean, 2 sum (LtReduction) */
  int32_t dtype;
  int32_t op;            /* the LtOp the error word names */
  const void *x;         /* forward */
  const void *g;         /* grad */
  const int64_t *target;
  const void *weight;
  void *logp;            /* forward: written; grad: read */
  const void *total;     /* grad */
  void *out;             /* forward: the loss; grad: dx */
} LtCuCrossEntropy;

/* bias + relu (ops/lt-fused-act.c): contiguous x, y (N, C, R), bias (C).
 *   forward: y = relu (x + b[c]);
 *   grad:    from g and y (@x's place), dx (@y's place) = g where y > 0,
 *            db (C) its sum over N and R */
typedef struct
{
  int64_t N, C, R;
  int32_t dtype;
  const void *x;         /* forward: x; grad: y */
  const void *b;         /* forward */
  const void *g;         /* grad */
  void *y;               /* forward: y; grad: dx */
  void *db;              /* grad */
} LtCuBiasRelu;

typedef struct
{
  /* sets list 0's tensors to zero */
  int (*zero)  (void *stream, const LtCuTensorList *l);
  int (*optim) (void *stream, const LtCuTensorList *l, const LtCuOptimStep *s);
  int (*cross_entropy)      (void *stream, const LtCuCrossEntropy *c, LtCuErrorWord *err);
  int (*cross_entropy_grad) (void *stream, const LtCuCrossEntropy *c);
  int (*bias_relu)          (void *stream, const LtCuBiasRelu *p);
  int (*bias_relu_grad)     (void *stream, const LtCuBiasRelu *p);
} LtCuFusedKernels;

/* lt-cuda-kernels-fused.cu compiled by nvcc, and by g++ for the emulated
 * device */
extern const LtCuFusedKernels _lt_cu_fused_kernels_device;
extern const LtCuFusedKernels _lt_cu_fused_kernels_emulated;

#ifdef __cplusplus
}
#endif
