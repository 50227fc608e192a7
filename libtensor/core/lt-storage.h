/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib-object.h>

#include "lt-types.h"

G_BEGIN_DECLS

#define LT_TYPE_STORAGE (lt_storage_get_type ())

LT_AVAILABLE_IN_ALL
GType      lt_storage_get_type    (void) G_GNUC_CONST;
LT_AVAILABLE_IN_ALL
LtStorage *lt_storage_ref         (LtStorage *storage);
LT_AVAILABLE_IN_ALL
void       lt_storage_unref       (LtStorage *storage);
LT_AVAILABLE_IN_ALL
gsize      lt_storage_get_nbytes  (LtStorage *storage);
LT_AVAILABLE_IN_ALL
LtDevice   lt_storage_get_device  (LtStorage *storage);
LT_AVAILABLE_IN_ALL
int        lt_storage_get_device_index (LtStorage *storage);
LT_AVAILABLE_IN_ALL
guint      lt_storage_get_version (LtStorage *storage);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LtStorage, lt_storage_unref)

G_END_DECLS
