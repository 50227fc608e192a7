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
 * chunk.
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
  return l->rt->kernels == &_lt_cu_kernels_device ? &_lt_cu_fused_kernels_device
                                                  : &_lt_cu_fused_kernels_emulated;
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

static LtBackend *fused_backend;

void
_lt_cuda_backend_fused_init (LtBackend *backend)
{
  fused_backend = backend;
  backend->multi_tensor = cuda_multi_tensor;
}

void
_lt_cuda_set_fused (gboolean fused)
{
  if (fused_backend)
    fused_backend->multi_tensor = fused ? cuda_multi_tensor : NULL;
}
