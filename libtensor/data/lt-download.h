/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <gio/gio.h>

#include "core/lt-macros.h"

G_BEGIN_DECLS

/**
 * LtDownloadProgressFunc:
 * @received: the bytes of the file there are so far (those of an earlier,
 *   interrupted download included)
 * @total: the size of the file, or 0 when the server does not say
 * @user_data: the data given with the function
 *
 * Reports the progress of lt_download_file(), once before the first byte
 * arrives and then after every piece read (a few dozen kilobytes); the
 * command-line tools draw a progress bar with it.
 */
typedef void (*LtDownloadProgressFunc) (guint64  received,
                                        guint64  total,
                                        gpointer user_data);

LT_AVAILABLE_IN_ALL
gboolean lt_download_file (const char             *url,
                           const char             *path,
                           const char             *md5,
                           LtDownloadProgressFunc  progress,
                           gpointer                user_data,
                           GCancellable           *cancellable,
                           GError                **error);

G_END_DECLS
