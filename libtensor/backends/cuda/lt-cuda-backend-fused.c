/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cuda-private.h"
#include "lt-cuda-kernels-fused-private.h"
#include "ops/lt-op-private.h"

/*
 * The launch counter, and the glue of lt-cuda-kernels-fused.cu: the
 * backend's multi_tensor (ops/lt-multi-tensor-private.h), which cuts a
 * list into chunks of LT_CU_MT_MAX tensors and launches one kernel per
 * chunk, and the kernels of cross_entropy and cross_entropy_grad
 * (ops/lt-fused-loss.c) and of bias_relu and bias_relu_grad
 * (ops/lt-fused-act.c).
 *
 * Every LT_LAUNCH of the kernel files (lt-cuda-shim-private.h) and every
 * cuBLAS call (_lt_cuda_gemm) counts one launch on the calling thread's
 * current device; tests read the count with _lt_cuda_launch_count(), on the GPU and
 * on the emulated device alike.
 */

#define N_COUNTED_DEVICES 16

static guint64 launches[N_COUNTED_DEVICES];

void
_lt_cu_note_launch (void)
{
  /* launches go to the calling thread's current device */
  int device = _lt_cuda_current_device ();

  if (device >= 0 && device < N_COUNTED_DEVICES)
    __atomic_fetch_add (&launches[device], 1, __ATOMIC_RELAXED);
}

guint64
_lt_cuda_launch_count (int device)
{
  if (device < 0 || device >= N_COUNTED_DEVICES)
    return 0;
  return __atomic_load_n (&launches[device], __ATOMIC_RELAXED);
}

static const LtCuFusedKernels *
fused_kernels (const LtCudaLaunch *l)
{
  return l->rt->fused_kernels;
}

static const char *
kind_name (LtMultiKind kind)
{
  switch (kind)
    {
      case LT_MULTI_ZERO:
        return "zero_grad (multi-tensor)";
      case LT_MULTI_SGD:
        return "SGD step (multi-tensor)";
      case LT_MULTI_ADAM:
        return "Adam step (multi-tensor)";
      case LT_MULTI_RMSPROP:
      default:
        return "RMSprop step (multi-tensor)";
    }
}

static gboolean
cuda_multi_tensor (const LtMultiTensorArgs *args, GError **error)
{
  const LtCuFusedKernels *k;
  LtCuOptimStep           s;
  LtCudaLaunch            l;
  guint                   n_lists = 0;

  if (args->n == 0)
    return TRUE;
  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  k = fused_kernels (&l);
  for (guint j = 0; j < LT_MULTI_MAX_LISTS; j++)
    if (args->lists[j])
      n_lists = j + 1;

  memset (&s, 0, sizeof s);
  switch (args->kind)
    {
      case LT_MULTI_SGD:
        s.kind = LT_CU_MT_SGD;
        break;
      case LT_MULTI_ADAM:
        s.kind = LT_CU_MT_ADAM;
        break;
      case LT_MULTI_RMSPROP:
        s.kind = LT_CU_MT_RMSPROP;
        break;
      case LT_MULTI_ZERO:
      default:
        break;
    }
  s.maximize = args->maximize;
  s.nesterov = args->nesterov;
  s.first = args->first;
  s.decoupled = args->decoupled;
  s.amsgrad = args->amsgrad;
  s.centered = args->centered;
  s.has_momentum = args->has_momentum;
  s.lr = args->lr;
  s.weight_decay = args->weight_decay;
  s.momentum = args->momentum;
  s.dampening = args->dampening;
  s.beta1 = args->beta1;
  s.beta2 = args->beta2;
  s.eps = args->eps;
  s.step_size = args->step_size;
  s.bias_correction2_sqrt = args->bias_correction2_sqrt;

  for (guint start = 0; start < args->n; start += LT_CU_MT_MAX)
    {
      LtCuTensorList list;
      int            status;

      memset (&list, 0, sizeof list);
      list.n = (int32_t) MIN (args->n - start, LT_CU_MT_MAX);
      list.n_lists = (int32_t) n_lists;
      list.dtype = (int32_t) args->lists[0][start]->dtype;
      for (int i = 0; i < list.n; i++)
        {
          LtTensor *t = args->lists[0][start + i];
          gint64    blocks = (t->numel + 255) / 256;

          list.numel[i] = t->numel;
          list.first_block[i + 1] = list.first_block[i] + (int32_t) CLAMP (blocks, 1, 2048);
          for (guint j = 0; j < n_lists; j++)
            list.ptr[j][i] = args->lists[j] ? _lt_tensor_data (args->lists[j][start + i]) : NULL;
        }
      list.n_blocks = list.first_block[list.n];
      status =
        args->kind == LT_MULTI_ZERO ? k->zero (l.stream, &list) : k->optim (l.stream, &list, &s);
      /* the status names the update; LT_CUDA_SYNC's check follows it */
      if (!_lt_cuda_check (status, kind_name (args->kind), error) ||
          !_lt_cuda_after_launch (LT_CU_OK, LT_OP_FILL, error))
        return FALSE;
    }
  return TRUE;
}

/* cross_entropy: in x (N, C, R), target (N, R), weight (C) or NULL; out the
 * loss, aux the log-probabilities and the total weight. cross_entropy_grad:
 * out dx (N, C, R); in g, the log-probabilities, target, weight; aux the
 * total weight. */
static gboolean
k_cross_entropy (const LtKernelArgs *args, GError **error)
{
  gboolean         grad = args->op == LT_OP_CROSS_ENTROPY_GRAD;
  LtTensor        *x = grad ? args->out : args->in[0];
  LtCuCrossEntropy c;
  LtCudaLaunch     l;
  int              status;

  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  memset (&c, 0, sizeof c);
  c.N = x->shape[0];
  c.C = x->shape[1];
  c.R = 1;
  for (guint d = 2; d < x->ndim; d++)
    c.R *= x->shape[d];
  c.ignore_index = args->params->loss.ignore_index;
  c.reduction = args->params->loss.reduction;
  c.dtype = args->out->dtype;
  c.op = LT_OP_CROSS_ENTROPY;
  if (grad)
    {
      c.g = _lt_tensor_data (args->in[0]);
      c.logp = _lt_tensor_data (args->in[1]);
      c.target = _lt_tensor_data (args->in[2]);
      c.weight = args->in[3] ? _lt_tensor_data (args->in[3]) : NULL;
      c.total = _lt_tensor_data (args->aux);
      c.out = _lt_tensor_data (args->out);
      status = fused_kernels (&l)->cross_entropy_grad (l.stream, &c);
    }
  else
    {
      c.x = _lt_tensor_data (args->in[0]);
      c.target = _lt_tensor_data (args->in[1]);
      c.weight = args->in[2] ? _lt_tensor_data (args->in[2]) : NULL;
      c.logp = _lt_tensor_data (args->aux);
      c.out = _lt_tensor_data (args->out);
      status = fused_kernels (&l)->cross_entropy (l.stream, &c, l.err_word);
    }
  return _lt_cuda_after_launch (status, args->op, error);
}

/* bias_relu: in x (N, C, R), b (C); out y. bias_relu_grad: in g, y; out
 * dx, aux db (C). */
static gboolean
k_bias_relu (const LtKernelArgs *args, GError **error)
{
  gboolean     grad = args->op == LT_OP_BIAS_RELU_GRAD;
  LtTensor    *y = args->out;
  LtCuBiasRelu p;
  LtCudaLaunch l;
  int          status;

  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  memset (&p, 0, sizeof p);
  p.N = y->shape[0];
  p.C = y->shape[1];
  p.R = 1;
  for (guint d = 2; d < y->ndim; d++)
    p.R *= y->shape[d];
  p.dtype = y->dtype;
  p.y = _lt_tensor_data (y);
  if (grad)
    {
      p.g = _lt_tensor_data (args->in[0]);
      p.x = _lt_tensor_data (args->in[1]);
      p.db = _lt_tensor_data (args->aux);
      status = fused_kernels (&l)->bias_relu_grad (l.stream, &p);
    }
  else
    {
      p.x = _lt_tensor_data (args->in[0]);
      p.b = _lt_tensor_data (args->in[1]);
      status = fused_kernels (&l)->bias_relu (l.stream, &p);
    }
  return _lt_cuda_after_launch (status, args->op, error);
}

static LtBackend *fused_backend;

static void
set_fused (LtBackend *backend, gboolean fused)
{
  backend->multi_tensor = fused ? cuda_multi_tensor : NULL;
  backend->kernels[LT_OP_CROSS_ENTROPY] = fused ? k_cross_entropy : NULL;
  backend->kernels[LT_OP_CROSS_ENTROPY_GRAD] = fused ? k_cross_entropy : NULL;
  backend->kernels[LT_OP_BIAS_RELU] = fused ? k_bias_relu : NULL;
  backend->kernels[LT_OP_BIAS_RELU_GRAD] = fused ? k_bias_relu : NULL;
}

void
_lt_cuda_backend_fused_init (LtBackend *backend)
{
  fused_backend = backend;
  set_fused (backend, TRUE);
}

void
_lt_cuda_set_fused (gboolean fused)
{
  if (fused_backend)
    set_fused (fused_backend, fused);
}
