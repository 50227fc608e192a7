/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The launchers of lt-cuda-kernels-math.cu: random numbers and ranges, the
 * math functions and bitwise ops, the activations and their gradient,
 * var/std/norm, layer_norm/group_norm and their backward, nll_loss and its
 * backward. Plain C types only, as lt-cuda-kernels-private.h (whose
 * LtCuIter, LtCuReduce and statuses they use); the backend's side is
 * lt-cuda-backend-math.c.
 */

#include "lt-cuda-kernels-private.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Random numbers: a contiguous output of @numel elements; element i takes
 * lane i % per_block of Philox block offset + i / per_block, as the CPU
 * backend (backends/cpu/lt-cpu-random.c), so both give the same bits. */
enum { LT_CU_RAND_UNIFORM, LT_CU_RAND_NORMAL, LT_CU_RAND_INT };

typedef struct
{
  void *out;
  int64_t numel;
  int32_t dtype;
  int32_t kind;          /* LT_CU_RAND_* */
  int32_t per_block;
  uint64_t seed;
  uint64_t offset;
  double a, b;           /* uniform: [a, b); normal: mean a, std b; randint: [a, b) */
} LtCuRandom;

/* randperm: sorts (key, index) pairs; @keys and @index are scratch device
 * buffers of @padded elements (the power of two at or above @n). */
typedef struct
{
  void *out;
  int64_t n;
  int64_t padded;
  int32_t dtype;
  uint64_t seed;
  uint64_t offset;
  uint64_t *keys;
  int64_t *index;
} LtCuRandperm;

/* The math functions of one input (ops/lt-math.c) */
enum {
  LT_CU_M_CEIL, LT_CU_M_FLOOR, LT_CU_M_ROUND, LT_CU_M_TRUNC, LT_CU_M_FRAC, LT_CU_M_LOG1P,
  LT_CU_M_EXPM1, LT_CU_M_ASIN, LT_CU_M_ACOS, LT_CU_M_ATAN, LT_CU_M_SINH, LT_CU_M_COSH,
  LT_CU_M_ASINH, LT_CU_M_ACOSH, LT_CU_M_ATANH, LT_CU_M_TAN, LT_CU_M_ERF, LT_CU_M_ERFC,
  LT_CU_M_LOG2, LT_CU_M_LOG10, LT_CU_M_EXP2, LT_CU_M_RECIPROCAL, LT_CU_M_BITWISE_NOT,
  LT_CU_M_BITWISE_AND, LT_CU_M_BITWISE_OR, LT_CU_M_BITWISE_XOR,
  LT_CU_N_MATH
};

/* Activations (LtActivationParams): elu's a = alpha, b = scale,
 * c = input_scale; softplus's a = beta, b = threshold; hardtanh's a = min,
 * b = max. */
enum { LT_CU_ACT_GELU, LT_CU_ACT_SILU, LT_CU_ACT_ELU, LT_CU_ACT_SOFTPLUS, LT_CU_ACT_HARDTANH };

typedef struct
{
  int32_t kind;          /* LT_CU_ACT_* */
  int32_t tanh;          /* gelu: the tanh approximation */
  double a, b, c;
} LtCuActivation;

/* var, std (dividing by N - correction) and the p-norm, along the dims of
 * an LtCuReduce */
enum { LT_CU_MOM_VAR, LT_CU_MOM_STD, LT_CU_MOM_NORM };

/* layer_norm and group_norm, and norm_grad (LtNormParams): every tensor
 * contiguous, the input viewed as (rows, D); stats is (2, rows): each row's
 * mean, then its 1 / std. */
typedef struct
{
  int64_t rows, D, groups, channels, inner;
  double eps;
  const void *x;
  const void *weight;    /* or NULL */
  const void *bias;      /* or NULL (forward) */
  const void *dy;        /* norm_grad */
  void *out;             /* y, or dx */
  void *stats;           /* written by the forward, read by norm_grad */
  void *grad_affine;     /* norm_grad: (2, channels) or NULL */
  int32_t dtype;
} LtCuNorm;

/* nll_loss and nll_loss_grad: contiguous x (N, C, R), int64 target (N, R),
 * weight (C) or NULL. A target out of [0, C) other than ignore_index is
 * recorded in the error word (LT_CU_ERRW_CLASS_TARGET). */
typedef struct
{
  int64_t N, C, R;
  int64_t ignore_index;
  int32_t reduction;     /* 0 none, 1 mean, 2 sum (LtReduction) */
  int32_t dtype;
  int32_t per_target;    /* grad: g has one value per target */
  const void *x;         /* forward: the input; grad: g */
  const int64_t *target;
  const void *weight;
  void *out;             /* forward: (N, R) or (); grad: dx (N, C, R) */
  void *total_weight;    /* forward */
} LtCuNll;

typedef struct
{
  int (*random)     (void *stream, const LtCuRandom *r);
  int (*randperm)   (void *stream, const LtCuRandperm *r);
  /* arange (@linspace 0: start + i * step, integers in int64) and linspace
   * (start to end, both exact) into a contiguous output */
  int (*range)      (void *stream, void *out, int32_t dtype, int64_t numel, int linspace,
                     double start, double step, double end);
  /* operands: out, x (and y for the bitwise ops of two inputs) */
  int (*math)       (void *stream, const LtCuIter *it, int op);
  /* operands: out, x (forward) or out, grad, x (@grad) */
  int (*activation) (void *stream, const LtCuIter *it, const LtCuActivation *act, int grad);
  int (*moments)    (void *stream, const LtCuReduce *r, int op, double correction, double p);
  int (*norm)       (void *stream, const LtCuNorm *n);
  int (*norm_grad)  (void *stream, const LtCuNorm *n);
  int (*nll)        (void *stream, const LtCuNll *n, LtCuErrorWord *err);
  int (*nll_grad)   (void *stream, const LtCuNll *n);
} LtCuMathKernels;

/* lt-cuda-kernels-math.cu compiled by nvcc, and by g++ for the emulated
 * device */
extern const LtCuMathKernels _lt_cu_math_kernels_device;
extern const LtCuMathKernels _lt_cu_math_kernels_emulated;

#ifdef __cplusplus
}
#endif
