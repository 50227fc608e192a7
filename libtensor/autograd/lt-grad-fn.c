/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-grad-fn-private.h"
#include "lt-function-private.h"
#include "ops/lt-ops-private.h"
#include "core/lt-shape-private.h"
#include "core/lt-dtype-private.h"

/**
 * LtGradFn:
 *
 * A node of the autograd graph: one recorded operation. It knows the name
 * PyTorch gives the same node (`AddBackward0`, `MulBackward0`, ...), the
 * nodes of its inputs (its next functions), and the tensors it saved for its
 * backward rule. Leaves that require grad are reached through
 * `AccumulateGrad` nodes, whose variable is the leaf.
 *
 * Nodes are created by operations and freed with the last tensor that refers
 * to them; lt_tensor_backward() walks them.
 *
 * A node made while a module's forward runs (lt_module_forward()) records
 * the dotted path of that module in the network ("conv1", "features.0"):
 * see lt_grad_fn_get_module().
 */

enum {
  PROP_0,
  PROP_NAME,
  PROP_MODULE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint64 sequence_counter;
static GPrivate    unpacked_key = G_PRIVATE_INIT ((GDestroyNotify) g_ptr_array_unref);
G_LOCK_DEFINE_STATIC (accumulator);

/* Module scopes: a stack per thread. Frames beyond LT_SCOPE_MAX_DEPTH are
 * counted but not stored; nodes made there record the deepest stored
 * path. */
#define LT_SCOPE_MAX_DEPTH 64

typedef struct
{
  gpointer owner;
  const char *path;            /* interned, nullable */
} ScopeFrame;

static _Thread_local ScopeFrame scope_frames[LT_SCOPE_MAX_DEPTH];
static _Thread_local guint scope_depth;

void
_lt_autograd_scope_push (gpointer    owner,
                         const char *path)
{
  if (scope_depth < LT_SCOPE_MAX_DEPTH)
    {
      scope_frames[scope_depth].owner = owner;
      scope_frames[scope_depth].path = path;
    }
  scope_depth++;
}

void
_lt_autograd_scope_pop (void)
{
  g_return_if_fail (scope_depth > 0);
  scope_depth--;
}

const char *
_lt_autograd_scope_get (gpointer *owner)
{
  const ScopeFrame *top;

  if (scope_depth == 0)
    {
      if (owner)
        *owner = NULL;
      return NULL;
    }
  top = &scope_frames[MIN (scope_depth, LT_SCOPE_MAX_DEPTH) - 1];
  if (owner)
    *owner = top->owner;
  return top->path;
}

G_DEFINE_FINAL_TYPE (LtGradFn, lt_grad_fn, G_TYPE_OBJECT)

/* Frees the saved tensors once a backward pass no longer needs them. The
 * lock keeps them while another pass's backward rule reads them; they are
 * freed after it is dropped (freeing may run a hook's destroy notify). */
void
_lt_grad_fn_release (LtGradFn *node)
{
  LtTensor *saved[LT_GRAD_FN_MAX_SAVED];
  guint     n;

  g_mutex_lock (&node->lock);
  n = node->n_saved;
  for (guint i = 0; i < n; i++)
    saved[i] = g_steal_pointer (&node->saved[i]);
  node->released = TRUE;
  if (node->custom)
    _lt_function_ctx_release_saved (node->custom);
  g_mutex_unlock (&node->lock);
  for (guint i = 0; i < n; i++)
    _lt_object_release (saved[i]);
}

static void
lt_grad_fn_dispose (GObject *object)
{
  LtGradFn *self = LT_GRAD_FN (object);

  if (self->op == LT_OP_ACCUMULATE_GRAD && self->variable)
    {
      G_LOCK (accumulator);
      if (self->variable->grad_accumulator == self)
        self->variable->grad_accumulator = NULL;
      G_UNLOCK (accumulator);
    }

  G_OBJECT_CLASS (lt_grad_fn_parent_class)->dispose (object);
}

static void
lt_grad_fn_finalize (GObject *object)
{
  LtGradFn *self = LT_GRAD_FN (object);

  /* The nodes and tensors this one owns may own long histories in turn:
   * _lt_object_release() frees them one after another instead of one
   * inside the other. */
  for (guint i = 0; i < self->n_inputs; i++)
    _lt_object_release (g_steal_pointer (&self->next[i].fn));
  if (self->next != self->next_inline)
    {
      g_free (self->next);
      g_free (self->input_meta);
    }
  for (guint i = 0; i < self->n_saved; i++)
    _lt_object_release (g_steal_pointer (&self->saved[i]));
  _lt_object_release (g_steal_pointer (&self->variable));
  _lt_object_release (g_steal_pointer (&self->custom));
  g_clear_pointer (&self->saved_info, g_free);
  g_clear_pointer (&self->pre_hooks, g_ptr_array_unref);
  if (self->has_retained)
    g_weak_ref_clear (&self->retained);
  if (self->retained_outputs)
    {
      for (guint k = 0; k < self->n_outputs; k++)
        g_weak_ref_clear (&self->retained_outputs[k]);
      g_free (self->retained_outputs);
    }
  while (self->dims_blocks)
    {
      gpointer *block = self->dims_blocks;

      self->dims_blocks = block[0];
      g_free (block);
    }
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (lt_grad_fn_parent_class)->finalize (object);
}

static void
lt_grad_fn_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LtGradFn *self = LT_GRAD_FN (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, lt_grad_fn_get_name (self));
      break;
    case PROP_MODULE:
      g_value_set_string (value, self->module);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_grad_fn_class_init (LtGradFnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lt_grad_fn_dispose;
  object_class->finalize = lt_grad_fn_finalize;
  object_class->get_property = lt_grad_fn_get_property;

  /**
   * LtGradFn:name:
   *
   * The node's name, as PyTorch names the same node: "AddBackward0",
   * "MulBackward0", "AccumulateGrad", ...
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * LtGradFn:module:
   *
   * The dotted path of the module whose forward made the node, or %NULL:
   * see lt_grad_fn_get_module().
   */
  properties[PROP_MODULE] =
    g_param_spec_string ("module", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lt_grad_fn_init (LtGradFn *self)
{
  g_mutex_init (&self->lock);
  self->output_meta.shape = self->dims_inline;
}

/* A node keeps the shapes it remembers in its own memory: a few dimensions
 * inline, the rest in blocks of their own. Nodes are many (a long history
 * holds millions), so they stay small. */
static const gint64 *
store_dims (LtGradFn *node, const gint64 *shape, guint ndim)
{
  gint64 *dims;

  if (node->n_dims_used + ndim <= LT_GRAD_FN_INLINE_DIMS)
    {
      dims = node->dims_inline + node->n_dims_used;
      node->n_dims_used += ndim;
    }
  else
    {
      gpointer *block = g_malloc (sizeof (gpointer) + ndim * sizeof (gint64));

      block[0] = node->dims_blocks;
      node->dims_blocks = block;
      dims = (gint64 *) (block + 1);
    }
  if (ndim > 0)
    memcpy (dims, shape, ndim * sizeof (gint64));
  return dims;
}

void
_lt_tensor_meta_init (LtGradFn *node, LtTensorMeta *meta, LtTensor *t)
{
  meta->shape = store_dims (node, t->shape, t->ndim);
  meta->ndim = t->ndim;
  meta->dtype = t->dtype;
  meta->device = t->storage->device;
}

static LtGradFn *
grad_fn_new (LtOp  op,
             guint n_inputs)
{
  LtGradFn *node = g_object_new (LT_TYPE_GRAD_FN, NULL);

  node->op = op;
  node->n_inputs = n_inputs;
  node->n_outputs = 1;
  node->module = _lt_autograd_scope_get (NULL);
  node->sequence_nr = __atomic_fetch_add (&sequence_counter, 1, __ATOMIC_RELAXED);
  if (n_inputs <= LT_GRAD_FN_INLINE_INPUTS)
    {
      node->next = node->next_inline;
      node->input_meta = node->meta_inline;
    }
  else
    {
      node->next = g_new0 (LtEdge, n_inputs);
      node->input_meta = g_new0 (LtTensorMeta, n_inputs);
    }
  for (guint i = 0; i < n_inputs; i++)
    node->input_meta[i].shape = node->dims_inline;
  return node;
}

/* A leaf's AccumulateGrad node is cached in the leaf while some graph
 * holds it; graphs recorded on several threads share it. */
LtGradFn *
_lt_grad_fn_get_accumulator (LtTensor *leaf)
{
  LtGradFn *node;

  G_LOCK (accumulator);
  if (leaf->grad_accumulator)
    {
      node = g_object_ref (leaf->grad_accumulator);
      G_UNLOCK (accumulator);
      return node;
    }
  node = grad_fn_new (LT_OP_ACCUMULATE_GRAD, 0);
  node->variable = g_object_ref (leaf);
  _lt_tensor_meta_init (node, &node->output_meta, leaf);
  leaf->grad_accumulator = node;
  G_UNLOCK (accumulator);
  return node;
}

void
_lt_grad_fn_forget_accumulator (LtGradFn *node)
{
  if (node->op == LT_OP_ACCUMULATE_GRAD && node->variable)
    {
      G_LOCK (accumulator);
      if (node->variable->grad_accumulator == node)
        node->variable->grad_accumulator = NULL;
      G_UNLOCK (accumulator);
    }
}

gboolean
_lt_any_requires_grad (LtTensor *const *inputs,
                       guint            n_inputs)
{
  if (!_lt_grad_mode_enabled ())
    return FALSE;
  for (guint i = 0; i < n_inputs; i++)
    if (inputs[i] && inputs[i]->requires_grad)
      return TRUE;
  return FALSE;
}

LtGradFn *
_lt_autograd_record (LtOp             op,
                     LtTensor *const *inputs,
                     guint            n_inputs)
{
  LtGradFn *node;

  if (!_lt_any_requires_grad (inputs, n_inputs))
    return NULL;

  node = grad_fn_new (op, n_inputs);
  for (guint i = 0; i < n_inputs; i++)
    {
      LtTensor *t = inputs[i];

      if (t == NULL)
        continue;
      _lt_tensor_meta_init (node, &node->input_meta[i], t);
      if (!t->requires_grad)
        continue;
      if (t->grad_fn)
        {
          node->next[i].fn = g_object_ref (t->grad_fn);
          node->next[i].input_nr = t->output_nr;
        }
      else
        node->next[i].fn = _lt_grad_fn_get_accumulator (t);
    }
  return node;
}

/* The slot of saved tensor @what in a node of @op: the row's saved
 * tensors are stored in the order of LtSaved. */
static guint
saved_slot (LtOp op, LtSaved what)
{
  guint32 saves = _lt_op_table[op].saves;
  guint   slot = 0;

  for (guint k = 0; k < what; k++)
    slot += _lt_saves_for (saves, k) != 0;
  return slot;
}

/* Whether @node keeps saved tensor @what: its row names it, for an input
 * whose gradient is wanted. */
static gboolean
saves (LtGradFn *node, LtSaved what)
{
  guint readers = _lt_saves_for (_lt_op_table[node->op].saves, what);

  for (guint i = 0; readers != 0 && i < node->n_inputs; i++, readers >>= 1)
    if ((readers & 1) && _lt_grad_fn_needs_input_grad (node, i))
      return TRUE;
  return FALSE;
}

static void
save (LtGradFn *node, LtSaved what, LtTensor *t)
{
  guint slot = saved_slot (node->op, what);

  g_assert (slot < LT_GRAD_FN_MAX_SAVED);
  if (node->saved_info == NULL)
    {
      node->saved_info = g_new0 (LtSavedInfo, 1);
      for (guint i = 0; i < LT_GRAD_FN_MAX_SAVED; i++)
        node->saved_info->meta[i].shape = node->dims_inline;
    }
  g_set_object (&node->saved[slot], t);
  node->saved_info->version[slot] = lt_storage_get_version (t->storage);
  _lt_tensor_meta_init (node, &node->saved_info->meta[slot], t);
  node->n_saved = MAX (node->n_saved, slot + 1);
}

void
_lt_autograd_save_args (LtGradFn *node, LtTensor *const *args, guint n_args, LtTensor *inplace_dest)
{
  for (guint k = 0; k < MIN (n_args, (guint) LT_SAVED_RESULT); k++)
    {
      g_autoptr(LtTensor) copy = NULL;

      if (args[k] == NULL || !saves (node, k))
        continue;
      /* a copy with the history of what it copies, so that a backward
       * under create_graph can differentiate through it */
      if (inplace_dest != NULL && args[k]->storage == inplace_dest->storage)
        copy =
          args[k]->requires_grad ? lt_tensor_clone (args[k], NULL) : _lt_clone_raw (args[k], NULL);
      save (node, k, copy ? copy : args[k]);
    }
}

void
_lt_autograd_set_outputs (LtGradFn *node, LtTensor *out, LtTensor *aux)
{
  if (saves (node, LT_SAVED_RESULT))
    {
      /* The output holds its node: the node saves a history-free alias of
       * it, or the node and the tensor would hold each other. */
      g_autoptr(LtTensor) alias = _lt_tensor_new_with_storage (
        out->storage, out->shape, out->strides, out->ndim, out->offset, out->dtype);

      save (node, LT_SAVED_RESULT, alias);
    }
  /* the second output has no history: saved as it is */
  if (aux != NULL && saves (node, LT_SAVED_AUX))
    save (node, LT_SAVED_AUX, aux);
  _lt_tensor_meta_init (node, &node->output_meta, out);
  g_clear_object (&out->grad_fn);
  out->grad_fn = node;
  out->output_nr = 0;
  out->requires_grad = TRUE;
}

void
_lt_autograd_set_output (LtGradFn *node, LtTensor *out)
{
  _lt_autograd_set_outputs (node, out, NULL);
}

void
_lt_autograd_set_slice_outputs (LtGradFn *node, LtTensor **outs, guint n_outs, guint dim)
{
  if (n_outs == 0)
    {
      g_object_unref (node);
      return;
    }
  node->n_outputs = n_outs;
  node->params.view.dim = dim;
  _lt_tensor_meta_init (node, &node->output_meta, outs[0]);
  for (guint k = 0; k < n_outs; k++)
    {
      g_clear_object (&outs[k]->grad_fn);
      outs[k]->grad_fn = k == 0 ? node : g_object_ref (node);
      outs[k]->output_nr = k;
      outs[k]->requires_grad = TRUE;
    }
}

gboolean
_lt_grad_fn_get_saved_optional (LtGradFn *node, LtSaved what, LtTensor **t, GError **error)
{
  guint slot = saved_slot (node->op, what);
  guint version;

  *t = NULL;
  if (!saves (node, what))
    {
      /* the row and the rule disagree: a bug, not a user's error */
      g_critical ("%s: its backward rule reads saved tensor %u, which the op table does not "
                  "save for the inputs that need gradients",
                  lt_grad_fn_get_name (node), what);
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                   "%s: its backward rule reads a tensor that was not saved",
                   lt_grad_fn_get_name (node));
      return FALSE;
    }
  if (node->released)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "%s: trying to backward through the graph a second time; its saved "
                   "tensors were freed by the first backward. Pass retain_graph=TRUE to "
                   "the first backward to keep them",
                   lt_grad_fn_get_name (node));
      return FALSE;
    }
  if (slot >= node->n_saved || node->saved[slot] == NULL)
    return TRUE;
  version = lt_storage_get_version (node->saved[slot]->storage);
  if (version != node->saved_info->version[slot])
    {
      g_autofree char *s = LT_SHAPE_STR (node->saved[slot]);
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "%s: a tensor it saved for backward (shape %s, %s) was modified by an "
                   "in-place operation: it is at version %u; expected version %u",
                   lt_grad_fn_get_name (node), s, lt_dtype_get_name (node->saved[slot]->dtype),
                   version, node->saved_info->version[slot]);
      return FALSE;
    }
  *t = node->saved[slot];
  if (what == LT_SAVED_RESULT && _lt_grad_mode_enabled ())
    {
      /* create_graph: the output with its history, so that the gradient
       * the rule computes from it depends on the node's inputs */
      GPtrArray *list = g_private_get (&unpacked_key);
      LtTensor  *r = _lt_tensor_new_with_storage ((*t)->storage, (*t)->shape, (*t)->strides,
                                                  (*t)->ndim, (*t)->offset, (*t)->dtype);

      r->grad_fn = g_object_ref (node);
      r->requires_grad = TRUE;
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_object_unref);
          g_private_set (&unpacked_key, list);
        }
      g_ptr_array_add (list, r);
      *t = r;
    }
  return TRUE;
}

guint
_lt_grad_fn_n_unpacked (void)
{
  GPtrArray *list = g_private_get (&unpacked_key);

  return list ? list->len : 0;
}

void
_lt_grad_fn_drop_unpacked (guint keep)
{
  GPtrArray *list = g_private_get (&unpacked_key);

  if (list && list->len > keep)
    g_ptr_array_set_size (list, keep);
}

void
_lt_autograd_not_twice (LtGradFn *of, LtTensor *out, LtTensor *const *inputs, guint n_inputs)
{
  LtGradFn *node = _lt_autograd_record (of->op, inputs, n_inputs);

  if (node == NULL)
    return;
  node->not_twice = TRUE;
  node->overload = of->overload;
  _lt_tensor_meta_init (node, &node->output_meta, out);
  g_clear_object (&out->grad_fn);
  out->grad_fn = node;
  out->requires_grad = TRUE;
}

LtTensor *
_lt_grad_fn_get_saved (LtGradFn *node, LtSaved what, GError **error)
{
  LtTensor *t;

  if (!_lt_grad_fn_get_saved_optional (node, what, &t, error))
    return NULL;
  if (t == NULL)
    g_set_error (error, LT_ERROR, LT_ERROR_FAILED,
                 "%s: its backward rule reads a tensor that was not saved",
                 lt_grad_fn_get_name (node));
  return t;
}

void
_lt_grad_fn_retain_output (LtGradFn *node,
                           LtTensor *out)
{
  if (!node->has_retained)
    {
      g_weak_ref_init (&node->retained, out);
      node->has_retained = TRUE;
    }
  else
    g_weak_ref_set (&node->retained, out);
}

/**
 * lt_tensor_retain_grad:
 * @self: a tensor that requires grad
 * @error: return location for a #GError
 *
 * Asks lt_tensor_backward() to keep the gradient of a non-leaf tensor in its
 * #LtTensor:grad (leaves always keep theirs).
 *
 * Returns: %TRUE on success; %FALSE with @error set if @self does not
 *   require grad
 */
gboolean
lt_tensor_retain_grad (LtTensor *self, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (!self->requires_grad)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                           "retain_grad: the tensor does not require grad");
      return FALSE;
    }
  if (self->grad_fn == NULL || self->retains_grad)
    return TRUE;
  self->retains_grad = TRUE;
  if (self->grad_fn->op == LT_OP_UNBIND)
    {
      LtGradFn *node = self->grad_fn;

      /* one of several outputs: its own slot (zeroed memory is a cleared
       * GWeakRef) */
      g_mutex_lock (&node->lock);
      if (node->retained_outputs == NULL)
        node->retained_outputs = g_new0 (GWeakRef, node->n_outputs);
      g_weak_ref_set (&node->retained_outputs[self->output_nr], self);
      g_mutex_unlock (&node->lock);
      return TRUE;
    }
  _lt_grad_fn_retain_output (self->grad_fn, self);
  return TRUE;
}

gboolean
_lt_autograd_check_inplace (LtTensor   *self,
                            const char *op,
                            GError    **error)
{
  if (!_lt_grad_mode_enabled ())
    return TRUE;
  if (self->requires_grad && self->grad_fn == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "%s: a leaf tensor that requires grad is being used in an in-place "
                   "operation; do it under no-grad mode (lt_set_grad_enabled (FALSE)) or on "
                   "a detached tensor", op);
      return FALSE;
    }
  if (self->requires_grad && self->is_view)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "%s: in-place modification of a view of a tensor that requires grad is "
                   "not supported; modify a clone() instead", op);
      return FALSE;
    }
  return TRUE;
}

/* Public accessors */

/**
 * lt_grad_fn_get_name:
 * @self: a node
 *
 * Gets the name of the node, as PyTorch names the same node.
 *
 * Returns: (transfer none): the node's name, such as "MulBackward0"
 */
const char *
lt_grad_fn_get_name (LtGradFn *self)
{
  const char *name;

  g_return_val_if_fail (LT_IS_GRAD_FN (self), NULL);
  if (self->op == LT_OP_ACCUMULATE_GRAD)
    return "AccumulateGrad";
  if (self->custom)
    return _lt_function_ctx_get_name (self->custom);
  name = _lt_op_table[self->op].node_name[self->overload];
  if (name == NULL)
    name = _lt_op_table[self->op].node_name[0];
  return name ? name : _lt_op_table[self->op].name;
}

/**
 * lt_grad_fn_get_n_next_functions:
 * @self: a node
 *
 * Counts the inputs of the recorded operation: the entries of `next_functions`.
 *
 * Returns: the number of inputs of the recorded operation
 */
guint
lt_grad_fn_get_n_next_functions (LtGradFn *self)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), 0);
  return self->n_inputs;
}

/**
 * lt_grad_fn_get_next_function:
 * @self: a node
 * @index: an input of the operation, below lt_grad_fn_get_n_next_functions()
 * @input_nr: (out) (optional): the output number of the next node that fed
 *   the input (always 0: every node has one output)
 *
 * Gets the node the gradient of input @index flows to, as one entry of
 * PyTorch's `next_functions`.
 *
 * Returns: (transfer none) (nullable): the node, or %NULL when that input
 *   does not require grad
 */
LtGradFn *
lt_grad_fn_get_next_function (LtGradFn *self,
                              guint     index,
                              guint    *input_nr)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), NULL);
  g_return_val_if_fail (index < self->n_inputs, NULL);
  if (input_nr)
    *input_nr = self->next[index].input_nr;
  return self->next[index].fn;
}

/**
 * lt_grad_fn_get_n_saved_tensors:
 * @self: a node
 *
 * Counts the tensors the node keeps for its backward rule.
 *
 * Returns: the number of tensors the node saved for its backward rule
 */
guint
lt_grad_fn_get_n_saved_tensors (LtGradFn *self)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), 0);
  return self->n_saved;
}

/**
 * lt_grad_fn_get_saved_shape:
 * @self: a node
 * @index: a saved tensor, below lt_grad_fn_get_n_saved_tensors()
 * @n_dims: (out) (optional): the number of dimensions
 *
 * Gets the shape of a saved tensor (known even after the tensor was freed).
 *
 * Returns: (array length=n_dims) (transfer none): the shape
 */
const gint64 *
lt_grad_fn_get_saved_shape (LtGradFn *self,
                            guint     index,
                            guint    *n_dims)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), NULL);
  g_return_val_if_fail (index < self->n_saved, NULL);
  if (n_dims)
    *n_dims = self->saved_info->meta[index].ndim;
  return self->saved_info->meta[index].shape;
}

/**
 * lt_grad_fn_get_released:
 * @self: a node
 *
 * Tells whether a backward pass already freed the saved tensors.
 *
 * Returns: %TRUE once a backward pass without retain_graph freed the
 *   node's saved tensors
 */
gboolean
lt_grad_fn_get_released (LtGradFn *self)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), FALSE);
  return self->released;
}

/**
 * lt_grad_fn_get_variable:
 * @self: a node
 *
 * Gets the leaf tensor of an `AccumulateGrad` node.
 *
 * Returns: (transfer none) (nullable): the leaf, or %NULL for other nodes
 */
LtTensor *
lt_grad_fn_get_variable (LtGradFn *self)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), NULL);
  return self->variable;
}

/**
 * lt_grad_fn_get_sequence_number:
 * @self: a node
 *
 * Gets the creation order of the node: later operations have larger numbers.
 *
 * Returns: the sequence number
 */
guint64
lt_grad_fn_get_sequence_number (LtGradFn *self)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), 0);
  return self->sequence_nr;
}

/**
 * lt_grad_fn_get_module:
 * @self: a node
 *
 * Gets the dotted path, in the network, of the module whose forward made
 * the node: "conv1" for a node made in the forward of the child registered
 * as "conv1", "features.0" for one made in the first child of the
 * #LtSequential registered as "features". lt_module_forward() sets the
 * scope; operations that a network's own forward runs outside any child
 * (a `view`, a `relu` written as a function) record %NULL, as do nodes made
 * outside any module.
 *
 * An `AccumulateGrad` node records the scope in which its leaf was first
 * used; lt_module_name_graph() sets the module that owns the parameter in
 * a graph.
 *
 * Returns: (transfer none) (nullable): the module's dotted path, or %NULL
 */
const char *
lt_grad_fn_get_module (LtGradFn *self)
{
  g_return_val_if_fail (LT_IS_GRAD_FN (self), NULL);
  return self->module;
}
