/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_mm     (LtTensor *self,
                            LtTensor *other,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_bmm    (LtTensor *self,
                            LtTensor *other,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_addmm  (LtTensor *self,
                            LtTensor *mat1,
                            LtTensor *mat2,
                            double    beta,
                            double    alpha,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_matmul (LtTensor *self,
                            LtTensor *other,
                            GError  **error);

G_END_DECLS
