/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lt-cpu-private.h"

/*
 * The CPU backend's multi_tensor (ops/lt-multi-tensor-private.h): zeroing
 * a list of tensors, and an optimizer's step (SGD, Adam and AdamW,
 * RMSprop) over all the parameters of a group, in one pass per element
 * instead of one op (and one trip through the dispatcher) per operation of
 * the update and per parameter. The list is cut into pieces of about
 * LT_CPU_GRAIN elements, which the thread pool shares out.
 *
 * The updates repeat the unfused ones of libtensor/optim operation for
 * operation in the element type, as the CUDA backend's multi-tensor
 * kernels do (lt-cuda-kernels-fused.cu), so the fused and unfused steps
 * give the same bits. This file is built for the base instruction set, so
 * no multiply-add is contracted.
 */

/* One piece of the work: elements [begin, end) of tensor k */
typedef struct
{
  guint  k;
  gint64 begin, end;
} Piece;

typedef struct
{
  const LtMultiTensorArgs *args;
  char                   **ptr[LT_MULTI_MAX_LISTS]; /* data of each tensor, per list */
  const Piece             *pieces;
  guint                    n_pieces;
} Job;

/* The loops take their flags as constants (f0 to f4, the bits of a mode) */
#define MODE_FLAGS                                                                                 \
  const gboolean f0, const gboolean f1, const gboolean f2, const gboolean f3, const gboolean f4
#define ALWAYS_INLINE __attribute__ ((always_inline))

static gboolean multi_enabled = TRUE;
static guint64  n_calls;

#define DEFINE_UPDATES(T, sfx, SQRT)                                                                \
  static void zero_##sfx (const Job *job, const Piece *pc)                                          \
  {                                                                                                 \
    memset ((T *) job->ptr[0][pc->k] + pc->begin, 0, (gsize) (pc->end - pc->begin) * sizeof (T));   \
  }                                                                                                 \
                                                                                                    \
  /* lt-sgd.c's update, as _lt_cpu_sgd_update */                                                    \
  static inline ALWAYS_INLINE void sgd_loop_##sfx (const Job *job, const Piece *pc, MODE_FLAGS)     \
  {                                                                                                 \
    const LtMultiTensorArgs *a = job->args;                                                         \
    const gint64             begin = pc->begin, end = pc->end;                                      \
    const gboolean           maximize = f0, use_wd = f1, has_buf = f2, first = f3;                  \
    const gboolean           nesterov = f4;                                                         \
    const T                  neg_lr = (T) -a->lr, momentum = (T) a->momentum;                       \
    const T                  alpha = (T) (1 - a->dampening), decay = (T) a->weight_decay;           \
    T *restrict p = (T *) job->ptr[0][pc->k];                                                       \
    const T *restrict g = (const T *) job->ptr[1][pc->k];                                           \
    T *restrict buf = has_buf ? (T *) job->ptr[2][pc->k] : NULL;                                    \
                                                                                                    \
    for (gint64 i = begin; i < end; i++)                                                            \
      {                                                                                             \
        T d = g[i];                                                                                 \
        T x = p[i];                                                                                 \
                                                                                                    \
        if (maximize)                                                                               \
          d = -d;                                                                                   \
        if (use_wd)                                                                                 \
          d = d + decay * x;                                                                        \
        if (buf)                                                                                    \
          {                                                                                         \
            T b;                                                                                    \
                                                                                                    \
            if (first)                                                                              \
              b = d;                                                                                \
            else                                                                                    \
              {                                                                                     \
                b = buf[i] * momentum;                                                              \
                b = b + alpha * d;                                                                  \
              }                                                                                     \
            buf[i] = b;                                                                             \
            d = nesterov ? d + momentum * b : b;                                                    \
          }                                                                                         \
        p[i] = x + neg_lr * d;                                                                      \
      }                                                                                             \
  }                                                                                                 \
                                                                                                    \
  /* lt-adam.c's adam_update (AdamW when decoupled) */                                              \
  static inline ALWAYS_INLINE void adam_loop_##sfx (const Job *job, const Piece *pc, MODE_FLAGS)    \
  {                                                                                                 \
    const LtMultiTensorArgs *a = job->args;                                                         \
    const gint64             begin = pc->begin, end = pc->end;                                      \
    const gboolean           maximize = f0, use_wd = f1, decoupled = f2, amsgrad = f3;              \
    const T                  decay = (T) a->weight_decay, keep = (T) (1 - a->lr * a->weight_decay); \
    const T                  beta1 = (T) a->beta1, one_m_beta1 = (T) (1 - a->beta1);                \
    const T                  beta2 = (T) a->beta2, one_m_beta2 = (T) (1 - a->beta2);                \
    const T                  bc2 = (T) a->bias_correction2_sqrt, eps = (T) a->eps;                  \
    const T                  neg_step = (T) -a->step_size;                                          \
    T *restrict p = (T *) job->ptr[0][pc->k];                                                       \
    const T *restrict g = (const T *) job->ptr[1][pc->k];                                           \
    T *restrict ea = (T *) job->ptr[2][pc->k];                                                      \
    T *restrict eas = (T *) job->ptr[3][pc->k];                                                     \
    T *restrict mx = amsgrad ? (T *) job->ptr[4][pc->k] : NULL;                                     \
                                                                                                    \
    for (gint64 i = begin; i < end; i++)                                                            \
      {                                                                                             \
        T d = g[i];                                                                                 \
        T x = p[i];                                                                                 \
        T m, v, t, denom;                                                                           \
                                                                                                    \
        if (maximize)                                                                               \
          d = -d;                                                                                   \
        /* Adam: grad + weight_decay * param; AdamW: param * (1 - lr * wd) */                       \
        if (use_wd)                                                                                 \
          d = d + x * decay;                                                                        \
        if (decoupled)                                                                              \
          x = x * keep;                                                                             \
        m = ea[i] * beta1;                                                                          \
        m = m + d * one_m_beta1;                                                                    \
        ea[i] = m;                                                                                  \
        v = eas[i] * beta2;                                                                         \
        t = d * one_m_beta2;                                                                        \
        t = t * d;                                                                                  \
        v = v + t;                                                                                  \
        eas[i] = v;                                                                                 \
        if (mx)                                                                                     \
          {                                                                                         \
            T old = mx[i];                                                                          \
                                                                                                    \
            v = (old != old || old > v) ? old : v;                                                  \
            mx[i] = v;                                                                              \
          }                                                                                         \
        denom = SQRT (v);                                                                           \
        denom = denom / bc2;                                                                        \
        denom = denom + eps;                                                                        \
        t = m * neg_step;                                                                           \
        t = t / denom;                                                                              \
        p[i] = x + t;                                                                               \
      }                                                                                             \
  }                                                                                                 \
                                                                                                    \
  /* lt-rmsprop.c's update */                                                                       \
  static inline ALWAYS_INLINE void rmsprop_loop_##sfx (const Job *job, const Piece *pc,             \
                                                       MODE_FLAGS)                                  \
  {                                                                                                 \
    const LtMultiTensorArgs *a = job->args;                                                         \
    const gint64             begin = pc->begin, end = pc->end;                                      \
    const gboolean           maximize = f0, use_wd = f1, centered = f2, has_buf = f3;               \
    const T                  decay = (T) a->weight_decay, alpha = (T) a->beta2;                     \
    const T                  one_m_alpha = (T) (1 - a->beta2), eps = (T) a->eps;                    \
    const T                  momentum = (T) a->momentum, neg_lr = (T) -a->lr;                       \
    T *restrict p = (T *) job->ptr[0][pc->k];                                                       \
    const T *restrict g = (const T *) job->ptr[1][pc->k];                                           \
    T *restrict sq = (T *) job->ptr[2][pc->k];                                                      \
    T *restrict ga = centered ? (T *) job->ptr[3][pc->k] : NULL;                                    \
    T *restrict buf = has_buf ? (T *) job->ptr[4][pc->k] : NULL;                                    \
                                                                                                    \
    for (gint64 i = begin; i < end; i++)                                                            \
      {                                                                                             \
        T d = g[i];                                                                                 \
        T x = p[i];                                                                                 \
        T v, t, avg;                                                                                \
                                                                                                    \
        if (maximize)                                                                               \
          d = -d;                                                                                   \
        if (use_wd)                                                                                 \
          d = d + x * decay;                                                                        \
        v = sq[i] * alpha;                                                                          \
        t = d * one_m_alpha;                                                                        \
        t = t * d;                                                                                  \
        v = v + t;                                                                                  \
        sq[i] = v;                                                                                  \
        if (ga)                                                                                     \
          {                                                                                         \
            T m = ga[i] * alpha;                                                                    \
            T m2;                                                                                   \
                                                                                                    \
            m = m + d * one_m_alpha;                                                                \
            ga[i] = m;                                                                              \
            m2 = m * (T) -1;                                                                        \
            m2 = m2 * m;                                                                            \
            avg = SQRT (v + m2);                                                                    \
          }                                                                                         \
        else                                                                                        \
          avg = SQRT (v);                                                                           \
        avg = avg + eps;                                                                            \
        if (buf)                                                                                    \
          {                                                                                         \
            T q = d / avg;                                                                          \
            T b = buf[i] * momentum;                                                                \
                                                                                                    \
            b = b + q;                                                                              \
            buf[i] = b;                                                                             \
            p[i] = x + b * neg_lr;                                                                  \
          }                                                                                         \
        else                                                                                        \
          {                                                                                         \
            t = d * neg_lr;                                                                         \
            t = t / avg;                                                                            \
            p[i] = x + t;                                                                           \
          }                                                                                         \
      }                                                                                             \
  }

DEFINE_UPDATES (float, f32, sqrtf)
DEFINE_UPDATES (double, f64, sqrt)

/* Each update's loop, made once per combination of its flags (the bits of
 * @mode), so that no flag is tested inside a loop and the loops vectorise */
#define CASE(fn, m, f4)                                                                            \
  case m:                                                                                          \
    fn (job, pc, (m) &1, ((m) >> 1) & 1, ((m) >> 2) & 1, ((m) >> 3) & 1, f4);                      \
    break;
#define CASES16(fn, f4)                                                                            \
  CASE (fn, 0, f4)                                                                                 \
  CASE (fn, 1, f4)                                                                                 \
  CASE (fn, 2, f4)                                                                                 \
  CASE (fn, 3, f4)                                                                                 \
  CASE (fn, 4, f4)                                                                                 \
  CASE (fn, 5, f4)                                                                                 \
  CASE (fn, 6, f4)                                                                                 \
  CASE (fn, 7, f4)                                                                                 \
  CASE (fn, 8, f4)                                                                                 \
  CASE (fn, 9, f4)                                                                                 \
  CASE (fn, 10, f4)                                                                                \
  CASE (fn, 11, f4)                                                                                \
  CASE (fn, 12, f4)                                                                                \
  CASE (fn, 13, f4)                                                                                \
  CASE (fn, 14, f4)                                                                                \
  CASE (fn, 15, f4)

#define DEFINE_DISPATCH(sfx)                                                                       \
  static void sgd_##sfx (const Job *job, const Piece *pc)                                          \
  {                                                                                                \
    const LtMultiTensorArgs *a = job->args;                                                        \
    int mode = a->maximize | (a->weight_decay != 0) << 1 | a->has_momentum << 2 | a->first << 3;   \
                                                                                                   \
    if (a->nesterov)                                                                               \
      switch (mode)                                                                                \
        {                                                                                          \
          CASES16 (sgd_loop_##sfx, 1)                                                              \
        }                                                                                          \
    else                                                                                           \
      switch (mode)                                                                                \
        {                                                                                          \
          CASES16 (sgd_loop_##sfx, 0)                                                              \
        }                                                                                          \
  }                                                                                                \
                                                                                                   \
  static void adam_##sfx (const Job *job, const Piece *pc)                                         \
  {                                                                                                \
    const LtMultiTensorArgs *a = job->args;                                                        \
                                                                                                   \
    switch (a->maximize | (!a->decoupled && a->weight_decay != 0) << 1 | a->decoupled << 2 |       \
            a->amsgrad << 3)                                                                       \
      {                                                                                            \
        CASES16 (adam_loop_##sfx, 0)                                                               \
      }                                                                                            \
  }                                                                                                \
                                                                                                   \
  static void rmsprop_##sfx (const Job *job, const Piece *pc)                                      \
  {                                                                                                \
    const LtMultiTensorArgs *a = job->args;                                                        \
                                                                                                   \
    switch (a->maximize | (a->weight_decay != 0) << 1 | a->centered << 2 | a->has_momentum << 3)   \
      {                                                                                            \
        CASES16 (rmsprop_loop_##sfx, 0)                                                            \
      }                                                                                            \
  }

DEFINE_DISPATCH (f32)
DEFINE_DISPATCH (f64)

typedef void (*PieceFunc) (const Job *job, const Piece *pc);

static PieceFunc
piece_func (LtMultiKind kind, gboolean f32)
{
  switch (kind)
    {
      case LT_MULTI_ZERO:
        return f32 ? zero_f32 : zero_f64;
      case LT_MULTI_SGD:
        return f32 ? sgd_f32 : sgd_f64;
      case LT_MULTI_ADAM:
        return f32 ? adam_f32 : adam_f64;
      case LT_MULTI_RMSPROP:
      default:
        return f32 ? rmsprop_f32 : rmsprop_f64;
    }
}

typedef struct
{
  const Job *job;
  PieceFunc  func;
} Run;

static void
run_part (int tid, int n, gpointer data)
{
  const Run *run = data;
  gint64     begin, end;

  _lt_cpu_split (run->job->n_pieces, tid, n, &begin, &end);
  for (gint64 i = begin; i < end; i++)
    run->func (run->job, &run->job->pieces[i]);
}

static gboolean
cpu_multi_tensor (const LtMultiTensorArgs *args, GError **error)
{
  g_autofree Piece *pieces = NULL;
  g_autofree char **ptrs = NULL;
  Job               job = { .args = args };
  Run               run;
  gint64            total = 0;
  guint             n_pieces = 0;
  int               nt = _lt_cpu_get_num_threads ();
  LtDType           dtype;

  if (args->n == 0)
    return TRUE;
  __atomic_fetch_add (&n_calls, 1, __ATOMIC_RELAXED);
  dtype = args->lists[0][0]->dtype;
  if (dtype != LT_DTYPE_FLOAT32 && dtype != LT_DTYPE_FLOAT64)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_NOT_SUPPORTED,
                   "multi-tensor update: the cpu backend has no kernel for %s tensors",
                   lt_dtype_get_name (dtype));
      return FALSE;
    }

  ptrs = g_new0 (char *, (gsize) LT_MULTI_MAX_LISTS * args->n);
  for (guint j = 0; j < LT_MULTI_MAX_LISTS; j++)
    {
      job.ptr[j] = ptrs + (gsize) j * args->n;
      for (guint k = 0; args->lists[j] && k < args->n; k++)
        job.ptr[j][k] = args->lists[j][k] ? _lt_tensor_data (args->lists[j][k]) : NULL;
    }
  for (guint k = 0; k < args->n; k++)
    {
      total += args->lists[0][k]->numel;
      n_pieces += (guint) ((args->lists[0][k]->numel + LT_CPU_GRAIN - 1) / LT_CPU_GRAIN);
    }
  pieces = g_new (Piece, MAX (n_pieces, 1));
  n_pieces = 0;
  for (guint k = 0; k < args->n; k++)
    for (gint64 b = 0; b < args->lists[0][k]->numel; b += LT_CPU_GRAIN)
      pieces[n_pieces++] = (Piece){ k, b, MIN (b + LT_CPU_GRAIN, args->lists[0][k]->numel) };
  job.pieces = pieces;
  job.n_pieces = n_pieces;
  run.job = &job;
  run.func = piece_func (args->kind, dtype == LT_DTYPE_FLOAT32);

  if (nt > 1 && total >= 2 * LT_CPU_GRAIN && n_pieces > 1)
    _lt_cpu_parallel ((int) MIN ((gint64) nt * LT_CPU_PARTS_PER_THREAD, (gint64) n_pieces),
                      run_part, &run);
  else
    run_part (0, 1, &run);
  return TRUE;
}

void
_lt_cpu_multi_tensor_init (LtBackend *backend)
{
  backend->multi_tensor = multi_enabled ? cpu_multi_tensor : NULL;
}

void
_lt_cpu_set_multi_tensor (gboolean enabled)
{
  LtBackend *backend = (LtBackend *) _lt_cpu_backend_get ();

  multi_enabled = enabled;
  if (backend)
    _lt_cpu_multi_tensor_init (backend);
}

guint64
_lt_cpu_multi_tensor_calls (void)
{
  return __atomic_load_n (&n_calls, __ATOMIC_RELAXED);
}
