/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_bernoulli   (LtTensor *self,
                                 GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_multinomial (LtTensor *self,
                                 gint64    num_samples,
                                 gboolean  replacement,
                                 GError  **error);

G_END_DECLS
