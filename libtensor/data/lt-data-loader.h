/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"
#include "data/lt-dataset.h"

G_BEGIN_DECLS

#define LT_TYPE_DATA_LOADER (lt_data_loader_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtDataLoader, lt_data_loader, LT, DATA_LOADER, GObject)

LT_AVAILABLE_IN_ALL
LtDataLoader *lt_data_loader_new            (LtDataset     *dataset,
                                             gint64         batch_size,
                                             gboolean       shuffle,
                                             gboolean       drop_last,
                                             guint          num_workers,
                                             GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean      lt_data_loader_next           (LtDataLoader  *self,
                                             LtTensor     **inputs,
                                             LtTensor     **targets,
                                             GError       **error);
LT_AVAILABLE_IN_ALL
void          lt_data_loader_reset          (LtDataLoader  *self);
LT_AVAILABLE_IN_ALL
gint64        lt_data_loader_get_length     (LtDataLoader  *self);
LT_AVAILABLE_IN_ALL
LtDataset    *lt_data_loader_get_dataset    (LtDataLoader  *self);
LT_AVAILABLE_IN_ALL
gint64        lt_data_loader_get_batch_size (LtDataLoader  *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_data_loader_get_shuffle    (LtDataLoader  *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_data_loader_get_drop_last  (LtDataLoader  *self);
LT_AVAILABLE_IN_ALL
guint         lt_data_loader_get_num_workers (LtDataLoader *self);
LT_AVAILABLE_IN_ALL
guint64       lt_data_loader_get_epoch      (LtDataLoader  *self);
LT_AVAILABLE_IN_ALL
void          lt_data_loader_get_position   (LtDataLoader  *self,
                                             guint64       *epoch,
                                             guint64       *seed,
                                             guint64       *offset,
                                             gint64        *batch);
LT_AVAILABLE_IN_ALL
gboolean      lt_data_loader_set_position   (LtDataLoader  *self,
                                             guint64        epoch,
                                             guint64        seed,
                                             guint64        offset,
                                             gint64         batch,
                                             GError       **error);

G_END_DECLS
