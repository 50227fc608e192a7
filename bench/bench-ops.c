/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-ops: throughput and overhead of libtensor's CPU backend, from C.
 *
 *   mm    float32 squares: GFLOP/s of lt_tensor_mm () and of cblas_sgemm ()
 *         called directly on the same buffers (what "no overhead" means).
 *   ew    add, mul, relu and the full sum over float32 tensors, contiguous
 *         and transposed (the input is the .t () of a 2-D tensor): GB/s
 *         counted as the bytes each op must read and write (add, mul: 3 x 4
 *         bytes per element; relu: 2 x 4; sum: 4).
 *   mix   add over 1e6 elements followed by a 256 x 256 mm, repeated: our
 *         OpenMP loops and OpenBLAS's threads taking turns.
 *   tiny  2 x 2 add including the creation and release of the result:
 *         nanoseconds per call.
 *
 * Thread counts are set with lt_set_num_threads (), which governs our loops
 * and OpenBLAS together. Every measurement is the median of many timed calls
 * (after warm-up calls); bench/run.py repeats whole runs and reports medians
 * and ranges across them, beside PyTorch (bench/bench_torch.py).
 *
 * Output: one JSON object per line on stdout, then a readable table whose
 * lines begin with '#'.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>

#include <libtensor.h>

#include "bench-common.h"

typedef struct
{
  const char *impl;   /* "lt" or "cblas" */
  const char *bench;  /* "mm", "ew", "mix", "tiny" */
  const char *op;
  gint64 n;           /* matrix side or element count */
  const char *layout; /* "contiguous" or "transposed" */
  int threads;
  const char *unit;
  double value;       /* in @unit, from the median time */
  double median_s;    /* seconds per call */
  double min_s;
  double cpu_per_wall; /* process CPU time over wall time while measuring */
  int calls;
} Record;

static GArray *records;
static double min_time = 0.25;

/* CPU time over wall time of the last measure (): how many cores the
 * process kept busy, spinning threads included. */
static double last_cpu_per_wall;

/* Times single calls of @fn until @min_time seconds and @min_calls calls
 * have passed (bench_measure); the median and the fastest call in seconds. */
static int
measure (BenchFn  fn,
         gpointer ctx,
         int      warmup,
         int      min_calls,
         double  *median_s,
         double  *min_s)
{
  BenchTiming t = bench_measure (NULL, fn, ctx, warmup, min_calls, min_time);

  last_cpu_per_wall = t.cpu_per_wall;
  *median_s = t.median_s;
  *min_s = t.min_s;
  return t.calls;
}

static void
emit (const char *impl, const char *bench, const char *op, gint64 n, const char *layout,
      int threads, const char *unit, double value, double median_s, double min_s, int calls)
{
  Record r = { impl, bench, op, n, layout, threads, unit, value, median_s, min_s,
               last_cpu_per_wall, calls };

  g_array_append_val (records, r);
  printf ("{\"suite\": \"c\", \"impl\": \"%s\", \"bench\": \"%s\", \"op\": \"%s\", \"n\": %" G_GINT64_FORMAT
          ", \"layout\": \"%s\", \"threads\": %d, \"unit\": \"%s\", \"value\": %.6g, "
          "\"median_s\": %.6g, \"min_s\": %.6g, \"cpu_per_wall\": %.3g, \"calls\": %d}\n",
          impl, bench, op, n, layout, threads, unit, value, median_s, min_s, r.cpu_per_wall, calls);
  fflush (stdout);
}

static LtTensor *
rand_tensor (gint64 rows, gint64 cols)
{
  g_autoptr(GError) error = NULL;
  gint64 shape[2] = { rows, cols };
  LtTensor *t = lt_rand (shape, 2, LT_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  return t;
}

/* mm */

typedef struct
{
  LtTensor *a, *b;
  float *c;
  int n;
} MmCtx;

static void
run_lt_mm (gpointer p)
{
  MmCtx *m = p;
  g_autoptr(GError) error = NULL;
  LtTensor *c = lt_tensor_mm (m->a, m->b, &error);

  g_assert_no_error (error);
  g_object_unref (c);
}

static void
run_cblas_mm (gpointer p)
{
  MmCtx *m = p;

  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m->n, m->n, m->n, 1.0f,
               (const float *) lt_tensor_get_data_ptr (m->a), m->n,
               (const float *) lt_tensor_get_data_ptr (m->b), m->n, 0.0f, m->c, m->n);
}

static void
check_mm (MmCtx *m)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) c = lt_tensor_mm (m->a, m->b, &error);
  const float *lc = (const float *) lt_tensor_get_data_ptr (c);
  double worst = 0;

  g_assert_no_error (error);
  run_cblas_mm (m);
  for (gint64 i = 0; i < (gint64) m->n * m->n; i++)
    worst = MAX (worst, ABS (lc[i] - m->c[i]));
  if (worst > 1e-3 * m->n)
    g_error ("mm %d: lt_tensor_mm and cblas_sgemm differ by %g", m->n, worst);
}

static void
bench_mm (const int *threads, int n_threads, gboolean quick)
{
  static const int sizes[] = { 64, 128, 256, 512, 1024, 2048 };
  int n_sizes = quick ? 5 : (int) G_N_ELEMENTS (sizes);

  for (int s = 0; s < n_sizes; s++)
    {
      int n = sizes[s];
      MmCtx m = { rand_tensor (n, n), rand_tensor (n, n), NULL, n };
      double flop = 2.0 * n * n * (double) n;

      m.c = g_new (float, (gsize) n * n);
      check_mm (&m);
      for (int t = 0; t < n_threads; t++)
        {
          double med, mn;
          int calls;

          lt_set_num_threads (threads[t]);
          calls = measure (run_lt_mm, &m, 1, 3, &med, &mn);
          emit ("lt", "mm", "mm", n, "contiguous", threads[t], "GFLOP/s",
                flop / med * 1e-9, med, mn, calls);
          calls = measure (run_cblas_mm, &m, 1, 3, &med, &mn);
          emit ("cblas", "mm", "mm", n, "contiguous", threads[t], "GFLOP/s",
                flop / med * 1e-9, med, mn, calls);
        }
      g_object_unref (m.a);
      g_object_unref (m.b);
      g_free (m.c);
    }
}

/* Elementwise and sum */

typedef struct
{
  LtTensor *x, *y;
  const char *op;
} EwCtx;

static void
run_ew (gpointer p)
{
  EwCtx *e = p;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) r = NULL;

  if (e->op[0] == 'a')
    r = lt_tensor_add (e->x, e->y, &error);
  else if (e->op[0] == 'm')
    r = lt_tensor_mul (e->x, e->y, &error);
  else if (e->op[0] == 'r')
    r = lt_tensor_relu (e->x, &error);
  else
    r = lt_tensor_sum (e->x, &error);
  g_assert_no_error (error);
}

static double
ew_bytes (const char *op, gint64 n)
{
  if (g_str_equal (op, "add") || g_str_equal (op, "mul"))
    return 12.0 * n;
  if (g_str_equal (op, "relu"))
    return 8.0 * n;
  return 4.0 * n;
}

static void
check_sum (LtTensor *x, gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) s = lt_tensor_sum (x, &error);
  g_autoptr(LtTensor) c = lt_tensor_contiguous (x, &error);
  const float *d = (const float *) lt_tensor_get_data_ptr (c);
  double ref = 0, got;

  g_assert_no_error (error);
  for (gint64 i = 0; i < n; i++)
    ref += d[i];
  g_assert_true (lt_tensor_item (s, &got, &error));
  if (ABS (got - ref) > 1e-4 * ABS (ref))
    g_error ("sum over %" G_GINT64_FORMAT ": got %g, expected %g", n, got, ref);
}

static void
bench_ew (const int *threads, int n_threads, gboolean quick)
{
  /* (rows, cols) of the base tensor; the transposed input is its .t () */
  static const gint64 dims[][2] = { { 1000, 1000 }, { 2000, 5000 } };
  static const char *ops[] = { "add", "mul", "relu", "sum" };

  for (guint s = 0; s < G_N_ELEMENTS (dims); s++)
    for (int transposed = 0; transposed < 2; transposed++)
      {
        gint64 rows = dims[s][0], cols = dims[s][1], n = rows * cols;
        g_autoptr(LtTensor) bx = rand_tensor (rows, cols);
        g_autoptr(LtTensor) by = rand_tensor (rows, cols);
        g_autoptr(LtTensor) x = transposed ? lt_tensor_t (bx, NULL) : g_object_ref (bx);
        g_autoptr(LtTensor) y = transposed ? lt_tensor_t (by, NULL) : g_object_ref (by);

        check_sum (x, n);
        for (int t = 0; t < n_threads; t++)
          {
            lt_set_num_threads (threads[t]);
            for (guint o = 0; o < G_N_ELEMENTS (ops); o++)
              {
                EwCtx e = { x, y, ops[o] };
                double med, mn;
                int calls = measure (run_ew, &e, 2, quick ? 3 : 5, &med, &mn);

                emit ("lt", "ew", ops[o], n, transposed ? "transposed" : "contiguous",
                      threads[t], "GB/s", ew_bytes (ops[o], n) / med * 1e-9, med, mn, calls);
              }
          }
      }
}

/* Our loops and OpenBLAS taking turns */

typedef struct
{
  LtTensor *x, *y, *a, *b;
} MixCtx;

static void
run_mix (gpointer p)
{
  MixCtx *m = p;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 4; i++)
    {
      LtTensor *s = lt_tensor_add (m->x, m->y, &error);
      LtTensor *c = lt_tensor_mm (m->a, m->b, &error);

      g_assert_no_error (error);
      g_object_unref (s);
      g_object_unref (c);
    }
}

static void
bench_mix (const int *threads, int n_threads)
{
  MixCtx m = { rand_tensor (1000, 1000), rand_tensor (1000, 1000),
               rand_tensor (256, 256), rand_tensor (256, 256) };

  for (int t = 0; t < n_threads; t++)
    {
      double med, mn;
      int calls;

      lt_set_num_threads (threads[t]);
      calls = measure (run_mix, &m, 2, 5, &med, &mn);
      /* value: rounds (one add and one mm) per second */
      emit ("lt", "mix", "add+mm", 1000000, "contiguous", threads[t], "rounds/s",
            4.0 / med, med, mn, calls);
    }
  g_object_unref (m.x);
  g_object_unref (m.y);
  g_object_unref (m.a);
  g_object_unref (m.b);
}

/* Per-op overhead */

#define TINY_BATCH 1000

typedef struct
{
  LtTensor *x, *y;
} TinyCtx;

static void
run_tiny (gpointer p)
{
  TinyCtx *c = p;

  for (int i = 0; i < TINY_BATCH; i++)
    {
      LtTensor *r = lt_tensor_add (c->x, c->y, NULL);

      g_object_unref (r);
    }
}

static void
bench_tiny (const int *threads, int n_threads)
{
  TinyCtx c = { rand_tensor (2, 2), rand_tensor (2, 2) };

  for (int t = 0; t < n_threads; t++)
    {
      double med, mn;
      int calls;

      lt_set_num_threads (threads[t]);
      calls = measure (run_tiny, &c, 20, 200, &med, &mn);
      emit ("lt", "tiny", "add", 4, "contiguous", threads[t], "ns",
            med / TINY_BATCH * 1e9, med / TINY_BATCH, mn / TINY_BATCH, calls * TINY_BATCH);
    }
  g_object_unref (c.x);
  g_object_unref (c.y);
}

static void
print_table (void)
{
  printf ("# %-6s %-5s %-6s %9s %-11s %3s %12s %-9s %7s %5s\n",
          "impl", "bench", "op", "n", "layout", "thr", "value", "unit", "calls", "cpu/w");
  for (guint i = 0; i < records->len; i++)
    {
      Record *r = &g_array_index (records, Record, i);

      printf ("# %-6s %-5s %-6s %9" G_GINT64_FORMAT " %-11s %3d %12.4g %-9s %7d %5.2f\n",
              r->impl, r->bench, r->op, r->n, r->layout, r->threads, r->value, r->unit,
              r->calls, r->cpu_per_wall);
    }
}

int
main (int argc, char *argv[])
{
  g_autofree char *only = NULL;
  g_autofree char *thread_list = NULL;
  gboolean quick = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  int threads[8];
  int n_threads = 0;
  GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only,
      "Comma-separated benches to run (mm,ew,mix,tiny; default all)", "LIST" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &thread_list,
      "Comma-separated thread counts (default 1,2)", "LIST" },
    { "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &min_time,
      "Seconds to spend on each measurement (default 0.25)", "S" },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick,
      "Smaller sizes and fewer calls (a smoke run)", NULL },
    { NULL }
  };

  context = g_option_context_new ("- libtensor CPU benchmarks");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    min_time = MIN (min_time, 0.05);

  parts = g_strsplit (thread_list ? thread_list : "1,2", ",", -1);
  for (guint i = 0; parts[i] && n_threads < (int) G_N_ELEMENTS (threads); i++)
    threads[n_threads++] = MAX (atoi (parts[i]), 1);

  lt_manual_seed (0);
  records = g_array_new (FALSE, FALSE, sizeof (Record));

#define WANT(name) (only == NULL || strstr (only, name) != NULL)
  if (WANT ("tiny"))
    bench_tiny (threads, n_threads);
  if (WANT ("ew"))
    bench_ew (threads, n_threads, quick);
  if (WANT ("mix"))
    bench_mix (threads, n_threads);
  if (WANT ("mm"))
    bench_mm (threads, n_threads, quick);
#undef WANT

  print_table ();
  g_array_unref (records);
  return 0;
}
