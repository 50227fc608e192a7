/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-gtk-image-load-private.h"

void
_lt_gtk_image_load_free (LtGtkImageLoad *job)
{
  g_clear_object (&job->dataset);
  g_clear_object (&job->images);
  g_clear_object (&job->labels);
  g_clear_object (&job->predictions);
  g_clear_object (&job->trainer);
  g_strfreev (job->classes);
  g_clear_pointer (&job->grid, lt_render_grid_unref);
  g_clear_error (&job->predict_error);
  g_free (job);
}

static gboolean
read_batch (LtGtkImageLoad *job, GError **error)
{
  gint64 n = job->end - job->start;
  g_autoptr (GPtrArray) inputs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gint64 *labels = g_new (gint64, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    {
      g_autoptr (LtTensor) x = NULL;
      g_autoptr (LtTensor) y = NULL;

      if (!lt_dataset_get_item (job->dataset, job->start + i, &x, &y, error))
        return FALSE;
      if (!lt_tensor_item_int64 (y, &labels[i], error))
        {
          g_prefix_error (
            error,
            "image view: the target of item %" G_GINT64_FORMAT " is not a class: ", job->start + i);
          return FALSE;
        }
      g_ptr_array_add (inputs, g_steal_pointer (&x));
    }
  job->images = lt_stack ((LtTensor **) inputs->pdata, inputs->len, 0, error);
  if (job->images == NULL)
    return FALSE;
  job->labels = lt_tensor_new_from_int64s (labels, n, &n, 1, LT_DTYPE_INT64, error);
  return job->labels != NULL;
}

void
_lt_gtk_image_load_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  LtGtkImageLoad *job = task_data;
  GError         *error = NULL;

  if (job->dataset && !read_batch (job, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->trainer && job->images)
    {
      g_clear_object (&job->predictions);
      job->predictions = lt_trainer_predict (job->trainer, job->images, &job->predict_error);
    }
  if (job->images)
    {
      job->grid = lt_render_grid_new (job->images, job->labels, job->predictions,
                                      (const char *const *) job->classes, &job->theme, &error);
      if (job->grid == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}
