/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>

#include "lt-render.h"

G_BEGIN_DECLS

/* One training step's autograd graph: the loss of the training set's
 * first mini-batch through @net, named after the network's parameters;
 * with @backward, the backward pass runs through it so that every node
 * carries its gradient's statistics (the gradients it leaves in the
 * parameters are cleared). */
LtRenderGraph *lt_train_plots_graph (LtModule    *net,
                                     LtLoss      *loss,
                                     LtDataset   *train,
                                     gint64       batch_size,
                                     LtDevice     device,
                                     int          device_index,
                                     gboolean     backward,
                                     GError     **error);

/* Writes a graph to @path: DOT (.dot, .gv, or any other name), PNG or
 * SVG by the extension. */
gboolean lt_train_plots_write_graph (LtRenderGraph  *graph,
                                     const char     *path,
                                     GError        **error);

typedef struct
{
  /* Borrowed */
  LtTrainer *trainer;
  LtModule *net;
  LtLoss *loss;
  LtDataset *train;
  char **classes;
  LtRenderLossData *loss_data;    /* the run's curves */
  double smoothing;               /* of the training loss in loss.png */
  LtTensor *confusion;            /* nullable: the last epoch's */
  gint64 batch_size;
  LtDevice device;
  int device_index;               /* N of cuda:N */
} LtTrainPlots;

/* lt-train --plots DIR: grid.png, loss.png, loss.svg, graph.png,
 * graph.svg and (after an evaluated epoch) confusion.png in @dir, made
 * when absent. */
gboolean lt_train_plots_write (const LtTrainPlots  *plots,
                               const char          *dir,
                               GError             **error);

G_END_DECLS
