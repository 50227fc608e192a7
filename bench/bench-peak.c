/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-peak: the float32 multiply-add peak of this machine's cores, the
 * yardstick for the share of it a training step reaches (bench/README.md).
 *
 * Each thread runs independent chains of multiply-adds on vectors held in
 * registers, acc[i] = acc[i] * x + y, with more accumulators than the
 * FMA latency times the FMA units (4 cycles x 2 units on the cores this
 * was written on): nothing but the units' throughput limits it. One loop
 * per instruction set, compiled with GCC's target attribute and chosen at
 * run time as the CPU backend chooses its kernels
 * (libtensor/backends/cpu/lt-cpu-private.h):
 *
 *   avx512  16 lanes (zmm), 24 accumulators, vfmadd
 *   avx2    8 lanes (ymm), 12 accumulators, vfmadd (AVX2 and FMA)
 *   base    4 lanes (xmm), 12 accumulators, a multiply and an add (x86-64's
 *           SSE2 has no fused multiply-add), for comparison
 *
 * A multiply-add counts 2 floating-point operations a lane. Every thread
 * count of --threads runs one loop per thread, each pinned to a CPU of
 * the process's affinity mask, started together; a measurement is the
 * wall time from the start to the last thread's end. Each (instruction
 * set, threads) is measured --reps times for about 10 ms each (the loop
 * count calibrated first); "gflops" is the best, the least disturbed by
 * other processes, "gflops_median" the median, "gflops_per_core_cpu" the
 * work over the threads' own CPU time (per core busy, robust to load).
 * "widest": true marks the widest instruction set this CPU runs: the
 * machine's FMA peak. The whole run takes about 0.35 s of CPU time.
 *
 * Output: one JSON object per line, then a table whose lines begin with
 * '#'. bench/run_nets.py, bench/run_train.py and bench/run_conv.py run it
 * once and divide the steps' GFLOP/s by its peak.
 */

#define _GNU_SOURCE /* pthread_setaffinity_np, sched_getaffinity */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "bench-common.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PEAK_X86_ISAS 1
/* @v stays in a vector register here: the compiler may neither merge nor
 * reorder the chains across iterations */
#define KEEP_IN_REGISTER(v) __asm__("" : "+v"(v))
#else
#define KEEP_IN_REGISTER(v) (void) (v)
#endif

/* @iters iterations of one multiply-add on each of the loop's
 * accumulators; returns a value that depends on every accumulator, so
 * that none of the work can be dropped. x = 1 - 2^-20 and y = 2^-20 keep
 * every chain at its fixed point 1: no overflow, no subnormal numbers. */
typedef float (*PeakLoop) (gint64 iters, float x, float y);

#define DEFINE_PEAK(sfx, LANES, NACC, ATTR)                                                        \
  typedef float     v_##sfx __attribute__ ((vector_size (LANES * sizeof (float))));                \
  static ATTR float peak_##sfx (gint64 iters, float x, float y)                                    \
  {                                                                                                \
    v_##sfx acc[NACC], vx, vy, sum;                                                                \
    float   total = 0;                                                                             \
                                                                                                   \
    vx = (v_##sfx){ 0 } + x;                                                                       \
    vy = (v_##sfx){ 0 } + y;                                                                       \
    _Pragma ("GCC unroll 32") for (int j = 0; j < NACC; j++) acc[j] = vy * (float) j + x;          \
    for (gint64 i = 0; i < iters; i++)                                                             \
      {                                                                                            \
        _Pragma ("GCC unroll 32") for (int j = 0; j < NACC; j++) acc[j] = acc[j] * vx + vy;        \
        _Pragma ("GCC unroll 32") for (int j = 0; j < NACC; j++) KEEP_IN_REGISTER (acc[j]);        \
      }                                                                                            \
    sum = acc[0];                                                                                  \
    _Pragma ("GCC unroll 32") for (int j = 1; j < NACC; j++) sum += acc[j];                        \
    for (int l = 0; l < LANES; l++)                                                                \
      total += sum[l];                                                                             \
    return total;                                                                                  \
  }

DEFINE_PEAK (base, 4, 12, )
#ifdef PEAK_X86_ISAS
DEFINE_PEAK (avx2, 8, 12, __attribute__ ((target ("avx2,fma"))))
DEFINE_PEAK (avx512, 16, 24, __attribute__ ((target ("avx512f,fma"))))
#endif

typedef struct
{
  const char *name;
  int         lanes, accumulators;
  gboolean    fused; /* one instruction per multiply-add */
  PeakLoop    loop;
} PeakIsa;

/* Widest first */
static const PeakIsa isas[] = {
#ifdef PEAK_X86_ISAS
  { "avx512", 16, 24, TRUE, peak_avx512 },
  { "avx2", 8, 12, TRUE, peak_avx2 },
#endif
  { "base", 4, 12, FALSE, peak_base },
};

static gboolean
isa_supported (const PeakIsa *isa)
{
#ifdef PEAK_X86_ISAS
  __builtin_cpu_init ();
  if (g_str_equal (isa->name, "avx512"))
    return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("fma");
  if (g_str_equal (isa->name, "avx2"))
    return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
#endif
  return g_str_equal (isa->name, "base");
}

typedef struct
{
  const PeakIsa *isa;
  gint64         iters;
  int            cpu;    /* the CPU to pin to, -1 for none */
  volatile int  *start;  /* the threads spin until it is set */
  double         cpu_s;  /* out: the thread's CPU time */
  float          result; /* out: the loop's value */
} PeakThread;

/* volatile: the compiler knows neither value, so the loop cannot be
 * evaluated at compile time */
static volatile float x_in = 1.0f - 1.0f / (1 << 20), y_in = 1.0f / (1 << 20);

static gpointer
peak_thread (gpointer data)
{
  PeakThread *pt = data;
  double      c0;

  if (pt->cpu >= 0)
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (pt->cpu, &set);
      pthread_setaffinity_np (pthread_self (), sizeof set, &set);
    }
  while (!__atomic_load_n (pt->start, __ATOMIC_ACQUIRE))
    ;
  c0 = bench_clock_s (CLOCK_THREAD_CPUTIME_ID);
  pt->result = pt->isa->loop (pt->iters, x_in, y_in);
  pt->cpu_s = bench_clock_s (CLOCK_THREAD_CPUTIME_ID) - c0;
  return NULL;
}

typedef struct
{
  double wall_s, cpu_s; /* cpu_s: summed over the threads */
} PeakRun;

/* One measurement: @n threads, each pinned to the next CPU of the
 * process's affinity mask */
static PeakRun
run_threads (const PeakIsa *isa, int n, gint64 iters)
{
  PeakThread   pts[64];
  GThread     *threads[64];
  volatile int start = 0;
  cpu_set_t    allowed;
  int          cpu = -1;
  double       t0;
  PeakRun      r = { 0, 0 };

  if (sched_getaffinity (0, sizeof allowed, &allowed) != 0)
    CPU_ZERO (&allowed);
  for (int t = 0; t < n; t++)
    {
      do
        cpu++;
      while (cpu < CPU_SETSIZE && !CPU_ISSET (cpu, &allowed));
      pts[t] = (PeakThread){ isa, iters, cpu < CPU_SETSIZE ? cpu : -1, &start, 0, 0 };
      threads[t] = g_thread_new ("bench-peak", peak_thread, &pts[t]);
    }
  t0 = bench_now ();
  __atomic_store_n (&start, 1, __ATOMIC_RELEASE);
  for (int t = 0; t < n; t++)
    {
      g_thread_join (threads[t]);
      r.cpu_s += pts[t].cpu_s;
      /* every chain converges to 1: anything else is a broken loop */
      if (!(pts[t].result > 0.5f * isa->lanes * isa->accumulators &&
            pts[t].result < 1.5f * isa->lanes * isa->accumulators))
        g_error ("bench-peak: %s loop gave %g", isa->name, pts[t].result);
    }
  r.wall_s = bench_now () - t0;
  return r;
}

static double
cpuinfo_mhz (void)
{
  g_autofree char *text = NULL;
  const char      *p;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return 0;
  p = strstr (text, "cpu MHz");
  if (!p || !(p = strchr (p, ':')))
    return 0;
  return g_ascii_strtod (p + 1, NULL);
}

static void
bench_isa (const PeakIsa *isa, gboolean widest, int threads, int reps, double mhz)
{
  double  flops_per_iter = 2.0 * isa->lanes * isa->accumulators;
  double *rates = g_new (double, reps), *cpu_rates = g_new (double, reps);
  double  best, best_cpu, median;
  gint64  iters = 1 << 12;
  PeakRun r;

  /* calibrate: about 10 ms of CPU time a thread a measurement (CPU time:
   * other processes that take the cores stretch the wall time) */
  for (;;)
    {
      r = run_threads (isa, threads, iters);
      if (r.cpu_s / threads > 2e-3 || iters > ((gint64) 1 << 40))
        break;
      iters *= 4;
    }
  iters = MAX (1, (gint64) (iters * 10e-3 / (r.cpu_s / threads)));
  for (int i = 0; i < reps; i++)
    {
      r = run_threads (isa, threads, iters);
      rates[i] = flops_per_iter * iters * threads / r.wall_s * 1e-9;
      cpu_rates[i] = flops_per_iter * iters * threads / r.cpu_s * 1e-9;
    }
  best = rates[0];
  best_cpu = cpu_rates[0];
  for (int i = 1; i < reps; i++)
    {
      best = MAX (best, rates[i]);
      best_cpu = MAX (best_cpu, cpu_rates[i]);
    }
  median = bench_median (rates, reps);
  printf ("{\"suite\": \"c\", \"impl\": \"lt\", \"bench\": \"peak\", \"isa\": \"%s\", "
          "\"widest\": %s, \"lanes\": %d, \"accumulators\": %d, \"fused\": %s, "
          "\"threads\": %d, \"unit\": \"GFLOP/s\", \"gflops\": %.6g, \"gflops_median\": %.6g, "
          "\"gflops_per_core_cpu\": %.6g, \"iters\": %" G_GINT64_FORMAT
          ", \"reps\": %d, \"cpuinfo_mhz\": %.6g}\n",
          isa->name, widest ? "true" : "false", isa->lanes, isa->accumulators,
          isa->fused ? "true" : "false", threads, best, median, best_cpu, iters, reps, mhz);
  printf ("# %-7s %2d lanes x %2d acc thr=%d %8.1f GFLOP/s best, %8.1f median; %6.1f per busy "
          "core, %5.1f flop/cycle at %.0f MHz\n",
          isa->name, isa->lanes, isa->accumulators, threads, best, median, best_cpu,
          mhz > 0 ? best_cpu / (mhz * 1e-3) : 0, mhz);
  fflush (stdout);
  g_free (rates);
  g_free (cpu_rates);
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *threads_s = NULL; /* GOption would not free a default */
  g_autofree char *isa_s = NULL;
  g_auto(GStrv) tstr = NULL;
  int          reps = 5, threads[8], n_threads = 0;
  gboolean     widest_found = FALSE;
  double       mhz = cpuinfo_mhz ();
  GOptionEntry entries[] = {
    { "threads", 0, 0, G_OPTION_ARG_STRING, &threads_s, "thread counts (default 1,2)", "LIST" },
    { "isa", 0, 0, G_OPTION_ARG_STRING, &isa_s,
      "only this instruction set (avx512, avx2, base; default all this CPU has)", "ISA" },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "measurements per row (default 5)", "N" },
    { NULL }
  };

  ctx = g_option_context_new ("- the float32 multiply-add peak of the CPU");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-peak: %s\n", error->message);
      return 2;
    }
  if (reps < 1 || reps > 1000)
    {
      fprintf (stderr, "bench-peak: --reps must be 1 to 1000, not %d\n", reps);
      return 2;
    }
  tstr = g_strsplit (threads_s ? threads_s : "1,2", ",", -1);
  for (int i = 0; tstr[i] && n_threads < (int) G_N_ELEMENTS (threads); i++)
    if (*tstr[i])
      {
        int t = atoi (tstr[i]);

        if (t < 1 || t > 64)
          {
            fprintf (stderr, "bench-peak: thread counts are 1 to 64, not '%s'\n", tstr[i]);
            return 2;
          }
        threads[n_threads++] = t;
      }
  if (isa_s)
    {
      gboolean known = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (isas); i++)
        known |= g_str_equal (isas[i].name, isa_s) && isa_supported (&isas[i]);
      if (!known)
        {
          fprintf (stderr, "bench-peak: this build or CPU has no instruction set '%s'\n", isa_s);
          return 2;
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (isas); i++)
    {
      gboolean widest;

      if (!isa_supported (&isas[i]))
        continue;
      widest = !widest_found;
      widest_found = TRUE;
      if (isa_s && !g_str_equal (isas[i].name, isa_s))
        continue;
      for (int t = 0; t < n_threads; t++)
        bench_isa (&isas[i], widest, threads[t], reps, mhz);
    }
  return 0;
}
