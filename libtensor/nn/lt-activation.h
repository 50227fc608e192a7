/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "nn/lt-module.h"

G_BEGIN_DECLS

#define LT_TYPE_RELU (lt_relu_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtReLU, lt_relu, LT, RELU, LtModule)

#define LT_TYPE_LEAKY_RELU (lt_leaky_relu_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLeakyReLU, lt_leaky_relu, LT, LEAKY_RELU, LtModule)

#define LT_TYPE_SIGMOID (lt_sigmoid_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSigmoid, lt_sigmoid, LT, SIGMOID, LtModule)

#define LT_TYPE_TANH (lt_tanh_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtTanh, lt_tanh, LT, TANH, LtModule)

#define LT_TYPE_SOFTMAX (lt_softmax_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtSoftmax, lt_softmax, LT, SOFTMAX, LtModule)

#define LT_TYPE_LOG_SOFTMAX (lt_log_softmax_get_type ())
LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtLogSoftmax, lt_log_softmax, LT, LOG_SOFTMAX, LtModule)

LT_AVAILABLE_IN_ALL
LtReLU       *lt_relu_new                    (gboolean      inplace) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean      lt_relu_get_inplace            (LtReLU       *self);

LT_AVAILABLE_IN_ALL
LtLeakyReLU  *lt_leaky_relu_new              (double        negative_slope,
                                              gboolean      inplace) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
double        lt_leaky_relu_get_negative_slope (LtLeakyReLU *self);
LT_AVAILABLE_IN_ALL
gboolean      lt_leaky_relu_get_inplace      (LtLeakyReLU  *self);

LT_AVAILABLE_IN_ALL
LtSigmoid    *lt_sigmoid_new                 (void) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTanh       *lt_tanh_new                    (void) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
LtSoftmax    *lt_softmax_new                 (gint          dim) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint          lt_softmax_get_dim             (LtSoftmax    *self);

LT_AVAILABLE_IN_ALL
LtLogSoftmax *lt_log_softmax_new             (gint          dim) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gint          lt_log_softmax_get_dim         (LtLogSoftmax *self);

G_END_DECLS
