/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The optimizer configurations the fused (multi-tensor) steps are checked
 * on, on the CPU (test-optim-multi.c) and on the CUDA backend
 * (test-cuda-fused.c): every update path of SGD, Adam, AdamW and RMSprop,
 * with the state tensors each one keeps.
 */

#include <libtensor.h>

typedef enum
{
  OPT_SGD,
  OPT_ADAM,
  OPT_ADAMW,
  OPT_RMSPROP
} OptKind;

typedef struct
{
  const char *name;
  OptKind     kind;
  double      lr, a, b, c, weight_decay;
  gboolean    flag; /* nesterov, amsgrad, centered */
  gboolean    maximize;
  const char *states[4];
} OptCase;

/* A new optimizer of case @c over @params */
LtOptimizer *optim_case_new (const OptCase *c,
                             GPtrArray     *params);

/* Aborts the test, naming @what and the first element that differs,
 * unless @a and @b (on any devices) hold the same bits */
void assert_same_bits (LtTensor   *a,
                       LtTensor   *b,
                       const char *what);

extern const OptCase opt_cases[];
extern const guint   n_opt_cases;
