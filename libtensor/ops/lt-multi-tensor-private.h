/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Multi-tensor operations: one kernel launch for a list of tensors, where a
 * backend offers it (LtBackend.multi_tensor, whose arguments,
 * LtMultiTensorArgs, are in lt-op-private.h; the CUDA backend does,
 * backends/cuda/lt-cuda-backend-fused.c), as PyTorch's multi_tensor_apply.
 * Zeroing every gradient of a model, and an optimizer's step over every
 * parameter of a group, then cost one launch (or one per LT_CU_MT_MAX
 * tensors) instead of one or more per tensor. lt-multi-tensor.c has the
 * checks and the entry points; where a backend has no multi-tensor kernel
 * or a tensor does not qualify, the callers run the ordinary ops.
 */

#include "lt-op-private.h"

G_BEGIN_DECLS

/* Whether @t can be in a multi-tensor list of its device: the backend has
 * multi-tensor kernels, @t is a contiguous float tensor made by no op that
 * autograd recorded (a leaf, a gradient, an optimizer's state). */
gboolean _lt_multi_tensor_supported (LtTensor *t);

/* Whether @a and @b can stand at one index of two lists: both qualify, on
 * one device, with one dtype and shape, and share no storage. */
gboolean _lt_multi_tensor_pair_ok (LtTensor *a,
                                   LtTensor *b);

/* Runs @args on the backend of its first tensor's device; the caller has
 * checked every tensor (and bumps the versions of what it changed). */
gboolean _lt_multi_tensor_run (const LtMultiTensorArgs *args,
                               GError                 **error);

/* Zeroes @tensors: those that qualify in one launch per device and dtype,
 * the rest one by one (lt_tensor_zero_). Errors are dropped, as
 * lt_tensor_zero_'s in zero_grad. */
void _lt_multi_tensor_zero (GPtrArray *tensors);

G_END_DECLS
