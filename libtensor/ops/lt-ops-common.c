/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-ops-private.h"
#include "backends/lt-backend-private.h"

gboolean
_lt_run (LtOp              op,
         LtTensor         *out,
         LtTensor         *aux,
         LtTensor *const  *in,
         guint             n_in,
         const LtOpParams *params,
         GError          **error)
{
  LtKernelArgs     args = { .op = op, .out = out, .aux = aux, .n_in = n_in, .params = params };
  const LtBackend *backend;
  LtKernel         kernel;

  g_assert (n_in <= LT_KERNEL_MAX_INPUTS);
  for (guint i = 0; i < n_in; i++)
    {
      args.in[i] = in[i];
      /* a kernel on one CUDA device cannot read another's memory */
      if (in[i] && in[i]->storage->device != out->storage->device &&
          _lt_device_type (in[i]->storage->device) == _lt_device_type (out->storage->device))
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                       "%s: expected all tensors on the same device, found %s and %s",
                       _lt_op_table[op].name, _lt_device_name (out->storage->device),
                       _lt_device_name (in[i]->storage->device));
          return FALSE;
        }
    }
  backend = _lt_backend_get (out->storage->device, error);
  if (backend == NULL)
    return FALSE;
  kernel = backend->kernels[op];
  if (kernel == NULL || (backend->supports_op && !backend->supports_op (op, out->dtype)))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "%s: the %s backend has no kernel for %s tensors", _lt_op_table[op].name,
                   backend->name, lt_dtype_get_name (n_in ? in[0]->dtype : out->dtype));
      return FALSE;
    }
  return kernel (&args, error);
}

gboolean
_lt_copy_into (LtTensor *dst,
               LtTensor *src,
               GError  **error)
{
  g_autoptr(LtTensor) moved = NULL;

  if (dst->numel == 0)
    return TRUE;
  if (src->storage->device != dst->storage->device)
    {
      moved = lt_tensor_to_device (src, dst->storage->device, error);
      if (moved == NULL)
        return FALSE;
      src = moved;
    }
  return _lt_run (LT_OP_STRIDED_COPY, dst, NULL, &src, 1, NULL, error);
}

LtTensor *
_lt_clone_raw (LtTensor *t,
               GError  **error)
{
  g_autoptr(LtTensor) out = _lt_tensor_empty_like (t, t->dtype, error);

  if (out == NULL || !_lt_copy_into (out, t, error))
    return NULL;
  return g_steal_pointer (&out);
}

LtTensor *
_lt_cast (LtTensor *t,
          LtDType   dtype,
          GError  **error)
{
  g_autoptr(LtTensor) out = NULL;

  if (t->dtype == dtype)
    return g_object_ref (t);
  out = _lt_tensor_empty_like (t, dtype, error);
  if (out == NULL || !_lt_copy_into (out, t, error))
    return NULL;
  if (t->requires_grad && _lt_dtype_is_float (dtype))
    {
      /* with its history (lt_tensor_to_dtype's node), for create_graph */
      LtGradFn *node = _lt_autograd_record (LT_OP_TO_DTYPE, &t, 1);

      if (node)
        _lt_autograd_set_output (node, out);
    }
  return g_steal_pointer (&out);
}

LtTensor *
_lt_cast_to (LtTensor *t, LtDType dtype, LtDevice device, GError **error)
{
  g_autoptr(LtTensor) cast = _lt_cast (t, dtype, error);

  if (cast == NULL || cast->storage->device == device)
    return g_steal_pointer (&cast);
  return lt_tensor_to_device (cast, device, error);
}

LtTensor *
_lt_contiguous (LtTensor *t,
                GError  **error)
{
  if (lt_tensor_is_contiguous (t))
    return g_object_ref (t);
  if (t->requires_grad && _lt_grad_mode_enabled ())
    return lt_tensor_contiguous (t, error); /* with its history (create_graph) */
  return _lt_clone_raw (t, error);
}

LtTensor *
_lt_alias_shape (LtTensor     *t,
                 const gint64 *shape,
                 guint         ndim)
{
  g_assert (lt_tensor_is_contiguous (t));
  return _lt_tensor_new_with_storage (t->storage, shape, NULL, ndim, t->offset, t->dtype);
}

LtTensor *
_lt_contiguous_host (LtTensor *self, GError **error)
{
  g_autoptr(LtTensor) c = NULL;

  if (self->storage->device == LT_DEVICE_CPU)
    return _lt_contiguous (self, error);
  c = lt_tensor_to_device (self, LT_DEVICE_CPU, error);
  if (c == NULL)
    return NULL;
  return _lt_contiguous (c, error);
}

gboolean
_lt_check_devices (const char      *op,
                   LtTensor *const *ts,
                   guint            n,
                   GError         **error)
{
  LtDevice device = LT_DEVICE_CPU;
  gboolean have = FALSE;

  for (guint i = 0; i < n; i++)
    {
      if (ts[i] == NULL || (ts[i]->is_wrapped_number))
        continue;
      if (!have)
        {
          device = ts[i]->storage->device;
          have = TRUE;
        }
      else if (ts[i]->storage->device != device)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_DEVICE,
                       "%s: expected all tensors on the same device, found %s and %s", op,
                       _lt_device_name (device), _lt_device_name (ts[i]->storage->device));
          return FALSE;
        }
    }
  return TRUE;
}

static int
category (LtDType d)
{
  if (d == LT_DTYPE_BOOL)
    return 0;
  return _lt_dtype_is_float (d) ? 2 : 1;
}

/* torch's combine_categories: a lower-priority group matters only when it
 * is of a higher category. */
static LtDType
combine_categories (gboolean  has_high,
                    LtDType   high,
                    gboolean  has_low,
                    LtDType   low,
                    gboolean *has_out)
{
  *has_out = has_high || has_low;
  if (!has_high)
    return low;
  if (!has_low)
    return high;
  if (_lt_dtype_is_float (high))
    return high;
  if (high == LT_DTYPE_BOOL || _lt_dtype_is_float (low))
    return lt_dtype_promote (high, low);
  return high;
}

LtDType
_lt_result_type (LtTensor *const *ts,
                 guint            n)
{
  /* Three priority groups, as torch.result_type: tensors with dimensions,
   * zero-dimensional tensors, wrapped numbers (a float number counts as
   * the default float32). */
  gboolean have[3] = { FALSE, FALSE, FALSE };
  LtDType group[3] = { LT_DTYPE_BOOL, LT_DTYPE_BOOL, LT_DTYPE_BOOL };
  gboolean has_low;
  LtDType low;

  for (guint i = 0; i < n; i++)
    {
      LtTensor *t = ts[i];
      guint g;
      LtDType d;

      if (t == NULL)
        continue;
      g = t->is_wrapped_number ? 2 : (t->ndim == 0 ? 1 : 0);
      d = t->dtype;
      if (g == 2 && _lt_dtype_is_float (d))
        d = LT_DTYPE_FLOAT32;
      group[g] = have[g] ? lt_dtype_promote (group[g], d) : d;
      have[g] = TRUE;
    }

  low = combine_categories (have[1], group[1], have[2], group[2], &has_low);
  return combine_categories (have[0], group[0], has_low, low, &has_low);
}

gboolean
_lt_can_cast (LtDType from,
              LtDType to)
{
  return category (from) <= category (to);
}

LtTensor *
_lt_sum_to_shape (LtTensor     *grad,
                  const gint64 *shape,
                  guint         ndim,
                  GError      **error)
{
  gint dims[LT_MAX_DIMS];
  guint n = 0, lead = grad->ndim - ndim;
  g_autoptr(LtTensor) summed = NULL;

  if (grad->ndim < ndim)
    {
      g_autofree char *s1 = LT_SHAPE_STR (grad);
      g_autofree char *s2 = _lt_shape_to_string (shape, ndim);
      g_set_error (error, LT_ERROR, LT_ERROR_SHAPE,
                   "sum_to_size: a gradient of shape %s cannot be reduced to shape %s", s1, s2);
      return NULL;
    }
  for (guint d = 0; d < grad->ndim; d++)
    if (d < lead || (shape[d - lead] == 1 && grad->shape[d] != 1))
      dims[n++] = (gint) d;

  if (n == 0)
    summed = g_object_ref (grad);
  else
    {
      gboolean prev = lt_set_grad_enabled (_lt_creating_graph ());

      summed = lt_tensor_sum_dims (grad, dims, n, TRUE, error);
      lt_set_grad_enabled (prev);
      if (summed == NULL)
        return NULL;
    }
  return lt_tensor_reshape (summed, shape, ndim, error);
}

gboolean
_lt_check_writable (LtTensor   *self,
                    const char *op,
                    GError    **error)
{
  if (!_lt_autograd_check_inplace (self, op, error))
    return FALSE;
  for (guint d = 0; d < self->ndim; d++)
    if (self->strides[d] == 0 && self->shape[d] > 1)
      {
        g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                     "%s: cannot write in place into an expanded tensor: several of its "
                     "elements share one memory location; clone() it first", op);
        return FALSE;
      }
  return TRUE;
}

LtTensor *
_lt_zeros_meta (const LtTensorMeta *meta,
                GError            **error)
{
  g_autoptr(LtTensor) t = _lt_tensor_new_empty (meta->shape, meta->ndim, meta->dtype,
                                                meta->device, error);
  LtOpParams p = { .fill = { 0 } };

  if (t == NULL || !_lt_run (LT_OP_FILL, t, NULL, NULL, 0, &p, error))
    return NULL;
  return g_steal_pointer (&t);
}

/* The permutation that sorts @t's dims by stride, outermost first, when @t
 * is dense (its elements fill a block with no gaps or overlaps); FALSE for
 * other layouts. */
static gboolean
dense_order (LtTensor *t,
             guint    *order)
{
  gint64 expected = 1;

  for (guint i = 0; i < t->ndim; i++)
    order[i] = i;
  for (guint i = 1; i < t->ndim; i++)
    {
      guint v = order[i], j = i;

      while (j > 0 && t->strides[order[j - 1]] < t->strides[v])
        {
          order[j] = order[j - 1];
          j--;
        }
      order[j] = v;
    }
  for (guint i = t->ndim; i-- > 0;)
    {
      guint d = order[i];

      if (t->shape[d] == 1)
        continue;
      if (t->strides[d] != expected)
        return FALSE;
      expected *= t->shape[d];
    }
  return TRUE;
}

LtTensor *
_lt_new_output_like (LtTensor     *layout,
                     const gint64 *shape,
                     guint         ndim,
                     LtDType       dtype,
                     LtDevice      device,
                     GError      **error)
{
  guint order[LT_MAX_DIMS];
  gint64 pshape[LT_MAX_DIMS], strides[LT_MAX_DIMS];
  g_autoptr(LtTensor) block = NULL;

  /* As PyTorch does, an elementwise result takes the memory order of an
   * input of its shape (a transposed input gives a transposed result), so
   * the kernel walks every operand in memory order. */
  if (layout == NULL || layout->ndim != ndim || ndim < 2 ||
      !_lt_shape_equal (layout->shape, layout->ndim, shape, ndim) ||
      lt_tensor_is_contiguous (layout) || !dense_order (layout, order))
    return _lt_tensor_new_empty (shape, ndim, dtype, device, error);
  for (guint i = 0; i < ndim; i++)
    pshape[i] = shape[order[i]];
  block = _lt_tensor_new_empty (pshape, ndim, dtype, device, error);
  if (block == NULL)
    return NULL;
  for (guint i = 0; i < ndim; i++)
    strides[order[i]] = block->strides[i];
  return _lt_tensor_new_with_storage (block->storage, shape, strides, ndim, 0, dtype);
}
