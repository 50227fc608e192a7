/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <gio/gio.h>

#include "lt-types.h"
#include "lt-storage.h"

G_BEGIN_DECLS

#define LT_TYPE_TENSOR (lt_tensor_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtTensor, lt_tensor, LT, TENSOR, GObject)

typedef struct _LtGradFn LtGradFn;

/**
 * LtTensorHookFunc:
 * @grad: the gradient flowing into the tensor
 * @user_data: the data given to lt_tensor_register_hook()
 * @error: return location for a #GError
 *
 * A gradient hook: reads the gradient computed for a tensor during
 * lt_tensor_backward() and may replace it. A hook that fails sets @error
 * and returns %NULL: the backward pass stops with that error.
 *
 * Returns: (transfer full) (nullable): a replacement gradient of the same
 *   shape, dtype and device, or %NULL to keep @grad (or with @error set)
 */
typedef LtTensor *(*LtTensorHookFunc) (LtTensor *grad,
                                       gpointer  user_data,
                                       GError  **error);

/**
 * LtTensorPostAccumulateGradHookFunc:
 * @tensor: the leaf whose #LtTensor:grad was just accumulated
 * @user_data: the data given to
 *   lt_tensor_register_post_accumulate_grad_hook()
 * @error: return location for a #GError
 *
 * A hook run during lt_tensor_backward() right after a gradient was added
 * into a leaf's #LtTensor:grad, as PyTorch's
 * `register_post_accumulate_grad_hook`: it reads (or updates in place)
 * the accumulated gradient. A hook that fails sets @error and returns
 * %FALSE: the backward pass stops with that error.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
typedef gboolean (*LtTensorPostAccumulateGradHookFunc) (LtTensor *tensor,
                                                        gpointer  user_data,
                                                        GError  **error);


/* Metadata */
LT_AVAILABLE_IN_ALL
LtDType       lt_tensor_get_dtype          (LtTensor *self);
LT_AVAILABLE_IN_ALL
LtDevice      lt_tensor_get_device         (LtTensor *self);
LT_AVAILABLE_IN_ALL
int           lt_tensor_get_device_index   (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_is_pinned          (LtTensor *self);
LT_AVAILABLE_IN_ALL
guint         lt_tensor_get_n_dims         (LtTensor *self);
LT_AVAILABLE_IN_ALL
const gint64 *lt_tensor_get_shape          (LtTensor *self,
                                            guint    *n_dims);
LT_AVAILABLE_IN_ALL
const gint64 *lt_tensor_get_strides        (LtTensor *self,
                                            guint    *n_dims);
LT_AVAILABLE_IN_ALL
gint64        lt_tensor_get_size           (LtTensor *self,
                                            gint      dim,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
gint64        lt_tensor_get_storage_offset (LtTensor *self);
LT_AVAILABLE_IN_ALL
LtStorage    *lt_tensor_get_storage        (LtTensor *self);
LT_AVAILABLE_IN_ALL
gint64        lt_tensor_numel              (LtTensor *self);
LT_AVAILABLE_IN_ALL
gsize         lt_tensor_get_element_size   (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_is_contiguous      (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_is_floating_point  (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_shares_storage     (LtTensor *self,
                                            LtTensor *other);
LT_AVAILABLE_IN_ALL
guint         lt_tensor_get_version        (LtTensor *self);
LT_AVAILABLE_IN_ALL
guintptr      lt_tensor_get_data_ptr       (LtTensor *self);

/* The memory, shared (ops/lt-values.h copies the values out) */
LT_AVAILABLE_IN_ALL
GBytes       *lt_tensor_get_bytes          (LtTensor *self,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
char         *lt_tensor_get_type_name      (LtTensor *self);

/* Autograd state */
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_get_requires_grad  (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_set_requires_grad  (LtTensor *self,
                                            gboolean  requires_grad,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor     *lt_tensor_requires_grad_     (LtTensor *self,
                                            gboolean  requires_grad,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor     *lt_tensor_get_grad           (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_set_grad           (LtTensor *self,
                                            LtTensor *grad,
                                            GError  **error);
LT_AVAILABLE_IN_ALL
LtGradFn     *lt_tensor_get_grad_fn        (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_is_leaf            (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_get_retains_grad   (LtTensor *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_tensor_get_is_parameter   (LtTensor *self);
LT_AVAILABLE_IN_ALL
void          lt_tensor_set_is_parameter   (LtTensor *self,
                                            gboolean  is_parameter);

G_END_DECLS
