/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libtensor.h>

G_BEGIN_DECLS

typedef enum {
  LT_TRAIN_DATASET_AUTO,          /* CIFAR-10, else Fashion-MNIST */
  LT_TRAIN_DATASET_CIFAR10,
  LT_TRAIN_DATASET_FASHION_MNIST,
} LtTrainDatasetKind;

typedef struct
{
  /* Owned */
  LtDataset *train;
  LtDataset *test;
  char **classes;                 /* the names printed, label i is classes[i] */
  char *description;              /* "CIFAR-10 from ./data", ... */

  gint64 in_channels;             /* 3 for CIFAR-10, 1 for Fashion-MNIST */
  LtTrainDatasetKind kind;        /* what was loaded */
} LtTrainData;

void     lt_train_data_clear           (LtTrainData        *data);
gboolean lt_train_data_cifar10_present (const char         *data_dir);
gboolean lt_train_data_load            (LtTrainDatasetKind  kind,
                                        const char         *data_dir,
                                        gboolean            interactive,
                                        GCancellable       *cancellable,
                                        LtTrainData        *data,
                                        GError            **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LtTrainData, lt_train_data_clear)

G_END_DECLS
