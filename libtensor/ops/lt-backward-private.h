/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The backward rules of the op table, one per differentiable op, declared
 * from the list of ops (ops/lt-op-list-private.h); each lives beside its op's front
 * end. The helpers below are for writing them:
 *
 *   gboolean
 *   _lt_backward_mul (LtGradFn *node, LtTensor *g, LtTensor **gi, GError **error)
 *   {
 *     if (LT_NEEDS (0))
 *       {
 *         LT_SAVED (b, ARG1);
 *         ...
 *
 * LT_NEEDS (i) tells whether input i's gradient is wanted; LT_SAVED (var,
 * WHAT) declares var as the tensor the row's saves column names WHAT
 * (ARG0..ARG3, RESULT, AUX), returning FALSE with @error set when it was
 * freed by an earlier backward or modified in place since; LT_SAVED_OPTIONAL
 * (var, WHAT) is the same for an argument that may have been NULL (var is
 * then NULL). They expect the rule's parameters to be named node and error.
 */

#include "lt-ops-private.h"

G_BEGIN_DECLS

#define LT_NEEDS(i) _lt_grad_fn_needs_input_grad (node, (i))

#define LT_SAVED(var, what)                                                                        \
  LtTensor *var = _lt_grad_fn_get_saved (node, LT_SAVED_##what, error);                            \
  if (var == NULL)                                                                                 \
    return FALSE

#define LT_SAVED_OPTIONAL(var, what)                                                               \
  LtTensor *var = NULL;                                                                            \
  if (!_lt_grad_fn_get_saved_optional (node, LT_SAVED_##what, &var, error))                        \
    return FALSE

#define LT_DECLARE_BACKWARD_(id, name_, family_, flags_, saves_, node0, node1, rule)              \
  gboolean _lt_backward_##rule (LtGradFn *node, LtTensor *grad_output, LtTensor **grad_inputs,     \
                                GError **error);
#define LT_NO_BACKWARD_(id, ...)

LT_OP_LIST (LT_NO_BACKWARD_, LT_DECLARE_BACKWARD_)

#undef LT_DECLARE_BACKWARD_
#undef LT_NO_BACKWARD_

G_END_DECLS
