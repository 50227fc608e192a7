/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-grad-fn.h"

G_BEGIN_DECLS

/* Called by _lt_engine_backward() once per node reached, on the thread
 * running the backward, with the complete gradient of that node's output
 * (after the output's hooks ran), before the node's backward rule runs;
 * for an AccumulateGrad node, with the gradient about to be accumulated
 * into the leaf. The observer must not keep @grad beyond the call unless
 * it takes a reference. */
typedef void (*LtGradObserver) (LtGradFn *node,
                                LtTensor *grad,
                                gpointer  user_data);

/* lt_tensor_backward() with an observer (nullable); lt_tensor_backward()
 * is this with a NULL observer. */
gboolean _lt_engine_backward (LtTensor       *output,
                              LtTensor       *gradient,
                              gboolean        retain_graph,
                              LtGradObserver  observer,
                              gpointer        user_data,
                              GError        **error);

G_END_DECLS
