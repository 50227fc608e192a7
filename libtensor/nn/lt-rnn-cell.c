/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-rnn.h"
#include "lt-functional.h"
#include "lt-init.h"
#include "lt-nn-private.h"
#include "core/lt-error.h"
#include "ops/lt-ops-private.h"
#include "ops/lt-rnn-private.h"

/*
 * The recurrent cells, one time step, as torch.nn's RNNCell, LSTMCell and
 * GRUCell: parameters weight_ih (G * hidden, input), weight_hh (G *
 * hidden, hidden), bias_ih and bias_hh (G * hidden), drawn from
 * U(-1/sqrt(hidden), 1/sqrt(hidden)); a step is the two gate products and
 * the fused step of ops/lt-rnn-ops.c (tanh or relu of their sum for
 * RNNCell).
 */

typedef enum
{
  CELL_RNN_TANH,
  CELL_RNN_RELU,
  CELL_LSTM,
  CELL_GRU,
} CellMode;

static const char *const cell_names[] = { "RNNCell", "RNNCell", "LSTMCell", "GRUCell" };
static const char *const cell_modes[] = { "RNN_TANH", "RNN_RELU", "LSTM", "GRU" };

typedef struct
{
  CellMode mode;
  gint64   input_size, hidden_size;
  gboolean bias;
} LtRNNCellBasePrivate;

/**
 * LtRNNCellBase:
 *
 * The recurrent cells, as `torch.nn.RNNCellBase`: #LtRNNCell, #LtLSTMCell
 * and #LtGRUCell. lt_rnn_cell_base_forward_full() makes one step from an
 * input (N, input_size) or (input_size) and the states (zeros when not
 * given); the module's forward gives the new hidden state from zeros.
 */
G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LtRNNCellBase, lt_rnn_cell_base, LT_TYPE_MODULE)

/**
 * LtRNNCell:
 *
 * An Elman cell, as `torch.nn.RNNCell`: h' = tanh (x W_ih^T + b_ih + h
 * W_hh^T + b_hh), or relu.
 */
struct _LtRNNCell
{
  LtRNNCellBase parent_instance;
};

G_DEFINE_FINAL_TYPE (LtRNNCell, lt_rnn_cell, LT_TYPE_RNN_CELL_BASE)

/**
 * LtLSTMCell:
 *
 * A long short-term memory cell, as `torch.nn.LSTMCell` (gates i, f, g, o).
 */
struct _LtLSTMCell
{
  LtRNNCellBase parent_instance;
};

G_DEFINE_FINAL_TYPE (LtLSTMCell, lt_lstm_cell, LT_TYPE_RNN_CELL_BASE)

/**
 * LtGRUCell:
 *
 * A gated recurrent unit cell, as `torch.nn.GRUCell` (gates r, z, n).
 */
struct _LtGRUCell
{
  LtRNNCellBase parent_instance;
};

G_DEFINE_FINAL_TYPE (LtGRUCell, lt_gru_cell, LT_TYPE_RNN_CELL_BASE)

static LtTensor *
cell_param (LtModule *self, const char *cell, const char *name, gboolean required, GError **error)
{
  LtTensor *t = lt_module_get_parameter (self, name);

  if (t == NULL && required)
    g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s: the parameter %s was removed", cell, name);
  return t;
}

/* @given (N, H) or (H) unbatched, or zeros */
static LtTensor *
cell_state (const char *cell,
            const char *what,
            LtTensor   *given,
            gboolean    batched,
            gint64      N,
            gint64      H,
            LtTensor   *x,
            GError    **error)
{
  gint64 shape[2] = { N, H };

  if (given == NULL)
    {
      g_autoptr(LtTensor) z = lt_zeros (shape, 2, x->dtype, error);

      if (z == NULL || x->storage->device == LT_DEVICE_CPU)
        return g_steal_pointer (&z);
      return lt_tensor_to_device (z, x->storage->device, error);
    }
  if (given->ndim != (batched ? 2u : 1u) || given->shape[given->ndim - 1] != H ||
      (batched && given->shape[0] != N))
    {
      g_autofree char *s = LT_SHAPE_STR (given);
      g_autofree char *e = _lt_shape_to_string (batched ? shape : shape + 1, batched ? 2 : 1);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE, "%s: expected %s of shape %s, got %s", cell,
                   what, e, s);
      return NULL;
    }
  if (given->dtype != x->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input is %s but %s is %s; they must have the same dtype", cell,
                   lt_dtype_get_name (x->dtype), what, lt_dtype_get_name (given->dtype));
      return NULL;
    }
  return batched ? g_object_ref (given) : lt_tensor_unsqueeze (given, 0, error);
}

static LtTensor *
cell_unbatch (LtTensor *t, gboolean batched, GError **error)
{
  return batched ? g_object_ref (t) : lt_tensor_squeeze_dim (t, 0, error);
}

/**
 * lt_rnn_cell_base_forward_full:
 * @self: a recurrent cell
 * @input: the step's input, (N, input_size) or (input_size)
 * @hx: (nullable): the hidden state, (N, hidden_size) or (hidden_size);
 *   %NULL for zeros
 * @cx: (nullable): an LSTM cell's cell state, shaped as @hx; %NULL for
 *   zeros (ignored by RNNCell and GRUCell)
 * @cy: (out) (optional) (transfer full) (nullable): an LSTM cell's new
 *   cell state; %NULL for RNNCell and GRUCell
 * @error: return location for a #GError
 *
 * Makes one step, as PyTorch's `cell(input, hx)` (`cell(input, (hx,
 * cx))` for an LSTM cell).
 *
 * Errors: an input of another number of dimensions or another last size,
 * states of the wrong shape (%LT_ERROR_SHAPE); an input or states whose
 * dtype is not the parameters' (%LT_ERROR_DTYPE).
 *
 * Returns: (transfer full) (nullable): the new hidden state, shaped as
 *   @hx, or %NULL with @error set
 */
LtTensor *
lt_rnn_cell_base_forward_full (LtRNNCellBase *self,
                               LtTensor      *input,
                               LtTensor      *hx,
                               LtTensor      *cx,
                               LtTensor     **cy,
                               GError       **error)
{
  LtRNNCellBasePrivate *p;
  const char           *cell;
  LtModule             *m = LT_MODULE (self);
  LtTensor             *w_ih, *w_hh, *b_ih, *b_hh;
  gboolean              batched;
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) c = NULL;
  g_autoptr(LtTensor) ig = NULL;
  g_autoptr(LtTensor) hg = NULL;
  g_autoptr(LtTensor) hy = NULL;
  g_autoptr(LtTensor) cn = NULL;

  g_return_val_if_fail (LT_IS_RNN_CELL_BASE (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);
  p = lt_rnn_cell_base_get_instance_private (self);
  cell = cell_names[p->mode];
  if (cy)
    *cy = NULL;
  if (input->ndim != 1 && input->ndim != 2)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: expected the input to be 1-D or 2-D but received %u-D tensor", cell,
                   input->ndim);
      return NULL;
    }
  batched = input->ndim == 2;
  if (input->shape[input->ndim - 1] != p->input_size)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: input has inconsistent input_size: got %" G_GINT64_FORMAT
                   ", expected %" G_GINT64_FORMAT,
                   cell, input->shape[input->ndim - 1], p->input_size);
      return NULL;
    }
  if ((w_ih = cell_param (m, cell, "weight_ih", TRUE, error)) == NULL ||
      (w_hh = cell_param (m, cell, "weight_hh", TRUE, error)) == NULL)
    return NULL;
  b_ih = p->bias ? cell_param (m, cell, "bias_ih", TRUE, error) : NULL;
  b_hh = p->bias ? cell_param (m, cell, "bias_hh", TRUE, error) : NULL;
  if (p->bias && (b_ih == NULL || b_hh == NULL))
    return NULL;
  if (input->dtype != w_ih->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the input is %s but the parameters are %s; they must have the same dtype",
                   cell, lt_dtype_get_name (input->dtype), lt_dtype_get_name (w_ih->dtype));
      return NULL;
    }
  x = batched ? g_object_ref (input) : lt_tensor_unsqueeze (input, 0, error);
  if (x == NULL)
    return NULL;
  h = cell_state (cell, p->mode == CELL_LSTM ? "hx[0]" : "hx", hx, batched, x->shape[0],
                  p->hidden_size, x, error);
  if (h == NULL)
    return NULL;
  if (p->mode == CELL_LSTM &&
      (c = cell_state (cell, "hx[1]", cx, batched, x->shape[0], p->hidden_size, x, error)) == NULL)
    return NULL;
  if ((ig = lt_linear (x, w_ih, b_ih, error)) == NULL ||
      (hg = lt_linear (h, w_hh, b_hh, error)) == NULL)
    return NULL;
  switch (p->mode)
    {
      case CELL_RNN_TANH:
      case CELL_RNN_RELU:
        {
          g_autoptr(LtTensor) sum = lt_tensor_add (ig, hg, error);

          if (sum == NULL)
            return NULL;
          hy = p->mode == CELL_RNN_TANH ? lt_tensor_tanh (sum, error) : lt_tensor_relu (sum, error);
          break;
        }
      case CELL_GRU:
        hy = _lt_gru_cell_fused (ig, hg, h, error);
        break;
      case CELL_LSTM:
      default:
        {
          g_autoptr(LtTensor) state = _lt_lstm_cell_fused (ig, hg, c, error);

          if (state == NULL || (cn = lt_tensor_select (state, 0, 1, error)) == NULL)
            return NULL;
          hy = lt_tensor_select (state, 0, 0, error);
          break;
        }
    }
  if (hy == NULL)
    return NULL;
  if (cy && cn && (*cy = cell_unbatch (cn, batched, error)) == NULL)
    return NULL;
  return cell_unbatch (hy, batched, error);
}

static LtTensor *
lt_rnn_cell_base_forward (LtModule *module, LtTensor *input, GError **error)
{
  return lt_rnn_cell_base_forward_full (LT_RNN_CELL_BASE (module), input, NULL, NULL, NULL, error);
}

static char *
lt_rnn_cell_base_extra_repr (LtModule *module)
{
  LtRNNCellBasePrivate *p = lt_rnn_cell_base_get_instance_private (LT_RNN_CELL_BASE (module));
  GString              *s = g_string_new (NULL);

  g_string_append_printf (s, "%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT, p->input_size,
                          p->hidden_size);
  if (!p->bias)
    g_string_append (s, ", bias=False");
  if (p->mode == CELL_RNN_RELU)
    g_string_append (s, ", nonlinearity=relu");
  return g_string_free (s, FALSE);
}

static void
lt_rnn_cell_base_class_init (LtRNNCellBaseClass *klass)
{
  LT_MODULE_CLASS (klass)->forward = lt_rnn_cell_base_forward;
  LT_MODULE_CLASS (klass)->extra_repr = lt_rnn_cell_base_extra_repr;
}

static void
lt_rnn_cell_base_init (LtRNNCellBase *self)
{
}

static void
lt_rnn_cell_class_init (LtRNNCellClass *klass)
{
}

static void
lt_rnn_cell_init (LtRNNCell *self)
{
}

static void
lt_lstm_cell_class_init (LtLSTMCellClass *klass)
{
}

static void
lt_lstm_cell_init (LtLSTMCell *self)
{
}

static void
lt_gru_cell_class_init (LtGRUCellClass *klass)
{
}

static void
lt_gru_cell_init (LtGRUCell *self)
{
}

static gboolean
cell_setup (LtRNNCellBase *self,
            CellMode       mode,
            gint64         input_size,
            gint64         hidden_size,
            gboolean       bias,
            GError       **error)
{
  LtRNNCellBasePrivate *p = lt_rnn_cell_base_get_instance_private (self);
  gint64                G = mode == CELL_LSTM ? 4 : mode == CELL_GRU ? 3 : 1;
  gint64                wih[2] = { G * hidden_size, input_size };
  gint64                whh[2] = { G * hidden_size, hidden_size };
  const char           *names[4] = { "weight_ih", "weight_hh", "bias_ih", "bias_hh" };
  const gint64         *shapes[4] = { wih, whh, wih, wih };
  const guint           ndims[4] = { 2, 2, 1, 1 };
  double                k;

  if (input_size < 1 || hidden_size < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: input_size (%" G_GINT64_FORMAT ") and hidden_size (%" G_GINT64_FORMAT
                   ") must be greater than zero",
                   cell_names[mode], input_size, hidden_size);
      return FALSE;
    }
  p->mode = mode;
  p->input_size = input_size;
  p->hidden_size = hidden_size;
  p->bias = bias;
  k = 1.0 / sqrt ((double) hidden_size);
  for (guint i = 0; i < (bias ? 4u : 2u); i++)
    {
      g_autoptr(LtTensor) t = lt_empty (shapes[i], ndims[i], LT_DTYPE_FLOAT32, error);

      if (t == NULL || !lt_init_uniform_ (t, -k, k, error) ||
          !lt_module_register_parameter (LT_MODULE (self), names[i], t, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * lt_rnn_cell_new:
 * @input_size: the size of the input
 * @hidden_size: the size of the hidden state
 * @bias: whether the cell has the biases b_ih and b_hh
 * @nonlinearity: (nullable): "tanh" (%NULL) or "relu"
 * @error: return location for a #GError
 *
 * Creates an Elman cell, as `nn.RNNCell(input_size, hidden_size, bias,
 * nonlinearity)`.
 *
 * Returns: (transfer full) (nullable): the cell, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for a size below 1 or an unknown
 *   @nonlinearity
 */
LtRNNCell *
lt_rnn_cell_new (gint64      input_size,
                 gint64      hidden_size,
                 gboolean    bias,
                 const char *nonlinearity,
                 GError    **error)
{
  g_autoptr(LtRNNCell) self = NULL;
  CellMode mode;

  if (nonlinearity == NULL || strcmp (nonlinearity, "tanh") == 0)
    mode = CELL_RNN_TANH;
  else if (strcmp (nonlinearity, "relu") == 0)
    mode = CELL_RNN_RELU;
  else
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "RNNCell: unknown nonlinearity '%s' (tanh or relu)", nonlinearity);
      return NULL;
    }
  self = g_object_new (LT_TYPE_RNN_CELL, NULL);
  if (!cell_setup (LT_RNN_CELL_BASE (self), mode, input_size, hidden_size, bias, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_lstm_cell_new:
 * @input_size: the size of the input
 * @hidden_size: the size of the hidden and cell states
 * @bias: whether the cell has the biases b_ih and b_hh
 * @error: return location for a #GError
 *
 * Creates a long short-term memory cell, as `nn.LSTMCell(input_size,
 * hidden_size, bias)`.
 *
 * Returns: (transfer full) (nullable): the cell, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for a size below 1
 */
LtLSTMCell *
lt_lstm_cell_new (gint64 input_size, gint64 hidden_size, gboolean bias, GError **error)
{
  g_autoptr(LtLSTMCell) self = g_object_new (LT_TYPE_LSTM_CELL, NULL);

  if (!cell_setup (LT_RNN_CELL_BASE (self), CELL_LSTM, input_size, hidden_size, bias, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_gru_cell_new:
 * @input_size: the size of the input
 * @hidden_size: the size of the hidden state
 * @bias: whether the cell has the biases b_ih and b_hh
 * @error: return location for a #GError
 *
 * Creates a gated recurrent unit cell, as `nn.GRUCell(input_size,
 * hidden_size, bias)`.
 *
 * Returns: (transfer full) (nullable): the cell, or %NULL with @error set
 *   (%LT_ERROR_INVALID_ARGUMENT) for a size below 1
 */
LtGRUCell *
lt_gru_cell_new (gint64 input_size, gint64 hidden_size, gboolean bias, GError **error)
{
  g_autoptr(LtGRUCell) self = g_object_new (LT_TYPE_GRU_CELL, NULL);

  if (!cell_setup (LT_RNN_CELL_BASE (self), CELL_GRU, input_size, hidden_size, bias, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * lt_rnn_cell_base_get_input_size:
 * @self: a recurrent cell
 *
 * Gets the size of the input.
 *
 * Returns: input_size
 */
gint64
lt_rnn_cell_base_get_input_size (LtRNNCellBase *self)
{
  g_return_val_if_fail (LT_IS_RNN_CELL_BASE (self), 0);
  return ((LtRNNCellBasePrivate *) lt_rnn_cell_base_get_instance_private (self))->input_size;
}

/**
 * lt_rnn_cell_base_get_hidden_size:
 * @self: a recurrent cell
 *
 * Gets the size of the hidden state.
 *
 * Returns: hidden_size
 */
gint64
lt_rnn_cell_base_get_hidden_size (LtRNNCellBase *self)
{
  g_return_val_if_fail (LT_IS_RNN_CELL_BASE (self), 0);
  return ((LtRNNCellBasePrivate *) lt_rnn_cell_base_get_instance_private (self))->hidden_size;
}

/**
 * lt_rnn_cell_base_get_bias:
 * @self: a recurrent cell
 *
 * Gets whether the cell has biases.
 *
 * Returns: bias
 */
gboolean
lt_rnn_cell_base_get_bias (LtRNNCellBase *self)
{
  g_return_val_if_fail (LT_IS_RNN_CELL_BASE (self), FALSE);
  return ((LtRNNCellBasePrivate *) lt_rnn_cell_base_get_instance_private (self))->bias;
}

/**
 * lt_rnn_cell_base_get_mode:
 * @self: a recurrent cell
 *
 * Gets the kind of cell.
 *
 * Returns: (transfer none): "RNN_TANH", "RNN_RELU", "LSTM" or "GRU"
 */
const char *
lt_rnn_cell_base_get_mode (LtRNNCellBase *self)
{
  g_return_val_if_fail (LT_IS_RNN_CELL_BASE (self), NULL);
  return cell_modes[((LtRNNCellBasePrivate *) lt_rnn_cell_base_get_instance_private (self))->mode];
}
