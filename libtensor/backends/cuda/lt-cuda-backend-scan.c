/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cuda-private.h"
#include "ops/lt-op-private.h"

/*
 * The CUDA backend's sorting and selection (sort, topk, kthvalue, median,
 * mode, unique), scans (cumsum, cumprod, cumprod_grad, prod) and recurrent
 * cells (lstm_cell, gru_cell and their _grad): the glue from kernel
 * arguments to the launchers of lt-cuda-kernels-scan.cu, through the
 * runtime's table (the GPU's compilation on the real runtime, the host's
 * on the emulated one, behind the failure injection on the fake one).
 * The front ends (ops/lt-sort.c, lt-scan.c, lt-rnn-ops.c) hand these
 * kernels contiguous operands, as the CPU's (backends/cpu/lt-cpu-sort.c,
 * lt-cpu-scan.c, lt-cpu-rnn.c).
 *
 * The sorts and unique need device scratch: it is freed once the kernels
 * are queued (the one stream orders its next use after them), and on
 * every failure.
 */

/* Device scratch of @nbytes for @op; an allocation failure names the op */
static gpointer
scratch (gsize nbytes, LtOp op, GError **error)
{
  gpointer p = _lt_cuda_alloc (MAX (nbytes, 1), error);

  if (p == NULL)
    g_prefix_error (error, "%s: ", _lt_op_table[op].name);
  return p;
}

static int
select_code (LtOp op)
{
  switch (op)
    {
      case LT_OP_SORT:
        return LT_CU_SEL_SORT;
      case LT_OP_TOPK:
        return LT_CU_SEL_TOPK;
      case LT_OP_KTHVALUE:
        return LT_CU_SEL_KTHVALUE;
      case LT_OP_MEDIAN:
      case LT_OP_MEDIAN_DIM:
        return LT_CU_SEL_MEDIAN;
      default:
        return LT_CU_SEL_MODE;
    }
}

/* sort, topk, kthvalue, median (both rows), mode: in x; out the values,
 * indices the int64 positions (lt-cpu-sort.c's geometry) */
static gboolean
k_sort (const LtKernelArgs *args, GError **error)
{
  LtTensor           *x = args->in[0], *out = args->out;
  const LtSortParams *p = &args->params->sort;
  LtCudaLaunch        l;
  LtCuSort            s;
  gint64              rows;
  int                 status;

  memset (&s, 0, sizeof s);
  s.outer = s.inner = 1;
  s.N = x->ndim == 0 ? 1 : x->shape[p->dim];
  s.M = out->ndim == 0 ? 1 : out->shape[p->dim];
  for (guint d = 0; d < p->dim && d < x->ndim; d++)
    s.outer *= x->shape[d];
  for (guint d = p->dim + 1; d < x->ndim; d++)
    s.inner *= x->shape[d];
  if (out->numel == 0 || s.N == 0)
    return TRUE;
  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  rows = s.outer * s.inner;
  s.x = _lt_tensor_data (x);
  s.out = _lt_tensor_data (out);
  s.indices = _lt_tensor_data (args->indices);
  s.k = p->k;
  s.dtype = (int32_t) x->dtype;
  s.select = select_code (args->op);
  s.descending = p->descending;
  /* one scratch buffer: the keys, then the positions */
  s.keys =
    scratch ((gsize) (2 * rows * s.N) * (sizeof (double) + sizeof (gint64)), args->op, error);
  if (s.keys == NULL)
    return FALSE;
  s.pos = (gint64 *) ((char *) s.keys + (gsize) (2 * rows * s.N) * sizeof (double));
  status = l.rt->scan_kernels->sort (l.stream, &s);
  _lt_cuda_free (s.keys);
  return _lt_cuda_after_launch (status, args->op, error);
}

/* unique: in x (sorted), its permutation; out the distinct values first,
 * aux (2, N) the inverse and the counts */
static gboolean
k_unique (const LtKernelArgs *args, GError **error)
{
  LtTensor    *x = args->in[0];
  LtCudaLaunch l;
  LtCuUnique   u;
  int          status;

  if (x->numel == 0)
    return TRUE;
  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  memset (&u, 0, sizeof u);
  u.x = _lt_tensor_data (x);
  u.perm = _lt_tensor_data (args->in[1]);
  u.out = _lt_tensor_data (args->out);
  u.aux = _lt_tensor_data (args->aux);
  u.n = x->numel;
  u.dtype = (int32_t) x->dtype;
  u.scratch = scratch ((gsize) (2 * u.n) * sizeof (gint64), args->op, error);
  if (u.scratch == NULL)
    return FALSE;
  status = l.rt->scan_kernels->unique (l.stream, &u);
  _lt_cuda_free (u.scratch);
  return _lt_cuda_after_launch (status, args->op, error);
}

/* cumsum, cumprod, prod: in x; cumprod_grad: in x, g (lt-cpu-scan.c's
 * geometry) */
static gboolean
k_scan (const LtKernelArgs *args, GError **error)
{
  LtTensor           *x = args->in[0];
  const LtScanParams *p = &args->params->scan;
  LtCudaLaunch        l;
  LtCuScan            s;

  memset (&s, 0, sizeof s);
  s.outer = s.inner = s.D = 1;
  if (x->ndim > 0)
    {
      s.D = x->shape[p->dim];
      for (guint d = 0; d < p->dim; d++)
        s.outer *= x->shape[d];
      for (guint d = p->dim + 1; d < x->ndim; d++)
        s.inner *= x->shape[d];
    }
  if (args->out->numel == 0)
    return TRUE;
  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  s.x = _lt_tensor_data (x);
  s.out = _lt_tensor_data (args->out);
  s.dtype = (int32_t) x->dtype;
  s.reverse = p->reverse;
  switch (args->op)
    {
      case LT_OP_CUMSUM:
        s.op = LT_CU_SCAN_CUMSUM;
        break;
      case LT_OP_CUMPROD:
        s.op = LT_CU_SCAN_CUMPROD;
        break;
      case LT_OP_PROD:
        s.op = LT_CU_SCAN_PROD;
        break;
      default:
        {
          LtTensor *g = args->in[1];

          s.op = LT_CU_SCAN_CUMPROD_GRAD;
          s.g = _lt_tensor_data (g);
          s.g_last = g->numel != x->numel || (x->ndim > 0 && g->shape[p->dim] != s.D);
        }
    }
  return _lt_cuda_after_launch (l.rt->scan_kernels->scan (l.stream, &s), args->op, error);
}

/* lstm_cell, gru_cell: in igates, hgates, the state; out, aux.
 * lstm_cell_grad, gru_cell_grad: in the gradient, the forward's aux, the
 * state; out (lt-cpu-rnn.c's layouts). */
static gboolean
k_rnn (const LtKernelArgs *args, GError **error)
{
  LtTensor    *state = args->in[2];
  LtCudaLaunch l;
  LtCuRnn      r;

  if (!_lt_cuda_launch_begin (&l, error))
    return FALSE;
  memset (&r, 0, sizeof r);
  r.a = _lt_tensor_data (args->in[0]);
  r.b = _lt_tensor_data (args->in[1]);
  r.c = _lt_tensor_data (state);
  r.out = _lt_tensor_data (args->out);
  r.aux = args->aux ? _lt_tensor_data (args->aux) : NULL;
  r.N = state->shape[0];
  r.H = state->shape[1];
  r.dtype = (int32_t) args->out->dtype;
  r.op = args->op == LT_OP_LSTM_CELL        ? LT_CU_RNN_LSTM
         : args->op == LT_OP_LSTM_CELL_GRAD ? LT_CU_RNN_LSTM_GRAD
         : args->op == LT_OP_GRU_CELL       ? LT_CU_RNN_GRU
                                            : LT_CU_RNN_GRU_GRAD;
  return _lt_cuda_after_launch (l.rt->scan_kernels->rnn (l.stream, &r), args->op, error);
}

void
_lt_cuda_backend_scan_init (LtBackend *backend)
{
  static const LtOp sorts[] = { LT_OP_SORT,       LT_OP_TOPK,   LT_OP_KTHVALUE,
                                LT_OP_MEDIAN_DIM, LT_OP_MEDIAN, LT_OP_MODE };
  static const LtOp scans[] = { LT_OP_CUMSUM, LT_OP_CUMPROD, LT_OP_CUMPROD_GRAD, LT_OP_PROD };
  static const LtOp cells[] = { LT_OP_LSTM_CELL, LT_OP_LSTM_CELL_GRAD, LT_OP_GRU_CELL,
                                LT_OP_GRU_CELL_GRAD };

  for (guint i = 0; i < G_N_ELEMENTS (sorts); i++)
    backend->kernels[sorts[i]] = k_sort;
  for (guint i = 0; i < G_N_ELEMENTS (scans); i++)
    backend->kernels[scans[i]] = k_scan;
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    backend->kernels[cells[i]] = k_rnn;
  backend->kernels[LT_OP_UNIQUE] = k_unique;
}
