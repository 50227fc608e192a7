/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

/**
 * LtModuleForwardPreHookFunc:
 * @module: the module about to run its forward
 * @input: the input its forward is about to get
 * @user_data: the data given to lt_module_register_forward_pre_hook()
 * @error: return location for a #GError
 *
 * A hook run by lt_module_forward() before the module's forward, as
 * PyTorch's `register_forward_pre_hook`. It may replace the input. A hook
 * that fails sets @error and returns %NULL: the forward fails with it.
 *
 * Returns: (transfer full) (nullable): a replacement input, or %NULL to
 *   keep @input (or with @error set)
 */
typedef LtTensor *(*LtModuleForwardPreHookFunc) (LtModule *module,
                                                 LtTensor *input,
                                                 gpointer  user_data,
                                                 GError  **error);

/**
 * LtModuleForwardHookFunc:
 * @module: the module whose forward has run
 * @input: the input its forward got
 * @output: the output its forward gave
 * @user_data: the data given to lt_module_register_forward_hook()
 * @error: return location for a #GError
 *
 * A hook run by lt_module_forward() after the module's forward, as
 * PyTorch's `register_forward_hook`. It may replace the output. A hook
 * that fails sets @error and returns %NULL: the forward fails with it.
 *
 * Returns: (transfer full) (nullable): a replacement output, or %NULL to
 *   keep @output (or with @error set)
 */
typedef LtTensor *(*LtModuleForwardHookFunc) (LtModule *module,
                                              LtTensor *input,
                                              LtTensor *output,
                                              gpointer  user_data,
                                              GError  **error);

/**
 * LtModuleBackwardHookFunc:
 * @module: the module
 * @grad_input: (nullable): the gradient with respect to the module's input,
 *   or %NULL when the input does not require grad
 * @grad_output: the gradient with respect to the module's output
 * @user_data: the data given to lt_module_register_full_backward_hook()
 * @error: return location for a #GError
 *
 * A hook run during a backward pass through the graph a module's forward
 * recorded, once the gradients with respect to its input are known, as
 * PyTorch's `register_full_backward_hook`. It may replace @grad_input:
 * what it returns flows on to the input instead. A hook that fails sets
 * @error and returns %NULL: the backward pass fails with it.
 *
 * Returns: (transfer full) (nullable): a replacement for @grad_input of
 *   its shape, dtype and device, or %NULL to keep it (or with @error set)
 */
typedef LtTensor *(*LtModuleBackwardHookFunc) (LtModule *module,
                                               LtTensor *grad_input,
                                               LtTensor *grad_output,
                                               gpointer  user_data,
                                               GError  **error);

LT_AVAILABLE_IN_ALL
guint    lt_module_register_forward_pre_hook   (LtModule                  *self,
                                                LtModuleForwardPreHookFunc func,
                                                gpointer                   user_data,
                                                GDestroyNotify             destroy);
LT_AVAILABLE_IN_ALL
guint    lt_module_register_forward_hook       (LtModule                  *self,
                                                LtModuleForwardHookFunc    func,
                                                gpointer                   user_data,
                                                GDestroyNotify             destroy);
LT_AVAILABLE_IN_ALL
guint    lt_module_register_full_backward_hook (LtModule                  *self,
                                                LtModuleBackwardHookFunc   func,
                                                gpointer                   user_data,
                                                GDestroyNotify             destroy);
LT_AVAILABLE_IN_ALL
gboolean lt_module_remove_hook                 (LtModule                  *self,
                                                guint                      id);

G_END_DECLS
