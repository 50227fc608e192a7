/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-module-hooks.h"
#include "lt-nn-private.h"
#include "autograd/lt-autograd.h"
#include "autograd/lt-grad-fn-private.h"
#include "core/lt-tensor-private.h"

/*
 * Module hooks, as PyTorch's: forward pre-hooks and forward hooks run by
 * lt_module_forward() around the module's forward, and full backward hooks,
 * which see the gradients with respect to the module's input and output.
 *
 * For a backward hook the forward runs on an alias of its input (a node of
 * its own, AliasBackward0) and gives an alias of its output: a gradient
 * hook on the output's alias keeps the output's gradient; one on the
 * input's alias, which sees the input's gradient from this module alone,
 * calls the module's backward hooks with both and passes on what they
 * return. A module whose input does not require grad calls them from the
 * output's hook with no input gradient.
 */

typedef enum
{
  HOOK_FORWARD_PRE,
  HOOK_FORWARD,
  HOOK_BACKWARD,
} HookKind;

typedef struct
{
  HookKind       kind;
  guint          id;
  gpointer       func;
  gpointer       user_data;
  GDestroyNotify destroy;
} ModuleHook;

/* The hook lists change under this lock; lt_module_forward() runs a copy. */
G_LOCK_DEFINE_STATIC (module_hooks);
static guint last_hook_id;

static void
module_hook_clear (ModuleHook *hook)
{
  if (hook->destroy)
    hook->destroy (hook->user_data);
}

static ModuleHook *
module_hook_ref (ModuleHook *hook)
{
  return g_atomic_rc_box_acquire (hook);
}

static void
module_hook_unref (ModuleHook *hook)
{
  g_atomic_rc_box_release_full (hook, (GDestroyNotify) module_hook_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ModuleHook, module_hook_unref)

static guint
add_hook (LtModule *self, HookKind kind, gpointer func, gpointer user_data, GDestroyNotify destroy)
{
  ModuleHook *hook = g_atomic_rc_box_new0 (ModuleHook);
  GPtrArray **list = _lt_module_hooks (self);
  guint       id;

  hook->kind = kind;
  hook->func = func;
  hook->user_data = user_data;
  hook->destroy = destroy;
  G_LOCK (module_hooks);
  id = hook->id = ++last_hook_id;
  if (*list == NULL)
    g_atomic_pointer_set (list,
                          g_ptr_array_new_with_free_func ((GDestroyNotify) module_hook_unref));
  g_ptr_array_add (*list, hook);
  G_UNLOCK (module_hooks);
  return id;
}

/**
 * lt_module_register_forward_pre_hook:
 * @self: a module
 * @func: (scope notified) (closure user_data) (destroy destroy): the hook
 * @user_data: data for @func
 * @destroy: frees @user_data when the hook is removed or the module freed
 *
 * Registers a hook that lt_module_forward() runs before @self's forward,
 * as `module.register_forward_pre_hook()`: it sees the input and may
 * replace it. Hooks run in the order they were registered, each on what
 * the previous one left.
 *
 * Returns: an id for lt_module_remove_hook()
 */
guint
lt_module_register_forward_pre_hook (LtModule                  *self,
                                     LtModuleForwardPreHookFunc func,
                                     gpointer                   user_data,
                                     GDestroyNotify             destroy)
{
  g_return_val_if_fail (LT_IS_MODULE (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  return add_hook (self, HOOK_FORWARD_PRE, func, user_data, destroy);
}

/**
 * lt_module_register_forward_hook:
 * @self: a module
 * @func: (scope notified) (closure user_data) (destroy destroy): the hook
 * @user_data: data for @func
 * @destroy: frees @user_data when the hook is removed or the module freed
 *
 * Registers a hook that lt_module_forward() runs after @self's forward, as
 * `module.register_forward_hook()`: it sees the input and the output and
 * may replace the output. Hooks run in the order they were registered,
 * each on what the previous one left.
 *
 * Returns: an id for lt_module_remove_hook()
 */
guint
lt_module_register_forward_hook (LtModule               *self,
                                 LtModuleForwardHookFunc func,
                                 gpointer                user_data,
                                 GDestroyNotify          destroy)
{
  g_return_val_if_fail (LT_IS_MODULE (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  return add_hook (self, HOOK_FORWARD, func, user_data, destroy);
}

/**
 * lt_module_register_full_backward_hook:
 * @self: a module
 * @func: (scope notified) (closure user_data) (destroy destroy): the hook
 * @user_data: data for @func
 * @destroy: frees @user_data when the hook is removed or the module freed
 *
 * Registers a hook that sees the gradients with respect to @self's input
 * and output during a backward pass through what its forward computed, as
 * `module.register_full_backward_hook()`, and may replace the input's
 * gradient. It applies to forwards run after it was registered, with grad
 * mode on and an output that requires grad.
 *
 * While a module has a backward hook its forward gets an alias of its input
 * and gives an alias of its output (AliasBackward0 nodes), so that the
 * hook sees the gradients of this module alone: modifying the input in
 * place in the forward is then an error, as it is in PyTorch.
 *
 * Returns: an id for lt_module_remove_hook()
 */
guint
lt_module_register_full_backward_hook (LtModule                *self,
                                       LtModuleBackwardHookFunc func,
                                       gpointer                 user_data,
                                       GDestroyNotify           destroy)
{
  g_return_val_if_fail (LT_IS_MODULE (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  return add_hook (self, HOOK_BACKWARD, func, user_data, destroy);
}

/**
 * lt_module_remove_hook:
 * @self: a module
 * @id: an id returned by one of the lt_module_register_*_hook() functions
 *
 * Removes a hook, as `handle.remove()`. A hook may remove itself (or
 * another) while it runs; its data is freed once nothing runs it. A
 * backward hook removed after a forward still runs in the backward pass
 * of that forward's graph, as in PyTorch.
 *
 * Returns: %TRUE if the hook was found and removed
 */
gboolean
lt_module_remove_hook (LtModule *self, guint id)
{
  GPtrArray **list;
  ModuleHook *found = NULL;

  g_return_val_if_fail (LT_IS_MODULE (self), FALSE);
  list = _lt_module_hooks (self);
  G_LOCK (module_hooks);
  for (guint i = 0; *list && i < (*list)->len; i++)
    if (((ModuleHook *) g_ptr_array_index (*list, i))->id == id)
      {
        found = g_ptr_array_steal_index (*list, i);
        break;
      }
  G_UNLOCK (module_hooks);
  if (found)
    module_hook_unref (found);
  return found != NULL;
}

/* The hooks of @kind, each with a reference; NULL when there are none. */
static GPtrArray *
snapshot (LtModule *self, HookKind kind)
{
  GPtrArray **list = _lt_module_hooks (self);
  GPtrArray  *copy = NULL;

  G_LOCK (module_hooks);
  for (guint i = 0; *list && i < (*list)->len; i++)
    {
      ModuleHook *hook = g_ptr_array_index (*list, i);

      if (hook->kind != kind)
        continue;
      if (copy == NULL)
        copy = g_ptr_array_new_with_free_func ((GDestroyNotify) module_hook_unref);
      g_ptr_array_add (copy, module_hook_ref (hook));
    }
  G_UNLOCK (module_hooks);
  return copy;
}

static void
prefix_hook_error (GError **error, GError *local, LtModule *self, const char *what)
{
  if (local == NULL)
    local =
      g_error_new_literal (LT_ERROR, LT_ERROR_FAILED, "the hook returned nothing and set no error");
  g_propagate_prefixed_error (error, local, "%s: a %s failed: ", lt_module_get_type_name (self),
                              what);
}

/* An alias of @t with a node of its own (AliasBackward0). */
static LtTensor *
tracked_alias (LtTensor *t)
{
  LtTensor *v = _lt_tensor_new_view (t, t->shape, t->strides, t->ndim, t->offset);
  LtGradFn *node = _lt_autograd_record (LT_OP_ALIAS, &t, 1);

  if (node)
    _lt_autograd_set_output (node, v);
  return v;
}

/* What the gradient hooks of one forward share. */
typedef struct
{
  LtModule  *module;      /* owned */
  GPtrArray *hooks;       /* the module's backward hooks when the forward ran */
  LtTensor  *grad_output; /* owned; set by the output's hook */
  gboolean   has_input;   /* the input's alias carries the hooks */
} BackwardState;

static void
backward_state_clear (BackwardState *st)
{
  g_object_unref (st->module);
  g_ptr_array_unref (st->hooks);
  g_clear_object (&st->grad_output);
}

static void
backward_state_unref (gpointer st)
{
  g_atomic_rc_box_release_full (st, (GDestroyNotify) backward_state_clear);
}

/* Runs the backward hooks; returns the input gradient they leave (a new
 * reference, or NULL when @grad_input is NULL and no hook gave one), or
 * NULL with @error set. */
static LtTensor *
call_backward_hooks (BackwardState *st, LtTensor *grad_input, gboolean *failed, GError **error)
{
  LtTensor *g = grad_input ? g_object_ref (grad_input) : NULL;
  g_autoptr(LtTensor) zeros = NULL;
  LtTensor *grad_output = st->grad_output;

  *failed = FALSE;
  if (grad_output == NULL)
    return g;
  for (guint i = 0; i < st->hooks->len; i++)
    {
      ModuleHook *hook = g_ptr_array_index (st->hooks, i);
      GError     *local = NULL;
      LtTensor   *r = ((LtModuleBackwardHookFunc) hook->func) (st->module, g, grad_output,
                                                             hook->user_data, &local);

      if (local != NULL)
        {
          g_clear_object (&r);
          g_clear_object (&g);
          prefix_hook_error (error, local, st->module, "backward hook");
          *failed = TRUE;
          return NULL;
        }
      if (r == NULL)
        continue;
      if (g == NULL)
        {
          /* PyTorch ignores what a hook returns for inputs that need no
           * gradient */
          g_object_unref (r);
          continue;
        }
      g_object_unref (g);
      g = r;
    }
  return g;
}

static LtTensor *
output_grad_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  BackwardState *st = user_data;
  gboolean       failed;
  LtTensor      *g;

  g_set_object (&st->grad_output, grad);
  if (st->has_input)
    return NULL;
  g = call_backward_hooks (st, NULL, &failed, error);
  g_clear_object (&g);
  return NULL;
}

static LtTensor *
input_grad_hook (LtTensor *grad, gpointer user_data, GError **error)
{
  BackwardState *st = user_data;
  gboolean       failed;
  LtTensor      *g = call_backward_hooks (st, grad, &failed, error);

  g_clear_object (&st->grad_output);
  if (g == grad)
    {
      g_object_unref (g);
      return NULL;
    }
  return g;
}

LtTensor *
_lt_module_forward_hooked (LtModule *self, LtTensor *input, GError **error)
{
  g_autoptr(GPtrArray) pre = snapshot (self, HOOK_FORWARD_PRE);
  g_autoptr(GPtrArray) post = snapshot (self, HOOK_FORWARD);
  g_autoptr(GPtrArray) backward = snapshot (self, HOOK_BACKWARD);
  g_autoptr(LtTensor) in = g_object_ref (input);
  g_autoptr(LtTensor) out = NULL;
  BackwardState *st = NULL;

  for (guint i = 0; pre && i < pre->len; i++)
    {
      ModuleHook *hook = g_ptr_array_index (pre, i);
      GError     *local = NULL;
      LtTensor   *r = ((LtModuleForwardPreHookFunc) hook->func) (self, in, hook->user_data, &local);

      if (local != NULL || (r != NULL && !LT_IS_TENSOR (r)))
        {
          if (local == NULL)
            local = g_error_new_literal (LT_ERROR, LT_ERROR_FAILED, "it gave no tensor");
          g_clear_object (&r);
          prefix_hook_error (error, local, self, "forward pre-hook");
          return NULL;
        }
      if (r != NULL)
        g_set_object (&in, r), g_object_unref (r);
    }

  if (backward != NULL && lt_is_grad_enabled ())
    {
      st = g_atomic_rc_box_new0 (BackwardState);
      st->module = g_object_ref (self);
      st->hooks = g_ptr_array_ref (backward);
      if (in->requires_grad)
        {
          LtTensor *alias = tracked_alias (in);

          g_object_unref (in);
          in = alias;
          st->has_input = TRUE;
          lt_tensor_register_hook (in, input_grad_hook, g_atomic_rc_box_acquire (st),
                                   backward_state_unref, NULL);
        }
    }

  out = _lt_module_run_forward (self, in, error);
  if (out == NULL)
    {
      if (st)
        backward_state_unref (st);
      return NULL;
    }

  for (guint i = 0; post && i < post->len; i++)
    {
      ModuleHook *hook = g_ptr_array_index (post, i);
      GError     *local = NULL;
      LtTensor *r = ((LtModuleForwardHookFunc) hook->func) (self, in, out, hook->user_data, &local);

      if (local != NULL || (r != NULL && !LT_IS_TENSOR (r)))
        {
          if (local == NULL)
            local = g_error_new_literal (LT_ERROR, LT_ERROR_FAILED, "it gave no tensor");
          g_clear_object (&r);
          prefix_hook_error (error, local, self, "forward hook");
          if (st)
            backward_state_unref (st);
          return NULL;
        }
      if (r != NULL)
        g_set_object (&out, r), g_object_unref (r);
    }

  if (st != NULL)
    {
      if (out->requires_grad)
        {
          LtTensor *alias = tracked_alias (out);

          g_object_unref (out);
          out = alias;
          lt_tensor_register_hook (out, output_grad_hook, g_atomic_rc_box_acquire (st),
                                   backward_state_unref, NULL);
        }
      backward_state_unref (st);
    }
  return g_steal_pointer (&out);
}
