/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <gio/gio.h>

#include "core/lt-macros.h"
#include "io/lt-state-dict.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
LtStateDict *lt_torch_load       (const char  *path,
                                  char       **structure,
                                  GError     **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtStateDict *lt_torch_load_bytes (GBytes      *bytes,
                                  const char  *source,
                                  char       **structure,
                                  GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
