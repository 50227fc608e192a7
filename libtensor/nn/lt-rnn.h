/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_RNN_BASE (lt_rnn_base_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LtRNNBase, lt_rnn_base, LT, RNN_BASE, LtModule)

/**
 * LtRNNBaseClass:
 * @parent_class: the parent class
 *
 * The class of the recurrent layers over sequences (#LtRNN, #LtLSTM,
 * #LtGRU).
 */
struct _LtRNNBaseClass
{
  LtModuleClass parent_class;

  /*< private >*/
  gpointer padding[4];
};

#define LT_TYPE_RNN (lt_rnn_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtRNN, lt_rnn, LT, RNN, LtRNNBase)

#define LT_TYPE_LSTM (lt_lstm_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLSTM, lt_lstm, LT, LSTM, LtRNNBase)

#define LT_TYPE_GRU (lt_gru_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGRU, lt_gru, LT, GRU, LtRNNBase)

#define LT_TYPE_RNN_CELL_BASE (lt_rnn_cell_base_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LtRNNCellBase, lt_rnn_cell_base, LT, RNN_CELL_BASE, LtModule)

/**
 * LtRNNCellBaseClass:
 * @parent_class: the parent class
 *
 * The class of the recurrent cells, one time step (#LtRNNCell,
 * #LtLSTMCell, #LtGRUCell).
 */
struct _LtRNNCellBaseClass
{
  LtModuleClass parent_class;

  /*< private >*/
  gpointer padding[4];
};

#define LT_TYPE_RNN_CELL (lt_rnn_cell_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtRNNCell, lt_rnn_cell, LT, RNN_CELL, LtRNNCellBase)

#define LT_TYPE_LSTM_CELL (lt_lstm_cell_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLSTMCell, lt_lstm_cell, LT, LSTM_CELL, LtRNNCellBase)

#define LT_TYPE_GRU_CELL (lt_gru_cell_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGRUCell, lt_gru_cell, LT, GRU_CELL, LtRNNCellBase)

LT_AVAILABLE_IN_ALL
LtRNN         *lt_rnn_new                       (gint64          input_size,
                                                 gint64          hidden_size,
                                                 gint64          num_layers,
                                                 const char     *nonlinearity,
                                                 gboolean        bias,
                                                 gboolean        batch_first,
                                                 double          dropout,
                                                 gboolean        bidirectional,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtLSTM        *lt_lstm_new                      (gint64          input_size,
                                                 gint64          hidden_size,
                                                 gint64          num_layers,
                                                 gboolean        bias,
                                                 gboolean        batch_first,
                                                 double          dropout,
                                                 gboolean        bidirectional,
                                                 gint64          proj_size,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtGRU         *lt_gru_new                       (gint64          input_size,
                                                 gint64          hidden_size,
                                                 gint64          num_layers,
                                                 gboolean        bias,
                                                 gboolean        batch_first,
                                                 double          dropout,
                                                 gboolean        bidirectional,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor      *lt_rnn_base_forward_full         (LtRNNBase      *self,
                                                 LtTensor       *input,
                                                 LtTensor       *hx,
                                                 LtTensor       *cx,
                                                 LtTensor      **h_n,
                                                 LtTensor      **c_n,
                                                 GError        **error);
LT_AVAILABLE_IN_ALL
gint64         lt_rnn_base_get_input_size       (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
gint64         lt_rnn_base_get_hidden_size      (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
gint64         lt_rnn_base_get_num_layers       (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_rnn_base_get_bias             (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_rnn_base_get_batch_first      (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
double         lt_rnn_base_get_dropout          (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_rnn_base_get_bidirectional    (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
gint64         lt_rnn_base_get_proj_size        (LtRNNBase      *self);
LT_AVAILABLE_IN_ALL
const char    *lt_rnn_base_get_mode             (LtRNNBase      *self);

LT_AVAILABLE_IN_ALL
LtRNNCell     *lt_rnn_cell_new                  (gint64          input_size,
                                                 gint64          hidden_size,
                                                 gboolean        bias,
                                                 const char     *nonlinearity,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtLSTMCell    *lt_lstm_cell_new                 (gint64          input_size,
                                                 gint64          hidden_size,
                                                 gboolean        bias,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtGRUCell     *lt_gru_cell_new                  (gint64          input_size,
                                                 gint64          hidden_size,
                                                 gboolean        bias,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor      *lt_rnn_cell_base_forward_full    (LtRNNCellBase  *self,
                                                 LtTensor       *input,
                                                 LtTensor       *hx,
                                                 LtTensor       *cx,
                                                 LtTensor      **cy,
                                                 GError        **error);
LT_AVAILABLE_IN_ALL
gint64         lt_rnn_cell_base_get_input_size  (LtRNNCellBase  *self);
LT_AVAILABLE_IN_ALL
gint64         lt_rnn_cell_base_get_hidden_size (LtRNNCellBase  *self);
LT_AVAILABLE_IN_ALL
gboolean       lt_rnn_cell_base_get_bias        (LtRNNCellBase  *self);
LT_AVAILABLE_IN_ALL
const char    *lt_rnn_cell_base_get_mode        (LtRNNCellBase  *self);

G_END_DECLS
