/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "backends/lt-backend-private.h"
#include "core/lt-dtype-private.h"

G_BEGIN_DECLS

/* Below this many elements a loop runs on the calling thread alone. */
#define LT_CPU_GRAIN 32768

int  _lt_cpu_get_num_threads (void);

/*
 * Parallel regions: runs @func (tid, n, ctx) for tid = 0 .. @n - 1, at once
 * on the calling thread (tid 0) and n - 1 threads of the backend's pool, and
 * returns when all are done. From inside a region, or while the pool serves
 * another thread, the parts run one after the other on the calling thread.
 * Callers pass n <= _lt_cpu_get_num_threads ().
 */
typedef void (*LtCpuParallelFunc) (int      tid,
                                   int      n,
                                   gpointer ctx);

void _lt_cpu_parallel (int               n,
                       LtCpuParallelFunc func,
                       gpointer          ctx);

/* The part [*begin, *end) of [0, total) that part @tid of @n takes. */
static inline void
_lt_cpu_split (gint64  total,
               int     tid,
               int     n,
               gint64 *begin,
               gint64 *end)
{
  gint64 chunk = (total + n - 1) / n;

  *begin = MIN (total, tid * chunk);
  *end = MIN (total, *begin + chunk);
}

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
gboolean _lt_cpu_randperm     (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_reduce       (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_softmax      (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_gemm         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_index        (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_nll_loss      (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_sgd_update   (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_conv         (const LtKernelArgs *args, GError **error);
gboolean _lt_cpu_pool         (const LtKernelArgs *args, GError **error);

G_END_DECLS
