/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/**
 * LtGradcheckFunc:
 * @inputs: (array length=n_inputs): the inputs
 * @n_inputs: the number of inputs
 * @user_data: the data given to lt_gradcheck()
 *
 * The function lt_gradcheck() differentiates.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL on failure
 */
typedef LtTensor *(*LtGradcheckFunc) (LtTensor **inputs,
                                      gsize      n_inputs,
                                      gpointer   user_data);

LT_AVAILABLE_IN_ALL
gboolean lt_gradcheck (LtGradcheckFunc func,
                       gpointer        user_data,
                       LtTensor      **inputs,
                       gsize           n_inputs,
                       double          eps,
                       double          atol,
                       double          rtol,
                       GError        **error);

LT_AVAILABLE_IN_ALL
gboolean lt_gradgradcheck (LtGradcheckFunc func,
                           gpointer        user_data,
                           LtTensor      **inputs,
                           gsize           n_inputs,
                           double          eps,
                           double          atol,
                           double          rtol,
                           GError        **error);

G_END_DECLS
