/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "core/lt-tensor.h"
#include "data/lt-dataset.h"
#include "data/lt-transform.h"

G_BEGIN_DECLS

/**
 * LT_FASHION_MNIST_DEFAULT_ROOT:
 *
 * Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST:
 * the root lt_mnist_new() uses for %LT_MNIST_VARIANT_FASHION_MNIST when it
 * is given none.
 */
#define LT_FASHION_MNIST_DEFAULT_ROOT "/usr/share/datasets/fashion-mnist"

/**
 * LtMnistVariant:
 * @LT_MNIST_VARIANT_MNIST: the handwritten digits (Yann LeCun's MNIST)
 * @LT_MNIST_VARIANT_FASHION_MNIST: Zalando's Fashion-MNIST: the same
 *   format and sizes, pictures of clothes
 *
 * Which of the MNIST-format datasets an #LtMnist holds; they differ in
 * their class names and default folder.
 */
typedef enum {
  LT_MNIST_VARIANT_MNIST,
  LT_MNIST_VARIANT_FASHION_MNIST,
} LtMnistVariant;

#define LT_TYPE_MNIST_VARIANT (lt_mnist_variant_get_type ())
LT_AVAILABLE_IN_ALL
GType lt_mnist_variant_get_type (void) G_GNUC_CONST;

#define LT_TYPE_MNIST (lt_mnist_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtMnist, lt_mnist, LT, MNIST, GObject)

LT_AVAILABLE_IN_ALL
LtMnist            *lt_mnist_new                  (const char     *root,
                                                   gboolean        train,
                                                   LtMnistVariant  variant,
                                                   LtTransform    *transform,
                                                   LtTransform    *target_transform,
                                                   GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
const char * const *lt_mnist_get_classes          (LtMnist        *self);
LT_AVAILABLE_IN_ALL
const char * const *lt_mnist_variant_get_classes  (LtMnistVariant  variant);
LT_AVAILABLE_IN_ALL
LtTensor           *lt_mnist_get_images           (LtMnist        *self);
LT_AVAILABLE_IN_ALL
LtTensor           *lt_mnist_get_labels           (LtMnist        *self);
LT_AVAILABLE_IN_ALL
gboolean            lt_mnist_get_train            (LtMnist        *self);
LT_AVAILABLE_IN_ALL
LtMnistVariant      lt_mnist_get_variant          (LtMnist        *self);
LT_AVAILABLE_IN_ALL
LtTransform        *lt_mnist_get_transform        (LtMnist        *self);
LT_AVAILABLE_IN_ALL
LtTransform        *lt_mnist_get_target_transform (LtMnist        *self);

G_END_DECLS
