/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-autograd.h"
#include "lt-engine-private.h"
#include "lt-function-private.h"
#include "lt-grad-fn-private.h"
#include "ops/lt-ops-private.h"

/*
 * The backward engine. From the output's node it finds every reachable
 * node and counts, for each, the edges that lead to it; it then runs nodes
 * whose gradients are complete, newest first, passing each input's gradient
 * (reduced to the input's shape and converted to its dtype) down the edges,
 * adding gradients that meet. AccumulateGrad nodes add into their leaf's
 * .grad. It runs with grad mode off: gradients have no history. The state
 * of a pass is the pass's own, so passes may run on several threads at
 * once, or one inside another (from a hook).
 */

static _Thread_local int grad_disabled_depth; /* 0: enabled */
static _Thread_local int create_graph_depth;  /* create_graph passes running */
static _Thread_local int observed_depth;      /* passes with an observer running */

gboolean
_lt_engine_observed (void)
{
  return observed_depth > 0;
}

gboolean
_lt_creating_graph (void)
{
  return create_graph_depth > 0 && grad_disabled_depth == 0;
}

gboolean
_lt_grad_mode_enabled (void)
{
  return grad_disabled_depth == 0;
}

/**
 * lt_is_grad_enabled:
 *
 * Whether operations on this thread record autograd nodes.
 *
 * Returns: %TRUE unless lt_set_grad_enabled() turned recording off
 */
gboolean
lt_is_grad_enabled (void)
{
  return _lt_grad_mode_enabled ();
}

/**
 * lt_set_grad_enabled:
 * @enabled: whether to record autograd nodes on this thread
 *
 * Turns gradient recording on or off for the calling thread, as
 * `torch.set_grad_enabled()`. Restore the previous state when done:
 *
 * |[<!-- language="C" -->
 * gboolean prev = lt_set_grad_enabled (FALSE);
 * ...
 * lt_set_grad_enabled (prev);
 * ]|
 *
 * Returns: the previous state
 */
gboolean
lt_set_grad_enabled (gboolean enabled)
{
  gboolean prev = grad_disabled_depth == 0;

  grad_disabled_depth = enabled ? 0 : 1;
  return prev;
}

/**
 * lt_no_grad:
 * @func: (scope call): the work to run
 * @user_data: (closure func): data for @func
 *
 * Runs @func with gradient recording off on this thread, then restores the
 * previous state: the `with torch.no_grad():` block of C and JavaScript.
 */
void
lt_no_grad (LtNoGradFunc func,
            gpointer     user_data)
{
  gboolean prev;

  g_return_if_fail (func != NULL);
  prev = lt_set_grad_enabled (FALSE);
  func (user_data);
  lt_set_grad_enabled (prev);
}

/**
 * lt_tensor_detach:
 * @self: a tensor
 *
 * Gets a tensor sharing @self's storage without autograd history: it does
 * not require grad and has no node.
 *
 * Returns: (transfer full): the detached tensor
 */
LtTensor *
lt_tensor_detach (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return _lt_tensor_new_with_storage (self->storage, self->shape, self->strides, self->ndim,
                                      self->offset, self->dtype);
}

/**
 * lt_tensor_detach_:
 * @self: a tensor
 * @error: return location for a #GError
 *
 * Detaches @self from the autograd graph in place, as `x.detach_()`: it
 * no longer requires grad, has no node and is a leaf. The graph already
 * recorded is left as it is (a backward pass through it still runs). A
 * view (made by slicing, view(), transpose(), ...) cannot be detached in
 * place, as in PyTorch: its history is shared with its base; use
 * lt_tensor_detach().
 *
 * Returns: %TRUE, or %FALSE with @error set when @self is a view
 */
gboolean
lt_tensor_detach_ (LtTensor *self, GError **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);

  if (self->is_view)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                           "detach_: can't detach views in-place; use detach() instead");
      return FALSE;
    }
  /* a long history is freed with a bounded stack */
  _lt_object_release (g_steal_pointer (&self->grad_fn));
  self->output_nr = 0;
  self->requires_grad = FALSE;
  self->retains_grad = FALSE;
  return TRUE;
}

/* The hook lists of tensors and nodes change under this lock; a pass runs
 * a copy of a list taken under it. */
G_LOCK_DEFINE_STATIC (hooks);

/* .grad of leaves (and of non-leaves that retain it) is accumulated under
 * this lock: passes on several threads may reach the same leaf. */
G_LOCK_DEFINE_STATIC (accumulate);

/**
 * lt_tensor_register_hook:
 * @self: a tensor that requires grad
 * @func: (scope notified) (closure user_data) (destroy destroy): the hook
 * @user_data: data for @func
 * @destroy: frees @user_data when the hook is removed
 * @error: return location for a #GError
 *
 * Registers a gradient hook, as `x.register_hook()`: during
 * lt_tensor_backward(), @func sees the gradient computed for @self and may
 * return a replacement of the same shape, dtype and device. A hook that
 * sets its error makes the backward pass fail with that error (prefixed
 * with what the hook was registered on); gradients already added into
 * leaves by that pass stay added.
 *
 * Returns: an id for lt_tensor_remove_hook(), or 0 with @error set when
 *   @self does not require grad
 */
guint
lt_tensor_register_hook (LtTensor        *self,
                         LtTensorHookFunc func,
                         gpointer         user_data,
                         GDestroyNotify   destroy,
                         GError         **error)
{
  LtHook     *hook;
  GPtrArray **list;
  guint       id;

  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  if (!self->requires_grad)
    {
      if (destroy)
        destroy (user_data);
      g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                           "register_hook: cannot register a hook on a tensor that does not "
                           "require grad");
      return 0;
    }
  hook = _lt_hook_new (func, user_data, destroy);
  hook->output_nr = self->output_nr;
  id = hook->id;
  G_LOCK (hooks);
  list = self->grad_fn ? &self->grad_fn->pre_hooks : &self->hooks;
  if (*list == NULL)
    *list = g_ptr_array_new_with_free_func ((GDestroyNotify) _lt_hook_unref);
  g_ptr_array_add (*list, hook);
  G_UNLOCK (hooks);
  return id;
}

/**
 * lt_tensor_register_post_accumulate_grad_hook:
 * @self: a leaf tensor that requires grad
 * @func: (scope notified) (closure user_data) (destroy destroy): the hook
 * @user_data: data for @func
 * @destroy: frees @user_data when the hook is removed
 * @error: return location for a #GError
 *
 * Registers a hook that runs during lt_tensor_backward() right after a
 * gradient was added into @self's #LtTensor:grad, as PyTorch's
 * `register_post_accumulate_grad_hook`: it sees the accumulated gradient
 * (with what earlier passes left there), for instance to start reducing
 * it across processes while the pass goes on. Remove it with
 * lt_tensor_remove_hook().
 *
 * Returns: an id for lt_tensor_remove_hook(), or 0 with @error set when
 *   @self does not require grad or is not a leaf
 */
guint
lt_tensor_register_post_accumulate_grad_hook (LtTensor                          *self,
                                              LtTensorPostAccumulateGradHookFunc func,
                                              gpointer                           user_data,
                                              GDestroyNotify                     destroy,
                                              GError                           **error)
{
  LtHook *hook;
  guint   id;

  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  if (!self->requires_grad || self->grad_fn != NULL)
    {
      if (destroy)
        destroy (user_data);
      g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                           self->requires_grad
                             ? "register_post_accumulate_grad_hook: the tensor is not a leaf: "
                               "only a leaf accumulates a gradient"
                             : "register_post_accumulate_grad_hook: cannot register a hook on a "
                               "tensor that does not require grad");
      return 0;
    }
  hook = _lt_hook_new (NULL, user_data, destroy);
  hook->post_accumulate_func = func;
  id = hook->id;
  G_LOCK (hooks);
  if (self->post_accumulate_hooks == NULL)
    self->post_accumulate_hooks = g_ptr_array_new_with_free_func ((GDestroyNotify) _lt_hook_unref);
  g_ptr_array_add (self->post_accumulate_hooks, hook);
  G_UNLOCK (hooks);
  return id;
}

/**
 * lt_tensor_remove_hook:
 * @self: a tensor
 * @id: an id returned by lt_tensor_register_hook() or
 *   lt_tensor_register_post_accumulate_grad_hook()
 *
 * Removes a gradient hook. A hook may remove itself (or another) while it
 * runs; its data is freed once it has returned.
 *
 * Returns: %TRUE if the hook was found and removed
 */
gboolean
lt_tensor_remove_hook (LtTensor *self,
                       guint     id)
{
  GPtrArray *lists[3];
  LtHook    *found = NULL;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  G_LOCK (hooks);
  lists[0] = self->hooks;
  lists[1] = self->grad_fn ? self->grad_fn->pre_hooks : NULL;
  lists[2] = self->post_accumulate_hooks;
  for (guint l = 0; l < 3 && found == NULL; l++)
    {
      if (lists[l] == NULL)
        continue;
      for (guint i = 0; i < lists[l]->len; i++)
        {
          LtHook *hook = g_ptr_array_index (lists[l], i);

          if (hook->id == id)
            {
              found = g_ptr_array_steal_index (lists[l], i);
              break;
            }
        }
    }
  G_UNLOCK (hooks);
  /* dropped outside the lock: the last reference runs the destroy notify */
  if (found)
    _lt_hook_unref (found);
  return found != NULL;
}

/* A copy of @hooks, each with a reference, or NULL when there are none. */
static GPtrArray *
snapshot_hooks (GPtrArray **hooks)
{
  GPtrArray *copy = NULL;

  if (g_atomic_pointer_get (hooks) == NULL)
    return NULL;
  G_LOCK (hooks);
  if (*hooks && (*hooks)->len > 0)
    {
      copy = g_ptr_array_new_full ((*hooks)->len, (GDestroyNotify) _lt_hook_unref);
      for (guint i = 0; i < (*hooks)->len; i++)
        g_ptr_array_add (copy, _lt_hook_ref (g_ptr_array_index (*hooks, i)));
    }
  G_UNLOCK (hooks);
  return copy;
}

/* What a hook was registered on, for messages. */
static char *
hooked_what (LtGradFn *node, LtTensor *grad)
{
  g_autofree char *shape = LT_SHAPE_STR (grad);

  if (node == NULL || node->op == LT_OP_ACCUMULATE_GRAD)
    return g_strdup_printf ("a leaf of shape %s", shape);
  return g_strdup_printf ("the output of %s (shape %s)", lt_grad_fn_get_name (node), shape);
}

/* Runs the gradient hooks in @list on @grad (taken); a hook may replace it.
 * Returns NULL with @error set when a hook fails, or gives a tensor of
 * another shape, dtype or device. @node is the hooked tensor's node (its
 * AccumulateGrad for a leaf, or NULL), for messages. With @output_nr >= 0
 * only the hooks of that output of a node with several run. */
static LtTensor *
run_hooks (GPtrArray **list, LtGradFn *node, LtTensor *grad, gint output_nr, GError **error)
{
  g_autoptr(GPtrArray) hooks = snapshot_hooks (list);

  if (hooks == NULL)
    return grad;
  for (guint i = 0; i < hooks->len; i++)
    {
      LtHook          *hook = g_ptr_array_index (hooks, i);
      GError          *local = NULL;
      LtTensor        *replacement;
      g_autofree char *what = NULL;

      if (output_nr >= 0 && hook->output_nr != (guint) output_nr)
        continue;
      replacement = hook->func (grad, hook->user_data, &local);

      if (local != NULL)
        {
          what = hooked_what (node, grad);
          g_propagate_prefixed_error (error, local,
                                      "backward: a gradient hook on %s failed: ", what);
          g_clear_object (&replacement);
          g_object_unref (grad);
          return NULL;
        }
      if (replacement == NULL)
        continue;
      if (!_lt_shape_equal (replacement->shape, replacement->ndim, grad->shape, grad->ndim))
        {
          g_autofree char *s1 = LT_SHAPE_STR (replacement);

          what = hooked_what (node, grad);
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "backward: a gradient hook on %s returned a gradient of shape %s; a "
                       "hook must return a tensor of the gradient's shape or nothing",
                       what, s1);
        }
      else if (replacement->dtype != grad->dtype)
        {
          what = hooked_what (node, grad);
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "backward: a gradient hook on %s returned a %s gradient for a %s one; a "
                       "hook must keep the gradient's dtype",
                       what, lt_dtype_get_name (replacement->dtype),
                       lt_dtype_get_name (grad->dtype));
        }
      else if (replacement->storage->device != grad->storage->device)
        {
          what = hooked_what (node, grad);
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "backward: a gradient hook on %s returned a gradient on %s for one on "
                       "%s; a hook must keep the gradient's device",
                       what, lt_device_get_name (replacement->storage->device),
                       lt_device_get_name (grad->storage->device));
        }
      if (what != NULL)
        {
          g_object_unref (replacement);
          g_object_unref (grad);
          return NULL;
        }
      g_object_unref (grad);
      grad = replacement;
    }
  return grad;
}

/* Runs the post-accumulate-grad hooks of the leaf @t, after its .grad
 * was accumulated. */
static gboolean
run_post_accumulate_hooks (LtTensor *t, GError **error)
{
  g_autoptr(GPtrArray) hooks = snapshot_hooks (&t->post_accumulate_hooks);

  for (guint i = 0; hooks && i < hooks->len; i++)
    {
      LtHook *hook = g_ptr_array_index (hooks, i);
      GError *local = NULL;

      if (!hook->post_accumulate_func (t, hook->user_data, &local))
        {
          g_autofree char *shape = LT_SHAPE_STR (t);

          if (local == NULL)
            local = g_error_new_literal (LT_ERROR, LT_ERROR_FAILED,
                                         "the hook returned FALSE without an error");
          g_propagate_prefixed_error (error, local,
                                      "backward: a post-accumulate-grad hook on a leaf of shape "
                                      "%s failed: ",
                                      shape);
          return FALSE;
        }
    }
  return TRUE;
}

/* Whether @grad's memory is its own: nothing else refers to the tensor or
 * its storage, and its elements fill the storage in row-major order. A view
 * qualifies when it is the only thing left of its base (the transpose of a
 * product made column by column, say). */
static gboolean
grad_is_private (LtTensor *grad)
{
  return g_atomic_int_get (&G_OBJECT (grad)->ref_count) == 1 &&
         g_atomic_int_get (&grad->storage->ref_count) == 1 && grad->grad_fn == NULL &&
         grad->offset == 0 && lt_tensor_is_contiguous (grad) &&
         (gsize) grad->numel * lt_dtype_get_element_size (grad->dtype) == grad->storage->nbytes;
}

/* Adds @grad into @t's .grad (taking @grad), under the accumulation lock. */
static gboolean
accumulate_into (LtTensor *t,
                 LtTensor *grad,
                 GError  **error)
{
  gboolean ok = TRUE;

  G_LOCK (accumulate);
  if (t->grad == NULL)
    {
      /* Keep the gradient's memory when nothing else can see it (as a
       * tensor of its own, not a view of another). */
      if (grad->dtype == t->dtype && grad_is_private (grad))
        t->grad = grad->is_view ? _lt_tensor_new_with_storage (grad->storage, grad->shape,
                                                               grad->strides, grad->ndim, 0,
                                                               grad->dtype)
                                : g_object_ref (grad);
      else
        {
          LtTensor *copy = _lt_tensor_empty_like (t, t->dtype, error);

          if (copy == NULL || !_lt_copy_into (copy, grad, error))
            {
              g_clear_object (&copy);
              ok = FALSE;
            }
          t->grad = copy;
        }
    }
  else
    {
      ok = lt_tensor_add_ (t->grad, grad, error);
    }
  G_UNLOCK (accumulate);
  g_object_unref (grad);
  return ok;
}

/*
 * One backward pass. Everything it learns about the graph (which nodes it
 * reaches, how many edges into each it has still to see, the gradients
 * received so far) lives here, not in the nodes: passes on several threads,
 * or one started by a hook while another runs, share the nodes without
 * sharing this.
 */
typedef struct
{
  LtGradFn *node;         /* borrowed: the pass holds the root, the root the rest */
  LtTensor *grad;         /* owned: the sum of the gradients received */
  LtTensor *captured;     /* owned: the gradient kept for lt_autograd_grad() */
  /* A node whose outputs are slices (LtGradFn.sliced): without
   * create_graph @grad is one tensor shaped as the node's input 0 that
   * each output's gradient is written into (its slice along the node's
   * dim), with create_graph @slots holds each output's gradient until
   * the node runs; @written says which outputs got one. */
  LtTensor **slots;        /* owned */
  guint8    *written;      /* owned */
  guint     dependencies; /* edges into the node whose gradient has not come yet */
  guint      target : 1;   /* its output's gradient is captured */
  guint      needed : 1;   /* a captured gradient lies at or below it */
  guint      descend : 1;  /* a captured gradient lies below it */
} PassNode;

typedef struct
{
  GArray        *nodes; /* PassNode, in the order they were found */
  GHashTable    *index; /* LtGradFn -> position in nodes + 1 */
  GArray        *ready; /* positions in nodes: a max-heap by sequence number */
  gboolean       retain_graph;
  gboolean       create_graph; /* rules run with grad mode on, keeping their graph */
  gboolean       prune;        /* run only what leads to a target; accumulate nothing */
  LtGradObserver observer;
  gpointer       user_data;
} Pass;

static inline PassNode *
pass_node (Pass *pass, guint pos)
{
  return &g_array_index (pass->nodes, PassNode, pos);
}

static inline guint64
ready_key (Pass *pass, guint slot)
{
  return pass_node (pass, g_array_index (pass->ready, guint, slot))->node->sequence_nr;
}

/* Ready nodes run newest first: a binary heap keyed by sequence number,
 * so a node with thousands of inputs that become ready at once costs
 * O(n log n), not a sort per insertion. */
static void
ready_push (Pass *pass, guint pos)
{
  guint *heap;
  guint  i;

  g_array_append_val (pass->ready, pos);
  heap = (guint *) pass->ready->data;
  i = pass->ready->len - 1;
  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (ready_key (pass, parent) >= ready_key (pass, i))
        break;
      heap[i] = heap[parent];
      heap[parent] = pos;
      i = parent;
    }
}

static guint
ready_pop (Pass *pass)
{
  guint *heap = (guint *) pass->ready->data;
  guint  top = heap[0];
  guint  n = pass->ready->len - 1;
  guint  i = 0;

  heap[0] = heap[n];
  g_array_set_size (pass->ready, n);
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, big = i, tmp;

      if (l < n && ready_key (pass, l) > ready_key (pass, big))
        big = l;
      if (r < n && ready_key (pass, r) > ready_key (pass, big))
        big = r;
      if (big == i)
        break;
      tmp = heap[i];
      heap[i] = heap[big];
      heap[big] = tmp;
      i = big;
    }
  return top;
}

static guint
pass_find (Pass *pass, LtGradFn *node)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (pass->index, node)) - 1;
}

static gint
compare_sequence (gconstpointer a, gconstpointer b, gpointer data)
{
  Pass   *pass = data;
  guint64 sa = pass_node (pass, *(const guint *) a)->node->sequence_nr;
  guint64 sb = pass_node (pass, *(const guint *) b)->node->sequence_nr;

  return sa < sb ? -1 : sa > sb;
}

/* One edge into the node at @pos has delivered (or has no gradient to
 * deliver): the node is ready once all have. */
static void
edge_done (Pass *pass, guint pos)
{
  PassNode *pn = pass_node (pass, pos);

  g_assert (pn->dependencies > 0);
  if (--pn->dependencies == 0)
    ready_push (pass, pos);
}

/* Finds every node reachable from @root and counts the edges into each. */
static void
pass_discover (Pass *pass, LtGradFn *root)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint));
  PassNode first = { root };
  guint    pos0 = pass->nodes->len;

  if (g_hash_table_contains (pass->index, root))
    return;
  g_array_append_val (pass->nodes, first);
  g_hash_table_insert (pass->index, root, GUINT_TO_POINTER (pos0 + 1));
  g_array_append_val (stack, pos0);
  while (stack->len > 0)
    {
      guint     pos = g_array_index (stack, guint, stack->len - 1);
      LtGradFn *node = pass_node (pass, pos)->node;

      g_array_set_size (stack, stack->len - 1);
      for (guint i = 0; i < node->n_inputs; i++)
        {
          LtGradFn *next = node->next[i].fn;
          gpointer  found;
          guint     next_pos;

          if (next == NULL)
            continue;
          found = g_hash_table_lookup (pass->index, next);
          if (found == NULL)
            {
              PassNode pn = { next };

              next_pos = pass->nodes->len;
              g_array_append_val (pass->nodes, pn);
              g_hash_table_insert (pass->index, next, GUINT_TO_POINTER (next_pos + 1));
              g_array_append_val (stack, next_pos);
            }
          else
            next_pos = GPOINTER_TO_UINT (found) - 1;
          pass_node (pass, next_pos)->dependencies++;
        }
    }
}

/* Whether @node's outputs are the slices of one tensor (unbind's, see
 * LtGradFn.n_outputs; there may be only one) */
static inline gboolean
sliced (LtGradFn *node)
{
  return node->op == LT_OP_UNBIND;
}

/* Adds @grad (taken) to the gradient the node at @pos received so far
 * for its output @output_nr. */
static gboolean
receive (Pass *pass, guint pos, guint output_nr, LtTensor *grad, GError **error)
{
  PassNode  *pn = pass_node (pass, pos);
  LtGradFn  *node = pn->node;
  LtTensor **into = &pn->grad;
  LtTensor  *sum;

  if (sliced (node))
    {
      g_assert (output_nr < node->n_outputs);
      if (pn->written == NULL)
        pn->written = g_new0 (guint8, node->n_outputs);
      if (!pass->create_graph)
        {
          /* written into its slice of one buffer, as it comes */
          const LtTensorMeta *m = &node->input_meta[0];
          g_autoptr(LtTensor) part = NULL;
          gboolean ok;

          if (pn->grad == NULL && (pn->grad = _lt_tensor_new_empty (m->shape, m->ndim, m->dtype,
                                                                    m->device, error)) == NULL)
            {
              g_object_unref (grad);
              return FALSE;
            }
          part = lt_tensor_select (pn->grad, (gint) node->params.view.dim, output_nr, error);
          ok = part != NULL && (pn->written[output_nr] ? lt_tensor_add_ (part, grad, error)
                                                       : _lt_copy_into (part, grad, error));
          g_object_unref (grad);
          pn->written[output_nr] = TRUE;
          return ok;
        }
      /* kept with its history, stacked when the node runs */
      if (pn->slots == NULL)
        pn->slots = g_new0 (LtTensor *, node->n_outputs);
      into = &pn->slots[output_nr];
      pn->written[output_nr] = TRUE;
    }
  if (*into == NULL)
    {
      *into = grad;
      return TRUE;
    }
  /* Without a graph to keep, the sum goes into whichever of the two owns
   * its memory (a + b and b + a are the same bits): no new buffer */
  if (!pass->create_graph && (*into)->dtype == grad->dtype &&
      _lt_shape_equal ((*into)->shape, (*into)->ndim, grad->shape, grad->ndim))
    {
      LtTensor *dst = grad_is_private (*into) ? *into : grad_is_private (grad) ? grad : NULL;

      if (dst != NULL)
        {
          gboolean ok = lt_tensor_add_ (dst, dst == grad ? *into : grad, error);

          if (dst == grad)
            {
              g_object_unref (*into);
              *into = grad;
            }
          else
            g_object_unref (grad);
          return ok;
        }
    }
  sum = lt_tensor_add (*into, grad, error);
  g_object_unref (grad);
  if (sum == NULL)
    return FALSE;
  g_object_unref (*into);
  *into = sum;
  return TRUE;
}

/* Passes @grad (taken) along edge @i of @node. */
static gboolean
send_grad (Pass *pass, LtGradFn *node, guint i, LtTensor *grad, GError **error)
{
  const LtTensorMeta *meta = &node->input_meta[i];
  guint               pos = pass_find (pass, node->next[i].fn);

  if (!_lt_shape_equal (grad->shape, grad->ndim, meta->shape, meta->ndim))
    {
      LtTensor *reduced = _lt_sum_to_shape (grad, meta->shape, meta->ndim, error);

      g_object_unref (grad);
      if (reduced == NULL)
        return FALSE;
      grad = reduced;
    }
  if (grad->storage->device != meta->device)
    {
      LtTensor *moved = lt_tensor_to_device (grad, meta->device, error);

      g_object_unref (grad);
      if (moved == NULL)
        return FALSE;
      grad = moved;
    }
  if (grad->dtype != meta->dtype)
    {
      LtTensor *cast = _lt_cast (grad, meta->dtype, error);

      g_object_unref (grad);
      if (cast == NULL)
        return FALSE;
      grad = cast;
    }
  if (!receive (pass, pos, node->next[i].input_nr, grad, error))
    return FALSE;
  edge_done (pass, pos);
  return TRUE;
}

/* Runs the backward rule of @node under its lock (the saved tensors it
 * reads cannot be freed by another pass meanwhile). */
static gboolean
run_rule (LtGradFn *node, LtTensor *grad, LtTensor **grads, GError **error)
{
  gboolean ok;
  guint    unpacked;

  if (node->not_twice)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "backward: the gradient that %s computed under create_graph cannot be "
                   "differentiated again: the double backward of %s is not implemented",
                   lt_grad_fn_get_name (node), _lt_op_table[node->op].name);
      return FALSE;
    }
  if (_lt_op_table[node->op].backward == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD, "backward: %s has no derivative",
                   _lt_op_table[node->op].name);
      return FALSE;
    }
  unpacked = _lt_grad_fn_n_unpacked ();
  g_mutex_lock (&node->lock);
  if (G_UNLIKELY (node->custom != NULL))
    ok = _lt_function_run_backward (node, grad, grads, error);
  else
    ok = _lt_op_table[node->op].backward (node, grad, grads, error);
  g_mutex_unlock (&node->lock);
  _lt_grad_fn_drop_unpacked (unpacked);
  return ok;
}

/* Under create_graph every gradient a rule gives is linear in the incoming
 * @grad: when @grad has a history and the result has none, the rule used a
 * kernel without a derivative. The result then gets a node that refuses a
 * second backward, naming the op. */
static LtTensor *
check_twice (LtGradFn *node, LtTensor *grad, LtTensor *gi)
{
  LtTensor *alias;

  if (!grad->requires_grad || gi->requires_grad)
    return gi;
  alias = _lt_tensor_new_with_storage (gi->storage, gi->shape, gi->strides, gi->ndim, gi->offset,
                                       gi->dtype);
  _lt_autograd_not_twice (node, alias, &grad, 1);
  g_object_unref (gi);
  return alias;
}

/* The node needs no gradient: its inputs wait for one edge less. */
static void
skip_inputs (Pass *pass, LtGradFn *node)
{
  for (guint i = 0; i < node->n_inputs; i++)
    if (node->next[i].fn)
      edge_done (pass, pass_find (pass, node->next[i].fn));
}

/* Adds @grad (taken) into the leaf @t's .grad under create_graph: the
 * gradient keeps its history, and one that meets an earlier gradient is
 * added out of place, as PyTorch's AccumulateGrad does in grad mode. */
static gboolean
accumulate_with_graph (LtTensor *t, LtTensor *grad, GError **error)
{
  gboolean ok = TRUE;

  G_LOCK (accumulate);
  if (t->grad == NULL)
    t->grad = g_object_ref (grad);
  else
    {
      LtTensor *sum = lt_tensor_add (t->grad, grad, error);

      if (sum == NULL)
        ok = FALSE;
      else
        {
          g_object_unref (t->grad);
          t->grad = sum;
        }
    }
  G_UNLOCK (accumulate);
  g_object_unref (grad);
  return ok;
}

/* Runs the hooks of output @k of a node with several outputs on @grad
 * (taken), and keeps the result in the output's .grad if it retains it. */
static LtTensor *
output_hooks (LtGradFn *node, guint k, LtTensor *grad, GError **error)
{
  LtTensor *t = NULL;

  grad = run_hooks (&node->pre_hooks, node, grad, (gint) k, error);
  if (grad == NULL)
    return NULL;
  g_mutex_lock (&node->lock);
  if (node->retained_outputs)
    t = g_weak_ref_get (&node->retained_outputs[k]);
  g_mutex_unlock (&node->lock);
  if (t)
    {
      gboolean ok = accumulate_into (t, g_object_ref (grad), error);

      g_object_unref (t);
      if (!ok)
        g_clear_object (&grad);
    }
  return grad;
}

/* The gradient of a node with several outputs, in *@grad (NULL when no
 * output got one): each output's hooks run on its part, then the parts
 * are put together, zeros for an output without a gradient. */
static gboolean
gather (Pass *pass, PassNode *pn, LtTensor **grad, GError **error)
{
  LtGradFn *node = pn->node;
  guint     n = node->n_outputs, dim = node->params.view.dim;
  gboolean  hooked = node->pre_hooks != NULL || node->retained_outputs != NULL;

  *grad = NULL;
  if (pn->written == NULL)
    return TRUE;
  if (pn->slots == NULL)
    {
      LtTensor *buf = g_steal_pointer (&pn->grad);

      for (guint k = 0; k < n; k++)
        {
          g_autoptr(LtTensor) part = NULL;
          LtTensor *r;

          if (pn->written[k] && !hooked)
            continue;
          if ((part = lt_tensor_select (buf, (gint) dim, k, error)) == NULL)
            goto fail;
          if (!pn->written[k])
            {
              if (!lt_tensor_zero_ (part, error))
                goto fail;
              continue;
            }
          if ((r = output_hooks (node, k, g_object_ref (part), error)) == NULL)
            goto fail;
          if (r != part && !_lt_copy_into (part, r, error))
            {
              g_object_unref (r);
              goto fail;
            }
          g_object_unref (r);
        }
      *grad = buf;
      return TRUE;
    fail:
      g_object_unref (buf);
      return FALSE;
    }
  else
    {
      const LtTensorMeta *m = &node->input_meta[0];
      g_autoptr(LtTensor) zeros = NULL;
      g_autofree LtTensor **parts = g_new (LtTensor *, n);

      for (guint k = 0; k < n; k++)
        {
          if (pn->slots[k] != NULL)
            {
              if (hooked && (pn->slots[k] = output_hooks (node, k, pn->slots[k], error)) == NULL)
                return FALSE;
              parts[k] = pn->slots[k];
              continue;
            }
          if (zeros == NULL)
            {
              g_autoptr(LtTensor) z = lt_zeros (node->output_meta.shape, node->output_meta.ndim,
                                                 m->dtype, error);

              zeros = z && m->device != LT_DEVICE_CPU ? lt_tensor_to_device (z, m->device, error)
                                                      : g_steal_pointer (&z);
              if (zeros == NULL)
                return FALSE;
            }
          parts[k] = zeros;
        }
      *grad = lt_stack (parts, n, (gint) dim, error);
      return *grad != NULL;
    }
}

static gboolean
run_node (Pass *pass, guint pos, GError **error)
{
  PassNode  *pn = pass_node (pass, pos);
  LtGradFn  *node = pn->node;
  LtTensor  *grad = NULL;
  LtTensor *inline_grads[LT_GRAD_FN_INLINE_INPUTS] = { NULL };
  LtTensor **grads = inline_grads;
  gboolean ok = TRUE;

  if (!sliced (node))
    grad = g_steal_pointer (&pn->grad);
  else if (!(pass->prune && !pn->needed) && !gather (pass, pn, &grad, error))
    return FALSE;

  if (grad == NULL || (pass->prune && !pn->needed))
    {
      /* Every gradient that reached the node was undefined (a rule gave
       * none for that input), or none is wanted from it: its inputs get
       * none from it either, but still wait for one edge less. */
      g_clear_object (&grad);
      skip_inputs (pass, node);
      return TRUE;
    }

  if (node->op == LT_OP_ACCUMULATE_GRAD)
    {
      grad = run_hooks (&node->variable->hooks, node, grad, -1, error);
      if (grad == NULL)
        return FALSE;
      if (pass->observer)
        pass->observer (node, grad, pass->user_data);
      if (pass->prune)
        {
          g_set_object (&pn->captured, grad);
          g_object_unref (grad);
          return TRUE;
        }
      if (pass->create_graph && grad->requires_grad)
        return accumulate_with_graph (node->variable, grad, error) &&
               run_post_accumulate_hooks (node->variable, error);
      return accumulate_into (node->variable, grad, error) &&
             run_post_accumulate_hooks (node->variable, error);
    }

  /* (the hooks of a node with several outputs ran on each output's part) */
  if (!sliced (node) && (grad = run_hooks (&node->pre_hooks, node, grad, -1, error)) == NULL)
    return FALSE;
  if (pass->observer)
    pass->observer (node, grad, pass->user_data);
  if (pn->target)
    g_set_object (&pn->captured, grad);
  if (pass->prune && !pn->descend)
    {
      g_object_unref (grad);
      skip_inputs (pass, node);
      return TRUE;
    }
  if (node->has_retained && !pass->prune)
    {
      LtTensor *t = g_weak_ref_get (&node->retained);

      if (t)
        {
          ok = accumulate_into (t, g_object_ref (grad), error);
          g_object_unref (t);
          if (!ok)
            {
              g_object_unref (grad);
              return FALSE;
            }
        }
    }

  if (node->n_inputs > LT_GRAD_FN_INLINE_INPUTS)
    grads = g_new0 (LtTensor *, node->n_inputs);
  ok = run_rule (node, grad, grads, error);

  for (guint i = 0; i < node->n_inputs; i++)
    {
      LtTensor *g = g_steal_pointer (&grads[i]);

      if (node->next[i].fn == NULL || !ok)
        g_clear_object (&g);
      else if (g == NULL)
        edge_done (pass, pass_find (pass, node->next[i].fn)); /* no gradient for it */
      else if (!send_grad (pass, node, i, pass->create_graph ? check_twice (node, grad, g) : g,
                           error))
        ok = FALSE;
    }
  g_object_unref (grad);
  if (grads != inline_grads)
    g_free (grads);
  if (ok && !pass->retain_graph)
    _lt_grad_fn_release (node);
  return ok;
}

/* The gradient a backward from @self starts with: @gradient checked and
 * converted to @self's dtype, or an implied 1. */
static LtTensor *
initial_grad (LtTensor *self, LtTensor *gradient, GError **error)
{
  if (!self->requires_grad)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                           "backward: the tensor does not require grad and has no grad_fn; "
                           "make an input require grad (requires_grad_) before computing it");
      return NULL;
    }
  if (gradient == NULL)
    {
      if (self->numel != 1)
        {
          g_autofree char *s = LT_SHAPE_STR (self);
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "backward: a gradient can be implied only for a tensor with one "
                       "element; this one has shape %s, so pass a gradient of that shape",
                       s);
          return NULL;
        }
      return lt_ones_like (self, error);
    }
  if (!_lt_shape_equal (gradient->shape, gradient->ndim, self->shape, self->ndim))
    {
      g_autofree char *s1 = LT_SHAPE_STR (gradient);
      g_autofree char *s2 = LT_SHAPE_STR (self);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "backward: the gradient has shape %s but the tensor has shape %s", s1, s2);
      return NULL;
    }
  if (gradient->storage->device != self->storage->device)
    {
      g_set_error (
        error, LT_ERROR, LT_ERROR_DEVICE, "backward: the gradient is on %s but the tensor is on %s",
        lt_device_get_name (gradient->storage->device), lt_device_get_name (self->storage->device));
      return NULL;
    }
  return _lt_cast (gradient, self->dtype, error);
}

/**
 * lt_tensor_backward:
 * @self: the tensor to differentiate, usually a scalar loss
 * @gradient: (nullable): the gradient of some final value with respect to
 *   @self, of @self's shape; %NULL for a one-element @self (an implicit 1)
 * @retain_graph: keep the graph's saved tensors, so that backward can run
 *   through it again
 * @error: return location for a #GError
 *
 * Computes the gradient of @self with respect to every leaf of its graph
 * that requires grad and adds it to the leaf's #LtTensor:grad, as
 * `out.backward()`. Without @retain_graph the tensors the graph saved are
 * freed, and a second backward through nodes that need them is an error.
 *
 * Several threads may run backward at the same time, through graphs that
 * share leaves or nodes (gradients are added into a shared leaf's
 * #LtTensor:grad one at a time), and a gradient hook may run backward.
 *
 * Returns: %TRUE on success; %FALSE with @error set when @self does not
 *   require grad, has more than one element and no @gradient, when
 *   @gradient's shape differs, when a saved tensor was modified in place,
 *   or when the graph was already freed
 */
gboolean
lt_tensor_backward (LtTensor *self,
                    LtTensor *gradient,
                    gboolean  retain_graph,
                    GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (gradient == NULL || LT_IS_TENSOR (gradient), FALSE);

  return _lt_engine_backward (self, gradient, retain_graph, NULL, NULL, error);
}

/* A pass from @n_outputs outputs with their initial gradients @grads
 * (taken). With @n_inputs targets (tensors that require grad) their
 * gradients go to @captured (NULL for one the pass did not reach); with
 * @prune only nodes that lead to a target run and no leaf's .grad changes.
 * The rules run with grad mode @create_graph. */
static gboolean
engine_run (LtTensor *const *outputs,
            LtTensor       **grads,
            guint            n_outputs,
            LtTensor *const *inputs,
            guint            n_inputs,
            LtTensor       **captured,
            gboolean         retain_graph,
            gboolean         create_graph,
            gboolean         prune,
            LtGradObserver   observer,
            gpointer         user_data,
            GError         **error)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_object_unref);
  Pass pass = {
    NULL,
  };
  gboolean prev, ok = TRUE;

  prev = lt_set_grad_enabled (create_graph);
  create_graph_depth += create_graph ? 1 : 0;
  observed_depth += observer ? 1 : 0;
  pass.nodes = g_array_new (FALSE, FALSE, sizeof (PassNode));
  pass.index = g_hash_table_new (NULL, NULL);
  pass.ready = g_array_new (FALSE, FALSE, sizeof (guint));
  pass.retain_graph = retain_graph;
  pass.create_graph = create_graph;
  pass.prune = prune;
  pass.observer = observer;
  pass.user_data = user_data;

  /* A hook may replace an output's node (an in-place op rebases it): the
   * pass holds the roots, which hold every other node it reaches. A leaf
   * output starts at its AccumulateGrad node. */
  for (guint i = 0; i < n_outputs; i++)
    {
      LtTensor *o = outputs[i];
      LtGradFn *root = o->grad_fn ? g_object_ref (o->grad_fn) : _lt_grad_fn_get_accumulator (o);

      g_ptr_array_add (roots, root);
      pass_discover (&pass, root);
    }
  for (guint j = 0; j < n_inputs; j++)
    {
      LtTensor *t = inputs[j];
      LtGradFn *node = t->grad_fn ? g_object_ref (t->grad_fn) : _lt_grad_fn_get_accumulator (t);
      gpointer  found = g_hash_table_lookup (pass.index, node);

      g_ptr_array_add (targets, node);
      if (found)
        pass_node (&pass, GPOINTER_TO_UINT (found) - 1)->target = TRUE;
    }
  if (prune)
    {
      /* A node's inputs are older than it (AccumulateGrad nodes, which may
       * be younger, have no inputs): in order of sequence number, each
       * node's inputs are settled before it. */
      g_autofree guint *order = g_new (guint, pass.nodes->len);
      guint             n = pass.nodes->len;

      for (guint k = 0; k < n; k++)
        {
          PassNode *pn = pass_node (&pass, k);

          pn->needed = pn->target;
          order[k] = k;
        }
      g_qsort_with_data (order, n, sizeof (guint), compare_sequence, &pass);
      for (guint k = 0; k < n; k++)
        {
          PassNode *pn = pass_node (&pass, order[k]);
          LtGradFn *node = pn->node;

          for (guint i = 0; i < node->n_inputs && !pn->descend; i++)
            if (node->next[i].fn && pass_node (&pass, pass_find (&pass, node->next[i].fn))->needed)
              pn->descend = TRUE;
          pn->needed |= pn->descend;
        }
    }

  for (guint i = 0; i < n_outputs && ok; i++)
    {
      guint pos = pass_find (&pass, g_ptr_array_index (roots, i));

      ok = receive (&pass, pos, outputs[i]->grad_fn ? outputs[i]->output_nr : 0,
                    g_steal_pointer (&grads[i]), error);
    }
  for (guint i = 0; i < n_outputs && ok; i++)
    {
      guint    pos = pass_find (&pass, g_ptr_array_index (roots, i));
      gboolean seen = FALSE;

      for (guint k = 0; k < i; k++)
        seen |= g_ptr_array_index (roots, k) == g_ptr_array_index (roots, i);
      if (!seen && pass_node (&pass, pos)->dependencies == 0)
        ready_push (&pass, pos);
    }
  while (ok && pass.ready->len > 0)
    ok = run_node (&pass, ready_pop (&pass), error);

  for (guint j = 0; j < n_inputs; j++)
    {
      LtGradFn *node = g_ptr_array_index (targets, j);
      gpointer  found = g_hash_table_lookup (pass.index, node);
      PassNode *pn = found ? pass_node (&pass, GPOINTER_TO_UINT (found) - 1) : NULL;
      LtTensor *c = pn ? pn->captured : NULL;
      guint     k = inputs[j]->output_nr;

      captured[j] = NULL;
      if (!ok || c == NULL)
        continue;
      if (!sliced (node))
        captured[j] = g_object_ref (c);
      else if (pn->written[k])
        {
          /* this output's part of the node's gradient */
          captured[j] = lt_tensor_select (c, (gint) node->params.view.dim, k, error);
          ok = captured[j] != NULL;
        }
    }
  for (guint i = 0; i < pass.nodes->len; i++)
    {
      PassNode *pn = pass_node (&pass, i);

      g_clear_object (&pn->grad);
      g_clear_object (&pn->captured);
      if (pn->slots)
        {
          for (guint k = 0; k < pn->node->n_outputs; k++)
            g_clear_object (&pn->slots[k]);
          g_free (pn->slots);
        }
      g_free (pn->written);
    }
  for (guint i = 0; i < n_outputs; i++)
    g_clear_object (&grads[i]);
  g_array_unref (pass.nodes);
  g_hash_table_unref (pass.index);
  g_array_unref (pass.ready);
  create_graph_depth -= create_graph ? 1 : 0;
  observed_depth -= observer ? 1 : 0;
  lt_set_grad_enabled (prev);
  return ok;
}

/* lt_tensor_backward() with an observer: see lt-engine-private.h. */
gboolean
_lt_engine_backward (LtTensor      *output,
                     LtTensor      *gradient,
                     gboolean       retain_graph,
                     LtGradObserver observer,
                     gpointer       user_data,
                     GError       **error)
{
  LtTensor *grad;

  g_return_val_if_fail (LT_IS_TENSOR (output), FALSE);
  g_return_val_if_fail (gradient == NULL || LT_IS_TENSOR (gradient), FALSE);

  grad = initial_grad (output, gradient, error);
  if (grad == NULL)
    return FALSE;

  if (output->grad_fn == NULL)
    {
      /* A leaf: its gradient is the given one. */
      gboolean  prev = lt_set_grad_enabled (FALSE);
      LtTensor *g = run_hooks (&output->hooks, NULL, grad, -1, error);
      gboolean  ok = g && accumulate_into (output, g, error);

      lt_set_grad_enabled (prev);
      return ok;
    }
  return engine_run (&output, &grad, 1, NULL, 0, NULL, retain_graph, FALSE, FALSE, observer,
                     user_data, error);
}

/**
 * lt_tensor_backward_full:
 * @self: the tensor to differentiate, usually a scalar loss
 * @gradient: (nullable): the gradient of some final value with respect to
 *   @self, of @self's shape; %NULL for a one-element @self (an implicit 1)
 * @retain_graph: keep the graph's saved tensors, so that backward can run
 *   through it again (PyTorch's default is @create_graph)
 * @create_graph: record the backward pass itself, so that the gradients it
 *   leaves in #LtTensor:grad have a history and can be differentiated
 *   again (higher-order gradients)
 * @inputs: (array length=n_inputs) (nullable): the tensors whose
 *   #LtTensor:grad receives a gradient; %NULL for every leaf of the graph
 * @n_inputs: the number of @inputs
 * @error: return location for a #GError
 *
 * lt_tensor_backward() with the rest of `out.backward()`'s arguments. With
 * @inputs only their gradients are computed and accumulated, non-leaves
 * included; other leaves' gradients stay as they are.
 *
 * Under @create_graph the backward rules run with grad mode on: every op
 * whose backward is made of differentiable ops can be differentiated again.
 * A gradient computed with a kernel that has no derivative (the gradient
 * kernels of convolutions and pooling) makes a second backward through it
 * fail with an error naming the op.
 *
 * Returns: %TRUE on success; %FALSE with @error set as for
 *   lt_tensor_backward(), or when an input does not require grad
 */
gboolean
lt_tensor_backward_full (LtTensor  *self,
                         LtTensor  *gradient,
                         gboolean   retain_graph,
                         gboolean   create_graph,
                         LtTensor **inputs,
                         guint      n_inputs,
                         GError   **error)
{
  g_autofree LtTensor **captured = NULL;
  LtTensor             *grad;
  gboolean              ok;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (gradient == NULL || LT_IS_TENSOR (gradient), FALSE);
  g_return_val_if_fail (n_inputs == 0 || inputs != NULL, FALSE);

  for (guint j = 0; j < n_inputs; j++)
    {
      g_return_val_if_fail (LT_IS_TENSOR (inputs[j]), FALSE);
      if (!inputs[j]->requires_grad)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "backward: inputs[%u] does not require grad: only tensors that require "
                       "grad can receive a gradient",
                       j);
          return FALSE;
        }
    }
  if (n_inputs == 0 && !create_graph)
    return _lt_engine_backward (self, gradient, retain_graph, NULL, NULL, error);
  grad = initial_grad (self, gradient, error);
  if (grad == NULL)
    return FALSE;
  captured = g_new0 (LtTensor *, MAX (n_inputs, 1));
  ok = engine_run (&self, &grad, 1, inputs, n_inputs, captured, retain_graph, create_graph,
                   n_inputs > 0, NULL, NULL, error);
  for (guint j = 0; j < n_inputs; j++)
    {
      LtTensor *c = g_steal_pointer (&captured[j]);

      if (c == NULL || !ok)
        g_clear_object (&c);
      else if (create_graph && c->requires_grad)
        ok = accumulate_with_graph (inputs[j], c, error);
      else
        ok = accumulate_into (inputs[j], c, error);
    }
  return ok;
}

static void
unref_nullable (gpointer object)
{
  if (object)
    g_object_unref (object);
}

/**
 * lt_autograd_grad:
 * @outputs: (array length=n_outputs): the tensors to differentiate
 * @n_outputs: the number of @outputs
 * @grad_outputs: (array length=n_grad_outputs) (nullable): the gradient
 *   with respect to each output; %NULL when every output has one element
 *   (an implicit 1)
 * @n_grad_outputs: 0, or @n_outputs
 * @inputs: (array length=n_inputs): the tensors to differentiate with
 *   respect to; each must require grad
 * @n_inputs: the number of @inputs
 * @retain_graph: keep the graph's saved tensors (PyTorch's default is
 *   @create_graph)
 * @create_graph: record the backward pass, so that the gradients returned
 *   have a history and can be differentiated again
 * @allow_unused: give %NULL for an input the outputs do not depend on,
 *   instead of failing
 * @error: return location for a #GError
 *
 * Computes the gradients of the sum of @outputs (each weighted by its
 * @grad_outputs) with respect to @inputs and returns them, without
 * touching any tensor's #LtTensor:grad, as `torch.autograd.grad()`. Only
 * the part of the graph that leads to @inputs runs.
 *
 * Returns: (transfer container) (element-type LtTensor): the gradient for each
 *   input, in order (%NULL for an unused one with @allow_unused), or
 *   %NULL with @error set when an output or input does not require grad,
 *   an input was not used without @allow_unused, or the pass fails
 */
GPtrArray *
lt_autograd_grad (LtTensor **outputs,
                  guint      n_outputs,
                  LtTensor **grad_outputs,
                  guint      n_grad_outputs,
                  LtTensor **inputs,
                  guint      n_inputs,
                  gboolean   retain_graph,
                  gboolean   create_graph,
                  gboolean   allow_unused,
                  GError   **error)
{
  g_autofree LtTensor **grads = NULL;
  g_autofree LtTensor **captured = NULL;
  GPtrArray            *result;
  gboolean              ok;

  g_return_val_if_fail (n_outputs > 0 && outputs != NULL, NULL);
  g_return_val_if_fail (n_inputs > 0 && inputs != NULL, NULL);
  if (n_grad_outputs != 0 && n_grad_outputs != n_outputs)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "grad: got %u grad_outputs for %u outputs: give one per output", n_grad_outputs,
                   n_outputs);
      return NULL;
    }
  for (guint j = 0; j < n_inputs; j++)
    {
      g_return_val_if_fail (LT_IS_TENSOR (inputs[j]), NULL);
      if (!inputs[j]->requires_grad)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "grad: inputs[%u] does not require grad: one can differentiate only "
                       "with respect to tensors that require grad",
                       j);
          return NULL;
        }
    }
  grads = g_new0 (LtTensor *, n_outputs);
  for (guint i = 0; i < n_outputs; i++)
    {
      GError *local = NULL;

      g_return_val_if_fail (LT_IS_TENSOR (outputs[i]), NULL);
      grads[i] = initial_grad (outputs[i], n_grad_outputs ? grad_outputs[i] : NULL, &local);
      if (grads[i] == NULL)
        {
          g_propagate_prefixed_error (error, local, "grad: outputs[%u]: ", i);
          for (guint k = 0; k < i; k++)
            g_clear_object (&grads[k]);
          return NULL;
        }
    }
  captured = g_new0 (LtTensor *, n_inputs);
  ok = engine_run (outputs, grads, n_outputs, inputs, n_inputs, captured, retain_graph,
                   create_graph, TRUE, NULL, NULL, error);
  result = g_ptr_array_new_full (n_inputs, unref_nullable);
  for (guint j = 0; j < n_inputs; j++)
    {
      if (ok && captured[j] == NULL && !allow_unused)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "grad: inputs[%u] was not used in the graph of the outputs; pass "
                       "allow_unused=TRUE to get no gradient for it",
                       j);
          ok = FALSE;
        }
      g_ptr_array_add (result, captured[j]);
    }
  if (!ok)
    g_clear_pointer (&result, g_ptr_array_unref);
  return result;
}
