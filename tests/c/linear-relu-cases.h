/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A Linear then a ReLU in an LtSequential, fused (nn/lt-sequential-fuse.c,
 * ops/lt-fused-linear.c), against the same modules run one by one, on the
 * CPU (test-nn-fused.c) and on the emulated CUDA device
 * (test-cuda-fused.c).
 */

#include <libtensor.h>

/* Runs @seq (an LtSequential on @device) on @xh (moved to @device) as a
 * whole and module by module, then backward of sum (out * @wh): asserts
 * that the output and the gradients of the input and of every parameter
 * have the same bits both ways. */
void sequential_same_bits (LtModule *seq,
                           LtTensor *xh,
                           LtTensor *wh,
                           LtDevice  device);

/* Sequential (Linear (K, C), ReLU, Linear (C, 3)) on @device, float32,
 * seeded by @seed, on an (N, K) batch: asserts that the Sequential's
 * output and the gradients of the batch and of every parameter (from the
 * output times a fixed random tensor, summed) have the bits of the three
 * modules run one after the other, and that the graph is PyTorch's
 * (ReluBackward0 in scope "1" over AddmmBackward0 in scope "0"). Returns
 * whether the pair ran fused (its node is linear_relu's). */
gboolean linear_relu_check (LtDevice device,
                            gint64   N,
                            gint64   K,
                            gint64   C,
                            guint64  seed);

/* The tutorial's network as one Sequential on the CPU: conv1 (3 -> 6,
 * 5x5), relu, max_pool 2, conv2 (6 -> 16, 5x5), relu, max_pool 2,
 * flatten, fc1 (400 -> 120), relu, fc2 (120 -> 84), relu, fc3 (84 -> 10) */
LtSequential *tutorial_sequential (void);

/* A Conv2d then a ReLU (ops/lt-conv.c, LtConvParams.relu): the layer's
 * shape, and how its input is padded */
typedef struct
{
  gint64      N, C, H, W; /* N < 0: one unbatched (C, H, W) image */
  gint64      O, k, stride, padding, groups;
  gboolean    bias;
  const char *padding_mode; /* NULL for 'zeros' */
} ConvReluCase;

/* Two Sequential (Conv2d (@c), ReLU) on @device in @dtype, seeded by
 * @seed, one as it is and one with a forward hook on its ReLU (which runs
 * its modules one by one, unfused), over three steps of SGD with momentum:
 * asserts at each step that the output and the gradients of the input and
 * of every parameter, and after it the parameters, have the same bits both
 * ways, and that both graphs have the same nodes in the same module scopes
 * (ReluBackward0 in scope "1" over ConvolutionBackward0 in scope "0").
 * Returns whether the first ran fused (_lt_conv2d_relu ()). */
gboolean conv_relu_check (LtDevice            device,
                          LtDType             dtype,
                          const ConvReluCase *c,
                          guint64             seed);
