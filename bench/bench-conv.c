/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-conv: conv2d over a table of common shapes, and the training step
 * of the CNN of PyTorch's "What is torch.nn really?", from C through the
 * shared library. bench/bench_conv_torch.py runs the same in PyTorch and
 * bench/run_conv.py runs both, alternating, and prints the tables.
 *
 *   conv  each shape of the table (--list prints it as JSON lines), float32,
 *         each thread count (--threads), three measurements:
 *           fwd  lt_conv2d () with a bias, nothing requiring grad
 *           gi   the backward pass of a convolution whose input alone
 *                requires grad (the grad-input kernel)
 *           gw   the backward pass of a convolution whose weight and bias
 *                require grad (the grad-weight kernel, the bias's gradient
 *                included)
 *         The backward passes run lt_tensor_backward () with a fixed
 *         gradient; the forward that records the graph is untimed. Value:
 *         milliseconds per call; GFLOP/s beside it counts
 *         2 N O OH OW (C / groups) kH kW.
 *   cnn   one SGD step (zero_grad, forward, cross-entropy, backward, step;
 *         lr 0.1, momentum 0.9) of
 *           Conv2d(1, 16, 3, 2, 1), ReLU, Conv2d(16, 16, 3, 2, 1), ReLU,
 *           Conv2d(16, 10, 3, 2, 1), ReLU, AvgPool2d(4), Flatten
 *         on a fixed random batch of 28 x 28 images (--cnn-batch, default
 *         64); value: images per second.
 *
 * Every timing is the median of single timed calls after warm-up calls,
 * for at least --min-time seconds and 5 calls. Output: one JSON object per
 * line, then lines beginning with '#'.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libtensor.h>

#include "bench-common.h"

typedef struct
{
  const char *name;
  gint64      N, C, H, W, O, k, s, p, d, groups;
} ConvShape;

/* Every kind of layer the issue lists, channels 1 to 512, spatial 7 to
 * 224, batch 1 to 256; each row is a few hundred MFLOP at most, so that a
 * measurement stays short on 2 cores. The names say kernel, stride,
 * dilation, groups and the sizes (N, C -> O, H). */
static const ConvShape shapes[] = {
  { "3x3s1 n64 1->16 28", 64, 1, 28, 28, 16, 3, 1, 1, 1, 1 },
  { "3x3s1 n64 3->16 32", 64, 3, 32, 32, 16, 3, 1, 1, 1, 1 },
  { "3x3s1 n32 16->16 32", 32, 16, 32, 32, 16, 3, 1, 1, 1, 1 },
  { "3x3s1 n4 64->64 56", 4, 64, 56, 56, 64, 3, 1, 1, 1, 1 },
  { "3x3s1 n2 128->128 28", 2, 128, 28, 28, 128, 3, 1, 1, 1, 1 },
  { "3x3s1 n1 256->256 14", 1, 256, 14, 14, 256, 3, 1, 1, 1, 1 },
  { "3x3s1 n1 512->512 7", 1, 512, 7, 7, 512, 3, 1, 1, 1, 1 },
  { "3x3s1 n256 32->32 8", 256, 32, 8, 8, 32, 3, 1, 1, 1, 1 },
  { "3x3s1 n1 3->64 224", 1, 3, 224, 224, 64, 3, 1, 1, 1, 1 },
  { "3x3s2 n64 1->16 28", 64, 1, 28, 28, 16, 3, 2, 1, 1, 1 },
  { "3x3s2 n64 16->16 14", 64, 16, 14, 14, 16, 3, 2, 1, 1, 1 },
  { "3x3s2 n64 16->10 7", 64, 16, 7, 7, 10, 3, 2, 1, 1, 1 },
  { "3x3s2 n4 64->128 56", 4, 64, 56, 56, 128, 3, 2, 1, 1, 1 },
  { "3x3s2 n1 256->512 14", 1, 256, 14, 14, 512, 3, 2, 1, 1, 1 },
  { "1x1 n4 64->256 56", 4, 64, 56, 56, 256, 1, 1, 0, 1, 1 },
  { "1x1 n32 256->64 14", 32, 256, 14, 14, 64, 1, 1, 0, 1, 1 },
  { "1x1 n1 512->512 7", 1, 512, 7, 7, 512, 1, 1, 0, 1, 1 },
  { "1x1s2 n8 256->512 28", 8, 256, 28, 28, 512, 1, 2, 0, 1, 1 },
  { "1x1 n256 64->64 7", 256, 64, 7, 7, 64, 1, 1, 0, 1, 1 },
  { "5x5 n64 3->6 32", 64, 3, 32, 32, 6, 5, 1, 0, 1, 1 },
  { "5x5p2 n8 32->64 28", 8, 32, 28, 28, 64, 5, 1, 2, 1, 1 },
  { "7x7s2 n2 3->64 224", 2, 3, 224, 224, 64, 7, 2, 3, 1, 1 },
  { "dw3x3s1 n8 128 56", 8, 128, 56, 56, 128, 3, 1, 1, 1, 128 },
  { "dw3x3s2 n8 256 28", 8, 256, 28, 28, 256, 3, 2, 1, 1, 256 },
  { "dw3x3s1 n16 32 112", 16, 32, 112, 112, 32, 3, 1, 1, 1, 32 },
  { "dw3x3s2 n32 64 56", 32, 64, 56, 56, 64, 3, 2, 1, 1, 64 },
  { "dw dil2 3x3 n8 128 28", 8, 128, 28, 28, 128, 3, 1, 2, 2, 128 },
  { "dil2 3x3 n2 64->64 56", 2, 64, 56, 56, 64, 3, 1, 2, 2, 1 },
  { "dil2 3x3 n8 32->32 28", 8, 32, 28, 28, 32, 3, 1, 2, 2, 1 },
};

static double min_time = 0.2;

static void
check (GError *error)
{
  if (error)
    g_error ("bench-conv: %s", error->message);
}

static gint64
out_size (gint64 in, gint64 k, gint64 s, gint64 p, gint64 d)
{
  return (in + 2 * p - d * (k - 1) - 1) / s + 1;
}

static double
shape_flops (const ConvShape *c)
{
  gint64 oh = out_size (c->H, c->k, c->s, c->p, c->d);
  gint64 ow = out_size (c->W, c->k, c->s, c->p, c->d);

  return 2.0 * c->N * c->O * oh * ow * (c->C / c->groups) * c->k * c->k;
}

static void
emit (const char        *bench,
      const char        *shape,
      const char        *op,
      int                threads,
      const char        *unit,
      double             value,
      double             gflops,
      const BenchTiming *t)
{
  g_autofree char *qshape = g_strescape (shape, NULL);

  printf ("{\"suite\": \"c\", \"impl\": \"lt\", \"bench\": \"%s\", \"shape\": \"%s\", "
          "\"op\": \"%s\", \"threads\": %d, \"unit\": \"%s\", \"value\": %.6g, "
          "\"gflops\": %.6g, \"median_s\": %.6g, \"min_s\": %.6g, \"cpu_median_s\": %.6g, "
          "\"cpu_per_wall\": %.3g, \"calls\": %d}\n",
          bench, qshape, op, threads, unit, value, gflops, t->median_s, t->min_s, t->cpu_median_s,
          t->cpu_per_wall, t->calls);
  printf ("# %-4s %-24s %-3s thr=%d %10.4g %-8s %8.4g GFLOP/s (%d calls, cpu/wall %.2f)\n", bench,
          shape, op, threads, value, unit, gflops, t->calls, t->cpu_per_wall);
  fflush (stdout);
}

typedef struct
{
  const ConvShape *c;
  LtTensor        *x, *w, *b, *dy, *y;
} ConvCtx;

static LtTensor *
run_conv (ConvCtx *ctx)
{
  g_autoptr(GError) error = NULL;
  const ConvShape *c = ctx->c;
  gint64           s[2] = { c->s, c->s }, p[2] = { c->p, c->p }, d[2] = { c->d, c->d };
  LtTensor        *y = lt_conv2d (ctx->x, ctx->w, ctx->b, s, p, d, c->groups, &error);

  check (error);
  return y;
}

static void
conv_forward (gpointer data)
{
  g_object_unref (run_conv (data));
}

static void
conv_prepare_backward (gpointer data)
{
  ConvCtx *ctx = data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&ctx->y);
  lt_tensor_set_grad (ctx->x, NULL, &error);
  check (error);
  lt_tensor_set_grad (ctx->w, NULL, &error);
  check (error);
  lt_tensor_set_grad (ctx->b, NULL, &error);
  check (error);
  ctx->y = run_conv (ctx);
}

static void
conv_backward (gpointer data)
{
  ConvCtx *ctx = data;
  g_autoptr(GError) error = NULL;

  lt_tensor_backward (ctx->y, ctx->dy, FALSE, &error);
  check (error);
}

static LtTensor *
randn4 (gint64 a, gint64 b, gint64 c, gint64 d)
{
  g_autoptr(GError) error = NULL;
  gint64    shape[4] = { a, b, c, d };
  LtTensor *t = lt_randn (shape, 4, LT_DTYPE_FLOAT32, &error);

  check (error);
  return t;
}

static void
bench_conv (const int *threads, int n_threads, char **only_shapes)
{
  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      const ConvShape *c = &shapes[i];
      gint64           oh = out_size (c->H, c->k, c->s, c->p, c->d);
      gint64           ow = out_size (c->W, c->k, c->s, c->p, c->d);
      double           flops = shape_flops (c);
      ConvCtx          ctx = { c };
      g_autoptr(GError) error = NULL;
      gint64 bshape[1] = { c->O };

      if (only_shapes && !g_strv_contains ((const char *const *) only_shapes, c->name))
        continue;
      lt_manual_seed (1);
      ctx.x = randn4 (c->N, c->C, c->H, c->W);
      ctx.w = randn4 (c->O, c->C / c->groups, c->k, c->k);
      ctx.b = lt_randn (bshape, 1, LT_DTYPE_FLOAT32, &error);
      check (error);
      ctx.dy = randn4 (c->N, c->O, oh, ow);
      for (int t = 0; t < n_threads; t++)
        {
          BenchTiming tm;

          lt_set_num_threads (threads[t]);
          lt_tensor_set_requires_grad (ctx.x, FALSE, NULL);
          lt_tensor_set_requires_grad (ctx.w, FALSE, NULL);
          lt_tensor_set_requires_grad (ctx.b, FALSE, NULL);
          tm = bench_measure (NULL, conv_forward, &ctx, 2, 5, min_time);
          emit ("conv", c->name, "fwd", threads[t], "ms", tm.median_s * 1e3,
                flops / tm.median_s * 1e-9, &tm);

          lt_tensor_set_requires_grad (ctx.x, TRUE, NULL);
          tm = bench_measure (conv_prepare_backward, conv_backward, &ctx, 2, 5, min_time);
          emit ("conv", c->name, "gi", threads[t], "ms", tm.median_s * 1e3,
                flops / tm.median_s * 1e-9, &tm);
          g_clear_object (&ctx.y);

          lt_tensor_set_requires_grad (ctx.x, FALSE, NULL);
          lt_tensor_set_grad (ctx.x, NULL, NULL);
          lt_tensor_set_requires_grad (ctx.w, TRUE, NULL);
          lt_tensor_set_requires_grad (ctx.b, TRUE, NULL);
          tm = bench_measure (conv_prepare_backward, conv_backward, &ctx, 2, 5, min_time);
          emit ("conv", c->name, "gw", threads[t], "ms", tm.median_s * 1e3,
                flops / tm.median_s * 1e-9, &tm);
          g_clear_object (&ctx.y);
          lt_tensor_set_grad (ctx.w, NULL, NULL);
          lt_tensor_set_grad (ctx.b, NULL, NULL);
        }
      g_clear_object (&ctx.x);
      g_clear_object (&ctx.w);
      g_clear_object (&ctx.b);
      g_clear_object (&ctx.dy);
    }
}

/* The CNN of "What is torch.nn really?" */
typedef struct
{
  LtModule    *net;
  LtOptimizer *optimizer;
  LtLoss      *criterion;
  LtTensor    *inputs, *labels;
  double       last_loss;
} Cnn;

static LtModule *
conv_layer (gint64 in, gint64 out)
{
  g_autoptr(GError) error = NULL;
  gint64    k[2] = { 3, 3 }, s[2] = { 2, 2 }, p[2] = { 1, 1 };
  LtModule *m = LT_MODULE (lt_conv2d_new (in, out, k, s, p, NULL, 1, TRUE, &error));

  check (error);
  return m;
}

static void
cnn_init (Cnn *cnn, gint64 batch)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) params = NULL;
  gint64    pk[2] = { 4, 4 };
  gint64    ishape[4] = { batch, 1, 28, 28 }, lshape[1] = { batch };
  LtModule *layers[8];

  layers[0] = conv_layer (1, 16);
  layers[1] = LT_MODULE (lt_relu_new (FALSE));
  layers[2] = conv_layer (16, 16);
  layers[3] = LT_MODULE (lt_relu_new (FALSE));
  layers[4] = conv_layer (16, 10);
  layers[5] = LT_MODULE (lt_relu_new (FALSE));
  layers[6] = LT_MODULE (lt_avg_pool2d_new (pk, 2, NULL, 0, NULL, 0, FALSE, TRUE, 0, &error));
  check (error);
  layers[7] = LT_MODULE (lt_flatten_new (1, -1));
  cnn->net = LT_MODULE (lt_sequential_new (layers, G_N_ELEMENTS (layers)));
  for (gsize i = 0; i < G_N_ELEMENTS (layers); i++)
    g_object_unref (layers[i]);
  params = lt_module_parameters (cnn->net);
  cnn->optimizer = LT_OPTIMIZER (lt_sgd_new (params, 0.1, 0.9, 0, 0, FALSE, &error));
  check (error);
  cnn->criterion = LT_LOSS (lt_cross_entropy_loss_new (NULL, -100, LT_REDUCTION_MEAN, 0.0, &error));
  check (error);
  cnn->inputs = lt_rand (ishape, 4, LT_DTYPE_FLOAT32, &error);
  check (error);
  cnn->labels = lt_randint (0, 10, lshape, 1, LT_DTYPE_INT64, &error);
  check (error);
}

static void
cnn_clear (Cnn *cnn)
{
  g_clear_object (&cnn->net);
  g_clear_object (&cnn->optimizer);
  g_clear_object (&cnn->criterion);
  g_clear_object (&cnn->inputs);
  g_clear_object (&cnn->labels);
}

static void
cnn_step (gpointer data)
{
  Cnn *cnn = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LtTensor) outputs = NULL;
  g_autoptr(LtTensor) loss = NULL;

  lt_optimizer_zero_grad (cnn->optimizer, FALSE);
  outputs = lt_module_forward (cnn->net, cnn->inputs, &error);
  check (error);
  loss = lt_loss_compute (cnn->criterion, outputs, cnn->labels, &error);
  check (error);
  lt_tensor_backward (loss, NULL, FALSE, &error);
  check (error);
  lt_optimizer_step (cnn->optimizer, &error);
  check (error);
  lt_tensor_item (loss, &cnn->last_loss, &error);
  check (error);
}

static void
bench_cnn (gint64 batch, const int *threads, int n_threads)
{
  for (int t = 0; t < n_threads; t++)
    {
      Cnn         cnn = { 0 };
      BenchTiming tm;

      lt_set_num_threads (threads[t]);
      lt_manual_seed (0);
      cnn_init (&cnn, batch);
      tm = bench_measure (NULL, cnn_step, &cnn, 5, 10, min_time);
      if (!(cnn.last_loss > 0 && cnn.last_loss < 100))
        g_error ("bench-conv: implausible loss %g", cnn.last_loss);
      emit ("cnn", "torch.nn CNN 28x28", "train", threads[t], "img/s", batch / tm.median_s, 0, &tm);
      cnn_clear (&cnn);
    }
}

static void
list_shapes (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      const ConvShape *c = &shapes[i];

      printf ("{\"shape\": \"%s\", \"N\": %" G_GINT64_FORMAT ", \"C\": %" G_GINT64_FORMAT
              ", \"H\": %" G_GINT64_FORMAT ", \"W\": %" G_GINT64_FORMAT ", \"O\": %" G_GINT64_FORMAT
              ", \"k\": %" G_GINT64_FORMAT ", \"s\": %" G_GINT64_FORMAT ", \"p\": %" G_GINT64_FORMAT
              ", \"d\": %" G_GINT64_FORMAT ", \"groups\": %" G_GINT64_FORMAT ", \"gflop\": %.6g}\n",
              c->name, c->N, c->C, c->H, c->W, c->O, c->k, c->s, c->p, c->d, c->groups,
              shape_flops (c) * 1e-9);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *threads_s = g_strdup ("1,2");
  g_autofree char *only = g_strdup ("conv,cnn");
  g_autofree char *shape_list = NULL;
  gboolean         list = FALSE;
  gint64           cnn_batch = 64;
  g_auto(GStrv) benches = NULL;
  g_auto(GStrv) tstr = NULL;
  g_auto(GStrv) only_shapes = NULL;
  int          threads[8], n_threads = 0;
  GOptionEntry entries[] = {
    { "threads", 0, 0, G_OPTION_ARG_STRING, &threads_s, "thread counts (default 1,2)", "LIST" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "benches: conv,cnn", "LIST" },
    { "shapes", 0, 0, G_OPTION_ARG_STRING, &shape_list, "only these shapes (names, ';')", "LIST" },
    { "min-time", 0, 0, G_OPTION_ARG_DOUBLE, &min_time, "seconds per measurement", "S" },
    { "cnn-batch", 0, 0, G_OPTION_ARG_INT64, &cnn_batch, "batch of the CNN step", "N" },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, "print the shapes as JSON lines", NULL },
    { NULL }
  };

  ctx = g_option_context_new ("- conv2d benchmarks");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-conv: %s\n", error->message);
      return 2;
    }
  if (list)
    {
      list_shapes ();
      return 0;
    }
  tstr = g_strsplit (threads_s, ",", -1);
  for (int i = 0; tstr[i] && n_threads < (int) G_N_ELEMENTS (threads); i++)
    if (*tstr[i])
      threads[n_threads++] = MAX (1, atoi (tstr[i]));
  benches = g_strsplit (only, ",", -1);
  if (shape_list)
    only_shapes = g_strsplit (shape_list, ";", -1);
  if (g_strv_contains ((const char *const *) benches, "conv"))
    bench_conv (threads, n_threads, only_shapes);
  if (g_strv_contains ((const char *const *) benches, "cnn"))
    bench_cnn (cnn_batch, threads, n_threads);
  return 0;
}
