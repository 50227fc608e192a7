/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <gio/gio.h>

#include "core/lt-tensor.h"
#include "data/lt-dataset.h"
#include "data/lt-download.h"
#include "data/lt-transform.h"

G_BEGIN_DECLS

/**
 * LT_CIFAR10_URL:
 *
 * Where lt_cifar10_download() fetches the binary version of CIFAR-10.
 */
#define LT_CIFAR10_URL "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"

/**
 * LT_CIFAR10_MD5:
 *
 * The MD5 of the archive at %LT_CIFAR10_URL.
 */
#define LT_CIFAR10_MD5 "c32a1d4ab5d03f1284b67883e8d87530"

/**
 * LT_CIFAR10_ARCHIVE:
 *
 * The file name of the CIFAR-10 archive in a dataset's root folder.
 */
#define LT_CIFAR10_ARCHIVE "cifar-10-binary.tar.gz"

/**
 * LT_CIFAR10_FOLDER:
 *
 * The folder the CIFAR-10 archive holds, as extracted in a root folder.
 */
#define LT_CIFAR10_FOLDER "cifar-10-batches-bin"

#define LT_TYPE_CIFAR10 (lt_cifar10_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtCifar10, lt_cifar10, LT, CIFAR10, GObject)

LT_AVAILABLE_IN_ALL
LtCifar10          *lt_cifar10_new         (const char             *root,
                                            gboolean                train,
                                            LtTransform            *transform,
                                            LtTransform            *target_transform,
                                            gboolean                download,
                                            GCancellable           *cancellable,
                                            GError                **error)
  G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean            lt_cifar10_download    (const char             *root,
                                            LtDownloadProgressFunc  progress,
                                            gpointer                user_data,
                                            GCancellable           *cancellable,
                                            GError                **error);
LT_AVAILABLE_IN_ALL
const char * const *lt_cifar10_get_classes (LtCifar10              *self);
LT_AVAILABLE_IN_ALL
LtTensor           *lt_cifar10_get_images  (LtCifar10              *self);
LT_AVAILABLE_IN_ALL
LtTensor           *lt_cifar10_get_labels  (LtCifar10              *self);
LT_AVAILABLE_IN_ALL
gboolean            lt_cifar10_get_train   (LtCifar10              *self);
LT_AVAILABLE_IN_ALL
LtTransform        *lt_cifar10_get_transform        (LtCifar10     *self);
LT_AVAILABLE_IN_ALL
LtTransform        *lt_cifar10_get_target_transform (LtCifar10     *self);

G_END_DECLS
