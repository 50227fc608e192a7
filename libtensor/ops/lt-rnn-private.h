/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The recurrent cells' fused steps (ops/lt-rnn-ops.c), which the recurrent
 * layers (nn/lt-rnn.c) run once per time step after the gate products:
 * @igates = x W_ih^T + b_ih and @hgates = h W_hh^T + b_hh, (N, G * H).
 */

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/* LSTM: (2, N, H), the new h over the new c, from the gates' products and
 * the cell state @cx (N, H); node ThnnFusedLstmCellBackward0. */
LtTensor *_lt_lstm_cell_fused (LtTensor  *igates,
                               LtTensor  *hgates,
                               LtTensor  *cx,
                               GError   **error);
/* GRU: the new h (N, H) from the gates' products and @hx (N, H); node
 * ThnnFusedGruCellBackward0. */
LtTensor *_lt_gru_cell_fused  (LtTensor  *igates,
                               LtTensor  *hgates,
                               LtTensor  *hx,
                               GError   **error);

G_END_DECLS
