/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lt-cpu-private.h"

/*
 * Reductions: x (any shape, any strides) reduced over a set of dims into out
 * (x's shape with the reduced dims set to 1, contiguous). Kept and reduced
 * dims are split and coalesced; each output element reduces its run(s).
 * Reductions whose result does not depend on the order of the elements
 * (sums, max and min values, any, all) walk the reduced dims in memory
 * order, so the sum of a transposed tensor reads memory in order too. A
 * reduction to one element of a contiguous run is cut into fixed chunks
 * whose partial results are combined in order, so the result does not depend
 * on the thread count.
 *
 * Follows torch.sum/mean/amax/amin/max(dim)/argmax/var/std/norm/any/all:
 * NaN propagates through max and min and wins argmax/argmin; ties give the
 * first index; var and std divide by N - correction.
 */

#define CHUNK 65536

typedef struct
{
  guint nk, nr;
  gint64 kshape[LT_MAX_DIMS], kxs[LT_MAX_DIMS], kos[LT_MAX_DIMS];
  gint64 rshape[LT_MAX_DIMS], rxs[LT_MAX_DIMS];
  gint64 NK, NR;
} Layout;

static void
layout_build (Layout               *L,
              LtTensor             *x,
              LtTensor             *out,
              const LtReduceParams *p,
              gboolean              any_order)
{
  gboolean reduced[LT_MAX_DIMS] = { FALSE };
  guint rorder[LT_MAX_DIMS];
  guint n_red = 0;

  if (p->all)
    for (guint d = 0; d < x->ndim; d++)
      reduced[d] = TRUE;
  else
    for (guint i = 0; i < p->n_dims; i++)
      reduced[p->dims[i]] = TRUE;

  L->nk = L->nr = 0;
  L->NK = L->NR = 1;
  for (guint d = 0; d < x->ndim; d++)
    {
      gint64 n = x->shape[d];
      gint64 os = out->strides[d];

      if (n == 1)
        continue;
      if (reduced[d])
        {
          rorder[n_red++] = d;
          continue;
        }
      if (L->nk > 0 && L->kxs[L->nk - 1] == x->strides[d] * n &&
          L->kos[L->nk - 1] == os * n)
        {
          L->kshape[L->nk - 1] *= n;
          L->kxs[L->nk - 1] = x->strides[d];
          L->kos[L->nk - 1] = os;
        }
      else
        {
          L->kshape[L->nk] = n;
          L->kxs[L->nk] = x->strides[d];
          L->kos[L->nk] = os;
          L->nk++;
        }
      L->NK *= n;
    }

  /* Reduced dims: in index order (what argmax counts in), or outermost in
   * memory first (insertion sort by stride, stable). */
  if (any_order)
    for (guint i = 1; i < n_red; i++)
      {
        guint v = rorder[i];
        guint j = i;

        while (j > 0 && ABS (x->strides[rorder[j - 1]]) < ABS (x->strides[v]))
          {
            rorder[j] = rorder[j - 1];
            j--;
          }
        rorder[j] = v;
      }
  for (guint i = 0; i < n_red; i++)
    {
      guint d = rorder[i];
      gint64 n = x->shape[d];

      if (L->nr > 0 && L->rxs[L->nr - 1] == x->strides[d] * n)
        {
          L->rshape[L->nr - 1] *= n;
          L->rxs[L->nr - 1] = x->strides[d];
        }
      else
        {
          L->rshape[L->nr] = n;
          L->rxs[L->nr] = x->strides[d];
          L->nr++;
        }
      L->NR *= n;
    }

  if (x->numel == 0)
    L->NR = 0;
  if (L->nr == 0)
    {
      L->nr = 1;
      L->rshape[0] = L->NR == 0 ? 0 : 1;
      L->rxs[0] = 0;
    }
  if (out->numel == 0)
    L->NK = 0;
}

/* Iterates the reduced runs of one output element starting at @base:
 * BODY sees `run` (first element), `rn` (its length) and `rs` (its stride). */
#define FOR_EACH_RUN(L, T, base, BODY)                                        \
  do                                                                          \
    {                                                                         \
      gint64 ridx_[LT_MAX_DIMS] = { 0 };                                      \
      guint rl_ = (L)->nr - 1;                                                \
      gint64 outer_ = (L)->rshape[rl_] > 0 ? (L)->NR / (L)->rshape[rl_] : 0;  \
      for (gint64 o_ = 0; o_ < outer_; o_++)                                  \
        {                                                                     \
          const T *run = (base);                                              \
          gint64 rn = (L)->rshape[rl_], rs = (L)->rxs[rl_];                   \
          for (guint d_ = 0; d_ < rl_; d_++)                                  \
            run += ridx_[d_] * (L)->rxs[d_];                                  \
          BODY;                                                               \
          for (guint d_ = rl_; d_-- > 0;)                                     \
            {                                                                 \
              if (++ridx_[d_] < (L)->rshape[d_])                              \
                break;                                                        \
              ridx_[d_] = 0;                                                  \
            }                                                                 \
        }                                                                     \
    }                                                                         \
  while (0)

/* Sum of a contiguous float32 run: 32 float lanes, independent chains that
 * the compiler keeps in vector registers of any width (so every build and
 * every CPU gives the same result), added up in double every 4096
 * elements. Accurate to a few float32 ulps over millions of elements.
 * Built twice on x86-64, for AVX2 and for the baseline, and picked at run
 * time (a plain test, not an ifunc, which sanitizers cannot run). */
#define SUM_LANES 32
#define SUM_BLOCK 4096

static inline __attribute__ ((always_inline)) double
sum_contiguous_f32_body (const float *x,
                         gint64       n)
{
  double total = 0;
  gint64 i0 = 0;

  for (; i0 + SUM_BLOCK <= n; i0 += SUM_BLOCK)
    {
      float acc[SUM_LANES] = { 0 };
      double block = 0;
      const float *b = x + i0;

      for (gint64 i = 0; i < SUM_BLOCK; i += SUM_LANES)
        for (int j = 0; j < SUM_LANES; j++)
          acc[j] += b[i + j];
      for (int j = 0; j < SUM_LANES; j++)
        block += acc[j];
      total += block;
    }
  for (; i0 < n; i0++)
    total += x[i0];
  return total;
}

#if defined(__x86_64__) && defined(__GNUC__) && defined(__OPTIMIZE__)
#define LT_SUM_AVX2 1
__attribute__ ((target ("avx2"))) static double
sum_contiguous_f32_avx2 (const float *x,
                         gint64       n)
{
  return sum_contiguous_f32_body (x, n);
}
#endif

static double
sum_contiguous_f32 (const float *x,
                    gint64       n)
{
#ifdef LT_SUM_AVX2
  if (__builtin_cpu_supports ("avx2"))
    return sum_contiguous_f32_avx2 (x, n);
#endif
  return sum_contiguous_f32_body (x, n);
}

static inline double
sum_run_f32 (const float *x, gint64 n, gint64 s)
{
  double total = 0;

  if (s == 1)
    return sum_contiguous_f32 (x, n);
  for (gint64 i = 0; i < n; i++)
    total += x[i * s];
  return total;
}

static inline double
sum_run_f64 (const double *x, gint64 n, gint64 s)
{
  double acc = 0;

  if (s == 1)
    {
#pragma omp simd reduction(+:acc)
      for (gint64 i = 0; i < n; i++)
        acc += x[i];
    }
  else
    for (gint64 i = 0; i < n; i++)
      acc += x[i * s];
  return acc;
}

static inline double
sumsq_dev_run (const void *x, LtDType dt, gint64 n, gint64 s, double mean)
{
  double acc = 0;

  if (dt == LT_DTYPE_FLOAT32)
    {
      const float *f = x;
#pragma omp simd reduction(+:acc)
      for (gint64 i = 0; i < n; i++)
        {
          double d = (double) f[i * s] - mean;
          acc += d * d;
        }
    }
  else
    {
      const double *f = x;
#pragma omp simd reduction(+:acc)
      for (gint64 i = 0; i < n; i++)
        {
          double d = f[i * s] - mean;
          acc += d * d;
        }
    }
  return acc;
}

static inline double
pnorm_run (const void *x, LtDType dt, gint64 n, gint64 s, double p)
{
  double acc = 0;

  for (gint64 i = 0; i < n; i++)
    {
      double v = fabs (dt == LT_DTYPE_FLOAT32 ? (double) ((const float *) x)[i * s]
                                               : ((const double *) x)[i * s]);
      if (p == 2)
        acc += v * v;
      else if (p == 1)
        acc += v;
      else if (p == 0)
        acc += v != 0;
      else if (isinf (p))
        acc = (i == 0) ? v : (p > 0 ? (v > acc || isnan (v) ? v : acc) : (v < acc || isnan (v) ? v : acc));
      else
        acc += pow (v, p);
    }
  return acc;
}

static inline double
pnorm_finish (double acc, double p)
{
  if (p == 2)
    return sqrt (acc);
  if (p == 1 || p == 0 || isinf (p))
    return acc;
  return pow (acc, 1.0 / p);
}

/* Float reductions that produce one double per output element. */
static double
reduce_float_one (LtOp                  op,
                  const Layout         *L,
                  LtDType               dt,
                  const char           *base,
                  const LtReduceParams *p)
{
  double acc = 0;
  gint64 N = L->NR;

  switch (op)
    {
    case LT_OP_SUM:
    case LT_OP_MEAN:
      if (dt == LT_DTYPE_FLOAT32)
        FOR_EACH_RUN (L, float, (const float *) base, acc += sum_run_f32 (run, rn, rs));
      else
        FOR_EACH_RUN (L, double, (const double *) base, acc += sum_run_f64 (run, rn, rs));
      return op == LT_OP_MEAN ? acc / (double) N : acc;

    case LT_OP_VAR:
    case LT_OP_STD:
      {
        double mean = 0, ss = 0, var;

        if (dt == LT_DTYPE_FLOAT32)
          FOR_EACH_RUN (L, float, (const float *) base, mean += sum_run_f32 (run, rn, rs));
        else
          FOR_EACH_RUN (L, double, (const double *) base, mean += sum_run_f64 (run, rn, rs));
        mean /= (double) N;
        if (dt == LT_DTYPE_FLOAT32)
          FOR_EACH_RUN (L, float, (const float *) base, ss += sumsq_dev_run (run, dt, rn, rs, mean));
        else
          FOR_EACH_RUN (L, double, (const double *) base, ss += sumsq_dev_run (run, dt, rn, rs, mean));
        var = ss / MAX ((double) N - p->correction, 0.0);
        return op == LT_OP_STD ? sqrt (var) : var;
      }

    case LT_OP_NORM:
      {
        gboolean first = TRUE;

        if (isinf (p->p))
          {
            acc = p->p > 0 ? 0 : INFINITY;
            if (N == 0)
              return acc;
          }
        if (dt == LT_DTYPE_FLOAT32)
          FOR_EACH_RUN (L, float, (const float *) base, {
            double r = pnorm_run (run, dt, rn, rs, p->p);
            if (isinf (p->p))
              acc = first ? r : (p->p > 0 ? ((r > acc || isnan (r)) ? r : acc)
                                          : ((r < acc || isnan (r)) ? r : acc));
            else
              acc += r;
            first = FALSE;
          });
        else
          FOR_EACH_RUN (L, double, (const double *) base, {
            double r = pnorm_run (run, dt, rn, rs, p->p);
            if (isinf (p->p))
              acc = first ? r : (p->p > 0 ? ((r > acc || isnan (r)) ? r : acc)
                                          : ((r < acc || isnan (r)) ? r : acc));
            else
              acc += r;
            first = FALSE;
          });
        return pnorm_finish (acc, p->p);
      }
    default:
      g_assert_not_reached ();
    }
  return 0;
}

/* Typed reductions: sums of integers, max/min and their indices, any/all. */
#define IS_NAN_T(T, v) ((v) != (v))
#define DEFINE_TYPED(T, sfx, ISFLOAT)                                                   \
  static void reduce_typed_##sfx (LtOp op, const Layout *L, const char *base,           \
                                  char *out, gint64 *out_idx)                           \
  {                                                                                     \
    switch (op)                                                                         \
      {                                                                                 \
      case LT_OP_SUM:                                                                   \
        {                                                                               \
          guint64 acc = 0;                                                              \
          FOR_EACH_RUN (L, T, (const T *) base, {                                       \
            for (gint64 i = 0; i < rn; i++)                                             \
              acc += (guint64) (gint64) run[i * rs];                                    \
          });                                                                           \
          *(gint64 *) out = (gint64) acc;                                               \
          return;                                                                       \
        }                                                                               \
      case LT_OP_MAX:                                                                   \
      case LT_OP_MIN:                                                                   \
      case LT_OP_MAX_DIM:                                                               \
      case LT_OP_MIN_DIM:                                                               \
      case LT_OP_ARGMAX:                                                                \
      case LT_OP_ARGMIN:                                                                \
        {                                                                               \
          gboolean want_max = op == LT_OP_MAX || op == LT_OP_MAX_DIM || op == LT_OP_ARGMAX; \
          T best = 0;                                                                   \
          gint64 best_i = 0, k = 0;                                                     \
          gboolean done = FALSE;                                                        \
          FOR_EACH_RUN (L, T, (const T *) base, {                                       \
            for (gint64 i = 0; i < rn && !done; i++, k++)                               \
              {                                                                         \
                T v = run[i * rs];                                                      \
                if (k == 0)                                                             \
                  best = v;                                                             \
                else if (ISFLOAT && IS_NAN_T (T, v))                                    \
                  {                                                                     \
                    best = v;                                                           \
                    best_i = k;                                                         \
                  }                                                                     \
                else if (want_max ? v > best : v < best)                                \
                  {                                                                     \
                    best = v;                                                           \
                    best_i = k;                                                         \
                  }                                                                     \
                if (ISFLOAT && IS_NAN_T (T, best))                                      \
                  done = TRUE;                                                          \
              }                                                                         \
          });                                                                           \
          if (op == LT_OP_ARGMAX || op == LT_OP_ARGMIN)                                 \
            *(gint64 *) out = best_i;                                                   \
          else                                                                          \
            {                                                                           \
              *(T *) out = best;                                                        \
              if (out_idx)                                                              \
                *out_idx = best_i;                                                      \
            }                                                                           \
          return;                                                                       \
        }                                                                               \
      case LT_OP_ANY:                                                                   \
      case LT_OP_ALL:                                                                   \
        {                                                                               \
          gboolean any = FALSE, all = TRUE;                                             \
          FOR_EACH_RUN (L, T, (const T *) base, {                                       \
            for (gint64 i = 0; i < rn; i++)                                             \
              {                                                                         \
                gboolean v = run[i * rs] != 0;                                          \
                any |= v;                                                               \
                all &= v;                                                               \
              }                                                                         \
          });                                                                           \
          *(guint8 *) out = op == LT_OP_ANY ? any : all;                                \
          return;                                                                       \
        }                                                                               \
      default:                                                                          \
        g_assert_not_reached ();                                                        \
      }                                                                                 \
  }

DEFINE_TYPED (float, f32, 1)
DEFINE_TYPED (double, f64, 1)
DEFINE_TYPED (gint64, i64, 0)
DEFINE_TYPED (gint32, i32, 0)
DEFINE_TYPED (gint16, i16, 0)
DEFINE_TYPED (gint8, i8, 0)
DEFINE_TYPED (guint8, u8, 0)

typedef void (*TypedFunc) (LtOp, const Layout *, const char *, char *, gint64 *);

static const TypedFunc typed_funcs[LT_N_DTYPES] = {
  reduce_typed_f32, reduce_typed_f64, reduce_typed_i64, reduce_typed_i32,
  reduce_typed_i16, reduce_typed_i8, reduce_typed_u8, reduce_typed_u8,
};

static gboolean
is_float_op (LtOp op, LtDType dt)
{
  switch (op)
    {
    case LT_OP_SUM:
      return _lt_dtype_is_float (dt);
    case LT_OP_MEAN:
    case LT_OP_VAR:
    case LT_OP_STD:
    case LT_OP_NORM:
      return TRUE;
    default:
      return FALSE;
    }
}

typedef struct
{
  const LtKernelArgs *args;
  const Layout *L;
  gsize xes, oes;
} Job;

static void
reduce_outputs (const Job *job,
                gint64     k0,
                gint64     k1)
{
  const LtKernelArgs *args = job->args;
  const Layout *L = job->L;
  LtTensor *x = args->in[0], *out = args->out;
  const char *xbase = _lt_tensor_data (x);
  char *obase = _lt_tensor_data (out);
  gint64             *ibase = args->indices ? _lt_tensor_data (args->indices) : NULL;
  gint64 kidx[LT_MAX_DIMS];
  gint64 rem = k0;
  gboolean fop = is_float_op (args->op, x->dtype);

  for (guint d = L->nk; d-- > 0;)
    {
      kidx[d] = rem % L->kshape[d];
      rem /= L->kshape[d];
    }
  for (gint64 k = k0; k < k1; k++)
    {
      gint64 xo = 0, oo = 0;

      for (guint d = 0; d < L->nk; d++)
        {
          xo += kidx[d] * L->kxs[d];
          oo += kidx[d] * L->kos[d];
        }
      if (fop)
        {
          double v = reduce_float_one (args->op, L, x->dtype, xbase + xo * job->xes, &args->params->reduce);
          _lt_store_double (obase + oo * job->oes, out->dtype, v);
        }
      else
        typed_funcs[x->dtype] (args->op, L, xbase + xo * job->xes, obase + oo * job->oes,
                               ibase ? ibase + oo : NULL);
      for (guint d = L->nk; d-- > 0;)
        {
          if (++kidx[d] < L->kshape[d])
            break;
          kidx[d] = 0;
        }
    }
}

/* One output from one long contiguous run: chunk partials in order. */
typedef struct
{
  LtOp op;
  LtDType dt;
  const LtReduceParams *p;
  const char *base;
  gint64 N, s, nchunks;
  gsize es;
  double mean;        /* for the second pass of var and std */
  double *part;
} ChunkJob;

static void
chunk_part (int      tid,
            int      n_parts,
            gpointer data)
{
  ChunkJob *job = data;
  gint64 c0, c1;

  _lt_cpu_split (job->nchunks, tid, n_parts, &c0, &c1);
  for (gint64 c = c0; c < c1; c++)
    {
      gint64 n = MIN (CHUNK, job->N - c * CHUNK);
      const char *b = job->base + c * CHUNK * job->s * job->es;

      if (job->op == LT_OP_VAR || job->op == LT_OP_STD)
        job->part[c] = sumsq_dev_run (b, job->dt, n, job->s, job->mean);
      else if (job->op == LT_OP_NORM)
        job->part[c] = pnorm_run (b, job->dt, n, job->s, job->p->p);
      else if (job->dt == LT_DTYPE_FLOAT32)
        job->part[c] = sum_run_f32 ((const float *) b, n, job->s);
      else
        job->part[c] = sum_run_f64 ((const double *) b, n, job->s);
    }
}

static double
chunk_sum (ChunkJob *job)
{
  int nt = _lt_cpu_get_num_threads ();
  double result = 0;

  nt = (int) MIN ((gint64) nt, job->nchunks);
  if (nt > 1)
    _lt_cpu_parallel (nt, chunk_part, job);
  else
    chunk_part (0, 1, job);
  for (gint64 c = 0; c < job->nchunks; c++)
    result += job->part[c];
  return result;
}

/* Returns FALSE when the reduction is not one it does; else TRUE with
 * *@ok set, or cleared with @error set when the partial sums do not fit in
 * memory (an expanded input can have 2^62 elements). */
static gboolean
reduce_full_chunked (const LtKernelArgs *args, const Layout *L, gboolean *ok, GError **error)
{
  LtTensor *x = args->in[0];
  LtOp op = args->op;
  const LtReduceParams *p = &args->params->reduce;
  g_autofree double *part = NULL;
  ChunkJob job;
  double result;

  if (!(op == LT_OP_SUM || op == LT_OP_MEAN || op == LT_OP_VAR || op == LT_OP_STD ||
        (op == LT_OP_NORM && !isinf (p->p))) ||
      !_lt_dtype_is_float (x->dtype) || L->nr != 1 || L->NR < 2 * CHUNK)
    return FALSE;

  job.op = op == LT_OP_VAR || op == LT_OP_STD ? LT_OP_SUM : op;
  job.dt = x->dtype;
  job.p = p;
  job.base = _lt_tensor_data (x);
  job.N = L->NR;
  job.s = L->rxs[0];
  job.nchunks = (job.N + CHUNK - 1) / CHUNK;
  job.es = _lt_dtype_size (x->dtype);
  job.mean = 0;
  job.part = part = g_try_new0 (double, job.nchunks);
  if (part == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "%s: the partial sums of %" G_GINT64_FORMAT " elements do not fit in memory",
                   _lt_op_table[op].name, job.N);
      *ok = FALSE;
      return TRUE;
    }

  result = chunk_sum (&job);
  if (op == LT_OP_VAR || op == LT_OP_STD)
    {
      job.op = op;
      job.mean = result / (double) job.N;
      result = chunk_sum (&job) / MAX ((double) job.N - p->correction, 0.0);
      if (op == LT_OP_STD)
        result = sqrt (result);
    }
  else if (op == LT_OP_MEAN)
    result /= (double) job.N;
  else if (op == LT_OP_NORM)
    result = pnorm_finish (result, p->p);

  _lt_store_double (_lt_tensor_data (args->out), args->out->dtype, result);
  *ok = TRUE;
  return TRUE;
}

static void
outputs_part (int      tid,
              int      n,
              gpointer data)
{
  const Job *job = data;
  gint64 k0, k1;

  _lt_cpu_split (job->L->NK, tid, n, &k0, &k1);
  if (k0 < k1)
    reduce_outputs (job, k0, k1);
}

/* Sums and means over outer dims of a block whose innermost kept dim is
 * contiguous (a bias's gradient: the column sums of an (M, N) matrix):
 * instead of one strided walk per output element, which touches one
 * element per cache line, whole rows of up to COLS outputs are added into
 * double accumulators, reading memory in order. Each output still adds
 * its elements one by one in the reduced dims' order, in double, so the
 * result is the per-element walk's and does not depend on the threads. */
#define COLS 512

typedef struct
{
  const LtKernelArgs *args;
  const Layout       *L;
  gint64              W, nblocks, units;
  gsize               xes, oes;
} ColJob;

static void
columns_part (int tid, int n_parts, gpointer data)
{
  const ColJob *job = data;
  const Layout *L = job->L;
  LtTensor     *x = job->args->in[0], *out = job->args->out;
  gboolean      f32 = x->dtype == LT_DTYPE_FLOAT32;
  gboolean      mean = job->args->op == LT_OP_MEAN;
  const char   *xbase = _lt_tensor_data (x);
  char         *obase = _lt_tensor_data (out);
  double        acc[COLS];
  gint64        u0, u1;

  _lt_cpu_split (job->units, tid, n_parts, &u0, &u1);
  for (gint64 u = u0; u < u1; u++)
    {
      gint64 ko = u / job->nblocks, j0 = (u % job->nblocks) * COLS;
      gint64 w = MIN (COLS, job->W - j0), xo = j0, oo = j0, rem = ko;
      gint64 ridx[LT_MAX_DIMS] = { 0 };

      /* the outer kept dims (all but the innermost) */
      for (guint d = L->nk - 1; d-- > 0;)
        {
          gint64 i = rem % L->kshape[d];

          rem /= L->kshape[d];
          xo += i * L->kxs[d];
          oo += i * L->kos[d];
        }
      for (gint64 j = 0; j < w; j++)
        acc[j] = 0;
      for (gint64 r = 0; r < L->NR; r++)
        {
          gint64 ro = xo;

          for (guint d = 0; d < L->nr; d++)
            ro += ridx[d] * L->rxs[d];
          if (f32)
            {
              const float *row = (const float *) xbase + ro;

              for (gint64 j = 0; j < w; j++)
                acc[j] += (double) row[j];
            }
          else
            {
              const double *row = (const double *) xbase + ro;

              for (gint64 j = 0; j < w; j++)
                acc[j] += row[j];
            }
          for (guint d = L->nr; d-- > 0;)
            {
              if (++ridx[d] < L->rshape[d])
                break;
              ridx[d] = 0;
            }
        }
      for (gint64 j = 0; j < w; j++)
        _lt_store_double (obase + (oo + j) * job->oes, out->dtype,
                          mean ? acc[j] / (double) L->NR : acc[j]);
    }
}

/* Returns FALSE when the reduction is not a column sum (see above) */
static gboolean
reduce_columns (const LtKernelArgs *args, const Layout *L)
{
  LtTensor *x = args->in[0];
  int       nt = _lt_cpu_get_num_threads ();
  ColJob    job;

  if ((args->op != LT_OP_SUM && args->op != LT_OP_MEAN) ||
      (x->dtype != LT_DTYPE_FLOAT32 && x->dtype != LT_DTYPE_FLOAT64) || L->nk == 0 ||
      L->kxs[L->nk - 1] != 1 || L->kos[L->nk - 1] != 1 || L->NR < 2 || L->kshape[L->nk - 1] < 2)
    return FALSE;
  job.args = args;
  job.L = L;
  job.W = L->kshape[L->nk - 1];
  job.nblocks = (job.W + COLS - 1) / COLS;
  job.units = L->NK / job.W * job.nblocks;
  job.xes = _lt_dtype_size (x->dtype);
  job.oes = _lt_dtype_size (args->out->dtype);
  if (nt > 1 && job.units > 1 && L->NK * L->NR >= 2 * LT_CPU_GRAIN)
    _lt_cpu_parallel ((int) MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD, job.units), columns_part,
                      &job);
  else
    columns_part (0, 1, &job);
  return TRUE;
}

/* Whether the result is the same whatever order the reduced elements are
 * visited in (up to rounding). */
static gboolean
order_free (const LtKernelArgs *args)
{
  switch (args->op)
    {
    case LT_OP_SUM:
    case LT_OP_MEAN:
    case LT_OP_VAR:
    case LT_OP_STD:
    case LT_OP_NORM:
    case LT_OP_ANY:
    case LT_OP_ALL:
      return TRUE;
    case LT_OP_MAX:
    case LT_OP_MIN:
      return args->indices == NULL;
    default:
      return FALSE;
    }
}

gboolean
_lt_cpu_reduce (const LtKernelArgs *args,
                GError            **error)
{
  Layout L;
  Job job;
  int nt = _lt_cpu_get_num_threads ();

  layout_build (&L, args->in[0], args->out, &args->params->reduce, order_free (args));
  if (L.NK == 0)
    return TRUE;
  if (L.NK == 1)
    {
      gboolean ok;

      if (reduce_full_chunked (args, &L, &ok, error))
        return ok;
    }

  if (reduce_columns (args, &L))
    return TRUE;
  job.args = args;
  job.L = &L;
  job.xes = _lt_dtype_size (args->in[0]->dtype);
  job.oes = _lt_dtype_size (args->out->dtype);

  if (nt > 1 && L.NK > 1 && L.NK * MAX (L.NR, 1) >= 2 * LT_CPU_GRAIN)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, L.NK), outputs_part, &job);
  else
    reduce_outputs (&job, 0, L.NK);
  return TRUE;
}
