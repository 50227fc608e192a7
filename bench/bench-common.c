/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "bench-common.h"

double
bench_clock_s (clockid_t id)
{
  struct timespec ts;

  clock_gettime (id, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double
bench_now (void)
{
  return bench_clock_s (CLOCK_MONOTONIC);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
bench_median (double *v, int n)
{
  qsort (v, n, sizeof (double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

BenchTiming
bench_measure (BenchFn  prepare,
               BenchFn  fn,
               gpointer ctx,
               int      warmup,
               int      min_calls,
               double   min_time)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
  double      start, busy = 0, busy_cpu = 0;
  BenchTiming t;

  for (int i = 0; i < warmup; i++)
    {
      if (prepare)
        prepare (ctx);
      fn (ctx);
    }
  start = bench_now ();
  while ((bench_now () - start < min_time || (int) times->len < min_calls) && times->len < 100000)
    {
      double t0, c0, dt;

      if (prepare)
        prepare (ctx);
      c0 = bench_clock_s (CLOCK_PROCESS_CPUTIME_ID);
      t0 = bench_now ();
      fn (ctx);
      dt = bench_now () - t0;
      c0 = bench_clock_s (CLOCK_PROCESS_CPUTIME_ID) - c0;
      busy_cpu += c0;
      busy += dt;
      g_array_append_val (times, dt);
      g_array_append_val (cpu_times, c0);
    }
  t.cpu_median_s = bench_median ((double *) cpu_times->data, cpu_times->len);
  t.cpu_per_wall = busy > 0 ? busy_cpu / busy : 0;
  t.calls = times->len;
  t.median_s = bench_median ((double *) times->data, times->len);
  t.min_s = g_array_index (times, double, 0);
  return t;
}
