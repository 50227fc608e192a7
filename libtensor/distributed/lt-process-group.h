/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(LT_INSIDE) && !defined(LT_COMPILATION)
#error "Only <libtensor.h> can be included directly."
#endif

#include "core/lt-tensor.h"

G_BEGIN_DECLS

/**
 * LtReduceOp:
 * @LT_REDUCE_OP_SUM: the sum over the ranks (for bool tensors: any)
 * @LT_REDUCE_OP_AVG: the mean over the ranks (floating tensors only)
 * @LT_REDUCE_OP_MAX: the largest value over the ranks
 * @LT_REDUCE_OP_MIN: the smallest value over the ranks (for bool tensors: all)
 *
 * How lt_process_group_all_reduce() and
 * lt_process_group_reduce_scatter() combine the ranks' tensors, as
 * `torch.distributed.ReduceOp`.
 */
typedef enum {
  LT_REDUCE_OP_SUM,
  LT_REDUCE_OP_AVG,
  LT_REDUCE_OP_MAX,
  LT_REDUCE_OP_MIN,
} LtReduceOp;

#define LT_TYPE_REDUCE_OP (lt_reduce_op_get_type ())
LT_AVAILABLE_IN_ALL
GType lt_reduce_op_get_type (void) G_GNUC_CONST;

/**
 * LT_DISTRIBUTED_DEFAULT_TIMEOUT:
 *
 * The default deadline of a collective, in seconds: 30 minutes, as
 * `torch.distributed`'s default timeout.
 */
#define LT_DISTRIBUTED_DEFAULT_TIMEOUT 1800.0

#define LT_TYPE_WORK (lt_work_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtWork, lt_work, LT, WORK, GObject)

#define LT_TYPE_PROCESS_GROUP (lt_process_group_get_type ())

LT_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (LtProcessGroup, lt_process_group, LT, PROCESS_GROUP, GObject)

LT_AVAILABLE_IN_ALL
gboolean        lt_init_process_group               (const char     *backend,
                                                     double          timeout,
                                                     GError        **error);
LT_AVAILABLE_IN_ALL
gboolean        lt_destroy_process_group            (GError        **error);
LT_AVAILABLE_IN_ALL
LtProcessGroup *lt_process_group_get_default        (void);
LT_AVAILABLE_IN_ALL
gboolean        lt_distributed_is_available         (const char     *backend);
LT_AVAILABLE_IN_ALL
gboolean        lt_distributed_is_initialized       (void);
LT_AVAILABLE_IN_ALL
gboolean        lt_distributed_is_launched          (void);

LT_AVAILABLE_IN_ALL
int             lt_process_group_get_rank           (LtProcessGroup *self);
LT_AVAILABLE_IN_ALL
int             lt_process_group_get_size           (LtProcessGroup *self);
LT_AVAILABLE_IN_ALL
int             lt_process_group_get_local_rank     (LtProcessGroup *self);
LT_AVAILABLE_IN_ALL
int             lt_process_group_get_local_size     (LtProcessGroup *self);
LT_AVAILABLE_IN_ALL
const char     *lt_process_group_get_backend        (LtProcessGroup *self);
LT_AVAILABLE_IN_ALL
double          lt_process_group_get_timeout        (LtProcessGroup *self);
LT_AVAILABLE_IN_ALL
gboolean        lt_process_group_check              (LtProcessGroup *self,
                                                     GError        **error);

LT_AVAILABLE_IN_ALL
LtWork         *lt_process_group_all_reduce_async   (LtProcessGroup *self,
                                                     LtTensor       *tensor,
                                                     LtReduceOp      op,
                                                     GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean        lt_process_group_all_reduce         (LtProcessGroup *self,
                                                     LtTensor       *tensor,
                                                     LtReduceOp      op,
                                                     GError        **error);
LT_AVAILABLE_IN_ALL
LtWork         *lt_process_group_broadcast_async    (LtProcessGroup *self,
                                                     LtTensor       *tensor,
                                                     int             src,
                                                     GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean        lt_process_group_broadcast          (LtProcessGroup *self,
                                                     LtTensor       *tensor,
                                                     int             src,
                                                     GError        **error);
LT_AVAILABLE_IN_ALL
LtWork         *lt_process_group_all_gather_async   (LtProcessGroup *self,
                                                     LtTensor       *output,
                                                     LtTensor       *input,
                                                     GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean        lt_process_group_all_gather         (LtProcessGroup *self,
                                                     LtTensor       *output,
                                                     LtTensor       *input,
                                                     GError        **error);
LT_AVAILABLE_IN_ALL
LtWork         *lt_process_group_reduce_scatter_async (LtProcessGroup *self,
                                                       LtTensor       *output,
                                                       LtTensor       *input,
                                                       LtReduceOp      op,
                                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean        lt_process_group_reduce_scatter     (LtProcessGroup *self,
                                                     LtTensor       *output,
                                                     LtTensor       *input,
                                                     LtReduceOp      op,
                                                     GError        **error);
LT_AVAILABLE_IN_ALL
LtWork         *lt_process_group_barrier_async      (LtProcessGroup *self,
                                                     GError        **error) G_GNUC_WARN_UNUSED_RESULT;
LT_AVAILABLE_IN_ALL
gboolean        lt_process_group_barrier            (LtProcessGroup *self,
                                                     GError        **error);

LT_AVAILABLE_IN_ALL
gboolean        lt_work_wait                        (LtWork         *self,
                                                     GError        **error);
LT_AVAILABLE_IN_ALL
gboolean        lt_work_is_completed                (LtWork         *self);

G_END_DECLS
