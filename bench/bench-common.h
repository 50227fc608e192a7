/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the C benchmarks (bench-ops.c, bench_train.c) share: clocks, the
 * median, and timing repeated calls of a function. */

#include <time.h>

#include <glib.h>

/* The clock @id (CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID) in seconds. */
double bench_clock_s (clockid_t id);

/* The monotonic clock in seconds. */
double bench_now (void);

/* The median of @v[0..n) (sorts @v). */
double bench_median (double *v,
                     int     n);

/* A benchmarked call on @ctx. */
typedef void (*BenchFn) (gpointer ctx);

typedef struct
{
  double median_s;      /* median wall time of a call */
  double min_s;         /* the fastest call */
  double cpu_median_s;  /* median process CPU time of a call */
  double cpu_per_wall;  /* CPU time over wall time of the calls: cores kept busy */
  int calls;
} BenchTiming;

/* Times single calls of @fn after @warmup untimed ones, each after an
 * untimed @prepare (may be NULL), until @min_time seconds and @min_calls
 * calls have passed (at most 100,000 calls). */
BenchTiming bench_measure (BenchFn  prepare,
                           BenchFn  fn,
                           gpointer ctx,
                           int      warmup,
                           int      min_calls,
                           double   min_time);
