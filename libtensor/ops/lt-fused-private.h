/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "core/lt-tensor-private.h"

G_BEGIN_DECLS

/* cross_entropy in one kernel each way (ops/lt-fused-loss.c) */

/* Whether lt_cross_entropy() of @input, @weight (nullable) and class-index
 * targets takes the fused path: no label smoothing, a float input, and a
 * backend with the kernel. */
gboolean  _lt_cross_entropy_fused_applies (LtTensor    *input,
                                           LtTensor    *weight,
                                           double       label_smoothing);
/* The loss, with the graph of log_softmax and nll_loss; @target is int64
 * and checked against @input and @weight (nullable) already. */
LtTensor *_lt_cross_entropy_fused         (LtTensor    *input,
                                           LtTensor    *target,
                                           LtTensor    *weight,
                                           gint64       ignore_index,
                                           LtReduction  reduction,
                                           GError     **error);

/* bias + relu in one kernel each way (ops/lt-fused-act.c) */

/* relu (@x + @b), the bias @b (C) broadcast over dim 1 of @x (N, C, *)
 * (dim 0 of a (C) input), with one node (bias_relu) over both inputs; the
 * add and relu ops where the backend lacks the kernel. */
LtTensor *_lt_bias_relu                   (LtTensor    *x,
                                           LtTensor    *b,
                                           GError     **error);

/* A Linear layer then a ReLU (ops/lt-fused-linear.c) */

/* Whether _lt_linear_bias_relu () takes @input (N, in_features), @weight
 * (out_features, in_features) and @bias (nullable): a bias, 2-D contiguous
 * operands of one float dtype and device, at least two out features, and a
 * backend with bias_relu's kernel. */
gboolean  _lt_linear_bias_relu_applies    (LtTensor    *input,
                                           LtTensor    *weight,
                                           LtTensor    *bias);
/* relu (lt_linear (@input, @weight, @bias)) in two kernels, with the graph
 * of addmm and relu (AddmmBackward0, then ReluBackward0); all its nodes
 * record the current module scope. */
LtTensor *_lt_linear_bias_relu            (LtTensor    *input,
                                           LtTensor    *weight,
                                           LtTensor    *bias,
                                           GError     **error);

/* A Conv2d then a ReLU (ops/lt-conv.c) */

/* Whether _lt_conv2d_relu () takes @input, @weight and @bias (nullable):
 * float operands of one dtype and device, and a backend with bias_relu's
 * kernel (its sign that it fuses a ReLU into the layer before it); the
 * convolution checks the rest, with lt_conv2d ()'s errors. */
gboolean  _lt_conv2d_relu_applies         (LtTensor    *input,
                                           LtTensor    *weight,
                                           LtTensor    *bias);
/* relu (lt_conv2d (...)) in the convolution's kernels, which store relu
 * (v) for each output v after the bias (LtConvParams.relu), with the graph
 * of conv2d and relu (ConvolutionBackward0, then ReluBackward0); all its
 * nodes record the current module scope. */
LtTensor *_lt_conv2d_relu                 (LtTensor     *input,
                                           LtTensor     *weight,
                                           LtTensor     *bias,
                                           const gint64 *stride,
                                           const gint64 *padding,
                                           const gint64 *dilation,
                                           gint64        groups,
                                           GError      **error);
/* Tests only: how many times _lt_conv2d_relu () ran */
guint64   _lt_conv2d_relu_runs            (void);

G_END_DECLS
