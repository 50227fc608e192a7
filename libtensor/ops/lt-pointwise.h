/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

#define LT_DECLARE_BINARY(name)                                                        \
  LT_AVAILABLE_IN_ALL LtTensor *lt_tensor_##name (LtTensor *self, LtTensor *other,       \
                                                   GError **error);                     \
  LT_AVAILABLE_IN_ALL LtTensor *lt_tensor_##name##_scalar (LtTensor *self, double other, \
                                                            GError **error);            \
  LT_AVAILABLE_IN_ALL gboolean lt_tensor_##name##_ (LtTensor *self, LtTensor *other,     \
                                                     GError **error);                   \
  LT_AVAILABLE_IN_ALL gboolean lt_tensor_##name##_scalar_ (LtTensor *self, double other, \
                                                            GError **error);

#define LT_DECLARE_COMPARE(name)                                                        \
  LT_AVAILABLE_IN_ALL LtTensor *lt_tensor_##name (LtTensor *self, LtTensor *other,       \
                                                   GError **error);                     \
  LT_AVAILABLE_IN_ALL LtTensor *lt_tensor_##name##_scalar (LtTensor *self, double other, \
                                                            GError **error);

#define LT_DECLARE_UNARY(name)                                                          \
  LT_AVAILABLE_IN_ALL LtTensor *lt_tensor_##name (LtTensor *self, GError **error);       \
  LT_AVAILABLE_IN_ALL gboolean lt_tensor_##name##_ (LtTensor *self, GError **error);

LT_DECLARE_BINARY (add)
LT_DECLARE_BINARY (sub)
LT_DECLARE_BINARY (mul)
LT_DECLARE_BINARY (div)
LT_DECLARE_BINARY (pow)
LT_DECLARE_BINARY (floor_divide)
LT_DECLARE_BINARY (remainder)
LT_DECLARE_COMPARE (maximum)
LT_DECLARE_COMPARE (minimum)
LT_DECLARE_COMPARE (eq)
LT_DECLARE_COMPARE (ne)
LT_DECLARE_COMPARE (lt)
LT_DECLARE_COMPARE (le)
LT_DECLARE_COMPARE (gt)
LT_DECLARE_COMPARE (ge)

LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_add_out          (LtTensor *self,
                                      LtTensor *other,
                                      LtTensor *out,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_add_scaled       (LtTensor *self,
                                      LtTensor *other,
                                      double    alpha,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_add_scaled_      (LtTensor *self,
                                      LtTensor *other,
                                      double    alpha,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_rsub_scalar      (LtTensor *self,
                                      double    other,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_rdiv_scalar      (LtTensor *self,
                                      double    other,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_rpow_scalar      (LtTensor *self,
                                      double    other,
                                      GError  **error);

LT_DECLARE_UNARY (neg)
LT_DECLARE_UNARY (abs)
LT_DECLARE_UNARY (sign)
LT_DECLARE_UNARY (exp)
LT_DECLARE_UNARY (log)
LT_DECLARE_UNARY (sqrt)
LT_DECLARE_UNARY (rsqrt)
LT_DECLARE_UNARY (sin)
LT_DECLARE_UNARY (cos)
LT_DECLARE_UNARY (tanh)
LT_DECLARE_UNARY (sigmoid)
LT_DECLARE_UNARY (relu)

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_clamp            (LtTensor *self,
                                      double    min,
                                      double    max,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_clamp_           (LtTensor *self,
                                      double    min,
                                      double    max,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_logical_not      (LtTensor *self,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_logical_and      (LtTensor *self,
                                      LtTensor *other,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_logical_or       (LtTensor *self,
                                      LtTensor *other,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_where                   (LtTensor *condition,
                                      LtTensor *self,
                                      LtTensor *other,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_masked_fill      (LtTensor *self,
                                      LtTensor *mask,
                                      double    value,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_masked_fill_     (LtTensor *self,
                                      LtTensor *mask,
                                      double    value,
                                      GError  **error);

G_END_DECLS
