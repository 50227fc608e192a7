/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_GELU (lt_gelu_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtGELU, lt_gelu, LT, GELU, LtModule)

#define LT_TYPE_SILU (lt_silu_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSiLU, lt_silu, LT, SILU, LtModule)

#define LT_TYPE_ELU (lt_elu_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtELU, lt_elu, LT, ELU, LtModule)

#define LT_TYPE_SOFTPLUS (lt_softplus_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSoftplus, lt_softplus, LT, SOFTPLUS, LtModule)

#define LT_TYPE_HARDTANH (lt_hardtanh_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtHardtanh, lt_hardtanh, LT, HARDTANH, LtModule)

#define LT_TYPE_PRELU (lt_prelu_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtPReLU, lt_prelu, LT, PRELU, LtModule)

LT_AVAILABLE_IN_ALL
LtGELU     *lt_gelu_new              (const char *approximate,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
const char *lt_gelu_get_approximate  (LtGELU     *self);
LT_AVAILABLE_IN_ALL
LtSiLU     *lt_silu_new              (gboolean    inplace) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtELU      *lt_elu_new               (double      alpha,
                                      gboolean    inplace) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
double      lt_elu_get_alpha         (LtELU      *self);
LT_AVAILABLE_IN_ALL
LtSoftplus *lt_softplus_new          (double      beta,
                                      double      threshold,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtHardtanh *lt_hardtanh_new          (double      min_val,
                                      double      max_val,
                                      gboolean    inplace,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtPReLU    *lt_prelu_new             (gint64      num_parameters,
                                      double      init,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
