/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lt-cpu-private.h"

/*
 * _lt_cpu_foreach (): elementwise iteration over any number of operands
 * with broadcasting, in the output's memory order, coalesced, tiled where
 * an operand's order disagrees, split across the thread pool
 * (lt-cpu-private.h says what the loop gets).
 */

#define MAX_OPERANDS 4

typedef struct
{
  guint  n_operands;
  guint  ndim;
  gint64 shape[LT_MAX_DIMS];
  gint64 strides[LT_MAX_DIMS][MAX_OPERANDS]; /* bytes */
  char  *base[MAX_OPERANDS];
} Iter;

static void
iter_build (Iter *it, LtTensor **operands, guint n_operands)
{
  LtTensor *out = operands[0];
  gint64    bstrides[MAX_OPERANDS][LT_MAX_DIMS];
  guint     order[LT_MAX_DIMS];
  guint     nd = 0;

  it->n_operands = n_operands;
  for (guint k = 0; k < n_operands; k++)
    {
      gsize es = _lt_dtype_size (operands[k]->dtype);

      _lt_broadcast_strides (operands[k], out->shape, out->ndim, bstrides[k]);
      for (guint d = 0; d < out->ndim; d++)
        bstrides[k][d] *= es;
      it->base[k] = (char *) _lt_tensor_data (operands[k]);
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
          guint  u = order[j - 1];
          gint64 su = ABS (bstrides[0][u]), sv = ABS (bstrides[0][v]);

          if (su < sv ||
              (su == sv && n_operands > 1 && ABS (bstrides[1][u]) < ABS (bstrides[1][v])))
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
          guint    p = it->ndim - 1;
          gboolean merge = TRUE;

          for (guint k = 0; k < n_operands && merge; k++)
            merge = it->strides[p][k] == bstrides[k][d] * out->shape[d];
          if (merge)
            {
              it->shape[p] *= out->shape[d];
              for (guint k = 0; k < n_operands; k++)
                it->strides[p][k] = bstrides[k][d];
              continue;
            }
        }
      it->shape[it->ndim] = out->shape[d];
      for (guint k = 0; k < n_operands; k++)
        it->strides[it->ndim][k] = bstrides[k][d];
      it->ndim++;
    }
  if (it->ndim == 0)
    {
      it->ndim = 1;
      it->shape[0] = 1;
      for (guint k = 0; k < n_operands; k++)
        it->strides[0][k] = 0;
    }
}

/* The common case in one pass over the operands, without the general
 * broadcasting and sorting: every operand either has the output's shape and
 * is contiguous, or is a single element (a scalar operand, walked with
 * stride 0). FALSE if some operand is neither. */
static gboolean
iter_build_flat (Iter *it, LtTensor **operands, guint n_operands)
{
  LtTensor *out = operands[0];

  for (guint k = 0; k < n_operands; k++)
    {
      LtTensor *t = operands[k];

      if (t->numel == 1 && k > 0)
        it->strides[0][k] = 0;
      else
        {
          gint64 expected = 1;

          if (t->ndim != out->ndim)
            return FALSE;
          for (guint d = t->ndim; d-- > 0;)
            {
              if (t->shape[d] != out->shape[d] || (t->shape[d] != 1 && t->strides[d] != expected))
                return FALSE;
              expected *= t->shape[d];
            }
          it->strides[0][k] = _lt_dtype_size (t->dtype);
        }
      it->base[k] = (char *) _lt_tensor_data (t);
    }
  it->n_operands = n_operands;
  it->ndim = 1;
  it->shape[0] = out->numel;
  return TRUE;
}

static void
iter_run_range (const Iter *it, gint64 begin, gint64 end, LtCpuLoop loop, gpointer ctx)
{
  gint64 idx[LT_MAX_DIMS];
  gint64 inner_strides[MAX_OPERANDS];
  char  *ptrs[MAX_OPERANDS];
  guint  last = it->ndim - 1;
  gint64 rem = begin;
  gint64 pos = begin;

  for (guint d = it->ndim; d-- > 0;)
    {
      idx[d] = rem % it->shape[d];
      rem /= it->shape[d];
    }
  for (guint k = 0; k < it->n_operands; k++)
    inner_strides[k] = it->strides[last][k];

  while (pos < end)
    {
      gint64 n = MIN (it->shape[last] - idx[last], end - pos);

      for (guint k = 0; k < it->n_operands; k++)
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

/* Tiled iteration, for an operand whose memory order disagrees with the
 * output's (x.t () + y, a copy into a transposed view): walking the output
 * in order would read that operand with a large stride, one cache line per
 * element. The iterator's dims are reordered so that the dim where the
 * operand is densest comes second to last, and the last two dims are walked
 * in tiles of LT_CPU_TILE x LT_CPU_TILE elements: every cache line a tile
 * touches is used whole while it is still in L1. */

#define LT_CPU_TILE 64

static gboolean
iter_make_tiled (Iter *it)
{
  guint last = it->ndim - 1;
  guint p = last;

  if (it->ndim < 2)
    return FALSE;
  for (guint k = 1; k < it->n_operands && p == last; k++)
    {
      gint64 sl = ABS (it->strides[last][k]);
      gint64 best = sl;

      /* Within a cache line a strided walk costs little. */
      if (sl <= 64)
        continue;
      for (guint d = 0; d < last; d++)
        {
          gint64 sd = ABS (it->strides[d][k]);

          if (sd != 0 && sd < best && it->shape[d] > 1)
            {
              best = sd;
              p = d;
            }
        }
    }
  if (p == last)
    return FALSE;

  /* Move dim p to second-to-last; the others keep their order. */
  {
    gint64 shape_p = it->shape[p];
    gint64 strides_p[MAX_OPERANDS];

    memcpy (strides_p, it->strides[p], sizeof strides_p);
    for (guint d = p; d + 1 < last; d++)
      {
        it->shape[d] = it->shape[d + 1];
        memcpy (it->strides[d], it->strides[d + 1], sizeof strides_p);
      }
    it->shape[last - 1] = shape_p;
    memcpy (it->strides[last - 1], strides_p, sizeof strides_p);
  }
  return TRUE;
}

/* Number of tiles of a tiled iterator */
static gint64
iter_n_tiles (const Iter *it)
{
  guint  last = it->ndim - 1;
  gint64 n = 1;

  for (guint d = 0; d + 1 < last; d++)
    n *= it->shape[d];
  n *= (it->shape[last - 1] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  n *= (it->shape[last] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  return n;
}

static void
iter_run_tiles (const Iter *it, gint64 begin, gint64 end, LtCpuLoop loop, gpointer ctx)
{
  guint  last = it->ndim - 1, p = last - 1;
  gint64 tiles_p = (it->shape[p] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  gint64 tiles_l = (it->shape[last] + LT_CPU_TILE - 1) / LT_CPU_TILE;
  gint64 inner_strides[MAX_OPERANDS];

  for (guint k = 0; k < it->n_operands; k++)
    inner_strides[k] = it->strides[last][k];

  for (gint64 t = begin; t < end; t++)
    {
      gint64 rest = t;
      gint64 tl = rest % tiles_l;
      gint64 tp, l0, p0, nl, np;
      char  *ptrs[MAX_OPERANDS];
      char  *row[MAX_OPERANDS];

      rest /= tiles_l;
      tp = rest % tiles_p;
      rest /= tiles_p;
      l0 = tl * LT_CPU_TILE;
      p0 = tp * LT_CPU_TILE;
      nl = MIN (LT_CPU_TILE, it->shape[last] - l0);
      np = MIN (LT_CPU_TILE, it->shape[p] - p0);

      for (guint k = 0; k < it->n_operands; k++)
        row[k] = it->base[k] + l0 * it->strides[last][k] + p0 * it->strides[p][k];
      /* the outer dims, innermost first */
      for (guint d = p; d-- > 0;)
        {
          gint64 i = rest % it->shape[d];

          rest /= it->shape[d];
          for (guint k = 0; k < it->n_operands; k++)
            row[k] += i * it->strides[d][k];
        }
      for (gint64 i = 0; i < np; i++)
        {
          for (guint k = 0; k < it->n_operands; k++)
            ptrs[k] = row[k] + i * it->strides[p][k];
          loop (ptrs, inner_strides, nl, ctx);
        }
    }
}

typedef struct
{
  const Iter *it;
  gboolean    tiled;
  gint64      total; /* elements, or tiles when tiled */
  LtCpuLoop   loop;
  gpointer    ctx;
} ForeachJob;

static void
foreach_part (int tid, int n, gpointer data)
{
  const ForeachJob *job = data;
  gint64            begin, end;

  _lt_cpu_split (job->total, tid, n, &begin, &end);
  if (begin >= end)
    return;
  if (job->tiled)
    iter_run_tiles (job->it, begin, end, job->loop, job->ctx);
  else
    iter_run_range (job->it, begin, end, job->loop, job->ctx);
}

void
_lt_cpu_foreach (LtTensor **operands,
                 guint      n_operands,
                 LtCpuLoop  loop,
                 gpointer   ctx,
                 gboolean   parallel)
{
  Iter       it;
  ForeachJob job;
  gint64     numel = operands[0]->numel;
  int        nt;

  g_assert (n_operands <= MAX_OPERANDS);
  if (numel == 0)
    return;
  if (iter_build_flat (&it, operands, n_operands))
    {
      /* One run: no iterator to walk */
      if (!parallel || numel < 2 * LT_CPU_GRAIN)
        {
          loop (it.base, it.strides[0], numel, ctx);
          return;
        }
    }
  else
    iter_build (&it, operands, n_operands);

  job.it = &it;
  job.tiled = numel >= 4 * LT_CPU_TILE * LT_CPU_TILE && iter_make_tiled (&it);
  job.total = job.tiled ? iter_n_tiles (&it) : numel;
  job.loop = loop;
  job.ctx = ctx;

  nt = parallel ? _lt_cpu_get_num_threads () : 1;
  if (nt > 1 && numel >= 2 * LT_CPU_GRAIN)
    _lt_cpu_parallel (
      (int) MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD, MIN (job.total, numel / LT_CPU_GRAIN)),
      foreach_part, &job);
  else
    foreach_part (0, 1, &job);
}
