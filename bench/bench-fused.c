/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-fused: what the fused cross-entropy (ops/lt-fused-loss.c) saves on
 * the CPU, fused against the same loss composed as lt_cross_entropy ()
 * composes it without the kernel (log_softmax, then nll_loss), in one
 * process, the two taking turns:
 *
 *   ce    the loss forward and backward alone: float32 logits (N, C) that
 *         require grad, class targets, reduction mean;
 *   step  the tutorial's training step (lt-train's network, SGD with
 *         momentum, zero_grad as PyTorch 1.13's default) with either loss.
 *
 * Each repetition measures both (the median of many calls after warm-up);
 * the summary gives the median and range over the repetitions of each
 * time and of the ratio unfused / fused (> 1: the fused loss is faster).
 *
 *   bench-fused [--reps 5] [--threads 1,2] [--min-time 0.3]
 *
 * Output: one JSON object per line, then a table whose lines begin
 * with '#'.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtensor.h>

#include "bench-common.h"
#include "lt-train-net.h"

static void
check (GError *error)
{
  if (error)
    g_error ("bench-fused: %s", error->message);
}

static LtTensor *
loss_of (LtTensor *out, LtTensor *labels, gboolean fused, GError **error)
{
  g_autoptr(LtTensor) logp = NULL;

  if (fused)
    return lt_cross_entropy (out, labels, NULL, -100, LT_REDUCTION_MEAN, 0, error);
  logp = lt_tensor_log_softmax (out, 1, error);
  return logp ? lt_nll_loss (logp, labels, NULL, -100, LT_REDUCTION_MEAN, error) : NULL;
}

/* ---- the loss alone ---- */

typedef struct
{
  LtTensor *x, *labels;
  gboolean  fused;
} CeCtx;

static void
ce_call (gpointer data)
{
  CeCtx *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) loss = loss_of (c->x, c->labels, c->fused, &error);

  check (error);
  lt_tensor_backward (loss, NULL, FALSE, &error);
  check (error);
  lt_tensor_set_grad (c->x, NULL, &error);
  check (error);
}

/* ---- the tutorial's step ---- */

typedef struct
{
  LtModule    *net;
  LtOptimizer *opt;
  LtTensor    *inputs, *labels;
  gboolean     fused;
  gint64       batch;
  int          steps;
} StepCtx;

static void
step_init (StepCtx *s, gint64 batch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;
  gint64 ishape[4] = { batch, 3, 32, 32 }, lshape[1] = { batch };

  lt_manual_seed (1);
  s->net = LT_MODULE (lt_train_net_new (3, &error));
  check (error);
  params = lt_module_parameters (s->net);
  s->opt = LT_OPTIMIZER (lt_sgd_new (params, 0.001, 0.9, 0, 0, FALSE, &error));
  check (error);
  s->inputs = lt_randn (ishape, 4, LT_DTYPE_FLOAT32, &error);
  s->labels = lt_randint (0, 10, lshape, 1, LT_DTYPE_INT64, &error);
  check (error);
  s->batch = batch;
  s->steps = 0;
}

static void
step_clear (StepCtx *s)
{
  g_clear_object (&s->net);
  g_clear_object (&s->opt);
  g_clear_object (&s->inputs);
  g_clear_object (&s->labels);
}

static void
step_call (gpointer data)
{
  StepCtx *s = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) out = NULL;
  g_autoptr(LtTensor) loss = NULL;

  /* a new network every 200 steps (bench_train.c: subnormal momentum) */
  if (++s->steps > 200)
    {
      gint64   batch = s->batch;
      gboolean fused = s->fused;

      step_clear (s);
      step_init (s, batch);
      s->fused = fused;
    }
  lt_optimizer_zero_grad (s->opt, FALSE);
  out = lt_module_forward (s->net, s->inputs, &error);
  check (error);
  loss = loss_of (out, s->labels, s->fused, &error);
  check (error);
  lt_tensor_backward (loss, NULL, FALSE, &error);
  check (error);
  lt_optimizer_step (s->opt, &error);
  check (error);
}

/* ---- driver ---- */

typedef struct
{
  const char *bench;
  gint64      n, c;
  int         threads;
  GArray     *fused, *unfused, *ratio; /* doubles, one per repetition */
} Row;

static void
emit (const char        *bench,
      gint64             n,
      gint64             c,
      int                threads,
      int                rep,
      const char        *impl,
      const BenchTiming *t)
{
  printf ("{\"suite\": \"fused\", \"impl\": \"%s\", \"bench\": \"%s\", \"n\": %" G_GINT64_FORMAT
          ", \"classes\": %" G_GINT64_FORMAT ", \"threads\": %d, \"rep\": %d, \"median_s\": %.6g, "
          "\"min_s\": %.6g, \"cpu_per_wall\": %.3g, \"calls\": %d}\n",
          impl, bench, n, c, threads, rep, t->median_s, t->min_s, t->cpu_per_wall, t->calls);
}

static void
summarise (GArray *v, double *med, double *lo, double *hi)
{
  g_autofree double *c = g_memdup2 (v->data, v->len * sizeof (double));

  *med = bench_median (c, (int) v->len);
  *lo = *hi = g_array_index (v, double, 0);
  for (guint i = 0; i < v->len; i++)
    {
      *lo = MIN (*lo, g_array_index (v, double, i));
      *hi = MAX (*hi, g_array_index (v, double, i));
    }
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("- fused cross-entropy on the CPU");
  int              reps = 5;
  double           min_time = 0.3;
  g_autofree char *threads_arg = NULL;
  g_auto(GStrv) thread_list = NULL;
  GOptionEntry entries[] = {
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "Repetitions (5)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_STRING, &threads_arg, "Thread counts (1,2)", "LIST" },
    { "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &min_time, "Seconds per measurement (0.3)", "S" },
    { NULL }
  };
  static const gint64 ce_shapes[][2] = { { 4, 10 }, { 64, 10 }, { 256, 10 }, { 256, 1000 } };
  static const gint64 step_batches[] = { 4, 64, 256 };
  GPtrArray          *rows = g_ptr_array_new ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("bench-fused: %s", error->message);
  thread_list = g_strsplit (threads_arg ? threads_arg : "1,2", ",", -1);

  for (guint ti = 0; thread_list[ti]; ti++)
    {
      int threads = atoi (thread_list[ti]);

      lt_set_num_threads (threads);
      for (guint k = 0; k < G_N_ELEMENTS (ce_shapes) + G_N_ELEMENTS (step_batches); k++)
        {
          gboolean is_ce = k < G_N_ELEMENTS (ce_shapes);
          Row     *row = g_new0 (Row, 1);

          row->bench = is_ce ? "ce" : "step";
          row->n = is_ce ? ce_shapes[k][0] : step_batches[k - G_N_ELEMENTS (ce_shapes)];
          row->c = is_ce ? ce_shapes[k][1] : 10;
          row->threads = threads;
          row->fused = g_array_new (FALSE, FALSE, sizeof (double));
          row->unfused = g_array_new (FALSE, FALSE, sizeof (double));
          row->ratio = g_array_new (FALSE, FALSE, sizeof (double));
          for (int rep = 0; rep < reps; rep++)
            {
              BenchTiming t[2];

              /* the two take turns, the first alternating by repetition */
              for (int o = 0; o < 2; o++)
                {
                  gboolean fused = (o + rep) % 2 == 0;

                  if (is_ce)
                    {
                      gint64 shape[2] = { row->n, row->c }, ls[1] = { row->n };
                      CeCtx  c = { NULL };

                      c.x = lt_randn (shape, 2, LT_DTYPE_FLOAT32, &error);
                      c.labels = lt_randint (0, row->c, ls, 1, LT_DTYPE_INT64, &error);
                      check (error);
                      lt_tensor_set_requires_grad (c.x, TRUE, &error);
                      check (error);
                      c.fused = fused;
                      t[fused] = bench_measure (NULL, ce_call, &c, 20, 20, min_time);
                      g_object_unref (c.x);
                      g_object_unref (c.labels);
                    }
                  else
                    {
                      StepCtx s = { NULL };

                      step_init (&s, row->n);
                      s.fused = fused;
                      t[fused] = bench_measure (NULL, step_call, &s, 5, 10, min_time);
                      step_clear (&s);
                    }
                  emit (row->bench, row->n, row->c, threads, rep, fused ? "fused" : "unfused",
                        &t[fused]);
                }
              g_array_append_val (row->fused, t[1].median_s);
              g_array_append_val (row->unfused, t[0].median_s);
              {
                double r = t[0].median_s / t[1].median_s;

                g_array_append_val (row->ratio, r);
              }
            }
          g_ptr_array_add (rows, row);
        }
    }

  printf ("# %-5s %5s %5s %3s  %-26s %-26s %s\n", "bench", "N", "C", "thr",
          "fused us median [range]", "unfused us median [range]", "unfused/fused");
  for (guint i = 0; i < rows->len; i++)
    {
      Row   *r = rows->pdata[i];
      double fm, fl, fh, um, ul, uh, rm, rl, rh;

      summarise (r->fused, &fm, &fl, &fh);
      summarise (r->unfused, &um, &ul, &uh);
      summarise (r->ratio, &rm, &rl, &rh);
      printf ("# %-5s %5" G_GINT64_FORMAT " %5" G_GINT64_FORMAT " %3d  %8.1f [%7.1f-%7.1f]  "
              "%8.1f [%7.1f-%7.1f]  %.3f [%.3f-%.3f]\n",
              r->bench, r->n, r->c, r->threads, fm * 1e6, fl * 1e6, fh * 1e6, um * 1e6, ul * 1e6,
              uh * 1e6, rm, rl, rh);
      g_array_unref (r->fused);
      g_array_unref (r->unfused);
      g_array_unref (r->ratio);
      g_free (r);
    }
  g_ptr_array_unref (rows);
  return 0;
}
