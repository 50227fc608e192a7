/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sum          (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sum_dim      (LtTensor   *self,
                                  gint        dim,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_sum_dims     (LtTensor   *self,
                                  const gint *dims,
                                  gsize       n_dims,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_mean         (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_mean_dim     (LtTensor   *self,
                                  gint        dim,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_mean_dims    (LtTensor   *self,
                                  const gint *dims,
                                  gsize       n_dims,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_max          (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_max_dim      (LtTensor   *self,
                                  gint        dim,
                                  gboolean    keepdim,
                                  LtTensor  **indices,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_min          (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_min_dim      (LtTensor   *self,
                                  gint        dim,
                                  gboolean    keepdim,
                                  LtTensor  **indices,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_argmax       (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_argmax_dim   (LtTensor   *self,
                                  gint        dim,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_argmin       (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_argmin_dim   (LtTensor   *self,
                                  gint        dim,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_var          (LtTensor   *self,
                                  gboolean    unbiased,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_var_dim      (LtTensor   *self,
                                  gint        dim,
                                  gboolean    unbiased,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_std          (LtTensor   *self,
                                  gboolean    unbiased,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_std_dim      (LtTensor   *self,
                                  gint        dim,
                                  gboolean    unbiased,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_var_correction (LtTensor   *self,
                                    const gint *dims,
                                    gsize       n_dims,
                                    double      correction,
                                    gboolean    keepdim,
                                    GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_std_correction (LtTensor   *self,
                                    const gint *dims,
                                    gsize       n_dims,
                                    double      correction,
                                    gboolean    keepdim,
                                    GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_norm         (LtTensor   *self,
                                  double      p,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_norm_dim     (LtTensor   *self,
                                  double      p,
                                  gint        dim,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_norm_dims    (LtTensor   *self,
                                  double      p,
                                  const gint *dims,
                                  gsize       n_dims,
                                  gboolean    keepdim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_any          (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_all          (LtTensor   *self,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_softmax      (LtTensor   *self,
                                  gint        dim,
                                  GError    **error);
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_log_softmax  (LtTensor   *self,
                                  gint        dim,
                                  GError    **error);

G_END_DECLS
