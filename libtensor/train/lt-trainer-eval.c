/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-trainer-private.h"
#include "core/lt-tensor-private.h"
#include "autograd/lt-autograd.h"
#include "core/lt-error.h"
#include "ops/lt-creation.h"
#include "ops/lt-reduce.h"
#include "ops/lt-shape.h"
#include "ops/lt-values.h"

/* Evaluation and prediction: the model in eval mode, without gradients. */

/* Where the model's parameters are: the device its inputs go to. */
LtDevice
_lt_trainer_model_device (LtTrainer *self)
{
  g_autoptr(GPtrArray) params = lt_module_parameters (self->model);

  if (params->len == 0)
    return LT_DEVICE_CPU;
  return ((LtTensor *) g_ptr_array_index (params, 0))->storage->device;
}

/* The predicted classes (argmax over dimension 1) of a model's output
 * (N, classes), as int64 on the CPU; @n_classes: the size of dimension 1. */
LtTensor *
_lt_trainer_classify_output (LtTensor *out,
                             gint64   *n_classes,
                             GError  **error)
{
  g_autoptr(LtTensor) best = NULL;
  const gint64 *shape;
  guint nd;

  shape = lt_tensor_get_shape (out, &nd);
  if (nd != 2 || shape[1] < 1)
    {
      g_autofree char *s = NULL;
      GString *str = g_string_new ("[");

      for (guint i = 0; i < nd; i++)
        g_string_append_printf (str, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
      g_string_append_c (str, ']');
      s = g_string_free (str, FALSE);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "trainer: the model's output has shape %s; a classifier gives (N, classes)",
                   s);
      return NULL;
    }
  if (n_classes)
    *n_classes = shape[1];
  if (!(best = lt_tensor_argmax_dim (out, 1, FALSE, error)))
    return NULL;
  return lt_tensor_to_device (best, LT_DEVICE_CPU, error);
}

/* The predicted classes of a batch (see _lt_trainer_classify_output());
 * with @loss, also the criterion's value for the batch against @targets.
 * The caller has put the model in eval mode and turned gradients off. */
static LtTensor *
predict_batch (LtTrainer *self,
               LtTensor  *inputs,
               LtTensor  *targets,
               LtDevice   device,
               gint64    *n_classes,
               double    *loss,
               GError   **error)
{
  g_autoptr(LtTensor) x = NULL;
  g_autoptr(LtTensor) out = NULL;
  LtTensor *predicted;

  if (!(x = lt_tensor_to_device (inputs, device, error)) ||
      !(out = lt_module_forward (self->model, x, error)) ||
      !(predicted = _lt_trainer_classify_output (out, n_classes, error)))
    return NULL;
  if (loss)
    {
      g_autoptr(LtTensor) y = NULL;
      g_autoptr(LtTensor) value = NULL;

      if (!(y = lt_tensor_to_device (targets, device, error)) ||
          !(value = lt_loss_compute (self->loss, out, y, error)) ||
          !lt_tensor_item (value, loss, error))
        {
          g_prefix_error (error, "trainer: the test loss: ");
          g_object_unref (predicted);
          return NULL;
        }
    }
  return predicted;
}

void
_lt_trainer_evaluation_clear (LtTrainerEvaluation *evaluation)
{
  g_clear_object (&evaluation->class_accuracy);
  g_clear_object (&evaluation->confusion);
  g_clear_object (&evaluation->predictions);
  g_clear_object (&evaluation->targets);
}

gboolean
_lt_trainer_evaluate_loader (LtTrainer             *self,
                             LtDataLoader          *loader,
                             gboolean               lock_per_batch,
                             LtTrainerControlFunc   control,
                             gpointer               control_data,
                             GCancellable          *cancellable,
                             gboolean               full,
                             LtTrainerEvaluation   *result,
                             GError               **error)
{
  g_autofree gint64 *counts = NULL;
  g_autoptr(GArray) all_labels = NULL;
  g_autoptr(GArray) all_preds = NULL;
  gint64 n_classes = 0, correct = 0, total = 0;
  double loss_sum = 0;
  gboolean was_training = TRUE, grad, ok = TRUE;
  LtDevice device = _lt_trainer_model_device (self);

  *result = (LtTrainerEvaluation) { NAN, NAN, NULL, NULL, NULL, NULL };
  if (full)
    {
      all_labels = g_array_new (FALSE, FALSE, sizeof (gint64));
      all_preds = g_array_new (FALSE, FALSE, sizeof (gint64));
    }

  lt_data_loader_reset (loader);
  grad = lt_set_grad_enabled (FALSE);
  if (!lock_per_batch)
    was_training = lt_module_is_training (self->model);

  for (;;)
    {
      g_autoptr(LtTensor) inputs = NULL;
      g_autoptr(LtTensor) targets = NULL;
      g_autoptr(LtTensor) predicted = NULL;
      g_autofree gint64 *labels = NULL;
      g_autofree gint64 *preds = NULL;
      GError *local = NULL;
      gint64 batch_classes = 0;
      gsize n_labels = 0, n_preds = 0;
      double batch_loss = 0;

      if (control && !control (self, control_data))
        {
          lt_data_loader_reset (loader);
          ok = FALSE;
          break;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          lt_data_loader_reset (loader);
          ok = FALSE;
          break;
        }
      if (lock_per_batch)
        g_mutex_lock (&self->model_lock);
      if (lock_per_batch)
        was_training = lt_module_is_training (self->model);
      lt_module_eval (self->model);
      if (lt_data_loader_next (loader, &inputs, &targets, &local) && inputs != NULL &&
          targets == NULL)
        g_set_error (&local, LT_ERROR, LT_ERROR_FAILED,
                     "trainer: the evaluation set gives no targets to compare with");
      if (inputs && local == NULL)
        predicted = predict_batch (self, inputs, targets, device, &batch_classes,
                                   full ? &batch_loss : NULL, &local);
      if (lock_per_batch)
        {
          lt_module_train (self->model, was_training);
          g_mutex_unlock (&self->model_lock);
        }
      if (local)
        {
          lt_data_loader_reset (loader);
          g_propagate_error (error, local);
          ok = FALSE;
          break;
        }
      if (inputs == NULL)
        break;                                  /* the end of the epoch */

      if (counts == NULL)
        {
          n_classes = batch_classes;
          counts = g_new0 (gint64, n_classes * n_classes);
        }
      else if (batch_classes != n_classes)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "trainer: the model gave %" G_GINT64_FORMAT " classes for one batch and %"
                       G_GINT64_FORMAT " for another", n_classes, batch_classes);
          lt_data_loader_reset (loader);
          ok = FALSE;
          break;
        }
      if (!(labels = lt_tensor_to_int64s (targets, &n_labels, error)) ||
          !(preds = lt_tensor_to_int64s (predicted, &n_preds, error)))
        {
          lt_data_loader_reset (loader);
          ok = FALSE;
          break;
        }
      if (n_labels != n_preds)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "trainer: a batch has %" G_GSIZE_FORMAT " targets for %" G_GSIZE_FORMAT
                       " predictions; a classifier's targets are class numbers (N)",
                       n_labels, n_preds);
          lt_data_loader_reset (loader);
          ok = FALSE;
          break;
        }
      for (gsize i = 0; i < n_labels && ok; i++)
        {
          if (labels[i] < 0 || labels[i] >= n_classes)
            {
              g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                           "trainer: the target %" G_GINT64_FORMAT " is not a class of the "
                           "model's %" G_GINT64_FORMAT, labels[i], n_classes);
              ok = FALSE;
              break;
            }
          counts[labels[i] * n_classes + preds[i]]++;
          correct += labels[i] == preds[i];
          total++;
        }
      if (!ok)
        {
          lt_data_loader_reset (loader);
          ok = FALSE;
          break;
        }
      if (full)
        {
          loss_sum += batch_loss * (double) n_labels;
          g_array_append_vals (all_labels, labels, n_labels);
          g_array_append_vals (all_preds, preds, n_preds);
        }
    }

  if (!lock_per_batch)
    lt_module_train (self->model, was_training);
  lt_set_grad_enabled (grad);
  if (!ok)
    return FALSE;

  result->accuracy = total > 0 ? (double) correct / (double) total : NAN;
  {
    g_autofree double *acc = g_new (double, MAX (n_classes, 1));
    gint64 shape = n_classes;
    gint64 shape2[2] = { n_classes, n_classes };

    for (gint64 c = 0; c < n_classes; c++)
      {
        gint64 row = 0;

        for (gint64 p = 0; p < n_classes; p++)
          row += counts[c * n_classes + p];
        acc[c] = row > 0 ? (double) counts[c * n_classes + c] / (double) row : NAN;
      }
    if (!(result->class_accuracy = lt_tensor_new_from_doubles (acc, n_classes, &shape, 1,
                                                               LT_DTYPE_FLOAT64, error)) ||
        !(result->confusion = lt_tensor_new_from_int64s (counts, n_classes * n_classes, shape2, 2,
                                                         LT_DTYPE_INT64, error)))
      {
        _lt_trainer_evaluation_clear (result);
        return FALSE;
      }
  }
  if (full)
    {
      gint64 n = all_labels->len;

      result->loss = total > 0 ? loss_sum / (double) total : NAN;
      if (!(result->targets = lt_tensor_new_from_int64s ((gint64 *) all_labels->data, n, &n, 1,
                                                         LT_DTYPE_INT64, error)) ||
          !(result->predictions = lt_tensor_new_from_int64s ((gint64 *) all_preds->data, n, &n,
                                                             1, LT_DTYPE_INT64, error)))
        {
          _lt_trainer_evaluation_clear (result);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * lt_trainer_evaluate:
 * @self: a trainer
 * @loader: the loader of the samples to classify (int64 class numbers as
 *   targets); while the trainer runs, not one of its own loaders
 * @accuracy: (out) (optional): return location for the fraction of the
 *   samples classified right, from 0 to 1 (NaN for no samples)
 * @class_accuracy: (out) (optional) (transfer full): return location for
 *   a float64 tensor (classes) of each class's accuracy (NaN for a class
 *   without samples)
 * @confusion: (out) (optional) (transfer full): return location for an
 *   int64 tensor (classes, classes) counting the samples of each class
 *   (row) given each prediction (column)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Classifies one epoch of @loader with the model in eval mode, without
 * recording gradients, as the tutorial's test loops do; the model's mode
 * is restored after. The number of classes is the size of the model's
 * output's dimension 1. A running trainer waits meanwhile.
 *
 * Returns: %TRUE on success; %FALSE with @error set when the data, the
 *   forward or the targets failed, or @cancellable was cancelled
 */
gboolean
lt_trainer_evaluate (LtTrainer     *self,
                     LtDataLoader  *loader,
                     double        *accuracy,
                     LtTensor     **class_accuracy,
                     LtTensor     **confusion,
                     GCancellable  *cancellable,
                     GError       **error)
{
  LtTrainerEvaluation result;
  gboolean ok;

  g_return_val_if_fail (LT_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (LT_IS_DATA_LOADER (loader), FALSE);

  if (class_accuracy)
    *class_accuracy = NULL;
  if (confusion)
    *confusion = NULL;
  if (self->running && (loader == self->train_loader || loader == self->test_loader))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "trainer: cannot evaluate with the trainer's own loaders while it runs; "
                   "stop it first or use another loader");
      return FALSE;
    }
  g_mutex_lock (&self->model_lock);
  ok = _lt_trainer_evaluate_loader (self, loader, FALSE, NULL, NULL, cancellable, FALSE, &result,
                                    error);
  g_mutex_unlock (&self->model_lock);
  if (!ok)
    return FALSE;
  if (accuracy)
    *accuracy = result.accuracy;
  if (class_accuracy)
    *class_accuracy = g_steal_pointer (&result.class_accuracy);
  if (confusion)
    *confusion = g_steal_pointer (&result.confusion);
  _lt_trainer_evaluation_clear (&result);
  return TRUE;
}

/**
 * lt_trainer_predict:
 * @self: a trainer
 * @inputs: a batch of inputs (N, ...), as the loaders give them
 * @error: return location for a #GError
 *
 * Classifies a batch with the model in eval mode, without recording
 * gradients, as the tutorial's `_, predicted = torch.max(net(images), 1)`;
 * the model's mode is restored after. A running trainer waits meanwhile.
 *
 * Returns: (transfer full) (nullable): an int64 tensor (N) of the
 *   predicted classes, on the CPU; %NULL with @error set when the forward
 *   failed or its output is not (N, classes)
 */
LtTensor *
lt_trainer_predict (LtTrainer *self,
                    LtTensor  *inputs,
                    GError   **error)
{
  LtTensor *predicted;
  gboolean was_training, grad;
  LtDevice device;
  gint64 n_classes;

  g_return_val_if_fail (LT_IS_TRAINER (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (inputs), NULL);

  g_mutex_lock (&self->model_lock);
  was_training = lt_module_is_training (self->model);
  grad = lt_set_grad_enabled (FALSE);
  lt_module_eval (self->model);
  device = _lt_trainer_model_device (self);
  predicted = predict_batch (self, inputs, NULL, device, &n_classes, NULL, error);
  lt_module_train (self->model, was_training);
  lt_set_grad_enabled (grad);
  g_mutex_unlock (&self->model_lock);
  return predicted;
}
