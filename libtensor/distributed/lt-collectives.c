/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lt-process-group-private.h"
#include "core/lt-error.h"

/*
 * The collectives' front ends: they check what a caller can get wrong
 * (layouts, dtypes, sizes, ranks, the backend's device), describe the call
 * for the backend and queue it (lt-dist-work.c). Definitions, as
 * torch.distributed's (n ranks, x_r the tensor of rank r):
 *
 *   all_reduce (x, op):            x_r <- op (x_0, ..., x_{n-1}) on every rank
 *   broadcast (x, src):            x_r <- x_src
 *   all_gather (out, in):          out_r <- cat (in_0, ..., in_{n-1})
 *   reduce_scatter (out, in, op):  out_r <- op (in_0, ..., in_{n-1})[r-th of n chunks]
 *   barrier ():                    returns once every rank has called it
 *
 * op is elementwise: SUM, AVG (SUM / n, floating tensors), MAX, MIN; on
 * bool tensors SUM and MAX are "any", MIN is "all" (as NCCL's bool
 * reductions in PyTorch).
 */

static char *
describe (const char *name, LtTensor *t)
{
  if (t == NULL)
    return g_strdup (name);
  return g_strdup_printf ("%s (%s, %" G_GINT64_FORMAT " elements)", name,
                          lt_dtype_get_name (t->dtype), t->numel);
}

static gboolean
check_tensor (LtProcessGroup *self, LtTensor *t, const char *what, const char *role, GError **error)
{
  if (!lt_tensor_is_contiguous (t))
    {
      g_autofree char *shape = LT_SHAPE_STR (t);
      g_autofree char *strides = _lt_shape_to_string (t->strides, t->ndim);

      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the %s must be contiguous (shape %s, strides %s); call contiguous() "
                   "first",
                   what, role, shape, strides);
      return FALSE;
    }
  return self->backend->check_tensor (self->comm, t, what, error);
}

/* The op a backend gets: AVG is a SUM the group divides; bool reductions
 * are any/all. FALSE with @error when @op does not apply to @dtype. */
static gboolean
backend_op (LtReduceOp op, LtDType dtype, const char *what, LtReduceOp *out, GError **error)
{
  if ((guint) op > LT_REDUCE_OP_MIN)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT, "%s: %d is not a ReduceOp", what,
                   (int) op);
      return FALSE;
    }
  if (op == LT_REDUCE_OP_AVG && !lt_dtype_is_floating (dtype))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: AVG needs a floating tensor, not %s (the mean of integers is not an "
                   "integer): use SUM and divide",
                   what, lt_dtype_get_name (dtype));
      return FALSE;
    }
  *out = op == LT_REDUCE_OP_AVG ? LT_REDUCE_OP_SUM : op;
  if (dtype == LT_DTYPE_BOOL && *out == LT_REDUCE_OP_SUM)
    *out = LT_REDUCE_OP_MAX;
  return TRUE;
}

static LtWork *
wait_or_return (LtWork *work, gboolean sync, GError **error)
{
  if (work && sync && !lt_work_wait (work, error))
    g_clear_object (&work);
  return work;
}

static LtWork *
all_reduce (LtProcessGroup *self, LtTensor *tensor, LtReduceOp op, GError **error)
{
  g_autofree char *what = NULL;
  LtDistCall       call = { LT_DIST_ALL_REDUCE };

  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (tensor), NULL);

  what = describe ("all_reduce", tensor);
  if (!backend_op (op, tensor->dtype, what, &call.op, error) ||
      !check_tensor (self, tensor, what, "tensor", error))
    return NULL;
  call.dtype = tensor->dtype;
  call.recv = _lt_tensor_data (tensor);
  call.count = tensor->numel;
  return _lt_process_group_submit (self, &call, NULL, tensor, op == LT_REDUCE_OP_AVG, what, error);
}

/**
 * lt_process_group_all_reduce_async:
 * @self: a process group
 * @tensor: a contiguous tensor, the same shape and dtype on every rank
 * @op: how to combine the ranks' tensors
 * @error: return location for a #GError
 *
 * Starts replacing @tensor, on every rank, with the elementwise @op of
 * every rank's @tensor, as `all_reduce (tensor, op, async_op=True)`.
 * @tensor must not be read or written until lt_work_wait() returns.
 *
 * Returns: (transfer full): the work, or %NULL with @error set (a
 *   non-contiguous tensor, %LT_REDUCE_OP_AVG of integers, a tensor on a
 *   device the backend does not serve, a broken group)
 */
LtWork *
lt_process_group_all_reduce_async (LtProcessGroup *self,
                                   LtTensor       *tensor,
                                   LtReduceOp      op,
                                   GError        **error)
{
  return all_reduce (self, tensor, op, error);
}

/**
 * lt_process_group_all_reduce:
 * @self: a process group
 * @tensor: a contiguous tensor, the same shape and dtype on every rank
 * @op: how to combine the ranks' tensors
 * @error: return location for a #GError
 *
 * Replaces @tensor, on every rank, with the elementwise @op of every
 * rank's @tensor, as `torch.distributed.all_reduce (tensor, op)`.
 *
 * Returns: %TRUE when done; %FALSE with @error set (see
 *   lt_process_group_all_reduce_async() and lt_work_wait())
 */
gboolean
lt_process_group_all_reduce (LtProcessGroup *self, LtTensor *tensor, LtReduceOp op, GError **error)
{
  g_autoptr(LtWork) work = wait_or_return (all_reduce (self, tensor, op, error), TRUE, error);

  return work != NULL;
}

static LtWork *
broadcast (LtProcessGroup *self, LtTensor *tensor, int src, GError **error)
{
  g_autofree char *what = NULL;
  LtDistCall       call = { LT_DIST_BROADCAST };

  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (tensor), NULL);

  what = describe ("broadcast", tensor);
  if (src < 0 || src >= self->size)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INDEX,
                   "%s: source rank %d is outside the group's %d ranks", what, src, self->size);
      return NULL;
    }
  if (!check_tensor (self, tensor, what, "tensor", error))
    return NULL;
  call.dtype = tensor->dtype;
  call.recv = _lt_tensor_data (tensor);
  call.count = tensor->numel;
  call.root = src;
  return _lt_process_group_submit (self, &call, NULL, tensor, FALSE, what, error);
}

/**
 * lt_process_group_broadcast_async:
 * @self: a process group
 * @tensor: a contiguous tensor, the same shape and dtype on every rank
 * @src: the rank whose @tensor is sent
 * @error: return location for a #GError
 *
 * Starts copying rank @src's @tensor into every other rank's, as
 * `broadcast (tensor, src, async_op=True)`.
 *
 * Returns: (transfer full): the work, or %NULL with @error set
 */
LtWork *
lt_process_group_broadcast_async (LtProcessGroup *self, LtTensor *tensor, int src, GError **error)
{
  return broadcast (self, tensor, src, error);
}

/**
 * lt_process_group_broadcast:
 * @self: a process group
 * @tensor: a contiguous tensor, the same shape and dtype on every rank
 * @src: the rank whose @tensor is sent
 * @error: return location for a #GError
 *
 * Copies rank @src's @tensor into every other rank's, as
 * `torch.distributed.broadcast (tensor, src)`.
 *
 * Returns: %TRUE when done; %FALSE with @error set
 */
gboolean
lt_process_group_broadcast (LtProcessGroup *self, LtTensor *tensor, int src, GError **error)
{
  g_autoptr(LtWork) work = wait_or_return (broadcast (self, tensor, src, error), TRUE, error);

  return work != NULL;
}

/* Checks a pair whose sizes differ by the group's size: @big has
 * size x @small's elements. */
static gboolean
check_pair (LtProcessGroup *self,
            LtTensor       *output,
            LtTensor       *input,
            LtTensor       *big,
            LtTensor       *small,
            const char     *what,
            GError        **error)
{
  if (!check_tensor (self, input, what, "input", error) ||
      !check_tensor (self, output, what, "output", error))
    return FALSE;
  if (output->dtype != input->dtype)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_DTYPE,
                   "%s: the output is %s and the input %s: they must have one dtype", what,
                   lt_dtype_get_name (output->dtype), lt_dtype_get_name (input->dtype));
      return FALSE;
    }
  if (big->numel != small->numel * self->size)
    {
      g_autofree char *so = LT_SHAPE_STR (output);
      g_autofree char *si = LT_SHAPE_STR (input);

      g_set_error (
        error, LT_ERROR, LT_ERROR_SHAPE,
        "%s: the %s has %" G_GINT64_FORMAT " elements (shape %s), the %s %" G_GINT64_FORMAT
        " (shape %s): the %s must hold %d times the %s's elements (one part per rank)",
        what, big == output ? "output" : "input", big->numel, big == output ? so : si,
        small == input ? "input" : "output", small->numel, small == input ? si : so,
        big == output ? "output" : "input", self->size, small == input ? "input" : "output");
      return FALSE;
    }
  if (big->numel > 0 && lt_tensor_shares_storage (output, input))
    {
      g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                   "%s: the output and the input share memory; give the output a tensor of its "
                   "own",
                   what);
      return FALSE;
    }
  return TRUE;
}

static LtWork *
all_gather (LtProcessGroup *self, LtTensor *output, LtTensor *input, GError **error)
{
  g_autofree char *what = NULL;
  LtDistCall       call = { LT_DIST_ALL_GATHER };

  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (output), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);

  what = describe ("all_gather", input);
  if (!check_pair (self, output, input, output, input, what, error))
    return NULL;
  call.dtype = input->dtype;
  call.send = _lt_tensor_data (input);
  call.recv = _lt_tensor_data (output);
  call.count = input->numel;
  return _lt_process_group_submit (self, &call, input, output, FALSE, what, error);
}

/**
 * lt_process_group_all_gather_async:
 * @self: a process group
 * @output: a contiguous tensor of the group's size times @input's
 *   elements, such as shape (size, ...) or (size * n, ...)
 * @input: a contiguous tensor, the same number of elements on every rank
 * @error: return location for a #GError
 *
 * Starts gathering every rank's @input into @output, rank by rank in
 * rank order, on every rank, as
 * `all_gather_into_tensor (output, input, async_op=True)`.
 *
 * Returns: (transfer full): the work, or %NULL with @error set
 */
LtWork *
lt_process_group_all_gather_async (LtProcessGroup *self,
                                   LtTensor       *output,
                                   LtTensor       *input,
                                   GError        **error)
{
  return all_gather (self, output, input, error);
}

/**
 * lt_process_group_all_gather:
 * @self: a process group
 * @output: a contiguous tensor of the group's size times @input's
 *   elements, such as shape (size, ...) or (size * n, ...)
 * @input: a contiguous tensor, the same number of elements on every rank
 * @error: return location for a #GError
 *
 * Gathers every rank's @input into @output, rank by rank in rank order,
 * on every rank, as `torch.distributed.all_gather_into_tensor (output,
 * input)`.
 *
 * Returns: %TRUE when done; %FALSE with @error set
 */
gboolean
lt_process_group_all_gather (LtProcessGroup *self,
                             LtTensor       *output,
                             LtTensor       *input,
                             GError        **error)
{
  g_autoptr(LtWork) work = wait_or_return (all_gather (self, output, input, error), TRUE, error);

  return work != NULL;
}

static LtWork *
reduce_scatter (LtProcessGroup *self,
                LtTensor       *output,
                LtTensor       *input,
                LtReduceOp      op,
                GError        **error)
{
  g_autofree char *what = NULL;
  LtDistCall       call = { LT_DIST_REDUCE_SCATTER };

  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (output), NULL);
  g_return_val_if_fail (LT_IS_TENSOR (input), NULL);

  what = describe ("reduce_scatter", input);
  if (!backend_op (op, input->dtype, what, &call.op, error) ||
      !check_pair (self, output, input, input, output, what, error))
    return NULL;
  call.dtype = input->dtype;
  call.send = _lt_tensor_data (input);
  call.recv = _lt_tensor_data (output);
  call.count = output->numel;
  return _lt_process_group_submit (self, &call, input, output, op == LT_REDUCE_OP_AVG, what, error);
}

/**
 * lt_process_group_reduce_scatter_async:
 * @self: a process group
 * @output: a contiguous tensor, the same number of elements on every rank
 * @input: a contiguous tensor of the group's size times @output's elements
 * @op: how to combine the ranks' tensors
 * @error: return location for a #GError
 *
 * Starts reducing every rank's @input elementwise with @op and giving
 * rank r the r-th of the group's size equal parts of the result, as
 * `reduce_scatter_tensor (output, input, op, async_op=True)`.
 *
 * Returns: (transfer full): the work, or %NULL with @error set
 */
LtWork *
lt_process_group_reduce_scatter_async (LtProcessGroup *self,
                                       LtTensor       *output,
                                       LtTensor       *input,
                                       LtReduceOp      op,
                                       GError        **error)
{
  return reduce_scatter (self, output, input, op, error);
}

/**
 * lt_process_group_reduce_scatter:
 * @self: a process group
 * @output: a contiguous tensor, the same number of elements on every rank
 * @input: a contiguous tensor of the group's size times @output's elements
 * @op: how to combine the ranks' tensors
 * @error: return location for a #GError
 *
 * Reduces every rank's @input elementwise with @op and gives rank r the
 * r-th of the group's size equal parts of the result, as
 * `torch.distributed.reduce_scatter_tensor (output, input, op)`.
 *
 * Returns: %TRUE when done; %FALSE with @error set
 */
gboolean
lt_process_group_reduce_scatter (LtProcessGroup *self,
                                 LtTensor       *output,
                                 LtTensor       *input,
                                 LtReduceOp      op,
                                 GError        **error)
{
  g_autoptr(LtWork) work =
               wait_or_return (reduce_scatter (self, output, input, op, error), TRUE, error);

  return work != NULL;
}

static LtWork *
barrier (LtProcessGroup *self, GError **error)
{
  LtDistCall call = { LT_DIST_BARRIER };

  g_return_val_if_fail (LT_IS_PROCESS_GROUP (self), NULL);
  call.dtype = LT_DTYPE_UINT8;
  return _lt_process_group_submit (self, &call, NULL, NULL, FALSE, "barrier", error);
}

/**
 * lt_process_group_barrier_async:
 * @self: a process group
 * @error: return location for a #GError
 *
 * Starts a barrier, as `barrier (async_op=True)`: its work completes once
 * every rank has called it.
 *
 * Returns: (transfer full): the work, or %NULL with @error set
 */
LtWork *
lt_process_group_barrier_async (LtProcessGroup *self, GError **error)
{
  return barrier (self, error);
}

/**
 * lt_process_group_barrier:
 * @self: a process group
 * @error: return location for a #GError
 *
 * Waits until every rank has called it, as
 * `torch.distributed.barrier ()`.
 *
 * Returns: %TRUE when every rank got there; %FALSE with @error set
 */
gboolean
lt_process_group_barrier (LtProcessGroup *self, GError **error)
{
  g_autoptr(LtWork) work = wait_or_return (barrier (self, error), TRUE, error);

  return work != NULL;
}
