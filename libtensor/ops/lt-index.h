/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_index_select  (LtTensor *self,
                                   gint      dim,
                                   LtTensor *index,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_index_add_    (LtTensor *self,
                                   gint      dim,
                                   LtTensor *index,
                                   LtTensor *source,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_gather        (LtTensor *self,
                                   gint      dim,
                                   LtTensor *index,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_scatter_add   (LtTensor *self,
                                   gint      dim,
                                   LtTensor *index,
                                   LtTensor *src,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_scatter_add_  (LtTensor *self,
                                   gint      dim,
                                   LtTensor *index,
                                   LtTensor *src,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_masked_select (LtTensor *self,
                                   LtTensor *mask,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_masked_scatter (LtTensor *self,
                                    LtTensor *mask,
                                    LtTensor *source,
                                    GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_one_hot       (LtTensor *self,
                                   gint64    num_classes,
                                   GError  **error);

G_END_DECLS
