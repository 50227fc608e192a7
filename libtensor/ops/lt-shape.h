/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_view          (LtTensor     *self,
                                   const gint64 *shape,
                                   gsize         n_dims,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_reshape       (LtTensor     *self,
                                   const gint64 *shape,
                                   gsize         n_dims,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_flatten       (LtTensor     *self,
                                   gint          start_dim,
                                   gint          end_dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_permute       (LtTensor     *self,
                                   const gint   *dims,
                                   gsize         n_dims,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_transpose     (LtTensor     *self,
                                   gint          dim0,
                                   gint          dim1,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_t             (LtTensor     *self,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_t_            (LtTensor     *self,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_unsqueeze     (LtTensor     *self,
                                   gint          dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_squeeze       (LtTensor     *self,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_squeeze_dim   (LtTensor     *self,
                                   gint          dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_unsqueeze_    (LtTensor     *self,
                                   gint          dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_squeeze_      (LtTensor     *self,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_squeeze_dim_  (LtTensor     *self,
                                   gint          dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_transpose_    (LtTensor     *self,
                                   gint          dim0,
                                   gint          dim1,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_expand        (LtTensor     *self,
                                   const gint64 *shape,
                                   gsize         n_dims,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_expand_as     (LtTensor     *self,
                                   LtTensor     *other,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_contiguous    (LtTensor     *self,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_select        (LtTensor     *self,
                                   gint          dim,
                                   gint64        index,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
GPtrArray *lt_tensor_unbind       (LtTensor     *self,
                                   gint          dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_narrow        (LtTensor     *self,
                                   gint          dim,
                                   gint64        start,
                                   gint64        length,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_slice         (LtTensor     *self,
                                   gint          dim,
                                   gint64        start,
                                   gint64        end,
                                   gint64        step,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_cat                  (LtTensor    **tensors,
                                   gsize         n_tensors,
                                   gint          dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_stack                (LtTensor    **tensors,
                                   gsize         n_tensors,
                                   gint          dim,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_to_dtype      (LtTensor     *self,
                                   LtDType       dtype,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_to_device     (LtTensor     *self,
                                   LtDevice      device,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_to_device_index (LtTensor   *self,
                                     LtDevice    device,
                                     int         index,
                                     GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_pin_memory    (LtTensor     *self,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_copy_         (LtTensor     *self,
                                   LtTensor     *src,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_fill_         (LtTensor     *self,
                                   double        value,
                                   GError      **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_zero_         (LtTensor     *self,
                                   GError      **error);

G_END_DECLS
