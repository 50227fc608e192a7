/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-fused-private.h"
#include "lt-linalg.h"
#include "lt-shape.h"
#include "backends/lt-backend-private.h"

/*
 * A Linear layer with a bias followed by a ReLU (an LtSequential's
 * children, nn/lt-sequential-fuse.c): the product x @ w.t () without the
 * bias, then bias_relu's kernel (relu (h + b) in one pass), so the forward
 * makes two kernels where addmm and relu make three (the bias's copy, the
 * product, relu), and the backward one for relu's gradient and the
 * bias's where relu_grad and the bias's sum make two.
 *
 * The graph stays PyTorch's: an AddmmBackward0 node (linear_bias_relu)
 * over the bias, x and w.t (), with addmm's arguments, saves and
 * parameters, whose output stands for the pre-activation h (never shown),
 * then a ReluBackward0 node (linear_relu) over it, saving relu's result.
 * The ReLU's rule runs bias_relu_grad: the gradient of h (relu's, the
 * same bits) and, in the same pass, the bias's (the sum over the batch, in
 * the order of the reduce kernel that the unfused path sums with, so the
 * same bits again), which it attaches to the gradient of h for the addmm
 * node; that node's rule is addmm's with the attached sum in place of the
 * batch's gradient that the engine would sum. Each node still receives
 * its own gradient, so an observer (LtGraph's statistics) sees the unfused
 * values and the rules need no fallback for it. Under create_graph, when
 * the addmm node has hooks of its own (which may change its gradient) or
 * the backend lacks the kernel, the ReLU's rule is relu's and the addmm
 * node, finding nothing attached, runs addmm's rule.
 */

typedef struct
{
  LtGradFn *gemm; /* the addmm node the sum is for (not a reference) */
  LtTensor *db;
} FusedBias;

static void
fused_bias_free (gpointer data)
{
  FusedBias *fb = data;

  g_object_unref (fb->db);
  g_free (fb);
}

static GQuark
fused_bias_quark (void)
{
  static GQuark q;

  if (G_UNLIKELY (q == 0))
    q = g_quark_from_static_string ("lt-linear-bias-relu-grad");
  return q;
}

/* mm_op's (ops/lt-linalg.c): a matrix stored column by column */
static gboolean
stored_transposed (LtTensor *t)
{
  return t->shape[0] > 1 && t->shape[1] > 1 && t->strides[0] == 1 && t->strides[1] != 1;
}

gboolean
_lt_linear_bias_relu_applies (LtTensor *input, LtTensor *weight, LtTensor *bias)
{
  LtDevice device = input->storage->device;

  /* one out feature: the unfused bias gradient is a sum of one contiguous
   * run, which the CPU's reduce cuts into lanes; the fused kernel does not */
  return bias != NULL && input->ndim == 2 && weight->ndim == 2 && bias->ndim == 1 &&
         input->shape[1] == weight->shape[1] && bias->shape[0] == weight->shape[0] &&
         weight->shape[0] >= 2 &&
         (input->dtype == LT_DTYPE_FLOAT32 || input->dtype == LT_DTYPE_FLOAT64) &&
         weight->dtype == input->dtype && bias->dtype == input->dtype &&
         weight->storage->device == device && bias->storage->device == device &&
         lt_tensor_is_contiguous (input) && lt_tensor_is_contiguous (weight) &&
         lt_tensor_is_contiguous (bias) &&
         _lt_backend_supports_op (device, LT_OP_BIAS_RELU, input->dtype);
}

LtTensor *
_lt_linear_bias_relu (LtTensor *input, LtTensor *weight, LtTensor *bias, GError **error)
{
  g_autoptr(LtTensor) wt = NULL;
  g_autoptr(LtTensor) h = NULL;
  g_autoptr(LtTensor) y = NULL;
  LtTensor *in[3];
  LtGradFn *gemm, *relu;
  gboolean  prev;

  g_return_val_if_fail (_lt_linear_bias_relu_applies (input, weight, bias), NULL);
  /* w.t () with its node (TBackward0), as lt_linear () makes it */
  wt = lt_tensor_t (weight, error);
  if (wt == NULL)
    return NULL;
  prev = lt_set_grad_enabled (FALSE);
  h = lt_tensor_mm (input, wt, error);
  y = h ? _lt_bias_relu (h, bias, error) : NULL;
  lt_set_grad_enabled (prev);
  if (y == NULL)
    return NULL;

  in[0] = bias, in[1] = input, in[2] = wt;
  gemm = _lt_autograd_record (LT_OP_LINEAR_BIAS_RELU, in, 3);
  if (gemm == NULL)
    return g_steal_pointer (&y);
  gemm->params.gemm.alpha = 1.0;
  gemm->params.gemm.beta = 1.0;
  for (guint i = 1; i < 3; i++)
    if (stored_transposed (in[i]))
      gemm->params.gemm.column_major |= 1u << i;
  _lt_autograd_save_args (gemm, in, 3, NULL);
  /* h stands for the pre-activation: its values lack the bias, but only
   * its place in the graph is used */
  _lt_autograd_set_output (gemm, h);
  relu = _lt_autograd_record (LT_OP_LINEAR_RELU, &h, 1);
  if (relu)
    _lt_autograd_set_output (relu, y);
  return g_steal_pointer (&y);
}

/* The ReLU's node: relu's gradient and the bias's in one kernel, the
 * bias's attached for the addmm node; relu's rule otherwise */
gboolean
_lt_backward_linear_relu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  LtGradFn *gemm = node->next[0].fn;

  if (!LT_NEEDS (0))
    return TRUE;
  if (gemm != NULL && gemm->op == LT_OP_LINEAR_BIAS_RELU &&
      _lt_grad_fn_needs_input_grad (gemm, 0) && !_lt_creating_graph () &&
      !(gemm->pre_hooks && gemm->pre_hooks->len > 0))
    {
      LT_SAVED (y, RESULT);
      LtDevice device = y->storage->device;
      gint64   C = y->shape[1];
      g_autoptr(LtTensor) gc = NULL;
      g_autoptr(LtTensor) dx = NULL;
      g_autoptr(LtTensor) db = NULL;
      FusedBias *fb;

      if (g->dtype == y->dtype && _lt_backend_supports_op (device, LT_OP_BIAS_RELU_GRAD, y->dtype))
        {
          gc = _lt_contiguous (g, error);
          dx = gc ? _lt_tensor_new_empty (y->shape, y->ndim, y->dtype, device, error) : NULL;
          db = dx ? _lt_tensor_new_empty (&C, 1, y->dtype, device, error) : NULL;
          if (db == NULL ||
              !_lt_run (LT_OP_BIAS_RELU_GRAD, dx, db, (LtTensor *[]){ gc, y }, 2, NULL, error))
            return FALSE;
          fb = g_new (FusedBias, 1);
          fb->gemm = gemm;
          fb->db = g_steal_pointer (&db);
          g_object_set_qdata_full (G_OBJECT (dx), fused_bias_quark (), fb, fused_bias_free);
          gi[0] = g_steal_pointer (&dx);
          return TRUE;
        }
    }
  return _lt_backward_relu (node, g, gi, error);
}

/* The addmm node: addmm's rule, with the bias's gradient that the ReLU's
 * rule attached to @g in place of @g itself */
gboolean
_lt_backward_linear_bias_relu (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  FusedBias *fb = g_object_get_qdata (G_OBJECT (g), fused_bias_quark ());

  if (!_lt_backward_addmm (node, g, gi, error))
    return FALSE;
  if (fb != NULL && fb->gemm == node)
    {
      if (gi[0] != NULL)
        {
          g_object_unref (gi[0]);
          gi[0] = g_object_ref (fb->db);
        }
      g_object_set_qdata (G_OBJECT (g), fused_bias_quark (), NULL);
    }
  return TRUE;
}
