/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "distributed/lt-process-group.h"
#include "nn/lt-module.h"

G_BEGIN_DECLS

/**
 * LT_DISTRIBUTED_DATA_PARALLEL_DEFAULT_BUCKET_CAP_MB:
 *
 * The default size of a gradient bucket, in MB, as PyTorch's
 * `bucket_cap_mb`.
 */
#define LT_DISTRIBUTED_DATA_PARALLEL_DEFAULT_BUCKET_CAP_MB 25.0

#define LT_TYPE_DISTRIBUTED_DATA_PARALLEL (lt_distributed_data_parallel_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtDistributedDataParallel, lt_distributed_data_parallel, LT,
                      DISTRIBUTED_DATA_PARALLEL, LtModule)

LT_AVAILABLE_IN_ALL
LtDistributedDataParallel *lt_distributed_data_parallel_new (LtModule       *module,
                                                             LtProcessGroup *group,
                                                             double          bucket_cap_mb,
                                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
LtModule       *lt_distributed_data_parallel_get_module        (LtDistributedDataParallel *self);
LT_AVAILABLE_IN_ALL
LtProcessGroup *lt_distributed_data_parallel_get_process_group (LtDistributedDataParallel *self);
LT_AVAILABLE_IN_ALL
gboolean        lt_distributed_data_parallel_get_require_backward_grad_sync (LtDistributedDataParallel *self);
LT_AVAILABLE_IN_ALL
void            lt_distributed_data_parallel_set_require_backward_grad_sync (LtDistributedDataParallel *self,
                                                                             gboolean                   sync);
LT_AVAILABLE_IN_ALL
gboolean        lt_distributed_data_parallel_get_broadcast_buffers (LtDistributedDataParallel *self);
LT_AVAILABLE_IN_ALL
void            lt_distributed_data_parallel_set_broadcast_buffers (LtDistributedDataParallel *self,
                                                                    gboolean                   broadcast);
LT_AVAILABLE_IN_ALL
guint           lt_distributed_data_parallel_get_n_buckets     (LtDistributedDataParallel *self);
LT_AVAILABLE_IN_ALL
double          lt_distributed_data_parallel_get_wait_time     (LtDistributedDataParallel *self);

G_END_DECLS
