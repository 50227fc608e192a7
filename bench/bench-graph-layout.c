/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How long graphviz's "dot" takes to lay out autograd graphs of about 100,
 * 500 and 1000 nodes through lt-render (boxes measured with Pango, DOT
 * written, laid out, read back), and how long a cached layout and a
 * layout with every group folded take.
 *
 * The graphs are ResNet-like chains: blocks of a convolution (weight and
 * bias leaves), a batch norm (weight and bias leaves), a ReLU and, every
 * second block, a residual addition, each block a module "layers.<k>"
 * with sub-modules "conv" and "bn".
 *
 *   bench-graph-layout [REPEATS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lt-render.h"

static LtRenderGraph *
resnet_like (guint target)
{
  LtRenderGraph *g = lt_render_graph_new ();
  const gint64   act[4] = { 8, 64, 16, 16 }, w[4] = { 64, 64, 3, 3 }, b[1] = { 64 };
  gint           prev = -1, skip = -1;

  for (guint k = 0; lt_render_graph_get_n_nodes (g) + 8 <= target; k++)
    {
      g_autofree char *block = g_strdup_printf ("layers.%u", k);
      g_autofree char *conv = g_strdup_printf ("layers.%u.conv", k);
      g_autofree char *bn = g_strdup_printf ("layers.%u.bn", k);
      g_autofree char *cw = g_strdup_printf ("%s.weight", conv);
      g_autofree char *cb = g_strdup_printf ("%s.bias", conv);
      g_autofree char *bw = g_strdup_printf ("%s.weight", bn);
      g_autofree char *bb = g_strdup_printf ("%s.bias", bn);
      guint            n_cw = lt_render_graph_add_node (g, "AccumulateGrad", conv, w, 4);
      guint            n_cb = lt_render_graph_add_node (g, "AccumulateGrad", conv, b, 1);
      guint            n_conv = lt_render_graph_add_node (g, "ConvolutionBackward0", conv, act, 4);
      guint            n_bw = lt_render_graph_add_node (g, "AccumulateGrad", bn, b, 1);
      guint            n_bb = lt_render_graph_add_node (g, "AccumulateGrad", bn, b, 1);
      guint            n_bn = lt_render_graph_add_node (g, "NativeBatchNormBackward0", bn, act, 4);
      guint            n_relu = lt_render_graph_add_node (g, "ReluBackward0", block, act, 4);
      guint            out = n_relu;

      lt_render_graph_set_leaf (g, n_cw, cw, TRUE, 64 * 64 * 9);
      lt_render_graph_set_leaf (g, n_cb, cb, TRUE, 64);
      lt_render_graph_set_leaf (g, n_bw, bw, TRUE, 64);
      lt_render_graph_set_leaf (g, n_bb, bb, TRUE, 64);
      lt_render_graph_add_edge (g, n_cw, n_conv, w, 4);
      lt_render_graph_add_edge (g, n_cb, n_conv, b, 1);
      if (prev >= 0)
        lt_render_graph_add_edge (g, (guint) prev, n_conv, act, 4);
      lt_render_graph_add_edge (g, n_conv, n_bn, act, 4);
      lt_render_graph_add_edge (g, n_bw, n_bn, b, 1);
      lt_render_graph_add_edge (g, n_bb, n_bn, b, 1);
      lt_render_graph_add_edge (g, n_bn, n_relu, act, 4);
      if (k % 2 == 1 && skip >= 0)
        {
          out = lt_render_graph_add_node (g, "AddBackward0", block, act, 4);
          lt_render_graph_add_edge (g, n_relu, out, act, 4);
          lt_render_graph_add_edge (g, (guint) skip, out, act, 4);
        }
      if (k % 2 == 0)
        skip = (gint) (prev >= 0 ? (guint) prev : n_relu);
      prev = (gint) out;
    }
  {
    guint loss = lt_render_graph_add_node (g, "MeanBackward0", NULL, NULL, 0);

    lt_render_graph_add_edge (g, (guint) prev, loss, act, 4);
  }
  return g;
}

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wall-clock milliseconds; the CPU time spent is added to *cpu */
static double
time_layout (LtRenderGraph       *g,
             const char *const   *folded,
             const LtRenderTheme *theme,
             gboolean             cached,
             double              *cpu)
{
  g_autoptr(GError) error = NULL;
  LtRenderGraphLayout *layout;
  gint64               t0;
  double               c0;

  if (!cached)
    lt_render_graph_layout_clear_cache ();
  c0 = cpu_ms ();
  t0 = g_get_monotonic_time ();
  layout = lt_render_graph_layout_new (g, folded, theme, &error);
  if (layout == NULL)
    {
      fprintf (stderr, "bench-graph-layout: %s\n", error->message);
      exit (1);
    }
  lt_render_graph_layout_unref (layout);
  *cpu = cpu_ms () - c0;
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static int
compare (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  static const guint sizes[] = { 100, 500, 1000 };
  int                repeats = argc > 1 ? MAX (1, atoi (argv[1])) : 3;
  LtRenderTheme      theme;

  lt_render_theme_init (&theme, FALSE);
  printf ("%6s %6s %6s %16s %16s %16s\n", "nodes", "edges", "groups", "layout ms", "cached ms",
          "folded ms");
  printf ("%6s %6s %6s %16s %16s %16s\n", "", "", "", "wall (cpu)", "wall (cpu)", "wall (cpu)");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(LtRenderGraph) g = resnet_like (sizes[s]);
      g_auto(GStrv) modules = lt_render_graph_dup_modules (g);
      g_autoptr(GPtrArray) top = g_ptr_array_new ();
      double cold[16], warm[16], folded[16], cold_cpu[16], warm_cpu[16], folded_cpu[16];

      /* The blocks folded: "layers.<k>" */
      for (guint k = 0; modules[k]; k++)
        if (g_str_has_prefix (modules[k], "layers.") && strchr (modules[k] + 7, '.') == NULL)
          g_ptr_array_add (top, modules[k]);
      g_ptr_array_add (top, NULL);
      repeats = MIN (repeats, 16);
      for (int r = 0; r < repeats; r++)
        {
          cold[r] = time_layout (g, NULL, &theme, FALSE, &cold_cpu[r]);
          warm[r] = time_layout (g, NULL, &theme, TRUE, &warm_cpu[r]);
          folded[r] =
            time_layout (g, (const char *const *) top->pdata, &theme, FALSE, &folded_cpu[r]);
        }
      qsort (cold, repeats, sizeof (double), compare);
      qsort (warm, repeats, sizeof (double), compare);
      qsort (folded, repeats, sizeof (double), compare);
      qsort (cold_cpu, repeats, sizeof (double), compare);
      qsort (warm_cpu, repeats, sizeof (double), compare);
      qsort (folded_cpu, repeats, sizeof (double), compare);
      /* medians */
      printf ("%6u %6u %6u %8.1f (%5.1f) %8.2f (%5.2f) %8.1f (%5.1f)\n",
              lt_render_graph_get_n_nodes (g), lt_render_graph_get_n_edges (g),
              g_strv_length (modules), cold[repeats / 2], cold_cpu[repeats / 2], warm[repeats / 2],
              warm_cpu[repeats / 2], folded[repeats / 2], folded_cpu[repeats / 2]);
    }
  return 0;
}
