/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include <glib.h>

#include "lt-macros.h"

G_BEGIN_DECLS

LT_AVAILABLE_IN_ALL
gboolean lt_cuda_is_available          (void);
LT_AVAILABLE_IN_ALL
gboolean lt_cuda_init                  (GError  **error);
LT_AVAILABLE_IN_ALL
int      lt_cuda_device_count          (void);
LT_AVAILABLE_IN_ALL
char    *lt_cuda_get_device_name       (int       device,
                                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean lt_cuda_mem_get_info          (gsize    *free_bytes,
                                        gsize    *total_bytes,
                                        GError  **error);
LT_AVAILABLE_IN_ALL
guint64  lt_cuda_memory_allocated      (void);
LT_AVAILABLE_IN_ALL
guint64  lt_cuda_memory_reserved       (void);
LT_AVAILABLE_IN_ALL
guint64  lt_cuda_max_memory_allocated  (void);
LT_AVAILABLE_IN_ALL
void     lt_cuda_empty_cache           (void);
LT_AVAILABLE_IN_ALL
gboolean lt_cuda_synchronize           (GError  **error);
LT_AVAILABLE_IN_ALL
gboolean lt_cuda_device_mem_get_info   (int       device,
                                        gsize    *free_bytes,
                                        gsize    *total_bytes,
                                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean lt_cuda_device_memory_stats   (int       device,
                                        guint64  *allocated,
                                        guint64  *reserved,
                                        guint64  *max_allocated,
                                        GError  **error);
LT_AVAILABLE_IN_ALL
gboolean lt_cuda_device_synchronize    (int       device,
                                        GError  **error);

G_END_DECLS
