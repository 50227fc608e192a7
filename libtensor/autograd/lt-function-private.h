/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-function.h"
#include "lt-grad-fn-private.h"

G_BEGIN_DECLS

/* The backward rule of a custom function's node (node->custom is its
 * LtFunctionCtx): runs the class's backward. */
gboolean    _lt_function_run_backward       (LtGradFn      *node,
                                             LtTensor      *grad,
                                             LtTensor     **grad_inputs,
                                             GError       **error);
/* The node's name, "<Class>Backward". */
const char *_lt_function_ctx_get_name       (LtFunctionCtx *ctx);
/* Frees what the function saved (a backward without retain_graph). */
void        _lt_function_ctx_release_saved  (LtFunctionCtx *ctx);

G_END_DECLS
