/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sort         (LtTensor  *self,
                                  gint       dim,
                                  gboolean   descending,
                                  gboolean   stable,
                                  LtTensor **indices,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_argsort      (LtTensor  *self,
                                  gint       dim,
                                  gboolean   descending,
                                  gboolean   stable,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_msort        (LtTensor  *self,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_topk         (LtTensor  *self,
                                  gint64     k,
                                  gint       dim,
                                  gboolean   largest,
                                  gboolean   sorted,
                                  LtTensor **indices,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_kthvalue     (LtTensor  *self,
                                  gint64     k,
                                  gint       dim,
                                  gboolean   keepdim,
                                  LtTensor **indices,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_median       (LtTensor  *self,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_median_dim   (LtTensor  *self,
                                  gint       dim,
                                  gboolean   keepdim,
                                  LtTensor **indices,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_mode         (LtTensor  *self,
                                  gint       dim,
                                  gboolean   keepdim,
                                  LtTensor **indices,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_unique       (LtTensor  *self,
                                  gboolean   sorted,
                                  LtTensor **inverse,
                                  LtTensor **counts,
                                  GError   **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_unique_dim   (LtTensor  *self,
                                  gint       dim,
                                  gboolean   sorted,
                                  LtTensor **inverse,
                                  LtTensor **counts,
                                  GError   **error);

G_END_DECLS
