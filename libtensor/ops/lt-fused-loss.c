/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-fused-private.h"
#include "autograd/lt-engine-private.h"
#include "backends/lt-backend-private.h"

/*
 * cross_entropy of class-index targets in one kernel each way
 * (LT_OP_CROSS_ENTROPY, LT_OP_CROSS_ENTROPY_GRAD), where the backend has
 * them; lt_cross_entropy() (ops/lt-loss.c) takes this path for targets of
 * class indices without label smoothing and composes log_softmax and
 * nll_loss otherwise.
 *
 * The forward kernel writes what the unfused ops would: the log_softmax of
 * the input (kept as the log-softmax node's result, as PyTorch keeps it),
 * the loss and the total weight of the counted targets, with the same
 * arithmetic in the same order on the CPU, so both give the same bits.
 * The graph is PyTorch's: NllLossBackward0 over LogSoftmaxBackward0. The
 * loss's backward rule gives, in one kernel, the gradient of the input
 * (g * w[t] * (softmax - one_hot (t)), over the total weight for the mean)
 * and marks it; the log-softmax node's rule passes a marked gradient on
 * unchanged. Where a pass must see each node's own gradient (create_graph,
 * an observer: LtGraph's statistics) or the backend lacks the kernel, the
 * two rules are nll_loss's and log_softmax's.
 */

static GQuark
fused_grad_quark (void)
{
  static GQuark q;

  if (G_UNLIKELY (q == 0))
    q = g_quark_from_static_string ("lt-cross-entropy-fused-grad");
  return q;
}

gboolean
_lt_cross_entropy_fused_applies (LtTensor *input, LtTensor *weight, double label_smoothing)
{
  return label_smoothing == 0 &&
         (input->dtype == LT_DTYPE_FLOAT32 || input->dtype == LT_DTYPE_FLOAT64) &&
         (weight == NULL || weight->storage->device == input->storage->device) &&
         _lt_backend_supports_op (input->storage->device, LT_OP_CROSS_ENTROPY, input->dtype);
}

LtTensor *
_lt_cross_entropy_fused (LtTensor   *input,
                         LtTensor   *target,
                         LtTensor   *weight,
                         gint64      ignore_index,
                         LtReduction reduction,
                         GError    **error)
{
  const char *op = "cross_entropy";
  LtOpParams  p = { .loss = { .reduction = reduction, .ignore_index = ignore_index } };
  g_autoptr(LtTensor) x2 = NULL;
  g_autoptr(LtTensor) t2 = NULL;
  g_autoptr(LtTensor) xc = NULL;
  g_autoptr(LtTensor) tc = NULL;
  g_autoptr(LtTensor) w = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) aux = NULL;
  g_autoptr(LtTensor) logp = NULL;
  g_autoptr(LtTensor) total = NULL;
  LtDevice  device = input->storage->device;
  LtGradFn *lsm, *node;
  gboolean  prev, ok = FALSE;
  gint64    n_aux;

  prev = lt_set_grad_enabled (FALSE);
  /* (C) with a 0-dim target is one sample: (1, C) and (1) */
  if (input->ndim == 1)
    {
      x2 = lt_tensor_unsqueeze (input, 0, error);
      t2 = x2 ? lt_tensor_unsqueeze (target, 0, error) : NULL;
    }
  else
    {
      x2 = g_object_ref (input);
      t2 = g_object_ref (target);
    }
  if (t2 && weight)
    w = _lt_cast (weight, input->dtype, error);
  if (t2 && (weight == NULL || w) &&
      _lt_check_devices (op, (LtTensor *[]){ x2, t2, w }, w ? 3 : 2, error))
    {
      xc = _lt_contiguous (x2, error);
      tc = xc ? _lt_contiguous (t2, error) : NULL;
      if (w && tc)
        {
          LtTensor *wc = _lt_contiguous (w, error);

          g_clear_object (&w);
          w = wc;
        }
      n_aux = input->numel + 1;
      if (tc && (weight == NULL || w))
        out = reduction == LT_REDUCTION_NONE
                ? _lt_tensor_new_empty (tc->shape, tc->ndim, input->dtype, device, error)
                : _lt_tensor_new_empty (NULL, 0, input->dtype, device, error);
      aux = out ? _lt_tensor_new_empty (&n_aux, 1, input->dtype, device, error) : NULL;
      if (aux)
        {
          ok = _lt_run (LT_OP_CROSS_ENTROPY, out, aux, (LtTensor *[]){ xc, tc, w }, 3, &p, error);
          if (!ok)
            g_prefix_error (error, "%s: ", op);
        }
    }
  if (ok)
    {
      /* the log-probabilities in the input's shape, and the total weight */
      logp = _lt_alias_shape (aux, input->shape, input->ndim);
      total = lt_tensor_select (aux, 0, input->numel, error);
      ok = total != NULL;
    }
  lt_set_grad_enabled (prev);
  if (!ok)
    return NULL;
  if (reduction == LT_REDUCTION_NONE && input->ndim == 1)
    {
      /* the target's shape: a 0-dim loss for a (C) input */
      LtTensor *o = _lt_alias_shape (out, target->shape, target->ndim);

      g_object_unref (out);
      out = o;
    }

  lsm = _lt_autograd_record (LT_OP_CROSS_ENTROPY_LOG_SOFTMAX, &input, 1);
  if (lsm == NULL)
    return g_steal_pointer (&out);
  lsm->params.dim.dim = input->ndim == 1 ? 0 : 1;
  _lt_autograd_set_output (lsm, logp);
  node = _lt_autograd_record (LT_OP_CROSS_ENTROPY, &logp, 1);
  if (node)
    {
      node->params.loss = p.loss;
      _lt_autograd_save_args (node, (LtTensor *[]){ logp, tc, w }, 3, NULL);
      _lt_autograd_set_outputs (node, out, total);
    }
  return g_steal_pointer (&out);
}

/* The loss's node: the input's gradient in one kernel, marked for the
 * log-softmax node to pass on; nll_loss's rule (the log-probabilities'
 * gradient) where the pass must see each node's own gradient. */
gboolean
_lt_backward_cross_entropy (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LtGradFn           *lsm = node->next[0].fn;
  const LtTensorMeta *in = &node->input_meta[0];
  gint64              shape2[LT_MAX_DIMS];
  guint               n2 = in->ndim;
  g_autoptr(LtTensor) gc = NULL;
  g_autoptr(LtTensor) gcc = NULL;
  g_autoptr(LtTensor) dx = NULL;

  if (!LT_NEEDS (0))
    return TRUE;
  if (lsm == NULL || lsm->op != LT_OP_CROSS_ENTROPY_LOG_SOFTMAX || _lt_creating_graph () ||
      _lt_engine_observed () || (lsm->pre_hooks && lsm->pre_hooks->len > 0) ||
      !_lt_backend_supports_op (in->device, LT_OP_CROSS_ENTROPY_GRAD, in->dtype))
    return _lt_backward_nll_loss (node, g, gi, error);

  {
    LT_SAVED (logp, ARG0);
    LT_SAVED (t2, ARG1);
    LT_SAVED_OPTIONAL (w, ARG2);
    LT_SAVED (total, AUX);
    LtTensor *kin[4];

    if (in->ndim == 1)
      {
        shape2[0] = 1;
        shape2[1] = in->shape[0];
        n2 = 2;
      }
    else
      memcpy (shape2, in->shape, in->ndim * sizeof (gint64));
    gc = _lt_cast (g, in->dtype, error);
    gcc = gc ? _lt_contiguous (gc, error) : NULL;
    dx = gcc ? _lt_tensor_new_empty (shape2, n2, in->dtype, in->device, error) : NULL;
    if (dx == NULL)
      return FALSE;
    /* the kernel reads the total weight from its second output's place */
    kin[0] = gcc, kin[1] = logp, kin[2] = t2, kin[3] = w;
    if (!_lt_run (LT_OP_CROSS_ENTROPY_GRAD, dx, total, kin, 4, &node->params, error))
      return FALSE;
    gi[0] = lt_tensor_reshape (dx, in->shape, in->ndim, error);
    if (gi[0] == NULL)
      return FALSE;
    g_object_set_qdata (G_OBJECT (gi[0]), fused_grad_quark (), lsm);
    return TRUE;
  }
}

/* The log-softmax node: passes on the gradient the loss's rule computed
 * for the input, else log_softmax's rule */
gboolean
_lt_backward_cross_entropy_log_softmax (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  if (g_object_get_qdata (G_OBJECT (g), fused_grad_quark ()) == node)
    {
      g_object_set_qdata (G_OBJECT (g), fused_grad_quark (), NULL);
      gi[0] = g_object_ref (g);
      return TRUE;
    }
  return _lt_backward_log_softmax (node, g, gi, error);
}
