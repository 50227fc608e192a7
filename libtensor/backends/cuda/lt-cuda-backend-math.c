/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cuda-private.h"
#include "ops/lt-op-private.h"
#include "core/lt-dtype-private.h"
#include "core/lt-shape-private.h"

/*
 * The CUDA backend's glue for the kernels of lt-cuda-kernels-math.cu:
 * random numbers and ranges, math functions and bitwise ops, activations,
 * var/std/norm, layer_norm/group_norm/norm_grad, nll_loss and its
 * backward. Each turns its LtKernelArgs into the launcher's plain struct
 * and the status into a GError (lt-cuda-backend.c's helpers); an
 * out-of-range class target of nll_loss is recorded on the device and
 * raised at the next synchronisation.
 */

static const LtCuMathKernels *
math_kernels (void)
{
  return _lt_cuda_runtime ()->math_kernels;
}

static gboolean
k_random (const LtKernelArgs *args, GError **error)
{
  const LtRandomParams *p = &args->params->random;
  LtCuRandom            r;

  if (args->out->numel == 0)
    return TRUE;
  if (!_lt_cuda_usable (error))
    return FALSE;
  memset (&r, 0, sizeof r);
  r.out = _lt_tensor_data (args->out);
  r.numel = args->out->numel;
  r.dtype = args->out->dtype;
  r.kind = args->op == LT_OP_UNIFORM  ? LT_CU_RAND_UNIFORM
           : args->op == LT_OP_NORMAL ? LT_CU_RAND_NORMAL
                                      : LT_CU_RAND_INT;
  r.per_block = (int32_t) _lt_random_values_per_block (args->op, args->out->dtype, p);
  r.seed = p->seed;
  r.offset = p->offset;
  r.a = p->a;
  r.b = p->b;
  return _lt_cuda_after_launch (math_kernels ()->random (_lt_cuda_stream (), &r), args->op, error);
}

/* randperm sorts (key, index) pairs in two scratch buffers of the next
 * power of two, freed as soon as the sort is queued (the one stream orders
 * their next use after it). */
static gboolean
k_randperm (const LtKernelArgs *args, GError **error)
{
  const LtRandomParams *p = &args->params->random;
  LtCuRandperm          r;
  gint64                n = args->out->numel, padded = 1;
  int                   status;

  if (n == 0)
    return TRUE;
  if (!_lt_cuda_usable (error))
    return FALSE;
  while (padded < n)
    padded *= 2;
  memset (&r, 0, sizeof r);
  r.out = _lt_tensor_data (args->out);
  r.n = n;
  r.padded = padded;
  r.dtype = args->out->dtype;
  r.seed = p->seed;
  r.offset = p->offset;
  r.keys = _lt_cuda_alloc ((gsize) padded * sizeof (uint64_t), error);
  r.index = r.keys ? _lt_cuda_alloc ((gsize) padded * sizeof (int64_t), error) : NULL;
  if (r.index == NULL)
    {
      /* the scratch's allocation failed: the error names the op */
      g_prefix_error (error, "randperm: ");
      if (r.keys)
        _lt_cuda_free (r.keys);
      return FALSE;
    }
  status = math_kernels ()->randperm (_lt_cuda_stream (), &r);
  _lt_cuda_free (r.keys);
  _lt_cuda_free (r.index);
  return _lt_cuda_after_launch (status, args->op, error);
}

static gboolean
k_range (const LtKernelArgs *args, GError **error)
{
  const LtRangeParams *p = &args->params->range;

  if (args->out->numel == 0)
    return TRUE;
  if (!_lt_cuda_usable (error))
    return FALSE;
  return _lt_cuda_after_launch (
    math_kernels ()->range (_lt_cuda_stream (), _lt_tensor_data (args->out), args->out->dtype,
                            args->out->numel, args->op == LT_OP_LINSPACE, p->start, p->step,
                            p->end),
    args->op, error);
}

static int
math_code (LtOp op)
{
  switch (op)
    {
      case LT_OP_CEIL:
        return LT_CU_M_CEIL;
      case LT_OP_FLOOR:
        return LT_CU_M_FLOOR;
      case LT_OP_ROUND:
        return LT_CU_M_ROUND;
      case LT_OP_TRUNC:
        return LT_CU_M_TRUNC;
      case LT_OP_FRAC:
        return LT_CU_M_FRAC;
      case LT_OP_LOG1P:
        return LT_CU_M_LOG1P;
      case LT_OP_EXPM1:
        return LT_CU_M_EXPM1;
      case LT_OP_ASIN:
        return LT_CU_M_ASIN;
      case LT_OP_ACOS:
        return LT_CU_M_ACOS;
      case LT_OP_ATAN:
        return LT_CU_M_ATAN;
      case LT_OP_SINH:
        return LT_CU_M_SINH;
      case LT_OP_COSH:
        return LT_CU_M_COSH;
      case LT_OP_ASINH:
        return LT_CU_M_ASINH;
      case LT_OP_ACOSH:
        return LT_CU_M_ACOSH;
      case LT_OP_ATANH:
        return LT_CU_M_ATANH;
      case LT_OP_TAN:
        return LT_CU_M_TAN;
      case LT_OP_ERF:
        return LT_CU_M_ERF;
      case LT_OP_ERFC:
        return LT_CU_M_ERFC;
      case LT_OP_LOG2:
        return LT_CU_M_LOG2;
      case LT_OP_LOG10:
        return LT_CU_M_LOG10;
      case LT_OP_EXP2:
        return LT_CU_M_EXP2;
      case LT_OP_RECIPROCAL:
        return LT_CU_M_RECIPROCAL;
      case LT_OP_BITWISE_NOT:
        return LT_CU_M_BITWISE_NOT;
      case LT_OP_BITWISE_AND:
        return LT_CU_M_BITWISE_AND;
      case LT_OP_BITWISE_OR:
        return LT_CU_M_BITWISE_OR;
      case LT_OP_BITWISE_XOR:
        return LT_CU_M_BITWISE_XOR;
      default:
        return -1;
    }
}

static gboolean
k_math (const LtKernelArgs *args, GError **error)
{
  LtTensor *ops[3] = { args->out, args->in[0], args->n_in > 1 ? args->in[1] : NULL };
  LtCuIter  it;

  if (args->out->numel == 0)
    return TRUE;
  if (!_lt_cuda_usable (error))
    return FALSE;
  _lt_cuda_iter_build (&it, ops, args->n_in > 1 ? 3 : 2);
  return _lt_cuda_after_launch (
    math_kernels ()->math (_lt_cuda_stream (), &it, math_code (args->op)), args->op, error);
}

static int
activation_code (LtOp op)
{
  switch (op)
    {
      case LT_OP_GELU:
        return LT_CU_ACT_GELU;
      case LT_OP_SILU:
        return LT_CU_ACT_SILU;
      case LT_OP_ELU:
        return LT_CU_ACT_ELU;
      case LT_OP_SOFTPLUS:
        return LT_CU_ACT_SOFTPLUS;
      case LT_OP_HARDTANH:
        return LT_CU_ACT_HARDTANH;
      default:
        return -1;
    }
}

/* gelu, silu, elu, softplus, hardtanh: out, x; activation_grad: out,
 * grad, x, with the forward op in the parameters */
static gboolean
k_activation (const LtKernelArgs *args, GError **error)
{
  const LtActivationParams *p = &args->params->activation;
  gboolean                  grad = args->op == LT_OP_ACTIVATION_GRAD;
  LtTensor                 *ops[3] = { args->out, args->in[0], grad ? args->in[1] : NULL };
  LtCuActivation            act = { 0 };
  LtCuIter                  it;

  if (args->out->numel == 0)
    return TRUE;
  if (!_lt_cuda_usable (error))
    return FALSE;
  act.kind = activation_code (grad ? p->op : args->op);
  act.tanh = p->tanh;
  act.a = p->a;
  act.b = p->b;
  act.c = p->c;
  _lt_cuda_iter_build (&it, ops, grad ? 3 : 2);
  return _lt_cuda_after_launch (math_kernels ()->activation (_lt_cuda_stream (), &it, &act, grad),
                                args->op, error);
}

/* var, std, norm along the reduced dims */
static gboolean
k_moments (const LtKernelArgs *args, GError **error)
{
  const LtReduceParams *p = &args->params->reduce;
  LtTensor             *x = args->in[0], *out = args->out;
  LtCuReduce            r;
  int                   code = args->op == LT_OP_VAR   ? LT_CU_MOM_VAR
                               : args->op == LT_OP_STD ? LT_CU_MOM_STD
                                                       : LT_CU_MOM_NORM;

  if (!_lt_cuda_usable (error))
    return FALSE;
  _lt_cuda_reduce_geometry (&r, x, out, NULL, p->all, p->dims, p->n_dims);
  return _lt_cuda_after_launch (
    math_kernels ()->moments (_lt_cuda_stream (), &r, code, p->correction, p->p), args->op, error);
}

static const void *
data_or_null (const LtKernelArgs *args, guint i)
{
  return i < args->n_in && args->in[i] ? _lt_tensor_data (args->in[i]) : NULL;
}

/* layer_norm, group_norm: in x, weight, bias (optional), out y, stats;
 * norm_grad: in dy, x, stats, weight (optional), out dx, grad_affine
 * (optional). Every operand is contiguous (ops/lt-norm.c). */
static gboolean
k_norm (const LtKernelArgs *args, GError **error)
{
  const LtNormParams *p = &args->params->norm;
  LtCuNorm            n;
  int                 status;

  if (!_lt_cuda_usable (error))
    return FALSE;
  memset (&n, 0, sizeof n);
  n.rows = p->rows;
  n.D = p->D;
  n.groups = p->groups;
  n.channels = p->channels;
  n.inner = p->inner;
  n.eps = p->eps;
  n.dtype = args->out->dtype;
  n.out = _lt_tensor_data (args->out);
  if (args->op == LT_OP_NORM_GRAD)
    {
      n.dy = data_or_null (args, 0);
      n.x = data_or_null (args, 1);
      n.stats = (void *) data_or_null (args, 2);
      n.weight = data_or_null (args, 3);
      n.grad_affine = args->grad_affine ? _lt_tensor_data (args->grad_affine) : NULL;
      status = math_kernels ()->norm_grad (_lt_cuda_stream (), &n);
    }
  else
    {
      n.x = data_or_null (args, 0);
      n.weight = data_or_null (args, 1);
      n.bias = data_or_null (args, 2);
      n.stats = _lt_tensor_data (args->stats);
      status = math_kernels ()->norm (_lt_cuda_stream (), &n);
    }
  return _lt_cuda_after_launch (status, args->op, error);
}

/* nll_loss: in x (N, C, R), target (N, R), weight (C) or NULL; out the loss,
 * total_weight. nll_loss_grad: out dx (N, C, R); in g, target, weight. */
static gboolean
k_nll (const LtKernelArgs *args, GError **error)
{
  gboolean  grad = args->op == LT_OP_NLL_LOSS_GRAD;
  LtTensor *x = grad ? args->out : args->in[0];
  LtCuNll   n;
  int       status;

  if (!_lt_cuda_usable (error))
    return FALSE;
  memset (&n, 0, sizeof n);
  if (x->ndim == 1)
    {
      n.N = 1;
      n.C = x->shape[0];
      n.R = 1;
    }
  else
    {
      n.N = x->shape[0];
      n.C = x->shape[1];
      n.R = 1;
      for (guint d = 2; d < x->ndim; d++)
        n.R *= x->shape[d];
    }
  n.ignore_index = args->params->loss.ignore_index;
  n.reduction = args->params->loss.reduction;
  n.dtype = args->out->dtype;
  n.x = _lt_tensor_data (args->in[0]);
  n.target = _lt_tensor_data (args->in[1]);
  n.weight = data_or_null (args, 2);
  n.out = _lt_tensor_data (args->out);
  if (grad)
    {
      n.per_target = args->in[0]->numel > 1 || n.reduction == LT_REDUCTION_NONE;
      status = math_kernels ()->nll_grad (_lt_cuda_stream (), &n);
    }
  else
    {
      n.total_weight = _lt_tensor_data (args->total_weight);
      status = math_kernels ()->nll (_lt_cuda_stream (), &n, _lt_cuda_error_word ());
    }
  return _lt_cuda_after_launch (status, args->op, error);
}

void
_lt_cuda_backend_math_init (LtBackend *backend)
{
  backend->kernels[LT_OP_UNIFORM] = k_random;
  backend->kernels[LT_OP_NORMAL] = k_random;
  backend->kernels[LT_OP_RANDINT] = k_random;
  backend->kernels[LT_OP_RANDPERM] = k_randperm;
  backend->kernels[LT_OP_ARANGE] = k_range;
  backend->kernels[LT_OP_LINSPACE] = k_range;
  for (guint op = 0; op < LT_OP_COUNT; op++)
    {
      if (math_code (op) >= 0)
        backend->kernels[op] = k_math;
      if (activation_code (op) >= 0)
        backend->kernels[op] = k_activation;
    }
  backend->kernels[LT_OP_ACTIVATION_GRAD] = k_activation;
  backend->kernels[LT_OP_VAR] = k_moments;
  backend->kernels[LT_OP_STD] = k_moments;
  backend->kernels[LT_OP_NORM] = k_moments;
  backend->kernels[LT_OP_LAYER_NORM] = k_norm;
  backend->kernels[LT_OP_GROUP_NORM] = k_norm;
  backend->kernels[LT_OP_NORM_GRAD] = k_norm;
  backend->kernels[LT_OP_NLL_LOSS] = k_nll;
  backend->kernels[LT_OP_NLL_LOSS_GRAD] = k_nll;
}
