/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-autograd.h"
#include "lt-function-private.h"
#include "core/lt-tensor-private.h"
#include "ops/lt-ops-private.h"

/**
 * LtFunction:
 *
 * A custom autograd function, as `torch.autograd.Function`: a subclass
 * gives a forward, which computes an output from tensors and may save
 * some of them on its #LtFunctionCtx, and a backward, which gets the
 * gradient of the output and gives the gradients of the inputs.
 * lt_function_apply() runs the forward with grad mode off and, when an
 * input requires grad, records a node ("<Name>Backward") whose backward
 * rule is the class's backward. The backward runs with grad mode on under
 * `create_graph`, so a backward made of differentiable ops can be
 * differentiated again.
 *
 * Its #LtFunction:name names the node; by default the type's name.
 */

/**
 * LtFunctionCtx:
 *
 * What a custom function's forward hands to its backward, as the `ctx` of
 * `torch.autograd.Function`: the tensors saved for backward, which inputs
 * need a gradient, the outputs marked non-differentiable, and, during
 * backward, the gradients of the inputs.
 */

struct _LtFunctionCtx
{
  GObject parent_instance;

  char       *name;     /* "<Name>Backward" */
  LtFunction *function; /* owned */
  guint       n_inputs;
  gboolean   *needs;     /* per input */
  GPtrArray  *saved;     /* LtTensor */
  GArray     *versions;  /* guint, per saved tensor */
  GArray     *is_output; /* gboolean, per saved tensor: a history-free alias of the output */
  gboolean    has_saved;
  gboolean    released;
  LtTensor   *non_differentiable; /* compared only, not owned */
  LtGradFn   *node;               /* borrowed, during backward */
  LtTensor  **grads;              /* during backward: owned, n_inputs */
};

G_DEFINE_FINAL_TYPE (LtFunctionCtx, lt_function_ctx, G_TYPE_OBJECT)

typedef struct
{
  char *name;
} LtFunctionPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (LtFunction, lt_function, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lt_function_ctx_finalize (GObject *object)
{
  LtFunctionCtx *self = LT_FUNCTION_CTX (object);

  g_free (self->name);
  g_clear_object (&self->function);
  g_free (self->needs);
  g_clear_pointer (&self->saved, g_ptr_array_unref);
  g_clear_pointer (&self->versions, g_array_unref);
  g_clear_pointer (&self->is_output, g_array_unref);
  G_OBJECT_CLASS (lt_function_ctx_parent_class)->finalize (object);
}

static void
lt_function_ctx_class_init (LtFunctionCtxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lt_function_ctx_finalize;
}

static void
lt_function_ctx_init (LtFunctionCtx *self)
{
  self->saved = g_ptr_array_new_with_free_func (g_object_unref);
  self->versions = g_array_new (FALSE, TRUE, sizeof (guint));
  self->is_output = g_array_new (FALSE, TRUE, sizeof (gboolean));
}

static void
lt_function_finalize (GObject *object)
{
  LtFunctionPrivate *priv = lt_function_get_instance_private (LT_FUNCTION (object));

  g_free (priv->name);
  G_OBJECT_CLASS (lt_function_parent_class)->finalize (object);
}

static void
lt_function_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LtFunctionPrivate *priv = lt_function_get_instance_private (LT_FUNCTION (object));

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, priv->name);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_function_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LtFunctionPrivate *priv = lt_function_get_instance_private (LT_FUNCTION (object));

  switch (prop_id)
    {
      case PROP_NAME:
        g_free (priv->name);
        priv->name = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static LtTensor *
lt_function_real_forward (LtFunction    *self,
                          LtFunctionCtx *ctx,
                          LtTensor     **inputs,
                          guint          n_inputs,
                          GError       **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               "%s: the function has no forward; subclasses must implement it",
               G_OBJECT_TYPE_NAME (self));
  return NULL;
}

static gboolean
lt_function_real_backward (LtFunction    *self,
                           LtFunctionCtx *ctx,
                           LtTensor      *grad_output,
                           GError       **error)
{
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               "%s: the function has no backward; subclasses must implement it to be "
               "differentiated",
               G_OBJECT_TYPE_NAME (self));
  return FALSE;
}

static void
lt_function_class_init (LtFunctionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lt_function_finalize;
  object_class->get_property = lt_function_get_property;
  object_class->set_property = lt_function_set_property;
  klass->forward = lt_function_real_forward;
  klass->backward = lt_function_real_backward;

  /**
   * LtFunction:name:
   *
   * The name of the function; its node is "<name>Backward". %NULL for the
   * type's name.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lt_function_init (LtFunction *self)
{
}

/* The node name: "<name>Backward", the type's name without its "Lt" or the
 * module part PyGObject gives Python classes ("mod+Class"). */
static char *
backward_name (LtFunction *self)
{
  LtFunctionPrivate *priv = lt_function_get_instance_private (self);
  const char        *name = priv->name;

  if (name == NULL)
    {
      const char *plus;

      name = G_OBJECT_TYPE_NAME (self);
      plus = strrchr (name, '+');
      if (plus)
        name = plus + 1;
      else if (g_str_has_prefix (name, "Lt") && g_ascii_isupper (name[2]))
        name += 2;
    }
  return g_strdup_printf ("%sBackward", name);
}

/**
 * lt_function_apply:
 * @self: a function
 * @inputs: (array length=n_inputs): the inputs
 * @n_inputs: the number of inputs
 * @error: return location for a #GError
 *
 * Runs @self's forward on @inputs with grad mode off, as
 * `Function.apply()`. With grad mode on and an input that requires grad,
 * the output gets a node ("<name>Backward") whose backward rule is @self's
 * backward, unless the forward marked it non-differentiable. An output
 * that is one of the inputs is given as an alias, so the input keeps its
 * own history.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set
 *   when the forward fails
 */
LtTensor *
lt_function_apply (LtFunction *self, LtTensor **inputs, guint n_inputs, GError **error)
{
  g_autoptr(LtFunctionCtx) ctx = NULL;
  g_autoptr(LtTensor) out = NULL;
  GError   *local = NULL;
  gboolean  grad_mode = lt_is_grad_enabled ();
  gboolean  any = FALSE, prev;
  LtGradFn *node;

  g_return_val_if_fail (LT_IS_FUNCTION (self), NULL);
  g_return_val_if_fail (n_inputs == 0 || inputs != NULL, NULL);
  for (guint i = 0; i < n_inputs; i++)
    g_return_val_if_fail (LT_IS_TENSOR (inputs[i]), NULL);

  ctx = g_object_new (LT_TYPE_FUNCTION_CTX, NULL);
  ctx->function = g_object_ref (self);
  ctx->name = backward_name (self);
  ctx->n_inputs = n_inputs;
  ctx->needs = g_new0 (gboolean, MAX (n_inputs, 1));
  for (guint i = 0; i < n_inputs; i++)
    any |= ctx->needs[i] = grad_mode && inputs[i]->requires_grad;

  prev = lt_set_grad_enabled (FALSE);
  out = LT_FUNCTION_GET_CLASS (self)->forward (self, ctx, inputs, n_inputs, &local);
  lt_set_grad_enabled (prev);
  if (out == NULL || local != NULL)
    {
      if (local == NULL)
        local = g_error_new (LT_ERROR, LT_ERROR_FAILED, "the forward returned no tensor");
      g_clear_object (&out);
      g_propagate_prefixed_error (error, local, "%s: ", ctx->name);
      return NULL;
    }
  if (!LT_IS_TENSOR (out))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s: the forward returned no tensor",
                   ctx->name);
      return NULL;
    }
  if (!any || ctx->non_differentiable == out)
    return g_steal_pointer (&out);

  if (out->requires_grad || out->grad_fn != NULL)
    {
      /* an input (or a tensor with a history of its own): its alias gets
       * the node */
      LtTensor *alias = _lt_tensor_new_with_storage (out->storage, out->shape, out->strides,
                                                     out->ndim, out->offset, out->dtype);

      for (guint k = 0; k < ctx->saved->len; k++)
        if (g_ptr_array_index (ctx->saved, k) == out)
          g_array_index (ctx->is_output, gboolean, k) = FALSE;
      g_object_unref (out);
      out = alias;
    }
  /* The node holds the context, which must not hold the output: a saved
   * output is kept as a history-free alias. */
  for (guint k = 0; k < ctx->saved->len; k++)
    if (g_ptr_array_index (ctx->saved, k) == out)
      {
        g_ptr_array_index (ctx->saved, k) = _lt_tensor_new_with_storage (
          out->storage, out->shape, out->strides, out->ndim, out->offset, out->dtype);
        g_object_unref (out);
        g_array_index (ctx->is_output, gboolean, k) = TRUE;
      }

  node = _lt_autograd_record (LT_OP_ALIAS, inputs, n_inputs);
  g_assert (node != NULL);
  node->custom = g_steal_pointer (&ctx);
  _lt_autograd_set_output (node, out);
  return g_steal_pointer (&out);
}

const char *
_lt_function_ctx_get_name (LtFunctionCtx *ctx)
{
  return ctx->name;
}

void
_lt_function_ctx_release_saved (LtFunctionCtx *ctx)
{
  if (ctx->has_saved)
    {
      g_ptr_array_set_size (ctx->saved, 0);
      ctx->released = TRUE;
    }
}

gboolean
_lt_function_run_backward (LtGradFn *node, LtTensor *grad, LtTensor **grad_inputs, GError **error)
{
  LtFunctionCtx *ctx = node->custom;
  GError        *local = NULL;
  gboolean       ok;

  ctx->grads = g_new0 (LtTensor *, MAX (ctx->n_inputs, 1));
  ctx->node = node;
  ok = LT_FUNCTION_GET_CLASS (ctx->function)->backward (ctx->function, ctx, grad, &local);
  ctx->node = NULL;
  if (!ok || local != NULL)
    {
      if (local == NULL)
        local =
          g_error_new_literal (LT_ERROR, LT_ERROR_FAILED, "the backward failed without an error");
      g_propagate_prefixed_error (error, local, "%s: ", ctx->name);
      ok = FALSE;
    }
  for (guint i = 0; i < ctx->n_inputs; i++)
    {
      if (ok && ctx->needs[i])
        grad_inputs[i] = g_steal_pointer (&ctx->grads[i]);
      g_clear_object (&ctx->grads[i]);
    }
  g_clear_pointer (&ctx->grads, g_free);
  return ok;
}

/**
 * lt_function_ctx_save_for_backward:
 * @self: a context
 * @tensors: (array length=n_tensors): the tensors the backward needs
 * @n_tensors: the number of @tensors
 *
 * Keeps @tensors for the backward, as `ctx.save_for_backward()`; a later
 * call replaces them. An in-place change to one of them before the
 * backward makes lt_function_ctx_get_saved_tensors() fail.
 */
void
lt_function_ctx_save_for_backward (LtFunctionCtx *self, LtTensor **tensors, guint n_tensors)
{
  g_return_if_fail (LT_IS_FUNCTION_CTX (self));
  g_return_if_fail (n_tensors == 0 || tensors != NULL);

  g_ptr_array_set_size (self->saved, 0);
  g_array_set_size (self->versions, 0);
  g_array_set_size (self->is_output, 0);
  for (guint i = 0; i < n_tensors; i++)
    {
      guint    version;
      gboolean no = FALSE;

      g_return_if_fail (LT_IS_TENSOR (tensors[i]));
      version = lt_storage_get_version (tensors[i]->storage);
      g_ptr_array_add (self->saved, g_object_ref (tensors[i]));
      g_array_append_val (self->versions, version);
      g_array_append_val (self->is_output, no);
    }
  self->has_saved = TRUE;
}

/**
 * lt_function_ctx_get_saved_tensors:
 * @self: a context
 * @error: return location for a #GError
 *
 * Gets the tensors the forward saved, as `ctx.saved_tensors`. Under
 * `create_graph` a saved output comes with its history.
 *
 * Returns: (transfer container) (element-type LtTensor): the tensors, in the
 *   order they were saved, or %NULL with @error set when a backward
 *   without retain_graph already freed them or one was changed in place
 */
GPtrArray *
lt_function_ctx_get_saved_tensors (LtFunctionCtx *self, GError **error)
{
  GPtrArray *out;

  g_return_val_if_fail (LT_IS_FUNCTION_CTX (self), NULL);
  if (self->released)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "%s: trying to backward through the graph a second time (or to read "
                   "saved_tensors after they were freed); pass retain_graph=TRUE to the first "
                   "backward",
                   self->name);
      return NULL;
    }
  out = g_ptr_array_new_full (self->saved->len, g_object_unref);
  for (guint k = 0; k < self->saved->len; k++)
    {
      LtTensor *t = g_ptr_array_index (self->saved, k);
      guint     version = lt_storage_get_version (t->storage);

      if (version != g_array_index (self->versions, guint, k))
        {
          g_autofree char *s = LT_SHAPE_STR (t);

          g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                       "%s: one of the tensors saved for backward (saved tensor %u, shape %s) "
                       "was modified by an in-place operation: it is at version %u; expected "
                       "version %u",
                       self->name, k, s, version, g_array_index (self->versions, guint, k));
          g_ptr_array_unref (out);
          return NULL;
        }
      if (g_array_index (self->is_output, gboolean, k) && self->node != NULL &&
          _lt_creating_graph ())
        {
          /* the output with its history (create_graph) */
          LtTensor *r = _lt_tensor_new_with_storage (t->storage, t->shape, t->strides, t->ndim,
                                                     t->offset, t->dtype);

          r->grad_fn = g_object_ref (self->node);
          r->requires_grad = TRUE;
          g_ptr_array_add (out, r);
        }
      else
        g_ptr_array_add (out, g_object_ref (t));
    }
  return out;
}

/**
 * lt_function_ctx_get_n_inputs:
 * @self: a context
 *
 * Counts the inputs of the function's call.
 *
 * Returns: the number of inputs
 */
guint
lt_function_ctx_get_n_inputs (LtFunctionCtx *self)
{
  g_return_val_if_fail (LT_IS_FUNCTION_CTX (self), 0);
  return self->n_inputs;
}

/**
 * lt_function_ctx_needs_input_grad:
 * @self: a context
 * @index: an input's position
 *
 * Whether input @index needs a gradient, as `ctx.needs_input_grad[index]`:
 * the backward may skip computing the others.
 *
 * Returns: %TRUE when the input requires grad (and grad mode was on)
 */
gboolean
lt_function_ctx_needs_input_grad (LtFunctionCtx *self, guint index)
{
  g_return_val_if_fail (LT_IS_FUNCTION_CTX (self), FALSE);
  return index < self->n_inputs && self->needs[index];
}

/**
 * lt_function_ctx_mark_non_differentiable:
 * @self: a context
 * @output: the tensor the forward is about to return
 *
 * Marks the output as not differentiable, as
 * `ctx.mark_non_differentiable()`: it gets no node and does not require
 * grad.
 */
void
lt_function_ctx_mark_non_differentiable (LtFunctionCtx *self, LtTensor *output)
{
  g_return_if_fail (LT_IS_FUNCTION_CTX (self));
  g_return_if_fail (LT_IS_TENSOR (output));
  self->non_differentiable = output;
}

/**
 * lt_function_ctx_set_grad_input:
 * @self: a context, during the function's backward
 * @index: an input's position
 * @grad: (nullable): the gradient of input @index, of its shape (or one
 *   that sums to it); %NULL for none
 * @error: return location for a #GError
 *
 * Gives the gradient of an input, from the function's backward: what
 * `backward` returns in PyTorch, one input at a time.
 *
 * Returns: %TRUE; %FALSE with @error set when called outside backward,
 *   @index is out of range or @grad's shape does not fit the input's
 */
gboolean
lt_function_ctx_set_grad_input (LtFunctionCtx *self, guint index, LtTensor *grad, GError **error)
{
  const LtTensorMeta *meta;
  gboolean            fits;

  g_return_val_if_fail (LT_IS_FUNCTION_CTX (self), FALSE);
  g_return_val_if_fail (grad == NULL || LT_IS_TENSOR (grad), FALSE);
  if (self->grads == NULL || self->node == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                   "%s: set_grad_input is for the function's backward", self->name);
      return FALSE;
    }
  if (index >= self->n_inputs)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: gradient for input %u, but the function has %u inputs", self->name, index,
                   self->n_inputs);
      return FALSE;
    }
  if (grad == NULL)
    {
      g_clear_object (&self->grads[index]);
      return TRUE;
    }
  meta = &self->node->input_meta[index];
  fits = grad->ndim >= meta->ndim;
  for (guint d = 0; fits && d < meta->ndim; d++)
    {
      gint64 want = meta->shape[meta->ndim - 1 - d], got = grad->shape[grad->ndim - 1 - d];

      fits = want == got || want == 1;
    }
  if (!fits)
    {
      g_autofree char *s1 = LT_SHAPE_STR (grad);
      g_autofree char *s2 = _lt_shape_to_string (meta->shape, meta->ndim);

      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "function %s returned an invalid gradient at index %u - got %s but expected "
                   "shape compatible with %s",
                   self->name, index, s1, s2);
      return FALSE;
    }
  g_set_object (&self->grads[index], grad);
  return TRUE;
}
