/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "lt-render.h"

G_BEGIN_DECLS

/*
 * What an LtGtkImageView asks of a worker: read a batch of a dataset
 * (items start to end), or take tensors it has; classify the batch with a
 * trainer's model; prepare its grid. The view fills the first part, the
 * worker (_lt_gtk_image_load_thread, a GTaskThreadFunc whose task data is
 * the load) the result.
 */
typedef struct
{
  /* the batch to read, or the tensors to show */
  LtDataset    *dataset;
  gint64        start;
  gint64        end;
  LtTensor     *images;
  LtTensor     *labels;
  LtTensor     *predictions;
  LtTrainer    *trainer; /* set: classify the batch */
  char        **classes;
  LtRenderTheme theme;
  guint64       serial;

  /* the result */
  LtRenderGrid *grid;
  GError       *predict_error;
} LtGtkImageLoad;

void _lt_gtk_image_load_free   (LtGtkImageLoad *load);
void _lt_gtk_image_load_thread (GTask          *task,
                                gpointer        source_object,
                                gpointer        task_data,
                                GCancellable   *cancellable);

G_END_DECLS
