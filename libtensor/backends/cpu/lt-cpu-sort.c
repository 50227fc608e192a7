/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-cpu-private.h"

/*
 * Sorting and selection along one dim (torch.sort, topk, kthvalue, median,
 * mode) and the distinct values of a sorted run (torch.unique).
 *
 * x: contiguous, viewed as (outer, N, inner); out and indices: contiguous,
 * (outer, M, inner) with M = N (sort), k (topk) or 1 (the others). Every
 * row is sorted stably (a bottom-up merge sort of its positions): equal
 * elements keep their order, and NaN is greater than every number, as in
 * PyTorch (ascending: NaNs last; descending: first). Then
 *   sort:      the whole row, in order;
 *   topk:      its first k (descending when largest);
 *   kthvalue:  element k - 1 of the ascending order;
 *   median:    element (N - 1) / 2 (the lower median), or the first NaN
 *              when the row has one (torch.median propagates NaN);
 *   mode:      the longest run of equal values, the smallest value on a
 *              tie, at the last of its positions.
 */

typedef struct
{
  LtOp        op;
  const void *x;
  void       *out;
  gint64     *indices;
  gint64      outer, N, M, inner;
  gint64      k;
  gboolean    descending;
} SortJob;

/* BEFORE (a, b): a goes strictly before b in the order of the row */
#define DEFINE_SORT(T, sfx, ISNAN)                                                                 \
  static inline gboolean before_##sfx (T a, T b, gboolean desc)                                    \
  {                                                                                                \
    if (desc)                                                                                      \
      return (ISNAN (a) && !ISNAN (b)) || a > b;                                                   \
    return (!ISNAN (a) && ISNAN (b)) || a < b;                                                     \
  }                                                                                                \
                                                                                                   \
  /* Sorts the positions @p[0..n) of @v stably; @tmp has room for n. */                            \
  static gint64 *merge_sort_##sfx (const T *v, gint64 *p, gint64 *tmp, gint64 n, gboolean desc)    \
  {                                                                                                \
    const gint64 run = 16;                                                                         \
    for (gint64 s = 0; s < n; s += run)                                                            \
      {                                                                                            \
        gint64 e = MIN (s + run, n);                                                               \
        for (gint64 i = s + 1; i < e; i++)                                                         \
          {                                                                                        \
            gint64 pi = p[i], j = i;                                                               \
            while (j > s && before_##sfx (v[pi], v[p[j - 1]], desc))                               \
              {                                                                                    \
                p[j] = p[j - 1];                                                                   \
                j--;                                                                               \
              }                                                                                    \
            p[j] = pi;                                                                             \
          }                                                                                        \
      }                                                                                            \
    for (gint64 w = run; w < n; w *= 2)                                                            \
      {                                                                                            \
        for (gint64 s = 0; s < n; s += 2 * w)                                                      \
          {                                                                                        \
            gint64 m = MIN (s + w, n), e = MIN (s + 2 * w, n), a = s, b = m, o = s;                \
            while (a < m && b < e)                                                                 \
              tmp[o++] = before_##sfx (v[p[b]], v[p[a]], desc) ? p[b++] : p[a++];                  \
            while (a < m)                                                                          \
              tmp[o++] = p[a++];                                                                   \
            while (b < e)                                                                          \
              tmp[o++] = p[b++];                                                                   \
          }                                                                                        \
        {                                                                                          \
          gint64 *t = p;                                                                           \
          p = tmp;                                                                                 \
          tmp = t;                                                                                 \
        }                                                                                          \
      }                                                                                            \
    return p;                                                                                      \
  }                                                                                                \
                                                                                                   \
  static void sort_rows_##sfx (int tid, int n_parts, gpointer data)                                \
  {                                                                                                \
    const SortJob *job = data;                                                                     \
    const T       *x = job->x;                                                                     \
    T             *out = job->out;                                                                 \
    gint64         N = job->N, M = job->M, inner = job->inner;                                     \
    gint64         r0, r1;                                                                         \
    T             *v = g_new (T, N);                                                               \
    gint64        *pa = g_new (gint64, N), *pb = g_new (gint64, N);                                \
    _lt_cpu_split (job->outer *inner, tid, n_parts, &r0, &r1);                                     \
    for (gint64 r = r0; r < r1; r++)                                                               \
      {                                                                                            \
        gint64   o = r / inner, i = r % inner;                                                     \
        const T *xr = x + o * N * inner + i;                                                       \
        T       *yr = out + o * M * inner + i;                                                     \
        gint64  *ir = job->indices + o * M * inner + i;                                            \
        gint64  *p, pick = 0;                                                                      \
        for (gint64 j = 0; j < N; j++)                                                             \
          {                                                                                        \
            v[j] = xr[j * inner];                                                                  \
            pa[j] = j;                                                                             \
          }                                                                                        \
        p = merge_sort_##sfx (v, pa, pb, N, job->descending);                                      \
        switch (job->op)                                                                           \
          {                                                                                        \
            case LT_OP_SORT:                                                                       \
            case LT_OP_TOPK:                                                                       \
              for (gint64 j = 0; j < M; j++)                                                       \
                {                                                                                  \
                  yr[j * inner] = v[p[j]];                                                         \
                  ir[j * inner] = p[j];                                                            \
                }                                                                                  \
              continue;                                                                            \
            case LT_OP_KTHVALUE:                                                                   \
              pick = job->k - 1;                                                                   \
              break;                                                                               \
            case LT_OP_MEDIAN:                                                                     \
            case LT_OP_MEDIAN_DIM:                                                                 \
              pick = (N - 1) / 2;                                                                  \
              if (ISNAN (v[p[N - 1]]))                                                             \
                while (!ISNAN (v[p[pick]]))                                                        \
                  pick++;                                                                          \
              break;                                                                               \
            default: /* mode */                                                                    \
              {                                                                                    \
                gint64 best = 0, s = 0;                                                            \
                for (gint64 j = 1; j <= N; j++)                                                    \
                  if (j == N || !(v[p[j]] == v[p[s]]))                                             \
                    {                                                                              \
                      if (j - s > best)                                                            \
                        {                                                                          \
                          best = j - s;                                                            \
                          pick = j - 1;                                                            \
                        }                                                                          \
                      s = j;                                                                       \
                    }                                                                              \
              }                                                                                    \
              break;                                                                               \
          }                                                                                        \
        yr[0] = v[p[pick]];                                                                        \
        ir[0] = p[pick];                                                                           \
      }                                                                                            \
    g_free (v);                                                                                    \
    g_free (pa);                                                                                   \
    g_free (pb);                                                                                   \
  }                                                                                                \
                                                                                                   \
  /* x: sorted, (N); out: (N), its distinct values first; aux: (2, N), */                          \
  /* row 0 the position in out of x[perm^-1], row 1 the counts. */                                 \
  static void unique_##sfx (const T *x, const gint64 *perm, T *out, gint64 *aux, gint64 N)         \
  {                                                                                                \
    gint64 u = 0, *inverse = aux, *counts = aux + N;                                               \
    memset (counts, 0, N * sizeof (gint64));                                                       \
    for (gint64 j = 0; j < N; j++)                                                                 \
      {                                                                                            \
        if (j > 0 && !(x[j] == x[j - 1]))                                                          \
          u++;                                                                                     \
        out[u] = x[j];                                                                             \
        counts[u]++;                                                                               \
        inverse[perm[j]] = u;                                                                      \
      }                                                                                            \
  }

#define NOT_NAN(x) FALSE

DEFINE_SORT (float, f32, isnan)
DEFINE_SORT (double, f64, isnan)
DEFINE_SORT (gint64, i64, NOT_NAN)
DEFINE_SORT (gint32, i32, NOT_NAN)
DEFINE_SORT (gint16, i16, NOT_NAN)
DEFINE_SORT (gint8, i8, NOT_NAN)
DEFINE_SORT (guint8, u8, NOT_NAN)

gboolean
_lt_cpu_sort (const LtKernelArgs *args, GError **error)
{
  LtTensor           *x = args->in[0], *out = args->out;
  const LtSortParams *p = &args->params->sort;
  int                 nt = _lt_cpu_get_num_threads ();
  LtCpuParallelFunc   func = NULL;
  SortJob             job = { .op = args->op, .k = p->k, .descending = p->descending };

  job.outer = job.inner = 1;
  job.N = x->ndim == 0 ? 1 : x->shape[p->dim];
  job.M = out->ndim == 0 ? 1 : out->shape[p->dim];
  for (guint d = 0; d < p->dim && d < x->ndim; d++)
    job.outer *= x->shape[d];
  for (guint d = p->dim + 1; d < x->ndim; d++)
    job.inner *= x->shape[d];
  if (out->numel == 0 || job.N == 0)
    return TRUE;
  switch (x->dtype)
    {
      case LT_DTYPE_FLOAT32:
        func = sort_rows_f32;
        break;
      case LT_DTYPE_FLOAT64:
        func = sort_rows_f64;
        break;
      case LT_DTYPE_INT64:
        func = sort_rows_i64;
        break;
      case LT_DTYPE_INT32:
        func = sort_rows_i32;
        break;
      case LT_DTYPE_INT16:
        func = sort_rows_i16;
        break;
      case LT_DTYPE_INT8:
        func = sort_rows_i8;
        break;
      case LT_DTYPE_UINT8:
      case LT_DTYPE_BOOL:
        func = sort_rows_u8;
        break;
      default:
        g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, "%s: no cpu kernel for %s",
                     _lt_op_table[args->op].name, lt_dtype_get_name (x->dtype));
        return FALSE;
    }
  job.x = _lt_tensor_data (x);
  job.out = _lt_tensor_data (out);
  job.indices = _lt_tensor_data (args->indices);
  if (nt > 1 && x->numel >= 2 * LT_CPU_GRAIN && job.outer * job.inner > 1)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, job.outer * job.inner), func, &job);
  else
    func (0, 1, &job);
  return TRUE;
}

gboolean
_lt_cpu_unique (const LtKernelArgs *args, GError **error)
{
  LtTensor     *x = args->in[0];
  const gint64 *perm = _lt_tensor_data (args->in[1]);
  gint64        N = x->numel, *aux = _lt_tensor_data (args->aux);
  void         *out = _lt_tensor_data (args->out);

  if (N == 0)
    return TRUE;
  switch (x->dtype)
    {
      case LT_DTYPE_FLOAT32:
        unique_f32 (_lt_tensor_data (x), perm, out, aux, N);
        return TRUE;
      case LT_DTYPE_FLOAT64:
        unique_f64 (_lt_tensor_data (x), perm, out, aux, N);
        return TRUE;
      case LT_DTYPE_INT64:
        unique_i64 (_lt_tensor_data (x), perm, out, aux, N);
        return TRUE;
      case LT_DTYPE_INT32:
        unique_i32 (_lt_tensor_data (x), perm, out, aux, N);
        return TRUE;
      case LT_DTYPE_INT16:
        unique_i16 (_lt_tensor_data (x), perm, out, aux, N);
        return TRUE;
      case LT_DTYPE_INT8:
        unique_i8 (_lt_tensor_data (x), perm, out, aux, N);
        return TRUE;
      case LT_DTYPE_UINT8:
      case LT_DTYPE_BOOL:
        unique_u8 (_lt_tensor_data (x), perm, out, aux, N);
        return TRUE;
      default:
        g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED, "unique: no cpu kernel for %s",
                     lt_dtype_get_name (x->dtype));
        return FALSE;
    }
}
