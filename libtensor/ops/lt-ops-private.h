/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the op front ends and the backward rules. */

#include "lt-op-private.h"
#include "core/lt-shape-private.h"
#include "core/lt-dtype-private.h"
#include "autograd/lt-grad-fn-private.h"
#include "autograd/lt-autograd.h"
#include "lt-creation.h"
#include "lt-pointwise.h"
#include "lt-reduce.h"
#include "lt-scan.h"
#include "lt-rearrange.h"
#include "lt-linalg.h"
#include "lt-shape.h"
#include "lt-index.h"
#include "lt-index-put.h"
#include "lt-values.h"

G_BEGIN_DECLS

/* Runs the kernel of @op on the backend of @out's device; @aux is the
 * op's second output (LtKernelArgs), or NULL. */
gboolean  _lt_run              (LtOp              op,
                                LtTensor         *out,
                                LtTensor         *aux,
                                LtTensor *const  *in,
                                guint             n_in,
                                const LtOpParams *params,
                                GError          **error);

/* A new reference to @t when it already has @dtype / is contiguous. */
LtTensor *_lt_cast             (LtTensor   *t,
                                LtDType     dtype,
                                GError    **error);
LtTensor *_lt_contiguous       (LtTensor   *t,
                                GError    **error);
/* A host copy in row-major order; @t itself (a new reference) when it
 * already is a contiguous CPU tensor. */
LtTensor *_lt_contiguous_host  (LtTensor   *t,
                                GError    **error);
/* @t as @dtype on @device (a new reference when it already is): a CPU
 * scalar meets tensors of any device, as in PyTorch. */
LtTensor *_lt_cast_to          (LtTensor   *t,
                                LtDType     dtype,
                                LtDevice    device,
                                GError    **error);
/* Copy of @t in its own new storage (no autograd). */
LtTensor *_lt_clone_raw        (LtTensor   *t,
                                GError    **error);
/* dst <- src (broadcast, converted), no autograd, no version bump. */
gboolean  _lt_copy_into        (LtTensor   *dst,
                                LtTensor   *src,
                                GError    **error);
/* New tensor of @t's storage with another shape (no autograd, not a view
 * for in-place rules). */
LtTensor *_lt_alias_shape      (LtTensor     *t,
                                const gint64 *shape,
                                guint         ndim);

gboolean  _lt_check_devices    (const char      *op,
                                LtTensor *const *ts,
                                guint            n,
                                GError         **error);

/* torch.result_type over tensors: dimensioned tensors, then 0-dim tensors,
 * then wrapped numbers, by category. */
LtDType   _lt_result_type      (LtTensor *const *ts,
                                guint            n);
gboolean  _lt_can_cast         (LtDType from,
                                LtDType to);

/* Sums @grad down to @shape (the inverse of broadcasting). */
LtTensor *_lt_sum_to_shape     (LtTensor     *grad,
                                const gint64 *shape,
                                guint         ndim,
                                GError      **error);
/* Checks that an in-place write into @self is allowed: autograd rules and
 * no two elements sharing memory. */
gboolean  _lt_check_writable   (LtTensor   *self,
                                const char *op,
                                GError    **error);

/* Runs random op @op (LT_OPF_RANDOM: uniform on [a, b), normal of mean a
 * and standard deviation b, integers in [a, b)) into @out, taking the
 * generator's blocks for its elements (core/lt-random.c). */
gboolean  _lt_run_random       (LtOp        op,
                                LtTensor   *out,
                                double      a,
                                double      b,
                                GError    **error);

/* Zeros of the shape/dtype/device of a tensor meta. */
LtTensor *_lt_zeros_meta       (const LtTensorMeta *meta,
                                GError            **error);

/* A new tensor for an elementwise result, in @layout's memory order when
 * @layout has the result's shape and a dense non-row-major layout. */
LtTensor *_lt_new_output_like  (LtTensor     *layout,
                                const gint64 *shape,
                                guint         ndim,
                                LtDType       dtype,
                                LtDevice      device,
                                GError      **error);

/* The losses' shared checks and reduction (ops/lt-loss.c): @reduction is
 * one of LtReduction's; @t is floating point; @w broadcasts to @x's shape;
 * the losses of @elem reduced as @reduction says (a new reference for
 * none). Each names @op in its error. */
gboolean  _lt_loss_check_reduction     (const char  *op,
                                        LtReduction  reduction,
                                        GError     **error);
gboolean  _lt_loss_check_float         (const char  *op,
                                        const char  *what,
                                        LtTensor    *t,
                                        GError     **error);
gboolean  _lt_loss_check_broadcasts_to (const char  *op,
                                        const char  *what,
                                        LtTensor    *w,
                                        LtTensor    *x,
                                        GError     **error);
LtTensor *_lt_loss_reduce              (LtTensor    *elem,
                                        LtReduction  reduction,
                                        GError     **error);

/* lt-device-ops.c: @self on @device (with its index), a copy or @self */
LtTensor *_lt_tensor_move (LtTensor *self,
                           LtDevice  device,
                           GError  **error);

/* ops/lt-index.c: the end of an index op that writes (see there) */
LtTensor *_lt_index_write     (LtOp              op,
                               LtTensor         *self,
                               LtTensor         *work,
                               gboolean          inplace,
                               LtTensor        **inputs,
                               LtTensor        **kin,
                               const LtOpParams *params,
                               guint             overload,
                               GError          **error);

G_END_DECLS
