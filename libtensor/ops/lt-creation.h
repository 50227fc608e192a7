/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/**
 * LtReleaseFunc:
 * @user_data: the data given with the function
 *
 * Called when the memory a tensor borrowed through lt_tensor_new_wrap() is
 * no longer used by any tensor.
 */
typedef void (*LtReleaseFunc) (gpointer user_data);

LT_AVAILABLE_IN_ALL
LtTensor *lt_empty                   (const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_zeros                   (const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_ones                    (const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_full                    (const gint64 *shape,
                                      gsize         n_dims,
                                      double        value,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_rand                    (const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_randn                   (const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_randint                 (gint64        low,
                                      gint64        high,
                                      const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_randperm                (gint64        n,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_arange                  (double        start,
                                      double        end,
                                      double        step,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_linspace                (double        start,
                                      double        end,
                                      gint64        steps,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_eye                     (gint64        n,
                                      gint64        m,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_scalar_tensor           (double        value,
                                      LtDType       dtype) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_scalar                  (double        value) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_scalar_int              (gint64        value) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
LtTensor *lt_empty_like              (LtTensor     *like,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_zeros_like              (LtTensor     *like,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_ones_like               (LtTensor     *like,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_full_like               (LtTensor     *like,
                                      double        value,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_rand_like               (LtTensor     *like,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_randn_like              (LtTensor     *like,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_new_from_doubles (const double *data,
                                      gsize         n_data,
                                      const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_new_from_int64s  (const gint64 *data,
                                      gsize         n_data,
                                      const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_new_from_data    (gconstpointer data,
                                      gsize         n_bytes,
                                      const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_new_from_bytes   (GBytes       *bytes,
                                      const gint64 *shape,
                                      gsize         n_dims,
                                      LtDType       dtype,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_new_wrap         (guintptr      data,
                                      gsize         n_bytes,
                                      const gint64 *shape,
                                      gsize         n_dims,
                                      const gint64 *strides,
                                      gsize         n_strides,
                                      LtDType       dtype,
                                      LtReleaseFunc release,
                                      gpointer      user_data,
                                      GDestroyNotify destroy,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_new_wrap_owned   (guintptr      data,
                                      gsize         n_bytes,
                                      const gint64 *shape,
                                      gsize         n_dims,
                                      const gint64 *strides,
                                      gsize         n_strides,
                                      LtDType       dtype,
                                      GObject      *owner,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;

LT_AVAILABLE_IN_ALL
LtTensor *lt_tensor_clone            (LtTensor     *self,
                                      GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
