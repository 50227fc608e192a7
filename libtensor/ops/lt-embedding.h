/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_embedding (LtTensor *weight,
                        LtTensor *indices,
                        gint64    padding_idx,
                        GError  **error);

LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_embedding_renorm_ (LtTensor *weight,
                                       LtTensor *indices,
                                       double    max_norm,
                                       double    norm_type,
                                       GError  **error);

G_END_DECLS
