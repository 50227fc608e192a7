/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
double   lt_init_calculate_gain              (const char *nonlinearity,
                                              double      param,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_calculate_fan_in_and_fan_out (LtTensor  *tensor,
                                              gint64     *fan_in,
                                              gint64     *fan_out,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_uniform_                    (LtTensor   *tensor,
                                              double      a,
                                              double      b,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_normal_                     (LtTensor   *tensor,
                                              double      mean,
                                              double      std,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_constant_                   (LtTensor   *tensor,
                                              double      value,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_zeros_                      (LtTensor   *tensor,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_ones_                       (LtTensor   *tensor,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_kaiming_uniform_            (LtTensor   *tensor,
                                              double      a,
                                              const char *mode,
                                              const char *nonlinearity,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_kaiming_normal_             (LtTensor   *tensor,
                                              double      a,
                                              const char *mode,
                                              const char *nonlinearity,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_xavier_uniform_             (LtTensor   *tensor,
                                              double      gain,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_xavier_normal_              (LtTensor   *tensor,
                                              double      gain,
                                              GError    **error);
LT_AVAILABLE_IN_ALL
gboolean lt_init_orthogonal_                 (LtTensor   *tensor,
                                              double      gain,
                                              GError    **error);

G_END_DECLS
