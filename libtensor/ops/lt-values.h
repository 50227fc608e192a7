/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_item               (LtTensor *self,
                                            double   *value,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_item_int64         (LtTensor *self,
                                            gint64   *value,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
double       *lt_tensor_to_doubles         (LtTensor *self,
                                            gsize    *n_values,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
gint64       *lt_tensor_to_int64s          (LtTensor *self,
                                            gsize    *n_values,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
GBytes       *lt_tensor_to_bytes           (LtTensor *self,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
char         *lt_tensor_to_string          (LtTensor *self);

G_END_DECLS
