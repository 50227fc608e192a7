/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "lt-grad-fn.h"
#include "ops/lt-op-private.h"

G_BEGIN_DECLS

typedef struct
{
  LtGradFn *fn;          /* owned; NULL when the input needs no gradient */
  guint input_nr;        /* which output of @fn the input is (see n_outputs) */
} LtEdge;

/* What a node remembers of a tensor: its shape (in the node's own memory,
 * see _lt_tensor_meta_init()), dtype and device. */
typedef struct
{
  const gint64 *shape;
  guint ndim : 8;
  LtDType dtype : 8;
  LtDevice device : 8;
} LtTensorMeta;

#define LT_GRAD_FN_INLINE_INPUTS 3
#define LT_GRAD_FN_MAX_SAVED 4

/* What a node knows of the tensors it saved (kept after they are freed). */
typedef struct
{
  guint version[LT_GRAD_FN_MAX_SAVED];
  LtTensorMeta meta[LT_GRAD_FN_MAX_SAVED];
} LtSavedInfo;

#define LT_GRAD_FN_INLINE_DIMS 8

struct _LtGradFn
{
  GObject parent_instance;

  LtOp op;
  guint overload;              /* which of its row's node names it has: 0 or 1 */
  gboolean has_retained : 1;   /* @retained was set */
  gboolean not_twice : 1;      /* stands for a gradient that @op's backward rule
                                * computed without a graph: differentiating it
                                * is an error */
  guint n_inputs;
  guint n_saved;
  /* Outputs: 1, or for unbind the n slices along params.view.dim of a
   * tensor shaped as input 0, each its own tensor (LtTensor.output_nr,
   * LtEdge.input_nr). The engine gathers their gradients into one tensor
   * of input 0's shape, zeros where an output got none, and the backward
   * rule gets that; output_meta is the first output's. Hooks on an
   * output are tagged with its number (LtHook.output_nr). */
  guint n_outputs;
  guint64 sequence_nr;
  gboolean released;           /* under @lock */
  guint n_dims_used;           /* of dims_inline */
  const char *module;          /* interned; the module scope it was made in, or NULL */
  gpointer custom;             /* LtFunctionCtx of a custom function's node (owned) */

  /* Owned (or pointing into the inline arrays below) */
  LtEdge *next;
  LtTensorMeta *input_meta;
  LtTensor *saved[LT_GRAD_FN_MAX_SAVED];
  LtTensor *variable;          /* AccumulateGrad: the leaf */
  GPtrArray *pre_hooks;        /* LtHook: hooks of the output tensor */
  GWeakRef retained;           /* the output tensor, if it retains its grad */
  GWeakRef *retained_outputs;  /* unbind: the outputs that retain their grad
                                * (allocated by the first) */
  gpointer dims_blocks;        /* shapes that did not fit dims_inline (a list) */

  LtSavedInfo *saved_info;     /* allocated by the first save */
  LtTensorMeta output_meta;
  LtOpParams params;

  /* Held while the backward rule reads the saved tensors and while a pass
   * releases them, so that passes on several threads can share the node.
   * Everything else a pass needs lives in the pass. */
  GMutex lock;

  LtEdge next_inline[LT_GRAD_FN_INLINE_INPUTS];
  LtTensorMeta meta_inline[LT_GRAD_FN_INLINE_INPUTS];
  gint64 dims_inline[LT_GRAD_FN_INLINE_DIMS];
};

/* Fills @meta from @t, keeping the shape in @node's memory. */
void      _lt_tensor_meta_init          (LtGradFn     *node,
                                         LtTensorMeta *meta,
                                         LtTensor     *t);

/* Module scopes (thread-local). nn/ pushes a frame for every module whose
 * forward runs on this thread: @owner identifies the module (opaque here),
 * @path is the dotted module path its nodes record (interned with
 * g_intern_string(), or NULL outside any named module). Nodes created
 * while a frame is on top record its path. Frames nest; every push is
 * matched by a pop. */
void        _lt_autograd_scope_push     (gpointer      owner,
                                         const char   *path);
void        _lt_autograd_scope_pop      (void);
/* The top frame's path; its owner in @owner (NULL when no frame). */
const char *_lt_autograd_scope_get      (gpointer     *owner);

/* Grad mode (thread-local) */
gboolean  _lt_grad_mode_enabled         (void);
/* Whether this thread runs the backward rules of a create_graph pass (grad
 * mode on): the private helpers the rules use (casts, contiguous copies,
 * reductions to a shape) then record their nodes like public ops. */
gboolean  _lt_creating_graph            (void);

/* Recording. Returns a new node with edges to the inputs that require
 * grad, or NULL when grad mode is off or no input requires grad. The caller
 * saves the arguments its row names (_lt_autograd_save_args ()), then hands
 * the node to its output with _lt_autograd_set_output (), which saves the
 * output if the row names it. */
LtGradFn *_lt_autograd_record           (LtOp             op,
                                         LtTensor *const *inputs,
                                         guint            n_inputs);
void      _lt_autograd_set_output       (LtGradFn        *node,
                                         LtTensor        *out);
gboolean  _lt_autograd_check_inplace    (LtTensor        *self,
                                         const char      *op,
                                         GError         **error);
gboolean  _lt_any_requires_grad         (LtTensor *const *inputs,
                                         guint            n_inputs);

/* Saves what the saves column of @node's row names among @args, the op's
 * tensor arguments as its kernel gets them (LT_SAVED_ARG0 is args[0]; an
 * entry may be NULL): each one that the gradient of a live input reads. An
 * argument sharing storage with @inplace_dest, which an in-place op is
 * about to overwrite, is saved as a copy taken now, as PyTorch saves
 * self.clone () for in-place ops that need self. */
void      _lt_autograd_save_args        (LtGradFn        *node,
                                         LtTensor *const *args,
                                         guint            n_args,
                                         LtTensor        *inplace_dest);
/* _lt_autograd_set_output () for an op with a second output @aux (saved
 * when the row names LT_SAVED_AUX). */
void      _lt_autograd_set_outputs      (LtGradFn        *node,
                                         LtTensor        *out,
                                         LtTensor        *aux);
/* Hands @node (taken) to @n_outs outputs, the slices along @dim of a
 * tensor shaped as the node's input 0 (see LtGradFn.n_outputs); saves
 * nothing. With @n_outs 0 the node is dropped. */
void      _lt_autograd_set_slice_outputs (LtGradFn       *node,
                                          LtTensor      **outs,
                                          guint           n_outs,
                                          guint           dim);
/* The tensor the row names @what, checked against in-place changes since it
 * was saved; NULL with @error set when it was freed by an earlier backward
 * or changed. _optional: TRUE with *@t NULL when the argument was NULL. */
LtTensor *_lt_grad_fn_get_saved         (LtGradFn        *node,
                                         LtSaved          what,
                                         GError         **error);
gboolean  _lt_grad_fn_get_saved_optional (LtGradFn       *node,
                                          LtSaved         what,
                                          LtTensor      **t,
                                          GError        **error);
static inline gboolean
_lt_grad_fn_needs_input_grad (LtGradFn *node,
                              guint     i)
{
  return i < node->n_inputs && node->next[i].fn != NULL;
}
/* Under create_graph a backward rule that computes @out from @inputs with a
 * kernel that has no derivative (a conv or pool gradient kernel) gives @out
 * a node of @of's op that refuses to be differentiated, so that a second
 * backward through it is an error naming @of instead of a gradient that
 * silently lacks a term. Does nothing with grad mode off or when no input
 * requires grad. */
void      _lt_autograd_not_twice        (LtGradFn        *of,
                                         LtTensor        *out,
                                         LtTensor *const *inputs,
                                         guint            n_inputs);
/* Saved outputs that a backward rule read under create_graph are handed out
 * as tensors whose grad_fn is the node (as PyTorch unpacks them), kept on
 * a per-thread list: the engine notes its length before a rule and drops
 * what the rule added after it. */
guint     _lt_grad_fn_n_unpacked        (void);
void      _lt_grad_fn_drop_unpacked     (guint            keep);
LtGradFn *_lt_grad_fn_get_accumulator   (LtTensor        *leaf);
/* Makes @node's leaf forget its cached AccumulateGrad node @node: the
 * next operation on the leaf makes a new one. The leaf's cache is a weak
 * pointer, so a graph holding @node may then go to another thread, and
 * drop @node there, while this thread goes on using the leaf. */
void      _lt_grad_fn_forget_accumulator (LtGradFn       *node);
void      _lt_grad_fn_retain_output     (LtGradFn        *node,
                                         LtTensor        *out);
void      _lt_grad_fn_release           (LtGradFn        *node);

G_END_DECLS
