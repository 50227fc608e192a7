/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <cblas.h>

#include "lt-cpu-private.h"

/*
 * The CPU backend: host memory, OpenMP loops and OpenBLAS. One thread count
 * governs both, so the loops and BLAS never oversubscribe the cores.
 */

static int num_threads;

int
_lt_cpu_get_num_threads (void)
{
  int n = g_atomic_int_get (&num_threads);

  return n > 0 ? n : 1;
}

static void
cpu_set_num_threads (int n)
{
  g_atomic_int_set (&num_threads, MAX (n, 1));
  openblas_set_num_threads (MAX (n, 1));
}

static gpointer
cpu_alloc (gsize    nbytes,
           GError **error)
{
  gpointer p = NULL;

  if (posix_memalign (&p, 64, nbytes) != 0 || p == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "cpu: could not allocate %" G_GSIZE_FORMAT " bytes", nbytes);
      return NULL;
    }
  return p;
}

static void
cpu_free (gpointer data)
{
  free (data);
}

/* Elementwise iteration */

#define MAX_OPS 4

typedef struct
{
  guint n_ops;
  guint ndim;
  gint64 shape[LT_MAX_DIMS];
  gint64 strides[LT_MAX_DIMS][MAX_OPS];   /* bytes */
  char *base[MAX_OPS];
} Iter;

static void
iter_build (Iter      *it,
            LtTensor **ops,
            guint      n_ops)
{
  LtTensor *out = ops[0];
  gint64 bstrides[MAX_OPS][LT_MAX_DIMS];
  guint order[LT_MAX_DIMS];
  guint nd = 0;

  it->n_ops = n_ops;
  for (guint k = 0; k < n_ops; k++)
    {
      gsize es = _lt_dtype_size (ops[k]->dtype);

      _lt_broadcast_strides (ops[k], out->shape, out->ndim, bstrides[k]);
      for (guint d = 0; d < out->ndim; d++)
        bstrides[k][d] *= es;
      it->base[k] = (char *) _lt_tensor_data (ops[k]);
    }

  /* Keep dimensions of size > 1, in the output's memory order: sort by the
   * output's stride, outermost first (insertion sort, stable). */
  for (guint d = 0; d < out->ndim; d++)
    if (out->shape[d] != 1)
      order[nd++] = d;
  for (guint i = 1; i < nd; i++)
    {
      guint v = order[i];
      guint j = i;

      while (j > 0)
        {
          guint u = order[j - 1];
          gint64 su = ABS (bstrides[0][u]), sv = ABS (bstrides[0][v]);

          if (su < sv || (su == sv && n_ops > 1 && ABS (bstrides[1][u]) < ABS (bstrides[1][v])))
            {
              order[j] = u;
              j--;
            }
          else
            break;
        }
      order[j] = v;
    }

  /* Coalesce neighbours that every operand walks as one. */
  it->ndim = 0;
  for (guint i = 0; i < nd; i++)
    {
      guint d = order[i];

      if (it->ndim > 0)
        {
          guint p = it->ndim - 1;
          gboolean merge = TRUE;

          for (guint k = 0; k < n_ops && merge; k++)
            merge = it->strides[p][k] == bstrides[k][d] * out->shape[d];
          if (merge)
            {
              it->shape[p] *= out->shape[d];
              for (guint k = 0; k < n_ops; k++)
                it->strides[p][k] = bstrides[k][d];
              continue;
            }
        }
      it->shape[it->ndim] = out->shape[d];
      for (guint k = 0; k < n_ops; k++)
        it->strides[it->ndim][k] = bstrides[k][d];
      it->ndim++;
    }
  if (it->ndim == 0)
    {
      it->ndim = 1;
      it->shape[0] = 1;
      for (guint k = 0; k < n_ops; k++)
        it->strides[0][k] = 0;
    }
}

static void
iter_run_range (const Iter *it,
                gint64      begin,
                gint64      end,
                LtCpuLoop   loop,
                gpointer    ctx)
{
  gint64 idx[LT_MAX_DIMS];
  gint64 inner_strides[MAX_OPS];
  char *ptrs[MAX_OPS];
  guint last = it->ndim - 1;
  gint64 rem = begin;
  gint64 pos = begin;

  for (guint d = it->ndim; d-- > 0;)
    {
      idx[d] = rem % it->shape[d];
      rem /= it->shape[d];
    }
  for (guint k = 0; k < it->n_ops; k++)
    inner_strides[k] = it->strides[last][k];

  while (pos < end)
    {
      gint64 n = MIN (it->shape[last] - idx[last], end - pos);

      for (guint k = 0; k < it->n_ops; k++)
        {
          char *p = it->base[k];

          for (guint d = 0; d < it->ndim; d++)
            p += idx[d] * it->strides[d][k];
          ptrs[k] = p;
        }
      loop (ptrs, inner_strides, n, ctx);
      pos += n;
      idx[last] += n;
      for (guint d = last; d > 0 && idx[d] >= it->shape[d]; d--)
        {
          idx[d] = 0;
          idx[d - 1]++;
        }
    }
}

void
_lt_cpu_foreach (LtTensor **ops,
                 guint      n_ops,
                 LtCpuLoop  loop,
                 gpointer   ctx,
                 gboolean   parallel)
{
  Iter it;
  gint64 total = ops[0]->numel;
  int nt;

  g_assert (n_ops <= MAX_OPS);
  if (total == 0)
    return;
  iter_build (&it, ops, n_ops);

  nt = parallel ? _lt_cpu_get_num_threads () : 1;
  if (nt > 1 && total >= 2 * LT_CPU_GRAIN)
    {
      nt = (int) MIN ((gint64) nt, total / LT_CPU_GRAIN);
#pragma omp parallel num_threads(nt)
      {
        int tid = omp_get_thread_num ();
        int n = omp_get_num_threads ();
        gint64 chunk = (total + n - 1) / n;
        gint64 begin = MIN (total, tid * chunk);
        gint64 end = MIN (total, begin + chunk);

        if (begin < end)
          iter_run_range (&it, begin, end, loop, ctx);
      }
    }
  else
    iter_run_range (&it, 0, total, loop, ctx);
}

static LtBackend cpu_backend = {
  .name = "cpu",
  .device = LT_DEVICE_CPU,
  .alloc = cpu_alloc,
  .free = cpu_free,
  .set_num_threads = cpu_set_num_threads,
};

static gpointer
cpu_backend_init (gpointer data)
{
  LtBackend *b = &cpu_backend;
  const char *env = g_getenv ("LT_NUM_THREADS");
  int n = env ? atoi (env) : 0;

  cpu_set_num_threads (n > 0 ? n : (int) g_get_num_processors ());

  b->kernels[LT_OP_FILL] = _lt_cpu_fill;
  b->kernels[LT_OP_COPY] = _lt_cpu_copy;
  b->kernels[LT_OP_UNIFORM] = _lt_cpu_random;
  b->kernels[LT_OP_NORMAL] = _lt_cpu_random;
  b->kernels[LT_OP_RANDINT] = _lt_cpu_random;
  b->kernels[LT_OP_ARANGE] = _lt_cpu_range;
  b->kernels[LT_OP_LINSPACE] = _lt_cpu_range;

  for (LtOp op = LT_OP_NEG; op <= LT_OP_LOGICAL_NOT; op++)
    b->kernels[op] = _lt_cpu_unary;
  for (LtOp op = LT_OP_ADD; op <= LT_OP_LOGICAL_OR; op++)
    b->kernels[op] = _lt_cpu_binary;
  b->kernels[LT_OP_WHERE] = _lt_cpu_where;

  for (LtOp op = LT_OP_SUM; op <= LT_OP_ALL; op++)
    b->kernels[op] = _lt_cpu_reduce;
  b->kernels[LT_OP_SOFTMAX] = _lt_cpu_softmax;
  b->kernels[LT_OP_LOG_SOFTMAX] = _lt_cpu_softmax;

  b->kernels[LT_OP_MM] = _lt_cpu_gemm;
  b->kernels[LT_OP_BMM] = _lt_cpu_gemm;
  b->kernels[LT_OP_ADDMM] = _lt_cpu_gemm;

  b->kernels[LT_OP_INDEX_SELECT] = _lt_cpu_index;
  b->kernels[LT_OP_INDEX_ADD] = _lt_cpu_index;
  b->kernels[LT_OP_GATHER] = _lt_cpu_index;
  b->kernels[LT_OP_SCATTER_ADD] = _lt_cpu_index;
  b->kernels[LT_OP_MASKED_SELECT] = _lt_cpu_index;
  b->kernels[LT_OP_MASKED_SCATTER] = _lt_cpu_index;
  b->kernels[LT_OP_ONE_HOT] = _lt_cpu_index;
  return b;
}

const LtBackend *
_lt_cpu_backend_get (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, cpu_backend_init, NULL);
}
