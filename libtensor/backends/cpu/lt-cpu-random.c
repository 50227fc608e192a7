/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "lt-cpu-private.h"
#include "core/lt-philox-private.h"

/*
 * Random and range kernels. @out is contiguous (the front end makes sure).
 * Element i of the output takes lane i % V of Philox block
 * params->random.offset + i / V; _lt_random_values_per_block() gives V.
 */

#define TWO_PI 6.283185307179586

typedef struct
{
  const LtKernelArgs *args;
  guint per_block;
} RandomJob;

static inline void
normal_pair (double u1, double u2, double *z0, double *z1)
{
  double r = sqrt (-2.0 * log (u1));

  *z0 = r * cos (TWO_PI * u2);
  *z1 = r * sin (TWO_PI * u2);
}

static void
random_blocks (const RandomJob *job,
               gint64           b0,
               gint64           b1)
{
  const LtKernelArgs *args = job->args;
  const LtRandomParams *p = &args->params->random;
  LtTensor *out = args->out;
  gint64 numel = out->numel;
  guint V = job->per_block;
  char *base = _lt_tensor_data (out);
  gsize es = _lt_dtype_size (out->dtype);

  for (gint64 b = b0; b < b1; b++)
    {
      LtPhilox4 r = _lt_philox4x32_10 (p->seed, p->offset + (guint64) b);
      double vals[4];
      guint n;

      switch (args->op)
        {
        case LT_OP_UNIFORM:
          if (out->dtype == LT_DTYPE_FLOAT64)
            {
              vals[0] = _lt_philox_uniform_f64 (r.v[0], r.v[1]);
              vals[1] = _lt_philox_uniform_f64 (r.v[2], r.v[3]);
            }
          else
            for (guint l = 0; l < 4; l++)
              vals[l] = _lt_philox_uniform_f32 (r.v[l]);
          for (guint l = 0; l < V; l++)
            vals[l] = p->a + vals[l] * (p->b - p->a);
          break;
        case LT_OP_NORMAL:
          if (out->dtype == LT_DTYPE_FLOAT64)
            {
              double u1 = 1.0 - _lt_philox_uniform_f64 (r.v[0], r.v[1]);
              double u2 = _lt_philox_uniform_f64 (r.v[2], r.v[3]);
              normal_pair (u1, u2, &vals[0], &vals[1]);
            }
          else
            {
              normal_pair (1.0 - _lt_philox_uniform_f32 (r.v[0]), _lt_philox_uniform_f32 (r.v[1]),
                           &vals[0], &vals[1]);
              normal_pair (1.0 - _lt_philox_uniform_f32 (r.v[2]), _lt_philox_uniform_f32 (r.v[3]),
                           &vals[2], &vals[3]);
            }
          for (guint l = 0; l < V; l++)
            vals[l] = p->a + vals[l] * p->b;
          break;
        case LT_OP_RANDINT:
          {
            /* a <= x < b; ranges above 2^32 use 64 bits per value */
            guint64 range = (guint64) ((gint64) p->b - (gint64) p->a);

            if (V == 2)
              for (guint l = 0; l < 2; l++)
                {
                  guint64 x = ((guint64) r.v[2 * l] << 32) | r.v[2 * l + 1];
                  vals[l] = (double) ((gint64) p->a + (gint64) (x % range));
                }
            else
              for (guint l = 0; l < 4; l++)
                vals[l] = (double) ((gint64) p->a + (gint64) (((guint64) r.v[l] * range) >> 32));
          }
          break;
        default:
          g_assert_not_reached ();
        }

      n = (guint) MIN ((gint64) V, numel - b * V);
      if (args->op == LT_OP_RANDINT && out->dtype == LT_DTYPE_INT64)
        for (guint l = 0; l < n; l++)
          ((gint64 *) base)[b * V + l] = (gint64) vals[l];
      else if (out->dtype == LT_DTYPE_FLOAT32)
        for (guint l = 0; l < n; l++)
          ((float *) base)[b * V + l] = (float) vals[l];
      else
        for (guint l = 0; l < n; l++)
          _lt_store_double (base + (b * V + l) * es, out->dtype, vals[l]);
    }
}

static void
random_part (int      tid,
             int      n,
             gpointer data)
{
  RandomJob *job = data;
  gint64 n_blocks = (job->args->out->numel + job->per_block - 1) / job->per_block;
  gint64 b0, b1;

  _lt_cpu_split (n_blocks, tid, n, &b0, &b1);
  if (b0 < b1)
    random_blocks (job, b0, b1);
}

gboolean
_lt_cpu_random (const LtKernelArgs *args,
                GError            **error)
{
  RandomJob job = { args, _lt_random_values_per_block (args->op, args->out->dtype, &args->params->random) };
  gint64 n_blocks = (args->out->numel + job.per_block - 1) / job.per_block;
  int nt = _lt_cpu_get_num_threads ();

  if (nt > 1 && args->out->numel >= 2 * LT_CPU_GRAIN)
    _lt_cpu_parallel ((int) MIN ((gint64) nt, n_blocks), random_part, &job);
  else
    random_blocks (&job, 0, n_blocks);
  return TRUE;
}

gboolean
_lt_cpu_range (const LtKernelArgs *args,
               GError            **error)
{
  const LtRangeParams *p = &args->params->range;
  LtTensor *out = args->out;
  char *base = _lt_tensor_data (out);
  gsize es = _lt_dtype_size (out->dtype);
  gint64 n = out->numel;

  if (args->op == LT_OP_ARANGE)
    {
      gboolean integral = lt_dtype_is_integral (out->dtype, TRUE);

      for (gint64 i = 0; i < n; i++)
        {
          if (integral)
            _lt_store_int64 (base + i * es, out->dtype,
                             (gint64) p->start + i * (gint64) p->step);
          else
            _lt_store_double (base + i * es, out->dtype, p->start + (double) i * p->step);
        }
    }
  else
    {
      /* As torch.linspace: the first half counts up from start, the second
       * half down from end, so both ends are exact; one step is start. */
      double step = n > 1 ? (p->end - p->start) / (double) (n - 1) : 0;
      gint64 half = n > 1 ? n / 2 : n;

      for (gint64 i = 0; i < n; i++)
        {
          double v = i < half ? p->start + step * (double) i
                              : p->end - step * (double) (n - i - 1);
          _lt_store_double (base + i * es, out->dtype, v);
        }
    }
  return TRUE;
}

/* randperm: element i gets the 64-bit key of lanes 2 (i % 2), 2 (i % 2) + 1
 * of block params->random.offset + i / 2; the output is the indices sorted
 * by (key, index). The result depends on the stream only, never on the
 * thread count or the device. */

typedef struct
{
  guint64 key;
  gint64 index;
} PermKey;

static int
perm_key_compare (const void *a,
                  const void *b)
{
  const PermKey *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

gboolean
_lt_cpu_randperm (const LtKernelArgs *args,
                  GError            **error)
{
  const LtRandomParams *p = &args->params->random;
  LtTensor *out = args->out;
  gint64 n = out->numel;
  char *base = _lt_tensor_data (out);
  gsize es = _lt_dtype_size (out->dtype);
  PermKey *keys;

  if (n == 0)
    return TRUE;
  keys = g_try_new (PermKey, (gsize) n);
  if (keys == NULL)
    {
      g_set_error (error, LT_ERROR, LT_ERROR_OUT_OF_MEMORY,
                   "randperm: cannot allocate %" G_GINT64_FORMAT " sort keys", n);
      return FALSE;
    }
  for (gint64 b = 0; b < (n + 1) / 2; b++)
    {
      LtPhilox4 r = _lt_philox4x32_10 (p->seed, p->offset + (guint64) b);

      for (gint64 l = 0; l < 2 && 2 * b + l < n; l++)
        {
          keys[2 * b + l].key = ((guint64) r.v[2 * l] << 32) | r.v[2 * l + 1];
          keys[2 * b + l].index = 2 * b + l;
        }
    }
  qsort (keys, (gsize) n, sizeof (PermKey), perm_key_compare);
  if (out->dtype == LT_DTYPE_INT64)
    for (gint64 i = 0; i < n; i++)
      ((gint64 *) base)[i] = keys[i].index;
  else
    for (gint64 i = 0; i < n; i++)
      _lt_store_int64 (base + i * es, out->dtype, keys[i].index);
  g_free (keys);
  return TRUE;
}
