/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "data/lt-sampler.h"

G_BEGIN_DECLS

#define LT_TYPE_DISTRIBUTED_SAMPLER (lt_distributed_sampler_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtDistributedSampler, lt_distributed_sampler, LT, DISTRIBUTED_SAMPLER,
                      GObject)

LT_AVAILABLE_IN_ALL
LtDistributedSampler *lt_distributed_sampler_new             (int                   num_replicas,
                                                              int                   rank,
                                                              gboolean              shuffle,
                                                              guint64               seed,
                                                              gboolean              drop_last,
                                                              GError              **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
int                   lt_distributed_sampler_get_num_replicas (LtDistributedSampler *self);
LT_AVAILABLE_IN_ALL
int                   lt_distributed_sampler_get_rank         (LtDistributedSampler *self);
LT_AVAILABLE_IN_ALL
gboolean              lt_distributed_sampler_get_shuffle      (LtDistributedSampler *self);
LT_AVAILABLE_IN_ALL
guint64               lt_distributed_sampler_get_seed         (LtDistributedSampler *self);
LT_AVAILABLE_IN_ALL
gboolean              lt_distributed_sampler_get_drop_last    (LtDistributedSampler *self);
LT_AVAILABLE_IN_ALL
void                  lt_distributed_sampler_set_epoch        (LtDistributedSampler *self,
                                                              gint64                epoch);
LT_AVAILABLE_IN_ALL
gint64                lt_distributed_sampler_get_epoch        (LtDistributedSampler *self);
LT_AVAILABLE_IN_ALL
gint64                lt_distributed_sampler_get_num_samples  (LtDistributedSampler *self,
                                                              gint64                dataset_length);

G_END_DECLS
