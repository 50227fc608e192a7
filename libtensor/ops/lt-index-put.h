/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_nonzero    (LtTensor    *self,
                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_take       (LtTensor    *self,
                                LtTensor    *index,
                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_index      (LtTensor    *self,
                                LtTensor   **indices,
                                guint        n_indices,
                                GError     **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_index_put_ (LtTensor    *self,
                                LtTensor   **indices,
                                guint        n_indices,
                                LtTensor    *values,
                                gboolean     accumulate,
                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_index_put  (LtTensor    *self,
                                LtTensor   **indices,
                                guint        n_indices,
                                LtTensor    *values,
                                gboolean     accumulate,
                                GError     **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_scatter    (LtTensor    *self,
                                gint         dim,
                                LtTensor    *index,
                                LtTensor    *src,
                                const char  *reduce,
                                GError     **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_scatter_   (LtTensor    *self,
                                gint         dim,
                                LtTensor    *index,
                                LtTensor    *src,
                                const char  *reduce,
                                GError     **error);

G_END_DECLS
