/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-tensor.h"
#include "lt-error.h"
#include "lt-storage-private.h"
#include "lt-shape-private.h"
#include "lt-dtype-private.h"

G_BEGIN_DECLS

/* A gradient hook. Refcounted: a backward pass runs a copy of the list it
 * took, so a hook can remove itself (or others) while it runs; the last
 * reference frees @user_data. */
typedef struct
{
  gatomicrefcount ref_count;
  guint id;
  LtTensorHookFunc func;
  LtTensorPostAccumulateGradHookFunc post_accumulate_func; /* instead of func */
  gpointer user_data;
  GDestroyNotify destroy;
  guint output_nr;             /* which output of a node with several outputs
                                * (unbind) the hook was registered on */
} LtHook;

LtHook *_lt_hook_new   (LtTensorHookFunc func,
                        gpointer         user_data,
                        GDestroyNotify   destroy);
LtHook *_lt_hook_ref   (LtHook          *hook);
void    _lt_hook_unref (LtHook          *hook);

/* Drops a reference to a GObject. A tensor owns its autograd node, a node
 * the nodes and tensors it needs, and so on down a whole history: while a
 * release runs on this thread, the releases it causes are queued and done
 * one after another by the outermost one, so that freeing a history of any
 * length takes a bounded stack. */
void _lt_object_release (gpointer object);

struct _LtTensor
{
  GObject parent_instance;

  /* Owned */
  LtStorage *storage;
  LtTensor *grad;
  LtGradFn *grad_fn;
  GPtrArray *hooks;            /* LtHook: gradient hooks of a leaf */
  GPtrArray *post_accumulate_hooks; /* LtHook: run after .grad of a leaf was accumulated */

  /* Borrowed: the AccumulateGrad node of a leaf that requires grad, cached
   * while some graph holds it; the node clears this when it is finalized. */
  LtGradFn *grad_accumulator;

  gint64 offset;               /* in elements */
  gint64 numel;
  gint64 shape[LT_MAX_DIMS];
  gint64 strides[LT_MAX_DIMS]; /* in elements */
  guint ndim;
  LtDType dtype;
  guint output_nr;             /* which output of @grad_fn the tensor is: 0 but for
                                * the outputs of a node with several (unbind) */
  guint requires_grad : 1;
  guint retains_grad : 1;
  guint is_view : 1;
  guint is_wrapped_number : 1; /* a C/Python number promoted to a 0-dim tensor */
  guint is_parameter : 1;      /* a module's learnable weight (the graph shows it so) */
};

/* Creation of tensor objects (no kernels run). */
LtTensor *_lt_tensor_new_empty        (const gint64 *shape,
                                       guint         ndim,
                                       LtDType       dtype,
                                       LtDevice      device,
                                       GError      **error);
LtTensor *_lt_tensor_new_with_storage (LtStorage    *storage,
                                       const gint64 *shape,
                                       const gint64 *strides,
                                       guint         ndim,
                                       gint64        offset,
                                       LtDType       dtype);
LtTensor *_lt_tensor_new_view         (LtTensor     *base,
                                       const gint64 *shape,
                                       const gint64 *strides,
                                       guint         ndim,
                                       gint64        offset);
LtTensor *_lt_tensor_new_scalar       (double        value,
                                       LtDType       dtype,
                                       gboolean      wrapped);
LtTensor *_lt_tensor_empty_like       (LtTensor     *like,
                                       LtDType       dtype,
                                       GError      **error);

static inline gpointer
_lt_tensor_data (LtTensor *t)
{
  return (guint8 *) t->storage->data + t->offset * (gint64) lt_dtype_get_element_size (t->dtype);
}

static inline void
_lt_tensor_bump_version (LtTensor *t)
{
  _lt_storage_bump_version (t->storage);
}

G_END_DECLS
