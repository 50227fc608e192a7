/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_prod      (LtTensor   *self,
                               GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_prod_dim  (LtTensor   *self,
                               gint        dim,
                               gboolean    keepdim,
                               GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_cumsum    (LtTensor   *self,
                               gint        dim,
                               GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_cumprod   (LtTensor   *self,
                               gint        dim,
                               GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_logsumexp (LtTensor   *self,
                               const gint *dims,
                               gsize       n_dims,
                               gboolean    keepdim,
                               GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_dist      (LtTensor   *self,
                               LtTensor   *other,
                               double      p,
                               GError    **error);

G_END_DECLS
