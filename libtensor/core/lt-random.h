/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib.h>

#include "lt-macros.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
void    lt_manual_seed       (guint64  seed);
LT_AVAILABLE_IN_ALL
guint64 lt_initial_seed      (void);
LT_AVAILABLE_IN_ALL
void    lt_random_get_state  (guint64 *seed,
                              guint64 *offset);
LT_AVAILABLE_IN_ALL
void    lt_random_set_state  (guint64  seed,
                              guint64  offset);

G_END_DECLS
