/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_add (LtTensor *self,
                        LtTensor *other,
                        GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_add_scalar (LtTensor *self,
                               double    other,
                               GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_add_ (LtTensor *self,
                         LtTensor *other,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_add_scalar_ (LtTensor *self,
                                double    other,
                                GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sub (LtTensor *self,
                        LtTensor *other,
                        GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sub_scalar (LtTensor *self,
                               double    other,
                               GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_sub_ (LtTensor *self,
                         LtTensor *other,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_sub_scalar_ (LtTensor *self,
                                double    other,
                                GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_mul (LtTensor *self,
                        LtTensor *other,
                        GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_mul_scalar (LtTensor *self,
                               double    other,
                               GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_mul_ (LtTensor *self,
                         LtTensor *other,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_mul_scalar_ (LtTensor *self,
                                double    other,
                                GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_div (LtTensor *self,
                        LtTensor *other,
                        GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_div_scalar (LtTensor *self,
                               double    other,
                               GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_div_ (LtTensor *self,
                         LtTensor *other,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_div_scalar_ (LtTensor *self,
                                double    other,
                                GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_pow (LtTensor *self,
                        LtTensor *other,
                        GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_pow_scalar (LtTensor *self,
                               double    other,
                               GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_pow_ (LtTensor *self,
                         LtTensor *other,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_pow_scalar_ (LtTensor *self,
                                double    other,
                                GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_floor_divide (LtTensor *self,
                                 LtTensor *other,
                                 GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_floor_divide_scalar (LtTensor *self,
                                        double    other,
                                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_floor_divide_ (LtTensor *self,
                                  LtTensor *other,
                                  GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_floor_divide_scalar_ (LtTensor *self,
                                         double    other,
                                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_remainder (LtTensor *self,
                              LtTensor *other,
                              GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_remainder_scalar (LtTensor *self,
                                     double    other,
                                     GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_remainder_ (LtTensor *self,
                               LtTensor *other,
                               GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_remainder_scalar_ (LtTensor *self,
                                      double    other,
                                      GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_maximum (LtTensor *self,
                            LtTensor *other,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_maximum_scalar (LtTensor *self,
                                   double    other,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_minimum (LtTensor *self,
                            LtTensor *other,
                            GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_minimum_scalar (LtTensor *self,
                                   double    other,
                                   GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_eq (LtTensor *self,
                       LtTensor *other,
                       GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_eq_scalar (LtTensor *self,
                              double    other,
                              GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_ne (LtTensor *self,
                       LtTensor *other,
                       GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_ne_scalar (LtTensor *self,
                              double    other,
                              GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_lt (LtTensor *self,
                       LtTensor *other,
                       GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_lt_scalar (LtTensor *self,
                              double    other,
                              GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_le (LtTensor *self,
                       LtTensor *other,
                       GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_le_scalar (LtTensor *self,
                              double    other,
                              GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_gt (LtTensor *self,
                       LtTensor *other,
                       GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_gt_scalar (LtTensor *self,
                              double    other,
                              GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_ge (LtTensor *self,
                       LtTensor *other,
                       GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_ge_scalar (LtTensor *self,
                              double    other,
                              GError  **error);

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

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_neg (LtTensor *self,
                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_neg_ (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_abs (LtTensor *self,
                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_abs_ (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sign (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_sign_ (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_exp (LtTensor *self,
                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_exp_ (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_log (LtTensor *self,
                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_log_ (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sqrt (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_sqrt_ (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_rsqrt (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_rsqrt_ (LtTensor *self,
                           GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sin (LtTensor *self,
                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_sin_ (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_cos (LtTensor *self,
                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_cos_ (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_tanh (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_tanh_ (LtTensor *self,
                          GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sigmoid (LtTensor *self,
                            GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_sigmoid_ (LtTensor *self,
                             GError  **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_relu (LtTensor *self,
                         GError  **error);
LT_AVAILABLE_IN_ALL
gboolean  lt_tensor_relu_ (LtTensor *self,
                          GError  **error);

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
