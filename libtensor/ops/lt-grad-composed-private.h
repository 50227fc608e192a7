/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "core/lt-tensor-private.h"

G_BEGIN_DECLS

/* The gradients of the fused kernels as compositions of public ops, which
 * their rules use under create_graph so that they can be differentiated
 * again (ops/lt-grad-composed.c). */

/* prod (@cumulative FALSE; @g of @x's shape with size 1 along @dim) or
 * cumprod (@g of @x's shape) along @dim of @x: dx, exact at zeros */
LtTensor *_lt_product_grad_composed (LtTensor *x,
                                     LtTensor *g,
                                     guint     dim,
                                     gboolean  cumulative,
                                     GError  **error);

/* lstm_cell's gradients from its inputs (igates, hgates (N, 4H), cx (N, H))
 * and @g (2, N, H): gi[0], gi[1] the gates' (the same tensor twice), gi[2]
 * the cell state's; only those @needs asks for (bit i for input i) */
gboolean  _lt_lstm_cell_grad_composed (LtTensor  *igates,
                                       LtTensor  *hgates,
                                       LtTensor  *cx,
                                       LtTensor  *g,
                                       guint      needs,
                                       LtTensor **gi,
                                       GError   **error);

/* gru_cell's, from igates, hgates (N, 3H), hx (N, H) and @g (N, H) */
gboolean  _lt_gru_cell_grad_composed  (LtTensor  *igates,
                                       LtTensor  *hgates,
                                       LtTensor  *hx,
                                       LtTensor  *g,
                                       guint      needs,
                                       LtTensor **gi,
                                       GError   **error);

G_END_DECLS
