/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-tensor-private.h"
#include "lt-dtype-private.h"
#include "backends/lt-device-private.h"
#include "lt-shape-private.h"
#include "lt-error.h"
#include "lt-enum-types.h"

/**
 * LtTensor:
 *
 * A multi-dimensional array of one element type on one device, with the
 * autograd state PyTorch gives its tensors: whether it requires a gradient,
 * the accumulated gradient of a leaf, and the node of the operation that
 * produced it.
 *
 * A tensor is a view over an [struct@Lt.Storage]: a shape, strides and an
 * offset in elements. Views made by lt_tensor_select(), lt_tensor_narrow(),
 * lt_tensor_transpose(), lt_tensor_expand() and friends share the storage of
 * the tensor they were taken from.
 *
 * Tensors are created by the functions of the creation family (lt_zeros(),
 * lt_rand(), lt_tensor_new_from_doubles(), ...) and by every operation.
 */

enum {
  PROP_0,
  PROP_SHAPE,
  PROP_DTYPE,
  PROP_DEVICE,
  PROP_REQUIRES_GRAD,
  PROP_GRAD,
  PROP_GRAD_FN,
  PROP_IS_LEAF,
  PROP_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (LtTensor, lt_tensor, G_TYPE_OBJECT)

LtHook *
_lt_hook_new (LtTensorHookFunc func, gpointer user_data, GDestroyNotify destroy)
{
  static guint next_id = 1;
  LtHook      *hook = g_new0 (LtHook, 1);

  g_atomic_ref_count_init (&hook->ref_count);
  hook->id = g_atomic_int_add (&next_id, 1);
  hook->func = func;
  hook->user_data = user_data;
  hook->destroy = destroy;
  return hook;
}

LtHook *
_lt_hook_ref (LtHook *hook)
{
  g_atomic_ref_count_inc (&hook->ref_count);
  return hook;
}

void
_lt_hook_unref (LtHook *hook)
{
  if (!g_atomic_ref_count_dec (&hook->ref_count))
    return;
  if (hook->destroy)
    hook->destroy (hook->user_data);
  g_free (hook);
}

static void
release_queue_free (gpointer queue)
{
  g_ptr_array_unref (queue);
}

static GPrivate               release_queue = G_PRIVATE_INIT (release_queue_free);
static _Thread_local gboolean releasing;

void
_lt_object_release (gpointer object)
{
  GPtrArray *queue;

  if (object == NULL)
    return;
  if (!releasing)
    {
      releasing = TRUE;
      g_object_unref (object);
      queue = g_private_get (&release_queue);
      while (queue && queue->len > 0)
        g_object_unref (g_ptr_array_steal_index_fast (queue, queue->len - 1));
      releasing = FALSE;
      return;
    }
  /* Inside a release: a reference that is not the last is dropped now;
   * the last one waits for the outermost release. */
  if (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1)
    {
      g_object_unref (object);
      return;
    }
  queue = g_private_get (&release_queue);
  if (queue == NULL)
    {
      queue = g_ptr_array_new ();
      g_private_set (&release_queue, queue);
    }
  g_ptr_array_add (queue, object);
}

static void
lt_tensor_finalize (GObject *object)
{
  LtTensor *self = LT_TENSOR (object);

  _lt_object_release (g_steal_pointer (&self->grad));
  _lt_object_release (g_steal_pointer (&self->grad_fn));
  g_clear_pointer (&self->hooks, g_ptr_array_unref);
  g_clear_pointer (&self->post_accumulate_hooks, g_ptr_array_unref);
  g_clear_pointer (&self->storage, lt_storage_unref);

  G_OBJECT_CLASS (lt_tensor_parent_class)->finalize (object);
}

static void
lt_tensor_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LtTensor *self = LT_TENSOR (object);

  switch (prop_id)
    {
    case PROP_SHAPE:
      g_value_take_variant (value, g_variant_new_fixed_array (G_VARIANT_TYPE_INT64,
                                                              self->shape, self->ndim,
                                                              sizeof (gint64)));
      break;
    case PROP_DTYPE:
      g_value_set_enum (value, self->dtype);
      break;
    case PROP_DEVICE:
      g_value_set_enum (value, self->storage->device);
      break;
    case PROP_REQUIRES_GRAD:
      g_value_set_boolean (value, self->requires_grad);
      break;
    case PROP_GRAD:
      g_value_set_object (value, self->grad);
      break;
    case PROP_GRAD_FN:
      g_value_set_object (value, self->grad_fn);
      break;
    case PROP_IS_LEAF:
      g_value_set_boolean (value, self->grad_fn == NULL);
      break;
    case PROP_VERSION:
      g_value_set_uint (value, lt_storage_get_version (self->storage));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_tensor_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LtTensor *self = LT_TENSOR (object);
  g_autoptr(GError) error = NULL;

  switch (prop_id)
    {
    case PROP_REQUIRES_GRAD:
      if (!lt_tensor_set_requires_grad (self, g_value_get_boolean (value), &error))
        g_warning ("%s", error->message);
      break;
    case PROP_GRAD:
      if (!lt_tensor_set_grad (self, g_value_get_object (value), &error))
        g_warning ("%s", error->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lt_tensor_class_init (LtTensorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lt_tensor_finalize;
  object_class->get_property = lt_tensor_get_property;
  object_class->set_property = lt_tensor_set_property;

  /**
   * LtTensor:shape:
   *
   * The size of every dimension, as a #GVariant of type `ax`.
   */
  properties[PROP_SHAPE] =
    g_param_spec_variant ("shape", NULL, NULL, G_VARIANT_TYPE ("ax"), NULL,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LtTensor:dtype:
   *
   * The element type.
   */
  properties[PROP_DTYPE] =
    g_param_spec_enum ("dtype", NULL, NULL, LT_TYPE_DTYPE, LT_DTYPE_FLOAT32,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LtTensor:device:
   *
   * The device the elements live on.
   */
  properties[PROP_DEVICE] =
    g_param_spec_enum ("device", NULL, NULL, LT_TYPE_DEVICE, LT_DEVICE_CPU,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LtTensor:requires-grad:
   *
   * Whether operations on this tensor are recorded for autograd. Only
   * floating-point tensors can require gradients.
   */
  properties[PROP_REQUIRES_GRAD] =
    g_param_spec_boolean ("requires-grad", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LtTensor:grad:
   *
   * The gradient accumulated by lt_tensor_backward() into a leaf (or a
   * non-leaf that called lt_tensor_retain_grad()), or %NULL.
   */
  properties[PROP_GRAD] =
    g_param_spec_object ("grad", NULL, NULL, LT_TYPE_TENSOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * LtTensor:grad-fn: (type LtGradFn)
   *
   * The autograd node (an #LtGradFn) of the operation that produced this
   * tensor, or %NULL for a leaf.
   */
  /* A GObject in the type system: core sits below autograd, which
   * registers LtGradFn. */
  properties[PROP_GRAD_FN] = g_param_spec_object ("grad-fn", NULL, NULL, G_TYPE_OBJECT,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LtTensor:is-leaf:
   *
   * Whether the tensor has no autograd node: created by the user rather
   * than by an operation on tensors that require gradients.
   */
  properties[PROP_IS_LEAF] =
    g_param_spec_boolean ("is-leaf", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * LtTensor:version:
   *
   * The number of in-place modifications of the tensor's storage.
   */
  properties[PROP_VERSION] =
    g_param_spec_uint ("version", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lt_tensor_init (LtTensor *self)
{
}

/* Internal constructors */

LtTensor *
_lt_tensor_new_with_storage (LtStorage    *storage,
                             const gint64 *shape,
                             const gint64 *strides,
                             guint         ndim,
                             gint64        offset,
                             LtDType       dtype)
{
  LtTensor *t = g_object_new (LT_TYPE_TENSOR, NULL);
  gint64 numel = 1;

  t->storage = lt_storage_ref (storage);
  t->ndim = ndim;
  t->dtype = dtype;
  t->offset = offset;
  for (guint i = 0; i < ndim; i++)
    {
      t->shape[i] = shape[i];
      numel *= shape[i];
    }
  if (strides)
    memcpy (t->strides, strides, ndim * sizeof (gint64));
  else
    _lt_shape_contiguous_strides (shape, ndim, t->strides);
  t->numel = numel;
  return t;
}

LtTensor *
_lt_tensor_new_empty (const gint64 *shape,
                      guint         ndim,
                      LtDType       dtype,
                      LtDevice      device,
                      GError      **error)
{
  LtStorage *storage;
  LtTensor *t;
  gint64 numel;
  gsize nbytes;

  if (!_lt_shape_check_alloc (shape, ndim, dtype, "empty", error) ||
      !_lt_shape_numel (shape, ndim, &numel, "empty", error))
    return NULL;
  nbytes = (gsize) numel * _lt_dtype_size (dtype);
  storage = _lt_storage_new (device, nbytes, error);
  if (storage == NULL)
    return NULL;
  t = _lt_tensor_new_with_storage (storage, shape, NULL, ndim, 0, dtype);
  lt_storage_unref (storage);
  return t;
}

LtTensor *
_lt_tensor_empty_like (LtTensor *like,
                       LtDType   dtype,
                       GError  **error)
{
  return _lt_tensor_new_empty (like->shape, like->ndim, dtype, like->storage->device, error);
}

LtTensor *
_lt_tensor_new_view (LtTensor     *base,
                     const gint64 *shape,
                     const gint64 *strides,
                     guint         ndim,
                     gint64        offset)
{
  LtTensor *t = _lt_tensor_new_with_storage (base->storage, shape, strides, ndim, offset, base->dtype);

  t->is_view = TRUE;
  return t;
}

LtTensor *
_lt_tensor_new_scalar (double   value,
                       LtDType  dtype,
                       gboolean wrapped)
{
  LtTensor *t = _lt_tensor_new_empty (NULL, 0, dtype, LT_DEVICE_CPU, NULL);

  _lt_store_double (t->storage->data, dtype, value);
  t->is_wrapped_number = wrapped;
  return t;
}

/* Metadata */

/**
 * lt_tensor_get_dtype:
 * @self: a tensor
 *
 * Gets the element type of @self.
 *
 * Returns: the element type of @self
 */
LtDType
lt_tensor_get_dtype (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), LT_DTYPE_FLOAT32);
  return self->dtype;
}

/**
 * lt_tensor_get_device:
 * @self: a tensor
 *
 * Gets the device whose memory holds the elements of @self: its type, the
 * same for every CUDA device; lt_tensor_get_device_index() says which.
 *
 * Returns: the device @self lives on
 */
LtDevice
lt_tensor_get_device (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), LT_DEVICE_CPU);
  return _lt_device_type (self->storage->device);
}

/**
 * lt_tensor_get_device_index:
 * @self: a tensor
 *
 * Gets the index of the device @self lives on, as
 * `torch.Tensor.get_device()`: N for `cuda:N`, -1 on the CPU.
 *
 * Returns: the device's index, or -1 on the CPU
 */
int
lt_tensor_get_device_index (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), -1);
  return lt_storage_get_device_index (self->storage);
}

/**
 * lt_tensor_is_pinned:
 * @self: a tensor
 *
 * Whether @self's elements are in page-locked host memory, as
 * `torch.Tensor.is_pinned()`: lt_tensor_pin_memory() made them so, and
 * copies from them to a CUDA device do not wait.
 *
 * Returns: %TRUE for a tensor in pinned host memory
 */
gboolean
lt_tensor_is_pinned (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  return self->storage->pinned;
}

/**
 * lt_tensor_get_n_dims:
 * @self: a tensor
 *
 * Gets the number of dimensions of @self.
 *
 * Returns: the number of dimensions of @self (0 for a scalar)
 */
guint
lt_tensor_get_n_dims (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  return self->ndim;
}

/**
 * lt_tensor_get_shape:
 * @self: a tensor
 * @n_dims: (out) (optional): the number of dimensions
 *
 * Gets the size of every dimension of @self.
 *
 * Returns: (array length=n_dims) (transfer none): the shape
 */
const gint64 *
lt_tensor_get_shape (LtTensor *self,
                     guint    *n_dims)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (n_dims)
    *n_dims = self->ndim;
  return self->shape;
}

/**
 * lt_tensor_get_strides:
 * @self: a tensor
 * @n_dims: (out) (optional): the number of dimensions
 *
 * Gets the stride of every dimension of @self, in elements.
 *
 * Returns: (array length=n_dims) (transfer none): the strides
 */
const gint64 *
lt_tensor_get_strides (LtTensor *self,
                       guint    *n_dims)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  if (n_dims)
    *n_dims = self->ndim;
  return self->strides;
}

/**
 * lt_tensor_get_size:
 * @self: a tensor
 * @dim: a dimension; negative values count from the end
 * @error: return location for a #GError
 *
 * Gets the size of one dimension, as `x.size(dim)`.
 *
 * Returns: the size, or -1 with @error set when @dim is out of range
 */
gint64
lt_tensor_get_size (LtTensor *self,
                    gint      dim,
                    GError  **error)
{
  guint d;

  g_return_val_if_fail (LT_IS_TENSOR (self), -1);
  if (self->ndim == 0 || !_lt_normalize_dim (dim, self->ndim, &d, "size", error))
    {
      if (self->ndim == 0)
        g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                     "size: a tensor with 0 dimensions has no dimension %d", dim);
      return -1;
    }
  return self->shape[d];
}

/**
 * lt_tensor_get_storage_offset:
 * @self: a tensor
 *
 * Gets where the first element of @self lies in its storage.
 *
 * Returns: the offset of the first element in the storage, in elements
 */
gint64
lt_tensor_get_storage_offset (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  return self->offset;
}

/**
 * lt_tensor_get_storage:
 * @self: a tensor
 *
 * Gets the storage @self views.
 *
 * Returns: (transfer none): the storage @self views
 */
LtStorage *
lt_tensor_get_storage (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return self->storage;
}

/**
 * lt_tensor_numel:
 * @self: a tensor
 *
 * Counts the elements of @self: the product of its sizes.
 *
 * Returns: the number of elements of @self
 */
gint64
lt_tensor_numel (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  return self->numel;
}

/**
 * lt_tensor_get_element_size:
 * @self: a tensor
 *
 * Gets the size of one element of @self.
 *
 * Returns: the size of one element in bytes
 */
gsize
lt_tensor_get_element_size (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  return _lt_dtype_size (self->dtype);
}

/**
 * lt_tensor_is_contiguous:
 * @self: a tensor
 *
 * Whether the elements of @self lie in row-major order without gaps, so that
 * lt_tensor_view() can give any shape of the same number of elements.
 *
 * Returns: %TRUE if @self is contiguous
 */
gboolean
lt_tensor_is_contiguous (LtTensor *self)
{
  gint64 expected = 1;

  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  if (self->numel == 0)
    return TRUE;
  for (guint i = self->ndim; i-- > 0;)
    {
      if (self->shape[i] == 1)
        continue;
      if (self->strides[i] != expected)
        return FALSE;
      expected *= self->shape[i];
    }
  return TRUE;
}

/**
 * lt_tensor_is_floating_point:
 * @self: a tensor
 *
 * Tells whether the element type of @self is a floating-point type.
 *
 * Returns: %TRUE if the element type of @self is float32 or float64
 */
gboolean
lt_tensor_is_floating_point (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  return _lt_dtype_is_float (self->dtype);
}

/**
 * lt_tensor_shares_storage:
 * @self: a tensor
 * @other: another tensor
 *
 * Tells whether two tensors view the same memory.
 *
 * Returns: %TRUE if @self and @other view the same storage
 */
gboolean
lt_tensor_shares_storage (LtTensor *self,
                          LtTensor *other)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (LT_IS_TENSOR (other), FALSE);
  return self->storage == other->storage;
}

/**
 * lt_tensor_get_version:
 * @self: a tensor
 *
 * Gets the version counter of the storage of @self: it grows by one with
 * every in-place modification through any view.
 *
 * Returns: the version
 */
guint
lt_tensor_get_version (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  return lt_storage_get_version (self->storage);
}

/**
 * lt_tensor_get_data_ptr:
 * @self: a tensor
 *
 * Gets the address of the first element of @self in host memory, for
 * zero-copy bridges such as numpy's `__array_interface__`. The memory stays
 * valid while @self (or any view of its storage) lives.
 *
 * Returns: the address, or 0 when @self is not on the CPU
 */
guintptr
lt_tensor_get_data_ptr (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), 0);
  if (self->storage->device != LT_DEVICE_CPU)
    return 0;
  return (guintptr) _lt_tensor_data (self);
}

/**
 * lt_tensor_get_bytes:
 * @self: a contiguous tensor in host memory
 * @error: return location for a #GError
 *
 * Gets the elements of @self, in row-major order and native byte order, as
 * a #GBytes that shares the tensor's memory instead of copying it, as
 * g_mapped_file_get_bytes() shares a mapping: writes to the tensor show in
 * the bytes. Bindings can wrap them without a copy (gjs's
 * `GLib.Bytes.toArray()` gives a `Uint8Array` over the same memory), and
 * writes made through such a view show in the tensor. The bytes hold a
 * reference to the storage, so the memory stays valid while they live,
 * even after @self is finalized.
 *
 * Use lt_tensor_to_bytes() for a copy of any tensor.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL with @error set
 *   (%LT_ERROR_DEVICE for a tensor outside host memory,
 *   %LT_ERROR_INVALID_ARGUMENT for one that is not contiguous)
 */
GBytes *
lt_tensor_get_bytes (LtTensor *self,
                     GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);

  if (self->storage->device != LT_DEVICE_CPU)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                   "get_bytes: the tensor is not in host memory; copy it with to_device() "
                   "first");
      return NULL;
    }
  if (!lt_tensor_is_contiguous (self))
    {
      g_autofree char *shape = _lt_shape_to_string (self->shape, self->ndim);
      g_autofree char *strides = _lt_shape_to_string (self->strides, self->ndim);

      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "get_bytes: the tensor of shape %s and strides %s is not contiguous; "
                   "share contiguous() of it, or copy it with to_bytes()", shape, strides);
      return NULL;
    }
  return g_bytes_new_with_free_func (_lt_tensor_data (self),
                                     self->numel * _lt_dtype_size (self->dtype),
                                     (GDestroyNotify) lt_storage_unref,
                                     lt_storage_ref (self->storage));
}

/**
 * lt_tensor_get_type_name:
 * @self: a tensor
 *
 * Gets the type name used when printing, in the style of the tutorial:
 * "Lt.FloatTensor", "Lt.LongTensor", "Lt.cuda.FloatTensor", ...
 *
 * Returns: (transfer full): the name
 */
char *
lt_tensor_get_type_name (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return g_strdup_printf ("Lt.%s%s",
                          _lt_device_type (self->storage->device) == LT_DEVICE_CUDA ? "cuda." : "",
                          _lt_dtype_tensor_name (self->dtype));
}

/* Autograd state */

/**
 * lt_tensor_get_requires_grad:
 * @self: a tensor
 *
 * Tells whether autograd records operations on @self.
 *
 * Returns: whether operations on @self are recorded for autograd
 */
gboolean
lt_tensor_get_requires_grad (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  return self->requires_grad;
}

/**
 * lt_tensor_set_requires_grad:
 * @self: a tensor
 * @requires_grad: whether to record operations on @self
 * @error: return location for a #GError
 *
 * Starts or stops recording operations on a leaf tensor for autograd.
 *
 * Returns: %TRUE on success; %FALSE with @error set for a tensor that is not
 *   floating point, or when turning it off on a non-leaf
 */
gboolean
lt_tensor_set_requires_grad (LtTensor *self,
                             gboolean  requires_grad,
                             GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);

  requires_grad = !!requires_grad;
  if (requires_grad && !_lt_dtype_is_float (self->dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "requires_grad: only floating-point tensors can require gradients, "
                   "this one is %s", lt_dtype_get_name (self->dtype));
      return FALSE;
    }
  if (self->grad_fn != NULL)
    {
      if (!requires_grad)
        {
          g_set_error_literal (error, LT_ERROR, LT_ERROR_AUTOGRAD,
                               "requires_grad: only leaf tensors can stop requiring gradients; "
                               "use detach() to get a tensor without history");
          return FALSE;
        }
      return TRUE;
    }
  if (self->requires_grad != (guint) requires_grad)
    {
      self->requires_grad = requires_grad;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUIRES_GRAD]);
    }
  return TRUE;
}

/**
 * lt_tensor_requires_grad_:
 * @self: a tensor
 * @requires_grad: whether to record operations on @self
 * @error: return location for a #GError
 *
 * Like lt_tensor_set_requires_grad(), returning @self for chaining as
 * `x.requires_grad_()` does.
 *
 * Returns: (transfer none) (nullable): @self, or %NULL with @error set
 */
LtTensor *
lt_tensor_requires_grad_ (LtTensor *self,
                          gboolean  requires_grad,
                          GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return lt_tensor_set_requires_grad (self, requires_grad, error) ? self : NULL;
}

/**
 * lt_tensor_get_grad:
 * @self: a tensor
 *
 * Gets the gradient accumulated in @self by lt_tensor_backward().
 *
 * Returns: (transfer none) (nullable): the accumulated gradient, or %NULL
 */
LtTensor *
lt_tensor_get_grad (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return self->grad;
}

/**
 * lt_tensor_set_grad:
 * @self: a tensor
 * @grad: (nullable): the new gradient, or %NULL to clear it
 * @error: return location for a #GError
 *
 * Replaces the gradient of @self.
 *
 * Returns: %TRUE on success; %FALSE with @error set if @grad's shape, dtype
 *   or device differ from @self's
 */
gboolean
lt_tensor_set_grad (LtTensor *self,
                    LtTensor *grad,
                    GError  **error)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  g_return_val_if_fail (grad == NULL || LT_IS_TENSOR (grad), FALSE);

  if (grad != NULL)
    {
      if (!_lt_shape_equal (grad->shape, grad->ndim, self->shape, self->ndim) ||
          grad->dtype != self->dtype || grad->storage->device != self->storage->device)
        {
          g_autofree char *s1 = LT_SHAPE_STR (self);
          g_autofree char *s2 = LT_SHAPE_STR (grad);
          g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                       "grad: a gradient of shape %s, %s on %s cannot be assigned to a tensor "
                       "of shape %s, %s on %s", s2, lt_dtype_get_name (grad->dtype),
                       lt_device_get_name (grad->storage->device), s1,
                       lt_dtype_get_name (self->dtype),
                       lt_device_get_name (self->storage->device));
          return FALSE;
        }
    }
  if (g_set_object (&self->grad, grad))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAD]);
  return TRUE;
}

/**
 * lt_tensor_get_grad_fn:
 * @self: a tensor
 *
 * Gets the autograd node of the operation that produced @self, as
 * `y.grad_fn`.
 *
 * Returns: (transfer none) (nullable): the node, or %NULL for a leaf
 */
LtGradFn *
lt_tensor_get_grad_fn (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), NULL);
  return self->grad_fn;
}

/**
 * lt_tensor_is_leaf:
 * @self: a tensor
 *
 * Tells whether @self is a leaf of the autograd graph: created by the user, not by a recorded operation.
 *
 * Returns: %TRUE if @self was not produced by a recorded operation
 */
gboolean
lt_tensor_is_leaf (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), TRUE);
  return self->grad_fn == NULL;
}

/**
 * lt_tensor_get_retains_grad:
 * @self: a tensor
 *
 * Tells whether this non-leaf keeps its gradient.
 *
 * Returns: %TRUE if lt_tensor_retain_grad() was called on this non-leaf
 */
gboolean
lt_tensor_get_retains_grad (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  return self->retains_grad;
}

/**
 * lt_tensor_get_is_parameter:
 * @self: a tensor
 *
 * Tells whether @self is marked as a learnable parameter.
 *
 * Returns: %TRUE if @self was marked as a learnable parameter
 */
gboolean
lt_tensor_get_is_parameter (LtTensor *self)
{
  g_return_val_if_fail (LT_IS_TENSOR (self), FALSE);
  return self->is_parameter;
}

/**
 * lt_tensor_set_is_parameter:
 * @self: a tensor
 * @is_parameter: whether @self is a learnable parameter
 *
 * Marks @self as a learnable parameter of a model (modules do this for
 * their weights); graph walks and drawings show parameters apart from
 * other leaves.
 */
void
lt_tensor_set_is_parameter (LtTensor *self,
                            gboolean  is_parameter)
{
  g_return_if_fail (LT_IS_TENSOR (self));
  self->is_parameter = !!is_parameter;
}
