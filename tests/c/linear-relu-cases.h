/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A Linear then a ReLU in an LtSequential, fused (nn/lt-sequential-fuse.c,
 * ops/lt-fused-linear.c), against the same modules run one by one, on the
 * CPU (test-nn-fused.c) and on the emulated CUDA device
 * (test-cuda-fused.c).
 */

#include <libtensor.h>

/* Sequential (Linear (K, C), ReLU, Linear (C, 3)) on @device, float32,
 * seeded by @seed, on an (N, K) batch: asserts that the Sequential's
 * output and the gradients of the batch and of every parameter (from the
 * output times a fixed random tensor, summed) have the bits of the three
 * modules run one after the other, and that the graph is PyTorch's
 * (ReluBackward0 in scope "1" over AddmmBackward0 in scope "0"). Returns
 * whether the pair ran fused (its node is linear_relu's). */
/* Runs @seq (an LtSequential on @device) on @xh (moved to @device) as a
 * whole and module by module, then backward of sum (out * @wh): asserts
 * that the output and the gradients of the input and of every parameter
 * have the same bits both ways. */
void sequential_same_bits (LtModule *seq,
                           LtTensor *xh,
                           LtTensor *wh,
                           LtDevice  device);

gboolean linear_relu_check (LtDevice device,
                            gint64   N,
                            gint64   K,
                            gint64   C,
                            guint64  seed);
