/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <omp.h>

#include "lt-cpu-private.h"

/*
 * Reductions: x (any shape, any strides) reduced over a set of dims into out
 * (x's shape with the reduced dims set to 1, contiguous). Kept and reduced
 * dims are split and coalesced; each output element reduces its run(s). A
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
layout_build (Layout            *L,
              LtTensor          *x,
              LtTensor          *out,
              const LtReduceParams *p)
{
  gboolean reduced[LT_MAX_DIMS] = { FALSE };

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

      if (n == 1)
        continue;
      if (reduced[d])
        {
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
      else
        {
          gint64 os = out->strides[d];

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

/* Sums with float accumulators in blocks (vectorised), blocks added in
 * double: fast, and accurate to a few float32 ulps over millions. */
static inline double
sum_run_f32 (const float *x, gint64 n, gint64 s)
{
  double total = 0;

  if (s == 1)
    for (gint64 i0 = 0; i0 < n; i0 += 4096)
      {
        gint64 m = MIN (4096, n - i0);
        float acc = 0;
        const float *b = x + i0;
#pragma omp simd reduction(+:acc)
        for (gint64 i = 0; i < m; i++)
          acc += b[i];
        total += acc;
      }
  else
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
  gint64 *ibase = args->out2 ? _lt_tensor_data (args->out2) : NULL;
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
static gboolean
reduce_full_chunked (const LtKernelArgs *args,
                     const Layout       *L)
{
  LtTensor *x = args->in[0];
  LtOp op = args->op;
  const LtReduceParams *p = &args->params->reduce;
  gint64 N = L->NR;
  gint64 nchunks = (N + CHUNK - 1) / CHUNK;
  const char *base = _lt_tensor_data (x);
  gint64 s = L->rxs[0];
  gsize es = _lt_dtype_size (x->dtype);
  g_autofree double *part = NULL;
  int nt = _lt_cpu_get_num_threads ();
  double result = 0, mean = 0;

  if (!(op == LT_OP_SUM || op == LT_OP_MEAN || op == LT_OP_VAR || op == LT_OP_STD ||
        (op == LT_OP_NORM && !isinf (p->p))) ||
      !_lt_dtype_is_float (x->dtype) || L->nr != 1 || N < 2 * CHUNK || nt == 1)
    return FALSE;

  part = g_new0 (double, nchunks);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (gint64 c = 0; c < nchunks; c++)
    {
      gint64 n = MIN (CHUNK, N - c * CHUNK);
      const char *b = base + c * CHUNK * s * es;

      if (op == LT_OP_NORM)
        part[c] = pnorm_run (b, x->dtype, n, s, p->p);
      else if (x->dtype == LT_DTYPE_FLOAT32)
        part[c] = sum_run_f32 ((const float *) b, n, s);
      else
        part[c] = sum_run_f64 ((const double *) b, n, s);
    }
  for (gint64 c = 0; c < nchunks; c++)
    result += part[c];

  if (op == LT_OP_VAR || op == LT_OP_STD)
    {
      mean = result / (double) N;
      result = 0;
#pragma omp parallel for num_threads(nt) schedule(static)
      for (gint64 c = 0; c < nchunks; c++)
        {
          gint64 n = MIN (CHUNK, N - c * CHUNK);
          part[c] = sumsq_dev_run (base + c * CHUNK * s * es, x->dtype, n, s, mean);
        }
      for (gint64 c = 0; c < nchunks; c++)
        result += part[c];
      result /= MAX ((double) N - p->correction, 0.0);
      if (op == LT_OP_STD)
        result = sqrt (result);
    }
  else if (op == LT_OP_MEAN)
    result /= (double) N;
  else if (op == LT_OP_NORM)
    result = pnorm_finish (result, p->p);

  _lt_store_double (_lt_tensor_data (args->out), args->out->dtype, result);
  return TRUE;
}

gboolean
_lt_cpu_reduce (const LtKernelArgs *args,
                GError            **error)
{
  Layout L;
  Job job;
  int nt = _lt_cpu_get_num_threads ();

  layout_build (&L, args->in[0], args->out, &args->params->reduce);
  if (L.NK == 0)
    return TRUE;
  if (L.NK == 1 && reduce_full_chunked (args, &L))
    return TRUE;

  job.args = args;
  job.L = &L;
  job.xes = _lt_dtype_size (args->in[0]->dtype);
  job.oes = _lt_dtype_size (args->out->dtype);

  if (nt > 1 && L.NK > 1 && L.NK * MAX (L.NR, 1) >= 2 * LT_CPU_GRAIN)
    {
      nt = (int) MIN ((gint64) nt, L.NK);
#pragma omp parallel num_threads(nt)
      {
        int tid = omp_get_thread_num ();
        int n = omp_get_num_threads ();
        gint64 chunk = (L.NK + n - 1) / n;
        gint64 k0 = MIN (L.NK, tid * chunk);
        gint64 k1 = MIN (L.NK, k0 + chunk);

        if (k0 < k1)
          reduce_outputs (&job, k0, k1);
      }
    }
  else
    reduce_outputs (&job, 0, L.NK);
  return TRUE;
}
