/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-cuda: libtensor's side of the GPU figures of bench/cuda/run.sh
 * (bench/cuda/bench_cuda.py times PyTorch's side on the same card and
 * writes bench/cuda/RESULTS.md), on cuda:0:
 *
 *   step   the tutorial's training step (its CIFAR-10 Net, CrossEntropyLoss,
 *          SGD lr 0.001 momentum 0.9; zero_grad keeping the gradients, as
 *          PyTorch's zero_grad (set_to_none=False)) on a fixed batch on
 *          the device, at each batch of --batches: latency (one step, then
 *          a synchronisation) and throughput (--steps steps back to back,
 *          then one synchronisation; images/s = batch / time per step)
 *   sgemm  a 4096 x 4096 float32 matrix product (cuBLAS, no TF32), GFLOP/s
 *          counting 2 n^3
 *   add    out = a + b on 1e8 float32 elements, GB/s counting 12 bytes an
 *          element (two reads, one write)
 *
 * Each figure runs after warm-up calls, --repeats times; the output gives
 * the median and the range (fastest, slowest). Output: one JSON object per
 * line (the fields bench_cuda.py reads), then a table on lines that begin
 * with '#'. --smoke runs every case at a tiny size (meson runs it so on the
 * emulated device, so the program cannot rot); its figures mean nothing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtensor.h>

#include "bench-common.h"
#include "lt-train-net.h"

static void
check (GError *error, const char *what)
{
  if (error)
    {
      fprintf (stderr, "bench-cuda: %s: %s\n", what, error->message);
      exit (1);
    }
}

static void
sync_device (void)
{
  g_autoptr(GError) error = NULL;

  lt_cuda_synchronize (&error);
  check (error, "synchronize");
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Median, fastest and slowest of @v[0..n) (sorts @v) */
typedef struct
{
  double median, min, max;
  int    n;
} Stat;

static Stat
stat_of (double *v, int n)
{
  Stat s;

  qsort (v, n, sizeof *v, cmp_double);
  s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  s.min = v[0];
  s.max = v[n - 1];
  s.n = n;
  return s;
}

/* One line of JSON: @what at @n, times in seconds, and the figure per
 * second derived from the median time (@per_call / median) */
static void
emit (const char *bench, const char *what, gint64 n, Stat t, double per_call, const char *unit)
{
  printf ("{\"impl\": \"lt\", \"bench\": \"%s\", \"what\": \"%s\", \"n\": %" G_GINT64_FORMAT
          ", \"median_s\": %.9g, \"min_s\": %.9g, \"max_s\": %.9g, \"repeats\": %d, "
          "\"value\": %.6g, \"value_min\": %.6g, \"value_max\": %.6g, \"unit\": \"%s\"}\n",
          bench, what, n, t.median, t.min, t.max, t.n, per_call / t.median, per_call / t.max,
          per_call / t.min, unit);
  printf ("# %-6s %-10s n=%-9" G_GINT64_FORMAT " %12.4g %-8s median %.4g ms [%.4g, %.4g]\n", bench,
          what, n, per_call / t.median, unit, t.median * 1e3, t.min * 1e3, t.max * 1e3);
  fflush (stdout);
}

/* ---- the tutorial's training step ---- */

typedef struct
{
  LtModule    *net;
  LtLoss      *criterion;
  LtOptimizer *optimizer;
  LtTensor    *inputs, *labels;
} Trainer;

static void
trainer_init (Trainer *tr, gint64 batch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(LtTensor) x = NULL, y = NULL;
  gint64 ishape[4] = { batch, 3, 32, 32 }, lshape[1] = { batch };

  lt_manual_seed (1);
  tr->net = LT_MODULE (lt_train_net_new (3, &error));
  check (error, "Net");
  lt_module_to_device (tr->net, LT_DEVICE_CUDA, &error);
  check (error, "net.to ('cuda')");
  params = lt_module_parameters (tr->net);
  tr->criterion = LT_LOSS (lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error));
  check (error, "CrossEntropyLoss");
  tr->optimizer = LT_OPTIMIZER (lt_sgd_new (params, 0.001, 0.9, 0, 0, FALSE, &error));
  check (error, "SGD");
  x = lt_randn (ishape, 4, LT_DTYPE_FLOAT32, &error);
  check (error, "randn");
  y = lt_randint (0, 10, lshape, 1, LT_DTYPE_INT64, &error);
  check (error, "randint");
  tr->inputs = lt_tensor_to_device (x, LT_DEVICE_CUDA, &error);
  check (error, "inputs.to ('cuda')");
  tr->labels = lt_tensor_to_device (y, LT_DEVICE_CUDA, &error);
  check (error, "labels.to ('cuda')");
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

/* zero_grad, forward, loss, backward, step: nothing waits for the device */
static LtTensor *
train_step (Trainer *tr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) outputs = NULL;
  LtTensor *loss;

  lt_optimizer_zero_grad (tr->optimizer, FALSE);
  outputs = lt_module_forward (tr->net, tr->inputs, &error);
  check (error, "forward");
  loss = lt_loss_compute (tr->criterion, outputs, tr->labels, &error);
  check (error, "loss");
  lt_tensor_backward (loss, NULL, FALSE, &error);
  check (error, "backward");
  lt_optimizer_step (tr->optimizer, &error);
  check (error, "step");
  return loss;
}

static void
bench_step (gint64 batch, int repeats, int steps, int warmup)
{
  g_autoptr(GError) error = NULL;
  g_autofree double *lat = g_new (double, repeats);
  g_autofree double *thr = g_new (double, repeats);
  Trainer            tr = { 0 };
  double             loss = 0;

  trainer_init (&tr, batch);
  for (int i = 0; i < warmup; i++)
    g_object_unref (train_step (&tr));
  sync_device ();
  for (int r = 0; r < repeats; r++)
    {
      double t0 = bench_now ();

      g_object_unref (train_step (&tr));
      sync_device ();
      lat[r] = bench_now () - t0;
    }
  for (int r = 0; r < repeats; r++)
    {
      double t0 = bench_now ();

      for (int i = 0; i < steps; i++)
        {
          g_autoptr(LtTensor) l = train_step (&tr);

          if (i == steps - 1 && r == repeats - 1)
            {
              lt_tensor_item (l, &loss, &error);
              check (error, "loss.item ()");
            }
        }
      sync_device ();
      thr[r] = (bench_now () - t0) / steps;
    }
  if (!(loss > 0 && loss < 100))
    {
      fprintf (stderr, "bench-cuda: implausible loss %g at batch %" G_GINT64_FORMAT "\n", loss,
               batch);
      exit (1);
    }
  emit ("step", "latency", batch, stat_of (lat, repeats), 1.0, "steps/s");
  emit ("step", "throughput", batch, stat_of (thr, repeats), (double) batch, "images/s");
  trainer_clear (&tr);
}

/* ---- sgemm and add ---- */

static LtTensor *
device_randn (gint64 *shape, guint ndim)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) h = lt_randn (shape, ndim, LT_DTYPE_FLOAT32, &error);
  LtTensor *d;

  check (error, "randn");
  d = lt_tensor_to_device (h, LT_DEVICE_CUDA, &error);
  check (error, "to ('cuda')");
  return d;
}

typedef LtTensor *(*BinaryFn) (LtTensor *a, LtTensor *b, GError **error);

/* @fn (a, b) @inner times per timed call, @repeats timed calls */
static Stat
time_binary (BinaryFn  fn,
             LtTensor *a,
             LtTensor *b,
             int       repeats,
             int       inner,
             int       warmup,
             double   *times)
{
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < warmup; i++)
    {
      G_GNUC_UNUSED g_autoptr (LtTensor) c = fn (a, b, &error);
      check (error, "warm-up");
    }
  sync_device ();
  for (int r = 0; r < repeats; r++)
    {
      double t0 = bench_now ();

      for (int i = 0; i < inner; i++)
        {
          G_GNUC_UNUSED g_autoptr (LtTensor) c = fn (a, b, &error);
          check (error, "call");
        }
      sync_device ();
      times[r] = (bench_now () - t0) / inner;
    }
  return stat_of (times, repeats);
}

static void
bench_sgemm (gint64 n, int repeats, int inner)
{
  gint64 shape[2] = { n, n };
  g_autoptr(LtTensor) a = device_randn (shape, 2);
  g_autoptr(LtTensor) b = device_randn (shape, 2);
  g_autofree double *t = g_new (double, repeats);
  Stat               s = time_binary (lt_tensor_mm, a, b, repeats, inner, 2, t);

  emit ("sgemm", "mm", n, s, 2.0 * n * n * n / 1e9, "GFLOP/s");
}

static void
bench_add (gint64 n, int repeats, int inner)
{
  gint64 shape[1] = { n };
  g_autoptr(LtTensor) a = device_randn (shape, 1);
  g_autoptr(LtTensor) b = device_randn (shape, 1);
  g_autofree double *t = g_new (double, repeats);
  Stat               s = time_binary (lt_tensor_add, a, b, repeats, inner, 2, t);

  emit ("add", "add", n, s, 12.0 * n / 1e9, "GB/s");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *batches_opt = NULL, *only = NULL;
  gboolean         smoke = FALSE;
  int              repeats = 0, steps = 0;
  g_auto (GStrv) batches = NULL;
  GOptionEntry entries[] = {
    { "batches", 0, 0, G_OPTION_ARG_STRING, &batches_opt,
      "Batch sizes of the training step (4,64,256,1024)", "LIST" },
    { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, "Timed repeats of each figure (15)", "N" },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, "Steps per throughput repeat (20)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run one bench: step, sgemm or add", "NAME" },
    { "smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "Tiny sizes (a check that it runs)", NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- libtensor's CUDA figures");
  g_autofree char *name = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-cuda: %s\n", error->message);
      return 2;
    }
  if (!lt_cuda_init (&error))
    {
      fprintf (stderr, "bench-cuda: %s\n", error->message);
      return 1;
    }
  name = lt_cuda_get_device_name (0, &error);
  check (error, "device name");
  printf ("# device: %s%s\n", name, smoke ? " (smoke run: the figures mean nothing)" : "");
  if (repeats <= 0)
    repeats = smoke ? 3 : 15;
  if (steps <= 0)
    steps = smoke ? 2 : 20;
  batches = g_strsplit (batches_opt ? batches_opt : (smoke ? "2,4" : "4,64,256,1024"), ",", -1);

  if (only == NULL || strcmp (only, "step") == 0)
    for (int i = 0; batches[i]; i++)
      {
        gint64 b = g_ascii_strtoll (batches[i], NULL, 10);

        if (b <= 0)
          {
            fprintf (stderr, "bench-cuda: bad batch size \"%s\"\n", batches[i]);
            return 2;
          }
        bench_step (b, repeats, steps, smoke ? 1 : 10);
      }
  if (only == NULL || strcmp (only, "sgemm") == 0)
    bench_sgemm (smoke ? 64 : 4096, repeats, smoke ? 1 : 10);
  if (only == NULL || strcmp (only, "add") == 0)
    bench_add (smoke ? 100000 : 100000000, repeats, smoke ? 1 : 10);
  return 0;
}
