/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib.h>

#include "core/lt-macros.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
gboolean lt_file_set_contents   (const char   *path,
                                 const guint8 *contents,
                                 gsize         length,
                                 GError      **error);
LT_AVAILABLE_IN_ALL
gboolean lt_file_check_writable (const char   *path,
                                 GError      **error);

G_END_DECLS
