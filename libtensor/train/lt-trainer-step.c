/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-trainer-private.h"
#include "autograd/lt-autograd.h"
#include "autograd/lt-graph.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"

/* One mini-batch of training: zero_grad, forward, loss, backward, step;
 * and what a viewer asked to see of it (the graph, the batch). */

void
_lt_trainer_step_clear (LtTrainerStep *step)
{
  g_clear_object (&step->graph);
  g_clear_object (&step->inputs);
  g_clear_object (&step->targets);
  g_clear_object (&step->predictions);
}

/* Copies of the batch, for another thread: the worker's own tensors may
 * be changed in place by the model (one that writes into its input). */
static gboolean
capture_batch (LtTensor      *inputs,
               LtTensor      *targets,
               LtTrainerStep *step,
               GError       **error)
{
  gboolean grad = lt_set_grad_enabled (FALSE);
  gboolean ok;

  ok = (step->inputs = lt_tensor_clone (inputs, error)) != NULL &&
       (step->targets = lt_tensor_clone (targets, error)) != NULL;
  lt_set_grad_enabled (grad);
  return ok;
}

/* The classes the model predicted; none when it is not a classifier. */
static void
capture_predictions (LtTensor      *out,
                     LtTrainerStep *step)
{
  gboolean grad = lt_set_grad_enabled (FALSE);
  g_autoptr(LtTensor) detached = lt_tensor_detach (out);

  step->predictions = _lt_trainer_classify_output (detached, NULL, NULL);
  lt_set_grad_enabled (grad);
}

gboolean
_lt_trainer_train_step (LtTrainer     *self,
                        LtTensor      *inputs,
                        LtTensor      *targets,
                        LtDevice       device,
                        LtTrainerStep *step,
                        GError       **error)
{
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) y = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) loss = NULL;
  gboolean check;

  if (targets == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "trainer: the training set gives no targets to compute the loss against");
      return FALSE;
    }
  lt_module_train (self->model, TRUE);
  lt_optimizer_zero_grad (self->optimizer, TRUE);
  if (step->want_batch && !capture_batch (inputs, targets, step, error))
    return FALSE;
  if (!(x = lt_tensor_to_device (inputs, device, error)) ||
      !(y = lt_tensor_to_device (targets, device, error)) ||
      !(out = lt_module_forward (self->model, x, error)) ||
      !(loss = lt_loss_compute (self->loss, out, y, error)))
    return FALSE;
  g_mutex_lock (&self->lock);
  check = self->stop_on_divergence;
  g_mutex_unlock (&self->lock);
  /* A diverged run stops before this step's update: the model keeps the
   * parameters of the last finite one. */
  if (check)
    {
      if (!lt_tensor_item (loss, &step->loss, error))
        return FALSE;
      if (!isfinite (step->loss))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DIVERGED,
                       "trainer: the loss diverged at step %" G_GUINT64_FORMAT " (epoch %u, "
                       "mini-batch %" G_GINT64_FORMAT "): it is %s; training stopped before "
                       "that step's update (a smaller learning rate may help; the "
                       "stop-on-divergence property turns this check off)",
                       self->progress.step + 1, self->progress.epoch + 1,
                       self->progress.iteration + 1,
                       isnan (step->loss) ? "NaN"
                       : step->loss > 0   ? "+inf"
                                          : "-inf");
          return FALSE;
        }
    }
  if (step->want_batch)
    capture_predictions (out, step);
  g_clear_object (&out);
  if (step->want_graph)
    {
      /* The graph of this loss, walked before the backward frees what its
       * nodes saved; the statistics come with the backward itself. */
      step->graph = lt_graph_new (loss);
      lt_module_name_graph (self->model, step->graph);
      if (!lt_graph_backward (step->graph, FALSE, error))
        return FALSE;
    }
  else if (!lt_tensor_backward (loss, NULL, FALSE, error))
    return FALSE;
  return lt_optimizer_step (self->optimizer, error) &&
         (check || lt_tensor_item (loss, &step->loss, error));
}
