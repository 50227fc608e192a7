/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"

G_BEGIN_DECLS

#define LT_TYPE_FUNCTION_CTX (lt_function_ctx_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtFunctionCtx, lt_function_ctx, LT, FUNCTION_CTX, GObject)

#define LT_TYPE_FUNCTION (lt_function_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (LtFunction, lt_function, LT, FUNCTION, GObject)

/**
 * LtFunctionClass:
 * @parent_class: the parent class
 * @forward: computes the output from @inputs (with grad mode off); may
 *   save tensors for backward on @ctx; sets @error and returns %NULL on
 *   failure
 * @backward: computes the gradients of the inputs from @grad_output,
 *   handing each to lt_function_ctx_set_grad_input(); returns %FALSE with
 *   @error set on failure
 * @backward_outputs: the backward of a function with several outputs (see
 *   lt_function_ctx_set_outputs()): gets one gradient per output; by
 *   default calls @backward with the only one
 *
 * The class of custom autograd functions, as `torch.autograd.Function`:
 * a subclass gives a forward and a backward; lt_function_apply() runs the
 * forward and records a node whose backward rule is the class's backward.
 * In C set them in class_init, in Python define `do_forward` and
 * `do_backward` (or use `Lt.autograd.Function`), in JavaScript
 * `vfunc_forward` and `vfunc_backward`.
 */
/**
 * LtFunctionClass::forward:
 * @self: the function
 * @ctx: the context of this call, for lt_function_ctx_save_for_backward()
 * @inputs: (array length=n_inputs): the inputs
 * @n_inputs: the number of inputs
 * @error: return location for a #GError
 *
 * Computes the output of the function (with grad mode off).
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set
 */

/**
 * LtFunctionClass::backward:
 * @self: the function
 * @ctx: the context the forward filled
 * @grad_output: the gradient of the output
 * @error: return location for a #GError
 *
 * Computes the gradients of the inputs, handing each to
 * lt_function_ctx_set_grad_input().
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */

/**
 * LtFunctionClass::backward_outputs:
 * @self: the function
 * @ctx: the context the forward filled
 * @grad_outputs: (array length=n_outputs): the gradient of every output,
 *   in order: zeros for an output that no gradient reached and for one
 *   marked non-differentiable, as PyTorch's materialized gradients
 * @n_outputs: the number of outputs
 * @error: return location for a #GError
 *
 * Computes the gradients of the inputs of a function with several
 * outputs, handing each to lt_function_ctx_set_grad_input(). The default
 * calls #LtFunctionClass::backward when there is one output.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
struct _LtFunctionClass
{
  GObjectClass parent_class;

  LtTensor *(*forward)  (LtFunction     *self,
                         LtFunctionCtx  *ctx,
                         LtTensor      **inputs,
                         guint           n_inputs,
                         GError        **error);
  gboolean  (*backward) (LtFunction     *self,
                         LtFunctionCtx  *ctx,
                         LtTensor       *grad_output,
                         GError        **error);
  gboolean  (*backward_outputs) (LtFunction     *self,
                                 LtFunctionCtx  *ctx,
                                 LtTensor      **grad_outputs,
                                 guint           n_outputs,
                                 GError        **error);

  /*< private >*/
  gpointer padding[7];
};

LT_AVAILABLE_IN_ALL
LtTensor *lt_function_apply                       (LtFunction     *self,
                                                   LtTensor      **inputs,
                                                   guint           n_inputs,
                                                   GError        **error);

LT_AVAILABLE_IN_ALL
GPtrArray *lt_function_apply_outputs              (LtFunction     *self,
                                                   LtTensor      **inputs,
                                                   guint           n_inputs,
                                                   GError        **error);

LT_AVAILABLE_IN_ALL
void      lt_function_ctx_set_outputs             (LtFunctionCtx  *self,
                                                   LtTensor      **outputs,
                                                   guint           n_outputs);
LT_AVAILABLE_IN_ALL
void      lt_function_ctx_save_for_backward       (LtFunctionCtx  *self,
                                                   LtTensor      **tensors,
                                                   guint           n_tensors);
LT_AVAILABLE_IN_ALL
GPtrArray *lt_function_ctx_get_saved_tensors      (LtFunctionCtx  *self,
                                                   GError        **error);
LT_AVAILABLE_IN_ALL
guint     lt_function_ctx_get_n_inputs            (LtFunctionCtx  *self);
LT_AVAILABLE_IN_ALL
gboolean  lt_function_ctx_needs_input_grad        (LtFunctionCtx  *self,
                                                   guint           index);
LT_AVAILABLE_IN_ALL
void      lt_function_ctx_mark_non_differentiable (LtFunctionCtx  *self,
                                                   LtTensor       *output);
LT_AVAILABLE_IN_ALL
gboolean  lt_function_ctx_set_grad_input          (LtFunctionCtx  *self,
                                                   guint           index,
                                                   LtTensor       *grad,
                                                   GError        **error);

G_END_DECLS
