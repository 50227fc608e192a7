/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-grad-fn-private.h"

G_BEGIN_DECLS

/*
 * LtGradObserver:
 * @node: a node the backward pass reached
 * @grad: (transfer none): the complete gradient of @node's output, after
 *   the output's hooks ran; for an AccumulateGrad node, the gradient about
 *   to be added into the leaf (after the leaf's hooks ran)
 * @user_data: the data given to _lt_engine_backward()
 *
 * Called once per node reached, on the thread running the pass, before the
 * node's backward rule runs. It must not keep @grad beyond the call
 * without taking a reference.
 */
typedef void (*LtGradObserver) (LtGradFn *node,
                                LtTensor *grad,
                                gpointer  user_data);

/* lt_tensor_backward() with an observer (nullable). A leaf @output has no
 * node: its gradient is accumulated without a call to @observer. */
gboolean _lt_engine_backward (LtTensor       *output,
                              LtTensor       *gradient,
                              gboolean        retain_graph,
                              LtGradObserver  observer,
                              gpointer        user_data,
                              GError        **error);

/* Whether a pass with an observer runs on this thread: a backward rule
 * that would hand an input's node something other than the gradient of
 * that input (a fused rule that skips a node) computes it unfused, so that
 * the observer sees every node's own gradient. */
gboolean _lt_engine_observed  (void);

G_END_DECLS
