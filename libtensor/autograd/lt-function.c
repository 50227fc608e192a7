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

/* What the node remembers of one of several outputs. */
typedef struct
{
  gint64   shape[LT_MAX_DIMS];
  guint    ndim;
  LtDType  dtype;
  LtDevice device;
  gboolean differentiable;
  gint64   offset; /* in the packed gradient */
  gint64   numel;
} OutputInfo;

struct _LtFunctionCtx
{
  GObject parent_instance;

  char       *name;     /* "<Name>Backward" */
  LtFunction *function; /* owned */
  guint       n_inputs;
  gboolean   *needs;     /* per input */
  GPtrArray  *saved;     /* LtTensor */
  GArray     *versions;  /* guint, per saved tensor */
  GArray     *is_output; /* guint, per saved tensor: 1 + the output it is a
                          * history-free alias of, or 0 */
  gboolean   has_saved;
  gboolean   released;
  GPtrArray *non_differentiable; /* outputs, compared only, not owned */
  GPtrArray *outputs;            /* during forward: lt_function_ctx_set_outputs () */
  LtGradFn  *node;               /* borrowed, during backward */
  LtTensor **grads;              /* during backward: owned, n_inputs */

  /* Several outputs: the node's gradient is every differentiable output's
   * gradient, flattened, one after another (in @pack_dtype, @pack_numel
   * elements); each such output has a selector node of its own, whose
   * backward puts its gradient at its place among zeros. */
  guint          n_outputs;
  OutputInfo    *out_info;
  LtDType        pack_dtype;
  gint64         pack_numel;
  LtFunctionCtx *parent;    /* a selector's: the function's context (owned) */
  guint          out_index; /* a selector's output */
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
  g_clear_pointer (&self->non_differentiable, g_ptr_array_unref);
  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  g_free (self->out_info);
  g_clear_object (&self->parent);
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
  self->is_output = g_array_new (FALSE, TRUE, sizeof (guint));
  self->non_differentiable = g_ptr_array_new ();
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

static gboolean
lt_function_real_backward_outputs (LtFunction    *self,
                                   LtFunctionCtx *ctx,
                                   LtTensor     **grad_outputs,
                                   guint          n_outputs,
                                   GError       **error)
{
  if (n_outputs != 1)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the function has %u outputs; subclasses must implement "
                   "backward_outputs to be differentiated",
                   G_OBJECT_TYPE_NAME (self), n_outputs);
      return FALSE;
    }
  return LT_FUNCTION_GET_CLASS (self)->backward (self, ctx, grad_outputs[0], error);
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
  klass->backward_outputs = lt_function_real_backward_outputs;

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

/* A tensor of zeros on @device. */
static LtTensor *
zeros_on (const gint64 *shape, guint ndim, LtDType dtype, LtDevice device, GError **error)
{
  LtTensor *z = lt_zeros (shape, ndim, dtype, error);

  if (z != NULL && device != LT_DEVICE_CPU)
    {
      LtTensor *moved = lt_tensor_to_device (z, device, error);

      g_object_unref (z);
      z = moved;
    }
  return z;
}

static gboolean
is_non_differentiable (LtFunctionCtx *ctx, LtTensor *out)
{
  for (guint k = 0; k < ctx->non_differentiable->len; k++)
    if (g_ptr_array_index (ctx->non_differentiable, k) == out)
      return TRUE;
  return FALSE;
}

/* An alias of @t without its history. */
static LtTensor *
plain_alias (LtTensor *t)
{
  return _lt_tensor_new_with_storage (t->storage, t->shape, t->strides, t->ndim, t->offset,
                                      t->dtype);
}

/* Gives @out a selector node for output @index of the function whose node
 * is @node (and context @ctx): its gradient goes to the node at the
 * output's place in the packed gradient. */
static void
add_selector (LtFunctionCtx *ctx, LtGradFn *node, guint index, LtTensor *out)
{
  const OutputInfo *info = &ctx->out_info[index];
  gint64            one = 1, zero_stride = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) cell = zeros_on (&one, 1, ctx->pack_dtype, info->device, &error);
  g_autoptr(LtTensor) packed = NULL;
  LtFunctionCtx *sel;
  LtGradFn      *sel_node;

  /* one element, seen as the packed gradient's shape (nothing reads it) */
  if (cell == NULL)
    {
      /* out of memory for one element: the output keeps no history */
      g_warning ("%s: %s", ctx->name, error->message);
      return;
    }
  packed = _lt_tensor_new_with_storage (cell->storage, &ctx->pack_numel, &zero_stride, 1, 0,
                                        ctx->pack_dtype);
  packed->grad_fn = g_object_ref (node);
  packed->requires_grad = TRUE;
  sel = g_object_new (LT_TYPE_FUNCTION_CTX, NULL);
  sel->name = g_strdup (ctx->name);
  sel->function = g_object_ref (ctx->function);
  sel->parent = g_object_ref (ctx);
  sel->out_index = index;
  sel_node = _lt_autograd_record (LT_OP_ALIAS, &packed, 1);
  g_assert (sel_node != NULL);
  sel_node->custom = sel;
  _lt_autograd_set_output (sel_node, out);
}

/* Records what the node needs of several outputs; FALSE when none is
 * differentiable. */
static gboolean
plan_outputs (LtFunctionCtx *ctx, GPtrArray *outs, GError **error)
{
  gboolean any = FALSE;
  LtDevice device = LT_DEVICE_CPU;

  ctx->n_outputs = outs->len;
  ctx->out_info = g_new0 (OutputInfo, outs->len);
  ctx->pack_dtype = LT_DTYPE_FLOAT32;
  for (guint k = 0; k < outs->len; k++)
    {
      LtTensor   *o = g_ptr_array_index (outs, k);
      OutputInfo *info = &ctx->out_info[k];

      info->ndim = o->ndim;
      memcpy (info->shape, o->shape, sizeof (gint64) * o->ndim);
      info->dtype = o->dtype;
      info->device = o->storage->device;
      info->numel = o->numel;
      info->differentiable = _lt_dtype_is_float (o->dtype) && !is_non_differentiable (ctx, o);
      if (!info->differentiable)
        continue;
      if (any && info->device != device)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                       "%s: the differentiable outputs of a function must be on one device "
                       "(output %u is on device %d, an earlier one on device %d)",
                       ctx->name, k, (int) info->device, (int) device);
          return FALSE;
        }
      device = info->device;
      if (o->dtype == LT_DTYPE_FLOAT64)
        ctx->pack_dtype = LT_DTYPE_FLOAT64;
      info->offset = ctx->pack_numel;
      ctx->pack_numel += o->numel;
      any = TRUE;
    }
  return any;
}

/* The forward's outputs: those it set, or the one it returned. */
static GPtrArray *
run_forward (LtFunction    *self,
             LtFunctionCtx *ctx,
             LtTensor     **inputs,
             guint          n_inputs,
             GError       **error)
{
  g_autoptr(LtTensor) out = NULL;
  GError    *local = NULL;
  gboolean   prev = lt_set_grad_enabled (FALSE);
  GPtrArray *outs;

  out = LT_FUNCTION_GET_CLASS (self)->forward (self, ctx, inputs, n_inputs, &local);
  lt_set_grad_enabled (prev);
  if (out == NULL || local != NULL)
    {
      if (local == NULL)
        local = g_error_new (LT_ERROR, LT_ERROR_FAILED, "the forward returned no tensor");
      g_propagate_prefixed_error (error, local, "%s: ", ctx->name);
      return NULL;
    }
  if (!LT_IS_TENSOR (out))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_FAILED, "%s: the forward returned no tensor",
                   ctx->name);
      return NULL;
    }
  if (ctx->outputs != NULL)
    return g_steal_pointer (&ctx->outputs);
  outs = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (outs, g_steal_pointer (&out));
  return outs;
}

/* An output that is an input (or has a history of its own) is replaced by
 * an alias, which gets the node; a saved tensor that was that input stays
 * an input. */
static void
alias_if_owned (LtFunctionCtx *ctx, GPtrArray *outs, guint k)
{
  LtTensor *out = g_ptr_array_index (outs, k);

  if (!out->requires_grad && out->grad_fn == NULL)
    return;
  for (guint j = 0; j < ctx->saved->len; j++)
    if (g_ptr_array_index (ctx->saved, j) == out)
      g_array_index (ctx->is_output, guint, j) = 0;
  g_ptr_array_index (outs, k) = plain_alias (out);
  g_object_unref (out);
}

/* The node holds the context, which must not hold an output: a saved
 * output is kept as a history-free alias. */
static void
save_outputs_as_aliases (LtFunctionCtx *ctx, GPtrArray *outs)
{
  for (guint k = 0; k < outs->len; k++)
    {
      LtTensor *out = g_ptr_array_index (outs, k);

      for (guint j = 0; j < ctx->saved->len; j++)
        if (g_ptr_array_index (ctx->saved, j) == out)
          {
            g_ptr_array_index (ctx->saved, j) = plain_alias (out);
            g_object_unref (out);
            g_array_index (ctx->is_output, guint, j) = k + 1;
          }
    }
}

/**
 * lt_function_apply_outputs:
 * @self: a function
 * @inputs: (array length=n_inputs): the inputs
 * @n_inputs: the number of inputs
 * @error: return location for a #GError
 *
 * Runs @self's forward on @inputs with grad mode off, as `Function.apply()`
 * for a forward that returns a tuple: the outputs are those the forward
 * gave to lt_function_ctx_set_outputs() (or the one it returned). With
 * grad mode on and an input that requires grad, every floating-point
 * output that the forward did not mark non-differentiable gets a history
 * that leads to one node of the function, whose backward gets a gradient
 * for every output (#LtFunctionClass::backward_outputs); an output that
 * is one of the inputs is given as an alias, so the input keeps its own
 * history. Each differentiable output of several has a node of its own
 * ("<name>Backward", as the function's) that hands its gradient to the
 * function's node.
 *
 * Returns: (transfer container) (element-type LtTensor): the outputs, or
 *   %NULL with @error set when the forward fails
 */
GPtrArray *
lt_function_apply_outputs (LtFunction *self, LtTensor **inputs, guint n_inputs, GError **error)
{
  g_autoptr(LtFunctionCtx) ctx = NULL;
  g_autoptr(GPtrArray) outs = NULL;
  gboolean  grad_mode = lt_is_grad_enabled ();
  gboolean  any = FALSE;
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

  outs = run_forward (self, ctx, inputs, n_inputs, error);
  if (outs == NULL)
    return NULL;
  if (!any)
    return g_steal_pointer (&outs);

  if (outs->len == 1)
    {
      /* one output: the node is its own */
      if (is_non_differentiable (ctx, g_ptr_array_index (outs, 0)))
        return g_steal_pointer (&outs);
      alias_if_owned (ctx, outs, 0);
      save_outputs_as_aliases (ctx, outs);
      ctx->n_outputs = 1;
      node = _lt_autograd_record (LT_OP_ALIAS, inputs, n_inputs);
      g_assert (node != NULL);
      node->custom = g_object_ref (ctx);
      _lt_autograd_set_output (node, g_ptr_array_index (outs, 0));
      return g_steal_pointer (&outs);
    }

  {
    GError *local = NULL;

    if (!plan_outputs (ctx, outs, &local))
      {
        if (local == NULL)
          return g_steal_pointer (&outs);
        g_propagate_error (error, local);
        return NULL;
      }
  }
  for (guint k = 0; k < outs->len; k++)
    if (ctx->out_info[k].differentiable)
      alias_if_owned (ctx, outs, k);
  save_outputs_as_aliases (ctx, outs);
  node = _lt_autograd_record (LT_OP_ALIAS, inputs, n_inputs);
  g_assert (node != NULL);
  node->custom = g_object_ref (ctx);
  {
    /* the node's output stands for the packed gradient */
    gint64 zero_stride = 0, one = 1;
    g_autoptr(GError) local = NULL;
    g_autoptr(LtTensor) cell =
                 zeros_on (&one, 1, ctx->pack_dtype, ctx->out_info[0].device, &local);
    g_autoptr(LtTensor) stub = NULL;

    if (cell == NULL)
      {
        g_object_unref (node);
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
      }
    stub = _lt_tensor_new_with_storage (cell->storage, &ctx->pack_numel, &zero_stride, 1, 0,
                                        ctx->pack_dtype);
    _lt_autograd_set_output (node, stub);
    for (guint k = 0; k < outs->len; k++)
      if (ctx->out_info[k].differentiable)
        add_selector (ctx, node, k, g_ptr_array_index (outs, k));
  }
  return g_steal_pointer (&outs);
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
 * own history. A forward with several outputs needs
 * lt_function_apply_outputs().
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set
 *   when the forward fails or gives several outputs
 */
LtTensor *
lt_function_apply (LtFunction *self, LtTensor **inputs, guint n_inputs, GError **error)
{
  g_autoptr(GPtrArray) outs = lt_function_apply_outputs (self, inputs, n_inputs, error);

  if (outs == NULL)
    return NULL;
  if (outs->len != 1)
    {
      g_autofree char *name = backward_name (self);

      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the forward gave %u outputs; apply them with "
                   "lt_function_apply_outputs()",
                   name, outs->len);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (outs, 0));
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

/* A selector's backward: the output's gradient, flattened, at its place
 * among zeros (a cat, so that it can be differentiated again). */
static gboolean
selector_backward (LtFunctionCtx *sel, LtTensor *grad, LtTensor **grad_inputs, GError **error)
{
  const LtFunctionCtx *ctx = sel->parent;
  const OutputInfo    *info = &ctx->out_info[sel->out_index];
  gint64               n = info->numel;
  gint64               before = info->offset, after = ctx->pack_numel - info->offset - n;
  g_autoptr(LtTensor) flat = lt_tensor_reshape (grad, &n, 1, error);
  g_autoptr(LtTensor) head = NULL;
  g_autoptr(LtTensor) tail = NULL;
  LtTensor *parts[3];
  guint     n_parts = 0;

  if (flat == NULL)
    return FALSE;
  head = before > 0 ? zeros_on (&before, 1, grad->dtype, info->device, error) : NULL;
  tail = after > 0 ? zeros_on (&after, 1, grad->dtype, info->device, error) : NULL;
  if ((before > 0 && head == NULL) || (after > 0 && tail == NULL))
    return FALSE;
  if (head)
    parts[n_parts++] = head;
  parts[n_parts++] = flat;
  if (tail)
    parts[n_parts++] = tail;
  grad_inputs[0] = n_parts == 1 ? g_object_ref (flat) : lt_cat (parts, n_parts, 0, error);
  return grad_inputs[0] != NULL;
}

/* The gradient of every output, from the packed gradient. */
static LtTensor **
unpack_grads (LtFunctionCtx *ctx, LtTensor *grad, GError **error)
{
  LtTensor **grads = g_new0 (LtTensor *, ctx->n_outputs);

  for (guint k = 0; k < ctx->n_outputs; k++)
    {
      const OutputInfo *info = &ctx->out_info[k];

      if (info->differentiable)
        {
          g_autoptr(LtTensor) part = lt_tensor_narrow (grad, 0, info->offset, info->numel, error);
          g_autoptr(LtTensor) shaped =
                       part ? lt_tensor_reshape (part, info->shape, info->ndim, error) : NULL;

          grads[k] = shaped == NULL ? NULL
                     : shaped->dtype == info->dtype
                       ? g_object_ref (shaped)
                       : lt_tensor_to_dtype (shaped, info->dtype, error);
        }
      else
        grads[k] = zeros_on (info->shape, info->ndim, info->dtype, info->device, error);
      if (grads[k] == NULL)
        {
          for (guint j = 0; j < k; j++)
            g_object_unref (grads[j]);
          g_free (grads);
          return NULL;
        }
    }
  return grads;
}

gboolean
_lt_function_run_backward (LtGradFn *node, LtTensor *grad, LtTensor **grad_inputs, GError **error)
{
  LtFunctionCtx *ctx = node->custom;
  GError        *local = NULL;
  gboolean       ok;
  LtTensor     **grads;
  guint          n_grads = MAX (ctx->n_outputs, 1);

  if (ctx->parent != NULL)
    return selector_backward (ctx, grad, grad_inputs, error);
  if (ctx->n_outputs > 1)
    {
      grads = unpack_grads (ctx, grad, error);
      if (grads == NULL)
        return FALSE;
    }
  else
    {
      grads = g_new (LtTensor *, 1);
      grads[0] = g_object_ref (grad);
    }
  ctx->grads = g_new0 (LtTensor *, MAX (ctx->n_inputs, 1));
  ctx->node = node;
  ok = LT_FUNCTION_GET_CLASS (ctx->function)
         ->backward_outputs (ctx->function, ctx, grads, n_grads, &local);
  ctx->node = NULL;
  for (guint k = 0; k < n_grads; k++)
    g_object_unref (grads[k]);
  g_free (grads);
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
      guint version, no = 0;

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
      if (g_array_index (self->is_output, guint, k) != 0 && self->node != NULL &&
          _lt_creating_graph ())
        {
          /* the output with its history (create_graph) */
          LtTensor *r = plain_alias (t);

          if (self->n_outputs > 1)
            add_selector (self, self->node, g_array_index (self->is_output, guint, k) - 1, r);
          else
            {
              r->grad_fn = g_object_ref (self->node);
              r->requires_grad = TRUE;
            }
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
 * @output: a tensor the forward is about to return
 *
 * Marks an output as not differentiable, as
 * `ctx.mark_non_differentiable()`: it gets no node and does not require
 * grad; the backward of a function with several outputs gets zeros for
 * it. Call it once for each such output.
 */
void
lt_function_ctx_mark_non_differentiable (LtFunctionCtx *self, LtTensor *output)
{
  g_return_if_fail (LT_IS_FUNCTION_CTX (self));
  g_return_if_fail (LT_IS_TENSOR (output));
  g_ptr_array_add (self->non_differentiable, output);
}

/**
 * lt_function_ctx_set_outputs:
 * @self: a context, during the function's forward
 * @outputs: (array length=n_outputs): the outputs, in order
 * @n_outputs: the number of @outputs
 *
 * Gives the outputs of a forward that has several, as a PyTorch forward
 * that returns a tuple; the forward then returns the first of them (or
 * any tensor: what it returns is not used). lt_function_apply_outputs()
 * returns them, and the backward gets one gradient for each
 * (#LtFunctionClass::backward_outputs).
 */
void
lt_function_ctx_set_outputs (LtFunctionCtx *self, LtTensor **outputs, guint n_outputs)
{
  g_return_if_fail (LT_IS_FUNCTION_CTX (self));
  g_return_if_fail (n_outputs > 0 && outputs != NULL);
  for (guint k = 0; k < n_outputs; k++)
    g_return_if_fail (LT_IS_TENSOR (outputs[k]));

  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  self->outputs = g_ptr_array_new_full (n_outputs, g_object_unref);
  for (guint k = 0; k < n_outputs; k++)
    g_ptr_array_add (self->outputs, g_object_ref (outputs[k]));
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
