/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cuda-private.h"
#include "lt-cuda-kernels-linalg-private.h"
#include "ops/lt-op-private.h"

/*
 * The CUDA backend's batch_norm, batch_norm_grad and linear algebra (inv,
 * solve, det, slogdet, cholesky, eigh, svd, qr): the glue from kernel
 * arguments to the launchers of lt-cuda-kernels-linalg.cu (the GPU's
 * compilation on the real runtime, the host's on the emulated and fake
 * ones). The front ends (ops/lt-batch-norm.c, ops/lt-linalg-lapack.c)
 * hand these kernels the contiguous operands and packed outputs the CPU's
 * take (backends/cpu/lt-cpu-batch-norm.c, lt-cpu-linalg.c).
 *
 * The decompositions need device scratch (a working copy of each matrix,
 * its factors, one info word per matrix): it is freed once the kernels are
 * queued (the one stream orders its next use after them). A failure that
 * depends on the values (a singular matrix, one not positive-definite, no
 * convergence) is recorded on the device and raised at the next
 * synchronisation with the CPU kernel's message (_lt_cuda_linalg_error).
 */

static const LtCuLinalgKernels *
linalg_kernels (const LtCudaLaunch *l)
{
  return l->rt->linalg_kernels;
}

static gboolean
check_float (LtTensor *t, LtOp op, GError **error)
{
  if (t->dtype == LT_DTYPE_FLOAT32 || t->dtype == LT_DTYPE_FLOAT64)
    return TRUE;
  g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
               "%s: the cuda backend supports float32 and float64 only (got %s)",
               _lt_op_table[op].name, lt_dtype_get_name (t->dtype));
  return FALSE;
}

static const void *
data_or_null (const LtKernelArgs *args, guint i)
{
  return args->n_in > i && args->in[i] ? _lt_tensor_data (args->in[i]) : NULL;
}

/* batch_norm: in x, weight, bias (or NULL), running (2, C) in evaluation;
 * out y, stats (2, C). batch_norm_grad: in dy, x, stats, weight (or NULL);
 * out dx, grad_affine (2, C) (or NULL). */
static gboolean
k_batch_norm (const LtKernelArgs *args, GError **error)
{
  const LtNormParams *p = &args->params->norm;
  LtCudaLaunch        l;
  LtCuBatchNorm       b;

  if (!check_float (args->out, args->op, error))
    return FALSE;
  memset (&b, 0, sizeof b);
  b.N = p->rows;
  b.C = p->channels;
  b.inner = p->inner;
  b.eps = p->eps;
  b.training = p->training;
  b.dtype = (int32_t) args->out->dtype;
  if (args->op == LT_OP_BATCH_NORM_GRAD)
    {
      b.backward = 1;
      b.dy = data_or_null (args, 0);
      b.x = data_or_null (args, 1);
      b.stats = (void *) data_or_null (args, 2);
      b.w = data_or_null (args, 3);
      b.out = _lt_tensor_data (args->out);
      b.grad_affine = args->grad_affine ? _lt_tensor_data (args->grad_affine) : NULL;
    }
  else
    {
      b.x = data_or_null (args, 0);
      b.w = data_or_null (args, 1);
      b.b = data_or_null (args, 2);
      b.running = data_or_null (args, 3);
      b.out = _lt_tensor_data (args->out);
      b.stats = _lt_tensor_data (args->stats);
      if (!p->training && b.running == NULL)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "batch_norm: the running statistics are needed in evaluation mode");
          return FALSE;
        }
      if (p->training && p->rows * p->inner == 0)
        {
          g_set_error (error, LT_ERROR, LT_ERROR_INVALID_ARGUMENT,
                       "batch_norm: no values per channel to take statistics over");
          return FALSE;
        }
    }
  if (p->channels == 0)
    return TRUE;
  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  return _lt_cuda_after_launch (linalg_kernels (&l)->batch_norm (l.stream, &b), args->op, error);
}

/* What the CPU kernel calls the op in its messages */
static const char *
linalg_name (int op)
{
  switch (op)
    {
      case LT_OP_LINALG_INV:
        return "linalg.inv";
      case LT_OP_LINALG_SOLVE:
        return "linalg.solve";
      case LT_OP_LINALG_CHOLESKY:
        return "linalg.cholesky";
      case LT_OP_LINALG_EIGH:
        return "linalg.eigh";
      case LT_OP_LINALG_SVD:
        return "linalg.svd";
      default:
        return op >= 0 && op < LT_OP_COUNT ? _lt_op_table[op].name : "?";
    }
}

void
_lt_cuda_linalg_error (const LtCuErrorWord *word, GError **error)
{
  const char      *op = linalg_name (word->op);
  int              info = (int) word->bound;
  g_autofree char *pre = word->value >= 0
                           ? g_strdup_printf ("(Batch element %" G_GINT64_FORMAT "): ", word->value)
                           : g_strdup ("");

  switch (word->op)
    {
      case LT_OP_LINALG_INV:
      case LT_OP_LINALG_SOLVE:
        g_set_error (error, LT_ERROR, LT_ERROR_LINALG,
                     "%s: %sThe diagonal element %d is zero, the %s could not be "
                     "completed because the input matrix is singular.",
                     op, pre, info, word->op == LT_OP_LINALG_INV ? "inversion" : "solve");
        break;
      case LT_OP_LINALG_CHOLESKY:
        g_set_error (error, LT_ERROR, LT_ERROR_LINALG,
                     "%s: %sThe factorization could not be completed because the input is "
                     "not positive-definite (the leading minor of order %d is not "
                     "positive-definite).",
                     op, pre, info);
        break;
      default:
        g_set_error (error, LT_ERROR, LT_ERROR_LINALG,
                     "%s: %sThe algorithm failed to converge because the input matrix is "
                     "ill-conditioned or has too many repeated %s (error code: %d).",
                     op, pre, word->op == LT_OP_LINALG_EIGH ? "eigenvalues" : "singular values",
                     info);
    }
}

/* The decompositions and solvers: in a (..., m, n) and b (solve); out the
 * packed layout of lt-cpu-linalg.c */
static gboolean
k_linalg (const LtKernelArgs *args, GError **error)
{
  LtTensor    *a = args->in[0], *out = args->out;
  gint64       m = a->shape[a->ndim - 2], n = a->shape[a->ndim - 1];
  gsize        esz = a->dtype == LT_DTYPE_FLOAT64 ? 8 : 4, work_bytes;
  LtCudaLaunch l;
  LtCuLinalg   p;
  int          status;

  if (!check_float (a, args->op, error))
    return FALSE;
  memset (&p, 0, sizeof p);
  p.m = m;
  p.n = n;
  p.op = (int32_t) args->op;
  p.dtype = (int32_t) a->dtype;
  p.upper = args->params->linalg.upper;
  p.full = args->params->linalg.full;
  switch (args->op)
    {
      case LT_OP_LINALG_INV:
      case LT_OP_LINALG_SOLVE:
        p.kind = args->op == LT_OP_LINALG_INV ? LT_CU_LA_INV : LT_CU_LA_SOLVE;
        p.k = out->shape[out->ndim - 1];
        p.batch = n > 0 && p.k > 0 ? a->numel / (n * n) : 0;
        break;
      case LT_OP_LINALG_DET:
      case LT_OP_LINALG_SLOGDET:
        p.kind = args->op == LT_OP_LINALG_DET ? LT_CU_LA_DET : LT_CU_LA_SLOGDET;
        p.batch = out->numel / (args->op == LT_OP_LINALG_SLOGDET ? 2 : 1);
        break;
      case LT_OP_LINALG_CHOLESKY:
      case LT_OP_LINALG_EIGH:
        p.kind = args->op == LT_OP_LINALG_CHOLESKY ? LT_CU_LA_CHOLESKY : LT_CU_LA_EIGH;
        p.batch = n > 0 ? a->numel / (n * n) : 0;
        break;
      case LT_OP_LINALG_SVD:
        p.kind = LT_CU_LA_SVD;
        p.r = out->shape[out->ndim - 2];
        p.batch = out->numel / MAX (p.r * (m + 1 + n), 1);
        break;
      default:
        p.kind = LT_CU_LA_QR;
        p.r = out->shape[out->ndim - 2];
        p.batch = out->numel / MAX (p.r * (m + n), 1);
        break;
    }
  if (p.batch == 0)
    return TRUE;
  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  p.a = _lt_tensor_data (a);
  p.b = args->op == LT_OP_LINALG_SOLVE ? _lt_tensor_data (args->in[1]) : NULL;
  p.out = _lt_tensor_data (out);
  /* one scratch buffer: the matrices' work, then their info words */
  work_bytes = (gsize) (p.batch * LT_CU_LINALG_WORK (m, n)) * esz;
  p.work = _lt_cuda_alloc (work_bytes + (gsize) p.batch * sizeof (int32_t), error);
  if (p.work == NULL)
    {
      g_prefix_error (error, "%s: ", _lt_op_table[args->op].name);
      return FALSE;
    }
  p.info = (int32_t *) ((char *) p.work + work_bytes);
  status = linalg_kernels (&l)->linalg (l.stream, &p, l.err_word);
  _lt_cuda_free (p.work);
  return _lt_cuda_after_launch (status, args->op, error);
}

void
_lt_cuda_backend_linalg_init (LtBackend *backend)
{
  backend->kernels[LT_OP_BATCH_NORM] = k_batch_norm;
  backend->kernels[LT_OP_BATCH_NORM_GRAD] = k_batch_norm;
  backend->kernels[LT_OP_LINALG_INV] = k_linalg;
  backend->kernels[LT_OP_LINALG_SOLVE] = k_linalg;
  backend->kernels[LT_OP_LINALG_DET] = k_linalg;
  backend->kernels[LT_OP_LINALG_SLOGDET] = k_linalg;
  backend->kernels[LT_OP_LINALG_CHOLESKY] = k_linalg;
  backend->kernels[LT_OP_LINALG_EIGH] = k_linalg;
  backend->kernels[LT_OP_LINALG_SVD] = k_linalg;
  backend->kernels[LT_OP_LINALG_QR] = k_linalg;
}
