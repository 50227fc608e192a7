/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "core/lt-tensor-private.h"
#include "lt-op-list-private.h"

G_BEGIN_DECLS

/* Whether lt_batch_norm () can take the fused kernels (ops/lt-batch-norm.c):
 * the input's backend has them and every tensor given shares the input's
 * dtype and device. */
gboolean  _lt_batch_norm_can_fuse (LtTensor *input,
                                   LtTensor *running_mean,
                                   LtTensor *running_var,
                                   LtTensor *weight,
                                   LtTensor *bias);
/* lt_batch_norm () through the fused kernels; the arguments are checked */
LtTensor *_lt_batch_norm_fused    (LtTensor *input,
                                   LtTensor *running_mean,
                                   LtTensor *running_var,
                                   LtTensor *weight,
                                   LtTensor *bias,
                                   gboolean  training,
                                   double    momentum,
                                   double    eps,
                                   GError  **error);
/* The backward rule of the norms (ops/lt-norm.c): @grad_op, norm_grad or
 * batch_norm_grad, gives the input's gradient and the weight's and bias's */
gboolean  _lt_backward_norm_rows  (LtGradFn  *node,
                                   LtTensor  *g,
                                   LtTensor **gi,
                                   LtOp       grad_op,
                                   GError   **error);

G_END_DECLS
