/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "lt-train-plots.h"

/*
 * What lt-train draws with the viewer's renderers (viewer/render): the
 * autograd graph of one training step (--graph, --plots), and the
 * pictures of --plots.
 */

/* The first @n items of @dataset as one batch on device @index of @device */
static gboolean
first_batch (LtDataset *dataset,
             gint64     n,
             LtDevice   device,
             int        index,
             LtTensor **images,
             LtTensor **labels,
             GError   **error)
{
  g_autoptr(GPtrArray) xs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) ys = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(LtTensor) x = NULL, y = NULL;

  n = MIN (n, lt_dataset_get_length (dataset));
  if (n < 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, _ ("the training set is empty"));
      return FALSE;
    }
  for (gint64 i = 0; i < n; i++)
    {
      LtTensor *input = NULL, *target = NULL;

      if (!lt_dataset_get_item (dataset, i, &input, &target, error))
        return FALSE;
      g_ptr_array_add (xs, input);
      g_ptr_array_add (ys, target);
    }
  if (!(x = lt_stack ((LtTensor **) xs->pdata, xs->len, 0, error)) ||
      !(y = lt_stack ((LtTensor **) ys->pdata, ys->len, 0, error)) ||
      !(*images = lt_tensor_to_device_index (x, device, index, error)))
    return FALSE;
  if (!(*labels = lt_tensor_to_device_index (y, device, index, error)))
    {
      g_clear_object (images);
      return FALSE;
    }
  return TRUE;
}

LtRenderGraph *
lt_train_plots_graph (LtModule  *net,
                      LtLoss    *loss,
                      LtDataset *train,
                      gint64     batch_size,
                      LtDevice   device,
                      int        device_index,
                      gboolean   backward,
                      GError   **error)
{
  g_autoptr(LtTensor) x = NULL, y = NULL, out = NULL, l = NULL;
  g_autoptr(LtGraph) graph = NULL;

  if (!first_batch (train, batch_size, device, device_index, &x, &y, error) ||
      !(out = lt_module_forward (net, x, error)) || !(l = lt_loss_compute (loss, out, y, error)))
    return NULL;
  graph = lt_graph_new (l);
  lt_module_name_graph (net, graph);
  if (backward)
    {
      gboolean ok = lt_graph_backward (graph, FALSE, error);

      /* The gradients belong to no training step */
      lt_module_zero_grad (net, TRUE);
      if (!ok)
        return NULL;
    }
  return lt_render_graph_new_from_graph (graph);
}

gboolean
lt_train_plots_write_graph (LtRenderGraph *graph, const char *path, GError **error)
{
  const char *dot = strrchr (path, '.');
  g_autoptr(LtRenderGraphLayout) layout = NULL;
  LtRenderTheme theme;

  if (dot == NULL ||
      (g_ascii_strcasecmp (dot, ".png") != 0 && g_ascii_strcasecmp (dot, ".svg") != 0))
    return lt_render_graph_write_dot (graph, NULL, path, error);
  lt_render_theme_init (&theme, FALSE);
  layout = lt_render_graph_layout_new (graph, NULL, &theme, error);
  return layout != NULL && lt_render_graph_write (layout, NULL, path, error);
}

static gboolean
write_grid (const LtTrainPlots *p, const LtRenderTheme *theme, const char *path, GError **error)
{
  g_autoptr(LtTensor) images = NULL, labels = NULL, predicted = NULL;
  g_autoptr(LtRenderGrid) grid = NULL;
  LtRenderGridView view;

  /* A batch of at least 16 images (the tutorial's 4 make a thin strip) */
  if (!first_batch (p->train, CLAMP (p->batch_size, 16, 64), LT_DEVICE_CPU, 0, &images, &labels,
                    error) ||
      !(predicted = lt_trainer_predict (p->trainer, images, error)))
    return FALSE;
  grid =
    lt_render_grid_new (images, labels, predicted, (const char *const *) p->classes, theme, error);
  if (grid == NULL)
    return FALSE;
  lt_render_grid_view_init (&view);
  view.nrow = 8;
  return lt_render_grid_write (grid, &view, path, error);
}

gboolean
lt_train_plots_write (const LtTrainPlots *p, const char *dir, GError **error)
{
  g_autofree char *grid = g_build_filename (dir, "grid.png", NULL);
  g_autofree char *loss_png = g_build_filename (dir, "loss.png", NULL);
  g_autofree char *loss_svg = g_build_filename (dir, "loss.svg", NULL);
  g_autofree char *graph_png = g_build_filename (dir, "graph.png", NULL);
  g_autofree char *graph_svg = g_build_filename (dir, "graph.svg", NULL);
  g_autofree char *confusion = g_build_filename (dir, "confusion.png", NULL);
  g_autoptr(LtRenderGraph) graph = NULL;
  g_autoptr(LtRenderGraphLayout) layout = NULL;
  LtRenderTheme    theme;
  LtRenderLossView view;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _ ("cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  lt_render_theme_init (&theme, FALSE);

  if (!write_grid (p, &theme, grid, error))
    return FALSE;

  lt_render_loss_view_init (&view);
  view.smoothing = p->smoothing;
  if (!lt_render_loss_write (p->loss_data, &view, &theme, loss_png, 800, 500, error) ||
      !lt_render_loss_write (p->loss_data, &view, &theme, loss_svg, 800, 500, error))
    return FALSE;

  graph = lt_train_plots_graph (p->net, p->loss, p->train, p->batch_size, p->device,
                                p->device_index, TRUE, error);
  if (graph == NULL || !(layout = lt_render_graph_layout_new (graph, NULL, &theme, error)) ||
      !lt_render_graph_write (layout, NULL, graph_png, error) ||
      !lt_render_graph_write (layout, NULL, graph_svg, error))
    return FALSE;

  if (p->confusion)
    {
      g_autoptr(LtRenderAccuracy) accuracy = NULL;
      LtRenderAccuracyView aview;

      accuracy =
        lt_render_accuracy_new (p->confusion, (const char *const *) p->classes, &theme, error);
      lt_render_accuracy_view_init (&aview);
      if (accuracy == NULL || !lt_render_accuracy_write (accuracy, &aview, confusion, error))
        return FALSE;
    }
  return TRUE;
}
