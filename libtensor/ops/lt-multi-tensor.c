/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-multi-tensor-private.h"
#include "lt-shape.h"
#include "backends/lt-backend-private.h"
#include "core/lt-dtype-private.h"
#include "core/lt-shape-private.h"

/* Multi-tensor operations (lt-multi-tensor-private.h): the checks, and the
 * way to the backend's kernels. */

static const LtBackend *
multi_backend (LtTensor *t)
{
  const LtBackend *b = _lt_backend_get (t->storage->device, NULL);

  return b && b->multi_tensor ? b : NULL;
}

gboolean
_lt_multi_tensor_supported (LtTensor *t)
{
  return t != NULL && _lt_dtype_is_float (t->dtype) && t->grad_fn == NULL &&
         lt_tensor_is_contiguous (t) && multi_backend (t) != NULL;
}

gboolean
_lt_multi_tensor_pair_ok (LtTensor *a, LtTensor *b)
{
  return _lt_multi_tensor_supported (b) && a->storage->device == b->storage->device &&
         a->dtype == b->dtype && _lt_shape_equal (a->shape, a->ndim, b->shape, b->ndim) &&
         !lt_tensor_shares_storage (a, b);
}

gboolean
_lt_multi_tensor_run (const LtMultiTensorArgs *args, GError **error)
{
  const LtBackend *b;

  if (args->n == 0)
    return TRUE;
  b = _lt_backend_get (args->lists[0][0]->storage->device, error);
  return b != NULL && b->multi_tensor (args, error);
}

void
_lt_multi_tensor_zero (GPtrArray *tensors)
{
  g_autofree gboolean  *done = g_new0 (gboolean, tensors->len + 1);
  g_autofree LtTensor **list = g_new0 (LtTensor *, tensors->len + 1);

  for (guint i = 0; i < tensors->len; i++)
    {
      LtTensor         *first = g_ptr_array_index (tensors, i);
      LtMultiTensorArgs args = { .kind = LT_MULTI_ZERO, .lists = { list } };

      if (done[i])
        continue;
      done[i] = TRUE;
      if (!_lt_multi_tensor_supported (first))
        {
          lt_tensor_zero_ (first, NULL);
          continue;
        }
      /* every later tensor of the same device and dtype joins this launch */
      list[args.n++] = first;
      for (guint j = i + 1; j < tensors->len; j++)
        {
          LtTensor *t = g_ptr_array_index (tensors, j);

          if (!done[j] && t->storage->device == first->storage->device &&
              t->dtype == first->dtype && _lt_multi_tensor_supported (t))
            {
              list[args.n++] = t;
              done[j] = TRUE;
            }
        }
      if (_lt_multi_tensor_run (&args, NULL))
        for (guint k = 0; k < args.n; k++)
          _lt_tensor_bump_version (list[k]);
    }
}
