/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"

G_BEGIN_DECLS

#define LT_TYPE_GRAD_FN (lt_grad_fn_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGradFn, lt_grad_fn, LT, GRAD_FN, GObject)

LT_AVAILABLE_IN_ALL
const char   *lt_grad_fn_get_name              (LtGradFn *self);
LT_AVAILABLE_IN_ALL
guint         lt_grad_fn_get_n_next_functions  (LtGradFn *self);
LT_AVAILABLE_IN_ALL
LtGradFn     *lt_grad_fn_get_next_function     (LtGradFn *self,
                                                guint     index,
                                                guint    *input_nr);
LT_AVAILABLE_IN_ALL
guint         lt_grad_fn_get_n_saved_tensors   (LtGradFn *self);
LT_AVAILABLE_IN_ALL
const gint64 *lt_grad_fn_get_saved_shape       (LtGradFn *self,
                                                guint     index,
                                                guint    *n_dims);
LT_AVAILABLE_IN_ALL
gboolean      lt_grad_fn_get_released          (LtGradFn *self);
LT_AVAILABLE_IN_ALL
LtTensor     *lt_grad_fn_get_variable          (LtGradFn *self);
LT_AVAILABLE_IN_ALL
guint64       lt_grad_fn_get_sequence_number   (LtGradFn *self);
LT_AVAILABLE_IN_ALL
const char   *lt_grad_fn_get_module            (LtGradFn *self);

G_END_DECLS
