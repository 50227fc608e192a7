/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_ceil (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_ceil_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_floor (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_floor_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_round (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_round_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_trunc (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_trunc_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_frac (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_frac_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_log1p (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_log1p_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_expm1 (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_expm1_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_asin (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_asin_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_acos (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_acos_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_atan (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_atan_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sinh (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_sinh_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_cosh (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_cosh_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_asinh (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_asinh_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_acosh (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_acosh_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_atanh (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_atanh_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_tan (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_tan_ (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_erf (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_erf_ (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_erfc (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_erfc_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_log2 (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_log2_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_log10 (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_log10_ (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_exp2 (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_exp2_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_reciprocal (LtTensor *self,
                                GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_reciprocal_ (LtTensor *self,
                                 GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_square (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_square_ (LtTensor *self,
                             GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_logical_not_ (LtTensor *self,
                                  GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_bitwise_and (LtTensor *self,
                                 LtTensor *other,
                                 GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_bitwise_and_ (LtTensor *self,
                                  LtTensor *other,
                                  GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_bitwise_or (LtTensor *self,
                                LtTensor *other,
                                GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_bitwise_or_ (LtTensor *self,
                                 LtTensor *other,
                                 GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_bitwise_xor (LtTensor *self,
                                 LtTensor *other,
                                 GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_bitwise_xor_ (LtTensor *self,
                                  LtTensor *other,
                                  GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_bitwise_not (LtTensor *self,
                                 GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_bitwise_not_ (LtTensor *self,
                                  GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_clamp_tensor (LtTensor *self,
                                  LtTensor *min,
                                  LtTensor *max,
                                  GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_clamp_tensor_ (LtTensor *self,
                                   LtTensor *min,
                                   LtTensor *max,
                                   GError  **error);

G_END_DECLS
