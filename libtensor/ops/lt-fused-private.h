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

G_END_DECLS
