/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/**
 * LtNoGradFunc:
 * @user_data: the data given to lt_no_grad()
 *
 * Work run by lt_no_grad() with gradient recording off.
 */
typedef void (*LtNoGradFunc) (gpointer user_data);

LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_backward      (LtTensor        *self,
                                   LtTensor        *gradient,
                                   gboolean         retain_graph,
                                   GError         **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_backward_full (LtTensor        *self,
                                   LtTensor        *gradient,
                                   gboolean         retain_graph,
                                   gboolean         create_graph,
                                   LtTensor       **inputs,
                                   guint            n_inputs,
                                   GError         **error);
LT_AVAILABLE_IN_ALL
GPtrArray *lt_autograd_grad       (LtTensor       **outputs,
                                   guint            n_outputs,
                                   LtTensor       **grad_outputs,
                                   guint            n_grad_outputs,
                                   LtTensor       **inputs,
                                   guint            n_inputs,
                                   gboolean         retain_graph,
                                   gboolean         create_graph,
                                   gboolean         allow_unused,
                                   GError         **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_detach        (LtTensor        *self);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_detach_       (LtTensor        *self,
                                   GError         **error);
LT_AVAILABLE_IN_ALL
guint     lt_tensor_register_hook (LtTensor        *self,
                                   LtTensorHookFunc func,
                                   gpointer         user_data,
                                   GDestroyNotify   destroy,
                                   GError         **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_remove_hook   (LtTensor        *self,
                                   guint            id);
LT_AVAILABLE_IN_ALL
guint     lt_tensor_register_post_accumulate_grad_hook (LtTensor                          *self,
                                                        LtTensorPostAccumulateGradHookFunc func,
                                                        gpointer                           user_data,
                                                        GDestroyNotify                     destroy,
                                                        GError                           **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_retain_grad   (LtTensor        *self,
                                   GError         **error);

LT_AVAILABLE_IN_ALL
gboolean  lt_is_grad_enabled      (void);
LT_AVAILABLE_IN_ALL
gboolean  lt_set_grad_enabled     (gboolean         enabled);
LT_AVAILABLE_IN_ALL
void      lt_no_grad              (LtNoGradFunc     func,
                                   gpointer         user_data);

G_END_DECLS
