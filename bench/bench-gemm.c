/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-gemm: the CPU backend's float32 matrix products on each side of
 * its rule (libtensor/backends/cpu/lt-cpu-blas.c): the kernels of our own
 * against cblas_sgemm, as lt_mm and lt_addmm run them (the same entry,
 * the side forced by _lt_cpu_set_small_gemm), over
 *
 *   nets  the products of the benches' networks, each linear layer (batch
 *         b, in i, out o) in its three layouts:
 *           fwd  x @ W^T   M = b, K = i, N = o  (A rows, B = W^T: "dots")
 *           gi   g @ W     M = b, K = o, N = i  (A rows, B rows: "rows")
 *           gw   g^T @ x   M = o, K = b, N = i  (A by columns: "rows")
 *         the tutorial's CNN (400-120-84-10) at batch 4, 64 and 256, the
 *         MLP (784-512-256-10) at 64 and 1024, the LSTM language model's
 *         gate products (35 x 32 rows of 200 -> 800, and 32 rows for the
 *         hidden state's) and its decoder (1120 rows, 200 -> 10,000);
 *   grid  M in 1 .. 1024, N = K in 64 .. 1024, the three layouts.
 *
 * Each row: the median process CPU time of a single call on each side
 * after warm-up calls, for at least --min-time seconds and 5 calls, the
 * sides alternating three times (the median of the three medians kept);
 * GFLOP/s count 2 M N K per CPU second; "blas/own" is OpenBLAS's CPU time
 * over ours (> 1: ours cost less), "rule" the side the rule picks and
 * "l2" the side the rule of generic OpenBLAS cores would pick.
 * Output: one JSON object per line, then a table in lines beginning with
 * '#'. OPENBLAS_CORETYPE=Prescott runs OpenBLAS's SSE3 kernels, as it ran
 * on CPUs it did not know.
 *
 *   build/bench/bench-gemm --threads 1 --only nets
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <libtensor.h>

#include "backends/cpu/lt-cpu-private.h"
#include "bench-common.h"

/* The table printed at the end */
static GString *table;

typedef enum
{
  FWD,
  GI,
  GW
} Layout;

static const char *const layout_names[] = { "fwd", "gi", "gw" };

typedef struct
{
  gint64 M, N, K;
  Layout layout;
  float *a, *b, *c;
  gint64 as0, as1, bs0, bs1;
} Product;

static void
product_run (gpointer data)
{
  Product *p = data;

  _lt_cpu_gemm_f32 (p->M, p->N, p->K, p->a, p->as0, p->as1, p->b, p->bs0, p->bs1, p->c, 1.0, 0.0);
}

static float *
random_floats (gint64 n)
{
  float *v = g_new (float, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    v[i] = (float) g_random_double_range (-1, 1);
  return v;
}

/* Times one product on both sides; prints its JSON line and table row. */
static void
measure (const char *name,
         gint64      M,
         gint64      N,
         gint64      K,
         Layout      layout,
         int         threads,
         double      min_time)
{
  Product  p = { M, N, K, layout, random_floats (M * K), random_floats (K * N), NULL, 0, 0, 0, 0 };
  double   own[3], blas[3], t_own, t_blas;
  guint64  before;
  gboolean rule_own, l2_own;

  p.c = g_new0 (float, MAX (M * N, 1));

  switch (layout)
    {
      case FWD: /* A (M, K) rows; B = W^T, W (N, K) rows */
        p.as0 = K, p.as1 = 1, p.bs0 = 1, p.bs1 = K;
        break;
      case GI: /* A (M, K) rows; B (K, N) rows */
        p.as0 = K, p.as1 = 1, p.bs0 = N, p.bs1 = 1;
        break;
      default: /* A = g^T, g (K, M) rows; B (K, N) rows */
        p.as0 = 1, p.as1 = M, p.bs0 = N, p.bs1 = 1;
        break;
    }
  lt_set_num_threads (threads);
  for (int r = 0; r < 3; r++)
    {
      _lt_cpu_set_small_gemm (1);
      own[r] = bench_measure (NULL, product_run, &p, 3, 5, min_time).cpu_median_s;
      _lt_cpu_set_small_gemm (0);
      blas[r] = bench_measure (NULL, product_run, &p, 3, 5, min_time).cpu_median_s;
    }
  _lt_cpu_set_small_gemm (2);
  before = _lt_cpu_small_gemm_calls ();
  product_run (&p);
  l2_own = _lt_cpu_small_gemm_calls () > before;
  _lt_cpu_set_small_gemm (-1);
  before = _lt_cpu_small_gemm_calls ();
  product_run (&p);
  rule_own = _lt_cpu_small_gemm_calls () > before;
  t_own = bench_median (own, 3);
  t_blas = bench_median (blas, 3);
  printf ("{\"bench\": \"gemm\", \"case\": \"%s\", \"layout\": \"%s\", \"M\": %" G_GINT64_FORMAT
          ", \"N\": %" G_GINT64_FORMAT ", \"K\": %" G_GINT64_FORMAT
          ", \"threads\": %d, \"own_cpu_s\": %.4g, \"blas_cpu_s\": %.4g, \"rule\": \"%s\""
          ", \"rule_l2\": \"%s\"}\n",
          name, layout_names[layout], M, N, K, threads, t_own, t_blas, rule_own ? "own" : "blas",
          l2_own ? "own" : "blas");
  fflush (stdout);
  g_string_append_printf (table,
                          "# %-14s %-4s %5" G_GINT64_FORMAT " %5" G_GINT64_FORMAT
                          " %5" G_GINT64_FORMAT " %3d %8.1f %8.1f %8.2f  %-4s %s\n",
                          name, layout_names[layout], M, N, K, threads, 2e-9 * M * N * K / t_own,
                          2e-9 * M * N * K / t_blas, t_blas / t_own, rule_own ? "own" : "blas",
                          l2_own ? "own" : "blas");
  g_free (p.a);
  g_free (p.b);
  g_free (p.c);
}

typedef struct
{
  const char *name;
  gint64      batch, in, out;
} Layer;

static const Layer layers[] = {
  { "cnn fc1 b4", 4, 400, 120 },       { "cnn fc2 b4", 4, 120, 84 },
  { "cnn fc3 b4", 4, 84, 10 },         { "cnn fc1 b64", 64, 400, 120 },
  { "cnn fc2 b64", 64, 120, 84 },      { "cnn fc3 b64", 64, 84, 10 },
  { "cnn fc1 b256", 256, 400, 120 },   { "cnn fc2 b256", 256, 120, 84 },
  { "cnn fc3 b256", 256, 84, 10 },     { "mlp fc1 b64", 64, 784, 512 },
  { "mlp fc2 b64", 64, 512, 256 },     { "mlp fc3 b64", 64, 256, 10 },
  { "mlp fc1 b1024", 1024, 784, 512 }, { "mlp fc2 b1024", 1024, 512, 256 },
  { "mlp fc3 b1024", 1024, 256, 10 },  { "lstm ih", 35 * 32, 200, 800 },
  { "lstm hh", 32, 200, 800 },         { "lstm dec", 35 * 32, 200, 10000 },
};

int
main (int argc, char **argv)
{
  g_autofree char *threads = g_strdup ("1");
  g_autofree char *only = g_strdup ("nets,grid");
  double           min_time = 0.1;
  GOptionEntry     entries[] = {
        { "threads", 0, 0, G_OPTION_ARG_STRING, &threads, "Comma-separated thread counts", "1,2" },
        { "only", 0, 0, G_OPTION_ARG_STRING, &only, "nets, grid or both", "nets,grid" },
        { "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &min_time, "Seconds per measurement", "S" },
        { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- float32 products, ours and OpenBLAS's");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) thr = NULL;
  static const gint64 ms[] = { 1, 4, 16, 32, 64, 128, 256, 1024 };
  static const gint64 nks[] = { 64, 128, 256, 512, 1024 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bench-gemm: %s\n", error->message);
      return 2;
    }
  g_random_set_seed (1);
  thr = g_strsplit (threads, ",", -1);
  table = g_string_new (
    "# case           lay      M     N     K thr  own GF/s blasGF/s blas/own  rule l2\n");
  printf ("# OpenBLAS core: %s; own kernels: %s\n", openblas_get_corename (),
          _lt_cpu_isa () == LT_CPU_ISA_AVX512 ? "avx512"
          : _lt_cpu_isa () == LT_CPU_ISA_AVX2 ? "avx2"
                                              : "none");
  for (int t = 0; thr[t] != NULL; t++)
    {
      int n = atoi (thr[t]);

      if (strstr (only, "nets") != NULL)
        for (gsize i = 0; i < G_N_ELEMENTS (layers); i++)
          {
            const Layer *l = &layers[i];

            measure (l->name, l->batch, l->out, l->in, FWD, n, min_time);
            measure (l->name, l->batch, l->in, l->out, GI, n, min_time);
            measure (l->name, l->out, l->in, l->batch, GW, n, min_time);
          }
      if (strstr (only, "grid") != NULL)
        for (gsize i = 0; i < G_N_ELEMENTS (ms); i++)
          for (gsize j = 0; j < G_N_ELEMENTS (nks); j++)
            for (int layout = FWD; layout <= GW; layout++)
              measure ("grid", ms[i], nks[j], nks[j], layout, n, min_time);
    }
  fputs (table->str, stdout);
  g_string_free (table, TRUE);
  return 0;
}
