/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_tril              (LtTensor      *self,
                                       gint64         diagonal,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_triu              (LtTensor      *self,
                                       gint64         diagonal,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_flip              (LtTensor      *self,
                                       const gint    *dims,
                                       gsize          n_dims,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_roll              (LtTensor      *self,
                                       const gint64  *shifts,
                                       gsize          n_shifts,
                                       const gint    *dims,
                                       gsize          n_dims,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_repeat            (LtTensor      *self,
                                       const gint64  *repeats,
                                       gsize          n_repeats,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_repeat_interleave (LtTensor      *self,
                                       LtTensor      *repeats,
                                       gint           dim,
                                       gboolean       flatten,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_diagonal          (LtTensor      *self,
                                       gint64         offset,
                                       gint           dim1,
                                       gint           dim2,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_diag              (LtTensor      *self,
                                       gint64         diagonal,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_trace             (LtTensor      *self,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_outer             (LtTensor      *self,
                                       LtTensor      *other,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_cross             (LtTensor      *self,
                                       LtTensor      *other,
                                       gint           dim,
                                       GError       **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_einsum                   (const char    *equation,
                                       LtTensor     **operands,
                                       gsize          n_operands,
                                       GError       **error);

G_END_DECLS
