/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-rnn-private.h"
#include "lt-grad-composed-private.h"

/*
 * The recurrent cells' pointwise steps, as ATen's _thnn_fused_lstm_cell and
 * _thnn_fused_gru_cell: the gate nonlinearities and the state update in one
 * kernel over the two gate products (each one gemm, made by the caller),
 * with a node of their own whose backward rule runs one kernel too
 * (backends/cpu/lt-cpu-rnn.c has the formulas). The LSTM step's output is
 * (2, N, H), h over c, so that both are views of one node's output.
 */

/* igates and hgates (N, G * H), the state (N, H), one float dtype, one
 * device */
static gboolean
check_cell (LtOp op, LtTensor *igates, LtTensor *hgates, LtTensor *state, guint G, GError **error)
{
  const char *name = _lt_op_table[op].name;
  LtTensor   *ts[3] = { igates, hgates, state };

  if (!_lt_check_devices (name, ts, 3, error))
    return FALSE;
  if (state->ndim != 2 || igates->ndim != 2 || hgates->ndim != 2 ||
      igates->shape[0] != state->shape[0] || hgates->shape[0] != state->shape[0] ||
      igates->shape[1] != G * state->shape[1] || hgates->shape[1] != G * state->shape[1])
    {
      g_autofree char *s0 = LT_SHAPE_STR (igates);
      g_autofree char *s1 = LT_SHAPE_STR (hgates);
      g_autofree char *s2 = LT_SHAPE_STR (state);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "%s: the gates' products must be (N, %u * H) for a state (N, H); got %s, %s "
                   "and a state of shape %s",
                   name, G, s0, s1, s2);
      return FALSE;
    }
  for (guint i = 0; i < 3; i++)
    if ((ts[i]->dtype != LT_DTYPE_FLOAT32 && ts[i]->dtype != LT_DTYPE_FLOAT64) ||
        ts[i]->dtype != state->dtype)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                     "%s: expected float32 or float64 tensors of one dtype, got %s, %s and %s",
                     name, lt_dtype_get_name (igates->dtype), lt_dtype_get_name (hgates->dtype),
                     lt_dtype_get_name (state->dtype));
        return FALSE;
      }
  return TRUE;
}

/* Runs @op's kernel into (out, aux) and records the node */
static LtTensor *
cell_run (LtOp          op,
          LtTensor     *igates,
          LtTensor     *hgates,
          LtTensor     *state,
          const gint64 *oshape,
          guint         ondim,
          GError      **error)
{
  LtTensor *ts[3] = { igates, hgates, state };
  LtTensor *kin[3];
  gint64    wshape[2] = { state->shape[0], 4 * state->shape[1] };
  LtDevice  dev = state->storage->device;
  g_autoptr(LtTensor) ci = NULL;
  g_autoptr(LtTensor) ch = NULL;
  g_autoptr(LtTensor) cs = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) ws = NULL;
  LtGradFn *node;

  if ((ci = _lt_contiguous (igates, error)) == NULL ||
      (ch = _lt_contiguous (hgates, error)) == NULL || (cs = _lt_contiguous (state, error)) == NULL)
    return NULL;
  out = _lt_tensor_new_empty (oshape, ondim, state->dtype, dev, error);
  ws = out ? _lt_tensor_new_empty (wshape, 2, state->dtype, dev, error) : NULL;
  kin[0] = ci;
  kin[1] = ch;
  kin[2] = cs;
  if (ws == NULL || !_lt_run (op, out, ws, kin, 3, NULL, error))
    return NULL;
  node = _lt_autograd_record (op, ts, 3);
  if (node)
    {
      /* the inputs themselves, with their histories, for a gradient under
       * create_graph that differentiates again */
      _lt_autograd_save_args (node, ts, 3, NULL);
      _lt_autograd_set_outputs (node, out, ws);
    }
  return g_steal_pointer (&out);
}

LtTensor *
_lt_lstm_cell_fused (LtTensor *igates, LtTensor *hgates, LtTensor *cx, GError **error)
{
  gint64 shape[3];

  g_return_val_if_fail (LT_IS_TENSOR (igates) && LT_IS_TENSOR (hgates), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (cx), NULL);
  if (!check_cell (LT_OP_LSTM_CELL, igates, hgates, cx, 4, error))
    return NULL;
  shape[0] = 2;
  shape[1] = cx->shape[0];
  shape[2] = cx->shape[1];
  return cell_run (LT_OP_LSTM_CELL, igates, hgates, cx, shape, 3, error);
}

LtTensor *
_lt_gru_cell_fused (LtTensor *igates, LtTensor *hgates, LtTensor *hx, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (igates) && LT_IS_TENSOR (hgates), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (hx), NULL);
  if (!check_cell (LT_OP_GRU_CELL, igates, hgates, hx, 3, error))
    return NULL;
  return cell_run (LT_OP_GRU_CELL, igates, hgates, hx, hx->shape, 2, error);
}

/* Both rules: runs @op on (g, the saved gates, the saved state) into a
 * (N, width * H) matrix and hands out its column blocks: the input
 * products' gradient (G blocks from 0), the hidden products' (G blocks
 * from @hidden_at) and the state's (the last block). */
static gboolean
cell_backward (LtGradFn  *node,
               LtOp       op,
               guint      G,
               guint      width,
               guint      hidden_at,
               LtTensor  *g,
               LtTensor **gi,
               GError   **error)
{
  const LtTensorMeta *sm = &node->input_meta[2];
  gint64              N = sm->shape[0], H = sm->shape[1];
  gint64              dshape[2] = { N, width * H };
  const gint64        starts[3] = { 0, hidden_at * H, (width - 1) * H };
  const gint64        lengths[3] = { G * H, G * H, H };
  LT_SAVED (state, ARG2);
  LT_SAVED (ws, AUX);
  g_autoptr(LtTensor) gc = NULL;
  g_autoptr(LtTensor) gcc = NULL;
  g_autoptr(LtTensor) sc = NULL;
  g_autoptr(LtTensor) d = NULL;
  LtTensor *kin[3], *nt[2];

  if (_lt_creating_graph ())
    {
      /* public ops, so that the gradients differentiate again */
      LT_SAVED (igates, ARG0);
      LT_SAVED (hgates, ARG1);
      guint needs = 0;

      for (guint i = 0; i < 3; i++)
        needs |= LT_NEEDS (i) ? 1u << i : 0;
      if ((gc = _lt_cast (g, sm->dtype, error)) == NULL)
        return FALSE;
      return op == LT_OP_LSTM_CELL_GRAD
               ? _lt_lstm_cell_grad_composed (igates, hgates, state, gc, needs, gi, error)
               : _lt_gru_cell_grad_composed (igates, hgates, state, gc, needs, gi, error);
    }
  if ((gc = _lt_cast (g, sm->dtype, error)) == NULL || (gcc = _lt_contiguous (gc, error)) == NULL ||
      (sc = _lt_contiguous (state, error)) == NULL)
    return FALSE;
  if ((d = _lt_tensor_new_empty (dshape, 2, sm->dtype, sm->device, error)) == NULL)
    return FALSE;
  kin[0] = gcc;
  kin[1] = ws;
  kin[2] = sc;
  if (!_lt_run (op, d, NULL, kin, 3, NULL, error))
    return FALSE;
  /* a graph through the kernel's gradients (grad mode on, no
   * create_graph) cannot be differentiated again */
  nt[0] = g;
  nt[1] = state;
  for (guint i = 0; i < 3; i++)
    if (LT_NEEDS (i))
      {
        if ((gi[i] = lt_tensor_narrow (d, 1, starts[i], lengths[i], error)) == NULL)
          return FALSE;
        _lt_autograd_not_twice (node, gi[i], nt, 2);
      }
  return TRUE;
}

gboolean
_lt_backward_lstm_cell (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return cell_backward (node, LT_OP_LSTM_CELL_GRAD, 4, 5, 0, g, gi, error);
}

gboolean
_lt_backward_gru_cell (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return cell_backward (node, LT_OP_GRU_CELL_GRAD, 3, 7, 3, g, gi, error);
}
