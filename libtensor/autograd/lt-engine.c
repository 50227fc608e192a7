/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-autograd.h"
#include "lt-engine-private.h"
#include "lt-grad-fn-private.h"
#include "ops/lt-ops-private.h"

/*
 * The backward engine. From the output's node it finds every reachable
 * node and counts, for each, the edges that lead to it; it then runs nodes
 * whose gradients are complete, newest first, passing each input's gradient
 * (reduced to the input's shape and converted to its dtype) down the edges,
 * adding gradients that meet. AccumulateGrad nodes add into their leaf's
 * .grad. It runs with grad mode off: gradients have no history.
 */

static _Thread_local int grad_disabled_depth; /* 0: enabled */

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

static guint next_hook_id = 1;

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
 * return a replacement.
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
  LtHookEntry entry;
  GArray **list;

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
  entry.id = g_atomic_int_add (&next_hook_id, 1);
  entry.func = func;
  entry.user_data = user_data;
  entry.destroy = destroy;
  list = self->grad_fn ? &self->grad_fn->pre_hooks : &self->hooks;
  if (*list == NULL)
    *list = g_array_new (FALSE, FALSE, sizeof (LtHookEntry));
  g_array_append_val (*list, entry);
  return entry.id;
}

/**
 * lt_tensor_remove_hook:
 * @self: a tensor
 * @id: an id returned by lt_tensor_register_hook()
 *
 * Removes a gradient hook.
 *
 * Returns: %TRUE if the hook was found and removed
 */
gboolean
lt_tensor_remove_hook (LtTensor *self,
                       guint     id)
{
  GArray *lists[2];

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  lists[0] = self->hooks;
  lists[1] = self->grad_fn ? self->grad_fn->pre_hooks : NULL;
  for (guint l = 0; l < 2; l++)
    {
      if (lists[l] == NULL)
        continue;
      for (guint i = 0; i < lists[l]->len; i++)
        {
          LtHookEntry *e = &g_array_index (lists[l], LtHookEntry, i);

          if (e->id == id)
            {
              _lt_hook_entry_clear (e);
              g_array_remove_index (lists[l], i);
              return TRUE;
            }
        }
    }
  return FALSE;
}

/* Runs gradient hooks on @grad (taken); a hook may replace it. Returns
 * NULL with @error set when a hook gives a tensor of another shape. */
static LtTensor *
run_hooks (GArray   *hooks,
           LtTensor *grad,
           GError  **error)
{
  if (hooks == NULL)
    return grad;
  for (guint i = 0; i < hooks->len; i++)
    {
      LtHookEntry *e = &g_array_index (hooks, LtHookEntry, i);
      LtTensor *replacement = e->func (grad, e->user_data);

      if (replacement == NULL)
        continue;
      if (!LT_IS_TENSOR (replacement) ||
          !_lt_shape_equal (replacement->shape, replacement->ndim, grad->shape, grad->ndim))
        {
          g_autofree char *s1 = LT_IS_TENSOR (replacement) ? LT_SHAPE_STR (replacement)
                                                           : g_strdup ("(not a tensor)");
          g_autofree char *s2 = LT_SHAPE_STR (grad);
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "backward: a gradient hook returned %s for a gradient of shape %s; a "
                       "hook must return a tensor of the gradient's shape or nothing", s1, s2);
          g_object_unref (replacement);
          g_object_unref (grad);
          return NULL;
        }
      g_object_unref (grad);
      grad = replacement;
    }
  return grad;
}

/* Whether @grad's memory is its own: nothing else refers to the tensor or
 * its storage, and its elements fill the storage in row-major order. A view
 * qualifies when it is the only thing left of its base (the transpose of a
 * product made column by column, say). */
static gboolean
grad_is_private (LtTensor *grad)
{
  return G_OBJECT (grad)->ref_count == 1 && g_atomic_int_get (&grad->storage->ref_count) == 1 &&
         grad->grad_fn == NULL && grad->offset == 0 &&
         lt_tensor_is_contiguous (grad) &&
         (gsize) grad->numel * lt_dtype_get_element_size (grad->dtype) == grad->storage->nbytes;
}

/* Adds @grad into @t's .grad (taking @grad). */
static gboolean
accumulate_into (LtTensor *t,
                 LtTensor *grad,
                 GError  **error)
{
  gboolean ok = TRUE;

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
  g_object_unref (grad);
  return ok;
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  const LtGradFn *na = *(LtGradFn *const *) a;
  const LtGradFn *nb = *(LtGradFn *const *) b;

  return na->sequence_nr < nb->sequence_nr ? -1 : na->sequence_nr > nb->sequence_nr;
}

/* Passes @grad (taken) along edge @i of @node. */
static gboolean
send_grad (LtGradFn  *node,
           guint      i,
           LtTensor  *grad,
           GPtrArray *ready,
           GError   **error)
{
  LtGradFn *next = node->next[i].fn;
  const LtTensorMeta *meta = &node->input_meta[i];

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
  if (next->pending_grad == NULL)
    next->pending_grad = grad;
  else
    {
      LtTensor *sum = lt_tensor_add (next->pending_grad, grad, error);

      g_object_unref (grad);
      if (sum == NULL)
        return FALSE;
      g_object_unref (next->pending_grad);
      next->pending_grad = sum;
    }
  g_assert (next->dependencies > 0);
  if (--next->dependencies == 0)
    {
      g_ptr_array_add (ready, next);
      g_ptr_array_sort (ready, compare_seq);
    }
  return TRUE;
}

typedef struct
{
  LtGradObserver func;
  gpointer user_data;
} Observer;

static gboolean
run_node (LtGradFn       *node,
          GPtrArray      *ready,
          gboolean        retain_graph,
          const Observer *observer,
          GError        **error)
{
  LtTensor *grad = g_steal_pointer (&node->pending_grad);
  LtTensor *inline_grads[LT_GRAD_FN_INLINE_INPUTS] = { NULL };
  LtTensor **grads = inline_grads;
  gboolean ok = TRUE;

  if (grad == NULL)
    return TRUE;

  if (node->op == LT_OP_ACCUMULATE_GRAD)
    {
      grad = run_hooks (node->variable->hooks, grad, error);
      if (grad && observer->func)
        observer->func (node, grad, observer->user_data);
      return grad && accumulate_into (node->variable, grad, error);
    }

  grad = run_hooks (node->pre_hooks, grad, error);
  if (grad == NULL)
    return FALSE;
  if (observer->func)
    observer->func (node, grad, observer->user_data);
  if (node->has_retained)
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

  if (_lt_op_table[node->op].backward == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "backward: %s has no derivative", _lt_op_table[node->op].name);
      ok = FALSE;
    }
  else
    ok = _lt_op_table[node->op].backward (node, grad, grads, error);
  g_object_unref (grad);

  for (guint i = 0; i < node->n_inputs; i++)
    {
      LtTensor *g = g_steal_pointer (&grads[i]);

      if (node->next[i].fn == NULL || !ok)
        {
          g_clear_object (&g);
          continue;
        }
      if (g == NULL)
        {
          /* No gradient for this input (an undefined gradient): the next
           * node still waits for one edge less. */
          LtGradFn *next = node->next[i].fn;

          if (--next->dependencies == 0)
            {
              g_ptr_array_add (ready, next);
              g_ptr_array_sort (ready, compare_seq);
            }
          continue;
        }
      if (!send_grad (node, i, g, ready, error))
        ok = FALSE;
    }
  if (grads != inline_grads)
    g_free (grads);
  if (ok && !retain_graph)
    _lt_grad_fn_release (node);
  return ok;
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

gboolean
_lt_engine_backward (LtTensor       *self,
                     LtTensor       *gradient,
                     gboolean        retain_graph,
                     LtGradObserver  observer,
                     gpointer        user_data,
                     GError        **error)
{
  Observer obs = { observer, user_data };
  g_autoptr(LtTensor) grad = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GPtrArray) ready = NULL;
  g_autoptr(GPtrArray) stack = NULL;
  gboolean prev, ok = TRUE;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (gradient == NULL || LT_IS_TENSOR (gradient), FALSE);

  if (!self->requires_grad)
    {
      g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                           "backward: the tensor does not require grad and has no grad_fn; "
                           "make an input require grad (requires_grad_) before computing it");
      return FALSE;
    }
  if (gradient == NULL)
    {
      if (self->numel != 1)
        {
          g_autofree char *s = LT_SHAPE_STR (self);
          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "backward: a gradient can be implied only for a tensor with one "
                       "element; this one has shape %s, so pass a gradient of that shape", s);
          return FALSE;
        }
      grad = lt_ones_like (self, error);
      if (grad == NULL)
        return FALSE;
    }
  else
    {
      if (!_lt_shape_equal (gradient->shape, gradient->ndim, self->shape, self->ndim))
        {
          g_autofree char *s1 = LT_SHAPE_STR (gradient);
          g_autofree char *s2 = LT_SHAPE_STR (self);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "backward: the gradient has shape %s but the tensor has shape %s", s1, s2);
          return FALSE;
        }
      if (gradient->storage->device != self->storage->device)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                       "backward: the gradient is on %s but the tensor is on %s",
                       lt_device_get_name (gradient->storage->device),
                       lt_device_get_name (self->storage->device));
          return FALSE;
        }
      grad = _lt_cast (gradient, self->dtype, error);
      if (grad == NULL)
        return FALSE;
    }

  prev = lt_set_grad_enabled (FALSE);

  if (self->grad_fn == NULL)
    {
      /* A leaf: its gradient is the given one. */
      LtTensor *g = run_hooks (self->hooks, g_steal_pointer (&grad), error);

      ok = g && accumulate_into (self, g, error);
      lt_set_grad_enabled (prev);
      return ok;
    }

  /* Discover the graph and count the edges into each node. */
  nodes = g_ptr_array_new ();
  stack = g_ptr_array_new ();
  self->grad_fn->visited = TRUE;
  g_ptr_array_add (nodes, self->grad_fn);
  g_ptr_array_add (stack, self->grad_fn);
  while (stack->len > 0)
    {
      LtGradFn *node = g_ptr_array_steal_index_fast (stack, stack->len - 1);

      for (guint i = 0; i < node->n_inputs; i++)
        {
          LtGradFn *next = node->next[i].fn;

          if (next == NULL)
            continue;
          next->dependencies++;
          if (!next->visited)
            {
              next->visited = TRUE;
              g_ptr_array_add (nodes, next);
              g_ptr_array_add (stack, next);
            }
        }
    }

  ready = g_ptr_array_new ();
  self->grad_fn->pending_grad = g_steal_pointer (&grad);
  g_ptr_array_add (ready, self->grad_fn);
  while (ok && ready->len > 0)
    {
      LtGradFn *node = g_ptr_array_steal_index (ready, ready->len - 1);

      ok = run_node (node, ready, retain_graph, &obs, error);
    }

  for (guint i = 0; i < nodes->len; i++)
    {
      LtGradFn *node = g_ptr_array_index (nodes, i);

      node->visited = FALSE;
      node->dependencies = 0;
      g_clear_object (&node->pending_grad);
    }
  lt_set_grad_enabled (prev);
  return ok;
}
