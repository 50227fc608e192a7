/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-train: one training step of the tutorial's CIFAR-10 network
 * (shared/seed/, "训练一个分类器"), from C, through the shared library:
 *
 *   conv1 = Conv2d(3, 6, 5); pool = MaxPool2d(2, 2); conv2 = Conv2d(6, 16, 5)
 *   fc1 = Linear(400, 120); fc2 = Linear(120, 84); fc3 = Linear(84, 10)
 *   x = pool(relu(conv1(x))); x = pool(relu(conv2(x))); x = x.view(-1, 400)
 *   x = relu(fc1(x)); x = relu(fc2(x)); x = fc3(x)
 *   criterion = CrossEntropyLoss(); optimizer = SGD(lr=0.001, momentum=0.9)
 *
 * A step is the tutorial's loop body on a fixed random batch: zero_grad,
 * forward, loss, backward, step. Net is an LtModule subclass whose forward
 * calls its children through lt_module_forward (), as the tutorial's
 * nn.Module does.
 *
 *   step   milliseconds per step, batches 4, 64, 256 (--batch), for each
 *          thread count (--threads; lt_set_num_threads () sets our loops
 *          and OpenBLAS together)
 *   conv   conv2d at the network's two shapes: forward (no graph), and
 *          backward through autograd (conv1: the weight and bias gradients;
 *          conv2: also the input's), in GFLOP/s counting 2 N O OH OW Cin kH kW
 *          per product
 *   sgemm  cblas_sgemm on float32 squares of 1024 and 2048: the machine's
 *          matrix-product peak as OpenBLAS reaches it (the line
 *          "# note openblas ..." names OpenBLAS's kernel set)
 *          --sequential builds the same layers as one LtSequential, where
 *          each Conv2d or Linear and the ReLU after it run fused
 *          (nn/lt-sequential-fuse.c); --unfused with it puts an Identity
 *          after each Conv2d and Linear (the same ops, nothing fused)
 *   rss    (--rss) builds the network and trains --steps steps of one batch
 *          size, then prints the process's peak resident memory (getrusage
 *          ru_maxrss) and its resident memory before the network was made;
 *          meant to run in a process of its own
 *
 * Every timing is the median of single timed calls after warm-up calls,
 * for at least --min-time seconds. Output: one JSON object per line, then
 * a readable table whose lines begin with '#'. bench/run_train.py runs it
 * beside bench/bench_train_torch.py (PyTorch).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <cblas.h>

#include <libtensor.h>

#include "bench-common.h"
#include "lt-train-net.h"

static double min_time = 1.0;
static gboolean sequential = FALSE;
static gboolean unfused = FALSE;

/* The same layers as lt_train_net_new (), made in the same order, as one
 * LtSequential: conv1, conv2, fc1 and fc2 with their ReLUs run fused
 * (nn/lt-sequential-fuse.c), unless @no_fusion puts an Identity after
 * each Conv2d and Linear (the same ops, one module call more each, nothing
 * fused) */
static LtModule *
sequential_net (gboolean no_fusion)
{
  g_autoptr(GError) error = NULL;
  static const gint64 k5[2] = { 5, 5 }, two[1] = { 2 };
  GPtrArray          *m = g_ptr_array_new_with_free_func (g_object_unref);
  LtModule           *net;

  g_ptr_array_add (m, lt_conv2d_new (3, 6, k5, NULL, NULL, NULL, 1, TRUE, &error));
  if (no_fusion)
    g_ptr_array_add (m, lt_identity_new ());
  g_ptr_array_add (m, lt_relu_new (FALSE));
  g_ptr_array_add (m, lt_max_pool2d_new (two, 1, two, 1, NULL, 0, NULL, 0, FALSE, &error));
  g_ptr_array_add (m, lt_conv2d_new (6, 16, k5, NULL, NULL, NULL, 1, TRUE, &error));
  if (no_fusion)
    g_ptr_array_add (m, lt_identity_new ());
  g_ptr_array_add (m, lt_relu_new (FALSE));
  g_ptr_array_add (m, lt_max_pool2d_new (two, 1, two, 1, NULL, 0, NULL, 0, FALSE, &error));
  g_ptr_array_add (m, lt_flatten_new (1, -1));
  g_ptr_array_add (m, lt_linear_new (400, 120, TRUE, &error));
  if (no_fusion)
    g_ptr_array_add (m, lt_identity_new ());
  g_ptr_array_add (m, lt_relu_new (FALSE));
  g_ptr_array_add (m, lt_linear_new (120, 84, TRUE, &error));
  if (no_fusion)
    g_ptr_array_add (m, lt_identity_new ());
  g_ptr_array_add (m, lt_relu_new (FALSE));
  g_ptr_array_add (m, lt_linear_new (84, 10, TRUE, &error));
  if (error)
    g_error ("bench-train: %s", error->message);
  net = LT_MODULE (lt_sequential_new ((LtModule **) m->pdata, m->len));
  g_ptr_array_unref (m);
  return net;
}

static void
emit (const char        *bench,
      const char        *op,
      gint64             n,
      int                threads,
      const char        *unit,
      double             value,
      const BenchTiming *t)
{
  printf ("{\"suite\": \"c\", \"impl\": \"lt\", \"bench\": \"%s\", \"op\": \"%s\", \"n\": %"
          G_GINT64_FORMAT ", \"threads\": %d, \"unit\": \"%s\", \"value\": %.6g, "
          "\"median_s\": %.6g, \"min_s\": %.6g, \"cpu_median_s\": %.6g, \"cpu_per_wall\": %.3g, "
          "\"calls\": %d}\n",
          bench, op, n, threads, unit, value, t->median_s, t->min_s, t->cpu_median_s,
          t->cpu_per_wall, t->calls);
  printf ("# %-6s %-16s n=%-5" G_GINT64_FORMAT " thr=%d %10.4g %-8s (%d calls, cpu/wall %.2f)\n",
          bench, op, n, threads, value, unit, t->calls, t->cpu_per_wall);
  fflush (stdout);
}

static void
check (GError *error)
{
  if (error)
    g_error ("bench-train: %s", error->message);
}

/* The tutorial's CIFAR-10 Net: lt-train's (viewer/cli/lt-train-net.c), the
 * layers made in the same order, so the same seed gives the same weights */

typedef struct
{
  LtModule *net;
  LtLoss *criterion;
  LtOptimizer *optimizer;
  LtTensor *inputs, *labels;
  double last_loss;
} Trainer;

static void
trainer_init (Trainer *tr,
              gint64   batch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;
  gint64 ishape[4] = { batch, 3, 32, 32 }, lshape[1] = { batch };

  tr->net = sequential ? sequential_net (unfused) : LT_MODULE (lt_train_net_new (3, &error));
  check (error);
  params = lt_module_parameters (tr->net);
  tr->criterion = LT_LOSS (lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error));
  check (error);
  tr->optimizer = LT_OPTIMIZER (lt_sgd_new (params, 0.001, 0.9, 0, 0, FALSE, &error));
  check (error);
  tr->inputs = lt_randn (ishape, 4, LT_DTYPE_FLOAT32, &error);
  check (error);
  tr->labels = lt_randint (0, 10, lshape, 1, LT_DTYPE_INT64, &error);
  check (error);
}

static void
trainer_clear (Trainer *tr)
{
  g_clear_object (&tr->net);
  g_clear_object (&tr->criterion);
  g_clear_object (&tr->optimizer);
  g_clear_object (&tr->inputs);
  g_clear_object (&tr->labels);
}

/* optimizer.zero_grad(); outputs = net(inputs);
 * loss = criterion(outputs, labels); loss.backward(); optimizer.step()
 * (zero_grad as PyTorch 1.13's default: the gradients are zeroed, not
 * dropped) */
static void
train_step (gpointer data)
{
  Trainer *tr = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) outputs = NULL;
  g_autoptr(LtTensor) loss = NULL;

  lt_optimizer_zero_grad (tr->optimizer, FALSE);
  outputs = lt_module_forward (tr->net, tr->inputs, &error);
  check (error);
  loss = lt_loss_compute (tr->criterion, outputs, tr->labels, &error);
  check (error);
  lt_tensor_backward (loss, NULL, FALSE, &error);
  check (error);
  lt_optimizer_step (tr->optimizer, &error);
  check (error);
  lt_tensor_item (loss, &tr->last_loss, &error);
  check (error);
}

/* Each network trains at most this many steps from its initialisation:
 * the momentum buffers of weights whose gradient is exactly zero (behind
 * a ReLU that never fires) shrink by 0.9 a step and become subnormal
 * numbers after about 760 steps, which slows every library's update
 * severalfold; a real run keeps moving to new data, this one would not. */
#define STEPS_PER_NET 200

static const char *
step_name (void)
{
  if (!sequential)
    return "train";
  return unfused ? "train_sequential_unfused" : "train_sequential";
}

static void
bench_step (const int    *batches,
            int           n_batches,
            const int    *threads,
            int           n_threads)
{
  for (int t = 0; t < n_threads; t++)
    for (int b = 0; b < n_batches; b++)
      {
        g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
        g_autoptr(GArray) cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
        double start, busy = 0, busy_cpu = 0, last_loss = 0;
        BenchTiming tm;

        lt_set_num_threads (threads[t]);
        start = bench_now ();
        for (int round = 0; bench_now () - start < min_time || times->len < 10; round++)
          {
            Trainer tr = { 0 };

            lt_manual_seed (round);
            trainer_init (&tr, batches[b]);
            for (int i = 0; i < 5; i++)
              train_step (&tr);
            for (int i = 0;
                 i < STEPS_PER_NET && (bench_now () - start < min_time || times->len < 10); i++)
              {
                double c0 = bench_clock_s (CLOCK_PROCESS_CPUTIME_ID), t0 = bench_now (), dt;

                train_step (&tr);
                dt = bench_now () - t0;
                c0 = bench_clock_s (CLOCK_PROCESS_CPUTIME_ID) - c0;
                busy_cpu += c0;
                busy += dt;
                g_array_append_val (times, dt);
                g_array_append_val (cpu_times, c0);
              }
            last_loss = tr.last_loss;
            trainer_clear (&tr);
          }
        if (!(last_loss > 0 && last_loss < 100))
          g_error ("bench-train: implausible loss %g", last_loss);
        tm.cpu_median_s = bench_median ((double *) cpu_times->data, cpu_times->len);
        tm.cpu_per_wall = busy_cpu / busy;
        tm.calls = times->len;
        tm.median_s = bench_median ((double *) times->data, times->len);
        tm.min_s = g_array_index (times, double, 0);
        emit ("step", step_name (), batches[b], threads[t], "ms", tm.median_s * 1e3, &tm);
      }
}

/* conv2d at the network's shapes */

typedef struct
{
  LtTensor *x, *w, *b, *gy;
  LtTensor *y;         /* the forward of the backward measurement */
} ConvCtx;

static void
conv_forward (gpointer data)
{
  ConvCtx *c = data;
  g_autoptr(GError) error = NULL;
  LtTensor *y = lt_conv2d (c->x, c->w, c->b, NULL, NULL, NULL, 1, &error);

  check (error);
  g_object_unref (y);
}

/* untimed: drop the last gradients, run the forward that records the node */
static void
conv_prepare_backward (gpointer data)
{
  ConvCtx *c = data;
  g_autoptr(GError) error = NULL;

  lt_tensor_set_grad (c->x, NULL, NULL);
  lt_tensor_set_grad (c->w, NULL, NULL);
  lt_tensor_set_grad (c->b, NULL, NULL);
  g_clear_object (&c->y);
  c->y = lt_conv2d (c->x, c->w, c->b, NULL, NULL, NULL, 1, &error);
  check (error);
}

static void
conv_backward (gpointer data)
{
  ConvCtx *c = data;
  g_autoptr(GError) error = NULL;

  lt_tensor_backward (c->y, c->gy, FALSE, &error);
  check (error);
}

static void
bench_conv (const int *batches,
            int        n_batches,
            const int *threads,
            int        n_threads)
{
  static const struct
  {
    const char *name;
    gint64 C, H, O;
    gboolean input_grad;
  } layers[] = {
    { "conv1", 3, 32, 6, FALSE },
    { "conv2", 6, 14, 16, TRUE },
  };

  for (int t = 0; t < n_threads; t++)
    for (int b = 0; b < n_batches; b++)
      for (guint l = 0; l < G_N_ELEMENTS (layers); l++)
        {
          g_autoptr(GError) error = NULL;
          gint64 N = batches[b], C = layers[l].C, H = layers[l].H, O = layers[l].O;
          gint64 OH = H - 4;
          gint64 xs[4] = { N, C, H, H }, ws[4] = { O, C, 5, 5 }, bs[1] = { O };
          gint64 ys[4] = { N, O, OH, OH };
          double flops = 2.0 * N * O * OH * OH * C * 25;
          g_autofree char *fwd = g_strdup_printf ("%s-fwd", layers[l].name);
          g_autofree char *bwd = g_strdup_printf ("%s-bwd", layers[l].name);
          ConvCtx c = { 0 };
          BenchTiming      tm;

          lt_set_num_threads (threads[t]);
          c.x = lt_randn (xs, 4, LT_DTYPE_FLOAT32, &error);
          c.w = lt_randn (ws, 4, LT_DTYPE_FLOAT32, &error);
          c.b = lt_randn (bs, 1, LT_DTYPE_FLOAT32, &error);
          c.gy = lt_randn (ys, 4, LT_DTYPE_FLOAT32, &error);
          check (error);

          tm = bench_measure (NULL, conv_forward, &c, 3, 10, min_time);
          emit ("conv", fwd, N, threads[t], "GFLOP/s", flops / tm.median_s * 1e-9, &tm);

          lt_tensor_set_requires_grad (c.x, layers[l].input_grad, NULL);
          lt_tensor_set_requires_grad (c.w, TRUE, NULL);
          lt_tensor_set_requires_grad (c.b, TRUE, NULL);
          tm = bench_measure (conv_prepare_backward, conv_backward, &c, 3, 10, min_time);
          emit ("conv", bwd, N, threads[t], "GFLOP/s",
                (layers[l].input_grad ? 2 : 1) * flops / tm.median_s * 1e-9, &tm);

          g_clear_object (&c.y);
          g_object_unref (c.x);
          g_object_unref (c.w);
          g_object_unref (c.b);
          g_object_unref (c.gy);
        }
}

/* The sgemm peak */

typedef struct
{
  float *a, *b, *c;
  int n;
} SgemmCtx;

static void
run_sgemm (gpointer data)
{
  SgemmCtx *s = data;

  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s->n, s->n, s->n, 1.0f, s->a, s->n,
               s->b, s->n, 0.0f, s->c, s->n);
}

static void
bench_sgemm (const int *threads,
             int        n_threads)
{
  static const int sizes[] = { 1024, 2048 };

  printf ("# note openblas %s, core %s\n", openblas_get_config (), openblas_get_corename ());
  for (int t = 0; t < n_threads; t++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        int n = sizes[i];
        SgemmCtx s = { g_new (float, (gsize) n * n), g_new (float, (gsize) n * n),
                       g_new (float, (gsize) n * n), n };
        BenchTiming tm;

        for (gsize k = 0; k < (gsize) n * n; k++)
          {
            s.a[k] = (float) ((k * 7) % 13) / 13.0f;
            s.b[k] = (float) ((k * 5) % 11) / 11.0f;
          }
        lt_set_num_threads (threads[t]);
        tm = bench_measure (NULL, run_sgemm, &s, 2, 5, min_time);
        emit ("sgemm", "cblas_sgemm", n, threads[t], "GFLOP/s",
              2.0 * n * n * n / tm.median_s * 1e-9, &tm);
        g_free (s.a);
        g_free (s.b);
        g_free (s.c);
      }
}

/* Peak resident memory of a training run */

static gint64
current_rss_kb (void)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return -1;
  line = strstr (text, "VmRSS:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

static void
bench_rss (int batch,
           int steps,
           int threads)
{
  struct rusage ru;
  gint64 before;
  Trainer tr = { 0 };
  double t0;

  lt_set_num_threads (threads);
  before = current_rss_kb ();
  lt_manual_seed (0);
  trainer_init (&tr, batch);
  t0 = bench_now ();
  for (int i = 0; i < steps; i++)
    train_step (&tr);
  getrusage (RUSAGE_SELF, &ru);
  printf ("{\"suite\": \"c\", \"impl\": \"lt\", \"bench\": \"rss\", \"op\": \"train\", \"n\": %d, "
          "\"threads\": %d, \"unit\": \"MiB\", \"value\": %.4g, \"rss_before_mib\": %.4g, "
          "\"steps\": %d, \"seconds\": %.3g, \"last_loss\": %.5g}\n",
          batch, threads, ru.ru_maxrss / 1024.0, before / 1024.0, steps, bench_now () - t0,
          tr.last_loss);
  trainer_clear (&tr);
}

static int *
parse_ints (const char *s,
            int        *n)
{
  g_auto(GStrv) parts = g_strsplit (s, ",", -1);
  int *v = g_new0 (int, g_strv_length (parts) + 1);

  *n = 0;
  for (int i = 0; parts[i]; i++)
    if (*parts[i])
      {
        v[*n] = atoi (parts[i]);
        if (v[*n] <= 0)
          g_error ("bench-train: not a positive number: %s", parts[i]);
        (*n)++;
      }
  return v;
}

int
main (int argc, char *argv[])
{
  g_autofree char *batch_s = g_strdup ("4,64,256");
  g_autofree char *threads_s = g_strdup ("1,2");
  g_autofree char *only = g_strdup ("step,conv,sgemm");
  gboolean rss = FALSE;
  int steps = 50;
  GOptionEntry     entries[] = {
        { "batch", 0, 0, G_OPTION_ARG_STRING, &batch_s, "batch sizes (default 4,64,256)", "B,B" },
        { "threads", 0, 0, G_OPTION_ARG_STRING, &threads_s, "thread counts (default 1,2)", "N,N" },
        { "only", 0, 0, G_OPTION_ARG_STRING, &only, "benches: step,conv,sgemm", "LIST" },
        { "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &min_time, "seconds per measurement (default 1)",
          "S" },
        { "rss", 0, 0, G_OPTION_ARG_NONE, &rss,
          "train --steps steps of the first batch size on the first thread count, print the peak "
              "resident memory",
          NULL },
        { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "steps of --rss (default 50)", "N" },
        { "sequential", 0, 0, G_OPTION_ARG_NONE, &sequential, "the layers as one Sequential", NULL },
        { "unfused", 0, 0, G_OPTION_ARG_NONE, &unfused, "with --sequential: nothing fused", NULL },
        { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the tutorial's training step");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) benches = NULL;
  g_autofree int *batches = NULL;
  g_autofree int *threads = NULL;
  int n_batches, n_threads;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-train: %s\n", error->message);
      return 2;
    }
  batches = parse_ints (batch_s, &n_batches);
  threads = parse_ints (threads_s, &n_threads);
  if (n_batches == 0 || n_threads == 0)
    {
      fprintf (stderr, "bench-train: no batch size or thread count\n");
      return 2;
    }
  if (rss)
    {
      bench_rss (batches[0], steps, threads[0]);
      return 0;
    }
  /* OpenBLAS's threads, started when the library set its thread count,
   * spin for about 0.1 s before they sleep: let them, so that they do not
   * count in the first measurement's CPU time */
  lt_set_num_threads (threads[0]);
  g_usleep (G_USEC_PER_SEC / 4);
  benches = g_strsplit (only, ",", -1);
  if (g_strv_contains ((const char *const *) benches, "sgemm"))
    bench_sgemm (threads, n_threads);
  if (g_strv_contains ((const char *const *) benches, "conv"))
    bench_conv (batches, n_batches, threads, n_threads);
  if (g_strv_contains ((const char *const *) benches, "step"))
    bench_step (batches, n_batches, threads, n_threads);
  return 0;
}
