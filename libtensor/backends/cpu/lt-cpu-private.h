/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "backends/lt-backend-private.h"
#include "core/lt-dtype-private.h"

G_BEGIN_DECLS

/* Below this many elements a loop runs on the calling thread alone. */
#define LT_CPU_GRAIN 32768

int  _lt_cpu_get_num_threads (void);

/*
 * Elementwise iteration. @ops[0] is the output and defines the iteration
 * shape; the other operands broadcast to it. The loop gets one pointer per
 * operand, the byte stride of each operand along the innermost dimension,
 * and the number of elements of the run. Dimensions are reordered to follow
 * the output's memory order and coalesced, so a contiguous output and inputs
 * give a single run (per thread).
 */
typedef void (*LtCpuLoop) (char        **data,
                           const gint64 *strides,
                           gint64        n,
                           gpointer      ctx);

void _lt_cpu_foreach (LtTensor **ops,
                      guint      n_ops,
                      LtCpuLoop  loop,
                      gpointer   ctx,
                      gboolean   parallel);

/* Kernels by family, each a LtKernel */
gboolean _lt_cpu_unary        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_binary       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_where        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_copy         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_fill         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_random       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_range        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_reduce       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_softmax      (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_gemm         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_index        (const LtKernelArgs *args, GError **error);

G_END_DECLS
