/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "lt-backward-private.h"
#include "lt-batch-norm-private.h"
#include "autograd/lt-autograd.h"
#include "lt-pointwise.h"
#include "lt-shape.h"

/*
 * Batch normalisation as one kernel a direction (ATen's
 * native_batch_norm): in training, the batch's mean and biased variance of
 * each channel, the normalisation and the scale and shift in one kernel
 * (two passes over the input); in evaluation the running statistics and
 * the affine parameters folded into one scale and shift a channel (one
 * pass). Its second output, the mean and variance used, is what the
 * backward rule reads: batch_norm_grad gives the input's gradient and the
 * weight's and bias's in one kernel. lt_batch_norm () (nn/lt-functional.c)
 * checks the arguments and takes this path where the backend has the
 * kernel and the tensors share the input's dtype; the running statistics
 * are updated here from the second output, as PyTorch does (the unbiased
 * variance).
 */

/* running = (1 - momentum) running + momentum value (a row of @stats) */
static gboolean
update_running (LtTensor *running,
                LtTensor *stats,
                gint64    row,
                double    momentum,
                double    factor,
                GError  **error)
{
  g_autoptr(LtTensor) v = lt_tensor_select (stats, 0, row, error);
  g_autoptr(LtTensor) flat = NULL;
  g_autoptr(LtTensor) scaled = NULL;

  if (v == NULL)
    return FALSE;
  flat = lt_tensor_reshape (v, running->shape, running->ndim, error);
  scaled = flat ? lt_tensor_mul_scalar (flat, momentum * factor, error) : NULL;
  return scaled && lt_tensor_mul_scalar_ (running, 1.0 - momentum, error) &&
         lt_tensor_add_ (running, scaled, error);
}

gboolean
_lt_batch_norm_can_fuse (LtTensor *input,
                         LtTensor *running_mean,
                         LtTensor *running_var,
                         LtTensor *weight,
                         LtTensor *bias)
{
  LtTensor *ts[4] = { running_mean, running_var, weight, bias };

  if (!_lt_backend_supports_op (input->storage->device, LT_OP_BATCH_NORM, input->dtype) ||
      !_lt_backend_supports_op (input->storage->device, LT_OP_BATCH_NORM_GRAD, input->dtype))
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (ts[i] && (ts[i]->dtype != input->dtype || ts[i]->storage->device != input->storage->device))
      return FALSE;
  return TRUE;
}

LtTensor *
_lt_batch_norm_fused (LtTensor *input,
                      LtTensor *running_mean,
                      LtTensor *running_var,
                      LtTensor *weight,
                      LtTensor *bias,
                      gboolean  training,
                      double    momentum,
                      double    eps,
                      GError  **error)
{
  LtTensor  *ts[3] = { input, weight, bias };
  gint64     C = input->shape[1], N = input->shape[0], inner = 1;
  gint64     sshape[2] = { 2, C }, flat[1] = { -1 };
  LtOpParams p;
  LtTensor  *kin[4];
  LtGradFn  *node;
  g_autoptr(LtTensor) cx = NULL;
  g_autoptr(LtTensor) cw = NULL;
  g_autoptr(LtTensor) cb = NULL;
  g_autoptr(LtTensor) running = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) stats = NULL;

  for (guint d = 2; d < input->ndim; d++)
    inner *= input->shape[d];
  memset (&p, 0, sizeof p);
  p.norm.rows = N;
  p.norm.D = C * inner;
  p.norm.groups = 1;
  p.norm.channels = C;
  p.norm.inner = inner;
  p.norm.eps = eps;
  p.norm.training = training;

  if ((cx = _lt_contiguous (input, error)) == NULL)
    return NULL;
  if (weight && (cw = lt_tensor_reshape (weight, flat, 1, error)) == NULL)
    return NULL;
  if (cw && !lt_tensor_is_contiguous (cw))
    g_set_object (&cw, _lt_contiguous (cw, error));
  if (bias && (cb = lt_tensor_reshape (bias, flat, 1, error)) == NULL)
    return NULL;
  if (cb && !lt_tensor_is_contiguous (cb))
    g_set_object (&cb, _lt_contiguous (cb, error));
  if ((weight && cw == NULL) || (bias && cb == NULL))
    return NULL;
  if (!training)
    {
      gboolean prev = lt_set_grad_enabled (FALSE);
      g_autoptr(LtTensor) m = lt_tensor_reshape (running_mean, flat, 1, error);
      g_autoptr(LtTensor) v = m ? lt_tensor_reshape (running_var, flat, 1, error) : NULL;
      LtTensor *both[2] = { m, v };

      running = v ? lt_cat (both, 2, 0, error) : NULL;
      lt_set_grad_enabled (prev);
      if (running == NULL)
        return NULL;
    }
  out =
    _lt_tensor_new_empty (input->shape, input->ndim, input->dtype, input->storage->device, error);
  stats =
    out ? _lt_tensor_new_empty (sshape, 2, input->dtype, input->storage->device, error) : NULL;
  kin[0] = cx;
  kin[1] = cw;
  kin[2] = cb;
  kin[3] = running;
  if (stats == NULL || !_lt_run (LT_OP_BATCH_NORM, out, stats, kin, training ? 3 : 4, &p, error))
    return NULL;
  if (training && running_mean)
    {
      gboolean prev = lt_set_grad_enabled (FALSE);
      gint64   M = N * inner;
      gboolean ok =
        update_running (running_mean, stats, 0, momentum, 1.0, error) &&
        update_running (running_var, stats, 1, momentum, (double) M / (double) (M - 1), error);

      lt_set_grad_enabled (prev);
      if (!ok)
        return NULL;
    }
  node = _lt_autograd_record (LT_OP_BATCH_NORM, ts, 3);
  if (node)
    {
      node->params = p;
      _lt_autograd_save_args (node, kin, 3, NULL);
      _lt_autograd_set_outputs (node, out, stats);
    }
  return g_steal_pointer (&out);
}

/* batch_norm_grad gives dx, and the weight's and bias's gradients as the
 * two rows of its second output, as norm_grad does for layer_norm */
gboolean
_lt_backward_batch_norm (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
{
  return _lt_backward_norm_rows (node, g, gi, LT_OP_BATCH_NORM_GRAD, error);
}
